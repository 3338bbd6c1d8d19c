/* System V semaphores: semget's keys and limits, semop's operations
 * (all or none, IPC_NOWAIT, waits for a value and for zero, woken by
 * another process, in order), semtimedop's timeout, a signal (EINTR,
 * whatever SA_RESTART says), a set removed under a waiter (EIDRM),
 * SEM_UNDO at exit (through exec, not through fork), semctl's commands,
 * /proc's views and what an unprivileged user is refused.  Differential:
 * the output must be Linux's (no ids, pids or times are shown). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include "check.h"

#define KEY 0x5eed0101

static char *self;

static long ctl(int id, int num, int cmd, long arg)
{
	return syscall(SYS_semctl, id, num, cmd, arg);
}

static long op(int id, int num, int o, int flg)
{
	struct sembuf b = {(unsigned short)num, (short)o, (short)flg};
	return syscall(SYS_semop, id, &b, 1);
}

static void values(const char *what, int id, int n)
{
	unsigned short v[8];
	if (ctl(id, 0, GETALL, (long)v)) {
		say("%s: GETALL %s\n", what, errname(errno));
		return;
	}
	say("%s:", what);
	for (int i = 0; i < n; i++)
		say(" %u", v[i]);
	say("\n");
}

static struct semid_ds st(int id)
{
	struct semid_ds d;
	memset(&d, 0xff, sizeof d);
	if (ctl(id, 0, IPC_STAT, (long)&d))
		say("IPC_STAT failed: %s\n", errname(errno));
	return d;
}

static void show(const char *what, int id)
{
	struct semid_ds d = st(id);
	say("%s: key %#x mode %#o nsems %u uid %u gid %u cuid %u cgid %u\n", what, (unsigned)d.sem_perm.__ipc_perm_key,
	    d.sem_perm.mode, d.sem_nsems, d.sem_perm.uid, d.sem_perm.gid, d.sem_perm.cuid, d.sem_perm.cgid);
}

/* waits (up to 10 s) until n semops wait on semaphore num of id (for it
 * to grow, or with zero to be 0) */
static void await_waiters(int id, int num, int n, bool zero)
{
	for (int i = 0; i < 1000 && ctl(id, num, zero ? GETZCNT : GETNCNT, 0) != n; i++)
		usleep(10000);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void reap(pid_t c)
{
	int s;
	waitpid(c, &s, 0);
	if (WIFSIGNALED(s))
		say("child killed by signal %d\n", WTERMSIG(s));
	else if (WEXITSTATUS(s))
		say("child status %d\n", WEXITSTATUS(s));
}

static void creation(void)
{
	say("-- creation\n");
	T(semget(IPC_PRIVATE, -1, 0600));
	T(semget(IPC_PRIVATE, 32001, 0600));
	T(semget(IPC_PRIVATE, 0, 0600));
	int big = semget(IPC_PRIVATE, 32000, 0600);
	fact("32000 semaphores", big >= 0);
	T(ctl(big, 31999, SETVAL, 7));
	T(ctl(big, 31999, GETVAL, 0));
	T(ctl(big, 32000, GETVAL, 0));
	struct sembuf far = {31999, -7, 0};
	T(semop(big, &far, 1));
	T(ctl(big, 0, IPC_RMID, 0));
	T(semget(KEY, 2, 0600));
	int id = semget(KEY, 2, IPC_CREAT | 0640);
	fact("made", id >= 0);
	fact("again the same", semget(KEY, 2, IPC_CREAT | 0600) == id);
	fact("fewer the same", semget(KEY, 1, 0) == id);
	fact("0 the same", semget(KEY, 0, 0) == id);
	T(semget(KEY, 3, 0));
	T(semget(KEY, 2, IPC_CREAT | IPC_EXCL | 0600));
	show("keyed", id);
	struct semid_ds d = st(id);
	fact("otime 0, ctime set", !d.sem_otime && d.sem_ctime > 0);
	d.sem_perm.uid = 42;
	d.sem_perm.gid = 43;
	d.sem_perm.mode = 07777;
	T(ctl(id, 0, IPC_SET, (long)&d));
	show("after IPC_SET", id);
	d.sem_perm.gid = -1;
	T(ctl(id, 0, IPC_SET, (long)&d));
	T(ctl(id, 0, IPC_RMID, 0));
	T(semget(KEY, 0, 0));
	T(ctl(id, 0, IPC_RMID, 0));
	T(op(id, 0, 1, 0));
}

static void operations(void)
{
	say("-- semop\n");
	int id = semget(IPC_PRIVATE, 3, 0600);
	values("new", id, 3);
	unsigned short all[3] = {1, 2, 3};
	T(ctl(id, 0, SETALL, (long)all));
	values("SETALL", id, 3);
	fact("GETPID is mine", ctl(id, 2, GETPID, 0) == getpid());
	T(ctl(id, 1, SETVAL, 5));
	T(ctl(id, 1, GETVAL, 0));
	T(ctl(id, 1, SETVAL, 32768));
	T(ctl(id, 1, SETVAL, -1));
	T(ctl(id, 3, SETVAL, 1));
	T(ctl(id, -1, GETVAL, 0));
	all[1] = 40000;
	T(ctl(id, 0, SETALL, (long)all));
	values("unchanged", id, 3);
	fact("otime still 0", st(id).sem_otime == 0);
	struct sembuf two[2] = {{0, -1, 0}, {1, 1, 0}};
	T(semop(id, two, 2));
	values("after -1 +1", id, 3);
	fact("otime set", st(id).sem_otime > 0);
	/* all or none */
	struct sembuf nowait[2] = {{1, -1, 0}, {0, -1, IPC_NOWAIT}};
	T(semop(id, nowait, 2));
	values("none", id, 3);
	T(op(id, 2, 0, IPC_NOWAIT));
	T(op(id, 0, 0, IPC_NOWAIT));
	T(op(id, 2, 32767, 0));
	struct sembuf range[2] = {{1, -1, 0}, {2, 32767, 0}};
	T(semop(id, range, 2));
	values("none", id, 3);
	/* the same semaphore twice: in order */
	struct sembuf dup[2] = {{0, 2, 0}, {0, -1, 0}};
	T(semop(id, dup, 2));
	struct sembuf dup2[3] = {{0, -1, 0}, {0, 0, IPC_NOWAIT}, {0, 1, 0}};
	T(semop(id, dup2, 3));
	values("dups", id, 3);
	T(op(id, 3, 1, 0));
	T(op(id, 65535, 1, 0));
	struct sembuf many[501];
	for (int i = 0; i < 501; i++)
		many[i] = (struct sembuf){2, 0, IPC_NOWAIT};
	T(semop(id, many, 501));
	T(semop(id, many, 500));
	T(semop(id, many, 0));
	T(semop(id, BAD_USER, 1));
	T(syscall(SYS_semop, -1, two, 1));
	struct timespec bad = {0, -1};
	T(syscall(SYS_semtimedop, id, two + 1, 1, &bad));
	T(syscall(SYS_semtimedop, id, two + 1, 1, BAD_USER));
	struct timespec zero = {0, 0};
	T(syscall(SYS_semtimedop, id, nowait, 1, &zero));
	struct timespec t0, tenth = {0, 100000000};
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct sembuf block = {0, -10, 0};
	T(syscall(SYS_semtimedop, id, &block, 1, &tenth));
	fact("waited 0.1 s", ms_since(&t0) >= 90);
	values("still", id, 3);
	/* the undo range */
	T(ctl(id, 0, SETVAL, 0));
	T(op(id, 0, 32767, SEM_UNDO));
	T(op(id, 0, -32767, 0));
	T(op(id, 0, 1, SEM_UNDO));
	T(op(id, 0, -1, 0));
	T(op(id, 0, 1, SEM_UNDO));
	T(ctl(id, 0, SETVAL, 0)); /* (the adjustments go) */
	T(op(id, 0, 1, SEM_UNDO));
	T(ctl(id, 0, IPC_RMID, 0));
}

static void wakeups(void)
{
	say("-- waits\n");
	int id = semget(IPC_PRIVATE, 2, 0600);
	/* a decrement waits for a child's increment */
	pid_t c = fork();
	if (c == 0) {
		await_waiters(id, 0, 1, false);
		say("child: ncnt %ld zcnt %ld\n", ctl(id, 0, GETNCNT, 0), ctl(id, 0, GETZCNT, 0));
		op(id, 0, 1, 0); /* (silent: the parent's answer is printed next) */
		_exit(0);
	}
	T(op(id, 0, -1, 0));
	reap(c);
	fact("GETPID is mine", ctl(id, 0, GETPID, 0) == getpid());
	/* a wait for zero, woken by SETVAL */
	T(ctl(id, 1, SETVAL, 3));
	c = fork();
	if (c == 0) {
		await_waiters(id, 1, 1, true);
		say("child: ncnt %ld zcnt %ld\n", ctl(id, 1, GETNCNT, 0), ctl(id, 1, GETZCNT, 0));
		ctl(id, 1, SETVAL, 0);
		_exit(0);
	}
	T(op(id, 1, 0, 0));
	reap(c);
	/* two operations: the one that blocks is counted, nothing is done
	 * until both can be */
	T(ctl(id, 0, SETVAL, 1));
	c = fork();
	if (c == 0) {
		await_waiters(id, 1, 1, false);
		say("child: ncnt %ld %ld, values %ld %ld\n", ctl(id, 0, GETNCNT, 0), ctl(id, 1, GETNCNT, 0),
		    ctl(id, 0, GETVAL, 0), ctl(id, 1, GETVAL, 0));
		struct sembuf inc = {1, 1, 0};
		semop(id, &inc, 1);
		_exit(0);
	}
	struct sembuf both[2] = {{0, -1, 0}, {1, -1, 0}};
	T(semop(id, both, 2));
	reap(c);
	values("both taken", id, 2);
	/* waiters in order: the first gets the first */
	pid_t w[3];
	for (int i = 0; i < 3; i++) {
		w[i] = fork();
		if (w[i] == 0) {
			op(id, 0, -1, 0);
			_exit(0);
		}
		await_waiters(id, 0, i + 1, false);
	}
	for (int i = 0; i < 3; i++) {
		op(id, 0, 1, 0);
		pid_t got = wait(NULL);
		say("through: waiter %d\n", got == w[0] ? 0 : got == w[1] ? 1 : got == w[2] ? 2 : -1);
	}
	/* a set removed under its waiters */
	c = fork();
	if (c == 0) {
		await_waiters(id, 0, 1, false);
		ctl(id, 0, IPC_RMID, 0);
		_exit(0);
	}
	T(op(id, 0, -1, 0));
	reap(c);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void interrupted(void)
{
	say("-- a signal\n");
	int id = semget(IPC_PRIVATE, 1, 0600);
	struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = SA_RESTART};
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {{0, 0}, {0, 100000}};
	setitimer(ITIMER_REAL, &it, NULL);
	T(op(id, 0, -1, 0));
	setitimer(ITIMER_REAL, &it, NULL);
	struct timespec ten = {10, 0};
	struct sembuf z = {0, -1, 0};
	T(syscall(SYS_semtimedop, id, &z, 1, &ten));
	T(ctl(id, 0, GETNCNT, 0));
	/* a stop and a continue: the wait goes on */
	pid_t c = fork();
	if (c == 0) {
		T(op(id, 0, -1, 0));
		_exit(0);
	}
	await_waiters(id, 0, 1, false);
	kill(c, SIGSTOP);
	kill(c, SIGCONT);
	usleep(200000);
	say("after a stop: ncnt %ld\n", ctl(id, 0, GETNCNT, 0));
	op(id, 0, 1, 0);
	reap(c);
	ctl(id, 0, SETVAL, 0);
	/* killed while waiting: no longer counted */
	c = fork();
	if (c == 0) {
		op(id, 0, -1, 0);
		_exit(0);
	}
	await_waiters(id, 0, 1, false);
	kill(c, SIGKILL);
	reap(c);
	T(ctl(id, 0, GETNCNT, 0));
	T(ctl(id, 0, IPC_RMID, 0));
}

static void undo(void)
{
	say("-- SEM_UNDO\n");
	int id = semget(IPC_PRIVATE, 2, 0600);
	T(ctl(id, 1, SETVAL, 5));
	pid_t c = fork();
	if (c == 0) {
		T(op(id, 0, 1, SEM_UNDO));
		T(op(id, 1, -1, SEM_UNDO));
		values("child", id, 2);
		_exit(0);
	}
	reap(c);
	values("after its exit", id, 2);
	fact("GETPID is the child's", ctl(id, 0, GETPID, 0) == c);
	fact("otime set", st(id).sem_otime > 0);
	/* clamped at 0 */
	c = fork();
	if (c == 0) {
		T(op(id, 0, 3, SEM_UNDO));
		T(op(id, 0, -2, 0));
		_exit(0);
	}
	reap(c);
	values("clamped", id, 2);
	/* not through fork; through exec */
	c = fork();
	if (c == 0) {
		T(op(id, 0, 1, SEM_UNDO));
		pid_t g = fork();
		if (g == 0)
			_exit(0);
		waitpid(g, NULL, 0);
		values("the grandchild gone", id, 2);
		char arg[32];
		snprintf(arg, sizeof arg, "%d", id);
		execl(self, self, "exec", arg, (char *)NULL);
		_exit(9);
	}
	reap(c);
	values("after the exec's exit", id, 2);
	/* a removed set's adjustments go with it */
	c = fork();
	if (c == 0) {
		T(op(id, 0, 1, SEM_UNDO));
		T(ctl(id, 0, IPC_RMID, 0));
		_exit(0);
	}
	reap(c);
	T(ctl(id, 0, GETVAL, 0));
}

static void control(void)
{
	say("-- semctl\n");
	struct seminfo si;
	int id = semget(IPC_PRIVATE, 4, 0600);
	int id2 = semget(IPC_PRIVATE, 3, 0600);
	fact("IPC_INFO >= 0", ctl(0, 0, IPC_INFO, (long)&si) >= 0);
	say("IPC_INFO: map %d mni %d mns %d mnu %d msl %d opm %d ume %d usz %d vmx %d aem %d\n", si.semmap, si.semmni,
	    si.semmns, si.semmnu, si.semmsl, si.semopm, si.semume, si.semusz, si.semvmx, si.semaem);
	fact("SEM_INFO >= 0", ctl(0, 0, SEM_INFO, (long)&si) >= 0);
	say("SEM_INFO: map %d mni %d mns %d mnu %d msl %d opm %d ume %d usz %d vmx %d aem %d\n", si.semmap, si.semmni,
	    si.semmns, si.semmnu, si.semmsl, si.semopm, si.semume, si.semusz, si.semvmx, si.semaem);
	struct semid_ds d;
	int idx = id & 0x7fff;
	fact("SEM_STAT of its index is its id", ctl(idx, 0, SEM_STAT, (long)&d) == id);
	fact("SEM_STAT_ANY the same", ctl(idx, 0, SEM_STAT_ANY, (long)&d) == id);
	T(ctl(0x7fff, 0, SEM_STAT, (long)&d));
	T(ctl(id, 0, 99, 0));
	T(ctl(id, 0, -1, 0));
	T(ctl(-1, 0, IPC_STAT, (long)&d));
	T(ctl(-1, 0, IPC_INFO, (long)&si));
	T(ctl(id, 0, IPC_STAT, (long)BAD_USER));
	T(ctl(id, 0, IPC_SET, (long)BAD_USER));
	T(ctl(id, 0, IPC_INFO, (long)BAD_KERNEL));
	T(ctl(id, 0, GETALL, (long)BAD_USER));
	T(ctl(id, 0, SETALL, (long)BAD_USER));
	FILE *f = fopen("/proc/sysvipc/sem", "r");
	char line[256];
	while (f && fgets(line, sizeof line, f)) {
		char c[10][32];
		int k = sscanf(line, "%31s %31s %31s %31s %31s %31s %31s %31s %31s %31s", c[0], c[1], c[2], c[3], c[4],
			       c[5], c[6], c[7], c[8], c[9]);
		if (k == 10)
			say("sysvipc: %s %s %s %s %s %s %s\n", c[0], c[2], c[3], c[4], c[5], c[6], c[7]);
	}
	if (f)
		fclose(f);
	int fd = open("/proc/sys/kernel/sem", O_RDONLY);
	char buf[64];
	int n = read(fd, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	say("kernel.sem: %s", buf);
	close(fd);
	ctl(id, 0, IPC_RMID, 0);
	ctl(id2, 0, IPC_RMID, 0);
}

static void nobody(int a, int r)
{
	syscall(SYS_setgroups, 0, NULL);
	syscall(SYS_setgid, 65534);
	syscall(SYS_setuid, 65534);
	T(semget(KEY + 1, 0, 0600));
	fact("found", semget(KEY + 1, 0, 0) == a);
	T(op(a, 0, 1, 0));
	T(op(a, 0, 0, IPC_NOWAIT));
	T(ctl(a, 0, GETVAL, 0));
	T(ctl(a, 0, SETVAL, 1));
	unsigned short v[2];
	T(ctl(a, 0, GETALL, (long)v));
	T(ctl(a, 0, SETALL, (long)v));
	struct semid_ds d;
	T(ctl(a, 0, IPC_STAT, (long)&d));
	fact("SEM_STAT_ANY allowed", ctl(a & 0x7fff, 0, SEM_STAT_ANY, (long)&d) == a);
	T(ctl(a, 0, IPC_SET, (long)&d));
	T(ctl(a, 0, IPC_RMID, 0));
	/* others may read this one */
	T(ctl(r, 0, GETVAL, 0));
	T(op(r, 0, 0, IPC_NOWAIT));
	T(op(r, 0, -1, IPC_NOWAIT));
	T(ctl(r, 0, SETVAL, 1));
	T(ctl(r, 0, GETNCNT, 0));
	T(semop(r, BAD_KERNEL, 1));
}

static void unprivileged(void)
{
	say("-- an unprivileged user\n");
	int a = semget(KEY + 1, 2, IPC_CREAT | 0600);
	int r = semget(KEY + 2, 1, IPC_CREAT | 0604);
	pid_t c = fork();
	if (c == 0) {
		nobody(a, r);
		_exit(0);
	}
	reap(c);
	ctl(a, 0, IPC_RMID, 0);
	ctl(r, 0, IPC_RMID, 0);
	struct seminfo si;
	ctl(0, 0, SEM_INFO, (long)&si);
	say("in the end: sets %d semaphores %d\n", si.semusz, si.semaem);
}

int main(int argc, char **argv)
{
	self = argv[0];
	if (argc == 3 && !strcmp(argv[1], "exec")) {
		values("after exec", atoi(argv[2]), 2);
		return 0;
	}
	creation();
	operations();
	wakeups();
	interrupted();
	undo();
	control();
	unprivileged();
	return 0;
}
