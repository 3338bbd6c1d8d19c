/* Running a suite image: each entry in a fresh task, checked for leaks. */
#ifndef ROOT_SUITE_H
#define ROOT_SUITE_H

#include <stddef.h>
#include <stdint.h>

struct suite_stats {
	unsigned passed, failed;
};

/* runs every entry of the image (tests or benchmarks); only those whose
 * name starts with filter when filter is non-empty */
void suite_run(const char *name, const void *img, size_t size, const char *filter, uint64_t timeout_ns,
	       struct suite_stats *st);

#endif
