/*
 * Process file descriptors (Linux's pidfd_open, pidfd_send_signal and the
 * pidfd's poll in kernel/pid.c, kernel/fork.c, kernel/signal.c).  A pidfd
 * names one process for good: its pid and the time it was made, so that
 * a pid used again after the process was reaped is not it.  It is
 * readable once the process has ended (a zombie, or reaped); a wait for
 * it is waitid(P_PIDFD) (sys_proc.c, through pidfd_waitee).
 */
#include "pidfd.h"
#include "signal.h"
#include "sys.h"

#include <asm-generic/poll.h>

struct pidfd {
	int pid;
	uint64_t start_ns;  /* the process's (pid and start: who it is) */
	struct pollhead ph; /* the epoll entries that watch it */
	struct pidfd *next; /* in the list of all pidfds */
};

static struct pidfd *pidfds;

/* d's process, live or a zombie; NULL once it is reaped */
static struct proc *pidfd_proc(const struct pidfd *d)
{
	struct proc *q = proc_by_pid(d->pid);
	return q && q->start_ns == d->start_ns ? q : NULL;
}

static unsigned pidfd_poll(struct file *f, struct poll_table *pt)
{
	struct pidfd *d = f->priv;
	poll_wait(pt, &d->ph);
	struct proc *q = pidfd_proc(d);
	return !q || q->state != P_LIVE ? POLLIN : 0;
}

static void pidfd_release(struct file *f)
{
	struct pidfd *d = f->priv, **pp = &pidfds;
	while (*pp && *pp != d)
		pp = &(*pp)->next;
	if (*pp)
		*pp = d->next;
	pollhead_gone(&d->ph);
	mem_free(d);
}

static const struct file_ops pidfd_ops = {
    .release = pidfd_release, .poll = pidfd_poll, .anon_name = "[pidfd]", .no_lseek = true};

void pidfd_exited(struct proc *p)
{
	for (struct pidfd *d = pidfds; d; d = d->next)
		if (d->pid == p->pid && d->start_ns == p->start_ns)
			poll_notify(&d->ph, POLLIN);
}

/* pidfd_open(pid, flags): always close-on-exec */
long sys_pidfd_open(struct lthread *t, const struct sysargs *a)
{
	int32_t pid = (int32_t)a->a0;
	uint32_t flags = (uint32_t)a->a1;
	if (flags & ~(uint32_t)O_NONBLOCK)
		return -EINVAL;
	if (pid <= 0)
		return -EINVAL;
	struct proc *q = proc_by_pid(pid);
	if (!q) /* (a thread other than the leader is no process: EINVAL) */
		return thread_by_tid((uint64_t)pid) ? -EINVAL : -ESRCH;
	struct pidfd *d = mem_zalloc(sizeof *d);
	if (!d)
		return -ENOMEM;
	d->pid = q->pid;
	d->start_ns = q->start_ns;
	d->next = pidfds;
	pidfds = d;
	return anon_fd_install(t->proc, &pidfd_ops, d, flags, true);
}

/* pidfd_send_signal(pidfd, sig, info, flags): a pidfd or an open /proc/PID
 * directory; Linux's order of checks (flags, the descriptor, then the
 * siginfo: its signal must be sig, and only to oneself may it claim to
 * come from the kernel or tkill) */
long sys_pidfd_send_signal(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	int64_t sig = (int32_t)a->a1;
	if ((uint32_t)a->a3)
		return -EINVAL;
	struct file *f = fd_file(p, (int64_t)a->a0);
	int pid = !f || f->ops == &pidfd_ops ? 0 : procfs_pid_dir(f->vn); /* (a /proc/PID directory does too) */
	if (!f || (f->ops != &pidfd_ops && !pid))
		return -EBADF;
	struct proc *q = pid ? (pid > 0 ? proc_by_pid(pid) : NULL) : pidfd_proc(f->priv);
	siginfo_t info;
	if (a->a2) {
		if (copy_from_user(p, &info, a->a2, sizeof info))
			return -EFAULT;
		memset((char *)&info + KSIGINFO_SIZE, 0, sizeof info - KSIGINFO_SIZE);
		if (info.si_signo != sig)
			return -EINVAL;
		if (q != p && (info.si_code >= 0 || info.si_code == SI_TKILL))
			return -EPERM;
	} else {
		siginfo_from(&info, (int)sig, SI_USER, p->pid);
	}
	return q ? kill_one(p, q, sig, &info) : -ESRCH;
}

int pidfd_waitee(struct proc *p, int fd, bool *nonblock)
{
	struct file *f = fd_file(p, fd);
	if (!f || f->ops != &pidfd_ops)
		return -EBADF;
	*nonblock = f->flags & O_NONBLOCK;
	struct proc *q = pidfd_proc(f->priv);
	return q ? q->pid : 0;
}
