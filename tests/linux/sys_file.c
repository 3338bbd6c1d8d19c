/*
 * Descriptors and opening: open, openat, creat, close, dup, dup2, dup3,
 * fcntl (F_DUPFD, F_GETFD/SETFD, F_GETFL/SETFL), the O_* flags (O_CREAT,
 * O_EXCL, O_TRUNC, O_APPEND, O_DIRECTORY, O_NOFOLLOW, O_CLOEXEC,
 * O_ACCMODE), truncate, ftruncate, fsync, umask, chmod, fallocate, sync,
 * syncfs, and their errors.
 */
#define _GNU_SOURCE /* fallocate, syncfs */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "check.h"

#ifndef FALLOC_FL_ZERO_RANGE /* (musl names only the first two) */
#define FALLOC_FL_COLLAPSE_RANGE 0x08
#define FALLOC_FL_ZERO_RANGE     0x10
#define FALLOC_FL_INSERT_RANGE   0x20
#endif

static char longname[300], longpath[5000];

static long size_of(const char *path)
{
	struct stat st;
	return stat(path, &st) ? -1 : (long)st.st_size;
}

static void mode_of(const char *path)
{
	struct stat st;
	if (stat(path, &st))
		say("stat %s: %s\n", path, errname(errno));
	else
		say("mode of %s: %o\n", path, st.st_mode);
}

static void opening(void)
{
	say("-- open\n");
	T(open("/nonexistent", O_RDONLY));
	T(open("/nonexistent/x", O_RDONLY));
	T(open("/nonexistent/x", O_CREAT | O_RDWR, 0644));
	T(open("/data/poem.txt/x", O_RDONLY));
	T(open("/data/poem.txt/", O_RDONLY));
	T(open("", O_RDONLY));
	T(open(BAD_USER, O_RDONLY));
	T(open(BAD_KERNEL, O_RDONLY));
	T(open(longname, O_RDONLY));
	T(open(longpath, O_RDONLY));
	T(open("/tmp", O_WRONLY));
	T(open("/tmp", O_RDWR));
	T(open("/tmp", O_CREAT | O_RDONLY, 0644));
	T(open("/tmp/", O_CREAT | O_RDONLY, 0644));
	T(open("/tmp/newdir/", O_CREAT | O_RDWR, 0644));
	T(open("/tmp/f", O_RDONLY | O_DIRECTORY));
	T(open("/data/poem.txt", O_RDONLY | O_DIRECTORY));
	T(open("/tmp/nothere", O_CREAT | O_DIRECTORY | O_RDWR, 0644));
	T(open("/tmp", O_CREAT | O_DIRECTORY | O_RDONLY, 0644));
	T(open("/tmp", O_RDONLY | O_TRUNC));
	T(open("/nonexistent/x/", O_CREAT | O_RDWR, 0644));
	T(open("/", O_CREAT | O_RDONLY, 0644));
	int fd = T(open("/tmp", O_RDONLY | O_DIRECTORY));
	T(close(fd));
	fd = T(open("/tmp/.", O_RDONLY));
	T(close(fd));

	say("-- O_CREAT, O_EXCL, O_TRUNC\n");
	fd = T(open("/tmp/f", O_CREAT | O_EXCL | O_WRONLY, 0640));
	mode_of("/tmp/f");
	T(write(fd, "0123456789", 10));
	T(close(fd));
	T(open("/tmp/f", O_CREAT | O_EXCL | O_WRONLY, 0640));
	T(open("/tmp", O_CREAT | O_EXCL | O_RDONLY, 0640));
	fd = T(open("/tmp/f", O_CREAT | O_WRONLY, 0777));
	mode_of("/tmp/f");
	T(close(fd));
	say("size %ld\n", size_of("/tmp/f"));
	fd = T(open("/tmp/f", O_RDONLY | O_TRUNC));
	T(close(fd));
	say("size after O_RDONLY|O_TRUNC %ld\n", size_of("/tmp/f"));
	fd = T(open("/tmp/f", O_WRONLY | O_TRUNC));
	T(close(fd));
	say("size after O_WRONLY|O_TRUNC %ld\n", size_of("/tmp/f"));
	T(umask(0));
	fd = T(open("/tmp/g", O_CREAT | O_RDWR, 06777));
	mode_of("/tmp/g");
	T(close(fd));
	T(umask(077));
	fd = T(open("/tmp/h", O_CREAT | O_RDWR, 0666));
	mode_of("/tmp/h");
	T(close(fd));
	T(umask(022));
	T(umask(022));
	fd = T(creat("/tmp/c", 0755));
	mode_of("/tmp/c");
	T(write(fd, "abc", 3));
	T(read(fd, longname, 1));
	T(close(fd));
	fd = T(creat("/tmp/c", 0600));
	T(close(fd));
	say("size after creat %ld\n", size_of("/tmp/c"));
	mode_of("/tmp/c");

	say("-- O_APPEND\n");
	fd = T(open("/tmp/f", O_WRONLY | O_APPEND));
	T(write(fd, "aaa", 3));
	T(lseek(fd, 0, SEEK_SET));
	T(write(fd, "bbb", 3));
	T(lseek(fd, 0, SEEK_CUR));
	T(close(fd));
	say("size %ld\n", size_of("/tmp/f"));

	say("-- O_ACCMODE 3 and unknown flags\n");
	fd = T(open("/tmp/f", O_ACCMODE));
	T(read(fd, longname, 1));
	T(write(fd, "x", 1));
	T(close(fd));
	fd = T(open("/tmp/f", O_RDONLY | 0x40000000));
	T(fcntl(fd, F_GETFL));
	T(close(fd));

	say("-- O_NOFOLLOW\n");
	T(symlink("/tmp/f", "/tmp/lnk"));
	T(symlink("/tmp/none", "/tmp/dangling"));
	T(open("/tmp/lnk", O_RDONLY | O_NOFOLLOW));
	fd = T(open("/tmp/lnk", O_RDONLY));
	T(close(fd));
	T(open("/tmp/dangling", O_RDONLY));
	T(open("/tmp/dangling", O_CREAT | O_EXCL | O_RDWR, 0644));
	fd = T(open("/tmp/dangling", O_CREAT | O_RDWR, 0644));
	T(close(fd));
	say("/tmp/none size %ld\n", size_of("/tmp/none"));
	T(open("/tmp/lnk", O_CREAT | O_EXCL | O_RDWR, 0644));
	T(open("/tmp/lnk/", O_RDONLY));
	T(symlink("/tmp", "/tmp/dirlnk"));
	T(open("/tmp/dirlnk", O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
	fd = T(open("/tmp/dirlnk/", O_RDONLY | O_NOFOLLOW));
	T(close(fd));
	T(symlink("/tmp/loop1", "/tmp/loop2"));
	T(symlink("/tmp/loop2", "/tmp/loop1"));
	T(open("/tmp/loop1", O_RDONLY));
	T(open("/tmp/loop1/x", O_RDONLY));

	say("-- openat\n");
	int dir = T(open("/data", O_RDONLY | O_DIRECTORY));
	fd = T(openat(dir, "poem.txt", O_RDONLY));
	T(close(fd));
	T(openat(dir, "nothere", O_RDONLY));
	fd = T(openat(AT_FDCWD, "data/poem.txt", O_RDONLY));
	T(openat(fd, "x", O_RDONLY));
	T(openat(fd, "/tmp/f", O_RDONLY) >= 0);
	T(openat(99, "x", O_RDONLY));
	T(openat(99, "/tmp", O_RDONLY) >= 0);
	T(openat(-5, "x", O_RDONLY));
	T(close(fd));
	int tmp = T(open("/tmp", O_RDONLY | O_DIRECTORY));
	fd = T(openat(tmp, "viaat", O_CREAT | O_WRONLY, 0600));
	T(close(fd));
	say("viaat size %ld\n", size_of("/tmp/viaat"));
	T(close(tmp));
	T(close(dir));
	/* the descriptors that were opened for >= 0 checks */
	for (int i = 3; i < 20; i++)
		close(i);
}

static void descriptors(void)
{
	say("-- dup, dup2, dup3\n");
	int fd = T(open("/tmp/f", O_RDWR));
	T(dup(fd));
	T(dup(-1));
	T(dup(99));
	T(dup2(fd, 10));
	T(dup2(fd, fd));
	T(dup2(99, 99));
	T(dup2(fd, -1));
	T(dup2(fd, 5000));
	T(dup2(fd, 200));
	T(close(200));
	T(dup3(fd, 11, O_CLOEXEC));
	T(fcntl(11, F_GETFD));
	T(dup3(fd, 12, 0));
	T(fcntl(12, F_GETFD));
	T(dup3(fd, fd, 0));
	T(syscall(SYS_dup3, fd, 13, 1));
	T(dup3(99, 13, 0));
	T(dup3(fd, -1, 0));
	T(syscall(SYS_dup3, 99, 99, 0));
	T(syscall(SYS_dup3, 99, 13, 1));
	T(dup2(99, 5000));
	/* dup2 over an open descriptor closes it; the offset is shared */
	T(lseek(fd, 3, SEEK_SET));
	T(lseek(10, 0, SEEK_CUR));
	T(dup2(12, 10));
	T(lseek(10, 0, SEEK_CUR));
	T(fcntl(10, F_GETFD));
	for (int i = 4; i < 14; i++)
		close(i);

	say("-- fcntl\n");
	T(fcntl(fd, F_DUPFD, 0));
	T(fcntl(fd, F_DUPFD, 20));
	T(fcntl(20, F_GETFD));
	T(fcntl(fd, F_DUPFD_CLOEXEC, 20));
	T(fcntl(21, F_GETFD));
	T(fcntl(fd, F_DUPFD, -1));
	T(fcntl(fd, F_DUPFD, 5000));
	T(fcntl(fd, F_DUPFD, 255));
	T(close(255));
	T(fcntl(99, F_GETFD));
	T(fcntl(fd, F_SETFD, FD_CLOEXEC));
	T(fcntl(fd, F_GETFD));
	T(fcntl(fd, F_SETFD, 0xff));
	T(fcntl(fd, F_GETFD));
	T(fcntl(fd, F_SETFD, 0));
	T(fcntl(fd, F_GETFD));
	T(fcntl(fd, F_GETFL));
	T(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK | O_RDONLY | O_TRUNC | O_CREAT));
	T(fcntl(fd, F_GETFL));
	T(fcntl(fd, F_SETFL, 0));
	T(fcntl(fd, F_GETFL));
	T(fcntl(fd, 9999));
	T(close(fd));
	close(4);
	close(20);
	close(21);
	fd = T(open("/tmp/f", O_WRONLY | O_CLOEXEC | O_APPEND));
	T(fcntl(fd, F_GETFD));
	T(fcntl(fd, F_GETFL));
	T(close(fd));
	fd = T(open("/tmp", O_RDONLY | O_DIRECTORY | O_NONBLOCK));
	T(fcntl(fd, F_GETFL));
	T(close(fd));
	/* the standard descriptors as the program found them */
	T(fcntl(0, F_GETFL));
	T(fcntl(1, F_GETFL));
	T(fcntl(1, F_GETFD));
	T(fcntl(0, F_SETFL, O_NONBLOCK));
	T(fcntl(1, F_GETFL));
	T(fcntl(2, F_GETFL));
	T(fcntl(0, F_SETFL, 0));
	T(fcntl(2, F_GETFL));

	say("-- lowest free descriptor\n");
	int a = T(open("/tmp/f", O_RDONLY));
	int b = T(open("/tmp/f", O_RDONLY));
	T(close(a));
	T(open("/tmp/f", O_RDONLY));
	T(close(a));
	T(close(b));

	say("-- RLIMIT_NOFILE\n");
	struct rlimit rl, low = {64, 64};
	getrlimit(RLIMIT_NOFILE, &rl);
	T(setrlimit(RLIMIT_NOFILE, &low));
	int n = 0, last = -1, err = 0;
	for (int i = 0; i < 300; i++) {
		int f = open("/tmp/f", O_RDONLY);
		if (f < 0) {
			err = errno;
			break;
		}
		last = f;
		n++;
	}
	say("opened %d, the last %d, then %s\n", n, last, err ? errname(err) : "no error");
	T(dup(0));
	T(fcntl(0, F_DUPFD, 0));
	for (int i = 3; i <= last; i++)
		close(i);
	T(dup2(0, 63));
	T(dup2(0, 64));
	T(dup3(0, 64, 0));
	T(fcntl(0, F_DUPFD, 63));
	T(fcntl(0, F_DUPFD, 64));
	T(close(63));
	T(close(64));
	T(setrlimit(RLIMIT_NOFILE, &rl));

	say("-- descriptor arguments are 32 bits\n");
	fd = T(open("/tmp/f", O_RDWR));
	long hi = 1l << 32;
	T(syscall(SYS_lseek, hi | fd, 2, SEEK_SET));
	char c;
	T(syscall(SYS_read, hi | fd, &c, 1));
	T(syscall(SYS_fcntl, hi | fd, F_GETFD));
	T(syscall(SYS_dup2, fd, hi | 9));
	T(fcntl(9, F_GETFD));
	T(syscall(SYS_close, hi | 9));
	T(fcntl(9, F_GETFD));
	T(syscall(SYS_openat, hi | (unsigned)AT_FDCWD, "/tmp/f", O_RDONLY));
	T(close(fd));
	T(syscall(SYS_open, "/tmp/f", O_RDONLY));
	T(fcntl(3, F_GETFL));
	T(close(3));
}

static void sizes(void)
{
	say("-- truncate, ftruncate\n");
	T(truncate("/tmp/f", 100));
	say("size %ld\n", size_of("/tmp/f"));
	T(truncate("/tmp/f", 5));
	say("size %ld\n", size_of("/tmp/f"));
	T(truncate("/tmp/f", -1));
	T(truncate("/tmp", 0));
	T(truncate("/nonexistent", 0));
	T(truncate("", 0));
	T(truncate(BAD_USER, 0));
	T(truncate("/dev/null", 0));
	int fd = T(open("/tmp/f", O_RDWR));
	T(ftruncate(fd, 4096 * 3 + 1));
	say("size %ld\n", size_of("/tmp/f"));
	T(ftruncate(fd, -1));
	T(ftruncate(fd, 0));
	T(fsync(fd));
	T(fdatasync(fd));
	T(close(fd));
	T(fsync(99));
	fd = T(open("/tmp/f", O_RDONLY));
	T(ftruncate(fd, 0));
	T(close(fd));
	fd = T(open("/tmp", O_RDONLY));
	T(ftruncate(fd, 0));
	T(fsync(fd));
	T(close(fd));
	T(ftruncate(99, 0));
	fd = T(open("/dev/null", O_RDWR));
	T(ftruncate(fd, 0));
	T(close(fd));

	say("-- chmod, fchmod\n");
	T(chmod("/tmp/f", 04751));
	mode_of("/tmp/f");
	T(chmod("/tmp/f", 0177777));
	mode_of("/tmp/f");
	T(chmod("/nonexistent", 0644));
	T(chmod("/tmp/f/x", 0644));
	T(chmod(BAD_KERNEL, 0644));
	T(chmod("/tmp/lnk", 0600));
	mode_of("/tmp/f");
	fd = T(open("/tmp/f", O_RDONLY));
	T(fchmod(fd, 0640));
	mode_of("/tmp/f");
	T(close(fd));
	T(fchmod(99, 0640));
	T(fchmodat(AT_FDCWD, "/tmp/f", 0604, 0));
	mode_of("/tmp/f");
	T(syscall(SYS_fchmodat, AT_FDCWD, "/tmp/f", 0604, 0x800));
}

/* the size, blocks and times of path */
static void space_of(const char *what, const char *path)
{
	struct stat st;
	if (stat(path, &st))
		say("%s: stat = -1 %s\n", what, errname(errno));
	else
		say("%s: size %ld blocks %ld\n", what, (long)st.st_size, (long)st.st_blocks);
}

static long ns_of(const struct timespec *t)
{
	return t->tv_sec * 1000000000l + t->tv_nsec;
}

static void allocation(void)
{
	say("-- fallocate, sync, syncfs\n");
	int fd = T(open("/tmp/fa", O_CREAT | O_RDWR | O_TRUNC, 0644));
	struct stat a, b;
	T(fstat(fd, &a));
	struct timespec d = {0, 20000000};
	nanosleep(&d, NULL);
	T(fallocate(fd, 0, 0, 10000));
	space_of("fallocate 10000", "/tmp/fa");
	T(fstat(fd, &b));
	say("fallocate: mtime %s, ctime %s\n", ns_of(&b.st_mtim) != ns_of(&a.st_mtim) ? "changed" : "kept",
	    ns_of(&b.st_ctim) != ns_of(&a.st_ctim) ? "changed" : "kept");
	T(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 20000));
	space_of("KEEP_SIZE 20000", "/tmp/fa");
	T(fallocate(fd, 0, 30000, 100));
	space_of("at 30000", "/tmp/fa");
	T(pwrite(fd, "abcdefgh", 8, 4090));
	T(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 4092, 8192));
	space_of("a hole at 4092 of 8192", "/tmp/fa");
	char buf[12] = "";
	T(pread(fd, buf, 8, 4090));
	say("around the hole: %02x %02x %02x %02x\n", buf[0], buf[1], buf[2], buf[7]);
	T(lseek(fd, 0, SEEK_HOLE));
	T(lseek(fd, 8192, SEEK_DATA));
	T(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 4096));
	T(fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, 4096));
	T(fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, 4096));
	T(fallocate(fd, FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_KEEP_SIZE, 0, 4096));
	T(fallocate(fd, FALLOC_FL_INSERT_RANGE, 0, 4096));
	T(fallocate(fd, 0x80, 0, 4096));
	T(fallocate(fd, 0, -1, 4096));
	T(fallocate(fd, 0, 0, 0));
	T(fallocate(fd, 0, 0, -1));
	T(fallocate(fd, 0, 0x7fffffffffffffffl, 2));
	T(fallocate(99, 0, 0, 1));
	T(close(fd));
	fd = T(open("/tmp/fa", O_RDONLY));
	T(fallocate(fd, 0, 0, 1));
	T(syncfs(fd));
	T(close(fd));
	fd = T(open("/tmp", O_RDONLY));
	T(fallocate(fd, 0, 0, 1));
	T(close(fd));
	fd = T(open("/dev/null", O_WRONLY));
	T(fallocate(fd, 0, 0, 1));
	T(close(fd));
	int p[2];
	T(pipe(p));
	T(fallocate(p[1], 0, 0, 1));
	T(close(p[0]));
	T(close(p[1]));
	T(syncfs(99));
	sync();
	say("sync: done\n");
}

/* "exec": descriptors with and without close-on-exec, then the program
 * again ("after-exec") to see which came through */
static int exec_checks(const char *how)
{
	if (!strcmp(how, "exec")) {
		say("-- close-on-exec\n");
		T(open("/tmp/x", O_CREAT | O_RDWR | O_TRUNC | O_CLOEXEC, 0644));
		int fd = T(open("/tmp/x", O_RDWR | O_APPEND));
		T(write(fd, "abc", 3));
		T(fcntl(fd, F_DUPFD, 5));
		T(fcntl(5, F_SETFD, FD_CLOEXEC));
		T(fcntl(fd, F_DUPFD_CLOEXEC, 6));
		T(dup3(fd, 7, O_CLOEXEC));
		T(dup2(fd, 8));
		T(ioctl(8, FIOCLEX));
		T(dup2(fd, 9));
		char *argv[] = {"/tests/sys_file", "after-exec", NULL}, *envp[] = {NULL};
		T(execve("/tests/sys_file", argv, envp));
		return 1;
	}
	say("-- after execve\n");
	for (int fd = 3; fd <= 9; fd++) {
		char what[32];
		snprintf(what, sizeof what, "F_GETFD %d", fd);
		TN(what, fcntl(fd, F_GETFD));
	}
	T(fcntl(4, F_GETFL));
	T(lseek(4, 0, SEEK_CUR));
	T(lseek(9, 0, SEEK_CUR));
	return 0;
}

/* "empty-argv": an exec with an empty argv (then with a NULL one): the
 * program gets argv[0] = "" and argc 1, as from Linux 5.18 (which logs
 * a warning) */
static int argv_checks(int argc, char **argv, const char *round)
{
	char cmd[16];
	int fd = open("/proc/self/cmdline", O_RDONLY);
	long n = read(fd, cmd, sizeof cmd);
	close(fd);
	say("-- exec with an empty argv, round %s\n", round);
	say("argc %d, argv[0] '%s', argv[argc] NULL: %s, /proc/self/cmdline %ld bytes\n", argc, argc ? argv[0] : "-",
	    argv[argc] == NULL ? "yes" : "no", n);
	if (strcmp(round, "1"))
		return 0;
	char *envp[] = {"SYS_FILE_ARGV=2", NULL};
	T(syscall(SYS_execve, "/tests/sys_file", NULL, envp));
	return 1;
}

/* close_range: closing or marking close-on-exec a range, its errors */
static void close_ranges(void)
{
	say("-- close_range\n");
	int base = open("/dev/null", O_RDONLY);
	dup2(base, 40);
	dup2(base, 41);
	dup2(base, 43);
	T(syscall(SYS_close_range, 41, 40, 0));
	T(syscall(SYS_close_range, 40, 41, 8));
	T(syscall(SYS_close_range, 41, 42, 4)); /* CLOSE_RANGE_CLOEXEC */
	say("cloexec: 40 %d 41 %d 43 %d\n", fcntl(40, F_GETFD), fcntl(41, F_GETFD), fcntl(43, F_GETFD));
	T(syscall(SYS_close_range, 40, ~0u, 2)); /* CLOSE_RANGE_UNSHARE */
	T(fcntl(40, F_GETFD));
	T(fcntl(43, F_GETFD));
	T(fcntl(base, F_GETFD));
	T(syscall(SYS_close_range, 1000, 2000, 0));
	close(base);
}

int main(int argc, char **argv)
{
	const char *round = getenv("SYS_FILE_ARGV");
	if (round)
		return argv_checks(argc, argv, round);
	if (argc > 1 && !strcmp(argv[1], "empty-argv")) {
		char *none[] = {NULL}, *envp[] = {"SYS_FILE_ARGV=1", NULL};
		T(execve("/tests/sys_file", none, envp));
		return 1;
	}
	if (argc > 1)
		return exec_checks(argv[1]);
	memset(longname, 'n', 256);
	longpath[0] = '/';
	memset(longpath + 1, 'p', 4200);
	opening();
	descriptors();
	sizes();
	allocation();
	close_ranges();
	say("done\n");
	return 0;
}
