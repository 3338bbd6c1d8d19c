/*
 * The platform seam of the Linux server: everything the server's handlers
 * need from what runs below them.  L4Linux made L4 "just another
 * architecture" the same way.  The handlers (srv_*) are called by the
 * platform's event loop; they act through the plat_* calls only.  They
 * are the `micro` platform (platform/micro.c: the server is a user task,
 * events arrive by IPC) and the `mono` platform (platform/mono.c: the
 * server is linked into the kernel, which calls it where micro sends IPC,
 * and it calls the kernel's functions where micro makes system calls).
 *
 * The seam owns its names: the handlers include no header of the
 * kernel's ABI (a backend translates, where its kernel's names differ).
 * Registers travel in frame order (enum plat_reg): rax rdi rsi rdx r10 r8
 * r9 rip rsp rflags rbx rbp rcx r11 r12 r13 r14 r15 fs_base gs_base.
 */
#ifndef SRV_PLATFORM_H
#define SRV_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fmt.h" /* (the freestanding string functions) */

/* the server's log, to the system's console log: the platform's printf */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

enum plat_reg {
	PLAT_REG_RAX, PLAT_REG_RDI, PLAT_REG_RSI, PLAT_REG_RDX, PLAT_REG_R10,
	PLAT_REG_R8, PLAT_REG_R9, PLAT_REG_RIP, PLAT_REG_RSP, PLAT_REG_RFLAGS,
	PLAT_REG_RBX, PLAT_REG_RBP, PLAT_REG_RCX, PLAT_REG_R11, PLAT_REG_R12,
	PLAT_REG_R13, PLAT_REG_R14, PLAT_REG_R15, PLAT_REG_FSBASE, PLAT_REG_GSBASE,
	PLAT_REG_COUNT
};

/* the registers a system call event carries, and all that a reply to it
 * sets: rax .. rflags */
#define PLAT_SYSCALL_REGS (PLAT_REG_RFLAGS + 1)

/* the access of a page fault (srv_fault) */
#define PLAT_PF_READ    1u
#define PLAT_PF_WRITE   2u
#define PLAT_PF_EXEC    4u
#define PLAT_PF_PRESENT 8u /* the page was mapped with too few rights */

#define PROT_R 1u
#define PROT_W 2u
#define PROT_X 4u

/* an address space and a thread: the backend's handles (a capability slot
 * in micro, the kernel object in mono), opaque to the handlers */
struct plat_space {
	uintptr_t h;
};

struct plat_thread {
	uintptr_t h;
};

/* ---- events: the platform calls the server -------------------------------- */

/* a system call of thread id; regs[0..9] are rax rdi rsi rdx r10 r8 r9 rip
 * rsp rflags */
void srv_syscall(uint64_t id, const uint64_t *regs);
/* a page fault of thread id at addr (PLAT_PF_* access) */
void srv_fault(uint64_t id, uint64_t addr, unsigned access, uint64_t rip);
/* another exception; regs holds all PLAT_REG_COUNT registers */
void srv_exception(uint64_t id, unsigned vector, uint64_t error, const uint64_t *regs);
void srv_irq(unsigned line);
/* what the server's printf wrote (klog.c keeps it for syslog and
 * /dev/kmsg) */
void srv_log(const char *s, size_t n);
void srv_timer(void); /* the deadline given to plat_timer passed */

/* runs the event loop for ever */
_Noreturn void plat_run(void);

/* ---- replies to the event being handled (at most one; none: the thread
 * waits until plat_resume_* or its destruction) ---------------------------- */
/* sets the first n registers in frame order */
void plat_reply_regs(const uint64_t *regs, unsigned n);
/* a system call's result: rax alone */
static inline void plat_reply_syscall(uint64_t rax) { plat_reply_regs(&rax, 1); }
/* resolves a page fault: maps page (a page of the server's RAM) at va */
void plat_reply_fault(uint64_t va, void *page, unsigned prot);
/* lets the thread retry as it is */
void plat_reply_resume(void);

/* later replies, to a thread whose event got none */
void plat_resume_regs(struct plat_thread *t, const uint64_t *regs, unsigned n);
static inline void plat_resume_syscall(struct plat_thread *t, uint64_t rax) { plat_resume_regs(t, &rax, 1); }

/* ---- address spaces and threads ------------------------------------------ */
int plat_space_create(struct plat_space *s);
void plat_space_destroy(struct plat_space *s);
/* maps page (of the server's RAM) at va in s */
int plat_map(struct plat_space *s, uint64_t va, void *page, unsigned prot);
/* removes s's mappings in [va, va+len) (page aligned) */
void plat_unmap(struct plat_space *s, uint64_t va, uint64_t len);
/* takes the rights in `remove` (PROT_W, PROT_X) from s's mappings there */
void plat_protect(struct plat_space *s, uint64_t va, uint64_t len, unsigned remove);
/* takes page away from every space that has it */
void plat_revoke(void *page);

/* a thread in s whose events carry id; created stopped */
int plat_thread_create(struct plat_thread *t, struct plat_space *s, uint64_t id);
void plat_thread_destroy(struct plat_thread *t);
/* (a new thread starts with plat_thread_start, below) */
/* sets the thread's FS or GS base (reg: PLAT_REG_FSBASE or
 * PLAT_REG_GSBASE; arch_prctl) */
int plat_thread_set_base(struct plat_thread *t, enum plat_reg reg, uint64_t v);

/* ---- signal delivery: a thread's whole user state ------------------------- */

/* the FPU/SSE/AVX state image the platform moves: an XSAVE image in the
 * standard format (or a 512-byte FXSAVE image where features is 0) */
struct plat_fpu_info {
	uint32_t size;       /* bytes, at most PLAT_FPU_MAX */
	uint64_t features;   /* the XSAVE features it holds (XCR0) */
	uint32_t mxcsr_mask; /* the MXCSR bits the CPU allows */
};
#define PLAT_FPU_MAX 3072
void plat_fpu_info(struct plat_fpu_info *info);
/* the platform's own buffer for an FPU image (PLAT_FPU_MAX bytes, 64-byte
 * aligned): given to plat_thread_get or plat_thread_set it saves a copy.
 * Its contents last until the next plat_thread_get or plat_thread_set. */
void *plat_fpu_area(void);
/* plat_thread_set's fpu for the FPU's init state (no image) */
#define PLAT_FPU_INIT ((const void *)1)
/* all registers (frame order) of thread t and, if fpu is not NULL, its FPU
 * image; with stop, the thread is stopped first (it may be running: a
 * system call or fault it was about to send is taken back and made again
 * when it runs).  Without stop, t must be waiting for a reply. */
int plat_thread_get(struct plat_thread *t, bool stop, uint64_t *regs, void *fpu);
/* sets the first n registers of t in frame order (PLAT_REG_FSBASE: all
 * but the FS/GS bases; PLAT_REG_COUNT: all) and, if fpu is not NULL, its
 * FPU image (PLAT_FPU_INIT: the init state); t leaves any wait for a
 * reply (it gets none) and runs if run, else stays stopped.  Nothing
 * changes if the platform refuses a register or the image (an error). */
int plat_thread_set(struct plat_thread *t, const uint64_t *regs, unsigned n, const void *fpu, bool run);
/* a new thread's start (plat_thread_create made it): all its registers,
 * and it runs */
static inline int plat_thread_start(struct plat_thread *t, const uint64_t *regs)
{
	return plat_thread_set(t, regs, PLAT_REG_COUNT, NULL, true);
}
/* all registers (frame order) and the FPU image of t, which waits for a
 * reply, and its FPU set to the init state: what a signal handler entered
 * by the reply starts with */
int plat_thread_take(struct plat_thread *t, uint64_t *regs, void *fpu);
/* sets t's FPU image (or PLAT_FPU_INIT) and nothing else: a wait for a
 * reply goes on */
int plat_thread_set_fpu(struct plat_thread *t, const void *fpu);
/* (re)starts a thread plat_thread_get stopped, as it was */
int plat_thread_run(struct plat_thread *t);
/* a reply to the event of thread id is pending (plat_reply_* was called
 * and the thread has not got it yet): its state is not to be touched now */
bool plat_reply_pending(uint64_t id);

/* ---- CPU time ----------------------------------------------------------------- */

/* what the platform measured of a thread: its time in user mode and in the
 * kernel below the server (the server's own handling of its events is the
 * server's to count), and how often it was preempted (taken off the CPU
 * while it could run on) */
struct plat_cputime {
	uint64_t user_ns, sys_ns;
	uint64_t preempts;
};
/* t's CPU time so far: 0, or an error (a thread that is gone) */
int plat_thread_times(struct plat_thread *t, struct plat_cputime *out);
/* the time the CPU was idle since boot */
uint64_t plat_idle_ns(void);
/* a cycle counter for short intervals (the server's handling of one
 * event): cheap, monotonic, in the units plat_cycles_ns converts.  Every
 * configuration runs on x86-64 with the TSC as the kernel's clock. */
static inline uint64_t plat_cycles(void)
{
	uint64_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (hi << 32) | lo;
}
uint64_t plat_cycles_ns(uint64_t cycles);

/* ---- time, interrupts, the machine ---------------------------------------- */
uint64_t plat_now_ns(void);
/* the next srv_timer() at this time (0: none) */
void plat_timer(uint64_t deadline_ns);
/* delivers the interrupt line as srv_irq events */
int plat_irq_attach(unsigned line);
void plat_irq_ack(unsigned line);
/* kernel memory the platform holds for the server and its processes
 * (pages), for the checks that a process's end gives everything back */
uint64_t plat_kmem_used(void);
/* this CPU's kernel event counters (kernel entries, CR3 loads, IPCs,
 * context switches: struct lx4_kip_cpu) in out[0..n); returns how many it
 * gave, 0 if the platform has none */
unsigned plat_counters(uint64_t *out, unsigned n);
/* ends the machine: status 0 success */
_Noreturn void plat_shutdown(int status);

/* ---- boot: the platform's entry sets itself up, calls srv_init, then
 * runs its event loop ------------------------------------------------------ */
struct plat_boot {
	void *ram; /* the RAM the server manages (mem.c) */
	uint64_t ram_size;
	const void *initrd; /* the initramfs (cpio newc), read-only */
	uint64_t initrd_size;
};
/* the server's set-up (main.c): memory, files, devices, the first process */
void srv_init(const struct plat_boot *b);

#endif
