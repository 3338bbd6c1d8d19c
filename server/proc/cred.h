/*
 * Credentials: who a process is and what it may do.  Real, effective,
 * saved and file-system user and group ids, the supplementary groups and
 * the capability sets, with Linux's rules for changing them
 * (kernel/sys.c, security/commoncap.c).  The rules are pure functions on
 * struct cred (host unit tests); sys_cred.c is their system calls.
 */
#ifndef SRV_CRED_H
#define SRV_CRED_H

#include <stdbool.h>
#include <stdint.h>

#define CAP_CHOWN            0
#define CAP_DAC_OVERRIDE     1
#define CAP_DAC_READ_SEARCH  2
#define CAP_FOWNER           3
#define CAP_FSETID           4
#define CAP_KILL             5
#define CAP_SETGID           6
#define CAP_SETUID           7
#define CAP_SETPCAP          8
#define CAP_LINUX_IMMUTABLE  9
#define CAP_IPC_LOCK         14
#define CAP_IPC_OWNER        15
#define CAP_SYS_RAWIO        17
#define CAP_SYS_PTRACE       19
#define CAP_SYS_ADMIN        21
#define CAP_SYS_NICE         23
#define CAP_SYS_RESOURCE     24
#define CAP_MKNOD            27
#define CAP_LEASE            28
#define CAP_MAC_OVERRIDE     32
#define CAP_SYSLOG           34
#define CAP_LAST_CAP         40 /* Linux 6.1's: CAP_CHECKPOINT_RESTORE */
#define CAP_FULL_SET         ((2ull << CAP_LAST_CAP) - 1)
#define CAP_BIT(c)           (1ull << (c))
/* what a change of the file-system uid to or from 0 takes or gives back */
#define CAP_FS_MASK                                                                                        \
	(CAP_BIT(CAP_CHOWN) | CAP_BIT(CAP_DAC_OVERRIDE) | CAP_BIT(CAP_DAC_READ_SEARCH) | CAP_BIT(CAP_FOWNER) | \
	 CAP_BIT(CAP_FSETID) | CAP_BIT(CAP_LINUX_IMMUTABLE) | CAP_BIT(CAP_MKNOD) | CAP_BIT(CAP_MAC_OVERRIDE))

#define NGROUPS_MAX_LINUX 65536
/* the most groups a process here holds (one small object); setgroups of
 * more, up to NGROUPS_MAX_LINUX, is ENOMEM */
#define CRED_GROUPS_MAX 1000

#define ID_UNCHANGED 0xffffffffu /* (uid_t)-1: "leave it" in set*id, never an id */

struct cred {
	uint32_t ruid, euid, suid, fsuid;
	uint32_t rgid, egid, sgid, fsgid;
	uint64_t cap_eff, cap_prm, cap_inh, cap_bnd;
	bool keepcaps; /* PR_SET_KEEPCAPS: a change of uids keeps the permitted set */
	uint32_t ngroups;
	uint32_t *groups; /* ngroups ids, sorted (NULL if none) */
};

/* root with every capability, no groups (the first process) */
void cred_init_root(struct cred *c);
/* a copy (fork): 0, or -ENOMEM */
int cred_copy(struct cred *dst, const struct cred *src);
void cred_free(struct cred *c);

static inline bool cred_capable(const struct cred *c, int cap) { return (c->cap_eff >> cap) & 1; }
/* gid is c's file-system group or one of its supplementary groups */
bool cred_in_group(const struct cred *c, uint32_t gid);

/* the set*id calls: 0, -EPERM or -EINVAL; nothing changes on an error */
int cred_setuid(struct cred *c, uint32_t uid);
int cred_setreuid(struct cred *c, uint32_t ruid, uint32_t euid);
int cred_setresuid(struct cred *c, uint32_t ruid, uint32_t euid, uint32_t suid);
int cred_setgid(struct cred *c, uint32_t gid);
int cred_setregid(struct cred *c, uint32_t rgid, uint32_t egid);
int cred_setresgid(struct cred *c, uint32_t rgid, uint32_t egid, uint32_t sgid);
/* setfsuid and setfsgid: the old value whatever happens */
uint32_t cred_setfsuid(struct cred *c, uint32_t fsuid);
uint32_t cred_setfsgid(struct cred *c, uint32_t fsgid);
/* setgroups: n ids from list (CAP_SETGID): 0, -EPERM, -EINVAL, -ENOMEM */
int cred_setgroups(struct cred *c, const uint32_t *list, uint32_t n);
/* capset on oneself: the new sets, as Linux's cap_capset checks them */
int cred_capset(struct cred *c, uint64_t eff, uint64_t prm, uint64_t inh);

/* what execve does to the credentials: a set-user-ID file's owner
 * (file_uid, else ID_UNCHANGED) becomes the effective uid, a set-group-ID
 * file's group the effective gid; root keeps its bounding set, others lose
 * every capability (no file capabilities); with no_new_privs (nnp) the
 * set-id bits do nothing.  Whether the new image runs in secure mode
 * (AT_SECURE: its ids or capabilities are not its caller's) */
bool cred_exec(struct cred *c, uint32_t file_uid, uint32_t file_gid, bool nnp);
/* the change from old to n takes a process's dumpability (commit_creds:
 * new effective or file-system ids, capabilities it did not have) */
bool cred_changes_identity(const struct cred *old, const struct cred *n);
/* from may send sig to a process with credentials to (Linux's
 * kill_ok_by_cred; the same-session SIGCONT rule is the caller's) */
bool cred_may_signal(const struct cred *from, const struct cred *to);

#endif
