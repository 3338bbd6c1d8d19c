/* Arch functions generic code calls (CPU, FPU, I/O permissions, exit). */
#ifndef ARCH_CPUARCH_H
#define ARCH_CPUARCH_H

#include <arch/arch.h>
#include "cpu.h"

struct thread;
struct task;

void cpu_detect(void);
void cpu_init(struct cpu *c);
/* the KIP's description of the CPU's FPU state (size, features) */
void cpu_kip_fill(struct lx4_kip *k);
/* the boot log's line about the CPU */
void cpu_describe(uint64_t tsc_hz, uint64_t pool_pages);

/* where the CPU saves user registers on the next interrupt from user
 * mode (the syscall entry finds the frame through cpu->cur) */
static inline void arch_set_kstack(struct cpu *c, uint64_t frame_end) { *c->tss_rsp0 = frame_end; }

/* lazy FPU: the FPU stays with its owner; anyone else traps (#NM) */
static inline void fpu_switch(struct cpu *c, struct thread *next)
{
	if (next == c->fpu_owner) {
		if (c->ts_set) {
			__asm__ volatile("clts");
			c->ts_set = false;
		}
	} else if (!c->ts_set) {
		write_cr0(read_cr0() | CR0_TS);
		c->ts_set = true;
	}
}

void fpu_save(void *area);
void fpu_restore(const void *area);
void fpu_trap(struct thread *cur);
void fpu_forget(struct thread *t);
/* exregs: t's FPU state (fpu_size() bytes) into dst; the init state if t
 * never used the FPU */
void fpu_read(struct thread *t, void *dst);
/* checks the image at src (user memory) as XRSTOR would, copying what it
 * checks (whole: all of it, for src to change before the write); false:
 * it would fault */
bool fpu_stage(const void *src, bool whole);
/* t's state becomes the staged image (fpu_stage said yes, this call; src
 * still readable), with the checked parts as they were checked */
void fpu_write_staged(struct thread *t);
/* t's state becomes the init state */
void fpu_reset(struct thread *t);
uint32_t fpu_size(void);

noreturn void arch_exit_to_user(struct thread *t);
noreturn void arch_run_on_stack(uint64_t top, void (*fn)(void));

/* interrupt controllers and timer */
void pic_init(void);
void pic_mask(unsigned line);
void pic_unmask(unsigned line);
void pic_eoi(unsigned line);
void lapic_init(void);
void lapic_eoi(void);
void timer_init(unsigned hz);
uint64_t tsc_calibrate(void);

#endif
