/*
 * The in-kernel Linux server of the mono build: the same server source as
 * the user-level one, linked into the kernel image behind its platform
 * backend (server/platform/mono.c).  The kernel calls it at the points
 * where the micro build sends IPC (fault.c); it calls the kernel's
 * functions where the micro backend makes system calls.  CONFIG_MONO (config.h)
 * is 1 in that build and 0 in the others, so that this is ordinary C there
 * too.
 */
#ifndef KERNEL_KSERVER_H
#define KERNEL_KSERVER_H

#include "config.h"
#include "thread.h"

/* t (this CPU's current thread, TF_KSERVER) has an event of kind
 * (IPC_SYSCALL, IPC_PAGEFAULT, IPC_EXCEPTION; its fault_* fields set):
 * the server handles it now.  Returns the thread to resume (t if it got
 * its reply, NULL to pick one: t waits in LX4_TSTATE_REPLY, with no
 * reply_from, until the server resumes it) */
struct thread *kserver_event(struct thread *t, unsigned kind);
/* LX4_SYS_SERVER_START: the caller's task holds the server's memory as the
 * root task gives it (serverproto.h); the server starts on it, and the
 * caller stops */
struct thread *sys_server_start(struct thread *cur);
/* every timer tick: the server's deadline (plat_timer) */
void kserver_tick(void);
/* an interrupt on line: true if the server took the line (plat_irq_attach)
 * and has handled it; the line stays masked until it acknowledges */
bool kserver_irq(unsigned line);

#endif
