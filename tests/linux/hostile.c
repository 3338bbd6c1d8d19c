/*
 * Hostile programs.  hostile null|ill|kjump|kread|hlt|stack: a fault the
 * kernel must turn into the right fatal signal for this process alone.
 * hostile fuzz SEED CALLS: random system calls with random arguments in
 * child processes, while another child keeps computing; afterwards the
 * parent checks that it, its memory and the worker are unharmed and that
 * the system still serves it.  hostile sigreturn SEED N: N children each
 * call rt_sigreturn on a stack of random words (plausible and hostile
 * values mixed: a landing function, stack and kernel addresses, segment
 * selectors, a frame's FPU pointer): each must end (a signal, or its exit
 * from the landing function) and the server go on (which frames are
 * refused differs from Linux under QEMU: TCG's FXRSTOR takes reserved
 * MXCSR bits that hardware, and lx4's check of the image, refuse).  Exits
 * 0 when all is well.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t rng;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* calls that would end, replace, block or multiply the fuzzer: not fuzzed */
static int skipped(long nr)
{
	static const long deny[] = {SYS_exit, SYS_exit_group, SYS_execve, SYS_execveat, SYS_fork, SYS_vfork,
				    SYS_clone, SYS_clone3, SYS_kill, SYS_tkill, SYS_tgkill, SYS_rt_sigqueueinfo,
				    SYS_rt_tgsigqueueinfo, SYS_pause, SYS_nanosleep, SYS_clock_nanosleep,
				    SYS_read, SYS_readv, SYS_pread64, SYS_preadv, SYS_preadv2, SYS_wait4, SYS_waitid,
				    SYS_poll, SYS_ppoll, SYS_select, SYS_pselect6, SYS_epoll_wait, SYS_epoll_pwait,
				    SYS_rt_sigsuspend, SYS_rt_sigtimedwait, SYS_futex, SYS_reboot, SYS_rt_sigreturn,
				    SYS_splice, SYS_tee, SYS_accept, SYS_accept4, SYS_recvfrom, SYS_recvmsg,
				    SYS_connect, SYS_msgrcv, SYS_semop, SYS_semtimedop, SYS_flock, SYS_syslog};
	for (unsigned i = 0; i < sizeof deny / sizeof deny[0]; i++)
		if (deny[i] == nr)
			return 1;
	return 0;
}

/* one of special, a small number or any number (1 : 1 : ways - 2) */
static uint64_t pick(const uint64_t *special, size_t n, unsigned ways)
{
	switch (next() % ways) {
	case 0:
		return special[next() % n];
	case 1:
		return next() % 64;
	default:
		return next();
	}
}

static uint64_t arg(void)
{
	static const uint64_t special[] = {0, 1, 2, (uint64_t)-1, 0xffff800000000000ull, 0xffffffff80000000ull,
					   0x0000800000000000ull, 0x7ffffffff000ull, 0x1000, 4096, 0x7fffffff,
					   0x8000000000000000ull};
	return pick(special, sizeof special / sizeof special[0], 4);
}

/* waits for child c, killing it after ticks of 10 ms; its pid or an error */
static pid_t reap_within(pid_t c, int ticks, int *st)
{
	int waited = 0;
	pid_t w;
	while ((w = waitpid(c, st, WNOHANG)) == 0) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
		if (++waited == ticks)
			kill(c, SIGKILL);
	}
	return w;
}

static void fuzz_child(uint64_t seed, long calls)
{
	rng = seed | 1;
	/* no console to block on: the fuzzer's descriptors go */
	for (int fd = 0; fd < 3; fd++)
		close(fd);
	for (long i = 0; i < calls; i++) {
		long nr = (long)(next() % 460);
		if (skipped(nr))
			continue;
		syscall(nr, arg(), arg(), arg(), arg(), arg(), arg());
	}
	_exit(0);
}

static unsigned checksum(const unsigned char *p, size_t n)
{
	unsigned s = 0;
	for (size_t i = 0; i < n; i++)
		s = s * 31 + p[i];
	return s;
}

static int fuzz(uint64_t seed, long calls)
{
	static unsigned char precious[64 * 1024];
	for (size_t i = 0; i < sizeof precious; i++)
		precious[i] = (unsigned char)(i * 7 + 3);
	unsigned want = checksum(precious, sizeof precious);
	int fd[2];
	if (pipe(fd))
		return 1;
	pid_t worker = fork();
	if (worker == 0) { /* keeps working while the fuzzers run */
		close(fd[0]);
		unsigned s = 0;
		for (int round = 0; round < 200; round++)
			s += checksum(precious, sizeof precious) == want;
		write(fd[1], &s, sizeof s);
		_exit(0);
	}
	close(fd[1]);
	long per = calls / 8, done = 0;
	int killed = 0;
	for (int k = 0; k < 8; k++) {
		pid_t c = fork();
		if (c < 0)
			return 2;
		if (c == 0)
			fuzz_child(seed + (uint64_t)k * 0x9e3779b97f4a7c15ull, per);
		/* a fuzzer may block itself for good (a write into a full pipe
		 * it made): after 20 s of waiting it is killed */
		int st;
		if (reap_within(c, 2000, &st) != c)
			return 3;
		killed += WIFSIGNALED(st);
		done += per;
	}
	unsigned s = 0;
	int st;
	if (read(fd[0], &s, sizeof s) != sizeof s || waitpid(worker, &st, 0) != worker)
		return 4;
	printf("fuzz: seed %llu, %ld calls in 8 children (%d of them killed by a signal)\n", (unsigned long long)seed,
	       done, killed);
	printf("the worker computed all its rounds right: %s\n", s == 200 ? "yes" : "no");
	printf("the parent's memory is intact: %s\n", checksum(precious, sizeof precious) == want ? "yes" : "no");
	int f = open("/data/poem.txt", O_RDONLY);
	char buf[16];
	printf("the system still serves: %s\n", f >= 0 && read(f, buf, sizeof buf) == sizeof buf ? "yes" : "no");
	return s == 200 && checksum(precious, sizeof precious) == want && f >= 0 ? 0 : 5;
}

static void landing(void) { _exit(7); }

static uint64_t frame_word(uint64_t *frame)
{
	const uint64_t special[] = {(uint64_t)(uintptr_t)landing, (uint64_t)(uintptr_t)frame,
				    (uint64_t)(uintptr_t)(frame + 64), 0x33, 0x2b, 0x23, 0x202, 0x3ff7ff,
				    0xffffffff80100000ull, 0xffff800000000000ull, 0x0000800000000000ull, 0};
	return pick(special, sizeof special / sizeof special[0], 3);
}

static int sigreturns(uint64_t seed, int n)
{
	int ended = 0;
	for (int k = 0; k < n; k++) {
		pid_t c = fork();
		if (c < 0)
			return 2;
		if (c == 0) {
			static uint64_t frame[256]; /* the rt_sigframe from rsp on: ucontext, mcontext, fpstate */
			rng = (seed + (uint64_t)k * 0x9e3779b97f4a7c15ull) | 1;
			for (unsigned i = 0; i < sizeof frame / sizeof frame[0]; i++)
				frame[i] = frame_word(frame);
			if (k % 2) { /* a plausible ucontext: rip, rsp, eflags, cs and ss, no FPU state or some */
				frame[20] = (uint64_t)(uintptr_t)(frame + 128);
				frame[21] = (uint64_t)(uintptr_t)landing;
				frame[22] = 0x202 | (next() & 0xcd5);
				frame[23] = 0x33 | (0x2bull << 48);
				if (next() % 2)
					frame[28] = 0;
			}
			__asm__ volatile("mov %0, %%rsp; mov $15, %%eax; syscall" : : "r"(frame) : "memory", "rax");
			_exit(0); /* (not reached: rt_sigreturn does not return) */
		}
		int st;
		if (reap_within(c, 200, &st) != c) /* random code may spin: 2 s */
			return 3;
		ended += WIFSIGNALED(st) || WIFEXITED(st);
	}
	printf("sigreturn: %d children, all ended: %s\n", n, ended == n ? "yes" : "no");
	int f = open("/data/poem.txt", O_RDONLY);
	char buf[16];
	printf("the system still serves: %s\n", f >= 0 && read(f, buf, sizeof buf) == sizeof buf ? "yes" : "no");
	return ended == n && f >= 0 ? 0 : 5;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 100;
	const char *m = argv[1];
	if (!strcmp(m, "null"))
		*(volatile int *)0 = 1;
	else if (!strcmp(m, "ill"))
		__builtin_trap();
	else if (!strcmp(m, "kjump"))
		((void (*)(void))0xffffffff80100000ull)();
	else if (!strcmp(m, "kread"))
		return (int)*(volatile long *)0xffff800000000000ull;
	else if (!strcmp(m, "hlt"))
		__asm__ volatile("hlt");
	else if (!strcmp(m, "stack"))
		__asm__ volatile("mov $0, %rsp; push %rax");
	else if (!strcmp(m, "sigreturn") && argc == 4)
		return sigreturns(strtoull(argv[2], NULL, 0), atoi(argv[3]));
	else if (!strcmp(m, "fuzz") && argc == 4)
		return fuzz(strtoull(argv[2], NULL, 0), atol(argv[3]));
	return 101;
}
