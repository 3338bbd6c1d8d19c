/*
 * futex between processes of one thread: FUTEX_WAIT and FUTEX_WAKE and
 * their BITSET forms, FUTEX_REQUEUE, FUTEX_CMP_REQUEUE and FUTEX_WAKE_OP,
 * private and shared (shared memory, reached at different addresses),
 * timeouts (relative, absolute on either clock), signals, and the errors.
 * A waiter is known to wait when /proc says it sleeps.
 */
#define _GNU_SOURCE /* mremap */
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include "check.h"

#define PG 4096ul

/* <linux/futex.h> (musl-gcc has no kernel headers) */
#define FUTEX_WAIT                0
#define FUTEX_WAKE                1
#define FUTEX_REQUEUE             3
#define FUTEX_CMP_REQUEUE         4
#define FUTEX_WAKE_OP             5
#define FUTEX_WAIT_BITSET         9
#define FUTEX_WAKE_BITSET         10
#define FUTEX_PRIVATE_FLAG        128
#define FUTEX_CLOCK_REALTIME      256
#define FUTEX_WAIT_PRIVATE        (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE        (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAIT_BITSET_PRIVATE (FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG)
#define FUTEX_BITSET_MATCH_ANY    0xffffffffu
#define FUTEX_OP_SET              0
#define FUTEX_OP_ADD              1
#define FUTEX_OP_OR               2
#define FUTEX_OP_ANDN             3
#define FUTEX_OP_XOR              4
#define FUTEX_OP_OPARG_SHIFT      8
#define FUTEX_OP_CMP_EQ           0
#define FUTEX_OP_CMP_NE           1
#define FUTEX_OP_CMP_LT           2
#define FUTEX_OP_CMP_LE           3
#define FUTEX_OP_CMP_GT           4
#define FUTEX_OP_CMP_GE           5
#define FUTEX_OP(op, oparg, cmp, cmparg) \
	((((op)&0xfu) << 28) | (((cmp)&0xfu) << 24) | (((oparg)&0xfffu) << 12) | ((cmparg)&0xfffu))

static long futex(void *uaddr, int op, unsigned val, const struct timespec *ts, unsigned val3)
{
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, val3);
}

/* the operations on two futexes: val2 (a count) in the timeout's place */
static long futex2(void *uaddr, int op, unsigned val, unsigned long val2, void *uaddr2, unsigned val3)
{
	return syscall(SYS_futex, uaddr, op, val, val2, uaddr2, val3);
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
	T(futex(BAD_KERNEL, FUTEX_WAKE_PRIVATE, 1, NULL, 0));
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

static volatile unsigned *handled; /* a word of shared memory: set by on_usr1_note */

static void on_usr1_note(int sig)
{
	(void)sig;
	*handled = 1;
}

/* a child that waits on *word (while it is 0, for timeout_ms if not 0)
 * with a handler of SIGUSR1 (SA_RESTART if restart) that notes it ran;
 * exits as waiter's do */
static pid_t noting_waiter(unsigned *word, bool restart, long timeout_ms)
{
	pid_t pid = fork();
	if (pid)
		return pid;
	struct sigaction sa = {.sa_handler = on_usr1_note, .sa_flags = restart ? SA_RESTART : 0};
	sigaction(SIGUSR1, &sa, NULL);
	struct timespec ts = {timeout_ms / 1000, timeout_ms % 1000 * 1000000};
	long r = futex(word, FUTEX_WAIT, 0, timeout_ms ? &ts : NULL, 0);
	_exit(r == 0 ? 0 : errno == EAGAIN ? 1 : errno == ETIMEDOUT ? 2 : errno == EINTR ? 3 : 9);
}

/* FUTEX_REQUEUE and FUTEX_CMP_REQUEUE: the arguments first, then waiters
 * woken, moved (found by a wake of the second futex, missed by one of the
 * first), and moved waiters' timeouts and signals */
static void requeue(void)
{
	say("-- requeue\n");
	unsigned *m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	unsigned *f1 = m, *f2 = m + 1, *odd = (unsigned *)((char *)m + 6);
	int st = 0;
	handled = m + 16;
	T(futex2(f1, FUTEX_CMP_REQUEUE, 1, 1, f2, 5));
	T(futex2(f1, FUTEX_CMP_REQUEUE, 1, 1, f2, 0));
	T(futex2(f1, FUTEX_REQUEUE, 1, 1, f2, 5));
	T(futex2(f1, FUTEX_CMP_REQUEUE, -1, 1, f2, 0));
	T(futex2(f1, FUTEX_CMP_REQUEUE, 1, 0xffffffff, f2, 0));
	T(futex2(f1, FUTEX_CMP_REQUEUE, 1, 0x100000001ul, f2, 0)); /* (a count is 32 bits) */
	T(futex2(f1, FUTEX_REQUEUE, -1, 1, unmapped_page(), 0));
	T(futex2(f1, FUTEX_REQUEUE, 1, 1, unmapped_page(), 0));
	T(futex2(f1, FUTEX_REQUEUE | FUTEX_PRIVATE_FLAG, 1, 1, unmapped_page(), 0));
	T(futex2(f1, FUTEX_REQUEUE | FUTEX_PRIVATE_FLAG, 1, 1, BAD_KERNEL, 0));
	T(futex2(unmapped_page(), FUTEX_REQUEUE, 1, 1, f2, 0));
	T(futex2(unmapped_page(), FUTEX_REQUEUE | FUTEX_PRIVATE_FLAG, 1, 1, f2, 0));
	T(futex2(unmapped_page(), FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG, 1, 1, f2, 0));
	T(futex2(odd, FUTEX_REQUEUE, 1, 1, f2, 0));
	T(futex2(f1, FUTEX_CMP_REQUEUE, 1, 1, odd, 7));
	T(futex2(f1, FUTEX_CMP_REQUEUE | FUTEX_CLOCK_REALTIME, 1, 1, f2, 0));
	/* three waiters: the oldest woken, the next moved, the last left */
	pid_t a = waiter(f1, FUTEX_WAIT, 0, 0);
	until_asleep(a);
	pid_t b = waiter(f1, FUTEX_WAIT, 0, 0);
	until_asleep(b);
	pid_t c = waiter(f1, FUTEX_WAIT, 0, 0);
	until_asleep(c);
	T(futex2(f1, FUTEX_CMP_REQUEUE, 1, 1, f2, 1));
	T(futex2(f1, FUTEX_CMP_REQUEUE, 1, 1, f2, 0));
	say("the oldest: %d\n", status_of(a));
	T(futex(f1, FUTEX_WAKE, INT32_MAX, NULL, 0));
	say("the last: %d\n", status_of(c));
	T(futex(f1, FUTEX_WAKE, INT32_MAX, NULL, 0));
	T(futex(f2, FUTEX_WAKE, INT32_MAX, NULL, 0));
	say("the moved one: %d\n", status_of(b));
	/* FUTEX_REQUEUE, none woken (0 is 0 here, not 1 as FUTEX_WAKE's) */
	a = waiter(f1, FUTEX_WAIT, 0, 0);
	until_asleep(a);
	b = waiter(f1, FUTEX_WAIT, 0, 0);
	until_asleep(b);
	*f1 = 9; /* (FUTEX_REQUEUE does not look) */
	T(futex2(f1, FUTEX_REQUEUE, 0, INT32_MAX, f2, 0));
	T(futex(f1, FUTEX_WAKE, INT32_MAX, NULL, 0));
	T(futex(f2, FUTEX_WAKE, 1, NULL, 0));
	say("the first: %d\n", status_of(a));
	T(futex(f2, FUTEX_WAKE, 1, NULL, 0));
	say("the second: %d\n", status_of(b));
	*f1 = 0;
	/* onto the same futex: each counted once */
	a = waiter(f1, FUTEX_WAIT, 0, 0);
	until_asleep(a);
	b = waiter(f1, FUTEX_WAIT, 0, 0);
	until_asleep(b);
	T(futex2(f1, FUTEX_CMP_REQUEUE, 1, 5, f1, 0));
	say("the first: %d\n", status_of(a));
	T(futex(f1, FUTEX_WAKE, INT32_MAX, NULL, 0));
	say("the second: %d\n", status_of(b));
	/* a waiter that reaches the memory at another address; a private
	 * futex's waiter is not a shared one's */
	unsigned *dup = mremap(m, 0, 2 * PG, MREMAP_MAYMOVE);
	fact("a second mapping", dup != MAP_FAILED && dup != m);
	a = waiter(dup, FUTEX_WAIT, 0, 0);
	until_asleep(a);
	b = waiter(f1, FUTEX_WAIT_PRIVATE, 0, 300);
	until_asleep(b);
	T(futex2(f1, FUTEX_CMP_REQUEUE, 0, 1, f2, 0));
	T(futex(dup + 1, FUTEX_WAKE, 1, NULL, 0));
	say("the moved one: %d\n", status_of(a));
	say("the private one: %d\n", status_of(b));
	/* a bitset goes with the waiter */
	a = waiter(f1, FUTEX_WAIT_BITSET, 0x1, 0);
	until_asleep(a);
	T(futex2(f1, FUTEX_REQUEUE, 0, 1, f2, 0));
	T(futex(f2, FUTEX_WAKE_BITSET, 1, NULL, 0x2));
	T(futex(f2, FUTEX_WAKE_BITSET, 1, NULL, 0x1));
	say("the waiter with a bitset: %d\n", status_of(a));
	/* so does a timeout */
	a = waiter(f1, FUTEX_WAIT, 0, 200);
	until_asleep(a);
	T(futex2(f1, FUTEX_REQUEUE, 0, 1, f2, 0));
	say("the moved waiter with a timeout: %d\n", status_of(a));
	T(futex(f2, FUTEX_WAKE, 1, NULL, 0));
	/* signals: without SA_RESTART EINTR; with it the call starts over on
	 * the futex it names (EAGAIN when its value changed, else it waits
	 * there: a wake of the second misses it) */
	a = noting_waiter(f1, false, 0);
	until_asleep(a);
	*f1 = 1;
	T(kill(a, SIGUSR1));
	say("not moved, a signal after the value changed: %d\n", status_of(a));
	*f1 = 0;
	a = noting_waiter(f1, false, 0);
	until_asleep(a);
	T(futex2(f1, FUTEX_REQUEUE, 0, 1, f2, 0));
	*f1 = 1;
	T(kill(a, SIGUSR1));
	say("moved, a signal: %d\n", status_of(a));
	*f1 = 0;
	a = noting_waiter(f1, true, 0);
	until_asleep(a);
	T(futex2(f1, FUTEX_REQUEUE, 0, 1, f2, 0));
	*f1 = 1;
	T(kill(a, SIGUSR1));
	say("moved, a signal with SA_RESTART: %d\n", status_of(a));
	*f1 = 0;
	*handled = 0;
	a = noting_waiter(f1, true, 0);
	until_asleep(a);
	T(futex2(f1, FUTEX_REQUEUE, 0, 1, f2, 0));
	T(kill(a, SIGUSR1));
	for (int i = 0; i < 2000 && !*handled; i++)
		usleep(1000);
	until_asleep(a);
	T(futex(f2, FUTEX_WAKE, 1, NULL, 0));
	T(futex(f1, FUTEX_WAKE, 1, NULL, 0));
	say("moved, a signal with SA_RESTART, the value kept: %d\n", status_of(a));
	/* with a timeout (Linux's restart block): EINTR after any handler */
	a = noting_waiter(f1, true, 5000);
	until_asleep(a);
	T(kill(a, SIGUSR1));
	say("a timed wait, a signal with SA_RESTART: %d\n", status_of(a));
	a = noting_waiter(f1, true, 5000);
	until_asleep(a);
	T(futex2(f1, FUTEX_REQUEUE, 0, 1, f2, 0));
	T(kill(a, SIGUSR1));
	say("moved, a timed wait, a signal with SA_RESTART: %d\n", status_of(a));
	/* ... and without a handler (stopped, continued) it goes on */
	a = waiter(f1, FUTEX_WAIT, 0, 5000);
	until_asleep(a);
	T(kill(a, SIGSTOP));
	fact("stopped", waitpid(a, &st, WUNTRACED) == a && WIFSTOPPED(st));
	T(kill(a, SIGCONT));
	until_asleep(a);
	T(futex(f1, FUTEX_WAKE, 1, NULL, 0));
	say("a timed wait, stopped and continued: %d\n", status_of(a));
	/* stopped and continued: the call starts over too */
	a = waiter(f1, FUTEX_WAIT, 0, 0);
	until_asleep(a);
	T(futex2(f1, FUTEX_REQUEUE, 0, 1, f2, 0));
	*f1 = 1;
	T(kill(a, SIGSTOP));
	fact("stopped", waitpid(a, &st, WUNTRACED) == a && WIFSTOPPED(st));
	T(futex(f2, FUTEX_WAKE, 1, NULL, 0));
	T(kill(a, SIGCONT));
	say("moved, stopped and continued: %d\n", status_of(a));
	*f1 = 0;
	/* killed while moved */
	a = waiter(f1, FUTEX_WAIT, 0, 0);
	until_asleep(a);
	T(futex2(f1, FUTEX_REQUEUE, 0, 1, f2, 0));
	T(kill(a, SIGKILL));
	say("moved, killed: %d\n", status_of(a));
	T(futex(f2, FUTEX_WAKE, 1, NULL, 0));
	munmap(dup, 2 * PG);
	munmap(m, 2 * PG);
}

static const char *const op_names[] = {"SET", "ADD", "OR", "ANDN", "XOR"};
static const char *const cmp_names[] = {"EQ", "NE", "LT", "LE", "GT", "GE"};

/* FUTEX_WAKE_OP: the operations (their effect on the second word), the
 * comparisons (of its old value: a waiter there is woken or not), the
 * wakes of both, and the errors */
static void wake_op(void)
{
	say("-- wake_op\n");
	unsigned *m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	unsigned *f1 = m, *f2 = m + 1, *odd = (unsigned *)((char *)m + 6);
	static const int opargs[] = {0, 1, 0x0f0, 31, 32, 0x7ff, 0x800, 0xfff};
	for (int op = 0; op <= FUTEX_OP_XOR; op++)
		for (int shift = 0; shift <= FUTEX_OP_OPARG_SHIFT; shift += FUTEX_OP_OPARG_SHIFT)
			for (unsigned i = 0; i < sizeof opargs / sizeof opargs[0]; i++) {
				*f2 = 0x92355ff3;
				long r = futex2(f1, FUTEX_WAKE_OP, 1, 1, f2, FUTEX_OP(op | shift, opargs[i], 0, 0));
				say("%s%s %#x: %ld, %#x\n", op_names[op], shift ? " (shift)" : "", opargs[i], r, *f2);
			}
	/* an operation Linux does not know is not done; a comparison it does
	 * not know is, after the operation */
	for (int op = 5; op <= 7; op++) {
		*f2 = 7;
		TN("unknown operation", futex2(f1, FUTEX_WAKE_OP, 1, 1, f2, FUTEX_OP(op, 1, 0, 0)));
		say("the word: %u\n", *f2);
	}
	for (int cmp = 6; cmp <= 15; cmp += 9) {
		*f2 = 7;
		TN("unknown comparison", futex2(f1, FUTEX_WAKE_OP, 1, 1, f2, FUTEX_OP(FUTEX_OP_ADD, 1, cmp, 0)));
		say("the word: %u\n", *f2);
	}
	/* the comparisons, signed, of the old value with a 12-bit signed argument */
	static const struct {
		int old, cmp, arg;
	} cases[] = {
	    {5, FUTEX_OP_CMP_EQ, 5},        {5, FUTEX_OP_CMP_EQ, 4}, {-1, FUTEX_OP_CMP_EQ, 0xfff},
	    {4095, FUTEX_OP_CMP_EQ, 0xfff}, {5, FUTEX_OP_CMP_NE, 5}, {5, FUTEX_OP_CMP_NE, 4},
	    {-3, FUTEX_OP_CMP_LT, 2},       {5, FUTEX_OP_CMP_LT, 5}, {5, FUTEX_OP_CMP_LE, 5},
	    {6, FUTEX_OP_CMP_LE, 5},        {6, FUTEX_OP_CMP_GT, 5}, {-1, FUTEX_OP_CMP_GT, 5},
	    {5, FUTEX_OP_CMP_GE, 5},        {4, FUTEX_OP_CMP_GE, 5}, {-2048, FUTEX_OP_CMP_LE, 0x800},
	};
	pid_t w = 0;
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (!w) {
			*f2 = 0;
			w = waiter(f2, FUTEX_WAIT, 0, 0);
			until_asleep(w);
		}
		*f2 = (unsigned)cases[i].old;
		long r = futex2(f1, FUTEX_WAKE_OP, 1, 1, f2, FUTEX_OP(FUTEX_OP_ADD, 1, cases[i].cmp, cases[i].arg));
		say("old %d %s %#x: woke %ld, now %d\n", cases[i].old, cmp_names[cases[i].cmp], cases[i].arg, r,
		    (int)*f2);
		if (r == 1) {
			say("the waiter: %d\n", status_of(w));
			w = 0;
		}
	}
	if (w) {
		T(futex(f2, FUTEX_WAKE, 1, NULL, 0));
		say("the waiter: %d\n", status_of(w));
	}
	/* waiters on both; the counts (at least one, as FUTEX_WAKE's) */
	*f1 = *f2 = 0;
	pid_t a = waiter(f1, FUTEX_WAIT, 0, 0);
	until_asleep(a);
	pid_t b = waiter(f1, FUTEX_WAIT, 0, 0);
	until_asleep(b);
	pid_t c = waiter(f2, FUTEX_WAIT, 0, 0);
	until_asleep(c);
	pid_t d = waiter(f2, FUTEX_WAIT_BITSET, 0x4, 0);
	until_asleep(d);
	T(futex2(f1, FUTEX_WAKE_OP, 0, 0, f2, FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_NE, 0)));
	say("the first on the first: %d\n", status_of(a));
	T(futex2(f1, FUTEX_WAKE_OP, 1, 0, f2, FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_EQ, 0)));
	say("the second on the first: %d\n", status_of(b));
	say("the first on the second: %d\n", status_of(c));
	T(futex2(f2, FUTEX_WAKE_OP, 5, 5, f2, FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_EQ, 0)));
	say("the one with a bitset: %d\n", status_of(d));
	/* the errors */
	unsigned *ro = mmap(NULL, PG, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	unsigned *ro_priv = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned op = FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 0), bad = FUTEX_OP(6, 1, FUTEX_OP_CMP_EQ, 0);
	T(futex2(odd, FUTEX_WAKE_OP, 1, 1, f2, op));
	T(futex2(f1, FUTEX_WAKE_OP, 1, 1, odd, op));
	T(futex2(unmapped_page(), FUTEX_WAKE_OP, 1, 1, f2, op));
	T(futex2(f1, FUTEX_WAKE_OP, 1, 1, unmapped_page(), op));
	T(futex2(f1, FUTEX_WAKE_OP, 1, 1, unmapped_page(), bad));
	T(futex2(f1, FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG, 1, 1, unmapped_page(), op));
	T(futex2(f1, FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG, 1, 1, unmapped_page(), bad));
	T(futex2(f1, FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG, 1, 1, BAD_KERNEL, bad));
	T(futex2(unmapped_page(), FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG, 1, 1, f2, op));
	T(futex2(f1, FUTEX_WAKE_OP, 1, 1, ro, op));
	T(futex2(f1, FUTEX_WAKE_OP, 1, 1, ro, bad));
	T(futex2(f1, FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG, 1, 1, ro_priv, op));
	T(futex2(f1, FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG, 1, 1, ro_priv, bad));
	T(futex2(f1, FUTEX_WAKE_OP | FUTEX_CLOCK_REALTIME, 1, 1, f2, op));
	say("the words: %u %u %u\n", *f2, *ro, *ro_priv);
	/* a private futex in private memory */
	unsigned *priv = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T(futex2(priv, FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG, 1, 1, priv + 1, FUTEX_OP(FUTEX_OP_ADD, 3, 0, 0)));
	say("the private word: %u\n", priv[1]);
	munmap(priv, PG);
	munmap(ro_priv, PG);
	munmap(ro, PG);
	munmap(m, PG);
}

int main(void)
{
	alone();
	together();
	requeue();
	wake_op();
	say("done\n");
	return 0;
}
