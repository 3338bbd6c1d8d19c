/*
 * IPC fast paths: call, reply-and-wait, and the foreign-ABI syscall.
 *
 * Each handles the common case of its system call completely: a register-
 * only message to a partner that is already waiting, with no timeouts and
 * nothing more urgent to run.  Then it copies the message words from frame
 * to frame, updates the two threads' states and switches directly to the
 * partner: no scheduler pass, no UTCB access, no reaping.  Every other
 * case falls through to the slow path (ipc.c), which gives the same
 * result.  One precondition per line.
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

FASTPATH struct thread *fastpath_reply_recv(struct thread *cur)
{
	struct cpu *c = this_cpu();
	struct frame *f = &cur->frame;
	uint64_t tag = arch_sysarg(f, IPC_ARG_TAG), badge;
	unsigned u = lx4_tag_untyped(tag);
	struct thread *caller = cur->reply_to;
	if (unlikely(!caller))
		goto slow;
	if (unlikely(caller->ipc_kind != IPC_NORMAL && caller->ipc_kind != IPC_SYSCALL))
		goto slow;
	if (unlikely(caller->on_timeout))
		goto slow;
	if (unlikely(tag & TAG_NOT_REGS))
		goto slow;
	if (unlikely(arch_sysarg(f, IPC_ARG_RTIMEOUT) != LX4_TIMEOUT_NEVER))
		goto slow;
	struct endpoint *ep = ep_fast(cur->task, arch_sysarg(f, IPC_ARG_CAP), LX4_R_RECV, &badge);
	if (unlikely(!ep))
		goto slow;
	if (unlikely(ep->snd_head || ep->irq_head))
		goto slow;
	if (unlikely(!sched_may_run(c, caller)))
		goto slow;

	reply_fast(caller, f, tag, u);
	cur->reply_to = NULL; /* reply_unlink: caller->reply_from matters only in REPLY */
	cur->state = LX4_TSTATE_RECV;
	cur->wait_ep = ep;
	ep_enqueue(&ep->rcv_head, &ep->rcv_tail, cur);
	caller->state = LX4_TSTATE_RUNNING;
	return switch_fast(c, cur, caller);
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
