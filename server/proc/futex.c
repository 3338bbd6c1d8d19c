/*
 * futex(2) for processes of one thread: FUTEX_WAIT and FUTEX_WAKE and
 * their BITSET forms, private or shared.  A waiter is parked on one queue
 * with its call's arguments, which say what it waits on: a private futex
 * is (the address space, the address); a shared one in a shared mapping
 * is (the mapping's file, the offset), so that processes that map the
 * same memory meet there whatever their addresses.  A wake answers the
 * oldest matching waiters 0.  The C library calls it even with one thread
 * (a FUTEX_WAKE when a once-only initialisation is done).
 *
 * Not yet (they need threads to matter): FUTEX_REQUEUE, FUTEX_CMP_REQUEUE,
 * FUTEX_WAKE_OP and the priority-inheritance operations: ENOSYS, logged.
 */
#include "sys.h"

#define FUTEX_WAIT_L            0
#define FUTEX_WAKE_L            1
#define FUTEX_WAIT_BITSET_L     9
#define FUTEX_WAKE_BITSET_L     10
#define FUTEX_WAIT_REQUEUE_PI_L 11
#define FUTEX_LOCK_PI2_L        13
#define FUTEX_PRIVATE_FLAG_L    128
#define FUTEX_CLOCK_REALTIME_L  256
#define FUTEX_CMD_MASK_L        (~(FUTEX_PRIVATE_FLAG_L | FUTEX_CLOCK_REALTIME_L))

#define NO_DEADLINE UINT64_MAX /* a wait without a timeout (t->wait.deadline: not 0, a retry) */

static struct waitq futex_waiters;

struct fkey {
	const void *obj; /* the address space, or the file */
	uint64_t off;    /* the address in it, or the offset in the file */
};

/* what (p, uaddr) names: -EINVAL for an address that is not 4-aligned,
 * -EFAULT for a shared one where nothing is mapped */
static int futex_key(struct proc *p, uint64_t uaddr, bool private, struct fkey *k)
{
	if (uaddr & 3)
		return -EINVAL;
	struct vma *v = private ? NULL : vma_find(p->mm, uaddr);
	if (!private && (!v || uaddr >= USER_TOP))
		return -EFAULT;
	if (v && (v->flags & VMA_SHARED) && v->vn) {
		k->obj = v->vn;
		k->off = v->off + (uaddr - v->start);
	} else {
		k->obj = p->mm;
		k->off = uaddr;
	}
	return 0;
}

static uint32_t cmd_of(uint64_t op)
{
	return (uint32_t)op & FUTEX_CMD_MASK_L;
}

/* the key and bitset waiter w waits with (from its call's arguments) */
static bool waits_on(struct lthread *w, const struct fkey *k, uint32_t bitset)
{
	struct fkey wk;
	uint32_t wbits = cmd_of(w->args.a1) == FUTEX_WAIT_BITSET_L ? (uint32_t)w->args.a5 : ~0u;
	if (!w->proc || futex_key(w->proc, w->args.a0, w->args.a1 & FUTEX_PRIVATE_FLAG_L, &wk))
		return false;
	return wk.obj == k->obj && wk.off == k->off && (wbits & bitset);
}

/* FUTEX_WAKE: at most nr of the oldest waiters on k (at least one, as
 * Linux, whatever nr says); how many */
static long futex_wake(const struct fkey *k, int nr, uint32_t bitset)
{
	long woken = 0;
	do {
		struct lthread *oldest = NULL;
		for (struct lthread *w = futex_waiters.head; w; w = w->wait.next)
			if (waits_on(w, k, bitset))
				oldest = w; /* (the queue has the newest first) */
		if (!oldest)
			break;
		waitq_remove(oldest);
		timer_cancel(oldest);
		syscall_resume(oldest, 0);
		woken++;
	} while (woken < nr);
	return woken;
}

/* the deadline (monotonic ns) of a timeout at utime: relative for
 * FUTEX_WAIT, absolute for FUTEX_WAIT_BITSET (on CLOCK_MONOTONIC, or
 * CLOCK_REALTIME with the flag); NO_DEADLINE without one */
static int futex_deadline(struct proc *p, uint64_t utime, uint32_t cmd, bool realtime, uint64_t *deadline)
{
	struct __kernel_timespec ts;
	*deadline = NO_DEADLINE;
	if (!utime)
		return 0;
	if (copy_from_user(p, &ts, utime, sizeof ts))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	uint64_t ns = (uint64_t)ts.tv_sec > 18000000000ull ? (NO_DEADLINE >> 2)
							   : (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	uint64_t mono = plat_now_ns(), wall = time_wall_ns();
	if (cmd == FUTEX_WAIT_L)
		*deadline = mono + ns;
	else if (realtime)
		*deadline = ns > wall ? mono + (ns - wall) : mono;
	else
		*deadline = ns;
	if (!*deadline)
		*deadline = 1; /* (0 means a new call) */
	return 0;
}

/* FUTEX_WAIT: parks t while *uaddr is val (EAGAIN if not), until a wake
 * (0), the deadline (ETIMEDOUT) or a signal (the call is made again or
 * fails with EINTR, by SA_RESTART).  Made again after a signal it looks
 * at the value again, keeping its deadline */
static long futex_wait(struct lthread *t, uint64_t uaddr, uint32_t val, uint64_t deadline)
{
	uint32_t cur;
	if (copy_from_user(t->proc, &cur, uaddr, 4))
		return -EFAULT;
	if (cur != val)
		return -EAGAIN;
	if (deadline != NO_DEADLINE && plat_now_ns() >= deadline)
		return -ETIMEDOUT;
	t->wait.deadline = deadline;
	waitq_add(&futex_waiters, t);
	if (deadline != NO_DEADLINE)
		timer_add(t, deadline);
	return SYS_WAIT;
}

long sys_futex(struct lthread *t, const struct sysargs *a)
{
	static bool logged;
	uint64_t uaddr = a->a0, op = a->a1;
	uint32_t cmd = cmd_of(op), val = (uint32_t)a->a2, bitset = (uint32_t)a->a5;
	bool private = op & FUTEX_PRIVATE_FLAG_L, realtime = op & FUTEX_CLOCK_REALTIME_L;
	if (realtime && cmd != FUTEX_WAIT_L && cmd != FUTEX_WAIT_BITSET_L && cmd != FUTEX_WAIT_REQUEUE_PI_L &&
	    cmd != FUTEX_LOCK_PI2_L)
		return -ENOSYS;
	if (cmd != FUTEX_WAIT_L && cmd != FUTEX_WAKE_L && cmd != FUTEX_WAIT_BITSET_L && cmd != FUTEX_WAKE_BITSET_L) {
		if (!logged)
			printf("lx4-server: futex operation %u not implemented: ENOSYS\n", cmd);
		logged = true;
		return -ENOSYS;
	}
	bool wait = cmd == FUTEX_WAIT_L || cmd == FUTEX_WAIT_BITSET_L;
	uint64_t deadline = t->wait.deadline; /* (not 0: made again, the same wait) */
	if (wait && !deadline) {
		int err = futex_deadline(t->proc, a->a3, cmd, realtime, &deadline);
		if (err)
			return err;
	} else if (wait && deadline != NO_DEADLINE && plat_now_ns() >= deadline) {
		return -ETIMEDOUT;
	}
	if (cmd == FUTEX_WAIT_L || cmd == FUTEX_WAKE_L)
		bitset = ~0u;
	if (!bitset)
		return -EINVAL;
	struct fkey k;
	int err = futex_key(t->proc, uaddr, private, &k);
	if (err)
		return err;
	return wait ? futex_wait(t, uaddr, val, deadline) : futex_wake(&k, (int)val, bitset);
}

long futex_wake_addr(struct proc *p, uint64_t uaddr, int nr)
{
	struct fkey k;
	if (futex_key(p, uaddr, false, &k))
		return 0;
	return futex_wake(&k, nr, ~0u);
}
