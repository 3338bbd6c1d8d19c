/* Signal-driven I/O: fcntl's F_SETOWN, F_GETOWN, F_SETOWN_EX,
 * F_GETOWN_EX, F_SETSIG and F_GETSIG, O_ASYNC set by F_SETFL, SIGIO (from
 * the kernel) or the F_SETSIG signal (POLL_IN or POLL_OUT, its band and
 * descriptor) when a pipe gets data, room, or loses its other end; an
 * owner that is another process or a process group; an owner set by a
 * user who may not signal it (no signal); the errors.  Differential: the
 * output must be Linux's. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "check.h"

static volatile int count, last_sig, last_code, last_fd;
static volatile long last_band;

static void on_signal(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	count++;
	last_sig = sig;
	last_code = si->si_code;
	last_band = si->si_band;
	last_fd = si->si_fd;
}

static void catch(int sig)
{
	struct sigaction sa = {0};
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(sig, &sa, NULL);
}

static void report_signals(const char *when)
{
	if (!count) {
		say("%s: no signal\n", when);
		return;
	}
	say("%s: %d signal(s), last %s code %d", when, count, last_sig == SIGIO ? "SIGIO" : "another", last_code);
	if (last_code > 0 && last_code < 0x80)
		say(" band %#lx fd is the pipe's: %s", last_band, last_fd >= 3 ? "yes" : "no");
	say("\n");
	count = 0;
}

static void owners(void)
{
	int p[2];
	pipe(p);
	say("-- owners\n");
	T(fcntl(p[0], F_GETOWN));
	T(fcntl(p[0], F_SETOWN, getpid()));
	T(fcntl(p[0], F_GETOWN) == getpid());
	T(fcntl(p[0], F_SETOWN, -getpgrp()));
	T(fcntl(p[0], F_GETOWN) == -getpgrp());
	struct f_owner_ex ex;
	T(fcntl(p[0], F_GETOWN_EX, &ex));
	say("owner_ex type %d is the group: %s\n", ex.type, ex.pid == getpgrp() ? "yes" : "no");
	ex.type = F_OWNER_TID;
	ex.pid = getpid();
	T(fcntl(p[0], F_SETOWN_EX, &ex));
	T(fcntl(p[0], F_GETOWN) == getpid());
	ex.type = 7;
	T(fcntl(p[0], F_SETOWN_EX, &ex));
	T(fcntl(p[0], F_SETOWN_EX, BAD_USER));
	T(fcntl(p[0], F_GETOWN_EX, BAD_USER));
	T(fcntl(p[0], F_SETOWN, 99999));
	T(fcntl(p[0], F_SETOWN, INT_MIN));
	T(fcntl(p[0], F_SETOWN, 0));
	T(fcntl(p[0], F_GETOWN));
	T(fcntl(p[0], F_GETSIG));
	T(fcntl(p[0], F_SETSIG, SIGRTMIN + 1));
	T(fcntl(p[0], F_GETSIG) == SIGRTMIN + 1);
	T(fcntl(p[0], F_SETSIG, 65));
	T(fcntl(p[0], F_SETSIG, 0));
	T(fcntl(99, F_SETOWN, getpid()));
	close(p[0]);
	close(p[1]);
}

static void pipes(void)
{
	int p[2];
	pipe(p);
	say("-- a pipe\n");
	catch(SIGIO);
	T(fcntl(p[0], F_SETOWN, getpid()));
	T(write(p[1], "x", 1));
	report_signals("before O_ASYNC");
	T(fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK));
	T((fcntl(p[0], F_GETFL) & O_ASYNC) != 0);
	T(write(p[1], "y", 1));
	report_signals("data, no F_SETSIG");
	catch(SIGRTMIN + 1);
	T(fcntl(p[0], F_SETSIG, SIGRTMIN + 1));
	T(write(p[1], "z", 1));
	report_signals("data, F_SETSIG");
	char buf[4096];
	T(read(p[0], buf, sizeof buf));
	report_signals("a read");
	/* the write end: room after a full pipe */
	T(fcntl(p[1], F_SETOWN, getpid()));
	T(fcntl(p[1], F_SETFL, O_ASYNC | O_NONBLOCK));
	T(fcntl(p[0], F_SETFL, O_NONBLOCK)); /* (no more signals for the read end) */
	long n = 0, w;
	while ((w = write(p[1], buf, sizeof buf)) > 0)
		n += w;
	say("filled with %ld bytes\n", n);
	report_signals("filling");
	T(read(p[0], buf, 100));
	report_signals("room after full");
	T(read(p[0], buf, 100));
	report_signals("more room");
	T(fcntl(p[1], F_SETSIG, SIGRTMIN + 1));
	while (read(p[0], buf, sizeof buf) > 0)
		;
	report_signals("emptied");
	/* the other end goes */
	T(fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK));
	T(fcntl(p[0], F_SETSIG, 0));
	T(close(p[1]));
	report_signals("the writer closed");
	T(close(p[0]));
}

/* a child owns the read end: the parent's write tells it */
static void child_owner(void)
{
	int p[2], go[2];
	pipe(p);
	pipe(go);
	say("-- a child as owner\n");
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		count = 0;
		catch(SIGIO);
		sigset_t none, io;
		sigemptyset(&none);
		sigemptyset(&io);
		sigaddset(&io, SIGIO);
		sigprocmask(SIG_BLOCK, &io, NULL); /* (until sigsuspend: none lost before it) */
		close(go[0]);
		close(go[1]);
		while (!count)
			sigsuspend(&none);
		_exit(count + (last_sig == SIGIO && last_code == 0x80 ? 10 : 20));
	}
	T(fcntl(p[0], F_SETOWN, c));
	T(fcntl(p[0], F_SETFL, O_ASYNC));
	close(go[1]);
	char x;
	read(go[0], &x, 1); /* (EOF once the child has closed its copy: it is ready) */
	T(write(p[1], "w", 1));
	int st;
	waitpid(c, &st, 0);
	say("child exit %d (10 + the signals it got, SIGIO from the kernel)\n", WEXITSTATUS(st));
	close(p[0]);
	close(p[1]);
	close(go[0]);
}

/* an owner set by nobody is root: no signal */
static void not_allowed(void)
{
	int p[2];
	pipe(p);
	say("-- an owner nobody may not signal\n");
	catch(SIGIO);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(1);
		T(fcntl(p[0], F_SETOWN, getppid()));
		T(fcntl(p[0], F_SETFL, O_ASYNC));
		T(write(p[1], "n", 1));
		_exit(0);
	}
	waitpid(c, NULL, 0);
	report_signals("parent");
	close(p[0]);
	close(p[1]);
}

static void files(void)
{
	say("-- a regular file\n");
	int fd = open("/tmp/async_f", O_CREAT | O_RDWR, 0644);
	T(fcntl(fd, F_SETOWN, getpid()));
	T(fcntl(fd, F_SETFL, O_ASYNC));
	T(write(fd, "data", 4));
	report_signals("a write");
	close(fd);
	unlink("/tmp/async_f");
	fd = open("/etc/passwd", O_RDONLY);
	fflush(stdout);
	if (fork() == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(1);
		T(fcntl(fd, F_SETFL, O_NOATIME));
		_exit(0);
	}
	wait(NULL);
	T(fcntl(fd, F_SETFL, O_NOATIME));
	T((fcntl(fd, F_GETFL) & O_NOATIME) != 0);
	close(fd);
}

int main(void)
{
	setpgid(0, 0); /* (a group of its own, on both systems) */
	owners();
	pipes();
	child_owner();
	not_allowed();
	files();
	return 0;
}
