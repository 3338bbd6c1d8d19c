/*
 * Directories: getdents64 (the ramfs's and /proc's listings), getcwd,
 * chdir and fchdir.
 */
#include "sys.h"

#define S_IFMT 0170000
#define S_IFDIR 0040000
#define S_ISDIR(m) (((m)&S_IFMT) == S_IFDIR)

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
