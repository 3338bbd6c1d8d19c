#!/usr/bin/env python3
"""Where the guest's instructions go: runs one program on lx4 (or Linux)
under QEMU with the qprof plugin (tools/qprof/qprof.c: a count per
translated block) and prints guest instructions per function.

  tools/qprof.py [--system micro|coloc|mono|linux] [--build DIR] [--top N] [--cpu CPU]
                 [--add HOST:GUEST]... -- PROGRAM [ARGS...]

Everything the machine runs is counted, boot included: profile a program
that repeats what is to be measured many times.  Addresses are named from
the kernel's and the server's symbols, the program's (tests and
benchmarks: their build output), and on Linux from its /proc/kallsyms
(read once by a boot of its own and kept in the build directory; the
kernel boots with nokaslr under the profiler).  The server is linked apart from the Linux
programs' 0x400000 (Makefile), so its addresses are its own; the root task
shares 0x400000 with the programs and is named as the program.
"""
import argparse
import bisect
import collections
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


def linux_kallsyms(build, so):
    """Linux's symbols as /proc/kallsyms shows them at nokaslr addresses
    (Debian's System.map is a stub)"""
    path = os.path.join(build, "qprof", "kallsyms-" + os.path.basename(run.linux_kernel()))
    if not os.path.exists(path):
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["LX4_QEMU_PLUGIN"] = so + ",out=" + os.path.join(tmp, "unused")
            out = run.run("linux", build, ["/bin/cat", "/proc/kallsyms"], [], 300, echo=False)
        lines = [l for l in out.output.splitlines() if len(l.split()) >= 3 and not l.startswith("0000000000000000")]
        if not lines:
            sys.exit("qprof: no /proc/kallsyms from Linux")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
    return path


def program_host_path(build, guest):
    for prefix, host in (("/tests/", "linux"), ("/bench/", "bench-linux")):
        if guest.startswith(prefix):
            return os.path.join(build, host, guest[len(prefix):])
    return None


def profile(a, so, argv):
    """guest instructions per translated block's address in one run"""
    adds = [tuple(s.split(":", 1)) for s in a.add]
    with tempfile.TemporaryDirectory() as tmp:
        counts = os.path.join(tmp, "counts")
        os.environ["LX4_QEMU_PLUGIN"] = so + ",out=" + counts
        out = run.run(a.system, a.build, argv, adds, a.timeout, cpu=a.cpu, icount=True, echo=False)
        if not os.path.exists(counts):
            sys.exit("qprof: no counts (the run ended with status %d)\n%s" % (out.status, out.log[-2000:]))
        per_addr = collections.Counter()
        with open(counts) as f:
            for line in f:
                va, n, c = line.split()
                per_addr[int(va, 16)] += int(n) * int(c)
    return out, per_addr


def attribute(per_addr, kernel, server, prog):
    """instructions per (image, function)"""
    funcs = collections.Counter()
    for va, n in per_addr.items():
        if va >= 0xffff800000000000:
            img = kernel
        elif server and server.addrs and server.addrs[0] <= va <= server.addrs[-1] + 0x10000:
            img = server
        elif prog and prog.addrs[0] <= va <= prog.addrs[-1] + 0x1000:
            img = prog
        else:
            img = None  # (another program's, the root task's, Linux's boot code)
        iname = img.image if img else "other"
        funcs[(iname, img.name(va) if img else "%x" % (va & ~0xffff))] += n
    return funcs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--system", default="micro", choices=["micro", "coloc", "mono", "linux"])
    ap.add_argument("--build", default="build")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--add", action="append", default=[])
    ap.add_argument("--timeout", type=float, default=1200)
    ap.add_argument("--cpu", default=run.qemu.DEFAULT_CPU, help="QEMU's -cpu (as tools/bench.py's)")
    ap.add_argument("--minus", metavar="ARGS",
                    help="profile the program again with these arguments (e.g. a count of 0) and show "
                         "the difference: what the extra work costs, boot and start-up taken out")
    ap.add_argument("--per", type=float, default=1, help="divide the figures by this (operations)")
    ap.add_argument("program", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    argv = a.program[1:] if a.program and a.program[0] == "--" else a.program
    if not argv:
        ap.error("no program")
    so = build_plugin(a.build)
    if a.system == "linux":
        kernel = Symbols.from_map("linux", linux_kallsyms(a.build, so))
        server = None
    else:
        img = run.images(a.build, a.system)
        kernel = Symbols.from_nm("kernel", os.path.join(img, "kernel.elf"))  # (mono, coloc: the server is in it)
        server = Symbols.from_nm("server", os.path.join(img, "server.elf"))
    host = program_host_path(a.build, argv[0])
    prog = Symbols.from_nm(os.path.basename(argv[0]), host) if host else None
    out, per_addr = profile(a, so, argv)
    sys.stdout.write(out.output)
    funcs = attribute(per_addr, kernel, server, prog)
    if a.minus is not None:
        _, base = profile(a, so, [argv[0]] + a.minus.split())
        funcs.subtract(attribute(base, kernel, server, prog))
    images = collections.Counter()
    for (iname, _), n in funcs.items():
        images[iname] += n
    total = sum(images.values())
    print("\nqprof: %.1f guest instructions in all%s" % (total / a.per, " (per operation)" if a.per != 1 else ""))
    for iname, n in images.most_common():
        print("  %-12s %14.1f  %5.1f%%" % (iname, n / a.per, 100.0 * n / total if total else 0))
    print()
    for (iname, fn), n in funcs.most_common(a.top):
        print("  %14.1f  %5.1f%%  %-8s %s" % (n / a.per, 100.0 * n / total if total else 0, iname, fn))


if __name__ == "__main__":
    main()
