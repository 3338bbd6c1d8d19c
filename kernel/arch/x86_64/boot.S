/*
 * Multiboot entry.  QEMU starts us in 32-bit protected mode with paging
 * off; we build a minimal page table (the first GiB identity-mapped, at
 * the physical-map base and at the kernel's higher-half address), enter
 * long mode and jump to kmain in the higher half.
 */
#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x3 /* page-aligned modules, memory map */
#define KERNEL_VBASE 0xffffffff80000000

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.section .boot, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	mov %eax, boot_magic
	mov %ebx, boot_mbi
	mov $boot_stack_top, %esp

	/* zero the boot page tables */
	mov $boot_tables, %edi
	mov $(4 * 4096 / 4), %ecx
	xor %eax, %eax
	rep stosl

	/* PML4[0] and PML4[256] -> low PDPT; PML4[511] -> high PDPT */
	mov $boot_pdpt_lo, %eax
	or $3, %eax
	mov %eax, boot_pml4
	mov %eax, boot_pml4 + 256 * 8
	mov $boot_pdpt_hi, %eax
	or $3, %eax
	mov %eax, boot_pml4 + 511 * 8
	/* PDPT_lo[0] and PDPT_hi[510] -> one PD of 2 MiB pages over 1 GiB */
	mov $boot_pd, %eax
	or $3, %eax
	mov %eax, boot_pdpt_lo
	mov %eax, boot_pdpt_hi + 510 * 8
	mov $boot_pd, %edi
	mov $0x83, %eax
	mov $512, %ecx
1:	mov %eax, (%edi)
	add $0x200000, %eax
	add $8, %edi
	loop 1b

	/* PAE, page table, long mode, paging */
	mov %cr4, %eax
	or $0x20, %eax
	mov %eax, %cr4
	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx
	rdmsr
	or $0x100, %eax
	wrmsr
	mov %cr0, %eax
	or $0x80010001, %eax /* PG | WP | PE */
	mov %eax, %cr0

	lgdt boot_gdtr
	ljmp $0x08, $long_mode

	.code64
long_mode:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %eax, %eax
	mov %ax, %fs
	mov %ax, %gs
	movabs $cpu0_kstack_top, %rsp
	xor %ebp, %ebp
	mov boot_magic, %edi
	mov boot_mbi, %esi
	movabs $kmain, %rax
	call *%rax
1:	hlt
	jmp 1b

	.align 16
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff /* 64-bit code */
	.quad 0x00cf92000000ffff /* data */
boot_gdtr:
	.word 3 * 8 - 1
	.long boot_gdt

	.align 4
boot_magic:
	.long 0
boot_mbi:
	.long 0

	.section .boot_bss, "aw", @nobits
	.align 4096
boot_tables:
boot_pml4:
	.skip 4096
boot_pdpt_lo:
	.skip 4096
boot_pdpt_hi:
	.skip 4096
boot_pd:
	.skip 4096
	.skip 4096
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
