/*
 * Helpers shared by the memory tests (test_map.c, test_fault.c,
 * test_items.c, test_io.c): children that report failures to the root,
 * an "agent" thread that runs system calls in a child task on request,
 * and tiny assembly routines with known instruction addresses for checking
 * fault addresses and rips.
 */
#ifndef MEMTEST_H
#define MEMTEST_H

#include "ktest.h"

/* child slots */
#define AG_EP       2u /* the agent's endpoint (RECV) */
#define AG_FREE_CAP 3u /* further caps given to a child */

/* agent operations (message labels); results come back in MR0.. */
enum ag_op {
	AG_MAP = 1,  /* MR0 task slot, MR1 fpage, MR2 dst, MR3 flags -> err */
	AG_UNMAP,    /* MR0 task slot, MR1 fpage, MR2 flags -> err */
	AG_READ,     /* MR0 address -> value */
	AG_WRITE,    /* MR0 address, MR1 value */
	AG_SETBR,    /* MR0 br_mem, MR1 br_cap, MR2 br_io */
	AG_ECHO,     /* -> MR0 tag received, MR1.. the words received */
	AG_INB,      /* MR0 port -> value */
	AG_OUTB,     /* MR0 port, MR1 value */
	AG_SEND,     /* MR0 ep slot, MR1 tag, MR2..MR6 words -> err of a send */
	AG_QUERY,    /* MR0 task slot, MR1 address -> rights, derived, err */
	AG_UTCB,     /* -> the address of the agent UTCB */
	AG_REPLYMAP, /* MR0 fpage, MR1 offset: the reply carries that item */
};
/* the tag of the last message an agent received, and its last MR0 result */
extern volatile uint64_t ag_last_tag, ag_last_r0;

/* a child task (see task_spawn) whose slot 1 is our root endpoint, so
 * that a failed check in the child fails the test */
void mt_spawn(struct child *c, void (*fn)(uint64_t), uint64_t arg, lx4_cap_t pager, lx4_cap_t handler, bool start);
/* destroys a child whose thread may have ended (destroyed itself) */
void mt_destroy(struct child *c);
/* a child running the agent; *ep is our endpoint to talk to it */
void agent_spawn(struct child *c, lx4_cap_t *ep, lx4_cap_t pager, lx4_cap_t handler);
/* a call to an agent (2 s reply timeout); returns MR0 (MR1, MR2 in agent_r1, agent_r2) */
uint64_t agent_call(lx4_cap_t ep, uint64_t op, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
/* a call to an agent with message m (1 s send, 2 s reply timeout) */
long agent_ipc(lx4_cap_t ep, struct lx4_msg *m);
/* a send to an agent: for operations that fault (the reply is dropped) */
void agent_send(lx4_cap_t ep, uint64_t op, uint64_t a0, uint64_t a1);
extern uint64_t agent_r1, agent_r2; /* MR1, MR2 of the last agent_call */

/* map_query: rights/order word, and derived count */
static inline uint64_t q_rights(lx4_cap_t task, uint64_t va)
{
	struct lx4_sysret r = lx4_map_query(task, va);
	KEXPECT_EQ(r.err, 0);
	return r.r1;
}
static inline uint64_t q_derived(lx4_cap_t task, uint64_t va)
{
	struct lx4_sysret r = lx4_map_query(task, va);
	KEXPECT_EQ(r.err, 0);
	return r.r2;
}
#define Q_4K(r)  ((12ull << 16) | (r)) /* a 4 KiB mapping with rights r */
#define Q_KOWNED (1ull << 24)
#define RW       (LX4_FP_R | LX4_FP_W)
#define RX       (LX4_FP_R | LX4_FP_X)

/* receives one message on ep (1 s timeout) and checks it is a page fault
 * at addr with access bits; returns the rip (the badge goes to pf_badge) */
uint64_t expect_pf(lx4_cap_t ep, uint64_t addr, uint64_t access);
extern uint64_t pf_badge;
/* receives one exception message on ep (1 s timeout) and checks the
 * vector; *m gets MR0-6, the rest is in our UTCB */
void expect_exc(lx4_cap_t ep, unsigned vector, struct lx4_msg *m);
/* replies to thread t with one memory item: fpage mapped at dst */
void reply_map(lx4_cap_t t, uint64_t fpage, uint64_t dst);
/* replies to thread t with nothing */
void reply_empty(lx4_cap_t t);

/* a heap page filled with a pattern derived from seed */
uint64_t page_pattern(uint64_t seed);
/* word i of the pattern of seed; fills the page at va with it */
uint64_t pattern(uint64_t seed, unsigned i);
void fill_pattern(uint64_t va, uint64_t seed);
/* true if the page at va holds the pattern of seed */
bool page_has_pattern(uint64_t va, uint64_t seed);
/* 2^order bytes of heap aligned to their size, page i filled with the
 * pattern of seed + i */
uint64_t heap_block(unsigned order, uint64_t seed);
/* 2^order bytes of heap (aligned) nobody has touched (so not mapped) */
uint64_t heap_reserve(unsigned order);
uint64_t heap_unused(void);

/* assembly: each faults (if it does) at its first instruction */
uint64_t mt_load(uint64_t addr);          /* mov (%rdi), %rax */
void mt_store(uint64_t addr, uint64_t v); /* mov %rsi, (%rdi) */
uint64_t mt_jump(uint64_t addr);          /* jmp *%rdi (returns what the target returns) */
uint64_t mt_ret42(void);                  /* mov $42, %eax; ret (position independent) */
uint64_t mt_inb(uint64_t port);           /* in %dx, %al at mt_inb_insn (1 byte) */
void mt_outb(uint64_t port, uint64_t v);  /* out %al, %dx at mt_outb_insn (1 byte) */
uint64_t mt_inw(uint64_t port);           /* in %dx, %ax at mt_inw_insn (2 bytes) */
extern char mt_inb_insn[], mt_outb_insn[], mt_inw_insn[];

/* spins (yielding) until *p == v or 1 s passes; returns *p == v */
bool wait_eq(const volatile uint64_t *p, uint64_t v);
/* waits (yielding) until thread t is in state, at most 1 s */
bool wait_state(lx4_cap_t t, uint64_t state);

/* a task with no thread and the given kernel quota (8 cap slots) */
lx4_cap_t bare_task(uint64_t quota);
/* the kernel pages task t uses */
uint64_t task_used(lx4_cap_t t);

#endif
