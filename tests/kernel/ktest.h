/*
 * The in-guest kernel test framework.  A test is a function registered
 * with KTEST(name); the root task runs each test in a fresh task (rdi =
 * its index) and checks afterwards that nothing leaked.  A failed check
 * reports to the root, which ends the test.
 */
#ifndef KTEST_H
#define KTEST_H

#include "lx4.h"
#include "testproto.h"

struct ktest {
	const char *name;
	void (*fn)(void);
};

#define KTEST(n)                                                                                   \
	static void ktest_##n(void);                                                               \
	static const struct ktest ktest_desc_##n __attribute__((used, section("ktests"), aligned(16))) = { \
		#n, ktest_##n};                                                                    \
	static void ktest_##n(void)

_Noreturn void ktest_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define KASSERT(c)                                                     \
	do {                                                           \
		if (!(c))                                              \
			ktest_fail(__FILE__, __LINE__, "failed: %s", #c); \
	} while (0)

#define KEXPECT_EQ(a, b)                                                                                 \
	do {                                                                                             \
		long long _a = (long long)(a), _b = (long long)(b);                                      \
		if (_a != _b)                                                                            \
			ktest_fail(__FILE__, __LINE__, "%s = %lld (%llx), want %lld (%llx)", #a, _a, _a, _b, _b); \
	} while (0)

/* ---- helpers (tests/kernel/util.c) ------------------------------------- */
extern char __image_start[], _etext[], _end[];

/* a free capability slot of this task */
lx4_cap_t cap_new(void);
/* a zeroed, mapped page of the heap (paged in by the root) */
void *page_new(void);
/* an unused UTCB address (any task of this test) */
uint64_t utcb_new(void);
/* a new endpoint */
lx4_cap_t ep_new(void);

struct child {
	lx4_cap_t task, thread;
	uint64_t stack; /* the stack page (shared with the child) */
};

/* a new thread in this task running fn(arg) at priority prio; the thread
 * is started unless start is false */
lx4_cap_t thread_spawn(void (*fn)(uint64_t), uint64_t arg, unsigned prio, bool start);
/* a new task sharing this image (text, data and bss: the same frames),
 * with a thread running fn(arg); pager/handler are set when not 0 */
void task_spawn(struct child *c, void (*fn)(uint64_t), uint64_t arg, lx4_cap_t pager, lx4_cap_t handler,
		bool start);
void child_destroy(struct child *c);

/* a message with label and up to 7 words */
static inline struct lx4_msg msg(uint64_t label, unsigned n, uint64_t w0, uint64_t w1, uint64_t w2)
{
	struct lx4_msg m = {.tag = lx4_tag(label, n, 0)};
	m.mr[0] = w0;
	m.mr[1] = w1;
	m.mr[2] = w2;
	return m;
}

static inline uint64_t now_ns(void) { return lx4_kip_now_ns((const struct lx4_kip *)TP_KIP); }
static inline const struct lx4_kip *kip(void) { return (const struct lx4_kip *)TP_KIP; }
/* sleeps by receiving with a timeout on a private endpoint */
void sleep_ns(uint64_t ns);
/* the state of a thread (exregs) */
uint64_t thread_state(lx4_cap_t t);
/* waits (yielding) until cond() or about max_ns pass; returns cond() */
bool wait_until(bool (*cond)(void), uint64_t max_ns);

#endif
