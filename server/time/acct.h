/*
 * The types of CPU and resource accounting (rusage.h, cputimer.c): what
 * the server counts of a thread, the sums it keeps for a process, and a
 * process's CPU-time timers.  Here, apart, so that proc.h needs only the
 * types.
 */
#ifndef SRV_ACCT_H
#define SRV_ACCT_H

#include <stdbool.h>
#include <stdint.h>

/* what the server counts of a thread itself (the platform measures its
 * run time: plat_thread_times) */
struct thread_acct {
	/* the server's handling of its events, in plat_cycles; while one is
	 * being handled, less the cycle count it began at (rusage.h) */
	uint64_t stime_cyc;
	uint64_t minflt; /* page faults the server resolved for it */
	uint64_t nvcsw;  /* its calls that waited (voluntary switches) */
};

/* the figures of a process, or of its reaped children (Linux's
 * signal_struct sums): times in ns, maxrss in pages */
struct rusage_sum {
	uint64_t utime_ns, stime_ns;
	uint64_t minflt, nvcsw, nivcsw;
	uint64_t maxrss;
};

/* ITIMER_VIRTUAL and ITIMER_PROF (0, 1), and RLIMIT_CPU, of a process:
 * the process CPU time (ns) at which each fires next (0: off), and the
 * interval it is re-armed with */
struct cputimers {
	uint64_t expires[2], incr[2];
	bool listed; /* on cputimer.c's list of processes to check */
	struct proc *next;
};

#endif
