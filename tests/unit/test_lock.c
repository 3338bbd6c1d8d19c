/* Unit tests of file locks (server/fs/lock.c, through fcntl and flock) on the
 * fake platform: POSIX record locks between processes (conflicts, F_GETLK,
 * merging and splitting an owner's ranges, F_SETLKW parked and resumed,
 * deadlock detection, a close dropping the process's locks), open file
 * description locks, and flock's separate name space. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "srv_test.h"

#define FL   USER_BASE               /* a struct flock */
#define PATH (USER_BASE + PAGE)      /* "/lockfile" */
#define EOF_ 0                       /* l_len 0: to the end of the file, and beyond */

static int open_file(int pid)
{
	user_put(pid, PATH, "/lockfile", 10);
	long fd = SYS(pid, __NR_open, PATH, O_RDWR | O_CREAT, 0644);
	assert_true(fd >= 0);
	return (int)fd;
}

static long lk(int pid, int fd, unsigned cmd, short type, int64_t start, int64_t len)
{
	struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
	user_put(pid, FL, &fl, sizeof fl);
	return SYS(pid, __NR_fcntl, (uint64_t)fd, cmd, FL);
}

/* F_GETLK (or F_OFD_GETLK) of a type over [start, start+len): what blocks it */
static struct flock getlk(int pid, int fd, unsigned cmd, short type, int64_t start, int64_t len)
{
	assert_int_equal(lk(pid, fd, cmd, type, start, len), 0);
	struct flock fl;
	user_get(pid, FL, &fl, sizeof fl);
	return fl;
}

static void expect_blocker(struct flock fl, short type, int64_t start, int64_t len, int pid)
{
	assert_int_equal(fl.l_type, type);
	assert_int_equal(fl.l_whence, SEEK_SET);
	assert_int_equal(fl.l_start, start);
	assert_int_equal(fl.l_len, len);
	assert_int_equal(fl.l_pid, pid);
}

/* the file's vnode (its lock list) through pid's descriptor */
static struct vnode *vn_of(int pid, int fd) { return proc_by_pid(pid)->fds[fd]->vn; }

static unsigned locks_of(struct vnode *vn, int pid)
{
	unsigned n = 0;
	for (struct lock *l = vn->locks; l; l = l->next)
		n += l->pid == pid;
	return n;
}

static void done(int a, int b)
{
	assert_int_equal(SYS(b, __NR_exit_group, 0), FAKE_NOREPLY);
	assert_int_equal(srv_wait(a, b), 0);
	assert_int_equal(SYS(a, __NR_unlink, PATH), 0);
	srv_host_exit(a);
	srv_end();
}

/* a write lock keeps others out of its range only; F_GETLK names the
 * first lock in the way with its owner; a child inherits none */
static void test_posix_conflicts(void **state)
{
	(void)state;
	int a = srv_host_spawn();
	int fd = open_file(a);
	assert_int_equal(lk(a, fd, F_SETLK, F_WRLCK, 0, 100), 0);
	int b = srv_fork(a);
	assert_int_equal(lk(b, fd, F_SETLK, F_RDLCK, 50, 10), -EAGAIN);
	expect_blocker(getlk(b, fd, F_GETLK, F_RDLCK, 99, EOF_), F_WRLCK, 0, 100, a);
	assert_int_equal(getlk(b, fd, F_GETLK, F_WRLCK, 100, EOF_).l_type, F_UNLCK);
	assert_int_equal(lk(b, fd, F_SETLK, F_WRLCK, 100, 50), 0); /* touching, not overlapping */
	expect_blocker(getlk(a, fd, F_GETLK, F_RDLCK, 120, 1), F_WRLCK, 100, 50, b);
	/* the owner's own locks never block it */
	assert_int_equal(getlk(a, fd, F_GETLK, F_WRLCK, 0, 100).l_type, F_UNLCK);
	/* two read locks share */
	assert_int_equal(lk(b, fd, F_SETLK, F_RDLCK, 200, 10), 0);
	assert_int_equal(lk(a, fd, F_SETLK, F_RDLCK, 205, 10), 0);
	/* the access mode: no write lock on a file open for reading */
	long ro = SYS(b, __NR_open, PATH, O_RDONLY);
	assert_true(ro >= 0);
	assert_int_equal(lk(b, (int)ro, F_SETLK, F_WRLCK, 300, 1), -EBADF);
	done(a, b);
}

/* an owner's ranges of one type merge when they touch, split when a
 * middle goes, and a range of the other type cuts into them */
static void test_merge_and_split(void **state)
{
	(void)state;
	int a = srv_host_spawn();
	int fd = open_file(a);
	struct vnode *vn = vn_of(a, fd);
	assert_int_equal(lk(a, fd, F_SETLK, F_RDLCK, 0, 10), 0);
	assert_int_equal(lk(a, fd, F_SETLK, F_RDLCK, 10, 10), 0);
	assert_int_equal(locks_of(vn, a), 1);
	assert_int_equal(vn->locks->start, 0);
	assert_int_equal(vn->locks->end, 19);

	assert_int_equal(lk(a, fd, F_SETLK, F_UNLCK, 5, 10), 0);
	assert_int_equal(locks_of(vn, a), 2);
	int b = srv_fork(a);
	expect_blocker(getlk(b, fd, F_GETLK, F_WRLCK, 0, EOF_), F_RDLCK, 0, 5, a);
	expect_blocker(getlk(b, fd, F_GETLK, F_WRLCK, 5, EOF_), F_RDLCK, 15, 5, a);
	assert_int_equal(lk(b, fd, F_SETLK, F_WRLCK, 5, 10), 0);
	assert_int_equal(lk(a, fd, F_SETLK, F_WRLCK, 0, 20), -EAGAIN);

	/* a write lock in the middle of a read lock: three pieces */
	assert_int_equal(lk(a, fd, F_SETLK, F_RDLCK, 100, 100), 0);
	assert_int_equal(lk(a, fd, F_SETLK, F_WRLCK, 140, 10), 0);
	expect_blocker(getlk(b, fd, F_GETLK, F_RDLCK, 100, 100), F_WRLCK, 140, 10, a);
	expect_blocker(getlk(b, fd, F_GETLK, F_WRLCK, 100, 10), F_RDLCK, 100, 40, a);
	expect_blocker(getlk(b, fd, F_GETLK, F_WRLCK, 150, 10), F_RDLCK, 150, 50, a);
	assert_int_equal(locks_of(vn, a), 5);
	assert_int_equal(lk(a, fd, F_SETLK, F_UNLCK, 0, EOF_), 0);
	assert_int_equal(locks_of(vn, a), 0);
	done(a, b);
}

/* F_SETLKW waits (no reply) until the lock in the way goes, then the
 * call is made again and answered (plat_resume_syscall 0) */
static void test_setlkw_waits(void **state)
{
	(void)state;
	int a = srv_host_spawn();
	int fd = open_file(a);
	assert_int_equal(lk(a, fd, F_SETLK, F_WRLCK, 0, 10), 0);
	int b = srv_fork(a);
	const struct fake_thread *t = fake_thread(b);
	assert_int_equal(lk(b, fd, F_SETLKW, F_WRLCK, 5, 1), FAKE_NOREPLY);
	assert_int_equal(t->state, FAKE_T_WAITING);
	/* a lock elsewhere changes nothing for it */
	unsigned answers = t->answers;
	assert_int_equal(lk(a, fd, F_SETLK, F_WRLCK, 50, 1), 0);
	assert_int_equal(t->answers, answers);
	/* the part of a's lock in its way shrinks but stays: still waiting */
	assert_int_equal(lk(a, fd, F_SETLK, F_UNLCK, 0, 5), 0);
	assert_int_equal(t->state, FAKE_T_WAITING);
	assert_int_equal(lk(a, fd, F_SETLK, F_UNLCK, 5, 5), 0);
	assert_int_equal(t->state, FAKE_T_RUNNING);
	assert_true(t->last.later);
	assert_int_equal(t->last.rax, 0);
	expect_blocker(getlk(a, fd, F_GETLK, F_RDLCK, 0, EOF_), F_WRLCK, 5, 1, b);
	done(a, b);
}

/* waiting for a lock whose owner waits for ours: EDEADLK */
static void test_deadlock(void **state)
{
	(void)state;
	int a = srv_host_spawn();
	int fd = open_file(a);
	assert_int_equal(lk(a, fd, F_SETLK, F_WRLCK, 0, 10), 0);
	int b = srv_fork(a);
	assert_int_equal(lk(b, fd, F_SETLK, F_WRLCK, 10, 10), 0);
	assert_int_equal(lk(b, fd, F_SETLKW, F_WRLCK, 0, 1), FAKE_NOREPLY);
	assert_int_equal(lk(a, fd, F_SETLKW, F_WRLCK, 10, 1), -EDEADLK);
	assert_int_equal(lk(a, fd, F_SETLK, F_UNLCK, 0, 10), 0);
	assert_int_equal(fake_thread(b)->last.rax, 0);
	assert_int_equal(fake_thread(b)->state, FAKE_T_RUNNING);
	done(a, b);
}

/* a process's close of any descriptor of the file drops all its POSIX
 * locks on it, and a waiter goes on */
static void test_close_drops_locks(void **state)
{
	(void)state;
	int a = srv_host_spawn();
	int fd = open_file(a);
	assert_int_equal(lk(a, fd, F_SETLK, F_RDLCK, 0, 10), 0);
	assert_int_equal(lk(a, fd, F_SETLK, F_WRLCK, 20, 10), 0);
	int b = srv_fork(a);
	assert_int_equal(lk(b, fd, F_SETLKW, F_WRLCK, 0, 30), FAKE_NOREPLY);
	int other = open_file(a);
	assert_int_equal(SYS(a, __NR_close, (uint64_t)other), 0);
	assert_int_equal(locks_of(vn_of(a, fd), a), 0);
	assert_int_equal(fake_thread(b)->state, FAKE_T_RUNNING);
	assert_int_equal(fake_thread(b)->last.rax, 0);
	assert_int_equal(locks_of(vn_of(b, fd), b), 1);
	done(a, b);
}

/* open file description locks: owned by the open file (pid -1), in
 * conflict with POSIX locks, dropped with the open file's last close */
static void test_ofd_locks(void **state)
{
	(void)state;
	int a = srv_host_spawn();
	int fd = open_file(a);
	assert_int_equal(lk(a, fd, F_OFD_SETLK, F_WRLCK, 0, 10), 0);
	int b = srv_fork(a);
	int bfd = open_file(b); /* an open file of its own */
	assert_int_equal(lk(b, bfd, F_SETLK, F_RDLCK, 5, 1), -EAGAIN);
	assert_int_equal(lk(b, bfd, F_OFD_SETLK, F_RDLCK, 5, 1), -EAGAIN);
	expect_blocker(getlk(b, bfd, F_GETLK, F_RDLCK, 0, EOF_), F_WRLCK, 0, 10, -1);
	/* the same open file (fork shared it) is the same owner */
	assert_int_equal(lk(b, fd, F_OFD_SETLK, F_WRLCK, 0, 20), 0);
	assert_int_equal(SYS(a, __NR_close, (uint64_t)fd), 0);
	assert_int_equal(lk(b, bfd, F_SETLK, F_RDLCK, 5, 1), -EAGAIN); /* b holds the open file still */
	assert_int_equal(SYS(b, __NR_close, (uint64_t)fd), 0);
	assert_int_equal(lk(b, bfd, F_SETLK, F_RDLCK, 5, 1), 0);
	done(a, b);
}

/* flock: whole-file locks of the open file, apart from POSIX locks;
 * LOCK_NB refuses, a blocking one waits for the holder's LOCK_UN */
static void test_flock(void **state)
{
	(void)state;
	int a = srv_host_spawn();
	int fd = open_file(a);
	assert_int_equal(SYS(a, __NR_flock, (uint64_t)fd, LOCK_EX), 0);
	int b = srv_fork(a);
	int bfd = open_file(b);
	assert_int_equal(SYS(b, __NR_flock, (uint64_t)bfd, LOCK_EX | LOCK_NB), -EWOULDBLOCK);
	assert_int_equal(SYS(b, __NR_flock, (uint64_t)bfd, LOCK_SH | LOCK_NB), -EWOULDBLOCK);
	assert_int_equal(lk(b, bfd, F_SETLK, F_WRLCK, 0, EOF_), 0); /* another name space */
	assert_int_equal(SYS(b, __NR_flock, (uint64_t)fd, LOCK_EX | LOCK_NB), 0); /* a's open file: its lock */
	assert_int_equal(SYS(b, __NR_flock, (uint64_t)bfd, LOCK_SH), FAKE_NOREPLY);
	assert_int_equal(SYS(a, __NR_flock, (uint64_t)fd, LOCK_SH), 0); /* a change drops the old one first */
	assert_int_equal(fake_thread(b)->state, FAKE_T_RUNNING);
	assert_int_equal(fake_thread(b)->last.rax, 0);
	assert_int_equal(SYS(a, __NR_flock, (uint64_t)fd, LOCK_EX | LOCK_NB), -EWOULDBLOCK);
	assert_int_equal(SYS(b, __NR_flock, (uint64_t)bfd, LOCK_UN), 0);
	assert_int_equal(SYS(a, __NR_flock, (uint64_t)fd, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(SYS(a, __NR_flock, (uint64_t)fd, LOCK_SH | LOCK_EX), -EINVAL);
	done(a, b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_posix_conflicts, srv_begin),
		cmocka_unit_test_setup(test_merge_and_split, srv_begin),
		cmocka_unit_test_setup(test_setlkw_waits, srv_begin),
		cmocka_unit_test_setup(test_deadlock, srv_begin),
		cmocka_unit_test_setup(test_close_drops_locks, srv_begin),
		cmocka_unit_test_setup(test_ofd_locks, srv_begin),
		cmocka_unit_test_setup(test_flock, srv_begin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
