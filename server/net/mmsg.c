/*
 * sendmmsg and recvmmsg (Linux's __sys_sendmmsg and do_recvmmsg): a
 * vector of struct mmsghdr, each message sent or received as sendmsg and
 * recvmsg would, its length put in its msg_len.  They return how many
 * messages went; an error only if none did (recvmmsg keeps an error after
 * some, but EAGAIN, as the socket's pending error for the next call).
 * recvmmsg's timeout is looked at after each message, as Linux's: it ends
 * the call once it has passed, it does not bound a wait.
 *
 * A call that waits is made again from the start when woken: the
 * messages done so far are kept in io_done (MMSG_STARTED, their count
 * from bit 32, the bytes the message in hand moved below it), the end of
 * recvmmsg's timeout in mmsg_end.  A signal that comes while some are done
 * ends the call with them.
 */
#include "net.h"
#include "signal.h"
#include "systab.h"

#define MSG_WAITFORONE_L  0x10000
#define MSG_ERRQUEUE_L    0x2000
#define MSG_CMSG_COMPAT_L 0x80000000u
#define MMSGHDR_SIZE      64 /* struct msghdr, then unsigned msg_len (and padding) */
#define MMSG_LEN_OFF      56
#define MMSG_STARTED      (1ull << 63)

/* the messages t's call has done before it waited (0 for a new call) */
static uint32_t mmsg_done(struct lthread *t)
{
	return (t->io_done & MMSG_STARTED) ? (uint32_t)(t->io_done >> 32) & 0x7fffffffu : 0;
}

/* the message in hand waits: what is done is kept for the call's next
 * turn; or, with a signal to act on and messages done, it ends with them
 * (false) */
static bool mmsg_park(struct lthread *t, uint32_t done)
{
	if (done && signal_pending_now(t)) {
		waitq_remove(t);
		timer_cancel(t);
		t->io_done = 0;
		return false;
	}
	t->io_done = MMSG_STARTED | (uint64_t)done << 32 | (t->io_done & 0xffffffffu);
	return true;
}

/* the bytes of the message header at uhdr's iovecs (what a send of it
 * leaves unsent when it moved fewer) */
static uint64_t msg_size(struct proc *p, uint64_t uhdr)
{
	static struct linux_iovec iov[UIO_MAXIOV];
	uint64_t v[2], total = 0; /* msg_iov, msg_iovlen */
	if (copy_from_user(p, v, uhdr + 16, sizeof v) || v[1] > UIO_MAXIOV ||
	    iov_import(p, v[0], (uint32_t)v[1], iov, &total))
		return 0;
	return total;
}

/* the socket of fd: 0, or -EBADF, -ENOTSOCK */
static int sock_check(struct proc *p, uint64_t fd, struct usock **s)
{
	struct file *f = fd_file(p, (int64_t)fd);
	if (!f)
		return -EBADF;
	*s = sock_of(f);
	return *s ? 0 : -ENOTSOCK;
}

/* sendmmsg(fd, msgvec, vlen, flags): vlen is cut to UIO_MAXIOV; a
 * message not sent whole ends the call */
long sys_sendmmsg(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	uint32_t vlen = (uint32_t)a->a2, flags = (uint32_t)a->a3, done = mmsg_done(t);
	struct usock *s;
	if (flags & MSG_CMSG_COMPAT_L)
		return -EINVAL;
	if (vlen > UIO_MAXIOV)
		vlen = UIO_MAXIOV;
	long err = sock_check(p, a->a0, &s);
	if (err)
		return err;
	while (done < vlen) {
		uint64_t entry = a->a1 + (uint64_t)done * MMSGHDR_SIZE;
		struct sysargs b = {.nr = __NR_sendmsg, .a0 = a->a0, .a1 = entry, .a2 = flags};
		t->io_done &= 0xffffffffu; /* (the bytes of this message a send that waited moved) */
		long r = sys_sendmsg(t, &b);
		if (r == SYS_WAIT && mmsg_park(t, done))
			return SYS_WAIT;
		if (r == SYS_WAIT)
			break;
		t->io_done = 0;
		if (r < 0) {
			err = r;
			break;
		}
		uint32_t len = (uint32_t)r;
		if (copy_to_user(p, entry + MMSG_LEN_OFF, &len, sizeof len)) {
			err = -EFAULT;
			break;
		}
		done++;
		if ((uint64_t)r < msg_size(p, entry))
			break;
	}
	t->io_done = 0;
	return done ? (long)done : err;
}

struct ts_l {
	int64_t sec, nsec;
};

/* recvmmsg's timeout at uts: its end (mmsg_end, ns of the monotonic clock;
 * 0 for a zero timeout, as Linux's poll_select_set_timeout): 0, -EFAULT,
 * -EINVAL */
static int mmsg_timeout(struct lthread *t, uint64_t uts)
{
	struct ts_l ts;
	if (copy_from_user(t->proc, &ts, uts, sizeof ts))
		return -EFAULT;
	if (ts.sec < 0 || (uint64_t)ts.nsec >= 1000000000ull)
		return -EINVAL;
	uint64_t now = plat_now_ns(), max = (UINT64_MAX - now) / 1000000000ull;
	t->mmsg_end = !ts.sec && !ts.nsec       ? 0
		      : (uint64_t)ts.sec >= max ? UINT64_MAX
						: now + (uint64_t)ts.sec * 1000000000ull + (uint64_t)ts.nsec;
	return 0;
}

/* the time left of recvmmsg's timeout (0 once it has passed) */
static uint64_t mmsg_left(struct lthread *t)
{
	uint64_t now = plat_now_ns();
	return t->mmsg_end > now ? t->mmsg_end - now : 0;
}

/* recvmmsg(fd, msgvec, vlen, flags, timeout): MSG_WAITFORONE makes every
 * message after the first MSG_DONTWAIT; the time left is written back
 * when some came */
long sys_recvmmsg(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	uint32_t vlen = (uint32_t)a->a2, flags = (uint32_t)a->a3, done = mmsg_done(t);
	uint64_t uts = a->a4;
	bool started = t->io_done & MMSG_STARTED; /* (a turn after a wait) */
	struct usock *s;
	if (flags & MSG_CMSG_COMPAT_L)
		return -EINVAL;
	long err;
	if (!started && uts && (err = mmsg_timeout(t, uts)))
		return err;
	if ((err = sock_check(p, a->a0, &s)))
		return err;
	if (!started && !(flags & MSG_ERRQUEUE_L) && (err = unix_take_error(s)))
		return -err;
	while (done < vlen) {
		uint64_t entry = a->a1 + (uint64_t)done * MMSGHDR_SIZE;
		uint32_t f = flags & ~(uint32_t)MSG_WAITFORONE_L;
		if (done && (flags & MSG_WAITFORONE_L))
			f |= MSG_DONTWAIT_L;
		struct sysargs b = {.nr = __NR_recvmsg, .a0 = a->a0, .a1 = entry, .a2 = f};
		t->io_done &= 0xffffffffu;
		long r = sys_recvmsg(t, &b);
		if (r == SYS_WAIT && mmsg_park(t, done))
			return SYS_WAIT;
		t->io_done = 0;
		if (r < 0) {
			err = r == SYS_WAIT ? -EINTR : r;
			break;
		}
		uint32_t len = (uint32_t)r;
		if (copy_to_user(p, entry + MMSG_LEN_OFF, &len, sizeof len)) {
			err = -EFAULT;
			break;
		}
		done++;
		if (uts && !mmsg_left(t))
			break;
	}
	t->io_done = 0;
	if (!done)
		return err;
	if (err && err != -EAGAIN && err != -EINTR)
		unix_set_error(s, (int)-err); /* (for the next call, or SO_ERROR) */
	if (uts) {
		uint64_t left = mmsg_left(t);
		struct ts_l ts = {(int64_t)(left / 1000000000ull), (int64_t)(left % 1000000000ull)};
		if (copy_to_user(p, uts, &ts, sizeof ts))
			return -EFAULT;
	}
	return (long)done;
}
