/* The measuring harness of lxbench (lxbench.h): the TSC, lx4's counters,
 * repetitions and their medians. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lxbench.h"

#define LX4_SYS_COUNTERS 0x4c58 /* "LX": lx4's server only */

/* what LX4_SYS_COUNTERS copies out (a prefix of it if the buffer is
 * shorter): this CPU's counters from the lx4 KIP */
struct lx4_counters {
	uint64_t kernel_entries, cr3_loads, ipcs, context_switches;
};

static int have_counters;
static struct sample overhead; /* the counter calls' own entries, CR3 loads and IPCs */

/* x100 per operation, one row per repetition */
static uint64_t reps[MAX_REPS][4];
static int nreps;

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
	s->ipcs = c.ipcs;
}

void bench_begin(struct sample *s)
{
	counters(s);
	s->tsc = rdtsc();
}

void bench_end(struct sample *s)
{
	s->tsc = rdtsc();
	counters(s);
}

void bench_rep(const struct sample *a, const struct sample *b, uint64_t n)
{
	if (nreps == MAX_REPS) {
		errno = E2BIG;
		die("more repetitions than MAX_REPS");
	}
	reps[nreps][0] = (b->tsc - a->tsc) * 100 / n;
	reps[nreps][1] = (b->entries - a->entries - overhead.entries) * 100 / n;
	reps[nreps][2] = (b->cr3 - a->cr3 - overhead.cr3) * 100 / n;
	reps[nreps][3] = (b->ipcs - a->ipcs - overhead.ipcs) * 100 / n;
	nreps++;
}

static int cmp(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

static uint64_t median(int k)
{
	uint64_t v[MAX_REPS];
	for (int i = 0; i < nreps; i++)
		v[i] = reps[i][k];
	qsort(v, nreps, sizeof v[0], cmp);
	return v[nreps / 2];
}

static void fig(char *buf, size_t size, uint64_t x100)
{
	snprintf(buf, size, "%llu.%02llu", (unsigned long long)(x100 / 100), (unsigned long long)(x100 % 100));
}

void bench_report(const char *name)
{
	char ins[32], ent[32] = "null", cr3[32] = "null", ipc[32] = "null";
	fig(ins, sizeof ins, median(0));
	if (have_counters) {
		fig(ent, sizeof ent, median(1));
		fig(cr3, sizeof cr3, median(2));
		fig(ipc, sizeof ipc, median(3));
	}
	printf("BENCH %s instructions=%s kernel_entries=%s cr3_switches=%s ipcs=%s\n", name, ins, ent, cr3, ipc);
	fflush(stdout);
	nreps = 0;
}

_Noreturn void die(const char *what)
{
	fprintf(stderr, "lxbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* the counter calls' own kernel entries, CR3 loads and IPCs: the median of
 * empty pairs */
void bench_calibrate(void)
{
	struct lx4_counters c;
	have_counters = syscall(LX4_SYS_COUNTERS, &c, sizeof c) == (long)sizeof c;
	if (!have_counters)
		return;
	for (int r = 0; r < MAX_REPS; r++) {
		struct sample a, b;
		bench_begin(&a);
		bench_end(&b);
		reps[r][1] = b.entries - a.entries;
		reps[r][2] = b.cr3 - a.cr3;
		reps[r][3] = b.ipcs - a.ipcs;
	}
	nreps = MAX_REPS;
	overhead.entries = median(1);
	overhead.cr3 = median(2);
	overhead.ipcs = median(3);
	nreps = 0;
}
