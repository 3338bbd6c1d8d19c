/* Unit tests for boot range arithmetic (kernel/ranges.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "boot.h"

static void test_split_front_back_all(void **state)
{
	(void)state;
	struct boot_range r[4] = {{0x100000, 0x900000}};
	unsigned n = 1;
	assert_true(ranges_remove(r, &n, 4, 0x300000, 0x100000)); /* middle: split */
	assert_int_equal(n, 2);
	assert_int_equal(r[0].base, 0x100000);
	assert_int_equal(r[0].size, 0x200000);
	assert_int_equal(r[1].base, 0x400000);
	assert_int_equal(r[1].size, 0x600000);
	assert_true(ranges_remove(r, &n, 4, 0x0, 0x180000)); /* the front */
	assert_int_equal(r[0].base, 0x180000);
	assert_int_equal(r[0].size, 0x180000);
	assert_true(ranges_remove(r, &n, 4, 0x900000, 0x1000000)); /* the back */
	assert_int_equal(r[1].size, 0x500000);
	assert_true(ranges_remove(r, &n, 4, 0x100000, 0x300000)); /* all of the first */
	assert_int_equal(n, 1);
	assert_int_equal(r[0].base, 0x400000);
}

static void test_spanning_and_disjoint(void **state)
{
	(void)state;
	struct boot_range r[4] = {{0x1000, 0x1000}, {0x3000, 0x1000}, {0x5000, 0x1000}};
	unsigned n = 3;
	assert_true(ranges_remove(r, &n, 4, 0x1800, 0x3000)); /* covers two and a half */
	assert_int_equal(n, 2);
	assert_int_equal(r[0].base, 0x1000);
	assert_int_equal(r[0].size, 0x800);
	assert_int_equal(r[1].base, 0x5000);
	assert_true(ranges_remove(r, &n, 4, 0x10000, 0x1000)); /* nothing there */
	assert_int_equal(n, 2);
}

static void test_overflow_refused(void **state)
{
	(void)state;
	struct boot_range r[1] = {{0x0, 0x10000}};
	unsigned n = 1;
	assert_false(ranges_remove(r, &n, 1, 0x4000, 0x1000));
	assert_int_equal(n, 1);
	assert_int_equal(r[0].size, 0x10000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_front_back_all),
		cmocka_unit_test(test_spanning_and_disjoint),
		cmocka_unit_test(test_overflow_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
