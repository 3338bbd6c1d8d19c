# busybox's applets about users, the system and processes (tests/linux/
# cases.py: applets.procs).  Pids, times and Linux's own processes (its
# init and kernel threads) are masked or left out.
cd /tmp
# (a child started with & may not have run exec yet: wait until it is "sleep")
running() { i=0; until pidof "$1" >/dev/null || [ $i -ge 1000 ]; do i=$((i + 1)); done; }
echo "== id/whoami/groups/logname"; id; id -u; id -un; id -gn; id -G; id nobody; id nosuch 2>&1; whoami; groups; groups nobody
logname 2>&1; echo $?
echo "== hostname/uname"; hostname; uname -n; hostname newname; echo $?; hostname; uname -n; cat /proc/sys/kernel/hostname
hostname -s; dnsdomainname 2>&1; echo $?; hostname -f 2>&1; echo $?; hostname -F /etc/hostname; hostname; uname -a | awk '{print $1, $2, $NF}'
echo lx4name > /proc/sys/kernel/hostname; hostname; sysctl kernel.hostname; sysctl -w kernel.domainname=example; uname -a | awk '{print $2}'
sysctl -n kernel.domainname; sysctl kernel.ostype; uname -s; uname -m; uname -o; linux32 uname -m; linux64 uname -m
echo "== env"; env -i A=1 B=2 env; env -u PATH env | sort; env -i /bin/sh -c 'echo $HOME.$A' ; A=5 env | grep '^A='
echo "== date"; date -d '2020-01-01 12:00:00' '+%Y-%m-%d %H:%M:%S %a %j %U'; date -u -d @0; date +%s | grep -c '^[0-9]*$'; TZ=UTC date -d @86400 +%F
date -d @1700000000 -R; date -I -d @1700000000; date -u -d '1999-12-31 23:59:59' +%s
echo "== sleep/usleep/timeout"; sleep 0.1; echo $?; usleep 1000; echo $?; timeout 1 sleep 3; echo $?; timeout -s KILL 1 sleep 3; echo $?; timeout 2 true; echo $?
echo "== kill"; sleep 5 & p=$!; kill -0 $p; echo $?; kill -TERM $p; wait $p 2>/dev/null; echo $?; kill -l | head -2; kill -l 9 15; kill -0 99999 2>&1; echo $?
sleep 5 & p=$!; kill -s USR1 $p; wait $p 2>/dev/null; echo $?
echo "== nice/renice/ionice/taskset"; sleep 3 & p=$!; running sleep; renice -n 5 -p $p >/dev/null; echo $?; ps -o pid,nice | awk -v p=$p '$1 == p {print "nice", $2}'
renice -n -3 -p $p >/dev/null; ps -o pid,nice,comm | awk -v p=$p '$1 == p {print "nice", $2, $3}'; kill $p; wait $p 2>/dev/null
ionice -c 3 true; echo $?; ionice -p $$; ionice -c 2 -n 4 -p $$; ionice -p $$; ionice -c 3 sh -c 'ionice -p $$'
taskset -p $$ | sed 's/[0-9][0-9]*.s current/N current/'; taskset 1 true; echo $?; taskset -p 1 $$ | sed 's/[0-9][0-9]*.s /N /'; nproc
echo "== setsid/nohup/time"; setsid true; echo $?; setsid sh -c 'ps -o pid,sid | awk "NR > 1 && \$1 == \$2 {s++} END {print (s > 0)}"'
echo "== pidof/ps/pgrep"; sleep 3 & p=$!; running sleep; pidof sleep >/dev/null; echo $?; [ "$(pidof sleep)" = "$p" ] && echo "pidof: the sleep"; ps | grep -c '[s]leep 3'
ps -o user,group,comm,args | grep -e '[s]leep' -e '^USER'; ps -o stat,nice,pri,vsz,comm | awk '$NF == "sleep" {print $1, $2, $3}'
kill $p; wait $p 2>/dev/null
echo "== killall"; sleep 4 & running sleep; killall sleep; echo $?; wait 2>/dev/null; killall nosuch 2>&1; echo $?
echo "== tty/stty/who"; tty; echo $?; who; echo $?; w 2>&1 | head -1 | awk '{print $1}'
echo "== hostid/dmesg/free/uptime"; hostid | wc -c; dmesg >/dev/null; echo "dmesg $?"; free | awk 'NR == 1 {print NF}'; uptime | sed 's/[0-9][0-9]*/N/g'
echo "== unshare/setpriv/capabilities"; unshare true; echo $?; setpriv --dump | head -4; grep -e Cap -e Uid -e Gid /proc/self/status
echo "== /proc's processes"; sh -c 'cat /proc/$$/comm; cut -d" " -f19 /proc/$$/stat'; nice -n 3 true 2>&1 | head -1
