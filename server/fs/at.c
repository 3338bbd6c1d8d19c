/*
 * Paths from user memory and where a *at call starts from: the directory
 * of a descriptor or the working directory, the file a path names, its
 * parent and last name.
 */
#include "sys.h"

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
