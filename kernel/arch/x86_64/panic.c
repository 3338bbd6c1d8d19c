/*
 * Panics on x86-64: the cause, the registers of the frame, the faulting
 * address (CR2) and a backtrace along the frame pointers, symbolised
 * (debug.c), then QEMU ends with the panic status (no test hangs on it).
 */
#include <arch/arch.h>
#include <arch/cpuarch.h>
#include "lib.h"

extern char _kernel_end[];

static void backtrace(uint64_t rbp)
{
	kprintf("backtrace:\n");
	for (int depth = 0; depth < 32; depth++) {
		if (rbp < KERNEL_VBASE || rbp >= (uint64_t)_kernel_end || (rbp & 7))
			break;
		uint64_t *fp = (uint64_t *)rbp;
		if (!fp[1])
			break;
		ksym_print("  ", fp[1]);
		rbp = fp[0];
	}
}

void panic_frame(const char *why, const struct frame *f)
{
	irq_disable();
	kprintf("\nlx4 PANIC: %s\n", why);
	kprintf("vector %lu error %lx cr2 (fault address) %016lx\n", f->vector, f->error, read_cr2());
	ksym_print("rip ", f->rip);
	kprintf("rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
	kprintf("rsi %016lx rdi %016lx rbp %016lx rsp %016lx\n", f->rsi, f->rdi, f->rbp, f->rsp);
	kprintf("r8  %016lx r9  %016lx r10 %016lx r11 %016lx\n", f->r8, f->r9, f->r10, f->r11);
	kprintf("r12 %016lx r13 %016lx r14 %016lx r15 %016lx\n", f->r12, f->r13, f->r14, f->r15);
	kprintf("cs %lx ss %lx rflags %lx cr0 %lx cr3 %lx cr4 %lx\n", f->cs, f->ss, f->rflags, read_cr0(),
		read_cr3(), read_cr4());
	ksym_print("at ", f->rip);
	backtrace(f->rbp);
	arch_qemu_exit(EXIT_PANIC);
}

noreturn void panic(const char *fmt, ...)
{
	char buf[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	struct frame f = {0};
	__asm__ volatile("mov %%rsp, %0; mov %%rbp, %1; lea (%%rip), %2" : "=r"(f.rsp), "=r"(f.rbp), "=r"(f.rip));
	__asm__ volatile("mov %%rax, %0; mov %%rbx, %1" : "=m"(f.rax), "=m"(f.rbx));
	f.vector = ~0ull;
	panic_frame(buf, &f);
	for (;;)
		;
}
