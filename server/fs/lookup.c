/*
 * Directories and path lookup: entries, the walk of a path (search
 * permission in every directory, symbolic links, mounts crossed both
 * ways), parents, getcwd's path.
 */
#include "vfs.h"

#include "mem.h"
#include "platform.h"
#include "proc.h"
#include "syscall.h"
#include "sysctl.h"
#include "vm.h"

#define MAX_SYMLINKS 40
#define PATH_MAX_LINUX 4096

static struct vnode *root;

/* ---- directories and lookup -------------------------------------------------------- */

struct vnode *vfs_root(void) { return root; }

struct vnode *vfs_dir_find(struct vnode *dir, const char *name)
{
	if (!strcmp(name, "."))
		return dir;
	if (!strcmp(name, ".."))
		return dir->parent ? dir->parent : dir;
	if (dir->dops)
		return dir->dops->lookup(dir, name);
	for (struct dentry *d = dir->entries; d; d = d->next)
		if (!strcmp(d->name, name))
			return d->vn;
	return NULL;
}

int vfs_dir_add(struct vnode *dir, const char *name, struct vnode *vn)
{
	size_t len = strlen(name);
	if (len > 255)
		return -ENAMETOOLONG;
	if (dir->dops)
		return -ENOENT; /* nothing is made in /proc (Linux's lookup there fails first) */
	struct dentry *d = mem_zalloc(sizeof *d + len + 1);
	if (!d)
		return -ENOMEM;
	memcpy(d->name, name, len + 1);
	d->vn = vn;
	/* at the front: getdents lists the newest first, as Linux's tmpfs */
	d->place = (1ull << 62) - ++dir->made;
	d->next = dir->entries;
	dir->entries = d;
	vn->parent = dir;
	if (vn->type == V_DIR)
		dir->nlink++;
	vfs_stamp(&dir->mtime);
	dir->ctime = dir->mtime;
	return 0;
}

void vfs_dir_remove(struct vnode *dir, const char *name, struct vnode *vn)
{
	bool other = false; /* another name of vn stays in dir */
	for (struct dentry **pp = &dir->entries; *pp;) {
		struct dentry *d = *pp;
		if (d->vn == vn && !strcmp(d->name, name)) {
			*pp = d->next;
			mem_free(d);
			continue;
		}
		other |= d->vn == vn;
		pp = &d->next;
	}
	if (vn->type == V_DIR)
		dir->nlink--;
	if (vn->type == V_DIR || (vn->parent == dir && !other))
		vn->parent = NULL;
	vn->nlink = vn->type == V_DIR ? 0 : vn->nlink - 1;
	vnode_touch(dir, VN_MTIME | VN_CTIME);
	vnode_touch(vn, VN_CTIME); /* unlink and rename change the inode's ctime too */
	vnode_get(vn);             /* vnode_put frees it if nothing else holds it */
	vnode_put(vn);
}

void vfs_init(void)
{
	root = vnode_new(V_DIR, 0755);
	root->refs = 1;
}


/* one step of a walk: the next component of *path into name */
static const char *next_name(const char *path, char *name, int *err)
{
	while (*path == '/')
		path++;
	size_t n = 0;
	while (path[n] && path[n] != '/')
		n++;
	if (n > 255) {
		*err = -ENAMETOOLONG;
		return NULL;
	}
	memcpy(name, path, n);
	name[n] = 0;
	return path + n;
}

static struct vnode *walk(const struct cred *c, struct vnode *dir, const char *path, bool nofollow, int depth, int *err)
{
	char name[256];
	if (strlen(path) >= PATH_MAX_LINUX) {
		*err = -ENAMETOOLONG;
		return NULL;
	}
	struct vnode *cur = *path == '/' ? root : dir;
	while (cur->mounted)
		cur = cur->mounted;
	for (;;) {
		bool slashes = *path == '/';
		path = next_name(path, name, err);
		if (!path)
			return NULL;
		if (!name[0]) { /* the end; after a trailing slash only a directory will do */
			if (slashes && cur->type != V_DIR) {
				*err = -ENOTDIR;
				return NULL;
			}
			return cur;
		}
		if (cur->type != V_DIR) {
			*err = -ENOTDIR;
			return NULL;
		}
		if ((*err = vnode_permission(c, cur, MAY_EXEC))) /* Linux's may_lookup */
			return NULL;
		struct vnode *n = vfs_dir_find(cur, name);
		if (!n) {
			*err = -ENOENT;
			return NULL;
		}
		const char *rest = path;
		while (*rest == '/')
			rest++;
		bool last = !*rest, trailing_slash = *path == '/';
		while (n->mounted) /* (the root of what is mounted there) */
			n = n->mounted;
		if (n->type == V_LNK && (!last || !nofollow || trailing_slash)) {
			if (depth >= MAX_SYMLINKS) {
				*err = -ELOOP;
				return NULL;
			}
			if (!n->link) { /* a proc link to nothing (a zombie's exe) */
				*err = -ENOENT;
				return NULL;
			}
			if (c && n->dev == PROCFS_DEV && (*err = procfs_may_follow(n)))
				return NULL;
			vnode_access(n); /* following a link reads it (Linux's pick_link) */
			struct vnode *fd_vn = n->dev == PROCFS_DEV ? procfs_fd_vnode(n) : NULL;
			n = fd_vn ? fd_vn : walk(c, cur, n->link, false, depth + 1, err);
			if (!n)
				return NULL;
		}
		cur = n;
	}
}

struct vnode *vfs_lookup(const struct cred *c, struct vnode *dir, const char *path, bool nofollow, int *err)
{
	if (!*path) {
		*err = -ENOENT;
		return NULL;
	}
	struct vnode *vn = walk(c, dir, path, nofollow, 0, err);
	if (vn)
		vnode_get(vn);
	return vn;
}

struct vnode *vfs_lookup_parent(const struct cred *c, struct vnode *dir, const char *path, char *name, size_t namelen,
				int *err)
{
	size_t len = strlen(path);
	if (!len) {
		*err = -ENOENT;
		return NULL;
	}
	while (len > 1 && path[len - 1] == '/')
		len--;
	size_t start = len;
	while (start && path[start - 1] != '/')
		start--;
	if (len - start >= namelen) {
		*err = -ENAMETOOLONG;
		return NULL;
	}
	memcpy(name, path + start, len - start);
	name[len - start] = 0;
	if (!name[0] || !strcmp(name, "/")) { /* the root itself */
		*err = -EEXIST;
		return NULL;
	}
	char dirpath[PATH_MAX_LINUX];
	if (start >= sizeof dirpath) {
		*err = -ENAMETOOLONG;
		return NULL;
	}
	memcpy(dirpath, path, start);
	dirpath[start] = 0;
	struct vnode *d = start ? walk(c, dir, dirpath, false, 0, err) : dir;
	if (!d)
		return NULL;
	if (d->type != V_DIR) {
		*err = -ENOTDIR;
		return NULL;
	}
	if ((*err = vnode_permission(c, d, MAY_EXEC))) /* (the last name is looked up in it) */
		return NULL;
	if (!d->nlink) { /* removed: nothing can be made in it */
		*err = -ENOENT;
		return NULL;
	}
	vnode_get(d);
	return d;
}

int vfs_path(struct vnode *vn, char *buf, size_t size)
{
	char tmp[PATH_MAX_LINUX];
	size_t pos = sizeof tmp - 1;
	tmp[pos] = 0;
	if (vn->memfd) { /* the name Linux's memfd_create gives its file */
		int n = snprintf(buf, size, "/memfd:%s (deleted)", vn->memfd->name);
		return (size_t)n + 1 > size ? -ERANGE : n + 1;
	}
	if (vn != root && !vn->nlink)
		return -ENOENT; /* a removed directory has no path */
	for (struct vnode *v = vn; v != root;) {
		if (v->covered) /* a mounted file system's root: named as the directory it covers */
			v = v->covered;
		struct vnode *p = v->parent;
		if (!p)
			return -ENOENT;
		const char *name = v->pfs.name;
		if (!p->dops) {
			struct dentry *d = p->entries;
			while (d && d->vn != v)
				d = d->next;
			if (!d)
				return -ENOENT;
			name = d->name;
		}
		size_t l = strlen(name);
		if (l + 1 > pos)
			return -ENAMETOOLONG;
		pos -= l;
		memcpy(tmp + pos, name, l);
		tmp[--pos] = '/';
		v = p;
	}
	if (pos == sizeof tmp - 1)
		tmp[--pos] = '/';
	size_t n = sizeof tmp - 1 - pos;
	if (n + 1 > size)
		return -ERANGE;
	memcpy(buf, tmp + pos, n + 1);
	return (int)(n + 1);
}
