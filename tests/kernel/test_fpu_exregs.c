/* exregs FPU_READ / FPU_WRITE: a thread's FPU/SSE state through the UTCB
 * (the Linux server saves and restores it in signal frames).  The state
 * may be live in the CPU (the lazy owner) or saved in the TCB: both are
 * read and written here.  A written image is checked as XRSTOR would
 * check it; a bad one is refused and changes nothing. */
#include "kthread.h"

/* this file's C code uses no FPU/SSE register: what the FPU holds is what
 * the assembly below put there */
#pragma GCC target("general-regs-only")

/* offsets in an XSAVE (FXSAVE) image */
#define IMG_FCW 0
#define IMG_FSW 2
#define IMG_FTW 4
#define IMG_MXCSR 24
#define IMG_XMM 160
#define IMG_XSTATE_BV 512
#define IMG_XCOMP_BV 520

/* A holder thread: loads xmm0-15, MXCSR and the x87 control word from
 * in/mx_in/cw_in, then for ever: receives on ep, stores them to
 * out/mx_out/cw_out and counts a round.  Nothing it does can fault,
 * whatever state it was given (stores only, no arithmetic, no fwait). */
struct holder {
	uint64_t in[32];  /* 0 */
	uint64_t out[32]; /* 256 */
	uint64_t ep;      /* 512 */
	volatile uint64_t loaded, rounds; /* 520, 528 */
	uint32_t mx_in, mx_out; /* 536, 540 */
	uint16_t cw_in, cw_out; /* 544, 546 */
};
_Static_assert(__builtin_offsetof(struct holder, ep) == 512 && __builtin_offsetof(struct holder, rounds) == 528 &&
		       __builtin_offsetof(struct holder, mx_in) == 536 && __builtin_offsetof(struct holder, cw_out) == 546,
	       "fpu_holder's offsets");

#define X16(m) m(0) m(1) m(2) m(3) m(4) m(5) m(6) m(7) m(8) m(9) m(10) m(11) m(12) m(13) m(14) m(15)
#define LDX_BP(i) "movdqu " #i "*16(%rbp), %xmm" #i "\n"
#define STX_BP(i) "movdqu %xmm" #i ", 256+" #i "*16(%rbp)\n"
#define LDX_DI(i) "movdqu " #i "*16(%rdi), %xmm" #i "\n"
#define LDX_SI(i) "movdqu " #i "*16(%rsi), %xmm" #i "\n"
#define STX_DX(i) "movdqu %xmm" #i ", " #i "*16(%rdx)\n"

void fpu_holder(uint64_t h);
/* loads xmm0-15 from vals[32] (the caller becomes the FPU's owner) */
void fpu_clobber(const uint64_t *vals);
/* loads xmm0-15 from in, makes exregs(SELF, flags, 0), stores xmm0-15 to
 * out; returns the call's error */
long fpu_self_exregs(uint64_t flags, const uint64_t *in, uint64_t *out);

/* clang-format off */
__asm__(".text\n"
	".globl fpu_holder\n"
	"fpu_holder:\n"
	"mov %rdi, %rbp\n"
	X16(LDX_BP)
	"ldmxcsr 536(%rbp)\n"
	"fldcw 544(%rbp)\n"
	"movq $1, 520(%rbp)\n"
	"1: mov 512(%rbp), %rdi\n"
	"mov $4, %eax\n"        /* LX4_SYS_RECV */
	"mov $-1, %r10\n"       /* no timeout */
	"syscall\n"
	X16(STX_BP)
	"stmxcsr 540(%rbp)\n"
	"fnstcw 546(%rbp)\n"
	"incq 528(%rbp)\n"
	"jmp 1b\n"

	".globl fpu_clobber\n"
	"fpu_clobber:\n"
	X16(LDX_DI)
	"ret\n"

	".globl fpu_self_exregs\n"
	"fpu_self_exregs:\n"
	"push %rdx\n"
	"mov %rdi, %r8\n"
	X16(LDX_SI)
	"mov $16, %eax\n"       /* LX4_SYS_THREAD_EXREGS */
	"mov $0xfffffff1, %edi\n" /* LX4_CAP_SELF_THREAD */
	"mov %r8, %rsi\n"
	"xor %edx, %edx\n"
	"syscall\n"
	"pop %rdx\n"
	X16(STX_DX)
	"ret\n");
/* clang-format on */

static void fill(uint64_t *v, unsigned n, uint64_t seed)
{
	for (unsigned i = 0; i < n; i++)
		v[i] = seed * 0x9e3779b97f4a7c15ull + i * 0x0101010101010101ull;
}

static bool same(const void *a, const void *b, unsigned n) { return memcmp(a, b, n) == 0; }

static uint8_t *img(void) { return lx4_utcb()->fpu; }
static uint64_t img64(unsigned off)
{
	uint64_t v;
	memcpy(&v, img() + off, 8);
	return v;
}
static void img_set64(unsigned off, uint64_t v) { memcpy(img() + off, &v, 8); }
static uint32_t img32(unsigned off)
{
	uint32_t v;
	memcpy(&v, img() + off, 4);
	return v;
}
static void img_set32(unsigned off, uint32_t v) { memcpy(img() + off, &v, 4); }
static uint16_t img16(unsigned off)
{
	uint16_t v;
	memcpy(&v, img() + off, 2);
	return v;
}
static bool have_xsave(void) { return kip()->fpu_features != 0; }

static struct holder holders[2];

/* a holder started with seed's values, at priority 90: it has loaded them
 * and waits in its receive when this returns */
static lx4_cap_t holder_start(struct holder *h, uint64_t seed, uint32_t mx, uint16_t cw)
{
	memset(h, 0, sizeof *h);
	fill(h->in, 32, seed);
	h->mx_in = mx;
	h->cw_in = cw;
	h->ep = ep_new();
	lx4_cap_t t = thread_spawn(fpu_holder, (uint64_t)h, 90, true);
	KEXPECT_EQ(wait_nz(&h->loaded, 1000 * MS), 1);
	KASSERT(wait_state(t, LX4_TSTATE_RECV, 1000 * MS));
	return t;
}

/* one round of the holder: it stores its registers */
static void holder_round(struct holder *h)
{
	uint64_t r = h->rounds;
	struct lx4_msg m = msg(1, 0, 0, 0, 0);
	KEXPECT_EQ(lx4_send((lx4_cap_t)h->ep, &m, LX4_TIMEOUT_NEVER), 0);
	uint64_t end = now_ns() + 1000 * MS;
	while (h->rounds == r && now_ns() < end)
		sleep_ns(MS);
	KEXPECT_EQ(h->rounds, r + 1);
}

/* the image in the UTCB holds h's values */
static void check_image_holds(const struct holder *h, const char *where)
{
	if (!same(img() + IMG_XMM, h->in, 256))
		ktest_fail(__FILE__, __LINE__, "%s: xmm registers differ", where);
	KEXPECT_EQ(img32(IMG_MXCSR), h->mx_in);
	KEXPECT_EQ(img16(IMG_FCW), h->cw_in);
	if (have_xsave())
		KEXPECT_EQ(img64(IMG_XSTATE_BV) & 3, 3); /* x87 and SSE state in use */
}

/* a thread's state is read where it lives: in the CPU (the thread that
 * used the FPU last; this test's code uses none), then in its TCB (once
 * another thread took the FPU) */
KTEST(fpu_exregs_read)
{
	struct holder *h = &holders[0];
	lx4_cap_t t = holder_start(h, 1, 0x1f80 | 0x6000 /* round toward zero */, 0x037f & ~0x300 /* single */);
	memset(img(), 0x5a, LX4_UTCB_FPU_SIZE);
	struct lx4_sysret r = lx4_exregs(t, LX4_EXREGS_FPU_READ, 0);
	KEXPECT_EQ(r.err, 0);
	KEXPECT_EQ(r.r1, LX4_TSTATE_RECV); /* FPU_READ alone neither stops nor aborts */
	check_image_holds(h, "live in the CPU");
	uint64_t size = kip()->fpu_size;
	KASSERT(size >= 512 && size <= LX4_UTCB_FPU_SIZE);
	if (size < LX4_UTCB_FPU_SIZE)
		KEXPECT_EQ(img()[size], 0x5a); /* no byte beyond the image */
	uint64_t other[32];
	fill(other, 32, 2);
	fpu_clobber(other); /* h's state goes to its TCB */
	memset(img(), 0, LX4_UTCB_FPU_SIZE);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_FPU_READ | LX4_EXREGS_STOP, 0).err, 0);
	check_image_holds(h, "saved in the TCB");
	KEXPECT_EQ(thread_state(t), LX4_TSTATE_INACTIVE);
}

/* the image of a thread that never used the FPU: the init state */
KTEST(fpu_exregs_never_used)
{
	lx4_cap_t t = thread_spawn(fpu_holder, (uint64_t)&holders[0], 90, false);
	memset(img(), 0xa5, LX4_UTCB_FPU_SIZE);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_FPU_READ, 0).err, 0);
	KEXPECT_EQ(img16(IMG_FCW), 0x37f);
	KEXPECT_EQ(img16(IMG_FSW), 0);
	KEXPECT_EQ(img()[IMG_FTW], 0); /* abridged: every register empty */
	KEXPECT_EQ(img32(IMG_MXCSR), 0x1f80);
	for (unsigned i = 0; i < 256; i++)
		KEXPECT_EQ(img()[IMG_XMM + i], 0);
	if (have_xsave()) {
		KEXPECT_EQ(img64(IMG_XSTATE_BV) & ~kip()->fpu_features, 0);
		KEXPECT_EQ(img64(IMG_XCOMP_BV), 0);
	}
	/* what was read can be written back: it is valid */
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_FPU_WRITE, 0).err, 0);
	KEXPECT_EQ(thread_state(t), LX4_TSTATE_INACTIVE);
}

/* a written state is what the thread finds: written while the thread
 * owns the FPU (its copy in the CPU must go), and while it does not */
KTEST(fpu_exregs_write)
{
	struct holder *h = &holders[0];
	for (unsigned pass = 0; pass < 2; pass++) {
		lx4_cap_t t = holder_start(h, 10 + pass, 0x1f80, 0x37f);
		if (pass == 1) {
			uint64_t other[32];
			fill(other, 32, 3);
			fpu_clobber(other);
		}
		KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_FPU_READ, 0).err, 0);
		uint64_t want[32];
		fill(want, 32, 20 + pass);
		memcpy(img() + IMG_XMM, want, sizeof want);
		img_set32(IMG_MXCSR, 0x1f80 | 0x2000 | (0x40 /* round down, DAZ */ & (uint32_t)kip()->fpu_mxcsr_mask));
		uint32_t want_mx = img32(IMG_MXCSR);
		KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_FPU_WRITE, 0).err, 0);
		KEXPECT_EQ(thread_state(t), LX4_TSTATE_RECV); /* FPU_WRITE does not abort its IPC */
		holder_round(h);
		if (!same(h->out, want, sizeof want))
			ktest_fail(__FILE__, __LINE__, "pass %u: the holder does not see the written xmm", pass);
		KEXPECT_EQ(h->mx_out, want_mx);
		KEXPECT_EQ(h->cw_out, 0x37f);
		KEXPECT_EQ(lx4_cap_delete(LX4_CAP_SELF_TASK, t), 0);
	}
}

/* read and write in one call exchange; a read and a write back change
 * nothing */
KTEST(fpu_exregs_round_trip)
{
	struct holder *h = &holders[0];
	lx4_cap_t t = holder_start(h, 30, 0x1f80 | 0x4000, 0x27f);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_FPU_READ, 0).err, 0);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_FPU_WRITE, 0).err, 0);
	holder_round(h);
	KASSERT(same(h->out, h->in, 256));
	KEXPECT_EQ(h->mx_out, h->mx_in);
	KEXPECT_EQ(h->cw_out, h->cw_in);
	/* the exchange: the old state comes back, the new one is set */
	uint64_t want[32];
	fill(want, 32, 31);
	memcpy(img() + IMG_XMM, want, sizeof want);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_FPU_READ | LX4_EXREGS_FPU_WRITE, 0).err, 0);
	check_image_holds(h, "exchanged");
	holder_round(h);
	KASSERT(same(h->out, want, sizeof want));
	KEXPECT_EQ(h->mx_out, h->mx_in);
	/* a thread that never ran starts with what it was given */
	struct holder *g = &holders[1];
	memset(g, 0, sizeof *g);
	g->ep = ep_new();
	g->mx_in = 0x1f80;
	g->cw_in = 0x37f;
	fill(g->in, 32, 32);
	lx4_cap_t u = thread_spawn(fpu_holder, (uint64_t)g, 90, false);
	KEXPECT_EQ(lx4_exregs(u, LX4_EXREGS_FPU_WRITE, 0).err, 0);
	KEXPECT_EQ(lx4_exregs(u, LX4_EXREGS_START, 0).err, 0);
	KEXPECT_EQ(wait_nz(&g->loaded, 1000 * MS), 1);
	holder_round(g);
	KASSERT(same(g->out, g->in, 256)); /* it loaded its own on top */
}

/* a thread reads and writes its own state while it holds it in the CPU */
KTEST(fpu_exregs_self)
{
	uint64_t in[32], out[32], want[32];
	fill(in, 32, 40);
	KEXPECT_EQ(fpu_self_exregs(LX4_EXREGS_FPU_READ, in, out), 0);
	KASSERT(same(img() + IMG_XMM, in, sizeof in));
	KASSERT(same(out, in, sizeof in));
	fill(want, 32, 41);
	memcpy(img() + IMG_XMM, want, sizeof want);
	KEXPECT_EQ(fpu_self_exregs(LX4_EXREGS_FPU_WRITE, in, out), 0);
	KASSERT(same(out, want, sizeof want)); /* the registers changed under it */
	fill(want, 32, 42);
	memcpy(img() + IMG_XMM, want, sizeof want);
	KEXPECT_EQ(fpu_self_exregs(LX4_EXREGS_FPU_READ | LX4_EXREGS_FPU_WRITE, in, out), 0);
	KASSERT(same(img() + IMG_XMM, in, sizeof in));
	KASSERT(same(out, want, sizeof want));
}

/* FPU_INIT: the init state, whether the state is live in the CPU or in
 * the TCB; with FPU_READ the old state comes back first; with FPU_WRITE it
 * is refused and nothing changes */
KTEST(fpu_exregs_init)
{
	struct holder *h = &holders[0];
	for (unsigned pass = 0; pass < 2; pass++) {
		lx4_cap_t t = holder_start(h, 50 + pass, 0x1f80 | 0x6000, 0x27f);
		if (pass == 1) {
			uint64_t other[32];
			fill(other, 32, 52);
			fpu_clobber(other); /* h's state goes to its TCB */
		}
		KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_FPU_INIT | LX4_EXREGS_FPU_WRITE, 0).err, -LX4_EINVAL);
		KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_FPU_READ, 0).err, 0);
		check_image_holds(h, "before FPU_INIT");
		memset(img(), 0, LX4_UTCB_FPU_SIZE);
		KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_FPU_READ | LX4_EXREGS_FPU_INIT, 0).err, 0);
		check_image_holds(h, "read with FPU_INIT");
		KEXPECT_EQ(thread_state(t), LX4_TSTATE_RECV); /* it does not abort its IPC */
		KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_FPU_READ, 0).err, 0);
		KEXPECT_EQ(img32(IMG_MXCSR), 0x1f80);
		KEXPECT_EQ(img16(IMG_FCW), 0x37f);
		for (unsigned i = 0; i < 256; i++)
			KEXPECT_EQ(img()[IMG_XMM + i], 0);
		holder_round(h); /* and the thread finds it so */
		uint64_t zero[32] = {0};
		KASSERT(same(h->out, zero, sizeof zero));
		KEXPECT_EQ(h->mx_out, 0x1f80);
		KEXPECT_EQ(h->cw_out, 0x37f);
		KEXPECT_EQ(lx4_cap_delete(LX4_CAP_SELF_TASK, t), 0);
	}
	/* and a thread of its own */
	uint64_t in[32], out[32], zero[32] = {0};
	fill(in, 32, 53);
	KEXPECT_EQ(fpu_self_exregs(LX4_EXREGS_FPU_INIT, in, out), 0);
	KASSERT(same(out, zero, sizeof zero));
}

/* what the kernel would refuse: each field XRSTOR faults on */
struct bad_image {
	const char *what;
	unsigned off, width;
	uint64_t v;
	bool xsave_only;
};

KTEST(fpu_exregs_invalid_images)
{
	struct holder *h = &holders[0];
	lx4_cap_t t = holder_start(h, 50, 0x1f80, 0x37f);
	uint32_t mask = (uint32_t)kip()->fpu_mxcsr_mask;
	uint64_t features = kip()->fpu_features;
	KASSERT(mask != 0xffffffff);
	uint32_t mx_bad = 0;
	for (unsigned b = 31; b < 32; b--)
		if (!(mask >> b & 1))
			mx_bad = 1u << b; /* the lowest bit the CPU refuses */
	uint64_t feat_bad = 0;
	for (unsigned b = 63; b < 64; b--)
		if (!(features >> b & 1))
			feat_bad = 1ull << b;
	const struct bad_image bad[] = {
	    {"MXCSR bit 31", IMG_MXCSR, 4, 0x80001f80, false},
	    {"the lowest MXCSR bit beyond MXCSR_MASK", IMG_MXCSR, 4, 0x1f80 | mx_bad, false},
	    {"MXCSR all ones", IMG_MXCSR, 4, 0xffffffff, false},
	    {"XSTATE_BV bit 63", IMG_XSTATE_BV, 8, 1ull << 63 | 3, true},
	    {"XSTATE_BV: the lowest feature beyond XCR0", IMG_XSTATE_BV, 8, feat_bad | 3, true},
	    {"XCOMP_BV bit 63 (compacted)", IMG_XCOMP_BV, 8, 1ull << 63 | 3, true},
	    {"XCOMP_BV bit 0", IMG_XCOMP_BV, 8, 1, true},
	    {"header byte 16", 512 + 16, 1, 1, true},
	    {"header word 3", 512 + 24, 8, ~0ull, true},
	    {"header word 4", 512 + 32, 8, 1ull << 40, true},
	    {"header word 5", 512 + 40, 8, 2, true},
	    {"header word 6", 512 + 48, 8, 1ull << 63, true},
	    {"header byte 63", 512 + 63, 1, 0x80, true},
	};
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_FPU_READ, 0).err, 0);
	static uint8_t good[LX4_UTCB_FPU_SIZE];
	memcpy(good, img(), sizeof good);
	for (unsigned k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		if (bad[k].xsave_only && !have_xsave())
			continue;
		memcpy(img(), good, sizeof good);
		memcpy(img() + bad[k].off, &bad[k].v, bad[k].width);
		img_set64(IMG_XMM, 0xbad); /* would show if anything were written */
		/* checked before anything changes: not stopped, no registers */
		lx4_utcb()->mr[LX4_REG_RAX] = 0xdead;
		struct lx4_sysret r = lx4_exregs(t, LX4_EXREGS_FPU_WRITE | LX4_EXREGS_STOP | LX4_EXREGS_WRITE |
							LX4_EXREGS_FPU_READ,
						 1ull << LX4_REG_RAX);
		if (r.err != -LX4_EINVAL)
			ktest_fail(__FILE__, __LINE__, "%s: exregs gave %ld", bad[k].what, r.err);
		KEXPECT_EQ(thread_state(t), LX4_TSTATE_RECV);
		KEXPECT_EQ(img64(IMG_XMM), 0xbad); /* not read either */
	}
	/* the thread's state is as it was */
	holder_round(h);
	KASSERT(same(h->out, h->in, 256));
	KEXPECT_EQ(h->mx_out, 0x1f80);
	/* flags beyond those there are */
	KEXPECT_EQ(lx4_exregs(t, 0x100, 0).err, -LX4_EINVAL);
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_FPU_READ | 1ull << 40, 0).err, -LX4_EINVAL);
	/* the last valid MXCSR: every bit the mask allows */
	memcpy(img(), good, sizeof good);
	img_set32(IMG_MXCSR, mask & ~0x3fu); /* no exception flags set */
	KEXPECT_EQ(lx4_exregs(t, LX4_EXREGS_FPU_WRITE, 0).err, 0);
	holder_round(h);
	KEXPECT_EQ(h->mx_out, mask & ~0x3fu);
}

static uint64_t rng = 0x243f6a8885a308d3ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* random images, some valid, most nearly so: the kernel takes exactly the
 * valid ones, and the thread then runs on each (the restore happens at
 * its next FPU instruction) */
KTEST(fpu_exregs_random_images)
{
	struct holder *h = &holders[0];
	lx4_cap_t t = holder_start(h, 60, 0x1f80, 0x37f);
	uint64_t size = kip()->fpu_size, features = kip()->fpu_features;
	uint32_t mask = (uint32_t)kip()->fpu_mxcsr_mask;
	unsigned taken = 0;
	for (unsigned k = 0; k < 400; k++) {
		for (unsigned i = 0; i < size; i += 8)
			img_set64(i, rnd());
		bool ok = true;
		uint32_t mx = (uint32_t)rnd();
		if (rnd() % 4)
			mx &= mask;
		img_set32(IMG_MXCSR, mx);
		ok &= !(mx & ~mask);
		if (features) {
			uint64_t bv = rnd() % 4 ? rnd() & features : rnd();
			img_set64(IMG_XSTATE_BV, bv);
			ok &= !(bv & ~features);
			for (unsigned w = 1; w < 8; w++) {
				uint64_t v = rnd() % 16 ? 0 : 1ull << (rnd() % 64);
				img_set64(IMG_XSTATE_BV + 8 * w, v);
				ok &= !v;
			}
		}
		uint64_t xmm[32];
		memcpy(xmm, img() + IMG_XMM, sizeof xmm);
		uint16_t cw = img16(IMG_FCW);
		uint64_t bv = features ? img64(IMG_XSTATE_BV) : 3;
		long e = lx4_exregs(t, LX4_EXREGS_FPU_WRITE, 0).err;
		if (e != (ok ? 0 : -LX4_EINVAL))
			ktest_fail(__FILE__, __LINE__, "image %u: exregs gave %ld, the image is %svalid", k, e,
				   ok ? "" : "in");
		if (e)
			continue;
		taken++;
		holder_round(h);
		if (bv & 2) {
			if (!same(h->out, xmm, sizeof xmm))
				ktest_fail(__FILE__, __LINE__, "image %u: xmm not restored", k);
		} else {
			for (unsigned i = 0; i < 32; i++)
				KEXPECT_EQ(h->out[i], 0); /* the init state */
		}
		KEXPECT_EQ(h->mx_out, mx);
		KEXPECT_EQ(h->cw_out, (bv & 1) ? cw : 0x37f);
	}
	KASSERT(taken > 50 && taken < 350);
}
