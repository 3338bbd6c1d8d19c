/* The console (COM1) and its line discipline. */
#ifndef SRV_SERIAL_H
#define SRV_SERIAL_H

#include <stddef.h>

struct file_ops;

void serial_init(void);
void serial_write(const char *s, size_t n);
extern const struct file_ops console_ops;
/* the console's foreground process group */
int console_pgrp(void);

#endif
