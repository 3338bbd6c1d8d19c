/* Unit tests of System V IPC (server/ipc/ipc.c, ipc_shm.c, ipc_sem.c) on the
 * fake platform: Linux's cyclic allocation of ids (index + seq * 32768),
 * ipcperms and who may control an object; a segment's attachments
 * through fork, split and exit, its memory shared and given back when it
 * goes; a semop that waits (woken by another process's change, in order,
 * by its timeout, by the set's removal) and SEM_UNDO at exit.  Each test
 * ends with the server's pages and heap checked for leaks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <asm/shmbuf.h>
#include <linux/sem.h>

#include "srv_test.h"

#include "ipc.h"

#define SOPS       USER_BASE              /* struct sembuf[] */
#define TS         (USER_BASE + PAGE)     /* a timespec */
#define STAT       (USER_BASE + 2 * PAGE) /* struct shmid64_ds / semid64_ds */
#define SHM_STAT_L 13
#define SHM_RDONLY 010000

static struct kipc_perm *perm_new(int32_t key)
{
	struct kipc_perm *p = mem_zalloc(sizeof *p);
	p->key = key;
	p->mode = 0640;
	return p;
}

/* ids: cyclic below 64 (indices are not reused at once), the seq moving
 * on when they wrap; keys found until removed */
static void test_ids(void **state)
{
	(void)state;
	struct ipc_ids ids;
	ipc_ids_init(&ids);
	struct cred root;
	cred_init_root(&root);
	struct kipc_perm *p[70];
	for (int i = 0; i < 3; i++) {
		p[i] = perm_new(100 + i);
		assert_int_equal(ipc_add(&ids, p[i], &root, 10), i);
	}
	assert_int_equal(ipc_max_idx(&ids), 2);
	assert_ptr_equal(ipc_find_key(&ids, 101), p[1]);
	assert_null(ipc_find_key(&ids, IPC_PRIVATE));
	ipc_remove(&ids, p[1]);
	mem_free(p[1]);
	assert_null(ipc_find_key(&ids, 101));
	assert_null(ipc_find_id(&ids, 1));
	p[1] = perm_new(IPC_PRIVATE);
	assert_int_equal(ipc_add(&ids, p[1], &root, 10), 3); /* (not 1 again) */
	ipc_remove(&ids, p[1]);
	mem_free(p[1]);
	ipc_remove(&ids, p[2]);
	mem_free(p[2]);
	assert_int_equal(ipc_max_idx(&ids), 0);
	/* up to index 63, then from 1 (0 is taken) with the next seq */
	for (int i = 4; i < 64; i++) {
		struct kipc_perm *q = perm_new(IPC_PRIVATE);
		assert_int_equal(ipc_add(&ids, q, &root, 100), i);
		ipc_remove(&ids, q);
		mem_free(q);
	}
	p[1] = perm_new(IPC_PRIVATE);
	assert_int_equal(ipc_add(&ids, p[1], &root, 100), IPCMNI + 1);
	assert_null(ipc_find_id(&ids, 1));
	assert_ptr_equal(ipc_find_id(&ids, IPCMNI + 1), p[1]);
	assert_ptr_equal(ipc_find_idx(&ids, 1), p[1]);
	/* the limit */
	assert_int_equal(ipc_add(&ids, p[2] = perm_new(7), &root, 2), -ENOSPC);
	mem_free(p[2]);
	ipc_remove(&ids, p[0]);
	ipc_remove(&ids, p[1]);
	mem_free(p[0]);
	mem_free(p[1]);
	assert_int_equal(ipc_max_idx(&ids), -1);
	srv_end();
}

/* owner bits, then group bits (the file-system gid or a supplementary
 * group), then others'; CAP_IPC_OWNER passes, control is the owner's,
 * the creator's or CAP_SYS_ADMIN's */
static void test_permissions(void **state)
{
	(void)state;
	struct cred root, u;
	cred_init_root(&root);
	cred_init_root(&u);
	assert_int_equal(cred_setresgid(&u, 50, 50, 50), 0);
	assert_int_equal(cred_setresuid(&u, 1000, 1000, 1000), 0);
	struct kipc_perm p = {.uid = 1000, .gid = 60, .cuid = 0, .cgid = 0, .mode = 0604};
	assert_true(ipc_permitted(&u, &p, 0600));
	assert_false(ipc_permitted(&u, &p, 0111));
	p.uid = 2000;
	assert_true(ipc_permitted(&u, &p, 0444));
	assert_false(ipc_permitted(&u, &p, 0222));
	p.mode = 0060;
	assert_false(ipc_permitted(&u, &p, 0444));
	p.gid = 50;
	assert_true(ipc_permitted(&u, &p, 0666));
	assert_true(ipc_permitted(&u, &p, 0)); /* (nothing asked) */
	p.mode = 0;
	assert_true(ipc_permitted(&root, &p, 0666));
	assert_false(ipc_may_control(&u, &p));
	p.cuid = 1000;
	assert_true(ipc_may_control(&u, &p));
	assert_true(ipc_may_control(&root, &p));
	struct ipc64_perm in = {.uid = 5, .gid = (uint32_t)-1, .mode = 07777};
	assert_int_equal(ipc_set_perm(&p, &in), -EINVAL);
	in.gid = 6;
	p.mode = 01000;
	assert_int_equal(ipc_set_perm(&p, &in), 0);
	assert_int_equal(p.mode, 01777);
	assert_int_equal(p.uid, 5);
	srv_end();
}

static long shmctl_stat(int pid, int id, struct shmid64_ds *d)
{
	long r = SYS(pid, __NR_shmctl, (uint64_t)id, IPC_STAT, STAT);
	if (!r)
		user_get(pid, STAT, d, sizeof *d);
	return r;
}

/* a segment shared by two attachments and a child's; removed while
 * attached it lives on until the last mapping goes (the child's end) */
static void test_shm_lifetime(void **state)
{
	(void)state;
	int pid = srv_host_spawn();
	long id = SYS(pid, __NR_shmget, IPC_PRIVATE, 3 * PAGE, 0600);
	assert_true(id >= 0);
	long a = SYS(pid, __NR_shmat, (uint64_t)id, 0, 0);
	long b = SYS(pid, __NR_shmat, (uint64_t)id, 0, 0);
	assert_true(a > 0 && b > 0 && a != b);
	user_put(pid, (uint64_t)a + PAGE, "shared", 7);
	char buf[8];
	user_get(pid, (uint64_t)b + PAGE, buf, 7);
	assert_string_equal(buf, "shared");
	struct shmid64_ds d;
	assert_int_equal(shmctl_stat(pid, (int)id, &d), 0);
	assert_int_equal(d.shm_nattch, 2);
	assert_int_equal(d.shm_cpid, pid);
	/* a split mapping is one more attachment */
	assert_int_equal(SYS(pid, __NR_mprotect, (uint64_t)b, PAGE, PROT_READ), 0);
	assert_int_equal(shmctl_stat(pid, (int)id, &d), 0);
	assert_int_equal(d.shm_nattch, 3);
	assert_int_equal(SYS(pid, __NR_shmdt, (uint64_t)b), 0);
	int c = srv_fork(pid);
	assert_int_equal(shmctl_stat(pid, (int)id, &d), 0);
	assert_int_equal(d.shm_nattch, 2);
	assert_int_equal(SYS(pid, __NR_shmctl, (uint64_t)id, IPC_RMID, 0), 0);
	assert_int_equal(SYS(pid, __NR_shmdt, (uint64_t)a), 0);
	assert_int_equal(shmctl_stat(pid, (int)id, &d), 0);
	assert_int_equal(d.shm_nattch, 1);
	assert_int_equal(d.shm_perm.mode, 01600);
	assert_int_equal(d.shm_perm.key, IPC_PRIVATE);
	user_get(c, (uint64_t)a + PAGE, buf, 7);
	assert_string_equal(buf, "shared");
	assert_int_equal(SYS(c, __NR_exit_group, 0), FAKE_NOREPLY);
	assert_int_equal(srv_wait(pid, c), 0);
	assert_int_equal(shmctl_stat(pid, (int)id, &d), -EINVAL); /* gone with its last */
	assert_int_equal(SYS(pid, __NR_shmctl, (uint64_t)(id & 0x7fff), SHM_STAT_L, STAT), -EINVAL);
	srv_host_exit(pid);
	srv_end();
}

/* a segment nobody removed outlives its processes; IPC_RMID with none
 * attached frees it at once */
static void test_shm_outlives(void **state)
{
	(void)state;
	int pid = srv_host_spawn();
	long id = SYS(pid, __NR_shmget, 0x1234, 2 * PAGE, IPC_CREAT | 0600);
	long a = SYS(pid, __NR_shmat, (uint64_t)id, 0, 0);
	user_put(pid, (uint64_t)a, "kept", 5);
	srv_host_exit(pid);
	pid = srv_host_spawn();
	assert_int_equal(SYS(pid, __NR_shmget, 0x1234, 0, 0), id);
	a = SYS(pid, __NR_shmat, (uint64_t)id, 0, SHM_RDONLY);
	char buf[5];
	user_get(pid, (uint64_t)a, buf, 5);
	assert_string_equal(buf, "kept");
	assert_int_equal(fake_user_write(pid, (uint64_t)a, "x", 1), -1); /* read-only: SIGSEGV */
	pid = srv_host_spawn();
	assert_int_equal(SYS(pid, __NR_shmctl, (uint64_t)id, IPC_RMID, 0), 0);
	assert_int_equal(SYS(pid, __NR_shmget, 0x1234, 0, 0), -ENOENT);
	srv_host_exit(pid);
	srv_end();
}

static long semop1(int pid, int id, unsigned short num, short op, short flg)
{
	struct sembuf b = {num, op, flg};
	user_put(pid, SOPS, &b, sizeof b);
	return SYS(pid, __NR_semop, (uint64_t)id, SOPS, 1);
}

static long getctl(int pid, int id, int num, int cmd)
{
	return SYS(pid, __NR_semctl, (uint64_t)id, (uint64_t)num, (uint64_t)cmd, 0);
}

/* waiters on one semaphore get through in the order they came, each
 * woken by another process's increment; GETNCNT counts them */
static void test_sem_order(void **state)
{
	(void)state;
	int pid = srv_host_spawn();
	long id = SYS(pid, __NR_semget, IPC_PRIVATE, 2, 0600);
	assert_true(id >= 0);
	int c[3];
	for (int i = 0; i < 3; i++) {
		c[i] = srv_fork(pid);
		assert_int_equal(semop1(c[i], (int)id, 1, -1, 0), FAKE_NOREPLY);
		assert_int_equal(fake_thread(c[i])->state, FAKE_T_WAITING);
	}
	assert_int_equal(getctl(pid, (int)id, 1, GETNCNT), 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(semop1(pid, (int)id, 1, 1, 0), 0);
		for (int k = 0; k < 3; k++)
			assert_int_equal(fake_thread(c[k])->state, k <= i ? FAKE_T_RUNNING : FAKE_T_WAITING);
		assert_int_equal(fake_thread(c[i])->last.rax, 0);
		assert_int_equal(getctl(pid, (int)id, 1, GETPID), c[i]);
	}
	for (int i = 0; i < 3; i++) {
		assert_int_equal(SYS(c[i], __NR_exit_group, 0), FAKE_NOREPLY);
		assert_int_equal(srv_wait(pid, c[i]), 0);
	}
	assert_int_equal(SYS(pid, __NR_semctl, (uint64_t)id, 0, IPC_RMID, 0), 0);
	srv_host_exit(pid);
	srv_end();
}

/* a timed wait ends with EAGAIN at its deadline; IPC_RMID ends another's
 * with EIDRM */
static void test_sem_timeout_and_removal(void **state)
{
	(void)state;
	int pid = srv_host_spawn();
	long id = SYS(pid, __NR_semget, IPC_PRIVATE, 1, 0600);
	struct sembuf b = {0, -1, 0};
	struct __kernel_timespec ts = {0, 50000000};
	user_put(pid, SOPS, &b, sizeof b);
	user_put(pid, TS, &ts, sizeof ts);
	assert_int_equal(SYS(pid, __NR_semtimedop, (uint64_t)id, SOPS, 1, TS), FAKE_NOREPLY);
	const struct fake_thread *t = fake_thread(pid);
	fake_advance(40000000);
	assert_int_equal(t->state, FAKE_T_WAITING);
	fake_advance(20000000);
	assert_int_equal(t->state, FAKE_T_RUNNING);
	assert_int_equal((long)t->last.rax, -EAGAIN);
	assert_int_equal(getctl(pid, (int)id, 0, GETNCNT), 0);
	int c = srv_fork(pid);
	assert_int_equal(semop1(c, (int)id, 0, 0, 0), 0); /* (0 already) */
	assert_int_equal(semop1(c, (int)id, 0, -1, 0), FAKE_NOREPLY);
	assert_int_equal(SYS(pid, __NR_semctl, (uint64_t)id, 0, IPC_RMID, 0), 0);
	assert_int_equal((long)fake_thread(c)->last.rax, -EIDRM);
	assert_int_equal(SYS(c, __NR_exit_group, 0), FAKE_NOREPLY);
	assert_int_equal(srv_wait(pid, c), 0);
	srv_host_exit(pid);
	srv_end();
}

/* SEM_UNDO: a process's adjustments are made at its end (clamped at 0),
 * and wake who waited for them */
static void test_sem_undo(void **state)
{
	(void)state;
	int pid = srv_host_spawn();
	long id = SYS(pid, __NR_semget, IPC_PRIVATE, 40, 0600);
	int c = srv_fork(pid);
	assert_int_equal(semop1(c, (int)id, 39, 2, SEM_UNDO), 0);
	assert_int_equal(semop1(pid, (int)id, 39, 0, 0), FAKE_NOREPLY); /* waits for 0 */
	assert_int_equal(getctl(c, (int)id, 39, GETZCNT), 1);
	assert_int_equal(SYS(c, __NR_exit_group, 0), FAKE_NOREPLY);
	assert_int_equal(fake_thread(pid)->last.rax, 0); /* (the undo woke it) */
	assert_int_equal(srv_wait(pid, c), 0);
	assert_int_equal(getctl(pid, (int)id, 39, GETVAL), 0);
	assert_int_equal(getctl(pid, (int)id, 39, GETPID), pid); /* (its wait for 0 was the last op) */
	assert_int_equal(getctl(pid, (int)id, 38, GETPID), 0);
	c = srv_fork(pid);
	assert_int_equal(semop1(c, (int)id, 3, 3, SEM_UNDO), 0);
	assert_int_equal(semop1(c, (int)id, 3, -2, 0), 0);
	assert_int_equal(SYS(c, __NR_exit_group, 0), FAKE_NOREPLY);
	assert_int_equal(srv_wait(pid, c), 0);
	assert_int_equal(getctl(pid, (int)id, 3, GETVAL), 0);
	assert_int_equal(SYS(pid, __NR_semctl, (uint64_t)id, 0, IPC_RMID, 0), 0);
	srv_host_exit(pid);
	srv_end();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_ids, srv_begin),
	    cmocka_unit_test_setup(test_permissions, srv_begin),
	    cmocka_unit_test_setup(test_shm_lifetime, srv_begin),
	    cmocka_unit_test_setup(test_shm_outlives, srv_begin),
	    cmocka_unit_test_setup(test_sem_order, srv_begin),
	    cmocka_unit_test_setup(test_sem_timeout_and_removal, srv_begin),
	    cmocka_unit_test_setup(test_sem_undo, srv_begin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
