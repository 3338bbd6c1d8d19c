/* Regression tests for the kernel bugs the fuzzer (test_fuzz.c) found. */
#include "ktest.h"

/* sets the direction flag and traps to its handler */
static void df_trap(uint64_t arg)
{
	(void)arg;
	__asm__ volatile("std; int3; cld" : : : "memory");
}

/* An exception entered the kernel with the user's direction flag, so the
 * kernel's memcpy (rep movsb) copied backwards: switching to a task with
 * I/O ports copied its bitmap down over the TSS, the GDT and the IDT. */
KTEST(fuzz_regress_df_on_trap)
{
	lx4_cap_t ep = ep_new();
	struct child c;
	task_spawn(&c, df_trap, 0, 0, ep, false);
	/* the child has I/O ports too: each switch copies a bitmap */
	KEXPECT_EQ(lx4_map(c.task, lx4_iopage(TP_RTC_PORT, 1), 0, 0), 0);
	KEXPECT_EQ(lx4_exregs(c.thread, LX4_EXREGS_START, 0).err, 0);
	struct lx4_msg m;
	KEXPECT_EQ(lx4_recv(ep, &m, 1000000000), 0);
	KEXPECT_EQ(lx4_tag_label(m.tag), LX4_LABEL_EXCEPTION);
	KEXPECT_EQ(lx4_utcb()->mr[LX4_EXC_MR_VECTOR], 3);
	KASSERT(lx4_utcb()->mr[LX4_REG_RFLAGS] & 0x400); /* DF, as the thread left it */
	child_destroy(&c);
}

/* The last reference to a task went away with no destroy: reaping it
 * freed the pages charged to it, the last uncharge queued it for reaping
 * again, and it was freed while still queued; taking it off the queue
 * again wrote into the freed page (the head of the kernel's free list). */
KTEST(fuzz_regress_task_last_ref)
{
	uint64_t used = lx4_task_info(LX4_CAP_SELF_TASK).r2;
	for (unsigned i = 0; i < 4; i++) {
		lx4_cap_t t = cap_new();
		KEXPECT_EQ(lx4_task_create(t, 8, 16), 0);
		KEXPECT_EQ(lx4_cap_delete(LX4_CAP_SELF_TASK, t), 0);
		/* allocations walk the free list */
		KEXPECT_EQ(lx4_task_create(t, 8, 16), 0);
		KEXPECT_EQ(lx4_cap_destroy(t), 0);
	}
	KEXPECT_EQ(lx4_task_info(LX4_CAP_SELF_TASK).r2, used);
}

/* in a child: a task that holds the only capability to itself, and a
 * thread of its own in its table (both cycles of references) */
static void make_cycles(uint64_t done)
{
	lx4_cap_t t = 2, th = 3;
	if (lx4_task_create(t, 8, 8) == 0 && lx4_cap_copy(t, 1, t, LX4_R_ALL, 0) == 0 &&
	    lx4_thread_create(th, t) == 0 && lx4_cap_move(t, 2, th) == 0 && lx4_cap_delete(LX4_CAP_SELF_TASK, t) == 0)
		*(volatile uint64_t *)done = 1;
	else
		*(volatile uint64_t *)done = 2;
	for (;;)
		lx4_exregs(LX4_CAP_SELF_THREAD, LX4_EXREGS_STOP, 0);
}

static volatile uint64_t cycles_done;
static bool cycles_made(void)
{
	return cycles_done != 0;
}

/* Destroying a task left the tasks it had created alive when they were
 * only referenced from their own capability tables: its account, and so
 * its creator's quota, never came back. */
KTEST(fuzz_regress_task_cycle)
{
	page_new(); /* the heap's page tables, before we count */
	uint64_t used = lx4_task_info(LX4_CAP_SELF_TASK).r2;
	struct child c;
	task_spawn(&c, make_cycles, (uint64_t)&cycles_done, 0, 0, true);
	KASSERT(wait_until(cycles_made, 1000000000));
	KEXPECT_EQ(cycles_done, 1);
	child_destroy(&c);
	KEXPECT_EQ(lx4_task_info(LX4_CAP_SELF_TASK).r2, used);
}

/* docs/kernel.md: a capability table holds up to 16,384 slots; the kernel
 * took at most 8,192 (64 leaves of 128) and said EINVAL */
KTEST(fuzz_regress_cap_slots_max)
{
	lx4_cap_t t = cap_new();
	KEXPECT_EQ(lx4_task_create(t, 8, 16385), -LX4_EINVAL);
	KEXPECT_EQ(lx4_task_create(t, 8, 16384), 0);
	lx4_cap_t ep = ep_new();
	KEXPECT_EQ(lx4_cap_copy(t, 16383, ep, LX4_R_SEND, 0), 0);
	KEXPECT_EQ(lx4_cap_copy(t, 8192, ep, LX4_R_SEND, 0), 0);
	KEXPECT_EQ(lx4_cap_copy(t, 16384, ep, LX4_R_SEND, 0), -LX4_ECAP);
	KEXPECT_EQ(lx4_cap_info(t, 16383).r1, LX4_OBJ_ENDPOINT);
	KEXPECT_EQ(lx4_cap_destroy(t), 0);
}

static void delete_self(uint64_t slot)
{
	lx4_cap_delete(LX4_CAP_SELF_TASK, (lx4_cap_t)slot);
	for (;;) /* not reached */
		lx4_yield();
}

/* A thread that deleted the last capability to itself was freed while the
 * kernel still ran on it: sched_finish then read its state from the freed
 * page (and, had the page changed, returned to it).  Seen with freed pages
 * poisoned; harmless by luck otherwise. */
KTEST(fuzz_regress_thread_frees_itself)
{
	struct child c;
	task_spawn(&c, delete_self, 0, 0, 0, false);
	lx4_cap_t x = cap_new();
	KEXPECT_EQ(lx4_thread_create(x, c.task), 0);
	uint64_t stack = (uint64_t)page_new(), utcb = utcb_new();
	KEXPECT_EQ(lx4_map(c.task, lx4_fpage(stack, 12, LX4_FP_R | LX4_FP_W), stack, 0), 0);
	KEXPECT_EQ(lx4_thread_config(x, LX4_TCFG_UTCB, utcb), 0);
	KEXPECT_EQ(lx4_thread_config(x, LX4_TCFG_FSBASE, utcb), 0);
	KEXPECT_EQ(lx4_cap_copy(c.task, 5, x, LX4_R_ALL, 0), 0);
	struct lx4_utcb *u = lx4_utcb();
	u->mr[LX4_REG_RIP] = (uint64_t)delete_self;
	u->mr[LX4_REG_RSP] = stack + 4096 - 8;
	u->mr[LX4_REG_RDI] = 5;
	uint64_t mask = 1ull << LX4_REG_RIP | 1ull << LX4_REG_RSP | 1ull << LX4_REG_RDI;
	KEXPECT_EQ(lx4_exregs(x, LX4_EXREGS_WRITE | LX4_EXREGS_START, mask).err, 0);
	uint64_t threads = lx4_task_info(c.task).r3;
	KEXPECT_EQ(lx4_cap_delete(LX4_CAP_SELF_TASK, x), 0); /* its cap in c.task is the last */
	sleep_ns(10000000);
	KEXPECT_EQ(lx4_task_info(c.task).r3, threads - 1); /* it ran, ended and went */
	child_destroy(&c);
}
