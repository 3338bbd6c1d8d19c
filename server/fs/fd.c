/*
 * A process's descriptors: looking a descriptor up, making and installing
 * one, close, close_range, dup and its relatives, fcntl.
 */
#include "sys.h"

int fd_alloc(struct proc *p, int min)
{
	uint64_t limit = p->rlim[RLIMIT_NOFILE].cur < MAX_FDS ? p->rlim[RLIMIT_NOFILE].cur : MAX_FDS;
	for (int fd = min; fd < (int)limit; fd++)
		if (!p->fds[fd])
			return fd;
	return -EMFILE;
}

int fd_install(struct proc *p, struct file *f, bool cloexec)
{
	int fd = fd_alloc(p, 0);
	if (fd < 0) {
		file_put(f);
		return fd;
	}
	p->fds[fd] = f;
	p->cloexec[fd] = cloexec;
	return fd;
}

long sys_close(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	struct file *f = fd_file_raw(p, (int64_t)a->a0);
	if (!f)
		return -EBADF;
	fd_close(p, (int)a->a0);
	return 0;
}

/* close_range(first, last, flags): every open descriptor in [first,
 * last] closed, or marked close-on-exec (CLOSE_RANGE_CLOEXEC);
 * CLOSE_RANGE_UNSHARE has nothing to unshare (a process's table is its
 * own) */
#define CLOSE_RANGE_UNSHARE_L 2
#define CLOSE_RANGE_CLOEXEC_L 4
long sys_close_range(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	uint32_t first = (uint32_t)a->a0, last = (uint32_t)a->a1;
	if (a->a2 & ~(uint64_t)(CLOSE_RANGE_UNSHARE_L | CLOSE_RANGE_CLOEXEC_L))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	for (uint32_t fd = first; fd <= last && fd < MAX_FDS; fd++) {
		if (!p->fds[fd])
			continue;
		if (a->a2 & CLOSE_RANGE_CLOEXEC_L)
			p->cloexec[fd] = 1;
		else
			fd_close(p, (int)fd);
	}
	return 0;
}

void fd_close(struct proc *p, int fd)
{
	struct file *f = p->fds[fd];
	p->fds[fd] = NULL;
	p->cloexec[fd] = 0;
	lock_close(p, f);
	file_put(f);
}

static long dup_to(struct proc *p, struct file *f, int fd, bool cloexec)
{
	file_get(f); /* (first: f may be the file at fd) */
	if (p->fds[fd])
		fd_close(p, fd);
	p->fds[fd] = f;
	p->cloexec[fd] = cloexec;
	return fd;
}

long sys_dup(struct lthread *t, const struct sysargs *a)
{
	struct file *f = fd_file_raw(t->proc, (int64_t)a->a0);
	if (!f)
		return -EBADF;
	int fd = fd_alloc(t->proc, 0);
	return fd < 0 ? fd : dup_to(t->proc, f, fd, false);
}

/* dup3 and dup2: the descriptors are 32 bits; Linux's order of checks */
long sys_dup3(struct lthread *t, const struct sysargs *a)
{
	uint32_t oldfd = (uint32_t)a->a0, newfd = (uint32_t)a->a1;
	if ((uint32_t)a->a2 & ~(uint32_t)O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	if (newfd >= MAX_FDS || newfd >= t->proc->rlim[RLIMIT_NOFILE].cur)
		return -EBADF;
	struct file *f = fd_file_raw(t->proc, oldfd);
	if (!f)
		return -EBADF;
	return dup_to(t->proc, f, (int)newfd, a->a2 & O_CLOEXEC);
}

long sys_dup2(struct lthread *t, const struct sysargs *a)
{
	uint32_t oldfd = (uint32_t)a->a0, newfd = (uint32_t)a->a1;
	struct file *f = fd_file_raw(t->proc, oldfd);
	if (oldfd == newfd)
		return f ? (long)newfd : -EBADF;
	if (newfd >= MAX_FDS || newfd >= t->proc->rlim[RLIMIT_NOFILE].cur)
		return -EBADF;
	if (!f)
		return -EBADF;
	return dup_to(t->proc, f, (int)newfd, false);
}

long sys_fcntl(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	struct file *f = fd_file_raw(p, (int64_t)a->a0);
	if (!f)
		return -EBADF;
	int fd = (int)a->a0;
	uint32_t cmd = (uint32_t)a->a1, arg = (uint32_t)a->a2; /* an int argument, where it is one */
	if ((f->flags & O_PATH) && cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC && cmd != F_GETFD && cmd != F_SETFD &&
	    cmd != F_GETFL)
		return -EBADF; /* (an O_PATH descriptor: Linux's fcntl takes these of it only) */
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC: {
		if (arg >= p->rlim[RLIMIT_NOFILE].cur)
			return -EINVAL;
		int n = arg >= MAX_FDS ? -EMFILE : fd_alloc(p, (int)arg);
		return n < 0 ? n : dup_to(p, f, n, cmd == F_DUPFD_CLOEXEC);
	}
	case F_GETFD:
		return p->cloexec[fd] ? FD_CLOEXEC : 0;
	case F_SETFD:
		p->cloexec[fd] = arg & FD_CLOEXEC;
		return 0;
	case F_GETFL:
		return f->flags & ~(uint32_t)(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC);
	case F_SETFL: {
		/* O_NOATIME only for the owner; O_DIRECT is a pipe's packet
		 * mode, the file system has no direct I/O (Linux's tmpfs:
		 * EINVAL); O_ASYNC starts or ends signal-driven I/O */
		struct owner o = vnode_owner(f->vn);
		if ((arg & O_NOATIME) && !(f->flags & O_NOATIME) && !perm_owner(&p->cred, &o))
			return -EPERM;
		if ((arg & O_DIRECT) && f->vn->type != V_FIFO)
			return -EINVAL;
		const uint32_t setfl = O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME | FASYNC;
		if ((arg ^ f->flags) & FASYNC)
			fasync_set(f, fd, arg & FASYNC);
		f->flags = (f->flags & ~setfl) | (arg & setfl);
		return 0;
	}
	case F_SETOWN:
	case F_GETOWN:
	case F_SETOWN_EX:
	case F_GETOWN_EX:
	case F_SETSIG:
	case F_GETSIG:
		return fasync_fcntl(t, f, cmd, a->a2);
	case F_SETLEASE:
	case F_GETLEASE:
		return lease_fcntl(t, f, fd, cmd, a->a2);
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return lock_fcntl(t, f, cmd, a->a2);
	case F_GETPIPE_SZ:
	case F_SETPIPE_SZ:
		return pipe_fcntl(f, cmd, a->a2); /* (an unsigned long) */
	case F_ADD_SEALS:
	case F_GET_SEALS:
		return memfd_fcntl(f, cmd, a->a2);
	default:
		return -EINVAL;
	}
}
