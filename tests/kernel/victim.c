/*
 * Victims (see kthread.h): assembly routines for exception, exregs and
 * foreign-ABI tests.  Each saves its stack pointer, loads every general
 * register with VPAT(i), runs its fault site, then stores every register
 * in victim_out[] and ends the thread.
 */
#include "kthread.h"

volatile uint64_t victim_out[LX4_REG_COUNT];
volatile uint64_t victim_done;
volatile uint64_t victim_rsp;
volatile uint64_t victim_zero;

void victim_reset(void)
{
	for (unsigned i = 0; i < LX4_REG_COUNT; i++)
		victim_out[i] = 0;
	victim_done = 0;
	victim_rsp = 0;
}

/* called (jumped to) by victim_store on the victim's own stack */
void victim_finish(void);
void victim_finish(void)
{
	victim_done++;
	lx4_halt();
}

/* clang-format off */
#define PATS(i) "$(0x7e57000000000000 + (" #i " << 8) + 0x5a)"

/* victim_load sets every register but rsp; victim_store records them */
__asm__(".pushsection .text\n"
	".type victim_load, @function\n"
	"victim_load:\n"
	"movabs " PATS(0) ", %rax\n"
	"movabs " PATS(1) ", %rdi\n"
	"movabs " PATS(2) ", %rsi\n"
	"movabs " PATS(3) ", %rdx\n"
	"movabs " PATS(4) ", %r10\n"
	"movabs " PATS(5) ", %r8\n"
	"movabs " PATS(6) ", %r9\n"
	"movabs " PATS(10) ", %rbx\n"
	"movabs " PATS(11) ", %rbp\n"
	"movabs " PATS(12) ", %rcx\n"
	"movabs " PATS(13) ", %r11\n"
	"movabs " PATS(14) ", %r12\n"
	"movabs " PATS(15) ", %r13\n"
	"movabs " PATS(16) ", %r14\n"
	"movabs " PATS(17) ", %r15\n"
	"ret\n"
	".globl victim_store\n"
	".type victim_store, @function\n"
	"victim_store:\n"
	"mov %rax, victim_out+0(%rip)\n"
	"mov %rdi, victim_out+8(%rip)\n"
	"mov %rsi, victim_out+16(%rip)\n"
	"mov %rdx, victim_out+24(%rip)\n"
	"mov %r10, victim_out+32(%rip)\n"
	"mov %r8, victim_out+40(%rip)\n"
	"mov %r9, victim_out+48(%rip)\n"
	"mov %rsp, victim_out+64(%rip)\n"
	"mov %rbx, victim_out+80(%rip)\n"
	"mov %rbp, victim_out+88(%rip)\n"
	"mov %rcx, victim_out+96(%rip)\n"
	"mov %r11, victim_out+104(%rip)\n"
	"mov %r12, victim_out+112(%rip)\n"
	"mov %r13, victim_out+120(%rip)\n"
	"mov %r14, victim_out+128(%rip)\n"
	"mov %r15, victim_out+136(%rip)\n"
	"pushfq\n"
	"popq victim_out+72(%rip)\n"
	"mov victim_rsp(%rip), %rsp\n"
	"jmp victim_finish\n"
	".popsection\n");

/* prep runs after the registers are loaded (it must keep them) */
#define VICTIM2(n, prep, insn)                                              \
	__asm__(".pushsection .text\n"                                       \
		".globl " #n ", " #n "_fault, " #n "_after\n"                \
		".type " #n ", @function\n" #n ":\n"                         \
		"mov %rsp, victim_rsp(%rip)\n"                               \
		"call victim_load\n" prep "\n" #n "_fault:\n" insn "\n" #n \
		"_after:\n"                                                  \
		"jmp victim_store\n"                                         \
		".popsection\n")
#define VICTIM(n, insn) VICTIM2(n, "", insn)

/* SSE: divide by zero unmasked; x87: the same, reported at the next fwait */
const float victim_onef = 1.0f;
const uint32_t victim_mxcsr_ze = 0x1f80 & ~0x200u;
const uint16_t victim_fcw_ze = 0x37f & ~0x4u;

VICTIM(victim_ud2, "ud2");
VICTIM(victim_int3, "int3");
VICTIM(victim_int3_long, "int $3");
VICTIM(victim_div0, "divq victim_zero(%rip)");
VICTIM(victim_cli, "cli");
VICTIM(victim_hlt, "hlt");
VICTIM(victim_mov_cr3, "mov %rax, %cr3");
VICTIM(victim_read_cr0, "mov %cr0, %rax");
VICTIM(victim_rdmsr, "rdmsr");
VICTIM(victim_swapgs, "swapgs");
VICTIM(victim_lidt, "lidt victim_zero(%rip)");
VICTIM(victim_inb_port60, "inb $0x60, %al");
VICTIM(victim_int80, "int $0x80");
VICTIM(victim_int_timer, "int $48");
VICTIM(victim_noncanonical, "movabs 0x8000000000000000, %rax");
VICTIM(victim_ud2_cli, "ud2; cli");
VICTIM(victim_spin, "1: jmp 1b");
VICTIM(victim_syscall, "syscall");
VICTIM(victim_tf_syscall, "pushfq; orq $0x100, (%rsp); popfq; mov $6, %eax; syscall");
VICTIM2(victim_simd_div0, "ldmxcsr victim_mxcsr_ze(%rip); movss victim_onef(%rip), %xmm0",
	"divss victim_zero(%rip), %xmm0");
VICTIM2(victim_x87_div0, "fninit; fldcw victim_fcw_ze(%rip); fld1; fdivl victim_zero(%rip)", "fwait");
/* clang-format on */
