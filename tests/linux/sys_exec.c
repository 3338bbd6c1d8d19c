/*
 * execve of dynamically linked programs and its errors: ELF files made
 * here with a PT_INTERP that names a missing interpreter (ENOENT), a
 * directory or a file that may not be run (EACCES), one that is no ELF or
 * has no program headers (ELIBBAD) or is shorter than an ELF header (EIO);
 * a bad PT_INTERP (ENOEXEC, EIO); truncated and foreign ELF files
 * (ENOEXEC); bad pointers (EFAULT, before the file is looked at, as Linux
 * 6.1 does).  Then the interpreter really runs: this program is the
 * interpreter of a made-up program and checks, when started so, the
 * auxiliary vector Linux gives it (AT_ENTRY, AT_PHDR, AT_PHNUM, AT_BASE,
 * AT_EXECFN) and that the program's file is mapped where it asked; and, in
 * the "debian" case, Debian's /usr/bin/true (PIE, glibc's ld.so) runs.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "check.h"

#define MAIN_BASE 0x10000000ul /* where the made-up programs ask to be */
#define SELF      "/tests/sys_exec"

static char *const envp[] = {"LX4=1", NULL};

struct made {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[2]; /* PT_INTERP, PT_LOAD */
	char interp[64];
};

/* an x86-64 ET_EXEC at MAIN_BASE whose PT_INTERP holds len bytes of
 * interp (at offset off, or just after the headers if off is 0); the file
 * is cut to size bytes if size is not 0 */
static void make_elf(const char *path, const char *interp, size_t len, size_t off, size_t size, mode_t mode)
{
	struct made m;
	memset(&m, 0, sizeof m);
	memcpy(m.eh.e_ident, ELFMAG, SELFMAG);
	m.eh.e_ident[EI_CLASS] = ELFCLASS64;
	m.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	m.eh.e_ident[EI_VERSION] = EV_CURRENT;
	m.eh.e_type = ET_EXEC;
	m.eh.e_machine = EM_X86_64;
	m.eh.e_version = EV_CURRENT;
	m.eh.e_entry = MAIN_BASE + offsetof(struct made, interp);
	m.eh.e_phoff = offsetof(struct made, ph);
	m.eh.e_ehsize = sizeof m.eh;
	m.eh.e_phentsize = sizeof m.ph[0];
	m.eh.e_phnum = 2;
	m.ph[0].p_type = PT_INTERP;
	m.ph[0].p_flags = PF_R;
	m.ph[0].p_offset = off ? off : offsetof(struct made, interp);
	m.ph[0].p_vaddr = MAIN_BASE + m.ph[0].p_offset;
	m.ph[0].p_filesz = m.ph[0].p_memsz = len;
	m.ph[1].p_type = PT_LOAD;
	m.ph[1].p_flags = PF_R;
	m.ph[1].p_vaddr = MAIN_BASE;
	m.ph[1].p_filesz = m.ph[1].p_memsz = sizeof m;
	m.ph[1].p_align = 4096;
	memcpy(m.interp, interp, len < sizeof m.interp ? len : sizeof m.interp);
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0 || write(fd, &m, size ? size : sizeof m) < 0 || close(fd))
		say("cannot make %s: %s\n", path, errname(errno));
}

static void make_file(const char *path, const void *data, size_t n, mode_t mode)
{
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0 || write(fd, data, n) < 0 || close(fd))
		say("cannot make %s: %s\n", path, errname(errno));
}

/* the first n bytes of a file into a new file */
static void copy_head(const char *from, const char *to, size_t n, mode_t mode)
{
	static char buf[65536];
	int fd = open(from, O_RDONLY);
	ssize_t got = fd < 0 ? -1 : read(fd, buf, n < sizeof buf ? n : sizeof buf);
	if (fd >= 0)
		close(fd);
	make_file(to, buf, got > 0 ? (size_t)got : 0, mode);
}

static void run(const char *what, const char *path, char *const *argv);

static void try_exec(const char *what, const char *path)
{
	char *argv[] = {(char *)path, "as-interp", NULL};
	TN(what, execve(path, argv, envp));
}

static void interpreter_errors(void)
{
	say("-- the interpreter\n");
	make_elf("/tmp/missing", "/no/such/ld.so", sizeof "/no/such/ld.so", 0, 0, 0755);
	try_exec("missing interpreter", "/tmp/missing");
	make_elf("/tmp/dirinterp", "/tmp", sizeof "/tmp", 0, 0, 0755);
	try_exec("interpreter a directory", "/tmp/dirinterp");
	make_file("/tmp/noexec-ld", "\177ELF", 4, 0644);
	make_elf("/tmp/noexec", "/tmp/noexec-ld", sizeof "/tmp/noexec-ld", 0, 0, 0755);
	try_exec("interpreter not executable", "/tmp/noexec");
	static const char text[] = "this is no ELF file, but long enough to hold an ELF header's 64 bytes\n";
	make_file("/tmp/text-ld", text, sizeof text, 0755);
	make_elf("/tmp/textinterp", "/tmp/text-ld", sizeof "/tmp/text-ld", 0, 0, 0755);
	try_exec("interpreter not ELF", "/tmp/textinterp");
	make_file("/tmp/short-ld", "\177ELF\2\1\1", 7, 0755);
	make_elf("/tmp/shortinterp", "/tmp/short-ld", sizeof "/tmp/short-ld", 0, 0, 0755);
	try_exec("interpreter shorter than a header", "/tmp/shortinterp");
	copy_head(SELF, "/tmp/cut-ld", 100, 0755); /* (its program headers are gone) */
	make_elf("/tmp/cutinterp", "/tmp/cut-ld", sizeof "/tmp/cut-ld", 0, 0, 0755);
	try_exec("interpreter truncated", "/tmp/cutinterp");
	say("-- PT_INTERP\n");
	make_elf("/tmp/nonul", "/tests/sys_exec", strlen("/tests/sys_exec"), 0, 0, 0755);
	try_exec("interpreter path without its NUL", "/tmp/nonul");
	make_elf("/tmp/tiny", "", 1, 0, 0, 0755);
	try_exec("interpreter path of 1 byte", "/tmp/tiny");
	make_elf("/tmp/huge", "/x", 5000, 0, 0, 0755);
	try_exec("interpreter path longer than PATH_MAX", "/tmp/huge");
	make_elf("/tmp/beyond", "/x", 3, 1 << 20, 0, 0755);
	try_exec("interpreter path beyond the end", "/tmp/beyond");
	make_elf("/tmp/empty-interp", "\0", 2, 0, 0, 0755);
	try_exec("empty interpreter path", "/tmp/empty-interp");
}

static void file_errors(void)
{
	say("-- the program\n");
	make_file("/tmp/empty", "", 0, 0755);
	try_exec("empty file", "/tmp/empty");
	make_file("/tmp/magic", "\177ELF", 4, 0755);
	try_exec("ELF magic only", "/tmp/magic");
	copy_head(SELF, "/tmp/cut", 100, 0755);
	try_exec("truncated ELF", "/tmp/cut");
	make_file("/tmp/text", "echo no #! line\n", 16, 0755);
	try_exec("text file", "/tmp/text");
	make_elf("/tmp/arm", "/tests/sys_exec", sizeof "/tests/sys_exec", 0, 0, 0755);
	int fd = open("/tmp/arm", O_WRONLY);
	uint16_t machine = EM_AARCH64;
	if (fd < 0 || pwrite(fd, &machine, 2, offsetof(Elf64_Ehdr, e_machine)) != 2 || close(fd))
		say("cannot make /tmp/arm\n");
	try_exec("another machine's ELF", "/tmp/arm");
	make_elf("/tmp/cutdyn", "/tests/sys_exec", sizeof "/tests/sys_exec", 0, 100, 0755);
	try_exec("dynamic program cut in its program headers", "/tmp/cutdyn");
	make_elf("/tmp/mode644", "/tests/sys_exec", sizeof "/tests/sys_exec", 0, 0, 0644);
	try_exec("program not executable", "/tmp/mode644");
	try_exec("directory", "/tmp");
	try_exec("missing program", "/tmp/none");
}

static void pointer_errors(void)
{
	say("-- bad pointers\n");
	char *argv[] = {SELF, "as-interp", NULL}, *bad_argv[] = {SELF, BAD_USER, NULL};
	char *bad_envp[] = {"A=1", BAD_USER, NULL};
	TN("bad path", syscall(SYS_execve, BAD_USER, argv, envp));
	TN("path in the kernel", syscall(SYS_execve, BAD_KERNEL, argv, envp));
	TN("bad argv", syscall(SYS_execve, SELF, BAD_USER, envp));
	TN("bad argv[1]", syscall(SYS_execve, SELF, bad_argv, envp));
	TN("bad envp", syscall(SYS_execve, SELF, argv, BAD_USER));
	TN("bad envp[1]", syscall(SYS_execve, SELF, argv, bad_envp));
	TN("bad argv, missing program", syscall(SYS_execve, "/tmp/none", BAD_USER, envp));
	TN("bad argv[1], missing interpreter", syscall(SYS_execve, "/tmp/missing", bad_argv, envp));
	TN("bad envp, text file", syscall(SYS_execve, "/tmp/text", argv, bad_envp));
}

static void script(const char *path, const char *text, mode_t mode)
{
	make_file(path, text, strlen(text), mode);
}

/* "#!" scripts: the interpreter's name and one argument, nested scripts,
 * and the errors */
static void scripts(void)
{
	say("-- scripts\n");
	char *argv[] = {"name-ignored", "x", "y z", NULL};
	script("/tmp/s1", "#!" SELF " as-script\necho not for sh\n", 0755);
	run("script", "/tmp/s1", argv);
	script("/tmp/s2", "#! \t" SELF "  as-script  two words \t \n", 0755);
	run("spaces and an argument of two words", "/tmp/s2", argv);
	script("/tmp/s3", "#!/tmp/s1\n", 0755);
	run("a script as the interpreter", "/tmp/s3", argv);
	script("/tmp/s4", "#!" SELF, 0755);
	run("no newline, no argument", "/tmp/s4", (char *[]){"s4", "as-script-plain", NULL});
	char *none[] = {NULL};
	run("empty argv", "/tmp/s1", none);
	script("/tmp/l1", "#!/tmp/l2\n", 0755);
	script("/tmp/l2", "#!/tmp/l1\n", 0755);
	try_exec("scripts in a loop", "/tmp/l1");
	script("/tmp/d1", "#!/tmp/d2\n", 0755);
	script("/tmp/d2", "#!/tmp/d3\n", 0755);
	script("/tmp/d3", "#!/tmp/d4\n", 0755);
	script("/tmp/d4", "#!/tmp/s1 five\n", 0755);
	run("five scripts deep", "/tmp/d1", argv);
	script("/tmp/d0", "#!/tmp/d1\n", 0755);
	try_exec("six scripts deep", "/tmp/d0");
	script("/tmp/nointerp", "#!/no/such/shell\n", 0755);
	try_exec("missing interpreter", "/tmp/nointerp");
	script("/tmp/bare", "#!\n", 0755);
	try_exec("no interpreter name", "/tmp/bare");
	script("/tmp/blank", "#!  \t \nx\n", 0755);
	try_exec("only blanks", "/tmp/blank");
	char longline[400];
	memset(longline, 'a', sizeof longline);
	memcpy(longline, "#!/", 3);
	longline[sizeof longline - 1] = 0;
	script("/tmp/long", longline, 0755);
	try_exec("a name past 256 bytes", "/tmp/long");
	memcpy(longline + 3, "tests/sys_exec as-script ", 25);
	script("/tmp/longarg", longline, 0755);
	run("an argument cut at 256 bytes", "/tmp/longarg", argv);
	script("/tmp/s644", "#!" SELF " as-script\n", 0644);
	try_exec("script not executable", "/tmp/s644");
	script("/tmp/textinterp-s", "#!/tmp/text\n", 0755);
	try_exec("interpreter a text file", "/tmp/textinterp-s");
}

/* started as the interpreter of /tmp/prog: what Linux told us */
static int as_interpreter(char **argv)
{
	say("-- started as the interpreter\n");
	say("argv: %s %s\n", argv[0], argv[1]);
	say("AT_ENTRY is the program's entry: %s\n",
	    getauxval(AT_ENTRY) == MAIN_BASE + offsetof(struct made, interp) ? "yes" : "no");
	say("AT_PHDR: %s, AT_PHNUM %lu, AT_PHENT %lu\n",
	    getauxval(AT_PHDR) == MAIN_BASE + offsetof(struct made, ph) ? "the program's" : "elsewhere",
	    getauxval(AT_PHNUM), getauxval(AT_PHENT));
	say("AT_BASE: %#lx (an ET_EXEC interpreter is not moved)\n", getauxval(AT_BASE));
	say("AT_EXECFN: %s\n", (const char *)getauxval(AT_EXECFN));
	say("AT_PAGESZ %lu, AT_SECURE %lu, AT_PLATFORM %s, AT_RANDOM given: %s, AT_MINSIGSTKSZ given: %s\n",
	    getauxval(AT_PAGESZ), getauxval(AT_SECURE), (const char *)getauxval(AT_PLATFORM),
	    getauxval(AT_RANDOM) ? "yes" : "no", getauxval(51) >= 1024 ? "yes" : "no");
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	say("the program mapped: %s, its PT_INTERP: %s\n", memcmp((void *)MAIN_BASE, ELFMAG, SELFMAG) ? "no" : "yes",
	    ph[0].p_type == PT_INTERP ? (const char *)ph[0].p_vaddr : "none");
	char exe[256] = "";
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	say("/proc/self/exe: %s\n", n > 0 ? exe : errname(errno));
	return 42;
}

/* started by a script: the arguments its interpreter got */
static int as_script(int argc, char **argv)
{
	say("as-script, argc %d:", argc);
	for (int i = 0; i < argc; i++)
		say(" [%s]", argv[i]);
	char exe[256] = "", comm[32] = "";
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	int fd = open("/proc/self/comm", O_RDONLY);
	if (fd >= 0 && read(fd, comm, sizeof comm - 1) > 0)
		comm[strcspn(comm, "\n")] = 0;
	if (fd >= 0)
		close(fd);
	say("\n  AT_EXECFN %s, exe %s, comm %s\n", (const char *)getauxval(AT_EXECFN), n > 0 ? exe : "?", comm);
	return 0;
}

/* runs path with argv in a child; its status */
static void run(const char *what, const char *path, char *const *argv)
{
	pid_t pid = fork();
	if (pid == 0) {
		execve(path, argv, envp);
		say("%s: execve = -1 %s\n", what, errname(errno));
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	if (WIFEXITED(st))
		say("%s: exited %d\n", what, WEXITSTATUS(st));
	else
		say("%s: killed by signal %d\n", what, WTERMSIG(st));
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "as-interp"))
		return as_interpreter(argv);
	for (int i = 1; i < argc && i < 3; i++) /* (a script without an argument: its path comes first) */
		if (!strncmp(argv[i], "as-script", 9))
			return as_script(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "debian")) {
		char *t[] = {"true", NULL}, *f[] = {"false", NULL};
		run("Debian's true", "/usr/bin/true", t);
		run("Debian's false", "/usr/bin/false", f);
		return 0;
	}
	interpreter_errors();
	file_errors();
	pointer_errors();
	scripts();
	say("-- a program with this program as its interpreter\n");
	make_elf("/tmp/prog", SELF, sizeof SELF, 0, 0, 0755);
	char *pargv[] = {"/tmp/prog", "as-interp", NULL};
	run("/tmp/prog", "/tmp/prog", pargv);
	return 0;
}
