/* Credentials: user and group ids, supplementary groups, capabilities and
 * the permission to signal, as root and as other users (each scenario in
 * a child of its own).  Differential: the output must be Linux's. */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "check.h"

struct cap_hdr {
	uint32_t version;
	int pid;
};
struct cap_data {
	uint32_t eff, prm, inh;
};
#define CAPV3 0x20080522

static void ids(const char *when)
{
	unsigned r, e, s, gr, ge, gs;
	syscall(SYS_getresuid, &r, &e, &s);
	syscall(SYS_getresgid, &gr, &ge, &gs);
	say("%s: uid %u %u %u fsuid %ld, gid %u %u %u fsgid %ld\n", when, r, e, s, syscall(SYS_setfsuid, -1), gr, ge,
	    gs, syscall(SYS_setfsgid, -1));
}

static void caps(const char *when)
{
	struct cap_hdr h = {CAPV3, 0};
	struct cap_data d[2];
	syscall(SYS_capget, &h, d);
	say("%s: caps eff %08x%08x prm %08x%08x inh %08x%08x\n", when, d[1].eff, d[0].eff, d[1].prm, d[0].prm, d[1].inh,
	    d[0].inh);
}

/* the Uid, Gid, Groups and Cap lines of /proc/self/status */
static void status(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "Uid:", 4) || !strncmp(line, "Gid:", 4) || !strncmp(line, "Groups:", 7) ||
		    !strncmp(line, "CapPrm:", 7) || !strncmp(line, "CapEff:", 7))
			say("status %s", line);
	if (f)
		fclose(f);
}

static void root(void)
{
	say("-- root\n");
	ids("start");
	caps("start");
	T(getuid());
	T(geteuid());
	T(getgid());
	T(getegid());
	T(syscall(SYS_getgroups, 0, NULL));
	T(syscall(SYS_getgroups, -1, NULL));
	unsigned g[4] = {30, 10, 20, 10};
	T(syscall(SYS_setgroups, 4, g));
	T(syscall(SYS_getgroups, 0, NULL));
	T(syscall(SYS_getgroups, 2, g));
	unsigned out[8] = {0};
	long n = syscall(SYS_getgroups, 8, out);
	say("groups:");
	for (long i = 0; i < n; i++)
		say(" %u", out[i]);
	say("\n");
	T(syscall(SYS_setgroups, 65537, g));
	T(syscall(SYS_setgroups, 1, BAD_USER));
	T(syscall(SYS_getgroups, 8, BAD_USER));
	T(syscall(SYS_setuid, -1));
	T(syscall(SYS_setgid, -1));
	status();
}

/* setresuid to an ordinary user: every capability goes */
static void drop(void)
{
	say("-- root becomes 1000\n");
	T(syscall(SYS_setresgid, 100, 100, 100));
	T(syscall(SYS_setresuid, 1000, 1000, 1000));
	ids("after");
	caps("after");
	status();
	T(syscall(SYS_setuid, 0));
	T(syscall(SYS_setgid, 0));
	T(syscall(SYS_setreuid, 0, -1));
	T(syscall(SYS_setresuid, -1, 0, -1));
	T(syscall(SYS_setgroups, 0, NULL));
	T(syscall(SYS_setuid, 1000));
	T(syscall(SYS_setfsuid, 0)); /* (refused: the old value all the same) */
	ids("after refusals");
	unsigned g[1] = {5};
	T(syscall(SYS_setgroups, 1, g));
	T(kill(1, 0));
	T(kill(1, SIGTERM));
	T(kill(1, 999));
	T(syscall(SYS_tgkill, 1, 1, 0));
	T(kill(getpid(), 0));
	T(kill(getppid(), 0)); /* (root's) */
	/* capset cannot raise what was dropped */
	struct cap_hdr h = {CAPV3, 0};
	struct cap_data d[2] = {{1, 1, 0}, {0, 0, 0}};
	T(syscall(SYS_capset, &h, d));
	d[0].eff = d[0].prm = 0;
	T(syscall(SYS_capset, &h, d));
}

/* only the effective uid changes: the saved one lets it come back */
static void seteuid_back(void)
{
	say("-- effective uid away and back\n");
	T(syscall(SYS_setresuid, -1, 1000, -1));
	ids("euid 1000");
	caps("euid 1000");
	T(syscall(SYS_setuid, 0)); /* (euid 1000 lacks CAP_SETUID, but 0 is the real id) */
	ids("back");
	caps("back");
	T(syscall(SYS_setreuid, 2000, 3000));
	ids("setreuid 2000 3000");
	caps("setreuid");
	T(syscall(SYS_setreuid, 3000, -1));
	T(syscall(SYS_setreuid, -1, 2000));
	ids("swapped");
	T(syscall(SYS_setreuid, 0, -1));
}

/* keep-caps: the permitted set survives the uid change, the effective
 * one does not */
static void keepcaps(void)
{
	say("-- keep-caps\n");
	T(syscall(SYS_prctl, 8 /* PR_SET_KEEPCAPS */, 1, 0, 0, 0));
	T(syscall(SYS_prctl, 7 /* PR_GET_KEEPCAPS */, 0, 0, 0, 0));
	T(syscall(SYS_prctl, 8, 2, 0, 0, 0));
	T(syscall(SYS_setresuid, 1000, 1000, 1000));
	caps("kept");
	T(syscall(SYS_prctl, 27 /* PR_GET_SECUREBITS */, 0, 0, 0, 0));
	struct cap_hdr h = {CAPV3, 0};
	struct cap_data d[2] = {{1u << 7 /* CAP_SETUID */, 1u << 7, 0}, {0, 0, 0}};
	T(syscall(SYS_capset, &h, d));
	caps("capset");
	T(syscall(SYS_setuid, 0)); /* CAP_SETUID in effect again */
	ids("setuid 0");
	caps("setuid 0");
}

/* the file-system uid alone */
static void fsuid(void)
{
	say("-- fsuid\n");
	T(syscall(SYS_setfsuid, 1000));
	caps("fsuid 1000");
	T(syscall(SYS_setfsuid, 0));
	caps("fsuid 0");
	T(syscall(SYS_setfsgid, 50));
	ids("fsgid 50");
	T(syscall(SYS_setregid, 7, 8));
	ids("setregid 7 8");
}

/* two unprivileged users and signals between them */
static void signals(void)
{
	say("-- signals between users\n");
	int p[2];
	pipe(p);
	pid_t other = fork();
	if (other == 0) { /* user 2000, waits */
		syscall(SYS_setresuid, 2000, 2000, 2000);
		char c;
		close(p[1]);
		read(p[0], &c, 1);
		_exit(0);
	}
	close(p[0]);
	T(syscall(SYS_setresuid, 1000, 1000, 1000));
	T(kill(other, 0));
	T(kill(other, SIGCONT)); /* (same session: allowed) */
	T(kill(-getpgrp(), 0)); /* (ourselves: one success is enough) */
	T(syscall(SYS_setresuid, 1000, 2000, 1000)); /* (refused: not one of ours) */
	close(p[1]);
	waitpid(other, NULL, 0);
}

/* exec: an ordinary user's program starts with no capabilities; root's
 * with all of them */
static void after_exec(void)
{
	say("-- exec\n");
	syscall(SYS_setresuid, 0, 1000, 0); /* (the real uid is still root) */
	fflush(stdout);
	execl("/tests/sys_cred", "sys_cred", "report", (char *)NULL);
	say("exec failed\n");
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "report")) {
		ids("after exec");
		caps("after exec");
		return 0;
	}
	in_child(root);
	in_child(drop);
	in_child(seteuid_back);
	in_child(keepcaps);
	in_child(fsuid);
	in_child(signals);
	in_child(after_exec);
	ids("the parent");
	return 0;
}
