/*
 * The socket system calls, as Linux's net/socket.c and net/core/scm.c take
 * their arguments: socket and socketpair (the type's SOCK_NONBLOCK and
 * SOCK_CLOEXEC), addresses (at most a sockaddr_storage, EINVAL beyond;
 * given back cut to the caller's room, with their whole length), message
 * headers and their iovecs, control messages (SCM_RIGHTS: up to 253 files
 * a message; SCM_CREDENTIALS: one's own, or another's with CAP_SYS_ADMIN,
 * CAP_SETUID, CAP_SETGID; given back as recvmsg's room allows, MSG_CTRUNC
 * when it does not), socket options.  AF_UNIX (unix.c) is the one family;
 * the others are EAFNOSUPPORT.
 */
#include "net.h"

#define SOCK_NONBLOCK_L O_NONBLOCK
#define SOCK_CLOEXEC_L  O_CLOEXEC
#define SOL_SOCKET_L    1
#define SCM_RIGHTS_L    1
#define SCM_CREDS_L     2
#define SOCKADDR_MAX    128 /* sizeof(struct sockaddr_storage) */
#define CAP_SYS_ADMIN_L 21
#define CAP_SETUID_L    7
#define CAP_SETGID_L    6

struct msghdr_l {
	uint64_t name;
	int32_t namelen;
	int32_t pad;
	uint64_t iov;
	uint64_t iovlen;
	uint64_t control;
	uint64_t controllen;
	int32_t flags;
	int32_t pad2;
};

struct cmsghdr_l {
	uint64_t len;
	int32_t level, type;
};
#define CMSG_ALIGN_L(n) (((n) + 7) & ~(uint64_t)7)
#define CMSG_LEN_L(n)   (sizeof(struct cmsghdr_l) + (n))
#define CMSG_SPACE_L(n) (sizeof(struct cmsghdr_l) + CMSG_ALIGN_L(n))

static void log_family(int family)
{
	static uint64_t logged;
	if (family >= 0 && family < 64 && !(logged >> family & 1)) {
		logged |= 1ull << family;
		printf("lx4-server: socket family %d not supported: EAFNOSUPPORT\n", family);
	}
}

/* the socket type and file flags of socket's and socketpair's arguments */
static int sock_args(int family, uint64_t utype, uint64_t proto, int *type, uint32_t *fflags)
{
	int t = (int)(utype & SOCK_TYPE_MASK_L);
	uint64_t flags = utype & ~(uint64_t)SOCK_TYPE_MASK_L & 0xffffffffull;
	if (flags & ~(uint64_t)(SOCK_NONBLOCK_L | SOCK_CLOEXEC_L))
		return -EINVAL;
	if (family < 0 || family >= 46) /* (NPROTO) */
		return -EAFNOSUPPORT;
	if (t < 1 || t > 10)
		return -EINVAL;
	if (family != AF_UNIX_L) {
		log_family(family);
		return -EAFNOSUPPORT;
	}
	if ((int)proto && (int)proto != AF_UNIX_L)
		return -EPROTONOSUPPORT;
	if (t == 3) /* SOCK_RAW: a datagram socket, as Linux's unix_create has it */
		t = SOCK_DGRAM_L;
	if (t != SOCK_STREAM_L && t != SOCK_DGRAM_L && t != SOCK_SEQPACKET_L)
		return -ESOCKTNOSUPPORT;
	*type = t;
	*fflags = (uint32_t)(flags & SOCK_NONBLOCK_L);
	return 0;
}

long sys_socket(struct lthread *t, const struct sysargs *a)
{
	int type;
	uint32_t fflags;
	int err = sock_args((int)a->a0, a->a1, a->a2, &type, &fflags);
	if (err)
		return err;
	if (fd_alloc(t->proc, 0) < 0)
		return -EMFILE;
	struct file *f = unix_create(t->proc, type, fflags, &err);
	if (!f)
		return err;
	return fd_install(t->proc, f, a->a1 & SOCK_CLOEXEC_L);
}

long sys_socketpair(struct lthread *t, const struct sysargs *a)
{
	int type;
	uint32_t fflags;
	int err = sock_args((int)a->a0, a->a1, a->a2, &type, &fflags);
	if (err)
		return err;
	struct proc *p = t->proc;
	struct file *f, *g;
	if ((err = unix_pair(p, type, fflags, &f, &g)))
		return err;
	bool cloexec = a->a1 & SOCK_CLOEXEC_L;
	int fds[2];
	fds[0] = fd_install(p, f, cloexec);
	if (fds[0] < 0) {
		file_put(g);
		return fds[0];
	}
	fds[1] = fd_install(p, g, cloexec);
	if (fds[1] < 0) {
		fd_close(p, fds[0]);
		return fds[1];
	}
	if (copy_to_user(p, a->a3, fds, sizeof fds)) {
		fd_close(p, fds[0]);
		fd_close(p, fds[1]);
		return -EFAULT;
	}
	return 0;
}

/* the socket at fd: NULL with *err EBADF or ENOTSOCK */
static struct usock *sock_fd(struct proc *p, uint64_t fd, struct file **fp, int *err)
{
	struct file *f = fd_file(p, (int64_t)fd);
	struct usock *s = f ? sock_of(f) : NULL;
	*err = !f ? -EBADF : -ENOTSOCK;
	if (fp)
		*fp = f;
	return s;
}

/* Linux's move_addr_to_kernel */
static int addr_in(struct proc *p, uint64_t uaddr, int64_t len, struct sockaddr_un_l *a)
{
	if (len < 0 || len > SOCKADDR_MAX)
		return -EINVAL;
	memset(a, 0, sizeof *a);
	if (len && copy_from_user(p, a, uaddr, (size_t)len < sizeof *a ? (size_t)len : sizeof *a))
		return -EFAULT;
	return 0;
}

/* Linux's move_addr_to_user: at most *ulen bytes of the name, its whole
 * length into *ulen */
static int addr_out(struct proc *p, const struct sockaddr_un_l *a, uint32_t len, uint64_t uaddr, uint64_t ulen)
{
	int32_t room;
	if (copy_from_user(p, &room, ulen, sizeof room))
		return -EFAULT;
	if (room < 0)
		return -EINVAL;
	if (len && room && copy_to_user(p, uaddr, a, (uint32_t)room < len ? (uint32_t)room : len))
		return -EFAULT;
	return copy_to_user(p, ulen, &len, sizeof len);
}

long sys_bind(struct lthread *t, const struct sysargs *a)
{
	int err;
	struct sockaddr_un_l addr;
	struct usock *s = sock_fd(t->proc, a->a0, NULL, &err);
	if (!s)
		return err;
	if ((err = addr_in(t->proc, a->a1, (int32_t)a->a2, &addr)))
		return err;
	return unix_bind(t->proc, s, &addr, (uint32_t)(int32_t)a->a2);
}

long sys_listen(struct lthread *t, const struct sysargs *a)
{
	int err;
	struct usock *s = sock_fd(t->proc, a->a0, NULL, &err);
	return s ? unix_listen(t->proc, s, (int)a->a1) : err;
}

static long do_accept(struct lthread *t, const struct sysargs *a, uint64_t flags)
{
	if (flags & ~(uint64_t)(SOCK_NONBLOCK_L | SOCK_CLOEXEC_L))
		return -EINVAL;
	struct proc *p = t->proc;
	struct file *lf;
	int err;
	struct usock *s = sock_fd(p, a->a0, &lf, &err);
	if (!s)
		return err;
	if (fd_alloc(p, 0) < 0)
		return -EMFILE;
	struct file *f = unix_accept(t, s, (uint32_t)(flags & SOCK_NONBLOCK_L), lf->flags & O_NONBLOCK, &err);
	if (!f)
		return err;
	if (a->a1) {
		struct sockaddr_un_l addr;
		uint32_t len;
		unix_name(sock_of(f), true, &addr, &len);
		if ((err = addr_out(p, &addr, len, a->a1, a->a2))) {
			file_put(f); /* (Linux: the connection is lost too) */
			return err;
		}
	}
	return fd_install(p, f, flags & SOCK_CLOEXEC_L);
}

long sys_accept(struct lthread *t, const struct sysargs *a) { return do_accept(t, a, 0); }
long sys_accept4(struct lthread *t, const struct sysargs *a) { return do_accept(t, a, a->a3); }

long sys_connect(struct lthread *t, const struct sysargs *a)
{
	int err;
	struct file *f;
	struct sockaddr_un_l addr;
	struct usock *s = sock_fd(t->proc, a->a0, &f, &err);
	if (!s)
		return err;
	if ((err = addr_in(t->proc, a->a1, (int32_t)a->a2, &addr)))
		return err;
	return unix_connect(t, s, &addr, (uint32_t)(int32_t)a->a2, f->flags & O_NONBLOCK);
}

static long get_name(struct lthread *t, const struct sysargs *a, bool peer)
{
	int err;
	struct usock *s = sock_fd(t->proc, a->a0, NULL, &err);
	if (!s)
		return err;
	struct sockaddr_un_l addr;
	uint32_t len;
	if ((err = unix_name(s, peer, &addr, &len)))
		return err;
	return addr_out(t->proc, &addr, len, a->a1, a->a2);
}

long sys_getsockname(struct lthread *t, const struct sysargs *a) { return get_name(t, a, false); }
long sys_getpeername(struct lthread *t, const struct sysargs *a) { return get_name(t, a, true); }

long sys_shutdown(struct lthread *t, const struct sysargs *a)
{
	int err;
	struct usock *s = sock_fd(t->proc, a->a0, NULL, &err);
	return s ? unix_shutdown(s, (int)a->a1) : err;
}

/* ---- messages ------------------------------------------------------------------ */

/* the iovecs of a message (at most UIO_MAXIOV: EMSGSIZE) */
static int iov_in(struct proc *p, uint64_t uiov, uint64_t n, struct linux_iovec *iov, struct uio *u)
{
	if (n > UIO_MAXIOV)
		return -EMSGSIZE;
	uint64_t total;
	int err = iov_import(p, uiov, (uint32_t)n, iov, &total);
	if (!err)
		*u = (struct uio){.proc = p, .iov = iov, .iovcnt = (int)n};
	return err;
}

/* Linux's __scm_send: SCM_RIGHTS and SCM_CREDENTIALS of the control
 * buffer into m (the files referenced); other levels are passed over */
static int control_in(struct proc *p, uint64_t uctl, uint64_t len, struct sock_msg *m)
{
	static char buf[4096];
	if (len > INT32_MAX)
		return -ENOBUFS;
	if (!len)
		return 0;
	if (len < sizeof(struct cmsghdr_l))
		return -EINVAL;
	if (len > sizeof buf)
		return -ENOBUFS; /* (Linux takes more; no program sends that much) */
	if (copy_from_user(p, buf, uctl, len))
		return -EFAULT;
	for (uint64_t off = 0; off + sizeof(struct cmsghdr_l) <= len;) {
		struct cmsghdr_l *c = (struct cmsghdr_l *)(buf + off);
		if (c->len < sizeof *c || c->len > len - off)
			return -EINVAL;
		uint64_t n = c->len - sizeof *c;
		if (c->level == SOL_SOCKET_L) {
			if (c->type == SCM_RIGHTS_L) {
				int k = (int)(n / sizeof(int));
				if (m->nfds + k > SCM_MAX_FD_L)
					return -EINVAL;
				const int *fd = (const int *)(c + 1);
				for (int i = 0; i < k; i++) {
					struct file *f = fd_file_raw(p, fd[i]);
					if (!f)
						return -EBADF;
					file_get(f);
					m->fds[m->nfds++] = f;
				}
			} else if (c->type == SCM_CREDS_L) {
				if (c->len != CMSG_LEN_L(sizeof(struct ucred_l)))
					return -EINVAL;
				struct ucred_l u;
				memcpy(&u, c + 1, sizeof u);
				const struct cred *cr = &p->cred;
				bool pid_ok = u.pid == p->pid || cred_capable(cr, CAP_SYS_ADMIN_L);
				bool uid_ok = u.uid == cr->ruid || u.uid == cr->euid || u.uid == cr->suid ||
					      cred_capable(cr, CAP_SETUID_L);
				bool gid_ok = u.gid == cr->rgid || u.gid == cr->egid || u.gid == cr->sgid ||
					      cred_capable(cr, CAP_SETGID_L);
				if (!pid_ok || !uid_ok || !gid_ok)
					return -EPERM;
				if (!proc_by_pid(u.pid))
					return -ESRCH; /* (no such process: find_get_pid) */
				m->has_cred = true;
				m->cred = u;
			} else {
				return -EINVAL;
			}
		}
		off += CMSG_ALIGN_L(c->len);
	}
	return 0;
}

/* the files m still holds (those installed are NULL) are closed */
static void put_files(struct sock_msg *m)
{
	for (int i = 0; i < m->nfds; i++)
		if (m->fds[i])
			file_put(m->fds[i]);
	m->nfds = 0;
}

/* m sent or received on the socket at fd (O_NONBLOCK or MSG_DONTWAIT: no wait) */
static long do_io(struct lthread *t, uint64_t fd, struct sock_msg *m, bool send)
{
	int err;
	struct file *f;
	struct usock *s = sock_fd(t->proc, fd, &f, &err);
	if (!s)
		return err;
	bool nonblock = (f->flags & O_NONBLOCK) || (m->flags & MSG_DONTWAIT_L);
	return send ? unix_send(t, s, m, nonblock) : unix_recv(t, s, m, nonblock);
}

long sys_sendto(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	static struct sock_msg m;
	struct linux_iovec v = {a->a1, a->a2 > MAX_RW ? MAX_RW : a->a2};
	struct uio u = {.proc = p, .iov = &v, .iovcnt = 1};
	if (!access_ok(a->a1, a->a2))
		return -EFAULT;
	m = (struct sock_msg){.data = &u, .flags = (int)a->a3};
	if (a->a4) {
		int err = addr_in(p, a->a4, (int32_t)a->a5, &m.addr);
		if (err)
			return err;
		m.addrlen = (uint32_t)(int32_t)a->a5;
	}
	return do_io(t, a->a0, &m, true);
}

long sys_sendmsg(struct lthread *t, const struct sysargs *a)
{
	static struct linux_iovec iov[UIO_MAXIOV];
	static struct sock_msg m;
	struct proc *p = t->proc;
	struct msghdr_l h;
	struct uio u;
	int err;
	struct file *f;
	if (!sock_fd(p, a->a0, &f, &err))
		return err;
	if (copy_from_user(p, &h, a->a1, sizeof h))
		return -EFAULT;
	m = (struct sock_msg){.data = &u, .flags = (int)a->a2};
	if (h.name && h.namelen) {
		if ((err = addr_in(p, h.name, h.namelen, &m.addr)))
			return err;
		m.addrlen = (uint32_t)h.namelen;
	}
	if ((err = iov_in(p, h.iov, h.iovlen, iov, &u)))
		return err;
	if ((err = control_in(p, h.control, h.controllen, &m))) {
		put_files(&m);
		return err;
	}
	long r = do_io(t, a->a0, &m, true);
	put_files(&m); /* (those the message did not take) */
	return r;
}

/* recvmsg's control messages (Linux's scm_recv and put_cmsg): the
 * credentials, then the files, installed as descriptors; what does not fit
 * in room bytes at uctl is cut (MSG_CTRUNC) and its files closed; returns
 * the bytes used */
static uint64_t control_out(struct proc *p, struct sock_msg *m, uint64_t uctl, uint64_t room, bool cloexec)
{
	uint64_t used = 0;
	if (m->has_cred) {
		if (!uctl || room < sizeof(struct cmsghdr_l)) {
			m->out_flags |= MSG_CTRUNC_L;
		} else {
			struct {
				struct cmsghdr_l h;
				struct ucred_l c;
			} cm = {{CMSG_LEN_L(sizeof(struct ucred_l)), SOL_SOCKET_L, SCM_CREDS_L}, m->cred};
			uint64_t n = CMSG_LEN_L(sizeof cm.c);
			if (room < n) {
				m->out_flags |= MSG_CTRUNC_L;
				n = room;
			}
			if (copy_to_user(p, uctl, &cm, n))
				return used;
			n = CMSG_SPACE_L(sizeof cm.c) < room ? CMSG_SPACE_L(sizeof cm.c) : room;
			uctl += n;
			room -= n;
			used += n;
		}
	}
	if (!m->nfds)
		return used;
	int max = uctl && room > sizeof(struct cmsghdr_l) ? (int)((room - sizeof(struct cmsghdr_l)) / sizeof(int)) : 0;
	static int fds[SCM_MAX_FD_L];
	int i = 0;
	for (; i < m->nfds && i < max; i++) {
		int fd = fd_install(p, m->fds[i], cloexec);
		if (fd < 0) { /* (fd_install dropped the file) */
			m->fds[i] = NULL;
			break;
		}
		fds[i] = fd;
		m->fds[i] = NULL;
	}
	if (i > 0) {
		struct cmsghdr_l h = {CMSG_LEN_L((uint64_t)i * sizeof(int)), SOL_SOCKET_L, SCM_RIGHTS_L};
		if (!copy_to_user(p, uctl, &h, sizeof h))
			copy_to_user(p, uctl + sizeof h, fds, (size_t)i * sizeof(int));
		uint64_t n = CMSG_SPACE_L((uint64_t)i * sizeof(int));
		used += n < room ? n : room;
	}
	if (i < m->nfds || max <= 0)
		m->out_flags |= MSG_CTRUNC_L;
	put_files(m);
	return used;
}

long sys_recvfrom(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	static struct sock_msg m;
	struct linux_iovec v = {a->a1, a->a2 > MAX_RW ? MAX_RW : a->a2};
	struct uio u = {.proc = p, .iov = &v, .iovcnt = 1};
	if (!access_ok(a->a1, a->a2))
		return -EFAULT;
	m = (struct sock_msg){.data = &u, .flags = (int)a->a3};
	long r = do_io(t, a->a0, &m, false);
	put_files(&m); /* (no room for them: closed) */
	if (r >= 0 && a->a4) {
		int err = addr_out(p, &m.addr, m.addrlen, a->a4, a->a5);
		if (err)
			return err;
	}
	return r;
}

long sys_recvmsg(struct lthread *t, const struct sysargs *a)
{
	static struct linux_iovec iov[UIO_MAXIOV];
	static struct sock_msg m;
	struct proc *p = t->proc;
	struct msghdr_l h;
	struct uio u;
	int err;
	struct file *f;
	if (!sock_fd(p, a->a0, &f, &err))
		return err;
	if (copy_from_user(p, &h, a->a1, sizeof h))
		return -EFAULT;
	if (h.namelen < 0)
		return -EINVAL;
	if ((err = iov_in(p, h.iov, h.iovlen, iov, &u)))
		return err;
	m = (struct sock_msg){.data = &u, .flags = (int)a->a2};
	long r = do_io(t, a->a0, &m, false);
	if (r < 0) {
		put_files(&m);
		return r;
	}
	uint32_t namelen = 0;
	if (h.name && m.addrlen) {
		namelen = m.addrlen;
		if (copy_to_user(p, h.name, &m.addr, (uint32_t)h.namelen < namelen ? (uint32_t)h.namelen : namelen)) {
			put_files(&m);
			return -EFAULT;
		}
	}
	uint64_t used = control_out(p, &m, h.control, h.control ? h.controllen : 0, a->a2 & MSG_CMSG_CLOEXEC_L);
	h.namelen = (int32_t)namelen;
	h.controllen = used;
	h.flags = m.out_flags;
	if (copy_to_user(p, a->a1, &h, sizeof h))
		return -EFAULT;
	return r;
}

/* ---- options ------------------------------------------------------------------ */

long sys_setsockopt(struct lthread *t, const struct sysargs *a)
{
	int err;
	struct usock *s = sock_fd(t->proc, a->a0, NULL, &err);
	if (!s)
		return err;
	int32_t len = (int32_t)a->a4;
	if (len < 0)
		return -EINVAL;
	if ((int)a->a1 != SOL_SOCKET_L)
		return -EOPNOTSUPP;
	char buf[16] = {0};
	uint32_t n = (uint32_t)len < sizeof buf ? (uint32_t)len : sizeof buf;
	if (n && copy_from_user(t->proc, buf, a->a3, n))
		return -EFAULT;
	return unix_setsockopt(t->proc, s, (int)a->a2, buf, (uint32_t)len);
}

long sys_getsockopt(struct lthread *t, const struct sysargs *a)
{
	int err;
	struct usock *s = sock_fd(t->proc, a->a0, NULL, &err);
	if (!s)
		return err;
	int32_t len;
	if (copy_from_user(t->proc, &len, a->a4, sizeof len))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if ((int)a->a1 != SOL_SOCKET_L)
		return -EOPNOTSUPP;
	char buf[16];
	uint32_t n = (uint32_t)len;
	if ((err = unix_getsockopt(s, (int)a->a2, buf, &n)))
		return err;
	if (n && copy_to_user(t->proc, a->a3, buf, n))
		return -EFAULT;
	return copy_to_user(t->proc, a->a4, &n, sizeof n);
}
