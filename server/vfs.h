/*
 * The virtual file system: vnodes (files, directories, symbolic links,
 * devices), open files, path lookup.  The root file system is a ramfs
 * filled at boot from the initramfs (cpio "newc"); /dev holds devices.
 */
#ifndef SRV_VFS_H
#define SRV_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "linux.h"

struct proc;
struct lthread;
struct vnode;
struct file;

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

/* a process's close of any descriptor of f's file drops its POSIX locks
 * on it; the last reference to f drops the open file's own locks */
void lock_close(struct proc *p, struct file *f);
void lock_release_file(struct file *f);

enum vtype { V_REG = 1, V_DIR, V_CHR, V_LNK, V_FIFO, V_BLK, V_SOCK };

/* a file lock (lock.c) */
struct lock {
	struct lock *next;
	int64_t start, end; /* bytes start..end, both included */
	const void *owner;  /* struct proc (POSIX) or struct file (OFD, BSD) */
	int pid;            /* F_GETLK's l_pid: the owner's, -1 for OFD */
	short type;         /* F_RDLCK or F_WRLCK */
	bool bsd;           /* a flock lock (a name space of its own) */
};

struct file_ops {
	long (*read)(struct file *f, struct uio *u);
	long (*write)(struct file *f, struct uio *u);
	long (*ioctl)(struct file *f, uint64_t req, uint64_t arg);
	void (*release)(struct file *f);
	/* POLLIN/POLLOUT/POLLHUP/POLLERR now (NULL: always in and out) */
	unsigned (*poll)(struct file *f);
	/* a file with these makes them the open (0 or -errno) and pread:
	 * (a read at off that leaves the file position alone) */
	int (*open)(struct file *f);
	long (*pread)(struct file *f, struct uio *u, uint64_t off);
};

/* a directory whose entries are made when looked at (the proc file
 * system): lookup gives the vnode called name (not referenced: valid until
 * the event in hand is done) or NULL (ENOENT); next gives the entry at
 * position *pos (2 and up) or the first after it, and sets *pos to its
 * position (false: none left); nlink is the directory's link count */
struct dir_ops {
	struct vnode *(*lookup)(struct vnode *dir, const char *name);
	bool (*next)(struct vnode *dir, uint64_t *pos, char *name, size_t size, uint64_t *ino, enum vtype *type);
	uint32_t (*nlink)(struct vnode *dir);
};

/* poll, select and friends wait here; whatever may make a file ready
 * (input, a pipe's other end) wakes them and they look again */
extern struct waitq poll_waiters;

/* a directory lists its newest entry first, as Linux's tmpfs does */
struct dentry {
	struct dentry *next;
	struct vnode *vn;
	uint64_t place; /* fixed when made, smaller when newer: the order of the list */
	char name[];
};

struct vnode {
	uint64_t ino;
	enum vtype type;
	uint32_t mode; /* S_IF* | permissions */
	uint32_t nlink, uid, gid;
	uint64_t size;
	struct __kernel_timespec atime, mtime, ctime;
	unsigned refs; /* open files and lookups in flight; links count in nlink */
	/* regular files: the data, one server page each (NULL: a hole) */
	void **pages;
	uint64_t npages;
	uint64_t present; /* data pages it has (st_blocks counts them) */
	/* directories */
	struct dentry *entries;
	struct vnode *parent; /* (a file's: the directory it was last linked in) */
	const struct dir_ops *dops;
	uint64_t made; /* entries made in it so far */
	/* symbolic links */
	char *link;
	/* devices and pipes */
	uint32_t rdev;
	const struct file_ops *fops;
	struct pipe *pipe;
	/* file locks, and the calls that wait for one to go */
	struct lock *locks;
	struct waitq lockq;
	/* a System V shared memory segment's memory (ipc_shm.c): the
	 * references its mappings take and drop are its attachments */
	struct shm_seg *shm;
	/* the file system's device number (st_dev), and what a node of the
	 * proc file system shows (procfs.c) */
	uint32_t dev;
	struct {
		int pid; /* 0: no process's; -1: the process is gone */
		uint16_t kind, arg;
		char name[16];
	} pfs;
};

/* a named pipe's vnode (pipe.c): opens of it are a pipe's ends; and its
 * end (the vnode goes: opens that wait for the other side look again) */
void fifo_init(struct vnode *vn);
void fifo_gone(struct vnode *vn);

/* a mapping of a segment's vnode (vn->shm) came or went (ipc_shm.c);
 * the segment may go with its last */
void shm_mapped(struct vnode *vn);
void shm_unmapped(struct vnode *vn);

struct file {
	struct vnode *vn;
	uint64_t pos;
	uint32_t flags; /* O_* as given to open */
	unsigned refs;
	const struct file_ops *ops;
	void *priv;
	/* a directory's listing: pos counts the entries listed, as on Linux
	 * (0 ".", 1 "..", then 2 and up); where the listing stands is the
	 * place of the last entry listed (valid while pos is still dir_pos),
	 * so that names made or removed meanwhile skip or repeat no other */
	uint64_t dir_pos, dir_place;
};

void vfs_init(void);
/* the data pages all files hold */
uint64_t vfs_pages(void);
struct vnode *vfs_root(void);
/* fills the root file system from a cpio newc archive; 0 or -errno */
int vfs_load_cpio(const void *archive, uint64_t size);

/* resolves path (relative to dir when not absolute); follows symbolic
 * links except in the last component when nofollow; returns a referenced
 * vnode or NULL with *err set */
struct vnode *vfs_lookup(struct vnode *dir, const char *path, bool nofollow, int *err);
/* the parent directory of path and the last name in it (kept in name) */
struct vnode *vfs_lookup_parent(struct vnode *dir, const char *path, char *name, size_t namelen, int *err);
struct vnode *vfs_dir_find(struct vnode *dir, const char *name);
int vfs_dir_add(struct vnode *dir, const char *name, struct vnode *vn);
struct vnode *vnode_new(enum vtype type, uint32_t mode);
/* an unnamed file of size bytes (no links, no references yet): the memory
 * of a shared anonymous mapping, which every mapping of it and every
 * process forked since share, page by page as they are first touched
 * (Linux's shmem_zero_setup) */
struct vnode *vnode_new_shmem(uint64_t size);
void vnode_get(struct vnode *vn);
void vnode_put(struct vnode *vn);
/* regular file data */
long vnode_read(struct vnode *vn, uint64_t off, struct uio *u);
long vnode_write(struct vnode *vn, uint64_t off, struct uio *u);
/* the data page at page index i (allocated with create), or NULL */
void *vnode_page(struct vnode *vn, uint64_t i, bool create);
int vnode_truncate(struct vnode *vn, uint64_t size);
/* fallocate of a regular file: the pages of [off, off+len) made present
 * (zeroed), the size grown to cover them unless keep_size; 0, -EFBIG
 * beyond the largest file, -ENOSPC (nothing allocated) */
int vnode_allocate(struct vnode *vn, uint64_t off, uint64_t len, bool keep_size);
/* FALLOC_FL_PUNCH_HOLE: [off, off+len) reads as zero, its whole pages go */
void vnode_punch(struct vnode *vn, uint64_t off, uint64_t len);
/* the path of vn from the root (for getcwd), into buf */
int vfs_path(struct vnode *vn, char *buf, size_t size);
void vnode_stat(struct vnode *vn, struct stat *st);
/* sets the times of vn that an operation changes to now */
#define VN_ATIME 1
#define VN_MTIME 2
#define VN_CTIME 4
void vnode_touch(struct vnode *vn, unsigned which);
/* a read of vn's data, entries or link: its atime is now (Linux's rootfs
 * is mounted without relatime: strictatime) */
void vnode_access(struct vnode *vn);
/* utimensat's change: ts[0] the atime, ts[1] the mtime, each a time or
 * UTIME_NOW or UTIME_OMIT in tv_nsec (checked by the caller); NULL: both
 * now.  The ctime becomes now. */
void vnode_utimes(struct vnode *vn, const struct __kernel_timespec *ts);

/* open files */
struct file *file_open(struct vnode *vn, uint32_t flags, int *err);
void file_get(struct file *f);
/* writes a server buffer to an open file (sendfile) */
long file_write_kernel(struct file *f, const void *buf, uint64_t n);
void file_put(struct file *f);
extern const struct file_ops ramfs_file_ops;
extern const struct file_ops dir_file_ops;

/* /dev */
void dev_init(void);
/* the driver of character device (major, minor), or NULL */
const struct file_ops *dev_ops(unsigned major, unsigned minor);
struct vnode *dev_console(void);
uint64_t vfs_now_sec(void);
/* the wall clock at boot (seconds since 1970) */
uint64_t vfs_boot_sec(void);

/* /proc (procfs.c): mounted at boot; procfs_gone drops the nodes of a
 * process that has been freed (open ones read as ESRCH) */
void procfs_init(void);
void procfs_gone(int pid);
/* vn is a file of /proc/sys (which refuses a new owner or mode) */
bool procfs_is_sysctl(const struct vnode *vn);
#define PROCFS_DEV 0x14

#endif
