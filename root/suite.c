/*
 * The suite runner.  Entry i of a suite image runs in a fresh task with
 * the root as its pager (a lazily paged heap) and exception handler.  It
 * reports TP_START (name) and TP_RESULT; a fault outside the heap, an
 * exception or a timeout fails it.  After each entry the root destroys
 * the task and checks that no kernel memory and no frame leaked.
 */
#include "suite.h"

#include <lx4/bootinfo.h>

#include "loader.h"
#include "lx4.h"
#include "mem.h"
#include "testproto.h"

static uint32_t ep;
static struct program prog;
#define QUOTA_PAGES 4096

static void msg_string(const struct lx4_msg *m, unsigned first, char *buf, size_t size)
{
	unsigned n = lx4_tag_untyped(m->tag);
	size_t len = 0;
	for (unsigned i = first; i < n && len + 8 < size; i++) {
		uint64_t w = i < LX4_MR_REGS ? m->mr[i] : lx4_utcb()->mr[i];
		memcpy(buf + len, &w, 8);
		len += 8;
	}
	buf[len] = 0;
}

enum outcome { RUNNING, PASSED, FAILED, SKIPPED, ENDED };

/* serves one message from the running entry; sets *reply when it wants one */
static enum outcome serve(struct lx4_msg *m, const char *filter, char *name, char *why, unsigned *count,
			  int *reply)
{
	uint64_t label = lx4_tag_label(m->tag);
	*reply = 0;
	if (label == LX4_LABEL_PAGEFAULT) {
		uint64_t addr = m->mr[0];
		if (addr >= TP_HEAP && addr < TP_HEAP + TP_HEAP_SIZE && program_give_page(&prog, addr) == 0) {
			m->tag = lx4_tag(0, 0, 0);
			*reply = 1;
			return RUNNING;
		}
		snprintf(why, 128, "page fault at %lx (access %lx, rip %lx)", addr, m->mr[1], m->mr[2]);
		return FAILED;
	}
	if (label == LX4_LABEL_EXCEPTION) {
		snprintf(why, 128, "exception %lu at rip %lx", lx4_utcb()->mr[LX4_EXC_MR_VECTOR], lx4_utcb()->mr[LX4_REG_RIP]);
		return FAILED;
	}
	if (label == TP_START) {
		*count = m->mr[0];
		msg_string(m, 1, name, 64);
		if (!name[0])
			return ENDED;
		/* MR0 = 1: skip (not selected by the filter) */
		m->mr[0] = filter[0] && strncmp(name, filter, strlen(filter)) != 0;
		m->tag = lx4_tag(0, 1, 0);
		*reply = 1;
		return RUNNING;
	}
	if (label == TP_RESULT) {
		msg_string(m, 1, why, 128);
		return m->mr[0] == 0 ? PASSED : m->mr[0] == 2 ? SKIPPED : FAILED;
	}
	snprintf(why, 128, "unexpected message label %lx", label);
	return FAILED;
}

/* runs entry i; returns ENDED when i is past the last entry */
static enum outcome run_one(const void *img, size_t size, unsigned i, const char *filter, bool devices,
			    uint64_t timeout_ns, char *name, char *why)
{
	struct program_opts o = {
		.quota_pages = QUOTA_PAGES, .badge = 0x1000 + i, .ep = ep, .prio = 100, .arg0 = i, .devices = devices};
	name[0] = why[0] = 0;
	int err = program_start(&prog, img, size, &o);
	if (err) {
		snprintf(why, 128, "could not start (%d)", err);
		program_destroy(&prog);
		return FAILED;
	}
	const struct lx4_kip *kip = (const struct lx4_kip *)LX4_ROOT_KIP;
	uint64_t deadline = lx4_kip_now_ns(kip) + timeout_ns;
	unsigned count = 0;
	struct lx4_msg m;
	enum outcome out = RUNNING;
	int reply = 0;
	while (out == RUNNING) {
		uint64_t now = lx4_kip_now_ns(kip);
		long e;
		if (now >= deadline)
			e = -LX4_ETIMEOUT;
		else if (reply)
			e = lx4_reply_recv(ep, &m, deadline - now);
		else
			e = lx4_recv(ep, &m, deadline - now);
		if (e == -LX4_ETIMEOUT) {
			snprintf(why, 128, "timed out");
			out = FAILED;
			break;
		}
		if (e) {
			snprintf(why, 128, "root receive failed (%ld)", e);
			out = FAILED;
			break;
		}
		if (m.badge != o.badge) { /* a late message from an earlier entry */
			reply = 0;
			continue;
		}
		out = serve(&m, filter, name, why, &count, &reply);
	}
	program_destroy(&prog);
	return out;
}

void suite_run(const char *sname, const void *img, size_t size, const char *filter, uint64_t timeout_ns,
	       struct suite_stats *st)
{
	char name[64], why[128];
	if (lx4_ep_create(ep = slot_alloc()))
		printf("[root] cannot create the suite endpoint\n");
	for (unsigned i = 0;; i++) {
		uint64_t kfree0 = lx4_kmem_free(), used0 = lx4_task_info(LX4_CAP_SELF_TASK).r2;
		uint64_t frames0 = frames_free();
		/* kernel tests get the RTC and the IRQ control cap; benchmarks
		 * nothing that would change what they measure */
		bool devices = !strcmp(sname, "ktest");
		enum outcome out = run_one(img, size, i, filter, devices, timeout_ns, name, why);
		if (out == ENDED)
			break;
		if (out == SKIPPED)
			continue;
		uint64_t kfree1 = lx4_kmem_free(), used1 = lx4_task_info(LX4_CAP_SELF_TASK).r2;
		uint64_t frames1 = frames_free();
		if (out == PASSED && (kfree1 != kfree0 || used1 != used0 || frames1 != frames0)) {
			snprintf(why, sizeof why, "leaked: kernel pages %ld, root quota %ld, frames %ld",
				 (long)(kfree0 - kfree1), (long)(used1 - used0), (long)(frames0 - frames1));
			out = FAILED;
		}
		if (out == PASSED) {
			st->passed++;
			printf("TEST PASS %s.%s\n", sname, name[0] ? name : "?");
		} else {
			st->failed++;
			printf("TEST FAIL %s.%s: %s\n", sname, name[0] ? name : "?", why);
		}
	}
	lx4_cap_destroy(ep);
	slot_free(ep);
}
