/* Freestanding string and formatting routines (lib/fmt.c), shared by the
 * kernel and user code. */
#ifndef LX4_FMT_H
#define LX4_FMT_H

#include <stdarg.h>
#include <stddef.h>

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strstr(const char *h, const char *n);
/* %d %i %u %x %o %p %s %c %%, width, '0' padding, 'l'/'ll'/'z' */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* -ffreestanding turns the compiler's own knowledge of these off: a copy
 * of a few bytes (a field read through memcpy) became a call.  Through
 * the builtins, small copies of known size are a move or two and the rest
 * calls the functions above. */
#ifndef LX4_FMT_IMPL
#define memset(d, c, n) __builtin_memset(d, c, n)
#define memcpy(d, s, n) __builtin_memcpy(d, s, n)
#define memcmp(a, b, n) __builtin_memcmp(a, b, n)
#define strlen(s) __builtin_strlen(s)
#endif

#endif
