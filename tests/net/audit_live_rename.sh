#!/usr/bin/env bash
# sed -i on the live journal file (a rename over it) while the real daemon
# writes (issue 10, item 3): the daemon notices at its next record, raises
# the alarm (status), records the gap in the file now at the path and goes on
# there; after a restart no sequence number is used twice; verify fails.
set -u
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
lg_ns_init lgn-alr-
lg_ns_add gw
lg_ns_add pr
lg_link gw up0 10.250.0.1/24 pr p0 10.250.0.2/24
T=$(mktemp -d /tmp/lg-alr.XXXXXX)
chmod 700 "$T"
trap 'lg_ns_cleanup; [ -n "${LG_KEEP:-}" ] || rm -rf "$T"' EXIT
FAILS=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }
cat > "$T/linegate.conf" <<CONF
site "lab" {
    region CN
    identity-domain "lab.example"
    internal-space 10.0.0.0/8
}
uplink "u0" {
    interface up0
}
tunnel {
    device lgalr0
    address 10.10.0.1/24
}
audit {
    journal-dir "audit"
    retention 180d
}
control {
    socket "run/control.sock"
    workers 1
}
CONF
start() {
	ip netns exec "$(lg_ns_name gw)" "$LINEGATED" -f -c "$T/linegate.conf" 2>> "$T/daemon.log" &
	PID=$!
	LG_PIDS+=("$PID")
	lg_wait 30 test -S "$T/run/control.sock" || { cat "$T/daemon.log"; lg_die "daemon did not start"; }
}
stop() { kill -TERM "$PID"; wait "$PID"; }
ctl() { lg_ns gw "$LINEGATECTL" -s "$T/run/control.sock" "$@"; }
change() { ctl down no-such-peer >/dev/null 2>&1; }   # an admin_action record
seqs() { python3 -c '
import glob, json, sys
print(" ".join(str(json.loads(l)["seq"]) for f in sorted(glob.glob(sys.argv[1] + "/audit-*.jsonl")) for l in open(f)))' "$T/audit"; }

start
for _ in 1 2 3 4 5; do change; done
LIVE=$(ls "$T"/audit/audit-*.jsonl | tail -1)
INO=$(stat -c %i "$LIVE")
sed -i 's/no-such-peer/other-peer/' "$LIVE"
check "sed -i replaced the file (new inode)" test "$(stat -c %i "$LIVE")" != "$INO"
for _ in 1 2 3; do change; done
ALARM=$(ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["audit"]["alarm"])')
check "status raises the alarm ($ALARM)" test "$ALARM" = file_replaced
check "status (text) shows ALARM" bash -c "'$LINEGATECTL' -s '$T/run/control.sock' status | grep -q 'ALARM file_replaced'"
check "the gap is recorded in the file at the path" grep -q '"reason":"file_replaced"' "$LIVE"
check "the records after the edit are in the file at the path" test "$(grep -c '"object":"down"' "$LIVE")" = 8
stop
start
for _ in 1 2; do change; done
stop
S=$(seqs)
check "no sequence number used twice across the edit and a restart" test "$(tr ' ' '\n' <<<"$S" | sort -n | uniq -d | wc -l)" = 0
check "sequence numbers only grow" test "$(tr ' ' '\n' <<<"$S")" = "$(tr ' ' '\n' <<<"$S" | sort -n)"
"$LINEGATECTL" audit verify --dir "$T/audit" > "$T/verify.out"
check "verify fails on the edited trail (exit 1)" test $? = 1
check "verify names the replaced live file" grep -q "file replaced\|live file replaced" "$T/verify.out"
echo "audit_live_rename: $FAILS failures"
[ "$FAILS" = 0 ]
