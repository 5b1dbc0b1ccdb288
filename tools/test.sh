#!/usr/bin/env bash
# Every test of linegate, as CI runs it (.ci/run):
#   (a) RelWithDebInfo: unit, net (namespaces), interop (strongSwan)
#   (b) ASan+UBSan:     unit, fuzz corpus replay, and the daemon lifecycle test
#                       (the net run of (a) starts the ASan linegated too)
#   (c) clang libFuzzer: fuzz (LG_FUZZ_SECONDS per target, default 20)
#   (d) package:        the .deb (tools/package.sh: build + lintian), then
#                       tests/package/install.sh (dpkg -i ... --purge in a
#                       private overlay of /etc, /usr, /var; root only)
# Ends with one line "N passed, N failed"; exits non-zero on any failure.
# Env: LG_BUILD_ROOT (default /tmp/linegate-build.<hash of the repo path>),
#      LG_FUZZ_SECONDS, LG_JOBS (default 2), LG_SKIP_FUZZ=1, LG_SKIP_NET=1,
#      LG_SKIP_PACKAGE=1.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
JOBS=${LG_JOBS:-2}
export LG_FUZZ_SECONDS=${LG_FUZZ_SECONDS:-20}
ROOT=${LG_BUILD_ROOT:-/tmp/linegate-build.$(printf %s "$REPO" | md5sum | cut -c1-8)}
LOGS="$ROOT/logs"
mkdir -p "$LOGS"
START=$SECONDS
PASSED=0
FAILED=0
SUMMARY=()

note() { printf '\n=== %s (%ds)\n' "$*" $((SECONDS - START)); }
record() { # record STAGE PASSED FAILED
	PASSED=$((PASSED + $2)); FAILED=$((FAILED + $3))
	SUMMARY+=("$(printf '%-34s %4d passed %4d failed' "$1" "$2" "$3")")
}

"$REPO/tools/bootstrap.sh" || { echo "bootstrap failed"; echo "0 passed, 1 failed"; exit 1; }

# build NAME CMAKE-ARGS...: a failed build counts as one failure; make keeps
# going (-k) so the tests of everything that did build still run (a test
# whose program is missing fails as "Not Run"). Returns 1 if not configured.
build() {
	local name=$1; shift
	local dir="$ROOT/$name"
	note "build $name"
	if ! cmake -S "$REPO" -B "$dir" "$@" >"$LOGS/cmake-$name.log" 2>&1; then
		tail -30 "$LOGS/cmake-$name.log"
		record "build $name (configure)" 0 1
		return 1
	fi
	if cmake --build "$dir" -j"$JOBS" ${BUILD_TARGETS:+--target $BUILD_TARGETS} -- -k \
		>"$LOGS/build-$name.log" 2>&1; then
		record "build $name" 1 0
	else
		grep -E 'error|Error [0-9]' "$LOGS/build-$name.log" | head -20
		record "build $name" 0 1
	fi
	return 0
}

run_ctest() { # run_ctest BUILD LABEL [ENV=VAL ...]
	local name=$1 label=$2; shift 2
	local log="$LOGS/ctest-$name-$label.log"
	note "ctest -L $label in $name"
	env "$@" ctest --test-dir "$ROOT/$name" -L "^$label\$" --output-on-failure \
		-j"$( [ "$label" = unit ] && echo "$JOBS" || echo 1)" >"$log" 2>&1
	local total failed
	total=$(sed -n 's/.*tests passed, \([0-9]*\) tests\{0,1\} failed out of \([0-9]*\).*/\2/p' "$log" | tail -1)
	failed=$(sed -n 's/.*tests passed, \([0-9]*\) tests\{0,1\} failed out of \([0-9]*\).*/\1/p' "$log" | tail -1)
	if [ -z "$total" ]; then
		if grep -q "No tests were found" "$log"; then total=0; failed=0
		else total=1; failed=1; fi
	fi
	grep -E '^ *[0-9]+/[0-9]+ Test' "$log" | sed 's/^ */  /'
	[ "$failed" -gt 0 ] && sed -n '/The following tests FAILED/,$p' "$log"
	record "$label ($name)" $((total - failed)) "$failed"
}

have_root=false; [ "$(id -u)" = 0 ] && have_root=true

build rel -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr && REL=1 || REL=0
build asan -DCMAKE_BUILD_TYPE=Debug -DLINEGATE_SANITIZE=ON && ASAN=1 || ASAN=0
FUZZ=0
if [ "${LG_SKIP_FUZZ:-0}" != 1 ]; then
	# Only the fuzz targets: the rest of the tree is covered by (a) and (b).
	BUILD_TARGETS=$(ls tests/fuzz/fuzz_*.c 2>/dev/null | xargs -r -n1 basename | sed 's/\.c$//' | tr '\n' ' ')
	if [ -n "$BUILD_TARGETS" ]; then
		CC=clang build fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLINEGATE_FUZZ=ON && FUZZ=1
	fi
	unset BUILD_TARGETS
fi

[ $REL = 1 ] && run_ctest rel unit
[ $ASAN = 1 ] && run_ctest asan unit ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
[ $ASAN = 1 ] && run_ctest asan fuzz
[ $FUZZ = 1 ] && run_ctest fuzz fuzz
if $have_root && [ "${LG_SKIP_NET:-0}" != 1 ] && [ $REL = 1 ]; then
	asan_env=()
	[ $ASAN = 1 ] && asan_env=(LG_ASAN_LINEGATED="$ROOT/asan/linegated" LG_ASAN_LINEGATECTL="$ROOT/asan/linegatectl")
	run_ctest rel net "${asan_env[@]}"
	run_ctest rel interop
elif ! $have_root; then
	echo "note: net and interop tests need root (sudo tools/test.sh)"
fi

# The unit tests already ran above: the package build skips them (nocheck).
if [ "${LG_SKIP_PACKAGE:-0}" != 1 ]; then
	note "package"
	pkg_start=$SECONDS
	if DEB_BUILD_OPTIONS="nocheck parallel=$JOBS" "$REPO/tools/package.sh" "$ROOT/package" \
		>"$LOGS/package.log" 2>&1; then
		record "package (dpkg-buildpackage, lintian)" 1 0
		deb=$(tail -1 "$LOGS/package.log")
		if $have_root; then
			"$REPO/tests/package/install.sh" "$deb" >"$LOGS/package-install.log" 2>&1
			grep -E '^(FAIL|left)' "$LOGS/package-install.log"
			counts=$(sed -n 's/^package_install: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$LOGS/package-install.log")
			[ -n "$counts" ] || { tail -20 "$LOGS/package-install.log"; counts="0 1"; }
			record "package install/purge" $counts
		fi
	else
		tail -20 "$LOGS/package.log"
		record "package (dpkg-buildpackage, lintian)" 0 1
	fi
	echo "package stage: $((SECONDS - pkg_start)) s"
fi

note "summary (logs in $LOGS)"
printf '%s\n' "${SUMMARY[@]}"
echo "total time: $((SECONDS - START)) s"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
