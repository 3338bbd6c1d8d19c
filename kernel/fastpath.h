/* IPC fast paths: call, reply-and-wait, foreign-ABI syscall. */
#ifndef KERNEL_FASTPATH_H
#define KERNEL_FASTPATH_H

struct thread;

/* each handles the whole syscall, falling back to the slow path, and
 * returns the thread to leave the kernel on */
struct thread *fastpath_call(struct thread *cur);
struct thread *fastpath_reply_recv(struct thread *cur);
struct thread *fastpath_foreign(struct thread *cur);

struct thread *sched_finish(struct thread *want);

#endif
