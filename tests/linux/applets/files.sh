# busybox's file applets as a shell user runs them (tests/linux/cases.py:
# applets.files).  Times that are "now" differ between the two runs (the
# Linux one is cached): only times set explicitly are printed, the rest
# as relations; ls -l is cut to its mode, links, owner, group and size.
l() { ls -l "$@" | awk '{print $1, $2, $3, $4, $5, $NF}'; }
cd /tmp
echo "== mkdir"; mkdir -p a/b/c; echo $?; mkdir a; echo $?; mkdir -m 700 m7; l -d m7; ls -R a
echo "== touch"; touch new; echo $?; l new
touch -d '2020-01-02 03:04:05' new; echo $?; stat -c '%n %s %Y %X %a %F' new
ls -l --full-time new | awk '{print $6, $7}'
touch -t 202201020304.05 t1; stat -c '%Y %X' t1
touch -a -d @1000 t1; stat -c '%Y %X' t1
touch -m -d @2000 t1; stat -c '%Y %X' t1
touch -r /bin/busybox t1; [ "$(stat -c '%Y %X' t1)" = "$(stat -c '%Y %X' /bin/busybox)" ] && echo "busybox's times"
[ "$(stat -c %X /bin/busybox)" -gt "$(stat -c %Y /bin/busybox)" ] && echo "busybox was read since it was written"
touch -c nonexist; echo $?; ls nonexist 2>&1
ln -s t1 tlink; touch -h -d @3000 tlink; stat -c '%n %Y' tlink t1
touch new/x 2>&1; echo $?
touch -d @5 new; [ new -ot t1 ] && echo "new is older than t1"
echo "== cp"; echo hello > f1; cp f1 f2; cat f2
touch -d '2010-05-06 07:08:09' f1; chmod 640 f1
cp -p f1 p1; stat -c '%n %Y %a' p1
cp f1 np; [ "$(stat -c %Y np)" != "$(stat -c %Y f1)" ] && echo "cp without -p: a new mtime"
mkdir -p src/sub; echo deep > src/sub/deep; ln -s ../f1 src/lnk; touch -h -d @4000 src/lnk
touch -d '2011-01-01 00:00:00' src/sub/deep src/sub src
cp -r src copy; ls -R copy; cp -a src arch; stat -c '%n %Y %a %F' arch arch/sub arch/sub/deep; stat -c '%n %a %F' arch/lnk
cp nonexist x 2>&1; echo $?
echo "== mv"; mv f2 f3; ls f2 f3 2>&1; mv f3 a/; ls a; mv a/f3 /tmp/f4; cat f4
echo "== ln"; ln f1 hard; echo $?; ls -li f1 hard | awk '{print $3, $NF}'
[ "$(stat -c %i f1)" = "$(stat -c %i hard)" ] && echo "one inode"
ln -s f1 soft; l soft; readlink soft; readlink -f soft; realpath soft a/../f1
ln f1 hard 2>&1; echo $?; ln -f f1 hard; echo $?; ln -sf f4 soft; readlink soft
ln a alink 2>&1; echo $?
echo "== link/unlink"; link f1 hard2; echo $?; stat -c %h f1; unlink hard2; echo $?; stat -c %h f1
echo "== rm/rmdir"; rm -r copy; echo $?; rm -rf arch nonexist; echo $?; rmdir a/b/c a/b; echo $?
rmdir a 2>&1; echo $?; rm -r a; ls a 2>&1
echo "== mktemp"; t=$(mktemp); echo $? ${#t}; l "$t" | cut -d' ' -f1,5; d=$(mktemp -d); l -d "$d" | cut -d' ' -f1
mktemp -u /tmp/x.XXXXXX | wc -c
echo "== chmod"; chmod 600 f1; l f1; chmod u+x,g+r f1; l f1; chmod -R 700 src; l -d src src/sub
chmod 4755 f1; l f1; chmod a-s,o+t f1; l f1; chmod 999 f1 2>&1
echo "== chown/chgrp"; chown root f1; echo $?; chown root:root f1; echo $?; chgrp root f1; echo $?
chown nobody:nogroup f1; l f1; chown 1:2 f1; ls -ln f1 | awk '{print $3, $4}'
chown -h nobody soft; ls -ln soft | awk '{print $3}'; ls -ln f4 | awk '{print $3}'
chown -R nobody src; ls -lnR src | awk 'NF > 3 {print $3, $NF}'
chown 0:0 f1 src; chown nosuchuser f1 2>&1; echo $?
chmod 4755 f1; chown 0 f1; l f1
echo "== stat"; stat -c '%n %s %b %f %h %u %g %U %G %F' /data/poem.txt /data /dev/null /data/link
stat -L -c '%F' /data/link; stat -f -c '%T %S' /
echo "== du/df"; du -s /data; du -a /data | sort -k2; du -sh /data; du -c /data/poem.txt /data/words.txt
df / 2>&1 | awk 'NR == 1 {print $1, $2, $3} NR == 2 {print $1, NF}'; df -h / 2>&1 | awk 'NR == 2 {print $NF}'
echo "== truncate"; truncate -s 10000 f1; stat -c '%s %b' f1; truncate -s 5 f1; cat f1; echo
truncate -s +3 f1; stat -c %s f1; truncate -c -s 1 nonexist; ls nonexist 2>&1
echo "== sync"; sync; echo $?; sync -f / 2>&1; echo $?
echo "== tee"; echo teed | tee t1 t2; cat t1 t2; echo more | tee -a t1 >/dev/null; cat t1
echo "== dd"; dd if=/dev/zero of=z bs=1k count=3 2>&1; stat -c %s z
dd if=/data/poem.txt bs=5 skip=2 count=2 2>/dev/null; echo
dd if=/data/poem.txt of=part bs=10 seek=1 count=1 conv=notrunc 2>/dev/null; od -c part | head -2
echo "== fallocate"; fallocate -l 8192 fa; echo $?; stat -c '%s %b' fa; fallocate -o 8192 -l 4096 fa; stat -c '%s %b' fa
echo "== mknod/mkfifo"; mknod nul c 1 3; echo $?; l nul; echo gone > nul; echo $?
mknod blk b 8 1; l blk; cat blk 2>&1
echo "== shred"; shred -u z; echo $?; ls z 2>&1
echo "== which/basename/dirname/pwd"; which ls sh nope; echo $?
basename /a/b/c.txt .txt; basename /a/b/; dirname /a/b/c.txt; dirname c; dirname /
pwd; cd /data; pwd; cd - >/dev/null; pwd
echo "== find"; find . -name 'f*' | sort; find /tmp -maxdepth 1 -type l | sort; find /tmp -newer /tmp/new -name t1
find /tmp -maxdepth 1 -mmin -5 -name 'f4'; find /tmp -maxdepth 1 -mtime +300 | sort; find /tmp -maxdepth 1 -perm 4755
find /tmp -maxdepth 1 -user nobody; find /tmp -maxdepth 1 -links 2 -type f | sort
echo "== ls -l times"; touch -d '2001-02-03 04:05:06' old; ls -l old | awk '{print $6, $7, $8}'
ls -lt old f4 | awk '{print $NF}'; ls -ltr old f4 | awk '{print $NF}'; ls -lu old | awk '{print $6, $7, $8}'
echo "== ls names"; ls -l /etc | awk '{print $1, $3, $4, $NF}'; ls -ld / /root | awk '{print $3, $4, $NF}'
