/*
 * futex between processes of one thread: FUTEX_WAIT and FUTEX_WAKE and
 * their BITSET forms, private and shared (shared memory, reached at
 * different addresses), timeouts (relative, absolute on either clock),
 * signals, and the errors.  A waiter is known to wait when /proc says it
 * sleeps.
 */
#define _GNU_SOURCE /* mremap */
#include <signal.h>
#include <stdlib.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include "check.h"

#define PG 4096ul

/* <linux/futex.h> (musl-gcc has no kernel headers) */
#define FUTEX_WAIT                0
#define FUTEX_WAKE                1
#define FUTEX_WAIT_BITSET         9
#define FUTEX_WAKE_BITSET         10
#define FUTEX_PRIVATE_FLAG        128
#define FUTEX_CLOCK_REALTIME      256
#define FUTEX_WAIT_PRIVATE        (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE        (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAIT_BITSET_PRIVATE (FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG)
#define FUTEX_BITSET_MATCH_ANY    0xffffffffu

static long futex(void *uaddr, int op, unsigned val, const struct timespec *ts, unsigned val3)
{
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, val3);
}

static long ms_since(const struct timespec *a)
{
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

/* waits until process pid sleeps (its state in /proc/PID/stat is S) */
static void until_asleep(pid_t pid)
{
	char path[64], buf[256];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	for (int i = 0; i < 2000; i++) {
		FILE *f = fopen(path, "r");
		char st = 0;
		if (f && fgets(buf, sizeof buf, f)) {
			char *p = strrchr(buf, ')');
			if (p)
				st = p[2];
		}
		if (f)
			fclose(f);
		if (st == 'S')
			return;
		struct timespec d = {0, 1000000};
		nanosleep(&d, NULL);
	}
	say("pid never slept\n");
}

static int status_of(pid_t pid)
{
	int st = -1;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* a child that waits on *word (while it is 0) with op and bitset; exits
 * 0 when woken, 1 on EAGAIN, 2 on ETIMEDOUT, 3 on EINTR, 9 otherwise */
static pid_t waiter(unsigned *word, int op, unsigned bitset, long timeout_ms)
{
	pid_t pid = fork();
	if (pid)
		return pid;
	struct timespec ts = {timeout_ms / 1000, timeout_ms % 1000 * 1000000};
	long r = futex(word, op, 0, timeout_ms ? &ts : NULL, bitset);
	_exit(r == 0 ? 0 : errno == EAGAIN ? 1 : errno == ETIMEDOUT ? 2 : errno == EINTR ? 3 : 9);
}

static void on_usr1(int sig)
{
	(void)sig;
}

static void alone(void)
{
	say("-- one process\n");
	unsigned *word = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned *unaligned = (unsigned *)((char *)word + 2);
	T(futex(word, FUTEX_WAKE_PRIVATE, 1, NULL, 0));
	T(futex(word, FUTEX_WAKE, INT32_MAX, NULL, 0));
	T(futex(unmapped_page(), FUTEX_WAKE_PRIVATE, 1, NULL, 0));
	T(futex(unmapped_page(), FUTEX_WAKE, 1, NULL, 0));
	T(futex(unaligned, FUTEX_WAKE, 1, NULL, 0));
	T(futex(word, FUTEX_WAIT_PRIVATE, 1, NULL, 0));
	T(futex(word, FUTEX_WAIT, 1, NULL, 0));
	T(futex(unmapped_page(), FUTEX_WAIT_PRIVATE, 0, NULL, 0));
	T(futex(BAD_KERNEL, FUTEX_WAIT, 0, NULL, 0));
	T(futex(unaligned, FUTEX_WAIT, 0, NULL, 0));
	struct timespec start, ts = {0, 30000000};
	clock_gettime(CLOCK_MONOTONIC, &start);
	T(futex(word, FUTEX_WAIT_PRIVATE, 0, &ts, 0));
	fact("a 30 ms timeout took 30 ms or more", ms_since(&start) >= 30);
	struct timespec zero = {0, 0}, bad = {0, 1000000000}, neg = {-1, 0};
	T(futex(word, FUTEX_WAIT, 0, &zero, 0));
	T(futex(word, FUTEX_WAIT, 1, &zero, 0)); /* the value comes first */
	T(futex(word, FUTEX_WAIT, 0, &bad, 0));
	T(futex(word, FUTEX_WAIT, 0, &neg, 0));
	T(futex(word, FUTEX_WAIT, 0, BAD_USER, 0));
	/* FUTEX_WAIT_BITSET: an absolute deadline */
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	T(futex(word, FUTEX_WAIT_BITSET_PRIVATE, 0, &now, FUTEX_BITSET_MATCH_ANY));
	clock_gettime(CLOCK_MONOTONIC, &start);
	struct timespec at = start;
	at.tv_nsec += 30000000;
	if (at.tv_nsec >= 1000000000) {
		at.tv_sec++;
		at.tv_nsec -= 1000000000;
	}
	T(futex(word, FUTEX_WAIT_BITSET_PRIVATE, 0, &at, FUTEX_BITSET_MATCH_ANY));
	fact("until a monotonic deadline 30 ms on: 30 ms or more", ms_since(&start) >= 30);
	clock_gettime(CLOCK_REALTIME, &at);
	at.tv_nsec += 30000000;
	if (at.tv_nsec >= 1000000000) {
		at.tv_sec++;
		at.tv_nsec -= 1000000000;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	T(futex(word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0, &at, FUTEX_BITSET_MATCH_ANY));
	long took = ms_since(&start);
	fact("until a real-time deadline 30 ms on: 30 ms or more, under a second", took >= 29 && took < 1000);
	T(futex(word, FUTEX_WAIT_BITSET, 0, NULL, 0));
	T(futex(word, FUTEX_WAKE_BITSET, 1, NULL, 0));
	T(futex(word, FUTEX_WAKE_BITSET, 1, NULL, 0x10));
	T(futex(word, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, 0));
	T(futex(word, 99, 0, NULL, 0));
	/* a signal ends a wait: EINTR without SA_RESTART */
	struct sigaction sa = {.sa_handler = on_usr1};
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {{0, 0}, {0, 20000}};
	T(setitimer(ITIMER_REAL, &it, NULL));
	T(futex(word, FUTEX_WAIT_PRIVATE, 0, NULL, 0));
	munmap(word, PG);
}

static void together(void)
{
	say("-- processes sharing memory\n");
	unsigned *m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid = waiter(m, FUTEX_WAIT, 0, 0);
	until_asleep(pid);
	*m = 1;
	T(futex(m, FUTEX_WAKE, 1, NULL, 0));
	say("the waiter: %d\n", status_of(pid));
	*m = 0;
	/* the same memory at another address: the same futex */
	unsigned *dup = mremap(m, 0, 2 * PG, MREMAP_MAYMOVE);
	fact("a second mapping", dup != MAP_FAILED && dup != m);
	pid = waiter(m + 1, FUTEX_WAIT, 0, 0);
	until_asleep(pid);
	T(futex(dup + 2, FUTEX_WAKE, 1, NULL, 0)); /* another word */
	T(futex(dup + 1, FUTEX_WAKE, 1, NULL, 0));
	say("the waiter: %d\n", status_of(pid));
	/* two waiters; a wake of one, then of the rest */
	pid_t a = waiter(m, FUTEX_WAIT, 0, 0);
	until_asleep(a);
	pid_t b = waiter(m, FUTEX_WAIT, 0, 0);
	until_asleep(b);
	T(futex(m, FUTEX_WAKE, 1, NULL, 0));
	say("the first waiter: %d\n", status_of(a));
	T(futex(m, FUTEX_WAKE, INT32_MAX, NULL, 0));
	say("the second waiter: %d\n", status_of(b));
	/* bitsets */
	pid = waiter(m, FUTEX_WAIT_BITSET, 0x1, 0);
	until_asleep(pid);
	T(futex(m, FUTEX_WAKE_BITSET, 1, NULL, 0x2));
	T(futex(m, FUTEX_WAKE_BITSET, 1, NULL, 0x3));
	say("the waiter: %d\n", status_of(pid));
	/* a private futex is the process's own: another's wake misses it */
	pid = waiter(m, FUTEX_WAIT_PRIVATE, 0, 300);
	until_asleep(pid);
	T(futex(m, FUTEX_WAKE_PRIVATE, 1, NULL, 0));
	T(futex(m, FUTEX_WAKE, 1, NULL, 0));
	say("the private waiter: %d\n", status_of(pid));
	/* a signal to a waiter with a handler that has SA_RESTART: it waits on */
	pid = fork();
	if (pid == 0) {
		struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = SA_RESTART};
		sigaction(SIGUSR1, &sa, NULL);
		_exit(futex(m, FUTEX_WAIT, 0, NULL, 0) == 0 ? 0 : 9);
	}
	until_asleep(pid);
	T(kill(pid, SIGUSR1));
	struct timespec d = {0, 50000000};
	nanosleep(&d, NULL);
	until_asleep(pid);
	T(futex(m, FUTEX_WAKE, 1, NULL, 0));
	say("the waiter with SA_RESTART: %d\n", status_of(pid));
	/* one that is killed while it waits */
	pid = waiter(m, FUTEX_WAIT, 0, 0);
	until_asleep(pid);
	T(kill(pid, SIGKILL));
	say("the killed waiter: %d\n", status_of(pid));
	T(futex(m, FUTEX_WAKE, 1, NULL, 0));
	munmap(dup, 2 * PG);
	munmap(m, 2 * PG);
}

int main(void)
{
	alone();
	together();
	say("done\n");
	return 0;
}
