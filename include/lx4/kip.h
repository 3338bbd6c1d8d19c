/*
 * The kernel info page (KIP): one read-only page the kernel keeps up to
 * date and the root task may map on to anyone.  Holds the clock and the
 * per-CPU event counters the benchmarks read.
 */
#ifndef LX4_KIP_H
#define LX4_KIP_H

#include <stdint.h>

#define LX4_KIP_MAGIC 0x3450494b344c584cull /* "LX4KIP4\0"-ish */
#define LX4_MAX_CPUS 8

struct lx4_kip_cpu {
	uint64_t kernel_entries; /* syscalls, exceptions and interrupts */
	uint64_t cr3_loads;      /* address-space switches */
	uint64_t ipcs;           /* messages delivered */
	uint64_t context_switches;
	/* the CPU's idle time (its idle thread's run time) in TSC ticks, up
	 * to the last time it stopped idling, and the TSC at which it began
	 * to idle now (0: it is not idle): lx4_kip_idle_ns */
	volatile uint64_t idle_tsc;
	volatile uint64_t idle_since;
	uint64_t pad[2];
};

struct lx4_kip {
	uint64_t magic;
	uint64_t version;
	uint64_t ncpus;
	uint64_t tsc_hz;        /* TSC ticks per second (1e9 under -icount 0) */
	uint64_t boot_tsc;      /* TSC at clock zero */
	uint64_t tick_ns;       /* timer period */
	volatile uint64_t ticks; /* timer interrupts since boot */
	uint64_t kmem_total_pages;
	volatile uint64_t kmem_free_pages;
	uint64_t ns_mult; /* ns = (tsc - boot_tsc) * ns_mult >> 32 */
	/* the FPU state exregs moves (LX4_EXREGS_FPU_*): its size in bytes,
	 * the XSAVE features it holds (XCR0; 0: a 512-byte FXSAVE image) and
	 * the MXCSR bits the CPU allows */
	uint64_t fpu_size;
	uint64_t fpu_features;
	uint64_t fpu_mxcsr_mask;
	uint64_t pad[3];
	struct lx4_kip_cpu cpu[LX4_MAX_CPUS];
};

_Static_assert(sizeof(struct lx4_kip) <= 4096, "the KIP is one page");

/* nanoseconds since boot, from the TSC: no kernel entry */
static inline uint64_t lx4_kip_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* nanoseconds in a TSC interval */
static inline uint64_t lx4_kip_tsc_ns(const struct lx4_kip *k, uint64_t tsc)
{
	return (uint64_t)(((unsigned __int128)tsc * k->ns_mult) >> 32);
}

static inline uint64_t lx4_kip_now_ns(const struct lx4_kip *k)
{
	return lx4_kip_tsc_ns(k, lx4_kip_rdtsc() - k->boot_tsc);
}

/* the idle time of CPU cpu since boot, in nanoseconds (the two words are
 * read until they agree: the CPU may stop or start idling between) */
static inline uint64_t lx4_kip_idle_ns(const struct lx4_kip *k, unsigned cpu)
{
	const struct lx4_kip_cpu *c = &k->cpu[cpu];
	uint64_t idle, since;
	do {
		idle = c->idle_tsc;
		since = c->idle_since;
	} while (idle != c->idle_tsc);
	uint64_t now = lx4_kip_rdtsc();
	return lx4_kip_tsc_ns(k, idle + (since && now > since ? now - since : 0));
}

#endif
