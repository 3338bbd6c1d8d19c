/*
 * The kernel-API fuzzer (see test_fuzz.c): what its parts share.
 * fuzz_gen.c makes arguments and keeps a fuzzer alive, fuzz_calls.c makes,
 * records and checks one call, test_fuzz.c has the fuzzer, wild and
 * watchdog tasks and the test.
 */
#ifndef FUZZ_H
#define FUZZ_H

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
#define FZ_MISC          32                    /* FZ_MISC..FZ_HOT: for copies and moves */
#define USER_END         0x00007ffffffff000ull /* the top page is never user memory */

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

#define FZ_ERRS (LX4_ERRMAX + 1) /* the last counts values that are no error code */
extern const char *const fz_op_name[OP_COUNT];
extern const char *const fz_err_name[FZ_ERRS];

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

extern struct fz_stats fz_shared[FUZZ_TASKS];

/* ---- victims: threads that use registers only (fuzz_gen.c) */
void fz_victim_server(void);
void fz_victim_caller(void);
void fz_victim_trap(void);

/* ---- the generator (fuzz_gen.c) */

struct fz {
	uint64_t s; /* xorshift64* */
	unsigned id, epoch;
	struct fz_stats *st;
};

static inline uint64_t rnd(struct fz *f)
{
	uint64_t x = f->s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	f->s = x;
	return x * 0x2545f4914f6cdd1dull;
}

static inline uint64_t below(struct fz *f, uint64_t n)
{
	return rnd(f) % n;
}
static inline bool chance(struct fz *f, unsigned pct)
{
	return below(f, 100) < pct;
}
#define PICK(f, arr) ((arr)[below((f), sizeof(arr) / sizeof((arr)[0]))])

/* each kind of object has its slots (creation puts new ones there), so
 * that a call mostly finds the kind it wants; the rest hold copies */
enum kind { K_ANY, K_EP, K_TASK, K_THREAD, K_IRQ };

uint64_t fz_slot_of(struct fz *f, enum kind k);
uint64_t fz_slot(struct fz *f);
uint64_t fz_dst(struct fz *f, enum kind k);
uint64_t fz_addr(struct fz *f);
uint64_t fz_word(struct fz *f);
uint64_t fz_rip(struct fz *f);
uint64_t fz_rsp(struct fz *f);
uint64_t fz_timeout(struct fz *f);
uint64_t fz_fpage(struct fz *f);
uint64_t fz_iopage(struct fz *f);
uint64_t fz_tcfg_value(struct fz *f, uint64_t what);
/* a random message: the tag in m, words 0-6 in m->mr, all 64 in w */
void fz_msg(struct fz *f, struct lx4_msg *m, uint64_t *w);
/* random receive buffers (a window in scratch) into u */
void fz_set_buffers(struct fz *f, struct lx4_utcb *u);
extern const uint64_t fz_bad_nrs[8];

/* ---- keeping the fuzzer alive (fuzz_gen.c) */
bool fz_hits_protected(uint64_t lo, uint64_t size);
bool fz_fpage_hits_protected(uint64_t fp);
uint64_t fz_src_safe(uint64_t fp, bool *grant);
static inline bool is_self_task(uint64_t c)
{
	return (lx4_cap_t)c == LX4_CAP_SELF_TASK;
}
static inline bool is_self_thread(uint64_t c)
{
	return (lx4_cap_t)c == LX4_CAP_SELF_THREAD;
}

/* ---- calls (fuzz_calls.c) */
void fz_bad(struct fz *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
long fz_ipc(long op, uint64_t cap, struct lx4_msg *m, uint64_t rdx, uint64_t r10);
/* one random call, recorded and checked */
void fz_one(struct fz *f);

#endif
