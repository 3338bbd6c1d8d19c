/*
 * Transfers between a file and a process's buffers (struct uio), and wait
 * queues (struct waitq): the calls that wait park on one.
 */
#include "vfs.h"

#include "mem.h"
#include "platform.h"
#include "proc.h"
#include "syscall.h"
#include "sysctl.h"
#include "vm.h"


/* ---- user buffers -------------------------------------------------------------- */

uint64_t uio_resid(const struct uio *u)
{
	uint64_t r = 0;
	for (int i = u->idx; i < u->iovcnt; i++)
		r += u->iov[i].len - (i == u->idx ? u->skip : 0);
	return r;
}

static long uio_move(struct uio *u, void *kbuf, uint64_t n, bool out)
{
	uint64_t moved = 0;
	while (moved < n && u->idx < u->iovcnt) {
		const struct linux_iovec *v = &u->iov[u->idx];
		uint64_t room = v->len - u->skip, c = n - moved < room ? n - moved : room;
		if (c && !u->proc) { /* a kernel buffer */
			if (out)
				memcpy((char *)v->base + u->skip, (char *)kbuf + moved, c);
			else
				memcpy((char *)kbuf + moved, (char *)v->base + u->skip, c);
		} else if (c) {
			/* a user page at a time: a fault ends the transfer
			 * after the bytes before it, as on Linux */
			uint64_t ua = v->base + u->skip;
			if (c > 4096 - (ua & 0xfff))
				c = 4096 - (ua & 0xfff);
			int err = out ? copy_to_user(u->proc, v->base + u->skip, (char *)kbuf + moved, c)
				      : copy_from_user(u->proc, (char *)kbuf + moved, v->base + u->skip, c);
			if (err)
				return moved ? (long)moved : err;
		}
		moved += c;
		u->skip += c;
		if (u->skip == v->len) {
			u->idx++;
			u->skip = 0;
		}
	}
	u->done += moved;
	return (long)moved;
}

void uio_skip(struct uio *u, uint64_t n)
{
	while (n && u->idx < u->iovcnt) {
		uint64_t room = u->iov[u->idx].len - u->skip, c = n < room ? n : room;
		n -= c;
		u->done += c;
		u->skip += c;
		if (u->skip == u->iov[u->idx].len) {
			u->idx++;
			u->skip = 0;
		}
	}
}

long uio_copyout(struct uio *u, const void *src, uint64_t n) { return uio_move(u, (void *)src, n, true); }
long uio_copyin(struct uio *u, void *dst, uint64_t n) { return uio_move(u, dst, n, false); }

/* ---- wait queues ------------------------------------------------------------------ */

void waitq_add(struct waitq *q, struct lthread *t)
{
	waitq_remove(t);
	t->wait.next = q->head;
	q->head = t;
	t->wait.queue = q;
}

void waitq_remove(struct lthread *t)
{
	struct waitq *q = t->wait.queue;
	if (!q)
		return;
	for (struct lthread **pp = &q->head; *pp; pp = &(*pp)->wait.next) {
		if (*pp == t) {
			*pp = t->wait.next;
			break;
		}
	}
	t->wait.next = NULL;
	t->wait.queue = NULL;
}

/* every waiter makes its call again (and may wait again) */
void waitq_wake_all(struct waitq *q)
{
	struct lthread *t = q->head;
	q->head = NULL;
	while (t) {
		struct lthread *n = t->wait.next;
		t->wait.next = NULL;
		t->wait.queue = NULL;
		timer_cancel(t);
		syscall_retry(t);
		t = n;
	}
}
