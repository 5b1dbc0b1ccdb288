# Two linegated in namespaces for the linegatectl tests (ctl_status,
# ctl_monitor): Shanghai (a, initiator) and Beijing (b, responder) over one
# link, plus on a a cross-border peer "hk" bound to a licensed circuit whose
# link is down, so every attempt to it is refused (uplink_down).
# Source after netns.sh; sets T, CTL, BIN, PA, PB and ctl(), start_site().
. "$LG_SOURCE_DIR/tests/lib/site_conf.sh"
lg_ns_init "$1"
for ns in lana gwa lanb gwb; do lg_ns_add "$ns"; done
lg_link lana eth0 10.1.1.10/24 gwa lan0 10.1.1.1/24
lg_link lanb eth0 10.2.1.10/24 gwb lan0 10.2.1.1/24
lg_link gwa up0 10.253.0.1/24 gwb up0 10.253.0.2/24
lg_link gwa circ0 10.254.0.1/24 gwb circ0 10.254.0.2/24
lg_ns gwa ip link set circ0 down
lg_ns lana ip route add default via 10.1.1.1
lg_ns lanb ip route add default via 10.2.1.1

BIN=${LG_ASAN_LINEGATED:-$LINEGATED}
CTL=${LG_ASAN_LINEGATECTL:-$LINEGATECTL}
T=$(mktemp -d /tmp/lg-ctl.XXXXXX)
chmod 700 "$T"
trap 'lg_ns_cleanup; [ -n "${LG_KEEP:-}" ] || rm -rf "$T"' EXIT
psk=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# site DIR NAME LOCAL REMOTE TUNADDR PEER PEERADDR LOCALID REMOTEID MODE [EXTRA]
site() {
	lg_site_conf "$1/linegate.conf" site="$2" local="$3" remote="$4" addr="$5" peer="$6" \
		endpoint="$7" local_id="$8" remote_id="$9" mode="${10}" dev=lgctl0 psk="$psk" \
		peer_extra='dpd 2s' audit_extra='flow-interval 2s' blocks="${11:-}" \
		head=$'compliance {\n    licensed-carriers china-telecom\n}'
}
HK='uplink "ctc" {
    interface circ0
    carrier china-telecom
    circuit-id "CTC-IPLC-SH-0001"
    licensed yes
}
peer "hk" {
    endpoint 10.254.0.2
    region HK
    uplink ctc
    local-id sh-gw.corp.example
    remote-id hk-gw.corp.example
    auth psk
    psk-file "peer.psk"
    local-subnets 10.1.0.0/16
    remote-subnets 10.3.0.0/16
    mode initiator
}'
site "$T/a" sha 10.1.0.0/16 10.2.0.0/16 10.1.0.1/24 bj 10.253.0.2 sh-gw.corp.example bj-gw.corp.example initiator "$HK"
site "$T/b" bj 10.2.0.0/16 10.1.0.0/16 10.2.0.1/24 sha 10.253.0.1 bj-gw.corp.example sh-gw.corp.example responder

ctl() { "$CTL" -c "$T/$1/linegate.conf" "${@:2}"; }
# start_site a|b: the daemon of that site in its gateway namespace
start_site() {
	ip netns exec "$(lg_ns_name "gw$1")" "$BIN" -f -c "$T/$1/linegate.conf" 2>>"$T/$1.log" &
	eval "P${1^^}=\$!"
	LG_PIDS+=($!)
}
# jq-like checks with python: pyj SITE CMD... -- 'python expression on d'
pyj() {
	local site=$1 expr=${*: -1}
	ctl "$site" --json "${@:2:$#-2}" | python3 -c "import json,sys; d=json.load(sys.stdin); sys.exit(0 if ($expr) else 1)"
}
