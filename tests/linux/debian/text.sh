# Debian's grep, sed, gawk and diff (tests/linux/cases.py: debian.text)
B=/usr/bin
echo "== grep"; $B/grep -n the /data/poem.txt; $B/grep -c -i -e a -e o /data/words.txt
$B/grep -v -f /data/patterns.txt /data/words.txt; $B/grep -E -o '[0-9]+' /data/mixed.txt
$B/grep -r -l root /data | $B/sort; $B/grep -w -x -F bolts /data/table.txt; echo "grep $?"
$B/grep nomatch /data/poem.txt; echo "grep $?"; $B/grep x /data/missing; echo "grep $?"
echo "== sed"; $B/sed -f /data/edit.sed /data/poem.txt; $B/sed -n '2,4p;$=' /data/lines.txt
$B/sed -E 's/([a-z]+) ([a-z]+)/\2 \1/' /data/poem.txt; $B/sed 'y/abc/xyz/;1d' /data/words.txt
$B/sed -e 's/x/' /data/poem.txt; echo "sed $?"
echo "== gawk"; $B/gawk -F: '{print $1, $3}' /data/passwd.txt; $B/gawk -f /data/report.awk /data/table.txt
$B/gawk 'BEGIN { printf "%.5f %d %s %s\n", atan2(0, -1), 2^40, toupper("x"), substr("hello", 2, 3) }'
$B/gawk '{ n[$1]++ } END { PROCINFO["sorted_in"] = "@ind_str_asc"; for (k in n) print k, n[k] }' /data/words.txt
$B/gawk 'BEGIN { exit 3 }'; echo "gawk $?"
echo "== diff"; $B/diff /data/poem.txt /data/lines.txt; echo "diff $?"
$B/diff /data/words.txt /data/words.txt; echo "diff $?"
$B/sed 's/a/b/' /data/words.txt > /tmp/w; $B/diff -u --label old --label new /data/words.txt /tmp/w; echo "diff $?"
$B/diff /data/none /tmp/w; echo "diff $?"
