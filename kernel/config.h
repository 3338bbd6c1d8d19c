/*
 * The build's configuration (the Makefile's CONFIG): CONFIG_MONO is 1 in
 * the mono build (the Linux server linked into the kernel, called
 * directly), CONFIG_COLOC in the coloc build (the server in the kernel's
 * protection domain, reached by IPC), each 0 otherwise, so that the code
 * tests them as ordinary C and every build compiles every branch.
 */
#ifndef KERNEL_CONFIG_H
#define KERNEL_CONFIG_H

#ifndef CONFIG_MONO
#define CONFIG_MONO 0
#endif
#ifndef CONFIG_COLOC
#define CONFIG_COLOC 0
#endif

#endif
