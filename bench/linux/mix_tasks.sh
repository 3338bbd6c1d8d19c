# The tasks of the macro workloads (docs/benchmarks.md), sourced by
# shell_mix.sh and aim_job.sh: the kinds of work of the AIM suite's
# "shared" mix (file creation and removal, directory routines, disk copy,
# read and search, links, fork and exec, pipes, shell routines, signals,
# sorting, string and arithmetic routines) done the way a shell user does
# them, with busybox.
#
# Each task works in the current directory on the files gen_data made and
# prints one line, "name: facts", of derived facts only (checksums,
# counts, statuses): the same on every system.  A task that fails makes
# the whole run fail (set -e in the callers) or prints a different line.
# LOOPS (12 unless set) is how many times the loops of a task go round:
# the files of creat and tar, the processes of procs, the sieve of awk.
LOOPS=${LOOPS:-12}

# gen_data SEED LINES: words.txt, LINES lines of "N key word word...",
# from a linear congruential generator (exact in awk's doubles)
gen_data() {
	awk -v seed="$1" -v lines="$2" 'BEGIN {
		n = split("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike " \
			"november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu", w, " ")
		x = seed
		for (i = 1; i <= lines; i++) {
			x = (x * 69069 + 1) % 4294967296
			k = 3 + int(x / 65536) % 7
			line = i " " int(x / 256) % 1000
			for (j = 0; j < k; j++) {
				x = (x * 69069 + 1) % 4294967296
				line = line " " w[1 + int(x / 65536) % n]
			}
			print line
		}
	}' >words.txt
}

# a digest of a stream: the first 16 digits of its MD5
sum() { md5sum | cut -c1-16; }

# sort_rtns: sorts by a word, by number, in reverse, unique
t_sort() {
	a=$(sort -k3,3 -k1,1n words.txt | sum)
	b=$(sort -n -k2,2 -k1,1n words.txt | sum)
	c=$(sort -r words.txt | sum)
	d=$(cut -d' ' -f3 words.txt | sort -u | wc -l)
	echo "sort: $a / $b / $c / $d"
}

# disk_src: searches
t_grep() {
	a=$(grep -c alpha words.txt)
	b=$(grep -v -e bravo -e kilo words.txt | wc -l)
	c=$(grep -E '^[0-9]+ 9[0-9][0-9] (zulu|yankee)' words.txt | sum)
	d=$(grep -l -w tango words.txt /dev/null || true)
	echo "grep: $a $b $c $d"
}

# num_rtns: awk arithmetic and arrays
t_awk() {
	a=$(awk '{ for (i = 3; i <= NF; i++) c[$i] += $2 } END { for (k in c) print k, c[k] }' words.txt | sort | sum)
	b=$(awk -v m=$((250 * LOOPS)) 'BEGIN {
		for (i = 2; i < m; i++)
			if (!s[i]) { n++; for (j = i * i; j < m; j += i) s[j] = 1 }
		print n }')
	c=$(awk '{ t += $2 * NF; m = $2 > m ? $2 : m } END { printf "%d %d %.3f\n", t, m, t / NR }' words.txt)
	echo "awk: $a / $b / $c"
}

# string_rtns: sed, tr, cut, rev
t_sed() {
	a=$(sed -e 's/alpha/ALPHA/g' -e '/zulu/d' -e 's/^\([0-9]*\) \([0-9]*\)/\2:\1/' words.txt | sum)
	b=$(tr 'a-z' 'A-Z' <words.txt | tr -d 'AEIOU' | sum)
	c=$(cut -d' ' -f2,4 words.txt | rev | sum)
	echo "sed: $a / $b / $c"
}

# pipe_cpy: a long pipeline
t_pipeline() {
	a=$(cat words.txt | tr ' ' '\n' | grep -v '^[0-9]' | sort | uniq -c | sort -k1,1nr -k2 | head -5 |
		awk '{ printf "%s=%s ", $2, $1 }')
	b=$(cat words.txt | cat | cat | cat | wc -c)
	echo "pipeline: $a/ $b"
}

# compression: gzip and back, from a pipe (no name or time in the header)
t_gzip() {
	gzip -c <words.txt >w.gz
	a=$(wc -c <w.gz)
	b=$(gunzip -c w.gz | sum)
	gzip -9 -c <words.txt | gunzip | cmp - words.txt
	rm w.gz
	echo "gzip: $a $b"
}

# a tree of files through tar (plain and gzipped) and back
t_tar() {
	mkdir -p tree/a/b tree/c
	i=0
	while [ $i -lt $LOOPS ]; do
		sed -n "$((i * 50 + 1)),$((i * 50 + 50))p" words.txt >tree/a/f$i
		head -c $((i * 300)) words.txt >tree/c/g$i
		i=$((i + 1))
	done
	cp words.txt tree/a/b/
	tar cf t.tar tree
	mkdir x y
	tar xf t.tar -C x
	tar czf t.tgz tree
	tar xzf t.tgz -C y
	diff -r tree x/tree
	diff -r tree y/tree
	a=$(tar tf t.tar | sort | sum)
	b=$(find x y -type f | sort | xargs cat | sum)
	rm -r tree x y t.tar t.tgz
	echo "tar: $a / $b"
}

# creat-clo: files made, written, read and removed one at a time
t_creat() {
	i=0
	while [ $i -lt $((5 * LOOPS)) ]; do
		echo "file $i" >f$i
		: >e$i
		i=$((i + 1))
	done
	a=$(cat f* | sum)
	b=$(ls | grep -c '^e')
	rm f* e*
	echo "creat: $a $b"
}

# dir_rtns: directories made, listed, walked and removed
t_dir() {
	mkdir -p d/1/2/3/4 d/a d/b/c
	for n in one two three four five; do
		: >d/a/$n
		: >d/1/2/$n
	done
	a=$(ls -R d | wc -l)
	b=$(find d -type f | wc -l)
	c=$(find d -type d | sort | sum)
	rmdir d/1/2/3/4 d/1/2/3
	rm -r d
	echo "dir: $a $b $c"
}

# disk_cp, disk_rd, disk_wrt: copies, reads and writes of whole files
t_disk() {
	cp words.txt c1
	dd if=words.txt of=c2 bs=4096 2>/dev/null
	cat c1 c2 >c3
	a=$(cmp c1 words.txt && cmp c2 words.txt && wc -c <c3)
	dd if=/dev/zero of=z bs=1024 count=256 2>/dev/null
	b=$(od -An -tx1 z | sort -u | sum)
	c=$(md5sum <c3 | cut -c1-32)
	rm c1 c2 c3 z
	echo "disk: $a $b $c"
}

# link_test: hard and symbolic links, renames
t_link() {
	echo data >l0
	ln l0 l1
	ln -s l1 l2
	mv l1 l3
	a=$(cat l0 l3 | tr '\n' ,)
	b=$(readlink l2)
	c=$(stat -c %h l0)
	d=$([ -e l2 ] && echo yes || echo no)
	rm l0 l2 l3
	echo "link: $a $b $c $d"
}

# exec_test and fork_test: many short processes (3 in each of
# 3 * LOOPS + 4 rounds, and a few more)
t_procs() {
	i=0
	while [ $i -lt $((3 * LOOPS + 4)) ]; do
		/bench/exit0
		x=$(echo $i)
		(exit 3) || true
		i=$((i + 1))
	done
	a=$(sh -c 'exit 7' || echo $?)
	b=$(for i in 1 2 3 4 5 6 7 8; do sh -c "echo \$((\$1 * \$1))" sh $i; done | awk '{ s += $1 } END { print s }')
	echo "procs: $i $x $a $b"
}

# signal_test: a trap, a killed background job and a shell that kills
# itself (the shells' "Terminated" notes come when they happen to look:
# not compared)
t_signal() {
	a=$(sh -c 'trap "echo caught" USR1; kill -USR1 $$; echo after' | tr '\n' ' ')
	b=$( (
		sleep 5 &
		p=$!
		kill $p
		wait $p || echo $?
	) 2>/dev/null)
	c=$( (sh -c 'kill -TERM $$; echo not-reached' || echo $?) 2>/dev/null)
	echo "signal: $a$b $c"
}

# shell_rtns: the shell's own work (expansion, arithmetic, functions)
t_shell() {
	s=0
	i=0
	while [ $i -lt 300 ]; do
		s=$((s + i * i % 7))
		i=$((i + 1))
	done
	set -- $(head -3 words.txt)
	a="$# $1"
	b=$(printf '%s\n' ${PATH//:/ } | wc -l)
	echo "shell: $s $a $b"
}
