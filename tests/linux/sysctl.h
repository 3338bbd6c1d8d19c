/*
 * /proc/sys from the tests: a file's text, and a write of some (each
 * through its own open, at offset 0, as `echo N > file` does).
 */
#ifndef LX4_TESTS_SYSCTL_H
#define LX4_TESTS_SYSCTL_H

#include <fcntl.h>

#include "check.h"

/* the first line of path (without its newline) into buf, or "" */
static inline const char *sysctl_get(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	long n = fd < 0 ? -1 : read(fd, buf, size - 1);
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	char *nl = strchr(buf, '\n');
	if (nl)
		*nl = 0;
	return buf;
}

/* writes text to path: the write's result (-1 and errno on an error) */
static inline long sysctl_put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	long n = write(fd, text, strlen(text));
	int e = errno;
	close(fd);
	errno = e;
	return n;
}

#endif
