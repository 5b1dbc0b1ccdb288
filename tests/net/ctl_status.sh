#!/usr/bin/env bash
# What an operator reads (issue 12, item 2) on two real daemons: `sas` shows
# both identities, the age of the IKE SA and IKE/CHILD rekey and expiry
# countdowns that go down as time passes, the last packet each way per CHILD
# SA and the peer's totals; `flows` names the peer (JSON) and gives first and
# last activity (text); `peers` shows, for a peer refused by the guardrails,
# when it is tried next and why the last attempt failed.
set -u
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
. "$LG_SOURCE_DIR/tests/lib/ctl_sites.sh" lgn-cst-
FAILS=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }

start_site b
start_site a
check "the tunnel to bj comes up" lg_wait 20 pyj a peers 'd[0]["state"]=="up"'
check "ping LAN a -> LAN b through the tunnel" lg_ping lana 10.2.1.10 -c 3 -i 0.2 -W 2

sa_json() { ctl a --json sas > "$T/$1.json"; }
sa_json s1
check "sas --json: local and remote identities" python3 -c "
import json; s=json.load(open('$T/s1.json'))['ike_sas'][0]
assert s['local_id']=='sh-gw.corp.example' and s['remote_id']=='bj-gw.corp.example', s"
check "sas --json: established time, IKE and CHILD rekey/expiry countdowns" python3 -c "
import json; s=json.load(open('$T/s1.json'))['ike_sas'][0]; c=s['children'][0]
assert s['established'] and s['rekey_in_s']>0 and s['expire_in_s']>=s['rekey_in_s'], s
assert c['installed'] and c['rekey_in_s']>0 and c['expire_in_s']>=c['rekey_in_s'] and c['state']=='installed', c"
check "sas --json: last packet in/out of the CHILD SA and the peer totals" python3 -c "
import json; s=json.load(open('$T/s1.json'))['ike_sas'][0]; c=s['children'][0]
assert c['last_in'] and c['last_out'] and c['packets_in']>=3, c
assert s['peer_totals']['packets_in']>=c['packets_in'], s"
# the countdowns go down as time passes (a second at least)
later() { sa_json s2; python3 -c "
import json; a=json.load(open('$T/s1.json'))['ike_sas'][0]; b=json.load(open('$T/s2.json'))['ike_sas'][0]
assert a['spi_i']==b['spi_i'] and b['rekey_in_s']<a['rekey_in_s'] and b['expire_in_s']<a['expire_in_s']
assert b['children'][0]['expire_in_s']<a['children'][0]['expire_in_s']"; }
check "the countdowns decrease" lg_wait 5 later
check "a DPD answer is recorded (dpd 2s, no traffic)" lg_wait 10 pyj a sas 'd["ike_sas"][0]["last_dpd_answer"]'
ctl a sas > "$T/sas.txt"
check "sas (text): identities, age, countdowns, last DPD answer, totals" bash -c "
grep -q 'local sh-gw.corp.example  remote bj-gw.corp.example' '$T/sas.txt' &&
grep -Eq 'age [0-9]+(s|m[0-9]+s) ago \(up since [0-9-]+T[0-9:.]+' '$T/sas.txt' &&
grep -Eq 'rekey in [0-9]+h[0-9]+m, expires in [0-9]+h[0-9]+m' '$T/sas.txt' &&
grep -Eq 'last DPD answer [0-9]+s ago' '$T/sas.txt' && grep -q 'peer totals in ' '$T/sas.txt' &&
grep -Eq 'installed [0-9]+(s|m[0-9]+s) ago, rekey in [0-9]+m[0-9]+s, expires in' '$T/sas.txt' &&
grep -Eq 'last in [0-9]+(s|m[0-9]+s) ago, last out [0-9]+(s|m[0-9]+s) ago' '$T/sas.txt'" || cat "$T/sas.txt"
check "flows --json names the peer" pyj a flows 'd[0]["peer"]=="bj" and d[0]["first_activity"]'
check "flows (text): first and last activity" bash -c "'$CTL' -c '$T/a/linegate.conf' flows |
	grep -Eq 'first activity [0-9]+(s|m[0-9]+s) ago \([0-9-]+T.*\), last in .* ago, last out .* ago'"
check "peers --json: hk refused with its reason, next attempt scheduled" \
	lg_wait 10 pyj a peers 'd[1]["name"]=="hk" and d[1]["last_failure"]=="uplink_down" and d[1]["next_attempt"] and d[1]["failures"]>=1'
check "peers (text): next try and last failure columns" bash -c "'$CTL' -c '$T/a/linegate.conf' peers |
	grep -Eq '^hk .* down +(in [0-9]+s|due now) +uplink_down \([0-9]+s ago\)'"

kill -TERM "$PA" "$PB"
wait "$PA"; ra=$?
wait "$PB"; rb=$?
check "both daemons exit 0 ($ra, $rb)" test "$ra$rb" = 00
check "no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' '$T/a.log' '$T/b.log'"
if [ "$FAILS" -gt 0 ]; then tail -n 20 "$T/a.log" "$T/b.log"; fi
echo "ctl_status: $FAILS failed"
[ "$FAILS" = 0 ]
