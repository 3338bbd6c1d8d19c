/*
 * File leases, as Linux's fs/locks.c: F_SETLEASE gives an open file of a
 * regular file a read lease (no one has it open to write) or a write
 * lease (no one else has it open at all), to its owner or with
 * CAP_LEASE.  An open (or a truncate) that conflicts with a lease (one
 * to write conflicts with any, one to read with a write lease) breaks
 * it: the holder is sent its lease signal (SIGIO, or F_SETSIG's, with
 * POLL_MSG) and given lease_break_time seconds to give the lease up or
 * take a read lease instead (F_SETLEASE, or a close); the opener waits
 * for that (or gets EWOULDBLOCK with O_NONBLOCK) and, once the time is
 * up, the lease goes whatever the holder does.  F_GETLEASE tells the type
 * a lease has, or the one a break asks of it.
 */
#include "sys.h"

#include "signal.h"

#define F_SETLEASE_L 1024
#define F_GETLEASE_L 1025
#define NS           1000000000ull

/* a file's lease, as kept (file.lease, file.lease_target) */
enum { L_NONE, L_READ, L_WRITE };

int lease_break_time = 45; /* seconds (/proc/sys/fs/lease-break-time) */

static bool writable(const struct file *f)
{
	uint32_t acc = f->flags & O_ACCMODE;
	return acc == O_WRONLY || acc == O_RDWR;
}

/* a lease that goes takes the file's owner and signal with it (Linux's
 * lease_release_private_callback) */
static void unlink_lease(struct file *f)
{
	f->owner.pid = 0;
	f->owner.sig = 0;
	for (struct file **pp = &f->vn->leases; *pp; pp = &(*pp)->lease_next)
		if (*pp == f) {
			*pp = f->lease_next;
			break;
		}
	f->lease = 0;
	f->lease_break = 0;
	f->lease_next = NULL;
}

/* a lease goes to type; a break it answers is over */
static void modify(struct file *f, uint8_t type)
{
	if (type == L_NONE) {
		unlink_lease(f);
	} else {
		f->lease = type;
		if (f->lease_break && type <= f->lease_target)
			f->lease_break = 0; /* (a read lease answers a downgrade) */
	}
	waitq_wake_all(&f->vn->leaseq);
}

/* time_out_leases: breaks whose time is up are done by force */
static void time_out(struct vnode *vn, uint64_t now)
{
	for (struct file *f = vn->leases, *next; f; f = next) {
		next = f->lease_next;
		if (f->lease_break && now >= f->lease_break)
			modify(f, f->lease_target);
	}
}

/* the type F_GETLEASE shows: what a pending break asks for */
static int shown(const struct file *f)
{
	static const int type[] = {[L_NONE] = F_UNLCK, [L_READ] = F_RDLCK, [L_WRITE] = F_WRLCK};
	return type[f->lease_break ? f->lease_target : f->lease];
}

static long set_lease(struct lthread *t, struct file *f, int fd, uint64_t arg)
{
	struct proc *p = t->proc;
	struct vnode *vn = f->vn;
	if (arg != F_RDLCK && arg != F_WRLCK && arg != F_UNLCK)
		return -EINVAL;
	if (p->cred.fsuid != vn->uid && !cred_capable(&p->cred, CAP_LEASE))
		return -EACCES;
	if (vn->type != V_REG)
		return -EINVAL;
	time_out(vn, plat_now_ns());
	if (arg == F_UNLCK) {
		if (!f->lease)
			return -EAGAIN;
		modify(f, L_NONE);
		return 0;
	}
	/* check_conflicting_open: a read lease while no one writes, a write
	 * lease while this is the only open file */
	if (arg == F_RDLCK && vn->open_w)
		return -EAGAIN;
	if (arg == F_WRLCK && (vn->open_w != (writable(f) ? 1u : 0u) || vn->open_r != (writable(f) ? 0u : 1u)))
		return -EAGAIN;
	for (struct file *o = vn->leases; o; o = o->lease_next)
		if (o != f && (arg == F_WRLCK || (o->lease_break && o->lease_target == L_NONE)))
			return -EAGAIN; /* (someone else's lease, or one being broken for a writer) */
	if (!f->lease) {
		f->lease_next = vn->leases;
		vn->leases = f;
		f->lease_break = 0;
	}
	f->lease_fd = fd;
	modify(f, arg == F_WRLCK ? L_WRITE : L_READ);
	if (!f->owner.pid) { /* the holder is told of breaks (__f_setown, unless owned already) */
		f->owner.pid = p->pid;
		f->owner.type = 1; /* F_OWNER_PID */
		f->owner.uid = p->cred.ruid;
		f->owner.euid = p->cred.euid;
	}
	return 0;
}

long lease_fcntl(struct lthread *t, struct file *f, int fd, unsigned cmd, uint64_t arg)
{
	if (cmd == F_SETLEASE_L)
		return set_lease(t, f, fd, (uint32_t)arg);
	time_out(f->vn, plat_now_ns());
	return shown(f);
}

long lease_break(struct lthread *t, struct vnode *vn, uint32_t flags)
{
	if (!vn->leases)
		return 0;
	uint64_t now = plat_now_ns();
	time_out(vn, now);
	bool want_write = (flags & O_ACCMODE) != O_RDONLY;
	uint64_t first = 0; /* the first forced end of a break this open waits for */
	for (struct file *f = vn->leases; f; f = f->lease_next) {
		if (!want_write && f->lease != L_WRITE)
			continue; /* (a reader and a read lease do not conflict) */
		bool news = !f->lease_break || (want_write && f->lease_target != L_NONE);
		if (news) {
			if (!f->lease_break)
				f->lease_break = now + (uint64_t)(lease_break_time > 0 ? lease_break_time : 0) * NS + 1;
			f->lease_target = want_write ? L_NONE : L_READ;
			fasync_signal(f, f->lease_fd, POLL_MSG);
		}
		if (!first || f->lease_break < first)
			first = f->lease_break;
	}
	if (!first)
		return 0;
	if (flags & O_NONBLOCK)
		return -EWOULDBLOCK;
	if (t) {
		t->wait.deadline = first;
		waitq_add(&vn->leaseq, t);
		timer_add(t, first);
	}
	return SYS_WAIT;
}

void lease_release(struct file *f)
{
	if (f->lease)
		modify(f, L_NONE);
}
