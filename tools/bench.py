#!/usr/bin/env python3
"""Runs the benchmarks and writes build/bench/results.json and results.png.

  tools/bench.py [--build DIR] [--cpu MODEL] [--only kernel|linux]
                 [--systems micro,coloc,mono,linux] [--no-wall] [NAME...]

Everything runs under `qemu -icount shift=0` (the guest TSC counts guest
instructions; see ../shared/design/MEASURE.md) with the same -cpu:

- the kernel benchmarks (bench/kernel, system "micro"): lx4 with the
  kbench image;
- the Linux benchmarks (bench/linux/lxbench, one static binary): on each
  configuration of lx4 (--systems: "micro", the Linux server as a user
  task; "coloc", the same server in the kernel's protection domain, still
  reached by IPC, from BUILD-coloc; "mono", the same server linked into
  the kernel and called directly, from BUILD-mono)
  and on Debian's Linux ("linux"), booted from the same initramfs
  (tools/run.py).  NAMEs choose some of
  them (lxbench's names; the kernel benchmarks then do not run).

lxbench prints BENCH lines: instructions, kernel entries, CR3 loads and IPCs
per operation (median of several repetitions); on Linux the counters are
null.  The macro workloads (shell_mix, aim_mix_N) also print what the
script wrote, which must be what bench/linux/*.expected says on both
systems, and its exit status 0: otherwise the run fails (after writing
what it measured).  They run a second time on both systems without
-icount, for the guest's wall-clock seconds under TCG (the record's
"wall_seconds"; --no-wall skips it): a secondary figure, to be read only
as a ratio between the systems of one run.

The table gives each record's ratio to mono's and to Linux's where they
ran; the plot has one bar per system for each benchmark, log scale
(gnuplot).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import initramfs  # noqa: E402
import qemu  # noqa: E402
import run  # noqa: E402

LINE = re.compile(r"BENCH (\S+) instructions=([\d.]+) kernel_entries=([\d.]+|null) cr3_switches=([\d.]+|null)"
                  r"(?: ipcs=([\d.]+|null))?")
WALL = re.compile(r"WALL (\S+) seconds=([\d.]+)")
WORKLOAD = re.compile(r"WORKLOAD (\S+) rep=(\d+) status=(\d+) lines=(\d+)\n")
LXBENCH = "/bench/lxbench"
WORKLOADS = ["shell_mix", "aim_mix_1", "aim_mix_4", "aim_mix_16"]
# what python_startup runs: Debian's python3 (with its loader, libraries
# and modules)
PYTHON = ["/usr/bin/python3"]
PYTHON_LIB = [("/usr/lib/python3.11", "/usr/lib/python3.11")]
HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED_DIR = os.path.join(HERE, "..", "bench", "linux")


def _num(s):
    return None if s is None or s == "null" else float(s)


def parse(text, system):
    return [{"bench": m.group(1), "system": system, "instructions": float(m.group(2)),
             "kernel_entries": _num(m.group(3)), "cr3_switches": _num(m.group(4)),
             "ipcs": _num(m.group(5))} for m in LINE.finditer(text)]


def expected(name):
    """what workload name must print (bench/linux/shell_mix.expected; for
    aim_mix_N, N jobs of aim_job.expected)"""
    if name.startswith("aim_mix_"):
        n = int(name[len("aim_mix_"):])
        with open(os.path.join(EXPECTED_DIR, "aim_job.expected")) as f:
            job = f.read().splitlines()
        return ["job %d: status 0" % k for k in range(1, n + 1)] + \
            [line for k in range(1, n + 1) for line in ["job %d:" % k] + job]
    with open(os.path.join(EXPECTED_DIR, name + ".expected")) as f:
        return f.read().splitlines()


def check_workloads(text, system, label):
    """the workloads' outputs in text against what they must print;
    returns a list of failures (str)"""
    failures = []
    for m in WORKLOAD.finditer(text):
        name, rep, status, count = m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4))
        lines = text[m.end():].split("\n")[:count]
        got = [line[2:] if line.startswith("| ") else "?" + line for line in lines]
        want = expected(name)
        if status != 0 or got != want:
            import difflib
            diff = "\n".join(difflib.unified_diff(want, got, "expected", "%s on %s" % (name, system), lineterm=""))
            failures.append("%s on %s (%s, repetition %d): exit status %d%s\n%s" % (
                name, system, label, rep, status, "" if got != want else ", output as expected", diff))
    return failures


def run_kernel(build, cpu):
    r = qemu.run(build, [os.path.join(build, "root.elf"), os.path.join(build, "kbench.elf") + " kbench"],
                 timeout=1200, cpu=cpu, icount=True)
    recs = parse(r.log, "micro")
    if r.timed_out or r.panicked or not recs or "TEST FAIL" in r.log:
        sys.stderr.write(r.log[-3000:] + "\nbench: the kernel benchmark run failed\n")
        sys.exit(1)
    return recs


def run_lxbench(build, cpu, system, names, icount):
    """lxbench NAMES on a configuration of lx4 or on Linux; returns its
    console output"""
    adds = initramfs.host_files(PYTHON) + PYTHON_LIB if not names or "python_startup" in names else []
    out = run.run(system, build, [LXBENCH] + names, adds, timeout=3600, cpu=cpu, icount=icount, echo=False)
    if out.status != 0:
        sys.stderr.write(out.output[-3000:] + "\n" + out.log[-2000:] +
                         "\nbench: lxbench failed on %s (status %d)\n" % (system, out.status))
        sys.exit(1)
    return out.output


def run_linux_level(build, cpu, names, wall, failures, systems):
    """the Linux benchmarks on every system, each benchmark's records
    together in the order of systems; the workloads' wall-clock seconds in
    a second run"""
    recs = {}
    for system in systems:
        text = run_lxbench(build, cpu, system, names, True)
        recs[system] = parse(text, system)
        failures += check_workloads(text, system, "-icount")
        if not recs[system]:
            sys.stderr.write(text[-2000:] + "\nbench: no figures from lxbench on %s\n" % system)
            sys.exit(1)
        if system != "linux" and any(r["kernel_entries"] is None for r in recs[system]):
            sys.stderr.write("bench: lx4's server gave no counters on %s (LX4_SYS_COUNTERS)\n" % system)
            sys.exit(1)
    macro = [n for n in (names or WORKLOADS) if n in WORKLOADS]
    if wall and macro:
        for system in systems:
            text = run_lxbench(build, cpu, system, macro, False)
            failures += check_workloads(text, system, "wall clock")
            seconds = {m.group(1): float(m.group(2)) for m in WALL.finditer(text)}
            for r in recs[system]:
                if r["bench"] in seconds:
                    r["wall_seconds"] = seconds[r["bench"]]
    order = []
    for system in systems:
        for r in recs[system]:
            if r["bench"] not in order:
                order.append(r["bench"])
    by = {(r["bench"], r["system"]): r for system in systems for r in recs[system]}
    return [by[(b, system)] for b in order for system in systems if (b, system) in by]


def _fmt(v, spec):
    return "-" if v is None else spec % v


def _ratio(a, b):
    return a / b if a is not None and b else None


def table(recs, cpu):
    by = {(r["bench"], r["system"]): r for r in recs}
    systems = []
    for r in recs:
        if r["system"] not in systems:
            systems.append(r["system"])
    lines = ["%-26s %-6s %16s %15s %10s %10s %9s %9s" % ("benchmark", "system", "instructions", "kernel entries",
                                                        "CR3 loads", "IPCs", "x mono", "x linux")]
    for r in recs:
        mono, linux = by.get((r["bench"], "mono")), by.get((r["bench"], "linux"))
        lines.append("%-26s %-6s %16.1f %15s %10s %10s %9s %9s" % (
            r["bench"], r["system"], r["instructions"], _fmt(r["kernel_entries"], "%.2f"),
            _fmt(r["cr3_switches"], "%.2f"), _fmt(r.get("ipcs"), "%.2f"),
            _fmt(_ratio(r["instructions"], mono and mono["instructions"]), "%.2fx"),
            _fmt(_ratio(r["instructions"], linux and linux["instructions"]), "%.2fx")))
    lines.append("(per operation, loop included, median of repetitions; the workloads per whole run; "
                 "qemu -icount shift=0, -cpu %s; the kernel benchmarks on micro)" % cpu)
    walls = []
    for b in WORKLOADS:
        secs = [by[(b, s)].get("wall_seconds") if (b, s) in by else None for s in systems]
        if any(secs):
            walls.append("%-20s" % b + "".join(" %10s" % _fmt(v, "%.2f") for v in secs))
    if walls:
        lines += ["", "%-20s" % "workload" + "".join(" %10s" % (s + " s") for s in systems)] + walls
        lines.append("(TCG wall-clock seconds without -icount, the guest's CLOCK_MONOTONIC around the run, median; "
                     "only ratios between the systems of one run mean something)")
    return "\n".join(lines)


COLOURS = {"micro": "#1f77b4", "coloc": "#2ca02c", "mono": "#9467bd", "linux": "#ff7f0e"}


def plot(recs, path):
    """results.png: one bar per system for each benchmark, log scale"""
    names, by, systems = [], {}, []
    for r in recs:
        if r["bench"] not in by:
            names.append(r["bench"])
            by[r["bench"]] = {}
        by[r["bench"]][r["system"]] = r["instructions"]
        if r["system"] not in systems:
            systems.append(r["system"])
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data")
        with open(data, "w") as f:
            for n in names:
                f.write("%s %s\n" % (n, " ".join(str(by[n].get(s, "-")) for s in systems)))
        bars = ", ".join('"%s" using %d%s title "%s" lc rgb "%s"' % (
            data if i == 0 else "", i + 2, ":xtic(1)" if i == 0 else "", s, COLOURS.get(s, "#7f7f7f"))
            for i, s in enumerate(systems))
        script = """
set terminal pngcairo size 1600,800 font ",10" noenhanced
set output "%s"
set title "lx4 (%s) and Linux 6.1: guest instructions per operation (workloads: per run), qemu -icount shift=0"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set datafile missing "-"
set logscale y
set yrange [100:*]
set format y "10^%%T"
set ylabel "instructions (log scale)"
set xtics rotate by -40 left nomirror
set grid ytics
set key top left
set bmargin 10
plot %s
""" % (path, ", ".join(s for s in systems if s != "linux"), bars)
        p = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
        if p.returncode != 0:
            sys.stderr.write(p.stderr + "\nbench: gnuplot failed (tools/deps installs gnuplot-nox)\n")
            sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--cpu", default=qemu.DEFAULT_CPU)
    ap.add_argument("--only", choices=["kernel", "linux"], help="only the kernel or only the Linux benchmarks")
    ap.add_argument("--no-wall", action="store_true", help="no wall-clock run of the workloads")
    ap.add_argument("--systems", default="micro,coloc,mono,linux",
                    help="lx4's configurations (each but micro from BUILD-CONFIG) and linux")
    ap.add_argument("names", nargs="*", help="only these Linux benchmarks (lxbench's names)")
    a = ap.parse_args()
    recs, failures = [], []
    if a.only != "linux" and not a.names:
        recs += run_kernel(a.build, a.cpu)
    if a.only != "kernel":
        systems = [x for x in a.systems.split(",") if x]
        for x in systems:
            if x != "linux" and x not in run.CONFIGS:
                ap.error("unknown system " + x)
        recs += run_linux_level(a.build, a.cpu, a.names, not a.no_wall, failures, systems)
    out = os.path.join(a.build, "bench")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(recs, f, indent=1)
    plot(recs, os.path.join(out, "results.png"))
    print(table(recs, a.cpu))
    print("wrote " + os.path.join(out, "results.json") + " and results.png")
    if failures:
        sys.stderr.write("\n\n".join(failures) + "\n\nbench: FAILED: %d workload run(s) did not print what they "
                         "must (their figures measure something else)\n" % len(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
