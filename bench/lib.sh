# Helpers the scripts in bench/ share; sourced after tests/integration/lib.sh.

# Median of the arguments (empty when none).
median() {
	(($# > 0)) || return 0
	printf '%s\n' "$@" | sort -g |
	    awk '{a[NR] = $1} END {m = int((NR + 1) / 2);
		if (NR % 2) print a[m]; else print (a[m] + a[m + 1]) / 2}'
}

# Clock ticks of CPU (user and system) used so far by the processes given,
# summed; those already gone count nothing.
ticks() {
	local pid sum=0 line rest
	local -a f
	for pid in "$@"; do
		{ read -r line <"/proc/$pid/stat"; } 2>/dev/null || continue
		rest=${line##*) }
		read -r -a f <<<"$rest"
		# Fields 14 and 15 (utime, stime) are 11 and 12 after the name.
		sum=$((sum + f[11] + f[12]))
	done
	echo "$sum"
}
