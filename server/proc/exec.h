/* Loading a program into a process (execve). */
#ifndef SRV_EXEC_H
#define SRV_EXEC_H

#include <stdbool.h>
#include <stdint.h>

struct proc;

/* replaces p's image with the executable at path; arguments from the user
 * arrays uargv/uenvp, or from kargv/kenvp for the first process.  Fills regs (all PLAT_REG_COUNT registers) to start it.  Returns
 * 0 or -errno; *committed says the old image is gone (then an error means
 * p must die). */
int exec_image(struct proc *p, const char *path, uint64_t uargv, uint64_t uenvp, const char *const *kargv,
	       const char *const *kenvp, uint64_t *regs, bool *committed);

#endif
