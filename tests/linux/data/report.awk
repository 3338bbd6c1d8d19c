NR == 1 { next }
{
	total += $2 * $3
	count[$1 ~ /s$/ ? "plural" : "singular"]++
	if ($2 > max) { max = $2; maxname = $1 }
}
END {
	printf "items %d, value %.2f\n", NR - 1, total
	printf "most: %s (%d)\n", maxname, max
	n = split("plural singular", k, " ")
	for (i = 1; i <= n; i++)
		printf "%s=%d\n", k[i], count[k[i]]
}
