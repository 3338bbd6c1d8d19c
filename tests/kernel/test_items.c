/*
 * Typed items in IPC: memory into the receiver's window, capabilities
 * into its slots, I/O ports; grants; what happens when an item cannot be
 * delivered (LX4_TAG_XFER_ERR), and the GRANT right they need.
 */
#include "memtest.h"

#define W1   0x40000000ull /* receive windows */
#define SELF LX4_CAP_SELF_TASK

static inline uint64_t fp(uint64_t base, uint64_t rights)
{
	return lx4_fpage(base, 12, rights);
}

/* sends an AG_ECHO with u untyped words (1, 2, ...) and items to an agent;
 * returns the tag the agent received */
static uint64_t send_items(lx4_cap_t ep, unsigned u, unsigned n, const uint64_t *items)
{
	struct lx4_msg m = {.tag = lx4_tag(AG_ECHO, u, n)};
	struct lx4_utcb *utcb = lx4_utcb();
	for (unsigned i = 0; i < u + 2 * n; i++) {
		uint64_t w = i < u ? i + 1 : items[i - u];
		if (i < LX4_MR_REGS)
			m.mr[i] = w;
		else
			utcb->mr[i] = w;
	}
	KEXPECT_EQ(agent_ipc(ep, &m), 0);
	/* the agent echoes the tag and its first words */
	for (unsigned i = 0; i < u + 2 * n && i < 5; i++)
		KEXPECT_EQ(m.mr[1 + i], i < u ? i + 1 : items[i - u]);
	return m.mr[0];
}

static uint64_t send_item(lx4_cap_t ep, uint64_t w0, uint64_t w1)
{
	uint64_t it[2] = {w0, w1};
	return send_items(ep, 1, 1, it);
}

#define TAG_OK(n)  (lx4_tag(AG_ECHO, 1, n))
#define TAG_ERR(n) (lx4_tag(AG_ECHO, 1, n) | LX4_TAG_XFER_ERR)

KTEST(items_mem_into_window)
{
	struct child c;
	lx4_cap_t ep;
	agent_spawn(&c, &ep, 0, 0);
	agent_call(ep, AG_SETBR, lx4_fpage(W1, 16, 0), 0, 0, 0);
	uint64_t p = page_pattern(1), blk = heap_block(13, 10);
	KEXPECT_EQ(send_item(ep, fp(p, RW), 0x3000), TAG_OK(1));
	KEXPECT_EQ(q_rights(c.task, W1 + 0x3000), Q_4K(RW));
	KEXPECT_EQ(q_rights(c.task, W1), 0);
	KEXPECT_EQ(q_derived(SELF, p), 1);
	KEXPECT_EQ(agent_call(ep, AG_READ, W1 + 0x3000 + 8, 0, 0, 0), pattern(1, 1));
	agent_call(ep, AG_WRITE, W1 + 0x3000, 0xabc, 0, 0);
	KEXPECT_EQ(*(volatile uint64_t *)p, 0xabc);
	/* fewer rights; a two-page item; the window's last page */
	KEXPECT_EQ(send_item(ep, fp(p, LX4_FP_R), 0x5000), TAG_OK(1));
	KEXPECT_EQ(q_rights(c.task, W1 + 0x5000), Q_4K(LX4_FP_R));
	KEXPECT_EQ(send_item(ep, lx4_fpage(blk, 13, RW), 0x8000), TAG_OK(1));
	KEXPECT_EQ(agent_call(ep, AG_READ, W1 + 0x9000, 0, 0, 0), pattern(11, 0));
	KEXPECT_EQ(send_item(ep, fp(p, RW), 0xf000), TAG_OK(1));
	KEXPECT_EQ(q_rights(c.task, W1 + 0xf000), Q_4K(RW));
	/* several items and several untyped words */
	uint64_t it[6] = {fp(p, RW), 0x1000, fp(blk, LX4_FP_R), 0x2000, fp(blk + 4096, RW), 0x4000};
	KEXPECT_EQ(send_items(ep, 3, 3, it), lx4_tag(AG_ECHO, 3, 3));
	KEXPECT_EQ(q_rights(c.task, W1 + 0x1000), Q_4K(RW));
	KEXPECT_EQ(q_rights(c.task, W1 + 0x2000), Q_4K(LX4_FP_R));
	KEXPECT_EQ(q_rights(c.task, W1 + 0x4000), Q_4K(RW));
	KEXPECT_EQ(q_derived(SELF, p), 4);
	/* an item over an existing mapping replaces it */
	KEXPECT_EQ(send_item(ep, fp(blk, RW), 0x1000), TAG_OK(1));
	KEXPECT_EQ(agent_call(ep, AG_READ, W1 + 0x1000, 0, 0, 0), pattern(10, 0));
	KEXPECT_EQ(q_derived(SELF, p), 3);
	child_destroy(&c);
	KEXPECT_EQ(q_derived(SELF, p), 0);
}

KTEST(items_mem_not_delivered)
{
	struct child c;
	lx4_cap_t ep;
	agent_spawn(&c, &ep, 0, 0);
	uint64_t p = page_pattern(2), big = heap_block(16, 20);
	/* no window */
	agent_call(ep, AG_SETBR, 0, 0, 0, 0);
	KEXPECT_EQ(send_item(ep, fp(p, RW), 0), TAG_ERR(0));
	/* a 16 KiB window */
	agent_call(ep, AG_SETBR, lx4_fpage(W1, 14, 0), 0, 0, 0);
	KEXPECT_EQ(send_item(ep, lx4_fpage(big, 16, RW), 0), TAG_ERR(0));                   /* too big */
	KEXPECT_EQ(send_item(ep, fp(p, RW), 0x4000), TAG_ERR(0));                           /* past the end */
	KEXPECT_EQ(send_item(ep, fp(p, RW), 0x100000), TAG_ERR(0));                         /* far past */
	KEXPECT_EQ(send_item(ep, fp(p, RW), ~0xfffull), TAG_ERR(0));                        /* wraps */
	KEXPECT_EQ(send_item(ep, lx4_fpage(big, 13, RW), 0x1000), TAG_ERR(0));              /* misaligned offset */
	KEXPECT_EQ(send_item(ep, lx4_fpage(big, 15, RW), 0), TAG_ERR(0));                   /* bigger than the window */
	KEXPECT_EQ(send_item(ep, lx4_fpage(big | 0x1000, 13, RW), 0), TAG_ERR(0));          /* misaligned fpage */
	KEXPECT_EQ(send_item(ep, lx4_fpage(0xffff800000000000ull, 12, RW), 0), TAG_ERR(0)); /* kernel */
	KEXPECT_EQ(send_item(ep, (p & ~0xfffull) | RW | 12, 0), TAG_ERR(0));                /* no type */
	KEXPECT_EQ(send_item(ep, (p & ~0xfffull) | (5ull << 9) | RW | 12, 0), TAG_ERR(0));  /* bad type */
	for (uint64_t a = W1; a < W1 + 0x4000; a += 4096)
		KEXPECT_EQ(q_rights(c.task, a), 0);
	KEXPECT_EQ(q_derived(SELF, p), 0);
	/* the sender does not have it: no error, nothing mapped */
	KEXPECT_EQ(send_item(ep, fp(heap_unused(), RW), 0), TAG_OK(1));
	KEXPECT_EQ(q_rights(c.task, W1), 0);
	/* the second of two fails: one delivered */
	uint64_t it[4] = {fp(p, RW), 0x1000, fp(p, RW), 0x8000};
	KEXPECT_EQ(send_items(ep, 1, 2, it), TAG_ERR(1));
	KEXPECT_EQ(q_rights(c.task, W1 + 0x1000), Q_4K(RW));
	/* the first of two fails: none (the second is not tried) */
	uint64_t it2[4] = {fp(p, RW), 0x9000, fp(p, RW), 0x2000};
	KEXPECT_EQ(send_items(ep, 1, 2, it2), TAG_ERR(0));
	KEXPECT_EQ(q_rights(c.task, W1 + 0x2000), 0);
	/* windows the receiver cannot have: kernel, non-canonical, the top page */
	agent_call(ep, AG_SETBR, lx4_fpage(0xffff800000000000ull, 14, 0), 0, 0, 0);
	KEXPECT_EQ(send_item(ep, fp(p, RW), 0), TAG_ERR(0));
	agent_call(ep, AG_SETBR, lx4_fpage(0x800000000000ull, 14, 0), 0, 0, 0);
	KEXPECT_EQ(send_item(ep, fp(p, RW), 0), TAG_ERR(0));
	agent_call(ep, AG_SETBR, lx4_fpage(0x7fffffffc000ull, 14, 0), 0, 0, 0);
	KEXPECT_EQ(send_item(ep, fp(p, RW), 0x3000), TAG_ERR(0));
	KEXPECT_EQ(send_item(ep, fp(p, RW), 0x2000), TAG_OK(1));
	KEXPECT_EQ(q_rights(c.task, 0x7fffffffe000ull), Q_4K(RW));
	KEXPECT_EQ(q_derived(SELF, p), 2);
	/* windows smaller than a page take nothing; the biggest takes anything */
	agent_call(ep, AG_SETBR, lx4_fpage(W1, 11, 0), 0, 0, 0);
	KEXPECT_EQ(send_item(ep, fp(p, RW), 0), TAG_ERR(0));
	agent_call(ep, AG_SETBR, lx4_fpage(0, 63, 0), 0, 0, 0);
	KEXPECT_EQ(send_item(ep, fp(p, RW), W1 + 0x6000), TAG_OK(1));
	KEXPECT_EQ(q_rights(c.task, W1 + 0x6000), Q_4K(RW));
	KEXPECT_EQ(send_item(ep, fp(p, RW), 0xffff800000000000ull), TAG_ERR(0));
	KEXPECT_EQ(q_derived(SELF, p), 3);
	/* a window over the receiver's UTCB: that page stays, the item is
	 * reported as not transferred */
	uint64_t cu = agent_call(ep, AG_UTCB, 0, 0, 0, 0);
	agent_call(ep, AG_SETBR, lx4_fpage(cu, 12, 0), 0, 0, 0);
	KEXPECT_EQ(send_item(ep, fp(p, RW), 0), TAG_ERR(0));
	KEXPECT_EQ(q_rights(c.task, cu), Q_KOWNED | Q_4K(RW));
	KEXPECT_EQ(agent_call(ep, AG_UTCB, 0, 0, 0, 0), cu);
	child_destroy(&c);
}

KTEST(items_need_grant_right)
{
	struct child c;
	lx4_cap_t ep, weak = cap_new();
	agent_spawn(&c, &ep, 0, 0);
	agent_call(ep, AG_SETBR, lx4_fpage(W1, 16, 0), LX4_BR_CAP_VALID | 20, 1, 0);
	KEXPECT_EQ(lx4_cap_copy(SELF, weak, ep, LX4_R_SEND, 0), 0);
	uint64_t p = page_pattern(3);
	struct lx4_msg m = {.tag = lx4_tag(AG_ECHO, 0, 1)};
	m.mr[0] = fp(p, RW);
	KEXPECT_EQ(agent_ipc(weak, &m), -LX4_ERIGHTS);
	m = (struct lx4_msg){.tag = lx4_tag(AG_ECHO, 0, 1)};
	m.mr[0] = lx4_capitem(ep, LX4_R_ALL);
	KEXPECT_EQ(lx4_send(weak, &m, LX4_TIMEOUT_ZERO), -LX4_ERIGHTS);
	m = (struct lx4_msg){.tag = lx4_tag(AG_ECHO, 0, 1)};
	m.mr[0] = lx4_iopage(TP_RTC_PORT, 1);
	KEXPECT_EQ(agent_ipc(weak, &m), -LX4_ERIGHTS);
	KEXPECT_EQ(q_rights(c.task, W1), 0);
	KEXPECT_EQ(lx4_cap_info(c.task, 20).err, -LX4_ECAP);
	/* untyped only is fine */
	m = msg(AG_ECHO, 1, 5, 0, 0);
	KEXPECT_EQ(agent_ipc(weak, &m), 0);
	KEXPECT_EQ(m.mr[0], lx4_tag(AG_ECHO, 1, 0));
	/* with GRANT */
	KEXPECT_EQ(send_item(ep, fp(p, RW), 0), TAG_OK(1));
	KEXPECT_EQ(q_rights(c.task, W1), Q_4K(RW));
	/* too many words for the message */
	m = (struct lx4_msg){.tag = lx4_tag(AG_ECHO, 61, 2)};
	KEXPECT_EQ(agent_ipc(ep, &m), -LX4_EINVAL);
	child_destroy(&c);
}

KTEST(items_mem_grant)
{
	struct child c;
	lx4_cap_t ep;
	agent_spawn(&c, &ep, 0, 0);
	agent_call(ep, AG_SETBR, lx4_fpage(W1, 16, 0), 0, 0, 0);
	uint64_t p = page_pattern(4), q = page_pattern(5);
	lx4_cap_t t = bare_task(32);
	KEXPECT_EQ(lx4_map(t, fp(p, RW), W1, 0), 0);
	KEXPECT_EQ(send_item(ep, fp(p, RW), 0x2000 | LX4_ITEM_GRANT), TAG_OK(1));
	KEXPECT_EQ(q_rights(SELF, p), 0);
	KEXPECT_EQ(q_rights(c.task, W1 + 0x2000), Q_4K(RW));
	KEXPECT_EQ(q_derived(c.task, W1 + 0x2000), 1); /* t's mapping came along */
	KEXPECT_EQ(agent_call(ep, AG_READ, W1 + 0x2000, 0, 0, 0), pattern(4, 0));
	/* a read-only grant takes W from what is derived */
	KEXPECT_EQ(lx4_map(t, fp(q, RW), W1 + 4096, 0), 0);
	KEXPECT_EQ(send_item(ep, fp(q, LX4_FP_R), 0x3000 | LX4_ITEM_GRANT), TAG_OK(1));
	KEXPECT_EQ(q_rights(SELF, q), 0);
	KEXPECT_EQ(q_rights(c.task, W1 + 0x3000), Q_4K(LX4_FP_R));
	KEXPECT_EQ(q_rights(t, W1 + 4096), Q_4K(LX4_FP_R));
	child_destroy(&c);
	KEXPECT_EQ(q_rights(t, W1), 0);
	KEXPECT_EQ(q_rights(t, W1 + 4096), 0);
	KEXPECT_EQ(lx4_cap_destroy(t), 0);
}

/* the reply to a call carries items into the caller's window */
KTEST(items_in_reply)
{
	struct child c;
	lx4_cap_t ep;
	agent_spawn(&c, &ep, 0, 0);
	uint64_t p = page_pattern(6);
	KEXPECT_EQ(lx4_map(c.task, fp(p, RW), W1, 0), 0);
	struct lx4_utcb *u = lx4_utcb();
	/* no window: the reply arrives, the item does not */
	u->br_mem = 0;
	struct lx4_msg m = msg(AG_REPLYMAP, 2, fp(W1, RW), 0x1000, 0);
	KEXPECT_EQ(agent_ipc(ep, &m), 0);
	KEXPECT_EQ(m.tag, lx4_tag(0, 1, 0) | LX4_TAG_XFER_ERR);
	/* a window */
	u->br_mem = lx4_fpage(0x60000000ull, 16, 0);
	m = msg(AG_REPLYMAP, 2, fp(W1, RW), 0x1000, 0);
	KEXPECT_EQ(agent_ipc(ep, &m), 0);
	KEXPECT_EQ(m.tag, lx4_tag(0, 1, 1));
	KEXPECT_EQ(m.mr[1], fp(W1, RW));
	KEXPECT_EQ(m.mr[2], 0x1000);
	KASSERT(page_has_pattern(0x60001000ull, 6));
	KEXPECT_EQ(q_derived(c.task, W1), 1);
	KEXPECT_EQ(q_derived(SELF, p), 2);
	/* the child's page, granted back to us */
	m = msg(AG_REPLYMAP, 2, fp(W1, RW), 0x2000 | LX4_ITEM_GRANT, 0);
	KEXPECT_EQ(agent_ipc(ep, &m), 0);
	KEXPECT_EQ(m.tag, lx4_tag(0, 1, 1));
	KEXPECT_EQ(q_rights(c.task, W1), 0);
	KASSERT(page_has_pattern(0x60002000ull, 6));
	u->br_mem = 0;
	child_destroy(&c);
	KEXPECT_EQ(q_rights(SELF, 0x60002000ull), Q_4K(RW));
	KEXPECT_EQ(q_derived(SELF, p), 2);
	KEXPECT_EQ(lx4_unmap(SELF, fp(p, LX4_FP_R), 0), 0);
	KEXPECT_EQ(q_rights(SELF, 0x60001000ull), 0);
	KEXPECT_EQ(q_rights(SELF, 0x60002000ull), 0);
}

/* items sent to a receiver in the same task */
static volatile uint64_t g_tag[3], g_done;

static void same_task_receiver(uint64_t ep)
{
	lx4_utcb()->br_mem = lx4_fpage(0x70000000ull, 20, 0);
	struct lx4_msg m;
	for (unsigned i = 0; i < 3; i++) {
		KEXPECT_EQ(lx4_recv(ep, &m, LX4_TIMEOUT_NEVER), 0);
		g_tag[i] = m.tag;
		g_done = i + 1;
	}
}

KTEST(items_same_task)
{
	lx4_cap_t ep = ep_new();
	thread_spawn(same_task_receiver, ep, 100, true);
	uint64_t p = page_pattern(7);
	struct lx4_msg m = {.tag = lx4_tag(9, 0, 1)};
	m.mr[0] = fp(p, LX4_FP_R);
	m.mr[1] = 0x5000;
	KEXPECT_EQ(lx4_send(ep, &m, 1000000000ull), 0);
	KASSERT(wait_eq(&g_done, 1));
	KEXPECT_EQ(g_tag[0], lx4_tag(9, 0, 1));
	KEXPECT_EQ(q_rights(SELF, 0x70005000ull), Q_4K(LX4_FP_R));
	KASSERT(page_has_pattern(0x70005000ull, 7));
	KEXPECT_EQ(q_derived(SELF, p), 1);
	/* onto itself: source and destination overlap */
	m = (struct lx4_msg){.tag = lx4_tag(9, 0, 1)};
	m.mr[0] = fp(0x70005000ull, LX4_FP_R);
	m.mr[1] = 0x5000 | LX4_ITEM_GRANT;
	KEXPECT_EQ(lx4_send(ep, &m, 1000000000ull), 0);
	KASSERT(wait_eq(&g_done, 2));
	KEXPECT_EQ(g_tag[1], lx4_tag(9, 0, 0) | LX4_TAG_XFER_ERR);
	KEXPECT_EQ(q_rights(SELF, 0x70005000ull), Q_4K(LX4_FP_R));
	/* granted within the task: it moves */
	m = (struct lx4_msg){.tag = lx4_tag(9, 0, 1)};
	m.mr[0] = fp(p, RW);
	m.mr[1] = 0x6000 | LX4_ITEM_GRANT;
	KEXPECT_EQ(lx4_send(ep, &m, 1000000000ull), 0);
	KASSERT(wait_eq(&g_done, 3));
	KEXPECT_EQ(g_tag[2], lx4_tag(9, 0, 1));
	KEXPECT_EQ(q_rights(SELF, p), 0);
	KEXPECT_EQ(q_rights(SELF, 0x70006000ull), Q_4K(RW));
	KEXPECT_EQ(q_derived(SELF, 0x70006000ull), 1);
	KASSERT(page_has_pattern(0x70005000ull, 7));
}

KTEST(items_cap_transfer)
{
	struct child c;
	lx4_cap_t ep;
	agent_spawn(&c, &ep, 0, 0);
	lx4_cap_t e = ep_new(), eb = cap_new();
	KEXPECT_EQ(lx4_cap_copy(SELF, eb, e, LX4_R_SEND | LX4_R_RECV | LX4_R_GRANT, 0x42), 0);
	/* no slots offered */
	KEXPECT_EQ(send_item(ep, lx4_capitem(eb, LX4_R_ALL), 0), TAG_ERR(0));
	agent_call(ep, AG_SETBR, 0, 20, 0, 0); /* not VALID */
	KEXPECT_EQ(send_item(ep, lx4_capitem(eb, LX4_R_ALL), 0), TAG_ERR(0));
	agent_call(ep, AG_SETBR, 0, LX4_BR_CAP_VALID | 20, 0, 0);
	/* rights are masked, the badge stays */
	KEXPECT_EQ(send_item(ep, lx4_capitem(eb, LX4_R_SEND), 0), TAG_OK(1));
	struct lx4_sysret r = lx4_cap_info(c.task, 20);
	KEXPECT_EQ(r.err, 0);
	KEXPECT_EQ(r.r1, LX4_OBJ_ENDPOINT);
	KEXPECT_EQ(r.r2, LX4_R_SEND);
	KEXPECT_EQ(r.r3, 0x42);
	KEXPECT_EQ(lx4_cap_info(SELF, eb).r2, LX4_R_SEND | LX4_R_RECV | LX4_R_GRANT);
	/* the slot is taken now */
	KEXPECT_EQ(send_item(ep, lx4_capitem(eb, LX4_R_SEND), 0), TAG_ERR(0));
	/* several caps: consecutive slots */
	agent_call(ep, AG_SETBR, 0, LX4_BR_CAP_VALID | 30, 0, 0);
	uint64_t it[6] = {lx4_capitem(e, LX4_R_RECV), 0, lx4_capitem(c.task, LX4_R_ALL), 0, lx4_capitem(eb, 0), 0};
	KEXPECT_EQ(send_items(ep, 1, 3, it), TAG_OK(3));
	KEXPECT_EQ(lx4_cap_info(c.task, 30).r2, LX4_R_RECV);
	KEXPECT_EQ(lx4_cap_info(c.task, 31).r1, LX4_OBJ_TASK);
	KEXPECT_EQ(lx4_cap_info(c.task, 32).r2, 0);
	/* what cannot be sent: empty slots, pseudo caps, out-of-range targets */
	agent_call(ep, AG_SETBR, 0, LX4_BR_CAP_VALID | 40, 0, 0);
	KEXPECT_EQ(send_item(ep, lx4_capitem(cap_new(), LX4_R_ALL), 0), TAG_ERR(0));
	KEXPECT_EQ(send_item(ep, lx4_capitem(LX4_CAP_SELF_TASK, LX4_R_ALL), 0), TAG_ERR(0));
	KEXPECT_EQ(send_item(ep, lx4_capitem(LX4_CAP_SELF_THREAD, LX4_R_ALL), 0), TAG_ERR(0));
	KEXPECT_EQ(send_item(ep, lx4_capitem(0, LX4_R_ALL), 0), TAG_ERR(0));
	KEXPECT_EQ(lx4_cap_info(c.task, 40).err, -LX4_ECAP);
	agent_call(ep, AG_SETBR, 0, LX4_BR_CAP_VALID | 64, 0, 0); /* the child has 64 slots */
	KEXPECT_EQ(send_item(ep, lx4_capitem(e, LX4_R_ALL), 0), TAG_ERR(0));
	/* grant: we lose it */
	agent_call(ep, AG_SETBR, 0, LX4_BR_CAP_VALID | 50, 0, 0);
	lx4_cap_t g = cap_new();
	KEXPECT_EQ(lx4_cap_copy(SELF, g, e, LX4_R_ALL, 0), 0);
	KEXPECT_EQ(send_item(ep, lx4_capitem(g, LX4_R_ALL), LX4_ITEM_GRANT), TAG_OK(1));
	KEXPECT_EQ(lx4_cap_info(SELF, g).err, -LX4_ECAP);
	KEXPECT_EQ(lx4_cap_info(c.task, 50).r2, LX4_R_ALL);
	/* the very capability the message is sent with, granted away */
	agent_call(ep, AG_SETBR, 0, LX4_BR_CAP_VALID | 51, 0, 0);
	lx4_cap_t via = cap_new();
	KEXPECT_EQ(lx4_cap_copy(SELF, via, ep, LX4_R_SEND | LX4_R_GRANT, 0x99), 0);
	KEXPECT_EQ(send_item(via, lx4_capitem(via, LX4_R_SEND), LX4_ITEM_GRANT), TAG_OK(1));
	KEXPECT_EQ(lx4_cap_info(SELF, via).err, -LX4_ECAP);
	r = lx4_cap_info(c.task, 51);
	KEXPECT_EQ(r.r2, LX4_R_SEND);
	KEXPECT_EQ(r.r3, 0x99);
	KEXPECT_EQ(agent_call(ep, AG_READ, (uint64_t)&g_done, 0, 0, 0), g_done);
	child_destroy(&c);
	KEXPECT_EQ(lx4_cap_destroy(e), 0);
}

static uint64_t rtc_read(unsigned reg)
{
	mt_outb(TP_RTC_PORT, reg);
	return mt_inb(TP_RTC_PORT + 1);
}

KTEST(items_io_transfer)
{
	struct child b, c;
	lx4_cap_t eb, ec, exc = ep_new();
	agent_spawn(&b, &eb, 0, exc);
	agent_spawn(&c, &ec, 0, 0);
	uint64_t want = rtc_read(0x0d);
	/* not accepted */
	KEXPECT_EQ(send_item(eb, lx4_iopage(TP_RTC_PORT, 1), 0), TAG_ERR(0));
	agent_call(eb, AG_SETBR, 0, 0, 1, 0);
	KEXPECT_EQ(send_item(eb, lx4_iopage(TP_RTC_PORT, 1), 0), TAG_OK(1));
	agent_call(eb, AG_OUTB, TP_RTC_PORT, 0x0d, 0, 0);
	KEXPECT_EQ(agent_call(eb, AG_INB, TP_RTC_PORT + 1, 0, 0, 0), want);
	/* ports we do not have */
	KEXPECT_EQ(send_item(eb, lx4_iopage(0x80, 0), 0), TAG_ERR(0));
	KEXPECT_EQ(send_item(eb, lx4_iopage(TP_RTC_PORT, 2), 0), TAG_ERR(0));
	KEXPECT_EQ(send_item(eb, lx4_iopage(TP_RTC_PORT + 1, 1), 0), TAG_ERR(0)); /* misaligned */
	/* c has no ports: what it sends is not delivered */
	KEXPECT_EQ(lx4_cap_copy(c.task, AG_FREE_CAP, eb, LX4_R_SEND | LX4_R_GRANT, 0), 0);
	KEXPECT_EQ(agent_call(ec, AG_SEND, AG_FREE_CAP, lx4_tag(AG_ECHO, 0, 1), lx4_iopage(0x80, 0), 0), 0);
	KASSERT(wait_eq(&ag_last_tag, lx4_tag(AG_ECHO, 0, 0) | LX4_TAG_XFER_ERR));
	/* b gives port 0x70 on to c: c can select the register, b still can */
	agent_call(ec, AG_SETBR, 0, 0, 1, 0);
	KEXPECT_EQ(lx4_cap_copy(b.task, AG_FREE_CAP, ec, LX4_R_SEND | LX4_R_GRANT, 0), 0);
	KEXPECT_EQ(agent_call(eb, AG_SEND, AG_FREE_CAP, lx4_tag(AG_ECHO, 0, 1), lx4_iopage(TP_RTC_PORT, 0), 0), 0);
	KASSERT(wait_eq(&ag_last_tag, lx4_tag(AG_ECHO, 0, 1)));
	agent_call(ec, AG_OUTB, TP_RTC_PORT, 0x32, 0, 0);
	KEXPECT_EQ(agent_call(eb, AG_INB, TP_RTC_PORT + 1, 0, 0, 0), rtc_read(0x32));
	/* a grant of 0x71 from b to c: b loses it */
	KEXPECT_EQ(agent_call(eb, AG_SEND, AG_FREE_CAP, lx4_tag(AG_ECHO, 0, 1), lx4_iopage(TP_RTC_PORT + 1, 0),
			      LX4_ITEM_GRANT),
		   0);
	KASSERT(wait_eq(&ag_last_tag, lx4_tag(AG_ECHO, 0, 1)));
	agent_call(ec, AG_OUTB, TP_RTC_PORT, 0x0d, 0, 0);
	KEXPECT_EQ(agent_call(ec, AG_INB, TP_RTC_PORT + 1, 0, 0, 0), want);
	agent_send(eb, AG_INB, TP_RTC_PORT + 1, 0);
	struct lx4_msg m;
	expect_exc(exc, 13, &m);
	KEXPECT_EQ(lx4_utcb()->mr[LX4_REG_RIP], (uint64_t)mt_inb_insn);
	child_destroy(&b);
	child_destroy(&c);
	/* ours were never affected */
	KEXPECT_EQ(rtc_read(0x0d), want);
}

/* a receiver with a tiny quota: items that need new tables fail */
KTEST(items_receiver_out_of_quota)
{
	struct child c;
	lx4_cap_t ep;
	agent_spawn(&c, &ep, 0, 0);
	/* use up the child's quota with mappings in new GiBs */
	uint64_t p = page_pattern(8);
	long e = 0;
	for (unsigned i = 0; i < 256 && e == 0; i++)
		e = lx4_map(c.task, fp(p, LX4_FP_R), 0x100000000000ull + ((uint64_t)i << 30), 0);
	KEXPECT_EQ(e, -LX4_ENOMEM);
	agent_call(ep, AG_SETBR, lx4_fpage(0x200000000000ull, 40, 0), 0, 0, 0);
	unsigned ok = 0;
	uint64_t tag = 0;
	for (unsigned i = 0; i < 4; i++) {
		tag = send_item(ep, fp(p, RW), (uint64_t)i << 30);
		if (tag == TAG_OK(1))
			ok++;
	}
	KEXPECT_EQ(tag, TAG_ERR(0));
	KASSERT(ok < 4);
	KEXPECT_EQ(q_rights(c.task, 0x200000000000ull + (3ull << 30)), 0);
	/* still alive and well */
	KEXPECT_EQ(agent_call(ep, AG_READ, 0x100000000000ull, 0, 0, 0), pattern(8, 0));
	child_destroy(&c);
	KEXPECT_EQ(q_derived(SELF, p), 0);
}
