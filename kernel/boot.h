/* What the boot loader told us, in generic form. */
#ifndef KERNEL_BOOT_H
#define KERNEL_BOOT_H

#include "types.h"

#define BOOT_MAX_RANGES 64
#define BOOT_MAX_MODULES 16

struct boot_range {
	paddr_t base, size;
};

struct boot_module {
	paddr_t base, size;
	char cmdline[112];
};

struct boot_params {
	struct boot_range ram[BOOT_MAX_RANGES]; /* usable, page aligned */
	unsigned nram;
	struct boot_module mods[BOOT_MAX_MODULES];
	unsigned nmods;
	paddr_t max_phys;
};

/* removes [base, base+size) from a sorted list of disjoint ranges;
 * false if the list would overflow max */
bool ranges_remove(struct boot_range *r, unsigned *n, unsigned max, paddr_t base, paddr_t size);

/* arch: parses the boot loader's information */
void arch_boot_parse(uint32_t magic, uint32_t info, struct boot_params *bp);

/* generic: builds and starts the root task */
void root_start(struct boot_params *bp);

#endif
