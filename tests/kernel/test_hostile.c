/*
 * Hostile system call arguments: kernel and non-canonical addresses, ~0,
 * huge and aliasing slot numbers, unknown numbers and values, bad message
 * tags, threads without a UTCB.  Every one must get an error code (and
 * change nothing), never crash or hang the kernel.
 */
#include "spawn.h"

#define SELF     LX4_CAP_SELF_TASK
#define IRQ_LINE 6 /* no device on it under QEMU's pc machine */

/* values no argument should get through with */
static const uint64_t bad_addr[] = {
	0xffff800000000000ull, /* the kernel's map of physical memory */
	0xffffffff80000000ull, /* the kernel image */
	0xfffffffffffff000ull,
	0x0000800000000000ull, /* the first non-canonical address */
	0x8000000000000000ull,
	0x00007ffffffff000ull, /* the top user page, never mapped */
	~0ull,
};

/* a slot argument: all of these name no slot; the low 32 bits of the
 * last ones are a pseudo cap or a real slot (victim), which must not
 * matter */
static uint64_t bad_slot[16];
static unsigned nbad_slot;

static void bad_slots_init(lx4_cap_t victim)
{
	static const uint64_t v[] = {0xffff800000000000ull,
				     0xffffffff80000000ull,
				     0x8000000000000000ull,
				     ~0ull,
				     0xffffffffull,
				     0x7fffffffull,
				     0x80000000ull,
				     1024,
				     0xfffffff2ull,
				     0xfffffffffffffff0ull, /* LX4_CAP_SELF_TASK in the low half */
				     0xfffffffffffffff1ull};
	nbad_slot = 0;
	for (unsigned i = 0; i < sizeof v / sizeof v[0]; i++)
		bad_slot[nbad_slot++] = v[i];
	bad_slot[nbad_slot++] = (1ull << 32) | victim;
	bad_slot[nbad_slot++] = 0xffffffff00000000ull | victim;
}

static struct lx4_sysret sys(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return lx4_syscall((long)nr, a1, a2, a3, a4, a5, 0);
}

/* lx4_ipc with a full 64-bit capability argument */
static long ipc64(long op, uint64_t cap, uint64_t tag, uint64_t stimeout, uint64_t rtimeout)
{
	long err;
	uint64_t rdi = cap, rsi = tag;
	register uint64_t rdx __asm__("rdx") = stimeout;
	register uint64_t r10 __asm__("r10") = rtimeout;
	register uint64_t r8 __asm__("r8") = 0;
	register uint64_t r9 __asm__("r9") = 0;
	register uint64_t r12 __asm__("r12") = 0;
	register uint64_t r13 __asm__("r13") = 0;
	register uint64_t r14 __asm__("r14") = 0;
	register uint64_t r15 __asm__("r15") = 0;
	register uint64_t rbx __asm__("rbx") = 0;
	__asm__ volatile("syscall"
			 : "=a"(err), "+D"(rdi), "+S"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9), "+r"(r12),
			   "+r"(r13), "+r"(r14), "+r"(r15), "+r"(rbx)
			 : "a"(op)
			 : "rcx", "r11", "memory");
	return err;
}

static void idle(uint64_t arg)
{
	(void)arg;
	for (;;)
		sleep_ns(1000000000);
}

#define EXPECT_CAP_IS(slot, type, rights)                        \
	do {                                                     \
		struct lx4_sysret _r = lx4_cap_info(SELF, slot); \
		KEXPECT_EQ(_r.err, 0);                           \
		KEXPECT_EQ(_r.r1, type);                         \
		KEXPECT_EQ(_r.r2, rights);                       \
	} while (0)

KTEST(hostile_unknown_syscalls)
{
	static const uint64_t nrs[] = {0,
				       LX4_SYS_COUNT,
				       LX4_SYS_COUNT + 1,
				       100,
				       1000,
				       0x7fffffff,
				       0x80000000,
				       1ull << 32,
				       (1ull << 32) | LX4_SYS_YIELD,
				       (1ull << 32) | LX4_SYS_CAP_DELETE,
				       (uint64_t)-LX4_SYS_CAP_DELETE,
				       0x8000000000000000ull,
				       ~0ull};
	lx4_cap_t ep = ep_new();
	for (unsigned i = 0; i < sizeof nrs / sizeof nrs[0]; i++) {
		/* arguments that would delete ep if the number were taken as CAP_DELETE */
		KEXPECT_EQ(sys(nrs[i], SELF, ep, 0, 0, 0).err, -LX4_ENOSYS);
		KEXPECT_EQ(sys(nrs[i], ~0ull, ~0ull, ~0ull, ~0ull, ~0ull).err, -LX4_ENOSYS);
	}
	EXPECT_CAP_IS(ep, LX4_OBJ_ENDPOINT, LX4_R_ALL);
	/* the known ones still work */
	KEXPECT_EQ(lx4_yield(), 0);
	KEXPECT_EQ(sys(LX4_SYS_CAP_INFO, SELF, ep, 0, 0, 0).r1, LX4_OBJ_ENDPOINT);
}

/* One system call with a slot argument.  args are valid; pos is the
 * argument that gets the bad values. */
struct slot_case {
	uint64_t nr;
	uint64_t a[5];
	unsigned pos;
};

KTEST(hostile_slot_arguments)
{
	lx4_cap_t ep = ep_new(), ep2 = ep_new(), victim = ep_new(), fs = cap_new();
	lx4_cap_t th = thread_spawn(idle, 0, 100, false), task = cap_new(), irq = cap_new();
	KEXPECT_EQ(lx4_task_create(task, 16, 16), 0);
	KEXPECT_EQ(lx4_irq_create(TP_IRQCTL_CAP, IRQ_LINE, irq), 0);
	uint64_t page = (uint64_t)page_new(), fp = lx4_fpage(page, 12, LX4_FP_R);
	bad_slots_init(victim);
	const struct slot_case cases[] = {
		{LX4_SYS_CAP_COPY, {SELF, fs, ep, LX4_R_ALL, 0}, 0},
		{LX4_SYS_CAP_COPY, {SELF, fs, ep, LX4_R_ALL, 0}, 1},
		{LX4_SYS_CAP_COPY, {SELF, fs, ep, LX4_R_ALL, 0}, 2},
		{LX4_SYS_CAP_MOVE, {SELF, fs, ep2}, 0},
		{LX4_SYS_CAP_MOVE, {SELF, fs, ep2}, 1},
		{LX4_SYS_CAP_MOVE, {SELF, fs, ep2}, 2},
		{LX4_SYS_CAP_DELETE, {SELF, ep2}, 0},
		{LX4_SYS_CAP_DELETE, {SELF, ep2}, 1},
		{LX4_SYS_CAP_INFO, {SELF, ep}, 0},
		{LX4_SYS_CAP_INFO, {SELF, ep}, 1},
		{LX4_SYS_TASK_CREATE, {fs, 2, 2}, 0},
		{LX4_SYS_TASK_INFO, {SELF}, 0},
		{LX4_SYS_THREAD_CREATE, {fs, SELF}, 0},
		{LX4_SYS_THREAD_CREATE, {fs, SELF}, 1},
		{LX4_SYS_THREAD_CONFIG, {th, LX4_TCFG_PRIORITY, 50}, 0},
		{LX4_SYS_THREAD_CONFIG, {th, LX4_TCFG_PAGER, ep}, 2},
		{LX4_SYS_THREAD_CONFIG, {th, LX4_TCFG_HANDLER, ep}, 2},
		{LX4_SYS_THREAD_EXREGS, {th, 0, 0}, 0},
		{LX4_SYS_THREAD_INFO, {th}, 0},
		{LX4_SYS_EP_CREATE, {fs}, 0},
		{LX4_SYS_IRQ_CREATE, {TP_IRQCTL_CAP, IRQ_LINE + 1, fs}, 0},
		{LX4_SYS_IRQ_CREATE, {TP_IRQCTL_CAP, IRQ_LINE + 1, fs}, 2},
		{LX4_SYS_IRQ_BIND, {irq, ep}, 0},
		{LX4_SYS_IRQ_BIND, {irq, ep}, 1},
		{LX4_SYS_IRQ_ACK, {irq}, 0},
		{LX4_SYS_MAP, {task, fp, 0x1000, 0}, 0},
		{LX4_SYS_UNMAP, {task, fp, 0}, 0},
		{LX4_SYS_MAP_QUERY, {task, 0x1000}, 0},
	};
	for (unsigned c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		for (unsigned b = 0; b < nbad_slot; b++) {
			uint64_t a[5];
			memcpy(a, cases[c].a, sizeof a);
			a[cases[c].pos] = bad_slot[b];
			struct lx4_sysret r = sys(cases[c].nr, a[0], a[1], a[2], a[3], a[4]);
			if (r.err != -LX4_ECAP)
				ktest_fail(__FILE__, __LINE__, "syscall %lu arg %u = %lx: %ld, want %d", cases[c].nr,
					   cases[c].pos, bad_slot[b], r.err, -LX4_ECAP);
		}
	}
	/* cap_destroy: not what looks like a pseudo cap (that would end us) */
	for (unsigned b = 0; b < nbad_slot; b++)
		if ((uint32_t)bad_slot[b] != LX4_CAP_SELF_TASK && (uint32_t)bad_slot[b] != LX4_CAP_SELF_THREAD)
			KEXPECT_EQ(sys(LX4_SYS_CAP_DESTROY, bad_slot[b], 0, 0, 0, 0).err, -LX4_ECAP);
	/* IPC */
	for (unsigned b = 0; b < nbad_slot; b++) {
		uint64_t tag = lx4_tag(1, 1, 0);
		KEXPECT_EQ(ipc64(LX4_SYS_SEND, bad_slot[b], tag, LX4_TIMEOUT_ZERO, 0), -LX4_ECAP);
		KEXPECT_EQ(ipc64(LX4_SYS_CALL, bad_slot[b], tag, LX4_TIMEOUT_ZERO, LX4_TIMEOUT_ZERO), -LX4_ECAP);
		KEXPECT_EQ(ipc64(LX4_SYS_RECV, bad_slot[b], 0, 0, LX4_TIMEOUT_ZERO), -LX4_ECAP);
		KEXPECT_EQ(ipc64(LX4_SYS_REPLY_RECV, bad_slot[b], tag, 0, LX4_TIMEOUT_ZERO), -LX4_ECAP);
		KEXPECT_EQ(ipc64(LX4_SYS_REPLY_TO, bad_slot[b], tag, 0, 0), -LX4_ECAP);
	}
	/* nothing happened to anything */
	EXPECT_CAP_IS(ep, LX4_OBJ_ENDPOINT, LX4_R_ALL);
	EXPECT_CAP_IS(ep2, LX4_OBJ_ENDPOINT, LX4_R_ALL);
	EXPECT_CAP_IS(victim, LX4_OBJ_ENDPOINT, LX4_R_ALL);
	EXPECT_CAP_IS(th, LX4_OBJ_THREAD, LX4_R_ALL);
	EXPECT_CAP_IS(irq, LX4_OBJ_IRQ, LX4_R_ALL);
	KEXPECT_EQ(lx4_cap_info(SELF, fs).err, -LX4_ECAP);
	KEXPECT_EQ(thread_state(th), LX4_TSTATE_INACTIVE);
	KEXPECT_EQ(task_threads(SELF), 2);
	KEXPECT_EQ(lx4_map_query(task, 0x1000).r1, 0);
	/* and the valid calls work */
	for (unsigned c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		if (cases[c].nr != LX4_SYS_CAP_INFO && cases[c].nr != LX4_SYS_TASK_INFO &&
		    cases[c].nr != LX4_SYS_THREAD_EXREGS && cases[c].nr != LX4_SYS_MAP_QUERY &&
		    cases[c].nr != LX4_SYS_THREAD_INFO)
			continue;
		const uint64_t *a = cases[c].a;
		KEXPECT_EQ(sys(cases[c].nr, a[0], a[1], a[2], a[3], a[4]).err, 0);
	}
}

KTEST(hostile_addresses)
{
	struct child c;
	task_spawn(&c, idle, 0, 0, 0, false);
	uint64_t page = (uint64_t)page_new(), dst = 0x20000000;
	lx4_cap_t th = cap_new();
	KEXPECT_EQ(lx4_thread_create(th, SELF), 0);
	for (unsigned i = 0; i < sizeof bad_addr / sizeof bad_addr[0]; i++) {
		uint64_t a = bad_addr[i];
		/* map and unmap: source, destination */
		for (unsigned order = 12; order <= 21; order += 9) {
			KEXPECT_EQ(lx4_map(c.task, lx4_fpage(a, order, LX4_FP_RWX), dst, 0), -LX4_EINVAL);
			KEXPECT_EQ(lx4_map(c.task, lx4_fpage(page, 12, LX4_FP_RWX), a & ~0xfffull, 0), -LX4_EINVAL);
			KEXPECT_EQ(lx4_map(c.task, lx4_fpage(page, 12, LX4_FP_RWX), a, 0), -LX4_EINVAL);
			KEXPECT_EQ(lx4_unmap(c.task, lx4_fpage(a, order, LX4_FP_RWX), 0), -LX4_EINVAL);
			KEXPECT_EQ(lx4_unmap(SELF, lx4_fpage(a, order, LX4_FP_RWX), LX4_UNMAP_SELF), -LX4_EINVAL);
		}
		KEXPECT_EQ(lx4_map(c.task, a, dst, 0), -LX4_EINVAL);
		KEXPECT_EQ(lx4_unmap(c.task, a, 0), -LX4_EINVAL);
		/* a query of a non-user address: nothing is mapped there */
		struct lx4_sysret q = lx4_map_query(SELF, a);
		KEXPECT_EQ(q.err, 0);
		KEXPECT_EQ(q.r1, 0);
		KEXPECT_EQ(q.r2, 0);
		/* UTCB, FS and GS base */
		KEXPECT_EQ(lx4_thread_config(th, LX4_TCFG_UTCB, a), -LX4_EINVAL);
		KEXPECT_EQ(lx4_thread_config(th, LX4_TCFG_UTCB, a & ~0xfffull), -LX4_EINVAL);
		if (a >= LX4_USER_TOP) {
			KEXPECT_EQ(lx4_thread_config(th, LX4_TCFG_FSBASE, a), -LX4_EINVAL);
			KEXPECT_EQ(lx4_thread_config(th, LX4_TCFG_GSBASE, a), -LX4_EINVAL);
		}
		/* exregs: rip, rsp, fs and gs base */
		struct lx4_utcb *u = lx4_utcb();
		static const unsigned regs[] = {LX4_REG_RIP, LX4_REG_RSP, LX4_REG_FSBASE, LX4_REG_GSBASE};
		for (unsigned r = 0; r < 4; r++) {
			if (regs[r] != LX4_REG_RIP && a < LX4_USER_TOP)
				continue; /* the top page is a fine stack or base */
			u->mr[regs[r]] = a;
			KEXPECT_EQ(lx4_exregs(th, LX4_EXREGS_WRITE, 1ull << regs[r]).err, -LX4_EINVAL);
			KEXPECT_EQ(lx4_exregs(th, LX4_EXREGS_WRITE | LX4_EXREGS_START, 1ull << regs[r]).err,
				   -LX4_EINVAL);
		}
	}
	/* none of it took effect */
	KEXPECT_EQ(lx4_map_query(c.task, dst).r1, 0);
	KEXPECT_EQ(thread_state(th), LX4_TSTATE_INACTIVE);
	KEXPECT_EQ(lx4_exregs(th, LX4_EXREGS_READ, 0).err, 0);
	struct lx4_utcb *u = lx4_utcb();
	KEXPECT_EQ(u->mr[LX4_REG_RIP], 0);
	KEXPECT_EQ(u->mr[LX4_REG_RSP], 0);
	KEXPECT_EQ(u->mr[LX4_REG_FSBASE], 0);
	/* misaligned UTCBs and fpages */
	KEXPECT_EQ(lx4_thread_config(th, LX4_TCFG_UTCB, utcb_new() + 8), -LX4_EINVAL);
	KEXPECT_EQ(lx4_map(c.task, lx4_fpage(page, 12, LX4_FP_R), dst + 0x800, 0), -LX4_EINVAL);
	KEXPECT_EQ(lx4_map(c.task, lx4_fpage(page | 0x1000, 21, LX4_FP_R), dst, 0), -LX4_EINVAL);
	KEXPECT_EQ(lx4_map(c.task, lx4_fpage(page, 12, LX4_FP_R), dst + 0x100000, 0), 0);
	KEXPECT_EQ(lx4_map(c.task, lx4_fpage(0x200000, 21, LX4_FP_R), dst + 0x1000, 0), -LX4_EINVAL);
	/* orders outside 12..47, and the whole of user space */
	static const unsigned orders[] = {0, 1, 11, 48, 62, 63};
	for (unsigned i = 0; i < sizeof orders / sizeof orders[0]; i++) {
		KEXPECT_EQ(lx4_map(c.task, lx4_fpage(0, orders[i], LX4_FP_R), 0, 0), -LX4_EINVAL);
		KEXPECT_EQ(lx4_unmap(c.task, lx4_fpage(0, orders[i], LX4_FP_R), 0), -LX4_EINVAL);
	}
	KEXPECT_EQ(lx4_map(c.task, lx4_fpage(0, 47, LX4_FP_R), 0, 0), -LX4_EINVAL);
	KEXPECT_EQ(lx4_unmap(c.task, lx4_fpage(0, 47, LX4_FP_R), 0), -LX4_EINVAL);
	KEXPECT_EQ(lx4_unmap(c.task, lx4_fpage(0x400000000000ull, 46, LX4_FP_R), 0), -LX4_EINVAL);
	/* unmapped user memory is simply skipped: nothing to map or unmap */
	uint64_t hole = 0x300000000ull;
	KEXPECT_EQ(lx4_map_query(SELF, hole).r1, 0);
	KEXPECT_EQ(lx4_map(c.task, lx4_fpage(hole, 21, LX4_FP_RWX), dst + 0x200000, 0), 0);
	KEXPECT_EQ(lx4_map_query(c.task, dst + 0x200000).r1, 0);
	KEXPECT_EQ(lx4_unmap(c.task, lx4_fpage(hole, 30, LX4_FP_RWX), LX4_UNMAP_SELF), 0);
	/* the UTCB, once valid, still works */
	KEXPECT_EQ(lx4_thread_config(th, LX4_TCFG_UTCB, utcb_new()), 0);
	child_destroy(&c);
}

KTEST(hostile_values)
{
	lx4_cap_t th = thread_spawn(idle, 0, 100, false), task = cap_new();
	KEXPECT_EQ(lx4_task_create(task, 8, 8), 0);
	/* thread_config: unknown items, values out of range */
	static const uint64_t what[] = {0, 9, 100, 1ull << 32 | LX4_TCFG_PRIORITY, ~0ull};
	for (unsigned i = 0; i < sizeof what / sizeof what[0]; i++)
		KEXPECT_EQ(lx4_syscall(LX4_SYS_THREAD_CONFIG, th, what[i], 1, 0, 0, 0).err, -LX4_EINVAL);
	static const uint64_t prio[] = {101, 255, 256, 1ull << 32, ~0ull};
	for (unsigned i = 0; i < sizeof prio / sizeof prio[0]; i++)
		KEXPECT_EQ(lx4_thread_config(th, LX4_TCFG_PRIORITY, prio[i]), -LX4_ERANGE);
	KEXPECT_EQ(lx4_thread_config(LX4_CAP_SELF_THREAD, LX4_TCFG_PRIORITY, 101), -LX4_ERANGE);
	static const uint64_t slice[] = {0, 1001, 1ull << 32 | 10, ~0ull};
	for (unsigned i = 0; i < sizeof slice / sizeof slice[0]; i++)
		KEXPECT_EQ(lx4_thread_config(th, LX4_TCFG_TIMESLICE, slice[i]), -LX4_ERANGE);
	static const uint64_t flag[] = {2, 1ull << 32 | 1, ~0ull};
	for (unsigned i = 0; i < sizeof flag / sizeof flag[0]; i++)
		KEXPECT_EQ(lx4_thread_config(th, LX4_TCFG_FOREIGN, flag[i]), -LX4_EINVAL);
	KEXPECT_EQ(lx4_thread_config(th, LX4_TCFG_PRIORITY, 100), 0);
	KEXPECT_EQ(lx4_thread_config(th, LX4_TCFG_TIMESLICE, 1000), 0);
	/* exregs: unknown flags, registers past the last */
	static const uint64_t xflags[] = {0x100, 0x80000000, 1ull << 63, ~0ull};
	for (unsigned i = 0; i < sizeof xflags / sizeof xflags[0]; i++)
		KEXPECT_EQ(lx4_exregs(th, xflags[i], 0).err, -LX4_EINVAL);
	static const uint64_t xmask[] = {1ull << LX4_REG_COUNT, 1ull << 63, ~0ull};
	for (unsigned i = 0; i < sizeof xmask / sizeof xmask[0]; i++)
		KEXPECT_EQ(lx4_exregs(th, LX4_EXREGS_WRITE, xmask[i]).err, -LX4_EINVAL);
	KEXPECT_EQ(thread_state(th), LX4_TSTATE_INACTIVE);
	/* rflags: only the user's bits get through (no IOPL, NT, VM, ...) */
	struct lx4_utcb *u = lx4_utcb();
	u->mr[LX4_REG_RFLAGS] = ~0ull;
	KEXPECT_EQ(lx4_exregs(th, LX4_EXREGS_WRITE, 1ull << LX4_REG_RFLAGS).err, 0);
	KEXPECT_EQ(lx4_exregs(th, LX4_EXREGS_READ, 0).err, 0);
	KEXPECT_EQ(u->mr[LX4_REG_RFLAGS], 0x244dd5 | 0x202);
	u->mr[LX4_REG_RFLAGS] = 0;
	KEXPECT_EQ(lx4_exregs(th, LX4_EXREGS_WRITE, 1ull << LX4_REG_RFLAGS).err, 0);
	KEXPECT_EQ(lx4_exregs(th, LX4_EXREGS_READ, 0).err, 0);
	KEXPECT_EQ(u->mr[LX4_REG_RFLAGS], 0x202);
	/* debug: unknown operations, lengths past the UTCB */
	static const uint64_t ops[] = {0, 3, 1ull << 32 | LX4_DBG_KMEM_FREE, ~0ull};
	for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++)
		KEXPECT_EQ(lx4_syscall(LX4_SYS_DEBUG, ops[i], 0, 0, 0, 0, 0).err, -LX4_EINVAL);
	static const uint64_t lens[] = {8 * LX4_MR_COUNT + 1, 1ull << 32, 1ull << 63, ~0ull};
	for (unsigned i = 0; i < sizeof lens / sizeof lens[0]; i++)
		KEXPECT_EQ(lx4_syscall(LX4_SYS_DEBUG, LX4_DBG_WRITE, lens[i], 0, 0, 0, 0).err, -LX4_EINVAL);
	static const char text[] = "hostile_values: debug write\n";
	memcpy(u->mr, text, sizeof text - 1);
	KEXPECT_EQ(lx4_syscall(LX4_SYS_DEBUG, LX4_DBG_WRITE, sizeof text - 1, 0, 0, 0, 0).err, 0);
	/* IRQ lines */
	static const uint64_t lines[] = {2, 16, 255, 1ull << 32 | IRQ_LINE, ~0ull};
	for (unsigned i = 0; i < sizeof lines / sizeof lines[0]; i++)
		KEXPECT_EQ(lx4_syscall(LX4_SYS_IRQ_CREATE, TP_IRQCTL_CAP, lines[i], cap_new(), 0, 0, 0).err,
			   -LX4_ERANGE);
	/* map and unmap: flags, fpage types */
	uint64_t page = (uint64_t)page_new(), fp = lx4_fpage(page, 12, LX4_FP_R);
	static const uint64_t mflags[] = {2, 0x100, 1ull << 63, ~0ull};
	for (unsigned i = 0; i < sizeof mflags / sizeof mflags[0]; i++) {
		KEXPECT_EQ(lx4_map(task, fp, 0x1000, mflags[i]), -LX4_EINVAL);
		KEXPECT_EQ(lx4_unmap(task, fp, mflags[i]), -LX4_EINVAL);
	}
	for (uint64_t type = 0; type < 8; type++) {
		if (type == LX4_ITEM_MEM || type == LX4_ITEM_IO)
			continue;
		uint64_t w = (fp & ~(7ull << 9)) | type << 9;
		KEXPECT_EQ(lx4_map(task, w, 0x1000, 0), -LX4_EINVAL);
		KEXPECT_EQ(lx4_unmap(task, w, 0), -LX4_EINVAL);
	}
	KEXPECT_EQ(lx4_map_query(task, 0x1000).r1, 0);
	/* I/O ports: ranges, and only ports we have (the RTC's 0x70-0x71) */
	static const unsigned io_orders[] = {17, 20, 63};
	for (unsigned i = 0; i < sizeof io_orders / sizeof io_orders[0]; i++) {
		KEXPECT_EQ(lx4_map(task, lx4_iopage(0, io_orders[i]), 0, 0), -LX4_EINVAL);
		KEXPECT_EQ(lx4_unmap(task, lx4_iopage(0, io_orders[i]), 0), -LX4_EINVAL);
	}
	KEXPECT_EQ(lx4_map(task, lx4_iopage(0x71, 1), 0, 0), -LX4_EINVAL); /* misaligned */
	KEXPECT_EQ(lx4_map(task, lx4_iopage(0, 16), 0, 0), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_map(task, lx4_iopage(0x70, 2), 0, 0), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_map(task, lx4_iopage(0xcf8, 2), 0, 0), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_map(task, lx4_iopage(0x70, 1), 0, 0), 0);
	KEXPECT_EQ(lx4_unmap(task, lx4_iopage(0, 16), 0), 0);
	/* capability arguments that are values */
	lx4_cap_t ep = ep_new(), d = cap_new();
	KEXPECT_EQ(lx4_syscall(LX4_SYS_CAP_COPY, SELF, d, ep, ~0ull, ~0ull, 0).err, 0);
	struct lx4_sysret r = lx4_cap_info(SELF, d);
	KEXPECT_EQ(r.r2, LX4_R_ALL);
	KEXPECT_EQ(r.r3, ~0ull);
	KEXPECT_EQ(lx4_syscall(LX4_SYS_TASK_CREATE, cap_new(), ~0ull, ~0ull, 0, 0, 0).err, -LX4_EINVAL);
	KEXPECT_EQ(lx4_syscall(LX4_SYS_TASK_CREATE, cap_new(), ~0ull, 4, 0, 0, 0).err, -LX4_ENOMEM);
}

/* A thread with no UTCB: it makes one system call with the registers
 * exregs gave it, then faults (ud2); with no handler it halts, and we
 * read its registers. */
__asm__(".pushsection .text\n"
	".globl hostile_stub\n"
	"hostile_stub:\n"
	"\tsyscall\n"
	"\tud2\n"
	".popsection\n");
extern char hostile_stub[];

/* the registers (frame order) after a raw system call by a thread with no
 * UTCB; regs in: rax (number) .. r9, out: all of them */
static void raw_call(uint64_t *regs)
{
	static uint8_t stack[4096] __attribute__((aligned(16)));
	lx4_cap_t t = cap_new();
	KEXPECT_EQ(lx4_thread_create(t, SELF), 0);
	struct lx4_utcb *u = lx4_utcb();
	for (unsigned i = 0; i <= LX4_REG_R9; i++)
		u->mr[i] = regs[i];
	u->mr[LX4_REG_RIP] = (uint64_t)hostile_stub;
	u->mr[LX4_REG_RSP] = (uint64_t)stack + sizeof stack;
	uint64_t mask = (1ull << (LX4_REG_R9 + 1)) - 1;
	mask |= 1ull << LX4_REG_RIP | 1ull << LX4_REG_RSP;
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_WRITE | LX4_EXREGS_START, mask).err, 0);
	wait_for_state(t, LX4_TSTATE_HALTED);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_READ, 0).err, 0);
	for (unsigned i = 0; i < LX4_REG_COUNT; i++)
		regs[i] = u->mr[i];
	KEXPECT_EQ(regs[LX4_REG_RIP], (uint64_t)hostile_stub + 2);
	KEXPECT_EQ(lx4_cap_delete(SELF, t), 0);
}

static long raw(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	uint64_t r[LX4_REG_COUNT] = {nr, a1, a2, a3, a4};
	raw_call(r);
	return (long)r[LX4_REG_RAX];
}

static volatile uint64_t g_got;

static void send10(uint64_t ep)
{
	struct lx4_utcb *u = lx4_utcb();
	struct lx4_msg m = {.tag = lx4_tag(5, 10, 0)};
	for (unsigned i = 0; i < 10; i++) {
		if (i < LX4_MR_REGS)
			m.mr[i] = 100 + i;
		else
			u->mr[i] = 100 + i;
	}
	KEXPECT_EQ(lx4_send((lx4_cap_t)ep, &m, LX4_TIMEOUT_NEVER), 0);
	g_got = 1;
}

KTEST(hostile_thread_without_utcb)
{
	lx4_cap_t ep = ep_new(), th = thread_spawn(idle, 0, 100, false);
	/* the calls that need the caller's UTCB fail */
	KEXPECT_EQ(raw(LX4_SYS_DEBUG, LX4_DBG_WRITE, 8, 0, 0), -LX4_EINVAL);
	KEXPECT_EQ(raw(LX4_SYS_THREAD_EXREGS, th, LX4_EXREGS_READ, 0, 0), -LX4_EINVAL);
	KEXPECT_EQ(raw(LX4_SYS_THREAD_EXREGS, th, LX4_EXREGS_WRITE, 1, 0), -LX4_EINVAL);
	KEXPECT_EQ(raw(LX4_SYS_SEND, ep, lx4_tag(1, 8, 0), LX4_TIMEOUT_ZERO, 0), -LX4_EINVAL);
	KEXPECT_EQ(raw(LX4_SYS_SEND, ep, lx4_tag(1, 6, 1), LX4_TIMEOUT_ZERO, 0), -LX4_EINVAL);
	/* the others work */
	KEXPECT_EQ(raw(LX4_SYS_THREAD_EXREGS, th, 0, 0, 0), 0);
	KEXPECT_EQ(raw(LX4_SYS_SEND, ep, lx4_tag(1, 7, 0), LX4_TIMEOUT_ZERO, 0), -LX4_ETIMEOUT);
	KEXPECT_EQ(raw(LX4_SYS_DEBUG, LX4_DBG_KMEM_FREE, 0, 0, 0), 0);
	KEXPECT_EQ(raw(~0ull, 0, 0, 0, 0), -LX4_ENOSYS);
	/* a long message to it is cut to the register words, and says so */
	thread_spawn(send10, ep, 100, true);
	uint64_t r[LX4_REG_COUNT] = {LX4_SYS_RECV, ep};
	r[LX4_REG_R10] = 2000000000;
	raw_call(r);
	KEXPECT_EQ(r[LX4_REG_RAX], 0);
	KEXPECT_EQ(r[LX4_REG_RSI], lx4_tag(5, 7, 0) | LX4_TAG_XFER_ERR);
	KEXPECT_EQ(r[LX4_REG_R8], 100);
	KEXPECT_EQ(r[LX4_REG_R9], 101);
	KEXPECT_EQ(r[LX4_REG_RBX], 106);
	wait_count(&g_got, 1);
}

/* answers each call with its tag and badge (for the tag tests) */
static void tag_echo(uint64_t ep)
{
	struct lx4_msg m;
	long e = lx4_recv((lx4_cap_t)ep, &m, LX4_TIMEOUT_NEVER);
	while (e == 0) {
		m.mr[0] = m.tag;
		m.mr[1] = m.badge;
		m.tag = lx4_tag(0, 2, 0);
		e = lx4_reply_recv((lx4_cap_t)ep, &m, LX4_TIMEOUT_NEVER);
	}
}

static volatile long g_rc;

static void recv_long(uint64_t arg)
{
	(void)arg;
	static lx4_cap_t ep;
	struct lx4_msg m;
	ep = cap_new();
	KEXPECT_EQ(lx4_ep_create(ep), 0);
	g_rc = lx4_recv(ep, &m, ~0ull - 1);
	g_got = 1;
}

KTEST(hostile_ipc_tags)
{
	lx4_cap_t ep = ep_new(), nog = cap_new(), th = thread_spawn(idle, 0, 100, false);
	KEXPECT_EQ(lx4_cap_copy(SELF, nog, ep, LX4_R_SEND | LX4_R_RECV, 0), 0);
	/* more than 64 words */
	static const unsigned shapes[][2] = {{63, 1}, {63, 15}, {35, 15}, {62, 2}};
	for (unsigned i = 0; i < 4; i++) {
		uint64_t tag = lx4_tag(1, shapes[i][0], shapes[i][1]);
		KEXPECT_EQ(ipc64(LX4_SYS_SEND, ep, tag, LX4_TIMEOUT_ZERO, 0), -LX4_EINVAL);
		KEXPECT_EQ(ipc64(LX4_SYS_CALL, ep, tag, LX4_TIMEOUT_ZERO, LX4_TIMEOUT_ZERO), -LX4_EINVAL);
		KEXPECT_EQ(ipc64(LX4_SYS_REPLY_RECV, ep, tag, 0, LX4_TIMEOUT_ZERO), -LX4_EINVAL);
		KEXPECT_EQ(ipc64(LX4_SYS_REPLY_TO, th, tag, 0, 0), -LX4_EINVAL);
	}
	/* 15 typed items fit (30 words) but need GRANT */
	uint64_t typed = lx4_tag(1, 0, 15);
	KEXPECT_EQ(ipc64(LX4_SYS_SEND, nog, typed, LX4_TIMEOUT_ZERO, 0), -LX4_ERIGHTS);
	KEXPECT_EQ(ipc64(LX4_SYS_CALL, nog, typed, LX4_TIMEOUT_ZERO, LX4_TIMEOUT_ZERO), -LX4_ERIGHTS);
	KEXPECT_EQ(ipc64(LX4_SYS_SEND, ep, typed, LX4_TIMEOUT_ZERO, 0), -LX4_ETIMEOUT);
	/* the label and flag bits of a tag: a sender cannot claim to be the
	 * kernel, nor pass on flags of its own */
	thread_spawn(tag_echo, ep, 100, true);
	struct lx4_msg m = {.tag = lx4_tag(LX4_LABEL_PAGEFAULT, 3, 0) | LX4_TAG_KERNEL};
	KEXPECT_EQ(lx4_call(ep, &m), 0);
	KEXPECT_EQ(m.mr[0], lx4_tag(LX4_LABEL_PAGEFAULT, 3, 0));
	m = (struct lx4_msg){.tag = lx4_tag(0xffffffffffffull, 1, 0) | 0xfc00};
	KEXPECT_EQ(lx4_call(ep, &m), 0);
	KEXPECT_EQ(m.mr[0], lx4_tag(0xffffffffffffull, 1, 0));
	/* bad capabilities of the right slot but the wrong kind */
	lx4_cap_t task = cap_new(), irq = cap_new();
	KEXPECT_EQ(lx4_task_create(task, 2, 2), 0);
	KEXPECT_EQ(lx4_irq_create(TP_IRQCTL_CAP, IRQ_LINE, irq), 0);
	const uint64_t wrong[] = {task, th, irq, TP_IRQCTL_CAP, LX4_CAP_SELF_TASK, LX4_CAP_SELF_THREAD};
	uint64_t tag = lx4_tag(1, 1, 0);
	for (unsigned i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
		KEXPECT_EQ(ipc64(LX4_SYS_SEND, wrong[i], tag, LX4_TIMEOUT_ZERO, 0), -LX4_ETYPE);
		KEXPECT_EQ(ipc64(LX4_SYS_CALL, wrong[i], tag, LX4_TIMEOUT_ZERO, LX4_TIMEOUT_ZERO), -LX4_ETYPE);
		KEXPECT_EQ(ipc64(LX4_SYS_RECV, wrong[i], 0, 0, LX4_TIMEOUT_ZERO), -LX4_ETYPE);
		KEXPECT_EQ(ipc64(LX4_SYS_REPLY_RECV, wrong[i], tag, 0, LX4_TIMEOUT_ZERO), -LX4_ETYPE);
	}
	KEXPECT_EQ(ipc64(LX4_SYS_REPLY_TO, ep, tag, 0, 0), -LX4_ETYPE);
	KEXPECT_EQ(ipc64(LX4_SYS_REPLY_TO, task, tag, 0, 0), -LX4_ETYPE);
	KEXPECT_EQ(ipc64(LX4_SYS_REPLY_TO, cap_new(), tag, 0, 0), -LX4_ECAP);
	KEXPECT_EQ(ipc64(LX4_SYS_REPLY_TO, th, tag, 0, 0), -LX4_ESTATE);
	KEXPECT_EQ(ipc64(LX4_SYS_REPLY_TO, LX4_CAP_SELF_THREAD, tag, 0, 0), -LX4_ESTATE);
	/* a huge relative timeout does not overflow into an early one */
	lx4_cap_t t = thread_spawn(recv_long, 0, 100, true);
	wait_for_state(t, LX4_TSTATE_RECV);
	sleep_ns(20000000);
	KEXPECT_EQ(thread_state(t), LX4_TSTATE_RECV);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_ABORT, 0).err, 0);
	wait_count(&g_got, 1);
	KEXPECT_EQ(g_rc, -LX4_EABORT);
}

static struct lx4_utcb *volatile g_srv;

/* answers each call with the tag it received; the caller sets its
 * buffers through g_srv */
static void item_echo(uint64_t ep)
{
	g_srv = lx4_utcb();
	struct lx4_msg m;
	long e = lx4_recv((lx4_cap_t)ep, &m, LX4_TIMEOUT_NEVER);
	while (e == 0) {
		m.mr[0] = m.tag;
		m.tag = lx4_tag(0, 1, 0);
		e = lx4_reply_recv((lx4_cap_t)ep, &m, LX4_TIMEOUT_NEVER);
	}
}

/* sends one typed item (w0, w1) to item_echo, whose buffers are set to
 * win (br_mem) and io (br_io); returns the tag it received */
static uint64_t item(lx4_cap_t ep, uint64_t win, uint64_t io, uint64_t w0, uint64_t w1)
{
	g_srv->br_mem = win;
	g_srv->br_io = io;
	g_srv->br_cap = 0;
	struct lx4_msg m = {.tag = lx4_tag(3, 1, 1)};
	m.mr[0] = 7;
	m.mr[1] = w0;
	m.mr[2] = w1;
	KEXPECT_EQ(lx4_call(ep, &m), 0);
	return m.mr[0];
}

KTEST(hostile_ipc_items)
{
	lx4_cap_t ep = ep_new();
	thread_spawn(item_echo, ep, 100, true);
	while (!g_srv)
		lx4_yield();
	const uint64_t ok = lx4_tag(3, 1, 1), failed = lx4_tag(3, 1, 0) | LX4_TAG_XFER_ERR;
	uint64_t page = (uint64_t)page_new(), win = 0x40000000;
	uint64_t fp = lx4_fpage(page, 12, LX4_FP_R);
	/* receive windows outside user space */
	for (unsigned i = 0; i < sizeof bad_addr / sizeof bad_addr[0]; i++) {
		uint64_t a = bad_addr[i];
		KEXPECT_EQ(item(ep, lx4_fpage(a, 12, 0), 0, fp, 0), failed);
		if (a >= LX4_USER_TOP)
			KEXPECT_EQ(item(ep, lx4_fpage(a & ~0x1fffffull, 21, 0), 0, fp, 0), failed);
		else /* the window's last page is the top one */
			KEXPECT_EQ(item(ep, lx4_fpage(a & ~0x1fffffull, 21, 0), 0, fp, 0x1ff000), failed);
		KEXPECT_EQ(item(ep, lx4_fpage(a, 63, 0), 0, fp, 0), failed);
		/* items from outside user space */
		KEXPECT_EQ(item(ep, lx4_fpage(win, 21, 0), 0, lx4_fpage(a, 12, LX4_FP_RWX), 0), failed);
		KEXPECT_EQ(item(ep, lx4_fpage(win, 21, 0), 0, a, 0), failed);
	}
	/* offsets outside the window, items larger than it, no window */
	KEXPECT_EQ(item(ep, lx4_fpage(win, 13, 0), 0, fp, 0x2000), failed);
	KEXPECT_EQ(item(ep, lx4_fpage(win, 13, 0), 0, fp, ~0xfffull), failed);
	KEXPECT_EQ(item(ep, lx4_fpage(win, 13, 0), 0, lx4_fpage(0x200000, 21, LX4_FP_R), 0), failed);
	KEXPECT_EQ(item(ep, 0, 0, fp, 0), failed);
	/* unknown item types, I/O without a buffer or ports */
	KEXPECT_EQ(item(ep, lx4_fpage(win, 21, 0), 1, 0, 0), failed);
	KEXPECT_EQ(item(ep, lx4_fpage(win, 21, 0), 1, (fp & ~(7ull << 9)) | 5ull << 9, 0), failed);
	KEXPECT_EQ(item(ep, lx4_fpage(win, 21, 0), 1, ~0ull, ~0ull), failed);
	KEXPECT_EQ(item(ep, 0, 0, lx4_iopage(0x70, 1), 0), failed);
	KEXPECT_EQ(item(ep, 0, 1, lx4_iopage(0x60, 0), 0), failed);
	KEXPECT_EQ(item(ep, 0, 1, lx4_iopage(0, 17), 0), failed);
	/* nothing arrived */
	for (uint64_t off = 0; off < 0x200000; off += 0x1000)
		KEXPECT_EQ(lx4_map_query(SELF, win + off).r1, 0);
	/* and the good ones do */
	KEXPECT_EQ(item(ep, lx4_fpage(win, 21, 0), 0, fp, 0x3000), ok);
	KEXPECT_EQ(lx4_map_query(SELF, win + 0x3000).r1, 12ull << 16 | LX4_FP_R);
	KEXPECT_EQ(item(ep, 0, 1, lx4_iopage(0x70, 1), 0), ok);
	KEXPECT_EQ(lx4_unmap(SELF, lx4_fpage(win, 21, LX4_FP_R), LX4_UNMAP_SELF), 0);
	KEXPECT_EQ(lx4_map_query(SELF, win + 0x3000).r1, 0);
	KEXPECT_EQ(lx4_map_query(SELF, page).r1, 12ull << 16 | LX4_FP_R | LX4_FP_W);
}

/* how many arguments (rdi, rsi, ...) a non-IPC system call takes */
static unsigned nargs(uint64_t nr)
{
	switch (nr) {
	case LX4_SYS_CAP_COPY: return 5;
	case LX4_SYS_MAP: return 4;
	case LX4_SYS_CAP_MOVE:
	case LX4_SYS_TASK_CREATE:
	case LX4_SYS_THREAD_CONFIG:
	case LX4_SYS_THREAD_EXREGS:
	case LX4_SYS_IRQ_CREATE:
	case LX4_SYS_UNMAP: return 3;
	case LX4_SYS_CAP_DELETE:
	case LX4_SYS_CAP_INFO:
	case LX4_SYS_THREAD_CREATE:
	case LX4_SYS_IRQ_BIND:
	case LX4_SYS_MAP_QUERY:
	case LX4_SYS_DEBUG: return 2;
	default: return 1;
	}
}

KTEST(hostile_every_call_garbage)
{
	lx4_cap_t ep = ep_new();
	bad_slots_init(ep);
	uint64_t calls = 0;
	/* every non-IPC call (and numbers past the last), with the pseudo
	 * caps or garbage first and garbage or zero elsewhere */
	for (uint64_t nr = LX4_SYS_YIELD + 1; nr <= LX4_SYS_COUNT + 1; nr++) {
		uint64_t first[2 + sizeof bad_addr / sizeof bad_addr[0]];
		unsigned nfirst = 0;
		if (nr != LX4_SYS_CAP_DESTROY) { /* that would destroy us */
			first[nfirst++] = LX4_CAP_SELF_TASK;
			first[nfirst++] = LX4_CAP_SELF_THREAD;
		}
		for (unsigned i = 0; i < sizeof bad_addr / sizeof bad_addr[0]; i++)
			first[nfirst++] = bad_addr[i];
		for (unsigned f = 0; f < nfirst; f++) {
			for (unsigned b = 0; b < nbad_slot + sizeof bad_addr / sizeof bad_addr[0]; b++) {
				uint64_t h = b < nbad_slot ? bad_slot[b] : bad_addr[b - nbad_slot];
				if (h < LX4_USER_TOP)
					continue; /* fine values of some arguments (addresses, masks) */
				if (nr == LX4_SYS_CAP_DESTROY && ((uint32_t)first[f] == LX4_CAP_SELF_TASK ||
								  (uint32_t)first[f] == LX4_CAP_SELF_THREAD))
					continue;
				const uint64_t args[][5] = {{first[f], h, h, h, h}, {first[f], h, 0, 0, 0},
							    {first[f], 0, h, 0, 0}, {first[f], 0, 0, h, 0},
							    {first[f], 0, 0, 0, h}};
				for (unsigned a = 0; a < sizeof args / sizeof args[0]; a++) {
					const uint64_t *x = args[a];
					long e = sys(nr, x[0], x[1], x[2], x[3], x[4]).err;
					calls++;
					/* garbage only where the call takes nothing may pass;
					 * map_query answers "nothing mapped" for any address */
					bool used = f >= 2;
					for (unsigned p = 1; p < 5; p++)
						used |= x[p] == h && p < nargs(nr);
					if (nr == LX4_SYS_MAP_QUERY && f < 2 && x[1] == h)
						used = false;
					if (e > 0 || e <= -LX4_ERRMAX || (e == 0 && used))
						ktest_fail(__FILE__, __LINE__, "syscall %lu (%lx %lx %lx %lx %lx) = %ld", nr,
							   x[0], x[1], x[2], x[3], x[4], e);
				}
			}
		}
	}
	printf("hostile_every_call_garbage: %lu calls\n", calls);
	/* we are fine */
	KEXPECT_EQ(task_threads(SELF), 1);
	KEXPECT_EQ(lx4_cap_info(SELF, ep).r1, LX4_OBJ_ENDPOINT);
	KEXPECT_EQ(lx4_cap_info(SELF, TP_PARENT_CAP).r1, LX4_OBJ_ENDPOINT);
}
