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
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
command -v nft >/dev/null || { echo "SKIP: nft (nftables) missing" >&2; exit 77; }
lg_ns_init lgn-rbd-
for ns in lana gwa nat gwb lanb; do lg_ns_add "$ns"; done
lg_link lana eth0 10.1.1.10/24 gwa lan0 10.1.1.1/24
lg_link lanb eth0 10.2.1.10/24 gwb lan0 10.2.1.1/24
lg_link gwa up0 192.168.50.2/24 nat in0 192.168.50.1/24
lg_link nat out0 10.254.0.1/24 gwb up0 10.254.0.2/24
lg_ns lana ip route add default via 10.1.1.1
lg_ns lanb ip route add default via 10.2.1.1
lg_ns gwa ip route add default via 192.168.50.1
lg_ns nat nft -f - <<'NFT' || lg_die "nftables masquerade"
table ip nat {
	chain post { type nat hook postrouting priority srcnat; oifname "out0" masquerade; }
}
NFT

BIN=${LG_ASAN_LINEGATED:-$LINEGATED}
CTL=${LG_ASAN_LINEGATECTL:-$LINEGATECTL}
T=$(mktemp -d /tmp/lg-rbd.XXXXXX)
chmod 700 "$T"
trap 'lg_ns_cleanup; [ -n "${LG_KEEP:-}" ] || rm -rf "$T"' EXIT
FAILS=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }
psk=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')

site() { # site DIR NAME LOCAL REMOTE TUNADDR PEERADDR LOCALID REMOTEID MODE
	mkdir -p "$1"
	printf '0x%s\n' "$psk" > "$1/peer.psk"
	chmod 600 "$1/peer.psk"
	cat > "$1/linegate.conf" <<CONF
site "$2" {
    region CN
    identity-domain "corp.example"
    internal-space 10.0.0.0/8
}
uplink "u0" {
    interface up0
}
tunnel {
    device lgrbd0
    address $5
}
peer "other" {
    endpoint $6
    region CN
    uplink u0
    local-id $7
    remote-id $8
    auth psk
    psk-file "peer.psk"
    local-subnets $3
    remote-subnets $4
    dpd 3s
    mode $9
}
audit {
    journal-dir "audit"
}
control {
    socket "control.sock"
    workers 1
}
CONF
}
site "$T/a" sha 10.1.0.0/16 10.2.0.0/16 10.1.0.1/24 10.254.0.2 sh-gw.corp.example bj-gw.corp.example initiator
site "$T/b" bj 10.2.0.0/16 10.1.0.0/16 10.2.0.1/24 10.254.0.1 bj-gw.corp.example sh-gw.corp.example responder

export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ip netns exec "$(lg_ns_name gwb)" "$BIN" -f -c "$T/b/linegate.conf" 2>"$T/b.log" &
LG_PIDS+=("$!")
ip netns exec "$(lg_ns_name gwa)" "$BIN" -f -c "$T/a/linegate.conf" 2>"$T/a.log" &
LG_PIDS+=("$!")
peer_up() { "$CTL" -c "$T/$1/linegate.conf" --json peers | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)[0]["state"]=="up" else 1)'; }
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
check "no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' '$T/a.log' '$T/b.log'"
if [ "$FAILS" -gt 0 ]; then tail -n 30 "$T/a.log" "$T/b.log"; fi
echo "natt_rebind: $FAILS failed"
[ "$FAILS" = 0 ]
