#!/usr/bin/env bash
# hub-config-bench.sh - how long linegated takes to load and check a head
# office hub's configuration of N branches (one peer block, one PSK file and
# one remote /24 per branch, shared keys in a defaults block). A benchmark:
# it prints figures and asserts nothing.
#
#   tools/hub-config-bench.sh                  1,000 and 10,000 peers
#   tools/hub-config-bench.sh 20000            these counts
#
# Each count runs `linegated --check-config` (syntax, duplicate names and
# endpoints, overlapping subnets, compliance of every peer, key file modes)
# three times in a new network namespace that has the uplink's interface
# (a veth eth0), and prints the run with the least CPU time (user + system;
# the wall time of a loaded machine says more about its neighbours):
#   PEERS n=10000 wall_s=0.31 cpu_s=0.21 bytes=1234567
# then starts the daemon three times the same way (a fresh journal each
# time) and prints the time from exec to its sd_notify READY=1 (config
# loaded and checked, keys read, journal opened and the configuration
# stored, datapath, IKE and control socket up), least CPU again:
#   START n=10000 ready_wall_s=0.52 ready_cpu_s=0.40
# Environment: LINEGATED (default $LG_BUILD_DIR/linegated, LG_BUILD_DIR
# default <repo>/build), HUBCFG_WORK (default a mktemp directory).
set -euo pipefail

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd -- "$HERE/.." && pwd)
LG_BUILD_DIR=${LG_BUILD_DIR:-$REPO/build}
LINEGATED=${LINEGATED:-$LG_BUILD_DIR/linegated}
[ -x "$LINEGATED" ] || { echo "no linegated at $LINEGATED" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "needs root (a network namespace for the uplink)" >&2; exit 1; }
COUNTS=("$@")
[ ${#COUNTS[@]} -gt 0 ] || COUNTS=(1000 10000)
W=${HUBCFG_WORK:-$(mktemp -d /tmp/lg-hubcfg.XXXXXX)}
trap 'rm -rf "$W"' EXIT

# shellcheck source=tools/lib/hub-config.sh
. "$HERE/lib/hub-config.sh"   # hub_config_write: the configuration ike-bench.sh drives too

for n in "${COUNTS[@]}"; do
	d="$W/$n"
	hub_config_write "$n" "$d"
	best=
	for _ in 1 2 3; do
		# wall and CPU (user + system) seconds of the check alone
		t=$(unshare -n bash -c 'ip link add eth0 type veth peer name eth0p &&
			/usr/bin/time -f "%e %U %S" -o "$3.time" "$1" --check-config "$2" >"$3" 2>&1 &&
			awk "{ printf \"%.3f %.3f\", \$1, \$2 + \$3 }" "$3.time"' \
			_ "$LINEGATED" "$d/hub.conf" "$d/out") || {
			echo "check-config failed for $n peers:" >&2; tail -5 "$d/out" >&2; exit 1; }
		cpu=${t#* }
		if [ -z "$best" ] || awk -v a="$cpu" -v b="${best#* }" 'BEGIN { exit !(a < b) }'; then
			best=$t
		fi
	done
	echo "PEERS n=$n wall_s=${best% *} cpu_s=${best#* } bytes=$(stat -c %s "$d/hub.conf")"
	best=
	for _ in 1 2 3; do
		rm -rf "$d/audit" "$d/control.sock"
		t=$(unshare -n bash -c 'ip link add eth0 type veth peer name eth0p &&
			ip link set eth0 up && exec "$1" "$2/notify" "$3" -f -c "$2/hub.conf"' \
			_ "$HERE/lib/ready-time.py" "$d" "$LINEGATED") || {
			echo "linegated did not start with $n peers:" >&2; tail -5 "$d/notify.log" >&2; exit 1; }
		if [ -z "$best" ] || awk -v a="${t#* }" -v b="${best#* }" 'BEGIN { exit !(a < b) }'; then
			best=$t
		fi
	done
	echo "START n=$n ready_wall_s=${best% *} ready_cpu_s=${best#* }"
done
