/*
 * File attributes: the mode (chmod), the owner (chown) and the times
 * (utimensat and its older forms), as Linux's fs/open.c and fs/utimes.c
 * change them through notify_change: every change sets the ctime.
 *
 * Permissions (perm.h): the mode only by the owner or with CAP_FOWNER
 * (a set-group-ID bit only for a member of the group or with
 * CAP_FSETID); the owner only with CAP_CHOWN, the group by the owner to
 * one of its groups; explicit times by the owner or with CAP_FOWNER,
 * "now" also with write permission.
 */
#include "sys.h"

#define S_IFMT  0170000
#define S_ISUID 04000
#define S_ISGID 02000

/* a proc file refuses a new mode (Linux's proc_setattr), a sysctl file
 * a new owner too (proc_sys_setattr); the other proc files take owners
 * and times */
static bool proc_refuses(const struct vnode *vn, bool owner)
{
	return vn->dev == PROCFS_DEV && (!owner || procfs_is_sysctl(vn));
}

/* ---- modes ------------------------------------------------------------------------- */

static long set_mode(const struct cred *c, struct vnode *vn, uint64_t mode)
{
	if (mount_flags(vn) & MS_RDONLY_L)
		return -EROFS;
	if (proc_refuses(vn, false))
		return -EPERM;
	uint32_t bits = (uint32_t)mode & 07777;
	struct owner o = vnode_owner(vn);
	if (perm_chmod(c, &o, &bits))
		return -EPERM;
	vn->mode = (vn->mode & S_IFMT) | bits;
	vnode_touch(vn, VN_CTIME);
	return 0;
}

static long do_chmod(struct proc *p, int64_t dirfd, uint64_t upath, uint64_t mode)
{
	char path[PATH_MAX_LINUX];
	int err = user_path(p, upath, path);
	if (err)
		return err;
	struct vnode *vn = at_lookup(p, dirfd, path, false, &err);
	if (!vn)
		return err;
	long r = set_mode(&p->cred, vn, mode);
	vnode_put(vn);
	return r;
}

long sys_chmod(struct lthread *t, const struct sysargs *a)
{
	return do_chmod(t->proc, AT_FDCWD_LINUX, a->a0, a->a1);
}
long sys_fchmodat(struct lthread *t, const struct sysargs *a)
{
	return do_chmod(t->proc, (int64_t)a->a0, a->a1, a->a2);
}
long sys_fchmod(struct lthread *t, const struct sysargs *a)
{
	struct file *f = fd_file(t->proc, (int64_t)a->a0);
	return f ? set_mode(&t->proc->cred, f->vn, a->a1) : -EBADF;
}

/* ---- owners ------------------------------------------------------------------------ */

/* chown_common: -1 leaves an id alone; a file that is not a directory
 * loses its set-user-ID bit, and its set-group-ID bit when that means
 * set-group-ID (group execute is on), whoever changes it (and a change of
 * mode is the owner's: a set-id file is not even touched by another) */
static long set_owner(const struct cred *c, struct vnode *vn, uint32_t uid, uint32_t gid)
{
	if (mount_flags(vn) & MS_RDONLY_L)
		return -EROFS;
	if (proc_refuses(vn, true))
		return -EPERM;
	uint32_t kill = 0;
	if ((vn->mode & S_IFMT) != 0040000) {
		kill = vn->mode & S_ISUID;
		if ((vn->mode & (S_ISGID | 0010)) == (S_ISGID | 0010))
			kill |= S_ISGID;
	}
	struct owner o = vnode_owner(vn);
	if (perm_chown(c, &o, uid, gid) || (kill && !perm_owner(c, &o)))
		return -EPERM;
	if (uid != (uint32_t)-1)
		vn->uid = uid;
	if (gid != (uint32_t)-1)
		vn->gid = gid;
	vn->mode &= ~kill;
	vnode_touch(vn, VN_CTIME);
	return 0;
}

static long do_chown(struct proc *p, int64_t dirfd, uint64_t upath, uint64_t uid, uint64_t gid, uint64_t flags)
{
	char path[PATH_MAX_LINUX];
	if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	int err = user_path(p, upath, path);
	if (err)
		return err;
	struct vnode *vn = at_lookup_flags(p, dirfd, path, flags, &err);
	if (!vn)
		return err;
	long r = set_owner(&p->cred, vn, (uint32_t)uid, (uint32_t)gid);
	vnode_put(vn);
	return r;
}

long sys_chown(struct lthread *t, const struct sysargs *a)
{
	return do_chown(t->proc, AT_FDCWD_LINUX, a->a0, a->a1, a->a2, 0);
}
long sys_lchown(struct lthread *t, const struct sysargs *a)
{
	return do_chown(t->proc, AT_FDCWD_LINUX, a->a0, a->a1, a->a2, AT_SYMLINK_NOFOLLOW);
}
long sys_fchownat(struct lthread *t, const struct sysargs *a)
{
	return do_chown(t->proc, (int64_t)a->a0, a->a1, a->a2, a->a3, a->a4);
}
long sys_fchown(struct lthread *t, const struct sysargs *a)
{
	struct file *f = fd_file(t->proc, (int64_t)a->a0);
	return f ? set_owner(&t->proc->cred, f->vn, (uint32_t)a->a1, (uint32_t)a->a2) : -EBADF;
}

/* ---- times ------------------------------------------------------------------------- */

static bool nsec_valid(int64_t nsec)
{
	return nsec == UTIME_NOW || nsec == UTIME_OMIT || (nsec >= 0 && nsec <= 999999999);
}

/* Linux's do_utimes: upath 0 with a descriptor (not AT_FDCWD) is that
 * file (futimens: no flags); otherwise the path from dirfd.  ts NULL: both
 * times now.  The nanoseconds are checked after the lookup, as Linux's
 * vfs_utimes does. */
static long do_utimes(struct proc *p, int64_t dirfd, uint64_t upath, const struct __kernel_timespec *ts, uint64_t flags)
{
	struct vnode *vn;
	int err;
	if (!upath && (int)dirfd != AT_FDCWD_LINUX) {
		if (flags)
			return -EINVAL;
		struct file *f = fd_file(p, dirfd);
		if (!f)
			return -EBADF;
		vn = f->vn;
		vnode_get(vn);
	} else {
		char path[PATH_MAX_LINUX];
		if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
			return -EINVAL;
		if ((err = user_path(p, upath, path)))
			return err;
		if (!(vn = at_lookup_flags(p, dirfd, path, flags, &err)))
			return err;
	}
	err = 0;
	struct owner o = vnode_owner(vn);
	if (ts && (!nsec_valid(ts[0].tv_nsec) || !nsec_valid(ts[1].tv_nsec)))
		err = -EINVAL;
	else if (ts && ts[0].tv_nsec == UTIME_NOW && ts[1].tv_nsec == UTIME_NOW)
		ts = NULL; /* both now: as no times */
	if (!err && (mount_flags(vn) & MS_RDONLY_L))
		err = -EROFS;
	if (err || perm_owner(&p->cred, &o))
		;
	else if (ts)
		err = -EPERM; /* times of one's choosing: the owner's */
	else if (vnode_permission(&p->cred, vn, MAY_WRITE))
		err = -EACCES;
	if (!err)
		vnode_utimes(vn, ts);
	vnode_put(vn);
	return err;
}

long sys_utimensat(struct lthread *t, const struct sysargs *a)
{
	struct __kernel_timespec ts[2];
	if (a->a2) {
		if (copy_from_user(t->proc, ts, a->a2, sizeof ts))
			return -EFAULT;
		if (ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT)
			return 0; /* nothing to do: not even the path is looked at */
	}
	return do_utimes(t->proc, (int64_t)a->a0, a->a1, a->a2 ? ts : NULL, a->a3);
}

/* futimesat and utimes: microseconds, checked before anything else (so
 * that no UTIME_NOW or UTIME_OMIT can come through them) */
static long do_futimesat(struct proc *p, int64_t dirfd, uint64_t upath, uint64_t utv)
{
	struct linux_timeval tv[2];
	struct __kernel_timespec ts[2];
	if (utv) {
		if (copy_from_user(p, tv, utv, sizeof tv))
			return -EFAULT;
		for (int i = 0; i < 2; i++) {
			if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
				return -EINVAL;
			ts[i].tv_sec = tv[i].tv_sec;
			ts[i].tv_nsec = tv[i].tv_usec * 1000;
		}
	}
	return do_utimes(p, dirfd, upath, utv ? ts : NULL, 0);
}

long sys_futimesat(struct lthread *t, const struct sysargs *a)
{
	return do_futimesat(t->proc, (int64_t)a->a0, a->a1, a->a2);
}
long sys_utimes(struct lthread *t, const struct sysargs *a)
{
	return do_futimesat(t->proc, AT_FDCWD_LINUX, a->a0, a->a1);
}

long sys_utime(struct lthread *t, const struct sysargs *a)
{
	struct linux_utimbuf b;
	struct __kernel_timespec ts[2];
	if (a->a1) {
		if (copy_from_user(t->proc, &b, a->a1, sizeof b))
			return -EFAULT;
		ts[0] = (struct __kernel_timespec){b.actime, 0};
		ts[1] = (struct __kernel_timespec){b.modtime, 0};
	}
	return do_utimes(t->proc, AT_FDCWD_LINUX, a->a0, a->a1 ? ts : NULL, 0);
}
