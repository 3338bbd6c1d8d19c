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
#include "signal.h"

#include "sys.h"

struct sigqueue {
	struct sigqueue *next;
	uint8_t info[KSIGINFO_SIZE];
};

/* queued siginfo per process (and per thread) at most; beyond it a
 * real-time signal from sigqueue is refused (EAGAIN) and others lose
 * their siginfo, as past Linux's RLIMIT_SIGPENDING */
#define SIGQUEUE_MAX 1024

#define SIG_KERNEL_ONLY (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))
#define SIG_SYNCHRONOUS \
	(SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) | SIGBIT(SIGILL) | SIGBIT(SIGTRAP) | SIGBIT(SIGFPE) | SIGBIT(SIGSYS))
#define SIG_STOPS (SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU))
#define SIG_DEFAULT_IGNORE (SIGBIT(SIGCHLD) | SIGBIT(SIGCONT) | SIGBIT(SIGURG) | SIGBIT(SIGWINCH))

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
static bool default_ignored(int sig) { return SIG_DEFAULT_IGNORE & SIGBIT(sig); }

/* would sig be dropped at once (an action that ignores it, and unblocked) */
static bool ignored(const struct proc *p, const struct lthread *t, int sig)
{
	uint64_t bit = SIGBIT(sig);
	if ((p->sigmask & bit) || (t && t->sigwaiting && (t->real_blocked & bit)))
		return false;
	uint64_t h = p->sigact[sig - 1].handler;
	return sig != SIGKILL && (h == SIG_IGN_L || (h == SIG_DFL_L && default_ignored(sig)));
}

static bool fatal_default(const struct proc *p, int sig)
{
	return sig == SIGKILL ||
	       (p->sigact[sig - 1].handler == SIG_DFL_L && !default_ignored(sig) && !(SIG_STOPS & SIGBIT(sig)));
}

/* ---- pending sets and queues ------------------------------------------------ */

static unsigned queue_len(const struct sigpending *q)
{
	unsigned n = 0;
	for (const struct sigqueue *e = q->head; e; e = e->next)
		n++;
	return n;
}

static void queue_append(struct sigpending *q, struct sigqueue *e)
{
	struct sigqueue **pp = &q->head;
	while (*pp)
		pp = &(*pp)->next;
	*pp = e;
}

static int entry_sig(const struct sigqueue *e);

/* removes sig's instances from q */
static void queue_flush(struct sigpending *q, int sig)
{
	for (struct sigqueue **pp = &q->head; *pp;) {
		struct sigqueue *e = *pp;
		if (entry_sig(e) == sig) {
			*pp = e->next;
			mem_free(e);
		} else {
			pp = &e->next;
		}
	}
	q->set &= ~SIGBIT(sig);
}

static void queue_free(struct sigpending *q)
{
	while (q->head) {
		struct sigqueue *e = q->head;
		q->head = e->next;
		mem_free(e);
	}
	q->set = 0;
}

static int entry_sig(const struct sigqueue *e)
{
	int s;
	memcpy(&s, e->info, sizeof s);
	return s;
}

/* takes sig's first instance off q into info */
static void collect(struct sigpending *q, int sig, siginfo_t *info)
{
	struct sigqueue *found = NULL;
	for (struct sigqueue **pp = &q->head; *pp; pp = &(*pp)->next) {
		if (entry_sig(*pp) == sig) {
			found = *pp;
			*pp = found->next;
			break;
		}
	}
	bool more = false;
	for (struct sigqueue *e = q->head; e && !more; e = e->next)
		more = entry_sig(e) == sig;
	if (!more)
		q->set &= ~SIGBIT(sig);
	memset(info, 0, sizeof *info);
	if (found) {
		memcpy(info, found->info, KSIGINFO_SIZE);
		mem_free(found);
	} else { /* it lost its siginfo (a full queue): Linux's zeroes */
		info->si_signo = sig;
		info->si_code = SI_USER;
	}
}

/* Linux's next_signal: the synchronous ones (faults) first, then the
 * lowest number */
static int next_signal(uint64_t pending, uint64_t mask)
{
	uint64_t x = pending & ~mask;
	if (!x)
		return 0;
	if (x & SIG_SYNCHRONOUS)
		x &= SIG_SYNCHRONOUS;
	return __builtin_ctzll(x) + 1;
}

/* the next signal not in mask, the thread's own before the process's */
static int dequeue(struct lthread *t, uint64_t mask, siginfo_t *info)
{
	struct sigpending *q = &t->sigpend;
	int sig = next_signal(q->set, mask);
	if (!sig) {
		q = &t->proc->sigpend;
		sig = next_signal(q->set, mask);
	}
	if (sig)
		collect(q, sig, info);
	return sig;
}

uint64_t signal_pending_set(struct lthread *t) { return t->sigpend.set | t->proc->sigpend.set; }

void signal_flush(struct proc *p, int sig)
{
	queue_flush(&p->sigpend, sig);
	if (p->thread)
		queue_flush(&p->thread->sigpend, sig);
}

bool signal_pending_now(struct lthread *t)
{
	struct proc *p = t->proc;
	uint64_t x = signal_pending_set(t) & ~p->sigmask;
	while (x) {
		int sig = __builtin_ctzll(x) + 1;
		if (!ignored(p, t, sig))
			return true;
		signal_flush(p, sig); /* ignored now: Linux would drop it on the way */
		x &= ~SIGBIT(sig);
	}
	return false;
}

void signal_set_mask(struct proc *p, uint64_t mask) { p->sigmask = mask & ~SIG_KERNEL_ONLY; }

int signal_dequeue_set(struct lthread *t, uint64_t set, siginfo_t *info) { return dequeue(t, ~set, info); }

/* ---- generation ------------------------------------------------------------------ */

/* t is to act on a signal: signal_settle sees to it after the event */
static void kick(struct lthread *t)
{
	if (!t->sig_kick) {
		t->sig_kick = true;
		signal_kicks++;
	}
}

/* ---- job control ------------------------------------------------------------------ */

static int notifies; /* processes whose cld_notify is set */

/* p owes its parent a CLD_STOPPED or CLD_CONTINUED notification: sent
 * (with the wake of a wait) by signal_settle after the event, outside
 * whatever stopped or continued p */
static void notify_parent(struct proc *p, int why)
{
	p->cld_notify = (uint8_t)why;
	notifies++;
	signal_kicks++; /* (so that the event's end settles) */
}

/* Linux's do_notify_parent_cldstop: SIGCHLD unless the parent's action
 * ignores it or has SA_NOCLDSTOP; its waits are woken either way */
static void notify_one(struct proc *c)
{
	int why = c->cld_notify;
	c->cld_notify = 0;
	struct proc *parent = c->parent;
	if (!why || c->state != P_LIVE || !parent || parent->state != P_LIVE)
		return;
	const struct k_sigaction *ka = &parent->sigact[SIGCHLD - 1];
	if (ka->handler != SIG_IGN_L && !(ka->flags & SA_NOCLDSTOP)) {
		siginfo_t i;
		siginfo_from(&i, SIGCHLD, why, c->pid);
		i.si_status = why == CLD_STOPPED ? c->stop_sig : SIGCONT;
		signal_send(parent, SIGCHLD, &i);
	}
	waitq_wake_all(&parent->child_exit);
}

static void notify_all(void)
{
	while (notifies) {
		notifies = 0;
		proc_for_each(p) {
			if (p->cld_notify)
				notify_one(p);
		}
	}
}

/* Linux's do_signal_stop for a process of one thread: p stops on sig; its
 * thread is held by the caller (STOP_USER or STOP_CALL) */
static void stop(struct proc *p, int sig)
{
	p->stopped = true;
	p->stop_code = p->stop_sig = sig;
	p->cont_report = false;
	thread_set_sleeping(p->thread, true);
	notify_parent(p, CLD_STOPPED);
}

/* SIGCONT's effect on a stopped process, whatever its action and mask
 * (Linux's prepare_signal): it runs again once signal_settle resumes its
 * thread (kicked) */
static void cont(struct proc *p)
{
	p->stopped = false;
	p->stop_code = 0;
	p->cont_report = true;
	notify_parent(p, CLD_CONTINUED);
	kick(p->thread);
}

bool signal_pgrp_orphaned(int pgrp, const struct proc *ignore)
{
	proc_for_each(q) {
		if (q == ignore || q->state != P_LIVE || q->pgid != pgrp)
			continue;
		struct proc *parent = q->parent;
		if (!parent || parent->pid == 1 || parent->pgid == pgrp || parent->sid != q->sid)
			continue; /* (init's children count as outside no group, as on Linux) */
		return false;
	}
	return true;
}

/* Linux's kill_orphaned_pgrp: a group that the end of a process (or of its
 * parent) orphans and that has a stopped member gets SIGHUP and SIGCONT */
static void orphaned_check(int pgrp, int sid, const struct proc *parent, const struct proc *ignore)
{
	if (!parent || parent->pgid == pgrp || parent->sid != sid || !signal_pgrp_orphaned(pgrp, ignore))
		return;
	bool stopped = false;
	proc_for_each(q) {
		if ((stopped = q->state == P_LIVE && q->pgid == pgrp && q->stopped))
			break;
	}
	if (stopped) {
		signal_pgrp(pgrp, SIGHUP, NULL);
		signal_pgrp(pgrp, SIGCONT, NULL);
	}
}

void signal_orphan_child(struct proc *c, struct proc *p)
{
	if (c->state == P_LIVE)
		orphaned_check(c->pgid, c->sid, p, NULL);
}

void signal_orphan_exit(struct proc *p) { orphaned_check(p->pgid, p->sid, p->parent, p); }

/* ---- sending ------------------------------------------------------------------------- */

/* Linux's __send_signal and complete_signal for a process of one thread */
static int send(struct proc *p, int sig, const siginfo_t *info, bool to_thread)
{
	struct lthread *t = p->thread;
	if (p->state != P_LIVE || p->killed || !t)
		return 0;
	uint64_t bit = SIGBIT(sig);
	if (bit & SIG_STOPS) {
		signal_flush(p, SIGCONT);
	} else if (sig == SIGCONT) {
		for (int s = SIGSTOP; s <= SIGTTOU; s++)
			signal_flush(p, s);
		if (p->stopped)
			cont(p);
	}
	if (ignored(p, t, sig))
		return 0;
	struct sigpending *q = to_thread ? &t->sigpend : &p->sigpend;
	if (sig < SIGRTMIN && (q->set & bit))
		return 0; /* one instance of a standard signal */
	if (sig != SIGKILL) {
		struct sigqueue *e = queue_len(q) < SIGQUEUE_MAX ? mem_zalloc(sizeof *e) : NULL;
		if (e) {
			siginfo_t k;
			if (!info) {
				siginfo_from(&k, sig, SI_KERNEL, 0);
				info = &k;
			}
			memcpy(e->info, info, KSIGINFO_SIZE);
			memcpy(e->info, &sig, sizeof sig);
			queue_append(q, e);
		} else if (info && sig >= SIGRTMIN && info->si_code != SI_USER) {
			return -EAGAIN;
		}
	}
	q->set |= bit;
	signalfd_notify(p);
	if ((p->sigmask & bit) && sig != SIGKILL)
		return 0; /* pending until unblocked */
	if (p->stopped && sig != SIGKILL)
		return 0; /* pending until SIGCONT (Linux's wants_signal) */
	/* (not one an rt_sigtimedwait unblocked to take it: Linux's
	 * complete_signal skips the real_blocked ones) */
	if (fatal_default(p, sig) && !(t->sigwaiting && (t->real_blocked & bit)))
		proc_kill(p, sig); /* the whole process goes, now */
	else
		kick(t);
	return 0;
}

int signal_send(struct proc *p, int sig, const siginfo_t *info) { return send(p, sig, info, false); }

int signal_send_thread(struct lthread *t, int sig, const siginfo_t *info) { return send(t->proc, sig, info, true); }

void signal_force(struct lthread *t, int sig, const siginfo_t *info)
{
	struct proc *p = t->proc;
	struct k_sigaction *ka = &p->sigact[sig - 1];
	bool blocked = p->sigmask & SIGBIT(sig);
	if (blocked || ka->handler == SIG_IGN_L) {
		ka->handler = SIG_DFL_L;
		p->sigmask &= ~SIGBIT(sig);
	}
	send(p, sig, info, true);
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
	child->sigmask = parent->sigmask;
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

void signal_exit(struct proc *p)
{
	queue_free(&p->sigpend);
	if (p->thread)
		queue_free(&p->thread->sigpend);
	itimer_set(p, 0, 0);
	pollhead_gone(&p->sigfd_ph); /* (the epoll entries of its signalfds stay, deaf) */
}

/* ---- delivery ----------------------------------------------------------------------- */

/* what deliver did: ACT_STOPPED, the process stopped (the context as it
 * was); ACT_STOPPED_HANDLER, it stopped with the context entering a
 * handler (set, the thread to stay stopped) */
enum { ACT_NONE, ACT_HANDLER, ACT_KILLED, ACT_STOPPED, ACT_STOPPED_HANDLER };

/* Linux's get_signal: the next signal t runs a handler for (*ka its
 * action), default actions taken on the way; 0: none, -1: p was killed,
 * -2: p stopped */
static int get_signal(struct lthread *t, siginfo_t *info, struct k_sigaction *ka)
{
	struct proc *p = t->proc;
	for (;;) {
		if (p->killed)
			return -1;
		int sig = dequeue(t, p->sigmask, info);
		if (!sig)
			return 0;
		*ka = p->sigact[sig - 1];
		if (ka->handler == SIG_IGN_L)
			continue;
		if (ka->handler != SIG_DFL_L) {
			if (ka->flags & SA_RESETHAND)
				p->sigact[sig - 1].handler = SIG_DFL_L;
			return sig;
		}
		if (default_ignored(sig))
			continue;
		if (SIG_STOPS & SIGBIT(sig)) {
			/* the terminal's stop signals do nothing to an orphaned
			 * group (nobody would continue it); SIGSTOP always stops */
			if (sig != SIGSTOP && signal_pgrp_orphaned(p->pgid, NULL))
				continue;
			stop(p, sig);
			return -2;
		}
		proc_kill(p, sig);
		return -1;
	}
}

/* what a call interrupted by a handler returns, as Linux's handle_signal */
static void syscall_restart(uint64_t *r, uint64_t nr, const struct k_sigaction *ka)
{
	switch ((long)r[PLAT_REG_RAX]) {
	case -ERESTART_RESTARTBLOCK:
	case -ERESTARTNOHAND:
		r[PLAT_REG_RAX] = (uint64_t)-EINTR;
		break;
	case -ERESTARTSYS:
		if (!(ka->flags & SA_RESTART)) {
			r[PLAT_REG_RAX] = (uint64_t)-EINTR;
			break;
		}
		/* fall through */
	case -ERESTARTNOINTR:
		r[PLAT_REG_RAX] = nr;
		r[PLAT_REG_RIP] -= 2; /* back to the syscall instruction */
		break;
	default:
		break;
	}
}

/* Runs the handlers of t's pending signals from context c (a system
 * call's end if nr >= 0: c's rax holds its result).  Each handler's frame
 * goes on top of the last, as Linux sets up one for every pending signal
 * before the thread returns.  ACT_HANDLER: c enters the last handler;
 * ACT_NONE: nothing to run (*restart: the interrupted call is to be made
 * again); ACT_KILLED. */
static int deliver(struct lthread *t, struct sigctx *c, long nr, bool *restart)
{
	struct proc *p = t->proc;
	bool handled = false;
	*restart = false;
	for (unsigned n = 0; n < 2 * NSIG_LINUX; n++) {
		siginfo_t info;
		struct k_sigaction ka;
		int sig = get_signal(t, &info, &ka);
		if (sig == -2)
			return handled ? ACT_STOPPED_HANDLER : ACT_STOPPED;
		if (sig < 0)
			return ACT_KILLED;
		if (!sig)
			break;
		if (nr >= 0)
			syscall_restart(c->regs, (uint64_t)nr, &ka);
		nr = -1;
		uint64_t save = t->restore_mask ? t->saved_mask : p->sigmask;
		if (sigframe_setup(t, sig, &info, &ka, save, c)) {
			if (sig == SIGSEGV) {
				proc_kill(p, SIGSEGV);
				return ACT_KILLED;
			}
			siginfo_t k;
			siginfo_from(&k, SIGSEGV, SI_KERNEL, 0);
			signal_force(t, SIGSEGV, &k);
			continue;
		}
		t->restore_mask = false;
		uint64_t blocked = p->sigmask | ka.mask;
		if (!(ka.flags & SA_NODEFER))
			blocked |= SIGBIT(sig);
		signal_set_mask(p, blocked);
		handled = true;
		if (c->regs[PLAT_REG_RIP] >= USER_TOP) { /* the handler is no code: it faults there */
			siginfo_t k;
			siginfo_from(&k, SIGSEGV, SEGV_MAPERR, 0);
			k.si_addr = (void *)(uintptr_t)c->regs[PLAT_REG_RIP];
			t->trapno = 14;
			t->trap_err = 0x14; /* user, instruction fetch */
			t->cr2 = c->regs[PLAT_REG_RIP];
			signal_force(t, SIGSEGV, &k);
		}
	}
	if (handled)
		return ACT_HANDLER;
	if (nr >= 0 && is_restart((long)c->regs[PLAT_REG_RAX]))
		*restart = true;
	if (t->restore_mask) {
		signal_set_mask(p, t->saved_mask);
		t->restore_mask = false;
	}
	return ACT_NONE;
}

static struct sigctx ctx; /* the server handles one event at a time */

/* ctx := t's registers and FPU state (stopping t first with stop); 0 or
 * the platform's error */
static int get_context(struct lthread *t, bool stop)
{
	ctx.fpu = plat_fpu_area();
	ctx.fpu_init = false;
	return plat_thread_get(&t->plat, stop, ctx.regs, ctx.fpu);
}

/* starts t on c (a handler), or with run false leaves it stopped there; a
 * context the platform refuses kills */
static void set_context(struct lthread *t, struct sigctx *c, bool run)
{
	if (plat_thread_set(&t->plat, c->regs, PLAT_REG_FSBASE, c->fpu_init ? PLAT_FPU_INIT : c->fpu, run)) {
		printf("lx4-server: pid %d: a signal context the kernel refuses: SIGSEGV\n", t->proc->pid);
		proc_kill(t->proc, SIGSEGV);
	}
}

static void resume(struct lthread *t, struct sigctx *c) { set_context(t, c, true); }

/* t's process stopped while t was out of any call: t stays stopped on c
 * until SIGCONT */
static void hold(struct lthread *t, struct sigctx *c)
{
	t->stop_state = STOP_USER;
	set_context(t, c, false);
}

bool signal_syscall_return(struct lthread *t, long ret, bool now, bool *retry)
{
	struct proc *p = t->proc;
	*retry = false;
	if (t->restore_mask && ret != -ERESTARTNOHAND && ret != -EINTR) {
		/* the call is over (not interrupted: ppoll and pselect6 say so
		 * with ERESTARTNOHAND, epoll_pwait with EINTR): its mask goes
		 * first */
		signal_set_mask(p, t->saved_mask);
		t->restore_mask = false;
	}
	if (!signal_pending_now(t)) {
		if (t->restore_mask) {
			signal_set_mask(p, t->saved_mask);
			t->restore_mask = false;
		}
		*retry = is_restart(ret); /* (never shown to the process) */
		return *retry;
	}
	/* the registers and FPU state, the FPU set to its init state at once
	 * (what a handler starts with, the likely end): the handler is then
	 * entered by the call's reply, which sets the registers a syscall
	 * message has (rax .. rflags: all a handler's entry changes) */
	ctx.fpu = plat_fpu_area();
	ctx.fpu_init = false;
	if (plat_thread_take(&t->plat, ctx.regs, ctx.fpu))
		return false;
	for (int i = 0; i < PLAT_SYSCALL_REGS; i++)
		ctx.regs[i] = t->regs[i];
	ctx.regs[PLAT_REG_RAX] = (uint64_t)ret;
	bool restart;
	int act = deliver(t, &ctx, (long)t->args.nr, &restart);
	if (act != ACT_HANDLER && act != ACT_KILLED && !ctx.fpu_init &&
	    plat_thread_set_fpu(&t->plat, ctx.fpu)) /* (no handler: its own state back) */
		proc_kill(p, SIGSEGV);
	switch (act) {
	case ACT_HANDLER:
		t->in_syscall = false;
		if (now)
			plat_reply_regs(ctx.regs, PLAT_SYSCALL_REGS);
		else
			plat_resume_regs(&t->plat, ctx.regs, PLAT_SYSCALL_REGS);
		return true;
	case ACT_KILLED:
		return true;
	case ACT_STOPPED: /* the call stays parked, its result kept for SIGCONT */
		t->stop_state = STOP_CALL;
		t->stop_ret = ret;
		return true;
	case ACT_STOPPED_HANDLER:
		hold(t, &ctx);
		return true;
	default:
		*retry = restart;
		return restart;
	}
}

void signal_fault(struct lthread *t, const siginfo_t *info, const uint64_t *regs, unsigned trapno, uint64_t err,
		  uint64_t cr2)
{
	struct proc *p = t->proc;
	t->trapno = trapno;
	t->trap_err = err;
	t->cr2 = cr2;
	signal_force(t, info->si_signo, info);
	if (p->killed)
		return;
	if (get_context(t, false)) {
		proc_kill(p, info->si_signo);
		return;
	}
	if (regs)
		memcpy(ctx.regs, regs, sizeof ctx.regs);
	bool restart;
	int act = deliver(t, &ctx, -1, &restart);
	if (act == ACT_HANDLER)
		resume(t, &ctx);
	else if (act == ACT_STOPPED || act == ACT_STOPPED_HANDLER)
		hold(t, &ctx); /* (without a handler the access is made again) */
	else if (!p->killed)
		proc_kill(p, info->si_signo); /* (a forced signal always acts) */
}

long signal_sigreturn(struct lthread *t)
{
	struct proc *p = t->proc;
	uint64_t mask;
	bool restart;
	/* (the frame gives every register up to r15; the bases are not set) */
	ctx.regs[PLAT_REG_FSBASE] = ctx.regs[PLAT_REG_GSBASE] = 0;
	ctx.regs[PLAT_REG_RFLAGS] = t->args.rflags;
	ctx.fpu = plat_fpu_area();
	if (sigframe_restore(t, t->args.rsp, &ctx, &mask)) {
		/* a bad frame: SIGSEGV, from where the call was made */
		if (get_context(t, false)) {
			proc_kill(p, SIGSEGV);
			return SYS_NOREPLY;
		}
		for (int i = 0; i < PLAT_SYSCALL_REGS; i++)
			ctx.regs[i] = t->regs[i];
		ctx.regs[PLAT_REG_RAX] = 0;
		printf("lx4-server: pid %d: rt_sigreturn with a bad frame at %lx: SIGSEGV\n", p->pid, t->args.rsp);
		siginfo_t k;
		siginfo_from(&k, SIGSEGV, SI_KERNEL, 0);
		signal_force(t, SIGSEGV, &k);
	} else if (ctx.regs[PLAT_REG_RIP] >= USER_TOP || ctx.regs[PLAT_REG_RSP] >= (1ull << 47)) {
		/* where Linux's return to user mode faults */
		siginfo_t k;
		siginfo_from(&k, SIGSEGV, SI_KERNEL, 0);
		signal_force(t, SIGSEGV, &k);
	}
	int act = deliver(t, &ctx, -1, &restart);
	if (act == ACT_STOPPED || act == ACT_STOPPED_HANDLER)
		hold(t, &ctx);
	else if (act != ACT_KILLED)
		resume(t, &ctx);
	return SYS_NOREPLY;
}

/* t got a signal while it ran user code or waited in a call; false: not
 * now (the event in hand owes t a reply) */
static bool settle_one(struct lthread *t)
{
	struct proc *p = t->proc;
	if (p->state != P_LIVE || p->killed || p->stopped)
		return true; /* (a stopped process acts on nothing but SIGKILL and SIGCONT) */
	if (t->stop_state == STOP_CALL) { /* continued: the call goes on */
		t->stop_state = STOP_NONE;
		syscall_resume(t, t->stop_ret);
		return true;
	}
	if (t->stop_state == STOP_USER) { /* continued where it stopped */
		thread_set_sleeping(t, false);
		if (!signal_pending_now(t)) {
			t->stop_state = STOP_NONE;
			plat_thread_run(&t->plat);
			return true;
		}
	} else if (!signal_pending_now(t)) {
		return true;
	}
	if (t->in_syscall && t->stop_state == STOP_NONE) { /* parked in a call: made again, it sees the signal */
		waitq_remove(t);
		timer_cancel(t);
		syscall_retry(t);
		return true;
	}
	if (plat_reply_pending((uint64_t)t->tid))
		return false;
	t->stop_state = STOP_NONE;
	if (get_context(t, true))
		return true;
	bool restart;
	int act = deliver(t, &ctx, -1, &restart);
	if (act == ACT_HANDLER)
		resume(t, &ctx);
	else if (act == ACT_NONE)
		plat_thread_run(&t->plat);
	else if (act == ACT_STOPPED_HANDLER)
		hold(t, &ctx);
	else if (act == ACT_STOPPED)
		t->stop_state = STOP_USER; /* (stopped by the platform already) */
	return true;
}

void signal_settle(void)
{
	static bool busy; /* (a retry it makes may send signals too: the loop takes them) */
	if (busy || !signal_kicks)
		return;
	busy = true;
	int later = 0;
	while (signal_kicks) {
		signal_kicks = 0;
		notify_all();
		thread_for_each(t) {
			if (!t->sig_kick)
				continue;
			t->sig_kick = false;
			if (!settle_one(t)) {
				t->sig_kick = true;
				later++;
			}
		}
	}
	signal_kicks = later;
	busy = false;
	if (later)
		timer_soon(); /* the next event comes soon and settles them */
}

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
	if (p->thread)
		for (struct sigqueue *q = p->thread->sigpend.head; q; q = q->next)
			n++;
	*limit = SIGQUEUE_MAX;
	return n;
}
