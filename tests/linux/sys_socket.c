/* AF_UNIX sockets: socket and socketpair's arguments; stream, datagram and
 * sequenced-packet pairs (boundaries, MSG_PEEK, MSG_TRUNC, MSG_WAITALL,
 * MSG_DONTWAIT, shutdown, EOF, EPIPE and SIGPIPE, poll); names (paths with
 * their node and permission, abstract and automatic ones, getsockname,
 * getpeername); listen, connect and accept (backlog, ECONNREFUSED,
 * EPROTOTYPE, a reset by a listener that closes); datagrams between bound
 * sockets (sendto, recvfrom, connect, EPERM, ECONNREFUSED, EMSGSIZE);
 * passing files (SCM_RIGHTS, MSG_CTRUNC, MSG_CMSG_CLOEXEC) and credentials
 * (SO_PASSCRED, SCM_CREDENTIALS, SO_PEERCRED); options and their errors;
 * blocking calls woken by another process; bad arguments.  Differential:
 * the output must be Linux's; run as root and as nobody. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "check.h"

#define P "/tmp/sock_test"

static int sigpipes;
static void on_pipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static void pollmask(const char *what, int fd)
{
	struct pollfd p = {fd, POLLIN | POLLOUT | POLLRDHUP, 0};
	poll(&p, 1, 0);
	say("%s: poll%s%s%s%s%s\n", what, p.revents & POLLIN ? " IN" : "", p.revents & POLLOUT ? " OUT" : "",
	    p.revents & POLLHUP ? " HUP" : "", p.revents & POLLRDHUP ? " RDHUP" : "", p.revents & POLLERR ? " ERR" : "");
}

static socklen_t un(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	strcpy(a->sun_path, path);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

static socklen_t abstract(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	strcpy(a->sun_path + 1, name);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
}

static void show_name(const char *what, int fd, bool peer)
{
	struct sockaddr_un a;
	socklen_t len = sizeof a;
	memset(&a, 'x', sizeof a);
	int r = peer ? getpeername(fd, (struct sockaddr *)&a, &len) : getsockname(fd, (struct sockaddr *)&a, &len);
	if (r) {
		say("%s: -1 %s\n", what, errname(errno));
		return;
	}
	say("%s: len %u family %d", what, len, a.sun_family);
	if (len > 2 && a.sun_path[0])
		say(" path %s", a.sun_path);
	else if (len > 2)
		say(" abstract %.*s", (int)len - 3, a.sun_path + 1);
	say("\n");
}

static void arguments(void)
{
	say("-- socket's arguments\n");
	T(socket(AF_UNIX, 99, 0));
	T(socket(AF_UNIX, SOCK_STREAM, 5));
	T(socket(999, SOCK_STREAM, 0));
	T(socket(AF_UNIX, SOCK_STREAM | 0x100000, 0));
	T(socket(AF_UNIX, SOCK_RDM, 0));
	int fd = socket(AF_UNIX, SOCK_RAW, 0);
	int v;
	socklen_t l = sizeof v;
	getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &l);
	say("SOCK_RAW: type %d\n", v);
	close(fd);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, PF_UNIX);
	say("flags: nonblock %d cloexec %d\n", !!(fcntl(fd, F_GETFL) & O_NONBLOCK), !!(fcntl(fd, F_GETFD) & FD_CLOEXEC));
	struct stat st;
	fstat(fd, &st);
	say("fstat: socket %d mode %o\n", S_ISSOCK(st.st_mode), st.st_mode & 07777);
	T(read(fd, &v, 1));
	T(write(fd, &v, 1));
	T(listen(fd, 1));
	T(accept(fd, NULL, NULL));
	show_name("unbound name", fd, false);
	show_name("unconnected peer", fd, true);
	pollmask("unconnected stream", fd);
	close(fd);
	int sv[2];
	T(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, BAD_USER));
	T(socketpair(AF_UNIX, 77, 0, sv));
	int file = open("/tmp", O_RDONLY);
	T(bind(file, NULL, 0));
	T(listen(file, 1));
	T(shutdown(99, SHUT_RD));
	close(file);
}

static void stream(void)
{
	say("-- a stream pair\n");
	int sv[2];
	char buf[64];
	T(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pollmask("fresh pair", sv[0]);
	T(write(sv[0], "hello", 5));
	T(write(sv[0], " world", 6));
	pollmask("with data", sv[1]);
	int n;
	T(ioctl(sv[1], FIONREAD, &n));
	say("FIONREAD %d\n", n);
	T(recv(sv[1], buf, 3, MSG_PEEK));
	T(recv(sv[1], buf, sizeof buf, 0));
	say("read \"%.11s\"\n", buf);
	T(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
	T(send(sv[1], "abcdef", 6, 0));
	T(recv(sv[0], buf, 6, MSG_WAITALL));
	show_name("pair name", sv[0], false);
	show_name("pair peer", sv[0], true);
	struct ucred c;
	socklen_t l = sizeof c;
	T(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &c, &l));
	say("peercred: len %u pid mine %d uid %u gid %u\n", l, c.pid == getpid(), c.uid, c.gid);
	T(shutdown(sv[0], SHUT_WR));
	pollmask("peer shut its writing", sv[1]);
	T(read(sv[1], buf, sizeof buf));
	T(write(sv[0], "x", 1));
	say("SIGPIPEs %d\n", sigpipes);
	T(send(sv[0], "x", 1, MSG_NOSIGNAL));
	say("SIGPIPEs %d\n", sigpipes);
	T(write(sv[1], "still", 5));
	T(read(sv[0], buf, sizeof buf));
	T(shutdown(sv[0], 7));
	T(write(sv[0], "y", 1));
	close(sv[1]);
	pollmask("peer closed", sv[0]);
	T(read(sv[0], buf, sizeof buf));
	close(sv[0]);
	/* a peer that closes with data unread */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	write(sv[0], "lost", 4);
	close(sv[1]);
	pollmask("reset", sv[0]);
	T(read(sv[0], buf, sizeof buf));
	T(read(sv[0], buf, sizeof buf));
	close(sv[0]);
	/* a full socket */
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
	static char big[65536];
	long total = 0, r;
	while ((r = write(sv[0], big, sizeof big)) > 0)
		total += r;
	say("filled: %s, then %s\n", total > 100000 ? "more than 100000 bytes" : "less", errname(errno));
	pollmask("full", sv[0]);
	while (read(sv[1], big, sizeof big) > 0)
		;
	pollmask("emptied", sv[0]);
	close(sv[0]);
	close(sv[1]);
}

static void packets(int type, const char *what)
{
	say("-- a %s pair\n", what);
	int sv[2];
	char buf[64];
	T(socketpair(AF_UNIX, type, 0, sv));
	T(send(sv[0], "one", 3, 0));
	T(send(sv[0], "two!", 4, 0));
	T(send(sv[0], "", 0, 0));
	T(send(sv[0], "a long message", 14, 0));
	T(recv(sv[1], buf, sizeof buf, MSG_PEEK));
	T(recv(sv[1], buf, sizeof buf, 0));
	T(recv(sv[1], buf, 2, 0));
	T(recv(sv[1], buf, sizeof buf, 0));
	struct iovec v = {buf, 4};
	struct msghdr m = {.msg_iov = &v, .msg_iovlen = 1};
	T(recvmsg(sv[1], &m, 0));
	say("msg_flags %#x (MSG_TRUNC %d)\n", m.msg_flags, !!(m.msg_flags & MSG_TRUNC));
	T(send(sv[0], "truncated", 9, 0));
	T(recv(sv[1], buf, 3, MSG_TRUNC));
	T(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
	pollmask("empty", sv[1]);
	show_name("peer", sv[0], true);
	close(sv[0]);
	pollmask("peer closed", sv[1]);
	T(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
	T(send(sv[1], "x", 1, MSG_NOSIGNAL));
	close(sv[1]);
	static char big[300000];
	socketpair(AF_UNIX, type, 0, sv);
	T(send(sv[0], big, sizeof big, 0));
	T(send(sv[0], big, 200000, MSG_DONTWAIT));
	close(sv[0]);
	close(sv[1]);
}

static void paths(void)
{
	say("-- path names\n");
	unlink(P);
	struct sockaddr_un a, b;
	socklen_t la = un(&a, P);
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	T(connect(l, (struct sockaddr *)&a, la));
	T(bind(l, (struct sockaddr *)&a, 1));
	T(bind(l, (struct sockaddr *)&a, 200));
	T(bind(l, (struct sockaddr *)BAD_USER, la));
	T(bind(l, (struct sockaddr *)&a, la));
	T(bind(l, (struct sockaddr *)&a, la));
	struct stat st;
	T(stat(P, &st));
	say("node: socket %d mode %o\n", S_ISSOCK(st.st_mode), st.st_mode & 0777);
	T(open(P, O_RDONLY));
	int other = socket(AF_UNIX, SOCK_STREAM, 0);
	T(bind(other, (struct sockaddr *)&a, la));
	show_name("bound", l, false);
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	T(connect(c, (struct sockaddr *)&a, la));
	T(listen(l, 0));
	pollmask("listening", l);
	int v;
	socklen_t vl = sizeof v;
	getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl);
	say("SO_ACCEPTCONN %d\n", v);
	T(connect(c, (struct sockaddr *)&a, la));
	T(send(c, "early", 5, 0));
	pollmask("a connection waits", l);
	int c2 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	T(connect(c2, (struct sockaddr *)&a, la));
	int c3 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	T(connect(c3, (struct sockaddr *)&a, la));
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	T(connect(d, (struct sockaddr *)&a, la));
	socklen_t lb = sizeof b;
	int s = accept(l, (struct sockaddr *)&b, &lb);
	say("accepted: %s, peer's name len %u\n", s >= 0 ? "yes" : errname(errno), lb);
	show_name("accepted's name", s, false);
	show_name("accepted's peer", s, true);
	show_name("client's peer", c, true);
	char buf[16];
	T(recv(s, buf, sizeof buf, 0));
	T(connect(c2, (struct sockaddr *)&a, la));
	s = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	say("second: cloexec %d\n", !!(fcntl(s, F_GETFD) & FD_CLOEXEC));
	T(syscall(SYS_accept4, l, NULL, NULL, 0x1234)); /* (musl's accept4 would try accept) */
	int fl = fcntl(l, F_GETFL);
	fcntl(l, F_SETFL, fl | O_NONBLOCK);
	T(accept(l, NULL, NULL));
	fcntl(l, F_SETFL, fl);
	/* the listener closes with a connection nobody accepted */
	int c4 = socket(AF_UNIX, SOCK_STREAM, 0);
	T(connect(c4, (struct sockaddr *)&a, la));
	close(l);
	pollmask("listener gone", c4);
	T(read(c4, buf, sizeof buf));
	T(read(c4, buf, sizeof buf));
	T(connect(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&a, la));
	T(access(P, F_OK));
	T(unlink(P));
	T(connect(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&a, la));
	int f = open("/tmp/sock_file", O_CREAT | O_WRONLY, 0666);
	close(f);
	la = un(&a, "/tmp/sock_file");
	T(connect(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&a, la));
	unlink("/tmp/sock_file");
	la = un(&a, "/nonexistent/dir/sock");
	T(bind(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&a, la));
}

static void abstract_names(void)
{
	say("-- abstract names\n");
	struct sockaddr_un a;
	socklen_t la = abstract(&a, "lx4-test");
	int l = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	T(bind(l, (struct sockaddr *)&a, la));
	show_name("abstract", l, false);
	T(bind(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&a, la));
	T(listen(l, 5));
	int c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	T(connect(c, (struct sockaddr *)&a, la));
	T(connect(c, (struct sockaddr *)&a, la));
	int s = accept(l, NULL, NULL);
	T(send(c, "pkt", 3, 0));
	char buf[8];
	T(recv(s, buf, sizeof buf, 0));
	T(connect(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&a, la));
	close(l);
	T(connect(socket(AF_UNIX, SOCK_SEQPACKET, 0), (struct sockaddr *)&a, la));
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	T(bind(l, (struct sockaddr *)&a, la));
	close(l);
	int u = socket(AF_UNIX, SOCK_DGRAM, 0);
	sa_family_t fam = AF_UNIX;
	T(bind(u, (struct sockaddr *)&fam, sizeof fam));
	struct sockaddr_un got;
	socklen_t lg = sizeof got;
	getsockname(u, (struct sockaddr *)&got, &lg);
	say("autobind: len %u first byte %d hex %d\n", lg, got.sun_path[0],
	    (int)strspn(got.sun_path + 1, "0123456789abcdef") == 5);
	T(bind(u, (struct sockaddr *)&fam, sizeof fam));
	close(u);
}

static void datagrams(void)
{
	say("-- datagrams between names\n");
	unlink(P);
	struct sockaddr_un a, from;
	socklen_t la = un(&a, P), lf;
	int r = socket(AF_UNIX, SOCK_DGRAM, 0);
	T(bind(r, (struct sockaddr *)&a, la));
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	T(send(s, "x", 1, 0));
	T(sendto(s, "anon", 4, 0, (struct sockaddr *)&a, la));
	char buf[32];
	lf = sizeof from;
	T(recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&from, &lf));
	say("from an unbound sender: len %u\n", lf);
	struct sockaddr_un sa;
	socklen_t ls = un(&sa, P "2");
	unlink(P "2");
	T(bind(s, (struct sockaddr *)&sa, ls));
	T(sendto(s, "named", 5, 0, (struct sockaddr *)&a, la));
	lf = sizeof from;
	T(recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&from, &lf));
	say("from: len %u path %s\n", lf, from.sun_path);
	T(connect(s, (struct sockaddr *)&a, la));
	T(send(s, "conn", 4, 0));
	T(recv(r, buf, sizeof buf, 0));
	show_name("peer", s, true);
	int t = socket(AF_UNIX, SOCK_DGRAM, 0);
	T(connect(r, (struct sockaddr *)&sa, ls));
	T(sendto(t, "no", 2, 0, (struct sockaddr *)&a, la));
	T(connect(t, (struct sockaddr *)&a, la));
	struct sockaddr unspec = {AF_UNSPEC, {0}};
	T(connect(r, &unspec, sizeof unspec));
	T(sendto(t, "yes", 3, 0, (struct sockaddr *)&a, la));
	int n = 0;
	while (sendto(t, "q", 1, MSG_DONTWAIT, (struct sockaddr *)&a, la) == 1 && n < 1000)
		n++;
	say("queued %d more, then %s\n", n, errname(errno));
	pollmask("receiver", r);
	static char big[300000];
	T(sendto(t, big, 212993, 0, (struct sockaddr *)&a, la));
	close(r);
	T(send(s, "gone", 4, 0));
	T(send(s, "gone", 4, 0));
	T(sendto(t, "gone", 4, 0, (struct sockaddr *)&a, la));
	unlink(P);
	unlink(P "2");
	close(s);
	close(t);
}

static int send_fds(int sock, const int *fds, int n, const void *data, size_t len)
{
	char ctl[CMSG_SPACE(sizeof(int) * 300)];
	struct iovec v = {(void *)data, len};
	struct msghdr m = {.msg_iov = &v, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = CMSG_SPACE(sizeof(int) * n)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	return (int)syscall(SYS_sendmsg, sock, &m, 0); /* (musl's sendmsg takes at most 1024 bytes of control) */
}

/* receives with room for room fds: the first fd or -1 */
static int recv_fds(int sock, size_t room, int flags, const char *what)
{
	char ctl[CMSG_SPACE(sizeof(int) * 8)], buf[16];
	struct iovec v = {buf, sizeof buf};
	struct msghdr m = {.msg_iov = &v, .msg_iovlen = 1, .msg_control = room ? ctl : NULL, .msg_controllen = room};
	long r = recvmsg(sock, &m, flags);
	int fd = -1, nfds = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			nfds = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(&fd, CMSG_DATA(c), sizeof fd);
		}
	}
	say("%s: %ld bytes, %d fds, controllen %zu, CTRUNC %d\n", what, r, nfds, (size_t)m.msg_controllen,
	    !!(m.msg_flags & MSG_CTRUNC));
	return fd;
}

static void rights(void)
{
	say("-- passing files\n");
	int sv[2], p[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pipe(p);
	T(send_fds(sv[0], &p[1], 1, "f", 1));
	close(p[1]);
	int fd = recv_fds(sv[1], CMSG_SPACE(sizeof(int) * 8), 0, "one file");
	T(write(fd, "via", 3));
	close(fd);
	char buf[8];
	T(read(p[0], buf, sizeof buf));
	T(read(p[0], buf, sizeof buf));
	int two[2] = {0, 1};
	T(send_fds(sv[0], two, 2, "g", 1));
	fd = recv_fds(sv[1], CMSG_SPACE(sizeof(int)), 0, "two files, room for one");
	close(fd);
	T(send_fds(sv[0], two, 2, "h", 1));
	fd = recv_fds(sv[1], 0, 0, "no room");
	T(send_fds(sv[0], two, 1, "i", 1));
	fd = recv_fds(sv[1], CMSG_SPACE(sizeof(int) * 8), MSG_CMSG_CLOEXEC, "cloexec");
	say("FD_CLOEXEC %d\n", !!(fcntl(fd, F_GETFD) & FD_CLOEXEC));
	close(fd);
	int bad = 99;
	T(send_fds(sv[0], &bad, 1, "j", 1));
	static int many[300];
	T(send_fds(sv[0], many, 254, "k", 1));
	T(send_fds(sv[0], many, 253, "l", 1));
	fd = recv_fds(sv[1], CMSG_SPACE(sizeof(int) * 8), 0, "253 files, room for 8");
	/* files in flight with a stream read: the read stops after them */
	T(send(sv[0], "ab", 2, 0));
	T(send_fds(sv[0], two, 1, "cd", 2));
	T(send(sv[0], "ef", 2, 0));
	T(recv(sv[1], buf, sizeof buf, 0));
	recv_fds(sv[1], CMSG_SPACE(sizeof(int) * 8), 0, "then the rest");
	T(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
	/* a socket sent through itself: closing both ends must not hang */
	T(send_fds(sv[0], &sv[1], 1, "s", 1));
	close(sv[0]);
	close(sv[1]);
	close(p[0]);
}

/* files in flight count against their sender's RLIMIT_NOFILE: past it
 * ETOOMANYREFS, unless CAP_SYS_RESOURCE (root) */
static void in_flight(void)
{
	say("-- files in flight\n");
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		int sv[2], two[2] = {0, 1};
		socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
		struct rlimit l = {5, 5};
		setrlimit(RLIMIT_NOFILE, &l);
		for (int i = 0; i < 6; i++)
			T(send_fds(sv[0], two, 2, "x", 1));
		_exit(0);
	}
	waitpid(c, NULL, 0);
}

static void creds(void)
{
	say("-- credentials\n");
	int sv[2], one = 1;
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	char ctl[64], buf[8];
	struct iovec v = {buf, sizeof buf};
	struct msghdr m = {.msg_iov = &v, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
	send(sv[0], "a", 1, 0);
	recvmsg(sv[1], &m, 0);
	say("without SO_PASSCRED: controllen %zu\n", (size_t)m.msg_controllen);
	T(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof one));
	send(sv[0], "b", 1, 0);
	m.msg_controllen = sizeof ctl;
	T(recvmsg(sv[1], &m, 0));
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	struct ucred u;
	if (c && c->cmsg_type == SCM_CREDENTIALS) {
		memcpy(&u, CMSG_DATA(c), sizeof u);
		say("SCM_CREDENTIALS: len %zu pid mine %d uid %u gid %u\n", (size_t)c->cmsg_len, u.pid == getpid(), u.uid, u.gid);
	} else {
		say("no credentials\n");
	}
	/* given explicitly: one's own, and another's */
	for (int pid = 0; pid < 2; pid++) {
		char sctl[CMSG_SPACE(sizeof(struct ucred))];
		struct iovec sv1 = {"c", 1};
		struct msghdr s = {.msg_iov = &sv1, .msg_iovlen = 1, .msg_control = sctl, .msg_controllen = sizeof sctl};
		struct cmsghdr *sc = CMSG_FIRSTHDR(&s);
		sc->cmsg_level = SOL_SOCKET;
		sc->cmsg_type = SCM_CREDENTIALS;
		sc->cmsg_len = CMSG_LEN(sizeof(struct ucred));
		struct ucred mine = {pid ? getpid() + 1 : getpid(), getuid(), getgid()};
		memcpy(CMSG_DATA(sc), &mine, sizeof mine);
		say("%s pid: ", pid ? "another's" : "one's own");
		T(sendmsg(sv[0], &s, 0));
		sc->cmsg_len = CMSG_LEN(4);
		T(sendmsg(sv[0], &s, 0));
	}
	m.msg_controllen = 4;
	T(recvmsg(sv[1], &m, 0));
	say("small control: CTRUNC %d controllen %zu\n", !!(m.msg_flags & MSG_CTRUNC), (size_t)m.msg_controllen);
	close(sv[0]);
	close(sv[1]);
}

static void options(void)
{
	say("-- options\n");
	int s = socket(AF_UNIX, SOCK_STREAM, 0), v;
	socklen_t l = sizeof v;
	T(getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &l));
	say("SO_SNDBUF %d len %u\n", v, l);
	v = 10000;
	T(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof v));
	getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &l);
	say("SO_SNDBUF %d\n", v);
	v = 1;
	setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
	getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &l);
	say("SO_SNDBUF %d\n", v);
	v = 1;
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
	getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &l);
	say("SO_RCVBUF %d\n", v);
	T(getsockopt(s, SOL_SOCKET, SO_ERROR, &v, &l));
	T(getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v, &l));
	T(getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v, &l));
	T(getsockopt(s, SOL_SOCKET, 9999, &v, &l));
	T(getsockopt(s, 6, 1, &v, &l));
	T(setsockopt(s, 6, 1, &v, sizeof v));
	T(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, 2));
	T(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, -1));
	T(setsockopt(s, SOL_SOCKET, SO_SNDBUF, BAD_USER, 4));
	socklen_t neg = (socklen_t)-1;
	T(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &neg));
	T(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, BAD_USER));
	short half = 0;
	l = sizeof half;
	T(getsockopt(s, SOL_SOCKET, SO_TYPE, &half, &l));
	say("short SO_TYPE %d len %u\n", half, l);
	struct timeval tv = {1, 500000};
	T(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
	memset(&tv, 0, sizeof tv);
	l = sizeof tv;
	getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, &l);
	say("SO_RCVTIMEO %ld.%06ld\n", (long)tv.tv_sec, (long)tv.tv_usec);
	tv.tv_usec = 2000000;
	T(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
	close(s);
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	struct timeval quick = {0, 200000};
	setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &quick, sizeof quick);
	char c;
	struct timeval t0, t1;
	gettimeofday(&t0, NULL);
	T(read(sv[0], &c, 1));
	gettimeofday(&t1, NULL);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_usec - t0.tv_usec) / 1000;
	fact("the read waited its timeout", ms >= 150);
	close(sv[0]);
	close(sv[1]);
}

static void blocking(void)
{
	say("-- waiting for another process\n");
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		usleep(100000);
		write(sv[1], "late", 4);
		usleep(100000);
		write(sv[1], "r", 1);
		_exit(0);
	}
	char buf[8];
	T(read(sv[0], buf, sizeof buf));
	T(recv(sv[0], buf, 1, MSG_WAITALL));
	waitpid(c, NULL, 0);
	close(sv[0]);
	close(sv[1]);
	/* accept woken by a connect */
	struct sockaddr_un a;
	socklen_t la = abstract(&a, "lx4-wait");
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	bind(l, (struct sockaddr *)&a, la);
	listen(l, 1);
	fflush(stdout);
	c = fork();
	if (c == 0) {
		usleep(100000);
		int s = socket(AF_UNIX, SOCK_STREAM, 0);
		connect(s, (struct sockaddr *)&a, la);
		write(s, "hi", 2);
		_exit(0);
	}
	int s = accept(l, NULL, NULL);
	say("accept waited: %s\n", s >= 0 ? "yes" : errname(errno));
	T(read(s, buf, sizeof buf));
	waitpid(c, NULL, 0);
	T(read(s, buf, sizeof buf));
	close(s);
	close(l);
}

/* epoll on sockets: readiness and its edges */
static void epolled(void)
{
	say("-- epoll\n");
	int sv[2], ep = epoll_create1(0);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	struct epoll_event e = {EPOLLIN | EPOLLET | EPOLLRDHUP, {.u32 = 7}}, got[4];
	T(epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &e));
	T(epoll_wait(ep, got, 4, 0));
	T(write(sv[1], "a", 1));
	T(epoll_wait(ep, got, 4, 0));
	say("event %#x data %u\n", got[0].events, got[0].data.u32);
	T(epoll_wait(ep, got, 4, 0));
	T(write(sv[1], "b", 1));
	T(epoll_wait(ep, got, 4, 1000));
	T(shutdown(sv[1], SHUT_WR));
	T(epoll_wait(ep, got, 4, 0));
	say("event %#x\n", got[0].events);
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un a;
	socklen_t la = abstract(&a, "lx4-epoll");
	bind(l, (struct sockaddr *)&a, la);
	listen(l, 1);
	e.events = EPOLLIN;
	e.data.u32 = 9;
	T(epoll_ctl(ep, EPOLL_CTL_ADD, l, &e));
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	T(connect(c, (struct sockaddr *)&a, la));
	T(epoll_wait(ep, got, 4, 0));
	say("listener: event %#x data %u\n", got[0].events, got[0].data.u32);
	T(lseek(sv[0], 0, SEEK_SET));
	close(c);
	close(l);
	close(sv[0]);
	close(sv[1]);
	close(ep);
}

int main(void)
{
	signal(SIGPIPE, on_pipe);
	umask(022);
	arguments();
	stream();
	packets(SOCK_DGRAM, "datagram");
	packets(SOCK_SEQPACKET, "sequenced-packet");
	paths();
	abstract_names();
	datagrams();
	rights();
	in_flight();
	creds();
	options();
	blocking();
	epolled();
	return 0;
}
