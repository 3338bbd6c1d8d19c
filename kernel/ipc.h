/*
 * Endpoints and synchronous IPC.  An endpoint queues blocked senders or
 * blocked receivers (never both) and pending IRQ notifications.
 */
#ifndef KERNEL_IPC_H
#define KERNEL_IPC_H

#include "obj.h"
#include "thread.h"

struct irq;

struct endpoint {
	struct kobj obj;
	struct thread *snd_head, *snd_tail;
	struct thread *rcv_head, *rcv_tail;
	struct irq *irq_head, *irq_tail;
};

static inline struct endpoint *obj_ep(struct kobj *o) { return container_of(o, struct endpoint, obj); }

struct endpoint *endpoint_create(struct task *acct);
void endpoint_destroy(struct endpoint *ep);

/* endpoint queues */
static inline void ep_enqueue(struct thread **head, struct thread **tail, struct thread *t)
{
	t->q_next = NULL;
	t->q_prev = *tail;
	if (*tail)
		(*tail)->q_next = t;
	else
		*head = t;
	*tail = t;
}
void ep_dequeue(struct thread **head, struct thread **tail, struct thread *t);

/* the words of the IPC system calls (arch_sysarg, arch_set_sysout; the
 * ABI in include/lx4/abi.h): the endpoint (or thread) capability, the
 * message tag, the send and the receive timeouts; a receiver gets the
 * badge and the tag, its message in the message registers (thread_mr_reg)
 * and the UTCB */
#define IPC_ARG_CAP 0
#define IPC_ARG_TAG 1
#define IPC_ARG_STIMEOUT 2
#define IPC_ARG_RTIMEOUT 3
#define IPC_OUT_BADGE 0
#define IPC_OUT_TAG 1

/* the system calls; each returns the thread to resume */
struct thread *sys_call(struct thread *cur);
struct thread *sys_reply_recv(struct thread *cur);
struct thread *sys_send(struct thread *cur);
struct thread *sys_recv(struct thread *cur);
struct thread *sys_reply_to(struct thread *cur);

/* the kernel sends a fault/exception/syscall message on behalf of t to ep
 * (a call: t waits for the reply); returns the thread to resume */
struct thread *ipc_kernel_call(struct thread *t, struct endpoint *ep, uint64_t badge, unsigned kind);

/* delivers an IRQ notification to a receiver waiting on ep, if any */
bool ipc_deliver_irq(struct endpoint *ep, struct irq *irq);

/* takes t out of whatever IPC it is in; it gets the error -err unless the
 * message was kernel-made (then its registers stay untouched); returns
 * the kind of IPC it was in.  A thread's ipc_kind is IPC_NORMAL except
 * while it is in a kernel-made IPC (fault, exception, foreign syscall). */
unsigned ipc_cancel(struct thread *t, int err);
/* wakes every thread waiting for t's reply with -err */
void ipc_release_reply_waiters(struct thread *t, int err);

/* the tag of the kernel's page-fault message (words: address, access, rip) */
#define IPC_PF_TAG (lx4_tag(LX4_LABEL_PAGEFAULT, 3, 0) | LX4_TAG_KERNEL)
/* the window of a reply to a page fault or exception: its memory items
 * map into the whole address space (offset = destination address) */
#define IPC_WIN_SPACE lx4_fpage(0, 47, 0)

/* maps a memory item (fpage w0; w1: the offset in the window win, and
 * LX4_ITEM_GRANT) from src to dst: 0, -LX4_EXFER if it does not fit the
 * window, or space_map's error (the pages it could map are mapped) */
int ipc_map_item(struct task *src, struct task *dst, uint64_t w0, uint64_t w1, uint64_t win);

/* fills the receiver's registers/UTCB from the sender's message and does
 * the typed-item transfers; returns the tag the receiver sees */
uint64_t ipc_copy(struct thread *snd, struct thread *rcv, uint64_t badge);
/* applies a reply from snd to rcv (who waits for it); false: invalid */
int ipc_apply_reply(struct thread *snd, struct thread *rcv);
/* the rest of cur's REPLY_RECV once its reply is applied to caller (NULL:
 * it had none to make): caller runs again, cur receives on ep (checked);
 * returns the thread to resume */
struct thread *ipc_reply_recv_finish(struct thread *cur, struct thread *caller, struct endpoint *ep);

/* the reply relationship: caller waits for callee's reply; callee's
 * implicit reply target becomes caller (a receiver that takes another
 * call before replying leaves the first caller to REPLY_TO) */
static inline void reply_link(struct thread *caller, struct thread *callee)
{
	caller->state = LX4_TSTATE_REPLY;
	caller->reply_from = callee;
	callee->reply_to = caller;
}

static inline void reply_unlink(struct thread *caller)
{
	struct thread *callee = caller->reply_from;
	if (!callee)
		return;
	if (callee->reply_to == caller)
		callee->reply_to = NULL;
	caller->reply_from = NULL;
}

#endif
