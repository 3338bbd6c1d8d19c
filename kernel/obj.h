/*
 * Kernel objects: every object the capability system names starts with a
 * struct kobj.  Capabilities and a few kernel links hold references; when
 * the last goes the object is destroyed (if nobody destroyed it earlier)
 * and freed.  Destruction and freeing are deferred to a reap list that is
 * drained iteratively, so a long chain of objects cannot overflow the
 * kernel stack.
 */
#ifndef KERNEL_OBJ_H
#define KERNEL_OBJ_H

#include "types.h"
#include <lx4/abi.h>

struct task;

struct kobj {
	uint32_t refs;
	uint8_t type; /* enum lx4_obj_type; keep dead right after it */
	uint8_t dead; /* destroyed: operations fail with LX4_EDEAD */
	uint8_t queued;
	uint8_t doomed; /* queued to be destroyed even while referenced */
	struct task *owner;  /* the account this object is charged to */
	struct kobj *reap_next;
};

static inline void obj_init(struct kobj *o, unsigned type, struct task *owner)
{
	o->refs = 0;
	o->type = type;
	o->dead = 0;
	o->doomed = 0;
	o->owner = owner;
}

static inline void obj_get(struct kobj *o) { o->refs++; }
/* the type of a live object, anything else for a dead one (one load) */
static inline unsigned obj_type_live(const struct kobj *o)
{
	uint16_t v;
	__builtin_memcpy(&v, &o->type, 2);
	return v; /* type | dead << 8, little-endian */
}
/* drops a reference; the object is reaped at the end of the operation */
void obj_put(struct kobj *o);
/* destroys now (wakes waiters, releases resources); memory goes when refs do */
void obj_destroy(struct kobj *o);
/* destroys o from the reap list, like obj_destroy but not now (no recursion) */
void obj_doom(struct kobj *o);
/* runs pending destructions; called before returning to user mode */
void obj_reap(void);

#endif
