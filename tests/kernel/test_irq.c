/* IRQ objects, driven by the CMOS clock's periodic interrupt (IRQ 8): the
 * test task may use ports 0x70-0x71 and has the IRQ control cap. */
#include "kthread.h"

#define RTC_IRQ 8

static void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static uint8_t cmos_read(uint8_t reg)
{
	outb(TP_RTC_PORT, reg);
	return inb(TP_RTC_PORT + 1);
}
static void cmos_write(uint8_t reg, uint8_t v)
{
	outb(TP_RTC_PORT, reg);
	outb(TP_RTC_PORT + 1, v);
}

/* acknowledges at the device: reading register C lowers the line */
static void rtc_ack(void)
{
	cmos_read(0x0c);
}

/* the periodic interrupt on (1024 Hz) or off */
static void rtc_periodic(bool on)
{
	cmos_write(0x0a, (cmos_read(0x0a) & 0xf0) | 6);
	uint8_t b = cmos_read(0x0b);
	cmos_write(0x0b, on ? b | 0x40 : b & ~0x40);
	rtc_ack();
}

/* a fresh IRQ object for the clock, bound to ep; the clock still off */
static lx4_cap_t rtc_irq(lx4_cap_t ep)
{
	rtc_periodic(false);
	lx4_cap_t irq = cap_new();
	KEXPECT_EQ(lx4_irq_create(TP_IRQCTL_CAP, RTC_IRQ, irq), 0);
	if (ep)
		KEXPECT_EQ(lx4_irq_bind(irq, ep), 0);
	return irq;
}

/* receives one IRQ message: line 8, the badge */
static void recv_irq(lx4_cap_t ep, uint64_t badge, uint64_t timeout)
{
	struct lx4_msg m;
	KEXPECT_EQ(lx4_recv(ep, &m, timeout), 0);
	KEXPECT_EQ(lx4_tag_label(m.tag), LX4_LABEL_IRQ);
	KEXPECT_EQ(lx4_tag_untyped(m.tag), 1);
	KEXPECT_EQ(lx4_tag_typed(m.tag), 0);
	KASSERT(m.tag & LX4_TAG_KERNEL);
	KEXPECT_EQ(m.mr[0], RTC_IRQ);
	KEXPECT_EQ(m.badge, badge);
}

KTEST(irq_create_errors)
{
	lx4_cap_t ep = ep_new(), irq = cap_new(), t = thread_spawn(victim_spin, 0, 10, false);
	static const uint64_t bad_line[] = {2, 16, 17, 255, 1ull << 32 | 8, ~0ull};
	for (unsigned i = 0; i < sizeof bad_line / sizeof bad_line[0]; i++)
		KEXPECT_EQ(lx4_syscall(LX4_SYS_IRQ_CREATE, TP_IRQCTL_CAP, bad_line[i], irq, 0, 0, 0).err, -LX4_ERANGE);
	KEXPECT_EQ(lx4_irq_create(ep, RTC_IRQ, irq), -LX4_ETYPE);
	KEXPECT_EQ(lx4_irq_create(t, RTC_IRQ, irq), -LX4_ETYPE);
	KEXPECT_EQ(lx4_irq_create(cap_new(), RTC_IRQ, irq), -LX4_ECAP);
	/* an occupied destination slot: the line stays free */
	KEXPECT_EQ(lx4_irq_create(TP_IRQCTL_CAP, RTC_IRQ, ep), -LX4_EBUSY);
	KEXPECT_EQ(lx4_irq_create(TP_IRQCTL_CAP, RTC_IRQ, irq), 0);
	KEXPECT_EQ(lx4_cap_info(LX4_CAP_SELF_TASK, irq).r1, LX4_OBJ_IRQ);
	KEXPECT_EQ(lx4_cap_info(LX4_CAP_SELF_TASK, irq).r2, LX4_R_ALL);
	/* one object per line */
	KEXPECT_EQ(lx4_irq_create(TP_IRQCTL_CAP, RTC_IRQ, cap_new()), -LX4_EBUSY);
	/* a copy of the control cap works as well; other lines are separate */
	lx4_cap_t ctl2 = cap_new(), i5 = cap_new(), i15 = cap_new();
	KEXPECT_EQ(lx4_cap_copy(LX4_CAP_SELF_TASK, ctl2, TP_IRQCTL_CAP, LX4_R_ALL, 0), 0);
	KEXPECT_EQ(lx4_cap_info(LX4_CAP_SELF_TASK, ctl2).r1, LX4_OBJ_IRQCTL);
	KEXPECT_EQ(lx4_irq_create(ctl2, 5, i5), 0);
	KEXPECT_EQ(lx4_irq_create(ctl2, 15, i15), 0);
	KEXPECT_EQ(lx4_irq_create(ctl2, 5, cap_new()), -LX4_EBUSY);
	/* destroyed: the line is free again; the old cap is dead */
	lx4_cap_t copy = cap_new();
	KEXPECT_EQ(lx4_cap_copy(LX4_CAP_SELF_TASK, copy, irq, LX4_R_ALL, 0), 0);
	KEXPECT_EQ(lx4_cap_destroy(irq), 0);
	KEXPECT_EQ(lx4_irq_bind(copy, ep), -LX4_EDEAD);
	KEXPECT_EQ(lx4_irq_ack(copy), -LX4_EDEAD);
	KEXPECT_EQ(lx4_irq_create(TP_IRQCTL_CAP, RTC_IRQ, irq), 0);
	/* dropping the last cap frees the line too */
	KEXPECT_EQ(lx4_cap_delete(LX4_CAP_SELF_TASK, i5), 0);
	KEXPECT_EQ(lx4_irq_create(ctl2, 5, i5), 0);
}

KTEST(irq_bind_and_ack_errors)
{
	lx4_cap_t ep = ep_new(), irq = rtc_irq(0), weak_irq = cap_new(), rcv_only = cap_new();
	KEXPECT_EQ(lx4_cap_copy(LX4_CAP_SELF_TASK, weak_irq, irq, LX4_R_ALL & ~LX4_R_CONTROL, 0), 0);
	KEXPECT_EQ(lx4_cap_copy(LX4_CAP_SELF_TASK, rcv_only, ep, LX4_R_RECV, 0), 0);
	KEXPECT_EQ(lx4_irq_bind(ep, ep), -LX4_ETYPE);
	KEXPECT_EQ(lx4_irq_bind(irq, irq), -LX4_ETYPE);
	KEXPECT_EQ(lx4_irq_bind(irq, LX4_CAP_SELF_THREAD), -LX4_ETYPE);
	KEXPECT_EQ(lx4_irq_bind(irq, rcv_only), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_irq_bind(weak_irq, ep), -LX4_ERIGHTS);
	KEXPECT_EQ(lx4_irq_bind(irq, cap_new()), -LX4_ECAP);
	KEXPECT_EQ(lx4_irq_bind(cap_new(), ep), -LX4_ECAP);
	KEXPECT_EQ(lx4_irq_ack(ep), -LX4_ETYPE);
	KEXPECT_EQ(lx4_irq_ack(weak_irq), -LX4_ERIGHTS);
	/* nothing delivered yet: nothing to acknowledge, bound or not */
	KEXPECT_EQ(lx4_irq_ack(irq), -LX4_ESTATE);
	KEXPECT_EQ(lx4_irq_bind(irq, ep), 0);
	KEXPECT_EQ(lx4_irq_ack(irq), -LX4_ESTATE);
	KEXPECT_EQ(lx4_irq_bind(irq, 0), 0); /* unbind */
	KEXPECT_EQ(lx4_irq_bind(irq, 0), 0); /* twice: fine */
	KEXPECT_EQ(lx4_irq_ack(irq), -LX4_ESTATE);
}

KTEST(irq_rtc_delivery)
{
	lx4_cap_t ep = ep_new(), b = cap_new();
	KEXPECT_EQ(lx4_cap_copy(LX4_CAP_SELF_TASK, b, ep, LX4_R_SEND, 0xc10c), 0);
	lx4_cap_t irq = rtc_irq(b);
	struct lx4_msg m;
	KEXPECT_EQ(lx4_recv(ep, &m, 20 * MS), -LX4_ETIMEOUT); /* the clock is off */
	rtc_periodic(true);
	recv_irq(ep, 0xc10c, 500 * MS);
	rtc_ack();
	KEXPECT_EQ(lx4_irq_ack(irq), 0);
	KEXPECT_EQ(lx4_irq_ack(irq), -LX4_ESTATE); /* once per delivery */
	recv_irq(ep, 0xc10c, 500 * MS);
	rtc_periodic(false);
	KEXPECT_EQ(lx4_irq_ack(irq), 0);
	KEXPECT_EQ(lx4_recv(ep, &m, 20 * MS), -LX4_ETIMEOUT);
}

/* masked from delivery until acknowledged: no second message meanwhile */
KTEST(irq_masked_until_ack)
{
	lx4_cap_t ep = ep_new();
	lx4_cap_t irq = rtc_irq(ep);
	rtc_periodic(true);
	recv_irq(ep, 0, 500 * MS);
	for (unsigned i = 0; i < 3; i++) {
		/* the device fires on (we acknowledge it there), the line is masked */
		struct lx4_msg m;
		rtc_ack();
		KEXPECT_EQ(lx4_recv(ep, &m, 15 * MS), -LX4_ETIMEOUT);
		rtc_ack();
		KEXPECT_EQ(lx4_irq_ack(irq), 0);
		/* the interrupt latched while masked arrives at once */
		recv_irq(ep, 0, 500 * MS);
	}
	rtc_periodic(false);
	KEXPECT_EQ(lx4_irq_ack(irq), 0);
}

/* no receiver: the IRQ waits on the endpoint (one of them) */
KTEST(irq_queued_without_receiver)
{
	lx4_cap_t ep = ep_new();
	lx4_cap_t irq = rtc_irq(ep);
	rtc_periodic(true);
	sleep_ns(10 * MS); /* on another endpoint: the IRQ queues on ep */
	rtc_ack();
	sleep_ns(10 * MS);
	struct lx4_msg m;
	recv_irq(ep, 0, LX4_TIMEOUT_ZERO);
	KEXPECT_EQ(lx4_recv(ep, &m, LX4_TIMEOUT_ZERO), -LX4_ETIMEOUT);
	rtc_ack();
	KEXPECT_EQ(lx4_irq_ack(irq), 0);
	/* REPLY_RECV receives it too (with nobody to reply to) */
	m = msg(0, 0, 0, 0, 0);
	KEXPECT_EQ(lx4_reply_recv(ep, &m, 500 * MS), 0);
	KEXPECT_EQ(lx4_tag_label(m.tag), LX4_LABEL_IRQ);
	KEXPECT_EQ(m.mr[0], RTC_IRQ);
	rtc_periodic(false);
	KEXPECT_EQ(lx4_irq_ack(irq), 0);
}

KTEST(irq_unbind_and_rebind)
{
	lx4_cap_t ep = ep_new(), ep2 = ep_new(), b = cap_new();
	KEXPECT_EQ(lx4_cap_copy(LX4_CAP_SELF_TASK, b, ep2, LX4_R_SEND, 0xb2), 0);
	lx4_cap_t irq = rtc_irq(ep);
	rtc_periodic(true);
	recv_irq(ep, 0, 500 * MS);
	rtc_ack();
	KEXPECT_EQ(lx4_irq_ack(irq), 0);
	/* unbound: nothing arrives, an ack has nothing to do */
	KEXPECT_EQ(lx4_irq_bind(irq, 0), 0);
	rtc_ack();
	struct lx4_msg m;
	KEXPECT_EQ(lx4_recv(ep, &m, 20 * MS), -LX4_ETIMEOUT);
	rtc_ack();
	KEXPECT_EQ(lx4_recv(ep, &m, 10 * MS), -LX4_ETIMEOUT);
	KEXPECT_EQ(lx4_irq_ack(irq), -LX4_ESTATE);
	/* bound elsewhere, with a badge */
	rtc_ack();
	KEXPECT_EQ(lx4_irq_bind(irq, b), 0);
	recv_irq(ep2, 0xb2, 500 * MS);
	KEXPECT_EQ(lx4_recv(ep, &m, LX4_TIMEOUT_ZERO), -LX4_ETIMEOUT);
	/* rebinding while one is delivered and unacknowledged */
	KEXPECT_EQ(lx4_irq_bind(irq, ep), 0);
	KEXPECT_EQ(lx4_irq_ack(irq), -LX4_ESTATE);
	rtc_ack();
	recv_irq(ep, 0, 500 * MS);
	rtc_periodic(false);
	KEXPECT_EQ(lx4_irq_ack(irq), 0);
}

KTEST(irq_destroy_stops_delivery)
{
	lx4_cap_t ep = ep_new();
	lx4_cap_t irq = rtc_irq(ep);
	rtc_periodic(true);
	recv_irq(ep, 0, 500 * MS);
	rtc_ack();
	KEXPECT_EQ(lx4_irq_ack(irq), 0);
	/* pending on the endpoint when destroyed: gone as well */
	sleep_ns(5 * MS);
	KEXPECT_EQ(lx4_cap_destroy(irq), 0);
	struct lx4_msg m;
	KEXPECT_EQ(lx4_recv(ep, &m, LX4_TIMEOUT_ZERO), -LX4_ETIMEOUT);
	rtc_ack();
	KEXPECT_EQ(lx4_recv(ep, &m, 20 * MS), -LX4_ETIMEOUT);
	/* a new object for the line works */
	lx4_cap_t irq2 = cap_new();
	KEXPECT_EQ(lx4_irq_create(TP_IRQCTL_CAP, RTC_IRQ, irq2), 0);
	KEXPECT_EQ(lx4_irq_bind(irq2, ep), 0);
	rtc_ack();
	recv_irq(ep, 0, 500 * MS);
	rtc_periodic(false);
	KEXPECT_EQ(lx4_irq_ack(irq2), 0);
}

/* the bound endpoint is destroyed: no more delivery, until rebound */
KTEST(irq_endpoint_destroyed)
{
	lx4_cap_t ep = ep_new(), ep2 = ep_new();
	lx4_cap_t irq = rtc_irq(ep);
	rtc_periodic(true);
	sleep_ns(5 * MS); /* one queued on ep */
	KEXPECT_EQ(lx4_cap_destroy(ep), 0);
	rtc_ack();
	struct lx4_msg m;
	KEXPECT_EQ(lx4_recv(ep2, &m, 10 * MS), -LX4_ETIMEOUT);
	KEXPECT_EQ(lx4_irq_ack(irq), -LX4_ESTATE);
	KEXPECT_EQ(lx4_irq_bind(irq, ep), -LX4_ECAP);
	KEXPECT_EQ(lx4_irq_bind(irq, ep2), 0);
	rtc_ack();
	recv_irq(ep2, 0, 500 * MS);
	rtc_ack();
	KEXPECT_EQ(lx4_irq_ack(irq), 0);
	recv_irq(ep2, 0, 500 * MS);
	rtc_periodic(false);
	KEXPECT_EQ(lx4_irq_ack(irq), 0);
}

KTEST(irq_round_trips)
{
	lx4_cap_t ep = ep_new(), b = cap_new();
	KEXPECT_EQ(lx4_cap_copy(LX4_CAP_SELF_TASK, b, ep, LX4_R_SEND, 0x77), 0);
	lx4_cap_t irq = rtc_irq(b);
	rtc_periodic(true);
	uint64_t t0 = now_ns();
	for (unsigned i = 0; i < 50; i++) {
		recv_irq(ep, 0x77, 500 * MS);
		rtc_ack();
		KEXPECT_EQ(lx4_irq_ack(irq), 0);
	}
	uint64_t dt = now_ns() - t0;
	rtc_periodic(false);
	/* 1024 Hz: 49 periods are 47.9 ms; the emulated clock may catch up on
	 * late ticks, so only insist that every message needed a new tick */
	if (dt < 25 * MS)
		ktest_fail(__FILE__, __LINE__, "50 interrupts in %lu ns", dt);
	KASSERT(dt < 2000 * MS);
}

static volatile uint64_t rx_count, rx_bad;
static lx4_cap_t rx_irq;

static void irq_server(uint64_t ep)
{
	struct lx4_msg m;
	while (rx_count < 20) {
		if (lx4_recv(ep, &m, 1000 * MS) || lx4_tag_label(m.tag) != LX4_LABEL_IRQ || m.mr[0] != RTC_IRQ)
			rx_bad++;
		rx_count++;
		rtc_ack();
		lx4_irq_ack(rx_irq);
	}
}

static volatile uint64_t spin_count;
static void spinner(uint64_t arg)
{
	(void)arg;
	for (;;)
		spin_count++;
}

/* a driver thread above a busy thread gets every interrupt */
KTEST(irq_driver_thread_preempts)
{
	lx4_cap_t ep = ep_new();
	rx_count = rx_bad = spin_count = 0;
	rx_irq = rtc_irq(ep);
	lx4_cap_t s = thread_spawn(spinner, 0, 80, true);
	thread_spawn(irq_server, ep, 90, true);
	rtc_periodic(true);
	uint64_t t0 = now_ns();
	while (rx_count < 20 && now_ns() - t0 < 2000 * MS)
		sleep_ns(5 * MS);
	rtc_periodic(false);
	KEXPECT_EQ(rx_count, 20);
	KEXPECT_EQ(rx_bad, 0);
	KASSERT(spin_count > 0);
	KEXPECT_EQ(lx4_cap_destroy(s), 0);
}
