#!/usr/bin/env bash
# fuzz-long.sh - the long fuzzing run (not in CI): every libFuzzer target for
# N executions with its corpus, one target at a time, and a table of what
# each one did. A finding is a failure: the script exits 1 and names the
# reproducer (add it to tests/fuzz/corpus/<target>/ once fixed).
#
#   tools/fuzz-long.sh                         every target, 10 million runs each
#   tools/fuzz-long.sh -n 1000000 conf_parse   one target, a million runs
#   tools/fuzz-long.sh -t 600                  stop a target after 600 s at most
#
# Needs a fuzz build (clang):
#   CC=clang cmake -S . -B build-fuzz -DLINEGATE_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
#   cmake --build build-fuzz -j2
# Environment: FUZZ_BUILD (default <repo>/build-fuzz), FUZZ_WORK (default
# /tmp/lg-fuzz-long: the grown corpus, logs, reproducers; kept between runs,
# so a second run starts where the first stopped), FUZZ_NICE (10), FUZZ_ARGS
# (more libFuzzer flags, e.g. "-entropic=0").
# Output: one "ROW" line per target, then the table in Markdown:
#   target | executions | exec/s | coverage (edges) | features | corpus | findings | seconds
# A target stopped by -t before N runs gets its projected time to N.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${FUZZ_BUILD:-$ROOT/build-fuzz}
WORK=${FUZZ_WORK:-/tmp/lg-fuzz-long}
RUNS=10000000
MAX_T=0
while getopts n:t: o; do
	case $o in
	n) RUNS=$OPTARG ;;
	t) MAX_T=$OPTARG ;;
	*) echo "usage: $0 [-n RUNS] [-t MAX_SECONDS] [target...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
targets=("$@")
if [ ${#targets[@]} = 0 ]; then
	for d in "$ROOT"/tests/fuzz/corpus/*/; do targets+=("$(basename "$d")"); done
fi
mkdir -p "$WORK"

# run_one TARGET -> a ROW line; 1 if it found something
run_one() {
	local t=$1 bin=$BUILD/tests/fuzz_$1 dir=$WORK/$1
	[ -x "$bin" ] || { echo "ROW $t missing-binary $bin" ; return 1; }
	mkdir -p "$dir/corpus" "$dir/findings"
	local start end secs
	start=$(date +%s.%N)
	# -max_total_time=0: no limit; -timeout: a hang is a finding
	nice -n "${FUZZ_NICE:-10}" "$bin" -runs="$RUNS" -max_total_time="$MAX_T" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$dir/findings/" ${FUZZ_ARGS:-} \
		"$dir/corpus" "$ROOT/tests/fuzz/corpus/$t" > "$dir/log" 2>&1
	local rc=$?
	end=$(date +%s.%N)
	secs=$(printf '%.0f' "$(echo "$end - $start" | bc)")
	local execs cov ft corp found
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)
	read -r cov ft corp < <(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE|INITED)' "$dir/log" | tail -1 |
		sed -E 's/.*cov: ([0-9]+) ft: ([0-9]+) corp: ([0-9]+).*/\1 \2 \3/')
	found=$(find "$dir/findings" -type f | wc -l)
	execs=${execs:-0}
	local rate proj=""
	rate=$(( execs / (secs > 0 ? secs : 1) ))
	if [ "$execs" -lt "$RUNS" ] && [ "$rate" -gt 0 ]; then
		proj=" projected_s_to_${RUNS}=$(( RUNS / rate ))"
	fi
	echo "ROW $t execs=$execs exec_per_s=$rate cov=${cov:-?} ft=${ft:-?} corpus=${corp:-?} findings=$found seconds=$secs rc=$rc$proj"
	[ "$found" = 0 ] && [ "$rc" = 0 ]
}

fails=0
rows=()
for t in "${targets[@]}"; do
	row=$(run_one "$t") || fails=$((fails + 1))
	echo "$row"
	rows+=("$row")
done

echo
echo "| target | executions | exec/s | coverage (edges) | features | corpus | findings | seconds |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for r in "${rows[@]}"; do
	set -- $r
	declare -A f=()
	for kv in "${@:3}"; do f[${kv%%=*}]=${kv#*=}; done
	note=""
	[ -n "${f[projected_s_to_$RUNS]:-}" ] && note=" (stopped; ${RUNS} in ~${f[projected_s_to_$RUNS]} s)"
	echo "| $2 | ${f[execs]:-?}$note | ${f[exec_per_s]:-?} | ${f[cov]:-?} | ${f[ft]:-?} | ${f[corpus]:-?} | ${f[findings]:-?} | ${f[seconds]:-?} |"
	unset f
done
for t in "${targets[@]}"; do
	for a in "$WORK/$t"/findings/*; do
		[ -e "$a" ] && echo "FINDING $t: $a (reproduce: $BUILD/tests/fuzz_$t $a)"
	done
done
[ "$fails" = 0 ]
