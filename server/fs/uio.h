/*
 * Transfers between a file and a process's buffers, and the wait queues
 * of the calls that wait (uio.c).
 */
#ifndef SRV_UIO_H
#define SRV_UIO_H

#include <stdbool.h>
#include <stdint.h>

#include "linux.h"

struct proc;
struct lthread;

/* a transfer between a file and a process's memory (one or more user
 * buffers) */
#define UIO_MAXIOV 1024
struct uio {
	struct proc *proc; /* NULL: the iovecs point into the server */
	const struct linux_iovec *iov;
	int iovcnt;
	int idx;       /* the current iovec */
	uint64_t skip; /* bytes of it already done */
	uint64_t done; /* bytes moved so far */
};
/* copies n bytes from src into the user buffers; returns bytes moved
 * (fewer at the end of the buffers) or -EFAULT */
long uio_copyout(struct uio *u, const void *src, uint64_t n);
/* copies up to n bytes from the user buffers to dst; bytes or -EFAULT */
long uio_copyin(struct uio *u, void *dst, uint64_t n);
uint64_t uio_resid(const struct uio *u);
/* passes over n bytes (at most what is left) as if they were moved */
void uio_skip(struct uio *u, uint64_t n);

/* a read or write that must wait returns -EWOULDBLOCK_WAIT after putting
 * the thread on a wait queue (struct waitq); the call is made again when
 * the queue is woken */
#define EWOULDBLOCK_WAIT 100000
struct waitq {
	struct lthread *head;
};
void waitq_add(struct waitq *q, struct lthread *t);
void waitq_wake_all(struct waitq *q);
void waitq_remove(struct lthread *t);

#endif
