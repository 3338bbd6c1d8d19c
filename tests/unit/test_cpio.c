/* Unit tests for the cpio "newc" parser (server/fs/cpio.c): valid archives
 * (files, directories, symbolic links, devices, the trailer, padding,
 * concatenated archives) and every way an archive can be malformed.  The
 * parser sees each archive in a buffer of exactly its size, so that
 * AddressSanitizer catches any read past the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cpio.h"

#define HDR 110

enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE, F_DEVMAJ, F_DEVMIN, F_RDEVMAJ, F_RDEVMIN,
       F_NAMESIZE, F_CHECK, NFIELDS };

/* an archive being written */
struct ar {
	uint8_t buf[1 << 16];
	size_t len;
};

static void put(struct ar *a, const void *p, size_t n)
{
	assert_true(a->len + n <= sizeof a->buf);
	if (n)
		memcpy(a->buf + a->len, p, n);
	a->len += n;
}

static void pad4(struct ar *a)
{
	static const uint8_t zero[4];
	put(a, zero, (4 - a->len % 4) % 4);
}

/* one entry with the given header fields, exactly namelen bytes of name and
 * size bytes of data (each padded to 4 bytes) */
static void raw(struct ar *a, const char *magic, const uint32_t f[NFIELDS], const char *name, size_t namelen,
		const void *data, size_t size)
{
	char h[HDR + 1];
	int n = snprintf(h, sizeof h, "%s", magic);
	for (int i = 0; i < NFIELDS; i++)
		n += snprintf(h + n, sizeof h - (size_t)n, "%08x", f[i]);
	assert_int_equal(n, HDR);
	put(a, h, HDR);
	put(a, name, namelen);
	pad4(a);
	put(a, data, size);
	pad4(a);
}

static void fields(uint32_t f[NFIELDS], const char *name, uint32_t mode, size_t size)
{
	static uint32_t ino = 1;
	memset(f, 0, NFIELDS * sizeof f[0]);
	f[F_INO] = ino++;
	f[F_MODE] = mode;
	f[F_UID] = 1000;
	f[F_GID] = 100;
	f[F_NLINK] = 1;
	f[F_MTIME] = 1700000000;
	f[F_FILESIZE] = (uint32_t)size;
	f[F_NAMESIZE] = (uint32_t)strlen(name) + 1;
}

static void entry(struct ar *a, const char *name, uint32_t mode, const void *data, size_t size)
{
	uint32_t f[NFIELDS];
	fields(f, name, mode, size);
	raw(a, "070701", f, name, strlen(name) + 1, data, size);
}

static void trailer(struct ar *a) { entry(a, "TRAILER!!!", 0, NULL, 0); }

/* a copy of the first len bytes of a, in a buffer of exactly that size */
static uint8_t *exact(const struct ar *a, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);
	assert_non_null(p);
	memcpy(p, a->buf, len);
	return p;
}

/* the result of the first entry of a's first len bytes */
static int first(const struct ar *a, size_t len)
{
	uint8_t *p = exact(a, len);
	uint64_t pos = 0;
	struct cpio_entry e;
	int r = cpio_next(p, len, &pos, &e);
	free(p);
	return r;
}

static struct ar *new_ar(void)
{
	struct ar *a = calloc(1, sizeof *a);
	assert_non_null(a);
	return a;
}

static void test_entries(void **state)
{
	(void)state;
	struct ar *a = new_ar();
	entry(a, ".", 0040755, NULL, 0);
	entry(a, "bin", 0040755, NULL, 0);
	entry(a, "bin/hello", 0100644, "hello", 5);
	entry(a, "bin/link", 0120777, "hello", 5);
	uint32_t f[NFIELDS];
	fields(f, "dev/null", 0020666, 0);
	f[F_RDEVMAJ] = 1;
	f[F_RDEVMIN] = 3;
	f[F_UID] = 0;
	f[F_NLINK] = 2;
	raw(a, "070701", f, "dev/null", 9, NULL, 0);
	trailer(a);
	size_t end = a->len;
	static const uint8_t block[512];
	put(a, block, sizeof block - a->len % 512);

	uint8_t *buf = exact(a, a->len);
	uint64_t pos = 0;
	struct cpio_entry e;
	assert_int_equal(cpio_next(buf, a->len, &pos, &e), CPIO_OK);
	assert_string_equal(e.name, ".");
	assert_int_equal(e.mode, 0040755);
	assert_int_equal(e.size, 0);
	assert_int_equal(e.uid, 1000);
	assert_int_equal(e.gid, 100);
	assert_int_equal(e.nlink, 1);
	assert_int_equal(e.mtime, 1700000000);
	assert_int_equal(pos, 112); /* 110 + 2, padded to 4 */
	assert_int_equal(cpio_next(buf, a->len, &pos, &e), CPIO_OK);
	assert_string_equal(e.name, "bin");
	assert_int_equal(e.mode, 0040755);
	assert_int_equal(cpio_next(buf, a->len, &pos, &e), CPIO_OK);
	assert_string_equal(e.name, "bin/hello");
	assert_int_equal(e.mode, 0100644);
	assert_int_equal(e.size, 5);
	assert_memory_equal(e.data, "hello", 5);
	assert_int_equal((e.data - buf) % 4, 0);
	assert_int_equal(pos % 4, 0);
	assert_int_equal(cpio_next(buf, a->len, &pos, &e), CPIO_OK);
	assert_string_equal(e.name, "bin/link");
	assert_int_equal(e.mode, 0120777);
	assert_int_equal(e.size, 5);
	assert_memory_equal(e.data, "hello", 5);
	assert_int_equal(cpio_next(buf, a->len, &pos, &e), CPIO_OK);
	assert_string_equal(e.name, "dev/null");
	assert_int_equal(e.mode, 0020666);
	assert_int_equal(e.rdevmajor, 1);
	assert_int_equal(e.rdevminor, 3);
	assert_int_equal(e.uid, 0);
	assert_int_equal(e.nlink, 2);
	/* the trailer ends the archive; the position is past it */
	assert_int_equal(cpio_next(buf, a->len, &pos, &e), CPIO_END);
	assert_string_equal(e.name, "TRAILER!!!");
	assert_int_equal(pos, end);
	/* then only the zeros of the last block: the end again */
	assert_int_equal(cpio_next(buf, a->len, &pos, &e), CPIO_END);
	free(buf);
	free(a);
}

/* every combination of name and data length, so every padding */
static void test_padding(void **state)
{
	(void)state;
	char name[16], data[16];
	for (size_t nl = 1; nl <= 9; nl++) {
		for (size_t dl = 0; dl <= 9; dl++) {
			struct ar *a = new_ar();
			memset(name, 'n', nl);
			name[nl] = 0;
			for (size_t i = 0; i < dl; i++)
				data[i] = (char)('a' + i);
			entry(a, name, 0100600, data, dl);
			entry(a, "second", 0100600, "2", 1);
			trailer(a);
			uint8_t *buf = exact(a, a->len);
			uint64_t pos = 0;
			struct cpio_entry e;
			assert_int_equal(cpio_next(buf, a->len, &pos, &e), CPIO_OK);
			assert_string_equal(e.name, name);
			assert_int_equal(e.size, dl);
			assert_memory_equal(e.data, data, dl);
			assert_int_equal(e.data - buf, (HDR + nl + 1 + 3) & ~3ul);
			assert_int_equal(pos, ((HDR + nl + 1 + 3) & ~3ul) + ((dl + 3) & ~3ul));
			assert_int_equal(cpio_next(buf, a->len, &pos, &e), CPIO_OK);
			assert_string_equal(e.name, "second");
			assert_memory_equal(e.data, "2", 1);
			assert_int_equal(cpio_next(buf, a->len, &pos, &e), CPIO_END);
			assert_int_equal(pos, a->len);
			free(buf);
			free(a);
		}
	}
}

/* an archive with no trailer ends at the end of the buffer; an empty one or
 * one of zeros has no entries */
static void test_ends(void **state)
{
	(void)state;
	struct ar *a = new_ar();
	struct cpio_entry e;
	uint64_t pos = 0;
	assert_int_equal(cpio_next(a->buf, 0, &pos, &e), CPIO_END);
	assert_int_equal(first(a, 0), CPIO_END);
	assert_int_equal(first(a, 1024), CPIO_END); /* zeros */
	entry(a, "only", 0100644, "x", 1);
	uint8_t *buf = exact(a, a->len);
	assert_int_equal(cpio_next(buf, a->len, &pos, &e), CPIO_OK);
	assert_int_equal(cpio_next(buf, a->len, &pos, &e), CPIO_END);
	assert_int_equal(cpio_next(buf, a->len, &pos, &e), CPIO_END);
	free(buf);
	/* the data's padding cut off: the entry is whole, then the end */
	a->len = 0;
	entry(a, "cut", 0100644, "x", 1);
	size_t len = a->len - 3;
	buf = exact(a, len);
	pos = 0;
	assert_int_equal(cpio_next(buf, len, &pos, &e), CPIO_OK);
	assert_memory_equal(e.data, "x", 1);
	assert_int_equal(cpio_next(buf, len, &pos, &e), CPIO_END);
	free(buf);
	free(a);
}

/* archives one after the other (as the kernel takes them), with zero
 * padding between them; "070702" (with checksums) and upper-case hex */
static void test_concatenated(void **state)
{
	(void)state;
	struct ar *a = new_ar();
	entry(a, "one", 0100644, "1", 1);
	trailer(a);
	static const uint8_t zero[512];
	put(a, zero, 512);
	uint32_t f[NFIELDS];
	fields(f, "two", 0100644, 3);
	f[F_CHECK] = '2' + '2' + '2';
	raw(a, "070702", f, "two", 4, "222", 3);
	size_t at = a->len;
	fields(f, "three", 0100755, 0);
	f[F_MTIME] = 0xabcdef12;
	raw(a, "070701", f, "three", 6, NULL, 0);
	for (size_t i = at + 6; i < at + HDR; i++)
		if (a->buf[i] >= 'a' && a->buf[i] <= 'f')
			a->buf[i] = (uint8_t)(a->buf[i] - 'a' + 'A');
	trailer(a);

	uint8_t *buf = exact(a, a->len);
	uint64_t pos = 0;
	struct cpio_entry e;
	assert_int_equal(cpio_next(buf, a->len, &pos, &e), CPIO_OK);
	assert_string_equal(e.name, "one");
	assert_int_equal(cpio_next(buf, a->len, &pos, &e), CPIO_END);
	assert_int_equal(cpio_next(buf, a->len, &pos, &e), CPIO_OK);
	assert_string_equal(e.name, "two");
	assert_memory_equal(e.data, "222", 3);
	assert_int_equal(cpio_next(buf, a->len, &pos, &e), CPIO_OK);
	assert_string_equal(e.name, "three");
	assert_int_equal(e.mtime, 0xabcdef12);
	assert_int_equal(e.mode, 0100755);
	assert_int_equal(cpio_next(buf, a->len, &pos, &e), CPIO_END);
	assert_int_equal(pos, a->len);
	free(buf);
	free(a);
}

static void test_bad_magic(void **state)
{
	(void)state;
	static const char *const magics[] = {"070707", "070700", "070703", "170701", "07070x", "o70701", "      "};
	for (size_t m = 0; m < sizeof magics / sizeof magics[0]; m++) {
		struct ar *a = new_ar();
		uint32_t f[NFIELDS];
		fields(f, "file", 0100644, 0);
		raw(a, magics[m], f, "file", 5, NULL, 0);
		trailer(a);
		assert_int_equal(first(a, a->len), CPIO_EBAD);
		free(a);
	}
	/* a bad entry after a good one */
	struct ar *a = new_ar();
	entry(a, "good", 0100644, "ok", 2);
	size_t at = a->len;
	entry(a, "bad", 0100644, NULL, 0);
	a->buf[at] = '1';
	uint8_t *buf = exact(a, a->len);
	uint64_t pos = 0;
	struct cpio_entry e;
	assert_int_equal(cpio_next(buf, a->len, &pos, &e), CPIO_OK);
	assert_int_equal(cpio_next(buf, a->len, &pos, &e), CPIO_EBAD);
	free(buf);
	free(a);
}

/* a character that is not a hex digit in any place of any field */
static void test_bad_hex(void **state)
{
	(void)state;
	static const char bad[] = {'g', 'G', 'x', ' ', '-', '+', '/', ':', '@', '`', 0, (char)0xff};
	struct ar *a = new_ar();
	entry(a, "file", 0100644, "data", 4);
	trailer(a);
	assert_int_equal(first(a, a->len), CPIO_OK);
	for (size_t i = 6; i < HDR; i++) {
		for (size_t b = 0; b < sizeof bad; b++) {
			uint8_t keep = a->buf[i];
			a->buf[i] = (uint8_t)bad[b];
			assert_int_equal(first(a, a->len), CPIO_EBAD);
			a->buf[i] = keep;
		}
	}
	assert_int_equal(first(a, a->len), CPIO_OK);
	free(a);
}

/* every cut inside the header, the name (and its padding) and the data */
static void test_truncated(void **state)
{
	(void)state;
	struct ar *a = new_ar();
	entry(a, "a/file", 0100644, "0123456789", 10);
	size_t data_at = (HDR + 7 + 3) & ~3ul;
	for (size_t len = 1; len < data_at + 10; len++)
		assert_int_equal(first(a, len), CPIO_ETRUNC);
	assert_int_equal(first(a, data_at + 10), CPIO_OK);
	/* a truncated header after a good entry */
	size_t at = a->len;
	entry(a, "next", 0100644, NULL, 0);
	uint8_t *buf = exact(a, at + 50);
	uint64_t pos = 0;
	struct cpio_entry e;
	assert_int_equal(cpio_next(buf, at + 50, &pos, &e), CPIO_OK);
	assert_int_equal(cpio_next(buf, at + 50, &pos, &e), CPIO_ETRUNC);
	free(buf);
	free(a);
}

static void test_name_without_nul(void **state)
{
	(void)state;
	struct ar *a = new_ar();
	uint32_t f[NFIELDS];
	fields(f, "file", 0100644, 0);
	f[F_NAMESIZE] = 4; /* "file" without its NUL */
	raw(a, "070701", f, "file", 4, NULL, 0);
	trailer(a);
	assert_int_equal(first(a, a->len), CPIO_EBAD);
	/* the NUL only in the padding after the name does not count */
	a->len = 0;
	fields(f, "fil", 0100644, 0);
	f[F_NAMESIZE] = 3;
	raw(a, "070701", f, "fil", 3, NULL, 0);
	trailer(a);
	assert_int_equal(a->buf[HDR + 3], 0);
	assert_int_equal(first(a, a->len), CPIO_EBAD);
	/* a name of one byte that is not the NUL */
	a->len = 0;
	fields(f, "x", 0100644, 0);
	f[F_NAMESIZE] = 1;
	raw(a, "070701", f, "x", 1, NULL, 0);
	assert_int_equal(first(a, a->len), CPIO_EBAD);
	free(a);
}

static void test_bad_sizes(void **state)
{
	(void)state;
	static const uint32_t bad_names[] = {0, 4097, 65536, 0x7fffffff, 0x80000000, 0xffffffff};
	for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
		struct ar *a = new_ar();
		uint32_t f[NFIELDS];
		fields(f, "file", 0100644, 0);
		f[F_NAMESIZE] = bad_names[i];
		raw(a, "070701", f, "file", 5, NULL, 0);
		trailer(a);
		assert_int_equal(first(a, a->len), CPIO_EBAD);
		free(a);
	}
	/* a name that is longer than what is left */
	struct ar *a = new_ar();
	uint32_t f[NFIELDS];
	fields(f, "file", 0100644, 0);
	f[F_NAMESIZE] = 4096;
	raw(a, "070701", f, "file", 5, NULL, 0);
	trailer(a);
	assert_int_equal(first(a, a->len), CPIO_ETRUNC);
	/* data sizes past the end, up to the largest */
	static const uint32_t bad_data[] = {5, 100, 0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff};
	for (size_t i = 0; i < sizeof bad_data / sizeof bad_data[0]; i++) {
		a->len = 0;
		fields(f, "file", 0100644, 4);
		f[F_FILESIZE] = bad_data[i];
		raw(a, "070701", f, "file", 5, "data", 4);
		assert_int_equal(first(a, a->len), CPIO_ETRUNC);
	}
	/* the largest name that is allowed */
	a->len = 0;
	static char name[4096];
	memset(name, 'n', sizeof name - 1);
	fields(f, name, 0100644, 0);
	assert_int_equal(f[F_NAMESIZE], 4096);
	raw(a, "070701", f, name, sizeof name, NULL, 0);
	assert_int_equal(first(a, a->len), CPIO_OK);
	free(a);
}

/* after zero padding a header must start at a multiple of 4, as Linux
 * wants ("broken padding") */
static void test_broken_padding(void **state)
{
	(void)state;
	struct ar *a = new_ar();
	entry(a, "one", 0100644, NULL, 0);
	trailer(a);
	static const uint8_t zero[3];
	put(a, zero, 3);
	size_t at = a->len;
	entry(a, "two", 0100644, NULL, 0);
	assert_int_equal(at % 4, 3);
	uint8_t *buf = exact(a, a->len);
	uint64_t pos = 0;
	struct cpio_entry e;
	assert_int_equal(cpio_next(buf, a->len, &pos, &e), CPIO_OK);
	assert_int_equal(cpio_next(buf, a->len, &pos, &e), CPIO_END);
	assert_int_equal(cpio_next(buf, a->len, &pos, &e), CPIO_EBAD);
	free(buf);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entries),         cmocka_unit_test(test_padding),
		cmocka_unit_test(test_ends),            cmocka_unit_test(test_concatenated),
		cmocka_unit_test(test_bad_magic),       cmocka_unit_test(test_bad_hex),
		cmocka_unit_test(test_truncated),       cmocka_unit_test(test_name_without_nul),
		cmocka_unit_test(test_bad_sizes),       cmocka_unit_test(test_broken_padding),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
