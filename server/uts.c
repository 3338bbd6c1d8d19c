/* The system's names (uts.h) and the calls that show and change them. */
#include "uts.h"

#include "sys.h"

static char names[2][UTS_LEN + 1] = {"(none)", "(none)"};

const char *uts_get(enum uts_name which)
{
	return names[which];
}

void uts_sysctl_write(enum uts_name which, const char *buf, size_t n, uint64_t *pos)
{
	char *data = names[which];
	size_t len = strlen(data);
	if (*pos <= len) { /* (beyond the end: nothing, and the whole count is taken) */
		len = (size_t)*pos;
		for (size_t i = 0; i < n && len < UTS_LEN && buf[i] && buf[i] != '\n'; i++)
			data[len++] = buf[i];
		data[len] = 0;
	}
	*pos += n;
}

static void strcpy_bounded(char *d, const char *s, size_t n)
{
	size_t l = strlen(s);
	memcpy(d, s, l < n ? l + 1 : n);
}

long sys_uname(struct lthread *t, const struct sysargs *a)
{
	struct new_utsname u;
	memset(&u, 0, sizeof u);
	strcpy_bounded(u.sysname, "Linux", sizeof u.sysname);
	strcpy_bounded(u.nodename, names[UTS_HOSTNAME], sizeof u.nodename);
	strcpy_bounded(u.release, UTS_RELEASE, sizeof u.release);
	strcpy_bounded(u.version, UTS_VERSION, sizeof u.version);
	strcpy_bounded(u.machine, "x86_64", sizeof u.machine);
	strcpy_bounded(u.domainname, names[UTS_DOMAINNAME], sizeof u.domainname);
	return copy_to_user(t->proc, a->a0, &u, sizeof u);
}

/* sethostname and setdomainname: len is an int of at most UTS_LEN; the
 * bytes are taken as they are (a NUL among them ends the name early) */
static long set_name(struct proc *p, enum uts_name which, uint64_t uname, uint64_t ulen)
{
	int len = (int)ulen;
	char tmp[UTS_LEN];
	if (len < 0 || len > UTS_LEN)
		return -EINVAL;
	if (copy_from_user(p, tmp, uname, (size_t)len))
		return -EFAULT;
	memcpy(names[which], tmp, (size_t)len);
	memset(names[which] + len, 0, sizeof names[which] - (size_t)len);
	return 0;
}

long sys_sethostname(struct lthread *t, const struct sysargs *a)
{
	return set_name(t->proc, UTS_HOSTNAME, a->a0, a->a1);
}
long sys_setdomainname(struct lthread *t, const struct sysargs *a)
{
	return set_name(t->proc, UTS_DOMAINNAME, a->a0, a->a1);
}
