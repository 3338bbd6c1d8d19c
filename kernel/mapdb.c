/* Mapping-database tree operations (see mapdb.h). */
#include "mapdb.h"

#include <stddef.h>

void mapdb_add_child(struct mapnode *parent, struct mapnode *n)
{
	n->parent = parent;
	n->child = NULL;
	n->prev = NULL;
	n->next = parent ? parent->child : NULL;
	if (n->next)
		n->next->prev = n;
	if (parent)
		parent->child = n;
}

void mapdb_unlink(struct mapnode *n)
{
	if (n->prev)
		n->prev->next = n->next;
	else if (n->parent)
		n->parent->child = n->next;
	if (n->next)
		n->next->prev = n->prev;
	n->parent = n->next = n->prev = NULL;
}

void mapdb_replace(struct mapnode *old, struct mapnode *n)
{
	n->parent = old->parent;
	n->next = old->next;
	n->prev = old->prev;
	n->child = old->child;
	if (n->prev)
		n->prev->next = n;
	else if (n->parent)
		n->parent->child = n;
	if (n->next)
		n->next->prev = n;
	for (struct mapnode *c = n->child; c; c = c->next)
		c->parent = n;
	old->parent = old->child = old->next = old->prev = NULL;
}

struct mapnode *mapdb_next(const struct mapnode *root, const struct mapnode *n)
{
	if (n->child)
		return n->child;
	while (n != root) {
		if (n->next)
			return n->next;
		n = n->parent;
	}
	return NULL;
}

struct mapnode *mapdb_leafmost(struct mapnode *n)
{
	while (n->child)
		n = n->child;
	return n;
}

bool mapdb_is_ancestor(const struct mapnode *a, const struct mapnode *n)
{
	for (; n; n = n->parent)
		if (n == a)
			return true;
	return false;
}

unsigned long mapdb_count(const struct mapnode *n)
{
	unsigned long c = 1;
	for (const struct mapnode *d = mapdb_next(n, n); d; d = mapdb_next(n, d))
		c++;
	return c;
}
