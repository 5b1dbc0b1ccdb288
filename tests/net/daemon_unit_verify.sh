#!/usr/bin/env bash
# The unit CMake generated from systemd/linegated.service.in passes
# `systemd-analyze verify` (with ExecStart pointed at the built binary, which
# verify requires to exist), a broken copy does not, and the sandbox exposure
# stays low.
set -u
UNIT="$LG_BUILD_DIR/systemd/linegated.service"
command -v systemd-analyze >/dev/null || { echo "SKIP: no systemd-analyze"; exit 77; }
[ -x "$LINEGATED" ] || { echo "FAIL: no linegated at $LINEGATED"; exit 1; }
T=$(mktemp -d /tmp/lg-unit.XXXXXX)
trap 'rm -rf "$T"' EXIT
FAILS=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }

sed -e "s#/[^ =]*/sbin/linegated #$LINEGATED #g" -e "s#/[^ =]*/sbin/linegatectl #$LINEGATECTL #g" \
	"$UNIT" > "$T/linegated.service"
out=$(systemd-analyze verify --man=no "$T/linegated.service" 2>&1); rc=$?
echo "$out"
check "verify exits 0" test "$rc" = 0
check "verify prints no warning" test -z "$(grep -v '^$' <<<"$out")"
check "Type=notify with a watchdog" bash -c "grep -q '^Type=notify' '$UNIT' && grep -q '^WatchdogSec=' '$UNIT'"
check "reload is synchronous (linegatectl reload: systemctl reload sees a refusal)" \
	grep -q '^ExecReload=.*/linegatectl -c .* reload$' "$UNIT"
check "capabilities limited to NET_ADMIN and NET_BIND_SERVICE" \
	grep -qx 'CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_BIND_SERVICE' "$UNIT"

# The check above must be able to fail: an unknown key is reported.
sed 's/^NoNewPrivileges=yes/NoNewPrivilegez=yes/' "$T/linegated.service" > "$T/broken.service"
sed -i "s#linegated.service#broken.service#" "$T/broken.service"
out=$(systemd-analyze verify --man=no "$T/broken.service" 2>&1)
check "a misspelt key is reported by verify" grep -q "NoNewPrivilegez" <<<"$out"

exposure=$(systemd-analyze security --offline=yes "$T/linegated.service" 2>/dev/null |
	sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
echo "systemd-analyze security exposure: ${exposure:-unknown}"
check "sandbox exposure <= 3.5 (got ${exposure:-none})" \
	python3 -c "import sys; sys.exit(0 if '${exposure}' and float('${exposure}') <= 3.5 else 1)"
echo "daemon_unit_verify: $FAILS failed"
[ "$FAILS" = 0 ]
