"""Differential tests: each case runs on lx4 and on Debian's Linux (same
QEMU, same initramfs) and passes when the console output and the exit
status are the same.  Linux's results are cached in the build directory,
keyed by everything that goes into the run (the image, the kernel, the
command line), since Linux boots are the slow part.

A case is a dict (tests/linux/cases.py):
  name    unique name
  argv    the first program and its arguments
  adds    optional [(hostpath, guestpath)], as for tools/lx4 run --add
  host    optional [program]: programs of this Debian system, each with its
          dynamic loader and libraries at their own paths (tools/lx4 run
          --host), in both images
  expect  optional: the expected exit status (checked on both systems)
  lx4_only optional: True to skip the Linux side (no reference)
  want    optional [bytes or str]: what lx4's output must contain, in order
  input   optional bytes typed on the console (once the output shows
          input_after, if given)
"""
import concurrent.futures
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import initramfs  # noqa: E402
import run  # noqa: E402


def case_adds(case):
    """what a case adds to the image: its adds and its host programs
    (SystemExit if one is not on this system)"""
    return initramfs.host_files(case.get("host", [])) + list(case.get("adds", []))


def _key(build, case):
    h = hashlib.sha256()
    h.update(json.dumps([case["argv"], case_adds(case), initramfs.DEFAULT_ENV,
                         case.get("input", b"").decode(errors="replace")]).encode())
    h.update(run.linux_kernel().encode())
    h.update(initramfs.fingerprint().encode())
    for host, _ in run.programs(build) + [(os.path.join(build, "linux-init", "lx4-init"), "/init")] + \
            case_adds(case):
        for root, dirs, files in os.walk(host) if os.path.isdir(host) else [("", [], [host])]:
            for f in sorted(files + [d for d in dirs if os.path.islink(os.path.join(root, d))]):
                p = os.path.join(root, f)
                if os.path.islink(p):  # the image holds the link, not its target
                    h.update(p.encode() + b" -> " + os.readlink(p).encode())
                    continue
                with open(p, "rb") as fh:
                    h.update(p.encode() + hashlib.sha256(fh.read()).digest() + b"%o" % os.stat(p).st_mode)
    for host in (initramfs.BUSYBOX, initramfs.BASH):
        if os.path.exists(host):
            with open(host, "rb") as fh:
                h.update(hashlib.sha256(fh.read()).digest())
    return h.hexdigest()[:32]


def linux_result(build, case, timeout):
    cache = os.path.join(build, "linux-cache")
    os.makedirs(cache, exist_ok=True)
    path = os.path.join(cache, _key(build, case) + ".json")
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    out = run.run("linux", build, case["argv"], case_adds(case), timeout, echo=False, input=case.get("input"),
                  input_after=case.get("input_after", b""))
    res = {"status": out.status, "output": out.output}
    if not out.timed_out and out.status != 125:
        with open(path, "w") as f:
            json.dump(res, f)
    return res


def check(build, case, timeout=120, system="micro"):
    """runs one case on lx4's configuration system and on Linux; returns
    (ok, detail)"""
    inp = case.get("input")
    try:
        case_adds(case)
    except SystemExit as e:  # (a host program this system lacks: tools/deps installs them)
        return False, str(e)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        lx = pool.submit(run.run, system, build, case["argv"], case_adds(case), timeout, echo=False,
                         input=inp, input_after=case.get("input_after", b""))
        li = None if case.get("lx4_only") else pool.submit(linux_result, build, case, timeout)
        lx4 = lx.result()
        linux = li.result() if li else None
    if lx4.status in (124, 125):
        return False, "lx4 %s:\n%s" % ("timed out" if lx4.status == 124 else "crashed", lx4.log[-1500:])
    if "expect" in case and lx4.status != case["expect"]:
        return False, "lx4 exit status %d, expected %d\n%s" % (lx4.status, case["expect"], lx4.output[-1500:])
    at = 0
    for w in case.get("want", []):
        w = w.decode() if isinstance(w, bytes) else w
        i = lx4.output.find(w, at)
        if i < 0:
            return False, "lx4 output lacks %r (after offset %d):\n%s" % (w, at, lx4.output[-1500:])
        at = i + len(w)
    if linux is None:
        return True, ""
    if linux["status"] != lx4.status:
        return False, "exit status: lx4 %d, Linux %d\nlx4 output:\n%s\nLinux output:\n%s" % (
            lx4.status, linux["status"], lx4.output[-800:], linux["output"][-800:])
    if linux["output"] != lx4.output:
        return False, "outputs differ:\n" + _diff(linux["output"], lx4.output)
    return True, ""


def _diff(a, b):
    import difflib
    lines = list(difflib.unified_diff(a.splitlines(), b.splitlines(), "linux", "lx4", lineterm="", n=2))
    return "\n".join(lines[:60])
