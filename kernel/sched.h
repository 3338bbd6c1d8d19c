/*
 * Fixed-priority round-robin scheduler.  The running thread is not on the
 * ready queue.  schedule() never returns: it leaves the kernel on the next
 * thread's saved frame (there is one kernel stack per CPU).
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include "arch/x86_64/cpuarch.h"
#include "arch/x86_64/mmu.h"
#include "cpu.h"
#include "task.h"
#include "thread.h"

void sched_enqueue(struct thread *t);       /* at the tail */
void sched_enqueue_front(struct thread *t); /* at the head (preempted) */
void sched_dequeue(struct thread *t);
struct thread *sched_pick(void);
unsigned sched_top_prio(void); /* highest ready priority, or 0 */
bool sched_any_ready(void);

/* makes t ready; returns the thread that should run now on this CPU
 * (t if it preempts cur, else cur) */
struct thread *sched_wake(struct thread *cur, struct thread *t);
/* cur gives up the CPU (still ready or blocked): picks the next */
struct thread *sched_next(struct thread *cur);
/* loads t's FS and GS bases if the CPU may have others.  User code can
 * zero its bases behind our back (a segment load takes the descriptor's
 * base, always 0) but set nothing else: so only a loaded 0 is certain. */
static inline void sched_load_bases(struct cpu *c, struct thread *t)
{
	if (unlikely(c->fs_loaded != t->fs_base || t->fs_base)) {
		wrmsr(MSR_FS_BASE, t->fs_base);
		c->fs_loaded = t->fs_base;
	}
	if (unlikely(c->kgs_loaded != t->gs_base || t->gs_base)) {
		wrmsr(MSR_KERNEL_GS_BASE, t->gs_base);
		c->kgs_loaded = t->gs_base;
	}
}

/* switches the CPU to thread t, not the idle thread (address space, TSS,
 * FPU, bases) */
static inline void sched_switch_thread(struct cpu *c, struct thread *t)
{
	struct task *prev_space = c->space;
	c->cur = t;
	if (prev_space != t->task) /* I/O rights come with it (mmu.h) */
		mmu_activate_on(c, t->task, t->task->pml4_phys);
	arch_set_kstack(c, (uint64_t)(&t->frame + 1));
	sched_load_bases(c, t);
	fpu_switch(c, t);
}

static inline void sched_switch_to(struct cpu *c, struct thread *t)
{
	if (t == c->idle)
		c->cur = t;
	else
		sched_switch_thread(c, t);
}

/* may t run now without passing over a more urgent ready thread? */
static inline bool sched_may_run(struct cpu *c, struct thread *t) { return c->rq_hi <= (int)t->prio; }
noreturn void schedule(void);
void sched_tick(void);
noreturn void idle_loop(void);

#endif
