/* Frame and slot allocators of the root task (see mem.h). */
#include "mem.h"
#include "lx4.h"

static struct lx4_bi_range ranges[LX4_BI_MAX_RANGES];
static unsigned nranges;
static uint64_t *free_list; /* freed frames, linked through themselves */
static uint64_t nfree;

void mem_init(const struct lx4_bootinfo *bi)
{
	for (unsigned i = 0; i < bi->nranges; i++) {
		ranges[nranges++] = bi->ranges[i];
		nfree += bi->ranges[i].size / 4096;
	}
}

uint64_t frame_alloc(void)
{
	uint64_t va = 0;
	if (free_list) {
		va = (uint64_t)free_list;
		free_list = (uint64_t *)*free_list;
	} else {
		for (unsigned i = 0; i < nranges && !va; i++) {
			if (ranges[i].size >= 4096) {
				va = window_va(ranges[i].base);
				ranges[i].base += 4096;
				ranges[i].size -= 4096;
			}
		}
		if (!va)
			return 0;
	}
	nfree--;
	memset((void *)va, 0, 4096);
	return va;
}

void frame_free(uint64_t va)
{
	*(uint64_t *)va = (uint64_t)free_list;
	free_list = (uint64_t *)va;
	nfree++;
}

uint64_t frames_free(void) { return nfree; }

bool range_take_large(uint64_t *pa, uint64_t *size, uint64_t align)
{
	for (unsigned i = 0; i < nranges; i++) {
		uint64_t b = (ranges[i].base + align - 1) & ~(align - 1), e = ranges[i].base + ranges[i].size;
		if (e < b + align || (b > ranges[i].base && nranges == LX4_BI_MAX_RANGES))
			continue;
		uint64_t n = ((e - b) / align) * align;
		if (n > align * 64)
			n = align * 64; /* 128 MiB at a time */
		*pa = b;
		*size = n;
		/* the frames below b stay with the root; [b, b+n) goes away */
		if (b > ranges[i].base) {
			/* keep [base, b) as a range of its own: move the rest up */
			for (unsigned j = nranges; j > i + 1; j--)
				ranges[j] = ranges[j - 1];
			nranges++;
			ranges[i + 1].base = b + n;
			ranges[i + 1].size = e - (b + n);
			ranges[i].size = b - ranges[i].base;
		} else {
			ranges[i].base = b + n;
			ranges[i].size = e - (b + n);
		}
		nfree -= n / 4096;
		return true;
	}
	return false;
}

static uint32_t next_slot = 16, slot_free_list[256];
static unsigned nslot_free;

uint32_t slot_alloc(void)
{
	if (nslot_free)
		return slot_free_list[--nslot_free];
	return next_slot++;
}

void slot_free(uint32_t s)
{
	if (nslot_free < 256)
		slot_free_list[nslot_free++] = s;
}
