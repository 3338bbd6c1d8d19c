/*
 * What a process is allowed: its user and group ids and capabilities.
 * Every process runs as root today (uid and gid 0 in all their forms, no
 * supplementary groups, every capability); these calls report that.
 * Changing them (setuid and its relatives, setgroups, capset) belongs to
 * the users issue and stays ENOSYS until then.
 */
#include "sys.h"

/* getresuid and getresgid: the real, effective and saved ids */
static long put_ids(struct proc *p, const struct sysargs *a)
{
	uint32_t zero = 0;
	if (copy_to_user(p, a->a0, &zero, 4) || copy_to_user(p, a->a1, &zero, 4) || copy_to_user(p, a->a2, &zero, 4))
		return -EFAULT;
	return 0;
}

long sys_getresuid(struct lthread *t, const struct sysargs *a)
{
	return put_ids(t->proc, a);
}
long sys_getresgid(struct lthread *t, const struct sysargs *a)
{
	return put_ids(t->proc, a);
}

#define CAP_VERSION_1 0x19980330 /* one 32-bit word per set */
#define CAP_VERSION_2 0x20071026 /* (deprecated) two */
#define CAP_VERSION_3 0x20080522 /* two */
#define CAP_LAST_CAP  40         /* Linux 6.1's: CAP_CHECKPOINT_RESTORE */

/* capget(header, data): root's sets (effective and permitted: all of
 * them, inheritable: none), of the process header->pid names (0: the
 * caller); an unknown version gets the one the kernel prefers written
 * back and EINVAL (0 when data is NULL: the caller only asked) */
long sys_capget(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	uint32_t hdr[2];
	if (copy_from_user(p, hdr, a->a0, 4))
		return -EFAULT;
	unsigned words;
	if (hdr[0] == CAP_VERSION_1) {
		words = 1;
	} else if (hdr[0] == CAP_VERSION_2 || hdr[0] == CAP_VERSION_3) {
		words = 2;
	} else {
		uint32_t v = CAP_VERSION_3;
		if (copy_to_user(p, a->a0, &v, 4))
			return -EFAULT;
		return a->a1 ? -EINVAL : 0;
	}
	if (!a->a1)
		return 0;
	if (copy_from_user(p, hdr, a->a0, 8))
		return -EFAULT;
	if ((int)hdr[1] < 0)
		return -EINVAL;
	if (hdr[1] && !proc_by_pid((int)hdr[1]))
		return -ESRCH;
	uint64_t all = (2ull << CAP_LAST_CAP) - 1;
	uint32_t data[2][3] = {{(uint32_t)all, (uint32_t)all, 0}, {(uint32_t)(all >> 32), (uint32_t)(all >> 32), 0}};
	return copy_to_user(p, a->a1, data, words * sizeof data[0]);
}

#define PR_GET_KEEPCAPS_L   7
#define PR_CAPBSET_READ_L   23
#define PR_GET_SECUREBITS_L 27
#define PR_CAP_AMBIENT_L    47
#define AMBIENT_IS_SET      1
#define AMBIENT_RAISE       2
#define AMBIENT_LOWER       3
#define AMBIENT_CLEAR_ALL   4

bool cred_prctl(uint64_t option)
{
	return option == PR_GET_KEEPCAPS_L || option == PR_CAPBSET_READ_L || option == PR_GET_SECUREBITS_L ||
	       option == PR_CAP_AMBIENT_L;
}

/* what root has: every capability in its bounding set, no securebits or
 * keep-caps, no ambient capabilities (none can be raised: its inheritable
 * set is empty, EPERM; lowering or clearing them changes nothing) */
long cred_prctl_call(const struct sysargs *a)
{
	bool valid = a->a1 <= CAP_LAST_CAP;
	switch (a->a0) {
	case PR_GET_KEEPCAPS_L:
	case PR_GET_SECUREBITS_L: return 0;
	case PR_CAPBSET_READ_L: return valid ? 1 : -EINVAL;
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
