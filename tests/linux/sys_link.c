/*
 * New names: link and linkat (hard links: the link count, the times,
 * what removing one name leaves, links to symbolic links, AT_EMPTY_PATH,
 * AT_SYMLINK_FOLLOW), mknod and mknodat (regular files, devices, socket
 * nodes: their types, modes and device numbers), and their errors.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "check.h"

static const char *type_name(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG: return "regular";
	case S_IFDIR: return "directory";
	case S_IFLNK: return "symlink";
	case S_IFCHR: return "chardev";
	case S_IFBLK: return "blockdev";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "socket";
	default: return "other";
	}
}

static void show(const char *path)
{
	struct stat st;
	if (lstat(path, &st)) {
		say("lstat %s = -1 %s\n", path, errname(errno));
		return;
	}
	say("%s: %s mode %o nlink %ld size %ld rdev %u,%u\n", path, type_name(st.st_mode), st.st_mode & 07777,
	    (long)st.st_nlink, (long)st.st_size, major(st.st_rdev), minor(st.st_rdev));
}

static long ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000l + t->tv_nsec;
}

static void pause_ms(long ms)
{
	struct timespec d = {0, ms * 1000000};
	nanosleep(&d, NULL);
}

static void changed(const char *what, const struct stat *a, const struct stat *b)
{
	say("%s: atime %s, mtime %s, ctime %s\n", what, ns(&b->st_atim) != ns(&a->st_atim) ? "changed" : "kept",
	    ns(&b->st_mtim) != ns(&a->st_mtim) ? "changed" : "kept",
	    ns(&b->st_ctim) != ns(&a->st_ctim) ? "changed" : "kept");
}

/* the names in dir, in the order getdents gives them */
static void list(const char *dir)
{
	char buf[4096], line[1024] = "";
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
	for (long off = 0; off < n;) {
		const char *name = buf + off + 19;
		if (strcmp(name, ".") && strcmp(name, "..")) {
			strncat(line, " ", sizeof line - strlen(line) - 1);
			strncat(line, name, sizeof line - strlen(line) - 1);
		}
		off += *(unsigned short *)(buf + off + 16);
	}
	close(fd);
	say("%s:%s\n", dir, line);
}

static void hard_links(void)
{
	struct stat a, b, da, db, sa, sb;
	char buf[16];
	say("-- link\n");
	T(mkdir("/tmp/ln", 0755));
	T(mkdir("/tmp/ln/sub", 0755));
	int fd = T(open("/tmp/ln/a", O_CREAT | O_RDWR, 0644));
	T(write(fd, "first", 5));
	T(fstat(fd, &a));
	T(stat("/tmp/ln", &da));
	pause_ms(20);
	T(link("/tmp/ln/a", "/tmp/ln/b"));
	T(fstat(fd, &b));
	T(stat("/tmp/ln", &db));
	changed("link: the file", &a, &b);
	changed("link: the directory", &da, &db);
	show("/tmp/ln/a");
	show("/tmp/ln/b");
	T(stat("/tmp/ln/b", &sb));
	fact("the same inode", sb.st_ino == b.st_ino && sb.st_dev == b.st_dev);
	T(link("/tmp/ln/b", "/tmp/ln/sub/c"));
	show("/tmp/ln/sub/c");
	T(pwrite(fd, "FIRST", 5, 0));
	int fd2 = T(open("/tmp/ln/sub/c", O_RDONLY));
	T(read(fd2, buf, 5));
	fact("a write through one name shows through another", !memcmp(buf, "FIRST", 5));
	T(close(fd2));
	list("/tmp/ln");
	/* removing a name leaves the others */
	T(unlink("/tmp/ln/a"));
	show("/tmp/ln/b");
	list("/tmp/ln");
	/* two names in one directory: each goes by its own name */
	T(link("/tmp/ln/b", "/tmp/ln/b2"));
	T(unlink("/tmp/ln/b2"));
	list("/tmp/ln");
	show("/tmp/ln/b");
	T(rename("/tmp/ln/b", "/tmp/ln/sub/c")); /* two names of one file: nothing happens */
	list("/tmp/ln");
	list("/tmp/ln/sub");
	T(unlink("/tmp/ln/b"));
	show("/tmp/ln/sub/c");
	T(unlink("/tmp/ln/sub/c"));
	T(fstat(fd, &b));
	say("the open file after its last name: nlink %ld\n", (long)b.st_nlink);
	T(linkat(fd, "", AT_FDCWD, "/tmp/ln/again", AT_EMPTY_PATH)); /* a file with no name stays so */
	T(close(fd));

	say("-- link: symbolic links, descriptors, flags\n");
	T(close(T(open("/tmp/ln/f", O_CREAT | O_WRONLY, 0600))));
	T(symlink("f", "/tmp/ln/s"));
	T(symlink("nowhere", "/tmp/ln/dangling"));
	T(lstat("/tmp/ln/s", &sa));
	T(link("/tmp/ln/s", "/tmp/ln/s2")); /* the link itself */
	show("/tmp/ln/s2");
	show("/tmp/ln/f");
	T(lstat("/tmp/ln/s2", &sb));
	fact("link(2) does not follow", sb.st_ino == sa.st_ino);
	T(linkat(AT_FDCWD, "/tmp/ln/s", AT_FDCWD, "/tmp/ln/s3", AT_SYMLINK_FOLLOW));
	show("/tmp/ln/s3");
	show("/tmp/ln/f");
	T(link("/tmp/ln/dangling", "/tmp/ln/d2"));
	T(linkat(AT_FDCWD, "/tmp/ln/dangling", AT_FDCWD, "/tmp/ln/d3", AT_SYMLINK_FOLLOW));
	int dfd = T(open("/tmp/ln", O_RDONLY | O_DIRECTORY));
	int sfd = T(open("/tmp/ln/sub", O_RDONLY | O_DIRECTORY));
	T(linkat(dfd, "f", sfd, "f", 0));
	show("/tmp/ln/sub/f");
	fd = T(open("/tmp/ln/f", O_RDONLY));
	T(linkat(fd, "", dfd, "g", AT_EMPTY_PATH));
	show("/tmp/ln/g");
	T(linkat(fd, "", dfd, "g2", 0));
	T(linkat(dfd, "f", dfd, "g3", 0x8));
	T(linkat(dfd, "f", dfd, "g3", AT_SYMLINK_NOFOLLOW));
	T(close(fd));

	say("-- link errors\n");
	T(link("/tmp/ln/missing", "/tmp/ln/x"));
	T(link("/tmp/ln/f", "/tmp/ln/g"));
	T(link("/tmp/ln/f", "/tmp/ln/s"));
	T(link("/tmp/ln/f", "/tmp/ln/dangling"));
	T(link("/tmp/ln/f", "/tmp/ln/nodir/x"));
	T(link("/tmp/ln/f", "/tmp/ln/f/x"));
	T(link("/tmp/ln/f", "/tmp/ln/new/"));
	T(link("/tmp/ln/f", "/tmp/ln/sub/."));
	T(link("/tmp/ln/f", "/tmp/ln/sub/.."));
	T(link("/tmp/ln/sub", "/tmp/ln/subdir"));
	T(link("/tmp/ln/missing", "/tmp/ln/g")); /* the old name is looked at first */
	T(link("/tmp/ln/f/", "/tmp/ln/x"));
	T(link("/tmp/ln/f", "/proc/x"));
	T(link("/proc/self/status", "/tmp/ln/x"));
	T(link("/proc/self/status", "/proc/self/x"));
	T(link("", "/tmp/ln/x"));
	T(link("/tmp/ln/f", ""));
	T(link(BAD_USER, "/tmp/ln/x"));
	T(link("/tmp/ln/f", BAD_KERNEL));
	T(linkat(12345, "f", dfd, "x", 0));
	T(linkat(dfd, "f", 12345, "x", 0));
	T(linkat(12345, "", dfd, "x", AT_EMPTY_PATH));
	T(close(dfd));
	T(close(sfd));
}

static void nodes(void)
{
	say("-- mknod\n");
	T(mkdir("/tmp/nod", 0755));
	T(mknod("/tmp/nod/reg", S_IFREG | 0640, 0));
	show("/tmp/nod/reg");
	T(mknod("/tmp/nod/zero", 0600, 0));
	show("/tmp/nod/zero");
	T(mknod("/tmp/nod/null", S_IFCHR | 0666, makedev(1, 3)));
	show("/tmp/nod/null");
	int fd = T(open("/tmp/nod/null", O_RDWR));
	T(write(fd, "gone", 4));
	char c;
	T(read(fd, &c, 1));
	T(close(fd));
	T(mknod("/tmp/nod/big", S_IFCHR | 0600, makedev(300, 70000)));
	show("/tmp/nod/big");
	T(open("/tmp/nod/big", O_RDONLY));
	T(mknod("/tmp/nod/blk", S_IFBLK | 0660, makedev(8, 1)));
	show("/tmp/nod/blk");
	T(open("/tmp/nod/blk", O_RDONLY));
	T(mknod("/tmp/nod/sock", S_IFSOCK | 0755, 0));
	show("/tmp/nod/sock");
	T(open("/tmp/nod/sock", O_RDONLY));
	T(umask(027));
	T(mknodat(AT_FDCWD, "/tmp/nod/masked", S_IFREG | 0777, 0));
	show("/tmp/nod/masked");
	T(umask(022));
	T(mknod("/tmp/nod/suid", S_IFREG | 06755, 0));
	show("/tmp/nod/suid");
	int dfd = T(open("/tmp/nod", O_RDONLY | O_DIRECTORY));
	T(mknodat(dfd, "rel", S_IFCHR | 0600, makedev(1, 5)));
	show("/tmp/nod/rel");
	T(syscall(SYS_mknodat, dfd, "wide", 0x10000 | S_IFREG | 0600, 0));
	show("/tmp/nod/wide");
	list("/tmp/nod");
	struct stat st;
	T(stat("/tmp/nod", &st));
	say("the directory: nlink %ld\n", (long)st.st_nlink);

	say("-- mknod errors\n");
	T(mknod("/tmp/nod/dir", S_IFDIR | 0755, 0));
	T(mknod("/tmp/nod/lnk", S_IFLNK | 0777, 0));
	T(mknod("/tmp/nod/bad", 0170000 | 0777, 0));
	T(mknod("/tmp/nod/reg", S_IFREG | 0600, 0));
	T(mknod("/tmp/nod/reg/x", S_IFREG | 0600, 0));
	T(mknod("/tmp/nod/missing/x", S_IFREG | 0600, 0));
	T(mknod("/tmp/nod/slash/", S_IFREG | 0600, 0));
	T(mknod("/tmp/nod/.", S_IFREG | 0600, 0));
	T(mknod("", S_IFREG | 0600, 0));
	T(mknod(BAD_USER, S_IFREG | 0600, 0));
	T(mknod("/proc/x", S_IFREG | 0600, 0));
	T(mknod("/nope/dir", S_IFDIR | 0600, 0)); /* the type is looked at first */
	T(mknodat(12345, "x", S_IFREG | 0600, 0));
	T(mknodat(dfd, "reg", S_IFCHR | 0600, 0));
	T(close(dfd));
}

int main(void)
{
	hard_links();
	nodes();
	say("done\n");
	return 0;
}
