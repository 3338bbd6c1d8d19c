/*
 * The `coloc` platform's kernel side.  coloc is the micro backend
 * (platform/micro.c) built into the kernel image: the same server, the
 * same IPC loop and the same kernel calls, but its threads run in the
 * kernel's protection domain (TF_KMODE: ring 0, kernel addresses, no
 * address space of their own to load), so that what the micro build's
 * address-space and privilege switches cost can be told from what its
 * IPC costs (SOSP'97's question: is co-location necessary?).
 *
 * The root task starts server.elf (the stub, platform/stub.c) as under
 * mono; its LX4_SYS_SERVER_START lands here.  The memory the root gave it
 * goes into the kernel window (platform/inkernel.c), the stub's task
 * becomes the server's (task.kmode: the threads the server creates in it
 * are TF_KMODE too), and the calling thread itself becomes the server's
 * main thread: it leaves this call in ring 0 at coloc_main, on a stack in
 * the kernel image.  From there on the server makes system calls
 * (syscall from ring 0) and receives its events by IPC exactly as micro
 * does; the kernel's fast paths and slow paths are micro's.
 */
#include "inkernel.h"

#include "serverproto.h"

#include <arch/cpuarch.h>
#include <arch/regs.h>
#include "kip.h"
#include "kserver.h"
#include "lib.h"
#include "task.h"
#include "thread.h"

_Static_assert(CONFIG_COLOC, "the coloc backend is built with CONFIG_COLOC=1");

/* the main thread's stack (micro's is SRV_STACK_PAGES): interrupts in
 * ring 0 are taken on it too */
#define STACK_WORDS (SRV_STACK_PAGES * 4096 / 8)
static uint64_t stack[STACK_WORDS] __attribute__((aligned(16)));
static struct coloc_boot boot;

struct thread *sys_server_start(struct thread *cur)
{
	struct frame *f = &cur->frame;
	/* (the stub's UTCB is the main thread's: root gave it one) */
	if (!cur->utcb || cur->task->nthreads != 1 || inkernel_take(cur->task, &boot.mem)) {
		arch_set_sysret(f, (uint64_t)-LX4_EINVAL);
		return cur;
	}
	boot.kip = kip;
	cur->task->kmode = true;
	cur->flags |= TF_KMODE;
	arch_frame_init_kmode(f);
	arch_frame_set_entry(f, (uint64_t)coloc_main, (uint64_t)&stack[STACK_WORDS], (uint64_t)&boot);
	thread_kmode_bases(cur);
	return cur;
}
