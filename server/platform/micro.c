/*
 * The `micro` platform: the Linux server is an ordinary lx4 task.  Each
 * Linux thread is a foreign-ABI lx4 thread whose pager and exception
 * handler is the server's endpoint, badged with the thread's id: its
 * system calls, page faults and exceptions arrive here as IPC, and the
 * replies resume it.  A reply to the event being handled goes out with the
 * next receive (reply-and-wait: the kernel's fast path); a later one goes
 * to the thread's capability (REPLY_TO).
 *
 * The coloc build (PLAT_COLOC=1) links this same backend into the kernel
 * (platform/coloc.c): its threads run in ring 0, reach the server's
 * memory and the KIP at kernel addresses (platform/inkernel.h) and start
 * at coloc_main; everything else is as here.
 */
#include "../platform.h"
#include "../dev/ioport.h"
#include "lx4seam.h"

#include <lx4/kip.h>

#include "lx4.h"
#include "serverproto.h"

#ifndef PLAT_COLOC
#define PLAT_COLOC 0
#endif
#if PLAT_COLOC
#include "inkernel.h"
#endif

_Static_assert(PORT_COM1 == SRV_PORT_COM1 && PORT_RTC == SRV_PORT_RTC, "the ports the root grants");

#if !PLAT_COLOC
/* lib/runtime.c's printf hands each piece to this hook: the server's log
 * (coloc's printf is inkernel.c's) */
void lx4_log_hook(const char *s, size_t n) { srv_log(s, n); }
#endif

/* the KIP (coloc: the kernel's, set at the start) */
#if PLAT_COLOC
static const struct lx4_kip *kipp;
#else
#define kipp ((const struct lx4_kip *)SRV_KIP)
#endif

/* where a page of the server's memory is in its own task, the address a
 * map item names (coloc reaches it through the kernel window) */
static inline uint64_t task_va(const void *page)
{
#if PLAT_COLOC
	return inkernel_src_va(page);
#else
	return (uint64_t)page;
#endif
}


static uint32_t ep;
static uint32_t next_slot = SRV_FIRST_FREE_CAP;
static uint32_t free_slots[SRV_CAP_SLOTS];
static unsigned nfree_slots;
static uint32_t irq_slot[16];
static uint64_t deadline; /* 0: none */

/* the reply to the event being handled */
static struct {
	bool pending;
	uint64_t to; /* the event's badge: whose it is */
	uint64_t tag;
	unsigned n; /* words in all, if more than the registers hold (else 0 will do) */
	uint64_t w[LX4_REG_COUNT];
} reply;

/* a free capability slot (past the last one: creation fails with ECAP) */
static uint32_t slot_get(void) { return nfree_slots ? free_slots[--nfree_slots] : next_slot++; }
static void slot_put(uint32_t s)
{
	if (nfree_slots < SRV_CAP_SLOTS)
		free_slots[nfree_slots++] = s;
}

static void timer_start(void);

static void plat_init(void)
{
	ep = slot_get();
	if (lx4_ep_create(ep))
		plat_shutdown(3);
	timer_start();
}

#if PLAT_COLOC
/* the server's main thread, in ring 0 (platform/coloc.c) */
_Noreturn void coloc_main(const struct coloc_boot *cb)
{
	kipp = cb->kip;
	plat_init();
	struct plat_boot b = {cb->mem.ram, cb->mem.ram_size, cb->mem.initrd, cb->mem.initrd_size};
	srv_init(&b);
	plat_run();
}
#else
/* the server task's entry (the root task starts it with the server-info
 * page, its RAM and the initramfs mapped at the addresses of
 * serverproto.h) */
int main(void)
{
	const struct lx4_srvinfo *info = (const struct lx4_srvinfo *)SRV_INFO;
	if (info->magic != SRV_INFO_MAGIC) {
		printf("lx4-server: no server information\n");
		plat_shutdown(1);
	}
	plat_init();
	struct plat_boot b = {(void *)SRV_RAM, info->ram_size, (const void *)SRV_INITRD, info->initrd_size};
	srv_init(&b);
	plat_run();
}
#endif


uint64_t plat_kmem_used(void) { return lx4_task_info(LX4_CAP_SELF_TASK).r2; }

_Noreturn void plat_shutdown(int status)
{
	__asm__ volatile("outb %b0, %w1" : : "a"((uint8_t)status), "Nd"(SRV_PORT_EXIT));
#if PLAT_COLOC
	for (;;)
		__asm__ volatile("cli; hlt");
#else
	lx4_halt();
#endif
}

uint64_t plat_now_ns(void) { return lx4_kip_now_ns(kipp); }

/* ---- CPU time: the kernel's (THREAD_INFO, the KIP's idle time) --------------- */

int plat_thread_times(struct plat_thread *t, struct plat_cputime *out)
{
	struct lx4_sysret r = lx4_thread_info(t->h);
	if (r.err)
		return (int)r.err;
	out->user_ns = r.r1;
	out->sys_ns = r.r2;
	out->preempts = r.r3;
	return 0;
}

/* the kernel runs on one CPU (the KIP's ncpus is 1) */
uint64_t plat_idle_ns(void) { return lx4_kip_idle_ns(kipp, 0); }

uint64_t plat_cycles_ns(uint64_t cycles) { return lx4_kip_tsc_ns(kipp, cycles); }

/* the kernel runs on one CPU (the KIP's ncpus is 1): CPU 0's counters */
unsigned plat_counters(uint64_t *out, unsigned n)
{
	const struct lx4_kip_cpu *c = &kipp->cpu[0];
	const uint64_t v[4] = {c->kernel_entries, c->cr3_loads, c->ipcs, c->context_switches};
	if (n > 4)
		n = 4;
	for (unsigned i = 0; i < n; i++)
		out[i] = v[i];
	return n;
}

/* ---- the timer thread ------------------------------------------------------
 *
 * The loop always receives without a timeout: a receive with one takes
 * the kernel's slow path both ways (the fast paths handle no timeouts),
 * which made every system call of every process about three times as
 * expensive whenever any of them slept.  The deadline is watched by the
 * server's second thread instead.  It waits on its own endpoint with the
 * deadline as the timeout; when the deadline has passed it calls the
 * loop's endpoint (badge TIMER_BADGE), and the loop, which checks the
 * deadline after every event, runs srv_timer() and replies.
 *
 * A deadline earlier than the one the thread waits for must wake it: the
 * loop sends it a message (a "poke").  The two share three variables, and
 * the kernel runs one thread at a time on one CPU, so that each side's
 * write-then-read below sees the other's write or has its own seen:
 *   the loop:  deadline = d;       then pokes unless timer_calling, or
 *                                  unless timer_waits is not later than d
 *   the timer: timer_waits = d';   then reads the deadline again before
 *                                  waiting (and waits for that instead)
 *   the timer: timer_calling = 1;  then takes a pending poke (a receive
 *                                  that does not wait), then calls
 * The poke waits until the timer thread receives: it is receiving, about
 * to, or (timer_calling set too late for the loop to see) about to take
 * the poke before it calls, so the loop cannot wait for a caller of its
 * own. */
#define TIMER_BADGE (~0ull)

static uint32_t timer_ep;              /* the timer thread receives here */
static uint32_t timer_thread;
static volatile uint64_t timer_waits;  /* the deadline it waits for (0: none) */
static volatile bool timer_calling;    /* it calls (or is about to call) the loop */
/* (coloc takes interrupts in ring 0 on it too) */
#define TIMER_STACK_WORDS 2048
static uint64_t timer_stack[TIMER_STACK_WORDS] __attribute__((aligned(16)));

static _Noreturn void timer_main(uint64_t to_loop)
{
	for (;;) {
		uint64_t d = deadline;
		timer_waits = d;
		__asm__ volatile("" ::: "memory");
		if (deadline != d)
			continue; /* moved meanwhile: wait for the new one */
		uint64_t now = plat_now_ns();
		struct lx4_msg m;
		long e = lx4_recv(timer_ep, &m, !d ? LX4_TIMEOUT_NEVER : d > now ? d - now : 1);
		if (e != -LX4_ETIMEOUT || !deadline || plat_now_ns() < deadline)
			continue; /* a poke, or nothing due yet */
		timer_calling = true;
		__asm__ volatile("" ::: "memory");
		lx4_recv(timer_ep, &m, LX4_TIMEOUT_ZERO); /* a poke sent before the loop saw timer_calling */
		m = (struct lx4_msg){.tag = lx4_tag(0, 0, 0)};
		lx4_call((lx4_cap_t)to_loop, &m);
		timer_calling = false;
	}
}

static void timer_start(void)
{
	uint32_t to_loop = slot_get();
	timer_ep = slot_get();
	timer_thread = slot_get();
	struct lx4_utcb *u = lx4_utcb();
	long err = lx4_ep_create(timer_ep);
	if (!err)
		err = lx4_cap_copy(LX4_CAP_SELF_TASK, to_loop, ep, LX4_R_SEND, TIMER_BADGE);
	if (!err)
		err = lx4_thread_create(timer_thread, LX4_CAP_SELF_TASK);
	if (!err)
		err = lx4_thread_config(timer_thread, LX4_TCFG_UTCB, SRV_UTCB2);
	if (!err && !PLAT_COLOC) /* (coloc: the kernel points FS at it) */
		err = lx4_thread_config(timer_thread, LX4_TCFG_FSBASE, SRV_UTCB2);
	if (!err)
		err = lx4_thread_config(timer_thread, LX4_TCFG_PRIORITY, SRV_PRIO);
	if (!err) {
		u->mr[LX4_REG_RIP] = (uint64_t)timer_main;
		u->mr[LX4_REG_RSP] = (uint64_t)&timer_stack[TIMER_STACK_WORDS] - 8; /* as after a call */
		u->mr[LX4_REG_RDI] = to_loop;
		err = lx4_exregs(timer_thread, LX4_EXREGS_WRITE | LX4_EXREGS_START,
				 1ull << LX4_REG_RIP | 1ull << LX4_REG_RSP | 1ull << LX4_REG_RDI)
			      .err;
	}
	if (err) {
		printf("lx4-server: no timer thread (%ld)\n", err);
		plat_shutdown(3);
	}
}

void plat_timer(uint64_t deadline_ns)
{
	deadline = deadline_ns;
	__asm__ volatile("" ::: "memory");
	if (!deadline_ns || timer_calling || (timer_waits && timer_waits <= deadline_ns))
		return;
	struct lx4_msg m = {.tag = lx4_tag(0, 0, 0)};
	long err = lx4_send(timer_ep, &m, LX4_TIMEOUT_NEVER);
	if (err)
		printf("lx4-server: the timer thread takes no deadline (%ld)\n", err);
}

/* ---- replies ---------------------------------------------------------------- */

void plat_reply_regs(const uint64_t *regs, unsigned n)
{
	reply.pending = true;
	if (n == 1) { /* a system call's result (the common case) */
		reply.tag = lx4_tag(0, 1, 0);
		reply.n = 0;
		reply.w[0] = regs[0];
		return;
	}
	reply.tag = lx4_tag(0, n, 0);
	reply.n = n;
	for (unsigned i = 0; i < n; i++)
		reply.w[i] = regs[i];
}


void plat_reply_fault(uint64_t va, void *page, unsigned prot)
{
	reply.pending = true;
	reply.tag = lx4_tag(0, 0, 1);
	reply.n = 0;
	reply.w[0] = lx4_fpage(task_va(page), 12, fp_rights(prot));
	reply.w[1] = va & ~0xfffull;
}

void plat_reply_resume(void)
{
	reply.pending = true;
	reply.tag = lx4_tag(0, 0, 0);
	reply.n = 0;
}

/* puts n words in the message registers (7 in registers, the rest in the
 * UTCB) */
static void load_words(struct lx4_msg *m, const uint64_t *w, unsigned n)
{
	struct lx4_utcb *u = lx4_utcb();
	for (unsigned i = 0; i < n; i++) {
		if (i < LX4_MR_REGS)
			m->mr[i] = w[i];
		else
			u->mr[i] = w[i];
	}
}

void plat_resume_regs(struct plat_thread *t, const uint64_t *regs, unsigned n)
{
	if (n == 1) { /* a system call's result (the common case) */
		struct lx4_msg m = {.tag = lx4_tag(0, 1, 0)};
		m.mr[0] = regs[0];
		lx4_reply_to(t->h, &m);
		return;
	}
	struct lx4_msg m = {.tag = lx4_tag(0, n, 0)};
	load_words(&m, regs, n);
	lx4_reply_to(t->h, &m);
}

/* ---- spaces and threads ---------------------------------------------------- */

int plat_space_create(struct plat_space *s)
{
	s->h = slot_get();
	long err = lx4_task_create(s->h, PROC_KMEM_QUOTA, 4);
	if (err) {
		slot_put(s->h);
		s->h = 0;
	}
	return (int)err;
}

void plat_space_destroy(struct plat_space *s)
{
	if (!s->h)
		return;
	lx4_cap_destroy(s->h);
	slot_put(s->h);
	s->h = 0;
}

/* adds a quarter to s's kernel quota (charged to the server's); false if
 * the server has no more to give */
static bool space_grow(struct plat_space *s)
{
	uint64_t q = lx4_task_info(s->h).r1;
	return q && !lx4_task_quota(s->h, q + q / 4 + 4);
}

int plat_map(struct plat_space *s, uint64_t va, void *page, unsigned prot)
{
	for (;;) {
		long err = lx4_map(s->h, lx4_fpage(task_va(page), 12, fp_rights(prot)), va, 0);
		if (err != -LX4_ENOMEM || !space_grow(s))
			return (int)err;
	}
}

/* [va, va+len) as naturally aligned power-of-two fpages */
static void for_fpages(uint64_t va, uint64_t len, void (*fn)(uint32_t, uint64_t, unsigned, uint64_t), uint32_t task,
		       uint64_t rights)
{
	uint64_t end = va + len;
	while (va < end) {
		unsigned order = 12;
		while (order < 47 && !(va & ((1ull << (order + 1)) - 1)) && va + (1ull << (order + 1)) <= end)
			order++;
		fn(task, va, order, rights);
		va += 1ull << order;
	}
}

static void unmap_one(uint32_t task, uint64_t va, unsigned order, uint64_t rights)
{
	lx4_unmap(task, lx4_fpage(va, order, rights), LX4_UNMAP_SELF);
}

void plat_unmap(struct plat_space *s, uint64_t va, uint64_t len)
{
	for_fpages(va, len, unmap_one, s->h, LX4_FP_RWX);
}

void plat_protect(struct plat_space *s, uint64_t va, uint64_t len, unsigned remove)
{
	uint64_t rights = ((remove & PROT_W) ? LX4_FP_W : 0) | ((remove & PROT_X) ? LX4_FP_X : 0);
	if (rights)
		for_fpages(va, len, unmap_one, s->h, rights);
}

void plat_revoke(void *page)
{
	lx4_unmap(LX4_CAP_SELF_TASK, lx4_fpage(task_va(page), 12, LX4_FP_RWX), 0);
}

int plat_thread_create(struct plat_thread *t, struct plat_space *s, uint64_t id)
{
	uint32_t badged = slot_get();
	t->h = slot_get();
	long err = lx4_cap_copy(LX4_CAP_SELF_TASK, badged, ep, LX4_R_SEND, id);
	if (!err)
		err = lx4_thread_create(t->h, s->h);
	if (!err)
		err = lx4_thread_config(t->h, LX4_TCFG_PAGER, badged);
	if (!err)
		err = lx4_thread_config(t->h, LX4_TCFG_HANDLER, badged);
	if (!err)
		err = lx4_thread_config(t->h, LX4_TCFG_FOREIGN, 1);
	if (!err)
		err = lx4_thread_config(t->h, LX4_TCFG_PRIORITY, PROC_PRIO);
	lx4_cap_delete(LX4_CAP_SELF_TASK, badged); /* the thread holds it now */
	slot_put(badged);
	if (err) {
		lx4_cap_destroy(t->h);
		slot_put(t->h);
		t->h = 0;
	}
	return (int)err;
}

void plat_thread_destroy(struct plat_thread *t)
{
	if (!t->h)
		return;
	lx4_cap_destroy(t->h);
	slot_put(t->h);
	t->h = 0;
}

void plat_fpu_info(struct plat_fpu_info *info)
{
	const struct lx4_kip *k = kipp;
	info->size = (uint32_t)k->fpu_size;
	info->features = k->fpu_features;
	info->mxcsr_mask = (uint32_t)k->fpu_mxcsr_mask;
}
_Static_assert(PLAT_FPU_MAX == LX4_UTCB_FPU_SIZE, "the FPU image fits the UTCB");

void *plat_fpu_area(void) { return lx4_utcb()->fpu; }

int plat_thread_get(struct plat_thread *t, bool stop, uint64_t *regs, void *fpu)
{
	uint64_t flags = LX4_EXREGS_READ | (stop ? LX4_EXREGS_STOP : 0) | (fpu ? LX4_EXREGS_FPU_READ : 0);
	long err = lx4_exregs(t->h, flags, 0).err;
	if (err)
		return (int)err;
	struct lx4_utcb *u = lx4_utcb();
	for (unsigned i = 0; i < LX4_REG_COUNT; i++)
		regs[i] = u->mr[i];
	if (fpu && fpu != u->fpu)
		memcpy(fpu, u->fpu, kipp->fpu_size);
	return 0;
}

int plat_thread_take(struct plat_thread *t, uint64_t *regs, void *fpu)
{
	long err = lx4_exregs(t->h, LX4_EXREGS_READ | LX4_EXREGS_FPU_READ | LX4_EXREGS_FPU_INIT, 0).err;
	if (err)
		return (int)err;
	struct lx4_utcb *u = lx4_utcb();
	for (unsigned i = 0; i < LX4_REG_COUNT; i++)
		regs[i] = u->mr[i];
	if (fpu != u->fpu)
		memcpy(fpu, u->fpu, kipp->fpu_size);
	return 0;
}

int plat_thread_set_fpu(struct plat_thread *t, const void *fpu)
{
	struct lx4_utcb *u = lx4_utcb();
	uint64_t flags = LX4_EXREGS_FPU_INIT;
	if (fpu != PLAT_FPU_INIT) {
		if (fpu != u->fpu)
			memcpy(u->fpu, fpu, kipp->fpu_size);
		flags = LX4_EXREGS_FPU_WRITE;
	}
	return (int)lx4_exregs(t->h, flags, 0).err;
}

int plat_thread_set(struct plat_thread *t, const uint64_t *regs, unsigned n, const void *fpu, bool run)
{
	struct lx4_utcb *u = lx4_utcb();
	if (n > LX4_REG_COUNT)
		return -LX4_EINVAL;
	for (unsigned i = 0; i < n; i++)
		u->mr[i] = regs[i];
	uint64_t flags = LX4_EXREGS_WRITE | (run ? LX4_EXREGS_START : LX4_EXREGS_STOP);
	if (fpu == PLAT_FPU_INIT) {
		flags |= LX4_EXREGS_FPU_INIT;
	} else if (fpu) {
		if (fpu != u->fpu)
			memcpy(u->fpu, fpu, kipp->fpu_size);
		flags |= LX4_EXREGS_FPU_WRITE;
	}
	return (int)lx4_exregs(t->h, flags, (1ull << n) - 1).err;
}

int plat_thread_run(struct plat_thread *t) { return (int)lx4_exregs(t->h, LX4_EXREGS_START, 0).err; }

bool plat_reply_pending(uint64_t id) { return reply.pending && reply.to == id; }

int plat_thread_set_base(struct plat_thread *t, enum plat_reg reg, uint64_t v)
{
	if (reg != PLAT_REG_FSBASE && reg != PLAT_REG_GSBASE)
		return -LX4_EINVAL;
	return (int)lx4_thread_config(t->h, reg == PLAT_REG_FSBASE ? LX4_TCFG_FSBASE : LX4_TCFG_GSBASE, v);
}

/* ---- interrupts --------------------------------------------------------------- */

int plat_irq_attach(unsigned line)
{
	if (line >= 16)
		return -LX4_ERANGE;
	uint32_t s = slot_get();
	long err = lx4_irq_create(SRV_CAP_IRQCTL, line, s);
	if (!err)
		err = lx4_irq_bind(s, ep);
	if (err)
		return (int)err;
	irq_slot[line] = s;
	return 0;
}

void plat_irq_ack(unsigned line)
{
	if (line < 16 && irq_slot[line])
		lx4_irq_ack(irq_slot[line]);
}

/* ---- the loop ---------------------------------------------------------------- */

/* the event being handled: its message words in one array, the first
 * LX4_MR_REGS straight from the registers, the rest from the UTCB */
struct event {
	uint64_t badge, tag;
	uint64_t w[LX4_EXC_MSG_WORDS];
};

/* op (RECV or REPLY_RECV) on our endpoint, with no timeout: sends tag
 * with the register words of reply.w (the rest must be in the UTCB),
 * receives into ev (left alone on an error) */
static inline long ipc(long op, uint64_t tag, struct event *ev)
{
	long err;
	uint64_t rdi = ep, rsi = tag;
	register uint64_t rdx __asm__("rdx") = 0;
	register uint64_t r10 __asm__("r10") = LX4_TIMEOUT_NEVER; /* the timer thread watches the deadline */
	register uint64_t r8 __asm__("r8") = reply.w[0];
	register uint64_t r9 __asm__("r9") = reply.w[1];
	register uint64_t r12 __asm__("r12") = reply.w[2];
	register uint64_t r13 __asm__("r13") = reply.w[3];
	register uint64_t r14 __asm__("r14") = reply.w[4];
	register uint64_t r15 __asm__("r15") = reply.w[5];
	register uint64_t rbx __asm__("rbx") = reply.w[6];
	__asm__ volatile("syscall"
			 : "=a"(err), "+D"(rdi), "+S"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9), "+r"(r12),
			   "+r"(r13), "+r"(r14), "+r"(r15), "+r"(rbx)
			 : "a"(op)
			 : "rcx", "r11", "memory");
	if (err == 0) {
		ev->badge = rdi;
		ev->tag = rsi;
		ev->w[0] = r8;
		ev->w[1] = r9;
		ev->w[2] = r12;
		ev->w[3] = r13;
		ev->w[4] = r14;
		ev->w[5] = r15;
		ev->w[6] = rbx;
	}
	return err;
}

/* a system call message as the kernel makes it: rax rdi rsi rdx r10 r8 r9
 * in the registers, rip rsp rflags in the UTCB */
_Static_assert(LX4_SYSCALL_MSG_WORDS == 10 && LX4_MR_REGS == 7, "the syscall message layout");
#define SYSCALL_TAG (lx4_tag(LX4_LABEL_SYSCALL, LX4_SYSCALL_MSG_WORDS, 0) | LX4_TAG_KERNEL)

static void dispatch(struct event *ev)
{
	struct lx4_utcb *u = lx4_utcb();
	uint64_t *w = ev->w;
	reply.to = ev->badge;
	if (__builtin_expect(ev->tag == SYSCALL_TAG, 1)) { /* the hot path: no loop */
		w[7] = u->mr[7];
		w[8] = u->mr[8];
		w[9] = u->mr[9];
		srv_syscall(ev->badge, w);
		return;
	}
	if (ev->badge == TIMER_BADGE) {
		plat_reply_resume(); /* the loop checks the deadline next */
		return;
	}
	unsigned n = lx4_tag_untyped(ev->tag);
	if (n > LX4_EXC_MSG_WORDS)
		n = LX4_EXC_MSG_WORDS;
	for (unsigned i = LX4_MR_REGS; i < n; i++)
		w[i] = u->mr[i];
	switch (lx4_tag_label(ev->tag)) {
	case LX4_LABEL_SYSCALL:
		srv_syscall(ev->badge, w);
		break;
	case LX4_LABEL_PAGEFAULT:
		srv_fault(ev->badge, w[0], (unsigned)w[1], w[2]);
		break;
	case LX4_LABEL_EXCEPTION:
		srv_exception(ev->badge, (unsigned)w[LX4_EXC_MR_VECTOR], w[LX4_EXC_MR_ERROR], w);
		break;
	case LX4_LABEL_IRQ:
		srv_irq((unsigned)w[0]);
		break;
	default:
		break; /* nobody else has our endpoint */
	}
}

_Noreturn void plat_run(void)
{
	struct event ev;
	long e = ipc(LX4_SYS_RECV, 0, &ev);
	for (;;) {
		reply.pending = false;
		if (e == 0)
			dispatch(&ev);
		else
			printf("lx4-server: receive failed (%ld)\n", e);
		if (deadline && plat_now_ns() >= deadline) {
			deadline = 0; /* srv_timer sets the next one */
			srv_timer();
		}
		if (reply.pending) {
			/* ipc() sends the register words; the rest go in the UTCB */
			for (unsigned i = LX4_MR_REGS; i < reply.n; i++)
				lx4_utcb()->mr[i] = reply.w[i];
			e = ipc(LX4_SYS_REPLY_RECV, reply.tag, &ev);
			if (e)
				printf("lx4-server: reply refused (%ld)\n", e);
		} else {
			e = ipc(LX4_SYS_RECV, 0, &ev);
		}
	}
}
