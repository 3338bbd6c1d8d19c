/*
 * The context switch's x86-64 part that generic code calls (sched.h):
 * the FS and GS bases of the thread switched to.  (The page table is
 * mmu_activate_on's, the kernel stack arch_set_kstack's and the FPU
 * fpu_switch's.)
 */
#ifndef ARCH_SWITCH_H
#define ARCH_SWITCH_H

#include <arch/cpuarch.h>
#include "cpu.h"
#include "thread.h"

/* saves prev's FS and GS bases (user code may have changed them) and
 * loads next's.  With FSGSBASE the CPU's values are read back and next's
 * written unconditionally, as Linux's x86_fsgsbase_load does (a compare
 * and a branch cost as much as the write).  Without it, user code can
 * still zero a base behind our back (a segment load takes the
 * descriptor's base, 0) but set nothing else: so only a loaded 0 is
 * certain. */
static inline void arch_switch_bases(struct cpu *c, struct thread *prev, struct thread *next)
{
	if (likely(cpu_feat.fsgsbase)) {
		uint64_t fs = next->fs_base, gs = next->gs_base;
		xchg_bases(&fs, &gs);
		if (prev) {
			prev->fs_base = fs;
			prev->gs_base = gs;
		}
		return;
	}
	if (unlikely(c->fs_loaded != next->fs_base || next->fs_base)) {
		wrmsr(MSR_FS_BASE, next->fs_base);
		c->fs_loaded = next->fs_base;
	}
	if (unlikely(c->kgs_loaded != next->gs_base || next->gs_base)) {
		wrmsr(MSR_KERNEL_GS_BASE, next->gs_base);
		c->kgs_loaded = next->gs_base;
	}
}

/* the current thread's bases as the CPU has them (user code may change
 * them itself with FSGSBASE) */
static inline void arch_sync_bases(struct cpu *c, struct thread *t)
{
	if (cpu_feat.fsgsbase && t == c->cur && t != c->idle) {
		t->fs_base = rdfsbase();
		t->gs_base = user_gsbase();
	}
}

#endif
