/*
 * Mounts: tmpfs (and ramfs) file systems mounted on any directory with
 * mount(2), taken away with umount2(2), as root only (CAP_SYS_ADMIN).
 *
 * A mounted file system is a directory vnode of its own device number
 * whose files are made in it as in the root file system (vfs.c); the
 * directory it is mounted on points to it (vnode.mounted) and path walks
 * cross there, its root points back (vnode.covered) for "..", getcwd and
 * /proc/mounts.  What a mount changes: MS_RDONLY (writes are EROFS),
 * MS_NOSUID (set-id bits do nothing), MS_NODEV (devices cannot be opened),
 * MS_NOEXEC (nothing is executed), the atime policy, and tmpfs's size=
 * (ENOSPC beyond it), mode=, uid= and gid= of the root.  MS_REMOUNT
 * changes the flags and options of a mount.  Bind mounts, moves and
 * propagation types are not here (EINVAL, logged once).
 */
#include "sys.h"

#define MS_REMOUNT     32
#define MS_MANDLOCK    64
#define MS_NOSYMFOLLOW 256
#define MS_BIND        4096
#define MS_MOVE        8192
#define MS_REC         16384
#define MS_SILENT      32768
#define MS_UNBINDABLE  (1 << 17)
#define MS_PRIVATE     (1 << 18)
#define MS_SLAVE       (1 << 19)
#define MS_SHARED      (1 << 20)
#define MS_LAZYTIME    (1 << 25)
#define MS_MGC_MSK     0xffff0000u
#define MS_MGC_VAL     0xc0ed0000u

#define MNT_FORCE       1
#define MNT_DETACH      2
#define MNT_EXPIRE      4
#define UMOUNT_NOFOLLOW 8

/* the flags a mount keeps (the rest are actions) */
#define MNT_KEPT                                                                                                    \
	(MS_RDONLY_L | MS_NOSUID_L | MS_NODEV_L | MS_NOEXEC_L | MS_NOATIME_L | MS_NODIRATIME_L | MS_RELATIME_L |           \
	 MS_STRICTATIME_L | MS_NOSYMFOLLOW)

/* the flags kept, with relatime unless noatime or strictatime (Linux's
 * default for a mount) */
static unsigned atime_policy(unsigned flags)
{
	flags &= MNT_KEPT;
	return flags & (MS_NOATIME_L | MS_STRICTATIME_L) ? flags & ~(unsigned)MS_RELATIME_L : flags | MS_RELATIME_L;
}

struct mount {
	struct mount *next;
	struct vnode *root;    /* the mounted file system's root directory */
	struct vnode *covered; /* the directory it is mounted on */
	unsigned flags;        /* MS_* it keeps (MNT_KEPT) */
	bool tmpfs;            /* (else ramfs: no size) */
	bool expiring;         /* MNT_EXPIRE asked once */
	uint64_t max_pages;    /* tmpfs's size= (0: no limit) */
	bool size_given;       /* (shown in /proc/mounts when not the default) */
	uint64_t pages;        /* the data pages its files hold */
	uint64_t max_inodes;   /* tmpfs's nr_inodes= (0: no limit) */
	uint64_t inodes;       /* its files and their extra names (shmem_reserve_inode) */
	uint64_t refs;         /* references to its vnodes (vnode.refs) */
	char source[64];       /* mount's first argument, as /proc/mounts shows it */
	uint32_t mode, uid, gid; /* the options the root was made with */
};

static struct mount *mounts;
static uint32_t next_dev = MOUNT_DEV_FIRST; /* (after the root's and /proc's) */

static struct mount *mount_by_dev(uint32_t dev)
{
	for (struct mount *m = mounts; m; m = m->next)
		if (m->root->dev == dev)
			return m;
	return NULL;
}

unsigned mount_flags(const struct vnode *vn)
{
	struct mount *m = mounts ? mount_by_dev(vn->dev) : NULL;
	return m ? m->flags : 0;
}

bool mount_charge(uint32_t dev, int64_t n)
{
	struct mount *m = mounts ? mount_by_dev(dev) : NULL;
	if (!m)
		return true;
	if (n > 0 && m->tmpfs && m->max_pages && m->pages + (uint64_t)n > m->max_pages)
		return false;
	m->pages += (uint64_t)n;
	return true;
}

bool mount_tmpfs(uint32_t dev)
{
	struct mount *m = mounts ? mount_by_dev(dev) : NULL;
	return m ? m->tmpfs : dev == 1;
}

uint64_t mount_room(uint32_t dev)
{
	struct mount *m = mounts ? mount_by_dev(dev) : NULL;
	return m && m->tmpfs && m->max_pages ? m->max_pages - m->pages : UINT64_MAX;
}

int vfs_inode_room(const struct vnode *dir)
{
	struct mount *m = mounts ? mount_by_dev(dir->dev) : NULL;
	return m && m->tmpfs && m->max_inodes && m->inodes >= m->max_inodes ? -ENOSPC : 0;
}

bool mount_inode(uint32_t dev, int n)
{
	struct mount *m = mounts ? mount_by_dev(dev) : NULL;
	if (!m) /* (the root's, /proc's, or an unmounted one's) */
		return true;
	if (n > 0 && m->tmpfs && m->max_inodes && m->inodes >= m->max_inodes)
		return false;
	m->inodes += (uint64_t)(int64_t)n;
	return true;
}

void mount_ref(uint32_t dev, int n)
{
	struct mount *m = mount_by_dev(dev);
	if (m) /* (an unmounted file system's files live on unnamed) */
		m->refs += (uint64_t)(int64_t)n;
}

bool mount_statfs(const struct vnode *vn, uint64_t *blocks, uint64_t *free, uint64_t *files, uint64_t *ffree)
{
	struct mount *m = mounts ? mount_by_dev(vn->dev) : NULL;
	if (!m)
		return false;
	*blocks = m->tmpfs ? m->max_pages : 0;
	*free = m->tmpfs && m->max_pages ? m->max_pages - m->pages : 0;
	*files = m->tmpfs ? m->max_inodes : 0;
	*ffree = m->tmpfs && m->max_inodes ? m->max_inodes - m->inodes : 0;
	return true;
}

/* tmpfs's default size and inodes: half of memory's pages
 * (shmem_default_max_blocks, shmem_default_max_inodes) */
static uint64_t default_pages(void) { return pages_total() / 2; }
static uint64_t default_inodes(void) { return pages_total() / 2; }

bool mount_line(unsigned i, char *buf, size_t size)
{
	struct mount *m = mounts;
	for (; m && i; i--)
		m = m->next;
	if (!m)
		return false;
	char path[PATH_MAX_LINUX];
	if (vfs_path(m->root, path, sizeof path) < 0)
		snprintf(path, sizeof path, "(unreachable)");
	const char *fs = m->tmpfs ? "tmpfs" : "ramfs";
	int n = snprintf(buf, size, "%s %s %s %s%s%s%s%s", m->source, path, fs, (m->flags & MS_RDONLY_L) ? "ro" : "rw",
			 (m->flags & MS_NOSUID_L) ? ",nosuid" : "", (m->flags & MS_NODEV_L) ? ",nodev" : "",
			 (m->flags & MS_NOEXEC_L) ? ",noexec" : "",
			 (m->flags & MS_NOATIME_L)       ? ",noatime"
			 : (m->flags & MS_STRICTATIME_L) ? ""
						       : ",relatime");
	if (n < 0 || (size_t)n >= size)
		return false;
	if (m->tmpfs && m->max_pages != default_pages())
		n += snprintf(buf + n, size - (size_t)n, ",size=%luk", m->max_pages * 4);
	if ((m->tmpfs && m->mode != 01777) || (!m->tmpfs && m->mode != 0755)) {
		char oct[8];
		int k = 0;
		if (m->mode > 0777)
			oct[k++] = (char)('0' + ((m->mode >> 9) & 7));
		for (int shift = 6; shift >= 0; shift -= 3) /* (tmpfs: at least three digits) */
			if (m->tmpfs || k || (m->mode >> shift) || !shift)
				oct[k++] = (char)('0' + ((m->mode >> shift) & 7));
		oct[k] = 0;
		n += snprintf(buf + n, size - (size_t)n, ",mode=%s", oct);
	}
	if (m->tmpfs && m->max_inodes != default_inodes())
		n += snprintf(buf + n, size - (size_t)n, ",nr_inodes=%lu", (unsigned long)m->max_inodes);
	if (m->uid)
		n += snprintf(buf + n, size - (size_t)n, ",uid=%u", m->uid);
	if (m->gid)
		n += snprintf(buf + n, size - (size_t)n, ",gid=%u", m->gid);
	snprintf(buf + n, size - (size_t)n, "%s 0 0\n", m->tmpfs ? ",inode64" : "");
	return true;
}

/* ---- options ------------------------------------------------------------------------ */

struct options {
	bool size_set, mode_set, uid_set, gid_set, inodes_set;
	uint64_t pages, inodes;
	uint32_t mode, uid, gid;
};

static bool number(const char *s, int base, uint64_t *v, const char **end)
{
	const char *p = s;
	*v = 0;
	for (; *p; p++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0' : -1;
		if (d < 0 || d >= base)
			break;
		if (*v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return false;
		*v = *v * (uint64_t)base + (uint64_t)d;
	}
	*end = p;
	return p != s;
}

/* shmem's parameters (size, mode, uid, gid, nr_inodes, and a few it takes
 * and ignores here: none the tests of others would notice); an unknown one
 * is EINVAL, as Linux's "tmpfs: Unknown parameter" */
static int parse_options(char *data, bool tmpfs, struct options *o)
{
	for (char *opt = data; opt && *opt;) {
		char *comma = strchr(opt, ',');
		if (comma)
			*comma = 0;
		char *val = strchr(opt, '=');
		if (val)
			*val++ = 0;
		const char *end;
		uint64_t v;
		if ((!strcmp(opt, "size") || !strcmp(opt, "nr_inodes")) && val && tmpfs) {
			if (!number(val, 10, &v, &end))
				return -EINVAL;
			uint64_t unit = 1;
			switch (*end) {
			case 'k': case 'K': unit = 1ull << 10; end++; break;
			case 'm': case 'M': unit = 1ull << 20; end++; break;
			case 'g': case 'G': unit = 1ull << 30; end++; break;
			case '%': unit = 0; end++; break;
			default: break;
			}
			if (*end || (opt[0] == 'n' && !unit))
				return -EINVAL;
			if (opt[0] == 'n') { /* (memparse's suffixes) */
				if (v > UINT64_MAX / unit)
					return -EINVAL;
				o->inodes = v * unit;
				o->inodes_set = true;
			} else if (!unit) {
				if (v > 100)
					return -EINVAL;
				o->pages = pages_total() * v / 100;
				o->size_set = true;
			} else {
				if (v > UINT64_MAX / unit)
					return -EINVAL;
				o->pages = (v * unit + 4095) / 4096;
				o->size_set = true;
			}
		} else if (!strcmp(opt, "mode") && val) {
			if (!number(val, 8, &v, &end) || *end)
				return -EINVAL;
			o->mode = (uint32_t)v & 07777;
			o->mode_set = true;
		} else if ((!strcmp(opt, "uid") || !strcmp(opt, "gid")) && val && tmpfs) {
			if (!number(val, 10, &v, &end) || *end || v >= ID_UNCHANGED)
				return -EINVAL;
			if (opt[0] == 'u') {
				o->uid = (uint32_t)v;
				o->uid_set = true;
			} else {
				o->gid = (uint32_t)v;
				o->gid_set = true;
			}
		} else {
			return -EINVAL;
		}
		opt = comma ? comma + 1 : NULL;
	}
	return 0;
}

/* ---- mount -------------------------------------------------------------------------- */

static void log_once(const char *what)
{
	static unsigned logged;
	unsigned bit = (unsigned)(what[0] & 7);
	if (logged & (1u << bit))
		return;
	logged |= 1u << bit;
	printf("lx4-server: mount: %s not supported (EINVAL)\n", what);
}

static int remount(struct proc *p, struct vnode *vn, unsigned flags, struct options *o)
{
	(void)p;
	struct mount *m = vn->covered ? mount_by_dev(vn->dev) : NULL;
	if (!m)
		return -EINVAL; /* not the root of a mount */
	/* (shmem_reconfigure: not below what it holds, and no limit put on
	 * a tmpfs mounted without one) */
	if (o->size_set && o->pages && (o->pages < m->pages || !m->max_pages))
		return -EINVAL;
	if (o->inodes_set && o->inodes && (o->inodes < m->inodes || !m->max_inodes))
		return -EINVAL;
	if (o->size_set) {
		m->max_pages = o->pages;
		m->size_given = true;
	}
	if (o->inodes_set)
		m->max_inodes = o->inodes;
	if (o->mode_set)
		vn->mode = (vn->mode & ~07777u) | (m->mode = o->mode);
	if (o->uid_set)
		vn->uid = m->uid = o->uid;
	if (o->gid_set)
		vn->gid = m->gid = o->gid;
	m->flags = atime_policy(flags);
	return 0;
}

static int new_mount(struct vnode *at, const char *source, bool tmpfs, unsigned flags, struct options *o)
{
	if (at->type != V_DIR)
		return -ENOTDIR;
	if (at->dops)
		return -EINVAL; /* (nothing is mounted inside /proc here) */
	struct mount *m = mem_zalloc(sizeof *m);
	struct vnode *root = m ? vnode_new(V_DIR, o->mode_set ? o->mode : tmpfs ? 01777 : 0755) : NULL;
	if (!root) {
		mem_free(m);
		return -ENOMEM;
	}
	root->dev = next_dev++;
	root->uid = o->uid_set ? o->uid : 0;
	root->gid = o->gid_set ? o->gid : 0;
	root->refs = 1; /* the mount's */
	while (at->mounted) /* (on top of what is mounted there already) */
		at = at->mounted;
	vnode_get(at);
	root->parent = at->parent;
	at->mounted = root;
	root->covered = at;
	m->root = root;
	m->covered = at;
	m->refs = 1; /* (its root's) */
	m->mode = root->mode & 07777;
	m->uid = root->uid;
	m->gid = root->gid;
	m->tmpfs = tmpfs;
	m->max_pages = o->size_set ? o->pages : default_pages();
	m->size_given = o->size_set;
	m->max_inodes = o->inodes_set ? o->inodes : default_inodes();
	m->inodes = 1; /* its root */
	m->flags = atime_policy(flags);
	size_t n = strlen(source);
	if (n >= sizeof m->source)
		n = sizeof m->source - 1;
	memcpy(m->source, source, n);
	struct mount **pp = &mounts;
	while (*pp)
		pp = &(*pp)->next;
	*pp = m;
	return 0;
}

/* a string argument of at most size bytes (a NULL pointer: "") */
static int user_string(struct proc *p, uint64_t u, char *buf, size_t size)
{
	buf[0] = 0;
	if (!u)
		return 0;
	long n = strncpy_from_user(p, buf, u, size);
	if (n < 0)
		return (int)n;
	buf[size - 1] = 0;
	return 0;
}

long sys_mount(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	char source[256], type[64], path[PATH_MAX_LINUX];
	static char data[4096];
	int err;
	if ((err = user_string(p, a->a2, type, sizeof type)) || (err = user_string(p, a->a0, source, sizeof source)) ||
	    (err = user_string(p, a->a4, data, sizeof data)))
		return err;
	if (!a->a0)
		memcpy(source, "none", 5); /* (as /proc/mounts names a mount of no source) */
	if ((err = user_path(p, a->a1, path)))
		return err;
	unsigned flags = (unsigned)a->a3;
	if ((flags & MS_MGC_MSK) == MS_MGC_VAL)
		flags &= ~MS_MGC_MSK; /* the old magic number */
	struct vnode *at = vfs_lookup(&p->cred, p->cwd, path, false, &err);
	if (!at)
		return err;
	bool tmpfs = !strcmp(type, "tmpfs");
	struct options o = {0};
	if (!cred_capable(&p->cred, CAP_SYS_ADMIN))
		err = -EPERM;
	else if (flags & (MS_BIND | MS_MOVE | MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)) {
		log_once(flags & MS_BIND ? "bind mount" : flags & MS_MOVE ? "move" : "propagation change");
		err = -EINVAL;
	} else if (flags & MS_REMOUNT) {
		struct mount *m = at->covered ? mount_by_dev(at->dev) : NULL;
		if (!(err = parse_options(data, !m || m->tmpfs, &o)))
			err = remount(p, at, flags, &o);
	} else if (!a->a2)
		err = -EINVAL;
	else if (!tmpfs && strcmp(type, "ramfs"))
		err = -ENODEV; /* no such file system type here */
	else if (!(err = parse_options(data, tmpfs, &o)))
		err = new_mount(at, source, tmpfs, flags, &o);
	vnode_put(at);
	return err;
}

/* ---- umount ------------------------------------------------------------------------- */

/* removes every name under dir (what is still open lives on unnamed) */
static void clear(struct vnode *dir)
{
	while (dir->entries) {
		struct dentry *d = dir->entries;
		if (d->vn->type == V_DIR)
			clear(d->vn);
		vfs_dir_remove(dir, d->name, d->vn);
	}
}

static void unmount(struct mount *m)
{
	struct mount **pp = &mounts;
	while (*pp != m)
		pp = &(*pp)->next;
	*pp = m->next;
	clear(m->root);
	m->covered->mounted = m->root->mounted; /* (what was mounted on top stays) */
	if (m->root->mounted)
		m->root->mounted->covered = m->covered;
	vnode_put(m->covered);
	m->root->covered = NULL;
	m->root->parent = NULL;
	m->root->mounted = NULL;
	m->root->nlink = 0;
	vnode_put(m->root); /* freed unless open or a working directory */
	mem_free(m);
}

long sys_umount2(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	char path[PATH_MAX_LINUX];
	unsigned flags = (unsigned)a->a1;
	if (flags & ~(unsigned)(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	int err = user_path(p, a->a0, path);
	if (err)
		return err;
	struct vnode *vn = vfs_lookup(&p->cred, p->cwd, path, flags & UMOUNT_NOFOLLOW, &err);
	if (!vn)
		return err;
	struct mount *m = vn->covered ? mount_by_dev(vn->dev) : NULL;
	if (!cred_capable(&p->cred, CAP_SYS_ADMIN))
		err = -EPERM;
	else if (!m || m->root != vn)
		err = -EINVAL; /* not a mount point */
	else if ((flags & MNT_EXPIRE) && (flags & (MNT_FORCE | MNT_DETACH)))
		err = -EINVAL;
	else if (!(flags & MNT_DETACH) && m->refs > 2)
		err = -EBUSY; /* something is open, a working directory, mapped or mounted on (the mount's own
				 reference to its root and this lookup's are not) */
	else if ((flags & MNT_EXPIRE) && !m->expiring) {
		m->expiring = true; /* marked: the next MNT_EXPIRE takes it */
		err = -EAGAIN;
	}
	vnode_put(vn);
	if (!err)
		unmount(m);
	return err;
}
