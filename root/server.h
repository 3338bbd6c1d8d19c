/* Starting the Linux server and standing by as its pager of last resort. */
#ifndef ROOT_SERVER_H
#define ROOT_SERVER_H

#include <lx4/bootinfo.h>

/* starts the server image with the initramfs, hands it all the RAM the
 * root does not keep, and serves it until it ends the run; returns only
 * if the server could not be started */
int server_run(const struct lx4_bootinfo *bi, const struct lx4_bi_module *srv, const struct lx4_bi_module *initrd);

#endif
