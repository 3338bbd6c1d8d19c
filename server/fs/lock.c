/*
 * File locks, as Linux has them:
 *  - POSIX record locks (fcntl F_SETLK, F_SETLKW, F_GETLK): byte ranges
 *    owned by a process; a process's close of any descriptor of the file
 *    drops all of its locks on it, and they do not pass to a child;
 *  - open file description locks (F_OFD_*): the same ranges, owned by the
 *    open file, so shared by its descriptors and children, and dropped
 *    with its last reference; they conflict with POSIX locks;
 *  - BSD locks (flock): the whole file, owned by the open file, in a name
 *    space of their own.
 * A vnode keeps its locks in one list; a lock that must wait puts the
 * caller on the vnode's lock queue and the call is made again whenever a
 * lock of the file goes or shrinks.  An owner's ranges of one type never
 * overlap or touch: setting a range merges it with its neighbours of the
 * same type and cuts it out of those of the other type (what F_GETLK on
 * Linux shows).
 */
#include "sys.h"

#include <linux/fcntl.h>

#define OFFSET_MAX INT64_MAX

static bool conflict(const struct lock *a, const struct lock *b)
{
	return a->owner != b->owner && a->bsd == b->bsd && a->start <= b->end && b->start <= a->end &&
	       (a->type == F_WRLCK || b->type == F_WRLCK);
}

/* the first lock of vn that keeps want from being taken, or NULL */
static struct lock *blocker(struct vnode *vn, const struct lock *want)
{
	for (struct lock *l = vn->locks; l; l = l->next)
		if (conflict(l, want))
			return l;
	return NULL;
}

/* POSIX deadlock detection (Linux's posix_locks_deadlock): following who
 * waits for whom from the lock's owner leads back to the caller */
static bool deadlock(const struct proc *me, const struct lock *l)
{
	for (int steps = proc_total(); steps >= 0 && l; steps--) {
		if (l->owner == me)
			return true;
		if (l->pid < 0 || l->bsd)
			return false; /* not a process's */
		const struct proc *o = l->owner;
		if (o->state != P_LIVE || !o->lock_wait)
			return false;
		l = blocker(o->lock_wait, &o->lock_want);
	}
	return false;
}

/* sets want (F_UNLCK: removes) in vn's list for its owner; 0 or -ENOLCK */
static int apply(struct vnode *vn, struct lock want)
{
	/* the worst case needs two new records: the new lock and the right
	 * half of one of the other type it splits */
	struct lock *fresh = mem_zalloc(sizeof *fresh), *half = mem_zalloc(sizeof *half);
	if (!fresh || !half) {
		mem_free(fresh);
		mem_free(half);
		return -ENOLCK;
	}
	bool freed = false;
	for (struct lock **pp = &vn->locks, *l; (l = *pp);) {
		if (l->owner != want.owner || l->bsd != want.bsd) {
			pp = &l->next;
			continue;
		}
		bool touches = l->start <= (want.end == OFFSET_MAX ? OFFSET_MAX : want.end + 1) &&
			       want.start <= (l->end == OFFSET_MAX ? OFFSET_MAX : l->end + 1);
		bool overlaps = l->start <= want.end && want.start <= l->end;
		if (l->type == want.type && touches) { /* merged into want */
			want.start = l->start < want.start ? l->start : want.start;
			want.end = l->end > want.end ? l->end : want.end;
		} else if (overlaps) { /* cut out of l */
			freed = true;
			if (l->start < want.start && l->end > want.end) { /* split */
				*half = *l;
				half->start = want.end + 1;
				half->next = l->next;
				l->end = want.start - 1;
				l->next = half;
				half = NULL;
				pp = &l->next->next;
				continue;
			}
			if (l->start < want.start) {
				l->end = want.start - 1;
				pp = &l->next;
				continue;
			}
			if (l->end > want.end) {
				l->start = want.end + 1;
				pp = &l->next;
				continue;
			}
		} else {
			pp = &l->next;
			continue;
		}
		*pp = l->next; /* merged or covered: gone */
		if (l->type != want.type)
			freed = true;
		mem_free(l);
	}
	if (want.type != F_UNLCK) { /* Linux's order: an owner's locks together, */
		struct lock **pp = &vn->locks; /* by start; a new owner's last */
		while (*pp && (*pp)->owner != want.owner)
			pp = &(*pp)->next;
		while (*pp && (*pp)->owner == want.owner && (*pp)->start < want.start)
			pp = &(*pp)->next;
		*fresh = want;
		fresh->next = *pp;
		*pp = fresh;
		fresh = NULL;
	}
	mem_free(fresh);
	mem_free(half);
	if (freed) /* (a write lock that became a read one lets readers in) */
		waitq_wake_all(&vn->lockq);
	return 0;
}

/* drops every lock of vn that owner has (bsd_only: its flock lock only) */
static void drop_owner(struct vnode *vn, const void *owner, bool bsd_only)
{
	bool any = false;
	for (struct lock **pp = &vn->locks, *l; (l = *pp);) {
		if (l->owner == owner && (l->bsd || !bsd_only)) {
			*pp = l->next;
			mem_free(l);
			any = true;
		} else {
			pp = &l->next;
		}
	}
	if (any)
		waitq_wake_all(&vn->lockq);
}

void lock_close(struct proc *p, struct file *f)
{
	if (f->vn->locks)
		drop_owner(f->vn, p, false);
}

void lock_release_file(struct file *f)
{
	if (f->vn->locks)
		drop_owner(f->vn, f, false);
}

/* Linux's flock_to_posix_lock: the range of fl as seen from f */
static int to_range(struct file *f, const struct flock *fl, struct lock *l)
{
	int64_t start;
	switch (fl->l_whence) {
	case SEEK_SET:
		start = 0;
		break;
	case SEEK_CUR:
		start = (int64_t)f->pos;
		break;
	case SEEK_END:
		start = (int64_t)f->vn->size;
		break;
	default:
		return -EINVAL;
	}
	if (fl->l_start > OFFSET_MAX - start)
		return -EOVERFLOW;
	start += fl->l_start;
	if (start < 0)
		return -EINVAL;
	if (fl->l_len > 0) {
		if (fl->l_len - 1 > OFFSET_MAX - start)
			return -EOVERFLOW;
		l->start = start;
		l->end = start + fl->l_len - 1;
	} else if (fl->l_len < 0) {
		if (start + fl->l_len < 0)
			return -EINVAL;
		l->start = start + fl->l_len;
		l->end = start - 1;
	} else {
		l->start = start;
		l->end = OFFSET_MAX;
	}
	if (fl->l_type != F_RDLCK && fl->l_type != F_WRLCK && fl->l_type != F_UNLCK)
		return -EINVAL;
	l->type = fl->l_type;
	return 0;
}

/* fcntl's lock commands, in Linux's order of checks (fcntl_getlk and
 * fcntl_setlk) */

long lock_fcntl(struct lthread *t, struct file *f, unsigned cmd, uint64_t uarg)
{
	struct proc *p = t->proc;
	bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	struct flock fl;
	if (copy_from_user(p, &fl, uarg, sizeof fl))
		return -EFAULT;
	struct lock want = {.owner = ofd ? (const void *)f : p, .pid = ofd ? -1 : p->pid};
	bool get = cmd == F_GETLK || cmd == F_OFD_GETLK;
	if (get && fl.l_type != F_RDLCK && fl.l_type != F_WRLCK)
		return -EINVAL;
	int err = to_range(f, &fl, &want);
	if (err)
		return err;
	if (get) {
		if (ofd && fl.l_pid != 0)
			return -EINVAL;
		struct lock *b = blocker(f->vn, &want);
		if (!b) {
			fl.l_type = F_UNLCK;
		} else {
			fl.l_type = b->type;
			fl.l_whence = SEEK_SET;
			fl.l_start = b->start;
			fl.l_len = b->end == OFFSET_MAX ? 0 : b->end - b->start + 1;
			fl.l_pid = b->pid;
		}
		return copy_to_user(p, uarg, &fl, sizeof fl) ? -EFAULT : 0;
	}
	uint32_t acc = f->flags & O_ACCMODE;
	if ((want.type == F_RDLCK && acc == O_WRONLY) || (want.type == F_WRLCK && acc == O_RDONLY))
		return -EBADF;
	if (ofd && fl.l_pid != 0)
		return -EINVAL;
	p->lock_wait = NULL;
	if (want.type != F_UNLCK) {
		struct lock *b = blocker(f->vn, &want);
		if (b) {
			if (cmd == F_SETLK || cmd == F_OFD_SETLK)
				return -EAGAIN;
			if (!ofd && deadlock(p, b))
				return -EDEADLK;
			if (!ofd) {
				p->lock_wait = f->vn;
				p->lock_want = want;
			}
			waitq_add(&f->vn->lockq, t);
			return SYS_WAIT;
		}
	}
	return apply(f->vn, want);
}

long sys_flock(struct lthread *t, const struct sysargs *a)
{
	unsigned op = (unsigned)a->a1, how = op & ~(unsigned)LOCK_NB;
	if (op & LOCK_MAND)
		return 0; /* Linux ignores these since 5.15: they never locked anything */
	if (how != LOCK_SH && how != LOCK_EX && how != LOCK_UN)
		return -EINVAL;
	struct file *f = fd_file(t->proc, (uint32_t)a->a0);
	if (!f)
		return -EBADF;
	struct lock want = {.owner = f, .pid = t->proc->pid, .bsd = true, .start = 0, .end = OFFSET_MAX};
	want.type = how == LOCK_SH ? F_RDLCK : how == LOCK_EX ? F_WRLCK : F_UNLCK;
	/* as on Linux, a change of a lock drops the old one first: it is not
	 * atomic, and another may take the file in between */
	for (struct lock *l = f->vn->locks; l; l = l->next) {
		if (l->owner == f && l->bsd) {
			if (l->type == want.type)
				return 0;
			drop_owner(f->vn, f, true);
			break;
		}
	}
	if (want.type == F_UNLCK)
		return 0;
	if (blocker(f->vn, &want)) {
		if (op & LOCK_NB)
			return -EWOULDBLOCK;
		waitq_add(&f->vn->lockq, t);
		return SYS_WAIT;
	}
	return apply(f->vn, want);
}
