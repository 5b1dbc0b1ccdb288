#!/bin/bash
# audit: central collection over RELP with TLS, as shipped in
# conf/rsyslog-relp-{forward,collector}.conf (uncommented, paths and the
# collector's address filled in). A collector rsyslogd (imrelp) runs in one
# namespace; the branch (a real linegated and its own rsyslogd with imuxsock,
# conf/rsyslog-linegate.conf and omrelp) in another, joined by a veth pair.
# A burst of `linegatectl reload` (admin_action + config_reloaded each); the
# collector is restarted in the middle of the burst. Afterwards every record
# of the branch's journal (linegatectl audit show --json) is at the collector
# exactly once (by seq), and the branch's /var/log/linegate.log copy has them.
# RELP itself may deliver a line twice around the restart; the collector's
# store step (tools/linegate-central-store) writes it once. The raw delivery
# is kept too and its duplicates counted.
. "$LG_SOURCE_DIR/tests/net/audit_lib.inc"
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
[ -x "${LINEGATED:-}" ] && [ -x "${LINEGATECTL:-}" ] || { echo "FAIL: daemon or ctl not built"; exit 1; }
[ -e /usr/lib/x86_64-linux-gnu/rsyslog/imrelp.so ] || ls /usr/lib/*/rsyslog/imrelp.so >/dev/null 2>&1 ||
	{ echo "SKIP: rsyslog-relp not installed"; exit 77; }
command -v openssl >/dev/null || { echo "SKIP: no openssl"; exit 77; }
BURST=${LG_RELP_BURST:-300}
T=$(mktemp -d /tmp/lgn-relp.XXXXXX)
COLPID=""
cleanup() {
	local rc=$?
	for p in $COLPID $RSPID; do kill "$p" 2>/dev/null; done
	lg_ns_cleanup   # kills what is left in the namespaces
	grep -q " $T/" /proc/self/mounts && umount -l $(awk -v t="$T/" 'index($2, t) == 1 {print $2}' /proc/self/mounts) 2>/dev/null
	[ -n "${LG_KEEP:-}" ] || rm -rf "$T"
	exit $rc
}
lg_ns_init lgn-relp-
# waitfor SECONDS WHAT CMD...: until CMD succeeds, generously (a loaded CI machine).
waitfor() { lg_wait "$1" "${@:3}" || fail "timed out after $1 s waiting for: $2"; }
trap cleanup EXIT
lg_ns_add br
lg_ns_add col
lg_link br up0 10.252.0.1/24 col c0 10.252.0.2/24

# ---- TLS: a CA, the collector (logs.corp.example), a branch (gw1.corp.example)
mkdir -p "$T/tls" "$T/central" "$T/colwork" "$T/brwork" "$T/etc" "$T/run"
(
	cd "$T/tls"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj /CN=linegate-test-ca -keyout ca.key -out ca.pem
	for n in collector:logs.corp.example branch:gw1.corp.example; do
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=${n#*:}" \
			-addext "subjectAltName=DNS:${n#*:}" -keyout "${n%%:*}.key" -out "${n%%:*}.csr"
		openssl x509 -req -in "${n%%:*}.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
			-copy_extensions copy -out "${n%%:*}.pem"
	done
) >"$T/tls.log" 2>&1 || { cat "$T/tls.log"; fail "certificates"; }

# The shipped examples, uncommented ("## " lines are prose, "# " lines config).
uncomment() {
	sed -e '/^##/d' -e 's/^# \{0,1\}//' -e "s#/etc/rsyslog.d/tls/#$T/tls/#g" "$LG_SOURCE_DIR/conf/$1"
}
{
	echo "global(workDirectory=\"$T/colwork\")"
	# and a raw copy of what RELP delivered, before the store step
	uncomment rsyslog-relp-collector.conf |
		sed -e "s#/usr/libexec/linegate/central-store /var/log/linegate-central#$LG_SOURCE_DIR/tools/linegate-central-store $T/central#" \
		    -e "s#^\(\s*\)action(type=\"omprog\"#\1action(type=\"omfile\" file=\"$T/raw.log\" template=\"RSYSLOG_FileFormat\")\n\1action(type=\"omprog\"#"
} >"$T/col.conf"
{
	echo "global(workDirectory=\"$T/brwork\")"
	echo 'module(load="imuxsock" SysSock.Use="off")'
	echo "input(type=\"imuxsock\" Socket=\"$T/log.sock\" CreatePath=\"on\" RateLimit.Interval=\"0\")"
	sed -e "s#/var/log/linegate.log#$T/branch.log#" -e 's/fileGroup="linegate-audit"/fileGroup="root"/' \
		"$LG_SOURCE_DIR/conf/rsyslog-linegate.conf"
	uncomment rsyslog-relp-forward.conf | sed 's/target="logs.corp.example"/target="10.252.0.2"/'
} >"$T/br.conf"
for c in col br; do
	rsyslogd -N1 -f "$T/$c.conf" >"$T/$c.check" 2>&1 || { cat "$T/$c.check"; fail "$c rsyslog config"; }
done
grep -q 'tls="on"' "$T/br.conf" && grep -q 'tls="on"' "$T/col.conf" || fail "examples lost TLS"
grep -q "central-store $T/central" "$T/col.conf" && grep -q "$T/raw.log" "$T/col.conf" || fail "collector config not adapted"

start_collector() {
	ip netns exec "$(lg_ns_name col)" timeout 600 rsyslogd -n -f "$T/col.conf" -i "$T/col.pid" \
		>>"$T/col.out" 2>&1 &
	COLPID=$!
	waitfor 30 "collector listens on 2514" bash -c \
		"ip netns exec $(lg_ns_name col) ss -Hltn 'sport = :2514' | grep -q LISTEN"
}
start_collector
ip netns exec "$(lg_ns_name br)" timeout 600 rsyslogd -n -f "$T/br.conf" -i "$T/br.pid" >"$T/br.out" 2>&1 &
RSPID=$!
waitfor 30 "branch rsyslog socket" test -S "$T/log.sock"

cat >"$T/etc/linegate.conf" <<EOF
site "relp-test" {
    region CN
    identity-domain "corp.example"
    internal-space 10.0.0.0/8
}
uplink "u0" {
    interface up0
}
tunnel {
    device lgrelp0
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
with_devlog ip netns exec "$(lg_ns_name br)" "$LINEGATED" -f -c "$T/etc/linegate.conf" >"$T/daemon.out" 2>&1 &
DPID=$!
waitfor 60 "linegated control socket" test -S "$T/run/control.sock"

central_count() { cat "$T"/central/*.log 2>/dev/null | grep -c 'type=audit'; }
# The burst: each reload is an admin_action and a config_reloaded record.
(
	for i in $(seq "$BURST"); do
		"$LINEGATECTL" -s "$T/run/control.sock" reload >/dev/null 2>"$T/reload.err" || echo "reload $i failed: $(head -c 300 "$T/reload.err")" >>"$T/burst.err"
		echo "$i" >"$T/burst.n.new" && mv "$T/burst.n.new" "$T/burst.n"   # never read half-written
	done
) &
BPID=$!
waitfor 120 "a quarter of the burst at the collector" bash -c "[ \$(cat $T/central/*.log 2>/dev/null | grep -c type=audit) -ge $((BURST / 2)) ]"
kill -TERM "$COLPID"; wait "$COLPID" 2>/dev/null; COLPID=""
at_stop=$(cat "$T/burst.n")
lg_log "collector stopped at command $at_stop of $BURST ($(central_count) events there)"
# The branch keeps logging while the collector is away.
waitfor 120 "100 more commands while the collector is down" bash -c "[ \$(cat $T/burst.n) -ge $((at_stop + 100)) ] || ! kill -0 $BPID 2>/dev/null"
start_collector
lg_log "collector restarted at command $(cat "$T/burst.n")"
wait "$BPID"
[ -s "$T/burst.err" ] && { cat "$T/burst.err"; fail "linegatectl failed"; }
[ "$(cat "$T/burst.n")" -gt "$((at_stop + 50))" ] || fail "the collector was not down during the burst"
for p in $(ip netns pids "$(lg_ns_name br)"); do
	[ "$(cat /proc/$p/comm 2>/dev/null)" = linegated ] && kill -TERM "$p"
done
wait "$DPID" 2>/dev/null
"$LINEGATECTL" audit show --json --dir "$T/djournal" >"$T/journal.json" || fail "audit show"
"$LINEGATECTL" audit verify --dir "$T/djournal" >/dev/null || fail "journal does not verify"
want=$(python3 - "$T/journal.json" <<'PY'
import json, sys
raw = open(sys.argv[1]).read()
try:
    recs = json.loads(raw)
    recs = recs.get("records", []) if isinstance(recs, dict) else recs
except ValueError:
    recs = [json.loads(l) for l in raw.splitlines() if l.strip()]
print(max(int(r["seq"]) for r in recs))
PY
) || fail "journal.json"
lg_log "journal ends at seq $want"
waitfor 180 "seq $want at the collector" bash -c "cat $T/central/*.log | grep -q ' seq=$want '"

python3 - "$T/journal.json" "$T/branch.log" "$T/raw.log" "$T"/central/*.log <<'PY' || fail "central trail differs from the journal"
import json, re, sys
from collections import Counter
raw = open(sys.argv[1]).read()
try:
    recs = json.loads(raw)
    recs = recs.get("records", []) if isinstance(recs, dict) else recs
except ValueError:
    recs = [json.loads(l) for l in raw.splitlines() if l.strip()]
journal = {int(r["seq"]): r["event"] for r in recs}
def seqs(paths):
    c, ev = Counter(), {}
    for p in paths:
        for line in open(p, encoding="utf-8"):
            if " linegated" not in line or "type=audit" not in line:
                continue
            s = int(re.search(r" seq=(\d+)", line).group(1))
            c[s] += 1
            ev[s] = re.search(r" event=(\w+)", line).group(1)
    return c, ev
central, cev = seqs(sys.argv[4:])
raw, _ = seqs([sys.argv[3]])
branch, _ = seqs([sys.argv[2]])
missing = sorted(set(journal) - set(central))
dup = sorted(s for s, n in central.items() if n > 1)
extra = sorted(set(central) - set(journal))
wrong = sorted(s for s in journal if s in cev and cev[s] != journal[s])
admin = sum(1 for e in journal.values() if e == "admin_action")
print("journal %d records (%d admin_action), collector %d lines, %d distinct; "
      "missing %d, duplicated %d, unknown %d, wrong event %d; branch file %d; "
      "RELP delivered %d lines (%d sent twice, dropped by central-store)"
      % (len(journal), admin, sum(central.values()), len(central), len(missing), len(dup),
         len(extra), len(wrong), len(branch), sum(raw.values()), sum(raw.values()) - len(raw)))
assert not missing, "missing at the collector: %s" % missing[:20]
assert not dup, "duplicated at the collector: %s" % dup[:20]
assert not extra and not wrong, (extra[:20], wrong[:20])
assert set(branch) == set(journal), "the branch's linegate.log differs from the journal"
PY
echo "PASS"
