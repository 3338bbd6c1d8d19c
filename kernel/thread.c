/* Threads: creation, destruction, stopping, registers, UTCB. */
#include "thread.h"
#include <arch/cpuarch.h>
#include "cpu.h"
#include "ipc.h"
#include "kmem.h"
#include "lib.h"
#include "sched.h"
#include "space.h"
#include "task.h"
#include "timer.h"

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
	arch_frame_init(&t->frame);
	if (CONFIG_COLOC && space->kmode) {
		t->flags |= TF_KMODE;
		arch_frame_init_kmode(&t->frame);
		thread_kmode_bases(t);
	}
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
	if (CONFIG_COLOC && (t->flags & TF_KMODE))
		thread_kmode_bases(t); /* (it reaches it at its kernel address) */
	return 0;
}

/* thread_regs_ok (the architecture's regs.c) only reads memory: said
 * here, so that thread_exchange keeps the code it had when both were in
 * this file (said in thread.h, it would change how mono.c's kserver_event
 * inlines its callees) */
bool thread_regs_ok(uint64_t mask, const uint64_t *v) __attribute__((pure));

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
	if ((flags & LX4_EXREGS_WRITE) &&
	    !(CONFIG_COLOC && (t->flags & TF_KMODE) ? thread_kregs_ok(mask, mr) : thread_regs_ok(mask, mr)))
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
