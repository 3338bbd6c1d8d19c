/*
 * Reading and writing: read, write, their positional and vector forms,
 * lseek (SEEK_DATA and SEEK_HOLE too), sendfile.  Every user pointer goes
 * through copy_*_user (vm.c): a bad one gives -EFAULT.
 */
#include "sys.h"

/* the open file of a read (or a write) on fd, or NULL (EBADF): there is
 * none, or it is not open for that (O_ACCMODE 3 is open for neither) */
static struct file *rw_file(struct proc *p, uint64_t fd, bool write)
{
	struct file *f = fd_file(p, (int64_t)fd);
	if (!f)
		return NULL;
	uint32_t acc = f->flags & O_ACCMODE;
	if (acc != O_RDWR && acc != (write ? O_WRONLY : O_RDONLY))
		return NULL;
	return f;
}

/* /dev/null, /dev/zero, /dev/full, /dev/random, /dev/urandom: pread and
 * pwrite work (the offset means nothing), lseek always gives 0 */
static bool mem_dev(const struct vnode *vn) { return vn->type == V_CHR && vn->rdev >> 8 == 1; }

/* may pread/pwrite be used on vn (else ESPIPE) */
static bool positional(const struct vnode *vn) { return vn->type == V_REG || vn->type == V_DIR || mem_dev(vn); }

/* the transfer itself, at off (-1: at the file position) */
static long do_rw(const struct cred *c, struct file *f, struct uio *u, bool write, int64_t off)
{
	if (f->vn->type == V_DIR)
		return -EISDIR;
	if (write && f->vn->type == V_REG)
		vnode_kill_suid(c, f->vn); /* (Linux's file_remove_privs, before the data) */
	if (off >= 0 && f->ops && f->ops->pread && !write)
		return f->ops->pread(f, u, (uint64_t)off);
	if (off >= 0 && f->ops && f->ops->pwrite && write)
		return f->ops->pwrite(f, u, (uint64_t)off);
	if (off >= 0 && f->vn->type == V_REG && !f->vn->fops) {
		if (write && (f->flags & O_APPEND))
			off = (int64_t)f->vn->size; /* Linux appends, whatever the offset */
		return write ? vnode_write(f->vn, (uint64_t)off, u) : vnode_read(f->vn, (uint64_t)off, u);
	}
	if (!f->ops || !(write ? f->ops->write : f->ops->read))
		return -EINVAL;
	long r = write ? f->ops->write(f, u) : f->ops->read(f, u);
	if (r == -EWOULDBLOCK_WAIT && (f->flags & O_NONBLOCK)) {
		/* off the queue the driver put it on: a wake-up would make
		 * whatever call it is in by then again */
		if (current)
			waitq_remove(current);
		return -EAGAIN;
	}
	return r;
}

/* read, write, pread64, pwrite64: Linux's order of checks (the offset, the
 * descriptor, seekability, the access mode, then the buffer: the whole of
 * it must lie in user space, before the count is cut to MAX_RW) */
static long rw_one(struct lthread *t, const struct sysargs *a, bool write, int64_t off)
{
	struct file *f = fd_file(t->proc, (int64_t)a->a0);
	if (!f)
		return -EBADF;
	if (off >= 0 && !positional(f->vn))
		return -ESPIPE;
	if (!rw_file(t->proc, a->a0, write))
		return -EBADF;
	if (!access_ok(a->a1, a->a2))
		return -EFAULT;
	struct linux_iovec v = {a->a1, a->a2 > MAX_RW ? MAX_RW : a->a2};
	struct uio u = {.proc = t->proc, .iov = &v, .iovcnt = 1};
	return do_rw(&t->proc->cred, f, &u, write, off);
}

long sys_read(struct lthread *t, const struct sysargs *a) { return rw_one(t, a, false, -1); }
long sys_write(struct lthread *t, const struct sysargs *a) { return rw_one(t, a, true, -1); }

long sys_pread64(struct lthread *t, const struct sysargs *a)
{
	return (int64_t)a->a3 < 0 ? -EINVAL : rw_one(t, a, false, (int64_t)a->a3);
}

long sys_pwrite64(struct lthread *t, const struct sysargs *a)
{
	return (int64_t)a->a3 < 0 ? -EINVAL : rw_one(t, a, true, (int64_t)a->a3);
}

int iov_import(struct proc *p, uint64_t uiov, uint32_t n, struct linux_iovec *iov, uint64_t *total)
{
	if (n && copy_from_user(p, iov, uiov, n * sizeof iov[0]))
		return -EFAULT;
	for (uint32_t i = 0; i < n; i++)
		if ((int64_t)iov[i].len < 0)
			return -EINVAL;
	*total = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (!access_ok(iov[i].base, iov[i].len))
			return -EFAULT;
		if (iov[i].len > MAX_RW - *total)
			iov[i].len = MAX_RW - *total;
		*total += iov[i].len;
	}
	return 0;
}

/* readv, writev, preadv, pwritev: the iovecs are checked as Linux's
 * import_iovec does (a negative length: EINVAL; a buffer outside user
 * space: EFAULT; the total cut at MAX_RW), before the access mode */
static long rw_vec(struct lthread *t, const struct sysargs *a, bool write, int64_t off)
{
	static struct linux_iovec iov[UIO_MAXIOV];
	uint32_t n = (uint32_t)a->a2;
	struct file *f = fd_file(t->proc, (int64_t)a->a0);
	if (!f)
		return -EBADF;
	if (off >= 0 && !positional(f->vn))
		return -ESPIPE;
	if (n > UIO_MAXIOV)
		return -EINVAL;
	uint64_t total;
	int err = iov_import(t->proc, a->a1, n, iov, &total);
	if (err)
		return err;
	if (!rw_file(t->proc, a->a0, write))
		return -EBADF;
	if (!total)
		return 0;
	struct uio u = {.proc = t->proc, .iov = iov, .iovcnt = (int)n};
	return do_rw(&t->proc->cred, f, &u, write, off);
}

long sys_readv(struct lthread *t, const struct sysargs *a) { return rw_vec(t, a, false, -1); }
long sys_writev(struct lthread *t, const struct sysargs *a) { return rw_vec(t, a, true, -1); }
long sys_preadv(struct lthread *t, const struct sysargs *a)
{
	return (int64_t)a->a3 < 0 ? -EINVAL : rw_vec(t, a, false, (int64_t)a->a3);
}
long sys_pwritev(struct lthread *t, const struct sysargs *a)
{
	return (int64_t)a->a3 < 0 ? -EINVAL : rw_vec(t, a, true, (int64_t)a->a3);
}

/* SEEK_DATA, SEEK_HOLE in a regular file: the pages it has are data, the
 * rest holes (as tmpfs sees it) */
static int64_t seek_data(struct vnode *vn, int64_t off, bool hole)
{
	if (off < 0 || (uint64_t)off >= vn->size)
		return -ENXIO;
	for (uint64_t pos = (uint64_t)off; pos < vn->size; pos = (pos | 0xfff) + 1)
		if ((vnode_page(vn, pos / 4096, false) != NULL) != hole)
			return (int64_t)pos;
	return hole ? (int64_t)vn->size : -ENXIO;
}

long sys_lseek(struct lthread *t, const struct sysargs *a)
{
	struct file *f = fd_file(t->proc, (int64_t)a->a0);
	uint32_t whence = (uint32_t)a->a2;
	if (!f)
		return -EBADF;
	if (mem_dev(f->vn)) { /* whatever the arguments */
		f->pos = 0;
		return 0;
	}
	if (f->vn->type == V_CHR || f->vn->type == V_FIFO || f->vn->type == V_SOCK) /* ttys, pipes, sockets */
		return -ESPIPE;
	if (f->ops && f->ops->no_lseek)
		return -ESPIPE;
	if (!f->vn->type) /* an anonymous file (anon.c): Linux's noop_llseek, once whence is known */
		return whence > SEEK_HOLE ? -EINVAL : (long)f->pos;
	if ((f->vn->type == V_DIR || f->vn->dev == PROCFS_DEV) && whence != SEEK_SET && whence != SEEK_CUR)
		return -EINVAL; /* a position in a directory is an entry index, a proc file has no end: no end to
				 * seek from */
	int64_t base, pos;
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)f->pos;
		break;
	case SEEK_END:
		base = (int64_t)f->vn->size;
		break;
	case SEEK_DATA:
	case SEEK_HOLE:
		pos = seek_data(f->vn, (int64_t)a->a1, whence == SEEK_HOLE);
		if (pos >= 0)
			f->pos = (uint64_t)pos;
		return pos;
	default:
		return -EINVAL;
	}
	pos = base + (int64_t)a->a1;
	if (pos < 0 || ((int64_t)a->a1 > 0 && pos < base))
		return -EINVAL;
	f->pos = (uint64_t)pos;
	return pos;
}

/* n bytes of regular file vn's data at off (within its size) into buf */
static void data_get(struct vnode *vn, uint64_t off, char *buf, uint64_t n)
{
	for (uint64_t i = 0; i < n;) {
		uint64_t c = 4096 - ((off + i) & 0xfff) < n - i ? 4096 - ((off + i) & 0xfff) : n - i;
		const char *pg = vnode_page(vn, (off + i) / 4096, false);
		if (pg)
			memcpy(buf + i, pg + ((off + i) & 0xfff), c);
		else
			memset(buf + i, 0, c);
		i += c;
	}
}

/* sendfile's write of n bytes of buf to out: 1, all went (go on); 0, stop
 * (a short write, or an error after some bytes went); < 0, the error */
static long sendfile_out(struct file *out, const char *buf, uint64_t n, uint64_t *done, uint64_t *off)
{
	long w = file_write_kernel(out, buf, n);
	if (w < 0)
		return *done ? 0 : w == -EWOULDBLOCK_WAIT ? -EAGAIN : w;
	*done += (uint64_t)w;
	*off += (uint64_t)w;
	return (uint64_t)w == n;
}

/* sendfile(out, in, offset, count): through the server, no user buffer */
long sys_sendfile(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	struct file *out = fd_file(p, (int64_t)a->a0), *in = fd_file(p, (int64_t)a->a1);
	if (!out || !in)
		return -EBADF;
	if ((in->flags & O_ACCMODE) == O_WRONLY || (out->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if (in->vn->type != V_REG)
		return -EINVAL;
	uint64_t off = in->pos;
	if (a->a2 && copy_from_user(p, &off, a->a2, 8))
		return -EFAULT;
	uint64_t count = a->a3 > MAX_RW ? MAX_RW : a->a3, done = 0;
	static char buf[4096];
	while (in->vn->fops && in->ops->pread && done < count) { /* a file made as it is read (/proc) */
		struct linux_iovec v = {(uint64_t)buf, count - done < sizeof buf ? count - done : sizeof buf};
		struct uio u = {.proc = NULL, .iov = &v, .iovcnt = 1};
		long n = in->ops->pread(in, &u, off);
		if (n <= 0) {
			if (n < 0 && !done)
				return n;
			break;
		}
		long r = sendfile_out(out, buf, (uint64_t)n, &done, &off);
		if (r <= 0) {
			if (r < 0)
				return r;
			break;
		}
	}
	while (done < count && off < in->vn->size) {
		uint64_t n = count - done < sizeof buf ? count - done : sizeof buf;
		if (n > in->vn->size - off)
			n = in->vn->size - off;
		data_get(in->vn, off, buf, n); /* then buf to out through a kernel-side uio */
		long r = sendfile_out(out, buf, n, &done, &off);
		if (r <= 0) {
			if (r < 0)
				return r;
			break;
		}
	}
	if (a->a2) {
		if (copy_to_user(p, a->a2, &off, 8))
			return -EFAULT;
	} else {
		in->pos = off;
	}
	return (long)done;
}

/* copy_file_range's checks (Linux's generic_copy_file_checks, then
 * rw_verify_area of both ends), in its order: *len is cut to the end of
 * in's data.  Two files of different file systems are EXDEV (as Linux's
 * for file systems with no copy of their own: tmpfs, memfds) */
static long copy_checks(struct file *in, int64_t pin, struct file *out, int64_t pout, uint64_t *len)
{
	struct vnode *vi = in->vn, *vo = out->vn;
	uint32_t ai = in->flags & O_ACCMODE, ao = out->flags & O_ACCMODE;
	if (vi->type == V_DIR || vo->type == V_DIR)
		return -EISDIR;
	if (vi->type != V_REG || vo->type != V_REG)
		return -EINVAL;
	if ((ai != O_RDONLY && ai != O_RDWR) || (ao != O_WRONLY && ao != O_RDWR) || (out->flags & O_APPEND))
		return -EBADF;
	if (vi->dev != vo->dev)
		return -EXDEV;
	uint64_t n = *len;
	if ((uint64_t)pin + n < (uint64_t)pin || (uint64_t)pout + n < (uint64_t)pout)
		return -EOVERFLOW;
	if (pin >= (int64_t)vi->size)
		n = 0;
	else if (n > vi->size - (uint64_t)pin)
		n = vi->size - (uint64_t)pin;
	if (vi == vo && (uint64_t)pout + n > (uint64_t)pin && (uint64_t)pout < (uint64_t)pin + n)
		return -EINVAL; /* (overlapping ranges of one file) */
	if ((int64_t)n < 0 || pin < 0 || pout < 0 || (int64_t)((uint64_t)pin + n) < 0 ||
	    (int64_t)((uint64_t)pout + n) < 0)
		return -EINVAL; /* (rw_verify_area) */
	if (vi->fops || vo->fops)
		return -EINVAL; /* (a proc file: none is both read and written here) */
	*len = n;
	return 0;
}

/* n bytes (n > 0) of in's data at pin to out at pout, through a server
 * buffer (Linux's splice fallback): the bytes copied, or an error if none
 * were */
static long copy_data(const struct cred *c, struct vnode *vi, uint64_t pin, struct vnode *vo, uint64_t pout,
		      uint64_t n)
{
	static char buf[4096];
	uint64_t done = 0;
	vnode_kill_suid(c, vo); /* (Linux's file_remove_privs, before the data) */
	while (done < n) {
		uint64_t k = n - done < sizeof buf ? n - done : sizeof buf;
		data_get(vi, pin + done, buf, k);
		struct linux_iovec v = {(uint64_t)buf, k};
		struct uio u = {.proc = NULL, .iov = &v, .iovcnt = 1};
		long w = vnode_write(vo, pout + done, &u);
		if (w <= 0)
			return done ? (long)done : w;
		done += (uint64_t)w;
		if ((uint64_t)w < k)
			break;
	}
	if (done)
		vnode_access(vi);
	return (long)done;
}

/* copy_file_range(fd_in, off_in, fd_out, off_out, len, flags): each
 * offset from its pointer, or the file position (then moved) */
long sys_copy_file_range(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	struct file *in = fd_file(p, (int64_t)a->a0), *out = in ? fd_file(p, (int64_t)a->a2) : NULL;
	if (!out)
		return -EBADF;
	int64_t pin = (int64_t)in->pos, pout = (int64_t)out->pos;
	if (a->a1 && copy_from_user(p, &pin, a->a1, 8))
		return -EFAULT;
	if (a->a3 && copy_from_user(p, &pout, a->a3, 8))
		return -EFAULT;
	if ((uint32_t)a->a5)
		return -EINVAL;
	uint64_t len = a->a4;
	long r = copy_checks(in, pin, out, pout, &len);
	if (r || !len)
		return r;
	if (len > MAX_RW)
		len = MAX_RW;
	r = copy_data(&p->cred, in->vn, (uint64_t)pin, out->vn, (uint64_t)pout, len);
	if (r <= 0)
		return r;
	pin += r;
	pout += r;
	if (a->a1 ? copy_to_user(p, a->a1, &pin, 8) != 0 : (in->pos = (uint64_t)pin, false))
		r = -EFAULT;
	if (a->a3 ? copy_to_user(p, a->a3, &pout, 8) != 0 : (out->pos = (uint64_t)pout, false))
		r = -EFAULT;
	return r;
}
