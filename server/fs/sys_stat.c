/*
 * What a file is: stat and its relatives, access, readlink, ioctl, umask,
 * fsync, statfs and fstatfs.
 */
#include "sys.h"

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
