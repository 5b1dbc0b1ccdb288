#!/usr/bin/env bash
# `linegatectl monitor` (issue 12, item 3) on two real daemons: a JSON
# subscriber receives the child_sa_up of an `up` issued after it subscribed
# (every line a JSON record, no PSK byte anywhere), a text subscriber the
# syslog lines; at most four subscribers, the fifth is told so; a reader
# frozen with SIGSTOP does not stall the daemon (status answers, the other
# subscriber keeps receiving) and is dropped once it has stalled for good;
# Ctrl-C ends a monitor with exit 0.
set -u
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
. "$LG_SOURCE_DIR/tests/lib/ctl_sites.sh" lgn-cmo-
FAILS=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }
mon() { # mon NAME [--json]: a monitor of site a in the background, pid in MON_NAME
	"$CTL" -c "$T/a/linegate.conf" "${@:2}" monitor > "$T/$1.out" 2> "$T/$1.err" &
	eval "MON_$1=\$!"
}
subscribed() { [ "$(grep -c 'event=monitor_subscribed' "$T/a.log")" -ge "$1" ]; }

start_site b
start_site a
check "the tunnel to bj comes up" lg_wait 20 pyj a peers 'd[0]["state"]=="up"'
ctl a down bj --wait 20 >/dev/null
mon j --json
mon t
check "two monitors subscribed" lg_wait 10 subscribed 2
OUT=$(ctl a up bj --wait 30 2>&1)
check "up bj --wait after subscribing: established ($OUT)" grep -q established <<<"$OUT"
has_up() { grep '"event":"child_sa_up"' "$T/j.out" | grep -q '"object":"bj"'; }
check "monitor --json receives the child_sa_up of bj" lg_wait 10 has_up
check "monitor --json: the ike_sa_up and the admin_action of the up too" bash -c "
grep -q '\"event\":\"ike_sa_up\"' '$T/j.out' && grep '\"event\":\"admin_action\"' '$T/j.out' | grep -q '\"object\":\"up\"'"
check "monitor --json: every line is one JSON record" python3 -c "
import json
for l in open('$T/j.out'):
    r = json.loads(l); assert r['event'] and r['ts'], r" || head -c 600 "$T/j.out"
check "monitor (text): syslog lines with the event" lg_wait 5 bash -c "grep -q '^type=audit .*event=child_sa_up .*object=bj' '$T/t.out'"
check "no PSK byte in any monitor output" bash -c "! grep -qi '$psk' '$T/j.out' '$T/t.out'"

# four subscribers at most
mon x3
mon x4
check "four monitors subscribed" lg_wait 10 subscribed 4
OUT=$(timeout "$(lg_bound 10)" "$CTL" -c "$T/a/linegate.conf" monitor 2>&1)
check "a fifth monitor is refused with a reason (exit $?)" grep -q "too many monitors" <<<"$OUT"
kill -INT "$MON_x3" "$MON_x4"
wait "$MON_x3"; r3=$?
wait "$MON_x4"; r4=$?
check "Ctrl-C ends a monitor with exit 0 ($r3, $r4)" test "$r3$r4" = 00

# a frozen reader: the daemon goes on
kill -STOP "$MON_t"
N0=$(wc -l < "$T/j.out")
for i in 1 2 3; do ctl a down bj --wait 20 >/dev/null; ctl a up bj --wait 30 >/dev/null; done
check "with a frozen monitor reader, status still answers" lg_wait 5 ctl a status
check "the other monitor keeps receiving ($N0 -> $(wc -l < "$T/j.out") lines)" \
	lg_wait 10 bash -c "[ \$(grep -c '\"event\":\"child_sa_up\"' '$T/j.out') -ge 4 ]"
# drop it for good: flood reloads until its queue is over the bound or the
# stall timer fires; the daemon answers all the while
for i in $(seq 40); do ctl a reload >/dev/null 2>&1; done
check "status answers during the flood" ctl a status
check "the frozen monitor is dropped (slow reader or stalled)" \
	lg_wait 30 grep -qE 'event=monitor_dropped uid=0 reason=(slow_reader|reader_stalled)' "$T/a.log"
kill -CONT "$MON_t"
kill -INT "$MON_j"
wait "$MON_j"; rj=$?
check "monitor --json ends with exit 0 on Ctrl-C ($rj)" test "$rj" = 0

kill -TERM "$PA" "$PB"
wait "$PA"; ra=$?
wait "$PB"; rb=$?
check "both daemons exit 0 ($ra, $rb)" test "$ra$rb" = 00
check "no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' '$T/a.log' '$T/b.log'"
if [ "$FAILS" -gt 0 ]; then tail -n 30 "$T/a.log"; fi
echo "ctl_monitor: $FAILS failed"
[ "$FAILS" = 0 ]
