/* Process system calls: identity, exit, exec, limits, signal state. */
#include "exec.h"
#include "sys.h"

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
long sys_getuid(struct lthread *t, const struct sysargs *a)
{
	(void)t;
	(void)a;
	return 0; /* every process runs as root */
}
long sys_getpgrp(struct lthread *t, const struct sysargs *a)
{
	(void)a;
	return t->proc->pgid;
}

long sys_getpgid(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = a->a0 ? proc_by_pid((int)a->a0) : t->proc;
	return p && p->state == P_LIVE ? p->pgid : -ESRCH;
}

long sys_getsid(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = a->a0 ? proc_by_pid((int)a->a0) : t->proc;
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

static void strcpy_bounded(char *d, const char *s, size_t n)
{
	size_t l = strlen(s);
	memcpy(d, s, l < n ? l + 1 : n);
}

long sys_uname(struct lthread *t, const struct sysargs *a)
{
	struct new_utsname u;
	memset(&u, 0, sizeof u);
	strcpy_bounded(u.sysname, "Linux", sizeof u.sysname);
	strcpy_bounded(u.nodename, "lx4", sizeof u.nodename);
	strcpy_bounded(u.release, "6.1.0-lx4", sizeof u.release);
	strcpy_bounded(u.version, "#1 lx4 on an L4-style microkernel", sizeof u.version);
	strcpy_bounded(u.machine, "x86_64", sizeof u.machine);
	strcpy_bounded(u.domainname, "(none)", sizeof u.domainname);
	return copy_to_user(t->proc, a->a0, &u, sizeof u);
}

long sys_arch_prctl(struct lthread *t, const struct sysargs *a)
{
	switch (a->a0) {
	case ARCH_SET_FS:
		if (a->a1 >= (1ull << 47))
			return -EPERM;
		t->fs_base = a->a1;
		return plat_thread_set_fs(&t->plat, a->a1) ? -EPERM : 0;
	case ARCH_GET_FS:
		return copy_to_user(t->proc, a->a1, &t->fs_base, 8);
	case ARCH_SET_GS:
		if (a->a1 >= (1ull << 47))
			return -EPERM;
		t->gs_base = a->a1;
		return plat_thread_set_gs(&t->plat, a->a1) ? -EPERM : 0;
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

long sys_sched_yield(struct lthread *t, const struct sysargs *a)
{
	(void)t;
	(void)a;
	return 0; /* the reply itself lets others run */
}

static long do_prlimit(struct proc *p, uint64_t res, uint64_t unew, uint64_t uold)
{
	if (res >= RLIM_NLIMITS)
		return -EINVAL;
	struct linux_rlimit64 n;
	if (unew) {
		if (copy_from_user(p, &n, unew, sizeof n))
			return -EFAULT;
		if (n.cur > n.max)
			return -EINVAL;
	}
	if (uold && copy_to_user(p, uold, &p->rlim[res], sizeof n))
		return -EFAULT;
	if (unew)
		p->rlim[res] = n;
	return 0;
}

long sys_prlimit64(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = a->a0 ? proc_by_pid((int)a->a0) : t->proc;
	if (!p || p->state != P_LIVE)
		return -ESRCH;
	return do_prlimit(p, a->a1, a->a2, a->a3);
}

long sys_getrlimit(struct lthread *t, const struct sysargs *a) { return do_prlimit(t->proc, a->a0, 0, a->a1); }
long sys_setrlimit(struct lthread *t, const struct sysargs *a) { return do_prlimit(t->proc, a->a0, a->a1, 0); }

long sys_rt_sigaction(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	uint64_t sig = a->a0;
	if (a->a3 != 8 || sig < 1 || sig > NSIG_LINUX)
		return -EINVAL;
	if (a->a1 && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	struct k_sigaction n;
	if (a->a1 && copy_from_user(p, &n, a->a1, sizeof n))
		return -EFAULT;
	if (a->a2 && copy_to_user(p, a->a2, &p->sigact[sig - 1], sizeof n))
		return -EFAULT;
	if (a->a1) {
		n.mask &= ~((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)));
		p->sigact[sig - 1] = n;
	}
	return 0;
}

long sys_rt_sigprocmask(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	if (a->a3 != 8)
		return -EINVAL;
	uint64_t set = 0, old = p->sigmask;
	if (a->a1) {
		if (a->a0 > SIG_SETMASK)
			return -EINVAL;
		if (copy_from_user(p, &set, a->a1, 8))
			return -EFAULT;
	}
	if (a->a2 && copy_to_user(p, a->a2, &old, 8))
		return -EFAULT;
	if (a->a1) {
		if (a->a0 == SIG_BLOCK)
			p->sigmask |= set;
		else if (a->a0 == SIG_UNBLOCK)
			p->sigmask &= ~set;
		else
			p->sigmask = set;
		p->sigmask &= ~((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)));
	}
	return 0;
}

long sys_execve(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	char path[PATH_MAX_LINUX];
	int err = user_path(p, a->a0, path);
	if (err)
		return err;
	uint64_t regs[LX4_REG_COUNT];
	bool committed;
	err = exec_image(p, path, a->a1, a->a2, NULL, NULL, regs, &committed);
	if (err) {
		if (!committed)
			return err;
		printf("lx4-server: pid %d: exec of %s failed after the old image went: SIGSEGV\n", p->pid, path);
		proc_kill(p, SIGSEGV);
		return SYS_NOREPLY;
	}
	for (int fd = 0; fd < MAX_FDS; fd++) {
		if (p->fds[fd] && p->cloexec[fd]) {
			file_put(p->fds[fd]);
			p->fds[fd] = NULL;
			p->cloexec[fd] = 0;
		}
	}
	t->fs_base = 0;
	plat_reply_regs(regs, LX4_REG_COUNT);
	return SYS_NOREPLY;
}
