/*
 * Delivery: the default actions and the handler frames, at the points
 * signal.c lists.
 */
#include "signal_int.h"

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
		int sig = sigq_dequeue(t, t->sigmask, info);
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
		if (sig_default_ignored(sig))
			continue;
		if (SIG_STOPS & SIGBIT(sig)) {
			/* the terminal's stop signals do nothing to an orphaned
			 * group (nobody would continue it); SIGSTOP always stops */
			if (sig != SIGSTOP && signal_pgrp_orphaned(p->pgid, NULL))
				continue;
			job_stop(t, sig);
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
		uint64_t save = t->restore_mask ? t->saved_mask : t->sigmask;
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
		uint64_t blocked = t->sigmask | ka.mask;
		if (!(ka.flags & SA_NODEFER))
			blocked |= SIGBIT(sig);
		signal_set_mask(t, blocked);
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
		signal_set_mask(t, t->saved_mask);
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
		signal_set_mask(t, t->saved_mask);
		t->restore_mask = false;
	}
	if (!signal_pending_now(t)) {
		if (t->restore_mask) {
			signal_set_mask(t, t->saved_mask);
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
	if (p->state != P_LIVE || p->killed)
		return true;
	if (p->stopped) { /* (it acts on nothing but SIGKILL and SIGCONT) */
		if (t->stop_state != STOP_NONE || t->in_syscall)
			return true; /* held, or to be held as its call ends (finish) */
		if (plat_reply_pending((uint64_t)t->tid))
			return false;
		if (get_context(t, true)) /* another thread of it: stopped where it runs */
			return true;
		t->stop_state = STOP_USER;
		thread_set_sleeping(t, true);
		return true;
	}
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
		job_notify_all();
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
