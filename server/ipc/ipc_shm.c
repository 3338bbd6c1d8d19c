/*
 * System V shared memory (Linux's ipc/shm.c): shmget, shmat, shmdt and
 * shmctl.  A segment's memory is an unnamed shared-memory file
 * (vnode_new_shmem), which each attachment maps MAP_SHARED, so that it is
 * shared page by page as any shared mapping and is inherited by fork.
 *
 * The segment holds a reference of its own to the vnode; every other
 * reference is a mapping's (a VMA's), so the vnode's references made and
 * dropped are the attachments (shm_mapped, shm_unmapped): shm_nattch
 * counts mappings as Linux's shm_open and shm_close do (a fork's copies
 * and the pieces of a split mapping count).  IPC_RMID of an attached
 * segment makes its key private and marks it SHM_DEST; it goes with its
 * last mapping (a detach, munmap, exec or exit).
 */
#include <asm/shmbuf.h>

#include "ipc.h"
#include "sys.h"

#include "../lib/fmt.h"

#define SHM_DEST_L     01000
#define SHM_LOCKED_L   02000
#define SHM_RDONLY_L   010000
#define SHM_RND_L      020000
#define SHM_REMAP_L    040000
#define SHM_EXEC_L     0100000
#define SHM_LOCK_L     11
#define SHM_UNLOCK_L   12
#define SHM_STAT_L     13
#define SHM_INFO_L     14
#define SHM_STAT_ANY_L 15
#define SHMLBA_L       4096ull
#define SHM_PAGES_MAX  (1ull << 18) /* the largest file (vfs.c: 1 GiB) */

#define PAGE_UP(x) (((x) + 4095) & ~0xfffull)

/* Linux's struct shm_info (SHM_INFO) */
struct shm_info_l {
	int used_ids;
	uint64_t shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes;
};

struct shm_seg {
	struct kipc_perm perm;
	struct vnode *vn;
	uint64_t size;
	int64_t atime, dtime, ctime;
	int cpid, lpid;
	uint64_t nattch;
	int32_t name_key;  /* the key it was made with: its file's name */
	uint32_t lock_uid; /* whose memlock limit SHM_LOCK charged */
};

static struct ipc_ids shm_ids = {.max_idx = -1, .last_idx = -1};
static uint64_t shm_tot;         /* the pages of all segments */
static struct proc *shm_exiting; /* a process whose attachments ipc_exit ends */

static struct shm_seg *seg_of(struct kipc_perm *perm)
{
	return (struct shm_seg *)perm;
}

static uint64_t seg_pages(const struct shm_seg *s)
{
	return PAGE_UP(s->size) >> 12;
}

/* the process that attaches or detaches: the caller, or one ending */
static int actor_pid(void)
{
	if (shm_exiting)
		return shm_exiting->pid;
	return current && current->proc ? current->proc->pid : 0;
}

/* the segment and its id go; its memory with its last reference */
static void shm_destroy(struct shm_seg *s)
{
	struct vnode *vn = s->vn;
	ipc_remove(&shm_ids, &s->perm);
	shm_tot -= seg_pages(s);
	vn->shm = NULL;
	mem_free(s);
	vnode_put(vn); /* (the segment's own) */
}

void shm_mapped(struct vnode *vn)
{
	struct shm_seg *s = vn->shm;
	s->nattch++;
	s->atime = ipc_now();
	int pid = actor_pid();
	if (pid)
		s->lpid = pid;
}

void shm_unmapped(struct vnode *vn)
{
	struct shm_seg *s = vn->shm;
	s->nattch--;
	s->dtime = ipc_now();
	int pid = actor_pid();
	if (pid)
		s->lpid = pid;
	if (!s->nattch && (s->perm.mode & SHM_DEST_L))
		shm_destroy(s);
}

/* a new segment of size bytes (Linux's newseg): its id or -errno */
static long shm_new(struct proc *p, int32_t key, uint64_t size, int flg)
{
	if (size < SHMMIN_L || size > SHMMAX_L)
		return -EINVAL;
	uint64_t pages = PAGE_UP(size) >> 12;
	if (shm_tot + pages > SHMALL_L)
		return -ENOSPC;
	/* more than there is memory for: Linux's overcommit heuristic refuses */
	if (pages > pages_total() || pages > SHM_PAGES_MAX)
		return -ENOMEM;
	struct shm_seg *s = mem_zalloc(sizeof *s);
	struct vnode *vn = s ? vnode_new_shmem(size) : NULL;
	if (!vn) {
		mem_free(s);
		return -ENOMEM;
	}
	s->perm.key = s->name_key = key;
	s->perm.mode = (uint32_t)flg & 0777;
	int id = ipc_add(&shm_ids, &s->perm, &p->cred, SHMMNI_L);
	if (id < 0) {
		vnode_get(vn);
		vnode_put(vn);
		mem_free(s);
		return id;
	}
	vn->refs = 1;           /* the segment's own (not an attachment) */
	vn->ino = (uint64_t)id; /* (as Linux: /proc/PID/maps shows it) */
	vn->dev = 1;
	vn->shm = s;
	s->vn = vn;
	s->size = size;
	s->cpid = p->pid;
	s->ctime = ipc_now();
	shm_tot += pages;
	return id;
}

long sys_shmget(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	int32_t key = (int32_t)a->a0;
	uint64_t size = a->a1;
	int flg = (int)a->a2;
	struct kipc_perm *perm = ipc_find_key(&shm_ids, key);
	if (!perm) {
		if (key != IPC_PRIVATE && !(flg & IPC_CREAT))
			return -ENOENT;
		return shm_new(p, key, size, flg);
	}
	if ((flg & IPC_CREAT) && (flg & IPC_EXCL))
		return -EEXIST;
	if (seg_of(perm)->size < size)
		return -EINVAL;
	if (!ipc_permitted(&p->cred, perm, (int16_t)flg))
		return -EACCES;
	return perm->id;
}

static bool overlaps(struct mm *mm, uint64_t start, uint64_t end)
{
	for (struct vma *v = mm->vmas; v && v->start < end; v = v->next)
		if (v->end > start)
			return true;
	return false;
}

/* shmat(2), in Linux's order of checks (do_shmat) */
long sys_shmat(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	int id = (int)a->a0, flg = (int)a->a2;
	uint64_t addr = a->a1;
	if (id < 0)
		return -EINVAL;
	if (addr) {
		if (addr & (SHMLBA_L - 1)) {
			if (!(flg & SHM_RND_L))
				return -EINVAL;
			addr &= ~(SHMLBA_L - 1);
			if (!addr && (flg & SHM_REMAP_L))
				return -EINVAL;
		}
	} else if (flg & SHM_REMAP_L) {
		return -EINVAL;
	}
	bool fixed = a->a1 != 0;
	unsigned prot = PROT_R | ((flg & SHM_RDONLY_L) ? 0 : PROT_W);
	int acc = (flg & SHM_RDONLY_L) ? 0444 : 0666;
	if (flg & SHM_EXEC_L) {
		prot |= PROT_X;
		acc |= 0111;
	}
	struct kipc_perm *perm = ipc_find_id(&shm_ids, id);
	if (!perm)
		return -EINVAL;
	if (!ipc_permitted(&p->cred, perm, acc))
		return -EACCES;
	struct shm_seg *s = seg_of(perm);
	uint64_t len = PAGE_UP(s->size);
	if (fixed && !(flg & SHM_REMAP_L) && (addr + len < addr || overlaps(p->mm, addr, addr + len)))
		return -EINVAL;
	uint64_t at = addr;
	if (fixed) {
		if (addr >= USER_TOP || len > USER_TOP - addr)
			return -ENOMEM;
		if (addr < MMAP_MIN_ADDR && !cred_capable(&p->cred, CAP_SYS_RAWIO))
			return -EPERM; /* (vm.mmap_min_addr, as mmap) */
		vm_unmap(p, addr, len); /* (SHM_REMAP: what was there goes) */
	} else if (!(at = vm_find_free(p->mm, len))) {
		return -ENOMEM;
	}
	unsigned vflags = VMA_SHARED | ((flg & SHM_RDONLY_L) ? VMA_NOWRITE : 0);
	if (!vma_add(p->mm, at, at + len, prot, vflags, s->vn, 0))
		return -ENOMEM;
	return (long)at;
}

/* a mapping of a segment that an attachment at addr made (or a piece of
 * one: its offset in the segment is its distance from addr) */
static bool attached_at(const struct vma *v, uint64_t addr)
{
	return v->vn && v->vn->shm && (v->start - addr) / 4096 == v->off / 4096;
}

/* shmdt(2): the first attachment at or above addr goes, and the pieces
 * of it that lie within its size of addr (Linux's ksys_shmdt) */
long sys_shmdt(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	uint64_t addr = a->a0;
	if (addr & 0xfff)
		return -EINVAL;
	struct vma *v = p->mm->vmas;
	while (v && (v->end <= addr || !attached_at(v, addr)))
		v = v->next;
	if (!v)
		return -EINVAL;
	struct vnode *vn = v->vn;
	uint64_t size = PAGE_UP(vn->size); /* (vn stays: the segment holds it) */
	vm_unmap(p, v->start, v->end - v->start);
	for (v = p->mm->vmas; v;) {
		if (v->end > addr && v->end - addr <= size && v->vn == vn && attached_at(v, addr)) {
			vm_unmap(p, v->start, v->end - v->start);
			v = p->mm->vmas; /* (the list changed) */
		} else {
			v = v->next;
		}
	}
	return 0;
}

static long shm_stat(struct proc *p, int id, int cmd, uint64_t buf)
{
	struct kipc_perm *perm = cmd == IPC_STAT ? ipc_find_id(&shm_ids, id) : ipc_find_idx(&shm_ids, id);
	if (!perm)
		return -EINVAL;
	if (cmd != SHM_STAT_ANY_L && !ipc_permitted(&p->cred, perm, 0444))
		return -EACCES;
	struct shm_seg *s = seg_of(perm);
	struct shmid64_ds d = {0};
	ipc_to_user(perm, &d.shm_perm);
	d.shm_segsz = s->size;
	d.shm_atime = s->atime;
	d.shm_dtime = s->dtime;
	d.shm_ctime = s->ctime;
	d.shm_cpid = s->cpid;
	d.shm_lpid = s->lpid;
	d.shm_nattch = s->nattch;
	if (copy_to_user(p, buf, &d, sizeof d))
		return -EFAULT;
	return cmd == IPC_STAT ? 0 : perm->id;
}

static long shm_info(struct proc *p, int cmd, uint64_t buf)
{
	int max = ipc_max_idx(&shm_ids);
	long ret = max < 0 ? 0 : max;
	if (cmd == IPC_INFO) {
		struct shminfo64 i = {
		    .shmmax = SHMMAX_L, .shmmin = SHMMIN_L, .shmmni = SHMMNI_L, .shmseg = SHMMNI_L, .shmall = SHMALL_L};
		return copy_to_user(p, buf, &i, sizeof i) ? -EFAULT : ret;
	}
	struct shm_info_l i = {.used_ids = shm_ids.in_use, .shm_tot = shm_tot};
	for (int idx = 0; idx <= shm_ids.max_idx; idx++) {
		struct kipc_perm *perm = ipc_at(&shm_ids, idx);
		if (perm)
			i.shm_rss += seg_of(perm)->vn->present;
	}
	return copy_to_user(p, buf, &i, sizeof i) ? -EFAULT : ret;
}

/* SHM_LOCK and SHM_UNLOCK (Linux's shmctl_do_lock): the pages stay in
 * memory anyway; what is kept is the flag and the owner's memlock limit */
static long shm_lock(struct proc *p, int id, int cmd)
{
	struct kipc_perm *perm = ipc_find_id(&shm_ids, id);
	if (!perm)
		return -EINVAL;
	struct shm_seg *s = seg_of(perm);
	const struct cred *c = &p->cred;
	bool cap = cred_capable(c, CAP_IPC_LOCK);
	if (!cap) {
		if (c->euid != perm->uid && c->euid != perm->cuid)
			return -EPERM;
		if (cmd == SHM_LOCK_L && !p->rlim[RLIMIT_MEMLOCK].cur)
			return -EPERM;
	}
	if (cmd == SHM_UNLOCK_L) {
		perm->mode &= ~(uint32_t)SHM_LOCKED_L;
		return 0;
	}
	if (perm->mode & SHM_LOCKED_L)
		return 0;
	uint64_t limit = p->rlim[RLIMIT_MEMLOCK].cur;
	if (!cap && limit != RLIM_INFINITY) { /* (Linux's user_shm_lock: per user) */
		uint64_t locked = seg_pages(s);
		for (int idx = 0; idx <= shm_ids.max_idx; idx++) {
			struct kipc_perm *o = ipc_at(&shm_ids, idx);
			if (o && (o->mode & SHM_LOCKED_L) && seg_of(o)->lock_uid == c->ruid)
				locked += seg_pages(seg_of(o));
		}
		if (locked > limit >> 12)
			return -ENOMEM;
	}
	perm->mode |= SHM_LOCKED_L;
	s->lock_uid = c->ruid;
	return 0;
}

/* IPC_SET and IPC_RMID: the owner's, the creator's or CAP_SYS_ADMIN's */
static long shm_down(struct proc *p, int id, int cmd, const struct shmid64_ds *in)
{
	struct kipc_perm *perm = ipc_find_id(&shm_ids, id);
	if (!perm)
		return -EINVAL;
	if (!ipc_may_control(&p->cred, perm))
		return -EPERM;
	struct shm_seg *s = seg_of(perm);
	if (cmd == IPC_SET) {
		int err = ipc_set_perm(perm, &in->shm_perm);
		if (!err)
			s->ctime = ipc_now();
		return err;
	}
	if (!s->nattch) {
		shm_destroy(s);
		return 0;
	}
	perm->mode |= SHM_DEST_L;
	perm->key = IPC_PRIVATE; /* found by its id alone */
	return 0;
}

long sys_shmctl(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	int id = (int)a->a0, cmd = (int)a->a1;
	uint64_t buf = a->a2;
	struct shmid64_ds in;
	if (cmd < 0 || id < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case SHM_INFO_L: return shm_info(p, cmd, buf);
	case IPC_STAT:
	case SHM_STAT_L:
	case SHM_STAT_ANY_L: return shm_stat(p, id, cmd, buf);
	case IPC_SET:
		if (copy_from_user(p, &in, buf, sizeof in))
			return -EFAULT;
		return shm_down(p, id, cmd, &in);
	case IPC_RMID: return shm_down(p, id, cmd, NULL);
	case SHM_LOCK_L:
	case SHM_UNLOCK_L: return shm_lock(p, id, cmd);
	default: return -EINVAL;
	}
}

/* p's attachments end with it (its own detaches: its pid is the last) */
static void shm_exit(struct proc *p)
{
	if (!p->mm || !shm_ids.in_use)
		return;
	shm_exiting = p;
	for (struct vma *v = p->mm->vmas; v;) {
		if (v->vn && v->vn->shm) {
			vm_unmap(p, v->start, v->end - v->start);
			v = p->mm->vmas;
		} else {
			v = v->next;
		}
	}
	shm_exiting = NULL;
}

void ipc_exit(struct proc *p, bool mm_goes)
{
	sem_exit(p);
	if (mm_goes)
		shm_exit(p);
}

void shm_map_name(const struct vnode *vn, char *buf, unsigned long size)
{
	snprintf(buf, size, "/SYSV%08x (deleted)", (unsigned)vn->shm->name_key);
}

void shm_proc_show(ipc_emit_fn *emit, void *ctx)
{
	char line[256];
	emit(ctx, "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      "
		  "atime      dtime      ctime                   rss                  swap\n");
	for (int idx = 0; idx <= shm_ids.max_idx; idx++) {
		struct kipc_perm *perm = ipc_at(&shm_ids, idx);
		if (!perm)
			continue;
		struct shm_seg *s = seg_of(perm);
		snprintf(line, sizeof line,
			 "%10d %10d  %4o %21lu %5u %5u  %5lu %5u %5u %5u %5u %10lu %10lu %10lu %21lu %21lu\n",
			 perm->key, perm->id, perm->mode, s->size, s->cpid, s->lpid, s->nattch, perm->uid, perm->gid,
			 perm->cuid, perm->cgid, s->atime, s->dtime, s->ctime, s->vn->present * 4096, 0ul);
		emit(ctx, line);
	}
}
