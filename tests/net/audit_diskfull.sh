#!/bin/bash
# audit: linegated with its journal on a 64 KiB tmpfs (in a private mount
# namespace) and a real rsyslogd. The filesystem fills up while admin
# actions keep coming: rsyslog must receive the LOG_ALERT alarm and every
# later line flagged journal=failed unwritten=N; when space returns the
# journal must hold one audit_gap with exactly that count, and
# `linegatectl audit verify` must pass.
if [ -z "${LG_AUDIT_PRIVATE_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
	LG_AUDIT_PRIVATE_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
. "$LG_SOURCE_DIR/tests/net/audit_lib.inc"
[ -x "${LINEGATED:-}" ] && [ -x "${LINEGATECTL:-}" ] ||
	{ echo "SKIP: linegated or linegatectl not built"; exit 77; }
lg_audit_rsyslog_start diskfull
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
lg_ns_init lgn-auddf-
trap 'lg_ns_cleanup; lg_audit_cleanup' EXIT
lg_ns_add gw
lg_ns_add pr
lg_link gw up0 10.252.0.1/24 pr p0 10.252.0.2/24

mkdir -p "$T/small" "$T/run" "$T/etc"
mount -t tmpfs -o size=64k,mode=0700 lg-audit-small "$T/small" || fail "tmpfs"
cat >"$T/etc/linegate.conf" <<EOF
site "audit-test" {
    region CN
    identity-domain "corp.example"
    internal-space 10.0.0.0/8
}
uplink "u0" {
    interface up0
}
tunnel {
    device lgadf0
    address 10.1.0.1/24
}
audit {
    journal-dir "$T/small/audit"
    retention 180d
    syslog-facility local4
}
control {
    socket "$T/run/control.sock"
    workers 1
}
EOF
chmod 0600 "$T/etc/linegate.conf"
with_devlog ip netns exec "$(lg_ns_name gw)" "$LINEGATED" -f -c "$T/etc/linegate.conf" \
	>"$T/daemon.out" 2>&1 &
DPID=$!
wait_lines "linegated +type=audit.*event=config_loaded" 1
ctl() { timeout "$(lg_bound 10)" "$LINEGATECTL" -s "$T/run/control.sock" "$@"; }
ctl status >/dev/null || fail "linegatectl status"
# a change is an admin_action record (a query is not): "down" of no peer
ctl down no-such-peer >/dev/null 2>&1
wait_lines "event=admin_action" 1

# Fill the filesystem to the last byte.
python3 - "$T/small/filler" <<'PY'
import sys
with open(sys.argv[1], 'ab', buffering=0) as f:
    try:
        while True:
            f.write(b'F' * 4096)
    except OSError:
        pass
    try:
        while True:
            f.write(b'F')
    except OSError:
        pass
PY
# every change command is an admin_action record: keep them coming until
# the page slack of the journal file is used up
for _ in $(seq 100); do
	ctl down no-such-peer >/dev/null 2>&1
	grep -q "event=audit_fault" "$T/audit.log" && break
done
wait_lines "^local4\.alert linegated +type=audit .*event=audit_fault .*error=ENOSPC" 1
for _ in 1 2 3; do ctl down no-such-peer >/dev/null 2>&1; done
wait_lines "journal=failed unwritten=[0-9]+" 4
ctl status >"$T/status.txt" 2>&1
rm -f "$T/small/filler"
wait_lines "linegated +type=audit .*event=audit_gap" 1
sleep 1.2   # let the tick after the gap run
for p in $(ip netns pids "$(lg_ns_name gw)"); do kill -TERM "$p" 2>/dev/null; done
wait_lines "linegated +type=audit.*event=daemon_stop" 1
wait "$DPID"

python3 - "$T/audit.log" <<'PY' || fail "syslog lines"
import re, sys
lines = [l.rstrip('\n') for l in open(sys.argv[1], encoding='utf-8') if ' linegated ' in l and 'type=audit' in l]
alarm = [i for i, l in enumerate(lines) if 'event=audit_fault' in l and l.startswith('local4.alert ')]
gap = [i for i, l in enumerate(lines) if 'event=audit_gap' in l]
assert alarm and gap and alarm[0] < gap[0], (alarm, gap)
flagged = [l for l in lines[alarm[0]:gap[0]] if 'journal=failed' in l]
counts = [int(re.search(r'unwritten=(\d+)', l).group(1)) for l in flagged]
assert len(counts) >= 4 and counts == sorted(counts), counts
# every record emitted while the journal was down is on syslog with seq=0
for l in lines[alarm[0] + 1:gap[0]]:
    if 'event=audit_fault' not in l:
        assert ' seq=0 ' in l and 'journal=failed' in l, l
lost = int(re.search(r' lost=(\d+)', lines[gap[0]]).group(1))
assert lost == counts[-1], (lost, counts[-1])
assert ' reason=write_fault ' in lines[gap[0]] and ' error=ENOSPC ' in lines[gap[0]], lines[gap[0]]
assert ' journal=failed' not in lines[gap[0]]
print("alarm at LOG_ALERT, %d flagged lines, gap lost=%d" % (len(flagged), lost))
PY

"$LINEGATECTL" audit verify --dir "$T/small/audit" --json >"$T/verify.json" || {
	cat "$T/verify.json"; fail "journal does not verify after the fault"; }
python3 - "$T/verify.json" <<'PY' || fail "verify report"
import json, sys
v = json.load(open(sys.argv[1]))
assert v['ok'] and v['faults'] == 0 and v['gaps'] == 1, v
print("verify: %d records, %d checkpoints, %d gap, ok" % (v['records'], v['checkpoints'], v['gaps']))
PY
echo "PASS"
