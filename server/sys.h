/* Helpers shared by the system call implementations (sys_*.c). */
#ifndef SRV_SYS_H
#define SRV_SYS_H

#include "linux.h"
#include "mem.h"
#include "proc.h"
#include "syscall.h"
#include "vfs.h"
#include "vm.h"

#define PATH_MAX_LINUX 4096
#define MAX_RW (0x7ffff000ull) /* Linux caps one transfer there */

/* Linux's access_ok: the range lies in user space (whether it is mapped is
 * found out by the copy) */
static inline bool access_ok(uint64_t addr, uint64_t size)
{
	return size <= USER_TOP && addr <= USER_TOP - size;
}

/* the open file at fd, O_PATH ones too (fdget_raw: close, dup, fcntl's
 * descriptor commands, fstat, fstatfs, fchdir, a *at call's directory);
 * inline: every call on a descriptor starts here */
static inline struct file *fd_file_raw(struct proc *p, int64_t fd)
{
	int n = (int)fd; /* a descriptor argument is 32 bits: the rest is ignored */
	if (n < 0 || n >= MAX_FDS)
		return NULL;
	return p->fds[n];
}
/* the open file at fd, or NULL (EBADF): an O_PATH descriptor is none to
 * the calls that use a file (Linux's fdget) */
static inline struct file *fd_file(struct proc *p, int64_t fd)
{
	struct file *f = fd_file_raw(p, fd);
	return f && !(f->flags & O_PATH) ? f : NULL;
}
/* n iovecs from user memory into iov, checked as Linux's import_iovec
 * (any negative length EINVAL, then a buffer outside user space EFAULT;
 * the total cut at MAX_RW, in *total); the caller bounds n */
struct linux_iovec;
int iov_import(struct proc *p, uint64_t uiov, uint32_t n, struct linux_iovec *iov, uint64_t *total);
/* the lowest free descriptor >= min, or -EMFILE */
int fd_alloc(struct proc *p, int min);
/* installs f at a new descriptor (taking the caller's reference) */
int fd_install(struct proc *p, struct file *f, bool cloexec);
/* closes p's descriptor fd (open), with what a close does to p's locks */
void fd_close(struct proc *p, int fd);

/* the signal mask a ppoll, pselect6 or epoll_pwait waits under, from
 * umask (NULL: the mask stays): the old one is restored when the call
 * returns, or kept for the frame of a handler that interrupts it (Linux's
 * set_user_sigmask; sys_poll.c).  0, -EINVAL (size), -EFAULT */
int poll_wait_mask(struct lthread *t, uint64_t umask, uint64_t size);

/* pipes (pipe.c): F_GETPIPE_SZ and F_SETPIPE_SZ on f; pipe-max-size */
long pipe_fcntl(struct file *f, unsigned cmd, uint64_t arg);
extern unsigned pipe_max_size;
/* fs.nr_open (sys_proc.c): no RLIMIT_NOFILE above it */
extern int fs_nr_open;

/* prctl's options about capabilities (sys_cred.c): is option one, and
 * its answer */
bool cred_prctl(uint64_t option);
long cred_prctl_call(struct lthread *t, const struct sysargs *a);

/* file locks (lock.c): fcntl's lock commands on f */
long lock_fcntl(struct lthread *t, struct file *f, unsigned cmd, uint64_t uarg);
/* a path from user memory into buf (PATH_MAX_LINUX bytes) */
int user_path(struct proc *p, uint64_t upath, char *buf);
/* the directory a *at call starts from: dirfd (AT_FDCWD: the working
 * directory); referenced, or NULL with *err */
struct vnode *at_dir(struct proc *p, int64_t dirfd, const char *path, int *err);
/* resolves (dirfd, path); referenced vnode or NULL with *err */
struct vnode *at_lookup(struct proc *p, int64_t dirfd, const char *path, bool nofollow, int *err);
/* the same with AT_* flags: AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH (an empty
 * path names dirfd's file itself, whatever it is) */
struct vnode *at_lookup_flags(struct proc *p, int64_t dirfd, const char *path, uint64_t flags, int *err);
/* the parent directory (referenced) and the last name (into name, 256
 * bytes) of (dirfd, upath); *slash (if wanted): the name was followed by a
 * slash (only a directory may be); NULL with *err */
struct vnode *at_parent(struct proc *p, int64_t dirfd, uint64_t upath, char *name, bool *slash, int *err);

/* random numbers (sys_time.c: getrandom's generator, seeded from RDRAND
 * and the cycle counter): /dev/urandom, AT_RANDOM */
uint64_t random_u64(void);
void random_fill(void *buf, size_t n);

#endif
