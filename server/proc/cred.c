/* Credentials (cred.h): Linux's rules for ids, groups and capabilities. */
#include "cred.h"

#include "fmt.h"
#include "linux.h"
#include "mem.h"

void cred_init_root(struct cred *c)
{
	*c = (struct cred){0};
	c->cap_eff = c->cap_prm = c->cap_bnd = CAP_FULL_SET;
}

int cred_copy(struct cred *dst, const struct cred *src)
{
	*dst = *src;
	dst->groups = NULL;
	if (!src->ngroups)
		return 0;
	dst->groups = mem_zalloc(src->ngroups * sizeof(uint32_t));
	if (!dst->groups) {
		dst->ngroups = 0;
		return -ENOMEM;
	}
	memcpy(dst->groups, src->groups, src->ngroups * sizeof(uint32_t));
	return 0;
}

void cred_free(struct cred *c)
{
	mem_free(c->groups);
	c->groups = NULL;
	c->ngroups = 0;
}

bool cred_in_group(const struct cred *c, uint32_t gid)
{
	if (gid == c->fsgid)
		return true;
	uint32_t lo = 0, hi = c->ngroups; /* (sorted: a binary search, as groups_search) */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (c->groups[mid] == gid)
			return true;
		if (c->groups[mid] < gid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* ---- user ids ---------------------------------------------------------------- */

/* commoncap's cap_emulate_setxuid: leaving root takes the capabilities */
static void emulate_setxuid(struct cred *n, const struct cred *o)
{
	bool was_root = !o->ruid || !o->euid || !o->suid, is_root = !n->ruid || !n->euid || !n->suid;
	if (was_root && !is_root && !n->keepcaps)
		n->cap_prm = n->cap_eff = 0;
	if (!o->euid && n->euid)
		n->cap_eff = 0;
	if (o->euid && !n->euid)
		n->cap_eff = n->cap_prm;
}

static int commit_uids(struct cred *c, struct cred *n)
{
	n->fsuid = n->euid;
	emulate_setxuid(n, c);
	*c = *n;
	return 0;
}

int cred_setuid(struct cred *c, uint32_t uid)
{
	if (uid == ID_UNCHANGED)
		return -EINVAL;
	struct cred n = *c;
	if (cred_capable(c, CAP_SETUID))
		n.ruid = n.suid = uid;
	else if (uid != c->ruid && uid != c->suid)
		return -EPERM;
	n.euid = uid;
	return commit_uids(c, &n);
}

int cred_setreuid(struct cred *c, uint32_t ruid, uint32_t euid)
{
	bool priv = cred_capable(c, CAP_SETUID);
	struct cred n = *c;
	if (ruid != ID_UNCHANGED) {
		if (!priv && ruid != c->ruid && ruid != c->euid)
			return -EPERM;
		n.ruid = ruid;
	}
	if (euid != ID_UNCHANGED) {
		if (!priv && euid != c->ruid && euid != c->euid && euid != c->suid)
			return -EPERM;
		n.euid = euid;
	}
	if (ruid != ID_UNCHANGED || (euid != ID_UNCHANGED && euid != c->ruid))
		n.suid = n.euid;
	return commit_uids(c, &n);
}

/* an unprivileged caller may take only ids it has */
static bool one_of(uint32_t id, uint32_t a, uint32_t b, uint32_t c)
{
	return id == ID_UNCHANGED || id == a || id == b || id == c;
}

int cred_setresuid(struct cred *c, uint32_t ruid, uint32_t euid, uint32_t suid)
{
	if (!cred_capable(c, CAP_SETUID) &&
	    !(one_of(ruid, c->ruid, c->euid, c->suid) && one_of(euid, c->ruid, c->euid, c->suid) &&
	      one_of(suid, c->ruid, c->euid, c->suid)))
		return -EPERM;
	struct cred n = *c;
	if (ruid != ID_UNCHANGED)
		n.ruid = ruid;
	if (euid != ID_UNCHANGED)
		n.euid = euid;
	if (suid != ID_UNCHANGED)
		n.suid = suid;
	return commit_uids(c, &n);
}

uint32_t cred_setfsuid(struct cred *c, uint32_t fsuid)
{
	uint32_t old = c->fsuid;
	if (fsuid == ID_UNCHANGED || fsuid == old)
		return old;
	if (fsuid != c->ruid && fsuid != c->euid && fsuid != c->suid && !cred_capable(c, CAP_SETUID))
		return old;
	c->fsuid = fsuid;
	if (!old) /* (leaving root's file-system id takes its file capabilities) */
		c->cap_eff &= ~CAP_FS_MASK;
	else if (!fsuid)
		c->cap_eff |= c->cap_prm & CAP_FS_MASK;
	return old;
}

/* ---- group ids --------------------------------------------------------------- */

int cred_setgid(struct cred *c, uint32_t gid)
{
	if (gid == ID_UNCHANGED)
		return -EINVAL;
	if (cred_capable(c, CAP_SETGID))
		c->rgid = c->sgid = gid;
	else if (gid != c->rgid && gid != c->sgid)
		return -EPERM;
	c->egid = c->fsgid = gid;
	return 0;
}

int cred_setregid(struct cred *c, uint32_t rgid, uint32_t egid)
{
	bool priv = cred_capable(c, CAP_SETGID);
	if (rgid != ID_UNCHANGED && !priv && rgid != c->rgid && rgid != c->egid)
		return -EPERM;
	if (egid != ID_UNCHANGED && !priv && egid != c->rgid && egid != c->egid && egid != c->sgid)
		return -EPERM;
	uint32_t old_rgid = c->rgid;
	if (rgid != ID_UNCHANGED)
		c->rgid = rgid;
	if (egid != ID_UNCHANGED)
		c->egid = egid;
	if (rgid != ID_UNCHANGED || (egid != ID_UNCHANGED && egid != old_rgid))
		c->sgid = c->egid;
	c->fsgid = c->egid;
	return 0;
}

int cred_setresgid(struct cred *c, uint32_t rgid, uint32_t egid, uint32_t sgid)
{
	if (!cred_capable(c, CAP_SETGID) &&
	    !(one_of(rgid, c->rgid, c->egid, c->sgid) && one_of(egid, c->rgid, c->egid, c->sgid) &&
	      one_of(sgid, c->rgid, c->egid, c->sgid)))
		return -EPERM;
	if (rgid != ID_UNCHANGED)
		c->rgid = rgid;
	if (egid != ID_UNCHANGED)
		c->egid = egid;
	if (sgid != ID_UNCHANGED)
		c->sgid = sgid;
	c->fsgid = c->egid;
	return 0;
}

uint32_t cred_setfsgid(struct cred *c, uint32_t fsgid)
{
	uint32_t old = c->fsgid;
	if (fsgid == ID_UNCHANGED)
		return old;
	if (fsgid == c->rgid || fsgid == c->egid || fsgid == c->sgid || fsgid == c->fsgid ||
	    cred_capable(c, CAP_SETGID))
		c->fsgid = fsgid;
	return old;
}

/* ---- groups and capabilities -------------------------------------------------- */

int cred_setgroups(struct cred *c, const uint32_t *list, uint32_t n)
{
	if (!cred_capable(c, CAP_SETGID))
		return -EPERM;
	if (n > NGROUPS_MAX_LINUX)
		return -EINVAL;
	if (n > CRED_GROUPS_MAX)
		return -ENOMEM;
	uint32_t *g = NULL;
	if (n) {
		g = mem_zalloc(n * sizeof(uint32_t));
		if (!g)
			return -ENOMEM;
		memcpy(g, list, n * sizeof(uint32_t));
		for (uint32_t i = 1; i < n; i++) /* (sorted, as groups_sort) */
			for (uint32_t j = i; j > 0 && g[j - 1] > g[j]; j--) {
				uint32_t x = g[j];
				g[j] = g[j - 1];
				g[j - 1] = x;
			}
	}
	mem_free(c->groups);
	c->groups = g;
	c->ngroups = n;
	return 0;
}

int cred_capset(struct cred *c, uint64_t eff, uint64_t prm, uint64_t inh)
{
	bool setpcap = cred_capable(c, CAP_SETPCAP);
	if (!setpcap && (inh & ~(c->cap_inh | c->cap_prm)))
		return -EPERM;
	if (inh & ~(c->cap_inh | c->cap_bnd))
		return -EPERM;
	if (prm & ~c->cap_prm)
		return -EPERM;
	if (eff & ~prm)
		return -EPERM;
	c->cap_eff = eff;
	c->cap_prm = prm;
	c->cap_inh = inh;
	return 0;
}

bool cred_exec(struct cred *c, uint32_t file_uid, uint32_t file_gid, bool nnp)
{
	const struct cred old = *c;
	if (nnp) /* (bprm_fill_uid: the set-id bits are not even looked at) */
		file_uid = file_gid = ID_UNCHANGED;
	if (file_uid != ID_UNCHANGED)
		c->euid = file_uid;
	if (file_gid != ID_UNCHANGED)
		c->egid = file_gid;
	/* commoncap's cap_bprm_creds_from_file with no file capabilities:
	 * root (real or, after the set-user-ID bit, effective) gets its
	 * bounding set and inheritable ones, effective if the effective uid
	 * is root; anyone else none */
	if (!c->euid || !c->ruid)
		c->cap_prm = (c->cap_bnd | c->cap_inh) & CAP_FULL_SET;
	else
		c->cap_prm = 0;
	bool effective = !c->euid;
	bool setid = c->euid != old.ruid || c->egid != old.rgid;
	bool gained = c->cap_prm & ~old.cap_prm;
	if (gained && nnp)
		c->cap_prm &= old.cap_prm; /* no new privileges: nothing is gained */
	c->cap_eff = effective ? c->cap_prm : 0;
	c->keepcaps = false;
	c->suid = c->fsuid = c->euid;
	c->sgid = c->fsgid = c->egid;
	return setid || (c->ruid && effective);
}

bool cred_changes_identity(const struct cred *old, const struct cred *n)
{
	return n->euid != old->euid || n->egid != old->egid || n->fsuid != old->fsuid || n->fsgid != old->fsgid ||
	       (n->cap_prm & ~old->cap_prm);
}

bool cred_may_signal(const struct cred *from, const struct cred *to)
{
	if (from->euid == to->suid || from->euid == to->ruid || from->ruid == to->suid || from->ruid == to->ruid)
		return true;
	return cred_capable(from, CAP_KILL);
}
