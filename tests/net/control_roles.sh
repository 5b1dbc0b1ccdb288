#!/usr/bin/env bash
# The control socket checks the caller's credentials for every command,
# whatever socket-mode says (issue 10, items 6, 9, 10), as real unprivileged
# users created here: with socket-mode 0666 a user in no group is refused
# everything, the read-only group may query but not reload or take a peer
# down, the admin group and root may. A change is an admin_action with uid,
# login uid, audit session and pid; queries are counted, never recorded;
# refusals are summarised, not one record a call. config_loaded carries the
# MLPS level and the security officer. monitor (a stream) is a query; rekey
# and up --wait are changes.
set -u
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
. "$LG_SOURCE_DIR/tests/lib/site_conf.sh"
lg_ns_init lgn-crl-
lg_ns_add gw
lg_ns_add pr
lg_link gw up0 10.250.0.1/24 pr p0 10.250.0.2/24

T=$(mktemp -d /tmp/lg-crl.XXXXXX)
chmod 755 "$T"
mkdir -m 755 "$T/run"
TAG=$$
GA="lgt-adm-$TAG" GR="lgt-ro-$TAG"
UA="lgt-a$TAG" UR="lgt-r$TAG" UN="lgt-n$TAG"
cleanup_users() {
	for u in "$UA" "$UR" "$UN"; do userdel "$u" 2>/dev/null; done
	for g in "$GA" "$GR"; do groupdel "$g" 2>/dev/null; done
}
trap 'lg_ns_cleanup; cleanup_users; [ -n "${LG_KEEP:-}" ] || rm -rf "$T"' EXIT
command -v useradd >/dev/null && command -v runuser >/dev/null || { echo "SKIP: useradd/runuser missing"; exit 77; }
groupadd "$GA" && groupadd "$GR" || lg_die "groupadd"
useradd -M -N -s /usr/sbin/nologin -G "$GA" "$UA" && useradd -M -N -s /usr/sbin/nologin -G "$GR" "$UR" &&
	useradd -M -N -s /usr/sbin/nologin "$UN" || lg_die "useradd"
FAILS=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }

printf '0x%s\n' "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$T/p.psk"
chmod 600 "$T/p.psk"
lg_site_conf "$T/linegate.conf" site=lab domain=lab.example dev=lgcrl0 addr=10.10.0.1/24 \
	peer=p endpoint=10.250.0.2 local_id=gw.lab.example remote_id=p.lab.example psk_file=p.psk \
	local=10.10.0.0/16 remote=10.20.0.0/16 mode=responder socket=run/control.sock \
	audit_extra='retention 180d; checkpoint-interval 2s; mlps-level 3; security-officer "Zhang Wei"' \
	control_extra="socket-mode 0666; admin-group $GA; read-only-group $GR"
chmod 644 "$T/linegate.conf"

ip netns exec "$(lg_ns_name gw)" "$LINEGATED" -f -c "$T/linegate.conf" 2> "$T/daemon.log" &
PID=$!
LG_PIDS+=("$PID")
lg_wait 30 test -S "$T/run/control.sock" || { cat "$T/daemon.log"; lg_die "daemon did not start"; }
check "the socket is 0666 as configured" test "$(stat -c %a "$T/run/control.sock")" = 666

as() { # user command... -> output in $OUT, exit status returned
	local u=$1; shift
	OUT=$(lg_ns gw runuser -u "$u" -- "$LINEGATECTL" -s "$T/run/control.sock" "$@" 2>&1)
}
records() { # python filter over the journal records -> count
	python3 - "$T/audit" "$1" <<'PY'
import glob, json, sys
recs = [json.loads(l) for f in sorted(glob.glob(sys.argv[1] + '/audit-*.jsonl')) for l in open(f)]
print(sum(1 for r in recs if eval("(" + sys.argv[2] + ")")))
PY
}

# ---- anyone else: refused everything, even with a 0666 socket
for cmd in status show-config "down p" reload; do
	as "$UN" $cmd
	check "user in no group: '$cmd' refused ($OUT)" test $? -ne 0
	check "user in no group: '$cmd' says not authorised" grep -q "not authorised" <<<"$OUT"
done
# ---- read-only group: queries yes, changes no
# show-config too: it holds no secret (redacted), like the other queries
for cmd in status peers sas flows compliance "--json status" show-config "--json show-config" metrics; do
	as "$UR" $cmd
	check "read-only group: '$cmd' allowed" test $? = 0
done
# monitor is a query: the stream opens (Ctrl-C ends it: exit 0), it is not refused
OUT=$(lg_ns gw runuser -u "$UR" -- timeout --preserve-status -s INT 2 "$LINEGATECTL" -s "$T/run/control.sock" monitor 2>&1)
check "read-only group: 'monitor' allowed (stream until interrupted, exit $?)" test $? = 0
check "read-only group: 'monitor' not refused" bash -c "! grep -q 'not authorised' <<<'$OUT'"
for cmd in reload "down p" "up p" "rekey p" "rekey p --ike" "up p --wait 5"; do
	as "$UR" $cmd
	check "read-only group: '$cmd' refused" test $? -ne 0
	check "read-only group: '$cmd' needs the admin group" grep -q "admin group" <<<"$OUT"
done
# ---- admin group and root: changes allowed, recorded with who did it
# As after a login: the kernel's login uid (kept across su and sudo) is set
# in a subshell where that is allowed (CAP_AUDIT_CONTROL, not yet set).
UIDA=$(id -u "$UA")
LOGINUID=4242
OUT=$(bash -c 'echo 4242 > /proc/self/loginuid 2>/dev/null; cat /proc/self/sessionid > "$1"; shift; exec "$@"' _ \
	"$T/session" ip netns exec "$(lg_ns_name gw)" runuser -u "$UA" -- "$LINEGATECTL" -s "$T/run/control.sock" reload 2>&1)
check "admin group: reload allowed ($OUT)" test $? = 0
SESSION=$(cat "$T/session")
[ "$(bash -c 'echo 4242 > /proc/self/loginuid 2>/dev/null && cat /proc/self/loginuid')" = 4242 ] || LOGINUID=unset
[ "$SESSION" = 4294967295 ] && SESSION=unset
check "admin_action for the admin's reload: uid, login uid $LOGINUID, session $SESSION, pid, role" test "$(records "
r['event'] == 'admin_action' and r['object'] == 'reload' and r['subject'] == 'uid=$UIDA'
and r['details']['login_uid'] == '$LOGINUID' and r['details']['pid'].isdigit()
and r['details']['session'] == '$SESSION' and r['details']['role'] == 'admin' and r['outcome'] == 'success'")" = 1
as root down p
rc=$?
check "root: down p allowed (no SA to take down: exit 4, not 403)" bash -c "! grep -q 'not authorised' <<<'$OUT'"
check "root: down p of a peer without an SA says so, exit 4 ($rc: $OUT)" \
	bash -c "[ $rc = 4 ] && grep -q 'peer p has no SA' <<<'$OUT'"
check "admin_action for root's down p" test "$(records "
r['event'] == 'admin_action' and r['object'] == 'down' and r['subject'] == 'uid=0'
and r['details']['args'] == 'p'")" = 1

# ---- queries are counted, not recorded
for _ in $(seq 10); do as root status >/dev/null; as "$UR" status >/dev/null; done
check "no admin_action record for any query" test "$(records "
r['event'] == 'admin_action' and r['object'] in ('status', 'peers', 'sas', 'flows', 'compliance')
and r['subject'] != 'unauthenticated'")" = 0
as root --json status
check "status counts the queries" python3 -c "
import json,sys; d=json.loads(sys.argv[1]); assert d['control_queries'] >= 26, d['control_queries']" "$OUT"

# ---- refusals: summarised per uid and command, not one record a call
N_BEFORE=$(records "r['event'] == 'admin_action' and r['details'].get('reason') == 'not_authorised_status'")
T0=$SECONDS
for _ in $(seq 30); do as "$UN" status; done
# What the loop may add: the summary still pending for the refusal above, a
# new 'first' record, and one summary per 2 s interval the loop touches (a
# loop of whole-second length d lasts < d+1 s: at most (d+1)/2 + 2 intervals).
BOUND=$(( N_BEFORE + (SECONDS - T0 + 1) / 2 + 4 ))
summed_refusals() { # refused status calls counted by the interval summaries
	python3 - "$T/audit" <<'PY'
import glob, json, sys
recs = [json.loads(l) for f in sorted(glob.glob(sys.argv[1] + '/audit-*.jsonl')) for l in open(f)]
print(sum(int(r['details']['count']) for r in recs if r['details'].get('reason') == 'not_authorised_status'
          and r['details'].get('summary') == 'interval'))
PY
}
# checkpoint-interval 2s: wait for the summaries to account for every call
all_refusals_summed() { [ "$(summed_refusals)" -ge 31 ]; }
lg_wait 20 all_refusals_summed
N_REC=$(records "r['event'] == 'admin_action' and r['details'].get('reason') == 'not_authorised_status'")
check "31 refused status calls make $N_REC records (at most $BOUND)" test "$N_REC" -le "$BOUND"
check "the summaries count all 31 refused status calls" test "$(summed_refusals)" = 31
check "the refusals name the uid" test "$(records "r['details'].get('source') == 'uid=$(id -u "$UN")'")" -ge 1

# ---- config_loaded and config_reloaded carry the MLPS level and the officer
check "config_loaded: mlps_level 3, security_officer Zhang Wei" test "$(records "
r['event'] == 'config_loaded' and r['details']['mlps_level'] == '3'
and r['details']['security_officer'] == 'Zhang Wei'")" = 1
check "config_reloaded: the same" test "$(records "
r['event'] == 'config_reloaded' and r['details']['mlps_level'] == '3'
and r['details']['security_officer'] == 'Zhang Wei'")" = 1

kill -TERM "$PID"
wait "$PID"
check "daemon exits 0" test $? = 0
check "the journal verifies" "$LINEGATECTL" audit verify --dir "$T/audit"
echo "control_roles: $FAILS failures"
[ "$FAILS" = 0 ]
