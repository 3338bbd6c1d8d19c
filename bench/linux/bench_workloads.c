/*
 * The macro workloads (docs/benchmarks.md): busybox sh scripts of
 * bench/linux, in the initramfs at /bench, measured over the whole run
 * (instructions, and the guest's CLOCK_MONOTONIC for tools/bench.py's
 * wall-clock run without -icount):
 *
 *   shell_mix     sh /bench/shell_mix.sh DIR
 *   aim_mix_N     sh /bench/aim_mix.sh N DIR  (N concurrent jobs, AIM-style)
 *
 * (DIR /tmp/NAME.REP, made and removed by the script).
 *
 * The script's standard output and error go to a file; what the first
 * repetition wrote and its exit status are printed after the figures
 * ("WORKLOAD" and "| " lines), and those of any other that differs, for
 * tools/bench.py to compare with what the workload must print.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lxbench.h"

#define WORKLOAD_REPS 3
#define OUT_MAX       (256 * 1024)

extern char **environ;

static uint64_t now_ns(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		die("clock_gettime");
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* runs argv (a script under /bin/sh) with standard input /dev/null and
 * standard output and error to out; returns its wait status */
static int run_script(char *const argv[], const char *out)
{
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (in < 0 || fd < 0 || dup2(in, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		close(in);
		close(fd);
		execve("/bin/sh", argv, environ);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	return st;
}

/* the whole of a file (at most OUT_MAX bytes) into buf; returns its
 * length */
static size_t slurp(const char *path, char *buf)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		die(path);
	size_t len = 0;
	ssize_t n;
	while (len < OUT_MAX && (n = read(fd, buf + len, OUT_MAX - len)) > 0)
		len += (size_t)n;
	close(fd);
	return len;
}

/* the output and the exit status of repetition rep */
static void print_output(const char *name, int rep, int status, const char *out, size_t len)
{
	int lines = 0;
	for (size_t i = 0; i < len; i++)
		lines += out[i] == '\n';
	if (len && out[len - 1] != '\n')
		lines++;
	printf("WORKLOAD %s rep=%d status=%d lines=%d\n", name, rep,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), lines);
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(out + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - out) : len;
		printf("| %.*s\n", (int)(end - i), out + i);
		i = end + 1;
	}
	fflush(stdout);
}

static char first_out[OUT_MAX], this_out[OUT_MAX];

static int by_value(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

/* measures WORKLOAD_REPS runs of /bin/sh script ARGS DIR, each with a
 * DIR of its own (/tmp/NAME.REP); prints the first's output and any
 * other that differs from it */
static void workload(const char *name, const char *script, const char *arg)
{
	char out[64], dir[64];
	uint64_t wall[WORKLOAD_REPS];
	size_t first_len = 0;
	int first_status = 0;
	snprintf(out, sizeof out, "/tmp/%s.out", name);
	for (int r = 0; r < WORKLOAD_REPS; r++) {
		char *argv[] = {"sh", (char *)script, (char *)arg, dir, NULL};
		if (!arg) { /* no argument but the directory */
			argv[2] = dir;
			argv[3] = NULL;
		}
		snprintf(dir, sizeof dir, "/tmp/%s.%d", name, r + 1);
		struct sample a, b;
		bench_begin(&a);
		uint64_t t0 = now_ns();
		int st = run_script(argv, out);
		wall[r] = now_ns() - t0;
		bench_end(&b);
		bench_rep(&a, &b, 1);
		size_t len = slurp(out, r ? this_out : first_out);
		if (r == 0) {
			first_len = len;
			first_status = st;
		} else if (st != first_status || len != first_len || memcmp(this_out, first_out, len)) {
			print_output(name, r + 1, st, this_out, len);
		}
	}
	unlink(out);
	bench_report(name);
	qsort(wall, WORKLOAD_REPS, sizeof wall[0], by_value);
	uint64_t med = wall[WORKLOAD_REPS / 2];
	printf("WALL %s seconds=%llu.%06llu\n", name, (unsigned long long)(med / 1000000000u),
	       (unsigned long long)(med % 1000000000u / 1000));
	print_output(name, 1, first_status, first_out, first_len);
}

void bench_shell_mix(void)
{
	workload("shell_mix", "/bench/shell_mix.sh", NULL);
}
void bench_aim_mix_1(void)
{
	workload("aim_mix_1", "/bench/aim_mix.sh", "1");
}
void bench_aim_mix_4(void)
{
	workload("aim_mix_4", "/bench/aim_mix.sh", "4");
}
void bench_aim_mix_16(void)
{
	workload("aim_mix_16", "/bench/aim_mix.sh", "16");
}

