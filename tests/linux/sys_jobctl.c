/*
 * Job control: the stop signals (SIGSTOP always; SIGTSTP, SIGTTIN, SIGTTOU
 * by default, but not in an orphaned process group), SIGCONT, what wait4
 * and waitid report (WUNTRACED, WCONTINUED, WNOWAIT), SIGCHLD with
 * CLD_STOPPED and CLD_CONTINUED (and SA_NOCLDSTOP), signals that wait
 * while a process is stopped, calls that a stop holds (nanosleep, pause,
 * a pipe's read) and go on after SIGCONT, a parent's wait woken by a
 * stop and a continue, and the SIGHUP and SIGCONT of a group that the end
 * of a process orphans.
 *
 * The test's own process group is orphaned on both systems (its parent is
 * init, or it is init): a group that is not is made by a middle process
 * whose child takes a group of its own.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

#include "check.h"

static void msleep(long ms)
{
	struct timespec ts = {ms / 1000, ms % 1000 * 1000000};
	while (nanosleep(&ts, &ts))
		;
}

static void sleeper(void)
{
	for (;;)
		pause();
}

static pid_t child(void (*fn)(void))
{
	pid_t c = fork();
	if (c == 0) {
		fn();
		_exit(0);
	}
	return c;
}

static void say_status(const char *what, int st)
{
	if (WIFSTOPPED(st))
		say("%s: stopped by %d\n", what, WSTOPSIG(st));
	else if (WIFCONTINUED(st))
		say("%s: continued\n", what);
	else if (WIFSIGNALED(st))
		say("%s: killed by %d\n", what, WTERMSIG(st));
	else
		say("%s: exit %d\n", what, WEXITSTATUS(st));
}

/* waitpid(c, options): what it returned (the child, 0 or an error) and
 * the status */
static void wait_for(const char *what, pid_t c, int options)
{
	int st = 0;
	pid_t r = waitpid(c, &st, options);
	if (r == c)
		say_status(what, st);
	else if (r == 0)
		say("%s: nothing\n", what);
	else
		say("%s: -1 %s\n", what, errname(errno));
}

static void act(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = fn;
	sa.sa_flags = flags | SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void dfl(int sig) { signal(sig, SIG_DFL); }

static void block(int sig, int how)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(how, &s, NULL);
}

static int pipefd[2];

/* a handler that tells the test it ran: the signal's number in the pipe */
static void tell(int sig, siginfo_t *si, void *uc)
{
	(void)si, (void)uc;
	char c = (char)sig;
	if (write(pipefd[1], &c, 1)) {
	}
}

/* the signal numbers the pipe has (it waits for the first) */
static void heard(const char *what, int n)
{
	char buf[16];
	int got = 0;
	while (got < n) {
		ssize_t r = read(pipefd[0], buf + got, (size_t)(n - got));
		if (r <= 0)
			break;
		got += (int)r;
	}
	say("%s:", what);
	for (int i = 0; i < got; i++)
		say(" %d", buf[i]);
	say("\n");
}

/* ---- stop, continue, kill; what wait4 says ------------------------------------------- */

static void basics(void)
{
	say("-- SIGSTOP, SIGCONT, wait4\n");
	pid_t c = child(sleeper);
	T(kill(c, SIGSTOP));
	wait_for("WUNTRACED", c, WUNTRACED);
	wait_for("WUNTRACED again", c, WUNTRACED | WNOHANG);
	wait_for("without WUNTRACED", c, WNOHANG);
	T(kill(c, SIGSTOP));
	wait_for("stopped twice: reported", c, WUNTRACED | WNOHANG);
	T(kill(c, SIGCONT));
	wait_for("WCONTINUED", c, WCONTINUED);
	wait_for("WCONTINUED again", c, WCONTINUED | WNOHANG);
	T(kill(c, SIGCONT));
	wait_for("continued, not stopped", c, WCONTINUED | WUNTRACED | WNOHANG);
	T(kill(c, SIGSTOP));
	wait_for("stop", c, WUNTRACED);
	/* SIGKILL ends a stopped process */
	T(kill(c, SIGKILL));
	wait_for("SIGKILL", c, 0);

	/* a signal sent while stopped waits for SIGCONT */
	c = child(sleeper);
	T(kill(c, SIGSTOP));
	wait_for("stopped", c, WUNTRACED);
	T(kill(c, SIGTERM));
	msleep(100);
	wait_for("SIGTERM while stopped", c, WNOHANG);
	T(kill(c, SIGCONT));
	wait_for("after SIGCONT", c, 0);

	/* a process that stops itself: its kill returns after SIGCONT */
	c = fork();
	if (c == 0) {
		msleep(50);
		int r = kill(getpid(), SIGSTOP);
		msleep(300); /* (while the parent sees the continue) */
		_exit(r == 0 ? 7 : 8);
	}
	wait_for("stopped itself (the wait was waiting)", c, WUNTRACED);
	pid_t h = fork();
	if (h == 0) { /* a sibling continues it while the parent waits */
		msleep(100);
		_exit(kill(c, SIGCONT) ? 1 : 0);
	}
	wait_for("continued by a sibling (the wait was waiting)", c, WCONTINUED);
	wait_for("its end", c, 0);
	wait_for("the sibling", h, 0);

	/* errors */
	T(waitpid(-1, NULL, 0x100));
	T(waitpid(-1, NULL, WNOHANG | WUNTRACED));
}

/* ---- SIGCHLD --------------------------------------------------------------------------- */

static volatile int chld_hits;
static volatile int chld_code, chld_status;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	chld_hits++;
	chld_code = si->si_code;
	chld_status = si->si_status;
}

static void sigchld(void)
{
	say("-- SIGCHLD: CLD_STOPPED, CLD_CONTINUED, SA_NOCLDSTOP\n");
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	block(SIGCHLD, SIG_BLOCK);
	pid_t c = child(sleeper);
	siginfo_t si;
	struct timespec five = {5, 0};
	T(kill(c, SIGSTOP));
	TN("sigtimedwait", sigtimedwait(&set, &si, &five));
	say("code %d (CLD_STOPPED %d) status %d, from the child: %s\n", si.si_code, CLD_STOPPED, si.si_status,
	    si.si_pid == c ? "yes" : "no");
	T(kill(c, SIGCONT));
	TN("sigtimedwait", sigtimedwait(&set, &si, &five));
	say("code %d (CLD_CONTINUED %d) status %d, from the child: %s\n", si.si_code, CLD_CONTINUED, si.si_status,
	    si.si_pid == c ? "yes" : "no");
	/* a second SIGCONT to a running process: no SIGCHLD */
	T(kill(c, SIGCONT));
	struct timespec short_ = {0, 100000000};
	TN("sigtimedwait", sigtimedwait(&set, &si, &short_));
	wait_for("WCONTINUED", c, WCONTINUED | WNOHANG);
	T(kill(c, SIGKILL));
	wait_for("end", c, 0);
	TN("sigtimedwait", sigtimedwait(&set, &si, &five));
	say("code %d (CLD_KILLED %d) status %d\n", si.si_code, CLD_KILLED, si.si_status);

	/* a handler */
	act(SIGCHLD, on_chld, SA_RESTART);
	chld_hits = 0;
	block(SIGCHLD, SIG_UNBLOCK);
	c = child(sleeper);
	T(kill(c, SIGSTOP));
	while (!chld_hits)
		pause();
	say("handler: hits %d code %d status %d\n", chld_hits, chld_code, chld_status);
	T(kill(c, SIGCONT));
	while (chld_hits < 2)
		pause();
	say("handler: hits %d code %d status %d\n", chld_hits, chld_code, chld_status);
	wait_for("WUNTRACED|WCONTINUED", c, WUNTRACED | WCONTINUED);

	/* SA_NOCLDSTOP: no SIGCHLD for a stop or a continue, one for the end */
	act(SIGCHLD, on_chld, SA_RESTART | SA_NOCLDSTOP);
	chld_hits = 0;
	T(kill(c, SIGSTOP));
	wait_for("SA_NOCLDSTOP stop", c, WUNTRACED);
	T(kill(c, SIGCONT));
	wait_for("SA_NOCLDSTOP continue", c, WCONTINUED);
	msleep(50);
	say("SA_NOCLDSTOP: hits %d\n", chld_hits);
	T(kill(c, SIGKILL));
	wait_for("SA_NOCLDSTOP end", c, 0);
	say("SA_NOCLDSTOP: hits %d code %d\n", chld_hits, chld_code);

	/* SIG_IGN: no SIGCHLD, the stop is reported all the same */
	signal(SIGCHLD, SIG_IGN);
	c = child(sleeper);
	T(kill(c, SIGSTOP));
	wait_for("SIG_IGN stop", c, WUNTRACED);
	T(kill(c, SIGKILL));
	wait_for("SIG_IGN: the end (nobody waits)", c, 0);
	dfl(SIGCHLD);
}

/* ---- waitid ----------------------------------------------------------------------------- */

static void say_waitid(const char *what, long r, const siginfo_t *si, pid_t c)
{
	if (r)
		say("%s = -1 %s\n", what, errname(errno));
	else
		say("%s = 0: signo %d code %d status %d, pid: %s\n", what, si->si_signo, si->si_code, si->si_status,
		    si->si_pid == c ? "the child" : si->si_pid ? "another" : "0");
}

#define W(what, idtype, id, opt)                                \
	do {                                                    \
		memset(&si, 0x55, sizeof si);                   \
		errno = 0;                                      \
		long r_ = waitid(idtype, id, &si, opt);         \
		say_waitid(what, r_, &si, c);                   \
	} while (0)

static void waitids(void)
{
	say("-- waitid\n");
	siginfo_t si;
	pid_t c = child(sleeper);
	T(kill(c, SIGSTOP));
	W("WSTOPPED|WNOWAIT", P_PID, c, WSTOPPED | WNOWAIT);
	W("WSTOPPED|WNOHANG (kept)", P_PID, c, WSTOPPED | WNOHANG);
	W("WSTOPPED|WNOHANG (taken)", P_PID, c, WSTOPPED | WNOHANG);
	W("WEXITED|WNOHANG", P_PID, c, WEXITED | WNOHANG);
	T(kill(c, SIGCONT));
	W("WCONTINUED", P_ALL, 0, WCONTINUED);
	W("WCONTINUED|WNOHANG", P_PGID, 0, WCONTINUED | WNOHANG);
	T(kill(c, SIGTERM));
	W("WEXITED|WNOWAIT", P_PID, c, WEXITED | WNOWAIT);
	W("WEXITED", P_PGID, getpgrp(), WEXITED);
	W("WEXITED again", P_PID, c, WEXITED);
	c = fork();
	if (c == 0)
		_exit(5);
	W("exit", P_PID, c, WEXITED);
	W("no options", P_ALL, 0, 0);
	W("bad options", P_ALL, 0, WEXITED | 0x100);
	W("P_PID 0", P_PID, 0, WEXITED);
	W("P_PGID -1", P_PGID, -1, WEXITED);
	W("idtype 9", 9, 0, WEXITED);
	W("P_PIDFD of a pipe", P_PIDFD, pipefd[0], WEXITED);
	W("P_PIDFD of nothing", P_PIDFD, 200, WEXITED);
	T(waitid(P_ALL, 0, NULL, WEXITED | WNOHANG));
	c = child(sleeper);
	T(waitid(P_PID, c, NULL, WEXITED | WNOHANG));
	T(kill(c, SIGKILL));
	T(waitid(P_PID, c, NULL, WEXITED));
}

/* ---- calls held by a stop ---------------------------------------------------------------- */

static void nap_child(void)
{
	struct timespec ts = {0, 300000000}, rem;
	_exit(nanosleep(&ts, &rem) == 0 ? 3 : 4);
}

static void pause_child(void)
{
	act(SIGUSR1, tell, 0);
	int r = pause();
	_exit(r == -1 && errno == EINTR ? 5 : 6);
}

static void read_child(void)
{
	char buf[8] = {0};
	close(pipefd[1]);
	ssize_t n = read(pipefd[0], buf, sizeof buf);
	_exit(n == 3 && !memcmp(buf, "abc", 3) ? 9 : 10);
}

static void held_calls(void)
{
	say("-- calls held by a stop\n");
	pid_t c = child(nap_child);
	msleep(50);
	T(kill(c, SIGSTOP));
	wait_for("nanosleep: stopped", c, WUNTRACED);
	msleep(400); /* past the end of its sleep */
	wait_for("nanosleep: still stopped", c, WNOHANG);
	T(kill(c, SIGCONT));
	wait_for("nanosleep: after SIGCONT", c, 0);

	c = child(pause_child);
	msleep(50);
	T(kill(c, SIGSTOP));
	wait_for("pause: stopped", c, WUNTRACED);
	T(kill(c, SIGCONT));
	msleep(50);
	wait_for("pause: still in pause", c, WNOHANG);
	T(kill(c, SIGUSR1));
	heard("pause: the handler ran", 1);
	wait_for("pause: after the handler", c, 0);

	int p[2];
	if (pipe(p))
		return;
	int keep[2] = {pipefd[0], pipefd[1]};
	pipefd[0] = p[0], pipefd[1] = p[1];
	c = child(read_child);
	msleep(50);
	T(kill(c, SIGSTOP));
	wait_for("read: stopped", c, WUNTRACED);
	T(write(p[1], "abc", 3));
	msleep(100);
	wait_for("read: data there, still stopped", c, WNOHANG);
	T(kill(c, SIGCONT));
	wait_for("read: after SIGCONT", c, 0);
	close(p[0]);
	close(p[1]);
	pipefd[0] = keep[0], pipefd[1] = keep[1];

	/* SIGCONT continues even when blocked or ignored; a handler runs */
	c = fork();
	if (c == 0) {
		block(SIGCONT, SIG_BLOCK);
		kill(getpid(), SIGSTOP);
		_exit(11);
	}
	wait_for("SIGCONT blocked: stopped", c, WUNTRACED);
	T(kill(c, SIGCONT));
	wait_for("SIGCONT blocked: continued", c, 0);
	c = fork();
	if (c == 0) {
		signal(SIGCONT, SIG_IGN);
		kill(getpid(), SIGSTOP);
		_exit(12);
	}
	wait_for("SIGCONT ignored: stopped", c, WUNTRACED);
	T(kill(c, SIGCONT));
	wait_for("SIGCONT ignored: continued", c, 0);
	c = fork();
	if (c == 0) {
		act(SIGCONT, tell, 0);
		kill(getpid(), SIGSTOP);
		_exit(13);
	}
	wait_for("SIGCONT handled: stopped", c, WUNTRACED);
	T(kill(c, SIGCONT));
	heard("SIGCONT handled: the handler ran", 1);
	wait_for("SIGCONT handled: continued", c, 0);
}

/* ---- the terminal's stop signals and orphaned groups --------------------------------------- */

/* in the test's own (orphaned) group: SIGTSTP, SIGTTIN, SIGTTOU are
 * discarded, SIGSTOP stops */
static void orphaned(void)
{
	say("-- stop signals in an orphaned group\n");
	pid_t c = fork();
	if (c == 0) {
		act(SIGUSR2, tell, 0);
		sleeper();
	}
	msleep(50);
	T(kill(c, SIGTSTP));
	T(kill(c, SIGTTIN));
	T(kill(c, SIGTTOU));
	T(kill(c, SIGUSR2));
	heard("the child ran on", 1);
	wait_for("not stopped", c, WUNTRACED | WNOHANG);
	T(kill(c, SIGSTOP));
	wait_for("SIGSTOP", c, WUNTRACED);
	T(kill(c, SIGKILL));
	wait_for("end", c, 0);
	/* a handler runs whatever the group */
	c = fork();
	if (c == 0) {
		act(SIGTSTP, tell, 0);
		sleeper();
	}
	msleep(50);
	T(kill(c, SIGTSTP));
	heard("SIGTSTP handled", 1);
	T(kill(c, SIGKILL));
	wait_for("end", c, 0);
}

/* a middle process whose child has a group of its own: not orphaned */
static void middle(void)
{
	int sigs[] = {SIGTSTP, SIGTTIN, SIGTTOU};
	for (int i = 0; i < 3; i++) {
		pid_t c = fork();
		if (c == 0) {
			setpgid(0, 0);
			sleeper();
		}
		setpgid(c, c);
		msleep(20);
		T(kill(c, sigs[i]));
		wait_for("default action", c, WUNTRACED);
		T(kill(c, SIGCONT));
		wait_for("continued", c, WCONTINUED);
		T(kill(c, SIGKILL));
		wait_for("end", c, 0);
	}
	/* SIGTSTP ignored, blocked */
	pid_t c = fork();
	if (c == 0) {
		setpgid(0, 0);
		signal(SIGTSTP, SIG_IGN);
		act(SIGUSR2, tell, 0);
		sleeper();
	}
	setpgid(c, c);
	msleep(20);
	T(kill(c, SIGTSTP));
	T(kill(c, SIGUSR2));
	heard("SIGTSTP ignored: the child ran on", 1);
	wait_for("SIGTSTP ignored", c, WUNTRACED | WNOHANG);
	T(kill(c, SIGKILL));
	wait_for("end", c, 0);
	/* a stopped child whose group the end of this process orphans gets
	 * SIGHUP and SIGCONT: its SIGHUP handler tells the test */
	c = fork();
	if (c == 0) {
		setpgid(0, 0);
		act(SIGHUP, tell, 0);
		act(SIGCONT, tell, 0);
		pause();
		_exit(0);
	}
	setpgid(c, c);
	msleep(20);
	T(kill(c, SIGSTOP));
	wait_for("stopped, before its parent's end", c, WUNTRACED);
	_exit(0);
}

static void not_orphaned(void)
{
	say("-- stop signals in a group that is not orphaned\n");
	pid_t m = child(middle);
	wait_for("the middle process", m, 0);
	heard("the orphaned child got (SIGHUP 1, SIGCONT 18)", 2);
}

int main(void)
{
	if (pipe(pipefd))
		return 1;
	basics();
	sigchld();
	waitids();
	held_calls();
	orphaned();
	not_orphaned();
	say("done\n");
	return 0;
}
