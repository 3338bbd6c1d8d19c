#!/usr/bin/env python3
"""Writes the x86-64 Linux system call names as C designated initialisers
("[0] = "read",") from Debian's <asm/unistd_64.h> (linux-libc-dev)."""
import re
import sys

HDR = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"


def names():
    out = {}
    for line in open(HDR):
        m = re.match(r"#define __NR_(\w+)\s+(\d+)", line)
        if m:
            out[int(m.group(2))] = m.group(1)
    return out


if __name__ == "__main__":
    for nr, name in sorted(names().items()):
        print('\t[%d] = "%s",' % (nr, name))
    sys.exit(0)
