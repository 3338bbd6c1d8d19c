/* The fuzzer's arguments, its victims and what keeps a fuzzer alive (see
 * fuzz.h and test_fuzz.c). */
#include "fuzz.h"

/* ---- victims: threads that use registers only (rbp holds their endpoint),
 * so that any register values are harmless and every thread can be sent
 * here by exregs or an exception reply */
_Static_assert(LX4_SYS_CALL == 1 && LX4_SYS_REPLY_RECV == 2 && LX4_SYS_YIELD == 6, "victim syscall numbers");
__asm__(".pushsection .text\n"
	/* echoes the untyped words back; receives with a 2 ms timeout */
	".globl fz_victim_server\n"
	"fz_victim_server:\n"
	"1:	mov %rbp, %rdi\n"
	"	and $63, %esi\n"
	"	mov $2000000, %r10d\n"
	"	mov $2, %eax\n"
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jz 1b\n"
	"	mov $6, %eax\n"
	"	syscall\n"
	"	jmp 1b\n"
	/* calls with label 0x420 and three words, 1 ms timeouts */
	".globl fz_victim_caller\n"
	"fz_victim_caller:\n"
	"1:	mov %rbp, %rdi\n"
	"	mov $0x4200003, %esi\n"
	"	mov $1000000, %edx\n"
	"	mov $1000000, %r10d\n"
	"	mov $1, %eax\n"
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jz 1b\n"
	"	mov $6, %eax\n"
	"	syscall\n"
	"	jmp 1b\n"
	/* exceptions to its handler */
	".globl fz_victim_trap\n"
	"fz_victim_trap:\n"
	"1:	int3\n"
	"	mov $6, %eax\n"
	"	syscall\n"
	"	jmp 1b\n"
	".popsection\n");

/* ---- the generator ------------------------------------------------------- */

static const uint64_t special_addr[] = {
    0,
    0xfff,
    0x1000,
    CHILD_BASE,
    0x3ff000,
    ~0ull,
    0xfffffffffffff000ull,
    0xffffffff80000000ull,
    0xffffffff80100000ull,
    0xffff800000000000ull,
    0xffff800000100000ull,
    0x0000800000000000ull,
    0x8000000000000000ull,
    0x00007ffffffff000ull,
    0x00007fffffffe000ull,
    0x00007ffffffffff8ull,
    0x00007fffffe00000ull,
    0x00007fffc0000000ull,
    TP_KIP,
    TP_UTCB,
    TP_HEAP,
    LX4_ROOT_RAM_BASE,
    FZ_STACK_TOP - 4096,
    FZ_SCRATCH - 4096,
    FZ_SCRATCH + FZ_REGION,
};

uint64_t fz_addr(struct fz *f)
{
	switch (below(f, 16)) {
	case 0:
	case 1:
	case 2:
	case 3:
	case 4: return FZ_SCRATCH + below(f, FZ_REGION / 4096) * 4096;
	case 5: return FZ_SCRATCH + below(f, FZ_SCRATCH_PAGES) * 4096;
	case 6: return FZ_SCRATCH + below(f, FZ_REGION);
	case 7: return CHILD_BASE + below(f, 64) * 4096;
	case 8:
	case 9: return PICK(f, special_addr);
	case 10: return FZ_IMAGE + below(f, 256) * 4096;
	case 11: return (rnd(f) & ((1ull << 47) - 1)) & ~0xfffull;
	case 12: return (rnd(f) & ((1ull << 47) - 1)) & ~((1ull << 21) - 1);
	case 13: return FZ_SCRATCH + below(f, 2) * (1ull << 21);
	case 14: return rnd(f);
	default: return below(f, 512) * 4096;
	}
}

static const uint64_t special_slot[] = {
    0xffffffffull, 0xfffffff2ull, 0xffffffefull, FZ_SLOTS - 2,  FZ_SLOTS,
    FZ_SLOTS + 1,  16383,         16384,         0x80000000ull, 0x100000003ull,
};

/* each kind of object has its slots (creation puts new ones there), so
 * that a call mostly finds the kind it wants; the rest hold copies */
static const uint8_t kind_first[] = {[K_ANY] = 1, [K_EP] = 2, [K_TASK] = 10, [K_THREAD] = 16, [K_IRQ] = 28};
static const uint8_t kind_count[] = {[K_ANY] = FZ_HOT, [K_EP] = 8, [K_TASK] = 6, [K_THREAD] = 12, [K_IRQ] = 4};
#define FZ_MISC 32 /* 32..FZ_HOT: for copies and moves */

uint64_t fz_slot_of(struct fz *f, enum kind k)
{
	unsigned r = below(f, 25);
	uint64_t s;
	if (k != K_ANY && r < 16)
		return kind_first[k] + below(f, kind_count[k]);
	switch (r) {
	case 16: return k == K_TASK || chance(f, 50) ? LX4_CAP_SELF_TASK : LX4_CAP_SELF_THREAD;
	case 17: return k == K_THREAD || chance(f, 50) ? LX4_CAP_SELF_THREAD : LX4_CAP_SELF_TASK;
	case 18: return 0;
	case 19: s = PICK(f, special_slot); break;
	case 20: s = 1 + below(f, FZ_SLOTS + 16); break;
	case 21: s = rnd(f); break;
	default: return 1 + below(f, FZ_HOT);
	}
	return (lx4_cap_t)s == FZ_RESERVE ? s - 1 : s;
}

uint64_t fz_slot(struct fz *f)
{
	return fz_slot_of(f, K_ANY);
}

/* where a new object goes */
uint64_t fz_dst(struct fz *f, enum kind k)
{
	if (chance(f, 70))
		return kind_first[k] + below(f, kind_count[k]);
	return chance(f, 50) ? FZ_MISC + below(f, FZ_HOT - FZ_MISC + 1) : fz_slot(f);
}

uint64_t fz_word(struct fz *f)
{
	switch (below(f, 8)) {
	case 0: return below(f, 16);
	case 1: return ~below(f, 16);
	case 2: return 1ull << below(f, 64);
	case 3: return fz_addr(f);
	case 4: return fz_slot(f);
	default: return rnd(f);
	}
}

/* where a thread may be sent: nowhere in the image but the victims */
uint64_t fz_rip(struct fz *f)
{
	static void (*const victims[])(void) = {fz_victim_server, fz_victim_caller, fz_victim_trap};
	switch (below(f, 8)) {
	case 0:
	case 1:
	case 2: return (uint64_t)PICK(f, victims);
	case 3: return FZ_SCRATCH + below(f, FZ_REGION);
	case 4: return CHILD_BASE + below(f, 0x10000);
	case 5: return below(f, 0x100000);
	case 6:
		return PICK(f, ((const uint64_t[]){0, 0x00007fffffffeffeull, 0x00007ffffffff000ull,
						   0x0000800000000000ull, 0xffffffff80000000ull, ~0ull}));
	default: return FZ_SCRATCH + FZ_REGION + (rnd(f) & ((1ull << 40) - 1));
	}
}

uint64_t fz_rsp(struct fz *f)
{
	switch (below(f, 4)) {
	case 0: return FZ_SCRATCH + below(f, FZ_REGION / 8) * 8;
	case 1: return CHILD_BASE + 0x3ff8;
	case 2: return PICK(f, ((const uint64_t[]){0, 8, 0x00007ffffffff000ull, 0x0000800000000000ull, ~0ull}));
	default: return fz_rip(f);
	}
}

uint64_t fz_timeout(struct fz *f)
{
	switch (below(f, 10)) {
	case 0:
	case 1:
	case 2:
	case 3:
	case 4: return LX4_TIMEOUT_ZERO;
	case 5: return 1 + below(f, 1000);
	case 6: return 1000 + below(f, 100000);
	case 7: return 1000000;
	default: return 100000 + below(f, 2000000);
	}
}

static unsigned gen_order(struct fz *f)
{
	static const uint8_t orders[] = {12, 12, 12, 12, 12, 13, 14, 15, 16, 20, 21, 21,
					 22, 23, 30, 0,  1,  11, 38, 39, 46, 47, 48, 63};
	return chance(f, 5) ? below(f, 64) : PICK(f, orders);
}

static uint64_t gen_rights(struct fz *f)
{
	return below(f, 8) << 6;
}

/* a memory fpage (mostly), an I/O one or anything */
uint64_t fz_fpage(struct fz *f)
{
	unsigned o = gen_order(f);
	uint64_t size = 1ull << o, base;
	switch (below(f, 8)) {
	case 0:
	case 1:
	case 2:
	case 3: base = FZ_SCRATCH + (below(f, FZ_REGION) & ~(size - 1)); break;
	case 4: base = FZ_IMAGE + below(f, 64) * 4096; break;
	case 5: base = CHILD_BASE; break;
	default: base = fz_addr(f);
	}
	if (chance(f, 90))
		base &= ~(size - 1);
	uint64_t type = chance(f, 92) ? LX4_ITEM_MEM : below(f, 8);
	return (base & ~0xfffull) | (type << 9) | gen_rights(f) | o;
}

uint64_t fz_iopage(struct fz *f)
{
	static const uint16_t ports[] = {TP_RTC_PORT, TP_RTC_PORT, TP_RTC_PORT + 1, 0,     0x60,
					 0x3f8,       0xcf8,       0xfffe,          0xffff};
	static const uint8_t orders[] = {0, 0, 1, 1, 2, 3, 4, 8, 15, 16, 17, 63};
	unsigned port = chance(f, 85) ? PICK(f, ports) : below(f, 0x10000);
	return lx4_iopage(port, PICK(f, orders));
}

/* ---- keeping the fuzzer alive ------------------------------------------ */

static bool overlaps(uint64_t lo, uint64_t size, uint64_t plo, uint64_t phi)
{
	uint64_t hi = lo + size < lo ? ~0ull : lo + size;
	return lo < phi && plo < hi;
}

/* does [lo, lo + size) touch the fuzzer's image, stack, UTCBs or KIP? */
bool fz_hits_protected(uint64_t lo, uint64_t size)
{
	return overlaps(lo, size, FZ_IMAGE, FZ_IMAGE_END) ||
	       overlaps(lo, size, FZ_STACK_TOP - FZ_STACK_PAGES * 4096ull, FZ_STACK_TOP) ||
	       overlaps(lo, size, TP_KIP, FZ_VUTCB(FZ_VICTIMS));
}

bool fz_fpage_hits_protected(uint64_t fp)
{
	uint64_t size = 1ull << lx4_fp_order(fp);
	return fz_hits_protected(lx4_fp_base(fp) & ~(size - 1), size);
}

/* a memory fpage the fuzzer sends or maps from its own space: protected
 * memory leaves read-only and is never granted */
uint64_t fz_src_safe(uint64_t fp, bool *grant)
{
	if (lx4_fp_type(fp) == LX4_ITEM_MEM && fz_fpage_hits_protected(fp)) {
		fp &= ~LX4_FP_W;
		*grant = false;
	}
	return fp;
}

/* a typed item: as above, and a page-fault or exception reply maps memory
 * items at their offset in the whole space, so no offset may land on a
 * protected range (windows of the fuzzer's threads are in scratch) */
static void item_safe(uint64_t *w0, uint64_t *w1)
{
	if (lx4_fp_type(*w0) != LX4_ITEM_MEM)
		return;
	bool grant = *w1 & LX4_ITEM_GRANT;
	*w0 = fz_src_safe(*w0, &grant);
	if (!grant)
		*w1 &= ~LX4_ITEM_GRANT;
	uint64_t size = 1ull << lx4_fp_order(*w0);
	if (fz_hits_protected(*w1 & ~0xfffull & ~(size - 1), size))
		*w1 = (1ull << 47) | (*w1 & LX4_ITEM_GRANT);
}

/* ---- messages, thread settings, receive buffers -------------------------- */

static const uint8_t untyped_counts[] = {0, 0, 0, 1, 1, 2, 3, 3, 5, 6, 7, 8, 9, 10, 12, 19, 20, 21, 22, 40, 62, 63};

static void gen_item(struct fz *f, uint64_t *w0, uint64_t *w1)
{
	uint64_t grant = chance(f, 15) ? LX4_ITEM_GRANT : 0;
	switch (below(f, 10)) {
	case 0:
	case 1:
	case 2:
	case 3:
	case 4: {
		*w0 = fz_fpage(f);
		uint64_t size = 1ull << lx4_fp_order(*w0);
		uint64_t off = chance(f, 70) ? below(f, 64) * 4096 : fz_addr(f);
		if (chance(f, 80))
			off &= ~(size - 1);
		*w1 = (off & ~0xfffull) | grant;
		break;
	}
	case 5:
	case 6:
	case 7:
		*w0 = lx4_capitem((lx4_cap_t)fz_slot(f), (unsigned)rnd(f));
		*w1 = grant | (chance(f, 10) ? rnd(f) & ~1ull : 0);
		break;
	case 8:
		*w0 = fz_iopage(f);
		*w1 = grant;
		break;
	default: *w0 = fz_word(f); *w1 = fz_word(f);
	}
	item_safe(w0, w1);
}

void fz_msg(struct fz *f, struct lx4_msg *m, uint64_t *w)
{
	unsigned u = chance(f, 5) ? below(f, 64) : PICK(f, untyped_counts);
	unsigned t = chance(f, 60) ? 0 : chance(f, 80) ? 1 + below(f, 3) : below(f, 16);
	static const uint64_t labels[] = {0,
					  1,
					  0x420,
					  LX4_LABEL_PAGEFAULT,
					  LX4_LABEL_EXCEPTION,
					  LX4_LABEL_SYSCALL,
					  LX4_LABEL_IRQ,
					  TP_START,
					  TP_RESULT,
					  0xffffffffffffull};
	uint64_t label = chance(f, 70) ? PICK(f, labels) : rnd(f) >> 16;
	uint64_t flags = chance(f, 10) ? rnd(f) & 0xfc00 : 0;
	m->tag = (label << 16) | flags | ((uint64_t)t << 6) | u;
	for (unsigned i = 0; i < LX4_MR_COUNT; i++)
		w[i] = fz_word(f);
	/* an exception or syscall reply writes the words to the registers */
	w[LX4_REG_RIP] = fz_rip(f);
	w[LX4_REG_RSP] = fz_rsp(f);
	w[LX4_REG_FSBASE] = chance(f, 50) ? w[LX4_REG_FSBASE] : fz_addr(f);
	for (unsigned k = 0; k < t && u + 2 * k + 1 < LX4_MR_COUNT; k++)
		gen_item(f, &w[u + 2 * k], &w[u + 2 * k + 1]);
	for (unsigned i = 0; i < LX4_MR_REGS; i++)
		m->mr[i] = w[i];
}

const uint64_t fz_bad_nrs[8] = {0, LX4_SYS_COUNT, LX4_SYS_COUNT + 1, 64, 255, 0x100000001ull, ~0ull, 1ull << 63};

uint64_t fz_tcfg_value(struct fz *f, uint64_t what)
{
	switch (what) {
	case LX4_TCFG_PAGER:
	case LX4_TCFG_HANDLER: return chance(f, 15) ? 0 : fz_slot_of(f, K_EP);
	case LX4_TCFG_UTCB: return chance(f, 85) ? fz_addr(f) & ~0xfffull : fz_addr(f);
	case LX4_TCFG_PRIORITY:
		return PICK(
		    f, ((const uint64_t[]){0, 1, 50, VICTIM_PRIO, FZ_PRIO - 1, FZ_PRIO, FZ_PRIO + 1, 255, 256, ~0ull}));
	case LX4_TCFG_FOREIGN: return PICK(f, ((const uint64_t[]){0, 0, 1, 2, ~0ull}));
	case LX4_TCFG_TIMESLICE: return PICK(f, ((const uint64_t[]){0, 1, 1, 2, 5, 10, 10, 50, 1000, 1001, ~0ull}));
	default: return fz_word(f);
	}
}

/* the fuzzer's own receive buffers: a window somewhere in scratch */
static uint64_t gen_window(struct fz *f)
{
	if (chance(f, 10))
		return 0;
	unsigned o = 12 + below(f, 11);
	uint64_t base = FZ_SCRATCH + (below(f, FZ_REGION) & ~((1ull << o) - 1));
	return lx4_fpage(base, o, gen_rights(f));
}

void fz_set_buffers(struct fz *f, struct lx4_utcb *u)
{
	u->br_mem = gen_window(f);
	u->br_cap = chance(f, 20) ? 0 : LX4_BR_CAP_VALID | (chance(f, 80) ? 1 + below(f, FZ_HOT) : fz_slot(f));
	u->br_io = chance(f, 50);
}
