/* Unit tests of pipes (server/fs/pipe.c, through pipe2, read, write, close,
 * fcntl and ioctl of fd.c and sys_stat.c) on the fake platform: data in order,
 * partial reads, PIPE_BUF atomicity, end of file, EPIPE and SIGPIPE,
 * O_NONBLOCK, and calls that wait: a reader or writer parked until the
 * other side acts, then resumed (plat_resume_*) with its count, or
 * interrupted by a signal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <asm/sigcontext.h>

#include "srv_test.h"

#define FDS  USER_BASE                /* int[2] of pipe2 */
#define WBUF (USER_BASE + 16 * PAGE)  /* what is written (up to 128 KiB) */
#define RBUF (USER_BASE + 64 * PAGE)  /* what is read (up to 128 KiB) */
#define WORD (USER_BASE + 128 * PAGE) /* a word for FIONREAD and signal sets */

struct ends {
	int r, w;
};

static struct ends make_pipe(int pid, uint64_t flags)
{
	assert_int_equal(SYS(pid, __NR_pipe2, FDS, flags), 0);
	struct ends e = {user_int(pid, FDS), user_int(pid, FDS + 4)};
	assert_true(e.r >= 0 && e.w >= 0 && e.r != e.w);
	return e;
}

static long pipe_write(int pid, int fd, const void *data, size_t n)
{
	user_put(pid, WBUF, data, n);
	return SYS(pid, __NR_write, (uint64_t)fd, WBUF, n);
}

static int nread(int pid, int fd)
{
	assert_int_equal(SYS(pid, __NR_ioctl, (uint64_t)fd, FIONREAD, WORD), 0);
	return user_int(pid, WORD);
}

/* a pattern nothing repeats in less than 251 bytes */
static void pattern(uint8_t *b, size_t n, size_t from)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)((from + i) * 7 % 251);
}

static void close_all(int pid, struct ends e)
{
	assert_int_equal(SYS(pid, __NR_close, (uint64_t)e.r), 0);
	assert_int_equal(SYS(pid, __NR_close, (uint64_t)e.w), 0);
}

/* what goes in comes out, in order; FIONREAD counts it */
static void test_write_then_read(void **state)
{
	(void)state;
	int pid = srv_host_spawn();
	struct ends e = make_pipe(pid, 0);
	assert_int_equal(pipe_write(pid, e.w, "hello, ", 7), 7);
	assert_int_equal(pipe_write(pid, e.w, "pipe", 4), 4);
	assert_int_equal(nread(pid, e.r), 11);
	assert_int_equal(SYS(pid, __NR_read, (uint64_t)e.r, RBUF, 100), 11);
	char buf[12] = {0};
	user_get(pid, RBUF, buf, 11);
	assert_string_equal(buf, "hello, pipe");
	assert_int_equal(nread(pid, e.r), 0);
	/* the wrong ends: EBADF */
	assert_int_equal(SYS(pid, __NR_read, (uint64_t)e.w, RBUF, 1), -EBADF);
	assert_int_equal(SYS(pid, __NR_write, (uint64_t)e.r, WBUF, 1), -EBADF);
	close_all(pid, e);
	srv_host_exit(pid);
	srv_end();
}

/* a read takes what fits and leaves the rest */
static void test_partial_reads(void **state)
{
	(void)state;
	int pid = srv_host_spawn();
	struct ends e = make_pipe(pid, 0);
	assert_int_equal(pipe_write(pid, e.w, "abcdefghij", 10), 10);
	char buf[11] = {0};
	assert_int_equal(SYS(pid, __NR_read, (uint64_t)e.r, RBUF, 4), 4);
	user_get(pid, RBUF, buf, 4);
	assert_string_equal(buf, "abcd");
	assert_int_equal(nread(pid, e.r), 6);
	assert_int_equal(SYS(pid, __NR_read, (uint64_t)e.r, RBUF, 100), 6);
	user_get(pid, RBUF, buf, 6);
	assert_string_equal(buf, "efghij");
	close_all(pid, e);
	srv_host_exit(pid);
	srv_end();
}

/* a write of at most PIPE_BUF bytes goes in whole or not at all: with
 * 46 bytes of room it is EAGAIN (O_NONBLOCK), not 46 of its 100; blocking,
 * it waits and goes in whole once a reader makes room */
static void test_pipe_buf_atomic(void **state)
{
	(void)state;
	static uint8_t big[65536];
	int pid = srv_host_spawn();
	struct ends e = make_pipe(pid, O_NONBLOCK);
	pattern(big, sizeof big, 0);
	assert_int_equal(pipe_write(pid, e.w, big, 15 * 4096 + 4000), 15 * 4096 + 4000); /* 16 buffers: full */
	assert_int_equal(pipe_write(pid, e.w, big, 50), 50); /* into the last one's room */
	assert_int_equal(pipe_write(pid, e.w, big, 100), -EAGAIN);
	assert_int_equal(nread(pid, e.r), 15 * 4096 + 4050);
	assert_int_equal(pipe_write(pid, e.w, big, 46), 46);
	assert_int_equal(pipe_write(pid, e.w, big, 1), -EAGAIN);

	assert_int_equal(SYS(pid, __NR_fcntl, (uint64_t)e.w, F_SETFL, 0), 0);
	int c = srv_fork(pid);
	assert_int_equal(pipe_write(pid, e.w, big, 100), FAKE_NOREPLY); /* waits */
	const struct fake_thread *w = fake_thread(pid);
	assert_int_equal(w->state, FAKE_T_WAITING);
	assert_int_equal(SYS(c, __NR_read, (uint64_t)e.r, RBUF, 4096), 4096);
	assert_int_equal(w->state, FAKE_T_RUNNING);
	assert_int_equal(w->last.kind, FAKE_SYSCALL);
	assert_true(w->last.later);
	assert_int_equal(w->last.rax, 100);
	assert_int_equal(nread(c, e.r), 15 * 4096 + 4096 - 4096 + 100);
	assert_int_equal(SYS(c, __NR_exit_group, 0), FAKE_NOREPLY);
	assert_int_equal(srv_wait(pid, c), 0);
	close_all(pid, e);
	srv_host_exit(pid);
	srv_end();
}

/* a longer write: O_NONBLOCK takes what fits; blocking, it goes in as
 * buffers come free and returns when all of it is in, the bytes in order */
static void test_long_write(void **state)
{
	(void)state;
	static uint8_t big[70000], got[70000];
	pattern(big, sizeof big, 0);
	int pid = srv_host_spawn();
	struct ends e = make_pipe(pid, O_NONBLOCK);
	assert_int_equal(pipe_write(pid, e.w, big, sizeof big), 65536);
	assert_int_equal(SYS(pid, __NR_read, (uint64_t)e.r, RBUF, 65536), 65536);
	user_get(pid, RBUF, got, 65536);
	assert_memory_equal(got, big, 65536);

	assert_int_equal(SYS(pid, __NR_fcntl, (uint64_t)e.w, F_SETFL, 0), 0);
	int c = srv_fork(pid);
	assert_int_equal(pipe_write(pid, e.w, big, sizeof big), FAKE_NOREPLY);
	const struct fake_thread *w = fake_thread(pid);
	unsigned answers = w->answers;
	assert_int_equal(SYS(c, __NR_read, (uint64_t)e.r, RBUF, 2048), 2048); /* half a buffer: no room */
	assert_int_equal(w->answers, answers);
	assert_int_equal(SYS(c, __NR_read, (uint64_t)e.r, RBUF + 2048, 30720), 30720);
	assert_int_equal(w->answers, answers + 1); /* the rest went in */
	assert_int_equal(w->last.rax, sizeof big);
	assert_int_equal(SYS(c, __NR_read, (uint64_t)e.r, RBUF + 32768, 65536), sizeof big - 32768);
	user_get(c, RBUF, got, sizeof got);
	assert_memory_equal(got, big, sizeof big);
	assert_int_equal(SYS(c, __NR_exit_group, 0), FAKE_NOREPLY);
	assert_int_equal(srv_wait(pid, c), 0);
	close_all(pid, e);
	srv_host_exit(pid);
	srv_end();
}

/* with the writers gone a read gets what is left, then end of file */
static void test_eof(void **state)
{
	(void)state;
	int pid = srv_host_spawn();
	struct ends e = make_pipe(pid, 0);
	assert_int_equal(pipe_write(pid, e.w, "end", 3), 3);
	assert_int_equal(SYS(pid, __NR_close, (uint64_t)e.w), 0);
	assert_int_equal(SYS(pid, __NR_read, (uint64_t)e.r, RBUF, 100), 3);
	assert_int_equal(SYS(pid, __NR_read, (uint64_t)e.r, RBUF, 100), 0);
	assert_int_equal(SYS(pid, __NR_close, (uint64_t)e.r), 0);
	srv_host_exit(pid);
	srv_end();
}

/* with the readers gone a write fails with EPIPE and raises SIGPIPE:
 * pending while blocked, dropped while ignored, and by default the end
 * of the writer */
static void test_epipe_sigpipe(void **state)
{
	(void)state;
	int pid = srv_host_spawn();
	struct ends e = make_pipe(pid, 0);
	assert_int_equal(SYS(pid, __NR_close, (uint64_t)e.r), 0);
	uint64_t set = SIGBIT(SIGPIPE);
	user_put(pid, WORD, &set, 8);
	assert_int_equal(SYS(pid, __NR_rt_sigprocmask, SIG_BLOCK, WORD, 0, 8), 0);
	assert_int_equal(pipe_write(pid, e.w, "x", 1), -EPIPE);
	assert_int_equal(SYS(pid, __NR_rt_sigpending, WORD, 8), 0);
	assert_int_equal(user_u64(pid, WORD), SIGBIT(SIGPIPE));

	srv_sigaction(pid, SIGPIPE, SIG_IGN_L, 0); /* (drops the pending one) */
	assert_int_equal(SYS(pid, __NR_rt_sigpending, WORD, 8), 0);
	assert_int_equal(user_u64(pid, WORD), 0);
	user_put(pid, WORD, &set, 8);
	assert_int_equal(SYS(pid, __NR_rt_sigprocmask, SIG_UNBLOCK, WORD, 0, 8), 0);
	assert_int_equal(pipe_write(pid, e.w, "x", 1), -EPIPE);
	assert_int_equal(SYS(pid, __NR_rt_sigpending, WORD, 8), 0);
	assert_int_equal(user_u64(pid, WORD), 0);

	srv_sigaction(pid, SIGPIPE, SIG_DFL_L, 0);
	int c = srv_fork(pid);
	assert_int_equal(pipe_write(c, e.w, "x", 1), FAKE_NOREPLY);
	assert_null(fake_thread(c));
	assert_int_equal(srv_wait(pid, c), SIGPIPE);
	assert_int_equal(SYS(pid, __NR_close, (uint64_t)e.w), 0);
	srv_host_exit(pid);
	srv_end();
}

/* O_NONBLOCK on an empty pipe: EAGAIN, and the reader is on no wait
 * queue afterwards (a write then resumes nobody) */
static void test_nonblock_empty(void **state)
{
	(void)state;
	int pid = srv_host_spawn();
	struct ends e = make_pipe(pid, O_NONBLOCK);
	unsigned resumes = fake_stats()->resumes;
	assert_int_equal(SYS(pid, __NR_read, (uint64_t)e.r, RBUF, 10), -EAGAIN);
	assert_int_equal(pipe_write(pid, e.w, "late", 4), 4);
	assert_int_equal(fake_stats()->resumes, resumes);
	assert_int_equal(fake_thread(pid)->state, FAKE_T_RUNNING);
	assert_int_equal(SYS(pid, __NR_read, (uint64_t)e.r, RBUF, 10), 4);
	close_all(pid, e);
	srv_host_exit(pid);
	srv_end();
}

/* a reader waiting on an empty pipe is resumed with what a writer wrote;
 * and with end of file when the last writer goes */
static void test_blocked_reader(void **state)
{
	(void)state;
	int pid = srv_host_spawn();
	struct ends e = make_pipe(pid, 0);
	int c = srv_fork(pid);
	const struct fake_thread *r = fake_thread(c);
	assert_int_equal(SYS(c, __NR_read, (uint64_t)e.r, RBUF, 100), FAKE_NOREPLY);
	assert_int_equal(r->state, FAKE_T_WAITING);
	unsigned answers = r->answers;
	assert_int_equal(pipe_write(pid, e.w, "wake up", 7), 7);
	assert_int_equal(r->state, FAKE_T_RUNNING);
	assert_int_equal(r->answers, answers + 1);
	assert_int_equal(r->last.kind, FAKE_SYSCALL);
	assert_true(r->last.later);
	assert_int_equal(r->last.rax, 7);
	char buf[8] = {0};
	user_get(c, RBUF, buf, 7);
	assert_string_equal(buf, "wake up");
	user_get(pid, RBUF, buf, 7); /* (the parent's memory is its own) */
	assert_string_not_equal(buf, "wake up");

	assert_int_equal(SYS(c, __NR_close, (uint64_t)e.w), 0);
	assert_int_equal(SYS(c, __NR_read, (uint64_t)e.r, RBUF, 100), FAKE_NOREPLY);
	answers = r->answers;
	assert_int_equal(SYS(pid, __NR_close, (uint64_t)e.w), 0); /* the last writer */
	assert_int_equal(r->answers, answers + 1);
	assert_int_equal(r->last.rax, 0);
	assert_int_equal(SYS(c, __NR_exit_group, 0), FAKE_NOREPLY);
	assert_int_equal(srv_wait(pid, c), 0);
	assert_int_equal(SYS(pid, __NR_close, (uint64_t)e.r), 0);
	srv_host_exit(pid);
	srv_end();
}

/* a signal with a handler ends a waiting read: the thread is resumed at
 * the handler (plat_resume_regs), and the frame's saved rax is EINTR, or
 * with SA_RESTART the call made again (rax the call's number, rip back on
 * the syscall instruction) */
static void test_signal_interrupts_read(void **state)
{
	(void)state;
	static const struct {
		uint64_t flags;
		bool restart;
	} cases[] = {{0, false}, {SA_RESTART, true}};
	for (unsigned i = 0; i < 2; i++) {
		int pid = srv_host_spawn();
		struct ends e = make_pipe(pid, 0);
		srv_sigaction(pid, SIGUSR1, 0x403000, cases[i].flags);
		int c = srv_fork(pid);
		const struct fake_thread *r = fake_thread(c);
		uint64_t rip = r->regs[PLAT_REG_RIP];
		assert_int_equal(SYS(c, __NR_read, (uint64_t)e.r, RBUF, 100), FAKE_NOREPLY);
		assert_int_equal(SYS(pid, __NR_kill, (uint64_t)c, SIGUSR1), 0);
		assert_int_equal(r->state, FAKE_T_RUNNING);
		assert_int_equal(r->last.kind, FAKE_REGS);
		assert_true(r->last.later);
		assert_int_equal(r->regs[PLAT_REG_RIP], 0x403000);
		assert_int_equal(r->regs[PLAT_REG_RDI], SIGUSR1);
		uint64_t mc = r->regs[PLAT_REG_RDX] + 40; /* uc_flags, uc_link, uc_stack, then the sigcontext */
		uint64_t rax = user_u64(c, mc + offsetof(struct sigcontext, rax));
		uint64_t srip = user_u64(c, mc + offsetof(struct sigcontext, rip));
		if (cases[i].restart) {
			assert_int_equal(rax, __NR_read);
			assert_int_equal(srip, rip - 2);
		} else {
			assert_int_equal((int64_t)rax, -EINTR);
			assert_int_equal(srip, rip);
		}
		/* SIGUSR1 is blocked in the handler */
		assert_true(proc_by_pid(c)->thread->sigmask & SIGBIT(SIGUSR1));
		/* the read waits no more: a write resumes nobody */
		unsigned answers = r->answers;
		assert_int_equal(pipe_write(pid, e.w, "x", 1), 1);
		assert_int_equal(r->answers, answers);
		assert_int_equal(SYS(c, __NR_exit_group, 0), FAKE_NOREPLY);
		assert_int_equal(srv_wait(pid, c), 0);
		close_all(pid, e);
		srv_host_exit(pid);
	}
	srv_end();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_write_then_read, srv_begin),
		cmocka_unit_test_setup(test_partial_reads, srv_begin),
		cmocka_unit_test_setup(test_pipe_buf_atomic, srv_begin),
		cmocka_unit_test_setup(test_long_write, srv_begin),
		cmocka_unit_test_setup(test_eof, srv_begin),
		cmocka_unit_test_setup(test_epipe_sigpipe, srv_begin),
		cmocka_unit_test_setup(test_nonblock_empty, srv_begin),
		cmocka_unit_test_setup(test_blocked_reader, srv_begin),
		cmocka_unit_test_setup(test_signal_interrupts_read, srv_begin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
