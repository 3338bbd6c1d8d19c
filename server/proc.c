/* Processes and threads (see proc.h). */
#include "proc.h"

#include "lx4.h"
#include "mem.h"
#include "signal.h"
#include "sys.h"
#include "syscall.h"
#include "vfs.h"
#include "vm.h"

static struct proc procs[MAX_PROCS];
static struct lthread threads[MAX_PROCS];
static int next_pid = 1, last_pid;
uint64_t procs_forked;

int proc_last_pid(void) { return last_pid; }
struct lthread *current;

struct proc *proc_by_pid(int pid)
{
	for (int i = 0; i < MAX_PROCS; i++)
		if (procs[i].state != P_FREE && procs[i].pid == pid)
			return &procs[i];
	return NULL;
}

struct proc *proc_slot(int i) { return procs[i].state != P_FREE ? &procs[i] : NULL; }
struct lthread *thread_slot(int i) { return threads[i].proc ? &threads[i] : NULL; }

static bool pid_used(int pid) { return proc_by_pid(pid) != NULL; }

struct proc *proc_alloc(void)
{
	for (int i = 0; i < MAX_PROCS; i++) {
		struct proc *p = &procs[i];
		if (p->state != P_FREE)
			continue;
		memset(p, 0, sizeof *p);
		while (pid_used(next_pid))
			next_pid = next_pid >= 32767 ? 2 : next_pid + 1;
		p->pid = last_pid = next_pid;
		procs_forked++;
		next_pid = next_pid >= 32767 ? 2 : next_pid + 1;
		p->pgid = p->sid = p->pid;
		p->state = P_LIVE;
		p->umask = 022;
		for (int r = 0; r < RLIM_NLIMITS; r++)
			p->rlim[r].cur = p->rlim[r].max = ~0ull;
		p->rlim[RLIMIT_STACK].cur = STACK_MAX;
		p->rlim[RLIMIT_NOFILE].cur = p->rlim[RLIMIT_NOFILE].max = MAX_FDS;
		/* the rest of Linux's defaults for init (INIT_RLIMITS) */
		p->rlim[RLIMIT_CORE].cur = 0;
		p->rlim[RLIMIT_MEMLOCK].cur = p->rlim[RLIMIT_MEMLOCK].max = 8 << 20;
		p->rlim[RLIMIT_MSGQUEUE].cur = p->rlim[RLIMIT_MSGQUEUE].max = 819200;
		p->rlim[RLIMIT_NICE].cur = p->rlim[RLIMIT_NICE].max = 0;
		p->rlim[RLIMIT_RTPRIO].cur = p->rlim[RLIMIT_RTPRIO].max = 0;
		p->start_ns = plat_now_ns();
		return p;
	}
	return NULL;
}

struct lthread *thread_alloc(struct proc *p)
{
	for (int i = 0; i < MAX_PROCS; i++) {
		struct lthread *t = &threads[i];
		if (t->proc)
			continue;
		memset(t, 0, sizeof *t);
		t->proc = p;
		t->tid = p->pid;
		p->thread = t;
		load_account();
		procs_runnable++;
		return t;
	}
	return NULL;
}

struct lthread *thread_by_tid(uint64_t tid)
{
	for (int i = 0; i < MAX_PROCS; i++)
		if (threads[i].proc && (uint64_t)threads[i].tid == tid)
			return &threads[i];
	return NULL;
}

int proc_count(void)
{
	int n = 0;
	for (int i = 0; i < MAX_PROCS; i++)
		n += procs[i].state == P_LIVE;
	return n;
}

void thread_set_sleeping(struct lthread *t, bool sleeping)
{
	if (t->sleeping == sleeping)
		return;
	load_account();
	t->sleeping = sleeping;
	procs_runnable += sleeping ? -1 : 1;
}

static void thread_release(struct lthread *t)
{
	load_account();
	if (!t->sleeping)
		procs_runnable--;
	t->sleeping = false;
	waitq_remove(t);
	timer_cancel(t);
	plat_thread_destroy(&t->plat);
	if (current == t)
		current = NULL;
	t->proc = NULL;
}

/* the children of p go to init (pid 1) */
static void reparent(struct proc *p)
{
	struct proc *init = proc_by_pid(1);
	for (int i = 0; i < MAX_PROCS; i++) {
		struct proc *c = &procs[i];
		if (c->state == P_FREE || c->ppid != p->pid || c == p)
			continue;
		c->ppid = init && init != p ? 1 : 0;
		if (c->state == P_ZOMBIE && init && init != p)
			waitq_wake_all(&init->child_exit);
		if (c->pgid != p->pgid && c->sid == p->sid)
			signal_orphan_child(c, p);
	}
}

static bool ignores_children(struct proc *p)
{
	return p->sigact[SIGCHLD - 1].handler == SIG_IGN_L || (p->sigact[SIGCHLD - 1].flags & SA_NOCLDWAIT);
}

void proc_exit(struct proc *p, int status)
{
	if (p->state != P_LIVE)
		return;
	signal_exit(p);
	if (p->thread) {
		thread_release(p->thread);
		p->thread = NULL;
	}
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
	plat_space_destroy(&p->space); /* takes every mapping with it */
	mm_free(p->mm);
	p->mm = NULL;
	p->exit_status = status;
	p->state = P_ZOMBIE;
	reparent(p);
	signal_orphan_exit(p);
	syscall_proc_exited(p);
	signal_child_exit(p);
	struct proc *parent = proc_by_pid(p->ppid);
	if (!parent || parent->state != P_LIVE || ignores_children(parent)) {
		if (p->pid != 1)
			proc_free(p); /* nobody will wait for it */
		if (parent && parent->state == P_LIVE)
			waitq_wake_all(&parent->child_exit); /* (a wait4 for it: ECHILD now) */
		return;
	}
	waitq_wake_all(&parent->child_exit);
}

struct proc *proc_fork(struct proc *parent, const uint64_t *regs, int *err)
{
	struct proc *c = proc_alloc();
	struct lthread *t = c ? thread_alloc(c) : NULL;
	*err = -EAGAIN;
	if (!t) {
		if (c)
			proc_free(c);
		return NULL;
	}
	c->ppid = parent->pid;
	c->pgid = parent->pgid;
	c->sid = parent->sid;
	c->umask = parent->umask;
	c->undumpable = parent->undumpable;
	c->no_new_privs = parent->no_new_privs;
	signal_fork(c, t, parent, parent->thread);
	memcpy(c->rlim, parent->rlim, sizeof c->rlim);
	memcpy(c->comm, parent->comm, sizeof c->comm);
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
	t->fs_base = parent->thread->fs_base;
	t->gs_base = parent->thread->gs_base;
	*err = -ENOMEM;
	if (plat_space_create(&c->space) || !(c->mm = mm_fork(parent->mm, &parent->space)) ||
	    plat_thread_create(&t->plat, &c->space, (uint64_t)t->tid) || plat_thread_start(&t->plat, regs)) {
		proc_exit(c, SIGKILL);
		proc_free(c);
		return NULL;
	}
	c->exit_signal = SIGCHLD;
	*err = 0;
	return c;
}

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
		for (int i = 0; i < MAX_PROCS; i++)
			if (procs[i].state == P_LIVE && procs[i].killed)
				proc_exit(&procs[i], procs[i].killed);
	}
}

void proc_free(struct proc *p)
{
	p->state = P_FREE;
	procfs_gone(p->pid);
}
