/* Unit tests for the ELF parser (lib/elf.c): valid images and every way a
 * hostile image can be malformed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "elf.h"

#define TOP 0x0000800000000000ull

struct img {
	struct {
		uint8_t ident[16];
		uint16_t type, machine;
		uint32_t version;
		uint64_t entry, phoff, shoff;
		uint32_t flags;
		uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
	} eh;
	struct {
		uint32_t type, flags;
		uint64_t offset, vaddr, paddr, filesz, memsz, align;
	} ph[3];
	uint8_t body[8192];
};

static struct img *make(void)
{
	struct img *i = calloc(1, sizeof *i);
	memcpy(i->eh.ident, "\x7f" "ELF\x02\x01\x01", 7);
	i->eh.type = 2;
	i->eh.machine = 62;
	i->eh.entry = 0x401000;
	i->eh.phoff = offsetof(struct img, ph);
	i->eh.phentsize = sizeof i->ph[0];
	i->eh.phnum = 2;
	i->ph[0].type = 1;
	i->ph[0].flags = ELF_PF_R | ELF_PF_X;
	i->ph[0].offset = 0;
	i->ph[0].vaddr = 0x400000;
	i->ph[0].filesz = i->ph[0].memsz = 4096;
	i->ph[1].type = 1;
	i->ph[1].flags = ELF_PF_R | ELF_PF_W;
	i->ph[1].offset = 4096;
	i->ph[1].vaddr = 0x402000;
	i->ph[1].filesz = 100;
	i->ph[1].memsz = 9000;
	return i;
}

static int parse(struct img *i, size_t size, struct elf_info *info, unsigned max)
{
	struct elf_seg segs[4];
	return elf_parse(i, size, TOP, info, segs, max);
}

static void test_valid(void **state)
{
	(void)state;
	struct img *i = make();
	struct elf_info info;
	struct elf_seg segs[4];
	assert_int_equal(elf_parse(i, sizeof *i, TOP, &info, segs, 4), ELF_OK);
	assert_int_equal(info.nsegs, 2);
	assert_int_equal(info.entry, 0x401000);
	assert_int_equal(segs[1].vaddr, 0x402000);
	assert_int_equal(segs[1].memsz, 9000);
	assert_int_equal(segs[1].flags, ELF_PF_R | ELF_PF_W);
	assert_int_equal(info.phdr_vaddr, 0x400000 + offsetof(struct img, ph));
	assert_int_equal(info.flags, 0); /* static: no interpreter */
	assert_int_equal(info.interp_len, 0);
	free(i);
}

static void test_header_errors(void **state)
{
	(void)state;
	struct elf_info info;
	struct img *i = make();
	assert_int_equal(parse(i, 10, &info, 4), ELF_ETRUNC);
	i->eh.ident[1] = 'X';
	assert_int_equal(parse(i, sizeof *i, &info, 4), ELF_EMAGIC);
	i->eh.ident[1] = 'E';
	i->eh.ident[4] = 1; /* 32-bit */
	assert_int_equal(parse(i, sizeof *i, &info, 4), ELF_ECLASS);
	i->eh.ident[4] = 2;
	i->eh.machine = 3;
	assert_int_equal(parse(i, sizeof *i, &info, 4), ELF_ECLASS);
	i->eh.machine = 62;
	i->eh.type = 1; /* relocatable */
	assert_int_equal(parse(i, sizeof *i, &info, 4), ELF_ETYPE);
	i->eh.type = 3;
	assert_int_equal(parse(i, sizeof *i, &info, 4), ELF_OK);
	i->eh.phoff = sizeof *i - 10; /* table runs off the end */
	assert_int_equal(parse(i, sizeof *i, &info, 4), ELF_ETRUNC);
	i->eh.phoff = offsetof(struct img, ph);
	i->eh.phnum = 0xffff;
	assert_int_equal(parse(i, sizeof *i, &info, 4), ELF_ETRUNC);
	i->eh.phnum = 2;
	i->eh.phentsize = 40;
	assert_int_equal(parse(i, sizeof *i, &info, 4), ELF_ETRUNC);
	free(i);
}

static void test_segment_errors(void **state)
{
	(void)state;
	struct elf_info info;
	struct img *i = make();
	i->ph[1].filesz = sizeof *i; /* file range past the end */
	assert_int_equal(parse(i, sizeof *i, &info, 4), ELF_ESEG);
	i->ph[1].filesz = 100;
	i->ph[1].offset = ~0ull - 10; /* offset overflow */
	assert_int_equal(parse(i, sizeof *i, &info, 4), ELF_ESEG);
	i->ph[1].offset = 4096;
	i->ph[1].memsz = 50; /* memsz < filesz */
	assert_int_equal(parse(i, sizeof *i, &info, 4), ELF_ESEG);
	i->ph[1].memsz = 9000;
	i->ph[1].vaddr = 0xffff800000000000ull; /* kernel address */
	assert_int_equal(parse(i, sizeof *i, &info, 4), ELF_ESEG);
	i->ph[1].vaddr = TOP - 4096;
	i->ph[1].memsz = ~0ull - 100; /* vaddr + memsz wraps */
	assert_int_equal(parse(i, sizeof *i, &info, 4), ELF_ESEG);
	i->ph[1].vaddr = 0x402000;
	i->ph[1].memsz = 9000;
	assert_int_equal(parse(i, sizeof *i, &info, 1), ELF_ETOOMANY);
	i->ph[0].type = i->ph[1].type = 4; /* no loadable segment */
	assert_int_equal(parse(i, sizeof *i, &info, 4), ELF_ESEG);
	free(i);
}

/* a real executable from the host */
static void test_host_binary(void **state)
{
	(void)state;
	FILE *f = fopen("/bin/true", "rb");
	assert_non_null(f);
	static uint8_t buf[1 << 20];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	struct elf_info info;
	struct elf_seg segs[16];
	assert_int_equal(elf_parse(buf, n, TOP, &info, segs, 16), ELF_OK);
	assert_true(info.nsegs >= 2);
	assert_true(info.type == 2 || info.type == 3);
	for (unsigned s = 0; s < info.nsegs; s++)
		assert_true(segs[s].offset + segs[s].filesz <= n);
	/* Debian's /bin/true is dynamic: PT_INTERP names its loader */
	assert_true(info.flags & ELF_PT_INTERP_SEEN);
	assert_true(info.interp_off + info.interp_len <= n);
	assert_string_equal((char *)buf + info.interp_off, "/lib64/ld-linux-x86-64.so.2");
	assert_int_equal(info.interp_len, sizeof "/lib64/ld-linux-x86-64.so.2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_segment_errors),
		cmocka_unit_test(test_host_binary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
