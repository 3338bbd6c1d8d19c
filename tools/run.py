"""Runs a Linux program on lx4 (the Linux server on the microkernel) or on
Debian's Linux kernel, booted by the same QEMU from the same initramfs.

The program's console output (COM1) is passed through; its end comes from
the debug console, where lx4's server (or, on Linux, our /init) writes
"lx4: init exited with status N" or "lx4: init killed by signal N".
"""
import glob
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import initramfs  # noqa: E402
import qemu  # noqa: E402

END = re.compile(r"lx4: init (exited with status|killed by signal) (\d+)")
CONFIGS = ("micro", "coloc", "mono")


def images(build, system):
    """the folder with the kernel, root task and server of a configuration:
    build itself for micro, build-CONFIG for the others (make CONFIG=...
    builds there); the Linux programs always come from build"""
    if system == "micro":
        return build
    return build.rstrip("/") + "-" + system


def linux_kernel():
    found = sorted(glob.glob("/boot/vmlinuz-*"))
    if not found:
        raise SystemExit("no Linux kernel in /boot: apt-get install linux-image-amd64 (tools/deps does)")
    return found[-1]


def programs(build):
    """(host, guest) for the test and benchmark programs built for Linux"""
    out = []
    for d, guest in (("linux", "/tests"), ("bench-linux", "/bench")):
        path = os.path.join(build, d)
        if os.path.isdir(path):
            for name in sorted(os.listdir(path)):
                if not name.endswith((".o", ".d")):
                    out.append((os.path.join(path, name), guest + "/" + name))
    return out


class Outcome:
    def __init__(self, status, output, log, timed_out):
        self.status = status      # 0-255 as a shell would see it; 124: timeout
        self.output = output      # the console output (str, \r\n -> \n)
        self.log = log            # the debug console (kernel log)
        self.timed_out = timed_out


def _command(system, build, cpio, cpu, icount, serial, debugcon, memory="512M"):
    if system == "linux":
        cmd = [qemu.QEMU, "-accel", "tcg", "-cpu", cpu, "-m", memory, "-smp", "1", "-no-reboot",
               "-display", "none", "-nodefaults", "-monitor", "none",
               "-kernel", linux_kernel(), "-initrd", cpio,
               # (nokaslr under a profiler: System.map's addresses are the real ones)
               "-append", "console=ttyS0 quiet loglevel=0 rdinit=/init panic=-1" +
               (" nokaslr" if qemu.plugin_args() else ""),
               "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
               "-serial", serial, "-debugcon", debugcon]
        if icount:
            cmd += ["-icount", "shift=0"]
        return cmd + qemu.plugin_args()
    img = images(build, system)
    for f in ("kernel32.elf", "root.elf", "server.elf"):
        if not os.path.exists(os.path.join(img, f)):
            raise SystemExit("lx4: no %s for %s in %s: make CONFIG=%s" % (f, system, img, system))
    mods = [os.path.join(img, "root.elf"), os.path.join(img, "server.elf") + " server", cpio + " initramfs"]
    return qemu.command(img, mods, "", cpu, icount, memory, debugcon=debugcon, serial=serial)


def _feeder(path, data, reader, after):
    """writes data into the console's input FIFO, a little at a time, once
    the output shows `after` (bytes typed before the program runs may be
    lost: the UART's FIFO is reset when its driver starts)"""
    import threading

    def feed():
        try:
            with open(path, "wb", buffering=0) as f:
                while after and after not in b"".join(reader.chunks):
                    time.sleep(0.05)
                for i in range(0, len(data), 16):
                    f.write(data[i:i + 16])
                    time.sleep(0.05)
                time.sleep(3600)  # keep it open: no end of input
        except OSError:
            pass
    th = threading.Thread(target=feed, daemon=True)
    th.start()
    return th


def run(system, build, argv, adds=(), timeout=120, cpu=qemu.DEFAULT_CPU, icount=False, echo=True,
        env=initramfs.DEFAULT_ENV, input=None, input_after=b""):
    """boots system (a configuration of lx4, CONFIGS, or "linux") with argv as the first program;
    input (bytes) is typed on the console once the output shows
    input_after; returns an Outcome"""
    with tempfile.TemporaryDirectory() as tmp:
        cpio = os.path.join(tmp, "initramfs.cpio")
        # the same image for both systems (lx4 ignores /init)
        extra = programs(build) + [(os.path.join(build, "linux-init", "lx4-init"), "/init")]
        initramfs.base(argv, env, extra, adds).write(cpio)
        out_path, log_path = os.path.join(tmp, "console"), os.path.join(tmp, "debugcon")
        serial = "file:" + out_path
        if input is not None:  # QEMU reads console.in and writes console.out
            os.mkfifo(out_path + ".in")
            serial = "pipe:" + out_path
            os.mkfifo(out_path + ".out")
            reader = _fifo_reader(out_path + ".out")
            _feeder(out_path + ".in", input, reader, input_after)
            out_path = out_path + ".out"
        cmd = _command(system, build, cpio, cpu, icount, serial, "file:" + log_path)
        proc, qemu_out, timed_out = qemu.supervise(cmd, timeout, out_path if echo else None)
        if input is not None:
            reader.join(5)
            output = b"".join(reader.chunks).decode(errors="replace").replace("\r\n", "\n")
        else:
            output = _read(out_path).replace("\r\n", "\n")
        log = _read(log_path) + (("\n[qemu] " + qemu_out) if qemu_out.strip() else "")
    m = END.search(log)
    if timed_out:
        status = 124
    elif not m:
        status = 125  # the system ended without a report: a crash
    else:
        n = int(m.group(2))
        status = n if m.group(1).startswith("exited") else 128 + n
    return Outcome(status, output, log, timed_out)


def interactive(system, build, argv, adds=(), cpu=qemu.DEFAULT_CPU, icount=False):
    """the console on this terminal (Ctrl-A X quits QEMU)"""
    with tempfile.TemporaryDirectory() as tmp:
        cpio = os.path.join(tmp, "initramfs.cpio")
        extra = programs(build) + [(os.path.join(build, "linux-init", "lx4-init"), "/init")]
        initramfs.base(argv, initramfs.DEFAULT_ENV, extra, adds).write(cpio)
        log_path = os.path.join(build, "console-debug.log")
        cmd = _command(system, build, cpio, cpu, icount, "mon:stdio", "file:" + log_path)
        print("lx4: console on this terminal; Ctrl-A X quits; kernel log in " + log_path, file=sys.stderr)
        return subprocess.call(cmd)


def _fifo_reader(path):
    import threading
    th = threading.Thread(daemon=True)
    th.chunks = []

    def read():
        with open(path, "rb", buffering=0) as f:
            while True:
                d = f.read(4096)
                if not d:
                    break
                th.chunks.append(d)
    th.run = read
    th.start()
    return th


def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode(errors="replace")
    except FileNotFoundError:
        return ""

