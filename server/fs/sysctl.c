/*
 * The numeric sysctls (see sysctl.h): their parsing as Linux's
 * kernel/sysctl.c does it (one number, in base 0 as strtoul takes it,
 * after and before white space; a write at a file offset other than 0 is
 * taken and ignored, as under kernel.sysctl_writes_strict = 1), and the
 * table of what each one is.
 */
#include "sysctl.h"

#include "cred.h"
#include "linux.h"
#include "mem.h"
#include "proc.h"
#include "sys.h"
#include "vm.h"

#include "../lib/fmt.h"

#define TMPBUFLEN 22 /* Linux's: a number is shorter */

static bool is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static int digit(char c, unsigned base)
{
	unsigned d = c >= '0' && c <= '9'                     ? (unsigned)(c - '0')
		     : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (unsigned)((c | 0x20) - 'a' + 10)
							      : 99;
	return d < base ? (int)d : -1;
}

/* one number at the start of s (left bytes), as Linux's proc_get_long:
 * an optional '-', digits in base 0, then white space or the end; the
 * bytes it took, or -EINVAL */
static long get_number(const char *s, size_t left, bool *neg, uint64_t *val)
{
	char tmp[TMPBUFLEN];
	size_t len = left < TMPBUFLEN - 1 ? left : TMPBUFLEN - 1;
	memcpy(tmp, s, len);
	tmp[len] = 0;
	const char *p = tmp;
	*neg = *p == '-' && left > 1;
	if (*neg)
		p++;
	if (digit(*p, 10) < 0)
		return -EINVAL;
	unsigned base = 10;
	if (p[0] == '0' && (p[1] | 0x20) == 'x' && digit(p[2], 16) >= 0) {
		base = 16;
		p += 2;
	} else if (p[0] == '0') {
		base = 8;
	}
	uint64_t v = 0;
	for (int d; (d = digit(*p, base)) >= 0; p++) {
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return -EINVAL; /* (too big) */
		v = v * base + (uint64_t)d;
	}
	size_t used = (size_t)(p - tmp);
	if (used == TMPBUFLEN - 1)
		return -EINVAL; /* (it may go on beyond what was looked at) */
	if (used < left && *p != ' ' && *p != '\t' && *p != '\n')
		return -EINVAL;
	*val = v;
	return (long)used;
}

static uint64_t value_of(const struct sysctl *c)
{
	if (c->load)
		return c->load();
	switch (c->type) {
	case SYSCTL_INT: return (uint64_t)(int64_t) * (int *)c->data;
	case SYSCTL_UINT: return *(unsigned *)c->data;
	default: return *(uint64_t *)c->data;
	}
}

int sysctl_show(const struct sysctl *c, char *buf, size_t size)
{
	uint64_t v = value_of(c);
	if (c->type == SYSCTL_INT)
		return snprintf(buf, size, "%ld\n", (long)v);
	return snprintf(buf, size, "%lu\n", v);
}

/* the number as the sysctl's type and bounds take it, or -EINVAL */
static int convert(const struct sysctl *c, bool neg, uint64_t v, uint64_t *out)
{
	if (c->type == SYSCTL_INT) {
		if (v > (neg ? (uint64_t)INT32_MAX + 1 : (uint64_t)INT32_MAX))
			return -EINVAL;
		int64_t s = neg ? -(int64_t)v : (int64_t)v;
		if (s < c->min || s > c->max)
			return -EINVAL;
		*out = (uint64_t)s;
		return 0;
	}
	if (neg || v > (uint64_t)c->max || v < (uint64_t)c->min)
		return -EINVAL;
	*out = v;
	return 0;
}

long sysctl_store(const struct sysctl *c, const struct cred *cred, const char *text, size_t n, uint64_t pos)
{
	if (c->cap >= 0 && (!cred || !cred_capable(cred, c->cap)))
		return -EPERM;
	if (pos)
		return (long)n; /* (ignored) */
	size_t left = n < 4095 ? n : 4095;
	const char *p = text;
	while (left && is_space(*p))
		p++, left--;
	if (!left)
		return -EINVAL;
	bool neg;
	uint64_t v, out;
	long used = get_number(p, left, &neg, &v);
	if (used < 0 || convert(c, neg, v, &out))
		return -EINVAL;
	p += used;
	left -= (size_t)used;
	if (c->store) {
		int err = c->store(out);
		if (err)
			return err;
	} else if (c->type == SYSCTL_INT) {
		*(int *)c->data = (int)(int64_t)out;
	} else if (c->type == SYSCTL_UINT) {
		*(unsigned *)c->data = (unsigned)out;
	} else {
		*(uint64_t *)c->data = out;
	}
	while (left && is_space(*p))
		p++, left--;
	return (long)(n - left); /* (what follows the number is not taken) */
}

/* ---- the sysctls ----------------------------------------------------------------- */

static const int cap_last_cap = CAP_LAST_CAP, ngroups_max = NGROUPS_MAX_LINUX;
const struct sysctl sysctl_cap_last_cap = {SYSCTL_INT, (void *)&cap_last_cap, 0, 0, -1, NULL, NULL};
const struct sysctl sysctl_ngroups_max = {SYSCTL_INT, (void *)&ngroups_max, 0, 0, -1, NULL, NULL};

/* kernel.pid_max: from RESERVED_PIDS + 1 to PID_MAX_LIMIT */
const struct sysctl sysctl_pid_max = {SYSCTL_INT, &proc_pid_max, 301, 4 << 20, -1, NULL, NULL};

/* kernel.tainted: nothing here taints the kernel; root (CAP_SYS_ADMIN)
 * may add flags (Linux's TAINT_FLAGS_COUNT of them), never take them away */
static uint64_t tainted;
static int taint(uint64_t v)
{
	tainted |= v & ((1ull << 19) - 1);
	return 0;
}
const struct sysctl sysctl_tainted = {SYSCTL_ULONG, &tainted, 0, -1, CAP_SYS_ADMIN, NULL, taint};

static uint64_t threads_max_load(void)
{
	return (uint64_t)proc_max_threads();
}
static int threads_max_store(uint64_t v)
{
	proc_set_max_threads((int)v);
	return 0;
}
const struct sysctl sysctl_threads_max = {SYSCTL_INT, NULL, 1, 0x3fffffff, -1, threads_max_load, threads_max_store};

/* fs.file-max: Linux's files_maxfiles_init reckons it from the memory (a
 * tenth of it in KiB, at least NR_FILE); file_open counts the open files
 * of the whole system against it (ENFILE) */
static uint64_t file_max;
static bool file_max_set;
uint64_t file_max_load(void)
{
	if (!file_max_set)
		file_max = pages_total() * 4 / 10 > 8192 ? pages_total() * 4 / 10 : 8192;
	return file_max;
}
static int file_max_store(uint64_t v)
{
	file_max = v;
	file_max_set = true;
	return 0;
}
const struct sysctl sysctl_file_max = {SYSCTL_ULONG, NULL, 0, INT64_MAX, -1, file_max_load, file_max_store};

/* fs.lease-break-time: the seconds a lease holder has (lease.c), any int */
extern int lease_break_time;
const struct sysctl sysctl_lease_break_time = {SYSCTL_INT, &lease_break_time, INT32_MIN, INT32_MAX, -1, NULL, NULL};

/* fs.nr_open: from BITS_PER_LONG to Linux's sysctl_nr_open_max */
const struct sysctl sysctl_nr_open = {SYSCTL_INT, &fs_nr_open, 64, 2147483584, -1, NULL, NULL};

/* fs.pipe-max-size: rounded as F_SETPIPE_SZ rounds (Linux's
 * round_pipe_size: a power of two pages, 0 for more than 2 GiB) */
static int pipe_max_store(uint64_t v)
{
	if (v > (1ull << 31))
		return -EINVAL;
	uint64_t size = 4096;
	while (size < v)
		size <<= 1;
	pipe_max_size = (unsigned)size;
	return 0;
}
const struct sysctl sysctl_pipe_max_size = {SYSCTL_UINT, &pipe_max_size, 0, UINT32_MAX, -1, NULL, pipe_max_store};

const struct sysctl sysctl_max_map_count = {SYSCTL_INT, &vm_max_map_count, 0, INT32_MAX, -1, NULL, NULL};

/* vm.overcommit_kbytes and overcommit_ratio: setting one clears the other
 * (the strict limit is the one set last) */
static int kbytes_store(uint64_t v)
{
	vm_overcommit_kbytes = v;
	vm_overcommit_ratio = 0;
	return 0;
}
static int ratio_store(uint64_t v)
{
	vm_overcommit_ratio = (int)(int64_t)v;
	vm_overcommit_kbytes = 0;
	return 0;
}
const struct sysctl sysctl_overcommit_kbytes = {SYSCTL_ULONG, &vm_overcommit_kbytes, 0, -1, -1, NULL, kbytes_store};
const struct sysctl sysctl_overcommit_memory = {SYSCTL_INT, &vm_overcommit_memory, 0, 2, -1, NULL, NULL};
const struct sysctl sysctl_overcommit_ratio = {.type = SYSCTL_INT,
					       .data = &vm_overcommit_ratio,
					       .min = INT32_MIN,
					       .max = INT32_MAX,
					       .cap = -1,
					       .store = ratio_store};
