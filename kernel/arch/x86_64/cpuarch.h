/* Arch functions generic code calls (CPU, FPU, I/O permissions, exit). */
#ifndef ARCH_CPUARCH_H
#define ARCH_CPUARCH_H

#include "arch.h"

struct cpu;
struct thread;
struct task;

void cpu_detect(void);
void cpu_init(struct cpu *c);
void arch_set_kstack(struct cpu *c, uint64_t frame_end);
void arch_set_io(struct cpu *c, struct task *t);
void arch_io_changed(struct task *t);

void fpu_save(void *area);
void fpu_restore(const void *area);
void fpu_trap(struct thread *cur);
void fpu_switch(struct cpu *c, struct thread *next);
void fpu_forget(struct thread *t);

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
