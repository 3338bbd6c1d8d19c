/*
 * The system's names (Linux's UTS name space, one for the whole server):
 * the host and domain names that sethostname and setdomainname change,
 * uname's and /proc/sys/kernel's.  Both are "(none)" at boot, as on Linux:
 * nothing reads /etc/hostname for the system.
 */
#ifndef SRV_UTS_H
#define SRV_UTS_H

#include <stddef.h>
#include <stdint.h>

#define UTS_LEN 64 /* Linux's __NEW_UTS_LEN: a name has at most this many bytes */

enum uts_name { UTS_HOSTNAME, UTS_DOMAINNAME };

/* the name (NUL-terminated, at most UTS_LEN bytes) */
const char *uts_get(enum uts_name which);
/* a write of n bytes of buf at offset *pos of the name's /proc/sys file:
 * Linux's proc_dostring with sysctl_writes_strict (the name is cut at
 * *pos, which may not lie beyond its end, and continued up to a newline
 * or NUL); *pos moves by n */
void uts_sysctl_write(enum uts_name which, const char *buf, size_t n, uint64_t *pos);

struct proc;
/* what an exec does to p's execution domain (personality) */
void uts_exec(struct proc *p);

#endif
