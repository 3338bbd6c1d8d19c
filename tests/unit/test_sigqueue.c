/* Unit tests of the pending signal queues (server/proc/signal.c, through kill,
 * tkill, rt_sigqueueinfo, rt_sigprocmask, rt_sigpending, rt_sigtimedwait,
 * rt_sigaction and rt_sigreturn) on the fake platform: a standard signal
 * pending once, real-time ones queued with their siginfo in order, the
 * order signals are taken in, the queue's limit, ignored signals dropped,
 * a timed wait ended by the timer or a signal, and a handler entered by
 * the reply to a call and left by rt_sigreturn. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "srv_test.h"

#define SET  USER_BASE            /* a signal set */
#define INFO (USER_BASE + PAGE)   /* a siginfo_t */
#define TS   (USER_BASE + 2 * PAGE) /* a struct __kernel_timespec */

static void sigmask(int pid, int how, uint64_t set)
{
	user_put(pid, SET, &set, 8);
	assert_int_equal(SYS(pid, __NR_rt_sigprocmask, (uint64_t)how, SET, 0, 8), 0);
}

static uint64_t pending(int pid)
{
	assert_int_equal(SYS(pid, __NR_rt_sigpending, SET, 8), 0);
	return user_u64(pid, SET);
}

/* rt_sigtimedwait for set, without waiting: the signal taken (its siginfo
 * in *info) or -EAGAIN */
static long take(int pid, uint64_t set, siginfo_t *info)
{
	struct __kernel_timespec ts = {0, 0};
	user_put(pid, SET, &set, 8);
	user_put(pid, TS, &ts, sizeof ts);
	long sig = SYS(pid, __NR_rt_sigtimedwait, SET, INFO, TS, 8);
	if (sig > 0)
		user_get(pid, INFO, info, sizeof *info);
	return sig;
}

static long queue(int pid, int to, int sig, int value)
{
	siginfo_t si = {0};
	si.si_code = SI_QUEUE;
	si.si_int = value;
	user_put(pid, INFO, &si, sizeof si);
	return SYS(pid, __NR_rt_sigqueueinfo, (uint64_t)to, (uint64_t)sig, INFO);
}

static int queued(int pid)
{
	int limit;
	return signal_queued(proc_by_pid(pid), &limit);
}

/* a standard signal sent twice while blocked is pending once, with the
 * first one's siginfo */
static void test_standard_coalesces(void **state)
{
	(void)state;
	int pid = srv_host_spawn();
	sigmask(pid, SIG_BLOCK, SIGBIT(SIGUSR1));
	assert_int_equal(SYS(pid, __NR_kill, (uint64_t)pid, SIGUSR1), 0);
	assert_int_equal(SYS(pid, __NR_kill, (uint64_t)pid, SIGUSR1), 0);
	assert_int_equal(pending(pid), SIGBIT(SIGUSR1));
	assert_int_equal(queued(pid), 1);
	siginfo_t si;
	assert_int_equal(take(pid, SIGBIT(SIGUSR1), &si), SIGUSR1);
	assert_int_equal(si.si_signo, SIGUSR1);
	assert_int_equal(si.si_code, SI_USER);
	assert_int_equal(si.si_pid, pid);
	assert_int_equal(take(pid, SIGBIT(SIGUSR1), &si), -EAGAIN);
	assert_int_equal(pending(pid), 0);
	assert_int_equal(queued(pid), 0);
	srv_host_exit(pid);
	srv_end();
}

/* real-time signals queue every instance with its own siginfo, in the
 * order sent */
static void test_realtime_queue(void **state)
{
	(void)state;
	int pid = srv_host_spawn();
	int rt = SIGRTMIN;
	sigmask(pid, SIG_BLOCK, SIGBIT(rt));
	for (int v = 1; v <= 3; v++)
		assert_int_equal(queue(pid, pid, rt, v * 111), 0);
	assert_int_equal(queued(pid), 3);
	assert_int_equal(pending(pid), SIGBIT(rt));
	for (int v = 1; v <= 3; v++) {
		siginfo_t si;
		assert_int_equal(take(pid, SIGBIT(rt), &si), rt);
		assert_int_equal(si.si_signo, rt);
		assert_int_equal(si.si_code, SI_QUEUE);
		assert_int_equal(si.si_int, v * 111);
		/* the bit stays while instances are left */
		assert_int_equal(pending(pid), v < 3 ? SIGBIT(rt) : 0);
	}
	siginfo_t si;
	assert_int_equal(take(pid, SIGBIT(rt), &si), -EAGAIN);
	srv_host_exit(pid);
	srv_end();
}

/* the order they are taken in: the thread's own first, then the
 * process's; in each the synchronous ones (faults) first, then the lowest
 * number */
static void test_dequeue_order(void **state)
{
	(void)state;
	int pid = srv_host_spawn();
	int rt = SIGRTMIN;
	const int sent[] = {SIGUSR2, rt + 1, SIGUSR1, SIGSEGV, rt, SIGHUP};
	uint64_t set = 0;
	for (unsigned i = 0; i < 6; i++)
		set |= SIGBIT(sent[i]);
	sigmask(pid, SIG_BLOCK, set | SIGBIT(SIGTERM));
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(SYS(pid, __NR_kill, (uint64_t)pid, (uint64_t)sent[i]), 0);
	assert_int_equal(SYS(pid, __NR_tkill, (uint64_t)pid, SIGTERM), 0); /* to the thread */
	assert_int_equal(pending(pid), set | SIGBIT(SIGTERM));
	static const int want[] = {SIGTERM, SIGSEGV, SIGHUP, SIGUSR1, SIGUSR2, 0, 0};
	for (unsigned i = 0; i < 7; i++) {
		siginfo_t si;
		int expect = i < 5 ? want[i] : i == 5 ? rt : rt + 1;
		assert_int_equal(take(pid, set | SIGBIT(SIGTERM), &si), expect);
		assert_int_equal(si.si_code, expect == SIGTERM ? SI_TKILL : SI_USER);
	}
	srv_host_exit(pid);
	srv_end();
}

/* at most SIGQUEUE_MAX (1024) siginfo queued: past it rt_sigqueueinfo is
 * refused (EAGAIN), while kill's signals are taken without their siginfo
 * (what is taken then reads as SI_USER from pid 0) */
static void test_queue_limit(void **state)
{
	(void)state;
	int pid = srv_host_spawn();
	int rt = SIGRTMIN, limit;
	sigmask(pid, SIG_BLOCK, SIGBIT(rt) | SIGBIT(rt + 1) | SIGBIT(SIGUSR1));
	for (int v = 0; v < 1024; v++)
		assert_int_equal(queue(pid, pid, rt, v), 0);
	assert_int_equal(queue(pid, pid, rt, 1024), -EAGAIN);
	assert_int_equal(signal_queued(proc_by_pid(pid), &limit), 1024);
	assert_int_equal(limit, 1024);
	assert_int_equal(SYS(pid, __NR_kill, (uint64_t)pid, (uint64_t)rt + 1), 0);
	assert_int_equal(SYS(pid, __NR_kill, (uint64_t)pid, SIGUSR1), 0);
	assert_int_equal(queued(pid), 1024);
	assert_int_equal(pending(pid), SIGBIT(rt) | SIGBIT(rt + 1) | SIGBIT(SIGUSR1));
	siginfo_t si;
	assert_int_equal(take(pid, SIGBIT(SIGUSR1), &si), SIGUSR1);
	assert_int_equal(si.si_code, SI_USER);
	assert_int_equal(si.si_pid, 0);
	for (int v = 0; v < 1024; v++) {
		assert_int_equal(take(pid, SIGBIT(rt), &si), rt);
		assert_int_equal(si.si_int, v);
	}
	assert_int_equal(take(pid, SIGBIT(rt + 1), &si), rt + 1);
	assert_int_equal(si.si_code, SI_USER);
	assert_int_equal(si.si_pid, 0);
	assert_int_equal(queued(pid), 0);
	/* room again */
	assert_int_equal(queue(pid, pid, rt, 7), 0);
	assert_int_equal(queued(pid), 1);
	srv_host_exit(pid);
	srv_end();
}

/* another process may not claim a kernel or kill siginfo (si_code >= 0) */
static void test_sigqueueinfo_checks(void **state)
{
	(void)state;
	int pid = srv_host_spawn();
	int c = srv_fork(pid);
	siginfo_t si = {0};
	si.si_code = SI_USER;
	user_put(pid, INFO, &si, sizeof si);
	assert_int_equal(SYS(pid, __NR_rt_sigqueueinfo, (uint64_t)c, SIGUSR1, INFO), -EPERM);
	assert_int_equal(SYS(pid, __NR_rt_sigqueueinfo, 99999, SIGUSR1, INFO), -EPERM);
	assert_int_equal(queue(pid, 99999, SIGUSR1, 0), -ESRCH);
	assert_int_equal(queue(pid, c, 65, 0), -EINVAL);
	assert_int_equal(SYS(c, __NR_exit_group, 0), FAKE_NOREPLY);
	assert_int_equal(srv_wait(pid, c), 0);
	srv_host_exit(pid);
	srv_end();
}

/* an ignored signal is dropped when sent; a blocked one is kept even
 * if ignored, and dropped when it is unblocked or its action set to
 * SIG_IGN */
static void test_ignored_dropped(void **state)
{
	(void)state;
	int pid = srv_host_spawn();
	srv_sigaction(pid, SIGUSR1, SIG_IGN_L, 0);
	assert_int_equal(SYS(pid, __NR_kill, (uint64_t)pid, SIGUSR1), 0);
	assert_int_equal(queued(pid), 0);
	sigmask(pid, SIG_BLOCK, SIGBIT(SIGUSR1) | SIGBIT(SIGCHLD) | SIGBIT(SIGUSR2));
	assert_int_equal(SYS(pid, __NR_kill, (uint64_t)pid, SIGUSR1), 0);
	assert_int_equal(SYS(pid, __NR_kill, (uint64_t)pid, SIGCHLD), 0); /* ignored by default */
	assert_int_equal(SYS(pid, __NR_kill, (uint64_t)pid, SIGUSR2), 0);
	assert_int_equal(pending(pid), SIGBIT(SIGUSR1) | SIGBIT(SIGCHLD) | SIGBIT(SIGUSR2));
	sigmask(pid, SIG_UNBLOCK, SIGBIT(SIGUSR1) | SIGBIT(SIGCHLD));
	assert_int_equal(fake_last_reply()->kind, FAKE_SYSCALL); /* (no handler ran) */
	assert_int_equal(pending(pid), SIGBIT(SIGUSR2));
	srv_sigaction(pid, SIGUSR2, SIG_IGN_L, 0);
	assert_int_equal(pending(pid), 0);
	assert_int_equal(queued(pid), 0);
	assert_non_null(fake_thread(pid));
	srv_host_exit(pid);
	srv_end();
}

/* rt_sigtimedwait waits: the timer (plat_timer's deadline) ends it with
 * EAGAIN; a signal of its set sent meanwhile ends it with that signal */
static void test_timed_wait(void **state)
{
	(void)state;
	int pid = srv_host_spawn();
	int c = srv_fork(pid);
	const struct fake_thread *t = fake_thread(c);
	sigmask(c, SIG_BLOCK, SIGBIT(SIGUSR1));
	struct __kernel_timespec ts = {1, 0};
	uint64_t set = SIGBIT(SIGUSR1);
	user_put(c, SET, &set, 8);
	user_put(c, TS, &ts, sizeof ts);
	uint64_t now = fake_now();
	assert_int_equal(SYS(c, __NR_rt_sigtimedwait, SET, INFO, TS, 8), FAKE_NOREPLY);
	assert_int_equal(fake_deadline(), now + 1000000000ull);
	fake_advance(999999999);
	assert_int_equal(t->state, FAKE_T_WAITING);
	fake_advance(1);
	assert_int_equal(t->state, FAKE_T_RUNNING);
	assert_int_equal((long)t->last.rax, -EAGAIN);
	assert_true(t->last.later);
	assert_int_equal(fake_deadline(), 0);

	assert_int_equal(SYS(c, __NR_rt_sigtimedwait, SET, INFO, TS, 8), FAKE_NOREPLY);
	assert_int_equal(SYS(pid, __NR_kill, (uint64_t)c, SIGUSR1), 0);
	assert_non_null(fake_thread(c)); /* (the default action of SIGUSR1 is not taken: it is waited for) */
	assert_int_equal(t->state, FAKE_T_RUNNING);
	assert_int_equal(t->last.rax, SIGUSR1);
	siginfo_t si;
	user_get(c, INFO, &si, sizeof si);
	assert_int_equal(si.si_pid, pid);
	assert_int_equal(fake_deadline(), 0);
	assert_true(proc_by_pid(c)->thread->sigmask & SIGBIT(SIGUSR1)); /* its mask back */
	assert_int_equal(SYS(c, __NR_exit_group, 0), FAKE_NOREPLY);
	assert_int_equal(srv_wait(pid, c), 0);
	srv_host_exit(pid);
	srv_end();
}

/* a signal sent to itself with a handler: the call's reply enters the
 * handler (the registers a syscall reply sets), the signal blocked in it;
 * rt_sigreturn from the frame puts back the registers and the mask */
static void test_handler_and_sigreturn(void **state)
{
	(void)state;
	int pid = srv_host_spawn();
	srv_sigaction(pid, SIGUSR1, 0x404000, SA_SIGINFO);
	const struct fake_thread *t = fake_thread(pid);
	fake_set_reg(pid, PLAT_REG_RBX, 0x1234);
	assert_int_equal(SYS(pid, __NR_kill, (uint64_t)pid, SIGUSR1), FAKE_NOREPLY);
	const struct fake_reply *r = fake_last_reply();
	assert_int_equal(r->kind, FAKE_REGS);
	assert_int_equal(r->n, PLAT_SYSCALL_REGS);
	assert_int_equal(t->regs[PLAT_REG_RIP], 0x404000);
	assert_int_equal(t->regs[PLAT_REG_RDI], SIGUSR1);
	assert_true(t->fpu_init);
	siginfo_t si;
	user_get(pid, t->regs[PLAT_REG_RSI], &si, sizeof si);
	assert_int_equal(si.si_signo, SIGUSR1);
	assert_int_equal(si.si_code, SI_USER);
	assert_int_equal(si.si_pid, pid);
	assert_true(proc_by_pid(pid)->thread->sigmask & SIGBIT(SIGUSR1));
	assert_int_equal(queued(pid), 0);

	/* the handler returns to the restorer, which calls rt_sigreturn */
	fake_set_reg(pid, PLAT_REG_RBX, 0x5678);
	fake_set_reg(pid, PLAT_REG_RSP, t->regs[PLAT_REG_RSP] + 8);
	assert_int_equal(SYS(pid, __NR_rt_sigreturn), FAKE_NOREPLY);
	assert_int_equal(t->last.kind, FAKE_SET);
	assert_int_equal(t->state, FAKE_T_RUNNING);
	assert_int_equal(t->regs[PLAT_REG_RIP], USER_RIP);
	assert_int_equal(t->regs[PLAT_REG_RSP], USER_STACK);
	assert_int_equal(t->regs[PLAT_REG_RAX], 0); /* kill's result */
	assert_int_equal(t->regs[PLAT_REG_RBX], 0x1234);
	assert_false(proc_by_pid(pid)->thread->sigmask & SIGBIT(SIGUSR1));
	srv_host_exit(pid);
	srv_end();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_standard_coalesces, srv_begin),
		cmocka_unit_test_setup(test_realtime_queue, srv_begin),
		cmocka_unit_test_setup(test_dequeue_order, srv_begin),
		cmocka_unit_test_setup(test_queue_limit, srv_begin),
		cmocka_unit_test_setup(test_sigqueueinfo_checks, srv_begin),
		cmocka_unit_test_setup(test_ignored_dropped, srv_begin),
		cmocka_unit_test_setup(test_timed_wait, srv_begin),
		cmocka_unit_test_setup(test_handler_and_sigreturn, srv_begin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
