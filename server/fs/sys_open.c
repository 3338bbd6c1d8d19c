/*
 * open, openat and creat (Linux's checks in their order: the flags, the
 * name, the kind of file, permission, a lease to break, truncation), and
 * truncate and ftruncate.
 */
#include "sys.h"

#define S_IFMT 0170000
#define S_IFDIR 0040000
#define S_ISDIR(m) (((m)&S_IFMT) == S_IFDIR)

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
