/*
 * Kernel memory: one pool of page frames reserved at boot, handed out a
 * page at a time.  Every page a user action causes the kernel to use is
 * charged to a task's quota (its "account"), so no user program can make
 * the kernel run out of memory.  Small objects come from per-account slabs
 * whose pages are charged whole, so the charge is exact.
 */
#ifndef KERNEL_KMEM_H
#define KERNEL_KMEM_H

#include "types.h"

struct task;

#define SLAB_CLASSES 6 /* 64, 128, 256, 512, 1024, 2048 bytes */

struct slab_page;
struct slab_cache {
	struct slab_page *partial;
};

void kmem_init(paddr_t base, uint64_t pages);
uint64_t kmem_free_pages(void);
uint64_t kmem_total_pages(void);
bool kmem_in_pool(paddr_t p);

/* uncharged pages for the kernel's own boot-time structures; zeroed */
void *kmem_page_alloc_boot(void);

/* charged allocation: a zeroed object of size bytes, or NULL when the
 * account's quota is exhausted.  Sizes above 2048 take whole pages. */
void *kalloc(struct task *acct, size_t size);
void kfree(struct task *acct, void *p, size_t size);

/* page allocation with a companion word (used for the mapdb back-pointers
 * of page-table pages) */
void *kalloc_page(struct task *acct);
void kfree_page(struct task *acct, void *p);
uint64_t *kmem_page_aux(void *page);

#endif
