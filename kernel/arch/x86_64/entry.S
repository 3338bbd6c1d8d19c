/*
 * Kernel entry and exit.  User registers are saved into the current
 * thread's frame (the first bytes of its TCB): syscall pushes them there
 * by pointing rsp at the frame's end, interrupts from user mode arrive
 * there through TSS.rsp0.  Then the kernel runs on the per-CPU stack and
 * leaves through arch_exit_to_user(thread), on that thread's frame.
 */
#define CPU_KSTACK 8
#define CPU_USER_RSP 16
#define CPU_FRAME_END 24
#define CPU_KCNT 40
#define SEL_UDATA 0x23
#define SEL_UCODE 0x2b
#define VEC_SYSCALL 0x100
#define F_VECTOR (15 * 8)
#define F_RIP (17 * 8)
#define F_RFLAGS (19 * 8)
#define F_RSP (20 * 8)
#define USER_END 0x00007ffffffff000

.macro PUSH_GPRS
	push %r15
	push %r14
	push %r13
	push %r12
	push %r11
	push %r10
	push %r9
	push %r8
	push %rbp
	push %rdi
	push %rsi
	push %rdx
	push %rcx
	push %rbx
	push %rax
.endm

.macro POP_GPRS
	pop %rax
	pop %rbx
	pop %rcx
	pop %rdx
	pop %rsi
	pop %rdi
	pop %rbp
	pop %r8
	pop %r9
	pop %r10
	pop %r11
	pop %r12
	pop %r13
	pop %r14
	pop %r15
.endm

	.text
	.globl syscall_entry
	.type syscall_entry, @function
syscall_entry:
	swapgs
	mov %rsp, %gs:CPU_USER_RSP
	mov %gs:CPU_FRAME_END, %rsp
	push $SEL_UDATA
	push %gs:CPU_USER_RSP
	push %r11
	push $SEL_UCODE
	push %rcx
	push $0
	push $VEC_SYSCALL
	PUSH_GPRS
	mov %rsp, %rdi
	mov %gs:CPU_KSTACK, %rsp
	mov %gs:CPU_KCNT, %rcx
	incq (%rcx)
	call syscall_dispatch
	mov %rax, %rdi
	jmp arch_exit_to_user
	.size syscall_entry, . - syscall_entry

/* noreturn void arch_exit_to_user(struct thread *t): the frame is at t+0 */
	.globl arch_exit_to_user
	.type arch_exit_to_user, @function
arch_exit_to_user:
	mov %rdi, %rsp
	cmpq $VEC_SYSCALL, F_VECTOR(%rsp)
	jne 1f
	movabs $USER_END, %rcx
	cmp %rcx, F_RIP(%rsp)
	jae 1f
	POP_GPRS
	mov 16(%rsp), %rcx  /* rip */
	mov 32(%rsp), %r11  /* rflags */
	mov 40(%rsp), %rsp  /* user rsp */
	swapgs
	sysretq
1:	POP_GPRS
	add $16, %rsp
	swapgs
	iretq
	.size arch_exit_to_user, . - arch_exit_to_user

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
	mov %gs:CPU_KCNT, %rcx
	incq (%rcx)
	call trap_user
	mov %rax, %rdi
	jmp arch_exit_to_user

from_kernel:
	PUSH_GPRS
	mov %rsp, %rdi
	mov %rsp, %rbx
	and $-16, %rsp
	call trap_kernel
	mov %rbx, %rsp
	POP_GPRS
	add $16, %rsp
	iretq

/* noreturn void arch_idle_on_stack(uint64_t stack_top, void (*fn)(void)) */
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
