#!/usr/bin/env python3
"""Runs the benchmarks and writes build/bench/results.json.

  tools/bench.py [--build DIR] [--cpu MODEL] [--only kernel|linux]

Everything runs under `qemu -icount shift=0` (the guest TSC counts guest
instructions; see ../shared/design/MEASURE.md) with the same -cpu:

- the kernel benchmarks (bench/kernel, system "micro"): lx4 with the
  kbench image;
- the Linux benchmarks (bench/linux/lxbench, one static binary): on lx4's
  Linux server (system "micro") and on Debian's Linux (system "linux"),
  booted from the same initramfs (tools/run.py).

Each program prints BENCH lines: instructions, kernel entries and CR3 loads
per operation (median of several repetitions); on Linux the counters are
null.  The table gives the ratio micro/linux where both ran.
"""
import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu  # noqa: E402
import run  # noqa: E402

LINE = re.compile(r"BENCH (\S+) instructions=([\d.]+) kernel_entries=([\d.]+|null) cr3_switches=([\d.]+|null)")
LINUX_BENCH = ["/bench/lxbench"]


def _num(s):
    return None if s == "null" else float(s)


def parse(text, system):
    return [{"bench": m.group(1), "system": system, "instructions": float(m.group(2)),
             "kernel_entries": _num(m.group(3)), "cr3_switches": _num(m.group(4))} for m in LINE.finditer(text)]


def run_kernel(build, cpu):
    r = qemu.run(build, [os.path.join(build, "root.elf"), os.path.join(build, "kbench.elf") + " kbench"],
                 timeout=1200, cpu=cpu, icount=True)
    recs = parse(r.log, "micro")
    if r.timed_out or r.panicked or not recs or "TEST FAIL" in r.log:
        sys.stderr.write(r.log[-3000:] + "\nbench: the kernel benchmark run failed\n")
        sys.exit(1)
    return recs


def run_linux_level(build, cpu, system):
    """the Linux benchmarks on lx4 (system "micro") or on Linux"""
    out = run.run(system, build, LINUX_BENCH, timeout=1200, cpu=cpu, icount=True, echo=False)
    recs = parse(out.output, system)
    if out.status != 0 or not recs:
        sys.stderr.write(out.output[-2000:] + "\n" + out.log[-2000:] +
                         "\nbench: the Linux benchmarks failed on %s (status %d)\n" % (system, out.status))
        sys.exit(1)
    if system == "micro" and any(r["kernel_entries"] is None for r in recs):
        sys.stderr.write("bench: lx4's server gave no counters (LX4_SYS_COUNTERS)\n")
        sys.exit(1)
    return recs


def _fmt(v, spec):
    return "-" if v is None else spec % v


def table(recs, cpu):
    linux = {r["bench"]: r["instructions"] for r in recs if r["system"] == "linux"}
    lines = ["%-28s %-7s %14s %15s %13s %12s" % ("benchmark", "system", "instructions", "kernel entries",
                                                  "CR3 loads", "micro/linux")]
    for r in recs:
        ratio = None
        if r["system"] == "micro" and linux.get(r["bench"]):
            ratio = r["instructions"] / linux[r["bench"]]
        lines.append("%-28s %-7s %14.1f %15s %13s %12s" % (
            r["bench"], r["system"], r["instructions"], _fmt(r["kernel_entries"], "%.2f"),
            _fmt(r["cr3_switches"], "%.2f"), _fmt(ratio, "%.2fx")))
    lines.append("(per operation, loop included, median of repetitions; qemu -icount shift=0, -cpu %s)" % cpu)
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--cpu", default=qemu.DEFAULT_CPU)
    ap.add_argument("--only", choices=["kernel", "linux"], help="only the kernel or only the Linux benchmarks")
    a = ap.parse_args()
    recs = []
    if a.only != "linux":
        recs += run_kernel(a.build, a.cpu)
    if a.only != "kernel":
        micro = run_linux_level(a.build, a.cpu, "micro")
        linux = {r["bench"]: r for r in run_linux_level(a.build, a.cpu, "linux")}
        for r in micro:  # each Linux benchmark's two records together
            recs.append(r)
            if r["bench"] in linux:
                recs.append(linux.pop(r["bench"]))
        recs += linux.values()
    out = os.path.join(a.build, "bench")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(recs, f, indent=1)
    print(table(recs, a.cpu))
    print("wrote " + os.path.join(out, "results.json"))


if __name__ == "__main__":
    main()
