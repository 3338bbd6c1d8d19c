/*
 * Reading and writing: read, write, pread64, pwrite64, readv, writev,
 * preadv, pwritev, lseek on files, directories and devices (/dev/null,
 * /dev/zero, /dev/full, /dev/urandom, /dev/console), and ioctl (the
 * console's TCGETS and TIOCGWINSZ, ENOTTY elsewhere, the generic FIO*
 * requests).  Results and errors, one line per check.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <termios.h>
#include <time.h>

#include "check.h"

/* the kernel's struct termios (TCGETS), not the C library's */
struct ktermios {
	unsigned c_iflag, c_oflag, c_cflag, c_lflag;
	unsigned char c_line, c_cc[19];
};

static char big[8192];

/* the bytes of buf, printable or as \xNN */
static void show(const char *what, const char *buf, long n)
{
	char out[1024];
	int len = 0;
	for (long i = 0; i < n && len < (int)sizeof out - 5; i++) {
		if (buf[i] >= 32 && buf[i] < 127)
			out[len++] = buf[i];
		else
			len += snprintf(out + len, sizeof out - (size_t)len, "\\x%02x", (unsigned char)buf[i]);
	}
	out[len] = 0;
	say("%s: \"%s\"\n", what, out);
}

static void files(void)
{
	char buf[64];
	say("-- files\n");
	int fd = T(open("/tmp/io.txt", O_CREAT | O_RDWR | O_TRUNC, 0644));
	T(write(fd, "hello world\n", 12));
	T(lseek(fd, 0, SEEK_CUR));
	T(lseek(fd, 0, SEEK_SET));
	long n = T(read(fd, buf, 5));
	show("read", buf, n);
	n = T(pread(fd, buf, 5, 6));
	show("pread", buf, n);
	T(lseek(fd, 0, SEEK_CUR));
	T(pwrite(fd, "X", 1, 20));
	T(lseek(fd, 0, SEEK_CUR));
	struct stat st;
	T(fstat(fd, &st));
	say("size %ld\n", (long)st.st_size);
	n = T(pread(fd, buf, sizeof buf, 10));
	show("pread hole", buf, n);
	T(pread(fd, buf, sizeof buf, 21));
	T(pread(fd, buf, sizeof buf, 1000));
	T(pread(fd, buf, 0, 0));
	T(pread(fd, buf, 5, -1));
	T(pwrite(fd, buf, 5, -1));
	T(lseek(fd, 0, SEEK_END));
	T(read(fd, buf, sizeof buf));
	T(lseek(fd, -2, SEEK_END));
	n = T(read(fd, buf, sizeof buf));
	show("read tail", buf, n);
	T(lseek(fd, -100, SEEK_SET));
	T(lseek(fd, -100, SEEK_CUR));
	T(lseek(fd, 0, 5));
	T(lseek(fd, 0, -1));
	T(lseek(fd, 100, SEEK_END));
	T(lseek(fd, 0, SEEK_CUR));
	T(lseek(fd, 0x7fffffffffffffffl, SEEK_SET));
	T(lseek(fd, 1, SEEK_CUR));
	T(lseek(fd, 0, SEEK_SET));
	T(lseek(fd, 0, SEEK_DATA));
	T(lseek(fd, 5, SEEK_HOLE));
	T(lseek(fd, 0, SEEK_CUR));
	T(lseek(fd, 21, SEEK_DATA));
	T(lseek(fd, -1, SEEK_HOLE));
	T(lseek(fd, 0, SEEK_SET));

	say("-- readv/writev\n");
	char a[4], b[8];
	struct iovec iov[3] = {{a, sizeof a}, {b, sizeof b}, {NULL, 0}};
	n = T(readv(fd, iov, 2));
	show("readv a", a, 4);
	show("readv b", b, 8);
	T(readv(fd, iov, 0));
	T(readv(fd, iov, -1));
	T(readv(fd, iov, 1025));
	T(ftruncate(fd, 0));
	T(lseek(fd, 0, SEEK_SET));
	struct iovec w[3] = {{"one ", 4}, {"two ", 4}, {"three\n", 6}};
	T(writev(fd, w, 3));
	n = T(pread(fd, buf, sizeof buf, 0));
	show("after writev", buf, n);
	struct iovec pv[2] = {{a, 3}, {b, 3}};
	T(preadv(fd, pv, 2, 4));
	show("preadv a", a, 3);
	show("preadv b", b, 3);
	T(pwritev(fd, w, 2, 14));
	n = T(pread(fd, buf, sizeof buf, 0));
	show("after pwritev", buf, n);
	T(preadv(fd, pv, 2, -1));
	struct iovec neg[2] = {{a, 1}, {b, (size_t)-1}};
	T(writev(fd, neg, 2));
	struct iovec badv[2] = {{a, 1}, {BAD_USER, 5}};
	T(writev(fd, badv, 2));
	badv[1].iov_base = BAD_KERNEL;
	T(writev(fd, badv, 2));
	T(writev(fd, BAD_USER, 2));
	T(readv(fd, BAD_KERNEL, 1));
	T(close(fd));
	T(close(fd));

	say("-- holes\n");
	fd = T(open("/tmp/holes", O_CREAT | O_RDWR | O_TRUNC, 0644));
	T(pwrite(fd, "a", 1, 0));
	T(pwrite(fd, "b", 1, 3 * 4096 + 5));
	T(ftruncate(fd, 6 * 4096));
	T(lseek(fd, 0, SEEK_DATA));
	T(lseek(fd, 0, SEEK_HOLE));
	T(lseek(fd, 4096, SEEK_DATA));
	T(lseek(fd, 3 * 4096 + 10, SEEK_HOLE));
	T(lseek(fd, 0, SEEK_CUR));
	T(lseek(fd, 4 * 4096, SEEK_DATA));
	T(lseek(fd, 6 * 4096, SEEK_HOLE));
	T(close(fd));
	fd = T(open("/tmp", O_RDONLY));
	T(lseek(fd, 0, SEEK_DATA));
	T(close(fd));

	say("-- access modes\n");
	fd = T(open("/tmp/io.txt", O_RDONLY));
	T(write(fd, "x", 1));
	T(pwrite(fd, "x", 1, 0));
	T(writev(fd, w, 1));
	T(close(fd));
	fd = T(open("/tmp/io.txt", O_WRONLY));
	T(read(fd, buf, 1));
	T(pread(fd, buf, 1, 0));
	T(readv(fd, iov, 1));
	T(close(fd));
	fd = T(open("/tmp/io.txt", O_WRONLY | O_APPEND));
	T(write(fd, "end\n", 4));
	T(lseek(fd, 0, SEEK_CUR));
	T(lseek(fd, 0, SEEK_SET));
	T(write(fd, "more\n", 5));
	T(lseek(fd, 0, SEEK_CUR));
	T(pwrite(fd, "P", 1, 0));
	T(close(fd));
	fd = T(open("/tmp/io.txt", O_RDONLY));
	n = T(read(fd, buf, sizeof buf));
	show("appended", buf, n);
	T(close(fd));

	say("-- bad descriptors\n");
	T(read(-1, buf, 1));
	T(write(-1, buf, 1));
	T(read(100, buf, 1));
	T(write(255, buf, 1));
	T(read(5000, buf, 1));
	T(write(1 << 30, buf, 1));
	T(pread(77, buf, 1, 0));
	T(pwrite(77, buf, 1, 0));
	T(readv(77, iov, 1));
	T(writev(77, w, 1));
	T(lseek(77, 0, SEEK_SET));
	T(close(-1));
	T(close(77));

	say("-- directories\n");
	fd = T(open("/tmp", O_RDONLY | O_DIRECTORY));
	T(read(fd, buf, sizeof buf));
	T(read(fd, buf, 0));
	T(pread(fd, buf, 1, 0));
	T(readv(fd, iov, 1));
	T(lseek(fd, 0, SEEK_SET));
	T(lseek(fd, 0, SEEK_END));
	T(lseek(fd, -1, SEEK_SET));
	T(close(fd));
}

static void faults(void)
{
	char buf[64];
	say("-- bad pointers\n");
	int fd = T(open("/tmp/io.txt", O_RDWR));
	T(read(fd, NULL, 10));
	T(read(fd, BAD_USER, 10));
	T(read(fd, BAD_KERNEL, 10));
	T(write(fd, BAD_USER, 10));
	T(write(fd, BAD_KERNEL, 10));
	T(pread(fd, BAD_USER, 10, 0));
	T(pwrite(fd, BAD_KERNEL, 10, 0));
	T(read(fd, buf, (size_t)-1));
	T(lseek(fd, 0, SEEK_END));
	T(read(fd, BAD_USER, 10));
	T(read(fd, BAD_KERNEL, 10));
	T(read(fd, BAD_KERNEL, 0));
	T(write(fd, BAD_KERNEL, 0));
	T(write(fd, BAD_USER, 0));
	T(close(fd));

	/* a buffer that ends at an unmapped page: the part before it moves */
	say("-- partial buffers\n");
	char *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T(munmap(two + 4096, 4096));
	char *edge = two + 4096 - 100;
	memset(two, 'e', 4096);
	fd = T(open("/tmp/edge.txt", O_CREAT | O_RDWR | O_TRUNC, 0600));
	T(write(fd, edge, 200));
	T(lseek(fd, 0, SEEK_CUR));
	T(pwrite(fd, big, 300, 0));
	T(pread(fd, edge, 200, 0));
	T(lseek(fd, 0, SEEK_SET));
	T(read(fd, edge, 300));
	T(lseek(fd, 0, SEEK_CUR));
	T(close(fd));
	fd = T(open("/dev/zero", O_RDONLY));
	T(read(fd, edge, 200));
	T(close(fd));
	T(getrandom(edge, 200, 0));
	T(getrandom(BAD_USER, 16, 0));
	T(munmap(two, 4096));
}

static void devices(void)
{
	char buf[64];
	say("-- /dev/null\n");
	int fd = T(open("/dev/null", O_RDWR));
	T(read(fd, buf, sizeof buf));
	T(write(fd, "abc", 3));
	T(write(fd, BAD_USER, 3));
	T(write(fd, BAD_KERNEL, 3));
	T(read(fd, BAD_USER, 3));
	T(pread(fd, buf, 3, 0));
	T(pwrite(fd, buf, 3, 100));
	T(lseek(fd, 123, SEEK_SET));
	T(lseek(fd, 0, SEEK_END));
	struct iovec huge[2] = {{big, 0x7ffff000}, {big, 100}};
	T(writev(fd, huge, 2));
	T(write(fd, big, 0x80000000ul));
	T(close(fd));

	say("-- /dev/zero\n");
	fd = T(open("/dev/zero", O_RDWR));
	memset(buf, 'x', sizeof buf);
	T(read(fd, buf, 16));
	int zero = 1;
	for (int i = 0; i < 16; i++)
		zero &= buf[i] == 0;
	fact("16 zero bytes", zero);
	fact("the 17th untouched", buf[16] == 'x');
	T(write(fd, "abc", 3));
	T(read(fd, BAD_USER, 3));
	T(pread(fd, buf, 3, 7));
	T(lseek(fd, 5, SEEK_SET));
	T(read(fd, big, sizeof big));
	T(close(fd));

	say("-- /dev/full\n");
	fd = T(open("/dev/full", O_RDWR));
	T(write(fd, "abc", 3));
	T(read(fd, buf, 8));
	T(close(fd));

	say("-- /dev/urandom\n");
	fd = T(open("/dev/urandom", O_RDONLY));
	char r1[32], r2[32];
	T(read(fd, r1, sizeof r1));
	T(read(fd, r2, sizeof r2));
	fact("two reads differ", memcmp(r1, r2, sizeof r1) != 0);
	T(read(fd, BAD_USER, 8));
	T(read(fd, r1, 0));
	T(close(fd));
	T(getrandom(r1, sizeof r1, 0));
	T(getrandom(r2, sizeof r2, GRND_NONBLOCK));
	fact("getrandom twice differs", memcmp(r1, r2, sizeof r1) != 0);
	T(getrandom(r1, 0, 0));
	T(getrandom(r1, 8, 0x100));
	T(syscall(SYS_getrandom, r1, 8, GRND_RANDOM | 4));

	say("-- /dev/console\n");
	fd = T(open("/dev/console", O_RDWR));
	T(write(fd, "console line\n", 13));
	T(lseek(fd, 0, SEEK_SET));
	T(pread(fd, buf, 1, 0));
	T(pwrite(fd, "x", 1, 0));
	T(write(fd, BAD_USER, 3));
	T(write(fd, BAD_KERNEL, 3));
	T(write(fd, buf, 0));
	T(close(fd));
	fd = T(open("/dev/console", O_RDONLY | O_NONBLOCK));
	T(read(fd, buf, sizeof buf));
	T(read(fd, buf, 0));
	struct timespec d = {0, 30000000}, before, after;
	clock_gettime(CLOCK_MONOTONIC, &before);
	T(nanosleep(&d, NULL));
	clock_gettime(CLOCK_MONOTONIC, &after);
	fact("a sleep after it lasts",
	     (after.tv_sec - before.tv_sec) * 1000000000l + after.tv_nsec - before.tv_nsec >= 30000000);
	T(close(fd));
	T(write(1, "stdout line\n", 12));
	struct iovec w[2] = {{"std", 3}, {"out writev\n", 11}};
	T(writev(1, w, 2));
	T(write(2, "", 0));
}

static void ioctls(void)
{
	say("-- ioctl\n");
	struct ktermios t;
	T(ioctl(1, TCGETS, &t));
	say("iflag %#o oflag %#o cflag %#o lflag %#o line %d\n", t.c_iflag, t.c_oflag, t.c_cflag, t.c_lflag, t.c_line);
	say("cc");
	for (int i = 0; i < 17; i++)
		say(" %d", t.c_cc[i]);
	say("\n");
	T(ioctl(1, TCGETS, BAD_USER));
	T(ioctl(1, TCGETS, BAD_KERNEL));
	T(ioctl(1, TCSETS, &t));
	struct winsize ws;
	memset(&ws, 0x55, sizeof ws);
	T(ioctl(1, TIOCGWINSZ, &ws));
	say("winsize %d x %d\n", ws.ws_row, ws.ws_col);
	T(ioctl(1, TIOCGWINSZ, BAD_USER));
	T(ioctl(1, 0x54ff, 0));
	fact("isatty(0)", isatty(0));
	fact("isatty(1)", isatty(1));

	int fd = T(open("/tmp/io.txt", O_RDWR));
	T(ioctl(fd, TCGETS, &t));
	T(ioctl(fd, TIOCGWINSZ, &ws));
	fact("isatty(file)", isatty(fd));
	int n = -1;
	T(lseek(fd, 3, SEEK_SET));
	T(ioctl(fd, FIONREAD, &n));
	say("FIONREAD %d\n", n);
	T(ioctl(fd, FIOCLEX));
	T(fcntl(fd, F_GETFD));
	T(ioctl(fd, FIONCLEX));
	T(fcntl(fd, F_GETFD));
	int one = 1, zero = 0;
	T(ioctl(fd, FIONBIO, &one));
	T(fcntl(fd, F_GETFL) & O_NONBLOCK);
	T(ioctl(fd, FIONBIO, &zero));
	T(fcntl(fd, F_GETFL) & O_NONBLOCK);
	T(ioctl(fd, FIONBIO, BAD_USER));
	T(ioctl(fd, 0x12345678, 0));
	T(close(fd));
	fd = T(open("/dev/null", O_RDWR));
	T(ioctl(fd, TCGETS, &t));
	T(ioctl(fd, TIOCGWINSZ, &ws));
	fact("isatty(/dev/null)", isatty(fd));
	T(close(fd));
	fd = T(open("/tmp", O_RDONLY));
	T(ioctl(fd, TCGETS, &t));
	T(close(fd));
	T(ioctl(99, TCGETS, &t));
	T(ioctl(-1, TIOCGWINSZ, &ws));
}

/* "input" (the case types a line once "ready" shows): a non-blocking read
 * finds nothing, and input arriving during a later sleep does not end it */
static int input_checks(void)
{
	char buf[64];
	struct ktermios t, quiet;
	T(ioctl(0, TCGETS, &t));
	quiet = t;
	quiet.c_lflag &= ~(unsigned)ECHO; /* no echo: timing cannot reorder the output */
	T(ioctl(0, TCSETS, &quiet));
	int fd = T(open("/dev/console", O_RDONLY | O_NONBLOCK));
	T(read(fd, buf, sizeof buf));
	say("ready\n");
	struct timespec d = {1, 0}, before, after;
	clock_gettime(CLOCK_MONOTONIC, &before);
	T(nanosleep(&d, NULL));
	clock_gettime(CLOCK_MONOTONIC, &after);
	long slept = (after.tv_sec - before.tv_sec) * 1000000000l + after.tv_nsec - before.tv_nsec;
	fact("the sleep lasted its second while a line came", slept >= 1000000000l);
	T(fcntl(fd, F_SETFL, 0));
	long n = T(read(fd, buf, sizeof buf));
	show("the line", buf, n);
	T(ioctl(0, TCSETS, &t));
	return 0;
}

/* sendfile from a file to a file, a pipe and /dev/null; its errors */
static void sendfiles(void)
{
	say("-- sendfile\n");
	int in = open("/tmp/sf_in", O_RDWR | O_CREAT | O_TRUNC, 0644);
	static char data[10000];
	for (unsigned i = 0; i < sizeof data; i++)
		data[i] = (char)('a' + i % 26);
	T(write(in, data, sizeof data));
	T(lseek(in, 100, SEEK_SET));
	int out = T(open("/tmp/sf_out", O_RDWR | O_CREAT | O_TRUNC, 0644));
	T(sendfile(out, in, NULL, 5000));
	T(lseek(in, 0, SEEK_CUR));
	off_t off = 9000;
	T(sendfile(out, in, &off, 5000));
	say("offset after: %ld\n", (long)off);
	T(lseek(in, 0, SEEK_CUR));
	static char back[6000];
	T(pread(out, back, sizeof back, 0));
	fact("the copy is the file's bytes 100..5099 then 9000..9999",
	     !memcmp(back, data + 100, 5000) && !memcmp(back + 5000, data + 9000, 1000));
	off = 20000;
	T(sendfile(out, in, &off, 10));
	T(sendfile(out, in, NULL, 0));
	int p[2];
	T(pipe(p));
	off = 0;
	T(sendfile(p[1], in, &off, 100));
	char pb[100];
	T(read(p[0], pb, sizeof pb));
	fact("the pipe got the first 100 bytes", !memcmp(pb, data, 100));
	T(sendfile(out, p[0], NULL, 10));
	int null = open("/dev/null", O_WRONLY);
	off = 0;
	T(sendfile(null, in, &off, sizeof data));
	T(sendfile(null, in, BAD_USER, 10));
	T(sendfile(-1, in, NULL, 10));
	T(sendfile(null, -1, NULL, 10));
	T(sendfile(null, 999, NULL, 10));
	int ro = open("/tmp/sf_out", O_RDONLY), wo = open("/tmp/sf_in", O_WRONLY);
	T(sendfile(ro, in, NULL, 10));
	T(sendfile(null, wo, NULL, 10));
	close(ro);
	close(wo);
	close(null);
	close(p[0]);
	close(p[1]);
	close(out);
	close(in);
	unlink("/tmp/sf_in");
	unlink("/tmp/sf_out");
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "input"))
		return input_checks();
	files();
	faults();
	devices();
	ioctls();
	sendfiles();
	say("done\n");
	return 0;
}
