/*
 * The server's event handlers: system calls (dispatched through one table),
 * page faults (vm.c decides), other exceptions (fatal signals), and the
 * machinery for calls that wait.  Receive -> dispatch through the table ->
 * reply unless the handler said "later" (Minix PM style).
 */
#include "syscall.h"

#include "lx4.h"
#include "mem.h"
#include "platform.h"
#include "vm.h"

static struct lthread *timers; /* sorted by deadline */
static uint8_t enosys_logged[SYSCALL_MAX / 8];

_Static_assert(sizeof(struct sysargs) == 10 * sizeof(uint64_t) &&
		       __builtin_offsetof(struct sysargs, a4) == LX4_REG_R8 * sizeof(uint64_t) &&
		       __builtin_offsetof(struct sysargs, rflags) == LX4_REG_RFLAGS * sizeof(uint64_t),
	       "struct sysargs names the registers in frame order");

static long dispatch(struct lthread *t)
{
	uint64_t nr = t->args.nr;
	syscall_fn *fn = nr < SYSCALL_MAX ? syscall_table[nr] : NULL;
	if (!fn && nr - LX4_SYSCALL_BASE < LX4_SYSCALL_COUNT)
		fn = lx4_syscall_table[nr - LX4_SYSCALL_BASE];
	if (fn)
		return fn(t, &t->args);
	if (nr < SYSCALL_MAX && !(enosys_logged[nr / 8] & (1u << (nr % 8)))) {
		enosys_logged[nr / 8] |= 1u << (nr % 8);
		printf("lx4-server: syscall %s (%lu) not implemented: ENOSYS\n",
		       syscall_names[nr] ? syscall_names[nr] : "?", nr);
	} else if (nr >= SYSCALL_MAX) {
		printf("lx4-server: syscall %lu unknown: ENOSYS\n", nr);
	}
	return -ENOSYS;
}

/* answers t's call, now (it is the event being handled) or later */
static void finish(struct lthread *t, long ret, bool now)
{
	if (ret == SYS_WAIT) {
		thread_set_sleeping(t, true);
		return;
	}
	if (ret == SYS_NOREPLY || t->proc->killed)
		return; /* (a killed process ends without an answer) */
	thread_set_sleeping(t, false);
	t->in_syscall = false;
	if (now)
		plat_reply_syscall((uint64_t)ret);
	else
		plat_resume_syscall(&t->plat, (uint64_t)ret);
}

void srv_syscall(uint64_t id, const uint64_t *regs)
{
	struct lthread *t = thread_by_tid(id);
	if (!t)
		return; /* a thread we no longer know: let it wait for its end */
#pragma GCC unroll 10 /* the hot path: ten moves, no loop */
	for (int i = 0; i < 10; i++)
		t->regs[i] = regs[i];
	t->in_syscall = true;
	t->wait.deadline = 0; /* a new call, not a retry */
	current = t;
	long ret = dispatch(t);
	if (__builtin_expect(procs_killed != 0, 0)) { /* someone was killed */
		if (current == t)
			finish(t, ret, true);
		current = NULL;
		proc_reap_killed();
		return;
	}
	if (current == t && ret != SYS_WAIT && ret != SYS_NOREPLY) { /* finish(), nobody killed */
		t->in_syscall = false;
		plat_reply_syscall((uint64_t)ret);
	} else if (current == t) {
		finish(t, ret, true);
	}
	current = NULL;
}

/* (called while another thread's event may be in hand: current is kept) */
void syscall_retry(struct lthread *t)
{
	if (!t->in_syscall || t->proc->killed)
		return;
	struct lthread *outer = current;
	current = t;
	long ret = dispatch(t);
	if (current == t)
		finish(t, ret, false);
	current = outer && outer->proc ? outer : NULL;
}

void srv_fault(uint64_t id, uint64_t addr, unsigned access, uint64_t rip)
{
	struct lthread *t = thread_by_tid(id);
	if (!t)
		return;
	int err = vm_fault(t->proc, addr, access);
	if (err == 0) {
		plat_reply_resume(); /* vm_fault mapped the page already */
		return;
	}
	int sig = err == -EIO ? SIGBUS : SIGSEGV;
	printf("lx4-server: pid %d: %s at %lx (rip %lx): %s\n", t->proc->pid,
	       err == -ENOMEM ? "out of memory" : err == -EIO ? "beyond the end of a mapped file" : "bad access", addr,
	       rip, sig == SIGBUS ? "SIGBUS" : "SIGSEGV");
	proc_kill(t->proc, sig);
	proc_reap_killed();
}

static int exception_signal(unsigned vector)
{
	switch (vector) {
	case 0: /* #DE */
	case 16: /* #MF */
	case 19: /* #XM */
		return SIGFPE;
	case 1: /* #DB */
	case 3: /* #BP */
		return SIGTRAP;
	case 6: /* #UD */
		return SIGILL;
	case 17: /* #AC */
		return SIGBUS;
	default: /* #GP, #SS, #NP, ... */
		return SIGSEGV;
	}
}

void srv_exception(uint64_t id, unsigned vector, uint64_t error, const uint64_t *regs)
{
	struct lthread *t = thread_by_tid(id);
	if (!t)
		return;
	int sig = exception_signal(vector);
	printf("lx4-server: pid %d: exception %u (error %lx) at rip %lx: signal %d\n", t->proc->pid, vector, error,
	       regs[LX4_REG_RIP], sig);
	proc_kill(t->proc, sig);
	proc_reap_killed();
}

/* ---- timers ------------------------------------------------------------------ */

static void timer_rearm(void) { plat_timer(timers ? timers->wait.deadline : 0); }

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

void timer_cancel(struct lthread *t)
{
	for (struct lthread **pp = &timers; *pp; pp = &(*pp)->timer_next) {
		if (*pp == t) {
			*pp = t->timer_next;
			t->timer_next = NULL;
			break;
		}
	}
	timer_rearm();
}

void srv_timer(void)
{
	uint64_t now = plat_now_ns();
	while (timers && timers->wait.deadline <= now) {
		struct lthread *t = timers;
		timers = t->timer_next;
		t->timer_next = NULL;
		waitq_remove(t); /* a timed wait is over either way */
		syscall_retry(t);
	}
	timer_rearm();
	proc_reap_killed();
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
