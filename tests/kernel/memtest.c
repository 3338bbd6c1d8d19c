/* Helpers for the memory tests (see memtest.h). */
#include "memtest.h"

__asm__(".pushsection .text\n"
	".globl mt_load\n"
	"mt_load: mov (%rdi), %rax\n"
	"	ret\n"
	".globl mt_store\n"
	"mt_store: mov %rsi, (%rdi)\n"
	"	ret\n"
	".globl mt_jump\n"
	"mt_jump: jmp *%rdi\n"
	"	.balign 16\n"
	".globl mt_ret42\n"
	"mt_ret42: mov $42, %eax\n"
	"	ret\n"
	".globl mt_inb\n"
	".globl mt_inb_insn\n"
	"mt_inb: mov %edi, %edx\n"
	"	xor %eax, %eax\n"
	"mt_inb_insn: inb %dx, %al\n"
	"	ret\n"
	".globl mt_outb\n"
	".globl mt_outb_insn\n"
	"mt_outb: mov %edi, %edx\n"
	"	mov %esi, %eax\n"
	"mt_outb_insn: outb %al, %dx\n"
	"	ret\n"
	".globl mt_inw\n"
	".globl mt_inw_insn\n"
	"mt_inw: mov %edi, %edx\n"
	"	xor %eax, %eax\n"
	"mt_inw_insn: inw %dx, %ax\n"
	"	ret\n"
	".popsection\n");

volatile uint64_t ag_last_tag, ag_last_r0;
uint64_t agent_r1, agent_r2;

/* serves requests (enum ag_op) on endpoint slot ep, forever */
static void agent(uint64_t ep)
{
	struct lx4_utcb *u = lx4_utcb();
	struct lx4_msg m;
	long e = lx4_recv(ep, &m, LX4_TIMEOUT_NEVER);
	for (;;) {
		KEXPECT_EQ(e, 0);
		uint64_t r[LX4_MR_REGS] = {0}, tag = m.tag, rtag = lx4_tag(0, LX4_MR_REGS, 0);
		ag_last_tag = tag;
		switch (lx4_tag_label(tag)) {
		case AG_MAP: r[0] = lx4_map(m.mr[0], m.mr[1], m.mr[2], m.mr[3]); break;
		case AG_UNMAP: r[0] = lx4_unmap(m.mr[0], m.mr[1], m.mr[2]); break;
		case AG_READ: r[0] = mt_load(m.mr[0]); break;
		case AG_WRITE: mt_store(m.mr[0], m.mr[1]); break;
		case AG_SETBR:
			u->br_mem = m.mr[0];
			u->br_cap = m.mr[1];
			u->br_io = m.mr[2];
			break;
		case AG_ECHO:
			r[0] = tag;
			for (unsigned i = 1; i < LX4_MR_REGS; i++)
				r[i] = m.mr[i - 1];
			break;
		case AG_INB: r[0] = mt_inb(m.mr[0]); break;
		case AG_OUTB: mt_outb(m.mr[0], m.mr[1]); break;
		case AG_SEND: {
			struct lx4_msg s = {.tag = m.mr[1]};
			for (unsigned i = 0; i < 5; i++)
				s.mr[i] = m.mr[i + 2];
			r[0] = lx4_send(m.mr[0], &s, 1000000000ull);
			break;
		}
		case AG_QUERY: {
			struct lx4_sysret q = lx4_map_query(m.mr[0], m.mr[1]);
			r[0] = q.r1;
			r[1] = q.r2;
			r[2] = q.err;
			break;
		}
		case AG_UTCB: r[0] = (uint64_t)u; break;
		case AG_REPLYMAP:
			rtag = lx4_tag(0, 1, 1);
			r[1] = m.mr[0];
			r[2] = m.mr[1];
			break;
		default: r[0] = ~0ull; break;
		}
		ag_last_r0 = r[0];
		m.tag = rtag;
		for (unsigned i = 0; i < LX4_MR_REGS; i++)
			m.mr[i] = r[i];
		e = lx4_reply_recv(ep, &m, LX4_TIMEOUT_NEVER);
	}
}

void mt_spawn(struct child *c, void (*fn)(uint64_t), uint64_t arg, lx4_cap_t pager, lx4_cap_t handler, bool start)
{
	task_spawn(c, fn, arg, pager, handler, false);
	KEXPECT_EQ(lx4_cap_copy(c->task, TP_PARENT_CAP, TP_PARENT_CAP, LX4_R_SEND, 0), 0);
	if (start)
		KEXPECT_EQ(lx4_exregs(c->thread, LX4_EXREGS_START, 0).err, 0);
}

void mt_destroy(struct child *c)
{
	KEXPECT_EQ(lx4_cap_destroy(c->task), 0);
	KEXPECT_EQ(lx4_cap_delete(LX4_CAP_SELF_TASK, c->thread), 0);
}

void agent_spawn(struct child *c, lx4_cap_t *ep, lx4_cap_t pager, lx4_cap_t handler)
{
	*ep = ep_new();
	mt_spawn(c, agent, AG_EP, pager, handler, false);
	KEXPECT_EQ(lx4_cap_copy(c->task, AG_EP, *ep, LX4_R_RECV, 0), 0);
	KEXPECT_EQ(lx4_exregs(c->thread, LX4_EXREGS_START, 0).err, 0);
}

uint64_t agent_call(lx4_cap_t ep, uint64_t op, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct lx4_msg m = {.tag = lx4_tag(op, 4, 0)};
	m.mr[0] = a0;
	m.mr[1] = a1;
	m.mr[2] = a2;
	m.mr[3] = a3;
	KEXPECT_EQ(agent_ipc(ep, &m), 0);
	agent_r1 = m.mr[1];
	agent_r2 = m.mr[2];
	return m.mr[0];
}

long agent_ipc(lx4_cap_t ep, struct lx4_msg *m)
{
	return lx4_ipc(LX4_SYS_CALL, ep, m, 1000000000ull, 2000000000ull);
}

void agent_send(lx4_cap_t ep, uint64_t op, uint64_t a0, uint64_t a1)
{
	struct lx4_msg m = msg(op, 2, a0, a1, 0);
	KEXPECT_EQ(lx4_send(ep, &m, 1000000000ull), 0);
}

uint64_t pf_badge;

uint64_t expect_pf(lx4_cap_t ep, uint64_t addr, uint64_t access)
{
	struct lx4_msg m;
	KEXPECT_EQ(lx4_recv(ep, &m, 1000000000ull), 0);
	KEXPECT_EQ(lx4_tag_label(m.tag), LX4_LABEL_PAGEFAULT);
	KEXPECT_EQ(m.tag & (LX4_TAG_KERNEL | LX4_TAG_XFER_ERR), LX4_TAG_KERNEL);
	KEXPECT_EQ(lx4_tag_untyped(m.tag), 3);
	KEXPECT_EQ(lx4_tag_typed(m.tag), 0);
	KEXPECT_EQ(m.mr[0], addr);
	KEXPECT_EQ(m.mr[1], access);
	pf_badge = m.badge;
	return m.mr[2];
}

void expect_exc(lx4_cap_t ep, unsigned vector, struct lx4_msg *m)
{
	KEXPECT_EQ(lx4_recv(ep, m, 1000000000ull), 0);
	KEXPECT_EQ(lx4_tag_label(m->tag), LX4_LABEL_EXCEPTION);
	KEXPECT_EQ(lx4_tag_untyped(m->tag), LX4_EXC_MSG_WORDS);
	KEXPECT_EQ(lx4_utcb()->mr[LX4_EXC_MR_VECTOR], vector);
}

void reply_map(lx4_cap_t t, uint64_t fpage, uint64_t dst)
{
	struct lx4_msg m = {.tag = lx4_tag(0, 0, 1)};
	m.mr[0] = fpage;
	m.mr[1] = dst;
	KEXPECT_EQ(lx4_reply_to(t, &m), 0);
}

void reply_empty(lx4_cap_t t)
{
	struct lx4_msg m = {.tag = lx4_tag(0, 0, 0)};
	KEXPECT_EQ(lx4_reply_to(t, &m), 0);
}

static inline uint64_t pattern_word(uint64_t seed, unsigned i)
{
	return (seed + 1) * 0x9e3779b97f4a7c15ull + i;
}

uint64_t page_pattern(uint64_t seed)
{
	uint64_t *p = page_new();
	for (unsigned i = 0; i < 512; i++)
		p[i] = pattern_word(seed, i);
	return (uint64_t)p;
}

void fill_pattern(uint64_t va, uint64_t seed)
{
	volatile uint64_t *p = (volatile uint64_t *)va;
	for (unsigned i = 0; i < 512; i++)
		p[i] = pattern_word(seed, i);
}

uint64_t pattern(uint64_t seed, unsigned i)
{
	return pattern_word(seed, i);
}

bool page_has_pattern(uint64_t va, uint64_t seed)
{
	const volatile uint64_t *p = (const volatile uint64_t *)va;
	for (unsigned i = 0; i < 512; i++)
		if (p[i] != pattern_word(seed, i))
			return false;
	return true;
}

/* heap blocks far above page_new's pages, aligned to their size */
static uint64_t next_block = TP_HEAP + TP_HEAP_SIZE / 2;

uint64_t heap_block(unsigned order, uint64_t seed)
{
	uint64_t size = 1ull << order, b = (next_block + size - 1) & ~(size - 1);
	next_block = b + size;
	KASSERT(next_block <= TP_HEAP + TP_HEAP_SIZE);
	for (uint64_t off = 0; off < size; off += 4096)
		fill_pattern(b + off, seed + (off >> 12));
	return b;
}

uint64_t heap_reserve(unsigned order)
{
	uint64_t size = 1ull << order, b = (next_block + size - 1) & ~(size - 1);
	next_block = b + size;
	KASSERT(next_block <= TP_HEAP + TP_HEAP_SIZE);
	return b;
}

uint64_t heap_unused(void)
{
	return heap_reserve(12);
}

bool wait_eq(const volatile uint64_t *p, uint64_t v)
{
	uint64_t end = now_ns() + 1000000000ull;
	while (*p != v && now_ns() < end)
		lx4_yield();
	return *p == v;
}

bool wait_state(lx4_cap_t t, uint64_t state)
{
	uint64_t end = now_ns() + 1000000000ull;
	while (thread_state(t) != state && now_ns() < end)
		lx4_yield();
	return thread_state(t) == state;
}

lx4_cap_t bare_task(uint64_t quota)
{
	lx4_cap_t t = cap_new();
	KEXPECT_EQ(lx4_task_create(t, quota, 8), 0);
	return t;
}

uint64_t task_used(lx4_cap_t t)
{
	struct lx4_sysret r = lx4_task_info(t);
	KEXPECT_EQ(r.err, 0);
	return r.r2;
}
