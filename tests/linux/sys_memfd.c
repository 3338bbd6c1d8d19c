/*
 * memfd_create and file seals: the flags (MFD_CLOEXEC, MFD_ALLOW_SEALING,
 * unknown ones EINVAL), the name (249 bytes at most, EFAULT for a bad
 * pointer), the file's look (fstat, fcntl, /proc/self/fd and maps: a
 * regular file of no directory, /memfd:NAME (deleted)), its use (read,
 * write, lseek, ftruncate, fallocate, mmap shared across fork), and every
 * seal's effect: F_SEAL_SHRINK and F_SEAL_GROW on ftruncate, write and
 * fallocate, F_SEAL_WRITE (EBUSY while a shared writable mapping is
 * there; then writes, holes and writable shared mappings EPERM, read-only
 * ones never writable), F_SEAL_FUTURE_WRITE (the mappings already there
 * still write), F_SEAL_SEAL; F_ADD_SEALS on a memfd without
 * MFD_ALLOW_SEALING, on a file not open for writing, on files of other
 * kinds (EINVAL).  Run as root and as nobody.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "check.h"

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC       1u
#define MFD_ALLOW_SEALING 2u
#endif
#define MFD_HUGETLB_ 4u

static int memfd(const char *name, unsigned flags)
{
	return (int)syscall(SYS_memfd_create, name, flags);
}

static void show_link(int fd)
{
	char path[64], link[512] = {0};
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if (readlink(path, link, sizeof link - 1) < 0)
		say("readlink: %s\n", errname(errno));
	else
		say("link %s\n", link);
}

static void show_stat(int fd)
{
	struct stat st;
	if (fstat(fd, &st)) {
		say("fstat: %s\n", errname(errno));
		return;
	}
	say("mode %o nlink %lu size %lld blocks %lld mine %d\n", st.st_mode, (unsigned long)st.st_nlink,
	    (long long)st.st_size, (long long)st.st_blocks, st.st_uid == geteuid() && st.st_gid == getegid());
}

static void creation(void)
{
	say("-- memfd_create\n");
	int fd = T(memfd("first", 0));
	T(fcntl(fd, F_GETFD));
	T(fcntl(fd, F_GETFL));
	T(fcntl(fd, F_GET_SEALS));
	show_link(fd);
	show_stat(fd);
	close(fd);
	fd = T(memfd("", MFD_CLOEXEC | MFD_ALLOW_SEALING));
	T(fcntl(fd, F_GETFD));
	T(fcntl(fd, F_GET_SEALS));
	show_link(fd);
	close(fd);
	T(memfd("x", 8));
	T(memfd("x", 0x100));
	T(memfd("x", -1));
	T(memfd("x", MFD_HUGETLB_ | 0x40));
	T(memfd(BAD_USER, 0));
	T(memfd(BAD_KERNEL, 0));
	T(memfd(unmapped_page(), MFD_CLOEXEC));
	char name[300];
	memset(name, 'n', sizeof name);
	name[249] = 0;
	fd = T(memfd(name, 0));
	show_link(fd);
	close(fd);
	name[249] = 'n';
	name[250] = 0;
	T(memfd(name, 0));
	/* a name that runs into an unmapped page: how far it is read */
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(p + 4096, 4096);
	memset(p + 4096 - 10, 'a', 10);
	T(memfd(p + 4096 - 10, 0));
	memset(p, 'b', 4096);
	T(memfd(p + 4096 - 260, 0)); /* (too long before the end) */
	munmap(p, 4096);
	/* two of the same name are two files */
	int a = memfd("same", 0), b = memfd("same", 0);
	struct stat sa, sb;
	fstat(a, &sa);
	fstat(b, &sb);
	fact("two files", sa.st_ino != sb.st_ino);
	close(a);
	close(b);
}

static void data(void)
{
	say("-- read, write, lseek, ftruncate, fallocate\n");
	int fd = memfd("data", 0);
	char buf[32] = {0};
	T(write(fd, "hello, memfd", 12));
	T(lseek(fd, 0, SEEK_CUR));
	T(pread(fd, buf, sizeof buf, 7));
	say("read %s\n", buf);
	T(lseek(fd, 0, SEEK_END));
	T(ftruncate(fd, 10000));
	show_stat(fd);
	T(lseek(fd, 0, SEEK_HOLE));
	T(lseek(fd, 5000, SEEK_DATA));
	T(ftruncate(fd, 5));
	memset(buf, 0, sizeof buf);
	T(pread(fd, buf, sizeof buf, 0));
	say("read %s\n", buf);
	T(ftruncate(fd, -1));
	T(fallocate(fd, 0, 0, 8192));
	show_stat(fd);
	T(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096));
	show_stat(fd);
	T(read(fd, BAD_USER, 4));
	T(write(fd, BAD_USER, 4));
	close(fd);
}

static void mapping(void)
{
	say("-- mmap\n");
	int fd = memfd("map", 0);
	T(ftruncate(fd, 8192));
	int *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	fact("mapped", m != MAP_FAILED);
	m[0] = 41;
	pid_t c = fork();
	if (c == 0) {
		m[0]++;
		m[1024] = 7;
		_exit(0);
	}
	child_status(c);
	say("after the child: %d %d\n", m[0], m[1024]);
	int v = 0;
	T(pread(fd, &v, sizeof v, 4096));
	say("file %d\n", v);
	v = 99;
	T(pwrite(fd, &v, sizeof v, 0));
	say("mapping %d\n", m[0]);
	/* the mapping's line in /proc/self/maps names it */
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	while (f && fgets(line, sizeof line, f))
		if (strstr(line, "memfd:"))
			say("maps: %s", strchr(line, '/'));
	if (f)
		fclose(f);
	munmap(m, 8192);
	close(fd);
}

static void seals_basic(void)
{
	say("-- seals\n");
	int fd = memfd("noseal", 0);
	T(fcntl(fd, F_GET_SEALS));
	T(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	close(fd);
	fd = memfd("seals", MFD_ALLOW_SEALING);
	T(fcntl(fd, F_ADD_SEALS, 0));
	T(fcntl(fd, F_ADD_SEALS, 0x20));
	T(fcntl(fd, F_ADD_SEALS, -1));
	T(syscall(SYS_fcntl, fd, F_ADD_SEALS, (1ul << 32) | F_SEAL_GROW));
	T(fcntl(fd, F_GET_SEALS));
	T(write(fd, "0123456789", 10));
	T(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK));
	T(fcntl(fd, F_GET_SEALS));
	T(ftruncate(fd, 5));
	T(ftruncate(fd, 10));
	T(ftruncate(fd, 20));
	T(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
	T(ftruncate(fd, 30));
	T(ftruncate(fd, 20));
	T(pwrite(fd, "ab", 2, 19));
	T(pwrite(fd, "ab", 2, 18));
	T(pwrite(fd, "abc", 3, 0));
	T(fallocate(fd, 0, 0, 20));
	T(fallocate(fd, 0, 0, 21));
	T(fallocate(fd, FALLOC_FL_KEEP_SIZE, 10, 4096));
	T(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4));
	/* a write that runs past the end across pages: what is within goes */
	int g = memfd("grow", MFD_ALLOW_SEALING);
	static char big[8192];
	T(ftruncate(g, 4096 + 10));
	T(fcntl(g, F_ADD_SEALS, F_SEAL_GROW));
	T(pwrite(g, big, sizeof big, 0));
	T(pwrite(g, big, 20, 4096));
	close(g);
	T(fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL));
	T(fcntl(fd, F_GET_SEALS));
	T(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	T(fcntl(fd, F_ADD_SEALS, 0));
	close(fd);
}

static void seals_write(void)
{
	say("-- F_SEAL_WRITE\n");
	int fd = memfd("w", MFD_ALLOW_SEALING);
	T(ftruncate(fd, 4096));
	char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	T(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	munmap(m, 4096);
	/* a read-only shared mapping from a writable descriptor counts too */
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	T(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	/* one of a child counts, and a private one does not */
	munmap(m, 4096);
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	int up[2], down[2];
	pipe(up);
	pipe(down);
	pid_t c = fork();
	if (c == 0) {
		char *s = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (s != MAP_FAILED)
			s[0] = 'c';
		write(up[1], "m", 1);
		char x;
		read(down[0], &x, 1); /* (the parent has tried its seal) */
		_exit(0);
	}
	char x;
	read(up[0], &x, 1);
	T(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	write(down[1], "e", 1);
	child_status(c);
	T(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	T(fcntl(fd, F_GET_SEALS));
	m[1] = 'p'; /* (a private copy) */
	T(write(fd, "x", 1));
	T(pwrite(fd, "x", 0, 0));
	T(pwrite(fd, "x", 1, 100));
	T(ftruncate(fd, 100));
	T(ftruncate(fd, 8192));
	T(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096));
	T(fallocate(fd, 0, 0, 4096));
	void *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	say("shared writable: %s\n", w == MAP_FAILED ? errname(errno) : "mapped");
	char *r = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	say("shared read-only: %s\n", r == MAP_FAILED ? errname(errno) : "mapped");
	if (r != MAP_FAILED) {
		say("reads %c\n", r[0]);
		T(mprotect(r, 4096, PROT_READ | PROT_WRITE));
		munmap(r, 4096);
	}
	char *pv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	say("private writable: %s\n", pv == MAP_FAILED ? errname(errno) : "mapped");
	if (pv != MAP_FAILED)
		munmap(pv, 4096);
	munmap(m, 4096);
	close(fd);
}

static void seals_future(void)
{
	say("-- F_SEAL_FUTURE_WRITE\n");
	int fd = memfd("fw", MFD_ALLOW_SEALING);
	T(ftruncate(fd, 4096));
	char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	T(fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
	T(fcntl(fd, F_GET_SEALS));
	m[0] = 'm'; /* (the mapping there before still writes) */
	char c = 0;
	T(pread(fd, &c, 1, 0));
	say("file %c\n", c);
	T(write(fd, "x", 1));
	T(ftruncate(fd, 100));
	void *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	say("shared writable: %s\n", w == MAP_FAILED ? errname(errno) : "mapped");
	char *r = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	say("shared read-only: %s\n", r == MAP_FAILED ? errname(errno) : "mapped");
	if (r != MAP_FAILED)
		T(mprotect(r, 4096, PROT_READ | PROT_WRITE));
	/* F_SEAL_WRITE now: the writable mapping from before is still there */
	T(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	munmap(m, 4096);
	T(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	T(fcntl(fd, F_GET_SEALS));
	close(fd);
}

/* /proc/self/fd/N reaches the memfd itself (Linux's magic link) */
static void reopen(void)
{
	say("-- /proc/self/fd\n");
	int fd = memfd("again", MFD_ALLOW_SEALING);
	T(write(fd, "abc", 3));
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	struct stat st, st2;
	T(stat(path, &st));
	fstat(fd, &st2);
	fact("the same file", st.st_ino == st2.st_ino && st.st_dev == st2.st_dev);
	int ro = T(open(path, O_RDONLY));
	char buf[8] = {0};
	T(read(ro, buf, sizeof buf));
	say("read %s\n", buf);
	T(fcntl(ro, F_GET_SEALS));
	T(fcntl(ro, F_ADD_SEALS, F_SEAL_GROW)); /* (not open for writing) */
	T(write(ro, "x", 1));
	void *m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, ro, 0);
	fact("read-only shared mapping", m != MAP_FAILED);
	T(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE)); /* (a read-only descriptor's mapping is no writable one) */
	int rw = T(open(path, O_RDWR));
	T(write(rw, "x", 1));
	T(fcntl(rw, F_ADD_SEALS, F_SEAL_SHRINK));
	T(open(path, O_RDWR | O_TRUNC));
	T(fcntl(fd, F_GET_SEALS));
	close(rw);
	if (m != MAP_FAILED)
		munmap(m, 4096);
	close(ro);
	close(fd);
	T(open(path, O_RDONLY)); /* (closed) */
	/* a file no longer named */
	int f = open("/tmp/memfd-gone", O_CREAT | O_RDWR | O_TRUNC, 0600);
	T(write(f, "gone", 4));
	unlink("/tmp/memfd-gone");
	snprintf(path, sizeof path, "/proc/self/fd/%d", f);
	int g = T(open(path, O_RDONLY));
	memset(buf, 0, sizeof buf);
	T(read(g, buf, sizeof buf));
	say("read %s\n", buf);
	close(g);
	close(f);
}

static void seals_other_files(void)
{
	say("-- seals of other files\n");
	int fd = memfd("other", MFD_ALLOW_SEALING);
	/* a pipe's ends: the one not open for writing is EPERM first */
	int p[2];
	pipe(p);
	T(fcntl(p[0], F_ADD_SEALS, F_SEAL_WRITE));
	T(fcntl(p[1], F_ADD_SEALS, F_SEAL_WRITE));
	T(fcntl(p[0], F_GET_SEALS));
	int e = eventfd(0, 0);
	T(fcntl(e, F_GET_SEALS));
	T(fcntl(e, F_ADD_SEALS, F_SEAL_WRITE));
	int d = open("/", O_RDONLY | O_DIRECTORY);
	T(fcntl(d, F_GET_SEALS));
	T(fcntl(d, F_ADD_SEALS, F_SEAL_WRITE));
	int null = open("/dev/null", O_RDWR);
	T(fcntl(null, F_GET_SEALS));
	T(fcntl(null, F_ADD_SEALS, F_SEAL_WRITE));
	int path = open("/tmp", O_PATH);
	T(fcntl(path, F_GET_SEALS));
	T(fcntl(-1, F_GET_SEALS));
	T(fcntl(999, F_ADD_SEALS, F_SEAL_WRITE));
	/* a regular file of the root (a tmpfs): F_SEAL_SEAL alone */
	int f = open("/tmp/memfd-test", O_CREAT | O_RDWR | O_TRUNC, 0600);
	T(fcntl(f, F_GET_SEALS));
	T(fcntl(f, F_ADD_SEALS, F_SEAL_WRITE));
	int fr = open("/tmp/memfd-test", O_RDONLY);
	T(fcntl(fr, F_ADD_SEALS, F_SEAL_WRITE));
	unlink("/tmp/memfd-test");
	close(f);
	close(fr);
	close(path);
	close(null);
	close(d);
	close(e);
	close(p[0]);
	close(p[1]);
	close(fd);
}

int main(void)
{
	creation();
	data();
	mapping();
	seals_basic();
	seals_write();
	seals_future();
	reopen();
	seals_other_files();
	return 0;
}
