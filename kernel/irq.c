/*
 * IRQ objects (see irq.h).  When a line fires it is masked and the IRQ is
 * delivered to a thread waiting on the bound endpoint, or queued there
 * until one receives; the line is unmasked when the receiver acknowledges.
 */
#include "irq.h"
#include <arch/cpuarch.h>
#include "cap.h"
#include "cpu.h"
#include "ipc.h"
#include "kmem.h"
#include "kserver.h"
#include "lib.h"
#include "task.h"

struct kobj irqctl_obj = {.refs = 1, .type = LX4_OBJ_IRQCTL};
static struct irq *irq_table[NIRQ];

static void irq_queue(struct irq *irq)
{
	struct endpoint *ep = irq->ep;
	if (!ep || ep->obj.dead) {
		irq->pending = true;
		return;
	}
	if (ipc_deliver_irq(ep, irq))
		return;
	irq->pending = true;
	irq->next = NULL;
	if (ep->irq_tail)
		ep->irq_tail->next = irq;
	else
		ep->irq_head = irq;
	ep->irq_tail = irq;
}

static void irq_unqueue(struct irq *irq)
{
	struct endpoint *ep = irq->ep;
	if (!ep || !irq->pending)
		return;
	struct irq **pp = &ep->irq_head, *prev = NULL;
	while (*pp && *pp != irq) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (*pp) {
		*pp = irq->next;
		if (ep->irq_tail == irq)
			ep->irq_tail = prev;
	}
	irq->next = NULL;
}

void irq_fire(unsigned line)
{
	pic_mask(line);
	pic_eoi(line);
	if (CONFIG_MONO && kserver_irq(line))
		return;
	struct irq *irq = line < NIRQ ? irq_table[line] : NULL;
	if (!irq || irq->pending || irq->inflight)
		return;
	irq_queue(irq);
}

/* (IRQ control cap, line, destination slot) */
struct thread *sys_irq_create(struct thread *cur)
{
	struct frame *f = &cur->frame;
	struct cap c, *slot;
	int err = cap_lookup(cur, cap_arg(arch_sysarg(f, 0)), LX4_OBJ_IRQCTL, 0, &c);
	uint64_t line = arch_sysarg(f, 1);
	if (!err && (line >= NIRQ || line == 2))
		err = -LX4_ERANGE;
	if (!err && irq_table[line])
		err = -LX4_EBUSY;
	if (!err)
		err = cap_dst_slot(cur->task, cap_arg(arch_sysarg(f, 2)), &slot);
	struct irq *irq = err ? NULL : kalloc(cur->task, sizeof *irq);
	if (!err && !irq)
		err = -LX4_ENOMEM;
	if (err) {
		arch_set_sysret(f, (uint64_t)err);
		return cur;
	}
	obj_init(&irq->obj, LX4_OBJ_IRQ, cur->task);
	irq->line = line;
	irq_table[line] = irq;
	cap_install(slot, &irq->obj, LX4_R_ALL, 0);
	arch_set_sysret(f, 0);
	return cur;
}

static void irq_unbind(struct irq *irq)
{
	irq_unqueue(irq);
	irq->pending = irq->inflight = false;
	if (irq->ep)
		obj_put(&irq->ep->obj);
	irq->ep = NULL;
	pic_mask(irq->line);
}

/* (IRQ cap, endpoint cap (0: unbind)) */
struct thread *sys_irq_bind(struct thread *cur)
{
	struct frame *f = &cur->frame;
	struct cap ic, ec = {0};
	int err = cap_lookup(cur, cap_arg(arch_sysarg(f, 0)), LX4_OBJ_IRQ, LX4_R_CONTROL, &ic);
	if (!err && arch_sysarg(f, 1))
		err = cap_lookup(cur, cap_arg(arch_sysarg(f, 1)), LX4_OBJ_ENDPOINT, LX4_R_SEND, &ec);
	if (err) {
		arch_set_sysret(f, (uint64_t)err);
		return cur;
	}
	struct irq *irq = obj_irq(ic.obj);
	irq_unbind(irq);
	if (ec.obj) {
		irq->ep = obj_ep(ec.obj);
		obj_get(ec.obj);
		irq->badge = ec.badge;
		pic_unmask(irq->line);
	}
	arch_set_sysret(f, 0);
	return cur;
}

/* (IRQ cap): the receiver has handled it; unmask the line */
struct thread *sys_irq_ack(struct thread *cur)
{
	struct frame *f = &cur->frame;
	struct cap ic;
	int err = cap_lookup(cur, cap_arg(arch_sysarg(f, 0)), LX4_OBJ_IRQ, LX4_R_CONTROL, &ic);
	struct irq *irq = err ? NULL : obj_irq(ic.obj);
	if (!err && !irq->inflight)
		err = -LX4_ESTATE;
	if (err) {
		arch_set_sysret(f, (uint64_t)err);
		return cur;
	}
	irq->inflight = false;
	if (irq->ep)
		pic_unmask(irq->line);
	arch_set_sysret(f, 0);
	return cur;
}

void irq_destroy(struct irq *irq)
{
	irq_unbind(irq);
	irq_table[irq->line] = NULL;
}

void irq_free(struct irq *irq) { kfree(irq->obj.owner, irq, sizeof *irq); }
