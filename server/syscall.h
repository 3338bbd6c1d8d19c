/*
 * Linux system calls: one table indexed by the x86-64 syscall number, the
 * dispatch, and the machinery for calls that wait (a thread parked on a
 * wait queue or a timer gets its call made again when woken, and its reply
 * then).
 */
#ifndef SRV_SYSCALL_H
#define SRV_SYSCALL_H

#include <stdint.h>

#include "proc.h"
#include "vfs.h"

/* a handler's arguments are the registers of the call, t->args (proc.h):
 * the same memory as t->regs */
typedef long syscall_fn(struct lthread *t, const struct sysargs *a);

/* a handler returns a value (>= 0 or -errno), or one of these: */
#define SYS_WAIT (-(long)EWOULDBLOCK_WAIT) /* parked: the call is made again later */
#define SYS_NOREPLY (-100001L)             /* replied some other way (exec, exit) */

#define SYSCALL_MAX 512
/* the table (systab.c): handlers, and every x86-64 name for the log */
extern syscall_fn *const syscall_table[SYSCALL_MAX];
extern const char *const syscall_names[SYSCALL_MAX];

/* lx4's own system calls, for programs that know they run on lx4 (the
 * benchmarks): numbers far above Linux's, so that Linux answers them
 * -ENOSYS, in a small table of their own (systab.c) */
#define LX4_SYSCALL_BASE 0x4c58 /* "LX" */
#define LX4_SYS_COUNTERS (LX4_SYSCALL_BASE + 0)
#define LX4_SYS_MEMINFO (LX4_SYSCALL_BASE + 1)
#define LX4_SYSCALL_COUNT 2
extern syscall_fn *const lx4_syscall_table[LX4_SYSCALL_COUNT];

/* a timer for t at deadline (ns); srv_timer makes t's call again */
void timer_add(struct lthread *t, uint64_t deadline);
void timer_cancel(struct lthread *t);
/* the wall clock was set (it reads wall_now at monotonic now): the timers
 * of absolute CLOCK_REALTIME sleeps (wait.wall) move with it, as Linux's
 * clock_was_set moves its realtime hrtimers */
void timer_wall_set(uint64_t wall_now, uint64_t now);
/* an srv_timer at once (after the event in hand) */
void timer_soon(void);
/* the timers' deadline changed (an interval timer): the platform's timer
 * follows */
void timer_rearm_all(void);
/* timerfds (timerfd.c): the next expiry of one (0: none), their expiry
 * by now, and the wall clock set (CANCEL_ON_SET timers are cancelled) */
uint64_t timerfd_next(void);
void timerfd_expire(uint64_t now);
void timerfd_clock_was_set(void);
/* makes t's waiting call again (a wait queue woke it) */
void syscall_retry(struct lthread *t);
/* answers t's call, held by a stop, with ret now (signals act first) */
void syscall_resume(struct lthread *t, long ret);
void syscall_proc_exited(struct proc *p);
/* the end of every event: killed processes go, signals take effect */
void event_settle(void);

#endif
