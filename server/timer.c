/*
 * The server's timers: the calls that wait with a deadline (a list sorted
 * by it), the interval timers, the CPU timers and timerfds; one platform
 * timer is armed for the earliest of them, and srv_timer makes the calls
 * whose deadline passed again.
 */
#include "syscall.h"

#include "platform.h"
#include "rusage.h"
#include "signal.h"

static struct lthread *timers; /* sorted by deadline */

static bool soon; /* timer_soon: an event at once */

/* the next deadline: of a waiting call, an interval timer, or now */
static void timer_rearm(void)
{
	uint64_t d = timers ? timers->wait.deadline : 0, it = itimer_next(), ct = cputimer_next(), tf = timerfd_next();
	if (it && (!d || it < d))
		d = it;
	if (tf && (!d || tf < d))
		d = tf;
	if (ct && (!d || ct < d))
		d = ct;
	plat_timer(soon ? 1 : d);
}

void timer_rearm_all(void) { timer_rearm(); }

void timer_soon(void)
{
	soon = true;
	timer_rearm();
}

void timer_add(struct lthread *t, uint64_t deadline)
{
	timer_cancel(t);
	t->wait.deadline = deadline;
	struct lthread **pp = &timers;
	while (*pp && (*pp)->wait.deadline <= deadline)
		pp = &(*pp)->timer_next;
	t->timer_next = *pp;
	*pp = t;
	timer_rearm();
}

void timer_wall_set(uint64_t wall_now, uint64_t now)
{
	struct lthread *moved = NULL;
	for (struct lthread **pp = &timers; *pp;) {
		struct lthread *t = *pp;
		if (!t->wait.wall) {
			pp = &t->timer_next;
			continue;
		}
		*pp = t->timer_next;
		t->timer_next = moved;
		moved = t;
	}
	while (moved) {
		struct lthread *t = moved;
		moved = t->timer_next;
		t->timer_next = NULL;
		timer_add(t, t->wait.wall > wall_now ? now + (t->wait.wall - wall_now) : now);
	}
}

void timer_cancel(struct lthread *t)
{
	for (struct lthread **pp = &timers; *pp; pp = &(*pp)->timer_next) {
		if (*pp == t) {
			*pp = t->timer_next;
			t->timer_next = NULL;
			timer_rearm(); /* (only when one went: every wake-up cancels) */
			return;
		}
	}
}

void srv_timer(void)
{
	if (__builtin_expect(proc_graves != 0, 0))
		proc_bury(); /* (nothing holds them between events) */
	uint64_t now = plat_now_ns();
	soon = false;
	while (timers && timers->wait.deadline <= now) {
		struct lthread *t = timers;
		timers = t->timer_next;
		t->timer_next = NULL;
		waitq_remove(t); /* a timed wait is over either way */
		syscall_retry(t);
	}
	itimer_expire(now);
	cputimer_expire(now);
	timerfd_expire(now);
	timer_rearm();
	event_settle();
}

