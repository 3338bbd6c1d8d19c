/* System V IPC's common part (ipc.h): tables, keys, ids and permissions. */
#include "ipc.h"

#include "linux.h"
#include "mem.h"
#include "vfs.h"

void ipc_ids_init(struct ipc_ids *ids)
{
	*ids = (struct ipc_ids){.max_idx = -1, .last_idx = -1};
}

struct kipc_perm *ipc_at(struct ipc_ids *ids, int idx)
{
	struct kipc_perm **c = ids->chunks[idx / IPC_SLOTS_CHUNK];
	return c ? c[idx % IPC_SLOTS_CHUNK] : NULL;
}

struct kipc_perm *ipc_find_key(struct ipc_ids *ids, int32_t key)
{
	if (key == IPC_PRIVATE)
		return NULL;
	for (int i = 0; i <= ids->max_idx; i++) {
		struct kipc_perm *p = ipc_at(ids, i);
		if (p && p->key == key)
			return p;
	}
	return NULL;
}

struct kipc_perm *ipc_find_idx(struct ipc_ids *ids, int id)
{
	return id < 0 ? NULL : ipc_at(ids, id % IPCMNI);
}

struct kipc_perm *ipc_find_id(struct ipc_ids *ids, int id)
{
	struct kipc_perm *p = ipc_find_idx(ids, id);
	return p && p->id == id ? p : NULL;
}

/* a free index in [from, end), or -1 */
static int free_idx(struct ipc_ids *ids, int from, int end)
{
	for (int i = from; i < end; i++)
		if (!ipc_at(ids, i))
			return i;
	return -1;
}

int ipc_add(struct ipc_ids *ids, struct kipc_perm *perm, const struct cred *c, int limit)
{
	if (limit > IPCMNI)
		limit = IPCMNI;
	if (ids->in_use >= limit)
		return -ENOSPC;
	/* Linux's idr_alloc_cyclic below max(in_use * 3/2, 64): indices are
	 * not reused at once, and the seq moves on when they wrap */
	int end = ids->in_use * 3 / 2;
	if (end < IPC_MIN_CYCLE)
		end = IPC_MIN_CYCLE;
	if (end > IPCMNI)
		end = IPCMNI;
	int idx = free_idx(ids, ids->next < end ? ids->next : end, end);
	if (idx < 0)
		idx = free_idx(ids, 0, end);
	if (idx < 0)
		return -ENOSPC;
	unsigned ci = (unsigned)idx / IPC_SLOTS_CHUNK;
	if (!ids->chunks[ci] && !(ids->chunks[ci] = mem_zalloc(IPC_SLOTS_CHUNK * sizeof(struct kipc_perm *))))
		return -ENOMEM;
	ids->next = idx + 1;
	if (idx <= ids->last_idx && ++ids->seq >= IPC_SEQ_MAX)
		ids->seq = 0;
	ids->last_idx = idx;
	perm->seq = ids->seq;
	perm->id = perm->seq * IPCMNI + idx;
	perm->uid = perm->cuid = c->euid;
	perm->gid = perm->cgid = c->egid;
	ids->chunks[ci][idx % IPC_SLOTS_CHUNK] = perm;
	ids->chunk_used[ci]++;
	ids->in_use++;
	if (idx > ids->max_idx)
		ids->max_idx = idx;
	return perm->id;
}

void ipc_remove(struct ipc_ids *ids, struct kipc_perm *perm)
{
	int idx = perm->id % IPCMNI;
	unsigned ci = (unsigned)idx / IPC_SLOTS_CHUNK;
	ids->chunks[ci][idx % IPC_SLOTS_CHUNK] = NULL;
	if (!--ids->chunk_used[ci]) {
		mem_free(ids->chunks[ci]);
		ids->chunks[ci] = NULL;
	}
	ids->in_use--;
	if (idx == ids->max_idx)
		while (ids->max_idx >= 0 && !ipc_at(ids, ids->max_idx))
			ids->max_idx--;
}

int ipc_max_idx(const struct ipc_ids *ids)
{
	if (!ids->in_use)
		return -1;
	return ids->in_use == IPCMNI ? IPCMNI - 1 : ids->max_idx;
}

bool ipc_permitted(const struct cred *c, const struct kipc_perm *perm, int flag)
{
	int requested = (flag >> 6) | (flag >> 3) | flag;
	uint32_t granted = perm->mode;
	if (c->euid == perm->cuid || c->euid == perm->uid)
		granted >>= 6;
	else if (cred_in_group(c, perm->cgid) || cred_in_group(c, perm->gid))
		granted >>= 3;
	return !(requested & ~granted & 07) || cred_capable(c, CAP_IPC_OWNER);
}

bool ipc_may_control(const struct cred *c, const struct kipc_perm *perm)
{
	return c->euid == perm->cuid || c->euid == perm->uid || cred_capable(c, CAP_SYS_ADMIN);
}

int ipc_set_perm(struct kipc_perm *perm, const struct ipc64_perm *in)
{
	if (in->uid == ID_UNCHANGED || in->gid == ID_UNCHANGED)
		return -EINVAL; /* (no such id: make_kuid gives INVALID_UID) */
	perm->uid = in->uid;
	perm->gid = in->gid;
	perm->mode = (perm->mode & ~0777u) | (in->mode & 0777u);
	return 0;
}

void ipc_to_user(const struct kipc_perm *perm, struct ipc64_perm *out)
{
	out->key = perm->key;
	out->uid = perm->uid;
	out->gid = perm->gid;
	out->cuid = perm->cuid;
	out->cgid = perm->cgid;
	out->mode = perm->mode;
	out->seq = perm->seq;
}

int64_t ipc_now(void)
{
	return (int64_t)vfs_now_sec();
}

int ipc_chunks_alloc(void **chunks, unsigned n, unsigned size)
{
	unsigned per = IPC_CHUNK_BYTES / size, nc = ipc_chunks(n, size);
	for (unsigned i = 0; i < nc; i++) {
		unsigned elems = n - i * per < per ? n - i * per : per;
		if (!(chunks[i] = mem_zalloc(elems * size))) {
			ipc_chunks_free(chunks, i * per, size);
			return -ENOMEM;
		}
	}
	return 0;
}

void ipc_chunks_free(void **chunks, unsigned n, unsigned size)
{
	unsigned nc = ipc_chunks(n, size);
	for (unsigned i = 0; i < nc; i++) {
		mem_free(chunks[i]);
		chunks[i] = NULL;
	}
}
