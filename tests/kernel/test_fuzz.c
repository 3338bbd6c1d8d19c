/*
 * The kernel-API fuzzer (fuzz_kernel_api).
 *
 * FUZZ_TASKS fuzzer tasks make FUZZ_CALLS random system calls in all, in
 * FUZZ_ROUNDS rounds: each round the test makes fresh fuzzer tasks, lets
 * each make its share of calls (with a fresh set of objects every
 * FZ_EPOCH calls), destroys them and checks that its quota came back.
 * The arguments lean toward the interesting: small capability slots, each
 * kind of object in its own range (endpoints, badged and reduced copies,
 * child tasks, threads, IRQ objects; the IRQ control cap); pseudo caps, 0,
 * ~0, out-of-range slots; kernel, non-canonical and scratch addresses;
 * memory and I/O fpages; tags with typed items; zero and tiny timeouts,
 * never infinite ones; random exregs flags, masks and registers; random
 * thread_config values.  Victim threads (an echo server, a caller, an
 * int3 loop) run in the fuzzer's task and in a child, so that messages,
 * replies, exceptions and page faults flow.  Wild tasks, below the
 * fuzzers, make calls with no filter at all from a world of their own.
 *
 * Checks: every result is an error code, and the rules of docs/kernel.md
 * about arguments hold; new objects look new; used <= quota; the image
 * text does not change; faults of a fuzzer come to the test.  A watchdog
 * task above the fuzzers wakes up every 5 ms and checks its private pages,
 * its xmm registers and its timeouts.  At the end every fuzzer must have
 * made all its calls, the watchdog must have woken up regularly, the
 * kernel must still work and nothing may leak.
 *
 * Replay: a fuzzer's calls depend only on FUZZ_SEED (printed), its index
 * and the round, never on what the kernel returned.  Build with
 * -DFUZZ_SEED=... for another seed; FUZZ_TRACE 1 logs every call.
 *
 * A fuzzer must not destroy itself, so a few arguments are kept away from
 * it (the "protected" ranges are its image, stack, UTCBs and KIP):
 *  - the pseudo caps are never destroyed, its own thread is never stopped,
 *    given registers other than syscall scratch ones, a pager, handler, FS
 *    base, foreign ABI or a lower priority;
 *  - nothing is mapped over, granted away from or unmapped (SELF) from a
 *    protected range, and protected memory leaves the task without write;
 *  - a thread's rip is only ever set (exregs, exception replies) to an
 *    address outside the image or to a victim routine, which uses
 *    registers only, so no thread but the fuzzer's own runs its C code;
 *  - receive windows of the fuzzer's own threads lie in its scratch region.
 * It holds no capability to its own task or thread, and depends on no slot
 * (the IRQ control cap waits in FZ_RESERVE, which is never an argument).
 */
#include "fuzz.h"

/* ---- the fuzzer task ----------------------------------------------------- */

static uint64_t text_sum(void)
{
	uint64_t s = 0;
	for (const uint64_t *p = (const uint64_t *)__image_start; p < (const uint64_t *)_etext; p++)
		s = s * 31 + *p;
	return s;
}

#define SETUP(f, call)                                                  \
	do {                                                            \
		long _e = (call);                                       \
		if (_e && !(f)->epoch)                                  \
			fz_bad(f, "setup, line %d: %ld", __LINE__, _e); \
		else if (_e)                                            \
			(f)->st->setup_failed++;                        \
	} while (0)

static void start_thread(struct fz *f, lx4_cap_t t, uint64_t rip, uint64_t rsp, uint64_t rbp)
{
	struct lx4_utcb *u = lx4_utcb();
	u->mr[LX4_REG_RIP] = rip;
	u->mr[LX4_REG_RSP] = rsp;
	u->mr[LX4_REG_RBP] = rbp;
	uint64_t mask = 1ull << LX4_REG_RIP | 1ull << LX4_REG_RSP | 1ull << LX4_REG_RBP;
	SETUP(f, lx4_exregs(t, LX4_EXREGS_WRITE | LX4_EXREGS_START, mask).err);
}

/* what the slots hold at the start of an epoch (E0-E3: endpoints; A, B:
 * child tasks that have the image (read, execute), scratch pages at
 * CHILD_BASE, E0 (send) in slot 1 and E1 (send, receive) in slot 2) */
enum {
	S_IRQCTL = 1,
	S_E0 = 2, /* a victim server here; victim callers in A and B call it */
	S_E1,     /* a victim server in A; a victim caller here; every handler */
	S_E2,     /* the pager of A's first thread */
	S_E3,     /* the IRQ's */
	S_E0_BADGED,
	S_E1_BADGED,
	S_E2_RECV,
	S_E3_SEND,
	S_A = 10,
	S_B,
	S_A_CONTROL,
	S_B_DESTROY,
	S_C,                                 /* C: empty, tiny */
	S_A_FAULTER = 16,                    /* runs into a page fault (pager E2) */
	S_B_CALLER,                          /* victim caller on E1 */
	S_VICTIM,                            /* 18-20: victims here: server, caller, trap */
	S_IDLE_HERE = S_VICTIM + FZ_VICTIMS, /* never started */
	S_IDLE_A,
	S_A_SERVER,    /* victim server on E1 */
	S_A_CALLER,    /* victim caller on E0 */
	S_VICTIM_SEND, /* the server here, SEND only (reply_to) */
	S_A_CALLER_CONTROL,
	S_IDLE_B,
	S_IRQ = 28,
	S_IRQ_NOCONTROL,
};

/* a victim's receive buffers, if a UTCB is there (the victim's, or one an
 * earlier victim left) */
static void victim_buffers(struct fz *f, unsigned k)
{
	struct lx4_sysret q = lx4_map_query(LX4_CAP_SELF_TASK, FZ_VUTCB(k));
	if (!q.err && (q.r1 & (1ull << 24)))
		fz_set_buffers(f, (struct lx4_utcb *)FZ_VUTCB(k));
}

static void new_thread(struct fz *f, lx4_cap_t t, lx4_cap_t task, uint64_t utcb)
{
	SETUP(f, lx4_thread_create(t, task));
	SETUP(f, lx4_thread_config(t, LX4_TCFG_PAGER, S_E2));
	SETUP(f, lx4_thread_config(t, LX4_TCFG_HANDLER, S_E1));
	SETUP(f, lx4_thread_config(t, LX4_TCFG_UTCB, utcb));
	SETUP(f, lx4_thread_config(t, LX4_TCFG_PRIORITY, VICTIM_PRIO));
}

/* the objects of an epoch (run in the fuzzer task, all slots empty) */
static void fz_setup(struct fz *f)
{
	static const unsigned irq_lines[] = {0, 3, 4, 8};
	SETUP(f, lx4_cap_copy(LX4_CAP_SELF_TASK, S_IRQCTL, FZ_RESERVE, LX4_R_ALL, 0));
	for (lx4_cap_t e = S_E0; e <= S_E3; e++)
		SETUP(f, lx4_ep_create(e));
	SETUP(f, lx4_cap_copy(LX4_CAP_SELF_TASK, S_E0_BADGED, S_E0, LX4_R_SEND | LX4_R_GRANT, 0xb0 + f->id));
	SETUP(f, lx4_cap_copy(LX4_CAP_SELF_TASK, S_E1_BADGED, S_E1, LX4_R_ALL, 0xc0 + f->id));
	SETUP(f, lx4_cap_copy(LX4_CAP_SELF_TASK, S_E2_RECV, S_E2, LX4_R_RECV, 0));
	SETUP(f, lx4_cap_copy(LX4_CAP_SELF_TASK, S_E3_SEND, S_E3, LX4_R_SEND, 0));

	SETUP(f, lx4_task_create(S_A, 48, 64));
	SETUP(f, lx4_task_create(S_B, 32, 16));
	SETUP(f, lx4_task_create(S_C, 4, 4));
	for (lx4_cap_t c = S_A; c <= S_B; c++) {
		SETUP(f, lx4_map(c, lx4_fpage(FZ_SCRATCH, 14, LX4_FP_RWX), CHILD_BASE, 0));
		SETUP(f, lx4_map(c, lx4_fpage(FZ_IMAGE, 22, LX4_FP_R | LX4_FP_X), FZ_IMAGE, 0));
		SETUP(f, lx4_cap_copy(c, 1, S_E0, LX4_R_SEND | LX4_R_GRANT, 0x10 + c));
		SETUP(f, lx4_cap_copy(c, 2, S_E1, LX4_R_SEND | LX4_R_RECV, 0));
	}
	SETUP(f, lx4_cap_copy(LX4_CAP_SELF_TASK, S_A_CONTROL, S_A, LX4_R_CONTROL, 0));
	SETUP(f, lx4_cap_copy(LX4_CAP_SELF_TASK, S_B_DESTROY, S_B, LX4_R_DESTROY, 0));

	new_thread(f, S_A_FAULTER, S_A, TP_UTCB);
	start_thread(f, S_A_FAULTER, CHILD_BASE, CHILD_BASE + 0x3ff8, 0);
	new_thread(f, S_B_CALLER, S_B, TP_UTCB);
	start_thread(f, S_B_CALLER, (uint64_t)fz_victim_caller, 0, 2);
	static void (*const victims[FZ_VICTIMS])(void) = {fz_victim_server, fz_victim_caller, fz_victim_trap};
	for (unsigned k = 0; k < FZ_VICTIMS; k++) {
		new_thread(f, S_VICTIM + k, LX4_CAP_SELF_TASK, FZ_VUTCB(k));
		victim_buffers(f, k);
		start_thread(f, S_VICTIM + k, (uint64_t)victims[k], 0, k == 1 ? S_E1 : S_E0);
	}
	SETUP(f, lx4_thread_create(S_IDLE_HERE, LX4_CAP_SELF_TASK));
	SETUP(f, lx4_thread_create(S_IDLE_A, S_A));
	new_thread(f, S_A_SERVER, S_A, FZ_VUTCB(0));
	start_thread(f, S_A_SERVER, (uint64_t)fz_victim_server, 0, 2);
	new_thread(f, S_A_CALLER, S_A, FZ_VUTCB(1));
	start_thread(f, S_A_CALLER, (uint64_t)fz_victim_caller, 0, 1);
	SETUP(f, lx4_cap_copy(LX4_CAP_SELF_TASK, S_VICTIM_SEND, S_VICTIM, LX4_R_SEND, 0));
	SETUP(f, lx4_cap_copy(LX4_CAP_SELF_TASK, S_A_CALLER_CONTROL, S_A_CALLER, LX4_R_CONTROL, 0));
	SETUP(f, lx4_thread_create(S_IDLE_B, S_B));

	/* another fuzzer may have the line */
	if (lx4_irq_create(S_IRQCTL, irq_lines[f->id % 4], S_IRQ) == 0) {
		SETUP(f, lx4_irq_bind(S_IRQ, S_E3));
		SETUP(f, lx4_cap_copy(LX4_CAP_SELF_TASK, S_IRQ_NOCONTROL, S_IRQ, LX4_R_DESTROY, 0));
	}
	f->epoch++;
}

/* the end of an epoch: destroy what the slots name and empty them */
static void fz_clear(void)
{
	for (lx4_cap_t s = 1; s < FZ_RESERVE; s++) {
		lx4_cap_destroy(s);
		lx4_cap_delete(LX4_CAP_SELF_TASK, s);
	}
}

/* fuzzer id's calls of a round: they depend on the seed, id and round only */
static void fz_main(uint64_t id, uint64_t round)
{
	struct fz f = {.id = (unsigned)id, .st = &fz_shared[id]};
	f.s = FUZZ_SEED ^ (0x9e3779b97f4a7c15ull * (id + 1)) ^ (0xbf58476d1ce4e5b9ull * (round + 1));
	if (!f.s)
		f.s = 1;
	for (unsigned i = 0; i < 8; i++)
		rnd(&f);
	struct lx4_utcb *u = lx4_utcb();
	uint64_t sum = text_sum();
	for (unsigned i = 0; i < FZ_ROUND_CALLS; i++) {
		if (i % FZ_EPOCH == 0) {
			if (i)
				fz_clear();
			fz_setup(&f);
		}
		if (i % 32 == 0)
			fz_set_buffers(&f, u);
		if (i % 256 == 0)
			victim_buffers(&f, below(&f, FZ_VICTIMS));
		if (i % 1024 == 0 && text_sum() != sum)
			fz_bad(&f, "the image text changed");
		if (i % 64 == 0) {
			/* the top page is never mapped; the UTCB stays */
			struct lx4_sysret q = lx4_map_query(LX4_CAP_SELF_TASK, USER_END);
			if (q.err || q.r1)
				fz_bad(&f, "the top page: %ld %lx", q.err, q.r1);
			q = lx4_map_query(LX4_CAP_SELF_TASK, TP_UTCB);
			if (q.err || q.r1 != ((1ull << 24) | (12 << 16) | LX4_FP_R | LX4_FP_W))
				fz_bad(&f, "the UTCB: %ld %lx", q.err, q.r1);
		}
		/* the time of a call nothing else ran in: the kernel's */
		uint64_t cs = kip()->cpu[0].context_switches, t = now_ns();
		fz_one(&f);
		t = now_ns() - t;
		if (cs == kip()->cpu[0].context_switches && t > f.st->slowest_ns) {
			f.st->slowest_ns = t;
			f.st->slowest = f.st->last[(f.st->nlast - 1) % 8];
		}
		f.st->calls++;
	}
	f.st->done = 1;
	for (;;)
		lx4_exregs(LX4_CAP_SELF_THREAD, LX4_EXREGS_STOP, 0);
}

/* ---- wild tasks ---------------------------------------------------------
 * Tasks of their own that the test makes each round, below the fuzzers:
 * their threads make random calls with no filter at all (they may destroy,
 * stop or unmap themselves), with only the objects made for them.  They
 * have the image (read, execute), the KIP, data pages at FZ_SCRATCH (the
 * call count in the first word; a stack page for each thread), endpoints
 * in slots 1 and 2 (handler and pager), their task in 3, threads in 4-6. */

#define WILD_TASKS   2
#define WILD_THREADS 3
#define WILD_PRIO    70
#define WILD_PAGES   (1 + WILD_THREADS)

static void fz_wild(uint64_t seed, uint64_t count)
{
	struct fz f = {.s = seed | 1};
	struct lx4_utcb *u = lx4_utcb();
	for (;;) {
		uint64_t a[6], w[LX4_MR_COUNT];
		for (unsigned i = 0; i < 6; i++)
			a[i] = chance(&f, 40) ? 1 + below(&f, 16) : fz_word(&f);
		long nr = chance(&f, 97) ? 1 + (long)below(&f, LX4_SYS_COUNT - 1) : (long)PICK(&f, fz_bad_nrs);
		if (nr <= LX4_SYS_REPLY_TO) {
			struct lx4_msg m;
			fz_msg(&f, &m, w);
			memcpy(&u->mr[LX4_MR_REGS], &w[LX4_MR_REGS], sizeof(w) - LX4_MR_REGS * sizeof(w[0]));
			uint64_t t1 = chance(&f, 3) ? LX4_TIMEOUT_NEVER : fz_timeout(&f);
			uint64_t t2 = chance(&f, 3) ? LX4_TIMEOUT_NEVER : fz_timeout(&f);
			fz_ipc(nr, a[0], &m, t1, t2);
		} else {
			if (nr == LX4_SYS_MAP || nr == LX4_SYS_UNMAP || nr == LX4_SYS_MAP_QUERY)
				a[1] = chance(&f, 85) ? fz_fpage(&f) : fz_iopage(&f);
			if (nr == LX4_SYS_MAP)
				a[2] = fz_addr(&f);
			if (nr == LX4_SYS_THREAD_CONFIG)
				a[2] = fz_tcfg_value(&f, a[1] = 1 + below(&f, LX4_TCFG_TIMESLICE + 1));
			if (nr == LX4_SYS_DEBUG && a[0] == LX4_DBG_WRITE)
				a[1] = 0; /* no random bytes in the log */
			if (nr == LX4_SYS_THREAD_EXREGS) {
				for (unsigned i = 0; i < LX4_REG_COUNT; i++)
					u->mr[i] = fz_word(&f);
				u->mr[LX4_REG_RIP] = chance(&f, 30) ? (uint64_t)fz_wild : fz_rip(&f);
				u->mr[LX4_REG_RSP] = FZ_SCRATCH + below(&f, WILD_PAGES) * 4096 + 4088;
				u->mr[LX4_REG_RSI] = count;
			}
			lx4_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		}
		(*(volatile uint64_t *)count)++;
	}
}

struct wild {
	lx4_cap_t task, thread[WILD_THREADS], ep; /* ep: a slot for making its endpoints */
	uint8_t *data[WILD_PAGES];
};

static void wild_spawn(struct wild *w, uint64_t seed)
{
	KEXPECT_EQ(lx4_task_create(w->task, 64, 64), 0);
	KEXPECT_EQ(lx4_map(w->task, lx4_fpage(FZ_IMAGE, 22, LX4_FP_R | LX4_FP_X), FZ_IMAGE, 0), 0);
	KEXPECT_EQ(lx4_map(w->task, lx4_fpage(TP_KIP, 12, LX4_FP_R), TP_KIP, 0), 0);
	for (unsigned k = 0; k < WILD_PAGES; k++) {
		memset(w->data[k], 0, 4096);
		KEXPECT_EQ(lx4_map(w->task, lx4_fpage((uint64_t)w->data[k], 12, LX4_FP_R | LX4_FP_W),
				   FZ_SCRATCH + k * 4096ull, 0),
			   0);
	}
	KEXPECT_EQ(lx4_cap_copy(w->task, 3, w->task, LX4_R_ALL, 0), 0);
	for (unsigned k = 0; k < WILD_THREADS; k++) {
		lx4_cap_t t = w->thread[k];
		KEXPECT_EQ(lx4_thread_create(t, w->task), 0);
		KEXPECT_EQ(lx4_cap_copy(w->task, 4 + k, t, LX4_R_ALL, 0), 0);
		KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_UTCB, TP_UTCB_AREA + k * 4096ull), 0);
		KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_FSBASE, TP_UTCB_AREA + k * 4096ull), 0);
		KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_PRIORITY, WILD_PRIO), 0);
		struct lx4_utcb *u = lx4_utcb();
		u->mr[LX4_REG_RIP] = (uint64_t)fz_wild;
		u->mr[LX4_REG_RSP] = FZ_SCRATCH + (k + 2) * 4096ull - 8;
		u->mr[LX4_REG_RDI] = seed + k;
		u->mr[LX4_REG_RSI] = FZ_SCRATCH;
		uint64_t mask = 1ull << LX4_REG_RIP | 1ull << LX4_REG_RSP | 1ull << LX4_REG_RDI | 1ull << LX4_REG_RSI;
		KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_WRITE, mask).err, 0);
	}
	/* their exceptions go to the endpoint in slot 1, page faults to 2 */
	for (lx4_cap_t c = 1; c <= 2; c++) {
		KEXPECT_EQ(lx4_ep_create(w->ep), 0);
		for (unsigned k = 0; k < WILD_THREADS; k++)
			KEXPECT_EQ(lx4_thread_config(w->thread[k], c == 1 ? LX4_TCFG_HANDLER : LX4_TCFG_PAGER, w->ep),
				   0);
		KEXPECT_EQ(lx4_cap_move(w->task, c, w->ep), 0);
	}
	for (unsigned k = 0; k < WILD_THREADS; k++)
		KEXPECT_EQ(lx4_exregs(w->thread[k], LX4_EXREGS_START, 0).err, 0);
}

/* the task and threads may have destroyed themselves already */
static uint64_t wild_destroy(struct wild *w)
{
	for (unsigned k = 0; k <= WILD_THREADS; k++) {
		lx4_cap_t c = k < WILD_THREADS ? w->thread[k] : w->task;
		long e = lx4_cap_destroy(c);
		KASSERT(e == 0 || e == -LX4_EDEAD);
		KASSERT(e == 0 || lx4_cap_delete(LX4_CAP_SELF_TASK, c) == 0);
	}
	return *(volatile uint64_t *)w->data[0];
}

/* ---- the watchdog -------------------------------------------------------- */

struct wd_shared {
	volatile uint64_t started, stop, stopped;
	volatile uint64_t wakeups, corrupt, first_bad, bad_recv, max_gap_ns;
	volatile uint64_t fpu_bad, early; /* xmm registers changed; woke before the timeout */
};

#define WD_SHARED     0x0000005000000000ull
#define WD_PRIV       (WD_SHARED + 0x100000)
#define WD_PRIV_PAGES 4
#define WD_PERIOD_NS  5000000ull

static uint64_t wd_pattern(uint64_t gen, uint64_t i)
{
	return (gen * 0x9e3779b97f4a7c15ull) ^ (i * 0xbf58476d1ce4e5b9ull) ^ 0x5744;
}

#define XMM_LOAD(k)  "movdqu " #k "*16+%[in], %%xmm" #k "\n"
#define XMM_STORE(k) "movdqu %%xmm" #k ", " #k "*16+%[out]\n"

/* receives on ep with a timeout, with xmm0-15 loaded from in before and
 * stored to out after: the lazy FPU switch must keep them */
static long recv_xmm(lx4_cap_t ep, uint64_t timeout, const uint64_t *in, uint64_t *out)
{
	long err;
	uint64_t rdi = ep;
	register uint64_t r10 __asm__("r10") = timeout;
	__asm__ volatile(XMM_LOAD(0) XMM_LOAD(1) XMM_LOAD(2) XMM_LOAD(3) XMM_LOAD(4) XMM_LOAD(5) XMM_LOAD(6) XMM_LOAD(7)
			     XMM_LOAD(8) XMM_LOAD(9) XMM_LOAD(10) XMM_LOAD(11) XMM_LOAD(12) XMM_LOAD(13) XMM_LOAD(14)
				 XMM_LOAD(15) "syscall\n" XMM_STORE(0) XMM_STORE(1) XMM_STORE(2) XMM_STORE(3)
				     XMM_STORE(4) XMM_STORE(5) XMM_STORE(6) XMM_STORE(7) XMM_STORE(8) XMM_STORE(9)
					 XMM_STORE(10) XMM_STORE(11) XMM_STORE(12) XMM_STORE(13) XMM_STORE(14)
					     XMM_STORE(15)
			 : "=a"(err), "+D"(rdi), "+r"(r10), [out] "=m"(*(uint64_t(*)[32])out)
			 : "a"(LX4_SYS_RECV), [in] "m"(*(const uint64_t(*)[32])in)
			 : "rcx", "r11", "rsi", "rdx", "r8", "r9", "r12", "r13", "r14", "r15", "rbx", "memory", "xmm0",
			   "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
			   "xmm12", "xmm13", "xmm14", "xmm15");
	return err;
}

/* wakes up every WD_PERIOD_NS, checks and renews its private pages */
static void watchdog(uint64_t ep)
{
	struct wd_shared *sh = (struct wd_shared *)WD_SHARED;
	uint64_t *priv = (uint64_t *)WD_PRIV, gen = 1;
	const unsigned n = WD_PRIV_PAGES * 4096 / 8;
	for (unsigned i = 0; i < n; i++)
		priv[i] = wd_pattern(gen, i);
	sh->started = 1;
	uint64_t last = now_ns(), xin[32], xout[32];
	while (!sh->stop) {
		for (unsigned i = 0; i < 32; i++)
			xin[i] = wd_pattern(gen, ~i);
		long e = recv_xmm((lx4_cap_t)ep, WD_PERIOD_NS, xin, xout);
		uint64_t t = now_ns();
		if (memcmp(xin, xout, sizeof xin))
			sh->fpu_bad++;
		if (t - last < WD_PERIOD_NS)
			sh->early++;
		if (t - last > sh->max_gap_ns)
			sh->max_gap_ns = t - last;
		last = t;
		if (e != -LX4_ETIMEOUT)
			sh->bad_recv++;
		for (unsigned i = 0; i < n; i++)
			if (priv[i] != wd_pattern(gen, i) && !sh->corrupt++)
				sh->first_bad = i;
		gen++;
		for (unsigned i = 0; i < n; i++)
			priv[i] = wd_pattern(gen, i);
		sh->wakeups++;
	}
	sh->stopped = 1;
	for (;;)
		lx4_exregs(LX4_CAP_SELF_THREAD, LX4_EXREGS_STOP, 0);
}

/* ---- the test ------------------------------------------------------------- */

struct fz_child {
	lx4_cap_t task, thread, fault; /* fault: the badged cap for its pager and handler */
	uint8_t *stack[FZ_STACK_PAGES], *scratch[FZ_SCRATCH_PAGES];
};

/* a fuzzer task: the image, the KIP, a stack, scratch pages of int3, the
 * CMOS ports and the IRQ control cap; its faults come to the test */
static void fz_spawn(unsigned id, unsigned round, struct fz_child *c)
{
	KEXPECT_EQ(lx4_task_create(c->task, FZ_QUOTA, FZ_SLOTS), 0);
	KEXPECT_EQ(lx4_map(c->task, lx4_fpage(FZ_IMAGE, 22, LX4_FP_RWX), FZ_IMAGE, 0), 0);
	KEXPECT_EQ(lx4_map(c->task, lx4_fpage(TP_KIP, 12, LX4_FP_R), TP_KIP, 0), 0);
	for (unsigned k = 0; k < FZ_STACK_PAGES; k++)
		KEXPECT_EQ(lx4_map(c->task, lx4_fpage((uint64_t)c->stack[k], 12, LX4_FP_R | LX4_FP_W),
				   FZ_STACK_TOP - (k + 1) * 4096ull, 0),
			   0);
	for (unsigned k = 0; k < FZ_SCRATCH_PAGES; k++) {
		memset(c->scratch[k], 0xcc, 4096);
		KEXPECT_EQ(
		    lx4_map(c->task, lx4_fpage((uint64_t)c->scratch[k], 12, LX4_FP_RWX), FZ_SCRATCH + k * 4096ull, 0),
		    0);
	}
	KEXPECT_EQ(lx4_map(c->task, lx4_iopage(TP_RTC_PORT, 1), 0, 0), 0);
	KEXPECT_EQ(lx4_cap_copy(c->task, FZ_RESERVE, TP_IRQCTL_CAP, LX4_R_ALL, 0), 0);
	KEXPECT_EQ(lx4_thread_create(c->thread, c->task), 0);
	KEXPECT_EQ(lx4_thread_config(c->thread, LX4_TCFG_PAGER, c->fault), 0);
	KEXPECT_EQ(lx4_thread_config(c->thread, LX4_TCFG_HANDLER, c->fault), 0);
	KEXPECT_EQ(lx4_thread_config(c->thread, LX4_TCFG_UTCB, TP_UTCB), 0);
	KEXPECT_EQ(lx4_thread_config(c->thread, LX4_TCFG_FSBASE, TP_UTCB), 0);
	KEXPECT_EQ(lx4_thread_config(c->thread, LX4_TCFG_PRIORITY, FZ_PRIO), 0);
	struct lx4_utcb *u = lx4_utcb();
	u->mr[LX4_REG_RIP] = (uint64_t)fz_main;
	u->mr[LX4_REG_RSP] = FZ_STACK_TOP - 8;
	u->mr[LX4_REG_RDI] = id;
	u->mr[LX4_REG_RSI] = round;
	uint64_t mask = 1ull << LX4_REG_RIP | 1ull << LX4_REG_RSP | 1ull << LX4_REG_RDI | 1ull << LX4_REG_RSI;
	KEXPECT_EQ(lx4_exregs(c->thread, LX4_EXREGS_WRITE, mask).err, 0);
}

static void dump_fuzzers(void)
{
	for (unsigned i = 0; i < FUZZ_TASKS; i++) {
		struct fz_stats *st = &fz_shared[i];
		printf("fuzz: fuzzer %u: %lu calls%s; last:", i, st->calls, st->done ? ", done" : "");
		for (unsigned k = st->nlast > 8 ? st->nlast - 8 : 0; k < st->nlast; k++) {
			struct fz_last *l = &st->last[k % 8];
			printf(" %s(%lx %lx %lx %lx)=%ld", fz_op_name[l->op], l->a[0], l->a[1], l->a[2], l->a[3],
			       l->err);
		}
		printf("\n");
	}
}

static void summary(uint64_t ns, const struct wd_shared *wd)
{
	uint64_t err[FZ_ERRS] = {0}, calls[OP_COUNT] = {0}, ok[OP_COUNT] = {0}, n = 0;
	for (unsigned i = 0; i < FUZZ_TASKS; i++) {
		n += fz_shared[i].calls;
		for (unsigned e = 0; e < FZ_ERRS; e++)
			err[e] += fz_shared[i].err[e];
		for (unsigned o = 0; o < OP_COUNT; o++) {
			calls[o] += fz_shared[i].op_calls[o];
			ok[o] += fz_shared[i].op_ok[o];
		}
	}
	printf("fuzz: %lu calls (%u rounds x %u tasks x %u) in %lu ms guest time\n", n, FUZZ_ROUNDS, FUZZ_TASKS,
	       FZ_ROUND_CALLS, ns / 1000000);
	char buf[400];
	int len = 0;
	for (unsigned e = 0; e < FZ_ERRS; e++)
		if (err[e])
			len += snprintf(buf + len, sizeof buf - len, " %s %lu", fz_err_name[e], err[e]);
	printf("fuzz: results:%s\n", buf);
	len = 0;
	for (unsigned o = 0; o < OP_COUNT; o++) {
		len += snprintf(buf + len, sizeof buf - len, " %s %lu/%lu", fz_op_name[o], ok[o], calls[o]);
		if (o % 8 == 7 || o == OP_COUNT - 1) {
			printf("fuzz: ok/calls:%s\n", buf);
			len = 0;
		}
	}
	for (unsigned o = 0; FUZZ_VERBOSE && o < OP_COUNT; o++) {
		len = 0;
		for (unsigned e = 0; e < FZ_ERRS - 1; e++) {
			uint64_t c = 0;
			for (unsigned i = 0; i < FUZZ_TASKS; i++)
				c += fz_shared[i].op_err[o][e];
			if (c)
				len += snprintf(buf + len, sizeof buf - len, " %s %lu", fz_err_name[e], c);
		}
		printf("fuzz: %s:%s\n", fz_op_name[o], buf);
	}
	struct fz_stats *slow = &fz_shared[0];
	for (unsigned i = 1; i < FUZZ_TASKS; i++)
		if (fz_shared[i].slowest_ns > slow->slowest_ns)
			slow = &fz_shared[i];
	printf("fuzz: slowest call: %lu us, %s(%lx %lx %lx %lx)=%ld\n", slow->slowest_ns / 1000,
	       fz_op_name[slow->slowest.op], slow->slowest.a[0], slow->slowest.a[1], slow->slowest.a[2],
	       slow->slowest.a[3], slow->slowest.err);
	printf("fuzz: watchdog: %lu wake-ups, longest gap %lu us, %lu corrupt words, %lu bad receives, %lu early, %lu "
	       "lost xmm\n",
	       wd->wakeups, wd->max_gap_ns / 1000, wd->corrupt, wd->bad_recv, wd->early, wd->fpu_bad);
}

static void echo_server(uint64_t ep)
{
	struct lx4_msg m;
	long e = lx4_recv((lx4_cap_t)ep, &m, LX4_TIMEOUT_NEVER);
	while (e == 0) {
		m.mr[0] = ~m.mr[0];
		e = lx4_reply_recv((lx4_cap_t)ep, &m, LX4_TIMEOUT_NEVER);
	}
}

/* waits for the fuzzers of a round; their faults and the watchdog's come
 * to us on fault */
static void fz_wait(lx4_cap_t fault, uint64_t deadline)
{
	for (;;) {
		bool done = true;
		for (unsigned i = 0; i < FUZZ_TASKS; i++)
			done = done && fz_shared[i].done;
		if (done)
			return;
		struct lx4_msg m;
		long e = lx4_recv(fault, &m, 20000000);
		if (e == 0) {
			dump_fuzzers();
			ktest_fail(__FILE__, __LINE__, "a fault in %s %lu: label %lx, %lx %lx %lx, rip %lx",
				   m.badge >= 0x200 ? "fuzzer" : "the watchdog", m.badge & 0xff, lx4_tag_label(m.tag),
				   m.mr[0], m.mr[1], m.mr[2], lx4_utcb()->mr[LX4_REG_RIP]);
		}
		KEXPECT_EQ(e, -LX4_ETIMEOUT);
		if (now_ns() > deadline) {
			dump_fuzzers();
			ktest_fail(__FILE__, __LINE__, "the fuzzers did not finish in time");
		}
	}
}

KTEST(fuzz_kernel_api)
{
	printf("fuzz: seed %lx, %u rounds of %u fuzzer tasks x %u calls\n", (uint64_t)FUZZ_SEED, FUZZ_ROUNDS,
	       FUZZ_TASKS, FZ_ROUND_CALLS);
	KASSERT((uint64_t)__image_start == FZ_IMAGE && (uint64_t)_end <= FZ_IMAGE_END);
	memset(fz_shared, 0, sizeof fz_shared);
	lx4_cap_t fault = ep_new();

	/* pages and slots first: the root pages the heap in and charges us */
	struct fz_child fc[FUZZ_TASKS];
	for (unsigned i = 0; i < FUZZ_TASKS; i++) {
		fc[i].task = cap_new();
		fc[i].thread = cap_new();
		fc[i].fault = cap_new();
		KEXPECT_EQ(lx4_cap_copy(LX4_CAP_SELF_TASK, fc[i].fault, fault, LX4_R_SEND, 0x200 + i), 0);
		for (unsigned k = 0; k < FZ_STACK_PAGES; k++)
			fc[i].stack[k] = page_new();
		for (unsigned k = 0; k < FZ_SCRATCH_PAGES; k++)
			fc[i].scratch[k] = page_new();
	}
	struct wild wc[WILD_TASKS];
	for (unsigned k = 0; k < WILD_TASKS; k++) {
		wc[k].task = cap_new();
		for (unsigned i = 0; i < WILD_THREADS; i++)
			wc[k].thread[i] = cap_new();
		wc[k].ep = cap_new();
		for (unsigned i = 0; i < WILD_PAGES; i++)
			wc[k].data[i] = page_new();
	}
	struct wd_shared *wd = page_new();
	void *wd_priv[WD_PRIV_PAGES];
	for (unsigned k = 0; k < WD_PRIV_PAGES; k++)
		wd_priv[k] = page_new();
	lx4_cap_t wd_ep = ep_new(), wd_fault = cap_new();
	KEXPECT_EQ(lx4_cap_copy(LX4_CAP_SELF_TASK, wd_fault, fault, LX4_R_SEND, 0x100), 0);
	page_new(); /* (task_spawn takes the next one) */
	uint64_t used0 = lx4_task_info(LX4_CAP_SELF_TASK).r2;

	/* the watchdog: above the fuzzers, its private pages granted to it */
	struct child wdc;
	task_spawn(&wdc, watchdog, 1, wd_fault, wd_fault, false);
	KEXPECT_EQ(lx4_cap_copy(wdc.task, 1, wd_ep, LX4_R_RECV, 0), 0);
	KEXPECT_EQ(lx4_map(wdc.task, lx4_fpage((uint64_t)wd, 12, LX4_FP_R | LX4_FP_W), WD_SHARED, 0), 0);
	for (unsigned k = 0; k < WD_PRIV_PAGES; k++)
		KEXPECT_EQ(lx4_map(wdc.task, lx4_fpage((uint64_t)wd_priv[k], 12, LX4_FP_R | LX4_FP_W),
				   WD_PRIV + k * 4096ull, LX4_MAP_GRANT),
			   0);
	KEXPECT_EQ(lx4_thread_config(wdc.thread, LX4_TCFG_PRIORITY, WD_PRIO), 0);
	KEXPECT_EQ(lx4_exregs(wdc.thread, LX4_EXREGS_START, 0).err, 0);
	uint64_t wd_used = lx4_task_info(LX4_CAP_SELF_TASK).r2;

	uint64_t t0 = now_ns(), destroy_ns = 0, wild_calls = 0;
	for (unsigned round = 0; round < FUZZ_ROUNDS; round++) {
		for (unsigned i = 0; i < FUZZ_TASKS; i++) {
			fz_shared[i].done = 0;
			fz_spawn(i, round, &fc[i]);
		}
		for (unsigned k = 0; k < WILD_TASKS; k++)
			wild_spawn(&wc[k], FUZZ_SEED ^ (0xd1b54a32d192ed03ull * (round * WILD_TASKS + k + 1)));
		for (unsigned i = 0; i < FUZZ_TASKS; i++)
			KEXPECT_EQ(lx4_exregs(fc[i].thread, LX4_EXREGS_START, 0).err, 0);
		fz_wait(fault, t0 + FUZZ_LIMIT_NS);
		/* everything a fuzzer made goes with its task */
		for (unsigned i = 0; i < FUZZ_TASKS; i++) {
			uint64_t t = now_ns();
			KEXPECT_EQ(lx4_cap_destroy(fc[i].thread), 0);
			KEXPECT_EQ(lx4_cap_destroy(fc[i].task), 0);
			t = now_ns() - t;
			destroy_ns = t > destroy_ns ? t : destroy_ns;
		}
		for (unsigned k = 0; k < WILD_TASKS; k++)
			wild_calls += wild_destroy(&wc[k]);
		uint64_t used = lx4_task_info(LX4_CAP_SELF_TASK).r2;
		if (used != wd_used) {
			dump_fuzzers();
			ktest_fail(__FILE__, __LINE__, "round %u: %ld pages of our quota did not come back", round,
				   (long)(used - wd_used));
		}
		for (unsigned i = 0; i < FUZZ_TASKS; i++)
			if (fz_shared[i].bad)
				ktest_fail(__FILE__, __LINE__, "round %u: %s (%lu bad)", round, fz_shared[i].why,
					   fz_shared[i].bad);
	}
	uint64_t elapsed = now_ns() - t0;
	wd->stop = 1;
	for (unsigned k = 0; k < 100 && !wd->stopped; k++)
		sleep_ns(10000000);
	KASSERT(wd->stopped);
	summary(elapsed, wd);
	printf("fuzz: longest destruction of a fuzzer task: %lu us; wild tasks: %lu calls\n", destroy_ns / 1000,
	       wild_calls);

	KEXPECT_EQ(wd->corrupt, 0);
	KEXPECT_EQ(wd->bad_recv, 0);
	KEXPECT_EQ(wd->fpu_bad, 0);
	KEXPECT_EQ(wd->early, 0);
	KASSERT(wd->wakeups >= 10 && wd->wakeups >= elapsed / WD_PERIOD_NS / 4);
	child_destroy(&wdc);
	KEXPECT_EQ(lx4_task_info(LX4_CAP_SELF_TASK).r2, used0);

	/* the kernel still works: a fresh endpoint, a round trip */
	lx4_cap_t ep = ep_new();
	thread_spawn(echo_server, ep, 100, true);
	for (uint64_t i = 0; i < 10; i++) {
		struct lx4_msg m = msg(5, 1, i, 0, 0);
		KEXPECT_EQ(lx4_call(ep, &m), 0);
		KEXPECT_EQ(m.mr[0], ~i);
	}
}
