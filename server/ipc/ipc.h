/*
 * System V IPC: what shared memory (ipc_shm.c) and semaphores
 * (ipc_sem.c) have in common, as Linux's ipc/util.c: the table of a
 * kind's objects (an id is its index + seq * 32768, the seq moving on
 * each time the cyclic allocation of indices wraps), keys, and the
 * permission rules (ipcperms, and who may change or remove an object).
 * Pure code on struct cred (host unit tests).
 */
#ifndef SRV_IPC_H
#define SRV_IPC_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/ipc.h>

#include "cred.h"

struct proc;
struct vnode;

#define IPCMNI          32768 /* the index space of every kind (Linux's IPCMNI) */
#define IPC_SEQ_MAX     (0x7fffffff / IPCMNI)
#define IPC_MIN_CYCLE   64  /* (RADIX_TREE_MAP_SIZE) */
#define IPC_SLOTS_CHUNK 256 /* table slots per heap object */

/* an object's key, owner and permissions (Linux's kern_ipc_perm) */
struct kipc_perm {
	int id;
	int32_t key; /* IPC_PRIVATE: none (or no longer: removed) */
	uint32_t uid, gid, cuid, cgid;
	uint32_t mode; /* the permissions, and a kind's own flags above them */
	uint16_t seq;
};

/* the objects of one kind */
struct ipc_ids {
	struct kipc_perm **chunks[IPCMNI / IPC_SLOTS_CHUNK];
	uint16_t chunk_used[IPCMNI / IPC_SLOTS_CHUNK];
	int in_use;
	int max_idx;  /* the highest index in use (-1: none) */
	int last_idx; /* the last index handed out (-1: none yet) */
	int next;     /* where the cyclic search starts */
	uint16_t seq;
};

void ipc_ids_init(struct ipc_ids *ids);
/* the object with this key (not IPC_PRIVATE), or NULL */
struct kipc_perm *ipc_find_key(struct ipc_ids *ids, int32_t key);
/* the object with this id: NULL for none, or another seq (EINVAL) */
struct kipc_perm *ipc_find_id(struct ipc_ids *ids, int id);
/* the object at id's index whatever its seq (the *_STAT commands) */
struct kipc_perm *ipc_find_idx(struct ipc_ids *ids, int id);
/* the object at index idx, NULL if free (idx < IPCMNI) */
struct kipc_perm *ipc_at(struct ipc_ids *ids, int idx);
/* enters perm (its key and mode set) with c as owner and creator: its
 * id, -ENOSPC (limit objects already), -ENOMEM */
int ipc_add(struct ipc_ids *ids, struct kipc_perm *perm, const struct cred *c, int limit);
/* perm leaves the table (its id is invalid from now on) */
void ipc_remove(struct ipc_ids *ids, struct kipc_perm *perm);
/* IPC_INFO's answer: the highest index in use, or -1 */
int ipc_max_idx(const struct ipc_ids *ids);

/* c may have the access flag asks (its permission bits: 0444 read,
 * 0222 write, ...) to perm (Linux's ipcperms): owner, then group, then
 * others; CAP_IPC_OWNER overrides */
bool ipc_permitted(const struct cred *c, const struct kipc_perm *perm, int flag);
/* c may change or remove perm (IPC_SET, IPC_RMID): its owner or creator,
 * or CAP_SYS_ADMIN */
bool ipc_may_control(const struct cred *c, const struct kipc_perm *perm);
/* IPC_SET's change from what user space gave: -EINVAL for an id of -1 */
int ipc_set_perm(struct kipc_perm *perm, const struct ipc64_perm *in);
void ipc_to_user(const struct kipc_perm *perm, struct ipc64_perm *out);

/* the wall clock in seconds, for the objects' times */
int64_t ipc_now(void);

/* n elements of size bytes kept in heap objects of at most
 * IPC_CHUNK_BYTES each (a set of 32000 semaphores is no one object):
 * nchunks of them in chunks[] */
#define IPC_CHUNK_BYTES 2048
static inline unsigned ipc_chunks(unsigned n, unsigned size)
{
	unsigned per = IPC_CHUNK_BYTES / size;
	return (n + per - 1) / per;
}
/* 0, or -ENOMEM (nothing left allocated) */
int ipc_chunks_alloc(void **chunks, unsigned n, unsigned size);
void ipc_chunks_free(void **chunks, unsigned n, unsigned size);
static inline void *ipc_elem(void *const *chunks, unsigned i, unsigned size)
{
	unsigned per = IPC_CHUNK_BYTES / size;
	return (char *)chunks[i / per] + (i % per) * size;
}

/* p's SEM_UNDO adjustments are made (ipc_sem.c) */
void sem_exit(struct proc *p);
/* the end of p (before its memory goes): its SEM_UNDO adjustments are
 * made, and if its memory goes with it (mm_goes: no vfork relative shares
 * it) its attachments go as its own detaches */
void ipc_exit(struct proc *p, bool mm_goes);
/* the name a mapping of a segment's vnode shows in /proc/PID/maps */
void shm_map_name(const struct vnode *vn, char *buf, unsigned long size);
/* the tables of /proc/sysvipc/shm and sem: the heading, then a line per
 * object, each given to emit */
typedef void ipc_emit_fn(void *ctx, const char *line);
void shm_proc_show(ipc_emit_fn *emit, void *ctx);
void sem_proc_show(ipc_emit_fn *emit, void *ctx);

/* the limits (Linux 6.1's defaults, /proc/sys/kernel) */
#define SHMMIN_L 1ull
#define SHMMAX_L (~0ull - (1ull << 24))
#define SHMALL_L (~0ull - (1ull << 24))
#define SHMMNI_L 4096

#endif
