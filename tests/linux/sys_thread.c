/* Threads (clone with CLONE_THREAD, as musl's pthread_create makes them):
 * ids, join and detach, shared memory and descriptors, thread-local
 * storage, mutexes, condition variables, barriers and rwlocks over
 * futexes, many threads, a thread blocked in a call that does not block
 * the others, per-thread signal masks and thread-directed signals, a
 * process signal taken by the thread that does not block it, a robust
 * mutex whose owner died, fork from a thread, /proc/self/status,
 * clone's argument checks, and (by argument) the ends: exit_group from a
 * thread, the main thread's pthread_exit, exec from a thread, a fatal
 * signal, a stop and continue.  Differential: the output must be
 * Linux's. */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "check.h"

static int tid(void) { return (int)syscall(SYS_gettid); }

/* ---- ids, join, detach, shared memory, TLS --------------------------------------- */

static __thread int tls_value = 7;
static int shared_value;
static int main_pid;

static void *ids(void *arg)
{
	long n = (long)arg;
	tls_value += (int)n; /* (its own copy) */
	__atomic_add_fetch(&shared_value, (int)n, __ATOMIC_SEQ_CST);
	long ok = getpid() == main_pid && tid() != main_pid && getppid() == getppid();
	return (void *)(ok * 1000 + tls_value);
}

static void basics(void)
{
	say("-- ids, join, TLS\n");
	main_pid = getpid();
	pthread_t th[4];
	for (long i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, ids, (void *)(i + 1));
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(th[i], &r);
		say("thread %d: %ld\n", i + 1, (long)r);
	}
	say("main's TLS %d, shared %d, main tid is pid: %s\n", tls_value, shared_value,
	    tid() == getpid() ? "yes" : "no");
}

/* ---- synchronisation --------------------------------------------------------------- */

static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t barrier;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static long counter, ready, phase_sum;

static void *worker(void *arg)
{
	long n = (long)arg;
	for (int i = 0; i < 20000; i++) {
		pthread_mutex_lock(&mtx);
		counter++;
		pthread_mutex_unlock(&mtx);
	}
	pthread_barrier_wait(&barrier); /* everyone has counted */
	pthread_rwlock_rdlock(&rw);
	__atomic_add_fetch(&phase_sum, counter, __ATOMIC_SEQ_CST);
	pthread_rwlock_unlock(&rw);
	pthread_mutex_lock(&mtx);
	ready++;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&mtx);
	return (void *)n;
}

static void sync_objects(void)
{
	say("-- mutex, barrier, rwlock, condition variable\n");
	enum { N = 4 };
	pthread_t th[N];
	pthread_barrier_init(&barrier, NULL, N);
	pthread_rwlock_wrlock(&rw); /* (the readers wait for it) */
	for (long i = 0; i < N; i++)
		pthread_create(&th[i], NULL, worker, (void *)i);
	usleep(20000);
	pthread_rwlock_unlock(&rw);
	pthread_mutex_lock(&mtx);
	while (ready < N)
		pthread_cond_wait(&cond, &mtx);
	pthread_mutex_unlock(&mtx);
	long sum = 0;
	for (int i = 0; i < N; i++) {
		void *r;
		pthread_join(th[i], &r);
		sum += (long)r;
	}
	say("counter %ld, each saw %ld in all, joined %ld\n", counter, phase_sum / N, sum);
}

/* ---- many threads, detached ones --------------------------------------------------- */

static int done_count;

static void *little(void *arg)
{
	(void)arg;
	__atomic_add_fetch(&done_count, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void many(void)
{
	say("-- many threads\n");
	enum { N = 100 };
	static pthread_t th[N];
	int made = 0;
	for (int i = 0; i < N; i++)
		made += pthread_create(&th[i], NULL, little, NULL) == 0;
	for (int i = 0; i < N; i++)
		pthread_join(th[i], NULL);
	say("made %d, ran %d\n", made, done_count);
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	for (int i = 0; i < 10; i++) {
		pthread_t d;
		pthread_create(&d, &at, little, NULL);
	}
	for (int i = 0; i < 500 && __atomic_load_n(&done_count, __ATOMIC_SEQ_CST) < N + 10; i++)
		usleep(2000);
	say("detached ran: %d\n", done_count - N);
}

/* ---- a thread blocked in a call ------------------------------------------------------ */

static int pfd[2];

static void *reader(void *arg)
{
	(void)arg;
	char buf[16] = {0};
	ssize_t n = read(pfd[0], buf, sizeof buf - 1);
	return (void *)(n > 0 ? (long)buf[0] : -1L);
}

static void blocked_call(void)
{
	say("-- a thread blocked in read\n");
	pipe(pfd);
	pthread_t th;
	pthread_create(&th, NULL, reader, NULL);
	/* the main thread goes on while the reader waits */
	int x = 0;
	for (int i = 0; i < 5; i++) {
		usleep(2000);
		x += getpid() == main_pid;
	}
	say("main ran on: %d\n", x);
	write(pfd[1], "z", 1);
	void *r;
	pthread_join(th, &r);
	say("reader got %c\n", (char)(long)r);
	close(pfd[0]);
	close(pfd[1]);
}

/* ---- signals --------------------------------------------------------------------------- */

static volatile int got_tid, got_sig;

static void on_usr(int sig)
{
	got_sig = sig;
	got_tid = tid();
}

static volatile int sig_tid;
static pthread_barrier_t sb;

static void *sig_thread(void *arg)
{
	long block = (long)arg;
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	pthread_sigmask(block ? SIG_BLOCK : SIG_UNBLOCK, &s, NULL);
	sig_tid = tid();
	pthread_barrier_wait(&sb); /* ready */
	pthread_barrier_wait(&sb); /* the signal was sent */
	for (int i = 0; i < 200 && !got_sig; i++)
		usleep(1000);
	return NULL;
}

static void signals(void)
{
	say("-- signals and threads\n");
	signal(SIGUSR1, on_usr);
	signal(SIGUSR2, on_usr);
	pthread_barrier_init(&sb, NULL, 2);
	/* the main thread blocks SIGUSR1: a process signal goes to the thread */
	sigset_t s, old;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &s, &old);
	pthread_t th;
	pthread_create(&th, NULL, sig_thread, (void *)0L);
	pthread_barrier_wait(&sb);
	kill(getpid(), SIGUSR1);
	pthread_barrier_wait(&sb);
	pthread_join(th, NULL);
	fact("kill() went to the thread that does not block it", got_sig == SIGUSR1 && got_tid == sig_tid);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	/* tgkill to a thread that blocks it: pending for it alone */
	got_sig = got_tid = 0;
	pthread_create(&th, NULL, sig_thread, (void *)1L);
	pthread_barrier_wait(&sb);
	T(syscall(SYS_tgkill, getpid(), sig_tid, SIGUSR1));
	pthread_barrier_wait(&sb);
	pthread_join(th, NULL);
	fact("a blocked thread-directed signal stays with its thread", got_sig == 0);
	/* signal-driven I/O owned by one thread (F_SETOWN_EX, F_OWNER_TID):
	 * the F_SETSIG signal goes to that thread */
	got_sig = got_tid = 0;
	pthread_create(&th, NULL, sig_thread, (void *)0L);
	pthread_barrier_wait(&sb);
	int io[2];
	pipe(io);
	struct f_owner_ex ox = {F_OWNER_TID, sig_tid};
	T(fcntl(io[0], F_SETOWN_EX, &ox));
	T(fcntl(io[0], F_SETSIG, SIGUSR1));
	T(fcntl(io[0], F_SETFL, O_ASYNC));
	write(io[1], "x", 1); /* (the main thread does not block it: a process's signal would be its) */
	pthread_barrier_wait(&sb);
	pthread_join(th, NULL);
	fact("the I/O signal went to the owning thread", got_sig == SIGUSR1 && got_tid == sig_tid);
	close(io[0]);
	close(io[1]);
	/* pthread_kill to the main thread from another */
	got_sig = got_tid = 0;
	T(syscall(SYS_tgkill, getpid(), tid(), SIGUSR2));
	fact("tgkill to oneself", got_sig == SIGUSR2 && got_tid == getpid());
	T(syscall(SYS_tgkill, getpid(), 99999, SIGUSR2));
	T(syscall(SYS_tgkill, 99999, getpid(), SIGUSR2));
	T(syscall(SYS_tgkill, 0, getpid(), SIGUSR2));
	T(syscall(SYS_tkill, -1, SIGUSR2));
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

/* ---- a robust mutex whose owner died ---------------------------------------------------- */

static pthread_mutex_t robust;

static void *lock_and_die(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&robust);
	return NULL; /* (ends holding it) */
}

static void robust_mutex(void)
{
	say("-- a robust mutex\n");
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&robust, &a);
	pthread_t th;
	pthread_create(&th, NULL, lock_and_die, NULL);
	pthread_join(th, NULL);
	int r = pthread_mutex_lock(&robust);
	say("lock after the owner died: %s\n", r == EOWNERDEAD ? "EOWNERDEAD" : r ? errname(r) : "0");
	say("consistent: %d\n", pthread_mutex_consistent(&robust));
	say("unlock: %d\n", pthread_mutex_unlock(&robust));
	say("lock again: %d\n", pthread_mutex_lock(&robust));
	pthread_mutex_unlock(&robust);
}

/* ---- fork from a thread, /proc ---------------------------------------------------------- */

static int threads_line(void)
{
	char buf[4096];
	int fd = open("/proc/self/status", O_RDONLY);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	char *p = strstr(buf, "Threads:");
	return p ? atoi(p + 8) : -1;
}

static pthread_barrier_t fb;
static volatile int parked_tid;

/* /proc/self/task: one directory per thread, each with its own stat and
 * status */
static void task_dir(int other)
{
	DIR *d = opendir("/proc/self/task");
	int n = 0, mine = 0, its = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		n++;
		mine += atoi(e->d_name) == tid();
		its += atoi(e->d_name) == other;
	}
	if (d)
		closedir(d);
	say("task entries %d, the caller's %d, another's %d\n", n, mine, its);
	char path[64], buf[4096];
	snprintf(path, sizeof path, "/proc/self/task/%d/stat", other);
	int fd = open(path, O_RDONLY);
	ssize_t len = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[len > 0 ? len : 0] = 0;
	fact("task/TID/stat starts with the thread's id", atoi(buf) == other);
	snprintf(path, sizeof path, "/proc/%d/task/%d/status", getpid(), other);
	fd = open(path, O_RDONLY);
	len = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[len > 0 ? len : 0] = 0;
	char *pid = strstr(buf, "\nPid:"), *tgid = strstr(buf, "Tgid:");
	fact("its status: Pid the thread's, Tgid the process's",
	     pid && tgid && atoi(pid + 5) == other && atoi(tgid + 5) == getpid());
	char name[32] = "";
	snprintf(path, sizeof path, "/proc/self/task/%d/comm", other);
	fd = open(path, O_RDONLY);
	len = read(fd, name, sizeof name - 1);
	close(fd);
	name[len > 0 ? len : 0] = 0;
	say("a thread's own name: %s", name);
	fd = open("/proc/self/comm", O_RDONLY);
	len = read(fd, name, sizeof name - 1);
	close(fd);
	name[len > 0 ? len : 0] = 0;
	say("the process's: %s", name);
	snprintf(path, sizeof path, "/proc/self/task/%d/comm", tid());
	fd = open(path, O_WRONLY);
	T(write(fd, "renamed", 7));
	close(fd);
	prctl(PR_GET_NAME, name);
	say("the leader renamed through task/TID/comm: %s\n", name);
	snprintf(path, sizeof path, "/proc/self/task/%d/stat", 99999);
	T(open(path, O_RDONLY));
}

static void *parked(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "parked one");
	parked_tid = tid();
	pthread_barrier_wait(&fb);
	pthread_barrier_wait(&fb);
	return NULL;
}

static void *forker(void *arg)
{
	(void)arg;
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) /* one thread in the child: the one that forked */
		_exit(threads_line() == 1 && getpid() == tid() ? 0 : 1);
	return (void *)(long)child_status(c);
}

static void fork_and_proc(void)
{
	say("-- fork from a thread, /proc/self/status\n");
	pthread_barrier_init(&fb, NULL, 3);
	pthread_t a, b;
	pthread_create(&a, NULL, parked, NULL);
	pthread_create(&b, NULL, parked, NULL);
	pthread_barrier_wait(&fb);
	say("Threads: %d\n", threads_line());
	task_dir(parked_tid);
	fact("a thread's id names its process to getpgid", getpgid(parked_tid) == getpgid(0));
	T(kill(parked_tid, 0));
	pthread_t f;
	void *r;
	pthread_create(&f, NULL, forker, NULL);
	pthread_join(f, &r);
	say("the child of a thread: status %ld\n", (long)r);
	pthread_barrier_wait(&fb);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	int n = threads_line();
	for (int i = 0; i < 500 && n != 1; i++) { /* (Linux counts a joined thread until its end is done) */
		usleep(2000);
		n = threads_line();
	}
	say("Threads: %d\n", n);
}

/* ---- vfork, CLONE_VM ------------------------------------------------------------------ */

static volatile int vfork_seen;
static char clone_stack[65536] __attribute__((aligned(16)));

static int clone_child(void *arg)
{
	(void)arg;
	vfork_seen = 2;
	return 9;
}

static void vfork_and_vm(void)
{
	say("-- vfork and CLONE_VM\n");
	fflush(stdout);
	vfork_seen = 0;
	pid_t c = vfork();
	if (c == 0) {
		usleep(20000); /* (the parent waits all the same) */
		vfork_seen = 1;
		_exit(4);
	}
	say("after vfork the child's write is there: %d, status %d\n", vfork_seen, child_status(c));
	c = vfork();
	if (c == 0) {
		char *argv[] = {"/tests/sys_thread", "after-vfork", NULL};
		execv(argv[0], argv);
		_exit(127);
	}
	say("vfork and exec: status %d\n", child_status(c));
	c = vfork();
	if (c == 0) {
		char *argv[] = {"/nonexistent", NULL};
		execv(argv[0], argv);
		vfork_seen = errno; /* (the memory is the parent's) */
		_exit(127);
	}
	say("a failed exec in the child: status %d, its errno seen: %s\n", child_status(c), errname(vfork_seen));
	vfork_seen = 0;
	c = clone(clone_child, clone_stack + sizeof clone_stack, CLONE_VM | SIGCHLD, NULL);
	int st = child_status(c);
	say("CLONE_VM child: status %d, its write seen: %d\n", st, vfork_seen);
	/* a signal to the parent while it waits: taken after the child is done */
	signal(SIGUSR1, on_usr);
	got_sig = 0;
	c = vfork();
	if (c == 0) {
		kill(getppid(), SIGUSR1);
		usleep(10000);
		vfork_seen = got_sig; /* (not yet: the parent's handler has not run) */
		_exit(0);
	}
	say("signal during vfork: handled before the child ended: %s, after: %s\n", vfork_seen ? "yes" : "no",
	    got_sig == SIGUSR1 ? "yes" : "no");
	child_status(c);
	signal(SIGUSR1, SIG_DFL);
}

/* ---- a Go-style runtime: threads parked on futexes, preempted by signals ------------------
 * Each thread has its own alternate signal stack and parks in FUTEX_WAIT
 * on its own word; the main thread sends each SIGURG with tgkill (Go's
 * preemption signal) several times: the handler runs on that thread, on
 * its stack, and the wait goes on (SA_RESTART); then a FUTEX_WAKE ends
 * each park. */

enum { GO_THREADS = 4, GO_KICKS = 3 };
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129
static uint32_t go_word[GO_THREADS];
static volatile int go_tid[GO_THREADS], go_hits[GO_THREADS], go_on_stack[GO_THREADS], go_wrong;
static char *go_stack[GO_THREADS];

static void on_urg(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	int me = tid(), found = 0;
	char here;
	for (int i = 0; i < GO_THREADS; i++)
		if (go_tid[i] == me) {
			found = 1;
			go_hits[i]++;
			go_on_stack[i] += &here >= go_stack[i] && &here < go_stack[i] + 65536;
		}
	if (!found || si->si_code != SI_TKILL || si->si_pid != getpid())
		go_wrong++;
}

static void *go_m(void *arg)
{
	long i = (long)arg;
	stack_t ss = {.ss_sp = go_stack[i], .ss_size = 65536, .ss_flags = 0};
	sigaltstack(&ss, NULL);
	go_tid[i] = tid();
	long woken = 0;
	while (__atomic_load_n(&go_word[i], __ATOMIC_SEQ_CST) == 0)
		woken += syscall(SYS_futex, &go_word[i], FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0) == 0;
	return (void *)woken;
}

static void go_style(void)
{
	say("-- a Go-style runtime\n");
	struct sigaction sa = {0};
	sa.sa_sigaction = on_urg;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigaction(SIGURG, &sa, NULL);
	pthread_t th[GO_THREADS];
	for (long i = 0; i < GO_THREADS; i++) {
		go_stack[i] = malloc(65536);
		pthread_create(&th[i], NULL, go_m, (void *)i);
	}
	for (int i = 0; i < GO_THREADS; i++)
		while (!go_tid[i])
			usleep(1000);
	usleep(20000); /* (all parked by now) */
	for (int k = 0; k < GO_KICKS; k++) {
		for (int i = 0; i < GO_THREADS; i++)
			syscall(SYS_tgkill, getpid(), go_tid[i], SIGURG);
		usleep(10000);
	}
	int hits = 0, on_stack = 0;
	for (int i = 0; i < GO_THREADS; i++) {
		hits += go_hits[i] == GO_KICKS;
		on_stack += go_on_stack[i] == GO_KICKS;
	}
	say("threads that took every signal: %d, on their own stack: %d, wrong ones: %d\n", hits, on_stack, go_wrong);
	long woken = 0;
	for (int i = 0; i < GO_THREADS; i++) {
		__atomic_store_n(&go_word[i], 1, __ATOMIC_SEQ_CST);
		syscall(SYS_futex, &go_word[i], FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
		void *r;
		pthread_join(th[i], &r);
		woken += (long)r;
	}
	say("parks ended by a wake: %ld\n", woken);
	signal(SIGURG, SIG_DFL);
}

/* ---- RLIMIT_NPROC counts threads (for a user: root is exempt) ------------------------------ */

static void *wait_end(void *arg)
{
	(void)arg;
	pause();
	return NULL;
}

static void nproc_limit(void)
{
	struct rlimit r = {5, 5};
	setrlimit(RLIMIT_NPROC, &r);
	int made = 0, err = 0;
	for (int i = 0; i < 10; i++) {
		pthread_t t;
		err = pthread_create(&t, NULL, wait_end, NULL);
		if (err)
			break;
		made++;
	}
	say("threads made under RLIMIT_NPROC 5: %d, then %s\n", made, err ? errname(err) : "none refused");
}

/* ---- clone's checks ----------------------------------------------------------------------- */

static void clone_checks(void)
{
	say("-- clone's argument checks\n");
	T(syscall(SYS_clone, CLONE_THREAD | CLONE_VM, 0, 0, 0, 0));
	T(syscall(SYS_clone, CLONE_SIGHAND, 0, 0, 0, 0));
	T(syscall(SYS_clone, CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | CLONE_SETTLS, 0, 0, 0, 1ul << 60));
	T(syscall(SYS_clone, CLONE_FS | CLONE_NEWNS, 0, 0, 0, 0));
	char args[128] = {0};
	T(syscall(SYS_clone3, args, 8));
	T(syscall(SYS_clone3, args, 8192));
	T(syscall(SYS_clone3, (void *)8, 64));
	*(unsigned long *)args = CLONE_THREAD; /* (no CLONE_SIGHAND) */
	T(syscall(SYS_clone3, args, 64));
}

/* ---- the ends (by argument: each ends the process) ---------------------------------------- */

static void *exits_group(void *arg)
{
	(void)arg;
	usleep(10000);
	syscall(SYS_exit_group, 42);
	return NULL;
}

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void *last_one(void *arg)
{
	(void)arg;
	usleep(20000);
	say("the last thread ends the process\n");
	exit(3);
}

static void *execs(void *arg)
{
	(void)arg;
	usleep(10000);
	char pid[16];
	snprintf(pid, sizeof pid, "%d", getpid());
	char *argv[] = {"/tests/sys_thread", "after-exec", pid, NULL};
	execv(argv[0], argv);
	return NULL;
}

static void *faults(void *arg)
{
	(void)arg;
	usleep(10000);
	volatile uintptr_t bad = 8;
	*(volatile int *)bad = 1;
	return NULL;
}

static void *counting(void *arg)
{
	volatile long *n = arg;
	for (;;)
		(*n)++;
	return NULL;
}

static void stop_cont(void)
{
	static volatile long n;
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		pthread_t th;
		pthread_create(&th, NULL, counting, (void *)&n);
		pthread_create(&th, NULL, sleeper, NULL);
		for (;;)
			pause();
	}
	usleep(30000);
	int st;
	kill(c, SIGSTOP);
	T(waitpid(c, &st, WUNTRACED) == c);
	say("stopped: %d by %d\n", WIFSTOPPED(st), WSTOPSIG(st));
	kill(c, SIGCONT);
	T(waitpid(c, &st, WCONTINUED) == c);
	say("continued: %d\n", WIFCONTINUED(st));
	kill(c, SIGTERM);
	say("then SIGTERM: status %d\n", child_status(c));
}

int main(int argc, char **argv)
{
	main_pid = getpid();
	const char *end = argc > 1 ? argv[1] : "";
	pthread_t th;
	if (!strcmp(end, "exit_group")) {
		pthread_create(&th, NULL, sleeper, NULL);
		pthread_create(&th, NULL, exits_group, NULL);
		for (;;)
			pause();
	}
	if (!strcmp(end, "main_exits")) {
		pthread_create(&th, NULL, last_one, NULL);
		pthread_exit(NULL);
	}
	if (!strcmp(end, "exec")) {
		pthread_create(&th, NULL, sleeper, NULL);
		pthread_create(&th, NULL, execs, NULL);
		for (;;)
			pause();
	}
	if (!strcmp(end, "after-exec")) {
		say("after exec: Threads %d, pid kept: %s, tid is pid: %s\n", threads_line(),
		    argc > 2 && getpid() == atoi(argv[2]) ? "yes" : "no", tid() == getpid() ? "yes" : "no");
		return 5;
	}
	if (!strcmp(end, "after-vfork"))
		return 6;
	if (!strcmp(end, "segv")) {
		pthread_create(&th, NULL, sleeper, NULL);
		pthread_create(&th, NULL, faults, NULL);
		for (;;)
			pause();
	}
	if (!strcmp(end, "stop")) {
		stop_cont();
		return 0;
	}
	basics();
	sync_objects();
	many();
	blocked_call();
	signals();
	robust_mutex();
	fork_and_proc();
	vfork_and_vm();
	go_style();
	say("-- RLIMIT_NPROC\n");
	in_child(nproc_limit);
	clone_checks();
	return 0;
}
