/*
 * System V semaphores (Linux's ipc/sem.c): semget, semop, semtimedop and
 * semctl.  A semop applies its operations in order, all or none; one
 * that cannot go on yet parks its caller on its set's queue, oldest
 * first, and the call is made again (in place in the queue) whenever the
 * set changes, so that the first waiters get first what a change makes
 * possible.  A signal ends the wait with EINTR (semop is never
 * restarted), the timeout with EAGAIN, the set's removal with EIDRM.
 *
 * SEM_UNDO adjustments are kept per set and process; they are made when
 * the process ends (not at exec), cleared by SETVAL and SETALL, and go
 * with the set.  A child of fork has none.
 */
#include <linux/sem.h>

#include "ipc.h"
#include "sys.h"

#include "../lib/fmt.h"

#define SEMOPM_FAST 16         /* operations a call keeps on the stack */
#define NO_DEADLINE UINT64_MAX /* a wait without a timeout (t->wait.deadline: not 0, a retry) */

struct sem_l {
	uint16_t val;
	int32_t pid; /* the last to change it */
};

struct sem_undo {
	struct sem_undo *next;
	struct proc *proc;
	void *adj[]; /* int16_t for each semaphore (ipc_elem) */
};

struct sem_set {
	struct kipc_perm perm;
	int nsems;
	int64_t otime, ctime;
	struct waitq waiters; /* the semops that wait, oldest first */
	struct sem_undo *undos;
	bool waking, again; /* sem_wake is at work, and is to look again */
	void *sems[];       /* struct sem_l (ipc_elem) */
};

static struct ipc_ids sem_ids = {.max_idx = -1, .last_idx = -1};
static uint64_t used_sems;
static unsigned nundos; /* SEM_UNDO records of all sets */

static struct sem_set *set_of(struct kipc_perm *perm)
{
	return (struct sem_set *)perm;
}

static struct sem_l *sem_at(struct sem_set *s, unsigned i)
{
	return ipc_elem(s->sems, i, sizeof(struct sem_l));
}

static int16_t *adj_at(struct sem_undo *u, unsigned i)
{
	return ipc_elem(u->adj, i, sizeof(int16_t));
}

/* ---- sets ------------------------------------------------------------------- */

static long sem_new(struct proc *p, int32_t key, int nsems, int flg)
{
	if (!nsems)
		return -EINVAL;
	if (used_sems + (uint64_t)nsems > (uint64_t)SEMMNS)
		return -ENOSPC;
	unsigned nc = ipc_chunks((unsigned)nsems, sizeof(struct sem_l));
	struct sem_set *s = mem_zalloc(sizeof *s + nc * sizeof(void *));
	if (!s)
		return -ENOMEM;
	if (ipc_chunks_alloc(s->sems, (unsigned)nsems, sizeof(struct sem_l))) {
		mem_free(s);
		return -ENOMEM;
	}
	s->nsems = nsems;
	s->perm.key = key;
	s->perm.mode = (uint32_t)flg & 0777;
	s->ctime = ipc_now();
	int id = ipc_add(&sem_ids, &s->perm, &p->cred, SEMMNI);
	if (id < 0) {
		ipc_chunks_free(s->sems, (unsigned)nsems, sizeof(struct sem_l));
		mem_free(s);
		return id;
	}
	used_sems += (uint64_t)nsems;
	return id;
}

long sys_semget(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	int32_t key = (int32_t)a->a0;
	int nsems = (int)a->a1, flg = (int)a->a2;
	if (nsems < 0 || nsems > SEMMSL)
		return -EINVAL;
	struct kipc_perm *perm = ipc_find_key(&sem_ids, key);
	if (!perm) {
		if (key != IPC_PRIVATE && !(flg & IPC_CREAT))
			return -ENOENT;
		return sem_new(p, key, nsems, flg);
	}
	if ((flg & IPC_CREAT) && (flg & IPC_EXCL))
		return -EEXIST;
	if (nsems > set_of(perm)->nsems)
		return -EINVAL;
	if (!ipc_permitted(&p->cred, perm, (int16_t)flg))
		return -EACCES;
	return perm->id;
}

static void undo_free(struct sem_set *s, struct sem_undo *u)
{
	ipc_chunks_free(u->adj, (unsigned)s->nsems, sizeof(int16_t));
	mem_free(u);
	nundos--;
}

/* the set goes (IPC_RMID): its waiters fail with EIDRM */
static void sem_free(struct sem_set *s)
{
	ipc_remove(&sem_ids, &s->perm);
	used_sems -= (uint64_t)s->nsems;
	while (s->undos) {
		struct sem_undo *u = s->undos;
		s->undos = u->next;
		undo_free(s, u);
	}
	struct lthread *w;
	while ((w = s->waiters.head)) {
		waitq_remove(w);
		timer_cancel(w);
		syscall_resume(w, -EIDRM);
	}
	ipc_chunks_free(s->sems, (unsigned)s->nsems, sizeof(struct sem_l));
	mem_free(s);
}

/* p's undo record in s, made if need be (NULL: no memory) */
static struct sem_undo *undo_get(struct sem_set *s, struct proc *p)
{
	for (struct sem_undo *u = s->undos; u; u = u->next)
		if (u->proc == p)
			return u;
	unsigned nc = ipc_chunks((unsigned)s->nsems, sizeof(int16_t));
	struct sem_undo *u = mem_zalloc(sizeof *u + nc * sizeof(void *));
	if (!u)
		return NULL;
	if (ipc_chunks_alloc(u->adj, (unsigned)s->nsems, sizeof(int16_t))) {
		mem_free(u);
		return NULL;
	}
	u->proc = p;
	u->next = s->undos;
	s->undos = u;
	nundos++;
	return u;
}

/* SETVAL and SETALL: no adjustment of semaphore i (all: -1) is left */
static void undo_clear(struct sem_set *s, int i)
{
	for (struct sem_undo *u = s->undos; u; u = u->next)
		for (int k = i < 0 ? 0 : i; k < (i < 0 ? s->nsems : i + 1); k++)
			*adj_at(u, (unsigned)k) = 0;
}

/* ---- operations ------------------------------------------------------------- */

/* the operations in order on s, all or none (Linux's
 * perform_atomic_semop_slow): 0 done, 1 one would wait (*blocking: which),
 * -EAGAIN (it has IPC_NOWAIT), -ERANGE (a value or an adjustment out of
 * range) */
static int sem_try(struct sem_set *s, const struct sembuf *ops, unsigned n, struct sem_undo *un, int pid,
		   unsigned *blocking)
{
	unsigned i;
	int result;
	for (i = 0; i < n; i++) {
		struct sem_l *m = sem_at(s, ops[i].sem_num);
		int op = ops[i].sem_op, v = m->val + op;
		if ((!op && m->val) || v < 0) {
			*blocking = i;
			result = (ops[i].sem_flg & IPC_NOWAIT) ? -EAGAIN : 1;
			goto undo;
		}
		if (v > SEMVMX) {
			result = -ERANGE;
			goto undo;
		}
		if (ops[i].sem_flg & SEM_UNDO) {
			int u = *adj_at(un, ops[i].sem_num) - op;
			if (u < -SEMAEM - 1 || u > SEMAEM) {
				result = -ERANGE;
				goto undo;
			}
			*adj_at(un, ops[i].sem_num) = (int16_t)u;
		}
		m->val = (uint16_t)v;
	}
	for (i = 0; i < n; i++)
		sem_at(s, ops[i].sem_num)->pid = pid;
	return 0;
undo:
	while (i-- > 0) {
		sem_at(s, ops[i].sem_num)->val -= ops[i].sem_op;
		if (ops[i].sem_flg & SEM_UNDO)
			*adj_at(un, ops[i].sem_num) += ops[i].sem_op;
	}
	return result;
}

/* s changed: its waiters make their calls again, oldest first, each in
 * its place; after one that goes through (a change again) from the first.
 * A change a waiter makes on the way only says so (no nesting). */
static void sem_wake(struct sem_set *s)
{
	if (s->waking) {
		s->again = true;
		return;
	}
	s->waking = true;
	do {
		s->again = false;
		for (struct lthread *w = s->waiters.head; w && !s->again;) {
			struct lthread *next = w->wait.next;
			syscall_retry(w);
			if (next && next->wait.queue != &s->waiters)
				s->again = true; /* (the queue changed under us) */
			w = next;
		}
	} while (s->again);
	s->waking = false;
}

/* t waits on s, in its place if it waited already, else last */
static void sem_queue(struct sem_set *s, struct lthread *t)
{
	if (t->wait.queue == &s->waiters)
		return;
	waitq_remove(t);
	struct lthread **pp = &s->waiters.head;
	while (*pp)
		pp = &(*pp)->wait.next;
	*pp = t;
	t->wait.next = NULL;
	t->wait.queue = &s->waiters;
}

/* the deadline (monotonic ns) of a relative timeout ts; -EINVAL */
static int sem_deadline(const struct __kernel_timespec *ts, uint64_t *deadline)
{
	*deadline = NO_DEADLINE;
	if (!ts)
		return 0;
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000)
		return -EINVAL;
	uint64_t ns = (uint64_t)ts->tv_sec > 18000000000ull
			  ? (NO_DEADLINE >> 2)
			  : (uint64_t)ts->tv_sec * 1000000000ull + (uint64_t)ts->tv_nsec;
	*deadline = plat_now_ns() + ns;
	if (!*deadline)
		*deadline = 1; /* (0 means a new call) */
	return 0;
}

/* the call with its operations in ops (Linux's do_semtimedop after the
 * copy); made again while it waits, with its deadline kept */
static long semop_run(struct lthread *t, int semid, struct sembuf *ops, unsigned nsops, uint64_t usops,
		      const struct __kernel_timespec *ts)
{
	struct proc *p = t->proc;
	if (copy_from_user(p, ops, usops, nsops * sizeof *ops))
		return -EFAULT;
	uint64_t deadline = t->wait.deadline; /* (not 0: made again) */
	if (!deadline) {
		int err = sem_deadline(ts, &deadline);
		if (err)
			return err;
	}
	unsigned max = 0;
	bool undos = false, alter = false;
	for (unsigned i = 0; i < nsops; i++) {
		if (ops[i].sem_num > max)
			max = ops[i].sem_num;
		undos |= (ops[i].sem_flg & SEM_UNDO) != 0;
		alter |= ops[i].sem_op != 0;
	}
	struct kipc_perm *perm = ipc_find_id(&sem_ids, semid);
	if (!perm)
		return -EINVAL;
	struct sem_set *s = set_of(perm);
	if (max >= (unsigned)s->nsems)
		return -EFBIG;
	if (!ipc_permitted(&p->cred, perm, alter ? 0222 : 0444))
		return -EACCES;
	struct sem_undo *un = undos ? undo_get(s, p) : NULL;
	if (undos && !un)
		return -ENOMEM;
	unsigned blocking = 0;
	int r = sem_try(s, ops, nsops, un, p->pid, &blocking);
	if (r > 0 && deadline != NO_DEADLINE && plat_now_ns() >= deadline)
		r = -EAGAIN; /* the time is up */
	if (r <= 0) {
		waitq_remove(t);
		timer_cancel(t);
		if (!r) {
			s->otime = ipc_now();
			if (alter)
				sem_wake(s);
		}
		return r;
	}
	t->sem_wait = (uint32_t)ops[blocking].sem_num << 1 | (ops[blocking].sem_op == 0);
	sem_queue(s, t);
	t->wait.deadline = deadline;
	if (deadline != NO_DEADLINE)
		timer_add(t, deadline);
	return SYS_WAIT;
}

static long semtimedop(struct lthread *t, int semid, uint64_t usops, unsigned nsops, uint64_t utimeout)
{
	struct __kernel_timespec ts;
	if (utimeout && !t->wait.deadline && copy_from_user(t->proc, &ts, utimeout, sizeof ts))
		return -EFAULT;
	if (nsops < 1 || semid < 0)
		return -EINVAL;
	if (nsops > SEMOPM)
		return -E2BIG;
	struct sembuf fast[SEMOPM_FAST], *ops = fast;
	if (nsops > SEMOPM_FAST && !(ops = mem_zalloc(nsops * sizeof *ops)))
		return -ENOMEM;
	long r = semop_run(t, semid, ops, nsops, usops, utimeout ? &ts : NULL);
	if (ops != fast)
		mem_free(ops);
	return r;
}

long sys_semop(struct lthread *t, const struct sysargs *a)
{
	return semtimedop(t, (int)a->a0, a->a1, (unsigned)a->a2, 0);
}

long sys_semtimedop(struct lthread *t, const struct sysargs *a)
{
	return semtimedop(t, (int)a->a0, a->a1, (unsigned)a->a2, a->a3);
}

/* ---- control ---------------------------------------------------------------- */

static long sem_info(struct proc *p, int cmd, uint64_t buf)
{
	struct seminfo i = {.semmni = SEMMNI,
			    .semmns = SEMMNS,
			    .semmsl = SEMMSL,
			    .semopm = SEMOPM,
			    .semvmx = SEMVMX,
			    .semmnu = SEMMNU,
			    .semmap = SEMMAP,
			    .semume = SEMUME,
			    .semusz = cmd == SEM_INFO ? sem_ids.in_use : SEMUSZ,
			    .semaem = cmd == SEM_INFO ? (int)used_sems : SEMAEM};
	int max = ipc_max_idx(&sem_ids);
	if (copy_to_user(p, buf, &i, sizeof i))
		return -EFAULT;
	return max < 0 ? 0 : max;
}

static long sem_stat(struct proc *p, int semid, int cmd, uint64_t buf)
{
	struct kipc_perm *perm = cmd == IPC_STAT ? ipc_find_id(&sem_ids, semid) : ipc_find_idx(&sem_ids, semid);
	if (!perm)
		return -EINVAL;
	if (cmd != SEM_STAT_ANY && !ipc_permitted(&p->cred, perm, 0444))
		return -EACCES;
	struct sem_set *s = set_of(perm);
	struct semid64_ds d = {0};
	ipc_to_user(perm, &d.sem_perm);
	d.sem_otime = s->otime;
	d.sem_ctime = s->ctime;
	d.sem_nsems = (unsigned long)s->nsems;
	if (copy_to_user(p, buf, &d, sizeof d))
		return -EFAULT;
	return cmd == IPC_STAT ? 0 : perm->id;
}

/* the semops waiting on semaphore num for it to grow (zero: to be 0) */
static long sem_count(struct sem_set *s, int num, bool zero)
{
	long n = 0;
	for (struct lthread *w = s->waiters.head; w; w = w->wait.next)
		n += w->sem_wait == ((uint32_t)num << 1 | zero);
	return n;
}

#define SEM_IO 256 /* values GETALL and SETALL copy at a time */

static long sem_getall(struct proc *p, struct sem_set *s, uint64_t buf)
{
	uint16_t v[SEM_IO];
	for (int i = 0; i < s->nsems; i += SEM_IO) {
		int n = s->nsems - i < SEM_IO ? s->nsems - i : SEM_IO;
		for (int k = 0; k < n; k++)
			v[k] = sem_at(s, (unsigned)(i + k))->val;
		if (copy_to_user(p, buf + (uint64_t)i * 2, v, (size_t)n * 2))
			return -EFAULT;
	}
	return 0;
}

/* SETALL: every value read (EFAULT) and checked (ERANGE) before any is set */
static long sem_setall(struct proc *p, struct sem_set *s, uint64_t buf)
{
	uint16_t v[SEM_IO];
	bool range = false;
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < s->nsems; i += SEM_IO) {
			int n = s->nsems - i < SEM_IO ? s->nsems - i : SEM_IO;
			if (copy_from_user(p, v, buf + (uint64_t)i * 2, (size_t)n * 2))
				return -EFAULT;
			for (int k = 0; k < n; k++) {
				range |= v[k] > SEMVMX;
				if (pass) {
					sem_at(s, (unsigned)(i + k))->val = v[k];
					sem_at(s, (unsigned)(i + k))->pid = p->pid;
				}
			}
		}
		if (range)
			return -ERANGE;
	}
	undo_clear(s, -1);
	s->ctime = ipc_now();
	sem_wake(s);
	return 0;
}

/* GETALL, SETALL and the GET* of one semaphore (Linux's semctl_main) */
static long sem_main(struct proc *p, int semid, int num, int cmd, uint64_t arg)
{
	struct kipc_perm *perm = ipc_find_id(&sem_ids, semid);
	if (!perm)
		return -EINVAL;
	if (!ipc_permitted(&p->cred, perm, cmd == SETALL ? 0222 : 0444))
		return -EACCES;
	struct sem_set *s = set_of(perm);
	if (cmd == GETALL)
		return sem_getall(p, s, arg);
	if (cmd == SETALL)
		return sem_setall(p, s, arg);
	if (num < 0 || num >= s->nsems)
		return -EINVAL;
	switch (cmd) {
	case GETVAL: return sem_at(s, (unsigned)num)->val;
	case GETPID: return sem_at(s, (unsigned)num)->pid;
	case GETNCNT: return sem_count(s, num, false);
	default: return sem_count(s, num, true); /* GETZCNT */
	}
}

static long sem_setval(struct proc *p, int semid, int num, int val)
{
	if (val > SEMVMX || val < 0)
		return -ERANGE;
	struct kipc_perm *perm = ipc_find_id(&sem_ids, semid);
	if (!perm)
		return -EINVAL;
	struct sem_set *s = set_of(perm);
	if (num < 0 || num >= s->nsems)
		return -EINVAL;
	if (!ipc_permitted(&p->cred, perm, 0222))
		return -EACCES;
	undo_clear(s, num);
	sem_at(s, (unsigned)num)->val = (uint16_t)val;
	sem_at(s, (unsigned)num)->pid = p->pid;
	s->ctime = ipc_now();
	sem_wake(s);
	return 0;
}

static long sem_down(struct proc *p, int semid, int cmd, const struct semid64_ds *in)
{
	struct kipc_perm *perm = ipc_find_id(&sem_ids, semid);
	if (!perm)
		return -EINVAL;
	if (!ipc_may_control(&p->cred, perm))
		return -EPERM;
	struct sem_set *s = set_of(perm);
	if (cmd == IPC_RMID) {
		sem_free(s);
		return 0;
	}
	int err = ipc_set_perm(perm, &in->sem_perm);
	if (!err)
		s->ctime = ipc_now();
	return err;
}

long sys_semctl(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	int semid = (int)a->a0, num = (int)a->a1, cmd = (int)a->a2;
	uint64_t arg = a->a3;
	struct semid64_ds in;
	if (semid < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case SEM_INFO: return sem_info(p, cmd, arg);
	case IPC_STAT:
	case SEM_STAT:
	case SEM_STAT_ANY: return sem_stat(p, semid, cmd, arg);
	case GETALL:
	case GETVAL:
	case GETPID:
	case GETNCNT:
	case GETZCNT:
	case SETALL: return sem_main(p, semid, num, cmd, arg);
	case SETVAL: return sem_setval(p, semid, num, (int)arg);
	case IPC_SET:
		if (copy_from_user(p, &in, arg, sizeof in))
			return -EFAULT;
		return sem_down(p, semid, cmd, &in);
	case IPC_RMID: return sem_down(p, semid, cmd, NULL);
	default: return -EINVAL;
	}
}

/* ---- the end of a process --------------------------------------------------- */

/* p's adjustments are made (clamped to 0..SEMVMX), and its records go */
void sem_exit(struct proc *p)
{
	for (int idx = 0; nundos && idx <= sem_ids.max_idx; idx++) {
		struct kipc_perm *perm = ipc_at(&sem_ids, idx);
		if (!perm)
			continue;
		struct sem_set *s = set_of(perm);
		struct sem_undo **pp = &s->undos;
		while (*pp && (*pp)->proc != p)
			pp = &(*pp)->next;
		struct sem_undo *u = *pp;
		if (!u)
			continue;
		*pp = u->next;
		for (int i = 0; i < s->nsems; i++) {
			int adj = *adj_at(u, (unsigned)i);
			if (!adj)
				continue;
			struct sem_l *m = sem_at(s, (unsigned)i);
			int v = m->val + adj;
			m->val = (uint16_t)(v < 0 ? 0 : v > SEMVMX ? SEMVMX : v);
			m->pid = p->pid;
		}
		undo_free(s, u);
		s->otime = ipc_now();
		sem_wake(s);
	}
}

void sem_proc_show(ipc_emit_fn *emit, void *ctx)
{
	char line[160];
	emit(ctx, "       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n");
	for (int idx = 0; idx <= sem_ids.max_idx; idx++) {
		struct kipc_perm *perm = ipc_at(&sem_ids, idx);
		if (!perm)
			continue;
		struct sem_set *s = set_of(perm);
		snprintf(line, sizeof line, "%10d %10d  %4o %10u %5u %5u %5u %5u %10lu %10lu\n", perm->key, perm->id,
			 perm->mode, (unsigned)s->nsems, perm->uid, perm->gid, perm->cuid, perm->cgid, s->otime,
			 s->ctime);
		emit(ctx, line);
	}
}
