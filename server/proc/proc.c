/*
 * Processes and threads (see proc.h).  Both are allocated as they are
 * made, so their number is bounded by memory (and pids), not by a table.
 * A pid or tid finds its object through a hash table; all processes are
 * on one list in pid order (/proc, kill -1, process groups) and each
 * parent keeps its children oldest first (wait).
 */
#include "proc.h"

#include "ipc.h"
#include "mem.h"
#include "pidfd.h"
#include "rusage.h"
#include "signal.h"
#include "sys.h"
#include "syscall.h"
#include "vfs.h"
#include "vm.h"

#define ID_HASH 1024 /* buckets of the pid and tid tables */

static struct proc *pid_hash[ID_HASH];
static struct lthread *tid_hash[ID_HASH];
static struct proc *all_procs, *all_procs_tail;
static struct lthread *all_threads;
static int next_pid = 1, last_pid, nprocs, nlive, nthreads_all;
uint64_t procs_forked;

int proc_last_pid(void) { return last_pid; }
struct lthread *current;

static unsigned id_bucket(uint64_t id) { return (unsigned)id % ID_HASH; }

struct proc *proc_by_pid(int pid)
{
	for (struct proc *p = pid_hash[id_bucket((uint64_t)pid)]; p; p = p->hash_next)
		if (p->pid == pid)
			return p;
	return NULL;
}

struct lthread *thread_by_tid(uint64_t tid)
{
	for (struct lthread *t = tid_hash[id_bucket(tid)]; t; t = t->hash_next)
		if ((uint64_t)t->tid == tid)
			return t;
	return NULL;
}

struct proc *proc_by_id(int id)
{
	struct proc *p = proc_by_pid(id);
	struct lthread *t = p || id <= 0 ? NULL : thread_by_tid((uint64_t)id);
	return p ? p : t ? t->proc : NULL;
}

struct proc *proc_first(void) { return all_procs; }
struct lthread *thread_first(void) { return all_threads; }
int proc_count(void) { return nlive; }
int proc_total(void) { return nprocs; }

/* ---- the graveyard: freed objects wait for the end of the event ------------ */

/* freed processes and threads, linked through hash_next (they are in no
 * table any more) until proc_bury frees them */
static struct proc *proc_graveyard;
static struct lthread *thread_graveyard;
int proc_graves;

void proc_bury(void)
{
	while (proc_graveyard) {
		struct proc *p = proc_graveyard;
		proc_graveyard = p->hash_next;
		cred_free(&p->cred);
		mem_free(p->fds);
		mem_free(p);
	}
	while (thread_graveyard) {
		struct lthread *t = thread_graveyard;
		thread_graveyard = t->hash_next;
		mem_free(t);
	}
	proc_graves = 0;
}

/* ---- allocation ---------------------------------------------------------------- */

/* a free pid after the last one given (Linux's alloc_pid: wraps at pid_max
 * to 300, past the pids of early daemons; 2 here, there are none) */
int proc_pid_max = PID_MAX;

static int pid_new(void)
{
	for (int tries = 0; tries < proc_pid_max; tries++) {
		int pid = next_pid >= proc_pid_max ? 2 : next_pid; /* (lowered since) */
		next_pid = pid >= proc_pid_max - 1 ? 2 : pid + 1;
		if (!proc_by_pid(pid) && !thread_by_tid((uint64_t)pid))
			return pid;
	}
	return 0;
}

/* p on the list of all processes, in pid order (new pids mostly go last) */
static void all_insert(struct proc *p)
{
	struct proc *after = all_procs_tail;
	while (after && after->pid > p->pid)
		after = after->all_prev;
	p->all_prev = after;
	p->all_next = after ? after->all_next : all_procs;
	if (p->all_next)
		p->all_next->all_prev = p;
	else
		all_procs_tail = p;
	if (after)
		after->all_next = p;
	else
		all_procs = p;
}

static void all_remove(struct proc *p)
{
	if (p->all_prev)
		p->all_prev->all_next = p->all_next;
	else
		all_procs = p->all_next;
	if (p->all_next)
		p->all_next->all_prev = p->all_prev;
	else
		all_procs_tail = p->all_prev;
}

static int max_threads; /* 0: as the memory allows */

int proc_max_threads(void)
{
	if (max_threads)
		return max_threads;
	uint64_t n = pages_total() / 32; /* Linux's set_max_threads: an eighth of RAM in 16 KiB stacks */
	return n < 20 ? 20 : n > 0x3fffffff ? 0x3fffffff : (int)n;
}

void proc_set_max_threads(int n)
{
	max_threads = n;
}

static void rlimits_init(struct proc *p)
{
	for (int r = 0; r < RLIM_NLIMITS; r++)
		p->rlim[r].cur = p->rlim[r].max = ~0ull;
	/* Linux's fork_init gives init half of threads-max for both */
	p->rlim[RLIMIT_NPROC].cur = p->rlim[RLIMIT_NPROC].max = (uint64_t)proc_max_threads() / 2;
	p->rlim[RLIMIT_SIGPENDING] = p->rlim[RLIMIT_NPROC];
	p->rlim[RLIMIT_STACK].cur = STACK_MAX;
	p->rlim[RLIMIT_NOFILE].cur = p->rlim[RLIMIT_NOFILE].max = MAX_FDS;
	/* the rest of Linux's defaults for init (INIT_RLIMITS) */
	p->rlim[RLIMIT_CORE].cur = 0;
	p->rlim[RLIMIT_MEMLOCK].cur = p->rlim[RLIMIT_MEMLOCK].max = 8 << 20;
	p->rlim[RLIMIT_MSGQUEUE].cur = p->rlim[RLIMIT_MSGQUEUE].max = 819200;
	p->rlim[RLIMIT_NICE].cur = p->rlim[RLIMIT_NICE].max = 0;
	p->rlim[RLIMIT_RTPRIO].cur = p->rlim[RLIMIT_RTPRIO].max = 0;
}

_Static_assert(MAX_FDS * (sizeof(struct file *) + 1) <= 4096 - 16, "a descriptor table is one small object");

struct proc *proc_alloc(void)
{
	struct proc *p = mem_zalloc(sizeof *p);
	void *fdt = p ? mem_zalloc(MAX_FDS * (sizeof(struct file *) + 1)) : NULL;
	int pid = fdt ? pid_new() : 0;
	if (!pid) {
		mem_free(fdt);
		mem_free(p);
		return NULL;
	}
	p->fds = fdt;
	p->cloexec = (uint8_t *)(p->fds + MAX_FDS);
	p->pid = last_pid = pid;
	procs_forked++;
	p->pgid = p->sid = p->pid;
	p->state = P_LIVE;
	p->umask = 022;
	cred_init_root(&p->cred);
	rlimits_init(p);
	p->start_ns = plat_now_ns();
	unsigned b = id_bucket((uint64_t)pid);
	p->hash_next = pid_hash[b];
	pid_hash[b] = p;
	all_insert(p);
	nprocs++;
	nlive++;
	return p;
}

struct lthread *thread_alloc(struct proc *p)
{
	int tid = p->thread ? pid_new() : p->pid; /* (threads share the pids' numbers, as on Linux) */
	struct lthread *t = tid ? mem_zalloc(sizeof *t) : NULL;
	if (!t)
		return NULL;
	t->proc = p;
	t->tid = tid;
	memcpy(t->comm, p->comm, sizeof t->comm);
	if (p->thread)
		last_pid = tid;
	struct lthread **tail = &p->thread;
	while (*tail)
		tail = &(*tail)->peer_next;
	*tail = t;
	p->nthreads++;
	nthreads_all++;
	unsigned b = id_bucket((uint64_t)t->tid);
	t->hash_next = tid_hash[b];
	tid_hash[b] = t;
	t->all_next = all_threads;
	if (all_threads)
		all_threads->all_prev = t;
	all_threads = t;
	load_account();
	procs_runnable++;
	return t;
}

void thread_set_sleeping(struct lthread *t, bool sleeping)
{
	if (t->sleeping == sleeping)
		return;
	load_account();
	t->sleeping = sleeping;
	procs_runnable += sleeping ? -1 : 1;
	t->acct.nvcsw += sleeping; /* (Linux's voluntary context switches) */
}

static void tid_unhash(struct lthread *t)
{
	struct lthread **pp = &tid_hash[id_bucket((uint64_t)t->tid)];
	while (*pp != t)
		pp = &(*pp)->hash_next;
	*pp = t->hash_next;
}

void thread_set_tid(struct lthread *t, int tid)
{
	tid_unhash(t);
	procfs_gone(t->tid);
	t->tid = tid;
	unsigned b = id_bucket((uint64_t)tid);
	t->hash_next = tid_hash[b];
	tid_hash[b] = t;
}

/* t leaves the tables and its process; its memory goes after the event */
void thread_release(struct lthread *t)
{
	load_account();
	if (!t->sleeping)
		procs_runnable--;
	t->sleeping = false;
	waitq_remove(t);
	timer_cancel(t);
	rusage_thread_exit(t); /* (while the platform still has its times) */
	plat_thread_destroy(&t->plat);
	if (current == t)
		current = NULL;
	struct proc *p = t->proc;
	for (struct lthread **pt = &p->thread; *pt; pt = &(*pt)->peer_next)
		if (*pt == t) {
			*pt = t->peer_next;
			break;
		}
	p->nthreads--;
	nthreads_all--;
	struct proc *vc = t->vfork_pid ? proc_by_pid(t->vfork_pid) : NULL;
	if (vc && vc->vfork_parent == t)
		vc->vfork_parent = NULL; /* (its parent is gone first) */
	if (t->tid != p->pid)
		procfs_gone(t->tid); /* (its /proc/PID/task/TID; the leader's go with the process) */
	tid_unhash(t);
	if (t->all_prev)
		t->all_prev->all_next = t->all_next;
	else
		all_threads = t->all_next;
	if (t->all_next)
		t->all_next->all_prev = t->all_prev;
	t->proc = NULL;
	t->hash_next = thread_graveyard;
	thread_graveyard = t;
	proc_graves++;
}

/* ---- parents and children ------------------------------------------------------------ */

void proc_set_parent(struct proc *c, struct proc *parent)
{
	struct proc *old = c->parent;
	if (old) {
		if (c->sib_prev)
			c->sib_prev->sib_next = c->sib_next;
		else
			old->children = c->sib_next;
		if (c->sib_next)
			c->sib_next->sib_prev = c->sib_prev;
		else
			old->children_tail = c->sib_prev;
	}
	c->parent = parent;
	c->sib_next = NULL;
	c->sib_prev = parent ? parent->children_tail : NULL;
	if (parent) {
		if (parent->children_tail)
			parent->children_tail->sib_next = c;
		else
			parent->children = c;
		parent->children_tail = c;
	}
	c->ppid = parent ? parent->pid : 0;
}

/* the children of p go to init (pid 1), or to no one when p is init */
static void reparent(struct proc *p)
{
	struct proc *init = proc_by_pid(1);
	if (init == p)
		init = NULL;
	while (p->children) {
		struct proc *c = p->children;
		proc_set_parent(c, init);
		if (c->state == P_ZOMBIE && init)
			waitq_wake_all(&init->child_exit);
		if (c->pgid != p->pgid && c->sid == p->sid)
			signal_orphan_child(c, p);
	}
}

static bool ignores_children(struct proc *p)
{
	return p->sigact[SIGCHLD - 1].handler == SIG_IGN_L || (p->sigact[SIGCHLD - 1].flags & SA_NOCLDWAIT);
}

/* ---- the end of a process ---------------------------------------------------------- */

/* everything p holds goes: its thread, files, memory and address space */
static void proc_teardown(struct proc *p)
{
	while (p->thread) {
		thread_exit_user(p->thread); /* (its robust futexes, while the memory is there) */
		signal_thread_exit(p->thread);
		thread_release(p->thread);
	}
	signal_exit(p);
	/* what follows is p's exit work (as Linux's exit_files and exit_mm
	 * in the dying task): p's system time, whoever's event this is */
	struct lthread *charged = charge_switch(NULL);
	uint64_t start = plat_cycles();
	p->lock_wait = NULL;
	for (int fd = 0; fd < MAX_FDS; fd++)
		if (p->fds[fd])
			fd_close(p, fd);
	if (p->cwd)
		vnode_put(p->cwd);
	p->cwd = NULL;
	if (p->exe_vn)
		vnode_put(p->exe_vn);
	p->exe_vn = NULL;
	proc_vfork_done(p);
	bool last = p->mm && p->mm->users == 1; /* (else its vfork parent or child keeps the memory) */
	ipc_exit(p, last || !p->mm); /* (its SEM_UNDO adjustments, then its SysV attachments go as its own detaches) */
	if (last || !p->mm) {
		plat_space_destroy(&p->space); /* takes every mapping with it */
		mm_free(p->mm);
	} else {
		p->mm->users--;
	}
	p->mm = NULL;
	rusage_exit_work(p, start);
	charge_back(charged);
	nlive--;
	p->state = P_EXITING;
}

void proc_exit(struct proc *p, int status)
{
	if (p->state != P_LIVE)
		return;
	proc_teardown(p);
	p->exit_status = status;
	reparent(p);
	signal_orphan_exit(p);
	syscall_proc_exited(p);
	/* a zombie only now: the wakes on the way (reparent's, of the init
	 * that takes p's zombie children) make waits again, which must not
	 * reap p before its parent has its SIGCHLD (the server freed p twice) */
	p->state = P_ZOMBIE;
	pidfd_exited(p);
	signal_child_exit(p);
	struct proc *parent = p->parent;
	if (!parent || parent->state != P_LIVE || ignores_children(parent)) {
		if (p->pid != 1)
			proc_free(p); /* nobody will wait for it */
		if (parent && parent->state == P_LIVE)
			waitq_wake_all(&parent->child_exit); /* (a wait4 for it: ECHILD now) */
		return;
	}
	waitq_wake_all(&parent->child_exit);
}

void proc_free(struct proc *p)
{
	if (p->state == P_LIVE)
		proc_teardown(p);
	reparent(p); /* (none: a zombie has given its children away) */
	proc_set_parent(p, NULL);
	struct proc **pp = &pid_hash[id_bucket((uint64_t)p->pid)];
	while (*pp != p)
		pp = &(*pp)->hash_next;
	*pp = p->hash_next;
	all_remove(p);
	nprocs--;
	p->state = P_FREE;
	procfs_gone(p->pid);
	p->hash_next = proc_graveyard;
	proc_graveyard = p;
	proc_graves++;
}

/* ---- fork ----------------------------------------------------------------------------- */

bool proc_nproc_ok(struct proc *parent)
{
	const struct cred *c = &parent->cred;
	if (!c->ruid || cred_capable(c, CAP_SYS_RESOURCE) || cred_capable(c, CAP_SYS_ADMIN))
		return true;
	uint64_t n = 0;
	proc_for_each(q) { /* (zombies count until reaped, as Linux's ucounts) */
		if (q->cred.ruid == c->ruid)
			n += q->nthreads ? (uint64_t)q->nthreads : 1;
	}
	return n < parent->rlim[RLIMIT_NPROC].cur;
}

int proc_total_threads(void) { return nprocs - nlive + nthreads_all; }

void proc_vfork_done(struct proc *c)
{
	struct lthread *pt = c->vfork_parent;
	if (!pt)
		return;
	c->vfork_parent = NULL;
	long pid = pt->vfork_pid;
	pt->vfork_pid = 0;
	syscall_resume(pt, pid);
}

struct proc *proc_fork(struct proc *parent, struct lthread *pt, const uint64_t *regs, bool share_vm, int *err)
{
	*err = -EAGAIN;
	if (proc_total_threads() >= proc_max_threads() || !proc_nproc_ok(parent))
		return NULL;
	struct proc *c = proc_alloc();
	struct lthread *t = c ? thread_alloc(c) : NULL;
	*err = -EAGAIN;
	if (!t) {
		if (c)
			proc_free(c);
		return NULL;
	}
	if (cred_copy(&c->cred, &parent->cred)) {
		*err = -ENOMEM;
		proc_free(c);
		return NULL;
	}
	proc_set_parent(c, parent);
	c->pgid = parent->pgid;
	c->sid = parent->sid;
	c->umask = parent->umask;
	c->undumpable = parent->undumpable;
	c->no_new_privs = parent->no_new_privs;
	signal_fork(c, t, parent, pt);
	memcpy(c->rlim, parent->rlim, sizeof c->rlim);
	c->traits = parent->traits;
	memcpy(c->comm, pt->comm, sizeof c->comm); /* (the forking thread's name, as Linux) */
	memcpy(t->comm, pt->comm, sizeof t->comm);
	memcpy(c->exe, parent->exe, sizeof c->exe);
	c->exe_vn = parent->exe_vn;
	if (c->exe_vn)
		vnode_get(c->exe_vn);
	c->forked_noexec = true;
	c->cwd = parent->cwd;
	vnode_get(c->cwd);
	for (int fd = 0; fd < MAX_FDS; fd++) {
		if (parent->fds[fd]) {
			file_get(parent->fds[fd]);
			c->fds[fd] = parent->fds[fd];
			c->cloexec[fd] = parent->cloexec[fd];
		}
	}
	t->fs_base = pt->fs_base;
	t->gs_base = pt->gs_base;
	*err = -ENOMEM;
	if (share_vm) { /* (the same space, the same memory) */
		c->space = parent->space;
		c->mm = parent->mm;
		c->mm->users++;
	}
	if ((!share_vm && (vm_fork_enough(parent) || plat_space_create(&c->space) ||
			   !(c->mm = mm_fork(parent->mm, &parent->space)))) ||
	    plat_thread_create(&t->plat, &c->space, (uint64_t)t->tid) || plat_thread_start(&t->plat, regs)) {
		proc_free(c); /* (never ran: its parent hears nothing) */
		return NULL;
	}
	c->exit_signal = SIGCHLD;
	*err = 0;
	return c;
}

/* ---- killing -------------------------------------------------------------------------- */

int procs_killed;

void proc_kill(struct proc *p, int sig)
{
	if (p->state != P_LIVE || p->killed)
		return;
	p->killed = sig & 0x7f;
	procs_killed++;
}

void proc_reap_killed(void)
{
	while (procs_killed) {
		procs_killed = 0;
		for (struct proc *p = all_procs, *next; p; p = next) {
			next = p->all_next;
			if (p->state == P_LIVE && p->killed)
				proc_exit(p, p->killed | (coredump(p, p->killed) ? 0x80 : 0)); /* (WCOREDUMP) */
		}
	}
}
