/* Range-list arithmetic for boot memory (pure code, host-tested). */
#include "boot.h"

bool ranges_remove(struct boot_range *r, unsigned *n, unsigned max, paddr_t base, paddr_t size)
{
	paddr_t end = base + size;
	for (unsigned i = 0; i < *n; i++) {
		paddr_t rb = r[i].base, re = r[i].base + r[i].size;
		if (end <= rb || base >= re)
			continue;
		if (base > rb && end < re) { /* split in two */
			if (*n == max)
				return false;
			for (unsigned j = *n; j > i + 1; j--)
				r[j] = r[j - 1];
			(*n)++;
			r[i].size = base - rb;
			r[i + 1].base = end;
			r[i + 1].size = re - end;
			return true;
		}
		if (base <= rb && end >= re) { /* all of it */
			for (unsigned j = i; j + 1 < *n; j++)
				r[j] = r[j + 1];
			(*n)--;
			i--;
			continue;
		}
		if (base <= rb) { /* the front */
			r[i].base = end;
			r[i].size = re - end;
		} else { /* the back */
			r[i].size = base - rb;
		}
	}
	return true;
}
