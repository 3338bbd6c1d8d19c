/*
 * Fixed-priority round-robin scheduler.  The running thread is not on the
 * ready queue.  schedule() never returns: it leaves the kernel on the next
 * thread's saved frame (there is one kernel stack per CPU).
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <arch/cpuarch.h>
#include <arch/mmu.h>
#include <arch/switch.h>
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
/* switches the CPU from prev (c->cur, or NULL for the idle thread) to
 * thread t, not the idle thread (address space, TSS, FPU, bases) */
static inline void sched_switch_thread(struct cpu *c, struct thread *prev, struct thread *t)
{
	struct task *prev_space = c->space;
	c->cur = t;
	cpu_counters(c)->context_switches++;
	/* (I/O rights come with the space: mmu.h.  A TF_KMODE thread runs
	 * in whatever space is loaded: it reaches only kernel addresses.) */
	if (prev_space != t->task && !(CONFIG_COLOC && (t->flags & TF_KMODE)))
		mmu_activate_on(c, t->task, t->task->pml4_phys);
	arch_set_kstack(c, (uint64_t)(&t->frame + 1));
	arch_switch_bases(c, prev, t);
	fpu_switch(c, t);
}

/* CPU time: charges prev with its run up to now and starts next's (see
 * struct thread run_tsc) at TSC now; the IPC fast path's direct switch
 * and the scheduler's both call it */
static inline void sched_account(struct thread *prev, struct thread *next, uint64_t now)
{
	prev->run_tsc += now;
	next->run_tsc -= now;
}

/* t's run time and the part of it in the kernel so far (TSC ticks) */
void sched_thread_times(struct thread *t, uint64_t *run, uint64_t *kern);

static inline void sched_switch_to(struct cpu *c, struct thread *t)
{
	if (t != c->idle) {
		sched_switch_thread(c, c->cur == c->idle ? NULL : c->cur, t);
		return;
	}
	arch_sync_bases(c, c->cur); /* the CPU keeps them while idle */
	c->cur = t;
	cpu_counters(c)->context_switches++;
}

/* may t run now without passing over a more urgent ready thread? */
static inline bool sched_may_run(struct cpu *c, struct thread *t) { return c->rq_hi <= (int)t->prio; }
noreturn void schedule(void);
void sched_tick(void);
noreturn void idle_loop(void);

#endif
