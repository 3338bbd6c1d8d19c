/*
 * IPC fast paths: call, reply-and-wait, the foreign-ABI syscall and the
 * page fault.
 *
 * Each handles the common case of its kernel entry completely: a register-
 * only message to a partner that is already waiting, with no timeouts and
 * nothing more urgent to run.  Then it copies the message words from frame
 * to frame, updates the two threads' states and switches directly to the
 * partner: no scheduler pass, no UTCB access, no reaping.  The one typed
 * item taken here is the memory item of a page fault's reply, mapped by
 * the slow path's own function.  Every other case falls through to the
 * slow path (ipc.c), which gives the same result.  One precondition per
 * line.
 */
#include "fastpath.h"
#include <arch/cpuarch.h>
#include <arch/mmu.h>
#include "cpu.h"
#include "fault.h"
#include "ipc.h"
#include "kserver.h"
#include "sched.h"
#include "task.h"

/* typed items, or untyped words beyond the registers (8..63) */
#define TAG_NOT_REGS (15ull << 6 | 0x38ull)
/* the untyped words and typed items of a tag (not its flags or label) */
#define TAG_SHAPE 0x3ffull

/* the fast paths are leaves (the slow path is a tail call): no frame
 * pointer needed */
#define FASTPATH __attribute__((optimize("omit-frame-pointer")))

/* an endpoint capability with the right, or NULL (no pseudo caps here;
 * slot 0 is always empty, a missing leaf is cap_empty_leaf) */
static inline struct endpoint *ep_fast(struct task *t, uint64_t idx, uint32_t right, uint64_t *badge)
{
	if (unlikely(idx >= t->cap_slots))
		return NULL;
	struct cap *c = &t->cap_leaf[idx / CAPS_PER_LEAF][idx % CAPS_PER_LEAF];
	if (unlikely(!(c->rights & right))) /* an empty slot has no rights */
		return NULL;
	if (unlikely(obj_type_live(c->obj) != LX4_OBJ_ENDPOINT))
		return NULL;
	*badge = c->badge;
	return obj_ep(c->obj);
}

/* copies u (<= LX4_MR_REGS) message registers */
static inline void copy_mrs(struct frame *d, struct frame *s, unsigned u)
{
	if (likely(u == 1)) {
		*arch_mr_reg(d, 0) = *arch_mr_reg(s, 0);
		return;
	}
	switch (u) {
	case 7: *arch_mr_reg(d, 6) = *arch_mr_reg(s, 6); /* fall through */
	case 6: *arch_mr_reg(d, 5) = *arch_mr_reg(s, 5); /* fall through */
	case 5: *arch_mr_reg(d, 4) = *arch_mr_reg(s, 4); /* fall through */
	case 4: *arch_mr_reg(d, 3) = *arch_mr_reg(s, 3); /* fall through */
	case 3: *arch_mr_reg(d, 2) = *arch_mr_reg(s, 2); /* fall through */
	case 2: *arch_mr_reg(d, 1) = *arch_mr_reg(s, 1); /* fall through */
	case 1: *arch_mr_reg(d, 0) = *arch_mr_reg(s, 0); /* fall through */
	default: break;
	}
}

/* t->q_next is left stale: every enqueue sets it */
static inline void dequeue_head(struct thread **head, struct thread **tail, struct thread *t)
{
	*head = t->q_next;
	if (*head)
		(*head)->q_prev = NULL;
	else
		*tail = NULL;
}

/* the slow paths, as tail calls: the fast paths stay leaves.  Their
 * kernel time counts from here (a fast path's counts as run time). */
static __attribute__((noinline)) struct thread *call_slow(struct thread *cur)
{
	this_cpu()->entry_tsc = rdtsc();
	return sched_finish(sys_call(cur));
}
static __attribute__((noinline)) struct thread *reply_recv_slow(struct thread *cur)
{
	this_cpu()->entry_tsc = rdtsc();
	return sched_finish(sys_reply_recv(cur));
}
static __attribute__((noinline)) struct thread *foreign_slow(struct thread *cur)
{
	this_cpu()->entry_tsc = rdtsc();
	return sched_finish(fault_syscall(cur));
}
/* (trap_user has started the kernel time) */
static __attribute__((noinline)) struct thread *page_fault_slow(struct thread *cur)
{
	return sched_finish(ipc_kernel_call(cur, cur->pager, cur->pager_badge, IPC_PAGEFAULT));
}
/* a page fault's reply is applied: the rest of the reply-and-wait as the
 * slow path does it (ipc_apply_reply counted the IPC) */
static __attribute__((noinline)) struct thread *reply_fault_rest(struct thread *cur, struct thread *caller,
								 struct endpoint *ep)
{
	struct cpu *c = this_cpu();
	c->entry_tsc = rdtsc();
	cpu_counters(c)->ipcs++;
	return sched_finish(ipc_reply_recv_finish(cur, caller, ep));
}

/* a message went from cur to next, which runs now (never idle) */
static inline struct thread *switch_fast(struct cpu *c, struct thread *cur, struct thread *next)
{
	cpu_counters(c)->ipcs++;
	sched_account(cur, next, rdtsc());
	sched_switch_thread(c, cur, next);
	return next;
}

FASTPATH struct thread *fastpath_call(struct thread *cur)
{
	struct cpu *c = this_cpu();
	struct frame *f = &cur->frame;
	uint64_t tag = arch_sysarg(f, IPC_ARG_TAG), badge;
	unsigned u = lx4_tag_untyped(tag);
	if (unlikely(tag & TAG_NOT_REGS))
		goto slow;
	if (unlikely(arch_sysarg(f, IPC_ARG_RTIMEOUT) != LX4_TIMEOUT_NEVER))
		goto slow;
	struct endpoint *ep = ep_fast(cur->task, arch_sysarg(f, IPC_ARG_CAP), LX4_R_SEND, &badge);
	if (unlikely(!ep))
		goto slow;
	struct thread *r = ep->rcv_head;
	if (unlikely(!r))
		goto slow;
	if (unlikely(r->on_timeout))
		goto slow;
	if (unlikely(!sched_may_run(c, r)))
		goto slow;

	/* (a receiver waiting on an endpoint is always IPC_NORMAL) */
	dequeue_head(&ep->rcv_head, &ep->rcv_tail, r);
	copy_mrs(&r->frame, f, u);
	arch_set_sysret(&r->frame, 0);
	arch_set_sysout(&r->frame, IPC_OUT_BADGE, badge);
	arch_set_sysout(&r->frame, IPC_OUT_TAG, tag & ~0xffc0ull); /* label and untyped words */
	reply_link(cur, r);
	r->state = LX4_TSTATE_RUNNING;
	return switch_fast(c, cur, r);
slow:
	return call_slow(cur);
}

/* writes a reply of u (<= 7) words into the waiting caller */
static inline void reply_fast(struct thread *caller, struct frame *f, uint64_t tag, unsigned u)
{
	struct frame *d = &caller->frame;
	if (likely(caller->ipc_kind == IPC_NORMAL)) {
		copy_mrs(d, f, u);
		arch_set_sysret(d, 0);
		arch_set_sysout(d, IPC_OUT_BADGE, 0);
		arch_set_sysout(d, IPC_OUT_TAG, tag & ~0xffc0ull);
		return;
	}
	/* a foreign-ABI syscall: word i is register i in frame order (enum
	 * lx4_reg: the syscall's result and arguments) */
	caller->ipc_kind = IPC_NORMAL;
	switch (u) {
	case 7: *arch_frame_reg(d, 6) = *arch_mr_reg(f, 6); /* fall through */
	case 6: *arch_frame_reg(d, 5) = *arch_mr_reg(f, 5); /* fall through */
	case 5: *arch_frame_reg(d, 4) = *arch_mr_reg(f, 4); /* fall through */
	case 4: *arch_frame_reg(d, 3) = *arch_mr_reg(f, 3); /* fall through */
	case 3: *arch_frame_reg(d, 2) = *arch_mr_reg(f, 2); /* fall through */
	case 2: *arch_frame_reg(d, 1) = *arch_mr_reg(f, 1); /* fall through */
	case 1: *arch_frame_reg(d, 0) = *arch_mr_reg(f, 0); /* fall through */
	default: break;
	}
}

/* the endpoint of cur's reply-and-wait if the fast path can do its
 * receive: cur may receive there, with no timeout, and nothing is there
 * to be received (no sender, no IRQ); else NULL */
static inline struct endpoint *recv_ep_fast(struct thread *cur)
{
	struct frame *f = &cur->frame;
	uint64_t badge;
	if (unlikely(arch_sysarg(f, IPC_ARG_RTIMEOUT) != LX4_TIMEOUT_NEVER))
		return NULL;
	struct endpoint *ep = ep_fast(cur->task, arch_sysarg(f, IPC_ARG_CAP), LX4_R_RECV, &badge);
	if (unlikely(!ep))
		return NULL;
	if (unlikely(ep->snd_head || ep->irq_head))
		return NULL;
	return ep;
}

/* the receive of a reply-and-wait whose reply went to caller: cur waits
 * on ep (recv_ep_fast) and caller runs */
static inline void recv_wait(struct thread *cur, struct endpoint *ep, struct thread *caller)
{
	cur->reply_to = NULL; /* reply_unlink: caller->reply_from matters only in REPLY */
	cur->state = LX4_TSTATE_RECV;
	cur->wait_ep = ep;
	ep_enqueue(&ep->rcv_head, &ep->rcv_tail, cur);
	caller->state = LX4_TSTATE_RUNNING;
}

/* the reply to a page fault: exactly one memory item, mapped by the slow
 * path's ipc_map_item into the whole space (IPC_WIN_SPACE).  The slow
 * path resumes the thread whether the map worked or not (it faults
 * again); when it did not, or when it left objects to reap (a dead task's
 * last mapping went), the rest is the slow path's too */
static FASTPATH __attribute__((noinline)) struct thread *reply_fault_fast(struct cpu *c, struct thread *cur,
									  struct thread *caller)
{
	struct frame *f = &cur->frame;
	uint64_t w0 = *arch_mr_reg(f, 0), w1 = *arch_mr_reg(f, 1);
	if (unlikely(caller->on_timeout)) /* (never: the kernel calls with none) */
		goto slow;
	if (unlikely((arch_sysarg(f, IPC_ARG_TAG) & TAG_SHAPE) != lx4_tag(0, 0, 1)))
		goto slow;
	if (unlikely(lx4_fp_type(w0) != LX4_ITEM_MEM))
		goto slow;
	struct endpoint *ep = recv_ep_fast(cur);
	if (unlikely(!ep))
		goto slow;
	if (unlikely(!sched_may_run(c, caller)))
		goto slow;

	int err = ipc_map_item(cur->task, caller->task, w0, w1, IPC_WIN_SPACE);
	caller->ipc_kind = IPC_NORMAL; /* the kernel-made IPC is over */
	if (unlikely(err || c->reap))
		return reply_fault_rest(cur, caller, ep);
	recv_wait(cur, ep, caller);
	return switch_fast(c, cur, caller);
slow:
	return reply_recv_slow(cur);
}

FASTPATH struct thread *fastpath_reply_recv(struct thread *cur)
{
	struct cpu *c = this_cpu();
	struct frame *f = &cur->frame;
	uint64_t tag = arch_sysarg(f, IPC_ARG_TAG);
	unsigned u = lx4_tag_untyped(tag);
	struct thread *caller = cur->reply_to;
	if (unlikely(!caller))
		goto slow;
	if (unlikely(caller->ipc_kind != IPC_NORMAL && caller->ipc_kind != IPC_SYSCALL))
		goto kernel_made;
	if (unlikely(caller->on_timeout))
		goto slow;
	if (unlikely(tag & TAG_NOT_REGS))
		goto slow;
	struct endpoint *ep = recv_ep_fast(cur);
	if (unlikely(!ep))
		goto slow;
	if (unlikely(!sched_may_run(c, caller)))
		goto slow;

	reply_fast(caller, f, tag, u);
	recv_wait(cur, ep, caller);
	return switch_fast(c, cur, caller);
kernel_made: /* a page fault's reply has a fast path of its own, an exception's none */
	if (caller->ipc_kind == IPC_PAGEFAULT)
		return reply_fault_fast(c, cur, caller);
slow:
	return reply_recv_slow(cur);
}

/* mono: the in-kernel server answers at once, and nothing else is to be
 * done or to run (else the scheduler's pass, as after the slow path) */
static __attribute__((noinline)) struct thread *foreign_kserver(struct cpu *c, struct thread *cur)
{
	c->entry_tsc = rdtsc();
	struct thread *next = kserver_event(cur, IPC_SYSCALL);
	if (likely(next == cur && !c->reap && !c->zombie && !c->need_resched && sched_may_run(c, cur))) {
		cur->kern_tsc += rdtsc() - c->entry_tsc; /* (less the server's: run_server) */
		return cur;
	}
	return sched_finish(next);
}

FASTPATH struct thread *fastpath_foreign(struct thread *cur)
{
	struct cpu *c = this_cpu();
	if (CONFIG_MONO && (cur->flags & TF_KSERVER)) /* (fault.c's choice, without the slow path) */
		return foreign_kserver(c, cur);
	struct frame *f = &cur->frame;
	struct endpoint *ep = cur->handler;
	if (unlikely(!ep || ep->obj.dead))
		goto slow;
	struct thread *r = ep->rcv_head;
	if (unlikely(!r))
		goto slow;
	if (unlikely(!r->utcb))
		goto slow;
	if (unlikely(r->on_timeout))
		goto slow;
	if (unlikely(!sched_may_run(c, r)))
		goto slow;

	dequeue_head(&ep->rcv_head, &ep->rcv_tail, r);
	/* the message: the syscall's registers, the first
	 * LX4_SYSCALL_MSG_WORDS in frame order (enum lx4_reg), those beyond
	 * the message registers in the UTCB */
	struct frame *d = &r->frame;
#pragma GCC unroll 16
	for (unsigned i = 0; i < LX4_MR_REGS; i++)
		*arch_mr_reg(d, i) = *arch_frame_reg(f, i);
	struct lx4_utcb *ru = r->utcb; /* read once: the stores below may alias it */
#pragma GCC unroll 16
	for (unsigned i = LX4_MR_REGS; i < LX4_SYSCALL_MSG_WORDS; i++)
		ru->mr[i] = *arch_frame_reg(f, i);
	arch_set_sysret(d, 0);
	arch_set_sysout(d, IPC_OUT_BADGE, cur->handler_badge);
	arch_set_sysout(d, IPC_OUT_TAG, lx4_tag(LX4_LABEL_SYSCALL, LX4_SYSCALL_MSG_WORDS, 0) | LX4_TAG_KERNEL);
	cur->ipc_kind = IPC_SYSCALL;
	reply_link(cur, r);
	r->state = LX4_TSTATE_RUNNING;
	return switch_fast(c, cur, r);
slow:
	return foreign_slow(cur);
}

/* the page fault as the kernel's call to the pager (ipc_kernel_call):
 * the message (address, access, rip) in the registers of a receiver that
 * waits there; the thread waits for the reply */
FASTPATH struct thread *fastpath_page_fault(struct thread *cur)
{
	struct cpu *c = this_cpu();
	struct endpoint *ep = cur->pager;
	if (unlikely(!ep || ep->obj.dead))
		goto slow;
	struct thread *r = ep->rcv_head;
	if (unlikely(!r))
		goto slow;
	if (unlikely(r->on_timeout))
		goto slow;
	if (unlikely(!sched_may_run(c, r)))
		goto slow;

	/* (a receiver waiting on an endpoint is always IPC_NORMAL) */
	dequeue_head(&ep->rcv_head, &ep->rcv_tail, r);
	struct frame *d = &r->frame;
	*arch_mr_reg(d, 0) = cur->fault_addr;
	*arch_mr_reg(d, 1) = cur->fault_access;
	*arch_mr_reg(d, 2) = arch_frame_ip(&cur->frame);
	arch_set_sysret(d, 0);
	arch_set_sysout(d, IPC_OUT_BADGE, cur->pager_badge);
	arch_set_sysout(d, IPC_OUT_TAG, IPC_PF_TAG);
	cur->ipc_kind = IPC_PAGEFAULT;
	reply_link(cur, r);
	r->state = LX4_TSTATE_RUNNING;
	return switch_fast(c, cur, r);
slow:
	return page_fault_slow(cur);
}
