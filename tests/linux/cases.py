"""The differential test cases (tools/difftest.py): each runs on lx4 and
on Linux, and the console output and exit status must be the same.

The busybox cases run applets that need no fork on the files of
tests/linux/data (at /data); there is no shell to redirect, so files are
arguments, and tr (which reads only standard input) runs under /tests/feed
(tests/linux/feed.c: opens a file as standard input and execs)."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = [(os.path.join(HERE, "data"), "/data")]
BASH = [(os.path.join(HERE, "bash"), "/scripts")]
APPLETS = [(os.path.join(HERE, "applets"), "/applets")]
DEBIAN = [(os.path.join(HERE, "debian"), "/debian")]
PYTHON_LIB = [("/usr/lib/python3.11", "/usr/lib/python3.11")]
# Debian's dynamically linked programs the scripts of tests/linux/debian
# run (put into both images with their loader and libraries)
COREUTILS = ["/usr/bin/" + n for n in (
    "basename", "cat", "cmp", "cp", "cut", "date", "dirname", "echo", "expr", "head", "ls", "md5sum", "mkdir", "mv",
    "od", "paste", "rm", "seq", "sha256sum", "sort", "stat", "tail", "tee", "tr", "uniq", "wc")]
TEXT = ["/usr/bin/" + n for n in ("grep", "sed", "gawk", "diff", "sort")]
ARCHIVE = ["/usr/bin/" + n for n in ("cp", "gzip", "ls", "cmp", "od", "head", "md5sum", "tar", "mkdir", "sort", "wc")]

# the applets of busybox's --list-full that live in /usr/bin (the rest used
# here are in /bin)
USR_BIN = {"awk", "cut", "find", "head", "md5sum", "sha256sum", "sort", "tail", "tr", "uniq", "wc"}


def applet(name):
    return ("/usr/bin/" if name in USR_BIN else "/bin/") + name


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


def nobody(c):
    """case c run as nobody (uid and gid 65534, no supplementary groups:
    tests/linux/as.c), named NAME.nobody"""
    c = dict(c)
    c["name"] += ".nobody"
    c["argv"] = ["/tests/as", "65534", "65534"] + c["argv"]
    return c


def debian(name, argv, host, expect=None, adds=DATA, **more):
    """Debian's own (dynamically linked) programs host, named debian.NAME"""
    c = {"name": "debian." + name, "argv": argv, "host": host, "adds": adds}
    if expect is not None:
        c["expect"] = expect
    c.update(more)
    return c


def python(name, program, expect=0, host=()):
    """python3 -c program (Debian's python3, non-PIE, with its library)"""
    return debian("python." + name, ["/usr/bin/python3", "-c", program], ["/usr/bin/python3"] + list(host),
                  expect=expect, adds=PYTHON_LIB + DATA)


PERL_LIB = [("/usr/lib/x86_64-linux-gnu/perl-base", "/usr/lib/x86_64-linux-gnu/perl-base")]


def perl(name, program, expect=0):
    """perl -e program (Debian's perl from perl-base, with its modules)"""
    return debian("perl." + name, ["/usr/bin/perl", "-e", program], ["/usr/bin/perl"], expect=expect,
                  adds=PERL_LIB + DATA)


def bb(name, *args, expect=None):
    c = {"name": "busybox." + name, "argv": [applet(args[0])] + list(args[1:]), "adds": DATA}
    if expect is not None:
        c["expect"] = expect
    return c


def fed(name, infile, *args, expect=None):
    """args[0] with infile as its standard input"""
    c = bb(name, *args, expect=expect)
    c["argv"] = ["/tests/feed", infile] + c["argv"]
    return c


CASES = [
    {"name": "hello", "argv": ["/tests/hello", "one", "two"], "expect": 3},
    bb("echo", "echo", "hello,", "world"),
    bb("echo_n", "echo", "-n", "no", "newline"),
    bb("echo_e", "echo", "-e", "tab\\there\\nnew line\\\\ \\x41\\0101"),
    bb("echo_empty", "echo"),
    # the console's output processing (ONLCR and nothing else) on every byte
    bb("echo_bytes", "echo", "-e", "cr\\rlf\\nbs\\bx\\tesc\\033[0m del\\177 hi\\200\\377 nul\\0end\\r\\n\\n"),
    # /proc's link count is 2 + its subdirectories + the processes: Linux
    # has more of both (kernel threads)
    {"name": "busybox.ls_root", "argv": ["/bin/sh", "-c", "ls -la / | grep -v ' proc$'"], "adds": DATA},
    bb("ls_data", "ls", "-l", "/data"),
    bb("ls_1", "ls", "-1a", "/data"),
    bb("ls_dirs", "ls", "-ld", "/data", "/tmp", "/bin/busybox", "/dev/null"),
    bb("ls_sizes", "ls", "-lS", "/data"),
    bb("ls_recursive", "ls", "-R", "/data", "/etc"),
    bb("ls_classify", "ls", "-F", "/", "/dev"),
    bb("ls_missing", "ls", "/data/missing", expect=1),
    bb("ls_some_missing", "ls", "-l", "/data/poem.txt", "/nope", "/data/empty.txt", expect=1),
    bb("ls_links", "ls", "-l", "/data/link", "/data/dirlink", "/data/dangling", "/data/loop", "/data/rel"),
    bb("ls_follow", "ls", "-lL", "/data/link", "/data/dirlink", "/data/rel"),
    bb("ls_follow_dangling", "ls", "-L", "/data/dangling", "/data/link", expect=1),
    bb("ls_through_link", "ls", "-la", "/data/dirlink/"),
    bb("ls_dev", "ls", "-l", "/dev"),
    bb("ls_empty_dirs", "ls", "-la", "/sys", "/tmp"),  # (/proc is not empty: tests/linux/sys_proc.c)
    {"name": "busybox.ls_blocks", "argv": ["/bin/sh", "-c", "ls -ls /data / | grep -v ' proc$'"], "adds": DATA},
    bb("ls_bin", "ls", "-l", "/bin", "/usr/bin"),
    bb("ls_notdir", "ls", "/data/poem.txt/", expect=1),
    # directory order (find does not sort): newest first on Linux's tmpfs
    bb("find", "find", "/data", "/dev"),
    bb("find_opts", "find", "/", "-type", "f", "-name", "*.txt", "-o", "-type", "l", "-path", "/data/*"),
    bb("find_missing", "find", "/data/missing", "/data/nonl.txt", expect=1),
    bb("find_devices", "find", "/", "-type", "c"),
    # writing to the console moves its mtime (its output comes before /dev)
    bb("find_console_written", "find", "/data", "/dev", "-name", "poem.txt", "-o", "-name", "console", "-mmin", "-60"),
    bb("cat", "cat", "/data/poem.txt"),
    bb("cat_files", "cat", "/data/poem.txt", "/data/empty.txt", "/data/nonl.txt", "/data/words.txt"),
    bb("cat_number", "cat", "-n", "/data/mixed.txt", "/data/lines.txt"),
    bb("cat_show", "cat", "-A", "/data/mixed.txt", "/data/nonl.txt"),
    bb("cat_devnull", "cat", "/dev/null"),
    bb("cat_missing", "cat", "/data/poem.txt", "/data/missing", "/data/nonl.txt", expect=1),
    bb("cat_dir", "cat", "/data", expect=1),
    bb("cat_links", "cat", "/data/link", "/data/rel", "/data/dirlink/hostname", "//data/./../data///nonl.txt"),
    bb("cat_loop", "cat", "/data/loop", expect=1),
    bb("cat_dangling", "cat", "/data/dangling", expect=1),
    bb("cat_notdir", "cat", "/data/poem.txt/x", expect=1),
    bb("cat_trailing_slash", "cat", "/data/poem.txt/", expect=1),
    bb("cat_name_too_long", "cat", "/data/" + "n" * 300, expect=1),
    bb("cat_path_too_long", "cat", "/" + "d/" * 2100, expect=1),
    fed("cat_stdin", "/data/poem.txt", "cat"),
    fed("cat_dash", "/data/poem.txt", "cat", "/data/nonl.txt", "-", "/data/nonl.txt"),
    fed("cat_stdin_dir", "/data", "cat", expect=1),
    bb("wc", "wc", "/data/poem.txt"),
    bb("wc_files", "wc", "/data/poem.txt", "/data/words.txt", "/data/empty.txt", "/data/nonl.txt"),
    bb("wc_lines", "wc", "-l", "/data/lines.txt", "/data/passwd.txt"),
    bb("wc_opts", "wc", "-wcL", "/data/mixed.txt"),
    bb("wc_big", "wc", "-c", "/bin/busybox"),
    bb("wc_big_read", "wc", "-lw", "/bin/busybox"),
    bb("wc_dev", "wc", "/dev/null"),
    fed("wc_stdin", "/data/words.txt", "wc"),
    bb("wc_dir", "wc", "/data", expect=1),
    bb("wc_missing", "wc", "/data/missing", "/data/poem.txt", expect=1),
    bb("sort", "sort", "/data/words.txt"),
    bb("sort_reverse_unique", "sort", "-ru", "/data/words.txt"),
    bb("sort_fold", "sort", "-f", "/data/words.txt"),
    bb("sort_numeric", "sort", "-n", "/data/numbers.txt"),
    bb("sort_general", "sort", "-gr", "/data/numbers.txt"),
    bb("sort_key", "sort", "-t:", "-k3,3n", "/data/passwd.txt"),
    bb("sort_key2", "sort", "-t:", "-k7", "-k1,1r", "/data/passwd.txt"),
    bb("sort_files", "sort", "/data/words.txt", "/data/poem.txt"),
    bb("sort_check_ok", "sort", "-c", "/data/empty.txt"),
    bb("sort_check", "sort", "-c", "/data/words.txt", expect=1),
    bb("sort_missing", "sort", "/data/missing", expect=2),
    bb("sort_output", "sort", "-o", "/tmp/sorted", "/data/words.txt"),
    bb("sort_in_place", "sort", "-n", "-o", "/data/numbers.txt", "/data/numbers.txt"),
    bb("sort_output_bad", "sort", "-o", "/nope/sorted", "/data/words.txt", expect=2),
    # busybox reports the write error but exits 0 (on Linux too)
    bb("sort_output_full", "sort", "-o", "/dev/full", "/data/words.txt", expect=0),
    fed("sort_stdin", "/data/numbers.txt", "sort", "-n", "-", "/data/numbers.txt"),
    bb("uniq", "uniq", "/data/words.txt"),
    bb("uniq_count", "uniq", "-c", "/data/words.txt"),
    bb("uniq_dup", "uniq", "-d", "/data/words.txt"),
    bb("uniq_unique", "uniq", "-u", "/data/words.txt"),
    bb("uniq_skip", "uniq", "-c", "-s", "5", "/data/lines.txt"),
    bb("uniq_missing", "uniq", "/data/missing", expect=1),
    bb("uniq_outfile", "uniq", "/data/words.txt", "/tmp/uniq"),
    bb("uniq_outfile_bad", "uniq", "/data/words.txt", "/data/poem.txt/x", expect=1),
    bb("uniq_outfile_full", "uniq", "/data/words.txt", "/dev/full", expect=0),
    bb("head", "head", "/data/lines.txt"),
    bb("head_n", "head", "-n", "3", "/data/lines.txt"),
    bb("head_all_but", "head", "-n", "-22", "/data/lines.txt"),
    bb("head_bytes", "head", "-c", "20", "/data/poem.txt"),
    bb("head_files", "head", "-n", "2", "/data/poem.txt", "/data/empty.txt", "/data/words.txt"),
    bb("head_missing", "head", "/data/poem.txt", "/data/missing", expect=1),
    bb("head_zero", "head", "-c", "40", "/dev/zero"),
    bb("head_binary", "head", "-c", "300", "/bin/busybox"),
    bb("head_full", "head", "-c", "8", "/dev/full"),
    bb("head_dir", "head", "/data", expect=1),
    fed("head_stdin", "/data/lines.txt", "head", "-c", "12"),
    bb("tail", "tail", "/data/lines.txt"),
    bb("tail_n", "tail", "-n", "3", "/data/lines.txt"),
    bb("tail_from", "tail", "-n", "+22", "/data/lines.txt"),
    bb("tail_bytes", "tail", "-c", "30", "/data/poem.txt"),
    bb("tail_files", "tail", "-n", "1", "/data/poem.txt", "/data/nonl.txt", "/data/passwd.txt"),
    bb("tail_big", "tail", "-c", "64", "/bin/busybox"),
    bb("tail_missing", "tail", "/data/missing", expect=1),
    fed("tail_stdin", "/data/lines.txt", "tail", "-n", "2"),
    bb("tail_devnull", "tail", "/dev/null"),
    bb("md5sum", "md5sum", "/data/poem.txt", "/data/empty.txt", "/data/nonl.txt"),
    bb("md5sum_big", "md5sum", "/bin/busybox"),
    bb("md5sum_check", "md5sum", "-c", "/data/good.md5"),
    bb("md5sum_check_bad", "md5sum", "-c", "/data/bad.md5", expect=1),
    bb("md5sum_missing", "md5sum", "/data/poem.txt", "/data/missing", expect=1),
    fed("md5sum_stdin", "/data/poem.txt", "md5sum"),
    bb("md5sum_dir", "md5sum", "/data", expect=1),
    bb("sha256sum", "sha256sum", "/data/poem.txt", "/data/passwd.txt", "/data/empty.txt"),
    bb("sha256sum_big", "sha256sum", "/bin/busybox"),
    bb("sha256sum_check", "sha256sum", "-c", "/data/good.sha256"),
    bb("sha256sum_check_bad", "sha256sum", "-c", "/data/good.md5", expect=1),
    bb("sha256sum_missing", "sha256sum", "/data/missing", expect=1),
    fed("tr", "/data/poem.txt", "tr", "a-z", "A-Z"),
    fed("tr_classes", "/data/passwd.txt", "tr", "[:lower:]:", "[:upper:] "),
    fed("tr_delete", "/data/poem.txt", "tr", "-d", "aeiou"),
    fed("tr_squeeze", "/data/mixed.txt", "tr", "-s", " \t", "  "),
    fed("tr_complement", "/data/poem.txt", "tr", "-cs", "a-zA-Z", "\\n"),
    fed("tr_empty", "/data/empty.txt", "tr", "x", "y"),
    fed("tr_usage", "/data/poem.txt", "tr", expect=1),
    bb("cut_fields", "cut", "-d:", "-f1,7", "/data/passwd.txt"),
    bb("cut_range", "cut", "-d:", "-f3-5", "/data/passwd.txt"),
    bb("cut_chars", "cut", "-c1-10,20-", "/data/poem.txt"),
    bb("cut_tab", "cut", "-f2", "/data/mixed.txt"),
    bb("cut_only", "cut", "-s", "-f1,3", "/data/mixed.txt"),
    bb("cut_missing", "cut", "-c1", "/data/missing", "/data/poem.txt", expect=1),
    bb("cut_nolist", "cut", "/data/poem.txt", expect=1),
    bb("grep", "grep", "the", "/data/poem.txt"),
    bb("grep_opts", "grep", "-inw", "THE", "/data/poem.txt"),
    bb("grep_invert_count", "grep", "-vc", "apple", "/data/words.txt"),
    bb("grep_extended", "grep", "-E", "^(b|c)[a-z]+a$|ry$", "/data/words.txt"),
    bb("grep_only", "grep", "-o", "[0-9][0-9]*", "/data/passwd.txt"),
    bb("grep_files", "grep", "-l", "sh$", "/data/passwd.txt", "/data/poem.txt", "/data/edit.sed"),
    bb("grep_context", "grep", "-C1", "-n", "line 1[35]", "/data/lines.txt"),
    bb("grep_fixed_line", "grep", "-Fx", "apple", "/data/words.txt", "/data/poem.txt"),
    bb("grep_recursive", "grep", "-r", "message", "/data"),
    bb("grep_pattern_file", "grep", "-n", "-f", "/data/patterns.txt", "/data/poem.txt", "/data/table.txt"),
    bb("grep_quiet", "grep", "-q", "Zucchini", "/data/words.txt"),
    bb("grep_nomatch", "grep", "kumquat", "/data/words.txt", expect=1),
    bb("grep_missing", "grep", "x", "/data/missing", expect=2),
    bb("grep_badre", "grep", "-E", "(", "/data/poem.txt", expect=2),
    bb("grep_deref", "grep", "-R", "-c", "root", "/data"),
    bb("grep_binary", "grep", "-c", "GNU", "/bin/busybox"),
    bb("grep_binary_match", "grep", "BusyBox is copyrighted", "/bin/busybox"),
    fed("grep_stdin", "/data/poem.txt", "grep", "-c", "e"),
    bb("sed_subst", "sed", "s/e/E/2g", "/data/poem.txt"),
    bb("sed_print", "sed", "-n", "2p;$p", "/data/lines.txt", "/data/poem.txt"),
    bb("sed_range", "sed", "-n", "/line 3$/,/line 6/{=;p}", "/data/lines.txt"),
    bb("sed_script", "sed", "-f", "/data/edit.sed", "/data/poem.txt", "/data/mixed.txt"),
    bb("sed_multi", "sed", "-e", "1d", "-e", "y/abc/ABC/", "-e", "s/\\(x\\):/[\\1]/", "/data/passwd.txt"),
    bb("sed_ere", "sed", "-E", "s/^([^:]*):[^:]*:([0-9]+).*/\\2 \\1/", "/data/passwd.txt"),
    bb("sed_quit", "sed", "3q", "/data/lines.txt"),
    bb("sed_nonl", "sed", "s/$/!/", "/data/nonl.txt", "/data/nonl.txt"),
    bb("sed_missing", "sed", "p", "/data/missing", "/data/nonl.txt", expect=1),
    bb("sed_bad", "sed", "s/x", "/data/poem.txt", expect=1),
    bb("sed_in_place", "sed", "-i", "s/a/A/g", "/data/words.txt", "/data/poem.txt"),
    bb("sed_in_place_missing", "sed", "-i", "s/a/A/", "/data/missing", expect=1),
    bb("sed_write", "sed", "-n", "/e/w /tmp/e", "/data/poem.txt"),
    bb("sed_write_bad", "sed", "-n", "w /nope/x", "/data/poem.txt", expect=1),
    bb("sed_write_full", "sed", "-n", "w /dev/full", "/data/poem.txt", expect=0),
    bb("awk_fields", "awk", "-F:", "{ print $1, $NF }", "/data/passwd.txt"),
    bb("awk_program", "awk", "-f", "/data/report.awk", "/data/table.txt"),
    bb("awk_sum", "awk", "{ s += $1 } END { print s, NR, s / NR }", "/data/numbers.txt"),
    bb("awk_numbers", "awk", "BEGIN { printf \"%.6f %.3e %d %x %o %5.2f|%-6s|%c\\n\", 2 / 3, 12345.678, int(-7.9), "
       "255, 8, 3.14159, \"ab\", 65; print 7 % 3, -7 % 3, 1e6, 1e20, 0.1 + 0.2, 100000 * 100000, 1 / 3, "
       "int(\"3abc\"), \"10\" + 5 }"),
    # Debian's busybox has no awk math library: both say so
    bb("awk_nomath", "awk", "BEGIN { print sqrt(2) }", expect=1),
    bb("awk_strings", "awk", "-v", "pre=>", "{ n = gsub(/a/, \"A\"); print pre, toupper(substr($0, 1, 3)), "
       "length($0), index($0, \"n\"), n }", "/data/words.txt"),
    bb("awk_arrays", "awk", "{ c[$0]++ } END { for (w in c) if (c[w] > 1) n++; print n, length(c) }",
       "/data/words.txt"),
    bb("awk_files", "awk", "FNR == 1 { print FILENAME, NR } END { print NR }", "/data/poem.txt",
       "/data/empty.txt", "/data/lines.txt"),
    bb("awk_io", "awk", "BEGIN { f = \"/tmp/out\"; for (i = 1; i <= 3; i++) print i * i > f; close(f); "
       "while ((getline l < f) > 0) s = s l \",\"; print s; print (getline l < \"/nope\") }"),
    bb("awk_regex", "awk", "$7 ~ /nologin$/ && $3 < 10 { n++; printf \"%s \", $1 } END { print n }",
       "FS=:", "/data/passwd.txt"),
    bb("awk_exit", "awk", "NR == 3 { exit 7 } { print }", "/data/lines.txt", expect=7),
    fed("awk_stdin", "/data/numbers.txt", "awk", "{ getline x < \"-\"; print $0, x }"),
    bb("awk_stderr", "awk", "BEGIN { print \"to stderr\" > \"/dev/stderr\"; printf \"%s\\n\", \"out\" }"),
    bb("awk_write_bad", "awk", "BEGIN { print 1 > \"/nope/x\" }", expect=1),
    bb("awk_write_full", "awk", "BEGIN { print 1 > \"/dev/full\"; close(\"/dev/full\"); print 2 }"),
    bb("awk_env_args", "awk", "BEGIN { for (k in ENVIRON) print k \"=\" ENVIRON[k]; for (i = 0; i < ARGC; i++) "
       "print i, ARGV[i] }", "one", "two words"),
    bb("awk_missing", "awk", "{ print }", "/data/missing", expect=1),
    bb("awk_dir", "awk", "{ print }", "/data/poem.txt", "/data", "/data/nonl.txt", expect=1),
    bb("awk_getline_dir", "awk", "BEGIN { print (getline line < \"/data\"), line }"),
    bb("awk_syntax", "awk", "{ print ( }", "/data/poem.txt", expect=1),
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
    # rt_sigreturn on random frames: every child ends, the server goes on
    {"name": "hostile.sigreturn_fuzz", "argv": ["/tests/hostile", "sigreturn", "0x5eed", "300"], "adds": DATA,
     "expect": 0},
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
    sys("sys_file", "empty-argv"),
    sys("sys_fs", data=True),
    sys("sys_attr"),
    sys("sys_link"),
    sys("sys_futex"),
    sys("sys_thread"),
    sys("sys_thread", "exit_group", expect=42),
    sys("sys_thread", "main_exits", expect=3),
    sys("sys_thread", "exec", expect=5),
    sys("sys_thread", "segv", expect=128 + 11),
    sys("sys_thread", "stop"),
    nobody(sys("sys_thread")),
    sys("sys_sched"),
    sys("sys_mem"),
    sys("sys_mem", "sigbus", expect=128 + 7),
    sys("sys_mem", "segv", expect=128 + 11),
    sys("sys_mem", "unmapped", expect=128 + 11),
    sys("sys_mlock"),
    sys("sys_mmlimit"),
    sys("sys_sysctl"),
    sys("sys_misc"),
    sys("sys_lock"),
    sys("sys_signal"),
    sys("sys_jobctl"),
    sys("sys_rusage"),
    sys("sys_proc", "one", "two", tag="args"),
    sys("sys_procs"),
    sys("sys_cred"),
    sys("sys_shm"),
    sys("sys_sem"),
    sys("sys_perm"),
    sys("sys_mount"),
    sys("sys_async"),
    sys("sys_lease"),
    sys("sys_settime"),
    sys("sys_pagemap"),
    sys("sys_core"),
    sys("sys_procmem"),
    sys("sys_socket"),
    sys("sys_exec"),
    sys("sys_statx", data=True),
    nobody(sys("sys_statx", data=True)),
    sys("sys_exec", "debian", host=["/usr/bin/true", "/usr/bin/false"]),
    # a glibc program of our own (tests/linux/glibc/dyn.c) with the
    # libraries of gawk (libc, libm) to dlopen
    {"name": "glibc.dyn", "argv": ["/tests/glibc_dyn"], "host": ["/usr/bin/gawk"], "expect": 0},
    # (pthread_cancel unwinds with libgcc_s, which glibc dlopens)
    {"name": "glibc.threads", "argv": ["/tests/glibc_threads"], "host": ["/usr/bin/gawk"], "expect": 0,
     "adds": [("/lib/x86_64-linux-gnu/libgcc_s.so.1", "/lib/x86_64-linux-gnu/libgcc_s.so.1")]},
    # as nobody: what a user may and may not do, alike on both systems
    # (not the tests that signal or renice pid 1 or its process group:
    # lx4's first process is the test itself, Linux's is its root init)
    nobody(sys("sys_perm")),
    nobody(sys("sys_mount")),
    nobody(sys("sys_attr")),
    nobody(sys("sys_link")),
    nobody(sys("sys_fifo")),
    nobody(sys("sys_misc")),
    nobody(sys("sys_fs", data=True)),
    nobody(sys("sys_file", data=True)),
    nobody(sys("sys_mem")),
    nobody(sys("sys_signal")),
    nobody(sys("sys_proc", "one", "two", tag="args")),
    nobody(sys("sys_socket")),
    sys("sys_nowait"),
    sys("sys_pipe"),
    sys("sys_fifo"),
    # the event descriptors
    sys("sys_epoll"),
    sys("sys_eventfd"),
    sys("sys_memfd"),
    nobody(sys("sys_memfd")),
    sys("sys_pidfd"),
    nobody(sys("sys_pidfd")),
    sys("sys_copyrange"),
    nobody(sys("sys_copyrange")),
    sys("sys_mmsg"),
    sys("sys_timerfd"),
    nobody(sys("sys_timerfd")),
    sys("sys_signalfd"),
    nobody(sys("sys_signalfd")),
    nobody(sys("sys_epoll")),
    sys("sys_epoll", "console", input=b"typed\n", input_after=b"ready"),
    # a named pipe from the shell: a writer in the background, cat reads;
    # then a reader in the background (no timing: each open waits for the other)
    {"name": "busybox.mkfifo", "argv": ["/bin/sh", "-c",
                                        "mkfifo -m 600 /tmp/p && ls -l /tmp/p | cut -c1-10 && "
                                        "{ echo through the fifo > /tmp/p & } && cat /tmp/p && wait && "
                                        "{ cat /tmp/p & } && echo and back > /tmp/p; wait; rm /tmp/p; "
                                        "mkfifo /tmp/p /tmp/p"], "expect": 1},
    # /proc through busybox: what both systems show alike (pids, sizes and
    # times masked; Linux's init and kernel threads left out)
    {"name": "proc.self", "argv": ["/bin/sh", "-c",
                                   "cat /proc/self/comm; readlink /proc/self/exe; ls /proc/self/fd; "
                                   "cat /proc/$$/cmdline | tr '\\0' ' '; echo; "
                                   "cat /proc/self/stat | awk '{print NF, $2, $3}'; wc -w < /proc/loadavg"]},
    {"name": "proc.fd_links", "argv": ["/bin/sh", "-c",
                                       "exec 5</bin/busybox; ls -l /proc/$$/fd >/tmp/fds; awk '{print $1, $9, $10, $11}' /tmp/fds; "
                                       "exec 5<&-; echo x | ls -l /proc/self/fd/0 | sed 's/.*-> //; s/[0-9]//g'"]},
    {"name": "proc.ps", "argv": ["/bin/sh", "-c",
                                 "sleep 5 & sleep 0.3; ps -o stat,comm,args | grep -v -e '\\[' -e /init; "
                                 "kill $!; pidof sh >/dev/null; echo pidof $?"]},
    {"name": "proc.free_uptime_top_mount", "argv": ["/bin/sh", "-c",
                                                    "free | awk '{print NF, $1}'; "
                                                    "uptime | sed 's/[0-9][0-9]*/N/g'; "
                                                    "top -n 1 -b | head -4 | awk '{print $1}'; "
                                                    "mount | awk '{print $1,$2,$3,$4,$5}'; df; echo df $?"]},
    # CPU time through busybox: time (wait4's rusage) with the digits masked,
    # a busy process's %CPU in top, the user share of the CPU, its utime in
    # /proc (Debian's busybox ps has no TIME column)
    {"name": "proc.cpu_time", "argv": ["/bin/sh", "-c",
                                       "time sh -c 'i=0; while [ $i -lt 5000 ]; do i=$((i+1)); done' 2>/tmp/t; "
                                       "sed 's/[0-9]/N/g' /tmp/t; awk '$1 == \"user\" {print \"user > 0:\", ($3 > 0)}' /tmp/t; "
                                       "yes > /dev/null & p=$!; sleep 1.5; "
                                       "top -b -n 1 > /tmp/top; awk '$8 ~ /yes/ {print \"top %CPU > 50:\", ($7 + 0 > 50)}' /tmp/top; "
                                       "awk '$1 == \"CPU:\" {print \"CPU mostly user:\", ($2 + 0 > 50)}' /tmp/top; "
                                       "awk '{print \"stat utime > 50:\", ($14 > 50), \"stime < utime:\", ($15 < $14)}' /proc/$p/stat; "
                                       "kill $p"]},
    # bash's time and times (getrusage, times) with the digits masked
    {"name": "bash.time", "argv": ["/bin/bash", "-c",
                                   "{ time (i=0; while [ $i -lt 3000 ]; do i=$((i+1)); done); } 2>/tmp/t; "
                                   "sed 's/[0-9]/N/g' /tmp/t; times | sed 's/[0-9]/N/g'; TIMEFORMAT=%U; "
                                   "{ time (i=0; while [ $i -lt 3000 ]; do i=$((i+1)); done); } 2>&1 | "
                                   "awk '{print \"user > 0:\", ($1 > 0)}'"]},
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
    # zcat's helper child ends as a zombie of zcat, which is given to init
    # as zcat ends: init's waiting wait4, made again then, reaps zcat in
    # the middle of its own end (the server freed it twice)
    {"name": "sh.reaped_while_ending", "argv": ["/bin/sh", "-c", "gzip -c /data/words.txt | zcat | head -2; echo $?"],
     "adds": DATA},
    # a background child that ends before the foreground one, then wait
    {"name": "sh.background_wait", "argv": ["/bin/sh", "-c",
                                            "sleep 0.1 & sleep 0.4; echo a; wait; echo b $?"]},
    # signals through the shell: ash waits for a running child in
    # sigsuspend until its SIGCHLD handler runs; kill, trap, timeout
    {"name": "sh.wait_running", "argv": ["/bin/sh", "-c", "sleep 0.3 & echo started; wait; echo b $?"]},
    # (whether ash says "Terminated" depends on when it collects the child:
    # a race on Linux too, so its standard error is not compared)
    {"name": "sh.kill_bg", "argv": ["/bin/sh", "-c", "exec 2>/dev/null; sleep 5 & kill $!; wait $!; echo $?"]},
    # stop and continue: a stopped sleep outlives its time; the sleep
    # before the wait lets ash reap the killed one first (without it Linux
    # itself prints ash's "Terminated" or not, as its scheduler decides)
    # the console's job control (lx4 only, as ^C): SIGTTIN, SIGTTOU, EIO
    {"name": "tty_jobctl", "argv": ["/tests/tty_jobctl"], "lx4_only": True, "expect": 0,
     "input": b"x\n", "input_after": b"type now",
     "want": ["read: stopped by Stopped (tty input)\n", "read, SIGTTIN ignored: exited 5\n(EIO is 5)\n",
              "read, SIGTTIN blocked: exited 5\n", "bg write\nwrite: exited 0\n",
              "tcsetattr: stopped by Stopped (tty output)\n", "write under TOSTOP: stopped by Stopped (tty output)\n",
              "bg write\nwrite under TOSTOP, SIGTTOU ignored: exited 0\n", "reader: Stopped (tty input)\n",
              "type now\n", "reader in the foreground: exited 42\nterminal back: 0\n",
              "orphaned read: exited 5\ndone\n"]},
    {"name": "sh.stop_cont", "argv": ["/bin/sh", "-c", "sleep 5 & sleep 0.1; kill -STOP $!; kill -CONT $!; kill $!; "
                                      "sleep 0.1; wait $!; echo $?"]},
    {"name": "sh.stopped_waits", "argv": ["/bin/sh", "-c", "sleep 0.2 & p=$!; kill -STOP $p; sleep 0.5; "
                                          "kill -0 $p && echo still there; kill -CONT $p; wait $p; echo $?"]},
    {"name": "sh.trap_self", "argv": ["/bin/sh", "-c", "trap 'echo got USR1' USR1; kill -USR1 $$; echo after"]},
    {"name": "sh.trap_from_child", "argv": ["/bin/sh", "-c",
                                            "(sleep 0.2; kill -INT $$) & trap 'echo int' INT; wait; echo done $?"]},
    {"name": "sh.timeout", "argv": ["/bin/sh", "-c", "timeout 1 sleep 5; echo $?; timeout 2 true; echo $?"]},
    # ^C on the console: SIGINT to the foreground group (lx4 only: Linux's
    # /dev/console is no controlling terminal of its init)
    {"name": "sh.ctrl_c", "argv": ["/bin/sh", "-c", "echo ready; sleep 5; echo not reached"],
     "input": b"\x03", "input_after": b"ready", "lx4_only": True, "expect": 128 + 2, "want": ["ready\n^C"]},
    # Debian's bash-static (at /bin/bash): the language, then files and processes
    {"name": "bash.lang", "argv": ["/bin/bash", "/scripts/lang.sh"], "adds": BASH, "expect": 3},
    {"name": "bash.files", "argv": ["/bin/bash", "/scripts/files.sh"], "adds": BASH},
    nobody({"name": "bash.files", "argv": ["/bin/bash", "/scripts/files.sh"], "adds": BASH}),
    {"name": "bash.c", "argv": ["/bin/bash", "-c", "echo $0 $#; shift; echo \"$@\"; exit 2", "zero", "a", "b c"],
     "expect": 2},
    {"name": "bash.syntax_error", "argv": ["/bin/bash", "-c", "if then fi"], "expect": 2},
    {"name": "bash.missing", "argv": ["/bin/bash", "-c", "/no/such/program; echo $?; nope 2>/dev/null; echo $?"]},
    {"name": "bash.kill_self", "argv": ["/bin/bash", "-c", "kill -SEGV $$; echo not reached"], "expect": 128 + 11},
    # an interactive bash on the console (readline in raw mode, its prompt)
    {"name": "bash.interactive", "argv": ["/bin/bash", "-i"], "lx4_only": True, "expect": 4,
     "input": b"echo hi $((1+2))\nfor i in 1 2; do echo $i; done\nexit 4\n", "input_after": b"# ",
     "want": ["bash-5.2# echo hi $((1+2))", "hi 3\n", "bash-5.2# for i in 1 2; do echo $i; done", "\n1\n2\n",
              "bash-5.2# exit 4\n"]},  # (readline may redraw a line typed ahead of it)
    # busybox's applets as a shell user runs them, many to a boot: files
    # (touch, cp -p, ln, chown, mknod, ...), text tools, archives (tar x
    # and cp -a keep times), users, names and processes (whoami, id,
    # hostname, renice, ionice, taskset, ...); what differs inherently
    # (times that are now, pids) is masked in the scripts
    {"name": "applets.files", "argv": ["/bin/sh", "/applets/files.sh"], "adds": APPLETS + DATA},
    {"name": "applets.text", "argv": ["/bin/sh", "/applets/text.sh"], "adds": APPLETS + DATA},
    {"name": "applets.archive", "argv": ["/bin/sh", "/applets/archive.sh"], "adds": APPLETS + DATA},
    {"name": "applets.procs", "argv": ["/bin/sh", "/applets/procs.sh"], "adds": APPLETS + DATA},
    nobody({"name": "applets.procs", "argv": ["/bin/sh", "/applets/procs.sh"], "adds": APPLETS + DATA}),
    # Debian's own programs: PIE (coreutils, grep, sed, gzip, tar, diff)
    # and non-PIE (gawk, python3), started by the server as the first
    # process and by busybox's sh
    debian("ls", ["/usr/bin/ls", "-l", "/data", "/etc"], ["/usr/bin/ls"]),
    debian("false", ["/usr/bin/false"], ["/usr/bin/false"], expect=1),
    debian("gawk", ["/usr/bin/gawk", "-f", "/data/report.awk", "/data/table.txt"], ["/usr/bin/gawk"]),
    debian("coreutils", ["/bin/sh", "/debian/coreutils.sh"], COREUTILS, adds=DEBIAN + DATA),
    debian("text", ["/bin/sh", "/debian/text.sh"], TEXT, adds=DEBIAN + DATA),
    debian("archive", ["/bin/sh", "/debian/archive.sh"], ARCHIVE, adds=DEBIAN + DATA),
    debian("findutils", ["/bin/sh", "-c",
                         "/usr/bin/find /data -name '*.txt' | /usr/bin/sort; "
                         "/usr/bin/find /data -type l -printf '%p %l\\n' | /usr/bin/sort; "
                         "/usr/bin/find /data -size +150c | /usr/bin/sort; /usr/bin/find /data /none -maxdepth 0; "
                         "echo find $?; /usr/bin/find /data -name '*.md5' -print0 | /usr/bin/xargs -0 /usr/bin/wc -l; "
                         "/usr/bin/find /tmp -empty -type d -exec echo empty: {} \\;"],
           ["/usr/bin/find", "/usr/bin/xargs", "/usr/bin/sort", "/usr/bin/wc"]),
    # Debian's programs that are '#!/bin/sh' scripts (run by busybox's sh
    # here), started by the server and from a shell
    debian("scripts", ["/usr/bin/egrep", "-n", "^(a|b)", "/data/words.txt"], ["/usr/bin/egrep", "/usr/bin/grep"]),
    debian("scripts.zcat", ["/bin/sh", "-c", "/usr/bin/gzip -c /data/poem.txt > /tmp/p.gz; /usr/bin/zcat /tmp/p.gz; "
                            "/usr/bin/gunzip -v /tmp/p.gz; /usr/bin/zcat /tmp/none.gz; echo $?"],
           ["/usr/bin/gzip", "/usr/bin/zcat", "/usr/bin/gunzip"]),
    python("arith", "print(1 + 1, 2 ** 100, 7 / 2, 7 // 2, -7 % 3, round(2.675, 2), 10 ** 20 // 3, 0.1 + 0.2)"),
    python("files", "import os\nwith open('/tmp/f', 'w') as f: f.write('abc\\n' * 3)\n"
                    "print(open('/tmp/f').read().split(), os.path.getsize('/tmp/f'), sorted(os.listdir('/data'))[:4])\n"
                    "os.rename('/tmp/f', '/tmp/g'); os.unlink('/tmp/g'); print(os.path.exists('/tmp/g'))\n"
                    "print([l.rstrip() for l in open('/data/poem.txt')][:2])"),
    python("json_re_hashlib", "import json, re, hashlib\n"
                              "d = json.loads('{\"a\": [1, 2, {\"b\": null}], \"c\": 1.5}')\n"
                              "print(d, json.dumps(d, sort_keys=True))\n"
                              "print(re.findall(r'\\b(\\w)(\\w*)\\b', 'hello big world'), re.sub(r'o+', '0', 'foo boo'))\n"
                              "print(hashlib.sha256(b'lx4').hexdigest(), hashlib.md5(open('/data/poem.txt', 'rb').read()).hexdigest())"),
    python("exit", "import sys; print('bye'); sys.exit(7)", expect=7),
    # processes: subprocess with pipes (Debian's sort, busybox's sh),
    # fork and waitpid, a signal handler, a pipe
    python("procs", "import os, signal, subprocess\n"
                    "r = subprocess.run(['/usr/bin/sort', '-r'], input=b'b\\na\\nc\\n', capture_output=True)\n"
                    "print(r.returncode, r.stdout)\n"
                    "p = subprocess.Popen(['/bin/sh', '-c', 'cat; echo err >&2; exit 3'], stdin=subprocess.PIPE, "
                    "stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
                    "print(p.communicate(b'through a pipe\\n'), p.returncode)\n"
                    "pid = os.fork()\n"
                    "if pid == 0: os._exit(5)\n"
                    "print('child', os.waitpid(pid, 0)[1] >> 8)\n"
                    "got = []\n"
                    "signal.signal(signal.SIGUSR1, lambda s, f: got.append(s))\n"
                    "os.kill(os.getpid(), signal.SIGUSR1)\n"
                    "print('handler ran:', got == [signal.SIGUSR1])\n"
                    "r, w = os.pipe(); os.write(w, b'pipe bytes'); os.close(w); print(os.read(r, 100))",
           host=["/usr/bin/sort"]),
    python("error", "1 / 0", expect=1),
    # threads: a pool of workers on a queue, a lock, an event, a timer
    # thread, a thread that raises, and a signal handler in the main thread
    python("threading", "import threading, queue, signal, os\n"
                        "q, out, lock = queue.Queue(), [], threading.Lock()\n"
                        "def work():\n"
                        "    while (n := q.get()) is not None:\n"
                        "        with lock: out.append(n * n)\n"
                        "ts = [threading.Thread(target=work) for _ in range(4)]\n"
                        "[t.start() for t in ts]; [q.put(i) for i in range(100)]; [q.put(None) for _ in ts]\n"
                        "[t.join() for t in ts]; print(len(out), sum(out))\n"
                        "ev = threading.Event(); threading.Timer(0.05, ev.set).start(); print('event', ev.wait(5))\n"
                        "def bad(): raise ValueError('in a thread')\n"
                        "threading.excepthook = lambda a: print('hook:', a.exc_type.__name__, a.exc_value)\n"
                        "t = threading.Thread(target=bad); t.start(); t.join()\n"
                        "got = []\n"
                        "signal.signal(signal.SIGUSR1, lambda s, f: got.append(threading.current_thread().name))\n"
                        "t = threading.Thread(target=lambda: os.kill(os.getpid(), signal.SIGUSR1)); t.start(); t.join()\n"
                        "print('handler in', got, 'threads left', threading.active_count())"),
    # AF_UNIX from python: a socket pair, a stream server and client in two
    # processes on a path, datagrams, a descriptor passed
    python("sockets", "import os, socket, array\n"
                      "a, b = socket.socketpair(); a.sendall(b'ping'); print(b.recv(10))\n"
                      "srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); srv.bind('/tmp/py.sock'); srv.listen(1)\n"
                      "if os.fork() == 0:\n"
                      "    c = socket.socket(socket.AF_UNIX); c.connect('/tmp/py.sock'); c.sendall(b'from the child'); os._exit(0)\n"
                      "conn, addr = srv.accept(); print(repr(addr), conn.recv(100)); os.wait()\n"
                      "d1, d2 = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
                      "d1.send(b'one'); d1.send(b'two'); print(d2.recv(10), d2.recv(10))\n"
                      "r, w = os.pipe(); socket.send_fds(a, [b'fd'], [w]); msg, fds, flags, _ = socket.recv_fds(b, 10, 1)\n"
                      "os.write(fds[0], b'through a passed fd'); print(msg, len(fds), os.read(r, 100))\n"
                      "print(a.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE), srv.getsockname())"),
    # perl (perl-base, in every Debian system): the language, its modules
    # with XS parts (POSIX, List::Util, Fcntl), files, fork and wait, a
    # pipe from a command, sockets, signals, sprintf and sort
    perl("lang", "use strict; use warnings; my %h = (a => 1, b => 2, c => 3); "
                 "print join(',', map { \"$_=$h{$_}\" } sort keys %h), \"\\n\"; "
                 "my @w = sort { length($a) <=> length($b) or $a cmp $b } qw(pear fig banana kiwi); print \"@w\\n\"; "
                 "printf(\"%.3f %x %05d %s\\n\", 22/7, 255, 42, 'x' x 3); "
                 "my $s = 'The quick brown fox'; (my $t = $s) =~ s/(\\w+)/\\u\\L$1/g; print \"$t\\n\"; "
                 "print scalar(() = $s =~ /o/g), \"\\n\"; "
                 "use POSIX qw(floor ceil); use List::Util qw(sum max); print floor(-2.5), ceil(2.1), sum(1..100), max(3, 9, 2), \"\\n\"; "
                 "my $big = 1; $big *= $_ for 1..20; print \"$big\\n\"; eval { die \"oops\\n\" }; print \"caught $@\";"),
    perl("files_procs", "use strict; use warnings; use Fcntl qw(:flock SEEK_SET); "
                        "open(my $f, '>', '/tmp/p.txt') or die; print $f \"line $_\\n\" for 1..5; close $f; "
                        "open($f, '<', '/tmp/p.txt') or die; my @l = <$f>; close $f; print scalar(@l), ' ', $l[4]; "
                        "print -s '/tmp/p.txt', \"\\n\"; rename '/tmp/p.txt', '/tmp/q.txt'; print -e '/tmp/q.txt' ? \"renamed\\n\" : \"no\\n\"; "
                        "unlink '/tmp/q.txt'; "
                        "my $pid = fork(); if ($pid == 0) { exit 7 } waitpid($pid, 0); print 'child ', $? >> 8, \"\\n\"; "
                        "open(my $p, '-|', '/bin/echo', 'from', 'a', 'pipe') or die; print scalar <$p>; close $p; "
                        "pipe(my $r, my $w); if (!fork()) { close $r; print $w \"through pipe()\\n\"; exit 0 } close $w; print <$r>; wait; "
                        "my $got = 0; $SIG{USR1} = sub { $got++ }; kill 'USR1', $$; print \"signal $got\\n\"; "
                        "use Socket; socketpair(my $a, my $b, AF_UNIX, SOCK_STREAM, PF_UNSPEC) or die; "
                        "syswrite($a, 'socket'); sysread($b, my $buf, 10); print \"$buf\\n\"; "
                        "opendir(my $d, '/data') or die; my @e = sort grep { !/^\\./ } readdir $d; print scalar(@e) > 0 ? \"listed\\n\" : \"empty\\n\";"),
    perl("exit", "print \"bye\\n\"; exit 3", expect=3),
    perl("die", "die \"fatal\\n\"", expect=255),
    # rm -r removes entries while it lists them, over several getdents calls
    {"name": "sh.rm_big_dir", "argv": ["/bin/sh", "-c",
                                       "mkdir /tmp/d && cd /tmp/d && i=0; while [ $i -lt 1500 ]; do "
                                       ": > a_file_with_a_rather_long_name_$i; i=$((i+1)); done; cd /; "
                                       "ls /tmp/d | wc -l; rm -r /tmp/d; echo rm $?; ls -a /tmp"]},
]
