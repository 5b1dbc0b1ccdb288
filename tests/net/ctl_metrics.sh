#!/usr/bin/env bash
# `linegatectl metrics` (issue 12, item 5) on two real daemons: the text is
# the Prometheus format (promtool check metrics where installed, and the
# strict reader tests/lib/prom.py always), the peer's packet and byte
# counters grow by at least what a ping sent through the tunnel, the other
# figures say what status says (peer up, IKE SA state, uplink up/licensed,
# journal ok); a read-only-group user may read them, a user in no group may
# not; --textfile replaces the file whole (a reader never sees it half
# written), with the same series as stdout, and says linegate_up 0 when the
# daemon is gone.
set -u
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
. "$LG_SOURCE_DIR/tests/lib/ctl_sites.sh" lgn-cmx-
FAILS=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }
command -v useradd >/dev/null && command -v runuser >/dev/null || { echo "SKIP: useradd/runuser missing"; exit 77; }
TAG=$$ GR="lgt-mro-$$" UR="lgt-mr$$" UN="lgt-mn$$"
trap 'lg_ns_cleanup; userdel "$UR" 2>/dev/null; userdel "$UN" 2>/dev/null; groupdel "$GR" 2>/dev/null;
      [ -n "${LG_KEEP:-}" ] || rm -rf "$T"' EXIT
groupadd "$GR" && useradd -M -N -s /usr/sbin/nologin -G "$GR" "$UR" &&
	useradd -M -N -s /usr/sbin/nologin "$UN" || lg_die "useradd"
# site a: anyone may connect, the read-only group may query
sed -i "s|^    socket \"control.sock\"|&\n    socket-mode 0666\n    read-only-group $GR|" "$T/a/linegate.conf"
chmod 755 "$T" "$T/a"
PROM="python3 $LG_SOURCE_DIR/tests/lib/prom.py"
PROMTOOL=$(command -v promtool || true)
[ -n "$PROMTOOL" ] || echo "# promtool not installed: tests/lib/prom.py alone checks the grammar"
valid() { # FILE: the grammar, strictly
	$PROM "$1" && { [ -z "$PROMTOOL" ] || { out=$("$PROMTOOL" check metrics < "$1" 2>&1) && [ -z "$out" ]; } ||
		{ echo "$out"; false; }; }
}
q() { # FILE 'python expression on m (and v = prom.value)'
	python3 -c "
import sys; sys.path.insert(0, '$LG_SOURCE_DIR/tests/lib'); import prom
m = prom.parse(open('$1', encoding='utf-8').read()); v = lambda *a, **k: prom.value(m, *a, **k)
sys.exit(0 if ($2) else 1)"
}

start_site b
start_site a
check "the tunnel to bj comes up" lg_wait 20 pyj a peers 'd[0]["state"]=="up"'
ctl a metrics > "$T/m1.prom"
check "metrics: exit 0 ($?)" test $? = 0
check "metrics: valid Prometheus text (promtool: ${PROMTOOL:-none}, tests/lib/prom.py)" valid "$T/m1.prom"
check "peer bj up, its IKE SA established; hk down" q "$T/m1.prom" \
	'v("linegate_peer_up", peer="bj") == 1 and v("linegate_peer_up", peer="hk") == 0 and
	 v("linegate_peer_ike_sas", peer="bj", state="established") == 1 and
	 v("linegate_peer_ike_sas", peer="hk", state="established") == 0 and
	 v("linegate_peer_ike_setups_total", peer="bj") >= 1'
hk_failed() { ctl a metrics > "$T/mh.prom" && q "$T/mh.prom" 'v("linegate_peer_ike_failures_total", peer="hk") >= 1'; }
check "hk's refused attempts count as failures" lg_wait 10 hk_failed
check "uplinks: u0 up and unlicensed; ctc down, licensed, carrier and circuit labels" q "$T/m1.prom" \
	'v("linegate_uplink_up", uplink="u0") == 1 and v("linegate_uplink_licensed", uplink="u0") == 0 and
	 v("linegate_uplink_up", uplink="ctc", carrier="china-telecom") == 0 and
	 v("linegate_uplink_licensed", uplink="ctc", circuit_id="CTC-IPLC-SH-0001") == 1'
ctl a compliance > /dev/null
crc=$?   # hk's circuit is down: a violation stands, as compliance's exit code says
check "journal ok with records, violations as compliance says (exit $crc), build/config info, times" \
	q "$T/m1.prom" 'v("linegate_audit_journal_ok") == 1 and v("linegate_audit_records_total") > 0 and
	 (v("linegate_compliance_violations") > 0) == ('"$crc"' == 1) and v("linegate_up") == 1 and
	 v("linegate_build_info") == 1 and len(dict(next(l for (k, l) in m if k == "linegate_config_info"))["blake2b"]) == 64 and
	 v("linegate_config_load_time_seconds") >= v("linegate_start_time_seconds") > 1.7e9'
check "drops by layer and reason (esp, datapath, ike)" q "$T/m1.prom" \
	'{dict(l)["layer"] for (k, l) in m if k == "linegate_drops_total"} == {"esp", "datapath", "ike"} and
	 v("linegate_drops_total", layer="ike", reason="malformed") >= 0'

N=20
check "ping -c $N LAN a -> LAN b through the tunnel" lg_ping lana 10.2.1.10 -c $N -i 0.05 -W 2
ctl a metrics > "$T/m2.prom"
check "metrics after traffic: valid" valid "$T/m2.prom"
python3 - "$T/m1.prom" "$T/m2.prom" "$N" "$LG_SOURCE_DIR/tests/lib" <<'PY' > "$T/delta"
import sys; sys.path.insert(0, sys.argv[4]); import prom
a, b = (prom.parse(open(p).read()) for p in sys.argv[1:3])
for n in ('transmit_packets', 'receive_packets', 'transmit_bytes', 'receive_bytes'):
    k = 'linegate_peer_%s_total' % n
    print(n, int(prom.value(b, k, peer='bj') - prom.value(a, k, peer='bj')))
PY
cat "$T/delta"
grow() { awk -v k="$1" -v min="$2" '$1 == k { found = 1; ok = $2 >= min } END { exit !(found && ok) }' "$T/delta"; }
check "bj: transmit packets grew by >= $N" grow transmit_packets $N
check "bj: receive packets grew by >= $N" grow receive_packets $N
check "bj: transmit bytes grew by >= $N x 84 (an echo request)" grow transmit_bytes $((N * 84))
check "bj: receive bytes grew by >= $N x 84 (an echo reply)" grow receive_bytes $((N * 84))
check "the datapath counters agree (tun receive >= $N more)" python3 - "$T/m1.prom" "$T/m2.prom" "$N" <<PY
import sys; sys.path.insert(0, '$LG_SOURCE_DIR/tests/lib'); import prom
a, b = (prom.parse(open(p).read()) for p in sys.argv[1:3])
k = 'linegate_datapath_packets_total'
sys.exit(0 if prom.value(b, k, device='tun', direction='receive') - prom.value(a, k, device='tun', direction='receive') >= int(sys.argv[3]) else 1)
PY

# ---- roles: the read-only group reads metrics, nobody else
OUT=$(lg_ns gwa runuser -u "$UR" -- "$CTL" -s "$T/a/control.sock" metrics 2>&1)
check "read-only group: metrics allowed" test $? = 0
check "read-only group: the figures, not a refusal" grep -q '^linegate_up 1$' <<<"$OUT"
OUT=$(lg_ns gwa runuser -u "$UN" -- "$CTL" -s "$T/a/control.sock" metrics 2>&1)
check "user in no group: metrics refused ($OUT)" test $? = 1
check "user in no group: not authorised" grep -q "not authorised" <<<"$OUT"

# ---- --textfile: whole files only, the same series as stdout
mkdir -p "$T/tf"
series() { python3 -c "
import sys; sys.path.insert(0, '$LG_SOURCE_DIR/tests/lib'); import prom
for k in sorted(prom.parse(open('$1').read())): print(k)"; }
check "metrics --textfile: exit 0" ctl a metrics --textfile "$T/tf/linegate.prom"
ctl a metrics > "$T/m3.prom"
check "--textfile: valid" valid "$T/tf/linegate.prom"
check "--textfile: the same series as stdout" diff <(series "$T/tf/linegate.prom") <(series "$T/m3.prom")
check "--textfile: mode 0644 (node_exporter reads it), no temporary file left" \
	bash -c "[ \$(stat -c %a '$T/tf/linegate.prom') = 644 ] && [ \$(ls -A '$T/tf' | wc -l) = 1 ]"
# a reader racing 40 rewrites sees a whole file every time: the last family
# is there and the grammar holds; each rewrite is a new inode (rename)
ino1=$(stat -c %i "$T/tf/linegate.prom")
( for i in $(seq 40); do ctl a metrics --textfile "$T/tf/linegate.prom" || exit 1; done ) &
W=$!
python3 - "$T/tf/linegate.prom" "$W" "$LG_SOURCE_DIR/tests/lib" <<'PY' > "$T/race"
import os, sys; sys.path.insert(0, sys.argv[3]); import prom
reads = bad = 0
while os.path.exists('/proc/' + sys.argv[2]) or reads == 0:
    with open(sys.argv[1], encoding='utf-8') as f:
        t = f.read()
    reads += 1
    try:
        m = prom.parse(t)
        assert any(k == 'linegate_audit_last_seq' for k, _ in m)
    except Exception as e:
        bad += 1
        print('partial:', e)
print('reads', reads, 'bad', bad)
PY
wait "$W"; rw=$?
cat "$T/race" | tail -n 3
check "40 rewrites done (exit $rw)" test "$rw" = 0
check "the reader never saw a partial file" grep -q ' bad 0$' "$T/race"
check "each rewrite replaced the file (new inode)" test "$(stat -c %i "$T/tf/linegate.prom")" != "$ino1"
check "no temporary file left after the race" test "$(ls -A "$T/tf" | wc -l)" = 1

kill -TERM "$PA" "$PB"
wait "$PA"; ra=$?
wait "$PB"; rb=$?
check "both daemons exit 0 ($ra, $rb)" test "$ra$rb" = 00
ctl a metrics --textfile "$T/tf/linegate.prom" 2>/dev/null
rc=$?
check "no daemon: --textfile exits 3 ($rc)" test "$rc" = 3
check "no daemon: the file says linegate_up 0, nothing else" \
	bash -c "grep -q '^linegate_up 0$' '$T/tf/linegate.prom' && [ \$(grep -vc '^#' '$T/tf/linegate.prom') = 1 ]"
check "no daemon: the linegate_up 0 file is valid" valid "$T/tf/linegate.prom"
check "no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' '$T/a.log' '$T/b.log'"
if [ "$FAILS" -gt 0 ]; then tail -n 20 "$T/a.log" "$T/b.log"; fi
echo "ctl_metrics: $FAILS failed"
[ "$FAILS" = 0 ]
