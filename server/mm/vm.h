/*
 * Process memory: the VMAs of an address space and the server's own page
 * table of it, the shadow of the kernel's.  The shadow is the truth: the
 * server decides (a zeroed page, a file page, a copy, a refusal) and asks
 * the platform to map; the kernel's table is a cache it may drop.  The
 * server reads and writes process memory through the shadow: no IPC per
 * copy.
 */
#ifndef SRV_VM_H
#define SRV_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform.h"

struct proc;
struct vnode;

#define USER_TOP 0x00007ffffffff000ull /* no user page at or above */
#define STACK_TOP USER_TOP
#define STACK_MAX (8ull << 20)
#define MMAP_TOP 0x00007ffff7fff000ull
#define MMAP_MIN_ADDR 0x10000ull /* Debian's vm.mmap_min_addr: hints below go up to it; fixed mappings below take CAP_SYS_RAWIO */
#define PIE_BASE 0x0000555555554000ull

/* VMA flags */
#define VMA_SHARED 0x1
#define VMA_ANON 0x2
#define VMA_STACK 0x4 /* grows down */
#define VMA_NOWRITE 0x8 /* may not be made writable (shared, of a file not open for writing) */
#define VMA_LOCKED      0x10 /* mlock: its pages stay (counted in mm->locked) */
#define VMA_LOCKONFAULT 0x20 /* ... made present as they are touched, not at once */
#define VMA_ACCOUNT     0x40 /* committed memory (Linux's VM_ACCOUNT: private writable) */
#define VMA_NORESERVE   0x80 /* MAP_NORESERVE while overcommit is allowed: never committed */
#define VMA_LOCK_MASK   (VMA_LOCKED | VMA_LOCKONFAULT)
#define VMA_NOEXEC      0x100 /* may not be made executable (a file on a noexec mount) */

struct vma {
	uint64_t start, end;
	unsigned prot;  /* PROT_R/W/X */
	unsigned flags; /* VMA_* */
	struct vnode *vn;
	uint64_t off;  /* file offset of start */
	uint64_t fend; /* file offsets at or beyond read as zero (an ELF
			* segment's bss); ~0: the whole file */
	struct vma *next;
};

struct mm {
	struct vma *vmas; /* sorted by address */
	struct vma *vma_last; /* the one vma_find found last (NULL once one is freed) */
	uint64_t brk_start, brk;
	/* the image's layout as exec made it (/proc/PID/stat and cmdline) */
	uint64_t start_code, end_code, start_data, end_data, start_stack;
	uint64_t arg_start, arg_end, env_start, env_end;
	uint64_t *pt;     /* shadow page table: four levels of 512 entries */
	struct table_list *tables; /* the tables under pt, to be freed without a scan */
	uint64_t pages;   /* pages in the shadow */
	uint64_t hiwater; /* the most it had (VmHWM, ru_maxrss) */
	uint64_t map_count; /* VMAs (Linux's map_count: vm.max_map_count) */
	uint64_t locked;    /* pages of VMA_LOCKED VMAs (VmLck) */
	unsigned def_flags; /* VMA_LOCK_MASK bits new mappings get (mlockall MCL_FUTURE) */
	int users;          /* the processes that share it (CLONE_VM: a vfork child and its parent) */
};

struct mm *mm_new(void);
/* a copy of mm for a child (fork): every private page shared
 * copy-on-write; the parent's own mappings lose their write right */
struct mm *mm_fork(struct mm *mm, struct plat_space *parent_space);
/* frees every page and VMA (the platform space goes separately) */
void mm_free(struct mm *mm);

struct vma *vma_find(struct mm *mm, uint64_t addr);
/* a new VMA over [start, end), which must be free; NULL: no memory */
struct vma *vma_add(struct mm *mm, uint64_t start, uint64_t end, unsigned prot, unsigned flags, struct vnode *vn,
		    uint64_t off);
/* a free range of len bytes at or below hint/top, or 0 */
uint64_t vm_find_free(struct mm *mm, uint64_t len);

/* resolves a fault of p at addr (PLAT_PF_* access): 0 or -EFAULT (no VMA
 * or no right: the process gets SIGSEGV) or -EIO (a file page beyond the
 * end of the file: SIGBUS) or -ENOMEM.  With in_reply, the page goes with
 * the reply to the fault (plat_reply_fault: made on success); else it is
 * mapped into the process by a call of its own. */
int vm_fault(struct proc *p, uint64_t addr, unsigned access, bool in_reply);
/* removes [start, start+len): VMAs split, pages freed, mappings gone */
int vm_unmap(struct proc *p, uint64_t start, uint64_t len);
/* sets the protection of [start, start+len) (every page mapped, else
 * -ENOMEM) to prot, and the VMA flags set_flags with it; a VMA that
 * keeps its protection is left alone */
int vm_protect(struct proc *p, uint64_t start, uint64_t len, unsigned prot, unsigned set_flags);
/* drops the pages of [start, start+len) (madvise DONTNEED): anonymous
 * memory reads as zero again */
int vm_discard(struct proc *p, uint64_t start, uint64_t len);
/* sets the VMA_LOCK_MASK bits of [start, end), which must be mapped, to
 * lock (splitting VMAs as mprotect does), with mm->locked kept: 0 or
 * -ENOMEM (no memory, or vm.max_map_count reached) */
int vm_set_lock(struct mm *mm, uint64_t start, uint64_t end, unsigned lock);
/* makes the pages of [start, end) present, as Linux's populate (mlock,
 * MAP_POPULATE): writable private ones copied; VMA_LOCKONFAULT VMAs,
 * holes and unwritable anonymous memory passed over; never the last
 * sixteenth of the memory.  0, or -EFAULT (an inaccessible VMA, a page past
 * a file's end), -ENOMEM; with ignore, on to the next VMA after an error */
int vm_populate(struct proc *p, uint64_t start, uint64_t end, bool ignore);

/* merges the VMA at start with the ones that continue it (adjacent, the
 * same protection, flags and file at the following offset) up to end, as
 * Linux would have made them one */
void vm_merge(struct mm *mm, uint64_t start, uint64_t end);
/* merges what [start, end) and the VMAs either side of it now allow */
void vm_merge_around(struct mm *mm, uint64_t start, uint64_t end);
/* moves [old, old+old_len), which lies in one VMA, to [new, new+new_len),
 * which must be free (mremap): the pages go with it, no copy; a new_len
 * beyond old_len is new memory of the mapping (the file at the offsets
 * that follow).  With keep_old the old range stays mapped, empty (a shared
 * mapping shows its file's pages there again).  An old_len of 0 makes a
 * second mapping of the same pages (a shared mapping's duplicate).  0 or
 * -ENOMEM (nothing moved) */
int vm_move(struct proc *p, uint64_t old, uint64_t old_len, uint64_t new, uint64_t new_len, bool keep_old);

/* the limits on process memory (vm_limit.c), Linux's sysctls: vm.max_map_count,
 * vm.overcommit_memory (0 heuristic, 1 always, 2 never), overcommit_ratio
 * and overcommit_kbytes */
extern int vm_max_map_count, vm_overcommit_memory, vm_overcommit_ratio;
extern uint64_t vm_overcommit_kbytes;
#define OVERCOMMIT_GUESS  0
#define OVERCOMMIT_ALWAYS 1
#define OVERCOMMIT_NEVER  2
/* Linux's may_expand_vm: npages more of a mapping with VMA flags and
 * prot keep p within RLIMIT_AS and (a data mapping) RLIMIT_DATA */
bool vm_may_expand(struct proc *p, unsigned flags, unsigned prot, uint64_t npages);
/* Linux's __vm_enough_memory: npages more committed memory for p under the
 * overcommit policy: 0 or -ENOMEM */
int vm_enough_memory(struct proc *p, uint64_t npages);
/* dup_mmap's charge: fork commits p's accountable mappings once more
 * (-ENOMEM past the strict policy's limit) */
int vm_fork_enough(struct proc *p);
/* would the mapping be committed memory (VMA_ACCOUNT)?  private writable
 * memory, unless MAP_NORESERVE while overcommit is allowed */
bool vm_accountable(unsigned flags, unsigned prot, bool noreserve);
/* RLIMIT_MEMLOCK: may p lock at all (-EPERM), may it have npages more
 * locked (false) */
bool vm_can_lock(struct proc *p);
bool vm_lock_allowed(struct proc *p, uint64_t npages);

/* process memory through the shadow (faulting pages in as needed) */
int copy_from_user(struct proc *p, void *dst, uint64_t src, size_t n);
int copy_to_user(struct proc *p, uint64_t dst, const void *src, size_t n);
/* the 4-aligned word at va, where p may write it, through the server's own
 * mapping of its page (faulted in): for a read-modify-write that whatever
 * else runs on the memory sees whole (futex's FUTEX_WAKE_OP); NULL with
 * *err -EFAULT (or -ENOMEM) */
uint32_t *vm_user_word(struct proc *p, uint64_t va, int *err);
/* a string of at most max bytes with its NUL: its length, -EFAULT, or
 * -ENAMETOOLONG */
long strncpy_from_user(struct proc *p, char *dst, uint64_t src, size_t max);
int clear_user(struct proc *p, uint64_t dst, size_t n);
/* /proc/PID/mem's access (Linux's access_remote_vm with FOLL_FORCE): n
 * bytes at va read into buf or written from it whatever the protection (a
 * write to a private mapping that may not be written makes the process
 * its own copy; a shared one must be writable); the bytes moved, fewer if
 * a page is not mapped */
long vm_access_force(struct proc *p, uint64_t va, void *buf, size_t n, bool write);
/* the page at va if the shadow has it, else NULL (nothing is faulted in) */
void *vm_present_page(struct mm *mm, uint64_t va);
/* /proc/PID/pagemap's entry for the page at va (Linux's pagemap_pmd_range):
 * 0 outside every VMA; else soft-dirty (bit 55: there is no clear_refs, so
 * every mapping is), and for a page that is there present (63), a file's
 * own page or shared memory's (61), mapped once (56), and with show_pfn
 * its frame in the low 55 bits (the server's page number: lx4 does not
 * show physical addresses) */
uint64_t vm_pagemap(struct mm *mm, uint64_t va, bool show_pfn);
/* the pages of mm that are a file's own (not copies), shared anonymous
 * memory's included */
uint64_t mm_file_pages(struct mm *mm);

#endif
