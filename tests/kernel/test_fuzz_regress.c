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
