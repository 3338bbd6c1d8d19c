/*
 * The signal system calls: actions and masks, sending (kill, tkill,
 * tgkill, rt_sigqueueinfo), waiting (rt_sigsuspend, pause,
 * rt_sigtimedwait), the alternate stack, rt_sigreturn, and the interval
 * timers (alarm, setitimer, getitimer).  Each checks its
 * arguments in Linux's order; signal.c does the rest.
 */
#include "rusage.h"
#include "signal.h"
#include "sys.h"

/* the sa_flags Linux keeps (UAPI_SA_FLAGS): SA_NOCLDSTOP, SA_NOCLDWAIT,
 * SA_SIGINFO, SA_EXPOSE_TAGBITS, SA_RESTORER, SA_ONSTACK, SA_RESTART,
 * SA_NODEFER, SA_RESETHAND */
#define SA_KEPT 0xdc000807ull
#define SIG_KERNEL_ONLY (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))
/* actions that drop a signal at once (Linux's sig_handler_ignored) */
#define SIG_KERNEL_IGNORE (SIGBIT(SIGCHLD) | SIGBIT(SIGCONT) | SIGBIT(SIGURG) | SIGBIT(SIGWINCH))

static bool valid_signal(int64_t sig) { return (uint64_t)sig <= NSIG_LINUX; }

/* rt_sigaction: Linux's order (the size, the new action read, the signal,
 * the new action set, then the old one stored); an action that ignores
 * the signal drops its pending instances */
long sys_rt_sigaction(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	int sig = (int)a->a0;
	struct k_sigaction n, old;
	if (a->a3 != 8)
		return -EINVAL;
	if (a->a1 && copy_from_user(p, &n, a->a1, sizeof n))
		return -EFAULT;
	if (sig < 1 || sig > NSIG_LINUX || (a->a1 && (sig == SIGKILL || sig == SIGSTOP)))
		return -EINVAL;
	old = p->sigact[sig - 1];
	if (a->a1) {
		n.flags &= SA_KEPT;
		n.mask &= ~SIG_KERNEL_ONLY;
		p->sigact[sig - 1] = n;
		if (n.handler == SIG_IGN_L || (n.handler == SIG_DFL_L && (SIG_KERNEL_IGNORE & SIGBIT(sig))))
			signal_flush(p, sig);
	}
	return a->a2 ? copy_to_user(p, a->a2, &old, sizeof old) : 0;
}

/* rt_sigprocmask: the new set is read and applied before the old one is
 * stored, as on Linux; what it unblocks is delivered as the call returns */
long sys_rt_sigprocmask(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	int how = (int)a->a0;
	uint64_t set, old = t->sigmask;
	if (a->a3 != 8)
		return -EINVAL;
	if (a->a1) {
		if (copy_from_user(p, &set, a->a1, 8))
			return -EFAULT;
		if (how == SIG_BLOCK)
			signal_set_mask(t, t->sigmask | set);
		else if (how == SIG_UNBLOCK)
			signal_set_mask(t, t->sigmask & ~set);
		else if (how == SIG_SETMASK)
			signal_set_mask(t, set);
		else
			return -EINVAL;
	}
	return a->a2 ? copy_to_user(p, a->a2, &old, 8) : 0;
}

/* rt_sigpending: the pending signals that are blocked; a size up to 8 */
long sys_rt_sigpending(struct lthread *t, const struct sysargs *a)
{
	if (a->a1 > 8)
		return -EINVAL;
	uint64_t set = signal_pending_set(t) & t->sigmask;
	return copy_to_user(t->proc, a->a0, &set, a->a1) ? -EFAULT : 0;
}

/* rt_sigsuspend: waits under the given mask until a signal's handler runs
 * (the frame saves the old mask; the call returns EINTR) */
long sys_rt_sigsuspend(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	if (t->restore_mask)
		return SYS_WAIT; /* woken for nothing it acts on */
	uint64_t set;
	if (a->a1 != 8)
		return -EINVAL;
	if (copy_from_user(p, &set, a->a0, 8))
		return -EFAULT;
	t->saved_mask = t->sigmask;
	t->restore_mask = true;
	signal_set_mask(t, set);
	return SYS_WAIT;
}

long sys_pause(struct lthread *t, const struct sysargs *a)
{
	(void)t;
	(void)a;
	return SYS_WAIT; /* until a signal (ERESTARTNOHAND: EINTR after its handler) */
}

static void sigwait_end(struct lthread *t)
{
	t->sigwaiting = false;
	signal_set_mask(t, t->real_blocked);
	timer_cancel(t);
	t->wait.deadline = 0;
}

/* the signal rt_sigtimedwait took: its number, its siginfo stored */
static long sigwait_got(struct lthread *t, int sig, const siginfo_t *info, uint64_t uinfo)
{
	if (uinfo && copy_to_user(t->proc, uinfo, info, sizeof *info))
		return -EFAULT; /* (the signal is taken all the same) */
	return sig;
}

/* rt_sigtimedwait: a pending signal of the set, or waits for one with the
 * set unblocked (EAGAIN when the time is up; EINTR when another signal
 * comes and its handler runs) */
long sys_rt_sigtimedwait(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	siginfo_t info;
	int sig;
	if (t->sigwaiting) { /* woken: by a signal of the set, another, or the time */
		sig = signal_dequeue_set(t, t->sigwait_set, &info);
		if (sig) {
			sigwait_end(t);
			return sigwait_got(t, sig, &info, a->a1);
		}
		if (t->wait.deadline && plat_now_ns() >= t->wait.deadline) {
			sigwait_end(t);
			return -EAGAIN;
		}
		if (signal_pending_now(t)) {
			sigwait_end(t);
			return -EINTR;
		}
		if (t->wait.deadline)
			timer_add(t, t->wait.deadline);
		return SYS_WAIT;
	}
	uint64_t set;
	struct __kernel_timespec ts;
	if (a->a3 != 8)
		return -EINVAL;
	if (copy_from_user(p, &set, a->a0, 8))
		return -EFAULT;
	if (a->a2 && copy_from_user(p, &ts, a->a2, sizeof ts))
		return -EFAULT;
	if (a->a2 && (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000))
		return -EINVAL;
	set &= ~SIG_KERNEL_ONLY;
	sig = signal_dequeue_set(t, set, &info);
	if (sig)
		return sigwait_got(t, sig, &info, a->a1);
	if (a->a2 && !ts.tv_sec && !ts.tv_nsec)
		return -EAGAIN;
	if (signal_pending_now(t))
		return -EINTR;
	t->sigwaiting = true;
	t->sigwait_set = set;
	t->real_blocked = t->sigmask;
	signal_set_mask(t, t->sigmask & ~set);
	t->wait.deadline = 0;
	if (a->a2) {
		uint64_t ns = (uint64_t)ts.tv_sec > 18000000000ull ? ~0ull >> 2
								   : (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
		t->wait.deadline = plat_now_ns() + ns;
		timer_add(t, t->wait.deadline);
	}
	return SYS_WAIT;
}

/* ---- sending ------------------------------------------------------------------ */

/* Linux's check_kill_permission: a bad signal is EINVAL, then the sender
 * must be allowed (cred_may_signal, or SIGCONT within its session) */
static int kill_check(struct proc *from, struct proc *to, int64_t sig)
{
	if (!valid_signal(sig))
		return -EINVAL;
	if (cred_may_signal(&from->cred, &to->cred) || (sig == SIGCONT && from->sid == to->sid))
		return 0;
	return -EPERM;
}

/* one target of kill: checked, then sent (a zombie takes any signal and
 * ignores it) */
int kill_one(struct proc *from, struct proc *to, int64_t sig, const siginfo_t *info)
{
	int err = kill_check(from, to, sig);
	if (err || !sig)
		return err;
	return signal_send(to, (int)sig, info);
}

/* kill: Linux's kill_something_info (a nonexistent target is ESRCH before
 * a bad signal is EINVAL, before EPERM) */
long sys_kill(struct lthread *t, const struct sysargs *a)
{
	int pid = (int)a->a0;
	int64_t sig = (int32_t)a->a1;
	siginfo_t info;
	siginfo_from(&info, (int)sig, SI_USER, t->proc->pid);
	if (pid > 0) {
		struct proc *p = proc_by_id(pid);
		return p ? kill_one(t->proc, p, sig, &info) : -ESRCH;
	}
	if (pid == INT32_MIN)
		return -ESRCH;
	if (pid != -1) { /* a process group: 0 if any member took it */
		int pgrp = pid ? -pid : t->proc->pgid, err = -ESRCH;
		bool success = false;
		proc_for_each(p) {
			if (p->pgid != pgrp)
				continue;
			err = kill_one(t->proc, p, sig, &info);
			success |= !err;
		}
		return success ? 0 : err;
	}
	int count = 0, ret = 0; /* -1: everyone but init and the caller; EPERM ignored */
	proc_for_each(p) {
		if (p->pid <= 1 || p == t->proc)
			continue;
		count++;
		int err = kill_one(t->proc, p, sig, &info);
		if (err != -EPERM)
			ret = err;
	}
	return count ? ret : -ESRCH;
}

/* the thread tid (of process tgid if that is positive) in *th, and its
 * process; a zombie (or a group leader that ended before its threads) has
 * no thread: NULL, and the signal is dropped (Linux's do_send_specific on
 * an exiting task) */
static struct proc *specific(int tgid, int tid, struct lthread **th)
{
	*th = thread_by_tid((uint64_t)tid);
	struct proc *p = *th ? (*th)->proc : proc_by_pid(tid);
	if (!p || (tgid > 0 && p->pid != tgid))
		return NULL;
	return p;
}

/* tkill and tgkill: one thread, SI_TKILL */
static long send_specific(struct lthread *t, int tgid, int tid, int64_t sig)
{
	struct lthread *th;
	struct proc *p = specific(tgid, tid, &th);
	if (!p)
		return -ESRCH;
	int err = kill_check(t->proc, p, sig);
	if (err)
		return err;
	if (!sig || !th || p->state != P_LIVE)
		return 0;
	siginfo_t info;
	siginfo_from(&info, (int)sig, SI_TKILL, t->proc->pid);
	return signal_send_thread(th, (int)sig, &info);
}

long sys_tgkill(struct lthread *t, const struct sysargs *a)
{
	if ((int)a->a0 <= 0 || (int)a->a1 <= 0)
		return -EINVAL;
	return send_specific(t, (int)a->a0, (int)a->a1, (int32_t)a->a2);
}

long sys_tkill(struct lthread *t, const struct sysargs *a)
{
	if ((int)a->a0 <= 0)
		return -EINVAL;
	return send_specific(t, 0, (int)a->a0, (int32_t)a->a1);
}

/* the siginfo of rt_sigqueueinfo and rt_tgsigqueueinfo: only a process's
 * own may claim to come from the kernel or kill/tkill */
static int queued_info(struct lthread *t, uint64_t uinfo, int sig, int target, siginfo_t *info)
{
	if (copy_from_user(t->proc, info, uinfo, sizeof *info))
		return -EFAULT;
	memset((char *)info + KSIGINFO_SIZE, 0, sizeof *info - KSIGINFO_SIZE);
	info->si_signo = sig;
	if ((info->si_code >= 0 || info->si_code == SI_TKILL) && target != t->tid)
		return -EPERM;
	return 0;
}

long sys_rt_sigqueueinfo(struct lthread *t, const struct sysargs *a)
{
	int pid = (int)a->a0;
	int64_t sig = (int32_t)a->a1;
	siginfo_t info;
	int err = queued_info(t, a->a2, (int)sig, pid, &info);
	if (err)
		return err;
	struct proc *p = pid > 0 ? proc_by_id(pid) : NULL;
	return p ? kill_one(t->proc, p, sig, &info) : -ESRCH;
}

long sys_rt_tgsigqueueinfo(struct lthread *t, const struct sysargs *a)
{
	int tgid = (int)a->a0, tid = (int)a->a1;
	int64_t sig = (int32_t)a->a2;
	siginfo_t info;
	if (tgid <= 0 || tid <= 0)
		return -EINVAL;
	int err = queued_info(t, a->a3, (int)sig, tid, &info);
	if (err)
		return err;
	struct lthread *th;
	struct proc *p = specific(tgid, tid, &th);
	if (!p)
		return -ESRCH;
	err = kill_check(t->proc, p, sig);
	if (err)
		return err;
	return sig && th && p->state == P_LIVE ? signal_send_thread(th, (int)sig, &info) : 0;
}

/* ---- the alternate stack, the return from a handler ----------------------------- */

#define SS_ONSTACK_L 1
#define SS_DISABLE_L 2
#define SS_AUTODISARM_L (1u << 31)

struct lstack_t {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

static bool on_altstack(const struct lthread *t, uint64_t sp)
{
	if (t->ss_flags & SS_AUTODISARM_L)
		return false;
	return sp > t->ss_sp && sp - t->ss_sp <= t->ss_size;
}

/* sigaltstack: Linux's do_sigaltstack, at the stack pointer of the call */
long sys_sigaltstack(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	struct lstack_t n, old = {0};
	uint64_t sp = t->args.rsp;
	if (a->a0 && copy_from_user(p, &n, a->a0, sizeof n))
		return -EFAULT;
	old.ss_sp = t->ss_sp;
	old.ss_size = t->ss_size;
	old.ss_flags = (int32_t)((!t->ss_size ? SS_DISABLE_L : on_altstack(t, sp) ? SS_ONSTACK_L : 0) |
				 (t->ss_flags & SS_AUTODISARM_L));
	if (a->a0) {
		uint32_t flags = (uint32_t)n.ss_flags, mode = flags & ~SS_AUTODISARM_L;
		if (on_altstack(t, sp))
			return -EPERM;
		if (mode != SS_DISABLE_L && mode != SS_ONSTACK_L && mode != 0)
			return -EINVAL;
		if (mode == SS_DISABLE_L) {
			n.ss_size = 0;
			n.ss_sp = 0;
		} else if (n.ss_size < MINSIGSTKSZ) {
			return -ENOMEM;
		}
		t->ss_sp = n.ss_sp;
		t->ss_size = n.ss_size;
		t->ss_flags = flags;
	}
	return a->a1 && copy_to_user(p, a->a1, &old, sizeof old) ? -EFAULT : 0;
}

long sys_rt_sigreturn(struct lthread *t, const struct sysargs *a)
{
	(void)a;
	return signal_sigreturn(t);
}

/* ---- interval timers: alarm, setitimer, getitimer (ITIMER_REAL here; the
 * CPU-time ones in cputimer.c) --------------------------------------------------------- */

#define ITIMER_REAL_L 0
#define ITIMER_VIRTUAL_L 1
#define ITIMER_PROF_L 2

struct litimerval {
	struct linux_timeval interval, value;
};

static uint64_t tv_ns(const struct linux_timeval *tv)
{
	return (uint64_t)tv->tv_sec > 18000000000ull ? ~0ull >> 2
						     : (uint64_t)tv->tv_sec * 1000000000ull + (uint64_t)tv->tv_usec * 1000;
}

static struct linux_timeval ns_tv(uint64_t ns)
{
	return (struct linux_timeval){(int64_t)(ns / 1000000000ull), (int64_t)(ns % 1000000000ull / 1000)};
}

/* what is left of p's timer (at least 1 us while it is armed) */
static uint64_t itimer_left(struct proc *p)
{
	if (!p->itimer_deadline)
		return 0;
	uint64_t now = plat_now_ns();
	return p->itimer_deadline > now + 1000 ? p->itimer_deadline - now : 1000;
}

long sys_alarm(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	uint64_t left = itimer_left(p), secs = (uint32_t)a->a0;
	itimer_set(p, secs ? plat_now_ns() + secs * 1000000000ull : 0, 0);
	/* never 0 for an alarm still to come; rounded to the nearest second */
	uint64_t s = left / 1000000000ull, ns = left % 1000000000ull;
	return (long)((!s && ns) || ns >= 500000000ull ? s + 1 : s);
}

long sys_setitimer(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	struct litimerval n = {0}, old;
	if (a->a1 && copy_from_user(p, &n, a->a1, sizeof n))
		return -EFAULT;
	if (n.value.tv_sec < 0 || n.value.tv_usec < 0 || n.value.tv_usec >= 1000000 || n.interval.tv_sec < 0 ||
	    n.interval.tv_usec < 0 || n.interval.tv_usec >= 1000000)
		return -EINVAL;
	uint64_t v = tv_ns(&n.value);
	if (a->a0 == ITIMER_VIRTUAL_L || a->a0 == ITIMER_PROF_L) { /* CPU time (cputimer.c) */
		uint64_t ov, oi;
		cputimer_set(p, (int)a->a0 - ITIMER_VIRTUAL_L, v, tv_ns(&n.interval), &ov, &oi);
		old.value = ns_tv(ov);
		old.interval = ns_tv(oi);
	} else if (a->a0 == ITIMER_REAL_L) {
		old.value = ns_tv(itimer_left(p));
		old.interval = ns_tv(p->itimer_interval);
		itimer_set(p, v ? plat_now_ns() + v : 0, tv_ns(&n.interval));
	} else {
		return -EINVAL;
	}
	return a->a2 && copy_to_user(p, a->a2, &old, sizeof old) ? -EFAULT : 0;
}

long sys_getitimer(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	struct litimerval v;
	if (a->a0 == ITIMER_VIRTUAL_L || a->a0 == ITIMER_PROF_L) {
		uint64_t value, interval;
		cputimer_get(p, (int)a->a0 - ITIMER_VIRTUAL_L, &value, &interval);
		v = (struct litimerval){ns_tv(interval), ns_tv(value)};
	} else if (a->a0 == ITIMER_REAL_L) {
		v = (struct litimerval){ns_tv(p->itimer_interval), ns_tv(itimer_left(p))};
	} else {
		return -EINVAL;
	}
	return copy_to_user(p, a->a1, &v, sizeof v) ? -EFAULT : 0;
}
