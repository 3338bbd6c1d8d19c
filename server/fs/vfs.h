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
#include "perm.h"
#include "uio.h"

struct proc;
struct lthread;
struct vnode;
struct file;
struct epitem;
struct poll_table;

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
	/* POLLIN/POLLOUT/POLLHUP/POLLERR now (NULL: always in and out, and
	 * epoll refuses the file); pt (NULL but for epoll) is given the
	 * sources of events the file waits on (poll_wait) */
	unsigned (*poll)(struct file *f, struct poll_table *pt);
	/* a file with these makes them the open (0 or -errno) and pread:
	 * (a read at off that leaves the file position alone) */
	int (*open)(struct file *f);
	long (*pread)(struct file *f, struct uio *u, uint64_t off);
	/* (optional) a write at off that leaves the file position alone */
	long (*pwrite)(struct file *f, struct uio *u, uint64_t off);
	/* a driver's own list of its files with O_ASYNC on (NULL: the
	 * vnode's, vnode.async), for a device that several nodes reach */
	struct file **async;
	/* an anonymous file's kind: /proc/PID/fd shows anon_inode:NAME */
	const char *anon_name;
	/* an anonymous file with no position at all (a pidfd): lseek ESPIPE */
	bool no_lseek;
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

/* Readiness notification (epoll.c), Linux's wait-queue callbacks: a
 * source of events (a pipe's end, the console, an eventfd) keeps a
 * pollhead; a file's poll names the heads it waits on with poll_wait;
 * the source calls poll_notify when something happens (key: the events
 * it makes, POLLIN, POLLOUT...; 0: any), which queues the epoll entries
 * watching it and wakes poll and select.  A head that goes first is
 * detached (pollhead_gone). */
struct pollwatch;
struct poll_table;
struct pollhead {
	struct pollwatch *first;
};
void poll_wait(struct poll_table *pt, struct pollhead *h);
void poll_notify(struct pollhead *h, unsigned key);
void pollhead_gone(struct pollhead *h);
/* f's events now, POLLRDNORM and POLLWRNORM added to POLLIN and POLLOUT
 * (sys_poll.c) */
unsigned file_poll(struct file *f, struct poll_table *pt);
/* f's last reference goes: the epoll entries of it go (epoll.c) */
void epoll_file_gone(struct file *f);
/* an anonymous file (eventfd, timerfd, signalfd, epoll: Linux's
 * anon_inode_getfile) with ops and priv, flags O_RDWR and those of
 * O_NONBLOCK given; NULL with *err (-ENFILE, -ENOMEM) */
struct file *anon_file_open(const struct file_ops *ops, void *priv, uint32_t flags, int *err);
/* installs an anonymous file at a new descriptor of p, or releases it:
 * the descriptor, or -EMFILE, -ENFILE */
int anon_fd_install(struct proc *p, const struct file_ops *ops, void *priv, uint32_t flags, bool cloexec);

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
	/* a socket's own vnode: the socket; a socket node (bind): the socket
	 * bound to it while it is (net/unix.c) */
	struct usock *sock;
	/* the open files of it with O_ASYNC on (fasync.c); those that hold a
	 * lease (lease.c), the opens that wait for a lease to break, and how
	 * many files are open on it to read only and to write */
	struct file *async, *leases;
	struct waitq leaseq;
	uint32_t open_r, open_w;
	/* file locks, and the calls that wait for one to go */
	struct lock *locks;
	struct waitq lockq;
	/* mounts (mount.c): the root of the file system mounted on this
	 * directory; on such a root, the directory it covers */
	struct vnode *mounted, *covered;
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
	/* a memfd's seals and name (memfd.c; NULL: not a memfd) */
	struct memfd *memfd;
};

/* memfds (memfd.c): files of no directory on a file system of their own
 * (MEMFD_DEV, Linux's internal tmpfs mount); their path is /memfd:NAME
 * (deleted); their seals (F_SEAL_*) limit what may be done to them */
#define MEMFD_DEV 0x3
struct memfd {
	uint32_t seals;
	char name[];
};
static inline uint32_t vnode_seals(const struct vnode *vn)
{
	return vn->memfd ? vn->memfd->seals : 0;
}
/* fcntl's F_ADD_SEALS and F_GET_SEALS on f */
long memfd_fcntl(struct file *f, unsigned cmd, uint64_t arg);

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
	/* signal-driven I/O (fasync.c): who is told (F_SETOWN), with what
	 * (F_SETSIG), and, while O_ASYNC is on, the descriptor named in the
	 * signal and the next file of the vnode's list */
	struct fown {
		int pid;            /* a process (or thread), -pgid a group, 0 none */
		uint8_t type;       /* F_OWNER_TID, F_OWNER_PID, F_OWNER_PGRP */
		int sig;            /* 0: SIGIO */
		uint32_t uid, euid; /* of who set it (sigio_perm) */
	} owner;
	int async_fd;
	struct file *async_next;
	/* a lease it holds (lease.c: F_RDLCK, F_WRLCK; 0 none), the type a
	 * break asks it to go to and when the break is forced (0: none
	 * pending), the descriptor of its F_SETLEASE, the vnode's next */
	uint8_t lease, lease_target;
	int lease_fd;
	uint64_t lease_break;
	struct file *lease_next;
	/* the epoll entries that watch it (epoll.c) */
	struct epitem *ep_items;
};

/* leases (lease.c): F_SETLEASE and F_GETLEASE; an open (or truncate) of vn
 * with flags, which breaks the leases it conflicts with (0, -EWOULDBLOCK
 * with O_NONBLOCK, or SYS_WAIT: t waits for them to go); f's last close */
long lease_fcntl(struct lthread *t, struct file *f, int fd, unsigned cmd, uint64_t arg);
long lease_break(struct lthread *t, struct vnode *vn, uint32_t flags);
void lease_release(struct file *f);

/* signal-driven I/O (fasync.c): fcntl's owner and signal commands; O_ASYNC
 * turned on or off for f at descriptor fd (F_SETFL); f's last close; and
 * the notice that I/O is possible (reason POLL_IN, POLL_OUT or POLL_HUP)
 * to the owners of the files on a list (vnode.async, or a driver's) open
 * for it */
long fasync_fcntl(struct lthread *t, struct file *f, unsigned cmd, uint64_t arg);
void fasync_set(struct file *f, int fd, bool on);
void fasync_release(struct file *f);
void fasync_notify(struct file *list, int reason);
/* f's owner is told of reason about descriptor fd (a lease's break) */
void fasync_signal(struct file *f, int fd, int reason);

void vfs_init(void);
/* the data pages all files hold */
uint64_t vfs_pages(void);
struct vnode *vfs_root(void);
/* now, as the file times take it (the wall clock) */
void vfs_stamp(struct __kernel_timespec *ts);
/* fills the root file system from a cpio newc archive; 0 or -errno */
int vfs_load_cpio(const void *archive, uint64_t size);

/* resolves path (relative to dir when not absolute); follows symbolic
 * links except in the last component when nofollow; returns a referenced
 * vnode or NULL with *err set.  c (NULL: the server's own lookups) needs
 * search permission on every directory a name is looked up in (EACCES) */
struct vnode *vfs_lookup(const struct cred *c, struct vnode *dir, const char *path, bool nofollow, int *err);
/* the parent directory of path and the last name in it (kept in name) */
struct vnode *vfs_lookup_parent(const struct cred *c, struct vnode *dir, const char *path, char *name, size_t namelen,
				int *err);
struct vnode *vfs_dir_find(struct vnode *dir, const char *name);
int vfs_dir_add(struct vnode *dir, const char *name, struct vnode *vn);
/* removes the entry name (of vn) from dir: the name, not another link to
 * vn there; vn goes with its last name unless something holds it */
void vfs_dir_remove(struct vnode *dir, const char *name, struct vnode *vn);
struct vnode *vnode_new(enum vtype type, uint32_t mode);
/* a new node that c makes in dir (its owner as perm_new_owner says; c
 * NULL: the server's, root's); not yet linked */
struct vnode *vnode_create(const struct cred *c, struct vnode *dir, enum vtype type, uint32_t mode);
static inline struct owner vnode_owner(const struct vnode *vn)
{
	return (struct owner){vn->uid, vn->gid, vn->mode};
}
/* perm_check of vn for c (NULL: the server itself, which may do anything):
 * 0, -EACCES, or -EROFS to write on a read-only file system */
int vnode_permission(const struct cred *c, const struct vnode *vn, int want);
/* a write or a truncate of vn by c: the set-id bits perm_kill_suid names go */
void vnode_kill_suid(const struct cred *c, struct vnode *vn);
/* may c remove (or rename away) the name of vn in dir: write and search
 * permission on dir (EACCES), then its sticky bit (EPERM) */
int vfs_may_delete(const struct cred *c, const struct vnode *dir, const struct vnode *vn);
/* may c make a name in dir (Linux's may_create): 0 or -EACCES */
static inline int vfs_may_create(const struct cred *c, const struct vnode *dir)
{
	return vnode_permission(c, dir, MAY_WRITE | MAY_EXEC);
}
/* an unnamed file of size bytes (no links, no references yet): the memory
 * of a shared anonymous mapping, which every mapping of it and every
 * process forked since share, page by page as they are first touched
 * (Linux's shmem_zero_setup) */
struct vnode *vnode_new_shmem(uint64_t size);
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

/* open files; files_open counts them (fs.file-nr), file_open refuses
 * more than fs.file-max to a caller without CAP_SYS_ADMIN (-ENFILE) */
extern uint64_t files_open;
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
/* the wall clock (sys_time.c): now, and as it was at boot, in ns since
 * 1970 (clock_settime moves both) */
uint64_t time_wall_ns(void);
uint64_t time_boot_wall_ns(void);
/* the wall clock at boot (seconds since 1970) */
uint64_t vfs_boot_sec(void);

/* /proc (procfs.c): mounted at boot; procfs_gone drops the nodes of a
 * process that has been freed (open ones read as ESRCH) */
void procfs_init(void);
void procfs_gone(int pid);
/* the file /proc/PID/fd/N (vn) is open on, which a walk through that link
 * reaches itself (Linux's magic link: a memfd, a file no longer named),
 * if it is a regular file or a directory outside /proc; else NULL (the
 * link is followed as text) */
struct vnode *procfs_fd_vnode(struct vnode *vn);
/* the pid whose /proc/PID directory vn is (-1: its process is gone; 0:
 * vn is no such directory) */
int procfs_pid_dir(const struct vnode *vn);
/* vn is /proc itself (a mount's root) */
bool procfs_is_root(const struct vnode *vn);
/* vn is a file of /proc/sys (which refuses a new owner or mode) */
bool procfs_is_sysctl(const struct vnode *vn);
/* the answer (err) to a want of access to a proc node, as /proc's own
 * rules change it: a process's directories are never written (EPERM), its
 * own fd directory is always open to it */
int procfs_permission(const struct vnode *vn, int want, int err);
/* a proc link into another process (cwd, exe, root, fd/N) may be read or
 * followed only by who may look into it (ptrace_may_access): 0 or -EACCES */
int procfs_may_follow(const struct vnode *vn);
#define PROCFS_DEV 0x14

#include "mount.h"

/* a reference more to vn (a path walk takes and drops one per name:
 * inline); a mounted file system's and a System V segment's count it */
static inline void vnode_get(struct vnode *vn)
{
	vn->refs++;
	if (vn->dev >= MOUNT_DEV_FIRST)
		mount_ref(vn->dev, 1);
	if (vn->shm)
		shm_mapped(vn);
}

#endif
