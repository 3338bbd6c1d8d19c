/* File leases: F_SETLEASE and F_GETLEASE (read and write leases, when
 * other opens allow them, up- and downgrades, the owner's or CAP_LEASE's),
 * and their breaks: a conflicting open by another process (O_NONBLOCK:
 * EWOULDBLOCK; otherwise it waits) sends the holder its lease signal with
 * POLL_MSG, F_GETLEASE shows what the break asks for, and the opener goes
 * on once the holder gives the lease up, takes a read lease, or closes
 * the file; a truncate breaks too.  Differential: the output must be
 * Linux's. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "check.h"

#define F "/tmp/lease_f"

static volatile int count, last_code, last_fd;
static volatile long last_band;

static void on_signal(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	count++;
	last_code = si->si_code;
	last_band = si->si_band;
	last_fd = si->si_fd;
}

static const char *lease_name(int t)
{
	return t == F_RDLCK ? "F_RDLCK" : t == F_WRLCK ? "F_WRLCK" : t == F_UNLCK ? "F_UNLCK" : "?";
}

static void show(int fd, const char *when)
{
	say("%s: lease %s\n", when, lease_name(fcntl(fd, F_GETLEASE)));
}

/* waits for the lease signal (blocked outside sigsuspend, so that one
 * that comes between the test of count and the wait is not lost); prints
 * what it was */
static void await_signal(const char *when)
{
	sigset_t none;
	sigemptyset(&none);
	while (!count)
		sigsuspend(&none);
	say("%s: %d signal(s), code %d band %#lx fd %d\n", when, count, last_code, last_band, last_fd);
	count = 0;
}

/* a child that opens F with flags (and truncates it with trunc): its exit
 * status 0 if the open worked, 10 + errno if not */
static pid_t opener(int flags, int trunc)
{
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		for (int i = 3; i < 32; i++)
			close(i); /* (a copy of the holder's file would keep its lease) */
		int fd = trunc ? truncate(F, 0) : open(F, flags);
		_exit(fd < 0 ? 10 + errno : 0);
	}
	return c;
}

static void reap(pid_t c, const char *what)
{
	int st;
	waitpid(c, &st, 0);
	int code = WEXITSTATUS(st);
	say("%s: %s\n", what, code == 0 ? "done" : errname(code - 10));
}

int main(void)
{
	struct sigaction sa = {0};
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGRTMIN + 2, &sa, NULL);
	sigaction(SIGIO, &sa, NULL);
	sigset_t lease_sigs;
	sigemptyset(&lease_sigs);
	sigaddset(&lease_sigs, SIGRTMIN + 2);
	sigaddset(&lease_sigs, SIGIO);
	sigprocmask(SIG_BLOCK, &lease_sigs, NULL);
	int w = open(F, O_CREAT | O_RDWR | O_TRUNC, 0644);
	write(w, "lease\n", 6);
	close(w);

	say("-- taking leases\n");
	int fd = open(F, O_RDONLY);
	show(fd, "none yet");
	T(fcntl(fd, F_SETLEASE, F_UNLCK));
	T(fcntl(fd, F_SETLEASE, 7));
	int p[2];
	pipe(p);
	T(fcntl(p[0], F_SETLEASE, F_RDLCK));
	T(fcntl(fd, F_SETLEASE, F_RDLCK));
	show(fd, "read lease");
	T(fcntl(fd, F_GETOWN) == getpid()); /* (the holder owns it now) */
	int other = open(F, O_RDONLY); /* (a reader: no break of a read lease) */
	T(fcntl(fd, F_SETLEASE, F_WRLCK));
	close(other);
	T(fcntl(fd, F_SETLEASE, F_WRLCK));
	show(fd, "write lease");
	T(fcntl(fd, F_SETSIG, SIGRTMIN + 2));
	T(fcntl(fd, F_SETLEASE, F_UNLCK));
	show(fd, "given up");
	T(fcntl(fd, F_GETSIG)); /* (a lease that goes takes the file's owner and signal with it) */
	T(fcntl(fd, F_GETOWN));
	T(fcntl(p[1], F_SETLEASE, F_WRLCK));
	int rfd2 = open(F, O_RDONLY);
	T(fcntl(rfd2, F_SETLEASE, F_RDLCK));
	T(fcntl(fd, F_SETLEASE, F_RDLCK)); /* (two read leases) */
	T(fcntl(fd, F_SETLEASE, F_WRLCK));
	T(fcntl(rfd2, F_SETLEASE, F_UNLCK));
	close(rfd2);

	say("-- a reader breaks a write lease\n");
	T(fcntl(fd, F_SETLEASE, F_WRLCK));
	pid_t c = opener(O_RDONLY | O_NONBLOCK, 0);
	reap(c, "non-blocking reader");
	await_signal("holder");
	show(fd, "while breaking");
	T(fcntl(fd, F_SETLEASE, F_RDLCK));
	show(fd, "downgraded");
	c = opener(O_RDONLY, 0);
	reap(c, "a reader with a read lease there");

	say("-- a writer breaks a read lease\n");
	c = opener(O_WRONLY, 0);
	await_signal("holder");
	show(fd, "while breaking");
	T(fcntl(fd, F_SETLEASE, F_UNLCK));
	reap(c, "blocking writer");
	show(fd, "after");

	say("-- a close ends the lease\n");
	T(fcntl(fd, F_SETLEASE, F_WRLCK));
	c = opener(O_RDONLY, 0);
	await_signal("holder");
	T(close(fd));
	reap(c, "blocking reader");

	say("-- a truncate breaks it\n");
	fd = open(F, O_RDONLY);
	T(fcntl(fd, F_SETSIG, SIGRTMIN + 2));
	T(fcntl(fd, F_SETLEASE, F_RDLCK));
	c = opener(0, 1);
	await_signal("holder");
	show(fd, "while breaking");
	T(fcntl(fd, F_SETLEASE, F_UNLCK));
	reap(c, "truncate");
	close(fd);

	say("-- a holder that does not answer\n");
	int sc = open("/proc/sys/fs/lease-break-time", O_WRONLY);
	T(write(sc, "1\n", 2));
	close(sc);
	fd = open(F, O_RDONLY);
	T(fcntl(fd, F_SETLEASE, F_WRLCK));
	c = opener(O_WRONLY, 0);
	await_signal("holder");
	reap(c, "the writer, after lease-break-time");
	show(fd, "the lease after it");
	close(fd);
	sc = open("/proc/sys/fs/lease-break-time", O_WRONLY);
	T(write(sc, "45\n", 3));
	close(sc);

	say("-- another user's file\n");
	fflush(stdout);
	if (fork() == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(1);
		int r = open(F, O_RDONLY);
		T(fcntl(r, F_SETLEASE, F_RDLCK));
		T(fcntl(r, F_GETLEASE));
		_exit(0);
	}
	wait(NULL);
	unlink(F);
	return 0;
}
