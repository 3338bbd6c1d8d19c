"""The differential test cases (tools/difftest.py): each runs on lx4 and
on Linux, and the console output and exit status must be the same."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = [(os.path.join(HERE, "data"), "/data")]


def sys(name, *args, tag=None, expect=0, data=False, **more):
    """a system call test program of tests/linux (sys_*.c), named
    NAME.TAG (TAG: the first argument unless given); more: other fields
    (input, input_after)"""
    tag = tag or (args[0] if args else None)
    c = {"name": name + ("." + tag if tag else ""), "argv": ["/tests/" + name] + list(args), "expect": expect}
    c.update(more)
    if data:
        c["adds"] = DATA
    return c


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
    # hostile programs: the right signal, on both systems
    {"name": "hostile.null", "argv": ["/tests/hostile", "null"], "expect": 128 + 11},
    {"name": "hostile.illegal", "argv": ["/tests/hostile", "ill"], "expect": 128 + 4},
    {"name": "hostile.kernel_jump", "argv": ["/tests/hostile", "kjump"], "expect": 128 + 11},
    {"name": "hostile.kernel_read", "argv": ["/tests/hostile", "kread"], "expect": 128 + 11},
    {"name": "hostile.privileged", "argv": ["/tests/hostile", "hlt"], "expect": 128 + 11},
    {"name": "hostile.no_stack", "argv": ["/tests/hostile", "stack"], "expect": 128 + 11},
    # random system calls from several processes while another works; the
    # errors they get differ from Linux's, so this one is lx4's alone
    {"name": "hostile.syscall_fuzz", "argv": ["/tests/hostile", "fuzz", "0x1e4f", "100000"], "adds": DATA,
     "expect": 0, "lx4_only": True},
    # the server gets every page back when processes end (lx4's own call)
    {"name": "exit_frees_everything", "argv": ["/tests/exit_frees"], "adds": DATA, "expect": 0, "lx4_only": True},
    # the console: input through the server's 16550 driver (IRQ 4) and the
    # line discipline; echo off so that timing cannot reorder the output
    {"name": "console.input", "argv": ["/bin/sh", "-c", "stty -echo; echo ready; cat; echo status $?"],
     "input": b"first line\nsecond line\n\x04", "input_after": b"ready"},
    sys("sys_io"),
    sys("sys_io", "input", input=b"typed\n", input_after=b"ready"),
    sys("sys_file", data=True),
    sys("sys_file", "exec"),
    sys("sys_fs", data=True),
    sys("sys_mem"),
    sys("sys_mem", "sigbus", expect=128 + 7),
    sys("sys_mem", "segv", expect=128 + 11),
    sys("sys_mem", "unmapped", expect=128 + 11),
    sys("sys_misc"),
    sys("sys_lock"),
    sys("sys_signal"),
    sys("sys_misc", "exit", "42", expect=42),
    sys("sys_misc", "exit_group", "300", expect=300 & 0xff),
    sys("sys_misc", "exit", "-1", tag="exit_minus_1", expect=255),
    {"name": "sh.pipeline", "argv": ["/bin/sh", "-c", "echo hello | tr a-z A-Z; wc -l /data/poem.txt; exit 4"],
     "adds": DATA, "expect": 4},
    # a writer that outlives its reader dies of SIGPIPE while the reader's
    # close is being handled (the server ends it after the event, not inside)
    {"name": "sh.sigpipe", "argv": ["/bin/sh", "-c",
                                    "cat /dev/zero | head -c 10 | wc -c; yes | head -2; "
                                    "yes | (exit 3); echo ${PIPESTATUS:-$?}; "
                                    "cat /dev/zero | (read -n 1 x; exit 0); echo done"]},
    # a background child that ends before the foreground one, then wait
    # (one still running when wait starts needs SIGCHLD delivered: ash
    # waits in sigsuspend for its handler to run, and delivery is not there)
    {"name": "sh.background_wait", "argv": ["/bin/sh", "-c",
                                            "sleep 0.1 & sleep 0.4; echo a; wait; echo b $?"]},
]
