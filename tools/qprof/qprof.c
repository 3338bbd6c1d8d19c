/*
 * qprof: a QEMU TCG plugin that counts how often each translated block of
 * the guest runs, for tools/qprof.py (which turns the counts into guest
 * instructions per function).  QEMU 7.2, plugin API version 1.
 *
 *   qemu-system-x86_64 ... -plugin qprof.so,out=FILE
 *
 * At exit FILE gets one line per translation: "vaddr instructions count".
 * The same address may appear several times (a block translated again, or
 * the same address in several address spaces); the reader adds them up.
 * The counters are inline adds in the translated code: no call per block.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the parts of QEMU's plugin API (include/qemu/qemu-plugin.h) used here */
typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
typedef struct qemu_info_t qemu_info_t;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op, void *ptr,
					      uint64_t imm);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);

#define EXPORT __attribute__((visibility("default")))
EXPORT int qemu_plugin_version = 1;

struct block {
	uint64_t count; /* first: the inline add's target */
	uint64_t vaddr;
	uint64_t insns;
};

/* blocks are allocated in chunks that never move (the translated code
 * holds their addresses) */
#define CHUNK 65536
struct chunk {
	struct chunk *next;
	unsigned used;
	struct block b[CHUNK];
};
static struct chunk *chunks;
static char *out_path;

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	(void)id;
	if (!chunks || chunks->used == CHUNK) {
		struct chunk *c = calloc(1, sizeof *c);
		if (!c)
			return;
		c->next = chunks;
		chunks = c;
	}
	struct block *b = &chunks->b[chunks->used++];
	b->vaddr = qemu_plugin_tb_vaddr(tb);
	b->insns = qemu_plugin_tb_n_insns(tb);
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &b->count, 1);
}

static void at_end(qemu_plugin_id_t id, void *p)
{
	(void)id;
	(void)p;
	FILE *f = fopen(out_path, "w");
	if (!f)
		return;
	for (struct chunk *c = chunks; c; c = c->next)
		for (unsigned i = 0; i < c->used; i++)
			if (c->b[i].count)
				fprintf(f, "%llx %llu %llu\n", (unsigned long long)c->b[i].vaddr,
					(unsigned long long)c->b[i].insns, (unsigned long long)c->b[i].count);
	fclose(f);
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
	(void)info;
	for (int i = 0; i < argc; i++)
		if (!strncmp(argv[i], "out=", 4))
			out_path = strdup(argv[i] + 4);
	if (!out_path)
		return 1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, at_end, NULL);
	return 0;
}
