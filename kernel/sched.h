/*
 * Fixed-priority round-robin scheduler.  The running thread is not on the
 * ready queue.  schedule() never returns: it leaves the kernel on the next
 * thread's saved frame (there is one kernel stack per CPU).
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include "cpu.h"
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
/* switches the CPU to t (address space, TSS, FPU, MSRs) */
void sched_switch_to(struct thread *t);
noreturn void schedule(void);
void sched_tick(void);
noreturn void idle_loop(void);

#endif
