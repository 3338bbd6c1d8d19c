/*
 * ITIMER_REAL and alarm: SIGALRM when the wall of a process's real
 * timer passes.
 */
#include "signal_int.h"

/* ---- ITIMER_REAL ---------------------------------------------------------------- */

static struct proc *itimers; /* armed, sorted by deadline */

void itimer_set(struct proc *p, uint64_t deadline, uint64_t interval)
{
	for (struct proc **pp = &itimers; *pp; pp = &(*pp)->itimer_next) {
		if (*pp == p) {
			*pp = p->itimer_next;
			break;
		}
	}
	p->itimer_next = NULL;
	p->itimer_deadline = deadline;
	p->itimer_interval = interval;
	if (deadline) {
		struct proc **pp = &itimers;
		while (*pp && (*pp)->itimer_deadline <= deadline)
			pp = &(*pp)->itimer_next;
		p->itimer_next = *pp;
		*pp = p;
	}
	timer_rearm_all();
}

uint64_t itimer_next(void) { return itimers ? itimers->itimer_deadline : 0; }

void itimer_expire(uint64_t now)
{
	while (itimers && itimers->itimer_deadline <= now) {
		struct proc *p = itimers;
		uint64_t next = 0;
		if (p->itimer_interval) { /* the next period after now, as hrtimer_forward */
			next = p->itimer_deadline + p->itimer_interval;
			if (next <= now)
				next += (now - next) / p->itimer_interval * p->itimer_interval + p->itimer_interval;
		}
		itimer_set(p, next, p->itimer_interval);
		signal_send(p, SIGALRM, NULL);
	}
}

int signal_queued(struct proc *p, int *limit)
{
	int n = 0;
	for (struct sigqueue *q = p->sigpend.head; q; q = q->next)
		n++;
	proc_for_each_thread(p, t) {
		for (struct sigqueue *q = t->sigpend.head; q; q = q->next)
			n++;
	}
	*limit = SIGQUEUE_MAX;
	return n;
}
