/*
 * Memory locking: mlock, mlock2, munlock, mlockall, munlockall, as Linux's
 * mm/mlock.c.  A locked VMA (VMA_LOCKED) has its pages made present when
 * it is locked (unless VMA_LOCKONFAULT), and nothing here ever takes a
 * page away from a process behind its back, so they stay.  mm->locked is
 * VmLck; RLIMIT_MEMLOCK bounds it for a process without CAP_IPC_LOCK.
 * Locks are not inherited by fork (mm_fork) and go with exec (a new mm).
 */
#include "sys.h"

#define PAGE_UP(x) (((x) + 4095) & ~0xfffull)

/* Linux's __mlock_posix_error_return: what populating returned, as
 * mlock's errors */
static long posix_error(int err)
{
	return err == -EFAULT ? -ENOMEM : err == -ENOMEM ? -EAGAIN : err;
}

/* pages of [start, end) already locked (they are not counted again) */
static uint64_t locked_in(struct mm *mm, uint64_t start, uint64_t end)
{
	uint64_t n = 0;
	for (struct vma *v = mm->vmas; v && v->start < end; v = v->next) {
		if (v->end <= start || !(v->flags & VMA_LOCKED))
			continue;
		uint64_t s = v->start > start ? v->start : start, e = v->end < end ? v->end : end;
		n += (e - s) / 4096;
	}
	return n;
}

/* Linux's apply_vma_lock_flags: the lock bits of every VMA of [start,
 * end) set to lock, up to the first hole (-ENOMEM) */
static long apply_lock(struct mm *mm, uint64_t start, uint64_t end, unsigned lock)
{
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	if (!vma_find(mm, start))
		return -ENOMEM;
	for (uint64_t at = start; at < end;) {
		struct vma *v = vma_find(mm, at);
		if (!v)
			return -ENOMEM;
		uint64_t e = v->end < end ? v->end : end;
		int err = vm_set_lock(mm, at, e, lock);
		if (err)
			return err;
		at = e;
	}
	return 0;
}

/* Linux's do_mlock: the range (start rounded down, the length up, with
 * Linux's wrap-around), the limit, the flags, then the pages */
static long do_mlock(struct proc *p, uint64_t start, uint64_t len, unsigned lock)
{
	if (!vm_can_lock(p))
		return -EPERM;
	len = PAGE_UP(len + (start & 0xfff));
	start &= ~0xfffull;
	uint64_t want = len / 4096 + p->mm->locked;
	if (!vm_lock_allowed(p, len / 4096)) /* what is locked already is not counted twice */
		want -= locked_in(p->mm, start, start + len);
	if (want > p->rlim[RLIMIT_MEMLOCK].cur / 4096 && !cred_capable(&p->cred, CAP_IPC_LOCK))
		return -ENOMEM;
	long err = apply_lock(p->mm, start, start + len, lock);
	if (err)
		return err;
	return posix_error(vm_populate(p, start, start + len, false));
}

long sys_mlock(struct lthread *t, const struct sysargs *a)
{
	return do_mlock(t->proc, a->a0, a->a1, VMA_LOCKED);
}

long sys_mlock2(struct lthread *t, const struct sysargs *a)
{
	if (a->a2 & ~(uint64_t)MLOCK_ONFAULT)
		return -EINVAL;
	return do_mlock(t->proc, a->a0, a->a1, VMA_LOCKED | ((a->a2 & MLOCK_ONFAULT) ? VMA_LOCKONFAULT : 0));
}

long sys_munlock(struct lthread *t, const struct sysargs *a)
{
	uint64_t start = a->a0, len = PAGE_UP(a->a1 + (start & 0xfff));
	start &= ~0xfffull;
	return apply_lock(t->proc->mm, start, start + len, 0);
}

/* Linux's apply_mlockall_flags: what new mappings get, and with
 * MCL_CURRENT every VMA locked (flags 0: munlockall) */
static void apply_mlockall(struct mm *mm, uint64_t flags)
{
	unsigned onfault = (flags & MCL_ONFAULT) ? VMA_LOCKONFAULT : 0;
	mm->def_flags = (flags & MCL_FUTURE) ? VMA_LOCKED | onfault : 0;
	if ((flags & MCL_FUTURE) && !(flags & MCL_CURRENT))
		return;
	unsigned lock = (flags & MCL_CURRENT) ? VMA_LOCKED | onfault : 0;
	/* (a VMA may merge into the one before it, which stays) */
	struct vma *prev = NULL;
	for (struct vma *v = mm->vmas; v;) {
		uint64_t end = v->end;
		vm_set_lock(mm, v->start, end, lock); /* (errors ignored, as Linux) */
		prev = prev && prev->end >= end ? prev : v;
		v = prev->next;
	}
}

long sys_mlockall(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	uint64_t flags = a->a0;
	if (!flags || (flags & ~(uint64_t)(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || flags == MCL_ONFAULT)
		return -EINVAL;
	if (!vm_can_lock(p))
		return -EPERM;
	if (flags & MCL_CURRENT) { /* everything mapped must fit in the limit */
		uint64_t total = 0;
		for (struct vma *v = p->mm->vmas; v; v = v->next)
			total += (v->end - v->start) / 4096;
		if (total > p->rlim[RLIMIT_MEMLOCK].cur / 4096 && !cred_capable(&p->cred, CAP_IPC_LOCK))
			return -ENOMEM;
	}
	apply_mlockall(p->mm, flags);
	if (flags & MCL_CURRENT)
		vm_populate(p, 0, USER_TOP, true);
	return 0;
}

long sys_munlockall(struct lthread *t, const struct sysargs *a)
{
	(void)a;
	apply_mlockall(t->proc->mm, 0);
	return 0;
}
