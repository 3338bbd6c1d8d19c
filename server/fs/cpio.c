/* cpio "newc" parser (see cpio.h). */
#include "cpio.h"

#include <stddef.h>

#define HDR 110

static int hex8(const uint8_t *p, uint32_t *v)
{
	uint32_t r = 0;
	for (int i = 0; i < 8; i++) {
		uint8_t c = p[i];
		r <<= 4;
		if (c >= '0' && c <= '9')
			r |= c - '0';
		else if (c >= 'a' && c <= 'f')
			r |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			r |= c - 'A' + 10;
		else
			return -1;
	}
	*v = r;
	return 0;
}

static uint64_t align4(uint64_t x) { return (x + 3) & ~3ull; }

int cpio_next(const uint8_t *buf, uint64_t size, uint64_t *pos, struct cpio_entry *e)
{
	uint64_t p = *pos;
	/* zero padding between archives is allowed */
	while (p < size && buf[p] == 0)
		p++;
	if (p >= size)
		return CPIO_END;
	if (p & 3) /* padding of a length Linux rejects too ("broken padding") */
		return CPIO_EBAD;
	if (size - p < HDR)
		return CPIO_ETRUNC;
	const uint8_t *h = buf + p;
	static const char magic[] = "070701";
	for (int i = 0; i < 6; i++)
		if (h[i] != (uint8_t)magic[i] && !(i == 5 && h[i] == '2')) /* 070702: with checksums */
			return CPIO_EBAD;
	uint32_t f[13];
	for (int i = 0; i < 13; i++)
		if (hex8(h + 6 + 8 * i, &f[i]))
			return CPIO_EBAD;
	uint32_t namesize = f[11], filesize = f[6];
	if (namesize == 0 || namesize > 4096)
		return CPIO_EBAD;
	uint64_t name_at = p + HDR, data_at = align4(name_at + namesize);
	if (name_at + namesize > size || data_at > size || filesize > size - data_at)
		return CPIO_ETRUNC;
	if (buf[name_at + namesize - 1] != 0)
		return CPIO_EBAD;
	e->name = (const char *)buf + name_at;
	e->data = buf + data_at;
	e->size = filesize;
	e->mode = f[1];
	e->uid = f[2];
	e->gid = f[3];
	e->nlink = f[4];
	e->mtime = f[5];
	e->rdevmajor = f[9];
	e->rdevminor = f[10];
	*pos = align4(data_at + filesize);
	static const char trailer[] = "TRAILER!!!";
	const char *n = e->name;
	int i = 0;
	while (trailer[i] && n[i] == trailer[i])
		i++;
	if (!trailer[i] && !n[i])
		return CPIO_END;
	return CPIO_OK;
}
