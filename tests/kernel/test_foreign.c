/* Foreign-ABI threads: every syscall becomes a LX4_LABEL_SYSCALL message
 * to the handler (rax rdi rsi rdx r10 r8 r9 rip rsp rflags); the reply's
 * words become registers in frame order. */
#include "kthread.h"

#define IF 0x200ull

static lx4_cap_t foreign_start(void (*fn)(uint64_t), uint64_t arg, lx4_cap_t handler)
{
	lx4_cap_t t = thread_spawn(fn, arg, 90, false);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_FOREIGN, 1), 0);
	if (handler)
		KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_HANDLER, handler), 0);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_START, 0).err, 0);
	return t;
}

/* receives a syscall message: checks its shape, words into w */
static void recv_sys(lx4_cap_t ep, struct lx4_msg *m, uint64_t *w)
{
	KEXPECT_EQ(recv_words(ep, m, w, 1000 * MS), 0);
	KEXPECT_EQ(lx4_tag_label(m->tag), LX4_LABEL_SYSCALL);
	KEXPECT_EQ(lx4_tag_untyped(m->tag), LX4_SYSCALL_MSG_WORDS);
	KEXPECT_EQ(lx4_tag_typed(m->tag), 0);
	KASSERT(m->tag & LX4_TAG_KERNEL);
}

/* the victim's last act (lx4_halt) is a syscall too: take it and end it */
static void end_victim(lx4_cap_t ep, lx4_cap_t t)
{
	struct lx4_msg m;
	uint64_t w[LX4_MR_COUNT];
	recv_sys(ep, &m, w);
	KEXPECT_EQ(w[LX4_REG_RAX], LX4_SYS_CAP_DESTROY);
	KEXPECT_EQ(w[LX4_REG_RDI], LX4_CAP_SELF_THREAD);
	KEXPECT_EQ(thread_state(t), LX4_TSTATE_REPLY);
	KEXPECT_EQ(lx4_cap_destroy(t), 0);
}

KTEST(foreign_syscall_message_and_reply)
{
	lx4_cap_t ep = ep_new();
	struct lx4_msg m;
	uint64_t w[LX4_MR_COUNT];
	victim_reset();
	lx4_cap_t t = foreign_start(victim_syscall, 0, ep);
	recv_sys(ep, &m, w);
	KEXPECT_EQ(m.badge, 0);
	for (unsigned i = 0; i < LX4_REG_RIP; i++)
		KEXPECT_EQ(w[i], VPAT(i));
	KEXPECT_EQ(w[LX4_REG_RIP], (uint64_t)victim_syscall_after);
	KEXPECT_EQ(w[LX4_REG_RSP], victim_rsp);
	KEXPECT_EQ(w[LX4_REG_RFLAGS] & (IF | 0x3000 | 2), IF | 2);
	KEXPECT_EQ(thread_state(t), LX4_TSTATE_REPLY);
	/* MR0 becomes rax, MR1.. rdi rsi rdx */
	uint64_t r[4] = {0x100, 0x101, 0x102, 0x103};
	m = words_msg(0, 4, r);
	KEXPECT_EQ(lx4_reply_to(t, &m), 0);
	end_victim(ep, t);
	KEXPECT_EQ(victim_done, 1);
	for (unsigned i = 0; i < 4; i++)
		KEXPECT_EQ(victim_out[i], r[i]);
	for (unsigned i = LX4_REG_R10; i < LX4_REG_RIP; i++)
		KEXPECT_EQ(victim_out[i], VPAT(i));
	for (unsigned i = LX4_REG_RBX; i < LX4_REG_FSBASE; i++) {
		if (i == LX4_REG_RCX) /* sysret: rcx = rip, r11 = rflags */
			KEXPECT_EQ(victim_out[i], (uint64_t)victim_syscall_after);
		else if (i == LX4_REG_R11)
			KEXPECT_EQ(victim_out[i] & ~0x10000ull, w[LX4_REG_RFLAGS] & ~0x10000ull);
		else
			KEXPECT_EQ(victim_out[i], VPAT(i));
	}
	KEXPECT_EQ(victim_out[LX4_REG_RSP], victim_rsp);
}

/* a reply of up to 20 words: rip, rsp, rflags, rcx and r11 too */
KTEST(foreign_reply_sets_all_registers)
{
	lx4_cap_t ep = ep_new();
	struct lx4_msg m;
	uint64_t w[LX4_MR_COUNT];
	victim_reset();
	lx4_cap_t t = foreign_start(victim_ud2, 0, ep); /* a syscall-free victim: the reply moves it */
	uint64_t e[LX4_MR_COUNT];
	KEXPECT_EQ(recv_words(ep, &m, e, 1000 * MS), 0);
	KEXPECT_EQ(lx4_tag_label(m.tag), LX4_LABEL_EXCEPTION); /* an exception stays an exception */
	KEXPECT_EQ(e[LX4_EXC_MR_VECTOR], 6);
	e[LX4_REG_RIP] = (uint64_t)victim_syscall; /* on to a syscall */
	m = words_msg(0, 8, e);
	KEXPECT_EQ(lx4_reply_to(t, &m), 0);
	recv_sys(ep, &m, w);
	KEXPECT_EQ(w[LX4_REG_RIP], (uint64_t)victim_syscall_after);
	for (unsigned i = 0; i < LX4_REG_COUNT; i++)
		w[i] = 0x500 + i;
	w[LX4_REG_RIP] = (uint64_t)victim_syscall_after;
	w[LX4_REG_RSP] = victim_rsp;
	w[LX4_REG_RFLAGS] = 0x3000 | 0x1; /* sanitised: no IOPL, IF on */
	w[LX4_REG_FSBASE] = reg_of(t, LX4_REG_FSBASE);
	w[LX4_REG_GSBASE] = 0x7000;
	m = words_msg(0, LX4_REG_COUNT, w);
	KEXPECT_EQ(lx4_reply_to(t, &m), 0);
	KEXPECT_EQ(reg_of(t, LX4_REG_GSBASE), 0x7000);
	end_victim(ep, t);
	for (unsigned i = 0; i < LX4_REG_FSBASE; i++) {
		if (i == LX4_REG_RIP || i == LX4_REG_RSP || i == LX4_REG_RFLAGS)
			continue;
		KEXPECT_EQ(victim_out[i], 0x500 + i); /* rcx and r11 as written */
	}
	KEXPECT_EQ(victim_out[LX4_REG_RFLAGS] & (IF | 0x3000 | 1), IF | 1);
}

static volatile uint64_t f_count, f_bad;

static void foreign_loop(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		struct lx4_sysret r = lx4_syscall(1000 + i, i, 2 * i, 3 * i, 4 * i, 5 * i, 6 * i);
		if (r.err != (long)(7 * i + 1000) || r.r1 != i + 1 || r.r2 != 2 * i + 2 || r.r3 != 3 * i + 3)
			f_bad++;
		f_count++;
	}
	lx4_syscall(0xdead, f_count, 0, 0, 0, 0, 0);
}

/* serves foreign_loop's syscalls on ep until 0xdead; returns how many */
static uint64_t serve_loop(lx4_cap_t ep, uint64_t badge)
{
	struct lx4_msg m;
	uint64_t w[LX4_MR_COUNT], n = 0;
	recv_sys(ep, &m, w);
	while (w[LX4_REG_RAX] != 0xdead) {
		uint64_t i = w[LX4_REG_RDI];
		if (w[LX4_REG_RAX] != 1000 + i || w[LX4_REG_RSI] != 2 * i || w[LX4_REG_RDX] != 3 * i ||
		    w[LX4_REG_R10] != 4 * i || w[LX4_REG_R8] != 5 * i || w[LX4_REG_R9] != 6 * i || m.badge != badge ||
		    i != n)
			ktest_fail(__FILE__, __LINE__, "syscall %lu: rax %lx rdi %lx r9 %lx badge %lx", n, w[0], w[1],
				   w[6], m.badge);
		uint64_t r[4] = {7 * i + 1000, i + 1, 2 * i + 2, 3 * i + 3};
		m = words_msg(0, 4, r);
		n++;
		KEXPECT_EQ(lx4_reply_recv(ep, &m, 1000 * MS), 0);
		msg_words(&m, w);
		KEXPECT_EQ(lx4_tag_label(m.tag), LX4_LABEL_SYSCALL);
	}
	KEXPECT_EQ(w[LX4_REG_RDI], n);
	return n;
}

KTEST(foreign_many_syscalls)
{
	lx4_cap_t ep = ep_new();
	f_count = f_bad = 0;
	lx4_cap_t t = foreign_start(foreign_loop, 3000, ep);
	KEXPECT_EQ(serve_loop(ep, 0), 3000);
	KEXPECT_EQ(f_count, 3000);
	KEXPECT_EQ(f_bad, 0);
	KEXPECT_EQ(thread_state(t), LX4_TSTATE_REPLY);
}

/* the Linux-server shape: the foreign thread in another task, the
 * handler's cap badged */
KTEST(foreign_thread_in_other_task)
{
	lx4_cap_t ep = ep_new(), b = cap_new();
	KEXPECT_EQ(lx4_cap_copy(LX4_CAP_SELF_TASK, b, ep, LX4_R_SEND, 0x11e), 0);
	struct child c;
	f_count = f_bad = 0;
	task_spawn(&c, foreign_loop, 500, 0, b, false);
	KEXPECT_EQ(lx4_thread_config(c.thread, LX4_TCFG_FOREIGN, 1), 0);
	KEXPECT_EQ(lx4_exregs(c.thread, LX4_EXREGS_START, 0).err, 0);
	KEXPECT_EQ(serve_loop(ep, 0x11e), 500);
	KEXPECT_EQ(f_count, 500);
	KEXPECT_EQ(f_bad, 0);
	child_destroy(&c);
}

static volatile uint64_t d_got, d_rax;
static lx4_cap_t d_ep2;

/* takes one syscall message and leaves it unanswered */
static void deferring_handler(uint64_t ep)
{
	struct lx4_msg m;
	if (lx4_recv(ep, &m, LX4_TIMEOUT_NEVER) == 0) {
		d_rax = m.mr[0];
		d_got = 1;
	}
	/* then waits elsewhere; when woken (by a send, after someone else
	 * replied), REPLY_RECV has no reply target left */
	lx4_recv(d_ep2, &m, LX4_TIMEOUT_NEVER);
	m.tag = lx4_tag(0, 1, 0);
	m.mr[0] = 0xbad;
	lx4_reply_recv(d_ep2, &m, LX4_TIMEOUT_NEVER);
}

static volatile uint64_t one_rax, one_done;
static void one_syscall(uint64_t nr)
{
	one_rax = lx4_syscall(nr, 1, 2, 3, 4, 5, 6).err;
	one_done = 1;
	for (;;) /* foreign: blocks, as nobody receives it */
		lx4_syscall(0xdead, 0, 0, 0, 0, 0, 0);
}

static void block_forever(uint64_t ep)
{
	struct lx4_msg m;
	for (;;)
		lx4_recv(ep, &m, LX4_TIMEOUT_NEVER);
}

KTEST(foreign_deferred_reply_from_other_thread)
{
	lx4_cap_t ep = ep_new();
	d_ep2 = ep_new();
	d_got = 0;
	one_done = 0;
	lx4_cap_t h = thread_spawn(deferring_handler, ep, 95, true);
	lx4_cap_t t = foreign_start(one_syscall, 0x4242, ep);
	KEXPECT_EQ(wait_nz(&d_got, 1000 * MS), 1);
	KEXPECT_EQ(d_rax, 0x4242);
	KEXPECT_EQ(thread_state(t), LX4_TSTATE_REPLY);
	/* the handler waits on its other endpoint now */
	KASSERT(wait_state(h, LX4_TSTATE_RECV, 1000 * MS));
	KEXPECT_EQ(thread_state(t), LX4_TSTATE_REPLY);
	/* we reply in its place, through the thread cap */
	struct lx4_msg m = msg(0, 1, 77, 0, 0);
	KEXPECT_EQ(lx4_reply_to(t, &m), 0);
	KEXPECT_EQ(wait_nz(&one_done, 1000 * MS), 1);
	KEXPECT_EQ(one_rax, 77);
	/* not waiting any more: ESTATE */
	KEXPECT_EQ(lx4_reply_to(t, &m), -LX4_ESTATE);
	/* the handler's REPLY_RECV replies to nobody: the foreign thread
	 * stays blocked in its next syscall (nobody receives on ep) */
	KASSERT(wait_state(t, LX4_TSTATE_SEND, 1000 * MS));
	m = msg(0, 0, 0, 0, 0);
	KEXPECT_EQ(lx4_send(d_ep2, &m, LX4_TIMEOUT_ZERO), 0);
	KASSERT(wait_state(h, LX4_TSTATE_RECV, 1000 * MS));
	KEXPECT_EQ(thread_state(t), LX4_TSTATE_SEND);
	KEXPECT_EQ(reg_of(t, LX4_REG_RAX), 0xdead);
	KEXPECT_EQ(one_rax, 77);
	KEXPECT_EQ(lx4_cap_destroy(t), 0);
}

KTEST(foreign_reply_to_not_waiting)
{
	lx4_cap_t ep = ep_new();
	struct lx4_msg m = msg(0, 1, 1, 0, 0);
	/* inactive, ready, blocked in RECV, ourselves */
	lx4_cap_t t = thread_spawn(block_forever, ep_new(), 90, false);
	KEXPECT_EQ(lx4_reply_to(t, &m), -LX4_ESTATE);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_START, 0).err, 0);
	KEXPECT_EQ(thread_state(t), LX4_TSTATE_READY);
	KEXPECT_EQ(lx4_reply_to(t, &m), -LX4_ESTATE);
	KEXPECT_EQ(lx4_reply_to(LX4_CAP_SELF_THREAD, &m), -LX4_ESTATE);
	KASSERT(wait_state(t, LX4_TSTATE_RECV, 1000 * MS));
	KEXPECT_EQ(lx4_reply_to(t, &m), -LX4_ESTATE);
	(void)ep;
	/* a foreign thread queued in SEND (its handler is not receiving) */
	lx4_cap_t ep3 = ep_new();
	lx4_cap_t s = foreign_start(one_syscall, 5, ep3);
	KASSERT(wait_state(s, LX4_TSTATE_SEND, 1000 * MS));
	KEXPECT_EQ(lx4_reply_to(s, &m), -LX4_ESTATE);
	/* a reply cap without SEND */
	lx4_cap_t weak = cap_new();
	KEXPECT_EQ(lx4_cap_copy(LX4_CAP_SELF_TASK, weak, s, LX4_R_CONTROL, 0), 0);
	KEXPECT_EQ(lx4_reply_to(weak, &m), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_reply_to(ep3, &m), -LX4_ETYPE);
	/* no handler: halted */
	lx4_cap_t n = foreign_start(one_syscall, 5, 0);
	KASSERT(wait_state(n, LX4_TSTATE_HALTED, 1000 * MS));
	KEXPECT_EQ(lx4_reply_to(n, &m), -LX4_ESTATE);
}

/* the syscall a halted or aborted foreign thread was making is made again
 * when it runs: it reaches the (new) handler, it is not lost */
KTEST(foreign_no_handler_halts_then_restarts)
{
	lx4_cap_t ep = ep_new();
	struct lx4_msg m;
	uint64_t w[LX4_MR_COUNT];
	victim_reset();
	lx4_cap_t t = foreign_start(victim_syscall, 0, 0);
	KASSERT(wait_state(t, LX4_TSTATE_HALTED, 1000 * MS));
	KEXPECT_EQ(reg_of(t, LX4_REG_RAX), VPAT(LX4_REG_RAX));
	KEXPECT_EQ(reg_of(t, LX4_REG_RIP), (uint64_t)victim_syscall_fault);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_HANDLER, ep), 0);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_START, 0).err, 0);
	recv_sys(ep, &m, w);
	for (unsigned i = 0; i < LX4_REG_RIP; i++)
		KEXPECT_EQ(w[i], VPAT(i));
	KEXPECT_EQ(w[LX4_REG_RIP], (uint64_t)victim_syscall_after);
	m = msg(0, 1, 5, 0, 0);
	KEXPECT_EQ(lx4_reply_to(t, &m), 0);
	end_victim(ep, t);
	KEXPECT_EQ(victim_out[LX4_REG_RAX], 5);
}

KTEST(foreign_abort_and_stop_restart_syscall)
{
	lx4_cap_t ep = ep_new();
	struct lx4_msg m;
	uint64_t w[LX4_MR_COUNT];
	victim_reset();
	lx4_cap_t t = foreign_start(victim_syscall, 0, ep);
	recv_sys(ep, &m, w);
	/* ABORT while it waits for the reply */
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_ABORT, 0).r1, LX4_TSTATE_READY);
	KEXPECT_EQ(lx4_reply_to(t, &m), -LX4_ESTATE);
	recv_sys(ep, &m, w);
	KEXPECT_EQ(w[LX4_REG_RAX], VPAT(LX4_REG_RAX));
	KEXPECT_EQ(w[LX4_REG_RIP], (uint64_t)victim_syscall_after);
	/* STOP, then START */
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_STOP, 0).r1, LX4_TSTATE_INACTIVE);
	KEXPECT_EQ(reg_of(t, LX4_REG_RIP), (uint64_t)victim_syscall_fault);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_START, 0).err, 0);
	recv_sys(ep, &m, w);
	KEXPECT_EQ(w[LX4_REG_RDI], VPAT(LX4_REG_RDI));
	/* queued in SEND (nobody receiving), then aborted */
	m = msg(0, 1, 6, 0, 0);
	KEXPECT_EQ(lx4_reply_to(t, &m), 0);
	end_victim(ep, t);
	KEXPECT_EQ(victim_done, 1);
	KEXPECT_EQ(victim_out[LX4_REG_RAX], 6);
	KEXPECT_EQ(victim_out[LX4_REG_RDI], VPAT(LX4_REG_RDI));
}

static volatile uint64_t dh_got;
static void die_after_one(uint64_t ep)
{
	struct lx4_msg m;
	if (lx4_recv(ep, &m, LX4_TIMEOUT_NEVER) == 0)
		dh_got = m.mr[0];
}

/* the handler dies before replying: halted; restarted with a new
 * handler, the syscall reaches it */
KTEST(foreign_handler_dies)
{
	lx4_cap_t ep = ep_new(), ep2 = ep_new();
	struct lx4_msg m;
	uint64_t w[LX4_MR_COUNT];
	victim_reset();
	dh_got = 0;
	thread_spawn(die_after_one, ep, 95, true);
	lx4_cap_t t = foreign_start(victim_syscall, 0, ep);
	KASSERT(wait_state(t, LX4_TSTATE_HALTED, 1000 * MS));
	KEXPECT_EQ(dh_got, VPAT(LX4_REG_RAX));
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_HANDLER, ep2), 0);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_START, 0).err, 0);
	recv_sys(ep2, &m, w);
	KEXPECT_EQ(w[LX4_REG_RAX], VPAT(LX4_REG_RAX));
	/* its handler endpoint destroyed while it is queued: halted again */
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_ABORT, 0).err, 0);
	KASSERT(wait_state(t, LX4_TSTATE_SEND, 1000 * MS));
	KEXPECT_EQ(lx4_cap_destroy(ep2), 0);
	KEXPECT_EQ(thread_state(t), LX4_TSTATE_HALTED);
	KEXPECT_EQ(reg_of(t, LX4_REG_RIP), (uint64_t)victim_syscall_fault);
	KEXPECT_EQ(victim_done, 0);
}

static volatile uint64_t fn_native;
static void foreign_then_native(uint64_t arg)
{
	(void)arg;
	lx4_syscall(0x999, 0, 0, 0, 0, 0, 0); /* foreign: the handler turns that off */
	fn_native = lx4_yield() == 0 ? 1 : 2;
	sleep_ns(1 * MS);
	fn_native |= 4;
}

/* FOREIGN can be turned off again (by the handler, before it replies) */
KTEST(foreign_turned_off)
{
	lx4_cap_t ep = ep_new();
	struct lx4_msg m;
	uint64_t w[LX4_MR_COUNT];
	fn_native = 0;
	lx4_cap_t t = foreign_start(foreign_then_native, 0, ep);
	recv_sys(ep, &m, w);
	KEXPECT_EQ(w[LX4_REG_RAX], 0x999);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_FOREIGN, 0), 0);
	m = msg(0, 1, 0, 0, 0);
	KEXPECT_EQ(lx4_reply_recv(ep, &m, 50 * MS), -LX4_ETIMEOUT); /* no more messages */
	KEXPECT_EQ(fn_native, 5);
}

/* an invalid reply fails with EINVAL; the thread keeps waiting */
KTEST(foreign_invalid_reply)
{
	lx4_cap_t ep = ep_new();
	struct lx4_msg m;
	uint64_t w[LX4_MR_COUNT];
	victim_reset();
	lx4_cap_t t = foreign_start(victim_syscall, 0, ep);
	recv_sys(ep, &m, w);
	w[LX4_REG_RIP] = 0x800000000000ull;
	m = words_msg(0, 8, w);
	KEXPECT_EQ(lx4_reply_to(t, &m), -LX4_EINVAL);
	KEXPECT_EQ(thread_state(t), LX4_TSTATE_REPLY);
	w[LX4_REG_RIP] = (uint64_t)victim_syscall_after;
	w[LX4_REG_RSP] = ~0ull;
	m = words_msg(0, 9, w);
	KEXPECT_EQ(lx4_reply_recv(ep, &m, 0), -LX4_EINVAL);
	KEXPECT_EQ(thread_state(t), LX4_TSTATE_REPLY);
	KEXPECT_EQ(reg_of(t, LX4_REG_RSP), victim_rsp);
	/* typed items in a reply need nothing here: an empty reply works */
	m = (struct lx4_msg){.tag = 0};
	KEXPECT_EQ(lx4_reply_to(t, &m), 0);
	end_victim(ep, t);
	KEXPECT_EQ(victim_out[LX4_REG_RAX], VPAT(LX4_REG_RAX)); /* rax as it was */
}
