#!/usr/bin/env bash
# The configuration store (issue 14, item 2): a daemon keeps each
# configuration it loads beside its journal by content hash, every file of
# it (an included one too) exactly as hashed. At start the config_loaded
# record's blake2b names configs/<blake2b>.tar; after an included file
# changes, the reload's config_reloaded record names a second tar holding
# the new bytes, and the first stays. Modes: directory 02750, files 0640
# (the auditors' group is a test gid, journal-group 64999). The start is
# followed by the clock evidence (clock_sync, trigger=start).
set -u
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
. "$LG_SOURCE_DIR/tests/lib/ctl_sites.sh" lgn-cfs-
FAILS=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }

A="$T/a"
mkdir -p "$A/extra.d"
printf '# peers of the Shanghai hub (none yet)\n' > "$A/extra.d/one.conf"
chmod 644 "$A/extra.d/one.conf" "$A/linegate.conf"
sed -i 's|^    journal-dir "audit"$|    journal-dir "audit"\n    journal-group 64999|' "$A/linegate.conf"
printf 'include "extra.d/*.conf"\n' >> "$A/linegate.conf"
start_site a
record_hash() { # EVENT: the blake2b of the last such record
	ctl a audit show --dir "$A/audit" --event "$1" --json 2>/dev/null | tail -1 |
		python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["details"]["blake2b"])' 2>/dev/null
}
has_record() { [ -n "$(record_hash "$1")" ]; }
check "config_loaded is on record" lg_wait 20 has_record config_loaded
H1=$(record_hash config_loaded)
check "configs/$H1.tar exists" test -f "$A/audit/configs/$H1.tar"
check "config_loaded names the stored copy (config_store)" bash -c \
	"ctl() { \"$CTL\" -c \"$A/linegate.conf\" \"\$@\"; }; ctl audit show --dir '$A/audit' --event config_loaded | grep -q 'config_store=configs/$H1.tar'"
check "the stored copy lists linegate.conf and the included file" bash -c \
	"tar tf '$A/audit/configs/$H1.tar' | sed 's|^/||' > '$T/list1' && grep -qx '${A#/}/linegate.conf' '$T/list1' && grep -qx '${A#/}/extra.d/one.conf' '$T/list1'"
check "store directory mode 02750, group 64999" test "$(stat -c '%a %g' "$A/audit/configs")" = "2750 64999"
check "stored copy mode 0640, group 64999" test "$(stat -c '%a %g' "$A/audit/configs/$H1.tar")" = "640 64999"
check "journal directory mode 02750, group 64999" test "$(stat -c '%a %g' "$A/audit")" = "2750 64999"
check "clock evidence: one clock_sync record (trigger start) after daemon_start" bash -c \
	"ctl() { \"$CTL\" -c \"$A/linegate.conf\" \"\$@\"; }; [ \"\$(ctl audit show --dir '$A/audit' --event clock_sync | grep -c 'trigger=start')\" = 1 ]"
check "journal files 0640, the signing key 0600" bash -c \
	"[ \"\$(stat -c %a '$A'/audit/audit-*.jsonl | sort -u)\" = 640 ] && [ \"\$(stat -c %a '$A/audit/audit.key')\" = 600 ]"

printf '# peers of the Shanghai hub (edited)\n' > "$A/extra.d/one.conf"
check "reload after the included file changed" ctl a reload
check "config_reloaded is on record" lg_wait 20 has_record config_reloaded
H2=$(record_hash config_reloaded)
check "the reloaded configuration has another hash" test -n "$H2" -a "$H2" != "$H1"
check "configs/$H2.tar holds the new bytes of the included file" bash -c \
	"tar xOf '$A/audit/configs/$H2.tar' '${A#/}/extra.d/one.conf' 2>/dev/null | cmp -s - '$A/extra.d/one.conf' ||
	 tar xOf '$A/audit/configs/$H2.tar' '$A/extra.d/one.conf' | cmp -s - '$A/extra.d/one.conf'"
check "the first configuration stays stored" test -f "$A/audit/configs/$H1.tar"
check "the daemon is still running" kill -0 "$PA"
check "no clock_sync record per poll: still the one of the start (the clock did not change)" bash -c \
	"ctl() { \"$CTL\" -c \"$A/linegate.conf\" \"\$@\"; }; [ \"\$(ctl audit show --dir '$A/audit' --event clock_sync | grep -c .)\" = 1 ]"
echo "audit_config_store: $FAILS failed"
[ "$FAILS" = 0 ]
