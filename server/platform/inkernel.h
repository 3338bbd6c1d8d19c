/*
 * What the two in-kernel backends share: mono (platform/mono.c: the
 * server called directly) and coloc (platform/micro.c built into the
 * kernel: the server reached by IPC, its threads in ring 0).  Both take
 * over the memory the root task gave server.elf (a stub there,
 * platform/stub.c) through LX4_SYS_SERVER_START, and reach it through the
 * kernel window; a page handed to a process is mapped from the stub's
 * task, where it is at SRV_RAM or SRV_INITRD, as micro maps from its own.
 *
 * This header is seen by kernel code and by micro.c, which sees no kernel
 * header: plain types only.
 */
#ifndef SRV_PLATFORM_INKERNEL_H
#define SRV_PLATFORM_INKERNEL_H

#include <stdint.h>

#include "serverproto.h"

struct task;
struct lx4_kip;

/* the server's memory in the kernel window */
struct inkernel_mem {
	uint8_t *ram;
	uint64_t ram_size;
	const uint8_t *initrd;
	uint64_t initrd_size;
};

/* takes over the memory of t (the stub's task: the information page at
 * SRV_INFO names it), once: 0, or -LX4_EINVAL (taken already, missing) */
int inkernel_take(struct task *t, struct inkernel_mem *out);
/* what inkernel_take took (for inkernel_src_va) */
extern struct inkernel_mem inkernel_mem;
/* where page (in the server's RAM or initramfs) is in the stub's task, or
 * 0 if it is in neither (inline: every page fault's reply asks) */
static inline uint64_t inkernel_src_va(const void *page)
{
	const struct inkernel_mem *m = &inkernel_mem;
	uint64_t off = (uint64_t)page - (uint64_t)m->ram; /* (below ram: a huge offset) */
	if (off < m->ram_size)
		return SRV_RAM + off;
	off = (uint64_t)page - (uint64_t)m->initrd;
	return off < m->initrd_size ? SRV_INITRD + off : 0;
}

/* coloc: what its server thread starts with (platform/coloc.c starts it,
 * micro.c's coloc_main runs) */
struct coloc_boot {
	struct inkernel_mem mem;
	const struct lx4_kip *kip;
};
_Noreturn void coloc_main(const struct coloc_boot *b);

#endif
