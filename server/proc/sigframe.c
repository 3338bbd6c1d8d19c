/*
 * The x86-64 Linux signal frame (arch/x86/kernel/signal.c): struct
 * rt_sigframe on the user's stack, below the red zone (or at the top of
 * the alternate stack), with the FPU state in the XSAVE layout above it
 * and its FP_XSTATE_MAGIC1/2 markers, as Linux writes them; and its
 * checked reading back by rt_sigreturn.  User memory is only touched
 * through copy_to_user / copy_from_user: a frame that cannot be written
 * or read is -EFAULT, and the caller sends SIGSEGV.
 */
#include <asm/sigcontext.h>

#include "signal.h"
#include "sys.h"

#define UC_FP_XSTATE 0x1
#define UC_SIGCONTEXT_SS 0x2
#define UC_STRICT_RESTORE_SS 0x4
#define USER_CS_LINUX 0x33 /* Linux's selectors, as a frame shows them */
#define USER_DS_LINUX 0x2b
#define SS_ONSTACK_L 1
#define SS_DISABLE_L 2
#define SS_AUTODISARM_L (1u << 31)
/* the flags a frame gives back (FIX_EFLAGS): AC OF DF TF SF ZF AF PF CF RF */
#define FIX_EFLAGS 0x50dd5ull
#define RFLAGS_TF 0x100ull
#define RFLAGS_DF 0x400ull
#define RFLAGS_RF 0x10000ull
/* offsets in an XSAVE image */
#define FX_SW_BYTES 464
#define XSTATE_HDR 512
#define XFEATURE_FPSSE 3ull

struct lstack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

struct lucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct lstack uc_stack;
	struct sigcontext uc_mcontext;
	uint64_t uc_sigmask;
};

struct rt_sigframe {
	uint64_t pretcode;
	struct lucontext uc;
	uint8_t info[128];
};
_Static_assert(sizeof(struct sigcontext) == 256 && sizeof(struct rt_sigframe) == 440 &&
		       __builtin_offsetof(struct rt_sigframe, info) == 312 && sizeof(siginfo_t) == 128,
	       "the x86-64 rt_sigframe");

struct plat_fpu_info sig_fpu;

static void fpu_info(void)
{
	if (!sig_fpu.size)
		plat_fpu_info(&sig_fpu);
}

uint64_t sigframe_max_size(void)
{
	fpu_info();
	/* Linux's init_sigframe_size: the frame, its alignment padding, the
	 * FPU image (with XSAVE's end marker) and its padding, rounded to 16 */
	uint64_t n =
	    sizeof(struct rt_sigframe) + 15 + sig_fpu.size + (sig_fpu.features ? FP_XSTATE_MAGIC2_SIZE : 0) + 63;
	return (n + 15) & ~15ull;
}

static uint32_t get32(const uint8_t *p, unsigned off)
{
	uint32_t v;
	memcpy(&v, p + off, 4);
	return v;
}
static uint64_t get64(const uint8_t *p, unsigned off)
{
	uint64_t v;
	memcpy(&v, p + off, 8);
	return v;
}
static void put32(uint8_t *p, unsigned off, uint32_t v) { memcpy(p + off, &v, 4); }
static void put64(uint8_t *p, unsigned off, uint64_t v) { memcpy(p + off, &v, 8); }

void sigframe_fpu_init(struct sigctx *c)
{
	fpu_info();
	c->fpu_init = false;
	memset(c->fpu, 0, sig_fpu.size);
	c->fpu[0] = 0x7f; /* FCW 0x37f */
	c->fpu[1] = 0x03;
	put32(c->fpu, 24, 0x1f80); /* MXCSR */
	put32(c->fpu, 28, sig_fpu.mxcsr_mask);
	/* XSTATE_BV 0: every component in its init state */
}

/* ---- sigaltstack ---------------------------------------------------------- */

static bool on_altstack(const struct lthread *t, uint64_t sp)
{
	if (t->ss_flags & SS_AUTODISARM_L)
		return false;
	return sp > t->ss_sp && sp - t->ss_sp <= t->ss_size;
}

/* ---- writing a frame ---------------------------------------------------------- */

/* the FPU state as Linux saves it in a frame: the image with its software
 * bytes (and FP/SSE always marked present, for programs that edit only the
 * legacy area), MAGIC2 after it; one copy (the platform's area has room
 * for MAGIC2) */
static int write_fpstate(struct proc *p, uint64_t buf, struct sigctx *c)
{
	_Static_assert(PLAT_FPU_MAX >= 2048, "room for MAGIC2 after any image of the UTCB's size");
	if (c->fpu_init)
		sigframe_fpu_init(c);
	struct _fpx_sw_bytes sw = {0};
	sw.magic1 = FP_XSTATE_MAGIC1;
	sw.extended_size = sig_fpu.size + FP_XSTATE_MAGIC2_SIZE;
	sw.xfeatures = sig_fpu.features ? sig_fpu.features : XFEATURE_FPSSE;
	sw.xstate_size = sig_fpu.size;
	memcpy(c->fpu + FX_SW_BYTES, &sw, sizeof sw);
	uint64_t n = sig_fpu.size;
	if (sig_fpu.features) {
		put64(c->fpu, XSTATE_HDR, get64(c->fpu, XSTATE_HDR) | XFEATURE_FPSSE);
		put32(c->fpu, sig_fpu.size, FP_XSTATE_MAGIC2);
		n += FP_XSTATE_MAGIC2_SIZE;
	}
	return copy_to_user(p, buf, c->fpu, n) ? -EFAULT : 0;
}

/* (sc is zero: the fields not set here stay so) */
static void put_sigcontext(struct sigcontext *sc, const uint64_t *r, const struct lthread *t, uint64_t mask,
			   uint64_t fpstate)
{
	sc->r8 = r[PLAT_REG_R8];
	sc->r9 = r[PLAT_REG_R9];
	sc->r10 = r[PLAT_REG_R10];
	sc->r11 = r[PLAT_REG_R11];
	sc->r12 = r[PLAT_REG_R12];
	sc->r13 = r[PLAT_REG_R13];
	sc->r14 = r[PLAT_REG_R14];
	sc->r15 = r[PLAT_REG_R15];
	sc->rdi = r[PLAT_REG_RDI];
	sc->rsi = r[PLAT_REG_RSI];
	sc->rbp = r[PLAT_REG_RBP];
	sc->rbx = r[PLAT_REG_RBX];
	sc->rdx = r[PLAT_REG_RDX];
	sc->rax = r[PLAT_REG_RAX];
	sc->rcx = r[PLAT_REG_RCX];
	sc->rsp = r[PLAT_REG_RSP];
	sc->rip = r[PLAT_REG_RIP];
	sc->eflags = r[PLAT_REG_RFLAGS];
	sc->cs = USER_CS_LINUX;
	sc->ss = USER_DS_LINUX;
	sc->err = t->trap_err;
	sc->trapno = t->trapno;
	sc->oldmask = mask;
	sc->cr2 = t->cr2;
	sc->fpstate = (struct _fpstate *)(uintptr_t)fpstate;
}

/* Linux's get_sigframe: below the red zone, or at the top of the
 * alternate stack for SA_ONSTACK; the FPU state 64-byte aligned, the
 * frame so that the handler starts as after a call ((sp + 8) % 16 == 0).
 * ~0: it overflowed the alternate stack (a SIGSEGV). */
static uint64_t frame_at(const struct lthread *t, const struct k_sigaction *ka, uint64_t rsp, uint64_t *fpstate)
{
	uint64_t sp = rsp - 128;
	bool nested = on_altstack(t, rsp), entering = false;
	if ((ka->flags & SA_ONSTACK) && t->ss_size && !nested) {
		sp = t->ss_sp + t->ss_size;
		entering = true;
	}
	uint64_t fsize = sig_fpu.size + (sig_fpu.features ? FP_XSTATE_MAGIC2_SIZE : 0);
	sp = (sp - fsize) & ~63ull;
	*fpstate = sp;
	sp = ((sp - sizeof(struct rt_sigframe)) & ~15ull) - 8;
	if ((nested || entering) && !(sp > t->ss_sp && sp - t->ss_sp <= t->ss_size))
		return ~0ull;
	return sp;
}

int sigframe_setup(struct lthread *t, int sig, const siginfo_t *info, const struct k_sigaction *ka, uint64_t mask,
		   struct sigctx *c)
{
	struct proc *p = t->proc;
	fpu_info();
	if (!(ka->flags & SA_RESTORER))
		return -EFAULT; /* x86-64 has no return stub of its own */
	uint64_t fpstate, sp = frame_at(t, ka, c->regs[PLAT_REG_RSP], &fpstate);
	if (sp == ~0ull || !access_ok(sp, sizeof(struct rt_sigframe)))
		return -EFAULT;
	static struct rt_sigframe f;
	memset(&f, 0, offsetof(struct rt_sigframe, info));
	f.pretcode = ka->restorer;
	f.uc.uc_flags = (sig_fpu.features ? UC_FP_XSTATE : 0) | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	f.uc.uc_stack.ss_sp = t->ss_sp;
	f.uc.uc_stack.ss_flags = (int32_t)t->ss_flags;
	f.uc.uc_stack.ss_size = t->ss_size;
	put_sigcontext(&f.uc.uc_mcontext, c->regs, t, mask, fpstate);
	f.uc.uc_sigmask = mask;
	memcpy(f.info, info, KSIGINFO_SIZE);
	memset(f.info + KSIGINFO_SIZE, 0, sizeof f.info - KSIGINFO_SIZE);
	/* the info only with SA_SIGINFO: without, Linux leaves the stack there */
	size_t n = (ka->flags & SA_SIGINFO) ? sizeof f : offsetof(struct rt_sigframe, info);
	if (write_fpstate(p, fpstate, c) || copy_to_user(p, sp, &f, n))
		return -EFAULT;
	if (t->ss_flags & SS_AUTODISARM_L) { /* saved in the frame, disarmed meanwhile */
		t->ss_sp = t->ss_size = 0;
		t->ss_flags = SS_DISABLE_L;
	}
	uint64_t *r = c->regs;
	r[PLAT_REG_RDI] = (uint64_t)sig;
	r[PLAT_REG_RAX] = 0;
	r[PLAT_REG_RSI] = sp + offsetof(struct rt_sigframe, info);
	r[PLAT_REG_RDX] = sp + offsetof(struct rt_sigframe, uc);
	r[PLAT_REG_RIP] = ka->handler;
	r[PLAT_REG_RSP] = sp;
	r[PLAT_REG_RFLAGS] &= ~(RFLAGS_DF | RFLAGS_RF | RFLAGS_TF);
	c->fpu_init = true; /* the handler starts with a clean FPU */
	return 0;
}

/* ---- reading one back (rt_sigreturn) --------------------------------------------- */

/* What XRSTOR would fault on (the checks the kernel makes too): a bad image
 * is a bad frame, as Linux's failed XRSTOR is. */
static bool fpu_image_ok(const uint8_t *img)
{
	if (get32(img, 24) & ~sig_fpu.mxcsr_mask)
		return false;
	if (!sig_fpu.features)
		return true;
	if (get64(img, XSTATE_HDR) & ~sig_fpu.features)
		return false;
	for (unsigned i = 1; i < 8; i++)
		if (get64(img, XSTATE_HDR + 8 * i))
			return false;
	return true;
}

/* Linux's fpu__restore_sig: the XSAVE image when its software bytes and
 * MAGIC2 say it is one (with only the features they name; the others go
 * to their init state), else the legacy 512 bytes (x87 and SSE; the rest
 * init).  No fpstate: the init state. */
static int read_fpstate(struct proc *p, uint64_t buf, struct sigctx *c)
{
	c->fpu_init = !buf;
	if (!buf)
		return 0;
	uint64_t size = sig_fpu.size + (sig_fpu.features ? FP_XSTATE_MAGIC2_SIZE : 0);
	if (!access_ok(buf, size))
		return -EFAULT;
	/* the legacy area first (its software bytes say what else to read),
	 * straight into the platform's area; all of it at once when it lies
	 * in one page (a fault then is the legacy area's too) */
	uint8_t *img = c->fpu;
	uint64_t have = (buf & 4095) + size <= 4096 ? size : 512; /* (size: MAGIC2 too) */
	if (copy_from_user(p, img, buf, have))
		return -EFAULT;
	bool fx_only = !sig_fpu.features;
	uint64_t xrestore = XFEATURE_FPSSE;
	if (!fx_only) {
		struct _fpx_sw_bytes sw;
		memcpy(&sw, img + FX_SW_BYTES, sizeof sw);
		fx_only = sw.magic1 != FP_XSTATE_MAGIC1 || sw.xstate_size < 512 + 64 ||
			  sw.xstate_size > sig_fpu.size || sw.xstate_size > sw.extended_size;
		if (!fx_only) {
			uint32_t magic2;
			if (have < sig_fpu.size) {
				if (copy_from_user(p, img + 512, buf + 512, sig_fpu.size - 512))
					return -EFAULT;
				have = sig_fpu.size;
			}
			if (sw.xstate_size + sizeof magic2 <= have)
				magic2 = get32(img, sw.xstate_size);
			else if (copy_from_user(p, &magic2, buf + sw.xstate_size, sizeof magic2))
				return -EFAULT;
			fx_only = magic2 != FP_XSTATE_MAGIC2;
			xrestore = sw.xfeatures & sig_fpu.features;
		}
	}
	if (buf & (fx_only ? 15 : 63))
		return -EFAULT; /* FXRSTOR and XRSTOR fault on a misaligned image */
	if (sig_fpu.features && fx_only) {
		memset(img + XSTATE_HDR, 0, 64); /* (the rest is not looked at: not in XSTATE_BV) */
		put64(img, XSTATE_HDR, XFEATURE_FPSSE);
	} else if (sig_fpu.features) {
		/* features not restored go to their init state; bits beyond
		 * the CPU's stay, for the check to refuse */
		uint64_t bv = get64(img, XSTATE_HDR);
		put64(img, XSTATE_HDR, bv & (xrestore | ~sig_fpu.features));
	}
	return fpu_image_ok(img) ? 0 : -EFAULT;
}

/* sigaltstack from the frame's uc_stack, as Linux's restore_altstack: its
 * errors are ignored (only a fault reading it counts) */
static void restore_altstack(struct lthread *t, const struct lstack *st, uint64_t sp)
{
	if (on_altstack(t, sp))
		return; /* EPERM */
	uint32_t mode = (uint32_t)st->ss_flags & ~SS_AUTODISARM_L;
	if (mode != SS_DISABLE_L && mode != SS_ONSTACK_L && mode != 0)
		return; /* EINVAL */
	if (mode == SS_DISABLE_L) {
		t->ss_sp = t->ss_size = 0;
	} else {
		if (st->ss_size < MINSIGSTKSZ)
			return; /* ENOMEM */
		t->ss_sp = st->ss_sp;
		t->ss_size = st->ss_size;
	}
	t->ss_flags = (uint32_t)st->ss_flags;
}

int sigframe_restore(struct lthread *t, uint64_t rsp, struct sigctx *c, uint64_t *mask)
{
	struct proc *p = t->proc;
	fpu_info();
	uint64_t at = rsp - 8; /* the handler's return popped pretcode */
	static struct rt_sigframe f;
	if (!access_ok(at, sizeof f) || copy_from_user(p, &f, at, offsetof(struct rt_sigframe, info)))
		return -EFAULT;
	*mask = f.uc.uc_sigmask;
	signal_set_mask(t, f.uc.uc_sigmask); /* first, as Linux does */
	const struct sigcontext *sc = &f.uc.uc_mcontext;
	uint64_t *r = c->regs;
	r[PLAT_REG_R8] = sc->r8;
	r[PLAT_REG_R9] = sc->r9;
	r[PLAT_REG_R10] = sc->r10;
	r[PLAT_REG_R11] = sc->r11;
	r[PLAT_REG_R12] = sc->r12;
	r[PLAT_REG_R13] = sc->r13;
	r[PLAT_REG_R14] = sc->r14;
	r[PLAT_REG_R15] = sc->r15;
	r[PLAT_REG_RDI] = sc->rdi;
	r[PLAT_REG_RSI] = sc->rsi;
	r[PLAT_REG_RBP] = sc->rbp;
	r[PLAT_REG_RBX] = sc->rbx;
	r[PLAT_REG_RDX] = sc->rdx;
	r[PLAT_REG_RAX] = sc->rax;
	r[PLAT_REG_RCX] = sc->rcx;
	r[PLAT_REG_RSP] = sc->rsp;
	r[PLAT_REG_RIP] = sc->rip;
	r[PLAT_REG_RFLAGS] = (r[PLAT_REG_RFLAGS] & ~FIX_EFLAGS) | (sc->eflags & FIX_EFLAGS);
	/* CS and SS as the return to user mode would load them (with RPL 3):
	 * Linux's 64-bit code and data segments; anything else faults there
	 * (or, for CS 0x23, would run 32-bit code, which lx4 has not) */
	if ((sc->cs | 3) != USER_CS_LINUX)
		return -EFAULT;
	if ((f.uc.uc_flags & UC_STRICT_RESTORE_SS) && (sc->ss | 3) != USER_DS_LINUX)
		return -EFAULT;
	if (read_fpstate(p, (uint64_t)(uintptr_t)sc->fpstate, c))
		return -EFAULT;
	restore_altstack(t, &f.uc.uc_stack, r[PLAT_REG_RSP]);
	return 0;
}
