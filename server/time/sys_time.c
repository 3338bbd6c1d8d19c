/* Time system calls, and randomness. */
#include "rusage.h"
#include "signal.h"
#include "sys.h"


/* the wall clock: boot_wall_ns + the monotonic clock; clock_settime and
 * settimeofday move it (and the file times, /proc/stat's btime with it) */
static uint64_t boot_wall_ns;
void time_set_boot(uint64_t unix_sec) { boot_wall_ns = unix_sec * 1000000000ull; }
uint64_t time_wall_ns(void) { return boot_wall_ns + plat_now_ns(); }
uint64_t time_boot_wall_ns(void) { return boot_wall_ns; }
static struct {
	int32_t minuteswest, dsttime;
} sys_tz; /* settimeofday's time zone, which gettimeofday gives back */

#define TICK_NS 4000000ull /* Debian's HZ=250: the coarse clocks' resolution */
#define CLOCK_TAI_L 11

/* the time of clock id (a clockid_t: an int) for t; ok false for a clock
 * there is not (a CPU clock of a process or thread there is not, too) */
static uint64_t clock_now(uint64_t id, struct lthread *t, bool *ok)
{
	uint64_t now = plat_now_ns(), res;
	*ok = true;
	if (cpuclock_is((int)id)) {
		*ok = !cpuclock_get(t, (int)id, &now, &res);
		return now;
	}
	switch ((int)id) {
	case CLOCK_REALTIME:
	case CLOCK_TAI_L: /* TAI is UTC until adjtimex sets an offset */
		return boot_wall_ns + now;
	case CLOCK_REALTIME_COARSE: /* as of the last tick */
		return boot_wall_ns + now - now % TICK_NS;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_BOOTTIME:
		return now;
	case CLOCK_MONOTONIC_COARSE:
		return now - now % TICK_NS;
	default:
		*ok = false;
		return 0;
	}
}

long sys_clock_gettime(struct lthread *t, const struct sysargs *a)
{
	bool ok;
	uint64_t ns = clock_now(a->a0, t, &ok);
	if (!ok)
		return -EINVAL;
	struct __kernel_timespec ts = {(int64_t)(ns / 1000000000ull), (int64_t)(ns % 1000000000ull)};
	return copy_to_user(t->proc, a->a1, &ts, sizeof ts);
}

long sys_clock_getres(struct lthread *t, const struct sysargs *a)
{
	bool ok;
	uint64_t res = 1, cpu;
	if (cpuclock_is((int)a->a0))
		ok = !cpuclock_get(t, (int)a->a0, &cpu, &res);
	else
		clock_now(a->a0, t, &ok);
	if (!ok)
		return -EINVAL;
	bool coarse = (int)a->a0 == CLOCK_REALTIME_COARSE || (int)a->a0 == CLOCK_MONOTONIC_COARSE;
	struct __kernel_timespec ts = {0, coarse ? (int64_t)TICK_NS : (int64_t)res};
	return a->a1 ? copy_to_user(t->proc, a->a1, &ts, sizeof ts) : 0;
}

long sys_gettimeofday(struct lthread *t, const struct sysargs *a)
{
	uint64_t ns = boot_wall_ns + plat_now_ns();
	struct linux_timeval tv = {(int64_t)(ns / 1000000000ull), (int64_t)(ns % 1000000000ull / 1000)};
	if (a->a0 && copy_to_user(t->proc, a->a0, &tv, sizeof tv))
		return -EFAULT;
	if (a->a1 && copy_to_user(t->proc, a->a1, &sys_tz, sizeof sys_tz))
		return -EFAULT;
	return 0;
}

#define CAP_SYS_TIME_L 25

/* do_sys_settimeofday64: a valid time (EINVAL), CAP_SYS_TIME (EPERM) */
static long set_wall(struct proc *p, const struct __kernel_timespec *ts, bool tz_too)
{
	if (ts && (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000 ||
		   (uint64_t)ts->tv_sec >= UINT64_MAX / 1000000000ull / 2))
		return -EINVAL;
	if (!cred_capable(&p->cred, CAP_SYS_TIME_L))
		return -EPERM;
	(void)tz_too;
	if (ts) {
		uint64_t want = (uint64_t)ts->tv_sec * 1000000000ull + (uint64_t)ts->tv_nsec, now = plat_now_ns();
		boot_wall_ns = want - now; /* (wraps for a time before boot: still want at now) */
		timer_wall_set(want, now);
		timerfd_clock_was_set();
	}
	return 0;
}

long sys_clock_settime(struct lthread *t, const struct sysargs *a)
{
	int id = (int)a->a0;
	struct __kernel_timespec ts;
	if (id < 0 && cpuclock_is(id)) { /* a process's or thread's CPU clock by its id: EPERM if it is one */
		uint64_t now, res;
		return cpuclock_get(t, id, &now, &res) ? -EINVAL : -EPERM;
	}
	if (id != CLOCK_REALTIME)
		return -EINVAL; /* (only the wall clock can be set) */
	if (copy_from_user(t->proc, &ts, a->a1, sizeof ts))
		return -EFAULT;
	return set_wall(t->proc, &ts, false);
}

long sys_settimeofday(struct lthread *t, const struct sysargs *a)
{
	struct linux_timeval tv;
	struct __kernel_timespec ts = {0, 0};
	struct {
		int32_t minuteswest, dsttime;
	} tz;
	if (a->a0) {
		if (copy_from_user(t->proc, &tv, a->a0, sizeof tv))
			return -EFAULT;
		if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
			return -EINVAL;
		ts = (struct __kernel_timespec){tv.tv_sec, tv.tv_usec * 1000};
	}
	if (a->a1) {
		if (copy_from_user(t->proc, &tz, a->a1, sizeof tz))
			return -EFAULT;
		if (tz.minuteswest > 15 * 60 || tz.minuteswest < -15 * 60)
			return -EINVAL;
	}
	long err = set_wall(t->proc, a->a0 ? &ts : NULL, a->a1);
	if (!err && a->a1) {
		sys_tz.minuteswest = tz.minuteswest;
		sys_tz.dsttime = tz.dsttime;
	}
	return err;
}

long sys_time(struct lthread *t, const struct sysargs *a)
{
	int64_t sec = (int64_t)((boot_wall_ns + plat_now_ns()) / 1000000000ull);
	if (a->a0 && copy_to_user(t->proc, a->a0, &sec, 8))
		return -EFAULT;
	return sec;
}

/* Sleeps until t->wait.deadline (monotonic ns), made again when the timer
 * fires.  A signal ends it early: what was left goes to urem (unless 0),
 * and the call returns ERESTART_RESTARTBLOCK (EINTR after a handler; with
 * none, it goes on to the same deadline) or, for an absolute sleep,
 * ERESTARTNOHAND. */
static long sleep_on(struct lthread *t, uint64_t urem, bool absolute)
{
	uint64_t now = plat_now_ns();
	if (now >= t->wait.deadline) {
		t->wait.deadline = 0;
		return 0;
	}
	if (signal_maybe(t) && signal_pending_now(t)) {
		if (absolute)
			return -ERESTARTNOHAND;
		uint64_t left = t->wait.deadline - now;
		struct __kernel_timespec rem = {(int64_t)(left / 1000000000ull), (int64_t)(left % 1000000000ull)};
		if (urem && copy_to_user(t->proc, urem, &rem, sizeof rem))
			return -EFAULT;
		return -ERESTART_RESTARTBLOCK;
	}
	timer_add(t, t->wait.deadline);
	return SYS_WAIT;
}

static int read_timespec(struct proc *p, uint64_t u, uint64_t *ns)
{
	struct __kernel_timespec ts;
	if (copy_from_user(p, &ts, u, sizeof ts))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	*ns = (uint64_t)ts.tv_sec > 18000000000ull ? ~0ull >> 2 : (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	return 0;
}

long sys_nanosleep(struct lthread *t, const struct sysargs *a)
{
	if (!t->wait.deadline) { /* (else: made again, the same sleep) */
		uint64_t ns;
		int err = read_timespec(t->proc, a->a0, &ns);
		if (err)
			return err;
		if (!ns)
			return 0;
		t->wait.deadline = plat_now_ns() + ns;
	}
	return sleep_on(t, a->a1, false);
}

long sys_clock_nanosleep(struct lthread *t, const struct sysargs *a)
{
	bool absolute = a->a1 & TIMER_ABSTIME;
	if (!t->wait.deadline) {
		bool ok;
		int id = (int)a->a0;
		uint64_t now = clock_now(a->a0, t, &ok);
		if (!ok)
			return -EINVAL;
		if (id == CLOCK_THREAD_CPUTIME_ID || id == CLOCK_MONOTONIC_RAW || id == CLOCK_REALTIME_COARSE ||
		    id == CLOCK_MONOTONIC_COARSE)
			return -EOPNOTSUPP; /* clocks Linux cannot sleep on; other flags are ignored */
		if (id < 0 && (id & 4))
			return -EINVAL; /* a thread's CPU clock: the caller's own (posix_cpu_nsleep) */
		uint64_t ns;
		int err = read_timespec(t->proc, a->a2, &ns);
		if (err)
			return err;
		uint64_t mono = plat_now_ns();
		uint64_t deadline = absolute ? (ns > now ? mono + (ns - now) : mono) : mono + ns;
		if (deadline <= mono)
			return 0;
		t->wait.deadline = deadline;
		if (absolute && (id == CLOCK_REALTIME || id == CLOCK_TAI_L))
			t->wait.wall = ns; /* (a clock set moves it: timer_wall_set) */
	}
	return sleep_on(t, absolute ? 0 : a->a3, absolute);
}

/* ---- randomness: xorshift128+ seeded from RDRAND (where the CPU has it)
 * and the TSC; good enough for AT_RANDOM and /dev/urandom here, not for
 * keys ---------------------------------------------------------------- */
static uint64_t rs[2];

static uint64_t hw_random(void)
{
	uint32_t a, b, c, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	uint64_t v = 0;
	if (c & (1u << 30)) {
		unsigned char ok = 0;
		for (int i = 0; i < 10 && !ok; i++)
			__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
	}
	return v ^ plat_cycles();
}

uint64_t random_u64(void)
{
	if (!rs[0] && !rs[1]) {
		rs[0] = hw_random() | 1;
		rs[1] = hw_random() * 0x9e3779b97f4a7c15ull;
	}
	uint64_t s1 = rs[0];
	const uint64_t s0 = rs[1];
	rs[0] = s0;
	s1 ^= s1 << 23;
	rs[1] = s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26);
	return rs[1] + s0;
}

void random_fill(void *buf, size_t n)
{
	unsigned char *b = buf;
	while (n) {
		uint64_t r = random_u64();
		size_t c = n < 8 ? n : 8;
		memcpy(b, &r, c);
		b += c;
		n -= c;
	}
}

long sys_getrandom(struct lthread *t, const struct sysargs *a)
{
	uint32_t flags = (uint32_t)a->a2;
	if (flags & ~(uint32_t)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & GRND_RANDOM) && (flags & GRND_INSECURE))
		return -EINVAL;
	uint64_t n = a->a1 > 0x7ffff000ull ? 0x7ffff000ull : a->a1, done = 0;
	if (!access_ok(a->a0, n))
		return -EFAULT;
	unsigned char buf[256];
	while (done < n) {
		/* a user page at a time: the bytes before a fault count */
		uint64_t c = n - done < sizeof buf ? n - done : sizeof buf, room = 4096 - ((a->a0 + done) & 0xfff);
		if (c > room)
			c = room;
		random_fill(buf, c);
		if (copy_to_user(t->proc, a->a0 + done, buf, c))
			return done ? (long)done : -EFAULT;
		done += c;
	}
	return (long)done;
}
