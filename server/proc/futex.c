/*
 * futex(2) for processes of one thread: FUTEX_WAIT and FUTEX_WAKE and
 * their BITSET forms, FUTEX_REQUEUE, FUTEX_CMP_REQUEUE and FUTEX_WAKE_OP,
 * private or shared.  A waiter is parked on one queue with its call's
 * arguments, which say what it waits on: a private futex is (the address
 * space, the address); a shared one in a shared mapping is (the mapping's
 * file, the offset), so that processes that map the same memory meet
 * there whatever their addresses.  A requeued waiter keeps the key it was
 * moved to (t->futex_obj and futex_off: the requeuer's address of it need
 * not be the waiter's); like Linux's keys it is only compared, so an
 * object freed under it costs at worst a spurious wake.  A wake answers
 * the oldest matching waiters 0.  A signal ends a wait as on Linux: EINTR,
 * or the call made again from its start, on the futex its arguments name
 * even if it had been requeued (syscall.c gives a wait with a timeout
 * Linux's restart block: EINTR after any handler).  The C library calls
 * futex even with one thread (a FUTEX_WAKE when a once-only
 * initialisation is done).
 *
 * Not yet: the priority-inheritance operations: ENOSYS, logged.
 */
#include "signal.h"
#include "sys.h"

#define FUTEX_WAIT_L            0
#define FUTEX_WAKE_L            1
#define FUTEX_REQUEUE_L         3
#define FUTEX_CMP_REQUEUE_L     4
#define FUTEX_WAKE_OP_L         5
#define FUTEX_WAIT_BITSET_L     9
#define FUTEX_WAKE_BITSET_L     10
#define FUTEX_WAIT_REQUEUE_PI_L 11
#define FUTEX_LOCK_PI2_L        13
#define FUTEX_PRIVATE_FLAG_L    128
#define FUTEX_CLOCK_REALTIME_L  256
#define FUTEX_CMD_MASK_L        (~(FUTEX_PRIVATE_FLAG_L | FUTEX_CLOCK_REALTIME_L))

/* FUTEX_WAKE_OP's val3: op << 28 | cmp << 24 | oparg << 12 | cmparg, the
 * arguments 12-bit signed; with OPARG_SHIFT in op the operand is 1 << oparg */
enum { FUTEX_OP_SET_L, FUTEX_OP_ADD_L, FUTEX_OP_OR_L, FUTEX_OP_ANDN_L, FUTEX_OP_XOR_L };
enum {
	FUTEX_OP_CMP_EQ_L,
	FUTEX_OP_CMP_NE_L,
	FUTEX_OP_CMP_LT_L,
	FUTEX_OP_CMP_LE_L,
	FUTEX_OP_CMP_GT_L,
	FUTEX_OP_CMP_GE_L
};
#define FUTEX_OP_OPARG_SHIFT_L 8

#define NO_DEADLINE UINT64_MAX /* a wait without a timeout (t->wait.deadline: not 0, a retry) */

static struct waitq futex_waiters;

struct fkey {
	const void *obj; /* the address space, or the file */
	uint64_t off;    /* the address in it, or the offset in the file */
};

/* what (p, uaddr) names: -EINVAL for an address that is not 4-aligned,
 * -EFAULT for one outside user space, or a shared one where nothing is
 * mapped that p may read (write, for write: FUTEX_WAKE_OP's second) */
static int futex_key(struct proc *p, uint64_t uaddr, bool private, bool write, struct fkey *k)
{
	if (uaddr & 3)
		return -EINVAL;
	if (!access_ok(uaddr, 4))
		return -EFAULT;
	struct vma *v = private ? NULL : vma_find(p->mm, uaddr);
	if (!private && (!v || !(v->prot & (write ? PROT_W : PROT_R | PROT_W))))
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

/* waiter w waits on k with a bitset that meets bitset: where a requeue
 * moved it, else where its call's arguments say */
static bool waits_on(struct lthread *w, const struct fkey *k, uint32_t bitset)
{
	struct fkey wk = {w->futex_obj, w->futex_off};
	uint32_t wbits = cmd_of(w->args.a1) == FUTEX_WAIT_BITSET_L ? (uint32_t)w->args.a5 : ~0u;
	if (!w->proc || (!wk.obj && futex_key(w->proc, w->args.a0, w->args.a1 & FUTEX_PRIVATE_FLAG_L, false, &wk)))
		return false;
	return wk.obj == k->obj && wk.off == k->off && (wbits & bitset);
}

/* wakes at most nr of the oldest waiters on k (oldest first); how many */
static long futex_wake(const struct fkey *k, long nr, uint32_t bitset)
{
	long woken = 0;
	while (woken < nr) {
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
	}
	return woken;
}

/* FUTEX_WAKE's count, and FUTEX_WAKE_OP's: at least one, as Linux, whatever nr says */
static long at_least_one(uint64_t nr)
{
	return (int)nr < 1 ? 1 : (int)nr;
}

/* FUTEX_WAKE and FUTEX_WAKE_BITSET: how many of the waiters on uaddr with
 * a bitset that meets bitset were woken (EINVAL for none) */
static long futex_wake_call(struct proc *p, uint64_t uaddr, uint64_t nr, uint32_t bitset, bool private)
{
	if (!bitset)
		return -EINVAL;
	struct fkey k;
	int err = futex_key(p, uaddr, private, false, &k);
	return err ? err : futex_wake(&k, at_least_one(nr), bitset);
}

/* FUTEX_REQUEUE and FUTEX_CMP_REQUEUE (with cmp: EAGAIN unless *uaddr is
 * *cmp): of the waiters on uaddr, oldest first, wakes nr_wake and moves the
 * next nr_requeue to uaddr2; how many in all */
static long futex_requeue(struct proc *p, const struct sysargs *a, bool private, const uint32_t *cmp)
{
	int nr_wake = (int)a->a2, nr_requeue = (int)a->a3; /* (the timeout's place) */
	if (nr_wake < 0 || nr_requeue < 0)
		return -EINVAL;
	struct fkey k1, k2;
	int err = futex_key(p, a->a0, private, false, &k1);
	if (!err)
		err = futex_key(p, a->a4, private, false, &k2);
	if (err)
		return err;
	uint32_t cur;
	if (cmp && copy_from_user(p, &cur, a->a0, 4))
		return -EFAULT;
	if (cmp && cur != *cmp)
		return -EAGAIN;
	long n = 0;
	for (struct lthread *w = futex_waiters.head; w; w = w->wait.next)
		n += waits_on(w, &k1, ~0u);
	long woken = n < nr_wake ? n : nr_wake, moved = n - woken < nr_requeue ? n - woken : nr_requeue;
	/* the moves first, which wake nobody: each waiter is looked at once,
	 * before it moves (k2 may be k1), and the oldest are left to wake */
	long age = n; /* a waiter's place from the oldest (0), the queue newest first */
	for (struct lthread *w = futex_waiters.head; w; w = w->wait.next) {
		if (!waits_on(w, &k1, ~0u) || --age < woken || age >= woken + moved)
			continue;
		w->futex_obj = k2.obj;
		w->futex_off = k2.off;
	}
	return futex_wake(&k1, woken, ~0u) + moved;
}

/* FUTEX_WAKE_OP's operation on the word at uaddr2 (atomic, as Linux's:
 * another CPU's thread sees it whole): 1 if its old value compares as val3
 * says, else 0; -EFAULT, or -ENOSYS for an operation (then nothing is
 * done) or a comparison (then it is: Linux compares after) it does not know */
static int futex_op(struct proc *p, uint64_t uaddr2, uint32_t val3)
{
	unsigned op = (val3 >> 28) & 7, cmp = (val3 >> 24) & 15;
	int32_t oparg = (int32_t)(val3 << 8) >> 20, cmparg = (int32_t)(val3 << 20) >> 20;
	if ((val3 >> 28) & FUTEX_OP_OPARG_SHIFT_L)
		oparg = (int32_t)(1u << (oparg & 31)); /* (a shift out of 0..31: Linux masks it) */
	if (op > FUTEX_OP_XOR_L)
		return -ENOSYS;
	int err;
	uint32_t *word = vm_user_word(p, uaddr2, &err), arg = (uint32_t)oparg, old = 0;
	if (!word)
		return err;
	switch (op) {
	case FUTEX_OP_SET_L: old = __atomic_exchange_n(word, arg, __ATOMIC_SEQ_CST); break;
	case FUTEX_OP_ADD_L: old = __atomic_fetch_add(word, arg, __ATOMIC_SEQ_CST); break;
	case FUTEX_OP_OR_L: old = __atomic_fetch_or(word, arg, __ATOMIC_SEQ_CST); break;
	case FUTEX_OP_ANDN_L: old = __atomic_fetch_and(word, ~arg, __ATOMIC_SEQ_CST); break;
	case FUTEX_OP_XOR_L: old = __atomic_fetch_xor(word, arg, __ATOMIC_SEQ_CST); break;
	}
	int32_t o = (int32_t)old;
	switch (cmp) {
	case FUTEX_OP_CMP_EQ_L: return o == cmparg;
	case FUTEX_OP_CMP_NE_L: return o != cmparg;
	case FUTEX_OP_CMP_LT_L: return o < cmparg;
	case FUTEX_OP_CMP_LE_L: return o <= cmparg;
	case FUTEX_OP_CMP_GT_L: return o > cmparg;
	case FUTEX_OP_CMP_GE_L: return o >= cmparg;
	default: return -ENOSYS;
	}
}

/* FUTEX_WAKE_OP: the operation on uaddr2, a wake of val waiters on uaddr,
 * and if the comparison holds, of a3's count (the timeout's place) on
 * uaddr2; how many were woken */
static long futex_wake_op(struct proc *p, const struct sysargs *a, bool private)
{
	struct fkey k1, k2;
	int err = futex_key(p, a->a0, private, false, &k1);
	if (!err)
		err = futex_key(p, a->a4, private, true, &k2);
	if (err)
		return err;
	int holds = futex_op(p, a->a4, (uint32_t)a->a5);
	if (holds < 0)
		return holds;
	long woken = futex_wake(&k1, at_least_one(a->a2), ~0u);
	return woken + (holds ? futex_wake(&k2, at_least_one(a->a3), ~0u) : 0);
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

/* t waits on the futex queue until deadline (NO_DEADLINE: none) */
static long futex_park(struct lthread *t, uint64_t deadline)
{
	t->wait.deadline = deadline;
	waitq_add(&futex_waiters, t);
	if (deadline != NO_DEADLINE)
		timer_add(t, deadline);
	return SYS_WAIT;
}

/* FUTEX_WAIT and FUTEX_WAIT_BITSET: parks t while *uaddr is val (EAGAIN
 * if not), until a wake (0), the deadline (ETIMEDOUT) or a signal.  Made
 * again (t->wait.deadline set) with a signal to act on, it waits on where
 * it waited (requeued or not), for finish() to end the wait as Linux does
 * (EINTR after a handler, but for a wait without a timeout under
 * SA_RESTART, which is made again from its start).  Made again without one
 * (no handler ran: after a stop) it starts over from its arguments,
 * keeping its deadline, as Linux's restart does. */
static long futex_wait(struct lthread *t, const struct sysargs *a, uint32_t cmd, bool private, bool realtime)
{
	uint64_t uaddr = a->a0, deadline = t->wait.deadline; /* (not 0: made again, the same wait) */
	if (!deadline) {
		int err = futex_deadline(t->proc, a->a3, cmd, realtime, &deadline);
		if (err)
			return err;
	} else if (deadline != NO_DEADLINE && plat_now_ns() >= deadline) {
		return -ETIMEDOUT;
	} else if (signal_maybe(t) && signal_pending_now(t)) {
		return futex_park(t, deadline);
	}
	t->futex_obj = NULL; /* (a new wait, or one started over) */
	uint32_t bitset = cmd == FUTEX_WAIT_L ? ~0u : (uint32_t)a->a5, cur;
	if (!bitset)
		return -EINVAL;
	struct fkey k;
	int err = futex_key(t->proc, uaddr, private, false, &k);
	if (err)
		return err;
	if (copy_from_user(t->proc, &cur, uaddr, 4))
		return -EFAULT;
	if (cur != (uint32_t)a->a2)
		return -EAGAIN;
	if (deadline != NO_DEADLINE && plat_now_ns() >= deadline)
		return -ETIMEDOUT;
	return futex_park(t, deadline);
}

long sys_futex(struct lthread *t, const struct sysargs *a)
{
	static bool logged;
	uint64_t op = a->a1;
	uint32_t cmd = cmd_of(op), val3 = (uint32_t)a->a5;
	bool private = op & FUTEX_PRIVATE_FLAG_L, realtime = op & FUTEX_CLOCK_REALTIME_L;
	if (realtime && cmd != FUTEX_WAIT_L && cmd != FUTEX_WAIT_BITSET_L && cmd != FUTEX_WAIT_REQUEUE_PI_L &&
	    cmd != FUTEX_LOCK_PI2_L)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT_L:
	case FUTEX_WAIT_BITSET_L: return futex_wait(t, a, cmd, private, realtime);
	case FUTEX_WAKE_L: return futex_wake_call(t->proc, a->a0, a->a2, ~0u, private);
	case FUTEX_WAKE_BITSET_L: return futex_wake_call(t->proc, a->a0, a->a2, val3, private);
	case FUTEX_REQUEUE_L: return futex_requeue(t->proc, a, private, NULL);
	case FUTEX_CMP_REQUEUE_L: return futex_requeue(t->proc, a, private, &val3);
	case FUTEX_WAKE_OP_L: return futex_wake_op(t->proc, a, private);
	default:
		if (!logged)
			printf("lx4-server: futex operation %u not implemented: ENOSYS\n", cmd);
		logged = true;
		return -ENOSYS;
	}
}

long futex_wake_addr(struct proc *p, uint64_t uaddr, int nr)
{
	return futex_wake_call(p, uaddr, (uint64_t)nr, ~0u, false);
}
