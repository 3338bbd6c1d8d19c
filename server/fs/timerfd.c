/*
 * timerfd (Linux's fs/timerfd.c): a timer of CLOCK_MONOTONIC,
 * CLOCK_REALTIME or CLOCK_BOOTTIME (and their _ALARM forms, for those with
 * CAP_WAKE_ALARM) as a file whose 8-byte read gives the expirations since
 * the last read.  As on Linux the timer stops when it fires; an interval
 * timer is moved on (and its missed expirations counted) by the read or
 * timerfd_gettime that finds it fired, not by the timer, so a short
 * interval costs nothing while nobody reads.  An absolute CLOCK_REALTIME
 * timer with TFD_TIMER_CANCEL_ON_SET is cancelled when the clock is set:
 * its read fails with ECANCELED.
 *
 * The armed timers are on a list that the server's timer looks at
 * (timerfd_next, timerfd_expire); a CLOCK_REALTIME expiry is kept in wall
 * time and moves with the clock.
 */
#include "signal.h"
#include "sys.h"

#include <asm-generic/poll.h>
#include <linux/timerfd.h>

#define CLOCK_REALTIME_ALARM_L 8
#define CLOCK_BOOTTIME_ALARM_L 9
#define CAP_WAKE_ALARM_L       35
#define NSEC                   1000000000ull
#define NS_MAX                 (1ull << 62) /* (Linux's KTIME_MAX, about) */

struct timerfd {
	bool realtime; /* its clock is the wall clock (else the monotonic one) */
	bool alarm;    /* an _ALARM clock */
	bool active;   /* armed and not yet fired */
	bool expired;  /* fired, not yet moved on (an interval timer) */
	bool might_cancel, canceled;
	uint64_t expires; /* in its clock's time */
	uint64_t interval;
	uint64_t ticks;           /* expirations not yet read */
	struct waitq wq;          /* reads that wait */
	struct pollhead ph;       /* the epoll entries that watch it */
	struct timerfd *next;     /* on the list of active timers */
	struct timerfd *all_next; /* on the list of them all */
};

static struct timerfd *active_list, *all_list;

static const struct file_ops timerfd_ops;

static uint64_t clock_ns(const struct timerfd *tf)
{
	return tf->realtime ? time_wall_ns() : plat_now_ns();
}

/* when tf's expiry comes on the monotonic clock */
static uint64_t mono_deadline(const struct timerfd *tf)
{
	if (!tf->realtime)
		return tf->expires;
	uint64_t boot = time_boot_wall_ns();
	return tf->expires > boot ? tf->expires - boot : 1;
}

static void unlist(struct timerfd *tf)
{
	for (struct timerfd **pp = &active_list; *pp; pp = &(*pp)->next) {
		if (*pp == tf) {
			*pp = tf->next;
			break;
		}
	}
	tf->next = NULL;
	tf->active = false;
}

static void fire(struct timerfd *tf)
{
	unlist(tf);
	tf->expired = true;
	tf->ticks++;
	waitq_wake_all(&tf->wq);
	poll_notify(&tf->ph, POLLIN);
}

/* tf runs (again) to its expiry: due already, it fires now */
static void start(struct timerfd *tf)
{
	if (!tf->active) {
		tf->next = active_list;
		active_list = tf;
		tf->active = true;
	}
	if (mono_deadline(tf) <= plat_now_ns())
		fire(tf);
	timer_rearm_all();
}

uint64_t timerfd_next(void)
{
	uint64_t d = 0;
	for (struct timerfd *tf = active_list; tf; tf = tf->next) {
		uint64_t m = mono_deadline(tf);
		if (!d || m < d)
			d = m;
	}
	return d;
}

void timerfd_expire(uint64_t now)
{
	struct timerfd *next;
	for (struct timerfd *tf = active_list; tf; tf = next) {
		next = tf->next;
		if (mono_deadline(tf) <= now)
			fire(tf); /* (which takes tf off the list: next was read first) */
	}
}

/* Linux's hrtimer_forward_now for a fired interval timer: its expiry
 * moves on past now by whole intervals; returns how many */
static uint64_t forward(struct timerfd *tf)
{
	uint64_t now = clock_ns(tf);
	if (now < tf->expires)
		return 0;
	uint64_t n = (now - tf->expires) / tf->interval + 1;
	tf->expires += n * tf->interval;
	return n;
}

/* a fired interval timer counts what it missed and runs again */
static void rearm_interval(struct timerfd *tf)
{
	if (!tf->expired || !tf->interval)
		return;
	tf->ticks += forward(tf) - 1;
	tf->expired = false;
	start(tf);
}

/* Linux's timerfd_canceled: the clock was set under a CANCEL_ON_SET timer
 * (which is then as new) */
static bool take_canceled(struct timerfd *tf)
{
	if (!tf->might_cancel || !tf->canceled)
		return false;
	tf->canceled = false;
	return true;
}

/* Linux's timerfd_clock_was_set: the CANCEL_ON_SET timers are cancelled
 * (readable, their read fails); the realtime deadlines moved */
void timerfd_clock_was_set(void)
{
	for (struct timerfd *tf = all_list; tf; tf = tf->all_next) {
		if (!tf->might_cancel)
			continue;
		tf->canceled = true;
		tf->ticks++;
		waitq_wake_all(&tf->wq);
		poll_notify(&tf->ph, POLLIN);
	}
	timer_rearm_all();
}

static long timerfd_read(struct file *f, struct uio *u)
{
	struct timerfd *tf = f->priv;
	if (uio_resid(u) < 8)
		return -EINVAL;
	if (take_canceled(tf)) {
		tf->ticks = 0;
		tf->expired = false;
		return -ECANCELED;
	}
	if (!tf->ticks) {
		if (current)
			waitq_add(&tf->wq, current); /* (O_NONBLOCK: EAGAIN, do_rw) */
		return -EWOULDBLOCK_WAIT;
	}
	rearm_interval(tf);
	uint64_t ticks = tf->ticks;
	tf->expired = false;
	tf->ticks = 0;
	return uio_copyout(u, &ticks, 8) == 8 ? 8 : -EFAULT; /* (a fault loses them, as on Linux) */
}

/* TFD_IOC_SET_TICKS (for checkpoint and restore): the expirations a read
 * is to give */
static long timerfd_ioctl(struct file *f, uint64_t req, uint64_t arg)
{
	struct timerfd *tf = f->priv;
	uint64_t ticks;
	if (req != TFD_IOC_SET_TICKS)
		return -ENOTTY;
	if (!current || copy_from_user(current->proc, &ticks, arg, sizeof ticks))
		return -EFAULT;
	if (!ticks)
		return -EINVAL;
	if (take_canceled(tf))
		return -ECANCELED;
	tf->ticks = ticks;
	waitq_wake_all(&tf->wq);
	poll_notify(&tf->ph, POLLIN);
	return 0;
}

static unsigned timerfd_poll(struct file *f, struct poll_table *pt)
{
	struct timerfd *tf = f->priv;
	poll_wait(pt, &tf->ph);
	return tf->ticks ? POLLIN : 0;
}

static void timerfd_release(struct file *f)
{
	struct timerfd *tf = f->priv;
	if (tf->active) {
		unlist(tf);
		timer_rearm_all();
	}
	struct timerfd **pp = &all_list;
	while (*pp != tf)
		pp = &(*pp)->all_next;
	*pp = tf->all_next;
	pollhead_gone(&tf->ph);
	waitq_wake_all(&tf->wq);
	mem_free(tf);
}

static const struct file_ops timerfd_ops = {.read = timerfd_read,
					    .ioctl = timerfd_ioctl,
					    .release = timerfd_release,
					    .poll = timerfd_poll,
					    .anon_name = "[timerfd]"};

long sys_timerfd_create(struct lthread *t, const struct sysargs *a)
{
	int clock = (int)a->a0, flags = (int)a->a1;
	if (flags & ~(TFD_CLOEXEC | TFD_NONBLOCK))
		return -EINVAL;
	bool alarm = clock == CLOCK_REALTIME_ALARM_L || clock == CLOCK_BOOTTIME_ALARM_L;
	if (clock != CLOCK_MONOTONIC && clock != CLOCK_REALTIME && clock != CLOCK_BOOTTIME && !alarm)
		return -EINVAL;
	if (alarm && !cred_capable(&t->proc->cred, CAP_WAKE_ALARM_L))
		return -EPERM;
	struct timerfd *tf = mem_zalloc(sizeof *tf);
	if (!tf)
		return -ENOMEM;
	tf->realtime = clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_ALARM_L;
	tf->alarm = alarm;
	tf->all_next = all_list;
	all_list = tf;
	return anon_fd_install(t->proc, &timerfd_ops, tf, (uint32_t)flags, flags & TFD_CLOEXEC);
}

/* the timerfd at fd: EBADF, or EINVAL if it is none */
static long timerfd_get(struct proc *p, uint64_t fd, struct timerfd **tf)
{
	struct file *f = fd_file(p, (int)fd);
	if (!f)
		return -EBADF;
	if (f->ops != &timerfd_ops)
		return -EINVAL;
	*tf = f->priv;
	return 0;
}

static bool ts_valid(const struct __kernel_timespec *ts)
{
	return ts->tv_sec >= 0 && (uint64_t)ts->tv_nsec < NSEC;
}

static uint64_t ts_ns(const struct __kernel_timespec *ts)
{
	return (uint64_t)ts->tv_sec >= NS_MAX / NSEC ? NS_MAX : (uint64_t)ts->tv_sec * NSEC + (uint64_t)ts->tv_nsec;
}

static struct __kernel_timespec ns_ts(uint64_t ns)
{
	return (struct __kernel_timespec){(int64_t)(ns / NSEC), (int64_t)(ns % NSEC)};
}

/* what timerfd_gettime and the old value of timerfd_settime show */
static void current_value(struct timerfd *tf, struct __kernel_itimerspec *v)
{
	uint64_t now = clock_ns(tf);
	v->it_value = ns_ts(tf->expires > now ? tf->expires - now : 0);
	v->it_interval = ns_ts(tf->interval);
}

/* Linux's timerfd_setup_cancel and timerfd_setup: 0 or -ECANCELED */
static long setup(struct timerfd *tf, int flags, const struct __kernel_itimerspec *nv)
{
	bool abs = flags & TFD_TIMER_ABSTIME;
	tf->might_cancel = tf->realtime && abs && (flags & TFD_TIMER_CANCEL_ON_SET);
	if (tf->active)
		unlist(tf);
	tf->expired = false;
	tf->ticks = 0;
	tf->interval = ts_ns(&nv->it_interval);
	uint64_t value = ts_ns(&nv->it_value);
	tf->expires = 0;
	if (value) {
		tf->expires = abs ? value : clock_ns(tf) + value;
		start(tf);
		if (take_canceled(tf))
			return -ECANCELED;
	}
	timer_rearm_all();
	return 0;
}

long sys_timerfd_settime(struct lthread *t, const struct sysargs *a)
{
	struct __kernel_itimerspec nv, old;
	int flags = (int)a->a1;
	if (copy_from_user(t->proc, &nv, a->a2, sizeof nv))
		return -EFAULT;
	if ((flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) || !ts_valid(&nv.it_value) ||
	    !ts_valid(&nv.it_interval))
		return -EINVAL;
	struct timerfd *tf;
	long err = timerfd_get(t->proc, a->a0, &tf);
	if (err)
		return err;
	if (tf->alarm && !cred_capable(&t->proc->cred, CAP_WAKE_ALARM_L))
		return -EPERM;
	if (tf->expired && tf->interval)
		forward(tf); /* (for the old value only) */
	current_value(tf, &old);
	if ((err = setup(tf, flags, &nv)) != 0)
		return err;
	return a->a3 && copy_to_user(t->proc, a->a3, &old, sizeof old) ? -EFAULT : 0;
}

long sys_timerfd_gettime(struct lthread *t, const struct sysargs *a)
{
	struct timerfd *tf;
	long err = timerfd_get(t->proc, a->a0, &tf);
	if (err)
		return err;
	rearm_interval(tf);
	struct __kernel_itimerspec v;
	current_value(tf, &v);
	return copy_to_user(t->proc, a->a1, &v, sizeof v) ? -EFAULT : 0;
}
