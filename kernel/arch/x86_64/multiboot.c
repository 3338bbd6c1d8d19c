/* Multiboot (version 1) information, as QEMU's -kernel loader gives it. */
#include <arch/arch.h>
#include "boot.h"
#include "lib.h"

#define MB_BOOT_MAGIC 0x2badb002
#define MB_INFO_CMDLINE (1u << 2)
#define MB_INFO_MODS (1u << 3)
#define MB_INFO_MMAP (1u << 6)

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
};

struct mb_mod {
	uint32_t start, end, string, rsvd;
};

struct mb_mmap {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));

extern char _kernel_pstart[], _kernel_end[];

static void copy_str(char *d, size_t n, const char *s)
{
	size_t i = 0;
	for (; i + 1 < n && s[i]; i++)
		d[i] = s[i];
	d[i] = 0;
}

void arch_boot_parse(uint32_t magic, uint32_t info, struct boot_params *bp)
{
	if (magic != MB_BOOT_MAGIC)
		panic("not started by a multiboot loader (magic %x)", magic);
	const struct mb_info *mb = phys_to_virt(info);
	if (mb->flags & MB_INFO_CMDLINE)
		copy_str(kernel_cmdline, sizeof kernel_cmdline, phys_to_virt(mb->cmdline));
	if (!(mb->flags & MB_INFO_MMAP))
		panic("no memory map from the boot loader");
	for (uint32_t off = 0; off < mb->mmap_length;) {
		const struct mb_mmap *e = phys_to_virt(mb->mmap_addr + off);
		off += e->size + 4;
		if (e->addr + e->len > bp->max_phys && e->type == 1)
			bp->max_phys = e->addr + e->len;
		if (e->type != 1 || bp->nram == BOOT_MAX_RANGES)
			continue;
		paddr_t b = ALIGN_UP(e->addr, PAGE_SIZE), end = ALIGN_DOWN(e->addr + e->len, PAGE_SIZE);
		if (b < 0x100000)
			b = 0x100000; /* leave the first MiB to the firmware */
		if (end <= b)
			continue;
		bp->ram[bp->nram++] = (struct boot_range){b, end - b};
	}
	/* sort by base (the list is tiny) */
	for (unsigned i = 1; i < bp->nram; i++)
		for (unsigned j = i; j && bp->ram[j].base < bp->ram[j - 1].base; j--) {
			struct boot_range t = bp->ram[j];
			bp->ram[j] = bp->ram[j - 1];
			bp->ram[j - 1] = t;
		}
	paddr_t kstart = (paddr_t)_kernel_pstart, kend = virt_to_phys(_kernel_end);
	ranges_remove(bp->ram, &bp->nram, BOOT_MAX_RANGES, kstart, ALIGN_UP(kend, PAGE_SIZE) - kstart);
	if (mb->flags & MB_INFO_MODS) {
		const struct mb_mod *m = phys_to_virt(mb->mods_addr);
		for (uint32_t i = 0; i < mb->mods_count && i < BOOT_MAX_MODULES; i++) {
			struct boot_module *bm = &bp->mods[bp->nmods++];
			bm->base = m[i].start;
			bm->size = m[i].end - m[i].start;
			copy_str(bm->cmdline, sizeof bm->cmdline, m[i].string ? phys_to_virt(m[i].string) : "");
			ranges_remove(bp->ram, &bp->nram, BOOT_MAX_RANGES, ALIGN_DOWN(bm->base, PAGE_SIZE),
				      ALIGN_UP(m[i].end, PAGE_SIZE) - ALIGN_DOWN(bm->base, PAGE_SIZE));
		}
	}
}
