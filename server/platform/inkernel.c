/*
 * The in-kernel backends' common part (inkernel.h): the hand-over of the
 * server's memory, and the server's console.
 */
#include "inkernel.h"

#include <stdarg.h>

#include "serverproto.h"

#include <arch/cpuarch.h>
#include <arch/mmu.h>
#include "lib.h"
#include "../platform.h"
#include "task.h"

struct inkernel_mem inkernel_mem;
static bool taken;

/* maps [base, base+size) of t into the kernel window at off; false if a
 * page is missing */
static bool window(struct task *t, uint64_t base, uint64_t size, uint64_t off)
{
	for (uint64_t o = 0; o < size;) {
		unsigned order;
		pte_t *e = mmu_leaf(t, base + o, &order);
		if (!e)
			return false;
		if (order == 21 && (o & ((1ull << 21) - 1)))
			order = 12; /* (a large page mapped part of the way in) */
		paddr_t pa = pte_paddr(*e) + ((base + o) & ((1ull << order) - 1) & ~0xfffull);
		if (mmu_kwin_map(off + o, pa, order))
			return false;
		o += 1ull << order;
	}
	return true;
}

int inkernel_take(struct task *t, struct inkernel_mem *out)
{
	unsigned order;
	pte_t *e = taken ? NULL : mmu_leaf(t, SRV_INFO, &order);
	if (!e)
		return -LX4_EINVAL;
	const struct lx4_srvinfo *info = phys_to_virt(pte_paddr(*e) + (SRV_INFO & ((1ull << order) - 1)));
	uint64_t rsize = ALIGN_UP(info->ram_size, 1ull << 21), isize = ALIGN_UP(info->initrd_size, 4096);
	if (info->magic != SRV_INFO_MAGIC || rsize + isize > KWIN_SIZE || !window(t, SRV_RAM, info->ram_size, 0) ||
	    !window(t, SRV_INITRD, isize, rsize)) {
		kprintf("lx4: the in-kernel server has no memory\n");
		return -LX4_EINVAL;
	}
	taken = true;
	inkernel_mem.ram = (uint8_t *)KWIN_BASE;
	inkernel_mem.ram_size = info->ram_size;
	inkernel_mem.initrd = (const uint8_t *)KWIN_BASE + rsize;
	inkernel_mem.initrd_size = info->initrd_size;
	*out = inkernel_mem;
	return 0;
}

/* the server's printf: the kernel's console and the server's log */
int printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	size_t len = n < 0 ? 0 : n < (int)sizeof buf ? (size_t)n : sizeof buf - 1;
	kputs(buf, len);
	srv_log(buf, len);
	return n;
}
