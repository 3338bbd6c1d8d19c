/*
 * More ways to start children for kernel tests: tasks with a chosen quota
 * and table size, more threads in a child, and a child that can report
 * failures (KASSERT) to the root.  Built on the helpers of ktest.h.
 */
#ifndef KTEST_SPAWN_H
#define KTEST_SPAWN_H

#include "ktest.h"

/* like task_spawn, with quota pages and slots capability slots; the
 * child's slot 1 gets our parent cap, so KASSERT works in it; its thread
 * is not started (child_start) */
void task_spawn_sized(struct child *c, void (*fn)(uint64_t), uint64_t arg, uint64_t quota, uint64_t slots);
/* copies our parent cap into c's slot 1 (KASSERT in the child reports
 * to the root) and starts c's thread */
void child_start(struct child *c);
/* one more thread in c's task running fn(arg) at priority 100, with its
 * own stack page mapped into c; started unless start is false */
lx4_cap_t child_thread(struct child *c, void (*fn)(uint64_t), uint64_t arg, bool start);

/* a task's quota, used pages and thread count (task_info) */
uint64_t pages_used(lx4_cap_t task);
uint64_t task_quota(lx4_cap_t task);
uint64_t task_threads(lx4_cap_t task);

/* waits (at most 2 s) until thread t is in state (LX4_TSTATE_*) */
void wait_for_state(lx4_cap_t t, uint64_t state);
/* waits (at most 2 s) until *p >= v */
void wait_count(volatile uint64_t *p, uint64_t v);
/* waits (at most 2 s) until thread t is destroyed (thread_dead) */
void wait_dead(lx4_cap_t t);
/* true if t names a destroyed thread: exregs fails with EDEAD and
 * cap_info shows the dead bit */
bool thread_dead(lx4_cap_t t);

#endif
