/*
 * /proc: the proc file system, made as it is looked at.  Its nodes are
 * vnodes like the ramfs's (so paths, stat, getdents, getcwd and open need
 * no other case) kept in a cache keyed by (pid, kind, descriptor) while
 * their process exists; procfs_gone drops them when it is freed, and one
 * still open then reads as ESRCH.  A file's text is made at its first read
 * into a buffer kept with the open file (Linux's seq_file), so one open
 * reads one consistent state, at any offset.
 */
#include <linux/sem.h>

#include "ipc.h"
#include "mem.h"
#include "proc.h"
#include "rusage.h"
#include "serial.h"
#include "signal.h"
#include "sys.h"
#include "sysctl.h"
#include "uts.h"
#include "vfs.h"
#include "vm.h"

#include <stdarg.h>

#include "../lib/fmt.h"

enum {
	PK_ROOT = 1,
	PK_SELF,
	PK_CPUINFO,
	PK_FILESYSTEMS,
	PK_LOADAVG,
	PK_MEMINFO,
	PK_MOUNTS,
	PK_STAT,
	PK_SYS,
	PK_UPTIME,
	PK_VERSION,
	PK_SYSVIPC,
	PK_SV_SEM,
	PK_SV_SHM,
	PK_SYS_KERNEL, /* from here to PK_PID: /proc/sys */
	PK_K_CAP_LAST_CAP,
	PK_K_DOMAINNAME,
	PK_K_HOSTNAME,
	PK_K_NGROUPS_MAX,
	PK_K_OSRELEASE,
	PK_K_OSTYPE,
	PK_K_PID_MAX,
	PK_K_TAINTED,
	PK_K_THREADS_MAX,
	PK_K_VERSION,
	PK_K_SEM,
	PK_K_SHMALL,
	PK_K_SHMMAX,
	PK_K_SHMMNI,
	PK_SYS_FS,
	PK_FS_FILE_MAX,
	PK_FS_FILE_NR,
	PK_FS_LEASE_BREAK_TIME,
	PK_FS_NR_OPEN,
	PK_FS_PIPE_MAX_SIZE,
	PK_SYS_VM,
	PK_VM_MAX_MAP_COUNT,
	PK_VM_OVERCOMMIT_KBYTES,
	PK_VM_OVERCOMMIT_MEMORY,
	PK_VM_OVERCOMMIT_RATIO,
	PK_PID, /* /proc/PID and what is in it */
	PK_P_CMDLINE,
	PK_P_COMM,
	PK_P_CWD,
	PK_P_ENVIRON,
	PK_P_PAGEMAP,
	PK_P_MEM,
	PK_P_EXE,
	PK_P_FD,
	PK_P_MAPS,
	PK_P_MOUNTS,
	PK_P_ROOT,
	PK_P_STAT,
	PK_P_STATM,
	PK_P_STATUS,
	PK_P_LOGINUID,
	PK_P_SESSIONID,
	PK_P_TASK,   /* /proc/PID/task */
	PK_TID,      /* /proc/PID/task/TID (its nodes' pid is the thread's id) */
	PK_T_COMM,   /* and what is in it */
	PK_T_STAT,
	PK_T_STATUS,
	PK_P_FDLINK = 0xfd, /* /proc/PID/fd/N (vfs.c gives its size as Linux: 64) */
};

/* the fixed entries of each directory, in the order getdents lists them */
struct pentry {
	const char *name;
	uint8_t dir, kind;
	enum vtype type;
	uint16_t mode;
	const struct sysctl *ctl; /* a number of /proc/sys (sysctl.h) */
};

static const struct pentry table[] = {
    {"self", PK_ROOT, PK_SELF, V_LNK, 0777, NULL},
    {"cpuinfo", PK_ROOT, PK_CPUINFO, V_REG, 0444, NULL},
    {"filesystems", PK_ROOT, PK_FILESYSTEMS, V_REG, 0444, NULL},
    {"loadavg", PK_ROOT, PK_LOADAVG, V_REG, 0444, NULL},
    {"meminfo", PK_ROOT, PK_MEMINFO, V_REG, 0444, NULL},
    {"mounts", PK_ROOT, PK_MOUNTS, V_LNK, 0777, NULL},
    {"stat", PK_ROOT, PK_STAT, V_REG, 0444, NULL},
    {"sys", PK_ROOT, PK_SYS, V_DIR, 0555, NULL},
    {"uptime", PK_ROOT, PK_UPTIME, V_REG, 0444, NULL},
    {"version", PK_ROOT, PK_VERSION, V_REG, 0444, NULL},
    {"sysvipc", PK_ROOT, PK_SYSVIPC, V_DIR, 0555, NULL},
    {"sem", PK_SYSVIPC, PK_SV_SEM, V_REG, 0444, NULL},
    {"shm", PK_SYSVIPC, PK_SV_SHM, V_REG, 0444, NULL},
    /* /proc/sys, in Linux's (alphabetical) order, with its modes: root
     * writes the 0644 ones */
    {"fs", PK_SYS, PK_SYS_FS, V_DIR, 0555, NULL},
    {"kernel", PK_SYS, PK_SYS_KERNEL, V_DIR, 0555, NULL},
    {"vm", PK_SYS, PK_SYS_VM, V_DIR, 0555, NULL},
    {"file-max", PK_SYS_FS, PK_FS_FILE_MAX, V_REG, 0644, &sysctl_file_max},
    {"file-nr", PK_SYS_FS, PK_FS_FILE_NR, V_REG, 0444, NULL},
    {"lease-break-time", PK_SYS_FS, PK_FS_LEASE_BREAK_TIME, V_REG, 0644, &sysctl_lease_break_time},
    {"nr_open", PK_SYS_FS, PK_FS_NR_OPEN, V_REG, 0644, &sysctl_nr_open},
    {"pipe-max-size", PK_SYS_FS, PK_FS_PIPE_MAX_SIZE, V_REG, 0644, &sysctl_pipe_max_size},
    {"cap_last_cap", PK_SYS_KERNEL, PK_K_CAP_LAST_CAP, V_REG, 0444, &sysctl_cap_last_cap},
    {"domainname", PK_SYS_KERNEL, PK_K_DOMAINNAME, V_REG, 0644, NULL},
    {"hostname", PK_SYS_KERNEL, PK_K_HOSTNAME, V_REG, 0644, NULL},
    {"ngroups_max", PK_SYS_KERNEL, PK_K_NGROUPS_MAX, V_REG, 0444, &sysctl_ngroups_max},
    {"osrelease", PK_SYS_KERNEL, PK_K_OSRELEASE, V_REG, 0444, NULL},
    {"ostype", PK_SYS_KERNEL, PK_K_OSTYPE, V_REG, 0444, NULL},
    {"pid_max", PK_SYS_KERNEL, PK_K_PID_MAX, V_REG, 0644, &sysctl_pid_max},
    /* System V IPC's limits (Linux's are 0644: these cannot be changed) */
    {"sem", PK_SYS_KERNEL, PK_K_SEM, V_REG, 0444, NULL},
    {"shmall", PK_SYS_KERNEL, PK_K_SHMALL, V_REG, 0444, NULL},
    {"shmmax", PK_SYS_KERNEL, PK_K_SHMMAX, V_REG, 0444, NULL},
    {"shmmni", PK_SYS_KERNEL, PK_K_SHMMNI, V_REG, 0444, NULL},
    {"tainted", PK_SYS_KERNEL, PK_K_TAINTED, V_REG, 0644, &sysctl_tainted},
    {"threads-max", PK_SYS_KERNEL, PK_K_THREADS_MAX, V_REG, 0644, &sysctl_threads_max},
    {"version", PK_SYS_KERNEL, PK_K_VERSION, V_REG, 0444, NULL},
    {"max_map_count", PK_SYS_VM, PK_VM_MAX_MAP_COUNT, V_REG, 0644, &sysctl_max_map_count},
    {"overcommit_kbytes", PK_SYS_VM, PK_VM_OVERCOMMIT_KBYTES, V_REG, 0644, &sysctl_overcommit_kbytes},
    {"overcommit_memory", PK_SYS_VM, PK_VM_OVERCOMMIT_MEMORY, V_REG, 0644, &sysctl_overcommit_memory},
    {"overcommit_ratio", PK_SYS_VM, PK_VM_OVERCOMMIT_RATIO, V_REG, 0644, &sysctl_overcommit_ratio},
    {"cmdline", PK_PID, PK_P_CMDLINE, V_REG, 0444, NULL},
    {"comm", PK_PID, PK_P_COMM, V_REG, 0644, NULL},
    {"cwd", PK_PID, PK_P_CWD, V_LNK, 0777, NULL},
    {"environ", PK_PID, PK_P_ENVIRON, V_REG, 0400, NULL},
    {"exe", PK_PID, PK_P_EXE, V_LNK, 0777, NULL},
    {"fd", PK_PID, PK_P_FD, V_DIR, 0500, NULL},
    {"maps", PK_PID, PK_P_MAPS, V_REG, 0444, NULL},
    {"mem", PK_PID, PK_P_MEM, V_REG, 0600, NULL},
    {"mounts", PK_PID, PK_P_MOUNTS, V_REG, 0444, NULL},
    {"pagemap", PK_PID, PK_P_PAGEMAP, V_REG, 0400, NULL},
    {"root", PK_PID, PK_P_ROOT, V_LNK, 0777, NULL},
    {"stat", PK_PID, PK_P_STAT, V_REG, 0444, NULL},
    {"statm", PK_PID, PK_P_STATM, V_REG, 0444, NULL},
    {"status", PK_PID, PK_P_STATUS, V_REG, 0444, NULL},
    /* the audit ids: unset (no login has set them; writes not yet) */
    {"loginuid", PK_PID, PK_P_LOGINUID, V_REG, 0644, NULL},
    {"sessionid", PK_PID, PK_P_SESSIONID, V_REG, 0444, NULL},
    {"task", PK_PID, PK_P_TASK, V_DIR, 0555, NULL},
    /* a thread's own view (Linux's tid_base_stuff has more) */
    {"comm", PK_TID, PK_T_COMM, V_REG, 0644, NULL},
    {"stat", PK_TID, PK_T_STAT, V_REG, 0444, NULL},
    {"status", PK_TID, PK_T_STATUS, V_REG, 0444, NULL},
};
#define NTABLE (sizeof table / sizeof table[0])

/* getdents positions in /proc: the fixed entries from 2, process PID at
 * PID_POS + PID (as Linux's FIRST_PROCESS_ENTRY) */
#define PID_POS 256

static const struct dir_ops proc_dir_ops;
static const struct file_ops proc_file_ops;

/* ---- the node cache ------------------------------------------------------------ */

struct pnode {
	struct pnode *next;
	struct vnode *vn;
};
static struct pnode *nodes;
static struct vnode *proc_root;

static uint64_t ino_of(int pid, unsigned kind, unsigned arg)
{
	if (kind == PK_ROOT)
		return 1;
	if (!pid)
		return 0xf0000000ull + kind; /* (Linux's fixed entries are up there too) */
	return (uint64_t)pid << 16 | (uint64_t)kind << 8 | arg;
}

/* the node (pid, kind, arg), made if need be; NULL if out of memory */
static struct vnode *node(int pid, unsigned kind, unsigned arg, struct vnode *parent, const char *name, enum vtype type,
			  uint32_t mode)
{
	for (struct pnode *n = nodes; n; n = n->next)
		if (n->vn->pfs.pid == pid && n->vn->pfs.kind == kind && n->vn->pfs.arg == arg)
			return n->vn;
	struct pnode *n = mem_zalloc(sizeof *n);
	struct vnode *vn = n ? vnode_new(type, mode) : NULL;
	if (!vn) {
		mem_free(n);
		return NULL;
	}
	vn->ino = ino_of(pid, kind, arg);
	vn->dev = PROCFS_DEV;
	vn->refs = 1; /* the cache's */
	vn->pfs.pid = pid;
	vn->pfs.kind = (uint16_t)kind;
	vn->pfs.arg = (uint16_t)arg;
	size_t l = strlen(name);
	if (l >= sizeof vn->pfs.name)
		l = sizeof vn->pfs.name - 1;
	memcpy(vn->pfs.name, name, l);
	vn->parent = parent;
	if (type == V_DIR)
		vn->dops = &proc_dir_ops;
	else if (type == V_REG)
		vn->fops = &proc_file_ops;
	n->vn = vn;
	n->next = nodes;
	nodes = n;
	return vn;
}

void procfs_gone(int pid)
{
	for (struct pnode **pp = &nodes; *pp;) {
		struct pnode *n = *pp;
		if (n->vn->pfs.pid != pid) {
			pp = &n->next;
			continue;
		}
		*pp = n->next;
		struct vnode *vn = n->vn;
		mem_free(n);
		vn->pfs.pid = -1;
		vn->nlink = 0;
		vn->parent = NULL;
		vnode_put(vn); /* freed unless open or a working directory */
	}
}

/* ---- lookup and listing --------------------------------------------------------- */

static void set_link(struct vnode *vn, const char *target)
{
	mem_free(vn->link);
	vn->link = target ? kstrdup(target) : NULL;
}

static bool is_thread_node(unsigned kind) { return kind >= PK_TID && kind <= PK_T_STATUS; }

/* the thread a node of /proc/PID/task/TID shows, or NULL (gone) */
static struct lthread *node_thread(const struct vnode *vn)
{
	return vn->pfs.pid > 0 && is_thread_node(vn->pfs.kind) ? thread_by_tid((uint64_t)vn->pfs.pid) : NULL;
}

/* the process a node shows (live or zombie), or NULL */
static struct proc *node_proc(struct vnode *vn)
{
	if (is_thread_node(vn->pfs.kind)) {
		struct lthread *t = node_thread(vn);
		return t ? t->proc : NULL;
	}
	return vn->pfs.pid > 0 ? proc_by_pid(vn->pfs.pid) : NULL;
}

/* a decimal number as Linux's name_to_int takes it (no sign, no leading
 * zero), or -1 */
static int name_to_int(const char *s)
{
	if (!*s || (*s == '0' && s[1]))
		return -1;
	int n = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || n > 100000000)
			return -1;
		n = n * 10 + (*s - '0');
	}
	return n;
}

/* a link's target as it is now */
static void refresh_link(struct vnode *vn, struct proc *p)
{
	static char path[PATH_MAX_LINUX];
	switch (vn->pfs.kind) {
	case PK_SELF:
		if (current && current->proc) {
			snprintf(path, sizeof path, "%d", current->proc->pid);
			set_link(vn, path);
		} else {
			set_link(vn, NULL);
		}
		return;
	case PK_MOUNTS: set_link(vn, "self/mounts"); return;
	case PK_P_ROOT: set_link(vn, p && p->state == P_LIVE ? "/" : NULL); return;
	case PK_P_CWD: set_link(vn, p && p->cwd && vfs_path(p->cwd, path, sizeof path) > 0 ? path : NULL); return;
	case PK_P_EXE: set_link(vn, p && p->exe_vn && vfs_path(p->exe_vn, path, sizeof path) > 0 ? path : NULL); return;
	case PK_P_FDLINK: {
		struct file *f = p && p->state == P_LIVE ? p->fds[vn->pfs.arg] : NULL;
		if (!f) {
			set_link(vn, NULL);
			return;
		}
		if (f->vn->type == V_FIFO && !f->vn->nlink) /* (a named pipe shows its name) */
			snprintf(path, sizeof path, "pipe:[%lu]", f->vn->ino);
		else if (f->ops && f->ops->anon_name)
			snprintf(path, sizeof path, "anon_inode:%s", f->ops->anon_name);
		else if (vfs_path(f->vn, path, sizeof path) < 0)
			snprintf(path, sizeof path, "/ (deleted)"); /* (the name it had is not kept) */
		set_link(vn, path);
		uint32_t acc = f->flags & O_ACCMODE;
		vn->mode = (vn->mode & ~07777u) | 0100 | (acc != O_WRONLY ? 0400 : 0) | (acc != O_RDONLY ? 0200 : 0);
		return;
	}
	}
}

/* Linux's task_dump_owner: a process's nodes are its effective user's
 * and group's; those of a process that may not be dumped (it changed ids,
 * or it is a zombie) root's, but for its directory (0555), which shows
 * who it is */
static void dump_owner(struct vnode *vn, const struct proc *p)
{
	bool dir = vn->type == V_DIR && (vn->mode & 07777) == 0555;
	bool root = p->state != P_LIVE || p->undumpable;
	vn->uid = root && !dir ? 0 : p->cred.euid;
	vn->gid = root && !dir ? 0 : p->cred.egid;
}

/* Linux's ptrace_may_access for reading (PTRACE_MODE_READ_FSCREDS): a
 * process itself; a caller whose file-system ids are all of the target's
 * ids, if the target may be dumped; or one with CAP_SYS_PTRACE */
static bool may_read_proc(const struct proc *me, const struct proc *p)
{
	if (me == p)
		return true;
	const struct cred *c = &me->cred, *t = &p->cred;
	bool same = c->fsuid == t->ruid && c->fsuid == t->euid && c->fsuid == t->suid && c->fsgid == t->rgid &&
		    c->fsgid == t->egid && c->fsgid == t->sgid;
	return (same && !p->undumpable) || cred_capable(c, CAP_SYS_PTRACE);
}

int procfs_may_follow(const struct vnode *vn)
{
	unsigned k = vn->pfs.kind;
	if (k != PK_P_CWD && k != PK_P_EXE && k != PK_P_ROOT && k != PK_P_FDLINK)
		return 0;
	struct proc *p = vn->pfs.pid > 0 ? proc_by_pid(vn->pfs.pid) : NULL;
	if (!p || !current || !current->proc)
		return 0;
	return may_read_proc(current->proc, p) ? 0 : -EACCES;
}

int procfs_permission(const struct vnode *vn, int want, int err)
{
	/* a process's directories are not written, not even by root (EPERM
	 * as Linux gives it: nothing is made or removed there) */
	if ((want & MAY_WRITE) && vn->type == V_DIR && vn->pfs.pid > 0)
		return -EPERM;
	/* proc_fd_permission: a process may always look at its own descriptors */
	if (err && vn->pfs.kind == PK_P_FD && current && current->proc && current->proc->pid == vn->pfs.pid)
		return 0;
	return err;
}

struct vnode *procfs_fd_vnode(struct vnode *vn)
{
	struct proc *p = vn->pfs.kind == PK_P_FDLINK ? node_proc(vn) : NULL;
	struct file *f = p && p->state == P_LIVE ? p->fds[vn->pfs.arg] : NULL;
	if (!f || (f->vn->type != V_REG && f->vn->type != V_DIR) || f->vn->dev == PROCFS_DEV)
		return NULL;
	return f->vn;
}

int procfs_pid_dir(const struct vnode *vn)
{
	return vn->dev == PROCFS_DEV && vn->type == V_DIR && vn->pfs.kind == PK_PID ? vn->pfs.pid : 0;
}

static struct vnode *proc_lookup(struct vnode *dir, const char *name)
{
	unsigned kind = dir->pfs.kind;
	if (dir->pfs.pid < 0)
		return NULL; /* its process is gone */
	struct proc *p = node_proc(dir);
	if (kind >= PK_PID && !p)
		return NULL;
	struct vnode *vn = NULL;
	if (kind == PK_P_FD) {
		int fd = name_to_int(name);
		if (fd < 0 || fd >= MAX_FDS || p->state != P_LIVE || !p->fds[fd])
			return NULL;
		vn = node(p->pid, PK_P_FDLINK, (unsigned)fd, dir, name, V_LNK, 0700);
	} else if (kind == PK_P_TASK) {
		int tid = name_to_int(name);
		struct lthread *t = tid > 0 ? thread_by_tid((uint64_t)tid) : NULL;
		if (!t || t->proc != p)
			return NULL;
		vn = node(tid, PK_TID, 0, dir, name, V_DIR, 0555);
	} else {
		for (unsigned i = 0; i < NTABLE && !vn; i++)
			if (table[i].dir == kind && !strcmp(table[i].name, name))
				vn = node(kind >= PK_PID ? dir->pfs.pid : 0, table[i].kind, 0, dir, name, table[i].type,
					  table[i].mode);
		if (!vn && kind == PK_ROOT) {
			int pid = name_to_int(name);
			struct proc *q = pid > 0 ? proc_by_pid(pid) : NULL;
			if (q)
				vn = node(pid, PK_PID, 0, dir, name, V_DIR, 0555);
		}
	}
	if (vn && vn->type == V_LNK)
		refresh_link(vn, p);
	struct proc *owner = vn && vn->pfs.pid > 0 ? node_proc(vn) : NULL;
	if (owner)
		dump_owner(vn, owner);
	return vn;
}

static bool proc_next(struct vnode *dir, uint64_t *pos, char *name, size_t size, uint64_t *ino, enum vtype *type)
{
	unsigned kind = dir->pfs.kind;
	struct proc *p = node_proc(dir);
	if (dir->pfs.pid < 0 || (kind >= PK_PID && !p))
		return false;
	if (kind == PK_P_FD) {
		for (uint64_t fd = *pos - 2; p->state == P_LIVE && fd < MAX_FDS; fd++) {
			if (p->fds[fd]) {
				*pos = fd + 2;
				snprintf(name, size, "%lu", fd);
				*ino = ino_of(p->pid, PK_P_FDLINK, (unsigned)fd);
				*type = V_LNK;
				return true;
			}
		}
		return false;
	}
	if (kind == PK_P_TASK) { /* its threads, by id */
		int from = *pos < PID_POS ? 0 : (int)(*pos - PID_POS), best = -1;
		proc_for_each_thread(p, t) {
			if (t->tid >= from && (best < 0 || t->tid < best))
				best = t->tid;
		}
		if (best < 0)
			return false;
		*pos = PID_POS + (uint64_t)best;
		snprintf(name, size, "%d", best);
		*ino = ino_of(best, PK_TID, 0);
		*type = V_DIR;
		return true;
	}
	uint64_t i = 2;
	for (unsigned e = 0; e < NTABLE; e++) {
		if (table[e].dir != kind)
			continue;
		if (i++ < *pos)
			continue;
		*pos = i - 1;
		snprintf(name, size, "%s", table[e].name);
		*ino = ino_of(kind >= PK_PID ? dir->pfs.pid : 0, table[e].kind, 0);
		*type = table[e].type;
		return true;
	}
	if (kind != PK_ROOT)
		return false;
	/* the processes, in pid order */
	int from = *pos < PID_POS ? 0 : (int)(*pos - PID_POS), best = -1;
	proc_for_each(q) {
		if (q->pid >= from) {
			best = q->pid;
			break;
		}
	}
	if (best < 0)
		return false;
	*pos = PID_POS + (uint64_t)best;
	snprintf(name, size, "%d", best);
	*ino = ino_of(best, PK_PID, 0);
	*type = V_DIR;
	return true;
}

static int procs_existing(void) { return proc_total(); }

static int p_threads(struct vnode *dir)
{
	struct proc *p = node_proc(dir);
	return p ? p->nthreads : 0;
}

/* 2 and a link for each subdirectory, as on Linux (which has more of them) */
static uint32_t proc_nlink(struct vnode *dir)
{
	switch (dir->pfs.kind) {
	case PK_ROOT: return 4 + (uint32_t)procs_existing();
	case PK_SYS: return 5;
	case PK_PID: return 4;
	case PK_P_TASK: return 2 + (uint32_t)(p_threads(dir));
	default: return 2;
	}
}

static const struct dir_ops proc_dir_ops = {.lookup = proc_lookup, .next = proc_next, .nlink = proc_nlink};

/* ---- the text of a file ------------------------------------------------------------ */

#define SEQ_PAGES 64 /* 256 KiB at most: more is cut off */

struct seq {
	bool made;
	uint64_t len;
	void *pages[SEQ_PAGES];
};

static void seq_put(struct seq *s, const char *d, size_t n)
{
	while (n) {
		uint64_t i = s->len / 4096, in = s->len % 4096, c = 4096 - in < n ? 4096 - in : n;
		if (i >= SEQ_PAGES)
			return;
		if (!s->pages[i] && !(s->pages[i] = page_alloc()))
			return;
		memcpy((char *)s->pages[i] + in, d, c);
		s->len += c;
		d += c;
		n -= c;
	}
}

static void seq_printf(struct seq *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void seq_printf(struct seq *s, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	seq_put(s, buf, n < (int)sizeof buf ? (size_t)n : sizeof buf - 1);
}

static void seq_str(struct seq *s, const char *str)
{
	seq_put(s, str, strlen(str));
}

/* (for the tables ipc_shm.c and ipc_sem.c make) */
static void seq_emit(void *s, const char *line)
{
	seq_str(s, line);
}

static void seq_free(struct seq *s)
{
	for (unsigned i = 0; i < SEQ_PAGES; i++)
		if (s->pages[i])
			page_put(s->pages[i]);
	mem_free(s);
}

/* a range of p's memory (cmdline, environ), as far as it can be read */
static void seq_user(struct seq *s, struct proc *p, uint64_t start, uint64_t end)
{
	static char buf[4096]; /* (static: the server's stack is small) */
	if (!p->mm)
		return;
	while (start < end) {
		uint64_t c = 4096 - (start & 0xfff);
		if (c > end - start)
			c = end - start;
		if (copy_from_user(p, buf, start, c))
			return;
		seq_put(s, buf, c);
		start += c;
	}
}

/* ---- the processes' files ------------------------------------------------------------ */

struct vmsizes {
	uint64_t total, stack, data, exec, rss, file;
};

static void vm_sizes(struct proc *p, struct vmsizes *z)
{
	memset(z, 0, sizeof *z);
	if (!p->mm)
		return;
	for (struct vma *v = p->mm->vmas; v; v = v->next) {
		uint64_t n = (v->end - v->start) / 4096;
		z->total += n;
		if (v->flags & VMA_STACK)
			z->stack += n;
		else if ((v->prot & PROT_W) && !(v->flags & VMA_SHARED))
			z->data += n;
		else if ((v->prot & PROT_X) && !(v->prot & PROT_W))
			z->exec += n;
	}
	z->rss = p->mm->pages;
	z->file = mm_file_pages(p->mm);
}

/* the state of p, as its thread t (NULL: the first) shows it */
static char state_of(struct proc *p, struct lthread *t)
{
	if (p->state == P_ZOMBIE)
		return 'Z';
	t = t ? t : p->thread;
	return t && t->sleeping ? 'S' : 'R';
}

static const char *state_name(char c)
{
	return c == 'Z' ? "Z (zombie)" : c == 'S' ? "S (sleeping)" : "R (running)";
}

/* signal sets: ignored and caught */
static void sig_sets(struct proc *p, uint64_t *ign, uint64_t *cgt)
{
	*ign = *cgt = 0;
	for (int i = 0; i < NSIG_LINUX; i++) {
		if (p->sigact[i].handler == SIG_IGN_L)
			*ign |= 1ull << i;
		else if (p->sigact[i].handler != SIG_DFL_L)
			*cgt |= 1ull << i;
	}
}

/* the console is the controlling terminal of its session (that of the
 * first process): tty_nr as Linux encodes 5:1 */
#define CONSOLE_TTY_NR ((5 << 8) | 1)
static bool has_tty(struct proc *p)
{
	return p->sid == 1;
}

#define USER_HZ       100
#define PF_FORKNOEXEC 0x40

/* clock ticks (USER_HZ) in ns, as Linux's nsec_to_clock_t */
static uint64_t ticks(uint64_t ns) { return ns / (1000000000 / USER_HZ); }

/* /proc/PID/stat, or with thread th /proc/PID/task/TID/stat (its id,
 * state, times, pending and blocked signals) */
static void show_stat(struct seq *s, struct proc *p, struct lthread *th)
{
	struct mm *mm = p->mm;
	struct vmsizes z;
	vm_sizes(p, &z);
	struct lthread *t = th ? th : p->thread;
	uint64_t ign, cgt, pend = t ? t->sigpend.set : 0;
	sig_sets(p, &ign, &cgt);
	uint64_t start = ticks(p->start_ns);
	seq_printf(s, "%d (%s) %c %d %d %d %d %d %u ", th ? th->tid : p->pid, th ? th->comm : p->comm, state_of(p, th), p->ppid, p->pgid, p->sid,
		   has_tty(p) ? CONSOLE_TTY_NR : 0, has_tty(p) ? console_pgrp() : -1,
		   p->forked_noexec ? PF_FORKNOEXEC : 0);
	/* minflt cminflt majflt cmajflt (none: nothing is read from a disk)
	 * utime stime cutime cstime; the priority of a normal process is 20 +
	 * its nice value */
	struct rusage_sum r;
	if (th)
		rusage_thread(th, &r);
	else
		rusage_self(p, &r);
	const struct rusage_sum *c = &p->ru_children;
	seq_printf(s, "%lu %lu 0 0 %lu %lu %lu %lu ", r.minflt, c->minflt, ticks(r.utime_ns), ticks(r.stime_ns),
		   ticks(c->utime_ns), ticks(c->stime_ns));
	seq_printf(s, "%d %d %d 0 %lu %lu %lu %lu ", 20 + p->traits.nice, p->traits.nice,
		   p->state == P_LIVE ? p->nthreads : 1, start, z.total * 4096, z.rss, p->rlim[RLIMIT_RSS].cur);
	seq_printf(s, "%lu %lu %lu 0 0 %lu %lu %lu %lu 0 0 0 %d 0 0 0 0 0 0 ", mm ? mm->start_code : 0,
		   mm ? mm->end_code : 0, mm ? mm->start_stack : 0, pend,
		   /* (the thread's own: not the process's) */ t ? t->sigmask : 0, ign, cgt, p->exit_signal);
	seq_printf(s, "%lu %lu %lu %lu %lu %lu %lu %d\n", mm ? mm->start_data : 0, mm ? mm->end_data : 0,
		   mm ? mm->brk_start : 0, mm ? mm->arg_start : 0, mm ? mm->arg_end : 0, mm ? mm->env_start : 0,
		   mm ? mm->env_end : 0, p->state == P_ZOMBIE ? p->exit_status : 0);
}

static void show_statm(struct seq *s, struct proc *p)
{
	struct vmsizes z;
	vm_sizes(p, &z);
	struct mm *mm = p->mm;
	uint64_t text = mm ? (((mm->end_code + 4095) & ~0xfffull) - (mm->start_code & ~0xfffull)) / 4096 : 0;
	seq_printf(s, "%lu %lu %lu %lu 0 %lu 0\n", z.total, z.rss, z.file, text, z.data + z.stack);
}

static void kb(struct seq *s, const char *name, uint64_t pages)
{
	seq_printf(s, "%s:\t%8lu kB\n", name, pages * 4);
}

/* /proc/PID/status, or with thread th /proc/PID/task/TID/status */
static void show_status(struct seq *s, struct proc *p, struct lthread *th)
{
	struct lthread *t = th ? th : p->thread;
	char st = state_of(p, th);
	seq_printf(s, "Name:\t%s\nUmask:\t0%d%d%d\nState:\t%s\n", th ? th->comm : p->comm, (p->umask >> 6) & 7, (p->umask >> 3) & 7,
		   p->umask & 7, state_name(st));
	seq_printf(s, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n", p->pid, th ? th->tid : p->pid,
		   p->ppid);
	const struct cred *c = &p->cred;
	seq_printf(s, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t%d\nGroups:\t", c->ruid, c->euid, c->suid,
		   c->fsuid, c->rgid, c->egid, c->sgid, c->fsgid, MAX_FDS);
	for (uint32_t i = 0; i < c->ngroups; i++)
		seq_printf(s, "%u ", c->groups[i]);
	seq_str(s, c->ngroups ? "\n" : " \n");
	seq_printf(s, "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n", p->pid, th ? th->tid : p->pid, p->pgid,
		   p->sid);
	if (p->mm) {
		struct vmsizes z;
		vm_sizes(p, &z);
		struct mm *mm = p->mm;
		uint64_t exe = (((mm->end_code + 4095) & ~0xfffull) - (mm->start_code & ~0xfffull)) / 4096;
		kb(s, "VmSize", z.total);
		kb(s, "VmLck", mm->locked);
		kb(s, "VmPin", 0);
		kb(s, "VmHWM", mm->hiwater > z.rss ? mm->hiwater : z.rss);
		kb(s, "VmRSS", z.rss);
		/* the files are in RAM, as in Linux's tmpfs rootfs, whose
		 * pages count as shared memory */
		kb(s, "RssAnon", z.rss - z.file);
		kb(s, "RssFile", 0);
		kb(s, "RssShmem", z.file);
		kb(s, "VmData", z.data);
		kb(s, "VmStk", z.stack);
		kb(s, "VmExe", exe);
		kb(s, "VmLib", z.exec > exe ? z.exec - exe : 0);
		kb(s, "VmSwap", 0);
	}
	int limit, queued = signal_queued(p, &limit);
	uint64_t ign, cgt;
	sig_sets(p, &ign, &cgt);
	seq_printf(s, "Threads:\t%d\nSigQ:\t%d/%d\n", p->state == P_LIVE ? p->nthreads : 0, queued, limit);
	seq_printf(s, "SigPnd:\t%016lx\nShdPnd:\t%016lx\nSigBlk:\t%016lx\nSigIgn:\t%016lx\nSigCgt:\t%016lx\n",
		   t ? t->sigpend.set : 0, p->sigpend.set, t ? t->sigmask : 0, ign, cgt);
	seq_printf(s, "CapInh:\t%016lx\nCapPrm:\t%016lx\nCapEff:\t%016lx\nCapBnd:\t%016lx\nCapAmb:\t%016x\n", c->cap_inh,
		   c->cap_prm, c->cap_eff, c->cap_bnd, 0);
	seq_printf(s, "NoNewPrivs:\t%d\nSeccomp:\t0\nSeccomp_filters:\t0\n", p->no_new_privs ? 1 : 0);
	seq_str(s, "Cpus_allowed:\t1\nCpus_allowed_list:\t0\n");
	struct rusage_sum r;
	rusage_self(p, &r);
	seq_printf(s, "voluntary_ctxt_switches:\t%lu\nnonvoluntary_ctxt_switches:\t%lu\n", r.nvcsw, r.nivcsw);
}

/* the path of a mapped file, with Linux's mark for one that is gone */
static void file_name(struct vnode *vn, char *buf, size_t size)
{
	if (vfs_path(vn, buf, size) < 0)
		snprintf(buf, size, "/ (deleted)");
}

static void show_maps(struct seq *s, struct proc *p)
{
	static char path[PATH_MAX_LINUX];
	char line[128];
	if (!p->mm)
		return;
	struct mm *mm = p->mm;
	for (struct vma *v = mm->vmas; v; v = v->next) {
		bool shmem = v->vn && (v->flags & VMA_ANON); /* shared anonymous memory */
		unsigned dev = shmem ? 1 : v->vn ? v->vn->dev : 0;
		int n = snprintf(line, sizeof line, "%08lx-%08lx %c%c%c%c %08lx %02x:%02x %lu ", v->start, v->end,
				 (v->prot & PROT_R) ? 'r' : '-', (v->prot & PROT_W) ? 'w' : '-',
				 (v->prot & PROT_X) ? 'x' : '-', (v->flags & VMA_SHARED) ? 's' : 'p',
				 v->vn ? v->off : 0, dev >> 8, dev & 0xff, v->vn ? v->vn->ino : 0);
		seq_put(s, line, (size_t)n);
		const char *name = NULL;
		if (shmem) {
			name = "/dev/zero (deleted)"; /* (Linux's name for it) */
		} else if (v->vn && v->vn->shm) {
			shm_map_name(v->vn, path, sizeof path);
			name = path;
		} else if (v->vn) {
			file_name(v->vn, path, sizeof path);
			name = path;
		} else if (v->flags & VMA_STACK) {
			name = "[stack]";
		} else if (v->start <= mm->brk && v->end >= mm->brk_start) {
			name = "[heap]";
		}
		if (name) { /* in column 73, as Linux's seq_pad */
			for (; n < 72; n++)
				seq_put(s, " ", 1);
			seq_put(s, " ", 1);
			seq_str(s, name);
		}
		seq_put(s, "\n", 1);
	}
}

static void show_mounts(struct seq *s)
{
	static char line[PATH_MAX_LINUX + 128];
	seq_str(s, "rootfs / rootfs rw 0 0\nproc /proc proc rw 0 0\n");
	for (unsigned i = 0; mount_line(i, line, sizeof line); i++)
		seq_str(s, line);
}

/* ---- the system's files ------------------------------------------------------------ */

static void show_meminfo(struct seq *s)
{
	/* the names padded to 16 columns, as Linux's show_val_kb */
	static const char *const names[] = {"MemTotal",   "MemFree",      "MemAvailable", "Buffers", "Cached",
					    "SwapCached", "SwapTotal",    "SwapFree",     "Dirty",   "Writeback",
					    "Shmem",      "KReclaimable", "SReclaimable"};
	/* free memory is all there is to have: the files are in RAM (tmpfs,
	 * which Linux counts as Cached and Shmem), there is no swap, and
	 * nothing the server holds can be reclaimed */
	uint64_t v[] = {pages_total(), pages_free(), pages_free(), 0, vfs_pages(), 0, 0, 0, 0, 0, vfs_pages(), 0, 0};
	for (unsigned i = 0; i < sizeof v / sizeof v[0]; i++) {
		char name[20];
		int n = snprintf(name, sizeof name, "%s:", names[i]);
		for (; n < 15; n++)
			name[n] = ' ';
		name[n] = 0;
		seq_printf(s, "%s %8lu kB\n", name, v[i] * 4);
	}
}

static void show_uptime(struct seq *s)
{
	uint64_t cs = plat_now_ns() / 10000000, idle = plat_idle_ns() / 10000000;
	seq_printf(s, "%lu.%02lu %lu.%02lu\n", cs / 100, cs % 100, idle / 100, idle % 100);
}

static void show_loadavg(struct seq *s)
{
	unsigned long l[3];
	load_get(l, 11);
	for (int i = 0; i < 3; i++) {
		unsigned long a = l[i] + 2048 / 200; /* Linux's rounding */
		seq_printf(s, "%lu.%02lu ", a >> 11, ((a & 2047) * 100) >> 11);
	}
	seq_printf(s, "%d/%d %d\n", procs_runnable, procs_existing(), proc_last_pid());
}

static void show_stat_sys(struct seq *s)
{
	/* user: the Linux processes' own time; system: the rest of the busy
	 * time (the server's, the kernel's); one CPU */
	uint64_t user, sys, idle;
	rusage_system(&user, &sys, &idle);
	for (int i = 0; i < 2; i++)
		seq_printf(s, "%s %lu 0 %lu %lu 0 0 0 0 0 0\n", i ? "cpu0" : "cpu ", ticks(user), ticks(sys),
			   ticks(idle));
	seq_printf(s, "btime %lu\nprocesses %lu\nprocs_running %d\nprocs_blocked 0\n", vfs_boot_sec(), procs_forked,
		   procs_runnable);
}

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

/* Linux's names of the CPUID feature bits, 32 to a register */
static const char *const flags_1d[32] = {"fpu",  "vme",   "de",   "pse",     "tsc",  "msr", "pae",  "mce",
					 "cx8",  "apic",  0,      "sep",     "mtrr", "pge", "mca",  "cmov",
					 "pat",  "pse36", "pn",   "clflush", 0,      "dts", "acpi", "mmx",
					 "fxsr", "sse",   "sse2", "ss",      "ht",   "tm",  "ia64", "pbe"};
static const char *const flags_e1d[32] = {
    [11] = "syscall", [19] = "mp",     [20] = "nx", [22] = "mmxext",   [25] = "fxsr_opt",
    [26] = "pdpe1gb", [27] = "rdtscp", [29] = "lm", [30] = "3dnowext", [31] = "3dnow"};
static const char *const flags_1c[32] = {"pni",    "pclmulqdq", "dtes64", "monitor", "ds_cpl",
					 "vmx",    "smx",       "est",    "tm2",     "ssse3",
					 "cid",    "sdbg",      "fma",    "cx16",    "xtpr",
					 "pdcm",   0,           "pcid",   "dca",     "sse4_1",
					 "sse4_2", "x2apic",    "movbe",  "popcnt",  "tsc_deadline_timer",
					 "aes",    "xsave",     0,        "avx",     "f16c",
					 "rdrand", "hypervisor"};
static const char *const flags_e1c[32] = {"lahf_lm",
					  "cmp_legacy",
					  "svm",
					  "extapic",
					  "cr8_legacy",
					  "abm",
					  "sse4a",
					  "misalignsse",
					  "3dnowprefetch",
					  "osvw",
					  "ibs",
					  "xop",
					  "skinit",
					  "wdt",
					  0,
					  "lwp",
					  "fma4",
					  "tce",
					  0,
					  "nodeid_msr",
					  0,
					  "tbm",
					  "topoext",
					  "perfctr_core",
					  "perfctr_nb",
					  0,
					  "bpext",
					  "ptsc",
					  "perfctr_llc",
					  "mwaitx"};
static const char *const flags_7b[32] = {
    "fsgsbase", "tsc_adjust", "sgx",    "bmi1",       "hle",     "avx2",       0,       "smep",     "bmi2",
    "erms",     "invpcid",    "rtm",    "cqm",        0,         "mpx",        "rdt_a", "avx512f",  "avx512dq",
    "rdseed",   "adx",        "smap",   "avx512ifma", 0,         "clflushopt", "clwb",  "intel_pt", "avx512pf",
    "avx512er", "avx512cd",   "sha_ni", "avx512bw",   "avx512vl"};
static const char *const flags_7c[32] = {[1] = "avx512vbmi",   [2] = "umip",           [3] = "pku",
					 [4] = "ospke",        [5] = "waitpkg",        [6] = "avx512_vbmi2",
					 [8] = "gfni",         [9] = "vaes",           [10] = "vpclmulqdq",
					 [11] = "avx512_vnni", [12] = "avx512_bitalg", [14] = "avx512_vpopcntdq",
					 [16] = "la57",        [22] = "rdpid",         [25] = "cldemote",
					 [27] = "movdiri",     [28] = "movdir64b"};
static const char *const flags_7d[32] = {
    [4] = "fsrm",      [8] = "avx512_vp2intersect", [10] = "md_clear",         [14] = "serialize",   [16] = "tsxldtrk",
    [18] = "pconfig",  [19] = "arch_lbr",           [22] = "amx_bf16",         [23] = "avx512_fp16", [24] = "amx_tile",
    [25] = "amx_int8", [28] = "flush_l1d",          [29] = "arch_capabilities"};

static void flag_word(struct seq *s, const char *const names[32], uint32_t bits)
{
	for (int i = 0; i < 32; i++) {
		if ((bits & (1u << i)) && names[i]) {
			seq_put(s, " ", 1);
			seq_str(s, names[i]);
		}
	}
}

static void show_cpuinfo(struct seq *s)
{
	uint32_t r0[4], r1[4], e0[4], e1[4] = {0}, r7[4] = {0}, e8[4] = {0};
	char vendor[13], brand[49] = "";
	cpuid(0, 0, r0);
	cpuid(1, 0, r1);
	cpuid(0x80000000, 0, e0);
	memcpy(vendor, &r0[1], 4);
	memcpy(vendor + 4, &r0[3], 4);
	memcpy(vendor + 8, &r0[2], 4);
	vendor[12] = 0;
	if (r0[0] >= 7)
		cpuid(7, 0, r7);
	if (e0[0] >= 0x80000001)
		cpuid(0x80000001, 0, e1);
	if (e0[0] >= 0x80000004) {
		for (uint32_t i = 0; i < 3; i++) {
			uint32_t b[4];
			cpuid(0x80000002 + i, 0, b);
			memcpy(brand + 16 * i, b, 16);
		}
		brand[48] = 0;
	}
	if (e0[0] >= 0x80000008)
		cpuid(0x80000008, 0, e8);
	const char *name = brand;
	while (*name == ' ')
		name++;
	uint32_t family = (r1[0] >> 8) & 0xf, model = (r1[0] >> 4) & 0xf;
	if (family == 0xf)
		family += (r1[0] >> 20) & 0xff;
	if (family >= 6)
		model += ((r1[0] >> 16) & 0xf) << 4;
	seq_printf(s, "processor\t: 0\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\nmodel name\t: %s\n", vendor,
		   family, model, *name ? name : "unknown");
	seq_printf(s, "stepping\t: %u\nphysical id\t: 0\nsiblings\t: 1\ncore id\t\t: 0\ncpu cores\t: 1\n", r1[0] & 0xf);
	seq_printf(s, "apicid\t\t: %u\ninitial apicid\t: %u\n", r1[1] >> 24, r1[1] >> 24);
	seq_printf(s, "fpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: %u\nwp\t\t: yes\nflags\t\t:", r0[0]);
	flag_word(s, flags_1d, r1[3]);
	flag_word(s, flags_e1d, e1[3]);
	flag_word(s, flags_1c, r1[2]);
	flag_word(s, flags_e1c, e1[2]);
	flag_word(s, flags_7b, r7[1]);
	flag_word(s, flags_7c, r7[2]);
	flag_word(s, flags_7d, r7[3]);
	uint32_t clflush = ((r1[1] >> 8) & 0xff) * 8;
	seq_printf(s, "\nclflush size\t: %u\ncache_alignment\t: %u\n", clflush, clflush);
	if (e8[0])
		seq_printf(s, "address sizes\t: %u bits physical, %u bits virtual\n", e8[0] & 0xff,
			   (e8[0] >> 8) & 0xff);
	seq_str(s, "power management:\n\n");
}

/* ---- open files ------------------------------------------------------------------- */

/* the number of /proc/sys a node of this kind is, if it is one */
static const struct sysctl *ctl_of(unsigned kind)
{
	if (kind <= PK_SYS_KERNEL || kind >= PK_PID)
		return NULL;
	for (unsigned i = 0; i < NTABLE; i++)
		if (table[i].kind == kind)
			return table[i].ctl;
	return NULL;
}

/* the text of vn into s: 0, or -ESRCH when its process is gone */
static int make_text(struct vnode *vn, struct seq *s)
{
	const struct sysctl *ctl = ctl_of(vn->pfs.kind);
	if (ctl) {
		char buf[32];
		sysctl_show(ctl, buf, sizeof buf);
		seq_str(s, buf);
		return 0;
	}
	struct proc *p = NULL;
	if (vn->pfs.kind > PK_PID) {
		p = node_proc(vn);
		if (vn->pfs.pid < 0 || !p)
			return -ESRCH;
	}
	switch (vn->pfs.kind) {
	case PK_CPUINFO: show_cpuinfo(s); break;
	case PK_FILESYSTEMS: seq_str(s, "nodev\trootfs\nnodev\tproc\nnodev\tpipefs\n"); break;
	case PK_LOADAVG: show_loadavg(s); break;
	case PK_MEMINFO: show_meminfo(s); break;
	case PK_STAT: show_stat_sys(s); break;
	case PK_UPTIME: show_uptime(s); break;
	case PK_VERSION:
		seq_str(s, "Linux version " UTS_RELEASE " (lx4@lx4) (the lx4 server) " UTS_VERSION "\n");
		break;
	case PK_K_DOMAINNAME: seq_printf(s, "%s\n", uts_get(UTS_DOMAINNAME)); break;
	case PK_K_HOSTNAME: seq_printf(s, "%s\n", uts_get(UTS_HOSTNAME)); break;
	case PK_K_OSRELEASE: seq_str(s, UTS_RELEASE "\n"); break;
	case PK_K_OSTYPE: seq_str(s, "Linux\n"); break;
	case PK_K_VERSION: seq_str(s, UTS_VERSION "\n"); break;
	case PK_FS_FILE_NR: /* (Linux: allocated, 0 free, the maximum) */
		seq_printf(s, "%lu\t0\t%lu\n", (unsigned long)files_open, (unsigned long)file_max_load());
		break;
	case PK_K_SEM: seq_printf(s, "%d\t%d\t%d\t%d\n", SEMMSL, SEMMNS, SEMOPM, SEMMNI); break;
	case PK_K_SHMALL: seq_printf(s, "%lu\n", (unsigned long)SHMALL_L); break;
	case PK_K_SHMMAX: seq_printf(s, "%lu\n", (unsigned long)SHMMAX_L); break;
	case PK_K_SHMMNI: seq_printf(s, "%d\n", SHMMNI_L); break;
	case PK_SV_SEM: sem_proc_show(seq_emit, s); break;
	case PK_SV_SHM: shm_proc_show(seq_emit, s); break;
	case PK_P_CMDLINE:
		if (p->mm)
			seq_user(s, p, p->mm->arg_start, p->mm->arg_end);
		break;
	case PK_P_ENVIRON:
		if (p->mm)
			seq_user(s, p, p->mm->env_start, p->mm->env_end);
		break;
	case PK_P_COMM: seq_printf(s, "%s\n", p->comm); break;
	case PK_T_COMM: seq_printf(s, "%s\n", node_thread(vn)->comm); break;
	case PK_P_MAPS: show_maps(s, p); break;
	case PK_P_MOUNTS: show_mounts(s); break;
	case PK_P_STAT: show_stat(s, p, NULL); break;
	case PK_T_STAT: show_stat(s, p, node_thread(vn)); break;
	case PK_T_STATUS: show_status(s, p, node_thread(vn)); break;
	case PK_P_STATM: show_statm(s, p); break;
	case PK_P_STATUS: show_status(s, p, NULL); break;
	case PK_P_LOGINUID:
	case PK_P_SESSIONID: seq_str(s, "4294967295"); break; /* (no newline, as Linux) */
	}
	return 0;
}

bool procfs_is_root(const struct vnode *vn)
{
	return vn->dev == PROCFS_DEV && vn->pfs.kind == PK_ROOT;
}

bool procfs_is_sysctl(const struct vnode *vn)
{
	return vn->dev == PROCFS_DEV && vn->pfs.kind > PK_SYS_KERNEL && vn->pfs.kind < PK_PID;
}

/* Linux's proc_sys_permission: the owner's bits of the mode (root's) for
 * the effective user root, the group's for a member of group 0, else the
 * others'; no capability overrides them */
static int sysctl_permission(const struct vnode *vn, uint32_t acc)
{
	const struct cred *c = current && current->proc ? &current->proc->cred : NULL;
	unsigned mode = vn->mode & 0777;
	if (!c || !c->euid)
		mode >>= 6;
	else if (!c->egid || cred_in_group(c, 0))
		mode >>= 3;
	unsigned want = (acc != O_WRONLY ? 4 : 0) | (acc != O_RDONLY ? 2 : 0);
	return (mode & want) == want ? 0 : -EACCES;
}

static int proc_open(struct file *f)
{
	/* root may open any of the others to write (as on Linux, where the
	 * write then fails) */
	if (procfs_is_sysctl(f->vn) && f->vn->type == V_REG) {
		int err = sysctl_permission(f->vn, f->flags & O_ACCMODE);
		if (err)
			return err;
	}
	if (f->vn->pfs.kind == PK_P_MEM || f->vn->pfs.kind == PK_P_PAGEMAP) {
		/* (proc_mem_open: who may look into the process) */
		struct proc *p = node_proc(f->vn);
		if (p && current && current->proc && !may_read_proc(current->proc, p))
			return -EACCES;
		/* pagemap: the opener's CAP_SYS_ADMIN shows the frames (file_ns_capable) */
		if (f->vn->pfs.kind == PK_P_PAGEMAP)
			f->priv = current && current->proc && cred_capable(&current->proc->cred, CAP_SYS_ADMIN) ? (void *)1 : NULL;
		return 0;
	}
	struct seq *s = mem_zalloc(sizeof *s);
	if (!s)
		return -ENOMEM;
	f->priv = s;
	return 0;
}

static void proc_release(struct file *f)
{
	if (f->vn->pfs.kind != PK_P_PAGEMAP && f->vn->pfs.kind != PK_P_MEM)
		seq_free(f->priv);
}

/* /proc/PID/pagemap: eight bytes a page (vm_pagemap), at offset
 * address / 4096 * 8; frames only for a reader with CAP_SYS_ADMIN */
static long pagemap_read(struct file *f, struct uio *u, uint64_t off)
{
	struct proc *p = node_proc(f->vn);
	if (!p || !p->mm || p->state != P_LIVE)
		return 0;
	if ((off % 8) || (uio_resid(u) % 8))
		return -EINVAL;
	bool show_pfn = f->priv == (void *)1;
	uint64_t entries[512], va = off / 8 * 4096;
	long total = 0;
	struct vma *v = p->mm->vmas;
	while (uio_resid(u) && va < USER_TOP && off / 8 < (USER_TOP >> 12)) {
		unsigned n = 0;
		for (; n < 512 && (uint64_t)n * 8 < uio_resid(u) && va < USER_TOP; n++, va += 4096) {
			while (v && v->end <= va)
				v = v->next;
			entries[n] = v && v->start <= va ? vm_pagemap(p->mm, va, show_pfn) : 0;
		}
		long m = uio_copyout(u, entries, (uint64_t)n * 8);
		if (m < 0)
			return total ? total : m;
		total += m;
		if ((uint64_t)m < (uint64_t)n * 8)
			break;
	}
	return total;
}

/* /proc/PID/mem: the process's memory at offset = address, a page at a
 * time, as Linux's mem_rw (EIO if nothing could be moved) */
static long mem_rw(struct file *f, struct uio *u, uint64_t off, bool write)
{
	static char bounce[4096];
	struct proc *p = node_proc(f->vn);
	if (!p || !p->mm || p->state != P_LIVE)
		return 0;
	long total = 0;
	while (uio_resid(u)) {
		uint64_t n = uio_resid(u) < sizeof bounce ? uio_resid(u) : sizeof bounce;
		if (write) {
			long m = uio_copyin(u, bounce, n);
			if (m < 0)
				return total ? total : m;
			n = (uint64_t)m;
		}
		long done = vm_access_force(p, off, bounce, n, write);
		if (!done)
			return total ? total : -EIO;
		if (!write) {
			long m = uio_copyout(u, bounce, (uint64_t)done);
			if (m < 0)
				return total ? total : m;
		}
		total += done;
		off += (uint64_t)done;
		if ((uint64_t)done < n)
			break;
	}
	return total;
}

static long proc_pwrite(struct file *f, struct uio *u, uint64_t off)
{
	return f->vn->pfs.kind == PK_P_MEM ? mem_rw(f, u, off, true) : -EINVAL;
}

static long proc_pread(struct file *f, struct uio *u, uint64_t off)
{
	if (f->vn->pfs.kind == PK_P_PAGEMAP)
		return pagemap_read(f, u, off);
	if (f->vn->pfs.kind == PK_P_MEM)
		return mem_rw(f, u, off, false);
	struct seq *s = f->priv;
	if (!s->made) {
		int err = make_text(f->vn, s);
		if (err)
			return err;
		s->made = true;
	}
	long total = 0;
	while (off < s->len && uio_resid(u)) {
		uint64_t in = off % 4096, n = 4096 - in < s->len - off ? 4096 - in : s->len - off;
		long m = uio_copyout(u, (char *)s->pages[off / 4096] + in, n);
		if (m < 0)
			return total ? total : m;
		total += m;
		off += (uint64_t)m;
		if ((uint64_t)m < n)
			break;
	}
	return total;
}

static long proc_read(struct file *f, struct uio *u)
{
	long n = proc_pread(f, u, f->pos);
	if (n > 0)
		f->pos += (uint64_t)n;
	return n;
}

/* a write of the host or domain name: at the file position, as Linux's
 * proc_dostring (the text made for a read is made again) */
static long sysctl_write(struct file *f, struct uio *u)
{
	char buf[UTS_LEN + 1];
	uint64_t n = uio_resid(u);
	if (!n)
		return 0;
	long m = uio_copyin(u, buf, n < sizeof buf ? n : sizeof buf);
	if (m < 0)
		return m;
	if ((uint64_t)m < (n < sizeof buf ? n : sizeof buf))
		return -EFAULT; /* (Linux copies the whole write in first) */
	uts_sysctl_write(f->vn->pfs.kind == PK_K_HOSTNAME ? UTS_HOSTNAME : UTS_DOMAINNAME, buf, (size_t)m, &f->pos);
	f->pos += n - (uint64_t)m; /* the bytes beyond the longest name count too */
	u->done += n - (uint64_t)m;
	struct seq *s = f->priv;
	s->made = false;
	s->len = 0;
	return (long)n;
}

/* a write of a number of /proc/sys (the text made for a read is made
 * again); as Linux, the file offset moves by the whole write */
static long sysctl_number_write(struct file *f, struct uio *u, const struct sysctl *ctl)
{
	static char buf[4096];
	uint64_t n = uio_resid(u), want = n < sizeof buf ? n : sizeof buf;
	if (!n)
		return 0;
	long m = uio_copyin(u, buf, want);
	if (m < 0)
		return m;
	if ((uint64_t)m < want)
		return -EFAULT; /* (Linux copies the whole write in first) */
	long r = sysctl_store(ctl, current && current->proc ? &current->proc->cred : NULL, buf, n, f->pos);
	if (r < 0)
		return r;
	f->pos += n;
	struct seq *s = f->priv;
	s->made = false;
	s->len = 0;
	return r;
}

/* a process may rename itself through comm, and the names and numbers of
 * the system can be changed; the rest cannot be written: EIO for the
 * system's files, EINVAL for a process's (as Linux) */
static long proc_write(struct file *f, struct uio *u)
{
	struct proc *p = node_proc(f->vn);
	if (f->vn->pfs.kind == PK_P_MEM) {
		long n = mem_rw(f, u, f->pos, true);
		if (n > 0)
			f->pos += (uint64_t)n;
		return n;
	}
	const struct sysctl *ctl = ctl_of(f->vn->pfs.kind);
	if (ctl)
		return sysctl_number_write(f, u, ctl);
	if (f->vn->pfs.kind == PK_K_HOSTNAME || f->vn->pfs.kind == PK_K_DOMAINNAME)
		return sysctl_write(f, u);
	if (f->vn->pfs.kind < PK_PID)
		return -EIO;
	if (f->vn->pfs.kind != PK_P_COMM && f->vn->pfs.kind != PK_T_COMM)
		return -EINVAL;
	if (!p || f->vn->pfs.pid < 0)
		return -ESRCH;
	char name[sizeof p->comm] = "";
	uint64_t n = uio_resid(u);
	long m = uio_copyin(u, name, n < sizeof name - 1 ? n : sizeof name - 1);
	if (m < 0)
		return m;
	if (!current || current->proc != p)
		return -EINVAL;
	/* (Linux keeps a newline too) */
	struct lthread *th = f->vn->pfs.kind == PK_T_COMM ? node_thread(f->vn) : thread_by_tid((uint64_t)p->pid);
	if (th)
		thread_set_name(th, name); /* (the leader's is its process's) */
	else
		memcpy(p->comm, name, sizeof name);
	u->done += n - (uint64_t)m;
	return (long)n;
}

static const struct file_ops proc_file_ops = {
    .read = proc_read,
    .write = proc_write,
    .release = proc_release,
    .open = proc_open,
    .pread = proc_pread,
    .pwrite = proc_pwrite};

/* ---- mounting ------------------------------------------------------------------------- */

void procfs_init(void)
{
	struct vnode *root = vfs_root();
	proc_root = node(0, PK_ROOT, 0, root, "proc", V_DIR, 0555);
	if (!proc_root)
		return;
	/* over the initramfs's /proc (made if it has none), as a mount */
	struct dentry *d = root->entries;
	while (d && strcmp(d->name, "proc"))
		d = d->next;
	if (!d) {
		vfs_dir_add(root, "proc", proc_root);
		return;
	}
	if (d->vn->type == V_DIR)
		root->nlink--;
	d->vn->nlink = d->vn->type == V_DIR ? 0 : d->vn->nlink - 1;
	vnode_get(d->vn);
	vnode_put(d->vn);
	d->vn = proc_root;
	root->nlink++;
}
