/*
 * The fake platform (see fake_platform.h): every plat_* of
 * server/platform.h on the host.  It keeps what a kernel would keep for
 * the server (spaces and their mappings, threads with their registers and
 * whether they wait for a reply, the timer's deadline) and plays the event
 * loop's part (platform/micro.c's plat_run) for the events a test makes.
 * Built as host code against libc, not with the server's renames.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_platform.h"

/* the handles in the seam's structs: the one place that names their
 * fields (0 is no handle) */
#define SPACE_H(s)  ((s)->h)
#define THREAD_H(t) ((t)->h)

#define MAX_SPACES  2048
#define MAX_THREADS 2048
#define FPU_SIZE    512 /* an FXSAVE image: the platform has no XSAVE features */

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

struct mapping {
	uint64_t va;
	void *page;
	unsigned prot;
};

struct space {
	bool live;
	struct mapping *maps;
	unsigned n, cap;
};

struct thread {
	struct fake_thread pub;
	uint8_t fpu[FPU_SIZE];
};

/* handles are indices, never reused: a stale one finds a dead entry */
static struct space spaces[MAX_SPACES];
static struct thread threads[MAX_THREADS];
static unsigned next_space = 1, next_thread = 1;

static struct fake_stats stats;
static unsigned anomalies;
static uint64_t now_ns, deadline;
static unsigned drop_maps;
static struct fake_op ops[FAKE_OPS_MAX];
static unsigned nops;
static char logbuf[1 << 16];
static size_t loglen;

/* the event being handled and its reply */
static struct {
	bool active, pending;
	uint64_t to;
	struct fake_reply r;
} ev;
static struct fake_reply last_reply;

static void anomaly(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void anomaly(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "fake platform: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	anomalies++;
}

unsigned fake_anomalies(void) { return anomalies; }

/* ---- the server's log ------------------------------------------------------------ */

int fake_printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	size_t len = strlen(buf);
	if (loglen + len >= sizeof logbuf) { /* the older half goes */
		memmove(logbuf, logbuf + sizeof logbuf / 2, loglen - sizeof logbuf / 2);
		loglen -= sizeof logbuf / 2;
	}
	if (len < sizeof logbuf / 2) {
		memcpy(logbuf + loglen, buf, len + 1);
		loglen += len;
	}
	if (getenv("FAKE_VERBOSE"))
		fputs(buf, stderr);
	srv_log(buf, len);
	return n;
}

const char *fake_log(void) { return logbuf; }

void fake_log_clear(void)
{
	loglen = 0;
	logbuf[0] = 0;
}

/* ---- boot ------------------------------------------------------------------------------ */

const struct plat_boot *fake_boot(uint64_t ram_size)
{
	static struct plat_boot b;
	b.ram = aligned_alloc(4096, ram_size);
	if (!b.ram) {
		fprintf(stderr, "fake platform: no %lu bytes of RAM\n", (unsigned long)ram_size);
		abort();
	}
	memset(b.ram, 0, ram_size);
	b.ram_size = ram_size;
	now_ns = 1000000000ull;
	return &b;
}

_Noreturn void plat_run(void)
{
	fprintf(stderr, "fake platform: plat_run: the tests make the events\n");
	abort();
}

_Noreturn void plat_shutdown(int status)
{
	fprintf(stderr, "fake platform: plat_shutdown(%d): the server ended the machine\n", status);
	abort();
}

/* ---- spaces and their mappings ------------------------------------------------------ */

static struct space *space_of(const struct plat_space *s)
{
	unsigned h = (unsigned)SPACE_H(s);
	if (!h || h >= next_space || !spaces[h].live) {
		anomaly("a space that is not there (%u)", h);
		return NULL;
	}
	return &spaces[h];
}

static void op(enum fake_op_kind kind, unsigned space, uint64_t va, uint64_t len, void *page, unsigned prot)
{
	if (nops == FAKE_OPS_MAX) {
		memmove(ops, ops + 1, sizeof ops - sizeof ops[0]);
		nops--;
	}
	ops[nops++] = (struct fake_op){kind, space, va, len, page, prot};
}

static struct mapping *find_map(struct space *sp, uint64_t va)
{
	for (unsigned i = 0; i < sp->n; i++)
		if (sp->maps[i].va == va)
			return &sp->maps[i];
	return NULL;
}

static void map_page(struct space *sp, uint64_t va, void *page, unsigned prot)
{
	struct mapping *m = find_map(sp, va);
	if (!m) {
		if (sp->n == sp->cap) {
			sp->cap = sp->cap ? 2 * sp->cap : 64;
			sp->maps = realloc(sp->maps, sp->cap * sizeof *sp->maps);
			if (!sp->maps)
				abort();
		}
		m = &sp->maps[sp->n++];
	}
	*m = (struct mapping){va, page, prot | PROT_R};
}

static void unmap_range(struct space *sp, uint64_t va, uint64_t len)
{
	for (unsigned i = 0; i < sp->n;) {
		if (sp->maps[i].va >= va && sp->maps[i].va - va < len)
			sp->maps[i] = sp->maps[--sp->n];
		else
			i++;
	}
}

int plat_space_create(struct plat_space *s)
{
	if (next_space == MAX_SPACES) {
		SPACE_H(s) = 0;
		return -1;
	}
	unsigned h = next_space++;
	spaces[h] = (struct space){.live = true};
	SPACE_H(s) = h;
	stats.spaces_created++;
	return 0;
}

void plat_space_destroy(struct plat_space *s)
{
	if (!SPACE_H(s))
		return;
	struct space *sp = space_of(s);
	if (!sp)
		return;
	unsigned h = (unsigned)SPACE_H(s);
	for (unsigned i = 1; i < next_thread; i++)
		if (threads[i].pub.live && threads[i].pub.space == h)
			anomaly("space %u destroyed with thread %lu in it", h, (unsigned long)threads[i].pub.id);
	free(sp->maps);
	*sp = (struct space){0};
	SPACE_H(s) = 0;
	stats.spaces_destroyed++;
}

int plat_map(struct plat_space *s, uint64_t va, void *page, unsigned prot)
{
	struct space *sp = space_of(s);
	if (!sp)
		return -1;
	if ((va & 0xfff) || ((uintptr_t)page & 0xfff))
		anomaly("plat_map of an unaligned page (%lx, %p)", (unsigned long)va, page);
	map_page(sp, va, page, prot);
	op(FAKE_OP_MAP, (unsigned)SPACE_H(s), va, 4096, page, prot);
	return 0;
}

void plat_unmap(struct plat_space *s, uint64_t va, uint64_t len)
{
	struct space *sp = space_of(s);
	if (!sp)
		return;
	if ((va & 0xfff) || (len & 0xfff))
		anomaly("plat_unmap of an unaligned range (%lx, %lx)", (unsigned long)va, (unsigned long)len);
	unmap_range(sp, va, len);
	op(FAKE_OP_UNMAP, (unsigned)SPACE_H(s), va, len, NULL, 0);
}

void plat_protect(struct plat_space *s, uint64_t va, uint64_t len, unsigned remove)
{
	struct space *sp = space_of(s);
	if (!sp)
		return;
	for (unsigned i = 0; i < sp->n; i++)
		if (sp->maps[i].va >= va && sp->maps[i].va - va < len)
			sp->maps[i].prot &= ~(remove & (PROT_W | PROT_X));
	op(FAKE_OP_PROTECT, (unsigned)SPACE_H(s), va, len, NULL, remove);
}

void plat_revoke(void *page)
{
	for (unsigned h = 1; h < next_space; h++) {
		struct space *sp = &spaces[h];
		for (unsigned i = 0; sp->live && i < sp->n;) {
			if (sp->maps[i].page == page)
				sp->maps[i] = sp->maps[--sp->n];
			else
				i++;
		}
	}
	op(FAKE_OP_REVOKE, 0, 0, 0, page, 0);
}

/* ---- threads ----------------------------------------------------------------------------- */

static struct thread *thread_of(const struct plat_thread *t)
{
	unsigned h = (unsigned)THREAD_H(t);
	if (!h || h >= next_thread || !threads[h].pub.live) {
		anomaly("a thread that is not there (%u)", h);
		return NULL;
	}
	return &threads[h];
}

static struct thread *thread_by_id(uint64_t id)
{
	for (unsigned i = 1; i < next_thread; i++)
		if (threads[i].pub.live && threads[i].pub.id == id)
			return &threads[i];
	return NULL;
}

const struct fake_thread *fake_thread(uint64_t id)
{
	struct thread *t = thread_by_id(id);
	return t ? &t->pub : NULL;
}

/* the FPU's init state as FXSAVE stores it: FCW 0x37f, MXCSR 0x1f80 */
static void fpu_init(struct thread *t)
{
	memset(t->fpu, 0, sizeof t->fpu);
	t->fpu[0] = 0x7f;
	t->fpu[1] = 0x03;
	t->fpu[24] = 0x80;
	t->fpu[25] = 0x1f;
	t->pub.fpu_init = true;
}

static void fpu_set(struct thread *t, const void *fpu)
{
	if (fpu == PLAT_FPU_INIT) {
		fpu_init(t);
	} else {
		memcpy(t->fpu, fpu, sizeof t->fpu);
		t->pub.fpu_init = false;
	}
}

int plat_thread_create(struct plat_thread *t, struct plat_space *s, uint64_t id)
{
	struct space *sp = space_of(s);
	if (!sp || next_thread == MAX_THREADS) {
		THREAD_H(t) = 0;
		return -1;
	}
	if (thread_by_id(id))
		anomaly("a second thread with id %lu", (unsigned long)id);
	unsigned h = next_thread++;
	struct thread *n = &threads[h];
	memset(n, 0, sizeof *n);
	n->pub.live = true;
	n->pub.id = id;
	n->pub.space = (unsigned)SPACE_H(s);
	n->pub.state = FAKE_T_CREATED;
	fpu_init(n);
	THREAD_H(t) = h;
	stats.threads_created++;
	return 0;
}

void plat_thread_destroy(struct plat_thread *t)
{
	if (!THREAD_H(t))
		return;
	struct thread *n = thread_of(t);
	if (n)
		n->pub.live = false;
	THREAD_H(t) = 0;
	stats.threads_destroyed++;
}

static bool waits(struct thread *n, const char *what)
{
	if (n->pub.state == FAKE_T_WAITING)
		return true;
	anomaly("%s of thread %lu, which waits for no reply", what, (unsigned long)n->pub.id);
	return false;
}

int plat_thread_set_base(struct plat_thread *t, enum plat_reg reg, uint64_t v)
{
	struct thread *n = thread_of(t);
	if (!n || (reg != PLAT_REG_FSBASE && reg != PLAT_REG_GSBASE))
		return -1;
	n->pub.regs[reg] = v;
	return 0;
}

void plat_fpu_info(struct plat_fpu_info *info)
{
	info->size = FPU_SIZE;
	info->features = 0;
	info->mxcsr_mask = 0xffff;
}

void *plat_fpu_area(void)
{
	static uint8_t area[PLAT_FPU_MAX] __attribute__((aligned(64)));
	return area;
}

int plat_thread_get(struct plat_thread *t, bool stop, uint64_t *regs, void *fpu)
{
	struct thread *n = thread_of(t);
	if (!n)
		return -1;
	if (stop && n->pub.state == FAKE_T_RUNNING)
		n->pub.state = FAKE_T_STOPPED;
	else if (!stop && n->pub.state != FAKE_T_STOPPED)
		waits(n, "plat_thread_get without stop");
	memcpy(regs, n->pub.regs, sizeof n->pub.regs);
	if (fpu)
		memcpy(fpu, n->fpu, sizeof n->fpu);
	return 0;
}

int plat_thread_set(struct plat_thread *t, const uint64_t *regs, unsigned nregs, const void *fpu, bool run)
{
	struct thread *n = thread_of(t);
	if (!n || nregs > PLAT_REG_COUNT)
		return -1;
	if (n->pub.state == FAKE_T_CREATED) { /* its start (plat_thread_start) */
		if (nregs != PLAT_REG_COUNT)
			anomaly("thread %lu starts with %u registers, not all", (unsigned long)n->pub.id, nregs);
		memcpy(n->pub.regs, regs, nregs * sizeof regs[0]);
		if (fpu)
			fpu_set(n, fpu);
		n->pub.state = run ? FAKE_T_RUNNING : FAKE_T_STOPPED;
		stats.threads_started++;
		return 0;
	}
	memcpy(n->pub.regs, regs, nregs * sizeof regs[0]);
	if (fpu)
		fpu_set(n, fpu);
	n->pub.state = run ? FAKE_T_RUNNING : FAKE_T_STOPPED;
	n->pub.answers++;
	n->pub.last = (struct fake_reply){.kind = FAKE_SET, .later = true, .n = nregs};
	memcpy(n->pub.last.regs, n->pub.regs, sizeof n->pub.regs);
	return 0;
}

int plat_thread_take(struct plat_thread *t, uint64_t *regs, void *fpu)
{
	struct thread *n = thread_of(t);
	if (!n)
		return -1;
	waits(n, "plat_thread_take");
	memcpy(regs, n->pub.regs, sizeof n->pub.regs);
	memcpy(fpu, n->fpu, sizeof n->fpu);
	fpu_init(n);
	return 0;
}

int plat_thread_set_fpu(struct plat_thread *t, const void *fpu)
{
	struct thread *n = thread_of(t);
	if (!n)
		return -1;
	fpu_set(n, fpu);
	return 0;
}

int plat_thread_run(struct plat_thread *t)
{
	struct thread *n = thread_of(t);
	if (!n)
		return -1;
	if (n->pub.state != FAKE_T_STOPPED)
		anomaly("plat_thread_run of thread %lu, which is not stopped", (unsigned long)n->pub.id);
	else
		n->pub.state = FAKE_T_RUNNING;
	return 0;
}

bool plat_reply_pending(uint64_t id) { return ev.active && ev.pending && ev.to == id; }

int plat_thread_times(struct plat_thread *t, struct plat_cputime *out)
{
	unsigned h = (unsigned)THREAD_H(t);
	if (!h || h >= next_thread || !threads[h].pub.live)
		return -1; /* (a thread not made yet, or gone: allowed to ask) */
	*out = (struct plat_cputime){0};
	return 0;
}

/* ---- replies ------------------------------------------------------------------------------ */

static void reply(struct fake_reply r)
{
	if (!ev.active) {
		anomaly("a reply with no event in hand");
		return;
	}
	if (ev.pending)
		anomaly("a second reply to the event of thread %lu", (unsigned long)ev.to);
	ev.pending = true;
	ev.r = r;
}

void plat_reply_regs(const uint64_t *regs, unsigned n)
{
	if (n == 1) { /* (plat_reply_syscall) */
		reply((struct fake_reply){.kind = FAKE_SYSCALL, .rax = regs[0]});
		return;
	}
	struct fake_reply r = {.kind = FAKE_REGS, .n = n};
	if (n > PLAT_REG_COUNT)
		anomaly("plat_reply_regs of %u registers", n);
	memcpy(r.regs, regs, (n > PLAT_REG_COUNT ? PLAT_REG_COUNT : n) * sizeof regs[0]);
	reply(r);
}

void plat_reply_fault(uint64_t va, void *page, unsigned prot)
{
	reply((struct fake_reply){.kind = FAKE_FAULT, .va = va, .page = page, .prot = prot});
}

void plat_reply_resume(void) { reply((struct fake_reply){.kind = FAKE_RESUME}); }

/* thread n gets answer r: it runs on */
static void answer(struct thread *n, const struct fake_reply *r)
{
	if (!waits(n, r->later ? "a later reply" : "the reply"))
		return;
	switch (r->kind) {
	case FAKE_SYSCALL:
		n->pub.regs[PLAT_REG_RAX] = r->rax;
		break;
	case FAKE_REGS:
		memcpy(n->pub.regs, r->regs, r->n * sizeof r->regs[0]);
		break;
	case FAKE_FAULT: {
		struct space *sp = &spaces[n->pub.space];
		op(FAKE_OP_REPLY_MAP, n->pub.space, r->va, 4096, r->page, r->prot);
		if (drop_maps)
			drop_maps--; /* (the kernel had no memory for it) */
		else if (sp->live)
			map_page(sp, r->va & ~0xfffull, r->page, r->prot);
		break;
	}
	default:
		break;
	}
	n->pub.state = FAKE_T_RUNNING;
	n->pub.answers++;
	n->pub.last = *r;
}

void fake_drop_reply_maps(unsigned n) { drop_maps = n; }

static void resume(struct plat_thread *t, struct fake_reply r)
{
	struct thread *n = thread_of(t);
	if (!n)
		return;
	r.later = true;
	stats.resumes++;
	answer(n, &r);
}

void plat_resume_regs(struct plat_thread *t, const uint64_t *regs, unsigned n)
{
	if (n == 1) { /* (plat_resume_syscall) */
		resume(t, (struct fake_reply){.kind = FAKE_SYSCALL, .rax = regs[0]});
		return;
	}
	struct fake_reply r = {.kind = FAKE_REGS, .n = n > PLAT_REG_COUNT ? PLAT_REG_COUNT : n};
	memcpy(r.regs, regs, r.n * sizeof regs[0]);
	resume(t, r);
}

/* ---- the event loop's part ------------------------------------------------------------------ */

static void timer_check(void)
{
	if (deadline && now_ns >= deadline) {
		deadline = 0; /* srv_timer sets the next one */
		srv_timer();
	}
}

/* thread id makes an event: it waits for the reply from now on */
static struct thread *event_begin(uint64_t id)
{
	struct thread *n = thread_by_id(id);
	if (!n) {
		anomaly("an event of thread %lu, which is not there", (unsigned long)id);
		return NULL;
	}
	if (n->pub.state != FAKE_T_RUNNING) {
		anomaly("an event of thread %lu, which does not run (state %d)", (unsigned long)id, n->pub.state);
		return NULL;
	}
	if (ev.active)
		anomaly("an event inside an event");
	n->pub.state = FAKE_T_WAITING;
	ev.active = true;
	ev.pending = false;
	ev.to = id;
	return n;
}

/* as micro's loop after a dispatch: the deadline, then the reply goes */
static void event_end(void)
{
	timer_check();
	ev.active = false;
	last_reply = ev.pending ? ev.r : (struct fake_reply){.kind = FAKE_NONE};
	if (!ev.pending)
		return;
	stats.replies++;
	struct thread *n = thread_by_id(ev.to);
	if (!n)
		anomaly("the reply to thread %lu, which is gone", (unsigned long)ev.to);
	else
		answer(n, &ev.r);
}

const struct fake_reply *fake_last_reply(void) { return &last_reply; }

long fake_syscall(uint64_t id, const uint64_t args[7])
{
	struct thread *n = event_begin(id);
	if (!n)
		return FAKE_NOREPLY;
	uint64_t regs[PLAT_SYSCALL_REGS];
	memcpy(regs, n->pub.regs, sizeof regs);
	for (int i = 0; i < 7; i++)
		regs[i] = args[i]; /* nr rdi rsi rdx r10 r8 r9: frame order */
	memcpy(n->pub.regs, regs, sizeof regs);
	srv_syscall(id, regs);
	event_end();
	return last_reply.kind == FAKE_SYSCALL ? (long)last_reply.rax : FAKE_NOREPLY;
}

enum fake_answer fake_fault(uint64_t id, uint64_t addr, unsigned access)
{
	struct thread *n = event_begin(id);
	if (!n)
		return FAKE_NONE;
	srv_fault(id, addr, access, n->pub.regs[PLAT_REG_RIP]);
	event_end();
	return last_reply.kind;
}

/* one access within a page, as the CPU makes it: a fault and a retry
 * while the mapping does not allow it */
static int user_access(uint64_t id, uint64_t va, void *buf, size_t n, bool write)
{
	for (int tries = 0; tries < 4; tries++) {
		struct thread *t = thread_by_id(id);
		if (!t || t->pub.state != FAKE_T_RUNNING)
			return -1;
		struct mapping *m = find_map(&spaces[t->pub.space], va & ~0xfffull);
		if (m && (!write || (m->prot & PROT_W))) {
			char *p = (char *)m->page + (va & 0xfff);
			if (write)
				memcpy(p, buf, n);
			else
				memcpy(buf, p, n);
			return 0;
		}
		unsigned access = (write ? PLAT_PF_WRITE : PLAT_PF_READ) | (m ? PLAT_PF_PRESENT : 0);
		enum fake_answer a = fake_fault(id, va, access);
		if (a != FAKE_FAULT && a != FAKE_RESUME)
			return -1; /* a signal, or the end */
	}
	anomaly("thread %lu faults for ever at %lx", (unsigned long)id, (unsigned long)va);
	return -1;
}

static int user_copy(uint64_t id, uint64_t va, void *buf, size_t n, bool write)
{
	while (n) {
		size_t chunk = 4096 - (va & 0xfff) < n ? 4096 - (va & 0xfff) : n;
		if (user_access(id, va, buf, chunk, write))
			return -1;
		va += chunk;
		buf = (char *)buf + chunk;
		n -= chunk;
	}
	return 0;
}

void fake_set_reg(uint64_t id, enum plat_reg r, uint64_t v)
{
	struct thread *t = thread_by_id(id);
	if (!t || t->pub.state != FAKE_T_RUNNING)
		anomaly("thread %lu sets a register, but does not run", (unsigned long)id);
	else
		t->pub.regs[r] = v;
}

int fake_user_read(uint64_t id, uint64_t va, void *buf, size_t n) { return user_copy(id, va, buf, n, false); }

int fake_user_write(uint64_t id, uint64_t va, const void *buf, size_t n)
{
	return user_copy(id, va, (void *)buf, n, true);
}

/* ---- inspection ------------------------------------------------------------------------------- */

unsigned fake_space_of(uint64_t id)
{
	struct thread *t = thread_by_id(id);
	return t ? t->pub.space : 0;
}

bool fake_mapping(uint64_t id, uint64_t va, void **page, unsigned *prot)
{
	struct thread *t = thread_by_id(id);
	struct mapping *m = t ? find_map(&spaces[t->pub.space], va & ~0xfffull) : NULL;
	if (!m)
		return false;
	if (page)
		*page = m->page;
	if (prot)
		*prot = m->prot;
	return true;
}

unsigned fake_mapped_pages(uint64_t id)
{
	struct thread *t = thread_by_id(id);
	return t ? spaces[t->pub.space].n : 0;
}

unsigned fake_space_handle(const struct plat_space *s) { return (unsigned)SPACE_H(s); }

bool fake_space_mapping(unsigned space, unsigned i, uint64_t *va, void **page, unsigned *prot)
{
	if (!space || space >= next_space || !spaces[space].live || i >= spaces[space].n)
		return false;
	*va = spaces[space].maps[i].va;
	*page = spaces[space].maps[i].page;
	*prot = spaces[space].maps[i].prot;
	return true;
}

const struct fake_op *fake_ops(unsigned *n)
{
	*n = nops;
	return ops;
}

void fake_ops_clear(void) { nops = 0; }

unsigned fake_op_count(enum fake_op_kind kind, uint64_t id)
{
	unsigned sp = fake_space_of(id), c = 0;
	for (unsigned i = 0; i < nops; i++)
		c += ops[i].kind == kind && ops[i].space == sp;
	return c;
}

const struct fake_stats *fake_stats(void) { return &stats; }

/* ---- time, interrupts, the machine --------------------------------------------------------- */

uint64_t plat_now_ns(void) { return now_ns; }
uint64_t fake_now(void) { return now_ns; }
uint64_t fake_deadline(void) { return deadline; }
void plat_timer(uint64_t deadline_ns) { deadline = deadline_ns; }

void fake_advance(uint64_t ns)
{
	if (ev.active) {
		anomaly("the clock moved inside an event");
		return;
	}
	now_ns += ns;
	timer_check(); /* (no event in hand: a reply from srv_timer is an anomaly) */
}

uint64_t plat_cycles_ns(uint64_t cycles) { return cycles / 3; } /* (a 3 GHz TSC: accounting only) */
uint64_t plat_idle_ns(void) { return 0; }
unsigned plat_counters(uint64_t *out, unsigned n)
{
	(void)out;
	(void)n;
	return 0; /* no kernel counters here */
}

/* the "kernel memory" the fake holds: a page per space and thread, and one
 * per 512 mappings */
uint64_t plat_kmem_used(void)
{
	uint64_t n = 0;
	for (unsigned h = 1; h < next_space; h++)
		if (spaces[h].live)
			n += 1 + spaces[h].n / 512;
	for (unsigned h = 1; h < next_thread; h++)
		n += threads[h].pub.live;
	return n;
}

int plat_irq_attach(unsigned line) { return line < 16 ? 0 : -1; }
void plat_irq_ack(unsigned line) { (void)line; }
