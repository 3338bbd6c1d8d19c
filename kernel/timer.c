/*
 * The kernel clock (from the TSC, calibrated at boot) and IPC timeouts:
 * a per-CPU list of blocked threads sorted by deadline, checked on every
 * timer tick.
 */
#include "timer.h"
#include "cpu.h"
#include "ipc.h"
#include "kip.h"
#include "kserver.h"
#include "lib.h"
#include "sched.h"

uint64_t clock_ns(void) { return lx4_kip_now_ns(kip); }

void timeout_arm(struct thread *t, uint64_t rel_ns)
{
	struct cpu *c = this_cpu();
	uint64_t now = clock_ns();
	t->deadline = rel_ns > ~0ull - now ? ~0ull : now + rel_ns;
	struct thread **pp = &c->timeouts, *prev = NULL;
	while (*pp && (*pp)->deadline <= t->deadline) {
		prev = *pp;
		pp = &(*pp)->to_next;
	}
	t->to_next = *pp;
	t->to_prev = prev;
	if (*pp)
		(*pp)->to_prev = t;
	*pp = t;
	t->on_timeout = 1;
}

void timeout_cancel(struct thread *t)
{
	if (!t->on_timeout)
		return;
	struct cpu *c = this_cpu();
	if (t->to_prev)
		t->to_prev->to_next = t->to_next;
	else
		c->timeouts = t->to_next;
	if (t->to_next)
		t->to_next->to_prev = t->to_prev;
	t->to_next = t->to_prev = NULL;
	t->on_timeout = 0;
}

void timeout_expire(void)
{
	struct cpu *c = this_cpu();
	uint64_t now = clock_ns();
	while (c->timeouts && c->timeouts->deadline <= now) {
		struct thread *t = c->timeouts;
		ipc_cancel(t, LX4_ETIMEOUT); /* also cancels the timeout */
		sched_wake(c->cur, t);
	}
}

void timer_tick(void)
{
	kip->ticks++;
	timeout_expire();
	sched_tick();
	/* last: the server may stop or destroy the current thread */
	if (CONFIG_MONO)
		kserver_tick();
}
