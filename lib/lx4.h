/*
 * lx4 user runtime for native tasks: system call stubs, IPC, and a few
 * freestanding helpers (strings, formatted output to the kernel log).
 */
#ifndef LX4_USER_H
#define LX4_USER_H

#include <lx4/abi.h>
#include <lx4/kip.h>
#include <lx4/utcb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fmt.h"

#define LX4_UTCB_SELF_OFF 536 /* offsetof(struct lx4_utcb, tls[0]): the UTCB's own address */

/* the calling thread's UTCB (fs base points at it; tls[0] holds its address) */
static inline struct lx4_utcb *lx4_utcb(void)
{
	struct lx4_utcb *u;
	__asm__("mov %%fs:536, %0" : "=r"(u));
	return u;
}

struct lx4_sysret {
	long err;
	uint64_t r1, r2, r3; /* rdi, rsi, rdx */
};

/* a system call with up to six arguments and three results */
static inline struct lx4_sysret lx4_syscall(long nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
					   uint64_t a5, uint64_t a6)
{
	struct lx4_sysret r;
	register uint64_t r10 __asm__("r10") = a4;
	register uint64_t r8 __asm__("r8") = a5;
	register uint64_t r9 __asm__("r9") = a6;
	__asm__ volatile("syscall"
			 : "=a"(r.err), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8), "+r"(r9)
			 : "a"(nr)
			 : "rcx", "r11", "memory");
	r.r1 = a1;
	r.r2 = a2;
	r.r3 = a3;
	return r;
}

/* A message: tag, badge (received), and the register message words.
 * Words 7 and up live in the UTCB (lx4_utcb()->mr[7..]). */
struct lx4_msg {
	uint64_t tag;
	uint64_t badge;
	uint64_t mr[LX4_MR_REGS];
};

/* the IPC system call: op is LX4_SYS_CALL/REPLY_RECV/SEND/RECV/REPLY_TO */
static inline long lx4_ipc(long op, lx4_cap_t cap, struct lx4_msg *m, uint64_t stimeout, uint64_t rtimeout)
{
	long err;
	uint64_t rdi = cap, rsi = m->tag;
	register uint64_t rdx __asm__("rdx") = stimeout;
	register uint64_t r10 __asm__("r10") = rtimeout;
	register uint64_t r8 __asm__("r8") = m->mr[0];
	register uint64_t r9 __asm__("r9") = m->mr[1];
	register uint64_t r12 __asm__("r12") = m->mr[2];
	register uint64_t r13 __asm__("r13") = m->mr[3];
	register uint64_t r14 __asm__("r14") = m->mr[4];
	register uint64_t r15 __asm__("r15") = m->mr[5];
	register uint64_t rbx __asm__("rbx") = m->mr[6];
	__asm__ volatile("syscall"
			 : "=a"(err), "+D"(rdi), "+S"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9), "+r"(r12),
			   "+r"(r13), "+r"(r14), "+r"(r15), "+r"(rbx)
			 : "a"(op)
			 : "rcx", "r11", "memory");
	if (op == LX4_SYS_CALL || op == LX4_SYS_RECV || op == LX4_SYS_REPLY_RECV) {
		if (err == 0) {
			m->badge = rdi;
			m->tag = rsi;
			m->mr[0] = r8;
			m->mr[1] = r9;
			m->mr[2] = r12;
			m->mr[3] = r13;
			m->mr[4] = r14;
			m->mr[5] = r15;
			m->mr[6] = rbx;
		}
	}
	return err;
}

/* Short IPC: tag and one word in registers, infinite timeouts.  The other
 * message registers are clobbered (a longer message may arrive). */
static inline long lx4_ipc_short(long op, lx4_cap_t cap, uint64_t *tag, uint64_t *w0)
{
	long err;
	uint64_t rdi = cap, rsi = *tag;
	register uint64_t rdx __asm__("rdx") = LX4_TIMEOUT_NEVER;
	register uint64_t r10 __asm__("r10") = LX4_TIMEOUT_NEVER;
	register uint64_t r8 __asm__("r8") = *w0;
	__asm__ volatile("syscall"
			 : "=a"(err), "+D"(rdi), "+S"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8)
			 : "a"(op)
			 : "rcx", "r11", "r9", "r12", "r13", "r14", "r15", "rbx", "memory");
	*tag = rsi;
	*w0 = r8;
	return err;
}

static inline long lx4_call(lx4_cap_t ep, struct lx4_msg *m)
{
	return lx4_ipc(LX4_SYS_CALL, ep, m, LX4_TIMEOUT_NEVER, LX4_TIMEOUT_NEVER);
}
static inline long lx4_send(lx4_cap_t ep, struct lx4_msg *m, uint64_t timeout)
{
	return lx4_ipc(LX4_SYS_SEND, ep, m, timeout, 0);
}
static inline long lx4_recv(lx4_cap_t ep, struct lx4_msg *m, uint64_t timeout)
{
	*m = (struct lx4_msg){0}; /* nothing is sent */
	return lx4_ipc(LX4_SYS_RECV, ep, m, 0, timeout);
}
static inline long lx4_reply_recv(lx4_cap_t ep, struct lx4_msg *m, uint64_t timeout)
{
	return lx4_ipc(LX4_SYS_REPLY_RECV, ep, m, 0, timeout);
}
static inline long lx4_reply_to(lx4_cap_t thread, struct lx4_msg *m)
{
	return lx4_ipc(LX4_SYS_REPLY_TO, thread, m, 0, 0);
}

/* ---- object calls ---------------------------------------------------- */
/* mono build: the in-kernel server starts on the caller's task */
static inline long lx4_server_start(void) { return lx4_syscall(LX4_SYS_SERVER_START, 0, 0, 0, 0, 0, 0).err; }
static inline long lx4_yield(void) { return lx4_syscall(LX4_SYS_YIELD, 0, 0, 0, 0, 0, 0).err; }
static inline long lx4_cap_copy(lx4_cap_t dtask, lx4_cap_t dslot, lx4_cap_t src, uint32_t rights, uint64_t badge)
{
	return lx4_syscall(LX4_SYS_CAP_COPY, dtask, dslot, src, rights, badge, 0).err;
}
static inline long lx4_cap_move(lx4_cap_t dtask, lx4_cap_t dslot, lx4_cap_t src)
{
	return lx4_syscall(LX4_SYS_CAP_MOVE, dtask, dslot, src, 0, 0, 0).err;
}
static inline long lx4_cap_delete(lx4_cap_t task, lx4_cap_t slot)
{
	return lx4_syscall(LX4_SYS_CAP_DELETE, task, slot, 0, 0, 0, 0).err;
}
static inline long lx4_cap_destroy(lx4_cap_t slot) { return lx4_syscall(LX4_SYS_CAP_DESTROY, slot, 0, 0, 0, 0, 0).err; }
static inline struct lx4_sysret lx4_cap_info(lx4_cap_t task, lx4_cap_t slot)
{
	return lx4_syscall(LX4_SYS_CAP_INFO, task, slot, 0, 0, 0, 0);
}
static inline long lx4_task_create(lx4_cap_t slot, uint64_t quota_pages, uint64_t cap_slots)
{
	return lx4_syscall(LX4_SYS_TASK_CREATE, slot, quota_pages, cap_slots, 0, 0, 0).err;
}
static inline struct lx4_sysret lx4_task_info(lx4_cap_t task)
{
	return lx4_syscall(LX4_SYS_TASK_INFO, task, 0, 0, 0, 0, 0);
}
static inline long lx4_task_quota(lx4_cap_t task, uint64_t quota_pages)
{
	return lx4_syscall(LX4_SYS_TASK_QUOTA, task, quota_pages, 0, 0, 0, 0).err;
}
static inline long lx4_thread_create(lx4_cap_t slot, lx4_cap_t task)
{
	return lx4_syscall(LX4_SYS_THREAD_CREATE, slot, task, 0, 0, 0, 0).err;
}
static inline long lx4_thread_config(lx4_cap_t thread, unsigned what, uint64_t value)
{
	return lx4_syscall(LX4_SYS_THREAD_CONFIG, thread, what, value, 0, 0, 0).err;
}
/* registers go through the caller's UTCB mr[] in lx4 frame order */
static inline struct lx4_sysret lx4_exregs(lx4_cap_t thread, uint64_t flags, uint64_t mask)
{
	return lx4_syscall(LX4_SYS_THREAD_EXREGS, thread, flags, mask, 0, 0, 0);
}
/* a thread's CPU time: r1 user ns, r2 kernel ns, r3 preemptions */
static inline struct lx4_sysret lx4_thread_info(lx4_cap_t thread)
{
	return lx4_syscall(LX4_SYS_THREAD_INFO, thread, 0, 0, 0, 0, 0);
}
static inline long lx4_ep_create(lx4_cap_t slot) { return lx4_syscall(LX4_SYS_EP_CREATE, slot, 0, 0, 0, 0, 0).err; }
static inline long lx4_irq_create(lx4_cap_t ctl, unsigned line, lx4_cap_t slot)
{
	return lx4_syscall(LX4_SYS_IRQ_CREATE, ctl, line, slot, 0, 0, 0).err;
}
static inline long lx4_irq_bind(lx4_cap_t irq, lx4_cap_t ep)
{
	return lx4_syscall(LX4_SYS_IRQ_BIND, irq, ep, 0, 0, 0, 0).err;
}
static inline long lx4_irq_ack(lx4_cap_t irq) { return lx4_syscall(LX4_SYS_IRQ_ACK, irq, 0, 0, 0, 0, 0).err; }
static inline long lx4_map(lx4_cap_t dtask, uint64_t fpage, uint64_t dst, uint64_t flags)
{
	return lx4_syscall(LX4_SYS_MAP, dtask, fpage, dst, flags, 0, 0).err;
}
static inline long lx4_unmap(lx4_cap_t task, uint64_t fpage, uint64_t flags)
{
	return lx4_syscall(LX4_SYS_UNMAP, task, fpage, flags, 0, 0, 0).err;
}
static inline struct lx4_sysret lx4_map_query(lx4_cap_t task, uint64_t addr)
{
	return lx4_syscall(LX4_SYS_MAP_QUERY, task, addr, 0, 0, 0, 0);
}
static inline uint64_t lx4_kmem_free(void) { return lx4_syscall(LX4_SYS_DEBUG, LX4_DBG_KMEM_FREE, 0, 0, 0, 0, 0).r1; }

/* ---- runtime helpers (lib/runtime.c, lib/printf.c) -------------------- */
/* writes to the kernel log (needs a UTCB) */
void lx4_puts(const char *s);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* what printf wrote (n bytes, whole or part of a line), for a task that
 * keeps a log of its own (the Linux server's dmesg); nothing by default */
void lx4_log_hook(const char *s, size_t n);
_Noreturn void lx4_halt(void);

static inline uint64_t lx4_rdtsc(void) { return lx4_kip_rdtsc(); }

#endif
