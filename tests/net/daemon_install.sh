#!/usr/bin/env bash
# `cmake --install` of the build into a staging root (DESTDIR): every file
# where a Debian admin expects it (prefix /usr: /usr/sbin, /etc/linegate,
# /var/lib/linegate, the unit, man pages), with the right modes.
set -u
[ -d "$LG_BUILD_DIR" ] || { echo "FAIL: no build dir"; exit 1; }
T=$(mktemp -d /tmp/lg-inst.XXXXXX)
trap 'rm -rf "$T"' EXIT
FAILS=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }
# The tested build itself (tools/test.sh configures it with prefix /usr).
B="$LG_BUILD_DIR"
P=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$B/CMakeCache.txt")
if [ "$P" = /usr ]; then ETC=/etc; VAR=/var; else ETC=$P/etc; VAR=$P/var; fi
echo "prefix $P: config in $ETC, state in $VAR"
DESTDIR="$T/root" cmake --install "$B" >"$T/install.log" 2>&1
check "cmake --install succeeds" test $? = 0
R="$T/root"
check "linegated in $P/sbin" test -x "$R$P/sbin/linegated"
check "linegatectl in $P/sbin" test -x "$R$P/sbin/linegatectl"
check "unit in $P/lib/systemd/system" test -f "$R$P/lib/systemd/system/linegated.service"
check "example config in $ETC/linegate" test -f "$R$ETC/linegate/linegate.conf.example"
check "$VAR/lib/linegate exists with mode 0700" test "$(stat -c %a "$R$VAR/lib/linegate" 2>/dev/null)" = 700
check "$ETC/linegate/keys exists with mode 0700" test "$(stat -c %a "$R$ETC/linegate/keys" 2>/dev/null)" = 700
check "man page linegated.8" test -f "$R$P/share/man/man8/linegated.8"
check "man page linegatectl.8" test -f "$R$P/share/man/man8/linegatectl.8"
check "man page linegate.conf.5" test -f "$R$P/share/man/man5/linegate.conf.5"
check "man page linegate-audit.7" test -f "$R$P/share/man/man7/linegate-audit.7"
check "README in $P/share/doc/linegate" test -f "$R$P/share/doc/linegate/README.md"
check "the installed daemon runs" bash -c "'$R$P/sbin/linegated' --version | grep -q linegated"
[ "$FAILS" = 0 ] || tail -20 "$T/install.log"
echo "daemon_install: $FAILS failed"
[ "$FAILS" = 0 ]
