/*
 * What the parts of the signal code share (signal.c: generation and
 * sending; sigqueue.c: pending sets and siginfo queues; jobctl.c: stops
 * and continues; sigdeliver.c: delivery; time/itimer.c: ITIMER_REAL).
 */
#ifndef SRV_SIGNAL_INT_H
#define SRV_SIGNAL_INT_H

#include "signal.h"

#include "sys.h"

struct sigqueue {
	struct sigqueue *next;
	uint8_t info[KSIGINFO_SIZE];
};

/* queued siginfo per process (and per thread) at most; beyond it a
 * real-time signal from sigqueue is refused (EAGAIN) and others lose
 * their siginfo, as past Linux's RLIMIT_SIGPENDING */
#define SIGQUEUE_MAX 1024

#define SIG_KERNEL_ONLY (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))
#define SIG_SYNCHRONOUS \
	(SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) | SIGBIT(SIGILL) | SIGBIT(SIGTRAP) | SIGBIT(SIGFPE) | SIGBIT(SIGSYS))
#define SIG_STOPS (SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU))
#define SIG_DEFAULT_IGNORE (SIGBIT(SIGCHLD) | SIGBIT(SIGCONT) | SIGBIT(SIGURG) | SIGBIT(SIGWINCH))

/* shared between the parts (their comments are at their definitions) */
void sig_kick(struct lthread *t);                   /* signal.c */
bool sig_default_ignored(int sig);                  /* signal.c */
bool sig_ignored(const struct proc *p, const struct lthread *t, int sig);
unsigned sigq_len(const struct sigpending *q); /* sigqueue.c */
void sigq_append(struct sigpending *q, struct sigqueue *e);
void sigq_free(struct sigpending *q);
int sigq_dequeue(struct lthread *t, uint64_t mask, siginfo_t *info);
void job_notify_all(void); /* jobctl.c */
void job_stop(struct lthread *t, int sig);
void job_cont(struct proc *p);

#endif
