/* Process system calls: identity, exit, exec, limits, fork, wait4. */
#include "exec.h"
#include "pidfd.h"
#include "rusage.h"
#include "signal.h"
#include "sys.h"

#include <linux/prctl.h>

long sys_getpid(struct lthread *t, const struct sysargs *a)
{
	(void)a;
	return t->proc->pid;
}
long sys_gettid(struct lthread *t, const struct sysargs *a)
{
	(void)a;
	return t->tid;
}
long sys_getppid(struct lthread *t, const struct sysargs *a)
{
	(void)a;
	return t->proc->ppid;
}
long sys_getpgrp(struct lthread *t, const struct sysargs *a)
{
	(void)a;
	return t->proc->pgid;
}

long sys_getpgid(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = a->a0 ? proc_by_id((int)a->a0) : t->proc;
	return p && p->state == P_LIVE ? p->pgid : -ESRCH;
}

long sys_getsid(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = a->a0 ? proc_by_id((int)a->a0) : t->proc;
	return p && p->state == P_LIVE ? p->sid : -ESRCH;
}

long sys_setpgid(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = a->a0 ? proc_by_pid((int)a->a0) : t->proc;
	if ((int64_t)a->a1 < 0)
		return -EINVAL;
	if (!p)
		return -ESRCH;
	if (p->sid == p->pid && p->pgid == p->pid && a->a1 != (uint64_t)p->pid)
		return -EPERM; /* a session leader */
	p->pgid = a->a1 ? (int)a->a1 : p->pid;
	return 0;
}

long sys_setsid(struct lthread *t, const struct sysargs *a)
{
	(void)a;
	struct proc *p = t->proc;
	if (p->pgid == p->pid)
		return -EPERM;
	p->sid = p->pgid = p->pid;
	return p->sid;
}

long sys_exit_group(struct lthread *t, const struct sysargs *a)
{
	proc_exit(t->proc, (int)((a->a0 & 0xff) << 8));
	return SYS_NOREPLY;
}

long sys_arch_prctl(struct lthread *t, const struct sysargs *a)
{
	switch (a->a0) {
	case ARCH_SET_FS:
		if (a->a1 >= (1ull << 47))
			return -EPERM;
		t->fs_base = a->a1;
		return plat_thread_set_base(&t->plat, PLAT_REG_FSBASE, a->a1) ? -EPERM : 0;
	case ARCH_GET_FS:
		return copy_to_user(t->proc, a->a1, &t->fs_base, 8);
	case ARCH_SET_GS:
		if (a->a1 >= (1ull << 47))
			return -EPERM;
		t->gs_base = a->a1;
		return plat_thread_set_base(&t->plat, PLAT_REG_GSBASE, a->a1) ? -EPERM : 0;
	case ARCH_GET_GS:
		return copy_to_user(t->proc, a->a1, &t->gs_base, 8);
	default:
		return -EINVAL;
	}
}

long sys_set_tid_address(struct lthread *t, const struct sysargs *a)
{
	t->clear_child_tid = a->a0;
	return t->tid;
}

long sys_set_robust_list(struct lthread *t, const struct sysargs *a)
{
	if (a->a1 != 24)
		return -EINVAL;
	t->robust_list = a->a0;
	t->robust_len = a->a1;
	return 0;
}

long sys_get_robust_list(struct lthread *t, const struct sysargs *a)
{
	int tid = (int)a->a0;
	struct lthread *o = tid ? thread_by_tid((uint64_t)tid) : t;
	if (tid < 0 || !o)
		return -ESRCH;
	uint64_t len = 24; /* sizeof (struct robust_list_head), whatever was set */
	if (copy_to_user(t->proc, a->a2, &len, sizeof len))
		return -EFAULT;
	return copy_to_user(t->proc, a->a1, &o->robust_list, sizeof o->robust_list);
}

long sys_sched_yield(struct lthread *t, const struct sysargs *a)
{
	(void)t;
	(void)a;
	return 0; /* the reply itself lets others run */
}

int fs_nr_open = 1048576; /* Linux's fs.nr_open: no RLIMIT_NOFILE above it */

/* sets and gets a limit of p (nlim and olim: NULL for none), as Linux's
 * do_prlimit */
static long do_prlimit(const struct cred *c, struct proc *p, uint32_t res, const struct linux_rlimit64 *nlim,
		       struct linux_rlimit64 *olim)
{
	if (res >= RLIM_NLIMITS)
		return -EINVAL;
	if (nlim && nlim->cur > nlim->max)
		return -EINVAL;
	if (nlim && res == RLIMIT_NOFILE && nlim->max > (uint64_t)fs_nr_open)
		return -EPERM;
	if (nlim && nlim->max > p->rlim[res].max && !cred_capable(c, CAP_SYS_RESOURCE))
		return -EPERM; /* a hard limit goes up only with CAP_SYS_RESOURCE */
	if (olim)
		*olim = p->rlim[res];
	if (nlim)
		p->rlim[res] = *nlim;
	if (nlim && res == RLIMIT_CPU)
		cputimer_update(p); /* (watched while it is finite) */
	return 0;
}

/* prlimit64: the new limit is read first and the old one stored last
 * (after the new one is set), as on Linux */
long sys_prlimit64(struct lthread *t, const struct sysargs *a)
{
	struct linux_rlimit64 nlim, olim;
	if (a->a2 && copy_from_user(t->proc, &nlim, a->a2, sizeof nlim))
		return -EFAULT;
	struct proc *p = (int)a->a0 ? proc_by_id((int)a->a0) : t->proc;
	if (!p || p->state != P_LIVE)
		return -ESRCH;
	/* check_prlimit_permission: another's limits are for a caller whose
	 * real ids are all its ids, or one with CAP_SYS_RESOURCE */
	const struct cred *c = &t->proc->cred, *pc = &p->cred;
	if (p != t->proc && !cred_capable(c, CAP_SYS_RESOURCE) &&
	    !(c->ruid == pc->ruid && c->ruid == pc->euid && c->ruid == pc->suid && c->rgid == pc->rgid &&
	      c->rgid == pc->egid && c->rgid == pc->sgid))
		return -EPERM;
	long err = do_prlimit(c, p, (uint32_t)a->a1, a->a2 ? &nlim : NULL, a->a3 ? &olim : NULL);
	if (!err && a->a3 && copy_to_user(t->proc, a->a3, &olim, sizeof olim))
		return -EFAULT;
	return err;
}

long sys_getrlimit(struct lthread *t, const struct sysargs *a)
{
	struct linux_rlimit64 olim;
	long err = do_prlimit(&t->proc->cred, t->proc, (uint32_t)a->a0, NULL, &olim);
	return err ? err : copy_to_user(t->proc, a->a1, &olim, sizeof olim);
}

long sys_setrlimit(struct lthread *t, const struct sysargs *a)
{
	struct linux_rlimit64 nlim;
	if (copy_from_user(t->proc, &nlim, a->a1, sizeof nlim))
		return -EFAULT;
	return do_prlimit(&t->proc->cred, t->proc, (uint32_t)a->a0, &nlim, NULL);
}

long sys_execve(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	char path[PATH_MAX_LINUX];
	int err = user_path(p, a->a0, path);
	if (err)
		return err;
	uint64_t regs[PLAT_REG_COUNT];
	bool committed, shared = p->mm && p->mm->users > 1; /* (a vfork child: a new space) */
	err = exec_image(p, path, a->a1, a->a2, NULL, NULL, regs, &committed);
	if (err) {
		if (!committed)
			return err;
		printf("lx4-server: pid %d: exec of %s failed after the old image went: SIGSEGV\n", p->pid, path);
		proc_kill(p, SIGSEGV);
		return SYS_NOREPLY;
	}
	for (int fd = 0; fd < MAX_FDS; fd++) {
		if (p->fds[fd] && p->cloexec[fd])
			fd_close(p, fd);
	}
	t->fs_base = 0;
	proc_vfork_done(p); /* (its parent goes on) */
	if (t->tid != p->pid || shared) { /* (exec from a thread, the others gone; or in a space of its own) */
		if (thread_restart(t, p->pid, regs))
			proc_kill(p, SIGKILL);
		return SYS_NOREPLY;
	}
	plat_reply_regs(regs, PLAT_REG_COUNT);
	return SYS_NOREPLY;
}

/* ---- wait4, waitid ---------------------------------------------------------------- */

#define WNOHANG_L 1
#define WUNTRACED_L 2
#define WCONTINUED_L 8
#define WALL_L 0x40000000
#define WCLONE_L 0x80000000

#define WSTOPPED_L 2
#define WEXITED_L 4
#define WNOWAIT_L 0x01000000
#define WNOTHREAD_L 0x20000000
#define P_ALL_L 0
#define P_PID_L 1
#define P_PGID_L 2
#define P_PIDFD_L 3

/* the children a wait is for: any, one pid, or a group */
enum { W_ANY, W_PID, W_PGID };

struct wait_for {
	int type, id;
	uint64_t options; /* WEXITED, WSTOPPED, WCONTINUED, WNOWAIT, WNOHANG */
};

/* what a wait reports: the child, the wait4 status, waitid's si_code
 * and si_status, and the child's resource use with its children's */
struct wait_got {
	int pid, status, code, cstatus;
	struct rusage_sum ru;
};

static bool wait_matches(struct proc *c, const struct wait_for *w)
{
	if (w->type == W_PID)
		return c->pid == w->id;
	if (w->type == W_PGID)
		return c->pgid == w->id;
	return true;
}

/* Linux's wait_consider_task for child c of p: an end (reaped unless
 * WNOWAIT: then c's figures are p's children's), a stop (WSTOPPED) or a
 * continue (WCONTINUED) not yet reported */
static bool wait_consider(struct proc *p, struct proc *c, const struct wait_for *w, struct wait_got *g)
{
	bool keep = w->options & WNOWAIT_L;
	g->pid = c->pid;
	if (c->state == P_ZOMBIE) {
		if (!(w->options & WEXITED_L))
			return false;
		int st = c->exit_status;
		g->status = st;
		g->code = (st & 0x7f) ? ((st & 0x80) ? CLD_DUMPED : CLD_KILLED) : CLD_EXITED;
		g->cstatus = (st & 0x7f) ? st & 0x7f : (st >> 8) & 0xff;
		rusage_both(c, &g->ru);
		if (!keep) {
			rusage_reap(p, c);
			proc_free(c);
		}
		return true;
	}
	if ((w->options & WSTOPPED_L) && c->stopped && c->stop_code) {
		g->status = (c->stop_code << 8) | 0x7f;
		g->code = CLD_STOPPED;
		g->cstatus = c->stop_code;
		if (!keep)
			c->stop_code = 0;
		rusage_both(c, &g->ru);
		return true;
	}
	if ((w->options & WCONTINUED_L) && c->cont_report) {
		g->status = 0xffff;
		g->code = CLD_CONTINUED;
		g->cstatus = SIGCONT;
		if (!keep)
			c->cont_report = false;
		rusage_both(c, &g->ru);
		return true;
	}
	return false;
}

/* the child a wait reports (1, in *g), none yet (0: WNOHANG, or the caller
 * waits: SYS_WAIT), or -ECHILD */
static long wait_find(struct lthread *t, const struct wait_for *w, struct wait_got *g)
{
	struct proc *p = t->proc;
	bool any = false;
	for (struct proc *c = p->children, *next; c; c = next) {
		next = c->sib_next; /* (c may be reaped) */
		if (!wait_matches(c, w))
			continue;
		any = true;
		if (wait_consider(p, c, w, g))
			return 1;
	}
	if (!any)
		return -ECHILD;
	if (w->options & WNOHANG_L)
		return 0;
	waitq_add(&p->child_exit, t);
	return SYS_WAIT;
}

long sys_wait4(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	int32_t pid = (int32_t)a->a0;
	if (a->a2 & ~(uint64_t)(WNOHANG_L | WUNTRACED_L | WCONTINUED_L | WNOTHREAD_L | WALL_L | WCLONE_L))
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;
	struct wait_for w = {pid > 0 ? W_PID : pid == -1 ? W_ANY : W_PGID, pid > 0 ? pid : pid ? -pid : p->pgid,
			     a->a2 | WEXITED_L};
	struct wait_got g;
	long r = wait_find(t, &w, &g);
	if (r <= 0)
		return r;
	/* (as Linux: the child is reaped, or its report taken, first) */
	if (a->a1 && copy_to_user(p, a->a1, &g.status, sizeof g.status))
		return -EFAULT;
	if (a->a3 && rusage_copyout(p, a->a3, &g.ru))
		return -EFAULT;
	return g.pid;
}

/* the fields of siginfo_t waitid sets (si_signo si_errno si_code, then
 * si_pid si_uid si_status) */
struct waitid_info {
	int32_t signo, err, code, pad;
	int32_t pid, uid, status;
};

/* Linux's kernel_waitid: the child waitid reports (1, in *g), none (0),
 * SYS_WAIT, or an error */
static long waitid_find(struct lthread *t, const struct sysargs *a, struct wait_got *g)
{
	struct proc *p = t->proc;
	uint32_t type = (uint32_t)a->a0;
	int32_t id = (int32_t)a->a1;
	uint64_t opt = a->a3;
	if (opt & ~(uint64_t)(WNOHANG_L | WNOWAIT_L | WEXITED_L | WSTOPPED_L | WCONTINUED_L | WNOTHREAD_L | WCLONE_L |
			      WALL_L))
		return -EINVAL;
	if (!(opt & (WEXITED_L | WSTOPPED_L | WCONTINUED_L)))
		return -EINVAL;
	struct wait_for w = {W_ANY, 0, opt};
	switch (type) {
	case P_ALL_L:
		break;
	case P_PID_L:
		if (id <= 0)
			return -EINVAL;
		w.type = W_PID, w.id = id;
		break;
	case P_PGID_L:
		if (id < 0)
			return -EINVAL;
		w.type = W_PGID, w.id = id ? id : p->pgid;
		break;
	case P_PIDFD_L: { /* the pidfd's process, which must be a child */
		bool nonblock;
		int pid = id < 0 ? -EINVAL : pidfd_waitee(p, id, &nonblock);
		if (pid < 0)
			return pid;
		w.type = W_PID, w.id = pid;
		w.options |= nonblock ? WNOHANG_L : 0;
		break;
	}
	default:
		return -EINVAL;
	}
	long r = wait_find(t, &w, g);
	if (!r && !(opt & WNOHANG_L) && (w.options & WNOHANG_L))
		return -EAGAIN; /* (a pidfd with O_NONBLOCK) */
	return r;
}

/* waitid: the siginfo is written whatever the answer (zeros but for a
 * child's report), so that an unwritable one is EFAULT even then, as on
 * Linux */
long sys_waitid(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	struct wait_got g = {0};
	long r = waitid_find(t, a, &g);
	if (r == SYS_WAIT)
		return r;
	bool got = r > 0;
	if (got && a->a4 && rusage_copyout(p, a->a4, &g.ru))
		return -EFAULT;
	if (!a->a2)
		return got ? 0 : r;
	struct waitid_info i = {got ? SIGCHLD : 0, 0, got ? g.code : 0, 0, got ? g.pid : 0, 0, got ? g.cstatus : 0};
	if (copy_to_user(p, a->a2, &i.signo, 12) || copy_to_user(p, a->a2 + 16, &i.pid, 12))
		return -EFAULT;
	return got ? 0 : r;
}

/* getgroups: the one identity here (root) has no supplementary groups,
 * and setgroups is not there to give it any */

/* prctl: the options that are process state here; the others are
 * EINVAL (as Linux says for those it does not know) and logged once */
long sys_prctl(struct lthread *t, const struct sysargs *a)
{
	static uint8_t logged[8];
	struct proc *p = t->proc;
	switch (a->a0) {
	case PR_SET_NAME: {
		char name[sizeof p->comm] = {0};
		for (size_t i = 0; i < sizeof name - 1; i++) {
			if (copy_from_user(p, &name[i], a->a1 + i, 1))
				return -EFAULT;
			if (!name[i])
				break;
		}
		thread_set_name(t, name);
		return 0;
	}
	case PR_GET_NAME:
		return copy_to_user(p, a->a1, t->comm, sizeof t->comm) ? -EFAULT : 0;
	case PR_GET_DUMPABLE:
		return !p->undumpable;
	case PR_SET_DUMPABLE:
		if (a->a1 > 1)
			return -EINVAL;
		p->undumpable = !a->a1;
		return 0;
	case PR_SET_NO_NEW_PRIVS:
		if (a->a1 != 1 || a->a2 || a->a3 || a->a4)
			return -EINVAL;
		p->no_new_privs = true;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		if (a->a1 || a->a2 || a->a3 || a->a4)
			return -EINVAL;
		return p->no_new_privs;
	default:
		if (cred_prctl(a->a0)) /* the capability options (sys_cred.c) */
			return cred_prctl_call(t, a);
		if (a->a0 < 64 && !(logged[a->a0 / 8] & (1u << (a->a0 % 8)))) {
			logged[a->a0 / 8] |= (uint8_t)(1u << (a->a0 % 8));
			printf("lx4-server: prctl option %lu not implemented: EINVAL\n", a->a0);
		}
		return -EINVAL;
	}
}

/* lx4's own call (a number no Linux has): the server's memory figures, so
 * that a test can see that a process's end gave everything back.  buf gets
 * {pages free, pages in all, processes alive, kernel pages in use}. */
long sys_lx4_meminfo(struct lthread *t, const struct sysargs *a)
{
	uint64_t v[4] = {pages_free(), pages_total(), (uint64_t)proc_count(), plat_kmem_used()};
	return copy_to_user(t->proc, a->a0, v, sizeof v);
}
