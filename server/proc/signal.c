/*
 * Signals (signal.h): generation, the default actions, and delivery at
 * the points Linux has them.  A process's thread is a foreign-ABI lx4
 * thread; to run a handler the server writes the frame into the process's
 * memory and sets the thread's registers and FPU state with the platform
 * (exregs), which also takes the thread out of any wait for a reply.
 *
 *  - a system call returns (signal_syscall_return): the call's result,
 *    or EINTR, or the call made again (SA_RESTART), then the frame;
 *  - a call that waits (SYS_WAIT) is woken by a signal and made again:
 *    it sees the signal and returns EINTR or one of Linux's restart codes
 *    (the dispatch gives ERESTARTSYS or the call's own);
 *  - a fault or exception (signal_fault);
 *  - a thread that runs user code: stopped, framed and restarted by
 *    signal_settle after the event (or at the next one, if the event in
 *    hand still owes it a reply);
 *  - rt_sigreturn, whose restored mask may let a pending one through.
 */
#include "signal_int.h"

int signal_kicks;

void siginfo_from(siginfo_t *i, int sig, int code, int pid)
{
	memset(i, 0, sizeof *i);
	i->si_signo = sig;
	i->si_code = code;
	i->si_pid = pid;
	i->si_uid = 0;
	/* a process's signal carries its real uid (the kernel's none) */
	struct proc *from = pid > 0 ? proc_by_pid(pid) : NULL;
	if (from)
		i->si_uid = from->cred.ruid;
}

/* the default action ignores it (Linux's sig_kernel_ignore) */
bool sig_default_ignored(int sig) { return SIG_DEFAULT_IGNORE & SIGBIT(sig); }

/* would sig be dropped at once (an action that ignores it, and unblocked
 * by thread t, the target: Linux's sig_ignored) */
bool sig_ignored(const struct proc *p, const struct lthread *t, int sig)
{
	uint64_t bit = SIGBIT(sig);
	if (t && ((t->sigmask & bit) || (t->sigwaiting && (t->real_blocked & bit))))
		return false;
	uint64_t h = p->sigact[sig - 1].handler;
	return sig != SIGKILL && (h == SIG_IGN_L || (h == SIG_DFL_L && sig_default_ignored(sig)));
}

static bool fatal_default(const struct proc *p, int sig)
{
	return sig == SIGKILL ||
	       (p->sigact[sig - 1].handler == SIG_DFL_L && !sig_default_ignored(sig) && !(SIG_STOPS & SIGBIT(sig)));
}


/* ---- generation ------------------------------------------------------------------ */

/* t is to act on a signal: signal_settle sees to it after the event */
void sig_kick(struct lthread *t)
{
	if (!t->sig_kick) {
		t->sig_kick = true;
		signal_kicks++;
	}
}


/* ---- sending ------------------------------------------------------------------------- */

/* Linux's wants_signal: t does not block bit */
static bool wants(const struct lthread *t, uint64_t bit) { return !(t->sigmask & bit); }

/* Linux's complete_signal: the thread to act on a signal sent to p, the
 * group leader if it takes it, else the first that does; NULL if all
 * block it */
static struct lthread *target(struct proc *p, uint64_t bit)
{
	if (wants(p->thread, bit))
		return p->thread;
	proc_for_each_thread(p, t) {
		if (wants(t, bit))
			return t;
	}
	return NULL;
}

/* Linux's __send_signal and complete_signal: sig to process p (to NULL)
 * or to its thread to */
static int send(struct proc *p, int sig, const siginfo_t *info, struct lthread *to)
{
	bool to_thread = to != NULL;
	if (p->state != P_LIVE || p->killed || !p->thread)
		return 0;
	struct lthread *t = to ? to : p->thread; /* (whose mask decides whether it is ignored) */
	uint64_t bit = SIGBIT(sig);
	if (bit & SIG_STOPS) {
		signal_flush(p, SIGCONT);
	} else if (sig == SIGCONT) {
		for (int s = SIGSTOP; s <= SIGTTOU; s++)
			signal_flush(p, s);
		if (p->stopped)
			job_cont(p);
	}
	if (sig_ignored(p, t, sig))
		return 0;
	struct sigpending *q = to_thread ? &t->sigpend : &p->sigpend;
	if (sig < SIGRTMIN && (q->set & bit))
		return 0; /* one instance of a standard signal */
	if (sig != SIGKILL) {
		struct sigqueue *e = sigq_len(q) < SIGQUEUE_MAX ? mem_zalloc(sizeof *e) : NULL;
		if (e) {
			siginfo_t k;
			if (!info) {
				siginfo_from(&k, sig, SI_KERNEL, 0);
				info = &k;
			}
			memcpy(e->info, info, KSIGINFO_SIZE);
			memcpy(e->info, &sig, sizeof sig);
			sigq_append(q, e);
		} else if (info && sig >= SIGRTMIN && info->si_code != SI_USER) {
			return -EAGAIN;
		}
	}
	q->set |= bit;
	signalfd_notify(p);
	if (sig == SIGKILL) {
		proc_kill(p, sig);
		return 0;
	}
	t = to_thread ? (wants(to, bit) ? to : NULL) : target(p, bit);
	if (!t)
		return 0; /* pending until unblocked */
	if (p->stopped)
		return 0; /* pending until SIGCONT (Linux's wants_signal) */
	/* (not one an rt_sigtimedwait unblocked to take it: Linux's
	 * complete_signal skips the real_blocked ones) */
	if (fatal_default(p, sig) && !(t->sigwaiting && (t->real_blocked & bit)))
		proc_kill(p, sig); /* the whole process goes, now */
	else
		sig_kick(t);
	return 0;
}

int signal_send(struct proc *p, int sig, const siginfo_t *info) { return send(p, sig, info, NULL); }

int signal_send_thread(struct lthread *t, int sig, const siginfo_t *info) { return send(t->proc, sig, info, t); }

void signal_force(struct lthread *t, int sig, const siginfo_t *info)
{
	struct proc *p = t->proc;
	struct k_sigaction *ka = &p->sigact[sig - 1];
	bool blocked = t->sigmask & SIGBIT(sig);
	if (blocked || ka->handler == SIG_IGN_L) {
		ka->handler = SIG_DFL_L;
		t->sigmask &= ~SIGBIT(sig);
	}
	send(p, sig, info, t);
}

int signal_pgrp(int pgrp, int sig, const siginfo_t *info)
{
	bool any = false;
	proc_for_each(p) {
		if (p->pgid != pgrp)
			continue;
		any = true;
		if (sig)
			signal_send(p, sig, info);
	}
	return any ? 0 : -ESRCH;
}

void signal_child_exit(struct proc *c)
{
	struct proc *parent = c->parent;
	if (!parent || parent->state != P_LIVE || c->exit_signal <= 0 || c->exit_signal > NSIG_LINUX)
		return;
	int st = c->exit_status;
	siginfo_t i;
	siginfo_from(&i, c->exit_signal, (st & 0x7f) ? ((st & 0x80) ? CLD_DUMPED : CLD_KILLED) : CLD_EXITED, c->pid);
	i.si_status = (st & 0x7f) ? st & 0x7f : (st >> 8) & 0xff;
	signal_send(parent, c->exit_signal, &i);
}

/* ---- fork, exec, exit ------------------------------------------------------------ */

void signal_fork(struct proc *child, struct lthread *ct, struct proc *parent, struct lthread *pt)
{
	ct->sigmask = pt->sigmask;
	memcpy(child->sigact, parent->sigact, sizeof child->sigact);
	ct->ss_sp = pt->ss_sp;
	ct->ss_size = pt->ss_size;
	ct->ss_flags = pt->ss_flags;
}

void signal_exec(struct proc *p, struct lthread *t)
{
	for (int s = 0; s < NSIG_LINUX; s++) { /* Linux's flush_signal_handlers */
		struct k_sigaction *ka = &p->sigact[s];
		if (ka->handler != SIG_IGN_L)
			ka->handler = SIG_DFL_L;
		ka->flags = ka->restorer = ka->mask = 0;
	}
	t->ss_sp = t->ss_size = 0;
	t->ss_flags = 2; /* SS_DISABLE */
}

void signal_thread_new(struct lthread *ct, struct lthread *pt)
{
	ct->sigmask = pt->sigmask;
	ct->ss_flags = 2; /* SS_DISABLE: a thread's stack is not its creator's (Linux's sas_ss_reset) */
}

void signal_thread_exit(struct lthread *t)
{
	struct proc *p = t->proc;
	sigq_free(&t->sigpend);
	/* the process's signals it would have taken go to another thread
	 * (Linux's retarget_shared_pending) */
	uint64_t left = p->sigpend.set & ~t->sigmask;
	proc_for_each_thread(p, o) {
		if (!left)
			break;
		if (o != t && (left & ~o->sigmask)) {
			left &= o->sigmask;
			sig_kick(o);
		}
	}
	t->sig_kick = false; /* (signal_settle no longer sees it) */
}

void signal_exit(struct proc *p)
{
	sigq_free(&p->sigpend);
	itimer_set(p, 0, 0);
	pollhead_gone(&p->sigfd_ph); /* (the epoll entries of its signalfds stay, deaf) */
}
