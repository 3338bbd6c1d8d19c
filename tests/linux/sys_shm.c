/* System V shared memory: shmget's keys, sizes and flags, shmat at an
 * address of its own or a given one (SHM_RND, SHM_RDONLY, SHM_REMAP),
 * shmdt, shmctl's commands, the attachment count through fork, exec, exit
 * and split mappings, IPC_RMID while attached, /proc's views, and what an
 * unprivileged user is refused.  Differential: the output must be
 * Linux's (ids, pids and times are shown as facts about them). */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/wait.h>

#include "check.h"

#define KEY           0x5eed0001
#define SHM_STAT_ANY_ 15

static char *self;

static struct shmid_ds st(int id)
{
	struct shmid_ds d;
	memset(&d, 0xff, sizeof d);
	if (syscall(SYS_shmctl, id, IPC_STAT, &d))
		say("IPC_STAT failed: %s\n", errname(errno));
	return d;
}

static void show(const char *what, int id)
{
	struct shmid_ds d = st(id);
	say("%s: key %#x mode %#o size %zu nattch %lu uid %u gid %u cuid %u cgid %u\n", what,
	    (unsigned)d.shm_perm.__ipc_perm_key, d.shm_perm.mode, d.shm_segsz, d.shm_nattch, d.shm_perm.uid,
	    d.shm_perm.gid, d.shm_perm.cuid, d.shm_perm.cgid);
}

static unsigned long nattch(int id)
{
	return st(id).shm_nattch;
}

/* runs fn in a child; says how it ended if not with 0 */
static void in_child_arg(void (*fn)(int), int arg)
{
	pid_t c = fork();
	if (c == 0) {
		fn(arg);
		_exit(0);
	}
	int s;
	waitpid(c, &s, 0);
	if (WIFSIGNALED(s))
		say("child killed by signal %d\n", WTERMSIG(s));
	else if (WEXITSTATUS(s))
		say("child status %d\n", WEXITSTATUS(s));
}

/* the lines of /proc/self/maps of segments: their rights, device and
 * names, and whether the inode number is the segment's id (as Linux) */
static void maps(int id)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	while (f && fgets(line, sizeof line, f)) {
		char *name = strstr(line, "/SYSV");
		char perms[8], dev[16];
		unsigned long ino;
		if (name && sscanf(line, "%*s %7s %*s %15s %lu", perms, dev, &ino) == 3)
			say("maps: %s %s ino is the id: %s, %s", perms, dev, ino == (unsigned long)id ? "yes" : "no",
			    name);
	}
	if (f)
		fclose(f);
}

static void creation(void)
{
	say("-- creation\n");
	T(shmget(IPC_PRIVATE, 0, 0600));
	T(syscall(SYS_shmget, IPC_PRIVATE, ~0ul - (1ul << 24) + 1, 0600)); /* beyond SHMMAX */
	T(syscall(SYS_shmget, IPC_PRIVATE, 1ul << 40, 0600));              /* more than the memory */
	T(shmget(KEY, 4096, 0600));
	int id = shmget(KEY, 5000, IPC_CREAT | 0640);
	fact("made", id >= 0);
	fact("again the same", shmget(KEY, 4096, IPC_CREAT | 0600) == id);
	fact("with size 0 the same", shmget(KEY, 0, 0) == id);
	T(shmget(KEY, 4096, IPC_CREAT | IPC_EXCL | 0600));
	T(shmget(KEY, 8192, 0));
	show("keyed", id);
	struct shmid_ds d = st(id);
	fact("cpid is mine", d.shm_cpid == getpid());
	fact("lpid, atime, dtime 0", !d.shm_lpid && !d.shm_atime && !d.shm_dtime);
	fact("ctime set", d.shm_ctime > 0);
	d.shm_perm.uid = 1234;
	d.shm_perm.gid = 99;
	d.shm_perm.mode = 0777 | 07000;
	T(syscall(SYS_shmctl, id, IPC_SET, &d));
	show("after IPC_SET", id);
	d.shm_perm.uid = -1;
	T(syscall(SYS_shmctl, id, IPC_SET, &d));
	T(syscall(SYS_shmctl, id, IPC_RMID, NULL));
	T(shmget(KEY, 0, 0));
	T(syscall(SYS_shmctl, id, IPC_STAT, &d));
	T(syscall(SYS_shmctl, id, IPC_RMID, NULL));
	int big = shmget(IPC_PRIVATE, 4 << 20, 0600);
	fact("4 MiB made", big >= 0);
	char *m = shmat(big, NULL, 0);
	m[(4 << 20) - 1] = 1;
	fact("its last byte", m[(4 << 20) - 1] == 1);
	T(shmdt(m));
	T(syscall(SYS_shmctl, big, IPC_RMID, NULL));
}

static void readonly_write(int id)
{
	volatile char *r = shmat(id, NULL, SHM_RDONLY);
	say("read-only attachment reads %c\n", r[0]);
	T(mprotect((void *)r, 4096, PROT_READ | PROT_WRITE));
	r[0] = 'w'; /* SIGSEGV */
	say("not reached\n");
}

static void attach(void)
{
	say("-- attach and detach\n");
	int id = shmget(IPC_PRIVATE, 10000, 0600);
	char *p = shmat(id, NULL, 0);
	fact("attached", p != (void *)-1);
	fact("page aligned", ((unsigned long)p & 4095) == 0);
	struct shmid_ds d = st(id);
	fact("lpid is mine", d.shm_lpid == getpid());
	fact("atime set", d.shm_atime > 0);
	strcpy(p, "first");
	strcpy(p + 9999, "");
	char *q = shmat(id, NULL, 0);
	fact("second elsewhere", q != p);
	say("second reads %s\n", q);
	strcpy(q + 8192, "third page");
	say("first reads %s\n", p + 8192);
	say("nattch %lu\n", nattch(id));
	maps(id);
	T(shmdt(q));
	fact("dtime set", st(id).shm_dtime > 0);
	say("nattch %lu\n", nattch(id));
	T(shmdt(q));
	T(shmdt(p + 1));
	T(shmdt(p + 4096));                                /* (a piece would be at offset 1 there: none) */
	T(shmdt((void *)((unsigned long)self & ~4095ul))); /* (the stack: no segment) */
	/* a given address, rounded with SHM_RND, and replaced with SHM_REMAP */
	char *a = mmap(NULL, 4 * 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(a, 4 * 4096);
	fact("at the given address", shmat(id, a, 0) == a);
	say("it reads %s\n", a);
	T(shmat(id, a + 1, 0));
	T(shmat(id, a + 1, SHM_RND)); /* (taken) */
	fact("SHM_RND|SHM_REMAP there", shmat(id, a + 1, SHM_RND | SHM_REMAP) == a);
	say("nattch %lu\n", nattch(id));
	T(shmat(id, NULL, SHM_REMAP));
	T(shmat(id, BAD_KERNEL, 0)); /* beyond the top */
	T(shmat(-1, NULL, 0));
	T(shmat(id + 1, NULL, 0));
	T(shmdt(a));
	/* a split attachment is two, and shmdt takes both */
	T(mprotect(p + 4096, 4096, PROT_READ));
	say("split: nattch %lu\n", nattch(id));
	T(munmap(p + 4096, 4096));
	say("hole: nattch %lu\n", nattch(id));
	T(shmdt(p));
	say("shmdt: nattch %lu\n", nattch(id));
	char *x = shmat(id, NULL, SHM_EXEC);
	fact("SHM_EXEC attached", x != (void *)-1);
	T(shmdt(x));
	in_child_arg(readonly_write, id);
	T(syscall(SYS_shmctl, id, IPC_RMID, NULL));
}

static void child_side(int id)
{
	char *p = shmat(id, NULL, 0);
	say("child reads %s\n", p);
	strcpy(p, "from child");
	say("child: nattch %lu\n", nattch(id));
}

static void lifetime(void)
{
	say("-- fork, exec, exit and IPC_RMID\n");
	int id = shmget(KEY + 1, 8192, IPC_CREAT | 0600);
	char *p = shmat(id, NULL, 0);
	strcpy(p, "parent");
	in_child_arg(child_side, id);
	say("parent reads %s\n", p);
	fact("lpid is the child's", st(id).shm_lpid != getpid());
	say("nattch %lu\n", nattch(id));
	pid_t c = fork();
	if (c == 0) {
		say("forked child: nattch %lu\n", nattch(id));
		say("inherited reads %s\n", p);
		strcpy(p, "written by the child");
		char arg[32];
		snprintf(arg, sizeof arg, "%d", id);
		execl(self, self, "exec", arg, (char *)NULL);
		_exit(9);
	}
	waitpid(c, NULL, 0);
	say("parent reads %s\n", p);
	say("nattch %lu\n", nattch(id));
	T(syscall(SYS_shmctl, id, IPC_RMID, NULL));
	show("removed, attached", id);
	T(shmget(KEY + 1, 0, 0));
	char *q = shmat(id, NULL, 0);
	fact("a removed segment still attaches", q != (void *)-1);
	say("it reads %s\n", q);
	say("nattch %lu\n", nattch(id));
	maps(id);
	T(shmdt(q));
	T(shmdt(p));
	T(syscall(SYS_shmctl, id, IPC_STAT, &(struct shmid_ds){0}));
	/* removed while a child has it: it goes with the child */
	id = shmget(IPC_PRIVATE, 4096, 0600);
	p = shmat(id, NULL, 0);
	c = fork();
	if (c == 0) {
		pause();
		_exit(0);
	}
	T(shmdt(p));
	T(syscall(SYS_shmctl, id, IPC_RMID, NULL));
	say("child holds it: nattch %lu\n", nattch(id));
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	T(syscall(SYS_shmctl, id, IPC_STAT, &(struct shmid_ds){0}));
}

/* the segment a parent attached and passed by id (execed image) */
static int exec_side(int id)
{
	say("after exec: nattch %lu\n", nattch(id));
	return 0;
}

static void control(void)
{
	say("-- shmctl\n");
	struct shminfo si;
	fact("IPC_INFO >= 0", syscall(SYS_shmctl, 0, IPC_INFO, &si) >= 0);
	say("shminfo: max %lu min %lu mni %lu seg %lu all %lu\n", si.shmmax, si.shmmin, si.shmmni, si.shmseg,
	    si.shmall);
	int id = shmget(IPC_PRIVATE, 3 * 4096, 0600);
	char *p = shmat(id, NULL, 0);
	p[0] = 1;
	p[8192] = 1;
	struct shm_info in;
	fact("SHM_INFO >= 0", syscall(SYS_shmctl, 0, SHM_INFO, &in) >= 0);
	say("shm_info: used %d tot %lu rss %lu swp %lu\n", in.__used_ids, in.shm_tot, in.shm_rss, in.shm_swp);
	struct shmid_ds d;
	int idx = id & 0x7fff;
	fact("SHM_STAT of its index is its id", syscall(SYS_shmctl, idx, SHM_STAT, &d) == id);
	fact("SHM_STAT_ANY the same", syscall(SYS_shmctl, idx, SHM_STAT_ANY_, &d) == id);
	T(syscall(SYS_shmctl, idx + 1, SHM_STAT, &d));
	T(syscall(SYS_shmctl, id, SHM_LOCK, NULL));
	show("locked", id);
	T(syscall(SYS_shmctl, id, SHM_UNLOCK, NULL));
	show("unlocked", id);
	T(syscall(SYS_shmctl, id, 99, &d));
	T(syscall(SYS_shmctl, id, -1, &d));
	T(syscall(SYS_shmctl, -1, IPC_STAT, &d));
	T(syscall(SYS_shmctl, id, IPC_STAT, BAD_USER));
	T(syscall(SYS_shmctl, id, IPC_SET, BAD_USER));
	T(syscall(SYS_shmctl, id, IPC_INFO, BAD_KERNEL));
	T(syscall(SYS_shmctl, id, SHM_INFO, BAD_USER));
	T(shmdt(p));
	T(syscall(SYS_shmctl, id, IPC_RMID, NULL));
	char buf[64] = "";
	for (const char *f = "shmmax\0shmall\0shmmni\0"; *f; f += strlen(f) + 1) {
		char path[64];
		snprintf(path, sizeof path, "/proc/sys/kernel/%s", f);
		int fd = open(path, O_RDONLY);
		int n = read(fd, buf, sizeof buf - 1);
		buf[n > 0 ? n : 0] = 0;
		say("%s: %s", f, buf);
		close(fd);
	}
}

/* /proc/sysvipc/shm without the columns that differ (ids, pids, times) */
static void sysvipc(void)
{
	say("-- /proc/sysvipc/shm\n");
	int a = shmget(KEY + 2, 100, IPC_CREAT | 0644);
	char *p = shmat(a, NULL, 0);
	p[0] = 1;
	FILE *f = fopen("/proc/sysvipc/shm", "r");
	char line[512];
	for (int n = 0; f && fgets(line, sizeof line, f); n++) {
		char c[17][32];
		int k = sscanf(line, "%31s %31s %31s %31s %31s %31s %31s %31s %31s %31s %31s %31s %31s %31s %31s %31s",
			       c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13],
			       c[14], c[15]);
		if (k == 16)
			say("%s %s %s nattch %s ids %s %s %s %s rss %s swap %s\n", c[0], c[2], c[3], c[6], c[7], c[8],
			    c[9], c[10], c[14], c[15]);
		else
			say("line of %d fields\n", k);
	}
	if (f)
		fclose(f);
	shmdt(p);
	syscall(SYS_shmctl, a, IPC_RMID, NULL);
}

static void become_nobody(void)
{
	syscall(SYS_setgroups, 0, NULL);
	syscall(SYS_setgid, 65534);
	syscall(SYS_setuid, 65534);
}

static void nobody(int unused)
{
	(void)unused;
	become_nobody();
	int id = shmget(KEY + 3, 0, 0);
	fact("found", id >= 0);
	T(shmget(KEY + 3, 0, 0600));
	T(shmat(id, NULL, 0));
	T(shmat(id, NULL, SHM_RDONLY));
	struct shmid_ds d;
	T(syscall(SYS_shmctl, id, IPC_STAT, &d));
	fact("SHM_STAT_ANY allowed", syscall(SYS_shmctl, id & 0x7fff, SHM_STAT_ANY_, &d) == id);
	T(syscall(SYS_shmctl, id & 0x7fff, SHM_STAT, &d));
	T(syscall(SYS_shmctl, id, IPC_RMID, NULL));
	T(syscall(SYS_shmctl, id, IPC_SET, &d));
	T(syscall(SYS_shmctl, id, SHM_LOCK, NULL));
	T(syscall(SYS_shmctl, id, SHM_UNLOCK, NULL));
	/* others may read this one */
	int r = shmget(KEY + 4, 0, 0);
	char *p = shmat(r, NULL, SHM_RDONLY);
	fact("read-only attach", p != (void *)-1);
	say("reads %s\n", p);
	T(shmat(r, NULL, 0));
	T(syscall(SYS_shmctl, r, IPC_STAT, &d));
	/* the group's */
	int g = shmget(KEY + 5, 0, 0);
	char *w = shmat(g, NULL, 0);
	fact("group read-write attach", w != (void *)-1);
	strcpy(w, "by nobody");
	/* one of its own (by IPC_SET), but mode 0: even the owner is refused
	 * access, not control */
	int o = shmget(KEY + 6, 0, 0);
	T(shmat(o, NULL, SHM_RDONLY));
	T(syscall(SYS_shmctl, o, IPC_STAT, &d));
	T(syscall(SYS_shmctl, o, SHM_LOCK, NULL));
	T(syscall(SYS_shmctl, o, SHM_UNLOCK, NULL));
	struct rlimit rl = {4096, 4096};
	T(setrlimit(RLIMIT_MEMLOCK, &rl));
	T(syscall(SYS_shmctl, o, SHM_LOCK, NULL)); /* (two pages over one) */
	rl.rlim_cur = 0;
	T(setrlimit(RLIMIT_MEMLOCK, &rl));
	T(syscall(SYS_shmctl, o, SHM_LOCK, NULL));
	T(syscall(SYS_shmctl, o, IPC_RMID, NULL));
	/* hostile pointers */
	T(shmdt(BAD_KERNEL));
	T(syscall(SYS_shmctl, r, IPC_STAT, BAD_KERNEL));
}

static void unprivileged(void)
{
	say("-- an unprivileged user\n");
	int a = shmget(KEY + 3, 4096, IPC_CREAT | 0600);
	int r = shmget(KEY + 4, 4096, IPC_CREAT | 0604);
	char *rp = shmat(r, NULL, 0);
	strcpy(rp, "for all to read");
	int g = shmget(KEY + 5, 4096, IPC_CREAT | 0660);
	struct shmid_ds d = st(g);
	d.shm_perm.gid = 65534;
	syscall(SYS_shmctl, g, IPC_SET, &d);
	int o = shmget(KEY + 6, 8192, IPC_CREAT | 0600);
	d = st(o);
	d.shm_perm.uid = 65534;
	d.shm_perm.mode = 0;
	syscall(SYS_shmctl, o, IPC_SET, &d);
	fact("root passes mode 0 (CAP_IPC_OWNER)", shmget(KEY + 6, 0, 0600) == o);
	in_child_arg(nobody, 0);
	char *gp = shmat(g, NULL, 0);
	say("root reads %s\n", gp);
	T(shmget(KEY + 6, 0, 0600)); /* (nobody removed it) */
	T(syscall(SYS_shmctl, o, IPC_STAT, &d));
	shmdt(gp);
	shmdt(rp);
	syscall(SYS_shmctl, a, IPC_RMID, NULL);
	syscall(SYS_shmctl, r, IPC_RMID, NULL);
	syscall(SYS_shmctl, g, IPC_RMID, NULL);
	struct shm_info in;
	syscall(SYS_shmctl, 0, SHM_INFO, &in);
	say("in the end: used %d tot %lu\n", in.__used_ids, in.shm_tot);
}

int main(int argc, char **argv)
{
	self = argv[0];
	if (argc == 3 && !strcmp(argv[1], "exec"))
		return exec_side(atoi(argv[2]));
	creation();
	attach();
	lifetime();
	control();
	sysvipc();
	unprivileged();
	return 0;
}
