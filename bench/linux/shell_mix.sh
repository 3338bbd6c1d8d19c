# shell_mix (docs/benchmarks.md): a busybox sh session of pipelines, sort,
# grep, awk, sed, gzip, tar, file creation and many short processes, on
# data it makes itself: every task of mix_tasks.sh once.
# What it prints is in shell_mix.expected.
#
#   sh /bench/shell_mix.sh DIR     (DIR is made and removed)
set -e
. /bench/mix_tasks.sh
mkdir "$1"
cd "$1"
gen_data 1 1200
echo "data: $(sum <words.txt)"
for t in sort grep awk sed pipeline gzip tar creat dir disk link procs signal shell; do
	t_$t
done
cd /
rm -r "$1"
