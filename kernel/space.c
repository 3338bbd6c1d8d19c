/*
 * Address-space operations (see space.h).  A mapping is a leaf in the
 * page table plus a mapnode; revocation takes a node's subtree away, so
 * unmap reaches every task that got a page through the unmapper.
 * Derived mappings are revoked by physical overlap: unmapping one 4 KiB
 * page of a 2 MiB mapping takes that page from every 4 KiB mapping
 * derived from it; a derived 2 MiB mapping that overlaps loses all of it,
 * and so does the unmapper's own 2 MiB mapping when self is asked for.
 */
#include "space.h"
#include <arch/mmu.h>
#include "kmem.h"
#include "lib.h"
#include "mapdb.h"
#include "task.h"

static inline struct mapnode *node_of(pte_t *pte) { return *mmu_pte_node(pte); }

static pte_t *node_pte(struct mapnode *n)
{
	int err;
	pte_t *pte = mmu_walk(n->space, mapnode_va(n), mapnode_order(n), false, &err);
	assert(pte && pte_present(*pte) && node_of(pte) == n);
	return pte;
}

/* removes a mapping whose node has no children */
static void leaf_remove(struct mapnode *n)
{
	struct task *t = n->space;
	pte_t *pte = node_pte(n);
	*pte = 0;
	*mmu_pte_node(pte) = NULL;
	mmu_flush(t, mapnode_va(n), mapnode_order(n));
	mapdb_unlink(n);
	kfree(t, n, sizeof *n);
}

static void leaf_downgrade(struct mapnode *n, uint64_t rights)
{
	pte_t *pte = node_pte(n);
	uint64_t keep = pte_rights(*pte) & ~rights;
	pte_t e = mk_pte(pte_paddr(*pte), keep, mapnode_order(n));
	if (e != *pte) {
		*pte = e;
		mmu_flush(n->space, mapnode_va(n), mapnode_order(n));
	}
}

/* takes rights (R: everything) from n's subtree, and from n when self */
static void revoke(struct mapnode *n, uint64_t rights, bool self)
{
	if (rights & LX4_FP_R) {
		while (n->child)
			leaf_remove(mapdb_leafmost(n->child));
		if (self)
			leaf_remove(n);
		return;
	}
	for (struct mapnode *d = mapdb_next(n, n); d; d = mapdb_next(n, d))
		leaf_downgrade(d, rights);
	if (self)
		leaf_downgrade(n, rights);
}

static bool range_ok(uint64_t base, unsigned order)
{
	if (order < 12 || order > 47 || !IS_ALIGNED(base, 1ull << order))
		return false;
	return base < USER_END && (1ull << order) <= USER_END - base;
}

/* empties the 4 KiB page table under a PD entry so a 2 MiB leaf can go there */
static int clear_pt(struct task *t, pte_t *pde, uint64_t va2m)
{
	pte_t *pt = pte_table(*pde);
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		if (pte_present(pt[i]) && pte_kowned(pt[i]))
			return -LX4_EBUSY;
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		if (pte_present(pt[i]))
			revoke(node_of(&pt[i]), LX4_FP_R, true);
	mmu_free_pt(t, pde);
	(void)va2m;
	return 0;
}

/* the entry at dst for a new leaf, with whatever was there out of the way
 * (a mapping derived from snode stays when not granting: its rights may
 * grow); NULL with *err on failure */
static pte_t *dst_slot(struct task *dst, uint64_t dva, unsigned order, struct mapnode *snode, pte_t spa, bool grant,
		       int *err)
{
	for (int tries = 0; tries < 2; tries++) {
		pte_t *d = mmu_walk(dst, dva, order, true, err);
		if (!d && *err == -LX4_EBUSY) { /* a 2 MiB leaf covers dva */
			unsigned o;
			pte_t *big = mmu_leaf(dst, dva, &o);
			struct mapnode *bn = node_of(big);
			if (pte_kowned(*big) || mapdb_is_ancestor(bn, snode)) {
				*err = -LX4_EBUSY;
				return NULL;
			}
			revoke(bn, LX4_FP_R, true);
			continue;
		}
		if (!d)
			return NULL;
		if (order == 21 && mmu_pde_is_table(*d)) {
			if ((*err = clear_pt(dst, d, dva)))
				return NULL;
			return d;
		}
		if (pte_present(*d)) {
			struct mapnode *dn = node_of(d);
			if (pte_kowned(*d)) {
				*err = -LX4_EBUSY;
				return NULL;
			}
			if (!grant && dn->parent == snode && pte_paddr(*d) == spa)
				return d; /* the same mapping again: rights may grow */
			if (mapdb_is_ancestor(dn, snode)) {
				*err = -LX4_EINVAL;
				return NULL;
			}
			revoke(dn, LX4_FP_R, true);
		}
		return d;
	}
	*err = -LX4_EBUSY;
	return NULL;
}

static int map_one(struct task *src, pte_t *spte, uint64_t sva, paddr_t pa, unsigned order, uint64_t rights,
		   struct task *dst, uint64_t dva, bool grant)
{
	struct mapnode *snode = node_of(spte);
	uint64_t eff = pte_rights(*spte) & (rights | LX4_FP_R);
	int err;
	pte_t *d = dst_slot(dst, dva, order, snode, pa, grant, &err);
	if (!d)
		return err;
	if (pte_present(*d)) { /* remap of the same page */
		*d = mk_pte(pa, eff | pte_rights(*d), order);
		mmu_flush(dst, dva, order);
		return 0;
	}
	struct mapnode *n = kalloc(dst, sizeof *n);
	if (!n)
		return -LX4_ENOMEM;
	n->space = dst;
	n->va = dva | (order == 21 ? MAPNODE_LARGE : 0);
	n->pa = pa;
	if (grant) {
		mapdb_replace(snode, n);
		*spte = 0;
		*mmu_pte_node(spte) = NULL;
		mmu_flush(src, sva, order);
		kfree(src, snode, sizeof *snode);
	} else {
		mapdb_add_child(snode, n);
	}
	*d = mk_pte(pa, eff, order);
	*mmu_pte_node(d) = n;
	if (grant)
		revoke(n, LX4_FP_RWX & ~eff, false); /* derived mappings never exceed */
	return 0;
}

int space_map(struct task *src, uint64_t fpage, struct task *dst, uint64_t dst_va, bool grant)
{
	unsigned order = lx4_fp_order(fpage);
	uint64_t base = lx4_fp_base(fpage), rights = lx4_fp_rights(fpage);
	if (!range_ok(base, order) || !range_ok(dst_va, order))
		return -LX4_EINVAL;
	uint64_t size = 1ull << order;
	if (src == dst && base < dst_va + size && dst_va < base + size)
		return -LX4_EINVAL;
	if (!rights)
		return 0;
	int first_err = 0; /* a page the destination refused; the rest go on */
	for (uint64_t off = 0; off < size;) {
		uint64_t va = mmu_next_mapped(src, base + off, base + size);
		if (va >= base + size)
			break;
		off = va - base;
		unsigned so;
		pte_t *spte = mmu_leaf(src, va, &so);
		uint64_t leaf_va = ALIGN_DOWN(va, 1ull << so);
		int err = 0;
		if (pte_kowned(*spte)) {
			off = leaf_va + (1ull << so) - base;
			continue;
		}
		if (so == 21 && va == leaf_va && off + LARGE_SIZE <= size && IS_ALIGNED(dst_va + off, LARGE_SIZE)) {
			err = map_one(src, spte, va, pte_paddr(*spte), 21, rights, dst, dst_va + off, grant);
			off += LARGE_SIZE;
		} else {
			/* part of a large page cannot be granted: the sender
			 * would lose the whole of it */
			if (!(grant && so == 21))
				err = map_one(src, spte, va, pte_paddr(*spte) + (va - leaf_va), 12, rights, dst,
					      dst_va + off, grant);
			off += PAGE_SIZE;
		}
		if (err == -LX4_ENOMEM)
			return err;
		if (err && !first_err)
			first_err = err;
	}
	return first_err;
}

int space_unmap(struct task *t, uint64_t fpage, bool self)
{
	unsigned order = lx4_fp_order(fpage);
	uint64_t base = lx4_fp_base(fpage), rights = lx4_fp_rights(fpage);
	if (!range_ok(base, order))
		return -LX4_EINVAL;
	if (!rights)
		return 0;
	uint64_t end = base + (1ull << order);
	for (uint64_t va = base; (va = mmu_next_mapped(t, va, end)) < end;) {
		unsigned o;
		pte_t *leaf = mmu_leaf(t, va, &o);
		uint64_t lva = ALIGN_DOWN(va, 1ull << o), next = lva + (1ull << o);
		if (!pte_kowned(*leaf)) {
			struct mapnode *n = node_of(leaf);
			uint64_t lo = n->pa + (va - lva), hi = n->pa + (MIN(end, next) - lva);
			for (struct mapnode *c = n->child, *cn; c; c = cn) {
				cn = c->next;
				if (mapnode_overlaps(c, lo, hi))
					revoke(c, rights, true);
			}
			if (self)
				revoke(n, rights, true);
		}
		va = next;
	}
	return 0;
}

uint64_t space_query(struct task *t, uint64_t va, uint64_t *derived)
{
	unsigned o;
	*derived = 0;
	if (va >= USER_END)
		return 0;
	pte_t *leaf = mmu_leaf(t, va, &o);
	if (!leaf)
		return 0;
	if (!pte_kowned(*leaf))
		*derived = mapdb_count(node_of(leaf)) - 1;
	return ((uint64_t)o << 16) | pte_rights(*leaf) | (pte_kowned(*leaf) ? (1ull << 24) : 0);
}

int space_map_root(struct task *t, uint64_t va, paddr_t pa, unsigned order, uint64_t rights)
{
	int err;
	pte_t *d = mmu_walk(t, va, order, true, &err);
	if (!d)
		return err ? err : -LX4_ENOMEM;
	assert(!pte_present(*d));
	struct mapnode *n = kalloc(t, sizeof *n);
	if (!n)
		return -LX4_ENOMEM;
	n->space = t;
	n->va = va | (order == 21 ? MAPNODE_LARGE : 0);
	n->pa = pa;
	mapdb_add_child(NULL, n);
	*d = mk_pte(pa, rights, order);
	*mmu_pte_node(d) = n;
	return 0;
}

int space_map_kowned(struct task *t, uint64_t va, paddr_t pa)
{
	int err;
	pte_t *d = mmu_walk(t, va, 12, true, &err);
	if (!d)
		return err ? err : -LX4_ENOMEM;
	if (pte_present(*d))
		return -LX4_EBUSY;
	*d = mk_pte_kowned(pa, LX4_FP_R | LX4_FP_W, 12);
	return 0;
}

void space_unmap_kowned(struct task *t, uint64_t va)
{
	int err;
	if (!t->pml4)
		return;
	pte_t *d = mmu_walk(t, va, 12, false, &err);
	if (d && pte_kowned(*d)) {
		*d = 0;
		mmu_flush(t, va, 12);
	}
}

/* a leaf of a dying space goes, with every mapping derived from it */
static void destroy_leaf(struct task *t, pte_t *pte, uint64_t va, unsigned order)
{
	(void)t;
	(void)va;
	(void)order;
	if (pte_kowned(*pte))
		*pte = 0;
	else
		revoke(node_of(pte), LX4_FP_R, true);
}

void space_destroy(struct task *t)
{
	if (!t->pml4)
		return;
	mmu_space_teardown(t, destroy_leaf);
	mmu_space_free(t);
}
