/*
 * The server's log as Linux's kernel log ring: what the server prints
 * (to the kernel log, through printf) is kept here too, a line a record
 * "<6>[seconds.micros] text", for syslog(2) and so dmesg: a user sees
 * what the server said (a call not implemented, a process killed by a
 * signal it could not handle).  The kernel's own messages are not in it.
 */
#include "sys.h"

#define KLOG_SIZE     65536 /* bytes of records kept (the oldest go first) */
#define LOGLEVEL_INFO 6

static char ring[KLOG_SIZE];
static uint64_t head;      /* bytes ever written: the ring holds [head - KLOG_SIZE, head) */
static uint64_t read_pos;  /* SYSLOG_ACTION_READ's place (a destructive read) */
static uint64_t clear_pos; /* SYSLOG_ACTION_CLEAR's: READ_ALL shows what follows */
static char line[256];     /* the line printf is writing */
static size_t line_len;
static struct waitq readers;  /* SYSLOG_ACTION_READ waits for a record */
static int console_level = 7; /* (the server's log never goes to the console) */
static int saved_console_level = -1;

static void put(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ring[head++ % KLOG_SIZE] = s[i];
}

/* the oldest byte still kept at or after pos, at the start of a record */
static uint64_t kept(uint64_t pos)
{
	if (head - pos <= KLOG_SIZE)
		return pos;
	pos = head - KLOG_SIZE;
	while (pos < head && ring[(pos - 1) % KLOG_SIZE] != '\n')
		pos++;
	return pos;
}

static void commit(void)
{
	char pre[40];
	uint64_t ns = plat_now_ns();
	int n = snprintf(pre, sizeof pre, "<%d>[%5lu.%06lu] ", LOGLEVEL_INFO, ns / 1000000000, ns / 1000 % 1000000);
	put(pre, (size_t)n);
	put(line, line_len);
	put("\n", 1);
	line_len = 0;
	/* a reader waiting in SYSLOG_ACTION_READ makes its call again once
	 * the event in hand is over (a timer now): printf may be anywhere in
	 * a handler, where no other call may run */
	for (struct lthread *t = readers.head; t; t = t->wait.next)
		timer_add(t, 1);
}

void srv_log(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			commit();
		else if (line_len < sizeof line)
			line[line_len++] = s[i];
	}
}

/* copies the whole records of [from, head) that fit in len bytes, the
 * newest ones (READ_ALL) or the oldest (READ), to ubuf; the bytes or
 * -EFAULT; *end: where the copied ones end */
static long copy_records(struct proc *p, uint64_t from, uint64_t ubuf, uint64_t len, bool newest, uint64_t *end)
{
	from = kept(from);
	uint64_t to = head;
	if (newest) {
		while (to - from > len) { /* drop the oldest records until the rest fit */
			while (from < to && ring[from % KLOG_SIZE] != '\n')
				from++;
			from += from < to;
		}
	} else if (to - from > len) { /* as many whole records from the oldest as fit */
		uint64_t last = from;
		for (uint64_t i = from; i < from + len; i++)
			if (ring[i % KLOG_SIZE] == '\n')
				last = i + 1;
		to = last;
	}
	for (uint64_t i = from; i < to;) {
		uint64_t chunk = KLOG_SIZE - i % KLOG_SIZE < to - i ? KLOG_SIZE - i % KLOG_SIZE : to - i;
		if (copy_to_user(p, ubuf + (i - from), ring + i % KLOG_SIZE, chunk))
			return -EFAULT;
		i += chunk;
	}
	*end = to;
	return (long)(to - from);
}

/* syslog(type, buf, len): Linux's do_syslog for root */
long sys_syslog(struct lthread *t, const struct sysargs *a)
{
	int type = (int)a->a0, len = (int)a->a2;
	uint64_t end;
	long n;
	/* kernel.dmesg_restrict is 1 on Debian: the log is for CAP_SYSLOG (or
	 * CAP_SYS_ADMIN) alone, whatever is asked */
	if (!cred_capable(&t->proc->cred, CAP_SYSLOG) && !cred_capable(&t->proc->cred, CAP_SYS_ADMIN))
		return -EPERM;
	switch (type) {
	case 0: /* CLOSE */
	case 1: /* OPEN */ return 0;
	case 2: /* READ: waits for a record, takes what it reads */
	case 3: /* READ_ALL */
	case 4: /* READ_CLEAR */
		if (!a->a1 || len < 0)
			return -EINVAL;
		if (!len)
			return 0;
		if (!access_ok(a->a1, (uint64_t)len))
			return -EFAULT;
		if (type == 2 && kept(read_pos) == head) {
			waitq_add(&readers, t);
			return SYS_WAIT;
		}
		n = copy_records(t->proc, type == 2 ? read_pos : clear_pos, a->a1, (uint64_t)len, type != 2, &end);
		if (n >= 0 && type == 2)
			read_pos = end;
		if (n >= 0 && type == 4)
			clear_pos = head;
		return n;
	case 5: /* CLEAR */ clear_pos = head; return 0;
	case 6: /* CONSOLE_OFF */
		if (saved_console_level < 0)
			saved_console_level = console_level;
		console_level = 1;
		return 0;
	case 7: /* CONSOLE_ON */
		if (saved_console_level >= 0)
			console_level = saved_console_level;
		saved_console_level = -1;
		return 0;
	case 8: /* CONSOLE_LEVEL */
		if (len < 1 || len > 8)
			return -EINVAL;
		console_level = len;
		saved_console_level = -1;
		return 0;
	case 9: /* SIZE_UNREAD */ return (long)(head - kept(read_pos));
	case 10: /* SIZE_BUFFER */ return KLOG_SIZE;
	default: return -EINVAL;
	}
}
