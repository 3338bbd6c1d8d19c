/*
 * The Linux server brought up on the fake platform for unit tests
 * (srv_harness.c): what srv_init does but for the CMOS clock, the UART
 * and the first program, and test processes that make their own system
 * calls and touch their own memory through the fake (fake_platform.h).
 * Every test checks that it left no page, object or mapping behind.
 */
#ifndef SRV_HARNESS_H
#define SRV_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fake_platform.h"

#define SRV_HOST_RAM (16ull << 20)

/* every test process starts with USER_SIZE bytes of private anonymous
 * read-write memory at USER_BASE (its own mmap), its stack pointer at the
 * top of it; it runs no code (rip only shows in signal frames) */
#define USER_BASE  0x10000000ull
#define USER_SIZE  (1ull << 20)
#define USER_STACK (USER_BASE + USER_SIZE)
#define USER_RIP   0x400000ull

/* the server's memory, file system and a pid 1 that never runs (the end
 * of pid 1 would end the machine); once per test binary */
void srv_host_boot(void);

/* a new process (no parent, no files, the working directory /), its
 * thread's id its pid; 0 if the server refused */
int srv_host_spawn(void);
/* pid makes exit_group(0); then its zombie children that went to pid 1
 * go as a wait of pid 1's would take them, and the dead are buried */
void srv_host_exit(int pid);
/* the zombie children of pid 1 go, and the dead of the last events */
void srv_host_reap(void);

/* what the server holds at a point: free pages (those its small-object
 * heap took for good count as free) and live small objects */
struct srv_host_mark {
	uint64_t pages;
	long objects;
};
struct srv_host_mark srv_host_mark(void);
/* pages and objects not given back since m (negative: more given back) */
long srv_host_pages_leaked(const struct srv_host_mark *m);
long srv_host_objects_leaked(const struct srv_host_mark *m);
/* checks every mapping of every live process against the server's view:
 * it lies in a VMA, its page is one the server holds, and a writable page
 * of a private mapping is the process's alone (copy-on-write is kept);
 * the first violation is described in why; false if there is one */
bool srv_host_mappings_ok(char *why, size_t size);

#endif
