/*
 * The kernel benchmarks of MEASURE.md: IPC round trips (two tasks, one
 * task), the foreign-ABI syscall round trip to a user-level handler, and
 * a page fault resolved by a user-level pager.  Each is a loop of N
 * operations, repeated BENCH_REPS times; the median is reported.
 */
#include "bench.h"

#define N 2000

/* the server side of the IPC benchmarks: reply-and-wait forever, with a
 * one-word register message */
static void echo_server(uint64_t ep)
{
	struct lx4_msg m;
	long e = lx4_recv(ep, &m, LX4_TIMEOUT_NEVER);
	uint64_t tag = m.tag, w = m.mr[0];
	while (e == 0)
		e = lx4_ipc_short(LX4_SYS_REPLY_RECV, ep, &tag, &w);
}

static void client_loop(lx4_cap_t ep, const char *name)
{
	uint64_t tag = lx4_tag(1, 1, 0), w = 0;
	for (int i = 0; i < 100; i++) /* warm up */
		KEXPECT_EQ(lx4_ipc_short(LX4_SYS_CALL, ep, &tag, &w), 0);
	for (int r = 0; r < BENCH_REPS; r++) {
		struct sample a = sample_now();
		for (int i = 0; i < N; i++)
			lx4_ipc_short(LX4_SYS_CALL, ep, &tag, &w);
		struct sample b = sample_now();
		bench_rep(a, b, N);
	}
	bench_report(name);
}

KTEST(ipc_roundtrip)
{
	lx4_cap_t ep = ep_new();
	struct child c;
	task_spawn(&c, echo_server, 1, 0, 0, false);
	KEXPECT_EQ(lx4_cap_copy(c.task, 1, ep, LX4_R_RECV, 0), 0);
	KEXPECT_EQ(lx4_exregs(c.thread, LX4_EXREGS_START, 0).err, 0);
	client_loop(ep, "ipc_roundtrip");
	child_destroy(&c);
}

KTEST(ipc_roundtrip_same_space)
{
	lx4_cap_t ep = ep_new();
	thread_spawn(echo_server, ep, 100, true);
	client_loop(ep, "ipc_roundtrip_same_space");
}

/* ---- foreign-ABI syscall round trip ------------------------------------ */

static volatile struct sample fa, fb;
static volatile int fdone;

static void foreign_loop(uint64_t n)
{
	for (int r = 0; r < BENCH_REPS; r++) {
		struct sample a = sample_now();
		for (uint64_t i = 0; i < n; i++) {
			long ret;
			__asm__ volatile("syscall" : "=a"(ret) : "a"(39) : "rcx", "r11", "memory");
		}
		struct sample b = sample_now();
		bench_rep(a, b, n);
	}
	fdone = 1;
	for (;;)
		__asm__ volatile("syscall" : : "a"(231) : "rcx", "r11", "memory");
}

KTEST(foreign_syscall_roundtrip)
{
	lx4_cap_t ep = ep_new();
	struct child c;
	task_spawn(&c, foreign_loop, N, 0, ep, false);
	KEXPECT_EQ(lx4_thread_config(c.thread, LX4_TCFG_FOREIGN, 1), 0);
	KEXPECT_EQ(lx4_exregs(c.thread, LX4_EXREGS_START, 0).err, 0);
	struct lx4_msg m;
	KEXPECT_EQ(lx4_recv(ep, &m, LX4_TIMEOUT_NEVER), 0);
	KEXPECT_EQ(lx4_tag_label(m.tag), LX4_LABEL_SYSCALL);
	while (!fdone) {
		uint64_t tag = lx4_tag(0, 1, 0), w = 1234; /* getpid */
		lx4_ipc_short(LX4_SYS_REPLY_RECV, ep, &tag, &w);
	}
	/* the child shares our data: its repetitions are recorded here */
	bench_report("foreign_syscall_roundtrip");
	child_destroy(&c);
}

/* ---- page fault resolved by a user-level pager ---------------------------- */

#define PF_PAGES 256
#define PF_AREA 0x0000200000000000ull

static void toucher(uint64_t rep)
{
	for (uint64_t r = 0; r < rep; r++) {
		struct sample a = sample_now();
		for (uint64_t i = 0; i < PF_PAGES; i++)
			*(volatile uint64_t *)(PF_AREA + r * PF_PAGES * 4096 + i * 4096) = i;
		struct sample b = sample_now();
		bench_rep(a, b, PF_PAGES);
	}
	fdone = 2;
	*(volatile uint64_t *)(PF_AREA - 4096) = 0; /* tells the pager we are done */
}

KTEST(pagefault_user_pager)
{
	static uint64_t pages[PF_PAGES];
	for (int i = 0; i < PF_PAGES; i++)
		pages[i] = (uint64_t)page_new();
	lx4_cap_t ep = ep_new();
	struct child c;
	task_spawn(&c, toucher, BENCH_REPS, ep, 0, true);
	struct lx4_msg m;
	long e = lx4_recv(ep, &m, LX4_TIMEOUT_NEVER);
	unsigned k = 0;
	while (e == 0 && lx4_tag_label(m.tag) == LX4_LABEL_PAGEFAULT && m.mr[0] != PF_AREA - 4096) {
		/* the same frames for every repetition: the pager's work only */
		m.tag = lx4_tag(0, 0, 1);
		m.mr[1] = m.mr[0] & ~0xfffull;
		m.mr[0] = lx4_fpage(pages[k++ % PF_PAGES], 12, LX4_FP_R | LX4_FP_W);
		e = lx4_reply_recv(ep, &m, LX4_TIMEOUT_NEVER);
	}
	KEXPECT_EQ(fdone, 2);
	bench_report("pagefault_user_pager");
	child_destroy(&c);
}
