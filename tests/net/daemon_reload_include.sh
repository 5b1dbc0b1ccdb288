#!/usr/bin/env bash
# Reload of a hub-style configuration (issue 12, item 8): the main file says
# include "peers.d/*.conf" and holds no peer. `linegatectl reload` after a
# change in an included file applies it: a peer file added appears (and
# leaves the running tunnel alone), a peer file edited re-establishes that
# peer with the new setting; an included file with an error is refused with
# that file's line:column, the running configuration (hash, peers, SAs)
# kept. The config hash covers the included files (config_reloaded).
set -u
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
lg_ns_init lgn-rli-
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
T=$(mktemp -d /tmp/lg-rli.XXXXXX)
chmod 700 "$T"
trap 'lg_ns_cleanup; [ -n "${LG_KEEP:-}" ] || rm -rf "$T"' EXIT
FAILS=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }
psk=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
. "$LG_SOURCE_DIR/tests/lib/reload_sites.sh"

for d in a b; do mkdir -p "$T/$d"; printf '0x%s\n' "$psk" > "$T/$d/peer.psk"; chmod 600 "$T/$d/peer.psk"; done
mkdir -p "$T/a/peers.d"
{ head_blocks "$T/a" sha 10.1.0.1/24; echo 'include "peers.d/*.conf"'; } > "$T/a/linegate.conf"
peer_bj() { peer_block bj 10.253.0.2 10.1.0.0/16 10.2.0.0/16 sh-gw.corp.example bj-gw.corp.example initiator "$1"; }
peer_bj 10s > "$T/a/peers.d/10-bj.conf"
{ head_blocks "$T/b" bj 10.2.0.1/24
  peer_block sha 10.253.0.1 10.2.0.0/16 10.1.0.0/16 bj-gw.corp.example sh-gw.corp.example responder 10s
} > "$T/b/linegate.conf"

export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ip netns exec "$(lg_ns_name gwb)" "$BIN" -f -c "$T/b/linegate.conf" 2>"$T/b.log" &
PB=$!; LG_PIDS+=("$PB")
ip netns exec "$(lg_ns_name gwa)" "$BIN" -f -c "$T/a/linegate.conf" 2>"$T/a.log" &
PA=$!; LG_PIDS+=("$PA")
check "the tunnel to bj (peers.d/10-bj.conf) comes up" lg_wait 20 up a bj
check "ping through the tunnel" lg_ping lana 10.2.1.10 -c 3 -i 0.2 -W 2
SA0=$(sas_of a bj)
hash() { ctl a --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["config_blake2b"])'; }
peer_names() { ctl a --json peers | python3 -c 'import json,sys; print(" ".join(p["name"] for p in json.load(sys.stdin)))'; }
dpd_of() { ctl a --json show-config | python3 -c '
import json, sys
print(next(b["settings"]["dpd"] for b in json.load(sys.stdin)["blocks"]
           if b["block"] == "peer" and b.get("name") == "bj"))'; }
reload_ok() { "$CTL" -c "$T/a/linegate.conf" reload > "$T/reload.out" 2>&1 || { cat "$T/reload.out"; false; }; }
H0=$(hash)

# a peer file added: it appears, the hash moves, bj's SAs stay
peer_block hk1 10.253.0.50 10.1.0.0/16 10.50.0.0/16 sh-gw.corp.example hk1.corp.example responder 30s \
	> "$T/a/peers.d/20-hk1.conf"
check "reload after peers.d/20-hk1.conf was added: accepted" reload_ok
check "... hk1 is configured now ($(peer_names))" test "$(peer_names)" = "bj hk1"
H1=$(hash)
check "... the config hash covers the new file ($H0 -> $H1)" test "$H1" != "$H0"
check "... config_reloaded carries it" lg_wait 5 journal_has a config_reloaded "$H1" 1
check "... bj keeps its SAs" test "$(sas_of a bj)" = "$SA0"

# the included file of bj edited in place (dpd 10s -> 12s): re-established with it
peer_bj 12s > "$T/a/peers.d/10-bj.conf"
check "reload after peers.d/10-bj.conf changed: accepted" reload_ok
check "... bj went down as peer_changed (audited)" lg_wait 10 journal_has a ike_sa_down peer_changed 1
check "... the configuration in force has dpd 12s for bj ($(dpd_of))" test "$(dpd_of)" = 12s
changed() { up a bj && [ "$(sas_of a bj)" != "$SA0" ]; }
check "... and bj is back with new SAs" lg_wait 30 changed
check "... carrying traffic" lg_ping lana 10.2.1.10 -c 3 -i 0.2 -W 2
SA1=$(sas_of a bj)
H2=$(hash)

# an included file with an error: refused, naming that file's line:column
printf 'peer "broken" {\n    endpoint 10.253.0.99\n    bogus-key yes\n}\n' > "$T/a/peers.d/30-broken.conf"
"$CTL" -c "$T/a/linegate.conf" reload > "$T/refused.out" 2>&1; rc=$?
cat "$T/refused.out"
check "reload with a broken peers.d/30-broken.conf exits 1 (got $rc)" test "$rc" = 1
check "... naming peers.d/30-broken.conf:3:5 (the unknown key)" grep -q "peers.d/30-broken.conf:3:5:" "$T/refused.out"
check "... and saying the running configuration stays" grep -q "running configuration stays" "$T/refused.out"
check "... config_refused recorded" lg_wait 5 journal_has a config_refused 30-broken.conf 1
check "... the hash in force unchanged" test "$(hash)" = "$H2"
check "... peers unchanged ($(peer_names))" test "$(peer_names)" = "bj hk1"
check "... bj keeps its SAs" test "$(sas_of a bj)" = "$SA1"
check "... and carries traffic" lg_ping lana 10.2.1.10 -c 3 -i 0.2 -W 2
rm "$T/a/peers.d/30-broken.conf"
check "the broken file removed: reload accepted again" reload_ok
check "... the hash is the one before the broken file" test "$(hash)" = "$H2"

kill -TERM "$PA" "$PB"
wait "$PA"; ra=$?
wait "$PB"; rb=$?
check "both daemons exit 0 ($ra, $rb)" test "$ra$rb" = 00
check "no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' '$T/a.log' '$T/b.log'"
if [ "$FAILS" -gt 0 ]; then tail -n 30 "$T/a.log"; fi
echo "daemon_reload_include: $FAILS failed"
[ "$FAILS" = 0 ]
