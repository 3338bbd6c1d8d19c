# One job of aim_mix_N (aim_mix.sh): every task of mix_tasks.sh once, in
# an order that depends on the job's number (as AIM's users run the mix
# in different orders), on the same data, in a directory of its own; the
# report is sorted, so that every job's is the same (aim_job.expected).
#
#   sh /bench/aim_job.sh K DIR     (DIR is made and removed)
set -e
LOOPS=4
. /bench/mix_tasks.sh
mkdir "$2"
cd "$2"
gen_data 7 300
for t in $(echo sort grep awk sed pipeline gzip tar creat dir disk link procs signal shell |
	awk -v k="$1" '{ for (i = 0; i < NF; i++) printf "%s ", $((i + k) % NF + 1) }'); do
	t_$t >>report.unsorted
done
sort report.unsorted
cd /
rm -r "$2"
