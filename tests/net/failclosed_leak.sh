#!/bin/bash
# Fail closed means no plaintext: two sites, Shanghai (CN) with an ordinary
# Internet uplink that carries the default route and a licensed circuit to
# Frankfurt (DE, headquarters):
#
#   lana -- gwa  inet0 203.0.113.1  == inet (default route) ==  198.51.100.1 inet0  gwb -- lanb
#                circ0 203.0.113.129 ====== licensed circuit ====== 198.51.100.129 circ0
#
# A LAN ping flood to Frankfurt's LAN runs the whole time while the tunnel
# goes away every way it can: circuit link down, link flapping, `linegatectl
# down`, a clean stop of the daemon and a crash (kill -9). Captures on EVERY
# interface of gwa towards the outside (inet0, circ0) and on the underlay
# (the "inet" router's links) match the INNER addresses (LAN hosts, remote
# subnet): ESP shows only outer addresses, so any match is a packet in the
# clear. Asserts zero such packets, that the per-peer held counter
# (`linegatectl status`) and its per-interval audit summary rise, that the
# guard route outlives the daemon, and (control) that the same capture sees
# the leak as soon as the guard is removed by hand. Every site has an IPv4
# and an IPv6 (ULA) LAN, both carried by the tunnel and flooded side by
# side: each assertion holds for both families, and the control is made
# once per family, so an IPv6 leak cannot hide behind IPv4's guard.
# Bounded waits throughout; about 2 minutes. Needs root.
set -u
. "${LG_SOURCE_DIR:?}/tests/lib/netns.sh"
[ -x "${LINEGATED:-}" ] || { echo "SKIP: linegated not built" >&2; exit 77; }
[ -x "${LINEGATECTL:-}" ] || { echo "SKIP: linegatectl not built" >&2; exit 77; }
command -v tcpdump >/dev/null || { echo "SKIP: tcpdump missing" >&2; exit 77; }

A_INET=203.0.113.1 B_INET=198.51.100.1 A_CIRC=203.0.113.129 B_CIRC=198.51.100.129
HOST_A=10.1.1.10 HOST_B=10.100.1.10 HOST6_A=fd00:1::10 HOST6_B=fd00:100::10
PSK="fc-psk-shanghai-frankfurt-77e1"
INNER4="net 10.100.0.0/16 or net 10.1.0.0/16"   # LAN and remote subnet, in the clear
INNER6="net fd00:100::/48 or net fd00:1::/48"
INNER="$INNER4 or $INNER6"

T=$(mktemp -d /tmp/lgn-fc.XXXXXX)
chmod 700 "$T"
lg_ns_init lgn-fc-
trap 'rc=$?; lg_ns_cleanup; if [ $rc = 0 ] && [ -z "${LG_KEEP:-}" ]; then rm -rf "$T"; else echo "logs kept in $T" >&2; fi; exit $rc' EXIT
FAILS=0 PASSES=0
check() { if "${@:2}"; then echo "ok   - $1"; PASSES=$((PASSES + 1)); else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }

# ---- topology
for n in inet gwa gwb lana lanb; do lg_ns_add "$n"; done
lg_link gwa inet0 "$A_INET/28,2001:db8:a::1/64" inet a0 203.0.113.14/28,2001:db8:a::e/64
lg_link gwb inet0 "$B_INET/28,2001:db8:b::1/64" inet b0 198.51.100.14/28,2001:db8:b::e/64
lg_ns gwa ip route add default via 203.0.113.14
lg_ns gwb ip route add default via 198.51.100.14
lg_ns gwa ip -6 route add default via 2001:db8:a::e
lg_ns gwb ip -6 route add default via 2001:db8:b::e
# The Internet router would forward a leaked packet on: it knows the LANs.
lg_ns inet ip route add 10.100.0.0/16 via "$B_INET"
lg_ns inet ip route add 10.1.0.0/16 via "$A_INET"
lg_ns inet ip -6 route add fd00:100::/48 via 2001:db8:b::1
lg_ns inet ip -6 route add fd00:1::/48 via 2001:db8:a::1
lg_link gwa circ0 - gwb circ0 -
lg_ns gwa ip addr add "$A_CIRC/32" dev circ0
lg_ns gwb ip addr add "$B_CIRC/32" dev circ0
circuit_routes() {
	lg_ns gwa ip link set circ0 up
	lg_ns gwb ip link set circ0 up
	lg_ns gwa ip route replace "$B_CIRC/32" dev circ0 src "$A_CIRC"
	lg_ns gwb ip route replace "$A_CIRC/32" dev circ0 src "$B_CIRC"
}
circuit_routes
lg_link gwa la 10.1.1.1/24,fd00:1::1/64 lana eth0 "$HOST_A/24,$HOST6_A/64"
lg_link gwb lb 10.100.1.1/24,fd00:100::1/64 lanb eth0 "$HOST_B/24,$HOST6_B/64"
lg_ns lana ip route add default via 10.1.1.1
lg_ns lanb ip route add default via 10.100.1.1
lg_ns lana ip -6 route add default via fd00:1::1
lg_ns lanb ip -6 route add default via fd00:100::1
lg_ns gwa ping -c1 -W2 "$B_CIRC" >/dev/null || lg_die "circuit underlay does not work"
printf '203.0.113.0/24 CN\n198.51.100.0/24 DE\n' > "$T/regions.txt"

conf() { # DIR SITE REGION TUN-ADDR PEER ENDPOINT PEER-REGION LID RID LOCAL REMOTE MODE
	local d=$1
	mkdir -p "$d/audit"; chmod 700 "$d"
	( umask 077; printf '%s\n' "$PSK" > "$d/peer.psk" )
	cat <<EOF
site "$2" {
    region $3
    identity-domain "corp.example"
    internal-space 10.0.0.0/8, fd00::/8
}
compliance {
    licensed-carriers china-telecom, china-unicom, china-mobile
    region-db "$T/regions.txt"
}
tunnel {
    device lgf0
    address $4/32
    mtu 1400
}
audit {
    journal-dir "$d/audit"
    retention 180d
    flow-interval 2s
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
	hq-gw.corp.example "10.1.0.0/16, fd00:1::/48" "10.100.0.0/16, fd00:100::/48" both > "$T/a/linegate.conf"
conf "$T/b" frankfurt DE 10.100.0.254 shanghai "$A_CIRC" CN hq-gw.corp.example \
	sh-gw.corp.example "10.100.0.0/16, fd00:100::/48" "10.1.0.0/16, fd00:1::/48" responder > "$T/b/linegate.conf"

ctl() { local d=$1; shift; timeout "$(lg_bound 10)" "$LINEGATECTL" -s "$T/$d/control.sock" "$@"; }
start() { # SITE NS
	local d=$T/$1 i pid
	rm -f "$d/control.sock"
	# ip netns exec execs linegated: $! is the daemon itself (stop, crash)
	ip netns exec "$(lg_ns_name "$2")" "$LINEGATED" -f -c "$d/linegate.conf" </dev/null >>"$d/linegated.log" 2>&1 &
	pid=$!
	LG_PIDS+=("$pid")
	echo "$pid" > "$d/pid"
	for i in $(seq 1 100); do
		[ -S "$d/control.sock" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	tail -20 "$d/linegated.log" >&2
	return 1
}
fam() { case $1 in *:*) echo -6;; *) echo -4;; esac; }   # `ip route show` lists IPv4 unless told
ping4_ok() { lg_ns lana ping -q -n -c 1 -W 1 "$HOST_B" >/dev/null 2>&1; }
ping6_ok() { lg_ns lana ping -6 -q -n -c 1 -W 1 "$HOST6_B" >/dev/null 2>&1; }
ping_ok() { ping4_ok && ping6_ok; }
tunnel_up() { ctl a sas 2>/dev/null | grep -q frankfurt-hq; }
tunnel_down() { ! tunnel_up; }
held() { ctl a --json status 2>/dev/null | python3 -c "import json,sys; print(json.load(sys.stdin)['held_no_sa']['frankfurt-hq'])" 2>/dev/null || echo 0; }

start b gwb || lg_die "Frankfurt linegated did not start"
start a gwa || lg_die "Shanghai linegated did not start"
check "tunnel Shanghai-Frankfurt up and carrying IPv4 pings within 30 s" lg_wait 30 ping4_ok
check "the tunnel carries IPv6 pings (fd00:1::10 -> fd00:100::10) within 30 s" lg_wait 30 ping6_ok
check "gwa routes the IPv6 remote host into the TUN device (the captures see no clear text)" \
	bash -c "ip -n $(lg_ns_name gwa) -6 route get $HOST6_B | grep -q 'dev lgf0'"
for pfx in 10.100.0.0/16 fd00:100::/48; do
	check "the remote subnet $pfx's route is on the TUN device" \
		bash -c "ip -n $(lg_ns_name gwa) $(fam $pfx) route show $pfx | grep -q 'dev lgf0'"
	check "$pfx's guard: an unreachable route of proto 76 under it" \
		bash -c "ip -n $(lg_ns_name gwa) $(fam $pfx) route show $pfx proto 76 | grep -q unreachable"
done

# ---- captures on every outside interface of gwa and on the underlay
CAPS=()
capture() { # NS IF
	lg_ns "$1" timeout 400 tcpdump -n -U -i "$2" -w "$T/cap-$1-$2.pcap" "$INNER" >"$T/cap-$1-$2.log" 2>&1 &
	LG_PIDS+=("$!"); CAPS+=("$!")
	lg_wait 10 grep -q "listening on" "$T/cap-$1-$2.log" || echo "warning: tcpdump on $1/$2 not listening" >&2
}
capture gwa inet0; capture gwa circ0; capture inet a0; capture inet b0; capture gwb inet0
leaks() { local n=0 f; for f in "$T"/cap-*.pcap; do n=$((n + $(tcpdump -n -r "$f" 2>/dev/null | wc -l))); done; echo $n; }

lg_assert_test_target lana "$HOST_B"
lg_assert_test_target lana "$HOST6_B"
lg_ns lana timeout 400 ping -n -q -i 0.01 -W 1 "$HOST_B" > "$T/flood.txt" 2>&1 &
FLOOD=$!
LG_PIDS+=("$FLOOD")
lg_ns lana timeout 400 ping -6 -n -q -i 0.01 -W 1 "$HOST6_B" > "$T/flood6.txt" 2>&1 &
FLOOD6=$!
LG_PIDS+=("$FLOOD6")
sleep 1

# 1. circuit down (its route goes with it: the kernel would route by inet0)
h0=$(held)
lg_log "circuit down"
lg_ns gwa ip link set circ0 down
check "circuit down: Frankfurt SAs gone within 15 s" lg_wait 15 tunnel_down
egress=$(lg_ns gwa ip route get "$B_CIRC" | sed -n 's/.* dev \([^ ]*\).*/\1/p')
check "the kernel would route Frankfurt's circuit address by inet0 (a leak would show)" test "$egress" = inet0
egress6=$(lg_ns gwa ip -6 route get 2001:db8:b::1 | sed -n 's/.* dev \([^ ]*\).*/\1/p')
check "the kernel's IPv6 default route is inet0 (an IPv6 leak would show)" test "$egress6" = inet0
for h in "$HOST_B" "$HOST6_B"; do
	check "remote subnet of $h still routed into the TUN device with no SA" \
		bash -c "ip -n $(lg_ns_name gwa) route get $h | grep -q 'dev lgf0'"
done
held_above() { [ "$(held)" -gt "$1" ]; }
# the flood keeps knocking: wait for the counter to move, not a fixed time
lg_wait 20 held_above "$h0"
h1=$(held)
check "held counter rose while the circuit was down ($h0 -> $h1)" test "$h1" -gt "$h0"
check "linegatectl status (text) shows the held line" bash -c "'$LINEGATECTL' -s '$T/a/control.sock' status | grep -q 'held.*frankfurt-hq='"
check "zero plaintext packets so far ($(leaks))" test "$(leaks)" = 0

# 2. circuit back, then flapping
circuit_routes
check "circuit back: tunnel carries pings again within 60 s" lg_wait 60 ping_ok
lg_log "flapping"
for i in 1 2 3 4 5; do
	lg_ns gwa ip link set circ0 down; sleep 0.7
	circuit_routes; sleep 0.7
done
check "after flapping: tunnel carries pings within 60 s" lg_wait 60 ping_ok
check "zero plaintext packets after flapping ($(leaks))" test "$(leaks)" = 0

# 3. linegatectl down
h2=$(held)
lg_log "linegatectl down"
ctl a down frankfurt-hq >/dev/null 2>&1
check "linegatectl down: Frankfurt SAs gone within 10 s" lg_wait 10 tunnel_down
lg_wait 20 held_above "$h2"
h3=$(held)
check "held counter rose after linegatectl down ($h2 -> $h3)" test "$h3" -gt "$h2"
check "journal: packets_dropped per interval names the peer (held_no_sa)" \
	bash -c "grep -rhs '\"event\":\"packets_dropped\"' '$T/a/audit' | grep '\"peer\":\"frankfurt-hq\"' | grep -q held_no_sa"
n_rec=$(grep -rhs '"held_no_sa"' "$T/a/audit" | wc -l)
check "summarised, not per packet: $n_rec held records for $h3+ packets" test "$n_rec" -lt 40
ctl a up frankfurt-hq >/dev/null 2>&1
check "linegatectl up: tunnel back within 60 s" lg_wait 60 ping_ok

# 4. clean stop: the TUN device is gone, the guard holds the prefix
lg_log "clean stop"
kill -TERM "$(cat "$T/a/pid")"
gone() { ! kill -0 "$(cat "$T/a/pid")" 2>/dev/null; }
check "Shanghai linegated stopped within 20 s" lg_wait 20 gone
for pfx in 10.100.0.0/16 fd00:100::/48; do
	check "after a stop the guard route of $pfx remains" \
		bash -c "ip -n $(lg_ns_name gwa) $(fam $pfx) route show $pfx | grep -q '^unreachable'"
done
for h in "$HOST_B" "$HOST6_B"; do
	check "after a stop a LAN packet to $h is refused (unreachable)" bash -c "! ip -n $(lg_ns_name gwa) route get $h >/dev/null 2>&1"
done
sleep 3
check "zero plaintext packets after a clean stop ($(leaks))" test "$(leaks)" = 0

# 5. restart, then crash
start a gwa || lg_die "Shanghai linegated did not restart"
check "after a restart the tunnel carries pings within 60 s" lg_wait 60 ping_ok
lg_log "crash (kill -9)"
kill -9 "$(cat "$T/a/pid")"
lg_wait 10 gone
sleep 3
for pfx in 10.100.0.0/16 fd00:100::/48; do
	check "after a crash the guard route of $pfx remains" \
		bash -c "ip -n $(lg_ns_name gwa) $(fam $pfx) route show $pfx | grep -q '^unreachable'"
done
check "zero plaintext packets after a crash ($(leaks))" test "$(leaks)" = 0
start a gwa || lg_die "Shanghai linegated did not restart after the crash"
check "after the crash a restart brings the tunnel back within 60 s" lg_wait 60 ping_ok
n_guard=$(ip -n "$(lg_ns_name gwa)" route show proto 76 | wc -l)
n_guard6=$(ip -n "$(lg_ns_name gwa)" -6 route show proto 76 | wc -l)
check "one guard route per family, not one per start ($n_guard, $n_guard6)" test "$n_guard.$n_guard6" = 1.1

# 6. peer removed from the configuration: its route and guard go on reload
sed -i 's/^peer "frankfurt-hq"/peer "frankfurt-old"/' "$T/a/linegate.conf"
sed -i 's|remote-subnets 10.100.0.0/16|remote-subnets 10.100.0.0/17|' "$T/a/linegate.conf"
check "reload with the remote subnet changed" ctl a reload
check "the old prefix's guard is gone, the new one installed" bash -c \
	"! ip -n $(lg_ns_name gwa) route show 10.100.0.0/16 proto 76 | grep -q . && ip -n $(lg_ns_name gwa) route show 10.100.0.0/17 proto 76 | grep -q unreachable"

total=$(leaks)
for p in "${CAPS[@]}"; do kill "$p" 2>/dev/null; done
wait "${CAPS[@]}" 2>/dev/null
total=$(leaks)
for f in "$T"/cap-*.pcap; do tcpdump -n -r "$f" 2>/dev/null | head -5; done > "$T/leaks.txt"
check "captures on inet0, circ0, the underlay and HQ's uplink: zero packets with LAN/remote-subnet addresses ($total)" \
	test "$total" = 0
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$T/flood.txt")
echo "figure: plaintext packets in the clear on every uplink and the underlay: $total; packets held and counted: $(held) since the last reload"

# ---- control: without the guard and the daemon, the same capture sees the leak
kill -TERM "$(cat "$T/a/pid")"; lg_wait 20 gone
lg_ns gwa ip route flush proto 76
lg_ns gwa ip -6 route flush proto 76
control() { # NAME FILTER: one packet matching FILTER leaves by inet0
	lg_ns gwa timeout "$(lg_bound 15)" tcpdump -n -U -c 1 -i inet0 -w "$T/control-$1.pcap" "$2" >"$T/control-$1.log" 2>&1 &
	local c=$!
	LG_PIDS+=("$c")
	lg_wait 10 grep -q "listening on" "$T/control-$1.log"
	wait "$c" 2>/dev/null
	test "$(tcpdump -n -r "$T/control-$1.pcap" 2>/dev/null | wc -l)" -ge 1
}
check "control: with the guard removed the capture does see IPv4 LAN packets leave by inet0" \
	control 4 "$INNER4"
check "control: with the guard removed the capture does see IPv6 LAN packets leave by inet0" \
	control 6 "ip6 and ($INNER6)"
kill "$FLOOD" "$FLOOD6" 2>/dev/null

for s in a b; do
	grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$T/$s/linegated.log" 2>/dev/null &&
		check "no sanitizer report in site $s" false
done
if [ "$FAILS" -gt 0 ]; then
	for s in a b; do echo "--- linegated $s (last 25 lines)"; tail -25 "$T/$s/linegated.log"; done
	echo "--- leaks:"; cat "$T/leaks.txt"
fi
echo "failclosed_leak: $PASSES passed, $FAILS failed"
[ "$FAILS" = 0 ]
