/*
 * CPU time and resource use of Linux processes, as L4Linux charged it: a
 * process's user time is its thread's own run time, which the platform
 * measures (the kernel charges it at every switch); its system time is the
 * time the server spends handling its events (its system calls and
 * faults), plus the little its thread spends in the kernel below.  On top:
 * getrusage, times, wait4's rusage, the CPU clocks, /proc's figures and
 * the CPU-time timers (cputimer.c).
 */
#ifndef SRV_RUSAGE_H
#define SRV_RUSAGE_H

#include "platform.h"
#include "proc.h"

/* ---- the server's handling time ---------------------------------------------
 * Charged to the thread whose event it is, with two adds: the event's
 * start is taken from the thread's count and its end added, so that a
 * count in flight is the thread's figure less the start.  charge_to is
 * the thread being charged (NULL: none, as in an event that is no
 * thread's: the timer's, an interrupt's). */
extern struct lthread *charge_to;

/* an event of t begins: what the server does until charge_end is t's */
static inline void charge_begin(struct lthread *t)
{
	charge_to = t;
	t->acct.stime_cyc -= plat_cycles();
}
/* ... and ends (then nobody is charged: the timer's and interrupts'
 * events are no thread's) */
static inline void charge_end(struct lthread *t)
{
	t->acct.stime_cyc += plat_cycles();
	charge_to = NULL;
}
/* work for t inside the event in hand (its waiting call made again, an
 * answer it was owed): t is charged for it, not the event's thread;
 * returns the thread to give back to charge_back */
struct lthread *charge_switch(struct lthread *t);
static inline void charge_back(struct lthread *outer)
{
	charge_switch(outer);
}

/* ---- figures ------------------------------------------------------------------ */
/* t's own (no maxrss): its user and system time so far, faults, switches */
void rusage_thread(struct lthread *t, struct rusage_sum *r);
/* p's own (RUSAGE_SELF): its threads', those that ended, its peak RSS */
void rusage_self(struct proc *p, struct rusage_sum *r);
/* p's own and its reaped children's (wait4's report of p: RUSAGE_BOTH) */
void rusage_both(struct proc *p, struct rusage_sum *r);
/* the CPU time of p (user, and user + system), for its clocks and timers */
void rusage_cpu(struct proc *p, uint64_t *user_ns, uint64_t *total_ns);

/* ---- the events of a process's life ------------------------------------------ */
/* t ends: its figures go to its process's sums (call before the platform
 * thread goes) */
void rusage_thread_exit(struct lthread *t);
/* p's exit work since start (plat_cycles) is its system time, after its
 * thread's figures went to its sums */
void rusage_exit_work(struct proc *p, uint64_t start);
/* p's address space goes (exec, exit): its peak RSS stays p's */
void rusage_mm_gone(struct proc *p);
/* parent reaps child c (wait4, waitid): c's figures and its children's
 * are added to the parent's children's, as Linux's wait_task_zombie */
void rusage_reap(struct proc *parent, struct proc *c);

/* writes r to user memory at uaddr as a struct rusage: 0 or -EFAULT */
int rusage_copyout(struct proc *p, uint64_t uaddr, const struct rusage_sum *r);

/* ---- the system's (/proc/stat, /proc/uptime) ----------------------------------- */
/* since boot: the Linux processes' user time, the rest that was not idle
 * (the server's own work is the system's), the idle time */
void rusage_system(uint64_t *user_ns, uint64_t *sys_ns, uint64_t *idle_ns);

/* ---- the CPU clocks (clock_gettime, clock_getres) ------------------------------- */
/* clock id is a CPU clock (CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID,
 * or one made from a pid as clock_getcpuclockid makes them) */
static inline bool cpuclock_is(int id)
{
	return id < 0 || id == 2 || id == 3;
}
/* its value and resolution for caller t: 0, or -EINVAL (no such process
 * or thread, or no such clock) */
int cpuclock_get(struct lthread *t, int id, uint64_t *ns, uint64_t *res);

/* ---- CPU-time timers (cputimer.c) ------------------------------------------------- */
/* ITIMER_VIRTUAL (0) and ITIMER_PROF (1) of p: the old value and interval
 * (ns) to *oval and *oint (if not NULL), then the new ones (0: off) */
void cputimer_set(struct proc *p, int which, uint64_t value, uint64_t interval, uint64_t *oval, uint64_t *oint);
void cputimer_get(struct proc *p, int which, uint64_t *value, uint64_t *interval);
/* p's RLIMIT_CPU changed or p was forked: whether it is to be watched */
void cputimer_update(struct proc *p);
/* p ends: it is watched no more */
void cputimer_forget(struct proc *p);
/* the next time the watched processes are to be checked (0: none) */
uint64_t cputimer_next(void);
/* checks them: SIGVTALRM, SIGPROF, SIGXCPU, SIGKILL as due */
void cputimer_expire(uint64_t now);

#endif
