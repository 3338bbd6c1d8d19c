/*
 * Job control: stopping and continuing processes, the parent told with
 * SIGCHLD (CLD_STOPPED, CLD_CONTINUED).
 */
#include "signal_int.h"

/* ---- job control ------------------------------------------------------------------ */

static int notifies; /* processes whose cld_notify is set */

/* p owes its parent a CLD_STOPPED or CLD_CONTINUED notification: sent
 * (with the wake of a wait) by signal_settle after the event, outside
 * whatever stopped or continued p */
static void notify_parent(struct proc *p, int why)
{
	p->cld_notify = (uint8_t)why;
	notifies++;
	signal_kicks++; /* (so that the event's end settles) */
}

/* Linux's do_notify_parent_cldstop: SIGCHLD unless the parent's action
 * ignores it or has SA_NOCLDSTOP; its waits are woken either way */
static void notify_one(struct proc *c)
{
	int why = c->cld_notify;
	c->cld_notify = 0;
	struct proc *parent = c->parent;
	if (!why || c->state != P_LIVE || !parent || parent->state != P_LIVE)
		return;
	const struct k_sigaction *ka = &parent->sigact[SIGCHLD - 1];
	if (ka->handler != SIG_IGN_L && !(ka->flags & SA_NOCLDSTOP)) {
		siginfo_t i;
		siginfo_from(&i, SIGCHLD, why, c->pid);
		i.si_status = why == CLD_STOPPED ? c->stop_sig : SIGCONT;
		signal_send(parent, SIGCHLD, &i);
	}
	waitq_wake_all(&parent->child_exit);
}

void job_notify_all(void)
{
	while (notifies) {
		notifies = 0;
		proc_for_each(p) {
			if (p->cld_notify)
				notify_one(p);
		}
	}
}

/* Linux's do_signal_stop: t's process stops on sig; t is held by the
 * caller (STOP_USER or STOP_CALL), the others by signal_settle (those
 * in a call when it ends: syscall.c's finish) */
void job_stop(struct lthread *t, int sig)
{
	struct proc *p = t->proc;
	p->stopped = true;
	p->stop_code = p->stop_sig = sig;
	p->cont_report = false;
	thread_set_sleeping(t, true);
	proc_for_each_thread(p, o) {
		if (o != t)
			sig_kick(o);
	}
	notify_parent(p, CLD_STOPPED);
}

/* SIGCONT's effect on a stopped process, whatever its action and mask
 * (Linux's prepare_signal): it runs again once signal_settle resumes its
 * thread (kicked) */
void job_cont(struct proc *p)
{
	p->stopped = false;
	p->stop_code = 0;
	p->cont_report = true;
	notify_parent(p, CLD_CONTINUED);
	proc_for_each_thread(p, t) {
		sig_kick(t);
	}
}

bool signal_pgrp_orphaned(int pgrp, const struct proc *ignore)
{
	proc_for_each(q) {
		if (q == ignore || q->state != P_LIVE || q->pgid != pgrp)
			continue;
		struct proc *parent = q->parent;
		if (!parent || parent->pid == 1 || parent->pgid == pgrp || parent->sid != q->sid)
			continue; /* (init's children count as outside no group, as on Linux) */
		return false;
	}
	return true;
}

/* Linux's kill_orphaned_pgrp: a group that the end of a process (or of its
 * parent) orphans and that has a stopped member gets SIGHUP and SIGCONT */
static void orphaned_check(int pgrp, int sid, const struct proc *parent, const struct proc *ignore)
{
	if (!parent || parent->pgid == pgrp || parent->sid != sid || !signal_pgrp_orphaned(pgrp, ignore))
		return;
	bool stopped = false;
	proc_for_each(q) {
		if ((stopped = q->state == P_LIVE && q->pgid == pgrp && q->stopped))
			break;
	}
	if (stopped) {
		signal_pgrp(pgrp, SIGHUP, NULL);
		signal_pgrp(pgrp, SIGCONT, NULL);
	}
}

void signal_orphan_child(struct proc *c, struct proc *p)
{
	if (c->state == P_LIVE)
		orphaned_check(c->pgid, c->sid, p, NULL);
}

void signal_orphan_exit(struct proc *p) { orphaned_check(p->pgid, p->sid, p->parent, p); }
