#!/usr/bin/env bash
# A head-office hub's 10,000 branches (issue 15 item 1): the configuration
# tools/hub-config-bench.sh times (tools/lib/hub-config.sh: one peer block,
# PSK file and /24 per branch) passes --check-config, and the daemon started
# with it serves every branch: linegatectl peers lists all 10,000, each with
# the endpoint of its own block (first, second, middle, last). The same
# configuration with one duplicate endpoint and one subnet overlapping another
# branch's far down the file, then with one group-readable key file of the
# 10,000, fails with each problem at its file:line:col. Correctness only: how long it takes is
# the benchmark's business, never asserted here.
set -u
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
. "$LG_SOURCE_DIR/tools/lib/hub-config.sh"
BIN=${LG_ASAN_LINEGATED:-$LINEGATED}
CTL=${LG_ASAN_LINEGATECTL:-$LINEGATECTL}
FAILS=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }
N=10000

lg_ns_init lgn-h10k-
lg_ns_add hub
lg_ns_add isp
lg_link hub eth0 198.51.100.1/24 isp h0 198.51.100.254/24

T=$(mktemp -d /tmp/lgn-h10k.XXXXXX)
chmod 700 "$T"
trap 'lg_ns_cleanup; [ -n "${LG_KEEP:-}" ] || rm -rf "$T"' EXIT
hub_config_write "$N" "$T/hub"

out=$(lg_ns hub "$BIN" --check-config "$T/hub/hub.conf" 2>&1); rc=$?
check "$N branches pass --check-config (exit $rc)" test "$rc" = 0
check "... the OK line counts them" grep -q "OK (site hub, region CN, 1 uplinks, $N peers)" <<<"$out"
check "... and the report judges each (b9999 ok)" grep -qE '^b9999 +100\.64\.40\.15:500 .* ok$' <<<"$out"

lg_ns hub "$BIN" -f -c "$T/hub/hub.conf" > "$T/hub.log" 2>&1 &
LG_PIDS+=("$!")
hctl() { "$CTL" -s "$T/hub/control.sock" "$@"; }
check "the daemon starts with them" lg_wait 300 hctl status
hctl --json peers > "$T/peers.json" 2>"$T/peers.err"
# branch i: endpoint 100.64.1.0 + i, remote subnet the i-th /24 of 10.2.0.0
peers_ok() {
	python3 - "$T/peers.json" "$N" <<'PY'
import ipaddress, json, sys
peers = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
by = {p["name"]: p for p in peers}
if len(peers) != n or len(by) != n:
    sys.exit("%d peers, %d names" % (len(peers), len(by)))
for i in (0, 1, n // 2, n - 1):
    p = by.get("b%d" % i)
    ep = str(ipaddress.ip_address("100.64.1.0") + i)
    if not p or not p["endpoint"].startswith(ep) or p["role"] != "responder" or p["auth"] != "psk":
        sys.exit("b%d: %r" % (i, p))
PY
}
check "linegatectl peers lists all $N, each with its own endpoint" peers_ok

# The same file with two problems far down it: each at its file:line:col.
cp -a "$T/hub" "$T/bad"
sed -i "s#$T/hub/#$T/bad/#g" "$T/bad/hub.conf"
cat >> "$T/bad/hub.conf" <<'CONF'
peer "dup-endpoint" {
  endpoint 100.64.1.7
  remote-id dup.branches.corp.example
  psk-file "keys/b1.psk"
  remote-subnets 10.250.1.0/24
}
peer "overlap" {
  endpoint 100.64.255.1
  remote-id overlap.branches.corp.example
  psk-file "keys/b2.psk"
  remote-subnets 10.40.0.128/25
}
CONF
end=$(wc -l < "$T/bad/hub.conf")
out=$(lg_ns hub "$BIN" --check-config "$T/bad/hub.conf" 2>&1); rc=$?
check "two problems among $N branches: --check-config fails (exit $rc)" test "$rc" -ne 0
check "... the duplicate endpoint at its line:col" \
	grep -q "hub.conf:$((end - 10)):12: endpoint 100.64.1.7 is also the endpoint of peer 'b7'" <<<"$out"
check "... the overlapping subnet at its line:col" \
	grep -q "hub.conf:$((end - 1)):18: remote subnet 10.40.0.128/25 overlaps 10.40.0.0/24 of peer 'b9728'" <<<"$out"
# key files are judged once the file is otherwise sound: one of 10,000 is enough
chmod 640 "$T/hub/keys/b7777.psk"
key_line=$(grep -n 'psk-file "keys/b7777.psk"' "$T/hub/hub.conf" | cut -d: -f1)
out2=$(lg_ns hub "$BIN" --check-config "$T/hub/hub.conf" 2>&1); rc=$?
check "one group-readable key file of $N: --check-config fails (exit $rc)" test "$rc" -ne 0
check "... at its line:col" \
	grep -q "hub.conf:$key_line:12: psk-file '.*keys/b7777.psk' is readable or writable by group or others" <<<"$out2"
out="$out
$out2"
[ "$FAILS" = 0 ] || { echo "$out" | grep -v '^  why\|^b[0-9]' | head -20; tail -20 "$T/hub.log"; }

echo "$FAILS failure(s)"
[ "$FAILS" = 0 ]
