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
	uint64_t scratch;         /* 24: entry.S */
	struct thread *cur;       /* 32 */
	/* generic */
	unsigned id;
	struct thread *idle;
	struct task *space;        /* whose page table is loaded */
	struct thread *fpu_owner;  /* whose state the FPU holds */
	bool ts_set;               /* CR0.TS is set */
	uint64_t fs_loaded, kgs_loaded; /* bases last written (no FSGSBASE) */
	struct thread *zombie;     /* the current thread, destroyed: freed
				    * once the CPU has left it */
	bool need_resched;
	uint64_t entry_tsc; /* TSC at the start of the current slow-path entry */
	int rq_hi;          /* highest ready priority, -1: none */
	uint64_t *tss_rsp0;
	uint64_t rq_bitmap[NPRIO / 64];
	struct thread *rq_head[NPRIO], *rq_tail[NPRIO];
	struct thread *timeouts;   /* sorted by deadline */
	struct kobj *reap;         /* objects to destroy/free */
	void *arch;                /* arch per-CPU data (GDT, TSS) */
} __attribute__((aligned(4096)));

/* The per-CPU structure is reached through an alias mapping (see
 * mmu_map_percpu) with the KIP mapped in the page just below it, so that
 * this CPU's counters in the KIP are at a fixed distance from %gs: one
 * instruction to count an event.  (For CPU i the structure will sit at
 * offset i * sizeof(struct lx4_kip_cpu) in its page.) */
#define CPU_KIP_DIST 4096
#define CPU_KCNT_OFF (__builtin_offsetof(struct lx4_kip, cpu) - CPU_KIP_DIST)
static inline struct lx4_kip_cpu *cpu_counters(struct cpu *c)
{
	return (struct lx4_kip_cpu *)((char *)c + CPU_KCNT_OFF);
}

#define CPU_OFF_SELF 0
#define CPU_OFF_KSTACK 8
#define CPU_OFF_USER_RSP 16
#define CPU_OFF_SCRATCH 24
#define CPU_OFF_CUR 32

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;
	__asm__("mov %%gs:0, %0" : "=r"(c));
	return c;
}

extern struct cpu cpus[LX4_MAX_CPUS];
extern struct lx4_kip *kip;

#endif
