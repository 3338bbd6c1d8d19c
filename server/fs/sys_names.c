/*
 * The names of files: link and linkat (another name of a file that
 * exists), mknod and mknodat (a new regular file, named pipe, device or
 * socket node), mkdir, symlink, unlink and rmdir, rename, with Linux's
 * order of checks (fs/namei.c: the old name, then the new one's
 * directory, then the permissions (perm.h: write and search on the
 * directory; its sticky bit for a removal), then what the file system
 * allows).
 */
#include "sys.h"

#define S_IFMT   0170000
#define S_IFSOCK 0140000
#define S_IFLNK  0120000
#define S_IFREG  0100000
#define S_IFBLK  0060000
#define S_IFDIR  0040000
#define S_IFCHR  0020000
#define S_IFIFO  0010000

/* the directory and name a new node goes to (Linux's filename_create):
 * "." and ".." and an existing name are EEXIST, a new name in /proc (which
 * makes nothing) or one that ends in a slash (only a directory may) ENOENT;
 * referenced, or NULL with *err */
static struct vnode *new_name(struct proc *p, int64_t dirfd, uint64_t upath, char *name, int *err)
{
	bool slash;
	struct vnode *parent = at_parent(p, dirfd, upath, name, &slash, err);
	if (!parent)
		return NULL;
	*err = 0;
	if (!strcmp(name, ".") || !strcmp(name, "..") || vfs_dir_find(parent, name))
		*err = -EEXIST;
	else if (slash || parent->dops)
		*err = -ENOENT;
	if (*err) {
		vnode_put(parent);
		return NULL;
	}
	return parent;
}

static long do_link(struct proc *p, int64_t olddfd, uint64_t uold, int64_t newdfd, uint64_t unew, uint64_t flags)
{
	char path[PATH_MAX_LINUX], name[256];
	int err;
	if (flags & ~(uint64_t)(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if ((err = user_path(p, uold, path)))
		return err;
	if ((flags & AT_EMPTY_PATH) && !cred_capable(&p->cred, CAP_DAC_READ_SEARCH))
		return -ENOENT; /* (a name for an open file is not for everyone) */
	/* a link is not followed unless asked (AT_SYMLINK_FOLLOW) */
	uint64_t how = (flags & AT_EMPTY_PATH) | ((flags & AT_SYMLINK_FOLLOW) ? 0 : AT_SYMLINK_NOFOLLOW);
	struct vnode *vn = at_lookup_flags(p, olddfd, path, how, &err);
	if (!vn)
		return err;
	struct vnode *parent = new_name(p, newdfd, unew, name, &err);
	if (parent) {
		if (vn->dev != parent->dev)
			err = -EXDEV;
		else if ((err = vfs_may_create(&p->cred, parent)))
			;
		else if (vn->type == V_DIR)
			err = -EPERM;
		else if (!vn->nlink)
			err = -ENOENT; /* a file already removed gets no new name */
		else if (!mount_inode(parent->dev, 1)) /* (tmpfs: a name costs an inode) */
			err = -ENOSPC;
		else if (!(err = vfs_dir_add(parent, name, vn))) {
			vn->nlink++;
			vnode_touch(vn, VN_CTIME);
		} else {
			mount_inode(parent->dev, -1);
		}
		vnode_put(parent);
	}
	vnode_put(vn);
	return err;
}

long sys_link(struct lthread *t, const struct sysargs *a)
{
	return do_link(t->proc, AT_FDCWD_LINUX, a->a0, AT_FDCWD_LINUX, a->a1, 0);
}
long sys_linkat(struct lthread *t, const struct sysargs *a)
{
	return do_link(t->proc, (int64_t)a->a0, a->a1, (int64_t)a->a2, a->a3, a->a4);
}

/* the kernel's new_decode_dev and new_encode_dev: a 32-bit device number
 * (12 bits of major, 20 of minor) into the form stat shows */
static uint32_t dev_number(uint32_t dev, unsigned *major, unsigned *minor)
{
	*major = (dev & 0xfff00) >> 8;
	*minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
	return (*minor & 0xff) | (*major << 8) | ((*minor & ~0xffu) << 12);
}

/* mknod: a regular file (type 0 too), a named pipe, a character or
 * block device, a socket's node; no directory (EPERM: mkdir makes them),
 * no other type (EINVAL) */
static long do_mknod(struct proc *p, int64_t dirfd, uint64_t upath, uint64_t umode, uint64_t udev)
{
	static const enum vtype types[16] = {[0] = V_REG,
					     [S_IFREG >> 12] = V_REG,
					     [S_IFIFO >> 12] = V_FIFO,
					     [S_IFCHR >> 12] = V_CHR,
					     [S_IFBLK >> 12] = V_BLK,
					     [S_IFSOCK >> 12] = V_SOCK};
	char name[256];
	uint32_t mode = (uint16_t)umode; /* (a umode_t) */
	int err;
	if ((mode & S_IFMT) == S_IFDIR)
		return -EPERM;
	enum vtype type = types[(mode & S_IFMT) >> 12];
	if (!type)
		return -EINVAL;
	struct vnode *parent = new_name(p, dirfd, upath, name, &err);
	if (!parent)
		return err;
	if ((err = vfs_may_create(&p->cred, parent)) ||
	    ((err = (type == V_CHR || type == V_BLK) && !cred_capable(&p->cred, CAP_MKNOD) ? -EPERM : 0)) ||
	    (err = vfs_inode_room(parent))) {
		vnode_put(parent);
		return err;
	}
	struct vnode *vn = vnode_create(&p->cred, parent, type, mode & ~p->umask & 07777);
	if (vn && (type == V_CHR || type == V_BLK)) {
		unsigned major, minor;
		vn->rdev = dev_number((uint32_t)udev, &major, &minor);
		vn->fops = type == V_CHR ? dev_ops(major, minor) : NULL; /* (a driver if the server has one) */
	}
	if (vn && type == V_FIFO)
		fifo_init(vn);
	err = vn ? vfs_dir_add(parent, name, vn) : -ENOMEM;
	if (err && vn) { /* (in no directory: it goes) */
		vn->nlink = 0;
		vnode_get(vn);
		vnode_put(vn);
	}
	vnode_put(parent);
	return err;
}

long sys_mknod(struct lthread *t, const struct sysargs *a)
{
	return do_mknod(t->proc, AT_FDCWD_LINUX, a->a0, a->a1, a->a2);
}
long sys_mknodat(struct lthread *t, const struct sysargs *a)
{
	return do_mknod(t->proc, (int64_t)a->a0, a->a1, a->a2, a->a3);
}

static long do_mkdir(struct proc *p, int64_t dirfd, uint64_t upath, uint64_t mode)
{
	char name[256];
	int err;
	struct vnode *parent = at_parent(p, dirfd, upath, name, NULL, &err);
	if (!parent)
		return err;
	if (vfs_dir_find(parent, name) || !strcmp(name, ".") || !strcmp(name, "..")) {
		vnode_put(parent);
		return -EEXIST;
	}
	if ((err = parent->dops ? -ENOENT : vfs_may_create(&p->cred, parent)) || (err = vfs_inode_room(parent))) {
		vnode_put(parent); /* (/proc's lookup fails first) */
		return err;
	}
	struct vnode *vn = vnode_create(&p->cred, parent, V_DIR, mode & ~p->umask & 07777);
	err = vn ? vfs_dir_add(parent, name, vn) : -ENOMEM;
	vnode_put(parent);
	return err;
}

long sys_mkdir(struct lthread *t, const struct sysargs *a)
{
	return do_mkdir(t->proc, AT_FDCWD_LINUX, a->a0, a->a1);
}
long sys_mkdirat(struct lthread *t, const struct sysargs *a)
{
	return do_mkdir(t->proc, (int64_t)a->a0, a->a1, a->a2);
}

static long do_unlink(struct proc *p, int64_t dirfd, uint64_t upath, uint64_t flags)
{
	char name[256];
	int err;
	bool slash;
	if (flags & ~(uint64_t)AT_REMOVEDIR)
		return -EINVAL;
	struct vnode *parent = at_parent(p, dirfd, upath, name, &slash, &err);
	if (!parent)
		return err == -EEXIST ? -EBUSY : err;
	struct vnode *vn = vfs_dir_find(parent, name);
	bool rmdir = flags & AT_REMOVEDIR;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		err = rmdir ? (!strcmp(name, ".") ? -EINVAL : -ENOTEMPTY) : -EISDIR;
	else if (!vn)
		err = -ENOENT;
	else if (slash && !rmdir) /* "name/": only a directory, which unlink refuses */
		err = vn->type != V_DIR ? -ENOTDIR : -EISDIR;
	else if ((err = vfs_may_delete(&p->cred, parent, vn)))
		;
	else if (rmdir && vn->type != V_DIR)
		err = -ENOTDIR;
	else if (!rmdir && vn->type == V_DIR)
		err = -EISDIR;
	else if (parent->dops)
		err = -EPERM; /* nothing is removed from /proc */
	else if (vn->mounted)
		err = -EBUSY; /* something is mounted on it */
	else if (rmdir && vn->entries)
		err = -ENOTEMPTY;
	if (!err) {
		if (vn->type != V_DIR && vn->nlink > 1)
			mount_inode(parent->dev, -1); /* an extra name's inode (shmem_unlink) */
		vfs_dir_remove(parent, name, vn);
	}
	vnode_put(parent);
	return err;
}

long sys_unlink(struct lthread *t, const struct sysargs *a)
{
	return do_unlink(t->proc, AT_FDCWD_LINUX, a->a0, 0);
}
long sys_rmdir(struct lthread *t, const struct sysargs *a)
{
	return do_unlink(t->proc, AT_FDCWD_LINUX, a->a0, AT_REMOVEDIR);
}
long sys_unlinkat(struct lthread *t, const struct sysargs *a)
{
	return do_unlink(t->proc, (int64_t)a->a0, a->a1, a->a2);
}

static long do_symlink(struct proc *p, uint64_t utarget, int64_t dirfd, uint64_t upath)
{
	char target[PATH_MAX_LINUX], name[256];
	int err = user_path(p, utarget, target);
	if (err)
		return err;
	if (!target[0])
		return -ENOENT;
	bool slash;
	struct vnode *parent = at_parent(p, dirfd, upath, name, &slash, &err);
	if (!parent)
		return err;
	if (vfs_dir_find(parent, name) || slash) /* "name/" asks for a directory */
		err = vfs_dir_find(parent, name) ? -EEXIST : -ENOENT;
	else
		err = parent->dops ? -ENOENT : vfs_may_create(&p->cred, parent);
	if (!err)
		err = vfs_inode_room(parent);
	if (err) {
		vnode_put(parent);
		return err;
	}
	struct vnode *vn = vnode_create(&p->cred, parent, V_LNK, 0777);
	if (vn && !(vn->link = kstrdup(target))) {
		mem_free(vn);
		vn = NULL;
	}
	err = vn ? vfs_dir_add(parent, name, vn) : -ENOMEM;
	vnode_put(parent);
	return err;
}

long sys_symlink(struct lthread *t, const struct sysargs *a)
{
	return do_symlink(t->proc, a->a0, AT_FDCWD_LINUX, a->a1);
}
long sys_symlinkat(struct lthread *t, const struct sysargs *a)
{
	return do_symlink(t->proc, a->a0, (int64_t)a->a1, a->a2);
}

/* d is vn or below it */
static bool in_subtree(const struct vnode *d, const struct vnode *vn)
{
	for (; d; d = d->parent)
		if (d == vn)
			return true;
	return false;
}

static long do_rename(struct proc *p, int64_t ofd, uint64_t opath, int64_t nfd, uint64_t npath)
{
	char oname[256], nname[256];
	int err;
	bool oslash, nslash;
	struct vnode *op = at_parent(p, ofd, opath, oname, &oslash, &err);
	if (!op)
		return err == -EEXIST ? -EBUSY : err; /* the root */
	struct vnode *np = at_parent(p, nfd, npath, nname, &nslash, &err);
	if (!np) {
		vnode_put(op);
		return err == -EEXIST ? -EBUSY : err;
	}
	struct vnode *vn = vfs_dir_find(op, oname), *old = vfs_dir_find(np, nname);
	if (op->dev != np->dev)
		err = -EXDEV;
	else if (!strcmp(oname, ".") || !strcmp(oname, "..") || !strcmp(nname, ".") || !strcmp(nname, ".."))
		err = -EBUSY;
	else if (!vn || (np->dops && !old)) /* (/proc's lookup of a name it has not: ENOENT) */
		err = -ENOENT;
	else if (vn->type != V_DIR && (oslash || nslash))
		err = -ENOTDIR;
	else if (in_subtree(np, vn))
		err = -EINVAL; /* into its own subtree */
	else if (old == vn)
		err = 0;
	else if ((err = vfs_may_delete(&p->cred, op, vn)) ||
		 (err = old ? vfs_may_delete(&p->cred, np, old) : vfs_may_create(&p->cred, np)))
		;
	else if (old && old->type == V_DIR && vn->type != V_DIR)
		err = -EISDIR;
	else if (old && vn->type == V_DIR && old->type != V_DIR)
		err = -ENOTDIR;
	else if (op->dops || np->dops)
		err = -EPERM;
	else if (vn->mounted || (old && old->mounted))
		err = -EBUSY;
	else if (np != op && vn->type == V_DIR && (err = vnode_permission(&p->cred, vn, MAY_WRITE)))
		; /* its ".." changes */
	else if (old && old->type == V_DIR && old->entries)
		err = -ENOTEMPTY;
	if (!err && old != vn) {
		if (old && old->type != V_DIR && old->nlink > 1)
			mount_inode(np->dev, -1); /* (as unlink's) */
		if (old)
			vfs_dir_remove(np, nname, old);
		vnode_get(vn);
		uint32_t links = vn->nlink; /* a directory's counts its subdirectories */
		vfs_dir_remove(op, oname, vn);
		vn->nlink = links;
		err = vfs_dir_add(np, nname, vn);
		vnode_put(vn);
	}
	vnode_put(op);
	vnode_put(np);
	return err;
}

long sys_rename(struct lthread *t, const struct sysargs *a)
{
	return do_rename(t->proc, AT_FDCWD_LINUX, a->a0, AT_FDCWD_LINUX, a->a1);
}
long sys_renameat(struct lthread *t, const struct sysargs *a)
{
	return do_rename(t->proc, (int64_t)a->a0, a->a1, (int64_t)a->a2, a->a3);
}
long sys_renameat2(struct lthread *t, const struct sysargs *a)
{
	if (a->a4)
		return -EINVAL;
	return do_rename(t->proc, (int64_t)a->a0, a->a1, (int64_t)a->a2, a->a3);
}
