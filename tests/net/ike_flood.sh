#!/usr/bin/env bash
# IKE_SA_INIT floods against the real responder (issue 11, "a flood test"),
# as fast as a raw socket sends them, for a bounded time per phase:
#   A. random SPIs from random spoofed sources of the link's /24 (sources
#      that are no configured peer: dropped before any state);
#   B. random SPIs from the configured peer's own address (the spoofer an
#      off-path attacker can be): cookies engage, and the real peer, a second
#      linegated started in the middle of the flood, must still establish
#      through a cookie round trip.
# Prints the figures docs/robustness.md quotes: packets sent, the daemon's
# CPU and peak RSS, journal records written, IKE drops by reason, how long
# the real peer took. The bars: the daemon answers throughout, the real peer
# is up during the flood, the journal grows by a bounded number of records
# (summaries, not one per packet), no sanitizer report, a clean exit.
# LG_FLOOD_SECONDS (default 10) per phase.
set -u
. "$LG_SOURCE_DIR/tests/lib/responder.sh"
responder_setup lgn-ifl- lgifl0
lg_assert_test_target atk "$GW"
FLOODER="$LG_BUILD_DIR/tests/ike_flooder"
[ -x "$FLOODER" ] || lg_die "ike_flooder not built ($FLOODER)"
SECS=${LG_FLOOD_SECONDS:-10}

# The real peer: linegated in namespace atk at $ATK, initiator.
mkdir -p "$T/peer"
cp "$T/p.psk" "$T/peer/p.psk"
lg_site_conf "$T/peer/linegate.conf" site=p domain=lab.example uplink_if=p0 dev=lgiflp0 \
	addr=10.20.0.1/24 peer=gw endpoint="$GW" local_id=p.lab.example remote_id=gw.lab.example \
	psk_file=p.psk local=10.20.0.0/16 remote=10.10.0.0/16 mode=initiator
pctl() { "$CTL" -s "$T/peer/control.sock" "$@"; }
peer_up() { pctl --json peers | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)[0]["state"]=="up" else 1)'; }

last_seq() { ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["audit"]["last_seq"])'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$PID/status"; }
HZ=$(getconf CLK_TCK)
# samples the daemon's RSS every 0.2 s into $1 until the file $1.stop exists
rss_sampler() { while [ ! -e "$1.stop" ] && [ -d "$T" ]; do rss_kb >> "$1"; sleep 0.2; done; }
peak() { sort -n "$1" | tail -1; }

phase() { # NAME SOURCES: one flood; sets SENT, CPU_MS, PEAK_KB, RECORDS
	local seq0 cpu0
	seq0=$(last_seq); cpu0=$(cpu_ticks)
	rm -f "$T/rss-$1" "$T/rss-$1.stop"
	rss_sampler "$T/rss-$1" &
	local sampler=$!
	lg_ns atk "$FLOODER" "$GW" "$2" "$SECS" > "$T/flood-$1.out"
	local rc=$?
	touch "$T/rss-$1.stop"; wait "$sampler"
	[ "$rc" = 0 ] || lg_die "flooder failed ($rc)"
	SENT=$(awk '{print $2}' "$T/flood-$1.out")
	CPU_MS=$(( ($(cpu_ticks) - cpu0) * 1000 / HZ ))
	PEAK_KB=$(peak "$T/rss-$1")
	RECORDS=$(( $(last_seq) - seq0 ))
	echo "figure $1: sent $SENT in ${SECS}s ($((SENT / SECS))/s), daemon CPU ${CPU_MS} ms" \
		"($((CPU_MS / (SECS * 10)))% of one core), peak RSS ${PEAK_KB} KiB, journal records $RECORDS"
}

RSS0=$(rss_kb)
echo "figure start: RSS ${RSS0} KiB"
phase random "${GW%.*}.0/24"
check "A: the flooder sent packets" test "${SENT:-0}" -gt 1000
check "A: the daemon answers after the flood" daemon_alive
check "A: journal records stay bounded ($RECORDS)" test "$RECORDS" -le 20
DROPS_A=$(ike_drops)
echo "ike drops after A: $DROPS_A"
check "A: spoofed sources counted as unknown_peer" bash -c "[[ ' $DROPS_A' == *' unknown_peer='* ]]"

# B: the peer's own address; the real peer starts once cookies are engaged.
phase peer "$ATK" &
PHASE=$!
cookies_engaged() { [[ " $(ike_drops)" == *" cookie_required="* ]]; }
check "B: cookies engage under the flood" lg_wait 20 cookies_engaged
ip netns exec "$(lg_ns_name atk)" "$BIN" -f -c "$T/peer/linegate.conf" 2> "$T/peer.log" &
PPID_PEER=$!
LG_PIDS+=("$PPID_PEER")
t0=$SECONDS
check "B: the real peer establishes during the flood (cookie round trip)" lg_wait 30 peer_up
UP_AFTER=$((SECONDS - t0))
FLOOD_RUNNING=$(kill -0 "$PHASE" 2>/dev/null && echo yes || echo no)
echo "figure peer: up ${UP_AFTER}s after it started, flood still running: $FLOOD_RUNNING"
check "B: the daemon answers its control socket during the flood" daemon_alive
wait "$PHASE"
SENT_B=$(awk '{print $2}' "$T/flood-peer.out")
echo "figure peer-flood: sent $SENT_B in ${SECS}s ($((SENT_B / SECS))/s), peak RSS $(peak "$T/rss-peer") KiB"
check "B: the flooder sent packets" test "${SENT_B:-0}" -gt 1000
ctl --json status | python3 -c 'import json,sys; d=json.load(sys.stdin); print("status datapath", d.get("datapath"), "drops", d.get("drops"), d.get("datapath_drops"))'
DROPS_B=$(ike_drops)
echo "ike drops after B: $DROPS_B"
# ASan's quarantine keeps freed memory (256 MiB by default): RSS is only a
# figure of the release build
if [ "$BIN" = "$LINEGATED" ]; then
	check "B: peak RSS within 16 MiB of the start ($RSS0 -> $(peak "$T/rss-peer") KiB)" \
		test "$(peak "$T/rss-peer")" -lt $((RSS0 + 16384))
fi
check "the tunnel carries a ping after the floods" lg_ping atk 10.10.0.1 -c 3 -i 0.3 -W 2
SEQ_END=$(last_seq)
echo "figure journal: $SEQ_END records in all (start, both floods, the real peer's SA)"
check "the whole run wrote fewer than 80 journal records ($SEQ_END)" test "$SEQ_END" -lt 80
kill -TERM "$PPID_PEER" 2>/dev/null
responder_stop
check "the daemon exits 0 (LeakSanitizer found no leak)" test "$DAEMON_RC" = 0
check "no sanitizer report" no_sanitizer_report
check "the journal verifies" "$CTL" audit verify --dir "$T/audit"
if [ "$FAILS" -gt 0 ]; then tail -n 30 "$T/daemon.log"; echo "--- peer"; tail -n 20 "$T/peer.log"; fi
echo "ike_flood: $FAILS failed"
[ "$FAILS" = 0 ]
