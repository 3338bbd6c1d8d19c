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
#include "ktest.h"

/* the seed and the sizes can be set at build time (-D), e.g. to explore */
#ifndef FUZZ_SEED
#define FUZZ_SEED 0x6c7834f0220a5eedull
#endif
#ifndef FUZZ_CALLS
#define FUZZ_CALLS 100000 /* in all */
#endif
#ifndef FUZZ_ROUNDS
#define FUZZ_ROUNDS 5 /* fresh fuzzer tasks each round */
#endif
#define FUZZ_TASKS     4
#define FZ_ROUND_CALLS (FUZZ_CALLS / FUZZ_TASKS / FUZZ_ROUNDS)
#ifndef FUZZ_TRACE
#define FUZZ_TRACE 0 /* 1: log every call (slow) */
#endif
#ifndef FUZZ_VERBOSE
#define FUZZ_VERBOSE 0 /* 1: results per call in the summary */
#endif
#define FUZZ_LIMIT_NS (50ull * 1000000000ull) /* the root gives a test 60 s */

#define FZ_PRIO          80
#define WD_PRIO          90
#define VICTIM_PRIO      FZ_PRIO /* so that they are back in their IPC soon */
#define FZ_QUOTA         400
#define FZ_SLOTS         256
#define FZ_HOT           40             /* slots 1..FZ_HOT hold the objects (see fz_setup) */
#define FZ_RESERVE       (FZ_SLOTS - 1) /* the IRQ control cap, never an argument */
#define FZ_EPOCH         2500           /* calls between fresh sets of objects */
#define FZ_STACK_PAGES   4
#define FZ_STACK_TOP     TP_STACK_TOP
#define FZ_IMAGE         0x400000ull /* the image block: 4 MiB at 4 MiB */
#define FZ_IMAGE_END     0x800000ull
#define FZ_SCRATCH       0x0000004000000000ull
#define FZ_REGION        (4ull << 20) /* the scratch region: 4 MiB... */
#define FZ_SCRATCH_PAGES 32           /* ...of which these are mapped at first */
#define FZ_VUTCB(k)      (TP_UTCB_AREA + (k)*4096ull)
#define FZ_VICTIMS       3
#define CHILD_BASE       0x200000ull

/* ---- the shared state: the image's data are the same frames in every task */

enum fz_op {
	OP_CALL,
	OP_REPLY_RECV,
	OP_SEND,
	OP_RECV,
	OP_REPLY_TO,
	OP_YIELD,
	OP_CAP_COPY,
	OP_CAP_MOVE,
	OP_CAP_DELETE,
	OP_CAP_DESTROY,
	OP_CAP_INFO,
	OP_TASK_CREATE,
	OP_TASK_INFO,
	OP_THREAD_CREATE,
	OP_THREAD_CONFIG,
	OP_EXREGS,
	OP_EP_CREATE,
	OP_IRQ_CREATE,
	OP_IRQ_BIND,
	OP_IRQ_ACK,
	OP_MAP,
	OP_UNMAP,
	OP_MAP_QUERY,
	OP_DEBUG,
	OP_BADNR,
	OP_COUNT
};

static const char *const op_name[OP_COUNT] = {
    "call",          "reply_recv", "send",        "recv",       "reply_to",    "yield",     "cap_copy",
    "cap_move",      "cap_delete", "cap_destroy", "cap_info",   "task_create", "task_info", "thread_create",
    "thread_config", "exregs",     "ep_create",   "irq_create", "irq_bind",    "irq_ack",   "map",
    "unmap",         "map_query",  "debug",       "bad_nr",
};

static const uint8_t op_weight[OP_COUNT] = {
    [OP_CALL] = 6,     [OP_REPLY_RECV] = 5,  [OP_SEND] = 6,       [OP_RECV] = 7,          [OP_REPLY_TO] = 4,
    [OP_YIELD] = 1,    [OP_CAP_COPY] = 7,    [OP_CAP_MOVE] = 4,   [OP_CAP_DELETE] = 4,    [OP_CAP_DESTROY] = 3,
    [OP_CAP_INFO] = 3, [OP_TASK_CREATE] = 3, [OP_TASK_INFO] = 2,  [OP_THREAD_CREATE] = 4, [OP_THREAD_CONFIG] = 7,
    [OP_EXREGS] = 7,   [OP_EP_CREATE] = 4,   [OP_IRQ_CREATE] = 2, [OP_IRQ_BIND] = 2,      [OP_IRQ_ACK] = 2,
    [OP_MAP] = 7,      [OP_UNMAP] = 5,       [OP_MAP_QUERY] = 3,  [OP_DEBUG] = 1,         [OP_BADNR] = 1,
};

#define FZ_ERRS (LX4_ERRMAX + 1) /* the last counts values that are no error code */
static const char *const err_name[FZ_ERRS] = {
    "ok",    "EINVAL", "ECAP",  "ETYPE",  "ERIGHTS", "ENOMEM", "EFAULT", "ETIMEOUT",
    "EDEAD", "EABORT", "EBUSY", "ERANGE", "ENOSYS",  "ESTATE", "EXFER",  "other",
};

struct fz_last {
	uint32_t op;
	long err;
	uint64_t a[4];
};

struct fz_stats {
	volatile uint64_t calls;
	volatile int done;
	uint64_t err[FZ_ERRS];
	uint64_t op_calls[OP_COUNT], op_ok[OP_COUNT];
	uint64_t op_err[OP_COUNT][FZ_ERRS];
	uint64_t setup_failed; /* later epochs: objects the earlier ones left may be in the way */
	uint64_t bad;          /* checks that failed; the first is described in why */
	char why[200];
	struct fz_last last[8];
	struct fz_last slowest; /* the longest call during which nothing else ran */
	uint64_t slowest_ns;
	unsigned nlast;
};

static struct fz_stats g_stats[FUZZ_TASKS];

/* ---- victims: threads that use registers only (rbp holds their endpoint),
 * so that any register values are harmless and every thread can be sent
 * here by exregs or an exception reply */
void fz_victim_server(void);
void fz_victim_caller(void);
void fz_victim_trap(void);
_Static_assert(LX4_SYS_CALL == 1 && LX4_SYS_REPLY_RECV == 2 && LX4_SYS_YIELD == 6, "victim syscall numbers");
__asm__(".pushsection .text\n"
	/* echoes the untyped words back; receives with a 2 ms timeout */
	".globl fz_victim_server\n"
	"fz_victim_server:\n"
	"1:	mov %rbp, %rdi\n"
	"	and $63, %esi\n"
	"	mov $2000000, %r10d\n"
	"	mov $2, %eax\n"
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jz 1b\n"
	"	mov $6, %eax\n"
	"	syscall\n"
	"	jmp 1b\n"
	/* calls with label 0x420 and three words, 1 ms timeouts */
	".globl fz_victim_caller\n"
	"fz_victim_caller:\n"
	"1:	mov %rbp, %rdi\n"
	"	mov $0x4200003, %esi\n"
	"	mov $1000000, %edx\n"
	"	mov $1000000, %r10d\n"
	"	mov $1, %eax\n"
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jz 1b\n"
	"	mov $6, %eax\n"
	"	syscall\n"
	"	jmp 1b\n"
	/* exceptions to its handler */
	".globl fz_victim_trap\n"
	"fz_victim_trap:\n"
	"1:	int3\n"
	"	mov $6, %eax\n"
	"	syscall\n"
	"	jmp 1b\n"
	".popsection\n");

/* ---- the generator ------------------------------------------------------- */

struct fz {
	uint64_t s; /* xorshift64* */
	unsigned id, epoch;
	struct fz_stats *st;
};

static uint64_t rnd(struct fz *f)
{
	uint64_t x = f->s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	f->s = x;
	return x * 0x2545f4914f6cdd1dull;
}

static uint64_t below(struct fz *f, uint64_t n)
{
	return rnd(f) % n;
}
static bool chance(struct fz *f, unsigned pct)
{
	return below(f, 100) < pct;
}
#define PICK(f, arr) ((arr)[below((f), sizeof(arr) / sizeof((arr)[0]))])

static const uint64_t special_addr[] = {
    0,
    0xfff,
    0x1000,
    CHILD_BASE,
    0x3ff000,
    ~0ull,
    0xfffffffffffff000ull,
    0xffffffff80000000ull,
    0xffffffff80100000ull,
    0xffff800000000000ull,
    0xffff800000100000ull,
    0x0000800000000000ull,
    0x8000000000000000ull,
    0x00007ffffffff000ull,
    0x00007fffffffe000ull,
    0x00007ffffffffff8ull,
    0x00007fffffe00000ull,
    0x00007fffc0000000ull,
    TP_KIP,
    TP_UTCB,
    TP_HEAP,
    LX4_ROOT_RAM_BASE,
    FZ_STACK_TOP - 4096,
    FZ_SCRATCH - 4096,
    FZ_SCRATCH + FZ_REGION,
};

static uint64_t gen_addr(struct fz *f)
{
	switch (below(f, 16)) {
	case 0:
	case 1:
	case 2:
	case 3:
	case 4: return FZ_SCRATCH + below(f, FZ_REGION / 4096) * 4096;
	case 5: return FZ_SCRATCH + below(f, FZ_SCRATCH_PAGES) * 4096;
	case 6: return FZ_SCRATCH + below(f, FZ_REGION);
	case 7: return CHILD_BASE + below(f, 64) * 4096;
	case 8:
	case 9: return PICK(f, special_addr);
	case 10: return FZ_IMAGE + below(f, 256) * 4096;
	case 11: return (rnd(f) & ((1ull << 47) - 1)) & ~0xfffull;
	case 12: return (rnd(f) & ((1ull << 47) - 1)) & ~((1ull << 21) - 1);
	case 13: return FZ_SCRATCH + below(f, 2) * (1ull << 21);
	case 14: return rnd(f);
	default: return below(f, 512) * 4096;
	}
}

static const uint64_t special_slot[] = {
    0xffffffffull, 0xfffffff2ull, 0xffffffefull, FZ_SLOTS - 2,  FZ_SLOTS,
    FZ_SLOTS + 1,  16383,         16384,         0x80000000ull, 0x100000003ull,
};

/* each kind of object has its slots (creation puts new ones there), so
 * that a call mostly finds the kind it wants; the rest hold copies */
enum kind { K_ANY, K_EP, K_TASK, K_THREAD, K_IRQ };
static const uint8_t kind_first[] = {[K_ANY] = 1, [K_EP] = 2, [K_TASK] = 10, [K_THREAD] = 16, [K_IRQ] = 28};
static const uint8_t kind_count[] = {[K_ANY] = FZ_HOT, [K_EP] = 8, [K_TASK] = 6, [K_THREAD] = 12, [K_IRQ] = 4};
#define FZ_MISC 32 /* 32..FZ_HOT: for copies and moves */

static uint64_t gen_slot_of(struct fz *f, enum kind k)
{
	unsigned r = below(f, 25);
	uint64_t s;
	if (k != K_ANY && r < 16)
		return kind_first[k] + below(f, kind_count[k]);
	switch (r) {
	case 16: return k == K_TASK || chance(f, 50) ? LX4_CAP_SELF_TASK : LX4_CAP_SELF_THREAD;
	case 17: return k == K_THREAD || chance(f, 50) ? LX4_CAP_SELF_THREAD : LX4_CAP_SELF_TASK;
	case 18: return 0;
	case 19: s = PICK(f, special_slot); break;
	case 20: s = 1 + below(f, FZ_SLOTS + 16); break;
	case 21: s = rnd(f); break;
	default: return 1 + below(f, FZ_HOT);
	}
	return (lx4_cap_t)s == FZ_RESERVE ? s - 1 : s;
}

static uint64_t gen_slot(struct fz *f)
{
	return gen_slot_of(f, K_ANY);
}

/* where a new object goes */
static uint64_t gen_dst(struct fz *f, enum kind k)
{
	if (chance(f, 70))
		return kind_first[k] + below(f, kind_count[k]);
	return chance(f, 50) ? FZ_MISC + below(f, FZ_HOT - FZ_MISC + 1) : gen_slot(f);
}

static uint64_t gen_word(struct fz *f)
{
	switch (below(f, 8)) {
	case 0: return below(f, 16);
	case 1: return ~below(f, 16);
	case 2: return 1ull << below(f, 64);
	case 3: return gen_addr(f);
	case 4: return gen_slot(f);
	default: return rnd(f);
	}
}

/* where a thread may be sent: nowhere in the image but the victims */
static uint64_t gen_rip(struct fz *f)
{
	static void (*const victims[])(void) = {fz_victim_server, fz_victim_caller, fz_victim_trap};
	switch (below(f, 8)) {
	case 0:
	case 1:
	case 2: return (uint64_t)PICK(f, victims);
	case 3: return FZ_SCRATCH + below(f, FZ_REGION);
	case 4: return CHILD_BASE + below(f, 0x10000);
	case 5: return below(f, 0x100000);
	case 6:
		return PICK(f, ((const uint64_t[]){0, 0x00007fffffffeffeull, 0x00007ffffffff000ull,
						   0x0000800000000000ull, 0xffffffff80000000ull, ~0ull}));
	default: return FZ_SCRATCH + FZ_REGION + (rnd(f) & ((1ull << 40) - 1));
	}
}

static uint64_t gen_rsp(struct fz *f)
{
	switch (below(f, 4)) {
	case 0: return FZ_SCRATCH + below(f, FZ_REGION / 8) * 8;
	case 1: return CHILD_BASE + 0x3ff8;
	case 2: return PICK(f, ((const uint64_t[]){0, 8, 0x00007ffffffff000ull, 0x0000800000000000ull, ~0ull}));
	default: return gen_rip(f);
	}
}

static uint64_t gen_timeout(struct fz *f)
{
	switch (below(f, 10)) {
	case 0:
	case 1:
	case 2:
	case 3:
	case 4: return LX4_TIMEOUT_ZERO;
	case 5: return 1 + below(f, 1000);
	case 6: return 1000 + below(f, 100000);
	case 7: return 1000000;
	default: return 100000 + below(f, 2000000);
	}
}

static unsigned gen_order(struct fz *f)
{
	static const uint8_t orders[] = {12, 12, 12, 12, 12, 13, 14, 15, 16, 20, 21, 21,
					 22, 23, 30, 0,  1,  11, 38, 39, 46, 47, 48, 63};
	return chance(f, 5) ? below(f, 64) : PICK(f, orders);
}

static uint64_t gen_rights(struct fz *f)
{
	return below(f, 8) << 6;
}

/* a memory fpage (mostly), an I/O one or anything */
static uint64_t gen_fpage(struct fz *f)
{
	unsigned o = gen_order(f);
	uint64_t size = 1ull << o, base;
	switch (below(f, 8)) {
	case 0:
	case 1:
	case 2:
	case 3: base = FZ_SCRATCH + (below(f, FZ_REGION) & ~(size - 1)); break;
	case 4: base = FZ_IMAGE + below(f, 64) * 4096; break;
	case 5: base = CHILD_BASE; break;
	default: base = gen_addr(f);
	}
	if (chance(f, 90))
		base &= ~(size - 1);
	uint64_t type = chance(f, 92) ? LX4_ITEM_MEM : below(f, 8);
	return (base & ~0xfffull) | (type << 9) | gen_rights(f) | o;
}

static uint64_t gen_iopage(struct fz *f)
{
	static const uint16_t ports[] = {TP_RTC_PORT, TP_RTC_PORT, TP_RTC_PORT + 1, 0,     0x60,
					 0x3f8,       0xcf8,       0xfffe,          0xffff};
	static const uint8_t orders[] = {0, 0, 1, 1, 2, 3, 4, 8, 15, 16, 17, 63};
	unsigned port = chance(f, 85) ? PICK(f, ports) : below(f, 0x10000);
	return lx4_iopage(port, PICK(f, orders));
}

/* ---- keeping the fuzzer alive ------------------------------------------ */

static bool overlaps(uint64_t lo, uint64_t size, uint64_t plo, uint64_t phi)
{
	uint64_t hi = lo + size < lo ? ~0ull : lo + size;
	return lo < phi && plo < hi;
}

/* does [lo, lo + size) touch the fuzzer's image, stack, UTCBs or KIP? */
static bool hits_protected(uint64_t lo, uint64_t size)
{
	return overlaps(lo, size, FZ_IMAGE, FZ_IMAGE_END) ||
	       overlaps(lo, size, FZ_STACK_TOP - FZ_STACK_PAGES * 4096ull, FZ_STACK_TOP) ||
	       overlaps(lo, size, TP_KIP, FZ_VUTCB(FZ_VICTIMS));
}

static bool fpage_hits_protected(uint64_t fp)
{
	uint64_t size = 1ull << lx4_fp_order(fp);
	return hits_protected(lx4_fp_base(fp) & ~(size - 1), size);
}

static bool is_self_task(uint64_t c)
{
	return (lx4_cap_t)c == LX4_CAP_SELF_TASK;
}
static bool is_self_thread(uint64_t c)
{
	return (lx4_cap_t)c == LX4_CAP_SELF_THREAD;
}

/* a memory fpage the fuzzer sends or maps from its own space: protected
 * memory leaves read-only and is never granted */
static uint64_t src_safe(uint64_t fp, bool *grant)
{
	if (lx4_fp_type(fp) == LX4_ITEM_MEM && fpage_hits_protected(fp)) {
		fp &= ~LX4_FP_W;
		*grant = false;
	}
	return fp;
}

/* a typed item: as above, and a page-fault or exception reply maps memory
 * items at their offset in the whole space, so no offset may land on a
 * protected range (windows of the fuzzer's threads are in scratch) */
static void item_safe(uint64_t *w0, uint64_t *w1)
{
	if (lx4_fp_type(*w0) != LX4_ITEM_MEM)
		return;
	bool grant = *w1 & LX4_ITEM_GRANT;
	*w0 = src_safe(*w0, &grant);
	if (!grant)
		*w1 &= ~LX4_ITEM_GRANT;
	uint64_t size = 1ull << lx4_fp_order(*w0);
	if (hits_protected(*w1 & ~0xfffull & ~(size - 1), size))
		*w1 = (1ull << 47) | (*w1 & LX4_ITEM_GRANT);
}

/* ---- bookkeeping ---------------------------------------------------------- */

static void fz_bad(struct fz *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fz_bad(struct fz *f, const char *fmt, ...)
{
	if (!f->st->bad++) {
		int n = snprintf(f->st->why, sizeof f->st->why, "fz%u #%lu ", f->id, f->st->calls);
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(f->st->why + n, sizeof f->st->why - n, fmt, ap);
		va_end(ap);
	}
}

static void trace(struct fz *f, unsigned op, const uint64_t *a)
{
	struct fz_last *l = &f->st->last[f->st->nlast++ % 8];
	l->op = op;
	l->err = 1;
	memcpy(l->a, a, sizeof l->a);
	if (FUZZ_TRACE)
		printf("fz%u %lu %s %lx %lx %lx %lx\n", f->id, f->st->calls, op_name[op], a[0], a[1], a[2], a[3]);
}

static void record(struct fz *f, unsigned op, long err)
{
	f->st->last[(f->st->nlast - 1) % 8].err = err;
	f->st->op_calls[op]++;
	if (err > 0 || err <= -LX4_ERRMAX) {
		f->st->err[FZ_ERRS - 1]++;
		fz_bad(f, "%s returned %ld", op_name[op], err);
		return;
	}
	f->st->err[-err]++;
	f->st->op_err[op][-err]++;
	if (!err)
		f->st->op_ok[op]++;
	if ((op == OP_BADNR) != (err == -LX4_ENOSYS))
		fz_bad(f, "%s returned %ld", op_name[op], err);
}

#define USER_END 0x00007ffffffff000ull /* the top page is never user memory */

/* what docs/kernel.md says about arguments: a call that succeeds had valid
 * ones, and an error that names a bad argument comes only for a bad one */
static void check_args(struct fz *f, unsigned op, const uint64_t *a, long err)
{
	bool bad = false;
	switch (op) {
	case OP_CALL:
	case OP_SEND:
	case OP_REPLY_RECV:
	case OP_REPLY_TO: bad = !err && lx4_tag_untyped(a[1]) + 2 * lx4_tag_typed(a[1]) > LX4_MR_COUNT; break;
	case OP_TASK_CREATE: { /* 1 to 16,384 slots, at least one page */
		bool slots = a[2] >= 1 && a[2] <= 16384;
		bad = (!err && (!slots || !a[1])) || (err == -LX4_EINVAL && slots);
		break;
	}
	case OP_IRQ_CREATE: {
		bool line = a[1] < 16 && a[1] != 2;
		bad = (!err && !line) || (err == -LX4_ERANGE && line);
		break;
	}
	case OP_THREAD_CONFIG: {
		uint64_t v = a[2];
		bool einval = false, erange = false;
		switch (a[1]) {
		case LX4_TCFG_PAGER:
		case LX4_TCFG_HANDLER: break;
		case LX4_TCFG_UTCB: einval = (v & 0xfff) || v >= USER_END; break;
		case LX4_TCFG_PRIORITY: erange = v > FZ_PRIO; break;
		case LX4_TCFG_FSBASE:
		case LX4_TCFG_GSBASE: einval = v >= 1ull << 47; break;
		case LX4_TCFG_FOREIGN: einval = v > 1; break;
		case LX4_TCFG_TIMESLICE: erange = v < 1 || v > 1000; break;
		default: einval = true;
		}
		bad =
		    (!err && (einval || erange)) || (err == -LX4_EINVAL && !einval) || (err == -LX4_ERANGE && !erange);
		break;
	}
	case OP_EXREGS: bad = !err && (a[1] > 0x1f || a[2] >> LX4_REG_COUNT); break;
	case OP_MAP:
	case OP_UNMAP: {
		uint64_t flags = op == OP_MAP ? a[3] & ~LX4_MAP_GRANT : a[2] & ~LX4_UNMAP_SELF;
		unsigned type = lx4_fp_type(a[1]);
		bad = !err && (flags || (type != LX4_ITEM_MEM && type != LX4_ITEM_IO));
		break;
	}
	case OP_DEBUG:
		bad = !err && !(a[0] == LX4_DBG_KMEM_FREE || (a[0] == LX4_DBG_WRITE && a[1] <= 8 * LX4_MR_COUNT));
		break;
	}
	if (bad)
		fz_bad(f, "%s(%lx %lx %lx %lx)=%ld", op_name[op], a[0], a[1], a[2], a[3], err);
}

/* a map_query result: rights, order 12 or 21, kernel-owned only for a
 * page; nothing in the top page */
static void check_query(struct fz *f, uint64_t va, uint64_t q)
{
	uint64_t rights = q & 0xffff, order = (q >> 16) & 0xff, kowned = q >> 24;
	bool ok = !q || (!(rights & ~LX4_FP_RWX) && (rights & LX4_FP_R) && kowned <= 1 &&
			 (order == 12 || (order == 21 && !kowned)));
	if (!ok || (q && va >= USER_END))
		fz_bad(f, "map_query(%lx) = %lx", va, q);
}

/* a new object sits in slot with all rights and no badge */
static void check_new(struct fz *f, uint64_t slot, unsigned type)
{
	struct lx4_sysret r = lx4_cap_info(LX4_CAP_SELF_TASK, (lx4_cap_t)slot);
	if (r.err || r.r1 != type || r.r2 != LX4_R_ALL || r.r3)
		fz_bad(f, "new object (type %u) in slot %lx: info %ld type %lx rights %lx badge %lx", type, slot, r.err,
		       r.r1, r.r2, r.r3);
}

/* ---- the calls ------------------------------------------------------------ */

static long fz_ipc(long op, uint64_t cap, struct lx4_msg *m, uint64_t rdx_in, uint64_t r10_in)
{
	long err;
	uint64_t rdi = cap, rsi = m->tag;
	register uint64_t rdx __asm__("rdx") = rdx_in;
	register uint64_t r10 __asm__("r10") = r10_in;
	register uint64_t r8 __asm__("r8") = m->mr[0];
	register uint64_t r9 __asm__("r9") = m->mr[1];
	register uint64_t r12 __asm__("r12") = m->mr[2];
	register uint64_t r13 __asm__("r13") = m->mr[3];
	register uint64_t r14 __asm__("r14") = m->mr[4];
	register uint64_t r15 __asm__("r15") = m->mr[5];
	register uint64_t rbx __asm__("rbx") = m->mr[6];
	__asm__ volatile("syscall"
			 : "=a"(err), "+D"(rdi), "+S"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9), "+r"(r12),
			   "+r"(r13), "+r"(r14), "+r"(r15), "+r"(rbx)
			 : "a"(op)
			 : "rcx", "r11", "memory");
	m->badge = rdi;
	m->tag = rsi;
	return err;
}

static void gen_item(struct fz *f, uint64_t *w0, uint64_t *w1)
{
	uint64_t grant = chance(f, 15) ? LX4_ITEM_GRANT : 0;
	switch (below(f, 10)) {
	case 0:
	case 1:
	case 2:
	case 3:
	case 4: {
		*w0 = gen_fpage(f);
		uint64_t size = 1ull << lx4_fp_order(*w0);
		uint64_t off = chance(f, 70) ? below(f, 64) * 4096 : gen_addr(f);
		if (chance(f, 80))
			off &= ~(size - 1);
		*w1 = (off & ~0xfffull) | grant;
		break;
	}
	case 5:
	case 6:
	case 7:
		*w0 = lx4_capitem((lx4_cap_t)gen_slot(f), (unsigned)rnd(f));
		*w1 = grant | (chance(f, 10) ? rnd(f) & ~1ull : 0);
		break;
	case 8:
		*w0 = gen_iopage(f);
		*w1 = grant;
		break;
	default: *w0 = gen_word(f); *w1 = gen_word(f);
	}
	item_safe(w0, w1);
}

static const uint8_t untyped_counts[] = {0, 0, 0, 1, 1, 2, 3, 3, 5, 6, 7, 8, 9, 10, 12, 19, 20, 21, 22, 40, 62, 63};

/* a random message: the tag in m, words 0-6 in m->mr, all 64 in w */
static void gen_msg(struct fz *f, struct lx4_msg *m, uint64_t *w)
{
	unsigned u = chance(f, 5) ? below(f, 64) : PICK(f, untyped_counts);
	unsigned t = chance(f, 60) ? 0 : chance(f, 80) ? 1 + below(f, 3) : below(f, 16);
	static const uint64_t labels[] = {0,
					  1,
					  0x420,
					  LX4_LABEL_PAGEFAULT,
					  LX4_LABEL_EXCEPTION,
					  LX4_LABEL_SYSCALL,
					  LX4_LABEL_IRQ,
					  TP_START,
					  TP_RESULT,
					  0xffffffffffffull};
	uint64_t label = chance(f, 70) ? PICK(f, labels) : rnd(f) >> 16;
	uint64_t flags = chance(f, 10) ? rnd(f) & 0xfc00 : 0;
	m->tag = (label << 16) | flags | ((uint64_t)t << 6) | u;
	for (unsigned i = 0; i < LX4_MR_COUNT; i++)
		w[i] = gen_word(f);
	/* an exception or syscall reply writes the words to the registers */
	w[LX4_REG_RIP] = gen_rip(f);
	w[LX4_REG_RSP] = gen_rsp(f);
	w[LX4_REG_FSBASE] = chance(f, 50) ? w[LX4_REG_FSBASE] : gen_addr(f);
	for (unsigned k = 0; k < t && u + 2 * k + 1 < LX4_MR_COUNT; k++)
		gen_item(f, &w[u + 2 * k], &w[u + 2 * k + 1]);
	for (unsigned i = 0; i < LX4_MR_REGS; i++)
		m->mr[i] = w[i];
}

static const uint64_t quotas[] = {0, 1, 2, 3, 4, 6, 8, 16, 32, 64, 200, 1000, ~0ull, 1ull << 40};
static const uint64_t cap_counts[] = {0, 1, 2, 8, 64, 128, 129, 1024, 16383, 16384, 16385, ~0ull, (1ull << 32) | 5};
static const uint64_t lines[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, ~0ull, 1ull << 32};
static const uint64_t bad_nrs[] = {0, LX4_SYS_COUNT, LX4_SYS_COUNT + 1, 64, 255, 0x100000001ull, ~0ull, 1ull << 63};

static uint64_t gen_tcfg_value(struct fz *f, uint64_t what)
{
	switch (what) {
	case LX4_TCFG_PAGER:
	case LX4_TCFG_HANDLER: return chance(f, 15) ? 0 : gen_slot_of(f, K_EP);
	case LX4_TCFG_UTCB: return chance(f, 85) ? gen_addr(f) & ~0xfffull : gen_addr(f);
	case LX4_TCFG_PRIORITY:
		return PICK(
		    f, ((const uint64_t[]){0, 1, 50, VICTIM_PRIO, FZ_PRIO - 1, FZ_PRIO, FZ_PRIO + 1, 255, 256, ~0ull}));
	case LX4_TCFG_FOREIGN: return PICK(f, ((const uint64_t[]){0, 0, 1, 2, ~0ull}));
	case LX4_TCFG_TIMESLICE: return PICK(f, ((const uint64_t[]){0, 1, 1, 2, 5, 10, 10, 50, 1000, 1001, ~0ull}));
	default: return gen_word(f);
	}
}

/* one random call, recorded and checked */
static void fz_one(struct fz *f)
{
	unsigned total = 0, op = 0;
	for (unsigned i = 0; i < OP_COUNT; i++)
		total += op_weight[i];
	for (unsigned r = below(f, total); r >= op_weight[op]; op++)
		r -= op_weight[op];

	struct lx4_utcb *u = lx4_utcb();
	uint64_t a[6] = {0}, w[LX4_MR_COUNT];
	struct lx4_msg m;
	struct lx4_sysret r = {0};
	for (unsigned i = 0; i < 6; i++)
		a[i] = chance(f, 50) ? 0 : gen_word(f); /* what a call does not use */

	switch (op) {
	case OP_CALL:
	case OP_REPLY_RECV:
	case OP_SEND:
	case OP_RECV:
	case OP_REPLY_TO: {
		static const long nr[] = {[OP_CALL] = LX4_SYS_CALL,
					  [OP_REPLY_RECV] = LX4_SYS_REPLY_RECV,
					  [OP_SEND] = LX4_SYS_SEND,
					  [OP_RECV] = LX4_SYS_RECV,
					  [OP_REPLY_TO] = LX4_SYS_REPLY_TO};
		a[0] = gen_slot_of(f, op == OP_REPLY_TO ? K_THREAD : K_EP);
		gen_msg(f, &m, w);
		a[1] = m.tag;
		if (op != OP_REPLY_RECV && op != OP_RECV)
			a[2] = gen_timeout(f);
		if (op == OP_CALL || op == OP_REPLY_RECV || op == OP_RECV)
			a[3] = gen_timeout(f);
		trace(f, op, a);
		memcpy(&u->mr[LX4_MR_REGS], &w[LX4_MR_REGS], sizeof(w) - LX4_MR_REGS * sizeof(w[0]));
		r.err = fz_ipc(nr[op], a[0], &m, a[2], a[3]);
		break;
	}
	case OP_YIELD:
		trace(f, op, a);
		r.err = lx4_yield();
		break;
	case OP_CAP_COPY:
		a[0] = gen_slot_of(f, K_TASK);
		a[1] = gen_dst(f, (enum kind)below(f, K_IRQ + 1));
		a[2] = gen_slot(f);
		a[3] = chance(f, 70) ? below(f, 0x20) : rnd(f);
		a[4] = chance(f, 50) ? 0 : gen_word(f);
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_CAP_COPY, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (!r.err && is_self_task(a[0])) {
			/* at most the rights asked for; a badge only on an endpoint */
			struct lx4_sysret i = lx4_cap_info(LX4_CAP_SELF_TASK, (lx4_cap_t)a[1]);
			if (i.err || (i.r2 & ~a[3]) || (a[4] && ((i.r1 & 0xff) != LX4_OBJ_ENDPOINT || i.r3 != a[4])))
				fz_bad(f, "cap_copy(%lx %lx %lx) badge %lx: %ld %lx %lx %lx", a[1], a[2], a[3], a[4],
				       i.err, i.r1, i.r2, i.r3);
		}
		break;
	case OP_CAP_MOVE:
		a[0] = gen_slot_of(f, K_TASK);
		a[1] = gen_dst(f, (enum kind)below(f, K_IRQ + 1));
		a[2] = gen_slot(f);
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_CAP_MOVE, a[0], a[1], a[2], a[3], a[4], a[5]);
		break;
	case OP_CAP_DELETE:
		a[0] = gen_slot_of(f, K_TASK);
		a[1] = gen_slot(f);
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_CAP_DELETE, a[0], a[1], a[2], a[3], a[4], a[5]);
		break;
	case OP_CAP_DESTROY:
		a[0] = gen_slot(f);
		if (is_self_task(a[0]) || is_self_thread(a[0]))
			a[0] = 1 + below(f, FZ_HOT);
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_CAP_DESTROY, a[0], a[1], a[2], a[3], a[4], a[5]);
		break;
	case OP_CAP_INFO:
		a[0] = gen_slot_of(f, K_TASK);
		a[1] = gen_slot(f);
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_CAP_INFO, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (!r.err && ((r.r1 & 0xff) == 0 || (r.r1 & 0xff) >= LX4_OBJ_TYPES || r.r1 >> 9 || r.r2 & ~0x1full))
			fz_bad(f, "cap_info(%lx, %lx): type %lx rights %lx", a[0], a[1], r.r1, r.r2);
		break;
	case OP_TASK_CREATE:
		a[0] = gen_dst(f, K_TASK);
		a[1] = chance(f, 90) ? PICK(f, quotas) : rnd(f);
		a[2] = chance(f, 90) ? PICK(f, cap_counts) : rnd(f);
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_TASK_CREATE, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (!r.err) {
			check_new(f, a[0], LX4_OBJ_TASK);
			struct lx4_sysret i = lx4_task_info((lx4_cap_t)a[0]);
			if (i.err || i.r1 != a[1] || i.r2 > i.r1 || i.r3)
				fz_bad(f, "new task (quota %lx): info %ld %lx %lx %lx", a[1], i.err, i.r1, i.r2, i.r3);
		}
		break;
	case OP_TASK_INFO:
		a[0] = gen_slot_of(f, K_TASK);
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_TASK_INFO, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (!r.err && r.r2 > r.r1)
			fz_bad(f, "task_info(%lx): quota %lu used %lu", a[0], r.r1, r.r2);
		break;
	case OP_THREAD_CREATE:
		a[0] = gen_dst(f, K_THREAD);
		a[1] = gen_slot_of(f, K_TASK);
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_THREAD_CREATE, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (!r.err) {
			check_new(f, a[0], LX4_OBJ_THREAD);
			struct lx4_sysret s = lx4_exregs((lx4_cap_t)a[0], 0, 0);
			if (s.err || s.r1 != LX4_TSTATE_INACTIVE)
				fz_bad(f, "new thread: state %ld %lu", s.err, s.r1);
		}
		break;
	case OP_THREAD_CONFIG:
		a[0] = gen_slot_of(f, K_THREAD);
		a[1] = chance(f, 90) ? 1 + below(f, LX4_TCFG_TIMESLICE)
				     : PICK(f, ((const uint64_t[]){0, 9, ~0ull, 1ull << 32 | 4}));
		a[2] = gen_tcfg_value(f, a[1]);
		if (is_self_thread(a[0])) {
			if (a[1] == LX4_TCFG_PAGER || a[1] == LX4_TCFG_HANDLER || a[1] == LX4_TCFG_FSBASE)
				a[0] = 1 + below(f, FZ_HOT);
			else if (a[1] == LX4_TCFG_FOREIGN && a[2] == 1)
				a[2] = 0;
			else if (a[1] == LX4_TCFG_PRIORITY && a[2] < FZ_PRIO)
				a[2] = FZ_PRIO + (a[2] & 1);
		}
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_THREAD_CONFIG, a[0], a[1], a[2], a[3], a[4], a[5]);
		break;
	case OP_EXREGS: {
		a[0] = gen_slot_of(f, K_THREAD);
		switch (below(f, 10)) {
		case 0: a[1] = LX4_EXREGS_WRITE | LX4_EXREGS_START; break;
		case 1: a[1] = LX4_EXREGS_STOP; break;
		case 2: a[1] = LX4_EXREGS_READ; break;
		case 3: a[1] = rnd(f); break;
		default: a[1] = below(f, 0x20);
		}
		switch (below(f, 10)) {
		case 0: a[2] = 0; break;
		case 1: a[2] = 1ull << below(f, 21); break;
		case 2: a[2] = 1ull << LX4_REG_RIP | 1ull << LX4_REG_RSP | 1ull << LX4_REG_RBP; break;
		case 3: a[2] = rnd(f); break;
		default: a[2] = below(f, 1u << LX4_REG_COUNT);
		}
		if (is_self_thread(a[0])) {
			a[1] &= ~LX4_EXREGS_STOP;
			a[2] &= 1ull << LX4_REG_RAX | 1ull << LX4_REG_RDI | 1ull << LX4_REG_RSI | 1ull << LX4_REG_RDX |
				1ull << LX4_REG_R10 | 1ull << LX4_REG_R8 | 1ull << LX4_REG_R9 | 1ull << LX4_REG_RCX |
				1ull << LX4_REG_R11 | 1ull << LX4_REG_GSBASE;
		}
		for (unsigned i = 0; i < LX4_REG_COUNT; i++)
			w[i] = gen_word(f);
		w[LX4_REG_RIP] = gen_rip(f);
		w[LX4_REG_RSP] = gen_rsp(f);
		w[LX4_REG_RBP] = chance(f, 70) ? gen_slot_of(f, K_EP) : w[LX4_REG_RBP];
		w[LX4_REG_FSBASE] = chance(f, 70) ? gen_addr(f) : w[LX4_REG_FSBASE];
		trace(f, op, a);
		memcpy(u->mr, w, LX4_REG_COUNT * sizeof(w[0]));
		r = lx4_syscall(LX4_SYS_THREAD_EXREGS, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (!r.err && r.r1 > LX4_TSTATE_DEAD)
			fz_bad(f, "exregs(%lx, %lx): state %lu", a[0], a[1], r.r1);
		break;
	}
	case OP_EP_CREATE:
		a[0] = gen_dst(f, K_EP);
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_EP_CREATE, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (!r.err)
			check_new(f, a[0], LX4_OBJ_ENDPOINT);
		break;
	case OP_IRQ_CREATE:
		a[0] = chance(f, 70) ? 1 : gen_slot(f);
		a[1] = PICK(f, lines);
		a[2] = gen_dst(f, K_IRQ);
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_IRQ_CREATE, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (!r.err)
			check_new(f, a[2], LX4_OBJ_IRQ);
		break;
	case OP_IRQ_BIND:
		a[0] = gen_slot_of(f, K_IRQ);
		a[1] = chance(f, 25) ? 0 : gen_slot_of(f, K_EP);
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_IRQ_BIND, a[0], a[1], a[2], a[3], a[4], a[5]);
		break;
	case OP_IRQ_ACK:
		a[0] = gen_slot_of(f, K_IRQ);
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_IRQ_ACK, a[0], a[1], a[2], a[3], a[4], a[5]);
		break;
	case OP_MAP: {
		a[0] = gen_slot_of(f, K_TASK);
		a[1] = chance(f, 85) ? gen_fpage(f) : gen_iopage(f);
		a[2] = gen_addr(f);
		if (chance(f, 80))
			a[2] &= ~((1ull << lx4_fp_order(a[1])) - 1);
		a[3] = chance(f, 70) ? 0 : chance(f, 90) ? LX4_MAP_GRANT : rnd(f);
		bool grant = a[3] & LX4_MAP_GRANT;
		a[1] = src_safe(a[1], &grant);
		if (!grant)
			a[3] &= ~LX4_MAP_GRANT;
		uint64_t size = 1ull << lx4_fp_order(a[1]);
		if (is_self_task(a[0]) && lx4_fp_type(a[1]) == LX4_ITEM_MEM && hits_protected(a[2] & ~(size - 1), size))
			a[2] = LX4_USER_TOP;
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_MAP, a[0], a[1], a[2], a[3], a[4], a[5]);
		break;
	}
	case OP_UNMAP:
		a[0] = gen_slot_of(f, K_TASK);
		a[1] = chance(f, 85) ? gen_fpage(f) : gen_iopage(f);
		a[2] = chance(f, 45) ? 0 : chance(f, 90) ? LX4_UNMAP_SELF : rnd(f);
		if (is_self_task(a[0]) && lx4_fp_type(a[1]) == LX4_ITEM_MEM && fpage_hits_protected(a[1]))
			a[2] &= ~LX4_UNMAP_SELF;
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_UNMAP, a[0], a[1], a[2], a[3], a[4], a[5]);
		break;
	case OP_MAP_QUERY:
		a[0] = gen_slot_of(f, K_TASK);
		a[1] = gen_addr(f);
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_MAP_QUERY, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (!r.err)
			check_query(f, a[1], r.r1);
		break;
	case OP_DEBUG:
		/* no writes of random bytes to the log: lengths 0 or too long */
		a[0] = PICK(f, ((const uint64_t[]){LX4_DBG_WRITE, LX4_DBG_KMEM_FREE, 0, 3, ~0ull, 1ull << 32 | 1}));
		a[1] = PICK(f, ((const uint64_t[]){0, 8 * LX4_MR_COUNT + 1, 4096, ~0ull}));
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_DEBUG, a[0], a[1], a[2], a[3], a[4], a[5]);
		break;
	default:
		a[3] = PICK(f, bad_nrs);
		trace(f, op, a);
		r = lx4_syscall((long)a[3], a[0], a[1], a[2], a[3], a[4], a[5]);
		break;
	}
	record(f, op, r.err);
	check_args(f, op, a, r.err);
}

/* the fuzzer's own receive buffers: a window somewhere in scratch */
static uint64_t gen_window(struct fz *f)
{
	if (chance(f, 10))
		return 0;
	unsigned o = 12 + below(f, 11);
	uint64_t base = FZ_SCRATCH + (below(f, FZ_REGION) & ~((1ull << o) - 1));
	return lx4_fpage(base, o, gen_rights(f));
}

static void set_buffers(struct fz *f, struct lx4_utcb *u)
{
	u->br_mem = gen_window(f);
	u->br_cap = chance(f, 20) ? 0 : LX4_BR_CAP_VALID | (chance(f, 80) ? 1 + below(f, FZ_HOT) : gen_slot(f));
	u->br_io = chance(f, 50);
}

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
		set_buffers(f, (struct lx4_utcb *)FZ_VUTCB(k));
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
	struct fz f = {.id = (unsigned)id, .st = &g_stats[id]};
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
			set_buffers(&f, u);
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
			a[i] = chance(&f, 40) ? 1 + below(&f, 16) : gen_word(&f);
		long nr = chance(&f, 97) ? 1 + (long)below(&f, LX4_SYS_COUNT - 1) : (long)PICK(&f, bad_nrs);
		if (nr <= LX4_SYS_REPLY_TO) {
			struct lx4_msg m;
			gen_msg(&f, &m, w);
			memcpy(&u->mr[LX4_MR_REGS], &w[LX4_MR_REGS], sizeof(w) - LX4_MR_REGS * sizeof(w[0]));
			uint64_t t1 = chance(&f, 3) ? LX4_TIMEOUT_NEVER : gen_timeout(&f);
			uint64_t t2 = chance(&f, 3) ? LX4_TIMEOUT_NEVER : gen_timeout(&f);
			fz_ipc(nr, a[0], &m, t1, t2);
		} else {
			if (nr == LX4_SYS_MAP || nr == LX4_SYS_UNMAP || nr == LX4_SYS_MAP_QUERY)
				a[1] = chance(&f, 85) ? gen_fpage(&f) : gen_iopage(&f);
			if (nr == LX4_SYS_MAP)
				a[2] = gen_addr(&f);
			if (nr == LX4_SYS_THREAD_CONFIG)
				a[2] = gen_tcfg_value(&f, a[1] = 1 + below(&f, LX4_TCFG_TIMESLICE + 1));
			if (nr == LX4_SYS_DEBUG && a[0] == LX4_DBG_WRITE)
				a[1] = 0; /* no random bytes in the log */
			if (nr == LX4_SYS_THREAD_EXREGS) {
				for (unsigned i = 0; i < LX4_REG_COUNT; i++)
					u->mr[i] = gen_word(&f);
				u->mr[LX4_REG_RIP] = chance(&f, 30) ? (uint64_t)fz_wild : gen_rip(&f);
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
		struct fz_stats *st = &g_stats[i];
		printf("fuzz: fuzzer %u: %lu calls%s; last:", i, st->calls, st->done ? ", done" : "");
		for (unsigned k = st->nlast > 8 ? st->nlast - 8 : 0; k < st->nlast; k++) {
			struct fz_last *l = &st->last[k % 8];
			printf(" %s(%lx %lx %lx %lx)=%ld", op_name[l->op], l->a[0], l->a[1], l->a[2], l->a[3], l->err);
		}
		printf("\n");
	}
}

static void summary(uint64_t ns, const struct wd_shared *wd)
{
	uint64_t err[FZ_ERRS] = {0}, calls[OP_COUNT] = {0}, ok[OP_COUNT] = {0}, n = 0;
	for (unsigned i = 0; i < FUZZ_TASKS; i++) {
		n += g_stats[i].calls;
		for (unsigned e = 0; e < FZ_ERRS; e++)
			err[e] += g_stats[i].err[e];
		for (unsigned o = 0; o < OP_COUNT; o++) {
			calls[o] += g_stats[i].op_calls[o];
			ok[o] += g_stats[i].op_ok[o];
		}
	}
	printf("fuzz: %lu calls (%u rounds x %u tasks x %u) in %lu ms guest time\n", n, FUZZ_ROUNDS, FUZZ_TASKS,
	       FZ_ROUND_CALLS, ns / 1000000);
	char buf[400];
	int len = 0;
	for (unsigned e = 0; e < FZ_ERRS; e++)
		if (err[e])
			len += snprintf(buf + len, sizeof buf - len, " %s %lu", err_name[e], err[e]);
	printf("fuzz: results:%s\n", buf);
	len = 0;
	for (unsigned o = 0; o < OP_COUNT; o++) {
		len += snprintf(buf + len, sizeof buf - len, " %s %lu/%lu", op_name[o], ok[o], calls[o]);
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
				c += g_stats[i].op_err[o][e];
			if (c)
				len += snprintf(buf + len, sizeof buf - len, " %s %lu", err_name[e], c);
		}
		printf("fuzz: %s:%s\n", op_name[o], buf);
	}
	struct fz_stats *slow = &g_stats[0];
	for (unsigned i = 1; i < FUZZ_TASKS; i++)
		if (g_stats[i].slowest_ns > slow->slowest_ns)
			slow = &g_stats[i];
	printf("fuzz: slowest call: %lu us, %s(%lx %lx %lx %lx)=%ld\n", slow->slowest_ns / 1000,
	       op_name[slow->slowest.op], slow->slowest.a[0], slow->slowest.a[1], slow->slowest.a[2],
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
			done = done && g_stats[i].done;
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
	memset(g_stats, 0, sizeof g_stats);
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
			g_stats[i].done = 0;
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
			if (g_stats[i].bad)
				ktest_fail(__FILE__, __LINE__, "round %u: %s (%lu bad)", round, g_stats[i].why,
					   g_stats[i].bad);
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
