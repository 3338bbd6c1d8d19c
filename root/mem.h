/* The root task's physical memory: frames of the RAM window. */
#ifndef ROOT_MEM_H
#define ROOT_MEM_H

#include <lx4/abi.h>
#include <lx4/bootinfo.h>
#include <stdbool.h>
#include <stdint.h>

void mem_init(const struct lx4_bootinfo *bi);
/* a zeroed frame; returns its address in the root's window (0: none) */
uint64_t frame_alloc(void);
void frame_free(uint64_t va);
uint64_t frames_free(void);
/* the physical address behind a window address, and back */
static inline uint64_t window_va(uint64_t pa) { return pa + LX4_ROOT_RAM_BASE; }

/* takes a run of whole, aligned chunks of size align from one range
 * (the part the frame allocator has not used yet); false if none */
bool range_take_large(uint64_t *pa, uint64_t *size, uint64_t align);

/* capability slots of the root */
uint32_t slot_alloc(void);
void slot_free(uint32_t s);

#endif
