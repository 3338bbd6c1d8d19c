# aim_mix_N (docs/benchmarks.md): N concurrent jobs of aim_job.sh, as the
# AIM suite runs N users of its mix at once.  Prints each job's end and
# then its report (every job's is aim_job.expected).
#
#   sh /bench/aim_mix.sh N DIR     (DIR is made and removed)
set -e
mkdir "$2"
pids=""
i=1
while [ $i -le "$1" ]; do
	sh /bench/aim_job.sh $i "$2/$i" >"$2/$i.report" 2>&1 &
	pids="$pids $!"
	i=$((i + 1))
done
i=1
for p in $pids; do
	s=0
	wait $p || s=$?
	echo "job $i: status $s"
	i=$((i + 1))
done
i=1
while [ $i -le "$1" ]; do
	echo "job $i:"
	cat "$2/$i.report"
	i=$((i + 1))
done
rm -r "$2"
