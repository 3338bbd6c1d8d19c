/*
 * System call dispatch and the object-management calls: capabilities,
 * tasks, threads, endpoints, mappings, debug.  Each call decodes and
 * checks all of its arguments before it changes anything.  A comment
 * "(a, b) -> (x, y)" names the arguments in order (arch_sysarg 0, 1, ...)
 * and the results besides the error code (arch_set_sysout 0, 1, ...).
 */
#include <arch/cpuarch.h>
#include "cpu.h"
#include "fastpath.h"
#include "fault.h"
#include "ioport.h"
#include "ipc.h"
#include "irq.h"
#include "kip.h"
#include "kserver.h"
#include "lib.h"
#include "sched.h"
#include "space.h"
#include "task.h"
#include "thread.h"

typedef struct thread *syscall_fn(struct thread *cur);

static inline struct thread *ret(struct thread *cur, int err)
{
	arch_set_sysret(&cur->frame, (uint64_t)(int64_t)err);
	return cur;
}

/* a task named by a capability with CONTROL (or the caller's own) */
static int lookup_task(struct thread *cur, lx4_cap_t idx, uint32_t rights, struct task **t)
{
	struct cap c;
	int err = cap_lookup(cur, idx, LX4_OBJ_TASK, rights, &c);
	if (!err)
		*t = container_of(c.obj, struct task, obj);
	return err;
}

/* ---- capabilities ---------------------------------------------------- */

/* (dst task, dst slot, src slot, rights mask, badge) */
static struct thread *sys_cap_copy(struct thread *cur)
{
	struct frame *f = &cur->frame;
	struct task *dt;
	struct cap src, *dst;
	int err = lookup_task(cur, cap_arg(arch_sysarg(f, 0)), LX4_R_CONTROL, &dt);
	if (!err && cap_arg(arch_sysarg(f, 2)) >= LX4_CAP_SELF_TASK)
		err = -LX4_ECAP; /* pseudo caps are not materialised */
	if (!err)
		err = cap_lookup(cur, cap_arg(arch_sysarg(f, 2)), 0, 0, &src);
	if (!err && arch_sysarg(f, 4) && (src.badge || src.obj->type != LX4_OBJ_ENDPOINT))
		err = -LX4_EINVAL; /* only an unbadged endpoint cap can be badged */
	if (!err)
		err = cap_dst_slot(dt, cap_arg(arch_sysarg(f, 1)), &dst);
	if (err)
		return ret(cur, err);
	cap_install(dst, src.obj, src.rights & (uint32_t)arch_sysarg(f, 3),
		    arch_sysarg(f, 4) ? arch_sysarg(f, 4) : src.badge);
	return ret(cur, 0);
}

/* (dst task, dst slot, src slot) */
static struct thread *sys_cap_move(struct thread *cur)
{
	struct frame *f = &cur->frame;
	struct task *dt;
	struct cap src, *dst, *sslot;
	int err = lookup_task(cur, cap_arg(arch_sysarg(f, 0)), LX4_R_CONTROL, &dt);
	if (!err)
		sslot = cap_slot(cur->task, cap_arg(arch_sysarg(f, 2)), false, &err);
	if (!err && !sslot->obj)
		err = -LX4_ECAP;
	if (!err)
		err = cap_dst_slot(dt, cap_arg(arch_sysarg(f, 1)), &dst);
	if (err)
		return ret(cur, err);
	src = *sslot;
	cap_install(dst, src.obj, src.rights, src.badge);
	cap_clear(sslot);
	return ret(cur, 0);
}

/* (task, slot) */
static struct thread *sys_cap_delete(struct thread *cur)
{
	struct frame *f = &cur->frame;
	struct task *t;
	struct cap *slot;
	int err = lookup_task(cur, cap_arg(arch_sysarg(f, 0)), LX4_R_CONTROL, &t);
	if (!err)
		slot = cap_slot(t, cap_arg(arch_sysarg(f, 1)), false, &err);
	if (!err && !slot->obj)
		err = -LX4_ECAP;
	if (err)
		return ret(cur, err);
	cap_clear(slot);
	return ret(cur, 0);
}

/* (slot or pseudo cap): destroys the object itself */
static struct thread *sys_cap_destroy(struct thread *cur)
{
	struct frame *f = &cur->frame;
	lx4_cap_t idx = cap_arg(arch_sysarg(f, 0));
	struct cap c;
	int err = cap_lookup(cur, idx, 0, LX4_R_DESTROY, &c);
	if (err)
		return ret(cur, err);
	if (idx < LX4_CAP_SELF_TASK)
		cap_clear(cap_slot(cur->task, idx, false, &err));
	arch_set_sysret(&cur->frame, 0); /* before: the caller may be what dies */
	obj_destroy(c.obj);
	return cur;
}

/* (task, slot) -> (type | dead << 8, rights, badge) */
static struct thread *sys_cap_info(struct thread *cur)
{
	struct frame *f = &cur->frame;
	struct task *t;
	struct cap c = {0}, *slot;
	lx4_cap_t idx = cap_arg(arch_sysarg(f, 1));
	int err = lookup_task(cur, cap_arg(arch_sysarg(f, 0)), LX4_R_CONTROL, &t);
	if (!err && idx >= LX4_CAP_SELF_TASK) {
		err = t == cur->task ? cap_lookup(cur, idx, 0, 0, &c) : -LX4_ECAP;
	} else if (!err) {
		slot = cap_slot(t, idx, false, &err);
		if (!err && !slot->obj)
			err = -LX4_ECAP;
		if (!err)
			c = *slot;
	}
	if (err)
		return ret(cur, err);
	arch_set_sysout(f, 0, c.obj->type | ((uint64_t)c.obj->dead << 8));
	arch_set_sysout(f, 1, c.rights);
	arch_set_sysout(f, 2, c.badge);
	return ret(cur, 0);
}

/* ---- tasks, threads, endpoints -------------------------------------------- */

/* (dst slot, quota pages, capability slots) */
static struct thread *sys_task_create(struct thread *cur)
{
	struct frame *f = &cur->frame;
	struct task *me = cur->task;
	struct cap *slot;
	int err = 0;
	if (arch_sysarg(f, 2) == 0 || arch_sysarg(f, 2) > CAP_SLOTS_MAX)
		err = -LX4_EINVAL;
	else if (arch_sysarg(f, 1) < 1 || arch_sysarg(f, 1) >= me->quota - me->used)
		err = -LX4_ENOMEM; /* the quota and a page for the task */
	if (!err) /* last: it may allocate the slot's leaf */
		err = cap_dst_slot(me, cap_arg(arch_sysarg(f, 0)), &slot);
	struct task *t = err ? NULL : task_create(me, arch_sysarg(f, 1), (uint32_t)arch_sysarg(f, 2), &err);
	if (!t)
		return ret(cur, err);
	cap_install(slot, &t->obj, LX4_R_ALL, 0);
	return ret(cur, 0);
}

/* (task) -> (quota, used, threads) */
static struct thread *sys_task_info(struct thread *cur)
{
	struct frame *f = &cur->frame;
	struct task *t;
	int err = lookup_task(cur, cap_arg(arch_sysarg(f, 0)), 0, &t);
	if (err)
		return ret(cur, err);
	arch_set_sysout(f, 0, t->quota);
	arch_set_sysout(f, 1, t->used);
	arch_set_sysout(f, 2, t->nthreads);
	return ret(cur, 0);
}

/* (task, new quota pages).  The task's creator (its account's
 * parent, which the quota is charged to) grows or shrinks it; never below
 * what the task uses. */
static struct thread *sys_task_quota(struct thread *cur)
{
	struct frame *f = &cur->frame;
	struct task *t;
	uint64_t q = arch_sysarg(f, 1);
	int err = lookup_task(cur, cap_arg(arch_sysarg(f, 0)), LX4_R_CONTROL, &t);
	if (!err && t->parent_acct != cur->task)
		err = -LX4_ERIGHTS;
	if (!err && (q < 1 || q < t->used))
		err = -LX4_ERANGE;
	if (!err && q > t->quota && !task_charge(cur->task, q - t->quota))
		err = -LX4_ENOMEM;
	if (err)
		return ret(cur, err);
	if (q < t->quota)
		task_uncharge(cur->task, t->quota - q); /* (t's page keeps cur's account alive) */
	t->quota = q;
	return ret(cur, 0);
}

/* (dst slot, task the thread runs in) */
static struct thread *sys_thread_create(struct thread *cur)
{
	struct frame *f = &cur->frame;
	struct cap *slot;
	struct task *t;
	int err = lookup_task(cur, cap_arg(arch_sysarg(f, 1)), LX4_R_CONTROL, &t);
	if (!err)
		err = cap_dst_slot(cur->task, cap_arg(arch_sysarg(f, 0)), &slot);
	struct thread *th = err ? NULL : thread_create(cur->task, t, &err);
	if (!th)
		return ret(cur, err);
	th->prio = cur->prio;
	cap_install(slot, &th->obj, LX4_R_ALL, 0);
	return ret(cur, 0);
}

static int lookup_thread(struct thread *cur, lx4_cap_t idx, uint32_t rights, struct thread **t)
{
	struct cap c;
	int err = cap_lookup(cur, idx, LX4_OBJ_THREAD, rights, &c);
	if (!err)
		*t = obj_thread(c.obj);
	return err;
}

static int set_endpoint(struct thread *cur, uint64_t idx, struct endpoint **slot, uint64_t *badge)
{
	struct cap c = {0};
	if (idx) {
		int err = cap_lookup(cur, cap_arg(idx), LX4_OBJ_ENDPOINT, LX4_R_SEND, &c);
		if (err)
			return err;
		obj_get(c.obj);
	}
	if (*slot)
		obj_put(&(*slot)->obj);
	*slot = c.obj ? obj_ep(c.obj) : NULL;
	*badge = c.badge;
	return 0;
}

/* (thread, what (LX4_TCFG_*), value) */
static struct thread *sys_thread_config(struct thread *cur)
{
	struct frame *f = &cur->frame;
	struct thread *t;
	int err = lookup_thread(cur, cap_arg(arch_sysarg(f, 0)), LX4_R_CONTROL, &t);
	if (err)
		return ret(cur, err);
	uint64_t v = arch_sysarg(f, 2);
	switch (arch_sysarg(f, 1)) {
	case LX4_TCFG_PAGER:
		err = set_endpoint(cur, v, &t->pager, &t->pager_badge);
		break;
	case LX4_TCFG_HANDLER:
		err = set_endpoint(cur, v, &t->handler, &t->handler_badge);
		break;
	case LX4_TCFG_UTCB:
		err = thread_set_utcb(t, v);
		break;
	case LX4_TCFG_PRIORITY:
		if (v > cur->prio)
			err = -LX4_ERANGE;
		else if (t->state == LX4_TSTATE_READY) {
			sched_dequeue(t);
			t->prio = v;
			sched_enqueue(t);
		} else {
			t->prio = v;
		}
		break;
	case LX4_TCFG_FSBASE:
	case LX4_TCFG_GSBASE: {
		unsigned reg = arch_sysarg(f, 1) == LX4_TCFG_FSBASE ? LX4_REG_FSBASE : LX4_REG_GSBASE;
		if (!thread_reg_ok(reg, v))
			err = -LX4_EINVAL;
		else
			thread_reg_write(t, reg, v);
		break;
	}
	case LX4_TCFG_FOREIGN:
		if (v > 1)
			err = -LX4_EINVAL;
		else
			t->flags = v ? (t->flags | TF_FOREIGN) : (t->flags & ~TF_FOREIGN);
		break;
	case LX4_TCFG_TIMESLICE:
		if (v < 1 || v > 1000)
			err = -LX4_ERANGE;
		else
			t->timeslice = t->ticks_left = v;
		break;
	default:
		err = -LX4_EINVAL;
	}
	return ret(cur, err);
}

/* (thread, flags, mask of registers to write) -> (the thread's state,
 * after).  The registers (frame order) are in the caller's UTCB mr[];
 * READ puts all registers there.  FPU_READ / FPU_WRITE move the FPU state
 * through the UTCB's fpu[] (thread_exchange). */
static struct thread *sys_thread_exregs(struct thread *cur)
{
	struct frame *f = &cur->frame;
	struct thread *t;
	uint64_t flags = arch_sysarg(f, 1), mask = arch_sysarg(f, 2);
	int err = lookup_thread(cur, cap_arg(arch_sysarg(f, 0)), LX4_R_CONTROL, &t);
	if (!err) /* (no UTCB: no buffers) */
		err = thread_exchange(t, flags, mask, cur->utcb ? cur->utcb->mr : NULL,
				      cur->utcb ? cur->utcb->fpu : NULL);
	if (err)
		return ret(cur, err);
	arch_set_sysret(f, 0);
	arch_set_sysout(f, 0, t == cur ? LX4_TSTATE_RUNNING : t->state);
	return t == cur && t->state != LX4_TSTATE_RUNNING ? NULL : cur; /* NULL: stopped itself */
}

/* (thread (CONTROL)) -> (user time, kernel time (ns), preemptions); of a
 * running thread (the caller itself) until now */
static struct thread *sys_thread_info(struct thread *cur)
{
	struct frame *f = &cur->frame;
	struct thread *t;
	int err = lookup_thread(cur, cap_arg(arch_sysarg(f, 0)), LX4_R_CONTROL, &t);
	if (err)
		return ret(cur, err);
	uint64_t run, kern;
	sched_thread_times(t, &run, &kern);
	arch_set_sysout(f, 0, lx4_kip_tsc_ns(kip, run - kern));
	arch_set_sysout(f, 1, lx4_kip_tsc_ns(kip, kern));
	arch_set_sysout(f, 2, t->preempts);
	return ret(cur, 0);
}

/* (dst slot) */
static struct thread *sys_ep_create(struct thread *cur)
{
	struct cap *slot;
	int err = cap_dst_slot(cur->task, cap_arg(arch_sysarg(&cur->frame, 0)), &slot);
	struct endpoint *ep = err ? NULL : endpoint_create(cur->task);
	if (!err && !ep)
		err = -LX4_ENOMEM;
	if (err)
		return ret(cur, err);
	cap_install(slot, &ep->obj, LX4_R_ALL, 0);
	return ret(cur, 0);
}

/* ---- mappings -------------------------------------------------------------- */

/* (dst task, fpage in the caller's space, dst address, flags) */
static struct thread *sys_map(struct thread *cur)
{
	struct frame *f = &cur->frame;
	struct task *dt;
	int err = lookup_task(cur, cap_arg(arch_sysarg(f, 0)), LX4_R_CONTROL, &dt);
	uint64_t flags = arch_sysarg(f, 3);
	if (!err && flags & ~LX4_MAP_GRANT)
		err = -LX4_EINVAL;
	if (err)
		return ret(cur, err);
	bool grant = flags & LX4_MAP_GRANT;
	switch (lx4_fp_type(arch_sysarg(f, 1))) {
	case LX4_ITEM_MEM:
		return ret(cur, space_map(cur->task, arch_sysarg(f, 1), dt, arch_sysarg(f, 2), grant));
	case LX4_ITEM_IO:
		return ret(cur, io_map(cur->task, arch_sysarg(f, 1), dt, grant));
	default:
		return ret(cur, -LX4_EINVAL);
	}
}

/* (task, fpage, flags (LX4_UNMAP_SELF)) */
static struct thread *sys_unmap(struct thread *cur)
{
	struct frame *f = &cur->frame;
	struct task *t;
	int err = lookup_task(cur, cap_arg(arch_sysarg(f, 0)), LX4_R_CONTROL, &t);
	uint64_t flags = arch_sysarg(f, 2);
	if (!err && flags & ~LX4_UNMAP_SELF)
		err = -LX4_EINVAL;
	if (err)
		return ret(cur, err);
	switch (lx4_fp_type(arch_sysarg(f, 1))) {
	case LX4_ITEM_MEM:
		return ret(cur, space_unmap(t, arch_sysarg(f, 1), flags & LX4_UNMAP_SELF));
	case LX4_ITEM_IO:
		return ret(cur, io_unmap(t, arch_sysarg(f, 1)));
	default:
		return ret(cur, -LX4_EINVAL);
	}
}

/* (task, address) -> ((order << 16) | rights, derived) */
static struct thread *sys_map_query(struct thread *cur)
{
	struct frame *f = &cur->frame;
	struct task *t;
	int err = lookup_task(cur, cap_arg(arch_sysarg(f, 0)), LX4_R_CONTROL, &t);
	if (err)
		return ret(cur, err);
	uint64_t derived;
	arch_set_sysout(f, 0, space_query(t, arch_sysarg(f, 1), &derived));
	arch_set_sysout(f, 1, derived);
	return ret(cur, 0);
}

/* ---- misc -------------------------------------------------------------------- */

static struct thread *sys_yield(struct thread *cur)
{
	arch_set_sysret(&cur->frame, 0);
	return sched_next(cur);
}

/* (op, ...) */
static struct thread *sys_debug(struct thread *cur)
{
	struct frame *f = &cur->frame;
	switch (arch_sysarg(f, 0)) {
	case LX4_DBG_WRITE:
		if (!cur->utcb || arch_sysarg(f, 1) > sizeof(cur->utcb->mr))
			return ret(cur, -LX4_EINVAL);
		kputs_user((const char *)cur->utcb->mr, arch_sysarg(f, 1));
		return ret(cur, 0);
	case LX4_DBG_KMEM_FREE:
		arch_set_sysout(f, 0, kmem_free_pages());
		return ret(cur, 0);
	default:
		return ret(cur, -LX4_EINVAL);
	}
}

static struct thread *sys_invalid(struct thread *cur) { return ret(cur, -LX4_ENOSYS); }

static syscall_fn *const syscall_table[LX4_SYS_COUNT] = {
	[0] = sys_invalid,
	[LX4_SYS_CALL] = sys_call,
	[LX4_SYS_REPLY_RECV] = sys_reply_recv,
	[LX4_SYS_SEND] = sys_send,
	[LX4_SYS_RECV] = sys_recv,
	[LX4_SYS_REPLY_TO] = sys_reply_to,
	[LX4_SYS_YIELD] = sys_yield,
	[LX4_SYS_CAP_COPY] = sys_cap_copy,
	[LX4_SYS_CAP_MOVE] = sys_cap_move,
	[LX4_SYS_CAP_DELETE] = sys_cap_delete,
	[LX4_SYS_CAP_DESTROY] = sys_cap_destroy,
	[LX4_SYS_CAP_INFO] = sys_cap_info,
	[LX4_SYS_TASK_CREATE] = sys_task_create,
	[LX4_SYS_TASK_INFO] = sys_task_info,
	[LX4_SYS_THREAD_CREATE] = sys_thread_create,
	[LX4_SYS_THREAD_CONFIG] = sys_thread_config,
	[LX4_SYS_THREAD_EXREGS] = sys_thread_exregs,
	[LX4_SYS_THREAD_INFO] = sys_thread_info,
#if CONFIG_MONO || CONFIG_COLOC
	[LX4_SYS_SERVER_START] = sys_server_start,
#endif
	[LX4_SYS_EP_CREATE] = sys_ep_create,
	[LX4_SYS_IRQ_CREATE] = sys_irq_create,
	[LX4_SYS_IRQ_BIND] = sys_irq_bind,
	[LX4_SYS_IRQ_ACK] = sys_irq_ack,
	[LX4_SYS_MAP] = sys_map,
	[LX4_SYS_UNMAP] = sys_unmap,
	[LX4_SYS_MAP_QUERY] = sys_map_query,
	[LX4_SYS_DEBUG] = sys_debug,
	[LX4_SYS_TASK_QUOTA] = sys_task_quota,
};

/* entry.S: every native syscall but CALL and REPLY_RECV (fastpath.c)
 * lands here with the caller's frame saved at cur (the frame is the start
 * of the TCB); returns the thread to leave the kernel on */
struct thread *syscall_dispatch(struct thread *cur)
{
	this_cpu()->entry_tsc = rdtsc(); /* kernel time from here (sched_finish) */
	uint64_t nr = arch_sysno(&cur->frame);
	syscall_fn *fn = nr < LX4_SYS_COUNT ? syscall_table[nr] : NULL;
	if (!fn) /* (a call this build has not) */
		fn = sys_invalid;
	return sched_finish(fn(cur));
}
