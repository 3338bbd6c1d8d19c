/*
 * The lx4 register file (enum lx4_reg: exregs, exception and syscall
 * messages and their replies) on x86-64: a register's slot in the saved
 * frame, the syscall frame's rcx and r11 (what sysret loads: its rip and
 * rflags), the rflags a user may set, canonical addresses, and the FS and
 * GS bases (sched.h).  Declared in thread.h.
 */
#include <arch/regs.h>
#include "cpu.h"
#include <arch/switch.h>
#include "thread.h"

uint64_t *thread_reg(struct thread *t, unsigned i)
{
	struct frame *f = &t->frame;
	if (i >= LX4_REG_FSBASE) {
		arch_sync_bases(this_cpu(), t);
		return i == LX4_REG_FSBASE ? &t->fs_base : &t->gs_base;
	}
	if (f->vector == VEC_SYSCALL && (i == LX4_REG_RCX || i == LX4_REG_R11))
		return i == LX4_REG_RCX ? &f->rip : &f->rflags; /* what sysret loads */
	return arch_frame_reg(f, i);
}

void thread_regs_read(struct thread *t, uint64_t *out)
{
	struct frame *f = &t->frame;
#pragma GCC unroll 32 /* (a move per register: the table folds away) */
	for (unsigned i = 0; i < LX4_REG_FSBASE; i++)
		out[i] = *arch_frame_reg(f, i);
	if (t->frame.vector == VEC_SYSCALL) {
		out[LX4_REG_RCX] = t->frame.rip;
		out[LX4_REG_R11] = t->frame.rflags;
	}
	arch_sync_bases(this_cpu(), t);
	out[LX4_REG_FSBASE] = t->fs_base;
	out[LX4_REG_GSBASE] = t->gs_base;
}

bool thread_regs_ok(uint64_t mask, const uint64_t *v)
{
	static const uint8_t below_47[] = {LX4_REG_RSP, LX4_REG_FSBASE, LX4_REG_GSBASE};
	if ((mask >> LX4_REG_RIP & 1) && !thread_reg_ok(LX4_REG_RIP, v[LX4_REG_RIP]))
		return false;
	for (unsigned k = 0; k < sizeof below_47; k++)
		if ((mask >> below_47[k] & 1) && !thread_reg_ok(below_47[k], v[below_47[k]]))
			return false;
	return true; /* (the others take any value) */
}

void thread_regs_write(struct thread *t, uint64_t mask, const uint64_t *v)
{
	/* the registers that need care go through thread_reg_write, the
	 * rest straight into the frame */
	const uint64_t special = 1ull << LX4_REG_RCX | 1ull << LX4_REG_R11 | 1ull << LX4_REG_FSBASE |
				 1ull << LX4_REG_GSBASE;
	const uint64_t plain = ((1ull << LX4_REG_FSBASE) - 1) & ~special & ~(1ull << LX4_REG_RFLAGS);
	struct frame *f = &t->frame;
	if (mask >> LX4_REG_RFLAGS & 1)
		t->frame.rflags = (v[LX4_REG_RFLAGS] & RFLAGS_USER_MASK) | RFLAGS_USER_FORCED;
	if ((mask & plain) == plain) { /* (a whole context, as a signal's: a move each) */
#pragma GCC unroll 32
		for (unsigned i = 0; i < LX4_REG_FSBASE; i++)
			if (plain >> i & 1)
				*arch_frame_reg(f, i) = v[i];
	} else {
		for (uint64_t m = mask & plain; m; m &= m - 1) {
			unsigned i = (unsigned)__builtin_ctzll(m);
			*arch_frame_reg(f, i) = v[i];
		}
	}
	for (uint64_t m = mask & special; m; m &= m - 1) {
		unsigned i = (unsigned)__builtin_ctzll(m);
		thread_reg_write(t, i, v[i]);
	}
}

bool thread_reg_ok(unsigned i, uint64_t v)
{
	switch (i) {
	case LX4_REG_RIP:
		return user_addr_ok(v);
	case LX4_REG_RSP:
	case LX4_REG_FSBASE:
	case LX4_REG_GSBASE:
		return v < (1ull << 47);
	default:
		return i < LX4_REG_COUNT;
	}
}

bool thread_kregs_ok(uint64_t mask, const uint64_t *v)
{
	const uint64_t bases = 1ull << LX4_REG_FSBASE | 1ull << LX4_REG_GSBASE;
	if (mask & bases)
		return false; /* (the kernel keeps them: thread_kmode_bases) */
	if ((mask >> LX4_REG_RIP & 1) && v[LX4_REG_RIP] < PHYSMAP_BASE)
		return false;
	if ((mask >> LX4_REG_RSP & 1) && v[LX4_REG_RSP] < PHYSMAP_BASE)
		return false;
	return true;
}

void thread_kmode_bases(struct thread *t)
{
	t->fs_base = (uint64_t)t->utcb; /* lx4_utcb() reads %fs:tls[0] */
	if (t->utcb)
		t->utcb->tls[0] = (uint64_t)t->utcb;
	t->gs_base = (uint64_t)this_cpu(); /* so that swapgs changes nothing */
	if (t == this_cpu()->cur)
		arch_switch_bases(this_cpu(), NULL, t);
}

void thread_reg_write(struct thread *t, unsigned i, uint64_t v)
{
	struct frame *f = &t->frame;
	if (i == LX4_REG_RFLAGS)
		v = (v & RFLAGS_USER_MASK) | RFLAGS_USER_FORCED;
	if ((i == LX4_REG_RCX || i == LX4_REG_R11) && f->vector == VEC_SYSCALL) {
		/* rcx and r11 of their own: the frame must leave by iret */
		f->rcx = f->rip;
		f->r11 = f->rflags;
		f->vector = VEC_FULL;
	}
	*thread_reg(t, i) = v;
	if (t == this_cpu()->cur && (i == LX4_REG_FSBASE || i == LX4_REG_GSBASE))
		arch_switch_bases(this_cpu(), NULL, t);
}
