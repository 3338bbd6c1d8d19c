/* The kernel's view of the kernel info page. */
#ifndef KERNEL_KIP_H
#define KERNEL_KIP_H

#include <lx4/kip.h>

extern struct lx4_kip *kip;
void kip_init(void);
static inline void kip_update_kmem(uint64_t free_pages)
{
	if (kip)
		kip->kmem_free_pages = free_pages;
}

#endif
