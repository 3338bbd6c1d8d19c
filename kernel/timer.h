/* Kernel clock and IPC timeouts. */
#ifndef KERNEL_TIMER_H
#define KERNEL_TIMER_H

#include "thread.h"

uint64_t clock_ns(void);
void timeout_arm(struct thread *t, uint64_t rel_ns);
void timeout_cancel(struct thread *t);
void timeout_expire(void); /* from the timer tick */
void timer_tick(void);

#endif
