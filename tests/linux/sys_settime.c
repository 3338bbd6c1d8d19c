/* Setting the clock: clock_settime of CLOCK_REALTIME and settimeofday
 * (with its time zone, which gettimeofday gives back) for CAP_SYS_TIME;
 * the wall clock, time(), file times and /proc/stat's btime move
 * together, the monotonic clock does not; the errors (a clock that
 * cannot be set, a bad time, a user's EPERM); an absolute CLOCK_REALTIME
 * sleep moves with the clock, a relative one does not.  Differential: the
 * output must be Linux's. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include "check.h"

static long long ns(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return t.tv_sec * 1000000000ll + t.tv_nsec;
}

static long btime(void)
{
	static char buf[4096];
	int fd = open("/proc/stat", O_RDONLY);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	char *b = strstr(buf, "btime ");
	return b ? atol(b + 6) : -1;
}

#define SEC 1000000000ll

/* sets the wall clock d ns from where it is */
static void shift(long long d)
{
	long long w = ns(CLOCK_REALTIME) + d;
	struct timespec t = {(time_t)(w / SEC), (long)(w % SEC)};
	clock_settime(CLOCK_REALTIME, &t);
}

/* a child that sleeps until wall time end (absolute) or for rel ns;
 * exits 0 if the sleep returned 0 */
static pid_t sleeper(long long end, long long rel)
{
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		struct timespec e = {(time_t)(end / SEC), (long)(end % SEC)}, r = {(time_t)(rel / SEC), (long)(rel % SEC)};
		_exit(end ? clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &e, NULL) != 0 : nanosleep(&r, NULL) != 0);
	}
	return c;
}

static bool woke(pid_t c)
{
	int st;
	return waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void sleeps(void)
{
	say("-- sleeps when the clock is set\n");
	pid_t c = sleeper(ns(CLOCK_REALTIME) + 100 * SEC, 0);
	usleep(200000);
	long long m0 = ns(CLOCK_MONOTONIC);
	shift(200 * SEC);
	fact("an absolute sleep, the clock set past its end: it ends", woke(c) && ns(CLOCK_MONOTONIC) - m0 < 30 * SEC);
	shift(-200 * SEC);
	c = sleeper(ns(CLOCK_REALTIME) + SEC, 0);
	usleep(100000);
	shift(-100 * SEC);
	usleep(1500000);
	int st;
	fact("the clock set back: it sleeps on past its first end", waitpid(c, &st, WNOHANG) == 0);
	shift(100 * SEC);
	fact("set forward again: it ends", woke(c));
	m0 = ns(CLOCK_MONOTONIC);
	c = sleeper(0, SEC);
	usleep(100000);
	shift(100 * SEC);
	fact("a relative sleep keeps its length", woke(c) && ns(CLOCK_MONOTONIC) - m0 >= SEC);
	shift(-100 * SEC);
}

int main(void)
{
	long long w0 = ns(CLOCK_REALTIME), m0 = ns(CLOCK_MONOTONIC);
	long b0 = btime();
	struct timespec later = {(time_t)(w0 / 1000000000ll) + 3600, 0};
	T(clock_settime(CLOCK_REALTIME, &later));
	long long w1 = ns(CLOCK_REALTIME), m1 = ns(CLOCK_MONOTONIC);
	fact("the wall clock moved an hour", w1 - w0 > 3599000000000ll && w1 - w0 < 3605000000000ll);
	fact("the monotonic clock did not", m1 - m0 < 5000000000ll);
	fact("time() agrees", labs((long)time(NULL) - (long)(w1 / 1000000000ll)) <= 1);
	fact("btime moved with it", labs(btime() - b0 - 3600) <= 2);
	int fd = open("/tmp/settime_f", O_CREAT | O_WRONLY, 0644);
	struct stat st;
	fstat(fd, &st);
	fact("a new file's mtime is the new time", labs((long)st.st_mtime - (long)(w1 / 1000000000ll)) <= 1);
	close(fd);
	unlink("/tmp/settime_f");
	struct timeval tv = {(time_t)(w0 / 1000000000ll), 0};
	struct timezone tz = {60, 0}, got;
	/* (the raw calls: musl's settimeofday takes no time zone and its
	 * gettimeofday gives none) */
	T(syscall(SYS_settimeofday, &tv, &tz));
	struct timeval now;
	T(syscall(SYS_gettimeofday, &now, &got));
	fact("settimeofday set it back", labs((long)now.tv_sec - (long)tv.tv_sec) <= 2);
	say("time zone: %d minutes west, dst %d\n", got.tz_minuteswest, got.tz_dsttime);
	struct timezone utc = {0, 0};
	T(syscall(SYS_settimeofday, NULL, &utc));
	T(syscall(SYS_settimeofday, NULL, NULL));
	say("-- errors\n");
	struct timespec bad = {1, 1000000000};
	T(clock_settime(CLOCK_REALTIME, &bad));
	bad.tv_sec = -1;
	bad.tv_nsec = 0;
	T(clock_settime(CLOCK_REALTIME, &bad));
	T(clock_settime(CLOCK_MONOTONIC, &later));
	T(clock_settime(CLOCK_TAI, &later));
	T(clock_settime(CLOCK_PROCESS_CPUTIME_ID, &later));
	T(clock_settime(99, &later));
	T(clock_settime(CLOCK_REALTIME, BAD_USER));
	struct timeval badtv = {1, 1000000};
	T(syscall(SYS_settimeofday, &badtv, NULL));
	struct timezone badtz = {16 * 60, 0};
	T(syscall(SYS_settimeofday, NULL, &badtz));
	clockid_t cpu;
	clock_getcpuclockid(0, &cpu);
	T(clock_settime(cpu, &later));
	T(syscall(SYS_settimeofday, BAD_USER, NULL));
	say("-- as a user\n");
	fflush(stdout);
	if (fork() == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(1);
		T(clock_settime(CLOCK_REALTIME, &later));
		T(syscall(SYS_settimeofday, &tv, NULL));
		T(syscall(SYS_settimeofday, NULL, NULL));
		T(syscall(SYS_settimeofday, NULL, &utc));
		T(clock_settime(CLOCK_REALTIME, &bad));
		_exit(0);
	}
	wait(NULL);
	sleeps();
	return 0;
}
