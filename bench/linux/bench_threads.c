/*
 * Threads: thread_create_join (pthread_create and pthread_join of a
 * thread that returns at once: a clone, the new thread's first run and
 * exit with its clear-tid wake, the join's futex wait) and futex_pingpong
 * (two threads of one process hand a token back and forth through a
 * futex word: per round trip, two FUTEX_WAKEs and two FUTEX_WAITs).
 */
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lxbench.h"

#define REPS 5
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

static void *nothing(void *arg) { return arg; }

static void op_create_join(void)
{
	pthread_t t;
	if (pthread_create(&t, NULL, nothing, NULL) || pthread_join(t, NULL))
		die("pthread_create");
}

void bench_thread_create_join(void)
{
	bench_loop("thread_create_join", op_create_join, 20, 200, REPS);
}

/* the token: 0 the main thread's turn, 1 the partner's, 2 the end */
static volatile uint32_t turn;

static void futex_wait(uint32_t val) { syscall(SYS_futex, &turn, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0); }
static void futex_wake(void) { syscall(SYS_futex, &turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0); }

/* hands the turn to `to` and waits until it comes back to `me` */
static void pass(uint32_t me, uint32_t to)
{
	__atomic_store_n(&turn, to, __ATOMIC_SEQ_CST);
	futex_wake();
	uint32_t v;
	while ((v = __atomic_load_n(&turn, __ATOMIC_SEQ_CST)) != me && v != 2)
		futex_wait(v);
}

static void *partner(void *arg)
{
	(void)arg;
	uint32_t v;
	while ((v = __atomic_load_n(&turn, __ATOMIC_SEQ_CST)) != 1)
		futex_wait(v);
	while (__atomic_load_n(&turn, __ATOMIC_SEQ_CST) != 2)
		pass(1, 0);
	return NULL;
}

static void op_futex_token(void) { pass(0, 1); }

void bench_futex_pingpong(void)
{
	pthread_t t;
	turn = 0;
	if (pthread_create(&t, NULL, partner, NULL))
		die("pthread_create");
	bench_loop("futex_pingpong", op_futex_token, 100, 1000, REPS);
	__atomic_store_n(&turn, 2, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &turn, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
	pthread_join(t, NULL);
}
