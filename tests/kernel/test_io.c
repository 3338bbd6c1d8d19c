/*
 * I/O port mappings: a task may use exactly the ports mapped to it (the
 * CMOS clock at 0x70-0x71 here); any other port is a #GP to its
 * exception handler.  Unmap takes ports away (from that task only), grant
 * moves them.
 */
#include "memtest.h"

#define SELF          LX4_CAP_SELF_TASK
#define RTC           TP_RTC_PORT
#define CMOS_STATUS_D 0x0d /* reads 0x80 */
#define CMOS_CENTURY  0x32

static uint64_t rtc_read(unsigned reg)
{
	mt_outb(RTC, reg);
	return mt_inb(RTC + 1);
}

/* an exception message for an I/O instruction at rip; replies by
 * skipping it (len bytes) with rax = v */
static void expect_gp_skip(lx4_cap_t exc, lx4_cap_t thread, uint64_t rip, unsigned len, uint64_t v)
{
	struct lx4_msg m;
	struct lx4_utcb *u = lx4_utcb();
	expect_exc(exc, 13, &m);
	KEXPECT_EQ(u->mr[LX4_EXC_MR_ERROR], 0);
	KEXPECT_EQ(u->mr[LX4_REG_RIP], rip);
	m.tag = lx4_tag(0, LX4_REG_RIP + 1, 0);
	m.mr[LX4_REG_RAX] = v;
	u->mr[LX4_REG_RIP] = rip + len;
	KEXPECT_EQ(lx4_reply_to(thread, &m), 0);
}

KTEST(io_map_child_ports_work)
{
	struct child c;
	lx4_cap_t ep, exc = ep_new();
	agent_spawn(&c, &ep, 0, exc);
	uint64_t d = rtc_read(CMOS_STATUS_D), cent = rtc_read(CMOS_CENTURY);
	KEXPECT_EQ(d, 0x80);
	uint64_t used = task_used(c.task);
	KEXPECT_EQ(lx4_map(c.task, lx4_iopage(RTC, 1), 0, 0), 0);
	uint64_t cost = task_used(c.task) - used; /* the bitmap (and whatever holds it) */
	KASSERT(cost >= 2);
	agent_call(ep, AG_OUTB, RTC, CMOS_STATUS_D, 0, 0);
	KEXPECT_EQ(agent_call(ep, AG_INB, RTC + 1, 0, 0, 0), d);
	agent_call(ep, AG_OUTB, RTC, CMOS_CENTURY, 0, 0);
	KEXPECT_EQ(agent_call(ep, AG_INB, RTC + 1, 0, 0, 0), cent);
	/* mapping again changes nothing */
	KEXPECT_EQ(lx4_map(c.task, lx4_iopage(RTC + 1, 0), 0, 0), 0);
	KEXPECT_EQ(task_used(c.task), used + cost);
	KEXPECT_EQ(agent_call(ep, AG_INB, RTC + 1, 0, 0, 0), cent);
	/* our own ports still work */
	KEXPECT_EQ(rtc_read(CMOS_STATUS_D), d);
	child_destroy(&c);
}

/* ports next to the mapped ones, wider accesses, tasks without any */
KTEST(io_unmapped_port_faults)
{
	struct child c, c2;
	lx4_cap_t ep, ep2, exc = ep_new();
	agent_spawn(&c, &ep, 0, exc);
	agent_spawn(&c2, &ep2, 0, exc);
	/* no ports at all */
	agent_send(ep, AG_INB, 0x80, 0);
	expect_gp_skip(exc, c.thread, (uint64_t)mt_inb_insn, 1, 0xab);
	KASSERT(wait_eq(&ag_last_r0, 0xab));
	agent_send(ep, AG_INB, RTC + 1, 0);
	expect_gp_skip(exc, c.thread, (uint64_t)mt_inb_insn, 1, 0xac);
	KASSERT(wait_eq(&ag_last_r0, 0xac));
	agent_send(ep, AG_OUTB, RTC, CMOS_STATUS_D);
	expect_gp_skip(exc, c.thread, (uint64_t)mt_outb_insn, 1, 0);
	KEXPECT_EQ(lx4_map(c.task, lx4_iopage(RTC, 1), 0, 0), 0);
	/* the neighbours of the mapped ports, in the same bitmap byte and not */
	static const unsigned bad[] = {0x6f, 0x72, 0x77, 0x78, 0x80, 0x3f8, 0xcf8, 0xfffe, 0xffff, 0};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		agent_send(ep, AG_INB, bad[i], 0);
		expect_gp_skip(exc, c.thread, (uint64_t)mt_inb_insn, 1, i + 1);
		KASSERT(wait_eq(&ag_last_r0, i + 1));
	}
	/* the mapped ones work */
	agent_call(ep, AG_OUTB, RTC, CMOS_STATUS_D, 0, 0);
	KEXPECT_EQ(agent_call(ep, AG_INB, RTC + 1, 0, 0, 0), 0x80);
	/* another task is not affected by c's ports */
	agent_send(ep2, AG_INB, RTC + 1, 0);
	expect_gp_skip(exc, c2.thread, (uint64_t)mt_inb_insn, 1, 0x11);
	KASSERT(wait_eq(&ag_last_r0, 0x11));
	child_destroy(&c2);
	child_destroy(&c);
}

static volatile uint64_t g_v, g_done;

static void inw_user(uint64_t port)
{
	g_v = mt_inw(port);
	g_done = 1;
}

KTEST(io_wide_access)
{
	lx4_cap_t exc = ep_new();
	struct child c;
	mt_spawn(&c, inw_user, RTC + 1, 0, exc, false);
	KEXPECT_EQ(lx4_map(c.task, lx4_iopage(RTC, 1), 0, 0), 0);
	KEXPECT_EQ(lx4_exregs(c.thread, LX4_EXREGS_START, 0).err, 0);
	/* 0x71-0x72: 0x72 is not ours */
	expect_gp_skip(exc, c.thread, (uint64_t)mt_inw_insn, 2, 0x1234);
	KASSERT(wait_eq(&g_done, 1));
	KEXPECT_EQ(g_v, 0x1234);
	mt_destroy(&c);
	/* 0x70-0x71: fine */
	g_done = 0;
	mt_spawn(&c, inw_user, RTC, 0, exc, false);
	KEXPECT_EQ(lx4_map(c.task, lx4_iopage(RTC, 1), 0, 0), 0);
	KEXPECT_EQ(lx4_exregs(c.thread, LX4_EXREGS_START, 0).err, 0);
	KASSERT(wait_eq(&g_done, 1));
	struct lx4_msg m;
	KEXPECT_EQ(lx4_recv(exc, &m, LX4_TIMEOUT_ZERO), -LX4_ETIMEOUT);
	mt_destroy(&c);
}

KTEST(io_unmap_takes_ports)
{
	struct child c;
	lx4_cap_t ep, exc = ep_new();
	agent_spawn(&c, &ep, 0, exc);
	uint64_t d = rtc_read(CMOS_STATUS_D);
	KEXPECT_EQ(lx4_map(c.task, lx4_iopage(RTC, 1), 0, 0), 0);
	agent_call(ep, AG_OUTB, RTC, CMOS_STATUS_D, 0, 0);
	KEXPECT_EQ(agent_call(ep, AG_INB, RTC + 1, 0, 0, 0), d);
	/* one of the two */
	KEXPECT_EQ(lx4_unmap(c.task, lx4_iopage(RTC + 1, 0), 0), 0);
	agent_send(ep, AG_INB, RTC + 1, 0);
	expect_gp_skip(exc, c.thread, (uint64_t)mt_inb_insn, 1, 0x21);
	KASSERT(wait_eq(&ag_last_r0, 0x21));
	agent_call(ep, AG_OUTB, RTC, CMOS_STATUS_D, 0, 0);
	/* back again */
	KEXPECT_EQ(lx4_map(c.task, lx4_iopage(RTC + 1, 0), 0, 0), 0);
	KEXPECT_EQ(agent_call(ep, AG_INB, RTC + 1, 0, 0, 0), d);
	/* both, in a range bigger than what was mapped */
	KEXPECT_EQ(lx4_unmap(c.task, lx4_iopage(0x40, 6), 0), 0);
	agent_send(ep, AG_OUTB, RTC, CMOS_STATUS_D);
	expect_gp_skip(exc, c.thread, (uint64_t)mt_outb_insn, 1, 0);
	/* unmap of nothing, of ports the task never had, bad ranges */
	KEXPECT_EQ(lx4_unmap(c.task, lx4_iopage(RTC, 1), 0), 0);
	KEXPECT_EQ(lx4_unmap(c.task, lx4_iopage(0x80, 4), 0), 0);
	KEXPECT_EQ(lx4_unmap(c.task, lx4_iopage(RTC + 1, 1), 0), -LX4_EINVAL);
	KEXPECT_EQ(lx4_unmap(c.task, lx4_iopage(0, 17), 0), -LX4_EINVAL);
	/* unmapping needs CONTROL */
	lx4_cap_t weak = cap_new();
	KEXPECT_EQ(lx4_cap_copy(SELF, weak, c.task, LX4_R_DESTROY, 0), 0);
	KEXPECT_EQ(lx4_unmap(weak, lx4_iopage(RTC, 1), 0), -LX4_ERIGHTS);
	child_destroy(&c);
	/* ours are untouched */
	KEXPECT_EQ(rtc_read(CMOS_STATUS_D), d);
}

/* unmap is not recursive for ports: what b gave c stays with c */
KTEST(io_unmap_only_that_task)
{
	struct child b, c;
	lx4_cap_t eb, ec;
	agent_spawn(&b, &eb, 0, 0);
	agent_spawn(&c, &ec, 0, 0);
	KEXPECT_EQ(lx4_cap_copy(b.task, AG_FREE_CAP, c.task, LX4_R_CONTROL, 0), 0);
	KEXPECT_EQ(lx4_map(b.task, lx4_iopage(RTC, 1), 0, 0), 0);
	KEXPECT_EQ(agent_call(eb, AG_MAP, AG_FREE_CAP, lx4_iopage(RTC, 1), 0, 0), 0);
	KEXPECT_EQ(lx4_unmap(b.task, lx4_iopage(RTC, 1), 0), 0);
	uint64_t d = rtc_read(CMOS_STATUS_D);
	agent_call(ec, AG_OUTB, RTC, CMOS_STATUS_D, 0, 0);
	KEXPECT_EQ(agent_call(ec, AG_INB, RTC + 1, 0, 0, 0), d);
	/* b has none left to give */
	KEXPECT_EQ(agent_call(eb, AG_MAP, AG_FREE_CAP, lx4_iopage(RTC, 0), 0, 0), (uint64_t)-LX4_ERIGHTS);
	child_destroy(&c);
	child_destroy(&b);
}

KTEST(io_map_errors)
{
	lx4_cap_t t = bare_task(16), weak = cap_new();
	KEXPECT_EQ(task_used(t), 1);
	KEXPECT_EQ(lx4_map(t, lx4_iopage(0x80, 0), 0, 0), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_map(t, lx4_iopage(RTC, 2), 0, 0), -LX4_ERIGHTS); /* 0x72, 0x73 are not ours */
	KEXPECT_EQ(lx4_map(t, lx4_iopage(0, 16), 0, 0), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_map(t, lx4_iopage(RTC + 1, 1), 0, 0), -LX4_EINVAL); /* misaligned */
	KEXPECT_EQ(lx4_map(t, lx4_iopage(0, 17), 0, 0), -LX4_EINVAL);
	KEXPECT_EQ(lx4_map(t, lx4_iopage(RTC, 63), 0, 0), -LX4_EINVAL);
	KEXPECT_EQ(lx4_map(t, lx4_iopage(RTC, 1), 0, 4), -LX4_EINVAL); /* flags */
	KEXPECT_EQ(lx4_cap_copy(SELF, weak, t, LX4_R_ALL & ~LX4_R_CONTROL, 0), 0);
	KEXPECT_EQ(lx4_map(weak, lx4_iopage(RTC, 1), 0, 0), -LX4_ERIGHTS);
	/* nothing was allocated by any of these */
	KEXPECT_EQ(task_used(t), 1);
	KEXPECT_EQ(lx4_map(t, lx4_iopage(RTC, 1), 0, 0), 0);
	uint64_t cost = task_used(t) - 1;
	KASSERT(cost >= 2);
	KEXPECT_EQ(lx4_cap_destroy(t), 0);
	/* too little quota for the bitmap, by every amount: ENOMEM and nothing kept */
	for (uint64_t q = 1; q <= cost; q++) {
		lx4_cap_t t2 = bare_task(q);
		KEXPECT_EQ(lx4_map(t2, lx4_iopage(RTC, 1), 0, 0), -LX4_ENOMEM);
		KEXPECT_EQ(task_used(t2), 1);
		KEXPECT_EQ(lx4_cap_destroy(t2), 0);
	}
	lx4_cap_t t3 = bare_task(1 + cost);
	KEXPECT_EQ(lx4_map(t3, lx4_iopage(RTC, 1), 0, 0), 0);
	KEXPECT_EQ(task_used(t3), 1 + cost);
	KEXPECT_EQ(lx4_cap_destroy(t3), 0);
}

static volatile uint64_t g_go;

static void port_user(uint64_t port)
{
	g_v = mt_inb(port);
	g_done = 1;
	while (g_go != 1)
		lx4_yield();
	g_v = mt_inb(port);
	g_done = 2;
}

/* taking ports from the running task itself: the CPU's copy of its
 * bitmap must follow */
KTEST(io_unmap_own_running)
{
	lx4_cap_t exc = ep_new();
	lx4_cap_t t = thread_spawn(port_user, RTC + 1, 100, false);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_HANDLER, exc), 0);
	mt_outb(RTC, CMOS_STATUS_D);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_START, 0).err, 0);
	KASSERT(wait_eq(&g_done, 1));
	KEXPECT_EQ(g_v, 0x80);
	KEXPECT_EQ(lx4_unmap(SELF, lx4_iopage(RTC + 1, 0), 0), 0);
	g_go = 1;
	expect_gp_skip(exc, t, (uint64_t)mt_inb_insn, 1, 0x5a);
	KASSERT(wait_eq(&g_done, 2));
	KEXPECT_EQ(g_v, 0x5a);
	/* we still have 0x70 */
	mt_outb(RTC, CMOS_STATUS_D);
}

static void self_unmapper(uint64_t port)
{
	KEXPECT_EQ(mt_inb(port + 1), 0x80);
	/* no thread switch between the unmap and the access */
	KEXPECT_EQ(lx4_unmap(LX4_CAP_SELF_TASK, lx4_iopage(port, 1), 0), 0);
	g_v = mt_inb(port + 1);
	g_done = 1;
}

/* the same, by the thread that then uses the port */
KTEST(io_unmap_own_then_use)
{
	lx4_cap_t exc = ep_new();
	mt_outb(RTC, CMOS_STATUS_D);
	lx4_cap_t t = thread_spawn(self_unmapper, RTC, 100, false);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_HANDLER, exc), 0);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_START, 0).err, 0);
	expect_gp_skip(exc, t, (uint64_t)mt_inb_insn, 1, 0x77);
	KASSERT(wait_eq(&g_done, 1));
	KEXPECT_EQ(g_v, 0x77);
}

/* a grant moves ports: the granter's threads fault on them afterwards */
KTEST(io_grant_moves)
{
	struct child c;
	lx4_cap_t ep, exc = ep_new();
	agent_spawn(&c, &ep, 0, 0);
	KEXPECT_EQ(lx4_map(c.task, lx4_iopage(RTC, 1), 0, LX4_MAP_GRANT), 0);
	agent_call(ep, AG_OUTB, RTC, CMOS_STATUS_D, 0, 0);
	KEXPECT_EQ(agent_call(ep, AG_INB, RTC + 1, 0, 0, 0), 0x80);
	lx4_cap_t t = thread_spawn(port_user, RTC + 1, 100, false);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_HANDLER, exc), 0);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_START, 0).err, 0);
	expect_gp_skip(exc, t, (uint64_t)mt_inb_insn, 1, 0x66);
	KASSERT(wait_eq(&g_done, 1));
	KEXPECT_EQ(g_v, 0x66);
	/* and we cannot map them any more */
	lx4_cap_t b = bare_task(8);
	KEXPECT_EQ(lx4_map(b, lx4_iopage(RTC, 0), 0, 0), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_cap_destroy(b), 0);
	/* granting to ourselves changes nothing */
	KEXPECT_EQ(agent_call(ep, AG_MAP, LX4_CAP_SELF_TASK, lx4_iopage(RTC, 1), 0, LX4_MAP_GRANT), 0);
	KEXPECT_EQ(agent_call(ep, AG_INB, RTC + 1, 0, 0, 0), 0x80);
	child_destroy(&c);
	g_go = 1;
	expect_gp_skip(exc, t, (uint64_t)mt_inb_insn, 1, 0x67);
	KASSERT(wait_eq(&g_done, 2));
}

static void iopl_user(uint64_t port)
{
	g_v = mt_inb(port);
	g_done = 1;
}

/* IOPL cannot be raised through an exception reply or exregs */
KTEST(io_iopl_not_settable)
{
	lx4_cap_t exc = ep_new();
	struct child c;
	mt_spawn(&c, iopl_user, 0x80, 0, exc, true);
	struct lx4_msg m;
	struct lx4_utcb *u = lx4_utcb();
	expect_exc(exc, 13, &m);
	KEXPECT_EQ(u->mr[LX4_REG_RIP], (uint64_t)mt_inb_insn);
	/* reply with IOPL 3 (and the rest as it was): the retry faults again */
	m.tag = lx4_tag(0, LX4_REG_RFLAGS + 1, 0);
	u->mr[LX4_REG_RFLAGS] |= 0x3000;
	KEXPECT_EQ(lx4_reply_to(c.thread, &m), 0);
	expect_exc(exc, 13, &m);
	KEXPECT_EQ(u->mr[LX4_REG_RIP], (uint64_t)mt_inb_insn);
	KEXPECT_EQ(u->mr[LX4_REG_RFLAGS] & 0x3000, 0);
	/* exregs: the same */
	KEXPECT_EQ(lx4_exregs(c.thread, LX4_EXREGS_STOP, 0).err, 0);
	u->mr[LX4_REG_RFLAGS] = 0x3202;
	KEXPECT_EQ(lx4_exregs(c.thread, LX4_EXREGS_WRITE | LX4_EXREGS_START, 1ull << LX4_REG_RFLAGS).err, 0);
	expect_exc(exc, 13, &m);
	KEXPECT_EQ(u->mr[LX4_REG_RFLAGS] & 0x3000, 0);
	KEXPECT_EQ(g_done, 0);
	child_destroy(&c);
}
