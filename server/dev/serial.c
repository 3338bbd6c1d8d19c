/*
 * The console: a user-level driver for the 16550 UART at COM1 (output by
 * polling the transmitter, input by interrupt through an IRQ object) and
 * the terminal line discipline above it (canonical lines, echo, erase;
 * termios as Linux keeps it).
 */
#include "serial.h"
#include "ioport.h"
#include "signal.h"

#include "sys.h"

#include <asm-generic/poll.h>

#define COM1 PORT_COM1
#define COM1_IRQ 4
#define RBR 0
#define THR 0
#define IER 1
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define INBUF 4096

static struct termios tio;
static struct winsize ws; /* 0 x 0, as a serial line's on Linux until set */
static char inbuf[INBUF];
static unsigned in_head, in_tail; /* ready bytes: [tail, head) */
static char line[INBUF];
static unsigned line_len;
static unsigned eof_pending;
static struct waitq readers;
static int fg_pgrp = 1;
/* the session whose controlling terminal the console is: the first
 * process's (a process of another session has none) */
static const int tty_sid = 1;

static void hw_putc(char c)
{
	for (int i = 0; i < 100000 && !(inb(COM1 + LSR) & LSR_THRE); i++)
		;
	outb(COM1 + THR, (uint8_t)c);
}

/* output processing (OPOST/ONLCR) */
static void out_char(char c)
{
	if ((tio.c_oflag & OPOST) && (tio.c_oflag & ONLCR) && c == '\n')
		hw_putc('\r');
	hw_putc(c);
}

void serial_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out_char(s[i]);
}

static void echo(char c)
{
	if (!(tio.c_lflag & ECHO))
		return;
	if ((tio.c_lflag & ECHOCTL) && (unsigned char)c < 32 && c != '\n' && c != '\t') {
		out_char('^');
		out_char((char)(c + 64));
	} else {
		out_char(c);
	}
}

static unsigned ready(void) { return (in_head - in_tail) % INBUF; }

static void push_ready(const char *s, unsigned n)
{
	for (unsigned i = 0; i < n && ready() < INBUF - 1; i++) {
		inbuf[in_head] = s[i];
		in_head = (in_head + 1) % INBUF;
	}
}

/* one input byte through the line discipline */
static void input(char c)
{
	if ((tio.c_iflag & ISTRIP))
		c &= 0x7f;
	if (c == '\r' && (tio.c_iflag & IGNCR))
		return;
	if (c == '\r' && (tio.c_iflag & ICRNL))
		c = '\n';
	else if (c == '\n' && (tio.c_iflag & INLCR))
		c = '\r';
	if (tio.c_lflag & ISIG) {
		/* INTR, QUIT and SUSP signal the foreground group (SI_KERNEL,
		 * as Linux's n_tty), drop the pending input unless NOFLSH and
		 * echo as ^C */
		int sig = 0;
		if (c == (char)tio.c_cc[VINTR])
			sig = SIGINT;
		else if (c == (char)tio.c_cc[VQUIT])
			sig = SIGQUIT;
		else if (c == (char)tio.c_cc[VSUSP])
			sig = SIGTSTP;
		if (sig && c != 0) { /* (0: _POSIX_VDISABLE) */
			if (!(tio.c_lflag & NOFLSH)) {
				line_len = 0;
				in_tail = in_head;
				eof_pending = 0;
			}
			echo(c);
			signal_pgrp(fg_pgrp, sig, NULL);
			return;
		}
	}
	if (!(tio.c_lflag & ICANON)) {
		push_ready(&c, 1);
		echo(c);
		return;
	}
	if (c == (char)tio.c_cc[VERASE] || c == '\b') {
		if (line_len) {
			line_len--;
			if ((tio.c_lflag & ECHO) && (tio.c_lflag & ECHOE)) {
				out_char('\b');
				out_char(' ');
				out_char('\b');
			}
		}
		return;
	}
	if (c == (char)tio.c_cc[VKILL]) {
		while (line_len) {
			line_len--;
			if ((tio.c_lflag & ECHO) && (tio.c_lflag & ECHOK))
				serial_write("\b \b", 3);
		}
		return;
	}
	if (c == (char)tio.c_cc[VEOF]) {
		push_ready(line, line_len);
		if (!line_len)
			eof_pending++;
		line_len = 0;
		return;
	}
	if (line_len < sizeof line - 1)
		line[line_len++] = c;
	echo(c);
	if (c == '\n') {
		push_ready(line, line_len);
		line_len = 0;
	}
}

/* the console's files with O_ASYNC on (fasync.c), whichever node opened
 * them; the epoll entries that watch it */
static struct file *console_async;
static struct pollhead console_ph;

void srv_irq(unsigned irq)
{
	if (irq != COM1_IRQ)
		return;
	bool any = false;
	while (inb(COM1 + LSR) & LSR_DR) {
		input((char)inb(COM1 + RBR));
		any = true;
	}
	plat_irq_ack(COM1_IRQ);
	if (any) {
		waitq_wake_all(&readers);
		poll_notify(&console_ph, POLLIN | POLLRDNORM);
		fasync_notify(console_async, POLL_IN);
	}
	event_settle();
}

/* reading and writing move a terminal's access and modification times, as
 * on Linux: to the second, and only when they are 8 seconds or more behind
 * (so that the times tell nothing finer about the typing) */
static void tty_touch(struct __kernel_timespec *t)
{
	long long sec = (long long)vfs_now_sec();
	if ((sec ^ t->tv_sec) & ~7ll)
		t->tv_sec = sec;
}

/* job control at the terminal (Linux's __tty_check_change): a process
 * of a background group of the terminal's session that reads it (sig
 * SIGTTIN), or writes it under TOSTOP or changes its settings (SIGTTOU),
 * signals its group and the call is made again once it is continued;
 * ignored or blocked, SIGTTIN makes the read fail (EIO) and SIGTTOU lets
 * the call through; an orphaned group gets EIO */
static long tty_check(int sig)
{
	struct proc *p = current ? current->proc : NULL;
	if (!p || p->sid != tty_sid || p->pgid == fg_pgrp)
		return 0;
	if (p->sigact[sig - 1].handler == SIG_IGN_L || (current->sigmask & SIGBIT(sig)))
		return sig == SIGTTIN ? -EIO : 0;
	if (signal_pgrp_orphaned(p->pgid, NULL))
		return -EIO;
	signal_pgrp(p->pgid, sig, NULL);
	return -ERESTARTSYS;
}

static long console_read(struct file *f, struct uio *u)
{
	long r = tty_check(SIGTTIN);
	if (r)
		return r;
	if (!uio_resid(u))
		return 0;
	if (!ready()) {
		if (eof_pending) {
			eof_pending--;
			return 0;
		}
		if (current)
			waitq_add(&readers, current);
		return -EWOULDBLOCK_WAIT;
	}
	long total = 0;
	while (ready() && uio_resid(u)) {
		char c = inbuf[in_tail];
		long n = uio_copyout(u, &c, 1);
		if (n < 0)
			return total ? total : n;
		in_tail = (in_tail + 1) % INBUF;
		total++;
		if ((tio.c_lflag & ICANON) && c == '\n')
			break; /* one line at a time */
	}
	if (total)
		tty_touch(&f->vn->atime);
	return total;
}

static long console_write(struct file *f, struct uio *u)
{
	char buf[256];
	long total = 0;
	if (tio.c_lflag & TOSTOP) {
		long r = tty_check(SIGTTOU);
		if (r)
			return r;
	}
	while (uio_resid(u)) {
		long n = uio_copyin(u, buf, sizeof buf);
		if (n < 0)
			return total ? total : n;
		if (!n)
			break;
		serial_write(buf, (size_t)n);
		total += n;
	}
	if (total)
		tty_touch(&f->vn->mtime);
	return total;
}

static long console_ioctl(struct file *f, uint64_t req, uint64_t arg)
{
	(void)f;
	struct proc *p = current ? current->proc : NULL;
	if (!p)
		return -ENOTTY;
	switch (req) {
	case TCGETS:
		return copy_to_user(p, arg, &tio, sizeof tio);
	case TCSETS:
	case TCSETSW:
	case TCSETSF: {
		long r = tty_check(SIGTTOU);
		if (r)
			return r;
		struct termios n;
		if (copy_from_user(p, &n, arg, sizeof n))
			return -EFAULT;
		bool was_canon = tio.c_lflag & ICANON;
		tio = n;
		if (req == TCSETSF) {
			in_head = in_tail = 0;
			line_len = 0;
		} else if (was_canon && !(tio.c_lflag & ICANON) && line_len) {
			push_ready(line, line_len); /* what was typed becomes readable */
			line_len = 0;
		}
		return 0;
	}
	case TIOCGWINSZ:
		return copy_to_user(p, arg, &ws, sizeof ws);
	case TIOCSWINSZ:
		return copy_from_user(p, &ws, arg, sizeof ws);
	case TIOCGPGRP:
		return copy_to_user(p, arg, &fg_pgrp, sizeof fg_pgrp);
	case TIOCSPGRP: {
		int g;
		long r = tty_check(SIGTTOU);
		if (!r)
			r = copy_from_user(p, &g, arg, sizeof g);
		if (r)
			return r;
		if (g < 0)
			return -EINVAL;
		if (signal_pgrp(g, 0, NULL))
			return -EPERM; /* no such group (Linux: none in the session) */
		fg_pgrp = g;
		return 0;
	}
	case TIOCSCTTY:
	case TIOCNOTTY:
		return 0;
	case TIOCGSID:
		return copy_to_user(p, arg, &p->sid, sizeof p->sid);
	case FIONREAD: {
		int n = (int)ready();
		return copy_to_user(p, arg, &n, sizeof n);
	}
	case TCFLSH:
		if (arg == 0 || arg == 2) {
			in_head = in_tail = 0;
			line_len = 0;
		}
		return arg <= 2 ? 0 : -EINVAL;
	case TCXONC:
	case TCSBRK:
		return 0;
	default:
		return -ENOTTY;
	}
}

static unsigned console_poll(struct file *f, struct poll_table *pt)
{
	(void)f;
	poll_wait(pt, &console_ph);
	return POLLOUT | POLLWRNORM | (ready() || eof_pending ? POLLIN | POLLRDNORM : 0);
}

const struct file_ops console_ops = {.read = console_read,
				     .write = console_write,
				     .ioctl = console_ioctl,
				     .poll = console_poll,
				     .async = &console_async};

void serial_init(void)
{
	outb(COM1 + IER, 0);
	outb(COM1 + LCR, 0x80); /* divisor: 115200 baud */
	outb(COM1 + 0, 1);
	outb(COM1 + 1, 0);
	outb(COM1 + LCR, 0x03); /* 8N1 */
	outb(COM1 + FCR, 0xc7);
	outb(COM1 + MCR, 0x0b); /* DTR, RTS, OUT2 (routes the IRQ) */
	tio.c_iflag = ICRNL | IXON;
	tio.c_oflag = OPOST | ONLCR;
	/* what Linux's console=ttyS0 shows: 9600 8N1 with CLOCAL (the
	 * emulated UART runs as fast as it likes either way) */
	tio.c_cflag = B9600 | CS8 | CREAD | HUPCL | CLOCAL;
	tio.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	static const uint8_t cc[] = {[VINTR] = 3,	  [VQUIT] = 28,	  [VERASE] = 127, [VKILL] = 21,
				     [VEOF] = 4,	  [VTIME] = 0,	  [VMIN] = 1,	  [VSTART] = 17,
				     [VSTOP] = 19,	  [VSUSP] = 26,	  [VREPRINT] = 18, [VDISCARD] = 15,
				     [VWERASE] = 23, [VLNEXT] = 22};
	for (unsigned i = 0; i < sizeof cc; i++)
		tio.c_cc[i] = cc[i];
	if (plat_irq_attach(COM1_IRQ) == 0)
		outb(COM1 + IER, 0x01); /* received data */
}

int console_pgrp(void) { return fg_pgrp; }
