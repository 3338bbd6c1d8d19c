/*
 * Pipes, as Linux has them (fs/pipe.c): a ring of buffers, each a page
 * with a run of bytes in it, 16 by default (64 KiB); F_SETPIPE_SZ makes it
 * another power of two.  A write first adds its last partial page's worth
 * of bytes to the last buffer if they fit there (small writes share a
 * page), then fills whole new buffers while the ring has free ones; a
 * write of at most PIPE_BUF bytes thus goes in whole or waits, a longer
 * one goes in as buffers come free and its call returns when all of it is
 * in (or a signal comes, with what went in).  A read takes what is there,
 * waiting only while the pipe is empty and a writer exists.  Packet mode
 * (O_DIRECT on the write end): each new buffer is a message that one read
 * takes whole.  With no
 * reader a write fails with EPIPE and raises SIGPIPE.  Data moves a run of
 * bytes at a time between the user's pages and the ring's.
 */
#include "signal.h"
#include "sys.h"

#include <asm-generic/poll.h>

#define PIPE_DEF_BUFFERS 16
#define PIPE_MAX_BUFFERS 512 /* the largest ring here (2 MiB): its array is one page */

/* a buffer: len bytes at off in page; merge: later writes may add to it
 * (else it is a packet, which a read takes whole) */
struct pipe_buf {
	char *page;
	uint16_t off, len;
	bool merge;
};

struct pipe {
	struct pipe_buf *ring; /* nbufs of them, a power of two */
	unsigned nbufs;
	unsigned head, tail; /* buffers filled and emptied since the start */
	uint64_t bytes;      /* in all the buffers */
	char *spare;         /* a page kept for the next buffer */
	unsigned readers, writers;
	struct waitq rq, wq;
	/* a named pipe's: opens made so far, and the opens that wait for
	 * the other end (Linux's r_counter, w_counter, rd_wait, wr_wait) */
	uint64_t r_opens, w_opens;
	struct waitq r_open, w_open;
	/* the epoll entries that watch its read end and its write end
	 * (Linux's rd_wait and wr_wait) */
	struct pollhead rd_ph, wr_ph;
};

unsigned pipe_max_size = 1u << 20; /* /proc/sys/fs/pipe-max-size */

static bool empty(const struct pipe *p) { return p->head == p->tail; }
static bool full(const struct pipe *p) { return p->head - p->tail >= p->nbufs; }
static struct pipe_buf *buf_at(struct pipe *p, unsigned i) { return &p->ring[i & (p->nbufs - 1)]; }

static struct pipe_buf *ring_new(unsigned n)
{
	_Static_assert(PIPE_MAX_BUFFERS * sizeof(struct pipe_buf) <= 8192, "a ring is at most two small objects");
	return n * sizeof(struct pipe_buf) <= 4000 ? mem_zalloc(n * sizeof(struct pipe_buf)) : page_alloc();
}

static void ring_free(struct pipe_buf *ring, unsigned n)
{
	if (n * sizeof(struct pipe_buf) <= 4000)
		mem_free(ring);
	else
		page_put(ring);
}

/* the tail buffer is consumed: its page goes (or is kept as the spare) */
static void buf_release(struct pipe *p)
{
	struct pipe_buf *b = buf_at(p, p->tail++);
	if (!p->spare)
		p->spare = b->page;
	else
		page_put(b->page);
	b->page = NULL;
}

/* a pipe that no file holds and no open waits for goes (a named pipe
 * keeps no data when nobody has it open, as on Linux) */
static void pipe_free_unused(struct vnode *vn)
{
	struct pipe *p = vn->pipe;
	if (!p || p->readers || p->writers || p->r_open.head || p->w_open.head)
		return;
	while (!empty(p))
		buf_release(p);
	pollhead_gone(&p->rd_ph);
	pollhead_gone(&p->wr_ph);
	if (p->spare)
		page_put(p->spare);
	ring_free(p->ring, p->nbufs);
	mem_free(p);
	vn->pipe = NULL;
}

static struct pipe *pipe_new(void)
{
	struct pipe *p = mem_zalloc(sizeof *p);
	if (p && !(p->ring = ring_new(PIPE_DEF_BUFFERS))) {
		mem_free(p);
		return NULL;
	}
	if (p)
		p->nbufs = PIPE_DEF_BUFFERS;
	return p;
}

static long pipe_read(struct file *f, struct uio *u)
{
	struct pipe *p = f->vn->pipe;
	if (!uio_resid(u))
		return 0;
	if (empty(p)) {
		/* (Linux's pipe_read tells the writers' owners of room
		 * whenever it returns, an end of file or EAGAIN too) */
		if (!p->writers || (f->flags & O_NONBLOCK))
			fasync_notify(f->vn->async, POLL_OUT);
		if (!p->writers)
			return 0; /* end of file */
		if (current)
			waitq_add(&p->rq, current);
		return -EWOULDBLOCK_WAIT;
	}
	bool was_full = full(p);
	long total = 0;
	while (!empty(p) && uio_resid(u)) {
		struct pipe_buf *b = buf_at(p, p->tail);
		long n = uio_copyout(u, b->page + b->off, b->len);
		if (n < 0)
			return total ? total : n;
		total += n;
		p->bytes -= (uint64_t)n;
		b->off += (uint16_t)n;
		b->len -= (uint16_t)n;
		bool packet = !b->merge;
		if (packet) { /* one message, whole: what did not fit is gone */
			p->bytes -= b->len;
			b->len = 0;
		}
		if (!b->len)
			buf_release(p);
		if (packet || b->len)
			break; /* (a fault, or the user's buffer is full) */
	}
	if (was_full) {
		waitq_wake_all(&p->wq);
		poll_notify(&p->wr_ph, POLLOUT | POLLWRNORM);
	} else {
		waitq_wake_all(&poll_waiters);
	}
	fasync_notify(f->vn->async, POLL_OUT);
	return total;
}

/* Linux's merge: the write's last partial page (its length modulo the
 * page size) goes into the last buffer if it fits there */
static long write_merge(struct pipe *p, struct uio *u, uint64_t total)
{
	uint64_t chars = total & 4095;
	if (!chars || empty(p))
		return 0;
	struct pipe_buf *b = buf_at(p, p->head - 1);
	if (!b->merge || b->off + b->len + chars > 4096)
		return 0;
	long n = uio_copyin(u, b->page + b->off + b->len, chars);
	if (n < 0 || (uint64_t)n < chars)
		return -EFAULT; /* (none of it counts, as on Linux) */
	b->len += (uint16_t)n;
	p->bytes += (uint64_t)n;
	return n;
}

/* new buffers while the ring has room; bytes moved, or an error */
static long write_bufs(struct pipe *p, struct uio *u, bool packets)
{
	long total = 0;
	while (!full(p) && uio_resid(u)) {
		char *page = p->spare ? p->spare : page_alloc();
		if (!page)
			return total ? total : -ENOMEM;
		p->spare = NULL;
		long n = uio_copyin(u, page, 4096);
		if (n <= 0 || (n < 4096 && uio_resid(u))) { /* a fault: this page's bytes do not count */
			p->spare = page;
			return total ? total : -EFAULT;
		}
		*buf_at(p, p->head++) = (struct pipe_buf){page, 0, (uint16_t)n, !packets};
		p->bytes += (uint64_t)n;
		total += n;
	}
	return total;
}

/* A write that waits is made again when woken: what it moved before is in
 * current->io_done, and it goes on from there (Linux's pipe_write loop,
 * which merges only before it first waits). */
static long pipe_write(struct file *f, struct uio *u)
{
	struct pipe *p = f->vn->pipe;
	struct lthread *t = u->proc ? current : NULL; /* (the server's own writes never wait) */
	uint64_t done = t ? t->io_done : 0;
	if (!p->readers) {
		if (current) { /* Linux's send_sig(SIGPIPE, current, 0) */
			siginfo_t i;
			siginfo_from(&i, SIGPIPE, SI_USER, current->proc->pid);
			signal_send(current->proc, SIGPIPE, &i);
		}
		return done ? (long)done : -EPIPE;
	}
	uio_skip(u, done);
	uint64_t want = uio_resid(u);
	if (!want)
		return (long)done;
	bool packets = f->flags & O_DIRECT, was_empty = empty(p);
	long n = done ? 0 : write_merge(p, u, want); /* (packets too, as on Linux) */
	if (n < 0)
		return n;
	if ((uint64_t)n < want) {
		long m = write_bufs(p, u, packets);
		if (m < 0 && !n && !done)
			return m;
		n += m > 0 ? m : 0;
		if (m < 0)
			return (long)(done + (uint64_t)n); /* a fault after some went in */
	}
	done += (uint64_t)n;
	if (n && was_empty) /* (a reader waits only on an empty pipe) */
		waitq_wake_all(&p->rq);
	if (n) /* (every write, as Linux's once the pipe was polled: an edge for epoll) */
		poll_notify(&p->rd_ph, POLLIN | POLLRDNORM);
	/* (Linux's pipe_write tells the readers' owners whenever it
	 * returns: with what it wrote, or EAGAIN) */
	if (!uio_resid(u) || (n && !full(p)) || !t || (f->flags & O_NONBLOCK))
		fasync_notify(f->vn->async, POLL_IN);
	if (!uio_resid(u) || (n && !full(p)))
		return (long)done; /* all of it, or a fault stopped it */
	if (done && (!t || (f->flags & O_NONBLOCK) || signal_pending_now(t)))
		return (long)done;
	if (t) {
		t->io_done = done;
		waitq_add(&p->wq, t);
	}
	return -EWOULDBLOCK_WAIT;
}

static void pipe_release(struct file *f)
{
	struct pipe *p = f->vn->pipe;
	unsigned acc = f->flags & O_ACCMODE;
	if (acc != O_WRONLY)
		p->readers--;
	if (acc != O_RDONLY)
		p->writers--;
	waitq_wake_all(&p->rq);
	waitq_wake_all(&p->wq);
	waitq_wake_all(&poll_waiters);
	if (!p->readers != !p->writers) { /* one side is gone: the other is told */
		poll_notify(&p->rd_ph, 0);
		poll_notify(&p->wr_ph, 0);
		fasync_notify(f->vn->async, POLL_IN);
		fasync_notify(f->vn->async, POLL_OUT);
	}
	pipe_free_unused(f->vn);
}

static long pipe_ioctl(struct file *f, uint64_t req, uint64_t arg)
{
	if (req != FIONREAD)
		return -ENOTTY;
	int n = (int)f->vn->pipe->bytes;
	return current ? copy_to_user(current->proc, arg, &n, sizeof n) : -EFAULT;
}

static unsigned pipe_poll(struct file *f, struct poll_table *pt)
{
	struct pipe *p = f->vn->pipe;
	unsigned acc = f->flags & O_ACCMODE, m = 0;
	if (acc != O_WRONLY) {
		poll_wait(pt, &p->rd_ph);
		bool no_writer_yet = f->priv && (uintptr_t)f->priv - 1 == p->w_opens;
		m |= (!empty(p) ? POLLIN | POLLRDNORM : 0) | (!p->writers && !no_writer_yet ? POLLHUP : 0);
	}
	if (acc != O_RDONLY) {
		poll_wait(pt, &p->wr_ph);
		m |= (!full(p) ? POLLOUT | POLLWRNORM : 0) | (!p->readers ? POLLERR : 0);
	}
	return m;
}

/* ---- named pipes (mknod S_IFIFO, mkfifo) ------------------------------------------
 * Linux's fifo_open: an open for reading waits for a writer and one for
 * writing waits for a reader, unless O_NONBLOCK (then a reader opens at
 * once and a writer fails with ENXIO while there is no reader); O_RDWR
 * waits for nobody.  An open that waits counts as its end for the other
 * side (Linux counts it in readers or writers while it waits), and it is
 * done once an open of the other side came, even if that one is closed
 * again by then (the counters: the count it saw is kept in io_done, + 1,
 * over the call's retries).  The wait is the call's, made again when
 * woken: a signal interrupts it (EINTR, or the call is restarted). */

/* t's open waits for the other side: it has come if its count of opens
 * moved since t began to wait */
static bool partner_came(struct lthread *t, uint64_t opens)
{
	if (!t->io_done) {
		t->io_done = opens + 1;
		return false;
	}
	return t->io_done != opens + 1;
}

static int fifo_open(struct file *f)
{
	struct vnode *vn = f->vn;
	struct lthread *t = current;
	if (!vn->pipe && !(vn->pipe = pipe_new()))
		return -ENOMEM;
	struct pipe *p = vn->pipe;
	bool nonblock = (f->flags & O_NONBLOCK) || !t;
	switch (f->flags & O_ACCMODE) {
	case O_RDONLY:
		if (!p->writers && !p->w_open.head && !nonblock && !partner_came(t, p->w_opens)) {
			waitq_add(&p->r_open, t);
			return -EWOULDBLOCK_WAIT;
		}
		if (!p->writers && nonblock) /* no POLLHUP until a writer came (Linux's f_version) */
			f->priv = (void *)(uintptr_t)(p->w_opens + 1);
		p->readers++;
		p->r_opens++;
		break;
	case O_WRONLY:
		if (!p->readers && !p->r_open.head) {
			if (nonblock) {
				pipe_free_unused(vn);
				return -ENXIO;
			}
			if (!partner_came(t, p->r_opens)) {
				waitq_add(&p->w_open, t);
				return -EWOULDBLOCK_WAIT;
			}
		}
		p->writers++;
		p->w_opens++;
		break;
	default:
		p->readers++;
		p->writers++;
		p->r_opens++;
		p->w_opens++;
	}
	waitq_wake_all(&p->r_open);
	waitq_wake_all(&p->w_open);
	poll_notify(&p->rd_ph, 0); /* (Linux's wake_up_partner) */
	return 0;
}

static const struct file_ops pipe_ops = {
	.read = pipe_read, .write = pipe_write, .ioctl = pipe_ioctl, .release = pipe_release, .poll = pipe_poll};
static const struct file_ops fifo_ops = {.read = pipe_read,
					 .write = pipe_write,
					 .ioctl = pipe_ioctl,
					 .release = pipe_release,
					 .poll = pipe_poll,
					 .open = fifo_open};

void fifo_init(struct vnode *vn) { vn->fops = &fifo_ops; }

void fifo_gone(struct vnode *vn)
{
	/* (no file holds it: only opens that wait, which look again and
	 * find no name) */
	waitq_wake_all(&vn->pipe->r_open);
	waitq_wake_all(&vn->pipe->w_open);
	pipe_free_unused(vn);
}

/* F_SETPIPE_SZ: Linux's round_pipe_size (a power of two pages, at least
 * one) and pipe_set_size (EPERM above pipe-max-size without
 * CAP_SYS_RESOURCE, which root has; EBUSY below the buffers in use) */
static long pipe_set_size(struct pipe *p, uint64_t arg)
{
	if (arg > (1ull << 31))
		return -EINVAL;
	unsigned n = 1;
	while ((uint64_t)n * 4096 < arg)
		n <<= 1;
	if (n > p->nbufs && (uint64_t)n * 4096 > pipe_max_size && current && current->proc &&
	    !cred_capable(&current->proc->cred, CAP_SYS_RESOURCE))
		return -EPERM;
	if (n > PIPE_MAX_BUFFERS)
		return -ENOMEM; /* (root may ask for more on Linux) */
	unsigned used = p->head - p->tail;
	if (used > n)
		return -EBUSY;
	struct pipe_buf *ring = ring_new(n);
	if (!ring)
		return -ENOMEM;
	for (unsigned i = 0; i < used; i++)
		ring[i] = *buf_at(p, p->tail + i);
	ring_free(p->ring, p->nbufs);
	p->ring = ring;
	p->nbufs = n;
	p->tail = 0;
	p->head = used;
	waitq_wake_all(&p->wq); /* (room, perhaps) */
	poll_notify(&p->wr_ph, 0);
	return (long)n * 4096;
}

long pipe_fcntl(struct file *f, unsigned cmd, uint64_t arg)
{
	if ((f->vn->fops != &pipe_ops && f->vn->fops != &fifo_ops) || !f->vn->pipe)
		return -EBADF; /* (not a pipe: Linux's get_pipe_info) */
	if (cmd == F_GETPIPE_SZ)
		return (long)f->vn->pipe->nbufs * 4096;
	return pipe_set_size(f->vn->pipe, arg);
}

long sys_pipe2(struct lthread *t, const struct sysargs *a)
{
	struct proc *pr = t->proc;
	if (a->a1 & ~(uint64_t)(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	int fds[2];
	if (fd_alloc(pr, 0) < 0)
		return -EMFILE;
	struct pipe *p = pipe_new();
	struct vnode *vn = p ? vnode_new(V_FIFO, 0600) : NULL;
	if (!vn) {
		if (p)
			ring_free(p->ring, p->nbufs);
		mem_free(p);
		return -ENFILE;
	}
	vn->nlink = 0;            /* in no directory */
	vn->uid = pr->cred.fsuid; /* (its maker's, as Linux's get_pipe_inode) */
	vn->gid = pr->cred.fsgid;
	vn->pipe = p;
	vn->fops = &pipe_ops;
	int err;
	/* (packet mode is the write end's, as on Linux) */
	uint32_t fl = (uint32_t)(a->a1 & O_NONBLOCK), wfl = (uint32_t)(a->a1 & (O_NONBLOCK | O_DIRECT));
	struct file *r = file_open(vn, O_RDONLY | fl, &err), *w = r ? file_open(vn, O_WRONLY | wfl, &err) : NULL;
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
