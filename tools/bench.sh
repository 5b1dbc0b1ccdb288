#!/usr/bin/env bash
# bench.sh - linegate's datapath beside plain veth and, with the anchor
# harness of tools/bench-peers (peers.sh, netns.sh), beside
# wireguard-go, OpenVPN and strongSwan in the same run. A benchmark: it prints
# figures, it asserts nothing.
#
#   tools/bench.sh                     all rows (own rows ~1 min each at 10 s per test)
#   tools/bench.sh veth linegate-chacha        only these rows
#   BENCH_DUR=3 tools/bench.sh         quick look
#   BENCH_PEERS=0 tools/bench.sh       skip the shared anchors even if present
#
# Workload = tools/bench-peers/peers.sh's, between two namespaces with the same
# addresses (site A 10.202.1.1 -> site B 10.202.2.1 over a veth underlay
# 10.201.0.0/24): ping RTT (median of 50 at 20 ms), iperf3 TCP 1 and 4
# streams (receiver Gbit/s), iperf3 UDP 64-byte flood (packets delivered/s).
# Output: one line per row
#   ROW name tcp1_gbps=.. tcp4_gbps=.. udp64_kpps=.. udp64_tx_kpps=.. rtt_ms=.. dev=.. mtu=..
# then RATIO lines: each linegate row against each peer row, and the fastest.
#
# Rows: veth, veth-nooffload (no tunnel), linegate-chacha, linegate-aesgcm,
# linegate-aescbc (AES-256-CBC + HMAC-SHA2-256-128)
# (linegated with lab-only static SAs, MTU 1436 = the largest that keeps
# ESP-in-UDP over IPv4 within the underlay's 1500; 1420 for AES-CBC). With BENCH_DP=1 also
# dp-* rows: the datapath alone (tests/net/dp_driver.c) with design options
# the daemon does not expose: no offloads, one shared socket, one worker.
#
# Environment: LINEGATED (default $LG_BUILD_DIR/linegated, LG_BUILD_DIR
# default <repo>/build; use a RelWithDebInfo or Release build), BENCH_DUR (10),
# BENCH_PINGS (50), BENCH_UDP_BW (0 = flood), BENCH_GSO (the daemons'
# tunnel gso-segments, default 16: ESP packets per UDP GSO send), BENCH_PACE
# (their tunnel pace-rate in Mbit/s, default 0: not paced), BENCH_WORK
# (/tmp/lg-bench, /tmp/lg-bench-<tag> with LG_NS_TAG), LG_NS_TAG (prefix of
# our namespaces' names, <tag>lgb-a and <tag>lgb-b, so that parallel runs do not
# collide; the shared anchors' rows keep peers.sh's own names),
# BENCH_PERF=1 (`perf record` of both sites' daemons during tcp1 and udp64; the
# top symbols go to <row>/perf-tcp1.txt and perf-udp64.txt).
# Peer rows: those of tools/bench-peers/peers.sh, plus openvpn-aescbc (OpenVPN
# AES-256-CBC + SHA256) and strongswan-aescbc (charon + kernel-libipsec, IKE
# aes256-sha256-modp2048, ESP aes256-sha256), which it has no row for: they
# run as its `custom` row with tools/bench-peer.sh in each site.
set -euo pipefail

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd -- "$HERE/.." && pwd)
SHARED=${BENCH_SHARED:-$REPO/tools/bench-peers}
LG_BUILD_DIR=${LG_BUILD_DIR:-$REPO/build}
LINEGATED=${LINEGATED:-$LG_BUILD_DIR/linegated}
DUR=${BENCH_DUR:-10}
PINGS=${BENCH_PINGS:-50}
NS_PFX=${LG_NS_TAG:-}lgb-
WORK=${BENCH_WORK:-/tmp/lg-bench${LG_NS_TAG:+-${LG_NS_TAG%-}}}
ROW_TIMEOUT=$((4 * DUR + 90))
OWN_ROWS="veth veth-nooffload linegate-chacha linegate-aesgcm linegate-aescbc"
# The cost of the audit trail on the fast path: flow records every second
# (an extreme setting; the default is 5 min) against flow records off.
AUDIT_ROWS="linegate-chacha-flow1s linegate-chacha-flowoff"
DP_ROWS="dp-chacha dp-chacha-nooffload dp-chacha-shared dp-chacha-1worker"
PEER_ROWS="wireguard-go openvpn-chacha openvpn-aesgcm openvpn-aescbc strongswan-chacha strongswan-aesgcm strongswan-aescbc"
NS_A=${NS_PFX}a NS_B=${NS_PFX}b
UL_A=10.201.0.1 UL_B=10.201.0.2 LAN_A=10.202.1.1 LAN_B=10.202.2.1
LANNET_A=10.202.1.0/24 LANNET_B=10.202.2.0/24 TUN_A=10.202.0.1 TUN_B=10.202.0.2
MTU=1436
PIDS=()

log() { echo "# $*" >&2; }
in_ns() { local s=$1; shift; ip netns exec "$NS_PFX$s" "$@"; }
var() { local v="${2}_${1^^}"; echo "${!v}"; }
other() { [ "$1" = a ] && echo b || echo a; }

netns_down() {
	local ns
	for ns in $NS_A $NS_B; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
}

netns_up() { # the same two sites as tools/bench-peers/netns.sh, our names
	netns_down
	ip netns add $NS_A
	ip netns add $NS_B
	ip link add pa-ul netns $NS_A type veth peer name pa-ul netns $NS_B
	for s in a b; do
		in_ns $s ip link set lo up
		in_ns $s ip addr add "$(var $s UL)/24" dev pa-ul
		in_ns $s ip link set pa-ul up
		in_ns $s ip link add pa-lan type veth peer name pa-lan-p
		in_ns $s ip addr add "$(var $s LAN)/24" dev pa-lan
		in_ns $s ip link set pa-lan up
		in_ns $s ip link set pa-lan-p up
	done
}

bg() { # SITE NAME CMD...: background in the site, own process group
	local s=$1 name=$2; shift 2
	setsid ip netns exec "$NS_PFX$s" "$@" > "$RW/$name.log" 2>&1 < /dev/null &
	PIDS+=("$!")
	LAST=$!
}

kill_started() {
	local p
	for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -TERM -- "-$p" 2>/dev/null || true; done
	for _ in $(seq 30); do
		local alive=0
		for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -0 -- "-$p" 2>/dev/null && alive=1; done
		[ $alive = 0 ] && break
		sleep 0.1
	done
	for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -KILL -- "-$p" 2>/dev/null || true; done
	PIDS=()
}

wait_for() { local end=$((SECONDS + $1)); shift; until "$@" > /dev/null 2>&1; do
	[ $SECONDS -lt $end ] || return 1; sleep 0.2; done; }

# ------------------------------------------------------------------ workload
iperf() { # TAG ARGS...
	local tag=$1 srv; shift
	bg b "$tag-server" timeout $((DUR + 30)) iperf3 -s -1 -B $LAN_B -p 5201
	srv=$LAST
	wait_for 5 in_ns b sh -c "ss -Hltn 'sport = :5201' | grep -q ."
	local perf=
	if [ "${BENCH_PERF:-0}" = 1 ] && [ "$tag" != tcp4 ] && [ -n "${PERF_PID:-}" ]; then
		# both sites' daemons: the sender encrypts, the receiver decrypts
		perf record -g -o "$RW/perf-$tag.data" -p "$PERF_PID" -- sleep "$DUR" > /dev/null 2>&1 &
		perf=$!
	fi
	in_ns a timeout $((DUR + 30)) iperf3 -c $LAN_B -B $LAN_A -p 5201 -t "$DUR" --json "$@" \
		> "$RW/$tag.json" 2> "$RW/$tag.err" || log "$tag: iperf3 client rc=$?"
	wait "$srv" || true
	[ -z "$perf" ] || wait "$perf" || true
	sleep 1
}

measure() { # NAME
	local name=$1 dev
	wait_for 30 in_ns a ping -c1 -W1 -I $LAN_A $LAN_B || { log "$name: no ping within 30 s"; return 1; }
	in_ns a ping -c 10 -i 0.1 -I $LAN_A $LAN_B > /dev/null 2>&1 || true
	in_ns a ping -n -c "$PINGS" -i 0.02 -W 1 -I $LAN_A $LAN_B > "$RW/ping.txt" 2>&1 || true
	iperf tcp1
	iperf tcp4 -P 4
	iperf udp64 -u -b "${BENCH_UDP_BW:-0}" -l 64
	dev=$(in_ns a ip -o route get $LAN_B from $LAN_A | sed -n 's/.* dev \([^ ]*\).*/\1/p')
	python3 - "$name" "$RW" "$PINGS" "$dev" "$(in_ns a cat "/sys/class/net/$dev/mtu")" <<'EOF'
import json, re, statistics, sys
name, rw, pings, dev, mtu = sys.argv[1:]
def load(tag):
    try:
        j = json.load(open(f"{rw}/{tag}.json"))
        return None if "error" in j else j["end"]
    except Exception:
        return None
def tcp(tag):
    e = load(tag)
    return f"{e['sum_received']['bits_per_second'] / 1e9:.3f}" if e else "FAIL"
u = load("udp64")
if u:
    r, t = u["sum_received"], u["sum_sent"]
    rx = f"{(r['packets'] - r['lost_packets']) / r['seconds'] / 1e3:.1f}"
    tx = f"{t['packets'] / t['seconds'] / 1e3:.1f}"
else:
    rx = tx = "FAIL"
rtts = [float(x) for x in re.findall(r"time=([\d.]+) ms", open(f"{rw}/ping.txt").read())]
rtt = f"{statistics.median(rtts):.3f}" if rtts else "FAIL"
print(f"ROW {name} tcp1_gbps={tcp('tcp1')} tcp4_gbps={tcp('tcp4')} udp64_kpps={rx} "
      f"udp64_tx_kpps={tx} rtt_ms={rtt} dev={dev} mtu={mtu}"
      + ("" if len(rtts) == int(pings) else f" ping_replies={len(rtts)}"))
EOF
}

# ------------------------------------------------------------------ rows
row_veth() {
	in_ns a ip route add $LANNET_B via $UL_B src $LAN_A
	in_ns b ip route add $LANNET_A via $UL_A src $LAN_B
}

row_veth_nooffload() {
	row_veth
	in_ns a ethtool -K pa-ul tso off gso off gro off
	in_ns b ethtool -K pa-ul tso off gso off gro off
}

key_hex() { head -c "${1:-36}" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# One linegated per site with a hand-keyed SA (lab-only): the datapath as the
# product runs it, IKE aside.
row_linegate() { # CIPHER (chacha20poly1305 | aes256gcm16 | aes256-sha256) [FLOW_INTERVAL]
	local cipher=$1 flow=${2:-5m} s o ka kb kin kout spin spout klen=36 mtu=$MTU
	[ -x "$LINEGATED" ] || { log "no linegated at $LINEGATED (set LINEGATED or LG_BUILD_DIR)"; return 1; }
	# AES-CBC: key = AES key + HMAC key (linegate.conf(5)); its 16-byte IV,
	# block padding and ICV leave 1420 as the largest unfragmented inner MTU
	[ "$cipher" = aes256-sha256 ] && klen=64 mtu=1420
	ka=$(key_hex $klen) kb=$(key_hex $klen)
	for s in a b; do
		o=$(other $s)
		if [ $s = a ]; then kin=$kb kout=$ka spin=0x00001001 spout=0x00002001
		else kin=$ka kout=$kb spin=0x00002001 spout=0x00001001; fi
		mkdir -p "$RW/$s"
		chmod 700 "$RW/$s"
		cat > "$RW/$s/linegate.conf" <<CONF
site "bench-$s" {
    region CN
    identity-domain "bench.example"
    internal-space 10.0.0.0/8
}
uplink "ul" {
    interface pa-ul
}
tunnel {
    device lg0
    address $(var $s TUN)/32
    mtu $mtu
    gso-segments ${BENCH_GSO:-16}
    pace-rate ${BENCH_PACE:-0}
}
audit {
    journal-dir "$RW/$s/audit"
    retention 180d
    flow-interval $flow
}
control {
    socket "$RW/$s/control.sock"
    workers 0
}
lab-only yes
static-sa "bench" {
    peer $(var $o UL):4500
    region CN
    remote-id "$o.bench.example"
    uplink ul
    cipher $cipher
    spi-in $spin
    spi-out $spout
    key-in 0x$kin
    key-out 0x$kout
    local-subnets $(var $s LANNET)
    remote-subnets $(var $o LANNET)
}
CONF
		chmod 600 "$RW/$s/linegate.conf"
		bg $s "linegated-$s" "$LINEGATED" -f -c "$RW/$s/linegate.conf"
		PERF_PID="${PERF_PID:+$PERF_PID,}$LAST"
	done
	return 0
}

# The datapath alone (dp_driver) with options the daemon does not expose.
row_dp() { # CIPHER DRIVER-OPTIONS...
	local cipher=$1 s o ka kb kin kout spin spout drv=$WORK/dp_driver; shift
	ka=$(key_hex) kb=$(key_hex)
	for s in a b; do
		o=$(other $s)
		if [ $s = a ]; then kin=$kb kout=$ka spin=0x1001 spout=0x2001
		else kin=$ka kout=$kb spin=0x2001 spout=0x1001; fi
		bg $s "dp-$s" "$drv" -t lg0 -a "$(var $s TUN)/32" -m $MTU -u pa-ul -p "$(var $o UL):4500" \
			-c "$cipher" -i $spin -o $spout -I "$kin" -O "$kout" -l "$(var $s LANNET)" \
			-r "$(var $o LANNET)" "$@"
		PERF_PID="${PERF_PID:+$PERF_PID,}$LAST"
	done
}

build_driver() {
	local B=$LG_BUILD_DIR
	[ -f "$B/liblg_net.a" ] || { log "no $B/liblg_net.a: build lg_net first"; return 1; }
	cc -O2 -g -D_GNU_SOURCE -I"$REPO/include" "$REPO/tests/net/dp_driver.c" -o "$WORK/dp_driver" \
		"$B/liblg_net.a" "$B/liblg_esp.a" "$B/liblg_util.a" \
		$(pkg-config --libs libnl-route-3.0 libnl-3.0 libevent libsodium) -lpthread
}

one_row() {
	local row=$1
	RW=$WORK/$row
	rm -rf "$RW"
	mkdir -p "$RW"
	trap 'kill_started; netns_down' EXIT
	trap 'exit 143' TERM INT
	netns_up
	case $row in
	veth) row_veth ;;
	veth-nooffload) row_veth_nooffload ;;
	linegate-chacha) row_linegate chacha20poly1305 ;;
	linegate-aesgcm) row_linegate aes256gcm16 ;;
	linegate-aescbc) row_linegate aes256-sha256 ;;
	linegate-chacha-flow1s) row_linegate chacha20poly1305 1s ;;
	linegate-chacha-flowoff) row_linegate chacha20poly1305 0s ;;
	dp-chacha) row_dp chacha ;;
	dp-chacha-nooffload) row_dp chacha -n ;;
	dp-chacha-shared) row_dp chacha -s ;;
	dp-chacha-1worker) row_dp chacha -w 1 ;;
	*) log "unknown row $row"; return 2 ;;
	esac
	measure "$row"
	local t
	for t in tcp1 udp64; do
		[ -f "$RW/perf-$t.data" ] || continue
		perf report -i "$RW/perf-$t.data" --no-children --sort symbol --stdio -g none 2> /dev/null |
			grep -v '^#' | grep -v '^$' | head -40 > "$RW/perf-$t.txt" || true
	done
}

ratios() { # ROWS-FILE -> RATIO lines: each linegate row against each peer row
	python3 - "$1" <<'EOF'
import re, sys
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r"ROW (\S+) (.*)", line)
    if not m or "FAILED" in line:
        continue
    rows[m.group(1)] = {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)(?=\s|$)", m.group(2))}
ours = [r for r in rows if r.startswith("linegate")]
peers = [r for r in rows if not r.startswith(("linegate", "veth", "dp-"))]
def ratio(a, b, k):
    return f"{rows[a][k] / rows[b][k]:.2f}" if rows[b].get(k) and k in rows[a] else "n/a"
for o in ours:
    for p in peers:
        print(f"RATIO {o}/{p} tcp1={ratio(o, p, 'tcp1_gbps')} tcp4={ratio(o, p, 'tcp4_gbps')} "
              f"udp64={ratio(o, p, 'udp64_kpps')}")
    if peers and "tcp1_gbps" in rows[o] and "udp64_kpps" in rows[o]:
        bt = max(peers, key=lambda p: rows[p].get("tcp1_gbps", 0))
        bu = max(peers, key=lambda p: rows[p].get("udp64_kpps", 0))
        t = rows[o]["tcp1_gbps"] / rows[bt]["tcp1_gbps"]
        u = rows[o]["udp64_kpps"] / rows[bu]["udp64_kpps"]
        verdict = "met" if min(t, u) >= 1.5 else "missed"
        print(f"RATIO {o}/fastest-peer tcp1={t:.2f} (vs {bt}) udp64={u:.2f} (vs {bu}) target_1.5x={verdict}")
EOF
}

# peer_row ROW: one row of the shared harness; the AES-CBC peers it has no
# row for run as its `custom` row with tools/bench-peer.sh in each site.
peer_row() {
	local r=$1 dev=
	# the harness' namespaces get our tag too, so parallel runs do not collide
	export PA_DUR=$DUR PA_PINGS=$PINGS PA_UDP_BW=${BENCH_UDP_BW:-0} PA_WORK=$WORK/peers \
		PA_NS_A=${LG_NS_TAG:-}pa-a PA_NS_B=${LG_NS_TAG:-}pa-b
	case $r in
	openvpn-aescbc | strongswan-aescbc)
		[ "$r" = openvpn-aescbc ] && dev=pa-ovpn
		PA_WORK=$WORK/peers-$r PA_CUSTOM_NAME=$r PA_CUSTOM_DEV=$dev PA_CUSTOM_MTU=${dev:+1500} \
			PA_CUSTOM_A="exec bash $HERE/bench-peer.sh $r" PA_CUSTOM_B="exec bash $HERE/bench-peer.sh $r" \
			bash "$SHARED/peers.sh" custom ;;
	*) bash "$SHARED/peers.sh" "$r" ;;
	esac
}

main() {
	if [ "${1:-}" = --one ]; then one_row "$2"; return; fi
	[ "$(id -u)" = 0 ] || { echo "bench.sh: must run as root" >&2; return 1; }
	mkdir -p "$WORK"
	local rows=${*:-} own="" peers="" r rc out=$WORK/rows.txt
	if [ -z "$rows" ]; then
		rows=$OWN_ROWS
		[ "${BENCH_DP:-0}" = 1 ] && rows="$rows $DP_ROWS"
		[ "${BENCH_AUDIT:-0}" = 1 ] && rows="$rows $AUDIT_ROWS"
		if [ "${BENCH_PEERS:-1}" = 1 ] && [ -x "$SHARED/peers.sh" ]; then rows="$rows $PEER_ROWS"; fi
	fi
	for r in $rows; do
		case " $PEER_ROWS fastd tinc " in *" $r "*) peers="$peers $r" ;; *) own="$own $r" ;; esac
	done
	case "$own" in *dp-*) build_driver ;; esac
	log "$(date -u +%FT%TZ) $(uname -r) $(nproc) cpus; ${DUR}s per iperf3 test; linegated=$LINEGATED; logs in $WORK"
	: > "$out"
	for r in $own; do
		log "row $r (loadavg $(cut -d' ' -f1-3 /proc/loadavg))"
		rc=0
		timeout -k 10 "$ROW_TIMEOUT" bash "$HERE/bench.sh" --one "$r" | tee -a "$out" || rc=$?
		[ "$rc" = 0 ] || echo "ROW $r FAILED rc=$rc logs=$WORK/$r" | tee -a "$out"
		netns_down
	done
	if [ -n "$peers" ]; then
		if [ -x "$SHARED/peers.sh" ]; then
			log "peer rows from $SHARED/peers.sh:$peers"
			for r in $peers; do peer_row "$r" | tee -a "$out" || true; done
		else
			log "no anchor harness at $SHARED: peer rows skipped"
		fi
	fi
	ratios "$out"
}

main "$@"
