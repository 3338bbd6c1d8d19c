/*
 * A dynamically linked glibc program (PIE, built by gcc, at
 * /tests/glibc_dyn): what the loader and the kernel set up between them,
 * as facts that do not depend on where things are.  The auxiliary vector
 * against what ld.so reports (AT_BASE is its load address, AT_PHDR the
 * program's headers, AT_ENTRY its _start), RELRO and text read-only after
 * relocation, data and TLS writable, dlopen of a library not yet loaded
 * (mmap of a shared object at run time), brk below the mmap area.  lx4
 * has no vDSO: it is not counted.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

extern char _start[];
static __thread int tls_value = 5;
static int data_value = 7;
static sigjmp_buf env;

static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(env, 1);
}

/* whether a write to p faults (the byte is written back unchanged) */
static int write_faults(volatile char *p)
{
	if (sigsetjmp(env, 1))
		return 1;
	char c = *p;
	*p = c;
	return 0;
}

struct found {
	const ElfW(Phdr) * main_phdr;
	ElfW(Addr) main_addr, ldso_addr;
	int objects, ldso;
	const char *relro;
};

static int each_object(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	struct found *f = data;
	if (strstr(info->dlpi_name, "linux-vdso")) /* (lx4 has no vDSO) */
		return 0;
	f->objects++;
	if (f->objects == 1) { /* the program comes first */
		f->main_phdr = info->dlpi_phdr;
		f->main_addr = info->dlpi_addr;
		for (int i = 0; i < info->dlpi_phnum; i++)
			if (info->dlpi_phdr[i].p_type == PT_GNU_RELRO)
				f->relro = (const char *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
	}
	if (strstr(info->dlpi_name, "ld-linux-x86-64.so.2")) {
		f->ldso = 1;
		f->ldso_addr = info->dlpi_addr;
	}
	return 0;
}

static const char *yes(int b)
{
	return b ? "yes" : "no";
}

int main(int argc, char **argv)
{
	(void)argc;
	struct sigaction sa = {.sa_handler = on_segv};
	sigaction(SIGSEGV, &sa, NULL);
	struct found f = {0};
	dl_iterate_phdr(each_object, &f);
	printf("objects (but a vDSO): %d, ld.so among them: %s\n", f.objects, yes(f.ldso));
	printf("AT_BASE is ld.so's load address: %s\n", yes(f.ldso && getauxval(AT_BASE) == f.ldso_addr));
	printf("AT_PHDR is the program's headers: %s\n", yes(getauxval(AT_PHDR) == (unsigned long)f.main_phdr));
	printf("AT_ENTRY is _start: %s\n", yes(getauxval(AT_ENTRY) == (unsigned long)_start));
	printf("a PIE, moved: %s\n", yes(f.main_addr != 0));
	printf("AT_EXECFN: %s, argv[0]: %s\n", (char *)getauxval(AT_EXECFN), argv[0]);
	printf("RELRO read-only: %s\n", f.relro ? yes(write_faults((char *)f.relro)) : "no RELRO");
	printf("text read-only: %s\n", yes(write_faults((char *)main)));
	printf("data writable: %s (%d)\n", yes(!write_faults((char *)&data_value)), data_value);
	tls_value++;
	printf("TLS: %d\n", tls_value);
	void *m = dlopen("libm.so.6", RTLD_NOW);
	double (*cosine)(double) = m ? (double (*)(double))dlsym(m, "cos") : NULL;
	printf("dlopen libm: %s, cos(0.5) = %.6f\n", yes(m != NULL), cosine ? cosine(0.5) : 0.0);
	Dl_info di;
	printf("cos in: %s\n", cosine && dladdr((void *)cosine, &di) ? di.dli_fname : "?");
	printf("dlopen of a missing library: %s\n", dlopen("libnone.so.9", RTLD_NOW) ? "loaded" : "refused");
	void *small = malloc(100), *big = malloc(8 << 20);
	printf("brk heap below the mmap area: %s\n", yes((char *)small < (char *)big && (char *)sbrk(0) < (char *)big));
	memset(big, 1, 8 << 20);
	free(big);
	free(small);
	if (m)
		dlclose(m);
	return 0;
}
