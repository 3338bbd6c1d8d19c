/*
 * A small, defensive ELF64 executable parser shared by the kernel (to load
 * the root task) and by user code (the root task loading others).  Pure
 * code: no allocation, no I/O; tested on the host.
 */
#ifndef LX4_ELF_H
#define LX4_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_PF_X 1u
#define ELF_PF_W 2u
#define ELF_PF_R 4u

struct elf_seg {
	uint64_t vaddr, memsz, offset, filesz;
	uint32_t flags; /* ELF_PF_* */
};

enum elf_err {
	ELF_OK = 0,
	ELF_ETRUNC = -1,   /* file too short for what it declares */
	ELF_EMAGIC = -2,   /* not an ELF file */
	ELF_ECLASS = -3,   /* not 64-bit little-endian x86-64 */
	ELF_ETYPE = -4,    /* not an executable */
	ELF_ESEG = -5,     /* a segment is malformed or out of range */
	ELF_ETOOMANY = -6, /* more loadable segments than the caller allows */
};

struct elf_info {
	uint64_t entry;
	uint64_t phdr_vaddr; /* where the program headers are mapped, or 0 */
	uint16_t phnum, phentsize;
	uint16_t type; /* 2 = EXEC, 3 = DYN */
	unsigned nsegs;
	unsigned flags; /* ELF_PT_INTERP_SEEN */
	uint64_t interp_off, interp_len; /* PT_INTERP's file range (the interpreter's path) */
};

/* parses img (size bytes); fills up to max PT_LOAD segments in segs.
 * Every segment is checked: file range inside the image, memsz >= filesz,
 * vaddr + memsz below user_top without overflow.  Returns ELF_OK or an
 * elf_err. */
int elf_parse(const void *img, size_t size, uint64_t user_top, struct elf_info *info, struct elf_seg *segs,
	      unsigned max);
/* the same from the first hdrlen bytes of a file of filesize bytes (the
 * program headers must lie in those; ELF_ETRUNC if not) */
int elf_parse_hdr(const void *hdr, size_t hdrlen, uint64_t filesize, uint64_t user_top, struct elf_info *info,
		  struct elf_seg *segs, unsigned max);
#define ELF_PT_INTERP_SEEN 0x1 /* info->flags: a dynamic executable */

#endif
