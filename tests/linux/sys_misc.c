/*
 * Process state and the rest: getpid, getppid, gettid, getuid and
 * friends, process groups and sessions, uname, the clocks
 * (clock_gettime, clock_getres, gettimeofday, time), nanosleep,
 * clock_nanosleep, set_tid_address, set_robust_list, prlimit64,
 * getrlimit, setrlimit, sched_yield, umask, sethostname and
 * setdomainname (and /proc/sys/kernel's names), rt_sigaction and
 * rt_sigprocmask (the state they keep), arch_prctl, and the exit status
 * of exit and exit_group (with an argument: "exit N" or "exit_group N").
 */
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include "check.h"

/* rt_sigaction's struct as the kernel has it */
struct ksigaction {
	unsigned long handler, flags, restorer, mask;
};

#define KSIG_RESTORER 0x04000000ul
#define ARCH_SET_GS   0x1001
#define ARCH_SET_FS   0x1002
#define ARCH_GET_FS   0x1003
#define ARCH_GET_GS   0x1004

static void handler(int sig)
{
	(void)sig;
}

static long nsec(const struct timespec *t)
{
	return t->tv_sec * 1000000000l + t->tv_nsec;
}

static void ids(void)
{
	say("-- identity\n");
	pid_t pid = getpid();
	fact("getpid() > 0", pid > 0);
	fact("getppid() < getpid()", getppid() < pid);
	fact("gettid() == getpid()", syscall(SYS_gettid) == pid);
	T(getuid());
	T(geteuid());
	T(getgid());
	T(getegid());
	/* the first process's group and session are the system's business
	 * (Linux's init has 0 and 0, lx4's is its own leader): facts only */
	fact("getpgid(0) == getpgrp()", getpgid(0) == getpgrp());
	fact("getpgid(getpid()) == getpgrp()", getpgid(pid) == getpgrp());
	fact("getsid(getpid()) == getsid(0)", getsid(pid) == getsid(0));
	T(getpgid(30000));
	T(getsid(30000));
	T(setpgid(0, -1));
	T(setpgid(30000, 0));
	/* a child starts in its parent's group and session and may make its own */
	pid_t child = fork();
	if (child == 0) {
		pid_t me = getpid();
		fact("child: in the parent's group", getpgrp() == getpgid(getppid()));
		fact("child: in the parent's session", getsid(0) == getsid(getppid()));
		fact("child: setsid() == getpid()", setsid() == me);
		fact("child: getpgrp() == getpid()", getpgrp() == me);
		fact("child: getsid(0) == getpid()", getsid(0) == me);
		T(setsid());
		T(setpgid(0, 0));
		_exit(0);
	}
	int st = -1;
	fact("the child ended well", waitpid(child, &st, 0) == child && st == 0);
	child = fork();
	if (child == 0) {
		pid_t me = getpid();
		T(setpgid(0, 0));
		fact("child: setpgid(0, 0) made its own group", getpgrp() == me && getsid(0) != me);
		T(setsid());
		_exit(0);
	}
	fact("the child ended well", waitpid(child, &st, 0) == child && st == 0);
	T(umask(0));
	T(umask(0777));
	T(umask(01777));
	T(umask(022));
	T(sched_yield());
}

/* the host or domain name as uname, and as /proc/sys/kernel shows it */
static void show_names(const char *what)
{
	struct utsname u;
	char h[128] = "", d[128] = "";
	int fd = open("/proc/sys/kernel/hostname", O_RDONLY);
	if (fd >= 0 && read(fd, h, sizeof h - 1) < 0)
		h[0] = 0;
	close(fd);
	fd = open("/proc/sys/kernel/domainname", O_RDONLY);
	if (fd >= 0 && read(fd, d, sizeof d - 1) < 0)
		d[0] = 0;
	close(fd);
	uname(&u);
	say("%s: nodename '%s' domainname '%s' /proc: '%.*s' '%.*s'\n", what, u.nodename, u.__domainname,
	    (int)strcspn(h, "\n"), h, (int)strcspn(d, "\n"), d);
}

/* a write to a file of /proc/sys/kernel at offset off */
static void sysctl_write(const char *name, const char *text, off_t off)
{
	char path[64], what[160];
	snprintf(path, sizeof path, "/proc/sys/kernel/%s", name);
	int fd = open(path, O_WRONLY);
	if (fd < 0) {
		say("open %s = -1 %s\n", path, errname(errno));
		return;
	}
	lseek(fd, off, SEEK_SET);
	snprintf(what, sizeof what, "write '%s' at %ld to %s", text, (long)off, name);
	TN(what, write(fd, text, strlen(text)));
	close(fd);
}

static void host_names(void)
{
	char name[80];
	memset(name, 'h', sizeof name);
	show_names("at boot");
	T(sethostname("lx4test", 7));
	show_names("sethostname");
	T(setdomainname("example.org", 11));
	show_names("setdomainname");
	T(sethostname(name, 64));
	show_names("64 bytes");
	T(sethostname(name, 65));
	T(sethostname(name, -1));
	T(setdomainname(name, 65));
	T(sethostname("ab\0cd", 5));
	show_names("a NUL within");
	T(sethostname(BAD_USER, 5));
	T(setdomainname(BAD_KERNEL, 5));
	show_names("after EFAULT");
	T(sethostname(BAD_USER, 0));
	show_names("length 0");
	sysctl_write("hostname", "viaproc\nrest", 0);
	show_names("/proc/sys/kernel/hostname");
	sysctl_write("hostname", "-more", 7);
	show_names("a write at the end");
	sysctl_write("hostname", "X", 2);
	show_names("a write within");
	sysctl_write("hostname", "far", 50);
	show_names("a write beyond the end");
	memset(name, 'p', sizeof name - 1);
	name[sizeof name - 1] = 0;
	sysctl_write("domainname", name, 0);
	show_names("a long write");
	sysctl_write("domainname", "", 0);
	show_names("an empty write");
	sysctl_write("domainname", "\n", 0);
	show_names("a newline");
	sysctl_write("ostype", "x", 0);
	struct stat st;
	T(stat("/proc/sys/kernel/hostname", &st));
	say("hostname: mode %o\n", st.st_mode & 07777);
	T(stat("/proc/sys/kernel/domainname", &st));
	say("domainname: mode %o\n", st.st_mode & 07777);
}

static void names(void)
{
	say("-- uname\n");
	struct utsname u;
	T(uname(&u));
	say("sysname %s\n", u.sysname);
	say("nodename %s\n", u.nodename);
	say("machine %s\n", u.machine);
	say("domainname %s\n", u.__domainname);
	fact("release starts with a digit and has a dot",
	     u.release[0] >= '0' && u.release[0] <= '9' && strchr(u.release, '.') != NULL);
	fact("version is set", u.version[0] != 0);
	T(uname(BAD_USER));
	T(uname(BAD_KERNEL));
	host_names();
}

static void clocks(void)
{
	say("-- clocks\n");
	struct timespec a, b, r;
	static const struct {
		int id;
		const char *name;
	} ids[] = {{CLOCK_REALTIME, "REALTIME"},
		   {CLOCK_MONOTONIC, "MONOTONIC"},
		   {CLOCK_PROCESS_CPUTIME_ID, "PROCESS_CPUTIME_ID"},
		   {CLOCK_THREAD_CPUTIME_ID, "THREAD_CPUTIME_ID"},
		   {CLOCK_MONOTONIC_RAW, "MONOTONIC_RAW"},
		   {CLOCK_REALTIME_COARSE, "REALTIME_COARSE"},
		   {CLOCK_MONOTONIC_COARSE, "MONOTONIC_COARSE"},
		   {CLOCK_BOOTTIME, "BOOTTIME"},
		   {CLOCK_TAI, "TAI"}};
	for (unsigned i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		long r1 = syscall(SYS_clock_gettime, ids[i].id, &a);
		long r2 = syscall(SYS_clock_gettime, ids[i].id, &b);
		long r3 = syscall(SYS_clock_getres, ids[i].id, &r);
		say("clock %s: gettime %ld, not backwards %s, nsec in range %s, getres %ld: %ld s %ld ns\n",
		    ids[i].name, r1, r2 == 0 && nsec(&b) >= nsec(&a) ? "yes" : "no",
		    a.tv_nsec >= 0 && a.tv_nsec < 1000000000 ? "yes" : "no", r3, (long)r.tv_sec, r.tv_nsec);
	}
	T(syscall(SYS_clock_gettime, 100, &a));
	T(syscall(SYS_clock_gettime, 12, &a));
	T(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, BAD_USER));
	T(syscall(SYS_clock_gettime, CLOCK_REALTIME, BAD_KERNEL));
	T(syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL));
	T(syscall(SYS_clock_getres, 100, &r));
	T(syscall(SYS_clock_getres, CLOCK_MONOTONIC, BAD_USER));

	syscall(SYS_clock_gettime, CLOCK_REALTIME, &a);
	fact("the wall clock is after 2023", a.tv_sec > 1700000000);
	struct timeval tv;
	struct timezone tz = {99, 99};
	T(syscall(SYS_gettimeofday, &tv, &tz));
	fact("gettimeofday agrees with CLOCK_REALTIME", labs(tv.tv_sec - a.tv_sec) <= 1);
	fact("usec in range", tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	say("timezone %d %d\n", tz.tz_minuteswest, tz.tz_dsttime);
	T(syscall(SYS_gettimeofday, NULL, NULL));
	T(syscall(SYS_gettimeofday, BAD_USER, NULL));
	T(syscall(SYS_gettimeofday, &tv, BAD_KERNEL));
	time_t t1 = 0;
	long t0 = syscall(SYS_time, &t1);
	fact("time() agrees with CLOCK_REALTIME", labs(t0 - a.tv_sec) <= 1 && t0 == t1);
	fact("time(NULL) works", syscall(SYS_time, NULL) >= t0);
	T(syscall(SYS_time, BAD_USER));

	/* monotonic: many reads never go back */
	int back = 0;
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &a);
	for (int i = 0; i < 1000; i++) {
		syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b);
		back |= nsec(&b) < nsec(&a);
		a = b;
	}
	fact("1000 monotonic reads never went back", !back);
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &a);
	syscall(SYS_clock_gettime, CLOCK_BOOTTIME, &b);
	fact("BOOTTIME >= MONOTONIC", nsec(&b) >= nsec(&a));
}

static void sleeps(void)
{
	say("-- nanosleep, clock_nanosleep\n");
	struct timespec a, b, rem = {7, 7};
	struct timespec d = {0, 20000000};
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &a);
	T(syscall(SYS_nanosleep, &d, &rem));
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b);
	fact("slept at least 20 ms", nsec(&b) - nsec(&a) >= 20000000);
	fact("rem untouched", rem.tv_sec == 7 && rem.tv_nsec == 7);
	struct timespec zero = {0, 0};
	T(syscall(SYS_nanosleep, &zero, NULL));
	struct timespec bad1 = {0, 1000000000}, bad2 = {-1, 0}, bad3 = {0, -1};
	T(syscall(SYS_nanosleep, &bad1, NULL));
	T(syscall(SYS_nanosleep, &bad2, NULL));
	T(syscall(SYS_nanosleep, &bad3, NULL));
	T(syscall(SYS_nanosleep, BAD_USER, NULL));
	T(syscall(SYS_nanosleep, &zero, BAD_USER));

	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &a);
	T(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &d, NULL));
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b);
	fact("clock_nanosleep slept at least 20 ms", nsec(&b) - nsec(&a) >= 20000000);
	struct timespec until = b;
	until.tv_nsec += 20000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_nsec -= 1000000000;
		until.tv_sec++;
	}
	T(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL));
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &a);
	fact("TIMER_ABSTIME: woke at or after the deadline", nsec(&a) >= nsec(&until));
	T(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &zero, NULL));
	syscall(SYS_clock_gettime, CLOCK_REALTIME, &a);
	a.tv_nsec = 0;
	a.tv_sec -= 10;
	T(syscall(SYS_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, &a, NULL));
	T(syscall(SYS_clock_nanosleep, CLOCK_REALTIME, 0, &zero, NULL));
	T(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 2, &zero, NULL));
	T(syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &d, NULL));
	T(syscall(SYS_clock_nanosleep, 100, 0, &d, NULL));
	T(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &bad1, NULL));
	T(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, BAD_USER, NULL));
}

static void threads(void)
{
	say("-- set_tid_address, set_robust_list\n");
	int tidword = 0;
	fact("set_tid_address returns the tid", syscall(SYS_set_tid_address, &tidword) == getpid());
	fact("set_tid_address(NULL) too", syscall(SYS_set_tid_address, NULL) == getpid());
	static unsigned long head[3];
	head[0] = (unsigned long)head;
	T(syscall(SYS_set_robust_list, head, 24));
	T(syscall(SYS_set_robust_list, head, 23));
	T(syscall(SYS_set_robust_list, head, 48));
	unsigned long got = 0;
	size_t len = 0;
	T(syscall(SYS_get_robust_list, 0, &got, &len));
	fact("get_robust_list returns the list", got == (unsigned long)head && len == 24);
	T(syscall(SYS_get_robust_list, 30000, &got, &len));
	T(syscall(SYS_get_robust_list, 0, BAD_USER, &len));
	T(syscall(SYS_get_robust_list, 0, &got, BAD_USER));
}

static void show_limit(const char *name, int res)
{
	struct rlimit rl;
	if (getrlimit(res, &rl)) {
		say("%s: %s\n", name, errname(errno));
		return;
	}
	char cur[32], max[32];
	snprintf(cur, sizeof cur, rl.rlim_cur == RLIM_INFINITY ? "unlimited" : "%lu", (unsigned long)rl.rlim_cur);
	snprintf(max, sizeof max, rl.rlim_max == RLIM_INFINITY ? "unlimited" : "%lu", (unsigned long)rl.rlim_max);
	say("%s: %s %s\n", name, cur, max);
}

static void limits(void)
{
	say("-- limits\n");
	show_limit("RLIMIT_CPU", RLIMIT_CPU);
	show_limit("RLIMIT_FSIZE", RLIMIT_FSIZE);
	show_limit("RLIMIT_DATA", RLIMIT_DATA);
	show_limit("RLIMIT_STACK", RLIMIT_STACK);
	show_limit("RLIMIT_CORE", RLIMIT_CORE);
	show_limit("RLIMIT_RSS", RLIMIT_RSS);
	show_limit("RLIMIT_MEMLOCK", RLIMIT_MEMLOCK);
	show_limit("RLIMIT_AS", RLIMIT_AS);
	show_limit("RLIMIT_LOCKS", RLIMIT_LOCKS);
	show_limit("RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE);
	show_limit("RLIMIT_NICE", RLIMIT_NICE);
	show_limit("RLIMIT_RTPRIO", RLIMIT_RTPRIO);
	show_limit("RLIMIT_RTTIME", RLIMIT_RTTIME);
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	fact("RLIMIT_NOFILE: soft <= hard", rl.rlim_cur <= rl.rlim_max);
	struct rlimit set = {1000, 2000}, old;
	T(setrlimit(RLIMIT_CORE, &set));
	show_limit("RLIMIT_CORE after setrlimit", RLIMIT_CORE);
	set.rlim_cur = 3000;
	T(setrlimit(RLIMIT_CORE, &set));
	T(syscall(SYS_setrlimit, RLIMIT_CORE, BAD_USER));
	T(syscall(SYS_getrlimit, RLIMIT_CORE, BAD_USER));
	T(syscall(SYS_getrlimit, 16, &rl));
	T(syscall(SYS_getrlimit, -1, &rl));
	struct rlimit nf = {64, 2000000};
	T(setrlimit(RLIMIT_NOFILE, &nf));
	nf.rlim_max = 64;
	T(setrlimit(RLIMIT_NOFILE, &nf));
	show_limit("RLIMIT_NOFILE after setrlimit", RLIMIT_NOFILE);
	set = (struct rlimit){5000, 6000};
	T(syscall(SYS_prlimit64, 0, RLIMIT_CORE, &set, &old));
	say("prlimit64 old: %lu %lu\n", (unsigned long)old.rlim_cur, (unsigned long)old.rlim_max);
	T(syscall(SYS_prlimit64, getpid(), RLIMIT_CORE, NULL, &old));
	say("prlimit64 now: %lu %lu\n", (unsigned long)old.rlim_cur, (unsigned long)old.rlim_max);
	T(syscall(SYS_prlimit64, 30000, RLIMIT_CORE, NULL, &old));
	T(syscall(SYS_prlimit64, 0, 99, NULL, &old));
	T(syscall(SYS_prlimit64, 0, RLIMIT_CORE, NULL, NULL));
	T(syscall(SYS_prlimit64, 0, RLIMIT_CORE, BAD_USER, NULL));
	T(syscall(SYS_prlimit64, 0, RLIMIT_CORE, NULL, BAD_USER));
	set = (struct rlimit){7000, 6000};
	T(syscall(SYS_prlimit64, 0, RLIMIT_CORE, &set, NULL));
	T(syscall(SYS_prlimit64, 30000, 99, BAD_USER, NULL));
	T(syscall(SYS_setrlimit, 99, BAD_USER));
	set = (struct rlimit){100, 200};
	T(syscall(SYS_prlimit64, 0, RLIMIT_CORE, &set, BAD_USER));
	show_limit("RLIMIT_CORE set although the old one could not be stored", RLIMIT_CORE);
}

static void signals(void)
{
	say("-- rt_sigaction\n");
	struct ksigaction act, old;
	memset(&old, 0x55, sizeof old);
	T(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 8));
	say("initial: handler %lu flags %#lx mask %#lx\n", old.handler, old.flags, old.mask);
	act.handler = (unsigned long)handler;
	act.flags = SA_RESTART | SA_SIGINFO | KSIG_RESTORER;
	act.restorer = (unsigned long)handler;
	act.mask = (1ul << (SIGUSR2 - 1)) | (1ul << (SIGKILL - 1)) | (1ul << (SIGSTOP - 1));
	T(syscall(SYS_rt_sigaction, SIGUSR1, &act, NULL, 8));
	T(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 8));
	fact("the handler is kept", old.handler == (unsigned long)handler && old.restorer == (unsigned long)handler);
	say("flags %#lx mask %#lx\n", old.flags, old.mask);
	act.handler = (unsigned long)SIG_IGN;
	act.flags = 0xffffffff;
	act.mask = ~0ul;
	T(syscall(SYS_rt_sigaction, SIGUSR1, &act, &old, 8));
	fact("the old action came back", old.handler == (unsigned long)handler);
	T(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 8));
	say("all flags: handler %lu flags %#lx mask %#lx\n", old.handler, old.flags, old.mask);
	act.handler = (unsigned long)SIG_DFL;
	act.flags = 0;
	act.mask = 0;
	T(syscall(SYS_rt_sigaction, 0, &act, NULL, 8));
	T(syscall(SYS_rt_sigaction, 65, &act, NULL, 8));
	T(syscall(SYS_rt_sigaction, 64, &act, NULL, 8));
	T(syscall(SYS_rt_sigaction, SIGKILL, &act, NULL, 8));
	T(syscall(SYS_rt_sigaction, SIGSTOP, &act, NULL, 8));
	T(syscall(SYS_rt_sigaction, SIGKILL, NULL, &old, 8));
	T(syscall(SYS_rt_sigaction, SIGUSR1, &act, NULL, 4));
	T(syscall(SYS_rt_sigaction, SIGUSR1, &act, NULL, 16));
	T(syscall(SYS_rt_sigaction, SIGUSR1, BAD_USER, NULL, 8));
	T(syscall(SYS_rt_sigaction, 0, BAD_USER, NULL, 8));
	T(syscall(SYS_rt_sigaction, 0, NULL, BAD_USER, 8));
	T(syscall(SYS_rt_sigaction, SIGUSR1, NULL, BAD_KERNEL, 8));
	act.handler = (unsigned long)SIG_IGN;
	T(syscall(SYS_rt_sigaction, SIGUSR2, &act, BAD_USER, 8));
	T(syscall(SYS_rt_sigaction, SIGUSR2, NULL, &old, 8));
	fact("set although the old action could not be stored", old.handler == (unsigned long)SIG_IGN);
	T(syscall(SYS_rt_sigaction, SIGUSR2, NULL, NULL, 8));

	say("-- rt_sigprocmask\n");
	unsigned long set, oset = 0x55;
	T(syscall(SYS_rt_sigprocmask, SIG_SETMASK, NULL, &oset, 8));
	say("initial mask %#lx\n", oset);
	set = (1ul << (SIGUSR1 - 1)) | (1ul << (SIGKILL - 1)) | (1ul << (SIGSTOP - 1)) | (1ul << 40);
	T(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 8));
	T(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &oset, 8));
	say("after SIG_BLOCK %#lx\n", oset);
	set = 1ul << (SIGUSR2 - 1);
	T(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, &oset, 8));
	say("old %#lx\n", oset);
	set = 1ul << (SIGUSR1 - 1);
	T(syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, &oset, 8));
	T(syscall(SYS_rt_sigprocmask, SIG_SETMASK, NULL, &oset, 8));
	say("after SIG_UNBLOCK %#lx\n", oset);
	set = ~0ul;
	T(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &set, NULL, 8));
	T(syscall(SYS_rt_sigprocmask, SIG_SETMASK, NULL, &oset, 8));
	say("after SIG_SETMASK all %#lx\n", oset);
	T(syscall(SYS_rt_sigprocmask, 3, &set, NULL, 8));
	T(syscall(SYS_rt_sigprocmask, 3, NULL, &oset, 8));
	T(syscall(SYS_rt_sigprocmask, 3, BAD_USER, NULL, 8));
	T(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &set, NULL, 4));
	T(syscall(SYS_rt_sigprocmask, SIG_SETMASK, BAD_USER, NULL, 8));
	set = 0;
	T(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &set, BAD_USER, 8));
	T(syscall(SYS_rt_sigprocmask, SIG_SETMASK, NULL, &oset, 8));
	say("set although the old mask could not be stored: %#lx\n", oset);
}

static long raw_arch_prctl(long code, unsigned long addr)
{
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(SYS_arch_prctl), "D"(code), "S"(addr) : "rcx", "r11", "memory");
	return ret;
}

static void sysinfos(void)
{
	say("-- sysinfo, getgroups\n");
	struct sysinfo si;
	memset(&si, 0xff, sizeof si);
	T(sysinfo(&si));
	fact("uptime in 1..3600 s", si.uptime >= 1 && si.uptime <= 3600);
	fact("loads below 64.0", si.loads[0] < (64ul << 16) && si.loads[1] < (64ul << 16) && si.loads[2] < (64ul << 16));
	fact("mem_unit 1", si.mem_unit == 1);
	fact("0 < freeram < totalram", si.freeram > 0 && si.freeram < si.totalram);
	fact("sharedram < totalram", si.sharedram < si.totalram);
	fact("no swap", si.totalswap == 0 && si.freeswap == 0);
	fact("no high memory", si.totalhigh == 0 && si.freehigh == 0);
	fact("procs >= 1", si.procs >= 1);
	T(sysinfo(BAD_USER));
	T(sysinfo(BAD_KERNEL));
	/* a file's pages count as shared memory (tmpfs is shmem; Linux's
	 * counters are per CPU and lag a little) */
	int fd = open("/tmp/shm-count", O_RDWR | O_CREAT | O_TRUNC, 0600);
	static char page[4096];
	for (int i = 0; i < 256; i++)
		write(fd, page, sizeof page);
	struct sysinfo after;
	sysinfo(&after);
	fact("a 1 MiB file adds about 1 MiB of sharedram",
	     after.sharedram >= si.sharedram + (1 << 19) && after.sharedram < si.sharedram + (2 << 20));
	close(fd);
	unlink("/tmp/shm-count");
	gid_t groups[4];
	T(getgroups(0, NULL));
	T(getgroups(4, groups));
	T(syscall(SYS_getgroups, -1, groups));
}

static void prctls(void)
{
	say("-- prctl\n");
	char name[32];
	memset(name, 'z', sizeof name);
	T(prctl(PR_GET_NAME, name));
	say("name: %.16s (%zu)\n", name, strlen(name));
	T(prctl(PR_SET_NAME, "lx4-worker"));
	T(prctl(PR_GET_NAME, name));
	say("name: %s\n", name);
	T(prctl(PR_SET_NAME, "a-name-longer-than-sixteen-bytes"));
	T(prctl(PR_GET_NAME, name));
	say("name: %s (%zu)\n", name, strlen(name));
	T(prctl(PR_SET_NAME, BAD_USER));
	T(prctl(PR_GET_NAME, BAD_KERNEL));
	T(prctl(PR_GET_DUMPABLE));
	T(prctl(PR_SET_DUMPABLE, 2));
	T(prctl(PR_SET_DUMPABLE, 0));
	T(prctl(PR_GET_DUMPABLE));
	T(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	T(prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0));
	T(prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0));
	T(prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0));
	T(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	T(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	T(prctl(-1));
	pid_t child = fork();
	if (child == 0) {
		char n[16];
		prctl(PR_GET_NAME, n);
		say("child: name %s, dumpable %d, no_new_privs %d\n", n, prctl(PR_GET_DUMPABLE),
		    prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
		_exit(0);
	}
	int st = -1;
	fact("the child ended well", waitpid(child, &st, 0) == child && st == 0);
	T(prctl(PR_SET_DUMPABLE, 1));
}

static void tls(void)
{
	say("-- arch_prctl\n");
	unsigned long fs = 0, gs = 1, self;
	T(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs));
	__asm__ volatile("mov %%fs:0, %0" : "=r"(self));
	fact("ARCH_GET_FS is the thread pointer (%fs:0)", fs == self && fs != 0);
	/* a new %fs base, read through %fs, then the old one back: no C
	 * library call in between (errno lives behind %fs) */
	static unsigned long block[4] = {0x1234, 0x5678};
	long r1 = raw_arch_prctl(ARCH_SET_FS, (unsigned long)block);
	unsigned long seen0, seen1;
	__asm__ volatile("mov %%fs:0, %0; mov %%fs:8, %1" : "=r"(seen0), "=r"(seen1));
	unsigned long now = 0;
	long r2 = raw_arch_prctl(ARCH_GET_FS, (unsigned long)&now);
	long r3 = raw_arch_prctl(ARCH_SET_FS, fs);
	say("ARCH_SET_FS %ld, %%fs:0 %#lx %%fs:8 %#lx, ARCH_GET_FS %ld (the block: %s), restored %ld\n", r1, seen0,
	    seen1, r2, now == (unsigned long)block ? "yes" : "no", r3);
	T(syscall(SYS_arch_prctl, ARCH_GET_GS, &gs));
	say("initial gs base %lu\n", gs);
	T(syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)block));
	__asm__ volatile("mov %%gs:8, %0" : "=r"(seen1));
	say("%%gs:8 %#lx\n", seen1);
	T(syscall(SYS_arch_prctl, ARCH_GET_GS, &gs));
	fact("ARCH_GET_GS returns it", gs == (unsigned long)block);
	T(syscall(SYS_arch_prctl, ARCH_SET_GS, 0));
	T(syscall(SYS_arch_prctl, ARCH_SET_FS, 0xffff800000000000ul));
	T(syscall(SYS_arch_prctl, ARCH_SET_GS, 0xffffffff81000000ul));
	T(syscall(SYS_arch_prctl, ARCH_GET_FS, BAD_USER));
	T(syscall(SYS_arch_prctl, ARCH_GET_GS, BAD_KERNEL));
	T(syscall(SYS_arch_prctl, 0x1234, 0));
}

static int finish(const char *how, const char *arg)
{
	long status = strtol(arg, NULL, 0);
	say("%s(%ld)\n", how, status);
	if (!strcmp(how, "exit"))
		syscall(SYS_exit, status);
	else
		syscall(SYS_exit_group, status);
	say("still here\n");
	return 99;
}

int main(int argc, char **argv)
{
	if (argc > 2)
		return finish(argv[1], argv[2]);
	ids();
	names();
	clocks();
	sleeps();
	threads();
	limits();
	signals();
	sysinfos();
	prctls();
	tls();
	say("done\n");
	return 0;
}
