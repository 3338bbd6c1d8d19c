/*
 * The root task: the first user task.  It receives all free RAM (mapped
 * at LX4_ROOT_RAM_BASE + physical address, 2 MiB pages where possible,
 * as root mappings of the mapping database), every I/O port, the IRQ
 * control capability, the KIP and the boot information.  Its image is
 * the first module (an ELF executable).
 */
#include <lx4/bootinfo.h>

#include "../lib/elf.h"
#include <arch/mmu.h>
#include "boot.h"
#include "cpu.h"
#include "ioport.h"
#include "irq.h"
#include "kip.h"
#include "lib.h"
#include "sched.h"
#include "space.h"
#include "task.h"
#include "thread.h"

#define ROOT_CAP_SLOTS 4096
#define ROOT_STACK_PAGES 16
#define ROOT_PRIO 200

/* takes one page of RAM from the top of the highest range */
static paddr_t take_frame(struct boot_params *bp)
{
	for (unsigned i = bp->nram; i-- > 0;) {
		struct boot_range *r = &bp->ram[i];
		if (r->size >= PAGE_SIZE) {
			r->size -= PAGE_SIZE;
			return r->base + r->size;
		}
	}
	panic("out of RAM building the root task");
}

static void must(int err, const char *what)
{
	if (err)
		panic("root task: %s failed (%d)", what, err);
}

/* copies the root image's segments into fresh frames and maps them */
static uint64_t load_image(struct task *root, struct boot_params *bp, const struct boot_module *m)
{
	struct elf_info info;
	struct elf_seg segs[8];
	const uint8_t *img = phys_to_virt(m->base);
	int err = elf_parse(img, m->size, USER_END, &info, segs, 8);
	if (err)
		panic("root image: bad ELF (%d)", err);
	for (unsigned s = 0; s < info.nsegs; s++) {
		const struct elf_seg *sg = &segs[s];
		uint64_t start = ALIGN_DOWN(sg->vaddr, PAGE_SIZE), end = ALIGN_UP(sg->vaddr + sg->memsz, PAGE_SIZE);
		for (uint64_t va = start; va < end; va += PAGE_SIZE) {
			unsigned ord;
			if (mmu_leaf(root, va, &ord))
				continue; /* shared with the previous segment */
			paddr_t pa = take_frame(bp);
			uint8_t *dst = phys_to_virt(pa);
			memset(dst, 0, PAGE_SIZE);
			for (uint64_t b = MAX(va, sg->vaddr); b < MIN(va + PAGE_SIZE, sg->vaddr + sg->filesz); b++)
				dst[b - va] = img[sg->offset + (b - sg->vaddr)];
			/* the root is trusted with RWX on its own image: segments
			 * may share pages */
			must(space_map_root(root, va, pa, 12, LX4_FP_RWX), "map image");
		}
	}
	return info.entry;
}

/* the RAM window: every range (and the modules) at LX4_ROOT_RAM_BASE + pa */
static void map_window(struct task *root, paddr_t base, paddr_t size)
{
	for (paddr_t pa = base; pa < base + size;) {
		if (IS_ALIGNED(pa, LARGE_SIZE) && base + size - pa >= LARGE_SIZE) {
			must(space_map_root(root, LX4_ROOT_RAM_BASE + pa, pa, 21, LX4_FP_RWX), "map RAM");
			pa += LARGE_SIZE;
		} else {
			must(space_map_root(root, LX4_ROOT_RAM_BASE + pa, pa, 12, LX4_FP_RWX), "map RAM");
			pa += PAGE_SIZE;
		}
	}
}

void root_start(struct boot_params *bp)
{
	if (bp->nmods < 1)
		panic("no root task module");
	int err;
	/* the root's quota is all the kernel memory left (its struct is the
	 * one page not charged) */
	struct task *root = task_create(NULL, kmem_free_pages() - 1, ROOT_CAP_SLOTS, &err);
	if (!root)
		panic("root task: %d", err);
	uint64_t entry = load_image(root, bp, &bp->mods[0]);

	for (unsigned i = 0; i < ROOT_STACK_PAGES; i++)
		must(space_map_root(root, LX4_ROOT_STACK_TOP - (i + 1) * PAGE_SIZE, take_frame(bp), 12,
				    LX4_FP_R | LX4_FP_W),
		     "map stack");
	must(space_map_root(root, LX4_ROOT_KIP, virt_to_phys(kip), 12, LX4_FP_R), "map KIP");

	paddr_t bi_pa = take_frame(bp);
	struct lx4_bootinfo *bi = phys_to_virt(bi_pa);
	memset(bi, 0, PAGE_SIZE);
	must(space_map_root(root, LX4_ROOT_BOOTINFO, bi_pa, 12, LX4_FP_R), "map boot info");

	bi->magic = LX4_BOOTINFO_MAGIC;
	bi->ram_window_base = LX4_ROOT_RAM_BASE;
	bi->cap_slots = ROOT_CAP_SLOTS;
	bi->first_free_slot = 16;
	memcpy(bi->kernel_cmdline, kernel_cmdline, sizeof bi->kernel_cmdline);
	for (unsigned i = 0; i < bp->nram && i < LX4_BI_MAX_RANGES; i++) {
		bi->ranges[i].base = bp->ram[i].base;
		bi->ranges[i].size = bp->ram[i].size;
		bi->nranges++;
		map_window(root, bp->ram[i].base, bp->ram[i].size);
	}
	for (unsigned i = 0; i < bp->nmods && i < LX4_BI_MAX_MODULES; i++) {
		const struct boot_module *m = &bp->mods[i];
		paddr_t b = ALIGN_DOWN(m->base, PAGE_SIZE), e = ALIGN_UP(m->base + m->size, PAGE_SIZE);
		bi->modules[i].base = m->base;
		bi->modules[i].size = m->size;
		memcpy(bi->modules[i].cmdline, m->cmdline, sizeof bi->modules[i].cmdline);
		bi->nmodules++;
		map_window(root, b, e - b);
	}

	must(io_grant_all(root), "I/O ports");
	struct cap *slot;
	must(cap_dst_slot(root, LX4_ROOT_CAP_IRQCTL, &slot), "IRQ control cap");
	cap_install(slot, &irqctl_obj, LX4_R_CONTROL, 0);

	struct thread *t = thread_create(root, root, &err);
	if (!t)
		panic("root thread: %d", err);
	must(thread_set_utcb(t, LX4_ROOT_UTCB), "UTCB");
	t->prio = ROOT_PRIO;
	arch_frame_set_entry(&t->frame, entry, LX4_ROOT_STACK_TOP, LX4_ROOT_BOOTINFO);
	t->fs_base = LX4_ROOT_UTCB;
	obj_get(&t->obj); /* the kernel keeps the root thread */
	obj_get(&root->obj);
	bi->kmem_quota_pages = root->quota;
	kprintf("lx4: root task: entry %lx, %lu RAM ranges, %lu modules, kernel quota %lu pages\n", entry,
		bi->nranges, bi->nmodules, root->quota - root->used);
	sched_enqueue(t);
}
