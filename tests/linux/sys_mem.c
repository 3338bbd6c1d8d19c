/*
 * Memory: brk, mmap (anonymous, private and shared file mappings,
 * MAP_FIXED, MAP_FIXED_NOREPLACE, hints), munmap, mprotect, madvise
 * (DONTNEED), mremap, and their errors; shared anonymous memory across
 * fork, munmap and mremap.  Whether an access faults is found out
 * with a system call that reads or writes the address (write from it to
 * /dev/null gives EFAULT when it is not readable, read into it from
 * /dev/zero when it is not writable): the program never takes a fault.
 */
#define _GNU_SOURCE /* mremap */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "check.h"

#define PG 4096ul
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
/* TM(call): a call that returns an address: "= 0" when it worked */
#define TM(expr) TN(#expr, (void *)(expr) == MAP_FAILED ? -1 : 0)

static int devnull, devzero;

/* can the process read / write at p?  (asked of the kernel) */
static int readable(const void *p)
{
	/* a pipe-less probe: write(2) from p to a regular file */
	static int probe = -1;
	if (probe < 0)
		probe = open("/tmp/probe", O_CREAT | O_RDWR | O_TRUNC, 0600);
	return pwrite(probe, p, 1, 0) == 1;
}

/* writes the byte back that readable() saved (or a zero where there was
 * nothing to read) */
static int writable(void *p, int was_readable)
{
	static int probe = -1;
	if (probe < 0)
		probe = open("/tmp/probe", O_RDWR);
	return was_readable ? pread(probe, p, 1, 0) == 1 : read(devzero, p, 1) == 1;
}

static const char *access_of(void *p)
{
	int r = readable(p), w = writable(p, r);
	return r && w ? "rw" : r ? "r-" : w ? "-w" : "--";
}

static void show_access(const char *what, void *p)
{
	say("%s: %s\n", what, access_of(p));
}

static void brk_checks(void)
{
	say("-- brk\n");
	char *b0 = (char *)syscall(SYS_brk, 0);
	fact("brk(0) is above the program", b0 > (char *)&devnull);
	char *b1 = (char *)syscall(SYS_brk, b0 + 3 * PG + 100);
	fact("brk grows by 3 pages and 100 bytes", b1 == b0 + 3 * PG + 100);
	show_access("the new heap", b0 + 10);
	show_access("the heap's last byte", b1 - 1);
	b1[-1] = 'x';
	fact("the heap holds data", b1[-1] == 'x');
	char *b2 = (char *)syscall(SYS_brk, b0 + PG);
	fact("brk shrinks to one page", b2 == b0 + PG);
	fact("the freed heap is gone", !readable(b0 + 2 * PG + 10));
	b2 = (char *)syscall(SYS_brk, b0 + 3 * PG);
	fact("grown again", b2 == b0 + 3 * PG);
	fact("regrown heap reads as zero", b0[2 * PG + 10] == 0);
	fact("brk below the start fails (returns the current break)", (char *)syscall(SYS_brk, 4096) == b2);
	fact("brk into the kernel fails", (char *)syscall(SYS_brk, 0xffff800000000000ul) == b2);
	fact("brk(0) again", (char *)syscall(SYS_brk, 0) == b2);
	/* something mapped in the way */
	char *in_way = mmap(b0 + 8 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	fact("a mapping above the heap", in_way == b0 + 8 * PG);
	fact("brk over it fails", (char *)syscall(SYS_brk, b0 + 10 * PG) == b2);
	fact("brk up to it works", (char *)syscall(SYS_brk, b0 + 8 * PG) == b0 + 8 * PG);
	munmap(in_way, PG);
	syscall(SYS_brk, b0);
}

static void anon(void)
{
	say("-- anonymous mmap\n");
	char *p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fact("mmap anonymous", p != MAP_FAILED);
	fact("page aligned", ((uintptr_t)p & (PG - 1)) == 0);
	fact("zero filled", p[0] == 0 && p[PG] == 0 && p[3 * PG - 1] == 0);
	p[5] = 'a';
	p[PG + 5] = 'b';
	show_access("rw mapping", p);
	char *q = mmap(NULL, 100, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	show_access("read-only mapping", q);
	show_access("after its 100 bytes (same page)", q + 200);
	char *n = mmap(NULL, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	show_access("PROT_NONE mapping", n);
	char *w = mmap(NULL, PG, PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	show_access("PROT_WRITE mapping", w);
	char *s = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fact("MAP_SHARED anonymous", s != MAP_FAILED);
	s[0] = 1;
	T(munmap(s, PG));
	T(munmap(w, PG));
	T(munmap(n, PG));
	T(munmap(q, 100));

	say("-- mmap errors\n");
	T(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	T(mmap(NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0));
	T(mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	T(mmap(NULL, PG, PROT_READ, 0xf | MAP_ANONYMOUS, -1, 0));
	T(mmap(NULL, PG, 0x100, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED);
	T(mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 100));
	T(mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, PG) != MAP_FAILED);
	T(mmap(NULL, -PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	T(mmap(NULL, 1ul << 50, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	T(mmap((void *)0x100001, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	T(mmap((void *)0x100000000, 1ul << 57, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	T(mmap(BAD_KERNEL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	T(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, -1, 0));
	T(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, 99, 0));
	T(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, devnull, 0));

	say("-- MAP_FIXED, MAP_FIXED_NOREPLACE, hints\n");
	char *f = mmap(p + PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	fact("MAP_FIXED over the middle page", f == p + PG);
	fact("the middle page is new (zero)", p[PG + 5] == 0);
	fact("the first page keeps its data", p[5] == 'a');
	show_access("the middle page", p + PG);
	show_access("the last page", p + 2 * PG);
	T(mmap(p, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0));
	T(mmap(p + PG / 2, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0));
	char *hint = p + 64 * PG;
	char *h = mmap(hint, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fact("a free hint is taken", h == hint);
	char *h2 = mmap(hint, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fact("a taken hint is not", h2 != hint && h2 != MAP_FAILED);
	fact("and the old mapping stays", readable(hint));
	char *h3 = mmap(hint + 100, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fact("an unaligned hint is not an error", h3 != MAP_FAILED);
	char *nr = mmap(hint + 4 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	fact("MAP_FIXED_NOREPLACE at a free place", nr == hint + 4 * PG);
	munmap(h, PG);
	munmap(h2, PG);
	munmap(h3, PG);
	munmap(nr, PG);
	char *low = mmap((void *)0x1000, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fact("a hint below mmap_min_addr goes up to it (64 KiB)", low == (void *)0x10000);
	munmap(low, PG);
	T(mmap((void *)0x1000, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	T(mmap((void *)0, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));

	say("-- munmap\n");
	T(munmap(p + PG, PG));
	show_access("the unmapped middle", p + PG);
	show_access("the first page", p);
	show_access("the last page", p + 2 * PG);
	T(munmap(p + PG, PG));
	T(munmap(p, 3 * PG));
	show_access("all of it", p);
	T(munmap(p + 1, PG));
	T(munmap(p, 0));
	T(munmap(NULL, PG));
	T(munmap(BAD_KERNEL, PG));
	T(munmap((void *)0x100000000, 1ul << 57));
	T(munmap(p, -PG));

	say("-- mprotect\n");
	/* four pages, then a hole of four */
	p = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T(munmap(p + 4 * PG, 4 * PG));
	p[0] = 'x';
	T(mprotect(p + PG, PG, PROT_READ));
	show_access("page 0", p);
	show_access("page 1 (read-only)", p + PG);
	show_access("page 2", p + 2 * PG);
	T(mprotect(p + PG, PG, PROT_NONE));
	show_access("page 1 (none)", p + PG);
	T(mprotect(p + PG, PG, PROT_READ | PROT_WRITE));
	show_access("page 1 (rw again)", p + PG);
	T(mprotect(p, 4 * PG, PROT_READ));
	show_access("page 3 (read-only)", p + 3 * PG);
	fact("data kept", p[0] == 'x');
	T(mprotect(p, 4 * PG, PROT_READ | PROT_WRITE | PROT_EXEC));
	show_access("page 0 rwx", p);
	T(mprotect(p + 1, PG, PROT_READ));
	T(mprotect(p, PG, 0x100));
	T(mprotect(p, 0, PROT_READ));
	T(mprotect(p, 8 * PG, PROT_READ));
	show_access("page 0 after mprotect failed at the hole", p);
	show_access("page 3", p + 3 * PG);
	T(mprotect(p + 4 * PG, PG, PROT_READ));
	T(mprotect(p + 3 * PG, 2 * PG, PROT_READ | PROT_WRITE));
	show_access("page 3", p + 3 * PG);
	T(mprotect(BAD_KERNEL, PG, PROT_READ));
	T(mprotect(p, -PG, PROT_READ));
	T(mprotect(p, PG, PROT_READ | PROT_GROWSDOWN));

	say("-- madvise\n");
	T(mprotect(p, 4 * PG, PROT_READ | PROT_WRITE));
	memset(p, 'y', 4 * PG);
	T(madvise(p + PG, 2 * PG, MADV_DONTNEED));
	fact("page 0 kept", p[10] == 'y');
	fact("pages 1 and 2 read as zero", p[PG + 10] == 0 && p[2 * PG + 10] == 0);
	fact("page 3 kept", p[3 * PG + 10] == 'y');
	T(madvise(p, PG, MADV_NORMAL));
	T(madvise(p, PG, MADV_WILLNEED));
	T(madvise(p, PG, MADV_SEQUENTIAL));
	T(madvise(p, PG, MADV_RANDOM));
	T(madvise(p + 1, PG, MADV_DONTNEED));
	T(madvise(p, PG, 9999));
	T(madvise(p, 0, MADV_DONTNEED));
	T(madvise(p, 0, 9999));
	T(madvise(p + 4 * PG, PG, MADV_DONTNEED));
	T(madvise(p, 8 * PG, MADV_NORMAL));
	T(madvise(BAD_KERNEL, PG, MADV_NORMAL));
	T(madvise(p, -PG, MADV_NORMAL));
	T(madvise(p, 8 * PG, MADV_DONTNEED));
	fact("the pages before the hole were dropped", p[10] == 0 && p[3 * PG + 10] == 0);
	T(munmap(p, 4 * PG));
	T(madvise(p, PG, MADV_NORMAL));
}

static void files(void)
{
	say("-- file mappings\n");
	int fd = T(open("/tmp/m", O_CREAT | O_RDWR | O_TRUNC, 0644));
	char page[PG];
	for (unsigned i = 0; i < PG; i++)
		page[i] = (char)('a' + i % 26);
	T(write(fd, page, PG));
	T(write(fd, "tail", 4));
	char *m = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
	fact("mmap private file", m != MAP_FAILED);
	fact("the first page holds the file", m[0] == 'a' && m[PG - 1] == page[PG - 1]);
	fact("the second page the tail", !memcmp(m + PG, "tail", 4));
	fact("zero after the end of the file", m[PG + 4] == 0 && m[2 * PG - 1] == 0);
	show_access("private read-only", m);
	T(munmap(m, 2 * PG));

	m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, PG);
	fact("mmap at file offset 4096", m != MAP_FAILED && !memcmp(m, "tail", 4));
	memcpy(m, "TAIL", 4);
	char buf[8];
	T(pread(fd, buf, 4, PG));
	fact("a private write does not reach the file", !memcmp(buf, "tail", 4));
	T(pwrite(fd, "tale", 4, PG));
	fact("the private copy keeps its own data", !memcmp(m, "TAIL", 4));
	T(munmap(m, PG));

	m = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0);
	T(pwrite(fd, "ABC", 3, 0));
	fact("an unwritten private page sees later file writes", !memcmp(m, "ABC", 3));
	T(munmap(m, PG));

	m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	fact("mmap shared file", m != MAP_FAILED);
	memcpy(m, "shared", 6);
	T(pread(fd, buf, 6, 0));
	fact("a shared write reaches the file", !memcmp(buf, "shared", 6));
	T(pwrite(fd, "SH", 2, 0));
	fact("a file write reaches the shared mapping", !memcmp(m, "SHared", 6));
	T(msync(m, PG, MS_SYNC));
	T(munmap(m, PG));

	T(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 1));
	T(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, -PG));
	T(close(fd));
	fd = T(open("/tmp/m", O_RDONLY));
	T(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	fact("a private writable mapping of a read-only file", m != MAP_FAILED);
	munmap(m, PG);
	m = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
	fact("a shared read-only mapping of a read-only file", m != MAP_FAILED);
	T(mprotect(m, PG, PROT_READ | PROT_WRITE));
	munmap(m, PG);
	T(close(fd));
	fd = T(open("/tmp/m", O_WRONLY));
	T(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0));
	T(close(fd));
	fd = T(open("/tmp", O_RDONLY));
	T(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0));
	T(close(fd));
	fd = T(open("/dev/console", O_RDWR));
	T(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0));
	T(close(fd));
	fd = T(open("/dev/zero", O_RDWR));
	m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	fact("mmap /dev/zero", m != MAP_FAILED && m[100] == 0);
	T(close(fd));

	/* a file mapping past the end of the file */
	fd = T(open("/tmp/small", O_CREAT | O_RDWR | O_TRUNC, 0644));
	T(write(fd, "x", 1));
	m = mmap(NULL, 3 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
	fact("mmap 3 pages of a 1-byte file", m != MAP_FAILED);
	show_access("its first page", m);
	show_access("its third page (beyond the end of the file)", m + 2 * PG);
	T(ftruncate(fd, 3 * PG));
	fact("grown file: page 2 readable", readable(m + 2 * PG));
	T(munmap(m, 3 * PG));
	T(close(fd));
}

/* private memory stays private across fork, whatever its protection was
 * then */
static void forked(void)
{
	say("-- fork\n");
	char *rw = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	rw[0] = 'a';
	rw[PG] = 'a';
	rw[2 * PG] = 'a';
	T(mprotect(rw + PG, PG, PROT_READ));
	T(mprotect(rw + 2 * PG, PG, PROT_NONE));
	int fd = open("/tmp/m", O_RDONLY);
	char *fm = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	pid_t pid = fork();
	if (pid == 0) {
		rw[0] = 'c';
		mprotect(rw + PG, 2 * PG, PROT_READ | PROT_WRITE);
		rw[PG] = 'c';
		rw[2 * PG] = 'c';
		mprotect(fm, PG, PROT_READ | PROT_WRITE);
		fm[0] = 'c';
		_exit(0);
	}
	int st = -1;
	T(waitpid(pid, &st, 0) == pid);
	say("the child's status %#x\n", st);
	T(mprotect(rw, 3 * PG, PROT_READ));
	say("the parent sees: writable page '%c', read-only page '%c', PROT_NONE page '%c', file page '%c'\n", rw[0],
	    rw[PG], rw[2 * PG], fm[0]);
}

/* a child that runs fn(arg) and exits with its result; its status */
static int run_child(int (*fn)(char *), char *arg)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(fn(arg));
	return child_status(pid);
}

static int write_42s(char *m)
{
	m[0] = 42;      /* untouched before the fork */
	m[2 * PG] = 42; /* untouched too */
	m[PG + 1] = 43; /* touched by the parent before */
	return 0;
}

static int read_3(char *m)
{
	return m[3 * PG];
}

/* a grandchild writes, its parent waits for it and reads */
static int grandchild_writes(char *m)
{
	int st = run_child(read_3, m) == 7 ? 0 : 1;
	pid_t pid = fork();
	if (pid == 0) {
		m[4 * PG] = 44;
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	return st | (m[4 * PG] == 44 ? 0 : 2);
}

static int write_at_5(char *m)
{
	m[5 * PG] = 45;
	return 0;
}

/* the line of /proc/self/maps for the mapping at p, less its inode */
static void show_map(const char *what, void *p)
{
	char line[256], want[32];
	FILE *f = fopen("/proc/self/maps", "r");
	snprintf(want, sizeof want, "%lx-", (unsigned long)p);
	while (f && fgets(line, sizeof line, f)) {
		if (strncmp(line, want, strlen(want)))
			continue;
		char perms[8], dev[16], name[128] = "";
		unsigned long start, end, off, ino;
		sscanf(line, "%lx-%lx %7s %lx %15s %lu %127[^\n]", &start, &end, perms, &off, dev, &ino, name);
		say("%s: %lu pages %s offset %lx dev %s inode %s '%s'\n", what, (end - start) / PG, perms, off, dev,
		    ino ? "set" : "0", name);
	}
	if (f)
		fclose(f);
}

/* shared anonymous memory: one set of pages for every process that has
 * the mapping, whenever a page is first touched, and for every mapping
 * mremap makes of it */
static void shared_anon(void)
{
	say("-- shared anonymous memory\n");
	char *m = mmap(NULL, 8 * PG, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fact("mmap 8 shared pages", m != MAP_FAILED);
	show_map("the mapping", m);
	m[PG] = 1;
	say("a child writes: status %d\n", run_child(write_42s, m));
	say("the parent reads pages untouched before the fork: %d %d; touched: %d\n", m[0], m[2 * PG], m[PG + 1]);
	m[3 * PG] = 7; /* first touched after the fork */
	say("a grandchild writes, a child reads: status %d\n", run_child(grandchild_writes, m));
	say("the parent reads the grandchild's page: %d\n", m[4 * PG]);
	T(madvise(m, PG, MADV_DONTNEED));
	fact("MADV_DONTNEED keeps the data", m[0] == 42);

	say("-- shared anonymous memory: munmap of part, mremap\n");
	T(munmap(m + PG, PG));
	show_access("the unmapped page", m + PG);
	say("a child writes page 5: status %d\n", run_child(write_at_5, m));
	fact("the parent sees it", m[5 * PG] == 45);
	show_map("the first part", m);
	/* move the last four pages: the same pages at the new place */
	char *block = mmap(m + 8 * PG, PG, PROT_NONE, ANON | MAP_FIXED, -1, 0);
	char *q = mremap(m + 4 * PG, 4 * PG, 6 * PG, MREMAP_MAYMOVE);
	fact("moved and grown", q != MAP_FAILED && q != m + 4 * PG && block == m + 8 * PG);
	fact("the data moved with it", q[0] == 44 && q[PG] == 45);
	show_access("its fourth page", q + 3 * PG);
	show_access("its fifth page (beyond the memory's size)", q + 4 * PG);
	show_map("the moved part", q);
	say("a child writes through the moved mapping: status %d\n", run_child(write_42s, q));
	fact("the parent sees it", q[0] == 42 && q[2 * PG] == 42);
	/* old_size 0: a second mapping of the same pages */
	char *dup = mremap(q, 0, 2 * PG, MREMAP_MAYMOVE);
	fact("a duplicate (old_size 0)", dup != MAP_FAILED && dup != q);
	fact("it shows the same pages", dup[0] == 42 && dup[PG] == 45);
	dup[PG + 2] = 99;
	fact("a write through it shows in the other", q[PG + 2] == 99);
	show_map("the duplicate", dup);
	/* MREMAP_DONTUNMAP: the old range still shows the memory */
	char *d = mremap(dup, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
	fact("moved with MREMAP_DONTUNMAP", d != MAP_FAILED && d != dup);
	fact("the new range shows it", d[0] == 42 && d[PG + 2] == 99);
	fact("the old range shows it too", dup[0] == 42 && dup[PG + 2] == 99);
	char *priv = mmap(NULL, PG, RW, ANON, -1, 0);
	T(syscall(SYS_mremap, priv, 0, PG, MREMAP_MAYMOVE, 0));
	T(munmap(priv, PG));
	T(munmap(d, 2 * PG));
	T(munmap(dup, 2 * PG));
	T(munmap(q, 6 * PG));
	T(munmap(block, PG));
	T(munmap(m, 4 * PG));

	say("-- /dev/zero MAP_SHARED\n");
	int zfd = T(open("/dev/zero", O_RDWR));
	char *z = mmap(NULL, 3 * PG, RW, MAP_SHARED, zfd, 0);
	T(close(zfd));
	fact("mapped", z != MAP_FAILED);
	say("a child writes: status %d\n", run_child(write_42s, z));
	say("the parent reads: %d %d %d\n", z[0], z[PG + 1], z[2 * PG]);
	show_map("/dev/zero", z);
	T(munmap(z, 3 * PG));
}

/* is the page at p mapped?  (msync: ENOMEM where nothing is) */
static int mapped(void *p)
{
	return msync(p, PG, MS_ASYNC) == 0;
}

static void remap(void)
{
	say("-- mremap\n");
	char *p = mmap(NULL, 8 * PG, RW, ANON, -1, 0);
	T(munmap(p + 2 * PG, 6 * PG));
	memset(p, 'r', 2 * PG);
	char *q = mremap(p, 2 * PG, 4 * PG, 0);
	fact("grown in place", q == p);
	fact("data kept", q[0] == 'r' && q[2 * PG - 1] == 'r');
	fact("the new pages read as zero", q[2 * PG] == 0 && q[4 * PG - 1] == 0);
	show_access("the new last page", q + 3 * PG);
	q = mremap(p, 4 * PG, PG + 1, 0);
	fact("shrunk to two pages in place", q == p);
	q = mremap(p, 2 * PG, PG, 0);
	fact("shrunk to one page in place", q == p);
	fact("data kept", p[10] == 'r' && p[PG - 1] == 'r');
	fact("the tail is gone", !mapped(p + PG) && !readable(p + PG));
	T(msync(p + PG, 3 * PG, MS_ASYNC));
	T(mprotect(p + PG, 3 * PG, PROT_READ));
	TM(mremap(p, PG, PG, 0));

	say("-- mremap that moves\n");
	char *block = mmap(p + PG, PG, PROT_READ, ANON | MAP_FIXED, -1, 0);
	fact("a mapping in the way", block == p + PG);
	TM(mremap(p, PG, 2 * PG, 0));
	fact("not moved without MREMAP_MAYMOVE", mapped(p) && p[0] == 'r');
	memset(p, 'm', PG);
	q = mremap(p, PG, 3 * PG, MREMAP_MAYMOVE);
	fact("grown with MREMAP_MAYMOVE: moved", q != MAP_FAILED && q != p);
	fact("data kept", q[0] == 'm' && q[PG - 1] == 'm');
	fact("the rest reads as zero", q[PG] == 0 && q[3 * PG - 1] == 0);
	show_access("the moved mapping", q);
	T(msync(p, PG, MS_ASYNC));
	fact("the old range is gone", !readable(p));
	fact("the mapping in the way stays", mapped(block));
	q[PG] = 'n';
	/* a child moves its copy-on-write copy and writes to it */
	pid_t pid = fork();
	if (pid == 0) {
		char *c = mremap(q, 3 * PG, 64 * PG, MREMAP_MAYMOVE);
		if (c == MAP_FAILED)
			_exit(1);
		c[0] = 'c';
		c[63 * PG] = 'c';
		_exit(c[PG] == 'n' && c[1] == 'm' && c[2 * PG] == 0 ? 0 : 2);
	}
	int st = -1;
	T(waitpid(pid, &st, 0) == pid);
	say("the child's status %#x\n", st);
	fact("the parent's pages are its own", q[0] == 'm' && q[PG] == 'n');

	say("-- MREMAP_FIXED\n");
	char *dst = mmap(NULL, 4 * PG, PROT_READ, ANON, -1, 0);
	q[0] = 'f';
	char *r = mremap(q, 3 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, dst + PG);
	fact("moved to new_address", r == dst + PG);
	fact("data kept", r[0] == 'f' && r[PG] == 'n');
	show_access("there", r + PG);
	show_access("the page before (of the mapping that was there)", dst);
	show_access("the page after", dst + 3 * PG);
	T(msync(q, 3 * PG, MS_ASYNC));
	fact("the old range is gone", !mapped(q) && !mapped(q + 2 * PG));
	r = mremap(dst + PG, 2 * PG, 3 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, q);
	fact("moved back, grown", r == q && r[0] == 'f' && r[PG] == 'n' && r[2 * PG] == 0);
	T(msync(dst + PG, PG, MS_ASYNC));
	T(munmap(q, 3 * PG));
	T(munmap(dst, 4 * PG));
	T(munmap(block, PG));

	say("-- mremap errors\n");
	/* a mapping between PROT_NONE pages (no neighbour to merge with) */
	char *g = mmap(NULL, 6 * PG, PROT_NONE, ANON, -1, 0);
	char *e = mmap(g + 2 * PG, 2 * PG, RW, ANON | MAP_FIXED, -1, 0);
	e[0] = 'e';
	T(syscall(SYS_mremap, e + 1, PG, 2 * PG, MREMAP_MAYMOVE, 0));
	T(syscall(SYS_mremap, e, PG, 0, MREMAP_MAYMOVE, 0));
	T(syscall(SYS_mremap, e, PG, 2 * PG, 8, 0));
	T(syscall(SYS_mremap, e, PG, 2 * PG, MREMAP_FIXED, g));
	T(syscall(SYS_mremap, e, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, e + PG));
	T(syscall(SYS_mremap, e, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, e - PG));
	T(syscall(SYS_mremap, e, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, g + 1));
	T(syscall(SYS_mremap, e, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, BAD_KERNEL));
	T(syscall(SYS_mremap, unmapped_page(), PG, 2 * PG, MREMAP_MAYMOVE, 0));
	T(syscall(SYS_mremap, BAD_KERNEL, PG, 2 * PG, MREMAP_MAYMOVE, 0));
	T(syscall(SYS_mremap, e, 4 * PG, 8 * PG, MREMAP_MAYMOVE, 0));
	T(syscall(SYS_mremap, e - PG, PG, 2 * PG, 0, 0));
	T(syscall(SYS_mremap, e, PG, 2 * PG, 0, 0));
	T(syscall(SYS_mremap, e, 0, PG, MREMAP_MAYMOVE, 0));
	T(syscall(SYS_mremap, e, PG, 1ul << 50, MREMAP_MAYMOVE, 0));
	T(syscall(SYS_mremap, e, PG, -PG, MREMAP_MAYMOVE, 0));
	T(syscall(SYS_mremap, e, 2 * PG, PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0));
	T(syscall(SYS_mremap, e, 2 * PG, 2 * PG, MREMAP_DONTUNMAP, 0));
	fact("the mapping is unharmed", e[0] == 'e' && mapped(e) && mapped(e + PG));

	say("-- MREMAP_DONTUNMAP\n");
	memset(e, 'd', 2 * PG);
	char *d = mremap(e, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
	fact("moved", d != MAP_FAILED && d != e);
	fact("data kept", d[0] == 'd' && d[2 * PG - 1] == 'd');
	fact("the old range is still mapped, empty", mapped(e) && e[0] == 0 && e[2 * PG - 1] == 0);
	show_access("the old range", e);
	T(munmap(d, 2 * PG));
	T(munmap(g, 6 * PG));

	say("-- mremap of file mappings\n");
	int fd = T(open("/tmp/remap", O_CREAT | O_RDWR | O_TRUNC, 0644));
	char page[PG];
	for (int i = 0; i < 4; i++) {
		memset(page, 'A' + i, PG);
		T(write(fd, page, PG));
	}
	char *fm = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE, fd, PG);
	char *fb = mmap(fm + 2 * PG, PG, PROT_NONE, ANON | MAP_FIXED, -1, 0);
	fact("a private mapping of pages 1 and 2, blocked", fm != MAP_FAILED && fb == fm + 2 * PG && fm[0] == 'B');
	char *fm2 = mremap(fm, 2 * PG, 3 * PG, MREMAP_MAYMOVE);
	fact("moved", fm2 != MAP_FAILED && fm2 != fm);
	fact("keeps its file offset", fm2[0] == 'B' && fm2[PG] == 'C' && fm2[2 * PG] == 'D');
	T(munmap(fb, PG));
	char *fm3 = mremap(fm2 + PG, PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, fm);
	fact("its second page moved with MREMAP_FIXED", fm3 == fm && fm3[0] == 'C' && fm3[PG] == 'D');
	T(munmap(fm2, 3 * PG));
	T(munmap(fm3, 2 * PG));
	char *sm = mmap(NULL, PG, RW, MAP_SHARED, fd, 0);
	fb = mmap(sm + PG, PG, PROT_NONE, ANON | MAP_FIXED, -1, 0);
	sm[0] = 'x';
	char *sm2 = mremap(sm, PG, 2 * PG, MREMAP_MAYMOVE);
	fact("a shared mapping moved", sm2 != MAP_FAILED && sm2 != sm && sm2[0] == 'x' && sm2[PG] == 'B');
	sm2[PG] = 'y';
	char buf[2];
	T(pread(fd, buf, 1, PG));
	fact("a write there reaches the file", buf[0] == 'y');
	T(munmap(sm2, 2 * PG));
	T(munmap(fb, PG));
	T(close(fd));

	say("-- realloc (a large block: mremap)\n");
	unsigned *big = malloc(1 << 20);
	for (unsigned i = 0; i < (1 << 20) / sizeof *big; i++)
		big[i] = i * 2654435761u;
	unsigned *bigger = realloc(big, 8 << 20);
	fact("realloc to 8 MiB", bigger != NULL);
	int same = 1;
	for (unsigned i = 0; i < (1 << 20) / sizeof *big; i++)
		same &= bigger[i] == i * 2654435761u;
	fact("the contents kept", same);
	memset((char *)bigger + (1 << 20), 'z', 7 << 20);
	fact("the rest usable", ((char *)bigger)[(8 << 20) - 1] == 'z');
	bigger = realloc(bigger, 2 << 20);
	same = 1;
	for (unsigned i = 0; i < (1 << 20) / sizeof *big; i++)
		same &= bigger[i] == i * 2654435761u;
	fact("shrunk to 2 MiB, the contents kept", same);
	free(bigger);
}

/* the signals of bad accesses: the process dies (the case checks how) */
static int die(const char *how)
{
	if (!strcmp(how, "sigbus")) { /* beyond the end of a mapped file */
		int fd = open("/tmp/bus", O_CREAT | O_RDWR | O_TRUNC, 0644);
		write(fd, "x", 1);
		volatile char *m = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
		say("the first page: %c\n", m[0]);
		say("the second page: %d\n", m[PG]);
	} else if (!strcmp(how, "segv")) { /* a write to a read-only mapping */
		volatile char *m = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		say("reads %d\n", m[0]);
		m[0] = 1;
	} else if (!strcmp(how, "unmapped")) {
		volatile char *m = unmapped_page();
		say("reads %d\n", m[0]);
	}
	say("still alive\n");
	return 1;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return die(argv[1]);
	devnull = open("/dev/null", O_RDWR);
	devzero = open("/dev/zero", O_RDONLY);
	brk_checks();
	anon();
	files();
	forked();
	remap();
	shared_anon();
	say("done\n");
	return 0;
}
