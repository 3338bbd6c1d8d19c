/*
 * File attributes: times (utimensat, futimens, utimes, utime, futimesat:
 * UTIME_NOW, UTIME_OMIT, NULL times, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH,
 * a NULL path with a descriptor), owners (chown, fchown, lchown,
 * fchownat, what they do to the set-id bits), the ctime every change
 * sets, and the times truncate and reads change.  Times set explicitly
 * are printed; times that are "now" only as relations.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <utime.h>

#include "check.h"

static long ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000l + t->tv_nsec;
}

static void pause_ms(long ms)
{
	struct timespec d = {0, ms * 1000000};
	nanosleep(&d, NULL);
}

static struct stat st_of(const char *path)
{
	struct stat st;
	memset(&st, 0, sizeof st);
	if (lstat(path, &st))
		say("lstat %s = -1 %s\n", path, errname(errno));
	return st;
}

/* which times an operation changed (b against a) */
static void changed(const char *what, const struct stat *a, const struct stat *b)
{
	say("%s: atime %s, mtime %s, ctime %s\n", what, ns(&b->st_atim) != ns(&a->st_atim) ? "changed" : "kept",
	    ns(&b->st_mtim) != ns(&a->st_mtim) ? "changed" : "kept",
	    ns(&b->st_ctim) != ns(&a->st_ctim) ? "changed" : "kept");
}

/* the times of path: set ones as numbers, "now" ones as facts */
static void show_set(const char *what, const char *path)
{
	struct stat st = st_of(path);
	say("%s: atime %ld.%09ld mtime %ld.%09ld\n", what, (long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
	    (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

/* after a change made now (at or after before): which times are that now */
static void show_now(const char *what, const char *path, const struct timespec *before)
{
	struct stat st = st_of(path);
	/* (the times are one instant on lx4; Linux's sometimes differ by a
	 * clock tick: within 50 ms is the same moment here) */
	long long ac = ns(&st.st_atim) - ns(&st.st_ctim), mc = ns(&st.st_mtim) - ns(&st.st_ctim);
	say("%s: atime is now %s, mtime is now %s, ctime is now %s, atime at ctime %s, mtime at ctime %s\n", what,
	    ns(&st.st_atim) >= ns(before) ? "yes" : "no", ns(&st.st_mtim) >= ns(before) ? "yes" : "no",
	    ns(&st.st_ctim) >= ns(before) ? "yes" : "no", llabs(ac) < 50000000 ? "yes" : "no",
	    llabs(mc) < 50000000 ? "yes" : "no");
}

static struct timespec now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME_COARSE, &t); /* (Linux stamps files from the coarse clock) */
	return t;
}

static long utimensat_raw(int dirfd, const char *path, const struct timespec *ts, int flags)
{
	return syscall(SYS_utimensat, dirfd, path, ts, flags);
}

static void utimensat_times(void)
{
	say("-- utimensat\n");
	T(mkdir("/tmp/at", 0755));
	int fd = T(open("/tmp/at/f", O_CREAT | O_RDWR, 0644));
	struct timespec t2[2] = {{1000000000, 123456789}, {1200000000, 987654321}};
	struct timespec before = now();
	struct stat a = st_of("/tmp/at/f"), b;
	pause_ms(20);
	T(utimensat(AT_FDCWD, "/tmp/at/f", t2, 0));
	show_set("explicit times", "/tmp/at/f");
	b = st_of("/tmp/at/f");
	fact("explicit times: ctime is now", ns(&b.st_ctim) > ns(&a.st_ctim));
	before = now();
	T(utimensat(AT_FDCWD, "/tmp/at/f", NULL, 0));
	show_now("NULL times", "/tmp/at/f", &before);
	T(utimensat(AT_FDCWD, "/tmp/at/f", t2, 0));
	before = now();
	struct timespec both_now[2] = {{0, UTIME_NOW}, {99, UTIME_NOW}};
	T(utimensat(AT_FDCWD, "/tmp/at/f", both_now, 0));
	show_now("UTIME_NOW twice", "/tmp/at/f", &before);
	T(utimensat(AT_FDCWD, "/tmp/at/f", t2, 0));
	before = now();
	struct timespec now_set[2] = {{5, UTIME_NOW}, {1300000000, 5}};
	T(utimensat(AT_FDCWD, "/tmp/at/f", now_set, 0));
	show_now("atime UTIME_NOW, mtime set", "/tmp/at/f", &before);
	struct stat st = st_of("/tmp/at/f");
	say("atime UTIME_NOW, mtime set: mtime %ld.%09ld\n", (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	T(utimensat(AT_FDCWD, "/tmp/at/f", t2, 0));
	a = st_of("/tmp/at/f");
	pause_ms(20);
	struct timespec omit_set[2] = {{5, UTIME_OMIT}, {1400000000, 0}};
	T(utimensat(AT_FDCWD, "/tmp/at/f", omit_set, 0));
	b = st_of("/tmp/at/f");
	changed("atime UTIME_OMIT, mtime set", &a, &b);
	show_set("atime UTIME_OMIT, mtime set", "/tmp/at/f");
	a = b;
	pause_ms(20);
	struct timespec set_omit[2] = {{1500000000, 1}, {0, UTIME_OMIT}};
	T(utimensat(AT_FDCWD, "/tmp/at/f", set_omit, 0));
	b = st_of("/tmp/at/f");
	changed("atime set, mtime UTIME_OMIT", &a, &b);
	a = b;
	pause_ms(20);
	/* both omitted: nothing is done, nothing looked at */
	struct timespec omit[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
	T(utimensat(AT_FDCWD, "/tmp/at/f", omit, 0));
	b = st_of("/tmp/at/f");
	changed("UTIME_OMIT twice", &a, &b);
	T(utimensat_raw(AT_FDCWD, "/tmp/at/missing", omit, 0));
	T(utimensat_raw(12345, NULL, omit, 0));
	T(utimensat_raw(AT_FDCWD, "/tmp/at/f", omit, 0x7777));
	T(utimensat_raw(AT_FDCWD, BAD_USER, omit, 0));
	/* the nanoseconds */
	struct timespec big[2] = {{1, 1000000000}, {1, 0}}, neg[2] = {{1, 0}, {1, -1}},
			max[2] = {{1, 999999999}, {2, 0}};
	T(utimensat(AT_FDCWD, "/tmp/at/f", big, 0));
	T(utimensat(AT_FDCWD, "/tmp/at/f", neg, 0));
	T(utimensat(AT_FDCWD, "/tmp/at/missing", big, 0)); /* the lookup comes first */
	T(utimensat(AT_FDCWD, "/tmp/at/f", max, 0));
	show_set("999999999 ns", "/tmp/at/f");
	struct timespec far[2] = {{-86400l * 365 * 10, 7}, {1l << 34, 8}};
	T(utimensat(AT_FDCWD, "/tmp/at/f", far, 0));
	show_set("before 1970 and after 2038", "/tmp/at/f");
	/* flags */
	T(utimensat_raw(AT_FDCWD, "/tmp/at/f", t2, 0x1));
	T(utimensat_raw(AT_FDCWD, "/tmp/at/f", t2, AT_SYMLINK_FOLLOW));
	/* errors of the path and the pointers */
	T(utimensat(AT_FDCWD, "/tmp/at/missing", NULL, 0));
	T(utimensat(AT_FDCWD, "/tmp/at/f/x", NULL, 0));
	T(utimensat(AT_FDCWD, "/tmp/at/f/", NULL, 0));
	T(utimensat(AT_FDCWD, "", NULL, 0));
	T(utimensat_raw(AT_FDCWD, BAD_USER, NULL, 0));
	T(utimensat_raw(AT_FDCWD, "/tmp/at/f", BAD_USER, 0));
	T(utimensat_raw(AT_FDCWD, "/tmp/at/f", BAD_KERNEL, 0));
	T(utimensat_raw(AT_FDCWD, NULL, NULL, 0)); /* no descriptor: the NULL is a path */
	T(utimensat_raw(AT_FDCWD, NULL, t2, 0));
	char longname[300];
	memset(longname, 'n', sizeof longname - 1);
	longname[sizeof longname - 1] = 0;
	T(utimensat(AT_FDCWD, longname, NULL, 0));
	T(symlink("loop2", "/tmp/at/loop1"));
	T(symlink("loop1", "/tmp/at/loop2"));
	T(utimensat(AT_FDCWD, "/tmp/at/loop1", NULL, 0));
	T(utimensat(AT_FDCWD, "/tmp/at/loop1", NULL, AT_SYMLINK_NOFOLLOW));
	/* a directory descriptor and a name in it */
	int dfd = T(open("/tmp/at", O_RDONLY | O_DIRECTORY));
	T(utimensat(dfd, "f", t2, 0));
	show_set("from a directory descriptor", "/tmp/at/f");
	T(utimensat(fd, "f", t2, 0));
	T(utimensat(12345, "f", t2, 0));
	T(utimensat(-1, "f", t2, 0));
	T(utimensat(12345, "/tmp/at/f", t2, 0)); /* an absolute path: the descriptor is not looked at */
	T(utimensat(dfd, "", t2, 0));
	T(close(dfd));
	T(close(fd));
}

static void symlinks_and_empty_paths(void)
{
	say("-- utimensat: links, empty paths, descriptors\n");
	struct timespec t1[2] = {{1111111111, 1}, {1111111112, 2}}, t2[2] = {{1222222222, 3}, {1222222223, 4}};
	int fd = T(open("/tmp/at/g", O_CREAT | O_RDWR, 0644));
	T(symlink("g", "/tmp/at/lg"));
	T(symlink("nowhere", "/tmp/at/dangling"));
	T(utimensat(AT_FDCWD, "/tmp/at/g", t1, 0));
	T(utimensat(AT_FDCWD, "/tmp/at/lg", t2, AT_SYMLINK_NOFOLLOW));
	show_set("the link (NOFOLLOW)", "/tmp/at/lg");
	show_set("its target", "/tmp/at/g");
	T(utimensat(AT_FDCWD, "/tmp/at/lg", t1, 0));
	show_set("the target (followed)", "/tmp/at/g");
	struct stat st = st_of("/tmp/at/lg");
	/* following a link reads it: its atime is now */
	say("the link: atime moved %s, mtime %ld.%09ld\n", st.st_atim.tv_sec != 1222222222 ? "yes" : "no",
	    (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	T(utimensat(AT_FDCWD, "/tmp/at/dangling", t1, 0));
	T(utimensat(AT_FDCWD, "/tmp/at/dangling", t1, AT_SYMLINK_NOFOLLOW));
	show_set("a dangling link (NOFOLLOW)", "/tmp/at/dangling");
	T(utimensat(AT_FDCWD, "/tmp/at/lg/", t1, AT_SYMLINK_NOFOLLOW));
	/* AT_EMPTY_PATH: the descriptor's file, or the working directory */
	T(utimensat(fd, "", t2, AT_EMPTY_PATH));
	show_set("AT_EMPTY_PATH", "/tmp/at/g");
	T(utimensat(fd, "", t2, 0));
	T(utimensat(12345, "", t2, AT_EMPTY_PATH));
	T(chdir("/tmp/at"));
	T(utimensat(AT_FDCWD, "", t1, AT_EMPTY_PATH));
	show_set("AT_EMPTY_PATH, AT_FDCWD", "/tmp/at");
	T(chdir("/"));
	/* a NULL path with a descriptor: its file (futimens) */
	T(utimensat_raw(fd, NULL, t1, 0));
	show_set("NULL path, descriptor", "/tmp/at/g");
	T(futimens(fd, t2));
	show_set("futimens", "/tmp/at/g");
	T(utimensat_raw(fd, NULL, t1, AT_SYMLINK_NOFOLLOW));
	T(utimensat_raw(fd, NULL, t1, 0x7777));
	T(utimensat_raw(12345, NULL, t1, 0));
	T(utimensat_raw(-1, NULL, t1, 0));
	T(close(fd));
	fd = T(open("/tmp/at/g", O_RDONLY));
	T(futimens(fd, t1));
	T(close(fd));
	fd = T(open("/tmp/at/g", O_WRONLY));
	T(futimens(fd, t2));
	show_set("futimens, write-only", "/tmp/at/g");
	T(close(fd));
	int dfd = T(open("/tmp/at", O_RDONLY | O_DIRECTORY));
	T(futimens(dfd, t2));
	show_set("futimens of a directory", "/tmp/at");
	T(close(dfd));
	/* a pipe has times too */
	int p[2];
	T(pipe(p));
	struct timespec before = now();
	T(futimens(p[0], NULL));
	T(fstat(p[1], &st));
	fact("a pipe's times: now", ns(&st.st_mtim) >= ns(&before) && ns(&st.st_atim) >= ns(&before));
	T(futimens(p[1], t1));
	T(fstat(p[0], &st));
	say("a pipe's mtime: %ld.%09ld\n", (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	T(close(p[0]));
	T(close(p[1]));
}

static void old_forms(void)
{
	say("-- utimes, utime, futimesat\n");
	struct timeval tv[2] = {{1000000001, 5}, {1000000002, 999999}};
	T(syscall(SYS_utimes, "/tmp/at/f", tv));
	show_set("utimes", "/tmp/at/f");
	struct timespec before = now();
	T(syscall(SYS_utimes, "/tmp/at/f", NULL));
	show_now("utimes NULL", "/tmp/at/f", &before);
	struct timeval bad1[2] = {{1, 1000000}, {1, 0}}, bad2[2] = {{1, 0}, {1, -1}};
	struct timeval omit[2] = {{1, UTIME_OMIT}, {1, UTIME_OMIT}};
	T(syscall(SYS_utimes, "/tmp/at/f", bad1));
	T(syscall(SYS_utimes, "/tmp/at/f", bad2));
	T(syscall(SYS_utimes, "/tmp/at/f", omit));
	T(syscall(SYS_utimes, "/tmp/at/missing", bad1)); /* the microseconds come first */
	T(syscall(SYS_utimes, "/tmp/at/missing", tv));
	T(syscall(SYS_utimes, "/tmp/at/f", BAD_USER));
	T(syscall(SYS_utimes, BAD_USER, tv));
	T(syscall(SYS_utimes, "", tv));
	struct utimbuf ub = {1300000003, 1300000004};
	T(syscall(SYS_utime, "/tmp/at/f", &ub));
	show_set("utime", "/tmp/at/f");
	before = now();
	T(syscall(SYS_utime, "/tmp/at/f", NULL));
	show_now("utime NULL", "/tmp/at/f", &before);
	T(syscall(SYS_utime, "/tmp/at/f", BAD_USER));
	T(syscall(SYS_utime, "/tmp/at/missing", &ub));
	T(syscall(SYS_utime, "/tmp/at/f/", &ub));
	int dfd = T(open("/tmp/at", O_RDONLY | O_DIRECTORY));
	T(syscall(SYS_futimesat, dfd, "f", tv));
	show_set("futimesat", "/tmp/at/f");
	int fd = T(open("/tmp/at/g", O_RDONLY));
	T(syscall(SYS_futimesat, fd, NULL, tv));
	show_set("futimesat, NULL path", "/tmp/at/g");
	T(syscall(SYS_futimesat, 12345, NULL, tv));
	T(syscall(SYS_futimesat, AT_FDCWD, NULL, tv));
	T(syscall(SYS_futimesat, fd, "f", tv));
	T(syscall(SYS_futimesat, dfd, "f", bad1));
	T(syscall(SYS_futimesat, dfd, "f", BAD_USER));
	T(close(fd));
	T(close(dfd));
}

static void show_owner(const char *what, const char *path)
{
	struct stat st;
	if (lstat(path, &st))
		say("%s: lstat = -1 %s\n", what, errname(errno));
	else
		say("%s: uid %u gid %u mode %o\n", what, st.st_uid, st.st_gid, st.st_mode & 07777);
}

static void owners(void)
{
	say("-- chown\n");
	T(mkdir("/tmp/own", 0755));
	int fd = T(open("/tmp/own/f", O_CREAT | O_RDWR, 0644));
	struct stat a = st_of("/tmp/own/f"), b;
	pause_ms(20);
	T(chown("/tmp/own/f", 1, 2));
	b = st_of("/tmp/own/f");
	show_owner("chown 1 2", "/tmp/own/f");
	changed("chown", &a, &b);
	a = b;
	pause_ms(20);
	T(chown("/tmp/own/f", -1, -1));
	b = st_of("/tmp/own/f");
	show_owner("chown -1 -1", "/tmp/own/f");
	changed("chown -1 -1", &a, &b);
	T(chown("/tmp/own/f", 3, -1));
	show_owner("chown 3 -1", "/tmp/own/f");
	T(chown("/tmp/own/f", -1, 4));
	show_owner("chown -1 4", "/tmp/own/f");
	T(chown("/tmp/own/f", 0xfffffffe, 0xfffffffe));
	show_owner("chown to the largest ids", "/tmp/own/f");
	T(fchown(fd, 5, 6));
	show_owner("fchown", "/tmp/own/f");
	T(fchown(12345, 0, 0));
	T(fchown(-1, 0, 0));
	/* the set-id bits */
	static const unsigned modes[] = {04755, 02755, 02745, 06755, 06745, 04644, 01777};
	for (unsigned i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		char what[64];
		T(chmod("/tmp/own/f", modes[i]));
		T(chown("/tmp/own/f", 0, 0));
		snprintf(what, sizeof what, "chown of a file %o", modes[i]);
		show_owner(what, "/tmp/own/f");
		T(chmod("/tmp/own/f", modes[i]));
		T(chown("/tmp/own/f", -1, -1));
		snprintf(what, sizeof what, "chown -1 -1 of a file %o", modes[i]);
		show_owner(what, "/tmp/own/f");
	}
	T(mkdir("/tmp/own/d", 0755));
	T(chmod("/tmp/own/d", 06755));
	T(chown("/tmp/own/d", 7, 8));
	show_owner("chown of a directory 6755", "/tmp/own/d");
	/* links: chown follows, lchown and AT_SYMLINK_NOFOLLOW do not */
	T(chmod("/tmp/own/f", 0644));
	T(symlink("f", "/tmp/own/l"));
	T(chown("/tmp/own/f", 0, 0));
	T(lchown("/tmp/own/l", 9, 10));
	show_owner("lchown: the link", "/tmp/own/l");
	show_owner("lchown: the target", "/tmp/own/f");
	T(chown("/tmp/own/l", 11, 12));
	show_owner("chown through a link: the link", "/tmp/own/l");
	show_owner("chown through a link: the target", "/tmp/own/f");
	T(fchownat(AT_FDCWD, "/tmp/own/l", 13, 14, AT_SYMLINK_NOFOLLOW));
	show_owner("fchownat NOFOLLOW", "/tmp/own/l");
	int dfd = T(open("/tmp/own", O_RDONLY | O_DIRECTORY));
	T(fchownat(dfd, "f", 15, 16, 0));
	show_owner("fchownat from a directory", "/tmp/own/f");
	T(fchownat(fd, "", 17, 18, AT_EMPTY_PATH));
	show_owner("fchownat AT_EMPTY_PATH", "/tmp/own/f");
	T(fchownat(fd, "", 17, 18, 0));
	T(fchownat(dfd, "f", 0, 0, 0x1));
	T(fchownat(12345, "f", 0, 0, 0));
	T(fchownat(fd, "f", 0, 0, 0));
	T(symlink("nowhere", "/tmp/own/dangling"));
	T(chown("/tmp/own/dangling", 1, 1));
	T(lchown("/tmp/own/dangling", 1, 1));
	T(chown("/tmp/own/missing", 0, 0));
	T(chown("/tmp/own/f/x", 0, 0));
	T(chown("", 0, 0));
	T(chown(BAD_USER, 0, 0));
	T(lchown(BAD_KERNEL, 0, 0));
	/* /proc: its files take an owner, /proc/sys's do not; no mode */
	T(chown("/proc/sys/kernel/ostype", 1, 1));
	T(chmod("/proc/sys/kernel/ostype", 0644));
	int pfd = T(open("/proc/sys/kernel/ostype", O_RDONLY));
	T(fchmod(pfd, 0644));
	T(fchown(pfd, 1, 1));
	T(close(pfd));
	T(chmod("/proc/self/comm", 0600));
	T(utimensat(AT_FDCWD, "/proc/sys/kernel/ostype", NULL, 0));
	T(close(dfd));
	T(close(fd));
}

static void truncate_and_reads(void)
{
	say("-- the times of truncate and reads\n");
	int fd = T(open("/tmp/at/h", O_CREAT | O_RDWR, 0644));
	T(write(fd, "0123456789", 10));
	struct stat a = st_of("/tmp/at/h"), b;
	pause_ms(20);
	T(truncate("/tmp/at/h", 10));
	b = st_of("/tmp/at/h");
	changed("truncate to the same size", &a, &b);
	pause_ms(20);
	T(truncate("/tmp/at/h", 5));
	b = st_of("/tmp/at/h");
	changed("truncate to a new size", &a, &b);
	a = b;
	pause_ms(20);
	T(ftruncate(fd, 5));
	b = st_of("/tmp/at/h");
	changed("ftruncate to the same size", &a, &b);
	a = b;
	T(close(fd));
	T(truncate("/tmp/at/h", 0));
	a = st_of("/tmp/at/h");
	pause_ms(20);
	fd = T(open("/tmp/at/h", O_WRONLY | O_TRUNC));
	b = st_of("/tmp/at/h");
	changed("O_TRUNC of an empty file", &a, &b);
	T(write(fd, "abc", 3));
	T(close(fd));
	/* Linux's rootfs has no relatime: every read moves the atime, even
	 * one after the mtime and ctime and less than a day old */
	struct timespec t = now();
	struct timespec future[2] = {{t.tv_sec + 3600, 0}, {t.tv_sec - 3600, 0}};
	T(utimensat(AT_FDCWD, "/tmp/at/h", future, 0));
	char c;
	fd = T(open("/tmp/at/h", O_RDONLY));
	T(read(fd, &c, 1));
	b = st_of("/tmp/at/h");
	fact("strictatime: a read moves an atime in the future", b.st_atim.tv_sec < t.tv_sec + 3600);
	struct timespec past[2] = {{t.tv_sec - 7200, 0}, {t.tv_sec - 3600, 0}};
	T(utimensat(AT_FDCWD, "/tmp/at/h", past, 0));
	T(pread(fd, &c, 1, 0));
	b = st_of("/tmp/at/h");
	fact("a read moves an atime before the mtime", b.st_atim.tv_sec >= t.tv_sec);
	T(close(fd));
	T(symlink("h", "/tmp/at/lh"));
	T(utimensat(AT_FDCWD, "/tmp/at/lh", future, AT_SYMLINK_NOFOLLOW));
	char buf[16];
	T(readlink("/tmp/at/lh", buf, sizeof buf));
	b = st_of("/tmp/at/lh");
	fact("readlink moves a link's atime in the future", b.st_atim.tv_sec < t.tv_sec + 3600);
}

int main(void)
{
	utimensat_times();
	symlinks_and_empty_paths();
	old_forms();
	owners();
	truncate_and_reads();
	return 0;
}
