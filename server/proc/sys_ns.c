/*
 * Name spaces: the server has one of each (mounts, UTS names, IPC, pids,
 * users, network, cgroups, time) and no way yet to make another.
 * unshare(flags) does what it can: what a process of one thread, which
 * shares no files, file system data or memory with another (no thread,
 * no CLONE_FILES), already has to itself needs no work.
 */
#include "sys.h"

#define UNSHARE_OWN (CLONE_VM_L | CLONE_FS_L | CLONE_FILES_L | CLONE_SIGHAND_L | CLONE_THREAD_L | CLONE_SYSVSEM_L)
#define UNSHARE_NEW                                                                                               \
	(CLONE_NEWNS_L | CLONE_NEWCGROUP_L | CLONE_NEWUTS_L | CLONE_NEWIPC_L | CLONE_NEWUSER_L | CLONE_NEWPID_L | \
	 CLONE_NEWNET_L | CLONE_NEWTIME_L)

/* unshare: unknown flags EINVAL (Linux's check_unshare_flags); the ones
 * a process already has to itself 0; a new name space ENOSYS, logged */
long sys_unshare(struct lthread *t, const struct sysargs *a)
{
	static bool logged;
	(void)t;
	uint64_t flags = (uint32_t)a->a0;
	if (flags & ~(uint64_t)(UNSHARE_OWN | UNSHARE_NEW))
		return -EINVAL;
	if (flags & UNSHARE_NEW) {
		if (!logged)
			printf("lx4-server: unshare of a name space (%#lx) not implemented: ENOSYS\n",
			       flags & UNSHARE_NEW);
		logged = true;
		return -ENOSYS;
	}
	return 0;
}
