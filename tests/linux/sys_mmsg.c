/*
 * sendmmsg and recvmmsg over AF_UNIX sockets: each message's msg_len,
 * the count returned (an error only when no message went), MSG_DONTWAIT
 * and MSG_WAITFORONE, a blocking recvmmsg that waits for every message,
 * the timeout (looked at after each message, the time left written
 * back; bad ones EINVAL, EFAULT), a signal after some messages (they are
 * returned), an error after some messages (kept for
 * the next call), stream sockets, bad descriptors (EBADF, ENOTSOCK), bad
 * pointers (EFAULT) and flags (EINVAL).  The system calls themselves:
 * musl's sendmmsg is a loop of sendmsg.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <time.h>

#include "check.h"

static void pause_ms(int ms)
{
	struct timespec d = {ms / 1000, ms % 1000 * 1000000L};
	nanosleep(&d, NULL);
}

static char data[8][16];
static struct iovec iov[8];
static struct mmsghdr mm[8];

/* n messages "m0", "m1", ... (or buffers of 16 bytes to receive into) */
static void vec(int n, bool out)
{
	memset(mm, 0, sizeof mm);
	for (int i = 0; i < n; i++) {
		if (out)
			snprintf(data[i], sizeof data[i], "m%d", i);
		else
			memset(data[i], 0, sizeof data[i]);
		iov[i].iov_base = data[i];
		iov[i].iov_len = out ? strlen(data[i]) + i : sizeof data[i];
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_len = 12345;
	}
}

static void show(int n)
{
	for (int i = 0; i < n; i++)
		say("  [%d] len %u \"%s\" flags %#x\n", i, mm[i].msg_len, data[i], mm[i].msg_hdr.msg_flags);
}

/* the system calls themselves (musl's sendmmsg is a loop of sendmsg, its
 * recvmmsg writes to the vector first) */
static int sendmmsg_(int fd, void *v, unsigned n, int flags)
{
	return (int)syscall(SYS_sendmmsg, fd, v, n, flags);
}
static int recvmmsg_(int fd, void *v, unsigned n, int flags, void *ts)
{
	return (int)syscall(SYS_recvmmsg, fd, v, n, flags, ts);
}
static int smm(int fd, int n, int flags)
{
	return sendmmsg_(fd, mm, (unsigned)n, flags);
}
static int rmm(int fd, int n, int flags, void *ts)
{
	return recvmmsg_(fd, mm, (unsigned)n, flags, ts);
}

static void basics(void)
{
	say("-- datagrams\n");
	int sv[2];
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	vec(3, true);
	T(smm(sv[0], 3, 0));
	show(3);
	vec(5, false);
	T(rmm(sv[1], 5, MSG_DONTWAIT, NULL));
	show(4);
	T(rmm(sv[1], 5, MSG_DONTWAIT, NULL));
	T(rmm(sv[1], 0, 0, NULL));
	T(smm(sv[0], 0, 0));
	/* MSG_WAITFORONE: the messages there, after the first */
	vec(2, true);
	T(smm(sv[0], 2, 0));
	vec(4, false);
	T(rmm(sv[1], 4, MSG_WAITFORONE, NULL));
	show(3);
	/* ... and a first one that is waited for */
	pid_t c = fork();
	if (c == 0) {
		pause_ms(100);
		vec(2, true);
		smm(sv[0], 2, 0);
		_exit(0);
	}
	vec(4, false);
	int first = rmm(sv[1], 4, MSG_WAITFORONE, NULL);
	child_status(c);
	vec(4, false);
	int rest = rmm(sv[1], 4, MSG_DONTWAIT, NULL); /* (what came after it: the sender may be woken in between) */
	say("waited for one: %d, in all %d\n", first >= 1, first + (rest > 0 ? rest : 0));
	/* without it, every message is waited for */
	c = fork();
	if (c == 0) {
		vec(3, true);
		for (int i = 0; i < 3; i++) {
			pause_ms(50);
			send(sv[0], data[i], 2, 0);
		}
		_exit(0);
	}
	vec(3, false);
	T(rmm(sv[1], 3, 0, NULL));
	show(3);
	child_status(c);
	close(sv[0]);
	close(sv[1]);
}

static void timeouts(void)
{
	say("-- timeouts\n");
	int sv[2];
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	vec(3, true);
	smm(sv[0], 3, 0);
	struct timespec ts = {0, 0};
	vec(3, false);
	T(rmm(sv[1], 3, 0, &ts)); /* (over after the first) */
	say("left %ld %ld\n", (long)ts.tv_sec, ts.tv_nsec);
	ts = (struct timespec){5, 0};
	T(rmm(sv[1], 2, 0, &ts));
	fact("time left, less than given", ts.tv_sec < 5 && (ts.tv_sec > 0 || ts.tv_nsec > 0));
	ts = (struct timespec){0, 1000000000};
	T(rmm(sv[1], 2, MSG_DONTWAIT, &ts));
	ts = (struct timespec){-1, 0};
	T(rmm(sv[1], 2, MSG_DONTWAIT, &ts));
	T(rmm(sv[1], 2, MSG_DONTWAIT, BAD_USER));
	T(rmm(-1, 2, MSG_DONTWAIT, BAD_USER)); /* (the timeout first) */
	ts = (struct timespec){1, 0};
	T(rmm(sv[1], 2, MSG_DONTWAIT, &ts)); /* (none: not written) */
	say("left %ld %ld\n", (long)ts.tv_sec, ts.tv_nsec);
	/* a timeout that passes between the messages of a wait */
	vec(1, true);
	smm(sv[0], 1, 0);
	pid_t c = fork();
	if (c == 0) {
		pause_ms(1000);
		vec(2, true);
		smm(sv[0], 2, 0);
		_exit(0);
	}
	ts = (struct timespec){0, 500000000};
	vec(4, false);
	T(rmm(sv[1], 4, 0, &ts)); /* (the second is waited for; then over) */
	say("left %ld %ld\n", (long)ts.tv_sec, ts.tv_nsec);
	child_status(c);
	T(rmm(sv[1], 4, MSG_DONTWAIT, NULL));
	close(sv[0]);
	close(sv[1]);
}

static void on_alrm(int sig)
{
	(void)sig;
}

/* a signal while some messages are in: the call ends with them */
static void interrupted(void)
{
	say("-- a signal\n");
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alrm;
	for (int restart = 0; restart < 2; restart++) {
		sa.sa_flags = restart ? SA_RESTART : 0;
		sigaction(SIGALRM, &sa, NULL);
		int sv[2];
		socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
		vec(1, true);
		smm(sv[0], 1, 0);
		ualarm(200000, 0);
		vec(3, false);
		T(rmm(sv[1], 3, 0, NULL));
		show(1);
		close(sv[0]);
		close(sv[1]);
	}
	signal(SIGALRM, SIG_DFL);
}

static void errors(void)
{
	say("-- errors\n");
	int sv[2], p[2];
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	pipe(p);
	vec(2, true);
	T(smm(-1, 2, 0));
	T(smm(99, 2, 0));
	T(smm(p[1], 2, 0));
	T(rmm(p[0], 2, 0, NULL));
	T(sendmmsg_(sv[0], BAD_USER, 2, 0));
	T(recvmmsg_(sv[1], BAD_USER, 2, MSG_DONTWAIT, NULL));
	T(smm(sv[0], 2, (int)0x80000000u));
	T(rmm(sv[1], 2, (int)0x80000000u | MSG_DONTWAIT, NULL));
	/* a bad second message: the first went */
	mm[1].msg_hdr.msg_iov = BAD_USER;
	T(smm(sv[0], 2, 0));
	show(2);
	mm[0].msg_hdr.msg_iov = BAD_USER;
	T(smm(sv[0], 2, 0));
	/* a message too long for the socket: the ones before it went */
	static char huge[300000];
	vec(2, true);
	iov[1].iov_base = huge;
	iov[1].iov_len = sizeof huge;
	T(smm(sv[0], 2, 0));
	/* a bad second buffer to receive into: one received, the error kept
	 * for the next call */
	vec(1, true);
	smm(sv[0], 1, 0);
	vec(3, false);
	mm[1].msg_hdr.msg_iov = BAD_USER;
	T(rmm(sv[1], 3, MSG_DONTWAIT, NULL));
	show(1);
	int err = 0;
	socklen_t len = sizeof err;
	T(getsockopt(sv[1], SOL_SOCKET, SO_ERROR, &err, &len));
	say("SO_ERROR %s\n", err ? errname(err) : "0");
	vec(3, false);
	T(rmm(sv[1], 3, MSG_DONTWAIT, NULL));
	/* a pending error ends a recvmmsg before any message */
	vec(1, true);
	smm(sv[0], 1, 0);
	smm(sv[0], 1, 0);
	vec(3, false);
	mm[1].msg_hdr.msg_iov = BAD_USER;
	T(rmm(sv[1], 3, MSG_DONTWAIT, NULL));
	vec(3, false);
	T(rmm(sv[1], 3, MSG_DONTWAIT, NULL));
	T(rmm(sv[1], 3, MSG_DONTWAIT, NULL));
	/* the peer gone */
	close(sv[0]);
	vec(2, false);
	T(rmm(sv[1], 2, MSG_DONTWAIT, NULL));
	close(sv[1]);
	close(p[0]);
	close(p[1]);
}

static void streams(void)
{
	say("-- streams\n");
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	vec(3, true);
	T(smm(sv[0], 3, 0));
	show(3);
	vec(3, false);
	T(rmm(sv[1], 3, MSG_DONTWAIT, NULL));
	show(1);
	/* a message that does not fit whole ends sendmmsg */
	static char big[1 << 20];
	int nb = 1;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &nb, sizeof nb);
	vec(2, true);
	iov[0].iov_base = big;
	iov[0].iov_len = sizeof big;
	int n = T(smm(sv[0], 2, MSG_DONTWAIT));
	fact("the first cut short", n == 1 && mm[0].msg_len < sizeof big && mm[0].msg_len > 0);
	T(shutdown(sv[1], SHUT_RD));
	close(sv[1]);
	signal(SIGPIPE, SIG_IGN);
	vec(2, true);
	T(smm(sv[0], 2, 0));
	close(sv[0]);
}

int main(void)
{
	basics();
	timeouts();
	interrupted();
	errors();
	streams();
	return 0;
}
