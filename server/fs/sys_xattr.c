/*
 * Extended attributes, read side: getxattr and listxattr with their l- and
 * f- forms.  lx4's file systems keep no extended attributes, so every file
 * has none: a name tmpfs would store (security.*, trusted.*, the POSIX
 * ACLs) is ENODATA, the others EOPNOTSUPP as on Linux 6.1's tmpfs (and
 * everything on proc, which has no handlers); the lists are empty.  The
 * checks come in Linux's order (the path, the name, xattr_permission).
 * Setting and removing stay ENOSYS: nothing could keep them.
 */
#include "sys.h"

#define XATTR_NAME_MAX_L 255

static bool prefixed(const char *name, const char *prefix)
{
	return !strncmp(name, prefix, strlen(prefix));
}

/* Linux's xattr_permission for reading, then the answer of a file system
 * that has no attribute of that name */
static long xattr_absent(struct proc *p, struct vnode *vn, const char *name)
{
	if (prefixed(name, "trusted.") && !cred_capable(&p->cred, CAP_SYS_ADMIN))
		return -ENODATA;
	if (prefixed(name, "user.") && vn->type != V_REG && vn->type != V_DIR)
		return -ENODATA;
	if (!prefixed(name, "security.") && !prefixed(name, "system.") && !prefixed(name, "trusted.")) {
		int err = vnode_permission(&p->cred, vn, MAY_READ);
		if (err)
			return err;
	}
	if (vn->dev == PROCFS_DEV)
		return -EOPNOTSUPP;
	bool stored = prefixed(name, "security.") || prefixed(name, "trusted.") ||
		      !strcmp(name, "system.posix_acl_access") || !strcmp(name, "system.posix_acl_default");
	return stored ? -ENODATA : -EOPNOTSUPP;
}

/* the attribute name from user memory: ERANGE if empty or too long */
static long xattr_name(struct proc *p, uint64_t uname, char name[XATTR_NAME_MAX_L + 1])
{
	long n = strncpy_from_user(p, name, uname, XATTR_NAME_MAX_L + 1);
	if (n == -ENAMETOOLONG || n == 0)
		return -ERANGE;
	return n < 0 ? n : 0;
}

/* the file of a path (following its last link unless nofollow) or NULL
 * with *err */
static struct vnode *xattr_path(struct proc *p, uint64_t upath, bool nofollow, long *err)
{
	char path[PATH_MAX_LINUX];
	int e = user_path(p, upath, path);
	struct vnode *vn = e ? NULL : at_lookup(p, AT_FDCWD_LINUX, path, nofollow, &e);
	*err = e;
	return vn;
}

static long getxattr_on(struct proc *p, struct vnode *vn, uint64_t uname)
{
	char name[XATTR_NAME_MAX_L + 1];
	long err = xattr_name(p, uname, name);
	if (!err)
		err = xattr_absent(p, vn, name);
	vnode_put(vn);
	return err;
}

static long path_getxattr(struct lthread *t, const struct sysargs *a, bool nofollow)
{
	long err;
	struct vnode *vn = xattr_path(t->proc, a->a0, nofollow, &err);
	return vn ? getxattr_on(t->proc, vn, a->a1) : err;
}

long sys_getxattr(struct lthread *t, const struct sysargs *a)
{
	return path_getxattr(t, a, false);
}
long sys_lgetxattr(struct lthread *t, const struct sysargs *a)
{
	return path_getxattr(t, a, true);
}

long sys_fgetxattr(struct lthread *t, const struct sysargs *a)
{
	struct file *f = fd_file(t->proc, (int64_t)a->a0);
	if (!f)
		return -EBADF;
	vnode_get(f->vn);
	return getxattr_on(t->proc, f->vn, a->a1);
}

/* the list of names: always empty (the buffer is not touched) */
static long path_listxattr(struct lthread *t, const struct sysargs *a, bool nofollow)
{
	long err;
	struct vnode *vn = xattr_path(t->proc, a->a0, nofollow, &err);
	if (!vn)
		return err;
	vnode_put(vn);
	return 0;
}

long sys_listxattr(struct lthread *t, const struct sysargs *a)
{
	return path_listxattr(t, a, false);
}
long sys_llistxattr(struct lthread *t, const struct sysargs *a)
{
	return path_listxattr(t, a, true);
}

long sys_flistxattr(struct lthread *t, const struct sysargs *a)
{
	return fd_file(t->proc, (int64_t)a->a0) ? 0 : -EBADF;
}
