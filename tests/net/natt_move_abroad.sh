#!/usr/bin/env bash
# The endpoint in use is the endpoint judged (issue 9, class 2): site A sits
# behind a NAT and initiates; B judges A by the region database (the NAT's
# address 10.254.0.1 is CN, 10.254.0.99 is DE) over an untagged uplink. When
# the NAT starts mapping A to 10.254.0.99, A's next authenticated IKE message
# (DPD every 3 s) comes from a foreign address: B must refuse the move, tear
# the SA down and audit it with both addresses, and never send anything to
# the foreign address (a capture on B's uplink proves it, with B's LAN
# pinging A's LAN throughout). A move inside the rules is followed, and flows
# keep naming the peer that negotiated the SA (tests/net/natt_rebind.sh).
set -u
. "$LG_SOURCE_DIR/tests/lib/nat_sites.sh"
nat_sites_setup lgn-mab- lgmab0 3s
FOREIGN=10.254.0.99
printf '10.254.0.1/32 CN\n%s/32 DE\n' "$FOREIGN" > "$T/b/regions.txt"
cat >> "$T/b/linegate.conf" <<CONF
compliance {
    region-db "regions.txt"
}
CONF
nat_sites_start
bctl() { "$CTL" -s "$T/b/control.sock" "$@"; }
b_up() { bctl --json peers | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)[0]["state"]=="up" else 1)'; }
journal() { cat "$T"/b/audit/audit-*.jsonl 2>/dev/null; }

check "the IKE SA comes up through the NAT" lg_wait 20 peer_up a
check "B sees it up" lg_wait 5 b_up
check "LAN b reaches LAN a" lg_ping lanb 10.1.1.10 -c 2 -i 0.2 -W 2

# Watch B's uplink for anything to the foreign address, and keep B's LAN
# sending towards A (ESP would follow a moved endpoint).
lg_ns_bg gwb tcpdump -i up0 -n -U -w "$T/b-up0.pcap" "dst host $FOREIGN" 2>"$T/tcpdump.log"
lg_wait 10 grep -q "listening on" "$T/tcpdump.log" || lg_die "tcpdump did not start"
lg_assert_test_target lanb 10.1.1.10
ip netns exec "$(lg_ns_name lanb)" ping -n -i 0.1 -W 1 -w 60 10.1.1.10 > "$T/ping.txt" 2>&1 &
LG_PIDS+=("$!")

# The NAT now maps A to the foreign address: old mappings expire in 1 s.
lg_ns nat ip addr add "$FOREIGN/24" dev out0
lg_ns nat sysctl -qw net.netfilter.nf_conntrack_udp_timeout=1 net.netfilter.nf_conntrack_udp_timeout_stream=1
lg_ns nat nft flush chain ip nat post
lg_ns nat nft add rule ip nat post oifname out0 meta l4proto udp snat to "$FOREIGN"
lg_ns nat nft add rule ip nat post oifname out0 snat to "$FOREIGN"

refused() { journal | grep '"event":"compliance_refused"' | grep -q "\"to\":\"$FOREIGN:"; }
check "B refused the move to $FOREIGN (compliance_refused with from and to)" lg_wait 30 refused
journal | grep '"event":"compliance_refused"' | grep "$FOREIGN" | head -1
check "... from the address it had judged" \
	bash -c "cat '$T'/b/audit/audit-*.jsonl | grep '\"event\":\"compliance_refused\"' | grep '$FOREIGN' | grep -q '\"from\":\"10.254.0.1:'"
b_down() { ! b_up; }
check "B's SA is torn down" lg_wait 15 b_down
check "... and ike_sa_down is on record" bash -c "cat '$T'/b/audit/audit-*.jsonl | grep -q '\"event\":\"ike_sa_down\"'"
# A keeps trying from the foreign address (DPD, then a new IKE_SA_INIT,
# which B drops as from an unconfigured address): watch until it has.
a_retried() { bctl --json status | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["ike_drops"].get("unknown_peer", 0) > 0 else 1)'; }
check "A tried again from the foreign address and B dropped it" lg_wait 40 a_retried
kill "${LG_PIDS[-1]}" 2>/dev/null
# control: the capture does see a packet to the foreign address (one ICMP
# echo sent by hand, not by linegate)
lg_ping gwb "$FOREIGN" -c 1 -W 2 >/dev/null
seen_control() { tcpdump -n -r "$T/b-up0.pcap" icmp 2>/dev/null | grep -q "ICMP echo request"; }
check "control: the capture sees a hand-sent ping to $FOREIGN" lg_wait 10 seen_control
pkill -f "tcpdump -i up0 -n -U -w $T/b-up0.pcap" 2>/dev/null
lg_wait 10 bash -c "! pgrep -f 'tcpdump -i up0 -n -U -w $T/b-up0.pcap' >/dev/null"
n=$(tcpdump -n -r "$T/b-up0.pcap" "not icmp and not arp" 2>/dev/null | wc -l)   # the control and its ARP
echo "# packets from B's uplink to $FOREIGN: $n"
check "nothing left B for the foreign address (IKE, ESP or clear: $n packets)" test "$n" = 0
check "no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' '$T/a.log' '$T/b.log'"
if [ "$FAILS" -gt 0 ]; then tail -n 30 "$T/b.log"; fi
echo "natt_move_abroad: $FAILS failed"
[ "$FAILS" = 0 ]
