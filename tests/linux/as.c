#define _GNU_SOURCE
/*
 * as UID GID PROGRAM [ARGS...]: runs PROGRAM as user UID of group GID
 * with no supplementary groups (setgroups, setresgid, setresuid, then
 * exec: no fork), so that a differential case can run as `nobody` on lx4
 * and on Linux alike (tests/linux/cases.py: nobody()).
 */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	if (argc < 4) {
		fputs("usage: as UID GID PROGRAM [ARGS...]\n", stderr);
		return 2;
	}
	uid_t uid = (uid_t)strtoul(argv[1], NULL, 10);
	gid_t gid = (gid_t)strtoul(argv[2], NULL, 10);
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid)) {
		perror("as");
		return 1;
	}
	execve(argv[3], argv + 3, environ);
	perror(argv[3]);
	return 127;
}
