/*
 * Helpers of the thread, exception, foreign-ABI, scheduling, FPU and IRQ
 * tests: whole messages as word arrays, threads with a handler, waiting,
 * and "victims": assembly routines that load every register with a known
 * pattern, run one instruction (the fault site), and record every register
 * afterwards (tests/kernel/victim.c).
 */
#ifndef KTHREAD_H
#define KTHREAD_H

#include "ktest.h"

/* the pattern a victim loads into register i (frame order, enum lx4_reg) */
#define VPAT(i) (0x7e57000000000000ull | ((uint64_t)(i) << 8) | 0x5a)

/* registers (frame order) a victim saw after its fault site; RIP is 0 */
extern volatile uint64_t victim_out[LX4_REG_COUNT];
/* victims that reached the end (each then destroys itself) */
extern volatile uint64_t victim_done;
/* the stack pointer the victim had at its fault site */
extern volatile uint64_t victim_rsp;
/* a zero word (divide by it) */
extern volatile uint64_t victim_zero;

/* each victim: name (the entry for thread_spawn), name_fault (the fault
 * site), name_after (where the victim goes on to record its registers) */
#define VICTIM_DECL(n)    \
	void n(uint64_t); \
	extern char n##_fault[], n##_after[]
VICTIM_DECL(victim_ud2);
VICTIM_DECL(victim_int3);
VICTIM_DECL(victim_int3_long); /* int $3: the two-byte form */
VICTIM_DECL(victim_div0);
VICTIM_DECL(victim_cli);
VICTIM_DECL(victim_hlt);
VICTIM_DECL(victim_mov_cr3);
VICTIM_DECL(victim_read_cr0);
VICTIM_DECL(victim_rdmsr);
VICTIM_DECL(victim_swapgs);
VICTIM_DECL(victim_lidt);
VICTIM_DECL(victim_inb_port60);
VICTIM_DECL(victim_int80);
VICTIM_DECL(victim_int_timer);
VICTIM_DECL(victim_noncanonical);
VICTIM_DECL(victim_ud2_cli);    /* ud2, then cli: for rflags tests */
VICTIM_DECL(victim_spin);       /* spins at its fault site until moved on */
VICTIM_DECL(victim_syscall);    /* one syscall (for foreign-ABI threads) */
VICTIM_DECL(victim_tf_syscall); /* sets TF itself, then syscall (yield) */
VICTIM_DECL(victim_simd_div0);  /* divss by zero with ZE unmasked: #XM */
VICTIM_DECL(victim_x87_div0);   /* fdiv by zero with ZE unmasked, then fwait: #MF */
extern char victim_store[];     /* where every victim's after site jumps */

void victim_reset(void);

/* the value of register i as the victim had it before its fault site */
static inline uint64_t vpat(unsigned i)
{
	return i == LX4_REG_RSP ? victim_rsp : VPAT(i);
}

/* all words of a message: MR0-6 from m, the rest from the UTCB */
static inline void msg_words(const struct lx4_msg *m, uint64_t *w)
{
	unsigned n = lx4_tag_untyped(m->tag) + 2 * lx4_tag_typed(m->tag);
	for (unsigned i = 0; i < n; i++)
		w[i] = i < LX4_MR_REGS ? m->mr[i] : lx4_utcb()->mr[i];
}

/* a message of n words from w[] (words 7 and up go to the UTCB) */
static inline struct lx4_msg words_msg(uint64_t label, unsigned n, const uint64_t *w)
{
	struct lx4_msg m = {.tag = lx4_tag(label, n, 0)};
	for (unsigned i = 0; i < n; i++) {
		if (i < LX4_MR_REGS)
			m.mr[i] = w[i];
		else
			lx4_utcb()->mr[i] = w[i];
	}
	return m;
}

/* receives on ep and copies the message's words to w */
static inline long recv_words(lx4_cap_t ep, struct lx4_msg *m, uint64_t *w, uint64_t timeout)
{
	long e = lx4_recv(ep, m, timeout);
	if (!e)
		msg_words(m, w);
	return e;
}

/* a thread (not started) with its exception handler set, then started */
static inline lx4_cap_t spawn_handled(void (*fn)(uint64_t), uint64_t arg, unsigned prio, lx4_cap_t handler)
{
	lx4_cap_t t = thread_spawn(fn, arg, prio, false);
	if (handler)
		KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_HANDLER, handler), 0);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_START, 0).err, 0);
	return t;
}

/* a register of thread t (exregs READ) */
static inline uint64_t reg_of(lx4_cap_t t, unsigned i)
{
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_READ, 0).err, 0);
	return lx4_utcb()->mr[i];
}

/* writes register i of t (and nothing else) */
static inline long reg_write(lx4_cap_t t, unsigned i, uint64_t v, uint64_t flags)
{
	lx4_utcb()->mr[i] = v;
	return lx4_exregs(t, LX4_EXREGS_WRITE | flags, 1ull << i).err;
}

/* sleeps in 1 ms steps until *p != 0 or max_ns pass (lower-priority
 * threads run meanwhile); returns *p */
static inline uint64_t wait_nz(volatile uint64_t *p, uint64_t max_ns)
{
	uint64_t end = now_ns() + max_ns;
	while (!*p && now_ns() < end)
		sleep_ns(1000000);
	return *p;
}

/* sleeps until thread t is in state s (or max_ns pass) */
static inline bool wait_state(lx4_cap_t t, uint64_t s, uint64_t max_ns)
{
	uint64_t end = now_ns() + max_ns;
	while (thread_state(t) != s && now_ns() < end)
		sleep_ns(1000000);
	return thread_state(t) == s;
}

#define MS 1000000ull

#endif
