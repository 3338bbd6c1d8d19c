/* IPC fast paths: call, reply-and-wait, foreign-ABI syscall, page fault. */
#ifndef KERNEL_FASTPATH_H
#define KERNEL_FASTPATH_H

struct thread;

/* each handles the whole syscall, falling back to the slow path, and
 * returns the thread to leave the kernel on */
struct thread *fastpath_call(struct thread *cur);
struct thread *fastpath_reply_recv(struct thread *cur);
struct thread *fastpath_foreign(struct thread *cur);
/* the rest of a page fault's kernel entry once fault.c has chosen an IPC
 * to cur's pager (cur->fault_* set; trap_user's kernel time runs) */
struct thread *fastpath_page_fault(struct thread *cur);

/* The fast paths need not preserve the callee-saved registers (Makefile):
 * entry.S calls them, and the page fault's is called in tail position
 * only (trap_common -> trap_user -> fault_page -> it), so that its
 * callers' registers are never used again: every exit restores them all
 * from the thread's frame. */

struct thread *sched_finish(struct thread *want);

#endif
