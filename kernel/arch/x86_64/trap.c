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

void trap_kernel(struct frame *f)
{
	if (interrupt(f->vector))
		return;
	if (f->vector == VEC_NMI)
		return;
	panic_frame(f->vector == VEC_PF ? "page fault in the kernel" : "exception in the kernel", f);
}
