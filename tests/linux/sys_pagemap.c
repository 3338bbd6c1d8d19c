/* /proc/PID/pagemap: a page's present, file-or-shared, exclusively mapped
 * and soft-dirty bits, and its frame for CAP_SYS_ADMIN alone; pages that
 * fork shares and a write copies; shared and file mappings; addresses
 * outside every mapping; the errors of a read (alignment) and of an open
 * by another user.  Differential: the output must be Linux's. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "check.h"

#define PG 4096

static uint64_t entry(int fd, void *addr)
{
	uint64_t e = 0;
	if (pread(fd, &e, 8, (off_t)((uintptr_t)addr / PG * 8)) != 8)
		say("pread: %s\n", errname(errno));
	return e;
}

static void show(int fd, const char *what, void *addr)
{
	uint64_t e = entry(fd, addr);
	say("%s: present %d file %d exclusive %d soft-dirty %d frame %s\n", what, (int)(e >> 63), (int)(e >> 61 & 1),
	    (int)(e >> 56 & 1), (int)(e >> 55 & 1), (e & ((1ull << 55) - 1)) ? "shown" : "hidden");
}

int main(void)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	fact("opened", fd >= 0);
	char *a = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	a[0] = 1;
	a[2 * PG] = 1;
	show(fd, "written page", a);
	show(fd, "untouched page", a + PG);
	show(fd, "second written page", a + 2 * PG);
	munmap(a + 3 * PG, PG);
	show(fd, "unmapped page", a + 3 * PG);
	uint64_t four[4];
	T(pread(fd, four, sizeof four, (off_t)((uintptr_t)a / PG * 8)));
	fact("entries in a row agree", four[0] == entry(fd, a) && four[2] == entry(fd, a + 2 * PG) && four[3] == 0);
	T(pread(fd, four, 8, 3));
	T(pread(fd, four, 7, 8));
	T(pread(fd, four, 0, 8));
	T(pread(fd, four, 8, (off_t)1 << 60));
	T(lseek(fd, (off_t)((uintptr_t)a / PG * 8), SEEK_SET) > 0);
	T(read(fd, four, 16));
	fact("read at the position", four[0] == entry(fd, a));
	T(read(fd, BAD_USER, 8));
	T(write(fd, four, 8));

	char *s = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	s[0] = 1;
	show(fd, "shared anonymous page", s);
	int ffd = open("/tmp/pagemap_f", O_CREAT | O_RDWR, 0644);
	static char block[PG];
	memset(block, 'x', sizeof block);
	write(ffd, block, PG);
	char *m = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, ffd, 0);
	volatile char c = m[0];
	(void)c;
	show(fd, "private file page, read", m);
	char *w = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, ffd, 0);
	w[0] = 'y';
	show(fd, "private file page, written", w);

	say("-- fork\n");
	fflush(stdout);
	pid_t child = fork();
	if (child == 0) {
		int cfd = open("/proc/self/pagemap", O_RDONLY);
		show(cfd, "child: a page both have", a);
		a[0] = 2;
		show(cfd, "child: after its write", a);
		show(cfd, "child: shared page", s);
		_exit(0);
	}
	waitpid(child, NULL, 0);
	show(fd, "parent: its page after the child", a);

	say("-- as a user\n");
	fflush(stdout);
	if (fork() == 0) {
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/pagemap", getppid());
		if (setgid(65534) || setuid(65534))
			_exit(1);
		TN("open root's pagemap", open(path, O_RDONLY));
		int ufd = open("/proc/self/pagemap", O_RDONLY);
		TN("open its own", ufd >= 0);
		a[0] = 3;
		show(ufd, "user: its own page", a);
		_exit(0);
	}
	wait(NULL);
	unlink("/tmp/pagemap_f");
	return 0;
}
