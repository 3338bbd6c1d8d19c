/*
 * statx(2): stat's answer in struct statx, as Linux's generic_fillattr and
 * vfs_statx give it for tmpfs and proc: the basic fields (no birth time,
 * which neither keeps), the mount-root attribute, devices as major and
 * minor numbers.
 */
#include "sys.h"

#include <linux/stat.h>

_Static_assert(sizeof(struct statx) == 256, "struct statx is Linux's 256 bytes");

#define STATX_FLAGS (AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE)

/* Linux's new_decode_dev of a 64-bit st_dev (glibc's encoding) */
static uint32_t dev_major(uint64_t dev)
{
	return (uint32_t)(((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffull));
}
static uint32_t dev_minor(uint64_t dev)
{
	return (uint32_t)((dev & 0xff) | ((dev >> 12) & ~0xffull));
}

static struct statx_timestamp stamp(uint64_t sec, uint64_t nsec)
{
	return (struct statx_timestamp){.tv_sec = (int64_t)sec, .tv_nsec = (uint32_t)nsec};
}

/* the statx of vn: what stat says, in statx's form */
static void vnode_statx(struct vnode *vn, struct statx *sx)
{
	struct stat st;
	vnode_stat(vn, &st);
	memset(sx, 0, sizeof *sx);
	sx->stx_mask = STATX_BASIC_STATS;
	sx->stx_blksize = (uint32_t)st.st_blksize;
	sx->stx_nlink = (uint32_t)st.st_nlink;
	sx->stx_uid = st.st_uid;
	sx->stx_gid = st.st_gid;
	sx->stx_mode = (uint16_t)st.st_mode;
	sx->stx_ino = st.st_ino;
	sx->stx_size = (uint64_t)st.st_size;
	sx->stx_blocks = (uint64_t)st.st_blocks;
	sx->stx_atime = stamp(st.st_atime, st.st_atime_nsec);
	sx->stx_ctime = stamp(st.st_ctime, st.st_ctime_nsec);
	sx->stx_mtime = stamp(st.st_mtime, st.st_mtime_nsec);
	sx->stx_rdev_major = dev_major(st.st_rdev);
	sx->stx_rdev_minor = dev_minor(st.st_rdev);
	sx->stx_dev_major = dev_major(st.st_dev);
	sx->stx_dev_minor = dev_minor(st.st_dev);
	/* vfs_statx: every file says whether it is a mount's root; tmpfs
	 * (shmem_getattr) also has the append, immutable and nodump flags,
	 * none of them set here */
	sx->stx_attributes_mask = STATX_ATTR_MOUNT_ROOT;
	if (vn->dev != PROCFS_DEV)
		sx->stx_attributes_mask |= STATX_ATTR_APPEND | STATX_ATTR_IMMUTABLE | STATX_ATTR_NODUMP;
	if (vn == vfs_root() || vn->covered || procfs_is_root(vn))
		sx->stx_attributes |= STATX_ATTR_MOUNT_ROOT;
}

/* statx(dirfd, path, flags, mask, buf): the mask asks for fields, but every
 * basic one is always there (as on Linux, which may give more than asked) */
long sys_statx(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	uint64_t flags = a->a2, mask = a->a3;
	if ((flags & ~(uint64_t)STATX_FLAGS) || (flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	if (mask & STATX__RESERVED)
		return -EINVAL;
	char path[PATH_MAX_LINUX];
	int err = user_path(p, a->a1, path);
	if (err)
		return err;
	struct vnode *vn = at_lookup_flags(p, (int64_t)a->a0, path, flags, &err);
	if (!vn)
		return err;
	struct statx sx;
	vnode_statx(vn, &sx);
	vnode_put(vn);
	return copy_to_user(p, a->a4, &sx, sizeof sx) ? -EFAULT : 0;
}
