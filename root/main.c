/*
 * The root task.  It owns all free RAM and every I/O port.  Given a
 * module "PATH server ..." (and "PATH initramfs") it starts the Linux
 * server and hands it the machine; otherwise it runs the suites named by
 * its modules ("PATH ktest [filter]", "PATH kbench"), prints a summary and
 * ends QEMU with the result.
 */
#include <lx4/bootinfo.h>

#include "lx4.h"
#include "mem.h"
#include "server.h"
#include "suite.h"

#define EXIT_OK 0
#define EXIT_FAIL 1

static _Noreturn void qemu_exit(unsigned v)
{
	__asm__ volatile("outb %b0, %w1" : : "a"(v), "Nd"(0xf4));
	lx4_halt();
}

/* the n-th space-separated word of s, into buf */
static void word(const char *s, unsigned n, char *buf, size_t size)
{
	size_t len = 0;
	for (;;) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		const char *e = s;
		while (*e && *e != ' ')
			e++;
		if (n-- == 0) {
			len = (size_t)(e - s) < size - 1 ? (size_t)(e - s) : size - 1;
			memcpy(buf, s, len);
			break;
		}
		s = e;
	}
	buf[len] = 0;
}

int main(const struct lx4_bootinfo *bi)
{
	if (bi->magic != LX4_BOOTINFO_MAGIC) {
		printf("[root] bad boot information\n");
		qemu_exit(EXIT_FAIL);
	}
	mem_init(bi);
	printf("[root] %lu free frames, kernel quota %lu pages\n", frames_free(), bi->kmem_quota_pages);
	const struct lx4_bi_module *srv = NULL, *initrd = NULL;
	for (unsigned i = 1; i < bi->nmodules; i++) {
		char kind[32];
		word(bi->modules[i].cmdline, 1, kind, sizeof kind);
		if (!strcmp(kind, "server"))
			srv = &bi->modules[i];
		else if (!strcmp(kind, "initramfs"))
			initrd = &bi->modules[i];
	}
	if (srv) {
		server_run(bi, srv, initrd);
		printf("[root] the Linux server did not start\n");
		qemu_exit(EXIT_FAIL);
	}
	struct suite_stats st = {0};
	unsigned suites = 0;
	for (unsigned i = 1; i < bi->nmodules; i++) {
		const struct lx4_bi_module *m = &bi->modules[i];
		char kind[32], filter[64];
		word(m->cmdline, 1, kind, sizeof kind);
		word(m->cmdline, 2, filter, sizeof filter);
		const void *img = (const void *)window_va(m->base);
		if (!strcmp(kind, "ktest") || !strcmp(kind, "kbench")) {
			suite_run(kind, img, m->size, filter, 60ull * 1000000000ull, &st);
			suites++;
		} else {
			printf("[root] module %u: unknown kind \"%s\"\n", i, kind);
		}
	}
	printf("SUITE %u passed, %u failed\n", st.passed, st.failed);
	qemu_exit(st.failed || !suites ? EXIT_FAIL : EXIT_OK);
}
