/*
 * Anonymous files (Linux's anon_inodes.c): the open files of eventfd,
 * timerfd, signalfd and epoll, which have no name.  They share one vnode,
 * as Linux's share one inode: mode 0600 with no file type, root's.
 */
#include "sys.h"

static struct vnode *anon_vnode;
static const struct file_ops anon_ops; /* (file_open's, replaced at once) */

struct file *anon_file_open(const struct file_ops *ops, void *priv, uint32_t flags, int *err)
{
	if (!anon_vnode) {
		if (!(anon_vnode = vnode_new(0, 0600))) {
			*err = -ENOMEM;
			return NULL;
		}
		anon_vnode->refs = 1; /* (held for good) */
		anon_vnode->fops = &anon_ops;
	}
	/* (counted as any open file: fs.file-max holds, ENFILE) */
	struct file *f = file_open(anon_vnode, O_RDWR | (flags & O_NONBLOCK), err);
	if (!f)
		return NULL;
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
	int err;
	struct file *f = anon_file_open(ops, priv, flags, &err);
	if (!f) {
		drop(ops, priv);
		return err;
	}
	return fd_install(p, f, cloexec);
}
