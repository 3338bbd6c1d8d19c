/*
 * Signal-driven I/O, as Linux's fs/fcntl.c: an open file's owner (a
 * process, a thread or a process group: F_SETOWN, F_SETOWN_EX) is sent
 * SIGIO, or the signal F_SETSIG names (with si_code POLL_IN or POLL_OUT,
 * si_band and si_fd), when I/O becomes possible on a file with O_ASYNC on
 * (set by F_SETFL, not by open).  Pipes and FIFOs tell theirs (pipe.c),
 * the console its (serial.c).  The owner is sent the signal only if who
 * set it could signal it (sigio_perm).
 */
#include "sys.h"

#include "signal.h"

#define F_OWNER_TID  0
#define F_OWNER_PID  1
#define F_OWNER_PGRP 2
#define SIGPOLL_L    SIGIO

struct f_owner_ex_l {
	int type;
	int pid;
};

/* ---- owners ------------------------------------------------------------------------ */

static void set_owner(struct proc *p, struct file *f, int pid, uint8_t type)
{
	f->owner.pid = pid;
	f->owner.type = type;
	f->owner.uid = p->cred.ruid;
	f->owner.euid = p->cred.euid;
}

/* a thread (F_OWNER_TID), a process (F_OWNER_PID: named by any of its
 * threads' ids) or a process group (F_OWNER_PGRP) of that number exists */
static bool exists(int pid, uint8_t type)
{
	if (type == F_OWNER_TID)
		return thread_by_tid((uint64_t)pid) || proc_by_pid(pid);
	if (type != F_OWNER_PGRP)
		return proc_by_id(pid) != NULL;
	proc_for_each(q) {
		if (q->pgid == pid)
			return true;
	}
	return false;
}

long fasync_fcntl(struct lthread *t, struct file *f, unsigned cmd, uint64_t arg)
{
	struct proc *p = t->proc;
	switch (cmd) {
	case F_SETOWN: {
		int who = (int)arg;
		uint8_t type = F_OWNER_PID;
		if (who < 0) {
			if (who == INT32_MIN)
				return -EINVAL;
			type = F_OWNER_PGRP;
			who = -who;
		}
		if (who && !exists(who, type))
			return -ESRCH;
		set_owner(p, f, who, type);
		return 0;
	}
	case F_GETOWN:
		return f->owner.type == F_OWNER_PGRP ? -f->owner.pid : f->owner.pid;
	case F_SETOWN_EX: {
		struct f_owner_ex_l ex;
		if (copy_from_user(p, &ex, arg, sizeof ex))
			return -EFAULT;
		if (ex.type != F_OWNER_TID && ex.type != F_OWNER_PID && ex.type != F_OWNER_PGRP)
			return -EINVAL;
		if (ex.pid && (ex.pid < 0 || !exists(ex.pid, (uint8_t)ex.type)))
			return -ESRCH;
		set_owner(p, f, ex.pid, (uint8_t)ex.type);
		return 0;
	}
	case F_GETOWN_EX: {
		struct f_owner_ex_l ex = {f->owner.pid ? f->owner.type : F_OWNER_PID, f->owner.pid};
		return copy_to_user(p, arg, &ex, sizeof ex);
	}
	case F_SETSIG:
		if (arg > 64) /* (valid_signal: 0 to _NSIG) */
			return -EINVAL;
		f->owner.sig = (int)arg;
		return 0;
	case F_GETSIG:
		return f->owner.sig;
	default:
		return -EINVAL;
	}
}

/* ---- the list of a vnode's files with O_ASYNC -------------------------------------- */

static struct file **list_of(struct file *f) { return f->ops && f->ops->async ? f->ops->async : &f->vn->async; }

static void unlink_file(struct file *f)
{
	for (struct file **pp = list_of(f); *pp; pp = &(*pp)->async_next)
		if (*pp == f) {
			*pp = f->async_next;
			f->async_next = NULL;
			return;
		}
}

void fasync_set(struct file *f, int fd, bool on)
{
	unlink_file(f);
	if (on) {
		f->async_fd = fd;
		f->async_next = *list_of(f);
		*list_of(f) = f;
	}
}

void fasync_release(struct file *f)
{
	if (f->flags & FASYNC)
		unlink_file(f);
}

/* ---- the signal ------------------------------------------------------------------- */

/* sigio_perm: who set the owner could signal q */
static bool may_signal(const struct fown *o, const struct proc *q)
{
	const struct cred *c = &q->cred;
	return !o->euid || o->euid == c->suid || o->euid == c->ruid || o->uid == c->suid || o->uid == c->ruid;
}

/* send_sigio_to_task: the F_SETSIG signal with the POLL_* reason, or
 * SIGIO from the kernel, to process q or (th) one thread of it */
static void send_to(struct file *f, int fd, struct proc *q, struct lthread *th, int reason)
{
	if (!q || q->state != P_LIVE || !may_signal(&f->owner, q))
		return;
	int sig = f->owner.sig;
	siginfo_t si;
	if (sig) {
		static const long band[] = {[POLL_IN] = 0x41, [POLL_OUT] = 0x304, [POLL_MSG] = 0x441,
					    [POLL_ERR] = 0x8,  [POLL_PRI] = 0x82,  [POLL_HUP] = 0x18};
		siginfo_from(&si, sig, reason, 0);
		/* (a signal with codes of its own that would read these
		 * differently is told SI_SIGIO) */
		if (sig != SIGPOLL_L && (sig == SIGILL || sig == SIGFPE || sig == SIGSEGV || sig == SIGBUS ||
					 sig == SIGTRAP || sig == SIGCHLD || sig == SIGSYS))
			si.si_code = SI_SIGIO;
		si.si_band = band[reason];
		si.si_fd = fd;
		if (!(th ? signal_send_thread(th, sig, &si) : signal_send(q, sig, &si)))
			return;
	}
	if (th) /* (a full real-time queue falls back on SIGIO too) */
		signal_send_thread(th, SIGIO, NULL);
	else
		signal_send(q, SIGIO, NULL);
}

void fasync_signal(struct file *f, int fd, int reason)
{
	struct fown *o = &f->owner;
	if (!o->pid)
		return;
	if (o->type == F_OWNER_TID) {
		struct lthread *th = thread_by_tid((uint64_t)o->pid);
		if (th)
			send_to(f, fd, th->proc, th, reason);
		return;
	}
	if (o->type != F_OWNER_PGRP) {
		send_to(f, fd, proc_by_id(o->pid), NULL, reason);
		return;
	}
	proc_for_each(q) {
		if (q->pgid == o->pid)
			send_to(f, fd, q, NULL, reason);
	}
}

void fasync_notify(struct file *list, int reason)
{
	for (struct file *f = list; f; f = f->async_next) {
		unsigned acc = f->flags & O_ACCMODE;
		if ((reason == POLL_IN && acc == O_WRONLY) || (reason == POLL_OUT && acc == O_RDONLY))
			continue; /* (a pipe tells its read ends of data, its write ends of room) */
		fasync_signal(f, f->async_fd, reason);
	}
}
