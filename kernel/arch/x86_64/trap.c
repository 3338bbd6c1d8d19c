/*
 * Exceptions and interrupts.  From user mode: page faults go to the
 * pager, other exceptions to the exception handler, #NM switches the FPU,
 * interrupts tick the clock or fire IRQ objects.  From kernel mode only
 * interrupts are expected (in the idle loop); anything else is a panic.
 */
#include <arch/arch.h>
#include <arch/cpuarch.h>
#include "cpu.h"
#include "fastpath.h"
#include "fault.h"
#include "irq.h"
#include "lib.h"
#include "sched.h"
#include "thread.h"
#include "timer.h"

void panic_frame(const char *why, const struct frame *f);

/* PIC lines 7 and 15 also signal spurious interrupts: check the ISR */
static bool spurious_irq(unsigned line)
{
	if (line != 7 && line != 15)
		return false;
	uint16_t port = line == 7 ? 0x20 : 0xa0;
	outb(port, 0x0b);
	if (inb(port) & 0x80)
		return false;
	if (line == 15)
		outb(0x20, 0x20); /* the master saw a real cascade interrupt */
	return true;
}

/* interrupts common to both modes; true if handled */
static bool interrupt(unsigned vec)
{
	if (vec == VEC_TIMER) {
		lapic_eoi();
		timer_tick();
		return true;
	}
	if (vec >= VEC_IRQ0 && vec < VEC_IRQ0 + 16) {
		unsigned line = vec - VEC_IRQ0;
		if (!spurious_irq(line))
			irq_fire(line);
		return true;
	}
	return vec == VEC_SPURIOUS;
}

static unsigned pf_access(uint64_t err)
{
	unsigned a = (err & 2) ? LX4_PF_WRITE : (err & 0x10) ? LX4_PF_EXEC : LX4_PF_READ;
	return a | ((err & 1) ? LX4_PF_PRESENT : 0);
}

struct thread *trap_user(struct frame *f)
{
	struct cpu *c = this_cpu();
	c->entry_tsc = rdtsc(); /* kernel time from here (sched_finish) */
	struct thread *cur = c->cur;
	unsigned vec = f->vector;
	struct thread *next = cur;
	if (interrupt(vec))
		return sched_finish(cur);
	switch (vec) {
	case VEC_NM:
		fpu_trap(cur);
		break;
	case VEC_PF: /* the whole entry (the IPC fast path's direct switch) */
		return fault_page(cur, read_cr2(), pf_access(f->error));
	case VEC_NMI:
		break;
	case VEC_DF:
	case 18:
		panic_frame("machine check or double fault", f);
		break;
	default:
		next = fault_exception(cur, vec, f->error);
		break;
	}
	return sched_finish(next);
}

/*
 * From ring 0: the idle loop's hlt, or (coloc) a TF_KMODE thread, which
 * runs in ring 0 with interrupts on and takes them on its own stack.  The
 * latter is preempted as a user thread is: its interrupted context (f, on
 * its stack) becomes its saved frame and the thread is returned, for
 * entry.S to leave through sched_finish on the kernel stack.  NULL: resume
 * where the interrupt came.  (Not preempting it would be wrong, not just
 * unfair: sched_tick may already have queued it as ready.)
 */
struct thread *trap_kernel(struct frame *f)
{
	if (interrupt(f->vector)) {
		struct cpu *c = this_cpu();
		struct thread *cur = c->cur;
		if (!CONFIG_COLOC || cur == c->idle || !(cur->flags & TF_KMODE))
			return NULL;
		if (cur->state == LX4_TSTATE_RUNNING && sched_may_run(c, cur))
			return NULL;
		c->entry_tsc = rdtsc();
		cur->frame = *f;
		cur->frame.vector = VEC_KMODE;
		return cur;
	}
	if (f->vector == VEC_NMI)
		return NULL;
	panic_frame(f->vector == VEC_PF ? "page fault in the kernel" : "exception in the kernel", f);
	return NULL;
}
