/*
 * Pipes: a ring buffer of one page between a read end and a write end.
 * A reader waits while it is empty and a writer exists; a writer waits
 * while it is full and a reader exists; with no reader a write fails with
 * EPIPE and raises SIGPIPE (whose default action ends the writer).
 */
#include "signal.h"
#include "sys.h"

#include <asm-generic/poll.h>

#define PIPE_SIZE 4096

struct pipe {
	char *buf;
	unsigned head, count;
	unsigned readers, writers;
	struct waitq rq, wq;
};

static long pipe_read(struct file *f, struct uio *u)
{
	struct pipe *p = f->vn->pipe;
	if (!uio_resid(u))
		return 0;
	if (!p->count) {
		if (!p->writers)
			return 0; /* end of file */
		if (current)
			waitq_add(&p->rq, current);
		return -EWOULDBLOCK_WAIT;
	}
	long total = 0;
	while (p->count && uio_resid(u)) {
		unsigned tail = (p->head + PIPE_SIZE - p->count) % PIPE_SIZE;
		unsigned chunk = PIPE_SIZE - tail < p->count ? PIPE_SIZE - tail : p->count;
		long n = uio_copyout(u, p->buf + tail, chunk);
		if (n < 0)
			return total ? total : n;
		p->count -= (unsigned)n;
		total += n;
		if ((unsigned)n < chunk)
			break;
	}
	waitq_wake_all(&p->wq);
	waitq_wake_all(&poll_waiters);
	return total;
}

static long pipe_write(struct file *f, struct uio *u)
{
	struct pipe *p = f->vn->pipe;
	if (!p->readers) {
		if (current) { /* Linux's send_sig(SIGPIPE, current, 0) */
			siginfo_t i;
			siginfo_from(&i, SIGPIPE, SI_USER, current->proc->pid);
			signal_send(current->proc, SIGPIPE, &i);
		}
		return -EPIPE;
	}
	uint64_t want = uio_resid(u);
	/* writes of up to PIPE_BUF (the size here) are atomic */
	if (!want)
		return 0;
	if (PIPE_SIZE - p->count < (want <= PIPE_SIZE ? want : 1)) {
		if (current)
			waitq_add(&p->wq, current);
		return -EWOULDBLOCK_WAIT;
	}
	long total = 0;
	while (p->count < PIPE_SIZE && uio_resid(u)) {
		unsigned room = PIPE_SIZE - p->count, chunk = PIPE_SIZE - p->head < room ? PIPE_SIZE - p->head : room;
		long n = uio_copyin(u, p->buf + p->head, chunk);
		if (n < 0)
			return total ? total : n;
		p->head = (p->head + (unsigned)n) % PIPE_SIZE;
		p->count += (unsigned)n;
		total += n;
		if ((unsigned)n < chunk)
			break;
	}
	waitq_wake_all(&p->rq);
	waitq_wake_all(&poll_waiters);
	return total;
}

static void pipe_release(struct file *f)
{
	struct pipe *p = f->vn->pipe;
	if ((f->flags & O_ACCMODE) == O_RDONLY)
		p->readers--;
	else
		p->writers--;
	waitq_wake_all(&p->rq);
	waitq_wake_all(&p->wq);
	waitq_wake_all(&poll_waiters);
	if (!p->readers && !p->writers) {
		page_put(p->buf);
		kfree(p);
		f->vn->pipe = NULL;
	}
}

static long pipe_ioctl(struct file *f, uint64_t req, uint64_t arg)
{
	if (req != FIONREAD)
		return -ENOTTY;
	int n = (int)f->vn->pipe->count;
	return current ? copy_to_user(current->proc, arg, &n, sizeof n) : -EFAULT;
}

static unsigned pipe_poll(struct file *f)
{
	struct pipe *p = f->vn->pipe;
	if ((f->flags & O_ACCMODE) == O_RDONLY)
		return (p->count ? POLLIN : 0) | (!p->writers ? POLLHUP : 0);
	return (p->count < PIPE_SIZE ? POLLOUT : 0) | (!p->readers ? POLLERR : 0);
}

static const struct file_ops pipe_ops = {
	.read = pipe_read, .write = pipe_write, .ioctl = pipe_ioctl, .release = pipe_release, .poll = pipe_poll};

long sys_pipe2(struct lthread *t, const struct sysargs *a)
{
	struct proc *pr = t->proc;
	if (a->a1 & ~(uint64_t)(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	int fds[2];
	if (fd_alloc(pr, 0) < 0)
		return -EMFILE;
	struct pipe *p = kzalloc(sizeof *p);
	struct vnode *vn = p ? vnode_new(V_FIFO, 0600) : NULL;
	if (!vn || !(p->buf = page_alloc())) {
		kfree(p);
		if (vn)
			vnode_put(vn);
		return -ENFILE;
	}
	vn->nlink = 0; /* in no directory */
	vn->pipe = p;
	vn->fops = &pipe_ops;
	int err;
	uint32_t fl = (uint32_t)(a->a1 & O_NONBLOCK);
	struct file *r = file_open(vn, O_RDONLY | fl, &err), *w = r ? file_open(vn, O_WRONLY | fl, &err) : NULL;
	if (!w) {
		if (r)
			file_put(r);
		return -ENFILE;
	}
	p->readers = p->writers = 1;
	fds[0] = fd_install(pr, r, a->a1 & O_CLOEXEC);
	if (fds[0] < 0) {
		file_put(w);
		return fds[0];
	}
	fds[1] = fd_install(pr, w, a->a1 & O_CLOEXEC);
	if (fds[1] < 0) {
		file_put(pr->fds[fds[0]]);
		pr->fds[fds[0]] = NULL;
		return fds[1];
	}
	if (copy_to_user(pr, a->a0, fds, sizeof fds)) {
		file_put(pr->fds[fds[0]]);
		file_put(pr->fds[fds[1]]);
		pr->fds[fds[0]] = pr->fds[fds[1]] = NULL;
		return -EFAULT;
	}
	return 0;
}

long sys_pipe(struct lthread *t, const struct sysargs *a)
{
	struct sysargs b = *a;
	b.a1 = 0;
	return sys_pipe2(t, &b);
}
