/*
 * Kernel entry and exit.  User registers are saved into the current
 * thread's frame (the first bytes of its TCB, struct frame in include/arch/arch.h):
 * the syscall entry stores them there, interrupts from user mode arrive
 * there through TSS.rsp0.  The kernel then runs on the per-CPU stack and
 * leaves through arch_exit_to_user(thread), on that thread's frame.
 */
#define CPU_KSTACK 8
#define CPU_USER_RSP 16
#define CPU_CUR 32
/* this CPU's kernel_entries counter in the KIP, mapped 4096 below the
 * per-CPU structure (cpu.h): offsetof(struct lx4_kip, cpu) - 4096 */
#define CPU_KENTRIES (128 - 4096) /* kip.c checks the 128 */
#define VEC_SYSCALL 0x100
#define VEC_KMODE 0x102
#define T_FLAGS 0xd2 /* offsetof(struct thread, flags), checked in thread.h */
#define TF_FOREIGN 1
#define SYS_CALL 1
#define SYS_REPLY_RECV 2
#define F_RAX 0
#define F_RBX 8
#define F_RDX 16
#define F_RSI 24
#define F_RDI 32
#define F_RBP 40
#define F_R8 48
#define F_R9 56
#define F_R10 64
#define F_R12 72
#define F_R13 80
#define F_R14 88
#define F_R15 96
#define F_VECTOR (15 * 8)
#define F_RIP (17 * 8)
#define F_RFLAGS (19 * 8)
#define F_RSP (20 * 8)

/* interrupts and exceptions: all fifteen, rcx and r11 last */
.macro PUSH_GPRS
	push %r11
	push %rcx
	push %r15
	push %r14
	push %r13
	push %r12
	push %r10
	push %r9
	push %r8
	push %rbp
	push %rdi
	push %rsi
	push %rdx
	push %rbx
	push %rax
.endm

.macro POP_GPRS_BUT_RCX_R11
	pop %rax
	pop %rbx
	pop %rdx
	pop %rsi
	pop %rdi
	pop %rbp
	pop %r8
	pop %r9
	pop %r10
	pop %r12
	pop %r13
	pop %r14
	pop %r15
.endm

/* leaves the kernel on the frame of the thread in rax */
.macro EXIT_TO_USER
	mov %rax, %rsp
	cmpq $VEC_SYSCALL, F_VECTOR(%rsp)
	jne exit_by_iret
	POP_GPRS_BUT_RCX_R11
	mov (F_RIP - 13 * 8)(%rsp), %rcx
	mov (F_RFLAGS - 13 * 8)(%rsp), %r11
	mov (F_RSP - 13 * 8)(%rsp), %rsp
	swapgs
	sysretq
.endm

	.text
	.globl syscall_entry
	.type syscall_entry, @function
syscall_entry:
	swapgs
	mov %rsp, %gs:CPU_USER_RSP
	mov %gs:CPU_CUR, %rsp /* the frame is at the start of the TCB */
	mov %rax, F_RAX(%rsp)
	mov %rbx, F_RBX(%rsp)
	mov %rdx, F_RDX(%rsp)
	mov %rsi, F_RSI(%rsp)
	mov %rdi, F_RDI(%rsp)
	mov %rbp, F_RBP(%rsp)
	mov %r8, F_R8(%rsp)
	mov %r9, F_R9(%rsp)
	mov %r10, F_R10(%rsp)
	mov %r12, F_R12(%rsp)
	mov %r13, F_R13(%rsp)
	mov %r14, F_R14(%rsp)
	mov %r15, F_R15(%rsp)
	mov %rcx, F_RIP(%rsp)
	mov %r11, F_RFLAGS(%rsp)
	mov %gs:CPU_USER_RSP, %rcx
	mov %rcx, F_RSP(%rsp)
	/* the vector slot already says VEC_SYSCALL: every exit by iret puts
	 * it back, and interrupts and exceptions write their own */
	mov %rsp, %rdi
	mov %gs:CPU_KSTACK, %rsp
	incq %gs:CPU_KENTRIES
	/* the IPC fast paths first; rax still holds the call number */
	testb $TF_FOREIGN, T_FLAGS(%rdi)
	jnz 3f
	cmp $SYS_CALL, %rax
	je 1f
	cmp $SYS_REPLY_RECV, %rax
	je 2f
	call syscall_dispatch
	mov %rax, %rdi
	jmp arch_exit_to_user
1:	call fastpath_call
	EXIT_TO_USER
2:	call fastpath_reply_recv
	EXIT_TO_USER
3:	call fastpath_foreign
	EXIT_TO_USER
	.size syscall_entry, . - syscall_entry

/* noreturn void arch_exit_to_user(struct thread *t): the frame is at t+0.
 * A syscall frame leaves by sysret (its rip is a user address: every rip
 * the kernel accepts is checked, and the top user page is never mapped),
 * anything else by iret. */
	.globl arch_exit_to_user
	.type arch_exit_to_user, @function
arch_exit_to_user:
	mov %rdi, %rax
	EXIT_TO_USER
	.size arch_exit_to_user, . - arch_exit_to_user

exit_by_iret:
	cmpq $VEC_KMODE, F_VECTOR(%rsp) /* a ring-0 thread's (coloc): iret always */
	je 1f
	movq $VEC_SYSCALL, F_VECTOR(%rsp) /* for the next syscall entry */
1:	POP_GPRS_BUT_RCX_R11
	pop %rcx
	pop %r11
	add $16, %rsp
	swapgs
	iretq

/* exception and interrupt stubs: push a dummy error code where the CPU
 * pushes none, then the vector */
.macro STUB vec, err
	.align 16
	.globl isr_\vec
isr_\vec:
	.if \err == 0
	push $0
	.endif
	push $\vec
	jmp trap_common
.endm

	STUB 0, 0
	STUB 1, 0
	STUB 2, 0
	STUB 3, 0
	STUB 4, 0
	STUB 5, 0
	STUB 6, 0
	STUB 7, 0
	STUB 8, 1
	STUB 9, 0
	STUB 10, 1
	STUB 11, 1
	STUB 12, 1
	STUB 13, 1
	STUB 14, 1
	STUB 15, 0
	STUB 16, 0
	STUB 17, 1
	STUB 18, 0
	STUB 19, 0
	STUB 20, 0
	STUB 21, 1
	STUB 22, 0
	STUB 23, 0
	STUB 24, 0
	STUB 25, 0
	STUB 26, 0
	STUB 27, 0
	STUB 28, 0
	STUB 29, 1
	STUB 30, 1
	STUB 31, 0
	.irp v, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48
	STUB \v, 0
	.endr
	STUB 255, 0

trap_common:
	cld                  /* a gate keeps the user's DF; C code needs it clear */
	testb $3, 24(%rsp)   /* cs of the interrupted context */
	jz from_kernel
	swapgs
	PUSH_GPRS
	mov %rsp, %rdi
	mov %gs:CPU_KSTACK, %rsp
	/* nor the user's AC (SMAP): cleared on the kernel stack, as the
	 * frame is the first bytes of the TCB page */
	pushfq
	andl $~0x40000, (%rsp)
	popfq
	incq %gs:CPU_KENTRIES
	call trap_user
	mov %rax, %rdi
	jmp arch_exit_to_user

from_kernel:
	PUSH_GPRS
	mov %rsp, %rdi
	mov %rsp, %rbx
	and $-16, %rsp
	call trap_kernel
	test %rax, %rax
	jnz 1f
	mov %rbx, %rsp
	POP_GPRS_BUT_RCX_R11
	pop %rcx
	pop %r11
	add $16, %rsp
	iretq
	/* a ring-0 thread preempted (trap_kernel saved its frame): schedule
	 * on the kernel stack */
1:	mov %gs:CPU_KSTACK, %rsp
	mov %rax, %rdi
	call sched_finish
	mov %rax, %rdi
	jmp arch_exit_to_user

/* noreturn void arch_run_on_stack(uint64_t stack_top, void (*fn)(void)) */
	.globl arch_run_on_stack
arch_run_on_stack:
	mov %rdi, %rsp
	xor %ebp, %ebp
	call *%rsi
	ud2

	.section .rodata
	.globl isr_table
	.align 8
isr_table:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad isr_\v
	.endr
	.irp v, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48
	.quad isr_\v
	.endr
	.quad isr_255

	.section .note.GNU-stack, "", @progbits
