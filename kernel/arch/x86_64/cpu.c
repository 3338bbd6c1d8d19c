/*
 * CPU set-up: features, GDT, TSS (with the I/O permission bitmap), IDT,
 * syscall MSRs, control registers, and the lazy FPU switch.
 */
#include <arch/arch.h>
#include <arch/cpuarch.h>
#include <arch/mmu.h>
#include "cpu.h"
#include "lib.h"
#include "task.h"
#include "thread.h"

struct cpu_features cpu_feat;

struct tss {
	uint32_t rsvd0;
	uint64_t rsp0, rsp1, rsp2;
	uint64_t rsvd1;
	uint64_t ist[7];
	uint64_t rsvd2;
	uint16_t rsvd3;
	uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss) <= TSS_STRIDE, "TSSes are TSS_STRIDE apart");

struct idt_gate {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, rsvd;
} __attribute__((packed));

struct arch_cpu {
	uint64_t gdt[8];
	struct tss *tss; /* just below the I/O window (mmu.h) */
	uint8_t ist_stacks[3][4096] __attribute__((aligned(16)));
};

static struct arch_cpu arch_cpus[LX4_MAX_CPUS] __attribute__((aligned(4096)));
static struct idt_gate idt[256] __attribute__((aligned(16)));
extern const uint64_t isr_table[];
extern void syscall_entry(void);

uint8_t cpu0_kstack[16384] __attribute__((aligned(16)));
extern char cpu0_kstack_top[];
__asm__(".globl cpu0_kstack_top\n.set cpu0_kstack_top, cpu0_kstack + 16384");

static uint8_t fpu_init_image[LX4_UTCB_FPU_SIZE] __attribute__((aligned(64)));
/* an image for exregs FPU_WRITE: where it is (user memory), and the parts
 * XRSTOR checks, copied out and checked by fpu_stage; fpu_write_staged
 * copies the image and puts the checked parts over it, so that the image
 * used is the image checked even if the user memory changed meanwhile */
static const uint8_t *fpu_staged_src;
static uint8_t fpu_staged[LX4_UTCB_FPU_SIZE] __attribute__((aligned(64))); /* (a whole copy) */
static uint32_t fpu_staged_mxcsr;
static uint64_t fpu_staged_hdr[8];

void cpu_detect(void)
{
	uint32_t r[4];
	cpuid(0, 0, r);
	uint32_t maxleaf = r[0];
	cpuid(1, 0, r);
	cpu_feat.xsave = (r[2] >> 26) & 1;
	if (maxleaf >= 7) {
		cpuid(7, 0, r);
		cpu_feat.fsgsbase = r[1] & 1;
		cpu_feat.smep = (r[1] >> 7) & 1;
		cpu_feat.smap = (r[1] >> 20) & 1;
		cpu_feat.umip = (r[2] >> 2) & 1;
	}
	cpuid(0x80000001, 0, r);
	cpu_feat.nx = (r[3] >> 20) & 1;
	cpu_feat.pdpe1gb = (r[3] >> 26) & 1;
	if (cpu_feat.nx) /* before any page table uses the NX bit */
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
}

static void set_gate(unsigned vec, uint64_t fn, unsigned ist, unsigned dpl)
{
	struct idt_gate *g = &idt[vec];
	g->off0 = fn & 0xffff;
	g->off1 = (fn >> 16) & 0xffff;
	g->off2 = fn >> 32;
	g->sel = SEL_KCODE;
	g->ist = ist;
	g->type = 0x8e | (dpl << 5); /* present, interrupt gate */
}

static void idt_init(void)
{
	for (unsigned v = 0; v < 32; v++)
		set_gate(v, isr_table[v], 0, 0);
	for (unsigned v = 32; v <= 48; v++)
		set_gate(v, isr_table[v], 0, 0);
	set_gate(255, isr_table[49], 0, 0);
	set_gate(VEC_BP, isr_table[VEC_BP], 0, 3); /* int3 from user mode */
	set_gate(VEC_DF, isr_table[VEC_DF], 1, 0);
	set_gate(VEC_NMI, isr_table[VEC_NMI], 2, 0);
	set_gate(18, isr_table[18], 3, 0); /* machine check */
}

static void fpu_init(void)
{
	write_cr0((read_cr0() & ~0x4ull) | 0x22); /* !EM, MP, NE */
	uint64_t cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;
	if (cpu_feat.xsave) {
		uint32_t r[4];
		write_cr4(cr4 | CR4_OSXSAVE);
		cpuid(0xd, 0, r);
		uint64_t supported = ((uint64_t)r[3] << 32) | r[0];
		cpu_feat.xcr0 = supported & 0x7; /* x87, SSE, AVX */
		__asm__ volatile("xsetbv" : : "c"(0), "a"((uint32_t)cpu_feat.xcr0), "d"(0));
		cpuid(0xd, 0, r);
		cpu_feat.xsave_size = r[1];
	} else {
		write_cr4(cr4);
		cpu_feat.xsave_size = 512;
	}
	if (cpu_feat.xsave_size > sizeof(fpu_init_image) || cpu_feat.xsave_size > TCB_FPU_SIZE)
		panic("FPU state of %u bytes does not fit the TCB", cpu_feat.xsave_size);
	__asm__ volatile("fninit");
	uint32_t mxcsr = 0x1f80;
	__asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
	fpu_save(fpu_init_image);
	uint32_t mask;
	memcpy(&mask, fpu_init_image + FX_MXCSR_MASK, 4);
	cpu_feat.mxcsr_mask = mask ? mask : 0xffbf; /* 0: the default (SDM 11.6.6) */
}

void fpu_save(void *area)
{
	if (cpu_feat.xsave)
		__asm__ volatile("xsave64 (%0)" : : "r"(area), "a"(0xffffffff), "d"(0xffffffff) : "memory");
	else
		__asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
}

void fpu_restore(const void *area)
{
	if (cpu_feat.xsave)
		__asm__ volatile("xrstor64 (%0)" : : "r"(area), "a"(0xffffffff), "d"(0xffffffff) : "memory");
	else
		__asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
}

/* #NM: the current thread touched the FPU while another's state was in it */
void fpu_trap(struct thread *cur)
{
	struct cpu *c = this_cpu();
	__asm__ volatile("clts");
	c->ts_set = false;
	if (c->fpu_owner == cur)
		return;
	if (c->fpu_owner)
		fpu_save(c->fpu_owner->fpu);
	if (cur->flags & TF_FPU_USED) {
		fpu_restore(cur->fpu);
	} else {
		fpu_restore(fpu_init_image);
		cur->flags |= TF_FPU_USED;
	}
	c->fpu_owner = cur;
}

/* ---- a thread's FPU state for exregs ---------------------------------------
 * The live state may be in the CPU rather than the TCB (the lazy owner):
 * it is saved before a read, and the CPU's copy dropped after a write. */

/* t's state into its TCB, if the CPU holds it (which it keeps holding) */
static void fpu_sync(struct thread *t)
{
	struct cpu *c = this_cpu();
	if (c->fpu_owner != t)
		return;
	if (c->ts_set)
		__asm__ volatile("clts");
	fpu_save(t->fpu);
	if (c->ts_set)
		write_cr0(read_cr0() | CR0_TS);
}

void fpu_read(struct thread *t, void *dst)
{
	fpu_sync(t);
	memcpy(dst, (t->flags & TF_FPU_USED) ? t->fpu : fpu_init_image, cpu_feat.xsave_size);
}

/* What XRSTOR (FXRSTOR) would fault on, as Linux checks a user's image
 * (validate_user_xstate_header, the MXCSR check): reserved MXCSR bits,
 * XSTATE_BV beyond XCR0, the compacted format, non-zero header bytes. */
static bool fpu_image_ok(uint32_t mxcsr, const uint64_t *hdr)
{
	if (mxcsr & ~cpu_feat.mxcsr_mask)
		return false;
	if (!cpu_feat.xsave)
		return true;
	if (hdr[0] & ~cpu_feat.xcr0) /* XSTATE_BV, XCOMP_BV, reserved */
		return false;
	for (unsigned i = 1; i < 8; i++)
		if (hdr[i])
			return false;
	return true;
}

bool fpu_stage(const void *src, bool whole)
{
	if (whole) {
		memcpy(fpu_staged, src, cpu_feat.xsave_size);
		src = fpu_staged;
	}
	fpu_staged_src = src;
	memcpy(&fpu_staged_mxcsr, (const uint8_t *)src + FX_MXCSR, 4);
	if (cpu_feat.xsave)
		memcpy(fpu_staged_hdr, (const uint8_t *)src + XSAVE_HDR, sizeof fpu_staged_hdr);
	return fpu_image_ok(fpu_staged_mxcsr, fpu_staged_hdr);
}

void fpu_write_staged(struct thread *t)
{
	struct cpu *c = this_cpu();
	memcpy(t->fpu, fpu_staged_src, cpu_feat.xsave_size);
	memcpy(t->fpu + FX_MXCSR, &fpu_staged_mxcsr, 4);
	if (cpu_feat.xsave)
		memcpy(t->fpu + XSAVE_HDR, fpu_staged_hdr, sizeof fpu_staged_hdr);
	t->flags |= TF_FPU_USED;
	if (c->fpu_owner == t) { /* the next use restores the new state */
		c->fpu_owner = NULL;
		if (!c->ts_set) {
			write_cr0(read_cr0() | CR0_TS);
			c->ts_set = true;
		}
	}
}

void fpu_reset(struct thread *t)
{
	struct cpu *c = this_cpu();
	t->flags &= ~TF_FPU_USED; /* its next use starts from the init image */
	if (c->fpu_owner == t) {
		c->fpu_owner = NULL;
		if (!c->ts_set) {
			write_cr0(read_cr0() | CR0_TS);
			c->ts_set = true;
		}
	}
}

uint32_t fpu_size(void) { return cpu_feat.xsave_size; }

void fpu_forget(struct thread *t)
{
	struct cpu *c = this_cpu();
	if (c->fpu_owner == t)
		c->fpu_owner = NULL;
}

void cpu_init(struct cpu *c)
{
	struct arch_cpu *a = &arch_cpus[c->id];
	c->arch = a;
	c->self = c;
	a->gdt[1] = 0x00af9a000000ffffull; /* kernel code */
	a->gdt[2] = 0x00cf92000000ffffull; /* kernel data */
	a->gdt[3] = 0;                     /* no 32-bit user code */
	a->gdt[4] = 0x00cff2000000ffffull; /* user data */
	a->gdt[5] = 0x00affa000000ffffull; /* user code */
	a->tss = mmu_tss_area(c->id);
	memset(a->tss, 0, sizeof *a->tss);
	/* the I/O bitmap starts at the window; the byte after it is covered */
	a->tss->iomap_base = IO_WINDOW - (uint64_t)a->tss;
	uint64_t base = (uint64_t)a->tss, limit = a->tss->iomap_base + 8192;
	a->gdt[6] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
		    ((limit >> 16) << 48) | (((base >> 24) & 0xff) << 56);
	a->gdt[7] = base >> 32;
	for (unsigned i = 0; i < 3; i++)
		a->tss->ist[i] = (uint64_t)a->ist_stacks[i] + 4096;
	c->tss_rsp0 = (uint64_t *)((char *)a->tss + 4); /* rsp0: unaligned, fine on x86 */

	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr = {sizeof(a->gdt) - 1, (uint64_t)a->gdt}, idtr = {sizeof(idt) - 1, (uint64_t)idt};
	if (c->id == 0)
		idt_init();
	__asm__ volatile("lgdt %0" : : "m"(gdtr));
	__asm__ volatile("lidt %0" : : "m"(idtr));
	__asm__ volatile("mov %0, %%ds; mov %0, %%es; mov %0, %%ss" : : "r"(SEL_KDATA));
	__asm__ volatile("pushq %0; leaq 1f(%%rip), %%rax; pushq %%rax; lretq; 1:" : : "i"(SEL_KCODE) : "rax", "memory");
	__asm__ volatile("ltr %w0" : : "r"(SEL_TSS));
	__asm__ volatile("mov %0, %%fs; mov %0, %%gs" : : "r"(0));
	wrmsr(MSR_GS_BASE, (uint64_t)c);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	wrmsr(MSR_FS_BASE, 0);

	/* syscall: kernel CS 0x08; sysret: user SS 0x18+8, CS 0x18+16 */
	wrmsr(MSR_STAR, (0x18ull << 48) | ((uint64_t)SEL_KCODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_AC | 0x4000 /* NT */);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE | (cpu_feat.nx ? EFER_NXE : 0));

	uint64_t cr4 = read_cr4() | CR4_PGE;
	if (cpu_feat.smep)
		cr4 |= CR4_SMEP;
	if (cpu_feat.smap)
		cr4 |= CR4_SMAP;
	if (cpu_feat.umip)
		cr4 |= CR4_UMIP;
	if (cpu_feat.fsgsbase) /* user code may then set its own bases too */
		cr4 |= CR4_FSGSBASE;
	write_cr4(cr4);
	fpu_init();
	c->ts_set = false;
}

void cpu_kip_fill(struct lx4_kip *k)
{
	k->fpu_size = cpu_feat.xsave_size;
	k->fpu_features = cpu_feat.xsave ? cpu_feat.xcr0 : 0;
	k->fpu_mxcsr_mask = cpu_feat.mxcsr_mask;
}

void cpu_describe(uint64_t tsc_hz, uint64_t pool_pages)
{
	kprintf("lx4: cpu: nx %d smep %d smap %d umip %d xsave %d (%u bytes), tsc %lu Hz, kernel pool %lu pages\n",
		cpu_feat.nx, cpu_feat.smep, cpu_feat.smap, cpu_feat.umip, cpu_feat.xsave, cpu_feat.xsave_size,
		tsc_hz, pool_pages);
}
