/*
 * The `mono` platform: the Linux server linked into the kernel image, the
 * monolithic baseline with the same OS code.  Each Linux thread is a
 * foreign-ABI kernel thread marked TF_KSERVER; where micro's kernel would
 * send its system call, page fault or exception to the server as IPC,
 * kernel/fault.c calls kserver_event() here, which calls the handler
 * (srv_syscall, srv_fault, srv_exception) directly and applies its reply
 * to the thread's frame.  A thread whose event gets no reply waits in
 * LX4_TSTATE_REPLY, as under micro, until plat_resume_* applies one: so
 * exregs, stopping and killing work on it as they do there.  The plat_*
 * calls are the kernel's own functions (task_create, space_map,
 * thread_exchange, ...), no system calls.
 *
 * The memory is the micro server's: the root task starts server.elf (in
 * this build a stub, platform/stub.c) with its RAM, the initramfs
 * and the information page mapped as serverproto.h says, and the stub's
 * LX4_SYS_SERVER_START hands them over (platform/inkernel.c, shared with
 * coloc).  The server reaches them through
 * a kernel window (KWIN_BASE, the same in every address space), and maps
 * a page to a process by mapping it from the stub's task, as micro maps
 * from its own: the mapping database, revocation and the kernel-memory
 * quotas stay exactly as they are there.
 *
 * The handlers run on a stack of their own, with interrupts off, one
 * event at a time (nothing they call re-enters them), like a
 * non-preemptive monolithic kernel.
 */
#include "../platform.h"
#include "inkernel.h"
#include "lx4seam.h"

#include "serverproto.h"

#include <arch/cpuarch.h>
#include <arch/mmu.h>
#include "cpu.h"
#include "ipc.h"
#include "kip.h"
#include "kserver.h"
#include "lib.h"
#include "sched.h"
#include "space.h"
#include "task.h"
#include "thread.h"
#include "timer.h"

_Static_assert(CONFIG_MONO, "the mono backend is built with CONFIG_MONO=1");

static struct task *srv_task; /* the stub's: holds the memory, pays for the processes */
static uint64_t deadline; /* plat_timer's; 0: none */
static uint16_t irq_lines; /* plat_irq_attach's */

/* the reply to the event being handled */
enum { R_REGS, R_FAULT, R_RESUME };
static struct {
	bool pending;
	uint8_t what;
	uint64_t to; /* the event's thread id */
	unsigned n;  /* R_REGS: registers in frame order */
	uint64_t w[LX4_REG_COUNT];
	uint64_t va; /* R_FAULT: the page to map */
	void *page;
	unsigned prot;
} reply;

/* ---- running the server -------------------------------------------------- */

#define SRV_STACK_WORDS (128 * 1024 / 8)
static uint64_t srv_stack[SRV_STACK_WORDS] __attribute__((aligned(16)));
static bool in_server;
static uint64_t server_since; /* the TSC the server was entered at */

/* fn(arg) on the server's stack.  Its time is taken from the current
 * thread's: the server charges its handling to whom it is for, as it does
 * under micro, where it is the server thread's. */
static void run_server(void (*fn)(void *), void *arg)
{
	if (in_server)
		panic("the in-kernel server was re-entered");
	in_server = true;
	uint64_t t0 = server_since = rdtsc();
	register void *rdi __asm__("rdi") = arg;
	__asm__ volatile("mov %%rsp, %%rbx\n\t"
			 "mov %[top], %%rsp\n\t"
			 "call *%[fn]\n\t"
			 "mov %%rbx, %%rsp"
			 : "+r"(rdi)
			 : [top] "r"(&srv_stack[SRV_STACK_WORDS]), [fn] "r"(fn)
			 : "rax", "rbx", "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "memory", "cc");
	uint64_t spent = rdtsc() - t0;
	struct thread *cur = this_cpu()->cur;
	cur->run_tsc -= spent;
	if (cur != this_cpu()->idle)
		cur->kern_tsc -= spent;
	in_server = false;
}

/* after every event, as micro's loop does: the deadline */
static void check_deadline(void)
{
	if (deadline && clock_ns() >= deadline) {
		deadline = 0; /* srv_timer sets the next one */
		srv_timer();
	}
}

/* ---- events ------------------------------------------------------------------ */

static uint64_t thread_id(struct thread *t) { return t->handler_badge; }

static void event_syscall(void *arg)
{
	struct thread *t = arg;
	struct frame *f = &t->frame;
	uint64_t regs[PLAT_SYSCALL_REGS]; /* the first registers in frame order */
#pragma GCC unroll 16
	for (unsigned i = 0; i < PLAT_SYSCALL_REGS; i++)
		regs[i] = *arch_frame_reg(f, i);
	srv_syscall(thread_id(t), regs);
	check_deadline();
}

static void event_fault(void *arg)
{
	struct thread *t = arg;
	srv_fault(thread_id(t), t->fault_addr, t->fault_access, arch_frame_ip(&t->frame));
	check_deadline();
}

static void event_exception(void *arg)
{
	struct thread *t = arg;
	uint64_t regs[LX4_REG_COUNT];
	thread_regs_read(t, regs);
	srv_exception(thread_id(t), t->fault_vector, t->fault_error, regs);
	check_deadline();
}

static int map_page(struct task *dst, uint64_t va, void *page, unsigned prot);

/* applies a reply to t, which waits for one: its registers, or the page
 * its fault wants; t stays stopped (the caller runs or wakes it).  False
 * if t waits for none (the reply is dropped, as micro's kernel refuses
 * it), or the registers are refused (t waits on). */
static bool apply(struct thread *t, uint8_t what, const uint64_t *w, unsigned n)
{
	if (t->state != LX4_TSTATE_REPLY || t->reply_from || t->ipc_kind == IPC_NORMAL)
		return false;
	if (what == R_REGS && n == 1) {
		*arch_frame_reg(&t->frame, LX4_REG_RAX) = w[0]; /* (any value will do) */
	} else if (what == R_REGS) {
		uint64_t mask = (1ull << n) - 1;
		if (!thread_regs_ok(mask, w))
			return false;
		thread_regs_write(t, mask, w);
	} else if (what == R_FAULT) {
		/* (quota short: the thread faults again, and the server maps
		 * with plat_map, which grows it or fails) */
		map_page(t->task, reply.va, reply.page, reply.prot);
	}
	t->ipc_kind = IPC_NORMAL;
	t->state = LX4_TSTATE_INACTIVE;
	return true;
}

struct thread *kserver_event(struct thread *t, unsigned kind)
{
	t->ipc_kind = kind;
	t->state = LX4_TSTATE_REPLY; /* with no reply_from: the server's */
	reply.pending = false;
	reply.to = thread_id(t);
	run_server(kind == IPC_SYSCALL ? event_syscall : kind == IPC_PAGEFAULT ? event_fault : event_exception, t);
	if (!reply.pending)
		return NULL;
	reply.pending = false;
	if (!apply(t, reply.what, reply.w, reply.n))
		return NULL;
	t->state = LX4_TSTATE_RUNNING; /* it is the current thread: on it goes */
	return t;
}

static void event_timer(void *arg)
{
	(void)arg;
	check_deadline();
}

void kserver_tick(void)
{
	if (deadline && clock_ns() >= deadline && !in_server)
		run_server(event_timer, NULL);
}

static void event_irq(void *arg)
{
	srv_irq((unsigned)(uintptr_t)arg);
	check_deadline();
}

bool kserver_irq(unsigned line)
{
	if (line >= 16 || !(irq_lines & (1u << line)))
		return false;
	run_server(event_irq, (void *)(uintptr_t)line);
	return true;
}

/* ---- boot ------------------------------------------------------------------- */

static void start(void *arg)
{
	const struct plat_boot *b = arg;
	srv_init(b);
	check_deadline();
}

struct thread *sys_server_start(struct thread *cur)
{
	struct inkernel_mem m;
	if (inkernel_take(cur->task, &m)) {
		arch_set_sysret(&cur->frame, (uint64_t)-LX4_EINVAL);
		return cur;
	}
	srv_task = cur->task;
	obj_get(&srv_task->obj);
	/* the stub is done: it stops for good (the task stays, with the
	 * mappings every process's are derived from) */
	thread_stop(cur, LX4_TSTATE_INACTIVE);
	struct plat_boot b = {m.ram, m.ram_size, m.initrd, m.initrd_size};
	run_server(start, &b);
	return NULL;
}

/* ---- the machine ---------------------------------------------------------- */

_Noreturn void plat_shutdown(int status)
{
	outb(SRV_PORT_EXIT, (uint8_t)status);
	for (;;)
		__asm__ volatile("cli; hlt");
}

uint64_t plat_kmem_used(void) { return srv_task->used; }
uint64_t plat_now_ns(void) { return clock_ns(); }
uint64_t plat_idle_ns(void) { return lx4_kip_idle_ns(kip, 0); }
uint64_t plat_cycles_ns(uint64_t cycles) { return lx4_kip_tsc_ns(kip, cycles); }

unsigned plat_counters(uint64_t *out, unsigned n)
{
	const struct lx4_kip_cpu *c = cpu_counters(this_cpu());
	const uint64_t v[4] = {c->kernel_entries, c->cr3_loads, c->ipcs, c->context_switches};
	if (n > 4)
		n = 4;
	for (unsigned i = 0; i < n; i++)
		out[i] = v[i];
	return n;
}

void plat_timer(uint64_t deadline_ns) { deadline = deadline_ns; }

int plat_irq_attach(unsigned line)
{
	if (line >= 16 || line == 2)
		return -LX4_ERANGE;
	irq_lines |= 1u << line;
	pic_unmask(line);
	return 0;
}

void plat_irq_ack(unsigned line)
{
	if (line < 16 && (irq_lines & (1u << line)))
		pic_unmask(line);
}

_Noreturn void plat_run(void) { panic("mono: plat_run is never called"); }

/* ---- replies ------------------------------------------------------------------ */

void plat_reply_regs(const uint64_t *regs, unsigned n)
{
	reply.pending = true;
	reply.what = R_REGS;
	if (n == 1) { /* a system call's result (the common case) */
		reply.n = 1;
		reply.w[0] = regs[0];
		return;
	}
	reply.n = n < LX4_REG_COUNT ? n : LX4_REG_COUNT;
	memcpy(reply.w, regs, reply.n * 8);
}

void plat_reply_fault(uint64_t va, void *page, unsigned prot)
{
	reply.pending = true;
	reply.what = R_FAULT;
	reply.va = va & ~0xfffull;
	reply.page = page;
	reply.prot = prot;
}

void plat_reply_resume(void)
{
	reply.pending = true;
	reply.what = R_RESUME;
}

bool plat_reply_pending(uint64_t id) { return reply.pending && reply.to == id; }

static void resume(struct plat_thread *pt, const uint64_t *w, unsigned n)
{
	struct thread *t = (struct thread *)pt->h;
	if (t && apply(t, R_REGS, w, n))
		sched_wake(this_cpu()->cur, t);
}

void plat_resume_regs(struct plat_thread *t, const uint64_t *regs, unsigned n)
{
	resume(t, regs, n < LX4_REG_COUNT ? n : LX4_REG_COUNT);
}

/* ---- spaces --------------------------------------------------------------------- */

static struct task *space_of(struct plat_space *s) { return (struct task *)s->h; }

int plat_space_create(struct plat_space *s)
{
	int err = 0;
	struct task *t = task_create(srv_task, PROC_KMEM_QUOTA, 4, &err);
	if (!t)
		return err;
	obj_get(&t->obj);
	s->h = (uintptr_t)t;
	return 0;
}

void plat_space_destroy(struct plat_space *s)
{
	struct task *t = space_of(s);
	if (!t)
		return;
	obj_destroy(&t->obj);
	obj_put(&t->obj);
	s->h = 0;
}


/* adds a quarter to t's kernel quota, charged to the server's (as micro's
 * TASK_QUOTA); false if the server has no more to give */
static bool space_grow(struct task *t)
{
	uint64_t q = t->quota + t->quota / 4 + 4;
	if (!task_charge(srv_task, q - t->quota))
		return false;
	t->quota = q;
	return true;
}

static int map_page(struct task *dst, uint64_t va, void *page, unsigned prot)
{
	uint64_t sva = inkernel_src_va(page);
	if (!sva)
		return -LX4_EINVAL;
	for (;;) {
		int err = space_map(srv_task, lx4_fpage(sva, 12, fp_rights(prot)), dst, va & ~0xfffull, false);
		if (err != -LX4_ENOMEM || !space_grow(dst))
			return err;
	}
}

int plat_map(struct plat_space *s, uint64_t va, void *page, unsigned prot)
{
	return map_page(space_of(s), va, page, prot);
}

/* takes rights from t's mappings in [va, va+len), as naturally aligned
 * power-of-two fpages */
static void unmap_range(struct task *t, uint64_t va, uint64_t len, uint64_t rights)
{
	uint64_t end = va + len;
	while (va < end) {
		unsigned order = 12;
		while (order < 47 && !(va & ((1ull << (order + 1)) - 1)) && va + (1ull << (order + 1)) <= end)
			order++;
		space_unmap(t, lx4_fpage(va, order, rights), true);
		va += 1ull << order;
	}
}

void plat_unmap(struct plat_space *s, uint64_t va, uint64_t len) { unmap_range(space_of(s), va, len, LX4_FP_RWX); }

void plat_protect(struct plat_space *s, uint64_t va, uint64_t len, unsigned remove)
{
	uint64_t rights = ((remove & PROT_W) ? LX4_FP_W : 0) | ((remove & PROT_X) ? LX4_FP_X : 0);
	if (rights)
		unmap_range(space_of(s), va, len, rights);
}

void plat_revoke(void *page)
{
	uint64_t sva = inkernel_src_va(page);
	if (sva)
		space_unmap(srv_task, lx4_fpage(sva, 12, LX4_FP_RWX), false);
}

/* ---- threads ------------------------------------------------------------------- */

static struct thread *thread_of(struct plat_thread *t) { return (struct thread *)t->h; }

int plat_thread_create(struct plat_thread *pt, struct plat_space *s, uint64_t id)
{
	int err = 0;
	struct thread *t = thread_create(srv_task, space_of(s), &err);
	if (!t)
		return err;
	obj_get(&t->obj);
	t->prio = PROC_PRIO;
	t->flags |= TF_FOREIGN | TF_KSERVER;
	t->handler_badge = t->pager_badge = id;
	pt->h = (uintptr_t)t;
	return 0;
}

void plat_thread_destroy(struct plat_thread *pt)
{
	struct thread *t = thread_of(pt);
	if (!t)
		return;
	obj_destroy(&t->obj);
	obj_put(&t->obj);
	pt->h = 0;
}

/* exregs on t with the server's buffers */
static uint64_t xr[LX4_REG_COUNT];
static uint8_t xfpu[TCB_FPU_SIZE] __attribute__((aligned(64))); /* (what a TCB holds) */
_Static_assert(PLAT_FPU_MAX <= TCB_FPU_SIZE, "plat_fpu_area is as large as the seam says");

static int exchange(struct plat_thread *pt, uint64_t flags, uint64_t mask)
{
	struct thread *t = thread_of(pt);
	return t ? thread_exchange(t, flags, mask, xr, xfpu) : -LX4_EINVAL;
}

void plat_fpu_info(struct plat_fpu_info *info)
{
	info->size = (uint32_t)kip->fpu_size;
	info->features = kip->fpu_features;
	info->mxcsr_mask = (uint32_t)kip->fpu_mxcsr_mask;
}

void *plat_fpu_area(void) { return xfpu; }

int plat_thread_get(struct plat_thread *t, bool stop, uint64_t *regs, void *fpu)
{
	uint64_t flags = LX4_EXREGS_READ | (stop ? LX4_EXREGS_STOP : 0) | (fpu ? LX4_EXREGS_FPU_READ : 0);
	int err = exchange(t, flags, 0);
	if (err)
		return err;
	memcpy(regs, xr, sizeof xr);
	if (fpu && fpu != xfpu)
		memcpy(fpu, xfpu, kip->fpu_size);
	return 0;
}

int plat_thread_take(struct plat_thread *t, uint64_t *regs, void *fpu)
{
	int err = exchange(t, LX4_EXREGS_READ | LX4_EXREGS_FPU_READ | LX4_EXREGS_FPU_INIT, 0);
	if (err)
		return err;
	memcpy(regs, xr, sizeof xr);
	if (fpu != xfpu)
		memcpy(fpu, xfpu, kip->fpu_size);
	return 0;
}

int plat_thread_set_fpu(struct plat_thread *t, const void *fpu)
{
	if (fpu == PLAT_FPU_INIT)
		return exchange(t, LX4_EXREGS_FPU_INIT, 0);
	if (fpu != xfpu)
		memcpy(xfpu, fpu, kip->fpu_size);
	return exchange(t, LX4_EXREGS_FPU_WRITE, 0);
}

int plat_thread_set(struct plat_thread *t, const uint64_t *regs, unsigned n, const void *fpu, bool run)
{
	if (n > LX4_REG_COUNT)
		return -LX4_EINVAL;
	memcpy(xr, regs, n * 8);
	uint64_t flags = LX4_EXREGS_WRITE | (run ? LX4_EXREGS_START : LX4_EXREGS_STOP);
	if (fpu == PLAT_FPU_INIT) {
		flags |= LX4_EXREGS_FPU_INIT;
	} else if (fpu) {
		if (fpu != xfpu)
			memcpy(xfpu, fpu, kip->fpu_size);
		flags |= LX4_EXREGS_FPU_WRITE;
	}
	return exchange(t, flags, (1ull << n) - 1);
}

int plat_thread_run(struct plat_thread *t) { return exchange(t, LX4_EXREGS_START, 0); }

int plat_thread_set_base(struct plat_thread *pt, enum plat_reg reg, uint64_t v)
{
	struct thread *t = thread_of(pt);
	if (!t || (reg != PLAT_REG_FSBASE && reg != PLAT_REG_GSBASE) || !thread_reg_ok(reg, v))
		return -LX4_EINVAL;
	thread_reg_write(t, reg, v);
	return 0;
}

int plat_thread_times(struct plat_thread *pt, struct plat_cputime *out)
{
	struct thread *t = thread_of(pt);
	if (!t || t->state == LX4_TSTATE_DEAD)
		return -LX4_EINVAL;
	uint64_t run, kern;
	sched_thread_times(t, &run, &kern);
	if (in_server && t == this_cpu()->cur) { /* (the server's time is not its) */
		uint64_t d = rdtsc() - server_since;
		/* (not below 0: the kernel may have counted less for it than
		 * this event has taken, as for a vfork child that execs, whose
		 * times are taken before its thread is made again) */
		run -= d < run ? d : run;
		kern -= d < kern ? d : kern;
	}
	out->user_ns = lx4_kip_tsc_ns(kip, run - kern);
	out->sys_ns = lx4_kip_tsc_ns(kip, kern);
	out->preempts = t->preempts;
	return 0;
}
