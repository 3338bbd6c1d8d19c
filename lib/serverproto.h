/*
 * How the root task hands the Linux server its world: the layout of the
 * server's address space and the information page at SRV_INFO.
 */
#ifndef LX4_SERVERPROTO_H
#define LX4_SERVERPROTO_H

#include <stdint.h>

#define SRV_KIP 0x00007fff00000000ull
#define SRV_INFO 0x00007fff00001000ull
#define SRV_UTCB 0x00007fff00002000ull
#define SRV_UTCB2 0x00007fff00003000ull /* the server's second thread (its timer) */
#define SRV_STACK_TOP 0x00007ffe00000000ull
#define SRV_STACK_PAGES 64
#define SRV_RAM 0x0000100000000000ull    /* the RAM the server manages */
#define SRV_INITRD 0x0000200000000000ull /* the initramfs (cpio newc), read-only */

#define SRV_PRIO 150 /* the server's priority: above every Linux thread */

/* the server's capability slots */
#define SRV_CAP_ROOT 1u   /* the root's endpoint (badged) */
#define SRV_CAP_IRQCTL 2u /* IRQ control */
#define SRV_FIRST_FREE_CAP 8u
#define SRV_CAP_SLOTS 16384u /* the server's capability slots: two per process */

/* I/O ports the server drives */
#define SRV_PORT_COM1 0x3f8 /* 8 ports */
#define SRV_PORT_EXIT 0xf4  /* isa-debug-exit, 4 ports */
#define SRV_PORT_RTC 0x70   /* 2 ports */

#define SRV_INFO_MAGIC 0x4f464e49564d5253ull /* "SRVINFO" */

struct lx4_srvinfo {
	uint64_t magic;
	uint64_t ram_size;    /* bytes at SRV_RAM */
	uint64_t initrd_size; /* bytes at SRV_INITRD */
	uint64_t kmem_quota;  /* the server's kernel-memory quota, pages */
	uint64_t cap_slots;
	char cmdline[256];    /* the server module's command line */
};

#endif
