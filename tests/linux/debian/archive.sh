# Debian's gzip and tar (tests/linux/cases.py: debian.archive); archive
# times come from the image's files (fixed), not from now
B=/usr/bin
cd /tmp
echo "== gzip"; $B/cp /data/poem.txt p; $B/gzip -9 p; $B/ls p p.gz; $B/gzip -l p.gz; $B/gzip -t p.gz; echo "test $?"
$B/gzip -dc p.gz | $B/cmp - /data/poem.txt; echo "cmp $?"; $B/gzip -d p.gz; $B/cmp p /data/poem.txt; echo "cmp $?"
$B/gzip -n -c /data/words.txt | $B/od -An -tx1 | $B/head -n 3; $B/gzip -n -c /data/words.txt | $B/gzip -d | $B/md5sum
echo junk > j.gz; $B/gzip -d j.gz; echo "gzip $?"
echo "== tar"; $B/tar -cf a.tar -C /data poem.txt words.txt link; $B/tar -tvf a.tar; $B/sha256sum a.tar
$B/mkdir x; $B/tar -xf a.tar -C x; $B/ls -l x; $B/cmp x/poem.txt /data/poem.txt; echo "cmp $?"
$B/tar -czf b.tgz -C / data; $B/tar -tzf b.tgz | $B/sort; $B/tar -xzf b.tgz -C x; $B/ls x/data | $B/wc -l
$B/tar -xf /data/none.tar; echo "tar $?"
