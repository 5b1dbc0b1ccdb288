#!/usr/bin/env bash
# NAT rebinding (RFC 7296 §2.23, RFC 3948): site A sits behind a NAT
# (nftables masquerade in a router namespace) and initiates; B is outside.
# Once the tunnel carries traffic, the NAT forgets its mapping (conntrack
# timeouts cut to 1 s) and maps A to a new outside port (40000-40999). B
# must follow A's next authenticated IKE message (DPD every 3 s) to the new
# port with its IKE SA AND its ESP SA: B -> A traffic only works again if
# B's datapath sends ESP to the new mapping (the old one is gone, so
# packets to it are dropped by the NAT).
set -u
. "$LG_SOURCE_DIR/tests/lib/nat_sites.sh"
nat_sites_setup lgn-rbd- lgrbd0 3s
nat_sites_start
# The port B's IKE SA sends to (its "remote" is the NAT's mapping of A).
b_remote_port() { "$CTL" -c "$T/b/linegate.conf" --json sas | python3 -c 'import json,sys; print(json.load(sys.stdin)["ike_sas"][0]["remote"].rsplit(":",1)[1])'; }
b_spi_i() { "$CTL" -c "$T/b/linegate.conf" --json sas | python3 -c 'import json,sys; print(json.load(sys.stdin)["ike_sas"][0]["spi_i"])'; }
b_followed() { p=$(b_remote_port) && [ "$p" -ge 40000 ] && [ "$p" -le 40999 ]; }
# Does the NAT still hold A's original mapping (outside port 4500)?
old_mapping() { lg_ns nat grep -q 'src=192.168.50.2 .*sport=4500 dport=4500 src=10.254.0.2 dst=10.254.0.1 sport=4500 dport=4500' /proc/net/nf_conntrack; }
both_ways() { lg_ping lanb 10.1.1.10 -c 2 -i 0.2 -W 2 >/dev/null && lg_ping lana 10.2.1.10 -c 2 -i 0.2 -W 2 >/dev/null; }

check "the IKE SA comes up through the NAT" lg_wait 20 peer_up a
check "the responder sees it up too" lg_wait 5 peer_up b
check "tunnel carries traffic both ways" both_ways
check "B first sends to the NAT's port 4500 (got $(b_remote_port))" test "$(b_remote_port)" = 4500
check "the NAT maps A to outside port 4500" old_mapping
spi_before=$(b_spi_i)

# The NAT reboots its table: every idle UDP mapping expires after 1 s, and new
# ones get outside ports 40000-40999.
lg_ns nat sysctl -qw net.netfilter.nf_conntrack_udp_timeout=1 net.netfilter.nf_conntrack_udp_timeout_stream=1
lg_ns nat nft flush chain ip nat post
lg_ns nat nft add rule ip nat post oifname out0 meta l4proto udp masquerade to :40000-40999
no_old_mapping() { ! old_mapping; }
check "the NAT forgot A's mapping" lg_wait 20 no_old_mapping
lg_ns nat sysctl -qw net.netfilter.nf_conntrack_udp_timeout=30 net.netfilter.nf_conntrack_udp_timeout_stream=120
check "B's IKE SA followed A to the new mapping (40000-40999)" lg_wait 20 b_followed
echo "# B's IKE SA now sends to port $(b_remote_port || true)"
check "B logged the endpoint update to the new mapping" \
	grep -qE 'event=ike_endpoint_update .* to=10\.254\.0\.1:40[0-9]{3} ' "$T/b.log"
# ESP from B reaches A only through the new mapping: proves ESP followed too.
check "ping LAN b -> LAN a after the rebinding (B's ESP follows)" \
	lg_wait 10 lg_ping lanb 10.1.1.10 -c 1 -W 1
check "tunnel carries traffic both ways after the rebinding" both_ways
check "the same IKE SA carried on (no re-establishment): spi_i $spi_before" \
	test -n "$spi_before" -a "$(b_spi_i)" = "$spi_before"
# flows name the peer that negotiated the SA, not the owner of the outer
# address (A's new mapping is nobody's configured endpoint)
check "flows on B still name the peer after the move" \
	bash -c "'$CTL' -c '$T/b/linegate.conf' flows | grep -q '^peer other '"
check "no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' '$T/a.log' '$T/b.log'"
if [ "$FAILS" -gt 0 ]; then tail -n 30 "$T/a.log" "$T/b.log"; fi
echo "natt_rebind: $FAILS failed"
[ "$FAILS" = 0 ]
