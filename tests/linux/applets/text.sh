# busybox's text applets (tests/linux/cases.py: applets.text): filters, formatters,
# comparisons, encodings, checksums, calculators
cd /tmp
echo "== printf"; printf '%s-%d-%x-%5.2f|%-4s|\n' a 42 255 3.14159 xy; printf '%b\n' 'a\tb'
echo "== seq"; seq 3; seq 2 2 9; seq -s, 5; seq -w 8 11
echo "== expr"; expr 3 + 4; expr 10 / 3; expr length hello; expr substr hello 2 3; expr 5 \> 3; expr match abc 'a.*'
echo "== test"; test 1 -lt 2 && echo lt; [ -d /tmp ] && echo dir; [ -f /nope ] || echo nofile; [ abc = abc ] && echo eq; test -x /bin/busybox && echo exe; [ -s /data/empty.txt ] || echo empty
echo "== yes|head"; yes | head -3; yes hi | head -2
echo "== xargs"; seq 5 | xargs echo; seq 5 | xargs -n 2 echo; echo a b c | xargs -I{} echo [{}]; printf 'x\0y\0' | xargs -0 echo
echo "== nl"; nl /data/poem.txt; nl -ba -w3 -s: /data/nonl.txt
echo "== paste"; paste /data/words.txt /data/numbers.txt | head -5; paste -s -d, /data/numbers.txt
echo "== fold"; fold -w 10 /data/poem.txt | head -4; fold -s -w 12 /data/poem.txt | head -3
echo "== rev"; rev /data/poem.txt | head -2
echo "== expand/unexpand"; expand /data/mixed.txt | head -3; expand -t 4 /data/mixed.txt | cat -A | head -2; printf '        x\n' | unexpand -a | cat -A
echo "== tac"; tac /data/numbers.txt | head -3
echo "== cmp"; cmp /data/poem.txt /data/poem.txt; echo $?; cmp /data/poem.txt /data/words.txt; echo $?; cmp -l /data/nonl.txt /data/poem.txt 2>&1 | head -3
echo "== diff"; printf 'a\nb\nc\n' > d1; printf 'a\nB\nc\nd\n' > d2; diff d1 d2; echo $?; diff -u d1 d2 | sed 1,2d; diff d1 d1; echo $?
echo "== od"; od -c /data/nonl.txt | head -3; od -An -tx1 -N8 /bin/busybox; od -x /data/nonl.txt | head -2
echo "== hexdump/xxd"; hexdump -C /data/nonl.txt | head -3; xxd /data/nonl.txt | head -2; xxd -p -l 8 /bin/busybox
echo "== base64"; base64 /data/poem.txt | head -2; base64 /data/poem.txt | base64 -d | head -1
echo "== uuencode"; uuencode /data/nonl.txt name | head -2
echo "== crc/sums"; crc32 /data/poem.txt 2>&1; sha1sum /data/poem.txt; sha512sum /data/nonl.txt; sha3sum /data/nonl.txt
echo "== strings"; strings /bin/busybox | grep -m1 BusyBox
echo "== shuf/sort"; shuf -i 1-5 | sort -n | tr '\n' ' '; echo; sort -R /data/numbers.txt | sort -n | head -2
echo "== dos2unix"; printf 'a\r\nb\r\n' > dos; dos2unix dos; od -c dos | head -1; unix2dos dos; od -c dos | head -1
echo "== tr/cut/wc"; echo hello | tr a-z A-Z; echo a:b:c | cut -d: -f2; printf 'a b\nc\n' | wc
echo "== factor/bc/dc"; factor 360 97; echo '2^20; scale=3; 10/3' | bc; echo '3 4 + p' | dc
echo "== ascii/cal"; cal 2 2024; echo done
echo "== getopt"; getopt -o ab: -- -a -b x y
echo "== ed"; printf 'a\nhello\n.\nw /tmp/edf\nq\n' | ed; cat /tmp/edf
echo "== patch"; diff -u d1 d2 > p.diff; patch d1 < p.diff; cat d1
echo "== ts"; echo x | ts "%%" 2>&1 | head -1
echo "== vi(skip) less/more"; more /data/nonl.txt; echo
echo "== sed/awk"; echo abc | sed 's/b/B/'; echo '1 2' | awk '{print $1+$2}'
echo "== egrep/fgrep"; egrep 'a|z' /data/words.txt | head -2; fgrep -c a /data/words.txt
echo "== mim/nologin"; nologin; echo $?
