/* The kernel info page (see <lx4/kip.h>). */
#include "kip.h"
#include "cpu.h"
#include "kmem.h"

struct lx4_kip *kip;
_Static_assert(__builtin_offsetof(struct lx4_kip, cpu) == 128 &&
		       __builtin_offsetof(struct lx4_kip_cpu, kernel_entries) == 0,
	       "entry.S counts kernel entries at this offset");

void kip_init(void)
{
	kip = kmem_page_alloc_boot();
	kip->magic = LX4_KIP_MAGIC;
	kip->version = 1;
	kip->ncpus = 1;
	kip->kmem_total_pages = kmem_total_pages();
	kip->kmem_free_pages = kmem_free_pages();
}
