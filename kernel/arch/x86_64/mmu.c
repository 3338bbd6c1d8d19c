/* x86-64 page-table management (see include/arch/mmu.h). */
#include <arch/mmu.h>
#include "cpu.h"
#include "kmem.h"
#include "lib.h"
#include "mapdb.h"
#include "task.h"

#define IDX(va, lvl) (((va) >> (12 + 9 * (lvl))) & 511)
#define TABLE_FLAGS (PTE_P | PTE_W | PTE_U)

uint64_t pte_rights(pte_t e)
{
	if (!(e & PTE_P))
		return 0;
	uint64_t r = LX4_FP_R;
	if (e & PTE_W)
		r |= LX4_FP_W;
	if (!(e & PTE_NX))
		r |= LX4_FP_X;
	return r;
}

pte_t mk_pte(paddr_t pa, uint64_t rights, unsigned order)
{
	pte_t e = pa | PTE_P | PTE_U;
	if (rights & LX4_FP_W)
		e |= PTE_W;
	if (!(rights & LX4_FP_X) && cpu_feat.nx)
		e |= PTE_NX;
	if (order == 21)
		e |= PTE_PS;
	return e;
}

static inline pte_t *table_of(pte_t e) { return phys_to_virt(e & PTE_ADDR); }

int mmu_space_init(struct task *t)
{
	uint64_t *pml4 = kalloc_page(t);
	if (!pml4)
		return -LX4_ENOMEM;
	memcpy(pml4 + 256, kernel_task.pml4 + 256, 256 * 8);
	t->pml4 = pml4;
	t->pml4_phys = virt_to_phys(pml4);
	return 0;
}

/* a new table page; PD and PT pages (lvl 1, 0) get a companion */
static pte_t *table_alloc(struct task *t, unsigned lvl, int *err)
{
	pte_t *tab = kalloc_page(t);
	if (!tab) {
		*err = -LX4_ENOMEM;
		return NULL;
	}
	if (lvl <= 1) {
		void *comp = kalloc_page(t);
		if (!comp) {
			kfree_page(t, tab);
			*err = -LX4_ENOMEM;
			return NULL;
		}
		*kmem_page_aux(tab) = (uint64_t)comp;
	}
	return tab;
}

static void table_free(struct task *t, pte_t *tab, unsigned lvl)
{
	if (lvl <= 1)
		kfree_page(t, (void *)*kmem_page_aux(tab));
	kfree_page(t, tab);
}

/* frees the tables under tab (a table of level lvl > 0: page tables hold
 * only leaves, which space_destroy took away, so they are not looked
 * into) */
static void free_level(struct task *t, pte_t *tab, unsigned lvl, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		pte_t e = tab[i];
		if (!(e & PTE_P) || (e & PTE_PS))
			continue;
		pte_t *sub = table_of(e);
		if (lvl > 1)
			free_level(t, sub, lvl - 1, 512);
		table_free(t, sub, lvl - 1);
	}
}

static void teardown_level(struct task *t, pte_t *tab, unsigned lvl, unsigned n, uint64_t base,
			   void (*leaf)(struct task *, pte_t *, uint64_t, unsigned))
{
	for (unsigned i = 0; i < n; i++) {
		if (!(tab[i] & PTE_P))
			continue;
		uint64_t va = base + ((uint64_t)i << (12 + 9 * lvl));
		if (lvl == 0 || (tab[i] & PTE_PS)) {
			leaf(t, &tab[i], va, lvl ? 21 : 12);
			continue;
		}
		pte_t *sub = table_of(tab[i]);
		teardown_level(t, sub, lvl - 1, 512, va, leaf);
		table_free(t, sub, lvl - 1);
		tab[i] = 0;
	}
}

void mmu_space_teardown(struct task *t, void (*leaf)(struct task *t, pte_t *pte, uint64_t va, unsigned order))
{
	if (t->pml4)
		teardown_level(t, t->pml4, 3, 256, 0, leaf);
}

void mmu_space_free(struct task *t)
{
	if (!t->pml4)
		return;
	free_level(t, t->pml4, 3, 256);
	mmu_io_disable(t);
	kfree_page(t, t->pml4);
	t->pml4 = NULL;
}

pte_t *mmu_walk(struct task *t, uint64_t va, unsigned order, bool alloc, int *err)
{
	unsigned stop = order == 21 ? 1 : 0;
	pte_t *tab = t->pml4;
	*err = 0;
	for (unsigned lvl = 3; lvl > stop; lvl--) {
		pte_t *e = &tab[IDX(va, lvl)];
		if (*e & PTE_PS) { /* a 2 MiB leaf is in the way */
			*err = -LX4_EBUSY;
			return NULL;
		}
		if (!(*e & PTE_P)) {
			if (!alloc)
				return NULL;
			pte_t *sub = table_alloc(t, lvl - 1, err);
			if (!sub)
				return NULL;
			*e = virt_to_phys(sub) | TABLE_FLAGS;
		}
		tab = table_of(*e);
	}
	return &tab[IDX(va, stop)];
}

pte_t *mmu_leaf(struct task *t, uint64_t va, unsigned *order)
{
	pte_t *tab = t->pml4;
	for (unsigned lvl = 3;; lvl--) {
		pte_t *e = &tab[IDX(va, lvl)];
		if (!(*e & PTE_P))
			return NULL;
		if (lvl == 0 || (lvl == 1 && (*e & PTE_PS))) {
			*order = lvl ? 21 : 12;
			return e;
		}
		tab = table_of(*e);
	}
}

bool mmu_pde_is_table(pte_t e) { return (e & PTE_P) && !(e & PTE_PS); }

struct mapnode **mmu_pte_node(pte_t *pte)
{
	pte_t *tab = (pte_t *)ALIGN_DOWN((uint64_t)pte, PAGE_SIZE);
	struct mapnode **comp = (struct mapnode **)*kmem_page_aux(tab);
	return &comp[pte - tab];
}

void mmu_free_pt(struct task *t, pte_t *pde)
{
	table_free(t, table_of(*pde), 0);
	*pde = 0;
}

uint64_t mmu_next_mapped(struct task *t, uint64_t va, uint64_t end)
{
	while (va < end) {
		pte_t *tab = t->pml4;
		unsigned lvl = 3;
		for (;;) {
			uint64_t span = 1ull << (12 + 9 * lvl);
			unsigned first = IDX(va, lvl), i = first;
			/* the empty entries of this table, without walking down
			 * from the top again for each */
			while (i < 512 && !(tab[i] & PTE_P))
				i++;
			if (i != first)
				va = ALIGN_DOWN(va, span) + (i - first) * span;
			if (va >= end || i == 512)
				break; /* (past this table: from the top again) */
			pte_t e = tab[i];
			if (lvl == 0 || (e & PTE_PS))
				return va;
			tab = table_of(e);
			lvl--;
		}
	}
	return end;
}

void mmu_flush(struct task *t, uint64_t va, unsigned order)
{
	if (this_cpu()->space != t)
		return; /* no PCID: the next CR3 load flushes it */
	if (order == 21)
		for (uint64_t a = va; a < va + LARGE_SIZE; a += PAGE_SIZE)
			invlpg(a);
	else
		invlpg(va);
}

/* ---- the kernel's own page table ------------------------------------- */

static uint64_t *kalloc_table(void) { return kmem_page_alloc_boot(); }
static uint64_t *noio_pdpt;  /* the I/O window of tasks without ports */
static void *io_ff_page;     /* all bits set: every port denied */
static void *tss_page;       /* the TSSes, mapped just below IO_WINDOW */
static uint64_t *top_pt;     /* the page table of the last 2 MiB below it */

/* a chain PDPT -> PD -> PT at slot 0 of each; returns the PT */
static uint64_t *chain(uint64_t *pdpt, unsigned pdpt_i, unsigned pd_i)
{
	uint64_t *pd = kalloc_table(), *pt = kalloc_table();
	pdpt[pdpt_i] = virt_to_phys(pd) | PTE_P | PTE_W;
	pd[pd_i] = virt_to_phys(pt) | PTE_P | PTE_W;
	return pt;
}

static void io_window_init(uint64_t *pml4)
{
	io_ff_page = kalloc_table();
	memset(io_ff_page, 0xff, PAGE_SIZE);
	noio_pdpt = kalloc_table();
	uint64_t *pt = chain(noio_pdpt, 0, 0);
	for (unsigned i = 0; i < 3; i++) /* bitmap (2 pages) and the byte after it */
		pt[i] = virt_to_phys(io_ff_page) | PTE_P | (cpu_feat.nx ? PTE_NX : 0);
	pml4[510] = virt_to_phys(noio_pdpt) | PTE_P | PTE_W;
	/* the TSS page: the last page below the window (PML4 slot 509) */
	tss_page = kalloc_table();
	uint64_t *tpdpt = kalloc_table();
	uint64_t *tpt = chain(tpdpt, 511, 511);
	tpt[511] = virt_to_phys(tss_page) | PTE_P | PTE_W | PTE_G | (cpu_feat.nx ? PTE_NX : 0);
	top_pt = tpt;
	pml4[509] = virt_to_phys(tpdpt) | PTE_P | PTE_W;
}

void *mmu_tss_area(unsigned cpu) { return (void *)(IO_WINDOW - TSS_STRIDE * (cpu + 1)); }

/* pages 508-510 of the last page table: the KIP, then struct cpu */
struct cpu *mmu_map_percpu(struct cpu *c, void *kip_page)
{
	_Static_assert(sizeof(struct cpu) <= 2 * PAGE_SIZE, "struct cpu fits its alias");
	uint64_t flags = PTE_P | PTE_W | PTE_G | (cpu_feat.nx ? PTE_NX : 0);
	top_pt[508] = virt_to_phys(kip_page) | flags;
	top_pt[509] = virt_to_phys(c) | flags;
	top_pt[510] = (virt_to_phys(c) + PAGE_SIZE) | flags;
	uint64_t va = IO_WINDOW - 3 * PAGE_SIZE;
	for (unsigned i = 2; i <= 4; i++)
		invlpg(IO_WINDOW - i * PAGE_SIZE);
	return (struct cpu *)va;
}

int mmu_io_enable(struct task *t, void *bm0, void *bm1)
{
	uint64_t *pdpt = kalloc_page(t), *pd = pdpt ? kalloc_page(t) : NULL, *pt = pd ? kalloc_page(t) : NULL;
	if (!pt) {
		if (pd)
			kfree_page(t, pd);
		if (pdpt)
			kfree_page(t, pdpt);
		return -LX4_ENOMEM;
	}
	uint64_t nx = cpu_feat.nx ? PTE_NX : 0;
	pt[0] = virt_to_phys(bm0) | PTE_P | nx;
	pt[1] = virt_to_phys(bm1) | PTE_P | nx;
	pt[2] = virt_to_phys(io_ff_page) | PTE_P | nx;
	pd[0] = virt_to_phys(pt) | PTE_P | PTE_W;
	pdpt[0] = virt_to_phys(pd) | PTE_P | PTE_W;
	t->pml4[510] = virt_to_phys(pdpt) | PTE_P | PTE_W;
	if (this_cpu()->space == t)
		write_cr3(t->pml4_phys); /* drop the shared window's TLB entries */
	return 0;
}

void mmu_io_disable(struct task *t)
{
	if (!t->pml4 || (t->pml4[510] & PTE_ADDR) == virt_to_phys(noio_pdpt))
		return;
	uint64_t *pdpt = phys_to_virt(t->pml4[510] & PTE_ADDR);
	uint64_t *pd = phys_to_virt(pdpt[0] & PTE_ADDR);
	uint64_t *pt = phys_to_virt(pd[0] & PTE_ADDR);
	t->pml4[510] = virt_to_phys(noio_pdpt) | PTE_P | PTE_W;
	if (this_cpu()->space == t)
		write_cr3(t->pml4_phys);
	kfree_page(t, pt);
	kfree_page(t, pd);
	kfree_page(t, pdpt);
}
static uint64_t *kwin_pdpt;

/* the table entry at index i of tab points to, made if missing */
static uint64_t *kwin_next(uint64_t *tab, unsigned i)
{
	if (!(tab[i] & PTE_P))
		tab[i] = virt_to_phys(kalloc_table()) | PTE_P | PTE_W;
	return phys_to_virt(tab[i] & PTE_ADDR);
}

int mmu_kwin_map(uint64_t off, paddr_t pa, unsigned order)
{
	uint64_t size = 1ull << order;
	if ((order != 12 && order != 21) || off >= KWIN_SIZE || (off | pa) & (size - 1))
		return -LX4_EINVAL;
	uint64_t *pd = kwin_next(kwin_pdpt, (off >> 30) & 511);
	pte_t e = pa | PTE_P | PTE_W | PTE_G | (cpu_feat.nx ? PTE_NX : 0);
	unsigned pdi = (off >> 21) & 511;
	if (order == 21) {
		if (pd[pdi] & PTE_P)
			return -LX4_EINVAL;
		pd[pdi] = e | PTE_PS;
		return 0;
	}
	if ((pd[pdi] & PTE_P) && (pd[pdi] & PTE_PS))
		return -LX4_EINVAL;
	uint64_t *pt = kwin_next(pd, pdi);
	if (pt[(off >> 12) & 511] & PTE_P)
		return -LX4_EINVAL;
	pt[(off >> 12) & 511] = e;
	return 0;
}

static uint64_t *mmio_pt;
static unsigned mmio_next;
#define MMIO_BASE 0xffffffffc0000000ull

void mmu_kernel_init(paddr_t max_phys)
{
	uint64_t *pml4 = kalloc_table();
	uint64_t g = PTE_G;
	/* direct map of all physical memory at PHYSMAP_BASE */
	uint64_t *pdpt = kalloc_table();
	pml4[256] = virt_to_phys(pdpt) | PTE_P | PTE_W;
	uint64_t top = ALIGN_UP(max_phys, 1ull << 30);
	if (top > PHYSMAP_MAX)
		panic("more than 512 GiB of physical memory");
	for (uint64_t gb = 0; gb < top >> 30; gb++) {
		if (cpu_feat.pdpe1gb) {
			pdpt[gb] = (gb << 30) | PTE_P | PTE_W | PTE_PS | g | (cpu_feat.nx ? PTE_NX : 0);
			continue;
		}
		uint64_t *pd = kalloc_table();
		for (unsigned i = 0; i < 512; i++)
			pd[i] = ((gb << 30) + ((uint64_t)i << 21)) | PTE_P | PTE_W | PTE_PS | g | (cpu_feat.nx ? PTE_NX : 0);
		pdpt[gb] = virt_to_phys(pd) | PTE_P | PTE_W;
	}
	/* the kernel image: the first GiB of physical memory at KERNEL_VBASE */
	uint64_t *kpdpt = kalloc_table();
	uint64_t *kpd = kalloc_table();
	for (unsigned i = 0; i < 512; i++)
		kpd[i] = ((uint64_t)i << 21) | PTE_P | PTE_W | PTE_PS | g;
	kpdpt[510] = virt_to_phys(kpd) | PTE_P | PTE_W;
	/* device window just above: one page table of uncached pages */
	uint64_t *mpd = kalloc_table();
	mmio_pt = kalloc_table();
	mpd[0] = virt_to_phys(mmio_pt) | PTE_P | PTE_W;
	kpdpt[511] = virt_to_phys(mpd) | PTE_P | PTE_W;
	pml4[511] = virt_to_phys(kpdpt) | PTE_P | PTE_W;
	/* the kernel window's PDPT now, so that every space shares it */
	kwin_pdpt = kalloc_table();
	pml4[(KWIN_BASE >> 39) & 511] = virt_to_phys(kwin_pdpt) | PTE_P | PTE_W;
	io_window_init(pml4);
	kernel_task.pml4 = pml4;
	kernel_task.pml4_phys = virt_to_phys(pml4);
	write_cr3(kernel_task.pml4_phys);
}

void *mmu_map_mmio(paddr_t pa)
{
	assert(mmio_next < 512);
	unsigned i = mmio_next++;
	mmio_pt[i] = (pa & PTE_ADDR) | PTE_P | PTE_W | PTE_PCD | PTE_PWT | PTE_G | (cpu_feat.nx ? PTE_NX : 0);
	uint64_t va = MMIO_BASE + ((uint64_t)i << 12);
	invlpg(va);
	return (void *)(va + (pa & 0xfff));
}
