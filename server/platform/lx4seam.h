/*
 * What every backend on lx4 (micro.c, which coloc builds too, and mono.c)
 * shares: the seam's names checked against the kernel's ABI, the policy
 * for a Linux process's task and thread, and the rights a mapping gets.
 */
#ifndef SRV_PLATFORM_LX4SEAM_H
#define SRV_PLATFORM_LX4SEAM_H

#include <lx4/abi.h>

#include "../platform.h"

#define SAME(a, b) ((int)(a) == (int)(b))
_Static_assert(SAME(PLAT_REG_COUNT, LX4_REG_COUNT) && SAME(PLAT_REG_RIP, LX4_REG_RIP) &&
		       SAME(PLAT_REG_RSP, LX4_REG_RSP) && SAME(PLAT_REG_RFLAGS, LX4_REG_RFLAGS) &&
		       SAME(PLAT_REG_RCX, LX4_REG_RCX) && SAME(PLAT_REG_FSBASE, LX4_REG_FSBASE) &&
		       SAME(PLAT_REG_R15, LX4_REG_R15) && SAME(PLAT_SYSCALL_REGS, LX4_SYSCALL_MSG_WORDS),
	       "registers in the kernel's frame order");
_Static_assert(PLAT_PF_READ == LX4_PF_READ && PLAT_PF_WRITE == LX4_PF_WRITE && PLAT_PF_EXEC == LX4_PF_EXEC &&
		       PLAT_PF_PRESENT == LX4_PF_PRESENT,
	       "fault access codes as the kernel's");
#undef SAME

/* kernel pages a Linux process's task starts with (its page tables and
 * their mapping-database nodes: a small static program uses 12); the
 * quota grows whenever a mapping needs more, so that processes cost the
 * kernel about what they use and their number is bounded by memory, not
 * by a reservation per process */
#define PROC_KMEM_QUOTA 16
/* the priority of Linux threads (the server's is above) */
#define PROC_PRIO 100

/* the rights of a mapping with protection prot (PROT_*) */
static inline uint64_t fp_rights(unsigned prot)
{
	return LX4_FP_R | ((prot & PROT_W) ? LX4_FP_W : 0) | ((prot & PROT_X) ? LX4_FP_X : 0);
}

#endif
