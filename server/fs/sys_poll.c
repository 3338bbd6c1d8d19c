/*
 * poll, ppoll, select, pselect6.  A waiting caller sits on poll_waiters
 * (and a timer for its timeout); anything that may make a file ready wakes
 * them all and each looks at its files again.
 */
#include "signal.h"
#include "sys.h"

#include <asm-generic/poll.h>

#define MAX_POLL 1024
#define IN_SET (POLLIN | POLLRDNORM)
#define OUT_SET (POLLOUT | POLLWRNORM)

struct waitq poll_waiters;

/* (a file with no poll is always ready: Linux's DEFAULT_POLLMASK) */
unsigned file_poll(struct file *f, struct poll_table *pt)
{
	return f->ops && f->ops->poll ? f->ops->poll(f, pt) : POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

/* parks t until a file changes or the deadline (0: none) */
static long wait_for_files(struct lthread *t, int64_t timeout_ns)
{
	if (t->wait.deadline && plat_now_ns() >= t->wait.deadline)
		return 0; /* the timeout: nothing became ready */
	if (timeout_ns > 0 && !t->wait.deadline)
		t->wait.deadline = plat_now_ns() + (uint64_t)timeout_ns;
	if (t->wait.deadline)
		timer_add(t, t->wait.deadline);
	waitq_add(&poll_waiters, t);
	return SYS_WAIT;
}

static long do_poll(struct lthread *t, uint64_t ufds, uint64_t n, int64_t timeout_ns)
{
	static struct pollfd pfd[MAX_POLL];
	struct proc *p = t->proc;
	if (n > MAX_POLL || n > p->rlim[RLIMIT_NOFILE].cur)
		return -EINVAL;
	if (copy_from_user(p, pfd, ufds, n * sizeof pfd[0]))
		return -EFAULT;
	long ready = 0;
	for (uint64_t i = 0; i < n; i++) {
		pfd[i].revents = 0;
		if (pfd[i].fd < 0)
			continue;
		struct file *f = fd_file(p, pfd[i].fd);
		pfd[i].revents =
		    f ? (short)(file_poll(f, NULL) & ((unsigned)pfd[i].events | POLLERR | POLLHUP)) : POLLNVAL;
		if (pfd[i].revents)
			ready++;
	}
	if (!ready && timeout_ns != 0) {
		long r = wait_for_files(t, timeout_ns);
		if (r == SYS_WAIT)
			return r;
	}
	t->wait.deadline = 0;
	for (uint64_t i = 0; i < n; i++)
		if (copy_to_user(p, ufds + i * sizeof pfd[0] + offsetof(struct pollfd, revents), &pfd[i].revents, 2))
			return -EFAULT;
	return ready;
}

long sys_poll(struct lthread *t, const struct sysargs *a)
{
	int64_t ms = (int32_t)a->a2;
	return do_poll(t, a->a0, a->a1, ms < 0 ? -1 : ms * 1000000);
}

static int timeout_of(struct proc *p, uint64_t uts, int64_t *ns)
{
	if (!uts) {
		*ns = -1;
		return 0;
	}
	struct __kernel_timespec ts;
	if (copy_from_user(p, &ts, uts, sizeof ts))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	*ns = ts.tv_sec > 1000000000 ? INT64_MAX / 2 : ts.tv_sec * 1000000000 + ts.tv_nsec;
	return 0;
}

/* the signal mask a ppoll or pselect6 waits under (Linux's
 * set_user_sigmask): the old one is saved for the return, or for the
 * frame of a handler that interrupts the call.  Made again, the call
 * keeps the mask it set. */
int poll_wait_mask(struct lthread *t, uint64_t umask, uint64_t size)
{
	uint64_t set;
	if (!umask || t->restore_mask)
		return 0;
	if (size != 8)
		return -EINVAL;
	if (copy_from_user(t->proc, &set, umask, 8))
		return -EFAULT;
	t->saved_mask = t->sigmask;
	t->restore_mask = true;
	signal_set_mask(t, set);
	return 0;
}

long sys_ppoll(struct lthread *t, const struct sysargs *a)
{
	int64_t ns;
	int err = timeout_of(t->proc, a->a2, &ns);
	if (!err)
		err = poll_wait_mask(t, a->a3, a->a4);
	if (err)
		return err;
	return do_poll(t, a->a0, a->a1, ns);
}

/* ---- select --------------------------------------------------------------------- */

static long do_select(struct lthread *t, uint64_t n, uint64_t ur, uint64_t uw, uint64_t ue, int64_t timeout_ns)
{
	struct proc *p = t->proc;
	if ((int64_t)n < 0 || n > MAX_FDS)
		return -EINVAL;
	uint64_t in[3][MAX_FDS / 64] = {{0}}, out[3][MAX_FDS / 64] = {{0}};
	uint64_t words = (n + 63) / 64, bytes = (n + 7) / 8;
	uint64_t u[3] = {ur, uw, ue};
	for (int k = 0; k < 3; k++)
		if (u[k] && copy_from_user(p, in[k], u[k], bytes))
			return -EFAULT;
	long ready = 0;
	for (uint64_t fd = 0; fd < n; fd++) {
		bool any = false;
		for (int k = 0; k < 3; k++)
			any |= (in[k][fd / 64] >> (fd % 64)) & 1;
		if (!any)
			continue;
		struct file *f = fd_file(p, (int64_t)fd);
		if (!f)
			return -EBADF;
		unsigned m = file_poll(f, NULL);
		bool r = (m & (IN_SET | POLLHUP | POLLERR)) && ((in[0][fd / 64] >> (fd % 64)) & 1);
		bool w = (m & (OUT_SET | POLLERR)) && ((in[1][fd / 64] >> (fd % 64)) & 1);
		bool e = (m & POLLPRI) && ((in[2][fd / 64] >> (fd % 64)) & 1);
		if (r)
			out[0][fd / 64] |= 1ull << (fd % 64);
		if (w)
			out[1][fd / 64] |= 1ull << (fd % 64);
		if (e)
			out[2][fd / 64] |= 1ull << (fd % 64);
		ready += r + w + e;
	}
	if (!ready && timeout_ns != 0) {
		long r = wait_for_files(t, timeout_ns);
		if (r == SYS_WAIT)
			return r;
	}
	t->wait.deadline = 0;
	(void)words;
	for (int k = 0; k < 3; k++)
		if (u[k] && copy_to_user(p, u[k], out[k], bytes))
			return -EFAULT;
	return ready;
}

long sys_select(struct lthread *t, const struct sysargs *a)
{
	int64_t ns = -1;
	if (a->a4) {
		struct linux_timeval tv;
		if (copy_from_user(t->proc, &tv, a->a4, sizeof tv))
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
			return -EINVAL;
		ns = tv.tv_sec > 1000000000 ? INT64_MAX / 2 : tv.tv_sec * 1000000000 + tv.tv_usec * 1000;
	}
	return do_select(t, a->a0, a->a1, a->a2, a->a3, ns);
}

long sys_pselect6(struct lthread *t, const struct sysargs *a)
{
	uint64_t sm[2] = {0, 0}; /* { const sigset_t *ss; size_t ss_len; }, read first */
	if (a->a5 && copy_from_user(t->proc, sm, a->a5, sizeof sm))
		return -EFAULT;
	int64_t ns;
	int err = timeout_of(t->proc, a->a4, &ns);
	if (!err)
		err = poll_wait_mask(t, sm[0], sm[1]);
	if (err)
		return err;
	return do_select(t, a->a0, a->a1, a->a2, a->a3, ns);
}
