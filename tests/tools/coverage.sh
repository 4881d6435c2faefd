#!/bin/sh
# tests/tools/coverage.sh: the line coverage of a --coverage build, per
# source file of lib/ and cmd/, from gcov; the total of lib/ last.
#
#   tests/tools/coverage.sh OBJDIR [MIN]
#
# OBJDIR is the build's object folder (the Makefile's $(O)), holding the
# .gcno and .gcda files beside the objects.  Exits 1 when lib/ is under
# MIN percent (default 85), 2 when there is nothing to report.
set -eu
obj=${1:?usage: tests/tools/coverage.sh OBJDIR [MIN]}
min=${2:-85}
[ -d "$obj/lib" ] || { echo "coverage: no $obj/lib" >&2; exit 2; }

# gcov -n writes no .gcov files, only "File 'x'" then "Lines executed:
# P% of N" for the file and for each header it pulled code from; keep
# the source's own pair.  A file that no program ran has no .gcda: 0%.
for src in lib/*.c cmd/*.c cmd/consent-landing/*.c; do
	[ -f "$obj/${src%.c}.gcno" ] || continue
	if [ -f "$obj/${src%.c}.gcda" ]; then
		gcov -n -o "$obj/${src%/*}" "$src" 2>/dev/null |
		awk -v src="$src" '
			/^File / { f = $2; gsub(/\047/, "", f) }
			/^Lines executed:/ && f == src {
				split($2, a, ":"); p = a[2]; sub(/%/, "", p)
				printf "%s %d %d\n", src, $4, int(p * $4 / 100 + 0.5)
				exit
			}'
	else
		n=$(gcov -n -o "$obj/${src%/*}" "$src" 2>/dev/null |
		    awk -v src="$src" '/^File / { f = $2; gsub(/\047/, "", f) }
			/^Lines executed:/ && f == src { print $4; exit }')
		echo "$src ${n:-0} 0"
	fi
done | awk -v min="$min" '
	$2 == 0 { printf "%-34s %6d %6d %7s\n", $1, 0, 0, "-"; next }
	{ printf "%-34s %6d %6d %6.1f%%\n", $1, $2, $3, 100 * $3 / $2
	  if ($1 ~ /^lib\//) { lines += $2; hit += $3 } }
	BEGIN { printf "%-34s %6s %6s %7s\n", "file", "lines", "run", "covered" }
	END {
		pct = lines ? 100 * hit / lines : 0
		printf "%-34s %6d %6d %6.1f%%\n", "total lib/", lines, hit, pct
		if (pct < min) {
			printf "coverage: lib/ %.1f%% is under %d%%\n", pct, min
			exit 1
		}
	}'
