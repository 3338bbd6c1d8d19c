/*
 * The server's event handlers: system calls (dispatched through one table),
 * page faults (vm.c decides), other exceptions (fatal signals), and the
 * machinery for calls that wait.  Receive -> dispatch through the table ->
 * reply unless the handler said "later" (Minix PM style).
 */
#include "syscall.h"

#include "mem.h"
#include "platform.h"
#include "rusage.h"
#include "signal.h"
#include "vm.h"

static uint8_t enosys_logged[SYSCALL_MAX / 8];

_Static_assert(sizeof(struct sysargs) == 10 * sizeof(uint64_t) &&
		       __builtin_offsetof(struct sysargs, a4) == PLAT_REG_R8 * sizeof(uint64_t) &&
		       __builtin_offsetof(struct sysargs, rflags) == PLAT_REG_RFLAGS * sizeof(uint64_t),
	       "struct sysargs names the registers in frame order");

/* what a call that waits returns when a signal comes: Linux's restart
 * code for it (calls with their own rules, nanosleep, rt_sigtimedwait,
 * return before they wait) */
static long interrupted(const struct sysargs *a)
{
	switch (a->nr) {
	case __NR_poll:
	case __NR_ppoll:
	case __NR_select:
	case __NR_pselect6:
	case __NR_pause:
	case __NR_rt_sigsuspend:
		return -ERESTARTNOHAND; /* EINTR after a handler, whatever SA_RESTART says */
	case __NR_nanosleep:
	case __NR_clock_nanosleep:
		return -ERESTART_RESTARTBLOCK;
	case __NR_futex: /* (a wait: with a timeout, Linux's restart block, EINTR after a handler) */
		return a->a3 ? -ERESTART_RESTARTBLOCK : -ERESTARTSYS;
	case __NR_epoll_wait:
	case __NR_epoll_pwait:
	case __NR_epoll_pwait2:
	case __NR_semop:
	case __NR_semtimedop:
		return -EINTR; /* never made again, whatever SA_RESTART says */
	default:
		return -ERESTARTSYS; /* made again after a SA_RESTART handler */
	}
}

static long dispatch(struct lthread *t)
{
	uint64_t nr = t->args.nr;
	syscall_fn *fn = nr < SYSCALL_MAX ? syscall_table[nr] : NULL;
	if (!fn && nr - LX4_SYSCALL_BASE < LX4_SYSCALL_COUNT)
		fn = lx4_syscall_table[nr - LX4_SYSCALL_BASE];
	if (fn)
		return fn(t, &t->args); /* (SYS_WAIT and a signal: finish() sees to it) */
	if (nr < SYSCALL_MAX && !(enosys_logged[nr / 8] & (1u << (nr % 8)))) {
		enosys_logged[nr / 8] |= 1u << (nr % 8);
		printf("lx4-server: syscall %s (%lu) not implemented: ENOSYS\n",
		       syscall_names[nr] ? syscall_names[nr] : "?", nr);
	} else if (nr >= SYSCALL_MAX) {
		printf("lx4-server: syscall %lu unknown: ENOSYS\n", nr);
	}
	return -ENOSYS;
}

/* answers t's call, now (it is the event being handled) or later; a
 * signal may act first (a handler, its end, or the call made again) */
static void finish(struct lthread *t, long ret, bool now)
{
	for (;;) {
		if (ret == SYS_WAIT && signal_maybe(t) && !t->vfork_pid && signal_pending_now(t)) {
			/* a signal to act on: the call does not wait (Linux's
			 * signal_pending() in every interruptible wait) */
			waitq_remove(t);
			timer_cancel(t);
			ret = interrupted(&t->args);
		}
		if (ret == SYS_WAIT) {
			thread_set_sleeping(t, true);
			return;
		}
		if (t->proc->killed)
			return; /* (a killed process ends without an answer) */
		if (__builtin_expect(t->proc->stopped, 0) && ret != SYS_NOREPLY && t->stop_state == STOP_NONE) {
			/* another thread stopped the process: the answer waits for SIGCONT */
			thread_set_sleeping(t, true);
			t->stop_state = STOP_CALL;
			t->stop_ret = ret;
			return;
		}
		thread_set_sleeping(t, false);
		if (ret == SYS_NOREPLY) {
			t->in_syscall = false;
			return;
		}
		if (__builtin_expect(signal_work(t, ret), 0)) {
			bool retry;
			if (signal_syscall_return(t, ret, now, &retry)) {
				if (!retry) {
					/* (a call held by a stop is still to be answered) */
					t->in_syscall = t->stop_state == STOP_CALL;
					return;
				}
				ret = dispatch(t); /* no handler ran: the call goes on */
				continue;
			}
		}
		t->in_syscall = false;
		if (now)
			plat_reply_syscall((uint64_t)ret);
		else
			plat_resume_syscall(&t->plat, (uint64_t)ret);
		return;
	}
}

/* what every event ends with: killed processes go, signals take effect */
void event_settle(void)
{
	if (__builtin_expect(procs_killed != 0, 0))
		proc_reap_killed();
	if (__builtin_expect(signal_kicks != 0, 0)) {
		signal_settle();
		proc_reap_killed();
	}
}

/* a system call of t: what srv_syscall does but the accounting */
static inline void syscall_event(struct lthread *t, const uint64_t *regs)
{
#pragma GCC unroll 10 /* the hot path: ten moves, no loop */
	for (int i = 0; i < 10; i++)
		t->regs[i] = regs[i];
	t->in_syscall = true;
	t->wait.deadline = 0; /* a new call, not a retry */
	t->wait.wall = 0;
	t->io_done = 0;
	current = t;
	long ret = dispatch(t);
	if (__builtin_expect((procs_killed | signal_kicks) != 0, 0)) { /* someone was killed or signalled */
		/* the ends the call caused come first: their SIGCHLD is there
		 * when the call returns, as on Linux (a kill, then the
		 * caller's handler) */
		if (procs_killed)
			proc_reap_killed();
		if (current == t)
			finish(t, ret, true);
		current = NULL;
		event_settle();
		return;
	}
	/* one compare for SYS_WAIT, SYS_NOREPLY and the restart codes (no errno
	 * lies between them), then the signals that might be pending */
	_Static_assert(SYS_NOREPLY < SYS_WAIT && SYS_WAIT < -ERESTART_RESTARTBLOCK && -ERESTARTSYS < -133,
		       "the results finish() must see lie in [SYS_NOREPLY, -ERESTARTSYS]");
	bool special = (uint64_t)(ret - SYS_NOREPLY) <= (uint64_t)(-ERESTARTSYS - SYS_NOREPLY);
	if (current == t && !special && !signal_maybe(t) && !t->restore_mask) { /* finish(), quiet */
		t->in_syscall = false;
		plat_reply_syscall((uint64_t)ret);
	} else if (current == t) {
		finish(t, ret, true); /* (a signal it acts on may kill it) */
		current = NULL;
		event_settle();
		return;
	}
	current = NULL;
}

/* the thread of an event (NULL: one no longer known); the dead of the
 * events before go first (nothing holds them between events) */
static inline struct lthread *event_thread(uint64_t id)
{
	if (__builtin_expect(proc_graves != 0, 0))
		proc_bury();
	return thread_by_tid(id);
}

/* the server's time on the call is the caller's system time */
void srv_syscall(uint64_t id, const uint64_t *regs)
{
	struct lthread *t = event_thread(id);
	if (!t)
		return; /* a thread we no longer know: let it wait for its end */
	charge_begin(t);
	syscall_event(t, regs);
	charge_end(t);
}

/* (called while another thread's event may be in hand: current is kept) */
void syscall_retry(struct lthread *t)
{
	if (!t->in_syscall || t->proc->killed || t->stop_state == STOP_CALL)
		return;
	struct lthread *outer = current, *charged = charge_switch(t);
	current = t;
	long ret = dispatch(t);
	if (current == t)
		finish(t, ret, false);
	current = outer && outer->proc ? outer : NULL;
	charge_back(charged);
}

void syscall_resume(struct lthread *t, long ret)
{
	if (!t->in_syscall || t->proc->killed)
		return;
	struct lthread *outer = current, *charged = charge_switch(t);
	current = t;
	finish(t, ret, false);
	current = outer && outer->proc ? outer : NULL;
	charge_back(charged);
}

/* a page fault of t: resolved, or a signal */
static void fault_event(struct lthread *t, uint64_t addr, unsigned access, uint64_t rip)
{
	/* the page goes with the reply, unless the thread faults again on
	 * the page its last reply mapped (the map of a reply that fails,
	 * for want of kernel memory, is dropped: then a call of its own,
	 * which gets more or fails).  A fault on a present page (a write
	 * after a read) shows that the last map arrived. */
	uint64_t page = addr & ~0xfffull;
	bool in_reply = t->fault_page != page || (access & PLAT_PF_PRESENT);
	int err = vm_fault(t->proc, addr, access, in_reply);
	t->fault_page = in_reply && !err ? page : 0;
	if (err == 0) {
		if (!in_reply)
			plat_reply_resume(); /* vm_fault mapped the page already */
		event_settle();
		return;
	}
	/* SIGSEGV (SEGV_MAPERR where nothing is mapped, SEGV_ACCERR where the
	 * mapping forbids the access), SIGBUS beyond the end of a file */
	int sig = err == -EIO ? SIGBUS : SIGSEGV;
	siginfo_t i;
	siginfo_from(&i, sig, sig == SIGBUS ? BUS_ADRERR : vma_find(t->proc->mm, addr) ? SEGV_ACCERR : SEGV_MAPERR, 0);
	i.si_pid = i.si_uid = 0;
	i.si_addr = (void *)(uintptr_t)addr;
	if (err == -ENOMEM) {
		printf("lx4-server: pid %d: out of memory at %lx (rip %lx): SIGKILL\n", t->proc->pid, addr, rip);
		proc_kill(t->proc, SIGKILL);
	} else {
		struct k_sigaction *ka = &t->proc->sigact[sig - 1];
		if (ka->handler <= SIG_IGN_L || (t->sigmask & SIGBIT(sig)))
			printf("lx4-server: pid %d: %s at %lx (rip %lx): %s\n", t->proc->pid,
			       err == -EIO ? "beyond the end of a mapped file" : "bad access", addr, rip,
			       sig == SIGBUS ? "SIGBUS" : "SIGSEGV");
		/* the page-fault error code Linux's sigcontext shows */
		uint64_t pf_err = 4 | ((access & PLAT_PF_WRITE) ? 2 : 0) | ((access & PLAT_PF_EXEC) ? 0x10 : 0) |
				  ((access & PLAT_PF_PRESENT) ? 1 : 0);
		signal_fault(t, &i, NULL, 14, pf_err, addr);
	}
	event_settle();
}

/* the server's time on the fault is the thread's system time */
void srv_fault(uint64_t id, uint64_t addr, unsigned access, uint64_t rip)
{
	struct lthread *t = event_thread(id);
	if (!t)
		return;
	charge_begin(t);
	fault_event(t, addr, access, rip);
	charge_end(t);
}

/* the signal of an exception and its siginfo, as Linux's traps.c gives
 * them (si_addr: the faulting instruction where Linux names one) */
static int exception_signal(unsigned vector, uint64_t rip, siginfo_t *i)
{
	int sig = SIGSEGV, code = SI_KERNEL;
	bool addr = false;
	switch (vector) {
	case 0: /* #DE */
		sig = SIGFPE, code = FPE_INTDIV, addr = true;
		break;
	case 16: /* #MF */
	case 19: /* #XM */
		sig = SIGFPE, code = 0, addr = true; /* (Linux decodes the status word; lx4 says 0) */
		break;
	case 1: /* #DB */
		sig = SIGTRAP, code = TRAP_BRKPT, addr = true;
		break;
	case 3: /* #BP */
		sig = SIGTRAP;
		break;
	case 6: /* #UD */
		sig = SIGILL, code = ILL_ILLOPN, addr = true;
		break;
	case 17: /* #AC */
		sig = SIGBUS, code = BUS_ADRALN;
		break;
	default: /* #GP, #SS, #NP, ...: SIGSEGV, SI_KERNEL */
		break;
	}
	siginfo_from(i, sig, code, 0);
	if (addr)
		i->si_addr = (void *)(uintptr_t)rip;
	return sig;
}

void srv_exception(uint64_t id, unsigned vector, uint64_t error, const uint64_t *regs)
{
	struct lthread *t = event_thread(id);
	if (!t)
		return;
	charge_begin(t);
	siginfo_t i;
	int sig = exception_signal(vector, regs[PLAT_REG_RIP], &i);
	struct k_sigaction *ka = &t->proc->sigact[sig - 1];
	if (ka->handler <= SIG_IGN_L || (t->sigmask & SIGBIT(sig)))
		printf("lx4-server: pid %d: exception %u (error %lx) at rip %lx: signal %d\n", t->proc->pid, vector,
		       error, regs[PLAT_REG_RIP], sig);
	signal_fault(t, &i, regs, vector, error, 0);
	event_settle();
	charge_end(t);
}

/* ---- the end of the run ------------------------------------------------------ */

void syscall_proc_exited(struct proc *p)
{
	if (p->pid != 1)
		return;
	int st = p->exit_status;
	if (st & 0x7f)
		printf("lx4: init killed by signal %d\n", st & 0x7f);
	else
		printf("lx4: init exited with status %d\n", (st >> 8) & 0xff);
	printf("lx4: server pages free %lu of %lu\n", pages_free(), pages_total());
	plat_shutdown(0);
}
