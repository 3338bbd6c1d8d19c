/*
 * execve of an x86-64 ELF executable from the file system, as Linux's
 * load_elf_binary: a static one (ET_EXEC, or static-PIE ET_DYN loaded at
 * PIE_BASE), or a dynamic one (PT_INTERP) with its interpreter loaded where
 * mmap would put it (the top of the mmap area) and started first, the
 * main program (PIE at PIE_BASE) and its brk below; a "#!" script by its
 * interpreter (load_script); and the initial stack Linux builds: argc,
 * argv, envp, the auxiliary vector, the strings above.
 */
#include "exec.h"
#include "signal.h"

#include "../lib/elf.h"
#include "mem.h"
#include "proc.h"
#include "rusage.h"
#include "sys.h"
#include "uts.h"
#include "vfs.h"
#include "vm.h"

#define MAX_ARGS 4096
#define MAX_STRINGS (128 * 1024) /* bytes of argv and envp strings */
#define HDR_BYTES 4096
#define MAX_SEGS 16
#define STACK_INITIAL (128 * 1024)
#define ELF_EHDR_SIZE    64
#define BINPRM_BUF       256 /* the bytes of a file that say what it is (Linux's BINPRM_BUF_SIZE) */
#define MAX_SCRIPT_DEPTH 5   /* scripts whose interpreter is a script, and so on */

#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif

/* reads n bytes at off of a file into buf (from its pages) */
static void file_bytes(struct vnode *vn, uint64_t off, void *buf, uint64_t n)
{
	char *d = buf;
	while (n) {
		uint64_t in = off & 0xfff, c = 4096 - in < n ? 4096 - in : n;
		const char *page = vnode_page(vn, off / 4096, false);
		if (page)
			memcpy(d, page + in, c);
		else
			memset(d, 0, c);
		d += c;
		off += c;
		n -= c;
	}
}

static unsigned seg_prot(uint32_t f)
{
	return ((f & ELF_PF_R) ? PROT_R : 0) | ((f & ELF_PF_W) ? PROT_W : 0) | ((f & ELF_PF_X) ? PROT_X : 0);
}

/* an executable or interpreter: its file and ELF headers */
struct image {
	struct vnode *vn;
	struct elf_info info;
	struct elf_seg segs[MAX_SEGS];
};

/* the page-aligned range [*lo, *hi) the loadable segments of im span,
 * before relocation */
static void image_span(const struct image *im, uint64_t *lo, uint64_t *hi)
{
	*lo = ~0ull;
	*hi = 0;
	for (unsigned i = 0; i < im->info.nsegs; i++) {
		const struct elf_seg *s = &im->segs[i];
		if (s->vaddr < *lo)
			*lo = s->vaddr;
		if (s->vaddr + s->memsz > *hi)
			*hi = s->vaddr + s->memsz;
	}
	*lo &= ~0xfffull;
	*hi = (*hi + 4095) & ~0xfffull;
}

/* the layout as Linux's load_elf_binary reckons it (but start_code), for
 * a segment of the main program at va */
static void mm_layout_segment(struct mm *mm, const struct elf_seg *s, uint64_t va)
{
	if ((s->flags & ELF_PF_X) && va + s->filesz > mm->end_code)
		mm->end_code = va + s->filesz;
	if (va > mm->start_data)
		mm->start_data = va;
	if (va + s->filesz > mm->end_data)
		mm->end_data = va + s->filesz;
}

/* the segments of the image as VMAs of mm; with main, the layout of mm
 * (code, data, brk in *brk) is the image's */
static int map_segments(struct mm *mm, const struct image *im, uint64_t bias, bool main, uint64_t *brk)
{
	const struct elf_seg *segs = im->segs;
	struct vnode *vn = im->vn;
	uint64_t code = ~0ull;
	*brk = 0;
	for (unsigned i = 0; i < im->info.nsegs; i++) {
		const struct elf_seg *s = &segs[i];
		uint64_t va = s->vaddr + bias, start = va & ~0xfffull, end = (va + s->memsz + 4095) & ~0xfffull;
		if (!s->memsz)
			continue;
		if ((s->vaddr & 0xfff) != (s->offset & 0xfff) || end > USER_TOP || end <= start || start < 0x1000)
			return -ENOEXEC;
		if (main && (s->flags & ELF_PF_X) && va < code)
			code = va;
		if (main)
			mm_layout_segment(mm, s, va);
		for (struct vma *v = mm->vmas; v; v = v->next)
			if (v->start < end && start < v->end)
				return -ENOEXEC; /* overlapping segments */
		unsigned prot = seg_prot(s->flags);
		struct vma *v =
		    vma_add(mm, start, end, prot, (prot & PROT_W) ? VMA_ACCOUNT : 0, vn, s->offset - (va - start));
		if (!v)
			return -ENOMEM;
		v->fend = s->offset + s->filesz;
		if (end > *brk)
			*brk = end;
	}
	if (main)
		mm->start_code = code == ~0ull ? 0 : code;
	return 0;
}

struct strings {
	char *buf;
	uint64_t len;
	uint64_t count;
};

/* copies a NULL-terminated array of user strings into s, whose buffer
 * has room for that many bytes (E2BIG beyond) */
static int gather(struct proc *p, uint64_t uarr, struct strings *s, uint64_t room)
{
	for (uint64_t i = 0; uarr; i++) {
		uint64_t ptr;
		if (i >= MAX_ARGS)
			return -E2BIG;
		if (copy_from_user(p, &ptr, uarr + i * 8, 8))
			return -EFAULT;
		if (!ptr)
			break;
		long n = strncpy_from_user(p, s->buf + s->len, ptr, room - s->len);
		if (n == -ENAMETOOLONG)
			return -E2BIG;
		if (n < 0)
			return (int)n;
		s->len += (uint64_t)n + 1;
		s->count++;
	}
	return 0;
}

/* the strings and vectors on the new stack; returns the stack pointer */
static int build_stack(struct proc *p, const struct strings *av, const struct strings *ev, const char *execfn,
		       const uint64_t *aux, unsigned naux, uint64_t *sp_out)
{
	struct mm *mm = p->mm;
	uint64_t sp = STACK_TOP;
	uint64_t fnlen = strlen(execfn) + 1;
	sp -= fnlen;
	uint64_t execfn_at = sp;
	sp -= ev->len + av->len;
	uint64_t strings_at = sp;
	sp -= 16;
	uint64_t random_at = sp;
	sp -= 8;
	uint64_t platform_at = sp;
	/* pointers: argc, argv[], NULL, envp[], NULL, auxv[] */
	uint64_t words = 1 + av->count + 1 + ev->count + 1 + naux;
	sp = (sp - words * 8) & ~0xfull;
	int err = 0;
	err |= copy_to_user(p, execfn_at, execfn, fnlen);
	err |= copy_to_user(p, strings_at, av->buf, av->len);
	err |= copy_to_user(p, strings_at + av->len, ev->buf, ev->len);
	mm->arg_start = strings_at;
	mm->arg_end = mm->env_start = strings_at + av->len;
	mm->env_end = mm->env_start + ev->len;
	uint64_t rnd[2] = {random_u64(), random_u64()}; /* (AT_RANDOM: the getrandom pool's) */
	err |= copy_to_user(p, random_at, rnd, 16);
	err |= copy_to_user(p, platform_at, "x86_64", 7);
	uint64_t at = sp, v = av->count;
	err |= copy_to_user(p, at, &v, 8);
	at += 8;
	uint64_t s = strings_at;
	for (uint64_t i = 0; i < av->count; i++, at += 8) {
		err |= copy_to_user(p, at, &s, 8);
		s += strlen(av->buf + (s - strings_at)) + 1;
	}
	v = 0;
	err |= copy_to_user(p, at, &v, 8);
	at += 8;
	for (uint64_t i = 0; i < ev->count; i++, at += 8) {
		err |= copy_to_user(p, at, &s, 8);
		s += strlen(ev->buf + (s - strings_at - av->len)) + 1;
	}
	err |= copy_to_user(p, at, &v, 8);
	at += 8;
	for (unsigned i = 0; i < naux; i += 2) {
		uint64_t pair[2] = {aux[i], aux[i + 1]};
		if (pair[0] == AT_RANDOM)
			pair[1] = random_at;
		else if (pair[0] == AT_EXECFN)
			pair[1] = execfn_at;
		else if (pair[0] == AT_PLATFORM)
			pair[1] = platform_at;
		err |= copy_to_user(p, at, pair, 16);
		at += 16;
	}
	*sp_out = mm->start_stack = sp;
	return err ? -EFAULT : 0;
}

static uint64_t hwcap(void)
{
	uint32_t a, b, c, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	return d;
}

static void gather_kernel(const char *const *k, struct strings *s)
{
	for (; k && k[s->count]; s->count++) {
		uint64_t l = strlen(k[s->count]) + 1;
		if (s->len + l > MAX_STRINGS / 2)
			break;
		memcpy(s->buf + s->len, k[s->count], l);
		s->len += l;
	}
}

/* an empty (or NULL) argv gets argv[0] = "" (before the environment's
 * strings, which move up a byte), as Linux does since 5.18, so that a
 * program that starts at argv[1] finds no environment there; logged once,
 * as Linux warns */
static void empty_argv(struct proc *p, const char *path, struct strings *av, struct strings *ev)
{
	static bool logged;
	if (!logged)
		printf("lx4-server: process '%s' launched '%s' with NULL argv: empty string added\n", p->comm, path);
	logged = true;
	memmove(ev->buf + 1, ev->buf, ev->len);
	ev->buf++;
	av->buf[0] = 0;
	av->len = 1;
	av->count = 1;
}

/* Linux's open_exec: the file at path, which p may execute (a directory
 * may be searched: then EACCES for not being a regular file) */
static struct vnode *open_exec(struct proc *p, const char *path, int *err)
{
	struct vnode *vn = vfs_lookup(&p->cred, p->cwd, path, false, err);
	if (!vn)
		return NULL;
	if (vnode_permission(&p->cred, vn, MAY_EXEC) || vn->type != V_REG || (mount_flags(vn) & MS_NOEXEC_L)) {
		vnode_put(vn);
		*err = -EACCES;
		return NULL;
	}
	return vn;
}

/* reads and parses the ELF headers of im->vn: ELF_OK or an elf_err */
static int image_parse(struct image *im)
{
	static uint8_t hdr[HDR_BYTES];
	struct vnode *vn = im->vn;
	uint64_t hlen = vn->size < HDR_BYTES ? vn->size : HDR_BYTES;
	file_bytes(vn, 0, hdr, hlen);
	vnode_access(vn); /* (Linux reads the header through the file: its atime moves) */
	return elf_parse_hdr(hdr, hlen, vn->size, USER_TOP, &im->info, im->segs, MAX_SEGS);
}

/* the interpreter that PT_INTERP of im names, opened and parsed into in:
 * 0 or, as load_elf_binary, ENOEXEC for a PT_INTERP of a bad size or with
 * no NUL at its end (one before it ends the path), EIO for one beyond the
 * file's end or an interpreter shorter than an ELF header, the lookup's
 * error (EACCES for an empty path), ELIBBAD for an interpreter that is no x86-64 ELF or whose
 * program headers are not there */
static int interp_open(struct proc *p, const struct image *im, struct image *in)
{
	static char path[PATH_MAX_LINUX];
	uint64_t n = im->info.interp_len;
	if (n < 2 || n > PATH_MAX_LINUX)
		return -ENOEXEC;
	if (n > im->vn->size || im->info.interp_off > im->vn->size - n)
		return -EIO;
	file_bytes(im->vn, im->info.interp_off, path, n);
	if (path[n - 1])
		return -ENOEXEC;
	if (!path[0])
		return -EACCES; /* (Linux opens "" as the working directory: no regular file) */
	int err;
	if (!(in->vn = open_exec(p, path, &err)))
		return err;
	err = image_parse(in);
	if (in->vn->size < ELF_EHDR_SIZE)
		err = -EIO;
	else if (err == ELF_ETRUNC || err == ELF_EMAGIC || err == ELF_ECLASS)
		err = -ELIBBAD;
	else if (err)
		err = -ENOEXEC; /* (Linux finds these after the point of no return) */
	if (err) {
		vnode_put(in->vn);
		in->vn = NULL;
	}
	return err;
}

/* the arguments and environment into av and ev (strbuf): 0, -EFAULT,
 * -E2BIG */
static int gather_args(struct proc *p, const char *path, uint64_t uargv, uint64_t uenvp, const char *const *kargv,
		       const char *const *kenvp, struct strings *av, struct strings *ev)
{
	static char strbuf[MAX_STRINGS];
	*av = (struct strings){.buf = strbuf};
	*ev = (struct strings){.buf = NULL};
	if (kargv) {
		gather_kernel(kargv, av);
		ev->buf = strbuf + av->len;
		gather_kernel(kenvp, ev);
	} else {
		int err = gather(p, uargv, av, MAX_STRINGS - 1); /* (a byte kept for an empty argv's "") */
		ev->buf = strbuf + av->len;
		if (!err)
			err = gather(p, uenvp, ev, MAX_STRINGS - 1 - av->len);
		if (err)
			return err;
		if (!av->count)
			empty_argv(p, path, av, ev);
	}
	return av->len + ev->len + 64 > STACK_INITIAL ? -E2BIG : 0;
}

static bool spacetab(char c)
{
	return c == ' ' || c == '\t';
}

/* the first index in [i, last] that is not a space or tab, or -1 */
static int non_spacetab(const char *b, int i, int last)
{
	for (; i <= last; i++)
		if (!spacetab(b[i]))
			return i;
	return -1;
}

/* the first index in [i, last] that is a space, tab or NUL, or -1 */
static int terminator(const char *b, int i, int last)
{
	for (; i <= last; i++)
		if (spacetab(b[i]) || !b[i])
			return i;
	return -1;
}

/* Linux's load_script on the first bytes of vn: 0 if it is no "#!" script;
 * 1 with the interpreter's name in name and its one optional argument (the
 * rest of the line) in arg, "" if none; -ENOEXEC for a line with no name
 * or one that goes on past BINPRM_BUF bytes */
static int script_parse(struct vnode *vn, char name[BINPRM_BUF], char arg[BINPRM_BUF])
{
	char b[BINPRM_BUF + 1] = {0};
	file_bytes(vn, 0, b, vn->size < BINPRM_BUF ? vn->size : BINPRM_BUF);
	if (b[0] != '#' || b[1] != '!')
		return 0;
	vnode_access(vn);
	int end = 0, last = BINPRM_BUF - 1;
	while (end < BINPRM_BUF && b[end] && b[end] != '\n')
		end++;
	if (end == BINPRM_BUF || !b[end]) { /* no newline: the name must end in the buffer */
		int i = non_spacetab(b, 2, last);
		if (i < 0 || terminator(b, i, last) < 0)
			return -ENOEXEC;
		end = last;
	}
	while (spacetab(b[end - 1]))
		end--;
	int at = non_spacetab(b, 2, end), sep = at < 0 ? -1 : terminator(b, at, end), argat = -1;
	if (at < 0 || at == end)
		return -ENOEXEC;
	if (sep >= 0 && b[sep])
		argat = non_spacetab(b, sep, end);
	b[end] = 0;
	if (argat >= 0)
		b[sep] = 0;
	memcpy(name, b + at, strlen(b + at) + 1);
	if (argat >= 0)
		memcpy(arg, b + argat, strlen(b + argat) + 1);
	else
		arg[0] = 0;
	return 1;
}

/* the arguments of a script's interpreter: its name, its argument (if
 * any) and the script's file in place of argv[0], then argv[1]...; 0 or
 * -E2BIG */
static int script_args(struct strings *av, struct strings *ev, const char *name, const char *arg, const char *file)
{
	static char tmp[MAX_STRINGS];
	uint64_t first = strlen(av->buf) + 1, rest = av->len - first;
	uint64_t ln = strlen(name) + 1, la = arg[0] ? strlen(arg) + 1 : 0, lf = strlen(file) + 1;
	uint64_t len = ln + la + lf + rest;
	if (len + ev->len > MAX_STRINGS || len + ev->len + 64 > STACK_INITIAL)
		return -E2BIG;
	memcpy(tmp, name, ln);
	memcpy(tmp + ln, arg, la);
	memcpy(tmp + ln + la, file, lf);
	memcpy(tmp + ln + la + lf, av->buf + first, rest);
	memcpy(tmp + len, ev->buf, ev->len);
	memcpy(av->buf, tmp, len + ev->len);
	ev->buf = av->buf + len;
	av->len = len;
	av->count += la ? 2 : 1;
	return 0;
}

/* the ELF file to load for path (Linux's exec_binprm): path itself, or
 * the interpreter of a "#!" script (of a script...), av rewritten for it;
 * *file is its path.  A referenced vnode, or NULL with *err: the lookup's
 * error, ENOEXEC, E2BIG, ELOOP past MAX_SCRIPT_DEPTH scripts */
static struct vnode *exec_file(struct proc *p, const char *path, struct strings *av, struct strings *ev,
			       const char **file, int *err)
{
	static char names[2][BINPRM_BUF], arg[BINPRM_BUF];
	*file = path;
	for (int depth = 0;; depth++) {
		struct vnode *vn = open_exec(p, *file, err);
		if (!vn)
			return NULL;
		if (depth > MAX_SCRIPT_DEPTH) {
			vnode_put(vn);
			*err = -ELOOP;
			return NULL;
		}
		char *name = names[depth & 1]; /* (*file may be the other) */
		int script = script_parse(vn, name, arg);
		if (!script)
			return vn;
		vnode_put(vn);
		if (script < 0 || (script = script_args(av, ev, name, arg, *file))) {
			*err = script;
			return NULL;
		}
		*file = name;
	}
}

/* the program (and interpreter, if in->vn) mapped into mm with the stack:
 * *bias is the program's relocation, *base the interpreter's (0 without),
 * *entry where the process starts */
static int load_images(struct mm *mm, const struct image *im, const struct image *in, uint64_t *bias, uint64_t *base,
		       uint64_t *entry)
{
	uint64_t lo, hi, brk, ibrk;
	image_span(im, &lo, &hi);
	/* ELF_ET_DYN_BASE for an ET_DYN program, as Linux without ASLR */
	*bias = im->info.type == 3 ? PIE_BASE - lo : 0;
	*base = 0;
	*entry = *bias + im->info.entry;
	int err = map_segments(mm, im, *bias, true, &brk);
	if (!err && !vma_add(mm, STACK_TOP - STACK_INITIAL, STACK_TOP, PROT_R | PROT_W,
			     VMA_ANON | VMA_STACK | VMA_ACCOUNT, NULL, 0))
		err = -ENOMEM;
	if (err)
		return err;
	mm->brk_start = mm->brk = brk;
	if (!in->vn)
		return 0;
	/* the interpreter where an mmap of it all would go (load_elf_interp) */
	image_span(in, &lo, &hi);
	uint64_t at = in->info.type == 3 ? vm_find_free(mm, hi - lo) : lo;
	if (!at)
		return -ENOMEM;
	*base = at - lo;
	*entry = *base + in->info.entry;
	return map_segments(mm, in, *base, false, &ibrk);
}

int exec_image(struct proc *p, const char *path, uint64_t uargv, uint64_t uenvp, const char *const *kargv,
	       const char *const *kenvp, uint64_t *regs, bool *committed)
{
	int err;
	*committed = false;
	/* the arguments first, then the file, its headers and interpreter, all
	 * before the old image goes (Linux 6.1's do_execveat_common and
	 * bprm_execve: a bad argv is EFAULT even for a missing file) */
	struct strings av, ev;
	if ((err = gather_args(p, path, uargv, uenvp, kargv, kenvp, &av, &ev)))
		return err;
	struct image im = {0}, in = {0};
	const char *file;
	if (!(im.vn = exec_file(p, path, &av, &ev, &file, &err)))
		return err;
	struct vnode *vn = im.vn;
	/* the new credentials (a set-user-ID or set-group-ID file's owner,
	 * but not on a nosuid file system) */
	struct cred nc = p->cred; /* (the same groups: nothing to free) */
	bool suid = !(mount_flags(vn) & MS_NOSUID_L);
	uint32_t fuid = suid && (vn->mode & S_ISUID_L) ? vn->uid : ID_UNCHANGED;
	uint32_t fgid = suid && (vn->mode & (S_ISGID_L | 0010)) == (S_ISGID_L | 0010) ? vn->gid : ID_UNCHANGED;
	bool secure = cred_exec(&nc, fuid, fgid, p->no_new_privs);
	if ((err = image_parse(&im) ? -ENOEXEC : 0) ||
	    ((im.info.flags & ELF_PT_INTERP_SEEN) && (err = interp_open(p, &im, &in)))) {
		vnode_put(vn);
		return err;
	}
	/* the point of no return: the other threads end (Linux's de_thread:
	 * the caller lives on with its own id), a fresh address space */
	if (p->nthreads > 1 && current && current->proc == p)
		thread_end_others(p, current);
	struct mm *mm = mm_new();
	if (!mm) {
		vnode_put(vn);
		if (in.vn)
			vnode_put(in.vn);
		return -ENOMEM;
	}
	if (p->mm && p->mm->users > 1) {
		/* a vfork child: the memory stays its parent's, the child gets
		 * a space of its own (the caller starts its thread there) */
		struct plat_space s;
		if (plat_space_create(&s)) {
			mm_free(mm);
			vnode_put(vn);
			if (in.vn)
				vnode_put(in.vn);
			return -ENOMEM;
		}
		p->mm->users--;
		p->space = s;
	} else if (p->mm) {
		plat_unmap(&p->space, 0, USER_TOP);
		rusage_mm_gone(p); /* its peak stays the process's */
		mm_free(p->mm);
	}
	p->mm = mm;
	*committed = true; /* from here on a failure kills p */
	uint64_t bias, ibase, entry;
	err = load_images(mm, &im, &in, &bias, &ibase, &entry);
	if (in.vn)
		vnode_put(in.vn); /* (its VMAs hold it) */
	if (err) {
		vnode_put(vn);
		return err;
	}
	uint64_t aux[] = {
	    AT_MINSIGSTKSZ, sigframe_max_size(),
	    AT_HWCAP,       hwcap(),
	    AT_PAGESZ,      4096,
	    AT_CLKTCK,      100,
	    AT_PHDR,        bias + im.info.phdr_vaddr,
	    AT_PHENT,       56,
	    AT_PHNUM,       im.info.phnum,
	    AT_BASE,        ibase,
	    AT_FLAGS,       0,
	    AT_ENTRY,       bias + im.info.entry,
	    AT_UID,         nc.ruid,
	    AT_EUID,        nc.euid,
	    AT_GID,         nc.rgid,
	    AT_EGID,        nc.egid,
	    AT_SECURE,      secure,
	    AT_RANDOM,      0,
	    AT_HWCAP2,      0,
	    AT_EXECFN,      0,
	    AT_PLATFORM,    0,
	    AT_NULL,        0,
	};
	uint64_t sp;
	if ((err = build_stack(p, &av, &ev, path, aux, sizeof aux / sizeof aux[0], &sp))) {
		vnode_put(vn);
		return -ENOEXEC;
	}
	/* Linux's begin_new_exec and commit_creds: a process whose ids differ
	 * (before, or from before) may not be dumped or traced */
	const struct cred *oc = &p->cred;
	p->undumpable = oc->euid != oc->ruid || oc->egid != oc->rgid || cred_changes_identity(oc, &nc);
	p->cred = nc;
	uts_exec(p);
	/* the command name: the last part of the path */
	const char *base = path;
	for (const char *c = path; *c; c++)
		if (*c == '/' && c[1])
			base = c + 1;
	size_t i = 0;
	for (; base[i] && base[i] != '/' && i < sizeof p->comm - 1; i++)
		p->comm[i] = base[i];
	p->comm[i] = 0;
	if (p->thread)
		memcpy(p->thread->comm, p->comm, sizeof p->comm); /* (the one thread left) */
	size_t pl = strlen(file); /* (a script's: its interpreter) */
	if (pl >= sizeof p->exe)
		pl = sizeof p->exe - 1;
	memcpy(p->exe, file, pl);
	p->exe[pl] = 0;
	if (p->exe_vn)
		vnode_put(p->exe_vn);
	p->exe_vn = vn; /* (the reference the lookup took) */
	p->forked_noexec = false;
	for (unsigned r = 0; r < PLAT_REG_COUNT; r++)
		regs[r] = 0;
	regs[PLAT_REG_RIP] = entry;
	regs[PLAT_REG_RSP] = sp;
	regs[PLAT_REG_RFLAGS] = 0x202;
	/* handlers go back to the default on exec; the mask and pending
	 * signals stay */
	signal_exec(p, p->thread);
	return 0;
}
