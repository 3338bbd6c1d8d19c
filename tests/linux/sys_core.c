/* Core dumps (core_pattern "core"): a process ended by SIGABRT, SIGSEGV or
 * SIGQUIT writes core in its working directory when RLIMIT_CORE allows
 * it, and its wait status has the core-dump bit; the file is an ELF core
 * of the process's own user with mode 0600, whose notes name the signal
 * and the process and whose segments hold its memory; no dump for
 * SIGTERM or SIGKILL, under a limit of less than a page, for a process
 * that may not be dumped, or where it may not write; an old core is
 * replaced.  Differential: the output must be Linux's. */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "check.h"

#define DIR_ "/tmp/coredir"

static char marker[64] = "not yet";

/* a child in DIR_ with RLIMIT_CORE limit that dies as how says */
static void run(const char *what, rlim_t limit, const char *how)
{
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		struct rlimit rl = {limit, RLIM_INFINITY};
		setrlimit(RLIMIT_CORE, &rl);
		if (chdir(DIR_))
			_exit(1);
		strcpy(marker, "lx4 core marker 31337");
		if (!strcmp(how, "abort"))
			abort();
		if (!strcmp(how, "segv")) {
			volatile int *volatile bad = (int *)16;
			*bad = 1;
		}
		if (!strcmp(how, "undumpable")) {
			prctl(PR_SET_DUMPABLE, 0);
			abort();
		}
		if (!strcmp(how, "nobody")) {
			if (setgid(65534) || setuid(65534))
				_exit(2);
			prctl(PR_SET_DUMPABLE, 1);
			abort();
		}
		int sig = !strcmp(how, "quit") ? SIGQUIT : !strcmp(how, "term") ? SIGTERM : SIGKILL;
		kill(getpid(), sig);
		pause();
		_exit(3);
	}
	int st;
	waitpid(c, &st, 0);
	say("%s: signal %d, core dumped %d\n", what, WIFSIGNALED(st) ? WTERMSIG(st) : -1, WCOREDUMP(st) ? 1 : 0);
	struct stat s;
	if (stat(DIR_ "/core", &s)) {
		say("  no core (%s)\n", errname(errno));
		return;
	}
	say("  core: regular %d mode %o uid %u links %lu\n", S_ISREG(s.st_mode), s.st_mode & 07777, s.st_uid,
	    (unsigned long)s.st_nlink);
	int fd = open(DIR_ "/core", O_RDONLY);
	Elf64_Ehdr eh;
	if (read(fd, &eh, sizeof eh) != sizeof eh || memcmp(eh.e_ident, ELFMAG, SELFMAG)) {
		say("  not an ELF file\n");
		close(fd);
		unlink(DIR_ "/core");
		return;
	}
	say("  ELF type %d machine %d, program headers: more than one %d\n", eh.e_type, eh.e_machine, eh.e_phnum > 1);
	Elf64_Phdr ph[256];
	int n = eh.e_phnum < 256 ? eh.e_phnum : 256;
	pread(fd, ph, sizeof ph[0] * (size_t)n, (off_t)eh.e_phoff);
	say("  first is PT_NOTE: %d\n", ph[0].p_type == PT_NOTE);
	/* NT_PRSTATUS: the signal (pr_cursig at 12) and the pid (at 32) */
	static char notes[8192];
	ssize_t nl = pread(fd, notes, ph[0].p_filesz < sizeof notes ? ph[0].p_filesz : sizeof notes, (off_t)ph[0].p_offset);
	int found = 0;
	for (ssize_t off = 0; off + 12 <= nl;) {
		Elf64_Nhdr *h = (Elf64_Nhdr *)(notes + off);
		char *desc = notes + off + 12 + ((h->n_namesz + 3) & ~3u);
		if (h->n_type == NT_PRSTATUS) {
			short cursig;
			int pid;
			memcpy(&cursig, desc + 12, 2);
			memcpy(&pid, desc + 32, 4);
			say("  NT_PRSTATUS: signal %d, the child's pid %d\n", cursig, pid == c);
			found = 1;
		}
		off += 12 + ((h->n_namesz + 3) & ~3) + ((h->n_descsz + 3) & ~3);
	}
	if (!found)
		say("  no NT_PRSTATUS\n");
	/* the marker, where the child wrote it */
	uint64_t at = (uint64_t)(uintptr_t)marker;
	char got[64] = "";
	for (int i = 1; i < n; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr <= at && at + sizeof got <= ph[i].p_vaddr + ph[i].p_filesz)
			pread(fd, got, sizeof got, (off_t)(ph[i].p_offset + at - ph[i].p_vaddr));
	say("  the child's memory is in it: %s\n", !strcmp(got, "lx4 core marker 31337") ? "yes" : "no");
	close(fd);
	unlink(DIR_ "/core");
}

int main(void)
{
	mkdir(DIR_, 0755);
	run("abort, no limit", RLIM_INFINITY, "abort");
	run("abort, the default limit 0", 0, "abort");
	run("segv", RLIM_INFINITY, "segv");
	run("quit", RLIM_INFINITY, "quit");
	run("term", RLIM_INFINITY, "term");
	run("kill", RLIM_INFINITY, "kill");
	run("a limit under a page", 1000, "abort");
	run("undumpable", RLIM_INFINITY, "undumpable");
	run("nobody in root's directory", RLIM_INFINITY, "nobody");
	int fd = open(DIR_ "/core", O_CREAT | O_WRONLY, 0644);
	write(fd, "old", 3);
	close(fd);
	run("over an old core", RLIM_INFINITY, "abort");
	run("a limit of two pages", 8192, "abort");
	unlink(DIR_ "/core");
	T(rmdir(DIR_));
	return 0;
}
