/* Faults and exceptions of user threads, turned into IPC. */
#ifndef KERNEL_FAULT_H
#define KERNEL_FAULT_H

#include "thread.h"

/* each returns the thread to resume (NULL: pick one) */
struct thread *fault_page(struct thread *t, uint64_t addr, unsigned access);
struct thread *fault_exception(struct thread *t, unsigned vector, uint64_t error);
struct thread *fault_syscall(struct thread *t);

#endif
