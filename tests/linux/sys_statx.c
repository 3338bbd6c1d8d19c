/*
 * statx against stat (the same facts in the other form, the mount-root
 * attribute, devices as major and minor) and its errors; the read side of
 * extended attributes on files that have none: getxattr's answer by name
 * space and file system, listxattr's empty lists, and their errors.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "check.h"

/* Linux's struct statx (include/uapi/linux/stat.h) */
struct sx_time {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t pad;
};
struct sx {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, pad1;
	uint64_t ino, size, blocks, attributes_mask;
	struct sx_time atime, btime, ctime, mtime;
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t spare[14];
};
_Static_assert(sizeof(struct sx) == 256, "struct statx");

#define SX_BASIC      0x7ffu
#define SX_RESERVED   0x80000000u
#define SX_MOUNT_ROOT 0x2000u
#ifndef AT_STATX_FORCE_SYNC
#define AT_STATX_FORCE_SYNC 0x2000
#define AT_STATX_DONT_SYNC  0x4000
#endif

static const char *yesno(int b)
{
	return b ? "yes" : "no";
}

static long do_statx(int dirfd, const char *path, int flags, unsigned mask, struct sx *buf)
{
	return syscall(SYS_statx, dirfd, path, flags, mask, buf);
}

/* statx and stat of path agree? */
static void compare(const char *path, int flags)
{
	struct sx x;
	struct stat st;
	memset(&x, 0xa5, sizeof x);
	long r = do_statx(AT_FDCWD, path, flags, SX_BASIC, &x);
	int s = (flags & AT_SYMLINK_NOFOLLOW) ? lstat(path, &st) : stat(path, &st);
	if (r || s) {
		say("%s: statx %ld, stat %d\n", path, r, s);
		return;
	}
	int same = x.mode == st.st_mode && x.nlink == st.st_nlink && x.uid == st.st_uid && x.gid == st.st_gid &&
		   x.ino == st.st_ino && (int64_t)x.size == st.st_size && (int64_t)x.blocks == st.st_blocks &&
		   x.blksize == (uint32_t)st.st_blksize && x.mtime.tv_sec == st.st_mtim.tv_sec &&
		   x.mtime.tv_nsec == (uint32_t)st.st_mtim.tv_nsec && x.ctime.tv_sec == st.st_ctim.tv_sec &&
		   x.dev_major == major(st.st_dev) && x.dev_minor == minor(st.st_dev) &&
		   x.rdev_major == major(st.st_rdev) && x.rdev_minor == minor(st.st_rdev);
	say("%s%s: basic stats given: %s, as stat: %s, mount root: %s, rdev %u:%u, mode %o\n", path,
	    (flags & AT_SYMLINK_NOFOLLOW) ? " (nofollow)" : "", yesno((x.mask & SX_BASIC) == SX_BASIC), yesno(same),
	    yesno(x.attributes & SX_MOUNT_ROOT), x.rdev_major, x.rdev_minor, x.mode);
}

static void statx_checks(void)
{
	say("-- statx\n");
	compare("/", 0);
	compare("/proc", 0);
	compare("/data/poem.txt", 0);
	compare("/data/link", 0);
	compare("/data/link", AT_SYMLINK_NOFOLLOW);
	compare("/dev/null", 0);
	compare("/tmp", 0);
	struct sx x;
	int fd = open("/data/words.txt", O_RDONLY);
	TN("statx(fd, \"\", AT_EMPTY_PATH)", do_statx(fd, "", AT_EMPTY_PATH, SX_BASIC, &x));
	say("size by descriptor: %llu\n", (unsigned long long)x.size);
	TN("statx(fd, \"\", 0)", do_statx(fd, "", 0, SX_BASIC, &x));
	close(fd);
	TN("statx of a missing file", do_statx(AT_FDCWD, "/data/none", 0, SX_BASIC, &x));
	TN("statx(99, \"x\")", do_statx(99, "x", 0, SX_BASIC, &x));
	TN("statx, unknown flag", do_statx(AT_FDCWD, "/", 0x1, SX_BASIC, &x));
	TN("statx, both sync flags", do_statx(AT_FDCWD, "/", AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, SX_BASIC, &x));
	TN("statx, DONT_SYNC", do_statx(AT_FDCWD, "/", AT_STATX_DONT_SYNC, SX_BASIC, &x));
	TN("statx, reserved mask bit", do_statx(AT_FDCWD, "/", 0, SX_RESERVED, &x));
	TN("statx, mask 0", do_statx(AT_FDCWD, "/", 0, 0, &x));
	TN("statx, bad path", do_statx(AT_FDCWD, BAD_USER, 0, SX_BASIC, &x));
	TN("statx, bad buffer", do_statx(AT_FDCWD, "/", 0, SX_BASIC, BAD_USER));
}

static void get(const char *path, const char *name)
{
	char buf[64], what[128];
	snprintf(what, sizeof what, "getxattr(%s, %s)", path, name);
	TN(what, getxattr(path, name, buf, sizeof buf));
}

static void xattr_checks(void)
{
	say("-- getxattr, listxattr\n");
	get("/data/poem.txt", "security.selinux");
	get("/data/poem.txt", "system.posix_acl_access");
	get("/tmp", "system.posix_acl_default");
	get("/data/poem.txt", "system.other");
	get("/data/poem.txt", "trusted.x");
	get("/data/poem.txt", "user.comment");
	get("/data/poem.txt", "other.name");
	get("/dev/null", "user.comment");
	get("/proc/self/status", "security.selinux");
	get("/proc/self/status", "user.comment");
	get("/data/none", "user.comment");
	char buf[64], longname[300];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = 0;
	memcpy(longname, "user.", 5);
	TN("getxattr, empty name", getxattr("/data/poem.txt", "", buf, sizeof buf));
	TN("getxattr, 299-byte name", getxattr("/data/poem.txt", longname, buf, sizeof buf));
	TN("getxattr, bad name", getxattr("/data/poem.txt", BAD_USER, buf, sizeof buf));
	TN("getxattr, bad path", getxattr(BAD_USER, "user.x", buf, sizeof buf));
	TN("lgetxattr of a link, user.", lgetxattr("/data/link", "user.comment", buf, sizeof buf));
	TN("lgetxattr of a link, security.", lgetxattr("/data/link", "security.selinux", buf, sizeof buf));
	int fd = open("/data/poem.txt", O_RDONLY);
	TN("fgetxattr", fgetxattr(fd, "security.selinux", buf, sizeof buf));
	TN("flistxattr", flistxattr(fd, buf, sizeof buf));
	close(fd);
	TN("fgetxattr(99)", fgetxattr(99, "user.x", buf, sizeof buf));
	TN("flistxattr(99)", flistxattr(99, buf, sizeof buf));
	TN("listxattr", listxattr("/data/poem.txt", buf, sizeof buf));
	TN("listxattr, size 0", listxattr("/data", NULL, 0));
	TN("llistxattr of a link", llistxattr("/data/link", buf, sizeof buf));
	TN("listxattr of /proc/self", listxattr("/proc/self", buf, sizeof buf));
	TN("listxattr of a missing file", listxattr("/data/none", buf, sizeof buf));
}

int main(void)
{
	statx_checks();
	xattr_checks();
	return 0;
}
