/*
 * server.elf of the builds with the server in the kernel (mono, coloc).
 * The root task starts it as it starts the user-level server, with the
 * server's RAM, the initramfs and the information page mapped into its
 * task (serverproto.h); it hands them to the server in the kernel
 * (platform/inkernel.c) and goes no further: under mono it stops there,
 * under coloc this very thread becomes the server's main thread.
 */
#include "lx4.h"

int main(void)
{
	long err = lx4_server_start();
	printf("lx4-server: the kernel has no in-kernel server to start (%ld)\n", err);
	return 1;
}
