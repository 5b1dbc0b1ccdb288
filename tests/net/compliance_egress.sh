#!/bin/bash
# Routes are watched and egress is judged on interface AND source address:
#
#   lana -- gwa  inet0 203.0.113.1  == inet (default route) ==  198.51.100.1 inet0  gwb -- lanb
#                circ0 203.0.113.129 ====== licensed circuit ====== 198.51.100.129 circ0
#
# Config time: a licensed circuit on the Internet uplink's interface is
# refused (check-config and start, audited). Then Shanghai's circuit uplink
# names its source address and, with the tunnel up:
#  1. the route to Frankfurt's circuit address moves to the Internet uplink
#     while the circuit link stays up: the SA is torn down within bounds and
#     audited (compliance_refused and ike_sa_down with egress_mismatch, the
#     expected and the actual interface); a capture on the Internet uplink
#     sees nothing for the foreign address nor the inner addresses;
#  2. `linegatectl up` meanwhile is refused, no SA;
#  3. the route is fixed: the tunnel is back promptly (route watch, no
#     back-off), also after the refused `up`;
#  4. the route stays on the circuit's interface but with another source
#     address: egress_mismatch again (interface alone is not enough);
#  5. fixed again: back again.
# Prints the time to tear down and to come back. Bounded waits; needs root.
set -u
. "${LG_SOURCE_DIR:?}/tests/lib/netns.sh"
[ -x "${LINEGATED:-}" ] || { echo "SKIP: linegated not built" >&2; exit 77; }
[ -x "${LINEGATECTL:-}" ] || { echo "SKIP: linegatectl not built" >&2; exit 77; }
command -v tcpdump >/dev/null || { echo "SKIP: tcpdump missing" >&2; exit 77; }

A_INET=203.0.113.1 B_INET=198.51.100.1 A_CIRC=203.0.113.129 A_CIRC2=203.0.113.130 B_CIRC=198.51.100.129
HOST_A=10.1.1.10 HOST_B=10.100.1.10
PSK="eg-psk-shanghai-frankfurt-0c3a"

T=$(mktemp -d /tmp/lgn-eg.XXXXXX)
chmod 700 "$T"
lg_ns_init lgn-eg-
trap 'rc=$?; lg_ns_cleanup; if [ $rc = 0 ] && [ -z "${LG_KEEP:-}" ]; then rm -rf "$T"; else echo "logs kept in $T" >&2; fi; exit $rc' EXIT
FAILS=0 PASSES=0
check() { if "${@:2}"; then echo "ok   - $1"; PASSES=$((PASSES + 1)); else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }

for n in inet gwa gwb lana lanb; do lg_ns_add "$n"; done
lg_link gwa inet0 "$A_INET/28" inet a0 203.0.113.14/28
lg_link gwb inet0 "$B_INET/28" inet b0 198.51.100.14/28
lg_ns gwa ip route add default via 203.0.113.14
lg_ns gwb ip route add default via 198.51.100.14
lg_link gwa circ0 - gwb circ0 -
lg_ns gwa ip addr add "$A_CIRC/32" dev circ0
lg_ns gwa ip addr add "$A_CIRC2/32" dev circ0
lg_ns gwb ip addr add "$B_CIRC/32" dev circ0
circuit_route() { lg_ns gwa ip route replace "$B_CIRC/32" dev circ0 src "$A_CIRC"; }
circuit_route
lg_ns gwb ip route replace "$A_CIRC/32" dev circ0 src "$B_CIRC"
lg_ns gwb ip route replace "$A_CIRC2/32" dev circ0 src "$B_CIRC"
lg_link gwa la 10.1.1.1/24 lana eth0 "$HOST_A/24"
lg_link gwb lb 10.100.1.1/24 lanb eth0 "$HOST_B/24"
lg_ns lana ip route add default via 10.1.1.1
lg_ns lanb ip route add default via 10.100.1.1
lg_ns gwa ping -c1 -W2 "$B_CIRC" >/dev/null || lg_die "circuit underlay does not work"
printf '203.0.113.0/24 CN\n198.51.100.0/24 DE\n' > "$T/regions.txt"

conf() { # DIR SITE REGION TUN-ADDR PEER ENDPOINT PEER-REGION LID RID LOCAL REMOTE MODE SOURCE
	local d=$1
	mkdir -p "$d/audit"; chmod 700 "$d"
	( umask 077; printf '%s\n' "$PSK" > "$d/peer.psk" )
	cat <<EOF
site "$2" {
    region $3
    identity-domain "corp.example"
    internal-space 10.0.0.0/8
}
compliance {
    licensed-carriers china-telecom, china-unicom, china-mobile
    region-db "$T/regions.txt"
}
tunnel {
    device lge0
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
uplink "internet" {
    interface inet0
}
uplink "ctc-circuit" {
    interface circ0
    source ${13}
    carrier china-telecom
    circuit-id "CTC-IPLC-SH-0042"
    licensed yes
}
peer "$5" {
    endpoint $6
    region $7
    uplink ctc-circuit
    local-id $8
    remote-id $9
    auth psk
    psk-file "$d/peer.psk"
    local-subnets ${10}
    remote-subnets ${11}
    ike-proposals chacha20poly1305-prfsha256-x25519
    esp-proposals chacha20poly1305
    dpd 2s
    mode ${12}
}
EOF
}
mkdir -p "$T/a" "$T/b"
conf "$T/a" shanghai CN 10.1.0.254 frankfurt-hq "$B_CIRC" DE sh-gw.corp.example \
	hq-gw.corp.example 10.1.0.0/16 10.100.0.0/16 both "$A_CIRC" > "$T/a/linegate.conf"
conf "$T/b" frankfurt DE 10.100.0.254 shanghai "$A_CIRC" CN hq-gw.corp.example \
	sh-gw.corp.example 10.100.0.0/16 10.1.0.0/16 responder "$B_CIRC" > "$T/b/linegate.conf"

# ---- 0. config time: a "licensed circuit" on the Internet uplink's interface
mkdir -p "$T/bad"
sed -e 's/^    interface circ0$/    interface inet0/' -e "s|$T/a/|$T/bad/|g" "$T/a/linegate.conf" > "$T/bad/linegate.conf"
mkdir -p "$T/bad/audit"; chmod 700 "$T/bad"; cp "$T/a/peer.psk" "$T/bad/peer.psk"
line=$(grep -n '^    interface inet0$' "$T/bad/linegate.conf" | sed -n 2p | cut -d: -f1)
out=$("$LINEGATED" --check-config "$T/bad/linegate.conf" 2>&1); rc=$?
echo "$out" > "$T/bad/check.log"
check "check-config refuses a licensed circuit sharing the Internet uplink's interface (exit $rc)" test "$rc" -ne 0
check "... with reason circuit_shared_interface at the interface value ($line:15)" \
	grep -q "linegate.conf:$line:15: .*circuit_shared_interface" <<<"$out"
lg_ns gwa timeout "$(lg_bound 20)" "$LINEGATED" -f -c "$T/bad/linegate.conf" </dev/null >"$T/bad/start.log" 2>&1; rc=$?
check "linegated refuses to start with it (exit $rc)" test "$rc" -ne 0 -a "$rc" -ne 124
check "the refusal at start is audited with its reason code" \
	bash -c "grep -rhs '\"event\":\"compliance_refused\"' '$T/bad/audit' | grep -q circuit_shared_interface"

ctl() { local d=$1; shift; timeout "$(lg_bound 10)" "$LINEGATECTL" -s "$T/$d/control.sock" "$@"; }
start() { # SITE NS
	local d=$T/$1 i pid
	rm -f "$d/control.sock"
	ip netns exec "$(lg_ns_name "$2")" "$LINEGATED" -f -c "$d/linegate.conf" </dev/null >>"$d/linegated.log" 2>&1 &
	pid=$!
	LG_PIDS+=("$pid")
	for i in $(seq 1 100); do
		[ -S "$d/control.sock" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	tail -20 "$d/linegated.log" >&2
	return 1
}
ping_ok() { lg_ns lana ping -q -n -c 1 -W 1 "$HOST_B" >/dev/null 2>&1; }
tunnel_up() { ctl a sas 2>/dev/null | grep -q frankfurt-hq; }
tunnel_down() { ! tunnel_up; }
now() { date +%s.%N; }
ms() { python3 -c "print(int((float('$2') - float('$1')) * 1000))"; }
refusals() { grep -rhs '"event":"compliance_refused","object":"frankfurt-hq"' "$T/a/audit" | grep -c '"reason":"egress_mismatch"'; }

start b gwb || lg_die "Frankfurt linegated did not start"
start a gwa || lg_die "Shanghai linegated did not start"
check "tunnel up and carrying pings within 30 s" lg_wait 30 ping_ok

lg_ns gwa timeout 300 tcpdump -n -U -i inet0 -w "$T/inet0.pcap" \
	"host $B_CIRC or net 10.100.0.0/16 or net 10.1.0.0/16" >"$T/tcpdump.log" 2>&1 &
CAP=$!
LG_PIDS+=("$CAP")
lg_wait 10 grep -q "listening on" "$T/tcpdump.log" || echo "warning: tcpdump not listening" >&2
lg_assert_test_target lana "$HOST_B"
lg_ns lana timeout 300 ping -n -q -i 0.05 -W 1 "$HOST_B" > "$T/ping.txt" 2>&1 &
LG_PIDS+=("$!")

# ---- 1. route to the peer moves to the Internet uplink, circuit link up
lg_log "route to Frankfurt moved to inet0"
t0=$(now)
lg_ns gwa ip route replace "$B_CIRC/32" via 203.0.113.14 dev inet0
check "SA torn down within 10 s of the route move (circuit link still up)" lg_wait 10 tunnel_down
t1=$(now)
echo "figure: route moved to the Internet uplink -> SA torn down in $(ms "$t0" "$t1") ms (poll bound)"
check "circuit link still up" bash -c "ip -n $(lg_ns_name gwa) link show circ0 | grep -q 'state UP'"
check "audit: compliance_refused egress_mismatch with expected circ0 and actual inet0" \
	lg_wait 5 bash -c "grep -rhs '\"event\":\"compliance_refused\",\"object\":\"frankfurt-hq\"' '$T/a/audit' | grep '\"reason\":\"egress_mismatch\"' | grep '\"expected\":\"circ0\"' | grep -q '\"egress\":\"inet0\"'"
check "audit: ike_sa_down with reason egress_mismatch" \
	bash -c "grep -rhs '\"event\":\"ike_sa_down\",\"object\":\"frankfurt-hq\"' '$T/a/audit' | grep -q '\"reason\":\"egress_mismatch\"'"
sleep 3

# ---- 2. linegatectl up meanwhile: refused
ctl a up frankfurt-hq > "$T/up.txt" 2>&1
sleep 2
check "linegatectl up while the route is wrong: still no SA" tunnel_down
n_ref=$(refusals)

# ---- 3. route fixed: back at once
lg_log "route fixed"
t2=$(now)
circuit_route
check "route fixed: tunnel back within 20 s (no back-off)" lg_wait 20 tunnel_up
t3=$(now)
echo "figure: route fixed -> SA established in $(ms "$t2" "$t3") ms (poll bound)"
check "pings cross again" lg_wait 20 ping_ok

# ---- 4. same interface, another source address
lg_log "route via circ0 from another source"
lg_ns gwa ip route replace "$B_CIRC/32" dev circ0 src "$A_CIRC2"
check "route from source $A_CIRC2 instead of $A_CIRC: SA torn down within 10 s" lg_wait 10 tunnel_down
check "audit: the source mismatch is egress_mismatch naming both addresses" \
	lg_wait 5 bash -c "grep -rhs '\"event\":\"compliance_refused\",\"object\":\"frankfurt-hq\"' '$T/a/audit' | grep '\"egress_source\":\"$A_CIRC2\"' | grep -q 'not from source $A_CIRC'"
circuit_route
check "source fixed: tunnel back within 20 s" lg_wait 20 tunnel_up
check "pings cross again" lg_wait 20 ping_ok
n_ref2=$(refusals)
check "refusals audited per judgement, not per route message ($n_ref2)" test "$n_ref2" -lt 20

kill "$CAP" 2>/dev/null; wait "$CAP" 2>/dev/null
n=$(tcpdump -n -r "$T/inet0.pcap" 2>/dev/null | wc -l)
tcpdump -n -r "$T/inet0.pcap" 2>/dev/null | head -10 > "$T/inet0-seen.txt"
check "capture on the Internet uplink: nothing for Frankfurt's address nor the inner addresses ($n)" test "$n" = 0

grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$T/a/linegated.log" "$T/b/linegated.log" 2>/dev/null &&
	check "no sanitizer report" false
if [ "$FAILS" -gt 0 ]; then
	for s in a b; do echo "--- linegated $s (last 30 lines)"; tail -30 "$T/$s/linegated.log"; done
	echo "--- seen on inet0:"; cat "$T/inet0-seen.txt"
fi
echo "compliance_egress: $PASSES passed, $FAILS failed"
[ "$FAILS" = 0 ]
