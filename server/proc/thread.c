/*
 * The end of a thread: exit of one thread of several, the others' end
 * at exec, and what every thread's end does in its process's memory (the
 * robust futexes it held: Linux's exit_robust_list; its clear_child_tid:
 * mm_release).  Threads are made by clone.c.
 */
#include "signal.h"
#include "sys.h"

#define FUTEX_WAITERS_L    0x80000000u
#define FUTEX_OWNER_DIED_L 0x40000000u
#define FUTEX_TID_MASK_L   0x3fffffffu
#define ROBUST_LIST_LIMIT  2048 /* Linux's: a list longer (or a cycle) is cut there */

/* struct robust_list_head */
struct robust_head {
	uint64_t next;
	int64_t futex_offset;
	uint64_t pending;
};

/* Linux's handle_futex_death: a lock word that names t as its owner says
 * the owner died (a compare-and-exchange, as the other threads may be
 * setting FUTEX_WAITERS in it); a waiter is woken to take it */
static void futex_death(struct lthread *t, uint64_t uaddr)
{
	struct proc *p = t->proc;
	int err;
	uint32_t *word = (uaddr & 3) ? NULL : vm_user_word(p, uaddr, &err);
	if (!word)
		return;
	uint32_t v = __atomic_load_n(word, __ATOMIC_SEQ_CST), nv;
	do {
		if ((v & FUTEX_TID_MASK_L) != (uint32_t)t->tid)
			return;
		nv = (v & FUTEX_WAITERS_L) | FUTEX_OWNER_DIED_L;
	} while (!__atomic_compare_exchange_n(word, &v, nv, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	if (v & FUTEX_WAITERS_L)
		futex_wake_addr(p, uaddr, 1);
}

void thread_exit_user(struct lthread *t)
{
	struct robust_head h;
	uint64_t head = t->robust_list;
	t->robust_list = 0;
	if (!head || copy_from_user(t->proc, &h, head, sizeof h))
		return;
	uint64_t e = h.next;
	for (int n = 0; e != head && n < ROBUST_LIST_LIMIT; n++) {
		uint64_t next;
		if (copy_from_user(t->proc, &next, e & ~1ull, sizeof next))
			return;
		if (e != h.pending) /* (the one it was taking or giving up comes last) */
			futex_death(t, (e & ~1ull) + (uint64_t)h.futex_offset);
		e = next;
	}
	if (h.pending)
		futex_death(t, (h.pending & ~1ull) + (uint64_t)h.futex_offset);
}

void thread_set_name(struct lthread *t, const char name[16])
{
	memcpy(t->comm, name, sizeof t->comm);
	t->comm[sizeof t->comm - 1] = 0;
	if (t->tid == t->proc->pid)
		memcpy(t->proc->comm, t->comm, sizeof t->comm);
}

void thread_exit(struct lthread *t)
{
	struct proc *p = t->proc;
	thread_exit_user(t);
	if (t->clear_child_tid) { /* (pthread_join waits for this) */
		uint32_t zero = 0;
		if (!copy_to_user(p, t->clear_child_tid, &zero, sizeof zero))
			futex_wake_addr(p, t->clear_child_tid, 1);
	}
	signal_thread_exit(t);
	thread_release(t);
}

void thread_end_others(struct proc *p, struct lthread *keep)
{
	for (struct lthread *o = p->thread, *next; o; o = next) {
		next = o->peer_next;
		if (o != keep)
			thread_exit(o);
	}
}

int thread_restart(struct lthread *t, int tid, const uint64_t *regs)
{
	struct proc *p = t->proc;
	/* the platform's count of its time goes with the old thread: kept */
	struct plat_cputime k = {0, 0, 0};
	plat_thread_times(&t->plat, &k);
	p->ru_gone.utime_ns += k.user_ns;
	p->ru_gone.stime_ns += k.sys_ns;
	p->ru_gone.nivcsw += k.preempts;
	plat_thread_destroy(&t->plat);
	if (tid != t->tid)
		thread_set_tid(t, tid);
	if (plat_thread_create(&t->plat, &p->space, (uint64_t)t->tid) || plat_thread_start(&t->plat, regs))
		return -ENOMEM;
	return 0;
}

/* exit: the calling thread ends; the last one ends its process */
long sys_exit(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	if (p->nthreads > 1)
		thread_exit(t);
	else
		proc_exit(p, (int)((a->a0 & 0xff) << 8));
	return SYS_NOREPLY;
}
