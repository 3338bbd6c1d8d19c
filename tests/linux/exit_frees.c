/*
 * A process's end gives back every page the server spent on it: children
 * that map, touch, open files, pipes and event descriptors, start threads
 * and vfork, and exit leave
 * the server's free page count where it was (read with lx4's own call
 * LX4_SYS_MEMINFO, 0x4c59, which Linux does not have: there the program
 * says so and does nothing else).
 */
#define _GNU_SOURCE /* mremap */
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define LX4_MEMINFO 0x4c59

/* the server's free pages, and the kernel pages it and its processes use */
static long free_pages(long *kernel)
{
	uint64_t v[4];
	if (syscall(LX4_MEMINFO, v) != 0)
		return -1;
	*kernel = (long)v[3];
	return (long)v[0];
}

static int lasting; /* a set all the rounds use */

/* epolls (nested, many entries, a wait left on one), eventfds, armed
 * timerfds and signalfds left open: enough entries that any left behind
 * would show in pages */
static void event_descriptors(int pipe_r)
{
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	int outer = epoll_create1(0), sfd = signalfd(-1, &m, SFD_NONBLOCK);
	struct itimerspec t = {{0, 1000000}, {0, 1000000}};
	for (int i = 0; i < 24; i++) {
		int ep = epoll_create1(0), efd = eventfd(1, 0), tfd = timerfd_create(CLOCK_MONOTONIC, 0);
		timerfd_settime(tfd, 0, &t, NULL);
		struct epoll_event e = {.events = EPOLLIN | (i & 1 ? EPOLLET : 0)};
		epoll_ctl(ep, EPOLL_CTL_ADD, pipe_r, &e);
		epoll_ctl(ep, EPOLL_CTL_ADD, efd, &e);
		epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &e);
		epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &e);
		for (int k = 0; k < 4; k++) { /* entries of other descriptors of the same file */
			int d = dup(efd);
			epoll_ctl(ep, EPOLL_CTL_ADD, d, &e);
		}
		epoll_ctl(outer, EPOLL_CTL_ADD, ep, &e);
	}
	struct epoll_event out[4];
	epoll_wait(outer, out, 4, 0);
}

static void *park(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void *quick(void *arg) { return arg; }

/* threads: two left running (parked in a call), one joined; a vfork
 * child that ends in the shared memory */
static void threads(void)
{
	pthread_t t;
	pthread_create(&t, NULL, park, NULL);
	pthread_create(&t, NULL, park, NULL);
	pthread_create(&t, NULL, quick, NULL);
	pthread_join(t, NULL);
	pid_t v = vfork();
	if (v == 0)
		_exit(0);
	waitpid(v, NULL, 0);
}

static void child(int kind)
{
	char *m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < (1 << 20); i += 4096)
		m[i] = (char)i;
	int fd = open("/data/poem.txt", O_RDONLY);
	char *f = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	f[0] = 'x'; /* a private copy of a file page */
	/* shared anonymous memory, touched here and by a child, partly moved */
	char *s = mmap(NULL, 16 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	s[0] = 1;
	/* System V: a segment removed while attached (here and in the child
	 * of fork), and a set with SEM_UNDO records of two processes */
	int shm = shmget(IPC_PRIVATE, 6 * 4096 + 100, 0600);
	char *sp = shmat(shm, NULL, 0);
	sp[0] = 1;
	shmctl(shm, IPC_RMID, NULL);
	int sem = semget(IPC_PRIVATE, 300, 0600);
	struct sembuf up = {299, 1, SEM_UNDO};
	semop(sem, &up, 1);
	if (fork() == 0) {
		s[4096] = 2;
		sp[5 * 4096] = 2;
		semop(sem, &up, 1);
		_exit(0);
	}
	wait(NULL);
	semctl(sem, 0, IPC_RMID); /* (with this process's record) */
	semop(lasting, &up, 1);   /* (made good at its end) */
	mremap(s + 8 * 4096, 8 * 4096, 8 * 4096, MREMAP_MAYMOVE | MREMAP_FIXED, m);
	m[4096] = 3; /* (page 9 of the shared memory, now here) */
	int p[2];
	pipe(p);
	write(p[1], "abc", 3);
	event_descriptors(p[0]);
	void *b = sbrk(0);
	sbrk(64 * 1024);
	memset(b, 1, 64 * 1024);
	threads();
	if (kind)
		*(volatile int *)0 = 0; /* and one that dies of SIGSEGV */
	_exit(0);
}

static void round_of(int n)
{
	for (int i = 0; i < n; i++) {
		pid_t c = fork();
		if (c == 0)
			child(i & 1);
		int st;
		waitpid(c, &st, 0);
	}
}

int main(void)
{
	long k0, k1;
	if (free_pages(&k0) < 0) {
		printf("not lx4: nothing to check\n");
		return 0;
	}
	lasting = semget(IPC_PRIVATE, 300, 0600);
	round_of(4); /* the server's own caches warm up */
	long before = free_pages(&k0);
	round_of(16);
	long after = free_pages(&k1);
	semctl(lasting, 0, IPC_RMID);
	printf("server pages before %ld, after %ld: %s\n", before, after, before == after ? "all back" : "LEAKED");
	printf("kernel pages before %ld, after %ld: %s\n", k0, k1, k0 == k1 ? "all back" : "LEAKED");
	return before == after && k0 == k1 ? 0 : 1;
}
