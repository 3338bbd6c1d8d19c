/*
 * The user thread control block: one page per thread, mapped by the kernel
 * at the address the thread was configured with.  MR0..MR6 travel in
 * registers; the kernel reads and writes mr[7..] here, and a thread's FPU
 * state passes through fpu[] (exregs FPU_READ / FPU_WRITE).
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
	uint8_t pad[LX4_UTCB_FPU_OFFSET - 8 * LX4_MR_COUNT - 8 * 8];
	/* exregs FPU_READ / FPU_WRITE: a thread's FPU/SSE/AVX state in the
	 * XSAVE standard format (the KIP's fpu_size bytes of it; the 512-byte
	 * FXSAVE image where the CPU has no XSAVE) */
	uint8_t fpu[LX4_UTCB_FPU_SIZE] __attribute__((aligned(64)));
};

#define LX4_BR_CAP_VALID (1ull << 63)

_Static_assert(sizeof(struct lx4_utcb) == 4096, "the UTCB is one page");
_Static_assert(__builtin_offsetof(struct lx4_utcb, fpu) == LX4_UTCB_FPU_OFFSET, "the FPU area's offset is ABI");
_Static_assert(LX4_UTCB_FPU_OFFSET + LX4_UTCB_FPU_SIZE == 4096, "the FPU area ends the page");
/* the runtime reads the UTCB's own address at %fs:536 (tls[0]) */
_Static_assert(__builtin_offsetof(struct lx4_utcb, tls) == 536, "tls[0] offset is ABI");

#endif
