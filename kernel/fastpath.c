/*
 * IPC fast paths.  (First version: straight to the slow path.)
 */
#include "fastpath.h"
#include "fault.h"
#include "ipc.h"

struct thread *fastpath_call(struct thread *cur) { return sched_finish(sys_call(cur)); }
struct thread *fastpath_reply_recv(struct thread *cur) { return sched_finish(sys_reply_recv(cur)); }
struct thread *fastpath_foreign(struct thread *cur) { return sched_finish(fault_syscall(cur)); }
