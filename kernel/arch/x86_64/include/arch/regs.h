/*
 * Register roles: where the lx4 system-call ABI (include/lx4/abi.h) keeps
 * a system call's number, arguments, results and message registers in the
 * saved user frame, and where a thread's instruction and stack pointers
 * are.  Generic code reaches a frame's registers through these, by role,
 * never by name.  Each is a single load or store once inlined with a
 * constant index: the IPC fast path counts on it, so they stay static
 * inline.  The lx4 register file (exregs, exception messages) is
 * thread_reg() and its kin (regs.c).
 */
#ifndef ARCH_REGS_H
#define ARCH_REGS_H

#include <arch/arch.h>
#include <lx4/abi.h>

/* ---- system calls ------------------------------------------------------ */

/* the system-call number */
static inline uint64_t arch_sysno(const struct frame *f) { return f->rax; }

/* system-call argument n (0-4), the ABI's a1..a5: rdi rsi rdx r10 r8 */
static inline uint64_t arch_sysarg(const struct frame *f, unsigned n)
{
	return n == 0 ? f->rdi : n == 1 ? f->rsi : n == 2 ? f->rdx : n == 3 ? f->r10 : f->r8;
}
/* the error code (0 or -LX4_E*) */
static inline void arch_set_sysret(struct frame *f, uint64_t v) { f->rax = v; }
/* result n (0-2) besides the error code, the ABI's r1..r3: in the
 * registers of a1..a3 */
static inline void arch_set_sysout(struct frame *f, unsigned n, uint64_t v)
{
	if (n == 0)
		f->rdi = v;
	else if (n == 1)
		f->rsi = v;
	else
		f->rdx = v;
}

/* rewinds f to the system-call instruction it entered the kernel by: the
 * call is made again when the thread resumes (a foreign-ABI syscall that
 * was not answered) */
static inline void arch_syscall_restart(struct frame *f) { f->rip -= 2; }

/* ---- message registers --------------------------------------------------- */

/* message register i (< LX4_MR_REGS): r8 r9 r12 r13 r14 r15 rbx */
static inline uint64_t *arch_mr_reg(struct frame *f, unsigned i)
{
	switch (i) {
	case 0: return &f->r8;
	case 1: return &f->r9;
	case 2: return &f->r12;
	case 3: return &f->r13;
	case 4: return &f->r14;
	case 5: return &f->r15;
	default: return &f->rbx;
	}
}

/* ---- the frame as a whole ------------------------------------------------- */

/* lx4 register i (enum lx4_reg, below LX4_REG_FSBASE) where the frame
 * saves it.  (A frame saved by the syscall entry has no rcx or r11 of its
 * own: thread_reg() knows; the words of a foreign-ABI syscall message,
 * the first LX4_SYSCALL_MSG_WORDS, are not among them.) */
#define ARCH_FO(r) (uint8_t)(__builtin_offsetof(struct frame, r) / 8)
static inline uint64_t *arch_frame_reg(struct frame *f, unsigned i)
{
	static const uint8_t slot[LX4_REG_FSBASE] = {
		[LX4_REG_RAX] = ARCH_FO(rax), [LX4_REG_RDI] = ARCH_FO(rdi), [LX4_REG_RSI] = ARCH_FO(rsi),
		[LX4_REG_RDX] = ARCH_FO(rdx), [LX4_REG_R10] = ARCH_FO(r10), [LX4_REG_R8] = ARCH_FO(r8),
		[LX4_REG_R9] = ARCH_FO(r9),   [LX4_REG_RIP] = ARCH_FO(rip), [LX4_REG_RSP] = ARCH_FO(rsp),
		[LX4_REG_RFLAGS] = ARCH_FO(rflags), [LX4_REG_RBX] = ARCH_FO(rbx), [LX4_REG_RBP] = ARCH_FO(rbp),
		[LX4_REG_RCX] = ARCH_FO(rcx), [LX4_REG_R11] = ARCH_FO(r11), [LX4_REG_R12] = ARCH_FO(r12),
		[LX4_REG_R13] = ARCH_FO(r13), [LX4_REG_R14] = ARCH_FO(r14), [LX4_REG_R15] = ARCH_FO(r15),
	};
	return (uint64_t *)f + slot[i];
}
#undef ARCH_FO

/* the instruction pointer */
static inline uint64_t arch_frame_ip(const struct frame *f) { return f->rip; }

/* a new thread's frame: user mode, the interrupt flag set, left by iret */
static inline void arch_frame_init(struct frame *f)
{
	f->cs = SEL_UCODE;
	f->ss = SEL_UDATA;
	f->rflags = RFLAGS_USER_FORCED;
	f->vector = VEC_FULL;
}

/* a ring-0 thread's frame (TF_KMODE): kernel selectors, the interrupt
 * flag set, always left by iret (entry.S keeps VEC_KMODE: the syscall
 * entry saves no cs, ss or vector, and interrupts in ring 0 save on the
 * thread's own stack, not here) */
static inline void arch_frame_init_kmode(struct frame *f)
{
	f->cs = SEL_KCODE;
	f->ss = SEL_KDATA;
	f->rflags = RFLAGS_USER_FORCED;
	f->vector = VEC_KMODE;
}

/* the thread starts at ip as a C function called with arg, on the stack
 * that ends at stack_top (16-byte aligned) */
static inline void arch_frame_set_entry(struct frame *f, uint64_t ip, uint64_t stack_top, uint64_t arg)
{
	f->rip = ip;
	f->rsp = stack_top - 8; /* as after a call: the return address's slot */
	f->rdi = arg;
}

#endif
