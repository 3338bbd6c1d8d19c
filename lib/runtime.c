/* User runtime: output to the kernel log, thread exit. */
#include "lx4.h"

void lx4_puts(const char *s)
{
	struct lx4_utcb *u = lx4_utcb();
	size_t n = strlen(s);
	while (n) {
		size_t chunk = n < sizeof u->mr ? n : sizeof u->mr;
		memcpy(u->mr, s, chunk);
		lx4_syscall(LX4_SYS_DEBUG, LX4_DBG_WRITE, chunk, 0, 0, 0, 0);
		s += chunk;
		n -= chunk;
	}
}

__attribute__((weak)) void lx4_log_hook(const char *s, size_t n)
{
	(void)s;
	(void)n;
}

int printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	lx4_puts(buf);
	lx4_log_hook(buf, strlen(buf));
	return n;
}

_Noreturn void lx4_halt(void)
{
	for (;;)
		lx4_cap_destroy(LX4_CAP_SELF_THREAD);
}

__attribute__((weak)) _Noreturn void lx4_main_return(long ret)
{
	(void)ret;
	lx4_halt();
}
