"""Builds the initramfs (cpio "newc") that lx4's Linux server and Debian's
Linux kernel both boot from: busybox-static with its applet links, bash, the
test and benchmark programs, files added with --add, and /.lx4/argv and
/.lx4/env naming the first program (NUL-separated strings).
"""
import os
import stat
import subprocess
import time

BUSYBOX = "/bin/busybox"
BASH = "/bin/bash-static"  # Debian's bash-static, at /bin/bash in the image


class Archive:
    def __init__(self):
        self.entries = {}  # guest path -> (mode, data bytes, rdev)
        self.mtime = 1700000000  # fixed, so that ls shows the same on both systems

    def _parents(self, path):
        parts = path.strip("/").split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/" + "/".join(parts[:i])
            if d not in self.entries:
                self.entries[d] = (stat.S_IFDIR | 0o755, b"", 0)

    def dir(self, path, mode=0o755):
        self._parents(path)
        self.entries[path] = (stat.S_IFDIR | mode, b"", 0)

    def file(self, path, data, mode=0o644):
        self._parents(path)
        self.entries[path] = (stat.S_IFREG | mode, data, 0)

    def symlink(self, path, target):
        self._parents(path)
        self.entries[path] = (stat.S_IFLNK | 0o777, target.encode(), 0)

    def chardev(self, path, major, minor, mode=0o600):
        self._parents(path)
        self.entries[path] = (stat.S_IFCHR | mode, b"", (major, minor))

    def add_host(self, host, guest, top=True):
        """a host file or directory tree at guest (symbolic links in the
        tree stay links, even to directories)"""
        if os.path.islink(host) and not top:
            self.symlink(guest, os.readlink(host))
        elif os.path.isdir(host):
            self.dir(guest)
            for name in sorted(os.listdir(host)):
                self.add_host(os.path.join(host, name), guest.rstrip("/") + "/" + name, False)
        elif os.path.islink(host):
            self.symlink(guest, os.readlink(host))
        else:
            with open(host, "rb") as f:
                data = f.read()
            self.file(guest, data, os.stat(host).st_mode & 0o7777)

    def write(self, out):
        ino = 1
        with open(out, "wb") as f:
            for path in sorted(self.entries):
                mode, data, rdev = self.entries[path]
                major, minor = rdev if rdev else (0, 0)
                _entry(f, path.lstrip("/") or ".", mode, data, ino, self.mtime, major, minor)
                ino += 1
            _entry(f, "TRAILER!!!", 0, b"", 0, 0, 0, 0)
            f.write(b"\0" * ((-f.tell()) % 512))


def _entry(f, name, mode, data, ino, mtime, rmajor, rminor):
    nameb = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 1, mtime, len(data), 0, 0, rmajor, rminor, len(nameb), 0]
    f.write(b"070701" + b"".join(b"%08x" % v for v in fields))
    f.write(nameb)
    f.write(b"\0" * ((-(110 + len(nameb))) % 4))
    f.write(data)
    f.write(b"\0" * ((-len(data)) % 4))


def host_files(programs):
    """(host, guest) for Debian programs of this system (absolute paths, or
    names looked up in PATH) and what they need to run: each at its own
    path, with its dynamic loader and every library ldd names (at the
    paths ldd gives, with the contents of the files they lead to)"""
    import shutil
    out, seen = [], set()

    def add(path):
        if path not in seen:
            seen.add(path)
            out.append((os.path.realpath(path), path))

    for prog in programs:
        path = prog if "/" in prog else shutil.which(prog)
        if not path or not os.path.isfile(path):
            raise SystemExit("no such program on this system: " + prog)
        path = os.path.abspath(path)
        add(path)
        r = subprocess.run(["ldd", path], capture_output=True, text=True)
        if r.returncode != 0:  # (a static program, or no ELF: nothing more)
            continue
        for line in r.stdout.splitlines():
            # "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or
            # "/lib64/ld-linux-x86-64.so.2 (0x...)"; the vDSO has no file
            words = line.split()
            lib = words[2] if len(words) > 2 and words[1] == "=>" else words[0] if words else ""
            if lib.startswith("/"):
                add(lib)
            elif "=>" in words and "not" in words:
                raise SystemExit("%s: ldd finds no %s" % (path, words[0]))
    return out


def busybox_applets():
    """(guest path, applet) for every applet of the host's busybox-static"""
    out = subprocess.run([BUSYBOX, "--list-full"], capture_output=True, text=True, check=True).stdout
    return ["/" + line.strip() for line in out.splitlines() if line.strip()]


def base(argv, env, extra_programs=(), adds=()):
    """the standard image: busybox and its links, /dev, /tmp, /etc, the
    programs, the adds and the first program's arguments"""
    a = Archive()
    a.entries["/"] = (stat.S_IFDIR | 0o755, b"", 0)  # "." sets the root's mode and time on both
    for d in ("/bin", "/sbin", "/usr/bin", "/usr/sbin", "/tmp", "/proc", "/sys", "/etc", "/root", "/dev"):
        a.dir(d, 0o1777 if d == "/tmp" else 0o755)
    # the devices both systems have (Linux needs /dev/console in the
    # initramfs; lx4's server gives these nodes their drivers)
    for name, major, minor, mode in (("console", 5, 1, 0o600), ("null", 1, 3, 0o666), ("zero", 1, 5, 0o666),
                                     ("full", 1, 7, 0o666), ("random", 1, 8, 0o666), ("urandom", 1, 9, 0o666),
                                     ("tty", 5, 0, 0o666), ("ttyS0", 4, 64, 0o660)):
        a.chardev("/dev/" + name, major, minor, mode)
    if os.path.exists(BUSYBOX):
        a.add_host(BUSYBOX, "/bin/busybox")
        for path in busybox_applets():
            if path != "/bin/busybox" and path not in a.entries:
                a.symlink(path, "/bin/busybox")
    if os.path.exists(BASH):
        a.add_host(BASH, "/bin/bash")
    for path, data, mode in etc_files():
        a.file(path, data, mode)
    for host, guest in extra_programs:
        a.add_host(host, guest)
    for host, guest in adds:
        a.add_host(host, guest)
    a.file("/.lx4/argv", b"".join(s.encode() + b"\0" for s in argv))
    a.file("/.lx4/env", b"".join(s.encode() + b"\0" for s in env))
    return a


DEFAULT_ENV = ["PATH=/bin:/usr/bin", "HOME=/", "TERM=dumb"]

# the system's files in /etc, as a minimal Debian has them: root and nobody
# (so that whoami, id, ls -l and ps name them), the name the host would
# take (nothing sets it at boot: Linux's kernel keeps "(none)" until
# sethostname), the loopback names and where the C library looks them up
ETC = {
    "/etc/passwd": (b"root:x:0:0:root:/root:/bin/sh\n"
                    b"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n", 0o644),
    "/etc/group": b"root:x:0:\nnogroup:x:65534:\n",
    "/etc/shadow": (b"root:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n", 0o640),
    "/etc/hostname": b"lx4\n",
    "/etc/hosts": b"127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n",
    "/etc/nsswitch.conf": b"passwd: files\ngroup: files\nshadow: files\nhosts: files\n",
}


def etc_files():
    """(guest path, data, mode) of the files of /etc"""
    for path, v in sorted(ETC.items()):
        data, mode = v if isinstance(v, tuple) else (v, 0o644)
        yield path, data, mode


def fingerprint():
    """what the standard image holds besides its programs (for the keys
    of cached Linux results)"""
    import hashlib
    h = hashlib.sha256()
    for path, data, mode in etc_files():
        h.update(path.encode() + b"%o" % mode + hashlib.sha256(data).digest())
    return h.hexdigest()


if __name__ == "__main__":
    import sys
    base(sys.argv[2:] or ["/bin/sh"], DEFAULT_ENV).write(sys.argv[1])
    print("wrote", sys.argv[1], time.time())
