#!/usr/bin/env bash
# The assessor report of a running gateway (issue 14, item 3): two real
# daemons, the Shanghai one with its tunnel to Beijing up and a licensed
# circuit to Hong Kong whose link is down. The test gives no key: the
# daemon creates the journal's audit key itself (audit_key_created is on
# record with it). Checked:
# - root's `linegatectl report` shows the live state: bj's uplink and
#   tunnel up, its IKE SA and the CHILD SA the daemon lists (same SPIs), the
#   hk circuit's uplink DOWN; it is signed by the daemon's own key;
# - a member of linegate-audit (unprivileged) verifies a copy of the report
#   in another directory, against the daemon's public key read from the
#   journal directory, and reads and verifies the journal; one changed byte
#   of the copy fails;
# - a user outside the group is refused reading the journal.
# The group exists only in this test's mount namespace: /etc/group is a
# private bind-mounted copy (the host's is never written).
set -u
if [ -z "${LG_REPORT_LIVE_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root" >&2; exit 77; }
	exec env LG_REPORT_LIVE_NS=1 unshare --mount --propagation private bash "$0" "$@"
fi
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
AUD_UID=64988 AUD_GID=64989 OUT_UID=64987
GROUPS_COPY=$(mktemp /tmp/lg-rpl-group.XXXXXX)
{ cat /etc/group; echo "linegate-audit:x:$AUD_GID:"; } > "$GROUPS_COPY"
chmod 644 "$GROUPS_COPY"
mount --bind "$GROUPS_COPY" /etc/group
getent group linegate-audit >/dev/null || { echo "FAIL - private linegate-audit group not visible"; exit 1; }
. "$LG_SOURCE_DIR/tests/lib/ctl_sites.sh" lgn-rpl-
FAILS=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }
W=$(mktemp -d /tmp/lg-rpl-aud.XXXXXX)
chown $AUD_UID:$AUD_UID "$W"; chmod 700 "$W"
as_auditor() { setpriv --reuid=$AUD_UID --regid=$AUD_UID --groups=$AUD_GID env HOME=/ "$@"; }
as_other() { setpriv --reuid=$OUT_UID --regid=$OUT_UID --clear-groups env HOME=/ "$@"; }
trap 'lg_ns_cleanup; umount /etc/group 2>/dev/null; [ -n "${LG_KEEP:-}" ] || rm -rf "$T" "$W" "$GROUPS_COPY"' EXIT
A="$T/a"
chmod 711 "$T" "$A"   # others may pass through to the journal; its own modes decide

check "no audit key before the daemon starts" test ! -e "$A/audit/audit.key"
start_site b
start_site a
check "the tunnel to bj comes up" lg_wait 30 pyj a peers 'any(p["name"]=="bj" and p["state"]=="up" for p in d)'
check "a CHILD SA to bj is installed" lg_wait 30 pyj a sas 'any(s["peer"]=="bj" and s["children"] for s in d["ike_sas"])'
PUB=$(awk '{print $2}' "$A/audit/audit.pub")
check "the daemon created the audit key itself (audit_key_created names it)" bash -c "
	'$CTL' audit show --dir '$A/audit' --event audit_key_created | grep -q '$PUB'"
check "the journal is the auditors' group's: dir 02750, files 0640" bash -c "
	[ \"\$(stat -c '%a %g' '$A/audit')\" = '2750 $AUD_GID' ] &&
	for f in '$A'/audit/audit-*.jsonl; do [ \"\$(stat -c '%a %g' \"\$f\")\" = '640 $AUD_GID' ] || exit 1; done"

mkdir -p "$T/out"
check "root makes the report, signed with the audit key" bash -c "'$CTL' -c '$A/linegate.conf' report -o '$T/out/report.html' 2>'$T/report.err' && grep -q 'signature written' '$T/report.err'"
SPIS=$(ctl a --json sas | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join(c["spi_in"] + "/" + c["spi_out"] for s in d["ike_sas"] if s["peer"] == "bj" for c in s["children"]))')
# the peer's table row of live state, tags stripped
live_of() { python3 - "$T/out/report.html" "$1" <<'PY'
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
for t in re.findall(r"<table>.*?</table>", html, re.S):
    if re.search(r"<th>%s</th>" % re.escape(sys.argv[2]), t):
        for row in re.findall(r"<tr>(.*?)</tr>", t, re.S):
            if "live state" in row:
                print(re.sub(r"<[^>]+>", "", row))
PY
}
BJ=$(live_of bj) HK=$(live_of hk)
echo "bj: $BJ"; echo "hk: $HK"
check "the report shows bj's uplink and tunnel up and its egress" bash -c "[[ '$BJ' == *'uplink up, tunnel up (egress up0)'* ]]"
check "... its IKE SA established and the daemon's CHILD SA (same SPIs: $SPIS)" bash -c "
	[[ '$BJ' == *'IKE established'* ]] && [ -n '$SPIS' ] && for s in $SPIS; do [[ '$BJ' == *\"CHILD \$s\"* ]] || exit 1; done"
check "... and the hk circuit's uplink DOWN, no SA" bash -c "[[ '$HK' == *'uplink DOWN, tunnel down'* ]] && [[ '$HK' == *'SAs: none'* ]]"

# the auditor: a copy in another directory, checked against the daemon's key
cp "$T/out/report.html" "$T/out/report.html.sig" "$W/"
chown $AUD_UID "$W"/report.html*
as_auditor "$CTL" report verify "$W/report.html" --key "$A/audit/audit.pub" > "$T/v.out" 2>&1; rc=$?
cat "$T/v.out"
check "a linegate-audit member verifies the copy with the daemon's key: GOOD, exit 0" bash -c "
	[ $rc = 0 ] && grep -q '^GOOD signature' '$T/v.out'"
check "... signed by the key the daemon created (key id ${PUB:0:16})" grep -q "key id ${PUB:0:16}" "$T/v.out"
as_auditor "$CTL" audit verify --dir "$A/audit" > "$T/av.out" 2>&1; rc=$?
check "... reads and verifies the live journal (exit 0)" bash -c "[ $rc = 0 ] && grep -q '^result: OK' '$T/av.out'"
check "... reads a journal file" bash -c "setpriv --reuid=$AUD_UID --regid=$AUD_UID --groups=$AUD_GID cat '$(ls "$A"/audit/audit-*.jsonl | tail -1)' >/dev/null"
as_auditor sed -i 's/<\/title>/ <\/title>/' "$W/report.html"
as_auditor "$CTL" report verify "$W/report.html" --key "$A/audit/audit.pub" > "$T/v2.out" 2>&1; rc=$?
check "one changed byte in the copy: BAD, exit 1" bash -c "[ $rc = 1 ] && grep -q '^BAD signature' '$T/v2.out'"

# a user outside the group
check "a non-member cannot read a journal file" bash -c "! setpriv --reuid=$OUT_UID --regid=$OUT_UID --clear-groups cat '$(ls "$A"/audit/audit-*.jsonl | tail -1)' >/dev/null 2>&1"
as_other "$CTL" audit show --dir "$A/audit" > /dev/null 2>&1; rc=$?
check "a non-member is refused audit show (exit 2)" test $rc = 2
as_other "$CTL" audit verify --dir "$A/audit" > /dev/null 2>&1; rc=$?
check "a non-member is refused audit verify (exit 2)" test $rc = 2
echo "report_live: $FAILS failed"
[ "$FAILS" = 0 ]
