# Sourced by the NAT traversal tests: site A behind a NAT router (nftables
# masquerade in its own namespace), site B outside it, each a LAN host and a
# linegated with one PSK peer (A initiates; B knows A only by the NAT's
# outside address 10.254.0.1).
#   . "$LG_SOURCE_DIR/tests/lib/nat_sites.sh"
#   nat_sites_setup PREFIX TUNDEV DPD     # namespaces, NAT, configs in $T/a, $T/b
#   nat_sites_start                       # both daemons (ASan builds if given)
# Provides check, peer_up SITE, $T, $CTL, $FAILS.
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
. "$LG_SOURCE_DIR/tests/lib/site_conf.sh"
command -v nft >/dev/null || { echo "SKIP: nft (nftables) missing" >&2; exit 77; }

BIN=${LG_ASAN_LINEGATED:-$LINEGATED}
CTL=${LG_ASAN_LINEGATECTL:-$LINEGATECTL}
FAILS=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }
peer_up() { "$CTL" -c "$T/$1/linegate.conf" --json peers | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)[0]["state"]=="up" else 1)'; }

nat_site_conf() { # DIR NAME LOCAL REMOTE TUNADDR PEERADDR LOCALID REMOTEID MODE TUNDEV DPD PSK
	lg_site_conf "$1/linegate.conf" site="$2" local="$3" remote="$4" addr="$5" peer=other \
		endpoint="$6" local_id="$7" remote_id="$8" mode="$9" dev="${10}" psk="${12}" \
		peer_extra="dpd ${11}"
}

nat_sites_setup() { # PREFIX TUNDEV DPD
	local psk
	lg_ns_init "$1"
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
	T=$(mktemp -d "/tmp/${1%-}.XXXXXX")
	chmod 700 "$T"
	trap 'lg_ns_cleanup; [ -n "${LG_KEEP:-}" ] || rm -rf "$T"' EXIT
	psk=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	nat_site_conf "$T/a" sha 10.1.0.0/16 10.2.0.0/16 10.1.0.1/24 10.254.0.2 \
		sh-gw.corp.example bj-gw.corp.example initiator "$2" "$3" "$psk"
	nat_site_conf "$T/b" bj 10.2.0.0/16 10.1.0.0/16 10.2.0.1/24 10.254.0.1 \
		bj-gw.corp.example sh-gw.corp.example responder "$2" "$3" "$psk"
}

nat_sites_start() {
	export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	ip netns exec "$(lg_ns_name gwb)" "$BIN" -f -c "$T/b/linegate.conf" 2>"$T/b.log" &
	LG_PIDS+=("$!")
	ip netns exec "$(lg_ns_name gwa)" "$BIN" -f -c "$T/a/linegate.conf" 2>"$T/a.log" &
	LG_PIDS+=("$!")
}
