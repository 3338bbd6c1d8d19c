/* Collecting repetitions and printing medians (see bench.h). */
#include "bench.h"

static uint64_t reps[BENCH_REPS][3]; /* x100: per-operation values */
static unsigned nreps;

void bench_rep(struct sample a, struct sample b, uint64_t n)
{
	if (nreps == BENCH_REPS)
		return;
	reps[nreps][0] = (b.tsc - a.tsc) * 100 / n;
	reps[nreps][1] = (b.entries - a.entries) * 100 / n;
	reps[nreps][2] = (b.cr3 - a.cr3) * 100 / n;
	nreps++;
}

static uint64_t median(unsigned k)
{
	uint64_t v[BENCH_REPS];
	for (unsigned i = 0; i < nreps; i++)
		v[i] = reps[i][k];
	for (unsigned i = 1; i < nreps; i++)
		for (unsigned j = i; j && v[j] < v[j - 1]; j--) {
			uint64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[nreps / 2];
}

void bench_report(const char *name)
{
	KASSERT(nreps > 0);
	uint64_t ins = median(0), ent = median(1), cr3 = median(2);
	printf("BENCH %s instructions=%lu.%02lu kernel_entries=%lu.%02lu cr3_switches=%lu.%02lu\n", name, ins / 100,
	       ins % 100, ent / 100, ent % 100, cr3 / 100, cr3 % 100);
	nreps = 0;
}
