/*
 * The mapping database: for every user mapping, a node recording which
 * mapping it was derived from.  Nodes form one tree per root mapping
 * (the root task's RAM, the KIP); unmap walks a node's subtree.  This file
 * is pure tree code (no page tables), tested on the host.
 */
#ifndef KERNEL_MAPDB_H
#define KERNEL_MAPDB_H

#include <stdbool.h>
#include <stdint.h>

struct task;

struct mapnode {
	struct task *space;
	uint64_t va; /* page aligned; bit 0 set: a 2 MiB mapping */
	uint64_t pa; /* the physical memory it maps */
	struct mapnode *parent, *child, *next, *prev;
};

#define MAPNODE_LARGE 1ull

static inline uint64_t mapnode_va(const struct mapnode *n) { return n->va & ~0xfffull; }
static inline unsigned mapnode_order(const struct mapnode *n) { return (n->va & MAPNODE_LARGE) ? 21 : 12; }
/* true if n maps any of the physical range [lo, hi) */
static inline bool mapnode_overlaps(const struct mapnode *n, uint64_t lo, uint64_t hi)
{
	return n->pa < hi && lo < n->pa + (1ull << mapnode_order(n));
}

/* links n as the first child of parent (parent NULL: n is a root) */
void mapdb_add_child(struct mapnode *parent, struct mapnode *n);
/* unlinks n (which must have no children) from its parent */
void mapdb_unlink(struct mapnode *n);
/* n takes old's place in the tree; old's children become n's */
void mapdb_replace(struct mapnode *old, struct mapnode *n);
/* pre-order successor of n inside root's subtree (root excluded), or NULL */
struct mapnode *mapdb_next(const struct mapnode *root, const struct mapnode *n);
/* a descendant of n with no children (n itself if it has none) */
struct mapnode *mapdb_leafmost(struct mapnode *n);
/* true if a is n or an ancestor of n */
bool mapdb_is_ancestor(const struct mapnode *a, const struct mapnode *n);
/* number of nodes in n's subtree including n */
unsigned long mapdb_count(const struct mapnode *n);

#endif
