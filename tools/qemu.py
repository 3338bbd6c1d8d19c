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
EXIT_PANIC = 0x7E  # kernel/arch/x86_64/include/arch/arch.h


class Result:
    def __init__(self, status, log, timed_out, guest_exit):
        self.status = status          # QEMU's exit status
        self.log = log                # the kernel log (str)
        self.timed_out = timed_out
        self.guest_exit = guest_exit  # v from isa-debug-exit, or None

    @property
    def panicked(self):
        return self.guest_exit == EXIT_PANIC or "lx4 PANIC" in self.log


def plugin_args():
    """-plugin for every QEMU run when LX4_QEMU_PLUGIN names one (tools/qprof.py)"""
    p = os.environ.get("LX4_QEMU_PLUGIN")
    return ["-plugin", p] if p else []


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
    return cmd + plugin_args()


def run(build, modules, append="", timeout=120, cpu=DEFAULT_CPU, icount=False,
        memory="512M", echo=False):
    """Boots, waits for QEMU to end (or kills it after timeout seconds) and
    returns a Result.  With echo, the log is copied to stdout as it comes."""
    with tempfile.TemporaryDirectory() as tmp:
        logpath = os.path.join(tmp, "kernel.log")
        cmd = command(build, modules, append, cpu, icount, memory, debugcon="file:" + logpath)
        proc, out, timed_out = supervise(cmd, timeout, logpath if echo else None)
        log = open(logpath, errors="replace").read() if os.path.exists(logpath) else ""
    if out.strip():
        log += "\n[qemu] " + out
    status = proc.returncode
    guest = (status - 1) // 2 if status is not None and status % 2 == 1 and not timed_out else None
    return Result(status, log, timed_out, guest)


def supervise(cmd, timeout, echo_path=None):
    """Runs the QEMU command cmd, killing it (and its group) after timeout
    seconds; copies the file echo_path to stdout as it grows.  Returns the
    process, what QEMU itself printed, and whether it timed out."""
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    deadline, shown, timed_out = time.monotonic() + timeout, 0, False
    while proc.poll() is None:
        if time.monotonic() > deadline:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            break
        time.sleep(0.05)
        if echo_path:
            shown = _echo(echo_path, shown)
    if echo_path:
        _echo(echo_path, shown)
    return proc, proc.stdout.read().decode(errors="replace"), timed_out


def _echo(path, shown):
    """copies what path has beyond byte shown to stdout (a serial line's
    \r\n as \n); returns the new count"""
    try:
        with open(path, "rb") as f:
            f.seek(shown)
            data = f.read()
    except FileNotFoundError:
        return shown
    if data:
        sys.stdout.write(data.decode(errors="replace").replace("\r\n", "\n"))
        sys.stdout.flush()
    return shown + len(data)
