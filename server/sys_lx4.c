/* lx4's private system calls (syscall.h, systab.c). */
#include "platform.h"
#include "sys.h"

long sys_lx4_counters(struct lthread *t, const struct sysargs *a)
{
	uint64_t c[4];
	unsigned n = plat_counters(c, 4);
	if (!n)
		return -ENOSYS;
	uint64_t size = a->a1 < n * sizeof c[0] ? a->a1 : n * sizeof c[0];
	if (copy_to_user(t->proc, a->a0, c, size))
		return -EFAULT;
	return (long)size;
}
