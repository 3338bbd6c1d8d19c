/* Child tasks and threads for kernel tests (see spawn.h). */
#include "spawn.h"

static void entry(void (*fn)(uint64_t), uint64_t arg)
{
	fn(arg);
	lx4_halt();
}

/* gives thread t a UTCB, priority 100 and the registers to run fn(arg)
 * on stack; starts it when start */
static void setup(lx4_cap_t t, void (*fn)(uint64_t), uint64_t arg, uint64_t stack, bool start)
{
	uint64_t utcb = utcb_new();
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_UTCB, utcb), 0);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_FSBASE, utcb), 0);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_PRIORITY, 100), 0);
	struct lx4_utcb *u = lx4_utcb();
	u->mr[LX4_REG_RIP] = (uint64_t)entry;
	u->mr[LX4_REG_RSP] = stack + 4096 - 8;
	u->mr[LX4_REG_RDI] = (uint64_t)fn;
	u->mr[LX4_REG_RSI] = arg;
	uint64_t mask = 1ull << LX4_REG_RIP | 1ull << LX4_REG_RSP | 1ull << LX4_REG_RDI | 1ull << LX4_REG_RSI;
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_WRITE | (start ? LX4_EXREGS_START : 0), mask).err, 0);
}

void task_spawn_sized(struct child *c, void (*fn)(uint64_t), uint64_t arg, uint64_t quota, uint64_t slots)
{
	c->task = cap_new();
	c->thread = cap_new();
	c->stack = (uint64_t)page_new();
	KEXPECT_EQ(lx4_task_create(c->task, quota, slots), 0);
	KEXPECT_EQ(lx4_map(c->task, lx4_fpage((uint64_t)__image_start, 22, LX4_FP_RWX), (uint64_t)__image_start, 0),
		   0);
	KEXPECT_EQ(lx4_map(c->task, lx4_fpage(TP_KIP, 12, LX4_FP_R), TP_KIP, 0), 0);
	KEXPECT_EQ(lx4_map(c->task, lx4_fpage(c->stack, 12, LX4_FP_R | LX4_FP_W), c->stack, 0), 0);
	KEXPECT_EQ(lx4_cap_copy(c->task, TP_PARENT_CAP, TP_PARENT_CAP, LX4_R_ALL, 0), 0);
	KEXPECT_EQ(lx4_thread_create(c->thread, c->task), 0);
	setup(c->thread, fn, arg, c->stack, false);
}

void child_start(struct child *c)
{
	if (lx4_cap_info(c->task, TP_PARENT_CAP).err == -LX4_ECAP)
		KEXPECT_EQ(lx4_cap_copy(c->task, TP_PARENT_CAP, TP_PARENT_CAP, LX4_R_ALL, 0), 0);
	KEXPECT_EQ(lx4_exregs(c->thread, LX4_EXREGS_START, 0).err, 0);
}

lx4_cap_t child_thread(struct child *c, void (*fn)(uint64_t), uint64_t arg, bool start)
{
	lx4_cap_t t = cap_new();
	uint64_t stack = (uint64_t)page_new();
	KEXPECT_EQ(lx4_map(c->task, lx4_fpage(stack, 12, LX4_FP_R | LX4_FP_W), stack, 0), 0);
	KEXPECT_EQ(lx4_thread_create(t, c->task), 0);
	setup(t, fn, arg, stack, start);
	return t;
}

uint64_t task_quota(lx4_cap_t task)
{
	struct lx4_sysret r = lx4_task_info(task);
	KEXPECT_EQ(r.err, 0);
	return r.r1;
}

uint64_t pages_used(lx4_cap_t task)
{
	struct lx4_sysret r = lx4_task_info(task);
	KEXPECT_EQ(r.err, 0);
	return r.r2;
}

uint64_t task_threads(lx4_cap_t task)
{
	struct lx4_sysret r = lx4_task_info(task);
	KEXPECT_EQ(r.err, 0);
	return r.r3;
}

static lx4_cap_t ws_thread;
static uint64_t ws_state;
static bool ws_cond(void) { return thread_state(ws_thread) == ws_state; }

void wait_for_state(lx4_cap_t t, uint64_t state)
{
	ws_thread = t;
	ws_state = state;
	if (!wait_until(ws_cond, 2000000000))
		ktest_fail(__FILE__, __LINE__, "thread %u in state %lu, want %lu", t, thread_state(t), state);
}

static volatile uint64_t *wc_ptr;
static uint64_t wc_val;
static bool wc_cond(void) { return *wc_ptr >= wc_val; }

void wait_count(volatile uint64_t *p, uint64_t v)
{
	wc_ptr = p;
	wc_val = v;
	if (!wait_until(wc_cond, 2000000000))
		ktest_fail(__FILE__, __LINE__, "count %lu, want %lu", *p, v);
}

bool thread_dead(lx4_cap_t t)
{
	struct lx4_sysret i = lx4_cap_info(LX4_CAP_SELF_TASK, t);
	return lx4_exregs(t, 0, 0).err == -LX4_EDEAD && i.err == 0 && i.r1 == (LX4_OBJ_THREAD | 1u << 8);
}

static lx4_cap_t wd_thread;
static bool wd_cond(void) { return thread_dead(wd_thread); }

void wait_dead(lx4_cap_t t)
{
	wd_thread = t;
	if (!wait_until(wd_cond, 2000000000))
		ktest_fail(__FILE__, __LINE__, "thread %u is not dead", t);
}
