/*
 * glibc's threads (at /tests/glibc_threads): pthread_create as glibc 2.36
 * makes threads (clone3, set_robust_list, rseq refused), join with a
 * result, thread-local storage, a mutex and a condition variable,
 * pthread_cancel (glibc's SIGCANCEL, a real-time signal sent with
 * tgkill) of a thread parked in a condition wait and of one in a
 * blocking read, a semaphore, pthread_once, and a detached thread.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <unistd.h>

static __thread int tls = 100;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int counter, once_runs;
static sem_t sem;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_once(void) { once_runs++; }

static void *work(void *arg)
{
	long n = (long)arg;
	tls += (int)n;
	pthread_once(&once, init_once);
	for (int i = 0; i < 10000; i++) {
		pthread_mutex_lock(&m);
		counter++;
		pthread_mutex_unlock(&m);
	}
	return (void *)(long)tls;
}

static void *waits_forever(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&m);
	for (;;)
		pthread_cond_wait(&c, &m); /* (a cancellation point: the mutex is taken again) */
	return NULL;
}

static void unlock(void *arg) { pthread_mutex_unlock(arg); }

static void *waits_cleanly(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&m);
	pthread_cleanup_push(unlock, &m);
	for (;;)
		pthread_cond_wait(&c, &m);
	pthread_cleanup_pop(1);
	return NULL;
}

static int pfd[2];

static void *reads(void *arg)
{
	(void)arg;
	char b;
	read(pfd[0], &b, 1);
	return NULL;
}

static void *posts(void *arg)
{
	(void)arg;
	usleep(10000);
	sem_post(&sem);
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	pthread_t t[4];
	for (long i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, work, (void *)i);
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(t[i], &r);
		printf("thread %d: tls %ld\n", i, (long)r);
	}
	printf("counter %d, once %d, main's tls %d\n", counter, once_runs, tls);

	pthread_t w;
	void *r;
	pthread_create(&w, NULL, waits_cleanly, NULL);
	usleep(10000);
	pthread_cancel(w);
	pthread_join(w, &r);
	printf("cancelled in a condition wait: %s\n", r == PTHREAD_CANCELED ? "yes" : "no");
	printf("the mutex is free again: %s\n", pthread_mutex_trylock(&m) == 0 ? "yes" : "no");
	pthread_mutex_unlock(&m);
	(void)waits_forever;

	pipe(pfd);
	pthread_create(&w, NULL, reads, NULL);
	usleep(10000);
	pthread_cancel(w);
	pthread_join(w, &r);
	printf("cancelled in read: %s\n", r == PTHREAD_CANCELED ? "yes" : "no");

	sem_init(&sem, 0, 0);
	pthread_create(&w, NULL, posts, NULL);
	sem_wait(&sem);
	pthread_join(w, NULL);
	printf("semaphore posted\n");

	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	sem_init(&sem, 0, 0);
	pthread_create(&w, &at, posts, NULL);
	sem_wait(&sem);
	printf("a detached thread posted\n");
	return 0;
}
