/*
 * The kernel log (QEMU debugcon, port 0xe9) and the kernel's symbols, for
 * the panics (the architecture's panic.c: the cause, the registers, the
 * faulting address and a symbolised backtrace, then QEMU ends with a
 * failing status so that no test hangs on it).
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
extern char _text[], _etext[];

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

void ksym_print(const char *prefix, uint64_t addr)
{
	uint64_t off = 0;
	const char *name = sym_lookup(addr, &off);
	if (name && addr >= (uint64_t)_text && addr < (uint64_t)_etext)
		kprintf("%s%016lx <%s+0x%lx>\n", prefix, addr, name, off);
	else
		kprintf("%s%016lx\n", prefix, addr);
}
