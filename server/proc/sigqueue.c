/*
 * Pending signals: the sets and the siginfo queues of processes and
 * threads (SIGQUEUE_MAX of them at most).
 */
#include "signal_int.h"

/* ---- pending sets and queues ------------------------------------------------ */

unsigned sigq_len(const struct sigpending *q)
{
	unsigned n = 0;
	for (const struct sigqueue *e = q->head; e; e = e->next)
		n++;
	return n;
}

void sigq_append(struct sigpending *q, struct sigqueue *e)
{
	struct sigqueue **pp = &q->head;
	while (*pp)
		pp = &(*pp)->next;
	*pp = e;
}

static int entry_sig(const struct sigqueue *e);

/* removes sig's instances from q */
static void queue_flush(struct sigpending *q, int sig)
{
	for (struct sigqueue **pp = &q->head; *pp;) {
		struct sigqueue *e = *pp;
		if (entry_sig(e) == sig) {
			*pp = e->next;
			mem_free(e);
		} else {
			pp = &e->next;
		}
	}
	q->set &= ~SIGBIT(sig);
}

void sigq_free(struct sigpending *q)
{
	while (q->head) {
		struct sigqueue *e = q->head;
		q->head = e->next;
		mem_free(e);
	}
	q->set = 0;
}

static int entry_sig(const struct sigqueue *e)
{
	int s;
	memcpy(&s, e->info, sizeof s);
	return s;
}

/* takes sig's first instance off q into info */
static void collect(struct sigpending *q, int sig, siginfo_t *info)
{
	struct sigqueue *found = NULL;
	for (struct sigqueue **pp = &q->head; *pp; pp = &(*pp)->next) {
		if (entry_sig(*pp) == sig) {
			found = *pp;
			*pp = found->next;
			break;
		}
	}
	bool more = false;
	for (struct sigqueue *e = q->head; e && !more; e = e->next)
		more = entry_sig(e) == sig;
	if (!more)
		q->set &= ~SIGBIT(sig);
	memset(info, 0, sizeof *info);
	if (found) {
		memcpy(info, found->info, KSIGINFO_SIZE);
		mem_free(found);
	} else { /* it lost its siginfo (a full queue): Linux's zeroes */
		info->si_signo = sig;
		info->si_code = SI_USER;
	}
}

/* Linux's next_signal: the synchronous ones (faults) first, then the
 * lowest number */
static int next_signal(uint64_t pending, uint64_t mask)
{
	uint64_t x = pending & ~mask;
	if (!x)
		return 0;
	if (x & SIG_SYNCHRONOUS)
		x &= SIG_SYNCHRONOUS;
	return __builtin_ctzll(x) + 1;
}

/* the next signal not in mask, the thread's own before the process's */
int sigq_dequeue(struct lthread *t, uint64_t mask, siginfo_t *info)
{
	struct sigpending *q = &t->sigpend;
	int sig = next_signal(q->set, mask);
	if (!sig) {
		q = &t->proc->sigpend;
		sig = next_signal(q->set, mask);
	}
	if (sig)
		collect(q, sig, info);
	return sig;
}

uint64_t signal_pending_set(struct lthread *t) { return t->sigpend.set | t->proc->sigpend.set; }

void signal_flush(struct proc *p, int sig)
{
	queue_flush(&p->sigpend, sig);
	proc_for_each_thread(p, t) {
		queue_flush(&t->sigpend, sig);
	}
}

bool signal_pending_now(struct lthread *t)
{
	struct proc *p = t->proc;
	uint64_t x = signal_pending_set(t) & ~t->sigmask;
	while (x) {
		int sig = __builtin_ctzll(x) + 1;
		if (!sig_ignored(p, t, sig))
			return true;
		signal_flush(p, sig); /* ignored now: Linux would drop it on the way */
		x &= ~SIGBIT(sig);
	}
	return false;
}

void signal_set_mask(struct lthread *t, uint64_t mask) { t->sigmask = mask & ~SIG_KERNEL_ONLY; }

int signal_dequeue_set(struct lthread *t, uint64_t set, siginfo_t *info) { return sigq_dequeue(t, ~set, info); }
