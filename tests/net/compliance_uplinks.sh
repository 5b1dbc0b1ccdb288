#!/bin/bash
# Compliance guardrails end to end, three linegated in network namespaces:
#
#   lana -- gwa (Shanghai, CN)  inet0 203.0.113.1  == inet ==  198.51.100.1 inet0  gwb (Frankfurt, DE) -- lanb
#                               circ0 203.0.113.129 ======= licensed circuit ======= 198.51.100.129 circ0
#   lanc -- gwc (Beijing, CN)   inet0 203.0.113.17 == inet
#
# The region database says 203.0.113/24 CN, 198.51.100/24 DE (agreeing with
# the declarations). Asserts, in order:
#  1. a cross-border peer configured over the Internet uplink is refused by
#     `linegated --check-config` and at start (non-zero exit, audited as
#     compliance_refused);
#  2. over the licensed circuit the Shanghai-Frankfurt tunnel comes up (IKEv2,
#     PSK) and carries pings; the domestic Shanghai-Beijing tunnel over the
#     Internet uplink too; `linegatectl compliance --json` classifies both;
#  3. the circuit link goes down: a capture on Shanghai's Internet uplink sees
#     zero packets to any Frankfurt address, the Frankfurt SAs are gone
#     (linegatectl sas), the audit journal says why, LAN pings to Frankfurt fail;
#  4. the link comes back without its route (the route to Frankfurt now
#     leaves by inet0): still no tunnel (egress_mismatch audited), and the
#     capture over steps 3-4 holds zero packets; a control ping proves the
#     capture would see one;
#  5. the route comes back: the tunnel is re-established and carries pings;
#  6. the domestic tunnel carried pings throughout (background ping, <= 1 lost);
#  7. the region database is re-read on reload: placing Beijing's address in
#     HK makes the reload fail (stricter answer wins), the old config stays.
# Bounded: every wait has a timeout; about 1-2 minutes. Needs root.
set -u
. "${LG_SOURCE_DIR:?}/tests/lib/netns.sh"
[ -x "${LINEGATED:-}" ] || { echo "SKIP: linegated not built" >&2; exit 77; }
[ -x "${LINEGATECTL:-}" ] || { echo "SKIP: linegatectl not built" >&2; exit 77; }
command -v tcpdump >/dev/null || { echo "SKIP: tcpdump missing" >&2; exit 77; }

A_INET=203.0.113.1 C_INET=203.0.113.17 B_INET=198.51.100.1
A_CIRC=203.0.113.129 B_CIRC=198.51.100.129
HOST_A=10.1.1.10 HOST_B=10.100.1.10 HOST_C=10.2.1.10
PSK_AB="cmp-psk-shanghai-frankfurt-4f1c" PSK_AC="cmp-psk-shanghai-beijing-93d2"

T=$(mktemp -d /tmp/lgn-cmp.XXXXXX)
chmod 700 "$T"
lg_ns_init lgn-cmp-
trap 'rc=$?; lg_ns_cleanup; if [ $rc = 0 ] && [ -z "${LG_KEEP:-}" ]; then rm -rf "$T"; else echo "logs kept in $T" >&2; fi; exit $rc' EXIT
FAILS=0
PASSES=0
check() { # check "what" command...
	if "${@:2}"; then echo "ok   - $1"; PASSES=$((PASSES + 1)); else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi
}

# ---- topology
for n in inet gwa gwb gwc lana lanb lanc; do lg_ns_add "$n"; done
lg_link gwa inet0 "$A_INET/28" inet a0 203.0.113.14/28
lg_link gwc inet0 "$C_INET/28" inet c0 203.0.113.30/28
lg_link gwb inet0 "$B_INET/28" inet b0 198.51.100.14/28
lg_ns gwa ip route add default via 203.0.113.14
lg_ns gwc ip route add default via 203.0.113.30
lg_ns gwb ip route add default via 198.51.100.14
# The circuit: a point-to-point link with one address of each site.
lg_link gwa circ0 - gwb circ0 -
lg_ns gwa ip addr add "$A_CIRC/32" dev circ0
lg_ns gwb ip addr add "$B_CIRC/32" dev circ0
circuit_routes() {
	lg_ns gwa ip route replace "$B_CIRC/32" dev circ0 src "$A_CIRC"
	lg_ns gwb ip route replace "$A_CIRC/32" dev circ0 src "$B_CIRC"
}
circuit_routes
lg_link gwa la 10.1.1.1/24 lana eth0 "$HOST_A/24"
lg_link gwb lb 10.100.1.1/24 lanb eth0 "$HOST_B/24"
lg_link gwc lc 10.2.1.1/24 lanc eth0 "$HOST_C/24"
lg_ns lana ip route add default via 10.1.1.1
lg_ns lanb ip route add default via 10.100.1.1
lg_ns lanc ip route add default via 10.2.1.1
lg_ns gwa ping -c1 -W2 "$B_CIRC" >/dev/null || lg_die "circuit underlay does not work"
lg_ns gwa ping -c1 -W2 "$C_INET" >/dev/null || lg_die "internet underlay does not work"

printf '203.0.113.0/24 CN\n198.51.100.0/24 DE\n' > "$T/regions.txt"

# ---- configurations (conf/linegate.conf.example syntax)
# conf_site DIR NAME REGION TUN-ADDR: site, compliance, audit, control blocks.
conf_common() {
	local d=$1
	mkdir -p "$d/audit"
	chmod 700 "$d"
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
    device lgc0
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
EOF
}

# peer_block NAME ENDPOINT REGION UPLINK LOCAL-ID REMOTE-ID PSK-FILE LOCAL REMOTE MODE
peer_block() {
	cat <<EOF
peer "$1" {
    endpoint $2
    region $3
    uplink $4
    local-id $5
    remote-id $6
    auth psk
    psk-file "$7"
    local-subnets $8
    remote-subnets $9
    ike-proposals chacha20poly1305-prfsha256-x25519
    esp-proposals chacha20poly1305
    dpd 2s
    mode ${10}
}
EOF
}

psk() { ( umask 077; printf '%s\n' "$2" > "$1" ); }

CIRCUIT_UPLINK='uplink "ctc-circuit" {
    interface circ0
    carrier china-telecom
    circuit-id "CTC-IPLC-SH-0042"
    licensed yes
}'

mkdir -p "$T/a" "$T/b" "$T/c" "$T/bad"
psk "$T/a/fra.psk" "$PSK_AB"; psk "$T/b/sha.psk" "$PSK_AB"
psk "$T/a/bj.psk" "$PSK_AC"; psk "$T/c/sha.psk" "$PSK_AC"
psk "$T/bad/fra.psk" "$PSK_AB"

{
	conf_common "$T/a" shanghai CN 10.1.0.254
	printf 'uplink "internet" {\n    interface inet0\n}\n%s\n' "$CIRCUIT_UPLINK"
	peer_block frankfurt-hq "$B_CIRC" DE ctc-circuit sh-gw.corp.example hq-gw.corp.example \
		"$T/a/fra.psk" 10.1.0.0/16 10.100.0.0/16 both
	peer_block beijing "$C_INET" CN internet sh-gw.corp.example bj-gw.corp.example \
		"$T/a/bj.psk" 10.1.0.0/16 10.2.0.0/16 both
} > "$T/a/linegate.conf"
{
	conf_common "$T/b" frankfurt DE 10.100.0.254
	printf 'uplink "internet" {\n    interface inet0\n}\n%s\n' "$CIRCUIT_UPLINK"
	peer_block shanghai "$A_CIRC" CN ctc-circuit hq-gw.corp.example sh-gw.corp.example \
		"$T/b/sha.psk" 10.100.0.0/16 10.1.0.0/16 responder
} > "$T/b/linegate.conf"
{
	conf_common "$T/c" beijing CN 10.2.0.254
	printf 'uplink "internet" {\n    interface inet0\n}\n'
	peer_block shanghai "$A_INET" CN internet bj-gw.corp.example sh-gw.corp.example \
		"$T/c/sha.psk" 10.2.0.0/16 10.1.0.0/16 responder
} > "$T/c/linegate.conf"
# Shanghai's illegal variant: Frankfurt over the ordinary Internet uplink.
{
	conf_common "$T/bad" shanghai CN 10.1.0.254
	printf 'uplink "internet" {\n    interface inet0\n}\n%s\n' "$CIRCUIT_UPLINK"
	peer_block frankfurt-hq "$B_INET" DE internet sh-gw.corp.example hq-gw.corp.example \
		"$T/bad/fra.psk" 10.1.0.0/16 10.100.0.0/16 both
} > "$T/bad/linegate.conf"

ctl() { local d=$1; shift; timeout "$(lg_bound 10)" "$LINEGATECTL" -s "$T/$d/control.sock" "$@"; }
journal_has() { grep -rqs -- "$2" "$T/$1/audit"; }

# start SITE NS: linegated in NS with $T/SITE/linegate.conf; waits for the socket.
start() {
	local d=$T/$1 i pid
	rm -f "$d/control.sock"
	lg_ns "$2" timeout -k 3 600 "$LINEGATED" -f -c "$d/linegate.conf" </dev/null >"$d/linegated.log" 2>&1 &
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

# ---- 1. refusal of the illegal configuration
out=$(lg_ns gwa "$LINEGATED" --check-config "$T/bad/linegate.conf" 2>&1); rc=$?
echo "$out" > "$T/bad/check.log"
check "check-config refuses Frankfurt over the Internet uplink (exit $rc)" test "$rc" -ne 0
check "the refusal gives the reason code cross_border_no_licensed_uplink" \
	grep -q "cross_border_no_licensed_uplink" <<<"$out"
check "the refusal names peer, uplink and regions" \
	grep -q 'peer "frankfurt-hq" is cross-border (site CN, peer DE) but uplink "internet" (inet0)' <<<"$out"
# on each gateway (its interfaces and addresses are checked)
check "check-config accepts the legal Shanghai config" lg_ns gwa "$LINEGATED" --check-config "$T/a/linegate.conf"
check "check-config accepts Frankfurt's config" lg_ns gwb "$LINEGATED" --check-config "$T/b/linegate.conf"
check "check-config accepts Beijing's config" lg_ns gwc "$LINEGATED" --check-config "$T/c/linegate.conf"

lg_ns gwa timeout "$(lg_bound 20)" "$LINEGATED" -f -c "$T/bad/linegate.conf" </dev/null >"$T/bad/start.log" 2>&1; rc=$?
check "linegated refuses to start with it (exit $rc)" test "$rc" -ne 0 -a "$rc" -ne 124
check "the refusal at start is audited (compliance_refused)" journal_has bad compliance_refused
check "the audit record carries the reason code" journal_has bad cross_border_no_licensed_uplink

# ---- 2. legal configuration: tunnels up
start b gwb || lg_die "Frankfurt linegated did not start"
start c gwc || lg_die "Beijing linegated did not start"
start a gwa || lg_die "Shanghai linegated did not start"

ping_ok() { lg_ping "$1" "$2" -c 1 -W 1 >/dev/null 2>&1; }
check "Shanghai LAN reaches Frankfurt LAN over the circuit (tunnel up within 30 s)" \
	lg_wait 30 ping_ok lana "$HOST_B"
check "Frankfurt LAN reaches Shanghai LAN" ping_ok lanb "$HOST_A"
check "Shanghai LAN reaches Beijing LAN over the Internet uplink" lg_wait 30 ping_ok lana "$HOST_C"
check "3 of 3 pings Shanghai->Frankfurt" lg_ping lana "$HOST_B" -c 3 -W 2 -i 0.3
sas_before=$(ctl a sas 2>&1)
echo "$sas_before" > "$T/a/sas-before.txt"
check "linegatectl sas lists the Frankfurt SA" grep -q "frankfurt-hq" <<<"$sas_before"

comp=$(ctl a --json compliance 2>&1)
echo "$comp" > "$T/a/compliance-up.json"
pyq() { python3 -c "import json,sys; d=json.load(open('$T/a/compliance-up.json')); p={x['name']:x for x in d['peers']}; $1"; }
check "compliance --json: Frankfurt cross-border over ctc-circuit CTC-IPLC-SH-0042, compliant, tunnel up" \
	pyq "f=p['frankfurt-hq']; assert f['class']=='cross-border' and f['uplink']['circuit_id']=='CTC-IPLC-SH-0042' and f['compliant'] and f['live']['tunnel_up'] and f['live']['egress']=='circ0', f"
check "compliance --json: Beijing domestic over the Internet uplink" \
	pyq "b=p['beijing']; assert b['class']=='domestic' and b['uplink']['name']=='internet' and b['compliant'], b"
ctl a compliance > "$T/a/compliance-up.txt" 2>&1; rc=$?
check "compliance exits 0 while no violation stands (got $rc)" test "$rc" = 0

# ---- 3. the circuit goes down: fail closed
# Domestic traffic runs in the background through steps 3 and 4.
lg_assert_test_target lana "$HOST_C"
lg_ns lana timeout 200 ping -n -O -i 0.2 -W 1 "$HOST_C" > "$T/domestic-ping.txt" 2>&1 &
DOM_PID=$!
LG_PIDS+=("$DOM_PID")
lg_ns gwa timeout 120 tcpdump -n -U -i inet0 -w "$T/inet0.pcap" \
	"host $B_CIRC or host $B_INET or host 198.51.100.14" >"$T/tcpdump.log" 2>&1 &
TCPDUMP_PID=$!
LG_PIDS+=("$TCPDUMP_PID")
lg_wait 10 grep -q "listening on" "$T/tcpdump.log" || echo "warning: tcpdump did not report listening" >&2
sleep 0.5

lg_log "circuit link down"
T_DOWN=$(date +%s.%N)
lg_ns gwa ip link set circ0 down
# Traffic towards Frankfurt keeps being offered while the circuit is down.
lg_ns lana timeout 60 ping -n -i 0.2 -c 100 -W 1 "$HOST_B" > "$T/xborder-ping-down.txt" 2>&1 &
XB_PID=$!
LG_PIDS+=("$XB_PID")
no_fra_sa() { ! ctl a sas 2>/dev/null | grep -q "frankfurt-hq"; }
check "Frankfurt SAs gone from linegatectl sas within 15 s" lg_wait 15 no_fra_sa
egress() { lg_ns gwa ip route get "$1" 2>/dev/null | sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -1; }
check "the kernel would now route Frankfurt's circuit address via inet0 (so a leak would show)" \
	test "$(egress "$B_CIRC")" = inet0
sleep 6   # DPD (2s), retransmits and re-initiation attempts would show by now
ctl a sas > "$T/a/sas-down.txt" 2>&1
ctl a compliance > "$T/a/compliance-down.txt" 2>&1; rc=$?
check "compliance shows uplink_down for Frankfurt" grep -q "violation uplink_down" "$T/a/compliance-down.txt"
check "compliance exits 1 while the violation stands (got $rc; Nagios/Zabbix read it)" test "$rc" = 1
ctl a --json compliance > "$T/a/compliance-down.json" 2>/dev/null; rc=$?
check "compliance --json: exit 1 too, the report on stdout" \
	bash -c "test $rc = 1 && python3 -m json.tool '$T/a/compliance-down.json' >/dev/null"
timeout 10 "$LINEGATECTL" -c "$T/a/nonexistent.conf" compliance >/dev/null 2>&1; rc=$?
check "compliance exits 2 when no report can be made (got $rc)" test "$rc" = 2
timeout 10 "$LINEGATECTL" -c "$T/bad/linegate.conf" compliance >"$T/bad/static-report.txt" 2>&1; rc=$?
check "static report (no daemon) of the illegal file: exit 1 (got $rc)" \
	bash -c "test $rc = 1 && grep -q 'daemon not running: static report' '$T/bad/static-report.txt'"
check "journal: the circuit went down (uplink_down event for ctc-circuit)" \
	journal_has a '"event":"uplink_down","object":"ctc-circuit"'
check "journal: compliance_refused for frankfurt-hq with reason uplink_down" \
	bash -c "grep -rhs '\"event\":\"compliance_refused\",\"object\":\"frankfurt-hq\"' '$T/a/audit' | grep -q '\"reason\":\"uplink_down\"'"
check "journal: Frankfurt's CHILD SA and IKE SA taken down" \
	bash -c "grep -rqs '\"event\":\"child_sa_down\",\"object\":\"frankfurt-hq\"' '$T/a/audit' && grep -rqs '\"event\":\"ike_sa_down\",\"object\":\"frankfurt-hq\"' '$T/a/audit'"

# Figure: link down -> Frankfurt's CHILD SA removed (journal time stamps).
python3 - "$T_DOWN" "$T/a/audit" <<'PY' || true
import datetime, glob, json, sys
t0 = float(sys.argv[1])
for path in sorted(glob.glob(sys.argv[2] + "/*.jsonl")):
    for line in open(path):
        r = json.loads(line)
        if r.get("event") == "child_sa_down" and r.get("object") == "frankfurt-hq":
            t = datetime.datetime.fromisoformat(r["ts"]).timestamp()
            print("figure: circuit link down -> CHILD SA removed in %.1f ms" % ((t - t0) * 1000))
            sys.exit(0)
PY

# ---- 4. the link returns but its route does not: still no tunnel, no leak
lg_log "circuit link up, route still missing"
lg_ns gwa ip link set circ0 up
lg_ns gwb ip link set circ0 up 2>/dev/null
lg_ns gwa ip route del "$B_CIRC/32" 2>/dev/null   # in case the kernel kept it
sleep 5
check "with the link up but no route via circ0: still no Frankfurt SA" no_fra_sa
check "journal: compliance_refused for frankfurt-hq with reason egress_mismatch" \
	bash -c "grep -rhs '\"event\":\"compliance_refused\",\"object\":\"frankfurt-hq\"' '$T/a/audit' | grep -q '\"reason\":\"egress_mismatch\"'"
wait "$XB_PID"
kill "$TCPDUMP_PID" 2>/dev/null; wait "$TCPDUMP_PID" 2>/dev/null
# A dead daemon sends nothing either: the zero below only counts if it lived.
check "Shanghai linegated still running through the outage" kill -0 "$(cat "$T/a/pid")"
n_leak=$(tcpdump -n -r "$T/inet0.pcap" 2>/dev/null | wc -l)
tcpdump -n -r "$T/inet0.pcap" 2>/dev/null | head -20 > "$T/inet0-leaks.txt"
check "capture on Shanghai's Internet uplink, circuit down then routeless: zero packets to Frankfurt ($n_leak seen)" \
	test "$n_leak" = 0
check "no LAN ping reached Frankfurt meanwhile" grep -q " 0 received" "$T/xborder-ping-down.txt"
# Control: the same capture does see a packet that really goes to Frankfurt via inet0.
lg_ns gwa timeout "$(lg_bound 10)" tcpdump -n -U -c 1 -i inet0 -w "$T/control.pcap" "host $B_INET" >"$T/tcpdump-control.log" 2>&1 &
CTRL_PID=$!
LG_PIDS+=("$CTRL_PID")
lg_wait 5 grep -q "listening on" "$T/tcpdump-control.log"
lg_ns gwa ping -c 2 -W 1 "$B_INET" >/dev/null 2>&1
wait "$CTRL_PID" 2>/dev/null
check "control: that capture method does see a ping to Frankfurt's Internet address" \
	test "$(tcpdump -n -r "$T/control.pcap" 2>/dev/null | wc -l)" -ge 1

# ---- 5. the circuit's route returns: the tunnel comes back
lg_log "circuit route back"
circuit_routes
check "tunnel to Frankfurt re-established and carrying pings within 60 s" lg_wait 60 ping_ok lana "$HOST_B"
check "3 of 3 pings Shanghai->Frankfurt after the circuit returned" lg_ping lana "$HOST_B" -c 3 -W 2 -i 0.3
check "linegatectl sas lists Frankfurt again" bash -c "'$LINEGATECTL' -s '$T/a/control.sock' sas | grep -q frankfurt-hq"
ctl a --json compliance > "$T/a/compliance-back.json" 2>&1
check "compliance --json: Frankfurt compliant again, tunnel up, egress circ0" python3 -c "
import json; d=json.load(open('$T/a/compliance-back.json')); f=[p for p in d['peers'] if p['name']=='frankfurt-hq'][0]
assert f['compliant'] and f['live']['tunnel_up'] and f['live']['egress']=='circ0', f"

# ---- 6. the domestic tunnel worked throughout
kill "$DOM_PID" 2>/dev/null; wait "$DOM_PID" 2>/dev/null
# ping -O prints every reply and every request left unanswered.
recv=$(grep -c "bytes from" "$T/domestic-ping.txt")
lost=$(grep -c "no answer yet" "$T/domestic-ping.txt")
check "domestic Shanghai->Beijing pings throughout: $recv answered, $lost unanswered" \
	test "$recv" -ge 20 -a "$lost" -le 1

# ---- 7. the region database is re-read on reload, and the stricter answer wins
# Beijing's address now in a Hong Kong block: Beijing (declared CN) becomes
# cross-border on the Internet uplink, so the reload is refused and the
# running configuration stays in force.
printf '203.0.113.16/28 HK\n' >> "$T/regions.txt"
out=$(ctl a reload 2>&1); rc=$?
echo "$out" > "$T/a/reload-refused.txt"
check "reload with Beijing's address placed in HK is refused (exit $rc)" test "$rc" -ne 0
check "the refusal: beijing is cross-border (site CN, peer HK, said to come from the database) on the Internet uplink" \
	grep -q 'cross_border_no_licensed_uplink: peer "beijing" is cross-border (site CN, peer HK; declared CN, database HK for prefix 203.0.113.16/28, stricter wins)' <<<"$out"
check "the old configuration stays: Beijing still answers" lg_ping lana "$HOST_C" -c 2 -W 2 -i 0.3
check "the database/declaration disagreement is audited (region_mismatch)" \
	journal_has a '"event":"region_mismatch","object":"beijing"'
sed -i '/^203.0.113.16\/28 HK$/d' "$T/regions.txt"
check "reload with the database restored succeeds" ctl a reload

for s in a b c; do
	if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$T/$s/linegated.log" 2>/dev/null; then
		check "no sanitizer report in site $s" false
	fi
done
if [ "$FAILS" -gt 0 ]; then
	for s in a b c; do echo "--- linegated $s (last 25 lines)"; tail -25 "$T/$s/linegated.log"; done
	echo "--- leaks on inet0:"; cat "$T/inet0-leaks.txt"
fi
echo "compliance_uplinks: $PASSES passed, $FAILS failed"
[ "$FAILS" = 0 ]
