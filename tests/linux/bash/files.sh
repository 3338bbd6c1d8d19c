# bash with files, redirections, globbing, pipes and processes
cd /tmp
mkdir -p work/sub && cd work
for n in c a b; do echo "line $n" > "f_$n.txt"; done
echo f_*.txt; ls f_?.txt | wc -l
echo more >> f_a.txt; cat f_a.txt
exec 3> out.txt; echo "to fd 3" >&3; exec 3>&-; cat out.txt
exec 4< f_b.txt; read -r first <&4; exec 4<&-; echo "fd4 read: $first"
echo err 2>/dev/null 1>&2; echo "nothing" > /dev/null
wc -l < f_a.txt
{ echo out; echo err >&2; } 2>&1 | sort
printf "z\ny\nx\n" | sort | head -n 2
cat f_*.txt | grep -c line
shopt -s nullglob; set -- nomatch*; echo "nullglob $#"
[ -f f_a.txt ] && [ -d sub ] && [ ! -e nope ] && echo tests ok
test -s out.txt && echo nonempty
touch -d @0 old 2>/dev/null; ln -s f_a.txt link; [ -L link ] && echo "link to $(readlink link)"
sleep 0.2 & pid=$!; wait $pid; echo "waited $?"
(sleep 0.1; exit 9) & wait $!; echo "bg status $?"
coproc cat; echo "to coproc" >&"${COPROC[1]}"; read -r back <&"${COPROC[0]}"; echo "coproc: $back"; eval "exec ${COPROC[1]}>&-"; wait
x=$(cat f_c.txt); echo "captured [$x]"
umask 027; : > masked; stat -c '%a' masked
rm -r /tmp/work; echo "gone $?"; ls /tmp
