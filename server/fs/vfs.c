/*
 * The VFS's vnodes and the ramfs behind them (see vfs.h): vnodes live in
 * server memory, file data in server pages (which process mappings
 * share).  uio.c, lookup.c, file.c and initramfs.c have the rest.
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

static uint64_t next_ino = 1;

/* ---- vnodes ------------------------------------------------------------------- */

uint64_t vfs_now_sec(void) { return time_wall_ns() / 1000000000ull; }
uint64_t vfs_boot_sec(void) { return time_boot_wall_ns() / 1000000000ull; }

void vfs_stamp(struct __kernel_timespec *ts)
{
	uint64_t ns = time_wall_ns();
	ts->tv_sec = (int64_t)(ns / 1000000000ull);
	ts->tv_nsec = (int64_t)(ns % 1000000000ull);
}

void vnode_touch(struct vnode *vn, unsigned which)
{
	struct __kernel_timespec now;
	vfs_stamp(&now);
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
	vfs_stamp(&now);
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
	vfs_stamp(&now);
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
	vfs_stamp(&vn->mtime);
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

static void free_pages_from(struct vnode *vn, uint64_t from);

static void vnode_free(struct vnode *vn)
{
	if (vn->pipe)
		fifo_gone(vn);
	free_pages_from(vn, 0);
	if (vn->dev >= MOUNT_DEV_FIRST)
		mount_inode(vn->dev, -1);
	mem_free(vn->link);
	mem_free(vn->memfd);
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
	uint32_t seals = vnode_seals(vn);
	while (uio_resid(u)) {
		uint64_t in = off & 0xfff, n = 4096 - in;
		/* a seal refuses the page's piece (Linux's shmem_write_begin):
		 * what went before it stays written */
		uint64_t piece = uio_resid(u) < n ? uio_resid(u) : n;
		if ((seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) || ((seals & F_SEAL_GROW) && off + piece > vn->size))
			return total ? total : -EPERM;
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
	uint32_t seals = vnode_seals(vn);
	if ((size < vn->size && (seals & F_SEAL_SHRINK)) || (size > vn->size && (seals & F_SEAL_GROW)))
		return -EPERM; /* (Linux's shmem_setattr) */
	free_pages_from(vn, keep);
	if (size & 0xfff) { /* the tail of the last page reads as zero */
		char *last = vnode_page(vn, size / 4096, false);
		if (last)
			memset(last + (size & 0xfff), 0, 4096 - (size & 0xfff));
	}
	vn->size = size;
	vfs_stamp(&vn->mtime);
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
