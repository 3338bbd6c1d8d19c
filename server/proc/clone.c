/*
 * fork, vfork, clone and clone3: a new process (a copy of the caller's,
 * proc_fork) or a new thread of the caller's process (CLONE_THREAD: its
 * own id, registers, TLS, signal mask and pending signals, sharing
 * everything else).
 */
#include "rusage.h"
#include "signal.h"
#include "sys.h"

#define SIGCHLD_L              17
/* what a thread of a process must share with it here: its memory, signal
 * actions, descriptors and working directory (glibc's and musl's
 * pthread_create ask for all four) */
#define THREAD_SHARES (CLONE_VM_L | CLONE_SIGHAND_L | CLONE_FILES_L | CLONE_FS_L)

/* the registers a child starts with: the caller's at its syscall, rax 0,
 * and (if given) a new stack and TLS; 0 or -EAGAIN */
static int child_regs(struct lthread *t, uint64_t flags, uint64_t newsp, uint64_t tls, uint64_t *regs)
{
	if (plat_thread_get(&t->plat, false, regs, NULL))
		return -EAGAIN;
	/* the registers the syscall message brought are the current ones */
	for (int i = 0; i < 10; i++)
		regs[i] = t->regs[i];
	regs[PLAT_REG_RAX] = 0;
	regs[PLAT_REG_RCX] = regs[PLAT_REG_RIP]; /* what syscall leaves in them */
	regs[PLAT_REG_R11] = regs[PLAT_REG_RFLAGS];
	if (newsp)
		regs[PLAT_REG_RSP] = newsp;
	if (flags & CLONE_SETTLS_L)
		regs[PLAT_REG_FSBASE] = tls;
	return 0;
}

/* a new process; the child resumes with the caller's registers, rax = 0,
 * and (clone) a new stack and TLS.  With CLONE_VM it shares the caller's
 * memory; with CLONE_VFORK the caller waits until the child has exec'd
 * or ended (proc_vfork_done), whatever signals come but a fatal one (a
 * call made again while it waits goes on waiting) */
static long do_fork(struct lthread *t, uint64_t flags, uint64_t newsp, uint64_t ptid, uint64_t ctid, uint64_t tls)
{
	struct proc *p = t->proc;
	if (t->vfork_pid) { /* (made again while it waits) */
		struct proc *c = proc_by_pid(t->vfork_pid);
		if (c && c->vfork_parent == t)
			return SYS_WAIT;
		long pid = t->vfork_pid;
		t->vfork_pid = 0;
		return pid;
	}
	uint64_t regs[PLAT_REG_COUNT];
	int err = child_regs(t, flags, newsp, tls, regs);
	if (err)
		return err;
	struct proc *c = proc_fork(p, t, regs, flags & CLONE_VM_L, &err);
	if (!c)
		return err;
	cputimer_update(c); /* (its RLIMIT_CPU is the parent's) */
	if (flags & CLONE_SETTLS_L)
		c->thread->fs_base = tls;
	if (flags & CLONE_PARENT_L)
		proc_set_parent(c, p->parent);
	c->exit_signal = (int)(flags & 0xff);
	int pid = c->pid;
	if ((flags & CLONE_PARENT_SETTID_L) && ptid)
		copy_to_user(p, ptid, &pid, sizeof pid);
	if ((flags & CLONE_CHILD_SETTID_L) && ctid)
		copy_to_user(c, ctid, &pid, sizeof pid);
	if (flags & CLONE_CHILD_CLEARTID_L)
		c->thread->clear_child_tid = ctid;
	if (flags & CLONE_VFORK_L) {
		c->vfork_parent = t;
		t->vfork_pid = pid;
		return SYS_WAIT;
	}
	return pid;
}

/* a new thread of the caller's process, started on newsp (Linux's
 * copy_process with CLONE_THREAD): its id is the result */
static long do_thread(struct lthread *t, uint64_t flags, uint64_t newsp, uint64_t ptid, uint64_t ctid, uint64_t tls)
{
	struct proc *p = t->proc;
	if ((flags & THREAD_SHARES) != THREAD_SHARES) {
		static bool said;
		if (!said)
			printf("lx4-server: a thread that does not share its files or working directory: not implemented "
			       "(ENOSYS)\n");
		said = true;
		return -ENOSYS;
	}
	uint64_t regs[PLAT_REG_COUNT];
	int err = child_regs(t, flags, newsp, tls, regs);
	if (err)
		return err;
	if (proc_total_threads() >= proc_max_threads() || !proc_nproc_ok(p))
		return -EAGAIN;
	struct lthread *c = thread_alloc(p);
	if (!c)
		return -EAGAIN;
	signal_thread_new(c, t);
	c->fs_base = (flags & CLONE_SETTLS_L) ? tls : t->fs_base;
	c->gs_base = t->gs_base;
	regs[PLAT_REG_FSBASE] = c->fs_base;
	regs[PLAT_REG_GSBASE] = c->gs_base;
	if (flags & CLONE_CHILD_CLEARTID_L)
		c->clear_child_tid = ctid;
	if (plat_thread_create(&c->plat, &p->space, (uint64_t)c->tid)) {
		thread_release(c);
		return -ENOMEM;
	}
	/* the ids are in place before the thread runs, as on Linux */
	int tid = c->tid;
	if ((flags & CLONE_PARENT_SETTID_L) && ptid)
		copy_to_user(p, ptid, &tid, sizeof tid);
	if ((flags & CLONE_CHILD_SETTID_L) && ctid)
		copy_to_user(p, ctid, &tid, sizeof tid);
	if (plat_thread_start(&c->plat, regs)) {
		thread_release(c);
		return -ENOMEM;
	}
	return tid;
}

/* Linux's copy_process checks, then a process or a thread */
static long do_clone(struct lthread *t, uint64_t flags, int exit_signal, uint64_t newsp, uint64_t ptid, uint64_t ctid,
		     uint64_t tls)
{
	if ((flags & (CLONE_NEWNS_L | CLONE_FS_L)) == (CLONE_NEWNS_L | CLONE_FS_L) ||
	    (flags & (CLONE_NEWUSER_L | CLONE_FS_L)) == (CLONE_NEWUSER_L | CLONE_FS_L))
		return -EINVAL;
	if ((flags & CLONE_THREAD_L) && !(flags & CLONE_SIGHAND_L))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND_L) && !(flags & CLONE_VM_L))
		return -EINVAL;
	if ((flags & CLONE_PARENT_L) && t->proc->pid == 1)
		return -EINVAL; /* (init's siblings would be no one's) */
	if ((flags & CLONE_SETTLS_L) && tls >= (1ull << 47))
		return -EPERM;
	if (flags & (CLONE_NEWNS_L | CLONE_NEWCGROUP_L | CLONE_NEWUTS_L | CLONE_NEWIPC_L | CLONE_NEWUSER_L |
		     CLONE_NEWPID_L | CLONE_NEWNET_L | CLONE_PIDFD_L | CLONE_INTO_CGROUP_L)) {
		static bool said;
		if (!said)
			printf("lx4-server: clone with namespaces, a pidfd or a cgroup (flags %lx): not implemented "
			       "(ENOSYS)\n",
			       flags);
		said = true;
		return -ENOSYS;
	}
	if (flags & CLONE_THREAD_L)
		return do_thread(t, flags, newsp, ptid, ctid, tls);
	return do_fork(t, (flags & ~0xffull) | (uint8_t)exit_signal, newsp, ptid, ctid, tls);
}

long sys_fork(struct lthread *t, const struct sysargs *a)
{
	(void)a;
	return do_fork(t, SIGCHLD_L, 0, 0, 0, 0);
}

/* vfork: the child runs in the caller's memory while the caller waits */
long sys_vfork(struct lthread *t, const struct sysargs *a)
{
	(void)a;
	return do_fork(t, CLONE_VM_L | CLONE_VFORK_L | SIGCHLD_L, 0, 0, 0, 0);
}

/* clone(flags, newsp, parent_tid, child_tid, tls): the exit signal in the
 * flags' low byte */
long sys_clone(struct lthread *t, const struct sysargs *a)
{
	uint64_t flags = a->a0 & 0xffffffffull;
	if ((flags & 0xff) > NSIG_LINUX)
		return -EINVAL; /* the exit signal */
	int sig = (int)(flags & 0xff);
	if (flags & CLONE_DETACHED_L)
		flags &= ~CLONE_DETACHED_L; /* (ignored, as Linux's legacy clone does) */
	return do_clone(t, flags & ~0xffull, sig, a->a1, a->a2, a->a3, a->a4);
}

/* struct clone_args, as far as CLONE_ARGS_SIZE_VER2 */
struct clone_args_l {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size,
		cgroup;
};

/* clone3(args, size): Linux's copy_clone_args_from_user and
 * clone3_args_valid */
long sys_clone3(struct lthread *t, const struct sysargs *a)
{
	struct clone_args_l ca = {0};
	uint64_t size = a->a1;
	if (size > 4096)
		return -E2BIG;
	if (size < 64) /* CLONE_ARGS_SIZE_VER0 */
		return -EINVAL;
	if (copy_from_user(t->proc, &ca, a->a0, size < sizeof ca ? size : sizeof ca))
		return -EFAULT;
	for (uint64_t off = sizeof ca; off < size; off += 8) { /* (a bigger struct: the rest must be zero) */
		uint64_t z = 0;
		uint64_t n = size - off < 8 ? size - off : 8;
		if (copy_from_user(t->proc, &z, a->a0 + off, n))
			return -EFAULT;
		if (z)
			return -E2BIG;
	}
	if (ca.set_tid_size > 32 || (!ca.set_tid && ca.set_tid_size) || (ca.set_tid && !ca.set_tid_size))
		return -EINVAL;
	if (ca.exit_signal & ~0xffull || ca.exit_signal > NSIG_LINUX)
		return -EINVAL;
	if (ca.flags & ~(0xffffff00ull | CLONE_CLEAR_SIGHAND_L | CLONE_INTO_CGROUP_L) ||
	    (ca.flags & (CLONE_DETACHED_L | 0xff)))
		return -EINVAL;
	if ((ca.flags & (CLONE_THREAD_L | CLONE_PARENT_L)) && ca.exit_signal)
		return -EINVAL;
	if ((ca.flags & CLONE_CLEAR_SIGHAND_L) && (ca.flags & CLONE_SIGHAND_L))
		return -EINVAL;
	if ((ca.stack == 0) != (ca.stack_size == 0))
		return -EINVAL;
	if (ca.set_tid_size) {
		static bool said;
		if (!said)
			printf("lx4-server: clone3 with set_tid: not implemented (ENOSYS)\n");
		said = true;
		return -ENOSYS;
	}
	if (ca.flags & CLONE_CLEAR_SIGHAND_L) {
		static bool said;
		if (!said)
			printf("lx4-server: clone3 with CLONE_CLEAR_SIGHAND: not implemented (ENOSYS)\n");
		said = true;
		return -ENOSYS;
	}
	uint64_t sp = ca.stack ? ca.stack + ca.stack_size : 0;
	return do_clone(t, ca.flags, (int)ca.exit_signal, sp, ca.parent_tid, ca.child_tid, ca.tls);
}
