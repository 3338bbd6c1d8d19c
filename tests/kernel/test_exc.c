/* Exceptions as IPC: the message (vector, error code, registers in frame
 * order), replies that resume, invalid replies, and threads that trap
 * with nobody to handle it. */
#include "kthread.h"

#define IOPL 0x3000ull
#define TF   0x100ull
#define IF   0x200ull

/* a victim thread (lower priority than the test) with handler ep; returns
 * the thread; *fsbase gets its fs base */
static lx4_cap_t victim_start(void (*fn)(uint64_t), lx4_cap_t ep, uint64_t *fsbase)
{
	victim_reset();
	lx4_cap_t t = thread_spawn(fn, 0, 90, false);
	if (fsbase)
		*fsbase = reg_of(t, LX4_REG_FSBASE);
	if (ep)
		KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_HANDLER, ep), 0);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_START, 0).err, 0);
	return t;
}

/* receives one exception message and checks its shape and vector */
static void recv_exc(lx4_cap_t ep, uint64_t *w, uint64_t vector)
{
	struct lx4_msg m;
	KEXPECT_EQ(recv_words(ep, &m, w, 1000 * MS), 0);
	KEXPECT_EQ(lx4_tag_label(m.tag), LX4_LABEL_EXCEPTION);
	KEXPECT_EQ(lx4_tag_untyped(m.tag), LX4_EXC_MSG_WORDS);
	KEXPECT_EQ(lx4_tag_typed(m.tag), 0);
	KASSERT(m.tag & LX4_TAG_KERNEL);
	KASSERT(!(m.tag & LX4_TAG_XFER_ERR));
	KEXPECT_EQ(w[LX4_EXC_MR_VECTOR], vector);
}

/* every general register has the victim's pattern */
static void check_pattern(const volatile uint64_t *w)
{
	for (unsigned i = 0; i < LX4_REG_FSBASE; i++) {
		if (i == LX4_REG_RIP || i == LX4_REG_RFLAGS)
			continue;
		KEXPECT_EQ(w[i], vpat(i));
	}
}

/* replies to t: resume at rip, registers unchanged */
static void resume_at(lx4_cap_t t, uint64_t *w, uint64_t rip)
{
	w[LX4_REG_RIP] = rip;
	struct lx4_msg m = words_msg(0, LX4_REG_RIP + 1, w);
	KEXPECT_EQ(lx4_reply_to(t, &m), 0);
}

KTEST(exc_ud2_message_and_resume)
{
	lx4_cap_t ep = ep_new();
	uint64_t w[LX4_MR_COUNT], fsbase;
	lx4_cap_t t = victim_start(victim_ud2, ep, &fsbase);
	recv_exc(ep, w, 6);
	KEXPECT_EQ(w[LX4_EXC_MR_ERROR], 0);
	KEXPECT_EQ(w[LX4_REG_RIP], (uint64_t)victim_ud2_fault);
	check_pattern(w);
	KEXPECT_EQ(w[LX4_REG_RFLAGS] & (IF | IOPL | 2), IF | 2);
	KEXPECT_EQ(w[LX4_REG_FSBASE], fsbase);
	KEXPECT_EQ(w[LX4_REG_GSBASE], 0);
	KEXPECT_EQ(thread_state(t), LX4_TSTATE_REPLY);
	KEXPECT_EQ(victim_done, 0);
	/* the reply writes MR i to register i: new rax..r9, rip past ud2 */
	uint64_t r[8];
	for (unsigned i = 0; i < 7; i++)
		r[i] = 0x1000 + i;
	r[LX4_REG_RIP] = (uint64_t)victim_ud2_after;
	struct lx4_msg m = words_msg(0, 8, r);
	KEXPECT_EQ(lx4_reply_to(t, &m), 0);
	KEXPECT_EQ(wait_nz(&victim_done, 1000 * MS), 1);
	for (unsigned i = 0; i < 7; i++)
		KEXPECT_EQ(victim_out[i], 0x1000 + i);
	for (unsigned i = LX4_REG_RBX; i < LX4_REG_FSBASE; i++)
		KEXPECT_EQ(victim_out[i], VPAT(i));
	KEXPECT_EQ(victim_out[LX4_REG_RSP], victim_rsp);
	/* the victim destroyed itself at the end */
	KEXPECT_EQ(lx4_exregs(t, 0, 0).err, -LX4_EDEAD);
}

/* traps: rip is past the instruction; an empty reply resumes there */
KTEST(exc_int3_traps)
{
	static const struct {
		void (*fn)(uint64_t);
		const char *after;
		unsigned vector;
	} v[] = {
	    {victim_int3, victim_int3_after, 3},
	    {victim_int3_long, victim_int3_long_after, 3},
	};
	lx4_cap_t ep = ep_new();
	for (unsigned k = 0; k < sizeof v / sizeof v[0]; k++) {
		uint64_t w[LX4_MR_COUNT];
		lx4_cap_t t = victim_start(v[k].fn, ep, NULL);
		recv_exc(ep, w, v[k].vector);
		KEXPECT_EQ(w[LX4_REG_RIP], (uint64_t)v[k].after);
		KEXPECT_EQ(w[LX4_EXC_MR_ERROR], 0);
		check_pattern(w);
		struct lx4_msg m = {.tag = 0};
		KEXPECT_EQ(lx4_reply_to(t, &m), 0);
		KEXPECT_EQ(wait_nz(&victim_done, 1000 * MS), 1);
		check_pattern(victim_out);
	}
}

KTEST(exc_divide_error)
{
	lx4_cap_t ep = ep_new();
	uint64_t w[LX4_MR_COUNT];
	lx4_cap_t t = victim_start(victim_div0, ep, NULL);
	recv_exc(ep, w, 0);
	KEXPECT_EQ(w[LX4_REG_RIP], (uint64_t)victim_div0_fault);
	KEXPECT_EQ(w[LX4_EXC_MR_ERROR], 0);
	check_pattern(w);
	resume_at(t, w, (uint64_t)victim_div0_after);
	KEXPECT_EQ(wait_nz(&victim_done, 1000 * MS), 1);
	check_pattern(victim_out);
}

/* privileged and otherwise forbidden instructions: #GP with the right
 * error code (an IDT gate: vector << 3 | 2), faulting rip */
KTEST(exc_privileged_instructions_gp)
{
	static const struct {
		void (*fn)(uint64_t);
		const char *fault, *after;
		uint64_t error;
	} v[] = {
	    {victim_cli, victim_cli_fault, victim_cli_after, 0},
	    {victim_hlt, victim_hlt_fault, victim_hlt_after, 0},
	    {victim_mov_cr3, victim_mov_cr3_fault, victim_mov_cr3_after, 0},
	    {victim_read_cr0, victim_read_cr0_fault, victim_read_cr0_after, 0},
	    {victim_rdmsr, victim_rdmsr_fault, victim_rdmsr_after, 0},
	    {victim_swapgs, victim_swapgs_fault, victim_swapgs_after, 0},
	    {victim_lidt, victim_lidt_fault, victim_lidt_after, 0},
	    {victim_inb_port60, victim_inb_port60_fault, victim_inb_port60_after, 0},
	    {victim_noncanonical, victim_noncanonical_fault, victim_noncanonical_after, 0},
	    /* software interrupts through kernel-only gates */
	    {victim_int80, victim_int80_fault, victim_int80_after, 0x80 << 3 | 2},
	    {victim_int_timer, victim_int_timer_fault, victim_int_timer_after, 48 << 3 | 2},
	};
	lx4_cap_t ep = ep_new();
	for (unsigned k = 0; k < sizeof v / sizeof v[0]; k++) {
		uint64_t w[LX4_MR_COUNT];
		lx4_cap_t t = victim_start(v[k].fn, ep, NULL);
		recv_exc(ep, w, 13);
		/* an IDT error code: vector << 3 | 2 (QEMU's TCG reports vector << 4 | 2 in long mode) */
		uint64_t err = w[LX4_EXC_MR_ERROR];
		if (v[k].error && (err & 7) == 2 && err >> 4 == v[k].error >> 3)
			err = v[k].error;
		if (w[LX4_REG_RIP] != (uint64_t)v[k].fault || err != v[k].error)
			ktest_fail(__FILE__, __LINE__, "victim %u: rip %lx error %lx, want %lx %lx", k, w[LX4_REG_RIP],
				   w[LX4_EXC_MR_ERROR], (uint64_t)v[k].fault, v[k].error);
		check_pattern(w);
		resume_at(t, w, (uint64_t)v[k].after);
		KEXPECT_EQ(wait_nz(&victim_done, 1000 * MS), 1);
		check_pattern(victim_out);
	}
}

/* a reply that changes nothing re-runs the faulting instruction */
KTEST(exc_empty_reply_refaults)
{
	lx4_cap_t ep = ep_new();
	uint64_t w[LX4_MR_COUNT];
	lx4_cap_t t = victim_start(victim_ud2, ep, NULL);
	for (unsigned i = 0; i < 5; i++) {
		recv_exc(ep, w, 6);
		KEXPECT_EQ(w[LX4_REG_RIP], (uint64_t)victim_ud2_fault);
		check_pattern(w);
		struct lx4_msg m = {.tag = lx4_tag(0, 0, 0)};
		KEXPECT_EQ(lx4_reply_to(t, &m), 0);
	}
	recv_exc(ep, w, 6);
	/* REPLY_RECV replies to the last caller (the victim) */
	w[LX4_REG_RIP] = (uint64_t)victim_ud2_after;
	struct lx4_msg m = words_msg(0, 8, w);
	KEXPECT_EQ(lx4_reply_recv(ep, &m, 50 * MS), -LX4_ETIMEOUT);
	KEXPECT_EQ(victim_done, 1);
}

KTEST(exc_reply_invalid_registers)
{
	lx4_cap_t ep = ep_new();
	uint64_t w[LX4_MR_COUNT];
	lx4_cap_t t = victim_start(victim_ud2, ep, NULL);
	recv_exc(ep, w, 6);
	static const uint64_t bad_rip[] = {0x7ffffffff000ull, 0x800000000000ull, 0xffff800000000000ull,
					   0xffffffff80000000ull, ~0ull};
	for (unsigned i = 0; i < sizeof bad_rip / sizeof bad_rip[0]; i++) {
		uint64_t r[LX4_MR_COUNT];
		memcpy(r, w, sizeof r);
		r[LX4_REG_RIP] = bad_rip[i];
		struct lx4_msg m = words_msg(0, 8, r);
		KEXPECT_EQ(lx4_reply_to(t, &m), -LX4_EINVAL);
		KEXPECT_EQ(thread_state(t), LX4_TSTATE_REPLY);
		m = words_msg(0, 8, r);
		KEXPECT_EQ(lx4_reply_recv(ep, &m, 0), -LX4_EINVAL);
		KEXPECT_EQ(thread_state(t), LX4_TSTATE_REPLY);
	}
	static const uint64_t bad_rsp[] = {0x800000000000ull, 0x8000000000000000ull, 0xffff800000000000ull};
	for (unsigned i = 0; i < sizeof bad_rsp / sizeof bad_rsp[0]; i++) {
		uint64_t r[LX4_MR_COUNT];
		memcpy(r, w, sizeof r);
		r[LX4_REG_RIP] = (uint64_t)victim_ud2_after;
		r[LX4_REG_RSP] = bad_rsp[i];
		struct lx4_msg m = words_msg(0, 9, r);
		KEXPECT_EQ(lx4_reply_to(t, &m), -LX4_EINVAL);
		KEXPECT_EQ(thread_state(t), LX4_TSTATE_REPLY);
	}
	/* a bad fs or gs base (words 18 and 19) */
	for (unsigned reg = LX4_REG_FSBASE; reg <= LX4_REG_GSBASE; reg++) {
		uint64_t r[LX4_MR_COUNT];
		memcpy(r, w, sizeof r);
		r[LX4_REG_RIP] = (uint64_t)victim_ud2_after;
		r[reg] = 0x8000000000000000ull;
		struct lx4_msg m = words_msg(0, LX4_REG_COUNT, r);
		KEXPECT_EQ(lx4_reply_to(t, &m), -LX4_EINVAL);
		KEXPECT_EQ(thread_state(t), LX4_TSTATE_REPLY);
	}
	/* nothing of the failed replies was applied */
	KEXPECT_EQ(reg_of(t, LX4_REG_RIP), (uint64_t)victim_ud2_fault);
	KEXPECT_EQ(reg_of(t, LX4_REG_RAX), VPAT(LX4_REG_RAX));
	/* a good reply still works: all 20 registers, new gs base */
	static volatile uint64_t gsword = 0x6565;
	w[LX4_REG_RIP] = (uint64_t)victim_ud2_after;
	w[LX4_REG_RBX] = 0xbbbb;
	w[LX4_REG_R15] = 0xffff;
	w[LX4_REG_GSBASE] = (uint64_t)&gsword;
	struct lx4_msg m = words_msg(0, LX4_REG_COUNT, w);
	KEXPECT_EQ(lx4_reply_to(t, &m), 0);
	KEXPECT_EQ(reg_of(t, LX4_REG_GSBASE), (uint64_t)&gsword);
	KEXPECT_EQ(wait_nz(&victim_done, 1000 * MS), 1);
	KEXPECT_EQ(victim_out[LX4_REG_RBX], 0xbbbb);
	KEXPECT_EQ(victim_out[LX4_REG_R15], 0xffff);
	KEXPECT_EQ(victim_out[LX4_REG_R14], VPAT(LX4_REG_R14));
}

/* a reply cannot give the thread IOPL, clear IF or set VM/NT/RF */
KTEST(exc_reply_rflags_sanitised)
{
	lx4_cap_t ep = ep_new();
	uint64_t w[LX4_MR_COUNT];
	lx4_cap_t t = victim_start(victim_ud2_cli, ep, NULL);
	recv_exc(ep, w, 6);
	KEXPECT_EQ(w[LX4_REG_RIP], (uint64_t)victim_ud2_cli_fault);
	w[LX4_REG_RIP] += 2; /* on to the cli */
	w[LX4_REG_RFLAGS] = IOPL | 0x1 /* CF */ | 0x10000 /* RF */ | 0x20000 /* VM */ | 0x80000 /* VIF */ |
			    0x100000 /* VIP */ | (1ull << 40);
	struct lx4_msg m = words_msg(0, LX4_REG_RFLAGS + 1, w);
	KEXPECT_EQ(lx4_reply_to(t, &m), 0);
	/* cli still faults: no IOPL */
	recv_exc(ep, w, 13);
	KEXPECT_EQ(w[LX4_REG_RIP], (uint64_t)victim_ud2_cli_fault + 2);
	KEXPECT_EQ(w[LX4_REG_RFLAGS] & ~0x10000ull, 0x203); /* CF, IF, bit 1 (RF: set by the CPU) */
	resume_at(t, w, (uint64_t)victim_ud2_cli_after);
	KEXPECT_EQ(wait_nz(&victim_done, 1000 * MS), 1);
	KEXPECT_EQ(victim_out[LX4_REG_RFLAGS] & (IOPL | IF | 1), IF | 1);
}

KTEST(exc_badge_of_handler_cap)
{
	lx4_cap_t ep = ep_new(), b = cap_new();
	KEXPECT_EQ(lx4_cap_copy(LX4_CAP_SELF_TASK, b, ep, LX4_R_SEND, 0xbad6e), 0);
	struct lx4_msg m;
	uint64_t w[LX4_MR_COUNT];
	lx4_cap_t t = victim_start(victim_ud2, b, NULL);
	KEXPECT_EQ(recv_words(ep, &m, w, 1000 * MS), 0);
	KEXPECT_EQ(m.badge, 0xbad6e);
	KEXPECT_EQ(w[LX4_EXC_MR_VECTOR], 6);
	resume_at(t, w, (uint64_t)victim_ud2_after);
	KEXPECT_EQ(wait_nz(&victim_done, 1000 * MS), 1);
	/* a handler cap without SEND is refused */
	lx4_cap_t r = cap_new();
	KEXPECT_EQ(lx4_cap_copy(LX4_CAP_SELF_TASK, r, ep, LX4_R_RECV, 0), 0);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_HANDLER, r), -LX4_EDEAD);
	lx4_cap_t t2 = thread_spawn(victim_ud2, 0, 90, false);
	KEXPECT_EQ(lx4_thread_config(t2, LX4_TCFG_HANDLER, r), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_thread_config(t2, LX4_TCFG_HANDLER, t2), -LX4_ETYPE);
	KEXPECT_EQ(lx4_thread_config(t2, LX4_TCFG_HANDLER, cap_new()), -LX4_ECAP);
}

/* no handler: the thread halts; exregs START resumes it (it traps again) */
KTEST(exc_no_handler_halts)
{
	lx4_cap_t ep = ep_new();
	uint64_t w[LX4_MR_COUNT];
	lx4_cap_t t = victim_start(victim_ud2, 0, NULL);
	KASSERT(wait_state(t, LX4_TSTATE_HALTED, 1000 * MS));
	KEXPECT_EQ(victim_done, 0);
	KEXPECT_EQ(reg_of(t, LX4_REG_RIP), (uint64_t)victim_ud2_fault);
	KEXPECT_EQ(reg_of(t, LX4_REG_RAX), VPAT(LX4_REG_RAX));
	/* still halted after a while: nobody restarted it */
	sleep_ns(5 * MS);
	KEXPECT_EQ(thread_state(t), LX4_TSTATE_HALTED);
	/* START with no handler: halts again */
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_START, 0).err, 0);
	KASSERT(wait_state(t, LX4_TSTATE_HALTED, 1000 * MS));
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_HANDLER, ep), 0);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_START, 0).err, 0);
	recv_exc(ep, w, 6);
	KEXPECT_EQ(w[LX4_REG_RIP], (uint64_t)victim_ud2_fault);
	check_pattern(w);
	resume_at(t, w, (uint64_t)victim_ud2_after);
	KEXPECT_EQ(wait_nz(&victim_done, 1000 * MS), 1);
	/* a handler removed again (0): halts */
	t = victim_start(victim_ud2, ep, NULL);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_HANDLER, 0), 0);
	KASSERT(wait_state(t, LX4_TSTATE_HALTED, 1000 * MS));
}

static volatile uint64_t h_got;

/* receives one message, then destroys itself without replying */
static void dying_handler(uint64_t ep)
{
	struct lx4_msg m;
	if (lx4_recv(ep, &m, LX4_TIMEOUT_NEVER) == 0)
		h_got = lx4_tag_label(m.tag);
}

KTEST(exc_handler_dies_halts)
{
	lx4_cap_t ep = ep_new();
	h_got = 0;
	thread_spawn(dying_handler, ep, 95, true);
	lx4_cap_t t = victim_start(victim_ud2, ep, NULL);
	KASSERT(wait_state(t, LX4_TSTATE_HALTED, 1000 * MS));
	KEXPECT_EQ(h_got, LX4_LABEL_EXCEPTION);
	KEXPECT_EQ(reg_of(t, LX4_REG_RIP), (uint64_t)victim_ud2_fault);
	KEXPECT_EQ(victim_done, 0);
}

KTEST(exc_handler_endpoint_destroyed_halts)
{
	lx4_cap_t ep = ep_new();
	lx4_cap_t t = victim_start(victim_ud2, ep, NULL);
	/* nobody receives: the victim queues on the endpoint */
	KASSERT(wait_state(t, LX4_TSTATE_SEND, 1000 * MS));
	KEXPECT_EQ(lx4_cap_destroy(ep), 0);
	KEXPECT_EQ(thread_state(t), LX4_TSTATE_HALTED);
	KEXPECT_EQ(reg_of(t, LX4_REG_RAX), VPAT(LX4_REG_RAX)); /* no error code written */
	/* the dead handler endpoint: it halts at once when restarted */
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_START, 0).err, 0);
	KASSERT(wait_state(t, LX4_TSTATE_HALTED, 1000 * MS));
	KEXPECT_EQ(victim_done, 0);
}

/* STOP/ABORT of a thread waiting for its exception reply: registers stay
 * untouched, and it traps again when it runs */
KTEST(exc_stop_abort_kernel_ipc)
{
	lx4_cap_t ep = ep_new();
	uint64_t w[LX4_MR_COUNT];
	lx4_cap_t t = victim_start(victim_ud2, ep, NULL);
	recv_exc(ep, w, 6);
	struct lx4_sysret r = lx4_exregs(t, LX4_EXREGS_STOP | LX4_EXREGS_READ, 0);
	KEXPECT_EQ(r.err, 0);
	KEXPECT_EQ(r.r1, LX4_TSTATE_INACTIVE);
	KEXPECT_EQ(lx4_utcb()->mr[LX4_REG_RAX], VPAT(LX4_REG_RAX));
	KEXPECT_EQ(lx4_utcb()->mr[LX4_REG_RIP], (uint64_t)victim_ud2_fault);
	struct lx4_msg m = {.tag = 0};
	KEXPECT_EQ(lx4_reply_to(t, &m), -LX4_ESTATE);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_START, 0).err, 0);
	recv_exc(ep, w, 6);
	check_pattern(w);
	/* ABORT: the thread becomes ready and traps again */
	r = lx4_exregs(t, LX4_EXREGS_ABORT, 0);
	KEXPECT_EQ(r.err, 0);
	KEXPECT_EQ(r.r1, LX4_TSTATE_READY);
	KEXPECT_EQ(lx4_reply_to(t, &m), -LX4_ESTATE);
	/* the old reply target is gone: REPLY_RECV only receives */
	m = (struct lx4_msg){.tag = lx4_tag(0, 0, 0)};
	KEXPECT_EQ(lx4_reply_recv(ep, &m, 1000 * MS), 0);
	msg_words(&m, w);
	KEXPECT_EQ(w[LX4_EXC_MR_VECTOR], 6);
	KEXPECT_EQ(w[LX4_REG_RIP], (uint64_t)victim_ud2_fault);
	check_pattern(w);
	resume_at(t, w, (uint64_t)victim_ud2_after);
	KEXPECT_EQ(wait_nz(&victim_done, 1000 * MS), 1);
	check_pattern(victim_out);
}

/* TF set by a reply: #DB after the next instruction */
KTEST(exc_single_step)
{
	lx4_cap_t ep = ep_new();
	uint64_t w[LX4_MR_COUNT];
	lx4_cap_t t = victim_start(victim_ud2, ep, NULL);
	recv_exc(ep, w, 6);
	w[LX4_REG_RIP] = (uint64_t)victim_ud2_after;
	w[LX4_REG_RFLAGS] |= TF;
	struct lx4_msg m = words_msg(0, LX4_REG_RFLAGS + 1, w);
	KEXPECT_EQ(lx4_reply_to(t, &m), 0);
	/* one step: the jmp to victim_store */
	recv_exc(ep, w, 1);
	KEXPECT_EQ(w[LX4_REG_RIP], (uint64_t)victim_store);
	KASSERT(w[LX4_REG_RFLAGS] & TF);
	check_pattern(w);
	/* another step: the first instruction of victim_store */
	m = (struct lx4_msg){.tag = 0};
	KEXPECT_EQ(lx4_reply_to(t, &m), 0);
	recv_exc(ep, w, 1);
	KASSERT(w[LX4_REG_RIP] > (uint64_t)victim_store && w[LX4_REG_RIP] < (uint64_t)victim_store + 16);
	w[LX4_REG_RFLAGS] &= ~TF;
	m = words_msg(0, LX4_REG_RFLAGS + 1, w);
	KEXPECT_EQ(lx4_reply_to(t, &m), 0);
	KEXPECT_EQ(wait_nz(&victim_done, 1000 * MS), 1);
	check_pattern(victim_out);
}

/* a thread that sets TF itself and makes a system call: the kernel entry
 * must not single-step the kernel; the user gets #DB after the syscall */
KTEST(exc_single_step_over_syscall)
{
	lx4_cap_t ep = ep_new();
	uint64_t w[LX4_MR_COUNT];
	lx4_cap_t t = victim_start(victim_tf_syscall, ep, NULL);
	uint64_t rips[16];
	unsigned n = 0;
	for (;;) {
		recv_exc(ep, w, 1);
		KASSERT(n < 16);
		rips[n++] = w[LX4_REG_RIP];
		KASSERT(w[LX4_REG_RIP] > (uint64_t)victim_tf_syscall_fault);
		KASSERT(w[LX4_REG_RIP] <= (uint64_t)victim_tf_syscall_after);
		if (w[LX4_REG_RIP] == (uint64_t)victim_tf_syscall_after)
			break;
		struct lx4_msg m = {.tag = 0};
		KEXPECT_EQ(lx4_reply_to(t, &m), 0);
	}
	/* the yield returned 0 in rax; the last step was the syscall */
	KEXPECT_EQ(w[LX4_REG_RAX], 0);
	KASSERT(n >= 2);
	KEXPECT_EQ(rips[n - 2] + 2, rips[n - 1]);
	w[LX4_REG_RFLAGS] &= ~TF;
	struct lx4_msg m = words_msg(0, LX4_REG_RFLAGS + 1, w);
	KEXPECT_EQ(lx4_reply_to(t, &m), 0);
	KEXPECT_EQ(wait_nz(&victim_done, 1000 * MS), 1);
}

KTEST(exc_x87_and_simd_errors)
{
	lx4_cap_t ep = ep_new();
	uint64_t w[LX4_MR_COUNT];
	lx4_cap_t t = victim_start(victim_x87_div0, ep, NULL);
	recv_exc(ep, w, 16); /* #MF, at the fwait */
	KEXPECT_EQ(w[LX4_REG_RIP], (uint64_t)victim_x87_div0_fault);
	check_pattern(w);
	resume_at(t, w, (uint64_t)victim_x87_div0_after);
	KEXPECT_EQ(wait_nz(&victim_done, 1000 * MS), 1);
	/* SSE: #XM (19), not #UD, with CR4.OSXMMEXCPT; QEMU's TCG does not
	 * raise unmasked SIMD exceptions at all, so the victim may just run on */
	struct lx4_msg m;
	t = victim_start(victim_simd_div0, ep, NULL);
	long e = recv_words(ep, &m, w, 100 * MS);
	if (e == 0) {
		KEXPECT_EQ(w[LX4_EXC_MR_VECTOR], 19);
		KEXPECT_EQ(w[LX4_REG_RIP], (uint64_t)victim_simd_div0_fault);
		check_pattern(w);
		resume_at(t, w, (uint64_t)victim_simd_div0_after);
	} else {
		KEXPECT_EQ(e, -LX4_ETIMEOUT);
	}
	KEXPECT_EQ(wait_nz(&victim_done, 1000 * MS), 1);
	check_pattern(victim_out);
}

/* a handler in another task: the message crosses address spaces, and the
 * handler task's death halts the thread */
static void child_handler(uint64_t ep)
{
	struct lx4_msg m;
	uint64_t w[LX4_MR_COUNT];
	while (recv_words(ep, &m, w, LX4_TIMEOUT_NEVER) == 0) {
		h_got = w[LX4_EXC_MR_VECTOR] + 1;
		if (w[LX4_REG_RIP] == (uint64_t)victim_ud2_fault) {
			w[LX4_REG_RIP] = (uint64_t)victim_ud2_after;
			w[LX4_REG_RAX] = 0xc41d;
		}
		struct lx4_msg r = words_msg(0, 8, w);
		lx4_reply_to(m.badge, &r);
	}
}

KTEST(exc_handler_in_other_task)
{
	lx4_cap_t ep = ep_new();
	struct child c;
	h_got = 0;
	task_spawn(&c, child_handler, 1, 0, 0, false);
	/* the child receives on slot 1 and replies with the thread cap in slot
	 * 2, whose number arrives as the badge */
	KEXPECT_EQ(lx4_cap_copy(c.task, 1, ep, LX4_R_RECV, 0), 0);
	victim_reset();
	lx4_cap_t t = thread_spawn(victim_ud2, 0, 90, false);
	KEXPECT_EQ(lx4_cap_copy(c.task, 2, t, LX4_R_SEND, 0), 0);
	lx4_cap_t b = cap_new();
	KEXPECT_EQ(lx4_cap_copy(LX4_CAP_SELF_TASK, b, ep, LX4_R_SEND, 2), 0);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_HANDLER, b), 0);
	KEXPECT_EQ(lx4_exregs(c.thread, LX4_EXREGS_START, 0).err, 0);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_START, 0).err, 0);
	KEXPECT_EQ(wait_nz(&victim_done, 1000 * MS), 1);
	KEXPECT_EQ(h_got, 7);
	KEXPECT_EQ(victim_out[LX4_REG_RAX], 0xc41d);
	for (unsigned i = LX4_REG_RDI; i < LX4_REG_RIP; i++)
		KEXPECT_EQ(victim_out[i], VPAT(i));
}

/* exregs WRITE moves a thread that waits for its exception reply on: the
 * IPC is cancelled, only the written registers change */
KTEST(exc_exregs_write_instead_of_reply)
{
	lx4_cap_t ep = ep_new();
	uint64_t w[LX4_MR_COUNT];
	lx4_cap_t t = victim_start(victim_ud2, ep, NULL);
	recv_exc(ep, w, 6);
	KEXPECT_EQ(reg_write(t, LX4_REG_RIP, (uint64_t)victim_ud2_after, 0), 0);
	struct lx4_msg m = {.tag = 0};
	KEXPECT_EQ(lx4_reply_to(t, &m), -LX4_ESTATE);
	KEXPECT_EQ(wait_nz(&victim_done, 1000 * MS), 1);
	check_pattern(victim_out); /* rax too: no error code for a kernel-made IPC */
}

/* a syscall in the last two bytes of user space returns (sysret) to the
 * first non-user page: the thread faults there, the kernel does not */
extern char edge_page[], edge_syscall[];
__asm__(".pushsection .text\n"
	".balign 4096\n"
	".globl edge_page, edge_syscall\n"
	"edge_page: .fill 4094, 1, 0x90\n"
	"edge_syscall: syscall\n"
	".popsection\n");

KTEST(exc_syscall_at_user_top)
{
	const uint64_t top = 0x7ffffffff000ull, page = top - 4096;
	KEXPECT_EQ(lx4_map(LX4_CAP_SELF_TASK, lx4_fpage((uint64_t)edge_page, 12, LX4_FP_R | LX4_FP_X), page, 0), 0);
	lx4_cap_t ep = ep_new();
	for (unsigned foreign = 0; foreign < 2; foreign++) {
		lx4_cap_t t = thread_spawn(victim_spin, 0, 90, false);
		KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_PAGER, ep), 0);
		KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_HANDLER, ep), 0);
		KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_FOREIGN, foreign), 0);
		struct lx4_utcb *u = lx4_utcb();
		u->mr[LX4_REG_RIP] = top - 2;
		u->mr[LX4_REG_RAX] = LX4_SYS_YIELD;
		KEXPECT_EQ(
		    lx4_exregs(t, LX4_EXREGS_WRITE | LX4_EXREGS_START, 1ull << LX4_REG_RIP | 1ull << LX4_REG_RAX).err,
		    0);
		struct lx4_msg m;
		uint64_t w[LX4_MR_COUNT];
		if (foreign) {
			KEXPECT_EQ(recv_words(ep, &m, w, 1000 * MS), 0);
			KEXPECT_EQ(lx4_tag_label(m.tag), LX4_LABEL_SYSCALL);
			KEXPECT_EQ(w[LX4_REG_RIP], top);
			m = msg(0, 1, 0, 0, 0);
			KEXPECT_EQ(lx4_reply_to(t, &m), 0);
		}
		KEXPECT_EQ(recv_words(ep, &m, w, 1000 * MS), 0);
		KEXPECT_EQ(lx4_tag_label(m.tag), LX4_LABEL_PAGEFAULT);
		KEXPECT_EQ(w[0], top);
		KEXPECT_EQ(w[1] & LX4_PF_EXEC, LX4_PF_EXEC);
		KEXPECT_EQ(w[2], top);
		KEXPECT_EQ(reg_of(t, LX4_REG_RAX), 0);
		KEXPECT_EQ(lx4_cap_destroy(t), 0);
	}
	/* the top page itself cannot be mapped */
	KEXPECT_EQ(lx4_map(LX4_CAP_SELF_TASK, lx4_fpage((uint64_t)edge_page, 12, LX4_FP_R | LX4_FP_X), top, 0),
		   -LX4_EINVAL);
}

static volatile uint64_t call_sum, call_err, call_done;
extern char exc_call_fault[], exc_call_after[];

/* traps once, then makes ordinary calls */
static __attribute__((noinline)) void fault_then_call(uint64_t ep)
{
	__asm__ volatile(".globl exc_call_fault, exc_call_after\n"
			 "exc_call_fault: ud2\n"
			 "exc_call_after:\n" ::
			     : "memory");
	for (uint64_t i = 0; i < 3; i++) {
		struct lx4_msg m = msg(5, 2, 100 * i, 200, 0);
		call_err |= (uint64_t)lx4_call(ep, &m);
		call_sum += m.mr[0] + m.mr[1] + lx4_tag_label(m.tag);
	}
	call_done = 1;
}

static void plus_one_server(uint64_t ep)
{
	struct lx4_msg m;
	long e = lx4_recv(ep, &m, LX4_TIMEOUT_NEVER);
	while (e == 0) {
		m.mr[0]++;
		m.mr[1]++;
		m.tag = lx4_tag(lx4_tag_label(m.tag) + 1, 2, 0);
		e = lx4_reply_recv(ep, &m, LX4_TIMEOUT_NEVER);
	}
}

/* after an exception IPC (replied, or aborted) the thread's next IPCs are
 * ordinary ones again: their replies are messages, not registers */
KTEST(exc_then_ordinary_ipc)
{
	lx4_cap_t hep = ep_new(), ep = ep_new();
	thread_spawn(plus_one_server, ep, 95, true);
	for (unsigned abort = 0; abort < 2; abort++) {
		call_sum = call_err = call_done = 0;
		lx4_cap_t t = thread_spawn(fault_then_call, ep, 90, false);
		KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_HANDLER, hep), 0);
		KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_START, 0).err, 0);
		uint64_t w[LX4_MR_COUNT];
		recv_exc(hep, w, 6);
		KEXPECT_EQ(w[LX4_REG_RIP], (uint64_t)exc_call_fault);
		if (abort) /* ABORT, then move it on by exregs */
			KEXPECT_EQ(reg_write(t, LX4_REG_RIP, (uint64_t)exc_call_after, LX4_EXREGS_ABORT), 0);
		else
			resume_at(t, w, (uint64_t)exc_call_after);
		KEXPECT_EQ(wait_nz(&call_done, 1000 * MS), 1);
		KEXPECT_EQ(call_err, 0);
		KEXPECT_EQ(call_sum, (0 + 1 + 201 + 6) + (100 + 1 + 201 + 6) + (200 + 1 + 201 + 6));
	}
}

/* a thread with DF set (std) takes timer interrupts, its first FPU use
 * (#NM), a fault with no handler (halted) and one with a handler: the
 * kernel must not run its string operations backwards */
static volatile uint64_t df_done;
extern char df_fault[];
static __attribute__((noinline)) void df_victim(uint64_t arg)
{
	(void)arg;
	__asm__ volatile("std\n"
			 "mov $3000000, %%ecx\n"
			 "1: dec %%ecx\n"
			 "jnz 1b\n"
			 "pxor %%xmm0, %%xmm0\n"
			 ".globl df_fault\n"
			 "df_fault: ud2\n"
			 "cld\n" ::
			     : "rcx", "xmm0", "memory", "cc");
	df_done = 1;
}

KTEST(exc_direction_flag_from_user)
{
	lx4_cap_t ep = ep_new();
	df_done = 0;
	uint64_t t0 = kip()->ticks;
	lx4_cap_t t = thread_spawn(df_victim, 0, 90, true);
	KASSERT(wait_state(t, LX4_TSTATE_HALTED, 2000 * MS));
	KEXPECT_EQ(reg_of(t, LX4_REG_RIP), (uint64_t)df_fault);
	KEXPECT_EQ(reg_of(t, LX4_REG_RFLAGS) & 0x400, 0x400);
	KASSERT(kip()->ticks > t0);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_HANDLER, ep), 0);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_START, 0).err, 0);
	uint64_t w[LX4_MR_COUNT];
	recv_exc(ep, w, 6);
	KEXPECT_EQ(w[LX4_REG_RIP], (uint64_t)df_fault);
	KEXPECT_EQ(w[LX4_REG_RFLAGS] & 0x400, 0x400);
	KEXPECT_EQ(w[LX4_EXC_MR_ERROR], 0);
	KEXPECT_EQ(w[LX4_REG_FSBASE], reg_of(t, LX4_REG_FSBASE));
	resume_at(t, w, (uint64_t)df_fault + 2);
	KEXPECT_EQ(wait_nz(&df_done, 1000 * MS), 1);
}
