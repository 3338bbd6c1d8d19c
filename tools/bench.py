#!/usr/bin/env python3
"""Runs the benchmarks and writes build/bench/results.json.

  tools/bench.py [--build DIR] [--cpu MODEL]

Boots lx4 under `qemu -icount shift=0` (the guest TSC counts guest
instructions; see ../shared/design/MEASURE.md) with the kernel benchmark
suite, and collects its BENCH lines: instructions, kernel entries and CR3
loads per operation (median of several repetitions).
"""
import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu  # noqa: E402

LINE = re.compile(r"BENCH (\S+) instructions=([\d.]+) kernel_entries=([\d.]+) cr3_switches=([\d.]+)")


def run_micro(build, cpu):
    r = qemu.run(build, [os.path.join(build, "root.elf"), os.path.join(build, "kbench.elf") + " kbench"],
                 timeout=1200, cpu=cpu, icount=True)
    recs = []
    for m in LINE.finditer(r.log):
        recs.append({"bench": m.group(1), "system": "micro", "instructions": float(m.group(2)),
                     "kernel_entries": float(m.group(3)), "cr3_switches": float(m.group(4))})
    if r.timed_out or r.panicked or not recs or "TEST FAIL" in r.log:
        sys.stderr.write(r.log[-3000:] + "\nbench: the benchmark run failed\n")
        sys.exit(1)
    return recs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--cpu", default=qemu.DEFAULT_CPU)
    a = ap.parse_args()
    recs = run_micro(a.build, a.cpu)
    out = os.path.join(a.build, "bench")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(recs, f, indent=1)
    print("%-28s %-7s %14s %15s %13s" % ("benchmark", "system", "instructions", "kernel entries", "CR3 loads"))
    for r in recs:
        print("%-28s %-7s %14.1f %15.2f %13.2f" % (r["bench"], r["system"], r["instructions"],
                                                    r["kernel_entries"], r["cr3_switches"]))
    print("(per operation, median of repetitions; qemu -icount shift=0, -cpu %s)" % a.cpu)
    print("wrote " + os.path.join(out, "results.json"))


if __name__ == "__main__":
    main()
