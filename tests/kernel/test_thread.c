/* Threads: exregs (read, write, stop, start, abort), configuration,
 * creation and destruction, FS/GS base. */
#include "kthread.h"

#define ALL_GPRS ((1ull << LX4_REG_FSBASE) - 1)
#define IOPL     0x3000ull
#define IF       0x200ull

/* starts victim_spin at priority 90 and waits until it spins */
static lx4_cap_t spinner(void)
{
	victim_reset();
	lx4_cap_t t = thread_spawn(victim_spin, 0, 90, true);
	KASSERT(wait_nz(&victim_rsp, 1000 * MS));
	sleep_ns(2 * MS);
	return t;
}

KTEST(thread_exregs_read_stopped_spinner)
{
	lx4_cap_t t = spinner();
	struct lx4_utcb *u = lx4_utcb();
	struct lx4_sysret r = lx4_exregs(t, LX4_EXREGS_STOP | LX4_EXREGS_READ, 0);
	KEXPECT_EQ(r.err, 0);
	KEXPECT_EQ(r.r1, LX4_TSTATE_INACTIVE);
	for (unsigned i = 0; i < LX4_REG_FSBASE; i++) {
		if (i == LX4_REG_RIP || i == LX4_REG_RFLAGS)
			continue;
		KEXPECT_EQ(u->mr[i], vpat(i));
	}
	KEXPECT_EQ(u->mr[LX4_REG_RIP], (uint64_t)victim_spin_fault);
	KEXPECT_EQ(u->mr[LX4_REG_RFLAGS] & (IF | IOPL | 2), IF | 2);
	KASSERT(u->mr[LX4_REG_FSBASE] >= TP_UTCB_AREA && u->mr[LX4_REG_FSBASE] < TP_UTCB_AREA + (1 << 20));
	KEXPECT_EQ(u->mr[LX4_REG_GSBASE], 0);
	/* stopped: it stays where it is */
	sleep_ns(5 * MS);
	KEXPECT_EQ(thread_state(t), LX4_TSTATE_INACTIVE);
	KEXPECT_EQ(reg_of(t, LX4_REG_RIP), (uint64_t)victim_spin_fault);
	/* READ does not need or use the mask; READ alone changes nothing */
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_READ, 0).r1, LX4_TSTATE_INACTIVE);
	KEXPECT_EQ(victim_done, 0);
}

KTEST(thread_exregs_write_then_start)
{
	lx4_cap_t t = spinner();
	struct lx4_utcb *u = lx4_utcb();
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_STOP, 0).err, 0);
	/* garbage in unmasked words is not looked at */
	for (unsigned i = 0; i < LX4_REG_COUNT; i++)
		u->mr[i] = 0xffff800000000000ull;
	u->mr[LX4_REG_RAX] = 0xa;
	u->mr[LX4_REG_RCX] = 0xc;
	u->mr[LX4_REG_R11] = 0x11;
	u->mr[LX4_REG_RBX] = 0xb;
	u->mr[LX4_REG_R15] = 0xf;
	u->mr[LX4_REG_RIP] = (uint64_t)victim_spin_after;
	uint64_t mask = 1ull << LX4_REG_RAX | 1ull << LX4_REG_RCX | 1ull << LX4_REG_R11 | 1ull << LX4_REG_RBX |
			1ull << LX4_REG_R15 | 1ull << LX4_REG_RIP;
	struct lx4_sysret r = lx4_exregs(t, LX4_EXREGS_WRITE, mask);
	KEXPECT_EQ(r.err, 0);
	KEXPECT_EQ(r.r1, LX4_TSTATE_INACTIVE); /* WRITE does not start it */
	sleep_ns(3 * MS);
	KEXPECT_EQ(victim_done, 0);
	KEXPECT_EQ(reg_of(t, LX4_REG_RIP), (uint64_t)victim_spin_after);
	KEXPECT_EQ(reg_of(t, LX4_REG_RCX), 0xc);
	KEXPECT_EQ(reg_of(t, LX4_REG_RDX), VPAT(LX4_REG_RDX));
	r = lx4_exregs(t, LX4_EXREGS_START, 0);
	KEXPECT_EQ(r.err, 0);
	KEXPECT_EQ(r.r1, LX4_TSTATE_READY);
	KEXPECT_EQ(wait_nz(&victim_done, 1000 * MS), 1);
	KEXPECT_EQ(victim_out[LX4_REG_RAX], 0xa);
	KEXPECT_EQ(victim_out[LX4_REG_RCX], 0xc); /* written rcx/r11 survive the return to user */
	KEXPECT_EQ(victim_out[LX4_REG_R11], 0x11);
	KEXPECT_EQ(victim_out[LX4_REG_RBX], 0xb);
	KEXPECT_EQ(victim_out[LX4_REG_R15], 0xf);
	for (unsigned i = LX4_REG_RDI; i < LX4_REG_RIP; i++)
		KEXPECT_EQ(victim_out[i], VPAT(i));
	KEXPECT_EQ(victim_out[LX4_REG_RBP], VPAT(LX4_REG_RBP));
	KEXPECT_EQ(victim_out[LX4_REG_R14], VPAT(LX4_REG_R14));
	KEXPECT_EQ(victim_out[LX4_REG_RSP], victim_rsp);
}

/* WRITE without STOP moves a running (ready) thread on, too */
KTEST(thread_exregs_write_running_thread)
{
	lx4_cap_t t = spinner();
	KEXPECT_EQ(thread_state(t), LX4_TSTATE_READY);
	KEXPECT_EQ(reg_write(t, LX4_REG_RIP, (uint64_t)victim_spin_after, 0), 0);
	KEXPECT_EQ(wait_nz(&victim_done, 1000 * MS), 1);
	for (unsigned i = 0; i < LX4_REG_RIP; i++)
		KEXPECT_EQ(victim_out[i], VPAT(i));
}

/* READ and WRITE together exchange: the old values come back, the new
 * ones are set */
KTEST(thread_exregs_read_write_exchange)
{
	lx4_cap_t t = spinner();
	struct lx4_utcb *u = lx4_utcb();
	u->mr[LX4_REG_RAX] = 0x1234;
	u->mr[LX4_REG_RIP] = (uint64_t)victim_spin_after;
	uint64_t mask = 1ull << LX4_REG_RAX | 1ull << LX4_REG_RIP;
	struct lx4_sysret r = lx4_exregs(t, LX4_EXREGS_STOP | LX4_EXREGS_READ | LX4_EXREGS_WRITE, mask);
	KEXPECT_EQ(r.err, 0);
	KEXPECT_EQ(u->mr[LX4_REG_RAX], VPAT(LX4_REG_RAX));
	KEXPECT_EQ(u->mr[LX4_REG_RIP], (uint64_t)victim_spin_fault);
	KEXPECT_EQ(u->mr[LX4_REG_RBX], VPAT(LX4_REG_RBX));
	KEXPECT_EQ(reg_of(t, LX4_REG_RAX), 0x1234);
	KEXPECT_EQ(reg_of(t, LX4_REG_RIP), (uint64_t)victim_spin_after);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_START, 0).err, 0);
	KEXPECT_EQ(wait_nz(&victim_done, 1000 * MS), 1);
	KEXPECT_EQ(victim_out[LX4_REG_RAX], 0x1234);
}

KTEST(thread_exregs_invalid_arguments)
{
	lx4_cap_t t = spinner();
	struct lx4_utcb *u = lx4_utcb();
	KEXPECT_EQ(lx4_exregs(t, 0x100, 0).err, -LX4_EINVAL);
	KEXPECT_EQ(lx4_exregs(t, 1ull << 63 | LX4_EXREGS_READ, 0).err, -LX4_EINVAL);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_WRITE, 1ull << LX4_REG_COUNT).err, -LX4_EINVAL);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_WRITE, ~0ull).err, -LX4_EINVAL);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_STOP, 1ull << 63).err, -LX4_EINVAL);
	static const struct {
		unsigned reg;
		uint64_t v;
	} bad[] = {
	    {LX4_REG_RIP, 0x7ffffffff000ull},     /* the top page is never user space */
	    {LX4_REG_RIP, 0x800000000000ull},     /* non-canonical */
	    {LX4_REG_RIP, 0xffffffff80100000ull}, /* the kernel */
	    {LX4_REG_RSP, 0x800000000000ull},
	    {LX4_REG_RSP, 0x8000000000000000ull},
	    {LX4_REG_RSP, 0xffff800000000000ull},
	    {LX4_REG_FSBASE, 0x800000000000ull},
	    {LX4_REG_FSBASE, 0xffff800000000000ull},
	    {LX4_REG_GSBASE, 0x8000000000000000ull},
	    {LX4_REG_GSBASE, ~0ull},
	};
	for (unsigned k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		/* checked before anything changes: not stopped, rax not written */
		u->mr[LX4_REG_RAX] = 0xdead;
		u->mr[bad[k].reg] = bad[k].v;
		struct lx4_sysret r =
		    lx4_exregs(t, LX4_EXREGS_WRITE | LX4_EXREGS_STOP, 1ull << LX4_REG_RAX | 1ull << bad[k].reg);
		if (r.err != -LX4_EINVAL)
			ktest_fail(__FILE__, __LINE__, "register %u = %lx: %ld", bad[k].reg, bad[k].v, r.err);
		KEXPECT_EQ(thread_state(t), LX4_TSTATE_READY);
	}
	KEXPECT_EQ(reg_of(t, LX4_REG_RAX), VPAT(LX4_REG_RAX));
	KEXPECT_EQ(reg_of(t, LX4_REG_RIP), (uint64_t)victim_spin_fault);
	/* the largest valid values */
	u->mr[LX4_REG_RSP] = 0x7fffffffffffull;
	u->mr[LX4_REG_RIP] = 0x7fffffffeff0ull;
	u->mr[LX4_REG_GSBASE] = 0x7fffffffffffull;
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_WRITE | LX4_EXREGS_STOP,
			      1ull << LX4_REG_RSP | 1ull << LX4_REG_RIP | 1ull << LX4_REG_GSBASE)
		       .err,
		   0);
	KEXPECT_EQ(reg_of(t, LX4_REG_RSP), 0x7fffffffffffull);
	KEXPECT_EQ(reg_of(t, LX4_REG_GSBASE), 0x7fffffffffffull);
}

KTEST(thread_exregs_caps)
{
	lx4_cap_t t = thread_spawn(victim_spin, 0, 90, false);
	lx4_cap_t ep = ep_new(), weak = cap_new(), copy = cap_new();
	KEXPECT_EQ(lx4_cap_copy(LX4_CAP_SELF_TASK, weak, t, LX4_R_ALL & ~LX4_R_CONTROL, 0), 0);
	KEXPECT_EQ(lx4_exregs(weak, LX4_EXREGS_READ, 0).err, -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_exregs(weak, 0, 0).err, -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_thread_config(weak, LX4_TCFG_PRIORITY, 10), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_exregs(ep, LX4_EXREGS_READ, 0).err, -LX4_ETYPE);
	KEXPECT_EQ(lx4_exregs(LX4_CAP_SELF_TASK, LX4_EXREGS_READ, 0).err, -LX4_ETYPE);
	KEXPECT_EQ(lx4_exregs(cap_new(), LX4_EXREGS_READ, 0).err, -LX4_ECAP);
	KEXPECT_EQ(lx4_exregs(0, LX4_EXREGS_READ, 0).err, -LX4_ECAP);
	KEXPECT_EQ(lx4_exregs(0xfffffff5u, LX4_EXREGS_READ, 0).err, -LX4_ECAP);
	/* a dead thread: EDEAD for every operation */
	KEXPECT_EQ(lx4_cap_copy(LX4_CAP_SELF_TASK, copy, t, LX4_R_ALL, 0), 0);
	KEXPECT_EQ(lx4_cap_destroy(t), 0);
	KEXPECT_EQ(lx4_exregs(copy, 0, 0).err, -LX4_EDEAD);
	KEXPECT_EQ(lx4_exregs(copy, LX4_EXREGS_READ, 0).err, -LX4_EDEAD);
	KEXPECT_EQ(lx4_exregs(copy, LX4_EXREGS_START, 0).err, -LX4_EDEAD);
	KEXPECT_EQ(reg_write(copy, LX4_REG_RAX, 1, 0), -LX4_EDEAD);
	KEXPECT_EQ(lx4_thread_config(copy, LX4_TCFG_PRIORITY, 10), -LX4_EDEAD);
	struct lx4_msg m = {.tag = 0};
	KEXPECT_EQ(lx4_reply_to(copy, &m), -LX4_EDEAD);
	/* a thread that ended itself (lx4_halt) is dead too */
	victim_reset();
	lx4_cap_t v = thread_spawn(victim_spin, 0, 90, true);
	KASSERT(wait_nz(&victim_rsp, 1000 * MS));
	KEXPECT_EQ(reg_write(v, LX4_REG_RIP, (uint64_t)victim_spin_after, 0), 0);
	KEXPECT_EQ(wait_nz(&victim_done, 1000 * MS), 1);
	KEXPECT_EQ(lx4_exregs(v, 0, 0).err, -LX4_EDEAD);
}

/* rflags bits a user may not have: IOPL, IF clear, VM, VIF, VIP, RF */
KTEST(thread_exregs_rflags_sanitised)
{
	lx4_cap_t ep = ep_new();
	victim_reset();
	lx4_cap_t t = thread_spawn(victim_cli, 0, 90, false);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_HANDLER, ep), 0);
	KEXPECT_EQ(reg_write(t, LX4_REG_RFLAGS, ~0ull, 0), 0);
	uint64_t f = reg_of(t, LX4_REG_RFLAGS);
	KEXPECT_EQ(f & IOPL, 0);
	KEXPECT_EQ(f & (0x10000 | 0x20000 | 0x80000 | 0x100000), 0); /* RF VM VIF VIP */
	KEXPECT_EQ(f >> 22, 0);
	KEXPECT_EQ(f & (IF | 2), IF | 2);
	KEXPECT_EQ(f & 0x8d5, 0x8d5); /* CF PF AF ZF SF OF: the user's own */
	KEXPECT_EQ(f & 0x28, 0);      /* reserved bits 3 and 5 */
	KEXPECT_EQ(reg_write(t, LX4_REG_RFLAGS, 0, 0), 0);
	KEXPECT_EQ(reg_of(t, LX4_REG_RFLAGS), IF | 2);
	/* IOPL 3 asked for: cli must still fault */
	KEXPECT_EQ(reg_write(t, LX4_REG_RFLAGS, IOPL | 2, LX4_EXREGS_START), 0);
	struct lx4_msg m;
	uint64_t w[LX4_MR_COUNT];
	KEXPECT_EQ(recv_words(ep, &m, w, 1000 * MS), 0);
	KEXPECT_EQ(w[LX4_EXC_MR_VECTOR], 13);
	KEXPECT_EQ(w[LX4_REG_RIP], (uint64_t)victim_cli_fault);
	KEXPECT_EQ(w[LX4_REG_RFLAGS] & (IOPL | IF), IF);
}

static volatile uint64_t ipc_result, ipc_returned;

static void do_recv(uint64_t ep)
{
	struct lx4_msg m;
	ipc_result = lx4_recv(ep, &m, LX4_TIMEOUT_NEVER);
	ipc_returned = 1;
}

static void do_send(uint64_t ep)
{
	struct lx4_msg m = msg(1, 1, 2, 0, 0);
	ipc_result = lx4_send(ep, &m, LX4_TIMEOUT_NEVER);
	ipc_returned = 1;
}

static void do_call(uint64_t ep)
{
	struct lx4_msg m = msg(1, 1, 2, 0, 0);
	ipc_result = lx4_call(ep, &m);
	ipc_returned = 1;
}

/* t blocked in fn's IPC on ep, in state s */
static lx4_cap_t blocked(void (*fn)(uint64_t), lx4_cap_t ep, uint64_t s)
{
	ipc_result = 0x77;
	ipc_returned = 0;
	lx4_cap_t t = thread_spawn(fn, ep, 90, true);
	KASSERT(wait_state(t, s, 1000 * MS));
	KEXPECT_EQ(ipc_returned, 0);
	return t;
}

KTEST(thread_exregs_abort_ipc)
{
	lx4_cap_t ep = ep_new();
	struct lx4_msg m;
	static const struct {
		void (*fn)(uint64_t);
		uint64_t state;
	} v[] = {{do_recv, LX4_TSTATE_RECV}, {do_send, LX4_TSTATE_SEND}, {do_call, LX4_TSTATE_SEND}};
	for (unsigned k = 0; k < 3; k++) {
		lx4_cap_t t = blocked(v[k].fn, ep, v[k].state);
		struct lx4_sysret r = lx4_exregs(t, LX4_EXREGS_ABORT, 0);
		KEXPECT_EQ(r.err, 0);
		KEXPECT_EQ(r.r1, LX4_TSTATE_READY);
		KEXPECT_EQ(wait_nz(&ipc_returned, 1000 * MS), 1);
		KEXPECT_EQ(ipc_result, -LX4_EABORT);
		/* it left the endpoint's queue */
		KEXPECT_EQ(lx4_recv(ep, &m, LX4_TIMEOUT_ZERO), -LX4_ETIMEOUT);
		m = msg(1, 0, 0, 0, 0);
		KEXPECT_EQ(lx4_send(ep, &m, LX4_TIMEOUT_ZERO), -LX4_ETIMEOUT);
	}
	/* waiting for the reply */
	lx4_cap_t t = thread_spawn(do_call, ep, 90, true);
	ipc_returned = 0;
	KEXPECT_EQ(lx4_recv(ep, &m, 1000 * MS), 0);
	KEXPECT_EQ(thread_state(t), LX4_TSTATE_REPLY);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_ABORT, 0).err, 0);
	KEXPECT_EQ(wait_nz(&ipc_returned, 1000 * MS), 1);
	KEXPECT_EQ(ipc_result, -LX4_EABORT);
	m = msg(0, 0, 0, 0, 0);
	KEXPECT_EQ(lx4_reply_to(t, &m), -LX4_EDEAD); /* it ended meanwhile */
	/* no reply target any more: REPLY_RECV just receives */
	KEXPECT_EQ(lx4_reply_recv(ep, &m, 5 * MS), -LX4_ETIMEOUT);
	/* ABORT of a thread not in IPC does nothing */
	t = spinner();
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_ABORT, 0).r1, LX4_TSTATE_READY);
	KEXPECT_EQ(reg_of(t, LX4_REG_RAX), VPAT(LX4_REG_RAX));
}

KTEST(thread_exregs_abort_reply_wait)
{
	lx4_cap_t ep = ep_new();
	struct lx4_msg m;
	lx4_cap_t t = blocked(do_call, ep, LX4_TSTATE_SEND);
	KEXPECT_EQ(lx4_recv(ep, &m, 1000 * MS), 0);
	KEXPECT_EQ(thread_state(t), LX4_TSTATE_REPLY);
	/* STOP takes it out of the wait too */
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_STOP, 0).r1, LX4_TSTATE_INACTIVE);
	m = msg(0, 1, 5, 0, 0);
	KEXPECT_EQ(lx4_reply_to(t, &m), -LX4_ESTATE);
	sleep_ns(2 * MS);
	KEXPECT_EQ(ipc_returned, 0);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_START, 0).err, 0);
	KEXPECT_EQ(wait_nz(&ipc_returned, 1000 * MS), 1);
	KEXPECT_EQ(ipc_result, -LX4_EABORT);
}

/* WRITE of a blocked thread aborts its IPC; a written rax wins */
KTEST(thread_exregs_write_aborts_ipc)
{
	lx4_cap_t ep = ep_new();
	lx4_cap_t t = blocked(do_recv, ep, LX4_TSTATE_RECV);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_WRITE, 0).err, 0);
	KEXPECT_EQ(wait_nz(&ipc_returned, 1000 * MS), 1);
	KEXPECT_EQ(ipc_result, -LX4_EABORT);
	t = blocked(do_send, ep, LX4_TSTATE_SEND);
	KEXPECT_EQ(reg_write(t, LX4_REG_RAX, 4242, 0), 0);
	KEXPECT_EQ(wait_nz(&ipc_returned, 1000 * MS), 1);
	KEXPECT_EQ(ipc_result, 4242);
}

/* READ of a blocked thread leaves it blocked */
KTEST(thread_exregs_read_blocked)
{
	lx4_cap_t ep = ep_new();
	lx4_cap_t t = blocked(do_recv, ep, LX4_TSTATE_RECV);
	struct lx4_sysret r = lx4_exregs(t, LX4_EXREGS_READ, 0);
	KEXPECT_EQ(r.r1, LX4_TSTATE_RECV);
	KEXPECT_EQ(lx4_utcb()->mr[LX4_REG_RAX], LX4_SYS_RECV);
	KEXPECT_EQ(lx4_utcb()->mr[LX4_REG_RDI], ep);
	/* after a syscall, rcx holds the return rip and r11 the rflags:
	 * that is what READ reports (and what the thread will see) */
	KEXPECT_EQ(lx4_utcb()->mr[LX4_REG_RCX], lx4_utcb()->mr[LX4_REG_RIP]);
	KEXPECT_EQ(lx4_utcb()->mr[LX4_REG_R11], lx4_utcb()->mr[LX4_REG_RFLAGS]);
	/* START of a blocked thread does nothing either */
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_START, 0).r1, LX4_TSTATE_RECV);
	struct lx4_msg m = msg(3, 1, 99, 0, 0);
	KEXPECT_EQ(lx4_send(ep, &m, LX4_TIMEOUT_ZERO), 0);
	KEXPECT_EQ(wait_nz(&ipc_returned, 1000 * MS), 1);
	KEXPECT_EQ(ipc_result, 0);
}

static volatile uint64_t at2_first, at2_second, at2_dt;

static void abort_then_wait(uint64_t ep)
{
	struct lx4_msg m;
	at2_first = lx4_recv(ep, &m, 30 * MS);
	uint64_t t0 = now_ns();
	at2_second = lx4_recv(ep, &m, 80 * MS);
	at2_dt = now_ns() - t0;
	ipc_returned = 1;
}

/* an aborted IPC's timeout is gone: it does not fire into the next one */
KTEST(thread_exregs_abort_cancels_timeout)
{
	lx4_cap_t ep = ep_new();
	lx4_cap_t t = blocked(abort_then_wait, ep, LX4_TSTATE_RECV);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_ABORT, 0).err, 0);
	KEXPECT_EQ(wait_nz(&ipc_returned, 1000 * MS), 1);
	KEXPECT_EQ(at2_first, -LX4_EABORT);
	KEXPECT_EQ(at2_second, -LX4_ETIMEOUT);
	KASSERT(at2_dt >= 80 * MS);
}

/* START of a ready thread must not queue it twice */
static volatile uint64_t runs;
static void count_and_block(uint64_t ep)
{
	runs++;
	struct lx4_msg m;
	lx4_recv(ep, &m, LX4_TIMEOUT_NEVER);
}

KTEST(thread_exregs_start_twice)
{
	lx4_cap_t ep = ep_new();
	runs = 0;
	lx4_cap_t t = thread_spawn(count_and_block, ep, 90, true);
	for (unsigned i = 0; i < 5; i++)
		KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_START, 0).r1, LX4_TSTATE_READY);
	lx4_cap_t t2 = thread_spawn(count_and_block, ep, 90, true);
	KASSERT(wait_state(t, LX4_TSTATE_RECV, 1000 * MS));
	KASSERT(wait_state(t2, LX4_TSTATE_RECV, 1000 * MS));
	KEXPECT_EQ(runs, 2);
	/* stop and start a ready thread: runs once */
	lx4_cap_t t3 = thread_spawn(count_and_block, ep, 90, true);
	KEXPECT_EQ(lx4_exregs(t3, LX4_EXREGS_STOP, 0).r1, LX4_TSTATE_INACTIVE);
	sleep_ns(2 * MS);
	KEXPECT_EQ(runs, 2);
	KEXPECT_EQ(lx4_exregs(t3, LX4_EXREGS_START, 0).r1, LX4_TSTATE_READY);
	KEXPECT_EQ(lx4_exregs(t3, LX4_EXREGS_START, 0).r1, LX4_TSTATE_READY);
	KASSERT(wait_state(t3, LX4_TSTATE_RECV, 1000 * MS));
	KEXPECT_EQ(runs, 3);
	sleep_ns(2 * MS);
	KEXPECT_EQ(runs, 3);
}

static volatile uint64_t self_err, self_state, self_after;

static void stop_self(uint64_t arg)
{
	(void)arg;
	struct lx4_sysret r = lx4_exregs(LX4_CAP_SELF_THREAD, LX4_EXREGS_STOP, 0);
	self_err = r.err;
	self_state = r.r1;
	self_after = 1;
}

KTEST(thread_exregs_self)
{
	struct lx4_utcb *u = lx4_utcb();
	uint64_t here = (uint64_t)&u;
	struct lx4_sysret r = lx4_exregs(LX4_CAP_SELF_THREAD, LX4_EXREGS_READ, 0);
	KEXPECT_EQ(r.err, 0);
	KEXPECT_EQ(r.r1, LX4_TSTATE_RUNNING);
	KASSERT(u->mr[LX4_REG_RSP] < here + 4096 && u->mr[LX4_REG_RSP] + 4096 > here);
	KASSERT(u->mr[LX4_REG_RIP] >= (uint64_t)__image_start && u->mr[LX4_REG_RIP] < (uint64_t)_etext);
	KEXPECT_EQ(u->mr[LX4_REG_RAX], LX4_SYS_THREAD_EXREGS);
	KEXPECT_EQ(u->mr[LX4_REG_FSBASE], (uint64_t)u);
	/* a thread that stops itself stays stopped until started */
	self_after = 0;
	lx4_cap_t t = thread_spawn(stop_self, 0, 90, true);
	KASSERT(wait_state(t, LX4_TSTATE_INACTIVE, 1000 * MS));
	sleep_ns(3 * MS);
	KEXPECT_EQ(self_after, 0);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_START, 0).err, 0);
	KEXPECT_EQ(wait_nz(&self_after, 1000 * MS), 1);
	KEXPECT_EQ(self_err, 0);
}

KTEST(thread_config_errors)
{
	lx4_cap_t t = thread_spawn(victim_spin, 0, 90, false), ep = ep_new();
	KEXPECT_EQ(lx4_thread_config(t, 0, 0), -LX4_EINVAL);
	KEXPECT_EQ(lx4_thread_config(t, 9, 0), -LX4_EINVAL);
	KEXPECT_EQ(lx4_syscall(LX4_SYS_THREAD_CONFIG, t, 1ull << 32 | LX4_TCFG_PRIORITY, 0, 0, 0, 0).err, -LX4_EINVAL);
	/* UTCB: once, page aligned, user space, not over memory */
	lx4_cap_t t2 = cap_new();
	KEXPECT_EQ(lx4_thread_create(t2, LX4_CAP_SELF_TASK), 0);
	KEXPECT_EQ(lx4_thread_config(t2, LX4_TCFG_UTCB, utcb_new() + 8), -LX4_EINVAL);
	KEXPECT_EQ(lx4_thread_config(t2, LX4_TCFG_UTCB, 0x7ffffffff000ull), -LX4_EINVAL);
	KEXPECT_EQ(lx4_thread_config(t2, LX4_TCFG_UTCB, 0xffff800000000000ull), -LX4_EINVAL);
	KEXPECT_EQ(lx4_thread_config(t2, LX4_TCFG_UTCB, (uint64_t)__image_start), -LX4_EBUSY);
	KEXPECT_EQ(lx4_thread_config(t2, LX4_TCFG_UTCB, TP_UTCB), -LX4_EBUSY); /* our own */
	uint64_t ua = utcb_new();
	KEXPECT_EQ(lx4_thread_config(t2, LX4_TCFG_UTCB, ua), 0);
	KEXPECT_EQ(lx4_thread_config(t2, LX4_TCFG_UTCB, utcb_new()), -LX4_EBUSY);
	/* the UTCB is there, with tls[0] = its own address */
	KEXPECT_EQ(((struct lx4_utcb *)ua)->tls[0], ua);
	/* priority: at most our own (100) */
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_PRIORITY, 101), -LX4_ERANGE);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_PRIORITY, 255), -LX4_ERANGE);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_PRIORITY, 256), -LX4_ERANGE);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_PRIORITY, ~0ull), -LX4_ERANGE);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_PRIORITY, 100), 0);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_PRIORITY, 0), 0);
	KEXPECT_EQ(lx4_thread_config(LX4_CAP_SELF_THREAD, LX4_TCFG_PRIORITY, 101), -LX4_ERANGE);
	KEXPECT_EQ(lx4_thread_config(LX4_CAP_SELF_THREAD, LX4_TCFG_PRIORITY, 100), 0);
	/* foreign: 0 or 1 */
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_FOREIGN, 2), -LX4_EINVAL);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_FOREIGN, ~0ull), -LX4_EINVAL);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_FOREIGN, 1), 0);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_FOREIGN, 0), 0);
	/* timeslice: 1..1000 ticks */
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_TIMESLICE, 0), -LX4_ERANGE);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_TIMESLICE, 1001), -LX4_ERANGE);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_TIMESLICE, 1ull << 32 | 5), -LX4_ERANGE);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_TIMESLICE, 1), 0);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_TIMESLICE, 1000), 0);
	/* pager/handler: an endpoint with SEND, or 0 */
	lx4_cap_t r = cap_new();
	KEXPECT_EQ(lx4_cap_copy(LX4_CAP_SELF_TASK, r, ep, LX4_R_RECV, 0), 0);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_PAGER, r), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_PAGER, t), -LX4_ETYPE);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_PAGER, cap_new()), -LX4_ECAP);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_PAGER, ep), 0);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_PAGER, 0), 0);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_HANDLER, LX4_CAP_SELF_TASK), -LX4_ETYPE);
	/* fs/gs base: canonical user addresses */
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_FSBASE, 0x800000000000ull), -LX4_EINVAL);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_GSBASE, 0xffff800000000000ull), -LX4_EINVAL);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_GSBASE, 0x1234), 0);
	KEXPECT_EQ(reg_of(t, LX4_REG_GSBASE), 0x1234);
}

static volatile uint64_t created_ran;
static void mark_ran(uint64_t v)
{
	created_ran = v;
}

KTEST(thread_create_and_destroy)
{
	uint64_t n0 = lx4_task_info(LX4_CAP_SELF_TASK).r3;
	lx4_cap_t t = cap_new();
	KEXPECT_EQ(lx4_thread_create(t, LX4_CAP_SELF_TASK), 0);
	KEXPECT_EQ(lx4_task_info(LX4_CAP_SELF_TASK).r3, n0 + 1);
	KEXPECT_EQ(thread_state(t), LX4_TSTATE_INACTIVE);
	KEXPECT_EQ(lx4_cap_info(LX4_CAP_SELF_TASK, t).r1, LX4_OBJ_THREAD);
	KEXPECT_EQ(lx4_cap_info(LX4_CAP_SELF_TASK, t).r2, LX4_R_ALL);
	KEXPECT_EQ(lx4_thread_create(t, LX4_CAP_SELF_TASK), -LX4_EBUSY);
	KEXPECT_EQ(lx4_thread_create(cap_new(), t), -LX4_ETYPE);
	/* a task cap without CONTROL */
	lx4_cap_t tk = cap_new(), tkw = cap_new(), tka = cap_new();
	KEXPECT_EQ(lx4_task_create(tk, 8, 16), 0);
	KEXPECT_EQ(lx4_cap_copy(LX4_CAP_SELF_TASK, tkw, tk, LX4_R_ALL & ~LX4_R_CONTROL, 0), 0);
	KEXPECT_EQ(lx4_cap_copy(LX4_CAP_SELF_TASK, tka, tk, LX4_R_ALL, 0), 0);
	KEXPECT_EQ(lx4_thread_create(cap_new(), tkw), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_cap_destroy(tk), 0);
	KEXPECT_EQ(lx4_thread_create(cap_new(), tka), -LX4_EDEAD);
	/* a thread with no registers set: fresh state, rflags IF */
	KEXPECT_EQ(reg_of(t, LX4_REG_RFLAGS), IF | 2);
	KEXPECT_EQ(reg_of(t, LX4_REG_RIP), 0);
	KEXPECT_EQ(lx4_cap_destroy(t), 0);
	KEXPECT_EQ(lx4_cap_info(LX4_CAP_SELF_TASK, t).err, -LX4_ECAP); /* the slot was emptied */
	/* many threads, their UTCB addresses reused once they are gone */
	uint64_t ua = utcb_new();
	for (unsigned i = 0; i < 100; i++) {
		lx4_cap_t x = cap_new();
		KEXPECT_EQ(lx4_thread_create(x, LX4_CAP_SELF_TASK), 0);
		KEXPECT_EQ(lx4_thread_config(x, LX4_TCFG_UTCB, ua), 0);
		KEXPECT_EQ(lx4_thread_config(x, LX4_TCFG_FSBASE, ua), 0);
		if (i % 10 == 0) {
			struct lx4_utcb *u = lx4_utcb();
			created_ran = 0;
			u->mr[LX4_REG_RIP] = (uint64_t)mark_ran;
			u->mr[LX4_REG_RDI] = i + 1;
			u->mr[LX4_REG_RSP] = (uint64_t)page_new() + 4088;
			KEXPECT_EQ(lx4_exregs(x, LX4_EXREGS_WRITE | LX4_EXREGS_START,
					      1ull << LX4_REG_RIP | 1ull << LX4_REG_RDI | 1ull << LX4_REG_RSP)
				       .err,
				   0);
			/* it returns into nowhere (rip 0): it faults and halts */
			KEXPECT_EQ(wait_nz(&created_ran, 1000 * MS), i + 1);
		}
		KEXPECT_EQ(lx4_cap_destroy(x), 0);
	}
	KEXPECT_EQ(lx4_task_info(LX4_CAP_SELF_TASK).r3, n0);
}

static volatile uint64_t rr_count[2];
static void rr_worker(uint64_t i)
{
	for (;;) {
		rr_count[i]++;
		lx4_yield();
	}
}

/* destroying a ready thread takes it off the ready queue */
KTEST(thread_destroy_ready_and_blocked)
{
	lx4_cap_t ep = ep_new();
	rr_count[0] = rr_count[1] = 0;
	lx4_cap_t a = thread_spawn(rr_worker, 0, 90, true);
	lx4_cap_t b = thread_spawn(rr_worker, 1, 90, true);
	KEXPECT_EQ(thread_state(a), LX4_TSTATE_READY);
	KEXPECT_EQ(lx4_cap_destroy(a), 0);
	sleep_ns(5 * MS);
	KEXPECT_EQ(rr_count[0], 0);
	KASSERT(rr_count[1] > 0);
	KEXPECT_EQ(lx4_cap_destroy(b), 0);
	uint64_t c1 = rr_count[1];
	sleep_ns(3 * MS);
	KEXPECT_EQ(rr_count[1], c1);
	/* blocked in SEND and RECV: the endpoint forgets them */
	struct lx4_msg m;
	lx4_cap_t s = blocked(do_send, ep, LX4_TSTATE_SEND);
	KEXPECT_EQ(lx4_cap_destroy(s), 0);
	KEXPECT_EQ(lx4_recv(ep, &m, LX4_TIMEOUT_ZERO), -LX4_ETIMEOUT);
	lx4_cap_t r = blocked(do_recv, ep, LX4_TSTATE_RECV);
	KEXPECT_EQ(lx4_cap_delete(LX4_CAP_SELF_TASK, r), 0); /* the last cap: reaped */
	m = msg(1, 0, 0, 0, 0);
	KEXPECT_EQ(lx4_send(ep, &m, LX4_TIMEOUT_ZERO), -LX4_ETIMEOUT);
	KEXPECT_EQ(ipc_returned, 0);
	/* and the endpoint still works */
	lx4_cap_t r2 = blocked(do_recv, ep, LX4_TSTATE_RECV);
	KEXPECT_EQ(lx4_send(ep, &m, LX4_TIMEOUT_ZERO), 0);
	KEXPECT_EQ(wait_nz(&ipc_returned, 1000 * MS), 1);
	KEXPECT_EQ(ipc_result, 0);
	(void)r2;
}

static void destroy_own_cap(uint64_t slot)
{
	created_ran = 1;
	lx4_cap_destroy(slot);
	created_ran = 2; /* never */
}

static void delete_own_cap(uint64_t slot)
{
	created_ran = 1;
	lx4_cap_delete(LX4_CAP_SELF_TASK, slot);
	created_ran = 2; /* never: deleting the last cap destroys the thread */
}

/* a thread that destroys or drops the only capability to itself */
KTEST(thread_destroys_itself)
{
	for (unsigned k = 0; k < 2; k++) {
		lx4_cap_t t = cap_new();
		KEXPECT_EQ(lx4_thread_create(t, LX4_CAP_SELF_TASK), 0);
		uint64_t ua = utcb_new();
		KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_UTCB, ua), 0);
		KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_FSBASE, ua), 0);
		KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_PRIORITY, 90), 0);
		struct lx4_utcb *u = lx4_utcb();
		u->mr[LX4_REG_RIP] = (uint64_t)(k ? delete_own_cap : destroy_own_cap);
		u->mr[LX4_REG_RDI] = t;
		u->mr[LX4_REG_RSP] = (uint64_t)page_new() + 4088;
		created_ran = 0;
		KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_WRITE | LX4_EXREGS_START,
				      1ull << LX4_REG_RIP | 1ull << LX4_REG_RDI | 1ull << LX4_REG_RSP)
			       .err,
			   0);
		KEXPECT_EQ(wait_nz(&created_ran, 1000 * MS), 1);
		sleep_ns(3 * MS);
		KEXPECT_EQ(created_ran, 1);
		KEXPECT_EQ(lx4_cap_info(LX4_CAP_SELF_TASK, t).err, -LX4_ECAP);
		/* the UTCB went with it: the address can be used again */
		lx4_cap_t t2 = cap_new();
		KEXPECT_EQ(lx4_thread_create(t2, LX4_CAP_SELF_TASK), 0);
		KEXPECT_EQ(lx4_thread_config(t2, LX4_TCFG_UTCB, ua), 0);
	}
}

/* a child task whose last capabilities are dropped is reaped with pages
 * still charged to it (page tables, capability leaves) */
KTEST(thread_task_reaped_by_last_cap)
{
	for (unsigned i = 0; i < 3; i++) {
		struct child c;
		task_spawn(&c, mark_ran, 0, 0, 0, false);
		if (i != 1) /* a cycle, broken by destroying the task */
			KEXPECT_EQ(lx4_cap_copy(c.task, 5, c.thread, LX4_R_SEND, 0), 0);
		if (i == 1) {
			KEXPECT_EQ(lx4_cap_delete(LX4_CAP_SELF_TASK, c.task), 0);
			KEXPECT_EQ(lx4_cap_delete(LX4_CAP_SELF_TASK, c.thread), 0);
		} else {
			KEXPECT_EQ(lx4_cap_delete(LX4_CAP_SELF_TASK, c.thread), 0);
			KEXPECT_EQ(lx4_cap_destroy(c.task), 0);
		}
		/* the kernel pool is intact: allocate and free some more */
		for (unsigned k = 0; k < 20; k++)
			ep_new();
	}
}

/* ---- FS and GS base -------------------------------------------------- */

struct tls_area {
	uint64_t magic;
	uint64_t pad[66];
	uint64_t utcb; /* at 536: where the runtime finds the UTCB */
};
_Static_assert(__builtin_offsetof(struct tls_area, utcb) == LX4_UTCB_SELF_OFF, "tls layout");

static inline uint64_t fs0(void)
{
	uint64_t v;
	__asm__ volatile("mov %%fs:0, %0" : "=r"(v));
	return v;
}
static inline uint64_t gs0(void)
{
	uint64_t v;
	__asm__ volatile("mov %%gs:0, %0" : "=r"(v));
	return v;
}

KTEST(thread_fsgs_config_self)
{
	static struct tls_area fsa;
	static volatile uint64_t gsa[2] = {0x65650001, 0x65650002};
	uint64_t u = (uint64_t)lx4_utcb();
	KEXPECT_EQ(lx4_thread_config(LX4_CAP_SELF_THREAD, LX4_TCFG_GSBASE, (uint64_t)&gsa[0]), 0);
	KEXPECT_EQ(gs0(), 0x65650001);
	KEXPECT_EQ(lx4_thread_config(LX4_CAP_SELF_THREAD, LX4_TCFG_GSBASE, (uint64_t)&gsa[1]), 0);
	KEXPECT_EQ(gs0(), 0x65650002);
	KEXPECT_EQ(reg_of(LX4_CAP_SELF_THREAD, LX4_REG_GSBASE), (uint64_t)&gsa[1]);
	fsa.magic = 0xf5f5;
	fsa.utcb = u;
	KEXPECT_EQ(lx4_thread_config(LX4_CAP_SELF_THREAD, LX4_TCFG_FSBASE, (uint64_t)&fsa), 0);
	KEXPECT_EQ(fs0(), 0xf5f5);
	KEXPECT_EQ((uint64_t)lx4_utcb(), u);
	/* a failed config changes nothing */
	KEXPECT_EQ(lx4_thread_config(LX4_CAP_SELF_THREAD, LX4_TCFG_FSBASE, 0x800000000000ull), -LX4_EINVAL);
	KEXPECT_EQ(lx4_thread_config(LX4_CAP_SELF_THREAD, LX4_TCFG_GSBASE, ~0ull), -LX4_EINVAL);
	KEXPECT_EQ(fs0(), 0xf5f5);
	KEXPECT_EQ(gs0(), 0x65650002);
	/* the values survive blocking and other threads running */
	sleep_ns(3 * MS);
	KEXPECT_EQ(fs0(), 0xf5f5);
	KEXPECT_EQ(gs0(), 0x65650002);
	KEXPECT_EQ(lx4_thread_config(LX4_CAP_SELF_THREAD, LX4_TCFG_FSBASE, u), 0);
	KEXPECT_EQ(lx4_thread_config(LX4_CAP_SELF_THREAD, LX4_TCFG_GSBASE, 0), 0);
}

static struct tls_area fs_areas[3];
static volatile uint64_t gs_areas[3], fsgs_bad[3], fsgs_loops[3];

/* checks its fs/gs bases while yielding and being preempted */
static void fsgs_worker(uint64_t i)
{
	uint64_t end = now_ns() + 40 * MS;
	while (now_ns() < end) {
		if (fs0() != fs_areas[i].magic || gs0() != gs_areas[i])
			fsgs_bad[i]++;
		if (fsgs_loops[i]++ % 64 == 0)
			lx4_yield();
	}
	fsgs_loops[i] |= 1ull << 63;
	for (;;)
		sleep_ns(1000 * MS);
}

KTEST(thread_fsgs_per_thread)
{
	lx4_cap_t t[3];
	for (unsigned i = 0; i < 3; i++) {
		fsgs_bad[i] = fsgs_loops[i] = 0;
		gs_areas[i] = 0x6500 + i;
		fs_areas[i].magic = 0xf500 + i;
		t[i] = thread_spawn(fsgs_worker, i, 90, false);
		fs_areas[i].utcb = reg_of(t[i], LX4_REG_FSBASE);
		KEXPECT_EQ(lx4_thread_config(t[i], LX4_TCFG_TIMESLICE, 1), 0);
		KEXPECT_EQ(lx4_thread_config(t[i], LX4_TCFG_FSBASE, (uint64_t)&fs_areas[i]), 0);
		KEXPECT_EQ(lx4_thread_config(t[i], LX4_TCFG_GSBASE, (uint64_t)&gs_areas[i]), 0);
	}
	for (unsigned i = 0; i < 3; i++)
		KEXPECT_EQ(lx4_exregs(t[i], LX4_EXREGS_START, 0).err, 0);
	for (unsigned i = 0; i < 3; i++) {
		while (!(fsgs_loops[i] >> 63))
			sleep_ns(5 * MS);
		KEXPECT_EQ(fsgs_bad[i], 0);
		KASSERT(fsgs_loops[i] > 100);
		KEXPECT_EQ(reg_of(t[i], LX4_REG_GSBASE), (uint64_t)&gs_areas[i]);
		KEXPECT_EQ(reg_of(t[i], LX4_REG_FSBASE), (uint64_t)&fs_areas[i]);
	}
	KEXPECT_EQ(reg_of(LX4_CAP_SELF_THREAD, LX4_REG_GSBASE), 0);
}

static volatile uint64_t seen_fs, seen_gs;
static void read_fsgs(uint64_t arg)
{
	(void)arg;
	seen_gs = gs0();
	seen_fs = fs0();
}

/* exregs writes the bases of a stopped thread */
KTEST(thread_fsgs_exregs)
{
	static struct tls_area fsa;
	static volatile uint64_t gsa = 0x6565;
	seen_fs = seen_gs = 0;
	lx4_cap_t t = thread_spawn(read_fsgs, 0, 90, false);
	fsa.magic = 0xf5f5;
	fsa.utcb = reg_of(t, LX4_REG_FSBASE);
	struct lx4_utcb *u = lx4_utcb();
	u->mr[LX4_REG_FSBASE] = (uint64_t)&fsa;
	u->mr[LX4_REG_GSBASE] = (uint64_t)&gsa;
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_WRITE, 1ull << LX4_REG_FSBASE | 1ull << LX4_REG_GSBASE).err, 0);
	KEXPECT_EQ(reg_of(t, LX4_REG_FSBASE), (uint64_t)&fsa);
	KEXPECT_EQ(reg_of(t, LX4_REG_GSBASE), (uint64_t)&gsa);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_START, 0).err, 0);
	KEXPECT_EQ(wait_nz(&seen_fs, 1000 * MS), 0xf5f5);
	KEXPECT_EQ(seen_gs, 0x6565);
	/* our own bases did not move */
	KEXPECT_EQ(reg_of(LX4_CAP_SELF_THREAD, LX4_REG_GSBASE), 0);
	KEXPECT_EQ(reg_of(LX4_CAP_SELF_THREAD, LX4_REG_FSBASE), (uint64_t)u);
}

/* exregs works on a thread of another task */
KTEST(thread_exregs_other_task)
{
	struct child c;
	victim_reset();
	task_spawn(&c, victim_spin, 0, 0, 0, false);
	KEXPECT_EQ(lx4_thread_config(c.thread, LX4_TCFG_PRIORITY, 90), 0);
	KEXPECT_EQ(lx4_exregs(c.thread, LX4_EXREGS_START, 0).err, 0);
	KASSERT(wait_nz(&victim_rsp, 1000 * MS)); /* the image's data is shared */
	sleep_ns(2 * MS);
	struct lx4_sysret r = lx4_exregs(c.thread, LX4_EXREGS_STOP | LX4_EXREGS_READ, 0);
	KEXPECT_EQ(r.r1, LX4_TSTATE_INACTIVE);
	struct lx4_utcb *u = lx4_utcb();
	KEXPECT_EQ(u->mr[LX4_REG_RIP], (uint64_t)victim_spin_fault);
	KEXPECT_EQ(u->mr[LX4_REG_R13], VPAT(LX4_REG_R13));
	KEXPECT_EQ(u->mr[LX4_REG_RSP], victim_rsp);
	KEXPECT_EQ(reg_write(c.thread, LX4_REG_RIP, (uint64_t)victim_spin_after, LX4_EXREGS_START), 0);
	KEXPECT_EQ(wait_nz(&victim_done, 1000 * MS), 1);
	KEXPECT_EQ(victim_out[LX4_REG_R13], VPAT(LX4_REG_R13));
	KEXPECT_EQ(lx4_exregs(c.thread, 0, 0).err, -LX4_EDEAD);
	KEXPECT_EQ(lx4_cap_destroy(c.task), 0);
}

static volatile uint64_t sel_magic = 0x5e1ec7, sel_bad, sel_loops, sel_victim_utcb;
static volatile uint64_t sel_attacks;

/* checks its bases between yields */
static void base_victim(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		if (gs0() != sel_magic || (uint64_t)lx4_utcb() != sel_victim_utcb)
			sel_bad++;
		sel_loops++;
		lx4_yield();
	}
}

/* takes the victim's base values as its own, then zeroes its real bases
 * behind the kernel's back (null selector loads) before every yield */
static void base_attacker(uint64_t n)
{
	lx4_thread_config(LX4_CAP_SELF_THREAD, LX4_TCFG_GSBASE, (uint64_t)&sel_magic);
	lx4_thread_config(LX4_CAP_SELF_THREAD, LX4_TCFG_FSBASE, sel_victim_utcb);
	for (uint64_t i = 0; i < n; i++) {
		__asm__ volatile("mov %0, %%fs; mov %0, %%gs" : : "r"(0) : "memory");
		sel_attacks++;
		lx4_yield();
	}
	for (;;)
		lx4_yield();
}

/* a thread that changes its own FS/GS base with a segment load must not
 * change another thread's (here: of another task) */
KTEST(thread_fsgs_selector_load_isolated)
{
	sel_bad = sel_loops = sel_attacks = 0;
	lx4_cap_t v = thread_spawn(base_victim, 200, 90, false);
	sel_victim_utcb = reg_of(v, LX4_REG_FSBASE);
	KEXPECT_EQ(lx4_thread_config(v, LX4_TCFG_GSBASE, (uint64_t)&sel_magic), 0);
	struct child c;
	task_spawn(&c, base_attacker, 200, 0, 0, false);
	KEXPECT_EQ(lx4_thread_config(c.thread, LX4_TCFG_PRIORITY, 90), 0);
	KEXPECT_EQ(lx4_exregs(c.thread, LX4_EXREGS_START, 0).err, 0);
	KEXPECT_EQ(lx4_exregs(v, LX4_EXREGS_START, 0).err, 0);
	uint64_t t0 = now_ns();
	/* (the victim ends itself after its loops: then exregs says EDEAD) */
	while (sel_loops < 200 && now_ns() - t0 < 1000 * MS && lx4_exregs(v, 0, 0).r1 != LX4_TSTATE_HALTED)
		sleep_ns(2 * MS);
	KEXPECT_EQ(lx4_exregs(v, 0, 0).err, -LX4_EDEAD); /* not halted by a fault: done */
	KASSERT(sel_attacks > 0);
	KEXPECT_EQ(sel_loops, 200);
	KEXPECT_EQ(sel_bad, 0);
	child_destroy(&c);
}

/* system call numbers the kernel does not have: ENOSYS, nothing else */
KTEST(thread_syscall_invalid_numbers)
{
	static const uint64_t nr[] = {0, LX4_SYS_COUNT, LX4_SYS_COUNT + 1, 0x100, 1ull << 32 | LX4_SYS_YIELD,
				      1ull << 63, ~0ull};
	for (unsigned i = 0; i < sizeof nr / sizeof nr[0]; i++) {
		struct lx4_sysret r = lx4_syscall((long)nr[i], 1, 2, 3, 4, 5, 6);
		if (r.err != -LX4_ENOSYS || r.r1 != 1 || r.r2 != 2 || r.r3 != 3)
			ktest_fail(__FILE__, __LINE__, "syscall %lx: %ld %lx %lx %lx", nr[i], r.err, r.r1, r.r2, r.r3);
	}
}
