/*
 * The benchmarks of processes and pipes between them (docs/benchmarks.md):
 * fork_exit_wait, fork_exec_wait, python_startup (Debian's python3 -c pass),
 * pipe_pingpong, ctx_switch_ring (as
 * lmbench's lat_ctx with no working set), bw_pipe (as lmbench's bw_pipe).
 * Every instruction of every process counts: one CPU, one TSC.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lxbench.h"

/* fork and exec are dear: fewer operations, fewer repetitions */
#define PROC_REPS 5

extern char **environ;

/* waits for pid, which must exit with status 0 */
static void reap(pid_t pid, const char *what)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "lxbench: %s: a child ended with wait status 0x%x\n", what, st);
		exit(1);
	}
}

static void op_fork_exit_wait(void)
{
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		_exit(0);
	reap(pid, "fork_exit_wait");
}

void bench_fork_exit_wait(void)
{
	bench_loop("fork_exit_wait", op_fork_exit_wait, 5, 100, PROC_REPS);
}

#define EXIT0 "/bench/exit0" /* bench/linux/exit0.c */

static void op_fork_exec_wait(void)
{
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		char *argv[] = {"exit0", NULL};
		execve(EXIT0, argv, environ);
		_exit(127);
	}
	reap(pid, "fork_exec_wait (" EXIT0 ")");
}

#define PYTHON "/usr/bin/python3" /* Debian's, put into the image by tools/bench.py */

/* `python3 -c pass`, run and waited for: the loader, glibc and the 40-odd
 * shared objects and modules of the interpreter's start-up, and its end */
static void op_python_startup(void)
{
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		char *argv[] = {"python3", "-c", "pass", NULL};
		execve(PYTHON, argv, environ);
		_exit(127);
	}
	reap(pid, "python_startup (" PYTHON ")");
}

void bench_python_startup(void)
{
	bench_loop("python_startup", op_python_startup, 1, 3, 3);
}

void bench_fork_exec_wait(void)
{
	bench_loop("fork_exec_wait", op_fork_exec_wait, 5, 50, PROC_REPS);
}

/* a child that passes each byte it reads from in on to out until the end
 * of in, with every other descriptor closed; returns its pid */
static pid_t relay(int in, int out)
{
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid)
		return pid;
	for (int fd = 3; fd < 64; fd++)
		if (fd != in && fd != out)
			close(fd);
	char c;
	while (read(in, &c, 1) == 1)
		if (write(out, &c, 1) != 1)
			_exit(1);
	_exit(0);
}

static int to_ring, from_ring; /* the parent's ends of the chain of relays */

static void op_token(void)
{
	char c = 't';
	if (write(to_ring, &c, 1) != 1 || read(from_ring, &c, 1) != 1)
		die("pipe");
}

/* a chain of nrelays children over pipes from the parent back to it;
 * each round trip of the token is nrelays + 1 hops */
static void token_ring(const char *name, int nrelays, int warm, int n)
{
	int first[2], prev_read;
	pid_t pids[8];
	if (pipe(first))
		die("pipe");
	to_ring = first[1];
	prev_read = first[0];
	for (int i = 0; i < nrelays; i++) {
		int p[2];
		if (pipe(p))
			die("pipe");
		pids[i] = relay(prev_read, p[1]);
		close(prev_read);
		close(p[1]);
		prev_read = p[0];
	}
	from_ring = prev_read;
	for (int i = 0; i < warm; i++)
		op_token();
	for (int r = 0; r < PROC_REPS; r++) {
		struct sample a, b;
		bench_begin(&a);
		for (int i = 0; i < n; i++)
			op_token();
		bench_end(&b);
		bench_rep(&a, &b, (uint64_t)n * (nrelays + 1));
	}
	bench_report(name);
	close(to_ring); /* the end of input passes down the chain */
	close(from_ring);
	for (int i = 0; i < nrelays; i++)
		reap(pids[i], name);
}

/* 1 byte each way between two processes, per round trip */
void bench_pipe_pingpong(void)
{
	/* per round trip: the ring's figure is per hop, two here */
	int first[2], back[2];
	if (pipe(first) || pipe(back))
		die("pipe");
	pid_t pid = relay(first[0], back[1]);
	close(first[0]);
	close(back[1]);
	to_ring = first[1];
	from_ring = back[0];
	bench_loop("pipe_pingpong", op_token, 100, 1000, PROC_REPS);
	close(to_ring);
	close(from_ring);
	reap(pid, "pipe_pingpong");
}

/* the same over an AF_UNIX stream socket pair (one socket each way) */
void bench_unix_stream_pingpong(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		die("socketpair");
	pid_t pid = relay(sv[1], sv[1]);
	close(sv[1]);
	to_ring = from_ring = sv[0];
	bench_loop("unix_stream_pingpong", op_token, 100, 1000, PROC_REPS);
	close(sv[0]);
	reap(pid, "unix_stream_pingpong");
}

/* lmbench's lat_ctx -s 0 with 4 processes: a token passed around a ring
 * of pipes, per hop (a pipe write, a switch and a pipe read) */
void bench_ctx_switch_ring(void)
{
	token_ring("ctx_switch_ring", 3, 50, 500);
}

#define CHUNK (64 * 1024)
#define MOVED (4 * 1024 * 1024) /* per repetition */

static char chunk[CHUNK];

/* reads exactly CHUNK bytes from fd */
static void read_chunk(int fd)
{
	for (size_t got = 0; got < CHUNK;) {
		ssize_t n = read(fd, chunk + got, CHUNK - got);
		if (n <= 0)
			die("bw_pipe: read");
		got += (size_t)n;
	}
}

/* instructions per 64 KiB written by one process and read by another,
 * 64 KiB at a time (lmbench's bw_pipe) */
void bench_bw_pipe(void)
{
	const int warm = 16, per_rep = MOVED / CHUNK;
	int p[2];
	if (pipe(p))
		die("pipe");
	memset(chunk, 'w', sizeof chunk); /* both have the pages before the count */
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(p[0]);
		for (int i = 0; i < warm + PROC_REPS * per_rep; i++)
			for (size_t put = 0; put < CHUNK;) {
				ssize_t n = write(p[1], chunk + put, CHUNK - put);
				if (n <= 0)
					_exit(1);
				put += (size_t)n;
			}
		_exit(0);
	}
	close(p[1]);
	for (int i = 0; i < warm; i++)
		read_chunk(p[0]);
	for (int r = 0; r < PROC_REPS; r++) {
		struct sample a, b;
		bench_begin(&a);
		for (int i = 0; i < per_rep; i++)
			read_chunk(p[0]);
		bench_end(&b);
		bench_rep(&a, &b, (uint64_t)per_rep);
	}
	bench_report("bw_pipe");
	if (read(p[0], chunk, 1) != 0)
		die("bw_pipe: more data than written");
	close(p[0]);
	reap(pid, "bw_pipe");
}
