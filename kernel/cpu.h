/*
 * Per-CPU state: one structure per CPU, reached through %gs in the kernel.
 * The first fields are read by entry.S at fixed offsets.
 */
#ifndef KERNEL_CPU_H
#define KERNEL_CPU_H

#include "types.h"
#include <lx4/kip.h>

struct thread;
struct task;

#define NPRIO 256

struct cpu {
	/* entry.S offsets: keep in this order */
	struct cpu *self;         /* 0 */
	uint64_t kstack_top;      /* 8 */
	uint64_t user_rsp;        /* 16 */
	uint64_t frame_end;       /* 24: end of cur->frame; TSS rsp0 too */
	struct thread *cur;       /* 32 */
	struct lx4_kip_cpu *kcnt; /* 40 */
	/* generic */
	unsigned id;
	struct thread *idle;
	struct task *space;        /* whose page table is loaded */
	struct thread *fpu_owner;  /* whose state the FPU holds */
	bool ts_set;               /* CR0.TS is set */
	bool need_resched;
	uint64_t rq_bitmap[NPRIO / 64];
	struct thread *rq_head[NPRIO], *rq_tail[NPRIO];
	struct thread *timeouts;   /* sorted by deadline */
	struct kobj *reap;         /* objects to destroy/free */
	struct thread *zombie;     /* dead but still cur: freed once we leave it */
	void *arch;                /* arch per-CPU data (GDT, TSS) */
};

#define CPU_OFF_SELF 0
#define CPU_OFF_KSTACK 8
#define CPU_OFF_USER_RSP 16
#define CPU_OFF_FRAME_END 24
#define CPU_OFF_CUR 32
#define CPU_OFF_KCNT 40

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;
	__asm__("mov %%gs:0, %0" : "=r"(c));
	return c;
}

extern struct cpu cpus[LX4_MAX_CPUS];
extern struct lx4_kip *kip;

#endif
