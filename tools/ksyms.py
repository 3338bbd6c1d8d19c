#!/usr/bin/env python3
"""Writes the kernel's symbol table as assembly for the .ksyms section.

usage: ksyms.py [kernel.elf] > ksyms.S   (no argument: an empty table)
Reads `nm -n` of the first-pass kernel; the second link places the table
after everything else, so no address it lists moves.
"""
import subprocess
import sys


def main():
    syms = []
    if len(sys.argv) > 1:
        out = subprocess.run(["nm", "-n", "--defined-only", sys.argv[1]],
                             check=True, capture_output=True, text=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) != 3 or parts[1] not in "tTwW":
                continue
            syms.append((int(parts[0], 16), parts[2]))
    print('\t.section .note.GNU-stack, "", @progbits')
    print('\t.section .ksyms, "a"')
    print("\t.balign 8")
    print("\t.globl ksyms_count, ksyms_table, ksyms_names")
    print(f"ksyms_count:\n\t.quad {len(syms)}")
    print("ksyms_table:")
    off = 0
    for addr, name in syms:
        print(f"\t.quad {addr:#x}\n\t.long {off}, 0")
        off += len(name) + 1
    print("ksyms_names:")
    for _, name in syms:
        print(f'\t.asciz "{name}"')


if __name__ == "__main__":
    main()
