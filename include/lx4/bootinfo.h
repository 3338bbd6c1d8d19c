/*
 * Boot information the kernel hands the root task (mapped read-only at
 * LX4_ROOT_BOOTINFO): the physical memory it owns and the modules.
 */
#ifndef LX4_BOOTINFO_H
#define LX4_BOOTINFO_H

#include <stdint.h>

#define LX4_BOOTINFO_MAGIC 0x4f464e49544f4f42ull /* "BOOTINFO" */
#define LX4_BI_MAX_RANGES 64
#define LX4_BI_MAX_MODULES 16

struct lx4_bi_range {
	uint64_t base; /* physical; the root sees it at LX4_ROOT_RAM_BASE + base */
	uint64_t size;
};

struct lx4_bi_module {
	uint64_t base; /* physical, page aligned */
	uint64_t size;
	char cmdline[112];
};

struct lx4_bootinfo {
	uint64_t magic;
	uint64_t nranges;  /* free RAM the root owns (mapped in its window) */
	uint64_t nmodules; /* modules (also in the window, not in ranges) */
	uint64_t ram_window_base; /* LX4_ROOT_RAM_BASE */
	uint64_t kmem_quota_pages; /* the root's kernel-memory quota */
	uint64_t cap_slots;        /* size of the root's capability table */
	uint64_t first_free_slot;  /* first slot the root may use */
	char kernel_cmdline[128];
	struct lx4_bi_range ranges[LX4_BI_MAX_RANGES];
	struct lx4_bi_module modules[LX4_BI_MAX_MODULES];
};

_Static_assert(sizeof(struct lx4_bootinfo) <= 4096, "boot info is one page");

#endif
