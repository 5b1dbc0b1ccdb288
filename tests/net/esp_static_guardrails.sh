#!/bin/bash
# Static (hand-keyed, lab-only) SAs pass the same guardrails as IKE peers
# (issue 9, class 1), end to end with real daemons:
#
#   lana -- gwa (Shanghai, CN)  inet0 203.0.113.1   ==== inet ====  198.51.100.1   inet0 gwb (Frankfurt, DE) -- lanb
#                               circ0 203.0.113.129 == licensed ==  198.51.100.129 circ0
#
# Region database: 203.0.113/24 CN, 198.51.100/24 DE. Asserts:
#  1. a static SA to a Frankfurt address over the untagged Internet uplink,
#     declared CN (the database says DE) with 0.0.0.0/0, is refused by
#     --check-config (listed in its report, with both reason codes) and at
#     start (audited compliance_refused, object = the static SA); ::/0 and
#     public selectors are refused too; a capture on the Internet uplink while
#     the LAN pings Frankfurt sees no packet to the foreign address;
#  2. over the licensed circuit the static SAs start and carry pings;
#     `linegatectl compliance --json` lists them as compliant static SAs;
#  3. the route to the Frankfurt endpoint moves to the Internet uplink: the SA
#     is removed (compliance_refused egress_mismatch audited), the LAN's
#     traffic to Frankfurt is dropped, never sent in the clear: a capture on
#     the Internet uplink matching the foreign endpoint and the inner
#     addresses holds zero packets (a control ping proves it would see one);
#  4. the route comes back: the SA is installed again and carries pings.
# Bounded waits; about 30 s. Needs root.
set -u
. "${LG_SOURCE_DIR:?}/tests/lib/netns.sh"
[ -x "${LINEGATED:-}" ] || { echo "SKIP: linegated not built" >&2; exit 77; }
[ -x "${LINEGATECTL:-}" ] || { echo "SKIP: linegatectl not built" >&2; exit 77; }
command -v tcpdump >/dev/null || { echo "SKIP: tcpdump missing" >&2; exit 77; }

A_INET=203.0.113.1 B_INET=198.51.100.1 A_CIRC=203.0.113.129 B_CIRC=198.51.100.129
HOST_A=10.1.1.10 HOST_B=10.100.1.10

T=$(mktemp -d /tmp/lgn-ssg.XXXXXX)
chmod 700 "$T"
lg_ns_init lgn-ssg-
trap 'rc=$?; lg_ns_cleanup; if [ $rc = 0 ] && [ -z "${LG_KEEP:-}" ]; then rm -rf "$T"; else echo "logs kept in $T" >&2; fi; exit $rc' EXIT
FAILS=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }
key() { head -c 36 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# ---- topology: two point-to-point links, /32 addresses and host routes
for n in gwa gwb lana lanb; do lg_ns_add "$n"; done
lg_link gwa inet0 - gwb inet0 -
lg_link gwa circ0 - gwb circ0 -
lg_ns gwa ip addr add "$A_INET/32" dev inet0
lg_ns gwb ip addr add "$B_INET/32" dev inet0
lg_ns gwa ip addr add "$A_CIRC/32" dev circ0
lg_ns gwb ip addr add "$B_CIRC/32" dev circ0
lg_ns gwa ip route add "$B_INET/32" dev inet0 src "$A_INET"
lg_ns gwb ip route add "$A_INET/32" dev inet0 src "$B_INET"
circuit_route() { lg_ns gwa ip route replace "$B_CIRC/32" dev circ0 src "$A_CIRC"; }
circuit_route
lg_ns gwb ip route add "$A_CIRC/32" dev circ0 src "$B_CIRC"
# A default route by the Internet uplink: anything not held by the tunnel
# would leave here in the clear, where the capture looks.
lg_ns gwa ip route add default via "$B_INET" dev inet0
lg_link gwa la 10.1.1.1/24 lana eth0 "$HOST_A/24"
lg_link gwb lb 10.100.1.1/24 lanb eth0 "$HOST_B/24"
lg_ns lana ip route add default via 10.1.1.1
lg_ns lanb ip route add default via 10.100.1.1
lg_ns gwa ping -c1 -W2 "$B_CIRC" >/dev/null || lg_die "circuit underlay does not work"
lg_ns gwa ping -c1 -W2 "$B_INET" >/dev/null || lg_die "internet underlay does not work"
printf '203.0.113.0/24 CN\n198.51.100.0/24 DE\n' > "$T/regions.txt"

KEY_AB=$(key) KEY_BA=$(key)
# conf DIR SITE REGION TUN SA-NAME SA-PEER SA-REGION SA-UPLINK SPI-IN SPI-OUT KEY-IN KEY-OUT LOCAL REMOTE REMOTE-ID
conf() {
	local d=$T/$1
	mkdir -p "$d/audit"
	chmod 700 "$d"
	cat > "$d/linegate.conf" <<CONF
site "$2" {
    region $3
    identity-domain "corp.example"
    internal-space 10.0.0.0/8
}
compliance {
    licensed-carriers china-telecom
    region-db "$T/regions.txt"
}
uplink "internet" {
    interface inet0
}
uplink "ctc-circuit" {
    interface circ0
    carrier china-telecom
    circuit-id "CTC-IPLC-SH-0042"
    licensed yes
}
tunnel {
    device lgs0
    address $4/32
    mtu 1400
}
audit {
    journal-dir "$d/audit"
    retention 180d
}
control {
    socket "$d/control.sock"
    workers 1
}
lab-only yes
static-sa "$5" {
    peer $6
    region $7
    remote-id ${15}
    uplink $8
    cipher chacha20poly1305
    spi-in $9
    spi-out ${10}
    key-in 0x${11}
    key-out 0x${12}
    local-subnets ${13}
    remote-subnets ${14}
}
CONF
	chmod 600 "$d/linegate.conf"
}

ctl() { local d=$1; shift; timeout "$(lg_bound 10)" "$LINEGATECTL" -s "$T/$d/control.sock" "$@"; }
journal_has() { grep -rqs -- "$2" "$T/$1/audit"; }
audited() { # SITE OBJECT REASON
	grep -rhs "\"event\":\"compliance_refused\",\"object\":\"$2\"" "$T/$1/audit" | grep -q "\"reason\":\"$3\""
}
start() { # SITE NS
	local d=$T/$1 pid i
	rm -f "$d/control.sock"
	lg_ns "$2" timeout -k 3 600 "$LINEGATED" -f -c "$d/linegate.conf" </dev/null >"$d/linegated.log" 2>&1 &
	pid=$!
	LG_PIDS+=("$pid")
	for i in $(seq 1 200); do
		[ -S "$d/control.sock" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	tail -20 "$d/linegated.log" >&2
	return 1
}
capture() { # NAME FILTER -> pid; waits until tcpdump listens
	ip netns exec "$(lg_ns_name gwa)" timeout 120 tcpdump -n -U -i inet0 -w "$T/$1.pcap" "$2" \
		>"$T/$1.log" 2>&1 &
	LG_PIDS+=("$!")
	CAP_PID=$!
	lg_wait 10 grep -q "listening on" "$T/$1.log" || echo "warning: tcpdump did not report listening" >&2
}
captured() { tcpdump -n -r "$T/$1.pcap" 2>/dev/null | wc -l; }
# libpcap hands packets over in blocks (up to ~1 s): let the last ones land
stop_capture() { sleep 2; kill "$CAP_PID" 2>/dev/null; wait "$CAP_PID" 2>/dev/null; }
ping_ok() { lg_ping "$1" "$2" -c 1 -W 1 >/dev/null 2>&1; }
LEAK_FILTER="ip and (host $B_INET or host $B_CIRC or net 10.0.0.0/8)"

# ---- 1. the issue's configuration: refused everywhere, nothing leaves
conf bad shanghai CN 10.1.0.254 abroad "$B_INET" CN internet 0x1001 0x2001 "$KEY_BA" "$KEY_AB" \
	10.1.0.0/16 0.0.0.0/0 lab-b.corp.example
out=$(lg_ns gwa "$LINEGATED" --check-config "$T/bad/linegate.conf" 2>&1); rc=$?
echo "$out" > "$T/bad/check.log"
check "check-config refuses the static SA abroad over the Internet uplink (exit $rc)" test "$rc" -ne 0
check "check-config: cross_border_no_licensed_uplink, naming the static SA and the database region" \
	grep -q 'cross_border_no_licensed_uplink: static-sa "abroad" is cross-border (site CN, peer DE; declared CN, database DE' <<<"$out"
check "check-config's report lists the refused static SA as a violation" \
	grep -Eq '^abroad +198.51.100.1:4500 +cross-border +CN/DE/DE .*VIOLATION$' <<<"$out"
check "check-config: selector_default_route for 0.0.0.0/0" \
	grep -q 'selector_default_route: static-sa "abroad" remote subnet 0.0.0.0/0' <<<"$out"
for sel in ::/0 8.8.8.0/24; do
	conf sel shanghai CN 10.1.0.254 sel "$A_INET" CN internet 0x1001 0x2001 "$KEY_BA" "$KEY_AB" \
		10.1.0.0/16 "10.100.0.0/16, $sel" lab-b.corp.example
	check "check-config refuses a static SA with remote subnet $sel" \
		bash -c "! ip netns exec '$(lg_ns_name gwa)' '$LINEGATED' --check-config '$T/sel/linegate.conf' >'$T/sel/check.log' 2>&1"
done
conf id shanghai CN 10.1.0.254 id "$A_INET" CN internet 0x1001 0x2001 "$KEY_BA" "$KEY_AB" \
	10.1.0.0/16 10.100.0.0/16 lab.evilcorp.example
check "check-config refuses a static SA whose remote-id is not of the organisation" \
	bash -c "ip netns exec '$(lg_ns_name gwa)' '$LINEGATED' --check-config '$T/id/linegate.conf' 2>&1 | grep -q identity_foreign"

capture refused "$LEAK_FILTER and not arp"
lg_ns lana ping -n -i 0.2 -W 1 -c 25 "$HOST_B" > "$T/refused-ping.txt" 2>&1 &
LG_PIDS+=("$!")
lg_ns gwa timeout "$(lg_bound 20)" "$LINEGATED" -f -c "$T/bad/linegate.conf" </dev/null >"$T/bad/start.log" 2>&1; rc=$?
check "linegated refuses to start with it (exit $rc)" test "$rc" -ne 0 -a "$rc" -ne 124
check "the refusal is audited: compliance_refused, object abroad, cross_border_no_licensed_uplink" \
	audited bad abroad cross_border_no_licensed_uplink
check "the refusal is audited: selector_default_route" audited bad abroad selector_default_route
check "no lab_static_sa was installed" bash -c "! grep -rqs lab_static_sa '$T/bad/audit'"
check "no tunnel device left" bash -c "! ip -n $(lg_ns_name gwa) link show lgs0 >/dev/null 2>&1"
# 25 pings the LAN sent meanwhile followed gwa's default route (no tunnel, no
# SA); only the foreign endpoint counts here: the ESP must never have left.
stop_capture
n=$(tcpdump -n -r "$T/refused.pcap" "udp and host $B_INET" 2>/dev/null | wc -l)
check "capture on the Internet uplink: $n ESP/UDP packets to the foreign address while refused" test "$n" -eq 0

# ---- 2. over the licensed circuit: allowed
conf a shanghai CN 10.1.0.254 fra "$B_CIRC" DE ctc-circuit 0x1001 0x2001 "$KEY_BA" "$KEY_AB" \
	10.1.0.0/16 10.100.0.0/16 hq-gw.corp.example
conf b frankfurt DE 10.100.0.254 sha "$A_CIRC" CN ctc-circuit 0x2001 0x1001 "$KEY_AB" "$KEY_BA" \
	10.100.0.0/16 10.1.0.0/16 sh-gw.corp.example
out=$(lg_ns gwa "$LINEGATED" --check-config "$T/a/linegate.conf" 2>&1); rc=$?
check "check-config accepts the static SA over the licensed circuit (exit $rc)" test "$rc" -eq 0
check "check-config's report lists it: static SA fra, cross-border, ok" \
	grep -Eq '^fra +198.51.100.129:4500 +cross-border .*CTC-IPLC-SH-0042 .* ok$' <<<"$out"
start b gwb || lg_die "gwb did not start"
start a gwa || lg_die "gwa did not start"
check "Shanghai LAN reaches Frankfurt LAN over the static SA (within 20 s)" lg_wait 20 ping_ok lana "$HOST_B"
comp=$(ctl a --json compliance 2>&1)
echo "$comp" > "$T/a/compliance-up.json"
check "compliance --json lists the static SA fra: cross-border, compliant, on ctc-circuit, up" \
	python3 -c "import json,sys; d=json.loads(sys.argv[1]); s={x['name']:x for x in d['static_sas']}['fra']; assert s['kind']=='static-sa' and s['class']=='cross-border' and s['compliant'] and s['uplink']['name']=='ctc-circuit' and s['live']['tunnel_up'], s" "$comp"

# ---- 3. the route to the endpoint moves to the Internet uplink
capture moved "$LEAK_FILTER"
lg_ns lana timeout 200 ping -n -i 0.2 -W 1 "$HOST_B" > "$T/moved-ping.txt" 2>&1 &
PING_PID=$!
LG_PIDS+=("$PING_PID")
lg_ns gwa ip route replace "$B_CIRC/32" via "$B_INET" dev inet0
check "egress_mismatch audited for the static SA (within 10 s)" lg_wait 10 audited a fra egress_mismatch
check "the SA is gone from the datapath" lg_wait 10 bash -c "! '$LINEGATECTL' -s '$T/a/control.sock' sas | grep -q 00001001"
comp=$(ctl a --json compliance 2>&1)
check "compliance --json: fra is in violation (egress_mismatch), tunnel down" \
	python3 -c "import json,sys; d=json.loads(sys.argv[1]); s={x['name']:x for x in d['static_sas']}['fra']; assert not s['compliant'] and not s['live']['tunnel_up'] and s['violations'][0]['reason']=='egress_mismatch', s" "$comp"
sleep 3   # the LAN keeps pinging: ~15 packets that must all be held
check "pings to Frankfurt fail while the route is wrong" bash -c "! ip netns exec $(lg_ns_name lana) ping -c 2 -W 1 -q $HOST_B >/dev/null"
stop_capture
n=$(captured moved)
tcpdump -n -r "$T/moved.pcap" 2>/dev/null | head -20 > "$T/moved-leaks.txt"
check "capture on the Internet uplink: $n packets to the foreign endpoint or inner addresses" test "$n" -eq 0
capture control "icmp and host $B_CIRC"
lg_ns gwa ping -c 1 -W 2 "$B_CIRC" >/dev/null 2>&1
stop_capture
check "control: the same capture sees a ping to the endpoint by that route" test "$(captured control)" -ge 1

# ---- 4. the route comes back: the SA comes back
circuit_route
check "the static SA carries pings again once the route is fixed (within 10 s)" lg_wait 10 ping_ok lana "$HOST_B"
kill "$PING_PID" 2>/dev/null

if [ "$FAILS" -ne 0 ]; then
	echo "$FAILS check(s) failed; logs in $T"
	exit 1
fi
echo "all checks passed"
