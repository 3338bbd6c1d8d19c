/*
 * Kernel memory pool and per-account slabs.  The pool is a stack of free
 * frames (all allocations are single pages, so fragmentation cannot make
 * an allocation fail while the charge succeeded).
 */
#include "kmem.h"
#include <arch/arch.h>
#include "kip.h"
#include "lib.h"
#include "task.h"

static paddr_t pool_base;
static uint64_t pool_pages;
static uint64_t pool_free;
static void *free_list;
static uint64_t *pool_aux; /* one word per pool page */

struct slab_page {
	struct task *owner;
	struct slab_page *next, *prev;
	void *free;
	uint16_t nfree, nobjs;
	uint8_t cls;
};
#define SLAB_HDR 64
_Static_assert(sizeof(struct slab_page) <= SLAB_HDR, "slab header fits its slot");

void kmem_init(paddr_t base, uint64_t pages)
{
	pool_base = base;
	pool_pages = pages;
	/* the aux array lives at the start of the pool */
	uint64_t aux_pages = ALIGN_UP(pages * 8, PAGE_SIZE) / PAGE_SIZE;
	pool_aux = phys_to_virt(base);
	memset(pool_aux, 0, aux_pages * PAGE_SIZE);
	for (uint64_t i = pages; i-- > aux_pages;) {
		void **p = phys_to_virt(base + i * PAGE_SIZE);
		*p = free_list;
		free_list = p;
		pool_free++;
	}
}

uint64_t kmem_free_pages(void) { return pool_free; }
uint64_t kmem_total_pages(void) { return pool_pages; }
bool kmem_in_pool(paddr_t p) { return p >= pool_base && p < pool_base + pool_pages * PAGE_SIZE; }

static void *pool_take(void)
{
	void **p = free_list;
	if (!p)
		return NULL;
	free_list = *p;
	pool_free--;
	kip_update_kmem(pool_free);
	memset(p, 0, PAGE_SIZE);
	return p;
}

static void pool_give(void *p)
{
	assert(kmem_in_pool(virt_to_phys(p)) && IS_ALIGNED((uint64_t)p, PAGE_SIZE));
	*kmem_page_aux(p) = 0;
	*(void **)p = free_list;
	free_list = p;
	pool_free++;
	kip_update_kmem(pool_free);
}

uint64_t *kmem_page_aux(void *page)
{
	return &pool_aux[(virt_to_phys(page) - pool_base) >> PAGE_SHIFT];
}

void *kmem_page_alloc_boot(void)
{
	void *p = pool_take();
	if (!p)
		panic("kernel pool exhausted at boot");
	return p;
}

void *kalloc_page(struct task *acct)
{
	if (!task_charge(acct, 1))
		return NULL;
	void *p = pool_take();
	assert(p); /* quotas never exceed the pool */
	return p;
}

void kfree_page(struct task *acct, void *p)
{
	pool_give(p);
	task_uncharge(acct, 1);
}

static unsigned slab_class(size_t size)
{
	unsigned c = 0;
	while ((64u << c) < size)
		c++;
	return c;
}

static struct slab_page *slab_grow(struct task *acct, unsigned cls)
{
	struct slab_page *sp = kalloc_page(acct);
	if (!sp)
		return NULL;
	size_t osize = 64u << cls;
	sp->owner = acct;
	sp->cls = cls;
	sp->nobjs = (PAGE_SIZE - SLAB_HDR) / osize;
	for (unsigned i = sp->nobjs; i-- > 0;) {
		void **o = (void **)((char *)sp + SLAB_HDR + i * osize);
		*o = sp->free;
		sp->free = o;
	}
	sp->nfree = sp->nobjs;
	return sp;
}

static void slab_link(struct slab_cache *c, struct slab_page *sp)
{
	sp->prev = NULL;
	sp->next = c->partial;
	if (c->partial)
		c->partial->prev = sp;
	c->partial = sp;
}

static void slab_unlink(struct slab_cache *c, struct slab_page *sp)
{
	if (sp->prev)
		sp->prev->next = sp->next;
	else
		c->partial = sp->next;
	if (sp->next)
		sp->next->prev = sp->prev;
	sp->next = sp->prev = NULL;
}

void *kalloc(struct task *acct, size_t size)
{
	if (size > (64u << (SLAB_CLASSES - 1))) {
		assert(size <= PAGE_SIZE);
		return kalloc_page(acct);
	}
	unsigned cls = slab_class(size);
	struct slab_cache *c = &acct->slabs[cls];
	struct slab_page *sp = c->partial;
	if (!sp) {
		sp = slab_grow(acct, cls);
		if (!sp)
			return NULL;
		slab_link(c, sp);
	}
	void **o = sp->free;
	sp->free = *o;
	if (--sp->nfree == 0)
		slab_unlink(c, sp);
	memset(o, 0, 64u << cls);
	return o;
}

void kfree(struct task *acct, void *p, size_t size)
{
	if (size > (64u << (SLAB_CLASSES - 1))) {
		kfree_page(acct, p);
		return;
	}
	struct slab_page *sp = (struct slab_page *)ALIGN_DOWN((uint64_t)p, PAGE_SIZE);
	assert(sp->owner == acct && sp->cls == slab_class(size));
	struct slab_cache *c = &acct->slabs[sp->cls];
	*(void **)p = sp->free;
	sp->free = p;
	if (sp->nfree++ == 0)
		slab_link(c, sp);
	if (sp->nfree == sp->nobjs) {
		slab_unlink(c, sp);
		kfree_page(acct, sp);
	}
}
