/*
 * eventfd (Linux's fs/eventfd.c): a 64-bit counter as a file.  A write of
 * 8 bytes adds to it (waiting while the sum would pass 2^64 - 2); a read
 * of 8 bytes or more takes it all, or 1 of it with EFD_SEMAPHORE, waiting
 * while it is 0.  Readable while it is not 0, writable while it is below
 * 2^64 - 2.
 */
#include "signal.h"
#include "sys.h"

#include <asm-generic/poll.h>

#define EFD_SEMAPHORE 1

struct eventfd {
	uint64_t count;
	bool semaphore;
	struct waitq wq;    /* reads and writes that wait */
	struct pollhead ph; /* the epoll entries that watch it */
};

static long eventfd_read(struct file *f, struct uio *u)
{
	struct eventfd *e = f->priv;
	if (uio_resid(u) < 8)
		return -EINVAL;
	if (!e->count) {
		if (current)
			waitq_add(&e->wq, current); /* (O_NONBLOCK: EAGAIN, do_rw) */
		return -EWOULDBLOCK_WAIT;
	}
	uint64_t v = e->semaphore ? 1 : e->count;
	e->count -= v;
	waitq_wake_all(&e->wq);
	poll_notify(&e->ph, POLLOUT);
	/* (a fault loses what was taken, as on Linux) */
	return uio_copyout(u, &v, 8) == 8 ? 8 : -EFAULT;
}

static long eventfd_write(struct file *f, struct uio *u)
{
	struct eventfd *e = f->priv;
	uint64_t v;
	if (uio_resid(u) < 8)
		return -EINVAL;
	if (uio_copyin(u, &v, 8) != 8)
		return -EFAULT;
	if (v == UINT64_MAX)
		return -EINVAL;
	if (UINT64_MAX - e->count <= v) {
		if (current)
			waitq_add(&e->wq, current);
		return -EWOULDBLOCK_WAIT;
	}
	e->count += v;
	waitq_wake_all(&e->wq);
	poll_notify(&e->ph, POLLIN); /* (a write of 0 too: an edge for epoll) */
	return 8;
}

static unsigned eventfd_poll(struct file *f, struct poll_table *pt)
{
	struct eventfd *e = f->priv;
	poll_wait(pt, &e->ph);
	unsigned m = 0;
	if (e->count)
		m |= POLLIN;
	if (e->count == UINT64_MAX)
		m |= POLLERR;
	if (e->count < UINT64_MAX - 1)
		m |= POLLOUT;
	return m;
}

static void eventfd_release(struct file *f)
{
	struct eventfd *e = f->priv;
	pollhead_gone(&e->ph);
	waitq_wake_all(&e->wq);
	mem_free(e);
}

static const struct file_ops eventfd_ops = {.read = eventfd_read,
					    .write = eventfd_write,
					    .release = eventfd_release,
					    .poll = eventfd_poll,
					    .anon_name = "[eventfd]"};

long sys_eventfd2(struct lthread *t, const struct sysargs *a)
{
	uint32_t flags = (uint32_t)a->a1;
	if (flags & ~(uint32_t)(O_CLOEXEC | O_NONBLOCK | EFD_SEMAPHORE))
		return -EINVAL;
	struct eventfd *e = mem_zalloc(sizeof *e);
	if (!e)
		return -ENOMEM;
	e->count = (uint32_t)a->a0; /* (an unsigned int) */
	e->semaphore = flags & EFD_SEMAPHORE;
	return anon_fd_install(t->proc, &eventfd_ops, e, flags, flags & O_CLOEXEC);
}

long sys_eventfd(struct lthread *t, const struct sysargs *a)
{
	struct sysargs b = *a;
	b.a1 = 0;
	return sys_eventfd2(t, &b);
}
