/* IRQ objects: an interrupt line delivered as a message on an endpoint,
 * masked until the receiver acknowledges it. */
#ifndef KERNEL_IRQ_H
#define KERNEL_IRQ_H

#include "obj.h"

#define NIRQ 16

struct endpoint;

struct irq {
	struct kobj obj;
	unsigned line;
	bool pending;  /* fired, not yet delivered */
	bool inflight; /* delivered, not yet acknowledged */
	struct endpoint *ep;
	uint64_t badge;
	struct irq *next; /* on ep's pending list */
};

static inline struct irq *obj_irq(struct kobj *o) { return container_of(o, struct irq, obj); }

struct thread;
struct thread *sys_irq_create(struct thread *cur);
struct thread *sys_irq_bind(struct thread *cur);
struct thread *sys_irq_ack(struct thread *cur);
void irq_destroy(struct irq *irq);
void irq_free(struct irq *irq);
/* an interrupt arrived on line (from the arch trap code) */
void irq_fire(unsigned line);

/* the IRQ control object: one, given to the root task */
extern struct kobj irqctl_obj;

#endif
