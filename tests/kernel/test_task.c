/*
 * Tasks and kernel memory: task_create's checks, task_info's numbers, the
 * exact charging of kernel pages to quotas, accounts that outlive their
 * task, children that exhaust their quota, long chains of tasks.
 */
#include "spawn.h"

#define SELF       LX4_CAP_SELF_TASK
#define TEST_QUOTA 4096 /* root/suite.c gives each test task this much */

static void idle(uint64_t arg)
{
	(void)arg;
	for (;;)
		sleep_ns(1000000000);
}

KTEST(task_create_errors)
{
	lx4_cap_t s = cap_new(), ep = ep_new();
	uint64_t quota = task_quota(SELF), u0 = pages_used(SELF), k0 = lx4_kmem_free();
	uint64_t free = quota - u0;
	KEXPECT_EQ(quota, TEST_QUOTA);
	/* capability slots: 1 .. 16384 */
	static const uint64_t bad_slots[] = {0, 16385, 0x80000000, 1ull << 32, (1ull << 32) | 4, ~0ull};
	for (unsigned i = 0; i < sizeof bad_slots / sizeof bad_slots[0]; i++)
		KEXPECT_EQ(lx4_task_create(s, 4, bad_slots[i]), -LX4_EINVAL);
	/* quota: at least one page, and the creator must have it and one more
	 * page for the task itself */
	KEXPECT_EQ(lx4_task_create(s, 0, 4), -LX4_ENOMEM);
	KEXPECT_EQ(lx4_task_create(s, ~0ull, 4), -LX4_ENOMEM);
	KEXPECT_EQ(lx4_task_create(s, 1ull << 63, 4), -LX4_ENOMEM);
	KEXPECT_EQ(lx4_task_create(s, free + 1, 4), -LX4_ENOMEM);
	KEXPECT_EQ(lx4_task_create(s, free, 4), -LX4_ENOMEM);
	/* the destination slot */
	static const lx4_cap_t bad_dst[] = {0, 1024, 0x7fffffff, 0xffffffff, LX4_CAP_SELF_TASK, LX4_CAP_SELF_THREAD};
	for (unsigned i = 0; i < sizeof bad_dst / sizeof bad_dst[0]; i++)
		KEXPECT_EQ(lx4_task_create(bad_dst[i], 4, 4), -LX4_ECAP);
	KEXPECT_EQ(lx4_task_create(ep, 4, 4), -LX4_EBUSY);
	KEXPECT_EQ(lx4_task_create(TP_PARENT_CAP, 4, 4), -LX4_EBUSY);
	/* bad arguments are found before a slot's leaf is allocated */
	KEXPECT_EQ(lx4_task_create(1000, 4, 0), -LX4_EINVAL);
	KEXPECT_EQ(lx4_task_create(1000, free, 4), -LX4_ENOMEM);
	KEXPECT_EQ(lx4_task_create(1000, 0, 4), -LX4_ENOMEM);
	/* nothing was charged by any of this */
	KEXPECT_EQ(pages_used(SELF), u0);
	KEXPECT_EQ(lx4_kmem_free(), k0);
	KEXPECT_EQ(lx4_cap_info(SELF, s).err, -LX4_ECAP);

	/* everything we have left, less the page for the task */
	KEXPECT_EQ(lx4_task_create(s, free - 1, 4), 0);
	KEXPECT_EQ(pages_used(SELF), quota);
	KEXPECT_EQ(task_quota(s), free - 1);
	KEXPECT_EQ(pages_used(s), 1);
	KEXPECT_EQ(task_threads(s), 0);
	/* now nothing more can be allocated by us, and nothing breaks */
	/* (but the slab page of ep has room for 30 more endpoints) */
	long e;
	unsigned n = 0;
	while ((e = lx4_ep_create(cap_new())) == 0)
		n++;
	KEXPECT_EQ(e, -LX4_ENOMEM);
	KEXPECT_EQ(n, 30);
	KEXPECT_EQ(lx4_thread_create(cap_new(), SELF), -LX4_ENOMEM);
	KEXPECT_EQ(lx4_task_create(cap_new(), 1, 1), -LX4_ENOMEM);
	KEXPECT_EQ(lx4_cap_copy(SELF, 900, ep, LX4_R_ALL, 0), -LX4_ENOMEM); /* a new leaf */
	lx4_cap_t c = cap_new();
	KEXPECT_EQ(lx4_cap_copy(SELF, c, ep, LX4_R_ALL, 0), 0); /* an existing leaf */
	struct lx4_msg m;
	KEXPECT_EQ(lx4_recv(c, &m, LX4_TIMEOUT_ZERO), -LX4_ETIMEOUT);
	/* but the new task can, and is charged for it */
	KEXPECT_EQ(lx4_cap_copy(s, 1, ep, LX4_R_ALL, 0), 0);
	KEXPECT_EQ(pages_used(s), 2);
	KEXPECT_EQ(pages_used(SELF), quota);
	/* its quota comes back with it */
	KEXPECT_EQ(lx4_cap_delete(SELF, s), 0);
	KEXPECT_EQ(pages_used(SELF), u0);
	KEXPECT_EQ(lx4_kmem_free(), k0);
	KEXPECT_EQ(lx4_cap_info(SELF, 900).err, -LX4_ECAP);
}

KTEST(task_info_values)
{
	struct lx4_sysret r = lx4_task_info(SELF);
	KEXPECT_EQ(r.err, 0);
	KEXPECT_EQ(r.r1, TEST_QUOTA);
	KASSERT(r.r2 > 0 && r.r2 < TEST_QUOTA);
	KEXPECT_EQ(r.r3, 1);
	lx4_cap_t t = cap_new(), ep = ep_new(), th = thread_spawn(idle, 0, 100, false);
	KEXPECT_EQ(lx4_task_create(t, 7, 3), 0);
	r = lx4_task_info(t);
	KEXPECT_EQ(r.err, 0);
	KEXPECT_EQ(r.r1, 7);
	KEXPECT_EQ(r.r2, 1);
	KEXPECT_EQ(r.r3, 0);
	/* any task cap will do, even one without rights */
	lx4_cap_t t0 = cap_new();
	KEXPECT_EQ(lx4_cap_copy(SELF, t0, t, 0, 0), 0);
	KEXPECT_EQ(lx4_task_info(t0).r1, 7);
	/* errors */
	static const lx4_cap_t bad[] = {0, 1024, 0x7fffffff, 0xffffffff, 0xfffffff2};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
		KEXPECT_EQ(lx4_task_info(bad[i]).err, -LX4_ECAP);
	KEXPECT_EQ(lx4_task_info(cap_new()).err, -LX4_ECAP);
	KEXPECT_EQ(lx4_task_info(ep).err, -LX4_ETYPE);
	KEXPECT_EQ(lx4_task_info(th).err, -LX4_ETYPE);
	KEXPECT_EQ(lx4_task_info(LX4_CAP_SELF_THREAD).err, -LX4_ETYPE);
	KEXPECT_EQ(lx4_task_info(TP_IRQCTL_CAP).err, -LX4_ETYPE);
	KEXPECT_EQ(lx4_cap_destroy(t), 0);
	KEXPECT_EQ(lx4_task_info(t0).err, -LX4_EDEAD);
	KEXPECT_EQ(lx4_task_info(t).err, -LX4_ECAP);
}

static volatile uint64_t g_done;

static void finish(uint64_t arg)
{
	(void)arg;
	__atomic_add_fetch(&g_done, 1, __ATOMIC_SEQ_CST);
}

KTEST(task_info_thread_count)
{
	KEXPECT_EQ(task_threads(SELF), 1);
	lx4_cap_t t1 = thread_spawn(idle, 0, 100, false);
	KEXPECT_EQ(task_threads(SELF), 2);
	lx4_cap_t t2 = thread_spawn(idle, 0, 100, true);
	KEXPECT_EQ(task_threads(SELF), 3);
	/* a thread counts in the task it runs in, not in its creator's */
	lx4_cap_t t = cap_new(), tt = cap_new(), tt2 = cap_new();
	KEXPECT_EQ(lx4_task_create(t, 4, 4), 0);
	KEXPECT_EQ(lx4_thread_create(tt, t), 0);
	KEXPECT_EQ(lx4_thread_create(tt2, t), 0);
	KEXPECT_EQ(task_threads(t), 2);
	KEXPECT_EQ(task_threads(SELF), 3);
	/* gone with their last cap, or when destroyed */
	KEXPECT_EQ(lx4_cap_delete(SELF, t1), 0);
	KEXPECT_EQ(task_threads(SELF), 2);
	lx4_cap_t t2b = cap_new();
	KEXPECT_EQ(lx4_cap_copy(SELF, t2b, t2, LX4_R_ALL, 0), 0);
	KEXPECT_EQ(lx4_cap_destroy(t2), 0);
	KEXPECT_EQ(task_threads(SELF), 1); /* a dead thread no longer counts */
	KEXPECT_EQ(lx4_cap_delete(SELF, t2b), 0);
	KEXPECT_EQ(task_threads(SELF), 1);
	KEXPECT_EQ(lx4_cap_destroy(tt), 0);
	KEXPECT_EQ(task_threads(t), 1);
	/* a thread that ends by destroying itself (lx4_halt) */
	thread_spawn(finish, 0, 100, true);
	KEXPECT_EQ(task_threads(SELF), 2);
	wait_count(&g_done, 1);
	sleep_ns(1000000);
	KEXPECT_EQ(task_threads(SELF), 1);
	/* destroying the task takes its threads */
	lx4_cap_t tc = cap_new();
	KEXPECT_EQ(lx4_cap_copy(SELF, tc, t, LX4_R_ALL, 0), 0);
	KEXPECT_EQ(lx4_cap_destroy(t), 0);
	KASSERT(thread_dead(tt2));
}

KTEST(task_used_counts_pages)
{
	lx4_cap_t e[32], th = cap_new(), t = cap_new();
	for (unsigned i = 0; i < 32; i++)
		e[i] = cap_new(); /* all in the first leaf, which exists */
	static uint8_t page[4096] __attribute__((aligned(4096)));
	page[0] = 1;
	uint64_t u0 = pages_used(SELF), k0 = lx4_kmem_free();
	/* endpoints: a slab page holds 31 of them */
	for (unsigned i = 0; i < 31; i++) {
		KEXPECT_EQ(lx4_ep_create(e[i]), 0);
		KEXPECT_EQ(pages_used(SELF), u0 + 1);
	}
	KEXPECT_EQ(lx4_ep_create(e[31]), 0);
	KEXPECT_EQ(pages_used(SELF), u0 + 2);
	KEXPECT_EQ(lx4_kmem_free(), k0 - 2);
	KEXPECT_EQ(lx4_cap_delete(SELF, e[31]), 0);
	KEXPECT_EQ(pages_used(SELF), u0 + 1);
	for (unsigned i = 0; i < 31; i++)
		KEXPECT_EQ(lx4_cap_delete(SELF, e[i]), 0);
	KEXPECT_EQ(pages_used(SELF), u0);
	/* a thread: its TCB, then its UTCB */
	KEXPECT_EQ(lx4_thread_create(th, SELF), 0);
	KEXPECT_EQ(pages_used(SELF), u0 + 1);
	KEXPECT_EQ(lx4_thread_config(th, LX4_TCFG_UTCB, utcb_new()), 0);
	KEXPECT_EQ(pages_used(SELF), u0 + 2);
	KEXPECT_EQ(lx4_cap_delete(SELF, th), 0);
	KEXPECT_EQ(pages_used(SELF), u0);
	/* a task: its quota and its own page */
	KEXPECT_EQ(lx4_task_create(t, 10, 4), 0);
	KEXPECT_EQ(pages_used(SELF), u0 + 11);
	KEXPECT_EQ(pages_used(t), 1);
	/* what it holds is charged to it, not to us */
	lx4_cap_t ep = cap_new();
	KEXPECT_EQ(lx4_ep_create(ep), 0);
	KEXPECT_EQ(lx4_cap_copy(t, 1, ep, LX4_R_ALL, 0), 0);
	KEXPECT_EQ(pages_used(t), 2);
	KEXPECT_EQ(lx4_map(t, lx4_fpage((uint64_t)page, 12, LX4_FP_R), 0x1000, 0), 0);
	uint64_t ut = pages_used(t);
	KASSERT(ut > 2 && ut <= 10);
	KEXPECT_EQ(lx4_map_query(t, 0x1000).r1, 12ull << 16 | LX4_FP_R);
	KEXPECT_EQ(pages_used(SELF), u0 + 12);
	/* a thread in it is charged to its creator (us) */
	lx4_cap_t tt = cap_new();
	KEXPECT_EQ(lx4_thread_create(tt, t), 0);
	KEXPECT_EQ(pages_used(SELF), u0 + 13);
	KEXPECT_EQ(pages_used(t), ut);
	/* and everything comes back */
	KEXPECT_EQ(lx4_cap_delete(SELF, ep), 0);
	KEXPECT_EQ(lx4_cap_delete(SELF, tt), 0);
	KEXPECT_EQ(lx4_cap_delete(SELF, t), 0);
	KEXPECT_EQ(pages_used(SELF), u0);
	KEXPECT_EQ(lx4_kmem_free(), k0);
}

/* TASK_QUOTA: the creator grows and shrinks a task's quota and is charged
 * the difference; a task that ran out can go on once it has more */
KTEST(task_quota_grow_shrink)
{
	static uint8_t page[4096] __attribute__((aligned(4096)));
	page[0] = 1;
	lx4_cap_t t = cap_new(), ep = ep_new(), t0 = cap_new(), t1 = cap_new();
	uint64_t u0 = pages_used(SELF), k0 = lx4_kmem_free(), free = TEST_QUOTA - u0;
	KEXPECT_EQ(lx4_task_create(t, 2, 4), 0);
	KEXPECT_EQ(pages_used(SELF), u0 + 3);
	/* the first page table needs more than one page: it runs out */
	KEXPECT_EQ(lx4_map(t, lx4_fpage((uint64_t)page, 12, LX4_FP_R), 0x1000, 0), -LX4_ENOMEM);
	uint64_t ut = pages_used(t);
	/* errors change nothing */
	KEXPECT_EQ(lx4_task_quota(t, 0), -LX4_ERANGE);
	KEXPECT_EQ(lx4_task_quota(t, ut - 1), -LX4_ERANGE);
	KEXPECT_EQ(lx4_task_quota(t, ~0ull), -LX4_ENOMEM);
	KEXPECT_EQ(lx4_task_quota(t, 1ull << 63), -LX4_ENOMEM);
	KEXPECT_EQ(lx4_task_quota(t, free), -LX4_ENOMEM); /* 2 + (free - 3) + 1 */
	KEXPECT_EQ(lx4_task_quota(SELF, 1), -LX4_ERIGHTS);    /* not our creator's to change */
	KEXPECT_EQ(lx4_task_quota(SELF, TEST_QUOTA), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_cap_copy(SELF, t0, t, LX4_R_ALL & ~LX4_R_CONTROL, 0), 0);
	KEXPECT_EQ(lx4_task_quota(t0, 8), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_task_quota(ep, 8), -LX4_ETYPE);
	KEXPECT_EQ(lx4_task_quota(LX4_CAP_SELF_THREAD, 8), -LX4_ETYPE);
	KEXPECT_EQ(lx4_task_quota(cap_new(), 8), -LX4_ECAP);
	KEXPECT_EQ(lx4_task_quota(0xffffffff, 8), -LX4_ECAP);
	KEXPECT_EQ(task_quota(t), 2);
	KEXPECT_EQ(pages_used(SELF), u0 + 3);
	/* grown, it maps */
	KEXPECT_EQ(lx4_task_quota(t, 16), 0);
	KEXPECT_EQ(task_quota(t), 16);
	KEXPECT_EQ(pages_used(SELF), u0 + 17);
	KEXPECT_EQ(lx4_map(t, lx4_fpage((uint64_t)page, 12, LX4_FP_R), 0x1000, 0), 0);
	ut = pages_used(t);
	KASSERT(ut > 2 && ut <= 16);
	/* shrunk to what it uses, and no further */
	KEXPECT_EQ(lx4_task_quota(t, ut - 1), -LX4_ERANGE);
	KEXPECT_EQ(lx4_task_quota(t, ut), 0);
	KEXPECT_EQ(pages_used(SELF), u0 + 1 + ut);
	KEXPECT_EQ(lx4_map(t, lx4_fpage((uint64_t)page, 12, LX4_FP_R), 1ull << 40, 0), -LX4_ENOMEM);
	/* everything we have left, less the task's own page */
	KEXPECT_EQ(lx4_task_quota(t, free - 1), 0);
	KEXPECT_EQ(pages_used(SELF), TEST_QUOTA);
	KEXPECT_EQ(lx4_task_quota(t, free), -LX4_ENOMEM);
	KEXPECT_EQ(lx4_map(t, lx4_fpage((uint64_t)page, 12, LX4_FP_R), 1ull << 40, 0), 0);
	/* a dead task's quota is no longer anyone's to change */
	KEXPECT_EQ(lx4_cap_copy(SELF, t1, t, LX4_R_ALL, 0), 0);
	KEXPECT_EQ(lx4_cap_destroy(t), 0);
	KEXPECT_EQ(lx4_task_quota(t1, 8), -LX4_EDEAD);
	KEXPECT_EQ(lx4_cap_delete(SELF, t0), 0);
	KEXPECT_EQ(lx4_cap_delete(SELF, t1), 0);
	KEXPECT_EQ(pages_used(SELF), u0);
	KEXPECT_EQ(lx4_kmem_free(), k0);
}

/* Regression: a task freed by the deletion of its last cap stayed on the
 * reap list; the kernel then wrote into the freed page and corrupted the
 * page pool (the next allocations but one died with #GP). */
KTEST(task_freed_by_last_cap_delete)
{
	uint64_t u0 = pages_used(SELF);
	for (unsigned i = 0; i < 20; i++) {
		lx4_cap_t t = cap_new(), a = cap_new(), b = cap_new();
		KEXPECT_EQ(lx4_task_create(t, 2, 2), 0);
		KEXPECT_EQ(lx4_cap_delete(SELF, t), 0);
		KEXPECT_EQ(pages_used(SELF), u0);
		KEXPECT_EQ(lx4_thread_create(a, SELF), 0);
		KEXPECT_EQ(lx4_thread_create(b, SELF), 0);
		KEXPECT_EQ(lx4_cap_delete(SELF, a), 0);
		KEXPECT_EQ(lx4_cap_delete(SELF, b), 0);
	}
}

/* a child that makes one object (arg: 0 endpoint, 1 task) charged to its
 * own account and sends us the only cap to it (slot 2 is our endpoint) */
static void give_object(uint64_t kind)
{
	lx4_cap_t s = 3;
	if (kind == 0)
		KEXPECT_EQ(lx4_ep_create(s), 0);
	else
		KEXPECT_EQ(lx4_task_create(s, 5, 2), 0);
	struct lx4_msg m = {.tag = lx4_tag(1, 0, 1)};
	m.mr[0] = lx4_capitem(s, LX4_R_ALL);
	m.mr[1] = LX4_ITEM_GRANT;
	KEXPECT_EQ(lx4_send(2, &m, LX4_TIMEOUT_NEVER), 0);
	KEXPECT_EQ(lx4_cap_info(SELF, s).err, -LX4_ECAP);
}

/* A destroyed task's account lives until the last object charged to it
 * is gone; then the task's quota returns to its creator.  Tasks it
 * created die with it (even one another task holds a cap to): their
 * structs stay charged until the last cap goes. */
static void account_outlives(uint64_t kind)
{
	lx4_cap_t ep = ep_new(), x = cap_new(), t2 = cap_new();
	struct child c;
	task_spawn_sized(&c, give_object, kind, 32, 8);
	KEXPECT_EQ(lx4_cap_copy(c.task, 2, ep, LX4_R_SEND | LX4_R_GRANT, 0), 0);
	KEXPECT_EQ(lx4_cap_copy(SELF, t2, c.task, LX4_R_ALL, 0), 0);
	lx4_utcb()->br_cap = LX4_BR_CAP_VALID | x;
	child_start(&c);
	struct lx4_msg m;
	KEXPECT_EQ(lx4_recv(ep, &m, 2000000000), 0);
	KEXPECT_EQ(m.tag, lx4_tag(1, 0, 1));
	KEXPECT_EQ(lx4_cap_info(SELF, x).r1, kind == 0 ? LX4_OBJ_ENDPOINT : LX4_OBJ_TASK);
	wait_dead(c.thread);
	KEXPECT_EQ(lx4_cap_delete(SELF, c.thread), 0);
	/* the object is charged to the child: 1 slab page, or a task page
	 * and a quota of 5 (of which the grandchild uses 1 page) */
	uint64_t obj = kind == 0 ? 1 : 6, unused = kind == 0 ? 0 : 4;
	uint64_t u1 = pages_used(SELF), k1 = lx4_kmem_free(), cu = pages_used(c.task);
	/* destroyed, the child keeps its account: only its space and table go */
	KEXPECT_EQ(lx4_cap_destroy(c.task), 0);
	KEXPECT_EQ(lx4_task_info(t2).err, -LX4_EDEAD);
	KEXPECT_EQ(pages_used(SELF), u1);
	/* an endpoint still works; a task it created died with it (its one
	 * page of table is back) */
	if (kind == 0) {
		KEXPECT_EQ(lx4_kmem_free(), k1 + cu - obj);
		KEXPECT_EQ(lx4_recv(x, &m, LX4_TIMEOUT_ZERO), -LX4_ETIMEOUT);
	} else {
		KEXPECT_EQ(lx4_kmem_free(), k1 + cu - obj + 1);
		KEXPECT_EQ(lx4_task_info(x).err, -LX4_EDEAD);
	}
	/* no cap to the task either: the account still lives */
	KEXPECT_EQ(lx4_cap_delete(SELF, t2), 0);
	KEXPECT_EQ(pages_used(SELF), u1);
	/* the object's last cap gone, the account goes and the quota (32)
	 * and the task's page come home */
	KEXPECT_EQ(lx4_cap_delete(SELF, x), 0);
	KEXPECT_EQ(pages_used(SELF), u1 - 33);
	KEXPECT_EQ(lx4_kmem_free(), k1 + cu + 1 - unused);
}

KTEST(task_account_outlives_task_ep) { account_outlives(0); }
KTEST(task_account_outlives_task_task) { account_outlives(1); }

/* ---- a child that allocates until its quota runs out ---------------- */

enum hog_kind { HOG_EP, HOG_THREAD, HOG_TASK, HOG_LEAF, HOG_UTCB, HOG_MAP, HOG_KINDS, HOG_MIXED = HOG_KINDS };
#define HOG_AREA  0x0000100000000000ull /* where the child maps (2 MiB apart) */
#define HOG_QUOTA 64

static struct {
	volatile uint64_t count[HOG_KINDS], err[HOG_KINDS];
	volatile uint64_t used, quota, done;
	uint64_t stack; /* a page the child has */
} g_hog;

/* slot s of the child: generic objects skip the last slot of each leaf,
 * which the leaf hog uses (n-th: leaf n + 1) */
static lx4_cap_t hog_leaf_slot(uint64_t n) { return (lx4_cap_t)(128 * (n + 1) + 127); }

/* makes the n-th object of kind k in slot s; 0 or -LX4_E* */
static long hog_one(unsigned k, lx4_cap_t s, uint64_t n)
{
	long e;
	switch (k) {
	case HOG_EP:
		return lx4_ep_create(s);
	case HOG_THREAD:
		return lx4_thread_create(s, SELF);
	case HOG_TASK:
		return lx4_task_create(s, 1, 1);
	case HOG_LEAF:
		return lx4_cap_copy(SELF, hog_leaf_slot(n), TP_PARENT_CAP, LX4_R_SEND, 0);
	case HOG_UTCB:
		e = lx4_thread_create(s, SELF);
		if (!e && (e = lx4_thread_config(s, LX4_TCFG_UTCB, HOG_AREA + n * 0x200000)))
			KEXPECT_EQ(lx4_cap_delete(SELF, s), 0);
		return e;
	default:
		return lx4_map(SELF, lx4_fpage(g_hog.stack, 12, LX4_FP_R), HOG_AREA + (1ull << 40) + n * 0x200000, 0);
	}
}

/* undoes hog_one(k, s, n) */
static void hog_undo(unsigned k, lx4_cap_t s, uint64_t n)
{
	if (k == HOG_LEAF)
		KEXPECT_EQ(lx4_cap_delete(SELF, hog_leaf_slot(n)), 0);
	else if (k == HOG_MAP)
		KEXPECT_EQ(lx4_unmap(SELF, lx4_fpage(HOG_AREA + (1ull << 40) + n * 0x200000, 12, LX4_FP_R),
				     LX4_UNMAP_SELF),
			   0);
	else
		KEXPECT_EQ(lx4_cap_delete(SELF, s), 0);
}

/* runs in the child: allocates objects of one kind (or of all kinds in
 * turn) until each fails; every failure must be ENOMEM.  Then it gives
 * one object back and takes it again, and reports. */
static void hog(uint64_t kind)
{
	lx4_cap_t slot = 2, last_slot[HOG_KINDS] = {0};
	bool failed[HOG_KINDS] = {false};
	unsigned nfailed = 0;
	for (unsigned k = 0; k < HOG_KINDS; k++)
		if (kind != HOG_MIXED && k != kind) {
			failed[k] = true;
			nfailed++;
		}
	while (nfailed < HOG_KINDS) {
		for (unsigned k = 0; k < HOG_KINDS; k++) {
			if (failed[k])
				continue;
			if (slot % 128 == 127)
				slot++;
			long e = hog_one(k, slot, g_hog.count[k]);
			if (e) {
				g_hog.err[k] = (uint64_t)-e;
				failed[k] = true;
				nfailed++;
				continue;
			}
			g_hog.count[k]++;
			last_slot[k] = slot++;
		}
	}
	struct lx4_sysret r = lx4_task_info(SELF);
	g_hog.quota = r.r1;
	g_hog.used = r.r2;
	/* when every kind failed, every kind fails again, leaving no trace
	 * (no half-made object, no page kept) */
	if (kind == HOG_MIXED) {
		for (unsigned k = 0; k < HOG_KINDS; k++) {
			if (slot % 128 == 127)
				slot++;
			KEXPECT_EQ(hog_one(k, slot, g_hog.count[k]), -LX4_ENOMEM);
			KEXPECT_EQ(pages_used(SELF), g_hog.used);
		}
	}
	/* out of memory, the rest of the kernel still works for us */
	struct lx4_msg m;
	KEXPECT_EQ(lx4_recv(TP_PARENT_CAP, &m, LX4_TIMEOUT_ZERO), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_cap_info(SELF, TP_PARENT_CAP).r1, LX4_OBJ_ENDPOINT);
	/* give one back, take it again */
	for (unsigned k = 0; k < HOG_KINDS; k++) {
		uint64_t n = g_hog.count[k];
		if (!n)
			continue;
		hog_undo(k, last_slot[k], n - 1);
		KEXPECT_EQ(hog_one(k, last_slot[k], n - 1), 0);
	}
	KEXPECT_EQ(pages_used(SELF), g_hog.used);
	__atomic_store_n(&g_hog.done, 1, __ATOMIC_SEQ_CST);
}

/* starts a hog of kind in a child with HOG_QUOTA pages, waits for it,
 * checks that only ENOMEM stopped it and that destroying the child gives
 * every page back */
static void hog_run(unsigned kind)
{
	struct child c;
	task_spawn_sized(&c, hog, kind, HOG_QUOTA, 16384);
	g_hog.stack = c.stack;
	uint64_t u1 = pages_used(SELF), k1 = lx4_kmem_free(), cu1 = pages_used(c.task);
	child_start(&c);
	wait_count(&g_hog.done, 1);
	uint64_t total = 0;
	for (unsigned k = 0; k < HOG_KINDS; k++) {
		if (kind != HOG_MIXED && k != kind)
			continue;
		if (g_hog.err[k] != LX4_ENOMEM)
			ktest_fail(__FILE__, __LINE__, "kind %u stopped with %lu after %lu", k, g_hog.err[k],
				   g_hog.count[k]);
		KASSERT(g_hog.count[k] > 0);
		total += g_hog.count[k];
	}
	printf("hog %u: %lu objects in %lu pages (%lu %lu %lu %lu %lu %lu)\n", kind, total, g_hog.used - cu1,
	       g_hog.count[0], g_hog.count[1], g_hog.count[2], g_hog.count[3], g_hog.count[4], g_hog.count[5]);
	KEXPECT_EQ(g_hog.quota, HOG_QUOTA);
	/* what is left is less than the kind needs at once: one page for an
	 * endpoint's slab or a TCB (a leaf is there or not), two for a task,
	 * four for a thread with a UTCB (TCB, UTCB, page table and its
	 * companion), five for a mapping (two page tables and a node); a leaf
	 * is one page, and in the mixed run the leaves took the last page */
	static const uint64_t slack[HOG_KINDS + 1] = {0, 0, 1, 0, 3, 4, 0};
	KASSERT(g_hog.used <= HOG_QUOTA && g_hog.used + slack[kind] >= HOG_QUOTA);
	/* all of it was charged to the child, none to us: its thread has
	 * ended, which freed its UTCB (charged to us as its creator) */
	wait_dead(c.thread);
	KEXPECT_EQ(pages_used(SELF), u1 - 1);
	KEXPECT_EQ(lx4_kmem_free(), k1 - (g_hog.used - cu1) + 1);
	/* destroyed, the child gives everything back: its quota, its page and
	 * its thread's TCB */
	KEXPECT_EQ(lx4_cap_delete(SELF, c.thread), 0);
	KEXPECT_EQ(lx4_cap_destroy(c.task), 0);
	KEXPECT_EQ(pages_used(SELF), u1 - HOG_QUOTA - 1 - 2);
	KEXPECT_EQ(lx4_kmem_free(), k1 + cu1 + 1 + 2);
}

KTEST(kmem_exhaust_endpoints) { hog_run(HOG_EP); }
KTEST(kmem_exhaust_threads) { hog_run(HOG_THREAD); }
KTEST(kmem_exhaust_tasks) { hog_run(HOG_TASK); }
KTEST(kmem_exhaust_cap_leaves) { hog_run(HOG_LEAF); }
KTEST(kmem_exhaust_utcbs) { hog_run(HOG_UTCB); }
KTEST(kmem_exhaust_mappings) { hog_run(HOG_MAP); }
KTEST(kmem_exhaust_mixed) { hog_run(HOG_MIXED); }

/* ---- many objects, long chains ----------------------------------------- */

KTEST(kmem_endpoints_1000)
{
	enum { N = 1000, PER_PAGE = 31 };
	lx4_cap_t base = cap_new();
	for (unsigned i = 1; i < N; i++)
		cap_new();
	uint64_t u0 = pages_used(SELF), k0 = lx4_kmem_free(), after = 0;
	/* leaves of the slots we use that do not exist yet (leaf 0 does) */
	uint64_t leaves = (base + N - 1) / 128;
	for (unsigned round = 0; round < 3; round++) {
		for (unsigned i = 0; i < N; i++)
			KEXPECT_EQ(lx4_ep_create(base + i), 0);
		uint64_t peak = pages_used(SELF);
		for (unsigned i = 0; i < N; i++)
			KEXPECT_EQ(lx4_cap_delete(SELF, base + i), 0);
		uint64_t u = pages_used(SELF);
		if (round == 0)
			KEXPECT_EQ(u, u0 + leaves);
		else
			KEXPECT_EQ(u, after);
		after = u;
		KEXPECT_EQ(peak - u, (N + PER_PAGE - 1) / PER_PAGE);
	}
	KEXPECT_EQ(lx4_kmem_free(), k0 - leaves);
	/* and in reverse order of creation */
	for (unsigned i = 0; i < N; i++)
		KEXPECT_EQ(lx4_ep_create(base + i), 0);
	for (unsigned i = N; i-- > 0;)
		KEXPECT_EQ(lx4_cap_delete(SELF, base + i), 0);
	KEXPECT_EQ(pages_used(SELF), after);
}

/* tasks t1 -> t2 -> ... -> tn, each holding the only cap to the next
 * (slot 1), we only the cap to t1; then t1 goes (deleted or destroyed) and
 * takes the whole chain with it, iteratively */
static void chain(bool destroy)
{
	uint64_t quota = task_quota(SELF), u0 = pages_used(SELF), k0 = lx4_kmem_free();
	/* each costs 3 of our pages: its own and a quota of 2 (a page table
	 * root, a leaf) */
	uint64_t n = (quota - u0 - 8) / 3;
	if (n > 2000)
		n = 2000;
	KASSERT(n >= 1000);
	lx4_cap_t head = cap_new(), a = cap_new(), b = cap_new();
	KEXPECT_EQ(lx4_task_create(head, 2, 2), 0);
	lx4_cap_t prev = head, next = a;
	uint64_t t0 = now_ns();
	for (uint64_t i = 1; i < n; i++) {
		KEXPECT_EQ(lx4_task_create(next, 2, 2), 0);
		KEXPECT_EQ(lx4_cap_copy(prev, 1, next, LX4_R_ALL, 0), 0);
		if (prev != head)
			KEXPECT_EQ(lx4_cap_delete(SELF, prev), 0);
		prev = next;
		next = next == a ? b : a;
	}
	KEXPECT_EQ(lx4_cap_delete(SELF, prev), 0);
	KEXPECT_EQ(pages_used(SELF), u0 + 3 * n);
	KEXPECT_EQ(pages_used(head), 2);
	uint64_t t1 = now_ns();
	if (destroy)
		KEXPECT_EQ(lx4_cap_destroy(head), 0);
	else
		KEXPECT_EQ(lx4_cap_delete(SELF, head), 0);
	uint64_t t2 = now_ns();
	printf("chain of %lu tasks: built in %lu ms, gone in %lu ms\n", n, (t1 - t0) / 1000000, (t2 - t1) / 1000000);
	KEXPECT_EQ(pages_used(SELF), u0);
	KEXPECT_EQ(lx4_kmem_free(), k0);
	/* the kernel is fine afterwards */
	lx4_cap_t t = cap_new();
	KEXPECT_EQ(lx4_task_create(t, 2, 2), 0);
	KEXPECT_EQ(lx4_cap_delete(SELF, t), 0);
}

KTEST(kmem_task_chain_delete_head) { chain(false); }
KTEST(kmem_task_chain_destroy_head) { chain(true); }

/* ---- a task that destroys itself ------------------------------------------ */

static volatile uint64_t g_after;

static void yielder(uint64_t arg)
{
	(void)arg;
	for (;;)
		lx4_yield();
}

/* how 0: through LX4_CAP_SELF_TASK, 1: through a cap to itself in slot 2 */
static void destroy_self(uint64_t how)
{
	lx4_cap_destroy(how == 0 ? LX4_CAP_SELF_TASK : 2);
	g_after = 1; /* never */
}

KTEST(task_destroys_itself)
{
	for (uint64_t how = 0; how < 2; how++) {
		struct child c;
		task_spawn_sized(&c, destroy_self, how, 32, 8);
		lx4_cap_t t2 = cap_new(), other = child_thread(&c, yielder, 0, true);
		KEXPECT_EQ(lx4_cap_copy(SELF, t2, c.task, LX4_R_ALL, 0), 0);
		if (how == 1)
			KEXPECT_EQ(lx4_cap_copy(c.task, 2, c.task, LX4_R_ALL, 0), 0);
		KEXPECT_EQ(task_threads(c.task), 2);
		child_start(&c);
		wait_dead(c.thread);
		KASSERT(thread_dead(other));
		KEXPECT_EQ(lx4_cap_info(SELF, t2).r1, LX4_OBJ_TASK | 1u << 8);
		KEXPECT_EQ(lx4_task_info(c.task).err, -LX4_EDEAD);
		sleep_ns(10000000);
		KEXPECT_EQ(g_after, 0);
		/* everything comes back: its quota and page, the TCBs */
		uint64_t u = pages_used(SELF);
		KEXPECT_EQ(lx4_cap_delete(SELF, c.thread), 0);
		KEXPECT_EQ(lx4_cap_delete(SELF, other), 0);
		KEXPECT_EQ(lx4_cap_delete(SELF, c.task), 0);
		KEXPECT_EQ(pages_used(SELF), u - 2);
		KEXPECT_EQ(lx4_cap_delete(SELF, t2), 0);
		KEXPECT_EQ(pages_used(SELF), u - 2 - 33);
	}
}

/* ---- a task that names its own (ended) thread is no cycle ------------------ */

static volatile uint64_t cyc_done;

static void cyc_child(uint64_t arg)
{
	(void)arg;
	cyc_done++; /* then it returns: its thread destroys itself */
}

KTEST(task_own_thread_cap_no_cycle)
{
	uint64_t used[3];
	for (int round = 0; round < 3; round++) {
		struct child c;
		used[round] = pages_used(LX4_CAP_SELF_TASK);
		task_spawn_sized(&c, cyc_child, 0, 64, 16);
		/* the child's table names its own thread */
		KEXPECT_EQ(lx4_cap_copy(c.task, 3, c.thread, LX4_R_ALL, 0), 0);
		child_start(&c);
		wait_dead(c.thread);
		KEXPECT_EQ(cyc_done, (uint64_t)round + 1);
		/* deleting (not destroying) our caps must free the child */
		KEXPECT_EQ(lx4_cap_delete(LX4_CAP_SELF_TASK, c.thread), 0);
		KEXPECT_EQ(lx4_cap_delete(LX4_CAP_SELF_TASK, c.task), 0);
	}
	/* the first round may allocate cap leaves and slab pages for good */
	KEXPECT_EQ(used[2], used[1]);
}
