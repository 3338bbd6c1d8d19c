"""Boots lx4 in QEMU (TCG) and collects the kernel log.

Used by tools/lx4, tools/test.py and tools/bench.py.  The kernel log goes
to QEMU's debugcon (port 0xe9); the guest ends QEMU through isa-debug-exit
(port 0xf4), which makes QEMU exit with status 2*v+1.
"""
import os
import signal
import subprocess
import sys
import tempfile
import time

QEMU = "qemu-system-x86_64"
DEFAULT_CPU = "max"
EXIT_PANIC = 0x7E  # kernel/arch/x86_64/arch.h


class Result:
    def __init__(self, status, log, timed_out, guest_exit):
        self.status = status          # QEMU's exit status
        self.log = log                # the kernel log (str)
        self.timed_out = timed_out
        self.guest_exit = guest_exit  # v from isa-debug-exit, or None

    @property
    def panicked(self):
        return self.guest_exit == EXIT_PANIC or "lx4 PANIC" in self.log


def command(build, modules, append="", cpu=DEFAULT_CPU, icount=False, memory="512M",
            debugcon="file", serial="null", gdb=False):
    """The QEMU command line.  modules: list of "path args" strings; the
    first is the root task."""
    cmd = [QEMU, "-accel", "tcg", "-cpu", cpu, "-m", memory, "-smp", "1",
           "-no-reboot", "-display", "none", "-nodefaults", "-monitor", "none",
           "-kernel", os.path.join(build, "kernel32.elf"),
           "-initrd", ",".join(modules),
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-serial", serial, "-debugcon", debugcon]
    if append:
        cmd += ["-append", append]
    if icount:
        cmd += ["-icount", "shift=0"]
    if gdb:
        cmd += ["-s", "-S"]
    return cmd


def run(build, modules, append="", timeout=120, cpu=DEFAULT_CPU, icount=False,
        memory="512M", echo=False):
    """Boots, waits for QEMU to end (or kills it after timeout seconds) and
    returns a Result.  With echo, the log is copied to stdout as it comes."""
    with tempfile.TemporaryDirectory() as tmp:
        logpath = os.path.join(tmp, "kernel.log")
        cmd = command(build, modules, append, cpu, icount, memory, debugcon="file:" + logpath)
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        timed_out = False
        shown = 0
        while proc.poll() is None:
            if time.monotonic() > deadline:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                break
            time.sleep(0.05)
            if echo:
                shown = _echo(logpath, shown)
        out = proc.stdout.read().decode(errors="replace")
        if echo:
            _echo(logpath, shown)
        log = open(logpath, errors="replace").read() if os.path.exists(logpath) else ""
    if out.strip():
        log += "\n[qemu] " + out
    status = proc.returncode
    guest = (status - 1) // 2 if status is not None and status % 2 == 1 and not timed_out else None
    return Result(status, log, timed_out, guest)


def _echo(path, shown):
    try:
        with open(path, errors="replace") as f:
            f.seek(shown)
            data = f.read()
    except FileNotFoundError:
        return shown
    sys.stdout.write(data)
    sys.stdout.flush()
    return shown + len(data.encode())
