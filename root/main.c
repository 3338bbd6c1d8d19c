/* The root task (first version): says hello and ends the run. */
#include <lx4/bootinfo.h>

#include "lx4.h"

static void qemu_exit(unsigned v) { __asm__ volatile("outb %b0, %w1" : : "a"(v), "Nd"(0xf4)); }

int main(struct lx4_bootinfo *bi)
{
	printf("root: hello, %lu modules, %lu free pages of kernel memory\n", bi->nmodules, lx4_kmem_free());
	qemu_exit(0);
	return 0;
}
