/*
 * Sockets.  socket.c has the system calls (their arguments, addresses,
 * message headers and control messages, as Linux's net/socket.c and
 * net/core/scm.c check them); unix.c has the one family the server
 * implements, AF_UNIX (Linux's net/unix/af_unix.c): stream, datagram and
 * sequenced-packet sockets in pairs, bound to file-system paths or
 * abstract names, listening and connecting, passing files and
 * credentials.
 */
#ifndef SRV_NET_H
#define SRV_NET_H

#include "sys.h"

#define AF_UNSPEC_L      0
#define AF_UNIX_L        1
#define SOCK_STREAM_L    1
#define SOCK_DGRAM_L     2
#define SOCK_SEQPACKET_L 5
#define SOCK_TYPE_MASK_L 0xf

#define UNIX_PATH_MAX_L 108
#define SCM_MAX_FD_L    253

/* send and receive flags (MSG_*) */
#define MSG_OOB_L          0x1
#define MSG_PEEK_L         0x2
#define MSG_CTRUNC_L       0x8
#define MSG_TRUNC_L        0x20
#define MSG_DONTWAIT_L     0x40
#define MSG_EOR_L          0x80
#define MSG_WAITALL_L      0x100
#define MSG_NOSIGNAL_L     0x4000
#define MSG_CMSG_CLOEXEC_L 0x40000000

struct sockaddr_un_l {
	uint16_t family;
	char path[UNIX_PATH_MAX_L];
};

struct ucred_l {
	int32_t pid;
	uint32_t uid, gid;
};

/* a message on its way into or out of a socket: a sendmsg's or recvmsg's
 * header in server terms */
struct sock_msg {
	struct uio *data;
	int flags; /* the call's MSG_* */
	/* send: the address to send to (len 0: the peer); receive: where it
	 * came from (len 0: nowhere a name can tell) */
	struct sockaddr_un_l addr;
	uint32_t addrlen;
	/* send: the files to pass (SCM_RIGHTS, referenced) and the sender's
	 * credentials if it gave them (SCM_CREDENTIALS); receive: what came */
	struct file *fds[SCM_MAX_FD_L];
	int nfds;
	bool has_cred;
	struct ucred_l cred;
	int out_flags; /* receive: MSG_TRUNC (the message was longer) */
};

/* ---- AF_UNIX (unix.c) ---------------------------------------------------- */
struct usock;
/* the socket of open file f, or NULL (ENOTSOCK) */
struct usock *sock_of(struct file *f);
/* a new socket of type and its open file (O_RDWR | fflags): NULL with *err */
struct file *unix_create(struct proc *p, int type, uint32_t fflags, int *err);
/* two sockets connected to each other (socketpair) */
int unix_pair(struct proc *p, int type, uint32_t fflags, struct file **a, struct file **b);
int unix_bind(struct proc *p, struct usock *s, const struct sockaddr_un_l *a, uint32_t len);
int unix_listen(struct proc *p, struct usock *s, int backlog);
/* a connection of the queue (its file, O_RDWR | fflags), or NULL with *err
 * (-EWOULDBLOCK_WAIT: parked until one comes) */
struct file *unix_accept(struct lthread *t, struct usock *s, uint32_t fflags, bool nonblock, int *err);
long unix_connect(struct lthread *t, struct usock *s, const struct sockaddr_un_l *a, uint32_t len, bool nonblock);
long unix_send(struct lthread *t, struct usock *s, struct sock_msg *m, bool nonblock);
long unix_recv(struct lthread *t, struct usock *s, struct sock_msg *m, bool nonblock);
int unix_shutdown(struct usock *s, int how);
/* the socket's pending error (SO_ERROR, an errno), taken; and one set */
int unix_take_error(struct usock *s);
void unix_set_error(struct usock *s, int err);
/* the socket's own name or its peer's: the bytes of it in *a, its length */
int unix_name(struct usock *s, bool peer, struct sockaddr_un_l *a, uint32_t *len);
/* SOL_SOCKET options: value (at most *len bytes) into buf, or from it */
int unix_getsockopt(struct usock *s, int opt, void *buf, uint32_t *len);
int unix_setsockopt(struct proc *p, struct usock *s, int opt, const void *buf, uint32_t len);

#endif
