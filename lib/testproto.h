/*
 * The protocol between the root task and the programs it runs as a suite
 * (kernel tests, benchmarks).  Program i of a suite image is started with
 * rdi = i; it calls the root on slot TP_PARENT_CAP.
 */
#ifndef LX4_TESTPROTO_H
#define LX4_TESTPROTO_H

#define TP_PARENT_CAP 1u /* the root's endpoint, badged per program */
#define TP_IRQCTL_CAP 2u /* the IRQ control capability (kernel tests only) */
#define TP_FIRST_FREE_CAP 8u
/* I/O ports a suite program may use: the CMOS clock, for the IRQ test */
#define TP_RTC_PORT 0x70 /* and 0x71 */

/* labels */
#define TP_START 0x100  /* MR0 = entry count, then the name (bytes) */
#define TP_RESULT 0x101 /* MR0 = 0 pass / 1 fail, then a message (bytes) */

/* the address-space layout of suite programs */
#define TP_KIP 0x00007fff00000000ull
#define TP_UTCB 0x00007fff00002000ull
#define TP_UTCB_AREA 0x00007fff00010000ull /* further UTCBs, one page each */
#define TP_STACK_TOP 0x00007ffe00000000ull
#define TP_STACK_PAGES 16
#define TP_HEAP 0x0000000010000000ull /* paged lazily by the root */
#define TP_HEAP_SIZE 0x0000000010000000ull

#endif
