/*
 * What every unit test of the Linux server (test_vm.c, test_pipe.c,
 * test_lock.c, test_sigqueue.c) starts and ends with, and its helpers:
 * a test's processes make real system calls (srv_syscall) and touch their
 * memory as their CPU would (fake_user_*); at its end it must have left
 * no page, small object or stale mapping behind and made no request the
 * platform's contract forbids.  Include after <cmocka.h>.
 */
#ifndef SRV_TEST_H
#define SRV_TEST_H

#include "mem.h"
#include "proc.h"
#include "signal.h"
#include "srv_harness.h"
#include "vm.h"

/* credentials of user uid in group gid (no supplementary groups, no
 * capabilities), made as root's setresgid and setresuid make them */
static inline struct cred user(uint32_t uid, uint32_t gid)
{
	struct cred c;
	cred_init_root(&c);
	assert_int_equal(cred_setresgid(&c, gid, gid, gid), 0);
	assert_int_equal(cred_setresuid(&c, uid, uid, uid), 0);
	return c;
}

#define PAGE 4096ull

static struct srv_host_mark srv_mark;
static unsigned srv_anomalies;

/* cmocka's setup of every test: what a failed test left goes first */
static inline int srv_begin(void **state)
{
	(void)state;
	srv_host_boot();
	proc_for_each(p) {
		if (p->pid != 1)
			proc_kill(p, SIGKILL);
	}
	proc_reap_killed();
	srv_host_reap();
	fake_log_clear();
	fake_ops_clear();
	srv_mark = srv_host_mark();
	srv_anomalies = fake_anomalies();
	return 0;
}

/* the end of every test, once its processes have exited */
static inline void srv_end(void)
{
	char why[256];
	srv_host_reap();
	assert_int_equal(proc_count(), 1); /* pid 1 alone */
	assert_int_equal(srv_host_pages_leaked(&srv_mark), 0);
	assert_int_equal(srv_host_objects_leaked(&srv_mark), 0);
	if (!srv_host_mappings_ok(why, sizeof why))
		fail_msg("%s", why);
	assert_int_equal(fake_anomalies(), srv_anomalies);
	assert_null(strstr(fake_log(), "freed twice"));
}

/* a system call of pid's thread, and its result (FAKE_NOREPLY: none) */
#define SYS(pid, ...) fake_sys((uint64_t)(pid), __VA_ARGS__)

static inline void user_put(int pid, uint64_t va, const void *buf, size_t n)
{
	assert_int_equal(fake_user_write((uint64_t)pid, va, buf, n), 0);
}

static inline void user_get(int pid, uint64_t va, void *buf, size_t n)
{
	assert_int_equal(fake_user_read((uint64_t)pid, va, buf, n), 0);
}

static inline uint64_t user_u64(int pid, uint64_t va)
{
	uint64_t v;
	user_get(pid, va, &v, sizeof v);
	return v;
}

static inline int user_int(int pid, uint64_t va)
{
	int v;
	user_get(pid, va, &v, sizeof v);
	return v;
}

/* the child pid made by fork, running */
static inline int srv_fork(int pid)
{
	long c = SYS(pid, __NR_fork);
	assert_true(c > 0);
	assert_non_null(fake_thread((uint64_t)c));
	assert_int_equal(fake_thread((uint64_t)c)->state, FAKE_T_RUNNING);
	assert_int_equal(fake_thread((uint64_t)c)->regs[PLAT_REG_RAX], 0);
	return (int)c;
}

/* pid waits for child and gets its wait4 status (the child has ended) */
static inline int srv_wait(int pid, int child)
{
	uint64_t st = USER_BASE + USER_SIZE - PAGE; /* (a word of pid's memory) */
	assert_int_equal(SYS(pid, __NR_wait4, (uint64_t)child, st, 0, 0), child);
	return user_int(pid, st);
}

/* rt_sigaction(sig, handler) with SA_RESTORER (and flags), as libc makes it */
static inline void srv_sigaction(int pid, int sig, uint64_t handler, uint64_t flags)
{
	struct k_sigaction ka = {handler, flags | SA_RESTORER, 0x401000, 0};
	uint64_t at = USER_BASE + USER_SIZE - 2 * PAGE;
	user_put(pid, at, &ka, sizeof ka);
	assert_int_equal(SYS(pid, __NR_rt_sigaction, (uint64_t)sig, at, 0, 8), 0);
}

#endif
