/*
 * Many processes: the process table grows with demand (hundreds of
 * children alive at once), waits find their children in the order Linux
 * keeps them (oldest first), zombies stay until reaped and a wait for a
 * child already reaped is ECHILD, and the limits derived from memory
 * (threads-max, RLIMIT_NPROC) are there.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "check.h"

#define MANY 600

/* MANY children alive at once, each blocked reading a pipe until the
 * parent closes it; then every one of them is reaped */
static void many_alive(void)
{
	int p[2];
	if (pipe(p))
		return;
	int made = 0, failed = 0;
	for (int i = 0; i < MANY; i++) {
		pid_t c = fork();
		if (c == 0) {
			char b;
			close(p[1]);
			_exit(read(p[0], &b, 1) == 0 ? 3 : 4);
		}
		if (c < 0) {
			failed = errno;
			break;
		}
		made++;
	}
	say("children made = %d%s%s\n", made, failed ? " then " : "", failed ? errname(failed) : "");
	close(p[1]);
	close(p[0]);
	int reaped = 0, good = 0, st;
	pid_t w;
	while ((w = wait(&st)) > 0) {
		reaped++;
		good += WIFEXITED(st) && WEXITSTATUS(st) == 3;
	}
	say("children reaped = %d, saw end of file = %d, then wait = -1 %s\n", reaped, good, errname(errno));
}

/* children that end in the reverse order of their making are reaped
 * oldest first once all are zombies */
static void wait_order(void)
{
	pid_t pids[5];
	int p[2];
	if (pipe(p))
		return;
	for (int i = 0; i < 5; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			char b;
			close(p[1]);
			read(p[0], &b, 1); /* until the parent closes its end */
			usleep(1000 * (5 - i) * 20);
			_exit(10 + i);
		}
	}
	close(p[0]);
	close(p[1]);
	siginfo_t si;
	for (int i = 4; i >= 0; i--) /* each a zombie, youngest first: */
		waitid(P_PID, pids[i], &si, WEXITED | WNOWAIT);
	for (int i = 0; i < 5; i++) {
		int st;
		pid_t w = wait(&st);
		int k = -1;
		for (int j = 0; j < 5; j++)
			if (pids[j] == w)
				k = j;
		say("wait %d: child %d, status %d\n", i, k, WEXITSTATUS(st));
	}
	T(wait(NULL));
	/* a reaped child is gone for its pid too */
	T(waitpid(pids[0], NULL, 0));
	T(waitpid(pids[0], NULL, WNOHANG));
}

/* a zombie stays one (kill 0 finds it) until it is reaped */
static void zombie(void)
{
	pid_t c = fork();
	if (c == 0)
		_exit(5);
	siginfo_t si;
	waitid(P_PID, c, &si, WEXITED | WNOWAIT);
	TN("kill(zombie, 0)", kill(c, 0));
	TN("kill(zombie, SIGKILL)", kill(c, SIGKILL));
	int st = 0;
	TN("waitpid(zombie) is the child", waitpid(c, &st, 0) == c);
	say("status = %d\n", WEXITSTATUS(st));
	TN("kill(reaped, 0)", kill(c, 0));
}

static void limits(void)
{
	char buf[64] = {0};
	int fd = open("/proc/sys/kernel/threads-max", O_RDONLY);
	long tmax = fd >= 0 && read(fd, buf, sizeof buf - 1) > 0 ? atol(buf) : -1;
	close(fd);
	fact("threads-max >= 2 * MANY", tmax >= 2 * MANY);
	struct rlimit r;
	T(getrlimit(RLIMIT_NPROC, &r));
	fact("RLIMIT_NPROC: soft = hard", r.rlim_cur == r.rlim_max);
	fact("RLIMIT_NPROC: half of threads-max", tmax > 0 && r.rlim_cur == (rlim_t)tmax / 2);
	T(getrlimit(RLIMIT_SIGPENDING, &r));
	fact("RLIMIT_SIGPENDING: half of threads-max", tmax > 0 && r.rlim_cur == (rlim_t)tmax / 2);
}

int main(void)
{
	many_alive();
	wait_order();
	zombie();
	limits();
	return 0;
}
