/*
 * Job control at the console, lx4 only (Linux's init has no controlling
 * terminal, so there is no reference): the first process's session owns
 * the console.  A child B stays in the foreground group; its child C makes
 * a group of its own, which is not orphaned (its parent B is in another
 * group of the session and is not init).  C reading the console is
 * stopped by SIGTTIN; with SIGTTIN ignored its read fails with EIO; with
 * TOSTOP its write is stopped by SIGTTOU, and goes through with SIGTTOU
 * ignored; a stopped reader made the foreground and continued reads the
 * line typed then; a group whose parent is init is orphaned: EIO.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static void say(const char *s) { write(1, s, strlen(s)); }

/* runs fn in a child of a new group; reports how it ended or stopped */
static void background(const char *what, int (*fn)(void))
{
	pid_t c = fork();
	if (c == 0) {
		setpgid(0, 0);
		_exit(fn());
	}
	setpgid(c, c);
	int st;
	char buf[160];
	if (waitpid(c, &st, WUNTRACED) != c) {
		say("waitpid failed\n");
		return;
	}
	if (WIFSTOPPED(st)) {
		snprintf(buf, sizeof buf, "%s: stopped by %s\n", what, strsignal(WSTOPSIG(st)));
		say(buf);
		kill(c, SIGKILL);
		waitpid(c, &st, 0);
	} else if (WIFEXITED(st)) {
		snprintf(buf, sizeof buf, "%s: exited %d\n", what, WEXITSTATUS(st));
		say(buf);
	} else {
		snprintf(buf, sizeof buf, "%s: killed by %s\n", what, strsignal(WTERMSIG(st)));
		say(buf);
	}
}

static int do_read(void)
{
	char c;
	return read(0, &c, 1) < 0 ? errno : 0;
}

static int read_ignoring(void)
{
	signal(SIGTTIN, SIG_IGN);
	return do_read();
}

static int read_blocking(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGTTIN);
	sigprocmask(SIG_BLOCK, &s, NULL);
	return do_read();
}

static int do_write(void) { return write(1, "bg write\n", 9) == 9 ? 0 : errno; }

static int write_ignoring(void)
{
	signal(SIGTTOU, SIG_IGN);
	return do_write();
}

static int set_attr(void)
{
	struct termios t;
	tcgetattr(0, &t);
	return tcsetattr(0, TCSANOW, &t) ? errno : 0;
}

int main(void)
{
	char buf[64];
	/* B: not init, in the foreground group */
	int st;
	pid_t b = fork();
	if (b == 0) {
		background("read", do_read);
		background("read, SIGTTIN ignored", read_ignoring);
		snprintf(buf, sizeof buf, "(EIO is %d)\n", EIO);
		say(buf);
		background("read, SIGTTIN blocked", read_blocking);
		background("write", do_write);
		background("tcsetattr", set_attr);
		struct termios t;
		tcgetattr(0, &t);
		t.c_lflag |= TOSTOP;
		tcsetattr(0, TCSANOW, &t);
		background("write under TOSTOP", do_write);
		background("write under TOSTOP, SIGTTOU ignored", write_ignoring);
		t.c_lflag &= ~TOSTOP;
		tcsetattr(0, TCSANOW, &t);
		/* as a shell's fg: the stopped reader is given the terminal and
		 * continued; its read is made again and gets the typed line */
		signal(SIGTTOU, SIG_IGN); /* (a shell ignores it: it takes the terminal back from the background) */
		pid_t c = fork();
		if (c == 0) {
			setpgid(0, 0);
			char line[16] = "";
			ssize_t n = read(0, line, sizeof line - 1);
			_exit(n == 2 && line[0] == 'x' ? 42 : 1);
		}
		setpgid(c, c);
		waitpid(c, &st, WUNTRACED);
		snprintf(buf, sizeof buf, "reader: %s\n", WIFSTOPPED(st) ? strsignal(WSTOPSIG(st)) : "not stopped");
		say(buf);
		tcsetpgrp(0, c);
		kill(c, SIGCONT);
		say("type now\n");
		waitpid(c, &st, 0);
		snprintf(buf, sizeof buf, "reader in the foreground: exited %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		say(buf);
		snprintf(buf, sizeof buf, "terminal back: %d\n", tcsetpgrp(0, getpgrp()));
		say(buf);
		_exit(0);
	}
	waitpid(b, &st, 0);
	/* a group whose parent is init (this process): orphaned */
	background("orphaned read", do_read);
	say("done\n");
	return 0;
}
