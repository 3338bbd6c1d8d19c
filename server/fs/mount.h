/*
 * Mounts (mount.c): tmpfs and ramfs on any directory, their flags, sizes
 * and inodes, /proc/mounts.
 */
#ifndef SRV_MOUNT_H
#define SRV_MOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vnode;

#define MS_RDONLY_L      1
#define MS_NOSUID_L      2
#define MS_NODEV_L       4
#define MS_NOEXEC_L      8
#define MS_NOATIME_L     1024
#define MS_NODIRATIME_L  2048
#define MS_RELATIME_L    (1 << 21)
#define MS_STRICTATIME_L (1 << 24)
/* the MS_* flags of the file system vn is on (0: the root's) */
unsigned mount_flags(const struct vnode *vn);
/* n pages more (or fewer, n < 0) for the files of file system dev: false
 * if that is beyond its size (tmpfs's size=) */
bool mount_charge(uint32_t dev, int64_t n);
/* file system dev is a tmpfs (Linux's shmem: the root's is one), not a
 * ramfs */
bool mount_tmpfs(uint32_t dev);
/* the data pages file system dev may still take (UINT64_MAX: no limit) */
uint64_t mount_room(uint32_t dev);
/* the mounted file systems' device numbers start here; each counts the
 * references to its vnodes (open, working directories, mapped, mount
 * points), which make it busy */
#define MOUNT_DEV_FIRST 0x2a
void mount_ref(uint32_t dev, int n);
/* statfs's blocks of vn's file system: true if it is a mounted one */
bool mount_statfs(const struct vnode *vn, uint64_t *blocks, uint64_t *free, uint64_t *files, uint64_t *ffree);
/* an inode more (n = 1) or fewer (-1) on file system dev: false if its
 * nr_inodes are used up (tmpfs counts a file's extra names too) */
bool mount_inode(uint32_t dev, int n);
/* 0 or -ENOSPC: room for an inode more (a file or a name) in directory
 * dir's file system */
int vfs_inode_room(const struct vnode *dir);
/* the ith line of /proc/mounts after the root's and /proc's (false:
 * none) */
bool mount_line(unsigned i, char *buf, size_t size);

#endif
