/*
 * Memory locking: mlock, mlock2, munlock, mlockall, munlockall and
 * MAP_LOCKED, with what /proc/self/status shows (VmLck), RLIMIT_MEMLOCK
 * for a process without CAP_IPC_LOCK, what fork and exec do to locks;
 * posix_fadvise.  Sizes are printed as changes, the same on both systems
 * (VmRSS is not: Linux updates it only now and then).
 */
#define _GNU_SOURCE /* mremap */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "check.h"

#define PG   4096ul
#define RW   (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif

static char *self;

/* a line of /proc/self/status in kB (no stdio: nothing is allocated) */
static long status_kb(const char *name)
{
	static char buf[8192];
	int fd = open("/proc/self/status", O_RDONLY);
	long n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	size_t l = strlen(name);
	for (char *p = buf; (p = strstr(p, name)); p++)
		if (p[l] == ':' && (p == buf || p[-1] == '\n'))
			return strtol(p + l + 1, NULL, 10);
	return -1;
}

static long lck(void)
{
	return status_kb("VmLck");
}

static void *map(size_t pages, int prot, int flags)
{
	void *p = mmap(NULL, pages * PG, prot, flags, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static void lock_ranges(void)
{
	say("-- mlock and munlock\n");
	char *p = map(8, RW, ANON);
	long l0 = lck();
	T(mlock(p, 8 * PG));
	say("VmLck grew by %ld kB\n", lck() - l0);
	T(mlock(p, 8 * PG));
	say("locked again: VmLck grew by %ld kB\n", lck() - l0);
	T(munlock(p + 2 * PG, 2 * PG));
	say("two pages unlocked: VmLck grew by %ld kB\n", lck() - l0);
	T(munlock(p, 8 * PG));
	say("all unlocked: VmLck grew by %ld kB\n", lck() - l0);
	T(mlock(p + 100, 4000)); /* the two pages it touches */
	say("unaligned: VmLck grew by %ld kB\n", lck() - l0);
	T(munlock(p + 4095, 1));
	say("unaligned unlock: VmLck grew by %ld kB\n", lck() - l0);
	T(munlock(p, 8 * PG));
	T(syscall(SYS_mlock2, p, PG, 2));
	T(syscall(SYS_mlock2, p, PG, -1));
	T(syscall(SYS_mlock2, p, PG, 0));
	say("mlock2: VmLck grew by %ld kB\n", lck() - l0);
	T(munlock(p, PG));
	char *q = map(4, RW, ANON);
	T(syscall(SYS_mlock2, q, 4 * PG, MLOCK_ONFAULT));
	say("on fault: VmLck grew by %ld kB\n", lck() - l0);
	q[0] = 1;
	T(munmap(q, 4 * PG));
	say("unmapped: VmLck grew by %ld kB\n", lck() - l0);
	/* holes: what comes before one is locked all the same */
	char *h = map(3, RW, ANON);
	T(munmap(h + 2 * PG, PG));
	T(mlock(h, 3 * PG));
	say("up to a hole: VmLck grew by %ld kB\n", lck() - l0);
	T(munlock(h, 3 * PG));
	T(munlock(h + 2 * PG, PG));
	T(mlock(h + 2 * PG, PG));
	T(mlock(BAD_KERNEL, PG));
	T(mlock(p, 1ul << 62));
	T(munlock(p, 8 * PG));
	T(mlock(p, -2 * PG));
	T(mlock(p, ~0ul)); /* (the length wraps to 0) */
	T(mlock(NULL, 0));
	T(syscall(SYS_mlock2, p, 0, MLOCK_ONFAULT));
	say("after the bad ones: VmLck grew by %ld kB\n", lck() - l0);
	T(munlock(h, 2 * PG));
	T(munmap(h, 2 * PG));
	/* inaccessible memory is locked, and cannot be made present */
	char *none = map(2, PROT_NONE, ANON);
	T(mlock(none, 2 * PG));
	say("PROT_NONE: VmLck grew by %ld kB\n", lck() - l0);
	T(munmap(none, 2 * PG));
	/* MAP_LOCKED, madvise, mremap */
	char *m = map(4, RW, ANON | MAP_LOCKED);
	fact("MAP_LOCKED mapped", m != NULL);
	say("MAP_LOCKED: VmLck grew by %ld kB\n", lck() - l0);
	T(madvise(m, PG, MADV_DONTNEED));
	T(madvise(p, PG, MADV_DONTNEED));
	char *g = mremap(m, 4 * PG, 6 * PG, MREMAP_MAYMOVE);
	fact("a locked mapping grew", g != MAP_FAILED);
	say("grown: VmLck grew by %ld kB\n", lck() - l0);
	T(munmap(g, 6 * PG));
	say("gone: VmLck grew by %ld kB\n", lck() - l0);
	T(munmap(p, 8 * PG));
}

static void child_locks(void)
{
	say("child: VmLck %ld kB\n", lck());
	char *c = map(2, RW, ANON);
	say("child: after a mapping, VmLck %ld kB\n", lck());
	T(munmap(c, 2 * PG));
}

static void lock_all(void)
{
	say("-- mlockall and munlockall\n");
	T(mlockall(0));
	T(mlockall(MCL_ONFAULT));
	T(mlockall(8));
	T(mlockall(MCL_FUTURE | 16));
	long l0 = lck();
	T(mlockall(MCL_CURRENT | MCL_FUTURE));
	long l1 = lck();
	fact("everything is locked (VmLck grew)", l1 > l0);
	char *p = map(4, RW, ANON);
	say("a new mapping: VmLck grew by %ld kB\n", lck() - l1);
	char *b0 = (char *)syscall(SYS_brk, 0);
	char *b1 = (char *)syscall(SYS_brk, b0 + 2 * PG);
	fact("brk grew", b1 == b0 + 2 * PG);
	say("brk: VmLck grew by %ld kB\n", lck() - l1);
	syscall(SYS_brk, b0);
	say("brk back: VmLck grew by %ld kB\n", lck() - l1);
	in_child(child_locks); /* locks are not inherited, nor is MCL_FUTURE */
	T(munlockall());
	say("munlockall: VmLck %ld kB\n", lck());
	char *q = map(4, RW, ANON);
	say("a mapping after munlockall: VmLck %ld kB\n", lck());
	T(munmap(q, 4 * PG));
	T(mlockall(MCL_FUTURE | MCL_ONFAULT));
	say("MCL_FUTURE alone: VmLck %ld kB\n", lck());
	q = map(4, RW, ANON);
	say("on fault: VmLck %ld kB\n", lck());
	T(munmap(q, 4 * PG));
	T(munlockall());
	T(munmap(p, 4 * PG));
}

/* the program again: VmLck after exec */
static void exec_child(void)
{
	T(mlockall(MCL_CURRENT | MCL_FUTURE));
	fact("locked before exec", lck() > 0);
	char *argv[] = {self, "after-exec", NULL};
	execv(self, argv);
	say("execv failed\n");
}

static void after_exec(void)
{
	say("after exec: VmLck %ld kB\n", lck());
	char *p = map(2, RW, ANON);
	say("after exec, a mapping: VmLck %ld kB\n", lck());
	munmap(p, 2 * PG);
}

static void limit(rlim_t bytes)
{
	struct rlimit r = {bytes, bytes};
	if (setrlimit(RLIMIT_MEMLOCK, &r))
		say("setrlimit failed\n");
}

/* RLIMIT_MEMLOCK binds a process without CAP_IPC_LOCK */
static void unprivileged(void)
{
	limit(16 * PG);
	if (syscall(SYS_setgid, 65534) || syscall(SYS_setuid, 65534))
		say("setuid failed\n");
	char *p = map(32, RW, ANON);
	long l0 = lck();
	T(mlock(p, 8 * PG));
	T(mlock(p + 8 * PG, 16 * PG));
	T(mlock(p, 8 * PG)); /* (what is locked is not counted twice) */
	T(mlock(p, 16 * PG));
	say("VmLck grew by %ld kB\n", lck() - l0);
	T(mlock(p + 16 * PG, PG));
	T(syscall(SYS_mlock2, p + 16 * PG, PG, MLOCK_ONFAULT));
	T(mlockall(MCL_CURRENT));
	T(munlock(p, 32 * PG));
	T(mlockall(MCL_FUTURE));
	char *q = mmap(NULL, 20 * PG, RW, ANON, -1, 0);
	report("a mapping beyond the limit under MCL_FUTURE", q == MAP_FAILED ? -1 : 0, errno);
	q = mmap(NULL, 4 * PG, RW, ANON, -1, 0);
	report("a mapping within it", q == MAP_FAILED ? -1 : 0, errno);
	T(munlockall());
	q = mmap(NULL, 20 * PG, RW, ANON | MAP_LOCKED, -1, 0);
	report("MAP_LOCKED beyond the limit", q == MAP_FAILED ? -1 : 0, errno);
	char *r = map(4, RW, ANON);
	T(mlock(r, 4 * PG));
	char *s = mremap(r, 4 * PG, 20 * PG, MREMAP_MAYMOVE);
	report("a locked one beyond the limit", s == MAP_FAILED ? -1 : 0, errno);
	limit(0);
	T(mlock(r, PG));
	T(syscall(SYS_mlock2, r, PG, 2));
	T(mlockall(MCL_CURRENT));
	q = mmap(NULL, PG, RW, ANON | MAP_LOCKED, -1, 0);
	report("MAP_LOCKED with no limit", q == MAP_FAILED ? -1 : 0, errno);
	T(munlock(r, 4 * PG));
	T(munlockall());
	say("VmLck %ld kB\n", lck());
}

static void fadvise(void)
{
	say("-- posix_fadvise\n");
	int fd = open("/tmp/fadv", O_CREAT | O_RDWR | O_TRUNC, 0600);
	for (int adv = -1; adv <= 6; adv++) {
		char what[64];
		snprintf(what, sizeof what, "advice %d", adv);
		TN(what, syscall(SYS_fadvise64, fd, 0, 100, adv));
	}
	T(syscall(SYS_fadvise64, fd, -1L, 100, 0));
	T(syscall(SYS_fadvise64, fd, 0, -1L, 0));
	T(syscall(SYS_fadvise64, fd, 1ul << 62, 1ul << 62, 4));
	T(syscall(SYS_fadvise64, -1, 0, 0, 0));
	T(syscall(SYS_fadvise64, 200, 0, 0, 99));
	int pfd[2];
	T(pipe(pfd));
	T(syscall(SYS_fadvise64, pfd[0], 0, 0, 99));
	T(syscall(SYS_fadvise64, pfd[1], 0, -1L, 0));
	T(mkfifo("/tmp/fadv.fifo", 0600));
	int ff = open("/tmp/fadv.fifo", O_RDWR);
	T(syscall(SYS_fadvise64, ff, 0, 0, 0));
	int dir = open("/tmp", O_RDONLY | O_DIRECTORY);
	T(syscall(SYS_fadvise64, dir, 0, 0, 2));
	int null = open("/dev/null", O_WRONLY);
	T(syscall(SYS_fadvise64, null, 0, 0, 3));
	int st = open("/proc/self/status", O_RDONLY);
	T(syscall(SYS_fadvise64, st, 0, 0, 4));
	T(posix_fadvise(fd, 0, 0, 99)); /* (returns the error) */
	close(fd);
	close(ff);
	unlink("/tmp/fadv");
	unlink("/tmp/fadv.fifo");
}

int main(int argc, char **argv)
{
	self = argv[0];
	if (argc > 1 && !strcmp(argv[1], "after-exec")) {
		after_exec();
		return 0;
	}
	lock_ranges();
	lock_all();
	say("-- exec\n");
	in_child(exec_child);
	say("-- RLIMIT_MEMLOCK without CAP_IPC_LOCK\n");
	in_child(unprivileged);
	fadvise();
	return 0;
}
