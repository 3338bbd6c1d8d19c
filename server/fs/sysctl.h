/*
 * The numeric files of /proc/sys (Linux's sysctls), read and written as
 * Linux's proc_dointvec_minmax, proc_douintvec and proc_doulongvec_minmax
 * do; procfs.c gives each its place and its mode.
 */
#ifndef SRV_SYSCTL_H
#define SRV_SYSCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sysctl_type { SYSCTL_INT, SYSCTL_UINT, SYSCTL_ULONG };

struct sysctl {
	enum sysctl_type type;
	void *data;       /* an int, unsigned or uint64_t as type says */
	int64_t min, max; /* what a write may set (Linux's extra1, extra2) */
	int cap;          /* a capability its writer needs besides the mode (-1: none) */
	/* (optional) the value now, and the setting of a value that passed
	 * the bounds: 0 or -EINVAL */
	uint64_t (*load)(void);
	int (*store)(uint64_t v);
};

extern const struct sysctl sysctl_cap_last_cap, sysctl_ngroups_max, sysctl_pid_max, sysctl_tainted, sysctl_threads_max,
    sysctl_file_max, sysctl_nr_open, sysctl_pipe_max_size, sysctl_max_map_count, sysctl_overcommit_kbytes,
    sysctl_overcommit_memory, sysctl_overcommit_ratio, sysctl_lease_break_time;

/* fs.file-max now */
uint64_t file_max_load(void);

/* the text a read shows: the value and a newline */
int sysctl_show(const struct sysctl *c, char *buf, size_t size);
/* a write of text (n bytes, at file offset pos) by a process with
 * credentials cred: the bytes taken, or -EINVAL, -EPERM */
struct cred;
long sysctl_store(const struct sysctl *c, const struct cred *cred, const char *text, size_t n, uint64_t pos);

#endif
