/* /dev: null, zero, full, random, urandom and the console. */
#include "serial.h"
#include "sys.h"


static long null_read(struct file *f, struct uio *u)
{
	(void)f;
	(void)u;
	return 0;
}

static long sink_write(struct file *f, struct uio *u)
{
	(void)f;
	uint64_t n = uio_resid(u);
	u->done += n;
	return (long)n;
}

static long full_write(struct file *f, struct uio *u)
{
	(void)f;
	(void)u;
	return -ENOSPC;
}

static long fill_read(struct uio *u, bool random)
{
	static char buf[4096];
	long total = 0;
	if (!random)
		memset(buf, 0, sizeof buf);
	while (uio_resid(u)) {
		uint64_t n = uio_resid(u) < sizeof buf ? uio_resid(u) : sizeof buf;
		if (random)
			random_fill(buf, n);
		long m = uio_copyout(u, buf, n);
		if (m < 0)
			return total ? total : m;
		total += m;
	}
	return total;
}

static long zero_read(struct file *f, struct uio *u)
{
	(void)f;
	return fill_read(u, false);
}

static long random_read(struct file *f, struct uio *u)
{
	(void)f;
	return fill_read(u, true);
}

static const struct file_ops null_ops = {.read = null_read, .write = sink_write};
static const struct file_ops zero_ops = {.read = zero_read, .write = sink_write};
static const struct file_ops full_ops = {.read = zero_read, .write = full_write};
static const struct file_ops random_ops = {.read = random_read, .write = sink_write};

static struct vnode *console;

const struct file_ops *dev_ops(unsigned major, unsigned minor)
{
	switch ((major << 8) | minor) {
	case 0x103:
		return &null_ops;
	case 0x105:
		return &zero_ops;
	case 0x107:
		return &full_ops;
	case 0x108:
	case 0x109:
		return &random_ops;
	case 0x501:
	case 0x500:
	case 0x440:
		return &console_ops;
	default:
		return NULL;
	}
}

/* the node, unless the initramfs brought it */
static struct vnode *add_dev(struct vnode *dir, const char *name, unsigned major, unsigned minor, uint32_t mode,
			     const struct file_ops *ops)
{
	struct vnode *vn = vfs_dir_find(dir, name);
	if (vn)
		return vn->type == V_CHR ? vn : NULL;
	vn = vnode_new(V_CHR, mode);
	if (!vn)
		return NULL;
	vn->rdev = (major << 8) | minor;
	vn->fops = ops;
	if (vfs_dir_add(dir, name, vn))
		return NULL;
	return vn;
}

void dev_init(void)
{
	struct vnode *root = vfs_root(), *dev = vfs_dir_find(root, "dev");
	if (!dev) {
		dev = vnode_new(V_DIR, 0755);
		vfs_dir_add(root, "dev", dev);
	}
	add_dev(dev, "null", 1, 3, 0666, &null_ops);
	add_dev(dev, "zero", 1, 5, 0666, &zero_ops);
	add_dev(dev, "full", 1, 7, 0666, &full_ops);
	add_dev(dev, "random", 1, 8, 0666, &random_ops);
	add_dev(dev, "urandom", 1, 9, 0666, &random_ops);
	console = add_dev(dev, "console", 5, 1, 0600, &console_ops);
	add_dev(dev, "tty", 5, 0, 0666, &console_ops);
	add_dev(dev, "ttyS0", 4, 64, 0660, &console_ops);
	vnode_get(console);
}

struct vnode *dev_console(void) { return console; }
