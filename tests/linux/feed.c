/*
 * feed FILE PROGRAM [ARGS...]: runs PROGRAM with FILE as its standard
 * input, for the programs that read only standard input (tr) while there is
 * no shell to redirect (no fork).  Opens, dup2s and execs: no fork.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	if (argc < 3) {
		fputs("usage: feed FILE PROGRAM [ARGS...]\n", stderr);
		return 2;
	}
	int fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	if (fd != 0 && (dup2(fd, 0) < 0 || close(fd) < 0)) {
		perror("dup2");
		return 1;
	}
	execve(argv[2], argv + 2, environ);
	perror(argv[2]);
	return 127;
}
