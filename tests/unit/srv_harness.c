/*
 * The server on the fake platform (see srv_harness.h).  Built as the
 * server's own files are (freestanding, srv_host.h), it uses only what
 * the server's headers offer, as main.c and exec.c do.
 */
#include "srv_harness.h"

#include "mem.h"
#include "proc.h"
#include "signal.h"
#include "vfs.h"
#include "vm.h"

/* ---- the small-object heap, counted (linked with --wrap) ---------------------- */

void *__real_mem_zalloc(size_t n);
void __real_mem_free(void *p);
char *__real_kstrdup(const char *s);

static long live_objects;
static uint64_t heap_pages; /* pages the heap took (it never gives one back) */

void *__wrap_mem_zalloc(size_t n)
{
	uint64_t before = pages_free();
	void *p = __real_mem_zalloc(n);
	heap_pages += before - pages_free();
	live_objects += p != NULL;
	return p;
}

char *__wrap_kstrdup(const char *s)
{
	uint64_t before = pages_free();
	char *p = __real_kstrdup(s);
	heap_pages += before - pages_free();
	live_objects += p != NULL;
	return p;
}

void __wrap_mem_free(void *p)
{
	live_objects -= p != NULL;
	__real_mem_free(p);
}

struct srv_host_mark srv_host_mark(void) { return (struct srv_host_mark){pages_free() + heap_pages, live_objects}; }

long srv_host_pages_leaked(const struct srv_host_mark *m) { return (long)(m->pages - (pages_free() + heap_pages)); }

long srv_host_objects_leaked(const struct srv_host_mark *m) { return live_objects - m->objects; }

/* ---- boot ------------------------------------------------------------------------------- */

void srv_host_boot(void)
{
	static bool up;
	if (up)
		return;
	up = true;
	const struct plat_boot *b = fake_boot(SRV_HOST_RAM);
	mem_init((uint64_t)b->ram, b->ram_size);
	vfs_init();
	dev_init();
	procfs_init();
	proc_alloc(); /* pid 1 */
}

/* ---- processes ---------------------------------------------------------------------------- */

int srv_host_spawn(void)
{
	struct proc *p = proc_alloc();
	struct lthread *t = p ? thread_alloc(p) : NULL;
	if (!t || plat_space_create(&p->space) || plat_thread_create(&t->plat, &p->space, (uint64_t)t->tid) ||
	    !(p->mm = mm_new()))
		return 0;
	p->cwd = vfs_root();
	vnode_get(p->cwd);
	memcpy(p->comm, "test", 5);
	signal_exec(p, t); /* the signal state exec leaves */
	uint64_t regs[PLAT_REG_COUNT] = {0};
	regs[PLAT_REG_RIP] = USER_RIP;
	regs[PLAT_REG_RSP] = USER_STACK;
	regs[PLAT_REG_RFLAGS] = 0x202;
	if (plat_thread_start(&t->plat, regs))
		return 0;
	long at = fake_sys((uint64_t)t->tid, __NR_mmap, USER_BASE, USER_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, (uint64_t)-1, 0);
	return at == (long)USER_BASE ? p->pid : 0;
}

void srv_host_reap(void)
{
	struct proc *init = proc_by_pid(1);
	for (struct proc *c = init->children, *next; c; c = next) {
		next = c->sib_next;
		if (c->state == P_ZOMBIE)
			proc_free(c);
	}
	proc_bury();
}

void srv_host_exit(int pid)
{
	struct proc *p = proc_by_pid(pid);
	if (p && p->state == P_LIVE && p->thread)
		fake_sys((uint64_t)pid, __NR_exit_group, 0);
	srv_host_reap();
}

/* ---- the processes' mappings against the server's view ------------------------------------- */

static bool mapping_ok(struct proc *p, uint64_t va, void *page, unsigned prot, char *why, size_t size)
{
	struct vma *v = vma_find(p->mm, va);
	if (!v) {
		snprintf(why, size, "pid %d maps %lx, in no VMA", p->pid, va);
		return false;
	}
	if (!page_valid(page) || !page_refs(page)) {
		snprintf(why, size, "pid %d maps %lx to page %p, which the server does not hold", p->pid, va, page);
		return false;
	}
	if ((prot & PROT_W) && !(v->flags & VMA_SHARED) && page_refs(page) != 1) {
		snprintf(why, size, "pid %d maps %lx writable to page %p, shared %u ways", p->pid, va, page,
			 page_refs(page));
		return false;
	}
	if ((prot & ~v->prot & (PROT_W | PROT_X))) {
		snprintf(why, size, "pid %d maps %lx with rights %u beyond its VMA's %u", p->pid, va, prot, v->prot);
		return false;
	}
	return true;
}

bool srv_host_mappings_ok(char *why, size_t size)
{
	proc_for_each(p) {
		if (p->state != P_LIVE || !p->mm)
			continue;
		unsigned h = fake_space_handle(&p->space);
		uint64_t va;
		void *page;
		unsigned prot;
		for (unsigned i = 0; fake_space_mapping(h, i, &va, &page, &prot); i++)
			if (!mapping_ok(p, va, page, prot, why, size))
				return false;
	}
	return true;
}
