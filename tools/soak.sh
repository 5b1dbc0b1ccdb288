#!/usr/bin/env bash
# soak.sh - linegate (site A, IKE initiator) against strongSwan 5.9 (site B,
# kernel-libipsec: ESP read from its UDP socket one datagram at a time) for
# N minutes of rekeys under traffic. Not in CI: a measurement, it prints
# figures and fails only if the tunnel could not be set up.
#
#   tools/soak.sh                   30 minutes
#   SOAK_MIN=10 SOAK_GSO=64 tools/soak.sh    10 minutes, linegate's old bursts
#
# Rekeys from both sides, in 3-minute cycles: strongSwan (swanctl --rekey)
# rekeys the CHILD SA at 0, 20 and 40 s and the IKE SA at 10 s; then it is
# quiet and linegate's own lifetimes (child-lifetime 1m, ike-lifetime 2m,
# rekeyed at 85-95 % of them) start the next ones: about one CHILD rekey
# every 35 s and one IKE rekey every 90 s, half of each side's making.
# Traffic all along: pings both ways every 50 ms and an iperf3 UDP stream
# A -> B (SOAK_IPERF_BW, default 100M: linegate's GSO bursts go to strongSwan).
# Printed: lost pings per direction, rekeys by side, SAs left at the end on
# both sides (1 IKE + 1 CHILD expected), RSS and fd counts of linegated and
# charon at start and end, UDP RcvbufErrors in each gateway's namespace
# (/proc/net/snmp: strongSwan's socket overruns are counted at gwb), packets
# dropped at linegate's TUN queue (gwa), sends held back by pace-rate.
#
# Environment: LINEGATED LINEGATECTL (default <repo>/build/...), SOAK_MIN
# (30), SOAK_GSO (linegate's tunnel gso-segments; empty = its default),
# SOAK_PACE (its tunnel pace-rate in Mbit/s, 0 = off; empty = its default),
# SOAK_IPERF_BW, LG_NS_TAG (namespace prefix), LGI_KEEP=1 keeps the logs.
# The strongSwan instance is private to the run (own namespaces, /run,
# config and vici socket): it needs no lock against other interop runs.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export LG_SOURCE_DIR=${LG_SOURCE_DIR:-$ROOT}
export LINEGATED=${LINEGATED:-$ROOT/build/linegated}
export LINEGATECTL=${LINEGATECTL:-$ROOT/build/linegatectl}
MIN=${SOAK_MIN:-30}
GSO=${SOAK_GSO:-}
PACE=${SOAK_PACE:-}
BW=${SOAK_IPERF_BW:-100M}
DUR=$((MIN * 60))
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
. "$LG_SOURCE_DIR/tests/interop/lib/strongswan.sh"
. "$LG_SOURCE_DIR/tests/interop/lib/linegate.sh"
ss_require
lgi_require
export LGI_MAX_TIME=$((DUR + 300))   # the interop default (600 s) would cut the run
lgi_setup soak
d=$WORK

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null; }
fds() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
# udp_snmp NS FIELD: the counter of the Udp: lines of /proc/net/snmp in NS
udp_snmp() {
	lg_ns "$1" awk -v f="$2" '$1 == "Udp:" { if (!h) { for (i = 2; i <= NF; i++) c[$i] = i; h = 1 }
		else print $c[f] }' /proc/net/snmp
}
# packets the kernel dropped at linegate's TUN queue (full while linegate
# does not read it, e.g. while pacing holds a send back)
tun_drops() {
	lg_ns gwa ip -j -s link show dev lgi0 2>/dev/null |
		python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["tx"]["dropped"])' 2>/dev/null
}
lg_pid() { pgrep -P "$LGI_PID" linegated | head -1; }
snapshot() { # LABEL
	local l c; l=$(lg_pid); c=$(ss_charon_pid "$d/ss")
	echo "soak $1: linegated rss_kb=$(rss_kb "$l") fds=$(fds "$l"); charon rss_kb=$(rss_kb "$c") fds=$(fds "$c");" \
		"RcvbufErrors gwb=$(udp_snmp gwb RcvbufErrors) gwa=$(udp_snmp gwa RcvbufErrors);" \
		"InErrors gwb=$(udp_snmp gwb InErrors); TUN tx_dropped gwa=$(tun_drops)"
}

lgi_conf "$d/lg" mode=initiator auth=psk child_life=1m ike_life=2m dpd=30s ${GSO:+gso=$GSO} ${PACE:+pace=$PACE}
# shellcheck disable=SC2086
ss_start "$d/ss" gwb role=responder local_addr=$LGI_UB remote_addr=$LGI_UA \
	local_ts=$LGI_LAN_B remote_ts=$LGI_LAN_A local_id=$LGI_ID_B remote_id=$LGI_ID_A \
	auth=psk psk="$LGI_PSK" max_time=$((DUR + 300)) loglevel=1 || lg_die "strongSwan did not start"
lgi_start "$d/lg"
ss_wait_up "$d/ss" 30 || { ss_explain "$d/ss" >&2; lg_die "no CHILD SA at strongSwan"; }
lgi_ping_both 3 || lg_die "no traffic through the fresh tunnel"
lg_log "tunnel up: ${MIN} min of rekeys under pings and iperf3 (gso-segments ${GSO:-default}, pace-rate ${PACE:-default})"
snapshot start

lg_assert_test_target lana "$LGI_HOST_B"
lg_assert_test_target lanb "$LGI_HOST_A"
# -w: ping stops itself at the deadline and prints its summary (a loaded
# machine stretches 50 ms intervals, so a count could outlast the run)
lg_ns lana timeout -s INT $((DUR + 60)) ping -q -n -i 0.05 -w "$DUR" "$LGI_HOST_B" >"$d/ping.ab" 2>&1 &
p_ab=$!
lg_ns lanb timeout -s INT $((DUR + 60)) ping -q -n -i 0.05 -w "$DUR" "$LGI_HOST_A" >"$d/ping.ba" 2>&1 &
p_ba=$!
lg_ns lanb timeout $((DUR + 60)) iperf3 -s -1 -p 5301 >/dev/null 2>&1 &
p_srv=$!
LG_PIDS+=("$p_ab" "$p_ba" "$p_srv")
lg_wait 10 bash -c "ip netns exec '$(lg_ns_name lanb)' ss -lnu | grep -q ':5301 '" || true
lg_ns lana timeout $((DUR + 60)) iperf3 -c "$LGI_HOST_B" -p 5301 -u -b "$BW" -l 1300 -t "$DUR" \
	--json >"$d/iperf.json" 2>&1 &
p_cli=$!
LG_PIDS+=("$p_cli")

# strongSwan's side of the rekeys (linegate's come from its lifetimes)
ss_child=0 ss_ike=0 ss_fail=0
end=$((SECONDS + DUR - 15))
while [ $SECONDS -lt $end ]; do
	c0=$SECONDS
	for at in 0 10 20 40; do
		while [ $((SECONDS - c0)) -lt $at ]; do sleep 1; done
		[ $SECONDS -ge $end ] && break 2
		if [ $at = 10 ]; then
			if ss_rekey_ike "$d/ss"; then ss_ike=$((ss_ike + 1)); else ss_fail=$((ss_fail + 1)); fi
		elif ss_rekey_child "$d/ss"; then ss_child=$((ss_child + 1)); else ss_fail=$((ss_fail + 1)); fi
	done
	while [ $((SECONDS - c0)) -lt 180 ] && [ $SECONDS -lt $end ]; do sleep 1; done
done
wait "$p_cli" "$p_ab" "$p_ba" 2>/dev/null
wait "$p_srv" 2>/dev/null
snapshot end

loss() { # FILE -> "lost N of M"
	local tx rx
	tx=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$1")
	rx=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$1")
	echo "lost $(( ${tx:-0} - ${rx:-0} )) of ${tx:-?}"
}
journal=$(cat "$d"/lg/audit/*.jsonl)
lg_child=$(grep '"event":"child_sa_rekeyed"' <<<"$journal" | grep -c '"started_by":"us"')
lg_ike=$(grep '"event":"ike_sa_rekeyed"' <<<"$journal" | grep -c '"started_by":"us"')
all_child=$(grep -c '"event":"child_sa_rekeyed"' <<<"$journal")
all_ike=$(grep -c '"event":"ike_sa_rekeyed"' <<<"$journal")
lg_sas=$(lgi_ctl "$d/lg" sas 2>/dev/null)
ss_sas=$(ss_list_sas "$d/ss" 2>/dev/null)
iperf=$(python3 -c 'import json,sys
e = json.load(open(sys.argv[1]))["end"]["sum"]
print("iperf3 A->B %.0f Mbit/s, lost %d of %d (%.3f %%)" % (e["bits_per_second"] / 1e6, e["lost_packets"],
      e["packets"], e["lost_percent"]))' "$d/iperf.json" 2>/dev/null || echo "iperf3: no result")
echo "soak: ${MIN} min, gso-segments ${GSO:-default}, pace-rate ${PACE:-default}, iperf3 UDP ${BW}"
echo "soak linegate sends paced: $(lgi_ctl "$d/lg" --json status 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["datapath"]["paced"])' 2>/dev/null || echo '?')"
echo "soak pings A->B: $(loss "$d/ping.ab"); B->A: $(loss "$d/ping.ba")"
echo "soak $iperf"
echo "soak rekeys: CHILD $all_child at linegate (started by linegate $lg_child, by strongSwan $((all_child - lg_child)); swanctl --rekey ok $ss_child)," \
	"IKE $all_ike (linegate $lg_ike, strongSwan $((all_ike - lg_ike)); swanctl ok $ss_ike); swanctl failures $ss_fail"
echo "soak SAs at the end: linegate IKE $(grep -c ' spi ' <<<"$lg_sas") CHILD $(grep -c '^    child ' <<<"$lg_sas");" \
	"strongSwan IKE $(grep -cE ': #[0-9]+, ESTABLISHED' <<<"$ss_sas") CHILD $(grep -c 'INSTALLED' <<<"$ss_sas")"
lgi_stop "$d/lg"
ss_stop "$d/ss"
grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$d/lg/linegated.log" &&
	echo "soak: SANITIZER REPORT in $d/lg/linegated.log"
exit 0
