/*
 * /proc/sys: the files' modes and values, root's writes (Linux's parsing:
 * bounds, bases, white space, a write at an offset ignored) and their
 * effect (kernel.pid_max on fork's pids, fs.pipe-max-size on
 * F_SETPIPE_SZ, fs.nr_open on RLIMIT_NOFILE, fs.file-max on the open
 * files of the whole system), and what a user without
 * privileges may not do.  Every value changed is put back.
 */
#define _GNU_SOURCE /* F_SETPIPE_SZ */
#include <stdbool.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "sysctl.h"

#define PID_MAX  "/proc/sys/kernel/pid_max"
#define PIPE_MAX "/proc/sys/fs/pipe-max-size"

/* files whose value is the same on both systems, and files whose value
 * is only a number */
static const char *const same[] = {
    "kernel/pid_max",       "kernel/tainted",      "kernel/ngroups_max",   "kernel/cap_last_cap",
    "kernel/ostype",        "fs/pipe-max-size",    "fs/nr_open",           "vm/max_map_count",
    "vm/overcommit_memory", "vm/overcommit_ratio", "vm/overcommit_kbytes",
};
static const char *const numbers[] = {"kernel/threads-max", "fs/file-max"};
static const char *const names[] = {"kernel/hostname", "kernel/domainname", "kernel/osrelease", "kernel/version"};

static void show(const char *name, bool value)
{
	char path[128], buf[256];
	struct stat st;
	snprintf(path, sizeof path, "/proc/sys/%s", name);
	if (stat(path, &st)) {
		say("%s: -1 %s\n", name, errname(errno));
		return;
	}
	sysctl_get(path, buf, sizeof buf);
	say("%s: mode %o uid %u size %ld", name, st.st_mode, st.st_uid, (long)st.st_size);
	if (value)
		say(" value %s\n", buf);
	else
		say(" a number: %s\n", buf[0] && strspn(buf, "0123456789") == strlen(buf) ? "yes" : "no");
}

static void listing(void)
{
	say("-- modes and values\n");
	for (unsigned i = 0; i < sizeof same / sizeof same[0]; i++)
		show(same[i], true);
	for (unsigned i = 0; i < sizeof numbers / sizeof numbers[0]; i++)
		show(numbers[i], false);
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
		char path[128];
		struct stat st;
		snprintf(path, sizeof path, "/proc/sys/%s", names[i]);
		say("%s: ", names[i]);
		T(stat(path, &st) ? -1 : (long)st.st_mode);
	}
	T(open("/proc/sys/kernel/ngroups_max", O_WRONLY));
	T(open("/proc/sys/kernel/cap_last_cap", O_RDWR));
	T(open("/proc/sys/kernel/osrelease", O_WRONLY));
}

static void parse(void)
{
	say("-- writes\n");
	char buf[64];
	static const char *const texts[] = {
	    "300",    "301", "4194304", "4194305", " 1000 \n", "0x400", "010", "12abc",
	    "  ",     "",    "-5",      "+500",    "500 600",  "1e3",   "0x",  "99999999999999999999",
	    "32768\n"};
	for (unsigned i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		char what[64];
		snprintf(what, sizeof what, "write \"%s\"", texts[i]);
		TN(what, sysctl_put(PID_MAX, texts[i]));
		say("pid_max: %s\n", sysctl_get(PID_MAX, buf, sizeof buf));
	}
	/* the second write of one open is at an offset: ignored */
	int fd = open(PID_MAX, O_WRONLY);
	T(write(fd, "2000", 4));
	T(write(fd, "3000", 4));
	T(lseek(fd, 0, SEEK_CUR));
	close(fd);
	say("pid_max: %s\n", sysctl_get(PID_MAX, buf, sizeof buf));
	T(write(-1, "1", 1));
	fd = open(PID_MAX, O_WRONLY);
	T(write(fd, BAD_USER, 4));
	close(fd);
	T(sysctl_put(PID_MAX, "32768"));
	T(sysctl_put("/proc/sys/kernel/tainted", "0"));
	T(sysctl_put("/proc/sys/kernel/tainted", "-1"));
	T(sysctl_put("/proc/sys/kernel/threads-max", "0"));
	char old[64];
	sysctl_get("/proc/sys/fs/file-max", old, sizeof old);
	T(sysctl_put("/proc/sys/fs/file-max", "100000"));
	say("file-max: %s\n", sysctl_get("/proc/sys/fs/file-max", buf, sizeof buf));
	T(sysctl_put("/proc/sys/fs/file-max", "-1"));
	T(sysctl_put("/proc/sys/fs/file-max", old));
	T(sysctl_put("/proc/sys/vm/overcommit_kbytes", "1000"));
	say("overcommit_ratio: %s\n", sysctl_get("/proc/sys/vm/overcommit_ratio", buf, sizeof buf));
	T(sysctl_put("/proc/sys/vm/overcommit_ratio", "50"));
	say("overcommit_kbytes: %s\n", sysctl_get("/proc/sys/vm/overcommit_kbytes", buf, sizeof buf));
}

/* fork's pids stay below pid_max and wrap around to the low ones */
static void pid_wrap(void)
{
	say("-- kernel.pid_max\n");
	char buf[32];
	int max = getpid() + 50 > 400 ? getpid() + 50 : 400;
	snprintf(buf, sizeof buf, "%d", max);
	T(sysctl_put(PID_MAX, buf) > 0);
	int prev = 0, below = 1, wrapped = 0;
	for (int i = 0; i < 2 * max && !wrapped; i++) {
		pid_t c = fork();
		if (c == 0)
			_exit(0);
		if (c < 0) {
			say("fork: %s\n", errname(errno));
			break;
		}
		waitpid(c, NULL, 0);
		below &= c < max;
		wrapped = prev && c < prev;
		prev = c;
	}
	fact("every pid below pid_max", below);
	fact("the pids wrapped", wrapped);
	T(sysctl_put(PID_MAX, "32768"));
}

static void pipe_size(void)
{
	say("-- fs.pipe-max-size\n");
	char buf[32];
	static const char *const texts[] = {"100000", "0", "2147483648", "2147483649", "-1", "8192"};
	for (unsigned i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		char what[64];
		snprintf(what, sizeof what, "write \"%s\"", texts[i]);
		TN(what, sysctl_put(PIPE_MAX, texts[i]));
		say("pipe-max-size: %s\n", sysctl_get(PIPE_MAX, buf, sizeof buf));
	}
	int p[2];
	pipe(p);
	T(fcntl(p[0], F_SETPIPE_SZ, 65536 * 4)); /* (root: CAP_SYS_RESOURCE) */
	close(p[0]);
	close(p[1]);
	pid_t c = fork();
	if (c == 0) {
		if (syscall(SYS_setgid, 65534) || syscall(SYS_setuid, 65534))
			say("setuid failed\n");
		pipe(p);
		T(fcntl(p[0], F_SETPIPE_SZ, 4096));
		T(fcntl(p[0], F_SETPIPE_SZ, 16384));
		T(fcntl(p[0], F_SETPIPE_SZ, 8192));
		T(fcntl(p[0], F_GETPIPE_SZ));
		/* and the files are root's */
		T(open(PID_MAX, O_WRONLY));
		T(open("/proc/sys/kernel/tainted", O_RDWR));
		T(open("/proc/sys/vm/max_map_count", O_WRONLY));
		say("pid_max: %s\n", sysctl_get(PID_MAX, buf, sizeof buf));
		_exit(0);
	}
	waitpid(c, NULL, 0);
	T(sysctl_put(PIPE_MAX, "1048576"));
}

static void nr_open(void)
{
	say("-- fs.nr_open\n");
	char buf[32];
	T(sysctl_put("/proc/sys/fs/nr_open", "63"));
	T(sysctl_put("/proc/sys/fs/nr_open", "2048"));
	say("nr_open: %s\n", sysctl_get("/proc/sys/fs/nr_open", buf, sizeof buf));
	struct rlimit l = {64, 4096};
	T(setrlimit(RLIMIT_NOFILE, &l));
	T(sysctl_put("/proc/sys/fs/nr_open", "1048576"));
}

/* fs.file-max: past it a user's open is ENFILE and root's (CAP_SYS_ADMIN)
 * still succeeds; fs.file-nr counts the system's open files.  (Linux's
 * count is approximate by up to a per-CPU batch: the limit is set well
 * above it and the numbers are only bounded.) */
static void file_max(void)
{
	say("-- fs.file-max\n");
	char old[32], buf[96];
	struct stat st;
	sysctl_get("/proc/sys/fs/file-max", old, sizeof old);
	say("file-nr: mode %o\n", stat("/proc/sys/fs/file-nr", &st) ? 0 : st.st_mode);
	unsigned long nr, nfree, max;
	sysctl_get("/proc/sys/fs/file-nr", buf, sizeof buf);
	bool three = sscanf(buf, "%lu\t%lu\t%lu", &nr, &nfree, &max) == 3;
	say("file-nr: three numbers %s, free %lu, max is file-max %s\n", three ? "yes" : "no", three ? nfree : 9,
	    three && max == strtoul(old, NULL, 10) ? "yes" : "no");
	snprintf(buf, sizeof buf, "%lu", nr + 40);
	T(sysctl_put("/proc/sys/fs/file-max", buf) > 0);
	for (int root = 0; root < 2; root++) {
		pid_t c = fork();
		if (c == 0) {
			if (!root && (setgid(65534) || setuid(65534)))
				_exit(1);
			int n = 0, e = 0;
			while (n < 200) {
				if (open("/dev/null", O_RDONLY) < 0) {
					e = errno;
					break;
				}
				n++;
			}
			say("%s: opened %s, then %s\n", root ? "root" : "user", n >= 1 && n <= 100 ? "some" : n == 200 ? "all 200" : "?",
			    e ? errname(e) : "no error");
			_exit(0);
		}
		waitpid(c, NULL, 0);
	}
	T(sysctl_put("/proc/sys/fs/file-max", old) > 0);
	T(open("/proc/sys/fs/file-nr", O_WRONLY));
}

int main(void)
{
	listing();
	parse();
	pid_wrap();
	pipe_size();
	nr_open();
	file_max();
	return 0;
}
