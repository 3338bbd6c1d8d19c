/* Unit tests for capability tables (kernel/cap.c), with the kernel's
 * allocator and reference counting replaced by counting stubs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cap.h"
#include "task.h"
#include "thread.h"

/* ---- stubs for what cap.c needs from the rest of the kernel ---- */
static int pages_out, page_budget = 1000, puts;

void *kalloc_page(struct task *acct)
{
	(void)acct;
	if (page_budget-- <= 0)
		return NULL;
	void *p = aligned_alloc(4096, 4096);
	assert_non_null(p);
	pages_out++;
	return memset(p, 0, 4096);
}

void kfree_page(struct task *acct, void *p)
{
	(void)acct;
	pages_out--;
	free(p);
}

void obj_put(struct kobj *o)
{
	o->refs--;
	puts++;
}

_Noreturn void panic(const char *fmt, ...)
{
	(void)fmt;
	fail_msg("kernel panic");
	abort();
}

/* ---- fixtures ---- */
static struct task *task_new(uint32_t slots)
{
	struct task *t = calloc(1, sizeof *t);
	t->obj.type = LX4_OBJ_TASK;
	t->cap_slots = slots;
	cap_table_init(t);
	return t;
}

static struct thread *thread_in(struct task *t)
{
	struct thread *th = aligned_alloc(4096, sizeof *th);
	memset(th, 0, sizeof *th);
	th->obj.type = LX4_OBJ_THREAD;
	th->task = t;
	return th;
}

static void test_slots_and_leaves(void **state)
{
	(void)state;
	struct task *t = task_new(1000);
	int err;
	pages_out = 0;
	assert_null(cap_slot(t, 0, true, &err)); /* slot 0 is never valid */
	assert_int_equal(err, -LX4_ECAP);
	assert_null(cap_slot(t, 1000, true, &err));
	assert_int_equal(err, -LX4_ECAP);
	assert_null(cap_slot(t, 5, false, &err)); /* no leaf yet */
	assert_int_equal(pages_out, 0);
	struct cap *c5 = cap_slot(t, 5, true, &err);
	assert_non_null(c5);
	assert_int_equal(pages_out, 1);
	assert_ptr_equal(cap_slot(t, 6, false, &err), c5 + 1); /* same leaf */
	assert_non_null(cap_slot(t, 999, true, &err));
	assert_int_equal(pages_out, 2);
	cap_table_destroy(t);
	assert_int_equal(pages_out, 0);
	assert_false(cap_leaf_present(t->cap_leaf[0]));
	free(t);
}

static void test_quota_exhausted(void **state)
{
	(void)state;
	struct task *t = task_new(4096);
	int err;
	page_budget = 0;
	assert_null(cap_slot(t, 300, true, &err));
	assert_int_equal(err, -LX4_ENOMEM);
	page_budget = 1000;
	struct cap *s;
	assert_int_equal(cap_dst_slot(t, 300, &s), 0);
	cap_table_destroy(t);
	free(t);
}

static void test_install_lookup_rights(void **state)
{
	(void)state;
	struct task *t = task_new(64);
	struct thread *cur = thread_in(t);
	struct kobj ep = {.type = LX4_OBJ_ENDPOINT};
	struct cap *s, out;
	assert_int_equal(cap_dst_slot(t, 3, &s), 0);
	cap_install(s, &ep, LX4_R_SEND | 0x80, 42); /* unknown rights bits are dropped */
	assert_int_equal(ep.refs, 1);
	assert_int_equal(s->rights, LX4_R_SEND);
	assert_int_equal(cap_dst_slot(t, 3, &s), -LX4_EBUSY);
	assert_int_equal(cap_lookup(cur, 3, LX4_OBJ_ENDPOINT, LX4_R_SEND, &out), 0);
	assert_int_equal(out.badge, 42);
	assert_int_equal(cap_lookup(cur, 3, LX4_OBJ_TASK, 0, &out), -LX4_ETYPE);
	assert_int_equal(cap_lookup(cur, 3, LX4_OBJ_ENDPOINT, LX4_R_RECV, &out), -LX4_ERIGHTS);
	assert_int_equal(cap_lookup(cur, 4, 0, 0, &out), -LX4_ECAP);
	assert_int_equal(cap_lookup(cur, 0, 0, 0, &out), -LX4_ECAP);
	assert_int_equal(cap_lookup(cur, 0x7fffffff, 0, 0, &out), -LX4_ECAP);
	ep.dead = 1;
	assert_int_equal(cap_lookup(cur, 3, LX4_OBJ_ENDPOINT, LX4_R_SEND, &out), -LX4_EDEAD);
	puts = 0;
	cap_clear(s);
	assert_int_equal(puts, 1);
	assert_int_equal(ep.refs, 0);
	assert_null(s->obj);
	cap_clear(s); /* clearing an empty slot is harmless */
	assert_int_equal(puts, 1);
	cap_table_destroy(t);
	free(cur);
	free(t);
}

static void test_pseudo_caps(void **state)
{
	(void)state;
	struct task *t = task_new(16);
	struct thread *cur = thread_in(t);
	struct cap out;
	assert_int_equal(cap_lookup(cur, LX4_CAP_SELF_TASK, LX4_OBJ_TASK, LX4_R_ALL, &out), 0);
	assert_ptr_equal(out.obj, &t->obj);
	assert_int_equal(cap_lookup(cur, LX4_CAP_SELF_THREAD, LX4_OBJ_THREAD, LX4_R_CONTROL, &out), 0);
	assert_ptr_equal(out.obj, &cur->obj);
	assert_int_equal(cap_lookup(cur, LX4_CAP_SELF_THREAD, LX4_OBJ_TASK, 0, &out), -LX4_ETYPE);
	free(cur);
	free(t);
}

static void test_destroy_drops_every_ref(void **state)
{
	(void)state;
	struct task *t = task_new(CAP_SLOTS_MAX);
	struct kobj objs[10] = {0};
	struct cap *s;
	for (int i = 0; i < 10; i++) {
		assert_int_equal(cap_dst_slot(t, 1 + i * 700, &s), 0);
		cap_install(s, &objs[i], LX4_R_ALL, 0);
	}
	puts = 0;
	cap_table_destroy(t);
	assert_int_equal(puts, 10);
	for (int i = 0; i < 10; i++)
		assert_int_equal(objs[i].refs, 0);
	assert_int_equal(pages_out, 0);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slots_and_leaves),
		cmocka_unit_test(test_quota_exhausted),
		cmocka_unit_test(test_install_lookup_rights),
		cmocka_unit_test(test_pseudo_caps),
		cmocka_unit_test(test_destroy_drops_every_ref),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
