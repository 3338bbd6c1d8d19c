/*
 * /init of the Linux reference runs (tools/lx4 linux): mounts /proc, runs
 * the program named in /.lx4/argv with the environment of /.lx4/env, waits for it,
 * reports its end on QEMU's debug console the way lx4's server does
 * ("lx4: init exited with status N" / "lx4: init killed by signal N"),
 * and ends QEMU through isa-debug-exit.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_ARGS 64

static int read_list(const char *path, char *buf, size_t size, char **ptrs)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	int count = 0;
	for (ssize_t i = 0; i < n && count < MAX_ARGS; i += (ssize_t)strlen(buf + i) + 1)
		if (buf[i])
			ptrs[count++] = buf + i;
	ptrs[count] = NULL;
	return count;
}

static void debugcon(const char *s)
{
	for (; *s; s++)
		outb((unsigned char)*s, 0xe9);
}

int main(void)
{
	static char argbuf[8192], envbuf[8192];
	static char *argv[MAX_ARGS + 1], *envp[MAX_ARGS + 1];
	char line[128];
	if (!read_list("/.lx4/argv", argbuf, sizeof argbuf, argv)) {
		argv[0] = "/bin/sh";
		argv[1] = NULL;
	}
	read_list("/.lx4/env", envbuf, sizeof envbuf, envp);
	if (ioperm(0xe9, 1, 1) || ioperm(0xf4, 1, 1))
		return 1;
	if (chdir("/"))
		return 1;
	/* /proc as lx4's server has it from boot */
	if (mount("proc", "/proc", "proc", 0, NULL))
		return 1;
	pid_t pid = fork();
	if (pid == 0) {
		execve(argv[0], argv, envp);
		_exit(127);
	}
	int st = 0;
	while (pid > 0 && waitpid(pid, &st, 0) < 0)
		;
	if (WIFSIGNALED(st))
		snprintf(line, sizeof line, "lx4: init killed by signal %d\n", WTERMSIG(st));
	else
		snprintf(line, sizeof line, "lx4: init exited with status %d\n", WEXITSTATUS(st));
	debugcon(line);
	outb(0, 0xf4);
	for (;;)
		pause();
}
