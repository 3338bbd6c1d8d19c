/*
 * The load average, as Linux defines it (the number of runnable processes
 * averaged exponentially over 1, 5 and 15 minutes) but kept exactly: the
 * average is brought up to date whenever that number is about to change
 * (a process is made or ends, a call starts to wait or stops waiting), so
 * it integrates the true count instead of sampling it every 5 seconds.
 * A waiting call is interruptible sleep; everything else counts.
 */
#include "sys.h"

#include <linux/sysinfo.h>

#define FSHIFT 32 /* the averages are fixed point: 1.0 is 1 << 32 */

/* exp(-1 ms / tau) for tau = 60, 300, 900 s, in the same fixed point */
static const uint64_t decay_ms[3] = {4294895714ull, 4294952979ull, 4294962524ull};
static uint64_t avg[3];
static uint64_t last_ms;
int procs_runnable; /* live processes whose thread is not waiting */

static uint64_t mul(uint64_t a, uint64_t b) { return (uint64_t)(((unsigned __int128)a * b) >> FSHIFT); }

/* x ** n in fixed point (x < 1.0) */
static uint64_t power(uint64_t x, uint64_t n)
{
	uint64_t r = 1ull << FSHIFT;
	for (; n; n >>= 1, x = mul(x, x))
		if (n & 1)
			r = mul(r, x);
	return r;
}

void load_account(void)
{
	uint64_t now = plat_now_ns() / 1000000;
	uint64_t dt = now - last_ms;
	if (!dt)
		return;
	last_ms = now;
	uint64_t n = (uint64_t)(procs_runnable > 0 ? procs_runnable : 0) << FSHIFT;
	for (int i = 0; i < 3; i++) {
		uint64_t f = power(decay_ms[i], dt); /* avg -> avg f + n (1 - f) */
		avg[i] = mul(avg[i], f) + mul(n, (1ull << FSHIFT) - f);
	}
}

void load_get(unsigned long out[3], unsigned shift)
{
	load_account();
	for (int i = 0; i < 3; i++)
		out[i] = (unsigned long)((avg[i] + (1ull << (FSHIFT - shift - 1))) >> (FSHIFT - shift));
}

long sys_sysinfo(struct lthread *t, const struct sysargs *a)
{
	struct sysinfo si = {0};
	uint64_t ns = plat_now_ns();
	si.uptime = (long)(ns / 1000000000 + (ns % 1000000000 != 0)); /* Linux rounds up */
	load_get(si.loads, SI_LOAD_SHIFT);
	si.totalram = pages_total() * 4096;
	si.freeram = pages_free() * 4096;
	si.sharedram = vfs_pages() * 4096; /* tmpfs pages are shmem on Linux */
	si.procs = (unsigned short)proc_count();
	si.mem_unit = 1;
	return copy_to_user(t->proc, a->a0, &si, sizeof si) ? -EFAULT : 0;
}
