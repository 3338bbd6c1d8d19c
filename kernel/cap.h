/*
 * Capability tables.  A task's table is an array of leaf pages of slots,
 * allocated on first use and charged to the task.  A capability names an
 * object with rights and a badge.
 */
#ifndef KERNEL_CAP_H
#define KERNEL_CAP_H

#include "obj.h"

struct cap {
	struct kobj *obj; /* NULL: empty slot */
	uint64_t badge;
	uint32_t rights;
	uint32_t pad;
	uint64_t pad2;
};
_Static_assert(sizeof(struct cap) == 32, "cap slots pack a page");

#define CAPS_PER_LEAF (4096 / sizeof(struct cap))
#define CAP_LEAVES 128 /* 16,384 slots, as docs/kernel.md says */
#define CAP_SLOTS_MAX (CAPS_PER_LEAF * CAP_LEAVES)

struct thread;

/* the slot for index idx in t's table, allocating its leaf when alloc;
 * NULL when out of range, or (with alloc) when the quota is exhausted */
struct cap *cap_slot(struct task *t, lx4_cap_t idx, bool alloc, int *err);

/* resolves idx (including pseudo caps) for the current thread and checks
 * the type (0: any) and rights; fills *out; returns 0 or -LX4_E* */
int cap_lookup(struct thread *cur, lx4_cap_t idx, unsigned type, uint32_t rights, struct cap *out);

/* installs obj into an empty slot with rights and badge (takes a ref) */
void cap_install(struct cap *slot, struct kobj *obj, uint32_t rights, uint64_t badge);
/* empties a slot (drops the ref) */
void cap_clear(struct cap *slot);
/* empties every slot and frees the leaves */
void cap_table_destroy(struct task *t);

/* an empty, in-range slot for installing a new object */
int cap_dst_slot(struct task *t, lx4_cap_t idx, struct cap **out);

#endif
