/*
 * POSIX signals as Linux delivers them to a single-threaded process:
 * generation (pending sets and siginfo queues), the points where a
 * signal takes effect (a system call's return, a fault, a process running
 * user code, rt_sigreturn), the default actions, and the x86-64 signal
 * frame (sigframe.c).  docs/server.md tells the whole story.
 */
#ifndef SRV_SIGNAL_H
#define SRV_SIGNAL_H

#include <asm/siginfo.h>
#include <stdbool.h>
#include <stdint.h>

#include "linux.h"
#include "platform.h"
#include "proc.h"

/* Linux's internal results of an interrupted call: never seen by a
 * process (the call is made again, or returns EINTR, as the handler's
 * SA_RESTART and the call say) */
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ERESTART_RESTARTBLOCK 516
static inline bool is_restart(long r) { return r <= -ERESTARTSYS && r >= -ERESTART_RESTARTBLOCK; }

/* the siginfo Linux keeps for a pending signal (kernel_siginfo): the
 * first 48 bytes of a siginfo_t */
#define KSIGINFO_SIZE 48

/* siginfo of a signal sent by a process (kill, tkill: si_code SI_USER or
 * SI_TKILL) or the kernel (SI_KERNEL) */
void siginfo_from(siginfo_t *i, int sig, int code, int pid);

/* ---- generation ----------------------------------------------------------- */
/* sig to process p (kill, alarm, SIGCHLD, the terminal); info NULL: sent
 * by the kernel (SI_KERNEL).  Returns 0 or -EAGAIN (a real-time signal
 * with its queue full and si_code < 0, as sigqueue is refused) */
int signal_send(struct proc *p, int sig, const siginfo_t *info);
/* kill's sig from process from to process to (sys_signal.c): checked as
 * Linux's check_kill_permission (-EINVAL, -EPERM), then sent (sig 0: only
 * checked); a zombie takes any signal and ignores it */
int kill_one(struct proc *from, struct proc *to, int64_t sig, const siginfo_t *info);
/* sig to thread t alone (tkill, tgkill, rt_tgsigqueueinfo) */
int signal_send_thread(struct lthread *t, int sig, const siginfo_t *info);
/* a signal the thread caused (a fault): blocked or ignored, it takes its
 * default action instead, as Linux's force_sig */
void signal_force(struct lthread *t, int sig, const siginfo_t *info);
/* sig to every process of group pgrp: 0, or -ESRCH if it has none */
int signal_pgrp(int pgrp, int sig, const siginfo_t *info);
/* a signal is pending for p: its signalfds' readers and watchers are told
 * (signalfd.c) */
void signalfd_notify(struct proc *p);
/* the end of child c: SIGCHLD (its exit signal) to the parent */
void signal_child_exit(struct proc *c);

/* ---- job control ----------------------------------------------------------- */
/* Linux's will_become_orphaned_pgrp: no process of group pgrp (ignore
 * aside) has a parent in another group of its session (init aside) */
bool signal_pgrp_orphaned(int pgrp, const struct proc *ignore);
/* the end of p orphans a group with a stopped process: SIGHUP and SIGCONT
 * to it (Linux's kill_orphaned_pgrp): for child c of p (now init's), and
 * for p's own group */
void signal_orphan_child(struct proc *c, struct proc *p);
void signal_orphan_exit(struct proc *p);

/* ---- state ---------------------------------------------------------------- */
/* cheap: might a signal be for t to act on now (then signal_pending_now) */
static inline bool signal_maybe(const struct lthread *t)
{
	return ((t->sigpend.set | t->proc->sigpend.set) & ~t->sigmask) != 0;
}
/* a call that returns ret has signal work to do first (signal_syscall_return) */
static inline bool signal_work(const struct lthread *t, long ret)
{
	return signal_maybe(t) || t->restore_mask || is_restart(ret);
}
/* the pending signals of t (its own and its process's) */
uint64_t signal_pending_set(struct lthread *t);
/* a signal t must act on now (unblocked, not ignored) is pending; pending
 * ignored ones are dropped on the way */
bool signal_pending_now(struct lthread *t);
/* sets t's blocked mask (never SIGKILL or SIGSTOP) */
void signal_set_mask(struct lthread *t, uint64_t mask);
/* takes sig's pending instances away from p and its thread (an action
 * that ignores it now) */
void signal_flush(struct proc *p, int sig);
/* takes the first pending signal of set (a rt_sigtimedwait) into info;
 * 0 if none */
int signal_dequeue_set(struct lthread *t, uint64_t set, siginfo_t *info);
/* fork: the child's signal state; exec: handlers back to the default */
void signal_fork(struct proc *child, struct lthread *ct, struct proc *parent, struct lthread *pt);
void signal_exec(struct proc *p, struct lthread *t);
/* frees p's queued siginfo (its end, after its threads': signal_thread_exit) */
void signal_exit(struct proc *p);
/* a new thread ct of pt's process (clone): pt's mask, no alternate stack */
void signal_thread_new(struct lthread *ct, struct lthread *pt);
/* the end of thread t: its own pending signals go, its process's it
 * would take go to another thread */
void signal_thread_exit(struct lthread *t);
/* the siginfo queued for p (and its thread), and the most that may be */
int signal_queued(struct proc *p, int *limit);

/* ---- where signals take effect --------------------------------------------- */
/* t's system call returned ret (it waits for the reply: the event in hand
 * if now, else a later one).  If a signal is to act first this handles it
 * all and returns true: t got a signal frame (it runs the handler), was
 * killed, or its call is to be made again (*retry); false: reply ret as
 * usual */
bool signal_syscall_return(struct lthread *t, long ret, bool now, bool *retry);
/* t faulted (its fault or exception message waits for the reply) and the
 * fault is a signal: it goes to the handler or kills */
void signal_fault(struct lthread *t, const siginfo_t *info, const uint64_t *regs, unsigned trapno, uint64_t err,
		  uint64_t cr2);
/* rt_sigreturn: restores t from the frame at its stack (the call's
 * registers in t->regs); SYS_NOREPLY */
long signal_sigreturn(struct lthread *t);
/* after every event: threads that got a signal while they ran user code
 * or waited in a call are made to act on it */
void signal_settle(void);
extern int signal_kicks; /* threads marked for signal_settle */

/* ---- ITIMER_REAL ------------------------------------------------------------ */
/* arms (deadline 0: disarms) p's real timer */
void itimer_set(struct proc *p, uint64_t deadline, uint64_t interval);
/* the next expiry of any process's timer (0: none) */
uint64_t itimer_next(void);
/* sends SIGALRM for every timer due by now */
void itimer_expire(uint64_t now);

/* ---- the x86-64 frame (sigframe.c) -------------------------------------------- */
/* the FPU image size and features, from the platform */
extern struct plat_fpu_info sig_fpu;
/* a context a handler is started from: every register and the FPU image
 * (in the platform's FPU area, plat_fpu_area), or the FPU's init state */
struct sigctx {
	uint64_t regs[PLAT_REG_COUNT];
	uint8_t *fpu;
	bool fpu_init; /* the init state: fpu holds nothing */
};
/* writes the frame of signal sig for action ka on t's stack, saving c and
 * mask; c becomes the handler's entry.  -EFAULT: the frame could not be
 * written (the caller sends SIGSEGV) */
int sigframe_setup(struct lthread *t, int sig, const siginfo_t *info, const struct k_sigaction *ka, uint64_t mask,
		   struct sigctx *c);
/* reads the frame rt_sigreturn finds at rsp into c (registers, FPU) and
 * *mask, as Linux checks it; -EFAULT: a bad frame */
int sigframe_restore(struct lthread *t, uint64_t rsp, struct sigctx *c, uint64_t *mask);
/* c->fpu := an image of the FPU's init state */
void sigframe_fpu_init(struct sigctx *c);
/* the most a signal frame takes on the stack (AT_MINSIGSTKSZ) */
uint64_t sigframe_max_size(void);

#endif
