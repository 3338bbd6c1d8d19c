/*
 * copy_file_range: copies between files of /tmp and between memfds, with
 * offsets given or the file positions (moved by what was copied), short
 * copies at the end of the source, holes; Linux's checks in their order:
 * descriptors (EBADF, O_PATH, access modes, O_APPEND), offsets' pointers
 * (EFAULT), flags (EINVAL), directories (EISDIR), files that are not
 * regular (EINVAL), files of two file systems (EXDEV: a tmpfs has no copy
 * of its own), wrapping (EOVERFLOW), negative offsets (EINVAL), overlapping
 * ranges of one file (EINVAL), seals of the destination (EPERM).  Run as
 * root and as nobody.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/mman.h>

#include "check.h"

#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING 2u
#endif

static long cfr(int in, loff_t *oin, int out, loff_t *oout, size_t len, unsigned flags)
{
	return syscall(SYS_copy_file_range, in, oin, out, oout, len, flags);
}

static void show(int fd, const char *what)
{
	char buf[64] = {0};
	long n = pread(fd, buf, sizeof buf - 1, 0);
	for (long i = 0; i < n; i++)
		if (!buf[i])
			buf[i] = '.';
	say("%s: %ld [%s] pos %ld\n", what, n, buf, (long)lseek(fd, 0, SEEK_CUR));
}

static void copies(void)
{
	say("-- copies\n");
	int a = open("/tmp/cfr-a", O_CREAT | O_RDWR | O_TRUNC, 0600);
	int b = open("/tmp/cfr-b", O_CREAT | O_RDWR | O_TRUNC, 0600);
	T(write(a, "0123456789abcdef", 16));
	T(lseek(a, 2, SEEK_SET));
	T(cfr(a, NULL, b, NULL, 5, 0));
	show(a, "a");
	show(b, "b");
	loff_t oi = 10, oo = 20;
	T(cfr(a, &oi, b, &oo, 100, 0)); /* (to the end of a: 6) */
	say("offsets %lld %lld\n", (long long)oi, (long long)oo);
	show(a, "a");
	show(b, "b");
	oi = 16;
	T(cfr(a, &oi, b, &oo, 10, 0)); /* (at the end: nothing) */
	oi = 100;
	T(cfr(a, &oi, b, NULL, 10, 0));
	T(cfr(a, NULL, b, NULL, 0, 0));
	oi = 0;
	T(cfr(a, &oi, b, NULL, SIZE_MAX, 0)); /* (wraps: EOVERFLOW) */
	oi = 0;
	oo = 0;
	T(cfr(a, &oi, b, &oo, 0x7fffffffffffffffull, 0));
	show(b, "b");
	/* within one file: ranges that do not overlap, and ones that do */
	oi = 0;
	oo = 16;
	T(cfr(a, &oi, a, &oo, 8, 0));
	show(a, "a");
	oi = 0;
	oo = 4;
	T(cfr(a, &oi, a, &oo, 8, 0));
	oi = 4;
	oo = 0;
	T(cfr(a, &oi, a, &oo, 8, 0));
	oi = 8;
	oo = 0;
	T(cfr(a, &oi, a, &oo, 8, 0));
	show(a, "a");
	oi = 0;
	oo = 0;
	T(cfr(a, &oi, a, &oo, 0, 0));
	/* negative offsets */
	oi = -1;
	T(cfr(a, &oi, b, NULL, 1, 0));
	T(cfr(a, &oi, b, NULL, 0, 0));
	oi = 0;
	oo = -5;
	T(cfr(a, &oi, b, &oo, 1, 0));
	T(cfr(a, &oi, b, &oo, 0, 0));
	/* a hole copies as zeros */
	int h = open("/tmp/cfr-h", O_CREAT | O_RDWR | O_TRUNC, 0600);
	T(ftruncate(h, 8192));
	T(pwrite(h, "end", 3, 8189));
	oi = 8180;
	oo = 0;
	T(cfr(h, &oi, b, &oo, 100, 0));
	show(b, "b");
	close(h);
	unlink("/tmp/cfr-h");
	/* across a page, more than a page */
	static char big[10000];
	for (unsigned i = 0; i < sizeof big; i++)
		big[i] = (char)('a' + i % 26);
	int c = open("/tmp/cfr-c", O_CREAT | O_RDWR | O_TRUNC, 0600);
	T(write(c, big, sizeof big));
	oi = 100;
	oo = 3;
	T(cfr(c, &oi, b, &oo, 9000, 0));
	static char back[9000];
	T(pread(b, back, sizeof back, 3));
	fact("the same bytes", !memcmp(back, big + 100, sizeof back));
	close(c);
	unlink("/tmp/cfr-c");
	close(a);
	close(b);
}

static void checks(void)
{
	say("-- checks\n");
	int a = open("/tmp/cfr-a", O_RDWR);
	int b = open("/tmp/cfr-b", O_RDWR);
	int ro = open("/tmp/cfr-a", O_RDONLY), wo = open("/tmp/cfr-b", O_WRONLY);
	int ap = open("/tmp/cfr-b", O_WRONLY | O_APPEND), path = open("/tmp/cfr-a", O_PATH);
	loff_t o = 0;
	T(cfr(-1, NULL, b, NULL, 1, 0));
	T(cfr(a, NULL, -1, NULL, 1, 0));
	T(cfr(99, NULL, 98, NULL, 1, 0));
	T(cfr(path, NULL, b, NULL, 1, 0));
	T(cfr(a, NULL, path, NULL, 1, 0));
	T(cfr(wo, NULL, b, NULL, 1, 0));
	T(cfr(a, NULL, ro, NULL, 1, 0));
	T(cfr(a, NULL, ap, NULL, 1, 0));
	T(cfr(ro, NULL, wo, NULL, 1, 0));
	T(cfr(a, BAD_USER, b, NULL, 1, 0));
	T(cfr(a, NULL, b, BAD_USER, 1, 0));
	T(cfr(a, &o, b, BAD_USER, 1, 0));
	T(cfr(a, NULL, b, NULL, 1, 1));
	T(cfr(a, BAD_USER, b, NULL, 1, 1));  /* (the pointers first) */
	T(cfr(-1, BAD_USER, b, NULL, 1, 1)); /* (the descriptors before) */
	int d = open("/tmp", O_RDONLY | O_DIRECTORY);
	T(cfr(d, NULL, b, NULL, 1, 0));
	T(cfr(a, NULL, d, NULL, 1, 0));
	int p[2];
	pipe(p);
	T(cfr(p[0], NULL, b, NULL, 1, 0));
	T(cfr(a, NULL, p[1], NULL, 1, 0));
	T(cfr(d, NULL, p[1], NULL, 1, 0));
	int null = open("/dev/null", O_RDWR);
	T(cfr(a, NULL, null, NULL, 1, 0));
	int pf = open("/proc/self/stat", O_RDONLY);
	T(cfr(pf, NULL, b, NULL, 100, 0));
	/* a written back offset that cannot be: EFAULT after the copy */
	o = 0;
	void *ro_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T(cfr(a, &o, b, ro_page, 1, 0));
	close(pf);
	close(null);
	close(p[0]);
	close(p[1]);
	close(d);
	close(path);
	close(ap);
	close(wo);
	close(ro);
	close(a);
	close(b);
}

static void memfds(void)
{
	say("-- memfds\n");
	int m = (int)syscall(SYS_memfd_create, "src", MFD_ALLOW_SEALING);
	int n = (int)syscall(SYS_memfd_create, "dst", MFD_ALLOW_SEALING);
	int f = open("/tmp/cfr-a", O_RDWR);
	T(write(m, "memfd data", 10));
	loff_t oi = 0, oo = 0;
	T(cfr(m, &oi, n, &oo, 10, 0));
	show(n, "n");
	oi = 0;
	T(cfr(m, &oi, f, NULL, 10, 0)); /* (two file systems) */
	T(cfr(f, NULL, m, NULL, 10, 0));
	T(cfr(m, &oi, f, NULL, 0, 0));
	/* the destination's seals */
	T(fcntl(n, F_ADD_SEALS, F_SEAL_GROW));
	oi = oo = 0;
	T(cfr(m, &oi, n, &oo, 10, 0));
	oi = 0;
	oo = 5;
	T(cfr(m, &oi, n, &oo, 10, 0));
	T(fcntl(n, F_ADD_SEALS, F_SEAL_WRITE));
	oi = oo = 0;
	T(cfr(m, &oi, n, &oo, 3, 0));
	say("offsets %lld %lld\n", (long long)oi, (long long)oo);
	close(f);
	close(m);
	close(n);
	unlink("/tmp/cfr-a");
	unlink("/tmp/cfr-b");
}

int main(void)
{
	copies();
	checks();
	memfds();
	return 0;
}
