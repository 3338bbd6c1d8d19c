/* IPC: call, reply-and-wait, send, receive, badges, long messages. */
#include "ktest.h"

static volatile uint64_t g_seen;

/* a server: replies to each call with MR0+1 and MR6*2 */
static void adder(uint64_t ep)
{
	struct lx4_msg m;
	long e = lx4_recv(ep, &m, LX4_TIMEOUT_NEVER);
	while (e == 0) {
		g_seen = m.badge;
		m.mr[0] += 1;
		m.mr[6] *= 2;
		m.tag = lx4_tag(lx4_tag_label(m.tag) + 1, 7, 0);
		e = lx4_reply_recv(ep, &m, LX4_TIMEOUT_NEVER);
	}
}

KTEST(ipc_call_same_task)
{
	lx4_cap_t ep = ep_new();
	thread_spawn(adder, ep, 100, true);
	for (uint64_t i = 0; i < 100; i++) {
		struct lx4_msg m = msg(7, 7, i, 0, 0);
		m.mr[6] = i;
		KEXPECT_EQ(lx4_call(ep, &m), 0);
		KEXPECT_EQ(m.mr[0], i + 1);
		KEXPECT_EQ(m.mr[6], 2 * i);
		KEXPECT_EQ(lx4_tag_label(m.tag), 8);
		KEXPECT_EQ(lx4_tag_untyped(m.tag), 7);
	}
}

KTEST(ipc_call_cross_task)
{
	lx4_cap_t ep = ep_new();
	struct child c;
	task_spawn(&c, adder, 0, 0, 0, false);
	/* the child finds the endpoint in its slot 1 */
	KEXPECT_EQ(lx4_cap_copy(c.task, 1, ep, LX4_R_RECV, 0), 0);
	struct lx4_utcb *u = lx4_utcb();
	u->mr[LX4_REG_RDI] = (uint64_t)adder;
	u->mr[LX4_REG_RSI] = 1;
	KEXPECT_EQ(lx4_exregs(c.thread, LX4_EXREGS_WRITE | LX4_EXREGS_START, 1ull << LX4_REG_RSI).err, 0);
	for (uint64_t i = 0; i < 50; i++) {
		struct lx4_msg m = msg(1, 1, i * 3, 0, 0);
		KEXPECT_EQ(lx4_call(ep, &m), 0);
		KEXPECT_EQ(m.mr[0], i * 3 + 1);
	}
	child_destroy(&c);
}

KTEST(ipc_badge_delivered)
{
	lx4_cap_t ep = ep_new(), b = cap_new();
	KEXPECT_EQ(lx4_cap_copy(LX4_CAP_SELF_TASK, b, ep, LX4_R_SEND, 0xabcdef), 0);
	thread_spawn(adder, ep, 100, true);
	struct lx4_msg m = msg(1, 1, 5, 0, 0);
	KEXPECT_EQ(lx4_call(b, &m), 0);
	KEXPECT_EQ(g_seen, 0xabcdef);
	m = msg(1, 1, 5, 0, 0);
	KEXPECT_EQ(lx4_call(ep, &m), 0);
	KEXPECT_EQ(g_seen, 0);
	/* a badged cap cannot be re-badged; only endpoints take badges */
	KEXPECT_EQ(lx4_cap_copy(LX4_CAP_SELF_TASK, cap_new(), b, LX4_R_SEND, 7), -LX4_EINVAL);
}

static void long_echo(uint64_t ep)
{
	struct lx4_msg m;
	KEXPECT_EQ(lx4_recv(ep, &m, LX4_TIMEOUT_NEVER), 0);
	struct lx4_utcb *u = lx4_utcb();
	unsigned n = lx4_tag_untyped(m.tag);
	uint64_t sum = 0;
	for (unsigned i = 0; i < n; i++)
		sum += i < LX4_MR_REGS ? m.mr[i] : u->mr[i];
	for (unsigned i = LX4_MR_REGS; i < n; i++)
		u->mr[i] = ~u->mr[i];
	m.mr[0] = sum;
	m.tag = lx4_tag(0, n, 0);
	lx4_reply_recv(ep, &m, LX4_TIMEOUT_NEVER);
}

KTEST(ipc_long_message_in_utcb)
{
	lx4_cap_t ep = ep_new();
	thread_spawn(long_echo, ep, 100, true);
	struct lx4_utcb *u = lx4_utcb();
	/* 63 untyped words: the most a tag can say */
	struct lx4_msg m = {.tag = lx4_tag(3, 63, 0)};
	uint64_t sum = 0;
	for (unsigned i = 0; i < 63; i++) {
		uint64_t v = 1000 + i * i;
		if (i < LX4_MR_REGS)
			m.mr[i] = v;
		else
			u->mr[i] = v;
		sum += v;
	}
	KEXPECT_EQ(lx4_call(ep, &m), 0);
	KEXPECT_EQ(m.mr[0], sum);
	KEXPECT_EQ(lx4_tag_untyped(m.tag), 63);
	for (unsigned i = LX4_MR_REGS; i < 63; i++)
		KEXPECT_EQ(u->mr[i], ~(1000ull + i * i));
	/* 65 words do not fit */
	m.tag = lx4_tag(3, 63, 1);
	KEXPECT_EQ(lx4_call(ep, &m), -LX4_EINVAL);
}

static void sender(uint64_t ep)
{
	for (uint64_t i = 0; i < 10; i++) {
		struct lx4_msg m = msg(2, 2, i, i * i, 0);
		KEXPECT_EQ(lx4_send(ep, &m, LX4_TIMEOUT_NEVER), 0);
	}
}

KTEST(ipc_send_receive_queue)
{
	lx4_cap_t ep = ep_new();
	/* a lower-priority sender: it queues on the endpoint while we sleep */
	thread_spawn(sender, ep, 90, true);
	for (uint64_t i = 0; i < 10; i++) {
		struct lx4_msg m;
		KEXPECT_EQ(lx4_recv(ep, &m, LX4_TIMEOUT_NEVER), 0);
		KEXPECT_EQ(m.mr[0], i);
		KEXPECT_EQ(m.mr[1], i * i);
		KEXPECT_EQ(lx4_tag_label(m.tag), 2);
	}
}

KTEST(ipc_timeouts)
{
	lx4_cap_t ep = ep_new();
	struct lx4_msg m = msg(1, 0, 0, 0, 0);
	/* zero: fail at once when nobody is there */
	KEXPECT_EQ(lx4_recv(ep, &m, LX4_TIMEOUT_ZERO), -LX4_ETIMEOUT);
	KEXPECT_EQ(lx4_send(ep, &m, LX4_TIMEOUT_ZERO), -LX4_ETIMEOUT);
	/* relative: at least that long */
	uint64_t t0 = now_ns();
	KEXPECT_EQ(lx4_recv(ep, &m, 20000000), -LX4_ETIMEOUT);
	uint64_t dt = now_ns() - t0;
	KASSERT(dt >= 20000000);
	KASSERT(dt < 2000000000);
	t0 = now_ns();
	KEXPECT_EQ(lx4_send(ep, &m, 5000000), -LX4_ETIMEOUT);
	KASSERT(now_ns() - t0 >= 5000000);
}
