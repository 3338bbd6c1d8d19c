/*
 * The fake platform (fake_platform.c): server/platform.h implemented on
 * the host for unit tests, the seam's fourth backend.  Nothing runs below
 * the server: a test makes the events (a system call, a page fault of a
 * thread, the clock moving on) and the fake records what the server asked
 * for in return (the reply to the event, later resumes, threads and
 * spaces made and gone, mappings, the timer), keeping the state a kernel
 * would (each space's mappings, each thread's registers and whether it
 * waits for a reply) so that a test can run a process's side too: its
 * loads and stores go through its space's mappings and fault when these
 * do not allow them (fake_user_read, fake_user_write).
 *
 * A request the platform's contract forbids (a reply to a thread that
 * waits for none, a second reply to one event, the registers of a running
 * thread) is an anomaly: printed, counted, and failed by the tests'
 * checks.
 */
#ifndef FAKE_PLATFORM_H
#define FAKE_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform.h"

/* the server's printf (srv_host.h names it so): formats with lib/fmt.c,
 * gives the text to srv_log as the real platforms do, and keeps it for
 * fake_log */
int fake_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- boot ------------------------------------------------------------------ */

/* the server's RAM (ram_size bytes of page-aligned host memory, zeroed)
 * and no initramfs; the clock starts at one second */
const struct plat_boot *fake_boot(uint64_t ram_size);

/* ---- events ------------------------------------------------------------------ */

/* what a thread got: the reply to its event, or a later answer */
enum fake_answer {
	FAKE_NONE,    /* nothing (yet) */
	FAKE_SYSCALL, /* plat_reply_syscall / plat_resume_syscall: rax */
	FAKE_REGS,    /* plat_reply_regs / plat_resume_regs: regs[0..n) */
	FAKE_FAULT,   /* plat_reply_fault: page mapped at va with prot */
	FAKE_RESUME,  /* plat_reply_resume: it retries as it is */
	FAKE_SET,     /* plat_thread_set: every register, it left its wait */
};

struct fake_reply {
	enum fake_answer kind;
	bool later; /* a plat_resume_* (not the reply to the event in hand) */
	uint64_t rax;
	uint64_t regs[PLAT_REG_COUNT];
	unsigned n;
	uint64_t va;
	void *page;
	unsigned prot;
};

/* a system call of thread id: nr and up to six arguments (the rest of the
 * registers are the thread's own), handled by srv_syscall; the result
 * (rax) of the reply the server gave to it, or FAKE_NOREPLY (the call
 * waits, or the thread got something else: fake_last_reply) */
#define FAKE_NOREPLY ((long)0x8000000000000000ull)
long fake_syscall(uint64_t id, const uint64_t args[7]);
#define fake_sys(id, ...) fake_syscall((id), (const uint64_t[7]){__VA_ARGS__})
/* a page fault of thread id at addr (PLAT_PF_* access), handled by
 * srv_fault; the reply's kind */
enum fake_answer fake_fault(uint64_t id, uint64_t addr, unsigned access);
/* the reply to the last event (FAKE_NONE: there was none) */
const struct fake_reply *fake_last_reply(void);

/* thread id loads or stores n bytes at va as its CPU would: through its
 * space's mappings, with a page fault (srv_fault) wherever they do not
 * allow the access, and the access made again after the reply.  0, or -1
 * if a fault was not resolved (the thread got a signal, or was killed). */
int fake_user_read(uint64_t id, uint64_t va, void *buf, size_t n);
int fake_user_write(uint64_t id, uint64_t va, const void *buf, size_t n);

/* thread id's user code sets register r (it runs) */
void fake_set_reg(uint64_t id, enum plat_reg r, uint64_t v);

/* the replies to the next n faults lose their map item, as the kernel
 * drops it when the space's kernel memory is short (the thread faults
 * again on the page) */
void fake_drop_reply_maps(unsigned n);

/* ---- time ---------------------------------------------------------------------- */
uint64_t fake_now(void);
/* the clock moves on by ns; srv_timer runs if the deadline passed */
void fake_advance(uint64_t ns);
/* the deadline the server gave plat_timer (0: none) */
uint64_t fake_deadline(void);

/* ---- what the server did -------------------------------------------------------- */

enum fake_thread_state { FAKE_T_CREATED, FAKE_T_RUNNING, FAKE_T_WAITING, FAKE_T_STOPPED };

struct fake_thread {
	bool live;
	uint64_t id;
	unsigned space; /* its space's handle */
	enum fake_thread_state state;
	uint64_t regs[PLAT_REG_COUNT];
	bool fpu_init; /* its FPU is in the init state */
	unsigned answers;      /* replies and resumes it got */
	struct fake_reply last; /* the last of them */
};
/* the live thread whose events carry id, or NULL */
const struct fake_thread *fake_thread(uint64_t id);

/* the mapping at va in the space of thread id: true with its page and
 * rights (PROT_R always) */
bool fake_mapping(uint64_t id, uint64_t va, void **page, unsigned *prot);
/* how many pages the space of thread id has mapped */
unsigned fake_mapped_pages(uint64_t id);
/* the handle of s (0: none) */
unsigned fake_space_handle(const struct plat_space *s);
/* the i-th mapping of space (a handle): false past the last */
bool fake_space_mapping(unsigned space, unsigned i, uint64_t *va, void **page, unsigned *prot);

/* the platform calls that change mappings, in order */
enum fake_op_kind { FAKE_OP_MAP, FAKE_OP_UNMAP, FAKE_OP_PROTECT, FAKE_OP_REVOKE, FAKE_OP_REPLY_MAP };
struct fake_op {
	enum fake_op_kind kind;
	unsigned space;
	uint64_t va, len; /* (len: a page for MAP and REPLY_MAP) */
	void *page;
	unsigned prot; /* MAP, REPLY_MAP: the rights given; PROTECT: those taken */
};
/* the ops since fake_ops_clear (the last FAKE_OPS_MAX of them) */
#define FAKE_OPS_MAX 1024
const struct fake_op *fake_ops(unsigned *n);
void fake_ops_clear(void);
/* the number of ops of kind on the space of thread id since fake_ops_clear */
unsigned fake_op_count(enum fake_op_kind kind, uint64_t id);
/* the space handle of thread id (0: no such thread) */
unsigned fake_space_of(uint64_t id);

struct fake_stats {
	unsigned spaces_created, spaces_destroyed;
	unsigned threads_created, threads_started, threads_destroyed;
	unsigned replies, resumes;
};
const struct fake_stats *fake_stats(void);

/* what the server's printf wrote since fake_log_clear */
const char *fake_log(void);
void fake_log_clear(void);

/* requests the platform's contract forbids, since the start */
unsigned fake_anomalies(void);

#endif
