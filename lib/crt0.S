/* Entry of native lx4 programs: main(rdi, rsi) on an aligned stack. */
	.text
	.globl _start
_start:
	xor %ebp, %ebp
	and $-16, %rsp
	call main
	mov %rax, %rdi
	call lx4_main_return
	ud2

	.section .note.GNU-stack, "", @progbits
