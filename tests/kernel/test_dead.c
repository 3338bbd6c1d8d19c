/* Dead IPC partners: callees and endpoints destroyed under waiting
 * threads, callers destroyed under servers, reply timeouts. */
#include "kthread.h"

static volatile uint64_t got;

static bool is_dead(lx4_cap_t t)
{
	return lx4_exregs(t, 0, 0).err == -LX4_EDEAD;
}

/* receives one message, then ends (destroys itself) without replying */
static void recv_then_die(uint64_t ep)
{
	struct lx4_msg m;
	if (lx4_recv(ep, &m, LX4_TIMEOUT_NEVER) == 0)
		got = m.mr[0];
}

KTEST(dead_callee_gets_edead)
{
	lx4_cap_t ep = ep_new();
	got = 0;
	lx4_cap_t s = thread_spawn(recv_then_die, ep, 90, true);
	struct lx4_msg m = msg(1, 1, 0x5e, 0, 0);
	KEXPECT_EQ(lx4_call(ep, &m), -LX4_EDEAD);
	KEXPECT_EQ(got, 0x5e);
	KASSERT(is_dead(s));
	/* a reply timeout does not matter: EDEAD comes first */
	got = 0;
	thread_spawn(recv_then_die, ep, 90, true);
	m = msg(1, 1, 0x5f, 0, 0);
	KEXPECT_EQ(lx4_ipc(LX4_SYS_CALL, ep, &m, LX4_TIMEOUT_NEVER, 500 * MS), -LX4_EDEAD);
	KEXPECT_EQ(got, 0x5f);
}

static volatile uint64_t results[3], nresults;

static void client(uint64_t ep)
{
	struct lx4_msg m = msg(1, 1, 0, 0, 0);
	long e = lx4_call(ep, &m);
	results[__atomic_fetch_add(&nresults, 1, __ATOMIC_RELAXED)] = (uint64_t)e;
}

static volatile uint64_t held;

/* receives three calls without replying, then waits elsewhere */
static void holding_server(uint64_t ep)
{
	struct lx4_msg m;
	for (unsigned i = 0; i < 3; i++)
		if (lx4_recv(ep, &m, LX4_TIMEOUT_NEVER) == 0)
			held++;
	lx4_cap_t other = ep_new();
	lx4_recv(other, &m, LX4_TIMEOUT_NEVER);
}

/* a server holding three callers dies: all three get EDEAD */
KTEST(dead_callee_with_many_callers)
{
	lx4_cap_t ep = ep_new();
	nresults = held = 0;
	lx4_cap_t s = thread_spawn(holding_server, ep, 95, true);
	lx4_cap_t c[3];
	for (unsigned i = 0; i < 3; i++)
		c[i] = thread_spawn(client, ep, 90, true);
	for (unsigned i = 0; i < 3; i++)
		KASSERT(wait_state(c[i], LX4_TSTATE_REPLY, 1000 * MS));
	KASSERT(wait_state(s, LX4_TSTATE_RECV, 1000 * MS));
	KEXPECT_EQ(held, 3);
	KEXPECT_EQ(lx4_cap_destroy(s), 0);
	while (nresults < 3 && !wait_nz(&results[2], 1000 * MS))
		;
	KEXPECT_EQ(nresults, 3);
	for (unsigned i = 0; i < 3; i++) {
		KEXPECT_EQ(results[i], -LX4_EDEAD);
		KASSERT(is_dead(c[i])); /* they ended normally after the call */
	}
}

/* the server's task is destroyed (by the server itself) under a caller */
static void server_kills_its_task(uint64_t ep)
{
	struct lx4_msg m;
	if (lx4_recv(ep, &m, LX4_TIMEOUT_NEVER) == 0)
		got = m.mr[0];
	lx4_cap_destroy(LX4_CAP_SELF_TASK);
	got = 0xbad; /* never */
}

KTEST(dead_callee_task_destroyed)
{
	lx4_cap_t ep = ep_new();
	struct child c;
	got = 0;
	task_spawn(&c, server_kills_its_task, 1, 0, 0, false);
	KEXPECT_EQ(lx4_cap_copy(c.task, 1, ep, LX4_R_RECV, 0), 0);
	KEXPECT_EQ(lx4_exregs(c.thread, LX4_EXREGS_START, 0).err, 0);
	struct lx4_msg m = msg(1, 1, 0x7a5c, 0, 0);
	KEXPECT_EQ(lx4_call(ep, &m), -LX4_EDEAD);
	KEXPECT_EQ(got, 0x7a5c);
	KEXPECT_EQ(lx4_cap_info(LX4_CAP_SELF_TASK, c.task).r1, LX4_OBJ_TASK | 1 << 8);
	KASSERT(is_dead(c.thread));
	KEXPECT_EQ(lx4_task_info(c.task).r3, 0);
	KEXPECT_EQ(lx4_cap_delete(LX4_CAP_SELF_TASK, c.thread), 0);
	KEXPECT_EQ(lx4_cap_delete(LX4_CAP_SELF_TASK, c.task), 0);
}

static volatile uint64_t ep_result[3], ep_done[3];
static void ep_recv(uint64_t ep)
{
	struct lx4_msg m;
	ep_result[0] = lx4_recv(ep, &m, LX4_TIMEOUT_NEVER);
	ep_done[0] = 1;
}
static void ep_send(uint64_t ep)
{
	struct lx4_msg m = msg(1, 0, 0, 0, 0);
	ep_result[1] = lx4_send(ep, &m, LX4_TIMEOUT_NEVER);
	ep_done[1] = 1;
}
static void ep_call(uint64_t ep)
{
	struct lx4_msg m = msg(1, 0, 0, 0, 0);
	ep_result[2] = lx4_call(ep, &m);
	ep_done[2] = 1;
}

/* destroying an endpoint wakes its receivers and senders with EDEAD;
 * every later operation on it fails with EDEAD */
KTEST(dead_endpoint)
{
	lx4_cap_t ep = ep_new(), ep2 = ep_new(), copy = cap_new();
	KEXPECT_EQ(lx4_cap_copy(LX4_CAP_SELF_TASK, copy, ep, LX4_R_ALL, 0), 0);
	for (unsigned i = 0; i < 3; i++)
		ep_done[i] = ep_result[i] = 0;
	lx4_cap_t r = thread_spawn(ep_recv, ep, 90, true);
	KASSERT(wait_state(r, LX4_TSTATE_RECV, 1000 * MS));
	lx4_cap_t s = thread_spawn(ep_send, ep2, 90, true);
	lx4_cap_t c = thread_spawn(ep_call, ep2, 90, true);
	KASSERT(wait_state(s, LX4_TSTATE_SEND, 1000 * MS));
	KASSERT(wait_state(c, LX4_TSTATE_SEND, 1000 * MS));
	KEXPECT_EQ(lx4_cap_destroy(ep), 0);
	KEXPECT_EQ(lx4_cap_destroy(ep2), 0);
	for (unsigned i = 0; i < 3; i++) {
		KEXPECT_EQ(wait_nz(&ep_done[i], 1000 * MS), 1);
		KEXPECT_EQ(ep_result[i], -LX4_EDEAD);
	}
	/* the slot is empty; a copy sees a dead object */
	KEXPECT_EQ(lx4_cap_info(LX4_CAP_SELF_TASK, ep).err, -LX4_ECAP);
	KEXPECT_EQ(lx4_cap_info(LX4_CAP_SELF_TASK, copy).r1, LX4_OBJ_ENDPOINT | 1 << 8);
	struct lx4_msg m = msg(1, 0, 0, 0, 0);
	KEXPECT_EQ(lx4_send(copy, &m, LX4_TIMEOUT_ZERO), -LX4_EDEAD);
	KEXPECT_EQ(lx4_send(copy, &m, LX4_TIMEOUT_NEVER), -LX4_EDEAD);
	KEXPECT_EQ(lx4_recv(copy, &m, LX4_TIMEOUT_NEVER), -LX4_EDEAD);
	m = msg(1, 0, 0, 0, 0);
	KEXPECT_EQ(lx4_call(copy, &m), -LX4_EDEAD);
	m = msg(1, 0, 0, 0, 0);
	KEXPECT_EQ(lx4_reply_recv(copy, &m, LX4_TIMEOUT_NEVER), -LX4_EDEAD);
	KEXPECT_EQ(lx4_cap_destroy(copy), -LX4_EDEAD); /* dead already: delete the cap instead */
	KEXPECT_EQ(lx4_cap_delete(LX4_CAP_SELF_TASK, copy), 0);
	/* a dead endpoint as pager or handler */
	lx4_cap_t d = cap_new();
	lx4_cap_t e3 = ep_new();
	KEXPECT_EQ(lx4_cap_copy(LX4_CAP_SELF_TASK, d, e3, LX4_R_ALL, 0), 0);
	KEXPECT_EQ(lx4_cap_destroy(e3), 0);
	KEXPECT_EQ(lx4_thread_config(LX4_CAP_SELF_THREAD, LX4_TCFG_HANDLER, d), -LX4_EDEAD);
}

static volatile uint64_t srv_state;

/* receives one call and holds it */
static void hold_one(uint64_t ep)
{
	struct lx4_msg m;
	if (lx4_recv(ep, &m, LX4_TIMEOUT_NEVER) == 0)
		srv_state = 1;
	lx4_cap_t other = ep_new();
	lx4_recv(other, &m, LX4_TIMEOUT_NEVER);
}

/* a call already received does not depend on the endpoint any more */
KTEST(dead_endpoint_after_receive)
{
	lx4_cap_t ep = ep_new();
	struct lx4_msg m;
	lx4_cap_t c = thread_spawn(ep_call, ep, 90, true);
	ep_done[2] = 0;
	KEXPECT_EQ(lx4_recv(ep, &m, 1000 * MS), 0);
	KEXPECT_EQ(lx4_cap_destroy(ep), 0);
	KEXPECT_EQ(thread_state(c), LX4_TSTATE_REPLY);
	m = msg(0, 1, 0x42, 0, 0);
	KEXPECT_EQ(lx4_reply_to(c, &m), 0);
	KEXPECT_EQ(wait_nz(&ep_done[2], 1000 * MS), 1);
	KEXPECT_EQ(ep_result[2], 0);
}

/* the caller dies while the server holds its call */
KTEST(dead_caller)
{
	lx4_cap_t ep = ep_new(), copy = cap_new();
	struct lx4_msg m;
	lx4_cap_t c = thread_spawn(ep_call, ep, 90, true);
	KEXPECT_EQ(lx4_cap_copy(LX4_CAP_SELF_TASK, copy, c, LX4_R_ALL, 0), 0);
	KEXPECT_EQ(lx4_recv(ep, &m, 1000 * MS), 0);
	KEXPECT_EQ(lx4_cap_destroy(c), 0);
	m = msg(0, 1, 1, 0, 0);
	KEXPECT_EQ(lx4_reply_to(copy, &m), -LX4_EDEAD);
	/* dropping the last cap frees it; REPLY_RECV has no target left
	 * (it must not reply into the freed thread) */
	KEXPECT_EQ(lx4_cap_delete(LX4_CAP_SELF_TASK, copy), 0);
	for (unsigned i = 0; i < 10; i++)
		ep_new(); /* reuse freed kernel memory */
	m = msg(0, 7, 1, 2, 3);
	KEXPECT_EQ(lx4_reply_recv(ep, &m, 5 * MS), -LX4_ETIMEOUT);
	/* the same with the caller's task destroyed */
	struct child ch;
	task_spawn(&ch, ep_call, 1, 0, 0, false);
	KEXPECT_EQ(lx4_cap_copy(ch.task, 1, ep, LX4_R_SEND, 0), 0);
	KEXPECT_EQ(lx4_exregs(ch.thread, LX4_EXREGS_START, 0).err, 0);
	KEXPECT_EQ(lx4_recv(ep, &m, 1000 * MS), 0);
	child_destroy(&ch);
	for (unsigned i = 0; i < 10; i++)
		ep_new();
	m = msg(0, 7, 1, 2, 3);
	KEXPECT_EQ(lx4_reply_recv(ep, &m, 5 * MS), -LX4_ETIMEOUT);
}

KTEST(dead_reply_timeout)
{
	lx4_cap_t ep = ep_new();
	srv_state = 0;
	lx4_cap_t s = thread_spawn(hold_one, ep, 90, true);
	struct lx4_msg m = msg(1, 1, 3, 0, 0);
	uint64_t t0 = now_ns();
	KEXPECT_EQ(lx4_ipc(LX4_SYS_CALL, ep, &m, LX4_TIMEOUT_NEVER, 20 * MS), -LX4_ETIMEOUT);
	uint64_t dt = now_ns() - t0;
	KASSERT(dt >= 20 * MS);
	KASSERT(dt < 1000 * MS);
	KEXPECT_EQ(srv_state, 1);
	KEXPECT_EQ(thread_state(s), LX4_TSTATE_RECV);
	/* nobody receiving: the send phase has its own timeout (rdx); the
	 * reply timeout only starts once the message is received */
	lx4_cap_t ep2 = ep_new();
	m = msg(1, 1, 3, 0, 0);
	t0 = now_ns();
	KEXPECT_EQ(lx4_ipc(LX4_SYS_CALL, ep2, &m, 10 * MS, 1 * MS), -LX4_ETIMEOUT);
	KASSERT(now_ns() - t0 >= 10 * MS);
}

static void call_with_timeout(uint64_t ep)
{
	struct lx4_msg m = msg(1, 0, 0, 0, 0);
	ep_result[2] = lx4_ipc(LX4_SYS_CALL, ep, &m, LX4_TIMEOUT_NEVER, 5 * MS);
	ep_done[2] = 1;
	lx4_cap_t other = ep_new();
	lx4_recv(other, &m, LX4_TIMEOUT_NEVER);
}

/* the server replies after the caller gave up: ESTATE, and the caller,
 * now waiting elsewhere, is not disturbed */
KTEST(dead_reply_after_timeout)
{
	lx4_cap_t ep = ep_new();
	struct lx4_msg m;
	ep_done[2] = 0;
	lx4_cap_t c = thread_spawn(call_with_timeout, ep, 90, true);
	KEXPECT_EQ(lx4_recv(ep, &m, 1000 * MS), 0);
	KEXPECT_EQ(thread_state(c), LX4_TSTATE_REPLY);
	KEXPECT_EQ(wait_nz(&ep_done[2], 1000 * MS), 1);
	KEXPECT_EQ(ep_result[2], -LX4_ETIMEOUT);
	KASSERT(wait_state(c, LX4_TSTATE_RECV, 1000 * MS));
	m = msg(0, 1, 9, 0, 0);
	KEXPECT_EQ(lx4_reply_to(c, &m), -LX4_ESTATE);
	m = msg(0, 1, 9, 0, 0);
	KEXPECT_EQ(lx4_reply_recv(ep, &m, 5 * MS), -LX4_ETIMEOUT);
	KEXPECT_EQ(thread_state(c), LX4_TSTATE_RECV);
}

static void echo_server(uint64_t ep)
{
	struct lx4_msg m;
	long e = lx4_recv(ep, &m, LX4_TIMEOUT_NEVER);
	while (e == 0) {
		m.mr[0]++;
		e = lx4_reply_recv(ep, &m, LX4_TIMEOUT_NEVER);
	}
}

/* a reply in time cancels the reply timeout: it does not fire later */
KTEST(dead_reply_timeout_cancelled_by_reply)
{
	lx4_cap_t ep = ep_new(), quiet = ep_new();
	thread_spawn(echo_server, ep, 95, true);
	for (uint64_t i = 0; i < 50; i++) {
		struct lx4_msg m = msg(1, 1, i, 0, 0);
		KEXPECT_EQ(lx4_ipc(LX4_SYS_CALL, ep, &m, LX4_TIMEOUT_NEVER, 20 * MS), 0);
		KEXPECT_EQ(m.mr[0], i + 1);
	}
	struct lx4_msg m;
	uint64_t t0 = now_ns();
	KEXPECT_EQ(lx4_recv(quiet, &m, 60 * MS), -LX4_ETIMEOUT);
	KASSERT(now_ns() - t0 >= 60 * MS);
	/* a lower-priority server too (the reply comes after a switch) */
	lx4_cap_t ep2 = ep_new();
	thread_spawn(echo_server, ep2, 90, true);
	m = msg(1, 1, 5, 0, 0);
	KEXPECT_EQ(lx4_ipc(LX4_SYS_CALL, ep2, &m, LX4_TIMEOUT_NEVER, 20 * MS), 0);
	KEXPECT_EQ(m.mr[0], 6);
	t0 = now_ns();
	KEXPECT_EQ(lx4_recv(quiet, &m, 40 * MS), -LX4_ETIMEOUT);
	KASSERT(now_ns() - t0 >= 40 * MS);
}
