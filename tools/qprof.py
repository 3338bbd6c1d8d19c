#!/usr/bin/env python3
"""Where the guest's instructions go: runs one program on lx4 (or Linux)
under QEMU with the qprof plugin (tools/qprof/qprof.c: a count per
translated block) and prints guest instructions per function.

  tools/qprof.py [--system micro|linux] [--build DIR] [--top N]
                 [--add HOST:GUEST]... -- PROGRAM [ARGS...]

Everything the machine runs is counted, boot included: profile a program
that repeats what is to be measured many times.  Addresses are named from
the kernel's and the server's symbols, the program's (tests and
benchmarks: their build output), and on Linux from /boot/System.map (the
kernel boots with nokaslr).  The server is linked apart from the Linux
programs' 0x400000 (Makefile), so its addresses are its own; the root task
shares 0x400000 with the programs and is named as the program.
"""
import argparse
import bisect
import collections
import glob
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def build_plugin(build):
    src = os.path.join(HERE, "qprof", "qprof.c")
    so = os.path.join(build, "qprof", "qprof.so")
    if not os.path.exists(so) or os.path.getmtime(so) < os.path.getmtime(src):
        os.makedirs(os.path.dirname(so), exist_ok=True)
        subprocess.check_call(["gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC",
                               "-fvisibility=hidden", "-o", so, src])
    return so


class Symbols:
    """sorted (address, name) of one image"""

    def __init__(self, image, pairs):
        pairs.sort()
        self.image, self.addrs, self.names = image, [a for a, _ in pairs], [n for _, n in pairs]

    def name(self, addr):
        i = bisect.bisect_right(self.addrs, addr) - 1
        return self.names[i] if i >= 0 else "?"

    @classmethod
    def from_nm(cls, image, path):
        try:
            out = subprocess.run(["nm", "-n", path], capture_output=True, text=True).stdout
        except OSError:
            return None
        pairs = [(int(f[0], 16), f[2]) for f in (l.split() for l in out.splitlines())
                 if len(f) == 3 and f[1] in "tTwW"]
        return cls(image, pairs) if pairs else None

    @classmethod
    def from_map(cls, image, path):
        pairs = []
        with open(path) as f:
            for line in f:
                a, t, n = line.split()[:3]
                if t in "tTwW":
                    pairs.append((int(a, 16), n))
        return cls(image, pairs)


def program_host_path(build, guest):
    for prefix, host in (("/tests/", "linux"), ("/bench/", "bench-linux")):
        if guest.startswith(prefix):
            return os.path.join(build, host, guest[len(prefix):])
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--system", default="micro", choices=["micro", "linux"])
    ap.add_argument("--build", default="build")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--add", action="append", default=[])
    ap.add_argument("--timeout", type=float, default=1200)
    ap.add_argument("program", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    argv = a.program[1:] if a.program and a.program[0] == "--" else a.program
    if not argv:
        ap.error("no program")
    so = build_plugin(a.build)
    adds = [tuple(s.split(":", 1)) for s in a.add]
    with tempfile.TemporaryDirectory() as tmp:
        counts = os.path.join(tmp, "counts")
        os.environ["LX4_QEMU_PLUGIN"] = so + ",out=" + counts
        out = run.run(a.system, a.build, argv, adds, a.timeout, icount=True, echo=False)
        sys.stdout.write(out.output)
        if not os.path.exists(counts):
            sys.exit("qprof: no counts (the run ended with status %d)" % out.status)
        per_addr = collections.Counter()
        with open(counts) as f:
            for line in f:
                va, n, c = line.split()
                per_addr[int(va, 16)] += int(n) * int(c)
    if a.system == "linux":
        maps = glob.glob("/boot/System.map-" + os.path.basename(run.linux_kernel()).replace("vmlinuz-", ""))
        kernel = Symbols.from_map("linux", maps[0]) if maps else None
        server = None
    else:
        kernel = Symbols.from_nm("kernel", os.path.join(a.build, "kernel.elf"))
        server = Symbols.from_nm("server", os.path.join(a.build, "server.elf"))
    host = program_host_path(a.build, argv[0])
    prog = Symbols.from_nm(os.path.basename(argv[0]), host) if host else None
    total = sum(per_addr.values())
    funcs, images = collections.Counter(), collections.Counter()
    for va, n in per_addr.items():
        if va >= 0xffff800000000000:
            img = kernel
        elif server and server.addrs and server.addrs[0] <= va <= server.addrs[-1] + 0x10000:
            img = server
        else:
            img = prog
        iname = img.image if img else "user"
        images[iname] += n
        funcs[(iname, img.name(va) if img else "%x" % (va & ~0xfff))] += n
    print("\nqprof: %d guest instructions in all" % total)
    for iname, n in images.most_common():
        print("  %-12s %14d  %5.1f%%" % (iname, n, 100.0 * n / total))
    print()
    for (iname, fn), n in funcs.most_common(a.top):
        print("  %14d  %5.1f%%  %-8s %s" % (n, 100.0 * n / total, iname, fn))


if __name__ == "__main__":
    main()
