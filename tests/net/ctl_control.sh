#!/usr/bin/env bash
# An admin's hand on a peer (issue 12, item 3) on two real daemons:
# `rekey bj` replaces the CHILD SA (new SPIs) and the peer's totals do not go
# back; `rekey bj --ike` replaces the IKE SA; `down bj --wait` says the SAs
# are deleted; `down` again says the peer has no SA (exit 4); `up bj --wait`
# returns 0 with the SPIs; `up hk --wait` of a peer the guardrails refuse
# returns 1 with the reason code; `up bj --wait 3` while the other end is
# frozen runs out of time (exit 5).
set -u
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
. "$LG_SOURCE_DIR/tests/lib/ctl_sites.sh" lgn-ccl-
FAILS=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }
run() { OUT=$(ctl a "$@" 2>&1); RC=$?; echo "  linegatectl $* -> $RC: $OUT"; }

start_site b
start_site a
check "the tunnel to bj comes up" lg_wait 20 pyj a peers 'd[0]["state"]=="up"'
check "ping LAN a -> LAN b" lg_ping lana 10.2.1.10 -c 5 -i 0.2 -W 2

child_spi() { ctl a --json sas | python3 -c 'import json,sys; print(json.load(sys.stdin)["ike_sas"][0]["children"][0]["spi_in"])'; }
ike_spi() { ctl a --json sas | python3 -c 'import json,sys; print(json.load(sys.stdin)["ike_sas"][0]["spi_i"])'; }
totals() { ctl a --json peers | python3 -c 'import json,sys; t=json.load(sys.stdin)[0]["totals"]; print(t["packets_in"], t["packets_out"], t["bytes_in"], t["bytes_out"])'; }
OLD=$(child_spi)
read -r PI0 PO0 BI0 BO0 <<<"$(totals)"
run rekey bj
check "rekey bj: exit 0, a CHILD SA rekey started" bash -c "[ $RC = 0 ] && grep -q 'rekey bj: 1 CHILD SA started' <<<'$OUT'"
one_new_child() { ctl a --json sas | python3 -c "
import json,sys; s=json.load(sys.stdin)['ike_sas'][0]
sys.exit(0 if len(s['children'])==1 and s['children'][0]['spi_in']!='$OLD' else 1)"; }
check "the CHILD SA is replaced (new SPI, the old one deleted)" lg_wait 15 one_new_child
read -r PI1 PO1 BI1 BO1 <<<"$(totals)"
check "peer totals survive the rekey ($PI0 $PO0 $BI0 $BO0 -> $PI1 $PO1 $BI1 $BO1)" \
	test "$PI1" -ge "$PI0" -a "$PO1" -ge "$PO0" -a "$BI1" -ge "$BI0" -a "$BO1" -ge "$BO0" -a "$PO0" -ge 5
check "peers --json counts the replaced CHILD SA" pyj a peers 'd[0]["totals"]["child_sas_replaced"]>=1'
check "ping LAN a -> LAN b on the new CHILD SA" lg_ping lana 10.2.1.10 -c 3 -i 0.2 -W 2
read -r PI2 PO2 _ _ <<<"$(totals)"
check "the totals keep counting after the rekey ($PO1 -> $PO2)" test "$PO2" -ge $((PO1 + 3)) -a "$PI2" -ge $((PI1 + 3))

OLDIKE=$(ike_spi)
run rekey bj --ike
check "rekey bj --ike: exit 0" bash -c "[ $RC = 0 ] && grep -q '1 IKE SA started' <<<'$OUT'"
new_ike() { [ "$(ctl a --json sas | python3 -c 'import json,sys; s=json.load(sys.stdin)["ike_sas"]; print(len(s), s[0]["spi_i"])')" != "1 $OLDIKE" ] &&
	[ "$(ctl a --json sas | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["ike_sas"]))')" = 1 ]; }
check "the IKE SA is replaced (one IKE SA, new SPI)" lg_wait 15 new_ike
run rekey bj --sideways
check "rekey with a bad option: usage, exit 1" bash -c "[ $RC = 1 ] && grep -q 'usage: rekey PEER' <<<'$OUT'"

run down bj --wait 20
check "down bj --wait: exit 0, the SAs are deleted" bash -c "[ $RC = 0 ] && grep -q 'peer bj down' <<<'$OUT'"
check "sas: no IKE SA left" bash -c "'$CTL' -c '$T/a/linegate.conf' sas | grep -q 'no IKE SAs'"
run down bj
check "down of an idle peer says so, exit 4" bash -c "[ $RC = 4 ] && grep -q 'peer bj has no SA' <<<'$OUT'"
run rekey bj
check "rekey of an idle peer: exit 4" bash -c "[ $RC = 4 ] && grep -q 'has no established SA' <<<'$OUT'"
check "peers: bj is admin-down, no next try" bash -c "'$CTL' -c '$T/a/linegate.conf' peers | grep -Eq '^bj .* down +admin-down'"

run up bj --wait 30
check "up bj --wait: exit 0, established with the SPIs" \
	bash -c "[ $RC = 0 ] && grep -Eq 'peer bj established: IKE SA [0-9a-f]{16}/[0-9a-f]{16}, CHILD SA [0-9a-f]{8}/[0-9a-f]{8} \(10.1.0.0/16 === 10.2.0.0/16\)' <<<'$OUT'"
OUT=$(ctl a --json up bj --wait 5 2>&1)
check "up --wait of an established peer: JSON result established" python3 -c "
import json,sys; d=json.loads(sys.argv[1]); assert d['result']=='established' and d['peer']=='bj', d" "$OUT"
run up hk --wait 10
check "up hk --wait (guardrails refuse): exit 1 with the reason code" \
	bash -c "[ $RC = 1 ] && grep -q 'peer hk not established: uplink_down' <<<'$OUT'"
run up nosuch --wait
check "up of an unknown peer: exit 1" bash -c "[ $RC = 1 ] && grep -q 'no such peer' <<<'$OUT'"

# the other end frozen: no answer, the wait runs out
run down bj --wait 20
kill -STOP "$PB"
T0=$SECONDS
run up bj --wait 3
check "up bj --wait 3 with the peer frozen: exit 5 after the wait ($((SECONDS - T0)) s)" \
	bash -c "[ $RC = 5 ] && grep -q 'not established within 3 s' <<<'$OUT'"
kill -CONT "$PB"
check "the tunnel comes back" lg_wait 60 pyj a peers 'd[0]["state"]=="up"'
journal() { cat "$T/a/audit"/audit-*.jsonl; }
check "audit: up --wait recorded as admin_action, result pending" bash -c "grep '\"event\":\"admin_action\"' <<<\"\$(cat '$T'/a/audit/audit-*.jsonl)\" |
	grep '\"object\":\"up\"' | grep -q '\"result\":\"pending\"'"
check "audit: rekey recorded as admin_action" bash -c "cat '$T'/a/audit/audit-*.jsonl | grep '\"event\":\"admin_action\"' | grep -q '\"object\":\"rekey\"'"

kill -TERM "$PA" "$PB"
wait "$PA"; ra=$?
wait "$PB"; rb=$?
check "both daemons exit 0 ($ra, $rb)" test "$ra$rb" = 00
check "no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' '$T/a.log' '$T/b.log'"
if [ "$FAILS" -gt 0 ]; then tail -n 30 "$T/a.log" "$T/b.log"; fi
echo "ctl_control: $FAILS failed"
[ "$FAILS" = 0 ]
