/*
 * New names for files: link and linkat (another name of a file that
 * exists), mknod and mknodat (a new regular file, named pipe, device or
 * socket node),
 * with Linux's order of checks (fs/namei.c: the old name, then the new
 * one's directory, then what the file system allows).
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
	/* a link is not followed unless asked (AT_SYMLINK_FOLLOW) */
	uint64_t how = (flags & AT_EMPTY_PATH) | ((flags & AT_SYMLINK_FOLLOW) ? 0 : AT_SYMLINK_NOFOLLOW);
	struct vnode *vn = at_lookup_flags(p, olddfd, path, how, &err);
	if (!vn)
		return err;
	struct vnode *parent = new_name(p, newdfd, unew, name, &err);
	if (parent) {
		if (vn->dev != parent->dev)
			err = -EXDEV;
		else if (vn->type == V_DIR)
			err = -EPERM;
		else if (!vn->nlink)
			err = -ENOENT; /* a file already removed gets no new name */
		else if (!(err = vfs_dir_add(parent, name, vn))) {
			vn->nlink++;
			vnode_touch(vn, VN_CTIME);
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
	struct vnode *vn = vnode_new(type, mode & ~p->umask & 07777);
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
