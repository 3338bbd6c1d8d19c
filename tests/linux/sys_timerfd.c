/*
 * timerfd_create, timerfd_settime, timerfd_gettime: the clocks (and the
 * _ALARM ones, which need CAP_WAKE_ALARM), relative and absolute timers,
 * intervals and the expirations a read counts, timers already due,
 * disarming, the old value, TFD_NONBLOCK and TFD_CLOEXEC, every errno,
 * bad pointers, reads that wait (woken by the timer, interrupted by a
 * signal), poll and epoll, a timer shared with a child, and
 * TFD_TIMER_CANCEL_ON_SET when the clock is set.  Times are printed only
 * as facts about them.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>

#include "check.h"

#ifndef CLOCK_REALTIME_ALARM
#define CLOCK_REALTIME_ALARM 8
#define CLOCK_BOOTTIME_ALARM 9
#endif
#ifndef TFD_TIMER_CANCEL_ON_SET
#define TFD_TIMER_CANCEL_ON_SET 2
#endif
#ifndef TFD_IOC_SET_TICKS
#define TFD_IOC_SET_TICKS _IOW('T', 0, uint64_t)
#endif
#define MS 1000000L

static uint64_t ticks;

static void pause_ms(int ms)
{
	struct timespec d = {ms / 1000, (ms % 1000) * MS};
	nanosleep(&d, NULL);
}

static struct itimerspec its(long value_ms, long interval_ms)
{
	struct itimerspec t = {{interval_ms / 1000, interval_ms % 1000 * MS}, {value_ms / 1000, value_ms % 1000 * MS}};
	return t;
}

static long ms_of(const struct timespec *ts)
{
	return ts->tv_sec * 1000 + ts->tv_nsec / MS;
}

/* the timer's value: "off" or whether it is in (lo, hi] ms; the interval */
static void show(int fd, long lo, long hi)
{
	struct itimerspec cur;
	if (timerfd_gettime(fd, &cur)) {
		say("gettime = -1 %s\n", errname(errno));
		return;
	}
	long v = ms_of(&cur.it_value);
	int on = cur.it_value.tv_sec || cur.it_value.tv_nsec;
	if (!on)
		say("value off, interval %ld ms\n", ms_of(&cur.it_interval));
	else
		say("value in (%ld, %ld] ms: %s, interval %ld ms\n", lo, hi, v > lo - 1 && v <= hi ? "yes" : "no",
		    ms_of(&cur.it_interval));
}

static void creation(void)
{
	say("-- timerfd_create\n");
	T(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0));
	T(timerfd_create(99, 0));
	T(timerfd_create(-1, 0));
	T(timerfd_create(CLOCK_MONOTONIC, 1));
	T(timerfd_create(CLOCK_MONOTONIC, TFD_TIMER_ABSTIME << 8));
	int fd = T(timerfd_create(CLOCK_MONOTONIC, 0));
	T(fcntl(fd, F_GETFD));
	T(fcntl(fd, F_GETFL));
	close(fd);
	fd = T(timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC | TFD_NONBLOCK));
	T(fcntl(fd, F_GETFD));
	T(fcntl(fd, F_GETFL));
	struct stat st;
	T(fstat(fd, &st));
	say("mode %o\n", st.st_mode);
	char link[64] = {0}, path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	T(readlink(path, link, sizeof link - 1));
	say("link %s\n", link);
	T(write(fd, &ticks, 8));
	close(fd);
	T(close(timerfd_create(CLOCK_BOOTTIME, 0)));
	int a = T(timerfd_create(CLOCK_REALTIME_ALARM, 0));
	if (a >= 0)
		close(a);
	a = T(timerfd_create(CLOCK_BOOTTIME_ALARM, TFD_NONBLOCK));
	if (a >= 0) {
		struct itimerspec t = its(0, 0);
		T(timerfd_settime(a, 0, &t, NULL));
		close(a);
	}
}

static void errors(void)
{
	say("-- timerfd_settime's and timerfd_gettime's errors\n");
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK), p[2];
	pipe(p);
	struct itimerspec t = its(1000, 0), old;
	T(timerfd_settime(fd, 4, &t, NULL));
	T(timerfd_settime(fd, -1, &t, NULL));
	t.it_value.tv_nsec = 1000000000;
	T(timerfd_settime(fd, 0, &t, NULL));
	t = its(1000, 0);
	t.it_interval.tv_nsec = -1;
	T(timerfd_settime(fd, 0, &t, NULL));
	t = its(1000, 0);
	t.it_value.tv_sec = -1;
	T(timerfd_settime(fd, 0, &t, NULL));
	t = its(1000, 0);
	T(timerfd_settime(fd, 0, BAD_USER, NULL));
	T(timerfd_settime(fd, 4, BAD_USER, NULL));
	T(timerfd_settime(-1, 0, &t, NULL));
	T(timerfd_settime(99, 0, &t, NULL));
	T(timerfd_settime(p[0], 0, &t, NULL));
	T(timerfd_gettime(-1, &old));
	T(timerfd_gettime(p[0], &old));
	T(timerfd_gettime(fd, BAD_USER));
	T(timerfd_gettime(fd, NULL));
	show(fd, 0, 0);
	T(timerfd_settime(fd, 0, &t, BAD_USER)); /* set all the same */
	show(fd, 900, 1000);
	char b[16];
	T(read(fd, b, 7));
	T(read(fd, b, 8));
	T(read(fd, b, 16));
	say("-- TFD_IOC_SET_TICKS\n");
	uint64_t n = 0;
	T(ioctl(fd, TFD_IOC_SET_TICKS, &n));
	T(ioctl(fd, TFD_IOC_SET_TICKS, BAD_USER));
	n = 5;
	T(ioctl(fd, TFD_IOC_SET_TICKS, &n));
	T(read(fd, &ticks, 8));
	say("ticks %llu\n", (unsigned long long)ticks);
	T(ioctl(fd, FIONREAD, &n));
	T(ioctl(fd, TCGETS, b));
	close(fd);
	close(p[0]);
	close(p[1]);
}

static void expiring(void)
{
	say("-- one-shot, relative and absolute\n");
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);
	struct itimerspec t = its(50, 0), old;
	T(timerfd_settime(fd, 0, &t, &old));
	say("old: value %ld interval %ld\n", ms_of(&old.it_value), ms_of(&old.it_interval));
	show(fd, 0, 50);
	T(read(fd, &ticks, 8));
	say("ticks %llu\n", (unsigned long long)ticks);
	show(fd, 0, 0);
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	t = its(0, 0);
	t.it_value = now;
	t.it_value.tv_nsec += 60 * MS;
	if (t.it_value.tv_nsec >= 1000000000) {
		t.it_value.tv_sec++;
		t.it_value.tv_nsec -= 1000000000;
	}
	T(timerfd_settime(fd, TFD_TIMER_ABSTIME, &t, NULL));
	show(fd, 0, 60);
	T(read(fd, &ticks, 8));
	say("ticks %llu\n", (unsigned long long)ticks);
	say("-- an absolute time gone by: due at once; with an interval, counted\n");
	close(fd);
	fd = timerfd_create(CLOCK_REALTIME, 0); /* (the monotonic clock may be below 1 s) */
	clock_gettime(CLOCK_REALTIME, &now);
	t = its(0, 0);
	t.it_value.tv_sec = now.tv_sec - 1;
	t.it_value.tv_nsec = now.tv_nsec;
	t.it_interval.tv_nsec = 100 * MS;
	T(timerfd_settime(fd, TFD_TIMER_ABSTIME, &t, NULL));
	T(read(fd, &ticks, 8));
	fact("ticks from 11 to 13", ticks >= 11 && ticks <= 13);
	show(fd, 0, 100);
	say("-- an interval timer\n");
	close(fd);
	fd = timerfd_create(CLOCK_MONOTONIC, 0);
	t = its(50, 50);
	T(timerfd_settime(fd, 0, &t, &old));
	say("old interval %ld ms\n", ms_of(&old.it_interval));
	pause_ms(275);
	show(fd, 0, 50); /* (gettime moves it on and counts) */
	T(read(fd, &ticks, 8));
	fact("ticks from 5 to 7", ticks >= 5 && ticks <= 7);
	T(read(fd, &ticks, 8)); /* the next one */
	say("ticks %llu\n", (unsigned long long)ticks);
	say("-- disarmed\n");
	t = its(0, 30);
	T(timerfd_settime(fd, 0, &t, &old));
	fact("old value in (0, 50]", ms_of(&old.it_value) <= 50 && (old.it_value.tv_nsec || old.it_value.tv_sec));
	show(fd, 0, 0);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	T(read(fd, &ticks, 8));
	say("-- other clocks\n");
	close(fd);
	fd = timerfd_create(CLOCK_REALTIME, 0);
	clock_gettime(CLOCK_REALTIME, &now);
	t = its(0, 0);
	t.it_value.tv_sec = now.tv_sec;
	t.it_value.tv_nsec = now.tv_nsec;
	t.it_value.tv_sec += t.it_value.tv_nsec >= 950 * MS;
	t.it_value.tv_nsec = (t.it_value.tv_nsec + 50 * MS) % 1000000000;
	T(timerfd_settime(fd, TFD_TIMER_ABSTIME, &t, NULL));
	T(read(fd, &ticks, 8));
	say("realtime, absolute: ticks %llu\n", (unsigned long long)ticks);
	t = its(30, 0);
	T(timerfd_settime(fd, 0, &t, NULL));
	T(read(fd, &ticks, 8));
	say("realtime, relative: ticks %llu\n", (unsigned long long)ticks);
	close(fd);
	fd = timerfd_create(CLOCK_BOOTTIME, 0);
	T(timerfd_settime(fd, 0, &t, NULL));
	T(read(fd, &ticks, 8));
	say("boottime: ticks %llu\n", (unsigned long long)ticks);
	say("-- a bad buffer loses the expirations\n");
	t = its(20, 0);
	T(timerfd_settime(fd, 0, &t, NULL));
	pause_ms(60);
	T(read(fd, BAD_USER, 8));
	fcntl(fd, F_SETFL, O_NONBLOCK);
	T(read(fd, &ticks, 8));
	close(fd);
}

static void on_alarm(int s)
{
	(void)s;
}

static void waiting(void)
{
	say("-- poll, epoll, a child, a signal\n");
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);
	struct itimerspec t = its(40, 0);
	struct pollfd pf = {fd, POLLIN | POLLOUT, 0};
	T(poll(&pf, 1, 0));
	T(timerfd_settime(fd, 0, &t, NULL));
	T(poll(&pf, 1, 1000));
	say("revents %#x\n", pf.revents);
	T(read(fd, &ticks, 8));
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u64 = 7}, out[2];
	T(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	t = its(30, 30);
	T(timerfd_settime(fd, 0, &t, NULL));
	T(epoll_wait(ep, out, 2, 1000));
	say("event %#x %llu\n", out[0].events, (unsigned long long)out[0].data.u64);
	T(read(fd, &ticks, 8));
	T(epoll_wait(ep, out, 2, 1000)); /* the next expiry */
	close(ep);
	t = its(50, 0);
	T(timerfd_settime(fd, 0, &t, NULL));
	pid_t c = fork();
	if (c == 0) {
		uint64_t n = 0;
		_exit(read(fd, &n, 8) == 8 && n == 1 ? 0 : 1);
	}
	int st;
	waitpid(c, &st, 0);
	say("the child read it: %d\n", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	T(read(fd, &ticks, 8));
	fcntl(fd, F_SETFL, 0);
	struct sigaction sa = {.sa_handler = on_alarm}; /* (no SA_RESTART) */
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {{0, 0}, {0, 50000}};
	setitimer(ITIMER_REAL, &it, NULL);
	t = its(10000, 0);
	T(timerfd_settime(fd, 0, &t, NULL));
	T(read(fd, &ticks, 8));
	close(fd);
}

static void cancel_on_set(void)
{
	say("-- TFD_TIMER_CANCEL_ON_SET\n");
	int fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK), rel = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	int mono = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	struct itimerspec t = its(0, 0);
	t.it_value.tv_sec = now.tv_sec + 3600;
	T(timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &t, NULL));
	T(timerfd_settime(rel, TFD_TIMER_CANCEL_ON_SET, &t, NULL)); /* (not absolute: not cancelled) */
	T(timerfd_settime(mono, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &t, NULL));
	T(read(fd, &ticks, 8));
	clock_gettime(CLOCK_REALTIME, &now);
	int set = T(clock_settime(CLOCK_REALTIME, &now));
	struct pollfd pf = {fd, POLLIN, 0};
	T(poll(&pf, 1, 0));
	T(read(fd, &ticks, 8));
	T(read(fd, &ticks, 8));
	T(read(rel, &ticks, 8));
	T(read(mono, &ticks, 8));
	show(fd, 3500 * 1000, 3600 * 1000);
	if (set == 0) {
		clock_gettime(CLOCK_REALTIME, &now);
		clock_settime(CLOCK_REALTIME, &now);
	}
	/* cancelled again, then set anew: the new setting says so */
	T(timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &t, NULL));
	T(read(fd, &ticks, 8));
	close(fd);
	close(rel);
	close(mono);
}

int main(void)
{
	creation();
	errors();
	expiring();
	waiting();
	cancel_on_set();
	return 0;
}
