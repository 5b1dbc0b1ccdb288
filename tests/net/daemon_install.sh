#!/usr/bin/env bash
# `cmake --install` of the build into a staging root (DESTDIR): every file
# where a Debian admin expects it (prefix /usr: /usr/sbin, /etc/linegate,
# /var/lib/linegate, the unit, man pages, examples, log integration), with
# the right modes; and a /usr/local configuration generates a unit that
# names /usr/local paths.
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
EX="$R$P/share/doc/linegate/examples"
check "example config in $P/share/doc/linegate/examples" test -f "$EX/linegate.conf.example"
check "sample region database with the examples" test -f "$EX/regions.sample.txt"
check "nothing marked not for production in $ETC" \
	bash -c "! grep -rqi 'not for production' '$R$ETC'"
check "RELP forwarding and collector examples" test -f "$EX/rsyslog-relp-forward.conf" -a -f "$EX/rsyslog-relp-collector.conf"
check "sysctl forwarding example (not in sysctl.d)" bash -c "test -f '$EX/60-linegate-forwarding.conf' && ! test -e '$R$ETC/sysctl.d'"
check "rsyslog.d snippet" test -f "$R$ETC/rsyslog.d/60-linegate.conf"
check "logrotate.d entry" test -f "$R$ETC/logrotate.d/linegate"
check "bash completion" test -f "$R$P/share/bash-completion/completions/linegatectl"
check "linegate-regiondb in $P/bin" test -x "$R$P/bin/linegate-regiondb"
check "man page linegate-regiondb.1" test -f "$R$P/share/man/man1/linegate-regiondb.1"
check "region database refresh timer and service" \
	test -f "$R$P/lib/systemd/system/linegate-regiondb-refresh.timer" -a -f "$R$P/lib/systemd/system/linegate-regiondb-refresh.service"
check "metrics timer and service (node_exporter textfile)" \
	test -f "$R$P/lib/systemd/system/linegate-metrics.timer" -a -f "$R$P/lib/systemd/system/linegate-metrics.service"
check "metrics unit runs $P/sbin/linegatectl metrics --textfile" grep -qx \
	"ExecStart=$P/sbin/linegatectl -c $ETC/linegate/linegate.conf metrics --textfile /var/lib/prometheus/node-exporter/linegate.prom" \
	"$R$P/lib/systemd/system/linegate-metrics.service"
check "refresh script in $P/libexec/linegate" test -x "$R$P/libexec/linegate/regiondb-refresh"
U="$R$P/lib/systemd/system/linegated.service"
check "unit runs $P/sbin/linegated -c $ETC/linegate/linegate.conf" grep -qx "ExecStart=$P/sbin/linegated -c $ETC/linegate/linegate.conf" "$U"
check "unit starts only once $ETC/linegate/linegate.conf exists" grep -qx "ConditionPathExists=$ETC/linegate/linegate.conf" "$U"
check "no @VAR@ left in the installed units" bash -c "! grep -q '@[A-Z_]*@' '$R$P'/lib/systemd/system/*"

# cpack (the issue: "CPack fails"): a tarball of the same layout.
(cd "$B" && cpack -B "$T/cpack" >"$T/cpack.log" 2>&1)
check "cpack makes a tarball with $P/sbin/linegated" bash -c \
	"tar tzf '$T'/cpack/linegate-*.tar.gz | grep -q 'sbin/linegated\$'"

# The unit is generated from the prefix: a /usr/local configuration (no build).
cmake -S "$LG_SOURCE_DIR" -B "$T/local" -DCMAKE_INSTALL_PREFIX=/usr/local >"$T/local.log" 2>&1
check "configure with prefix /usr/local" test $? = 0
check "/usr/local unit runs /usr/local/sbin/linegated with /usr/local/etc" \
	grep -qx "ExecStart=/usr/local/sbin/linegated -c /usr/local/etc/linegate/linegate.conf" "$T/local/systemd/linegated.service"
check "$VAR/lib/linegate exists with mode 0711" test "$(stat -c %a "$R$VAR/lib/linegate" 2>/dev/null)" = 711
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
