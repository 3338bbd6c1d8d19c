/*
 * Scheduling attributes a process keeps and its children inherit: the
 * nice value (getpriority, setpriority), the I/O priority (ioprio_get,
 * ioprio_set) and the CPUs it may run on (sched_getaffinity,
 * sched_setaffinity).  lx4 runs Linux processes on one CPU under its own
 * scheduler: the values are kept and shown (/proc/PID/stat, ps, ionice)
 * as Linux keeps them, and do not yet weigh in lx4's scheduling.
 *
 * Permissions (kernel/sys.c, block/ioprio.c, kernel/sched): another
 * process's values are for a caller whose effective uid is its real or
 * effective uid, or with CAP_SYS_NICE (EPERM); a lower nice value (more
 * priority) than a process has, beyond RLIMIT_NICE, and the real-time I/O
 * class need CAP_SYS_NICE too (EACCES, EPERM).
 */
#include "sys.h"

#define PRIO_PROCESS 0
#define PRIO_PGRP    1
#define PRIO_USER    2

#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_WHO_PGRP    2
#define IOPRIO_WHO_USER    3
#define IOPRIO_CLASS_NONE  0
#define IOPRIO_CLASS_RT    1
#define IOPRIO_CLASS_BE    2
#define IOPRIO_CLASS_IDLE  3

/* q is a process (kind, who) names: 0 a process (who 0: the caller), 1
 * a process group (0: the caller's), 2 a user's processes (by real uid;
 * 0: the caller's) */
static bool named(const struct proc *self, const struct proc *q, int kind, int who)
{
	if (kind == 0)
		return q == (who ? proc_by_pid(who) : self);
	if (kind == 1)
		return q->pgid == (who ? who : self->pgid);
	return q->cred.ruid == (who ? (uint32_t)who : self->cred.ruid);
}

/* calls fn(self, q, arg) for each process (live or not yet reaped, as
 * Linux's task lists have them) that (kind, who) names; returns -ESRCH if
 * none, else the last failure of fn or 0 */
static long each_named(struct proc *self, int kind, int who, long (*fn)(struct proc *, struct proc *, long), long arg)
{
	long err = -ESRCH;
	if (kind == 0) {
		struct proc *q = who ? proc_by_pid(who) : self;
		return q ? fn(self, q, arg) : -ESRCH;
	}
	proc_for_each(q) {
		if (!named(self, q, kind, who))
			continue;
		long r = fn(self, q, arg);
		if (err == -ESRCH || r)
			err = r;
	}
	return err;
}

/* set_one_prio_perm: self may change q's priorities */
static bool may_set(const struct proc *self, const struct proc *q)
{
	const struct cred *c = &self->cred;
	return q->cred.ruid == c->euid || q->cred.euid == c->euid || cred_capable(c, CAP_SYS_NICE);
}

/* ---- nice values ------------------------------------------------------------------ */

static long set_nice(struct proc *self, struct proc *q, long nice)
{
	if (!may_set(self, q))
		return -EPERM;
	/* can_nice: a lower value only within RLIMIT_NICE (20 - nice) */
	if (nice < q->traits.nice && (uint64_t)(20 - nice) > q->rlim[RLIMIT_NICE].cur &&
	    !cred_capable(&self->cred, CAP_SYS_NICE))
		return -EACCES;
	q->traits.nice = (int)nice;
	return 0;
}

/* getpriority's figure: 20 - nice (1 to 40, so that no value is an
 * error), the highest of the processes named */
static long best_prio(struct proc *q, long best)
{
	long v = 20 - q->traits.nice;
	return v > best ? v : best;
}

static bool prio_which_ok(int which)
{
	return which >= PRIO_PROCESS && which <= PRIO_USER;
}

long sys_setpriority(struct lthread *t, const struct sysargs *a)
{
	int which = (int)a->a0, who = (int)a->a1, nice = (int)a->a2;
	if (!prio_which_ok(which))
		return -EINVAL;
	nice = nice < -20 ? -20 : nice > 19 ? 19 : nice;
	return each_named(t->proc, which, who, set_nice, nice);
}

long sys_getpriority(struct lthread *t, const struct sysargs *a)
{
	int which = (int)a->a0, who = (int)a->a1;
	if (!prio_which_ok(which))
		return -EINVAL;
	long best = 0;
	struct proc *self = t->proc;
	if (which == PRIO_PROCESS) {
		struct proc *q = who ? proc_by_pid(who) : self;
		return q ? best_prio(q, 0) : -ESRCH;
	}
	proc_for_each(q) {
		if (named(self, q, which, who))
			best = best_prio(q, best);
	}
	return best ? best : -ESRCH;
}

/* ---- I/O priorities --------------------------------------------------------------- */

/* Linux's ioprio_check_cap: a class and its level (the low three bits
 * of the data: 6.1 takes what lies above them as it is) */
static long ioprio_check(const struct cred *c, unsigned prio)
{
	unsigned class = (prio >> 13) & 7, level = prio & 7;
	switch (class) {
	case IOPRIO_CLASS_RT: return cred_capable(c, CAP_SYS_NICE) || cred_capable(c, CAP_SYS_ADMIN) ? 0 : -EPERM;
	case IOPRIO_CLASS_BE:
	case IOPRIO_CLASS_IDLE: return 0;
	case IOPRIO_CLASS_NONE: return level ? -EINVAL : 0;
	default: return -EINVAL;
	}
}

/* set_task_ioprio: another's only if it is the caller's user */
static long set_ioprio(struct proc *self, struct proc *q, long prio)
{
	const struct cred *c = &self->cred;
	if (q->cred.ruid != c->euid && q->cred.ruid != c->ruid && !cred_capable(c, CAP_SYS_NICE))
		return -EPERM;
	q->traits.ioprio = (uint16_t)prio;
	return 0;
}

long sys_ioprio_set(struct lthread *t, const struct sysargs *a)
{
	int which = (int)a->a0, who = (int)a->a1;
	unsigned prio = (unsigned)a->a2;
	long err = ioprio_check(&t->proc->cred, prio);
	if (err)
		return err;
	if (which < IOPRIO_WHO_PROCESS || which > IOPRIO_WHO_USER)
		return -EINVAL;
	return each_named(t->proc, which - IOPRIO_WHO_PROCESS, who, set_ioprio, prio);
}

/* the better of two priorities (Linux's ioprio_best: one of class none
 * counts as none, the lower value wins) */
static long best_ioprio(struct proc *q, long best)
{
	long v = q->traits.ioprio;
	return best < 0 || v < best ? v : best;
}

long sys_ioprio_get(struct lthread *t, const struct sysargs *a)
{
	int which = (int)a->a0, who = (int)a->a1;
	if (which < IOPRIO_WHO_PROCESS || which > IOPRIO_WHO_USER)
		return -EINVAL;
	struct proc *self = t->proc;
	if (which == IOPRIO_WHO_PROCESS) {
		struct proc *q = who ? proc_by_pid(who) : self;
		return q ? q->traits.ioprio : -ESRCH;
	}
	long best = -1;
	proc_for_each(q) {
		if (named(self, q, which - IOPRIO_WHO_PROCESS, who))
			best = best_ioprio(q, best);
	}
	return best < 0 ? -ESRCH : best;
}

/* ---- CPUs ------------------------------------------------------------------------- */

/* the CPUs the server's processes run on: one (Linux's cpumask_size() is
 * then one long) */
#define NR_CPUS_LINUX 1
#define CPUMASK_BYTES 8

/* a process that pid names for the affinity calls (0: the caller) */
static struct proc *affinity_target(struct lthread *t, int pid)
{
	return pid ? proc_by_id(pid) : t->proc;
}

long sys_sched_getaffinity(struct lthread *t, const struct sysargs *a)
{
	uint64_t len = (uint32_t)a->a1;
	if (len * 8 < NR_CPUS_LINUX || (len & 7))
		return -EINVAL;
	if (!affinity_target(t, (int)a->a0))
		return -ESRCH;
	uint64_t mask = (1ull << NR_CPUS_LINUX) - 1;
	int err = copy_to_user(t->proc, a->a2, &mask, CPUMASK_BYTES);
	return err ? err : CPUMASK_BYTES;
}

/* a new mask must name a CPU there is; it is always the one CPU then,
 * which is what sched_getaffinity shows (as Linux's cpus_mask & active) */
long sys_sched_setaffinity(struct lthread *t, const struct sysargs *a)
{
	uint64_t len = (uint32_t)a->a1, mask = 0;
	if (copy_from_user(t->proc, &mask, a->a2, len < CPUMASK_BYTES ? len : CPUMASK_BYTES))
		return -EFAULT;
	struct proc *q = affinity_target(t, (int)a->a0);
	if (!q)
		return -ESRCH;
	/* check_same_owner, or CAP_SYS_NICE */
	const struct cred *c = &t->proc->cred;
	if (c->euid != q->cred.euid && c->euid != q->cred.ruid && !cred_capable(c, CAP_SYS_NICE))
		return -EPERM;
	return mask & ((1ull << NR_CPUS_LINUX) - 1) ? 0 : -EINVAL;
}
