/* Permissions on files (perm.h): Linux's rules. */
#include "perm.h"

#include "linux.h"

static bool is_dir(uint32_t mode) { return (mode & S_IFMT_L) == S_IFDIR_L; }

int perm_check(const struct cred *c, const struct owner *o, int want)
{
	want &= MAY_READ | MAY_WRITE | MAY_EXEC;
	uint32_t bits = o->mode; /* the others' class */
	if (c->fsuid == o->uid)
		bits >>= 6;
	else if (cred_in_group(c, o->gid))
		bits >>= 3;
	if ((want & ~(int)(bits & 7)) == 0)
		return 0;
	if (is_dir(o->mode)) {
		if (!(want & MAY_WRITE) && cred_capable(c, CAP_DAC_READ_SEARCH))
			return 0;
		return cred_capable(c, CAP_DAC_OVERRIDE) ? 0 : -EACCES;
	}
	if (want == MAY_READ && cred_capable(c, CAP_DAC_READ_SEARCH))
		return 0;
	if ((!(want & MAY_EXEC) || (o->mode & 0111)) && cred_capable(c, CAP_DAC_OVERRIDE))
		return 0;
	return -EACCES;
}

bool perm_owner(const struct cred *c, const struct owner *o)
{
	return c->fsuid == o->uid || cred_capable(c, CAP_FOWNER);
}

bool perm_sticky(const struct cred *c, const struct owner *d, const struct owner *f)
{
	if (!(d->mode & S_ISVTX_L))
		return false;
	return c->fsuid != f->uid && c->fsuid != d->uid && !cred_capable(c, CAP_FOWNER);
}

struct owner perm_new_owner(const struct cred *c, const struct owner *d, uint32_t mode)
{
	struct owner o = {c->fsuid, c->fsgid, mode};
	if (!d || !(d->mode & S_ISGID_L))
		return o;
	o.gid = d->gid;
	if (is_dir(mode))
		o.mode |= S_ISGID_L;
	else if ((mode & (S_ISGID_L | 0010)) == (S_ISGID_L | 0010) && !cred_in_group(c, d->gid) &&
		 !cred_capable(c, CAP_FSETID))
		o.mode &= ~(uint32_t)S_ISGID_L;
	return o;
}

int perm_chown(const struct cred *c, const struct owner *o, uint32_t uid, uint32_t gid)
{
	if (cred_capable(c, CAP_CHOWN))
		return 0;
	/* chown_ok: only to the owner it has, by its owner */
	if (uid != ID_UNCHANGED && (c->fsuid != o->uid || uid != o->uid))
		return -EPERM;
	/* chgrp_ok: by the owner, to the group it has or one of the caller's */
	if (gid != ID_UNCHANGED && (c->fsuid != o->uid || (gid != o->gid && !cred_in_group(c, gid))))
		return -EPERM;
	return 0;
}

int perm_chmod(const struct cred *c, const struct owner *o, uint32_t *mode)
{
	if (!perm_owner(c, o))
		return -EPERM;
	if ((*mode & S_ISGID_L) && !cred_in_group(c, o->gid) && !cred_capable(c, CAP_FSETID))
		*mode &= ~(uint32_t)S_ISGID_L;
	return 0;
}

uint32_t perm_kill_suid(const struct cred *c, const struct owner *o)
{
	uint32_t kill = o->mode & S_ISUID_L;
	if ((o->mode & (S_ISGID_L | 0010)) == (S_ISGID_L | 0010))
		kill |= S_ISGID_L;
	return kill && !cred_capable(c, CAP_FSETID) ? kill : 0;
}

void perm_access_cred(struct cred *dst, const struct cred *src)
{
	*dst = *src;
	dst->fsuid = src->ruid;
	dst->fsgid = src->rgid;
	dst->cap_eff = src->ruid ? 0 : src->cap_prm;
}
