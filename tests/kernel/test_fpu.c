/* FPU, SSE and AVX state: per thread, kept across yields, preemption and
 * exception IPC (lazy switching through CR0.TS), clean for new threads. */
#include "kthread.h"

#define XMM_CLOBBERS                                                                                               \
	"xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", \
	    "xmm13", "xmm14", "xmm15"
#define SYSCALL_CLOBBERS "rax", "rcx", "r11", "rdx", "rsi", "rdi", "r8", "r9", "r10", "memory"

#define X16(m) m(0) m(1) m(2) m(3) m(4) m(5) m(6) m(7) m(8) m(9) m(10) m(11) m(12) m(13) m(14) m(15)
#define LDX(i) "movdqu " #i "*16(%[in]), %%xmm" #i "\n"
#define STX(i) "movdqu %%xmm" #i ", " #i "*16(%[out])\n"
#define LDY(i) "vmovdqu " #i "*32(%[in]), %%ymm" #i "\n"
#define STY(i) "vmovdqu %%ymm" #i ", " #i "*32(%[out])\n"

/* xmm0-15 from in[32]; n yields; xmm0-15 to out[32] */
static void sse_hold_yield(const uint64_t *in, uint64_t *out, uint64_t n)
{
	__asm__ volatile(X16(LDX) "1: test %[n], %[n]\n"
				  "jz 2f\n"
				  "mov $6, %%eax\n"
				  "syscall\n"
				  "dec %[n]\n"
				  "jmp 1b\n"
				  "2:\n" X16(STX)
			 : [n] "+r"(n)
			 : [in] "r"(in), [out] "r"(out)
			 : SYSCALL_CLOBBERS, XMM_CLOBBERS);
}

/* xmm0-15 from in; spins (counting in *ctr) until the TSC reaches end;
 * xmm0-15 to out */
static void sse_hold_spin(const uint64_t *in, uint64_t *out, uint64_t end, volatile uint64_t *ctr)
{
	__asm__ volatile(X16(LDX) "1: incq (%[ctr])\n"
				  "rdtsc\n"
				  "shl $32, %%rdx\n"
				  "or %%rdx, %%rax\n"
				  "cmp %[end], %%rax\n"
				  "jb 1b\n" X16(STX)
			 :
			 : [in] "r"(in), [out] "r"(out), [end] "r"(end), [ctr] "r"(ctr)
			 : "rax", "rdx", "memory", XMM_CLOBBERS);
}

/* x87: control word cw, eight values from in[8] on the stack, mxcsr mx;
 * n yields; then the stack (top first) to out[8], the control words to
 * cw_out/mx_out */
static void x87_hold_yield(const double *in, double *out, uint16_t cw, uint32_t mx, uint16_t *cw_out, uint32_t *mx_out,
			   uint64_t n)
{
	__asm__ volatile(
	    "fninit\n"
	    "fldcw %[cw]\n"
	    "ldmxcsr %[mx]\n"
	    "fldl 0(%[in])\n fldl 8(%[in])\n fldl 16(%[in])\n fldl 24(%[in])\n"
	    "fldl 32(%[in])\n fldl 40(%[in])\n fldl 48(%[in])\n fldl 56(%[in])\n"
	    "1: test %[n], %[n]\n"
	    "jz 2f\n"
	    "mov $6, %%eax\n"
	    "syscall\n"
	    "dec %[n]\n"
	    "jmp 1b\n"
	    "2:\n"
	    "fstpl 0(%[out])\n fstpl 8(%[out])\n fstpl 16(%[out])\n fstpl 24(%[out])\n"
	    "fstpl 32(%[out])\n fstpl 40(%[out])\n fstpl 48(%[out])\n fstpl 56(%[out])\n"
	    "fnstcw (%[cwo])\n"
	    "stmxcsr (%[mxo])\n"
	    : [n] "+r"(n)
	    : [in] "r"(in), [out] "r"(out), [cw] "m"(cw), [mx] "m"(mx), [cwo] "r"(cw_out), [mxo] "r"(mx_out)
	    : SYSCALL_CLOBBERS, "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)");
}

static bool have_avx(void)
{
	uint32_t a, b, c, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (!(c >> 28 & 1) || !(c >> 27 & 1))
		return false;
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (lo & 6) == 6;
}

/* ymm0-15 from in[64]; n yields; ymm0-15 to out[64] */
static void avx_hold_yield(const uint64_t *in, uint64_t *out, uint64_t n)
{
	__asm__ volatile(X16(LDY) "1: test %[n], %[n]\n"
				  "jz 2f\n"
				  "mov $6, %%eax\n"
				  "syscall\n"
				  "dec %[n]\n"
				  "jmp 1b\n"
				  "2:\n" X16(STY) "vzeroupper\n"
			 : [n] "+r"(n)
			 : [in] "r"(in), [out] "r"(out)
			 : SYSCALL_CLOBBERS, XMM_CLOBBERS);
}

static void fill(uint64_t *v, unsigned n, uint64_t seed)
{
	for (unsigned i = 0; i < n; i++)
		v[i] = seed * 0x9e3779b97f4a7c15ull + i * 0x0101010101010101ull;
}

static bool same(const uint64_t *a, const uint64_t *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static uint64_t t_in[3][64], t_out[3][64];
static volatile uint64_t t_done[3], t_ctr[3], t_other0[3], t_other1[3];

static void sse_yielder(uint64_t i)
{
	sse_hold_yield(t_in[i], t_out[i], 300);
	t_done[i] = 1;
}

KTEST(fpu_sse_across_yields)
{
	uint64_t in[32], out[32];
	fill(in, 32, 1);
	for (unsigned i = 0; i < 2; i++) {
		fill(t_in[i], 32, 10 + i);
		t_done[i] = 0;
		thread_spawn(sse_yielder, i, 100, true); /* our priority: yields alternate */
	}
	sse_hold_yield(in, out, 300);
	KASSERT(same(in, out, 32));
	for (unsigned i = 0; i < 2; i++) {
		KEXPECT_EQ(wait_nz(&t_done[i], 1000 * MS), 1);
		if (!same(t_in[i], t_out[i], 32))
			ktest_fail(__FILE__, __LINE__, "thread %u: xmm lost", i);
	}
}

static void sse_spinner(uint64_t i)
{
	uint64_t end = lx4_rdtsc() + kip()->tsc_hz / 1000 * 40; /* 40 ms */
	t_other0[i] = t_ctr[1 - i];
	sse_hold_spin(t_in[i], t_out[i], end, &t_ctr[i]);
	t_other1[i] = t_ctr[1 - i];
	t_done[i] = 1;
}

/* preempted by the timer (1-tick slices) in the middle of using SSE */
KTEST(fpu_sse_across_preemption)
{
	lx4_cap_t t[2];
	for (unsigned i = 0; i < 2; i++) {
		fill(t_in[i], 32, 20 + i);
		memset(t_out[i], 0, sizeof t_out[i]);
		t_done[i] = t_ctr[i] = 0;
		t[i] = thread_spawn(sse_spinner, i, 90, false);
		KEXPECT_EQ(lx4_thread_config(t[i], LX4_TCFG_TIMESLICE, 1), 0);
	}
	for (unsigned i = 0; i < 2; i++)
		KEXPECT_EQ(lx4_exregs(t[i], LX4_EXREGS_START, 0).err, 0);
	for (unsigned i = 0; i < 2; i++) {
		KEXPECT_EQ(wait_nz(&t_done[i], 2000 * MS), 1);
		if (!same(t_in[i], t_out[i], 32))
			ktest_fail(__FILE__, __LINE__, "thread %u: xmm lost", i);
	}
	/* the other thread ran while each one held its registers */
	KASSERT(t_other1[0] > t_other0[0] || t_other1[1] > t_other0[1]);
	KASSERT(t_ctr[0] > 0 && t_ctr[1] > 0);
}

static double x_in[3][8], x_out[3][8];
static uint16_t x_cw[3];
static uint32_t x_mx[3];

static void x87_yielder(uint64_t i)
{
	/* a different rounding mode each, in both control words */
	x87_hold_yield(x_in[i], x_out[i], (uint16_t)(0x37f | (i + 1) << 10), (uint32_t)(0x1f80 | (i + 1) << 13),
		       &x_cw[i], &x_mx[i], 200);
	t_done[i] = 1;
}

/* x87 registers, the x87 control word and MXCSR are per thread */
KTEST(fpu_x87_and_control_words)
{
	for (unsigned i = 0; i < 3; i++) {
		for (unsigned k = 0; k < 8; k++)
			x_in[i][k] = (double)(i + 1) * 1000.25 + k * 3.5;
		t_done[i] = 0;
	}
	thread_spawn(x87_yielder, 0, 100, true);
	thread_spawn(x87_yielder, 1, 100, true);
	x87_yielder(2);
	for (unsigned i = 0; i < 3; i++) {
		KEXPECT_EQ(wait_nz(&t_done[i], 1000 * MS), 1);
		for (unsigned k = 0; k < 8; k++)
			if (x_out[i][k] != x_in[i][7 - k])
				ktest_fail(__FILE__, __LINE__, "thread %u: st(%u) lost", i, k);
		KEXPECT_EQ(x_cw[i], 0x37f | (i + 1) << 10);
		KEXPECT_EQ(x_mx[i], 0x1f80 | (i + 1) << 13);
	}
}

static void avx_yielder(uint64_t i)
{
	avx_hold_yield(t_in[i], t_out[i], 200);
	t_done[i] = 1;
}

KTEST(fpu_avx_across_yields)
{
	if (!have_avx()) {
		printf("fpu_avx_across_yields: no AVX, nothing to test\n");
		return;
	}
	uint64_t in[64], out[64];
	fill(in, 64, 3);
	for (unsigned i = 0; i < 2; i++) {
		fill(t_in[i], 64, 30 + i);
		t_done[i] = 0;
		thread_spawn(avx_yielder, i, 100, true);
	}
	avx_hold_yield(in, out, 200);
	KASSERT(same(in, out, 64));
	for (unsigned i = 0; i < 2; i++) {
		KEXPECT_EQ(wait_nz(&t_done[i], 1000 * MS), 1);
		if (!same(t_in[i], t_out[i], 64))
			ktest_fail(__FILE__, __LINE__, "thread %u: ymm lost", i);
	}
}

/* what a new thread finds in the FPU */
struct fpu_view {
	uint64_t xmm[32];
	uint64_t ymm_hi[32];
	uint32_t mxcsr;
	uint16_t fcw, fsw;
	uint32_t env[7]; /* fnstenv: tag word in env[2] */
	uint64_t done;
};
static struct fpu_view views[3];

static void look_at_fpu(uint64_t i)
{
	struct fpu_view *v = &views[i];
	uint64_t *out = v->xmm;
	__asm__ volatile(X16(STX) : : [out] "r"(out) : "memory");
	__asm__ volatile("stmxcsr %0" : "=m"(v->mxcsr));
	__asm__ volatile("fnstcw %0" : "=m"(v->fcw));
	__asm__ volatile("fnstsw %0" : "=m"(v->fsw));
	__asm__ volatile("fnstenv %0" : "=m"(v->env));
	if (have_avx()) {
		uint64_t y[64];
		out = y;
		__asm__ volatile(X16(STY) : : [out] "r"(out) : "memory");
		for (unsigned k = 0; k < 16; k++) {
			v->ymm_hi[2 * k] = y[4 * k + 2];
			v->ymm_hi[2 * k + 1] = y[4 * k + 3];
		}
	}
	v->done = 1;
}

static void check_clean(const struct fpu_view *v, const char *who)
{
	for (unsigned k = 0; k < 32; k++)
		if (v->xmm[k] || v->ymm_hi[k])
			ktest_fail(__FILE__, __LINE__, "%s: vector register word %u = %lx", who, k,
				   v->xmm[k] | v->ymm_hi[k]);
	if (v->mxcsr != 0x1f80 || v->fcw != 0x37f || v->fsw != 0 || (v->env[2] & 0xffff) != 0xffff)
		ktest_fail(__FILE__, __LINE__, "%s: mxcsr %x fcw %x fsw %x ftw %x", who, v->mxcsr, v->fcw, v->fsw,
			   v->env[2] & 0xffff);
}

static void dirty_and_block(uint64_t ep)
{
	uint64_t in[64], out[64];
	for (unsigned k = 0; k < 64; k++)
		in[k] = ~0ull;
	if (have_avx())
		avx_hold_yield(in, out, 0);
	sse_hold_yield(in, out, 0);
	uint32_t mx = 0x7f80 | 0x3f; /* round toward zero, all flags */
	uint16_t cw = 0x0c7f;
	__asm__ volatile("ldmxcsr %0; fldcw %1; fld1; fldz" : : "m"(mx), "m"(cw));
	t_done[0] = 1;
	struct lx4_msg m;
	lx4_recv(ep, &m, LX4_TIMEOUT_NEVER); /* still the FPU's owner */
}

/* no FPU state leaks into a new thread, in this task or another */
KTEST(fpu_new_thread_clean_state)
{
	lx4_cap_t ep = ep_new();
	t_done[0] = 0;
	memset(views, 0xa5, sizeof views);
	thread_spawn(dirty_and_block, ep, 90, true);
	KEXPECT_EQ(wait_nz(&t_done[0], 1000 * MS), 1);
	views[0].done = 0;
	thread_spawn(look_at_fpu, 0, 90, true);
	KEXPECT_EQ(wait_nz(&views[0].done, 1000 * MS), 1);
	check_clean(&views[0], "same task");
	struct child c;
	views[1].done = 0;
	task_spawn(&c, look_at_fpu, 1, 0, 0, true);
	KEXPECT_EQ(wait_nz(&views[1].done, 1000 * MS), 1);
	check_clean(&views[1], "other task");
	KEXPECT_EQ(lx4_cap_destroy(c.task), 0); /* its thread has ended */
}

/* a thread's FPU state survives an exception IPC whose handler uses the
 * FPU itself */
extern char fpu_ud2_fault[], fpu_ud2_after[];
static void sse_through_ud2(uint64_t i)
{
	__asm__ volatile(X16(LDX) ".globl fpu_ud2_fault, fpu_ud2_after\n"
				  "fpu_ud2_fault: ud2\n"
				  "fpu_ud2_after:\n" X16(STX)
			 :
			 : [in] "r"(t_in[i]), [out] "r"(t_out[i])
			 : "memory", XMM_CLOBBERS);
	t_done[i] = 1;
}

KTEST(fpu_state_across_exception_ipc)
{
	lx4_cap_t ep = ep_new();
	fill(t_in[0], 32, 40);
	t_done[0] = 0;
	lx4_cap_t t = thread_spawn(sse_through_ud2, 0, 90, false);
	KEXPECT_EQ(lx4_thread_config(t, LX4_TCFG_HANDLER, ep), 0);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_START, 0).err, 0);
	struct lx4_msg m;
	uint64_t w[LX4_MR_COUNT];
	KEXPECT_EQ(recv_words(ep, &m, w, 1000 * MS), 0);
	KEXPECT_EQ(w[LX4_EXC_MR_VECTOR], 6);
	KEXPECT_EQ(w[LX4_REG_RIP], (uint64_t)fpu_ud2_fault);
	/* the handler scribbles over every vector register */
	uint64_t in[32], out[32];
	fill(in, 32, 41);
	sse_hold_yield(in, out, 3);
	KASSERT(same(in, out, 32));
	w[LX4_REG_RIP] = (uint64_t)fpu_ud2_after;
	m = words_msg(0, 8, w);
	KEXPECT_EQ(lx4_reply_to(t, &m), 0);
	KEXPECT_EQ(wait_nz(&t_done[0], 1000 * MS), 1);
	KASSERT(same(t_in[0], t_out[0], 32));
}

static void use_fpu_and_die(uint64_t i)
{
	uint64_t in[32], out[32];
	fill(in, 32, 50 + i);
	sse_hold_yield(in, out, 0);
	t_done[i] = 1;
	/* returns: the thread destroys itself while it owns the FPU */
}

/* the FPU's owner dies, its TCB is freed and reused (as a capability
 * leaf): the next #NM must not save into it */
KTEST(fpu_owner_destroyed)
{
	for (unsigned k = 0; k < 5; k++) {
		t_done[0] = 0;
		lx4_cap_t t = thread_spawn(use_fpu_and_die, 0, 90, true);
		KEXPECT_EQ(wait_nz(&t_done[0], 1000 * MS), 1);
		sleep_ns(1 * MS);
		KEXPECT_EQ(lx4_cap_delete(LX4_CAP_SELF_TASK, t), 0); /* freed now */
		lx4_cap_t leaf = 128 * (3 + k);                      /* a new leaf page: the TCB's */
		KEXPECT_EQ(lx4_ep_create(leaf), 0);
		uint64_t in[32], out[32];
		fill(in, 32, 60 + k);
		sse_hold_yield(in, out, 2);
		KASSERT(same(in, out, 32));
		for (unsigned i = 1; i < 128; i++)
			KEXPECT_EQ(lx4_cap_info(LX4_CAP_SELF_TASK, leaf + i).err, -LX4_ECAP);
		KEXPECT_EQ(lx4_cap_info(LX4_CAP_SELF_TASK, leaf).r1, LX4_OBJ_ENDPOINT);
	}
}
