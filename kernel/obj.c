/* Object references, destruction and the reap list (see obj.h). */
#include "obj.h"
#include "cpu.h"
#include "ipc.h"
#include "irq.h"
#include "lib.h"
#include "task.h"
#include "thread.h"

static void obj_queue(struct kobj *o)
{
	struct cpu *c = this_cpu();
	if (o->queued)
		return;
	o->queued = 1;
	o->reap_next = c->reap;
	c->reap = o;
}

void obj_put(struct kobj *o)
{
	assert(o->refs > 0);
	if (--o->refs == 0)
		obj_queue(o);
}

void obj_destroy(struct kobj *o)
{
	if (o->dead)
		return;
	o->dead = 1;
	switch (o->type) {
	case LX4_OBJ_TASK:
		task_destroy(container_of(o, struct task, obj));
		break;
	case LX4_OBJ_THREAD:
		thread_destroy(obj_thread(o));
		break;
	case LX4_OBJ_ENDPOINT:
		endpoint_destroy(obj_ep(o));
		break;
	case LX4_OBJ_IRQ:
		irq_destroy(obj_irq(o));
		break;
	default:
		o->dead = 0; /* the IRQ control object lives forever */
		break;
	}
}

void obj_doom(struct kobj *o)
{
	if (o->dead)
		return;
	o->doomed = 1;
	obj_queue(o);
}

/* an account whose last charge went away may be freed now */
void obj_task_idle(struct task *t)
{
	if (!t->obj.refs && t->obj.dead)
		obj_queue(&t->obj);
}

void obj_reap(void)
{
	struct cpu *c = this_cpu();
	struct kobj *o;
	while ((o = c->reap)) {
		c->reap = o->reap_next;
		o->queued = 0;
		if (o->refs && !o->doomed)
			continue;
		obj_destroy(o);
		if (o->refs)
			continue;
		switch (o->type) {
		case LX4_OBJ_TASK: {
			struct task *t = container_of(o, struct task, obj);
			/* else freed when its last charge goes; its own pages
			 * going may have queued it again: then freed from there */
			if (!t->used && !o->queued)
				task_free(t);
			break;
		}
		case LX4_OBJ_THREAD:
			/* a thread that dropped the last reference to itself
			 * is still what the CPU runs on: sched_finish frees it */
			if (obj_thread(o) == c->cur)
				c->zombie = obj_thread(o);
			else
				thread_free(obj_thread(o));
			break;
		case LX4_OBJ_ENDPOINT:
			kfree(o->owner, obj_ep(o), sizeof(struct endpoint));
			break;
		case LX4_OBJ_IRQ:
			irq_free(obj_irq(o));
			break;
		}
	}
}
