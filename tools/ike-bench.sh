#!/usr/bin/env bash
# ike-bench.sh - the head-office hub benchmark (issue 15 item 4): one
# linegated responder with N branch peers, driven by a swarm of linegate's
# own IKE initiators (ike_swarm, tests/bench/ike_swarm.c), each branch from
# its own source address, closed loop with a bounded number in flight. A
# benchmark: it prints figures and asserts only that every SA came up.
#
#   tools/ike-bench.sh                          1,000 / 5,000 / 20,000 SAs
#   IKEB_MILES=1000,5000 tools/ike-bench.sh      these milestones (the last = N)
#   IKEB_MILES=50 IKEB_DP=0 IKEB_RESTART=0 tools/ike-bench.sh    smoke
#
# Prints (one line each):
#   MILESTONE sas=N setups_per_s cpu_ms_per_setup (responder utime+stime from
#     /proc/PID/stat, from the first setup to the N-th) seg_* (since the last
#     milestone) rss_kib kib_per_sa (VmRSS 2 s after the N-th setup, over the
#     RSS with the same configuration loaded and no SA)
#   DP sas=1|1000 tcp1_gbps udp64_kpps (IKEB_DP=1, default): iperf3 between a
#     real linegated branch and the hub, with 1 and with 1,000 SAs installed
#   RESTART sas=N back_s (IKEB_RESTART=1, default, N = IKEB_RESTART_SAS or
#     5,000): the hub is killed (SIGKILL) and restarted, every branch starts
#     over (as its DPD would find), IKEB_RESTART_INFLIGHT (256) at a time;
#     seconds from the restart until all are back (cookies engage as needed:
#     cookie_summaries counts the hub's summaries of IKE_SA_INITs it asked
#     for a cookie, ike_queue_full_drops the largest running total a worker
#     reported of datagrams dropped on a full IKE queue)
#   SWAN MILESTONE ... (IKEB_SWAN=1, default when charon is installed): the
#     same swarm at IKEB_SWAN_MILES (default the same milestones) against a
#     strongSwan responder in the hub's place (charon, swanctl, the same
#     branches and keys from tools/lib/hub-config.sh, chacha20poly1305-
#     prfsha256-x25519, PSK, one CHILD SA each, kernel-libipsec: userspace
#     ESP on a TUN device, strongSwan's defaults otherwise)
#
# Namespaces <tag>ikeb-hub, -sw (the swarm; routes 100.64.0.0/10 as local,
# AnyIP, and forwards for the branch) and -br (a real linegated branch for
# the datapath rows). It refuses to run unless it can create them, and all
# traffic stays inside them; they are removed on exit.
# Environment: LG_BUILD_DIR (default <repo>/build: linegated and ike_swarm,
# RelWithDebInfo), LINEGATED, IKE_SWARM, LG_NS_TAG, IKEB_INFLIGHT (8: below
# the hub's cookie threshold of 16 half-open SAs), IKEB_DUR (10 s per iperf3
# test), IKEB_WORK (default a mktemp directory), CHARON (/usr/lib/ipsec/charon).
set -euo pipefail

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd -- "$HERE/.." && pwd)
LG_BUILD_DIR=${LG_BUILD_DIR:-$REPO/build}
LINEGATED=${LINEGATED:-$LG_BUILD_DIR/linegated}
IKE_SWARM=${IKE_SWARM:-$LG_BUILD_DIR/tests/ike_swarm}
MILES=${IKEB_MILES:-1000,5000,20000}
N=${MILES##*,}
INFLIGHT=${IKEB_INFLIGHT:-8}
DP=${IKEB_DP:-1}
RESTART=${IKEB_RESTART:-1}
RESTART_SAS=${IKEB_RESTART_SAS:-5000}
[ "$RESTART_SAS" -le "$N" ] || RESTART_SAS=$N
RESTART_INFLIGHT=${IKEB_RESTART_INFLIGHT:-256}
DUR=${IKEB_DUR:-10}
CHARON=${CHARON:-/usr/lib/ipsec/charon}
SWAN=${IKEB_SWAN:-$([ -x "$CHARON" ] && command -v swanctl > /dev/null && echo 1 || echo 0)}
SWAN_MILES=${IKEB_SWAN_MILES:-$MILES}
[ "${SWAN_MILES##*,}" -le "$N" ] || { echo "IKEB_SWAN_MILES beyond $N branches" >&2; exit 1; }
PFX=${LG_NS_TAG:-}ikeb-
NS_HUB=${PFX}hub NS_SW=${PFX}sw NS_BR=${PFX}br
HUB=198.51.100.1 SWA=198.51.100.2 BRA=192.0.2.2 BRGW=192.0.2.1
# shellcheck source=tools/lib/hub-config.sh
. "$HERE/lib/hub-config.sh"   # branch i: HUB_BRANCH_BASE + i, the i-th /24 of HUB_SUBNET_BASE

[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)" >&2; exit 1; }
[ -x "$LINEGATED" ] || { echo "no linegated at $LINEGATED" >&2; exit 1; }
[ -x "$IKE_SWARM" ] || { echo "no ike_swarm at $IKE_SWARM" >&2; exit 1; }
W=${IKEB_WORK:-$(mktemp -d /tmp/lg-ikeb.XXXXXX)}
mkdir -p "$W"
chmod 700 "$W"
PIDS=()

log() { echo "# $*" >&2; }
in_ns() { local n=$1; shift; ip netns exec "$n" "$@"; }

cleanup() {
	local p n
	for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -KILL -- "-$p" 2>/dev/null || true; done
	for n in $NS_HUB $NS_SW $NS_BR; do
		ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
		ip netns del "$n" 2>/dev/null || true
	done
	[ -n "${IKEB_WORK:-}" ] || rm -rf "$W"
	[ -z "${MAPS_WAS:-}" ] || sysctl -qw vm.max_map_count="$MAPS_WAS"
}
trap cleanup EXIT

wait_for() { local end=$((SECONDS + $1)); shift; until "$@" > /dev/null 2>&1; do
	[ $SECONDS -lt $end ] || return 1; sleep 0.2; done; }

bg() { # NS NAME CMD...: background in the namespace, own process group
	local n=$1 name=$2; shift 2
	setsid ip netns exec "$n" "$@" > "$W/$name.log" 2>&1 < /dev/null &
	PIDS+=("$!")
	LAST=$!
}

netns_up() {
	local n
	for n in $NS_HUB $NS_SW $NS_BR; do
		ip netns del "$n" 2>/dev/null || true
		ip netns add "$n"
		in_ns "$n" ip link set lo up
	done
	ip link add eth0 netns $NS_HUB type veth peer name hub netns $NS_SW
	ip link add eth0 netns $NS_BR type veth peer name br netns $NS_SW
	in_ns $NS_HUB ip addr add $HUB/24 dev eth0
	in_ns $NS_SW ip addr add $SWA/24 dev hub
	in_ns $NS_SW ip addr add $BRGW/24 dev br
	in_ns $NS_BR ip addr add $BRA/24 dev eth0
	for n in "$NS_HUB eth0" "$NS_SW hub" "$NS_SW br" "$NS_BR eth0"; do
		# shellcheck disable=SC2086
		in_ns ${n% *} ip link set dev ${n#* } up
	done
	in_ns $NS_HUB ip route add default via $SWA
	in_ns $NS_BR ip route add default via $BRGW
	# every branch address is the swarm's own (AnyIP): no 20,000 addresses
	in_ns $NS_SW ip route add local 100.64.0.0/10 dev lo
	in_ns $NS_SW sysctl -qw net.ipv4.ip_forward=1
}

# The hub: tools/lib/hub-config.sh's configuration (one peer block, PSK
# file and /24 per branch, as hub-config-bench.sh loads it) plus the real
# branch "real".
gen_hub() {
	local d=$W/hub
	hub_config_write "$N" "$d"
	cat >> "$d/hub.conf" <<CONF
peer "real" {
  endpoint $BRA
  remote-id real.branches.corp.example
  psk-file "keys/real.psk"
  remote-subnets 10.250.0.0/24
}
CONF
	printf '0x%064x\n' 999999 > "$d/keys/real.psk"
	chmod 600 "$d/keys/real.psk"
}

gen_branch() {
	local d=$W/br
	mkdir -p "$d"
	cp "$W/hub/keys/real.psk" "$d/real.psk"
	cat > "$d/br.conf" <<CONF
site "real" {
  region CN
  identity-domain "corp.example"
  internal-space 10.0.0.0/8
}
uplink "internet" {
  interface eth0
}
tunnel {
  address 10.250.0.1/24
}
audit {
  journal-dir "$d/audit"
  retention 180d
}
control {
  socket "$d/control.sock"
}
peer "hub" {
  endpoint $HUB
  region CN
  uplink internet
  local-id real.branches.corp.example
  remote-id hub.corp.example
  auth psk
  psk-file "real.psk"
  local-subnets 10.250.0.0/24
  remote-subnets 10.1.0.0/16
  ike-proposals chacha20poly1305-prfsha256-x25519
  esp-proposals chacha20poly1305
  mode initiator
}
CONF
	chmod 600 "$d/br.conf" "$d/real.psk"
}

hub_start() {
	bg $NS_HUB hub "$LINEGATED" -f -c "$W/hub/hub.conf"
	HUB_PGID=$LAST
	wait_for 120 test -S "$W/hub/control.sock" || { log "hub did not start"; tail "$W/hub.log" >&2; exit 1; }
	HUB_PID=$(pgrep -g "$HUB_PGID" -x linegated | head -1)
	echo "$HUB_PID" > "$W/hub.pid"
}

# iperf3 between the real branch and the hub over the branch's tunnel
dp_rows() { # SAS
	local sas=$1 tcp udp
	wait_for 60 in_ns $NS_BR ping -c1 -W1 -I 10.250.0.1 10.1.0.1 || { log "no tunnel to the hub"; return 1; }
	bg $NS_HUB iperf-s iperf3 -s -B 10.1.0.1 -p 5201
	local srv=$LAST
	wait_for 10 in_ns $NS_HUB sh -c "ss -Hltn 'sport = :5201' | grep -q ."
	in_ns $NS_BR iperf3 -c 10.1.0.1 -B 10.250.0.1 -p 5201 -t "$DUR" --json > "$W/tcp-$sas.json" || true
	in_ns $NS_BR iperf3 -c 10.1.0.1 -B 10.250.0.1 -p 5201 -t "$DUR" -u -b 0 -l 64 --json \
		> "$W/udp-$sas.json" || true
	kill -TERM -- "-$srv" 2>/dev/null || true
	tcp=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%.3f" % (d["end"]["sum_received"]["bits_per_second"]/1e9))' "$W/tcp-$sas.json" 2>/dev/null || echo NA)
	udp=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["end"]["sum"]; print("%.1f" % ((s["packets"]-s["lost_packets"])/s["seconds"]/1e3))' "$W/udp-$sas.json" 2>/dev/null || echo NA)
	echo "DP sas=$sas tcp1_gbps=$tcp udp64_kpps=$udp"
}

swarm() { # COUNT MILESTONES [ARGS...]: the swarm in the background, output in $W/swarm.out
	local n=$1 m=$2; shift 2
	setsid ip netns exec $NS_SW "$IKE_SWARM" -H $HUB -b $HUB_BRANCH_BASE -t $HUB_SUBNET_BASE -n "$n" -m "$m" -j "$INFLIGHT" \
		-k "$W/hub/keys" -p "$HUB_PID" "$@" > "$W/swarm.out" 2> "$W/swarm.err" < /dev/null &
	PIDS+=("$!")
	SWARM=$!
}

swarm_wait_line() { # PATTERN TIMEOUT
	wait_for "$2" grep -q "$1" "$W/swarm.out" || { log "swarm: no '$1'"; tail "$W/swarm.err" >&2; return 1; }
}

swarm_stop() { kill -KILL -- "-$SWARM" 2>/dev/null || true; wait "$SWARM" 2>/dev/null || true; }

# each swarm branch holds its PSK in sodium memory (guard pages: several
# mappings each): past about 16,000 branches the default 65,530 mappings
# run out; raised for the run, restored on exit
MAPS_NEED=$((N * 6 + 65536))
if [ "$(sysctl -n vm.max_map_count)" -lt "$MAPS_NEED" ]; then
	MAPS_WAS=$(sysctl -n vm.max_map_count)
	sysctl -qw vm.max_map_count="$MAPS_NEED"
fi
netns_up
log "$(date -u +%FT%TZ) $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); N=$N in flight $INFLIGHT; work $W"
gen_hub
gen_branch
hub_start

if [ "$DP" = 1 ]; then
	bg $NS_BR branch "$LINEGATED" -f -c "$W/br/br.conf"
	dp_rows 1
	# 999 swarm SAs beside the real branch's: 1,000 installed
	dpn=$((N < 999 ? N : 999))
	swarm $dpn $dpn -R
	swarm_wait_line READY 600
	dp_rows $((dpn + 1))
	swarm_stop
	kill -KILL -- "-$LAST" 2>/dev/null || true
	# a clean hub for the setup figures (no SA, the same configuration)
	kill -KILL -- "-$HUB_PGID" 2>/dev/null || true
	wait_for 30 sh -c "! kill -0 $HUB_PID"
	rm -f "$W/hub/control.sock"
	hub_start
fi

swarm "$N" "$MILES"
while kill -0 "$SWARM" 2>/dev/null; do sleep 1; done
wait "$SWARM" || { log "swarm failed"; tail "$W/swarm.err" >&2; exit 1; }
grep -E '^(BASE|MILESTONE)' "$W/swarm.out"
log "load after the setups: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "$RESTART" = 1 ]; then
	kill -KILL -- "-$HUB_PGID" 2>/dev/null || true
	wait_for 30 sh -c "! kill -0 $HUB_PID"
	rm -f "$W/hub/control.sock"
	hub_start
	swarm "$RESTART_SAS" "$RESTART_SAS" -R -J "$RESTART_INFLIGHT" -P "$W/hub.pid"
	swarm_wait_line READY 600
	# the hub dies with every SA; t0 is the kill, the swarm is told once the new hub listens
	t0=$(date +%s.%N)
	kill -KILL -- "-$HUB_PGID" 2>/dev/null || true
	wait_for 30 sh -c "! kill -0 $HUB_PID"
	rm -f "$W/hub/control.sock"
	hub_start
	t1=$(date +%s.%N)
	kill -USR1 "$(pgrep -g "$SWARM" -x ike_swarm | head -1)"
	while kill -0 "$SWARM" 2>/dev/null; do sleep 1; done
	line=$(grep '^RESTART' "$W/swarm.out") || { log "restart: not all back"; tail "$W/swarm.err" >&2; exit 1; }
	# did cookies engage (the hub's per-interval summaries of refused
	# IKE_SA_INITs), did its IKE queue overflow (a worker's running total)
	cookies=$(grep -a -c 'reason=cookie_required' "$W/hub.log" || true)
	qfull=$({ grep -a 'reason=ike_queue_full' "$W/hub.log" || true; } | sed -n 's/.*total=\([0-9]*\).*/\1/p' |
		awk '$1 > m { m = $1 } END { print m + 0 }')
	echo "$line hub_start_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')" \
		"cookie_summaries=$cookies ike_queue_full_drops=$qfull"
fi
# strongSwan in the hub's place: charon's pid file is fixed (/run/charon.pid),
# so it gets a private /run; kernel-libipsec before kernel-netlink (the
# first kernel-ipsec backend registered wins), as tools/bench-peers runs it
swan_start() {
	local d=$W/swan
	hub_swanctl_write "${SWAN_MILES##*,}" "$d"
	cat > "$d/strongswan.conf" <<CONF
charon {
  load_modular = no
  load = random nonce openssl pem pkcs1 x509 pubkey curve25519 sha1 sha2 hmac kdf kernel-libipsec kernel-netlink socket-default vici
  plugins {
    vici { socket = unix://$d/charon.vici }
  }
  filelog { stderr { default = ${IKEB_SWAN_LOG:-0} } }
}
CONF
	# the hub's inside address (linegated's is on its TUN): charon's routes
	# to the branches take their source from it
	in_ns $NS_HUB ip addr replace 10.1.0.1/32 dev lo
	bg $NS_HUB charon env STRONGSWAN_CONF="$d/strongswan.conf" \
		unshare -m sh -c 'mount -t tmpfs ikeb-run /run && exec "$0"' "$CHARON"
	SWAN_PGID=$LAST
	wait_for 60 test -S "$d/charon.vici" || { log "charon did not start"; tail "$W/charon.log" >&2; exit 1; }
	SWANCTL_DIR=$d in_ns $NS_HUB swanctl --load-all --noprompt --file "$d/swanctl.conf" \
		--uri "unix://$d/charon.vici" > "$W/swanctl.log" 2>&1 ||
		{ log "swanctl --load-all failed"; tail "$W/swanctl.log" >&2; exit 1; }
	HUB_PID=$(pgrep -g "$SWAN_PGID" -x charon | head -1)
}

if [ "$SWAN" = 1 ]; then
	kill -KILL -- "-$HUB_PGID" 2>/dev/null || true
	wait_for 30 sh -c "! kill -0 $HUB_PID"
	log "strongSwan $("$CHARON" --version 2>/dev/null | head -1) responder, load $(cut -d' ' -f1-3 /proc/loadavg)"
	swan_start
	swarm "${SWAN_MILES##*,}" "$SWAN_MILES"
	while kill -0 "$SWARM" 2>/dev/null; do sleep 1; done
	wait "$SWARM" || { log "swarm against strongSwan failed"; tail "$W/swarm.err" >&2; exit 1; }
	grep -E '^(BASE|MILESTONE)' "$W/swarm.out" | sed 's/^/SWAN /'
	log "load after the strongSwan setups: $(cut -d' ' -f1-3 /proc/loadavg)"
	kill -KILL -- "-$SWAN_PGID" 2>/dev/null || true
fi
log "done $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
