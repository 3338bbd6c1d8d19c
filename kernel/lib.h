/* Kernel-internal string, formatting and logging helpers. */
#ifndef KERNEL_LIB_H
#define KERNEL_LIB_H

#include <stdarg.h>
#include "types.h"

#include "../lib/fmt.h"

/* kernel log: QEMU debugcon (port 0xe9) */
void kputs(const char *s, size_t n);
void kputs_user(const char *s, size_t n);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* prefix, addr and, in the kernel's text, its symbol and offset (a line) */
void ksym_print(const char *prefix, uint64_t addr);

noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define assert(c)                                                                  \
	do {                                                                       \
		if (unlikely(!(c)))                                                \
			panic("assertion failed: %s at %s:%d", #c, __FILE__, __LINE__); \
	} while (0)

/* parse a kernel command line option "name=value"; returns false if absent */
bool cmdline_get(const char *name, uint64_t *value);
bool cmdline_has(const char *name);
extern char kernel_cmdline[128];

#endif
