/* Memory system calls: brk, mmap, munmap, mprotect, madvise, msync, mremap. */
#include "sys.h"

#define PAGE_UP(x) (((x) + 4095) & ~0xfffull)
#define MAP_SHARED_VALIDATE_L 0x03
#define MAP_FIXED_NOREPLACE_L 0x100000
#define MADV_DONTNEED_L 4
#define STACK_GUARD_GAP (256ull << 12) /* Linux's stack_guard_gap */

long sys_brk(struct lthread *t, const struct sysargs *a)
{
	struct mm *mm = t->proc->mm;
	uint64_t want = a->a0;
	if (want < mm->brk_start || want >= MMAP_TOP)
		return (long)mm->brk;
	uint64_t old_end = PAGE_UP(mm->brk), new_end = PAGE_UP(want);
	if (new_end > old_end) {
		/* something in the way: Linux keeps a page (a stack's guard gap)
		 * between the heap and the next mapping */
		for (struct vma *v = mm->vmas; v; v = v->next) {
			uint64_t gap = (v->flags & VMA_STACK) ? STACK_GUARD_GAP : 0;
			if (v->start >= old_end && new_end + 4096 + gap > v->start)
				return (long)mm->brk;
		}
		struct vma *heap = old_end > mm->brk_start ? vma_find(mm, old_end - 1) : NULL;
		if (heap && heap->end == old_end && !heap->vn && heap->start >= mm->brk_start)
			heap->end = new_end;
		else if (!vma_add(mm, old_end, new_end, PROT_R | PROT_W, VMA_ANON, NULL, 0))
			return (long)mm->brk;
	} else if (new_end < old_end) {
		vm_unmap(t->proc, new_end, old_end - new_end);
	}
	mm->brk = want;
	return (long)want;
}

long sys_mmap(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	uint64_t addr = a->a0, len = a->a1, prot = a->a2, flags = a->a3, off = a->a5;
	int64_t fd = (int64_t)(int32_t)a->a4;
	unsigned type = flags & 0x0f;
	if (!len || (off & 0xfff) || (addr & 0xfff && (flags & MAP_FIXED)))
		return -EINVAL;
	if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE_L)
		return -EINVAL;
	if (type == MAP_SHARED_VALIDATE_L && (flags & MAP_ANONYMOUS))
		return -EINVAL; /* validating is for files */
	/* other bits of prot are ignored (mprotect is stricter) */
	len = PAGE_UP(len);
	if (!len || len > USER_TOP)
		return -ENOMEM;
	struct vnode *vn = NULL;
	bool nowrite = false;
	if (!(flags & MAP_ANONYMOUS)) {
		struct file *f = fd_file(p, fd);
		if (!f)
			return -EBADF;
		if (f->vn->type == V_CHR && f->vn->rdev == 0x105) {
			flags |= MAP_ANONYMOUS; /* /dev/zero */
		} else if (f->vn->type != V_REG || f->vn->fops) { /* (a proc file has no pages) */
			return -ENODEV;
		} else {
			if ((f->flags & O_ACCMODE) == O_WRONLY)
				return -EACCES;
			if (type != MAP_PRIVATE && (prot & PROT_WRITE) && (f->flags & O_ACCMODE) != O_RDWR)
				return -EACCES;
			if (off + len < off)
				return -EOVERFLOW;
			vn = f->vn;
			nowrite = type != MAP_PRIVATE && (f->flags & O_ACCMODE) != O_RDWR;
		}
	}
	uint64_t at;
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
		vm_unmap(p, addr, len);
		at = addr;
	} else {
		at = 0;
		addr &= ~0xfffull;
		if (addr && addr < MMAP_MIN_ADDR)
			addr = MMAP_MIN_ADDR; /* as Linux's round_hint_to_min */
		if (addr && addr < USER_TOP && len <= USER_TOP - addr) {
			bool free = true;
			for (struct vma *v = p->mm->vmas; v; v = v->next)
				if (v->start < addr + len && addr < v->end)
					free = false;
			if (free)
				at = addr;
		}
		if (!at)
			at = vm_find_free(p->mm, len);
		if (!at)
			return -ENOMEM;
	}
	unsigned vprot = ((prot & PROT_READ) ? PROT_R : 0) | ((prot & PROT_WRITE) ? PROT_W : 0) |
			 ((prot & PROT_EXEC) ? PROT_X : 0);
	unsigned vflags = (type != MAP_PRIVATE ? VMA_SHARED : 0) | (vn ? 0 : VMA_ANON) | (nowrite ? VMA_NOWRITE : 0);
	struct vnode *shmem = NULL;
	if (!vn && type != MAP_PRIVATE) { /* shared anonymous memory (or /dev/zero): a file of its own */
		if (!(vn = shmem = vnode_new_shmem(len)))
			return -ENOMEM;
		off = 0;
	}
	struct vma *v = vma_add(p->mm, at, at + len, vprot, vflags, vn, off);
	if (shmem && !v) { /* (no reference taken: it goes) */
		vnode_get(shmem);
		vnode_put(shmem);
	}
	if (v && !shmem && vn)
		vnode_access(vn); /* mapping a file accesses it (Linux's file_accessed) */
	return v ? (long)at : -ENOMEM;
}

long sys_munmap(struct lthread *t, const struct sysargs *a)
{
	uint64_t addr = a->a0, len = PAGE_UP(a->a1);
	if ((addr & 0xfff) || !a->a1 || addr >= USER_TOP || len > USER_TOP - addr)
		return -EINVAL;
	return vm_unmap(t->proc, addr, len);
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
		if ((vprot & PROT_W) && (v->flags & VMA_NOWRITE))
			return -EACCES;
		uint64_t e = v->end < end ? v->end : end;
		int err = vm_protect(t->proc, at, e - at, vprot);
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
	return each_mapped(t->proc, start, end, (int)a->a2 == MADV_DONTNEED_L ? vm_discard : NULL);
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
	return err ? err : (long)at;
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
	if (err)
		return err;
	uint64_t end = addr + new_len;
	if (addr + old_len == v->end && new_len <= USER_TOP && addr <= USER_TOP - new_len &&
	    range_free(mm, v->end, end)) {
		v->end = end; /* grows in place */
		return (long)addr;
	}
	if (!(flags & MREMAP_MAYMOVE_L))
		return -ENOMEM;
	uint64_t at = vm_find_free(mm, new_len);
	if (!at)
		return -ENOMEM;
	err = vm_move(p, addr, old_len, at, new_len, false);
	return err ? err : (long)at;
}
