/*
 * The Linux-level benchmarks (docs/benchmarks.md): one static binary, run
 * unchanged on lx4 (the Linux server) and on Linux by tools/bench.py under
 * `qemu -icount shift=0`, where rdtsc counts guest instructions.
 *
 *   lxbench [NAME...]      (no NAME: all of them)
 *
 * getpid, getpid_sleeper (the same while another process sleeps),
 * write_devnull, read_file_4k, pagefault_anon, mmap_munmap_64k.
 *
 * Each benchmark is a loop of N operations, repeated REPS times; the
 * figure is the median repetition's instructions per operation, loop
 * included.  On lx4 the server's private system call LX4_SYS_COUNTERS
 * (server/systab.c) also gives this CPU's kernel entries and CR3 loads,
 * read just outside the timed loop; the counts of the two counter calls
 * themselves (measured by an empty pair) are subtracted.  On Linux that
 * call fails with ENOSYS and the counters are reported as "null".
 *
 * One line per benchmark on stdout:
 *   BENCH name instructions=X kernel_entries=Y cr3_switches=Z
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REPS 7
#define LX4_SYS_COUNTERS 0x4c58 /* "LX": lx4's server only */

/* what LX4_SYS_COUNTERS copies out (a prefix of it if the buffer is
 * shorter): this CPU's counters from the lx4 KIP */
struct lx4_counters {
	uint64_t kernel_entries, cr3_loads, ipcs, context_switches;
};

struct sample {
	uint64_t tsc, entries, cr3;
};

static int have_counters;
static struct sample overhead; /* the counter calls' own entries and CR3 loads */

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static void counters(struct sample *s)
{
	struct lx4_counters c = {0};
	if (have_counters)
		syscall(LX4_SYS_COUNTERS, &c, sizeof c);
	s->entries = c.kernel_entries;
	s->cr3 = c.cr3_loads;
}

/* the counters before and the TSC after: neither is inside the other's
 * span */
static inline void begin(struct sample *s)
{
	counters(s);
	s->tsc = rdtsc();
}

static inline void end(struct sample *s)
{
	s->tsc = rdtsc();
	counters(s);
}

/* x100 per operation, one row per repetition */
static uint64_t reps[REPS][3];
static int nreps;

static void rep(const struct sample *a, const struct sample *b, uint64_t n)
{
	reps[nreps][0] = (b->tsc - a->tsc) * 100 / n;
	reps[nreps][1] = (b->entries - a->entries - overhead.entries) * 100 / n;
	reps[nreps][2] = (b->cr3 - a->cr3 - overhead.cr3) * 100 / n;
	nreps++;
}

static int cmp(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

static uint64_t median(int k)
{
	uint64_t v[REPS];
	for (int i = 0; i < nreps; i++)
		v[i] = reps[i][k];
	qsort(v, nreps, sizeof v[0], cmp);
	return v[nreps / 2];
}

static void fig(char *buf, size_t size, uint64_t x100)
{
	snprintf(buf, size, "%llu.%02llu", (unsigned long long)(x100 / 100), (unsigned long long)(x100 % 100));
}

static void report(const char *name)
{
	char ins[32], ent[32] = "null", cr3[32] = "null";
	fig(ins, sizeof ins, median(0));
	if (have_counters) {
		fig(ent, sizeof ent, median(1));
		fig(cr3, sizeof cr3, median(2));
	}
	printf("BENCH %s instructions=%s kernel_entries=%s cr3_switches=%s\n", name, ins, ent, cr3);
	fflush(stdout);
	nreps = 0;
}

static _Noreturn void die(const char *what)
{
	fprintf(stderr, "lxbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* ---- the benchmarks ------------------------------------------------------- */

#define N 2000

static void bench_getpid(void)
{
	for (int i = 0; i < 100; i++)
		getpid();
	for (int r = 0; r < REPS; r++) {
		struct sample a, b;
		begin(&a);
		for (int i = 0; i < N; i++)
			getpid();
		end(&b);
		rep(&a, &b, N);
	}
	report("getpid");
}

/* getpid while another process sleeps in nanosleep: a server that waits
 * for its next timer must not make everybody else's calls dearer */
static void bench_getpid_sleeper(void)
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
	for (int i = 0; i < 100; i++)
		getpid();
	for (int r = 0; r < REPS; r++) {
		struct sample a, b;
		begin(&a);
		for (int i = 0; i < N; i++)
			getpid();
		end(&b);
		rep(&a, &b, N);
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	report("getpid_sleeper");
}

static void bench_write_devnull(void)
{
	int fd = open("/dev/null", O_WRONLY);
	if (fd < 0)
		die("/dev/null");
	for (int i = 0; i < 100; i++)
		if (write(fd, "x", 1) != 1)
			die("write");
	for (int r = 0; r < REPS; r++) {
		struct sample a, b;
		begin(&a);
		for (int i = 0; i < N; i++)
			write(fd, "x", 1);
		end(&b);
		rep(&a, &b, N);
	}
	close(fd);
	report("write_devnull");
}

static void bench_read_file_4k(const char *path)
{
	static char buf[4096];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		die(path);
	for (int i = 0; i < 100; i++)
		if (pread(fd, buf, sizeof buf, 0) != sizeof buf)
			die("pread (the file must hold 4 KiB)");
	for (int r = 0; r < REPS; r++) {
		struct sample a, b;
		begin(&a);
		for (int i = 0; i < N; i++)
			pread(fd, buf, sizeof buf, 0);
		end(&b);
		rep(&a, &b, N);
	}
	close(fd);
	report("read_file_4k");
}

#define PF_PAGES 256

static void bench_pagefault_anon(void)
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
		begin(&a);
		for (int i = 0; i < PF_PAGES; i++)
			p[(size_t)i * 4096] = 1;
		end(&b);
		rep(&a, &b, PF_PAGES);
	}
	munmap(area, len);
	report("pagefault_anon");
}

static void bench_mmap_munmap_64k(void)
{
	for (int i = 0; i < 100; i++) {
		void *p = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED || munmap(p, 65536))
			die("mmap/munmap");
	}
	for (int r = 0; r < REPS; r++) {
		struct sample a, b;
		begin(&a);
		for (int i = 0; i < N; i++)
			munmap(mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), 65536);
		end(&b);
		rep(&a, &b, N);
	}
	report("mmap_munmap_64k");
}

/* ---- main ------------------------------------------------------------------- */

/* the counter calls' own kernel entries and CR3 loads: the median of
 * empty pairs */
static void calibrate(void)
{
	struct lx4_counters c;
	have_counters = syscall(LX4_SYS_COUNTERS, &c, sizeof c) == (long)sizeof c;
	if (!have_counters)
		return;
	for (int r = 0; r < REPS; r++) {
		struct sample a, b;
		begin(&a);
		end(&b);
		reps[r][1] = b.entries - a.entries;
		reps[r][2] = b.cr3 - a.cr3;
	}
	nreps = REPS;
	overhead.entries = median(1);
	overhead.cr3 = median(2);
	nreps = 0;
}

static int wanted(int argc, char **argv, const char *name)
{
	if (argc < 2)
		return 1;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	calibrate();
	if (wanted(argc, argv, "getpid"))
		bench_getpid();
	if (wanted(argc, argv, "getpid_sleeper"))
		bench_getpid_sleeper();
	if (wanted(argc, argv, "write_devnull"))
		bench_write_devnull();
	if (wanted(argc, argv, "read_file_4k"))
		bench_read_file_4k("/bench/lxbench"); /* this program: more than 4 KiB */
	if (wanted(argc, argv, "pagefault_anon"))
		bench_pagefault_anon();
	if (wanted(argc, argv, "mmap_munmap_64k"))
		bench_mmap_munmap_64k();
	return 0;
}
