/*
 * The kernel log (QEMU debugcon, port 0xe9) and panics: a panic prints the
 * cause, the registers, the faulting address and a symbolised backtrace,
 * then ends QEMU with a failing status so that no test hangs on it.
 */
#include <arch/arch.h>
#include "lib.h"

#define DEBUGCON 0xe9

void kputs(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		outb(DEBUGCON, (uint8_t)s[i]);
}

/* user text for the log: control bytes other than newline and tab become
 * '?', so that no program can garble the log the test tools parse */
void kputs_user(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		outb(DEBUGCON, (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f ? '?' : c);
	}
}

void kprintf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	kputs(buf, n < (int)sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* the symbol table the second link puts in .ksyms (tools/ksyms.py) */
struct ksym {
	uint64_t addr;
	uint32_t name;
	uint32_t size;
};
extern const uint64_t ksyms_count;
extern const struct ksym ksyms_table[];
extern const char ksyms_names[];
extern char _text[], _etext[], _kernel_end[];

static const char *sym_lookup(uint64_t addr, uint64_t *off)
{
	const struct ksym *best = NULL;
	for (uint64_t i = 0; i < ksyms_count; i++) {
		if (ksyms_table[i].addr > addr)
			break;
		best = &ksyms_table[i];
	}
	if (!best)
		return NULL;
	*off = addr - best->addr;
	return ksyms_names + best->name;
}

static void print_addr(const char *prefix, uint64_t addr)
{
	uint64_t off = 0;
	const char *name = sym_lookup(addr, &off);
	if (name && addr >= (uint64_t)_text && addr < (uint64_t)_etext)
		kprintf("%s%016lx <%s+0x%lx>\n", prefix, addr, name, off);
	else
		kprintf("%s%016lx\n", prefix, addr);
}

static void backtrace(uint64_t rbp)
{
	kprintf("backtrace:\n");
	for (int depth = 0; depth < 32; depth++) {
		if (rbp < KERNEL_VBASE || rbp >= (uint64_t)_kernel_end || (rbp & 7))
			break;
		uint64_t *fp = (uint64_t *)rbp;
		if (!fp[1])
			break;
		print_addr("  ", fp[1]);
		rbp = fp[0];
	}
}

void panic_frame(const char *why, const struct frame *f)
{
	irq_disable();
	kprintf("\nlx4 PANIC: %s\n", why);
	kprintf("vector %lu error %lx cr2 (fault address) %016lx\n", f->vector, f->error, read_cr2());
	print_addr("rip ", f->rip);
	kprintf("rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
	kprintf("rsi %016lx rdi %016lx rbp %016lx rsp %016lx\n", f->rsi, f->rdi, f->rbp, f->rsp);
	kprintf("r8  %016lx r9  %016lx r10 %016lx r11 %016lx\n", f->r8, f->r9, f->r10, f->r11);
	kprintf("r12 %016lx r13 %016lx r14 %016lx r15 %016lx\n", f->r12, f->r13, f->r14, f->r15);
	kprintf("cs %lx ss %lx rflags %lx cr0 %lx cr3 %lx cr4 %lx\n", f->cs, f->ss, f->rflags, read_cr0(),
		read_cr3(), read_cr4());
	print_addr("at ", f->rip);
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
