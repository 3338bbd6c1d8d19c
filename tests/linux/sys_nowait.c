/*
 * No step of a process's life waits for a tick or a timeout: fork, exit
 * and wait, exec, a pipe's wake-up, a signal to a process blocked in a
 * call, SIGCHLD to a parent in sigsuspend, waitid, a SIGKILLed child.
 * Each is repeated and its elapsed time (CLOCK_MONOTONIC) compared with
 * the CPU time that all the processes used in it (getrusage SELF and
 * CHILDREN): on one CPU the two are close unless the machine sat idle
 * waiting for something.  lx4's exit once cost 60 ms of idle time per
 * child (this test then read 2 s against a few ms); a wait for a 10 ms
 * tick would show as well.  The bound is loose (3x and 20 ms) so that no
 * host's speed matters: the figures themselves are not printed.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "check.h"

#define REPS 30
#define MS   1000000ull

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t tv_ns(struct timeval tv)
{
	return (uint64_t)tv.tv_sec * 1000000000ull + tv.tv_usec * 1000ull;
}

/* CPU time of this process and its reaped children */
static uint64_t cpu_ns(void)
{
	struct rusage s, c;
	getrusage(RUSAGE_SELF, &s);
	getrusage(RUSAGE_CHILDREN, &c);
	return tv_ns(s.ru_utime) + tv_ns(s.ru_stime) + tv_ns(c.ru_utime) + tv_ns(c.ru_stime);
}

/* a window of measurement: every process that works in it is reaped
 * before it ends, so that its CPU time is counted */
static uint64_t c0, t0;

static void begin(void)
{
	c0 = cpu_ns();
	t0 = now_ns();
}

static void end(const char *what, int ok)
{
	uint64_t t1 = now_ns(), c1 = cpu_ns();
	uint64_t wall = t1 - t0, cpu = c1 - c0;
	say("%s: %s, ", what, ok ? "worked" : "FAILED");
	fact("no idle wait", wall <= 3 * cpu + 20 * MS);
	if (getenv("NOWAIT_SHOW") || wall > 3 * cpu + 20 * MS) /* (for whoever reads the log) */
		fprintf(stderr, "%s: %llu ns elapsed, %llu ns of CPU\n", what, (unsigned long long)wall,
			(unsigned long long)cpu);
}

static void measure(const char *what, int (*op)(void))
{
	int ok = 1;
	op(); /* (a first time: whatever is loaded once) */
	begin();
	for (int i = 0; i < REPS; i++)
		ok &= op();
	end(what, ok);
}

static int reaped(pid_t pid, int code)
{
	int st;
	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == code;
}

static int fork_exit_wait(void)
{
	pid_t c = fork();
	if (c == 0)
		_exit(7);
	return c > 0 && reaped(c, 7);
}

static int fork_thread_exit_wait(void)
{
	pid_t c = fork();
	if (c == 0)
		syscall(SYS_exit, 8); /* (its only thread's exit ends it) */
	return c > 0 && reaped(c, 8);
}

static int fork_exec_wait(void)
{
	pid_t c = fork();
	if (c == 0) {
		execl("/bin/busybox", "true", (char *)NULL);
		_exit(127);
	}
	return c > 0 && reaped(c, 0);
}

static int ping[2], pong[2];

/* the child blocks in read until the parent writes, then answers */
static int pipe_wake(void)
{
	char b = 'x';
	return write(ping[1], &b, 1) == 1 && read(pong[0], &b, 1) == 1 && b == 'y';
}

static volatile sig_atomic_t got;
static void on_sig(int s)
{
	got = s;
}

static pid_t blocked_child;

/* a signal to a child blocked in ppoll: its handler runs, the call
 * fails with EINTR, and the child says so through the other pipe */
static int signal_blocked(void)
{
	char b;
	return kill(blocked_child, SIGUSR1) == 0 && read(pong[0], &b, 1) == 1 && b == 'i';
}

/* SIGCHLD wakes a parent in sigsuspend; waitid reaps the child */
static int sigchld_waitid(void)
{
	sigset_t chld, old;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old); /* (no wake-up lost before sigsuspend) */
	got = 0;
	pid_t c = fork();
	if (c == 0)
		_exit(9);
	while (c > 0 && got != SIGCHLD)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	siginfo_t si = {0};
	return waitid(P_PID, c, &si, WEXITED) == 0 && si.si_pid == c && si.si_code == CLD_EXITED && si.si_status == 9;
}

/* a child blocked in read, killed */
static int kill_blocked(void)
{
	int p[2];
	if (pipe(p))
		return 0;
	pid_t c = fork();
	if (c == 0) {
		char b;
		close(p[1]);
		read(p[0], &b, 1);
		_exit(1);
	}
	close(p[0]);
	int st = 0;
	int ok =
	    c > 0 && kill(c, SIGKILL) == 0 && waitpid(c, &st, 0) == c && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
	close(p[1]);
	return ok;
}

int main(void)
{
	measure("fork, exit_group, waitpid", fork_exit_wait);
	measure("fork, exit, waitpid", fork_thread_exit_wait);
	measure("fork, execve, waitpid", fork_exec_wait);

	if (pipe(ping) || pipe(pong))
		return 1;
	begin();
	pid_t c = fork();
	if (c == 0) {
		char b;
		close(ping[1]);
		while (read(ping[0], &b, 1) == 1) {
			b = 'y';
			write(pong[1], &b, 1);
		}
		_exit(0);
	}
	int ok = 1;
	for (int i = 0; i < REPS; i++)
		ok &= pipe_wake();
	close(ping[1]);
	end("a pipe wakes its reader", ok && reaped(c, 0));

	struct sigaction sa = {.sa_handler = on_sig}; /* (no SA_RESTART) */
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	if (pipe(ping))
		return 1;
	sigset_t usr1, open_mask;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &open_mask);
	begin();
	blocked_child = fork();
	if (blocked_child == 0) {
		/* SIGUSR1 is let in only while the child waits in ppoll, so
		 * none arrives between two waits and is lost */
		char b;
		close(ping[1]);
		for (;;) {
			struct pollfd pfd = {.fd = ping[0], .events = POLLIN};
			int n = ppoll(&pfd, 1, NULL, &open_mask);
			if (n == 1 && read(ping[0], &b, 1) == 0)
				_exit(0);
			b = n < 0 && errno == EINTR && got == SIGUSR1 ? 'i' : '?';
			got = 0;
			write(pong[1], &b, 1);
		}
	}
	sigprocmask(SIG_SETMASK, &open_mask, NULL);
	ok = 1;
	for (int i = 0; i < REPS; i++)
		ok &= signal_blocked();
	close(ping[1]);
	end("a signal to a process blocked in ppoll", ok && reaped(blocked_child, 0));

	measure("SIGCHLD to sigsuspend, waitid", sigchld_waitid);
	measure("SIGKILL to a process blocked in read, waitpid", kill_blocked);
	return 0;
}
