/*
 * Process file descriptors (pidfd.c): what the rest of the server tells
 * them and asks of them.
 */
#ifndef SRV_PIDFD_H
#define SRV_PIDFD_H

#include <stdbool.h>

struct proc;

/* p has ended (a zombie now): its pidfds become readable */
void pidfd_exited(struct proc *p);
/* the pid of the process pidfd fd of p names, for waitid(P_PIDFD): 0 once
 * it is reaped (no child is it), or -EBADF (fd is no pidfd); *nonblock:
 * the pidfd's O_NONBLOCK (the wait does not wait: EAGAIN) */
int pidfd_waitee(struct proc *p, int fd, bool *nonblock);

#endif
