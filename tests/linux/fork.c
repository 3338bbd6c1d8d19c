/* fork, wait4, pipes: a child writes into a pipe and exits; the parent
 * reads, reaps it and checks the status; a grandchild is reaped too. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int counter = 100;

int main(void)
{
	int fd[2];
	if (pipe(fd)) {
		perror("pipe");
		return 1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		close(fd[0]);
		counter++; /* the parent's copy stays */
		char msg[64];
		int n = snprintf(msg, sizeof msg, "child counter %d\n", counter);
		write(fd[1], msg, (size_t)n);
		_exit(7);
	}
	close(fd[1]);
	char buf[128];
	ssize_t n, total = 0;
	while ((n = read(fd[0], buf + total, sizeof buf - 1 - (size_t)total)) > 0)
		total += n;
	buf[total] = 0;
	printf("parent read: %s", buf);
	int st;
	pid_t w = waitpid(pid, &st, 0);
	printf("waited for the child: %s, exited %d, status %d\n", w == pid ? "yes" : "no", WIFEXITED(st),
	       WEXITSTATUS(st));
	printf("parent counter %d\n", counter);
	printf("no more children: %s\n", waitpid(-1, &st, WNOHANG) < 0 ? "yes" : "no");
	for (int i = 0; i < 5; i++) {
		pid_t c = fork();
		if (c == 0)
			_exit(i);
		waitpid(c, &st, 0);
		printf("child %d exited %d\n", i, WEXITSTATUS(st));
	}
	return 0;
}
