/*
 * The VFS and the ramfs behind it (see vfs.h): vnodes live in server
 * memory, file data in server pages (which process mappings share).
 */
#include "vfs.h"

#include "mem.h"
#include "platform.h"
#include "proc.h"
#include "syscall.h"
#include "sysctl.h"
#include "vm.h"

#define S_IFMT 0170000
#define S_IFDIR 0040000
#define S_IFREG 0100000
#define S_IFCHR 0020000
#define S_IFLNK 0120000
#define S_IFIFO 0010000
#define MAX_SYMLINKS 40
#define PATH_MAX_LINUX 4096

static struct vnode *root;
static uint64_t next_ino = 1;

/* ---- user buffers -------------------------------------------------------------- */

uint64_t uio_resid(const struct uio *u)
{
	uint64_t r = 0;
	for (int i = u->idx; i < u->iovcnt; i++)
		r += u->iov[i].len - (i == u->idx ? u->skip : 0);
	return r;
}

static long uio_move(struct uio *u, void *kbuf, uint64_t n, bool out)
{
	uint64_t moved = 0;
	while (moved < n && u->idx < u->iovcnt) {
		const struct linux_iovec *v = &u->iov[u->idx];
		uint64_t room = v->len - u->skip, c = n - moved < room ? n - moved : room;
		if (c && !u->proc) { /* a kernel buffer */
			if (out)
				memcpy((char *)v->base + u->skip, (char *)kbuf + moved, c);
			else
				memcpy((char *)kbuf + moved, (char *)v->base + u->skip, c);
		} else if (c) {
			/* a user page at a time: a fault ends the transfer
			 * after the bytes before it, as on Linux */
			uint64_t ua = v->base + u->skip;
			if (c > 4096 - (ua & 0xfff))
				c = 4096 - (ua & 0xfff);
			int err = out ? copy_to_user(u->proc, v->base + u->skip, (char *)kbuf + moved, c)
				      : copy_from_user(u->proc, (char *)kbuf + moved, v->base + u->skip, c);
			if (err)
				return moved ? (long)moved : err;
		}
		moved += c;
		u->skip += c;
		if (u->skip == v->len) {
			u->idx++;
			u->skip = 0;
		}
	}
	u->done += moved;
	return (long)moved;
}

void uio_skip(struct uio *u, uint64_t n)
{
	while (n && u->idx < u->iovcnt) {
		uint64_t room = u->iov[u->idx].len - u->skip, c = n < room ? n : room;
		n -= c;
		u->done += c;
		u->skip += c;
		if (u->skip == u->iov[u->idx].len) {
			u->idx++;
			u->skip = 0;
		}
	}
}

long uio_copyout(struct uio *u, const void *src, uint64_t n) { return uio_move(u, (void *)src, n, true); }
long uio_copyin(struct uio *u, void *dst, uint64_t n) { return uio_move(u, dst, n, false); }

/* ---- wait queues ------------------------------------------------------------------ */

void waitq_add(struct waitq *q, struct lthread *t)
{
	waitq_remove(t);
	t->wait.next = q->head;
	q->head = t;
	t->wait.queue = q;
}

void waitq_remove(struct lthread *t)
{
	struct waitq *q = t->wait.queue;
	if (!q)
		return;
	for (struct lthread **pp = &q->head; *pp; pp = &(*pp)->wait.next) {
		if (*pp == t) {
			*pp = t->wait.next;
			break;
		}
	}
	t->wait.next = NULL;
	t->wait.queue = NULL;
}

/* every waiter makes its call again (and may wait again) */
void waitq_wake_all(struct waitq *q)
{
	struct lthread *t = q->head;
	q->head = NULL;
	while (t) {
		struct lthread *n = t->wait.next;
		t->wait.next = NULL;
		t->wait.queue = NULL;
		timer_cancel(t);
		syscall_retry(t);
		t = n;
	}
}

/* ---- vnodes ------------------------------------------------------------------- */

uint64_t vfs_now_sec(void) { return time_wall_ns() / 1000000000ull; }
uint64_t vfs_boot_sec(void) { return time_boot_wall_ns() / 1000000000ull; }

static void stamp(struct __kernel_timespec *ts)
{
	uint64_t ns = time_wall_ns();
	ts->tv_sec = (int64_t)(ns / 1000000000ull);
	ts->tv_nsec = (int64_t)(ns % 1000000000ull);
}

void vnode_touch(struct vnode *vn, unsigned which)
{
	struct __kernel_timespec now;
	stamp(&now);
	if (which & VN_ATIME)
		vn->atime = now;
	if (which & VN_MTIME)
		vn->mtime = now;
	if (which & VN_CTIME)
		vn->ctime = now;
}

static bool ts_le(const struct __kernel_timespec *a, const struct __kernel_timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec <= b->tv_nsec);
}

void vnode_access(struct vnode *vn)
{
	unsigned f = mount_flags(vn);
	if ((f & MS_NOATIME_L) || ((f & MS_NODIRATIME_L) && vn->type == V_DIR))
		return;
	struct __kernel_timespec now;
	stamp(&now);
	/* relatime: only an atime not newer than the mtime or ctime, or a
	 * day old, moves (Linux's relatime_need_update) */
	if ((f & MS_RELATIME_L) && !ts_le(&vn->atime, &vn->mtime) && !ts_le(&vn->atime, &vn->ctime) &&
	    now.tv_sec - vn->atime.tv_sec < 24 * 3600)
		return;
	vn->atime = now;
}

void vnode_utimes(struct vnode *vn, const struct __kernel_timespec *ts)
{
	struct __kernel_timespec now; /* one instant for all three, as Linux's notify_change */
	stamp(&now);
	if (!ts || ts[0].tv_nsec != UTIME_OMIT)
		vn->atime = !ts || ts[0].tv_nsec == UTIME_NOW ? now : ts[0];
	if (!ts || ts[1].tv_nsec != UTIME_OMIT)
		vn->mtime = !ts || ts[1].tv_nsec == UTIME_NOW ? now : ts[1];
	vn->ctime = now;
}

struct vnode *vnode_new(enum vtype type, uint32_t mode)
{
	struct vnode *vn = mem_zalloc(sizeof *vn);
	if (!vn)
		return NULL;
	static const uint32_t fmt[] = {[V_REG] = S_IFREG,  [V_DIR] = S_IFDIR, [V_CHR] = S_IFCHR, [V_LNK] = S_IFLNK,
				       [V_FIFO] = S_IFIFO, [V_BLK] = 0060000, [V_SOCK] = 0140000};
	vn->ino = next_ino++;
	vn->type = type;
	vn->mode = fmt[type] | (mode & 07777);
	vn->nlink = type == V_DIR ? 2 : 1;
	vn->dev = 1;
	stamp(&vn->mtime);
	vn->atime = vn->ctime = vn->mtime;
	return vn;
}

struct vnode *vnode_create(const struct cred *c, struct vnode *dir, enum vtype type, uint32_t mode)
{
	if (!mount_inode(dir->dev, 1))
		return NULL; /* (the callers asked vfs_inode_room first) */
	struct vnode *vn = vnode_new(type, mode);
	if (!vn)
		mount_inode(dir->dev, -1);
	else
		vn->dev = dir->dev; /* (a mounted file system's) */
	if (vn && c) {
		struct owner d = vnode_owner(dir), o = perm_new_owner(c, &d, vn->mode);
		vn->uid = o.uid;
		vn->gid = o.gid;
		vn->mode = o.mode;
	}
	return vn;
}

int vnode_permission(const struct cred *c, const struct vnode *vn, int want)
{
	if (!c)
		return 0;
	/* a read-only file system: its files, directories and links are not
	 * written (devices and pipes are) */
	if ((want & MAY_WRITE) && (vn->type == V_REG || vn->type == V_DIR || vn->type == V_LNK) &&
	    (mount_flags(vn) & MS_RDONLY_L))
		return -EROFS;
	struct owner o = vnode_owner(vn);
	int err = perm_check(c, &o, want);
	return vn->dev == PROCFS_DEV ? procfs_permission(vn, want, err) : err;
}

void vnode_kill_suid(const struct cred *c, struct vnode *vn)
{
	struct owner o = vnode_owner(vn);
	if (c && vn->type == V_REG)
		vn->mode &= ~perm_kill_suid(c, &o);
}

int vfs_may_delete(const struct cred *c, const struct vnode *dir, const struct vnode *vn)
{
	int err = vnode_permission(c, dir, MAY_WRITE | MAY_EXEC);
	if (err || !c)
		return err;
	struct owner d = vnode_owner(dir), f = vnode_owner(vn);
	return perm_sticky(c, &d, &f) ? -EPERM : 0;
}

struct vnode *vnode_new_shmem(uint64_t size)
{
	struct vnode *vn = vnode_new(V_REG, 0777);
	if (vn) {
		vn->nlink = 0;
		vn->size = size;
	}
	return vn;
}

void vnode_get(struct vnode *vn)
{
	vn->refs++;
	if (vn->dev >= MOUNT_DEV_FIRST)
		mount_ref(vn->dev, 1);
	if (vn->shm)
		shm_mapped(vn);
}

static void free_pages_from(struct vnode *vn, uint64_t from);

static void vnode_free(struct vnode *vn)
{
	if (vn->pipe)
		fifo_gone(vn);
	free_pages_from(vn, 0);
	if (vn->dev >= MOUNT_DEV_FIRST)
		mount_inode(vn->dev, -1);
	mem_free(vn->link);
	mem_free(vn);
}

void vnode_put(struct vnode *vn)
{
	if (vn->refs) {
		vn->refs--;
		if (vn->dev >= MOUNT_DEV_FIRST)
			mount_ref(vn->dev, -1);
	}
	if (vn->shm) {
		shm_unmapped(vn); /* (which may free vn) */
		return;
	}
	if (!vn->refs && !vn->nlink)
		vnode_free(vn);
}

/* file data: a page of 512 pointers to pages of 512 page pointers (1 GiB
 * at most) */
#define PPP 512
#define MAX_FILE_PAGES ((uint64_t)PPP * PPP)

static void **page_slot(struct vnode *vn, uint64_t i, bool create)
{
	if (i >= MAX_FILE_PAGES)
		return NULL;
	if (!vn->pages) {
		if (!create || !(vn->pages = page_alloc()))
			return NULL;
	}
	void ***l1 = (void ***)vn->pages;
	if (!l1[i / PPP]) {
		if (!create || !(l1[i / PPP] = page_alloc()))
			return NULL;
	}
	return &l1[i / PPP][i % PPP];
}

static uint64_t data_pages; /* of all files */

uint64_t vfs_pages(void) { return data_pages; }

void *vnode_page(struct vnode *vn, uint64_t i, bool create)
{
	void **slot = page_slot(vn, i, create);
	if (!slot)
		return NULL;
	if (!*slot && create && mount_charge(vn->dev, 1)) {
		if ((*slot = page_alloc())) {
			vn->present++;
			data_pages++;
		} else {
			mount_charge(vn->dev, -1);
		}
	}
	if (*slot && i >= vn->npages)
		vn->npages = i + 1;
	return *slot;
}

/* frees the data pages from index `from` on */
static void free_pages_from(struct vnode *vn, uint64_t from)
{
	if (!vn->pages)
		return;
	void ***l1 = (void ***)vn->pages;
	for (uint64_t d = from / PPP; d < PPP; d++) {
		if (!l1[d])
			continue;
		for (uint64_t j = d == from / PPP ? from % PPP : 0; j < PPP; j++) {
			if (l1[d][j]) {
				plat_revoke(l1[d][j]); /* no process keeps a stale view */
				page_put(l1[d][j]);
				l1[d][j] = NULL;
				vn->present--;
				data_pages--;
				mount_charge(vn->dev, -1);
			}
		}
		if (from <= d * PPP) {
			page_put(l1[d]);
			l1[d] = NULL;
		}
	}
	if (from == 0) {
		page_put(vn->pages);
		vn->pages = NULL;
	}
	if (vn->npages > from)
		vn->npages = from;
}

long vnode_read(struct vnode *vn, uint64_t off, struct uio *u)
{
	long total = 0;
	while (off < vn->size && uio_resid(u)) {
		uint64_t in = off & 0xfff, n = 4096 - in;
		if (n > vn->size - off)
			n = vn->size - off;
		static const char zero[4096];
		const char *page = vnode_page(vn, off / 4096, false);
		long m = uio_copyout(u, (page ? page : zero) + in, n);
		if (m < 0)
			return total ? total : m;
		total += m;
		off += (uint64_t)m;
		if ((uint64_t)m < n)
			break;
	}
	vnode_access(vn);
	return total;
}

long vnode_write(struct vnode *vn, uint64_t off, struct uio *u)
{
	long total = 0;
	if (!uio_resid(u))
		return 0; /* no times change */
	vnode_touch(vn, VN_MTIME | VN_CTIME); /* before the copy, as Linux (a fault changes them too) */
	while (uio_resid(u)) {
		uint64_t in = off & 0xfff, n = 4096 - in;
		char *page = vnode_page(vn, off / 4096, true);
		if (!page)
			return total ? total : -ENOSPC;
		long m = uio_copyin(u, page + in, n);
		if (m < 0)
			return total ? total : m;
		total += m;
		off += (uint64_t)m;
		if (off > vn->size)
			vn->size = off;
		if ((uint64_t)m < n)
			break;
	}
	return total;
}

int vnode_truncate(struct vnode *vn, uint64_t size)
{
	if (vn->type != V_REG)
		return -EINVAL;
	uint64_t keep = (size + 4095) / 4096;
	if (keep > MAX_FILE_PAGES)
		return -EFBIG;
	free_pages_from(vn, keep);
	if (size & 0xfff) { /* the tail of the last page reads as zero */
		char *last = vnode_page(vn, size / 4096, false);
		if (last)
			memset(last + (size & 0xfff), 0, 4096 - (size & 0xfff));
	}
	vn->size = size;
	stamp(&vn->mtime);
	vn->ctime = vn->mtime;
	return 0;
}

int vnode_allocate(struct vnode *vn, uint64_t off, uint64_t len, bool keep_size)
{
	uint64_t first = off / 4096, end = (off + len + 4095) / 4096, missing = 0;
	if (end > MAX_FILE_PAGES)
		return -EFBIG;
	for (uint64_t i = first; i < end; i++)
		missing += !vnode_page(vn, i, false);
	if (missing + 2 * (end - first) / PPP + 2 > pages_free() || missing > mount_room(vn->dev))
		return -ENOSPC; /* (with the tables they need; a tmpfs's size) */
	for (uint64_t i = first; i < end; i++)
		vnode_page(vn, i, true);
	if (!keep_size && off + len > vn->size)
		vn->size = off + len;
	vnode_touch(vn, VN_MTIME | VN_CTIME);
	return 0;
}

void vnode_punch(struct vnode *vn, uint64_t off, uint64_t len)
{
	uint64_t end = off + len;
	for (uint64_t pos = off; pos < end; pos = (pos | 0xfff) + 1) {
		uint64_t in = pos & 0xfff, n = end - pos < 4096 - in ? end - pos : 4096 - in;
		void **slot = page_slot(vn, pos / 4096, false);
		if (!slot || !*slot)
			continue;
		if (n < 4096) { /* part of a page: zeroes */
			memset((char *)*slot + in, 0, n);
			continue;
		}
		plat_revoke(*slot); /* (as truncate: no process keeps a stale view) */
		page_put(*slot);
		*slot = NULL;
		vn->present--;
		data_pages--;
		mount_charge(vn->dev, -1);
	}
	vnode_touch(vn, VN_MTIME | VN_CTIME);
}

void vnode_stat(struct vnode *vn, struct stat *st)
{
	memset(st, 0, sizeof *st);
	st->st_dev = vn->dev;
	st->st_ino = vn->ino;
	st->st_mode = vn->mode;
	st->st_nlink = vn->nlink;
	st->st_uid = vn->uid;
	st->st_gid = vn->gid;
	st->st_rdev = vn->rdev;
	/* as Linux's tmpfs (the rootfs of an initramfs) reports them: a
	 * directory's size is 20 bytes per entry, blocks count whole pages */
	uint64_t entries = 2;
	for (struct dentry *d = vn->entries; d; d = d->next)
		entries++;
	st->st_size = vn->type == V_LNK ? (vn->link ? strlen(vn->link) : 0) : vn->type == V_DIR ? 20 * entries
								       : vn->type == V_REG ? vn->size : 0;
	st->st_blksize = 4096;
	st->st_blocks = vn->type == V_REG ? vn->present * 8 : 0; /* holes take no room */
	if (vn->dev == PROCFS_DEV) { /* as Linux's proc: no sizes but an fd link's */
		st->st_size = vn->type == V_LNK && vn->pfs.kind == 0xfd ? 64 : 0;
		st->st_blksize = 1024;
		if (vn->dops && vn->dops->nlink)
			st->st_nlink = vn->dops->nlink(vn);
	}
	st->st_atime = vn->atime.tv_sec;
	st->st_atime_nsec = vn->atime.tv_nsec;
	st->st_mtime = vn->mtime.tv_sec;
	st->st_mtime_nsec = vn->mtime.tv_nsec;
	st->st_ctime = vn->ctime.tv_sec;
	st->st_ctime_nsec = vn->ctime.tv_nsec;
}

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
	stamp(&dir->mtime);
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
			n = walk(c, cur, n->link, false, depth + 1, err);
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

/* ---- open files ------------------------------------------------------------------- */

static long ramfs_read(struct file *f, struct uio *u)
{
	long n = vnode_read(f->vn, f->pos, u);
	if (n > 0)
		f->pos += (uint64_t)n;
	return n;
}

static long ramfs_write(struct file *f, struct uio *u)
{
	if (f->flags & O_APPEND)
		f->pos = f->vn->size;
	long n = vnode_write(f->vn, f->pos, u);
	if (n > 0)
		f->pos += (uint64_t)n;
	return n;
}

static long dir_read(struct file *f, struct uio *u)
{
	(void)f;
	(void)u;
	return -EISDIR;
}

const struct file_ops ramfs_file_ops = {.read = ramfs_read, .write = ramfs_write};
const struct file_ops dir_file_ops = {.read = dir_read, .write = dir_read};

/* the open file descriptions of the whole system (fs.file-nr) */
uint64_t files_open;

/* Linux's alloc_empty_file: beyond fs.file-max only CAP_SYS_ADMIN opens
 * more (the server's own opens, with no caller, always may) */
static bool file_room(void)
{
	if (files_open < file_max_load() || !current || cred_capable(&current->proc->cred, CAP_SYS_ADMIN))
		return true;
	static bool said;
	if (!said)
		printf("lx4-server: VFS: file-max limit %lu reached\n", (unsigned long)file_max_load());
	said = true;
	return false;
}

struct file *file_open(struct vnode *vn, uint32_t flags, int *err)
{
	if (!file_room()) {
		*err = -ENFILE;
		return NULL;
	}
	struct file *f = mem_zalloc(sizeof *f);
	if (!f) {
		*err = -ENOMEM;
		return NULL;
	}
	f->vn = vn;
	vnode_get(vn);
	f->flags = flags;
	f->refs = 1;
	if (flags & O_PATH) {
		files_open++;
		return f; /* (a place: no driver is asked, nothing is read or written) */
	}
	f->ops = vn->type == V_REG ? (vn->fops ? vn->fops : &ramfs_file_ops)
		 : vn->type == V_DIR ? &dir_file_ops
				     : vn->fops;
	if (f->ops == NULL && vn->type != V_LNK) { /* a device with no driver here, a socket's node */
		vnode_put(vn);
		mem_free(f);
		*err = -ENXIO;
		return NULL;
	}
	if (f->ops && f->ops->open && (*err = f->ops->open(f)) != 0) {
		vnode_put(vn);
		mem_free(f);
		return NULL;
	}
	uint32_t acc = flags & O_ACCMODE;
	vn->open_r += acc == O_RDONLY;
	vn->open_w += acc == O_WRONLY || acc == O_RDWR;
	files_open++;
	return f;
}

void file_get(struct file *f) { f->refs++; }

long file_write_kernel(struct file *f, const void *buf, uint64_t n)
{
	struct linux_iovec v = {(uint64_t)buf, n};
	struct uio u = {.proc = NULL, .iov = &v, .iovcnt = 1};
	if (!f->ops || !f->ops->write)
		return -EINVAL;
	return f->ops->write(f, &u);
}

void file_put(struct file *f)
{
	if (--f->refs)
		return;
	if (f->ep_items)
		epoll_file_gone(f);
	lock_release_file(f);
	fasync_release(f);
	lease_release(f);
	if (!(f->flags & O_PATH)) { /* (the counts a lease looks at) */
		uint32_t acc = f->flags & O_ACCMODE;
		f->vn->open_r -= acc == O_RDONLY;
		f->vn->open_w -= acc == O_WRONLY || acc == O_RDWR;
	}
	if (f->ops && f->ops->release)
		f->ops->release(f);
	vnode_put(f->vn);
	mem_free(f);
	files_open--;
}

/* ---- the initramfs -------------------------------------------------------------- */

#include "cpio.h"

/* the directory for path's parent, made as needed; *name gets the last part */
static struct vnode *make_parents(char *path, char **name)
{
	struct vnode *dir = root;
	char *part = path;
	for (char *s = path; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (*part) {
			struct vnode *n = vfs_dir_find(dir, part);
			if (!n) {
				n = vnode_new(V_DIR, 0755);
				if (!n || vfs_dir_add(dir, part, n))
					return NULL;
			}
			if (n->type != V_DIR)
				return NULL;
			dir = n;
		}
		part = s + 1;
	}
	*name = part;
	return dir;
}

static int load_entry(const struct cpio_entry *e)
{
	char path[4096];
	const char *n = e->name;
	while (*n == '.' && n[1] == '/')
		n += 2;
	while (*n == '/')
		n++;
	size_t len = strlen(n);
	if (!len || !strcmp(n, ".")) { /* the root itself */
		root->mode = (root->mode & 0170000) | (e->mode & 07777);
		root->uid = e->uid;
		root->gid = e->gid;
		return 0;
	}
	if (len >= sizeof path)
		return 0;
	memcpy(path, n, len + 1);
	char *name;
	struct vnode *dir = make_parents(path, &name);
	if (!dir || !*name)
		return -EINVAL;
	uint32_t fmt = e->mode & 0170000;
	struct vnode *vn = vfs_dir_find(dir, name);
	if (fmt == 0040000) {
		if (!vn) {
			vn = vnode_new(V_DIR, e->mode);
			if (!vn || vfs_dir_add(dir, name, vn))
				return -ENOMEM;
		}
	} else if (fmt == 0100000 || fmt == 0120000) {
		if (vn)
			return 0; /* the first one wins */
		vn = vnode_new(fmt == 0100000 ? V_REG : V_LNK, e->mode);
		if (!vn)
			return -ENOMEM;
		if (fmt == 0120000) {
			vn->link = mem_zalloc(e->size + 1);
			if (!vn->link)
				return -ENOMEM;
			memcpy(vn->link, e->data, e->size);
		} else {
			for (uint64_t off = 0; off < e->size; off += 4096) {
				char *pg = vnode_page(vn, off / 4096, true);
				if (!pg)
					return -ENOSPC;
				memcpy(pg, e->data + off, e->size - off < 4096 ? e->size - off : 4096);
			}
			vn->size = e->size;
		}
		if (vfs_dir_add(dir, name, vn))
			return -ENOMEM;
	} else if (fmt == 0020000) { /* a character device: dev.c knows its driver */
		if (vn)
			return 0;
		vn = vnode_new(V_CHR, e->mode);
		if (!vn)
			return -ENOMEM;
		vn->rdev = (e->rdevmajor << 8) | e->rdevminor;
		vn->fops = dev_ops(e->rdevmajor, e->rdevminor);
		if (vfs_dir_add(dir, name, vn))
			return -ENOMEM;
	} else {
		return 0; /* fifos, sockets, block devices */
	}
	vn->mode = (vn->mode & 0170000) | (e->mode & 07777);
	vn->uid = e->uid;
	vn->gid = e->gid;
	vn->mtime.tv_sec = vn->ctime.tv_sec = vn->atime.tv_sec = e->mtime;
	vn->mtime.tv_nsec = vn->ctime.tv_nsec = vn->atime.tv_nsec = 0;
	return 0;
}

/* directories get their archive times at the end, as Linux does: adding
 * their entries changed them */
static void dir_times(const void *archive, uint64_t size)
{
	uint64_t pos = 0;
	struct cpio_entry e;
	while (cpio_next(archive, size, &pos, &e) == CPIO_OK) {
		if ((e.mode & 0170000) != 0040000)
			continue;
		int err;
		struct vnode *vn = vfs_lookup(NULL, root, e.name, true, &err);
		if (!vn)
			continue;
		vn->mtime.tv_sec = vn->ctime.tv_sec = vn->atime.tv_sec = e.mtime;
		vn->mtime.tv_nsec = vn->ctime.tv_nsec = vn->atime.tv_nsec = 0;
		vnode_put(vn);
	}
}

int vfs_load_cpio(const void *archive, uint64_t size)
{
	uint64_t pos = 0;
	struct cpio_entry e;
	int r, files = 0;
	while ((r = cpio_next(archive, size, &pos, &e)) == CPIO_OK) {
		int err = load_entry(&e);
		if (err)
			return err;
		files++;
	}
	if (r != CPIO_END)
		return -EINVAL;
	dir_times(archive, size);
	return files;
}
