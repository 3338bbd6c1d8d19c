/* I/O port rights: a per-task permission bitmap, mapped like pages (no
 * recursive revocation: unmap takes ports from the given task only). */
#ifndef KERNEL_IOPORT_H
#define KERNEL_IOPORT_H

#include "types.h"

struct task;

int io_map(struct task *src, uint64_t iofp, struct task *dst, bool grant);
int io_unmap(struct task *t, uint64_t iofp);
/* gives t every port (the root task at boot) */
int io_grant_all(struct task *t);
void io_free(struct task *t);

#endif
