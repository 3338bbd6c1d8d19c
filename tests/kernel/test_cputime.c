/* CPU time: THREAD_INFO (a thread's user and kernel time and its
 * preemptions, docs/kernel.md) and the idle time in the KIP.  The suite
 * runs under -icount: the TSC counts instructions, a nanosecond each. */
#include "kthread.h"

#define SELF_THREAD LX4_CAP_SELF_THREAD

struct times {
	uint64_t user, kern, preempts;
};

static struct times times_of(lx4_cap_t t)
{
	struct lx4_sysret r = lx4_thread_info(t);
	KEXPECT_EQ(r.err, 0);
	return (struct times){r.r1, r.r2, r.r3};
}

/* busy for ns without entering the kernel */
static void spin_ns(uint64_t ns)
{
	uint64_t end = now_ns() + ns;
	while (now_ns() < end)
		;
}

static uint64_t idle_ns(void)
{
	return lx4_kip_idle_ns(kip(), 0);
}

/* user time grows with work in user mode (the timer's interrupts are
 * kernel time, and little); slow system calls are kernel time */
KTEST(cputime_self)
{
	struct times a = times_of(SELF_THREAD);
	uint64_t t0 = now_ns();
	spin_ns(20 * MS);
	uint64_t wall = now_ns() - t0;
	struct times b = times_of(SELF_THREAD);
	KASSERT(b.user - a.user >= wall * 9 / 10);
	KASSERT(b.user - a.user <= wall);
	KASSERT(b.kern - a.kern < wall / 10);
	KEXPECT_EQ(b.preempts, a.preempts); /* nobody else wanted to run */
	/* CAP_INFO takes the slow path: a few hundred instructions each */
	lx4_cap_t ep = ep_new();
	for (int i = 0; i < 1000; i++)
		KEXPECT_EQ(lx4_cap_info(LX4_CAP_SELF_TASK, ep).err, 0);
	struct times c = times_of(SELF_THREAD);
	KASSERT(c.kern - b.kern >= 1000 * 50);
	KASSERT(c.user - b.user < c.kern - b.kern); /* the loop around them is short */
	/* our whole life: no more than the time since the test began */
	KASSERT(c.user + c.kern <= now_ns());
}

/* another thread's time is its own: a spinner of a lower priority runs
 * while we sleep, and only then; stopped, its time stands still */
KTEST(cputime_other_thread)
{
	victim_reset();
	lx4_cap_t t = thread_spawn(victim_spin, 0, 90, true);
	struct times a = times_of(t), me = times_of(SELF_THREAD);
	KEXPECT_EQ(a.user + a.kern, 0); /* not run yet: we are higher */
	uint64_t t0 = now_ns();
	sleep_ns(20 * MS);
	uint64_t wall = now_ns() - t0;
	struct times b = times_of(t), me2 = times_of(SELF_THREAD);
	KASSERT(b.user >= wall * 8 / 10);
	KASSERT(b.user + b.kern <= wall);
	KASSERT(me2.user + me2.kern - me.user - me.kern < wall / 10);
	/* each of our wake-ups took the CPU from it */
	KASSERT(b.preempts >= 1);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_STOP, 0).err, 0);
	struct times c = times_of(t);
	sleep_ns(5 * MS);
	struct times d = times_of(t);
	KEXPECT_EQ(d.user, c.user);
	KEXPECT_EQ(d.kern, c.kern);
	KEXPECT_EQ(d.preempts, c.preempts);
}

/* two spinners of one priority share the CPU by the timer's round robin:
 * both run, both are preempted, and their times add up to the time we
 * slept */
KTEST(cputime_round_robin)
{
	victim_reset();
	lx4_cap_t a = thread_spawn(victim_spin, 0, 90, true), b = thread_spawn(victim_spin, 0, 90, true);
	uint64_t t0 = now_ns();
	sleep_ns(60 * MS);
	uint64_t wall = now_ns() - t0;
	KEXPECT_EQ(lx4_exregs(a, LX4_EXREGS_STOP, 0).err, 0);
	KEXPECT_EQ(lx4_exregs(b, LX4_EXREGS_STOP, 0).err, 0);
	struct times ta = times_of(a), tb = times_of(b);
	KASSERT(ta.user >= wall / 4 && tb.user >= wall / 4);
	KASSERT(ta.user + ta.kern + tb.user + tb.kern <= wall + 1 * MS);
	KASSERT(ta.user + tb.user >= wall * 8 / 10);
	KASSERT(ta.preempts >= 2 && tb.preempts >= 2); /* slices of 10 ms */
}

/* a thread that never ran has no time; one in another task has its own */
KTEST(cputime_new_and_foreign_task)
{
	lx4_cap_t t = thread_spawn(victim_spin, 0, 90, false);
	struct times z = times_of(t);
	KEXPECT_EQ(z.user, 0);
	KEXPECT_EQ(z.kern, 0);
	KEXPECT_EQ(z.preempts, 0);
	victim_reset();
	struct child c;
	task_spawn(&c, victim_spin, 0, 0, 0, false);
	KEXPECT_EQ(lx4_thread_config(c.thread, LX4_TCFG_PRIORITY, 90), 0);
	KEXPECT_EQ(lx4_exregs(c.thread, LX4_EXREGS_START, 0).err, 0);
	sleep_ns(10 * MS);
	KEXPECT_EQ(lx4_exregs(c.thread, LX4_EXREGS_STOP, 0).err, 0);
	struct times ct = times_of(c.thread);
	KASSERT(ct.user >= 5 * MS);
	child_destroy(&c);
}

/* the KIP's idle time grows while nothing runs, and only then */
KTEST(cputime_idle)
{
	uint64_t a = idle_ns();
	spin_ns(10 * MS);
	uint64_t b = idle_ns();
	KEXPECT_EQ(b, a);
	uint64_t t0 = now_ns();
	sleep_ns(20 * MS);
	uint64_t wall = now_ns() - t0, c = idle_ns();
	KASSERT(c - b >= wall * 9 / 10);
	KASSERT(c - b <= wall);
	KASSERT(c <= now_ns());
}

static void idle_thread(uint64_t arg)
{
	(void)arg;
	for (;;)
		sleep_ns(1000 * MS);
}

/* wrong objects, missing rights, dead threads, garbage in the arguments
 * the call does not take; nothing changes */
KTEST(cputime_hostile)
{
	lx4_cap_t th = thread_spawn(idle_thread, 0, 90, false), ep = ep_new();
	KEXPECT_EQ(lx4_thread_info(ep).err, -LX4_ETYPE);
	KEXPECT_EQ(lx4_thread_info(LX4_CAP_SELF_TASK).err, -LX4_ETYPE);
	static const uint64_t bad[] = {0, 0xffff, 1u << 20, 0xffffffffu, 0xfffffff2u, 1ull << 32 | SELF_THREAD, ~0ull};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
		KEXPECT_EQ(lx4_syscall(LX4_SYS_THREAD_INFO, bad[i], 0, 0, 0, 0, 0).err, -LX4_ECAP);
	/* every right but CONTROL is not enough */
	lx4_cap_t weak = cap_new();
	KEXPECT_EQ(lx4_cap_copy(LX4_CAP_SELF_TASK, weak, th, LX4_R_ALL & ~LX4_R_CONTROL, 0), 0);
	KEXPECT_EQ(lx4_thread_info(weak).err, -LX4_ERIGHTS);
	/* garbage where the call takes nothing is not looked at */
	struct lx4_sysret r = lx4_syscall(LX4_SYS_THREAD_INFO, th, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull);
	KEXPECT_EQ(r.err, 0);
	KEXPECT_EQ(r.r1 + r.r2 + r.r3, 0);
	/* a destroyed thread has no times to give */
	lx4_cap_t copy = cap_new();
	KEXPECT_EQ(lx4_cap_copy(LX4_CAP_SELF_TASK, copy, th, LX4_R_ALL, 0), 0);
	KEXPECT_EQ(lx4_cap_destroy(th), 0);
	KEXPECT_EQ(lx4_thread_info(copy).err, -LX4_EDEAD);
	KEXPECT_EQ(lx4_cap_delete(LX4_CAP_SELF_TASK, copy), 0);
	KEXPECT_EQ(lx4_thread_info(copy).err, -LX4_ECAP);
	/* and we are as we were */
	KEXPECT_EQ(lx4_thread_info(SELF_THREAD).err, 0);
	KEXPECT_EQ(lx4_cap_info(LX4_CAP_SELF_TASK, ep).r1, LX4_OBJ_ENDPOINT);
}
