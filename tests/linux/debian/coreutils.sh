# Debian's own coreutils (PIE, dynamically linked against glibc), run by
# busybox's sh on the files of /data (tests/linux/cases.py: debian.coreutils);
# times of files made now are left out (--time-style=+, stat -c)
C=/usr/bin
cd /tmp
echo "== cat"; $C/cat -n /data/poem.txt /data/nonl.txt; echo; $C/cat -A /data/mixed.txt
$C/cat /data/missing; echo "cat $?"
echo "== wc"; $C/wc /data/poem.txt /data/words.txt; $C/wc -l < /data/lines.txt; $C/wc -c /data/empty.txt
echo "== sort"; $C/sort /data/words.txt; $C/sort -rn /data/numbers.txt; $C/sort -t: -k3,3n /data/passwd.txt
$C/sort -u -f /data/words.txt | $C/head -n 3; $C/sort -c /data/words.txt; echo "sort -c $?"
echo "== ls"; $C/ls -l /data; $C/ls -1aF /data /etc; $C/ls -lL /data/link /data/rel; $C/ls -d /data/nope; echo "ls $?"
echo "== cp mv rm"; $C/cp /data/poem.txt a; $C/cp -p /data/words.txt b; $C/mv a c; $C/mkdir -p d/e
$C/cp -r /data d/e/copy; $C/ls -l --time-style=+ . d/e/copy | $C/tail -n +1
$C/cat c | $C/wc -c; $C/mv c d/e; $C/rm -r d; $C/rm b; $C/ls -A; echo "rm $?"
$C/rm /tmp/none; echo "rm none $?"; $C/mv /data/none /tmp; echo "mv $?"
echo "== tee"; echo teed | $C/tee t1 t2 >/dev/null; $C/cat t1 t2; echo more | $C/tee -a t1; $C/cat t1
echo "== date"; $C/date -u -d @0; $C/date -u -d '2024-02-29 12:34:56' '+%s %A %j %U %Z'
$C/date -u -d 'bad date'; echo "date $?"
echo "== stat"; $C/stat -c '%n %s %a %A %F %U %G %h' /data/poem.txt /data /data/link /dev/null /tmp
$C/stat -L -c '%n %s %F' /data/link; $C/stat -c '%t,%T' /dev/null; $C/stat /nope; echo "stat $?"
echo "== misc"; $C/head -n 2 /data/poem.txt; $C/tail -c 20 /data/poem.txt; $C/cut -d: -f1,7 /data/passwd.txt
$C/tr a-z A-Z < /data/words.txt | $C/uniq -c | $C/head -n 4; $C/md5sum /data/poem.txt; $C/sha256sum /data/words.txt
$C/seq 3 | $C/paste -s -d+; $C/expr 6 \* 7; $C/basename /a/b/c.txt .txt; $C/dirname /a/b/c.txt; $C/echo done
