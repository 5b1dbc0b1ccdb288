#!/usr/bin/env bash
# A reload leaves every peer whose effective settings did not change alone
# (issue 12): under a ping flood through the tunnel, reloading a
# byte-identical file, a file with an unrelated peer added above, and one
# with the peer blocks swapped loses no ping and keeps the same IKE and
# CHILD SAs. A peer whose settings changed is re-established (audited
# peer_changed), a removed one deleted (peer_removed, the other side sees the
# DELETE). A refused file: `linegatectl reload` exits non-zero with
# file:line:col, and config_refused carries the refused file's BLAKE2b.
set -u
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
lg_ns_init lgn-rld-
for ns in lana gwa lanb gwb; do lg_ns_add "$ns"; done
lg_link lana eth0 10.1.1.10/24 gwa lan0 10.1.1.1/24
lg_link lanb eth0 10.2.1.10/24 gwb lan0 10.2.1.1/24
lg_link gwa up0 10.253.0.1/24 gwb up0 10.253.0.2/24
lg_ns lana ip route add default via 10.1.1.1
lg_ns lanb ip route add default via 10.2.1.1
lg_ns gwa sysctl -qw net.ipv4.ip_forward=1
lg_ns gwb sysctl -qw net.ipv4.ip_forward=1

BIN=${LG_ASAN_LINEGATED:-$LINEGATED}
CTL=${LG_ASAN_LINEGATECTL:-$LINEGATECTL}
T=$(mktemp -d /tmp/lg-rld.XXXXXX)
chmod 700 "$T"
trap 'lg_ns_cleanup; [ -n "${LG_KEEP:-}" ] || rm -rf "$T"' EXIT
FAILS=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }
psk=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')

. "$LG_SOURCE_DIR/tests/lib/reload_sites.sh"
# An unrelated peer of site a (nobody answers at its address).
other() { peer_block "$1" 10.253.0.$2 10.1.0.0/16 10.$2.0.0/16 sh-gw.corp.example "$1.corp.example" responder 30s; }
peer_b() { peer_block bj 10.253.0.2 10.1.0.0/16 10.2.0.0/16 sh-gw.corp.example bj-gw.corp.example initiator "${1:-10s}"; }
for d in a b; do mkdir -p "$T/$d"; printf '0x%s\n' "$psk" > "$T/$d/peer.psk"; chmod 600 "$T/$d/peer.psk"; done
{ head_blocks "$T/a" sha 10.1.0.1/24; peer_b; other hk1 50; } > "$T/a/linegate.conf"
{ head_blocks "$T/b" bj 10.2.0.1/24
  peer_block sha 10.253.0.1 10.2.0.0/16 10.1.0.0/16 bj-gw.corp.example sh-gw.corp.example responder 10s
} > "$T/b/linegate.conf"

export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ip netns exec "$(lg_ns_name gwb)" "$BIN" -f -c "$T/b/linegate.conf" 2>"$T/b.log" &
PB=$!; LG_PIDS+=("$PB")
ip netns exec "$(lg_ns_name gwa)" "$BIN" -f -c "$T/a/linegate.conf" 2>"$T/a.log" &
PA=$!; LG_PIDS+=("$PA")
check "the tunnel comes up" lg_wait 20 up a bj
check "ping through the tunnel" lg_ping lana 10.2.1.10 -c 3 -i 0.2 -W 2
SA0=$(sas_of a bj)
echo "SAs before: $SA0"

# as the unit's ExecReload does: the file, not the socket
reload_ok() { "$CTL" -c "$T/a/linegate.conf" reload > "$T/reload.out" 2>&1; }

# The flood: 1 ping every 10 ms, 1,500 of them (15 s), ending on its own so
# that no reply in flight is counted as lost; the reloads happen inside it.
lg_assert_test_target lana 10.2.1.10
ip netns exec "$(lg_ns_name lana)" ping -n -i 0.01 -c 1500 -W 2 10.2.1.10 > "$T/flood.txt" 2>&1 &
FLOOD=$!
LG_PIDS+=("$FLOOD")
lg_wait 10 grep -q "bytes from" "$T/flood.txt" || lg_die "the ping flood did not start"

check "reload of the byte-identical file: accepted" reload_ok
check "... the same SAs" test "$(sas_of a bj)" = "$SA0"
{ head_blocks "$T/a" sha 10.1.0.1/24; other hk2 51; peer_b; other hk1 50; } > "$T/a/linegate.conf"
check "reload with an unrelated peer added above: accepted" reload_ok
check "... the same SAs" test "$(sas_of a bj)" = "$SA0"
{ head_blocks "$T/a" sha 10.1.0.1/24; other hk1 50; other hk2 51; peer_b; } > "$T/a/linegate.conf"
check "reload with the peer blocks swapped: accepted" reload_ok
check "... the same SAs" test "$(sas_of a bj)" = "$SA0"
check "no SA went down for peer_changed" test "$(journal_count a ike_sa_down peer_changed)" = 0
check "the reloads happened inside the flood" kill -0 "$FLOOD"
wait "$FLOOD"
sent=$(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1/p' "$T/flood.txt")
recv=$(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\2/p' "$T/flood.txt")
echo "figure flood: $recv of $sent pings answered across three reloads"
check "the flood lost no ping across the reloads ($recv/$sent)" test "${sent:-0}" -gt 50 -a "${recv:-0}" = "${sent:-x}"

# A changed peer (DPD interval) is re-established.
{ head_blocks "$T/a" sha 10.1.0.1/24; other hk1 50; other hk2 51; peer_b 12s; } > "$T/a/linegate.conf"
check "reload with the peer's DPD changed: accepted" reload_ok
check "... its SA went down as peer_changed (audited)" lg_wait 10 journal_has a ike_sa_down peer_changed 1
changed() { up a bj && [ "$(sas_of a bj)" != "$SA0" ]; }
check "... and it is back with new SAs" lg_wait 30 changed
check "... carrying traffic" lg_ping lana 10.2.1.10 -c 3 -i 0.2 -W 2

# A refused file: exit non-zero, errors with positions, the file's hash on record.
cp "$T/a/linegate.conf" "$T/a/good.conf"
printf 'peer "broken" {\n    endpoint 10.253.0.99\n    bogus-key yes\n}\n' >> "$T/a/linegate.conf"
"$CTL" -c "$T/a/linegate.conf" reload > "$T/refused.out" 2>&1; rc=$?
cat "$T/refused.out"
check "a refused reload exits non-zero (got $rc)" test "$rc" != 0
check "... with file:line:col of the error" grep -qE "linegate.conf:[0-9]+:[0-9]+:" "$T/refused.out"
want=$(b2sum -l 256 "$T/a/linegate.conf" | cut -d' ' -f1)
refused_recorded_once() {
	lg_wait 5 journal_has a config_refused "$want" 1 &&
		[ "$(journal_count a config_refused "$want")" = 1 ]
}
check "... config_refused carries the refused file's BLAKE2b" refused_recorded_once
check "... and the tunnel is still up" up a bj
cp "$T/a/good.conf" "$T/a/linegate.conf"

# A removed peer is deleted: DELETE to the other side, audited.
{ head_blocks "$T/a" sha 10.1.0.1/24; other hk1 50; } > "$T/a/linegate.conf"
check "reload with the peer removed: accepted" reload_ok
check "... its SA went down as peer_removed (audited)" lg_wait 10 journal_has a ike_sa_down peer_removed 1
check "... the other side saw the DELETE" lg_wait 10 bash -c "! '$CTL' -s '$T/b/control.sock' --json peers | grep -q '\"state\":\"up\"'"

kill -TERM "$PA" "$PB"
wait "$PA"; ra=$?
wait "$PB"; rb=$?
check "both daemons exit 0 ($ra, $rb)" test "$ra$rb" = 00
check "no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' '$T/a.log' '$T/b.log'"
if [ "$FAILS" -gt 0 ]; then tail -n 30 "$T/a.log"; fi
echo "daemon_reload: $FAILS failed"
[ "$FAILS" = 0 ]
