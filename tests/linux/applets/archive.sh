# busybox's archivers and compressors (tests/linux/cases.py: applets.archive):
# what they make and extract, and the times and modes they keep
cd /tmp
mkdir -p src/sub; cp /data/poem.txt /data/words.txt src/; echo deep > src/sub/deep; ln -s poem.txt src/plink
chmod 600 src/words.txt; touch -d '2010-05-06 07:08:09' src/poem.txt src/sub/deep src/sub src
echo "== tar"; tar cf a.tar src; echo $?; tar tvf a.tar | awk '{print $1, $2, $3, ($4 == "2010-05-06" ? $4 " " $5 : "now"), $6, $7, $8}'
mkdir x; cd x; tar xf ../a.tar; echo $?; stat -c '%n %a %s' src src/poem.txt src/words.txt src/sub/deep src/plink; stat -c '%n %Y' src/poem.txt src/sub/deep; cd ..
[ "$(stat -c %Y x/src/sub)" != 1273129689 ] && echo "a directory's time: the files made in it after"
tar czf a.tgz src; tar tzf a.tgz | sort; mkdir y; tar xzf a.tgz -C y; echo $?; cmp y/src/poem.txt /data/poem.txt && echo same
tar xf a.tar -O src/sub/deep; tar cf - src/sub | tar tf -; tar xf nonexist.tar 2>&1; echo $?
tar cf b.tar src/poem.txt src/sub; tar tf b.tar | sort; tar xf a.tar -C y src/poem.txt; echo $?
tar xmf a.tar -C y; [ "$(stat -c %Y y/src/poem.txt)" != 1273129689 ] && echo "-m: no times kept"
tar cjf a.tbz src 2>&1; echo $?; tar tjf a.tbz 2>/dev/null | sort | head -3
echo "== gzip"; cp /data/poem.txt g.txt; touch -d @1500000000 g.txt; gzip g.txt; ls g.txt*; gunzip g.txt.gz; [ "$(stat -c %Y g.txt)" = 1500000000 ] && echo "gunzip kept the time"; head -1 g.txt
gzip -c /data/words.txt | zcat | head -2; gzip -9 -k g.txt 2>&1; ls g.txt*; gzip -t g.txt.gz; echo $?
gzip -l g.txt.gz 2>&1 | awk '{print NF}'; gzip -d < g.txt.gz | wc -c; zcat nonexist.gz 2>&1; echo $?
echo garbage > bad.gz; gunzip bad.gz 2>&1; echo $?; gzip -c /dev/null | wc -c
echo "== bzip2"; bzip2 -k g.txt; ls g.txt*; bzcat g.txt.bz2 | head -1; bzip2 -t g.txt.bz2; echo $?
bunzip2 -f g.txt.bz2; echo $?; ls g.txt*
echo "== lzop (busybox has no xz or lzma compressor)"; lzop g.txt; echo $?; ls g.txt*; rm g.txt; lzop -d g.txt.lzo; echo $?; head -1 g.txt
echo "== cpio"; cd src; find . | sort | cpio -o -H newc > ../a.cpio 2>/dev/null; echo $?; cd ..; mkdir z; cd z
cpio -id < ../a.cpio 2>&1; echo $?; ls -lR | awk 'NF > 3 {print $1, $5, $NF}'; cd ..; cpio -t < a.cpio 2>/dev/null | sort
mkdir w; cd w; cpio -idm < ../a.cpio 2>/dev/null; stat -c '%n %Y' poem.txt sub/deep; cd ..
echo "== uuencode/uudecode"; uuencode /data/nonl.txt name > u.uu; head -1 u.uu; uudecode -o u.out u.uu; cmp u.out /data/nonl.txt && echo same
echo "== md5 of what came back"; md5sum x/src/poem.txt y/src/poem.txt z/poem.txt w/poem.txt g.txt | awk '{print $1}' | uniq -c | awk '{print $1}'
