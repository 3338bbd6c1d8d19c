/*
 * Force-included (-include) ahead of every file of the Linux server built
 * for the host unit tests (server/, lib/fmt.c, lib/elf.c, srv_harness.c):
 * the server keeps its own freestanding string functions (lib/fmt.c), under
 * fmt_ names so that they link beside libc's (fmt_rename.h), called as
 * functions rather than through the compiler's builtins (LX4_FMT_IMPL:
 * a builtin that is not inlined would call libc's); its printf is the fake
 * platform's (fake_platform.c), so that the log does not go into the TAP
 * output and libcmocka's printf stays libc's.
 */
#ifndef SRV_HOST_H
#define SRV_HOST_H

#include "fmt_rename.h"

#define LX4_FMT_IMPL
/* (function-like, so that format(printf, ...) attributes keep their word) */
#define printf(...) fake_printf(__VA_ARGS__)

#endif
