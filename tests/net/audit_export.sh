#!/usr/bin/env bash
# The assessor's archive (issue 14, items 2 and 3). Two real daemons; the
# Shanghai one reloads a changed included file, so its journal names two
# configurations. Then:
# - root exports (manifest signed with the audit key, the assessor report
#   made then from the running daemon and signed with the journal's key,
#   the manifest saying so); the archive is
#   copied to another directory and verified there by an unprivileged user
#   (no daemon, no root, no group): manifest, signature, journal chain and
#   head, both configurations resolve, the report's signature;
# - a member of the auditors' group (a test gid given as journal-group)
#   verifies the journal and exports it (manifest unsigned, still verified);
#   it cannot append to, truncate or add to the journal;
# - a user outside the group cannot read, verify or export it;
# - an archive with one journal byte changed, or a configuration removed,
#   or a report byte changed (manifest re-hashed, its signature dropped),
#   fails with exit 1;
# - with the daemon stopped, the export's report comes from the
#   configuration alone, and the manifest says so.
set -u
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
. "$LG_SOURCE_DIR/tests/lib/ctl_sites.sh" lgn-exp-
FAILS=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }
AUD_UID=64998 AUD_GID=64999 OUT_UID=64997
as_auditor() { setpriv --reuid=$AUD_UID --regid=$AUD_UID --groups=$AUD_GID env HOME=/ TMPDIR="$W" "$@"; }
as_nobody() { setpriv --reuid=$OUT_UID --regid=$OUT_UID --clear-groups env HOME=/ TMPDIR="$W2" "$@"; }

A="$T/a"
mkdir -p "$A/extra.d"
printf '# peers of the Shanghai hub (none yet)\n' > "$A/extra.d/one.conf"
chmod 644 "$A/extra.d/one.conf" "$A/linegate.conf"
sed -i "s|^    journal-dir \"audit\"$|    journal-dir \"audit\"\n    journal-group $AUD_GID|" "$A/linegate.conf"
printf 'include "extra.d/*.conf"\n' >> "$A/linegate.conf"
chmod 711 "$T" "$A"   # others may pass through to the journal; its own modes decide
W=$(mktemp -d /tmp/lg-exp-aud.XXXXXX) W2=$(mktemp -d /tmp/lg-exp-out.XXXXXX)
chown $AUD_UID:$AUD_UID "$W"; chown $OUT_UID:$OUT_UID "$W2"; chmod 700 "$W" "$W2"
trap 'lg_ns_cleanup; [ -n "${LG_KEEP:-}" ] || rm -rf "$T" "$W" "$W2"' EXIT

start_site b
start_site a
check "the tunnel to bj comes up" lg_wait 20 pyj a peers 'd[0]["state"]=="up"'
printf '# peers of the Shanghai hub (edited)\n' > "$A/extra.d/one.conf"
check "reload after the included file changed" ctl a reload
n_records() { ctl a audit show --dir "$A/audit" --event "$1" 2>/dev/null | wc -l; }
check "config_reloaded on record" lg_wait 20 test "$(n_records config_reloaded)" -ge 1

check "root exports the journal" bash -c "'$CTL' -c '$A/linegate.conf' audit export '$T/root.tar' > '$T/exp.out' 2>&1"
check "the root export's manifest is signed" grep -q "manifest signed" "$T/exp.out"
check "the archive holds journal, key, head, configs, transcript, compliance" bash -c "
	tar tf '$T/root.tar' > '$T/list' && grep -qx MANIFEST '$T/list' && grep -qx MANIFEST.sig '$T/list' &&
	grep -qx audit.pub '$T/list' && grep -qx audit.head '$T/list' && grep -q '^journal/audit-.*jsonl$' '$T/list' &&
	[ \$(grep -c '^configs/.*\.tar$' '$T/list') = 2 ] && grep -qx verify.txt '$T/list' &&
	grep -qx compliance.json '$T/list' && grep -qx report.html '$T/list' && grep -qx report.html.sig '$T/list'"
tar xOf "$T/root.tar" MANIFEST > "$T/manifest"
check "the manifest says the report came from the running daemon, signed" \
	grep -q '^report made at export time from the running daemon (live state) .*; signed with the audit key' "$T/manifest"
check "the exported report shows the live state (uplink and tunnel up)" bash -c "tar xOf '$T/root.tar' report.html | grep -q 'uplink up, tunnel up'"
cp "$T/root.tar" "$W2/copy.tar"; chown $OUT_UID "$W2/copy.tar"
as_nobody "$CTL" audit verify "$W2/copy.tar" > "$T/v1.out" 2>&1; rc=$?
cat "$T/v1.out"
check "an unprivileged user verifies the copy: exit 0" test $rc = 0
check "... manifest, signature, journal and both configurations pass" bash -c "
	grep -q '^PASS manifest: ' '$T/v1.out' && grep -q '^PASS manifest signature' '$T/v1.out' &&
	grep -q '^PASS journal: .*signed head' '$T/v1.out' && grep -q '^PASS configurations: 2 of 2' '$T/v1.out' &&
	grep -q '^PASS report signature' '$T/v1.out' && grep -q '^report: made at export time from the running daemon' '$T/v1.out'"

"$CTL" audit export --dir "$A/audit" --since "$(date -u +%F)" --until "$(date -u +%F)" "$W2/range.tar" > /dev/null 2>&1
chown $OUT_UID "$W2/range.tar"
as_nobody "$CTL" audit verify "$W2/range.tar" > "$T/v4.out" 2>&1; rc=$?
check "an export of a range (--since/--until today) verifies: anchored start, no head" bash -c "
	[ $rc = 0 ] && ! tar tf '$W2/range.tar' | grep -qx audit.head && grep -q '^PASS journal: .*range ends before now' '$T/v4.out'"

# the auditors' group
as_auditor "$CTL" audit verify --dir "$A/audit" > "$T/v2.out" 2>&1
check "a group member verifies the live journal" bash -c "grep -q '^result: OK' '$T/v2.out'"
as_auditor "$CTL" -c "$A/linegate.conf" audit export --dir "$A/audit" "$W/aud.tar" > "$T/e2.out" 2>&1; rc=$?
check "a group member exports it (exit 0, unsigned)" bash -c "[ $rc = 0 ] && grep -q 'unsigned' '$T/e2.out'"
cp "$W/aud.tar" "$W2/aud.tar"; chown $OUT_UID "$W2/aud.tar"
as_nobody "$CTL" audit verify --archive "$W2/aud.tar" > "$T/v3.out" 2>&1; rc=$?
check "the group member's export verifies elsewhere (unsigned noted)" bash -c "
	[ $rc = 0 ] && grep -q '^NOTE manifest unsigned' '$T/v3.out' && grep -q '^PASS configurations: 2 of 2' '$T/v3.out' &&
	grep -q '^NOTE report.html is unsigned' '$T/v3.out' && grep -q '^report: .*; unsigned' '$T/v3.out'"
LIVE=$(ls "$A"/audit/audit-*.jsonl | tail -1)
check "a group member cannot append to the journal" bash -c "! setpriv --reuid=$AUD_UID --regid=$AUD_UID --groups=$AUD_GID sh -c 'echo x >> \"$LIVE\"' 2>/dev/null"
check "a group member cannot truncate it" bash -c "! setpriv --reuid=$AUD_UID --regid=$AUD_UID --groups=$AUD_GID truncate -s 0 '$LIVE' 2>/dev/null"
check "a group member cannot add a file to it" bash -c "! setpriv --reuid=$AUD_UID --regid=$AUD_UID --groups=$AUD_GID touch '$A/audit/audit-2099-01-01.jsonl' 2>/dev/null"
check "a group member cannot read the signing key" bash -c "! setpriv --reuid=$AUD_UID --regid=$AUD_UID --groups=$AUD_GID cat '$A/audit/audit.key' >/dev/null 2>&1"
as_nobody "$CTL" audit verify --dir "$A/audit" > /dev/null 2>&1; rc=$?
check "a user outside the group cannot verify the live journal (exit 2)" test $rc = 2
as_nobody "$CTL" audit export --dir "$A/audit" "$W2/no.tar" > /dev/null 2>&1; rc=$?
check "... nor export it" bash -c "[ $rc != 0 ] && [ ! -e '$W2/no.tar' ]"

# tampering with an archive
python3 - "$T/root.tar" "$W2/bad1.tar" "$W2/bad2.tar" "$W2/bad3.tar" "$W2/bad4.tar" <<'PY'
import io, sys, tarfile
src = tarfile.open(sys.argv[1])
members = [(m, src.extractfile(m).read()) for m in src.getmembers()]
def write(path, edit):
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as out:
        for m, data in members:
            data = edit(m.name, data)
            if data is None:
                continue
            m.size = len(data)
            out.addfile(m, io.BytesIO(data))
def flip(name, data):
    if name.startswith("journal/") and b'"event":"config_reloaded"' in data:
        return data.replace(b'"event":"config_reloaded"', b'"event":"config_reloadeD"', 1)
    return data
write(sys.argv[2], flip)
write(sys.argv[3], lambda n, d: None if n.startswith("configs/") and n == sorted(x.name for x, _ in members if x.name.startswith("configs/"))[0] else d)
# a report byte changed and the manifest re-hashed to match: only the
# report's own signature can tell (the manifest signature is dropped)
import hashlib
body = dict((m.name, d) for m, d in members)
html = body["report.html"].replace(b"</title>", b" </title>", 1)
assert html != body["report.html"]
def rehash(name, data):
    if name == "MANIFEST.sig":
        return None
    if name == "report.html":
        return html
    if name == "MANIFEST":
        out = []
        for line in data.decode().split("\n"):
            if line.endswith(" report.html") and line.startswith("member "):
                line = "member %s %d report.html" % (hashlib.blake2b(html, digest_size=32).hexdigest(), len(html))
            out.append(line)
        return "\n".join(out).encode()
    return data
write(sys.argv[4], rehash)
# a MANIFEST past the verifier's 4 MiB bound (its listed members untouched)
write(sys.argv[5], lambda n, d: d + b"\n" * (4 << 20) if n == "MANIFEST" else d)
PY
chown $OUT_UID "$W2"/bad*.tar
as_nobody "$CTL" audit verify "$W2/bad1.tar" > "$T/b1.out" 2>&1; rc=$?
check "one journal byte changed: exit 1, named" bash -c "[ $rc = 1 ] && grep -q '^FAIL manifest: member journal/' '$T/b1.out'"
as_nobody "$CTL" audit verify "$W2/bad2.tar" > "$T/b2.out" 2>&1; rc=$?
check "a configuration removed: exit 1" bash -c "[ $rc = 1 ] && grep -q '^FAIL' '$T/b2.out'"
as_nobody "$CTL" audit verify "$W2/bad3.tar" > "$T/b3.out" 2>&1; rc=$?
check "a report byte changed (manifest re-hashed): exit 1, the report signature fails" bash -c "
	[ $rc = 1 ] && grep -q '^PASS manifest: ' '$T/b3.out' && grep -q '^FAIL report signature' '$T/b3.out'"
as_nobody "$CTL" audit verify "$W2/bad4.tar" > "$T/b4.out" 2>&1; rc=$?
check "a MANIFEST over 4 MiB: refused as too large, not read in part" bash -c "
	[ $rc = 1 ] && grep -q '^FAIL manifest: MANIFEST larger than 4194304 bytes' '$T/b4.out'"
kill "$PA"; wait "$PA" 2>/dev/null
"$CTL" -c "$A/linegate.conf" audit export "$W2/offline.tar" > /dev/null 2>&1; rc=$?
chown $OUT_UID "$W2/offline.tar"
as_nobody "$CTL" audit verify "$W2/offline.tar" > "$T/v5.out" 2>&1; rc2=$?
check "daemon stopped: the report comes from the configuration alone, signed, verified" bash -c "
	[ $rc = 0 ] && [ $rc2 = 0 ] && tar xOf '$W2/offline.tar' MANIFEST | grep -q '^report made at export time from the configuration .* alone (no daemon answered' &&
	grep -q '^PASS report signature' '$T/v5.out'"
check "verify left nothing in its temporary directory" bash -c "[ -z \"\$(ls -A '$W2' | grep -v '\.tar$')\" ]"
echo "audit_export: $FAILS failed"
[ "$FAILS" = 0 ]
