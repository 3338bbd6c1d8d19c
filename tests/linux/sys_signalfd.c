/*
 * signalfd and signalfd4: signals taken as struct signalfd_siginfo (kill,
 * sigqueue, tkill, SIGCHLD: their fields), several in one read, a mask
 * changed through the same descriptor, signals outside the mask left
 * pending, every errno, a short buffer, a bad one (the signal is lost),
 * poll and epoll readiness, a read that waits and is woken by another
 * process or interrupted by a signal, a forked child reading its own.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
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

static sigset_t set_of(int a, int b)
{
	sigset_t s;
	sigemptyset(&s);
	if (a)
		sigaddset(&s, a);
	if (b)
		sigaddset(&s, b);
	return s;
}

/* one read of up to n records, each shown */
static void take(int fd, int n)
{
	struct signalfd_siginfo si[4];
	errno = 0;
	long r = read(fd, si, (size_t)n * sizeof si[0]);
	if (r < 0) {
		say("read = -1 %s\n", errname(errno));
		return;
	}
	say("read = %ld\n", r);
	for (long i = 0; i < r / (long)sizeof si[0]; i++) {
		struct signalfd_siginfo *s = &si[i];
		say("  signo %u code %d errno %d pid-is-me %d uid %u int %d ptr %llu status %d fd %d band %u\n",
		    s->ssi_signo, s->ssi_code, s->ssi_errno, s->ssi_pid == (uint32_t)getpid(), s->ssi_uid, s->ssi_int,
		    (unsigned long long)s->ssi_ptr, s->ssi_status, s->ssi_fd, s->ssi_band);
	}
}

static void pending(void)
{
	sigset_t p;
	sigpending(&p);
	say("pending: USR1 %d USR2 %d RTMIN %d\n", sigismember(&p, SIGUSR1), sigismember(&p, SIGUSR2),
	    sigismember(&p, SIGRTMIN));
}

static void creation(void)
{
	say("-- signalfd, signalfd4\n");
	sigset_t m = set_of(SIGUSR1, 0);
	int p[2];
	pipe(p);
	T(syscall(SYS_signalfd4, -1, &m, 4, 0));
	T(syscall(SYS_signalfd4, -1, &m, 16, 0));
	T(syscall(SYS_signalfd4, -1, BAD_USER, 8, 0));
	T(syscall(SYS_signalfd4, -1, &m, 8, 1));
	T(syscall(SYS_signalfd4, -1, BAD_USER, 8, 1));
	T(syscall(SYS_signalfd4, -2, &m, 8, 0));
	T(syscall(SYS_signalfd4, 99, &m, 8, 0));
	T(syscall(SYS_signalfd4, p[0], &m, 8, 0));
	int fd = T(syscall(SYS_signalfd, -1, &m, 8));
	T(fcntl(fd, F_GETFD));
	T(fcntl(fd, F_GETFL));
	T(syscall(SYS_signalfd4, fd, &m, 8, SFD_NONBLOCK | SFD_CLOEXEC)); /* (flags not applied) */
	T(fcntl(fd, F_GETFD));
	T(fcntl(fd, F_GETFL));
	close(fd);
	fd = T(signalfd(-1, &m, SFD_NONBLOCK | SFD_CLOEXEC));
	T(fcntl(fd, F_GETFD));
	T(fcntl(fd, F_GETFL));
	struct stat st;
	T(fstat(fd, &st));
	say("mode %o\n", st.st_mode);
	char link[64] = {0}, path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	T(readlink(path, link, sizeof link - 1));
	say("link %s\n", link);
	T(write(fd, &m, 8));
	close(fd);
	close(p[0]);
	close(p[1]);
}

static void taking(void)
{
	say("-- taking signals\n");
	sigset_t blocked = set_of(SIGUSR1, SIGUSR2), m = set_of(SIGUSR1, SIGRTMIN);
	sigaddset(&blocked, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &blocked, NULL);
	int fd = signalfd(-1, &m, SFD_NONBLOCK);
	take(fd, 1);
	struct pollfd pf = {fd, POLLIN | POLLOUT, 0};
	T(poll(&pf, 1, 0));
	kill(getpid(), SIGUSR1);
	kill(getpid(), SIGUSR2);
	T(poll(&pf, 1, 0));
	say("revents %#x\n", pf.revents);
	pending();
	take(fd, 1);
	pending();
	take(fd, 1);
	union sigval v = {.sival_int = 42};
	sigqueue(getpid(), SIGRTMIN, v);
	v.sival_int = 43;
	sigqueue(getpid(), SIGRTMIN, v);
	kill(getpid(), SIGUSR1);
	take(fd, 4); /* SIGUSR1 first (the lowest), then both of the queue */
	syscall(SYS_tkill, gettid(), SIGUSR1);
	take(fd, 2);
	say("-- short and bad buffers\n");
	kill(getpid(), SIGUSR1);
	char b[200];
	T(read(fd, b, 127));
	T(read(fd, BAD_USER, 128));
	pending(); /* the bad buffer lost it */
	kill(getpid(), SIGUSR1);
	T(read(fd, b, 200)); /* one record */
	say("-- the mask changed through the descriptor\n");
	m = set_of(SIGUSR2, SIGKILL);
	T(signalfd(fd, &m, 0));
	take(fd, 2);
	pending();
	close(fd);
}

static void watched(void)
{
	say("-- epoll\n");
	sigset_t m = set_of(SIGUSR1, 0);
	int fd = signalfd(-1, &m, SFD_NONBLOCK), ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 5}, out[2];
	T(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	T(epoll_wait(ep, out, 2, 0));
	kill(getpid(), SIGUSR1);
	T(epoll_wait(ep, out, 2, 0));
	say("event %#x %llu\n", out[0].events, (unsigned long long)out[0].data.u64);
	take(fd, 1);
	T(epoll_wait(ep, out, 2, 0));
	pid_t parent = getpid(), c = fork();
	if (c == 0) {
		pause_ms(50);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	T(epoll_wait(ep, out, 2, 2000)); /* woken by the child's signal */
	waitpid(c, NULL, 0);
	take(fd, 1);
	close(ep);
	close(fd);
}

static void on_alarm(int s)
{
	(void)s;
}

static void waiting(void)
{
	say("-- reads that wait\n");
	sigset_t m = set_of(SIGUSR1, SIGCHLD);
	sigprocmask(SIG_BLOCK, &m, NULL);
	int fd = signalfd(-1, &m, 0);
	pid_t parent = getpid(), c = fork();
	if (c == 0) {
		pause_ms(50);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	take(fd, 1);
	take(fd, 1); /* the child's end: SIGCHLD */
	waitpid(c, NULL, 0);
	c = fork();
	if (c == 0)
		_exit(3);
	pause_ms(50);
	struct signalfd_siginfo s;
	T(read(fd, &s, sizeof s));
	say("SIGCHLD %d code %d status %d pid-is-child %d\n", s.ssi_signo == SIGCHLD, s.ssi_code, s.ssi_status,
	    s.ssi_pid == (uint32_t)c);
	waitpid(c, NULL, 0);
	say("-- a forked child reads its own signals\n");
	c = fork();
	if (c == 0) {
		struct signalfd_siginfo cs;
		ssize_t n = read(fd, &cs, sizeof cs);
		_exit(n == sizeof cs && cs.ssi_signo == SIGUSR1 && cs.ssi_pid == (uint32_t)getppid() ? 0 : 1);
	}
	pause_ms(50);
	kill(c, SIGUSR1);
	int st;
	waitpid(c, &st, 0);
	say("child %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	take(fd, 1); /* its SIGCHLD */
	say("-- a signal outside the mask interrupts\n");
	struct sigaction sa = {.sa_handler = on_alarm}; /* (no SA_RESTART) */
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {{0, 0}, {0, 50000}};
	setitimer(ITIMER_REAL, &it, NULL);
	take(fd, 1);
	close(fd);
}

int main(void)
{
	creation();
	taking();
	watched();
	waiting();
	return 0;
}
