/*
 * /proc: the files of a process (stat, status, statm, cmdline, environ,
 * comm, maps, exe, cwd, root, fd/), of the system (meminfo, uptime,
 * loadavg, stat, cpuinfo, mounts, filesystems, version, sys/kernel), the
 * listing of /proc, reading (offsets, pread, lseek, sendfile), what cannot
 * be done (writing, making, removing, mapping), and a process that ends:
 * a zombie's files, then ENOENT and ESRCH once it is reaped.  Values that
 * differ between systems are checked for their form and printed as facts.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include "check.h"

static char buf[65536];

/* the whole of a file into buf (NUL-terminated); its length or -errno */
static long slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	long n = 0, r;
	while ((r = read(fd, buf + n, sizeof buf - 1 - (size_t)n)) > 0)
		n += r;
	int e = errno;
	close(fd);
	buf[n] = 0;
	return r < 0 ? -e : n;
}

static const char *yes(int c)
{
	return c ? "yes" : "no";
}

/* the value of "Name:\t..." (or "name\t: ...") in a text, or NULL (one
 * of eight buffers in turn: a call may use several) */
static const char *field(const char *text, const char *name)
{
	static char vals[8][256];
	static int next;
	char *val = vals[next++ % 8];
	size_t l = strlen(name);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		size_t c = l;
		while (!strncmp(p, name, l) && p[c] == '\t')
			c++;
		if (!strncmp(p, name, l) && p[c] == ':') {
			p += c + 1;
			while (*p == '\t' || *p == ' ')
				p++;
			size_t n = strcspn(p, "\n");
			if (n >= sizeof vals[0])
				n = sizeof vals[0] - 1;
			memcpy(val, p, n);
			val[n] = 0;
			return val;
		}
	}
	return NULL;
}

static int count_fields(const char *s)
{
	int n = 0;
	for (const char *p = s; *p;) {
		while (*p == ' ' || *p == '\n')
			p++;
		if (!*p)
			break;
		n++;
		while (*p && *p != ' ' && *p != '\n')
			p++;
	}
	return n;
}

static void own_files(int argc, char **argv)
{
	char want[256];
	long n = slurp("/proc/self/stat");
	say("read /proc/self/stat: %s\n", yes(n > 0));
	int pid, ppid, pgrp, sess;
	char comm[64], state;
	int got = sscanf(buf, "%d (%63[^)]) %c %d %d %d", &pid, comm, &state, &ppid, &pgrp, &sess);
	say("stat: fields parsed = %d, pid = getpid: %s, comm = %s, state = %c, ppid = getppid: %s\n", got,
	    yes(pid == getpid()), comm, state, yes(ppid == getppid()));
	say("stat: pgrp = getpgrp: %s, session = getsid: %s\n", yes(pgrp == getpgrp()), yes(sess == getsid(0)));
	char *after = strrchr(buf, ')');
	say("stat: %d fields after the name\n", after ? count_fields(after + 2) : -1);
	unsigned long vsize = 0;
	long rss = 0;
	if (after) {
		/* field 23 (vsize) is the 21st after the name */
		char *p = after + 2;
		for (int i = 0; i < 20 && p; i++)
			p = strchr(p, ' '), p = p ? p + 1 : NULL;
		if (p)
			sscanf(p, "%lu %ld", &vsize, &rss);
	}
	n = slurp("/proc/self/statm");
	unsigned long size = 0, res = 0;
	sscanf(buf, "%lu %lu", &size, &res);
	/* (the resident set may have grown meanwhile) */
	say("statm: %d fields, size * 4096 = stat's vsize: %s, stat's rss > 0: %s, resident <= size: %s\n",
	    count_fields(buf), yes(size * 4096 == vsize), yes(rss > 0), yes(res <= size && res > 0));

	slurp("/proc/self/status");
	say("status: Name = %s\n", field(buf, "Name"));
	say("status: State = %s\n", field(buf, "State"));
	say("status: Umask = %s\n", field(buf, "Umask"));
	snprintf(want, sizeof want, "%d", getpid());
	say("status: Pid = getpid: %s, Tgid = getpid: %s\n", yes(!strcmp(field(buf, "Pid"), want)),
	    yes(!strcmp(field(buf, "Tgid"), want)));
	snprintf(want, sizeof want, "%d", getppid());
	say("status: PPid = getppid: %s\n", yes(!strcmp(field(buf, "PPid"), want)));
	say("status: Uid = %s, Gid = %s, Threads = %s, TracerPid = %s\n", field(buf, "Uid"), field(buf, "Gid"),
	    field(buf, "Threads"), field(buf, "TracerPid"));
	say("status: VmRSS in kB: %s, VmSize in kB: %s\n",
	    yes(field(buf, "VmRSS") && strstr(field(buf, "VmRSS"), " kB")),
	    yes(field(buf, "VmSize") && strstr(field(buf, "VmSize"), " kB")));
	say("status: SigPnd = %s, SigBlk = %s, SigIgn = %s, SigCgt = %s\n", field(buf, "SigPnd"), field(buf, "SigBlk"),
	    field(buf, "SigIgn"), field(buf, "SigCgt"));
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGUSR2, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	struct sigaction sa = {0};
	sa.sa_handler = (void (*)(int))(uintptr_t)0x1234; /* never delivered */
	sigaction(SIGQUIT, &sa, NULL);
	kill(getpid(), SIGUSR1);
	slurp("/proc/self/status");
	say("status: after block, ignore, catch, kill: SigPnd = %s, SigBlk = %s, SigIgn = %s, SigCgt = %s\n",
	    field(buf, "SigPnd"), field(buf, "SigBlk"), field(buf, "SigIgn"), field(buf, "SigCgt"));
	slurp("/proc/self/stat");
	after = strrchr(buf, ')');
	unsigned long sig[4] = {0};
	if (after) { /* fields 31-34: signal blocked sigignore sigcatch */
		char *p = after + 2;
		for (int i = 0; i < 28 && p; i++)
			p = strchr(p, ' '), p = p ? p + 1 : NULL;
		if (p)
			sscanf(p, "%lu %lu %lu %lu", &sig[0], &sig[1], &sig[2], &sig[3]);
	}
	say("stat: signal %lu blocked %lu sigignore %lu sigcatch %lu\n", sig[0], sig[1], sig[2], sig[3]);
	signal(SIGUSR1, SIG_IGN); /* drops the pending one */
	sigprocmask(SIG_UNBLOCK, &set, NULL);

	n = slurp("/proc/self/cmdline");
	long len = 0;
	for (int i = 0; i < argc; i++)
		len += (long)strlen(argv[i]) + 1;
	int same = n == len;
	for (long off = 0, i = 0; same && i < argc; off += (long)strlen(argv[i]) + 1, i++)
		same = !strcmp(buf + off, argv[i]);
	say("cmdline: %ld bytes, equals argv: %s\n", n, yes(same));
	extern char **environ;
	n = slurp("/proc/self/environ");
	same = 1;
	long off = 0;
	for (char **e = environ; *e && same; off += (long)strlen(*e) + 1, e++)
		same = off < n && !strcmp(buf + off, *e);
	say("environ: equals environ: %s\n", yes(same && off == n));
	slurp("/proc/self/comm");
	say("comm = %s", buf);
}

static void links(void)
{
	char l[4096], want[64];
	ssize_t n;
	n = readlink("/proc/self", l, sizeof l);
	l[n > 0 ? n : 0] = 0;
	snprintf(want, sizeof want, "%d", getpid());
	say("readlink /proc/self = getpid: %s\n", yes(!strcmp(l, want)));
	n = readlink("/proc/self/exe", l, sizeof l);
	l[n > 0 ? n : 0] = 0;
	say("readlink /proc/self/exe = %s\n", l);
	n = readlink("/proc/self/cwd", l, sizeof l);
	l[n > 0 ? n : 0] = 0;
	say("readlink /proc/self/cwd = %s\n", l);
	T(chdir("/tmp"));
	n = readlink("/proc/self/cwd", l, sizeof l);
	l[n > 0 ? n : 0] = 0;
	say("readlink /proc/self/cwd = %s\n", l);
	n = readlink("/proc/self/root", l, sizeof l);
	l[n > 0 ? n : 0] = 0;
	say("readlink /proc/self/root = %s\n", l);
	T(chdir("/proc/self"));
	char cwd[256];
	snprintf(want, sizeof want, "/proc/%d", getpid());
	say("getcwd in /proc/self = /proc/PID: %s\n", yes(getcwd(cwd, sizeof cwd) && !strcmp(cwd, want)));
	T(access("stat", R_OK));
	T(chdir("fd"));
	T(chdir("/"));
	T(readlink("/proc/self/stat", l, sizeof l));
	n = readlink("/proc/mounts", l, sizeof l);
	l[n > 0 ? n : 0] = 0;
	say("readlink /proc/mounts = %s\n", l);

	int fd = open("/dev/null", O_WRONLY), p[2];
	T(pipe(p));
	snprintf(want, sizeof want, "/proc/self/fd/%d", fd);
	n = readlink(want, l, sizeof l);
	l[n > 0 ? n : 0] = 0;
	say("readlink fd of /dev/null = %s\n", l);
	struct stat st;
	T(lstat(want, &st));
	say("its mode %o, size %ld\n", st.st_mode, (long)st.st_size);
	T(stat(want, &st));
	say("stat through it: a character device: %s\n", yes(S_ISCHR(st.st_mode)));
	snprintf(want, sizeof want, "/proc/self/fd/%d", p[0]);
	n = readlink(want, l, sizeof l);
	l[n > 0 ? n : 0] = 0;
	unsigned long ino = 0;
	char end = 0;
	say("readlink fd of a pipe: pipe:[N]: %s\n", yes(sscanf(l, "pipe:[%lu%c", &ino, &end) == 2 && end == ']'));
	fstat(p[0], &st);
	say("N = the pipe's inode number: %s\n", yes(ino == st.st_ino));
	lstat(want, &st);
	say("its mode %o\n", st.st_mode);
	snprintf(want, sizeof want, "/proc/self/fd/%d", p[1]);
	lstat(want, &st);
	say("the write end's mode %o\n", st.st_mode);
	/* the listing of fd/ is the open descriptors */
	DIR *d = opendir("/proc/self/fd");
	int count = 0, mine = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		count++;
		int v = atoi(e->d_name);
		mine += (v == fd || v == p[0] || v == p[1]) && e->d_type == DT_LNK;
	}
	closedir(d);
	say("fd/ lists . .. 0 1 2, the three opened and its own: %s (%d entries), the three as links: %s\n",
	    yes(count == 9), count, yes(mine == 3));
	close(fd);
	close(p[0]);
	close(p[1]);
	snprintf(want, sizeof want, "/proc/self/fd/%d", fd);
	T(readlink(want, l, sizeof l));
	T(open("/proc/self/fd/99", O_RDONLY));
}

static int main_marker(void)
{
	return 1;
}

static void maps(void)
{
	int stack_var = 0;
	long n = slurp("/proc/self/maps");
	int lines = 0, good = 0, stack = 0, exe_x = 0, text_in = 0, stack_in = 0;
	uintptr_t code = (uintptr_t)main_marker, here = (uintptr_t)&stack_var;
	for (char *l = buf; *l; lines++) {
		char *nl = strchr(l, '\n');
		if (!nl)
			break;
		*nl = 0;
		unsigned long s, e, off, ino;
		char perm[5], dev[8];
		int name_at = 0;
		if (sscanf(l, "%lx-%lx %4s %lx %7s %lu %n", &s, &e, perm, &off, dev, &ino, &name_at) == 6)
			good++;
		const char *name = name_at ? l + name_at : "";
		if (!strcmp(name, "[stack]")) {
			stack++;
			stack_in += here >= s && here < e;
		}
		if (!strcmp(name, "/tests/sys_proc") && perm[2] == 'x') {
			exe_x++;
			text_in += code >= s && code < e;
		}
		if (*name && name_at != 73)
			good--;
		l = nl + 1;
	}
	say("maps: read: %s, every line well formed (name in column 73): %s, one [stack] holding a local: %s, "
	    "the executable's code mapped r-x holding a function: %s\n",
	    yes(n > 0), yes(good == lines && lines > 3), yes(stack == 1 && stack_in), yes(exe_x == 1 && text_in));
}

static void sysfiles(void)
{
	unsigned long total = 0, mfree = 0, avail = 0;
	slurp("/proc/meminfo");
	char first[3][20] = {{0}};
	sscanf(buf, "%19s %lu kB\n%19s %lu kB\n%19s %lu kB", first[0], &total, first[1], &mfree, first[2], &avail);
	say("meminfo: %s %s %s, MemTotal > MemFree > 0: %s, MemAvailable <= MemTotal: %s\n", first[0], first[1],
	    first[2], yes(total > mfree && mfree > 0), yes(avail <= total));
	say("meminfo: the values in column 17: %s, Cached: %s, SwapTotal: %s, Shmem: %s\n",
	    yes(buf[15] == ' ' && buf[23] != ' ' && strchr(buf, '\n') - buf == 27), yes(field(buf, "Cached") != NULL),
	    yes(field(buf, "SwapTotal") != NULL), yes(field(buf, "Shmem") != NULL));
	double up = 0, idle = -1;
	slurp("/proc/uptime");
	int k = sscanf(buf, "%lf %lf", &up, &idle);
	say("uptime: two numbers: %s, up > 0: %s\n", yes(k == 2), yes(up > 0));
	double l1, l5, l15;
	int run, all, last;
	slurp("/proc/loadavg");
	k = sscanf(buf, "%lf %lf %lf %d/%d %d", &l1, &l5, &l15, &run, &all, &last);
	say("loadavg: fields %d, last pid >= getpid: %s, running <= all: %s\n", k, yes(last >= getpid()),
	    yes(run <= all && run >= 1));
	slurp("/proc/stat");
	unsigned long btime = 0, procs = 0;
	const char *bt = strstr(buf, "\nbtime "), *pr = strstr(buf, "\nprocesses ");
	if (bt)
		sscanf(bt, "\nbtime %lu", &btime);
	if (pr)
		sscanf(pr, "\nprocesses %lu", &procs);
	say("stat: starts with \"cpu \": %s, cpu0: %s, btime <= now: %s, processes >= 1: %s, procs_running: %s\n",
	    yes(!strncmp(buf, "cpu  ", 5)), yes(strstr(buf, "\ncpu0 ") != NULL),
	    yes(btime > 0 && btime <= (unsigned long)time(NULL)), yes(procs >= 1),
	    yes(strstr(buf, "\nprocs_running ") != NULL));
	slurp("/proc/cpuinfo");
	say("cpuinfo: processor = %s, vendor_id: %s, model name: %s, flags with fpu: %s\n", field(buf, "processor"),
	    yes(field(buf, "vendor_id") != NULL), yes(field(buf, "model name") != NULL),
	    yes(field(buf, "flags") && !strncmp(field(buf, "flags"), "fpu", 3)));
	slurp("/proc/mounts");
	say("mounts: proc on /proc: %s\n", yes(strstr(buf, "proc /proc proc rw") != NULL));
	static char copy[sizeof buf];
	memcpy(copy, buf, sizeof buf);
	slurp("/proc/self/mounts");
	say("self/mounts = mounts: %s\n", yes(!strcmp(copy, buf)));
	slurp("/proc/filesystems");
	say("filesystems: proc: %s\n", yes(strstr(buf, "nodev\tproc\n") != NULL));
	struct utsname u;
	uname(&u);
	char want[512];
	snprintf(want, sizeof want, "Linux version %s ", u.release);
	slurp("/proc/version");
	say("version: starts with Linux version and uname's release: %s\n", yes(!strncmp(buf, want, strlen(want))));
	slurp("/proc/sys/kernel/ostype");
	say("sys/kernel/ostype = %s", buf);
	slurp("/proc/sys/kernel/osrelease");
	say("sys/kernel/osrelease = uname's: %s\n", yes(!strncmp(buf, u.release, strlen(u.release))));
	slurp("/proc/sys/kernel/hostname");
	say("sys/kernel/hostname = uname's: %s\n", yes(!strncmp(buf, u.nodename, strlen(u.nodename))));
	slurp("/proc/sys/kernel/pid_max");
	say("sys/kernel/pid_max = %s", buf);
}

static void listing(void)
{
	DIR *d = opendir("/proc");
	int self = 0, me = 0, parent = 0, nonnum = 0, order = 1, last = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, "self"))
			self += e->d_type == DT_LNK;
		int v = atoi(e->d_name);
		if (v > 0) {
			me += v == getpid() && e->d_type == DT_DIR;
			parent += v == getppid();
			order &= v > last;
			last = v;
		} else {
			nonnum++;
		}
	}
	closedir(d);
	say("/proc lists self (a link), this process (a directory), its parent (if any), the pids in order: %s %s %s "
	    "%s\n",
	    yes(self == 1), yes(me == 1), yes(parent == 1 || getppid() == 0), yes(order));
	d = opendir("/proc/self");
	int found = 0;
	while ((e = readdir(d)))
		for (const char *const *n = (const char *const[]){"stat", "status", "cmdline", "comm", "maps", "statm",
								  "environ", "exe", "cwd", "fd", NULL};
		     *n; n++)
			found += !strcmp(e->d_name, *n);
	closedir(d);
	say("/proc/self lists stat status cmdline comm maps statm environ exe cwd fd: %s\n", yes(found == 10));
	struct stat st, root;
	T(stat("/", &root));
	T(stat("/proc", &st));
	say("/proc: mode %o, ino %lu, a device of its own: %s, size %ld\n", st.st_mode, (unsigned long)st.st_ino,
	    yes(st.st_dev != root.st_dev), (long)st.st_size);
	T(stat("/proc/self/stat", &st));
	say("/proc/self/stat: mode %o, nlink %lu, size %ld, blocks %ld\n", st.st_mode, (unsigned long)st.st_nlink,
	    (long)st.st_size, (long)st.st_blocks);
	T(stat("/proc/self", &st));
	say("/proc/self: mode %o, size %ld\n", st.st_mode, (long)st.st_size);
	T(lstat("/proc/self", &st));
	say("/proc/self (the link): mode %o, size %ld\n", st.st_mode, (long)st.st_size);
	T(stat("/proc/self/fd", &st));
	say("/proc/self/fd: mode %o\n", st.st_mode);
	T(stat("/proc/meminfo", &st));
	say("/proc/meminfo: mode %o, size %ld\n", st.st_mode, (long)st.st_size);
	T(stat("/proc/sys/kernel", &st));
	say("/proc/sys/kernel: mode %o\n", st.st_mode);
	T(stat("/proc/99999", &st));
	T(stat("/proc/0", &st));
	T(stat("/proc/01", &st));
	T(open("/proc/99999/stat", O_RDONLY));
	T(open("/proc/nonexistent", O_RDONLY));
}

static void reading(void)
{
	char b[64];
	int fd = T(open("/proc/self/comm", O_RDONLY));
	memset(b, 0, sizeof b);
	T(pread(fd, b, 3, 2));
	say("pread at 2: %s\n", b);
	T(lseek(fd, 4, SEEK_SET));
	memset(b, 0, sizeof b);
	T(read(fd, b, sizeof b));
	say("read at 4: %s", b);
	T(read(fd, b, sizeof b));
	T(lseek(fd, 0, SEEK_CUR));
	T(lseek(fd, 0, SEEK_END));
	T(lseek(fd, -1, SEEK_SET));
	T(lseek(fd, 100, SEEK_SET));
	T(read(fd, b, sizeof b));
	T(pread(fd, b, sizeof b, 1000));
	T(read(fd, BAD_USER, 10));
	T(pread(fd, BAD_USER, 10, 0));
	T(write(fd, "x", 1));
	T(ftruncate(fd, 0));
	T(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED ? -1 : 0);
	close(fd);
	/* one open reads one state: a read in pieces is consistent */
	fd = open("/proc/self/stat", O_RDONLY);
	static char whole[4096], parts[4096];
	long n = 0, r;
	while ((r = read(fd, parts + n, 7)) > 0)
		n += r;
	int lines = 0;
	for (char *q = parts; (q = strchr(q, '\n')); q++)
		lines++;
	const char *after = strrchr(parts, ')');
	say("stat read 7 bytes at a time: one line of 52 fields: %s\n",
	    yes(lines == 1 && after && count_fields(after + 2) == 50));
	say("pread at 0 afterwards: %s\n", yes(pread(fd, whole, sizeof whole, 0) > 0 && !strncmp(whole, parts, 5)));
	close(fd);
	/* a huge read */
	fd = open("/proc/meminfo", O_RDONLY);
	char *big = malloc(1 << 22);
	n = read(fd, big, 1 << 22);
	say("read of 4 MiB from meminfo: %s\n", yes(n > 100 && n < 8192));
	free(big);
	close(fd);
	/* sendfile (busybox cat uses it) */
	fd = open("/proc/sys/kernel/ostype", O_RDONLY);
	T(sendfile(1, fd, NULL, 100));
	off_t off = 2;
	T(sendfile(1, fd, &off, 100));
	say("off = %ld\n", (long)off);
	close(fd);
	/* nothing is written, made or removed */
	/* root may open them to write; the writes fail, but comm's */
	fd = T(open("/proc/self/stat", O_WRONLY));
	T(write(fd, "x", 1));
	close(fd);
	fd = T(open("/proc/meminfo", O_RDWR));
	T(write(fd, "x", 1));
	T(ftruncate(fd, 0));
	close(fd);
	T(open("/proc/sys/kernel/ostype", O_WRONLY));
	fd = T(open("/proc/self/comm", O_WRONLY));
	T(write(fd, "renamed", 7));
	T(write(fd, BAD_USER, 7));
	close(fd);
	slurp("/proc/self/comm");
	say("comm = %s", buf);
	slurp("/proc/self/status");
	say("status Name = %s\n", field(buf, "Name"));
	fd = open("/proc/self/comm", O_WRONLY);
	T(write(fd, "sys_proc", 8));
	close(fd);
	T(open("/proc/self/stat", O_RDONLY | O_TRUNC) >= 0 ? 0 : -1);
	T(truncate("/proc/self/stat", 0));
	T(chmod("/proc/self/stat", 0666));
	T(unlink("/proc/self/stat"));
	T(unlink("/proc/meminfo"));
	T(mkdir("/proc/newdir", 0755));
	T(rename("/proc/meminfo", "/proc/x"));
	T(rename("/proc/meminfo", "/tmp/x"));
	T(symlink("/", "/proc/link"));
	T(rmdir("/proc/self/fd"));
}

static void child_end(void)
{
	int p[2];
	pipe(p);
	pid_t c = fork();
	if (c == 0) {
		char ch;
		close(p[1]);
		read(p[0], &ch, 1);
		_exit(7);
	}
	close(p[0]);
	char path[64], l[256];
	snprintf(path, sizeof path, "/proc/%d/stat", c);
	int held = open(path, O_RDONLY), held2 = open(path, O_RDONLY);
	long n = slurp(path);
	int pid = 0, ppid = 0;
	char state = '?';
	sscanf(buf, "%d (%*[^)]) %c %d", &pid, &state, &ppid);
	say("child: stat read: %s, its pid: %s, running or sleeping: %s, ppid = getpid: %s\n", yes(n > 0),
	    yes(pid == c), yes(state == 'R' || state == 'S'), yes(ppid == getpid()));
	snprintf(path, sizeof path, "/proc/%d/cmdline", c);
	n = slurp(path);
	say("child: cmdline = ours: %s\n", yes(n > 0 && !strcmp(buf, "/tests/sys_proc")));
	n = read(held2, l, 10);
	say("child: a read of the held open: %ld bytes\n", n);
	close(p[1]);
	/* until it is a zombie */
	snprintf(path, sizeof path, "/proc/%d/stat", c);
	for (int i = 0; i < 500; i++) {
		slurp(path);
		sscanf(buf, "%*d (%*[^)]) %c", &state);
		if (state == 'Z')
			break;
		struct timespec ts = {0, 10000000};
		nanosleep(&ts, NULL);
	}
	char *after = strrchr(buf, ')');
	int code = -1;
	if (after) {
		char *q = strrchr(after, ' ');
		code = q ? atoi(q + 1) : -1;
	}
	say("zombie: state %c, exit_code field = %d\n", state, code);
	snprintf(path, sizeof path, "/proc/%d/status", c);
	slurp(path);
	say("zombie: status State = %s, VmSize line: %s\n", field(buf, "State"), yes(field(buf, "VmSize") != NULL));
	snprintf(path, sizeof path, "/proc/%d/cmdline", c);
	say("zombie: cmdline bytes = %ld\n", slurp(path));
	snprintf(path, sizeof path, "/proc/%d/maps", c);
	say("zombie: maps bytes = %ld\n", slurp(path));
	snprintf(path, sizeof path, "/proc/%d/exe", c);
	T(readlink(path, l, sizeof l));
	snprintf(path, sizeof path, "/proc/%d/cwd", c);
	T(readlink(path, l, sizeof l));
	snprintf(path, sizeof path, "/proc/%d/fd", c);
	DIR *d = opendir(path);
	int count = 0;
	while (d && readdir(d))
		count++;
	if (d)
		closedir(d);
	say("zombie: fd/ entries = %d\n", count);
	int st;
	T(waitpid(c, &st, 0) == c);
	say("reaped: status %d\n", WEXITSTATUS(st));
	snprintf(path, sizeof path, "/proc/%d/stat", c);
	T(open(path, O_RDONLY));
	snprintf(path, sizeof path, "/proc/%d", c);
	struct stat sb;
	T(stat(path, &sb));
	T(read(held, l, sizeof l));
	say("the rest of what was read before: %s\n", yes(read(held2, l, sizeof l) > 0));
	close(held);
	close(held2);
}

int main(int argc, char **argv)
{
	own_files(argc, argv);
	links();
	maps();
	sysfiles();
	listing();
	reading();
	child_end();
	say("done\n");
	return 0;
}
