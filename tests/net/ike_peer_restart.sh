#!/usr/bin/env bash
# Recovery of a restarted peer (issue 12 item 6), two linegated in
# namespaces. 1: site b is killed with SIGKILL and started again at once: its
# first IKE SA carries INITIAL_CONTACT, site a drops the stale SA at once
# (audited), `sas` on a shows one IKE SA, and the tunnel is back far below
# the minute it used to take. 2: b is killed and stays away until a's
# liveness check has given up; b comes back as a pure responder, so only a's
# retry schedule (retry-min 1s, retry-max 4s) can bring the tunnel back.
# The measured times are printed. Times run from the moment the restarted
# daemon answers on its control socket (its start-up under ASan on a busy
# machine is not the protocol's delay); the 20 s bounds are scaled by
# LG_WAIT_SCALE like every wait, and case 1 also checks the mechanism: a
# never declared b dead, so INITIAL_CONTACT, not DPD, replaced the SA.
set -u
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
. "$LG_SOURCE_DIR/tests/lib/site_conf.sh"
lg_ns_init lgn-rst-
for ns in gwa gwb; do lg_ns_add "$ns"; done
lg_link gwa up0 10.253.0.1/24 gwb up0 10.253.0.2/24

BIN=${LG_ASAN_LINEGATED:-$LINEGATED}
CTL=${LG_ASAN_LINEGATECTL:-$LINEGATECTL}
T=$(mktemp -d /tmp/lg-rst.XXXXXX)
chmod 700 "$T"
trap 'lg_ns_cleanup; [ -n "${LG_KEEP:-}" ] || rm -rf "$T"' EXIT
FAILS=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }
psk=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')

site() { # site DIR NAME LOCAL REMOTE TUNADDR PEER PEERADDR LOCALID REMOTEID MODE
	lg_site_conf "$1/${10}.conf" site="$2" local="$3" remote="$4" addr="$5" peer="$6" \
		endpoint="$7" local_id="$8" remote_id="$9" mode="${10}" dev=lgrst0 psk="$psk" \
		peer_extra='dpd 2s; retry-min 1s; retry-max 4s'
}
site "$T/a" sha 10.1.0.0/16 10.2.0.0/16 10.1.0.1/24 bj 10.253.0.2 sh-gw.corp.example bj-gw.corp.example both
site "$T/b" bj 10.2.0.0/16 10.1.0.0/16 10.2.0.1/24 sha 10.253.0.1 bj-gw.corp.example sh-gw.corp.example both
site "$T/b" bj 10.2.0.0/16 10.1.0.0/16 10.2.0.1/24 sha 10.253.0.1 bj-gw.corp.example sh-gw.corp.example responder

export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
start() { # start SITE CONF LOG
	ip netns exec "$(lg_ns_name gw$1)" "$BIN" -f -c "$T/$1/$2.conf" 2>>"$T/$1.log" &
	LAST=$!; LG_PIDS+=("$LAST")
}
ctl() { "$CTL" -c "$T/$1/both.conf" "${@:2}"; }
peer_up() { ctl "$1" --json peers | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)[0]["state"]=="up" else 1)'; }
peer_down() { ! peer_up "$1"; }
ike_sas() { ctl a --json sas | python3 -c 'import json,sys; print(sum(1 for s in json.load(sys.stdin)["ike_sas"] if s["peer"]=="bj"))'; }
one_sa_up() { peer_up a && peer_up b && [ "$(ike_sas)" = 1 ]; }
ms() { date +%s%3N; }
ready() { lg_wait 20 ctl "$1" status; }
BOUND_MS=$(( $(lg_bound 20) * 1000 ))
# the tunnel carries a ping from a's tunnel address to b's
tunnel_ping() { lg_ns gwa ping -c 1 -W 1 -I 10.1.0.1 10.2.0.1 >/dev/null; }

start a both; PA=$LAST
start b both; PB=$LAST
check "the tunnel comes up" lg_wait 20 one_sa_up
check "ping through the tunnel" lg_wait 10 tunnel_ping

# 1: SIGKILL and an immediate restart
kill -KILL "$PB"; wait "$PB" 2>/dev/null
start b both; PB=$LAST
check "b answers on its control socket after the restart" ready b
t0=$(ms)
lg_wait 20 one_sa_up; t1=$(ms)
echo "measured: restart with INITIAL_CONTACT: tunnel back (one IKE SA on a) $((t1 - t0)) ms after the restart"
check "one IKE SA with b on a, up on both sides, within 20 s (x$LG_WAIT_SCALE) of the restart ($((t1 - t0)) ms)" \
	test $((t1 - t0)) -lt $BOUND_MS -a "$(ike_sas)" = 1
check "a never declared b dead: INITIAL_CONTACT, not DPD, replaced the SA" \
	bash -c "! grep -q 'reason=dpd_timeout' '$T/a.log'"
check "ping through the new tunnel" lg_wait 10 tunnel_ping
check "a audited the stale SA's removal for INITIAL_CONTACT" lg_wait 5 bash -c \
	"grep -rhs '\"event\":\"ike_sa_down\"' '$T/a/audit' | grep -q '\"reason\":\"initial_contact\"'"

# 2: b stays away until a gave up; it returns as a responder only
kill -KILL "$PB"; wait "$PB" 2>/dev/null
t0=$(ms)
check "a notices the silence (dpd 2s, then 27.9-34.1 s of jittered retransmissions)" lg_wait 45 peer_down a
t1=$(ms)
echo "measured: dead peer detected after $((t1 - t0)) ms"
check "a logged its next attempt by the schedule (reason dpd_timeout)" lg_wait 5 \
	grep -q 'event=ike_retry peer=bj reason=dpd_timeout in_ms=' "$T/a.log"
start b responder; PB=$LAST
check "b (responder only) answers on its control socket" ready b
t0=$(ms)
lg_wait 20 one_sa_up; t1=$(ms)
echo "measured: responder restarted, a's retry brought the tunnel back after $((t1 - t0)) ms"
check "a's retries bring the tunnel back within 20 s (x$LG_WAIT_SCALE) of b's restart ($((t1 - t0)) ms)" \
	test $((t1 - t0)) -lt $BOUND_MS -a "$(ike_sas)" = 1
check "ping through the tunnel again" lg_wait 10 tunnel_ping

kill -TERM "$PA" "$PB"
wait "$PA"; ra=$?
wait "$PB"; rb=$?
check "both stop cleanly (a: $ra, b: $rb)" test "$ra$rb" = 00
check "no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' '$T/a.log' '$T/b.log'"
if [ "$FAILS" -gt 0 ]; then tail -n 30 "$T/a.log" "$T/b.log"; fi
echo "ike_peer_restart: $FAILS failed"
[ "$FAILS" = 0 ]
