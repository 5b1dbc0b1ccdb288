#!/bin/bash
# linegate-regiondb end to end: RIR delegated files -> region database ->
# lookups; refusals name file and line. No network, no root needed.
set -u
TOOL="${LG_BUILD_DIR:?}/linegate-regiondb"
CORPUS="${LG_SOURCE_DIR:?}/tests/fuzz/corpus/policy_regiondb"
[ -x "$TOOL" ] || { echo "SKIP: $TOOL not built"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$TOOL" -o "$tmp/regions.txt" "$CORPUS/delegated-sample.txt" "$CORPUS/ripe-sample.txt" 2>"$tmp/err" ||
	fail "conversion: $(cat "$tmp/err")"
grep -q "^1.0.8.0/21 CN$" "$tmp/regions.txt" || fail "6144-address block: first prefix"
grep -q "^1.0.16.0/20 CN$" "$tmp/regions.txt" || fail "6144-address block: second prefix"
grep -q "^198.51.100.192/29 DE$" "$tmp/regions.txt" || fail "200-address block split"
grep -q "^240e::/20 CN$" "$tmp/regions.txt" || fail "ipv6 record"
grep -q "1.2.3.0" "$tmp/regions.txt" && fail "available space converted"
"$TOOL" --check "$tmp/regions.txt" | grep -q "23 prefixes, OK" || fail "--check"

out=$("$TOOL" --db "$tmp/regions.txt" --lookup 1.0.31.255 1.0.32.0 198.51.100.199 2001:db8:d::7 10.1.2.3 100.64.0.9)
expect="1.0.31.255 CN
1.0.32.0 unknown
198.51.100.199 DE
2001:db8:d::7 DE
10.1.2.3 private (declared region is kept)
100.64.0.9 private (declared region is kept)"
[ "$out" = "$expect" ] || fail "lookups: got
$out"

# Refusals: name the file and the line; nothing written.
"$TOOL" -o "$tmp/x.txt" "$CORPUS/delegated-overflow.txt" 2>"$tmp/err" && fail "overflow accepted"
grep -q "delegated-overflow.txt:1: ipv4 record whose count" "$tmp/err" || fail "overflow message: $(cat "$tmp/err")"
[ -e "$tmp/x.txt" ] && fail "output written on error"
"$TOOL" --check "$CORPUS/regions-conflict.txt" 2>"$tmp/err" && fail "conflict accepted"
grep -q "regions-conflict.txt:2: 10.0.0.0/8 is mapped to DE here but to CN at line 1" "$tmp/err" ||
	fail "conflict message: $(cat "$tmp/err")"
"$TOOL" --check "$CORPUS/regions-bad.txt" 2>"$tmp/err" && fail "bad db accepted"
grep -q "regions-bad.txt:1: invalid prefix" "$tmp/err" || fail "bad message: $(cat "$tmp/err")"
"$TOOL" --check "$LG_SOURCE_DIR/conf/regions.sample.txt" >/dev/null || fail "sample database does not load"
echo "PASS: compliance_regiondb"
