/*
 * x86-64 page tables.  User mappings are 4 KiB or 2 MiB leaves.  Every
 * page-table page that can hold user leaves (PD and PT) has a companion
 * page of mapnode pointers, one per entry: the mapdb back-pointer.
 */
#ifndef ARCH_MMU_H
#define ARCH_MMU_H

#include <arch/arch.h>
#include "cpu.h"

struct task;
struct mapnode;

typedef uint64_t pte_t;

#define PTE_P 0x1ull
#define PTE_W 0x2ull
#define PTE_U 0x4ull
#define PTE_PWT 0x8ull
#define PTE_PCD 0x10ull
#define PTE_A 0x20ull
#define PTE_D 0x40ull
#define PTE_PS 0x80ull
#define PTE_G 0x100ull
#define PTE_KOWNED 0x200ull /* a kernel-owned user mapping (UTCB): no mapnode */
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

static inline bool pte_present(pte_t e) { return e & PTE_P; }
static inline paddr_t pte_paddr(pte_t e) { return e & PTE_ADDR & ~(uint64_t)((e & PTE_PS) ? 0x1fffff : 0); }
/* a kernel-owned user mapping (a UTCB): no mapnode, not the mapping
 * database's to move or revoke */
static inline bool pte_kowned(pte_t e) { return e & PTE_KOWNED; }
/* the entries of a page table (below a directory entry that points to
 * one: mmu_pde_is_table) */
#define PT_ENTRIES 512
static inline pte_t *pte_table(pte_t pde) { return phys_to_virt(pde & PTE_ADDR); }

/* rights in LX4_FP_* terms */
uint64_t pte_rights(pte_t e);
pte_t mk_pte(paddr_t pa, uint64_t rights, unsigned order);
/* the same, kernel-owned (pte_kowned) */
static inline pte_t mk_pte_kowned(paddr_t pa, uint64_t rights, unsigned order)
{
	return mk_pte(pa, rights, order) | PTE_KOWNED;
}

/* allocates t's top-level table and shares the kernel half; 0 or -err */
int mmu_space_init(struct task *t);
/* frees every page-table page of t (leaves must already be gone) */
void mmu_space_free(struct task *t);
/* the end of t's user half, in one pass: leaf(t, pte, va, order) for
 * every present leaf in address order (it must take the leaf away, and
 * may take away leaves of t at higher addresses), each table freed once
 * its entries have been seen */
void mmu_space_teardown(struct task *t, void (*leaf)(struct task *t, pte_t *pte, uint64_t va, unsigned order));

/* the entry for a leaf of the given order (12 or 21) at va; with alloc,
 * creates missing tables (charged to t).  NULL with *err set when the
 * quota is exhausted (-LX4_ENOMEM) or a 2 MiB leaf covers va and order is
 * 12 (-LX4_EBUSY), or when the tables are missing and !alloc (0). */
pte_t *mmu_walk(struct task *t, uint64_t va, unsigned order, bool alloc, int *err);
/* the present leaf covering va, or NULL; *order gets 12 or 21 */
pte_t *mmu_leaf(struct task *t, uint64_t va, unsigned *order);
/* true if the entry at PD level points to a page table */
bool mmu_pde_is_table(pte_t e);
/* the mapnode slot of a leaf entry */
struct mapnode **mmu_pte_node(pte_t *pte);
/* frees the page table a PD entry points to (all its entries empty) */
void mmu_free_pt(struct task *t, pte_t *pde);
/* the lowest address >= va and < end with a present leaf, or end */
uint64_t mmu_next_mapped(struct task *t, uint64_t va, uint64_t end);

/* loads the page table at pml4 for task t on CPU c (counted) */
static inline void mmu_activate_on(struct cpu *c, struct task *t, paddr_t pml4)
{
	write_cr3(pml4);
	c->space = t;
	cpu_counters(c)->cr3_loads++;
}
/* drops TLB entries of t for the leaf at va if t is loaded here */
void mmu_flush(struct task *t, uint64_t va, unsigned order);

/* a window in the kernel half (PML4 slot 257), the same in every address
 * space: the in-kernel server's view of the memory the root task gave it,
 * which need not be contiguous physically */
#define KWIN_BASE 0xffff808000000000ull
#define KWIN_SIZE (1ull << 39)
/* maps the page of the given order (12 or 21) at pa at KWIN_BASE + off,
 * kernel-only; 0, or -LX4_EINVAL (outside, misaligned, already mapped) */
int mmu_kwin_map(uint64_t off, paddr_t pa, unsigned order);

/* boot: the kernel's page table with the physical memory map */
void mmu_kernel_init(paddr_t max_phys);

/* I/O permissions follow the address space: the TSS's I/O bitmap lies in
 * a per-task kernel window (PML4 slot 510), where a task with ports maps
 * its own two bitmap pages and every other task a shared all-denied one.
 * So a CR3 switch switches I/O rights too. */
#define IO_WINDOW 0xffffff0000000000ull
#define TSS_STRIDE 128 /* TSSes sit just below the window, one per CPU */
void *mmu_tss_area(unsigned cpu);
/* maps CPU 0's struct cpu (two pages) and the KIP just below it in the
 * global kernel window; returns the alias address of the struct */
struct cpu *mmu_map_percpu(struct cpu *c, void *kip_page);
int mmu_io_enable(struct task *t, void *bm0, void *bm1);
void mmu_io_disable(struct task *t);
/* maps a device page uncached into kernel space; returns its address */
void *mmu_map_mmio(paddr_t pa);

#endif
