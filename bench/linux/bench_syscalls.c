/*
 * The benchmarks of single system calls and of one process's memory and
 * signals (docs/benchmarks.md): getpid, getpid_sleeper, write_devnull,
 * read_file_4k, pagefault_anon, mmap_munmap_64k, mmap_touch_1m,
 * lat_syscall_stat, file_create_delete, lat_sig_install, lat_sig_catch,
 * epoll_wait_ready.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lxbench.h"

#define REPS 7
#define N    2000

static void op_getpid(void)
{
	getpid();
}

void bench_getpid(void)
{
	bench_loop("getpid", op_getpid, 100, N, REPS);
}

/* getpid while another process sleeps in nanosleep: a server that waits
 * for its next timer must not make everybody else's calls dearer */
void bench_getpid_sleeper(void)
{
	pid_t child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		struct timespec hour = {3600, 0};
		nanosleep(&hour, NULL);
		_exit(0);
	}
	struct timespec nap = {0, 20000000}; /* the child runs meanwhile and sleeps */
	nanosleep(&nap, NULL);
	bench_loop("getpid_sleeper", op_getpid, 100, N, REPS);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

static int fd; /* the file of the benchmark running */

static void op_write(void)
{
	write(fd, "x", 1);
}

void bench_write_devnull(void)
{
	fd = open("/dev/null", O_WRONLY);
	if (fd < 0)
		die("/dev/null");
	if (write(fd, "x", 1) != 1)
		die("write");
	bench_loop("write_devnull", op_write, 100, N, REPS);
	close(fd);
}

static char page[4096];

static void op_pread(void)
{
	pread(fd, page, sizeof page, 0);
}

/* of this program: more than 4 KiB */
void bench_read_file_4k(void)
{
	fd = open("/bench/lxbench", O_RDONLY);
	if (fd < 0)
		die("/bench/lxbench");
	if (pread(fd, page, sizeof page, 0) != sizeof page)
		die("pread (the file must hold 4 KiB)");
	bench_loop("read_file_4k", op_pread, 100, N, REPS);
	close(fd);
}

#define PF_PAGES 256

void bench_pagefault_anon(void)
{
	/* every page of every repetition (and the warm-up) is fresh: one
	 * mapping, no huge pages (Debian's Linux has THP "always") */
	size_t len = (size_t)(REPS + 1) * PF_PAGES * 4096;
	char *area = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		die("mmap");
	if (madvise(area, len, MADV_NOHUGEPAGE))
		die("madvise");
	for (int i = 0; i < PF_PAGES; i++)
		((volatile char *)area)[(size_t)i * 4096] = 1;
	for (int r = 0; r < REPS; r++) {
		volatile char *p = area + (size_t)(r + 1) * PF_PAGES * 4096;
		struct sample a, b;
		bench_begin(&a);
		for (int i = 0; i < PF_PAGES; i++)
			p[(size_t)i * 4096] = 1;
		bench_end(&b);
		bench_rep(&a, &b, PF_PAGES);
	}
	munmap(area, len);
	bench_report("pagefault_anon");
}

static void op_mmap_munmap(void)
{
	munmap(mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), 65536);
}

void bench_mmap_munmap_64k(void)
{
	void *p = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || munmap(p, 65536))
		die("mmap/munmap");
	bench_loop("mmap_munmap_64k", op_mmap_munmap, 100, N, REPS);
}

#define MIB (1 << 20)

/* 1 MiB cannot hold an aligned huge page: 256 page faults on Linux too */
static void op_mmap_touch(void)
{
	volatile char *p = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	for (int i = 0; i < MIB; i += 4096)
		p[i] = 1;
	if (munmap((void *)p, MIB))
		die("munmap");
}

void bench_mmap_touch_1m(void)
{
	bench_loop("mmap_touch_1m", op_mmap_touch, 5, 20, REPS);
}

static void op_stat(void)
{
	struct stat st;
	if (stat("/bench/lxbench", &st))
		die("stat /bench/lxbench");
}

void bench_lat_syscall_stat(void)
{
	bench_loop("lat_syscall_stat", op_stat, 100, N, REPS);
}

#define TMPFILE "/tmp/lxbench.create"

/* creat-clo with 1 KiB of data */
static void op_create_delete(void)
{
	int f = open(TMPFILE, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (f < 0)
		die("open " TMPFILE);
	if (write(f, page, 1024) != 1024)
		die("write");
	if (close(f) || unlink(TMPFILE))
		die("close/unlink");
}

void bench_file_create_delete(void)
{
	bench_loop("file_create_delete", op_create_delete, 50, 500, REPS);
}

static volatile sig_atomic_t caught;
static pid_t self;
static struct sigaction act;

static void on_usr1(int sig)
{
	(void)sig;
	caught++;
}

/* as lmbench's lat_sig install: the old action read back too */
static void op_sigaction(void)
{
	struct sigaction old;
	sigaction(SIGUSR1, &act, &old);
}

void bench_lat_sig_install(void)
{
	act.sa_handler = on_usr1;
	sigemptyset(&act.sa_mask);
	if (sigaction(SIGUSR1, &act, NULL))
		die("sigaction");
	bench_loop("lat_sig_install", op_sigaction, 100, N, REPS);
	signal(SIGUSR1, SIG_DFL);
}

/* the signal is caught before kill returns: entry, frame, handler and
 * sigreturn in one operation */
static void op_kill(void)
{
	kill(self, SIGUSR1);
}

void bench_lat_sig_catch(void)
{
	self = getpid();
	act.sa_handler = on_usr1;
	sigemptyset(&act.sa_mask);
	if (sigaction(SIGUSR1, &act, NULL))
		die("sigaction");
	caught = 0;
	bench_loop("lat_sig_catch", op_kill, 100, N, REPS);
	signal(SIGUSR1, SIG_DFL);
	if (caught != 100 + N * REPS) {
		fprintf(stderr, "lxbench: lat_sig_catch: %d signals caught of %d\n", (int)caught, 100 + N * REPS);
		die("lat_sig_catch");
	}
}

static int epfd;

static void op_epoll_wait(void)
{
	struct epoll_event ev;
	epoll_wait(epfd, &ev, 1, -1);
}

/* epoll_wait on an instance with one entry that is ready (a pipe with a
 * byte in it, level-triggered): the event comes back at once, each time */
void bench_epoll_wait_ready(void)
{
	int p[2];
	struct epoll_event e = {.events = EPOLLIN};
	if (pipe(p) || write(p[1], "x", 1) != 1)
		die("pipe");
	epfd = epoll_create1(0);
	if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, p[0], &e))
		die("epoll");
	bench_loop("epoll_wait_ready", op_epoll_wait, 100, N, REPS);
	close(epfd);
	close(p[0]);
	close(p[1]);
}
