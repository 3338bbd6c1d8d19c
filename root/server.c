/*
 * The Linux server's start.  The root loads the server image like any
 * program, then maps into it the RAM it will manage (2 MiB pages at
 * SRV_RAM), the initramfs (read-only at SRV_INITRD) and an information
 * page, gives it the I/O ports of the console, the exit device and the
 * clock, the IRQ control capability and most of the kernel-memory quota,
 * and starts it.  The server then owns the machine; a fault or exception
 * of the server itself is fatal to the run.
 */
#include "server.h"

#include "loader.h"
#include "lx4.h"
#include "mem.h"
#include "serverproto.h"
#include "testproto.h"

#define ROOT_KEEP_FRAMES 1024 /* 4 MiB the root keeps for itself */
#define ROOT_KEEP_QUOTA 512   /* kernel pages the root keeps */
#define LARGE (2ull << 20)

static struct program srv;

/* maps every 2 MiB-aligned chunk the root can spare at SRV_RAM + offset */
static uint64_t give_ram(uint32_t task)
{
	uint64_t off = 0, pa, size;
	while (frames_free() > ROOT_KEEP_FRAMES + LARGE / 4096 && range_take_large(&pa, &size, LARGE)) {
		for (uint64_t o = 0; o < size; o += LARGE) {
			long err = lx4_map(task, lx4_fpage(window_va(pa + o), 21, LX4_FP_RWX), SRV_RAM + off, 0);
			if (err) {
				printf("[root] mapping server RAM failed (%ld)\n", err);
				return off;
			}
			off += LARGE;
		}
	}
	return off;
}

static int give_devices(uint32_t task)
{
	long err;
	if ((err = lx4_map(task, lx4_iopage(SRV_PORT_COM1, 3), 0, 0)) ||
	    (err = lx4_map(task, lx4_iopage(SRV_PORT_EXIT, 2), 0, 0)) ||
	    (err = lx4_map(task, lx4_iopage(SRV_PORT_RTC, 1), 0, 0)) ||
	    (err = lx4_cap_copy(task, SRV_CAP_IRQCTL, LX4_ROOT_CAP_IRQCTL, LX4_R_ALL, 0)))
		return (int)err;
	return 0;
}

static _Noreturn void fail(const char *why)
{
	printf("[root] the Linux server %s: ending the run\n", why);
	__asm__ volatile("outb %b0, %w1" : : "a"(3), "Nd"(0xf4));
	lx4_halt();
}

int server_run(const struct lx4_bootinfo *bi, const struct lx4_bi_module *sm, const struct lx4_bi_module *im)
{
	uint32_t ep = slot_alloc();
	if (lx4_ep_create(ep))
		return -1;
	uint64_t quota = bi->kmem_quota_pages;
	uint64_t used = lx4_task_info(LX4_CAP_SELF_TASK).r2;
	struct program_opts o = {.quota_pages = quota - used - ROOT_KEEP_QUOTA,
				 .badge = 1,
				 .ep = ep,
				 .prio = SRV_PRIO,
				 .stopped = true,
				 .stack_pages = SRV_STACK_PAGES,
				 .cap_slots = SRV_CAP_SLOTS};
	int err = program_start(&srv, (const void *)window_va(sm->base), sm->size, &o);
	if (err) {
		printf("[root] cannot load the server (%d)\n", err);
		return err;
	}
	uint64_t info_va = frame_alloc();
	struct lx4_srvinfo *info = (struct lx4_srvinfo *)info_va;
	info->magic = SRV_INFO_MAGIC;
	info->initrd_size = im ? im->size : 0;
	info->kmem_quota = o.quota_pages;
	info->cap_slots = SRV_CAP_SLOTS;
	memcpy(info->cmdline, sm->cmdline, sizeof info->cmdline < sizeof sm->cmdline ? sizeof info->cmdline
										      : sizeof sm->cmdline);
	if ((err = (int)lx4_map(srv.task, lx4_fpage(info_va, 12, LX4_FP_R), SRV_INFO, 0)))
		return err;
	if (im && (err = (int)lx4_map(srv.task,
				      lx4_fpage(window_va(im->base & ~0xfffull), 12, LX4_FP_R), SRV_INITRD, 0)))
		return err;
	/* the initramfs page by page (modules are page aligned, any size) */
	for (uint64_t off = 4096; im && off < im->size + (im->base & 0xfff); off += 4096)
		if ((err = (int)lx4_map(srv.task, lx4_fpage(window_va((im->base & ~0xfffull) + off), 12, LX4_FP_R),
					SRV_INITRD + off, 0)))
			return err;
	if ((err = give_devices(srv.task)))
		return err;
	info->ram_size = give_ram(srv.task);
	printf("[root] starting the Linux server: %lu MiB of RAM, %lu kernel pages\n", info->ram_size >> 20,
	       o.quota_pages);
	if ((err = (int)lx4_exregs(srv.thread, LX4_EXREGS_START, 0).err))
		return err;
	for (;;) {
		struct lx4_msg m;
		if (lx4_recv(ep, &m, LX4_TIMEOUT_NEVER))
			continue;
		uint64_t label = lx4_tag_label(m.tag);
		if (label == LX4_LABEL_PAGEFAULT) {
			printf("[root] server page fault at %lx (access %lx, rip %lx)\n", m.mr[0], m.mr[1], m.mr[2]);
			fail("faulted");
		}
		if (label == LX4_LABEL_EXCEPTION) {
			printf("[root] server exception %lu at rip %lx\n", lx4_utcb()->mr[LX4_EXC_MR_VECTOR],
			       lx4_utcb()->mr[LX4_REG_RIP]);
			fail("crashed");
		}
	}
}
