/* CPU time and resource use (see rusage.h); getrusage and times. */
#include "rusage.h"

#include "sys.h"

#include <linux/times.h>

#define NSEC_PER_SEC 1000000000ull
#define USER_HZ      100
#define TICK_NSEC    4000000ull /* Debian's HZ=250: the resolution of the sampled CPU clocks */

struct lthread *charge_to;

/* the user time of every thread that ended (/proc/stat's user) */
static uint64_t gone_user_ns;

struct lthread *charge_switch(struct lthread *t)
{
	struct lthread *outer = charge_to;
	if (outer == t)
		return outer;
	uint64_t now = plat_cycles();
	if (outer)
		outer->acct.stime_cyc += now;
	if (t)
		t->acct.stime_cyc -= now;
	charge_to = t;
	return outer;
}

/* the server's handling time of t so far (one of its events may be in hand) */
static uint64_t server_ns(const struct lthread *t)
{
	uint64_t c = t->acct.stime_cyc;
	if (t == charge_to)
		c += plat_cycles();
	return plat_cycles_ns(c);
}

void rusage_thread(struct lthread *t, struct rusage_sum *r)
{
	struct plat_cputime k = {0, 0, 0};
	plat_thread_times(&t->plat, &k); /* (a thread not yet made has none) */
	*r = (struct rusage_sum){
	    .utime_ns = k.user_ns,
	    .stime_ns = k.sys_ns + server_ns(t),
	    .minflt = t->acct.minflt,
	    .nvcsw = t->acct.nvcsw,
	    .nivcsw = k.preempts,
	};
}

static void add(struct rusage_sum *d, const struct rusage_sum *s)
{
	d->utime_ns += s->utime_ns;
	d->stime_ns += s->stime_ns;
	d->minflt += s->minflt;
	d->nvcsw += s->nvcsw;
	d->nivcsw += s->nivcsw;
	if (s->maxrss > d->maxrss)
		d->maxrss = s->maxrss;
}

/* the peak of p's address space now, and of those it had before */
static uint64_t maxrss(struct proc *p)
{
	uint64_t m = p->ru_gone.maxrss;
	if (p->mm && p->mm->hiwater > m)
		m = p->mm->hiwater;
	return m;
}

void rusage_self(struct proc *p, struct rusage_sum *r)
{
	*r = p->ru_gone;
	proc_for_each_thread(p, th) {
		struct rusage_sum t;
		rusage_thread(th, &t);
		add(r, &t);
	}
	r->maxrss = maxrss(p);
}

void rusage_both(struct proc *p, struct rusage_sum *r)
{
	rusage_self(p, r);
	add(r, &p->ru_children);
}

void rusage_cpu(struct proc *p, uint64_t *user_ns, uint64_t *total_ns)
{
	struct rusage_sum r;
	rusage_self(p, &r);
	*user_ns = r.utime_ns;
	*total_ns = r.utime_ns + r.stime_ns;
}

void rusage_thread_exit(struct lthread *t)
{
	struct proc *p = t->proc;
	struct rusage_sum r;
	rusage_thread(t, &r);
	r.maxrss = 0;
	add(&p->ru_gone, &r);
	gone_user_ns += r.utime_ns;
	rusage_mm_gone(p);
	cputimer_forget(p);
}

void rusage_exit_work(struct proc *p, uint64_t start)
{
	p->ru_gone.stime_ns += plat_cycles_ns(plat_cycles() - start);
}

void rusage_mm_gone(struct proc *p)
{
	p->ru_gone.maxrss = maxrss(p);
}

void rusage_reap(struct proc *parent, struct proc *c)
{
	struct rusage_sum r;
	rusage_both(c, &r);
	add(&parent->ru_children, &r);
}

int rusage_copyout(struct proc *p, uint64_t uaddr, const struct rusage_sum *r)
{
	struct rusage ru;
	memset(&ru, 0, sizeof ru);
	ru.ru_utime.tv_sec = (long)(r->utime_ns / NSEC_PER_SEC);
	ru.ru_utime.tv_usec = (long)(r->utime_ns % NSEC_PER_SEC / 1000);
	ru.ru_stime.tv_sec = (long)(r->stime_ns / NSEC_PER_SEC);
	ru.ru_stime.tv_usec = (long)(r->stime_ns % NSEC_PER_SEC / 1000);
	ru.ru_maxrss = (long)(r->maxrss * 4); /* KiB */
	ru.ru_minflt = (long)r->minflt;
	ru.ru_nvcsw = (long)r->nvcsw;
	ru.ru_nivcsw = (long)r->nivcsw;
	/* majflt: nothing is read from a disk; inblock, oublock: no block
	 * device (Linux's tmpfs counts none either); the rest Linux leaves 0 */
	return copy_to_user(p, uaddr, &ru, sizeof ru) ? -EFAULT : 0;
}

void rusage_system(uint64_t *user_ns, uint64_t *sys_ns, uint64_t *idle_ns)
{
	uint64_t now = plat_now_ns(), idle = plat_idle_ns(), user = gone_user_ns;
	thread_for_each(t) {
		struct plat_cputime k;
		if (!plat_thread_times(&t->plat, &k))
			user += k.user_ns;
	}
	if (idle > now)
		idle = now;
	if (user > now - idle)
		user = now - idle;
	*user_ns = user;
	*idle_ns = idle;
	*sys_ns = now - idle - user;
}

/* ---- the CPU clocks ---------------------------------------------------------------
 * Linux's encoding (posix-timers.h): a clock made from a pid is
 * (~pid << 3) | (thread ? 4 : 0) | which, which PROF (user + system), VIRT
 * (user) or SCHED (the precise run time: here the same as PROF); pid 0 is
 * the caller.  (id & 7) == 3 names a clock by a file descriptor (a PTP
 * device): there is none. */
#define CPUCLOCK_PROF      0
#define CPUCLOCK_VIRT      1
#define CPUCLOCK_SCHED     2
#define CPUCLOCK_PERTHREAD 4

int cpuclock_get(struct lthread *t, int id, uint64_t *ns, uint64_t *res)
{
	if (id == CLOCK_PROCESS_CPUTIME_ID) /* the caller's: pid 0 */
		id = -8 | CPUCLOCK_SCHED;
	else if (id == CLOCK_THREAD_CPUTIME_ID)
		id = -8 | CPUCLOCK_PERTHREAD | CPUCLOCK_SCHED;
	unsigned which = (unsigned)id & 3;
	int pid = ~(id >> 3);
	if (id >= 0 || which > CPUCLOCK_SCHED)
		return -EINVAL;
	struct rusage_sum r;
	if (id & CPUCLOCK_PERTHREAD) {
		/* a thread of the caller's own process */
		struct lthread *o = pid ? thread_by_tid((uint64_t)pid) : t;
		if (!o || o->proc != t->proc)
			return -EINVAL;
		rusage_thread(o, &r);
	} else {
		struct proc *p = pid ? proc_by_pid(pid) : t->proc;
		if (!p)
			return -EINVAL; /* (a zombie has its final figures) */
		rusage_self(p, &r);
	}
	*ns = which == CPUCLOCK_VIRT ? r.utime_ns : r.utime_ns + r.stime_ns;
	*res = which == CPUCLOCK_SCHED ? 1 : TICK_NSEC;
	return 0;
}

/* ---- getrusage, times ------------------------------------------------------------- */

long sys_getrusage(struct lthread *t, const struct sysargs *a)
{
	struct rusage_sum r;
	switch ((int)a->a0) {
	case RUSAGE_SELF: rusage_self(t->proc, &r); break;
	case RUSAGE_CHILDREN: r = t->proc->ru_children; break;
	case RUSAGE_THREAD:
		rusage_thread(t, &r);
		r.maxrss = maxrss(t->proc);
		break;
	default: return -EINVAL;
	}
	return rusage_copyout(t->proc, a->a1, &r);
}

static long clock_t_of(uint64_t ns)
{
	return (long)(ns / (NSEC_PER_SEC / USER_HZ));
}

/* times: the caller's and its reaped children's CPU time in clock ticks
 * (USER_HZ); returns the ticks since boot */
long sys_times(struct lthread *t, const struct sysargs *a)
{
	if (a->a0) {
		struct rusage_sum r;
		rusage_self(t->proc, &r);
		const struct rusage_sum *c = &t->proc->ru_children;
		struct tms tms = {clock_t_of(r.utime_ns), clock_t_of(r.stime_ns), clock_t_of(c->utime_ns),
				  clock_t_of(c->stime_ns)};
		if (copy_to_user(t->proc, a->a0, &tms, sizeof tms))
			return -EFAULT;
	}
	return clock_t_of(plat_now_ns());
}
