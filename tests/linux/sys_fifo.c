/*
 * Named pipes (mkfifo, mknod S_IFIFO): the node, opens that wait for the
 * other end (or do not: O_NONBLOCK, O_RDWR), ENXIO for a writer with no
 * reader, data through it, EOF and SIGPIPE/EPIPE at the ends, a signal
 * that interrupts a waiting open, a FIFO's data gone with its last close.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define F "/tmp/fifo"

static void pause_ms(int ms)
{
	struct timespec d = {0, ms * 1000000L};
	nanosleep(&d, NULL);
}

static void node(void)
{
	say("-- the node\n");
	umask(022);
	T(mkfifo(F, 0666));
	struct stat st;
	T(stat(F, &st));
	fact("S_ISFIFO", S_ISFIFO(st.st_mode));
	say("mode %o, size %ld, nlink %ld\n", st.st_mode & 07777, (long)st.st_size, (long)st.st_nlink);
	T(mkfifo(F, 0666));
	T(mknod("/tmp/fifo2", S_IFIFO | 0600, 0));
	T(stat("/tmp/fifo2", &st));
	fact("mknod S_IFIFO: a FIFO", S_ISFIFO(st.st_mode));
	say("mode %o\n", st.st_mode & 07777);
	T(unlink("/tmp/fifo2"));
	T(mkfifo("/nonexistent/dir/f", 0600));
	T(mkfifo("", 0600));
}

static void nonblocking(void)
{
	say("-- O_NONBLOCK and O_RDWR opens do not wait\n");
	T(open(F, O_WRONLY | O_NONBLOCK)); /* no reader: ENXIO */
	int r = T(open(F, O_RDONLY | O_NONBLOCK));
	char b[16];
	T(read(r, b, sizeof b)); /* no writer: end of file */
	int w = T(open(F, O_WRONLY | O_NONBLOCK));
	T(fcntl(w, F_GETPIPE_SZ));
	T(write(w, "abc", 3));
	T(read(r, b, sizeof b));
	T(read(r, b, sizeof b)); /* empty, a writer: EAGAIN */
	T(lseek(r, 0, SEEK_SET));
	T(close(r));
	T(write(w, "x", 1)); /* no reader: EPIPE (SIGPIPE ignored) */
	T(close(w));
	int rw = T(open(F, O_RDWR));
	T(write(rw, "kept?", 5));
	T(close(rw));
	/* the last close dropped what was in it */
	rw = T(open(F, O_RDWR | O_NONBLOCK));
	T(read(rw, b, sizeof b));
	T(close(rw));
}

/* a child opens with child_flags (and waits); the parent opens the other
 * end after a pause; data goes from the writer to the reader */
static void waiting(int child_flags, const char *what)
{
	say("-- %s\n", what);
	pid_t c = fork();
	if (c == 0) {
		int fd = open(F, child_flags);
		if (fd < 0)
			_exit(1);
		if (child_flags == O_WRONLY) {
			_exit(write(fd, "hello", 5) == 5 ? 0 : 2);
		}
		char b[16] = {0};
		ssize_t n = read(fd, b, sizeof b - 1);
		ssize_t m = read(fd, b, sizeof b - 1); /* the writer closed: 0 */
		_exit(n == 5 && !strcmp(b, "hello") && m == 0 ? 0 : 3);
	}
	pause_ms(50);
	int st = -1;
	fact("the child still waits in open", waitpid(c, &st, WNOHANG) == 0);
	int fd = T(open(F, child_flags == O_WRONLY ? O_RDONLY : O_WRONLY));
	if (child_flags == O_WRONLY) {
		char b[16] = {0};
		T(read(fd, b, sizeof b - 1));
		say("read \"%s\"\n", b);
		T(read(fd, b, sizeof b - 1));
	} else {
		T(write(fd, "hello", 5));
	}
	T(close(fd));
	waitpid(c, &st, 0);
	say("child: exited %d, status %d\n", WIFEXITED(st), WEXITSTATUS(st));
}

static void on_alarm(int s)
{
	(void)s;
}

static void interrupted(void)
{
	say("-- a signal interrupts an open that waits\n");
	struct sigaction sa = {.sa_handler = on_alarm}; /* (no SA_RESTART) */
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {{0, 0}, {0, 50000}};
	setitimer(ITIMER_REAL, &it, NULL);
	T(open(F, O_RDONLY));
	setitimer(ITIMER_REAL, &it, NULL);
	T(open(F, O_WRONLY));
	/* and nothing of those opens is left: a writer still finds no reader */
	T(open(F, O_WRONLY | O_NONBLOCK));
	say("-- a process killed in an open that waits\n");
	pid_t c = fork();
	if (c == 0) {
		open(F, O_RDONLY);
		_exit(1);
	}
	pause_ms(50);
	kill(c, SIGKILL);
	int st = 0;
	waitpid(c, &st, 0);
	fact("killed by SIGKILL", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	T(open(F, O_WRONLY | O_NONBLOCK));
}

static void unlinked(void)
{
	say("-- an open FIFO without its name\n");
	int rw = T(open(F, O_RDWR));
	T(unlink(F));
	T(write(rw, "still", 5));
	char b[16] = {0};
	T(read(rw, b, sizeof b - 1));
	say("read \"%s\"\n", b);
	struct stat st;
	T(fstat(rw, &st));
	fact("fstat: a FIFO", S_ISFIFO(st.st_mode));
	T(close(rw));
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	unlink(F);
	node();
	nonblocking();
	waiting(O_WRONLY, "a writer's open waits for a reader");
	waiting(O_RDONLY, "a reader's open waits for a writer");
	interrupted();
	unlinked();
	return 0;
}
