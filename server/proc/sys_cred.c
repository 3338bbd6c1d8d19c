/*
 * What a process is allowed: the system calls of its user and group ids,
 * supplementary groups and capabilities (the rules are cred.c's).
 */
#include "sys.h"

#include "cred.h"

static struct cred *cred_of(struct lthread *t) { return &t->proc->cred; }

long sys_getuid(struct lthread *t, const struct sysargs *a)
{
	(void)a;
	return cred_of(t)->ruid;
}
long sys_geteuid(struct lthread *t, const struct sysargs *a)
{
	(void)a;
	return cred_of(t)->euid;
}
long sys_getgid(struct lthread *t, const struct sysargs *a)
{
	(void)a;
	return cred_of(t)->rgid;
}
long sys_getegid(struct lthread *t, const struct sysargs *a)
{
	(void)a;
	return cred_of(t)->egid;
}

/* getresuid and getresgid: the real, effective and saved ids */
static long put_ids(struct proc *p, const struct sysargs *a, uint32_t r, uint32_t e, uint32_t s)
{
	if (copy_to_user(p, a->a0, &r, 4) || copy_to_user(p, a->a1, &e, 4) || copy_to_user(p, a->a2, &s, 4))
		return -EFAULT;
	return 0;
}

long sys_getresuid(struct lthread *t, const struct sysargs *a)
{
	struct cred *c = cred_of(t);
	return put_ids(t->proc, a, c->ruid, c->euid, c->suid);
}
long sys_getresgid(struct lthread *t, const struct sysargs *a)
{
	struct cred *c = cred_of(t);
	return put_ids(t->proc, a, c->rgid, c->egid, c->sgid);
}

/* Linux's commit_creds: a process whose effective or file-system ids
 * changed (or which gained capabilities) is no longer dumpable, whatever
 * the call returns (setfsuid returns the old id) */
static long commit(struct lthread *t, const struct cred *old, long r)
{
	if (cred_changes_identity(old, cred_of(t)))
		t->proc->undumpable = true;
	return r;
}

/* (ids are 32 bits: the upper half of the register is ignored) */
#define ID(x) ((uint32_t)(x))

long sys_setuid(struct lthread *t, const struct sysargs *a)
{
	struct cred old = *cred_of(t);
	return commit(t, &old, cred_setuid(cred_of(t), ID(a->a0)));
}
long sys_setgid(struct lthread *t, const struct sysargs *a)
{
	struct cred old = *cred_of(t);
	return commit(t, &old, cred_setgid(cred_of(t), ID(a->a0)));
}
long sys_setreuid(struct lthread *t, const struct sysargs *a)
{
	struct cred old = *cred_of(t);
	return commit(t, &old, cred_setreuid(cred_of(t), ID(a->a0), ID(a->a1)));
}
long sys_setregid(struct lthread *t, const struct sysargs *a)
{
	struct cred old = *cred_of(t);
	return commit(t, &old, cred_setregid(cred_of(t), ID(a->a0), ID(a->a1)));
}
long sys_setresuid(struct lthread *t, const struct sysargs *a)
{
	struct cred old = *cred_of(t);
	return commit(t, &old, cred_setresuid(cred_of(t), ID(a->a0), ID(a->a1), ID(a->a2)));
}
long sys_setresgid(struct lthread *t, const struct sysargs *a)
{
	struct cred old = *cred_of(t);
	return commit(t, &old, cred_setresgid(cred_of(t), ID(a->a0), ID(a->a1), ID(a->a2)));
}
long sys_setfsuid(struct lthread *t, const struct sysargs *a)
{
	struct cred old = *cred_of(t);
	return commit(t, &old, cred_setfsuid(cred_of(t), ID(a->a0)));
}
long sys_setfsgid(struct lthread *t, const struct sysargs *a)
{
	struct cred old = *cred_of(t);
	return commit(t, &old, cred_setfsgid(cred_of(t), ID(a->a0)));
}

/* getgroups(size, list): the count with size 0; EINVAL if they do not fit */
long sys_getgroups(struct lthread *t, const struct sysargs *a)
{
	struct cred *c = cred_of(t);
	int size = (int)a->a0;
	if (size < 0)
		return -EINVAL;
	if (!size)
		return c->ngroups;
	if ((uint32_t)size < c->ngroups)
		return -EINVAL;
	if (c->ngroups && copy_to_user(t->proc, a->a1, c->groups, c->ngroups * 4))
		return -EFAULT;
	return c->ngroups;
}

/* setgroups(size, list): EPERM before EINVAL before EFAULT, as Linux */
long sys_setgroups(struct lthread *t, const struct sysargs *a)
{
	struct cred *c = cred_of(t);
	int size = (int)a->a0;
	if (!cred_capable(c, CAP_SETGID))
		return -EPERM;
	if (size < 0 || size > NGROUPS_MAX_LINUX)
		return -EINVAL;
	if (size > CRED_GROUPS_MAX)
		return -ENOMEM;
	uint32_t list[CRED_GROUPS_MAX];
	if (size && copy_from_user(t->proc, list, a->a1, (uint64_t)size * 4))
		return -EFAULT;
	return cred_setgroups(c, list, (uint32_t)size);
}

#define CAP_VERSION_1 0x19980330 /* one 32-bit word per set */
#define CAP_VERSION_2 0x20071026 /* (deprecated) two */
#define CAP_VERSION_3 0x20080522 /* two */

/* the capability header: its version's words (1 or 2), or an unknown
 * version: the kernel's preferred one written back, -EINVAL (0 when data
 * is NULL: the caller only asked) */
static long cap_header(struct lthread *t, const struct sysargs *a, unsigned *words, int *pid)
{
	struct proc *p = t->proc;
	uint32_t hdr[2];
	if (copy_from_user(p, hdr, a->a0, 4))
		return -EFAULT;
	if (hdr[0] == CAP_VERSION_1) {
		*words = 1;
	} else if (hdr[0] == CAP_VERSION_2 || hdr[0] == CAP_VERSION_3) {
		*words = 2;
	} else {
		uint32_t v = CAP_VERSION_3;
		if (copy_to_user(p, a->a0, &v, 4))
			return -EFAULT;
		return a->a1 ? -EINVAL : 1;
	}
	if (copy_from_user(p, hdr, a->a0, 8))
		return -EFAULT;
	*pid = (int)hdr[1];
	return 0;
}

/* capget(header, data): the sets of the process header->pid names (0:
 * the caller) */
long sys_capget(struct lthread *t, const struct sysargs *a)
{
	unsigned words;
	int pid;
	long err = cap_header(t, a, &words, &pid);
	if (err)
		return err < 0 ? err : 0;
	if (!a->a1)
		return 0;
	if (pid < 0)
		return -EINVAL;
	struct proc *q = pid ? proc_by_id(pid) : t->proc;
	if (!q)
		return -ESRCH;
	const struct cred *c = &q->cred;
	uint32_t data[2][3] = {{(uint32_t)c->cap_eff, (uint32_t)c->cap_prm, (uint32_t)c->cap_inh},
			       {(uint32_t)(c->cap_eff >> 32), (uint32_t)(c->cap_prm >> 32), (uint32_t)(c->cap_inh >> 32)}};
	return copy_to_user(t->proc, a->a1, data, words * sizeof data[0]);
}

/* capset(header, data): one's own sets only (another pid: EPERM) */
long sys_capset(struct lthread *t, const struct sysargs *a)
{
	unsigned words;
	int pid;
	long err = cap_header(t, a, &words, &pid);
	if (err)
		return err < 0 ? err : -EINVAL;
	if (pid && pid != t->proc->pid)
		return -EPERM;
	uint32_t data[2][3] = {{0}};
	if (copy_from_user(t->proc, data, a->a1, words * sizeof data[0]))
		return -EFAULT;
	uint64_t v[3];
	for (int i = 0; i < 3; i++)
		v[i] = (data[0][i] | (uint64_t)data[1][i] << 32) & CAP_FULL_SET;
	return cred_capset(cred_of(t), v[0], v[1], v[2]);
}

#define PR_GET_KEEPCAPS_L   7
#define PR_SET_KEEPCAPS_L   8
#define PR_CAPBSET_READ_L   23
#define PR_GET_SECUREBITS_L 27
#define PR_CAP_AMBIENT_L    47
#define AMBIENT_IS_SET      1
#define AMBIENT_RAISE       2
#define AMBIENT_LOWER       3
#define AMBIENT_CLEAR_ALL   4

bool cred_prctl(uint64_t option)
{
	return option == PR_GET_KEEPCAPS_L || option == PR_SET_KEEPCAPS_L || option == PR_CAPBSET_READ_L || option == PR_GET_SECUREBITS_L ||
	       option == PR_CAP_AMBIENT_L;
}

/* the capability options of prctl: keep-caps (set and read), the
 * bounding set (read), no securebits, no ambient capabilities (none can be
 * raised: the inheritable set holds none that could be; lowering or
 * clearing them changes nothing) */
long cred_prctl_call(struct lthread *t, const struct sysargs *a)
{
	struct cred *c = cred_of(t);
	bool valid = a->a1 <= CAP_LAST_CAP;
	switch (a->a0) {
	case PR_GET_KEEPCAPS_L: return c->keepcaps;
	case PR_SET_KEEPCAPS_L:
		if (a->a1 > 1)
			return -EINVAL;
		c->keepcaps = a->a1;
		return 0;
	case PR_GET_SECUREBITS_L: return c->keepcaps ? 1 << 4 : 0; /* SECBIT_KEEP_CAPS */
	case PR_CAPBSET_READ_L: return valid ? (int)((c->cap_bnd >> a->a1) & 1) : -EINVAL;
	default: /* PR_CAP_AMBIENT */
		if (a->a1 == AMBIENT_CLEAR_ALL)
			return a->a2 | a->a3 | a->a4 ? -EINVAL : 0;
		if (a->a2 > CAP_LAST_CAP || a->a3 || a->a4)
			return -EINVAL;
		if (a->a1 == AMBIENT_IS_SET || a->a1 == AMBIENT_LOWER)
			return 0;
		return a->a1 == AMBIENT_RAISE ? -EPERM : -EINVAL;
	}
}
