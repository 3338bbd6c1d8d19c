/*
 * The server's memory: the pages of the RAM the root handed it (at
 * SRV_RAM), reference counted so that a page can be shared (file pages,
 * copy-on-write), and a small-object heap on top.
 */
#ifndef SRV_MEM_H
#define SRV_MEM_H

#include <stddef.h>
#include <stdint.h>

void mem_init(uint64_t base, uint64_t size);
/* a zeroed page with one reference, or NULL */
void *page_alloc(void);
void page_get(void *page);
/* drops a reference; the page is free when none is left */
void page_put(void *page);
unsigned page_refs(void *page);
uint64_t pages_free(void);
uint64_t pages_total(void);
/* true if p lies in the server's RAM */
int page_valid(const void *p);

/* zeroed small objects (up to 4096 - 16 bytes), or NULL */
void *mem_zalloc(size_t n);
void mem_free(void *p);
char *kstrdup(const char *s);

#endif
