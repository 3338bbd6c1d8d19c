/* Scheduling: fixed priorities, preemption on wake-up, round robin by the
 * timer among equals, timeslices, yield, priority changes. */
#include "kthread.h"

static volatile uint64_t order[64], norder;

static void log_id(uint64_t id)
{
	order[__atomic_fetch_add(&norder, 1, __ATOMIC_RELAXED)] = id;
}

/* sleeps until n entries are logged (a second at most): lower threads run */
static void wait_logged(uint64_t n)
{
	uint64_t end = now_ns() + 1000 * MS;
	while (norder < n && now_ns() < end)
		sleep_ns(1 * MS);
}

/* busy for ns without entering the kernel */
static void spin_ns(uint64_t ns)
{
	uint64_t end = now_ns() + ns;
	while (now_ns() < end)
		;
}

/* ready threads of many priorities (across the bitmap's words) run
 * highest first, FIFO among equals, and never while we are running */
KTEST(sched_priority_order)
{
	static const unsigned prio[] = {60, 64, 63, 98, 1, 99, 65, 0, 64, 98, 2, 63, 32, 64};
	const unsigned n = sizeof prio / sizeof prio[0];
	norder = 0;
	for (unsigned i = 0; i < n; i++)
		thread_spawn(log_id, i, prio[i], true);
	/* busy (and interrupted by the timer): none of them runs */
	spin_ns(15 * MS);
	KEXPECT_EQ(norder, 0);
	wait_logged(n);
	KEXPECT_EQ(norder, n);
	for (unsigned i = 1; i < n; i++) {
		unsigned a = order[i - 1], b = order[i];
		if (prio[a] < prio[b] || (prio[a] == prio[b] && a > b))
			ktest_fail(__FILE__, __LINE__, "ran %u (prio %u) before %u (prio %u)", a, prio[a], b, prio[b]);
	}
}

static volatile uint64_t woke;
static void wait_and_mark(uint64_t ep)
{
	struct lx4_msg m;
	if (lx4_recv(ep, &m, LX4_TIMEOUT_NEVER) == 0)
		woke = m.mr[0];
}

/* a woken thread preempts the waker only if it has a higher priority */
KTEST(sched_wakeup_preemption)
{
	lx4_cap_t ep = ep_new(), ep2 = ep_new();
	woke = 0;
	lx4_cap_t h = thread_spawn(wait_and_mark, ep, 95, true);
	KASSERT(wait_state(h, LX4_TSTATE_RECV, 1000 * MS));
	struct lx4_msg m = msg(1, 1, 1, 0, 0);
	KEXPECT_EQ(lx4_send(ep, &m, LX4_TIMEOUT_ZERO), 0);
	KEXPECT_EQ(woke, 0); /* lower: still ours */
	KEXPECT_EQ(thread_state(h), LX4_TSTATE_READY);
	spin_ns(3 * MS);
	KEXPECT_EQ(woke, 0);
	/* lowering our own priority below it switches at once */
	KEXPECT_EQ(lx4_thread_config(LX4_CAP_SELF_THREAD, LX4_TCFG_PRIORITY, 90), 0);
	KEXPECT_EQ(woke, 1);
	/* we cannot get back up */
	KEXPECT_EQ(lx4_thread_config(LX4_CAP_SELF_THREAD, LX4_TCFG_PRIORITY, 100), -LX4_ERANGE);
	/* a higher-priority thread woken by our send runs before the send returns */
	woke = 0;
	lx4_cap_t h2 = thread_spawn(wait_and_mark, ep2, 90, false);
	KEXPECT_EQ(lx4_thread_config(h2, LX4_TCFG_PRIORITY, 91), -LX4_ERANGE);
	KEXPECT_EQ(lx4_thread_config(h2, LX4_TCFG_PRIORITY, 90), 0);
	KEXPECT_EQ(lx4_exregs(h2, LX4_EXREGS_START, 0).err, 0);
	KEXPECT_EQ(thread_state(h2), LX4_TSTATE_READY); /* equal: no preemption */
	KASSERT(wait_state(h2, LX4_TSTATE_RECV, 1000 * MS));
	KEXPECT_EQ(lx4_thread_config(LX4_CAP_SELF_THREAD, LX4_TCFG_PRIORITY, 80), 0);
	m = msg(1, 1, 2, 0, 0);
	KEXPECT_EQ(lx4_send(ep2, &m, LX4_TIMEOUT_ZERO), 0);
	KEXPECT_EQ(woke, 2);
}

static volatile uint64_t rr_iter[3], rr_turns[3], rr_last = 99, rr_maxseg[3];

/* busy forever: counts iterations, turns (runs after another thread ran)
 * and the longest run in timer ticks */
static void busy(uint64_t i)
{
	uint64_t seg0 = 0;
	for (;;) {
		rr_iter[i]++;
		if (rr_last != i) {
			rr_last = i;
			rr_turns[i]++;
			seg0 = kip()->ticks;
			continue;
		}
		uint64_t now = kip()->ticks;
		/* nobody else ran since the check: now is within this run */
		if (rr_last == i && now - seg0 > rr_maxseg[i])
			rr_maxseg[i] = now - seg0;
	}
}

static void busy_reset(void)
{
	rr_last = 99;
	for (unsigned i = 0; i < 3; i++)
		rr_iter[i] = rr_turns[i] = rr_maxseg[i] = 0;
}

/* equal priorities, no yields: the timer takes turns */
KTEST(sched_round_robin_by_timer)
{
	busy_reset();
	lx4_cap_t a = thread_spawn(busy, 0, 90, true);
	lx4_cap_t b = thread_spawn(busy, 1, 90, true);
	sleep_ns(120 * MS);
	KEXPECT_EQ(lx4_exregs(a, LX4_EXREGS_STOP, 0).err, 0);
	KEXPECT_EQ(lx4_exregs(b, LX4_EXREGS_STOP, 0).err, 0);
	KASSERT(rr_iter[0] > 0 && rr_iter[1] > 0);
	KASSERT(rr_turns[0] >= 3 && rr_turns[1] >= 3);
	/* the default slice: 10 ticks */
	KASSERT(rr_maxseg[0] <= 12 && rr_maxseg[1] <= 12);
	KASSERT(rr_maxseg[0] >= 7 || rr_maxseg[1] >= 7);
	/* and a thread at our own priority shares the CPU with us */
	busy_reset();
	lx4_cap_t c = thread_spawn(busy, 2, 100, true);
	uint64_t t0 = now_ns();
	while (rr_iter[2] == 0 && now_ns() - t0 < 500 * MS)
		;
	KASSERT(rr_iter[2] > 0);
	KEXPECT_EQ(lx4_exregs(c, LX4_EXREGS_STOP, 0).err, 0);
}

KTEST(sched_timeslice_lengths)
{
	busy_reset();
	lx4_cap_t t[3];
	static const unsigned slice[3] = {2, 25, 10};
	for (unsigned i = 0; i < 3; i++) {
		t[i] = thread_spawn(busy, i, 90, false);
		KEXPECT_EQ(lx4_thread_config(t[i], LX4_TCFG_TIMESLICE, slice[i]), 0);
	}
	for (unsigned i = 0; i < 3; i++)
		KEXPECT_EQ(lx4_exregs(t[i], LX4_EXREGS_START, 0).err, 0);
	sleep_ns(250 * MS);
	for (unsigned i = 0; i < 3; i++)
		KEXPECT_EQ(lx4_exregs(t[i], LX4_EXREGS_STOP, 0).err, 0);
	for (unsigned i = 0; i < 3; i++)
		KASSERT(rr_turns[i] >= 3);
	/* a run of n ticks shows n - 1 tick changes */
	if (rr_maxseg[0] > 3 || rr_maxseg[1] < 20 || rr_maxseg[1] > 26 || rr_maxseg[2] < 7 || rr_maxseg[2] > 11)
		ktest_fail(__FILE__, __LINE__, "longest runs %lu %lu %lu ticks for slices 2 25 10", rr_maxseg[0],
			   rr_maxseg[1], rr_maxseg[2]);
}

static void yielder(uint64_t id)
{
	for (unsigned i = 0; i < 20; i++) {
		log_id(id);
		lx4_yield();
	}
}

KTEST(sched_yield)
{
	/* two equals alternate strictly (long slices: no timer switches) */
	norder = 0;
	lx4_cap_t a = thread_spawn(yielder, 1, 90, false), b = thread_spawn(yielder, 2, 90, false);
	KEXPECT_EQ(lx4_thread_config(a, LX4_TCFG_TIMESLICE, 1000), 0);
	KEXPECT_EQ(lx4_thread_config(b, LX4_TCFG_TIMESLICE, 1000), 0);
	KEXPECT_EQ(lx4_exregs(a, LX4_EXREGS_START, 0).err, 0);
	KEXPECT_EQ(lx4_exregs(b, LX4_EXREGS_START, 0).err, 0);
	wait_logged(40);
	KEXPECT_EQ(norder, 40);
	for (unsigned i = 0; i < 40; i++)
		if (order[i] != 1 + i % 2)
			ktest_fail(__FILE__, __LINE__, "order[%u] = %lu", i, order[i]);
	/* alone, or with only lower priorities ready: yield returns to us */
	norder = 0;
	thread_spawn(log_id, 7, 99, true);
	for (unsigned i = 0; i < 100; i++)
		KEXPECT_EQ(lx4_yield(), 0);
	KEXPECT_EQ(norder, 0);
	/* with an equal one ready: it runs */
	thread_spawn(log_id, 8, 100, true);
	KEXPECT_EQ(lx4_yield(), 0);
	KEXPECT_EQ(norder, 1);
	KEXPECT_EQ(order[0], 8);
	wait_logged(2);
	KEXPECT_EQ(norder, 2);
	KEXPECT_EQ(order[1], 7);
}

/* changing the priority of a ready or blocked thread */
KTEST(sched_priority_change)
{
	norder = 0;
	lx4_cap_t a = thread_spawn(log_id, 1, 60, true);
	thread_spawn(log_id, 2, 70, true);
	lx4_cap_t c = thread_spawn(log_id, 3, 80, true);
	KEXPECT_EQ(lx4_thread_config(a, LX4_TCFG_PRIORITY, 90), 0); /* ready: moves up */
	KEXPECT_EQ(lx4_thread_config(c, LX4_TCFG_PRIORITY, 10), 0); /* and down */
	wait_logged(3);
	KEXPECT_EQ(norder, 3);
	KEXPECT_EQ(order[0], 1);
	KEXPECT_EQ(order[1], 2);
	KEXPECT_EQ(order[2], 3);
	/* blocked: runs at its new priority when woken */
	lx4_cap_t ep = ep_new();
	woke = 0;
	lx4_cap_t h = thread_spawn(wait_and_mark, ep, 50, true);
	KASSERT(wait_state(h, LX4_TSTATE_RECV, 1000 * MS));
	KEXPECT_EQ(lx4_thread_config(h, LX4_TCFG_PRIORITY, 100), 0);
	struct lx4_msg m = msg(1, 1, 3, 0, 0);
	KEXPECT_EQ(lx4_send(ep, &m, LX4_TIMEOUT_ZERO), 0);
	KEXPECT_EQ(woke, 0); /* equal to us: it waits for its turn */
	KEXPECT_EQ(lx4_yield(), 0);
	KEXPECT_EQ(woke, 3);
}

static lx4_cap_t other_thread, created;
static volatile uint64_t lo_results[4], lo_done;

/* runs at priority 50: may give others at most 50; creates a thread */
static void low_configurer(uint64_t arg)
{
	(void)arg;
	lo_results[0] = lx4_thread_config(other_thread, LX4_TCFG_PRIORITY, 51);
	lo_results[1] = lx4_thread_config(other_thread, LX4_TCFG_PRIORITY, 50);
	lo_results[2] = lx4_thread_config(LX4_CAP_SELF_THREAD, LX4_TCFG_PRIORITY, 51);
	lo_results[3] = lx4_thread_create(created, LX4_CAP_SELF_TASK);
	lo_done = 1;
}

KTEST(sched_priority_limit_is_the_callers)
{
	other_thread = thread_spawn(log_id, 0, 20, false);
	created = cap_new();
	lo_done = 0;
	thread_spawn(low_configurer, 0, 50, true);
	KEXPECT_EQ(wait_nz(&lo_done, 1000 * MS), 1);
	KEXPECT_EQ(lo_results[0], -LX4_ERANGE);
	KEXPECT_EQ(lo_results[1], 0);
	KEXPECT_EQ(lo_results[2], -LX4_ERANGE);
	KEXPECT_EQ(lo_results[3], 0);
	/* a new thread has its creator's priority (50): it runs after a
	 * ready thread at 60 and before one at 40 */
	norder = 0;
	thread_spawn(log_id, 1, 40, true);
	thread_spawn(log_id, 3, 60, true);
	lx4_cap_t t = created;
	uint64_t ua = utcb_new();
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_UTCB, ua), 0);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_FSBASE, ua), 0);
	struct lx4_utcb *u = lx4_utcb();
	u->mr[LX4_REG_RIP] = (uint64_t)log_id;
	u->mr[LX4_REG_RDI] = 2;
	u->mr[LX4_REG_RSP] = (uint64_t)page_new() + 4088;
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_WRITE | LX4_EXREGS_START,
			      1ull << LX4_REG_RIP | 1ull << LX4_REG_RDI | 1ull << LX4_REG_RSP)
		       .err,
		   0);
	wait_logged(3);
	KEXPECT_EQ(norder, 3);
	KEXPECT_EQ(order[0], 3);
	KEXPECT_EQ(order[1], 2);
	KEXPECT_EQ(order[2], 1);
}

/* a high-priority sleeper wakes on time though lower threads are busy */
KTEST(sched_timeout_preempts_busy_threads)
{
	busy_reset();
	lx4_cap_t a = thread_spawn(busy, 0, 90, true), b = thread_spawn(busy, 1, 90, true);
	for (unsigned i = 0; i < 10; i++) {
		uint64_t t0 = now_ns();
		sleep_ns(3 * MS);
		uint64_t dt = now_ns() - t0;
		if (dt < 3 * MS || dt > 500 * MS) /* (host stalls aside: within a few ticks) */
			ktest_fail(__FILE__, __LINE__, "slept %lu ns for 3 ms", dt);
	}
	KASSERT(rr_iter[0] > 0 || rr_iter[1] > 0);
	KEXPECT_EQ(lx4_cap_destroy(a), 0);
	KEXPECT_EQ(lx4_cap_destroy(b), 0);
}

static void sleep_then_log(uint64_t ms)
{
	sleep_ns(ms * MS);
	log_id(ms);
}

/* timeouts expire in deadline order, not in the order they were armed */
KTEST(sched_timeouts_in_deadline_order)
{
	static const unsigned ms[] = {17, 5, 11, 2, 14, 8, 20};
	const unsigned n = sizeof ms / sizeof ms[0];
	norder = 0;
	for (unsigned i = 0; i < n; i++)
		thread_spawn(sleep_then_log, ms[i], 90, true);
	wait_logged(n);
	KEXPECT_EQ(norder, n);
	for (unsigned i = 1; i < n; i++)
		if (order[i - 1] > order[i])
			ktest_fail(__FILE__, __LINE__, "woke after %lu ms before the one after %lu ms", order[i - 1],
				   order[i]);
}

static volatile uint64_t huge_result, huge_done;
static void recv_huge(uint64_t ep)
{
	struct lx4_msg m;
	huge_result = lx4_recv(ep, &m, ~0ull - 1); /* not NEVER, but as good as */
	huge_done = 1;
}

/* a huge relative timeout does not wrap around to the past */
KTEST(sched_huge_timeout_does_not_wrap)
{
	lx4_cap_t ep = ep_new();
	huge_done = 0;
	lx4_cap_t t = thread_spawn(recv_huge, ep, 90, true);
	sleep_ns(20 * MS);
	KEXPECT_EQ(huge_done, 0);
	KEXPECT_EQ(thread_state(t), LX4_TSTATE_RECV);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_ABORT, 0).err, 0);
	KEXPECT_EQ(wait_nz(&huge_done, 1000 * MS), 1);
	KEXPECT_EQ(huge_result, -LX4_EABORT);
}

/* the clock: ticks and nanoseconds advance together */
KTEST(sched_clock_and_ticks)
{
	uint64_t t0 = now_ns(), k0 = kip()->ticks;
	sleep_ns(50 * MS);
	uint64_t dt = now_ns() - t0, dk = kip()->ticks - k0;
	KASSERT(dt >= 50 * MS);
	KASSERT(dk >= 5 && dk <= dt / MS + 5); /* a stalled host may merge ticks, never add */
	KEXPECT_EQ(kip()->tick_ns, 1000000);
	/* monotonic */
	uint64_t prev = now_ns();
	for (unsigned i = 0; i < 10000; i++) {
		uint64_t t = now_ns();
		KASSERT(t >= prev);
		prev = t;
	}
}
