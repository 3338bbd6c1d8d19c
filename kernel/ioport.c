/* I/O port permission bitmaps (see ioport.h).  Bit set = port denied, as
 * in the TSS bitmap the CPU checks. */
#include "ioport.h"
#include <arch/mmu.h>
#include "kmem.h"
#include "lib.h"
#include "task.h"

static bool io_allowed(struct task *t, unsigned port)
{
	if (!t->iobm[0])
		return false;
	return !(t->iobm[port >> 15][(port & 0x7fff) >> 3] & (1u << (port & 7)));
}

static void io_set(struct task *t, unsigned port, bool allow)
{
	uint8_t *b = &t->iobm[port >> 15][(port & 0x7fff) >> 3];
	if (allow)
		*b &= ~(1u << (port & 7));
	else
		*b |= 1u << (port & 7);
}

static int io_alloc(struct task *t)
{
	if (t->iobm[0])
		return 0;
	uint8_t *a = kalloc_page(t), *b = a ? kalloc_page(t) : NULL;
	if (!b) {
		if (a)
			kfree_page(t, a);
		return -LX4_ENOMEM;
	}
	memset(a, 0xff, PAGE_SIZE);
	memset(b, 0xff, PAGE_SIZE);
	int err = mmu_io_enable(t, a, b);
	if (err) {
		kfree_page(t, a);
		kfree_page(t, b);
		return err;
	}
	t->iobm[0] = a;
	t->iobm[1] = b;
	return 0;
}

static bool io_range(uint64_t iofp, unsigned *first, unsigned *n)
{
	unsigned order = lx4_fp_order(iofp), base = (iofp >> 16) & 0xffff;
	if (order > 16 || (base & ((1u << order) - 1)))
		return false;
	*first = base;
	*n = 1u << order;
	return true;
}

int io_map(struct task *src, uint64_t iofp, struct task *dst, bool grant)
{
	unsigned first, n;
	if (!io_range(iofp, &first, &n))
		return -LX4_EINVAL;
	for (unsigned p = first; p < first + n; p++)
		if (!io_allowed(src, p))
			return -LX4_ERIGHTS;
	int err = io_alloc(dst);
	if (err)
		return err;
	for (unsigned p = first; p < first + n; p++) {
		io_set(dst, p, true);
		if (grant && src != dst)
			io_set(src, p, false);
	}
	return 0;
}

int io_unmap(struct task *t, uint64_t iofp)
{
	unsigned first, n;
	if (!io_range(iofp, &first, &n))
		return -LX4_EINVAL;
	if (!t->iobm[0])
		return 0;
	for (unsigned p = first; p < first + n; p++)
		io_set(t, p, false);
	return 0;
}

int io_grant_all(struct task *t)
{
	int err = io_alloc(t);
	if (err)
		return err;
	memset(t->iobm[0], 0, PAGE_SIZE);
	memset(t->iobm[1], 0, PAGE_SIZE);
	return 0;
}

void io_free(struct task *t)
{
	if (!t->iobm[0])
		return;
	mmu_io_disable(t);
	kfree_page(t, t->iobm[0]);
	kfree_page(t, t->iobm[1]);
	t->iobm[0] = t->iobm[1] = NULL;
}
