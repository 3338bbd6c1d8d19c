/* /proc/PID/mem: a process's memory at offset = address, read and
 * written whatever the protection (FOLL_FORCE: a private read-only or
 * inaccessible mapping gets its own copy, a shared read-only one is
 * refused), through pread, pwrite and lseek; EIO where nothing is
 * mapped, short counts at the end of a mapping; another process's memory
 * for who may look into it; nothing of a process that has ended.
 * Differential: the output must be Linux's. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "check.h"

#define PG 4096

static char marker[32] = "the first words";

static off_t at(const void *p) { return (off_t)(uintptr_t)p; }

int main(void)
{
	int fd = open("/proc/self/mem", O_RDWR);
	fact("opened", fd >= 0);
	char buf[64] = "";
	T(pread(fd, buf, 15, at(marker)));
	say("read: %s\n", buf);
	T(pwrite(fd, "other words", 12, at(marker)));
	say("the variable now: %s\n", marker);
	T(lseek(fd, at(marker), SEEK_SET) == at(marker));
	memset(buf, 0, sizeof buf);
	T(read(fd, buf, 5));
	say("read at the position: %s\n", buf);

	char *none = mmap(NULL, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T(pwrite(fd, "forced", 7, at(none)));
	mprotect(none, PG, PROT_READ);
	say("an inaccessible page, written: %s\n", none);
	char *ro = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T(pwrite(fd, "into read-only", 15, at(ro)));
	say("a read-only page: %s\n", ro);
	munmap(ro + PG, PG);
	static char big[2 * PG];
	T(pread(fd, big, sizeof big, at(ro)));
	T(pread(fd, big, 8, at(ro + PG)));
	T(pread(fd, big, 8, 0));
	T(pread(fd, big, 8, 1ll << 50));
	T(pread(fd, BAD_USER, 8, at(marker)));
	int file = open("/tmp/procmem_f", O_CREAT | O_RDWR, 0644);
	write(file, "file data", 10);
	close(file);
	file = open("/tmp/procmem_f", O_RDONLY);
	char *shared = mmap(NULL, PG, PROT_READ, MAP_SHARED, file, 0);
	T(pwrite(fd, "no", 2, at(shared)));
	T(pread(fd, buf, 9, at(shared)));
	char *priv = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, file, 0);
	T(pwrite(fd, "mine", 4, at(priv)));
	say("a private file page: %.9s, the file still: %.9s\n", priv, shared);
	unlink("/tmp/procmem_f");

	say("-- another process\n");
	int p[2];
	pipe(p);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		strcpy(marker, "the child's own");
		write(p[1], "x", 1);
		pause();
		_exit(0);
	}
	char x;
	read(p[0], &x, 1);
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/mem", c);
	int cfd = open(path, O_RDWR);
	memset(buf, 0, sizeof buf);
	T(pread(cfd, buf, 15, at(marker)));
	say("the child's: %s, ours: %s\n", buf, marker);
	kill(c, SIGKILL);
	int st;
	while (waitpid(c, &st, WNOHANG) == 0) /* (a zombie while not reaped: it has no memory) */
		usleep(1000);
	T(pread(cfd, buf, 8, at(marker)));
	close(cfd);

	say("-- as a user\n");
	fflush(stdout);
	if (fork() == 0) {
		snprintf(path, sizeof path, "/proc/%d/mem", getppid());
		if (setgid(65534) || setuid(65534))
			_exit(1);
		TN("open root's", open(path, O_RDONLY));
		TN("open its own (it changed ids)", open("/proc/self/mem", O_RDONLY));
		_exit(0);
	}
	wait(NULL);
	return 0;
}
