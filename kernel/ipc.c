/*
 * Synchronous IPC over endpoints: send, receive, call, reply-and-wait and
 * deferred replies (slow path; fastpath.c takes the common call /
 * reply-and-wait pair).  A blocked sender keeps its message in its own
 * registers and UTCB; the receiver copies it out when it arrives.  Kernel
 * made messages (faults, exceptions, foreign syscalls) are built from the
 * sender's frame at delivery.
 */
#include "ipc.h"
#include "cpu.h"
#include "ioport.h"
#include "irq.h"
#include "kmem.h"
#include "lib.h"
#include "sched.h"
#include "space.h"
#include "task.h"
#include "timer.h"

struct endpoint *endpoint_create(struct task *acct)
{
	struct endpoint *ep = kalloc(acct, sizeof *ep);
	if (ep)
		obj_init(&ep->obj, LX4_OBJ_ENDPOINT, acct);
	return ep;
}

void ep_dequeue(struct thread **head, struct thread **tail, struct thread *t)
{
	if (t->q_prev)
		t->q_prev->q_next = t->q_next;
	else
		*head = t->q_next;
	if (t->q_next)
		t->q_next->q_prev = t->q_prev;
	else
		*tail = t->q_prev;
	t->q_next = t->q_prev = NULL;
}

unsigned ipc_cancel(struct thread *t, int err)
{
	unsigned kind = t->ipc_kind;
	timeout_cancel(t);
	switch (t->state) {
	case LX4_TSTATE_SEND:
		ep_dequeue(&t->wait_ep->snd_head, &t->wait_ep->snd_tail, t);
		break;
	case LX4_TSTATE_RECV:
		ep_dequeue(&t->wait_ep->rcv_head, &t->wait_ep->rcv_tail, t);
		break;
	case LX4_TSTATE_REPLY:
		reply_unlink(t);
		break;
	default:
		return kind;
	}
	t->wait_ep = NULL;
	t->state = LX4_TSTATE_INACTIVE;
	if (t->ipc_kind == IPC_NORMAL)
		arch_set_sysret(&t->frame, (uint64_t)-err);
	else if (t->ipc_kind == IPC_SYSCALL)
		arch_syscall_restart(&t->frame); /* like a fault: made again when the thread runs */
	t->ipc_kind = IPC_NORMAL;
	return kind;
}

/* a kernel-made IPC that cannot complete: the thread stops */
static void halt(struct thread *t, const char *why)
{
	kprintf("lx4: thread %u halted: %s (rip %lx)\n", t->id, why, arch_frame_ip(&t->frame));
	t->state = LX4_TSTATE_HALTED;
	t->ipc_kind = IPC_NORMAL;
}

void ipc_release_reply_waiters(struct thread *t, int err)
{
	struct thread *cur = this_cpu()->cur;
	for (struct thread *w = thread_list; w; w = w->all_next) {
		if (w->state != LX4_TSTATE_REPLY || w->reply_from != t)
			continue;
		if (ipc_cancel(w, err) == IPC_NORMAL)
			sched_wake(cur, w);
		else
			halt(w, "its handler died before replying");
	}
}

/* ---- message transfer ----------------------------------------------------- */

/* word i of a kernel-made message sent by s */
static uint64_t kmsg_word(struct thread *s, unsigned i)
{
	switch (s->ipc_kind) {
	case IPC_PAGEFAULT:
		return i == 0 ? s->fault_addr : i == 1 ? s->fault_access : arch_frame_ip(&s->frame);
	default:
		if (i < LX4_REG_COUNT)
			return *thread_reg(s, i);
		return i == LX4_EXC_MR_VECTOR ? s->fault_vector : s->fault_error;
	}
}

static uint64_t kmsg_tag(struct thread *s)
{
	switch (s->ipc_kind) {
	case IPC_PAGEFAULT:
		return IPC_PF_TAG;
	case IPC_SYSCALL:
		return lx4_tag(LX4_LABEL_SYSCALL, LX4_SYSCALL_MSG_WORDS, 0) | LX4_TAG_KERNEL;
	default:
		return lx4_tag(LX4_LABEL_EXCEPTION, LX4_EXC_MSG_WORDS, 0) | LX4_TAG_KERNEL;
	}
}

static inline uint64_t msg_word(struct thread *s, unsigned i)
{
	if (s->ipc_kind != IPC_NORMAL)
		return kmsg_word(s, i);
	return i < LX4_MR_REGS ? *thread_mr_reg(s, i) : s->utcb->mr[i];
}

/* a message's shape is checked when it is sent */
int ipc_check_msg(struct thread *s, uint64_t tag, uint32_t rights)
{
	unsigned n = lx4_tag_untyped(tag) + 2 * lx4_tag_typed(tag);
	if (n > LX4_MR_COUNT)
		return -LX4_EINVAL;
	if (n > LX4_MR_REGS && !s->utcb)
		return -LX4_EINVAL;
	if (lx4_tag_typed(tag) && !(rights & LX4_R_GRANT))
		return -LX4_ERIGHTS;
	return 0;
}

int ipc_map_item(struct task *src, struct task *dst, uint64_t w0, uint64_t w1, uint64_t win)
{
	unsigned order = lx4_fp_order(w0), worder = lx4_fp_order(win);
	uint64_t off = w1 & ~0xfffull;
	if (!win || order > worder || off > (1ull << worder) - (1ull << order) || !IS_ALIGNED(off, 1ull << order))
		return -LX4_EXFER;
	return space_map(src, w0, dst, lx4_fp_base(win) + off, w1 & LX4_ITEM_GRANT);
}

/* one typed item (w0, w1) from s to r; k counts cap items so far */
static int xfer_item(struct thread *s, struct thread *r, uint64_t w0, uint64_t w1, unsigned *k, uint64_t win)
{
	bool grant = w1 & LX4_ITEM_GRANT;
	switch (lx4_fp_type(w0)) {
	case LX4_ITEM_MEM:
		return ipc_map_item(s->task, r->task, w0, w1, win);
	case LX4_ITEM_IO:
		if (!r->utcb || !r->utcb->br_io)
			return -LX4_EXFER;
		return io_map(s->task, w0, r->task, grant);
	case LX4_ITEM_CAP: {
		if (!r->utcb || !(r->utcb->br_cap & LX4_BR_CAP_VALID))
			return -LX4_EXFER;
		lx4_cap_t src = w0 >> 32, dst = (lx4_cap_t)r->utcb->br_cap + (*k)++;
		struct cap c, *dslot;
		int err = cap_lookup(s, src, 0, 0, &c);
		if (err || src >= LX4_CAP_SELF_TASK)
			return err ? err : -LX4_ECAP;
		if ((err = cap_dst_slot(r->task, dst, &dslot)))
			return err;
		cap_install(dslot, c.obj, c.rights & ((w0 >> 16) & 0xff), c.badge);
		if (grant) {
			int e2;
			cap_clear(cap_slot(s->task, src, false, &e2));
		}
		return 0;
	}
	default:
		return -LX4_EXFER;
	}
}

/* copies untyped words into the receiver's registers and UTCB, then does
 * the typed items; returns the tag the receiver sees */
static uint64_t deliver(struct thread *s, struct thread *r, uint64_t tag, uint64_t win)
{
	unsigned u = lx4_tag_untyped(tag), t = lx4_tag_typed(tag);
	uint64_t flags = tag & LX4_TAG_KERNEL;
	if (u + 2 * t > LX4_MR_REGS && !r->utcb) { /* no room: drop the rest */
		if (u > LX4_MR_REGS)
			u = LX4_MR_REGS;
		t = 0;
		flags |= LX4_TAG_XFER_ERR;
	}
	for (unsigned i = 0; i < u + 2 * t; i++) {
		uint64_t w = msg_word(s, i);
		if (i < LX4_MR_REGS)
			*thread_mr_reg(r, i) = w;
		else
			r->utcb->mr[i] = w;
	}
	unsigned k = 0, done = 0;
	for (; done < t; done++) {
		if (xfer_item(s, r, msg_word(s, u + 2 * done), msg_word(s, u + 2 * done + 1), &k, win)) {
			flags |= LX4_TAG_XFER_ERR;
			break;
		}
	}
	return (lx4_tag_label(tag) << 16) | ((uint64_t)done << 6) | u | flags;
}

uint64_t ipc_copy(struct thread *s, struct thread *r, uint64_t badge)
{
	/* only the kernel's own messages carry LX4_TAG_KERNEL */
	uint64_t tag = s->ipc_kind == IPC_NORMAL ? arch_sysarg(&s->frame, IPC_ARG_TAG) & ~LX4_TAG_KERNEL : kmsg_tag(s);
	uint64_t win = r->utcb ? r->utcb->br_mem : 0;
	uint64_t rtag = deliver(s, r, tag, win);
	arch_set_sysret(&r->frame, 0);
	arch_set_sysout(&r->frame, IPC_OUT_BADGE, badge);
	arch_set_sysout(&r->frame, IPC_OUT_TAG, rtag);
	r->ipc_kind = IPC_NORMAL;
	cpu_counters(this_cpu())->ipcs++;
	return rtag;
}

/* the registers an exception or syscall reply writes: MR i -> reg i */

int ipc_apply_reply(struct thread *s, struct thread *r)
{
	uint64_t tag = arch_sysarg(&s->frame, IPC_ARG_TAG);
	unsigned u = lx4_tag_untyped(tag), t = lx4_tag_typed(tag);
	const uint64_t whole = IPC_WIN_SPACE;
	switch (r->ipc_kind) {
	case IPC_NORMAL:
		ipc_copy(s, r, 0);
		return 0;
	case IPC_PAGEFAULT:
		for (unsigned i = 0, k = 0; i < t; i++)
			if (xfer_item(s, r, msg_word(s, u + 2 * i), msg_word(s, u + 2 * i + 1), &k, whole) ==
			    -LX4_ENOMEM)
				break;
		break;
	default: { /* the words are registers in frame order */
		uint64_t w[LX4_REG_COUNT];
		unsigned n = u < LX4_REG_COUNT ? u : LX4_REG_COUNT;
		for (unsigned i = 0; i < n; i++)
			w[i] = msg_word(s, i);
		uint64_t mask = (1ull << n) - 1;
		if (!thread_regs_ok(mask, w))
			return -LX4_EINVAL;
		thread_regs_write(r, mask, w);
		for (unsigned i = 0, k = 0; i < t; i++)
			if (xfer_item(s, r, msg_word(s, u + 2 * i), msg_word(s, u + 2 * i + 1), &k, whole) ==
			    -LX4_ENOMEM)
				break;
		break;
	}
	}
	r->ipc_kind = IPC_NORMAL; /* the kernel-made IPC is over */
	cpu_counters(this_cpu())->ipcs++;
	return 0;
}

/* ---- blocking --------------------------------------------------------- */

static void block_send(struct thread *t, struct endpoint *ep, uint64_t badge, bool call, uint64_t timeout)
{
	t->state = LX4_TSTATE_SEND;
	t->send_badge = badge;
	t->send_is_call = call;
	t->wait_ep = ep;
	ep_enqueue(&ep->snd_head, &ep->snd_tail, t);
	if (timeout != LX4_TIMEOUT_NEVER)
		timeout_arm(t, timeout);
}

static void block_recv(struct thread *t, struct endpoint *ep, uint64_t timeout)
{
	t->state = LX4_TSTATE_RECV;
	t->ipc_kind = IPC_NORMAL;
	t->wait_ep = ep;
	ep_enqueue(&ep->rcv_head, &ep->rcv_tail, t);
	if (timeout != LX4_TIMEOUT_NEVER)
		timeout_arm(t, timeout);
}

/* takes the first waiting receiver off ep */
static struct thread *take_receiver(struct endpoint *ep)
{
	struct thread *r = ep->rcv_head;
	if (r) {
		ep_dequeue(&ep->rcv_head, &ep->rcv_tail, r);
		timeout_cancel(r);
		r->wait_ep = NULL;
	}
	return r;
}

/* s's message has been delivered: it waits for the reply, or goes on */
static void sender_done(struct thread *cur, struct thread *s, struct thread *r)
{
	if (s->send_is_call) {
		reply_link(s, r);
		if (s->ipc_kind == IPC_NORMAL && arch_sysarg(&s->frame, IPC_ARG_RTIMEOUT) != LX4_TIMEOUT_NEVER)
			timeout_arm(s, arch_sysarg(&s->frame, IPC_ARG_RTIMEOUT));
	} else {
		arch_set_sysret(&s->frame, 0);
		sched_wake(cur, s);
	}
}

static int lookup_ep(struct thread *cur, lx4_cap_t idx, uint32_t right, struct endpoint **ep, struct cap *c)
{
	int err = cap_lookup(cur, idx, LX4_OBJ_ENDPOINT, right, c);
	if (!err)
		*ep = obj_ep(c->obj);
	return err;
}

static struct thread *do_recv(struct thread *cur, struct endpoint *ep, uint64_t timeout)
{
	if (ep->irq_head) {
		struct irq *irq = ep->irq_head;
		ep->irq_head = irq->next;
		if (!ep->irq_head)
			ep->irq_tail = NULL;
		irq->next = NULL;
		irq->pending = false;
		irq->inflight = true;
		arch_set_sysret(&cur->frame, 0);
		arch_set_sysout(&cur->frame, IPC_OUT_BADGE, irq->badge);
		arch_set_sysout(&cur->frame, IPC_OUT_TAG, lx4_tag(LX4_LABEL_IRQ, 1, 0) | LX4_TAG_KERNEL);
		*thread_mr_reg(cur, 0) = irq->line;
		cpu_counters(this_cpu())->ipcs++;
		return cur;
	}
	struct thread *s = ep->snd_head;
	if (s) {
		ep_dequeue(&ep->snd_head, &ep->snd_tail, s);
		timeout_cancel(s);
		s->wait_ep = NULL;
		ipc_copy(s, cur, s->send_badge);
		sender_done(cur, s, cur);
		return cur;
	}
	if (timeout == LX4_TIMEOUT_ZERO) {
		arch_set_sysret(&cur->frame, (uint64_t)-LX4_ETIMEOUT);
		return cur;
	}
	block_recv(cur, ep, timeout);
	return NULL;
}

/* send or call: (endpoint, tag, send timeout, receive timeout) */
static struct thread *do_send(struct thread *cur, bool call)
{
	struct frame *f = &cur->frame;
	struct endpoint *ep;
	struct cap c;
	int err = lookup_ep(cur, cap_arg(arch_sysarg(f, IPC_ARG_CAP)), LX4_R_SEND, &ep, &c);
	if (!err)
		err = ipc_check_msg(cur, arch_sysarg(f, IPC_ARG_TAG), c.rights);
	if (err) {
		arch_set_sysret(f, (uint64_t)err);
		return cur;
	}
	cur->ipc_kind = IPC_NORMAL;
	struct thread *r = take_receiver(ep);
	if (r) {
		ipc_copy(cur, r, c.badge);
		if (call) {
			reply_link(cur, r);
			if (arch_sysarg(f, IPC_ARG_RTIMEOUT) != LX4_TIMEOUT_NEVER)
				timeout_arm(cur, arch_sysarg(f, IPC_ARG_RTIMEOUT));
			r->state = LX4_TSTATE_RUNNING;
			return r; /* direct switch */
		}
		arch_set_sysret(f, 0);
		return sched_wake(cur, r);
	}
	if (arch_sysarg(f, IPC_ARG_STIMEOUT) == LX4_TIMEOUT_ZERO) {
		arch_set_sysret(f, (uint64_t)-LX4_ETIMEOUT);
		return cur;
	}
	block_send(cur, ep, c.badge, call, arch_sysarg(f, IPC_ARG_STIMEOUT));
	return NULL;
}

struct thread *sys_send(struct thread *cur) { return do_send(cur, false); }
struct thread *sys_call(struct thread *cur) { return do_send(cur, true); }

struct thread *sys_recv(struct thread *cur)
{
	struct endpoint *ep;
	struct cap c;
	int err = lookup_ep(cur, cap_arg(arch_sysarg(&cur->frame, IPC_ARG_CAP)), LX4_R_RECV, &ep, &c);
	if (err) {
		arch_set_sysret(&cur->frame, (uint64_t)err);
		return cur;
	}
	return do_recv(cur, ep, arch_sysarg(&cur->frame, IPC_ARG_RTIMEOUT));
}

/* replies to cur's last caller (if any), then receives on the endpoint */
struct thread *sys_reply_recv(struct thread *cur)
{
	struct frame *f = &cur->frame;
	struct endpoint *ep;
	struct cap c;
	int err = lookup_ep(cur, cap_arg(arch_sysarg(f, IPC_ARG_CAP)), LX4_R_RECV, &ep, &c);
	if (!err)
		err = ipc_check_msg(cur, arch_sysarg(f, IPC_ARG_TAG), LX4_R_GRANT);
	if (err) {
		arch_set_sysret(f, (uint64_t)err);
		return cur;
	}
	struct thread *caller = cur->reply_to;
	if (caller) {
		cur->ipc_kind = IPC_NORMAL;
		if ((err = ipc_apply_reply(cur, caller))) {
			arch_set_sysret(f, (uint64_t)err);
			return cur;
		}
	}
	return ipc_reply_recv_finish(cur, caller, ep);
}

struct thread *ipc_reply_recv_finish(struct thread *cur, struct thread *caller, struct endpoint *ep)
{
	if (caller) {
		timeout_cancel(caller);
		reply_unlink(caller);
		sched_wake(cur, caller);
	}
	return do_recv(cur, ep, arch_sysarg(&cur->frame, IPC_ARG_RTIMEOUT));
}

/* a deferred reply to a thread waiting for one: (thread cap, tag) */
struct thread *sys_reply_to(struct thread *cur)
{
	struct frame *f = &cur->frame;
	struct cap c;
	int err = cap_lookup(cur, cap_arg(arch_sysarg(f, IPC_ARG_CAP)), LX4_OBJ_THREAD, LX4_R_SEND, &c);
	if (!err)
		err = ipc_check_msg(cur, arch_sysarg(f, IPC_ARG_TAG), LX4_R_GRANT);
	struct thread *t = err ? NULL : obj_thread(c.obj);
	if (t && t->state != LX4_TSTATE_REPLY)
		err = -LX4_ESTATE;
	if (!err) {
		cur->ipc_kind = IPC_NORMAL;
		err = ipc_apply_reply(cur, t);
	}
	if (err) {
		arch_set_sysret(f, (uint64_t)err);
		return cur;
	}
	timeout_cancel(t);
	reply_unlink(t);
	arch_set_sysret(f, 0);
	return sched_wake(cur, t);
}

struct thread *ipc_kernel_call(struct thread *t, struct endpoint *ep, uint64_t badge, unsigned kind)
{
	t->ipc_kind = kind;
	if (!ep || ep->obj.dead) {
		if (kind == IPC_SYSCALL) /* START makes the syscall again */
			arch_syscall_restart(&t->frame);
		halt(t, kind == IPC_PAGEFAULT ? "page fault with no pager" : "exception with no handler");
		return NULL;
	}
	struct thread *r = take_receiver(ep);
	if (r) {
		ipc_copy(t, r, badge);
		reply_link(t, r);
		r->state = LX4_TSTATE_RUNNING;
		return r;
	}
	block_send(t, ep, badge, true, LX4_TIMEOUT_NEVER);
	return NULL;
}

bool ipc_deliver_irq(struct endpoint *ep, struct irq *irq)
{
	struct thread *r = take_receiver(ep);
	if (!r)
		return false;
	arch_set_sysret(&r->frame, 0);
	arch_set_sysout(&r->frame, IPC_OUT_BADGE, irq->badge);
	arch_set_sysout(&r->frame, IPC_OUT_TAG, lx4_tag(LX4_LABEL_IRQ, 1, 0) | LX4_TAG_KERNEL);
	*thread_mr_reg(r, 0) = irq->line;
	irq->inflight = true;
	cpu_counters(this_cpu())->ipcs++;
	sched_wake(this_cpu()->cur, r);
	return true;
}

void endpoint_destroy(struct endpoint *ep)
{
	struct thread *cur = this_cpu()->cur;
	while (ep->snd_head) {
		struct thread *t = ep->snd_head;
		if (ipc_cancel(t, LX4_EDEAD) == IPC_NORMAL)
			sched_wake(cur, t);
		else
			halt(t, "its pager/handler endpoint was destroyed");
	}
	while (ep->rcv_head) {
		struct thread *t = ep->rcv_head;
		ipc_cancel(t, LX4_EDEAD);
		sched_wake(cur, t);
	}
	while (ep->irq_head) {
		struct irq *irq = ep->irq_head;
		ep->irq_head = irq->next;
		irq->next = NULL;
	}
	ep->irq_tail = NULL;
}
