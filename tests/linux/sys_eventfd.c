/*
 * eventfd and eventfd2: the counter through 8-byte reads and writes,
 * EFD_SEMAPHORE, EFD_NONBLOCK (EAGAIN), EFD_CLOEXEC, short buffers
 * (EINVAL), the largest count (a write that would pass it waits), bad
 * pointers (EFAULT: what a read took is lost), poll and select readiness,
 * reads and writes that wait and are woken by another process or a
 * signal, the file's look from outside (fstat, fcntl, /proc/self/fd).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include "check.h"

static void pause_ms(int ms)
{
	struct timespec d = {0, ms * 1000000L};
	nanosleep(&d, NULL);
}

static uint64_t v;

static void show_poll(int fd)
{
	struct pollfd p = {fd, POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM, 0};
	int n = poll(&p, 1, 0);
	say("poll = %d, revents %#x\n", n, p.revents);
}

static void creation(void)
{
	say("-- eventfd, eventfd2\n");
	T(syscall(SYS_eventfd2, 0, 8));
	T(syscall(SYS_eventfd2, 0, -1));
	int fd = T(syscall(SYS_eventfd, 5));
	T(fcntl(fd, F_GETFD));
	T(fcntl(fd, F_GETFL));
	T(read(fd, &v, 8));
	say("v = %llu\n", (unsigned long long)v);
	close(fd);
	fd = T(syscall(SYS_eventfd2, 0x100000007ull, EFD_CLOEXEC | EFD_NONBLOCK)); /* (an unsigned int) */
	T(fcntl(fd, F_GETFD));
	T(fcntl(fd, F_GETFL));
	T(read(fd, &v, 8));
	say("v = %llu\n", (unsigned long long)v);
	struct stat st;
	T(fstat(fd, &st));
	say("mode %o size %lld\n", st.st_mode, (long long)st.st_size);
	char link[64] = {0}, path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	T(readlink(path, link, sizeof link - 1));
	say("link %s\n", link);
	T(lseek(fd, 0, SEEK_CUR));
	T(lseek(fd, 5, SEEK_SET));
	T(lseek(fd, -1, 99));
	close(fd);
}

static void counting(void)
{
	say("-- the counter\n");
	int fd = eventfd(0, EFD_NONBLOCK);
	show_poll(fd);
	T(read(fd, &v, 8));
	v = 2;
	T(write(fd, &v, 8));
	v = 40;
	T(write(fd, &v, 8));
	show_poll(fd);
	char big[16];
	T(read(fd, big, 16));
	memcpy(&v, big, 8);
	say("v = %llu\n", (unsigned long long)v);
	T(read(fd, &v, 7));
	T(write(fd, &v, 7));
	T(write(fd, &v, 0));
	v = 1;
	T(write(fd, big, 9) == 8);
	say("-- bad pointers\n");
	T(write(fd, BAD_USER, 8));
	T(read(fd, BAD_USER, 8));
	T(read(fd, &v, 8)); /* the fault took it */
	T(read(fd, BAD_KERNEL, 8));
	say("-- the largest count\n");
	v = UINT64_MAX;
	T(write(fd, &v, 8));
	v = UINT64_MAX - 1;
	T(write(fd, &v, 8));
	show_poll(fd);
	v = 1;
	T(write(fd, &v, 8));
	v = 0;
	T(write(fd, &v, 8));
	T(read(fd, &v, 8));
	say("v = %llu\n", (unsigned long long)v);
	show_poll(fd);
	close(fd);
	say("-- EFD_SEMAPHORE\n");
	fd = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
	for (int i = 0; i < 4; i++) {
		v = 0;
		T(read(fd, &v, 8));
		say("v = %llu\n", (unsigned long long)v);
	}
	close(fd);
}

static void on_alarm(int s)
{
	(void)s;
}

static void waiting(void)
{
	say("-- reads and writes that wait\n");
	int fd = eventfd(0, 0);
	pid_t c = fork();
	if (c == 0) {
		pause_ms(50);
		uint64_t x = 9;
		write(fd, &x, 8);
		_exit(0);
	}
	T(read(fd, &v, 8));
	say("v = %llu from the child\n", (unsigned long long)v);
	waitpid(c, NULL, 0);
	v = UINT64_MAX - 1;
	write(fd, &v, 8);
	c = fork();
	if (c == 0) {
		pause_ms(50);
		uint64_t x;
		read(fd, &x, 8);
		_exit(x == UINT64_MAX - 1 ? 0 : 1);
	}
	v = 5;
	T(write(fd, &v, 8)); /* waits for the child's read */
	int st;
	waitpid(c, &st, 0);
	say("child %d\n", WEXITSTATUS(st));
	T(read(fd, &v, 8));
	say("v = %llu\n", (unsigned long long)v);
	say("-- select\n");
	fd_set r, w;
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(fd, &r);
	FD_SET(fd, &w);
	struct timeval tv = {0, 0};
	T(select(fd + 1, &r, &w, NULL, &tv));
	say("readable %d writable %d\n", FD_ISSET(fd, &r), FD_ISSET(fd, &w));
	say("-- a signal\n");
	struct sigaction sa = {.sa_handler = on_alarm}; /* (no SA_RESTART) */
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {{0, 0}, {0, 50000}};
	setitimer(ITIMER_REAL, &it, NULL);
	T(read(fd, &v, 8));
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	c = fork();
	if (c == 0) {
		pause_ms(120);
		uint64_t x = 4;
		write(fd, &x, 8);
		_exit(0);
	}
	T(read(fd, &v, 8)); /* restarted after the handler */
	say("v = %llu\n", (unsigned long long)v);
	waitpid(c, NULL, 0);
	close(fd);
}

int main(void)
{
	creation();
	counting();
	waiting();
	return 0;
}
