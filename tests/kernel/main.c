/* Entry of the kernel test image: runs test number rdi (see ktest.h). */
#include "ktest.h"

extern const struct ktest __start_ktests[], __stop_ktests[];

/* calls the root with label, w0 and a string */
static void report(uint64_t label, uint64_t w0, const char *s, struct lx4_msg *m)
{
	struct lx4_utcb *u = lx4_utcb();
	size_t len = s ? strlen(s) : 0;
	if (len > 8 * (LX4_MR_COUNT - 2))
		len = 8 * (LX4_MR_COUNT - 2);
	uint64_t words[LX4_MR_COUNT] = {0};
	memcpy(words, s, len);
	unsigned n = 1 + (unsigned)((len + 7) / 8);
	m->tag = lx4_tag(label, n, 0);
	m->mr[0] = w0;
	for (unsigned i = 1; i < n; i++) {
		if (i < LX4_MR_REGS)
			m->mr[i] = words[i - 1];
		else
			u->mr[i] = words[i - 1];
	}
	lx4_call(TP_PARENT_CAP, m);
}

_Noreturn void ktest_fail(const char *file, int line, const char *fmt, ...)
{
	char buf[400];
	int n = snprintf(buf, sizeof buf, "%s:%d: ", file, line);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof buf - n, fmt, ap);
	va_end(ap);
	struct lx4_msg m;
	for (;;)
		report(TP_RESULT, 1, buf, &m);
}

int main(uint64_t index)
{
	uint64_t count = __stop_ktests - __start_ktests;
	struct lx4_msg m;
	if (index >= count) {
		report(TP_START, count, "", &m); /* the root ends us */
		lx4_halt();
	}
	const struct ktest *t = &__start_ktests[index];
	report(TP_START, count, t->name, &m);
	if (m.mr[0] == 1) {
		report(TP_RESULT, 2, "skipped", &m);
		lx4_halt();
	}
	t->fn();
	for (;;)
		report(TP_RESULT, 0, "", &m);
}
