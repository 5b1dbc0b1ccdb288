#!/bin/bash
# audit: a real rsyslogd (Debian package) started with its own config, pid
# file and imuxsock socket in a temp dir receives the audit events of
#  1. a test emitter (every event of the catalogue, with a hostile identity),
#  2. linegated itself with a minimal config (no peers), when it is built:
#     daemon_start, config_loaded, daemon_stop,
# through /dev/log bind-mounted to that socket inside `unshare -m`. The file
# rsyslog writes is parsed as a log pipeline would (key=value, quotes) and
# every field is asserted; the journal written alongside must verify.
. "$LG_SOURCE_DIR/tests/net/audit_lib.inc"
[ -x "$EMITTER" ] || { echo "FAIL: $EMITTER not built"; exit 1; }
lg_audit_rsyslog_start rsyslog

# ---- 1. every event of the catalogue
with_devlog "$EMITTER" --emit "$T/journal" || fail "emitter"
wait_lines "type=audit.*event=audit_checkpoint" 1

python3 - "$T/audit.log" "$LG_SOURCE_DIR/docs/audit-events.md" <<'PY' || fail "rsyslog output"
import re, sys
log, doc = sys.argv[1], sys.argv[2]

def kv(msg):
    """key=value with "quoted" values, \\" \\\\ \\xHH escapes: a pipeline's parser."""
    out, i, n = {}, 0, len(msg)
    while i < n:
        while i < n and msg[i] == ' ':
            i += 1
        eq = msg.find('=', i)
        assert eq > i, "no key at %r" % msg[i:]
        key = msg[i:eq]
        assert re.fullmatch(r'[a-z0-9_]+', key), key
        assert key not in out, "duplicate field " + key
        i = eq + 1
        if i < n and msg[i] == '"':
            i += 1
            val = bytearray()
            while msg[i] != '"':
                if msg[i] == '\\' and msg[i + 1] == 'x':
                    val.append(int(msg[i + 2:i + 4], 16)); i += 4
                elif msg[i] == '\\':
                    val += msg[i + 1].encode(); i += 2
                else:
                    val += msg[i].encode(); i += 1
            i += 1
            out[key] = val.decode('utf-8')
        else:
            j = msg.find(' ', i)
            j = n if j < 0 else j
            out[key] = msg[i:j]
            i = j
    return out

# the catalogue (docs/audit-events.md): | `name` | severity ok | severity fail | ...
sev = {}
for line in open(doc, encoding='utf-8'):
    m = re.match(r'\|\s*`([a-z_]+)`\s*\|\s*([a-z]+)\s*/\s*([a-z]+)\s*\|', line)
    if m:
        sev[m.group(1)] = (m.group(2), m.group(3))
assert len(sev) >= 30, "catalogue table not found (%d rows)" % len(sev)

recs = []
for line in open(log, encoding='utf-8'):
    line = line.rstrip('\n')
    m = re.match(r'(\w+)\.(\w+) (\S+) +(type=audit .*)$', line)
    if not m or m.group(3) != 'linegate-audit-test':
        continue
    f = kv(m.group(4))
    f['_fac'], f['_sev'] = m.group(1), m.group(2)
    recs.append(f)

names = [r['event'] for r in recs]
missing = set(sev) - set(names)
assert not missing, "events not seen on syslog: %s" % sorted(missing)
seqs = [int(r['seq']) for r in recs]
assert seqs == list(range(1, len(seqs) + 1)), "seq not contiguous: %s" % seqs
rfc3339 = re.compile(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$')
for r in recs:
    assert r['_fac'] == 'local4', r
    want = sev[r['event']][0 if r['outcome'] == 'success' else 1]
    assert r['_sev'] == want, "%s: severity %s, catalogue says %s" % (r['event'], r['_sev'], want)
    assert rfc3339.match(r['ts']), r['ts']
    assert r['host'] == 'gw-test', r
    assert r['outcome'] in ('success', 'failure')
    for k in ('subject', 'object', 'type'):
        assert k in r, (k, r)
    if r['event'] not in ('audit_open', 'audit_key_created', 'audit_checkpoint'):
        assert r['detail'] == 'value with spaces' and r['officer'] == '张伟' and r['n'] == '42', r
af = [r for r in recs if r['event'] == 'auth_failure'][0]
assert af['subject'] == 'evil\nevent=forged outcome=success "x" 张伟', repr(af['subject'])
assert af['outcome'] == 'failure' and af['_sev'] == 'warning'
assert len([r for r in recs if r['event'] == 'auth_failure']) == 1
op = [r for r in recs if r['event'] == 'audit_open'][0]
assert re.fullmatch(r'[0-9a-f]{64}', op['pubkey']), op
pub = open(log.rsplit('/', 1)[0] + '/journal/audit.pub').read().split()[1]
assert op['pubkey'] == pub, "syslog pin differs from audit.pub"
print("rsyslog: %d audit lines, %d event types, fields and severities as catalogued" % (len(recs), len(set(names))))
PY

"$EMITTER" --cli verify --dir "$T/journal" || fail "journal of the emitter does not verify"

# ---- 2. the daemon, when it exists
if [ ! -x "${LINEGATED:-}" ]; then
	echo "note: $LINEGATED not built; daemon part skipped"
	echo "PASS"
	exit 0
fi
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
lg_ns_init lgn-audrs-
trap 'lg_ns_cleanup; lg_audit_cleanup' EXIT
lg_ns_add gw
lg_ns_add pr
lg_link gw up0 10.251.0.1/24 pr p0 10.251.0.2/24
mkdir -p "$T/etc" "$T/run"
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
    device lgaud0
    address 10.1.0.1/24
}
audit {
    journal-dir "$T/djournal"
    retention 180d
    syslog-facility local4
    checkpoint-interval 1m
}
control {
    socket "$T/run/control.sock"
    workers 1
}
EOF
chmod 0600 "$T/etc/linegate.conf"
ip netns exec "$(lg_ns_name gw)" "$LINEGATED" --check-config "$T/etc/linegate.conf" >"$T/check.txt" 2>&1 || {
	cat "$T/check.txt"; fail "minimal config refused"; }
with_devlog ip netns exec "$(lg_ns_name gw)" "$LINEGATED" -f -c "$T/etc/linegate.conf" \
	>"$T/daemon.out" 2>&1 &
DPID=$!
wait_lines "linegated +type=audit.*event=config_loaded" 1
# the daemon is the only process in the gw namespace: SIGTERM it there
for p in $(ip netns pids "$(lg_ns_name gw)"); do kill -TERM "$p" 2>/dev/null; done
wait "$DPID" 2>/dev/null
wait_lines "linegated +type=audit.*event=daemon_stop" 1

python3 - "$T/audit.log" <<'PY' || fail "daemon lines"
import re, sys
recs = []
for line in open(sys.argv[1], encoding='utf-8'):
    m = re.match(r'(\w+)\.(\w+) linegated +(type=audit .*)$', line.rstrip('\n'))
    if m:
        d = dict(re.findall(r'([a-z0-9_]+)=("(?:[^"\\]|\\.)*"|\S+)', m.group(3)))
        d['_sev'] = m.group(2)
        recs.append(d)
ev = [r['event'] for r in recs]
for want in ('audit_open', 'daemon_start', 'config_loaded', 'daemon_stop'):
    assert want in ev, "%s missing from %s" % (want, ev)
assert ev.index('daemon_start') < ev.index('config_loaded') < ev.index('daemon_stop'), ev
cl = recs[ev.index('config_loaded')]
assert re.fullmatch(r'[0-9a-f]{64}', cl['blake2b']), cl
assert cl['_sev'] == 'notice' and cl['outcome'] == 'success'
ds = recs[ev.index('daemon_stop')]
assert ds['_sev'] == 'notice', ds
seqs = [int(r['seq']) for r in recs]
assert seqs == sorted(seqs) and seqs[0] >= 1, seqs
print("daemon: %s" % ' '.join(ev))
PY

CTL="$EMITTER --cli"
[ -x "${LINEGATECTL:-}" ] && CTL="$LINEGATECTL audit"
$CTL verify --dir "$T/djournal" || fail "daemon journal does not verify"
echo "PASS"
