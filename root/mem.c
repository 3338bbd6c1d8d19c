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
