"""The differential test cases (tools/difftest.py): each runs on lx4 and
on Linux, and the console output and exit status must be the same."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = [(os.path.join(HERE, "data"), "/data")]


def bb(name, *args, expect=None):
    c = {"name": "busybox." + name, "argv": ["/bin/" + args[0]] + list(args[1:]), "adds": DATA}
    if expect is not None:
        c["expect"] = expect
    return c


CASES = [
    {"name": "hello", "argv": ["/tests/hello", "one", "two"], "expect": 3},
    bb("echo", "echo", "hello,", "world"),
    bb("ls_root", "ls", "-la", "/"),
    bb("cat", "cat", "/data/poem.txt"),
    {"name": "fork_pipe_wait", "argv": ["/tests/fork"]},
    {"name": "sh.pipeline", "argv": ["/bin/sh", "-c", "echo hello | tr a-z A-Z; wc -l /data/poem.txt; exit 4"],
     "adds": DATA, "expect": 4},
]
