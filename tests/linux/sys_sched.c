/*
 * What a process keeps about itself: nice values (getpriority,
 * setpriority, /proc/PID/stat), I/O priorities (ioprio_get, ioprio_set),
 * CPU affinity, the execution domain (personality and what uname shows),
 * its ids and capabilities as root (getresuid, getresgid, capget), and
 * unshare of what it already has to itself; what children inherit; and
 * how the kernel's log is read (syslog).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdlib.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "check.h"

#define IOPRIO_WHO_PROCESS  1
#define IOPRIO_WHO_PGRP     2
#define IOPRIO_WHO_USER     3
#define IOPRIO(class, data) (((class) << 13) | (data))

/* the priority and nice fields of /proc/PID/stat (18 and 19) */
static void stat_nice(const char *what, pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof buf, f)) {
		say("%s: no stat\n", what);
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
	char *p = strrchr(buf, ')') + 2;
	long v[20];
	for (int i = 0; i < 17; i++) /* fields 3 to 19 */
		v[i] = strtol(p + (i ? 0 : 1), &p, 10);
	say("%s: priority %ld nice %ld\n", what, v[15], v[16]);
}

static void nice_values(void)
{
	say("-- nice\n");
	T(getpriority(PRIO_PROCESS, 0));
	stat_nice("at start", getpid());
	T(setpriority(PRIO_PROCESS, 0, 5));
	T(getpriority(PRIO_PROCESS, 0));
	T(syscall(SYS_getpriority, PRIO_PROCESS, 0));
	stat_nice("nice 5", getpid());
	T(setpriority(PRIO_PROCESS, getpid(), 100));
	T(getpriority(PRIO_PROCESS, 0));
	T(setpriority(PRIO_PROCESS, 0, -100));
	T(syscall(SYS_getpriority, PRIO_PROCESS, 0));
	stat_nice("nice -100", getpid());
	T(setpriority(PRIO_PROCESS, 0, 0));
	T(nice(3));
	T(getpriority(PRIO_PROCESS, 0));
	pid_t child = fork();
	if (child == 0) {
		/* inherited; the child goes on its own */
		_exit(getpriority(PRIO_PROCESS, 0) == 3 && setpriority(PRIO_PROCESS, 0, 10) == 0 ? 0 : 1);
	}
	int st;
	waitpid(child, &st, 0);
	say("the child: %d\n", WEXITSTATUS(st));
	T(getpriority(PRIO_PROCESS, 0));
	/* a process group */
	child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	T(setpgid(child, child));
	T(setpriority(PRIO_PGRP, child, 7));
	T(getpriority(PRIO_PGRP, child));
	T(syscall(SYS_getpriority, PRIO_PGRP, child));
	T(getpriority(PRIO_PROCESS, child));
	stat_nice("the group's process", child);
	T(getpriority(PRIO_PROCESS, 0));
	T(setpriority(PRIO_PGRP, 0, 0));
	T(getpriority(PRIO_PROCESS, child));
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	T(getpriority(PRIO_PROCESS, 0));
	/* errors */
	T(getpriority(3, 0));
	T(setpriority(-1, 0, 0));
	T(getpriority(PRIO_PROCESS, 99999));
	T(setpriority(PRIO_PROCESS, 99999, 0));
	T(getpriority(PRIO_PGRP, 99999));
	T(setpriority(PRIO_PGRP, 99999, 0));
	T(getpriority(PRIO_USER, 4242));
	T(setpriority(PRIO_USER, 4242, 0));
	T(setpriority(PRIO_PROCESS, 0, 0));
}

static void io_priorities(void)
{
	say("-- ioprio\n");
	T(syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0));
	T(syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO(2, 5)));
	T(syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0));
	T(syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO(1, 0)));
	T(syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, getpid()));
	T(syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO(3, 7)));
	T(syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0));
	pid_t child = fork();
	if (child == 0)
		_exit(syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0) == IOPRIO(3, 7) ? 0 : 1);
	int st;
	waitpid(child, &st, 0);
	say("the child inherits it: %s\n", WEXITSTATUS(st) == 0 ? "yes" : "no");
	T(syscall(SYS_ioprio_set, IOPRIO_WHO_PGRP, 0, IOPRIO(2, 4)));
	T(syscall(SYS_ioprio_get, IOPRIO_WHO_PGRP, 0));
	T(syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO(0, 0)));
	T(syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0));
	T(syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO(2, 8)));
	T(syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0));
	T(syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO(1, 15)));
	T(syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0));
	T(syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO(0, 8)));
	T(syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0));
	T(syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO(0, 1)));
	T(syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO(4, 0)));
	T(syscall(SYS_ioprio_set, 0, 0, IOPRIO(2, 0)));
	T(syscall(SYS_ioprio_get, 4, 0));
	T(syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 99999));
	T(syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 99999, IOPRIO(2, 0)));
	T(syscall(SYS_ioprio_get, IOPRIO_WHO_PGRP, 99999));
	T(syscall(SYS_ioprio_get, IOPRIO_WHO_USER, 4242));
}

static void affinity(void)
{
	say("-- affinity\n");
	unsigned long mask[4] = {0};
	T(syscall(SYS_sched_getaffinity, 0, sizeof mask, mask));
	say("mask %#lx\n", mask[0]);
	T(syscall(SYS_sched_getaffinity, getpid(), 8, mask));
	T(syscall(SYS_sched_getaffinity, 0, 4, mask));
	T(syscall(SYS_sched_getaffinity, 0, 12, mask));
	T(syscall(SYS_sched_getaffinity, 0, 0, mask));
	T(syscall(SYS_sched_getaffinity, 99999, 8, mask));
	T(syscall(SYS_sched_getaffinity, 0, 8, BAD_USER));
	unsigned long one = 1, two = 2, all = ~0ul;
	T(syscall(SYS_sched_setaffinity, 0, 8, &one));
	T(syscall(SYS_sched_setaffinity, 0, 8, &all));
	T(syscall(SYS_sched_getaffinity, 0, 8, mask));
	say("mask %#lx\n", mask[0]);
	T(syscall(SYS_sched_setaffinity, 0, 8, &two));
	T(syscall(SYS_sched_setaffinity, 0, 4, &one));
	T(syscall(SYS_sched_setaffinity, 99999, 8, &one));
	T(syscall(SYS_sched_setaffinity, 0, 8, BAD_USER));
	cpu_set_t set;
	CPU_ZERO(&set);
	T(sched_getaffinity(0, sizeof set, &set));
	say("CPUs: %d, CPU 0 in it: %s\n", CPU_COUNT(&set), CPU_ISSET(0, &set) ? "yes" : "no");
}

static void domains(void)
{
	say("-- personality\n");
	struct utsname u;
	T(personality(0xffffffff));
	T(personality(PER_LINUX32));
	T(personality(0xffffffff));
	uname(&u);
	say("PER_LINUX32: machine %s\n", u.machine);
	T(personality(PER_LINUX | ADDR_NO_RANDOMIZE));
	uname(&u);
	say("PER_LINUX: machine %s\n", u.machine);
	T(personality(PER_LINUX | UNAME26));
	uname(&u);
	say("UNAME26: release starts with 2.6.6: %s\n", strncmp(u.release, "2.6.6", 5) ? "no" : "yes");
	T(personality(PER_LINUX32 | READ_IMPLIES_EXEC));
	pid_t child = fork();
	if (child == 0) { /* fork keeps it, exec drops READ_IMPLIES_EXEC */
		char *argv[] = {"/tests/sys_sched", "after-exec", NULL};
		execve(argv[0], argv, NULL);
		_exit(127);
	}
	int st;
	waitpid(child, &st, 0);
	T(personality(PER_LINUX));
}

static void identity(void)
{
	say("-- ids and capabilities\n");
	unsigned r = 9, e = 9, s = 9;
	T(getresuid(&r, &e, &s));
	say("uids %u %u %u\n", r, e, s);
	r = e = s = 9;
	T(getresgid(&r, &e, &s));
	say("gids %u %u %u\n", r, e, s);
	T(syscall(SYS_getresuid, BAD_USER, &e, &s));
	T(syscall(SYS_getresgid, &r, &e, BAD_KERNEL));
	struct {
		unsigned version;
		int pid;
	} hdr = {0x20080522, 0};
	struct {
		unsigned eff, perm, inh;
	} data[2];
	T(syscall(SYS_capget, &hdr, data));
	say("v3: effective %08x %08x permitted %08x %08x inheritable %x %x\n", data[0].eff, data[1].eff, data[0].perm,
	    data[1].perm, data[0].inh, data[1].inh);
	hdr.version = 0x19980330;
	memset(data, 0, sizeof data);
	T(syscall(SYS_capget, &hdr, data));
	say("v1: effective %08x, the second set untouched: %s\n", data[0].eff, data[1].eff == 0 ? "yes" : "no");
	hdr.version = 0x20071026;
	T(syscall(SYS_capget, &hdr, data));
	hdr.version = 1234;
	T(syscall(SYS_capget, &hdr, data));
	say("the version written back: %#x\n", hdr.version);
	hdr.version = 1234;
	T(syscall(SYS_capget, &hdr, NULL));
	say("the version written back: %#x\n", hdr.version);
	T(syscall(SYS_capget, &hdr, NULL));
	hdr.pid = getppid();
	T(syscall(SYS_capget, &hdr, data));
	hdr.pid = 99999;
	T(syscall(SYS_capget, &hdr, data));
	hdr.pid = -1;
	T(syscall(SYS_capget, &hdr, data));
	hdr.pid = 0;
	T(syscall(SYS_capget, BAD_USER, data));
	T(syscall(SYS_capget, &hdr, BAD_USER));

	T(prctl(PR_CAPBSET_READ, 0, 0, 0, 0));
	T(prctl(PR_CAPBSET_READ, 40, 0, 0, 0));
	T(prctl(PR_CAPBSET_READ, 41, 0, 0, 0));
	T(prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
	T(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
	T(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, 21, 0, 0));
	T(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, 21, 0, 0));
	T(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, 21, 0, 0));
	T(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0));
	T(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 1, 0, 0));
	T(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, 41, 0, 0));
	T(prctl(PR_CAP_AMBIENT, 9, 21, 0, 0));

	say("-- unshare\n");
	T(unshare(0));
	T(unshare(CLONE_FILES | CLONE_FS | CLONE_SYSVSEM));
	T(unshare(CLONE_VM | CLONE_SIGHAND | CLONE_THREAD));
	T(unshare(CLONE_VFORK));
	T(unshare(0x1));
}

/* the kernel's log through syslog(2): what it holds differs (the
 * server's messages on lx4), how it is read does not */
static void kernel_log(void)
{
	say("-- syslog\n");
	static char buf[65536];
	long size = syscall(SYS_syslog, 10, NULL, 0);
	fact("SIZE_BUFFER > 0", size > 0);
	long n = syscall(SYS_syslog, 3, buf, sizeof buf);
	fact("READ_ALL: records that start with <level>[time]", n >= 0 && (n == 0 || (buf[0] == '<' && buf[3] == '[')));
	fact("READ_ALL: whole lines", n == 0 || buf[n - 1] == '\n');
	fact("SIZE_UNREAD >= 0", syscall(SYS_syslog, 9, NULL, 0) >= 0);
	T(syscall(SYS_syslog, 3, buf, 0));
	T(syscall(SYS_syslog, 3, buf, -1));
	T(syscall(SYS_syslog, 3, NULL, 10));
	T(syscall(SYS_syslog, 3, BAD_KERNEL, 10));
	T(syscall(SYS_syslog, 2, buf, -1));
	T(syscall(SYS_syslog, 0, NULL, 0));
	T(syscall(SYS_syslog, 1, NULL, 0));
	T(syscall(SYS_syslog, 6, NULL, 0));
	T(syscall(SYS_syslog, 7, NULL, 0));
	T(syscall(SYS_syslog, 8, NULL, 0));
	T(syscall(SYS_syslog, 8, NULL, 9));
	T(syscall(SYS_syslog, 8, NULL, 4));
	T(syscall(SYS_syslog, 8, NULL, 7));
	T(syscall(SYS_syslog, 11, NULL, 0));
	T(syscall(SYS_syslog, -1, NULL, 0));
	T(syscall(SYS_syslog, 5, NULL, 0));
	T(syscall(SYS_syslog, 3, buf, sizeof buf));
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "after-exec")) {
		struct utsname u;
		uname(&u);
		say("after exec: personality %#x, machine %s\n", personality(0xffffffff), u.machine);
		return 0;
	}
	nice_values();
	io_priorities();
	affinity();
	domains();
	identity();
	kernel_log();
	say("done\n");
	return 0;
}
