/*
 * Tasks: an address space (hardware page table) plus a capability table
 * plus a kernel-memory account.
 */
#ifndef KERNEL_TASK_H
#define KERNEL_TASK_H

#include "cap.h"
#include "kmem.h"

struct thread;

struct task {
	struct kobj obj;
	uint64_t *pml4; /* kernel view of the top-level page table */
	paddr_t pml4_phys;
	/* capability table */
	uint32_t cap_slots;
	struct cap *cap_leaf[CAP_LEAVES];
	/* kernel-memory account, in pages */
	uint64_t quota, used;
	struct task *parent_acct; /* charged for our quota and this struct */
	/* the tasks charged to this account: destroyed with it */
	struct task *children, *sib_next, *sib_prev;
	struct slab_cache slabs[SLAB_CLASSES];
	/* I/O permission bitmap (two pages, bit set = denied) or NULL */
	uint8_t *iobm[2];
	/* threads that run in this task */
	struct thread *threads;
	uint32_t nthreads; /* of them, those not destroyed */
	/* coloc: the in-kernel server's task; its threads are TF_KMODE */
	bool kmode;
	uint32_t id;
};

/* creates a task charged to parent (NULL: the root, charged to nobody) */
struct task *task_create(struct task *parent, uint64_t quota, uint32_t cap_slots, int *err);
void task_destroy(struct task *t);
void task_free(struct task *t);

bool task_charge(struct task *t, uint64_t pages);
void task_uncharge(struct task *t, uint64_t pages);

/* the kernel's own task: owns the kernel page table, runs nothing */
extern struct task kernel_task;

#endif
