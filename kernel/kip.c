/* The kernel info page (see <lx4/kip.h>). */
#include "kip.h"
#include "cpu.h"
#include "kmem.h"

struct lx4_kip *kip;

void kip_init(void)
{
	kip = kmem_page_alloc_boot();
	kip->magic = LX4_KIP_MAGIC;
	kip->version = 1;
	kip->ncpus = 1;
	kip->kmem_total_pages = kmem_total_pages();
	kip->kmem_free_pages = kmem_free_pages();
	for (unsigned i = 0; i < LX4_MAX_CPUS; i++)
		cpus[i].kcnt = &kip->cpu[i];
}
