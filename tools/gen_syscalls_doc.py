#!/usr/bin/env python3
"""Writes docs/syscalls.md: every x86-64 Linux system call (the names of
Debian's <asm/unistd_64.h>) and what lx4's Linux server does with it, read
from the table in server/systab.c:

  [__NR_read] = sys_read, /* read(2) */                    implemented
  [__NR_ioctl] = sys_ioctl, /* partial: terminal requests */ partial
  (no entry)                                               ENOSYS

and lx4's private calls (lx4_syscall_table, numbers from server/syscall.h)
in a table of their own, each with the first sentence of its comment.

  tools/gen_syscalls_doc.py            write docs/syscalls.md
  tools/gen_syscalls_doc.py --check    exit 1 if docs/syscalls.md is not
                                       what would be written now
  tools/gen_syscalls_doc.py -o FILE    write FILE instead ("-": stdout)

tools/test.py runs the check, so that the document stays in step with the
table.
"""
import argparse
import os
import re
import sys

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SYSTAB = os.path.join(TOP, "server", "systab.c")
SYSCALL_H = os.path.join(TOP, "server", "syscall.h")  # the numbers of lx4's private calls
DOC = os.path.join(TOP, "docs", "syscalls.md")
HDR = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"

ENTRY = re.compile(r"^\s*\[(\w+)\]\s*=\s*(\w+)\s*,\s*(?:/\*\s*(.*?)\s*\*/)?\s*$")


def names(path=HDR, prefix="__NR_"):
    """{number: name} of the system calls #defined in path"""
    out = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"#define %s(\w+)\s+(\d+)\s*$" % prefix, line)
            if m:
                out[int(m.group(2))] = m.group(1)
    return out


def _body(text, name, path):
    body = re.search(r"\b%s\[[^\]]*\]\s*=\s*\{(.*?)\n\};" % name, text, re.S)
    if not body:
        raise SystemExit("gen_syscalls_doc: no %s in %s" % (name, path))
    return body.group(1)


def table(path=SYSTAB):
    """{name: (handler, comment)} of the entries of the system call table
    ([__NR_read] = sys_read, /* read(2) */)"""
    out = {}
    with open(path) as f:
        text = f.read()
    for line in _body(text, "syscall_table", path).splitlines():
        if not line.strip():
            continue
        m = ENTRY.match(line)
        if not m or not m.group(1).startswith("__NR_"):
            raise SystemExit("gen_syscalls_doc: cannot read this line of %s:\n%s" % (path, line))
        name = m.group(1)[len("__NR_"):]
        if name in out:
            raise SystemExit("gen_syscalls_doc: %s twice in %s" % (name, path))
        out[name] = (m.group(2), m.group(3) or "")
    return out


def private_calls(path=SYSTAB, hdr=SYSCALL_H):
    """[(number, name, handler, first sentence of the comment)] of lx4's
    private calls ([LX4_SYS_X - LX4_SYSCALL_BASE] = fn, after a comment)"""
    consts = {}
    with open(hdr) as f:
        for line in f:
            m = re.match(r"#define (LX4_\w+)\s+\(?\s*(\w+)(?:\s*\+\s*(\w+))?\s*\)?", line)
            if m:
                terms = [t for t in m.group(2, 3) if t]
                try:
                    consts[m.group(1)] = sum(consts[t] if t in consts else int(t, 0) for t in terms)
                except ValueError:
                    pass
    with open(path) as f:
        text = f.read()
    if not re.search(r"\blx4_syscall_table\[", text):
        return []
    body = _body(text, "lx4_syscall_table", path)
    token = re.compile(r"/\*(.*?)\*/|\[(LX4_SYS_(\w+))\s*-\s*LX4_SYSCALL_BASE\]\s*=\s*(\w+)\s*,", re.S)
    left = token.sub("", body).strip()
    if left:
        raise SystemExit("gen_syscalls_doc: cannot read this in lx4_syscall_table of %s:\n%s" % (path, left))
    out, comment = [], ""
    for m in token.finditer(body):
        if m.group(1) is not None:
            comment = " ".join(w.strip().lstrip("*") for w in m.group(1).splitlines())
            comment = " ".join(comment.split())
            continue
        if m.group(2) not in consts:
            raise SystemExit("gen_syscalls_doc: no number for %s in %s" % (m.group(2), hdr))
        first = re.match(r"(.*?\.)(\s|$)", comment)
        out.append((consts[m.group(2)], "lx4_" + m.group(3).lower(), m.group(4), first.group(1) if first else comment))
        comment = ""
    return sorted(out)


def _row(nr, name, entry):
    if entry is None:
        return "ENOSYS", "| %d | %s | ENOSYS |  |  |" % (nr, name)
    handler, comment = entry
    if comment.startswith("partial:"):
        status, note = "partial", comment[len("partial:"):].strip()
    else:
        status, note = "implemented", comment
    return status, "| %d | %s | %s | `%s` | %s |" % (nr, name, "**partial**" if status == "partial" else status,
                                                   handler, _cell(note))


def _cell(s):
    return s.replace("|", "\\|")


def generate(systab=SYSTAB, hdr=HDR, own=SYSCALL_H):
    nrs = names(hdr)
    linux = table(systab)
    unknown = sorted(set(linux) - set(nrs.values()))
    if unknown:
        raise SystemExit("gen_syscalls_doc: not in %s: %s" % (hdr, ", ".join(unknown)))
    rows, count = [], {"implemented": 0, "partial": 0, "ENOSYS": 0}
    for nr in sorted(nrs):
        status, row = _row(nr, nrs[nr], linux.get(nrs[nr]))
        count[status] += 1
        rows.append(row)
    gaps, prev = [], -1
    for nr in sorted(nrs):
        if nr != prev + 1:
            gaps.append("%d-%d" % (prev + 1, nr - 1) if nr - 1 > prev + 1 else str(prev + 1))
        prev = nr
    out = [
        "# System calls of the Linux server",
        "",
        "<!-- generated by tools/gen_syscalls_doc.py from server/systab.c and",
        "     <asm/unistd_64.h>: do not edit; make test checks it is current -->",
        "",
        "Every x86-64 Linux system call number and what `server/` does with it.",
        "*implemented*: a handler in `server/systab.c` (the note is its comment);",
        "*partial*: a handler whose comment starts with `partial:` (the note says",
        "what is missing); *ENOSYS*: no entry, the call returns `-ENOSYS` and the",
        "server logs its name once.",
        "",
        "%d system calls: %d implemented, %d partial, %d ENOSYS.%s" % (
            len(nrs), count["implemented"], count["partial"], count["ENOSYS"],
            (" (Numbers %s are not used on x86-64.)" % ", ".join(gaps)) if gaps else ""),
        "",
        "| nr | name | status | handler | note |",
        "|---:|---|---|---|---|",
    ] + rows
    lx4 = private_calls(systab, own)
    if lx4:
        out += ["", "## lx4's private calls", "",
                "Numbers far above Linux's (`LX4_SYSCALL_BASE` in `server/syscall.h`), for lx4's own tests and",
                "benchmarks (`lx4_syscall_table` in `server/systab.c`).", "",
                "| nr | name | handler | what it does |", "|---:|---|---|---|"]
        out += ["| %#x | %s | `%s` | %s |" % (nr, name, fn, _cell(note)) for nr, name, fn, note in lx4]
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description="writes docs/syscalls.md from server/systab.c")
    ap.add_argument("--check", action="store_true", help="exit 1 if the document is not current")
    ap.add_argument("-o", "--output", default=DOC)
    a = ap.parse_args()
    text = generate()
    if a.check:
        try:
            with open(a.output) as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current != text:
            print("%s is not current: run tools/gen_syscalls_doc.py" % a.output, file=sys.stderr)
            sys.exit(1)
        return
    if a.output == "-":
        sys.stdout.write(text)
    else:
        with open(a.output, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
