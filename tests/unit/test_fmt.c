/* Unit tests for the freestanding formatter (lib/fmt.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...);
size_t fmt_strlen(const char *s);
char *fmt_strstr(const char *h, const char *n);
int fmt_strncmp(const char *a, const char *b, size_t n);

static void test_numbers(void **state)
{
	(void)state;
	char b[128];
	fmt_snprintf(b, sizeof b, "%d %d %u %x", -42, 7, 4000000000u, 0xbeef);
	assert_string_equal(b, "-42 7 4000000000 beef");
	fmt_snprintf(b, sizeof b, "%lu %lx %016lx %ld", 18446744073709551615ul, 0xdeadbeefcafeul, 0x1234ul,
		     (long)-9223372036854775807L - 1);
	assert_string_equal(b, "18446744073709551615 deadbeefcafe 0000000000001234 -9223372036854775808");
	fmt_snprintf(b, sizeof b, "[%5d][%05u][%3s][%c]", 42, 7u, "x", 'q');
	assert_string_equal(b, "[   42][00007][  x][q]");
	fmt_snprintf(b, sizeof b, "[%4o][%o][%lo]", 0644u, 01000u, 0777777777777ul);
	assert_string_equal(b, "[ 644][1000][777777777777]");
}

static void test_strings_and_pointers(void **state)
{
	(void)state;
	char b[128];
	fmt_snprintf(b, sizeof b, "%s|%s|%p|%%", "abc", (char *)NULL, (void *)0x1000);
	assert_string_equal(b, "abc|(null)|0x0000000000001000|%");
}

static void test_truncation(void **state)
{
	(void)state;
	char b[8];
	memset(b, 'Z', sizeof b);
	int n = fmt_snprintf(b, sizeof b, "hello, %s", "world");
	assert_int_equal(n, 12); /* the full length */
	assert_string_equal(b, "hello, ");
	assert_int_equal(fmt_snprintf(b, 0, "abc"), 3);
	assert_int_equal(b[0], 'h'); /* size 0 writes nothing */
}

static void test_string_helpers(void **state)
{
	(void)state;
	assert_int_equal(fmt_strlen(""), 0);
	assert_string_equal(fmt_strstr("kmem=64 test", "test"), "test");
	assert_null(fmt_strstr("abc", "abd"));
	assert_true(fmt_strncmp("abcdef", "abcxyz", 3) == 0);
	assert_true(fmt_strncmp("abc", "abd", 3) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_strings_and_pointers),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_string_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
