/* A parser for cpio "newc" archives (the initramfs format); pure code,
 * tested on the host. */
#ifndef SRV_CPIO_H
#define SRV_CPIO_H

#include <stdint.h>

struct cpio_entry {
	const char *name;  /* NUL-terminated, inside the archive */
	const uint8_t *data;
	uint64_t size;
	uint32_t mode, uid, gid, nlink, mtime, rdevmajor, rdevminor;
};

enum { CPIO_END = 0, CPIO_OK = 1, CPIO_EBAD = -1, CPIO_ETRUNC = -2 };

/* the entry at *pos (then past it); CPIO_END at the trailer or the end of
 * the buffer, CPIO_EBAD/CPIO_ETRUNC for a malformed archive */
int cpio_next(const uint8_t *buf, uint64_t size, uint64_t *pos, struct cpio_entry *e);

#endif
