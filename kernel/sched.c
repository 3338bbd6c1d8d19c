/*
 * Fixed-priority round-robin scheduling (see sched.h).  Every kernel entry
 * ends in sched_finish(), which picks the thread to leave on: the one the
 * operation chose (a direct IPC switch), or the best ready thread.
 */
#include "sched.h"
#include <arch/cpuarch.h>
#include <arch/mmu.h>
#include "lib.h"
#include "task.h"
#include "timer.h"

static inline void bitmap_set(struct cpu *c, unsigned p) { c->rq_bitmap[p / 64] |= 1ull << (p % 64); }
static inline void bitmap_clear(struct cpu *c, unsigned p) { c->rq_bitmap[p / 64] &= ~(1ull << (p % 64)); }

/* highest ready priority + 1, or 0 when nothing is ready */
static unsigned top_level(struct cpu *c)
{
	for (int w = NPRIO / 64 - 1; w >= 0; w--)
		if (c->rq_bitmap[w])
			return w * 64 + 63 - __builtin_clzll(c->rq_bitmap[w]) + 1;
	return 0;
}

void sched_enqueue(struct thread *t)
{
	struct cpu *c = this_cpu();
	unsigned p = t->prio;
	t->state = LX4_TSTATE_READY;
	t->q_next = NULL;
	t->q_prev = c->rq_tail[p];
	if (c->rq_tail[p])
		c->rq_tail[p]->q_next = t;
	else
		c->rq_head[p] = t;
	c->rq_tail[p] = t;
	bitmap_set(c, p);
	if ((int)p > c->rq_hi)
		c->rq_hi = p;
}

void sched_enqueue_front(struct thread *t)
{
	struct cpu *c = this_cpu();
	unsigned p = t->prio;
	t->state = LX4_TSTATE_READY;
	t->q_prev = NULL;
	t->q_next = c->rq_head[p];
	if (c->rq_head[p])
		c->rq_head[p]->q_prev = t;
	else
		c->rq_tail[p] = t;
	c->rq_head[p] = t;
	bitmap_set(c, p);
	if ((int)p > c->rq_hi)
		c->rq_hi = p;
}

void sched_dequeue(struct thread *t)
{
	struct cpu *c = this_cpu();
	unsigned p = t->prio;
	if (t->q_prev)
		t->q_prev->q_next = t->q_next;
	else
		c->rq_head[p] = t->q_next;
	if (t->q_next)
		t->q_next->q_prev = t->q_prev;
	else
		c->rq_tail[p] = t->q_prev;
	if (!c->rq_head[p]) {
		bitmap_clear(c, p);
		if ((int)p == c->rq_hi)
			c->rq_hi = (int)top_level(c) - 1;
	}
	t->q_next = t->q_prev = NULL;
}

unsigned sched_top_prio(void)
{
	unsigned l = top_level(this_cpu());
	return l ? l - 1 : 0;
}

bool sched_any_ready(void) { return top_level(this_cpu()) != 0; }

struct thread *sched_pick(void)
{
	struct cpu *c = this_cpu();
	unsigned l = top_level(c);
	if (!l)
		return c->idle;
	struct thread *t = c->rq_head[l - 1];
	sched_dequeue(t);
	return t;
}

struct thread *sched_wake(struct thread *cur, struct thread *t)
{
	sched_enqueue(t);
	if (t->prio > cur->prio || cur == this_cpu()->idle)
		this_cpu()->need_resched = true;
	return cur;
}

/* the CPU time of a switch the scheduler makes: the run times, a
 * preemption of prev (it is still ready), the idle time in the KIP */
static void sched_account_switch(struct cpu *c, struct thread *prev, struct thread *next, uint64_t now)
{
	sched_account(prev, next, now);
	struct lx4_kip_cpu *k = cpu_counters(c);
	if (prev == c->idle) {
		k->idle_tsc = prev->run_tsc;
		k->idle_since = 0;
	} else if (prev->state == LX4_TSTATE_READY) {
		prev->preempts++;
	}
	if (next == c->idle)
		k->idle_since = now;
}

void sched_thread_times(struct thread *t, uint64_t *run, uint64_t *kern)
{
	struct cpu *c = this_cpu();
	*run = t->run_tsc;
	*kern = t->kern_tsc;
	if (t == c->cur) { /* it runs (this call): until now */
		uint64_t now = rdtsc();
		*run += now;
		*kern += now - c->entry_tsc;
	}
}

/* the thread to leave the kernel on: want (a direct switch) or NULL
 * (pick); leaves on the idle loop when nothing can run */
struct thread *sched_finish(struct thread *want)
{
	struct cpu *c = this_cpu();
	obj_reap();
	struct thread *next = want;
	if (next && next->state != LX4_TSTATE_RUNNING)
		next = NULL;
	if (next && next != c->idle && !sched_may_run(c, next)) {
		sched_enqueue_front(next);
		next = NULL;
	}
	c->need_resched = false;
	if (!next) {
		next = sched_pick();
		next->state = LX4_TSTATE_RUNNING;
	}
	struct thread *prev = c->cur;
	uint64_t now = rdtsc();
	if (prev != c->idle) /* the slow path's time, from its entry */
		prev->kern_tsc += now - c->entry_tsc;
	if (next != prev) {
		sched_account_switch(c, prev, next, now);
		sched_switch_to(c, next);
	}
	if (c->zombie && c->zombie != c->cur) {
		/* what goes with it (its task, its account) is queued for
		 * the next reap: nothing may happen to next now */
		thread_free(c->zombie);
		c->zombie = NULL;
	}
	if (next == c->idle)
		arch_run_on_stack(c->kstack_top, idle_loop);
	return next;
}

noreturn void schedule(void)
{
	arch_exit_to_user(sched_finish(NULL));
}

/* the current thread gives up the rest of its slice */
struct thread *sched_next(struct thread *cur)
{
	if (cur->state == LX4_TSTATE_RUNNING && cur != this_cpu()->idle)
		sched_enqueue(cur);
	return NULL;
}

void sched_tick(void)
{
	struct cpu *c = this_cpu();
	struct thread *cur = c->cur;
	if (cur == c->idle || cur->state != LX4_TSTATE_RUNNING)
		return; /* (stopped or destroyed in this entry: not to be queued) */
	if (cur->ticks_left > 1) {
		cur->ticks_left--;
		return;
	}
	cur->ticks_left = cur->timeslice;
	/* round robin among equals: go to the back if anyone else waits */
	if (top_level(c) >= (unsigned)cur->prio + 1) {
		sched_enqueue(cur);
		c->need_resched = true;
	}
}

noreturn void idle_loop(void)
{
	struct cpu *c = this_cpu();
	for (;;) {
		if (sched_any_ready()) {
			c->cur = c->idle;
			schedule();
		}
		__asm__ volatile("sti; hlt; cli");
	}
}
