/* mount and umount2 of tmpfs: its size (ENOSPC beyond it, statfs), its
 * inodes (nr_inodes: every kind of new file and an extra name ENOSPC past
 * it, statfs's counts, remount's rules; size=0 and nr_inodes=0), mode
 * and owner, /proc/mounts, crossing the mount point both ways (getcwd,
 * ".."), another file system (EXDEV, st_dev), a mount point that is busy
 * (EBUSY for rmdir and umount; MNT_DETACH; MNT_EXPIRE), MS_REMOUNT with
 * MS_RDONLY (EROFS), MS_NOSUID, MS_NOEXEC, MS_NODEV, the errors of bad
 * arguments, and a user's refusal (EPERM).  Differential: the output must
 * be Linux's. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "check.h"

#define M "/tmp/mnt"

static const char *self_path;

/* the line of /proc/mounts for M (or none) */
static void mounts_line(void)
{
	static char buf[8192];
	int fd = open("/proc/mounts", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	int found = 0;
	for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n"))
		if (strstr(l, " " M " ")) {
			say("mounts: %s\n", l);
			found = 1;
		}
	if (!found)
		say("mounts: no " M "\n");
}

static void fs_facts(const char *path)
{
	struct statfs s;
	if (statfs(path, &s)) {
		say("statfs %s: %s\n", path, errname(errno));
		return;
	}
	/* (the default size is half of memory, which differs) */
	if (s.f_blocks > 1000)
		say("statfs %s: tmpfs %d bsize %ld blocks many, %s used flags %#lx\n", path, s.f_type == 0x01021994,
		    (long)s.f_bsize, s.f_blocks - s.f_bfree < 1000 ? "few" : "more", (unsigned long)s.f_flags);
	else
		say("statfs %s: tmpfs %d bsize %ld blocks %lu free %lu flags %#lx\n", path, s.f_type == 0x01021994,
		    (long)s.f_bsize, (unsigned long)s.f_blocks, (unsigned long)s.f_bfree, (unsigned long)s.f_flags);
}

static void basics(void)
{
	say("-- a tmpfs of 64k\n");
	T(mkdir(M, 0755));
	T(mount("tmpfs", M, "tmpfs", 0, "size=64k,mode=0750"));
	mounts_line();
	fs_facts(M);
	struct stat a, b;
	stat(M, &a);
	say("root: mode %o uid %u nlink %lu\n", a.st_mode, a.st_uid, (unsigned long)a.st_nlink);
	stat("/tmp", &b);
	fact("another device", a.st_dev != b.st_dev);
	static char block[16384];
	memset(block, 'x', sizeof block);
	int fd = open(M "/f", O_CREAT | O_RDWR, 0644);
	for (int i = 0; i < 5; i++)
		T(write(fd, block, sizeof block));
	fs_facts(M);
	T(fallocate(fd, 0, 0, 1 << 20));
	T(ftruncate(fd, 0));
	fs_facts(M);
	stat(M "/f", &b);
	fact("file on the mount's device", a.st_dev == b.st_dev);
	T(link(M "/f", "/tmp/f_link"));
	T(rename(M "/f", "/tmp/f_moved"));
	T(link(M "/f", M "/f2"));
	T(rename(M "/f2", M "/f3"));
	T(mkdir(M "/d", 0700));
	T(chdir(M "/d"));
	char cwd[256];
	say("getcwd = %s\n", getcwd(cwd, sizeof cwd));
	T(chdir("../.."));
	say("getcwd = %s\n", getcwd(cwd, sizeof cwd));
	T(chdir(M));
	T(rmdir(M));
	T(umount2(M, 0));
	T(chdir("/"));
	T(umount2(M, 0)); /* (the file is still open) */
	close(fd);
	T(umount2(M, 0));
	mounts_line();
	T(access(M "/f3", F_OK));
	T(rmdir(M));
}

static void flags(void)
{
	say("-- flags\n");
	T(mkdir(M, 0755));
	T(mount("none", M, "tmpfs", MS_NOSUID | MS_NODEV, NULL));
	mounts_line();
	fs_facts(M);
	copy_file(self_path, M "/suid", 04755, 0, 0);
	T(run_as(M "/suid", "ids", 65534)); /* (a set-user-ID root program makes nobody root) */
	T(mknod(M "/null", S_IFCHR | 0666, makedev(1, 3)));
	T(open(M "/null", O_WRONLY));
	T(mount(NULL, M, NULL, MS_REMOUNT | MS_NOEXEC | MS_RDONLY, NULL));
	mounts_line();
	fs_facts(M);
	T(run_as(M "/suid", "ids", 65534));
	T(open(M "/new", O_CREAT | O_WRONLY, 0644));
	T(open(M "/suid", O_WRONLY));
	int fd = open(M "/suid", O_RDONLY);
	fact("opened to read", fd >= 0);
	void *x = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	say("mmap with PROT_EXEC: %s\n", x == MAP_FAILED ? errname(errno) : "mapped");
	void *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	T(mprotect(m, 4096, PROT_READ | PROT_EXEC));
	munmap(m, 4096);
	T(mkdir(M "/d", 0755));
	T(unlink(M "/suid"));
	T(chmod(M "/suid", 0755));
	T(chown(M "/suid", 1, 1));
	T(utimensat(AT_FDCWD, M "/suid", NULL, 0));
	T(access(M "/suid", W_OK));
	T(truncate(M "/suid", 0));
	T(mount(NULL, M, NULL, MS_REMOUNT, "size=1m"));
	mounts_line();
	fs_facts(M);
	T(unlink(M "/suid"));
	T(unlink(M "/null"));
	T(umount2(M, 0)); /* (still open, unnamed) */
	close(fd);
	T(umount2(M, 0));
	T(rmdir(M));
}

static void detach(void)
{
	say("-- lazy and expiring\n");
	T(mkdir(M, 0755));
	T(mount("x", M, "tmpfs", 0, "mode=700,uid=1,gid=2"));
	mounts_line();
	int fd = open(M "/kept", O_CREAT | O_RDWR, 0600);
	T(write(fd, "still here", 10));
	T(umount2(M, MNT_DETACH));
	mounts_line();
	char buf[16] = {0};
	T(pread(fd, buf, 10, 0));
	say("read: %s\n", buf);
	close(fd);
	T(access(M "/kept", F_OK));
	T(mount("x", M, "ramfs", 0, NULL));
	mounts_line();
	T(umount2(M, MNT_EXPIRE));
	T(umount2(M, MNT_EXPIRE));
	mounts_line();
	T(rmdir(M));
}

static void errors(void)
{
	say("-- errors\n");
	T(mkdir(M, 0755));
	T(mount("tmpfs", "/tmp/missing/x", "tmpfs", 0, NULL));
	T(mount("tmpfs", "/etc/passwd", "tmpfs", 0, NULL));
	T(mount("tmpfs", M, "nosuchfs", 0, NULL));
	T(mount("tmpfs", M, "tmpfs", 0, "bogus=1"));
	T(mount("tmpfs", M, "tmpfs", 0, "size=12q"));
	T(mount("tmpfs", M, "tmpfs", 0, "mode=9"));
	T(mount("tmpfs", M, BAD_USER, 0, NULL));
	T(mount("tmpfs", BAD_USER, "tmpfs", 0, NULL));
	T(mount(NULL, M, NULL, MS_REMOUNT, NULL));
	T(umount2(M, 0));
	T(umount2("/tmp/missing", 0));
	T(umount2(M, 0x100));
	T(umount2(M, MNT_EXPIRE | MNT_DETACH));
	T(umount2(BAD_USER, 0));
	T(mount("tmpfs", M, "tmpfs", 0, NULL));
	T(mount("tmpfs", M, "tmpfs", 0, "size=8k")); /* on top */
	fs_facts(M);
	T(umount2(M, 0));
	fs_facts(M);
	struct statfs s;
	statfs(M, &s);
	fact("the first one's default size shows", s.f_blocks > 2);
	T(umount2(M, 0));
	T(rmdir(M));
}

static void as_user(void)
{
	say("-- as a user\n");
	T(mkdir(M, 0777));
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		if (setgid(65534) || setuid(65534))
			say("setuid: %s\n", errname(errno));
		T(mount("tmpfs", M, "tmpfs", 0, NULL));
		T(mount("tmpfs", "/tmp/missing", "tmpfs", 0, NULL));
		T(umount2("/proc", 0));
		T(umount2(M, 0));
		_exit(0);
	}
	waitpid(c, NULL, 0);
	mounts_line();
	T(rmdir(M));
}

/* the inodes of the tmpfs at M (not those of the file system under it,
 * where the mount failed: the root's differ) */
static void files(const char *what)
{
	struct statfs s;
	struct stat m, t;
	statfs(M, &s);
	stat(M, &m);
	stat("/tmp", &t);
	if (m.st_dev == t.st_dev)
		say("%s: not a mount\n", what);
	else
		say("%s: files %lu free %lu\n", what, (unsigned long)s.f_files, (unsigned long)s.f_ffree);
}

static void inodes(void)
{
	say("-- nr_inodes\n");
	T(mkdir(M, 0755));
	T(mount("tmpfs", M, "tmpfs", 0, "nr_inodes=5"));
	mounts_line();
	files("new");
	T(close(open(M "/a", O_CREAT | O_WRONLY, 0644)));
	T(mkdir(M "/d", 0755));
	T(symlink("a", M "/l"));
	T(mknod(M "/p", S_IFIFO | 0644, 0));
	files("four made");
	T(open(M "/b", O_CREAT | O_WRONLY, 0644));
	T(close(open(M "/a", O_CREAT | O_WRONLY, 0644)));
	T(mkdir(M "/e", 0755));
	T(symlink("a", M "/m"));
	T(mknod(M "/q", S_IFIFO | 0644, 0));
	T(link(M "/a", M "/a2"));
	T(rename(M "/a", M "/a3"));
	T(unlink(M "/p"));
	files("one removed");
	T(link(M "/a3", M "/a2"));
	files("a second name");
	T(open(M "/b", O_CREAT | O_WRONLY, 0644));
	T(unlink(M "/a3"));
	files("one name removed");
	T(close(open(M "/b", O_CREAT | O_WRONLY, 0644)));
	T(rename(M "/b", M "/a2"));
	files("renamed over the last name");
	T(mount(NULL, M, NULL, MS_REMOUNT, "nr_inodes=2"));
	T(mount(NULL, M, NULL, MS_REMOUNT, "nr_inodes=2k"));
	mounts_line();
	files("remounted");
	T(mount(NULL, M, NULL, MS_REMOUNT, "nr_inodes=x"));
	T(mount(NULL, M, NULL, MS_REMOUNT, "nr_inodes=5%"));
	T(umount2(M, 0));
	T(mount("tmpfs", M, "tmpfs", 0, "nr_inodes=0,size=0"));
	mounts_line();
	files("no limits");
	fs_facts(M);
	int fd = open(M "/big", O_CREAT | O_WRONLY, 0644);
	static char block[65536];
	T(write(fd, block, sizeof block));
	close(fd);
	T(mount(NULL, M, NULL, MS_REMOUNT, "nr_inodes=100"));
	T(mount(NULL, M, NULL, MS_REMOUNT, "size=1m"));
	T(umount2(M, 0));
	T(rmdir(M));
}

int main(int argc, char **argv)
{
	self_path = argv[0];
	if (argc > 1 && !strcmp(argv[1], "ids")) {
		say("ids: euid %u\n", geteuid());
		return 0;
	}
	basics();
	flags();
	detach();
	errors();
	as_user();
	inodes();
	return 0;
}
