/*
 * lx4 kernel ABI: the one source of truth shared by the kernel and all
 * user code (root task, servers, tests).  Syscall numbers, error codes,
 * message tags, typed items, rights, fault labels and register orders.
 */
#ifndef LX4_ABI_H
#define LX4_ABI_H

#include <stdint.h>

/* ---- system call numbers (rax) --------------------------------------- */
enum lx4_sys {
	LX4_SYS_CALL = 1,        /* rdi=ep cap: send, then wait for the reply */
	LX4_SYS_REPLY_RECV = 2,  /* reply to the last caller, then receive on rdi */
	LX4_SYS_SEND = 3,        /* rdi=ep cap, rdx=send timeout */
	LX4_SYS_RECV = 4,        /* rdi=ep cap, r10=receive timeout */
	LX4_SYS_REPLY_TO = 5,    /* rdi=thread cap: reply to a thread waiting for one */
	LX4_SYS_YIELD = 6,
	LX4_SYS_CAP_COPY = 7,    /* rdi=dst task, rsi=dst slot, rdx=src slot, r10=rights, r8=badge */
	LX4_SYS_CAP_MOVE = 8,    /* rdi=dst task, rsi=dst slot, rdx=src slot */
	LX4_SYS_CAP_DELETE = 9,  /* rdi=task, rsi=slot */
	LX4_SYS_CAP_DESTROY = 10, /* rdi=slot: destroy the object (needs DESTROY) */
	LX4_SYS_CAP_INFO = 11,   /* rdi=task, rsi=slot -> rdi=type, rsi=rights, rdx=badge */
	LX4_SYS_TASK_CREATE = 12, /* rdi=dst slot, rsi=quota pages, rdx=cap slots */
	LX4_SYS_TASK_INFO = 13,  /* rdi=task -> rdi=quota, rsi=used, rdx=threads */
	LX4_SYS_THREAD_CREATE = 14, /* rdi=dst slot, rsi=task cap */
	LX4_SYS_THREAD_CONFIG = 15, /* rdi=thread, rsi=what, rdx, r10 values */
	LX4_SYS_THREAD_EXREGS = 16, /* rdi=thread, rsi=flags, rdx=reg mask; regs in UTCB */
	LX4_SYS_EP_CREATE = 17,  /* rdi=dst slot */
	LX4_SYS_IRQ_CREATE = 18, /* rdi=irq control cap, rsi=irq, rdx=dst slot */
	LX4_SYS_IRQ_BIND = 19,   /* rdi=irq cap, rsi=ep cap (0 = unbind) */
	LX4_SYS_IRQ_ACK = 20,    /* rdi=irq cap */
	LX4_SYS_MAP = 21,        /* rdi=dst task, rsi=src fpage, rdx=dst addr, r10=flags */
	LX4_SYS_UNMAP = 22,      /* rdi=task, rsi=fpage, rdx=flags */
	LX4_SYS_MAP_QUERY = 23,  /* rdi=task, rsi=addr -> rdi=rights|order, rsi=derived */
	LX4_SYS_DEBUG = 24,      /* rdi=op, rsi, rdx args */
	LX4_SYS_TASK_QUOTA = 25, /* rdi=task, rsi=new quota pages (its creator only) */
	LX4_SYS_THREAD_INFO = 26, /* rdi=thread -> rdi=user ns, rsi=kernel ns, rdx=preemptions */
	LX4_SYS_SERVER_START = 27, /* mono build only: the in-kernel server starts on the caller's task */
	LX4_SYS_COUNT
};

/* ---- error codes: a syscall returns 0 or -LX4_E* in rax --------------- */
enum lx4_err {
	LX4_EOK = 0,
	LX4_EINVAL = 1,   /* malformed argument */
	LX4_ECAP = 2,     /* empty or out-of-range capability slot */
	LX4_ETYPE = 3,    /* capability names the wrong kind of object */
	LX4_ERIGHTS = 4,  /* capability lacks a right */
	LX4_ENOMEM = 5,   /* kernel memory quota exhausted */
	LX4_EFAULT = 6,   /* address not usable (kernel, non-canonical, unmapped) */
	LX4_ETIMEOUT = 7, /* IPC timeout expired */
	LX4_EDEAD = 8,    /* object or partner destroyed */
	LX4_EABORT = 9,   /* IPC aborted by exregs */
	LX4_EBUSY = 10,   /* slot occupied, IRQ taken, ... */
	LX4_ERANGE = 11,  /* value out of range */
	LX4_ENOSYS = 12,  /* no such system call */
	LX4_ESTATE = 13,  /* object in the wrong state for the operation */
	LX4_EXFER = 14,   /* a typed item could not be transferred */
	LX4_ERRMAX
};

/* ---- capabilities ------------------------------------------------------ */
typedef uint32_t lx4_cap_t;
#define LX4_CAP_NULL 0u
#define LX4_CAP_SELF_TASK 0xfffffff0u   /* pseudo cap: the caller's task */
#define LX4_CAP_SELF_THREAD 0xfffffff1u /* pseudo cap: the caller */
/* root task's initial capability slots */
#define LX4_ROOT_CAP_IRQCTL 1u

enum lx4_obj_type {
	LX4_OBJ_NONE = 0,
	LX4_OBJ_TASK = 1,
	LX4_OBJ_THREAD = 2,
	LX4_OBJ_ENDPOINT = 3,
	LX4_OBJ_IRQ = 4,
	LX4_OBJ_IRQCTL = 5,
	LX4_OBJ_TYPES
};

/* capability rights */
#define LX4_R_RECV 0x01u    /* endpoint: receive */
#define LX4_R_SEND 0x02u    /* endpoint: send; thread: reply-to */
#define LX4_R_GRANT 0x04u   /* endpoint: messages may carry typed items */
#define LX4_R_CONTROL 0x08u /* task/thread/irq: configure, map into, exregs */
#define LX4_R_DESTROY 0x10u /* destroy the object */
#define LX4_R_ALL 0x1fu

/* ---- message tag (rsi) --------------------------------------------------
 * bits 0-5 untyped words, 6-9 typed items (two words each, after the
 * untyped words), 10-15 flags, 16-63 label.                              */
#define LX4_MR_COUNT 64    /* message registers in all */
#define LX4_MR_REGS 7      /* MR0..MR6 travel in r8 r9 r12 r13 r14 r15 rbx */
#define LX4_TAG_XFER_ERR (1ull << 10) /* a typed item was not transferred */
#define LX4_TAG_KERNEL (1ull << 11)   /* message synthesised by the kernel */

static inline uint64_t lx4_tag(uint64_t label, unsigned untyped, unsigned typed)
{
	return (label << 16) | ((uint64_t)(typed & 15) << 6) | (untyped & 63);
}
static inline unsigned lx4_tag_untyped(uint64_t t) { return t & 63; }
static inline unsigned lx4_tag_typed(uint64_t t) { return (t >> 6) & 15; }
static inline uint64_t lx4_tag_label(uint64_t t) { return t >> 16; }

/* labels of kernel-made messages */
#define LX4_LABEL_PAGEFAULT 0xfff1ull  /* MR0=addr MR1=access MR2=rip */
#define LX4_LABEL_EXCEPTION 0xfff2ull  /* MR0..=regs (frame order), vector, error */
#define LX4_LABEL_SYSCALL 0xfff3ull    /* MR0..MR9 = rax rdi rsi rdx r10 r8 r9 rip rsp rflags */
#define LX4_LABEL_IRQ 0xfff4ull        /* MR0 = irq number */

/* page fault access bits (MR1) */
#define LX4_PF_READ 1u
#define LX4_PF_WRITE 2u
#define LX4_PF_EXEC 4u
#define LX4_PF_PRESENT 8u /* the page was mapped with too few rights */

/* timeouts (nanoseconds, relative) */
#define LX4_TIMEOUT_ZERO 0ull
#define LX4_TIMEOUT_NEVER (~0ull)

/* ---- flexpages and typed items ------------------------------------------
 * word0: bits 0-5 order (log2 size), 6 X, 7 W, 8 R, 9-11 type,
 *        memory: base in bits 12-63 (aligned to 2^order)
 *        io: port base in bits 16-31
 *        cap: cap index in bits 32-63, rights mask in bits 16-23
 * word1: memory: offset inside the receiver's window; bit 0 = grant        */
#define LX4_FP_X 0x40ull
#define LX4_FP_W 0x80ull
#define LX4_FP_R 0x100ull
#define LX4_FP_RWX (LX4_FP_R | LX4_FP_W | LX4_FP_X)
#define LX4_ITEM_MEM 1ull
#define LX4_ITEM_IO 2ull
#define LX4_ITEM_CAP 3ull
#define LX4_ITEM_GRANT 1ull /* in word1: the sender loses what it sends */

static inline uint64_t lx4_fpage(uint64_t base, unsigned order, uint64_t rights)
{
	return (base & ~0xfffull) | (LX4_ITEM_MEM << 9) | rights | (order & 63);
}
static inline uint64_t lx4_iopage(unsigned port, unsigned order)
{
	return ((uint64_t)port << 16) | (LX4_ITEM_IO << 9) | (order & 63);
}
static inline uint64_t lx4_capitem(lx4_cap_t cap, unsigned rights)
{
	return ((uint64_t)cap << 32) | ((uint64_t)(rights & 0xff) << 16) | (LX4_ITEM_CAP << 9);
}
static inline unsigned lx4_fp_order(uint64_t fp) { return fp & 63; }
static inline unsigned lx4_fp_type(uint64_t fp) { return (fp >> 9) & 7; }
static inline uint64_t lx4_fp_base(uint64_t fp) { return fp & ~0xfffull; }
static inline uint64_t lx4_fp_rights(uint64_t fp) { return fp & LX4_FP_RWX; }

/* LX4_SYS_MAP flags (r10) */
#define LX4_MAP_GRANT 1ull
/* LX4_SYS_UNMAP flags (rdx): which rights to take away, and from whom */
#define LX4_UNMAP_SELF 0x1ull /* also the caller's own mapping */
/* the rights to revoke are the fpage's rights bits (LX4_FP_*); R = all */

/* ---- thread configuration (LX4_SYS_THREAD_CONFIG rsi) -------------------- */
enum lx4_thread_cfg {
	LX4_TCFG_PAGER = 1,     /* rdx = endpoint cap (0 = none) */
	LX4_TCFG_HANDLER = 2,   /* rdx = endpoint cap (0 = none) */
	LX4_TCFG_UTCB = 3,      /* rdx = address of the UTCB in the thread's task */
	LX4_TCFG_PRIORITY = 4,  /* rdx = 0..255, at most the caller's own */
	LX4_TCFG_FSBASE = 5,    /* rdx = fs base */
	LX4_TCFG_GSBASE = 6,    /* rdx = gs base */
	LX4_TCFG_FOREIGN = 7,   /* rdx = 1: syscalls become exception IPC */
	LX4_TCFG_TIMESLICE = 8, /* rdx = ticks */
};

/* ---- exregs (LX4_SYS_THREAD_EXREGS rsi flags) ----------------------------
 * Registers travel in the caller's UTCB mr[] in frame order; rdx is a mask
 * of the registers to write.                                               */
#define LX4_EXREGS_READ 0x1ull   /* copy the target's registers to utcb.mr */
#define LX4_EXREGS_WRITE 0x2ull  /* set the masked registers from utcb.mr */
#define LX4_EXREGS_STOP 0x4ull   /* stop the thread (aborts its IPC) */
#define LX4_EXREGS_START 0x8ull  /* (re)start the thread */
#define LX4_EXREGS_ABORT 0x10ull /* abort an IPC in progress */
/* the thread's FPU/SSE/AVX state, through the caller's UTCB fpu[] (XSAVE
 * standard format, the KIP's fpu_size bytes): READ copies it there (the
 * init state for a thread that never used the FPU), WRITE sets it from
 * there after checking it as XRSTOR would (else LX4_EINVAL, and nothing
 * changes); both: an exchange */
#define LX4_EXREGS_FPU_READ 0x20ull
#define LX4_EXREGS_FPU_WRITE 0x40ull
/* FPU_INIT: the thread's FPU state becomes the init state (after any
 * FPU_READ; not with FPU_WRITE) */
#define LX4_EXREGS_FPU_INIT 0x80ull
#define LX4_EXREGS_FLAGS 0xffull /* every flag there is */
#define LX4_UTCB_FPU_OFFSET 1024 /* the FPU area in the UTCB (struct lx4_utcb fpu[]) */
#define LX4_UTCB_FPU_SIZE 3072
/* returned in rdi: the thread state, LX4_TSTATE_* */
enum lx4_tstate {
	LX4_TSTATE_INACTIVE = 0,
	LX4_TSTATE_RUNNING = 1,
	LX4_TSTATE_READY = 2,
	LX4_TSTATE_SEND = 3,
	LX4_TSTATE_RECV = 4,
	LX4_TSTATE_REPLY = 5,
	LX4_TSTATE_HALTED = 6, /* stopped by a fault nobody could handle */
	LX4_TSTATE_DEAD = 7,
};

/* the register frame order used by exception messages and exregs */
enum lx4_reg {
	LX4_REG_RAX, LX4_REG_RDI, LX4_REG_RSI, LX4_REG_RDX, LX4_REG_R10,
	LX4_REG_R8, LX4_REG_R9, LX4_REG_RIP, LX4_REG_RSP, LX4_REG_RFLAGS,
	LX4_REG_RBX, LX4_REG_RBP, LX4_REG_RCX, LX4_REG_R11, LX4_REG_R12,
	LX4_REG_R13, LX4_REG_R14, LX4_REG_R15, LX4_REG_FSBASE, LX4_REG_GSBASE,
	LX4_REG_COUNT
};
#define LX4_SYSCALL_MSG_WORDS 10 /* rax..rflags */
/* an exception message: the frame, then vector, error code */
#define LX4_EXC_MR_VECTOR LX4_REG_COUNT
#define LX4_EXC_MR_ERROR (LX4_REG_COUNT + 1)
#define LX4_EXC_MSG_WORDS (LX4_REG_COUNT + 2)

/* ---- debug calls (LX4_SYS_DEBUG rdi) ------------------------------------- */
enum lx4_debug_op {
	LX4_DBG_WRITE = 1,      /* rsi = length; bytes in the caller's UTCB mr[] */
	LX4_DBG_KMEM_FREE = 2,  /* -> rdi = free kernel pages */
};

/* ---- well-known user addresses ------------------------------------------- */
#define LX4_USER_TOP 0x0000800000000000ull /* first non-user address */
#define LX4_ROOT_KIP 0x00007fff00000000ull /* the KIP in the root task */
#define LX4_ROOT_BOOTINFO 0x00007fff00001000ull
#define LX4_ROOT_UTCB 0x00007fff00002000ull
#define LX4_ROOT_STACK_TOP 0x00007ffe00000000ull
#define LX4_ROOT_RAM_BASE 0x0000010000000000ull /* root sees RAM at phys + this */

#endif
