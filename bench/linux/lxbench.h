/*
 * The harness of lxbench, the Linux-level benchmarks (docs/benchmarks.md):
 * one static binary, run unchanged on lx4 (the Linux server) and on Linux
 * by tools/bench.py under `qemu -icount shift=0`, where rdtsc counts guest
 * instructions.
 *
 * A benchmark is a loop of n operations, repeated several times; its
 * figure is the median repetition's instructions per operation, loop
 * included.  On lx4 the server's private system call LX4_SYS_COUNTERS
 * (server/systab.c) also gives this CPU's kernel entries and CR3 loads,
 * read just outside the timed loop; the counts of the two counter calls
 * themselves (measured by an empty pair) are subtracted.  On Linux that
 * call fails with ENOSYS and the counters are reported as "null".
 *
 * One line per benchmark on stdout:
 *   BENCH name instructions=X kernel_entries=Y cr3_switches=Z
 * and for the macro workloads (bench_workloads.c) also
 *   WALL name seconds=S
 *   WORKLOAD name status=N lines=L     followed by L lines "| ..."
 */
#ifndef LXBENCH_H
#define LXBENCH_H

#include <stdint.h>

#define MAX_REPS 9

struct sample {
	uint64_t tsc, entries, cr3, ipcs;
};

/* the counters, then the TSC; and the TSC, then the counters: neither is
 * inside the other's span */
void bench_begin(struct sample *s);
void bench_end(struct sample *s);
/* records one repetition of n operations between a and b (at most
 * MAX_REPS per benchmark) */
void bench_rep(const struct sample *a, const struct sample *b, uint64_t n);
/* prints the BENCH line of the repetitions recorded since the last
 * report, and forgets them */
void bench_report(const char *name);
/* finds out whether the counters are there and what reading them costs;
 * called once, first */
void bench_calibrate(void);
/* says what failed (with errno) and ends the program with status 1: a
 * benchmark that goes wrong must not report a figure */
_Noreturn void die(const char *what);

/* runs op warm times, then reps repetitions of n calls of op, and
 * reports them as name; inlined, so that op is too (no indirect call in
 * the timed loop) */
static inline __attribute__((always_inline)) void bench_loop(const char *name, void (*op)(void), int warm, int n,
							     int reps)
{
	for (int i = 0; i < warm; i++)
		op();
	for (int r = 0; r < reps; r++) {
		struct sample a, b;
		bench_begin(&a);
		for (int i = 0; i < n; i++)
			op();
		bench_end(&b);
		bench_rep(&a, &b, (uint64_t)n);
	}
	bench_report(name);
}

/* the benchmarks, by file */
void bench_getpid(void);
void bench_getpid_sleeper(void);
void bench_write_devnull(void);
void bench_read_file_4k(void);
void bench_pagefault_anon(void);
void bench_mmap_munmap_64k(void);
void bench_mmap_touch_1m(void);
void bench_lat_syscall_stat(void);
void bench_file_create_delete(void);
void bench_lat_sig_install(void);
void bench_lat_sig_catch(void);
void bench_epoll_wait_ready(void);

void bench_fork_exit_wait(void);
void bench_fork_exec_wait(void);
void bench_pipe_pingpong(void);
void bench_unix_stream_pingpong(void);
void bench_ctx_switch_ring(void);
void bench_bw_pipe(void);
void bench_python_startup(void);

void bench_thread_create_join(void);
void bench_futex_pingpong(void);

void bench_shell_mix(void);
void bench_aim_mix_1(void);
void bench_aim_mix_4(void);
void bench_aim_mix_16(void);

#endif
