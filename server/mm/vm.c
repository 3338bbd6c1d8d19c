/*
 * Process memory (see vm.h).  Shadow page-table entries hold the server
 * address of the page plus flags; a private file page is shared with the
 * file (and between mappings) until the first write copies it.
 */
#include "vm.h"

#include "mem.h"
#include "proc.h"
#include "vfs.h"

#define SPTE_P 0x1ull   /* present */
#define SPTE_COW 0x2ull /* shared: copy before writing */
#define SPTE_ADDR (~0xfffull)
#define IDX(va, l) (((va) >> (12 + 9 * (l))) & 511)

struct mm *mm_new(void)
{
	struct mm *mm = mem_zalloc(sizeof *mm);
	if (!mm)
		return NULL;
	mm->users = 1;
	mm->pt = page_alloc();
	if (!mm->pt) {
		mem_free(mm);
		return NULL;
	}
	return mm;
}

/* the tables of an mm, a page of them at a time */
struct table_list {
	struct table_list *next;
	uint64_t n;
	uint64_t *t[510];
};
_Static_assert(sizeof(struct table_list) == 4096, "a table list is a page");

/* a table for mm, on its list */
static uint64_t *new_table(struct mm *mm)
{
	struct table_list *l = mm->tables;
	if (!l || l->n == sizeof l->t / sizeof l->t[0]) {
		l = page_alloc();
		if (!l)
			return NULL;
		l->next = mm->tables;
		mm->tables = l;
	}
	uint64_t *n = page_alloc();
	if (n)
		l->t[l->n++] = n;
	return n;
}

/* the leaf entry for va, creating the tables on the way when create */
static uint64_t *spte(struct mm *mm, uint64_t va, bool create)
{
	uint64_t *t = mm->pt;
	for (int l = 3; l > 0; l--) {
		uint64_t *e = &t[IDX(va, l)];
		if (!(*e & SPTE_P)) {
			if (!create)
				return NULL;
			uint64_t *n = new_table(mm);
			if (!n)
				return NULL;
			*e = (uint64_t)n | SPTE_P;
		}
		t = (uint64_t *)(*e & SPTE_ADDR);
	}
	return &t[IDX(va, 0)];
}

/* the next present leaf entry at or above *va and below end (updating
 * *va to its address), skipping empty tables whole; NULL if none */
static uint64_t *next_present(struct mm *mm, uint64_t *va, uint64_t end)
{
	uint64_t a = *va;
	while (a < end) {
		uint64_t *t = mm->pt;
		int l = 3;
		for (;;) {
			uint64_t span = 1ull << (12 + 9 * l);
			unsigned first = IDX(a, l), i = first;
			while (i < 512 && !(t[i] & SPTE_P)) /* (not from the top for each) */
				i++;
			if (i != first)
				a = (a & ~(span - 1)) + (i - first) * span;
			if (a >= end || i == 512)
				break;
			if (l == 0) {
				*va = a;
				return &t[i];
			}
			t = (uint64_t *)(t[i] & SPTE_ADDR);
			l--;
		}
	}
	return NULL;
}

/* every page goes (leaves lie only in VMAs: as Linux's unmap_vmas, which
 * scans no table outside them), then every table, from mm's list of them */
void mm_free(struct mm *mm)
{
	if (!mm)
		return;
	for (struct vma *v = mm->vmas; v; v = v->next) {
		uint64_t va = v->start;
		for (uint64_t *e; (e = next_present(mm, &va, v->end)); va += 4096) {
			page_put((void *)(*e & SPTE_ADDR));
			*e = 0;
		}
	}
	while (mm->tables) {
		struct table_list *l = mm->tables;
		mm->tables = l->next;
		for (uint64_t i = 0; i < l->n; i++)
			page_put(l->t[i]);
		page_put(l);
	}
	page_put(mm->pt);
	while (mm->vmas) {
		struct vma *v = mm->vmas;
		mm->vmas = v->next;
		if (v->vn)
			vnode_put(v->vn);
		mem_free(v);
	}
	mem_free(mm);
}

struct vma *vma_find(struct mm *mm, uint64_t addr)
{
	struct vma *c = mm->vma_last; /* (copies go to one place many times) */
	if (c && c->start <= addr && addr < c->end)
		return c;
	for (struct vma *v = mm->vmas; v && v->start <= addr; v = v->next)
		if (addr < v->end)
			return mm->vma_last = v;
	return NULL;
}

struct vma *vma_add(struct mm *mm, uint64_t start, uint64_t end, unsigned prot, unsigned flags, struct vnode *vn,
		    uint64_t off)
{
	struct vma *n = mem_zalloc(sizeof *n);
	if (!n)
		return NULL;
	n->start = start;
	n->end = end;
	n->prot = prot;
	n->flags = flags;
	n->vn = vn;
	n->off = off;
	n->fend = ~0ull;
	if (vn)
		vnode_get(vn);
	mm->map_count++;
	struct vma **pp = &mm->vmas;
	while (*pp && (*pp)->start < start)
		pp = &(*pp)->next;
	n->next = *pp;
	*pp = n;
	return n;
}

/* the highest gap of len bytes below MMAP_TOP and above mmap_min_addr:
 * one pass up the sorted list, each gap's top candidate replacing the
 * last (a walk down from the top, a gap at a time, was quadratic in the
 * VMAs: 12 M instructions a mmap with 3,000 of them, a thread's stack and
 * guard each) */
uint64_t vm_find_free(struct mm *mm, uint64_t len)
{
	if (len > MMAP_TOP - MMAP_MIN_ADDR)
		return 0;
	uint64_t best = 0, lo = MMAP_MIN_ADDR; /* lo: where the gap below the next VMA begins */
	for (struct vma *v = mm->vmas;; v = v->next) {
		uint64_t hi = v && v->start < MMAP_TOP ? v->start : MMAP_TOP;
		if (hi >= lo && hi - lo >= len)
			best = hi - len;
		if (!v || v->start >= MMAP_TOP)
			return best;
		if (v->end > lo)
			lo = v->end;
	}
}

/* the stack grows down into the gap below it, up to STACK_MAX */
static struct vma *grow_stack(struct mm *mm, uint64_t addr)
{
	struct vma *v = mm->vmas;
	while (v && v->end <= addr)
		v = v->next;
	if (!v || !(v->flags & VMA_STACK) || addr >= v->start || v->end - addr > STACK_MAX)
		return NULL;
	uint64_t ns = addr & ~0xfffull;
	for (struct vma *o = mm->vmas; o != v; o = o->next)
		if (o->end > ns)
			return NULL;
	v->start = ns;
	return v;
}

#define ACCESS_FORCE 0x100u /* /proc/PID/mem's (FOLL_FORCE): protections do not count */

static bool allowed(const struct vma *v, unsigned access)
{
	if (access & ACCESS_FORCE) /* a write: a private mapping (copied) or a writable one */
		return !(access & PLAT_PF_WRITE) || !(v->flags & VMA_SHARED) || (v->prot & PROT_W);
	if (access & PLAT_PF_WRITE)
		return v->prot & PROT_W;
	if (access & PLAT_PF_EXEC)
		return v->prot & PROT_X;
	return v->prot & (PROT_R | PROT_W | PROT_X);
}

/* the page a fault at va of vma v gets; *cow: share it read-only */
static void *new_page(struct vma *v, uint64_t va, bool write, bool *cow)
{
	*cow = false;
	uint64_t fo = v->vn ? v->off + ((va & ~0xfffull) - v->start) : 0;
	if (!v->vn || fo >= v->fend) /* anonymous, or all bss */
		return page_alloc();
	uint64_t limit = v->fend < v->vn->size ? v->fend : v->vn->size; /* file data ends */
	void *fp = fo < limit ? vnode_page(v->vn, fo / 4096, false) : NULL;
	if (v->flags & VMA_SHARED) {
		if (!fp)
			fp = vnode_page(v->vn, fo / 4096, true);
		if (fp)
			page_get(fp);
		return fp;
	}
	/* private: a whole file page is shared until written */
	if (fp && !write && fo + 4096 <= limit) {
		page_get(fp);
		*cow = true;
		return fp;
	}
	void *p = page_alloc();
	if (p && fp) {
		uint64_t n = limit - fo < 4096 ? limit - fo : 4096;
		memcpy(p, fp, n);
	}
	return p;
}

/* what page_for is for: a copy through the server's own address of the
 * page, or a fault, whose page is mapped by a call or by the reply */
enum page_use { FOR_COPY, FAULT_MAP, FAULT_REPLY };

/* the page behind va with the access, faulted in (into the shadow and the
 * process); NULL with *err.  A fault always maps the page into the process
 * (by a map call, or the reply to the fault, which page_for then makes); a
 * copy maps it only when the shadow entry changed (a new page, a broken
 * copy-on-write), which saves the fault to come: an unchanged entry costs
 * no kernel call. */
static void *page_for(struct proc *p, uint64_t va, unsigned access, enum page_use how, int *err)
{
	bool fault = how != FOR_COPY;
	struct mm *mm = p->mm;
	bool write = access & PLAT_PF_WRITE;
	*err = -EFAULT;
	if (va >= USER_TOP)
		return NULL;
	struct vma *v = vma_find(mm, va);
	if (!v)
		v = grow_stack(mm, va);
	if (!v || !allowed(v, access))
		return NULL;
	uint64_t page_va = va & ~0xfffull;
	uint64_t *e = spte(mm, page_va, true);
	*err = -ENOMEM;
	if (!e)
		return NULL;
	void *page = (void *)(*e & SPTE_ADDR);
	bool cow = *e & SPTE_COW;
	if (!(*e & SPTE_P)) {
		uint64_t fo = v->vn ? v->off + (page_va - v->start) : 0;
		if (v->vn && fo < v->fend && fo >= ((v->vn->size + 4095) & ~0xfffull)) {
			*err = -EIO; /* a file page beyond the end of the file: SIGBUS */
			return NULL;
		}
		page = new_page(v, va, write, &cow);
		if (!page)
			return NULL;
		if (++mm->pages > mm->hiwater)
			mm->hiwater = mm->pages;
	} else if (cow && write) {
		if (page_refs(page) > 1) { /* copy it */
			void *n = page_alloc();
			if (!n)
				return NULL;
			memcpy(n, page, 4096);
			page_put(page);
			page = n;
		}
		cow = false;
	}
	uint64_t old = *e;
	*e = (uint64_t)page | SPTE_P | (cow ? SPTE_COW : 0);
	unsigned prot = v->prot & ~(cow ? PROT_W : 0);
	if (how == FAULT_REPLY) {
		plat_reply_fault(page_va, page, prot);
	} else if ((how == FAULT_MAP || *e != old) && plat_map(&p->space, page_va, page, prot)) {
		*err = -ENOMEM;
		return NULL;
	}
	if ((fault || *e != old) && p->thread)
		p->thread->acct.minflt++; /* (a fault Linux would have taken too) */
	*err = 0;
	return page;
}

int vm_fault(struct proc *p, uint64_t addr, unsigned access, bool in_reply)
{
	int err;
	page_for(p, addr, access, in_reply ? FAULT_REPLY : FAULT_MAP, &err);
	return err;
}

/* drops the shadow pages of [start, end) (the process mappings go too:
 * the process maps only pages its shadow has, so only the span of those
 * needs unmapping, and none if there were none) */
static void drop_pages(struct proc *p, uint64_t start, uint64_t end)
{
	uint64_t lo = end, hi = start;
	uint64_t va = start;
	uint64_t *e;
	while ((e = next_present(p->mm, &va, end))) {
		page_put((void *)(*e & SPTE_ADDR));
		*e = 0;
		p->mm->pages--;
		if (va < lo)
			lo = va;
		hi = va + 4096;
		va += 4096;
	}
	if (lo < hi)
		plat_unmap(&p->space, lo, hi - lo);
}

/* splits the VMA at addr (inside it); the new upper part follows */
static int split(struct mm *mm, struct vma *v, uint64_t addr)
{
	struct vma *n = mem_zalloc(sizeof *n);
	if (!n)
		return -ENOMEM;
	mm->map_count++;
	*n = *v;
	n->start = addr;
	if (n->vn) {
		n->off += addr - v->start;
		vnode_get(n->vn);
	}
	v->end = addr;
	v->next = n;
	return 0;
}

/* makes start and end VMA boundaries */
static int split_range(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vma *v = vma_find(mm, start);
	if (v && v->start < start && split(mm, v, start))
		return -ENOMEM;
	v = vma_find(mm, end - 1);
	if (v && v->end > end && split(mm, v, end))
		return -ENOMEM;
	return 0;
}

/* frees v, which is off the list */
static void vma_free(struct mm *mm, struct vma *v)
{
	if (v->flags & VMA_LOCKED)
		mm->locked -= (v->end - v->start) / 4096;
	if (v->vn)
		vnode_put(v->vn);
	mem_free(v);
	mm->map_count--;
	mm->vma_last = NULL;
}

/* would changing [start, end) of v split it (beyond vm.max_map_count)? */
static bool split_refused(struct mm *mm, const struct vma *v, uint64_t start, uint64_t end)
{
	return (v->start < start || v->end > end) && mm->map_count >= (uint64_t)vm_max_map_count;
}

int vm_unmap(struct proc *p, uint64_t start, uint64_t len)
{
	uint64_t end = start + len;
	/* a hole punched in one VMA makes one more: not beyond the limit
	 * (Linux lets the other splits take the count past it for a moment) */
	struct vma *in = vma_find(p->mm, start);
	if (in && in->start < start && in->end > end && p->mm->map_count >= (uint64_t)vm_max_map_count)
		return -ENOMEM;
	if (split_range(p->mm, start, end))
		return -ENOMEM;
	struct vma **pp = &p->mm->vmas;
	while (*pp) {
		struct vma *v = *pp;
		if (v->start >= start && v->end <= end) {
			*pp = v->next;
			vma_free(p->mm, v);
		} else {
			pp = &v->next;
		}
	}
	drop_pages(p, start, end);
	return 0;
}

void vm_merge_around(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vma *prev = start ? vma_find(mm, start - 1) : NULL;
	vm_merge(mm, prev ? prev->start : start, end + 1);
}

int vm_protect(struct proc *p, uint64_t start, uint64_t len, unsigned prot, unsigned set_flags)
{
	struct mm *mm = p->mm;
	uint64_t end = start + len;
	/* every page of the range must be mapped (Linux: ENOMEM) */
	for (uint64_t a = start; a < end;) {
		struct vma *v = vma_find(mm, a);
		if (!v)
			return -ENOMEM;
		a = v->end;
	}
	/* a VMA at a time, as Linux's mprotect_fixup: one whose protection
	 * stays is not split */
	for (uint64_t a = start; a < end;) {
		struct vma *v = vma_find(mm, a);
		uint64_t e = v->end < end ? v->end : end;
		if (v->prot != prot) {
			if (split_refused(mm, v, a, e) || split_range(mm, a, e))
				return -ENOMEM;
			v = vma_find(mm, a);
			unsigned removed = v->prot & ~prot;
			v->prot = prot;
			v->flags |= set_flags;
			if (!(prot & (PROT_R | PROT_W | PROT_X)))
				plat_unmap(&p->space, v->start, v->end - v->start);
			else if (removed)
				plat_protect(&p->space, v->start, v->end - v->start, removed);
			vm_merge_around(mm, a, e);
		}
		a = e;
	}
	return 0;
}

int vm_set_lock(struct mm *mm, uint64_t start, uint64_t end, unsigned lock)
{
	for (uint64_t a = start; a < end;) {
		struct vma *v = vma_find(mm, a);
		if (!v)
			return -ENOMEM;
		uint64_t e = v->end < end ? v->end : end;
		unsigned flags = (v->flags & ~VMA_LOCK_MASK) | lock;
		if (flags != v->flags) {
			if (split_refused(mm, v, a, e) || split_range(mm, a, e))
				return -ENOMEM;
			v = vma_find(mm, a);
			uint64_t n = (e - a) / 4096;
			if ((lock & VMA_LOCKED) && !(v->flags & VMA_LOCKED))
				mm->locked += n;
			else if (!(lock & VMA_LOCKED) && (v->flags & VMA_LOCKED))
				mm->locked -= n;
			v->flags = flags;
			vm_merge_around(mm, a, e);
		}
		a = e;
	}
	return 0;
}

int vm_populate(struct proc *p, uint64_t start, uint64_t end, bool ignore)
{
	for (uint64_t a = start; a < end;) {
		struct vma *v = p->mm->vmas;
		while (v && v->end <= a)
			v = v->next;
		if (!v || v->start >= end)
			return 0; /* (holes are passed over) */
		if (a < v->start)
			a = v->start;
		uint64_t e = v->end < end ? v->end : end;
		bool write = (v->prot & PROT_W) && !(v->flags & VMA_SHARED); /* (copies made now) */
		/* private anonymous memory that cannot be written reads as
		 * zero whenever it is touched (Linux maps its zero page there):
		 * nothing to make present */
		bool zero = !v->vn && !write;
		int err = 0;
		if (!(v->prot & (PROT_R | PROT_W | PROT_X)))
			err = -EFAULT;
		for (uint64_t va = a; !err && !zero && !(v->flags & VMA_LOCKONFAULT) && va < e; va += 4096) {
			/* the last of the memory is not given to one process
			 * at once (where Linux would call its OOM killer) */
			if (pages_free() < pages_total() / 16) {
				err = -ENOMEM;
				break;
			}
			page_for(p, va, write ? PLAT_PF_WRITE : PLAT_PF_READ, FOR_COPY, &err);
			if (err == -EIO)
				err = -EFAULT;
		}
		if (err && !ignore)
			return err;
		a = e;
	}
	return 0;
}

int vm_discard(struct proc *p, uint64_t start, uint64_t len)
{
	uint64_t end = start + len;
	for (uint64_t a = start; a < end;) {
		struct vma *v = vma_find(p->mm, a);
		if (!v)
			return -ENOMEM;
		a = v->end;
	}
	drop_pages(p, start, end);
	return 0;
}

/* can b continue a (adjacent, the same in everything but where)? */
static bool mergeable(const struct vma *a, const struct vma *b)
{
	/* (each mapping of a SysV segment is an attachment, as Linux's, which
	 * merges no VMA that has a close operation) */
	return a->end == b->start && a->prot == b->prot && a->flags == b->flags && a->vn == b->vn &&
	       !(a->vn && a->vn->shm) && a->fend == b->fend && (!a->vn || b->off == a->off + (a->end - a->start));
}

void vm_merge(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vma *v = vma_find(mm, start);
	while (v && v->next && v->end < end && mergeable(v, v->next)) {
		struct vma *n = v->next;
		v->end = n->end;
		v->next = n->next;
		if (n->vn)
			vnode_put(n->vn);
		mem_free(n);
		mm->map_count--;
		mm->vma_last = NULL;
	}
}

int vm_move(struct proc *p, uint64_t old, uint64_t old_len, uint64_t new, uint64_t new_len, bool keep_old)
{
	struct mm *mm = p->mm;
	uint64_t old_end = old + old_len, va, *e;
	if (!old_len) { /* a duplicate: nothing moves */
		struct vma *v = vma_find(mm, old), *n;
		n = vma_add(mm, new, new + new_len, v->prot, v->flags, v->vn, v->off + (old - v->start));
		if (!n)
			return -ENOMEM;
		n->fend = v->fend;
		if (n->flags & VMA_LOCKED)
			mm->locked += new_len / 4096;
		return 0;
	}
	/* the destination's tables first: nothing fails after them */
	for (va = old; (e = next_present(mm, &va, old_end)); va += 4096)
		if (!spte(mm, new + (va - old), true))
			return -ENOMEM;
	if (split_range(mm, old, old_end))
		return -ENOMEM;
	struct vma *v = vma_find(mm, old);
	struct vma *n = vma_add(mm, new, new + new_len, v->prot, v->flags, v->vn, v->off);
	if (!n)
		return -ENOMEM;
	n->fend = v->fend;
	if (n->flags & VMA_LOCKED)
		mm->locked += new_len / 4096;
	if (keep_old && (v->flags & VMA_LOCKED))
		v->flags &= ~VMA_LOCK_MASK; /* (unlocked, still counted: as Linux's DONTUNMAP) */
	/* the pages themselves move: their entries (a copy-on-write one stays
	 * so); the process maps them again at the new place as it faults */
	uint64_t lo = old_end, hi = old;
	for (va = old; (e = next_present(mm, &va, old_end)); va += 4096) {
		*spte(mm, new + (va - old), false) = *e;
		*e = 0;
		if (va < lo)
			lo = va;
		hi = va + 4096;
	}
	if (lo < hi)
		plat_unmap(&p->space, lo, hi - lo);
	if (!keep_old)
		vm_unmap(p, old, old_len); /* (split already: frees, never fails) */
	return 0;
}

/* ---- copies ------------------------------------------------------------------ */

/* copies n bytes between kbuf and p's memory at uaddr, page by page, with
 * access (PLAT_PF_WRITE: into it; ACCESS_FORCE too for /proc/PID/mem):
 * the bytes moved before the first page that could not be had (its error
 * in *err), or n */
static size_t copy(struct proc *p, uint64_t uaddr, void *kbuf, size_t n, unsigned access, int *err)
{
	size_t done = 0;
	while (done < n) {
		char *page = page_for(p, uaddr, access, FOR_COPY, err);
		if (!page)
			break;
		size_t off = uaddr & 0xfff, chunk = 4096 - off < n - done ? 4096 - off : n - done;
		if (access & PLAT_PF_WRITE)
			memcpy(page + off, (char *)kbuf + done, chunk);
		else
			memcpy((char *)kbuf + done, page + off, chunk);
		uaddr += chunk;
		done += chunk;
	}
	return done;
}

int copy_from_user(struct proc *p, void *dst, uint64_t src, size_t n)
{
	int err;
	return copy(p, src, dst, n, PLAT_PF_READ, &err) == n ? 0 : err == -EIO ? -EFAULT : err;
}

int copy_to_user(struct proc *p, uint64_t dst, const void *src, size_t n)
{
	int err;
	return copy(p, dst, (void *)src, n, PLAT_PF_WRITE, &err) == n ? 0 : err == -EIO ? -EFAULT : err;
}

uint32_t *vm_user_word(struct proc *p, uint64_t va, int *err)
{
	char *page = page_for(p, va, PLAT_PF_WRITE, FOR_COPY, err);
	if (*err == -EIO)
		*err = -EFAULT;
	return page ? (uint32_t *)(page + (va & 0xfff)) : NULL;
}

int clear_user(struct proc *p, uint64_t dst, size_t n)
{
	static const char zero[256];
	while (n) {
		size_t c = n < sizeof zero ? n : sizeof zero;
		int err = copy_to_user(p, dst, zero, c);
		if (err)
			return err;
		dst += c;
		n -= c;
	}
	return 0;
}

long strncpy_from_user(struct proc *p, char *dst, uint64_t src, size_t max)
{
	size_t i = 0;
	while (i < max) {
		int err;
		const char *page = page_for(p, src + i, PLAT_PF_READ, FOR_COPY, &err);
		if (!page)
			return err == -EIO ? -EFAULT : err;
		for (size_t off = (src + i) & 0xfff; off < 4096 && i < max; off++, i++) {
			dst[i] = page[off];
			if (!dst[i])
				return (long)i;
		}
	}
	return -ENAMETOOLONG;
}

/* ---- fork ----------------------------------------------------------------- */

/* copies the shadow entries of [start, end) from src to dst, sharing the
 * pages; private ones become copy-on-write in both */
static int copy_range(struct mm *dst, struct mm *src, struct vma *v)
{
	bool priv = !(v->flags & VMA_SHARED);
	uint64_t va = v->start;
	uint64_t *se;
	for (; (se = next_present(src, &va, v->end)); va += 4096) {
		uint64_t *de = spte(dst, va, true);
		if (!de)
			return -ENOMEM;
		page_get((void *)(*se & SPTE_ADDR));
		if (priv) /* read-only now, it may be made writable later (mprotect) */
			*se |= SPTE_COW;
		*de = *se;
		dst->pages++;
	}
	return 0;
}

struct mm *mm_fork(struct mm *src, struct plat_space *parent_space)
{
	struct mm *mm = mm_new();
	if (!mm)
		return NULL;
	mm->brk_start = src->brk_start;
	mm->brk = src->brk;
	mm->start_code = src->start_code;
	mm->end_code = src->end_code;
	mm->start_data = src->start_data;
	mm->end_data = src->end_data;
	mm->start_stack = src->start_stack;
	mm->arg_start = src->arg_start;
	mm->arg_end = src->arg_end;
	mm->env_start = src->env_start;
	mm->env_end = src->env_end;
	struct vma **tail = &mm->vmas;
	for (struct vma *v = src->vmas; v; v = v->next) {
		struct vma *n = mem_zalloc(sizeof *n);
		if (!n) {
			mm_free(mm);
			return NULL;
		}
		*n = *v;
		n->next = NULL;
		n->flags &= ~VMA_LOCK_MASK; /* locks are not inherited */
		if (n->vn)
			vnode_get(n->vn);
		*tail = n;
		tail = &n->next;
		/* a shared mapping's pages are its file's: the child finds them
		 * there when it touches them, as Linux's fork copies no page
		 * table of a shared mapping */
		if (!((v->flags & VMA_SHARED) && v->vn) && copy_range(mm, src, v)) {
			mm_free(mm);
			return NULL;
		}
		if (!(v->flags & VMA_SHARED) && (v->prot & PROT_W))
			plat_protect(parent_space, v->start, v->end - v->start, PROT_W);
	}
	mm->hiwater = mm->pages; /* as Linux's dup_mm */
	mm->map_count = src->map_count;
	return mm;
}

uint64_t mm_file_pages(struct mm *mm)
{
	uint64_t n = 0;
	for (struct vma *v = mm->vmas; v; v = v->next) {
		if (!v->vn)
			continue;
		uint64_t *e;
		for (uint64_t va = v->start; va < v->end && (e = next_present(mm, &va, v->end)) != NULL; va += 4096)
			if ((void *)(*e & SPTE_ADDR) == vnode_page(v->vn, (va - v->start + v->off) / 4096, false))
				n++;
	}
	return n;
}

#define PM_SOFT_DIRTY     (1ull << 55)
#define PM_MMAP_EXCLUSIVE (1ull << 56)
#define PM_FILE           (1ull << 61)
#define PM_PRESENT        (1ull << 63)
#define PM_PFN_MASK       ((1ull << 55) - 1)

uint64_t vm_pagemap(struct mm *mm, uint64_t va, bool show_pfn)
{
	struct vma *v = vma_find(mm, va);
	if (!v)
		return 0;
	uint64_t pm = PM_SOFT_DIRTY, *e = spte(mm, va, false);
	if (!e || !(*e & SPTE_P))
		return pm;
	void *page = (void *)(*e & SPTE_ADDR);
	bool file = v->vn && page == vnode_page(v->vn, (va - v->start + v->off) / 4096, false);
	unsigned maps = page_refs(page) - (file ? 1 : 0); /* (the file's own reference is no mapping) */
	pm |= PM_PRESENT | (file ? PM_FILE : 0) | (maps == 1 ? PM_MMAP_EXCLUSIVE : 0);
	if (show_pfn)
		pm |= ((uint64_t)page >> 12) & PM_PFN_MASK;
	return pm;
}

void *vm_present_page(struct mm *mm, uint64_t va)
{
	uint64_t *e = spte(mm, va, false);
	return e && (*e & SPTE_P) ? (void *)(*e & SPTE_ADDR) : NULL;
}

long vm_access_force(struct proc *p, uint64_t va, void *buf, size_t n, bool write)
{
	int err;
	return (long)copy(p, va, buf, n, ACCESS_FORCE | (write ? PLAT_PF_WRITE : PLAT_PF_READ), &err);
}
