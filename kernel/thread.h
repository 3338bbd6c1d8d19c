/*
 * Threads: the user register frame, scheduling state, IPC state and
 * configuration.  A thread control block is one page: the frame first
 * (entry.S saves into it), the FPU area last.
 */
#ifndef KERNEL_THREAD_H
#define KERNEL_THREAD_H

#include <arch/regs.h>
#include "config.h"
#include "obj.h"
#include <lx4/utcb.h>

struct task;
struct endpoint;

/* what a thread sends, and so how the reply it waits for is applied */
enum ipc_kind {
	IPC_NORMAL = 0,  /* native send/call: message in registers + UTCB */
	IPC_PAGEFAULT,   /* kernel-made page-fault message */
	IPC_EXCEPTION,   /* kernel-made exception message */
	IPC_SYSCALL,     /* foreign-ABI syscall */
};

#define TF_FOREIGN 0x1  /* syscalls become exception IPC */
#define TF_FPU_USED 0x2 /* the FPU area holds saved state */
#define TF_KSERVER 0x4  /* mono: events go to the in-kernel server (fault.c) */
/* coloc: a thread of the in-kernel server's task (task.kmode): it runs in
 * the kernel's protection domain (ring 0, kernel addresses, no address
 * space of its own to load) and enters the kernel by syscall as any
 * thread does; its frame leaves by iret (VEC_KMODE) */
#define TF_KMODE 0x8

#define TCB_FPU_OFFSET 512
#define TCB_FPU_SIZE (4096 - TCB_FPU_OFFSET)

struct thread {
	struct frame frame; /* must stay first: entry.S saves here */
	struct kobj obj;
	struct task *task;
	uint8_t state; /* enum lx4_tstate */
	uint8_t prio;
	uint8_t flags;
	uint8_t ipc_kind; /* IPC_NORMAL but during a kernel-made IPC */
	uint8_t send_is_call;
	uint8_t on_timeout;
	uint32_t timeslice, ticks_left;

	/* a thread is on at most one queue: the ready queue or an endpoint */
	struct thread *q_next, *q_prev;
	struct endpoint *wait_ep;
	uint64_t send_badge;
	uint64_t fault_addr;
	uint32_t fault_access;
	uint32_t fault_vector;
	uint64_t fault_error;

	/* replies: a receiver replies to reply_to (its last caller); a
	 * caller waits for reply_from */
	struct thread *reply_to;
	struct thread *reply_from;
	struct thread *all_next, *all_prev; /* every thread (thread_list) */

	uint64_t deadline;
	struct thread *to_next, *to_prev;

	/* configuration */
	struct endpoint *pager, *handler;
	uint64_t pager_badge, handler_badge;
	struct lx4_utcb *utcb; /* kernel view of the UTCB page, or NULL */
	uint64_t utcb_uaddr;
	uint64_t fs_base, gs_base;
	struct thread *task_next, *task_prev;
	uint32_t id;

	/* CPU time (sched.c), in TSC ticks.  run_tsc: the time it ran, less
	 * the TSC it was switched in at while it runs (a switch adds the TSC
	 * to the old thread's and takes it from the new one's: two adds);
	 * kern_tsc: the part spent in the kernel's slow paths (the IPC fast
	 * paths count as run time); preempts: the times it was taken off the
	 * CPU while it could run on (a preemption, the end of its slice or a
	 * yield) */
	uint64_t run_tsc, kern_tsc;
	uint32_t preempts;
	uint8_t fpu[TCB_FPU_SIZE] __attribute__((aligned(TCB_FPU_OFFSET)));
};

_Static_assert(offsetof(struct thread, frame) == 0, "entry.S saves at the TCB start");
_Static_assert(offsetof(struct thread, fpu) == TCB_FPU_OFFSET, "FPU area offset");
_Static_assert(sizeof(struct thread) == 4096, "a TCB is one page");
_Static_assert(offsetof(struct thread, flags) == 0xd2 && TF_FOREIGN == 1, "entry.S: T_FLAGS, TF_FOREIGN");
static inline struct thread *obj_thread(struct kobj *o) { return container_of(o, struct thread, obj); }

/* every thread that exists; walked when a thread dies (rare) so that the
 * IPC fast path keeps no per-callee list of waiting callers */
extern struct thread *thread_list;

struct thread *thread_create(struct task *acct, struct task *space, int *err);
void thread_destroy(struct thread *t);
void thread_free(struct thread *t);
/* stops t where it is: leaves any IPC, off the ready queue */
void thread_stop(struct thread *t, uint8_t new_state);
/* int utcb setup: allocates and maps the UTCB into t's task at uaddr */
int thread_set_utcb(struct thread *t, uint64_t uaddr);

/* message register access for native IPC (MR0-6 live in the frame) */
static inline uint64_t *thread_mr_reg(struct thread *t, unsigned i) { return arch_mr_reg(&t->frame, i); }

/* the exregs flags that move data through the caller's buffers */
#define EXREGS_BUFFERED (LX4_EXREGS_READ | LX4_EXREGS_WRITE | LX4_EXREGS_FPU_READ | LX4_EXREGS_FPU_WRITE)
/* exregs on t (LX4_EXREGS_* flags): the registers of mask written from
 * mr[] (frame order, checked), READ puts all of them there; FPU_READ and
 * FPU_WRITE move the FPU image through fpu (checked first by fpu_stage:
 * it cannot fault the kernel), FPU_INIT resets it; STOP stops t, a WRITE
 * or ABORT takes it out of an IPC, START runs a stopped one.  Checks
 * everything before it changes anything: 0 or -LX4_E* */
int thread_exchange(struct thread *t, uint64_t flags, uint64_t mask, uint64_t *mr, void *fpu);

/* The lx4 register file, defined by the architecture (regs.c there). */
/* register i in lx4 frame order (enum lx4_reg) */
uint64_t *thread_reg(struct thread *t, unsigned i);
/* all LX4_REG_COUNT registers of t into out (frame order) */
void thread_regs_read(struct thread *t, uint64_t *out);
/* true if the registers of mask in v may be written (thread_reg_ok) */
bool thread_regs_ok(uint64_t mask, const uint64_t *v);
/* writes the registers of mask from v (checked) */
void thread_regs_write(struct thread *t, uint64_t mask, const uint64_t *v);
/* validates and writes a register in frame order; false if refused */
bool thread_reg_ok(unsigned i, uint64_t v);
void thread_reg_write(struct thread *t, unsigned i, uint64_t v);
/* coloc: the registers of mask in v may be written to a TF_KMODE thread
 * (rip and rsp kernel addresses; its FS and GS bases are the kernel's) */
bool thread_kregs_ok(uint64_t mask, const uint64_t *v);
/* coloc: a TF_KMODE thread's bases: FS at its UTCB's kernel address (the
 * runtime finds the UTCB there), GS at this CPU's (swapgs is a no-op) */
void thread_kmode_bases(struct thread *t);

#endif
