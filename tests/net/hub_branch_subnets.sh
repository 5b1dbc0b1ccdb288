#!/usr/bin/env bash
# A branch may not take another branch's subnet at the hub (issue 15). Two
# branches of one template (`endpoint %any`, pool 10.65.0.0/16, no subnets
# bound per identity: first come). Branch 1 holds 10.65.1.0/24. Branch 2,
# with a valid key for its own identity, proposes branch 1's subnet, then a
# more specific part of it (which the datapath's longest match would prefer):
# both refused (TS_UNACCEPTABLE), audited as a summary (compliance_refused,
# reason selectors_claimed, source = the refused instance), and the hub's
# traffic for branch 1's LAN still reaches branch 1 (capture on branch 1's
# uplink: ESP from the hub; none to branch 2). Then branch 2 proposes its own
# subnet: up, and both LANs reach each other through the hub. Last, subnets
# bound per identity (branch blocks): overlapping blocks refused at
# file:line:column, and a bound branch refused its neighbour's subnet even
# while the neighbour is away.
set -u
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
command -v tcpdump >/dev/null || { echo "SKIP: tcpdump missing" >&2; exit 77; }
BIN=${LG_ASAN_LINEGATED:-$LINEGATED}
CTL=${LG_ASAN_LINEGATECTL:-$LINEGATECTL}
FAILS=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }
CAPS=()

lg_ns_init lgn-bsub-
for ns in hub isp br1 br2 lan1 lanh; do lg_ns_add "$ns"; done
lg_link hub up0 10.254.0.1/24 isp h0 10.254.0.254/24
lg_link br1 up0 10.254.1.2/24 isp b1 10.254.1.1/24
lg_link br2 up0 10.254.2.2/24 isp b2 10.254.2.1/24
lg_link lan1 eth0 10.65.1.10/25 br1 lan0 10.65.1.1/25
lg_link lanh eth0 10.60.1.10/24 hub lan0 10.60.1.1/24
# branch 2's LAN sits in its own subnet; it only pretends to own branch 1's
lg_ns br2 ip addr add 10.65.2.1/25 dev lo
lg_ns hub ip route add default via 10.254.0.254
lg_ns br1 ip route add default via 10.254.1.1
lg_ns br2 ip route add default via 10.254.2.1
lg_ns lan1 ip route add default via 10.65.1.1
lg_ns lanh ip route add default via 10.60.1.1

T=$(mktemp -d /tmp/lgn-bsub.XXXXXX)
chmod 700 "$T"
trap 'lg_ns_cleanup; [ -n "${LG_KEEP:-}" ] || rm -rf "$T"' EXIT

common() { # SITE TUNADDR
	cat <<CONF
site "$1" {
    region CN
    identity-domain "corp.example"
    internal-space 10.0.0.0/8
}
uplink "u0" {
    interface up0
}
tunnel {
    device lgbs0
    address $2
}
audit {
    journal-dir "audit"
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
{ common hub 10.60.0.1/24; cat <<CONF
peer "branches" {
    endpoint %any
    region CN
    uplink u0
    local-id hub.corp.example
    remote-id *.branches.corp.example
    auth psk
    key-dir "branches"
    local-subnets 10.60.0.0/16, 10.65.0.0/16
    remote-subnets 10.65.0.0/16
    dpd 3s
}
CONF
} > "$T/hub/linegate.conf"

branch_conf() { # N LOCAL-SUBNETS
	{ common "shop$1" "10.65.$1.129/25"; cat <<CONF
peer "hub" {
    endpoint 10.254.0.1
    region CN
    uplink u0
    local-id shop$1.branches.corp.example
    remote-id hub.corp.example
    auth psk
    psk-file "hub.psk"
    local-subnets $2
    remote-subnets 10.60.0.0/16, 10.65.0.0/16
    dpd 3s
    retry-max 3s
    mode initiator
}
CONF
	} > "$T/br$1/linegate.conf"
}
for n in 1 2; do
	mkdir -p "$T/br$n"
	psk=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	printf '0x%s\n' "$psk" > "$T/br$n/hub.psk"
	printf '0x%s\n' "$psk" > "$T/hub/branches/shop$n.branches.corp.example"
	chmod 600 "$T/br$n/hub.psk" "$T/hub/branches/shop$n.branches.corp.example"
done
branch_conf 1 10.65.1.0/24
branch_conf 2 10.65.1.0/24   # branch 1's subnet

export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
start() { # NS
	ip netns exec "$(lg_ns_name "$1")" "$BIN" -f -c "$T/$1/linegate.conf" 2>"$T/$1.log" &
	LG_PIDS+=("$!")
}
hctl() { "$CTL" -s "$T/hub/control.sock" "$@"; }
b2ctl() { "$CTL" -s "$T/br2/control.sock" "$@"; }
journal() { cat "$T"/hub/audit/audit-*.jsonl 2>/dev/null; }
# instance N has a CHILD SA on the hub whose remote selectors are exactly TS
child_of() {
	hctl --json sas | python3 -c '
import json, sys
name, ts = "branches/shop%s.branches.corp.example" % sys.argv[1], sys.argv[2]
for sa in json.load(sys.stdin)["ike_sas"]:
    if sa.get("peer") == name:
        for c in sa.get("children", []):
            if c.get("remote_ts", "").replace(" ", "") == ts:
                sys.exit(0)
sys.exit(1)' "$1" "$2"
}
start hub
start br1
check "branch 1 is up on the hub with 10.65.1.0/24" lg_wait 30 child_of 1 10.65.1.0/24
check "the hub's LAN reaches branch 1's LAN" lg_ping lanh 10.65.1.10 -c 3 -i 0.2 -W 2

start br2
refused() { # N: the hub has refused branch 2's CHILD SA N times
	[ "$(grep -c "event=child_ts_refused peer=branches/shop2.branches.corp.example .*owner=branches/shop1.branches.corp.example" "$T/hub.log")" -ge "$1" ]
}
check "branch 2 proposing branch 1's 10.65.1.0/24 is refused (TS_UNACCEPTABLE)" lg_wait 30 refused 1
audited() {
	journal | grep '"event":"compliance_refused"' | grep '"reason":"selectors_claimed"' |
		grep -q '"source":"branches/shop2.branches.corp.example"'
}
check "... audited as a summary under the refused instance" lg_wait 20 audited
# after AUTH: the record names the authenticated identity, what it claimed and whose it is
claimed_record() {
	journal | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    d = r.get("details", {})
    if r.get("event") == "compliance_refused" and d.get("reason") == "selectors_claimed":
        ok = (r.get("subject") == "shop2.branches.corp.example"
              and r.get("object") == "branches/shop2.branches.corp.example"
              and d.get("claimed") == "10.65.1.0/24"
              and d.get("owner") == "branches/shop1.branches.corp.example"
              and d.get("owner_selector") == "10.65.1.0/24")
        sys.exit(0 if ok else "fields: %r" % r)
sys.exit("no record")'
}
check "... its subject the authenticated identity, with the claimed selector and the owner" claimed_record
not_child_of() { ! child_of "$@"; }
check "... and no CHILD SA of branch 2 carries it" not_child_of 2 10.65.1.0/24

# the more specific half: the datapath would prefer it to branch 1's /24
branch_conf 2 10.65.1.128/25
b2ctl reload >/dev/null
b2ctl down hub >/dev/null 2>&1
b2ctl up hub >/dev/null 2>&1
check "branch 2 proposing 10.65.1.128/25 inside branch 1's subnet is refused too" lg_wait 30 refused 2
check "branch 1 keeps 10.65.1.0/24" child_of 1 10.65.1.0/24

for cap in br1:up0 br2:up0; do
	ns=${cap%%:*}; dev=${cap#*:}
	lg_ns "$ns" timeout 300 tcpdump -n -U -i "$dev" -w "$T/cap-$ns.pcap" udp port 4500 >"$T/cap-$ns.log" 2>&1 &
	LG_PIDS+=("$!"); CAPS+=("$!")
	lg_wait 10 grep -q "listening on" "$T/cap-$ns.log" || echo "warning: tcpdump on $ns not listening" >&2
done
# replies counted: under load ping may give up on a slow one; each reply
# is an echo request the hub sent, and it can only have gone one way
rx() { lg_ping "$@" | sed -n 's/.* \([0-9]*\) received.*/\1/p'; }
rx1=$(rx lanh 10.65.1.10 -c 5 -i 0.2 -W 2)
check "the hub's LAN still reaches branch 1's LAN (10.65.1.10: ${rx1:-0} of 5 replies)" test "${rx1:-0}" -ge 1
rx2=$(rx lanh 10.65.1.129 -c 3 -i 0.2 -W 2)
check "... and its upper half (10.65.1.129, in the /25 branch 2 asked for: ${rx2:-0} of 3)" \
	test "${rx2:-0}" -ge 1
hub_esp_on() { # NS: ESP (not IKE: no zero marker) from the hub in NS's capture so far
	tcpdump -n -r "$T/cap-$1.pcap" "src host 10.254.0.1 and udp[8:4] != 0" 2>/dev/null | wc -l
}
answered=$(( ${rx1:-0} + ${rx2:-0} ))
esp_reached() { [ "$(hub_esp_on br1)" -ge "$answered" ]; }
lg_wait 20 esp_reached   # the capture is written packet by packet (-U)
kill "${CAPS[@]}" 2>/dev/null
caps_gone() { for p in "${CAPS[@]}"; do kill -0 "$p" 2>/dev/null && return 1; done; return 0; }
lg_wait 10 caps_gone
esp1=$(hub_esp_on br1)
esp2=$(hub_esp_on br2)
echo "# ESP from the hub during the pings: to branch 1 $esp1, to branch 2 $esp2"
check "branch 1's uplink carried the hub's ESP for each answered ping ($esp1 for $answered)" \
	test "$esp1" -ge "$answered"
check "branch 2's uplink carried none of it ($esp2)" test "$esp2" = 0

# branch 2 proposes its own subnet: accepted, both LANs meet through the hub
branch_conf 2 10.65.2.0/24
b2ctl reload >/dev/null
b2ctl down hub >/dev/null 2>&1
b2ctl up hub >/dev/null 2>&1
check "branch 2 with its own 10.65.2.0/24 is up" lg_wait 30 child_of 2 10.65.2.0/24
check "branch 1's LAN reaches branch 2 (10.65.2.1) through the hub" lg_ping lan1 10.65.2.1 -c 3 -i 0.2 -W 2
check "branch 1 still holds 10.65.1.0/24" child_of 1 10.65.1.0/24

# Bound per identity: branch blocks (in an included file, as a hub with
# many branches keeps them). An overlap between two branches is refused at
# its file:line:column; then, with each branch bound, branch 2 proposing
# branch 1's subnet is refused even while branch 1 is away (nothing claims
# the subnet at run time: the binding alone refuses it).
printf '%s\n' 'branch "shop1.branches.corp.example" { template branches; remote-subnets 10.65.1.0/24 }' \
	'branch "shop2.branches.corp.example" { template branches; remote-subnets 10.65.1.128/25 }' \
	> "$T/hub/branches.conf"
printf 'include "branches.conf"\n' >> "$T/hub/linegate.conf"
lg_ns hub "$BIN" --check-config "$T/hub/linegate.conf" > "$T/check-bad.txt" 2>&1
check "overlapping branch blocks are refused at file:line:column" \
	grep -q "branches.conf:2:74: remote subnet 10.65.1.128/25 overlaps 10.65.1.0/24 of branch 'branches/shop1.branches.corp.example'" "$T/check-bad.txt"
sed -i 's|10.65.1.128/25|10.65.2.0/24|' "$T/hub/branches.conf"
lg_ns hub "$BIN" --check-config "$T/hub/linegate.conf" > "$T/check-good.txt" 2>&1
check "--check-config lists each instance with its own subnets" \
	grep -q "instance branches/shop2.branches.corp.example: identity shop2.branches.corp.example, remote-subnets 10.65.2.0/24" "$T/check-good.txt"
hctl reload > "$T/reload.txt" 2>&1; rc=$?
check "the hub reloads with the branch blocks (exit $rc)" test "$rc" = 0
"$CTL" -s "$T/br1/control.sock" down hub >/dev/null 2>&1
b1_gone() { ! child_of 1 10.65.1.0/24; }
check "branch 1 is away" lg_wait 30 b1_gone
narrowed() { # N: TS_UNACCEPTABLE records for branch 2 on the hub
	[ "$(journal | grep '"event":"ike_exchange_failed"' | grep '"object":"branches/shop2.branches.corp.example"' | grep -c '"reason":"TS_UNACCEPTABLE"')" -ge "$1" ]
}
before=$(journal | grep '"event":"ike_exchange_failed"' | grep '"object":"branches/shop2.branches.corp.example"' | grep -c '"reason":"TS_UNACCEPTABLE"')
claims_before=$(grep -c "event=child_ts_refused" "$T/hub.log")
branch_conf 2 10.65.1.0/24
b2ctl reload >/dev/null
b2ctl down hub >/dev/null 2>&1
b2ctl up hub >/dev/null 2>&1
check "bound: branch 2 proposing branch 1's subnet is refused while branch 1 is away" \
	lg_wait 30 narrowed $((before + 1))
check "... by its binding, not by a claim" test "$(grep -c "event=child_ts_refused" "$T/hub.log")" = "$claims_before"
check "... and gets no CHILD SA for it" not_child_of 2 10.65.1.0/24
"$CTL" -s "$T/br1/control.sock" up hub >/dev/null 2>&1
check "branch 1 comes back with its own 10.65.1.0/24" lg_wait 30 child_of 1 10.65.1.0/24
check "the hub's LAN reaches branch 1's LAN" lg_ping lanh 10.65.1.10 -c 3 -i 0.2 -W 2

check "no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' '$T'/*.log"
if [ "$FAILS" -gt 0 ]; then tail -n 30 "$T/hub.log"; fi
echo "hub_branch_subnets: $FAILS failed"
[ "$FAILS" = 0 ]
