/*
 * lxbench: the Linux-level benchmarks (docs/benchmarks.md, the harness in
 * lxbench.h), one static binary run unchanged on lx4 and on Linux by
 * tools/bench.py.
 *
 *   lxbench [NAME...]      (no NAME: all of them, in this order)
 */
#include <stdio.h>
#include <string.h>

#include "lxbench.h"

static const struct {
	const char *name;
	void (*run)(void);
} benches[] = {
    /* bench_syscalls.c */
    {"getpid", bench_getpid},
    {"getpid_sleeper", bench_getpid_sleeper},
    {"write_devnull", bench_write_devnull},
    {"read_file_4k", bench_read_file_4k},
    {"pagefault_anon", bench_pagefault_anon},
    {"mmap_munmap_64k", bench_mmap_munmap_64k},
    {"mmap_touch_1m", bench_mmap_touch_1m},
    {"lat_syscall_stat", bench_lat_syscall_stat},
    {"file_create_delete", bench_file_create_delete},
    {"lat_sig_install", bench_lat_sig_install},
    {"lat_sig_catch", bench_lat_sig_catch},
    {"epoll_wait_ready", bench_epoll_wait_ready},
    /* bench_procs.c */
    {"fork_exit_wait", bench_fork_exit_wait},
    {"fork_exec_wait", bench_fork_exec_wait},
    {"pipe_pingpong", bench_pipe_pingpong},
    {"unix_stream_pingpong", bench_unix_stream_pingpong},
    {"ctx_switch_ring", bench_ctx_switch_ring},
    {"bw_pipe", bench_bw_pipe},
    {"python_startup", bench_python_startup},
    /* bench_threads.c */
    {"thread_create_join", bench_thread_create_join},
    {"futex_pingpong", bench_futex_pingpong},
    /* bench_workloads.c */
    {"shell_mix", bench_shell_mix},
    {"aim_mix_1", bench_aim_mix_1},
    {"aim_mix_4", bench_aim_mix_4},
    {"aim_mix_16", bench_aim_mix_16},
};

#define NBENCHES (sizeof benches / sizeof benches[0])

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) { /* every name is known before anything runs */
		size_t k = 0;
		while (k < NBENCHES && strcmp(argv[i], benches[k].name))
			k++;
		if (k == NBENCHES) {
			fprintf(stderr, "lxbench: no benchmark %s\n", argv[i]);
			return 2;
		}
	}
	bench_calibrate();
	for (size_t k = 0; k < NBENCHES; k++) {
		int want = argc < 2;
		for (int i = 1; i < argc; i++)
			want |= !strcmp(argv[i], benches[k].name);
		if (want)
			benches[k].run();
	}
	return 0;
}
