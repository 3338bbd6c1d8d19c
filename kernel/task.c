/* Tasks: creation, destruction and the kernel-memory account. */
#include "task.h"
#include <arch/cpuarch.h>
#include <arch/mmu.h>
#include "cpu.h"
#include "ioport.h"
#include "lib.h"
#include "space.h"
#include "thread.h"

struct task kernel_task;
static uint32_t next_task_id = 1;
void obj_task_idle(struct task *t);

bool task_charge(struct task *t, uint64_t pages)
{
	if (pages > t->quota - t->used)
		return false;
	t->used += pages;
	return true;
}

void task_uncharge(struct task *t, uint64_t pages)
{
	assert(t->used >= pages);
	t->used -= pages;
	if (!t->used)
		obj_task_idle(t);
}

struct task *task_create(struct task *parent, uint64_t quota, uint32_t cap_slots, int *err)
{
	struct task *t;
	_Static_assert(sizeof(struct task) <= PAGE_SIZE, "a task fits a page");
	if (cap_slots == 0 || cap_slots > CAP_SLOTS_MAX) {
		*err = -LX4_EINVAL;
		return NULL;
	}
	if (parent) {
		if (quota < 1 || !task_charge(parent, quota)) {
			*err = -LX4_ENOMEM;
			return NULL;
		}
		t = kalloc_page(parent);
		if (!t) {
			task_uncharge(parent, quota);
			*err = -LX4_ENOMEM;
			return NULL;
		}
	} else {
		t = kmem_page_alloc_boot();
	}
	obj_init(&t->obj, LX4_OBJ_TASK, parent);
	t->quota = quota;
	t->parent_acct = parent;
	if (parent) {
		t->sib_next = parent->children;
		if (parent->children)
			parent->children->sib_prev = t;
		parent->children = t;
	}
	t->cap_slots = cap_slots;
	cap_table_init(t);
	t->id = next_task_id++;
	if ((*err = mmu_space_init(t))) {
		t->obj.dead = 1;
		task_free(t);
		return NULL;
	}
	return t;
}

void task_destroy(struct task *t)
{
	struct cpu *c = this_cpu();
	while (t->threads) /* each destroyed thread leaves the list */
		obj_destroy(&t->threads->obj);
	/* and the tasks it created, so that no cycle of references among
	 * them (a task's cap to itself) keeps them and this account alive */
	for (struct task *child = t->children; child; child = child->sib_next)
		obj_doom(&child->obj);
	if (c->space == t)
		mmu_activate_on(c, &kernel_task, kernel_task.pml4_phys);
	space_destroy(t);
	cap_table_destroy(t);
	io_free(t);
}

/* frees the task struct: refs and charges are gone */
void task_free(struct task *t)
{
	struct task *parent = t->parent_acct;
	assert(!t->used && !t->obj.refs);
	if (!parent)
		return;
	if (t->sib_prev)
		t->sib_prev->sib_next = t->sib_next;
	else
		parent->children = t->sib_next;
	if (t->sib_next)
		t->sib_next->sib_prev = t->sib_prev;
	uint64_t quota = t->quota;
	kfree_page(parent, t);
	task_uncharge(parent, quota);
}
