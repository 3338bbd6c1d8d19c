/*
 * Address spaces and the mapping database: map, grant, recursive unmap,
 * map_query, argument checks, UTCB pages, kernel-memory quotas, TLB
 * consistency.  (2 MiB mappings cannot be made from a test task: it only
 * ever holds 4 KiB pages.)
 */
#include "memtest.h"

#define X1            0x40000000ull /* destinations in children, far from everything */
#define X2            0x48000000ull
#define X3            0x50000000ull
#define X4            0x58000000ull
#define SELF          LX4_CAP_SELF_TASK
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline uint64_t fp(uint64_t base, uint64_t rights)
{
	return lx4_fpage(base, 12, rights);
}

KTEST(map_share_rw_with_child)
{
	struct child c;
	lx4_cap_t ep;
	agent_spawn(&c, &ep, 0, 0);
	uint64_t p = page_pattern(1);
	KEXPECT_EQ(q_derived(SELF, p), 0);
	KEXPECT_EQ(lx4_map(c.task, fp(p, RW), X1, 0), 0);
	KEXPECT_EQ(q_rights(c.task, X1), Q_4K(RW));
	KEXPECT_EQ(q_derived(c.task, X1), 0);
	KEXPECT_EQ(q_rights(c.task, X1 + 4096), 0);
	KEXPECT_EQ(q_rights(c.task, X1 - 4096), 0);
	KEXPECT_EQ(q_derived(SELF, p), 1);
	/* the child sees what we wrote, we see what it writes */
	KEXPECT_EQ(agent_call(ep, AG_READ, X1, 0, 0, 0), pattern(1, 0));
	KEXPECT_EQ(agent_call(ep, AG_READ, X1 + 8 * 511, 0, 0, 0), pattern(1, 511));
	agent_call(ep, AG_WRITE, X1 + 16, 0x1234567890ull, 0, 0);
	KEXPECT_EQ(((volatile uint64_t *)p)[2], 0x1234567890ull);
	((volatile uint64_t *)p)[3] = 0xfeed;
	KEXPECT_EQ(agent_call(ep, AG_READ, X1 + 24, 0, 0, 0), 0xfeed);
	/* the same page twice more in the child: three derived mappings */
	KEXPECT_EQ(lx4_map(c.task, fp(p, LX4_FP_R), X2, 0), 0);
	KEXPECT_EQ(lx4_map(c.task, fp(p, RW), X3, 0), 0);
	KEXPECT_EQ(q_derived(SELF, p), 3);
	KEXPECT_EQ(q_rights(c.task, X2), Q_4K(LX4_FP_R));
	agent_call(ep, AG_WRITE, X3 + 40, 99, 0, 0);
	KEXPECT_EQ(agent_call(ep, AG_READ, X2 + 40, 0, 0, 0), 99);
	/* the child's death revokes its mappings */
	child_destroy(&c);
	KEXPECT_EQ(q_derived(SELF, p), 0);
	KEXPECT_EQ(((volatile uint64_t *)p)[5], 99);
}

KTEST(map_rights_limited_to_mapper)
{
	lx4_cap_t t = bare_task(32);
	uint64_t p = page_pattern(2);
	uint64_t text = (uint64_t)mt_ret42 & ~0xfffull;
	/* a heap page is RW: asking for RWX gives RW */
	KEXPECT_EQ(lx4_map(t, fp(p, LX4_FP_RWX), X1, 0), 0);
	KEXPECT_EQ(q_rights(t, X1), Q_4K(RW));
	/* text is RX: asking for RWX gives RX */
	KEXPECT_EQ(lx4_map(t, fp(text, LX4_FP_RWX), X2, 0), 0);
	KEXPECT_EQ(q_rights(t, X2), Q_4K(RX));
	KEXPECT_EQ(q_rights(SELF, text), Q_4K(RX));
	/* the KIP is read-only */
	KEXPECT_EQ(lx4_map(t, fp(TP_KIP, LX4_FP_RWX), X3, 0), 0);
	KEXPECT_EQ(q_rights(t, X3), Q_4K(LX4_FP_R));
	/* fewer rights than we have */
	KEXPECT_EQ(lx4_map(t, fp(p, LX4_FP_R), X4, 0), 0);
	KEXPECT_EQ(q_rights(t, X4), Q_4K(LX4_FP_R));
	KEXPECT_EQ(lx4_map(t, fp(text, LX4_FP_R), X4 + 4096, 0), 0);
	KEXPECT_EQ(q_rights(t, X4 + 4096), Q_4K(LX4_FP_R));
	/* no rights at all: nothing happens */
	KEXPECT_EQ(lx4_map(t, fp(p, 0), X4 + 8192, 0), 0);
	KEXPECT_EQ(q_rights(t, X4 + 8192), 0);
	KEXPECT_EQ(q_derived(SELF, p), 2);
	/* our own rights did not change */
	KEXPECT_EQ(q_rights(SELF, p), Q_4K(RW));
	KEXPECT_EQ(lx4_cap_destroy(t), 0);
	KEXPECT_EQ(q_derived(SELF, p), 0);
}

/* a child that got a page read-only cannot give it on writable */
KTEST(map_rights_limited_in_child)
{
	struct child b, c;
	lx4_cap_t eb, ec;
	agent_spawn(&b, &eb, 0, 0);
	agent_spawn(&c, &ec, 0, 0);
	KEXPECT_EQ(lx4_cap_copy(b.task, AG_FREE_CAP, c.task, LX4_R_CONTROL, 0), 0);
	uint64_t p = page_pattern(3);
	KEXPECT_EQ(lx4_map(b.task, fp(p, LX4_FP_R), X1, 0), 0);
	KEXPECT_EQ(agent_call(eb, AG_MAP, AG_FREE_CAP, fp(X1, LX4_FP_RWX), X2, 0), 0);
	KEXPECT_EQ(q_rights(c.task, X2), Q_4K(LX4_FP_R));
	KEXPECT_EQ(agent_call(ec, AG_READ, X2 + 8, 0, 0, 0), pattern(3, 1));
	/* nor can it give what it does not have */
	KEXPECT_EQ(agent_call(eb, AG_MAP, AG_FREE_CAP, fp(X1 + 4096, RW), X3, 0), 0);
	KEXPECT_EQ(q_rights(c.task, X3), 0);
	KEXPECT_EQ(q_derived(SELF, p), 2);
	child_destroy(&c);
	child_destroy(&b);
}

static volatile uint64_t g_val, g_done;

static void ro_writer(uint64_t va)
{
	g_val = mt_load(va);
	mt_store(va, 0x5555);
	g_done = 1;
}

/* a write to a read-only mapping is a page fault with WRITE|PRESENT;
 * mapping the same page again with W lets the write through */
KTEST(map_readonly_write_faults)
{
	lx4_cap_t pf = ep_new();
	struct child c;
	mt_spawn(&c, ro_writer, X1, pf, 0, false);
	uint64_t p = page_pattern(4);
	KEXPECT_EQ(lx4_map(c.task, fp(p, LX4_FP_R), X1, 0), 0);
	KEXPECT_EQ(lx4_exregs(c.thread, LX4_EXREGS_START, 0).err, 0);
	KEXPECT_EQ(expect_pf(pf, X1, LX4_PF_WRITE | LX4_PF_PRESENT), (uint64_t)mt_store);
	KEXPECT_EQ(g_val, pattern(4, 0));
	KEXPECT_EQ(((volatile uint64_t *)p)[0], pattern(4, 0));
	reply_map(c.thread, fp(p, RW), X1);
	KASSERT(wait_eq(&g_done, 1));
	KEXPECT_EQ(((volatile uint64_t *)p)[0], 0x5555);
	/* the same mapping again: its rights grew, it was not added twice */
	KEXPECT_EQ(q_rights(c.task, X1), Q_4K(RW));
	KEXPECT_EQ(q_derived(SELF, p), 1);
	mt_destroy(&c);
}

/* grant moves a mapping: the sender loses it, its derived mappings stay
 * (now under the receiver) */
KTEST(map_grant_moves)
{
	lx4_cap_t b = bare_task(32), c = bare_task(32);
	uint64_t p = page_pattern(5);
	KEXPECT_EQ(lx4_map(b, fp(p, RW), X1, 0), 0);
	KEXPECT_EQ(lx4_map(c, fp(p, RW), X2, LX4_MAP_GRANT), 0);
	KEXPECT_EQ(q_rights(SELF, p), 0);
	KEXPECT_EQ(q_rights(c, X2), Q_4K(RW));
	KEXPECT_EQ(q_derived(c, X2), 1);
	KEXPECT_EQ(q_rights(b, X1), Q_4K(RW));
	/* b's mapping now hangs off c's */
	KEXPECT_EQ(lx4_unmap(c, fp(X2, LX4_FP_R), 0), 0);
	KEXPECT_EQ(q_rights(b, X1), 0);
	KEXPECT_EQ(q_rights(c, X2), Q_4K(RW));
	KEXPECT_EQ(q_derived(c, X2), 0);
	/* unmapping where we had it does nothing to c */
	KEXPECT_EQ(lx4_unmap(SELF, fp(p, LX4_FP_R), LX4_UNMAP_SELF), 0);
	KEXPECT_EQ(q_rights(c, X2), Q_4K(RW));
	/* touching the address again gets us a fresh page from the root */
	KEXPECT_EQ(((volatile uint64_t *)p)[0], 0);
	KEXPECT_EQ(q_rights(SELF, p), Q_4K(RW));
	KEXPECT_EQ(q_derived(SELF, p), 0);
	KEXPECT_EQ(lx4_cap_destroy(b), 0);
	KEXPECT_EQ(lx4_cap_destroy(c), 0);
}

/* a grant with fewer rights takes them from the derived mappings too */
KTEST(map_grant_fewer_rights)
{
	lx4_cap_t b = bare_task(32), c = bare_task(32), d = bare_task(32);
	uint64_t p = page_pattern(6);
	KEXPECT_EQ(lx4_map(b, fp(p, RW), X1, 0), 0);
	KEXPECT_EQ(lx4_map(c, fp(p, RW), X1, 0), 0);
	KEXPECT_EQ(lx4_map(d, fp(p, LX4_FP_R), X2, LX4_MAP_GRANT), 0);
	KEXPECT_EQ(q_rights(SELF, p), 0);
	KEXPECT_EQ(q_rights(d, X2), Q_4K(LX4_FP_R));
	KEXPECT_EQ(q_derived(d, X2), 2);
	KEXPECT_EQ(q_rights(b, X1), Q_4K(LX4_FP_R));
	KEXPECT_EQ(q_rights(c, X1), Q_4K(LX4_FP_R));
	KEXPECT_EQ(lx4_cap_destroy(d), 0);
	KEXPECT_EQ(q_rights(b, X1), 0);
	KEXPECT_EQ(q_rights(c, X1), 0);
	KEXPECT_EQ(lx4_cap_destroy(b), 0);
	KEXPECT_EQ(lx4_cap_destroy(c), 0);
}

/* granting a page to where a mapping derived from it already is: the
 * sender still loses it */
KTEST(map_grant_onto_own_derived)
{
	lx4_cap_t b = bare_task(32);
	uint64_t p = page_pattern(7);
	KEXPECT_EQ(lx4_map(b, fp(p, LX4_FP_R), X1, 0), 0);
	KEXPECT_EQ(lx4_map(b, fp(p, RW), X1, LX4_MAP_GRANT), 0);
	KEXPECT_EQ(q_rights(SELF, p), 0);
	KEXPECT_EQ(q_rights(b, X1), Q_4K(RW));
	KEXPECT_EQ(q_derived(b, X1), 0);
	/* the same within one task */
	uint64_t p2 = page_pattern(8);
	KEXPECT_EQ(lx4_map(SELF, fp(p2, RW), X2, 0), 0);
	KEXPECT_EQ(lx4_map(SELF, fp(p2, RW), X2, LX4_MAP_GRANT), 0);
	KEXPECT_EQ(q_rights(SELF, X2), Q_4K(RW));
	KEXPECT_EQ(q_rights(SELF, p2), 0);
	KASSERT(page_has_pattern(X2, 8));
	KEXPECT_EQ(lx4_cap_destroy(b), 0);
}

/* builds T -> B -> C -> D: p at X1 in b, X2 in c, X3 in d */
struct chain {
	struct child b, c, d;
	lx4_cap_t eb, ec, ed;
	uint64_t p;
};

static void chain_spawn(struct chain *k, uint64_t seed)
{
	agent_spawn(&k->b, &k->eb, 0, 0);
	agent_spawn(&k->c, &k->ec, 0, 0);
	agent_spawn(&k->d, &k->ed, 0, 0);
	KEXPECT_EQ(lx4_cap_copy(k->b.task, AG_FREE_CAP, k->c.task, LX4_R_CONTROL, 0), 0);
	KEXPECT_EQ(lx4_cap_copy(k->c.task, AG_FREE_CAP, k->d.task, LX4_R_CONTROL, 0), 0);
	k->p = page_pattern(seed);
}

static void chain_build(struct chain *k, unsigned from)
{
	if (from <= 1)
		KEXPECT_EQ(lx4_map(k->b.task, fp(k->p, RW), X1, 0), 0);
	if (from <= 2)
		KEXPECT_EQ(agent_call(k->eb, AG_MAP, AG_FREE_CAP, fp(X1, RW), X2, 0), 0);
	if (from <= 3)
		KEXPECT_EQ(agent_call(k->ec, AG_MAP, AG_FREE_CAP, fp(X2, RW), X3, 0), 0);
}

/* rights (0 = none) of the mappings in b, c, d */
#define chain_expect(k, rb, rc, rd)                                         \
	do {                                                                \
		KEXPECT_EQ(q_rights((k)->b.task, X1), (rb) ? Q_4K(rb) : 0); \
		KEXPECT_EQ(q_rights((k)->c.task, X2), (rc) ? Q_4K(rc) : 0); \
		KEXPECT_EQ(q_rights((k)->d.task, X3), (rd) ? Q_4K(rd) : 0); \
	} while (0)

static void chain_destroy(struct chain *k)
{
	child_destroy(&k->d);
	child_destroy(&k->c);
	child_destroy(&k->b);
}

KTEST(map_chain_unmap_children)
{
	struct chain k;
	chain_spawn(&k, 10);
	chain_build(&k, 1);
	chain_expect(&k, RW, RW, RW);
	KEXPECT_EQ(q_derived(SELF, k.p), 3);
	KEXPECT_EQ(q_derived(k.b.task, X1), 2);
	KEXPECT_EQ(q_derived(k.c.task, X2), 1);
	KEXPECT_EQ(q_derived(k.d.task, X3), 0);
	/* it is one page: D writes, B reads */
	agent_call(k.ed, AG_WRITE, X3 + 8, 0xd00d, 0, 0);
	KEXPECT_EQ(agent_call(k.eb, AG_READ, X1 + 8, 0, 0, 0), 0xd00d);
	KEXPECT_EQ(((volatile uint64_t *)k.p)[1], 0xd00d);
	/* unmap at the top, children only: we keep it */
	KEXPECT_EQ(lx4_unmap(SELF, fp(k.p, LX4_FP_R), 0), 0);
	chain_expect(&k, 0, 0, 0);
	KEXPECT_EQ(q_rights(SELF, k.p), Q_4K(RW));
	KEXPECT_EQ(q_derived(SELF, k.p), 0);
	KEXPECT_EQ(((volatile uint64_t *)k.p)[1], 0xd00d);
	/* again, and again: the chain can be rebuilt each time */
	for (int i = 0; i < 3; i++) {
		chain_build(&k, 1);
		chain_expect(&k, RW, RW, RW);
		KEXPECT_EQ(lx4_unmap(SELF, fp(k.p, LX4_FP_R), 0), 0);
		chain_expect(&k, 0, 0, 0);
	}
	chain_destroy(&k);
}

KTEST(map_chain_unmap_self)
{
	struct chain k;
	chain_spawn(&k, 11);
	chain_build(&k, 1);
	KEXPECT_EQ(lx4_unmap(SELF, fp(k.p, LX4_FP_R), LX4_UNMAP_SELF), 0);
	chain_expect(&k, 0, 0, 0);
	KEXPECT_EQ(q_rights(SELF, k.p), 0);
	/* the heap address pages in a fresh (zeroed) page */
	KEXPECT_EQ(((volatile uint64_t *)k.p)[0], 0);
	KEXPECT_EQ(q_derived(SELF, k.p), 0);
	chain_destroy(&k);
}

KTEST(map_chain_revoke_write)
{
	struct chain k;
	chain_spawn(&k, 12);
	chain_build(&k, 1);
	KEXPECT_EQ(lx4_unmap(SELF, fp(k.p, LX4_FP_W), 0), 0);
	chain_expect(&k, LX4_FP_R, LX4_FP_R, LX4_FP_R);
	KEXPECT_EQ(q_rights(SELF, k.p), Q_4K(RW));
	KEXPECT_EQ(q_derived(SELF, k.p), 3);
	KEXPECT_EQ(agent_call(k.ed, AG_READ, X3, 0, 0, 0), pattern(12, 0));
	/* mapping again with W: b's rights grow, the rest stay read-only */
	KEXPECT_EQ(lx4_map(k.b.task, fp(k.p, RW), X1, 0), 0);
	chain_expect(&k, RW, LX4_FP_R, LX4_FP_R);
	KEXPECT_EQ(q_derived(SELF, k.p), 3);
	/* in the middle, with self: b and below lose W, we keep it */
	chain_build(&k, 2);
	chain_expect(&k, RW, RW, RW);
	KEXPECT_EQ(lx4_unmap(k.c.task, fp(X2, LX4_FP_W), LX4_UNMAP_SELF), 0);
	chain_expect(&k, RW, LX4_FP_R, LX4_FP_R);
	KEXPECT_EQ(lx4_unmap(k.b.task, fp(X1, LX4_FP_W | LX4_FP_X), LX4_UNMAP_SELF), 0);
	chain_expect(&k, LX4_FP_R, LX4_FP_R, LX4_FP_R);
	KEXPECT_EQ(q_rights(SELF, k.p), Q_4K(RW));
	/* then all of it */
	KEXPECT_EQ(lx4_unmap(k.b.task, fp(X1, LX4_FP_R), LX4_UNMAP_SELF), 0);
	chain_expect(&k, 0, 0, 0);
	KEXPECT_EQ(q_derived(SELF, k.p), 0);
	chain_destroy(&k);
}

/* executable rights: a text page down the chain loses X */
KTEST(map_chain_revoke_exec)
{
	struct chain k;
	chain_spawn(&k, 13);
	uint64_t text = (uint64_t)mt_ret42 & ~0xfffull;
	KEXPECT_EQ(lx4_map(k.b.task, fp(text, RX), X1, 0), 0);
	KEXPECT_EQ(agent_call(k.eb, AG_MAP, AG_FREE_CAP, fp(X1, LX4_FP_RWX), X2, 0), 0);
	KEXPECT_EQ(agent_call(k.ec, AG_MAP, AG_FREE_CAP, fp(X2, LX4_FP_RWX), X3, 0), 0);
	chain_expect(&k, RX, RX, RX);
	KEXPECT_EQ(lx4_unmap(k.b.task, fp(X1, LX4_FP_X), 0), 0);
	chain_expect(&k, RX, LX4_FP_R, LX4_FP_R);
	KEXPECT_EQ(lx4_unmap(k.b.task, fp(X1, LX4_FP_X), LX4_UNMAP_SELF), 0);
	chain_expect(&k, LX4_FP_R, LX4_FP_R, LX4_FP_R);
	/* the children's image mappings of the same page are siblings: untouched */
	KEXPECT_EQ(q_rights(k.b.task, text), Q_4K(RX));
	KEXPECT_EQ(q_rights(k.d.task, text), Q_4K(RX));
	KEXPECT_EQ(q_rights(SELF, text), Q_4K(RX));
	chain_destroy(&k);
}

KTEST(map_chain_unmap_middle)
{
	struct chain k;
	chain_spawn(&k, 14);
	chain_build(&k, 1);
	/* children of b only */
	KEXPECT_EQ(lx4_unmap(k.b.task, fp(X1, LX4_FP_R), 0), 0);
	chain_expect(&k, RW, 0, 0);
	KEXPECT_EQ(q_derived(SELF, k.p), 1);
	KEXPECT_EQ(agent_call(k.eb, AG_READ, X1, 0, 0, 0), pattern(14, 0));
	/* b with self */
	chain_build(&k, 2);
	chain_expect(&k, RW, RW, RW);
	KEXPECT_EQ(lx4_unmap(k.b.task, fp(X1, LX4_FP_R), LX4_UNMAP_SELF), 0);
	chain_expect(&k, 0, 0, 0);
	KEXPECT_EQ(q_rights(SELF, k.p), Q_4K(RW));
	KEXPECT_EQ(q_derived(SELF, k.p), 0);
	/* c with self: b keeps it */
	chain_build(&k, 1);
	KEXPECT_EQ(lx4_unmap(k.c.task, fp(X2, LX4_FP_R), LX4_UNMAP_SELF), 0);
	chain_expect(&k, RW, 0, 0);
	KEXPECT_EQ(q_derived(SELF, k.p), 1);
	/* the leaf with self */
	chain_build(&k, 2);
	KEXPECT_EQ(lx4_unmap(k.d.task, fp(X3, LX4_FP_R), LX4_UNMAP_SELF), 0);
	chain_expect(&k, RW, RW, 0);
	KEXPECT_EQ(q_derived(SELF, k.p), 2);
	/* the death of the middle task revokes below it */
	chain_build(&k, 3);
	child_destroy(&k.c);
	KEXPECT_EQ(q_rights(k.d.task, X3), 0);
	KEXPECT_EQ(q_rights(k.b.task, X1), Q_4K(RW));
	KEXPECT_EQ(q_derived(SELF, k.p), 1);
	child_destroy(&k.d);
	child_destroy(&k.b);
}

/* a chain of 100 aliases inside one task: depth without recursion */
KTEST(map_deep_chain_one_task)
{
	enum { N = 100 };
	uint64_t p = page_pattern(15), prev = p;
	for (unsigned i = 0; i < N; i++) {
		uint64_t a = X1 + i * 4096ull;
		KEXPECT_EQ(lx4_map(SELF, fp(prev, RW), a, 0), 0);
		prev = a;
	}
	KEXPECT_EQ(q_derived(SELF, p), N);
	KEXPECT_EQ(q_derived(SELF, X1), N - 1);
	KEXPECT_EQ(q_derived(SELF, X1 + 50 * 4096), N - 51);
	KASSERT(page_has_pattern(X1 + (N - 1) * 4096, 15));
	/* writes through the last alias land in the page */
	*(volatile uint64_t *)(X1 + (N - 1) * 4096) = 1;
	KEXPECT_EQ(*(volatile uint64_t *)p, 1);
	/* W off from alias 50 down */
	KEXPECT_EQ(lx4_unmap(SELF, fp(X1 + 50 * 4096, LX4_FP_W), LX4_UNMAP_SELF), 0);
	for (unsigned i = 0; i < N; i++)
		KEXPECT_EQ(q_rights(SELF, X1 + i * 4096ull), Q_4K(i < 50 ? RW : LX4_FP_R));
	/* everything below alias 10 */
	KEXPECT_EQ(lx4_unmap(SELF, fp(X1 + 10 * 4096, LX4_FP_R), 0), 0);
	for (unsigned i = 0; i < N; i++)
		KEXPECT_EQ(q_rights(SELF, X1 + i * 4096ull), i <= 10 ? Q_4K(RW) : 0);
	KEXPECT_EQ(q_derived(SELF, p), 11);
	KEXPECT_EQ(*(volatile uint64_t *)(X1 + 10 * 4096), 1);
	/* and the rest */
	KEXPECT_EQ(lx4_unmap(SELF, fp(p, LX4_FP_R), 0), 0);
	for (unsigned i = 0; i <= 10; i++)
		KEXPECT_EQ(q_rights(SELF, X1 + i * 4096ull), 0);
	KEXPECT_EQ(q_derived(SELF, p), 0);
}

/* one page mapped to many places in many tasks; revocation by range */
KTEST(map_wide_tree)
{
	enum { TASKS = 4, PER = 64 };
	lx4_cap_t t[TASKS];
	uint64_t p = page_pattern(16);
	for (unsigned i = 0; i < TASKS; i++) {
		t[i] = bare_task(32);
		for (unsigned j = 0; j < PER; j++)
			KEXPECT_EQ(lx4_map(t[i], fp(p, RW), X1 + j * 0x10000ull, 0), 0);
	}
	KEXPECT_EQ(q_derived(SELF, p), TASKS * PER);
	/* a range unmap in one task: its own mappings in [X1, X1 + 1 MiB) */
	KEXPECT_EQ(lx4_unmap(t[1], lx4_fpage(X1, 20, LX4_FP_R), LX4_UNMAP_SELF), 0);
	for (unsigned j = 0; j < PER; j++)
		KEXPECT_EQ(q_rights(t[1], X1 + j * 0x10000ull), j < 16 ? 0 : Q_4K(RW));
	KEXPECT_EQ(q_derived(SELF, p), TASKS * PER - 16);
	/* W off everywhere below us */
	KEXPECT_EQ(lx4_unmap(SELF, fp(p, LX4_FP_W), 0), 0);
	KEXPECT_EQ(q_rights(t[3], X1 + 63 * 0x10000ull), Q_4K(LX4_FP_R));
	KEXPECT_EQ(q_rights(t[0], X1), Q_4K(LX4_FP_R));
	KEXPECT_EQ(lx4_unmap(SELF, fp(p, LX4_FP_R), 0), 0);
	KEXPECT_EQ(q_derived(SELF, p), 0);
	for (unsigned i = 0; i < TASKS; i++) {
		KEXPECT_EQ(q_rights(t[i], X1 + 32 * 0x10000ull), 0);
		KEXPECT_EQ(lx4_cap_destroy(t[i]), 0);
	}
}

/* a multi-page fpage maps the pages the sender has and skips the rest */
KTEST(map_range_skips_holes)
{
	lx4_cap_t t = bare_task(32);
	uint64_t u = heap_unused();
	KEXPECT_EQ(lx4_map(t, fp(u, RW), X1, 0), 0);
	KEXPECT_EQ(q_rights(t, X1), 0);
	KEXPECT_EQ(q_rights(SELF, u), 0);
	/* a 16-page block with pages 0, 5 and 15 present */
	uint64_t blk = heap_block(16, 0), sparse = heap_reserve(16);
	KEXPECT_EQ(q_rights(SELF, sparse), 0);
	fill_pattern(sparse, 20);
	fill_pattern(sparse + 5 * 4096, 25);
	fill_pattern(sparse + 15 * 4096, 35);
	KEXPECT_EQ(lx4_map(t, lx4_fpage(sparse, 16, RW), X2, 0), 0);
	for (unsigned i = 0; i < 16; i++)
		KEXPECT_EQ(q_rights(t, X2 + i * 4096ull), (i == 0 || i == 5 || i == 15) ? Q_4K(RW) : 0);
	/* the whole block: all 16, each to its place */
	KEXPECT_EQ(lx4_map(t, lx4_fpage(blk, 16, LX4_FP_R), X3, 0), 0);
	for (unsigned i = 0; i < 16; i++) {
		KEXPECT_EQ(q_rights(t, X3 + i * 4096ull), Q_4K(LX4_FP_R));
		KEXPECT_EQ(q_derived(SELF, blk + i * 4096ull), 1);
	}
	/* a range unmap of one page in the middle takes just that page */
	KEXPECT_EQ(lx4_unmap(SELF, fp(blk + 7 * 4096, LX4_FP_R), 0), 0);
	for (unsigned i = 0; i < 16; i++)
		KEXPECT_EQ(q_rights(t, X3 + i * 4096ull), i == 7 ? 0 : Q_4K(LX4_FP_R));
	/* a bigger range in the middle */
	KEXPECT_EQ(lx4_unmap(t, lx4_fpage(X3 + 8 * 4096, 15, LX4_FP_R), LX4_UNMAP_SELF), 0);
	for (unsigned i = 0; i < 16; i++)
		KEXPECT_EQ(q_rights(t, X3 + i * 4096ull), (i >= 7 && i < 16) ? 0 : Q_4K(LX4_FP_R));
	KEXPECT_EQ(lx4_cap_destroy(t), 0);
	/* the mapped-into task is gone: nothing derived is left */
	for (unsigned i = 0; i < 16; i++)
		KEXPECT_EQ(q_derived(SELF, blk + i * 4096ull), 0);
	KEXPECT_EQ(q_derived(SELF, sparse), 0);
}

/* mapping over a mapping replaces it (and revokes what hung off it) */
KTEST(map_replace_existing)
{
	struct chain k;
	chain_spawn(&k, 17);
	chain_build(&k, 1);
	uint64_t p2 = page_pattern(18);
	KEXPECT_EQ(lx4_map(k.b.task, fp(p2, LX4_FP_R), X1, 0), 0);
	KEXPECT_EQ(q_rights(k.b.task, X1), Q_4K(LX4_FP_R));
	KEXPECT_EQ(agent_call(k.eb, AG_READ, X1 + 16, 0, 0, 0), pattern(18, 2));
	chain_expect(&k, LX4_FP_R, 0, 0);
	KEXPECT_EQ(q_derived(SELF, k.p), 0);
	KEXPECT_EQ(q_derived(SELF, p2), 1);
	/* replace within one task, too: an alias of p over an alias of p2 */
	KEXPECT_EQ(lx4_map(SELF, fp(p2, RW), X2, 0), 0);
	KEXPECT_EQ(lx4_map(SELF, fp(k.p, RW), X2, 0), 0);
	KASSERT(page_has_pattern(X2, 17));
	KEXPECT_EQ(q_derived(SELF, p2), 1);
	KEXPECT_EQ(q_derived(SELF, k.p), 1);
	chain_destroy(&k);
}

/* a mapping cannot be replaced by one derived from it: refused, or
 * ignored, and nothing breaks */
KTEST(map_ancestor_onto_itself)
{
	uint64_t p = page_pattern(19);
	/* onto itself: overlapping ranges in one task are refused */
	KEXPECT_EQ(lx4_map(SELF, fp(p, RW), p, 0), -LX4_EINVAL);
	uint64_t blk = heap_block(14, 40);
	KEXPECT_EQ(lx4_map(SELF, lx4_fpage(blk, 13, RW), blk + 8192, 0), 0);
	KEXPECT_EQ(lx4_map(SELF, lx4_fpage(blk, 14, RW), blk, 0), -LX4_EINVAL);
	KASSERT(page_has_pattern(blk + 8192, 40));
	KASSERT(page_has_pattern(blk + 3 * 4096, 41));
	/* an alias mapped back onto its parent */
	KEXPECT_EQ(lx4_map(SELF, fp(p, RW), X1, 0), 0);
	long e = lx4_map(SELF, fp(X1, RW), p, 0);
	KASSERT(e == 0 || e == -LX4_EINVAL);
	KEXPECT_EQ(q_rights(SELF, p), Q_4K(RW));
	KEXPECT_EQ(q_derived(SELF, p), 1);
	KEXPECT_EQ(q_rights(SELF, X1), Q_4K(RW));
	KASSERT(page_has_pattern(X1, 19));
	/* and further up: a grandchild onto its grandparent */
	KEXPECT_EQ(lx4_map(SELF, fp(X1, RW), X2, 0), 0);
	e = lx4_map(SELF, fp(X2, RW), p, LX4_MAP_GRANT);
	KASSERT(e == 0 || e == -LX4_EINVAL);
	KEXPECT_EQ(q_derived(SELF, p), 2);
	KEXPECT_EQ(q_rights(SELF, X2), Q_4K(RW));
	/* across tasks: c maps its page back onto b's, from which it came */
	struct chain k;
	chain_spawn(&k, 20);
	KEXPECT_EQ(lx4_cap_copy(k.c.task, AG_FREE_CAP + 1, k.b.task, LX4_R_CONTROL, 0), 0);
	chain_build(&k, 1);
	e = (long)agent_call(k.ec, AG_MAP, AG_FREE_CAP + 1, fp(X2, RW), X1, 0);
	KASSERT(e == 0 || e == -LX4_EINVAL);
	chain_expect(&k, RW, RW, RW);
	KEXPECT_EQ(q_derived(SELF, k.p), 3);
	/* elsewhere in b it is fine: a mapping cycle between tasks, not in the tree */
	KEXPECT_EQ(agent_call(k.ec, AG_MAP, AG_FREE_CAP + 1, fp(X2, RW), X4, 0), 0);
	KEXPECT_EQ(q_rights(k.b.task, X4), Q_4K(RW));
	KEXPECT_EQ(q_derived(SELF, k.p), 4);
	KEXPECT_EQ(lx4_unmap(k.b.task, fp(X1, LX4_FP_R), 0), 0);
	chain_expect(&k, RW, 0, 0);
	KEXPECT_EQ(q_rights(k.b.task, X4), 0);
	KEXPECT_EQ(q_derived(SELF, k.p), 1);
	chain_destroy(&k);
}

/* every malformed fpage or address is refused before anything changes */
KTEST(map_bad_arguments)
{
	lx4_cap_t t = bare_task(32);
	uint64_t p = page_pattern(21), blk = heap_block(13, 50);
	KEXPECT_EQ(task_used(t), 1);
	static const uint64_t bad[] = {
	    0x10001000ull | (1ull << 9) | 13,         /* misaligned for order 13 */
	    (1ull << 9) | 48,                         /* too large */
	    (1ull << 9) | 63,                         /* too large */
	    (1ull << 9) | 47,                         /* all of it: includes the top page */
	    0x10000000ull | (1ull << 9) | 11,         /* below a page */
	    0x10000000ull | (1ull << 9) | 0,          /* below a page */
	    0xffff800000000000ull | (1ull << 9) | 12, /* kernel */
	    0xffffffff80000000ull | (1ull << 9) | 21, /* kernel */
	    0x0000800000000000ull | (1ull << 9) | 12, /* non-canonical */
	    0x1000000000000000ull | (1ull << 9) | 12, /* non-canonical */
	    0x7ffffffff000ull | (1ull << 9) | 12,     /* the top page */
	    0x7fffffe00000ull | (1ull << 9) | 21,     /* covers the top page */
	    0x7ffff0000000ull | (1ull << 9) | 28,     /* covers the top page */
	    0x400000000000ull | (1ull << 9) | 46,     /* covers the top page */
	};
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		uint64_t f = bad[i] | RW;
		KEXPECT_EQ(lx4_map(t, f, X1, 0), -LX4_EINVAL);
		KEXPECT_EQ(lx4_map(t, f, X1, LX4_MAP_GRANT), -LX4_EINVAL);
		KEXPECT_EQ(lx4_unmap(t, f, 0), -LX4_EINVAL);
		KEXPECT_EQ(lx4_unmap(SELF, f, LX4_UNMAP_SELF), -LX4_EINVAL);
		/* the same fpage as a destination range: a valid source of that order */
		unsigned o = lx4_fp_order(f);
		if (o >= 12 && o <= 13)
			KEXPECT_EQ(lx4_map(t, lx4_fpage(o == 12 ? p : blk, o, RW), lx4_fp_base(f), 0), -LX4_EINVAL);
	}
	/* destination addresses */
	static const uint64_t bad_dst[] = {
	    0xffff800000000000ull,
	    0xffffffff80000000ull,
	    0x0000800000000000ull,
	    0x8000000000000000ull,
	    0x7ffffffff000ull,
	    X1 + 1,
	    X1 + 0x800,
	};
	for (unsigned i = 0; i < ARRAY_SIZE(bad_dst); i++)
		KEXPECT_EQ(lx4_map(t, fp(p, RW), bad_dst[i], 0), -LX4_EINVAL);
	KEXPECT_EQ(lx4_map(t, lx4_fpage(blk, 13, RW), X1 + 4096, 0), -LX4_EINVAL);
	KEXPECT_EQ(lx4_map(t, lx4_fpage(blk, 13, RW), 0x7fffffffe000ull, 0), -LX4_EINVAL);
	/* flags */
	KEXPECT_EQ(lx4_map(t, fp(p, RW), X1, 2), -LX4_EINVAL);
	KEXPECT_EQ(lx4_map(t, fp(p, RW), X1, ~0ull), -LX4_EINVAL);
	KEXPECT_EQ(lx4_unmap(t, fp(X1, LX4_FP_R), 2), -LX4_EINVAL);
	/* fpage types: 0 and capability are no memory or I/O */
	KEXPECT_EQ(lx4_map(t, p | RW | 12, X1, 0), -LX4_EINVAL);
	KEXPECT_EQ(lx4_map(t, lx4_capitem(1, LX4_R_ALL), X1, 0), -LX4_EINVAL);
	KEXPECT_EQ(lx4_map(t, (p & ~0xfffull) | (7ull << 9) | RW | 12, X1, 0), -LX4_EINVAL);
	KEXPECT_EQ(lx4_unmap(t, p | RW | 12, 0), -LX4_EINVAL);
	/* nothing happened: no page tables, no mapping */
	KEXPECT_EQ(task_used(t), 1);
	KEXPECT_EQ(q_derived(SELF, p), 0);
	KEXPECT_EQ(q_derived(SELF, blk), 0);
	/* the largest valid fpage is fine (and maps what we have) */
	KEXPECT_EQ(lx4_map(t, lx4_fpage(0, 46, LX4_FP_R), 0, 0), 0);
	KEXPECT_EQ(q_rights(t, p), Q_4K(LX4_FP_R));
	KEXPECT_EQ(q_rights(t, (uint64_t)mt_ret42), Q_4K(LX4_FP_R));
	KEXPECT_EQ(q_derived(SELF, p), 1);
	KEXPECT_EQ(lx4_unmap(t, lx4_fpage(0, 46, LX4_FP_R), LX4_UNMAP_SELF), 0);
	KEXPECT_EQ(q_rights(t, p), 0);
	KEXPECT_EQ(q_derived(SELF, p), 0);
	KEXPECT_EQ(lx4_cap_destroy(t), 0);
}

KTEST(map_needs_control)
{
	lx4_cap_t t = bare_task(32), weak = cap_new(), ep = ep_new();
	uint64_t p = page_pattern(22);
	KEXPECT_EQ(lx4_cap_copy(SELF, weak, t, LX4_R_ALL & ~LX4_R_CONTROL, 0), 0);
	KEXPECT_EQ(lx4_map(weak, fp(p, RW), X1, 0), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_unmap(weak, fp(X1, LX4_FP_R), 0), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_map_query(weak, X1).err, -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_map(ep, fp(p, RW), X1, 0), -LX4_ETYPE);
	KEXPECT_EQ(lx4_map(cap_new(), fp(p, RW), X1, 0), -LX4_ECAP);
	KEXPECT_EQ(lx4_map(0, fp(p, RW), X1, 0), -LX4_ECAP);
	KEXPECT_EQ(lx4_map(LX4_CAP_SELF_THREAD, fp(p, RW), X1, 0), -LX4_ETYPE);
	KEXPECT_EQ(lx4_map(100000, fp(p, RW), X1, 0), -LX4_ECAP);
	KEXPECT_EQ(q_derived(SELF, p), 0);
	/* a child with a weak cap to another task */
	struct child b;
	lx4_cap_t eb;
	agent_spawn(&b, &eb, 0, 0);
	KEXPECT_EQ(lx4_map(b.task, fp(p, RW), X1, 0), 0);
	KEXPECT_EQ(lx4_cap_copy(b.task, AG_FREE_CAP, t, LX4_R_DESTROY, 0), 0);
	KEXPECT_EQ(agent_call(eb, AG_MAP, AG_FREE_CAP, fp(X1, RW), X2, 0), (uint64_t)-LX4_ERIGHTS);
	KEXPECT_EQ(agent_call(eb, AG_UNMAP, AG_FREE_CAP, fp(X2, LX4_FP_R), 0, 0), (uint64_t)-LX4_ERIGHTS);
	agent_call(eb, AG_QUERY, AG_FREE_CAP, X2, 0, 0);
	KEXPECT_EQ(agent_r2, (uint64_t)-LX4_ERIGHTS);
	/* unmap in its own space works, and reaches only what it mapped */
	KEXPECT_EQ(agent_call(eb, AG_UNMAP, LX4_CAP_SELF_TASK, fp(X1, LX4_FP_R), LX4_UNMAP_SELF, 0), 0);
	KEXPECT_EQ(q_rights(b.task, X1), 0);
	KEXPECT_EQ(q_rights(SELF, p), Q_4K(RW));
	/* a dead task */
	KEXPECT_EQ(lx4_cap_destroy(t), 0);
	KEXPECT_EQ(lx4_map(weak, fp(p, RW), X1, 0), -LX4_ERIGHTS);
	lx4_cap_t t2 = bare_task(32), copy = cap_new();
	KEXPECT_EQ(lx4_cap_copy(SELF, copy, t2, LX4_R_ALL, 0), 0);
	KEXPECT_EQ(lx4_cap_destroy(t2), 0);
	KEXPECT_EQ(lx4_map(copy, fp(p, RW), X1, 0), -LX4_EDEAD);
	KEXPECT_EQ(lx4_unmap(copy, fp(X1, LX4_FP_R), 0), -LX4_EDEAD);
	child_destroy(&b);
}

KTEST(map_query_kinds)
{
	uint64_t p = page_pattern(23);
	KEXPECT_EQ(q_rights(SELF, p), Q_4K(RW));
	KEXPECT_EQ(q_rights(SELF, p + 123), Q_4K(RW));
	KEXPECT_EQ(q_rights(SELF, (uint64_t)mt_ret42), Q_4K(RX));
	KEXPECT_EQ(q_rights(SELF, TP_KIP), Q_4K(LX4_FP_R));
	KEXPECT_EQ(q_rights(SELF, TP_UTCB), Q_KOWNED | Q_4K(RW));
	KEXPECT_EQ(q_derived(SELF, TP_UTCB), 0);
	KEXPECT_EQ(q_rights(SELF, heap_unused()), 0);
	KEXPECT_EQ(q_rights(SELF, 0), 0);
	KEXPECT_EQ(q_rights(SELF, 0x7ffffffff000ull), 0);
	KEXPECT_EQ(q_rights(SELF, 0x800000000000ull), 0);
	KEXPECT_EQ(q_rights(SELF, 0xffff800000000000ull), 0);
	KEXPECT_EQ(q_rights(SELF, 0xffffffff80000000ull), 0);
	KEXPECT_EQ(q_derived(SELF, 0xffffffff80000000ull), 0);
	KEXPECT_EQ(q_rights(SELF, ~0ull), 0);
}

/* unmap and remap in one address space: the TLB must forget */
static volatile uint64_t g_step, g_go;

static void tlb_user(uint64_t va)
{
	mt_store(va, 1);
	g_step = 1;
	while (g_go != 1)
		lx4_yield();
	mt_store(va, 2); /* W was taken away */
	g_step = 2;
	while (g_go != 2)
		lx4_yield();
	g_val = mt_load(va); /* unmapped */
	g_step = 3;
}

KTEST(map_tlb_same_space)
{
	lx4_cap_t pf = ep_new();
	uint64_t p = page_pattern(24);
	KEXPECT_EQ(lx4_map(SELF, fp(p, RW), X1, 0), 0);
	lx4_cap_t t = thread_spawn(tlb_user, X1, 100, false);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_PAGER, pf), 0);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_START, 0).err, 0);
	KASSERT(wait_eq(&g_step, 1));
	KEXPECT_EQ(*(volatile uint64_t *)p, 1);
	KEXPECT_EQ(lx4_unmap(SELF, fp(p, LX4_FP_W), 0), 0);
	KEXPECT_EQ(q_rights(SELF, X1), Q_4K(LX4_FP_R));
	g_go = 1;
	KEXPECT_EQ(expect_pf(pf, X1, LX4_PF_WRITE | LX4_PF_PRESENT), (uint64_t)mt_store);
	KEXPECT_EQ(*(volatile uint64_t *)p, 1);
	reply_map(t, fp(p, RW), X1);
	KASSERT(wait_eq(&g_step, 2));
	KEXPECT_EQ(*(volatile uint64_t *)p, 2);
	KEXPECT_EQ(lx4_unmap(SELF, fp(X1, LX4_FP_R), LX4_UNMAP_SELF), 0);
	g_go = 2;
	KEXPECT_EQ(expect_pf(pf, X1, LX4_PF_READ), (uint64_t)mt_load);
	uint64_t p2 = page_pattern(25);
	reply_map(t, fp(p2, LX4_FP_R), X1);
	KASSERT(wait_eq(&g_step, 3));
	KEXPECT_EQ(g_val, pattern(25, 0));
	KEXPECT_EQ(q_derived(SELF, p), 0);
	KEXPECT_EQ(q_derived(SELF, p2), 1);
}

/* UTCBs are kernel-owned: no unmap, no map over them, no map from them */
KTEST(map_utcb_protected)
{
	struct child c;
	lx4_cap_t ep;
	agent_spawn(&c, &ep, 0, 0);
	uint64_t cu = agent_call(ep, AG_UTCB, 0, 0, 0, 0);
	KEXPECT_EQ(q_rights(c.task, cu), Q_KOWNED | Q_4K(RW));
	uint64_t p = page_pattern(26);
	/* our own */
	KEXPECT_EQ(lx4_unmap(SELF, fp(TP_UTCB, LX4_FP_R), LX4_UNMAP_SELF), 0);
	KEXPECT_EQ(q_rights(SELF, TP_UTCB), Q_KOWNED | Q_4K(RW));
	KEXPECT_EQ(lx4_unmap(SELF, fp(TP_UTCB, LX4_FP_W), LX4_UNMAP_SELF), 0);
	KEXPECT_EQ(q_rights(SELF, TP_UTCB), Q_KOWNED | Q_4K(RW));
	long e = lx4_map(SELF, fp(p, RW), TP_UTCB, 0);
	KASSERT(e == 0 || e == -LX4_EBUSY);
	KEXPECT_EQ(q_rights(SELF, TP_UTCB), Q_KOWNED | Q_4K(RW));
	KEXPECT_EQ(lx4_utcb()->tls[0], TP_UTCB);
	KEXPECT_EQ(q_derived(SELF, p), 0);
	/* not passed on, not granted */
	KEXPECT_EQ(lx4_map(c.task, fp(TP_UTCB, RW), X1, 0), 0);
	KEXPECT_EQ(lx4_map(c.task, fp(TP_UTCB, RW), X2, LX4_MAP_GRANT), 0);
	KEXPECT_EQ(q_rights(c.task, X1), 0);
	KEXPECT_EQ(q_rights(c.task, X2), 0);
	KEXPECT_EQ(q_rights(SELF, TP_UTCB), Q_KOWNED | Q_4K(RW));
	/* the child's: not mapped over, neither alone nor inside a range */
	e = lx4_map(c.task, fp(p, RW), cu, 0);
	KASSERT(e == 0 || e == -LX4_EBUSY);
	e = lx4_map(c.task, fp(p, RW), cu, LX4_MAP_GRANT);
	KASSERT(e == 0 || e == -LX4_EBUSY);
	KEXPECT_EQ(q_rights(SELF, p), Q_4K(RW));
	uint64_t blk = heap_block(16, 60), cblk = cu & ~0xffffull;
	e = lx4_map(c.task, lx4_fpage(blk, 16, RW), cblk, 0);
	KASSERT(e == 0 || e == -LX4_EBUSY);
	KEXPECT_EQ(q_rights(c.task, cu), Q_KOWNED | Q_4K(RW));
	KEXPECT_EQ(agent_call(ep, AG_READ, cu + LX4_UTCB_SELF_OFF, 0, 0, 0), cu);
	KEXPECT_EQ(lx4_unmap(c.task, lx4_fpage(cblk, 16, LX4_FP_R), LX4_UNMAP_SELF), 0);
	KEXPECT_EQ(q_rights(c.task, cu), Q_KOWNED | Q_4K(RW));
	KEXPECT_EQ(agent_call(ep, AG_UTCB, 0, 0, 0, 0), cu);
	/* a big range around the child's UTCB (and KIP) */
	KEXPECT_EQ(lx4_unmap(c.task, lx4_fpage(0x7fff00000000ull, 31, LX4_FP_R), LX4_UNMAP_SELF), 0);
	KEXPECT_EQ(q_rights(c.task, TP_KIP), 0);
	KEXPECT_EQ(q_rights(c.task, cu), Q_KOWNED | Q_4K(RW));
	KEXPECT_EQ(agent_call(ep, AG_UTCB, 0, 0, 0, 0), cu);
	child_destroy(&c);
	for (unsigned i = 0; i < 16; i++)
		KEXPECT_EQ(q_derived(SELF, blk + i * 4096ull), 0);
}

KTEST(map_utcb_config_errors)
{
	lx4_cap_t t = cap_new();
	KEXPECT_EQ(lx4_thread_create(t, SELF), 0);
	static const uint64_t bad[] = {
	    0xffff800000000000ull,
	    0xffffffff80000000ull,
	    0x0000800000000000ull,
	    0x8000000000000000ull,
	    0x7ffffffff000ull,
	    X1 + 16,
	    X1 + 0x800,
	    ~0ull & ~0xfffull,
	};
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++)
		KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_UTCB, bad[i]), -LX4_EINVAL);
	/* where something is mapped, or another UTCB is */
	uint64_t p = page_pattern(27);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_UTCB, p), -LX4_EBUSY);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_UTCB, TP_UTCB), -LX4_EBUSY);
	KASSERT(page_has_pattern(p, 27));
	KEXPECT_EQ(q_rights(SELF, p), Q_4K(RW));
	/* once */
	uint64_t u = utcb_new();
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_UTCB, u), 0);
	KEXPECT_EQ(q_rights(SELF, u), Q_KOWNED | Q_4K(RW));
	KEXPECT_EQ(*(volatile uint64_t *)(u + LX4_UTCB_SELF_OFF), u);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_UTCB, utcb_new()), -LX4_EBUSY);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_UTCB, u), -LX4_EBUSY);
	/* in another task */
	lx4_cap_t b = bare_task(32), bt = cap_new();
	KEXPECT_EQ(lx4_thread_create(bt, b), 0);
	KEXPECT_EQ(lx4_thread_config(bt, LX4_TCFG_UTCB, 0x7ffffffff000ull), -LX4_EINVAL);
	KEXPECT_EQ(lx4_map(b, fp(p, RW), X1, 0), 0);
	KEXPECT_EQ(lx4_thread_config(bt, LX4_TCFG_UTCB, X1), -LX4_EBUSY);
	KEXPECT_EQ(lx4_thread_config(bt, LX4_TCFG_UTCB, X2), 0);
	KEXPECT_EQ(q_rights(b, X2), Q_KOWNED | Q_4K(RW));
	/* the thread's death takes its UTCB away */
	KEXPECT_EQ(lx4_cap_destroy(t), 0);
	KEXPECT_EQ(q_rights(SELF, u), 0);
	KEXPECT_EQ(lx4_cap_destroy(bt), 0);
	KEXPECT_EQ(q_rights(b, X2), 0);
	KEXPECT_EQ(lx4_map(b, fp(p, RW), X2, 0), 0);
	KEXPECT_EQ(q_rights(b, X2), Q_4K(RW));
	KEXPECT_EQ(lx4_cap_destroy(b), 0);
}

/* the kernel memory a mapping needs is charged to the destination, exactly */
KTEST(map_quota_accounting)
{
	lx4_cap_t t = bare_task(32);
	uint64_t p = page_pattern(28);
	KEXPECT_EQ(task_used(t), 1); /* the top-level table */
	KEXPECT_EQ(lx4_map(t, fp(p, RW), X1, 0), 0);
	/* PDPT, PD + companion, PT + companion, a slab page of mapping nodes */
	KEXPECT_EQ(task_used(t), 7);
	KEXPECT_EQ(lx4_map(t, fp(p, RW), X1 + 4096, 0), 0);
	KEXPECT_EQ(task_used(t), 7);
	KEXPECT_EQ(lx4_map(t, fp(p, RW), X1 + 0x200000, 0), 0); /* a new PT */
	KEXPECT_EQ(task_used(t), 9);
	KEXPECT_EQ(lx4_unmap(t, lx4_fpage(X1, 22, LX4_FP_R), LX4_UNMAP_SELF), 0);
	KEXPECT_EQ(task_used(t), 8); /* tables stay, the slab page went */
	KEXPECT_EQ(lx4_map(t, fp(p, RW), X1, 0), 0);
	KEXPECT_EQ(task_used(t), 9);
	/* a grant moves the node's charge: ours goes, the destination pays */
	uint64_t p2 = page_pattern(29);
	KEXPECT_EQ(lx4_map(t, fp(p2, RW), X1 + 8192, LX4_MAP_GRANT), 0);
	KEXPECT_EQ(task_used(t), 9);
	KEXPECT_EQ(q_rights(SELF, p2), 0);
	KEXPECT_EQ(lx4_cap_destroy(t), 0);
}

/* a task with a tiny quota: maps fail with ENOMEM, cleanly */
KTEST(map_quota_enomem)
{
	const uint64_t quota = 24;
	lx4_cap_t t = bare_task(quota);
	uint64_t p = page_pattern(30);
	unsigned ok = 0;
	long e = 0;
	for (unsigned i = 0; i < 64 && e == 0; i++) {
		/* each in its own GiB: new tables every time */
		e = lx4_map(t, fp(p, RW), X1 + ((uint64_t)i << 30), 0);
		if (e == 0)
			ok++;
		KASSERT(task_used(t) <= quota);
	}
	KEXPECT_EQ(e, -LX4_ENOMEM);
	KASSERT(ok >= 2);
	KEXPECT_EQ(q_derived(SELF, p), ok);
	for (unsigned i = 0; i < ok; i++)
		KEXPECT_EQ(q_rights(t, X1 + ((uint64_t)i << 30)), Q_4K(RW));
	KEXPECT_EQ(q_rights(t, X1 + ((uint64_t)ok << 30)), 0);
	/* where the tables exist it still works */
	KEXPECT_EQ(lx4_map(t, fp(p, RW), X1 + 4096, 0), 0);
	/* a new top-level slot: no room for its tables */
	uint64_t blk = heap_block(16, 70);
	KEXPECT_EQ(lx4_map(t, lx4_fpage(blk, 16, RW), 0x7f0000000000ull, 0), -LX4_ENOMEM);
	KASSERT(task_used(t) <= quota);
	for (unsigned i = 0; i < 16; i++)
		KEXPECT_EQ(q_rights(t, 0x7f0000000000ull + i * 4096ull), 0);
	/* a range that runs out of mapping nodes part way: a prefix is mapped */
	lx4_cap_t t2 = bare_task(8);
	uint64_t blk2 = heap_block(20, 80); /* 256 pages */
	KEXPECT_EQ(lx4_map(t2, lx4_fpage(blk2, 20, RW), X2, 0), -LX4_ENOMEM);
	KEXPECT_EQ(task_used(t2), 8);
	unsigned mapped = 0;
	while (mapped < 256 && q_rights(t2, X2 + mapped * 4096ull) == Q_4K(RW))
		mapped++;
	KASSERT(mapped > 0 && mapped < 256);
	for (unsigned i = mapped; i < 256; i++)
		KEXPECT_EQ(q_rights(t2, X2 + i * 4096ull), 0);
	KEXPECT_EQ(q_derived(SELF, blk2 + (mapped - 1) * 4096ull), 1);
	KEXPECT_EQ(q_derived(SELF, blk2 + mapped * 4096ull), 0);
	/* unmapping gives the node pages back */
	KEXPECT_EQ(lx4_unmap(t2, lx4_fpage(X2, 20, LX4_FP_R), LX4_UNMAP_SELF), 0);
	KASSERT(task_used(t2) < 8);
	KEXPECT_EQ(lx4_map(t2, fp(p, RW), X2, 0), 0);
	KEXPECT_EQ(lx4_cap_destroy(t2), 0);
	KEXPECT_EQ(lx4_cap_destroy(t), 0);
	KEXPECT_EQ(q_derived(SELF, p), 0);
	KEXPECT_EQ(q_derived(SELF, blk2), 0);
}

/* a task that dies because its last capability went (no destroy): its
 * mappings are revoked, and the kernel stays sound (a reaped task used to
 * be freed while still on the reap list) */
KTEST(map_task_dropped_revokes)
{
	uint64_t p = page_pattern(31);
	for (unsigned round = 0; round < 8; round++) {
		lx4_cap_t t = bare_task(32);
		KEXPECT_EQ(lx4_map(t, fp(p, RW), X1, 0), 0);
		KEXPECT_EQ(lx4_map(t, fp(p, RW), X2 + round * 4096ull, 0), 0);
		KEXPECT_EQ(q_derived(SELF, p), 2);
		KEXPECT_EQ(lx4_cap_delete(SELF, t), 0);
		KEXPECT_EQ(q_derived(SELF, p), 0);
		/* allocate kernel memory: a corrupted pool shows here */
		lx4_cap_t e = ep_new();
		lx4_cap_t t2 = bare_task(16);
		KEXPECT_EQ(lx4_map(t2, fp(p, RW), X1, 0), 0);
		KEXPECT_EQ(lx4_cap_destroy(t2), 0);
		KEXPECT_EQ(lx4_cap_destroy(e), 0);
	}
	/* a child with a thread and a chain below it, dropped by its caps */
	struct chain k;
	chain_spawn(&k, 32);
	chain_build(&k, 1);
	KEXPECT_EQ(lx4_cap_delete(SELF, k.b.thread), 0);
	KEXPECT_EQ(lx4_cap_delete(SELF, k.b.task), 0);
	KEXPECT_EQ(lx4_cap_delete(SELF, k.eb), 0);
	/* b is gone, and with it everything derived from its mapping */
	KEXPECT_EQ(q_rights(k.c.task, X2), 0);
	KEXPECT_EQ(q_rights(k.d.task, X3), 0);
	KEXPECT_EQ(q_derived(SELF, k.p), 0);
	for (unsigned i = 0; i < 8; i++)
		ep_new();
	child_destroy(&k.d);
	child_destroy(&k.c);
}

/* a 4 MiB fpage over our image gives a child each page with its own rights */
KTEST(map_image_rights_kept)
{
	struct child c;
	lx4_cap_t ep;
	agent_spawn(&c, &ep, 0, 0);
	static const uint64_t ro = 0x1234; /* in .rodata */
	uint64_t text = (uint64_t)mt_ret42, rodata = (uint64_t)&ro, data = (uint64_t)&g_val;
	KEXPECT_EQ(q_rights(SELF, text), Q_4K(RX));
	KEXPECT_EQ(q_rights(SELF, rodata), Q_4K(LX4_FP_R));
	KEXPECT_EQ(q_rights(SELF, data), Q_4K(RW));
	KEXPECT_EQ(q_rights(c.task, text), Q_4K(RX));
	KEXPECT_EQ(q_rights(c.task, rodata), Q_4K(LX4_FP_R));
	KEXPECT_EQ(q_rights(c.task, data), Q_4K(RW));
	KEXPECT_EQ(q_derived(SELF, text), 1);
	KEXPECT_EQ(agent_call(ep, AG_READ, rodata, 0, 0, 0), 0x1234);
	/* past our image there is nothing to give */
	KEXPECT_EQ(q_rights(c.task, (uint64_t)_end), 0);
	/* the same fpage again: nothing changes, nothing is added */
	uint64_t used = task_used(c.task);
	KEXPECT_EQ(lx4_map(c.task, lx4_fpage((uint64_t)__image_start, 22, LX4_FP_RWX), (uint64_t)__image_start, 0), 0);
	KEXPECT_EQ(task_used(c.task), used);
	KEXPECT_EQ(q_derived(SELF, text), 1);
	KEXPECT_EQ(q_rights(c.task, rodata), Q_4K(LX4_FP_R));
	child_destroy(&c);
	KEXPECT_EQ(q_derived(SELF, text), 0);
}

/* the lowest and the highest page a task can have */
KTEST(map_edges_of_user_space)
{
	struct child c;
	lx4_cap_t ep;
	agent_spawn(&c, &ep, 0, 0);
	uint64_t p = page_pattern(33);
	KEXPECT_EQ(lx4_map(c.task, fp(p, RW), 0, 0), 0);
	KEXPECT_EQ(lx4_map(c.task, fp(p, RW), 0x7fffffffe000ull, 0), 0);
	KEXPECT_EQ(q_rights(c.task, 0), Q_4K(RW));
	KEXPECT_EQ(q_rights(c.task, 0x7fffffffe000ull), Q_4K(RW));
	KEXPECT_EQ(q_rights(c.task, 0x7ffffffff000ull), 0);
	KEXPECT_EQ(agent_call(ep, AG_READ, 0, 0, 0, 0), pattern(33, 0));
	KEXPECT_EQ(agent_call(ep, AG_READ, 0x7fffffffeff8ull, 0, 0, 0), pattern(33, 511));
	KEXPECT_EQ(lx4_unmap(c.task, lx4_fpage(0x7fffffffe000ull, 13, LX4_FP_R), LX4_UNMAP_SELF), -LX4_EINVAL);
	KEXPECT_EQ(lx4_unmap(c.task, fp(0x7fffffffe000ull, LX4_FP_R), LX4_UNMAP_SELF), 0);
	KEXPECT_EQ(lx4_unmap(c.task, fp(0, LX4_FP_R), LX4_UNMAP_SELF), 0);
	KEXPECT_EQ(q_derived(SELF, p), 0);
	child_destroy(&c);
}

/* map and unmap over and over: nothing accumulates */
KTEST(map_unmap_repeat)
{
	lx4_cap_t t = bare_task(32);
	uint64_t blk = heap_block(15, 90); /* 8 pages */
	KEXPECT_EQ(lx4_map(t, lx4_fpage(blk, 15, RW), X1, 0), 0);
	KEXPECT_EQ(lx4_unmap(SELF, lx4_fpage(blk, 15, LX4_FP_R), 0), 0);
	uint64_t used = task_used(t);
	for (unsigned i = 0; i < 300; i++) {
		uint64_t dst = X1 + (i % 4) * 0x8000ull;
		KEXPECT_EQ(lx4_map(t, lx4_fpage(blk, 15, i & 2 ? LX4_FP_R : RW), dst, 0), 0);
		KEXPECT_EQ(q_rights(t, dst + 7 * 4096), Q_4K(i & 2 ? LX4_FP_R : RW));
		KEXPECT_EQ(q_derived(SELF, blk + 3 * 4096), 1);
		if (i & 1) /* from above, or in the task itself */
			KEXPECT_EQ(lx4_unmap(SELF, lx4_fpage(blk, 15, LX4_FP_R), 0), 0);
		else
			KEXPECT_EQ(lx4_unmap(t, lx4_fpage(dst, 15, LX4_FP_R), LX4_UNMAP_SELF), 0);
		KEXPECT_EQ(q_rights(t, dst), 0);
		KEXPECT_EQ(q_derived(SELF, blk), 0);
		KEXPECT_EQ(task_used(t), used);
	}
	KEXPECT_EQ(lx4_cap_destroy(t), 0);
}
