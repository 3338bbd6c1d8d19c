/*
 * Page faults handled by user-level pagers: the fault message (address,
 * access, rip, badge), resolving it with a map item in the reply, faults
 * that are never resolved, and pagers that die or vanish.
 */
#include "memtest.h"

#define A1   0x40000000ull /* fault addresses in children */
#define A2   0x48000000ull
#define A3   0x50000000ull
#define SELF LX4_CAP_SELF_TASK

static inline uint64_t fp(uint64_t base, uint64_t rights)
{
	return lx4_fpage(base, 12, rights);
}

static volatile uint64_t g_r, g_x, g_done, g_count;

static void rwx_faulter(uint64_t unused)
{
	(void)unused;
	g_r = mt_load(A1 + 8);
	mt_store(A1 + 16, 0x5a5a);
	g_x = mt_jump(A2 + ((uint64_t)mt_ret42 & 0xfff));
	g_done = 1;
}

/* read, write and execute faults: address, access, rip and badge; the
 * reply's map item resolves each and the child goes on */
KTEST(fault_read_write_exec)
{
	lx4_cap_t pf = ep_new(), badged = cap_new();
	KEXPECT_EQ(lx4_cap_copy(SELF, badged, pf, LX4_R_SEND, 0x77), 0);
	struct child c;
	mt_spawn(&c, rwx_faulter, 0, badged, 0, true);
	uint64_t p = page_pattern(1), text = (uint64_t)mt_ret42 & ~0xfffull;
	uint64_t exec_at = A2 + ((uint64_t)mt_ret42 & 0xfff);
	/* a read of an unmapped page */
	KEXPECT_EQ(expect_pf(pf, A1 + 8, LX4_PF_READ), (uint64_t)mt_load);
	KEXPECT_EQ(pf_badge, 0x77);
	KEXPECT_EQ(thread_state(c.thread), LX4_TSTATE_REPLY);
	reply_map(c.thread, fp(p, LX4_FP_R), A1);
	/* a write to the read-only page */
	KEXPECT_EQ(expect_pf(pf, A1 + 16, LX4_PF_WRITE | LX4_PF_PRESENT), (uint64_t)mt_store);
	KEXPECT_EQ(pf_badge, 0x77);
	KEXPECT_EQ(g_r, pattern(1, 1));
	reply_map(c.thread, fp(p, RW), A1);
	/* an instruction fetch from an unmapped page: rip = the address */
	KEXPECT_EQ(expect_pf(pf, exec_at, LX4_PF_EXEC), exec_at);
	KEXPECT_EQ(((volatile uint64_t *)p)[2], 0x5a5a);
	reply_map(c.thread, fp(text, RX), A2);
	KASSERT(wait_eq(&g_done, 1));
	KEXPECT_EQ(g_x, 42);
	KEXPECT_EQ(q_rights(c.task, A1), Q_4K(RW));
	KEXPECT_EQ(q_rights(c.task, A2), Q_4K(RX));
	mt_destroy(&c);
}

static void nx_faulter(uint64_t unused)
{
	(void)unused;
	g_x = mt_jump(A1 + ((uint64_t)mt_ret42 & 0xfff));
	mt_store((uint64_t)mt_ret42, 1); /* text is not writable */
	g_done = 1;
}

/* executing a page without X and writing to text: both PRESENT faults */
KTEST(fault_exec_nx_and_write_text)
{
	lx4_cap_t pf = ep_new();
	struct child c;
	mt_spawn(&c, nx_faulter, 0, pf, 0, false);
	uint64_t p = page_pattern(2), text = (uint64_t)mt_ret42 & ~0xfffull;
	uint64_t exec_at = A1 + ((uint64_t)mt_ret42 & 0xfff);
	KEXPECT_EQ(lx4_map(c.task, fp(p, RW), A1, 0), 0);
	KEXPECT_EQ(lx4_exregs(c.thread, LX4_EXREGS_START, 0).err, 0);
	KEXPECT_EQ(expect_pf(pf, exec_at, LX4_PF_EXEC | LX4_PF_PRESENT), exec_at);
	/* the text page replaces the data page */
	reply_map(c.thread, fp(text, RX), A1);
	KEXPECT_EQ(expect_pf(pf, (uint64_t)mt_ret42, LX4_PF_WRITE | LX4_PF_PRESENT), (uint64_t)mt_store);
	KEXPECT_EQ(g_x, 42);
	KEXPECT_EQ(q_derived(SELF, p), 0);
	KEXPECT_EQ(q_rights(c.task, A1), Q_4K(RX));
	/* we cannot give it W on text we only have RX */
	reply_map(c.thread, fp(text, RW), (uint64_t)text);
	KEXPECT_EQ(expect_pf(pf, (uint64_t)mt_ret42, LX4_PF_WRITE | LX4_PF_PRESENT), (uint64_t)mt_store);
	KEXPECT_EQ(lx4_exregs(c.thread, LX4_EXREGS_STOP, 0).r1, LX4_TSTATE_INACTIVE);
	KEXPECT_EQ(g_done, 0);
	child_destroy(&c);
}

static void kernel_reader(uint64_t addr)
{
	g_r = mt_load(addr);
	g_done = 1;
}

/* touching kernel memory is a protection fault on a present page; a
 * non-canonical address is a #GP, to the exception handler */
KTEST(fault_kernel_and_noncanonical)
{
	lx4_cap_t pf = ep_new(), exc = ep_new();
	static const uint64_t kaddr[] = {0xffff800000000000ull, 0xffffffff80000000ull, 0xffffffff80100000ull};
	for (unsigned i = 0; i < 3; i++) {
		struct child c;
		mt_spawn(&c, kernel_reader, kaddr[i], pf, exc, true);
		KEXPECT_EQ(expect_pf(pf, kaddr[i], LX4_PF_READ | LX4_PF_PRESENT), (uint64_t)mt_load);
		/* mapping anything there is impossible: the fault comes again */
		reply_map(c.thread, fp(page_pattern(3), RW), kaddr[i]);
		KEXPECT_EQ(expect_pf(pf, kaddr[i], LX4_PF_READ | LX4_PF_PRESENT), (uint64_t)mt_load);
		child_destroy(&c);
	}
	struct child c;
	mt_spawn(&c, kernel_reader, 0x0000800000000000ull, pf, exc, true);
	struct lx4_msg m;
	expect_exc(exc, 13, &m);
	KEXPECT_EQ(lx4_utcb()->mr[LX4_REG_RIP], (uint64_t)mt_load);
	KEXPECT_EQ(m.mr[LX4_REG_RDI], 0x0000800000000000ull);
	KEXPECT_EQ(g_done, 0);
	child_destroy(&c);
}

static void looping_reader(uint64_t addr)
{
	g_r = mt_load(addr);
	g_done = 1;
}

/* a pager that never maps: the same fault again and again */
KTEST(fault_unresolved_repeats)
{
	lx4_cap_t pf = ep_new();
	struct child c;
	mt_spawn(&c, looping_reader, A1 + 0x123, pf, 0, true);
	uint64_t p = page_pattern(4);
	for (unsigned i = 0; i < 5; i++) {
		KEXPECT_EQ(expect_pf(pf, A1 + 0x123, LX4_PF_READ), (uint64_t)mt_load);
		switch (i) {
		case 0: reply_empty(c.thread); break;
		case 1: reply_map(c.thread, fp(heap_unused(), RW), A1); break;         /* we do not have it */
		case 2: reply_map(c.thread, fp(p, RW), A1 + 4096); break;              /* the wrong page */
		case 3: reply_map(c.thread, lx4_fpage(p | 0x1000, 13, RW), A1); break; /* misaligned */
		default: break;
		}
	}
	KEXPECT_EQ(q_rights(c.task, A1 + 4096), Q_4K(RW));
	KEXPECT_EQ(q_rights(c.task, A1), 0);
	KEXPECT_EQ(thread_state(c.thread), LX4_TSTATE_REPLY);
	/* stop it: out of the fault, and our reply finds nobody */
	KEXPECT_EQ(lx4_exregs(c.thread, LX4_EXREGS_STOP, 0).r1, LX4_TSTATE_INACTIVE);
	struct lx4_msg m = {.tag = lx4_tag(0, 0, 0)};
	KEXPECT_EQ(lx4_reply_to(c.thread, &m), -LX4_ESTATE);
	/* started again, it faults again */
	KEXPECT_EQ(lx4_exregs(c.thread, LX4_EXREGS_START, 0).err, 0);
	KEXPECT_EQ(expect_pf(pf, A1 + 0x123, LX4_PF_READ), (uint64_t)mt_load);
	reply_map(c.thread, fp(p, LX4_FP_R), A1);
	KASSERT(wait_eq(&g_done, 1));
	KEXPECT_EQ(g_r, *(volatile uint64_t *)(p + 0x123));
	mt_destroy(&c);
}

/* exregs ABORT takes the thread out of its fault: it faults once more */
KTEST(fault_abort_refaults)
{
	lx4_cap_t pf = ep_new();
	struct child c;
	mt_spawn(&c, looping_reader, A1, pf, 0, true);
	KEXPECT_EQ(expect_pf(pf, A1, LX4_PF_READ), (uint64_t)mt_load);
	KEXPECT_EQ(lx4_exregs(c.thread, LX4_EXREGS_ABORT, 0).err, 0);
	KEXPECT_EQ(expect_pf(pf, A1, LX4_PF_READ), (uint64_t)mt_load);
	uint64_t p = page_pattern(5);
	reply_map(c.thread, fp(p, LX4_FP_R), A1);
	KASSERT(wait_eq(&g_done, 1));
	KEXPECT_EQ(g_r, pattern(5, 0));
	mt_destroy(&c);
}

static void page_toucher(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		mt_store(A1 + i * 4096 + (i % 512) * 8, i + 1);
	g_done = 1;
}

/* many faults in a row, each resolved with its own page */
KTEST(fault_many_pages)
{
	enum { N = 64 };
	lx4_cap_t pf = ep_new();
	struct child c;
	mt_spawn(&c, page_toucher, N, pf, 0, true);
	uint64_t pages[N];
	for (unsigned i = 0; i < N; i++) {
		KEXPECT_EQ(expect_pf(pf, A1 + i * 4096ull + (i % 512) * 8, LX4_PF_WRITE), (uint64_t)mt_store);
		pages[i] = (uint64_t)page_new();
		reply_map(c.thread, fp(pages[i], RW), A1 + i * 4096ull);
	}
	KASSERT(wait_eq(&g_done, 1));
	for (unsigned i = 0; i < N; i++)
		KEXPECT_EQ(((volatile uint64_t *)pages[i])[i % 512], i + 1);
	/* nothing else came */
	struct lx4_msg m;
	KEXPECT_EQ(lx4_recv(pf, &m, LX4_TIMEOUT_ZERO), -LX4_ETIMEOUT);
	mt_destroy(&c);
}

/* a reply may map more than the fault needs: several items, big fpages,
 * grants */
KTEST(fault_reply_maps_more)
{
	enum { N = 16 };
	lx4_cap_t pf = ep_new();
	struct child c;
	mt_spawn(&c, page_toucher, N, pf, 0, true);
	uint64_t blk = heap_block(16, 100);
	KEXPECT_EQ(expect_pf(pf, A1, LX4_PF_WRITE), (uint64_t)mt_store);
	struct lx4_msg m = {.tag = lx4_tag(0, 1, 2)};
	m.mr[0] = 12345; /* an untyped word first: items come after it */
	m.mr[1] = fp(blk, RW);
	m.mr[2] = A1;
	m.mr[3] = lx4_fpage(blk + 4096, 12, RW);
	m.mr[4] = A1 + 4096;
	KEXPECT_EQ(lx4_reply_to(c.thread, &m), 0);
	KEXPECT_EQ(expect_pf(pf, A1 + 2 * 4096 + 16, LX4_PF_WRITE), (uint64_t)mt_store);
	/* all 16 pages at once (two of them again: no change) */
	reply_map(c.thread, lx4_fpage(blk, 16, RW), A1);
	KASSERT(wait_eq(&g_done, 1));
	for (unsigned i = 0; i < N; i++) {
		KEXPECT_EQ(((volatile uint64_t *)(blk + i * 4096ull))[i], i + 1);
		KEXPECT_EQ(q_derived(SELF, blk + i * 4096ull), 1);
	}
	KEXPECT_EQ(lx4_recv(pf, &m, LX4_TIMEOUT_ZERO), -LX4_ETIMEOUT);
	mt_destroy(&c);
	/* a grant in the reply: we lose the page */
	g_done = 0;
	mt_spawn(&c, page_toucher, 1, pf, 0, true);
	uint64_t p = page_pattern(6);
	KEXPECT_EQ(expect_pf(pf, A1, LX4_PF_WRITE), (uint64_t)mt_store);
	m = (struct lx4_msg){.tag = lx4_tag(0, 0, 1)};
	m.mr[0] = fp(p, RW);
	m.mr[1] = A1 | LX4_ITEM_GRANT;
	KEXPECT_EQ(lx4_reply_to(c.thread, &m), 0);
	KASSERT(wait_eq(&g_done, 1));
	KEXPECT_EQ(q_rights(SELF, p), 0);
	KEXPECT_EQ(q_rights(c.task, A1), Q_4K(RW));
	mt_destroy(&c);
}

static void reader_stays(uint64_t addr)
{
	g_r = mt_load(addr);
	g_x = lx4_utcb()->tls[0];
	g_done = 1;
	for (;;)
		lx4_yield();
}

/* the reply's items never replace the faulting thread's UTCB */
KTEST(fault_reply_skips_utcb)
{
	lx4_cap_t pf = ep_new();
	struct child c;
	mt_spawn(&c, reader_stays, 0, pf, 0, false);
	/* a child's first thread has its UTCB where ours is: fault next to it */
	uint64_t cu = TP_UTCB;
	KEXPECT_EQ(q_rights(c.task, cu), Q_KOWNED | Q_4K(RW));
	uint64_t cblk = cu & ~0xffffull, at = cblk;
	while (q_rights(c.task, at))
		at += 4096;
	struct lx4_utcb *u = lx4_utcb();
	u->mr[LX4_REG_RSI] = at; /* the argument of reader_stays */
	KEXPECT_EQ(lx4_exregs(c.thread, LX4_EXREGS_WRITE | LX4_EXREGS_START, 1ull << LX4_REG_RSI).err, 0);
	KEXPECT_EQ(expect_pf(pf, at, LX4_PF_READ), (uint64_t)mt_load);
	uint64_t blk = heap_block(16, 110);
	reply_map(c.thread, lx4_fpage(blk, 16, RW), cblk);
	KASSERT(wait_eq(&g_done, 1));
	KEXPECT_EQ(g_r, pattern(110 + ((at - cblk) >> 12), 0));
	KEXPECT_EQ(g_x, cu);
	KEXPECT_EQ(q_rights(c.task, cu), Q_KOWNED | Q_4K(RW));
	KEXPECT_EQ(q_derived(SELF, blk + (cu - cblk)), 0);
	for (uint64_t a = cblk; a < cblk + 0x10000; a += 4096)
		if (a != cu)
			KEXPECT_EQ(q_rights(c.task, a), Q_4K(RW));
	child_destroy(&c);
}

/* a fault with no pager halts the thread; exregs START resumes it */
KTEST(fault_no_pager_halts)
{
	struct child c;
	mt_spawn(&c, looping_reader, A1, 0, 0, true);
	KASSERT(wait_state(c.thread, LX4_TSTATE_HALTED));
	KEXPECT_EQ(g_done, 0);
	/* a thread of ours, too: we are not disturbed */
	lx4_cap_t t = thread_spawn(looping_reader, A2, 100, true);
	KASSERT(wait_state(t, LX4_TSTATE_HALTED));
	/* give the child a pager and resume it: the fault comes again */
	lx4_cap_t pf = ep_new();
	KEXPECT_EQ(lx4_thread_config(c.thread, LX4_TCFG_PAGER, pf), 0);
	KEXPECT_EQ(lx4_exregs(c.thread, LX4_EXREGS_START, 0).err, 0);
	KEXPECT_EQ(expect_pf(pf, A1, LX4_PF_READ), (uint64_t)mt_load);
	uint64_t p = page_pattern(7);
	reply_map(c.thread, fp(p, LX4_FP_R), A1);
	KASSERT(wait_eq(&g_done, 1));
	KEXPECT_EQ(g_r, pattern(7, 0));
	mt_destroy(&c);
	KEXPECT_EQ(thread_state(t), LX4_TSTATE_HALTED);
}

static volatile uint64_t g_err;

static void plain_sender(uint64_t ep)
{
	struct lx4_msg m = msg(1, 1, 0, 0, 0);
	g_err = (uint64_t)lx4_send(ep, &m, LX4_TIMEOUT_NEVER);
}

/* the pager endpoint destroyed while the fault waits on it: HALTED */
KTEST(fault_pager_endpoint_destroyed)
{
	lx4_cap_t pf = ep_new();
	struct child c, c2;
	mt_spawn(&c, looping_reader, A1, pf, 0, true);
	KASSERT(wait_state(c.thread, LX4_TSTATE_SEND));
	/* a second faulter on the same endpoint, and an ordinary sender */
	mt_spawn(&c2, looping_reader, A2, pf, 0, true);
	KASSERT(wait_state(c2.thread, LX4_TSTATE_SEND));
	g_err = 1;
	lx4_cap_t snd = thread_spawn(plain_sender, pf, 100, true);
	KASSERT(wait_state(snd, LX4_TSTATE_SEND));
	KEXPECT_EQ(lx4_cap_destroy(pf), 0);
	KEXPECT_EQ(thread_state(c.thread), LX4_TSTATE_HALTED);
	KEXPECT_EQ(thread_state(c2.thread), LX4_TSTATE_HALTED);
	/* the ordinary sender is not halted: its send fails */
	KASSERT(wait_eq(&g_err, (uint64_t)-LX4_EDEAD));
	/* a fault on a dead pager endpoint halts at once */
	lx4_cap_t pf2 = ep_new(), keep = cap_new();
	KEXPECT_EQ(lx4_cap_copy(SELF, keep, pf2, LX4_R_ALL, 0), 0);
	KEXPECT_EQ(lx4_thread_config(c2.thread, LX4_TCFG_PAGER, keep), 0);
	KEXPECT_EQ(lx4_cap_destroy(pf2), 0);
	KEXPECT_EQ(lx4_exregs(c2.thread, LX4_EXREGS_START, 0).err, 0);
	KASSERT(wait_state(c2.thread, LX4_TSTATE_HALTED));
	/* everything else still works: a new pager resolves the first */
	lx4_cap_t pf3 = ep_new();
	KEXPECT_EQ(lx4_thread_config(c.thread, LX4_TCFG_PAGER, pf3), 0);
	KEXPECT_EQ(lx4_exregs(c.thread, LX4_EXREGS_START, 0).err, 0);
	KEXPECT_EQ(expect_pf(pf3, A1, LX4_PF_READ), (uint64_t)mt_load);
	reply_map(c.thread, fp(page_pattern(8), LX4_FP_R), A1);
	KASSERT(wait_eq(&g_done, 1));
	KEXPECT_EQ(g_r, pattern(8, 0));
	mt_destroy(&c);
	child_destroy(&c2);
}

static void stuck_pager(uint64_t ep)
{
	struct lx4_msg m;
	KEXPECT_EQ(lx4_recv(ep, &m, LX4_TIMEOUT_NEVER), 0);
	KEXPECT_EQ(lx4_tag_label(m.tag), LX4_LABEL_PAGEFAULT);
	g_count = m.mr[0];
	lx4_recv(ep, &m, LX4_TIMEOUT_NEVER); /* holds the fault forever */
}

/* the pager thread dies while the faulting thread waits for its reply */
KTEST(fault_pager_thread_dies)
{
	lx4_cap_t pf = ep_new();
	lx4_cap_t pager = thread_spawn(stuck_pager, pf, 100, true);
	struct child c;
	mt_spawn(&c, looping_reader, A1, pf, 0, true);
	KASSERT(wait_eq(&g_count, A1));
	KEXPECT_EQ(thread_state(c.thread), LX4_TSTATE_REPLY);
	KEXPECT_EQ(lx4_cap_destroy(pager), 0);
	KEXPECT_EQ(thread_state(c.thread), LX4_TSTATE_HALTED);
	/* we are the pager now */
	KEXPECT_EQ(lx4_exregs(c.thread, LX4_EXREGS_START, 0).err, 0);
	KEXPECT_EQ(expect_pf(pf, A1, LX4_PF_READ), (uint64_t)mt_load);
	reply_map(c.thread, fp(page_pattern(9), LX4_FP_R), A1);
	KASSERT(wait_eq(&g_done, 1));
	KEXPECT_EQ(g_r, pattern(9, 0));
	mt_destroy(&c);
}

/* the faulting thread dies while its pager holds the fault */
KTEST(fault_faulter_dies)
{
	lx4_cap_t pf = ep_new();
	struct child c;
	mt_spawn(&c, looping_reader, A1, pf, 0, true);
	lx4_cap_t tc = cap_new();
	KEXPECT_EQ(lx4_cap_copy(SELF, tc, c.thread, LX4_R_ALL, 0), 0);
	KEXPECT_EQ(expect_pf(pf, A1, LX4_PF_READ), (uint64_t)mt_load);
	KEXPECT_EQ(lx4_cap_destroy(c.thread), 0);
	/* the reply finds nobody: no map happens */
	uint64_t p = page_pattern(10);
	struct lx4_msg m = {.tag = lx4_tag(0, 0, 1)};
	m.mr[0] = fp(p, RW);
	m.mr[1] = A1;
	KEXPECT_EQ(lx4_reply_to(tc, &m), -LX4_EDEAD);
	KEXPECT_EQ(lx4_reply_recv(pf, &m, LX4_TIMEOUT_ZERO), -LX4_ETIMEOUT);
	KEXPECT_EQ(q_derived(SELF, p), 0);
	KEXPECT_EQ(q_rights(c.task, A1), 0);
	KEXPECT_EQ(lx4_cap_destroy(c.task), 0);
}

/* a pager in a child task: faults of a thread of ours go there */
static void child_pager(uint64_t ep)
{
	struct lx4_msg m;
	long e = lx4_recv(ep, &m, LX4_TIMEOUT_NEVER);
	while (e == 0) {
		KEXPECT_EQ(lx4_tag_label(m.tag), LX4_LABEL_PAGEFAULT);
		g_count++;
		/* the child has our page at A3: it maps it where the fault is */
		uint64_t at = m.mr[0] & ~0xfffull;
		m.tag = lx4_tag(0, 0, 1);
		m.mr[0] = fp(A3, RW);
		m.mr[1] = at;
		e = lx4_reply_recv(ep, &m, LX4_TIMEOUT_NEVER);
	}
}

KTEST(fault_pager_in_other_task)
{
	lx4_cap_t pf = ep_new();
	struct child pg;
	mt_spawn(&pg, child_pager, AG_EP, 0, 0, false);
	KEXPECT_EQ(lx4_cap_copy(pg.task, AG_EP, pf, LX4_R_RECV, 0), 0);
	uint64_t p = page_pattern(11);
	KEXPECT_EQ(lx4_map(pg.task, fp(p, RW), A3, 0), 0);
	KEXPECT_EQ(lx4_exregs(pg.thread, LX4_EXREGS_START, 0).err, 0);
	g_count = 0;
	lx4_cap_t t = thread_spawn(looping_reader, A1 + 0x40, 100, false);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_PAGER, pf), 0);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_START, 0).err, 0);
	KASSERT(wait_eq(&g_done, 1));
	KEXPECT_EQ(g_count, 1);
	KEXPECT_EQ(g_r, pattern(11, 8));
	/* our page at A1 came from the child's, which came from ours */
	KEXPECT_EQ(q_rights(SELF, A1), Q_4K(RW));
	KEXPECT_EQ(q_derived(SELF, p), 2);
	KEXPECT_EQ(q_derived(pg.task, A3), 1);
	child_destroy(&pg);
	KEXPECT_EQ(q_rights(SELF, A1), 0);
}

static void gp_then_read(uint64_t addr)
{
	mt_inb(0x80); /* not ours: #GP */
	g_r = mt_load(addr);
	g_done = 1;
}

/* an exception reply may carry map items too */
KTEST(fault_exception_reply_maps)
{
	lx4_cap_t pf = ep_new(), exc = ep_new();
	struct child c;
	mt_spawn(&c, gp_then_read, A1, pf, exc, true);
	struct lx4_msg m;
	struct lx4_utcb *u = lx4_utcb();
	expect_exc(exc, 13, &m);
	KEXPECT_EQ(u->mr[LX4_REG_RIP], (uint64_t)mt_inb_insn);
	uint64_t p = page_pattern(12);
	m.tag = lx4_tag(0, LX4_REG_RIP + 1, 1);
	u->mr[LX4_REG_RIP] += 1;
	u->mr[LX4_REG_RIP + 1] = fp(p, LX4_FP_R);
	u->mr[LX4_REG_RIP + 2] = A1;
	KEXPECT_EQ(lx4_reply_to(c.thread, &m), 0);
	KASSERT(wait_eq(&g_done, 1));
	KEXPECT_EQ(g_r, pattern(12, 0));
	KEXPECT_EQ(lx4_recv(pf, &m, LX4_TIMEOUT_ZERO), -LX4_ETIMEOUT);
	KEXPECT_EQ(q_rights(c.task, A1), Q_4K(LX4_FP_R));
	mt_destroy(&c);
}

/* a pager whose reply cannot be mapped for want of the faulter's quota:
 * the fault comes again, nothing breaks */
KTEST(fault_reply_out_of_quota)
{
	lx4_cap_t pf = ep_new();
	struct child c;
	mt_spawn(&c, looping_reader, 0x300000000000ull, pf, 0, false);
	uint64_t p = page_pattern(13);
	long e = 0;
	for (unsigned i = 0; i < 256 && e == 0; i++)
		e = lx4_map(c.task, fp(p, LX4_FP_R), 0x100000000000ull + ((uint64_t)i << 30), 0);
	KEXPECT_EQ(e, -LX4_ENOMEM);
	KEXPECT_EQ(lx4_exregs(c.thread, LX4_EXREGS_START, 0).err, 0);
	for (unsigned i = 0; i < 3; i++) {
		KEXPECT_EQ(expect_pf(pf, 0x300000000000ull, LX4_PF_READ), (uint64_t)mt_load);
		reply_map(c.thread, fp(p, LX4_FP_R), 0x300000000000ull);
	}
	KEXPECT_EQ(expect_pf(pf, 0x300000000000ull, LX4_PF_READ), (uint64_t)mt_load);
	KEXPECT_EQ(q_rights(c.task, 0x300000000000ull), 0);
	/* where the tables exist the reply works */
	struct lx4_utcb *u = lx4_utcb();
	KEXPECT_EQ(lx4_exregs(c.thread, LX4_EXREGS_STOP, 0).err, 0);
	u->mr[LX4_REG_RDI] = 0x100000001000ull;
	KEXPECT_EQ(lx4_exregs(c.thread, LX4_EXREGS_WRITE | LX4_EXREGS_START, 1ull << LX4_REG_RDI).err, 0);
	KEXPECT_EQ(expect_pf(pf, 0x100000001000ull, LX4_PF_READ), (uint64_t)mt_load);
	reply_map(c.thread, fp(p, LX4_FP_R), 0x100000001000ull);
	KASSERT(wait_eq(&g_done, 1));
	KEXPECT_EQ(g_r, pattern(13, 0));
	mt_destroy(&c);
}

static void echo_server(uint64_t ep)
{
	struct lx4_msg m;
	long e = lx4_recv(ep, &m, LX4_TIMEOUT_NEVER);
	while (e == 0) {
		m.mr[0] += 1;
		m.tag = lx4_tag(0, 1, 0);
		e = lx4_reply_recv(ep, &m, LX4_TIMEOUT_NEVER);
	}
}

/* a thread whose fault was resolved is an ordinary thread again: its
 * next call gets its reply */
KTEST(fault_then_call)
{
	lx4_cap_t ep = ep_new();
	lx4_cap_t s = thread_spawn(echo_server, ep, 100, true);
	for (unsigned i = 0; i < 4; i++) {
		KASSERT(wait_state(s, LX4_TSTATE_RECV));
		*(volatile uint64_t *)heap_unused() = 1; /* a fault, resolved by the root */
		struct lx4_msg m = msg(1, 1, 41 + i, 0, 0);
		KEXPECT_EQ(lx4_call(ep, &m), 0);
		KEXPECT_EQ(m.mr[0], 42 + i);
		KEXPECT_EQ(lx4_tag_untyped(m.tag), 1);
	}
}

static void fault_then_caller(uint64_t ep)
{
	g_r = mt_load(A1);
	struct lx4_msg m = msg(1, 1, 7, 0, 0);
	g_err = (uint64_t)lx4_call(ep, &m);
	g_done = 1;
}

static void silent_server(uint64_t ep)
{
	struct lx4_msg m;
	lx4_recv(ep, &m, LX4_TIMEOUT_NEVER);
	g_count = 1;
	lx4_recv(ep, &m, LX4_TIMEOUT_NEVER); /* never replies */
}

/* ... and when the callee of that call dies, the caller gets EDEAD (it
 * is not halted as if it were still in its fault) */
KTEST(fault_then_call_callee_dies)
{
	lx4_cap_t pf = ep_new(), ep = ep_new();
	lx4_cap_t s = thread_spawn(silent_server, ep, 100, true);
	KASSERT(wait_state(s, LX4_TSTATE_RECV));
	g_err = 1;
	lx4_cap_t t = thread_spawn(fault_then_caller, ep, 100, false);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_PAGER, pf), 0);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_START, 0).err, 0);
	KEXPECT_EQ(expect_pf(pf, A1, LX4_PF_READ), (uint64_t)mt_load);
	reply_map(t, fp(page_pattern(14), LX4_FP_R), A1);
	KASSERT(wait_eq(&g_count, 1));
	KEXPECT_EQ(thread_state(t), LX4_TSTATE_REPLY);
	KEXPECT_EQ(lx4_cap_destroy(s), 0);
	KASSERT(wait_eq(&g_done, 1));
	KEXPECT_EQ(g_err, (uint64_t)-LX4_EDEAD);
}
