/*
 * Interrupt controllers and the timer: the legacy 8259 PICs carry the ISA
 * device interrupts (IRQ objects), the local APIC timer drives the clock
 * tick; both are calibrated against the PIT at boot.
 */
#include <arch/arch.h>
#include <arch/cpuarch.h>
#include <arch/mmu.h>
#include "lib.h"

#define PIC1 0x20
#define PIC2 0xa0
static uint16_t pic_masks = 0xffff;

static void pic_write_masks(void)
{
	outb(PIC1 + 1, pic_masks & 0xff);
	outb(PIC2 + 1, pic_masks >> 8);
}

void pic_init(void)
{
	outb(PIC1, 0x11);
	outb(PIC2, 0x11);
	outb(PIC1 + 1, VEC_IRQ0);
	outb(PIC2 + 1, VEC_IRQ0 + 8);
	outb(PIC1 + 1, 4);
	outb(PIC2 + 1, 2);
	outb(PIC1 + 1, 1);
	outb(PIC2 + 1, 1);
	pic_masks = 0xffff & ~(1u << 2); /* cascade stays open */
	pic_write_masks();
}

void pic_mask(unsigned line)
{
	pic_masks |= 1u << line;
	pic_write_masks();
}

void pic_unmask(unsigned line)
{
	pic_masks &= ~(1u << line);
	pic_write_masks();
}

void pic_eoi(unsigned line)
{
	if (line >= 8)
		outb(PIC2, 0x20);
	outb(PIC1, 0x20);
}

/* ---- local APIC ------------------------------------------------------- */
#define LAPIC_ID 0x20
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0

static volatile uint32_t *lapic;
static uint64_t lapic_hz;

static inline uint32_t lapic_read(unsigned reg) { return lapic[reg / 4]; }
static inline void lapic_write(unsigned reg, uint32_t v) { lapic[reg / 4] = v; }

void lapic_init(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	wrmsr(MSR_APIC_BASE, base | 0x800); /* global enable */
	lapic = mmu_map_mmio(base & ~0xfffull);
	lapic_write(LAPIC_SVR, 0x100 | VEC_SPURIOUS);
	lapic_write(LAPIC_LVT_LINT0, 0x700);  /* ExtINT: the PIC */
	lapic_write(LAPIC_LVT_LINT1, 0x400);  /* NMI */
	lapic_write(LAPIC_TIMER_DIV, 0x3);    /* divide by 16 */
	lapic_write(LAPIC_LVT_TIMER, 0x10000); /* masked */
}

void lapic_eoi(void) { lapic_write(LAPIC_EOI, 0); }

/* measures the TSC and LAPIC timer rates over 10 ms of PIT channel 2 */
uint64_t tsc_calibrate(void)
{
	const uint32_t pit_hz = 1193182, count = pit_hz / 100;
	uint8_t v = inb(0x61);
	outb(0x61, (v & ~0x02) | 0x01);
	outb(0x43, 0xb0); /* channel 2, lo/hi, mode 0 */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	v = inb(0x61);
	outb(0x61, v & ~1);
	outb(0x61, v | 1);
	lapic_write(LAPIC_TIMER_INIT, 0xffffffff);
	uint64_t t0 = rdtsc();
	while (!(inb(0x61) & 0x20))
		;
	uint64_t t1 = rdtsc();
	uint32_t left = lapic_read(LAPIC_TIMER_CUR);
	lapic_write(LAPIC_TIMER_INIT, 0);
	lapic_hz = (uint64_t)(0xffffffffu - left) * 100;
	return (t1 - t0) * 100;
}

void timer_init(unsigned hz)
{
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER | 0x20000); /* periodic */
	lapic_write(LAPIC_TIMER_INIT, (uint32_t)(lapic_hz / hz));
}
