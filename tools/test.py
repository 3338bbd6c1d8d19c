#!/usr/bin/env python3
"""Runs every lx4 test and prints one summary line: "N passed, N failed".

  tools/test.py [--build DIR] [--only PREFIX] [--configs micro,coloc,mono] [-v]

- host unit tests (cmocka, built by tests/unit/Makefile), TAP output
- the in-guest kernel suite (root task + ktest image, including the fuzzer)
- docs/syscalls.md is what tools/gen_syscalls_doc.py writes from
  server/systab.c now
- the Linux-ABI suite (tests/linux/cases.py: each case's output and status
  on lx4 against Linux's) on every configuration of --configs: micro's
  cases are linux.NAME, the others' CONFIG.linux.NAME
- the kernel panic check (a deliberate fault at boot must print a full
  report and end QEMU with the panic status)
Every QEMU run has a timeout; a hang counts as a failure.  The Linux
cases run two at a time (LX4_TEST_JOBS to change it).
"""
import argparse
import glob
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu  # noqa: E402

results = []  # (name, ok, detail)


def record(name, ok, detail=""):
    results.append((name, ok, detail))
    print(("PASS " if ok else "FAIL ") + name + ("" if ok or not detail else ": " + detail), flush=True)


def unit_tests(build):
    bins = sorted(glob.glob(os.path.join(build, "unit", "test_*")))
    bins = [b for b in bins if os.access(b, os.X_OK) and not b.endswith((".o", ".d"))]
    if not bins:
        record("unit: built", False, "no unit test binaries in " + build + "/unit")
    for b in bins:
        env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="TAP")
        try:
            p = subprocess.run([b], capture_output=True, text=True, timeout=120, env=env)
        except subprocess.TimeoutExpired:
            record("unit." + os.path.basename(b), False, "timed out")
            continue
        seen = 0
        for line in p.stdout.splitlines():
            m = re.match(r"(not ok|ok) \d+ - (\S+)", line)
            if m:
                seen += 1
                record("unit.%s.%s" % (os.path.basename(b)[5:], m.group(2)), m.group(1) == "ok")
        if not seen or (p.returncode != 0 and all(r[1] for r in results if r[0].startswith("unit." + os.path.basename(b)[5:]))):
            record("unit." + os.path.basename(b), False, "exit %d: %s" % (p.returncode, (p.stdout + p.stderr)[-500:]))


def doc_check():
    import gen_syscalls_doc
    try:
        want = gen_syscalls_doc.generate()
        with open(gen_syscalls_doc.DOC) as f:
            ok = f.read() == want
        detail = "" if ok else "docs/syscalls.md is not current: run tools/gen_syscalls_doc.py and commit it"
    except (OSError, SystemExit) as e:
        ok, detail = False, str(e)
    record("doc.syscalls", ok, detail)


def guest_suite(build, kind, image, only, timeout, verbose):
    mod = "%s %s%s" % (os.path.join(build, image), kind, (" " + only) if only else "")
    # under -icount the guest's clock follows its instructions, so the
    # tests that measure time slices and deadlines do not depend on how
    # busy the host is
    r = qemu.run(build, [os.path.join(build, "root.elf"), mod], timeout=timeout, echo=verbose, icount=True)
    n = 0
    for line in r.log.splitlines():
        m = re.match(r"TEST (PASS|FAIL) (\S+?)(?:: (.*))?$", line)
        if m:
            n += 1
            record(m.group(2), m.group(1) == "PASS", m.group(3) or "")
    summary = re.search(r"SUITE (\d+) passed, (\d+) failed", r.log)
    tail = "\n".join(r.log.splitlines()[-25:])
    if r.timed_out or r.panicked or not summary:
        why = "timed out" if r.timed_out else "kernel panic" if r.panicked else "no summary"
        record("%s: whole run" % kind, False, why + "\n" + tail)
    elif n == 0:
        record("%s: whole run" % kind, False, "no tests ran\n" + tail)
    return r


def panic_check(build):
    r = qemu.run(build, [os.path.join(build, "root.elf"), os.path.join(build, "ktest.elf") + " ktest"],
                 append="test_panic", timeout=60)
    need = ["lx4 PANIC", "cr2 (fault address) 0000000000000010", "rip ", "rsp ", "backtrace:", "<kmain+"]
    missing = [s for s in need if s not in r.log]
    ok = r.guest_exit == qemu.EXIT_PANIC and not missing
    record("kernel.panic_report", ok,
           "" if ok else "exit %s, missing %s\n%s" % (r.status, missing, r.log[-1500:]))


def linux_prefix(system):
    """the names of a configuration's Linux-ABI cases: linux.NAME on micro,
    CONFIG.linux.NAME on the others"""
    return "linux." if system == "micro" else system + ".linux."


def linux_suite(build, only, verbose, system="micro"):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "linux"))
    import cases
    import difftest
    import concurrent.futures
    todo = [c for c in cases.CASES if not only or c["name"].startswith(only)]
    # two cases at a time: a case is mostly one Linux boot (seconds of TCG on
    # one core) when its result is not cached yet; results print in order
    jobs = int(os.environ.get("LX4_TEST_JOBS", "2"))
    with concurrent.futures.ThreadPoolExecutor(max(1, jobs)) as pool:
        for case, (ok, detail) in zip(todo, pool.map(lambda c: difftest.check(build, c, system=system), todo)):
            record(linux_prefix(system) + case["name"], ok, detail)


# the server's seam (server/platform.h): the handlers name nothing of the
# kernel's ABI; only the backends (server/platform/) do.
SEAM_ALLOWED = set()
SEAM_FORBIDDEN = re.compile(r'#\s*include\s*[<"](?:lx4\.h|serverproto\.h|lx4/)'
                            r"|\bLX4_(?:REG|PF|EXREGS|TAG|LABEL|MR|SYSCALL_MSG|CAP|DBG)_\w*"
                            r"|\blx4_(?:rdtsc|syscall|ipc\w*|call|send|recv|reply\w*|exregs|map\w*|unmap|kip\w*|utcb"
                            r"|thread_\w+|task_\w+|cap_\w+|tag|puts|log_hook)\b")


def seam_check():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    srv = os.path.join(here, "server")
    bad = []
    for folder, dirs, files in os.walk(srv):
        dirs[:] = sorted(d for d in dirs if d != "platform")  # (the backends may)
        for name in sorted(files):
            rel = os.path.relpath(os.path.join(folder, name), srv)
            if not name.endswith((".c", ".h")) or rel == "platform.h" or rel in SEAM_ALLOWED:
                continue
            with open(os.path.join(folder, name)) as f:
                for n, line in enumerate(f, 1):
                    m = SEAM_FORBIDDEN.search(line)
                    if m:
                        bad.append("server/%s:%d: %s" % (rel, n, m.group(0)))
    record("seam.server", not bad, "the handlers reach past server/platform.h: " + "; ".join(bad[:5]) if bad else "")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--only", default="", help="run only in-guest tests with this name prefix")
    ap.add_argument("--configs", default="micro,coloc,mono",
                    help="the configurations the Linux-ABI suite runs on (each but micro from BUILD-CONFIG)")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    configs = [c for c in a.configs.split(",") if c]
    linux_only = any(a.only.startswith(linux_prefix(c)) for c in configs)
    if not a.only:
        unit_tests(a.build)
        doc_check()
        seam_check()
        panic_check(a.build)
    if not linux_only:
        guest_suite(a.build, "ktest", "ktest.elf", a.only, 1500, a.verbose)
    for system in configs:
        prefix = linux_prefix(system)
        if not a.only:
            linux_suite(a.build, "", a.verbose, system)
        elif a.only.startswith(prefix):
            linux_suite(a.build, a.only[len(prefix):], a.verbose, system)
    passed = sum(1 for r in results if r[1])
    failed = len(results) - passed
    if failed:
        print("\nfailures:")
        for name, ok, detail in results:
            if not ok:
                print("  " + name + (": " + detail.splitlines()[0] if detail else ""))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
