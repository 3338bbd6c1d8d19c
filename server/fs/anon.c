/*
 * Anonymous files (Linux's anon_inodes.c): the open files of eventfd,
 * timerfd, signalfd and epoll, which have no name.  They share one vnode,
 * as Linux's share one inode: mode 0600 with no file type, root's.
 */
#include "sys.h"

static struct vnode *anon_vnode;

struct file *anon_file_open(const struct file_ops *ops, void *priv, uint32_t flags)
{
	if (!anon_vnode) {
		if (!(anon_vnode = vnode_new(0, 0600)))
			return NULL;
		anon_vnode->refs = 1; /* (held for good) */
	}
	struct file *f = mem_zalloc(sizeof *f);
	if (!f)
		return NULL;
	vnode_get(anon_vnode);
	anon_vnode->open_w++; /* (O_RDWR: file_put counts it out) */
	f->vn = anon_vnode;
	f->flags = O_RDWR | (flags & O_NONBLOCK);
	f->refs = 1;
	f->ops = ops;
	f->priv = priv;
	return f;
}

/* the object priv goes with no file made of it */
static void drop(const struct file_ops *ops, void *priv)
{
	struct file tmp = {.ops = ops, .priv = priv};
	if (ops->release)
		ops->release(&tmp);
}

int anon_fd_install(struct proc *p, const struct file_ops *ops, void *priv, uint32_t flags, bool cloexec)
{
	if (fd_alloc(p, 0) < 0) {
		drop(ops, priv);
		return -EMFILE;
	}
	struct file *f = anon_file_open(ops, priv, flags);
	if (!f) {
		drop(ops, priv);
		return -ENFILE;
	}
	return fd_install(p, f, cloexec);
}
