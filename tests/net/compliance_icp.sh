#!/bin/bash
# ICP ports end to end: one linegated in a site namespace with an Internet
# uplink (inet0, IPv4 and IPv6) and a LAN (la). Real listening sockets
# (python3 bind/listen) in the gateway's namespace; the daemon finds them
# through sock_diag (libnl-idiag). Asserts:
#  1. 0.0.0.0:8080 is flagged by `linegatectl compliance` (text and JSON,
#     reason icp_unrecorded, owning pid) and audited once as
#     icp_unrecorded_listener state=open, however many scans follow;
#  2. a listener on the LAN address only (10.1.1.1:80) is not flagged;
#  3. [::]:443 and the uplink's own address (203.0.113.1:80) are flagged;
#  4. a reload that adds `icp-recordal 443, "京ICP备..."` shows 443 as
#     recorded with its number, no violation, and audits state=recorded;
#  5. closing 0.0.0.0:8080 is audited as state=closed by the periodic scan
#     alone (no compliance request), and the report no longer lists it;
#  6. nothing is torn down for it: the daemon keeps running.
# Bounded waits; about 30 s. Needs root.
set -u
. "${LG_SOURCE_DIR:?}/tests/lib/netns.sh"
LINEGATED=${LG_ASAN_LINEGATED:-${LINEGATED:-}}
LINEGATECTL=${LG_ASAN_LINEGATECTL:-${LINEGATECTL:-}}
[ -x "${LINEGATED:-}" ] || { echo "SKIP: linegated not built" >&2; exit 77; }
[ -x "${LINEGATECTL:-}" ] || { echo "SKIP: linegatectl not built" >&2; exit 77; }
PY=$(command -v python3) || { echo "SKIP: python3 missing" >&2; exit 77; }

T=$(mktemp -d /tmp/lgn-icp.XXXXXX)
chmod 700 "$T"
lg_ns_init lgn-icp-
trap 'rc=$?; lg_ns_cleanup; if [ $rc = 0 ] && [ -z "${LG_KEEP:-}" ]; then rm -rf "$T"; else echo "logs kept in $T" >&2; fi; exit $rc' EXIT
FAILS=0
PASSES=0
check() { # check "what" command...
	if "${@:2}"; then echo "ok   - $1"; PASSES=$((PASSES + 1)); else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi
}

for n in inet gw lan; do lg_ns_add "$n"; done
lg_link gw inet0 203.0.113.1/28,2001:db8:1::1/64 inet i0 203.0.113.14/28,2001:db8:1::e/64
lg_link gw la 10.1.1.1/24 lan eth0 10.1.1.10/24
lg_ns gw ip route add default via 203.0.113.14

mkdir -p "$T/audit"
write_conf() { # write_conf [icp-recordal line]
	cat > "$T/linegate.conf" <<EOF
site "shanghai" {
    region CN
    identity-domain "corp.example"
    internal-space 10.0.0.0/8
    $1
}
uplink "internet" {
    interface inet0
}
tunnel {
    device lgi0
    address 10.1.0.254/32
}
audit {
    journal-dir "$T/audit"
    retention 180d
}
control {
    socket "$T/control.sock"
    workers 1
}
EOF
}
write_conf ""
ctl() { timeout "$(lg_bound 10)" "$LINEGATECTL" -s "$T/control.sock" "$@"; }
records() { grep -rhs '"event":"icp_unrecorded_listener"' "$T/audit" | grep -F -- "$1" | grep -cF -- "$2"; }
has_records() { [ "$(records "$1" "$2")" -ge 1 ]; }
# listen NAME FAMILY ADDRESS PORT: a real listening socket in the gateway's namespace
listen() {
	lg_ns_bg gw "$PY" -c "
import socket, sys, time
s = socket.socket(socket.$2, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
if socket.$2 == socket.AF_INET6:
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s.bind(('$3', $4)); s.listen(4); time.sleep(600)" > "$T/$1.pid"
	local shown=$3:$4
	[ "$2" = AF_INET6 ] && shown="[$3]:$4"
	lg_wait 10 bash -c "ip netns exec $(lg_ns_name gw) ss -Hltn | awk '{print \$4}' | grep -qxF '$shown'" ||
		lg_die "listener $1 did not come up"
}

rm -f "$T/control.sock"
lg_ns gw timeout -k 3 600 "$LINEGATED" -f -c "$T/linegate.conf" </dev/null >"$T/linegated.log" 2>&1 &
DPID=$!
LG_PIDS+=("$DPID")
lg_wait 10 test -S "$T/control.sock" || { tail -20 "$T/linegated.log"; lg_die "linegated did not start"; }

out=$(ctl compliance --json)
check "a scan ran and found no web listener" grep -q '"scanned":true,"listeners":\[\],"violations":0' <<<"$out"

# ---- 1. wildcard 8080
listen w8080 AF_INET 0.0.0.0 8080
out=$(ctl compliance)
echo "$out" > "$T/compliance1.txt"
check "compliance flags 0.0.0.0:8080" grep -q 'ICP listener tcp 0.0.0.0 port 8080 via internet(inet0).*VIOLATION' <<<"$out"
check "with reason icp_unrecorded" grep -q 'violation icp_unrecorded: TCP 0.0.0.0 port 8080' <<<"$out"
json=$(ctl compliance --json)
check "JSON: 8080 unrecorded with its owning pid" \
	python3 -c "import json,sys; d=json.loads(sys.argv[1])['icp']; l=[x for x in d['listeners'] if x['port']==8080]; \
assert len(l)==1 and l[0]['state']=='unrecorded' and l[0]['pid']==$(cat "$T/w8080.pid") and d['violations']==1, d" "$json"
check "audited: icp_unrecorded_listener state=open for 8080" lg_wait 10 has_records '"port":"8080"' '"state":"open"'
ctl compliance >/dev/null; ctl compliance --json >/dev/null
check "one record for 8080 across four scans, not one per scan" test "$(records '"port":"8080"' '"state":"open"')" = 1

# ---- 2. LAN only
listen lan80 AF_INET 10.1.1.1 80
out=$(ctl compliance)
check "a listener on the LAN address only is not flagged" bash -c '! grep -q "10.1.1.1" <<<"$1"' _ "$out"
check "nor audited" bash -c '! grep -rqs "\"address\":\"10.1.1.1\"" "$1/audit"' _ "$T"

# ---- 3. [::]:443 and the uplink's address
listen v443 AF_INET6 :: 443
listen up80 AF_INET 203.0.113.1 80
out=$(ctl compliance)
echo "$out" > "$T/compliance3.txt"
check "compliance flags [::]:443" grep -q 'ICP listener tcp :: port 443 via internet(inet0).*VIOLATION' <<<"$out"
check "compliance flags the uplink's address 203.0.113.1:80" grep -q 'ICP listener tcp 203.0.113.1 port 80 via internet(inet0).*VIOLATION' <<<"$out"
check "3 ICP violations counted" grep -q '^3 ICP violations' <<<"$out"
check "audited: 443 open" lg_wait 10 has_records '"port":"443"' '"state":"open"'

# ---- 4. recordal for 443 by reload
write_conf 'icp-recordal 443, "京ICP备12345678号-1"'
check "reload with the recordal succeeds" ctl reload
out=$(ctl compliance)
echo "$out" > "$T/compliance4.txt"
check "443 shown as recorded with its number" grep -q 'ICP listener tcp :: port 443 .*recorded 京ICP备12345678号-1' <<<"$out"
check "2 ICP violations left" grep -q '^2 ICP violations' <<<"$out"
json=$(ctl compliance --json)
check "JSON: 443 recorded, compliant, number as written" \
	python3 -c "import json,sys; d=json.loads(sys.argv[1])['icp']; l=[x for x in d['listeners'] if x['port']==443]; \
assert l[0]['state']=='recorded' and l[0]['compliant'] and l[0]['recordal']=='京ICP备12345678号-1', d" "$json"
check "audited: 443 state=recorded" lg_wait 10 has_records '"port":"443"' '"state":"recorded"'

# ---- 5. close 8080: the periodic scan records it without a request
kill "$(cat "$T/w8080.pid")"
check "audited: 8080 state=closed (periodic scan)" lg_wait 30 has_records '"port":"8080"' '"state":"closed"'
out=$(ctl compliance)
check "the report no longer lists 8080" bash -c '! grep -q "port 8080" <<<"$1"' _ "$out"
check "one closed record for 8080" test "$(records '"port":"8080"' '"state":"closed"')" = 1

# ---- 6. the daemon is untouched
check "linegated still running" kill -0 "$DPID"
if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$T/linegated.log" 2>/dev/null; then
	check "no sanitizer report" false
fi
if [ "$FAILS" -gt 0 ]; then
	echo "--- linegated (last 25 lines)"; tail -25 "$T/linegated.log"
	echo "--- journal icp records"; grep -rhs icp_unrecorded "$T/audit"
fi
echo "compliance_icp: $PASSES passed, $FAILS failed"
[ "$FAILS" = 0 ]
