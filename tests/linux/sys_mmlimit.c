/*
 * The limits on mappings: vm.max_map_count (lowered through /proc/sys to
 * be reached fast), RLIMIT_AS, RLIMIT_DATA, the overcommit policies of
 * vm.overcommit_memory; and mmap's and mprotect's errors about files.
 * What is printed is whether a call worked and its error, never a size
 * (the two systems' memory and mappings differ).
 */
#define _GNU_SOURCE /* mremap */
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "sysctl.h"

#define PG   4096ul
#define MB   (1ul << 20)
#define RW   (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 3
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
/* TM(call): a call that returns an address: "= 0" when it worked */
#define TM(expr) TN(#expr, (void *)(expr) == MAP_FAILED ? -1 : 0)

#define MAX_MAP_COUNT "/proc/sys/vm/max_map_count"
#define OVERCOMMIT    "/proc/sys/vm/overcommit_memory"
#define RATIO         "/proc/sys/vm/overcommit_ratio"

static char *map(size_t len, int prot, int flags)
{
	char *p = mmap(NULL, len, prot, flags, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* the mappings Linux counts against vm.max_map_count: the lines of
 * /proc/self/maps but the vsyscall page (no stdio: nothing is mapped) */
static long map_count(void)
{
	static char buf[1 << 16];
	int fd = open("/proc/self/maps", O_RDONLY);
	long n = 0, total = 0;
	while ((n = read(fd, buf + total, sizeof buf - 1 - total)) > 0)
		total += n;
	close(fd);
	buf[total] = 0;
	long lines = 0;
	for (char *p = buf; (p = strchr(p, '\n')); p++)
		lines++;
	return lines - (strstr(buf, "[vsyscall]") ? 1 : 0);
}

static long status_kb(const char *name)
{
	static char buf[8192];
	int fd = open("/proc/self/status", O_RDONLY);
	long n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	char *p = strstr(buf, name);
	return p ? strtol(p + strlen(name) + 1, NULL, 10) : -1;
}

static void file_errors(void)
{
	say("-- mmap and mprotect of files\n");
	int fd = open("/tmp/mm", O_CREAT | O_RDWR | O_TRUNC, 0600);
	char page[2 * PG] = {1};
	write(fd, page, sizeof page);
	int wr = open("/tmp/mm", O_WRONLY), rd = open("/tmp/mm", O_RDONLY);
	TM(mmap(NULL, PG, PROT_READ, MAP_SHARED, wr, 0));
	TM(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, wr, 0));
	TM(mmap(NULL, PG, PROT_WRITE, MAP_SHARED, wr, 0));
	TM(mmap(NULL, PG, PROT_READ, MAP_SHARED, 99, 0));
	TM(mmap(NULL, 0, PROT_READ, MAP_SHARED, 99, 0));
	TM(mmap(NULL, PG, PROT_READ, 0, 99, 0));
	TM(mmap(NULL, PG, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, rd, 0));
	TM(mmap(NULL, PG, PROT_READ, MAP_SHARED_VALIDATE | 0x400000, rd, 0));
	TM(mmap(NULL, PG, PROT_READ, MAP_SHARED | MAP_SYNC, rd, 0));
	TM(mmap(NULL, PG, PROT_READ, MAP_SHARED_VALIDATE, rd, 0));
	TM(mmap(NULL, PG, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0));
	TM(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, rd, 0));
	TM(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, rd, 0x7ffffffffffff000l));
	char *s = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, rd, 0);
	T(mprotect(s, PG, PROT_READ | PROT_WRITE));
	T(mprotect(s, 3 * PG, PROT_READ));
	T(mprotect(s + 2 * PG, PG, PROT_READ));
	char *pr = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, rd, 0);
	T(mprotect(pr, PG, PROT_READ | PROT_WRITE)); /* (a private copy may be written) */
	munmap(s, 2 * PG);
	munmap(pr, PG);
	close(fd);
	close(wr);
	close(rd);
	unlink("/tmp/mm");
}

static void map_count_limit(void)
{
	say("-- vm.max_map_count\n");
	char old[64], now[64];
	sysctl_get(MAX_MAP_COUNT, old, sizeof old);
	T(sysctl_put(MAX_MAP_COUNT, "-1"));
	T(sysctl_put(MAX_MAP_COUNT, "200"));
	say("max_map_count: %s\n", sysctl_get(MAX_MAP_COUNT, now, sizeof now));
	long limit = 200, slots = 2 * limit + 1;
	char *three = map(3 * PG, RW, ANON);
	/* single pages with gaps between them: each one more mapping */
	char *r = map(slots * PG, PROT_NONE, ANON);
	munmap(r, slots * PG);
	long before = map_count(), made = 0;
	int err = 0;
	for (long i = 0; i < limit + 10; i++, made++) {
		if (mmap(r + (2 * i + 1) * PG, PG, PROT_READ, ANON | MAP_FIXED, -1, 0) == MAP_FAILED) {
			err = errno;
			break;
		}
	}
	say("mapped until %s\n", errname(err));
	fact("as many as the limit allows (Linux: the count may pass it by one)", made == limit + 1 - before);
	fact("maps shows them", map_count() == limit + 1);
	T(munmap(three + PG, PG)); /* a hole makes one more */
	T(mprotect(three, PG, PROT_READ));
	T(mprotect(three, 3 * PG, RW)); /* (no change: no split) */
	T(mlock(three, PG));
	T(munmap(three, PG)); /* (a piece off the end: allowed) */
	T(munmap(r + PG, PG));
	TM(mmap(r + PG, PG, PROT_READ, ANON | MAP_FIXED, -1, 0));
	TM(mmap(r + PG, PG, PROT_READ, ANON | MAP_FIXED, -1, 0));
	munmap(r, slots * PG);
	munmap(three, 3 * PG);
	T(sysctl_put(MAX_MAP_COUNT, old));
	say("restored: %s\n", strcmp(sysctl_get(MAX_MAP_COUNT, now, sizeof now), old) ? "no" : "yes");
}

static void address_space(void)
{
	struct rlimit l = {(rlim_t)status_kb("VmSize") * 1024 + MB, RLIM_INFINITY};
	T(setrlimit(RLIMIT_AS, &l));
	char *a = map(MB / 2, RW, ANON);
	fact("half a MiB within RLIMIT_AS", a != NULL);
	TM(mmap(NULL, 2 * MB, RW, ANON, -1, 0));
	TM(mmap(NULL, 2 * MB, PROT_NONE, ANON, -1, 0));
	TM(mmap(NULL, 2 * MB, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	TM(mmap(a, MB / 2, PROT_READ, ANON | MAP_FIXED, -1, 0)); /* (in place of one as big) */
	TM(mremap(a, MB / 2, 3 * MB, MREMAP_MAYMOVE));
	char *b0 = (char *)syscall(SYS_brk, 0);
	fact("brk beyond RLIMIT_AS refused", (char *)syscall(SYS_brk, b0 + 2 * MB) == b0);
	fact("brk within it", (char *)syscall(SYS_brk, b0 + 4 * PG) == b0 + 4 * PG);
}

static void data(void)
{
	struct rlimit l = {(rlim_t)status_kb("VmData") * 1024 + MB, RLIM_INFINITY};
	T(setrlimit(RLIMIT_DATA, &l));
	char *b0 = (char *)syscall(SYS_brk, 0);
	fact("brk beyond RLIMIT_DATA refused", (char *)syscall(SYS_brk, b0 + 2 * MB) == b0);
	fact("brk within it", (char *)syscall(SYS_brk, b0 + 4 * PG) == b0 + 4 * PG);
	char *a = map(MB / 2, RW, ANON);
	fact("half a MiB within RLIMIT_DATA", a != NULL);
	TM(mmap(NULL, 2 * MB, RW, ANON, -1, 0));
	TM(mmap(NULL, 2 * MB, PROT_READ, ANON, -1, 0));
	TM(mmap(NULL, 2 * MB, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	char *ro = map(2 * MB, PROT_READ, ANON);
	T(mprotect(ro, 2 * MB, RW));
	T(mprotect(ro, PG, RW));
	TM(mremap(a, MB / 2, 3 * MB, MREMAP_MAYMOVE));
	/* a soft limit of 0 is taken as the hard one (for Valgrind) */
	struct rlimit z = {0, RLIM_INFINITY};
	T(setrlimit(RLIMIT_DATA, &z));
	TM(mmap(NULL, 4 * PG, RW, ANON, -1, 0));
	fact("brk with a limit of 0 refused", (char *)syscall(SYS_brk, b0 + 8 * PG) == b0 + 4 * PG);
}

static void overcommit(void)
{
	say("-- vm.overcommit_memory\n");
	char buf[64];
	say("overcommit_memory: %s\n", sysctl_get(OVERCOMMIT, buf, sizeof buf));
	say("overcommit_ratio: %s\n", sysctl_get(RATIO, buf, sizeof buf));
	size_t huge = 1ul << 40;
	TM(mmap(NULL, huge, RW, ANON, -1, 0));
	TM(mmap(NULL, huge, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	char *ro = map(huge, PROT_READ, ANON);
	fact("a terabyte that cannot be written", ro != NULL);
	T(mprotect(ro, huge, RW));
	T(mprotect(ro, MB, RW));
	munmap(ro, huge);
	char *nr = map(huge, RW, ANON | MAP_NORESERVE);
	fact("a terabyte with MAP_NORESERVE", nr != NULL);
	munmap(nr, huge);
	char *m = map(64 * MB, RW, ANON);
	fact("64 MiB", m != NULL);
	munmap(m, 64 * MB);
	char *b0 = (char *)syscall(SYS_brk, 0);
	fact("brk of a terabyte refused", (char *)syscall(SYS_brk, b0 + huge) == b0);
	T(sysctl_put(OVERCOMMIT, "3"));
	T(sysctl_put(OVERCOMMIT, "one"));
	T(sysctl_put(OVERCOMMIT, "1"));
	m = map(huge, RW, ANON);
	fact("always: a terabyte", m != NULL);
	munmap(m, huge);
	T(sysctl_put(OVERCOMMIT, "2"));
	say("overcommit_memory: %s\n", sysctl_get(OVERCOMMIT, buf, sizeof buf));
	TM(mmap(NULL, 1ul << 30, RW, ANON, -1, 0));
	TM(mmap(NULL, 1ul << 30, RW, ANON | MAP_NORESERVE, -1, 0));
	m = map(MB, RW, ANON);
	fact("never: a MiB", m != NULL);
	munmap(m, MB);
	m = map(1ul << 30, PROT_READ, ANON);
	fact("never: a GiB that cannot be written", m != NULL);
	T(mprotect(m, 1ul << 30, RW));
	munmap(m, 1ul << 30);
	/* fork commits the parent's private writable memory again */
	m = map(150 * MB, RW, ANON);
	fact("never: 150 MiB", m != NULL);
	for (int i = 0; i < 2; i++) {
		fflush(stdout);
		pid_t c = fork();
		if (c == 0)
			_exit(0);
		say("fork with %s MiB committed: %s\n", i ? "a few" : "150", c < 0 ? errname(errno) : "a child");
		if (c > 0)
			waitpid(c, NULL, 0);
		munmap(m, 150 * MB);
	}
	T(sysctl_put(RATIO, "0"));
	TM(mmap(NULL, MB, RW, ANON, -1, 0));
	T(sysctl_put(RATIO, "50"));
	T(sysctl_put(OVERCOMMIT, "0"));
	say("overcommit_memory: %s\n", sysctl_get(OVERCOMMIT, buf, sizeof buf));
}

int main(void)
{
	file_errors();
	map_count_limit();
	say("-- RLIMIT_AS\n");
	in_child(address_space);
	say("-- RLIMIT_DATA\n");
	in_child(data);
	overcommit();
	return 0;
}
