/*
 * AF_UNIX sockets, as Linux's net/unix/af_unix.c has them.
 *
 * A socket is a struct usock behind an anonymous vnode (V_SOCK, its
 * file_ops are unix_ops), one open file for it (dup and fork share that).
 * What one socket sends to another is a queue of buffers (struct skb) on
 * the receiver, each charged to its sender (wmem) until it is read: a
 * sender waits while its buffers cost more than its send buffer (SO_SNDBUF),
 * a datagram sender also while its receiver holds more than
 * net.unix.max_dgram_qlen of them.  A stream reader takes bytes across
 * buffers (not past one that carries files, nor across senders when
 * credentials are passed); a datagram or sequenced-packet reader takes one
 * buffer whole (what does not fit is lost: MSG_TRUNC).
 *
 * Connections: a stream or sequenced-packet connect to a listener makes
 * the server's end at once (Linux's embryo), connected to the caller and
 * queued on the listener until accept takes it; data sent meanwhile waits
 * in it.  A socket closed while connected leaves its peer shut down both
 * ways (end of file; EPIPE and SIGPIPE for a stream write), with
 * ECONNRESET if it left data unread.
 *
 * Names: a path (a socket node made by bind, which a connecting process
 * must be allowed to write; it stays when the socket closes, as on Linux)
 * or an abstract name (a leading NUL, gone with the socket), or an
 * automatic abstract one (bind with only the family; connect and send
 * with SO_PASSCRED on).
 *
 * A call that must wait parks on the socket's queue (rwait: readers and
 * accepters; wwait: writers and connecters) and is made again when woken,
 * with what it moved so far in io_done; SO_RCVTIMEO and SO_SNDTIMEO bound
 * the wait.  Files passed in flight are held by their buffer, and counted
 * against their sender's user: past its RLIMIT_NOFILE more are refused
 * (ETOOMANYREFS, Linux's too_many_unix_fds) unless CAP_SYS_RESOURCE or
 * CAP_SYS_ADMIN.  A socket that holds its own file in its queue is never
 * freed (Linux's garbage collector of such cycles is not here): that
 * limit bounds what a user can leak so.
 */
#include "net.h"

#include "signal.h"

#include <asm-generic/poll.h>

#define RCV_SHUTDOWN  1
#define SEND_SHUTDOWN 2
#define SHUTDOWN_MASK 3

#define SOCK_BUF_DEF    212992 /* net.core.wmem_default and rmem_default */
#define SOCK_BUF_MAX    212992 /* net.core.wmem_max and rmem_max */
#define SOCK_MIN_SNDBUF 4608
#define SOCK_MIN_RCVBUF 2304
#define MAX_DGRAM_QLEN  10   /* net.unix.max_dgram_qlen */
#define SOMAXCONN_L     4096 /* net.core.somaxconn */
#define SKB_COST        768  /* what a buffer costs beside its bytes (about Linux's truesize) */
#define INLINE_MAX      2048 /* a buffer's bytes up to this live with it, the rest in pages */

#define POLLRDHUP_L 0x2000

#define SO_REUSEADDR_L  2
#define SO_TYPE_L       3
#define SO_ERROR_L      4
#define SO_KEEPALIVE_L  9
#define SO_SNDBUF_L     7
#define SO_RCVBUF_L     8
#define SO_PASSCRED_L   16
#define SO_PEERCRED_L   17
#define SO_RCVTIMEO_L   20
#define SO_SNDTIMEO_L   21
#define SO_SNDBUFFORCE_L 32
#define SO_RCVBUFFORCE_L 33
#define SO_ACCEPTCONN_L 30
#define SO_PROTOCOL_L   38
#define SO_DOMAIN_L     39

#define CAP_NET_ADMIN_L 12
#define CAP_SYS_ADMIN_L 21
#define CAP_SYS_RESOURCE_L 24
#define CAP_SETUID_L    7
#define CAP_SETGID_L    6

enum ustate { U_UNCONNECTED, U_LISTENING, U_CONNECTED };

struct skb {
	struct skb *next;
	struct usock *from; /* the sender (referenced): its wmem counts cost */
	uint32_t len, off;  /* the bytes, and how many a stream read took */
	uint32_t cost;
	struct sockaddr_un_l addr; /* the sender's name (datagrams) */
	uint32_t addrlen;
	bool has_cred;
	struct ucred_l cred;
	int nfds;
	struct file **fds;
	uint32_t fds_uid; /* the user the files in flight count for */
	char **pages;     /* len > INLINE_MAX: the bytes, a page each */
	char data[];
};

struct usock {
	int type;
	enum ustate state;
	unsigned refs;
	bool dead;          /* its file is gone */
	struct usock *peer; /* referenced */
	struct skb *rq, *rq_tail;
	unsigned rq_len;
	uint64_t rq_bytes;
	uint64_t wmem; /* what its buffers in flight cost */
	int sndbuf, rcvbuf;
	unsigned shutdown;
	int err; /* SO_ERROR, taken by the next call that looks */
	bool passcred, reuseaddr, keepalive;
	int backlog;
	uint64_t rcvtimeo, sndtimeo; /* ns (0: none) */
	struct sockaddr_un_l addr;   /* its name (addrlen 0: none) */
	uint32_t addrlen;
	struct vnode *node;       /* the socket node of its path name (referenced) */
	struct usock *abs_next;   /* the sockets with abstract names */
	struct ucred_l peercred;  /* SO_PEERCRED */
	bool has_peercred;
	struct usock *acc_head, *acc_tail, *acc_next; /* a listener's connections */
	unsigned acc_len;
	struct waitq rwait, wwait;
	struct pollhead ph; /* the epoll entries that watch it */
	struct vnode *vn;   /* its own */
};

static struct usock *abstract_names;

/* the files each user has in flight (Linux's user->unix_inflight) */
struct inflight {
	struct inflight *next;
	uint32_t uid;
	uint64_t n;
};
static struct inflight *inflights;

static struct inflight **inflight_find(uint32_t uid)
{
	struct inflight **pp = &inflights;
	while (*pp && (*pp)->uid != uid)
		pp = &(*pp)->next;
	return pp;
}

static uint64_t inflight_of(uint32_t uid)
{
	struct inflight *i = *inflight_find(uid);
	return i ? i->n : 0;
}

/* n files more (or fewer) in flight for uid: false if that needed memory
 * there was none of */
static bool inflight_add(uint32_t uid, int64_t n)
{
	struct inflight **pp = inflight_find(uid), *i = *pp;
	if (!i) {
		if (n <= 0 || !(i = mem_zalloc(sizeof *i)))
			return n <= 0;
		i->uid = uid;
		*pp = i;
	}
	i->n += (uint64_t)n;
	if (!i->n) {
		*pp = i->next;
		mem_free(i);
	}
	return true;
}
static unsigned autobind_next;

static const struct file_ops unix_ops;

struct usock *sock_of(struct file *f) { return f->ops == &unix_ops ? f->vn->sock : NULL; }

static void sock_get(struct usock *s) { s->refs++; }

int unix_take_error(struct usock *s)
{
	int e = s->err;
	s->err = 0;
	return e;
}

void unix_set_error(struct usock *s, int err) { s->err = err; }

static void sock_put(struct usock *s)
{
	if (--s->refs)
		return;
	pollhead_gone(&s->ph);
	mem_free(s);
}

/* something changed for s: its waiters look again, its watchers are told
 * (poll_notify wakes poll and select too) */
static void wake(struct usock *s)
{
	waitq_wake_all(&s->rwait);
	waitq_wake_all(&s->wwait);
	poll_notify(&s->ph, 0);
}

/* ---- buffers --------------------------------------------------------------- */

static struct skb *skb_new(uint32_t len)
{
	bool inl = len <= INLINE_MAX;
	struct skb *b = mem_zalloc(sizeof *b + (inl ? len : 0));
	if (!b || inl)
		return b;
	uint32_t n = (len + 4095) / 4096;
	if (!(b->pages = mem_zalloc(n * sizeof(char *)))) {
		mem_free(b);
		return NULL;
	}
	for (uint32_t i = 0; i < n; i++) {
		if (!(b->pages[i] = page_alloc())) {
			while (i--)
				page_put(b->pages[i]);
			mem_free(b->pages);
			mem_free(b);
			return NULL;
		}
	}
	return b;
}

/* moves n bytes at off of b's data to or from u: the bytes moved, or
 * -EFAULT */
static long skb_move(struct skb *b, uint32_t off, uint32_t n, struct uio *u, bool out)
{
	long total = 0;
	while (n) {
		char *at = b->pages ? b->pages[off / 4096] + off % 4096 : b->data + off;
		uint32_t c = b->pages ? 4096 - off % 4096 : n;
		if (c > n)
			c = n;
		long m = out ? uio_copyout(u, at, c) : uio_copyin(u, at, c);
		if (m < 0)
			return total ? total : m;
		total += m;
		if ((uint32_t)m < c)
			break;
		off += c;
		n -= c;
	}
	return total;
}

static void skb_free(struct skb *b)
{
	if (b->nfds)
		inflight_add(b->fds_uid, -(int64_t)b->nfds);
	for (int i = 0; i < b->nfds; i++)
		file_put(b->fds[i]);
	mem_free(b->fds);
	if (b->pages) {
		for (uint32_t i = 0; i < (b->len + 4095) / 4096; i++)
			page_put(b->pages[i]);
		mem_free(b->pages);
	}
	struct usock *from = b->from; /* (skb_consume took its cost off) */
	mem_free(b);
	if (from) {
		wake(from);
		sock_put(from);
	}
}

/* b leaves the head of s's queue and goes */
static void skb_consume(struct usock *s)
{
	struct skb *b = s->rq;
	s->rq = b->next;
	if (!s->rq)
		s->rq_tail = NULL;
	s->rq_len--;
	s->rq_bytes -= b->len - b->off;
	if (b->from)
		b->from->wmem -= b->cost;
	skb_free(b);
}

static void queue_tail(struct usock *s, struct skb *b)
{
	if (s->rq_tail)
		s->rq_tail->next = b;
	else
		s->rq = b;
	s->rq_tail = b;
	s->rq_len++;
	s->rq_bytes += b->len;
}

/* ---- sockets and their files ------------------------------------------------------- */

static struct usock *usock_new(struct proc *p, int type)
{
	struct usock *s = mem_zalloc(sizeof *s);
	struct vnode *vn = s ? vnode_new(V_SOCK, 0777) : NULL;
	if (!vn) {
		mem_free(s);
		return NULL;
	}
	s->type = type;
	s->refs = 1; /* its file's */
	s->sndbuf = s->rcvbuf = SOCK_BUF_DEF;
	vn->nlink = 0; /* in no directory */
	vn->uid = p ? p->cred.fsuid : 0;
	vn->gid = p ? p->cred.fsgid : 0;
	vn->fops = &unix_ops;
	vn->sock = s;
	s->vn = vn;
	return s;
}

/* s's vnode goes with it when no file ever took it */
static void vnode_drop(struct usock *s)
{
	struct vnode *vn = s->vn;
	s->vn = NULL;
	vn->sock = NULL;
	vnode_get(vn);
	vnode_put(vn); /* (frees it: no names, no references) */
}

struct file *unix_create(struct proc *p, int type, uint32_t fflags, int *err)
{
	struct usock *s = usock_new(p, type);
	if (!s) {
		*err = -ENOMEM;
		return NULL;
	}
	struct file *f = file_open(s->vn, O_RDWR | fflags, err);
	if (!f) {
		vnode_drop(s);
		mem_free(s);
	}
	return f;
}

static void cred_of(struct proc *p, struct ucred_l *c)
{
	c->pid = p ? p->pid : 0;
	c->uid = p ? p->cred.euid : 0;
	c->gid = p ? p->cred.egid : 0;
}

static void connect_pair(struct usock *a, struct usock *b)
{
	a->peer = b;
	b->peer = a;
	sock_get(a);
	sock_get(b);
	a->state = b->state = U_CONNECTED;
}

int unix_pair(struct proc *p, int type, uint32_t fflags, struct file **fa, struct file **fb)
{
	int err;
	struct file *f = unix_create(p, type, fflags, &err);
	struct file *g = f ? unix_create(p, type, fflags, &err) : NULL;
	if (!g) {
		if (f)
			file_put(f);
		return err;
	}
	struct usock *a = sock_of(f), *b = sock_of(g);
	connect_pair(a, b);
	cred_of(p, &a->peercred);
	b->peercred = a->peercred;
	a->has_peercred = b->has_peercred = true;
	*fa = f;
	*fb = g;
	return 0;
}

/* ---- names -------------------------------------------------------------- */

static bool is_abstract(const struct sockaddr_un_l *a, uint32_t len) { return len > 2 && !a->path[0]; }

/* (each type has its abstract names: Linux hashes the type in) */
static struct usock *abstract_find(const struct sockaddr_un_l *a, uint32_t len, int type)
{
	for (struct usock *s = abstract_names; s; s = s->abs_next)
		if (s->type == type && s->addrlen == len && !memcmp(s->addr.path, a->path, len - 2))
			return s;
	return NULL;
}

static void unbind(struct usock *s)
{
	if (s->node) {
		s->node->sock = NULL;
		vnode_put(s->node);
		s->node = NULL;
	}
	for (struct usock **pp = &abstract_names; *pp; pp = &(*pp)->abs_next) {
		if (*pp == s) {
			*pp = s->abs_next;
			break;
		}
	}
}

static int bind_abstract(struct usock *s, const struct sockaddr_un_l *a, uint32_t len)
{
	if (abstract_find(a, len, s->type))
		return -EADDRINUSE;
	s->addr = *a;
	s->addrlen = len;
	s->abs_next = abstract_names;
	abstract_names = s;
	return 0;
}

/* Linux's unix_autobind: "\0" and five hex digits */
static int autobind(struct usock *s)
{
	if (s->addrlen)
		return 0;
	for (unsigned tries = 0; tries <= 0xfffff; tries++) {
		struct sockaddr_un_l a = {AF_UNIX_L, {0}};
		snprintf(a.path + 1, sizeof a.path - 1, "%05x", autobind_next++ & 0xfffff);
		if (!abstract_find(&a, 8, s->type))
			return bind_abstract(s, &a, 8);
	}
	return -ENOSPC;
}

/* a path name: as Linux's unix_mkname_bsd, what follows the first NUL is
 * not part of it; its length counts the NUL */
static uint32_t path_len(struct sockaddr_un_l *a, uint32_t len)
{
	uint32_t n = 0;
	while (n < len - 2 && a->path[n])
		n++;
	if (n == sizeof a->path)
		return len; /* (all 108 bytes, no NUL) */
	a->path[n] = 0;
	return n + 1 + 2;
}

static int bind_path(struct proc *p, struct usock *s, struct sockaddr_un_l *a, uint32_t len)
{
	char path[UNIX_PATH_MAX_L + 1], name[256];
	len = path_len(a, len);
	memcpy(path, a->path, len - 2);
	path[len > 110 ? UNIX_PATH_MAX_L : len - 2] = 0;
	int err;
	struct vnode *dir = at_dir(p, AT_FDCWD_LINUX, path, &err);
	if (!dir)
		return err;
	struct vnode *parent = vfs_lookup_parent(&p->cred, dir, path, name, sizeof name, &err);
	vnode_put(dir);
	if (!parent)
		return err;
	struct vnode *vn = NULL;
	if (vfs_dir_find(parent, name) || !strcmp(name, ".") || !strcmp(name, ".."))
		err = -EADDRINUSE;
	else if (parent->dops)
		err = -ENOENT;
	else if (!(err = vfs_may_create(&p->cred, parent)) && !(err = vfs_inode_room(parent))) {
		vn = vnode_create(&p->cred, parent, V_SOCK, 0777 & ~p->umask);
		err = vn ? vfs_dir_add(parent, name, vn) : -ENOMEM;
	}
	if (!err && s->addrlen) { /* (already bound: the node goes again) */
		vfs_dir_remove(parent, name, vn);
		vn = NULL;
		err = -EINVAL;
	}
	vnode_put(parent);
	if (err) {
		if (vn) {
			vn->nlink = 0;
			vnode_get(vn);
			vnode_put(vn);
		}
		return err;
	}
	vnode_get(vn);
	vn->sock = s;
	s->node = vn;
	s->addr = *a;
	s->addrlen = len;
	return 0;
}

int unix_bind(struct proc *p, struct usock *s, const struct sockaddr_un_l *ua, uint32_t len)
{
	struct sockaddr_un_l a = *ua;
	if (len == 2 && a.family == AF_UNIX_L)
		return autobind(s); /* (0 if it has a name already) */
	if (len <= 2 || len > sizeof a || a.family != AF_UNIX_L)
		return -EINVAL;
	if (is_abstract(&a, len))
		return s->addrlen ? -EINVAL : bind_abstract(s, &a, len);
	return bind_path(p, s, &a, len); /* (EADDRINUSE before EINVAL, as Linux makes the node first) */
}

/* the socket a name names, referenced, or NULL with *err */
static struct usock *find(struct proc *p, const struct sockaddr_un_l *ua, uint32_t len, int type, int *err)
{
	struct sockaddr_un_l a = *ua;
	if (len <= 2 || len > sizeof a || a.family != AF_UNIX_L) {
		*err = -EINVAL;
		return NULL;
	}
	struct usock *s;
	if (is_abstract(&a, len)) {
		s = abstract_find(&a, len, type);
		*err = -ECONNREFUSED;
	} else {
		char path[UNIX_PATH_MAX_L + 1];
		len = path_len(&a, len);
		memcpy(path, a.path, len - 2);
		path[len > 110 ? UNIX_PATH_MAX_L : len - 2] = 0;
		struct vnode *vn = at_lookup(p, AT_FDCWD_LINUX, path, false, err);
		if (!vn)
			return NULL;
		*err = vn->type != V_SOCK ? -ECONNREFUSED : vnode_permission(&p->cred, vn, MAY_WRITE);
		s = *err ? NULL : vn->sock;
		if (!*err)
			*err = -ECONNREFUSED;
		vnode_put(vn);
	}
	if (!s)
		return NULL;
	if (s->type != type) {
		*err = -EPROTOTYPE;
		return NULL;
	}
	sock_get(s);
	return s;
}

int unix_name(struct usock *s, bool peer, struct sockaddr_un_l *a, uint32_t *len)
{
	if (peer) {
		if (!s->peer || (s->type != SOCK_DGRAM_L && s->state != U_CONNECTED))
			return -ENOTCONN;
		s = s->peer;
	}
	memset(a, 0, sizeof *a);
	a->family = AF_UNIX_L;
	*len = 2;
	if (s->addrlen) {
		*a = s->addr;
		*len = s->addrlen;
	}
	return 0;
}

/* ---- waiting ------------------------------------------------------------ */

/* t's call waits on q, at most timeo ns (0: as long as it takes) since
 * it began: SYS_WAIT, or -EAGAIN once the time is up */
static long wait_on(struct lthread *t, struct waitq *q, uint64_t timeo)
{
	if (!t)
		return -EAGAIN;
	if (timeo) {
		uint64_t now = plat_now_ns();
		if (!t->wait.deadline)
			t->wait.deadline = now + timeo;
		else if (now >= t->wait.deadline)
			return -EAGAIN;
		timer_add(t, t->wait.deadline);
	}
	waitq_add(q, t);
	return SYS_WAIT;
}

/* ---- listening, connecting, accepting -------------------------------------------------- */

int unix_listen(struct proc *p, struct usock *s, int backlog)
{
	if (s->type == SOCK_DGRAM_L)
		return -EOPNOTSUPP;
	if (!s->addrlen || s->state == U_CONNECTED)
		return -EINVAL;
	if ((unsigned)backlog > SOMAXCONN_L)
		backlog = SOMAXCONN_L;
	if (backlog > s->backlog)
		waitq_wake_all(&s->wwait); /* (connects that wait for room) */
	s->backlog = backlog;
	if (s->state != U_LISTENING) {
		s->state = U_LISTENING;
		cred_of(p, &s->peercred); /* what a connecting socket sees as its peer's */
		s->has_peercred = true;
	}
	return 0;
}

static long connect_stream(struct lthread *t, struct usock *s, const struct sockaddr_un_l *a, uint32_t len, bool nonblock)
{
	struct proc *p = t ? t->proc : NULL;
	if (s->passcred && !s->addrlen) {
		int e = autobind(s);
		if (e)
			return e;
	}
	/* (Linux's order: the name, the listener, then the caller's state) */
	int err;
	struct usock *l = find(p, a, len, s->type, &err);
	if (!l)
		return err;
	long r = 0;
	if (l->state != U_LISTENING || (l->shutdown & RCV_SHUTDOWN))
		r = -ECONNREFUSED;
	else if (l->acc_len > (unsigned)l->backlog)
		r = nonblock ? -EAGAIN : wait_on(t, &l->wwait, s->sndtimeo);
	else if (s->state != U_UNCONNECTED)
		r = s->state == U_CONNECTED ? -EISCONN : -EINVAL;
	if (r) {
		sock_put(l);
		return r;
	}
	struct usock *e = usock_new(p, s->type); /* the listener's end */
	if (!e) {
		sock_put(l);
		return -ENOMEM;
	}
	/* (e->refs: the queue's, until accept gives it to its file) */
	e->vn->uid = l->vn->uid;
	e->vn->gid = l->vn->gid;
	connect_pair(s, e);
	cred_of(p, &e->peercred);
	s->peercred = l->peercred;
	e->has_peercred = s->has_peercred = true;
	if (l->addrlen) {
		e->addr = l->addr;
		e->addrlen = l->addrlen;
	}
	e->sndbuf = l->sndbuf;
	e->rcvbuf = l->rcvbuf;
	e->passcred = l->passcred;
	if (l->acc_tail)
		l->acc_tail->acc_next = e;
	else
		l->acc_head = e;
	l->acc_tail = e;
	l->acc_len++;
	wake(l);
	sock_put(l);
	return 0;
}

long unix_connect(struct lthread *t, struct usock *s, const struct sockaddr_un_l *a, uint32_t len, bool nonblock)
{
	if (s->type != SOCK_DGRAM_L)
		return connect_stream(t, s, a, len, nonblock);
	if (len >= 2 && a->family == AF_UNSPEC_L) { /* a datagram socket is disconnected */
		if (s->peer) {
			sock_put(s->peer);
			s->peer = NULL;
		}
		s->state = U_UNCONNECTED;
		return 0;
	}
	if (s->passcred && !s->addrlen) {
		int e = autobind(s);
		if (e)
			return e;
	}
	int err;
	struct usock *o = find(t ? t->proc : NULL, a, len, s->type, &err);
	if (!o)
		return err;
	if (o->peer && o->peer != s) { /* (Linux's unix_may_send) */
		sock_put(o);
		return -EPERM;
	}
	if (s->peer)
		sock_put(s->peer);
	s->peer = o; /* (the reference find took) */
	s->state = U_CONNECTED;
	return 0;
}

struct file *unix_accept(struct lthread *t, struct usock *s, uint32_t fflags, bool nonblock, int *err)
{
	if (s->type == SOCK_DGRAM_L) {
		*err = -EOPNOTSUPP;
		return NULL;
	}
	if (s->state != U_LISTENING) {
		*err = -EINVAL;
		return NULL;
	}
	struct usock *e = s->acc_head;
	if (e) {
		s->acc_head = e->acc_next;
		if (!s->acc_head)
			s->acc_tail = NULL;
	} else {
		*err = nonblock ? -EAGAIN : (int)wait_on(t, &s->rwait, s->rcvtimeo);
		return NULL;
	}
	struct file *f = file_open(e->vn, O_RDWR | fflags, err);
	if (!f) { /* (it stays queued) */
		e->acc_next = s->acc_head;
		s->acc_head = e;
		if (!s->acc_tail)
			s->acc_tail = e;
		return NULL;
	}
	s->acc_len--;
	e->acc_next = NULL;
	waitq_wake_all(&s->wwait); /* room for a connect that waits */
	return f;
}

/* ---- closing and shutting down --------------------------------------------------------- */

/* s goes (its file is closed, or nobody accepted it): its peer is shut
 * down, its names go, what waits in it goes */
static void usock_release(struct usock *s, bool embryo)
{
	s->dead = true;
	s->state = U_UNCONNECTED;
	unbind(s);
	bool unread = s->rq != NULL || embryo;
	while (s->rq)
		skb_consume(s);
	while (s->acc_head) { /* connections nobody accepted: reset */
		struct usock *e = s->acc_head;
		s->acc_head = e->acc_next;
		e->acc_next = NULL;
		usock_release(e, true);
		vnode_drop(e);
		sock_put(e);
	}
	s->acc_tail = NULL;
	s->acc_len = 0;
	struct usock *o = s->peer;
	if (o) {
		if (s->type != SOCK_DGRAM_L) {
			o->shutdown = SHUTDOWN_MASK;
			if (unread)
				o->err = ECONNRESET;
			wake(o);
		}
		s->peer = NULL;
		sock_put(o);
	}
	wake(s);
}

static void unix_release(struct file *f)
{
	struct usock *s = f->vn->sock;
	usock_release(s, false);
	f->vn->sock = NULL;
	sock_put(s);
}

int unix_shutdown(struct usock *s, int how)
{
	if (how < 0 || how > 2)
		return -EINVAL;
	unsigned mode = (unsigned)(how + 1) & SHUTDOWN_MASK;
	s->shutdown |= mode;
	struct usock *o = s->peer;
	if (o && s->type != SOCK_DGRAM_L) {
		o->shutdown |= ((mode & RCV_SHUTDOWN) ? SEND_SHUTDOWN : 0) | ((mode & SEND_SHUTDOWN) ? RCV_SHUTDOWN : 0);
		wake(o);
	}
	wake(s);
	return 0;
}

/* ---- sending ------------------------------------------------------------------ */

static long pipe_error(struct lthread *t, int flags)
{
	if (t && !(flags & MSG_NOSIGNAL_L)) { /* Linux's send_sig(SIGPIPE, current, 0) */
		siginfo_t i;
		siginfo_from(&i, SIGPIPE, SI_USER, t->proc->pid);
		signal_send(t->proc, SIGPIPE, &i);
	}
	return -EPIPE;
}

/* a buffer of n bytes from m's data, with the sender's name, credentials
 * (given, or its own when either end passes them) and the files (the
 * first buffer of a message takes them) */
static struct skb *make_skb(struct lthread *t, struct usock *s, struct usock *to, struct sock_msg *m, uint32_t n,
			    int *err)
{
	struct proc *p = t ? t->proc : NULL;
	if (m->nfds && p && inflight_of(p->cred.ruid) > p->rlim[RLIMIT_NOFILE].cur &&
	    !cred_capable(&p->cred, CAP_SYS_RESOURCE_L) && !cred_capable(&p->cred, CAP_SYS_ADMIN_L)) {
		*err = -ETOOMANYREFS; /* (Linux's too_many_unix_fds) */
		return NULL;
	}
	struct skb *b = skb_new(n);
	if (!b) {
		*err = -ENOMEM;
		return NULL;
	}
	if (n && skb_move(b, 0, n, m->data, false) != (long)n) {
		b->len = n;
		skb_free(b);
		*err = -EFAULT;
		return NULL;
	}
	b->len = n;
	b->cost = n + SKB_COST;
	b->addr = s->addr;
	b->addrlen = s->addrlen;
	if (m->has_cred) {
		b->has_cred = true;
		b->cred = m->cred;
	} else if (s->passcred || to->passcred) {
		b->has_cred = true;
		cred_of(t ? t->proc : NULL, &b->cred);
	}
	if (m->nfds) {
		uint32_t uid = p ? p->cred.ruid : 0;
		b->fds = mem_zalloc((size_t)m->nfds * sizeof(struct file *));
		if (!b->fds || !inflight_add(uid, m->nfds)) {
			mem_free(b->fds);
			b->fds = NULL;
			skb_free(b);
			*err = -ENOMEM;
			return NULL;
		}
		for (int i = 0; i < m->nfds; i++)
			b->fds[i] = m->fds[i]; /* (the message's references become the buffer's) */
		b->nfds = m->nfds;
		b->fds_uid = uid;
		m->nfds = 0; /* (a message's files go with its first buffer) */
	}
	b->from = s;
	sock_get(s);
	s->wmem += b->cost;
	return b;
}

static long send_stream(struct lthread *t, struct usock *s, struct sock_msg *m, bool nonblock)
{
	uint64_t done = t ? t->io_done : 0;
	if (m->addrlen)
		return s->state == U_CONNECTED ? -EISCONN : -EOPNOTSUPP;
	if (!s->peer || s->state != U_CONNECTED)
		return -ENOTCONN;
	if (s->shutdown & SEND_SHUTDOWN)
		return done ? (long)done : pipe_error(t, m->flags);
	uio_skip(m->data, done);
	long r = 0;
	while (uio_resid(m->data)) {
		struct usock *o = s->peer;
		uint64_t left = uio_resid(m->data);
		if (s->err) { /* (sock_alloc_send_pskb's sock_error) */
			r = done ? 0 : -s->err;
			s->err = 0;
			break;
		}
		if (s->wmem >= (uint64_t)s->sndbuf) {
			if (nonblock || (done && t && signal_pending_now(t))) {
				r = done ? 0 : -EAGAIN;
				break;
			}
			if (t)
				t->io_done = done;
			return wait_on(t, &s->wwait, s->sndtimeo) == SYS_WAIT ? SYS_WAIT : (done ? (long)done : -EAGAIN);
		}
		uint64_t chunk = (uint64_t)(s->sndbuf >> 1) - 64;
		if (chunk > left)
			chunk = left;
		if (o->dead || (o->shutdown & RCV_SHUTDOWN)) {
			r = done ? 0 : pipe_error(t, m->flags);
			break;
		}
		int err;
		struct skb *b = make_skb(t, s, o, m, (uint32_t)chunk, &err);
		if (!b) {
			r = done ? 0 : err;
			break;
		}
		queue_tail(o, b);
		wake(o);
		done += chunk;
	}
	return r ? r : (long)done;
}

static long send_dgram(struct lthread *t, struct usock *s, struct sock_msg *m, bool nonblock)
{
	uint64_t len = uio_resid(m->data);
	if (s->type == SOCK_SEQPACKET_L) {
		if (s->state != U_CONNECTED)
			return -ENOTCONN;
		m->addrlen = 0;
	}
	if (len > (uint64_t)s->sndbuf - 32)
		return -EMSGSIZE;
	int err = 0;
	struct usock *o;
	if (m->addrlen) {
		if (s->passcred && !s->addrlen && (err = autobind(s)))
			return err;
		if (!(o = find(t ? t->proc : NULL, &m->addr, m->addrlen, s->type, &err)))
			return err;
	} else {
		if (!(o = s->peer))
			return -ENOTCONN;
		sock_get(o);
	}
	long r = 0;
	if (s->shutdown & SEND_SHUTDOWN)
		r = -EPIPE;
	else if (o->dead) {
		r = s->type == SOCK_SEQPACKET_L ? -EPIPE : -ECONNREFUSED;
		if (s->type == SOCK_DGRAM_L && s->peer == o) { /* Linux forgets the dead peer */
			s->peer = NULL;
			s->state = U_UNCONNECTED;
			sock_put(o);
		}
	} else if (o->peer && o->peer != s)
		r = -EPERM;
	else if (o->shutdown & RCV_SHUTDOWN)
		r = -EPIPE;
	else if ((o->peer != s && o->rq_len > MAX_DGRAM_QLEN) || s->wmem >= (uint64_t)s->sndbuf)
		r = nonblock ? -EAGAIN : wait_on(t, o->peer != s && o->rq_len > MAX_DGRAM_QLEN ? &o->wwait : &s->wwait,
						 s->sndtimeo);
	if (!r) {
		struct skb *b = make_skb(t, s, o, m, (uint32_t)len, &err);
		if (!b)
			r = err;
		else {
			queue_tail(o, b);
			wake(o);
			r = (long)len;
		}
	}
	sock_put(o);
	return r;
}

long unix_send(struct lthread *t, struct usock *s, struct sock_msg *m, bool nonblock)
{
	if (m->flags & MSG_OOB_L)
		return -EOPNOTSUPP;
	return s->type == SOCK_STREAM_L ? send_stream(t, s, m, nonblock) : send_dgram(t, s, m, nonblock);
}

/* ---- receiving ------------------------------------------------------------------ */

/* what comes with buffer b: its sender's name and credentials, and
 * (taken from it: once) its files */
static void take_files(struct skb *b, struct sock_msg *m, bool peek)
{
	if (b->nfds) {
		for (int i = 0; i < b->nfds; i++) {
			m->fds[i] = b->fds[i];
			if (peek)
				file_get(b->fds[i]); /* (a peek passes copies: Linux's scm_fp_dup) */
		}
		m->nfds = b->nfds;
		if (!peek) {
			inflight_add(b->fds_uid, -(int64_t)b->nfds); /* (received: no longer in flight) */
			mem_free(b->fds);
			b->fds = NULL;
			b->nfds = 0;
		}
	}
}

static void take_extras(struct skb *b, struct sock_msg *m, bool peek)
{
	m->addrlen = b->addrlen; /* (0: the sender has no name) */
	if (b->addrlen)
		m->addr = b->addr;
	if (b->has_cred) {
		m->has_cred = true;
		m->cred = b->cred;
	}
	take_files(b, m, peek);
}

static long recv_dgram(struct lthread *t, struct usock *s, struct sock_msg *m, bool nonblock)
{
	if (s->type == SOCK_SEQPACKET_L && s->state != U_CONNECTED)
		return -ENOTCONN;
	if (s->err) {
		int e = s->err;
		s->err = 0;
		return -e;
	}
	struct skb *b = s->rq;
	if (!b) {
		if (s->shutdown & RCV_SHUTDOWN)
			return 0;
		return nonblock ? -EAGAIN : wait_on(t, &s->rwait, s->rcvtimeo);
	}
	uint64_t room = uio_resid(m->data);
	uint32_t n = b->len < room ? b->len : (uint32_t)room;
	long c = skb_move(b, 0, n, m->data, true);
	if (c < 0)
		return c;
	if (b->len > room)
		m->out_flags |= MSG_TRUNC_L;
	bool peek = m->flags & MSG_PEEK_L;
	take_extras(b, m, peek);
	long r = (m->flags & MSG_TRUNC_L) ? (long)b->len : c;
	if (!peek)
		skb_consume(s);
	return r;
}

/* may a stream read go on from b to the buffer after it?  not to another
 * sender's when the reader takes credentials (Linux's unix_skb_scm_eq) */
static bool glues(const struct skb *b, const struct skb *next, bool creds)
{
	if (!next)
		return false;
	if (!creds)
		return true;
	if (b->has_cred != next->has_cred)
		return false;
	return !b->has_cred || (b->cred.pid == next->cred.pid && b->cred.uid == next->cred.uid && b->cred.gid == next->cred.gid);
}

static long recv_stream(struct lthread *t, struct usock *s, struct sock_msg *m, bool nonblock)
{
	if (s->state != U_CONNECTED)
		return -EINVAL;
	uint64_t done = t && (m->flags & MSG_WAITALL_L) ? t->io_done : 0;
	uio_skip(m->data, done);
	bool peek = m->flags & MSG_PEEK_L;
	uint64_t want = uio_resid(m->data);
	struct skb *b = s->rq;
	uint32_t off = b ? b->off : 0;
	while (b && uio_resid(m->data)) {
		uint32_t avail = b->len - off;
		uint64_t room = uio_resid(m->data);
		uint32_t n = avail < room ? avail : (uint32_t)room;
		long c = skb_move(b, off, n, m->data, true);
		if (c < 0)
			return done ? (long)done : c;
		if (!done)
			take_extras(b, m, peek);
		else
			take_files(b, m, peek);
		done += (uint64_t)c;
		if (!peek) {
			b->off += (uint32_t)c;
			s->rq_bytes -= (uint64_t)c;
		}
		off += (uint32_t)c;
		if (off < b->len)
			break; /* (the reader's buffer is full) */
		struct skb *next = b->next;
		bool more = glues(b, next, s->passcred) && !m->nfds; /* (a read ends with the files it took) */
		if (!peek)
			skb_consume(s);
		if (!more)
			break;
		b = next;
		off = b ? b->off : 0;
	}
	if (done && (!(m->flags & MSG_WAITALL_L) || done >= want || peek || m->nfds))
		return (long)done; /* (files end a read: Linux's scm.fp) */
	if (s->err && !done) {
		int e = s->err;
		s->err = 0;
		return -e;
	}
	if ((s->shutdown & RCV_SHUTDOWN) || !s->peer || s->peer->dead)
		return (long)done; /* the end: 0, or what WAITALL got */
	if (nonblock)
		return done ? (long)done : -EAGAIN;
	if (done && t && signal_pending_now(t))
		return (long)done;
	if (t)
		t->io_done = done;
	long r = wait_on(t, &s->rwait, s->rcvtimeo);
	return r == SYS_WAIT ? r : (done ? (long)done : r);
}

long unix_recv(struct lthread *t, struct usock *s, struct sock_msg *m, bool nonblock)
{
	if (m->flags & MSG_OOB_L)
		return -EOPNOTSUPP;
	m->addrlen = 0;
	m->nfds = 0;
	m->has_cred = false;
	long r = s->type == SOCK_STREAM_L ? recv_stream(t, s, m, nonblock) : recv_dgram(t, s, m, nonblock);
	if (r >= 0 && s->passcred && !m->has_cred) { /* Linux's scm_recv: nobody's, pid 0 */
		m->has_cred = true;
		m->cred = (struct ucred_l){0, 65534, 65534};
	}
	if (r >= 0 && !s->passcred)
		m->has_cred = false;
	return r;
}

/* ---- options ------------------------------------------------------------------ */

int unix_getsockopt(struct usock *s, int opt, void *buf, uint32_t *len)
{
	int v;
	switch (opt) {
	case SO_TYPE_L: v = s->type; break;
	case SO_ERROR_L:
		v = s->err;
		s->err = 0;
		break;
	case SO_SNDBUF_L: v = s->sndbuf; break;
	case SO_RCVBUF_L: v = s->rcvbuf; break;
	case SO_PASSCRED_L: v = s->passcred; break;
	case SO_REUSEADDR_L: v = s->reuseaddr; break;
	case SO_KEEPALIVE_L: v = s->keepalive; break;
	case SO_ACCEPTCONN_L: v = s->state == U_LISTENING; break;
	case SO_PROTOCOL_L: v = 0; break;
	case SO_DOMAIN_L: v = AF_UNIX_L; break;
	case SO_PEERCRED_L: {
		struct ucred_l c = s->has_peercred ? s->peercred : (struct ucred_l){0, 65534, 65534};
		if (!s->has_peercred)
			c.pid = 0;
		if (*len > sizeof c)
			*len = sizeof c;
		memcpy(buf, &c, *len);
		return 0;
	}
	case SO_RCVTIMEO_L:
	case SO_SNDTIMEO_L: {
		uint64_t ns = opt == SO_RCVTIMEO_L ? s->rcvtimeo : s->sndtimeo;
		int64_t tv[2] = {(int64_t)(ns / 1000000000ull), (int64_t)(ns % 1000000000ull / 1000)};
		if (*len > sizeof tv)
			*len = sizeof tv;
		memcpy(buf, tv, *len);
		return 0;
	}
	default: return -ENOPROTOOPT;
	}
	if (*len > sizeof v)
		*len = sizeof v;
	memcpy(buf, &v, *len);
	return 0;
}

int unix_setsockopt(struct proc *p, struct usock *s, int opt, const void *buf, uint32_t len)
{
	if (opt == SO_RCVTIMEO_L || opt == SO_SNDTIMEO_L) { /* a struct timeval */
		int64_t tv[2];
		if (len < sizeof tv)
			return -EINVAL;
		memcpy(tv, buf, sizeof tv);
		if (tv[1] < 0 || tv[1] >= 1000000)
			return -EDOM;
		uint64_t ns = tv[0] < 0 ? 0 : (uint64_t)tv[0] * 1000000000ull + (uint64_t)tv[1] * 1000ull;
		if (tv[0] < 0 || tv[0] > 100000000)
			ns = tv[0] < 0 ? 0 : ~0ull >> 2;
		*(opt == SO_RCVTIMEO_L ? &s->rcvtimeo : &s->sndtimeo) = ns;
		return 0;
	}
	if (len < sizeof(int))
		return -EINVAL;
	int v;
	memcpy(&v, buf, sizeof v);
	switch (opt) {
	case SO_SNDBUFFORCE_L:
	case SO_RCVBUFFORCE_L:
		if (!cred_capable(&p->cred, CAP_NET_ADMIN_L))
			return -EPERM;
		/* fall through */
	case SO_SNDBUF_L:
	case SO_RCVBUF_L: {
		bool snd = opt == SO_SNDBUF_L || opt == SO_SNDBUFFORCE_L;
		bool force = opt == SO_SNDBUFFORCE_L || opt == SO_RCVBUFFORCE_L;
		int64_t n = force ? (v < 0 ? 0 : v) : ((unsigned)v > SOCK_BUF_MAX ? SOCK_BUF_MAX : v);
		n = n * 2 > INT32_MAX ? INT32_MAX : n * 2;
		int min = snd ? SOCK_MIN_SNDBUF : SOCK_MIN_RCVBUF;
		*(snd ? &s->sndbuf : &s->rcvbuf) = n < min ? min : (int)n;
		if (snd)
			wake(s);
		return 0;
	}
	case SO_PASSCRED_L: s->passcred = v != 0; return 0;
	case SO_REUSEADDR_L: s->reuseaddr = v != 0; return 0;
	case SO_KEEPALIVE_L: s->keepalive = v != 0; return 0;
	default: return -ENOPROTOOPT;
	}
}

/* ---- the file ------------------------------------------------------------------ */

static long unix_read(struct file *f, struct uio *u)
{
	struct sock_msg m = {.data = u};
	long r = unix_recv(u->proc ? current : NULL, f->vn->sock, &m, f->flags & O_NONBLOCK);
	for (int i = 0; i < m.nfds; i++)
		file_put(m.fds[i]); /* (a read takes no files: they are closed, as on Linux) */
	return r;
}

static long unix_write(struct file *f, struct uio *u)
{
	struct sock_msg m = {.data = u};
	return unix_send(u->proc ? current : NULL, f->vn->sock, &m, f->flags & O_NONBLOCK);
}

static unsigned unix_poll(struct file *f, struct poll_table *pt)
{
	struct usock *s = f->vn->sock;
	poll_wait(pt, &s->ph);
	unsigned m = 0;
	if (s->err)
		m |= POLLERR;
	if (s->shutdown == SHUTDOWN_MASK)
		m |= POLLHUP;
	if (s->shutdown & RCV_SHUTDOWN)
		m |= POLLRDHUP_L | POLLIN;
	if (s->rq || s->acc_head)
		m |= POLLIN;
	if (s->type != SOCK_DGRAM_L && s->state == U_UNCONNECTED)
		m |= POLLHUP;
	bool writable = s->state != U_LISTENING && s->wmem * 4 <= (uint64_t)s->sndbuf;
	if (writable && s->type == SOCK_DGRAM_L && s->peer && s->peer->peer != s && s->peer->rq_len > MAX_DGRAM_QLEN)
		writable = false;
	if (writable)
		m |= POLLOUT | POLLWRBAND;
	return m;
}

static long unix_ioctl(struct file *f, uint64_t req, uint64_t arg)
{
	struct usock *s = f->vn->sock;
	int n;
	if (req == FIONREAD) { /* SIOCINQ: a stream's bytes, a datagram socket's next message */
		if (s->state == U_LISTENING)
			return -EINVAL;
		n = s->type == SOCK_STREAM_L ? (int)s->rq_bytes : s->rq ? (int)s->rq->len : 0;
	} else if (req == 0x5411) { /* SIOCOUTQ (TIOCOUTQ): what its buffers in flight cost */
		n = (int)s->wmem;
	} else {
		return -ENOTTY;
	}
	return current ? copy_to_user(current->proc, arg, &n, sizeof n) : -EFAULT;
}

static const struct file_ops unix_ops = {
    .read = unix_read,
    .write = unix_write,
    .ioctl = unix_ioctl,
    .release = unix_release,
    .poll = unix_poll,
};
