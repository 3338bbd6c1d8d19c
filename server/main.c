/*
 * The Linux server's set-up (srv_init, called by the platform's entry
 * before its event loop).  It fills the
 * root file system from the initramfs, brings up the console, and starts
 * the first process: the program named in /.lx4/argv (NUL-separated
 * arguments; /.lx4/env likewise), /bin/sh when there is none.
 */
#include "exec.h"
#include "ioport.h"
#include "mem.h"
#include "platform.h"
#include "proc.h"
#include "serial.h"
#include "vfs.h"
#include "vm.h"

void time_set_boot(uint64_t unix_sec);

#define MAX_INIT_ARGS 64

static unsigned cmos(unsigned reg)
{
	outb(PORT_RTC, (uint8_t)reg);
	return inb(PORT_RTC + 1);
}

/* the wall clock from the CMOS RTC, seconds since 1970 (UTC) */
static uint64_t rtc_time(void)
{
	while (cmos(0x0a) & 0x80) /* an update is in progress */
		;
	unsigned sec = cmos(0), min = cmos(2), hour = cmos(4), day = cmos(7), mon = cmos(8), year = cmos(9);
	if (!(cmos(0x0b) & 4)) { /* BCD */
#define BCD(x) (((x)&15) + ((x) >> 4) * 10)
		sec = BCD(sec), min = BCD(min), hour = BCD(hour & 0x7f), day = BCD(day), mon = BCD(mon),
		year = BCD(year);
	}
	year += 2000;
	static const unsigned mdays[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
	uint64_t days = (year - 1970) * 365 + (year - 1969) / 4 + mdays[(mon - 1) % 12] + day - 1;
	if (mon > 2 && year % 4 == 0)
		days++;
	return days * 86400 + hour * 3600 + min * 60 + sec;
}

/* NUL-separated strings of a file into ptrs (kept in buf) */
static int read_list(const char *path, char *buf, size_t size, const char **ptrs, int max)
{
	int err;
	struct vnode *vn = vfs_lookup(NULL, vfs_root(), path, false, &err);
	if (!vn)
		return 0;
	uint64_t n = vn->size < size - 1 ? vn->size : size - 1;
	for (uint64_t off = 0; off < n; off += 4096) {
		const char *pg = vnode_page(vn, off / 4096, false);
		uint64_t c = n - off < 4096 ? n - off : 4096;
		if (pg)
			memcpy(buf + off, pg, c);
	}
	buf[n] = 0;
	vnode_put(vn);
	int count = 0;
	for (uint64_t i = 0; i < n && count < max; i += strlen(buf + i) + 1)
		if (buf[i])
			ptrs[count++] = buf + i;
	ptrs[count] = NULL;
	return count;
}

static void start_init(void)
{
	static char argbuf[8192], envbuf[8192];
	static const char *argv[MAX_INIT_ARGS + 1], *envp[MAX_INIT_ARGS + 1];
	if (!read_list("/.lx4/argv", argbuf, sizeof argbuf, argv, MAX_INIT_ARGS)) {
		argv[0] = "/bin/sh";
		argv[1] = NULL;
	}
	if (!read_list("/.lx4/env", envbuf, sizeof envbuf, envp, MAX_INIT_ARGS)) {
		envp[0] = "PATH=/bin:/usr/bin";
		envp[1] = "HOME=/";
		envp[2] = "TERM=dumb";
		envp[3] = NULL;
	}
	struct proc *p = proc_alloc();
	struct lthread *t = p ? thread_alloc(p) : NULL;
	if (!t || plat_space_create(&p->space) || plat_thread_create(&t->plat, &p->space, (uint64_t)t->tid)) {
		printf("lx4: cannot create the first process\n");
		plat_shutdown(1);
	}
	p->cwd = vfs_root();
	vnode_get(p->cwd);
	int err;
	/* one open file on descriptors 0, 1 and 2, as Linux gives init
	 * (flags set on one show on all) */
	struct file *f = file_open(dev_console(), O_RDWR, &err);
	for (int fd = 0; f && fd < 3; fd++) {
		if (fd)
			file_get(f);
		p->fds[fd] = f;
	}
	uint64_t regs[PLAT_REG_COUNT];
	bool committed;
	err = exec_image(p, argv[0], 0, 0, argv, envp, regs, &committed);
	if (err) {
		printf("lx4: cannot run %s: error %d\n", argv[0], -err);
		printf("lx4: init exited with status 127\n");
		plat_shutdown(1);
	}
	plat_thread_start(&t->plat, regs);
}

void srv_init(const struct plat_boot *b)
{
	mem_init((uint64_t)b->ram, b->ram_size);
	uint64_t now = rtc_time();
	time_set_boot(now);
	vfs_init();
	int files = b->initrd_size ? vfs_load_cpio(b->initrd, b->initrd_size) : 0;
	if (files < 0)
		printf("lx4-server: the initramfs is malformed (%d)\n", files);
	dev_init();
	procfs_init();
	serial_init();
	printf("lx4-server: %lu MiB of RAM, %d files from the initramfs\n", b->ram_size >> 20, files);
	start_init();
}
