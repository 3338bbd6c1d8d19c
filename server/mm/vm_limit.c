/*
 * The limits on process memory, as Linux's mm/mmap.c and mm/util.c set
 * them: how many VMAs a process may have (vm.max_map_count), how much
 * memory may be committed (the overcommit policy), RLIMIT_AS, RLIMIT_DATA
 * and RLIMIT_MEMLOCK.  The sizes Linux keeps as counters (total_vm,
 * data_vm, vm_committed_as) are counted from the VMAs when a limit needs
 * them: only a finite limit or the strict policy costs a walk.
 */
#include "mem.h"
#include "proc.h"
#include "vm.h"

int vm_max_map_count = 65530; /* Linux's DEFAULT_MAX_MAP_COUNT */
int vm_overcommit_memory = OVERCOMMIT_GUESS;
int vm_overcommit_ratio = 50;
uint64_t vm_overcommit_kbytes;

#define ADMIN_RESERVE_PAGES (8192 / 4)   /* Linux's admin_reserve_kbytes (8 MiB at most) */
#define USER_RESERVE_PAGES  (131072 / 4) /* ... and user_reserve_kbytes (128 MiB at most) */

/* Linux's is_data_mapping: private, writable, not the stack */
static bool is_data(unsigned flags, unsigned prot)
{
	return (prot & PROT_W) && !(flags & (VMA_SHARED | VMA_STACK));
}

/* mm's mapped pages (total_vm) and data pages (data_vm) */
static void mm_sizes(struct mm *mm, uint64_t *total, uint64_t *data)
{
	*total = *data = 0;
	for (struct vma *v = mm->vmas; v; v = v->next) {
		uint64_t n = (v->end - v->start) / 4096;
		*total += n;
		if (is_data(v->flags, v->prot))
			*data += n;
	}
}

bool vm_may_expand(struct proc *p, unsigned flags, unsigned prot, uint64_t npages)
{
	uint64_t as = p->rlim[RLIMIT_AS].cur, dl = p->rlim[RLIMIT_DATA].cur;
	if (as == RLIM_INFINITY && (dl == RLIM_INFINITY || !is_data(flags, prot)))
		return true;
	uint64_t total, data;
	mm_sizes(p->mm, &total, &data);
	if (total + npages > as / 4096)
		return false;
	if (is_data(flags, prot) && data + npages > dl / 4096) {
		/* Linux's exception for Valgrind: a soft limit of 0 is the hard one */
		if (!dl && data + npages <= p->rlim[RLIMIT_DATA].max / 4096)
			return true;
		return false;
	}
	return true;
}

bool vm_accountable(unsigned flags, unsigned prot, bool noreserve)
{
	if (noreserve && vm_overcommit_memory != OVERCOMMIT_NEVER)
		return false;
	return (prot & PROT_W) && !(flags & VMA_SHARED);
}

/* the committed memory of every process (Linux's vm_committed_as) */
static uint64_t committed_pages(void)
{
	uint64_t n = 0;
	proc_for_each(q)
	{
		if (q->state != P_LIVE || !q->mm)
			continue;
		for (struct vma *v = q->mm->vmas; v; v = v->next)
			if (v->flags & VMA_ACCOUNT)
				n += (v->end - v->start) / 4096;
	}
	return n;
}

/* the most that may be committed under the strict policy (vm_commit_limit;
 * no swap here) */
static uint64_t commit_limit(void)
{
	if (vm_overcommit_kbytes)
		return vm_overcommit_kbytes / 4;
	int64_t ratio = vm_overcommit_ratio;
	return ratio <= 0 ? 0 : pages_total() * (uint64_t)ratio / 100;
}

int vm_enough_memory(struct proc *p, uint64_t npages)
{
	if (vm_overcommit_memory == OVERCOMMIT_ALWAYS)
		return 0;
	/* the heuristic: no single request larger than the memory there is
	 * (all of the server's memory: what Linux calls totalram; no swap) */
	if (vm_overcommit_memory == OVERCOMMIT_GUESS)
		return npages > pages_total() ? -ENOMEM : 0;
	int64_t allowed = (int64_t)commit_limit();
	if (!cred_capable(&p->cred, CAP_SYS_ADMIN))
		allowed -= ADMIN_RESERVE_PAGES; /* some is kept for root */
	if (p->mm) {                            /* one process may not take it all */
		uint64_t total, data;
		mm_sizes(p->mm, &total, &data);
		allowed -= (int64_t)(total / 32 < USER_RESERVE_PAGES ? total / 32 : USER_RESERVE_PAGES);
	}
	return (int64_t)(committed_pages() + npages) < allowed ? 0 : -ENOMEM;
}

int vm_fork_enough(struct proc *p)
{
	if (vm_overcommit_memory != OVERCOMMIT_NEVER || !p->mm)
		return 0; /* (the heuristic looks at one mapping at a time: each passed when made) */
	uint64_t n = 0;
	for (struct vma *v = p->mm->vmas; v; v = v->next)
		if (v->flags & VMA_ACCOUNT)
			n += (v->end - v->start) / 4096;
	return n ? vm_enough_memory(p, n) : 0;
}

bool vm_can_lock(struct proc *p)
{
	return p->rlim[RLIMIT_MEMLOCK].cur || cred_capable(&p->cred, CAP_IPC_LOCK);
}

bool vm_lock_allowed(struct proc *p, uint64_t npages)
{
	return cred_capable(&p->cred, CAP_IPC_LOCK) || p->mm->locked + npages <= p->rlim[RLIMIT_MEMLOCK].cur / 4096;
}
