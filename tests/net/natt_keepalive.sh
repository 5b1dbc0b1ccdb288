#!/usr/bin/env bash
# NAT traversal through a real NAT (nftables masquerade in a router
# namespace): site A sits behind the NAT and initiates, site B is on the
# outside and only ever sees the NAT's address. Checks that A detects the NAT
# (RFC 7296 §2.23, ike_sa_up nat=local), that the tunnel works both ways
# through the mapping (ESP in UDP 4500, RFC 3948), and that A keeps the
# mapping alive with 1-byte 0xff keepalives while IKE is idle (RFC 3948 §2.3),
# which B's datapath discards.
set -u
. "$LG_SOURCE_DIR/tests/lib/nat_sites.sh"
nat_sites_setup lgn-nat- lgnat0 0s
# Everything B receives on 4500 from the NAT, for the keepalive check
lg_ns_bg gwb timeout 600 tcpdump -i up0 -n -U -s 64 -w "$T/b-4500.pcap" 'udp port 4500' 2>"$T/tcpdump.log" >/dev/null
TD=${LG_PIDS[-1]}
lg_wait 10 grep -q "listening on" "$T/tcpdump.log" || echo "warning: tcpdump did not report listening" >&2
nat_sites_start

check "the IKE SA comes up through the NAT" lg_wait 20 peer_up a
check "the responder sees it up too" lg_wait 5 peer_up b
check "site A detected that it is behind a NAT (ike_sa_up nat=local)" \
	bash -c "grep -rhs '\"event\":\"ike_sa_up\"' '$T/a/audit' | grep -q '\"nat\":\"local\"'"
check "ping LAN a -> LAN b through the tunnel and the NAT" lg_ping lana 10.2.1.10 -c 3 -i 0.2 -W 2
check "ping LAN b -> LAN a: B answers to the NAT mapping" lg_ping lanb 10.1.1.10 -c 3 -i 0.2 -W 2
# IKE stays idle (no DPD configured): after 20 s of IKE silence A sends 0xff.
KEEPALIVE='udp port 4500 and src host 10.254.0.1 and udp[4:2] = 9 and udp[8] = 0xff'
keepalive_seen() { [ "$(tcpdump -r "$T/b-4500.pcap" -n "$KEEPALIVE" 2>/dev/null | wc -l)" -ge 1 ]; }
echo "waiting for a keepalive (due after 20 s of IKE silence, RFC 3948 §2.3)"
lg_wait 30 keepalive_seen
kill -INT "$TD" 2>/dev/null   # timeout passes it on: tcpdump writes its last packets
wait "$TD" 2>/dev/null
n_keep=$(tcpdump -r "$T/b-4500.pcap" -n "$KEEPALIVE" 2>/dev/null | wc -l)
check "B received NAT-T keepalives (1-byte 0xff) from the NAT's address (got $n_keep)" test "$n_keep" -ge 1
both_ways() { lg_ping lanb 10.1.1.10 -c 2 -i 0.2 -W 2 >/dev/null && lg_ping lana 10.2.1.10 -c 2 -i 0.2 -W 2 >/dev/null; }
check "after the keepalives the tunnel still carries traffic both ways" both_ways
pcap_count() { tcpdump -r "$T/b-4500.pcap" -n "$1" 2>/dev/null | wc -l; }
n_nat=$(pcap_count 'udp port 4500 and src host 10.254.0.1')
n_inside=$(pcap_count 'src net 192.168.50.0/24')
check "B saw A only as the NAT's address ($n_nat from 10.254.0.1, $n_inside from inside)" \
	test "$n_nat" -gt 0 -a "$n_inside" = 0
check "B's datapath dropped nothing as malformed or unknown SPI (keepalives are discarded, not dropped)" \
	bash -c "'$CTL' -c '$T/b/linegate.conf' --json status | python3 -c 'import json,sys; d=json.load(sys.stdin)[\"drops\"]; sys.exit(0 if d[\"malformed\"]==0 and d[\"bad_spi\"]==0 else 1)'"
check "no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' '$T/a.log' '$T/b.log'"
if [ "$FAILS" -gt 0 ]; then tail -n 20 "$T/a.log" "$T/b.log"; fi
echo "natt_keepalive: $FAILS failed"
[ "$FAILS" = 0 ]
