/*
 * Where file data lives: fallocate, and the calls that would write it
 * back (sync, syncfs; fsync and fdatasync are in sys_stat.c).  Files are
 * in RAM (the ramfs, as Linux's tmpfs rootfs): there is nothing to write
 * back, and the checks are what Linux checks.
 */
#include "sys.h"

#define FALLOC_FL_KEEP_SIZE      0x01
#define FALLOC_FL_PUNCH_HOLE     0x02
#define FALLOC_FL_COLLAPSE_RANGE 0x08
#define FALLOC_FL_ZERO_RANGE     0x10
#define FALLOC_FL_INSERT_RANGE   0x20
#define FALLOC_FL_UNSHARE_RANGE  0x40
#define FALLOC_FL_SUPPORTED                                                                             \
	(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_ZERO_RANGE | \
	 FALLOC_FL_INSERT_RANGE | FALLOC_FL_UNSHARE_RANGE)

long sys_sync(struct lthread *t, const struct sysargs *a)
{
	(void)t;
	(void)a;
	return 0;
}

long sys_syncfs(struct lthread *t, const struct sysargs *a)
{
	return fd_file(t->proc, (int64_t)a->a0) ? 0 : -EBADF;
}

/* the mode's combinations Linux's vfs_fallocate refuses, in its order:
 * EOPNOTSUPP for unknown bits and for a hole that would change the size,
 * EINVAL for a range operation mixed with others */
static long falloc_mode_check(uint32_t mode)
{
	if (mode & ~(uint32_t)FALLOC_FL_SUPPORTED)
		return -EOPNOTSUPP;
	if ((mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) == (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE))
		return -EOPNOTSUPP;
	if ((mode & FALLOC_FL_PUNCH_HOLE) && !(mode & FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	if ((mode & FALLOC_FL_COLLAPSE_RANGE) && (mode & ~(uint32_t)FALLOC_FL_COLLAPSE_RANGE))
		return -EINVAL;
	if ((mode & FALLOC_FL_INSERT_RANGE) && (mode & ~(uint32_t)FALLOC_FL_INSERT_RANGE))
		return -EINVAL;
	if ((mode & FALLOC_FL_UNSHARE_RANGE) && (mode & ~(uint32_t)(FALLOC_FL_UNSHARE_RANGE | FALLOC_FL_KEEP_SIZE)))
		return -EINVAL;
	return 0;
}

/* fallocate(fd, mode, offset, len): space for a range (mode 0, or
 * FALLOC_FL_KEEP_SIZE), or a hole punched in it (FALLOC_FL_PUNCH_HOLE |
 * FALLOC_FL_KEEP_SIZE); the rest, as tmpfs, EOPNOTSUPP */
long sys_fallocate(struct lthread *t, const struct sysargs *a)
{
	uint32_t mode = (uint32_t)a->a1;
	int64_t off = (int64_t)a->a2, len = (int64_t)a->a3;
	struct file *f = fd_file(t->proc, (int64_t)a->a0);
	if (!f)
		return -EBADF;
	if (off < 0 || len <= 0)
		return -EINVAL;
	long err = falloc_mode_check(mode);
	if (err)
		return err;
	if ((f->flags & O_ACCMODE) == O_RDONLY || (f->flags & O_ACCMODE) == 3)
		return -EBADF;
	struct vnode *vn = f->vn;
	if (vn->type == V_FIFO)
		return -ESPIPE;
	if (vn->type == V_DIR)
		return -EISDIR;
	if (vn->type != V_REG)
		return -ENODEV;
	if (off + len < off)
		return -EFBIG;
	if (vn->fops || (mode & ~(uint32_t)(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE)))
		return -EOPNOTSUPP; /* (a proc file has no fallocate) */
	/* a memfd's seals (Linux's shmem_fallocate): no hole in a file
	 * sealed against writes, no room beyond the end of one sealed
	 * against growing (even with FALLOC_FL_KEEP_SIZE) */
	uint32_t seals = vnode_seals(vn);
	if (mode & FALLOC_FL_PUNCH_HOLE) {
		if (seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
			return -EPERM;
		vnode_punch(vn, (uint64_t)off, (uint64_t)len);
		return 0;
	}
	if ((seals & F_SEAL_GROW) && (uint64_t)(off + len) > vn->size)
		return -EPERM;
	return vnode_allocate(vn, (uint64_t)off, (uint64_t)len, mode & FALLOC_FL_KEEP_SIZE);
}
