#!/usr/bin/env bash
# Template peers on a hub (issue 15): two branches on changing addresses
# connect to one `endpoint %any` template, each with its own key file in
# key-dir. Proves: --check-config and `peers`/`sas` name the instances and
# the addresses in use; branch-to-branch traffic goes through the hub
# (TUN in, route, TUN out) and no inner address crosses any uplink in clear
# (captures on every uplink, outer ESP seen); flow records on the hub name
# both tunnels; a branch reaches headquarters abroad through the hub, whose
# only border crossing is its licensed circuit (nothing for headquarters on
# the Internet uplink); an identity of the domain without a key file is
# refused (auth_failure no_template_identity); a branch that changes
# address is followed and the new
# address judged; a move to a foreign address (region database: DE) is
# refused and audited, and so is its next IKE_SA_INIT from there
# (summarised), with nothing sent back to it.
set -u
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
command -v tcpdump >/dev/null || { echo "SKIP: tcpdump missing" >&2; exit 77; }
BIN=${LG_ASAN_LINEGATED:-$LINEGATED}
CTL=${LG_ASAN_LINEGATECTL:-$LINEGATECTL}
FAILS=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }
FOREIGN=10.254.9.2
CAPS=()
INNER="host 10.65.1.10 or host 10.65.2.10 or host 10.60.1.10 or host 10.100.1.10"

lg_ns_init lgn-hub-
for ns in hub isp br1 br2 br3 lan1 lan2 lanh hq lanq; do lg_ns_add "$ns"; done
lg_link br3 up0 10.254.3.2/24 isp b3 10.254.3.1/24
lg_link hub cx0 198.51.100.1/24 hq cx0 198.51.100.2/24   # the licensed circuit abroad
lg_link lanq eth0 10.100.1.10/24 hq lan0 10.100.1.1/24
lg_ns lanq ip route add default via 10.100.1.1
lg_link hub up0 10.254.0.1/24 isp h0 10.254.0.254/24
lg_link br1 up0 10.254.1.2/24 isp b1 10.254.1.1/24,10.254.9.1/24
lg_link br2 up0 10.254.2.2/24 isp b2 10.254.2.1/24
lg_link lan1 eth0 10.65.1.10/25 br1 lan0 10.65.1.1/25
lg_link lan2 eth0 10.65.2.10/25 br2 lan0 10.65.2.1/25
lg_link lanh eth0 10.60.1.10/24 hub lan0 10.60.1.1/24
lg_ns hub ip route add default via 10.254.0.254
lg_ns br1 sysctl -qw net.ipv4.conf.all.promote_secondaries=1 net.ipv4.conf.up0.promote_secondaries=1
lg_ns br1 ip route add default via 10.254.1.1
lg_ns br2 ip route add default via 10.254.2.1
lg_ns br3 ip route add default via 10.254.3.1
lg_ns lan1 ip route add default via 10.65.1.1
lg_ns lan2 ip route add default via 10.65.2.1
lg_ns lanh ip route add default via 10.60.1.1

T=$(mktemp -d /tmp/lgn-hub.XXXXXX)
chmod 700 "$T"
trap 'lg_ns_cleanup; [ -n "${LG_KEEP:-}" ] || rm -rf "$T"' EXIT

common() { # DIR SITE TUNADDR [REGION]
	cat <<CONF
site "$2" {
    region ${4:-CN}
    identity-domain "corp.example"
    internal-space 10.0.0.0/8
}
uplink "u0" {
    interface up0
}
tunnel {
    device lghub0
    address $3
}
audit {
    journal-dir "audit"
    flow-interval 5s
    checkpoint-interval 5s
}
control {
    socket "control.sock"
    workers 1
}
CONF
}

mkdir -p "$T/hub/branches"
chmod 700 "$T/hub/branches"
printf '10.254.0.0/16 CN\n10.254.9.0/24 DE\n198.51.100.0/24 DE\n' > "$T/hub/regions.txt"
hqpsk=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '0x%s\n' "$hqpsk" > "$T/hub/hq.psk"
chmod 600 "$T/hub/hq.psk"
CIRCUIT='uplink "circuit" {
    interface cx0
    carrier china-telecom
    circuit-id "CTC-IPLC-0042"
    licensed yes
}'
{ common "$T/hub" hub 10.60.0.1/24; cat <<CONF
compliance {
    region-db "regions.txt"
}
$CIRCUIT
peer "hq" {
    endpoint 198.51.100.2
    region DE
    uplink circuit
    local-id hub.corp.example
    remote-id hq.corp.example
    auth psk
    psk-file "hq.psk"
    local-subnets 10.60.0.0/16, 10.65.0.0/16
    remote-subnets 10.100.0.0/16
    mode responder
}
peer "branches" {
    endpoint %any
    region CN
    uplink u0
    local-id hub.corp.example
    remote-id *.branches.corp.example
    auth psk
    key-dir "branches"
    local-subnets 10.60.0.0/16, 10.65.0.0/16, 10.100.0.0/16
    remote-subnets 10.65.0.0/16
    dpd 3s
}
CONF
} > "$T/hub/linegate.conf"

# Headquarters abroad: its only way to the hub is the licensed circuit.
mkdir -p "$T/hq"
printf '0x%s\n' "$hqpsk" > "$T/hq/hub.psk"
chmod 600 "$T/hq/hub.psk"
{ common "$T/hq" hq 10.100.0.1/24 DE; cat <<CONF
$CIRCUIT
peer "hub" {
    endpoint 198.51.100.1
    region CN
    uplink circuit
    local-id hq.corp.example
    remote-id hub.corp.example
    auth psk
    psk-file "hub.psk"
    local-subnets 10.100.0.0/16
    remote-subnets 10.60.0.0/16, 10.65.0.0/16
    mode initiator
}
CONF
} | sed 's/^uplink "u0" {$/uplink "unused" {/; s/^    interface up0$/    interface lan0/' > "$T/hq/linegate.conf"

branch() { # N [nokey: the hub has no key file for it]
	local d="$T/br$1" psk
	mkdir -p "$d"
	psk=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	printf '0x%s\n' "$psk" > "$d/hub.psk"
	chmod 600 "$d/hub.psk"
	if [ -z "${2:-}" ]; then
		printf '0x%s\n' "$psk" > "$T/hub/branches/shop$1.branches.corp.example"
		chmod 600 "$T/hub/branches/shop$1.branches.corp.example"
	fi
	{ common "$d" "shop$1" "10.65.$1.129/25"; cat <<CONF
peer "hub" {
    endpoint 10.254.0.1
    region CN
    uplink u0
    local-id shop$1.branches.corp.example
    remote-id hub.corp.example
    auth psk
    psk-file "hub.psk"
    local-subnets 10.65.$1.0/24
    remote-subnets 10.60.0.0/16, 10.65.0.0/16, 10.100.0.0/16
    dpd 3s
    retry-max 3s
    mode initiator
}
CONF
	} > "$d/linegate.conf"
}
branch 1
branch 2
branch 3 nokey   # of the domain, but no key file on the hub

lg_ns hub "$BIN" --check-config "$T/hub/linegate.conf" > "$T/check.txt" 2>&1
check "--check-config accepts the hub" grep -q ": OK" "$T/check.txt"
check "--check-config lists the template and its 2 instances" \
	grep -q "template branches: remote-id \*.branches.corp.example, key-dir .*branches, 2 instances" "$T/check.txt"
check "... by identity" grep -q "instance branches/shop2.branches.corp.example: identity shop2.branches.corp.example" "$T/check.txt"

export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
start() { # NS DIR
	ip netns exec "$(lg_ns_name "$1")" "$BIN" -f -c "$T/$2/linegate.conf" 2>"$T/$2.log" &
	LG_PIDS+=("$!")
}
start hub hub
start br1 br1
start br2 br2
start hq hq
start br3 br3
hctl() { "$CTL" -s "$T/hub/control.sock" "$@"; }
journal() { cat "$T"/hub/audit/audit-*.jsonl 2>/dev/null; }
# instance N is up on the hub, at address A (when given)
inst_up() {
	hctl --json peers | python3 -c '
import json, sys
n, a = sys.argv[1], sys.argv[2]
p = [x for x in json.load(sys.stdin) if x["name"] == "branches/shop%s.branches.corp.example" % n]
ok = p and p[0]["state"] == "up" and p[0]["template"] == "branches" and \
     p[0]["identity"] == "shop%s.branches.corp.example" % n and (not a or p[0]["endpoint"].startswith(a + ":"))
sys.exit(0 if ok else 1)' "$1" "${2:-}"
}
check "branch 1 is up on the hub as instance branches/shop1 from 10.254.1.2" lg_wait 30 inst_up 1 10.254.1.2
check "branch 2 is up as branches/shop2 from 10.254.2.2" lg_wait 30 inst_up 2 10.254.2.2
sas_show() { hctl sas | grep -q "branches/shop$1.branches.corp.example.*$2"; }
check "sas on the hub names instance and address" sas_show 1 10.254.1.2
hctl peers > "$T/peers.txt"; cat "$T/peers.txt"
no_key() {
	journal | grep '"event":"auth_failure"' | grep '"subject":"shop3.branches.corp.example"' |
		grep -q '"reason":"no_template_identity"'
}
check "an identity of the domain without a key file is refused (auth_failure no_template_identity)" \
	lg_wait 30 no_key
check "... and is no instance in peers" bash -c "! grep -q shop3 '$T/peers.txt'"

# Captures on every uplink (hub, both branches, the ISP's side): no inner
# address in clear; the outer ESP-in-UDP is seen (the control).
hq_up() { hctl --json peers | python3 -c 'import json,sys; sys.exit(0 if [p for p in json.load(sys.stdin) if p["name"] == "hq" and p["state"] == "up" and p["cross_border"]] else 1)'; }
check "headquarters (DE) is up over the licensed circuit" lg_wait 30 hq_up
for cap in hub:up0 br1:up0 br2:up0 isp:h0 hub:cx0; do
	ns=${cap%%:*}; dev=${cap#*:}
	lg_ns "$ns" timeout 400 tcpdump -n -U -i "$dev" -w "$T/cap-$ns-$dev.pcap" >"$T/cap-$ns-$dev.log" 2>&1 &
	LG_PIDS+=("$!"); CAPS+=("$!")
	lg_wait 10 grep -q "listening on" "$T/cap-$ns-$dev.log" || echo "warning: tcpdump on $ns/$dev not listening" >&2
done
check "branch 1 LAN reaches branch 2 LAN through the hub" lg_ping lan1 10.65.2.10 -c 5 -i 0.2 -W 2
check "branch 2 LAN reaches branch 1 LAN through the hub" lg_ping lan2 10.65.1.10 -c 5 -i 0.2 -W 2
check "branch 1 LAN reaches the hub's LAN" lg_ping lan1 10.60.1.10 -c 3 -i 0.2 -W 2
check "branch 2 LAN reaches headquarters through the hub (two tunnels, one border crossing)" \
	lg_ping lan2 10.100.1.10 -c 5 -i 0.2 -W 2
hq_esp() { tcpdump -n -r "$T/cap-hub-cx0.pcap" "udp port 4500 and host 198.51.100.2" 2>/dev/null | grep -q .; }
check "the circuit carried ESP-in-UDP to headquarters" lg_wait 10 hq_esp
hq_not_internet() { ! tcpdump -n -r "$T/cap-hub-up0.pcap" "host 198.51.100.2" 2>/dev/null | grep -q .; }
check "nothing for headquarters left by the Internet uplink" hq_not_internet
hub_esp_both() { # ESP between the hub and each branch, outer addresses only
	local f="$T/cap-hub-up0.pcap"
	tcpdump -n -r "$f" "udp port 4500 and host 10.254.1.2" 2>/dev/null | grep -q . &&
	tcpdump -n -r "$f" "udp port 4500 and host 10.254.2.2" 2>/dev/null | grep -q .
}
check "the hub's uplink carried ESP-in-UDP to and from both branches" lg_wait 10 hub_esp_both

flows_both() {
	journal | python3 -c '
import json, sys
seen = {}
for line in sys.stdin:
    r = json.loads(line)
    if r.get("event") != "flow_record":
        continue
    d = r.get("details", r)
    if int(d.get("packets_in", 0)) > 0 and int(d.get("packets_out", 0)) > 0:
        seen[r.get("object")] = 1
sys.exit(0 if "branches/shop1.branches.corp.example" in seen and
         "branches/shop2.branches.corp.example" in seen and "hq" in seen else 1)'
}
check "flow records on the hub show both tunnels of each forwarded flow (both branches, hq)" lg_wait 20 flows_both

# Branch 1 changes address (consumer broadband): the hub follows it after
# its next authenticated message and judges the new address.
lg_ns br1 ip addr add 10.254.1.3/24 dev up0
lg_ns br1 ip addr del 10.254.1.2/24 dev up0
lg_ns br1 ip route replace default via 10.254.1.1
check "the hub follows branch 1 to 10.254.1.3" lg_wait 30 inst_up 1 10.254.1.3
check "... and logged the move" lg_wait 10 grep -q "event=ike_endpoint_update peer=branches/shop1.branches.corp.example from=10.254.1.2:4500 to=10.254.1.3:4500" "$T/hub.log"
check "branch 1 LAN reaches branch 2 LAN from its new address" lg_ping lan1 10.65.2.10 -c 3 -i 0.2 -W 2

# Then to an address the region database puts in Germany: refused.
lg_ns hub tcpdump -n -U -i up0 -w "$T/foreign.pcap" "host $FOREIGN" >"$T/foreign.log" 2>&1 &
LG_PIDS+=("$!"); CAPS+=("$!")
lg_wait 10 grep -q "listening on" "$T/foreign.log" || echo "warning: tcpdump (foreign) not listening" >&2
lg_ns br1 ip addr add "$FOREIGN/24" dev up0
lg_ns br1 ip addr del 10.254.1.3/24 dev up0
lg_ns br1 ip route replace default via 10.254.9.1
moved_refused() { journal | grep '"event":"compliance_refused"' | grep -q "\"to\":\"$FOREIGN:"; }
check "the move to $FOREIGN is refused and audited (compliance_refused, from and to)" lg_wait 30 moved_refused
gone() { ! inst_up 1; }
check "branch 1's tunnel is torn down" lg_wait 15 gone
hctl up branches/shop1.branches.corp.example > "$T/up.txt" 2>&1; up_rc=$?
check "up on a template instance is refused: it has no address to call (exit $up_rc)" \
	bash -c "[ $up_rc != 0 ] && grep -q 'has no fixed endpoint' '$T/up.txt'"
# branch 1 starts over from there: its IKE_SA_INIT is judged at the source
"$CTL" -s "$T/br1/control.sock" down hub >/dev/null 2>&1
"$CTL" -s "$T/br1/control.sock" up hub >/dev/null 2>&1
init_refused() {
	journal | grep '"event":"compliance_refused"' | grep '"subject":"unauthenticated"' |
		grep -q 'cross_border_no_licensed_uplink'
}
check "its IKE_SA_INIT from $FOREIGN is refused, summarised under its source" lg_wait 30 init_refused
journal | grep '"event":"compliance_refused"' | tail -2
policy_drops() { hctl --json status | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["ike_drops"].get("policy_refused", 0) > 0 else 1)'; }
check "... and counted (ike_drops policy_refused)" lg_wait 10 policy_drops
check "branch 2 stays up" inst_up 2 10.254.2.2
n=$(tcpdump -n -r "$T/foreign.pcap" "src host 10.254.0.1" 2>/dev/null | wc -l)
m=$(tcpdump -n -r "$T/foreign.pcap" "dst host 10.254.0.1" 2>/dev/null | wc -l)
echo "# hub -> $FOREIGN: $n packets; $FOREIGN -> hub: $m packets"
check "the foreign address reached the hub (capture works: $m packets)" test "$m" -gt 0
check "the hub sent nothing to the foreign address ($n packets)" test "$n" = 0

kill "${CAPS[@]}" 2>/dev/null
caps_gone() { for p in "${CAPS[@]}"; do kill -0 "$p" 2>/dev/null && return 1; done; return 0; }
lg_wait 10 caps_gone
for f in "$T"/cap-*.pcap; do
	leak=$(tcpdump -n -r "$f" "$INNER" 2>/dev/null | wc -l)
	esp=$(tcpdump -n -r "$f" "udp port 4500" 2>/dev/null | wc -l)
	echo "# $(basename "$f"): $leak packets with an inner address, $esp ESP-in-UDP/IKE"
	check "no inner address in clear on $(basename "$f" .pcap) ($leak)" test "$leak" = 0
	check "outer traffic seen on $(basename "$f" .pcap) ($esp)" test "$esp" -gt 0
done
check "no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' '$T'/*.log"
if [ "$FAILS" -gt 0 ]; then tail -n 30 "$T/hub.log"; fi
echo "hub_templates: $FAILS failed"
[ "$FAILS" = 0 ]
