/*
 * Names and metadata: stat, lstat, fstat, fstatat, getdents64, getcwd,
 * chdir, fchdir, readlink(at), access, faccessat(2), mkdir(at),
 * rmdir, unlink(at), rename(at/at2), symlink(at), and their errors.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "check.h"

struct dirent64_k {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static char longname[300], longpath[5000];

static const char *type_name(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG: return "regular";
	case S_IFDIR: return "directory";
	case S_IFLNK: return "symlink";
	case S_IFCHR: return "chardev";
	case S_IFIFO: return "fifo";
	default: return "other";
	}
}

/* the stable fields of a stat */
static void show_stat(const char *what, const struct stat *st)
{
	say("%s: %s mode %o nlink %ld uid %d gid %d size %ld blocks %ld blksize %ld rdev %d,%d\n", what,
	    type_name(st->st_mode), st->st_mode & 07777, (long)st->st_nlink, st->st_uid, st->st_gid, (long)st->st_size,
	    (long)st->st_blocks, (long)st->st_blksize, major(st->st_rdev), minor(st->st_rdev));
}

static void stat_path(const char *path)
{
	struct stat st;
	char what[256];
	snprintf(what, sizeof what, "stat %s", path);
	if (stat(path, &st))
		say("%s = -1 %s\n", what, errname(errno));
	else
		show_stat(what, &st);
}

static void lstat_path(const char *path)
{
	struct stat st;
	char what[256];
	snprintf(what, sizeof what, "lstat %s", path);
	if (lstat(path, &st))
		say("%s = -1 %s\n", what, errname(errno));
	else
		show_stat(what, &st);
}

static void stats(void)
{
	struct stat st, st2;
	say("-- stat\n");
	stat_path("/");
	stat_path("/tmp");
	stat_path("/data/poem.txt");
	stat_path("/dev/null");
	stat_path("/dev/console");
	stat_path("/dev/zero");
	stat_path("/dev/urandom");
	stat_path("/bin/ls");
	lstat_path("/bin/ls");
	lstat_path("/tmp");
	stat_path("/nonexistent");
	stat_path("/data/poem.txt/x");
	stat_path("/data/poem.txt/");
	stat_path("");
	stat_path("/tmp/");
	stat_path("//tmp//.//");
	stat_path("/tmp/..");
	stat_path("/..");
	stat_path("/../../tmp");
	T(stat(longname, &st));
	T(stat(longpath, &st));
	T(stat(BAD_USER, &st));
	T(syscall(SYS_stat, "/tmp", BAD_USER));
	T(syscall(SYS_stat, "/tmp", BAD_KERNEL));
	T(syscall(SYS_lstat, BAD_KERNEL, &st));
	T(syscall(SYS_lstat, "/tmp", BAD_KERNEL));

	say("-- fstat, fstatat\n");
	int fd = T(open("/data/poem.txt", O_RDONLY));
	T(fstat(fd, &st));
	show_stat("fstat poem.txt", &st);
	T(stat("/data/poem.txt", &st2));
	fact("fstat and stat agree on dev and ino", st.st_dev == st2.st_dev && st.st_ino == st2.st_ino);
	T(syscall(SYS_fstat, fd, BAD_USER));
	T(fstat(99, &st));
	T(fstat(-1, &st));
	int dir = T(open("/data", O_RDONLY | O_DIRECTORY));
	T(fstatat(dir, "poem.txt", &st, 0));
	show_stat("fstatat poem.txt", &st);
	T(fstatat(dir, "", &st, 0));
	T(fstatat(dir, "", &st, AT_EMPTY_PATH));
	show_stat("fstatat empty path", &st);
	T(fstatat(fd, "", &st, AT_EMPTY_PATH));
	show_stat("fstatat file empty path", &st);
	T(fstatat(fd, "x", &st, 0));
	T(fstatat(99, "x", &st, 0));
	T(fstatat(99, "/tmp", &st, 0));
	T(fstatat(AT_FDCWD, "data", &st, 0));
	T(fstatat(AT_FDCWD, "/bin/ls", &st, AT_SYMLINK_NOFOLLOW));
	say("/bin/ls: %s\n", type_name(st.st_mode));
	T(syscall(SYS_newfstatat, AT_FDCWD, "/tmp", &st, 0x4));
	T(syscall(SYS_newfstatat, AT_FDCWD, "/tmp", BAD_USER, 0));
	T(fstatat(AT_FDCWD, "", &st, AT_EMPTY_PATH));
	show_stat("fstatat cwd", &st);
	T(close(fd));
	T(close(dir));

	say("-- sparse files\n");
	fd = T(open("/tmp/sparse", O_CREAT | O_RDWR | O_TRUNC, 0644));
	T(ftruncate(fd, 5 * 4096));
	T(fstat(fd, &st));
	say("size %ld blocks %ld\n", (long)st.st_size, (long)st.st_blocks);
	T(pwrite(fd, "x", 1, 2 * 4096 + 10));
	T(fstat(fd, &st));
	say("size %ld blocks %ld\n", (long)st.st_size, (long)st.st_blocks);
	T(pwrite(fd, "y", 1, 7 * 4096));
	T(fstat(fd, &st));
	say("size %ld blocks %ld\n", (long)st.st_size, (long)st.st_blocks);
	T(ftruncate(fd, 100));
	T(fstat(fd, &st));
	say("size %ld blocks %ld\n", (long)st.st_size, (long)st.st_blocks);
	T(close(fd));

	say("-- times\n");
	T(stat("/data/poem.txt", &st));
	say("initramfs mtime %ld nsec %ld\n", (long)st.st_mtime, st.st_mtim.tv_nsec);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	fd = T(open("/tmp/new", O_CREAT | O_RDWR, 0644));
	T(fstat(fd, &st));
	fact("a new file's mtime is within 5 s of now", labs((long)st.st_mtime - now.tv_sec) <= 5);
	fact("its atime, mtime, ctime are equal", st.st_atim.tv_sec == st.st_mtim.tv_sec &&
						      st.st_atim.tv_nsec == st.st_mtim.tv_nsec &&
						      st.st_ctim.tv_sec == st.st_mtim.tv_sec);
	T(close(fd));
}

static long ts(const struct timespec *t) { return t->tv_sec * 1000000000l + t->tv_nsec; }

static void pause_ms(long ms)
{
	struct timespec d = {0, ms * 1000000};
	nanosleep(&d, NULL);
}

/* which of a file's times an operation changed */
static void changed(const char *what, const struct stat *a, const struct stat *b)
{
	say("%s: atime %s, mtime %s, ctime %s\n", what, ts(&b->st_atim) != ts(&a->st_atim) ? "changed" : "kept",
	    ts(&b->st_mtim) != ts(&a->st_mtim) ? "changed" : "kept",
	    ts(&b->st_ctim) != ts(&a->st_ctim) ? "changed" : "kept");
}

static void times(void)
{
	struct stat a, b, da, db;
	char c, buf[256];
	say("-- times of changes\n");
	T(mkdir("/tmp/tm", 0755));
	int fd = T(open("/tmp/tm/f", O_CREAT | O_RDWR, 0644));
	T(fstat(fd, &a));
	pause_ms(20);
	T(write(fd, "data", 4));
	T(fstat(fd, &b));
	changed("write", &a, &b);
	a = b;
	pause_ms(20);
	T(pread(fd, &c, 1, 0));
	T(fstat(fd, &b));
	changed("the first read", &a, &b);
	a = b;
	pause_ms(20);
	T(pread(fd, &c, 1, 0));
	T(fstat(fd, &b));
	changed("a second read (relatime)", &a, &b);
	a = b;
	pause_ms(20);
	T(pread(fd, &c, 1, 100));
	T(fstat(fd, &b));
	changed("a read at the end", &a, &b);
	a = b;
	pause_ms(20);
	T(fchmod(fd, 0600));
	T(fstat(fd, &b));
	changed("fchmod", &a, &b);
	a = b;
	pause_ms(20);
	T(ftruncate(fd, 4));
	T(fstat(fd, &b));
	changed("ftruncate to the same size", &a, &b);
	a = b;
	pause_ms(20);
	T(write(fd, "", 0));
	T(fstat(fd, &b));
	changed("a write of 0 bytes", &a, &b);
	a = b;
	T(stat("/tmp/tm", &da));
	pause_ms(20);
	T(rename("/tmp/tm/f", "/tmp/tm/g"));
	T(fstat(fd, &b));
	T(stat("/tmp/tm", &db));
	changed("rename: the file", &a, &b);
	changed("rename: the directory", &da, &db);
	a = b;
	da = db;
	pause_ms(20);
	T(symlink("g", "/tmp/tm/l"));
	T(stat("/tmp/tm", &db));
	changed("symlink: the directory", &da, &db);
	da = db;
	struct stat la, lb;
	T(lstat("/tmp/tm/l", &la));
	pause_ms(20);
	T(readlink("/tmp/tm/l", buf, sizeof buf));
	T(lstat("/tmp/tm/l", &lb));
	changed("readlink: the link", &la, &lb);
	pause_ms(20);
	pause_ms(20);
	T(unlink("/tmp/tm/l"));
	T(stat("/tmp/tm", &db));
	changed("unlink: the directory", &da, &db);
	da = db;
	pause_ms(20);
	T(unlink("/tmp/tm/g"));
	T(fstat(fd, &b));
	T(stat("/tmp/tm", &db));
	changed("unlink: the file", &a, &b);
	changed("unlink: the directory", &da, &db);
	da = db;
	pause_ms(20);
	T(mkdir("/tmp/tm/sub", 0755));
	T(stat("/tmp/tm", &db));
	changed("mkdir: the directory", &da, &db);
	da = db;
	pause_ms(20);
	int dfd = T(open("/tmp/tm", O_RDONLY | O_DIRECTORY));
	T(syscall(SYS_getdents64, dfd, buf, sizeof buf) > 0);
	T(stat("/tmp/tm", &db));
	changed("getdents64: the directory", &da, &db);
	T(close(dfd));
	T(close(fd));
}

static void list(const char *path)
{
	char buf[512];
	int fd = open(path, O_RDONLY | O_DIRECTORY);
	say("getdents64 %s:", path);
	if (fd < 0) {
		say(" open: %s\n", errname(errno));
		return;
	}
	int names = 0;
	for (;;) {
		long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
		if (n < 0) {
			say(" %s", errname(errno));
			break;
		}
		if (!n)
			break;
		for (long off = 0; off < n;) {
			struct dirent64_k *d = (struct dirent64_k *)(buf + off);
			say(" %s(%d,%ld)", d->d_name, d->d_type, (long)d->d_off);
			names++;
			off += d->d_reclen;
		}
	}
	say(" [%d]\n", names);
	close(fd);
}

static void dirs(void)
{
	char buf[4096];
	say("-- getdents64\n");
	list("/data");
	list("/dev");
	T(mkdir("/tmp/d", 0755));
	list("/tmp/d");
	int fd = T(open("/tmp/d/b", O_CREAT | O_WRONLY, 0644));
	T(close(fd));
	T(mkdir("/tmp/d/a", 0700));
	T(symlink("b", "/tmp/d/c"));
	list("/tmp/d");
	fd = T(open("/tmp/d", O_RDONLY | O_DIRECTORY));
	T(syscall(SYS_getdents64, fd, buf, 10));
	T(syscall(SYS_getdents64, fd, buf, 24));
	long n = T(syscall(SYS_getdents64, fd, buf, sizeof buf));
	say("records in the rest: %ld bytes\n", n);
	T(syscall(SYS_getdents64, fd, buf, sizeof buf));
	T(lseek(fd, 0, SEEK_SET));
	n = T(syscall(SYS_getdents64, fd, buf, sizeof buf));
	int count = 0;
	for (long off = 0; off < n; off += ((struct dirent64_k *)(buf + off))->d_reclen)
		count++;
	say("after rewinding: %d entries\n", count);
	T(lseek(fd, 3, SEEK_SET));
	n = T(syscall(SYS_getdents64, fd, buf, sizeof buf));
	say("from position 3: %s\n", n > 0 ? ((struct dirent64_k *)buf)->d_name : "-");
	T(lseek(fd, 0, SEEK_SET));
	T(syscall(SYS_getdents64, fd, BAD_USER, sizeof buf));
	T(syscall(SYS_getdents64, fd, BAD_KERNEL, sizeof buf));
	T(syscall(SYS_getdents64, 99, buf, sizeof buf));
	T(close(fd));
	fd = T(open("/data/poem.txt", O_RDONLY));
	T(syscall(SYS_getdents64, fd, buf, sizeof buf));
	T(close(fd));
	/* entries added and removed while a directory is open */
	fd = T(open("/tmp/d", O_RDONLY | O_DIRECTORY));
	T(unlink("/tmp/d/b"));
	list("/tmp/d");
	T(close(fd));

	say("-- getcwd, chdir, fchdir\n");
	T(syscall(SYS_getcwd, buf, sizeof buf));
	say("cwd %s\n", buf);
	T(chdir("/tmp/d"));
	T(syscall(SYS_getcwd, buf, sizeof buf));
	say("cwd %s\n", buf);
	T(syscall(SYS_getcwd, buf, 7));
	T(syscall(SYS_getcwd, buf, 6));
	T(syscall(SYS_getcwd, buf, 0));
	T(syscall(SYS_getcwd, BAD_USER, sizeof buf));
	T(syscall(SYS_getcwd, BAD_KERNEL, sizeof buf));
	fd = T(open("a", O_RDONLY | O_DIRECTORY));
	T(chdir(".."));
	T(syscall(SYS_getcwd, buf, sizeof buf));
	say("cwd %s\n", buf);
	T(fchdir(fd));
	T(syscall(SYS_getcwd, buf, sizeof buf));
	say("cwd %s\n", buf);
	T(close(fd));
	T(chdir("../../.."));
	T(syscall(SYS_getcwd, buf, sizeof buf));
	say("cwd %s\n", buf);
	T(chdir("/nonexistent"));
	T(chdir("/data/poem.txt"));
	T(chdir(""));
	T(chdir(BAD_USER));
	T(chdir(longname));
	fd = T(open("/data/poem.txt", O_RDONLY));
	T(fchdir(fd));
	T(close(fd));
	T(fchdir(99));
	T(chdir("/tmp/d/a"));
	T(rmdir("/tmp/d/a"));
	T(syscall(SYS_getcwd, buf, sizeof buf));
	T(open(".", O_RDONLY));
	T(open("x", O_CREAT | O_RDWR, 0644));
	T(chdir("/"));
	T(syscall(SYS_getcwd, buf, sizeof buf));
	say("cwd %s\n", buf);
}

static void links(void)
{
	char buf[256];
	say("-- symlink, readlink\n");
	T(symlink("/data/poem.txt", "/tmp/p"));
	T(symlink("relative/target", "/tmp/r"));
	T(symlink("x", "/tmp/p"));
	T(symlink("x", "/tmp"));
	T(symlink("x", "/nonexistent/x"));
	T(symlink("", "/tmp/empty"));
	T(symlink(BAD_USER, "/tmp/bad"));
	T(symlink("x", BAD_USER));
	T(symlink(longpath, "/tmp/long"));
	memset(buf, 0, sizeof buf);
	long n = T(readlink("/tmp/p", buf, sizeof buf));
	say("readlink: %.*s\n", (int)n, buf);
	n = T(readlink("/tmp/r", buf, 5));
	say("readlink 5: %.*s\n", (int)n, buf);
	T(syscall(SYS_readlink, "/tmp/r", buf, 0));
	T(syscall(SYS_readlink, "/tmp/r", buf, -1));
	T(readlink("/tmp", buf, sizeof buf));
	T(readlink("/data/poem.txt", buf, sizeof buf));
	T(readlink("/nonexistent", buf, sizeof buf));
	T(readlink("/tmp/p", BAD_USER, sizeof buf));
	T(readlink("/tmp/p", BAD_KERNEL, sizeof buf));
	T(readlink(BAD_USER, buf, sizeof buf));
	T(readlink("/tmp/p/", buf, sizeof buf));
	T(readlink("", buf, sizeof buf));
	int dir = T(open("/tmp", O_RDONLY | O_DIRECTORY));
	n = T(readlinkat(dir, "p", buf, sizeof buf));
	say("readlinkat: %.*s\n", (int)n, buf);
	T(readlinkat(99, "p", buf, sizeof buf));
	T(symlinkat("/tmp", dir, "t2"));
	n = T(readlink("/tmp/t2", buf, sizeof buf));
	say("readlink: %.*s\n", (int)n, buf);
	T(close(dir));
	struct stat st;
	T(lstat("/tmp/p", &st));
	say("lstat symlink: %s size %ld\n", type_name(st.st_mode), (long)st.st_size);
	T(stat("/tmp/p", &st));
	say("stat through it: %s size %ld\n", type_name(st.st_mode), (long)st.st_size);
	T(stat("/tmp/r", &st));
	T(lstat("/tmp/r/", &st));
}

static void access_checks(void)
{
	struct stat st_empty;
	say("-- access\n");
	T(access("/data/poem.txt", F_OK));
	T(access("/data/poem.txt", R_OK | W_OK));
	T(access("/data/poem.txt", X_OK));
	T(access("/bin/busybox", X_OK));
	T(access("/tmp", X_OK));
	T(access("/nonexistent", F_OK));
	T(access("/data/poem.txt/x", F_OK));
	T(access("/data/poem.txt", 8));
	T(access("/data/poem.txt", -1));
	T(access(BAD_USER, F_OK));
	T(access("", F_OK));
	T(access("/tmp/r", F_OK));
	T(faccessat(AT_FDCWD, "/tmp/r", F_OK, AT_SYMLINK_NOFOLLOW));
	T(syscall(SYS_faccessat, AT_FDCWD, "/data/poem.txt", R_OK, 0x1234));
	T(syscall(SYS_faccessat2, AT_FDCWD, "/data/poem.txt", R_OK, 0));
	T(syscall(SYS_faccessat2, AT_FDCWD, "/data/poem.txt", R_OK, 0x1));
	T(syscall(SYS_faccessat2, AT_FDCWD, "/tmp/r", F_OK, AT_SYMLINK_NOFOLLOW));
	T(syscall(SYS_faccessat2, 99, "x", F_OK, 0));
	int fd = T(open("/data/poem.txt", O_RDONLY));
	T(syscall(SYS_faccessat2, fd, "", R_OK, AT_EMPTY_PATH));
	T(syscall(SYS_faccessat2, fd, "", R_OK, 0));
	T(openat(fd, "", O_RDONLY));
	T(mkdirat(99, "", 0755));
	T(openat(99, "", O_RDONLY));
	T(fstatat(99, "", &st_empty, AT_EMPTY_PATH));
	T(fstatat(99, "", &st_empty, 0));
	T(close(fd));
	T(chmod("/tmp/new", 0));
	T(access("/tmp/new", R_OK | W_OK));
	T(access("/tmp/new", X_OK));
	T(chmod("/tmp/new", 0100));
	T(access("/tmp/new", X_OK));
}

static void names(void)
{
	struct stat st;
	say("-- mkdir, rmdir\n");
	T(mkdir("/tmp/m", 0777));
	T(stat("/tmp/m", &st));
	say("mode %o nlink %ld\n", st.st_mode, (long)st.st_nlink);
	T(stat("/tmp", &st));
	say("/tmp nlink %ld\n", (long)st.st_nlink);
	T(mkdir("/tmp/m", 0777));
	T(mkdir("/tmp/m/", 0777));
	T(mkdir("/tmp/m/sub/", 0777));
	T(mkdir("/tmp/m/sub/x", 0777));
	T(mkdir("/nonexistent/x", 0777));
	T(mkdir("/data/poem.txt/x", 0777));
	T(mkdir("/", 0777));
	T(mkdir("/tmp/m/.", 0777));
	T(mkdir("/tmp/m/..", 0777));
	T(mkdir("", 0777));
	T(mkdir(BAD_USER, 0777));
	T(mkdir(longname, 0777));
	T(mkdir("/tmp/p", 0777));
	T(mkdirat(99, "x", 0777));
	int dir = T(open("/tmp/m", O_RDONLY | O_DIRECTORY));
	T(mkdirat(dir, "at", 01777));
	T(stat("/tmp/m/at", &st));
	say("mode %o\n", st.st_mode);
	T(stat("/tmp/m", &st));
	say("/tmp/m nlink %ld\n", (long)st.st_nlink);
	T(rmdir("/tmp/m"));
	T(rmdir("/tmp/m/at/"));
	T(rmdir("/tmp/m/sub"));
	T(rmdir("/tmp/m/."));
	T(rmdir("/tmp/m/.."));
	T(rmdir("/data/poem.txt"));
	T(rmdir("/tmp/p"));
	T(rmdir("/"));
	T(rmdir("/nonexistent"));
	T(rmdir(""));
	T(unlinkat(dir, "sub", AT_REMOVEDIR));
	T(unlinkat(dir, "x", 0x1));
	T(close(dir));
	T(rmdir("/tmp/m"));
	T(stat("/tmp", &st));
	say("/tmp nlink %ld\n", (long)st.st_nlink);

	say("-- unlink\n");
	int fd = T(open("/tmp/u", O_CREAT | O_RDWR, 0644));
	T(write(fd, "still here", 10));
	T(unlink("/tmp/u"));
	T(stat("/tmp/u", &st));
	T(fstat(fd, &st));
	say("nlink %ld size %ld\n", (long)st.st_nlink, (long)st.st_size);
	char buf[16];
	T(pread(fd, buf, 10, 0));
	T(close(fd));
	T(unlink("/tmp/u"));
	T(unlink("/tmp"));
	T(unlink("/tmp/"));
	T(unlink("/data/poem.txt/"));
	T(unlink("/nonexistent/x"));
	T(unlink(""));
	T(unlink(BAD_KERNEL));
	T(unlink("/tmp/r"));
	T(lstat("/tmp/r", &st));
	T(unlinkat(AT_FDCWD, "/tmp", 0));
	T(unlinkat(AT_FDCWD, "/tmp/p", AT_REMOVEDIR));

	say("-- rename\n");
	fd = T(open("/tmp/r1", O_CREAT | O_RDWR, 0644));
	T(close(fd));
	T(rename("/tmp/r1", "/tmp/r2"));
	T(stat("/tmp/r1", &st));
	T(stat("/tmp/r2", &st));
	T(rename("/tmp/r2", "/tmp/r2"));
	T(rename("/tmp/nothere", "/tmp/r3"));
	T(mkdir("/tmp/rd", 0755));
	T(mkdir("/tmp/rd/inner", 0755));
	T(rename("/tmp/r2", "/tmp/rd"));
	T(rename("/tmp/rd", "/tmp/r2"));
	T(rename("/tmp/rd", "/tmp/rd/inner/x"));
	T(mkdir("/tmp/empty", 0755));
	T(rename("/tmp/rd", "/tmp/empty"));
	T(stat("/tmp/rd", &st));
	T(stat("/tmp/empty/inner", &st));
	T(stat("/tmp/empty", &st));
	say("a renamed directory's nlink %ld\n", (long)st.st_nlink);
	T(mkdir("/tmp/full", 0755));
	T(mkdir("/tmp/full/x", 0755));
	T(rename("/tmp/full", "/tmp/empty"));
	T(rename("/tmp/empty", "/tmp/full"));
	T(rename("/tmp/r2", "/tmp/r2/"));
	T(rename("/tmp/full/", "/tmp/full2/"));
	T(rename("/tmp/full2", "/tmp/full"));
	T(rename("/tmp/r2", "/nonexistent/x"));
	T(rename("/", "/tmp/root"));
	T(rename("/tmp/.", "/tmp/dot"));
	T(rename("", "/tmp/x"));
	T(rename(BAD_USER, "/tmp/x"));
	fd = T(open("/tmp/r4", O_CREAT | O_RDWR, 0644));
	T(write(fd, "four", 4));
	T(close(fd));
	T(rename("/tmp/r4", "/tmp/r2"));
	T(stat("/tmp/r2", &st));
	say("size %ld\n", (long)st.st_size);
	T(renameat(AT_FDCWD, "/tmp/r2", 99, "x"));
	T(syscall(SYS_renameat2, AT_FDCWD, "/tmp/r2", AT_FDCWD, "/tmp/r5", 0));
	T(syscall(SYS_renameat2, AT_FDCWD, "/tmp/r5", AT_FDCWD, "/tmp/r6", 0x100));
	T(stat("/tmp/r5", &st));
	list("/tmp");
}

int main(void)
{
	memset(longname, 'n', 256);
	longpath[0] = '/';
	memset(longpath + 1, 'p', 4200);
	stats();
	times();
	dirs();
	links();
	access_checks();
	names();
	say("done\n");
	return 0;
}
