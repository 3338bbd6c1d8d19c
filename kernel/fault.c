/*
 * Faults as IPC: the kernel calls the thread's pager (page faults) or its
 * exception handler (other exceptions, foreign-ABI syscalls) on the
 * thread's behalf; the reply resumes it.
 *
 * This is the one place that chooses how a user thread's event is
 * delivered (a page fault's IPC goes by the fast path where it can).  In
 * the mono build the threads of the in-kernel Linux server (TF_KSERVER)
 * have no pager or handler: their events are calls into the server
 * (kserver.h), which replies the same way, by resuming them.
 */
#include "fault.h"
#include "fastpath.h"
#include "ipc.h"
#include "kserver.h"

static inline bool to_kserver(struct thread *t) { return CONFIG_MONO && (t->flags & TF_KSERVER); }

struct thread *fault_page(struct thread *t, uint64_t addr, unsigned access)
{
	t->fault_addr = addr;
	t->fault_access = access;
	if (to_kserver(t))
		return sched_finish(kserver_event(t, IPC_PAGEFAULT));
	return fastpath_page_fault(t); /* (in tail position: fastpath.h) */
}

struct thread *fault_exception(struct thread *t, unsigned vector, uint64_t error)
{
	t->fault_vector = vector;
	t->fault_error = error;
	if (to_kserver(t))
		return kserver_event(t, IPC_EXCEPTION);
	return ipc_kernel_call(t, t->handler, t->handler_badge, IPC_EXCEPTION);
}

struct thread *fault_syscall(struct thread *t)
{
	if (to_kserver(t))
		return kserver_event(t, IPC_SYSCALL);
	return ipc_kernel_call(t, t->handler, t->handler_badge, IPC_SYSCALL);
}
