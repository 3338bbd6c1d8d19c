/*
 * pidfds: pidfd_open (flags, pids that are none or no process's: EINVAL,
 * ESRCH; a zombie's), the file's look (always close-on-exec,
 * anon_inode:[pidfd], no read or write), its readiness (poll and epoll:
 * readable once the process has ended, a poll that waits woken by the
 * end), pidfd_send_signal (flags, descriptors that are no pidfd, the
 * siginfo's checks, a process gone: ESRCH, another user's: EPERM) and
 * waitid(P_PIDFD) (a child's end, a pidfd with PIDFD_NONBLOCK: EAGAIN, one
 * not of a child: ECHILD).  Run as root and as nobody.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <time.h>

#include "check.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#define PIDFD_NONBLOCK_ O_NONBLOCK

static int pidfd_open(pid_t pid, unsigned flags)
{
	return (int)syscall(SYS_pidfd_open, pid, flags);
}
static int pidfd_send(int fd, int sig, siginfo_t *info, unsigned flags)
{
	return (int)syscall(SYS_pidfd_send_signal, fd, sig, info, flags);
}

static void pause_ms(int ms)
{
	struct timespec d = {ms / 1000, ms % 1000 * 1000000L};
	nanosleep(&d, NULL);
}

/* waits for child c to end, and leaves it a zombie */
static void until_zombie(pid_t c)
{
	siginfo_t si;
	waitid(P_PID, (id_t)c, &si, WEXITED | WNOWAIT);
}

static int poll_in(int fd, int ms)
{
	struct pollfd p = {fd, POLLIN | POLLOUT | POLLPRI, 0};
	int n = poll(&p, 1, ms);
	say("poll = %d, revents %#x\n", n, p.revents);
	return n;
}

/* a child that sleeps ms and exits with code */
static pid_t sleeper(int ms, int code)
{
	pid_t c = fork();
	if (c == 0) {
		pause_ms(ms);
		_exit(code);
	}
	return c;
}

static void opening(void)
{
	say("-- pidfd_open\n");
	int fd = T(pidfd_open(getpid(), 0));
	T(fcntl(fd, F_GETFD));
	T(fcntl(fd, F_GETFL));
	char path[64], link[64] = {0};
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	T(readlink(path, link, sizeof link - 1));
	say("link %s\n", link);
	struct stat st;
	T(fstat(fd, &st));
	say("mode %o\n", st.st_mode);
	char b[8];
	T(read(fd, b, 8));
	T(write(fd, b, 8));
	T(lseek(fd, 0, SEEK_SET));
	poll_in(fd, 0);
	close(fd);
	fd = T(pidfd_open(getpid(), PIDFD_NONBLOCK_));
	T(fcntl(fd, F_GETFL));
	close(fd);
	T(pidfd_open(getpid(), 1));
	T(pidfd_open(getpid(), O_CLOEXEC));
	T(pidfd_open(0, 0));
	T(pidfd_open(-1, 0));
	T(pidfd_open(-getpid(), 0));
	T(pidfd_open(0x7fffffff, 0));
	/* a zombie has a pidfd; a reaped process none */
	pid_t c = sleeper(0, 3);
	until_zombie(c);
	fd = T(pidfd_open(c, 0));
	poll_in(fd, 0);
	close(fd);
	child_status(c);
	T(pidfd_open(c, 0));
}

static void readiness(void)
{
	say("-- poll and epoll\n");
	pid_t c = sleeper(1000, 0);
	int fd = pidfd_open(c, 0);
	poll_in(fd, 0);
	poll_in(fd, -1); /* (woken by the end) */
	poll_in(fd, 0);
	child_status(c);
	poll_in(fd, 0); /* (reaped: still readable) */
	close(fd);

	c = sleeper(1000, 0);
	fd = pidfd_open(c, 0);
	int ep = epoll_create1(0);
	struct epoll_event ev = {EPOLLIN, {.u64 = 7}}, got[2];
	T(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	T(epoll_wait(ep, got, 2, 0));
	int n = T(epoll_wait(ep, got, 2, 5000));
	if (n > 0)
		say("event %#x data %llu\n", got[0].events, (unsigned long long)got[0].data.u64);
	/* edge-triggered: told once */
	ev.events = EPOLLIN | EPOLLET;
	T(epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev));
	T(epoll_wait(ep, got, 2, 0));
	T(epoll_wait(ep, got, 2, 0));
	child_status(c);
	close(ep);
	close(fd);

	/* a process that another ends: readable once it has */
	c = sleeper(10000, 0);
	fd = pidfd_open(c, 0);
	pid_t k = fork();
	if (k == 0) {
		pause_ms(100);
		kill(c, SIGTERM);
		_exit(0);
	}
	poll_in(fd, 5000);
	child_status(k);
	say("status %d\n", child_status(c));
	close(fd);
}

static volatile int got_sig, got_code, got_value;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	got_value = si->si_value.sival_int;
}

static void sending(void)
{
	say("-- pidfd_send_signal\n");
	struct sigaction sa = {0};
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	int self = pidfd_open(getpid(), 0);
	T(pidfd_send(self, 0, NULL, 0));
	T(pidfd_send(self, SIGUSR1, NULL, 0));
	say("got %d code %d\n", got_sig, got_code);
	T(pidfd_send(self, SIGUSR1, NULL, 1));
	T(pidfd_send(self, 65, NULL, 0));
	T(pidfd_send(self, -1, NULL, 0));
	T(pidfd_send(-1, 0, NULL, 0));
	T(pidfd_send(99, 0, NULL, 0));
	int p[2];
	pipe(p);
	T(pidfd_send(p[0], 0, NULL, 0));
	T(pidfd_send(p[0], 0, NULL, 1));
	/* a /proc/PID directory is one too; nothing else of /proc */
	int dir = open("/proc/self", O_RDONLY | O_DIRECTORY);
	got_sig = 0;
	T(pidfd_send(dir, SIGUSR1, NULL, 0));
	say("got %d code %d\n", got_sig, got_code);
	close(dir);
	dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY);
	T(pidfd_send(dir, 0, NULL, 0));
	close(dir);
	dir = open("/proc", O_RDONLY | O_DIRECTORY);
	T(pidfd_send(dir, 0, NULL, 0));
	close(dir);
	dir = open("/proc/self/stat", O_RDONLY);
	T(pidfd_send(dir, 0, NULL, 0));
	close(dir);
	dir = open("/proc/self", O_PATH);
	T(pidfd_send(dir, 0, NULL, 0));
	close(dir);
	pid_t z = sleeper(0, 0);
	char zp[32];
	snprintf(zp, sizeof zp, "/proc/%d", z);
	dir = open(zp, O_RDONLY | O_DIRECTORY);
	until_zombie(z);
	T(pidfd_send(dir, 0, NULL, 0)); /* (a zombie) */
	child_status(z);
	T(pidfd_send(dir, 0, NULL, 0)); /* (reaped) */
	close(dir);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = SIGUSR1;
	si.si_code = SI_QUEUE;
	si.si_value.sival_int = 42;
	got_sig = 0;
	T(pidfd_send(self, SIGUSR1, &si, 0));
	say("got %d code %d value %d\n", got_sig, got_code, got_value);
	T(pidfd_send(self, SIGUSR2, &si, 0)); /* (not the siginfo's signal) */
	si.si_code = SI_USER;                 /* (to oneself: allowed) */
	T(pidfd_send(self, SIGUSR1, &si, 0));
	say("got %d code %d\n", got_sig, got_code);
	T(pidfd_send(self, SIGUSR1, BAD_USER, 0));
	T(pidfd_send(self, SIGUSR1, unmapped_page(), 0));

	/* to a child: only a siginfo with a negative si_code */
	pid_t c = sleeper(10000, 0);
	int fd = pidfd_open(c, 0);
	si.si_signo = SIGTERM;
	si.si_code = SI_USER;
	T(pidfd_send(fd, SIGTERM, &si, 0));
	si.si_code = SI_TKILL;
	T(pidfd_send(fd, SIGTERM, &si, 0));
	si.si_code = SI_QUEUE;
	T(pidfd_send(fd, SIGTERM, &si, 0));
	say("status %d\n", child_status(c));
	T(pidfd_send(fd, 0, NULL, 0)); /* (reaped) */
	T(pidfd_send(fd, SIGKILL, NULL, 0));
	close(fd);

	/* a zombie takes signals */
	c = sleeper(0, 0);
	fd = pidfd_open(c, 0);
	until_zombie(c);
	T(pidfd_send(fd, SIGKILL, NULL, 0));
	say("status %d\n", child_status(c));
	close(fd);

	/* another user's process (as root: a child made nobody; as nobody,
	 * the same user) */
	int up[2];
	pipe(up);
	c = fork();
	if (c == 0) {
		if (setgid(65534) || setuid(65534))
			say("setuid: %s\n", errname(errno));
		int pf = pidfd_open(getppid(), 0);
		TN("child to its parent", pidfd_send(pf, 0, NULL, 0));
		write(up[1], "x", 1);
		pause_ms(10000);
		_exit(0);
	}
	char x;
	read(up[0], &x, 1);
	fd = pidfd_open(c, 0);
	T(pidfd_send(fd, SIGKILL, NULL, 0));
	say("status %d\n", child_status(c));
	close(fd);
	close(p[0]);
	close(p[1]);
	close(self);
	signal(SIGUSR1, SIG_DFL);
}

static void show_info(const siginfo_t *si)
{
	say("si_signo %d si_code %d si_status %d pid ok %d\n", si->si_signo, si->si_code, si->si_status,
	    si->si_pid != 0);
}

static void waiting(void)
{
	say("-- waitid(P_PIDFD)\n");
	siginfo_t si;
	T(waitid(P_PIDFD, -1, &si, WEXITED));
	T(waitid(P_PIDFD, 99, &si, WEXITED));
	int p[2];
	pipe(p);
	T(waitid(P_PIDFD, p[0], &si, WEXITED));
	int self = pidfd_open(getpid(), 0);
	T(waitid(P_PIDFD, self, &si, WEXITED));
	T(waitid(P_PIDFD, self, &si, 0));

	pid_t c = sleeper(1000, 5);
	int fd = pidfd_open(c, 0);
	memset(&si, 0, sizeof si);
	T(waitid(P_PIDFD, fd, &si, WEXITED | WNOHANG));
	say("si_pid %d\n", si.si_pid);
	memset(&si, 0, sizeof si);
	T(waitid(P_PIDFD, fd, &si, WEXITED));
	show_info(&si);
	T(waitid(P_PIDFD, fd, &si, WEXITED)); /* (reaped) */
	close(fd);

	/* PIDFD_NONBLOCK: EAGAIN while it runs (not with WNOHANG: 0) */
	c = sleeper(1000, 6);
	fd = pidfd_open(c, PIDFD_NONBLOCK_);
	T(waitid(P_PIDFD, fd, &si, WEXITED));
	T(waitid(P_PIDFD, fd, &si, WEXITED | WNOHANG));
	poll_in(fd, -1);
	memset(&si, 0, sizeof si);
	T(waitid(P_PIDFD, fd, &si, WEXITED | WNOWAIT));
	show_info(&si);
	memset(&si, 0, sizeof si);
	T(waitid(P_PIDFD, fd, &si, WEXITED));
	show_info(&si);
	close(fd);

	/* a stop and a continue */
	c = sleeper(10000, 0);
	fd = pidfd_open(c, 0);
	kill(c, SIGSTOP);
	memset(&si, 0, sizeof si);
	T(waitid(P_PIDFD, fd, &si, WSTOPPED));
	show_info(&si);
	kill(c, SIGCONT);
	memset(&si, 0, sizeof si);
	T(waitid(P_PIDFD, fd, &si, WCONTINUED));
	show_info(&si);
	kill(c, SIGKILL);
	memset(&si, 0, sizeof si);
	T(waitid(P_PIDFD, fd, &si, WEXITED));
	show_info(&si);
	T(waitid(P_PIDFD, fd, BAD_USER, WEXITED)); /* (reaped: ECHILD, but the siginfo is written) */
	memset(&si, 0xff, sizeof si);
	T(waitid(P_PIDFD, fd, &si, WEXITED));
	say("si_signo %d si_code %d si_pid %d\n", si.si_signo, si.si_code, si.si_pid);
	T(waitid(P_PIDFD, -1, BAD_USER, WEXITED));
	close(fd);

	/* the pidfd of a grandchild: not a child */
	int up[2];
	pipe(up);
	c = fork();
	if (c == 0) {
		pid_t g = sleeper(1000, 0);
		write(up[1], &g, sizeof g);
		child_status(g);
		_exit(0);
	}
	pid_t g;
	read(up[0], &g, sizeof g);
	fd = pidfd_open(g, 0);
	T(waitid(P_PIDFD, fd, &si, WEXITED));
	poll_in(fd, -1);
	child_status(c);
	close(fd);
	close(self);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	opening();
	readiness();
	sending();
	waiting();
	return 0;
}
