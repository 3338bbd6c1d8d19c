/*
 * The timers that count CPU time (rusage.h): ITIMER_VIRTUAL (user time:
 * SIGVTALRM), ITIMER_PROF (user and system time: SIGPROF) and RLIMIT_CPU
 * (SIGXCPU at the soft limit and every second after it, SIGKILL at the
 * hard one), as Linux's posix-cpu-timers keep them.  Linux looks at them
 * on every timer tick of the CPU the process runs on; here the server's
 * timer looks at the processes that have one, while there are such: a
 * tick (4 ms) apart at the least, and not before the first could be due
 * (on one CPU a process's CPU time grows no faster than the clock).  So a
 * process that makes no system call gets its signal all the same.
 */
#include "rusage.h"

#include "signal.h"
#include "sys.h"

#define NSEC_PER_SEC 1000000000ull
#define TICK_NSEC    4000000ull /* Debian's HZ=250 */

static struct proc *watched; /* the processes with a timer or a CPU limit */
static uint64_t check_at;    /* when to look at them next (0: never) */

static bool wants(const struct proc *p)
{
	const struct cputimers *c = &p->cputimers;
	return p->state == P_LIVE && (c->expires[0] || c->expires[1] || p->rlim[RLIMIT_CPU].cur != RLIM_INFINITY);
}

static void unlist(struct proc *p)
{
	for (struct proc **pp = &watched; *pp; pp = &(*pp)->cputimers.next) {
		if (*pp == p) {
			*pp = p->cputimers.next;
			break;
		}
	}
	p->cputimers.next = NULL;
	p->cputimers.listed = false;
}

void cputimer_update(struct proc *p)
{
	if (!wants(p)) {
		if (p->cputimers.listed)
			unlist(p);
		return;
	}
	if (!p->cputimers.listed) {
		p->cputimers.next = watched;
		watched = p;
		p->cputimers.listed = true;
	}
	uint64_t at = plat_now_ns() + TICK_NSEC;
	if (!check_at || at < check_at) {
		check_at = at;
		timer_rearm_all();
	}
}

void cputimer_forget(struct proc *p)
{
	if (p->cputimers.listed)
		unlist(p);
	p->cputimers.expires[0] = p->cputimers.expires[1] = 0;
}

uint64_t cputimer_next(void)
{
	return check_at;
}

/* the clock a timer counts: user time (VIRTUAL) or all of it (PROF) */
static uint64_t sample(struct proc *p, int which)
{
	uint64_t user, total;
	rusage_cpu(p, &user, &total);
	return which == 0 ? user : total;
}

/* what is left of an armed timer at CPU time now (a tick if it is due) */
static uint64_t left(uint64_t expires, uint64_t now)
{
	return expires > now ? expires - now : TICK_NSEC;
}

void cputimer_set(struct proc *p, int which, uint64_t value, uint64_t interval, uint64_t *oval, uint64_t *oint)
{
	struct cputimers *c = &p->cputimers;
	uint64_t now = c->expires[which] || value ? sample(p, which) : 0;
	if (oval)
		*oval = c->expires[which] ? left(c->expires[which], now) : 0;
	if (oint)
		*oint = c->incr[which];
	/* as Linux: a tick more, for the one in progress */
	c->expires[which] = value ? now + value + TICK_NSEC : 0;
	c->incr[which] = interval;
	cputimer_update(p);
}

void cputimer_get(struct proc *p, int which, uint64_t *value, uint64_t *interval)
{
	struct cputimers *c = &p->cputimers;
	*value = c->expires[which] ? left(c->expires[which], sample(p, which)) : 0;
	*interval = c->incr[which];
}

/* Linux's check_cpu_itimer: due, it is re-armed one interval on (or
 * goes off) and the process gets sig; *soonest: the least CPU time left
 * to any timer */
static void check_itimer(struct proc *p, int which, uint64_t now, int sig, uint64_t *soonest)
{
	struct cputimers *c = &p->cputimers;
	if (!c->expires[which])
		return;
	if (now >= c->expires[which]) {
		c->expires[which] = c->incr[which] ? c->expires[which] + c->incr[which] : 0;
		signal_send(p, sig, NULL);
	}
	uint64_t l = c->expires[which] > now ? c->expires[which] - now : 0;
	if (c->expires[which] && l < *soonest)
		*soonest = l;
}

static uint64_t secs_ns(uint64_t s)
{
	return s > ~0ull / NSEC_PER_SEC ? ~0ull : s * NSEC_PER_SEC;
}

/* Linux's RLIMIT_CPU check: SIGKILL at the hard limit; SIGXCPU at the
 * soft limit, which then moves a second on (getrlimit shows it) */
static void check_rlimit(struct proc *p, uint64_t now, uint64_t *soonest)
{
	struct linux_rlimit64 *l = &p->rlim[RLIMIT_CPU];
	if (l->cur == RLIM_INFINITY)
		return;
	if (l->max != RLIM_INFINITY && now >= secs_ns(l->max)) {
		signal_send(p, SIGKILL, NULL);
		return;
	}
	uint64_t soft = secs_ns(l->cur);
	if (now >= soft) {
		signal_send(p, SIGXCPU, NULL);
		l->cur++;
		soft = secs_ns(l->cur);
	}
	if (soft > now && soft - now < *soonest)
		*soonest = soft - now;
}

void cputimer_expire(uint64_t now)
{
	if (!check_at || now < check_at)
		return;
	uint64_t soonest = ~0ull;
	struct proc *next;
	for (struct proc *p = watched; p; p = next) {
		next = p->cputimers.next;
		uint64_t user, total;
		rusage_cpu(p, &user, &total);
		check_itimer(p, 0, user, SIGVTALRM, &soonest);
		check_itimer(p, 1, total, SIGPROF, &soonest);
		check_rlimit(p, total, &soonest);
		if (!wants(p))
			unlist(p);
	}
	check_at = watched ? now + (soonest > TICK_NSEC ? soonest : TICK_NSEC) : 0;
}
