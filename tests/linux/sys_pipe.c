/*
 * Pipes as Linux has them: a ring of 16 page buffers (64 KiB), small
 * writes sharing a page, F_GETPIPE_SZ / F_SETPIPE_SZ, PIPE_BUF atomicity,
 * poll readiness by free buffers, packet mode (O_DIRECT), long blocking
 * writes that return only when all went in, a signal that ends one with
 * what went in, EPIPE, FIONREAD.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include "check.h"

static char big[300000];

static int avail(int fd)
{
	int n = -1;
	ioctl(fd, FIONREAD, &n);
	return n;
}

static void drain(int fd)
{
	char b[4096];
	int fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	while (read(fd, b, sizeof b) > 0)
		;
	fcntl(fd, F_SETFL, fl);
}

static int revents(int fd, short ev)
{
	struct pollfd p = {fd, ev, 0};
	poll(&p, 1, 0);
	return p.revents;
}

/* how a 64 KiB pipe fills: byte by byte to the last byte of 16 pages; then
 * a byte fits nowhere once the first page is part read (its room is not
 * the last buffer's) */
static void fill_and_size(void)
{
	int p[2];
	T(pipe2(p, O_NONBLOCK));
	T(fcntl(p[0], F_GETPIPE_SZ));
	T(fcntl(p[1], F_GETPIPE_SZ));
	long n = 0;
	while (write(p[1], "x", 1) == 1)
		n++;
	say("bytes a pipe takes one at a time = %ld, then %s\n", n, errname(errno));
	say("FIONREAD = %d\n", avail(p[0]));
	say("full: POLLOUT %d, POLLIN %d\n", !!(revents(p[1], POLLOUT) & POLLOUT), !!(revents(p[0], POLLIN) & POLLIN));
	char b[4096];
	T(read(p[0], b, 1000));
	TN("write 1 byte after a part of the first page was read", write(p[1], "y", 1));
	say("part read: POLLOUT %d\n", !!(revents(p[1], POLLOUT) & POLLOUT));
	T(read(p[0], b, 3096));
	say("a page read: POLLOUT %d\n", !!(revents(p[1], POLLOUT) & POLLOUT));
	TN("write 4096 with one page free", write(p[1], big, 4096));
	TN("write 1 more", write(p[1], "z", 1));
	drain(p[0]);
	say("drained: FIONREAD %d, POLLIN %d\n", avail(p[0]), !!(revents(p[0], POLLIN) & POLLIN));
	TN("write 5000", write(p[1], big, 5000));
	say("FIONREAD = %d\n", avail(p[0]));
	/* the size: a power of two pages, not below what is in it */
	TN("F_SETPIPE_SZ 1 with two pages in use", fcntl(p[1], F_SETPIPE_SZ, 1));
	TN("F_SETPIPE_SZ 8192 with two pages in use", fcntl(p[1], F_SETPIPE_SZ, 8192));
	say("FIONREAD = %d\n", avail(p[0]));
	T(read(p[0], b, 4096));
	T(read(p[0], b, 4096));
	static const long sizes[] = {0, 1, 4095, 4096, 4097, 65535, 65537, 1 << 20, (1 << 20) + 1};
	for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		char what[64];
		snprintf(what, sizeof what, "F_SETPIPE_SZ %ld", sizes[i]);
		TN(what, fcntl(p[1], F_SETPIPE_SZ, sizes[i]));
	}
	TN("F_SETPIPE_SZ 2^31 + 1", syscall(SYS_fcntl, p[1], F_SETPIPE_SZ, (1ul << 31) + 1));
	TN("F_SETPIPE_SZ 2^32 + 4096", syscall(SYS_fcntl, p[1], F_SETPIPE_SZ, (1ul << 32) + 4096));
	TN("F_SETPIPE_SZ -1", fcntl(p[1], F_SETPIPE_SZ, -1));
	T(fcntl(p[0], F_GETPIPE_SZ));
	char m[32] = {0};
	int fd = open("/proc/sys/fs/pipe-max-size", O_RDONLY);
	TN("read /proc/sys/fs/pipe-max-size", read(fd, m, sizeof m - 1));
	say("pipe-max-size = %s", m);
	close(fd);
	/* one page: small writes share it, PIPE_BUF bytes go whole or not at all */
	T(fcntl(p[1], F_SETPIPE_SZ, 4096));
	T(write(p[1], "a", 1));
	TN("write 4096 into a page with one byte", write(p[1], big, 4096));
	TN("write 5000 into a page with one byte", write(p[1], big, 5000));
	say("FIONREAD = %d\n", avail(p[0]));
	drain(p[0]);
	T(write(p[1], "a", 1));
	TN("write 4095 into a page with one byte", write(p[1], big, 4095));
	TN("and 1 more", write(p[1], "b", 1));
	close(p[0]);
	close(p[1]);
	/* not pipes */
	fd = T(open("/tmp/notpipe", O_CREAT | O_RDWR, 0600));
	T(fcntl(fd, F_GETPIPE_SZ));
	T(fcntl(fd, F_SETPIPE_SZ, 4096));
	TN("F_SETFL O_DIRECT on a file", fcntl(fd, F_SETFL, O_DIRECT));
	close(fd);
	unlink("/tmp/notpipe");
	fd = T(open("/dev/null", O_RDWR));
	T(fcntl(fd, F_GETPIPE_SZ));
	close(fd);
}

/* O_DIRECT: each write a message (a page at most), each read one message */
static void packets(void)
{
	int p[2];
	T(pipe2(p, O_DIRECT | O_NONBLOCK));
	TN("F_GETFL has O_DIRECT", (fcntl(p[0], F_GETFL) & O_DIRECT) != 0);
	T(write(p[1], "abc", 3));
	T(write(p[1], "defgh", 5));
	T(write(p[1], big, 5000));
	say("FIONREAD = %d\n", avail(p[0]));
	char b[8192] = {0};
	TN("read 100", read(p[0], b, 100));
	say("got %.3s\n", b);
	TN("read 2 of a message of 5", read(p[0], b, 2));
	say("got %.2s\n", b);
	TN("read the next", read(p[0], b, sizeof b));
	TN("and the next", read(p[0], b, sizeof b));
	TN("then", read(p[0], b, sizeof b));
	/* packet mode by F_SETFL, on a pipe made without it */
	int q[2];
	T(pipe2(q, O_NONBLOCK));
	T(write(q[1], "one", 3));
	T(write(q[1], "two", 3));
	T(fcntl(q[0], F_SETFL, O_DIRECT | O_NONBLOCK));
	TN("read with O_DIRECT of merged writes", read(q[0], b, 4));
	T(fcntl(q[1], F_SETFL, O_DIRECT | O_NONBLOCK));
	T(write(q[1], "xy", 2));
	T(write(q[1], "zw", 2));
	TN("read a packet", read(q[0], b, 10));
	say("got %.2s\n", b);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

/* a write of more than the pipe holds returns when all of it went in */
static void long_write(void)
{
	int p[2];
	T(pipe(p));
	for (unsigned i = 0; i < sizeof big; i++)
		big[i] = (char)(i * 7 + i / 4096);
	pid_t c = fork();
	if (c == 0) {
		close(p[1]);
		static char got[sizeof big];
		size_t n = 0;
		ssize_t r;
		while ((r = read(p[0], got + n, n + 1000 <= sizeof got ? 1000 : sizeof got - n)) > 0)
			n += (size_t)r;
		_exit(n == sizeof big && !memcmp(got, big, n) ? 0 : 1);
	}
	close(p[0]);
	TN("write 300000 bytes to a slow reader", write(p[1], big, sizeof big));
	close(p[1]);
	int st;
	waitpid(c, &st, 0);
	say("the reader got them all, in order: %s\n", WIFEXITED(st) && !WEXITSTATUS(st) ? "yes" : "no");
}

static void on_alarm(int s) { (void)s; }

/* a signal ends a long write that waits with what went in; one that
 * waits with nothing in fails with EINTR */
static void interrupted(void)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	int p[2];
	T(pipe(p));
	alarm(1);
	TN("write 100000 to a pipe nobody reads, until SIGALRM", write(p[1], big, 100000));
	alarm(1);
	TN("write 1 more to the full pipe, until SIGALRM", write(p[1], "x", 1));
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	drain(p[0]);
	T(write(p[1], big, 60000));
	alarm(1);
	TN("write 10000 to a pipe with 5536 free, SA_RESTART, until SIGALRM", write(p[1], big, 10000));
	signal(SIGALRM, SIG_DFL);
	close(p[0]);
	close(p[1]);
}

/* EPIPE: at once with no reader; after some went in, the count */
static void broken(void)
{
	signal(SIGPIPE, SIG_IGN);
	int p[2];
	T(pipe(p));
	close(p[0]);
	T(write(p[1], "x", 1));
	close(p[1]);
	T(pipe(p));
	pid_t c = fork();
	if (c == 0) {
		char b[10000];
		close(p[1]);
		usleep(100000);
		read(p[0], b, sizeof b);
		_exit(0);
	}
	close(p[0]);
	/* (64 KiB, or 8 KiB more if the writer runs between the reader's read
	 * and its end: either on Linux) */
	ssize_t w = write(p[1], big, 200000);
	say("write to a reader that goes: at least 64 KiB, less than all: %s\n",
	    w >= 65536 && w < 200000 ? "yes" : "no");
	TN("then", write(p[1], "x", 1));
	waitpid(c, NULL, 0);
	close(p[1]);
	/* end of file, empty reads and writes */
	T(pipe(p));
	TN("write 0", write(p[1], big, 0));
	TN("read 0", read(p[0], big, 0));
	close(p[1]);
	TN("read with no writer", read(p[0], big, 10));
	close(p[0]);
	signal(SIGPIPE, SIG_DFL);
}

int main(void)
{
	fill_and_size();
	packets();
	long_write();
	interrupted();
	broken();
	return 0;
}
