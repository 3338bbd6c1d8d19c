/*
 * Faults as IPC: the kernel calls the thread's pager (page faults) or its
 * exception handler (other exceptions, foreign-ABI syscalls) on the
 * thread's behalf; the reply resumes it.
 */
#include "fault.h"
#include "ipc.h"

struct thread *fault_page(struct thread *t, uint64_t addr, unsigned access)
{
	t->fault_addr = addr;
	t->fault_access = access;
	return ipc_kernel_call(t, t->pager, t->pager_badge, IPC_PAGEFAULT);
}

struct thread *fault_exception(struct thread *t, unsigned vector, uint64_t error)
{
	t->fault_vector = vector;
	t->fault_error = error;
	return ipc_kernel_call(t, t->handler, t->handler_badge, IPC_EXCEPTION);
}

struct thread *fault_syscall(struct thread *t)
{
	return ipc_kernel_call(t, t->handler, t->handler_badge, IPC_SYSCALL);
}
