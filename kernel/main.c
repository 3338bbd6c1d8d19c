/*
 * Boot: from the multiboot entry to the first user thread.
 */
#include <arch/cpuarch.h>
#include <arch/mmu.h>
#include "boot.h"
#include "cpu.h"
#include "kip.h"
#include "kmem.h"
#include "lib.h"
#include "sched.h"
#include "task.h"
#include "thread.h"

#define TIMER_HZ 1000

struct cpu cpus[LX4_MAX_CPUS];
static struct boot_params boot_params;
extern char cpu0_kstack_top[];

/* the kernel pool: kmem=MiB, else an eighth of RAM in [16, 256] MiB,
 * taken from the top of the highest range below 1 GiB (reachable through
 * the boot page table) */
static void pool_init(struct boot_params *bp)
{
	uint64_t total = 0, mib;
	for (unsigned i = 0; i < bp->nram; i++)
		total += bp->ram[i].size;
	uint64_t want = total / 8;
	if (cmdline_get("kmem", &mib))
		want = mib << 20;
	want = MIN(MAX(want, 16ull << 20), 256ull << 20);
	want = ALIGN_UP(want, LARGE_SIZE);
	for (unsigned i = bp->nram; i-- > 0;) {
		paddr_t end = MIN(bp->ram[i].base + bp->ram[i].size, 1ull << 30);
		paddr_t base = ALIGN_DOWN(end - want, LARGE_SIZE);
		if (end <= want || base < bp->ram[i].base)
			continue;
		ranges_remove(bp->ram, &bp->nram, BOOT_MAX_RANGES, base, end - base);
		kmem_init(base, (end - base) / PAGE_SIZE);
		return;
	}
	panic("no room for a %lu MiB kernel pool below 1 GiB", want >> 20);
}

static void idle_init(struct cpu *c)
{
	struct thread *idle = kmem_page_alloc_boot();
	idle->state = LX4_TSTATE_RUNNING;
	idle->obj.type = LX4_OBJ_THREAD;
	idle->obj.refs = 1;
	c->idle = idle;
	c->cur = idle;
	c->space = &kernel_task;
}

noreturn void kmain(uint32_t magic, uint32_t mbi)
{
	kprintf("lx4: booting\n");
	cpu_detect();
	struct boot_params *bp = &boot_params;
	arch_boot_parse(magic, mbi, bp);
	kprintf("lx4: command line \"%s\", %u modules\n", kernel_cmdline, bp->nmods);
	pool_init(bp);
	mmu_kernel_init(bp->max_phys);

	kip_init();
	struct cpu *c = mmu_map_percpu(&cpus[0], kip); /* reached through %gs */
	c->id = 0;
	c->rq_hi = -1;
	c->kstack_top = (uint64_t)cpu0_kstack_top;
	cpu_init(c);
	pic_init();
	lapic_init();
	kip->tsc_hz = tsc_calibrate();
	kip->ns_mult = (1000000000ull << 32) / kip->tsc_hz;
	kip->boot_tsc = rdtsc();
	kip->tick_ns = 1000000000ull / TIMER_HZ;
	cpu_kip_fill(kip);
	timer_init(TIMER_HZ);
	cpu_describe(kip->tsc_hz, kmem_total_pages());
	idle_init(c);
	if (cmdline_has("test_panic")) { /* deliberately: the panic test */
		volatile uint64_t *p;
		__asm__("" : "=r"(p) : "0"(0x10ul));
		*p = 0xdead;
	}
	root_start(bp);
	c->idle->run_tsc = 0 - rdtsc(); /* idle time counts from here */
	schedule();
}
