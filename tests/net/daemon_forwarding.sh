#!/usr/bin/env bash
# A gateway whose kernel does not forward brings tunnels up and carries
# nothing (issue 12): linegated warns at start (log line, config_loaded's
# forwarding_off), `status` says it in text and JSON, and a reload after the
# admin turned forwarding on records that all is well. IPv6 counts only
# because a peer has an IPv6 subnet. The sysctls read are those of the
# daemon's own namespace.
set -u
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
. "$LG_SOURCE_DIR/tests/lib/site_conf.sh"
lg_ns_init lgn-fwd-
for ns in gw inet; do lg_ns_add "$ns"; done
lg_link gw up0 10.253.0.1/24 inet eth0 10.253.0.2/24

BIN=${LG_ASAN_LINEGATED:-$LINEGATED}
CTL=${LG_ASAN_LINEGATECTL:-$LINEGATECTL}
T=$(mktemp -d /tmp/lg-fwd.XXXXXX)
chmod 700 "$T"
trap 'lg_ns_cleanup; [ -n "${LG_KEEP:-}" ] || rm -rf "$T"' EXIT
FAILS=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | sed 's/^/0x/' > "$T/peer.psk"
chmod 600 "$T/peer.psk"
lg_site_conf "$T/linegate.conf" site=sha internal='10.0.0.0/8, fd00::/8' dev=lgfwd0 \
	addr=10.1.0.1/24 peer=bj endpoint=10.253.0.2 local_id=sh-gw.corp.example \
	remote_id=bj-gw.corp.example local='10.1.0.0/16, fd00:1::/48' remote='10.2.0.0/16, fd00:2::/48' \
	mode=responder
ctl() { "$CTL" -c "$T/linegate.conf" "$@"; }
record() { grep -rhs "\"event\":\"$1\"" "$T/audit" | tail -n 1; }
lg_ns gw sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0

export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ip netns exec "$(lg_ns_name gw)" "$BIN" -f -c "$T/linegate.conf" 2>"$T/gw.log" &
PID=$!; LG_PIDS+=("$PID")
check "the daemon answers" lg_wait 20 ctl status
check "start: a warning names both families" grep -q 'event=forwarding_off families=ipv4,ipv6 hint=' "$T/gw.log"
check "config_loaded: forwarding_off ipv4,ipv6" bash -c "grep -rhs '\"event\":\"config_loaded\"' '$T/audit' | grep -q '\"forwarding_off\":\"ipv4,ipv6\"'"
check "status (text) says forwarding is off" bash -c "'$CTL' -c '$T/linegate.conf' status | grep -q 'forwarding OFF for ipv4,ipv6'"
check "status --json: forwarding_off" bash -c "'$CTL' -c '$T/linegate.conf' --json status | python3 -c '
import json,sys; d=json.load(sys.stdin); assert d[\"forwarding_off\"]==\"ipv4,ipv6\", d'"

# the host's own setting is not what counts: only the daemon's namespace
lg_ns gw sysctl -qw net.ipv4.ip_forward=1
check "status follows the kernel at once: only ipv6 left" bash -c "'$CTL' -c '$T/linegate.conf' status | grep -q 'forwarding OFF for ipv6:'"
lg_ns gw sysctl -qw net.ipv6.conf.all.forwarding=1
check "status: forwarding on" bash -c "'$CTL' -c '$T/linegate.conf' status | grep -q '^  forwarding on$'"
check "reload" ctl reload
check "config_reloaded: forwarding_off none" lg_wait 5 bash -c "grep -rhs '\"event\":\"config_reloaded\"' '$T/audit' | grep -q '\"forwarding_off\":\"none\"'"
check "no warning after the reload" test "$(grep -c 'event=forwarding_off' "$T/gw.log")" = 1

# without an IPv6 subnet, IPv6 forwarding does not matter
sed -i 's/, fd00:1::\/48//; s/, fd00:2::\/48//' "$T/linegate.conf"
lg_ns gw sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0
check "reload without IPv6 subnets" ctl reload
check "config_reloaded: forwarding_off ipv4 (IPv6 not needed)" lg_wait 5 bash -c "grep -rhs '\"event\":\"config_reloaded\"' '$T/audit' | tail -n 1 | grep -q '\"forwarding_off\":\"ipv4\"'"
check "the reload warned for ipv4 alone" grep -q 'event=forwarding_off families=ipv4 hint=' "$T/gw.log"

kill -TERM "$PID"; wait "$PID"; rc=$?
check "stops cleanly ($rc)" test "$rc" = 0
check "no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' '$T/gw.log'"
if [ "$FAILS" -gt 0 ]; then tail -n 30 "$T/gw.log"; fi
echo "daemon_forwarding: $FAILS failed"
[ "$FAILS" = 0 ]
