/* The kernel command line. */
#include "lib.h"

char kernel_cmdline[128];

/* finds "name" or "name=value" as a whole word in the command line */
static const char *cmdline_find(const char *name)
{
	size_t l = strlen(name);
	for (const char *p = kernel_cmdline; *p;) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, name, l) && (p[l] == 0 || p[l] == ' ' || p[l] == '='))
			return p + l;
		while (*p && *p != ' ')
			p++;
	}
	return NULL;
}

bool cmdline_has(const char *name) { return cmdline_find(name) != NULL; }

bool cmdline_get(const char *name, uint64_t *value)
{
	const char *p = cmdline_find(name);
	if (!p || *p != '=')
		return false;
	uint64_t v = 0;
	for (p++; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	*value = v;
	return true;
}
