/* Unit tests for the mapping-database tree (kernel/mapdb.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "mapdb.h"

static struct mapnode pool[64];
static unsigned used;

static struct mapnode *node(uint64_t va)
{
	assert_true(used < 64);
	struct mapnode *n = &pool[used++];
	*n = (struct mapnode){.va = va};
	return n;
}

static void test_add_and_unlink(void **state)
{
	(void)state;
	struct mapnode *r = node(0x1000), *a = node(0x2000), *b = node(0x3000);
	mapdb_add_child(NULL, r);
	mapdb_add_child(r, a);
	mapdb_add_child(r, b);
	assert_ptr_equal(r->child, b); /* newest first */
	assert_ptr_equal(b->next, a);
	assert_ptr_equal(a->prev, b);
	assert_ptr_equal(a->parent, r);
	mapdb_unlink(b);
	assert_ptr_equal(r->child, a);
	assert_null(a->prev);
	mapdb_unlink(a);
	assert_null(r->child);
}

/* a chain r - c1 - c2 - ... - c9 plus siblings: preorder visits all */
static void test_preorder_and_count(void **state)
{
	(void)state;
	struct mapnode *n[10];
	n[0] = node(0);
	mapdb_add_child(NULL, n[0]);
	for (int i = 1; i < 10; i++) {
		n[i] = node(i * 0x1000);
		mapdb_add_child(n[i - 1], n[i]);
	}
	struct mapnode *s1 = node(0x100000), *s2 = node(0x200000);
	mapdb_add_child(n[3], s1);
	mapdb_add_child(n[0], s2);
	assert_int_equal(mapdb_count(n[0]), 12);
	assert_int_equal(mapdb_count(n[3]), 8);
	assert_int_equal(mapdb_count(n[9]), 1);
	unsigned seen = 0;
	for (struct mapnode *d = mapdb_next(n[3], n[3]); d; d = mapdb_next(n[3], d)) {
		assert_true(mapdb_is_ancestor(n[3], d));
		assert_ptr_not_equal(d, s2);
		seen++;
	}
	assert_int_equal(seen, 7);
	assert_true(mapdb_is_ancestor(n[0], n[9]));
	assert_false(mapdb_is_ancestor(n[9], n[0]));
	assert_false(mapdb_is_ancestor(s1, n[4]));
}

/* post-order removal via leafmost empties a subtree deepest first */
static void test_revoke_order(void **state)
{
	(void)state;
	struct mapnode *r = node(0), *a = node(1 << 12), *b = node(2 << 12), *c = node(3 << 12), *d = node(4 << 12);
	mapdb_add_child(NULL, r);
	mapdb_add_child(r, a);
	mapdb_add_child(a, b);
	mapdb_add_child(a, c);
	mapdb_add_child(c, d);
	struct mapnode *order[4];
	int k = 0;
	while (r->child) {
		struct mapnode *l = mapdb_leafmost(r->child);
		assert_null(l->child);
		order[k++] = l;
		mapdb_unlink(l);
	}
	assert_int_equal(k, 4);
	assert_ptr_equal(order[0], d);
	assert_ptr_equal(order[3], a);
	assert_null(r->child);
}

static void test_replace_moves_children(void **state)
{
	(void)state;
	struct mapnode *r = node(0), *old = node(0x1000), *n = node(0x5000), *c1 = node(0x2000), *c2 = node(0x3000),
		       *sib = node(0x4000);
	mapdb_add_child(NULL, r);
	mapdb_add_child(r, old);
	mapdb_add_child(r, sib);
	mapdb_add_child(old, c1);
	mapdb_add_child(old, c2);
	mapdb_replace(old, n);
	assert_ptr_equal(n->parent, r);
	assert_ptr_equal(c1->parent, n);
	assert_ptr_equal(c2->parent, n);
	assert_ptr_equal(sib->next, n);
	assert_ptr_equal(n->prev, sib);
	assert_null(old->child);
	assert_null(old->parent);
	assert_int_equal(mapdb_count(r), 5);
}

static void test_overlap(void **state)
{
	(void)state;
	struct mapnode a = {.va = 0x1000 | MAPNODE_LARGE, .pa = 0x200000};
	assert_int_equal(mapnode_order(&a), 21);
	assert_true(mapnode_overlaps(&a, 0x3ff000, 0x400000));
	assert_false(mapnode_overlaps(&a, 0x400000, 0x401000));
	assert_false(mapnode_overlaps(&a, 0x1ff000, 0x200000));
	struct mapnode b = {.va = 0x7000, .pa = 0x5000};
	assert_int_equal(mapnode_order(&b), 12);
	assert_int_equal(mapnode_va(&b), 0x7000);
	assert_true(mapnode_overlaps(&b, 0x5fff, 0x6000));
	assert_false(mapnode_overlaps(&b, 0x6000, 0x7000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_and_unlink),
		cmocka_unit_test(test_preorder_and_count),
		cmocka_unit_test(test_revoke_order),
		cmocka_unit_test(test_replace_moves_children),
		cmocka_unit_test(test_overlap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
