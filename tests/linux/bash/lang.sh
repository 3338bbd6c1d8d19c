# bash language features that need no outside program
set -u
x=41; ((x++)); echo "arith $x $((x * 3 % 7)) $((2 ** 10)) $((-7 / 2))"
a=(one two "three four"); a+=(five); echo "array ${#a[@]} ${a[2]} ${a[@]:1:2}"
declare -A m=([k]=v [n]=1); m[z]=last; for k in $(printf '%s\n' "${!m[@]}" | sort); do echo "map $k=${m[$k]}"; done
s="Hello, World"; echo "${s,,} ${s^^} ${s/World/bash} ${s:7} ${#s} ${s%,*} ${s#*, }"
f() { local v=$1; echo "f got $v ${FUNCNAME[0]} $#"; return $(( $1 + 1 )); }
f 4; echo "status $?"
if [[ "abc" == a* && 3 -lt 5 ]]; then echo "cond yes"; fi
[[ "x1y" =~ ([0-9]) ]] && echo "regex ${BASH_REMATCH[1]}"
case "file.tar.gz" in *.gz) echo "case gz";; *) echo "case other";; esac
for ((i = 0; i < 3; i++)); do printf '%02d ' "$i"; done; echo
i=0; while true; do ((i++)); [ $i -ge 4 ] && break; done; echo "while $i"
until [ $i -le 0 ]; do ((i--)); done; echo "until $i"
printf '%s|%5s|%-5s|%x|%o|%e\n' str r l 255 8 1.5
read -r w1 w2 rest <<< "alpha beta gamma delta"; echo "read $w1 $w2 [$rest]"
cat <<END
here $x $(echo doc)
END
echo "brace" {a,b}{1,2} {1..5} {a..e..2}
echo "subst $(echo $(echo nested)) \`backtick\`" `echo old`
v=$( (exit 7) ); echo "sub status $?"
{ echo group; echo two; } | while read -r l; do echo "pipe:$l"; done
echo "pipestatus"; false | true; echo "${PIPESTATUS[@]}"
set +u; echo "unset [${nothere:-default}] [${nothere:+alt}]"; set -u
shopt -s extglob; z=aaab; echo "extglob ${z##+(a)}"
trap 'echo "trap ERR"' ERR; false; trap - ERR
(set -e; false; echo "not here"); echo "errexit $?"
echo "$BASH_VERSINFO" | grep -q '^5' && echo "version 5"
type -t f; type -t echo; command -v cat
printf -v pv '%d-%d' 3 4; echo "printf -v $pv"
echo "random in range $(( RANDOM >= 0 && RANDOM < 32768 ))"
exit 3
