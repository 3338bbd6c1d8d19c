/*
 * Address-space operations on top of the page tables and the mapping
 * database: map (with grant), unmap (recursive revocation), query, and
 * tear-down.  Rights are LX4_FP_R/W/X.
 */
#ifndef KERNEL_SPACE_H
#define KERNEL_SPACE_H

#include "types.h"

struct task;

/* maps the fpage (base, order, rights) of src to dst at dst_va; pages the
 * source does not have are skipped.  Returns 0, -LX4_ENOMEM when the
 * destination's quota ran out (mapping stops there), or the first page the
 * destination refused (-LX4_EBUSY: a UTCB is there; -LX4_EINVAL: the
 * mapping there is an ancestor of the source) after mapping the rest. */
int space_map(struct task *src, uint64_t fpage, struct task *dst, uint64_t dst_va, bool grant);
/* revokes the fpage's rights (R: the whole mapping) from every mapping
 * derived from t's mappings in the range, and from t's own when self */
int space_unmap(struct task *t, uint64_t fpage, bool self);
/* rights and order of t's mapping at va: (order << 16) | rights, or 0 */
uint64_t space_query(struct task *t, uint64_t va, uint64_t *derived);
/* root mappings made by the kernel at boot (no parent) */
int space_map_root(struct task *t, uint64_t va, paddr_t pa, unsigned order, uint64_t rights);
/* kernel-owned pages (UTCBs): not in the mapping database */
int space_map_kowned(struct task *t, uint64_t va, paddr_t pa);
void space_unmap_kowned(struct task *t, uint64_t va);
/* revokes every mapping of t (and all derived from them), frees tables */
void space_destroy(struct task *t);

#endif
