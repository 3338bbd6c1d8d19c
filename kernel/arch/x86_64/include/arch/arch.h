/*
 * x86-64 architecture interface: register access, the saved user frame,
 * segment selectors, and the arch_* functions generic code calls.
 */
#ifndef ARCH_X86_64_H
#define ARCH_X86_64_H

#include "types.h"

/* segment selectors (see gdt in cpu.c; sysret needs udata just below ucode) */
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA 0x23
#define SEL_UCODE 0x2b
#define SEL_TSS 0x30

#define KERNEL_VBASE 0xffffffff80000000ull
#define PHYSMAP_BASE 0xffff800000000000ull
#define PHYSMAP_MAX (1ull << 39) /* one PML4 slot: 512 GiB of RAM */

/* user addresses are below this; the top page stays unmapped so that a
 * syscall instruction can never return to a non-canonical rip */
#define USER_END 0x00007ffffffff000ull

#define VEC_DE 0
#define VEC_DB 1
#define VEC_NMI 2
#define VEC_BP 3
#define VEC_UD 6
#define VEC_NM 7
#define VEC_DF 8
#define VEC_GP 13
#define VEC_PF 14
#define VEC_IRQ0 32     /* legacy PIC IRQs 0-15: vectors 32-47 */
#define VEC_TIMER 48    /* LAPIC timer */
#define VEC_SPURIOUS 255
#define VEC_SYSCALL 0x100 /* pseudo vector: the frame came from syscall */
#define VEC_FULL 0x101    /* pseudo vector: the frame must be restored with iret */
#define VEC_KMODE 0x102   /* pseudo vector: a ring-0 thread's frame (TF_KMODE): always iret */
_Static_assert(VEC_SYSCALL == 0x100 && VEC_KMODE == 0x102, "entry.S defines them too");

/* The user register frame, saved in the thread control block on every
 * kernel entry; the layout is fixed by entry.S.  Interrupts and
 * exceptions save all of it.  The syscall entry (vector VEC_SYSCALL)
 * saves neither rcx nor r11 (they hold rip and rflags then) nor cs, ss
 * and error (cs and ss never change); see thread_reg(). */
struct frame {
	uint64_t rax, rbx, rdx, rsi, rdi, rbp, r8, r9, r10, r12, r13, r14, r15, rcx, r11;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct frame) == 22 * 8, "frame layout is fixed by entry.S");
_Static_assert(__builtin_offsetof(struct frame, rcx) == 13 * 8, "entry.S: rcx and r11 come last");
_Static_assert(__builtin_offsetof(struct frame, rip) == 17 * 8, "entry.S: F_RIP");

#define RFLAGS_CF 0x1ull
#define RFLAGS_IF 0x200ull
#define RFLAGS_TF 0x100ull
#define RFLAGS_DF 0x400ull
#define RFLAGS_AC 0x40000ull
/* bits a user may set through exregs or an exception reply */
#define RFLAGS_USER_MASK 0x0000000000244dd5ull /* CF PF AF ZF SF TF DF OF AC ID */
#define RFLAGS_USER_FORCED 0x202ull           /* IF and the reserved bit 1 */

static inline bool user_addr_ok(uint64_t a) { return a < USER_END; }

/* port I/O */
static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_FMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_APIC_BASE 0x1b
#define EFER_SCE 0x1
#define EFER_LME 0x100
#define EFER_NXE 0x800

#define DEFINE_CR(n)                                                                   \
	static inline uint64_t read_cr##n(void)                                        \
	{                                                                              \
		uint64_t v;                                                            \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                      \
		return v;                                                              \
	}                                                                              \
	static inline void write_cr##n(uint64_t v) { __asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); }
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

#define CR0_TS 0x8ull
#define CR0_WP 0x10000ull
#define CR4_PGE 0x80ull
#define CR4_OSFXSR 0x200ull
#define CR4_OSXMMEXCPT 0x400ull
#define CR4_UMIP 0x800ull
#define CR4_OSXSAVE 0x40000ull
#define CR4_SMEP 0x100000ull
#define CR4_SMAP 0x200000ull

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}
static inline uint64_t rdtsc(void)
{
	uint64_t lo, hi; /* (rdtsc clears the upper halves: no zero-extension) */
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (hi << 32) | lo;
}
/* FS and GS bases with the FSGSBASE instructions (CR4.FSGSBASE is set when
 * the CPU has them).  In the kernel the user's GS base is in
 * KERNEL_GS_BASE: swapgs brings it into reach. */
static inline uint64_t rdfsbase(void)
{
	uint64_t v;
	__asm__ volatile("rdfsbase %0" : "=r"(v));
	return v;
}
static inline void wrfsbase(uint64_t v) { __asm__ volatile("wrfsbase %0" : : "r"(v)); }
static inline uint64_t user_gsbase(void)
{
	uint64_t v;
	__asm__ volatile("swapgs; rdgsbase %0; swapgs" : "=r"(v));
	return v;
}
static inline void set_user_gsbase(uint64_t v) { __asm__ volatile("swapgs; wrgsbase %0; swapgs" : : "r"(v)); }
#define CR4_FSGSBASE 0x10000ull

static inline void invlpg(uint64_t va) { __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory"); }
static inline void cpu_relax(void) { __asm__ volatile("pause"); }
static inline void irq_enable(void) { __asm__ volatile("sti"); }
static inline void irq_disable(void) { __asm__ volatile("cli"); }
/* exchanges the FS base and the user's GS base with fs and gs (one swapgs
 * pair for both) */
static inline void xchg_bases(uint64_t *fs, uint64_t *gs)
{
	uint64_t ofs, ogs;
	__asm__ volatile("rdfsbase %0; wrfsbase %2; swapgs; rdgsbase %1; wrgsbase %3; swapgs"
			 : "=&r"(ofs), "=&r"(ogs)
			 : "r"(*fs), "r"(*gs));
	*fs = ofs;
	*gs = ogs;
}
static inline void *phys_to_virt(paddr_t p) { return (void *)(p + PHYSMAP_BASE); }
static inline paddr_t virt_to_phys(const void *v)
{
	uint64_t a = (uint64_t)v;
	return a >= KERNEL_VBASE ? a - KERNEL_VBASE : a - PHYSMAP_BASE;
}

/* CPU features found at boot */
struct cpu_features {
	bool nx, smep, smap, umip, xsave, pdpe1gb, fsgsbase;
	uint32_t xsave_size;
	uint32_t mxcsr_mask;
	uint64_t xcr0;
};
/* offsets in an FXSAVE/XSAVE image */
#define FX_MXCSR 24
#define FX_MXCSR_MASK 28
#define XSAVE_HDR 512
extern struct cpu_features cpu_feat;

/* isa-debug-exit: QEMU exits with status 2*v+1 */
#define DEBUG_EXIT_PORT 0xf4
#define EXIT_PANIC 0x7e
static inline noreturn void arch_qemu_exit(uint8_t v)
{
	outb(DEBUG_EXIT_PORT, v);
	for (;;)
		__asm__ volatile("cli; hlt");
}

#endif
