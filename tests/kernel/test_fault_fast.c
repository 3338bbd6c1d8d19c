/*
 * Page faults by the kernel's IPC fast path (kernel/fastpath.c) and by
 * each of its ways back to the slow path, which must give the same
 * result.  The fast path takes a fault to a pager that waits with no
 * timeout and is urgent enough, and a reply-and-wait whose reply is one
 * memory item and whose receive has nothing to take and no timeout.  The
 * rest: a pager not waiting, waiting with a timeout or less urgent than a
 * ready thread; a sender already queued; a reply that is not one memory
 * item; a map that fails (out of range, a UTCB in the way, no quota).
 */
#include "memtest.h"

#define A1     0x40000000ull
#define A_FAR  0x500000000000ull /* a region with no page tables yet */
#define A_DONE 0x7f0000000000ull /* a fault there ends a toucher's run */
#define SELF   LX4_CAP_SELF_TASK
#define NEVER  LX4_TIMEOUT_NEVER

static inline uint64_t touch_addr(uint64_t base, uint64_t i) { return base + i * 4096 + 8 * i; }

/* writes i + 1 into page i (of 4) at base, then faults at A_DONE, never
 * resolved: the pager knows the run is over */
static void toucher(uint64_t base)
{
	for (uint64_t i = 0; i < 4; i++)
		mt_store(touch_addr(base, i), i + 1);
	mt_load(A_DONE);
}

/* m is a toucher's page fault at addr with the badge */
static void check_pf(const struct lx4_msg *m, uint64_t addr, uint64_t badge)
{
	bool done = addr == A_DONE;
	KEXPECT_EQ(m->tag, lx4_tag(LX4_LABEL_PAGEFAULT, 3, 0) | LX4_TAG_KERNEL);
	KEXPECT_EQ(m->badge, badge);
	KEXPECT_EQ(m->mr[0], addr);
	KEXPECT_EQ(m->mr[1], done ? LX4_PF_READ : LX4_PF_WRITE);
	KEXPECT_EQ(m->mr[2], done ? (uint64_t)mt_load : (uint64_t)mt_store);
}

/* a reply of one memory item */
static struct lx4_msg map_item(uint64_t fpage, uint64_t dst)
{
	struct lx4_msg m = {.tag = lx4_tag(0, 0, 1)};
	m.mr[0] = fpage;
	m.mr[1] = dst;
	return m;
}

/* replies m by reply-and-wait on pf (no timeout: the fast path's), then
 * checks that the next message is the fault at addr */
static void reply_next(lx4_cap_t pf, struct lx4_msg m, uint64_t addr, uint64_t badge)
{
	KEXPECT_EQ(lx4_reply_recv(pf, &m, NEVER), 0);
	check_pf(&m, addr, badge);
}

/* each page a toucher wrote holds its number, where it wrote it */
static void check_pages(const uint64_t *pages, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		KEXPECT_EQ(((volatile uint64_t *)pages[i])[i], i + 1);
		if (i != 1)
			KEXPECT_EQ(((volatile uint64_t *)pages[i])[1], pattern(300 + i, 1));
	}
}

/* the fast path both ways: the message, the map (with a label and flags
 * on the reply's tag, which the slow path ignores too), a grant */
KTEST(fault_fast_map_and_grant)
{
	lx4_cap_t pf = ep_new(), badged = cap_new();
	KEXPECT_EQ(lx4_cap_copy(SELF, badged, pf, LX4_R_SEND, 0x55), 0);
	struct child c;
	mt_spawn(&c, toucher, A1, badged, 0, true);
	uint64_t pages[4];
	struct lx4_msg m;
	KEXPECT_EQ(lx4_recv(pf, &m, NEVER), 0);
	check_pf(&m, touch_addr(A1, 0), 0x55);
	for (unsigned i = 0; i < 4; i++) {
		KEXPECT_EQ(thread_state(c.thread), LX4_TSTATE_REPLY);
		pages[i] = page_pattern(300 + i);
		m = map_item(lx4_fpage(pages[i], 12, RW), A1 + i * 4096ull + (i == 3 ? LX4_ITEM_GRANT : 0));
		if (i == 2)
			m.tag |= lx4_tag(0x123, 0, 0) | LX4_TAG_XFER_ERR;
		reply_next(pf, m, i < 3 ? touch_addr(A1, i + 1) : A_DONE, 0x55);
	}
	for (unsigned i = 0; i < 4; i++)
		KEXPECT_EQ(q_rights(c.task, A1 + i * 4096ull), Q_4K(RW));
	check_pages(pages, 3);
	KEXPECT_EQ(q_derived(SELF, pages[0]), 1);
	KEXPECT_EQ(q_rights(SELF, pages[3]), 0); /* granted */
	KEXPECT_EQ(thread_state(c.thread), LX4_TSTATE_REPLY);
	mt_destroy(&c);
}

/* replies that are not one memory item (the slow path's): nothing to map
 * or items it cannot deliver, so the fault comes again; several items,
 * or untyped words before the item, which it maps */
KTEST(fault_fast_reply_not_one_map)
{
	lx4_cap_t pf = ep_new();
	struct child c;
	mt_spawn(&c, toucher, A1, pf, 0, true);
	uint64_t pages[4];
	for (unsigned i = 0; i < 4; i++)
		pages[i] = page_pattern(300 + i);
	struct lx4_msg m;
	KEXPECT_EQ(lx4_recv(pf, &m, NEVER), 0);
	check_pf(&m, touch_addr(A1, 0), 0);
	reply_next(pf, (struct lx4_msg){.tag = lx4_tag(0, 0, 0)}, touch_addr(A1, 0), 0);
	reply_next(pf, map_item(lx4_capitem(pf, LX4_R_SEND), A1), touch_addr(A1, 0), 0);
	reply_next(pf, map_item(lx4_iopage(0x80, 0), A1), touch_addr(A1, 0), 0);
	reply_next(pf, map_item(0, A1), touch_addr(A1, 0), 0);
	/* a word, then the item */
	m = (struct lx4_msg){.tag = lx4_tag(0, 1, 1)};
	m.mr[0] = lx4_fpage(pages[1], 12, RW);
	m.mr[1] = lx4_fpage(pages[0], 12, RW);
	m.mr[2] = A1;
	reply_next(pf, m, touch_addr(A1, 1), 0);
	/* two items: the second page before it is needed */
	m = (struct lx4_msg){.tag = lx4_tag(0, 0, 2)};
	m.mr[0] = lx4_fpage(pages[1], 12, RW);
	m.mr[1] = A1 + 4096;
	m.mr[2] = lx4_fpage(pages[2], 12, RW);
	m.mr[3] = A1 + 2 * 4096;
	reply_next(pf, m, touch_addr(A1, 3), 0);
	/* an item and a receive with a timeout: the slow path both ways */
	m = map_item(lx4_fpage(pages[3], 12, RW), A1 + 3 * 4096);
	KEXPECT_EQ(lx4_reply_recv(pf, &m, 1000000000ull), 0);
	check_pf(&m, A_DONE, 0);
	check_pages(pages, 4);
	KEXPECT_EQ(q_derived(SELF, pages[0]), 1);
	mt_destroy(&c);
}

/* one memory item whose map fails: the slow path finishes the reply,
 * the fault comes again and nothing else changed */
KTEST(fault_fast_map_fails)
{
	lx4_cap_t pf = ep_new();
	struct child c;
	mt_spawn(&c, toucher, A1, pf, 0, true);
	uint64_t pages[4], blk = heap_block(13, 310);
	for (unsigned i = 0; i < 4; i++)
		pages[i] = page_pattern(300 + i);
	struct lx4_msg m;
	KEXPECT_EQ(lx4_recv(pf, &m, NEVER), 0);
	check_pf(&m, touch_addr(A1, 0), 0);
	/* a page we do not have: nothing to map (no error) */
	reply_next(pf, map_item(lx4_fpage(heap_unused(), 12, RW), A1), touch_addr(A1, 0), 0);
	/* 8 KiB at an offset that is not 8 KiB aligned */
	reply_next(pf, map_item(lx4_fpage(blk, 13, RW), A1 + 4096), touch_addr(A1, 0), 0);
	/* the top page of user space, never mapped */
	reply_next(pf, map_item(lx4_fpage(pages[0], 12, RW), 0x7ffffffff000ull), touch_addr(A1, 0), 0);
	/* the child's UTCB (where ours is) */
	reply_next(pf, map_item(lx4_fpage(pages[0], 12, RW), TP_UTCB), touch_addr(A1, 0), 0);
	KEXPECT_EQ(q_rights(c.task, TP_UTCB), Q_KOWNED | Q_4K(RW));
	KEXPECT_EQ(q_rights(c.task, A1), 0);
	KEXPECT_EQ(q_derived(SELF, pages[0]), 0);
	KEXPECT_EQ(q_derived(SELF, blk), 0);
	for (unsigned i = 0; i < 3; i++)
		reply_next(pf, map_item(lx4_fpage(pages[i], 12, RW), A1 + i * 4096ull), touch_addr(A1, i + 1), 0);
	reply_next(pf, map_item(lx4_fpage(pages[3], 12, RW), A1 + 3 * 4096ull), A_DONE, 0);
	check_pages(pages, 4);
	mt_destroy(&c);
}

/* the map runs out of the faulter's quota (it needs page tables): the
 * fault comes again, until the quota grows */
KTEST(fault_fast_out_of_quota)
{
	lx4_cap_t pf = ep_new();
	struct child c;
	mt_spawn(&c, toucher, A_FAR, pf, 0, false);
	uint64_t pages[4];
	for (unsigned i = 0; i < 4; i++)
		pages[i] = page_pattern(300 + i);
	long e = 0;
	for (unsigned i = 0; i < 256 && e == 0; i++)
		e = lx4_map(c.task, lx4_fpage(pages[0], 12, LX4_FP_R), 0x100000000000ull + ((uint64_t)i << 30), 0);
	KEXPECT_EQ(e, -LX4_ENOMEM);
	KEXPECT_EQ(lx4_exregs(c.thread, LX4_EXREGS_START, 0).err, 0);
	struct lx4_msg m;
	KEXPECT_EQ(lx4_recv(pf, &m, NEVER), 0);
	check_pf(&m, touch_addr(A_FAR, 0), 0);
	uint64_t derived = q_derived(SELF, pages[0]);
	for (unsigned i = 0; i < 3; i++)
		reply_next(pf, map_item(lx4_fpage(pages[0], 12, RW), A_FAR), touch_addr(A_FAR, 0), 0);
	KEXPECT_EQ(q_rights(c.task, A_FAR), 0);
	KEXPECT_EQ(q_derived(SELF, pages[0]), derived);
	struct lx4_sysret info = lx4_task_info(c.task);
	KEXPECT_EQ(info.r1, info.r2); /* all of it used */
	KEXPECT_EQ(lx4_task_quota(c.task, info.r1 + 8), 0);
	for (unsigned i = 0; i < 3; i++)
		reply_next(pf, map_item(lx4_fpage(pages[i], 12, RW), A_FAR + i * 4096ull), touch_addr(A_FAR, i + 1), 0);
	reply_next(pf, map_item(lx4_fpage(pages[3], 12, RW), A_FAR + 3 * 4096ull), A_DONE, 0);
	check_pages(pages, 4);
	mt_destroy(&c);
}

/* faults of two children: the second waits as a sender while we answer
 * the first, so that reply-and-wait has a message to take at once */
KTEST(fault_fast_sender_waits)
{
	lx4_cap_t pf = ep_new();
	struct child c[2];
	uint64_t pages[2][4], next[2] = {0, 0};
	for (unsigned k = 0; k < 2; k++) {
		lx4_cap_t badged = cap_new();
		KEXPECT_EQ(lx4_cap_copy(SELF, badged, pf, LX4_R_SEND, k + 1), 0);
		mt_spawn(&c[k], toucher, A1, badged, 0, true);
		for (unsigned i = 0; i < 4; i++)
			pages[k][i] = page_pattern(300 + i);
	}
	KASSERT(wait_state(c[0].thread, LX4_TSTATE_SEND));
	KASSERT(wait_state(c[1].thread, LX4_TSTATE_SEND));
	struct lx4_msg m;
	KEXPECT_EQ(lx4_recv(pf, &m, NEVER), 0);
	for (unsigned done = 0;;) {
		KASSERT(m.badge == 1 || m.badge == 2);
		unsigned k = m.badge - 1, i = next[k]++;
		check_pf(&m, i < 4 ? touch_addr(A1, i) : A_DONE, k + 1);
		if (i == 4 && ++done == 2)
			break;
		if (i == 4) {
			KEXPECT_EQ(lx4_recv(pf, &m, NEVER), 0); /* no reply: that child is done */
			continue;
		}
		m = map_item(lx4_fpage(pages[k][i], 12, RW), A1 + i * 4096ull);
		KEXPECT_EQ(lx4_reply_recv(pf, &m, NEVER), 0);
	}
	for (unsigned k = 0; k < 2; k++) {
		check_pages(pages[k], 4);
		mt_destroy(&c[k]);
	}
}

/* ---- a pager thread, less urgent than others ---------------------------- */

static struct {
	lx4_cap_t pf;   /* where it receives */
	lx4_cap_t poke; /* before each reply it sends there (0: not) */
	uint64_t pages[4];
	volatile uint64_t served; /* the toucher's faults it has seen */
} g_pg;
static volatile uint64_t g_pokes;

/* resolves one toucher's faults at A1, then waits for good */
static void pager(uint64_t unused)
{
	(void)unused;
	struct lx4_msg m;
	KEXPECT_EQ(lx4_recv(g_pg.pf, &m, NEVER), 0);
	for (unsigned i = 0; i < 4; i++) {
		check_pf(&m, touch_addr(A1, i), 0);
		g_pg.served++;
		if (g_pg.poke) {
			struct lx4_msg p = {.tag = lx4_tag(1, 0, 0)};
			KEXPECT_EQ(lx4_send(g_pg.poke, &p, LX4_TIMEOUT_ZERO), 0);
		}
		m = map_item(lx4_fpage(g_pg.pages[i], 12, RW), A1 + i * 4096ull);
		KEXPECT_EQ(lx4_reply_recv(g_pg.pf, &m, NEVER), 0);
	}
	check_pf(&m, A_DONE, 0);
	g_pg.served++;
	lx4_recv(g_pg.pf, &m, NEVER);
}

static void poked(uint64_t ep)
{
	struct lx4_msg m;
	for (;;) {
		KEXPECT_EQ(lx4_recv(ep, &m, NEVER), 0);
		g_pokes++;
	}
}

/* sleeps until the pager has seen the toucher's last fault */
static void wait_served(void)
{
	uint64_t end = now_ns() + 1000000000ull;
	while (g_pg.served < 5 && now_ns() < end)
		sleep_ns(100000);
	KEXPECT_EQ(g_pg.served, 5);
}

static void pager_setup(lx4_cap_t poke, unsigned prio)
{
	g_pg.pf = ep_new();
	g_pg.poke = poke;
	g_pg.served = 0;
	for (unsigned i = 0; i < 4; i++)
		g_pg.pages[i] = page_pattern(300 + i);
	thread_spawn(pager, 0, prio, true);
	sleep_ns(1000000); /* it waits now */
}

/* a fault while a thread more urgent than the pager is ready (we are):
 * the pager gets it when it may run */
KTEST(fault_fast_pager_less_urgent)
{
	pager_setup(0, 50);
	struct child c;
	mt_spawn(&c, toucher, A1, g_pg.pf, 0, true);
	lx4_yield(); /* the child runs and faults; we are ready */
	KEXPECT_EQ(g_pg.served, 0);
	wait_served();
	check_pages(g_pg.pages, 4);
	mt_destroy(&c);
}

/* a reply to a faulter less urgent than a ready thread (the one the
 * pager pokes first): that thread runs before the faulter */
KTEST(fault_fast_faulter_less_urgent)
{
	lx4_cap_t poke = ep_new();
	g_pokes = 0;
	thread_spawn(poked, poke, 45, true);
	pager_setup(poke, 50);
	struct child c;
	mt_spawn(&c, toucher, A1, g_pg.pf, 0, false);
	KEXPECT_EQ(lx4_thread_config(c.thread, LX4_TCFG_PRIORITY, 40), 0);
	KEXPECT_EQ(lx4_exregs(c.thread, LX4_EXREGS_START, 0).err, 0);
	wait_served();
	KEXPECT_EQ(g_pokes, 4);
	check_pages(g_pg.pages, 4);
	mt_destroy(&c);
}
