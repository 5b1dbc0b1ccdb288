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

# Branch i: endpoint 100.64.0.0/10 + i, remote subnet the i-th /24 of 10/8
# above 10.1/16 (the hub's own), identity b<i>.branches.corp.example.
gen() {
	local n=$1 dir=$2
	mkdir -p "$dir/keys"
	awk -v n="$n" -v dir="$dir" 'BEGIN {
		printf "site \"hub\" {\n  region CN\n  identity-domain \"corp.example\"\n" \
		       "  internal-space 10.0.0.0/8\n}\n" \
		       "uplink \"internet\" {\n  interface eth0\n}\n" \
		       "tunnel {\n  address 10.1.0.1/24\n}\n" \
		       "audit {\n  journal-dir \"%s/audit\"\n}\n" \
		       "control {\n  socket \"%s/control.sock\"\n}\n" \
		       "defaults {\n  region CN\n  uplink internet\n  local-id hub.corp.example\n" \
		       "  auth psk\n  local-subnets 10.1.0.0/16\n  mode responder\n}\n", dir, dir
		for (i = 0; i < n; i++) {
			e = 256 + i; s = 512 + i
			printf "peer \"b%d\" {\n  endpoint 100.%d.%d.%d\n  remote-id b%d.branches.corp.example\n" \
			       "  psk-file \"keys/b%d.psk\"\n  remote-subnets 10.%d.%d.0/24\n}\n",
			       i, 64 + int(e / 65536), int(e / 256) % 256, e % 256, i, i,
			       int(s / 256), s % 256
		}
	}' > "$dir/hub.conf"
	# one key per branch, as a hub has them (mode 0600)
	(cd "$dir/keys" && for ((i = 0; i < n; i++)); do
		printf '0x%064x\n' "$i" > "b$i.psk"
	done && chmod 600 ./*.psk)
}

for n in "${COUNTS[@]}"; do
	d="$W/$n"
	gen "$n" "$d"
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
done
