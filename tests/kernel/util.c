/* Helpers for kernel tests (see ktest.h). */
#include "ktest.h"

static lx4_cap_t next_cap = TP_FIRST_FREE_CAP;
static uint64_t next_page = TP_HEAP;
static uint64_t next_utcb = TP_UTCB_AREA;

lx4_cap_t cap_new(void) { return next_cap++; }

void *page_new(void)
{
	KASSERT(next_page < TP_HEAP + TP_HEAP_SIZE);
	void *p = (void *)next_page;
	next_page += 4096;
	memset(p, 0, 4096); /* the first touch: the root maps it */
	return p;
}

uint64_t utcb_new(void)
{
	uint64_t u = next_utcb;
	next_utcb += 4096;
	return u;
}

lx4_cap_t ep_new(void)
{
	lx4_cap_t c = cap_new();
	KEXPECT_EQ(lx4_ep_create(c), 0);
	return c;
}

static void thread_entry(void (*fn)(uint64_t), uint64_t arg)
{
	fn(arg);
	lx4_halt();
}

/* sets up and (optionally) starts thread t with a fresh stack page and
 * its UTCB at utcb */
static uint64_t thread_setup(lx4_cap_t t, void (*fn)(uint64_t), uint64_t arg, unsigned prio, bool start,
			     uint64_t stack, uint64_t utcb)
{
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_UTCB, utcb), 0);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_FSBASE, utcb), 0);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_PRIORITY, prio), 0);
	struct lx4_utcb *u = lx4_utcb();
	u->mr[LX4_REG_RIP] = (uint64_t)thread_entry;
	u->mr[LX4_REG_RSP] = stack + 4096 - 8;
	u->mr[LX4_REG_RDI] = (uint64_t)fn;
	u->mr[LX4_REG_RSI] = arg;
	uint64_t mask = 1ull << LX4_REG_RIP | 1ull << LX4_REG_RSP | 1ull << LX4_REG_RDI | 1ull << LX4_REG_RSI;
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_WRITE | (start ? LX4_EXREGS_START : 0), mask).err, 0);
	return utcb;
}

lx4_cap_t thread_spawn(void (*fn)(uint64_t), uint64_t arg, unsigned prio, bool start)
{
	lx4_cap_t t = cap_new();
	KEXPECT_EQ(lx4_thread_create(t, LX4_CAP_SELF_TASK), 0);
	thread_setup(t, fn, arg, prio, start, (uint64_t)page_new(), utcb_new());
	return t;
}

void task_spawn(struct child *c, void (*fn)(uint64_t), uint64_t arg, lx4_cap_t pager, lx4_cap_t handler,
		bool start)
{
	c->task = cap_new();
	c->thread = cap_new();
	KEXPECT_EQ(lx4_task_create(c->task, 256, 64), 0);
	/* the image: 4 MiB at 4 MiB covers it; each page keeps its rights */
	KEXPECT_EQ(lx4_map(c->task, lx4_fpage((uint64_t)__image_start, 22, LX4_FP_RWX), (uint64_t)__image_start, 0),
		   0);
	KEXPECT_EQ(lx4_map(c->task, lx4_fpage(TP_KIP, 12, LX4_FP_R), TP_KIP, 0), 0);
	c->stack = (uint64_t)page_new();
	KEXPECT_EQ(lx4_map(c->task, lx4_fpage(c->stack, 12, LX4_FP_R | LX4_FP_W), c->stack, 0), 0);
	KEXPECT_EQ(lx4_thread_create(c->thread, c->task), 0);
	if (pager)
		KEXPECT_EQ(lx4_thread_config(c->thread, LX4_TCFG_PAGER, pager), 0);
	if (handler)
		KEXPECT_EQ(lx4_thread_config(c->thread, LX4_TCFG_HANDLER, handler), 0);
	/* the child's first thread has its UTCB where ours is (as every
	 * task's first thread does): the same FS base */
	thread_setup(c->thread, fn, arg, 100, start, c->stack, TP_UTCB);
}

void child_destroy(struct child *c)
{
	KEXPECT_EQ(lx4_cap_destroy(c->thread), 0);
	KEXPECT_EQ(lx4_cap_destroy(c->task), 0);
}

void sleep_ns(uint64_t ns)
{
	static lx4_cap_t ep;
	if (!ep)
		ep = ep_new();
	struct lx4_msg m = {0};
	KEXPECT_EQ(lx4_recv(ep, &m, ns), -LX4_ETIMEOUT);
}

uint64_t thread_state(lx4_cap_t t)
{
	struct lx4_sysret r = lx4_exregs(t, 0, 0);
	KEXPECT_EQ(r.err, 0);
	return r.r1;
}

bool wait_until(bool (*cond)(void), uint64_t max_ns)
{
	uint64_t end = now_ns() + max_ns;
	while (!cond() && now_ns() < end)
		lx4_yield();
	return cond();
}
