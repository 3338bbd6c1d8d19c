/*
 * Open files: the ramfs's and directories' file operations, file_open
 * (the system's count of open files against fs.file-max), file_put.
 */
#include "vfs.h"

#include "mem.h"
#include "platform.h"
#include "proc.h"
#include "syscall.h"
#include "sysctl.h"
#include "vm.h"


/* ---- open files ------------------------------------------------------------------- */

static long ramfs_read(struct file *f, struct uio *u)
{
	long n = vnode_read(f->vn, f->pos, u);
	if (n > 0)
		f->pos += (uint64_t)n;
	return n;
}

static long ramfs_write(struct file *f, struct uio *u)
{
	if (f->flags & O_APPEND)
		f->pos = f->vn->size;
	long n = vnode_write(f->vn, f->pos, u);
	if (n > 0)
		f->pos += (uint64_t)n;
	return n;
}

static long dir_read(struct file *f, struct uio *u)
{
	(void)f;
	(void)u;
	return -EISDIR;
}

const struct file_ops ramfs_file_ops = {.read = ramfs_read, .write = ramfs_write};
const struct file_ops dir_file_ops = {.read = dir_read, .write = dir_read};

/* the open file descriptions of the whole system (fs.file-nr) */
uint64_t files_open;

/* Linux's alloc_empty_file: beyond fs.file-max only CAP_SYS_ADMIN opens
 * more (the server's own opens, with no caller, always may) */
static bool file_room(void)
{
	if (files_open < file_max_load() || !current || cred_capable(&current->proc->cred, CAP_SYS_ADMIN))
		return true;
	static bool said;
	if (!said)
		printf("lx4-server: VFS: file-max limit %lu reached\n", (unsigned long)file_max_load());
	said = true;
	return false;
}

struct file *file_open(struct vnode *vn, uint32_t flags, int *err)
{
	if (!file_room()) {
		*err = -ENFILE;
		return NULL;
	}
	struct file *f = mem_zalloc(sizeof *f);
	if (!f) {
		*err = -ENOMEM;
		return NULL;
	}
	f->vn = vn;
	vnode_get(vn);
	f->flags = flags;
	f->refs = 1;
	if (flags & O_PATH) {
		files_open++;
		return f; /* (a place: no driver is asked, nothing is read or written) */
	}
	f->ops = vn->type == V_REG ? (vn->fops ? vn->fops : &ramfs_file_ops)
		 : vn->type == V_DIR ? &dir_file_ops
				     : vn->fops;
	if (f->ops == NULL && vn->type != V_LNK) { /* a device with no driver here, a socket's node */
		vnode_put(vn);
		mem_free(f);
		*err = -ENXIO;
		return NULL;
	}
	if (f->ops && f->ops->open && (*err = f->ops->open(f)) != 0) {
		vnode_put(vn);
		mem_free(f);
		return NULL;
	}
	uint32_t acc = flags & O_ACCMODE;
	vn->open_r += acc == O_RDONLY;
	vn->open_w += acc == O_WRONLY || acc == O_RDWR;
	files_open++;
	return f;
}

void file_get(struct file *f) { f->refs++; }

long file_write_kernel(struct file *f, const void *buf, uint64_t n)
{
	struct linux_iovec v = {(uint64_t)buf, n};
	struct uio u = {.proc = NULL, .iov = &v, .iovcnt = 1};
	if (!f->ops || !f->ops->write)
		return -EINVAL;
	return f->ops->write(f, &u);
}

void file_put(struct file *f)
{
	if (--f->refs)
		return;
	if (f->ep_items)
		epoll_file_gone(f);
	lock_release_file(f);
	fasync_release(f);
	lease_release(f);
	if (!(f->flags & O_PATH)) { /* (the counts a lease looks at) */
		uint32_t acc = f->flags & O_ACCMODE;
		f->vn->open_r -= acc == O_RDONLY;
		f->vn->open_w -= acc == O_WRONLY || acc == O_RDWR;
	}
	if (f->ops && f->ops->release)
		f->ops->release(f);
	vnode_put(f->vn);
	mem_free(f);
	files_open--;
}
