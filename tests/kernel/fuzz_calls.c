/* One fuzzer call: made, recorded and checked (see fuzz.h, test_fuzz.c). */
#include "fuzz.h"

struct fz_stats fz_shared[FUZZ_TASKS];

const char *const fz_op_name[OP_COUNT] = {
    "call",          "reply_recv", "send",        "recv",       "reply_to",    "yield",     "cap_copy",
    "cap_move",      "cap_delete", "cap_destroy", "cap_info",   "task_create", "task_info", "thread_create",
    "thread_config", "exregs",     "ep_create",   "irq_create", "irq_bind",    "irq_ack",   "map",
    "unmap",         "map_query",  "debug",       "bad_nr",
};

const char *const fz_err_name[FZ_ERRS] = {
    "ok",    "EINVAL", "ECAP",  "ETYPE",  "ERIGHTS", "ENOMEM", "EFAULT", "ETIMEOUT",
    "EDEAD", "EABORT", "EBUSY", "ERANGE", "ENOSYS",  "ESTATE", "EXFER",  "other",
};

static const uint8_t op_weight[OP_COUNT] = {
    [OP_CALL] = 6,     [OP_REPLY_RECV] = 5,  [OP_SEND] = 6,       [OP_RECV] = 7,          [OP_REPLY_TO] = 4,
    [OP_YIELD] = 1,    [OP_CAP_COPY] = 7,    [OP_CAP_MOVE] = 4,   [OP_CAP_DELETE] = 4,    [OP_CAP_DESTROY] = 3,
    [OP_CAP_INFO] = 3, [OP_TASK_CREATE] = 3, [OP_TASK_INFO] = 2,  [OP_THREAD_CREATE] = 4, [OP_THREAD_CONFIG] = 7,
    [OP_EXREGS] = 7,   [OP_EP_CREATE] = 4,   [OP_IRQ_CREATE] = 2, [OP_IRQ_BIND] = 2,      [OP_IRQ_ACK] = 2,
    [OP_MAP] = 7,      [OP_UNMAP] = 5,       [OP_MAP_QUERY] = 3,  [OP_DEBUG] = 1,         [OP_BADNR] = 1,
};

/* ---- bookkeeping ---------------------------------------------------------- */

void fz_bad(struct fz *f, const char *fmt, ...)
{
	if (!f->st->bad++) {
		int n = snprintf(f->st->why, sizeof f->st->why, "fz%u #%lu ", f->id, f->st->calls);
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(f->st->why + n, sizeof f->st->why - n, fmt, ap);
		va_end(ap);
	}
}

static void trace(struct fz *f, unsigned op, const uint64_t *a)
{
	struct fz_last *l = &f->st->last[f->st->nlast++ % 8];
	l->op = op;
	l->err = 1;
	memcpy(l->a, a, sizeof l->a);
	if (FUZZ_TRACE)
		printf("fz%u %lu %s %lx %lx %lx %lx\n", f->id, f->st->calls, fz_op_name[op], a[0], a[1], a[2], a[3]);
}

static void record(struct fz *f, unsigned op, long err)
{
	f->st->last[(f->st->nlast - 1) % 8].err = err;
	f->st->op_calls[op]++;
	if (err > 0 || err <= -LX4_ERRMAX) {
		f->st->err[FZ_ERRS - 1]++;
		fz_bad(f, "%s returned %ld", fz_op_name[op], err);
		return;
	}
	f->st->err[-err]++;
	f->st->op_err[op][-err]++;
	if (!err)
		f->st->op_ok[op]++;
	if ((op == OP_BADNR) != (err == -LX4_ENOSYS))
		fz_bad(f, "%s returned %ld", fz_op_name[op], err);
}

/* what docs/kernel.md says about arguments: a call that succeeds had valid
 * ones, and an error that names a bad argument comes only for a bad one */
static void check_args(struct fz *f, unsigned op, const uint64_t *a, long err)
{
	bool bad = false;
	switch (op) {
	case OP_CALL:
	case OP_SEND:
	case OP_REPLY_RECV:
	case OP_REPLY_TO: bad = !err && lx4_tag_untyped(a[1]) + 2 * lx4_tag_typed(a[1]) > LX4_MR_COUNT; break;
	case OP_TASK_CREATE: { /* 1 to 16,384 slots, at least one page */
		bool slots = a[2] >= 1 && a[2] <= 16384;
		bad = (!err && (!slots || !a[1])) || (err == -LX4_EINVAL && slots);
		break;
	}
	case OP_IRQ_CREATE: {
		bool line = a[1] < 16 && a[1] != 2;
		bad = (!err && !line) || (err == -LX4_ERANGE && line);
		break;
	}
	case OP_THREAD_CONFIG: {
		uint64_t v = a[2];
		bool einval = false, erange = false;
		switch (a[1]) {
		case LX4_TCFG_PAGER:
		case LX4_TCFG_HANDLER: break;
		case LX4_TCFG_UTCB: einval = (v & 0xfff) || v >= USER_END; break;
		case LX4_TCFG_PRIORITY: erange = v > FZ_PRIO; break;
		case LX4_TCFG_FSBASE:
		case LX4_TCFG_GSBASE: einval = v >= 1ull << 47; break;
		case LX4_TCFG_FOREIGN: einval = v > 1; break;
		case LX4_TCFG_TIMESLICE: erange = v < 1 || v > 1000; break;
		default: einval = true;
		}
		bad =
		    (!err && (einval || erange)) || (err == -LX4_EINVAL && !einval) || (err == -LX4_ERANGE && !erange);
		break;
	}
	case OP_EXREGS: bad = !err && (a[1] & ~LX4_EXREGS_FLAGS || a[2] >> LX4_REG_COUNT); break;
	case OP_MAP:
	case OP_UNMAP: {
		uint64_t flags = op == OP_MAP ? a[3] & ~LX4_MAP_GRANT : a[2] & ~LX4_UNMAP_SELF;
		unsigned type = lx4_fp_type(a[1]);
		bad = !err && (flags || (type != LX4_ITEM_MEM && type != LX4_ITEM_IO));
		break;
	}
	case OP_DEBUG:
		bad = !err && !(a[0] == LX4_DBG_KMEM_FREE || (a[0] == LX4_DBG_WRITE && a[1] <= 8 * LX4_MR_COUNT));
		break;
	}
	if (bad)
		fz_bad(f, "%s(%lx %lx %lx %lx)=%ld", fz_op_name[op], a[0], a[1], a[2], a[3], err);
}

/* a map_query result: rights, order 12 or 21, kernel-owned only for a
 * page; nothing in the top page */
static void check_query(struct fz *f, uint64_t va, uint64_t q)
{
	uint64_t rights = q & 0xffff, order = (q >> 16) & 0xff, kowned = q >> 24;
	bool ok = !q || (!(rights & ~LX4_FP_RWX) && (rights & LX4_FP_R) && kowned <= 1 &&
			 (order == 12 || (order == 21 && !kowned)));
	if (!ok || (q && va >= USER_END))
		fz_bad(f, "map_query(%lx) = %lx", va, q);
}

/* a new object sits in slot with all rights and no badge */
static void check_new(struct fz *f, uint64_t slot, unsigned type)
{
	struct lx4_sysret r = lx4_cap_info(LX4_CAP_SELF_TASK, (lx4_cap_t)slot);
	if (r.err || r.r1 != type || r.r2 != LX4_R_ALL || r.r3)
		fz_bad(f, "new object (type %u) in slot %lx: info %ld type %lx rights %lx badge %lx", type, slot, r.err,
		       r.r1, r.r2, r.r3);
}

long fz_ipc(long op, uint64_t cap, struct lx4_msg *m, uint64_t rdx_in, uint64_t r10_in)
{
	long err;
	uint64_t rdi = cap, rsi = m->tag;
	register uint64_t rdx __asm__("rdx") = rdx_in;
	register uint64_t r10 __asm__("r10") = r10_in;
	register uint64_t r8 __asm__("r8") = m->mr[0];
	register uint64_t r9 __asm__("r9") = m->mr[1];
	register uint64_t r12 __asm__("r12") = m->mr[2];
	register uint64_t r13 __asm__("r13") = m->mr[3];
	register uint64_t r14 __asm__("r14") = m->mr[4];
	register uint64_t r15 __asm__("r15") = m->mr[5];
	register uint64_t rbx __asm__("rbx") = m->mr[6];
	__asm__ volatile("syscall"
			 : "=a"(err), "+D"(rdi), "+S"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9), "+r"(r12),
			   "+r"(r13), "+r"(r14), "+r"(r15), "+r"(rbx)
			 : "a"(op)
			 : "rcx", "r11", "memory");
	m->badge = rdi;
	m->tag = rsi;
	return err;
}

/* an FPU image for exregs FPU_WRITE: random bytes, often with the fields
 * the kernel checks (MXCSR, the XSAVE header) made valid or nearly so */
static void fz_fpu_image(struct fz *f, uint8_t *img)
{
	const struct lx4_kip *k = (const struct lx4_kip *)TP_KIP;
	for (unsigned i = 0; i < LX4_UTCB_FPU_SIZE; i += 8) {
		uint64_t v = rnd(f);
		memcpy(img + i, &v, 8);
	}
	uint32_t mx = (uint32_t)rnd(f) & (chance(f, 70) ? (uint32_t)k->fpu_mxcsr_mask : ~0u);
	memcpy(img + 24, &mx, 4);
	if (k->fpu_features && chance(f, 70)) {
		uint64_t hdr[8] = {rnd(f) & (chance(f, 80) ? k->fpu_features : ~0ull)};
		if (chance(f, 20))
			hdr[1 + below(f, 7)] = 1ull << below(f, 64);
		memcpy(img + 512, hdr, sizeof hdr);
	}
}

static const uint64_t quotas[] = {0, 1, 2, 3, 4, 6, 8, 16, 32, 64, 200, 1000, ~0ull, 1ull << 40};
static const uint64_t cap_counts[] = {0, 1, 2, 8, 64, 128, 129, 1024, 16383, 16384, 16385, ~0ull, (1ull << 32) | 5};
static const uint64_t lines[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, ~0ull, 1ull << 32};

void fz_one(struct fz *f)
{
	unsigned total = 0, op = 0;
	for (unsigned i = 0; i < OP_COUNT; i++)
		total += op_weight[i];
	for (unsigned r = below(f, total); r >= op_weight[op]; op++)
		r -= op_weight[op];

	struct lx4_utcb *u = lx4_utcb();
	uint64_t a[6] = {0}, w[LX4_MR_COUNT];
	struct lx4_msg m;
	struct lx4_sysret r = {0};
	for (unsigned i = 0; i < 6; i++)
		a[i] = chance(f, 50) ? 0 : fz_word(f); /* what a call does not use */

	switch (op) {
	case OP_CALL:
	case OP_REPLY_RECV:
	case OP_SEND:
	case OP_RECV:
	case OP_REPLY_TO: {
		static const long nr[] = {[OP_CALL] = LX4_SYS_CALL,
					  [OP_REPLY_RECV] = LX4_SYS_REPLY_RECV,
					  [OP_SEND] = LX4_SYS_SEND,
					  [OP_RECV] = LX4_SYS_RECV,
					  [OP_REPLY_TO] = LX4_SYS_REPLY_TO};
		a[0] = fz_slot_of(f, op == OP_REPLY_TO ? K_THREAD : K_EP);
		fz_msg(f, &m, w);
		a[1] = m.tag;
		if (op != OP_REPLY_RECV && op != OP_RECV)
			a[2] = fz_timeout(f);
		if (op == OP_CALL || op == OP_REPLY_RECV || op == OP_RECV)
			a[3] = fz_timeout(f);
		trace(f, op, a);
		memcpy(&u->mr[LX4_MR_REGS], &w[LX4_MR_REGS], sizeof(w) - LX4_MR_REGS * sizeof(w[0]));
		r.err = fz_ipc(nr[op], a[0], &m, a[2], a[3]);
		break;
	}
	case OP_YIELD:
		trace(f, op, a);
		r.err = lx4_yield();
		break;
	case OP_CAP_COPY:
		a[0] = fz_slot_of(f, K_TASK);
		a[1] = fz_dst(f, (enum kind)below(f, K_IRQ + 1));
		a[2] = fz_slot(f);
		a[3] = chance(f, 70) ? below(f, 0x20) : rnd(f);
		a[4] = chance(f, 50) ? 0 : fz_word(f);
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_CAP_COPY, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (!r.err && is_self_task(a[0])) {
			/* at most the rights asked for; a badge only on an endpoint */
			struct lx4_sysret i = lx4_cap_info(LX4_CAP_SELF_TASK, (lx4_cap_t)a[1]);
			if (i.err || (i.r2 & ~a[3]) || (a[4] && ((i.r1 & 0xff) != LX4_OBJ_ENDPOINT || i.r3 != a[4])))
				fz_bad(f, "cap_copy(%lx %lx %lx) badge %lx: %ld %lx %lx %lx", a[1], a[2], a[3], a[4],
				       i.err, i.r1, i.r2, i.r3);
		}
		break;
	case OP_CAP_MOVE:
		a[0] = fz_slot_of(f, K_TASK);
		a[1] = fz_dst(f, (enum kind)below(f, K_IRQ + 1));
		a[2] = fz_slot(f);
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_CAP_MOVE, a[0], a[1], a[2], a[3], a[4], a[5]);
		break;
	case OP_CAP_DELETE:
		a[0] = fz_slot_of(f, K_TASK);
		a[1] = fz_slot(f);
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_CAP_DELETE, a[0], a[1], a[2], a[3], a[4], a[5]);
		break;
	case OP_CAP_DESTROY:
		a[0] = fz_slot(f);
		if (is_self_task(a[0]) || is_self_thread(a[0]))
			a[0] = 1 + below(f, FZ_HOT);
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_CAP_DESTROY, a[0], a[1], a[2], a[3], a[4], a[5]);
		break;
	case OP_CAP_INFO:
		a[0] = fz_slot_of(f, K_TASK);
		a[1] = fz_slot(f);
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_CAP_INFO, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (!r.err && ((r.r1 & 0xff) == 0 || (r.r1 & 0xff) >= LX4_OBJ_TYPES || r.r1 >> 9 || r.r2 & ~0x1full))
			fz_bad(f, "cap_info(%lx, %lx): type %lx rights %lx", a[0], a[1], r.r1, r.r2);
		break;
	case OP_TASK_CREATE:
		a[0] = fz_dst(f, K_TASK);
		a[1] = chance(f, 90) ? PICK(f, quotas) : rnd(f);
		a[2] = chance(f, 90) ? PICK(f, cap_counts) : rnd(f);
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_TASK_CREATE, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (!r.err) {
			check_new(f, a[0], LX4_OBJ_TASK);
			struct lx4_sysret i = lx4_task_info((lx4_cap_t)a[0]);
			if (i.err || i.r1 != a[1] || i.r2 > i.r1 || i.r3)
				fz_bad(f, "new task (quota %lx): info %ld %lx %lx %lx", a[1], i.err, i.r1, i.r2, i.r3);
		}
		break;
	case OP_TASK_INFO:
		a[0] = fz_slot_of(f, K_TASK);
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_TASK_INFO, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (!r.err && r.r2 > r.r1)
			fz_bad(f, "task_info(%lx): quota %lu used %lu", a[0], r.r1, r.r2);
		break;
	case OP_THREAD_CREATE:
		a[0] = fz_dst(f, K_THREAD);
		a[1] = fz_slot_of(f, K_TASK);
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_THREAD_CREATE, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (!r.err) {
			check_new(f, a[0], LX4_OBJ_THREAD);
			struct lx4_sysret s = lx4_exregs((lx4_cap_t)a[0], 0, 0);
			if (s.err || s.r1 != LX4_TSTATE_INACTIVE)
				fz_bad(f, "new thread: state %ld %lu", s.err, s.r1);
		}
		break;
	case OP_THREAD_CONFIG:
		a[0] = fz_slot_of(f, K_THREAD);
		a[1] = chance(f, 90) ? 1 + below(f, LX4_TCFG_TIMESLICE)
				     : PICK(f, ((const uint64_t[]){0, 9, ~0ull, 1ull << 32 | 4}));
		a[2] = fz_tcfg_value(f, a[1]);
		if (is_self_thread(a[0])) {
			if (a[1] == LX4_TCFG_PAGER || a[1] == LX4_TCFG_HANDLER || a[1] == LX4_TCFG_FSBASE)
				a[0] = 1 + below(f, FZ_HOT);
			else if (a[1] == LX4_TCFG_FOREIGN && a[2] == 1)
				a[2] = 0;
			else if (a[1] == LX4_TCFG_PRIORITY && a[2] < FZ_PRIO)
				a[2] = FZ_PRIO + (a[2] & 1);
		}
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_THREAD_CONFIG, a[0], a[1], a[2], a[3], a[4], a[5]);
		break;
	case OP_EXREGS: {
		a[0] = fz_slot_of(f, K_THREAD);
		switch (below(f, 10)) {
		case 0: a[1] = LX4_EXREGS_WRITE | LX4_EXREGS_START; break;
		case 1: a[1] = LX4_EXREGS_STOP; break;
		case 2: a[1] = LX4_EXREGS_READ; break;
		case 3: a[1] = rnd(f); break;
		case 4: a[1] = LX4_EXREGS_FPU_READ | LX4_EXREGS_FPU_WRITE; break;
		default: a[1] = below(f, LX4_EXREGS_FLAGS + 1);
		}
		switch (below(f, 10)) {
		case 0: a[2] = 0; break;
		case 1: a[2] = 1ull << below(f, 21); break;
		case 2: a[2] = 1ull << LX4_REG_RIP | 1ull << LX4_REG_RSP | 1ull << LX4_REG_RBP; break;
		case 3: a[2] = rnd(f); break;
		default: a[2] = below(f, 1u << LX4_REG_COUNT);
		}
		if (is_self_thread(a[0])) {
			a[1] &= ~(LX4_EXREGS_STOP | LX4_EXREGS_FPU_WRITE); /* our own FPU state stays ours */
			a[2] &= 1ull << LX4_REG_RAX | 1ull << LX4_REG_RDI | 1ull << LX4_REG_RSI | 1ull << LX4_REG_RDX |
				1ull << LX4_REG_R10 | 1ull << LX4_REG_R8 | 1ull << LX4_REG_R9 | 1ull << LX4_REG_RCX |
				1ull << LX4_REG_R11 | 1ull << LX4_REG_GSBASE;
		}
		for (unsigned i = 0; i < LX4_REG_COUNT; i++)
			w[i] = fz_word(f);
		w[LX4_REG_RIP] = fz_rip(f);
		w[LX4_REG_RSP] = fz_rsp(f);
		w[LX4_REG_RBP] = chance(f, 70) ? fz_slot_of(f, K_EP) : w[LX4_REG_RBP];
		w[LX4_REG_FSBASE] = chance(f, 70) ? fz_addr(f) : w[LX4_REG_FSBASE];
		trace(f, op, a);
		memcpy(u->mr, w, LX4_REG_COUNT * sizeof(w[0]));
		if (a[1] & LX4_EXREGS_FPU_WRITE)
			fz_fpu_image(f, u->fpu);
		r = lx4_syscall(LX4_SYS_THREAD_EXREGS, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (!r.err && r.r1 > LX4_TSTATE_DEAD)
			fz_bad(f, "exregs(%lx, %lx): state %lu", a[0], a[1], r.r1);
		break;
	}
	case OP_EP_CREATE:
		a[0] = fz_dst(f, K_EP);
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_EP_CREATE, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (!r.err)
			check_new(f, a[0], LX4_OBJ_ENDPOINT);
		break;
	case OP_IRQ_CREATE:
		a[0] = chance(f, 70) ? 1 : fz_slot(f);
		a[1] = PICK(f, lines);
		a[2] = fz_dst(f, K_IRQ);
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_IRQ_CREATE, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (!r.err)
			check_new(f, a[2], LX4_OBJ_IRQ);
		break;
	case OP_IRQ_BIND:
		a[0] = fz_slot_of(f, K_IRQ);
		a[1] = chance(f, 25) ? 0 : fz_slot_of(f, K_EP);
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_IRQ_BIND, a[0], a[1], a[2], a[3], a[4], a[5]);
		break;
	case OP_IRQ_ACK:
		a[0] = fz_slot_of(f, K_IRQ);
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_IRQ_ACK, a[0], a[1], a[2], a[3], a[4], a[5]);
		break;
	case OP_MAP: {
		a[0] = fz_slot_of(f, K_TASK);
		a[1] = chance(f, 85) ? fz_fpage(f) : fz_iopage(f);
		a[2] = fz_addr(f);
		if (chance(f, 80))
			a[2] &= ~((1ull << lx4_fp_order(a[1])) - 1);
		a[3] = chance(f, 70) ? 0 : chance(f, 90) ? LX4_MAP_GRANT : rnd(f);
		bool grant = a[3] & LX4_MAP_GRANT;
		a[1] = fz_src_safe(a[1], &grant);
		if (!grant)
			a[3] &= ~LX4_MAP_GRANT;
		uint64_t size = 1ull << lx4_fp_order(a[1]);
		if (is_self_task(a[0]) && lx4_fp_type(a[1]) == LX4_ITEM_MEM &&
		    fz_hits_protected(a[2] & ~(size - 1), size))
			a[2] = LX4_USER_TOP;
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_MAP, a[0], a[1], a[2], a[3], a[4], a[5]);
		break;
	}
	case OP_UNMAP:
		a[0] = fz_slot_of(f, K_TASK);
		a[1] = chance(f, 85) ? fz_fpage(f) : fz_iopage(f);
		a[2] = chance(f, 45) ? 0 : chance(f, 90) ? LX4_UNMAP_SELF : rnd(f);
		if (is_self_task(a[0]) && lx4_fp_type(a[1]) == LX4_ITEM_MEM && fz_fpage_hits_protected(a[1]))
			a[2] &= ~LX4_UNMAP_SELF;
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_UNMAP, a[0], a[1], a[2], a[3], a[4], a[5]);
		break;
	case OP_MAP_QUERY:
		a[0] = fz_slot_of(f, K_TASK);
		a[1] = fz_addr(f);
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_MAP_QUERY, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (!r.err)
			check_query(f, a[1], r.r1);
		break;
	case OP_DEBUG:
		/* no writes of random bytes to the log: lengths 0 or too long */
		a[0] = PICK(f, ((const uint64_t[]){LX4_DBG_WRITE, LX4_DBG_KMEM_FREE, 0, 3, ~0ull, 1ull << 32 | 1}));
		a[1] = PICK(f, ((const uint64_t[]){0, 8 * LX4_MR_COUNT + 1, 4096, ~0ull}));
		trace(f, op, a);
		r = lx4_syscall(LX4_SYS_DEBUG, a[0], a[1], a[2], a[3], a[4], a[5]);
		break;
	default:
		a[3] = PICK(f, fz_bad_nrs);
		trace(f, op, a);
		r = lx4_syscall((long)a[3], a[0], a[1], a[2], a[3], a[4], a[5]);
		break;
	}
	record(f, op, r.err);
	check_args(f, op, a, r.err);
}
