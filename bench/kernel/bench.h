/* Kernel micro-benchmarks: measured in guest instructions (rdtsc under
 * qemu -icount shift=0), with the KIP's per-CPU counters. */
#ifndef BENCH_H
#define BENCH_H

#include "../../tests/kernel/ktest.h"

struct sample {
	uint64_t tsc, entries, cr3;
};

static inline struct sample sample_now(void)
{
	const struct lx4_kip_cpu *c = &kip()->cpu[0];
	struct sample s = {.entries = c->kernel_entries, .cr3 = c->cr3_loads};
	s.tsc = lx4_rdtsc();
	return s;
}

/* records one repetition of n operations between a and b */
void bench_rep(struct sample a, struct sample b, uint64_t n);
/* prints the median of the repetitions recorded for name */
void bench_report(const char *name);

#define BENCH_REPS 7

#endif
