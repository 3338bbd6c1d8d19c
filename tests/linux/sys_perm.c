/* Permissions on files, as root and as other users (each scenario in a
 * child of its own): search permission on every directory of a path,
 * open's read, write and truncate checks, O_NOATIME, access and
 * faccessat (real or effective ids), creating and removing names (write
 * permission on the directory, sticky /tmp), chmod, chown and utimensat
 * by an owner and by another, what a write takes from a set-id file, the
 * owner of a new file in a set-group-ID directory, umask, mknod of
 * devices, execute permission, set-user-ID and set-group-ID executables
 * (and PR_SET_NO_NEW_PRIVS), and the owners of /proc/PID.  Differential:
 * the output must be Linux's.
 *
 * "sys_perm ids" prints the ids it runs with (the set-id program). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <utime.h>

#include "check.h"

#define D "/tmp/perm"

static const char *self_path;

static void ids(void)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;
	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	say("ids: uid %u %u %u gid %u %u %u secure %lu\n", r, e, s, gr, ge, gs, getauxval(AT_SECURE));
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "CapEff:", 7))
			say("ids: %s", line);
	if (f)
		fclose(f);
}

static void mode_of(const char *path)
{
	struct stat st;
	if (lstat(path, &st))
		say("mode %s: %s\n", path, errname(errno));
	else
		say("mode %s: %o uid %u gid %u\n", path, st.st_mode, st.st_uid, st.st_gid);
}

static void make(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "data\n", 5) != 5 || fchown(fd, uid, gid) || fchmod(fd, mode))
		say("make %s: %s\n", path, errname(errno));
	if (fd >= 0)
		close(fd);
}

static void dir(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	if (mkdir(path, 0700) || chown(path, uid, gid) || chmod(path, mode))
		say("dir %s: %s\n", path, errname(errno));
}

/* a copy of this program at path (for exec and set-id tests) */
static void as_user(const char *what, uid_t uid, gid_t gid, void (*fn)(void))
{
	say("-- %s (uid %u gid %u)\n", what, uid, gid);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		if (setgroups(0, NULL) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid))
			say("setuid: %s\n", errname(errno));
		fn();
		fflush(stdout);
		_exit(0);
	}
	int st = child_status(c);
	if (st)
		say("child status %d\n", st);
}

static void setup(void)
{
	say("-- setup as root\n");
	dir(D, 0755, 0, 0);
	make(D "/secret", 0600, 0, 0);
	make(D "/public", 0644, 0, 0);
	make(D "/open", 0666, 0, 0);
	make(D "/nothing", 0000, 0, 0);
	make(D "/theirs", 0644, 1000, 1000);
	make(D "/setid", 06755, 65534, 65534);
	make(D "/mine", 0644, 65534, 65534);
	dir(D "/closed", 0700, 0, 0);
	make(D "/closed/f", 0644, 0, 0);
	dir(D "/search", 0711, 0, 0); /* searchable, not listable */
	make(D "/search/f", 0644, 0, 0);
	dir(D "/ro", 0555, 0, 0);
	make(D "/ro/f", 0666, 0, 0);
	dir(D "/sgid", 02777, 0, 50);
	dir(D "/sticky", 01777, 0, 0);
	make(D "/sticky/roots", 0666, 0, 0);
	make(D "/sticky/nobodys", 0666, 65534, 65534);
	dir(D "/sticky/nobodydir", 0755, 65534, 65534);
	copy_file(self_path, D "/x700", 0700, 0, 0);
	copy_file(self_path, D "/x755", 0755, 0, 0);
	copy_file(self_path, D "/suid", 04755, 0, 0);
	copy_file(self_path, D "/sgidprog", 02755, 0, 50);
	copy_file(self_path, D "/suid1000", 04755, 1000, 1000);
	make(D "/noexec", 0644, 0, 0);
}

static void root_checks(void)
{
	say("-- root\n");
	T(open(D "/nothing", O_RDWR) >= 0);
	T(access(D "/nothing", R_OK | W_OK));
	T(access(D "/nothing", X_OK)); /* no x bit anywhere: not even root */
	T(access(D "/x700", X_OK));
	T(run_as(D "/noexec", "ids", -1));
	T(open(D "/closed/f", O_RDONLY) >= 0);
	/* chown by root takes the set-id bits of a file, not of a directory */
	make(D "/chowned", 06755, 0, 0);
	T(chown(D "/chowned", 1000, -1));
	mode_of(D "/chowned");
	make(D "/chowned2", 02745, 0, 0); /* (no group execute: the bit stays) */
	T(chown(D "/chowned2", -1, 1000));
	mode_of(D "/chowned2");
	/* root's own write keeps the bits (CAP_FSETID) */
	make(D "/rootwrite", 06755, 1000, 1000);
	int fd = open(D "/rootwrite", O_WRONLY | O_APPEND);
	T(write(fd, "x", 1));
	close(fd);
	mode_of(D "/rootwrite");
	T(mknod(D "/null", S_IFCHR | 0666, makedev(1, 3)));
	mode_of(D "/null");
	fd = open(D "/null", O_WRONLY);
	T(write(fd, "gone", 4));
	close(fd);
	/* a new file's owner in a set-group-ID directory */
	make(D "/sgid/rootfile", 0644, 0, 0);
	mode_of(D "/sgid/rootfile");
	T(mkdir(D "/sgid/rootdir", 0755));
	mode_of(D "/sgid/rootdir");
	T(run_as(D "/suid", "ids", -1));
	T(run_as(D "/sgidprog", "ids", -1));
	T(run_as(D "/suid1000", "ids", -1));
}

static void paths(void)
{
	T(open(D "/secret", O_RDONLY));
	T(open(D "/public", O_RDONLY) >= 0);
	T(open(D "/public", O_WRONLY));
	T(open(D "/public", O_RDWR));
	T(open(D "/public", O_RDONLY | O_TRUNC));
	T(open(D "/open", O_RDWR) >= 0);
	T(open(D "/open", O_RDONLY | O_TRUNC) >= 0);
	T(open(D "/nothing", O_RDONLY));
	T(open(D "/public", O_RDONLY | O_NOATIME));
	T(open(D "/mine", O_RDONLY | O_NOATIME) >= 0);
	struct stat st;
	T(stat(D "/closed/f", &st));
	T(stat(D "/closed", &st));
	T(open(D "/closed/f", O_RDONLY));
	T(open(D "/closed/../public", O_RDONLY));
	T(open(D "/closed", O_RDONLY));
	T(chdir(D "/closed"));
	T(open(D "/search", O_RDONLY | O_DIRECTORY));
	T(open(D "/search/f", O_RDONLY) >= 0);
	T(chdir(D "/search"));
	T(open("f", O_RDONLY) >= 0);
	T(chdir("/"));
	T(access(D "/public", R_OK));
	T(access(D "/public", W_OK));
	T(access(D "/public", X_OK));
	T(access(D "/public", F_OK));
	T(access(D "/closed/f", F_OK));
	T(access(D "/x700", X_OK));
	T(access(D "/x755", X_OK));
	T(faccessat(AT_FDCWD, D "/open", R_OK | W_OK, AT_EACCESS));
	T(syscall(SYS_faccessat2, AT_FDCWD, D "/secret", R_OK, AT_EACCESS));
	T(truncate(D "/public", 0));
	T(truncate(D "/open", 2));
	T(truncate(D "/closed/f", 0));
	T(run_as(D "/x700", "ids", -1));
	T(run_as(D "/x755", "ids", -1));
	T(run_as(D "/noexec", "ids", -1));
}

static void names(void)
{
	T(open(D "/ro/new", O_CREAT | O_WRONLY, 0644));
	T(open(D "/ro/f", O_CREAT | O_WRONLY, 0644) >= 0); /* (it exists: only the file's permission counts) */
	T(open(D "/ro/f", O_CREAT | O_EXCL | O_WRONLY, 0644));
	T(mkdir(D "/ro/d", 0755));
	T(mkdir(D "/ro/f", 0755)); /* (EEXIST before EACCES) */
	T(symlink("x", D "/ro/l"));
	T(link(D "/ro/f", D "/ro/f2"));
	T(mknod(D "/ro/fifo", S_IFIFO | 0644, 0));
	T(unlink(D "/ro/f"));
	T(rename(D "/ro/f", D "/ro/g"));
	T(rename(D "/ro/f", "/tmp/g"));
	T(rmdir(D "/closed"));
	T(unlink(D "/closed/f"));
	T(unlink(D "/closed/none"));
	T(unlink(D "/nope/none"));
	/* the sticky directory: one's own names only */
	T(unlink(D "/sticky/roots"));
	T(rename(D "/sticky/roots", D "/sticky/x"));
	T(open(D "/sticky/roots", O_WRONLY) >= 0); /* (its mode lets anyone write it) */
	T(link(D "/sticky/roots", D "/sticky/rootlink"));
	T(unlink(D "/sticky/rootlink")); /* (a link to root's file, but nobody's name? the file's owner counts) */
	T(rename(D "/sticky/nobodys", D "/sticky/mine2"));
	T(rename(D "/sticky/mine2", D "/sticky/roots")); /* (over root's) */
	T(unlink(D "/sticky/mine2"));
	T(mkdir(D "/sticky/d", 0700));
	T(rename(D "/sticky/d", D "/sticky/nobodydir/d")); /* a directory moves: write permission on it */
	T(rmdir(D "/sticky/nobodydir/d"));
	T(rmdir(D "/sticky/nobodydir"));
	T(mknod("/tmp/perm_fifo", S_IFIFO | 0600, 0));
	mode_of("/tmp/perm_fifo");
	T(unlink("/tmp/perm_fifo"));
	T(mknod("/tmp/perm_null", S_IFCHR | 0666, makedev(1, 3)));
	T(mknod("/tmp/perm_null", S_IFBLK | 0666, makedev(1, 3)));
	T(mknod(D "/ro/perm_null", S_IFCHR | 0666, makedev(1, 3))); /* (EACCES before EPERM) */
	/* a new file's owner, mode and group */
	umask(027);
	T(open("/tmp/perm_new", O_CREAT | O_WRONLY, 0777) >= 0);
	mode_of("/tmp/perm_new");
	T(unlink("/tmp/perm_new"));
	umask(0);
	T(open(D "/sgid/f", O_CREAT | O_WRONLY, 02755) >= 0);
	mode_of(D "/sgid/f");
	T(mkdir(D "/sgid/d", 0755));
	mode_of(D "/sgid/d");
	T(chmod(D "/sgid/f", 02755)); /* (not in group 50: the bit goes) */
	mode_of(D "/sgid/f");
}

static void attrs(void)
{
	T(chmod(D "/public", 0777));
	T(chmod(D "/mine", 0600));
	mode_of(D "/mine");
	T(chmod(D "/mine", 02644)); /* its group is its own: kept */
	mode_of(D "/mine");
	T(chown(D "/public", 65534, -1));
	T(chown(D "/public", -1, -1));
	T(chown(D "/mine", 0, -1));
	T(chown(D "/mine", -1, 0));
	T(chown(D "/mine", 65534, 65534));
	T(chown(D "/mine", -1, -1));
	T(chown(D "/setid", -1, -1)); /* its owner: the set-id bits go */
	mode_of(D "/setid");
	T(lchown(D "/theirs", -1, -1));
	T(fchownat(AT_FDCWD, D "/theirs", 65534, -1, 0));
	/* times: now with write permission, others only by the owner */
	struct timespec now2[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}}, some[2] = {{1000, 0}, {2000, 0}},
			omit_now[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
	T(utimensat(AT_FDCWD, D "/public", NULL, 0));
	T(utimensat(AT_FDCWD, D "/open", NULL, 0));
	T(utimensat(AT_FDCWD, D "/open", now2, 0));
	T(utimensat(AT_FDCWD, D "/open", some, 0));
	T(utimensat(AT_FDCWD, D "/open", omit_now, 0));
	T(utimensat(AT_FDCWD, D "/mine", some, 0));
	T(utime(D "/public", NULL));
	T(utime(D "/open", NULL));
	/* a write by a user takes the set-id bits */
	T(chmod(D "/mine", 06755));
	mode_of(D "/mine");
	int fd = open(D "/mine", O_WRONLY);
	T(write(fd, "x", 1));
	close(fd);
	mode_of(D "/mine");
	T(chmod(D "/mine", 04755));
	T(truncate(D "/mine", 1));
	mode_of(D "/mine");
}

static void setid(void)
{
	T(run_as(D "/suid", "ids", -1));
	T(run_as(D "/sgidprog", "ids", -1));
	T(run_as(D "/suid1000", "ids", -1));
	T(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	T(run_as(D "/suid", "ids", -1));
	T(run_as(D "/sgidprog", "ids", -1));
}

static void procs(void)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof path, "/proc/%d", getppid());
	if (!stat(path, &st))
		say("parent's /proc dir: uid %u gid %u\n", st.st_uid, st.st_gid);
	if (!stat("/proc/self", &st))
		say("own /proc dir: uid %u gid %u\n", st.st_uid, st.st_gid);
	if (!stat("/proc/self/status", &st))
		say("own status: uid %u gid %u\n", st.st_uid, st.st_gid);
	T(open("/proc/self/environ", O_RDONLY) >= 0);
	snprintf(path, sizeof path, "/proc/%d/environ", getppid());
	TN("open parent's environ", open(path, O_RDONLY));
	snprintf(path, sizeof path, "/proc/%d/status", getppid());
	TN("open parent's status", open(path, O_RDONLY) >= 0);
	snprintf(path, sizeof path, "/proc/%d/fd", getppid());
	TN("open parent's fd", open(path, O_RDONLY | O_DIRECTORY));
	TN("open own fd", open("/proc/self/fd", O_RDONLY | O_DIRECTORY) >= 0);
	char l[256];
	snprintf(path, sizeof path, "/proc/%d/cwd", getppid());
	TN("readlink parent's cwd", readlink(path, l, sizeof l) > 0);
	snprintf(path, sizeof path, "/proc/%d/exe", getppid());
	TN("readlink parent's exe", readlink(path, l, sizeof l) > 0);
	snprintf(path, sizeof path, "/proc/%d/cwd/", getppid());
	TN("stat through parent's cwd", stat(path, &st));
	TN("readlink own cwd", readlink("/proc/self/cwd", l, sizeof l) > 0);
	TN("readlink own fd 1", readlink("/proc/self/fd/1", l, sizeof l) > 0);
}

/* O_PATH: a place, not a file to read or write */
static void opath(void)
{
	int fd = T(open(D "/secret", O_PATH));
	char c;
	struct stat st;
	T(read(fd, &c, 1));
	T(write(fd, "x", 1));
	T(fstat(fd, &st));
	say("fstat: mode %o\n", st.st_mode);
	T(fchmod(fd, 0777));
	T(fchown(fd, -1, -1));
	T(syscall(SYS_fchmod, fd, 0777)); /* (the C library's fchmod goes through /proc/self/fd for EBADF) */
	T(syscall(SYS_fchown, fd, -1, -1));
	T(ioctl(fd, 0x5401, &st));
	T(lseek(fd, 0, SEEK_SET));
	T(fsync(fd));
	T(flock(fd, LOCK_SH));
	say("F_GETFL = %#x\n", fcntl(fd, F_GETFL));
	T(fcntl(fd, F_SETFL, O_NONBLOCK));
	T(fcntl(fd, F_GETFD));
	T(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED);
	int d = T(dup(fd));
	T(close(d));
	T(close(fd));
	T(open(D "/closed/f", O_PATH));
	int dir = T(open(D "/closed", O_PATH | O_DIRECTORY));
	T(openat(dir, "f", O_PATH));
	T(fchdir(dir));
	char buf[64];
	T(syscall(SYS_getdents64, dir, buf, sizeof buf));
	T(close(dir));
	dir = T(open(D, O_PATH | O_DIRECTORY));
	T(openat(dir, "public", O_RDONLY) >= 0);
	T(fchdir(dir));
	T(fstatat(dir, "", &st, AT_EMPTY_PATH));
	T(linkat(dir, "", AT_FDCWD, "/tmp/perm_l", AT_EMPTY_PATH));
	T(open(D "/public", O_PATH | O_DIRECTORY));
	T(symlink(D "/secret", "/tmp/perm_sym"));
	fd = T(open("/tmp/perm_sym", O_PATH | O_NOFOLLOW));
	fstat(fd, &st);
	fact("O_PATH|O_NOFOLLOW opens the link", S_ISLNK(st.st_mode));
	T(unlink("/tmp/perm_sym"));
	T(mknod("/tmp/perm_fifo2", S_IFIFO | 0666, 0));
	T(open("/tmp/perm_fifo2", O_PATH) >= 0); /* (no waiting for a writer) */
	T(unlink("/tmp/perm_fifo2"));
	T(open("/tmp/perm_new2", O_PATH | O_CREAT, 0644)); /* (O_CREAT means nothing) */
	T(chdir("/"));
}

static void cleanup(void)
{
	static const char *files[] = {
	    "/secret",	    "/public",	     "/open",		  "/nothing",	      "/theirs",	"/setid",
	    "/mine",	    "/closed/f",     "/search/f",	  "/ro/f",	      "/ro/f2",		"/sticky/roots",
	    "/x700",	    "/x755",	     "/suid",		  "/sgidprog",	      "/suid1000",	"/noexec",
	    "/chowned",	    "/chowned2",     "/rootwrite",	  "/null",	      "/sgid/rootfile", "/sgid/f",
	    "/sticky/nobodys", "/sticky/mine2", "/sticky/rootlink", "/sticky/x",
	};
	static const char *dirs[] = {"/closed",		"/search",	 "/ro",		"/sgid/rootdir", "/sgid/d",
				     "/sgid",		"/sticky/d",	 "/sticky/nobodydir/d", "/sticky/nobodydir",
				     "/sticky"};
	for (unsigned i = 0; i < sizeof files / sizeof files[0]; i++) {
		char p[128];
		snprintf(p, sizeof p, D "%s", files[i]);
		unlink(p);
	}
	for (unsigned i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		char p[128];
		snprintf(p, sizeof p, D "%s", dirs[i]);
		rmdir(p);
	}
	unlink("/tmp/perm_null");
	unlink("/tmp/g");
	T(rmdir(D));
}

int main(int argc, char **argv)
{
	self_path = argv[0];
	if (argc > 1 && !strcmp(argv[1], "ids")) {
		ids();
		return 0;
	}
	if (getuid()) { /* (run as a user: what it may and may not do) */
		ids();
		T(mkdir(D, 0755));
		T(open("/tmp/as_user", O_CREAT | O_WRONLY, 0644) >= 0);
		mode_of("/tmp/as_user");
		T(unlink("/tmp/as_user"));
		T(chown("/tmp", 65534, 65534));
		T(chmod("/tmp", 0777));
		T(mknod("/tmp/null", S_IFCHR | 0666, makedev(1, 3)));
		T(open("/etc/shadow", O_RDONLY));
		T(open("/etc/passwd", O_RDONLY) >= 0);
		T(unlink("/etc/passwd"));
		return 0;
	}
	umask(0);
	setup();
	root_checks();
	as_user("paths", 65534, 65534, paths);
	as_user("names", 65534, 65534, names);
	as_user("attrs", 65534, 65534, attrs);
	as_user("set-id programs", 65534, 65534, setid);
	as_user("procs", 65534, 65534, procs);
	as_user("procs as root", 0, 0, procs);
	as_user("O_PATH", 65534, 65534, opath);
	cleanup();
	return 0;
}
