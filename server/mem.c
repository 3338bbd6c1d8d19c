/* Server memory (see mem.h). */
#include "mem.h"

#include "platform.h"


static uint64_t ram_base, ram_pages, bump, nfree;
static uint32_t *refs;  /* one count per page */
static void *free_list; /* freed pages, linked through their first word */

void mem_init(uint64_t base, uint64_t size)
{
	ram_base = base;
	ram_pages = size / 4096;
	refs = (uint32_t *)base;
	uint64_t meta = (ram_pages * sizeof *refs + 4095) / 4096;
	memset(refs, 0, meta * 4096);
	for (uint64_t i = 0; i < meta; i++)
		refs[i] = 1; /* the table itself */
	bump = meta;
	nfree = ram_pages - meta;
}

static uint64_t index_of(const void *p) { return ((uint64_t)p - ram_base) / 4096; }

int page_valid(const void *p)
{
	uint64_t a = (uint64_t)p;
	return a >= ram_base && a < ram_base + ram_pages * 4096;
}

void *page_alloc(void)
{
	void *p;
	if (free_list) {
		p = free_list;
		free_list = *(void **)p;
	} else if (bump < ram_pages) {
		p = (void *)(ram_base + bump++ * 4096);
	} else {
		return NULL;
	}
	nfree--;
	memset(p, 0, 4096);
	refs[index_of(p)] = 1;
	return p;
}

void page_get(void *page) { refs[index_of(page)]++; }

unsigned page_refs(void *page) { return refs[index_of(page)]; }

void page_put(void *page)
{
	uint32_t *r = &refs[index_of(page)];
	if (!*r) {
		printf("lx4-server: page %p freed twice\n", page);
		return;
	}
	if (--*r)
		return;
	*(void **)page = free_list;
	free_list = page;
	nfree++;
}

uint64_t pages_free(void) { return nfree; }
uint64_t pages_total(void) { return ram_pages; }

/* ---- small objects: power-of-two classes from 32 to 4096 bytes, each with a
 * 16-byte header naming its class ------------------------------------------ */

#define NCLASSES 8
struct hdr {
	uint64_t cls;
	uint64_t pad;
};
static void *classes[NCLASSES];

static unsigned class_of(size_t n)
{
	unsigned c = 0;
	while ((32u << c) < n + sizeof(struct hdr))
		c++;
	return c;
}

void *mem_zalloc(size_t n)
{
	unsigned c = class_of(n);
	if (c >= NCLASSES)
		return NULL;
	if (!classes[c]) {
		char *pg = page_alloc();
		if (!pg)
			return NULL;
		size_t sz = 32u << c;
		for (size_t off = 0; off + sz <= 4096; off += sz) {
			*(void **)(pg + off) = classes[c];
			classes[c] = pg + off;
		}
	}
	struct hdr *h = classes[c];
	classes[c] = *(void **)h;
	memset(h, 0, 32u << c);
	h->cls = c;
	return h + 1;
}

void mem_free(void *p)
{
	if (!p)
		return;
	struct hdr *h = (struct hdr *)p - 1;
	unsigned c = (unsigned)h->cls;
	*(void **)h = classes[c];
	classes[c] = h;
}

char *kstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = mem_zalloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}
