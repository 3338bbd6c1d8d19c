/*
 * File system calls: descriptors, reading and writing, metadata,
 * directories and names.  Every user pointer goes through copy_*_user
 * (vm.c): a bad one gives -EFAULT.
 */
#include "sys.h"

#define S_IFMT 0170000
#define S_IFDIR 0040000
#define S_ISDIR(m) (((m)&S_IFMT) == S_IFDIR)

/* ---- descriptors ---------------------------------------------------------------- */

struct file *fd_file_raw(struct proc *p, int64_t fd)
{
	int n = (int)fd; /* a descriptor argument is 32 bits: the rest is ignored */
	if (n < 0 || n >= MAX_FDS)
		return NULL;
	return p->fds[n];
}

struct file *fd_file(struct proc *p, int64_t fd)
{
	struct file *f = fd_file_raw(p, fd);
	return f && !(f->flags & O_PATH) ? f : NULL;
}

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

int user_path(struct proc *p, uint64_t upath, char *buf)
{
	long n = strncpy_from_user(p, buf, upath, PATH_MAX_LINUX);
	return n < 0 ? (int)n : 0;
}

struct vnode *at_dir(struct proc *p, int64_t dirfd, const char *path, int *err)
{
	if (!path[0]) { /* before the descriptor is looked at */
		*err = -ENOENT;
		return NULL;
	}
	if (path[0] == '/' || (int)dirfd == AT_FDCWD_LINUX) {
		vnode_get(p->cwd);
		return p->cwd;
	}
	struct file *f = fd_file_raw(p, dirfd);
	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	if (f->vn->type != V_DIR) {
		*err = -ENOTDIR;
		return NULL;
	}
	vnode_get(f->vn);
	return f->vn;
}

struct vnode *at_lookup(struct proc *p, int64_t dirfd, const char *path, bool nofollow, int *err)
{
	struct vnode *dir = at_dir(p, dirfd, path, err);
	if (!dir)
		return NULL;
	struct vnode *vn = vfs_lookup(&p->cred, dir, path, nofollow, err);
	vnode_put(dir);
	return vn;
}

struct vnode *at_lookup_flags(struct proc *p, int64_t dirfd, const char *path, uint64_t flags, int *err)
{
	if (!path[0] && (flags & AT_EMPTY_PATH)) {
		struct file *f = (int)dirfd == AT_FDCWD_LINUX ? NULL : fd_file_raw(p, dirfd);
		if ((int)dirfd != AT_FDCWD_LINUX && !f) {
			*err = -EBADF;
			return NULL;
		}
		struct vnode *vn = f ? f->vn : p->cwd;
		vnode_get(vn);
		return vn;
	}
	return at_lookup(p, dirfd, path, flags & AT_SYMLINK_NOFOLLOW, err);
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
	default:
		return -EINVAL;
	}
}

/* ---- open ----------------------------------------------------------------------- */

#define VALID_OPEN_FLAGS                                                                                               \
	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_DSYNC | FASYNC | O_DIRECT |     \
	 O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_PATH | __O_TMPFILE | __O_SYNC)
#define MAX_SYMLINKS 40

/* a new regular file called name in parent; a dangling symbolic link of
 * that name is followed to where it points (Linux creates the target of
 * one, unless O_EXCL or O_NOFOLLOW); referenced, or NULL with *err */
static struct vnode *create_file(struct proc *p, struct vnode *parent, char *name, uint32_t flags, uint64_t mode,
				 int *err)
{
	vnode_get(parent);
	for (int links = 0;; links++) {
		struct vnode *l = vfs_dir_find(parent, name);
		if (l && (l->type != V_LNK || (flags & (O_EXCL | O_NOFOLLOW)))) {
			vnode_put(parent);
			*err = -ENOENT;
			return NULL;
		}
		if (l) {
			struct vnode *np = NULL;
			if (links < MAX_SYMLINKS)
				np = vfs_lookup_parent(&p->cred, parent, l->link, name, 256, err);
			else
				*err = -ELOOP;
			vnode_put(parent);
			if (!np)
				return NULL;
			parent = np;
			continue;
		}
		if ((*err = parent->dops ? -ENOENT : vfs_may_create(&p->cred, parent)) ||
		    (*err = vfs_inode_room(parent))) { /* (/proc: no such name) */
			vnode_put(parent);
			return NULL;
		}
		struct vnode *vn = vnode_create(&p->cred, parent, V_REG, mode & ~p->umask & 07777);
		*err = vn ? vfs_dir_add(parent, name, vn) : -ENOMEM;
		vnode_put(parent);
		if (*err) {
			if (vn) {
				vn->nlink = 0;
				vnode_get(vn);
				vnode_put(vn); /* frees it */
			}
			return NULL;
		}
		vnode_get(vn);
		return vn;
	}
}

/* a truncate (or an open with O_TRUNC) by c: the file's set-id bits go as
 * with a write */
static int truncate_by(const struct cred *c, struct vnode *vn, uint64_t size)
{
	int err = vnode_truncate(vn, size);
	if (!err)
		vnode_kill_suid(c, vn);
	return err;
}

/* the rest of Linux's may_open for a file that exists: the access its flags
 * ask for (O_TRUNC writes, except a pipe's or a socket's), then O_NOATIME,
 * which only the owner may ask for */
static int open_permission(const struct cred *c, struct vnode *vn, uint32_t flags)
{
	static const int acc[4] = {MAY_READ, MAY_WRITE, MAY_READ | MAY_WRITE, MAY_READ | MAY_WRITE};
	int want = acc[flags & O_ACCMODE];
	if ((flags & O_TRUNC) && vn->type != V_FIFO && vn->type != V_SOCK)
		want |= MAY_WRITE;
	int err = vnode_permission(c, vn, want);
	if (err)
		return err;
	struct owner o = vnode_owner(vn);
	return (flags & O_NOATIME) && !perm_owner(c, &o) ? -EPERM : 0;
}

static long do_open(struct proc *p, int64_t dirfd, uint64_t upath, uint64_t uflags, uint64_t mode)
{
	char path[PATH_MAX_LINUX], name[256];
	uint32_t flags = ((uint32_t)uflags & VALID_OPEN_FLAGS) | O_LARGEFILE; /* forced on 64-bit Linux */
	if (flags & O_PATH) /* a descriptor of a place: the other flags mean nothing */
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	if ((flags & (O_CREAT | O_DIRECTORY)) == (O_CREAT | O_DIRECTORY))
		return -EINVAL; /* as Linux since 6.4 (and Debian's 6.1) */
	int err = user_path(p, upath, path);
	if (err)
		return err;
	if ((flags & __O_TMPFILE) == __O_TMPFILE)
		return -EOPNOTSUPP; /* unnamed files: not yet */
	bool creat = flags & O_CREAT, excl = creat && (flags & O_EXCL);
	size_t len = strlen(path);
	if (creat && len > 1 && path[len - 1] == '/') {
		/* "name/" cannot be created: EISDIR once the directories before resolve */
		struct vnode *dir = at_dir(p, dirfd, path, &err);
		if (!dir)
			return err;
		struct vnode *parent = vfs_lookup_parent(&p->cred, dir, path, name, sizeof name, &err);
		vnode_put(dir);
		if (!parent)
			return err == -EEXIST ? -EISDIR : err; /* the root */
		vnode_put(parent);
		return -EISDIR;
	}
	/* Linux's order: EEXIST, EISDIR (creating a directory), ENOTDIR
	 * (O_DIRECTORY), then may_open's ELOOP (a symbolic link: O_NOFOLLOW)
	 * and EISDIR (a directory opened to write, O_TRUNC included) */
	struct vnode *vn = at_lookup(p, dirfd, path, (flags & O_NOFOLLOW) || excl, &err);
	if (vn) {
		bool dir = vn->type == V_DIR;
		if (excl)
			err = -EEXIST;
		else if (creat && dir)
			err = -EISDIR;
		else if ((flags & O_DIRECTORY) && !dir)
			err = -ENOTDIR;
		else if (flags & O_PATH)
			; /* (no permission to the file is needed; a link is itself) */
		else if (vn->type == V_LNK)
			err = -ELOOP;
		else if (dir && ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC)))
			err = -EISDIR;
		else if ((vn->type == V_CHR || vn->type == V_BLK) && (mount_flags(vn) & MS_NODEV_L))
			err = -EACCES; /* no devices on this file system */
		else if (!(err = open_permission(&p->cred, vn, flags)) && vn->type == V_REG)
			err = (int)lease_break(current, vn, flags); /* (may wait: SYS_WAIT) */
		if (!err && (flags & O_TRUNC) && vn->type == V_REG && !vn->fops) /* whatever the access mode */
			err = truncate_by(&p->cred, vn, 0);
	} else if (err == -ENOENT && creat) {
		struct vnode *dir = at_dir(p, dirfd, path, &err);
		if (!dir)
			return err;
		struct vnode *parent = vfs_lookup_parent(&p->cred, dir, path, name, sizeof name, &err);
		vnode_put(dir);
		if (!parent)
			return err;
		vn = create_file(p, parent, name, flags, mode, &err);
		vnode_put(parent);
	}
	if (!vn)
		return err;
	if (err) {
		vnode_put(vn);
		return err;
	}
	struct file *f = file_open(vn, flags, &err);
	vnode_put(vn);
	if (!f)
		return err;
	return fd_install(p, f, flags & O_CLOEXEC);
}

long sys_open(struct lthread *t, const struct sysargs *a)
{
	return do_open(t->proc, AT_FDCWD_LINUX, a->a0, a->a1, a->a2);
}
long sys_openat(struct lthread *t, const struct sysargs *a)
{
	return do_open(t->proc, (int64_t)a->a0, a->a1, a->a2, a->a3);
}
long sys_creat(struct lthread *t, const struct sysargs *a)
{
	return do_open(t->proc, AT_FDCWD_LINUX, a->a0, O_CREAT | O_WRONLY | O_TRUNC, a->a1);
}

/* ---- read and write ---------------------------------------------------------------- */

/* the open file of a read (or a write) on fd, or NULL (EBADF): there is
 * none, or it is not open for that (O_ACCMODE 3 is open for neither) */
static struct file *rw_file(struct proc *p, uint64_t fd, bool write)
{
	struct file *f = fd_file(p, (int64_t)fd);
	if (!f)
		return NULL;
	uint32_t acc = f->flags & O_ACCMODE;
	if (acc != O_RDWR && acc != (write ? O_WRONLY : O_RDONLY))
		return NULL;
	return f;
}

/* /dev/null, /dev/zero, /dev/full, /dev/random, /dev/urandom: pread and
 * pwrite work (the offset means nothing), lseek always gives 0 */
static bool mem_dev(const struct vnode *vn) { return vn->type == V_CHR && vn->rdev >> 8 == 1; }

/* may pread/pwrite be used on vn (else ESPIPE) */
static bool positional(const struct vnode *vn) { return vn->type == V_REG || vn->type == V_DIR || mem_dev(vn); }

/* the transfer itself, at off (-1: at the file position) */
static long do_rw(const struct cred *c, struct file *f, struct uio *u, bool write, int64_t off)
{
	if (f->vn->type == V_DIR)
		return -EISDIR;
	if (write && f->vn->type == V_REG)
		vnode_kill_suid(c, f->vn); /* (Linux's file_remove_privs, before the data) */
	if (off >= 0 && f->ops && f->ops->pread && !write)
		return f->ops->pread(f, u, (uint64_t)off);
	if (off >= 0 && f->ops && f->ops->pwrite && write)
		return f->ops->pwrite(f, u, (uint64_t)off);
	if (off >= 0 && f->vn->type == V_REG && !f->vn->fops) {
		if (write && (f->flags & O_APPEND))
			off = (int64_t)f->vn->size; /* Linux appends, whatever the offset */
		return write ? vnode_write(f->vn, (uint64_t)off, u) : vnode_read(f->vn, (uint64_t)off, u);
	}
	if (!f->ops || !(write ? f->ops->write : f->ops->read))
		return -EINVAL;
	long r = write ? f->ops->write(f, u) : f->ops->read(f, u);
	if (r == -EWOULDBLOCK_WAIT && (f->flags & O_NONBLOCK)) {
		/* off the queue the driver put it on: a wake-up would make
		 * whatever call it is in by then again */
		if (current)
			waitq_remove(current);
		return -EAGAIN;
	}
	return r;
}

/* read, write, pread64, pwrite64: Linux's order of checks (the offset, the
 * descriptor, seekability, the access mode, then the buffer: the whole of
 * it must lie in user space, before the count is cut to MAX_RW) */
static long rw_one(struct lthread *t, const struct sysargs *a, bool write, int64_t off)
{
	struct file *f = fd_file(t->proc, (int64_t)a->a0);
	if (!f)
		return -EBADF;
	if (off >= 0 && !positional(f->vn))
		return -ESPIPE;
	if (!rw_file(t->proc, a->a0, write))
		return -EBADF;
	if (!access_ok(a->a1, a->a2))
		return -EFAULT;
	struct linux_iovec v = {a->a1, a->a2 > MAX_RW ? MAX_RW : a->a2};
	struct uio u = {.proc = t->proc, .iov = &v, .iovcnt = 1};
	return do_rw(&t->proc->cred, f, &u, write, off);
}

long sys_read(struct lthread *t, const struct sysargs *a) { return rw_one(t, a, false, -1); }
long sys_write(struct lthread *t, const struct sysargs *a) { return rw_one(t, a, true, -1); }

long sys_pread64(struct lthread *t, const struct sysargs *a)
{
	return (int64_t)a->a3 < 0 ? -EINVAL : rw_one(t, a, false, (int64_t)a->a3);
}

long sys_pwrite64(struct lthread *t, const struct sysargs *a)
{
	return (int64_t)a->a3 < 0 ? -EINVAL : rw_one(t, a, true, (int64_t)a->a3);
}

/* readv, writev, preadv, pwritev: the iovecs are checked as Linux's
 * import_iovec does (a negative length: EINVAL; a buffer outside user
 * space: EFAULT; the total cut at MAX_RW), before the access mode */
static long rw_vec(struct lthread *t, const struct sysargs *a, bool write, int64_t off)
{
	static struct linux_iovec iov[UIO_MAXIOV];
	uint32_t n = (uint32_t)a->a2;
	struct file *f = fd_file(t->proc, (int64_t)a->a0);
	if (!f)
		return -EBADF;
	if (off >= 0 && !positional(f->vn))
		return -ESPIPE;
	if (n > UIO_MAXIOV)
		return -EINVAL;
	if (copy_from_user(t->proc, iov, a->a1, n * sizeof iov[0]))
		return -EFAULT;
	for (uint32_t i = 0; i < n; i++)
		if ((int64_t)iov[i].len < 0)
			return -EINVAL;
	uint64_t total = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (!access_ok(iov[i].base, iov[i].len))
			return -EFAULT;
		if (iov[i].len > MAX_RW - total)
			iov[i].len = MAX_RW - total;
		total += iov[i].len;
	}
	if (!rw_file(t->proc, a->a0, write))
		return -EBADF;
	if (!total)
		return 0;
	struct uio u = {.proc = t->proc, .iov = iov, .iovcnt = (int)n};
	return do_rw(&t->proc->cred, f, &u, write, off);
}

long sys_readv(struct lthread *t, const struct sysargs *a) { return rw_vec(t, a, false, -1); }
long sys_writev(struct lthread *t, const struct sysargs *a) { return rw_vec(t, a, true, -1); }
long sys_preadv(struct lthread *t, const struct sysargs *a)
{
	return (int64_t)a->a3 < 0 ? -EINVAL : rw_vec(t, a, false, (int64_t)a->a3);
}
long sys_pwritev(struct lthread *t, const struct sysargs *a)
{
	return (int64_t)a->a3 < 0 ? -EINVAL : rw_vec(t, a, true, (int64_t)a->a3);
}

/* SEEK_DATA, SEEK_HOLE in a regular file: the pages it has are data, the
 * rest holes (as tmpfs sees it) */
static int64_t seek_data(struct vnode *vn, int64_t off, bool hole)
{
	if (off < 0 || (uint64_t)off >= vn->size)
		return -ENXIO;
	for (uint64_t pos = (uint64_t)off; pos < vn->size; pos = (pos | 0xfff) + 1)
		if ((vnode_page(vn, pos / 4096, false) != NULL) != hole)
			return (int64_t)pos;
	return hole ? (int64_t)vn->size : -ENXIO;
}

long sys_lseek(struct lthread *t, const struct sysargs *a)
{
	struct file *f = fd_file(t->proc, (int64_t)a->a0);
	uint32_t whence = (uint32_t)a->a2;
	if (!f)
		return -EBADF;
	if (mem_dev(f->vn)) { /* whatever the arguments */
		f->pos = 0;
		return 0;
	}
	if (f->vn->type == V_CHR || f->vn->type == V_FIFO || f->vn->type == V_SOCK) /* ttys, pipes, sockets */
		return -ESPIPE;
	if (!f->vn->type) /* an anonymous file (anon.c): Linux's noop_llseek, once whence is known */
		return whence > SEEK_HOLE ? -EINVAL : (long)f->pos;
	if ((f->vn->type == V_DIR || f->vn->dev == PROCFS_DEV) && whence != SEEK_SET && whence != SEEK_CUR)
		return -EINVAL; /* a position in a directory is an entry index, a proc file has no end: no end to
				 * seek from */
	int64_t base, pos;
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)f->pos;
		break;
	case SEEK_END:
		base = (int64_t)f->vn->size;
		break;
	case SEEK_DATA:
	case SEEK_HOLE:
		pos = seek_data(f->vn, (int64_t)a->a1, whence == SEEK_HOLE);
		if (pos >= 0)
			f->pos = (uint64_t)pos;
		return pos;
	default:
		return -EINVAL;
	}
	pos = base + (int64_t)a->a1;
	if (pos < 0 || ((int64_t)a->a1 > 0 && pos < base))
		return -EINVAL;
	f->pos = (uint64_t)pos;
	return pos;
}

/* sendfile's write of n bytes of buf to out: 1, all went (go on); 0, stop
 * (a short write, or an error after some bytes went); < 0, the error */
static long sendfile_out(struct file *out, const char *buf, uint64_t n, uint64_t *done, uint64_t *off)
{
	long w = file_write_kernel(out, buf, n);
	if (w < 0)
		return *done ? 0 : w == -EWOULDBLOCK_WAIT ? -EAGAIN : w;
	*done += (uint64_t)w;
	*off += (uint64_t)w;
	return (uint64_t)w == n;
}

/* sendfile(out, in, offset, count): through the server, no user buffer */
long sys_sendfile(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	struct file *out = fd_file(p, (int64_t)a->a0), *in = fd_file(p, (int64_t)a->a1);
	if (!out || !in)
		return -EBADF;
	if ((in->flags & O_ACCMODE) == O_WRONLY || (out->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if (in->vn->type != V_REG)
		return -EINVAL;
	uint64_t off = in->pos;
	if (a->a2 && copy_from_user(p, &off, a->a2, 8))
		return -EFAULT;
	uint64_t count = a->a3 > MAX_RW ? MAX_RW : a->a3, done = 0;
	static char buf[4096];
	while (in->vn->fops && in->ops->pread && done < count) { /* a file made as it is read (/proc) */
		struct linux_iovec v = {(uint64_t)buf, count - done < sizeof buf ? count - done : sizeof buf};
		struct uio u = {.proc = NULL, .iov = &v, .iovcnt = 1};
		long n = in->ops->pread(in, &u, off);
		if (n <= 0) {
			if (n < 0 && !done)
				return n;
			break;
		}
		long r = sendfile_out(out, buf, (uint64_t)n, &done, &off);
		if (r <= 0) {
			if (r < 0)
				return r;
			break;
		}
	}
	while (done < count && off < in->vn->size) {
		uint64_t n = count - done < sizeof buf ? count - done : sizeof buf;
		if (n > in->vn->size - off)
			n = in->vn->size - off;
		/* in's data to buf, then buf to out through a kernel-side uio */
		for (uint64_t i = 0; i < n;) {
			uint64_t c = 4096 - ((off + i) & 0xfff) < n - i ? 4096 - ((off + i) & 0xfff) : n - i;
			const char *pg = vnode_page(in->vn, (off + i) / 4096, false);
			if (pg)
				memcpy(buf + i, pg + ((off + i) & 0xfff), c);
			else
				memset(buf + i, 0, c);
			i += c;
		}
		long r = sendfile_out(out, buf, n, &done, &off);
		if (r <= 0) {
			if (r < 0)
				return r;
			break;
		}
	}
	if (a->a2) {
		if (copy_to_user(p, a->a2, &off, 8))
			return -EFAULT;
	} else {
		in->pos = off;
	}
	return (long)done;
}

/* ---- metadata --------------------------------------------------------------------- */

long sys_fstat(struct lthread *t, const struct sysargs *a)
{
	struct file *f = fd_file_raw(t->proc, (int64_t)a->a0);
	if (!f)
		return -EBADF;
	struct stat st;
	vnode_stat(f->vn, &st);
	return copy_to_user(t->proc, a->a1, &st, sizeof st);
}

static long do_stat(struct proc *p, int64_t dirfd, uint64_t upath, uint64_t ubuf, uint64_t flags)
{
	char path[PATH_MAX_LINUX];
	if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	int err = user_path(p, upath, path);
	if (err)
		return err;
	struct vnode *vn = at_lookup_flags(p, dirfd, path, flags, &err);
	if (!vn)
		return err;
	struct stat st;
	vnode_stat(vn, &st);
	vnode_put(vn);
	return copy_to_user(p, ubuf, &st, sizeof st);
}

long sys_stat(struct lthread *t, const struct sysargs *a)
{
	return do_stat(t->proc, AT_FDCWD_LINUX, a->a0, a->a1, 0);
}
long sys_lstat(struct lthread *t, const struct sysargs *a)
{
	return do_stat(t->proc, AT_FDCWD_LINUX, a->a0, a->a1, AT_SYMLINK_NOFOLLOW);
}
long sys_newfstatat(struct lthread *t, const struct sysargs *a)
{
	return do_stat(t->proc, (int64_t)a->a0, a->a1, a->a2, a->a3);
}

/* access and faccessat: the check is made, path walk included, with the
 * real ids (perm_access_cred) unless AT_EACCESS asks for the effective
 * (file-system) ones */
static long do_access(struct proc *p, int64_t dirfd, uint64_t upath, uint64_t mode, uint64_t flags)
{
	char path[PATH_MAX_LINUX];
	if (mode & ~7ull)
		return -EINVAL;
	if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EACCESS | AT_EMPTY_PATH))
		return -EINVAL;
	int err = user_path(p, upath, path);
	if (err)
		return err;
	struct cred real, saved = p->cred;
	if (!(flags & AT_EACCESS)) {
		perm_access_cred(&real, &p->cred);
		p->cred = real; /* (for the walk; put back below) */
	}
	struct vnode *vn = at_lookup_flags(p, dirfd, path, flags, &err);
	if (vn) {
		err = mode ? vnode_permission(&p->cred, vn, (int)mode) : 0; /* (F_OK: it exists) */
		vnode_put(vn);
	}
	p->cred = saved;
	return err;
}

long sys_access(struct lthread *t, const struct sysargs *a)
{
	return do_access(t->proc, AT_FDCWD_LINUX, a->a0, a->a1, 0);
}
long sys_faccessat(struct lthread *t, const struct sysargs *a)
{
	return do_access(t->proc, (int64_t)a->a0, a->a1, a->a2, 0);
}
long sys_faccessat2(struct lthread *t, const struct sysargs *a)
{
	return do_access(t->proc, (int64_t)a->a0, a->a1, a->a2, a->a3);
}

static long do_readlink(struct proc *p, int64_t dirfd, uint64_t upath, uint64_t ubuf, uint64_t size)
{
	char path[PATH_MAX_LINUX];
	if ((int)size <= 0) /* an int on Linux */
		return -EINVAL;
	size = (uint64_t)(int)size;
	int err = user_path(p, upath, path);
	if (err)
		return err;
	struct vnode *vn = at_lookup(p, dirfd, path, true, &err);
	if (!vn)
		return err;
	long r = vn->type == V_LNK ? -ENOENT : -EINVAL; /* (a proc link to nothing: ENOENT) */
	if (vn->type == V_LNK && vn->dev == PROCFS_DEV && procfs_may_follow(vn))
		r = -EACCES;
	else if (vn->type == V_LNK && vn->link) {
		uint64_t n = strlen(vn->link);
		vnode_access(vn);
		if (n > size)
			n = size;
		r = copy_to_user(p, ubuf, vn->link, n);
		if (!r)
			r = (long)n;
	}
	vnode_put(vn);
	return r;
}

long sys_readlink(struct lthread *t, const struct sysargs *a)
{
	return do_readlink(t->proc, AT_FDCWD_LINUX, a->a0, a->a1, a->a2);
}
long sys_readlinkat(struct lthread *t, const struct sysargs *a)
{
	return do_readlink(t->proc, (int64_t)a->a0, a->a1, a->a2, a->a3);
}

/* ioctl: the requests Linux's VFS answers for every file first, then the
 * driver's (ENOTTY without one) */
long sys_ioctl(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	struct file *f = fd_file(p, (int64_t)a->a0);
	uint32_t req = (uint32_t)a->a1;
	int on;
	if (!f)
		return -EBADF;
	switch (req) {
	case FIOCLEX:
	case FIONCLEX:
		p->cloexec[(int)a->a0] = req == FIOCLEX;
		return 0;
	case FIONBIO:
		if (copy_from_user(p, &on, a->a2, sizeof on))
			return -EFAULT;
		f->flags = on ? f->flags | O_NONBLOCK : f->flags & ~(uint32_t)O_NONBLOCK;
		return 0;
	case FIONREAD:
		if (f->vn->type != V_REG)
			break;
		on = (int)(f->vn->size - f->pos);
		return copy_to_user(p, a->a2, &on, sizeof on);
	}
	if (!f->ops || !f->ops->ioctl)
		return -ENOTTY;
	return f->ops->ioctl(f, req, a->a2);
}

long sys_umask(struct lthread *t, const struct sysargs *a)
{
	uint32_t old = t->proc->umask;
	t->proc->umask = a->a0 & 0777;
	return old;
}

/* ---- directories ------------------------------------------------------------------- */

/* one getdents64 record of name into the user buffer at ubuf + *done (if
 * it fits in size): 1 (written), 0 (no room), -EFAULT */
static int put_dirent(struct proc *p, uint64_t ubuf, uint64_t size, uint64_t *done, const char *name, uint64_t ino,
		      enum vtype type, int64_t next)
{
	static char buf[4096];
	static const uint8_t types[] = {[V_REG] = DT_REG, [V_DIR] = DT_DIR, [V_CHR] = DT_CHR, [V_LNK] = DT_LNK,
					[V_FIFO] = 1,     [V_BLK] = 6,      [V_SOCK] = 12};
	size_t nl = strlen(name), reclen = (19 + nl + 1 + 7) & ~7ul;
	if (*done + reclen > size)
		return 0;
	struct linux_dirent64 *e = (struct linux_dirent64 *)buf;
	memset(buf, 0, reclen);
	e->d_ino = ino;
	e->d_off = next;
	e->d_reclen = (uint16_t)reclen;
	e->d_type = types[type];
	memcpy(e->d_name, name, nl + 1);
	if (copy_to_user(p, ubuf + *done, buf, reclen))
		return -EFAULT;
	*done += reclen;
	return 1;
}

/* a /proc directory: positions are the file system's (an entry's, or the
 * next one's when it has gone meanwhile) */
static long proc_getdents(struct proc *p, struct file *f, uint64_t ubuf, uint64_t size)
{
	uint64_t done = 0, pos = f->pos, ino;
	char name[32];
	enum vtype type;
	for (;; pos++) {
		struct vnode *dir = f->vn;
		if (pos == 0) {
			memcpy(name, ".", 2);
			ino = dir->ino;
			type = V_DIR;
		} else if (pos == 1) {
			memcpy(name, "..", 3);
			ino = dir->parent ? dir->parent->ino : dir->ino;
			type = V_DIR;
		} else if (!dir->dops->next(dir, &pos, name, sizeof name, &ino, &type)) {
			break;
		}
		int r = put_dirent(p, ubuf, size, &done, name, ino, type, (int64_t)pos + 1);
		if (r < 0)
			return r;
		if (!r) {
			if (!done)
				return -EINVAL;
			break;
		}
		f->pos = pos + 1;
	}
	return (long)done;
}

long sys_getdents64(struct lthread *t, const struct sysargs *a)
{
	struct file *f = fd_file(t->proc, (int64_t)a->a0);
	if (!f)
		return -EBADF;
	if (f->vn->type != V_DIR)
		return -ENOTDIR;
	static char buf[4096];
	uint64_t size = a->a2, done = 0, pos = f->pos, place = 0;
	if (f->vn->dops)
		return proc_getdents(t->proc, f, a->a1, size);
	struct dentry *d = f->vn->entries;
	if (pos > 2 && pos == f->dir_pos) { /* on after the last one listed */
		place = f->dir_place;
		while (d && d->place <= place)
			d = d->next;
	} else { /* a new listing or an lseek: the entry at pos */
		for (uint64_t i = 2; i < pos && d; i++)
			d = d->next;
	}
	for (;;) {
		const char *name;
		struct vnode *vn;
		if (pos == 0) {
			name = ".";
			vn = f->vn;
		} else if (pos == 1) {
			name = "..";
			vn = f->vn->parent ? f->vn->parent : f->vn;
		} else {
			if (!d)
				break;
			name = d->name;
			vn = d->vn;
		}
		size_t nl = strlen(name), reclen = (19 + nl + 1 + 7) & ~7ul;
		if (done + reclen > size) {
			if (!done)
				return -EINVAL; /* the buffer is too small */
			break;
		}
		struct linux_dirent64 *e = (struct linux_dirent64 *)buf;
		memset(buf, 0, reclen);
		e->d_ino = vn->ino;
		e->d_off = (int64_t)pos + 1;
		e->d_reclen = (uint16_t)reclen;
		static const uint8_t types[] = {[V_REG] = DT_REG, [V_DIR] = DT_DIR, [V_CHR] = DT_CHR, [V_LNK] = DT_LNK,
						[V_FIFO] = 1,     [V_BLK] = 6,      [V_SOCK] = 12};
		e->d_type = types[vn->type];
		memcpy(e->d_name, name, nl + 1);
		if (copy_to_user(t->proc, a->a1 + done, buf, reclen))
			return -EFAULT;
		done += reclen;
		if (pos >= 2) {
			place = d->place;
			d = d->next;
		}
		f->pos = f->dir_pos = ++pos;
		f->dir_place = place;
	}
	vnode_access(f->vn); /* reading a directory accesses it */
	return (long)done;
}

long sys_getcwd(struct lthread *t, const struct sysargs *a)
{
	char path[PATH_MAX_LINUX];
	int n = vfs_path(t->proc->cwd, path, sizeof path);
	if (n < 0)
		return n;
	if ((uint64_t)n > a->a1)
		return -ERANGE;
	if (copy_to_user(t->proc, a->a0, path, (size_t)n))
		return -EFAULT;
	return n;
}

/* chdir and fchdir: a directory (ENOTDIR) that p may search (EACCES) */
static long set_cwd(struct proc *p, struct vnode *vn)
{
	int err = vn->type != V_DIR ? -ENOTDIR : vnode_permission(&p->cred, vn, MAY_EXEC);
	if (err) {
		vnode_put(vn);
		return err;
	}
	vnode_put(p->cwd);
	p->cwd = vn;
	return 0;
}

long sys_chdir(struct lthread *t, const struct sysargs *a)
{
	char path[PATH_MAX_LINUX];
	int err = user_path(t->proc, a->a0, path);
	if (err)
		return err;
	struct vnode *vn = vfs_lookup(&t->proc->cred, t->proc->cwd, path, false, &err);
	return vn ? set_cwd(t->proc, vn) : err;
}

long sys_fchdir(struct lthread *t, const struct sysargs *a)
{
	struct file *f = fd_file_raw(t->proc, (int64_t)a->a0);
	if (!f)
		return -EBADF;
	vnode_get(f->vn);
	return set_cwd(t->proc, f->vn);
}

struct vnode *at_parent(struct proc *p, int64_t dirfd, uint64_t upath, char *name, bool *slash, int *err)
{
	char path[PATH_MAX_LINUX];
	if ((*err = user_path(p, upath, path)))
		return NULL;
	size_t len = strlen(path);
	if (slash)
		*slash = len > 1 && path[len - 1] == '/';
	struct vnode *dir = at_dir(p, dirfd, path, err);
	if (!dir)
		return NULL;
	struct vnode *parent = vfs_lookup_parent(&p->cred, dir, path, name, 256, err);
	vnode_put(dir);
	return parent;
}

long sys_ftruncate(struct lthread *t, const struct sysargs *a)
{
	struct file *f = fd_file(t->proc, (int64_t)a->a0);
	if (!f)
		return -EBADF;
	if ((int64_t)a->a1 < 0 || f->vn->type != V_REG || (f->flags & O_ACCMODE) == O_RDONLY)
		return -EINVAL;
	return f->vn->fops ? 0 : truncate_by(&t->proc->cred, f->vn, a->a1); /* (a proc file: as truncate) */
}

long sys_truncate(struct lthread *t, const struct sysargs *a)
{
	char path[PATH_MAX_LINUX];
	int err = user_path(t->proc, a->a0, path);
	if (err)
		return err;
	if ((int64_t)a->a1 < 0)
		return -EINVAL;
	struct vnode *vn = vfs_lookup(&t->proc->cred, t->proc->cwd, path, false, &err);
	if (!vn)
		return err;
	if (vn->type == V_DIR)
		err = -EISDIR;
	else if (vn->type != V_REG && vn->dev != PROCFS_DEV)
		err = -EINVAL;
	else if ((err = vnode_permission(&t->proc->cred, vn, MAY_WRITE)))
		;
	else if (vn->type == V_REG && (err = (int)lease_break(t, vn, O_WRONLY)))
		; /* (may wait: SYS_WAIT) */
	else if (vn->dev == PROCFS_DEV) /* accepted and ignored, as by Linux's proc_setattr: the size stays 0 */
		err = 0;
	else
		err = truncate_by(&t->proc->cred, vn, a->a1);
	vnode_put(vn);
	return err;
}

long sys_fsync(struct lthread *t, const struct sysargs *a)
{
	return fd_file(t->proc, (int64_t)a->a0) ? 0 : -EBADF;
}

/* statfs and fstatfs: the root file system is RAM, as Linux's rootfs (a
 * tmpfs, mounted without relatime): its blocks are the server's pages, it
 * has no inode limit (0, as a tmpfs with nr_inodes=0); /proc has no blocks
 * (mounted with the default relatime) */
#include <asm/statfs.h>
#define TMPFS_MAGIC 0x01021994
#define PROC_SUPER_MAGIC 0x9fa0
#define ST_VALID 0x0020
#define ST_RELATIME 0x1000
#define ST_NOATIME       0x400

static long put_statfs(struct proc *p, struct vnode *vn, uint64_t ubuf)
{
	struct statfs s;
	memset(&s, 0, sizeof s);
	s.f_bsize = s.f_frsize = 4096;
	s.f_namelen = 255;
	s.f_flags = ST_VALID;
	if (vn->dev == PROCFS_DEV) {
		s.f_type = PROC_SUPER_MAGIC;
		s.f_flags |= ST_RELATIME;
	} else {
		s.f_type = TMPFS_MAGIC;
		uint64_t blocks, free, files, ffree;
		if (mount_statfs(vn, &blocks, &free, &files, &ffree)) { /* a mounted tmpfs: its size */
			s.f_blocks = blocks;
			s.f_bfree = s.f_bavail = free;
			s.f_files = files;
			s.f_ffree = ffree;
			s.f_flags = ST_VALID |
				    (mount_flags(vn) & (MS_RDONLY_L | MS_NOSUID_L | MS_NODEV_L | MS_NOEXEC_L)) |
				    ((mount_flags(vn) & MS_RELATIME_L) ? ST_RELATIME : 0) |
				    ((mount_flags(vn) & MS_NOATIME_L) ? ST_NOATIME : 0);
		} else {
			s.f_blocks = pages_total();
			s.f_bfree = s.f_bavail = pages_free();
		}
	}
	return copy_to_user(p, ubuf, &s, sizeof s);
}

long sys_statfs(struct lthread *t, const struct sysargs *a)
{
	char path[PATH_MAX_LINUX];
	int err = user_path(t->proc, a->a0, path);
	if (err)
		return err;
	struct vnode *vn = vfs_lookup(&t->proc->cred, t->proc->cwd, path, false, &err);
	if (!vn)
		return err;
	long r = put_statfs(t->proc, vn, a->a1);
	vnode_put(vn);
	return r;
}

long sys_fstatfs(struct lthread *t, const struct sysargs *a)
{
	struct file *f = fd_file_raw(t->proc, (int64_t)a->a0);
	return f ? put_statfs(t->proc, f->vn, a->a1) : -EBADF;
}
