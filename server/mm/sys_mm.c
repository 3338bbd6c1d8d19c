/* Memory system calls: brk, mmap, munmap, mprotect, madvise, msync, mremap. */
#include "sys.h"

#define PAGE_UP(x) (((x) + 4095) & ~0xfffull)
#define MAP_SHARED_VALIDATE_L 0x03
#define MAP_FIXED_NOREPLACE_L 0x100000
#define MADV_DONTNEED_L 4
#define STACK_GUARD_GAP (256ull << 12) /* Linux's stack_guard_gap */

/* Linux's check_data_rlimit: the heap and the data segment within
 * RLIMIT_DATA */
static bool brk_in_data_limit(struct proc *p, uint64_t want)
{
	struct mm *mm = p->mm;
	uint64_t rlim = p->rlim[RLIMIT_DATA].cur;
	return rlim == RLIM_INFINITY || (want - mm->brk_start) + (mm->end_data - mm->start_data) <= rlim;
}

/* the heap grows from old_end to new_end (page boundaries), as Linux's
 * do_brk_flags: the limits, then the memory (a locked heap is made
 * present); 0 or -ENOMEM */
static int brk_grow(struct proc *p, uint64_t old_end, uint64_t new_end)
{
	struct mm *mm = p->mm;
	uint64_t n = (new_end - old_end) / 4096;
	unsigned flags = VMA_ANON | VMA_ACCOUNT | mm->def_flags, prot = PROT_R | PROT_W;
	if ((flags & VMA_LOCKED) && !vm_lock_allowed(p, n))
		return -EAGAIN;
	if (!vm_may_expand(p, flags, prot, n) || mm->map_count > (uint64_t)vm_max_map_count || vm_enough_memory(p, n))
		return -ENOMEM;
	struct vma *heap = old_end > mm->brk_start ? vma_find(mm, old_end - 1) : NULL;
	if (heap && heap->end == old_end && !heap->vn && heap->start >= mm->brk_start && heap->flags == flags &&
	    heap->prot == prot)
		heap->end = new_end;
	else if (!vma_add(mm, old_end, new_end, prot, flags, NULL, 0))
		return -ENOMEM;
	if (flags & VMA_LOCKED) {
		mm->locked += n;
		vm_populate(p, old_end, new_end, true);
	}
	return 0;
}

long sys_brk(struct lthread *t, const struct sysargs *a)
{
	struct mm *mm = t->proc->mm;
	uint64_t want = a->a0;
	if (want < mm->brk_start || want >= MMAP_TOP)
		return (long)mm->brk;
	if (!brk_in_data_limit(t->proc, want))
		return (long)mm->brk;
	uint64_t old_end = PAGE_UP(mm->brk), new_end = PAGE_UP(want);
	if (new_end > old_end) {
		/* something in the way (the next mapping above the heap, or one
		 * that a mapping merged with it reaches into): Linux keeps a page
		 * (a stack's guard gap) between the heap and it */
		for (struct vma *v = mm->vmas; v; v = v->next) {
			uint64_t gap = (v->flags & VMA_STACK) ? STACK_GUARD_GAP : 0;
			if (v->end > old_end && new_end + 4096 + gap > v->start)
				return (long)mm->brk;
		}
		if (brk_grow(t->proc, old_end, new_end))
			return (long)mm->brk;
	} else if (new_end < old_end) {
		if (vm_unmap(t->proc, new_end, old_end - new_end))
			return (long)mm->brk;
	}
	mm->brk = want;
	return (long)want;
}

/* the flags mmap takes from old programs without a word; MAP_SHARED_VALIDATE
 * refuses the others (Linux's LEGACY_MAP_MASK) */
#define LEGACY_MAP_MASK                                                                                              \
	(MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | MAP_EXECUTABLE | MAP_UNINITIALIZED | \
	 MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB)

/* the file f may be mapped so (Linux's checks in do_mmap): 0, or an
 * error; *vn: its pages' vnode, NULL for /dev/zero (anonymous memory) */
static long mmap_file_check(struct file *f, uint64_t off, uint64_t len, uint64_t flags, uint64_t prot,
			    struct vnode **vn)
{
	unsigned type = flags & 0x0f;
	unsigned acc = f->flags & O_ACCMODE;
	*vn = NULL;
	if (f->vn->type == V_REG && off / 4096 > (INT64_MAX - len) / 4096)
		return -EOVERFLOW; /* (beyond the largest file: Linux's file_mmap_ok) */
	if (type == MAP_SHARED)
		flags &= LEGACY_MAP_MASK; /* (others ignored, for old programs) */
	if (type == MAP_SHARED || type == MAP_SHARED_VALIDATE_L) {
		if (flags & ~(uint64_t)LEGACY_MAP_MASK)
			return -EOPNOTSUPP;
		if ((prot & PROT_WRITE) && acc != O_RDWR && acc != O_WRONLY)
			return -EACCES;
	} else if (type != MAP_PRIVATE) {
		return -EINVAL;
	}
	if (acc == O_WRONLY)
		return -EACCES;
	if (f->vn->type == V_CHR && f->vn->rdev == 0x105) /* /dev/zero */
		return 0;
	if (f->vn->type != V_REG || f->vn->fops) /* (a proc file has no pages) */
		return -ENODEV;
	if ((prot & PROT_EXEC) && (mount_flags(f->vn) & MS_NOEXEC_L))
		return -EPERM; /* (nothing of a noexec file system runs) */
	*vn = f->vn;
	return 0;
}

/* where a mapping of len bytes goes (flags: MAP_FIXED or not, addr the
 * place or a hint): the address, or an error */
static long mmap_place(struct proc *p, uint64_t addr, uint64_t len, uint64_t flags)
{
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE_L)) {
		if (addr & 0xfff)
			return -EINVAL;
		if (addr >= USER_TOP || len > USER_TOP - addr)
			return -ENOMEM;
		if (addr < MMAP_MIN_ADDR && !cred_capable(&p->cred, CAP_SYS_RAWIO))
			return -EPERM; /* (vm.mmap_min_addr: the lowest pages are root's alone) */
		if (flags & MAP_FIXED_NOREPLACE_L) {
			for (struct vma *v = p->mm->vmas; v; v = v->next)
				if (v->start < addr + len && addr < v->end)
					return -EEXIST;
		}
		return (long)addr;
	}
	addr &= ~0xfffull;
	if (addr && addr < USER_TOP && len <= USER_TOP - addr) {
		bool free = true;
		for (struct vma *v = p->mm->vmas; v; v = v->next)
			if (v->start < addr + len && addr < v->end)
				free = false;
		if (free)
			return (long)addr;
	}
	uint64_t at = vm_find_free(p->mm, len);
	return at ? (long)at : -ENOMEM;
}

/* pages of [start, end) that are mapped now (a MAP_FIXED mapping takes
 * their place) */
static uint64_t mapped_pages(struct mm *mm, uint64_t start, uint64_t end)
{
	uint64_t n = 0;
	for (struct vma *v = mm->vmas; v && v->start < end; v = v->next) {
		if (v->end <= start)
			continue;
		uint64_t s = v->start > start ? v->start : start, e = v->end < end ? v->end : end;
		n += (e - s) / 4096;
	}
	return n;
}

/* Linux's mmap_region: the address space and data limits, what was there
 * goes, the commit, the VMA (merged with its neighbours as Linux would
 * have); the address or an error */
static long mmap_region(struct proc *p, uint64_t at, uint64_t len, unsigned vprot, unsigned vflags, struct vnode *vn,
			uint64_t off, bool noreserve)
{
	uint64_t n = len / 4096, mapped = mapped_pages(p->mm, at, at + len);
	if (!vm_may_expand(p, vflags, vprot, n) && !vm_may_expand(p, vflags, vprot, n - mapped))
		return -ENOMEM;
	int err = mapped ? vm_unmap(p, at, len) : 0; /* (MAP_FIXED) */
	if (err)
		return err;
	bool shmem_acct = !vn && (vflags & VMA_SHARED) && !noreserve;
	if (vm_accountable(vflags, vprot, noreserve))
		vflags |= VMA_ACCOUNT;
	else if (noreserve && vm_overcommit_memory != OVERCOMMIT_NEVER)
		vflags |= VMA_NORESERVE;
	if (((vflags & VMA_ACCOUNT) || shmem_acct) && vm_enough_memory(p, n))
		return -ENOMEM;
	struct vnode *shmem = NULL;
	if (!vn && (vflags & VMA_SHARED)) { /* shared anonymous memory (or /dev/zero): a file of its own */
		if (!(vn = shmem = vnode_new_shmem(len)))
			return -ENOMEM;
		off = 0;
	}
	struct vma *v = vma_add(p->mm, at, at + len, vprot, vflags, vn, off);
	if (shmem && !v) { /* (no reference taken: it goes) */
		vnode_get(shmem);
		vnode_put(shmem);
	}
	if (!v)
		return -ENOMEM;
	if (!shmem && vn)
		vnode_access(vn); /* mapping a file accesses it (Linux's file_accessed) */
	if (vflags & VMA_LOCKED)
		p->mm->locked += n;
	vm_merge_around(p->mm, at, at + len);
	return (long)at;
}

long sys_mmap(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	uint64_t addr = a->a0, len = a->a1, prot = a->a2, flags = a->a3, off = a->a5;
	int64_t fd = (int64_t)(int32_t)a->a4;
	unsigned type = flags & 0x0f;
	if (off & 0xfff)
		return -EINVAL;
	struct file *f = NULL;
	if (!(flags & MAP_ANONYMOUS) && !(f = fd_file(p, fd)))
		return -EBADF;
	if (!len)
		return -EINVAL;
	if (!(flags & (MAP_FIXED | MAP_FIXED_NOREPLACE_L)) && addr && addr < MMAP_MIN_ADDR)
		addr = MMAP_MIN_ADDR; /* as Linux's round_hint_to_min */
	/* other bits of prot are ignored (mprotect is stricter) */
	len = PAGE_UP(len);
	if (!len || len > USER_TOP)
		return -ENOMEM;
	if (p->mm->map_count > (uint64_t)vm_max_map_count)
		return -ENOMEM;
	long at = mmap_place(p, addr, len, flags);
	if (at < 0)
		return at;
	unsigned vprot =
	    ((prot & PROT_READ) ? PROT_R : 0) | ((prot & PROT_WRITE) ? PROT_W : 0) | ((prot & PROT_EXEC) ? PROT_X : 0);
	unsigned lock = ((flags & MAP_LOCKED) ? VMA_LOCKED : 0) | p->mm->def_flags;
	if ((flags & MAP_LOCKED) && !vm_can_lock(p))
		return -EPERM;
	if ((lock & VMA_LOCKED) && !vm_lock_allowed(p, len / 4096))
		return -EAGAIN;
	struct vnode *vn = NULL;
	if (f) {
		long err = mmap_file_check(f, off, len, flags, prot, &vn);
		if (err)
			return err;
	} else if (type != MAP_SHARED && type != MAP_PRIVATE) {
		return -EINVAL; /* (validating is for files) */
	}
	bool nowrite = vn && type != MAP_PRIVATE && (f->flags & O_ACCMODE) != O_RDWR;
	if (vn && type != MAP_PRIVATE && (vnode_seals(vn) & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))) {
		/* a memfd sealed against writes (Linux's seal_check_write):
		 * shared, only to read, and never made writable */
		if (prot & PROT_WRITE)
			return -EPERM;
		nowrite = true;
	}
	unsigned vflags =
	    (type != MAP_PRIVATE ? VMA_SHARED : 0) | (vn ? 0 : VMA_ANON) | (nowrite ? VMA_NOWRITE : 0) | lock |
	    (vn && (mount_flags(vn) & MS_NOEXEC_L) ? VMA_NOEXEC : 0);
	at = mmap_region(p, (uint64_t)at, len, vprot, vflags, vn, off, flags & MAP_NORESERVE);
	if (at >= 0 && ((lock & VMA_LOCKED) || (flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE))
		vm_populate(p, (uint64_t)at, (uint64_t)at + len, true);
	return at;
}

long sys_munmap(struct lthread *t, const struct sysargs *a)
{
	uint64_t addr = a->a0, len = PAGE_UP(a->a1);
	if ((addr & 0xfff) || !a->a1 || addr >= USER_TOP || len > USER_TOP - addr)
		return -EINVAL;
	return vm_unmap(t->proc, addr, len);
}

/* what Linux's mprotect_fixup checks of a VMA v that becomes writable
 * (npages of it): RLIMIT_DATA, and the commit of memory not yet committed
 * (*account: VMA_ACCOUNT, which it is then) */
static long protect_limits(struct proc *p, const struct vma *v, unsigned prot, uint64_t npages, unsigned *account)
{
	*account = 0;
	if (!(prot & PROT_W) || prot == v->prot)
		return 0;
	if (!vm_may_expand(p, v->flags, prot, npages) && vm_may_expand(p, v->flags, v->prot, npages))
		return -ENOMEM;
	if (!(v->prot & PROT_W) && !(v->flags & (VMA_ACCOUNT | VMA_SHARED | VMA_NORESERVE))) {
		if (vm_enough_memory(p, npages))
			return -ENOMEM;
		*account = VMA_ACCOUNT;
	}
	return 0;
}

long sys_mprotect(struct lthread *t, const struct sysargs *a)
{
	struct mm *mm = t->proc->mm;
	uint64_t start = a->a0, prot = a->a2, grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
	prot &= ~grows;
	if (grows == (PROT_GROWSDOWN | PROT_GROWSUP) || (start & 0xfff))
		return -EINVAL;
	if (!a->a1)
		return 0;
	uint64_t len = PAGE_UP(a->a1), end = start + len;
	if (end <= start)
		return -ENOMEM;
	if (prot & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM))
		return -EINVAL;
	struct vma *v = mm->vmas;
	while (v && v->end <= start)
		v = v->next;
	if (!v)
		return -ENOMEM;
	if (grows & PROT_GROWSDOWN) { /* from the start of the stack mapping */
		if (v->start >= end)
			return -ENOMEM;
		start = v->start;
		if (!(v->flags & VMA_STACK))
			return -EINVAL;
	} else {
		if (v->start > start)
			return -ENOMEM;
		if (grows)
			return -EINVAL; /* no mapping grows up on x86 */
	}
	unsigned vprot = ((prot & PROT_READ) ? PROT_R : 0) | ((prot & PROT_WRITE) ? PROT_W : 0) |
			 ((prot & PROT_EXEC) ? PROT_X : 0);
	/* a mapping at a time, as Linux: the ones before a hole (ENOMEM) or
	 * a refusal (EACCES) keep their new protection */
	for (uint64_t at = start; at < end;) {
		v = vma_find(mm, at);
		if (!v)
			return -ENOMEM;
		if (((vprot & PROT_W) && (v->flags & VMA_NOWRITE)) || ((vprot & PROT_X) && (v->flags & VMA_NOEXEC)))
			return -EACCES;
		uint64_t e = v->end < end ? v->end : end;
		unsigned account = 0;
		long err = protect_limits(t->proc, v, vprot, (e - at) / 4096, &account);
		if (!err)
			err = vm_protect(t->proc, at, e - at, vprot, account);
		if (err)
			return err;
		at = e;
	}
	return 0;
}

/* the mapped pieces of [start, end), one call each; -ENOMEM when there is
 * a hole (the pieces are done all the same, as Linux's madvise and msync
 * do) */
static int each_mapped(struct proc *p, uint64_t start, uint64_t end, int (*fn)(struct proc *, uint64_t, uint64_t))
{
	int err = 0;
	for (uint64_t at = start; at < end;) {
		struct vma *v = p->mm->vmas;
		while (v && v->end <= at)
			v = v->next;
		if (!v || v->start >= end)
			return -ENOMEM;
		if (v->start > at) {
			err = -ENOMEM;
			at = v->start;
		}
		uint64_t e = v->end < end ? v->end : end;
		if (fn) {
			int r = fn(p, at, e - at);
			if (r)
				return r;
		}
		at = e;
	}
	return err;
}

/* MADV_DONTNEED of a piece of one VMA: not of locked memory (Linux's
 * can_madv_lru_vma) */
static int discard(struct proc *p, uint64_t start, uint64_t len)
{
	if (vma_find(p->mm, start)->flags & VMA_LOCKED)
		return -EINVAL;
	return vm_discard(p, start, len);
}

long sys_madvise(struct lthread *t, const struct sysargs *a)
{
	uint64_t start = a->a0, len = PAGE_UP(a->a1), end = start + len;
	switch ((int)a->a2) {
	case 0: /* NORMAL */
	case 1: /* RANDOM */
	case 2: /* SEQUENTIAL */
	case 3: /* WILLNEED */
	case MADV_DONTNEED_L:
	case 8: /* FREE: like DONTNEED when it matters; a hint here */
	case 12: /* MERGEABLE */
	case 13:
	case 14: /* HUGEPAGE */
	case 15:
		break;
	default:
		return -EINVAL;
	}
	if ((start & 0xfff) || (a->a1 && !len) || end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	return each_mapped(t->proc, start, end, (int)a->a2 == MADV_DONTNEED_L ? discard : NULL);
}

/* posix_fadvise: the advice is checked and taken as given.  The files are
 * in RAM with no device behind them, where Linux's generic_fadvise too
 * accepts it and does nothing (tmpfs: noop_backing_dev_info); a pipe or
 * FIFO has nothing to advise about (ESPIPE) */
long sys_fadvise64(struct lthread *t, const struct sysargs *a)
{
	struct file *f = fd_file(t->proc, (int64_t)a->a0);
	if (!f)
		return -EBADF;
	if (f->vn->type == V_FIFO)
		return -ESPIPE;
	if ((int64_t)a->a2 < 0 || a->a3 > 5) /* NORMAL ... NOREUSE (x86-64: DONTNEED 4, NOREUSE 5) */
		return -EINVAL;
	return 0;
}

/* msync: a file's pages are the mappings' pages, there is nothing to write
 * back; what is checked is what Linux checks */
long sys_msync(struct lthread *t, const struct sysargs *a)
{
	uint64_t start = a->a0, flags = a->a2, end = start + PAGE_UP(a->a1);
	if ((flags & ~(uint64_t)(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) || (start & 0xfff))
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	if (end < start)
		return -ENOMEM;
	if (end == start)
		return 0;
	return each_mapped(t->proc, start, end, NULL);
}

#define MREMAP_MAYMOVE_L 1
#define MREMAP_FIXED_L 2
#define MREMAP_DONTUNMAP_L 4

static bool range_free(struct mm *mm, uint64_t start, uint64_t end)
{
	for (struct vma *v = mm->vmas; v && v->start < end; v = v->next)
		if (v->end > start)
			return false;
	return true;
}

/* what Linux does not let mremap take (the VMA v holding [addr,
 * addr+old_len)): -EINVAL for an old_len 0 of a private mapping (only a
 * shared one can be duplicated so), -EFAULT beyond its end */
static long remap_refused(struct vma *v, uint64_t addr, uint64_t old_len)
{
	if (!old_len && !(v->flags & VMA_SHARED))
		return -EINVAL;
	if (old_len > v->end - addr)
		return -EFAULT;
	return 0;
}

/* what Linux's vma_to_resize checks of a VMA v that grows from old_len to
 * new_len: RLIMIT_MEMLOCK (-EAGAIN), RLIMIT_AS and RLIMIT_DATA, the commit */
static long remap_grow_refused(struct proc *p, const struct vma *v, uint64_t old_len, uint64_t new_len)
{
	if (new_len <= old_len)
		return 0;
	uint64_t n = (new_len - old_len) / 4096;
	if ((v->flags & VMA_LOCKED) && !vm_lock_allowed(p, n))
		return -EAGAIN;
	if (!vm_may_expand(p, v->flags, v->prot, n))
		return -ENOMEM;
	if ((v->flags & VMA_ACCOUNT) && vm_enough_memory(p, n))
		return -ENOMEM;
	return 0;
}

/* the new part [start, end) of a locked mapping that grew is made present */
static void remap_grown(struct proc *p, uint64_t start, uint64_t end)
{
	struct vma *v = vma_find(p->mm, start);
	if (v && (v->flags & VMA_LOCKED) && start < end)
		vm_populate(p, start, end, true);
}

/* the tail [addr + new_len, addr + old_len) of a range that shrinks goes */
static int remap_shrink(struct proc *p, uint64_t addr, uint64_t old_len, uint64_t new_len)
{
	if (addr + new_len > USER_TOP || old_len - new_len > USER_TOP - (addr + new_len))
		return -EINVAL;
	return vm_unmap(p, addr + new_len, old_len - new_len);
}

/* MREMAP_FIXED or MREMAP_DONTUNMAP: a move to new_addr (with FIXED, what
 * is there goes first; else a hint), in Linux's order of checks */
static long remap_to(struct proc *p, uint64_t addr, uint64_t old_len, uint64_t new_addr, uint64_t new_len,
		     uint64_t flags)
{
	struct mm *mm = p->mm;
	if (new_addr & 0xfff)
		return -EINVAL;
	if (new_len > USER_TOP || new_addr > USER_TOP - new_len)
		return -EINVAL;
	if (addr + old_len > new_addr && new_addr + new_len > addr)
		return -EINVAL; /* the ranges overlap */
	if ((int64_t)mm->map_count + 2 >= (int64_t)vm_max_map_count - 3)
		return -ENOMEM; /* (Linux's room for the splits a move makes) */
	if (flags & MREMAP_FIXED_L) {
		int err = vm_unmap(p, new_addr, new_len);
		if (err)
			return err;
	}
	if (old_len > new_len) {
		int err = remap_shrink(p, addr, old_len, new_len);
		if (err)
			return err;
		old_len = new_len;
	}
	vm_merge(mm, addr, addr + old_len);
	struct vma *v = vma_find(mm, addr);
	if (!v)
		return -EFAULT;
	long err = remap_refused(v, addr, old_len);
	if (!err)
		err = remap_grow_refused(p, v, old_len, new_len);
	if (err)
		return err;
	uint64_t at = 0;
	if (flags & MREMAP_FIXED_L)
		at = new_addr;
	else if (new_addr >= MMAP_MIN_ADDR && range_free(mm, new_addr, new_addr + new_len))
		at = new_addr; /* a free hint is taken */
	else
		at = vm_find_free(mm, new_len);
	if (!at)
		return -ENOMEM;
	err = vm_move(p, addr, old_len, at, new_len, flags & MREMAP_DONTUNMAP_L);
	if (err)
		return err;
	remap_grown(p, at + old_len, at + new_len);
	return (long)at;
}

long sys_mremap(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	struct mm *mm = p->mm;
	uint64_t addr = a->a0, old_len = a->a1, new_len = a->a2, flags = a->a3, new_addr = a->a4;
	if (flags & ~(uint64_t)(MREMAP_MAYMOVE_L | MREMAP_FIXED_L | MREMAP_DONTUNMAP_L))
		return -EINVAL;
	if ((flags & MREMAP_FIXED_L) && !(flags & MREMAP_MAYMOVE_L))
		return -EINVAL;
	/* DONTUNMAP is always a move, of the same size */
	if ((flags & MREMAP_DONTUNMAP_L) && (!(flags & MREMAP_MAYMOVE_L) || old_len != new_len))
		return -EINVAL;
	if (addr & 0xfff)
		return -EINVAL;
	old_len = PAGE_UP(old_len);
	new_len = PAGE_UP(new_len);
	if (!new_len)
		return -EINVAL;
	if (flags & (MREMAP_FIXED_L | MREMAP_DONTUNMAP_L))
		return remap_to(p, addr, old_len, new_addr, new_len, flags);
	if (old_len >= new_len) { /* shrinking (or not): the tail goes */
		int err = old_len > new_len ? remap_shrink(p, addr, old_len, new_len) : 0;
		return err ? err : (long)addr;
	}
	vm_merge(mm, addr, addr + old_len);
	struct vma *v = vma_find(mm, addr);
	if (!v)
		return -EFAULT;
	long err = remap_refused(v, addr, old_len);
	if (!err)
		err = remap_grow_refused(p, v, old_len, new_len);
	if (err)
		return err;
	uint64_t end = addr + new_len;
	if (addr + old_len == v->end && new_len <= USER_TOP && addr <= USER_TOP - new_len &&
	    range_free(mm, v->end, end)) {
		v->end = end; /* grows in place */
		if (v->flags & VMA_LOCKED)
			mm->locked += (new_len - old_len) / 4096;
		remap_grown(p, addr + old_len, end);
		return (long)addr;
	}
	if (!(flags & MREMAP_MAYMOVE_L))
		return -ENOMEM;
	if ((int64_t)mm->map_count >= (int64_t)vm_max_map_count - 3)
		return -ENOMEM;
	uint64_t at = vm_find_free(mm, new_len);
	if (!at)
		return -ENOMEM;
	err = vm_move(p, addr, old_len, at, new_len, false);
	if (err)
		return err;
	remap_grown(p, at + old_len, at + new_len);
	return (long)at;
}
