/*
 * Linux processes and threads as the server keeps them.  A process owns
 * an address space (the platform's, plus the server's own page table of
 * it: vm.h), open files, a working directory and signal state.
 */
#ifndef SRV_PROC_H
#define SRV_PROC_H

#include <stdbool.h>
#include <stdint.h>

#include "acct.h"
#include "cred.h"
#include "linux.h"
#include "platform.h"
#include "vfs.h"

/* clone's and unshare's flags (clone.c, sys_ns.c) */
#define CLONE_VM_L             0x00000100
#define CLONE_FS_L             0x00000200
#define CLONE_FILES_L          0x00000400
#define CLONE_SIGHAND_L        0x00000800
#define CLONE_PIDFD_L          0x00001000
#define CLONE_PTRACE_L         0x00002000
#define CLONE_VFORK_L          0x00004000
#define CLONE_PARENT_L         0x00008000
#define CLONE_THREAD_L         0x00010000
#define CLONE_NEWNS_L          0x00020000
#define CLONE_SYSVSEM_L        0x00040000
#define CLONE_SETTLS_L         0x00080000
#define CLONE_PARENT_SETTID_L  0x00100000
#define CLONE_CHILD_CLEARTID_L 0x00200000
#define CLONE_DETACHED_L       0x00400000
#define CLONE_UNTRACED_L       0x00800000
#define CLONE_CHILD_SETTID_L   0x01000000
#define CLONE_NEWCGROUP_L      0x02000000
#define CLONE_NEWUTS_L         0x04000000
#define CLONE_NEWIPC_L         0x08000000
#define CLONE_NEWUSER_L        0x10000000
#define CLONE_NEWPID_L         0x20000000
#define CLONE_NEWNET_L         0x40000000
#define CLONE_IO_L             0x80000000ull
#define CLONE_CLEAR_SIGHAND_L  0x100000000ull
#define CLONE_INTO_CGROUP_L    0x200000000ull
#define CLONE_NEWTIME_L        0x00000080

/* Linux's default pid_max: pids (and thread ids) are 1 .. pid_max - 1;
 * kernel.pid_max sets proc_pid_max */
#define PID_MAX 32768
extern int proc_pid_max;

/* what uname and /proc tell of the system */
#define UTS_RELEASE "6.1.0-lx4"
#define UTS_VERSION "#1 lx4 on an L4-style microkernel"
#define UTS_NODENAME "(none)" /* Linux's until sethostname */
#define MAX_FDS 256

struct mm;
struct file;
struct vnode;
struct lthread;

/* a system call that waits (read on an empty console, nanosleep): the
 * event that ends it calls wake(t) */
struct waitq;
struct wait {
	struct waitq *queue;  /* the wait queue it is on, if any */
	struct lthread *next; /* on that queue */
	uint64_t deadline;    /* 0: none (a timer list keeps the others) */
	uint64_t wall;        /* an absolute CLOCK_REALTIME sleep's end (ns since 1970; else 0): setting the clock moves deadline */
	void (*timeout)(struct lthread *t);
};

/* a system call's registers in frame order (rax rdi rsi rdx r10 r8 r9 rip
 * rsp rflags), named as a handler's arguments */
struct sysargs {
	uint64_t nr, a0, a1, a2, a3, a4, a5;
	uint64_t rip, rsp, rflags;
};

/* pending signals: a set, and the siginfo of each instance (one for a
 * standard signal, a queue for real-time ones: signal.c) */
struct sigqueue;
struct sigpending {
	uint64_t set;
	struct sigqueue *head;
};

struct lthread {
	int tid;
	struct proc *proc;
	struct plat_thread plat;
	bool in_syscall;  /* waiting for a deferred reply */
	uint64_t io_done; /* bytes its call moved before it waited (pipe writes) */
	uint64_t mmsg_end; /* the end of its recvmmsg's timeout (net/mmsg.c) */
	uint32_t sem_wait;   /* the semaphore its semop waits on: number << 1, | 1 for zero (ipc_sem.c) */
	uint64_t fault_page; /* the page the reply to its last fault mapped */
	bool sleeping;    /* its call waits (SYS_WAIT): not runnable for the load */
	union {
		uint64_t regs[10];   /* the syscall's registers (rax rdi ... rflags) */
		struct sysargs args; /* the same, named: the handler's arguments */
	};
	uint64_t clear_child_tid;
	uint64_t fs_base, gs_base;
	char comm[16]; /* its name (prctl PR_SET_NAME; the leader's is its process's, p->comm) */
	struct wait wait;
	struct lthread *timer_next;
	struct lthread *hash_next;         /* in the table of thread ids */
	struct lthread *all_next, *all_prev; /* in the list of all threads */
	struct lthread *peer_next;           /* in its process's threads, oldest first */
	uint64_t robust_list, robust_len;
	/* the futex a FUTEX_REQUEUE moved its FUTEX_WAIT to, as futex.c keys
	 * it (futex_obj NULL: the one its call's arguments name) */
	const void *futex_obj;
	uint64_t futex_off;
	/* signals (signal.c) */
	struct sigpending sigpend; /* sent to this thread (tkill, faults) */
	uint64_t sigmask;          /* its blocked signals */
	uint64_t saved_mask;       /* the mask rt_sigsuspend, ppoll, pselect6 replaced */
	bool restore_mask;         /* ... and that the signal frame saves */
	bool sigwaiting;           /* in rt_sigtimedwait: waits for sigwait_set */
	uint64_t sigwait_set;
	uint64_t real_blocked;     /* ... with this mask to go back to */
	bool sig_kick;             /* a signal to act on: settled after the event */
	int vfork_pid;             /* the vfork child it waits for (its call's result) */
	uint64_t ss_sp, ss_size;   /* sigaltstack */
	uint32_t ss_flags;
	uint32_t trapno;           /* the last exception, as sigcontext shows it */
	uint64_t trap_err, cr2;
	/* held while its process is stopped (signal.c): STOP_USER, stopped by
	 * the platform (exregs) where it was, or STOP_CALL, parked in a call
	 * whose result stop_ret it gets after SIGCONT */
	uint8_t stop_state;
	long stop_ret;
	struct thread_acct acct; /* its CPU time and faults, as the server counts them (rusage.h) */
};

enum { STOP_NONE = 0, STOP_USER, STOP_CALL };

/* P_EXITING: its end is under way (everything it held is gone, its
 * parent has not been told): no wait reaps it yet */
enum proc_state { P_FREE = 0, P_LIVE, P_EXITING, P_ZOMBIE };

/* what a child inherits as it is and exec keeps: the nice value and I/O
 * priority (sys_sched.c), the execution domain (uts.c) */
struct proc_traits {
	int nice;             /* -20 (most favourable) to 19 */
	uint16_t ioprio;      /* class << 13 | data; 0: none set */
	uint32_t personality; /* PER_LINUX (0) and its flags */
};

struct proc {
	int pid, ppid, pgid, sid;
	enum proc_state state;
	struct proc *hash_next;           /* in the table of pids */
	struct proc *all_next, *all_prev; /* in the list of all processes, by pid */
	/* the parent (NULL: none, ppid 0) and the children, oldest first (the
	 * order a wait looks at them, as Linux's children list) */
	struct proc *parent;
	struct proc *children, *children_tail;
	struct proc *sib_next, *sib_prev;
	int exit_status; /* wait4 encoding: code << 8 | signal */
	int killed;      /* a fatal signal that ends it when the event is done */
	/* the POSIX lock an F_SETLKW of it waits for (for deadlock detection) */
	struct vnode *lock_wait;
	struct lock lock_want;
	struct plat_space space;
	struct mm *mm;
	/* its threads, oldest first (the first is the group leader while it
	 * lives: tid == pid), and how many */
	struct lthread *thread;
	int nthreads;
	struct lthread *vfork_parent; /* made by vfork: the thread that waits for its exec or end */
	struct file **fds; /* MAX_FDS each, one allocation with the process */
	uint8_t *cloexec;
	struct vnode *cwd;
	char comm[16];
	char exe[128];
	struct vnode *exe_vn; /* the executable (/proc/PID/exe) */
	bool forked_noexec;   /* made by fork, no exec since (PF_FORKNOEXEC) */
	uint32_t umask;
	bool undumpable;   /* prctl PR_SET_DUMPABLE 0 (until the next exec) */
	bool no_new_privs; /* prctl PR_SET_NO_NEW_PRIVS (for good) */
	struct cred cred;  /* who it is (cred.h) */
	struct k_sigaction sigact[NSIG_LINUX];
	struct sigpending sigpend;  /* sent to the process (kill) */
	int exit_signal;            /* sent to the parent at the end (0: none) */
	uint64_t itimer_deadline;   /* ITIMER_REAL: next expiry (0: off) */
	uint64_t itimer_interval;
	struct proc *itimer_next;   /* the list of armed timers (signal.c) */
	/* job control (signal.c) */
	bool stopped;       /* by a stop signal, until SIGCONT or SIGKILL */
	int stop_code;      /* the stop signal a WUNTRACED wait reports (0: reported) */
	int stop_sig;       /* the signal that stopped it last */
	bool cont_report;   /* continued, not yet reported to a WCONTINUED wait */
	uint8_t cld_notify; /* CLD_STOPPED or CLD_CONTINUED owed to the parent */
	struct linux_rlimit64 rlim[RLIM_NLIMITS];
	struct proc_traits traits;
	uint64_t start_ns;
	struct waitq child_exit; /* wait4 callers wait here */
	/* resource use (rusage.h): of its threads that ended, and of its
	 * reaped children with theirs; its CPU-time timers (cputimer.c) */
	struct rusage_sum ru_gone, ru_children;
	struct cputimers cputimers;
	/* the epoll entries that watch its signalfds (signalfd.c) */
	struct pollhead sigfd_ph;
};

/* a new process (P_LIVE, no parent, no thread) with a free pid, or NULL
 * (no memory, or every pid taken) */
struct proc *proc_alloc(void);
/* every process (live or zombie) in pid order, and every thread */
struct proc *proc_first(void);
#define proc_for_each(q) for (struct proc *q = proc_first(); q; q = q->all_next)
struct lthread *thread_first(void);
#define thread_for_each(t) for (struct lthread *t = thread_first(); t; t = t->all_next)
/* a process (live or zombie) or thread by id, NULL if there is none */
struct proc *proc_by_pid(int pid);
struct lthread *thread_by_tid(uint64_t tid);
/* a process by the id of any of its threads (kill of a thread's id
 * signals its process, as on Linux), NULL if none */
struct proc *proc_by_id(int id);
/* every thread of process p */
#define proc_for_each_thread(p, t) for (struct lthread *t = (p)->thread; t; t = t->peer_next)
/* a new thread of p (the first gets tid pid, the others a free id), NULL
 * if there is no memory or no id */
struct lthread *thread_alloc(struct proc *p);
/* thread t of a process with others ends (exit, or the end of the others
 * at exit_group and exec): its clear_child_tid is cleared and woken, its
 * robust futexes released, and it leaves the tables */
void thread_exit(struct lthread *t);
/* the part of a thread's end in its memory: the robust futexes it holds
 * are released (thread.c) */
void thread_exit_user(struct lthread *t);
/* t leaves the tables and its process; its memory goes after the event */
void thread_release(struct lthread *t);
/* every thread of p but keep ends (exec, Linux's de_thread) */
void thread_end_others(struct proc *p, struct lthread *keep);
/* names thread t (PR_SET_NAME, /proc/PID/task/TID/comm): the group
 * leader's name is its process's too */
void thread_set_name(struct lthread *t, const char name[16]);
/* t's id becomes tid (a free one) */
void thread_set_tid(struct lthread *t, int tid);
/* t's platform thread is made again, under id tid, in its process's
 * space, and started on regs: exec in a thread that is not its process's
 * first (it takes the process's id as its own, as Linux's de_thread), or
 * in a vfork child (a space of its own now); 0 or -ENOMEM */
int thread_restart(struct lthread *t, int tid, const uint64_t *regs);
/* c's parent becomes parent (NULL: none): c goes to the end of its
 * children, and c->ppid follows */
void proc_set_parent(struct proc *c, struct proc *parent);
/* ends p: frees its memory, files and platform objects; it stays a zombie
 * for its parent; status in wait4 encoding */
void proc_exit(struct proc *p, int status);
/* kills p as if by signal sig (the default action of a fatal signal).
 * The end comes when the event in hand is done (proc_reap_killed), not
 * inside the handler that decided it: a handler may hold p's files or be
 * nested in another's release (a pipe write that finds no reader while the
 * last reader closes).  Until then p makes no call and gets no reply. */
void proc_kill(struct proc *p, int sig);
/* ends the processes proc_kill marked; called after every event */
void proc_reap_killed(void);
/* a core dump of p, ended by sig (coredump.c): true if one was written */
bool coredump(struct proc *p, int sig);
extern int procs_killed; /* how many are marked */
/* the last pid handed out, and processes made since boot (/proc) */
int proc_last_pid(void);
extern uint64_t procs_forked;
/* p (a zombie, or a process that never ran) goes for good; its memory is
 * reused only after the event in hand (proc_bury), so that the handlers
 * may still look at it */
void proc_free(struct proc *p);
/* frees what proc_free and thread releases left; called before every
 * event */
extern int proc_graves; /* how many wait */
void proc_bury(void);
/* Linux's threads-max: no fork beyond this many processes (zombies too) */
int proc_max_threads(void);
void proc_set_max_threads(int n); /* (kernel.threads-max) */
/* live processes, and all processes (zombies too) */
int proc_count(void);
int proc_total(void);

/* a copy of parent (its thread pt calls) with a copy-on-write address
 * space and a thread that resumes with regs (rax = 0); NULL with *err */
struct proc *proc_fork(struct proc *parent, struct lthread *pt, const uint64_t *regs, bool share_vm, int *err);
/* vfork child c has exec'd or ended: its parent's thread goes on */
void proc_vfork_done(struct proc *c);
/* RLIMIT_NPROC: the tasks of the parent's real user, unless that is root
 * or the parent may exceed it (Linux's copy_process) */
bool proc_nproc_ok(struct proc *parent);
/* Linux's nr_threads: the threads of every process, and the zombies
 * (threads-max bounds them) */
int proc_total_threads(void);
/* wakes nr waiters (at least one, as FUTEX_WAKE) on the futex at uaddr of p
 * (futex.c): how many, or an error for a bad address */
long futex_wake_addr(struct proc *p, uint64_t uaddr, int nr);

/* the load average (load.c): brought up to date before the number of
 * runnable processes changes; procs_runnable is that number */
extern int procs_runnable;
void load_account(void);
/* the three averages in fixed point with shift bits of fraction */
void load_get(unsigned long out[3], unsigned shift);
/* t's call waits (true) or no longer does */
void thread_set_sleeping(struct lthread *t, bool sleeping);

/* the thread whose event is being handled */
extern struct lthread *current;

#endif
