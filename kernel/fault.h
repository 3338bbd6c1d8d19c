/* Faults and exceptions of user threads, turned into IPC. */
#ifndef KERNEL_FAULT_H
#define KERNEL_FAULT_H

#include "thread.h"

/* a page fault of t, the current thread, from user mode: the rest of the
 * kernel entry (the pager's IPC by the fast path where it can, else the
 * slow path and sched_finish); returns the thread to leave the kernel on */
struct thread *fault_page(struct thread *t, uint64_t addr, unsigned access);
/* each returns the thread to resume (NULL: pick one) */
struct thread *fault_exception(struct thread *t, unsigned vector, uint64_t error);
struct thread *fault_syscall(struct thread *t);

#endif
