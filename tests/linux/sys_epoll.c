/*
 * epoll: epoll_create, epoll_create1, epoll_ctl (every errno), epoll_wait,
 * epoll_pwait and epoll_pwait2; level- and edge-triggered entries, one-shot
 * ones, the order of the events, entries of duplicated descriptors and
 * their end with the open file, epolls inside epolls (and the loop
 * check), pipes, FIFOs, the console and eventfds as sources, a wait woken
 * by another process, timeouts, signals (EINTR, the mask of epoll_pwait),
 * bad pointers.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>

#include "check.h"

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif
#define epoll_pwait2(ep, ev, n, ts, mask) syscall(SYS_epoll_pwait2, ep, ev, n, ts, mask, 8)

static void pause_ms(int ms)
{
	struct timespec d = {0, ms * 1000000L};
	nanosleep(&d, NULL);
}

/* epoll_wait, and the events it gave, one line */
static int wait_show(const char *what, int ep, int max, int timeout)
{
	struct epoll_event ev[16];
	errno = 0;
	int n = epoll_wait(ep, ev, max, timeout);
	if (n < 0) {
		say("%s = -1 %s\n", what, errname(errno));
		return n;
	}
	say("%s = %d:", what, n);
	for (int i = 0; i < n; i++)
		say(" [%#x %lu]", ev[i].events, (unsigned long)ev[i].data.u64);
	say("\n");
	return n;
}

static int add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event e = {.events = events, .data.u64 = data};
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
}

static int mod(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event e = {.events = events, .data.u64 = data};
	return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &e);
}

static void creation(void)
{
	say("-- epoll_create, epoll_create1\n");
	T(epoll_create(0));
	T(epoll_create(-1));
	T(epoll_create1(1));
	T(epoll_create1(EPOLL_CLOEXEC | O_NONBLOCK));
	int ep = T(epoll_create(1));
	T(fcntl(ep, F_GETFD));
	T(fcntl(ep, F_GETFL) & O_ACCMODE);
	int ep2 = T(epoll_create1(EPOLL_CLOEXEC));
	T(fcntl(ep2, F_GETFD));
	struct stat st;
	T(fstat(ep, &st));
	say("mode %o\n", st.st_mode);
	char link[64] = {0}, path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", ep);
	T(readlink(path, link, sizeof link - 1));
	say("link %s\n", link);
	char b[16];
	T(read(ep, b, sizeof b));
	T(write(ep, b, 1));
	T(lseek(ep, 0, SEEK_CUR) >= 0);
	close(ep);
	close(ep2);
}

static void ctl_errors(void)
{
	say("-- epoll_ctl's errors\n");
	int ep = epoll_create1(0), p[2], reg = open("/tmp/epoll.reg", O_CREAT | O_RDWR, 0600);
	int null = open("/dev/null", O_RDWR), dir = open("/", O_RDONLY);
	pipe(p);
	struct epoll_event e = {.events = EPOLLIN, .data.u64 = 1};
	T(epoll_ctl(-1, EPOLL_CTL_ADD, p[0], &e));
	T(epoll_ctl(99, EPOLL_CTL_ADD, p[0], &e));
	T(epoll_ctl(ep, EPOLL_CTL_ADD, 99, &e));
	T(epoll_ctl(ep, EPOLL_CTL_ADD, reg, &e));
	T(epoll_ctl(ep, EPOLL_CTL_ADD, null, &e));
	T(epoll_ctl(ep, EPOLL_CTL_ADD, dir, &e));
	T(epoll_ctl(p[1], EPOLL_CTL_ADD, p[0], &e));
	T(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &e));
	T(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], BAD_USER));
	T(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], NULL));
	T(epoll_ctl(ep, 99, p[0], &e));
	T(epoll_ctl(ep, 99, p[0], NULL));
	T(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &e));
	T(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	T(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e));
	T(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e));
	T(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &e));
	T(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], BAD_USER));
	T(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], BAD_USER)); /* (DEL reads no event) */
	T(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	say("-- EPOLLEXCLUSIVE\n");
	int ep2 = epoll_create1(0);
	T(add(ep, p[1], EPOLLOUT | EPOLLEXCLUSIVE, 2));
	T(mod(ep, p[1], EPOLLOUT, 2));
	T(mod(ep, p[1], EPOLLOUT | EPOLLEXCLUSIVE, 2));
	T(add(ep, p[0], EPOLLIN | EPOLLPRI | EPOLLEXCLUSIVE, 1));
	T(add(ep, p[0], EPOLLIN | EPOLLONESHOT | EPOLLEXCLUSIVE, 1));
	T(add(ep, p[0], EPOLLIN | EPOLLET | EPOLLEXCLUSIVE, 1));
	T(add(ep, ep2, EPOLLIN | EPOLLEXCLUSIVE, 3));
	wait_show("wait", ep, 8, 0);
	T(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
	say("-- loops and depth\n");
	int n[7];
	for (int i = 0; i < 7; i++)
		n[i] = epoll_create1(0);
	T(add(n[0], n[1], EPOLLIN, 0));
	T(add(n[1], n[0], EPOLLIN, 0)); /* a cycle */
	T(add(n[1], n[2], EPOLLIN, 0));
	T(add(n[2], n[0], EPOLLIN, 0)); /* a longer one */
	T(add(n[2], n[3], EPOLLIN, 0));
	T(add(n[3], n[4], EPOLLIN, 0));
	T(add(n[4], n[5], EPOLLIN, 0)); /* e0 > e1 > e2 > e3 > e4 > e5 */
	T(add(n[5], n[6], EPOLLIN, 0));
	T(add(n[5], p[0], EPOLLIN, 0));
	T(add(n[4], p[0], EPOLLIN, 0));
	for (int i = 0; i < 7; i++)
		close(n[i]);
	close(ep2);
	close(ep);
	close(p[0]);
	close(p[1]);
	close(reg);
	close(null);
	close(dir);
	unlink("/tmp/epoll.reg");
}

static void triggers(void)
{
	say("-- level-triggered, edge-triggered, one-shot\n");
	int ep = epoll_create1(0), a[2], b[2], c[2];
	pipe(a);
	pipe(b);
	pipe(c);
	T(add(ep, a[0], EPOLLIN, 10));
	T(add(ep, b[0], EPOLLIN | EPOLLET, 20));
	T(add(ep, c[0], EPOLLIN | EPOLLONESHOT, 30));
	wait_show("nothing yet", ep, 8, 0);
	write(c[1], "c", 1);
	write(b[1], "b", 1);
	write(a[1], "a", 1);
	wait_show("in the order of the writes", ep, 8, 0);
	wait_show("again: the level-triggered one", ep, 8, 0);
	write(b[1], "b", 1);
	wait_show("a write to b: an edge", ep, 8, 0);
	write(c[1], "c", 1);
	wait_show("c fired once: disabled", ep, 8, 0);
	T(mod(ep, c[0], EPOLLIN | EPOLLONESHOT, 31));
	wait_show("re-armed c", ep, 8, 0);
	wait_show("c disabled again", ep, 8, 0);
	char x[8];
	read(a[0], x, sizeof x);
	wait_show("a read empty", ep, 8, 0);
	say("-- maxevents 1: level-triggered entries take turns\n");
	write(a[1], "a", 1);
	T(mod(ep, b[0], EPOLLIN, 21));
	wait_show("1", ep, 1, 0);
	wait_show("2", ep, 1, 0);
	wait_show("3", ep, 1, 0);
	say("-- the ends of a pipe\n");
	T(add(ep, a[1], EPOLLOUT, 11));
	wait_show("a's write end too", ep, 8, 0);
	T(epoll_ctl(ep, EPOLL_CTL_DEL, b[0], NULL));
	T(epoll_ctl(ep, EPOLL_CTL_DEL, a[0], NULL));
	close(a[0]);
	wait_show("a's reader gone", ep, 8, 0);
	T(add(ep, b[0], EPOLLIN | EPOLLRDHUP, 20));
	close(b[1]);
	wait_show("b's writer gone", ep, 8, 0);
	read(b[0], x, sizeof x);
	wait_show("b read", ep, 8, 0);
	T(mod(ep, b[0], 0, 22));
	wait_show("b with no events: HUP all the same", ep, 8, 0);
	close(ep);
	close(a[1]);
	close(b[0]);
	close(c[0]);
	close(c[1]);
}

static void descriptors(void)
{
	say("-- entries are (file, descriptor); they end with the open file\n");
	int ep = epoll_create1(0), p[2];
	pipe(p);
	int d = dup(p[0]);
	T(add(ep, p[0], EPOLLIN, 1));
	T(add(ep, d, EPOLLIN, 2));
	write(p[1], "x", 1);
	wait_show("both descriptors", ep, 8, 0);
	T(close(p[0]));
	wait_show("one closed: its entry stays", ep, 8, 0);
	T(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	T(close(d));
	wait_show("all closed: no entries", ep, 8, 0);
	int q[2];
	pipe(q);
	say("fd reused: %d\n", q[0] == p[0] || q[0] == d || q[1] == p[0] || q[1] == d);
	T(add(ep, q[0], EPOLLIN, 3));
	T(epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL));
	say("-- an entry of a fork's shared file\n");
	T(add(ep, q[0], EPOLLIN, 4));
	pid_t c = fork();
	if (c == 0) {
		close(q[0]);
		write(q[1], "y", 1);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	wait_show("the child's close left it", ep, 8, 0);
	close(q[0]);
	close(q[1]);
	close(ep);
}

static void nested(void)
{
	say("-- epolls inside epolls, poll on an epoll\n");
	int outer = epoll_create1(0), inner = epoll_create1(0), p[2];
	pipe(p);
	T(add(inner, p[0], EPOLLIN, 1));
	T(add(outer, inner, EPOLLIN | EPOLLET, 2));
	struct pollfd pf = {inner, POLLIN, 0};
	T(poll(&pf, 1, 0));
	wait_show("outer", outer, 8, 0);
	write(p[1], "x", 1);
	T(poll(&pf, 1, 0));
	say("revents %#x\n", pf.revents);
	wait_show("outer", outer, 8, 0);
	wait_show("outer again (edge)", outer, 8, 0);
	write(p[1], "x", 1);
	wait_show("outer after a write", outer, 8, 0);
	wait_show("inner", inner, 8, 0);
	char x[8];
	read(p[0], x, sizeof x);
	T(poll(&pf, 1, 0));
	T(mod(outer, inner, EPOLLIN, 3));
	wait_show("outer, inner empty", outer, 8, 0);
	close(p[0]);
	close(p[1]);
	close(inner);
	close(outer);
}

static void sources(void)
{
	say("-- eventfds, FIFOs, the console\n");
	int ep = epoll_create1(0), efd = eventfd(0, EFD_NONBLOCK);
	T(add(ep, efd, EPOLLIN | EPOLLOUT | EPOLLET, 1));
	wait_show("eventfd 0", ep, 8, 0);
	uint64_t v = 3;
	write(efd, &v, 8);
	wait_show("eventfd 3", ep, 8, 0);
	v = 0;
	write(efd, &v, 8);
	wait_show("a write of 0: an edge", ep, 8, 0);
	read(efd, &v, 8);
	wait_show("read", ep, 8, 0);
	close(efd);
	mkfifo("/tmp/epoll.fifo", 0600);
	int r = open("/tmp/epoll.fifo", O_RDONLY | O_NONBLOCK);
	T(add(ep, r, EPOLLIN, 2));
	wait_show("a FIFO, no writer yet", ep, 8, 0);
	int w = open("/tmp/epoll.fifo", O_WRONLY);
	T(add(ep, w, EPOLLOUT, 3));
	write(w, "z", 1);
	wait_show("its writer wrote", ep, 8, 0);
	close(w);
	close(r);
	unlink("/tmp/epoll.fifo");
	T(add(ep, 1, EPOLLOUT, 4));
	wait_show("the console", ep, 8, 0);
	close(ep);
}

static void on_sig(int s)
{
	say("handler %d\n", s);
}

static void waiting(void)
{
	say("-- waits: another process, timeouts, signals\n");
	int ep = epoll_create1(0), p[2];
	pipe(p);
	T(add(ep, p[0], EPOLLIN, 7));
	pid_t c = fork();
	if (c == 0) {
		pause_ms(60);
		write(p[1], "w", 1);
		_exit(0);
	}
	wait_show("woken by the child", ep, 8, -1);
	waitpid(c, NULL, 0);
	char x[8];
	read(p[0], x, sizeof x);
	wait_show("a timeout", ep, 8, 30);
	struct epoll_event ev[2];
	struct timespec ts = {0, 20000000};
	T(epoll_pwait2(ep, ev, 2, &ts, NULL));
	ts.tv_nsec = 1000000000;
	T(epoll_pwait2(ep, ev, 2, &ts, NULL));
	T(epoll_pwait2(ep, ev, 2, BAD_USER, NULL));
	write(p[1], "w", 1);
	T(epoll_pwait2(ep, ev, 2, NULL, NULL));
	read(p[0], x, sizeof x);
	/* a signal ends the wait with EINTR, SA_RESTART or not */
	struct sigaction sa = {.sa_handler = on_sig, .sa_flags = SA_RESTART};
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {{0, 0}, {0, 50000}};
	setitimer(ITIMER_REAL, &it, NULL);
	wait_show("SIGALRM, SA_RESTART", ep, 8, -1);
	/* epoll_pwait's mask: SIGUSR1 blocked but for the wait */
	sigaction(SIGUSR1, &sa, NULL);
	sigset_t block, empty, now;
	sigemptyset(&block);
	sigemptyset(&empty);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	pid_t parent = getpid();
	c = fork();
	if (c == 0) {
		pause_ms(50);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	T(epoll_pwait(ep, ev, 2, -1, &empty));
	waitpid(c, NULL, 0);
	sigprocmask(SIG_BLOCK, NULL, &now);
	fact("SIGUSR1 blocked again", sigismember(&now, SIGUSR1));
	kill(getpid(), SIGUSR1);
	T(epoll_pwait(ep, ev, 2, 0, &block)); /* pending, and blocked by the mask */
	T(syscall(SYS_epoll_pwait, ep, ev, 2, 0, &empty, 4));
	T(syscall(SYS_epoll_pwait, ep, ev, 2, 0, BAD_USER, 8));
	T(epoll_pwait(ep, ev, 2, 0, &empty)); /* the pending one: EINTR */
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	close(p[0]);
	close(p[1]);
	close(ep);
}

static void wait_errors(void)
{
	say("-- epoll_wait's errors\n");
	int ep = epoll_create1(0), p[2];
	pipe(p);
	struct epoll_event ev[2];
	T(epoll_wait(ep, ev, 0, 0));
	T(epoll_wait(ep, ev, -1, 0));
	T(epoll_wait(ep, ev, 0x7fffffff, 0));
	T(epoll_wait(-1, ev, 2, 0));
	T(epoll_wait(p[0], ev, 2, 0));
	T(epoll_wait(ep, BAD_KERNEL, 2, 0));
	T(epoll_wait(ep, BAD_USER, 2, 0)); /* nothing ready: nothing written */
	T(add(ep, p[1], EPOLLOUT, 5));
	T(epoll_wait(ep, BAD_USER, 2, 0));
	T(epoll_wait(ep, NULL, 2, 0));
	wait_show("the event is still there", ep, 2, 0);
	close(p[0]);
	close(p[1]);
	close(ep);
}

static void teardown(void)
{
	say("-- one source in many epolls; ends in any order\n");
	int p[2], ep[8];
	pipe(p);
	for (int i = 0; i < 8; i++) {
		ep[i] = epoll_create1(0);
		add(ep[i], p[0], EPOLLIN | (i & 1 ? EPOLLET : 0), (uint64_t)i);
		if (i)
			add(ep[i], ep[i - 1], EPOLLIN, 100 + (uint64_t)i); /* (a chain: only 4 deep goes in) */
	}
	write(p[1], "x", 1);
	for (int i = 0; i < 8; i++) {
		char what[16];
		snprintf(what, sizeof what, "epoll %d", i);
		wait_show(what, ep[i], 8, 0);
	}
	close(ep[3]);
	close(p[0]);
	wait_show("epoll 0, the pipe closed", ep[0], 8, 0);
	wait_show("epoll 4", ep[4], 8, 0);
	for (int i = 7; i >= 0; i--)
		if (i != 3)
			close(ep[i]);
	say("-- a process killed in epoll_wait\n");
	int e = epoll_create1(0), q[2];
	pipe(q);
	add(e, q[0], EPOLLIN, 1);
	pid_t c = fork();
	if (c == 0) {
		struct epoll_event ev;
		epoll_wait(e, &ev, 1, -1);
		_exit(1);
	}
	pause_ms(50);
	kill(c, SIGKILL);
	int st;
	waitpid(c, &st, 0);
	fact("killed", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	write(q[1], "y", 1);
	wait_show("the parent's epoll", e, 8, 0);
	close(e);
	close(q[0]);
	close(q[1]);
}

/* "console" (the case types a line once "ready" shows): an epoll wait on
 * the console woken by the input */
static int console_input(void)
{
	struct termios t, quiet;
	T(tcgetattr(0, &t));
	quiet = t;
	quiet.c_lflag &= ~(unsigned)ECHO; /* no echo: timing cannot reorder the output */
	T(tcsetattr(0, TCSANOW, &quiet));
	int ep = epoll_create1(0);
	T(add(ep, 0, EPOLLIN | EPOLLET, 9));
	wait_show("nothing typed yet", ep, 8, 0);
	say("ready\n");
	wait_show("a line", ep, 8, 20000);
	char buf[64] = {0};
	long n = T(read(0, buf, sizeof buf - 1));
	say("read \"%.*s\"\n", n > 0 ? (int)n - 1 : 0, buf);
	wait_show("read: no more", ep, 8, 0);
	T(tcsetattr(0, TCSANOW, &t));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "console"))
		return console_input();
	signal(SIGPIPE, SIG_IGN);
	creation();
	ctl_errors();
	triggers();
	descriptors();
	nested();
	sources();
	waiting();
	wait_errors();
	teardown();
	return 0;
}
