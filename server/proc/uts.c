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

#define PER_LINUX32       0x0008
#define PER_MASK          0x00ff
#define UNAME26           0x0020000
#define READ_IMPLIES_EXEC 0x0400000

/* personality(persona): the execution domain and its flags, kept across
 * fork and exec (which drops READ_IMPLIES_EXEC for a 64-bit program);
 * 0xffffffff only asks.  What lx4 does with it: uname says i686 to
 * PER_LINUX32 and 2.6.(60 + the minor version) to UNAME26, as Linux; the
 * other flags (ADDR_NO_RANDOMIZE: lx4 does not randomize) change nothing */
long sys_personality(struct lthread *t, const struct sysargs *a)
{
	uint32_t old = t->proc->traits.personality;
	if ((uint32_t)a->a0 != 0xffffffffu)
		t->proc->traits.personality = (uint32_t)a->a0;
	return old;
}

void uts_exec(struct proc *p)
{
	p->traits.personality &= ~(uint32_t)READ_IMPLIES_EXEC;
}

/* the release UNAME26 shows: "2.6." and 60 + the minor version, then
 * what follows the version in the release (Linux's override_release) */
static void uname26(char *buf, size_t size)
{
	const char *rest = UTS_RELEASE, *minor = NULL;
	unsigned v = 0;
	int dots = 0;
	for (; *rest; rest++) {
		if (*rest == '.' && ++dots >= 3)
			break;
		if ((*rest < '0' || *rest > '9') && *rest != '.')
			break;
		if (*rest == '.' && dots == 1)
			minor = rest + 1;
	}
	for (; minor && *minor >= '0' && *minor <= '9'; minor++)
		v = v * 10 + (unsigned)(*minor - '0');
	snprintf(buf, size, "2.6.%u%s", v + 60, rest);
}

long sys_uname(struct lthread *t, const struct sysargs *a)
{
	struct new_utsname u;
	uint32_t pers = t->proc->traits.personality;
	memset(&u, 0, sizeof u);
	strcpy_bounded(u.sysname, "Linux", sizeof u.sysname);
	strcpy_bounded(u.nodename, names[UTS_HOSTNAME], sizeof u.nodename);
	if (pers & UNAME26)
		uname26(u.release, sizeof u.release);
	else
		strcpy_bounded(u.release, UTS_RELEASE, sizeof u.release);
	strcpy_bounded(u.version, UTS_VERSION, sizeof u.version);
	strcpy_bounded(u.machine, (pers & PER_MASK) == PER_LINUX32 ? "i686" : "x86_64", sizeof u.machine);
	strcpy_bounded(u.domainname, names[UTS_DOMAINNAME], sizeof u.domainname);
	return copy_to_user(t->proc, a->a0, &u, sizeof u);
}

/* sethostname and setdomainname (CAP_SYS_ADMIN): len is an int of at most UTS_LEN; the
 * bytes are taken as they are (a NUL among them ends the name early) */
static long set_name(struct proc *p, enum uts_name which, uint64_t uname, uint64_t ulen)
{
	int len = (int)ulen;
	char tmp[UTS_LEN];
	if (!cred_capable(&p->cred, CAP_SYS_ADMIN))
		return -EPERM; /* (before anything else) */
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
