/*
 * memfd_create and file seals (Linux's mm/memfd.c): a memfd is a regular
 * file of the ramfs that no directory names, on a file system of its own
 * (MEMFD_DEV, as Linux's are on its internal tmpfs mount), read, written,
 * mapped and truncated as any other.  Its seals forbid what they name:
 * F_SEAL_SHRINK and F_SEAL_GROW a smaller or larger size (vnode_truncate,
 * vnode_write, fallocate), F_SEAL_WRITE and F_SEAL_FUTURE_WRITE writes and
 * shared writable mappings (sys_mm.c), F_SEAL_SEAL more seals.  Every
 * other regular file of a tmpfs has the seal F_SEAL_SEAL alone, as on
 * Linux; files of other kinds have no seals (EINVAL).
 */
#include "sys.h"

#include <linux/memfd.h>

#define MFD_NAME_MAX  249 /* NAME_MAX less "memfd:" */
#define MFD_ALL_FLAGS (MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB)
#define F_ALL_SEALS   (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)

/* memfd_create(name, flags) */
long sys_memfd_create(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	uint32_t flags = (uint32_t)a->a1;
	uint32_t allowed = MFD_ALL_FLAGS | ((flags & MFD_HUGETLB) ? (uint32_t)MFD_HUGE_MASK << MFD_HUGE_SHIFT : 0);
	if (flags & ~allowed)
		return -EINVAL;
	char name[MFD_NAME_MAX + 1];
	long len = strncpy_from_user(p, name, a->a0, sizeof name);
	if (len < 0)
		return len == -ENAMETOOLONG ? -EINVAL : len;
	if (flags & MFD_HUGETLB)
		return -ENOSYS; /* (Linux without hugetlbfs: there are no huge pages here) */
	if (fd_alloc(p, 0) < 0)
		return -EMFILE;
	struct memfd *m = mem_zalloc(sizeof *m + (size_t)len + 1);
	struct vnode *vn = m ? vnode_new(V_REG, 0777) : NULL;
	if (!vn) {
		mem_free(m);
		return -ENOMEM;
	}
	memcpy(m->name, name, (size_t)len + 1);
	m->seals = (flags & MFD_ALLOW_SEALING) ? 0 : F_SEAL_SEAL;
	vn->memfd = m;
	vn->nlink = 0; /* (unlinked from the start: it goes with its last reference) */
	vn->dev = MEMFD_DEV;
	vn->uid = p->cred.fsuid;
	vn->gid = p->cred.fsgid;
	int err;
	struct file *f = file_open(vn, O_RDWR | O_LARGEFILE, &err);
	if (!f) {
		vnode_put(vn); /* (no reference: it goes) */
		return err;
	}
	return fd_install(p, f, flags & MFD_CLOEXEC);
}

/* the seals of f's file, NULL if it can have none (Linux's
 * memfd_file_seals_ptr: only a shmem file can) */
static uint32_t *file_seals(struct file *f)
{
	static uint32_t sealed = F_SEAL_SEAL; /* (never changed: F_SEAL_SEAL forbids it) */
	struct vnode *vn = f->vn;
	if (vn->memfd)
		return &vn->memfd->seals;
	if (vn->type == V_REG && !vn->fops && !vn->shm && mount_tmpfs(vn->dev))
		return &sealed;
	return NULL;
}

/* a shared mapping of vn that may be made writable exists (Linux's
 * mapping_writably_mapped: F_SEAL_WRITE waits for none) */
static bool mapped_writable(const struct vnode *vn)
{
	proc_for_each(q) {
		if (!q->mm)
			continue;
		for (const struct vma *v = q->mm->vmas; v; v = v->next)
			if (v->vn == vn && (v->flags & VMA_SHARED) && !(v->flags & VMA_NOWRITE))
				return true;
	}
	return false;
}

/* Linux's memfd_add_seals: checked in its order (the file open for
 * writing, known seals, a file that has seals, F_SEAL_SEAL, then the
 * shared writable mappings F_SEAL_WRITE may not have) */
static long add_seals(struct file *f, uint64_t arg)
{
	if (arg > UINT32_MAX)
		return -EINVAL;
	uint32_t acc = f->flags & O_ACCMODE, seals = (uint32_t)arg;
	if (acc != O_WRONLY && acc != O_RDWR)
		return -EPERM;
	if (seals & ~(uint32_t)F_ALL_SEALS)
		return -EINVAL;
	uint32_t *have = file_seals(f);
	if (!have)
		return -EINVAL;
	if (*have & F_SEAL_SEAL)
		return -EPERM;
	if ((seals & F_SEAL_WRITE) && !(*have & F_SEAL_WRITE) && mapped_writable(f->vn))
		return -EBUSY;
	*have |= seals;
	return 0;
}

long memfd_fcntl(struct file *f, unsigned cmd, uint64_t arg)
{
	if (cmd == F_ADD_SEALS)
		return add_seals(f, arg);
	uint32_t *have = file_seals(f);
	return have ? (long)*have : -EINVAL;
}
