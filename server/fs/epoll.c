/*
 * epoll, as Linux's fs/eventpoll.c has it, and the readiness notification
 * under it (vfs.h: pollhead, poll_wait, poll_notify).
 *
 * An epoll instance holds entries, one per (open file, descriptor number)
 * registered, and a ready list.  Registering an entry polls its file
 * through a poll_table, which records the sources of events the file waits
 * on (its pollheads) in the entry's watches.  When a source says something
 * happened (poll_notify, with the events it made as a key), every entry
 * that watches it and wants one of those events goes on its instance's
 * ready list (once), and the instance's waiters and its own watchers (an
 * epoll that holds it, poll) are told.  epoll_wait polls the entries of
 * the ready list again and reports those that are ready: a level-triggered
 * one goes back to the end of the list, an edge-triggered one waits for
 * the next notification, a one-shot one is disabled until EPOLL_CTL_MOD.
 * So the order of the events and the edges are Linux's.  An entry goes
 * when its descriptor is removed (EPOLL_CTL_DEL) or its open file's last
 * reference goes (epoll_file_gone), not when one descriptor of it is
 * closed.
 */
#include "signal.h"
#include "sys.h"

#include <asm-generic/poll.h>
#include <linux/eventpoll.h>

#define EP_MAX_NESTS           4 /* epolls inside epolls, at most this deep */
#define EP_PRIVATE_BITS        (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)
#define EPOLLEXCLUSIVE_OK_BITS (EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE)
#define EP_MAX_EVENTS          (0x7fffffffu / sizeof(struct epoll_event))
#define EP_MAX_WATCHES         32768 /* entries in all (Linux's max_user_watches: ENOSPC) */
#define MAX_WATCH              2     /* pollheads a file waits on (a FIFO open to read and write: 2) */

_Static_assert(sizeof(struct epoll_event) == 12, "x86-64's epoll_event is packed");

/* an entry's wait on one source (Linux's eppoll_entry) */
struct pollwatch {
	struct pollhead *head; /* NULL: none, or the source went */
	struct pollwatch *next, **pprev;
	struct epitem *item;
};

struct epitem {
	struct eventpoll *ep;
	struct file *file;
	int fd;
	uint32_t events; /* EPOLL* wanted (with ERR and HUP), and the private bits */
	uint64_t data;
	struct epitem *ep_next;   /* the instance's entries, oldest first */
	struct epitem *file_next; /* the file's entries */
	struct epitem *rd_next;   /* on the ready list */
	bool ready;               /* on the ready list */
	struct pollwatch watch[MAX_WATCH];
};

struct eventpoll {
	struct epitem *items;
	struct epitem *rd_first, *rd_last;
	struct waitq wq;    /* epoll_wait callers */
	struct pollhead ph; /* its own watchers */
	struct file *file;
	/* the loop check's memo (ep_loop_check): the pass that last looked
	 * at it, and the depths it found */
	unsigned gen_down, gen_up;
	int depth_down, depth_up;
};

/* what a poll registers with (Linux's poll_table): the entry whose
 * watches take the heads */
struct poll_table {
	struct epitem *item;
};

static const struct file_ops epoll_ops;
static unsigned watches; /* entries in all */

static bool is_epoll(const struct file *f)
{
	return f->ops == &epoll_ops;
}

/* ---- the notification ------------------------------------------------------------ */

void poll_wait(struct poll_table *pt, struct pollhead *h)
{
	if (!pt || !pt->item)
		return;
	struct epitem *i = pt->item;
	struct pollwatch *w = NULL;
	for (int k = 0; k < MAX_WATCH && !w; k++)
		if (!i->watch[k].head && !i->watch[k].pprev)
			w = &i->watch[k];
	if (!w)
		return; /* (no source has more than MAX_WATCH heads) */
	w->head = h;
	w->item = i;
	if (i->events & EPOLLEXCLUSIVE) { /* at the end, as Linux's add_wait_queue_exclusive */
		struct pollwatch **pp = &h->first;
		while (*pp)
			pp = &(*pp)->next;
		w->pprev = pp;
		w->next = NULL;
		*pp = w;
	} else { /* first, as Linux's add_wait_queue: the newest is told first */
		w->next = h->first;
		if (h->first)
			h->first->pprev = &w->next;
		w->pprev = &h->first;
		h->first = w;
	}
}

static void watch_unlink(struct pollwatch *w)
{
	if (!w->pprev)
		return;
	*w->pprev = w->next;
	if (w->next)
		w->next->pprev = w->pprev;
	w->next = NULL;
	w->pprev = NULL;
	w->head = NULL;
}

void pollhead_gone(struct pollhead *h)
{
	while (h->first)
		watch_unlink(h->first);
}

static void ready_append(struct eventpoll *ep, struct epitem *i)
{
	i->ready = true;
	i->rd_next = NULL;
	if (ep->rd_last)
		ep->rd_last->rd_next = i;
	else
		ep->rd_first = i;
	ep->rd_last = i;
}

static void ready_remove(struct eventpoll *ep, struct epitem *i)
{
	if (!i->ready)
		return;
	struct epitem *prev = NULL;
	for (struct epitem *e = ep->rd_first; e; prev = e, e = e->rd_next) {
		if (e != i)
			continue;
		if (prev)
			prev->rd_next = i->rd_next;
		else
			ep->rd_first = i->rd_next;
		if (ep->rd_last == i)
			ep->rd_last = prev;
		break;
	}
	i->ready = false;
	i->rd_next = NULL;
}

static void notify(struct pollhead *h, unsigned key, int depth);

/* i's file may be ready (Linux's ep_poll_callback): on the ready list,
 * and the instance's waiters and watchers are told */
static void item_wake(struct epitem *i, int depth)
{
	struct eventpoll *ep = i->ep;
	if (!i->ready)
		ready_append(ep, i);
	waitq_wake_all(&ep->wq);
	if (depth <= EP_MAX_NESTS)
		notify(&ep->ph, EPOLLIN, depth + 1);
}

static void notify(struct pollhead *h, unsigned key, int depth)
{
	struct pollwatch *next;
	for (struct pollwatch *w = h->first; w; w = next) {
		next = w->next;
		struct epitem *i = w->item;
		if (!(i->events & ~EP_PRIVATE_BITS))
			continue; /* a one-shot entry that fired: disabled */
		if (key && !(key & i->events))
			continue;
		item_wake(i, depth);
	}
}

void poll_notify(struct pollhead *h, unsigned key)
{
	waitq_wake_all(&poll_waiters);
	if (h->first)
		notify(h, key, 0);
}

/* ---- entries --------------------------------------------------------------------- */

/* the events of i's file now that i wants (Linux's ep_item_poll) */
static unsigned item_poll(struct epitem *i, struct poll_table *pt)
{
	return file_poll(i->file, pt) & i->events;
}

static struct epitem *item_find(struct eventpoll *ep, struct file *f, int fd)
{
	for (struct epitem *i = ep->items; i; i = i->ep_next)
		if (i->file == f && i->fd == fd)
			return i;
	return NULL;
}

static void item_remove(struct epitem *i)
{
	struct eventpoll *ep = i->ep;
	for (int k = 0; k < MAX_WATCH; k++)
		watch_unlink(&i->watch[k]);
	ready_remove(ep, i);
	struct epitem **pp = &ep->items;
	while (*pp != i)
		pp = &(*pp)->ep_next;
	*pp = i->ep_next;
	for (pp = &i->file->ep_items; *pp != i;)
		pp = &(*pp)->file_next;
	*pp = i->file_next;
	mem_free(i);
	watches--;
}

void epoll_file_gone(struct file *f)
{
	while (f->ep_items)
		item_remove(f->ep_items);
}

/* Linux's ep_insert: the entry, its watches, and at once on the ready
 * list if the file is ready.  0 or -errno */
static int item_insert(struct eventpoll *ep, const struct epoll_event *ev, struct file *f, int fd)
{
	if (watches >= EP_MAX_WATCHES)
		return -ENOSPC;
	struct epitem *i = mem_zalloc(sizeof *i);
	if (!i)
		return -ENOMEM;
	watches++;
	i->ep = ep;
	i->file = f;
	i->fd = fd;
	i->events = ev->events | EPOLLERR | EPOLLHUP;
	i->data = ev->data;
	struct epitem **pp = &ep->items;
	while (*pp)
		pp = &(*pp)->ep_next;
	*pp = i;
	i->file_next = f->ep_items;
	f->ep_items = i;
	struct poll_table pt = {i};
	if (item_poll(i, &pt) && !i->ready)
		item_wake(i, 0);
	return 0;
}

/* Linux's ep_modify: new events and data, polled again (its watches stay) */
static void item_modify(struct epitem *i, const struct epoll_event *ev)
{
	i->events = ev->events | EPOLLERR | EPOLLHUP;
	i->data = ev->data;
	if (item_poll(i, NULL) && !i->ready)
		item_wake(i, 0);
}

/* ---- the loop check -------------------------------------------------------------- */

static unsigned loop_gen;

/* how deep the epolls inside ep go (EP_MAX_NESTS + 1: too deep, or into
 * leads back to it) */
static int depth_down(struct eventpoll *ep, struct eventpoll *into, int level)
{
	if (ep->gen_down == loop_gen)
		return ep->depth_down;
	ep->gen_down = loop_gen;
	int r = 0;
	for (struct epitem *i = ep->items; i && r <= EP_MAX_NESTS; i = i->ep_next) {
		if (!is_epoll(i->file))
			continue;
		struct eventpoll *in = i->file->priv;
		int d = in == into || level > EP_MAX_NESTS ? EP_MAX_NESTS + 1 : depth_down(in, into, level + 1) + 1;
		if (d > r)
			r = d;
	}
	ep->depth_down = r;
	return r;
}

/* how deep ep lies inside other epolls */
static int depth_up(struct eventpoll *ep, int level)
{
	if (ep->gen_up == loop_gen)
		return ep->depth_up;
	ep->gen_up = loop_gen;
	int r = 0;
	for (struct epitem *i = ep->file->ep_items; i && r <= EP_MAX_NESTS; i = i->file_next) {
		int d = level > EP_MAX_NESTS ? EP_MAX_NESTS + 1 : depth_up(i->ep, level + 1) + 1;
		if (d > r)
			r = d;
	}
	ep->depth_up = r;
	return r;
}

/* may epoll to go into ep (Linux's ep_loop_check): no cycle, and no chain
 * of epolls deeper than EP_MAX_NESTS */
static bool loop_check_ok(struct eventpoll *ep, struct eventpoll *to)
{
	loop_gen++;
	int down = depth_down(to, ep, 0);
	if (down > EP_MAX_NESTS)
		return false;
	loop_gen++;
	return down + 1 + depth_up(ep, 0) <= EP_MAX_NESTS;
}

/* ---- the epoll file ---------------------------------------------------------------- */

/* an epoll is readable while an entry of its ready list is ready (Linux's
 * __ep_eventpoll_poll: the others leave the list) */
static unsigned epoll_poll(struct file *f, struct poll_table *pt)
{
	static int depth; /* (nesting is bounded; this bounds the recursion whatever happens) */
	struct eventpoll *ep = f->priv;
	poll_wait(pt, &ep->ph);
	if (depth > EP_MAX_NESTS + 1)
		return 0;
	depth++;
	unsigned m = 0;
	struct epitem *next;
	for (struct epitem *i = ep->rd_first; i && !m; i = next) {
		next = i->rd_next;
		if (item_poll(i, NULL))
			m = POLLIN | POLLRDNORM;
		else
			ready_remove(ep, i);
	}
	depth--;
	return m;
}

static void epoll_release(struct file *f)
{
	struct eventpoll *ep = f->priv;
	if (!ep)
		return;
	while (ep->items)
		item_remove(ep->items);
	pollhead_gone(&ep->ph);
	waitq_wake_all(&ep->wq);
	mem_free(ep);
}

static const struct file_ops epoll_ops = {.release = epoll_release, .poll = epoll_poll, .anon_name = "[eventpoll]"};

static long epoll_new(struct lthread *t, bool cloexec)
{
	struct eventpoll *ep = mem_zalloc(sizeof *ep);
	if (!ep)
		return -ENOMEM;
	if (fd_alloc(t->proc, 0) < 0) {
		mem_free(ep);
		return -EMFILE;
	}
	int err;
	struct file *f = anon_file_open(&epoll_ops, ep, 0, &err);
	if (!f) {
		mem_free(ep);
		return err;
	}
	ep->file = f;
	return fd_install(t->proc, f, cloexec);
}

long sys_epoll_create(struct lthread *t, const struct sysargs *a)
{
	if ((int)a->a0 <= 0)
		return -EINVAL;
	return epoll_new(t, false);
}

long sys_epoll_create1(struct lthread *t, const struct sysargs *a)
{
	if ((int)a->a0 & ~O_CLOEXEC)
		return -EINVAL;
	return epoll_new(t, a->a0 & O_CLOEXEC);
}

/* Linux's do_epoll_ctl, its checks in its order */
long sys_epoll_ctl(struct lthread *t, const struct sysargs *a)
{
	struct proc *p = t->proc;
	int op = (int)a->a1, fd = (int)a->a2;
	struct epoll_event ev = {0, 0};
	if (op != EPOLL_CTL_DEL && copy_from_user(p, &ev, a->a3, sizeof ev))
		return -EFAULT;
	struct file *f = fd_file(p, (int)a->a0), *tf = f ? fd_file(p, fd) : NULL;
	if (!tf)
		return -EBADF;
	if (!tf->ops || !tf->ops->poll)
		return -EPERM; /* (a regular file, a directory, /dev/null) */
	if (f == tf || !is_epoll(f))
		return -EINVAL;
	if (op != EPOLL_CTL_DEL && (ev.events & EPOLLEXCLUSIVE)) {
		if (op == EPOLL_CTL_MOD)
			return -EINVAL;
		if (op == EPOLL_CTL_ADD && (is_epoll(tf) || (ev.events & ~EPOLLEXCLUSIVE_OK_BITS)))
			return -EINVAL;
	}
	struct eventpoll *ep = f->priv;
	if (op == EPOLL_CTL_ADD && is_epoll(tf) && !loop_check_ok(ep, tf->priv))
		return -ELOOP;
	struct epitem *i = item_find(ep, tf, fd);
	switch (op) {
	case EPOLL_CTL_ADD: return i ? -EEXIST : item_insert(ep, &ev, tf, fd);
	case EPOLL_CTL_DEL:
		if (!i)
			return -ENOENT;
		item_remove(i);
		return 0;
	case EPOLL_CTL_MOD:
		if (!i)
			return -ENOENT;
		if (i->events & EPOLLEXCLUSIVE)
			return -EINVAL;
		item_modify(i, &ev);
		return 0;
	default: return -EINVAL;
	}
}

/* ---- waiting ----------------------------------------------------------------------- */

/* Linux's ep_send_events: the entries of the ready list that are ready,
 * up to max, as events at uev; the count, or -EFAULT if the first could
 * not be written (it stays ready) */
static long send_events(struct eventpoll *ep, struct proc *p, uint64_t uev, int max)
{
	struct epitem *tx = ep->rd_first;
	ep->rd_first = ep->rd_last = NULL;
	long n = 0;
	while (tx && n < max) {
		struct epitem *i = tx;
		tx = i->rd_next;
		i->rd_next = NULL;
		i->ready = false;
		unsigned rev = item_poll(i, NULL);
		if (!rev)
			continue;
		struct epoll_event ev = {rev, i->data};
		if (copy_to_user(p, uev + (uint64_t)n * sizeof ev, &ev, sizeof ev)) {
			i->ready = true;
			i->rd_next = tx;
			tx = i;
			if (!n)
				n = -EFAULT;
			break;
		}
		n++;
		if (i->events & EPOLLONESHOT)
			i->events &= EP_PRIVATE_BITS;
		else if (!(i->events & EPOLLET))
			ready_append(ep, i); /* level-triggered: looked at again next time */
	}
	if (tx) { /* what was not looked at goes first */
		struct epitem *last = tx;
		while (last->rd_next)
			last = last->rd_next;
		last->rd_next = ep->rd_first;
		if (!ep->rd_first)
			ep->rd_last = last;
		ep->rd_first = tx;
	}
	return n;
}

/* Linux's do_epoll_wait and ep_poll (timeout_ns < 0: none); a wait is
 * made again when the instance is told of an event or the timer fires */
static long ep_wait(struct lthread *t, int epfd, uint64_t uev, int max, int64_t timeout_ns)
{
	struct proc *p = t->proc;
	if (max <= 0 || (uint64_t)max > EP_MAX_EVENTS)
		return -EINVAL;
	if (!access_ok(uev, (uint64_t)max * sizeof(struct epoll_event)))
		return -EFAULT;
	struct file *f = fd_file(p, epfd);
	if (!f)
		return -EBADF;
	if (!is_epoll(f))
		return -EINVAL;
	struct eventpoll *ep = f->priv;
	long n = ep->rd_first ? send_events(ep, p, uev, max) : 0;
	if (n || !timeout_ns || (t->wait.deadline && plat_now_ns() >= t->wait.deadline)) {
		t->wait.deadline = 0;
		return n;
	}
	if (timeout_ns > 0 && !t->wait.deadline)
		t->wait.deadline = plat_now_ns() + (uint64_t)timeout_ns;
	if (t->wait.deadline)
		timer_add(t, t->wait.deadline);
	waitq_add(&ep->wq, t);
	return SYS_WAIT;
}

static int64_t ms_timeout(uint64_t arg)
{
	int ms = (int)arg;
	return ms < 0 ? -1 : (int64_t)ms * 1000000;
}

long sys_epoll_wait(struct lthread *t, const struct sysargs *a)
{
	return ep_wait(t, (int)a->a0, a->a1, (int)a->a2, ms_timeout(a->a3));
}

long sys_epoll_pwait(struct lthread *t, const struct sysargs *a)
{
	int err = poll_wait_mask(t, a->a4, a->a5);
	return err ? err : ep_wait(t, (int)a->a0, a->a1, (int)a->a2, ms_timeout(a->a3));
}

long sys_epoll_pwait2(struct lthread *t, const struct sysargs *a)
{
	int64_t ns = -1;
	if (a->a3) {
		struct __kernel_timespec ts;
		if (copy_from_user(t->proc, &ts, a->a3, sizeof ts))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		ns = ts.tv_sec > 1000000000 ? INT64_MAX / 2 : ts.tv_sec * 1000000000 + ts.tv_nsec;
	}
	int err = poll_wait_mask(t, a->a4, a->a5);
	return err ? err : ep_wait(t, (int)a->a0, a->a1, (int)a->a2, ns);
}
