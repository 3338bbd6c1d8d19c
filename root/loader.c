/* Native program loader (see loader.h). */
#include "loader.h"

#include <lx4/bootinfo.h>

#include "elf.h"
#include "lx4.h"
#include "mem.h"
#include "testproto.h"

#define MAX_IMAGE_PAGES 1024

static uint64_t elf_rights(uint32_t f)
{
	return LX4_FP_R | ((f & ELF_PF_W) ? LX4_FP_W : 0) | ((f & ELF_PF_X) ? LX4_FP_X : 0);
}

static uint64_t take_frame(struct program *p)
{
	if (p->nframes == PROG_MAX_FRAMES)
		return 0;
	uint64_t f = frame_alloc();
	if (f)
		p->frames[p->nframes++] = f;
	return f;
}

int program_give_page(struct program *p, uint64_t va)
{
	uint64_t f = take_frame(p);
	if (!f)
		return -LX4_ENOMEM;
	return (int)lx4_map(p->task, lx4_fpage(f, 12, LX4_FP_R | LX4_FP_W), va & ~0xfffull, 0);
}

/* copies the segments page by page; a page shared by two segments gets
 * the union of their rights */
static int load_segments(struct program *p, const uint8_t *img, const struct elf_seg *segs, unsigned n)
{
	static uint64_t page_va[MAX_IMAGE_PAGES], page_frame[MAX_IMAGE_PAGES], page_rights[MAX_IMAGE_PAGES];
	unsigned npages = 0;
	for (unsigned s = 0; s < n; s++) {
		uint64_t start = segs[s].vaddr & ~0xfffull, end = (segs[s].vaddr + segs[s].memsz + 0xfff) & ~0xfffull;
		for (uint64_t va = start; va < end; va += 4096) {
			unsigned i = 0;
			while (i < npages && page_va[i] != va)
				i++;
			if (i == npages) {
				if (npages == MAX_IMAGE_PAGES || !(page_frame[i] = take_frame(p)))
					return -LX4_ENOMEM;
				page_va[i] = va;
				page_rights[i] = 0;
				npages++;
			}
			page_rights[i] |= elf_rights(segs[s].flags);
			uint8_t *dst = (uint8_t *)page_frame[i];
			uint64_t lo = va > segs[s].vaddr ? va : segs[s].vaddr;
			uint64_t hi = segs[s].vaddr + segs[s].filesz;
			if (hi > va + 4096)
				hi = va + 4096;
			if (lo < hi)
				memcpy(dst + (lo - va), img + segs[s].offset + (lo - segs[s].vaddr), hi - lo);
		}
	}
	for (unsigned i = 0; i < npages; i++) {
		long err = lx4_map(p->task, lx4_fpage(page_frame[i], 12, page_rights[i]), page_va[i], 0);
		if (err)
			return (int)err;
	}
	return 0;
}

static int setup_thread(struct program *p, uint64_t entry, const struct program_opts *o)
{
	long err;
	uint32_t badged = slot_alloc();
	p->parent_cap = badged;
	if ((err = lx4_cap_copy(LX4_CAP_SELF_TASK, badged, o->ep, LX4_R_SEND | LX4_R_GRANT, o->badge)))
		return (int)err;
	if ((err = lx4_cap_copy(p->task, TP_PARENT_CAP, badged, LX4_R_SEND | LX4_R_GRANT, 0)))
		return (int)err;
	p->thread = slot_alloc();
	if ((err = lx4_thread_create(p->thread, p->task)) ||
	    (err = lx4_thread_config(p->thread, LX4_TCFG_UTCB, TP_UTCB)) ||
	    (err = lx4_thread_config(p->thread, LX4_TCFG_FSBASE, TP_UTCB)) ||
	    (err = lx4_thread_config(p->thread, LX4_TCFG_PAGER, badged)) ||
	    (err = lx4_thread_config(p->thread, LX4_TCFG_HANDLER, badged)) ||
	    (err = lx4_thread_config(p->thread, LX4_TCFG_PRIORITY, o->prio)))
		return (int)err;
	struct lx4_utcb *u = lx4_utcb();
	u->mr[LX4_REG_RIP] = entry;
	u->mr[LX4_REG_RSP] = TP_STACK_TOP - 8;
	u->mr[LX4_REG_RDI] = o->arg0;
	u->mr[LX4_REG_RSI] = o->arg1;
	uint64_t mask = 1ull << LX4_REG_RIP | 1ull << LX4_REG_RSP | 1ull << LX4_REG_RDI | 1ull << LX4_REG_RSI;
	return (int)lx4_exregs(p->thread, LX4_EXREGS_WRITE | (o->stopped ? 0 : LX4_EXREGS_START), mask).err;
}

int program_start(struct program *p, const void *img, size_t size, const struct program_opts *o)
{
	struct elf_info info;
	struct elf_seg segs[16];
	p->nframes = 0;
	p->task = p->thread = p->parent_cap = 0;
	int err = elf_parse(img, size, LX4_USER_TOP, &info, segs, 16);
	if (err)
		return -LX4_EINVAL;
	p->task = slot_alloc();
	if ((err = (int)lx4_task_create(p->task, o->quota_pages, o->cap_slots ? o->cap_slots : 1024)))
		return err;
	if ((err = load_segments(p, img, segs, info.nsegs)))
		return err;
	unsigned stack_pages = o->stack_pages ? o->stack_pages : TP_STACK_PAGES;
	for (unsigned i = 0; i < stack_pages; i++)
		if ((err = program_give_page(p, TP_STACK_TOP - (i + 1) * 4096)))
			return err;
	if ((err = (int)lx4_map(p->task, lx4_fpage(LX4_ROOT_KIP, 12, LX4_FP_R), TP_KIP, 0)))
		return err;
	if (o->devices) { /* the CMOS clock and the IRQ control capability */
		if ((err = (int)lx4_map(p->task, lx4_iopage(TP_RTC_PORT, 1), 0, 0)) ||
		    (err = (int)lx4_cap_copy(p->task, TP_IRQCTL_CAP, LX4_ROOT_CAP_IRQCTL, LX4_R_ALL, 0)))
			return err;
	}
	return setup_thread(p, info.entry, o);
}

void program_destroy(struct program *p)
{
	if (p->thread) {
		lx4_cap_destroy(p->thread);
		slot_free(p->thread);
	}
	if (p->task) {
		lx4_cap_destroy(p->task);
		slot_free(p->task);
	}
	if (p->parent_cap) {
		lx4_cap_delete(LX4_CAP_SELF_TASK, p->parent_cap);
		slot_free(p->parent_cap);
	}
	/* revoke anything still derived from the frames, then reuse them */
	for (unsigned i = 0; i < p->nframes; i++) {
		lx4_unmap(LX4_CAP_SELF_TASK, lx4_fpage(p->frames[i], 12, LX4_FP_RWX), 0);
		frame_free(p->frames[i]);
	}
	p->nframes = 0;
	p->task = p->thread = p->parent_cap = 0;
}
