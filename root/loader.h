/* Loading native ELF programs into fresh tasks, and tearing them down. */
#ifndef ROOT_LOADER_H
#define ROOT_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROG_MAX_FRAMES 8192

struct program {
	uint32_t task, thread; /* root cap slots */
	uint32_t parent_cap;   /* the badged endpoint cap given to it */
	uint64_t frames[PROG_MAX_FRAMES]; /* frames the root gave it */
	unsigned nframes;
};

struct program_opts {
	uint64_t quota_pages; /* kernel memory */
	uint64_t badge;
	uint32_t ep;    /* the root endpoint: pager, handler and parent cap */
	unsigned prio;
	bool devices; /* give it the RTC ports and the IRQ control cap */
	bool stopped; /* leave its thread stopped (exregs START runs it) */
	unsigned stack_pages; /* 0: TP_STACK_PAGES */
	uint32_t cap_slots;   /* 0: 1024 */
	uint64_t arg0, arg1;
};

/* loads the ELF image into a new task and starts its thread; 0 or <0 */
int program_start(struct program *p, const void *img, size_t size, const struct program_opts *o);
/* maps a fresh zeroed frame at va (page fault service); 0 or <0 */
int program_give_page(struct program *p, uint64_t va);
/* destroys the task and thread, returns the frames */
void program_destroy(struct program *p);

#endif
