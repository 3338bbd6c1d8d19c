/*
 * The user thread control block: one page per thread, mapped by the kernel
 * at the address the thread was configured with.  MR0..MR6 travel in
 * registers; the kernel reads and writes mr[7..] here.
 */
#ifndef LX4_UTCB_H
#define LX4_UTCB_H

#include <stdint.h>
#include "abi.h"

struct lx4_utcb {
	uint64_t mr[LX4_MR_COUNT];
	/* buffer registers: what the thread accepts when it receives */
	uint64_t br_mem;      /* receive window: an fpage (0: accept no memory) */
	uint64_t br_cap;      /* first slot for received caps | LX4_BR_CAP_VALID */
	uint64_t br_io;       /* nonzero: accept I/O ports */
	uint64_t tls[5];      /* user-owned */
	uint8_t pad[4096 - 8 * LX4_MR_COUNT - 8 * 8];
};

#define LX4_BR_CAP_VALID (1ull << 63)

_Static_assert(sizeof(struct lx4_utcb) == 4096, "the UTCB is one page");
/* the runtime reads the UTCB's own address at %fs:536 (tls[0]) */
_Static_assert(__builtin_offsetof(struct lx4_utcb, tls) == 536, "tls[0] offset is ABI");

#endif
