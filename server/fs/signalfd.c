/*
 * signalfd (Linux's fs/signalfd.c): a file from which the signals of a
 * set that are pending for the reading thread are taken, each as a
 * struct signalfd_siginfo of 128 bytes, instead of being delivered.  As
 * on Linux the file is about whoever reads or polls it (a process forked
 * with it reads its own signals), and a signal wakes the readers and the
 * epoll entries that watch its process (proc.sigfd_ph, added by the
 * epoll_ctl of that process).
 */
#include "signal.h"
#include "sys.h"

#include <asm-generic/poll.h>
#include <linux/signalfd.h>

_Static_assert(sizeof(struct signalfd_siginfo) == 128, "signalfd_siginfo is 128 bytes");

struct signalfd {
	uint64_t mask; /* the signals it takes (never SIGKILL, SIGSTOP) */
};

/* the reads that wait for a signal, whoever's: a signal wakes them all,
 * and each looks at its own */
static struct waitq readers;
static unsigned signalfds; /* how many there are (none: a signal tells nobody) */

static const struct file_ops signalfd_ops;

void signalfd_notify(struct proc *p)
{
	if (!signalfds)
		return;
	waitq_wake_all(&readers);
	poll_notify(&p->sigfd_ph, 0);
}

/* Linux's siginfo_layout: which fields of the siginfo mean something */
enum layout { L_KILL, L_TIMER, L_POLL, L_FAULT, L_FAULT_MCE, L_CHLD, L_RT, L_SYS };

static enum layout layout_of(int sig, int code)
{
	if (code > SI_USER && code < SI_KERNEL) {
		switch (sig) {
		case SIGILL: return code <= NSIGILL ? L_FAULT : code <= NSIGPOLL ? L_POLL : L_KILL;
		case SIGFPE: return code <= NSIGFPE ? L_FAULT : code <= NSIGPOLL ? L_POLL : L_KILL;
		case SIGSEGV: return code <= NSIGSEGV ? L_FAULT : code <= NSIGPOLL ? L_POLL : L_KILL;
		case SIGBUS:
			if (code <= NSIGBUS)
				return code == BUS_MCEERR_AR || code == BUS_MCEERR_AO ? L_FAULT_MCE : L_FAULT;
			return code <= NSIGPOLL ? L_POLL : L_KILL;
		case SIGTRAP: return code <= NSIGTRAP ? L_FAULT : code <= NSIGPOLL ? L_POLL : L_KILL;
		case SIGCHLD: return code <= NSIGCHLD ? L_CHLD : code <= NSIGPOLL ? L_POLL : L_KILL;
		case SIGSYS: return code <= NSIGSYS ? L_SYS : code <= NSIGPOLL ? L_POLL : L_KILL;
		default: return code <= NSIGPOLL ? L_POLL : L_KILL;
		}
	}
	if (code == SI_TIMER)
		return L_TIMER;
	if (code == SI_SIGIO)
		return L_POLL;
	return code < 0 ? L_RT : L_KILL;
}

/* Linux's signalfd_copyinfo */
static void fill(struct signalfd_siginfo *s, const siginfo_t *i)
{
	memset(s, 0, sizeof *s);
	s->ssi_signo = (uint32_t)i->si_signo;
	s->ssi_errno = i->si_errno;
	s->ssi_code = i->si_code;
	switch (layout_of(i->si_signo, i->si_code)) {
	case L_KILL:
		s->ssi_pid = (uint32_t)i->si_pid;
		s->ssi_uid = i->si_uid;
		break;
	case L_TIMER:
		s->ssi_tid = (uint32_t)i->si_tid;
		s->ssi_overrun = (uint32_t)i->si_overrun;
		s->ssi_ptr = (uint64_t)(uintptr_t)i->si_ptr;
		s->ssi_int = i->si_int;
		break;
	case L_POLL:
		s->ssi_band = (uint32_t)i->si_band;
		s->ssi_fd = i->si_fd;
		break;
	case L_FAULT_MCE:
		s->ssi_addr_lsb = (uint16_t)i->si_addr_lsb;
		/* fall through */
	case L_FAULT: s->ssi_addr = (uint64_t)(uintptr_t)i->si_addr; break;
	case L_CHLD:
		s->ssi_pid = (uint32_t)i->si_pid;
		s->ssi_uid = i->si_uid;
		s->ssi_status = i->si_status;
		s->ssi_utime = (uint64_t)i->si_utime;
		s->ssi_stime = (uint64_t)i->si_stime;
		break;
	case L_RT:
		s->ssi_pid = (uint32_t)i->si_pid;
		s->ssi_uid = i->si_uid;
		s->ssi_ptr = (uint64_t)(uintptr_t)i->si_ptr;
		s->ssi_int = i->si_int;
		break;
	case L_SYS:
		s->ssi_call_addr = (uint64_t)(uintptr_t)i->si_call_addr;
		s->ssi_syscall = i->si_syscall;
		s->ssi_arch = i->si_arch;
		break;
	}
}

/* Linux's signalfd_read: as many signals as fit, waiting only for the
 * first; a fault loses the signal it was to give */
static long signalfd_read(struct file *f, struct uio *u)
{
	struct signalfd *sf = f->priv;
	uint64_t count = uio_resid(u) / sizeof(struct signalfd_siginfo);
	if (!count)
		return -EINVAL;
	if (!current)
		return -EAGAIN;
	long total = 0;
	for (; count; count--) {
		siginfo_t info;
		if (!signal_dequeue_set(current, sf->mask, &info))
			break;
		struct signalfd_siginfo s;
		fill(&s, &info);
		if (uio_copyout(u, &s, sizeof s) != sizeof s)
			return total ? total : -EFAULT;
		total += (long)sizeof s;
	}
	if (total)
		return total;
	waitq_add(&readers, current); /* (O_NONBLOCK: EAGAIN, do_rw) */
	return -EWOULDBLOCK_WAIT;
}

static unsigned signalfd_poll(struct file *f, struct poll_table *pt)
{
	struct signalfd *sf = f->priv;
	if (!current)
		return 0;
	poll_wait(pt, &current->proc->sigfd_ph);
	return signal_pending_set(current) & sf->mask ? POLLIN : 0;
}

static void signalfd_release(struct file *f)
{
	mem_free(f->priv);
	signalfds--;
}

static const struct file_ops signalfd_ops = {
    .read = signalfd_read, .release = signalfd_release, .poll = signalfd_poll, .anon_name = "[signalfd]"};

/* Linux's do_signalfd4: a new signalfd (ufd -1) or a new mask for one */
long sys_signalfd4(struct lthread *t, const struct sysargs *a)
{
	int ufd = (int)a->a0, flags = (int)a->a3;
	uint64_t mask;
	if (a->a2 != sizeof mask)
		return -EINVAL;
	if (copy_from_user(t->proc, &mask, a->a1, sizeof mask))
		return -EFAULT;
	if (flags & ~(SFD_CLOEXEC | SFD_NONBLOCK))
		return -EINVAL;
	mask &= ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	if (ufd == -1) {
		struct signalfd *sf = mem_zalloc(sizeof *sf);
		if (!sf)
			return -ENOMEM;
		sf->mask = mask;
		signalfds++;
		return anon_fd_install(t->proc, &signalfd_ops, sf, (uint32_t)flags, flags & SFD_CLOEXEC);
	}
	struct file *f = fd_file(t->proc, ufd);
	if (!f)
		return -EBADF;
	if (f->ops != &signalfd_ops)
		return -EINVAL;
	((struct signalfd *)f->priv)->mask = mask;
	signalfd_notify(t->proc);
	return ufd;
}

long sys_signalfd(struct lthread *t, const struct sysargs *a)
{
	struct sysargs b = *a;
	b.a3 = 0;
	return sys_signalfd4(t, &b);
}
