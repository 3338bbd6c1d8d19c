/*
 * The Linux x86-64 ABI the server implements: constants and structures
 * from Debian's linux-libc-dev (the kernel's own UAPI headers), plus the
 * few kernel-side structures that are not in them.
 */
#ifndef SRV_LINUX_H
#define SRV_LINUX_H

#include <asm-generic/errno.h>
#include <asm/ioctls.h>
#include <asm/mman.h>
#include <asm/signal.h>
#include <linux/mman.h>
#include <asm/stat.h>
#include <asm/termbits.h>
#include <asm/termios.h>
#include <asm/unistd_64.h>
#include <linux/auxvec.h>
#include <linux/fcntl.h>
/* lseek's and struct flock's whence (<linux/fs.h> is not for user space) */
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define SEEK_DATA 3
#define SEEK_HOLE 4
#include <linux/resource.h>
#include <linux/time_types.h>
#include <linux/utsname.h>
#include <stdint.h>

/* getdents64 records */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};
#define DT_UNKNOWN 0
#define DT_CHR 2
#define DT_DIR 4
#define DT_REG 8
#define DT_LNK 10

/* rt_sigaction's struct as the kernel sees it */
struct k_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};
#define NSIG_LINUX 64
#define SIG_DFL_L 0ull
#define SIG_IGN_L 1ull
/* the bit of signal sig in a 64-bit signal set */
#define SIGBIT(sig) (1ull << ((sig) - 1))

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7

struct linux_timeval {
	int64_t tv_sec, tv_usec;
};

struct linux_rlimit64 {
	uint64_t cur, max;
};

struct linux_iovec {
	uint64_t base, len;
};

#define GRND_NONBLOCK 1
#define GRND_RANDOM 2
#define GRND_INSECURE 4

#define AT_FDCWD_LINUX (-100)

/* utimensat's special nanoseconds (the kernel's <linux/stat.h>) and the
 * structure of utime(2) */
#define UTIME_NOW  ((1l << 30) - 1l)
#define UTIME_OMIT ((1l << 30) - 2l)
struct linux_utimbuf {
	int64_t actime, modtime;
};

#endif
