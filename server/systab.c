/*
 * The system call table: one entry per x86-64 Linux system call number
 * the server implements.  A number without an entry returns -ENOSYS and is
 * logged once with its name.  tools/gen_syscalls_doc.py reads this table (and
 * the comments: "partial: ...") to write docs/syscalls.md.
 */
#include "systab.h"

syscall_fn *const syscall_table[SYSCALL_MAX] = {
	[__NR_read] = sys_read,                       /* read(2) */
	[__NR_write] = sys_write,                     /* write(2) */
	[__NR_open] = sys_open,                       /* open(2) */
	[__NR_close] = sys_close,                     /* close(2) */
	[__NR_stat] = sys_stat,                       /* stat(2) */
	[__NR_fstat] = sys_fstat,                     /* fstat(2) */
	[__NR_lstat] = sys_lstat,                     /* lstat(2) */
	[__NR_lseek] = sys_lseek,                     /* lseek(2) */
	[__NR_mmap] = sys_mmap,                       /* mmap(2) */
	[__NR_mprotect] = sys_mprotect,               /* mprotect(2) */
	[__NR_munmap] = sys_munmap,                   /* munmap(2) */
	[__NR_brk] = sys_brk,                         /* brk(2) */
	[__NR_rt_sigaction] = sys_rt_sigaction,       /* rt_sigaction(2) */
	[__NR_rt_sigprocmask] = sys_rt_sigprocmask,   /* rt_sigprocmask(2) */
	[__NR_ioctl] = sys_ioctl,                     /* partial: the console's terminal requests */
	[__NR_pread64] = sys_pread64,                 /* pread(2) */
	[__NR_pwrite64] = sys_pwrite64,               /* pwrite(2) */
	[__NR_readv] = sys_readv,                     /* readv(2) */
	[__NR_writev] = sys_writev,                   /* writev(2) */
	[__NR_access] = sys_access,                   /* access(2) */
	[__NR_sched_yield] = sys_sched_yield,         /* sched_yield(2) */
	[__NR_mremap] = sys_mremap,                   /* mremap(2) */
	[__NR_msync] = sys_msync,                     /* msync(2): mappings share the file's pages */
	[__NR_madvise] = sys_madvise,                 /* partial: DONTNEED drops pages, the rest are hints */
	[__NR_dup] = sys_dup,                         /* dup(2) */
	[__NR_dup2] = sys_dup2,                       /* dup2(2) */
	[__NR_nanosleep] = sys_nanosleep,             /* nanosleep(2) */
	[__NR_getpid] = sys_getpid,                   /* getpid(2) */
	[__NR_sendfile] = sys_sendfile,               /* sendfile(2) */
	[__NR_execve] = sys_execve,                   /* partial: static executables only */
	[__NR_exit] = sys_exit,                       /* exit(2) */
	[__NR_uname] = sys_uname,                     /* uname(2) */
	[__NR_fcntl] = sys_fcntl,                     /* fcntl(2), with POSIX and OFD record locks */
	[__NR_flock] = sys_flock,                     /* flock(2) */
	[__NR_fsync] = sys_fsync,                     /* fsync(2) */
	[__NR_fdatasync] = sys_fsync,                 /* fdatasync(2) */
	[__NR_statfs] = sys_statfs,                   /* statfs(2) */
	[__NR_fstatfs] = sys_fstatfs,                 /* fstatfs(2) */
	[__NR_truncate] = sys_truncate,               /* truncate(2) */
	[__NR_ftruncate] = sys_ftruncate,             /* ftruncate(2) */
	[__NR_getdents64] = sys_getdents64,           /* getdents64(2) */
	[__NR_getcwd] = sys_getcwd,                   /* getcwd(2) */
	[__NR_chdir] = sys_chdir,                     /* chdir(2) */
	[__NR_fchdir] = sys_fchdir,                   /* fchdir(2) */
	[__NR_rename] = sys_rename,                   /* rename(2) */
	[__NR_mkdir] = sys_mkdir,                     /* mkdir(2) */
	[__NR_rmdir] = sys_rmdir,                     /* rmdir(2) */
	[__NR_creat] = sys_creat,                     /* creat(2) */
	[__NR_unlink] = sys_unlink,                   /* unlink(2) */
	[__NR_link] = sys_link,                       /* link(2) */
	[__NR_symlink] = sys_symlink,                 /* symlink(2) */
	[__NR_readlink] = sys_readlink,               /* readlink(2) */
	[__NR_chmod] = sys_chmod,                     /* chmod(2) */
	[__NR_fchmod] = sys_fchmod,                   /* fchmod(2) */
	[__NR_chown] = sys_chown,                     /* chown(2) */
	[__NR_fchown] = sys_fchown,                   /* fchown(2) */
	[__NR_lchown] = sys_lchown,                   /* lchown(2) */
	[__NR_umask] = sys_umask,                     /* umask(2) */
	[__NR_gettimeofday] = sys_gettimeofday,       /* gettimeofday(2) */
	[__NR_settimeofday] = sys_settimeofday,       /* settimeofday(2): CAP_SYS_TIME */
	[__NR_clock_settime] = sys_clock_settime,     /* clock_settime(2): CLOCK_REALTIME, CAP_SYS_TIME */
	[__NR_getrlimit] = sys_getrlimit,             /* getrlimit(2) */
	[__NR_getrusage] = sys_getrusage,             /* getrusage(2): no majflt, inblock, oublock (none here) */
	[__NR_times] = sys_times,                     /* times(2) */
	[__NR_getuid] = sys_getuid,                   /* getuid(2) */
	[__NR_getgid] = sys_getgid,                   /* getgid(2) */
	[__NR_geteuid] = sys_geteuid,                 /* geteuid(2) */
	[__NR_getegid] = sys_getegid,                 /* getegid(2) */
	[__NR_setpgid] = sys_setpgid,                 /* setpgid(2) */
	[__NR_getppid] = sys_getppid,                 /* getppid(2) */
	[__NR_getpgrp] = sys_getpgrp,                 /* getpgrp(2) */
	[__NR_setsid] = sys_setsid,                   /* setsid(2) */
	[__NR_getpgid] = sys_getpgid,                 /* getpgid(2) */
	[__NR_getsid] = sys_getsid,                   /* getsid(2) */
	[__NR_setrlimit] = sys_setrlimit,             /* setrlimit(2) */
	[__NR_arch_prctl] = sys_arch_prctl,           /* arch_prctl(2) */
	[__NR_gettid] = sys_gettid,                   /* gettid(2) */
	[__NR_time] = sys_time,                       /* time(2) */
	[__NR_set_tid_address] = sys_set_tid_address, /* set_tid_address(2) */
	[__NR_clock_gettime] = sys_clock_gettime,     /* clock_gettime(2) */
	[__NR_clock_getres] = sys_clock_getres,       /* clock_getres(2) */
	[__NR_clock_nanosleep] = sys_clock_nanosleep, /* clock_nanosleep(2) */
	[__NR_exit_group] = sys_exit_group,           /* exit_group(2) */
	[__NR_openat] = sys_openat,                   /* openat(2) */
	[__NR_mkdirat] = sys_mkdirat,                 /* mkdirat(2) */
	[__NR_newfstatat] = sys_newfstatat,           /* fstatat(2) */
	[__NR_statx] = sys_statx,                     /* statx(2): the basic fields (no birth time) */
	[__NR_getxattr] = sys_getxattr,               /* getxattr(2): no file has extended attributes */
	[__NR_lgetxattr] = sys_lgetxattr,             /* lgetxattr(2): the same */
	[__NR_fgetxattr] = sys_fgetxattr,             /* fgetxattr(2): the same */
	[__NR_listxattr] = sys_listxattr,             /* listxattr(2): always an empty list */
	[__NR_llistxattr] = sys_llistxattr,           /* llistxattr(2): the same */
	[__NR_flistxattr] = sys_flistxattr,           /* flistxattr(2): the same */
	[__NR_unlinkat] = sys_unlinkat,               /* unlinkat(2) */
	[__NR_renameat] = sys_renameat,               /* renameat(2) */
	[__NR_symlinkat] = sys_symlinkat,             /* symlinkat(2) */
	[__NR_linkat] = sys_linkat,                   /* linkat(2) */
	[__NR_mknod] = sys_mknod,                     /* mknod(2) */
	[__NR_mknodat] = sys_mknodat,                 /* mknodat(2) */
    [__NR_mount] = sys_mount,                     /* mount(2): tmpfs and ramfs; no bind, move or propagation */
    [__NR_umount2] = sys_umount2,                 /* umount2(2) */
	[__NR_sync] = sys_sync,                       /* sync(2): files are in RAM */
	[__NR_syncfs] = sys_syncfs,                   /* syncfs(2) */
	[__NR_fallocate] = sys_fallocate,             /* fallocate(2): space and holes, as tmpfs */
	[__NR_mlock] = sys_mlock,                     /* mlock(2) */
	[__NR_munlock] = sys_munlock,                 /* munlock(2) */
	[__NR_mlockall] = sys_mlockall,               /* mlockall(2) */
	[__NR_munlockall] = sys_munlockall,           /* munlockall(2) */
	[__NR_mlock2] = sys_mlock2,                   /* mlock2(2) */
	[__NR_fadvise64] = sys_fadvise64,             /* posix_fadvise(2): the files are in RAM, advice is accepted */
	[__NR_readlinkat] = sys_readlinkat,           /* readlinkat(2) */
	[__NR_fchmodat] = sys_fchmodat,               /* fchmodat(2) */
	[__NR_fchownat] = sys_fchownat,               /* fchownat(2) */
	[__NR_utimensat] = sys_utimensat,             /* utimensat(2) */
	[__NR_futimesat] = sys_futimesat,             /* futimesat(2) */
	[__NR_utimes] = sys_utimes,                   /* utimes(2) */
	[__NR_utime] = sys_utime,                     /* utime(2) */
	[__NR_faccessat] = sys_faccessat,             /* faccessat(2) */
	[__NR_set_robust_list] = sys_set_robust_list, /* set_robust_list(2) */
	[__NR_get_robust_list] = sys_get_robust_list, /* get_robust_list(2) */
	[__NR_dup3] = sys_dup3,                       /* dup3(2) */
	[__NR_preadv] = sys_preadv,                   /* preadv(2) */
	[__NR_pwritev] = sys_pwritev,                 /* pwritev(2) */
	[__NR_prlimit64] = sys_prlimit64,             /* prlimit(2) */
	[__NR_renameat2] = sys_renameat2,             /* partial: no RENAME_* flags */
	[__NR_getrandom] = sys_getrandom,             /* getrandom(2) */
	[__NR_faccessat2] = sys_faccessat2,           /* faccessat2(2) */
	[__NR_poll] = sys_poll,                       /* poll(2) */
	[__NR_ppoll] = sys_ppoll,                     /* ppoll(2) */
	[__NR_select] = sys_select,                   /* select(2) */
	[__NR_pselect6] = sys_pselect6,               /* pselect6(2) */
	[__NR_pipe] = sys_pipe,                       /* pipe(2) */
	[__NR_pipe2] = sys_pipe2,                     /* pipe2(2) */
	[__NR_epoll_create] = sys_epoll_create,       /* epoll_create(2) */
	[__NR_epoll_create1] = sys_epoll_create1,     /* epoll_create1(2) */
	[__NR_epoll_ctl] = sys_epoll_ctl,             /* epoll_ctl(2): no max_user_watches but a server-wide bound */
	[__NR_epoll_wait] = sys_epoll_wait,           /* epoll_wait(2) */
	[__NR_epoll_pwait] = sys_epoll_pwait,         /* epoll_pwait(2) */
	[__NR_epoll_pwait2] = sys_epoll_pwait2,       /* epoll_pwait2(2) */
	[__NR_eventfd] = sys_eventfd,                 /* eventfd(2) */
	[__NR_eventfd2] = sys_eventfd2,               /* eventfd2(2) */
	[__NR_timerfd_create] = sys_timerfd_create,   /* timerfd_create(2) */
	[__NR_timerfd_settime] = sys_timerfd_settime, /* timerfd_settime(2) */
	[__NR_timerfd_gettime] = sys_timerfd_gettime, /* timerfd_gettime(2) */
	[__NR_signalfd] = sys_signalfd,               /* signalfd(2) */
	[__NR_signalfd4] = sys_signalfd4,             /* signalfd4(2) */
	[__NR_fork] = sys_fork,                       /* fork(2) */
	[__NR_vfork] = sys_vfork,                     /* vfork(2) */
	[__NR_clone] = sys_clone,                     /* partial: threads share files and cwd; no namespaces or CLONE_PIDFD */
	[__NR_clone3] = sys_clone3,                   /* partial: as clone; no set_tid, CLONE_CLEAR_SIGHAND */
	[__NR_wait4] = sys_wait4,                     /* wait4(2) */
	[__NR_waitid] = sys_waitid,                   /* partial: no pidfds (P_PIDFD: EBADF) */
	[__NR_sysinfo] = sys_sysinfo,                 /* sysinfo(2) */
	[__NR_getgroups] = sys_getgroups,             /* getgroups(2) */
	[__NR_prctl] = sys_prctl,                     /* partial: names, dumpable, no_new_privs */
	[__NR_sethostname] = sys_sethostname,         /* sethostname(2) */
	[__NR_getpriority] = sys_getpriority,         /* getpriority(2) */
	[__NR_syslog] = sys_syslog,                   /* syslog(2): the server's own messages */
	[__NR_futex] = sys_futex,                     /* partial: WAIT, WAKE (and BITSET), REQUEUE, CMP_REQUEUE, WAKE_OP; no PI */
	[__NR_setpriority] = sys_setpriority,         /* setpriority(2): kept and shown, not yet scheduled by */
	[__NR_ioprio_get] = sys_ioprio_get,           /* ioprio_get(2) */
	[__NR_ioprio_set] = sys_ioprio_set,           /* ioprio_set(2): kept, there is no block I/O */
	[__NR_sched_getaffinity] = sys_sched_getaffinity, /* sched_getaffinity(2): one CPU */
	[__NR_sched_setaffinity] = sys_sched_setaffinity, /* sched_setaffinity(2): one CPU */
	[__NR_personality] = sys_personality,         /* personality(2): uname follows PER_LINUX32, UNAME26 */
	[__NR_getresuid] = sys_getresuid,             /* getresuid(2) */
	[__NR_getresgid] = sys_getresgid,             /* getresgid(2) */
	[__NR_capget] = sys_capget,                   /* capget(2) */
	[__NR_capset] = sys_capset,                   /* capset(2): one's own sets */
	[__NR_setuid] = sys_setuid,                   /* setuid(2) */
	[__NR_setgid] = sys_setgid,                   /* setgid(2) */
	[__NR_setreuid] = sys_setreuid,               /* setreuid(2) */
	[__NR_setregid] = sys_setregid,               /* setregid(2) */
	[__NR_setresuid] = sys_setresuid,             /* setresuid(2) */
	[__NR_setresgid] = sys_setresgid,             /* setresgid(2) */
	[__NR_setfsuid] = sys_setfsuid,               /* setfsuid(2) */
	[__NR_setfsgid] = sys_setfsgid,               /* setfsgid(2) */
	[__NR_setgroups] = sys_setgroups,             /* setgroups(2): up to 1000 groups (more: ENOMEM) */
	[__NR_unshare] = sys_unshare,                 /* partial: no new name spaces */
	[__NR_setdomainname] = sys_setdomainname,     /* setdomainname(2) */
	[__NR_kill] = sys_kill,                       /* kill(2) */
	[__NR_tkill] = sys_tkill,                     /* tkill(2) */
	[__NR_tgkill] = sys_tgkill,                   /* tgkill(2) */
	[__NR_rt_sigpending] = sys_rt_sigpending,     /* rt_sigpending(2) */
	[__NR_rt_sigsuspend] = sys_rt_sigsuspend,     /* rt_sigsuspend(2) */
	[__NR_rt_sigtimedwait] = sys_rt_sigtimedwait, /* rt_sigtimedwait(2) */
	[__NR_rt_sigqueueinfo] = sys_rt_sigqueueinfo, /* rt_sigqueueinfo(2) */
	[__NR_rt_tgsigqueueinfo] = sys_rt_tgsigqueueinfo, /* rt_tgsigqueueinfo(2) */
	[__NR_rt_sigreturn] = sys_rt_sigreturn,       /* rt_sigreturn(2): the frame is checked as Linux does */
	[__NR_sigaltstack] = sys_sigaltstack,         /* sigaltstack(2) */
	[__NR_pause] = sys_pause,                     /* pause(2) */
	[__NR_alarm] = sys_alarm,                     /* alarm(2) */
	[__NR_setitimer] = sys_setitimer,             /* setitimer(2) */
	[__NR_getitimer] = sys_getitimer,             /* getitimer(2) */
	[__NR_shmget] = sys_shmget,                   /* shmget(2) */
	[__NR_shmat] = sys_shmat,                     /* shmat(2) */
	[__NR_shmdt] = sys_shmdt,                     /* shmdt(2) */
	[__NR_shmctl] = sys_shmctl,                   /* shmctl(2): SHM_LOCK keeps the flag (nothing is swapped) */
	[__NR_semget] = sys_semget,                   /* semget(2) */
	[__NR_semop] = sys_semop,                     /* semop(2) */
	[__NR_semtimedop] = sys_semtimedop,           /* semtimedop(2) */
	[__NR_semctl] = sys_semctl,                   /* semctl(2) */
	[__NR_socket] = sys_socket,           /* partial: AF_UNIX only (the others EAFNOSUPPORT) */
	[__NR_socketpair] = sys_socketpair,   /* partial: AF_UNIX only */
	[__NR_bind] = sys_bind,               /* bind(2): AF_UNIX paths and abstract names */
	[__NR_listen] = sys_listen,           /* listen(2) */
	[__NR_accept] = sys_accept,           /* accept(2) */
	[__NR_accept4] = sys_accept4,         /* accept4(2) */
	[__NR_connect] = sys_connect,         /* connect(2) */
	[__NR_getsockname] = sys_getsockname, /* getsockname(2) */
	[__NR_getpeername] = sys_getpeername, /* getpeername(2) */
	[__NR_shutdown] = sys_shutdown,       /* shutdown(2) */
	[__NR_sendto] = sys_sendto,           /* sendto(2) */
	[__NR_sendmsg] = sys_sendmsg,         /* partial: SCM_RIGHTS and SCM_CREDENTIALS, 4 KiB of control at most */
	[__NR_recvfrom] = sys_recvfrom,       /* recvfrom(2) */
	[__NR_recvmsg] = sys_recvmsg,         /* recvmsg(2) */
	[__NR_setsockopt] = sys_setsockopt,   /* partial: SOL_SOCKET's buffer sizes, SO_PASSCRED, timeouts, REUSEADDR, KEEPALIVE */
	[__NR_getsockopt] = sys_getsockopt,   /* partial: SOL_SOCKET's (type, error, buffers, peer's credentials, ...) */
	[__NR_close_range] = sys_close_range,   /* close_range(2) */
};

/* lx4's private system calls (syscall.h), indexed from LX4_SYSCALL_BASE */
syscall_fn *const lx4_syscall_table[LX4_SYSCALL_COUNT] = {
	/* lx4_counters(buf, size): copies this CPU's kernel event counters
	 * (the kernel's per-CPU figures: kernel entries, CR3 loads, IPCs, context
	 * switches; at most size bytes) to buf and returns the bytes copied;
	 * -ENOSYS where the platform has none.  For the benchmarks: a Linux
	 * program cannot read the KIP. */
	[LX4_SYS_COUNTERS - LX4_SYSCALL_BASE] = sys_lx4_counters,
	/* lx4_meminfo(buf): the server's memory figures (pages it holds,
	 * kernel pages of its processes), for the test that a process's end
	 * gives everything back */
	[LX4_SYS_MEMINFO - LX4_SYSCALL_BASE] = sys_lx4_meminfo,
};

/* every x86-64 system call's name, generated from <asm/unistd_64.h> */
const char *const syscall_names[SYSCALL_MAX] = {
#include "syscall_names.inc"
};
