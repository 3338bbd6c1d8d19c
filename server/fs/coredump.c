/*
 * Core dumps, as Linux writes them with its default core_pattern "core":
 * a process ended by a signal whose default action dumps core writes an
 * ELF core file named core in its working directory, if its RLIMIT_CORE
 * allows a page and it may be dumped (not a process that changed ids),
 * made as the process would make it (its permissions; an old core goes
 * first; a new file of mode 0600 that is the process's).  Its wait status
 * then has the core-dump bit (WCOREDUMP, 0x80).
 *
 * The file: the ELF header, a PT_NOTE with NT_PRSTATUS (the registers),
 * NT_PRPSINFO, NT_SIGINFO and NT_FPREGSET, and a PT_LOAD for each mapping
 * with the contents Linux's default coredump_filter (0x33) keeps: private
 * mappings that have pages of their own, shared anonymous memory, and the
 * first page of a file mapping that starts with an ELF header.  Pages
 * never touched are holes.  A dump that reaches RLIMIT_CORE stops there
 * and still counts (the bit is set), as on Linux.
 */
#include <linux/elf.h>

#include "signal.h"
#include "sys.h"

#ifndef SIGBIT
#define SIGBIT(s) (1ull << ((s)-1))
#endif
#define CORE_SIGS                                                                                                  \
	(SIGBIT(SIGQUIT) | SIGBIT(SIGILL) | SIGBIT(SIGTRAP) | SIGBIT(SIGABRT) | SIGBIT(SIGBUS) | SIGBIT(SIGFPE) |     \
	 SIGBIT(SIGSEGV) | SIGBIT(SIGXCPU) | SIGBIT(SIGXFSZ) | SIGBIT(SIGSYS))
#define PG 4096ull

/* x86-64's struct elf_prstatus and elf_prpsinfo, as the kernel lays them out */
struct prstatus {
	int32_t si_signo, si_code, si_errno;
	int16_t cursig, pad0;
	uint64_t sigpend, sighold;
	int32_t pid, ppid, pgrp, sid;
	int64_t utime[2], stime[2], cutime[2], cstime[2];
	uint64_t reg[27]; /* struct user_regs_struct */
	int32_t fpvalid, pad1;
};
struct prpsinfo {
	char state, sname, zomb, nice;
	uint32_t pad;
	uint64_t flag;
	uint32_t uid, gid;
	int32_t pid, ppid, pgrp, sid;
	char fname[16], psargs[80];
};
_Static_assert(sizeof(struct prstatus) == 336, "elf_prstatus");
_Static_assert(sizeof(struct prpsinfo) == 136, "elf_prpsinfo");

#define MAX_NOTES 2048

/* the notes, built in one buffer */
struct notes {
	uint8_t buf[MAX_NOTES];
	uint32_t len;
};

static void note(struct notes *n, uint32_t type, const void *desc, uint32_t size)
{
	Elf64_Nhdr h = {5, size, type}; /* "CORE" and its NUL */
	uint32_t need = sizeof h + 8 + ((size + 3) & ~3u);
	if (n->len + need > sizeof n->buf)
		return;
	memcpy(n->buf + n->len, &h, sizeof h);
	memcpy(n->buf + n->len + sizeof h, "CORE\0\0\0", 8);
	memcpy(n->buf + n->len + sizeof h + 8, desc, size);
	n->len += need;
}

/* user_regs_struct from the platform's registers */
static void user_regs(const uint64_t *r, uint64_t *u)
{
	static const int order[] = {PLAT_REG_R15, PLAT_REG_R14, PLAT_REG_R13, PLAT_REG_R12, PLAT_REG_RBP, PLAT_REG_RBX,
				    PLAT_REG_R11, PLAT_REG_R10, PLAT_REG_R9,  PLAT_REG_R8,  PLAT_REG_RAX, PLAT_REG_RCX,
				    PLAT_REG_RDX, PLAT_REG_RSI, PLAT_REG_RDI};
	for (unsigned i = 0; i < 15; i++)
		u[i] = r[order[i]];
	u[15] = ~0ull; /* orig_rax: no system call */
	u[16] = r[PLAT_REG_RIP];
	u[17] = 0x33; /* cs */
	u[18] = r[PLAT_REG_RFLAGS];
	u[19] = r[PLAT_REG_RSP];
	u[20] = 0x2b; /* ss */
	u[21] = r[PLAT_REG_FSBASE];
	u[22] = r[PLAT_REG_GSBASE];
}

/* how much of a mapping goes into the dump (Linux's vma_dump_size with
 * coredump_filter 0x33) */
static uint64_t dump_size(struct mm *mm, struct vma *v)
{
	uint64_t size = v->end - v->start;
	if ((v->flags & VMA_SHARED) && v->vn)
		return v->vn->nlink ? 0 : size; /* shared anonymous memory, not a file's */
	for (uint64_t va = v->start; va < v->end; va += PG) {
		void *page = vm_present_page(mm, va);
		if (page && (!v->vn || page != vnode_page(v->vn, (va - v->start + v->off) / PG, false)))
			return size; /* written: it has pages of its own */
	}
	if (v->vn && !v->off && (v->prot & PROT_R)) { /* an ELF file's header page */
		const uint8_t *first = vnode_page(v->vn, 0, false);
		if (first && !memcmp(first, ELFMAG, SELFMAG))
			return PG;
	}
	return 0;
}

/* writes n bytes of buf at off; false if that passes the limit */
static bool emit(struct vnode *vn, uint64_t off, const void *buf, uint64_t n, uint64_t limit)
{
	if (off + n > limit)
		return false;
	struct linux_iovec v = {(uint64_t)buf, n};
	struct uio u = {.proc = NULL, .iov = &v, .iovcnt = 1};
	return vnode_write(vn, off, &u) == (long)n;
}

/* the file core in p's working directory, made as p would make it (an
 * old one removed first), or NULL */
static struct vnode *core_file(struct proc *p)
{
	int err;
	char name[256];
	struct vnode *dir = vfs_lookup_parent(&p->cred, p->cwd, "core", name, sizeof name, &err);
	if (!dir)
		return NULL;
	struct vnode *old = vfs_dir_find(dir, name);
	if (old && old->type != V_DIR && !vfs_may_delete(&p->cred, dir, old))
		vfs_dir_remove(dir, name, old);
	struct vnode *vn = NULL;
	if (!vfs_dir_find(dir, name) && !dir->dops && !vfs_may_create(&p->cred, dir) && !vfs_inode_room(dir) &&
	    (vn = vnode_create(&p->cred, dir, V_REG, 0600 & ~p->umask)) && vfs_dir_add(dir, name, vn)) {
		vn->nlink = 0;
		vnode_get(vn);
		vnode_put(vn); /* (frees it) */
		vn = NULL;
	}
	vnode_put(dir);
	/* do_coredump's checks: one link, the process's, mode 0600 */
	if (vn && (vn->uid != p->cred.fsuid || (vn->mode & 0677) != 0600))
		vn = NULL;
	if (vn)
		vnode_get(vn);
	return vn;
}

bool coredump(struct proc *p, int sig)
{
	if (!(CORE_SIGS & SIGBIT(sig)) || p->undumpable || !p->mm || !p->thread)
		return false;
	uint64_t limit = p->rlim[RLIMIT_CORE].cur;
	if (limit < PG)
		return false;
	static uint64_t regs[PLAT_REG_COUNT];
	if (plat_thread_get(&p->thread->plat, true, regs, plat_fpu_area()))
		return false;
	static struct notes n;
	n.len = 0;
	struct prstatus st = {.si_signo = sig, .cursig = (int16_t)sig, .pid = p->pid, .pgrp = p->pgid, .sid = p->sid};
	st.ppid = p->parent ? p->parent->pid : 0;
	st.sigpend = p->sigpend.set | p->thread->sigpend.set;
	st.sighold = p->thread->sigmask;
	st.fpvalid = 1;
	user_regs(regs, st.reg);
	note(&n, NT_PRSTATUS, &st, sizeof st);
	struct prpsinfo ps = {.state = 0, .sname = 'R', .pid = p->pid, .pgrp = p->pgid, .sid = p->sid};
	ps.ppid = st.ppid;
	ps.nice = (char)p->traits.nice;
	ps.uid = p->cred.ruid;
	ps.gid = p->cred.rgid;
	memcpy(ps.fname, p->comm, sizeof ps.fname - 1);
	memcpy(ps.psargs, p->comm, sizeof ps.fname - 1);
	note(&n, NT_PRPSINFO, &ps, sizeof ps);
	siginfo_t si;
	siginfo_from(&si, sig, SI_KERNEL, 0);
	note(&n, 0x53494749 /* NT_SIGINFO */, &si, 128);
	note(&n, NT_PRFPREG, plat_fpu_area(), 512); /* (the FXSAVE part of the image) */

	struct vnode *vn = core_file(p);
	if (!vn)
		return false;
	unsigned nload = 0;
	for (struct vma *v = p->mm->vmas; v; v = v->next)
		nload++;
	uint64_t hdrs = sizeof(Elf64_Ehdr) + (nload + 1) * sizeof(Elf64_Phdr);
	uint64_t data = (hdrs + n.len + PG - 1) & ~(PG - 1);
	Elf64_Ehdr eh = {.e_type = ET_CORE, .e_machine = EM_X86_64, .e_version = EV_CURRENT};
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_phoff = sizeof eh;
	eh.e_ehsize = sizeof eh;
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (uint16_t)(nload + 1);
	/* Linux's elf_core_dump: the headers, the notes, then the memory;
	 * once the dump has begun, a limit that stops it leaves a core that
	 * counts (the bit is set) */
	if (!emit(vn, 0, &eh, sizeof eh, limit)) {
		vnode_put(vn);
		return false;
	}
	Elf64_Phdr ph = {.p_type = PT_NOTE, .p_offset = hdrs, .p_filesz = n.len};
	bool ok = emit(vn, sizeof eh, &ph, sizeof ph, limit);
	uint64_t off = data, at = sizeof eh + sizeof ph;
	for (struct vma *v = p->mm->vmas; v && ok; v = v->next, at += sizeof ph) {
		uint64_t size = dump_size(p->mm, v);
		ph = (Elf64_Phdr){.p_type = PT_LOAD, .p_offset = off, .p_vaddr = v->start, .p_filesz = size,
				  .p_memsz = v->end - v->start, .p_align = PG};
		ph.p_flags = ((v->prot & PROT_R) ? PF_R : 0) | ((v->prot & PROT_W) ? PF_W : 0) |
			     ((v->prot & PROT_X) ? PF_X : 0);
		ok = emit(vn, at, &ph, sizeof ph, limit);
		off += size;
	}
	ok = ok && emit(vn, hdrs, n.buf, n.len, limit);
	off = data;
	for (struct vma *v = p->mm->vmas; v && ok; v = v->next) {
		uint64_t size = dump_size(p->mm, v);
		for (uint64_t va = v->start; ok && va < v->start + size; va += PG, off += PG) {
			void *page = vm_present_page(p->mm, va);
			if (!page && v->vn && !(v->flags & VMA_SHARED))
				page = vnode_page(v->vn, (va - v->start + v->off) / PG, false);
			if (page)
				ok = emit(vn, off, page, PG, limit);
			else if (off + PG > limit) /* (a hole counts against the limit too) */
				ok = false;
		}
	}
	if (ok && vn->size < off)
		vnode_truncate(vn, off); /* (the holes at the end) */
	vnode_put(vn);
	return true;
}

