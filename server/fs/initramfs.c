/*
 * The initramfs: the cpio archive the root task gave, unpacked into the
 * ramfs at boot.
 */
#include "vfs.h"

#include "mem.h"
#include "platform.h"
#include "proc.h"
#include "syscall.h"
#include "sysctl.h"
#include "vm.h"


/* ---- the initramfs -------------------------------------------------------------- */

#include "cpio.h"

/* the directory for path's parent, made as needed; *name gets the last part */
static struct vnode *make_parents(char *path, char **name)
{
	struct vnode *dir = vfs_root();
	char *part = path;
	for (char *s = path; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (*part) {
			struct vnode *n = vfs_dir_find(dir, part);
			if (!n) {
				n = vnode_new(V_DIR, 0755);
				if (!n || vfs_dir_add(dir, part, n))
					return NULL;
			}
			if (n->type != V_DIR)
				return NULL;
			dir = n;
		}
		part = s + 1;
	}
	*name = part;
	return dir;
}

static int load_entry(const struct cpio_entry *e)
{
	char path[4096];
	const char *n = e->name;
	while (*n == '.' && n[1] == '/')
		n += 2;
	while (*n == '/')
		n++;
	size_t len = strlen(n);
	if (!len || !strcmp(n, ".")) { /* the root itself */
		vfs_root()->mode = (vfs_root()->mode & 0170000) | (e->mode & 07777);
		vfs_root()->uid = e->uid;
		vfs_root()->gid = e->gid;
		return 0;
	}
	if (len >= sizeof path)
		return 0;
	memcpy(path, n, len + 1);
	char *name;
	struct vnode *dir = make_parents(path, &name);
	if (!dir || !*name)
		return -EINVAL;
	uint32_t fmt = e->mode & 0170000;
	struct vnode *vn = vfs_dir_find(dir, name);
	if (fmt == 0040000) {
		if (!vn) {
			vn = vnode_new(V_DIR, e->mode);
			if (!vn || vfs_dir_add(dir, name, vn))
				return -ENOMEM;
		}
	} else if (fmt == 0100000 || fmt == 0120000) {
		if (vn)
			return 0; /* the first one wins */
		vn = vnode_new(fmt == 0100000 ? V_REG : V_LNK, e->mode);
		if (!vn)
			return -ENOMEM;
		if (fmt == 0120000) {
			vn->link = mem_zalloc(e->size + 1);
			if (!vn->link)
				return -ENOMEM;
			memcpy(vn->link, e->data, e->size);
		} else {
			for (uint64_t off = 0; off < e->size; off += 4096) {
				char *pg = vnode_page(vn, off / 4096, true);
				if (!pg)
					return -ENOSPC;
				memcpy(pg, e->data + off, e->size - off < 4096 ? e->size - off : 4096);
			}
			vn->size = e->size;
		}
		if (vfs_dir_add(dir, name, vn))
			return -ENOMEM;
	} else if (fmt == 0020000) { /* a character device: dev.c knows its driver */
		if (vn)
			return 0;
		vn = vnode_new(V_CHR, e->mode);
		if (!vn)
			return -ENOMEM;
		vn->rdev = (e->rdevmajor << 8) | e->rdevminor;
		vn->fops = dev_ops(e->rdevmajor, e->rdevminor);
		if (vfs_dir_add(dir, name, vn))
			return -ENOMEM;
	} else {
		return 0; /* fifos, sockets, block devices */
	}
	vn->mode = (vn->mode & 0170000) | (e->mode & 07777);
	vn->uid = e->uid;
	vn->gid = e->gid;
	vn->mtime.tv_sec = vn->ctime.tv_sec = vn->atime.tv_sec = e->mtime;
	vn->mtime.tv_nsec = vn->ctime.tv_nsec = vn->atime.tv_nsec = 0;
	return 0;
}

/* directories get their archive times at the end, as Linux does: adding
 * their entries changed them */
static void dir_times(const void *archive, uint64_t size)
{
	uint64_t pos = 0;
	struct cpio_entry e;
	while (cpio_next(archive, size, &pos, &e) == CPIO_OK) {
		if ((e.mode & 0170000) != 0040000)
			continue;
		int err;
		struct vnode *vn = vfs_lookup(NULL, vfs_root(), e.name, true, &err);
		if (!vn)
			continue;
		vn->mtime.tv_sec = vn->ctime.tv_sec = vn->atime.tv_sec = e.mtime;
		vn->mtime.tv_nsec = vn->ctime.tv_nsec = vn->atime.tv_nsec = 0;
		vnode_put(vn);
	}
}

int vfs_load_cpio(const void *archive, uint64_t size)
{
	uint64_t pos = 0;
	struct cpio_entry e;
	int r, files = 0;
	while ((r = cpio_next(archive, size, &pos, &e)) == CPIO_OK) {
		int err = load_entry(&e);
		if (err)
			return err;
		files++;
	}
	if (r != CPIO_END)
		return -EINVAL;
	dir_times(archive, size);
	return files;
}
