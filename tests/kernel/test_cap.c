/*
 * Capabilities: copy, move, delete, destroy and info with every error
 * path; rights, badges, types and pseudo caps; objects destroyed by their
 * last reference or by cap_destroy; capabilities carried by IPC.
 */
#include "spawn.h"

#define SELF     LX4_CAP_SELF_TASK
#define DEAD     (1u << 8) /* cap_info: the object was destroyed */
#define IRQ_LINE 5         /* no device on it under QEMU's pc machine */

#define EXPECT_CAP(task, slot, type, rights, badge)              \
	do {                                                     \
		struct lx4_sysret _r = lx4_cap_info(task, slot); \
		KEXPECT_EQ(_r.err, 0);                           \
		KEXPECT_EQ(_r.r1, type);                         \
		KEXPECT_EQ(_r.r2, rights);                       \
		KEXPECT_EQ(_r.r3, badge);                        \
	} while (0)
#define EXPECT_EMPTY(task, slot) KEXPECT_EQ(lx4_cap_info(task, slot).err, -LX4_ECAP)

/* a copy of src in a new slot of ours */
static lx4_cap_t copy(lx4_cap_t src, uint32_t rights, uint64_t badge)
{
	lx4_cap_t c = cap_new();
	KEXPECT_EQ(lx4_cap_copy(SELF, c, src, rights, badge), 0);
	return c;
}

/* IPC that never blocks: with nobody on the other side these end in
 * ETIMEOUT once the capability checks pass */
static long try_send(lx4_cap_t ep, uint64_t tag)
{
	struct lx4_msg m = {.tag = tag};
	return lx4_send(ep, &m, LX4_TIMEOUT_ZERO);
}
static long try_recv(lx4_cap_t ep)
{
	struct lx4_msg m;
	return lx4_recv(ep, &m, LX4_TIMEOUT_ZERO);
}
static long try_call(lx4_cap_t ep)
{
	struct lx4_msg m = msg(1, 0, 0, 0, 0);
	return lx4_ipc(LX4_SYS_CALL, ep, &m, LX4_TIMEOUT_ZERO, LX4_TIMEOUT_ZERO);
}

static void idle(uint64_t arg)
{
	(void)arg;
	for (;;)
		sleep_ns(1000000000);
}

/* results of helper threads: arg = endpoint | index << 32 */
static volatile long g_rc[8];
static volatile uint64_t g_done;

static void recv_once(uint64_t arg)
{
	struct lx4_msg m;
	long e = lx4_recv((lx4_cap_t)arg, &m, LX4_TIMEOUT_NEVER);
	g_rc[arg >> 32] = e;
	__atomic_add_fetch(&g_done, 1, __ATOMIC_SEQ_CST);
}

static void send_once(uint64_t arg)
{
	struct lx4_msg m = msg(1, 1, 42, 0, 0);
	long e = lx4_send((lx4_cap_t)arg, &m, LX4_TIMEOUT_NEVER);
	g_rc[arg >> 32] = e;
	__atomic_add_fetch(&g_done, 1, __ATOMIC_SEQ_CST);
}

static void call_once(uint64_t arg)
{
	struct lx4_msg m = msg(1, 1, 42, 0, 0);
	long e = lx4_call((lx4_cap_t)arg, &m);
	g_rc[arg >> 32] = e;
	__atomic_add_fetch(&g_done, 1, __ATOMIC_SEQ_CST);
}

/* a server that answers each call with the badge it came with */
static void badge_echo(uint64_t ep)
{
	struct lx4_msg m;
	long e = lx4_recv((lx4_cap_t)ep, &m, LX4_TIMEOUT_NEVER);
	while (e == 0) {
		m.mr[0] = m.badge;
		m.tag = lx4_tag(0, 1, 0);
		e = lx4_reply_recv((lx4_cap_t)ep, &m, LX4_TIMEOUT_NEVER);
	}
}

static uint64_t badge_via(lx4_cap_t cap)
{
	struct lx4_msg m = msg(1, 0, 0, 0, 0);
	KEXPECT_EQ(lx4_call(cap, &m), 0);
	return m.mr[0];
}

KTEST(cap_copy_errors)
{
	lx4_cap_t ep = ep_new(), full = ep_new(), d = cap_new(), empty = cap_new();
	/* the source: slot 0, out of range (the table has 1024 slots), empty,
	 * pseudo caps (they are never materialised in a table) */
	static const lx4_cap_t bad_src[] = {0, 1024, 4096, 0x7fffffff, 0xfffffff2, 0xffffffff};
	for (unsigned i = 0; i < sizeof bad_src / sizeof bad_src[0]; i++)
		KEXPECT_EQ(lx4_cap_copy(SELF, d, bad_src[i], LX4_R_ALL, 0), -LX4_ECAP);
	KEXPECT_EQ(lx4_cap_copy(SELF, d, empty, LX4_R_ALL, 0), -LX4_ECAP);
	KEXPECT_EQ(lx4_cap_copy(SELF, d, LX4_CAP_SELF_TASK, LX4_R_ALL, 0), -LX4_ECAP);
	KEXPECT_EQ(lx4_cap_copy(SELF, d, LX4_CAP_SELF_THREAD, LX4_R_ALL, 0), -LX4_ECAP);
	/* the destination slot: 0, out of range, pseudo, occupied */
	KEXPECT_EQ(lx4_cap_copy(SELF, 0, ep, LX4_R_ALL, 0), -LX4_ECAP);
	KEXPECT_EQ(lx4_cap_copy(SELF, 1024, ep, LX4_R_ALL, 0), -LX4_ECAP);
	KEXPECT_EQ(lx4_cap_copy(SELF, 0xffffffff, ep, LX4_R_ALL, 0), -LX4_ECAP);
	KEXPECT_EQ(lx4_cap_copy(SELF, LX4_CAP_SELF_TASK, ep, LX4_R_ALL, 0), -LX4_ECAP);
	KEXPECT_EQ(lx4_cap_copy(SELF, LX4_CAP_SELF_THREAD, ep, LX4_R_ALL, 0), -LX4_ECAP);
	KEXPECT_EQ(lx4_cap_copy(SELF, full, ep, LX4_R_ALL, 0), -LX4_EBUSY);
	KEXPECT_EQ(lx4_cap_copy(SELF, ep, ep, LX4_R_ALL, 0), -LX4_EBUSY);
	/* the destination task: not a task, empty, slot 0 */
	KEXPECT_EQ(lx4_cap_copy(ep, d, ep, LX4_R_ALL, 0), -LX4_ETYPE);
	KEXPECT_EQ(lx4_cap_copy(LX4_CAP_SELF_THREAD, d, ep, LX4_R_ALL, 0), -LX4_ETYPE);
	KEXPECT_EQ(lx4_cap_copy(TP_IRQCTL_CAP, d, ep, LX4_R_ALL, 0), -LX4_ETYPE);
	KEXPECT_EQ(lx4_cap_copy(empty, d, ep, LX4_R_ALL, 0), -LX4_ECAP);
	KEXPECT_EQ(lx4_cap_copy(0, d, ep, LX4_R_ALL, 0), -LX4_ECAP);
	/* nothing changed */
	EXPECT_EMPTY(SELF, d);
	EXPECT_EMPTY(SELF, empty);
	EXPECT_CAP(SELF, ep, LX4_OBJ_ENDPOINT, LX4_R_ALL, 0);
	EXPECT_CAP(SELF, full, LX4_OBJ_ENDPOINT, LX4_R_ALL, 0);
	/* the last slot is usable */
	KEXPECT_EQ(lx4_cap_copy(SELF, 1023, ep, LX4_R_SEND, 0), 0);
	EXPECT_CAP(SELF, 1023, LX4_OBJ_ENDPOINT, LX4_R_SEND, 0);
	KEXPECT_EQ(lx4_cap_delete(SELF, 1023), 0);
}

KTEST(cap_copy_reduces_rights)
{
	lx4_cap_t ep = ep_new();
	lx4_cap_t s = copy(ep, LX4_R_SEND, 0), r = copy(ep, LX4_R_RECV, 0), sg = copy(ep, LX4_R_SEND | LX4_R_GRANT, 0);
	EXPECT_CAP(SELF, s, LX4_OBJ_ENDPOINT, LX4_R_SEND, 0);
	EXPECT_CAP(SELF, r, LX4_OBJ_ENDPOINT, LX4_R_RECV, 0);
	/* a copy never has more rights than its source; unknown bits go */
	lx4_cap_t s2 = copy(s, ~0u, 0), none = copy(ep, ~LX4_R_ALL, 0);
	EXPECT_CAP(SELF, s2, LX4_OBJ_ENDPOINT, LX4_R_SEND, 0);
	EXPECT_CAP(SELF, none, LX4_OBJ_ENDPOINT, 0, 0);
	lx4_cap_t s3 = copy(s, LX4_R_RECV | LX4_R_DESTROY, 0);
	EXPECT_CAP(SELF, s3, LX4_OBJ_ENDPOINT, 0, 0);
	/* SEND, RECV */
	uint64_t tag = lx4_tag(1, 1, 0);
	KEXPECT_EQ(try_send(ep, tag), -LX4_ETIMEOUT);
	KEXPECT_EQ(try_send(s, tag), -LX4_ETIMEOUT);
	KEXPECT_EQ(try_send(r, tag), -LX4_ERIGHTS);
	KEXPECT_EQ(try_call(r), -LX4_ERIGHTS);
	KEXPECT_EQ(try_send(none, tag), -LX4_ERIGHTS);
	KEXPECT_EQ(try_recv(r), -LX4_ETIMEOUT);
	KEXPECT_EQ(try_recv(s), -LX4_ERIGHTS);
	KEXPECT_EQ(try_recv(none), -LX4_ERIGHTS);
	struct lx4_msg m = {0};
	KEXPECT_EQ(lx4_reply_recv(s, &m, LX4_TIMEOUT_ZERO), -LX4_ERIGHTS);
	/* GRANT: typed items need it */
	uint64_t typed = lx4_tag(1, 0, 1);
	KEXPECT_EQ(try_send(s, typed), -LX4_ERIGHTS);
	KEXPECT_EQ(try_send(sg, typed), -LX4_ETIMEOUT);
	/* DESTROY */
	KEXPECT_EQ(lx4_cap_destroy(s), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_cap_destroy(none), -LX4_ERIGHTS);
	KEXPECT_EQ(try_recv(ep), -LX4_ETIMEOUT);
	/* a cap with no rights can still be copied, moved and deleted */
	lx4_cap_t n2 = copy(none, LX4_R_ALL, 0), n3 = cap_new();
	KEXPECT_EQ(lx4_cap_move(SELF, n3, n2), 0);
	EXPECT_CAP(SELF, n3, LX4_OBJ_ENDPOINT, 0, 0);
	KEXPECT_EQ(lx4_cap_delete(SELF, n3), 0);
	KEXPECT_EQ(lx4_cap_delete(SELF, none), 0);
	/* the endpoint still works for the caps that have the rights */
	KEXPECT_EQ(try_send(s2, tag), -LX4_ETIMEOUT);
}

KTEST(cap_rights_task_thread_irq)
{
	struct child c;
	task_spawn(&c, idle, 0, 0, 0, false);
	lx4_cap_t ep = ep_new();
	uint64_t addr = c.stack;
	/* a task cap without CONTROL: nothing that changes the task */
	lx4_cap_t tn = copy(c.task, LX4_R_ALL & ~LX4_R_CONTROL, 0);
	KEXPECT_EQ(lx4_thread_create(cap_new(), tn), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_cap_copy(tn, 5, ep, LX4_R_ALL, 0), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_cap_move(tn, 5, ep), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_cap_delete(tn, 1), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_cap_info(tn, 1).err, -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_map(tn, lx4_fpage(addr, 12, LX4_FP_R), addr + 0x200000, 0), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_unmap(tn, lx4_fpage(addr, 12, LX4_FP_R), 0), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_map_query(tn, addr).err, -LX4_ERIGHTS);
	EXPECT_EMPTY(c.task, 5);
	KEXPECT_EQ(lx4_map_query(c.task, addr + 0x200000).r1, 0);
	/* task_info needs no right at all */
	lx4_cap_t t0 = copy(c.task, 0, 0);
	struct lx4_sysret i = lx4_task_info(t0);
	KEXPECT_EQ(i.err, 0);
	KEXPECT_EQ(i.r1, 256);
	KEXPECT_EQ(i.r3, 1);
	/* DESTROY */
	lx4_cap_t td = copy(c.task, LX4_R_ALL & ~LX4_R_DESTROY, 0);
	KEXPECT_EQ(lx4_cap_destroy(td), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_cap_destroy(t0), -LX4_ERIGHTS);
	KEXPECT_EQ(task_threads(c.task), 1);
	/* a thread cap without CONTROL: no configuration, no exregs */
	lx4_cap_t hn = copy(c.thread, LX4_R_ALL & ~LX4_R_CONTROL, 0);
	KEXPECT_EQ(lx4_thread_config(hn, LX4_TCFG_PRIORITY, 10), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_thread_config(hn, LX4_TCFG_PAGER, ep), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_exregs(hn, 0, 0).err, -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_exregs(hn, LX4_EXREGS_START, 0).err, -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_exregs(hn, LX4_EXREGS_READ, 0).err, -LX4_ERIGHTS);
	KEXPECT_EQ(thread_state(c.thread), LX4_TSTATE_INACTIVE);
	/* without SEND no deferred reply; with it, the thread must be waiting */
	lx4_cap_t hs = copy(c.thread, LX4_R_ALL & ~LX4_R_SEND, 0);
	struct lx4_msg m = msg(1, 0, 0, 0, 0);
	KEXPECT_EQ(lx4_reply_to(hs, &m), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_reply_to(c.thread, &m), -LX4_ESTATE);
	lx4_cap_t hd = copy(c.thread, LX4_R_ALL & ~LX4_R_DESTROY, 0);
	KEXPECT_EQ(lx4_cap_destroy(hd), -LX4_ERIGHTS);
	KEXPECT_EQ(thread_state(c.thread), LX4_TSTATE_INACTIVE);
	/* pager and handler: an endpoint with SEND */
	lx4_cap_t t2 = thread_spawn(idle, 0, 100, false);
	lx4_cap_t ens = copy(ep, LX4_R_ALL & ~LX4_R_SEND, 0);
	KEXPECT_EQ(lx4_thread_config(t2, LX4_TCFG_PAGER, ens), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_thread_config(t2, LX4_TCFG_HANDLER, ens), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_thread_config(t2, LX4_TCFG_PAGER, c.task), -LX4_ETYPE);
	KEXPECT_EQ(lx4_thread_config(t2, LX4_TCFG_HANDLER, t2), -LX4_ETYPE);
	KEXPECT_EQ(lx4_thread_config(t2, LX4_TCFG_PAGER, copy(ep, LX4_R_SEND, 0)), 0);
	/* an IRQ without CONTROL */
	lx4_cap_t irq = cap_new();
	KEXPECT_EQ(lx4_irq_create(TP_IRQCTL_CAP, IRQ_LINE, irq), 0);
	lx4_cap_t in = copy(irq, LX4_R_ALL & ~LX4_R_CONTROL, 0);
	KEXPECT_EQ(lx4_irq_bind(in, ep), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_irq_bind(in, 0), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_irq_ack(in), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_irq_ack(irq), -LX4_ESTATE);
	KEXPECT_EQ(lx4_irq_bind(irq, ens), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_irq_bind(irq, c.task), -LX4_ETYPE);
	KEXPECT_EQ(lx4_irq_bind(irq, in), -LX4_ETYPE);
	KEXPECT_EQ(lx4_irq_create(irq, IRQ_LINE, cap_new()), -LX4_ETYPE);
	KEXPECT_EQ(lx4_irq_create(TP_IRQCTL_CAP, IRQ_LINE, cap_new()), -LX4_EBUSY);
	KEXPECT_EQ(lx4_cap_destroy(in), 0);
	KEXPECT_EQ(lx4_irq_ack(irq), -LX4_EDEAD);
	KEXPECT_EQ(lx4_cap_delete(SELF, irq), 0);
	/* the line is free again: its IRQ was destroyed */
	lx4_cap_t irq2 = cap_new();
	KEXPECT_EQ(lx4_irq_create(TP_IRQCTL_CAP, IRQ_LINE, irq2), 0);
	KEXPECT_EQ(lx4_cap_delete(SELF, irq2), 0);
	child_destroy(&c);
}

KTEST(cap_badges)
{
	lx4_cap_t ep = ep_new();
	thread_spawn(badge_echo, ep, 100, true);
	lx4_cap_t b = copy(ep, LX4_R_SEND | LX4_R_GRANT, 0x1234);
	EXPECT_CAP(SELF, b, LX4_OBJ_ENDPOINT, LX4_R_SEND | LX4_R_GRANT, 0x1234);
	/* a badged cap cannot be re-badged; a copy with badge 0 keeps it */
	lx4_cap_t x = cap_new();
	KEXPECT_EQ(lx4_cap_copy(SELF, x, b, LX4_R_ALL, 0x99), -LX4_EINVAL);
	KEXPECT_EQ(lx4_cap_copy(SELF, x, b, LX4_R_ALL, 0x1234), -LX4_EINVAL);
	EXPECT_EMPTY(SELF, x);
	lx4_cap_t b2 = copy(b, LX4_R_SEND, 0);
	EXPECT_CAP(SELF, b2, LX4_OBJ_ENDPOINT, LX4_R_SEND, 0x1234);
	/* only endpoints take badges */
	lx4_cap_t task = cap_new(), th = thread_spawn(idle, 0, 100, false);
	KEXPECT_EQ(lx4_task_create(task, 4, 4), 0);
	KEXPECT_EQ(lx4_cap_copy(SELF, x, task, LX4_R_ALL, 5), -LX4_EINVAL);
	KEXPECT_EQ(lx4_cap_copy(SELF, x, th, LX4_R_ALL, 5), -LX4_EINVAL);
	KEXPECT_EQ(lx4_cap_copy(SELF, x, TP_IRQCTL_CAP, LX4_R_ALL, 5), -LX4_EINVAL);
	EXPECT_EMPTY(SELF, x);
	/* any 64-bit badge, kept by moves */
	lx4_cap_t big = copy(ep, LX4_R_SEND, ~0ull), moved = cap_new();
	EXPECT_CAP(SELF, big, LX4_OBJ_ENDPOINT, LX4_R_SEND, ~0ull);
	KEXPECT_EQ(lx4_cap_move(SELF, moved, b), 0);
	EXPECT_EMPTY(SELF, b);
	EXPECT_CAP(SELF, moved, LX4_OBJ_ENDPOINT, LX4_R_SEND | LX4_R_GRANT, 0x1234);
	/* and delivered to the receiver */
	KEXPECT_EQ(badge_via(ep), 0);
	KEXPECT_EQ(badge_via(moved), 0x1234);
	KEXPECT_EQ(badge_via(b2), 0x1234);
	KEXPECT_EQ(badge_via(big), ~0ull);
	/* the badged endpoint's parent cap (from the root) has its badge */
	struct lx4_sysret r = lx4_cap_info(SELF, TP_PARENT_CAP);
	KEXPECT_EQ(r.r1, LX4_OBJ_ENDPOINT);
	KASSERT(r.r3 != 0);
	KEXPECT_EQ(lx4_cap_copy(SELF, x, TP_PARENT_CAP, LX4_R_ALL, 1), -LX4_EINVAL);
}

KTEST(cap_move)
{
	lx4_cap_t ep = ep_new(), d = cap_new(), empty = cap_new(), full = ep_new();
	/* errors: the source */
	static const lx4_cap_t bad[] = {0, 1024, 0x7fffffff, 0xffffffff, LX4_CAP_SELF_TASK, LX4_CAP_SELF_THREAD};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		KEXPECT_EQ(lx4_cap_move(SELF, d, bad[i]), -LX4_ECAP);
		KEXPECT_EQ(lx4_cap_move(SELF, bad[i], ep), -LX4_ECAP);
	}
	KEXPECT_EQ(lx4_cap_move(SELF, d, empty), -LX4_ECAP);
	KEXPECT_EQ(lx4_cap_move(SELF, full, ep), -LX4_EBUSY);
	KEXPECT_EQ(lx4_cap_move(SELF, ep, ep), -LX4_EBUSY);
	KEXPECT_EQ(lx4_cap_move(ep, d, ep), -LX4_ETYPE);
	KEXPECT_EQ(lx4_cap_move(empty, d, ep), -LX4_ECAP);
	EXPECT_EMPTY(SELF, d);
	EXPECT_CAP(SELF, ep, LX4_OBJ_ENDPOINT, LX4_R_ALL, 0);
	/* a move leaves the source empty and the cap working */
	lx4_cap_t r = copy(ep, LX4_R_RECV | LX4_R_SEND, 77);
	KEXPECT_EQ(lx4_cap_move(SELF, d, r), 0);
	EXPECT_EMPTY(SELF, r);
	EXPECT_CAP(SELF, d, LX4_OBJ_ENDPOINT, LX4_R_RECV | LX4_R_SEND, 77);
	KEXPECT_EQ(try_recv(d), -LX4_ETIMEOUT);
	KEXPECT_EQ(try_recv(r), -LX4_ECAP);
	/* into another task: needs CONTROL on it */
	struct child c;
	task_spawn(&c, idle, 0, 0, 0, false);
	lx4_cap_t tn = copy(c.task, LX4_R_ALL & ~LX4_R_CONTROL, 0);
	KEXPECT_EQ(lx4_cap_move(tn, 3, d), -LX4_ERIGHTS);
	EXPECT_CAP(SELF, d, LX4_OBJ_ENDPOINT, LX4_R_RECV | LX4_R_SEND, 77);
	KEXPECT_EQ(lx4_cap_move(c.task, 64, d), -LX4_ECAP); /* the child has 64 slots */
	KEXPECT_EQ(lx4_cap_move(c.task, 63, d), 0);
	EXPECT_EMPTY(SELF, d);
	EXPECT_CAP(c.task, 63, LX4_OBJ_ENDPOINT, LX4_R_RECV | LX4_R_SEND, 77);
	/* moving the last cap keeps the object alive */
	KEXPECT_EQ(lx4_cap_move(c.task, 62, ep), 0);
	EXPECT_CAP(c.task, 62, LX4_OBJ_ENDPOINT, LX4_R_ALL, 0);
	/* the child's caps die with its table */
	lx4_cap_t keep = cap_new();
	KEXPECT_EQ(lx4_task_create(keep, 2, 2), 0);
	KEXPECT_EQ(lx4_cap_move(c.task, 61, keep), 0);
	EXPECT_CAP(c.task, 61, LX4_OBJ_TASK, LX4_R_ALL, 0);
	lx4_cap_t t2 = copy(c.task, LX4_R_ALL, 0);
	child_destroy(&c);
	KEXPECT_EQ(lx4_cap_info(t2, 61).err, -LX4_EDEAD);
	KEXPECT_EQ(lx4_cap_move(t2, 60, full), -LX4_EDEAD);
	EXPECT_CAP(SELF, full, LX4_OBJ_ENDPOINT, LX4_R_ALL, 0);
}

KTEST(cap_delete)
{
	lx4_cap_t ep = ep_new(), empty = cap_new();
	static const lx4_cap_t bad[] = {0, 1024, 0x7fffffff, 0xffffffff, LX4_CAP_SELF_TASK, LX4_CAP_SELF_THREAD};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
		KEXPECT_EQ(lx4_cap_delete(SELF, bad[i]), -LX4_ECAP);
	KEXPECT_EQ(lx4_cap_delete(SELF, empty), -LX4_ECAP);
	KEXPECT_EQ(lx4_cap_delete(ep, ep), -LX4_ETYPE);
	KEXPECT_EQ(lx4_cap_delete(LX4_CAP_SELF_THREAD, ep), -LX4_ETYPE);
	KEXPECT_EQ(lx4_cap_delete(empty, ep), -LX4_ECAP);
	EXPECT_CAP(SELF, ep, LX4_OBJ_ENDPOINT, LX4_R_ALL, 0);
	/* deleting one of two caps leaves the object working */
	lx4_cap_t c2 = copy(ep, LX4_R_ALL, 0);
	KEXPECT_EQ(lx4_cap_delete(SELF, ep), 0);
	EXPECT_EMPTY(SELF, ep);
	KEXPECT_EQ(lx4_cap_delete(SELF, ep), -LX4_ECAP);
	EXPECT_CAP(SELF, c2, LX4_OBJ_ENDPOINT, LX4_R_ALL, 0);
	KEXPECT_EQ(try_recv(c2), -LX4_ETIMEOUT);
	/* the slot can be used again */
	KEXPECT_EQ(lx4_ep_create(ep), 0);
	/* in another task's table: needs CONTROL */
	struct child c;
	task_spawn(&c, idle, 0, 0, 0, false);
	KEXPECT_EQ(lx4_cap_copy(c.task, 7, c2, LX4_R_SEND, 0), 0);
	lx4_cap_t tn = copy(c.task, LX4_R_ALL & ~LX4_R_CONTROL, 0);
	KEXPECT_EQ(lx4_cap_delete(tn, 7), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_cap_delete(c.task, 64), -LX4_ECAP);
	KEXPECT_EQ(lx4_cap_delete(c.task, 8), -LX4_ECAP);
	EXPECT_CAP(c.task, 7, LX4_OBJ_ENDPOINT, LX4_R_SEND, 0);
	KEXPECT_EQ(lx4_cap_delete(c.task, 7), 0);
	EXPECT_EMPTY(c.task, 7);
	lx4_cap_t t2 = copy(c.task, LX4_R_ALL, 0);
	child_destroy(&c);
	KEXPECT_EQ(lx4_cap_delete(t2, 7), -LX4_EDEAD);
	KEXPECT_EQ(lx4_cap_delete(SELF, t2), 0);
	EXPECT_EMPTY(SELF, t2);
}

KTEST(cap_destroy_leaves_dead_caps)
{
	lx4_cap_t ep = ep_new();
	lx4_cap_t a = copy(ep, LX4_R_ALL, 0), s = copy(ep, LX4_R_SEND, 7), r = copy(ep, LX4_R_RECV, 0);
	/* errors */
	static const lx4_cap_t bad[] = {0, 1024, 0x7fffffff, 0xffffffff, 0xfffffff2};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
		KEXPECT_EQ(lx4_cap_destroy(bad[i]), -LX4_ECAP);
	KEXPECT_EQ(lx4_cap_destroy(cap_new()), -LX4_ECAP);
	/* two receivers and a sender-to-be are woken */
	g_done = 0;
	lx4_cap_t t0 = thread_spawn(recv_once, r | 0ull << 32, 100, true);
	lx4_cap_t t1 = thread_spawn(recv_once, a | 1ull << 32, 100, true);
	wait_for_state(t0, LX4_TSTATE_RECV);
	wait_for_state(t1, LX4_TSTATE_RECV);
	KEXPECT_EQ(g_done, 0);
	KEXPECT_EQ(lx4_cap_destroy(ep), 0);
	EXPECT_EMPTY(SELF, ep);
	wait_count(&g_done, 2);
	KEXPECT_EQ(g_rc[0], -LX4_EDEAD);
	KEXPECT_EQ(g_rc[1], -LX4_EDEAD);
	/* the other caps remain, dead, with their rights and badges */
	EXPECT_CAP(SELF, a, LX4_OBJ_ENDPOINT | DEAD, LX4_R_ALL, 0);
	EXPECT_CAP(SELF, s, LX4_OBJ_ENDPOINT | DEAD, LX4_R_SEND, 7);
	EXPECT_CAP(SELF, r, LX4_OBJ_ENDPOINT | DEAD, LX4_R_RECV, 0);
	/* and every operation on them fails with EDEAD */
	KEXPECT_EQ(try_send(s, lx4_tag(1, 1, 0)), -LX4_EDEAD);
	KEXPECT_EQ(try_call(a), -LX4_EDEAD);
	KEXPECT_EQ(try_recv(r), -LX4_EDEAD);
	struct lx4_msg m = msg(1, 1, 0, 0, 0);
	KEXPECT_EQ(lx4_call(a, &m), -LX4_EDEAD);
	KEXPECT_EQ(lx4_recv(a, &m, LX4_TIMEOUT_NEVER), -LX4_EDEAD);
	KEXPECT_EQ(lx4_send(s, &m, LX4_TIMEOUT_NEVER), -LX4_EDEAD);
	KEXPECT_EQ(lx4_cap_destroy(a), -LX4_EDEAD);
	KEXPECT_EQ(lx4_cap_copy(SELF, cap_new(), a, LX4_R_ALL, 0), -LX4_EDEAD);
	lx4_cap_t t = thread_spawn(idle, 0, 100, false);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_PAGER, s), -LX4_EDEAD);
	/* rights are still checked first */
	KEXPECT_EQ(try_recv(s), -LX4_ERIGHTS);
	/* dead caps can be moved and deleted */
	lx4_cap_t d = cap_new();
	KEXPECT_EQ(lx4_cap_move(SELF, d, s), 0);
	EXPECT_CAP(SELF, d, LX4_OBJ_ENDPOINT | DEAD, LX4_R_SEND, 7);
	KEXPECT_EQ(lx4_cap_delete(SELF, d), 0);
	KEXPECT_EQ(lx4_cap_delete(SELF, a), 0);
	KEXPECT_EQ(lx4_cap_delete(SELF, r), 0);
	EXPECT_EMPTY(SELF, a);
}

KTEST(cap_info_types)
{
	EXPECT_CAP(SELF, LX4_CAP_SELF_TASK, LX4_OBJ_TASK, LX4_R_ALL, 0);
	EXPECT_CAP(SELF, LX4_CAP_SELF_THREAD, LX4_OBJ_THREAD, LX4_R_ALL, 0);
	EXPECT_CAP(SELF, TP_IRQCTL_CAP, LX4_OBJ_IRQCTL, LX4_R_CONTROL, 0);
	struct lx4_sysret p = lx4_cap_info(SELF, TP_PARENT_CAP);
	KEXPECT_EQ(p.err, 0);
	KEXPECT_EQ(p.r1, LX4_OBJ_ENDPOINT);
	KEXPECT_EQ(p.r2, LX4_R_SEND | LX4_R_GRANT);
	KASSERT(p.r3 != 0); /* the root tells its programs apart by the badge */
	lx4_cap_t ep = ep_new(), th = thread_spawn(idle, 0, 100, false), task = cap_new(), irq = cap_new();
	KEXPECT_EQ(lx4_task_create(task, 3, 16), 0);
	KEXPECT_EQ(lx4_irq_create(TP_IRQCTL_CAP, IRQ_LINE, irq), 0);
	EXPECT_CAP(SELF, ep, LX4_OBJ_ENDPOINT, LX4_R_ALL, 0);
	EXPECT_CAP(SELF, th, LX4_OBJ_THREAD, LX4_R_ALL, 0);
	EXPECT_CAP(SELF, task, LX4_OBJ_TASK, LX4_R_ALL, 0);
	EXPECT_CAP(SELF, irq, LX4_OBJ_IRQ, LX4_R_ALL, 0);
	/* errors */
	static const lx4_cap_t bad[] = {0, 1024, 0x7fffffff, 0xffffffff, 0xfffffff2};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		KEXPECT_EQ(lx4_cap_info(SELF, bad[i]).err, -LX4_ECAP);
		KEXPECT_EQ(lx4_cap_info(bad[i], ep).err, -LX4_ECAP);
	}
	EXPECT_EMPTY(SELF, cap_new());
	KEXPECT_EQ(lx4_cap_info(ep, 1).err, -LX4_ETYPE);
	KEXPECT_EQ(lx4_cap_info(th, 1).err, -LX4_ETYPE);
	KEXPECT_EQ(lx4_cap_info(copy(task, LX4_R_ALL & ~LX4_R_CONTROL, 0), 1).err, -LX4_ERIGHTS);
	/* another task's table: its slots, not our pseudo caps */
	EXPECT_EMPTY(task, 1);
	EXPECT_EMPTY(task, 15);
	EXPECT_EMPTY(task, 16);
	EXPECT_EMPTY(task, LX4_CAP_SELF_TASK);
	EXPECT_EMPTY(task, LX4_CAP_SELF_THREAD);
	KEXPECT_EQ(lx4_cap_copy(task, 15, ep, LX4_R_RECV, 3), 0);
	EXPECT_CAP(task, 15, LX4_OBJ_ENDPOINT, LX4_R_RECV, 3);
	/* a destroyed task's table cannot be read */
	lx4_cap_t t2 = copy(task, LX4_R_ALL, 0);
	KEXPECT_EQ(lx4_cap_destroy(task), 0);
	EXPECT_CAP(SELF, t2, LX4_OBJ_TASK | DEAD, LX4_R_ALL, 0);
	KEXPECT_EQ(lx4_cap_info(t2, 15).err, -LX4_EDEAD);
	/* destroyed objects of every kind show the dead bit */
	KEXPECT_EQ(lx4_cap_destroy(copy(th, LX4_R_ALL, 0)), 0);
	KEXPECT_EQ(lx4_cap_destroy(copy(ep, LX4_R_ALL, 0)), 0);
	KEXPECT_EQ(lx4_cap_destroy(copy(irq, LX4_R_ALL, 0)), 0);
	EXPECT_CAP(SELF, th, LX4_OBJ_THREAD | DEAD, LX4_R_ALL, 0);
	EXPECT_CAP(SELF, ep, LX4_OBJ_ENDPOINT | DEAD, LX4_R_ALL, 0);
	EXPECT_CAP(SELF, irq, LX4_OBJ_IRQ | DEAD, LX4_R_ALL, 0);
}

KTEST(cap_delete_last_ref_wakes_waiters)
{
	lx4_cap_t ep = ep_new(), r = copy(ep, LX4_R_RECV, 0);
	lx4_cap_t t0 = thread_spawn(recv_once, r | 0ull << 32, 100, true);
	wait_for_state(t0, LX4_TSTATE_RECV);
	/* one of two caps: the endpoint lives on */
	KEXPECT_EQ(lx4_cap_delete(SELF, ep), 0);
	sleep_ns(20000000);
	KEXPECT_EQ(thread_state(t0), LX4_TSTATE_RECV);
	KEXPECT_EQ(g_done, 0);
	/* the last one: the endpoint is destroyed and its receiver woken */
	KEXPECT_EQ(lx4_cap_delete(SELF, r), 0);
	wait_count(&g_done, 1);
	KEXPECT_EQ(g_rc[0], -LX4_EDEAD);
	/* blocked senders and callers alike */
	lx4_cap_t ep2 = ep_new(), s = copy(ep2, LX4_R_SEND, 9);
	lx4_cap_t t1 = thread_spawn(send_once, s | 1ull << 32, 100, true);
	lx4_cap_t t2 = thread_spawn(call_once, s | 2ull << 32, 100, true);
	wait_for_state(t1, LX4_TSTATE_SEND);
	wait_for_state(t2, LX4_TSTATE_SEND);
	KEXPECT_EQ(lx4_cap_delete(SELF, ep2), 0);
	KEXPECT_EQ(g_done, 1);
	KEXPECT_EQ(lx4_cap_delete(SELF, s), 0);
	wait_count(&g_done, 3);
	KEXPECT_EQ(g_rc[1], -LX4_EDEAD);
	KEXPECT_EQ(g_rc[2], -LX4_EDEAD);
}

KTEST(cap_refs_of_pager_handler_irq)
{
	/* a thread's pager and handler hold references */
	lx4_cap_t ep = ep_new(), r = copy(ep, LX4_R_RECV, 0);
	lx4_cap_t th = thread_spawn(idle, 0, 100, false);
	KEXPECT_EQ(lx4_thread_config(th, LX4_TCFG_PAGER, ep), 0);
	KEXPECT_EQ(lx4_thread_config(th, LX4_TCFG_HANDLER, ep), 0);
	lx4_cap_t t0 = thread_spawn(recv_once, r | 0ull << 32, 100, true);
	wait_for_state(t0, LX4_TSTATE_RECV);
	KEXPECT_EQ(lx4_cap_delete(SELF, ep), 0);
	KEXPECT_EQ(lx4_cap_delete(SELF, r), 0);
	sleep_ns(10000000);
	KEXPECT_EQ(thread_state(t0), LX4_TSTATE_RECV);
	KEXPECT_EQ(lx4_thread_config(th, LX4_TCFG_PAGER, 0), 0);
	sleep_ns(10000000);
	KEXPECT_EQ(thread_state(t0), LX4_TSTATE_RECV);
	KEXPECT_EQ(lx4_thread_config(th, LX4_TCFG_HANDLER, 0), 0);
	wait_count(&g_done, 1);
	KEXPECT_EQ(g_rc[0], -LX4_EDEAD);
	/* ... until the thread is destroyed */
	lx4_cap_t ep2 = ep_new(), r2 = copy(ep2, LX4_R_RECV, 0);
	lx4_cap_t th2 = thread_spawn(idle, 0, 100, false);
	KEXPECT_EQ(lx4_thread_config(th2, LX4_TCFG_PAGER, ep2), 0);
	lx4_cap_t t1 = thread_spawn(recv_once, r2 | 1ull << 32, 100, true);
	wait_for_state(t1, LX4_TSTATE_RECV);
	KEXPECT_EQ(lx4_cap_delete(SELF, ep2), 0);
	KEXPECT_EQ(lx4_cap_delete(SELF, r2), 0);
	sleep_ns(10000000);
	KEXPECT_EQ(g_done, 1);
	KEXPECT_EQ(lx4_cap_destroy(th2), 0);
	wait_count(&g_done, 2);
	KEXPECT_EQ(g_rc[1], -LX4_EDEAD);
	/* an IRQ holds a reference to its endpoint until unbound */
	lx4_cap_t ep3 = ep_new(), r3 = copy(ep3, LX4_R_RECV, 0), irq = cap_new();
	KEXPECT_EQ(lx4_irq_create(TP_IRQCTL_CAP, IRQ_LINE, irq), 0);
	KEXPECT_EQ(lx4_irq_bind(irq, ep3), 0);
	lx4_cap_t t2 = thread_spawn(recv_once, r3 | 2ull << 32, 100, true);
	wait_for_state(t2, LX4_TSTATE_RECV);
	KEXPECT_EQ(lx4_cap_delete(SELF, ep3), 0);
	KEXPECT_EQ(lx4_cap_delete(SELF, r3), 0);
	sleep_ns(10000000);
	KEXPECT_EQ(g_done, 2);
	KEXPECT_EQ(lx4_irq_bind(irq, 0), 0);
	wait_count(&g_done, 3);
	KEXPECT_EQ(g_rc[2], -LX4_EDEAD);
	KEXPECT_EQ(lx4_cap_delete(SELF, irq), 0);
}

static volatile uint64_t g_spins;

static void spinner(uint64_t arg)
{
	(void)arg;
	for (;;)
		g_spins++;
}

/* receives one call on slot arg and then never answers it */
static void serve_hold(uint64_t slot)
{
	struct lx4_msg m;
	KEXPECT_EQ(lx4_recv((lx4_cap_t)slot, &m, LX4_TIMEOUT_NEVER), 0);
	lx4_recv((lx4_cap_t)slot, &m, LX4_TIMEOUT_NEVER);
	__atomic_add_fetch(&g_done, 100, __ATOMIC_SEQ_CST);
}

KTEST(cap_destroy_task_kills_threads)
{
	struct child c;
	task_spawn(&c, spinner, 0, 0, 0, false);
	KEXPECT_EQ(lx4_thread_config(c.thread, LX4_TCFG_PRIORITY, 90), 0);
	lx4_cap_t ep = ep_new(), sv = ep_new(), e1 = ep_new(), yr = ep_new();
	/* the child's table: 2 the last cap to e1, 3 our ep, 4 sv */
	KEXPECT_EQ(lx4_cap_move(c.task, 2, e1), 0);
	KEXPECT_EQ(lx4_cap_copy(c.task, 3, ep, LX4_R_SEND, 0), 0);
	KEXPECT_EQ(lx4_cap_copy(c.task, 4, sv, LX4_R_RECV, 0), 0);
	/* its threads: receiving, calling us (nobody answers), serving */
	lx4_cap_t tb = child_thread(&c, recv_once, 2 | 0ull << 32, true);
	lx4_cap_t tc = child_thread(&c, call_once, 3 | 1ull << 32, true);
	lx4_cap_t td = child_thread(&c, serve_hold, 4, true);
	child_start(&c);
	/* ours: one receives on an endpoint whose only cap the child gets,
	 * one calls the child's server, which keeps it waiting */
	lx4_cap_t ty = thread_spawn(recv_once, yr | 4ull << 32, 100, true);
	wait_for_state(ty, LX4_TSTATE_RECV);
	KEXPECT_EQ(lx4_cap_move(c.task, 5, yr), 0);
	lx4_cap_t tx = thread_spawn(call_once, sv | 3ull << 32, 100, true);
	wait_for_state(tx, LX4_TSTATE_REPLY);
	wait_for_state(tb, LX4_TSTATE_RECV);
	wait_for_state(tc, LX4_TSTATE_SEND);
	wait_for_state(td, LX4_TSTATE_RECV);
	uint64_t s0 = g_spins;
	sleep_ns(20000000);
	KASSERT(g_spins != s0);
	KEXPECT_EQ(task_threads(c.task), 4);
	KEXPECT_EQ(g_done, 0);

	lx4_cap_t t2 = copy(c.task, LX4_R_ALL, 0);
	KEXPECT_EQ(lx4_cap_destroy(c.task), 0);
	/* every thread of the task is dead */
	KASSERT(thread_dead(c.thread));
	KASSERT(thread_dead(tb));
	KASSERT(thread_dead(tc));
	KASSERT(thread_dead(td));
	EXPECT_CAP(SELF, t2, LX4_OBJ_TASK | DEAD, LX4_R_ALL, 0);
	KEXPECT_EQ(lx4_task_info(t2).err, -LX4_EDEAD);
	KEXPECT_EQ(lx4_thread_create(cap_new(), t2), -LX4_EDEAD);
	KEXPECT_EQ(lx4_exregs(tb, LX4_EXREGS_START, 0).err, -LX4_EDEAD);
	/* our caller of its server and our receiver on the endpoint its
	 * table held last are woken with EDEAD */
	wait_count(&g_done, 2);
	KEXPECT_EQ(g_rc[3], -LX4_EDEAD);
	KEXPECT_EQ(g_rc[4], -LX4_EDEAD);
	/* the spinner is gone, the caller off our endpoint */
	uint64_t s1 = g_spins;
	sleep_ns(20000000);
	KEXPECT_EQ(g_spins, s1);
	KEXPECT_EQ(try_recv(ep), -LX4_ETIMEOUT);
	KEXPECT_EQ(g_done, 2); /* its threads never ran again */
	/* our endpoints are fine */
	EXPECT_CAP(SELF, ep, LX4_OBJ_ENDPOINT, LX4_R_ALL, 0);
	EXPECT_CAP(SELF, sv, LX4_OBJ_ENDPOINT, LX4_R_ALL, 0);
	KEXPECT_EQ(try_recv(sv), -LX4_ETIMEOUT);
}

static struct lx4_utcb *volatile g_srv_utcb;

/* answers each call with the tag it received */
static void tag_echo(uint64_t ep)
{
	g_srv_utcb = lx4_utcb();
	struct lx4_msg m;
	long e = lx4_recv((lx4_cap_t)ep, &m, LX4_TIMEOUT_NEVER);
	while (e == 0) {
		m.mr[0] = m.tag;
		m.tag = lx4_tag(0, 1, 0);
		e = lx4_reply_recv((lx4_cap_t)ep, &m, LX4_TIMEOUT_NEVER);
	}
}

/* calls ep with n typed items (w: two words each); the server accepts
 * caps as br_cap says; returns the tag it saw */
static uint64_t send_items(lx4_cap_t ep, uint64_t br_cap, unsigned n, const uint64_t *w)
{
	g_srv_utcb->br_cap = br_cap;
	struct lx4_msg m = {.tag = lx4_tag(9, 0, n)};
	for (unsigned i = 0; i < 2 * n; i++)
		m.mr[i] = w[i];
	KEXPECT_EQ(lx4_call(ep, &m), 0);
	return m.mr[0];
}

KTEST(cap_transfer_by_ipc)
{
	lx4_cap_t ep = ep_new(), obj = ep_new();
	thread_spawn(tag_echo, ep, 100, true);
	while (!g_srv_utcb)
		lx4_yield();
	const uint64_t ok = lx4_tag(9, 0, 1), failed = lx4_tag(9, 0, 0) | LX4_TAG_XFER_ERR;
	lx4_cap_t src = copy(obj, LX4_R_SEND | LX4_R_RECV, 0x55), d = cap_new(), d2 = cap_new();
	/* a copy with the item's rights mask, the badge kept */
	uint64_t w[4] = {lx4_capitem(src, LX4_R_SEND | LX4_R_DESTROY), 0};
	KEXPECT_EQ(send_items(ep, LX4_BR_CAP_VALID | d, 1, w), ok);
	EXPECT_CAP(SELF, d, LX4_OBJ_ENDPOINT, LX4_R_SEND, 0x55);
	EXPECT_CAP(SELF, src, LX4_OBJ_ENDPOINT, LX4_R_SEND | LX4_R_RECV, 0x55);
	/* an occupied slot, no buffer, an empty source, pseudo caps: nothing moves */
	KEXPECT_EQ(send_items(ep, LX4_BR_CAP_VALID | d, 1, w), failed);
	KEXPECT_EQ(send_items(ep, d2, 1, w), failed);
	KEXPECT_EQ(send_items(ep, 0, 1, w), failed);
	KEXPECT_EQ(send_items(ep, LX4_BR_CAP_VALID | 0, 1, w), failed);
	KEXPECT_EQ(send_items(ep, LX4_BR_CAP_VALID | 1024, 1, w), failed);
	EXPECT_EMPTY(SELF, d2);
	uint64_t bad[][2] = {{lx4_capitem(cap_new(), LX4_R_ALL), 0},
			     {lx4_capitem(LX4_CAP_SELF_TASK, LX4_R_ALL), 0},
			     {lx4_capitem(LX4_CAP_SELF_THREAD, LX4_R_ALL), 0},
			     {lx4_capitem(0, LX4_R_ALL), 0},
			     {lx4_capitem(0xffffffff, LX4_R_ALL), 0}};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
		KEXPECT_EQ(send_items(ep, LX4_BR_CAP_VALID | d2, 1, bad[i]), failed);
	EXPECT_EMPTY(SELF, d2);
	/* grant: the sender loses its cap */
	uint64_t g[2] = {lx4_capitem(src, LX4_R_ALL), LX4_ITEM_GRANT};
	KEXPECT_EQ(send_items(ep, LX4_BR_CAP_VALID | d2, 1, g), ok);
	EXPECT_EMPTY(SELF, src);
	EXPECT_CAP(SELF, d2, LX4_OBJ_ENDPOINT, LX4_R_SEND | LX4_R_RECV, 0x55);
	/* two items land in consecutive slots; the first failure stops */
	lx4_cap_t e = cap_new();
	cap_new(); /* e + 1 */
	uint64_t two[4] = {lx4_capitem(d, LX4_R_ALL), 0, lx4_capitem(d2, LX4_R_RECV), 0};
	KEXPECT_EQ(send_items(ep, LX4_BR_CAP_VALID | e, 2, two), lx4_tag(9, 0, 2));
	EXPECT_CAP(SELF, e, LX4_OBJ_ENDPOINT, LX4_R_SEND, 0x55);
	EXPECT_CAP(SELF, e + 1, LX4_OBJ_ENDPOINT, LX4_R_RECV, 0x55);
	lx4_cap_t f = cap_new(), f2 = cap_new();
	KEXPECT_EQ(lx4_cap_copy(SELF, f2, obj, LX4_R_SEND, 0), 0);
	KEXPECT_EQ(send_items(ep, LX4_BR_CAP_VALID | f, 2, two), lx4_tag(9, 0, 1) | LX4_TAG_XFER_ERR);
	EXPECT_CAP(SELF, f, LX4_OBJ_ENDPOINT, LX4_R_SEND, 0x55);
	EXPECT_CAP(SELF, f2, LX4_OBJ_ENDPOINT, LX4_R_SEND, 0);
	/* a dead cap cannot be sent */
	lx4_cap_t dead = copy(obj, LX4_R_ALL, 0), h = cap_new();
	KEXPECT_EQ(lx4_cap_destroy(copy(obj, LX4_R_ALL, 0)), 0);
	uint64_t dw[2] = {lx4_capitem(dead, LX4_R_ALL), 0};
	KEXPECT_EQ(send_items(ep, LX4_BR_CAP_VALID | h, 1, dw), failed);
	EXPECT_EMPTY(SELF, h);
	/* items need GRANT on the endpoint used */
	lx4_cap_t nog = copy(ep, LX4_R_SEND, 0);
	struct lx4_msg m = {.tag = lx4_tag(9, 0, 1)};
	m.mr[0] = lx4_capitem(d, LX4_R_ALL);
	KEXPECT_EQ(lx4_call(nog, &m), -LX4_ERIGHTS);
}

KTEST(cap_table_sizes_and_leaves)
{
	lx4_cap_t ep = ep_new(), t = cap_new();
	/* the largest table (docs/kernel.md: up to 16,384 slots) */
	KEXPECT_EQ(lx4_task_create(t, 8, 16384), 0);
	KEXPECT_EQ(pages_used(t), 1); /* its page table root */
	/* leaves of 128 slots are allocated on first use, charged to the task */
	KEXPECT_EQ(lx4_cap_copy(t, 1, ep, LX4_R_ALL, 0), 0);
	KEXPECT_EQ(pages_used(t), 2);
	KEXPECT_EQ(lx4_cap_copy(t, 127, ep, LX4_R_ALL, 0), 0);
	KEXPECT_EQ(pages_used(t), 2);
	KEXPECT_EQ(lx4_cap_copy(t, 128, ep, LX4_R_ALL, 0), 0);
	KEXPECT_EQ(pages_used(t), 3);
	KEXPECT_EQ(lx4_cap_copy(t, 16383, ep, LX4_R_ALL, 0), 0);
	KEXPECT_EQ(pages_used(t), 4);
	KEXPECT_EQ(lx4_cap_copy(t, 16384, ep, LX4_R_ALL, 0), -LX4_ECAP);
	EXPECT_CAP(t, 16383, LX4_OBJ_ENDPOINT, LX4_R_ALL, 0);
	/* reading or deleting never allocates a leaf */
	EXPECT_EMPTY(t, 5000);
	KEXPECT_EQ(lx4_cap_delete(t, 5000), -LX4_ECAP);
	KEXPECT_EQ(pages_used(t), 4);
	/* deleting a cap keeps its leaf */
	KEXPECT_EQ(lx4_cap_delete(t, 128), 0);
	KEXPECT_EQ(pages_used(t), 4);
	/* out of quota: the leaf cannot be allocated */
	for (unsigned l = 2; l < 6; l++)
		KEXPECT_EQ(lx4_cap_copy(t, l * 128, ep, LX4_R_ALL, 0), 0);
	KEXPECT_EQ(pages_used(t), 8);
	KEXPECT_EQ(lx4_cap_copy(t, 6 * 128, ep, LX4_R_ALL, 0), -LX4_ENOMEM);
	EXPECT_EMPTY(t, 6 * 128);
	KEXPECT_EQ(lx4_cap_copy(t, 2, ep, LX4_R_ALL, 0), 0); /* an existing leaf still works */
	KEXPECT_EQ(pages_used(t), 8);
	/* one too many, and a tiny table: slot n-1 is the last */
	KEXPECT_EQ(lx4_task_create(cap_new(), 8, 16385), -LX4_EINVAL);
	lx4_cap_t t2 = cap_new();
	KEXPECT_EQ(lx4_task_create(t2, 2, 2), 0);
	KEXPECT_EQ(lx4_cap_copy(t2, 2, ep, LX4_R_ALL, 0), -LX4_ECAP);
	KEXPECT_EQ(lx4_cap_copy(t2, 1, ep, LX4_R_ALL, 0), 0);
	lx4_cap_t t3 = cap_new();
	KEXPECT_EQ(lx4_task_create(t3, 2, 1), 0);
	KEXPECT_EQ(lx4_cap_copy(t3, 1, ep, LX4_R_ALL, 0), -LX4_ECAP);
}

KTEST(cap_destroy_thread_in_ipc)
{
	lx4_cap_t ep = ep_new(), sv = ep_new();
	/* a blocked sender, destroyed, leaves the endpoint's queue */
	lx4_cap_t s = thread_spawn(send_once, ep | 0ull << 32, 100, true);
	wait_for_state(s, LX4_TSTATE_SEND);
	KEXPECT_EQ(lx4_cap_destroy(s), 0);
	EXPECT_EMPTY(SELF, s);
	KEXPECT_EQ(try_recv(ep), -LX4_ETIMEOUT);
	/* a server holding a call, destroyed: its caller gets EDEAD */
	lx4_cap_t srv = thread_spawn(serve_hold, sv, 100, true);
	lx4_cap_t caller = thread_spawn(call_once, sv | 1ull << 32, 100, true);
	wait_for_state(caller, LX4_TSTATE_REPLY);
	wait_for_state(srv, LX4_TSTATE_RECV);
	KEXPECT_EQ(lx4_cap_destroy(srv), 0);
	wait_count(&g_done, 1);
	KEXPECT_EQ(g_rc[1], -LX4_EDEAD);
	/* a caller waiting for a deferred reply, destroyed: the reply fails
	 * and the server goes on */
	lx4_cap_t c2 = thread_spawn(call_once, sv | 2ull << 32, 100, true);
	struct lx4_msg m;
	KEXPECT_EQ(lx4_recv(sv, &m, 2000000000), 0);
	KEXPECT_EQ(m.mr[0], 42);
	KEXPECT_EQ(thread_state(c2), LX4_TSTATE_REPLY);
	lx4_cap_t c2b = copy(c2, LX4_R_ALL, 0);
	KEXPECT_EQ(lx4_cap_destroy(c2), 0);
	m = msg(1, 1, 0, 0, 0);
	KEXPECT_EQ(lx4_reply_to(c2b, &m), -LX4_EDEAD);
	KEXPECT_EQ(lx4_reply_recv(sv, &m, LX4_TIMEOUT_ZERO), -LX4_ETIMEOUT);
	KEXPECT_EQ(g_done, 1);
	KEXPECT_EQ(task_threads(SELF), 1);
}
