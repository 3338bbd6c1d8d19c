/*
 * Helpers of the system call tests (tests/linux/sys_*.c): each check
 * prints one line, "what = result" or "what = -1 ENAME", so that the
 * output on lx4 and on Linux can be compared line by line.  Nothing that
 * legitimately differs between the systems (pids, addresses, times, inode
 * numbers) is printed: derived facts are.
 */
#ifndef LX4_TESTS_CHECK_H
#define LX4_TESTS_CHECK_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* an address that is never mapped in user space, and one in the kernel */
#define BAD_USER   ((void *)0x10)
#define BAD_KERNEL ((void *)0xffffffff81000000ul)

/* clang-format off */
#define E(x) {x, #x}
/* clang-format on */
static const struct {
	int e;
	const char *name;
} errnames[] = {E(EPERM),        E(ENOENT),   E(ESRCH),  E(EINTR),     E(EIO),     E(ENXIO),     E(E2BIG),
		E(ENOEXEC),      E(EBADF),    E(ECHILD), E(EAGAIN),    E(ENOMEM),  E(EACCES),    E(EFAULT),
		E(ENOTBLK),      E(EBUSY),    E(EEXIST), E(EXDEV),     E(ENODEV),  E(ENOTDIR),   E(EISDIR),
		E(EINVAL),       E(ENFILE),   E(EMFILE), E(ENOTTY),    E(ETXTBSY), E(EFBIG),     E(ENOSPC),
		E(ESPIPE),       E(EROFS),    E(EMLINK), E(EPIPE),     E(EDOM),    E(ERANGE),    E(EDEADLK),
		E(ENAMETOOLONG), E(ENOLCK),   E(ENOSYS), E(ENOTEMPTY), E(ELOOP),   E(EOVERFLOW), E(EOPNOTSUPP),
		E(ETIMEDOUT),    E(ENOTSOCK), E(EBADFD), E(EIDRM),     E(ELIBBAD),
		E(ENODATA),
		/* sockets */
		E(EDESTADDRREQ), E(EMSGSIZE), E(EPROTOTYPE), E(ENOPROTOOPT), E(EPROTONOSUPPORT), E(ESOCKTNOSUPPORT),
		E(EAFNOSUPPORT), E(EADDRINUSE), E(ECONNRESET), E(ENOBUFS), E(EISCONN), E(ENOTCONN), E(ECONNREFUSED),
		E(ETOOMANYREFS)};
#undef E

static inline const char *errname(int e)
{
	static char buf[32];
	for (unsigned i = 0; i < sizeof errnames / sizeof errnames[0]; i++)
		if (errnames[i].e == e)
			return errnames[i].name;
	snprintf(buf, sizeof buf, "errno %d", e);
	return buf;
}

/* printf to fd 1, unbuffered: the output interleaves with what tests write */
__attribute__((format(printf, 1, 2))) static inline void say(const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof buf - 1)
		n = sizeof buf - 1;
	for (int off = 0; off < n;) {
		ssize_t w = write(1, buf + off, (size_t)(n - off));
		if (w <= 0)
			break;
		off += (int)w;
	}
}

/* the result of a call made with the C library's convention (-1, errno) */
static inline long report(const char *what, long r, int err)
{
	if (r == -1)
		say("%s = -1 %s\n", what, errname(err));
	else
		say("%s = %ld\n", what, r);
	return r;
}

/* T(call): makes the call and prints "call = result"; evaluates to it */
#define T(expr)                           \
	({                                \
		errno = 0;                \
		long r_ = (long)(expr);   \
		report(#expr, r_, errno); \
	})

/* TN(name, call): the same under a shorter name */
#define TN(name, expr)                   \
	({                               \
		errno = 0;               \
		long r_ = (long)(expr);  \
		report(name, r_, errno); \
	})

/* a fact: "what: yes" or "what: no" */
static inline void fact(const char *what, int yes)
{
	say("%s: %s\n", what, yes ? "yes" : "no");
}

/* waits for child c: its exit status, or 128 + the signal that ended it */
static inline int child_status(pid_t c)
{
	int st;
	if (waitpid(c, &st, 0) != c)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* fn in a child process (standard output flushed first and after),
 * waited for; says how it ended unless it exited with 0 */
static inline void in_child(void (*fn)(void))
{
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		fn();
		fflush(stdout);
		_exit(0);
	}
	int st = child_status(c);
	if (st)
		say("child status %d\n", st);
}

/* runs path with one argument in a child, as user uid (and group uid)
 * if uid >= 0: its status as child_status gives it */
static inline int run_as(const char *path, const char *arg, int uid)
{
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		char *argv[] = {(char *)path, (char *)arg, NULL};
		if (uid >= 0 && (setgid((gid_t)uid) || setuid((uid_t)uid)))
			say("setuid: %s\n", errname(errno));
		execv(path, argv);
		say("exec %s: %s\n", path, errname(errno));
		_exit(127);
	}
	return child_status(c);
}

/* a copy of file from at to with mode (and owner uid, gid unless -1) */
static inline void copy_file(const char *from, const char *to, mode_t mode, uid_t uid, gid_t gid)
{
	static char buf[1 << 16];
	int in = open(from, O_RDONLY), out = open(to, O_CREAT | O_WRONLY | O_TRUNC, 0700);
	ssize_t n;
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n)
			break;
	if (in < 0 || out < 0 || fchown(out, uid, gid) || fchmod(out, mode))
		say("copy %s: %s\n", to, errname(errno));
	close(in);
	close(out);
}

/* a fresh address that was mapped and is no longer */
static inline void *unmapped_page(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return BAD_USER;
	munmap(p, 4096);
	return p;
}

#endif
