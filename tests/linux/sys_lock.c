/*
 * File locks: fcntl's POSIX record locks (F_SETLK, F_SETLKW, F_GETLK),
 * open file description locks (F_OFD_*), and flock, between a parent and
 * its children: conflicts, shared read locks, merging and splitting of
 * ranges, the POSIX rule that any close drops a process's locks, waiting
 * in F_SETLKW, deadlock detection, the end of a process, and the errors.
 * Pids are printed as facts ("the parent's"), never as numbers.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>

#include "check.h"

#define FILE_PATH "/tmp/locked"

static pid_t parent;

static const char *type_name(int t)
{
	return t == F_RDLCK ? "F_RDLCK" : t == F_WRLCK ? "F_WRLCK" : t == F_UNLCK ? "F_UNLCK" : "?";
}

/* fcntl(fd, cmd, {type, SEEK_SET, start, len}) */
static long lk(int fd, int cmd, int type, long start, long len)
{
	struct flock fl = {.l_type = (short)type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
	return fcntl(fd, cmd, &fl);
}

#define L(what, fd, cmd, type, start, len) TN(what, lk(fd, cmd, type, start, len))

/* what F_GETLK (or F_OFD_GETLK) says of a type over start..len */
static void getlk(const char *who, int fd, int cmd, int type, long start, long len)
{
	struct flock fl = {.l_type = (short)type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
	if (fcntl(fd, cmd, &fl)) {
		say("%s: getlk %s %ld+%ld = -1 %s\n", who, type_name(type), start, len, errname(errno));
		return;
	}
	if (fl.l_type == F_UNLCK) {
		say("%s: getlk %s %ld+%ld: free\n", who, type_name(type), start, len);
		return;
	}
	say("%s: getlk %s %ld+%ld: %s %ld+%ld held by %s\n", who, type_name(type), start, len, type_name(fl.l_type),
	    (long)fl.l_start, (long)fl.l_len,
	    fl.l_pid == parent         ? "the parent"
	    : fl.l_pid == -1           ? "an open file (-1)"
	    : fl.l_pid == getpid()     ? "me"
	    : fl.l_pid > 0             ? "a child"
				       : "?");
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

static void reap(const char *what, pid_t child)
{
	int st = -1;
	fact(what, waitpid(child, &st, 0) == child && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static int open_file(int flags)
{
	return open(FILE_PATH, flags);
}

static void errors(int fd)
{
	say("-- errors\n");
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	T(fcntl(fd, F_SETLK, BAD_USER));
	T(fcntl(fd, F_GETLK, BAD_KERNEL));
	T(fcntl(99, F_SETLK, &fl));
	fl.l_whence = 7;
	TN("whence 7", fcntl(fd, F_SETLK, &fl));
	fl.l_whence = SEEK_SET;
	fl.l_type = 9;
	TN("type 9", fcntl(fd, F_SETLK, &fl));
	TN("getlk type 9", fcntl(fd, F_GETLK, &fl));
	L("getlk F_UNLCK", fd, F_GETLK, F_UNLCK, 0, 0);
	L("start -1", fd, F_SETLK, F_WRLCK, -1, 1);
	L("len -11 from 10", fd, F_SETLK, F_WRLCK, 10, -11);
	L("len -10 from 10", fd, F_SETLK, F_WRLCK, 10, -10);
	L("start LONG_MAX len 2", fd, F_SETLK, F_WRLCK, LONG_MAX, 2);
	L("start LONG_MAX len 1", fd, F_SETLK, F_WRLCK, LONG_MAX, 1);
	L("unlock it", fd, F_SETLK, F_UNLCK, LONG_MAX, 1);
	fl = (struct flock){.l_type = F_WRLCK, .l_whence = SEEK_END, .l_start = -101, .l_len = 1};
	TN("SEEK_END -101", fcntl(fd, F_SETLK, &fl));
	fl.l_start = LONG_MAX;
	TN("SEEK_END LONG_MAX", fcntl(fd, F_SETLK, &fl));
	int ro = open_file(O_RDONLY), wo = open_file(O_WRONLY);
	L("F_WRLCK on O_RDONLY", ro, F_SETLK, F_WRLCK, 0, 1);
	L("F_RDLCK on O_WRONLY", wo, F_SETLK, F_RDLCK, 0, 1);
	L("F_UNLCK on O_RDONLY", ro, F_SETLK, F_UNLCK, 0, 1);
	L("F_GETLK F_WRLCK on O_RDONLY", ro, F_GETLK, F_WRLCK, 0, 1);
	fl = (struct flock){.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_pid = 1};
	TN("F_OFD_SETLK with l_pid 1", fcntl(fd, F_OFD_SETLK, &fl));
	TN("F_OFD_GETLK with l_pid 1", fcntl(fd, F_OFD_GETLK, &fl));
	T(flock(fd, 0));
	T(flock(fd, LOCK_SH | LOCK_EX));
	T(flock(fd, 16));
	T(flock(99, LOCK_EX));
	T(flock(-1, LOCK_UN));
	T(flock(99, 0));
	close(ro);
	close(wo);
	L("unlock all", fd, F_SETLK, F_UNLCK, 0, 0);
}

static void ranges(int fd)
{
	say("-- ranges\n");
	L("parent: write lock 10+10", fd, F_SETLK, F_WRLCK, 10, 10);
	L("parent: read lock 30+10", fd, F_SETLK, F_RDLCK, 30, 10);
	L("parent: read lock 40+10 (merges)", fd, F_SETLK, F_RDLCK, 40, 10);
	L("parent: read lock 60+0 (to the end)", fd, F_SETLK, F_RDLCK, 60, 0);
	getlk("parent", fd, F_GETLK, F_WRLCK, 0, 0); /* its own locks are no obstacle */
	int go[2], done[2];
	if (pipe(go) || pipe(done))
		return;
	pid_t child = fork();
	if (child == 0) {
		char c;
		getlk("child", fd, F_GETLK, F_WRLCK, 0, 0);
		getlk("child", fd, F_GETLK, F_RDLCK, 0, 0);
		getlk("child", fd, F_GETLK, F_WRLCK, 35, 1);
		getlk("child", fd, F_GETLK, F_RDLCK, 35, 1);
		getlk("child", fd, F_GETLK, F_WRLCK, 20, 10);
		getlk("child", fd, F_GETLK, F_WRLCK, 1000000, 5);
		L("child: write lock 15+1", fd, F_SETLK, F_WRLCK, 15, 1);
		L("child: read lock 35+1", fd, F_SETLK, F_RDLCK, 35, 1);
		L("child: write lock 20+10 (the gap)", fd, F_SETLK, F_WRLCK, 20, 10);
		L("child: write lock 5+5", fd, F_SETLK, F_WRLCK, 5, 5);
		L("child: write lock 5+6", fd, F_SETLK, F_WRLCK, 5, 6);
		L("child: read lock 1000000+1", fd, F_SETLK, F_RDLCK, 1000000, 1);
		L("child: write lock 1000000+1", fd, F_SETLK, F_WRLCK, 1000000, 1);
		write(done[1], "1", 1);
		read(go[0], &c, 1); /* the parent split its lock */
		getlk("child", fd, F_GETLK, F_WRLCK, 12, 3);
		getlk("child", fd, F_GETLK, F_WRLCK, 11, 2);
		getlk("child", fd, F_GETLK, F_WRLCK, 14, 2);
		getlk("child", fd, F_GETLK, F_WRLCK, 30, 5);
		getlk("child", fd, F_GETLK, F_RDLCK, 10, 0);
		write(done[1], "2", 1);
		read(go[0], &c, 1); /* the parent closed another descriptor */
		getlk("child", fd, F_GETLK, F_WRLCK, 0, 0);
		L("child: write lock 0+0 (all)", fd, F_SETLK, F_WRLCK, 0, 0);
		_exit(0);
	}
	char c;
	read(done[0], &c, 1);
	getlk("parent", fd, F_GETLK, F_WRLCK, 20, 10);
	getlk("parent", fd, F_GETLK, F_WRLCK, 0, 0);
	L("parent: unlock 12+3 (splits)", fd, F_SETLK, F_UNLCK, 12, 3);
	L("parent: write lock 35+1 (a child reads it)", fd, F_SETLK, F_WRLCK, 35, 1);
	L("parent: write lock 45+1 (nobody else)", fd, F_SETLK, F_WRLCK, 45, 1);
	write(go[1], "1", 1);
	read(done[0], &c, 1);
	int other = open_file(O_RDONLY);
	T(close(other)); /* drops every lock of the parent on the file */
	write(go[1], "2", 1);
	reap("ranges: the child ended well", child);
	getlk("parent", fd, F_GETLK, F_WRLCK, 0, 0); /* the child's went with it */
	L("parent: unlock all", fd, F_SETLK, F_UNLCK, 0, 0);
	close(go[0]);
	close(go[1]);
	close(done[0]);
	close(done[1]);
}

static void relative(int fd)
{
	say("-- whence\n");
	lseek(fd, 50, SEEK_SET);
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_CUR, .l_start = -5, .l_len = 3};
	TN("SEEK_CUR -5 len 3 at 50", fcntl(fd, F_SETLK, &fl));
	fl = (struct flock){.l_type = F_WRLCK, .l_whence = SEEK_END, .l_start = 0, .l_len = -4};
	TN("SEEK_END 0 len -4 (size 100)", fcntl(fd, F_SETLK, &fl));
	pid_t child = fork();
	if (child == 0) {
		getlk("child", fd, F_GETLK, F_RDLCK, 0, 0);
		getlk("child", fd, F_GETLK, F_RDLCK, 48, 0);
		getlk("child", fd, F_GETLK, F_RDLCK, 90, 0);
		_exit(0);
	}
	reap("whence: the child ended well", child);
	L("parent: unlock all", fd, F_SETLK, F_UNLCK, 0, 0);
}

static void waiting(int fd)
{
	say("-- F_SETLKW\n");
	L("parent: write lock 0+1", fd, F_SETLK, F_WRLCK, 0, 1);
	int ready[2];
	if (pipe(ready))
		return;
	pid_t child = fork();
	if (child == 0) {
		write(ready[1], "r", 1);
		L("child: F_SETLKW read 0+1 (waits)", fd, F_SETLKW, F_RDLCK, 0, 1);
		say("child: has the lock\n");
		_exit(0);
	}
	char c;
	read(ready[0], &c, 1);
	sleep_ms(100);
	say("parent: unlocks\n");
	/* (its result after the child's lines: the woken child may print first) */
	long r = lk(fd, F_SETLK, F_UNLCK, 0, 1);
	int e = errno;
	reap("F_SETLKW: the child ended well", child);
	report("parent: unlock 0+1", r, e);
	close(ready[0]);
	close(ready[1]);
}

static void deadlocks(int fd)
{
	say("-- deadlock\n");
	L("parent: write lock 0+1", fd, F_SETLK, F_WRLCK, 0, 1);
	int ready[2];
	if (pipe(ready))
		return;
	pid_t child = fork();
	if (child == 0) {
		L("child: write lock 1+1", fd, F_SETLK, F_WRLCK, 1, 1);
		write(ready[1], "r", 1);
		L("child: F_SETLKW 0+1 (waits for the parent)", fd, F_SETLKW, F_WRLCK, 0, 1);
		_exit(0);
	}
	char c;
	read(ready[0], &c, 1);
	sleep_ms(200); /* the child waits in F_SETLKW by now */
	L("parent: F_SETLKW 1+1 (would wait for a waiter)", fd, F_SETLKW, F_WRLCK, 1, 1);
	L("parent: unlock 0+1", fd, F_SETLK, F_UNLCK, 0, 1);
	reap("deadlock: the child ended well", child);
	close(ready[0]);
	close(ready[1]);
}

static void exits(int fd)
{
	say("-- the end of a process\n");
	int ready[2], go[2];
	if (pipe(ready) || pipe(go))
		return;
	pid_t child = fork();
	if (child == 0) {
		char c;
		L("child: write lock 0+0", fd, F_SETLK, F_WRLCK, 0, 0);
		write(ready[1], "r", 1);
		read(go[0], &c, 1);
		_exit(0);
	}
	char c;
	read(ready[0], &c, 1);
	getlk("parent", fd, F_GETLK, F_RDLCK, 7, 1);
	L("parent: read lock 7+1", fd, F_SETLK, F_RDLCK, 7, 1);
	write(go[1], "g", 1);
	reap("exit: the child ended well", child);
	L("parent: read lock 7+1 after the child's end", fd, F_SETLK, F_RDLCK, 7, 1);
	L("parent: unlock all", fd, F_SETLK, F_UNLCK, 0, 0);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
}

static void ofd(int fd)
{
	say("-- open file description locks\n");
	L("parent: OFD write lock 0+10", fd, F_OFD_SETLK, F_WRLCK, 0, 10);
	int other = open_file(O_RDWR);
	getlk("parent (other file)", other, F_OFD_GETLK, F_RDLCK, 0, 0);
	getlk("parent (other file)", other, F_GETLK, F_RDLCK, 5, 1);
	getlk("parent (same file)", fd, F_OFD_GETLK, F_WRLCK, 0, 0);
	getlk("parent (same file, POSIX)", fd, F_GETLK, F_WRLCK, 0, 0);
	L("parent: POSIX lock 5+1 (another owner)", fd, F_SETLK, F_WRLCK, 5, 1);
	L("parent: OFD lock 5+1 through the other file", other, F_OFD_SETLK, F_RDLCK, 5, 1);
	pid_t child = fork();
	if (child == 0) {
		/* the child's copy of fd is the same open file: the same owner */
		L("child: OFD write lock 2+2 (the same file)", fd, F_OFD_SETLK, F_WRLCK, 2, 2);
		L("child: POSIX read lock 2+2", fd, F_SETLK, F_RDLCK, 2, 2);
		L("child: OFD write lock 20+1", fd, F_OFD_SETLK, F_WRLCK, 20, 1);
		_exit(0);
	}
	reap("OFD: the child ended well", child);
	getlk("parent (other file)", other, F_OFD_GETLK, F_RDLCK, 20, 1); /* the child's stays */
	T(close(other));
	getlk("parent (a third file)", open_file(O_RDWR), F_OFD_GETLK, F_WRLCK, 0, 0);
	L("parent: OFD unlock 0+0", fd, F_OFD_SETLK, F_UNLCK, 0, 0);
}

static void bsd(int fd)
{
	say("-- flock\n");
	T(flock(fd, LOCK_EX));
	T(flock(fd, LOCK_EX)); /* again: nothing changes */
	int other = open_file(O_RDONLY);
	T(flock(other, LOCK_SH | LOCK_NB));
	T(flock(other, LOCK_EX | LOCK_NB));
	L("parent: fcntl read lock through the other (its own name space)", other, F_SETLK, F_RDLCK, 0, 0);
	L("parent: unlock it", other, F_SETLK, F_UNLCK, 0, 0);
	T(flock(fd, LOCK_SH)); /* down to shared: the other may share */
	T(flock(other, LOCK_SH | LOCK_NB));
	T(flock(fd, LOCK_EX | LOCK_NB));
	T(flock(other, LOCK_UN));
	int ready[2];
	if (pipe(ready))
		return;
	pid_t child = fork();
	if (child == 0) {
		int mine = open_file(O_RDONLY);
		T(flock(fd, LOCK_EX | LOCK_NB)); /* the inherited file: the same owner */
		T(flock(mine, LOCK_SH | LOCK_NB));
		write(ready[1], "r", 1);
		T(flock(mine, LOCK_SH)); /* waits for the parent's unlock */
		say("child: has the shared lock\n");
		_exit(0);
	}
	char c;
	read(ready[0], &c, 1);
	sleep_ms(100);
	say("parent: unlocks\n");
	long r = flock(fd, LOCK_UN);
	int e = errno;
	reap("flock: the child ended well", child);
	report("flock(fd, LOCK_UN)", r, e);
	T(flock(other, LOCK_EX | LOCK_NB));
	T(close(other));
	T(flock(fd, LOCK_EX | LOCK_NB)); /* the close of the other dropped its lock */
	T(flock(fd, LOCK_UN));
	T(flock(fd, LOCK_UN));
	close(ready[0]);
	close(ready[1]);
}

int main(void)
{
	parent = getpid();
	int fd = open(FILE_PATH, O_RDWR | O_CREAT | O_TRUNC, 0644);
	char buf[100];
	memset(buf, 'x', sizeof buf);
	if (fd < 0 || write(fd, buf, sizeof buf) != sizeof buf) {
		say("setup failed: %s\n", errname(errno));
		return 1;
	}
	errors(fd);
	ranges(fd);
	relative(fd);
	waiting(fd);
	deadlocks(fd);
	exits(fd);
	ofd(fd);
	bsd(fd);
	say("done\n");
	return 0;
}
