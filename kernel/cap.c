/* Capability tables (see cap.h). */
#include "cap.h"
#include "kmem.h"
#include "lib.h"
#include "task.h"
#include "thread.h"

struct cap cap_empty_leaf[CAPS_PER_LEAF] __attribute__((aligned(4096)));

void cap_table_init(struct task *t)
{
	for (unsigned l = 0; l < CAP_LEAVES; l++)
		t->cap_leaf[l] = cap_empty_leaf;
}

struct cap *cap_slot(struct task *t, lx4_cap_t idx, bool alloc, int *err)
{
	*err = -LX4_ECAP;
	if (idx == LX4_CAP_NULL || idx >= t->cap_slots)
		return NULL;
	struct cap **leaf = &t->cap_leaf[idx / CAPS_PER_LEAF];
	if (!cap_leaf_present(*leaf)) {
		if (!alloc)
			return NULL;
		struct cap *page = kalloc_page(t);
		if (!page) {
			*err = -LX4_ENOMEM;
			return NULL;
		}
		*leaf = page;
	}
	*err = 0;
	return &(*leaf)[idx % CAPS_PER_LEAF];
}

int cap_lookup(struct thread *cur, lx4_cap_t idx, unsigned type, uint32_t rights, struct cap *out)
{
	if (idx == LX4_CAP_SELF_TASK) {
		*out = (struct cap){.obj = &cur->task->obj, .rights = LX4_R_ALL};
	} else if (idx == LX4_CAP_SELF_THREAD) {
		*out = (struct cap){.obj = &cur->obj, .rights = LX4_R_ALL};
	} else {
		int err;
		struct cap *c = cap_slot(cur->task, idx, false, &err);
		if (!c || !c->obj)
			return -LX4_ECAP;
		*out = *c;
	}
	if (type && out->obj->type != type)
		return -LX4_ETYPE;
	if ((out->rights & rights) != rights)
		return -LX4_ERIGHTS;
	if (out->obj->dead)
		return -LX4_EDEAD;
	return 0;
}

void cap_install(struct cap *slot, struct kobj *obj, uint32_t rights, uint64_t badge)
{
	assert(!slot->obj);
	obj_get(obj);
	slot->obj = obj;
	slot->rights = rights & LX4_R_ALL;
	slot->badge = badge;
}

void cap_clear(struct cap *slot)
{
	struct kobj *o = slot->obj;
	if (!o)
		return;
	slot->obj = NULL;
	slot->rights = 0;
	slot->badge = 0;
	obj_put(o);
}

void cap_table_destroy(struct task *t)
{
	for (unsigned l = 0; l < CAP_LEAVES; l++) {
		struct cap *leaf = t->cap_leaf[l];
		if (!cap_leaf_present(leaf))
			continue;
		for (unsigned i = 0; i < CAPS_PER_LEAF; i++)
			cap_clear(&leaf[i]);
		t->cap_leaf[l] = cap_empty_leaf;
		kfree_page(t, leaf);
	}
}

int cap_dst_slot(struct task *t, lx4_cap_t idx, struct cap **out)
{
	int err;
	struct cap *c = cap_slot(t, idx, true, &err);
	if (!c)
		return err;
	if (c->obj)
		return -LX4_EBUSY;
	*out = c;
	return 0;
}
