/* Threads: creation, destruction, stopping, registers, UTCB. */
#include "thread.h"
#include "arch/x86_64/cpuarch.h"
#include "cpu.h"
#include "ipc.h"
#include "kmem.h"
#include "lib.h"
#include "sched.h"
#include "space.h"
#include "task.h"
#include "timer.h"

#define VEC_FULL 0x101 /* frame must be restored with iret */
static uint32_t next_thread_id = 1;
struct thread *thread_list;

struct thread *thread_create(struct task *acct, struct task *space, int *err)
{
	struct thread *t = kalloc_page(acct);
	if (!t) {
		*err = -LX4_ENOMEM;
		return NULL;
	}
	obj_init(&t->obj, LX4_OBJ_THREAD, acct);
	t->task = space;
	obj_get(&space->obj);
	t->state = LX4_TSTATE_INACTIVE;
	t->prio = 100;
	t->timeslice = t->ticks_left = 10;
	t->id = next_thread_id++;
	t->frame.cs = SEL_UCODE;
	t->frame.ss = SEL_UDATA;
	t->frame.rflags = RFLAGS_USER_FORCED;
	t->frame.vector = VEC_FULL;
	t->all_next = thread_list;
	if (thread_list)
		thread_list->all_prev = t;
	thread_list = t;
	t->task_next = space->threads;
	if (space->threads)
		space->threads->task_prev = t;
	space->threads = t;
	space->nthreads++;
	return t;
}

void thread_stop(struct thread *t, uint8_t new_state)
{
	switch (t->state) {
	case LX4_TSTATE_READY:
		sched_dequeue(t);
		break;
	case LX4_TSTATE_SEND:
	case LX4_TSTATE_RECV:
	case LX4_TSTATE_REPLY:
		ipc_cancel(t, new_state == LX4_TSTATE_DEAD ? LX4_EDEAD : LX4_EABORT);
		break;
	}
	t->state = new_state;
}

/* A destroyed thread leaves its task at once (the TCB stays while caps
 * name it): so a task holding caps to its own dead threads is no cycle. */
void thread_destroy(struct thread *t)
{
	struct task *space = t->task;
	thread_stop(t, LX4_TSTATE_DEAD);
	ipc_release_reply_waiters(t, LX4_EDEAD);
	if (t->pager)
		obj_put(&t->pager->obj);
	if (t->handler)
		obj_put(&t->handler->obj);
	t->pager = t->handler = NULL;
	if (t->utcb) {
		space_unmap_kowned(space, t->utcb_uaddr);
		kfree_page(t->obj.owner, t->utcb);
		t->utcb = NULL;
	}
	fpu_forget(t);
	if (t->task_prev)
		t->task_prev->task_next = t->task_next;
	else
		space->threads = t->task_next;
	if (t->task_next)
		t->task_next->task_prev = t->task_prev;
	space->nthreads--;
	t->task = NULL;
	obj_put(&space->obj);
}

void thread_free(struct thread *t)
{
	if (t->all_prev)
		t->all_prev->all_next = t->all_next;
	else
		thread_list = t->all_next;
	if (t->all_next)
		t->all_next->all_prev = t->all_prev;
	kfree_page(t->obj.owner, t);
}

int thread_set_utcb(struct thread *t, uint64_t uaddr)
{
	if (t->utcb)
		return -LX4_EBUSY;
	if (!IS_ALIGNED(uaddr, PAGE_SIZE) || !user_addr_ok(uaddr))
		return -LX4_EINVAL;
	void *page = kalloc_page(t->obj.owner);
	if (!page)
		return -LX4_ENOMEM;
	int err = space_map_kowned(t->task, uaddr, virt_to_phys(page));
	if (err) {
		kfree_page(t->obj.owner, page);
		return err;
	}
	t->utcb = page;
	t->utcb->tls[0] = uaddr; /* the runtime finds its UTCB through %fs */
	t->utcb_uaddr = uaddr;
	return 0;
}

/* where register i (frame order, below LX4_REG_FSBASE) lives in a frame */
#define FO(r) (uint8_t)(__builtin_offsetof(struct frame, r) / 8)
static const uint8_t frame_slot[LX4_REG_FSBASE] = {
	[LX4_REG_RAX] = FO(rax), [LX4_REG_RDI] = FO(rdi), [LX4_REG_RSI] = FO(rsi), [LX4_REG_RDX] = FO(rdx),
	[LX4_REG_R10] = FO(r10), [LX4_REG_R8] = FO(r8),   [LX4_REG_R9] = FO(r9),   [LX4_REG_RIP] = FO(rip),
	[LX4_REG_RSP] = FO(rsp), [LX4_REG_RFLAGS] = FO(rflags), [LX4_REG_RBX] = FO(rbx), [LX4_REG_RBP] = FO(rbp),
	[LX4_REG_RCX] = FO(rcx), [LX4_REG_R11] = FO(r11), [LX4_REG_R12] = FO(r12), [LX4_REG_R13] = FO(r13),
	[LX4_REG_R14] = FO(r14), [LX4_REG_R15] = FO(r15),
};
#undef FO

uint64_t *thread_reg(struct thread *t, unsigned i)
{
	struct frame *f = &t->frame;
	if (i >= LX4_REG_FSBASE) {
		sched_sync_bases(this_cpu(), t);
		return i == LX4_REG_FSBASE ? &t->fs_base : &t->gs_base;
	}
	if (f->vector == VEC_SYSCALL && (i == LX4_REG_RCX || i == LX4_REG_R11))
		return i == LX4_REG_RCX ? &f->rip : &f->rflags; /* what sysret loads */
	return (uint64_t *)f + frame_slot[i];
}

void thread_regs_read(struct thread *t, uint64_t *out)
{
	const uint64_t *f = (const uint64_t *)&t->frame;
#pragma GCC unroll 32 /* (a move per register: the table folds away) */
	for (unsigned i = 0; i < LX4_REG_FSBASE; i++)
		out[i] = f[frame_slot[i]];
	if (t->frame.vector == VEC_SYSCALL) {
		out[LX4_REG_RCX] = t->frame.rip;
		out[LX4_REG_R11] = t->frame.rflags;
	}
	sched_sync_bases(this_cpu(), t);
	out[LX4_REG_FSBASE] = t->fs_base;
	out[LX4_REG_GSBASE] = t->gs_base;
}

bool thread_regs_ok(uint64_t mask, const uint64_t *v)
{
	static const uint8_t below_47[] = {LX4_REG_RSP, LX4_REG_FSBASE, LX4_REG_GSBASE};
	if ((mask >> LX4_REG_RIP & 1) && !thread_reg_ok(LX4_REG_RIP, v[LX4_REG_RIP]))
		return false;
	for (unsigned k = 0; k < sizeof below_47; k++)
		if ((mask >> below_47[k] & 1) && !thread_reg_ok(below_47[k], v[below_47[k]]))
			return false;
	return true; /* (the others take any value) */
}

void thread_regs_write(struct thread *t, uint64_t mask, const uint64_t *v)
{
	/* the registers that need care go through thread_reg_write, the
	 * rest straight into the frame */
	const uint64_t special = 1ull << LX4_REG_RCX | 1ull << LX4_REG_R11 | 1ull << LX4_REG_FSBASE |
				 1ull << LX4_REG_GSBASE;
	const uint64_t plain = ((1ull << LX4_REG_FSBASE) - 1) & ~special & ~(1ull << LX4_REG_RFLAGS);
	uint64_t *f = (uint64_t *)&t->frame;
	if (mask >> LX4_REG_RFLAGS & 1)
		t->frame.rflags = (v[LX4_REG_RFLAGS] & RFLAGS_USER_MASK) | RFLAGS_USER_FORCED;
	if ((mask & plain) == plain) { /* (a whole context, as a signal's: a move each) */
#pragma GCC unroll 32
		for (unsigned i = 0; i < LX4_REG_FSBASE; i++)
			if (plain >> i & 1)
				f[frame_slot[i]] = v[i];
	} else {
		for (uint64_t m = mask & plain; m; m &= m - 1) {
			unsigned i = (unsigned)__builtin_ctzll(m);
			f[frame_slot[i]] = v[i];
		}
	}
	for (uint64_t m = mask & special; m; m &= m - 1) {
		unsigned i = (unsigned)__builtin_ctzll(m);
		thread_reg_write(t, i, v[i]);
	}
}

bool thread_reg_ok(unsigned i, uint64_t v)
{
	switch (i) {
	case LX4_REG_RIP:
		return user_addr_ok(v);
	case LX4_REG_RSP:
	case LX4_REG_FSBASE:
	case LX4_REG_GSBASE:
		return v < (1ull << 47);
	default:
		return i < LX4_REG_COUNT;
	}
}

void thread_reg_write(struct thread *t, unsigned i, uint64_t v)
{
	struct frame *f = &t->frame;
	if (i == LX4_REG_RFLAGS)
		v = (v & RFLAGS_USER_MASK) | RFLAGS_USER_FORCED;
	if ((i == LX4_REG_RCX || i == LX4_REG_R11) && f->vector == VEC_SYSCALL) {
		/* rcx and r11 of their own: the frame must leave by iret */
		f->rcx = f->rip;
		f->r11 = f->rflags;
		f->vector = VEC_FULL;
	}
	*thread_reg(t, i) = v;
	if (t == this_cpu()->cur && (i == LX4_REG_FSBASE || i == LX4_REG_GSBASE))
		sched_switch_bases(this_cpu(), NULL, t);
}

static bool in_ipc(struct thread *t)
{
	return t->state == LX4_TSTATE_SEND || t->state == LX4_TSTATE_RECV || t->state == LX4_TSTATE_REPLY;
}

int thread_exchange(struct thread *t, uint64_t flags, uint64_t mask, uint64_t *mr, void *fpu)
{
	struct thread *cur = this_cpu()->cur;
	if (flags & ~LX4_EXREGS_FLAGS || mask >> LX4_REG_COUNT)
		return -LX4_EINVAL;
	if ((flags & EXREGS_BUFFERED) && (!mr || !fpu))
		return -LX4_EINVAL;
	if ((flags & LX4_EXREGS_WRITE) && !thread_regs_ok(mask, mr))
		return -LX4_EINVAL;
	if ((flags & LX4_EXREGS_FPU_INIT) && (flags & LX4_EXREGS_FPU_WRITE))
		return -LX4_EINVAL; /* one new state or the other */
	/* (an exchange reads into the buffer before it writes: the image is
	 * copied first) */
	if ((flags & LX4_EXREGS_FPU_WRITE) && !fpu_stage(fpu, flags & LX4_EXREGS_FPU_READ))
		return -LX4_EINVAL;
	if (t->state == LX4_TSTATE_DEAD)
		return -LX4_EDEAD;
	if (flags & LX4_EXREGS_STOP) {
		if (t->state != LX4_TSTATE_INACTIVE)
			thread_stop(t, LX4_TSTATE_INACTIVE);
	} else if ((flags & (LX4_EXREGS_ABORT | LX4_EXREGS_WRITE)) && in_ipc(t)) {
		ipc_cancel(t, LX4_EABORT);
		sched_wake(cur, t);
	}
	/* READ with WRITE exchanges: the old values come back, the (checked)
	 * new ones are set, so take them before READ overwrites them */
	uint64_t nv[LX4_REG_COUNT];
	if ((flags & LX4_EXREGS_WRITE) && (flags & LX4_EXREGS_READ))
		memcpy(nv, mr, sizeof nv);
	if (flags & LX4_EXREGS_READ)
		thread_regs_read(t, mr);
	if (flags & LX4_EXREGS_WRITE)
		thread_regs_write(t, mask, (flags & LX4_EXREGS_READ) ? nv : mr);
	if (flags & LX4_EXREGS_FPU_READ) /* before the write: FPU_READ | FPU_WRITE exchanges */
		fpu_read(t, fpu);
	if (flags & LX4_EXREGS_FPU_WRITE)
		fpu_write_staged(t);
	if (flags & LX4_EXREGS_FPU_INIT)
		fpu_reset(t);
	if ((flags & LX4_EXREGS_START) &&
	    (t->state == LX4_TSTATE_INACTIVE || t->state == LX4_TSTATE_HALTED))
		sched_wake(cur, t);
	return 0;
}
