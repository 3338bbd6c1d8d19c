/* Unit tests of process memory (server/mm/vm.c, reached through the memory
 * system calls of sys_mm.c, fork, and the page faults of syscall.c) on the
 * fake platform: VMAs split and found, the pages a fault maps and with
 * which rights, copy-on-write after fork, the platform calls an unmap or
 * a protection change makes, faults that are signals, and every page back
 * when processes end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "srv_test.h"

#define A 0x20000000ull /* where the tests map their own ranges */

static long mmap_fixed(int pid, uint64_t at, uint64_t len, uint64_t prot, uint64_t flags)
{
	return SYS(pid, __NR_mmap, at, len, prot, flags | MAP_FIXED, (uint64_t)-1, 0);
}

static unsigned vma_count(struct mm *mm, uint64_t start, uint64_t end)
{
	unsigned n = 0;
	for (struct vma *v = mm->vmas; v; v = v->next)
		n += v->start < end && v->end > start;
	return n;
}

static void expect_vma(struct mm *mm, uint64_t addr, uint64_t start, uint64_t end, unsigned prot)
{
	struct vma *v = vma_find(mm, addr);
	assert_non_null(v);
	assert_int_equal(v->start, start);
	assert_int_equal(v->end, end);
	assert_int_equal(v->prot, prot);
}

/* munmap and mprotect in the middle of a mapping split it; what is gone
 * is found nowhere; vm_merge makes one VMA of pieces that continue each
 * other again */
static void test_split_and_merge(void **state)
{
	(void)state;
	int pid = srv_host_spawn();
	struct mm *mm = proc_by_pid(pid)->mm;
	assert_int_equal(mmap_fixed(pid, A, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS), A);
	assert_int_equal(vma_count(mm, A, A + 16 * PAGE), 1);

	assert_int_equal(SYS(pid, __NR_munmap, A + 4 * PAGE, 4 * PAGE), 0);
	assert_int_equal(vma_count(mm, A, A + 16 * PAGE), 2);
	expect_vma(mm, A, A, A + 4 * PAGE, PROT_R | PROT_W);
	assert_null(vma_find(mm, A + 4 * PAGE));
	assert_null(vma_find(mm, A + 8 * PAGE - 1));
	expect_vma(mm, A + 8 * PAGE, A + 8 * PAGE, A + 16 * PAGE, PROT_R | PROT_W);

	assert_int_equal(SYS(pid, __NR_mprotect, A + 10 * PAGE, 2 * PAGE, PROT_READ), 0);
	assert_int_equal(vma_count(mm, A, A + 16 * PAGE), 4);
	expect_vma(mm, A + 9 * PAGE, A + 8 * PAGE, A + 10 * PAGE, PROT_R | PROT_W);
	expect_vma(mm, A + 11 * PAGE, A + 10 * PAGE, A + 12 * PAGE, PROT_R);
	expect_vma(mm, A + 12 * PAGE, A + 12 * PAGE, A + 16 * PAGE, PROT_R | PROT_W);
	/* a range with a hole in it: ENOMEM, as on Linux */
	assert_int_equal(SYS(pid, __NR_mprotect, A, 16 * PAGE, PROT_READ), -ENOMEM);

	assert_int_equal(SYS(pid, __NR_mprotect, A + 10 * PAGE, 2 * PAGE, PROT_READ | PROT_WRITE), 0);
	vm_merge(mm, A + 8 * PAGE, A + 16 * PAGE);
	assert_int_equal(vma_count(mm, A + 8 * PAGE, A + 16 * PAGE), 1);
	expect_vma(mm, A + 13 * PAGE, A + 8 * PAGE, A + 16 * PAGE, PROT_R | PROT_W);

	/* mmap without MAP_FIXED finds room below MMAP_TOP, outside every VMA */
	long at = SYS(pid, __NR_mmap, 0, 3 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, (uint64_t)-1, 0);
	assert_true(at > 0 && (uint64_t)at + 3 * PAGE <= MMAP_TOP);
	expect_vma(mm, (uint64_t)at + PAGE, (uint64_t)at, (uint64_t)at + 3 * PAGE, PROT_R);
	srv_host_exit(pid);
	srv_end();
}

/* vm_find_free: the highest gap that fits below MMAP_TOP (one too small
 * at the top passed over), and none when no gap above mmap_min_addr fits */
static void test_find_free(void **state)
{
	(void)state;
	int pid = srv_host_spawn();
	struct mm *mm = proc_by_pid(pid)->mm;
	uint64_t top = MMAP_TOP & ~(PAGE - 1);
	/* [top - 2 pages, top) taken, a 1-page gap, [top - 8, top - 3) taken,
	 * a 4-page gap, [top - 20, top - 12) taken */
	assert_int_equal(mmap_fixed(pid, top - 2 * PAGE, 2 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS),
			 (long)(top - 2 * PAGE));
	assert_int_equal(mmap_fixed(pid, top - 8 * PAGE, 5 * PAGE, PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS),
			 (long)(top - 8 * PAGE));
	assert_int_equal(mmap_fixed(pid, top - 20 * PAGE, 8 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS),
			 (long)(top - 20 * PAGE));
	assert_int_equal(vm_find_free(mm, PAGE), top - 3 * PAGE);
	assert_int_equal(vm_find_free(mm, 2 * PAGE), top - 10 * PAGE);
	assert_int_equal(vm_find_free(mm, 4 * PAGE), top - 12 * PAGE);
	assert_int_equal(vm_find_free(mm, 5 * PAGE), top - 25 * PAGE);
	assert_int_equal(vm_find_free(mm, MMAP_TOP), 0);
	uint64_t low = vm_find_free(mm, top - 0x40000000ull);
	assert_true(low >= MMAP_MIN_ADDR); /* (below the lowest VMA, above mmap_min_addr) */
	srv_host_exit(pid);
	srv_end();
}

/* a fault on an anonymous page: a zeroed page (though the one recycled
 * was dirty) mapped by the reply, with the VMA's rights; a read-only VMA
 * gives read-only pages */
static void test_anon_fault(void **state)
{
	(void)state;
	int pid = srv_host_spawn();
	struct mm *mm = proc_by_pid(pid)->mm;
	uint64_t va = USER_BASE + 5 * PAGE;
	static const char junk[64] = "a page freed dirty";
	user_put(pid, USER_BASE + 9 * PAGE, junk, sizeof junk);
	void *dirty;
	assert_true(fake_mapping(pid, USER_BASE + 9 * PAGE, &dirty, NULL));
	assert_int_equal(SYS(pid, __NR_munmap, USER_BASE + 9 * PAGE, PAGE), 0);
	assert_false(fake_mapping(pid, USER_BASE + 9 * PAGE, NULL, NULL));
	uint64_t pages = mm->pages;

	assert_int_equal(fake_fault(pid, va + 0x123, PLAT_PF_WRITE), FAKE_FAULT);
	const struct fake_reply *r = fake_last_reply();
	assert_int_equal(r->va, va);
	assert_int_equal(r->prot, PROT_R | PROT_W);
	assert_ptr_equal(r->page, dirty); /* (the free list gives the last page freed: this test means something) */
	for (unsigned i = 0; i < PAGE; i++)
		assert_int_equal(((const uint8_t *)r->page)[i], 0);
	assert_int_equal(page_refs(r->page), 1);
	assert_int_equal(mm->pages, pages + 1);
	void *mapped;
	unsigned prot;
	assert_true(fake_mapping(pid, va, &mapped, &prot));
	assert_ptr_equal(mapped, r->page);
	assert_int_equal(prot, PROT_R | PROT_W);
	assert_int_equal(fake_thread(pid)->state, FAKE_T_RUNNING);

	assert_int_equal(mmap_fixed(pid, A, 2 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS), A);
	assert_int_equal(fake_fault(pid, A + PAGE, PLAT_PF_READ), FAKE_FAULT);
	assert_int_equal(fake_last_reply()->prot, PROT_R);
	srv_host_exit(pid);
	srv_end();
}

/* after fork a private page is shared read-only; the child's write
 * copies it, the parent's, once it is alone with it, keeps it */
static void test_cow_after_fork(void **state)
{
	(void)state;
	char why[256];
	int pid = srv_host_spawn();
	uint64_t va = USER_BASE + 3 * PAGE;
	user_put(pid, va, "parent", 7);
	void *orig;
	unsigned prot;
	assert_true(fake_mapping(pid, va, &orig, &prot));
	assert_int_equal(prot, PROT_R | PROT_W);

	fake_ops_clear();
	int c = srv_fork(pid);
	/* the parent's mappings lost their write right, the page is shared */
	assert_int_equal(fake_op_count(FAKE_OP_PROTECT, pid), 1);
	assert_true(fake_mapping(pid, va, NULL, &prot));
	assert_int_equal(prot, PROT_R);
	assert_int_equal(page_refs(orig), 2);
	assert_true(srv_host_mappings_ok(why, sizeof why));

	char buf[8];
	user_get(c, va, buf, 7);
	assert_string_equal(buf, "parent");
	void *page;
	assert_true(fake_mapping(c, va, &page, &prot));
	assert_ptr_equal(page, orig);
	assert_int_equal(prot, PROT_R);

	user_put(c, va, "child", 6); /* a copy */
	assert_true(fake_mapping(c, va, &page, &prot));
	assert_ptr_not_equal(page, orig);
	assert_int_equal(prot, PROT_R | PROT_W);
	assert_string_equal((const char *)page, "child");
	assert_string_equal((const char *)orig, "parent");
	assert_int_equal(page_refs(orig), 1);
	assert_int_equal(page_refs(page), 1);

	user_put(pid, va, "PARENT", 7); /* alone with it now: no copy */
	assert_true(fake_mapping(pid, va, &page, &prot));
	assert_ptr_equal(page, orig);
	assert_int_equal(prot, PROT_R | PROT_W);
	user_get(c, va, buf, 6);
	assert_string_equal(buf, "child");
	assert_true(srv_host_mappings_ok(why, sizeof why));

	assert_int_equal(SYS(c, __NR_exit_group, 3), FAKE_NOREPLY);
	assert_null(fake_thread(c));
	assert_int_equal(srv_wait(pid, c), 3 << 8);
	srv_host_exit(pid);
	srv_end();
}

/* a shared anonymous mapping stays one memory across fork */
static void test_shared_after_fork(void **state)
{
	(void)state;
	int pid = srv_host_spawn();
	assert_int_equal(mmap_fixed(pid, A, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS), A);
	user_put(pid, A, "before", 7);
	int c = srv_fork(pid);
	user_put(c, A, "after", 6);
	char buf[8];
	user_get(pid, A, buf, 6);
	assert_string_equal(buf, "after");
	void *pp, *cp;
	assert_true(fake_mapping(pid, A, &pp, NULL));
	assert_true(fake_mapping(c, A, &cp, NULL));
	assert_ptr_equal(pp, cp);
	assert_int_equal(SYS(c, __NR_exit_group, 0), FAKE_NOREPLY);
	assert_int_equal(srv_wait(pid, c), 0);
	srv_host_exit(pid);
	srv_end();
}

/* munmap unmaps the span of the pages that were present, and nothing
 * where none was; mprotect takes the rights it removes; PROT_NONE unmaps */
static void test_unmap_protect_calls(void **state)
{
	(void)state;
	int pid = srv_host_spawn();
	unsigned sp = fake_space_of(pid);
	assert_int_equal(mmap_fixed(pid, A, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS), A);
	user_put(pid, A + PAGE, "x", 1);
	user_put(pid, A + 3 * PAGE, "y", 1);
	fake_ops_clear();
	assert_int_equal(SYS(pid, __NR_munmap, A + 5 * PAGE, 3 * PAGE), 0);
	assert_int_equal(fake_op_count(FAKE_OP_UNMAP, pid), 0);
	assert_int_equal(SYS(pid, __NR_munmap, A, 4 * PAGE), 0);
	unsigned n;
	const struct fake_op *ops = fake_ops(&n);
	assert_int_equal(n, 1);
	assert_int_equal(ops[0].kind, FAKE_OP_UNMAP);
	assert_int_equal(ops[0].space, sp);
	assert_int_equal(ops[0].va, A + PAGE);
	assert_int_equal(ops[0].len, 3 * PAGE);
	assert_int_equal(fake_mapped_pages(pid), 0);
	assert_int_equal(proc_by_pid(pid)->mm->pages, 0);

	user_put(pid, USER_BASE, "z", 1);
	fake_ops_clear();
	assert_int_equal(SYS(pid, __NR_mprotect, USER_BASE, PAGE, PROT_READ | PROT_EXEC), 0);
	ops = fake_ops(&n);
	assert_int_equal(n, 1);
	assert_int_equal(ops[0].kind, FAKE_OP_PROTECT);
	assert_int_equal(ops[0].va, USER_BASE);
	assert_int_equal(ops[0].len, PAGE);
	assert_int_equal(ops[0].prot, PROT_W);
	unsigned prot;
	assert_true(fake_mapping(pid, USER_BASE, NULL, &prot));
	assert_int_equal(prot, PROT_R);
	assert_int_equal(SYS(pid, __NR_mprotect, USER_BASE, PAGE, PROT_NONE), 0);
	assert_false(fake_mapping(pid, USER_BASE, NULL, NULL));
	srv_host_exit(pid);
	srv_end();
}

/* the kernel drops a reply's map (no kernel memory): the thread faults
 * again on the same page and gets a map call of its own, then a resume */
static void test_reply_map_dropped(void **state)
{
	(void)state;
	int pid = srv_host_spawn();
	fake_ops_clear();
	fake_drop_reply_maps(1);
	user_put(pid, USER_BASE + 7 * PAGE, "again", 6);
	assert_int_equal(fake_op_count(FAKE_OP_REPLY_MAP, pid), 1);
	assert_int_equal(fake_op_count(FAKE_OP_MAP, pid), 1);
	assert_int_equal(fake_last_reply()->kind, FAKE_RESUME);
	assert_int_equal(proc_by_pid(pid)->mm->pages, 1);
	char buf[8];
	user_get(pid, USER_BASE + 7 * PAGE, buf, 6);
	assert_string_equal(buf, "again");
	srv_host_exit(pid);
	srv_end();
}

/* mremap moves the pages themselves: the same page at the new place */
static void test_mremap_moves_pages(void **state)
{
	(void)state;
	int pid = srv_host_spawn();
	assert_int_equal(mmap_fixed(pid, A, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS), A);
	user_put(pid, A + PAGE, "moved", 6);
	void *page, *now;
	assert_true(fake_mapping(pid, A + PAGE, &page, NULL));
	uint64_t to = A + 64 * PAGE;
	assert_int_equal(SYS(pid, __NR_mremap, A, 2 * PAGE, 4 * PAGE, 3 /* MAYMOVE | FIXED */, to), to);
	assert_false(fake_mapping(pid, A + PAGE, NULL, NULL));
	assert_null(vma_find(proc_by_pid(pid)->mm, A));
	char buf[8];
	user_get(pid, to + PAGE, buf, 6);
	assert_string_equal(buf, "moved");
	assert_true(fake_mapping(pid, to + PAGE, &now, NULL));
	assert_ptr_equal(now, page);
	expect_vma(proc_by_pid(pid)->mm, to, to, to + 4 * PAGE, PROT_R | PROT_W);
	srv_host_exit(pid);
	srv_end();
}

/* a fault where nothing is mapped kills with SIGSEGV (no handler) */
static void test_fault_outside_vma_kills(void **state)
{
	(void)state;
	int pid = srv_host_spawn();
	int c = srv_fork(pid);
	assert_int_equal(fake_fault(c, 0x50000000, PLAT_PF_READ), FAKE_NONE);
	assert_null(fake_thread(c));
	assert_non_null(strstr(fake_log(), "SIGSEGV")); /* (the server says why it killed) */
	assert_int_equal(srv_wait(pid, c), SIGSEGV);
	srv_host_exit(pid);
	srv_end();
}

/* with a handler, a bad access runs it: the thread's registers are set
 * (no reply) to the handler's entry with the siginfo on its stack,
 * SEGV_MAPERR where nothing is mapped, SEGV_ACCERR where the VMA forbids */
static void test_fault_signal_handler(void **state)
{
	(void)state;
	int pid = srv_host_spawn();
	srv_sigaction(pid, SIGSEGV, 0x402000, SA_SIGINFO | SA_NODEFER);
	assert_int_equal(mmap_fixed(pid, A, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS), A);
	static const struct {
		uint64_t addr;
		unsigned access;
		int code;
	} cases[] = {{0x50000123, PLAT_PF_WRITE, SEGV_MAPERR}, {A + 8, PLAT_PF_WRITE, SEGV_ACCERR}};
	for (unsigned i = 0; i < 2; i++) {
		const struct fake_thread *t = fake_thread(pid);
		unsigned answers = t->answers;
		assert_int_equal(fake_fault(pid, cases[i].addr, cases[i].access), FAKE_NONE);
		assert_int_equal(t->answers, answers + 1);
		assert_int_equal(t->last.kind, FAKE_SET);
		assert_int_equal(t->state, FAKE_T_RUNNING);
		assert_int_equal(t->regs[PLAT_REG_RIP], 0x402000);
		assert_int_equal(t->regs[PLAT_REG_RDI], SIGSEGV);
		assert_true(t->regs[PLAT_REG_RSP] < USER_STACK && t->regs[PLAT_REG_RSP] > USER_BASE);
		assert_int_equal((t->regs[PLAT_REG_RSP] + 8) % 16, 0);
		assert_int_equal(user_u64(pid, t->regs[PLAT_REG_RSP]), 0x401000); /* the return: the restorer */
		siginfo_t si;
		user_get(pid, t->regs[PLAT_REG_RSI], &si, sizeof si);
		assert_int_equal(si.si_signo, SIGSEGV);
		assert_int_equal(si.si_code, cases[i].code);
		assert_int_equal((uint64_t)(uintptr_t)si.si_addr, cases[i].addr);
	}
	srv_host_exit(pid);
	srv_end();
}

/* processes that touched, forked, copied and ended give back every page
 * and object (srv_end), and their spaces and threads are gone */
static void test_teardown_gives_everything_back(void **state)
{
	(void)state;
	const struct fake_stats *st = fake_stats();
	unsigned spaces = st->spaces_destroyed, threads = st->threads_destroyed;
	int pid = srv_host_spawn();
	assert_int_equal(mmap_fixed(pid, A, 64 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS), A);
	for (uint64_t i = 0; i < 64; i++)
		user_put(pid, A + i * PAGE, &i, sizeof i);
	int c = srv_fork(pid);
	for (uint64_t i = 0; i < 64; i += 2)
		user_put(c, A + i * PAGE + 8, &i, sizeof i);
	assert_int_equal(user_u64(c, A + 63 * PAGE), 63);
	assert_true(proc_by_pid(c)->mm->pages >= 64);
	assert_int_equal(SYS(c, __NR_exit_group, 0), FAKE_NOREPLY);
	assert_int_equal(srv_wait(pid, c), 0);
	srv_host_exit(pid);
	assert_int_equal(st->spaces_destroyed, spaces + 2);
	assert_int_equal(st->threads_destroyed, threads + 2);
	assert_null(fake_thread(pid));
	srv_end();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_split_and_merge, srv_begin),
		cmocka_unit_test_setup(test_find_free, srv_begin),
		cmocka_unit_test_setup(test_anon_fault, srv_begin),
		cmocka_unit_test_setup(test_cow_after_fork, srv_begin),
		cmocka_unit_test_setup(test_shared_after_fork, srv_begin),
		cmocka_unit_test_setup(test_unmap_protect_calls, srv_begin),
		cmocka_unit_test_setup(test_reply_map_dropped, srv_begin),
		cmocka_unit_test_setup(test_mremap_moves_pages, srv_begin),
		cmocka_unit_test_setup(test_fault_outside_vma_kills, srv_begin),
		cmocka_unit_test_setup(test_fault_signal_handler, srv_begin),
		cmocka_unit_test_setup(test_teardown_gives_everything_back, srv_begin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
