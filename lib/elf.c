/* ELF64 executable parser (see elf.h). */
#include "elf.h"

struct ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

#define PT_LOAD 1
#define PT_INTERP 3
#define PT_PHDR 6

static void copy_bytes(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;
	while (n--)
		*dp++ = *sp++;
}

int elf_parse(const void *img, size_t size, uint64_t user_top, struct elf_info *info, struct elf_seg *segs,
	      unsigned max)
{
	return elf_parse_hdr(img, size, size, user_top, info, segs, max);
}

int elf_parse_hdr(const void *img, size_t hdrlen, uint64_t size, uint64_t user_top, struct elf_info *info,
		  struct elf_seg *segs, unsigned max)
{
	struct ehdr eh;
	const unsigned char *p = img;
	if (hdrlen < sizeof eh || size < hdrlen)
		return ELF_ETRUNC;
	copy_bytes(&eh, p, sizeof eh);
	if (eh.ident[0] != 0x7f || eh.ident[1] != 'E' || eh.ident[2] != 'L' || eh.ident[3] != 'F')
		return ELF_EMAGIC;
	if (eh.ident[4] != 2 || eh.ident[5] != 1 || eh.machine != 62)
		return ELF_ECLASS;
	if (eh.type != 2 && eh.type != 3)
		return ELF_ETYPE;
	if (eh.phentsize != sizeof(struct phdr) || eh.phoff > hdrlen ||
	    (uint64_t)eh.phnum * sizeof(struct phdr) > hdrlen - eh.phoff)
		return ELF_ETRUNC;
	info->entry = eh.entry;
	info->phnum = eh.phnum;
	info->phentsize = eh.phentsize;
	info->type = eh.type;
	info->phdr_vaddr = 0;
	info->flags = 0;
	info->interp_off = info->interp_len = 0;
	unsigned n = 0;
	for (unsigned i = 0; i < eh.phnum; i++) {
		struct phdr ph;
		copy_bytes(&ph, p + eh.phoff + i * sizeof ph, sizeof ph);
		if (ph.type == PT_PHDR)
			info->phdr_vaddr = ph.vaddr;
		if (ph.type == PT_INTERP && !(info->flags & ELF_PT_INTERP_SEEN)) {
			info->flags |= ELF_PT_INTERP_SEEN;
			info->interp_off = ph.offset;
			info->interp_len = ph.filesz;
		}
		if (ph.type != PT_LOAD)
			continue;
		if (ph.offset > size || ph.filesz > size - ph.offset || ph.memsz < ph.filesz ||
		    ph.vaddr >= user_top || ph.memsz > user_top - ph.vaddr)
			return ELF_ESEG;
		if (n == max)
			return ELF_ETOOMANY;
		segs[n].vaddr = ph.vaddr;
		segs[n].memsz = ph.memsz;
		segs[n].offset = ph.offset;
		segs[n].filesz = ph.filesz;
		segs[n].flags = ph.flags & 7;
		if (!info->phdr_vaddr && eh.phoff >= ph.offset && eh.phoff - ph.offset < ph.filesz)
			info->phdr_vaddr = ph.vaddr + (eh.phoff - ph.offset);
		n++;
	}
	if (n == 0)
		return ELF_ESEG;
	info->nsegs = n;
	return ELF_OK;
}
