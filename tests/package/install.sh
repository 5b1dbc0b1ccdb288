#!/usr/bin/env bash
# Installs the linegate .deb with dpkg on this machine, but inside a private
# mount namespace where /etc, /usr and /var are overlays on a tmpfs: dpkg,
# the maintainer scripts and the checks see a normal system, the host keeps
# nothing. Checks the installed layout, the groups, the units
# (systemd-analyze verify), the example config (linegated --check-config),
# the log integration (rsyslogd -N1, logrotate -d), the bash completion, the
# region-database refresh, then `dpkg --purge`, and lists what is left in
# the overlays: only what policy keeps (the system groups, dpkg's records,
# audit evidence the admin's daemon wrote).
#   tests/package/install.sh PATH/linegate_VERSION_ARCH.deb
# Prints "ok"/"FAIL" lines and "package_install: N passed, M failed".
set -u
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
if [ "${1:-}" != --inside ]; then
	DEB=$(readlink -f "${1:?usage: $0 DEB}")
	[ -f "$DEB" ] || { echo "FAIL: no $DEB"; exit 1; }
	T=$(mktemp -d /tmp/lg-pkg-inst.XXXXXX)
	trap 'umount -l "$T/ov" 2>/dev/null; rm -rf "$T"' EXIT
	unshare -m --propagation private bash "$0" --inside "$DEB" "$T"
	exit $?
fi
DEB=$2 T=$3
OV="$T/ov"
mkdir -p "$OV"
mount -t tmpfs -o size=512m lg-pkg "$OV" || { echo "FAIL: tmpfs"; exit 1; }
for d in etc usr var; do
	mkdir -p "$OV/u/$d" "$OV/w/$d"
	mount -t overlay lg-pkg-$d -o "lowerdir=/$d,upperdir=$OV/u/$d,workdir=$OV/w/$d" "/$d" ||
		{ echo "FAIL: overlay on /$d"; exit 1; }
done

PASS=0 FAILS=0
check() {
	if "${@:2}"; then echo "ok   - $1"; PASS=$((PASS + 1))
	else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi
}
VERSION=$(dpkg-deb -f "$DEB" Version)
EX=/usr/share/doc/linegate/examples
# A directory that exists already keeps its mode under dpkg: postinst fixes it.
for d in /etc/linegate /var/lib/linegate; do
	[ -e "$d" ] && echo "note: $d exists before the install ($(stat -c '%U:%G %a' "$d"))"
done
mkdir -p /var/lib/linegate && chmod 0755 /var/lib/linegate

DEBIAN_FRONTEND=noninteractive dpkg -i "$DEB" >"$T/dpkg-i.log" 2>&1
check "dpkg -i $(basename "$DEB")" test $? = 0
check "package state is installed" bash -c "dpkg-query -W -f='\${db:Status-Abbrev}' linegate | grep -q '^ii'"
for g in linegate linegate-audit; do
	check "system group $g" bash -c "gid=\$(getent group $g | cut -d: -f3); [ -n \"\$gid\" ] && [ \"\$gid\" -lt 1000 ]"
done
check "/etc/linegate/keys is root's, mode 0700" test "$(stat -c '%U %a' /etc/linegate/keys)" = "root 700"
check "/var/lib/linegate is root's, mode 0711 (auditors pass to the journal)" test "$(stat -c '%U %a' /var/lib/linegate)" = "root 711"
check "unit keeps the state directory 0711" grep -qx 'StateDirectoryMode=0711' /lib/systemd/system/linegated.service
check "no configuration in /etc/linegate until the admin writes one" test ! -e /etc/linegate/linegate.conf
check "nothing marked not for production in /etc" bash -c "! grep -rqi 'not for production' /etc/linegate /etc/rsyslog.d /etc/logrotate.d"
check "example config and sample region database in $EX" test -f "$EX/linegate.conf.example" -a -f "$EX/regions.sample.txt"
check "rsyslog and logrotate files are conffiles" bash -c \
	"dpkg-query -W -f='\${Conffiles}' linegate | grep -q '/etc/rsyslog.d/60-linegate.conf' &&
	 dpkg-query -W -f='\${Conffiles}' linegate | grep -q '/etc/logrotate.d/linegate'"
for m in man1/linegate-regiondb.1 man5/linegate.conf.5 man7/linegate-audit.7 man8/linegated.8 man8/linegatectl.8; do
	check "man page $m installed compressed" test -f "/usr/share/man/$m.gz"
done
check "man finds linegate-regiondb(1)" bash -c "man -w linegate-regiondb | grep -q linegate-regiondb.1.gz"

# systemd: the installed units verify against the installed binaries, and the
# daemon's unit is enabled but only starts once a configuration exists.
U=/lib/systemd/system
out=$(systemd-analyze verify --man=no "$U/linegated.service" "$U/linegate-regiondb-refresh.service" \
	"$U/linegate-regiondb-refresh.timer" "$U/linegate-metrics.service" "$U/linegate-metrics.timer" 2>&1); rc=$?
[ -n "$out" ] && echo "$out"
check "systemd-analyze verify of the installed units" test "$rc" = 0 -a -z "$out"
check "unit runs /usr/sbin/linegated -c /etc/linegate/linegate.conf" grep -qx 'ExecStart=/usr/sbin/linegated -c /etc/linegate/linegate.conf' "$U/linegated.service"
check "unit has ConditionPathExists=/etc/linegate/linegate.conf" grep -qx 'ConditionPathExists=/etc/linegate/linegate.conf' "$U/linegated.service"
check "linegated.service enabled (multi-user.target.wants)" test -L /etc/systemd/system/multi-user.target.wants/linegated.service
check "region database timer enabled (timers.target.wants)" test -L /etc/systemd/system/timers.target.wants/linegate-regiondb-refresh.timer
check "metrics unit writes node_exporter's textfile with /usr/sbin/linegatectl" grep -qx \
	'ExecStart=/usr/sbin/linegatectl -c /etc/linegate/linegate.conf metrics --textfile /var/lib/prometheus/node-exporter/linegate.prom' \
	"$U/linegate-metrics.service"
check "metrics timer every 15 s, enabled (timers.target.wants)" bash -c "grep -qx 'OnUnitActiveSec=15s' '$U/linegate-metrics.timer' &&
	test -L /etc/systemd/system/timers.target.wants/linegate-metrics.timer"

# The programs.
check "linegated --check-config on the installed example" bash -c \
	"linegated --check-config --offline $EX/linegate.conf.example >'$T/check.out' 2>&1 || { cat '$T/check.out'; false; }"
check "linegatectl --version says $VERSION" bash -c "linegatectl --version | grep -qx 'linegatectl $VERSION'"
check "linegated --version says $VERSION" bash -c "linegated --version | grep -q '$VERSION'"
check "linegate-regiondb --check on the sample" bash -c "linegate-regiondb --check $EX/regions.sample.txt >/dev/null"

# Logs: rsyslog's own configuration (with the snippet) is valid, logrotate
# keeps 27 weekly files of /var/log/linegate.log.
if command -v rsyslogd >/dev/null; then
	check "rsyslogd -N1 accepts /etc/rsyslog.conf with 60-linegate.conf" bash -c \
		"rsyslogd -N1 -f /etc/rsyslog.conf >'$T/rs.out' 2>&1 || { cat '$T/rs.out'; false; }"
fi
if command -v logrotate >/dev/null; then
	logrotate -d -s "$T/lr.state" /etc/logrotate.d/linegate >"$T/lr.out" 2>&1
	check "logrotate -d accepts /etc/logrotate.d/linegate" test $? = 0
	check "logrotate keeps 27 weekly rotations (>= 26 weeks)" bash -c \
		"grep -q 'weekly (27 rotations)' '$T/lr.out' || { cat '$T/lr.out'; false; }"
fi

# Bash completion: subcommands (peer names from a daemon: tests/net/ctl_completion.sh).
check "bash completion offers status/sas/show-config for 's'" bash -c '
	. /usr/share/bash-completion/completions/linegatectl
	COMP_WORDS=(linegatectl s); COMP_CWORD=1; _linegatectl
	[ "${COMPREPLY[*]}" = "status sas show-config" ]'

# Region database refresh: converted, replaced only on change, reloaded then.
R="$T/rir"; mkdir -p "$R/in"
printf '2|apnic|20260101|2|19830613|20260101|+1000\napnic|CN|ipv4|203.0.113.0|256|20100101|allocated\n' >"$R/in/delegated-apnic-extended-latest"
refresh() { LG_RIR_DIR="$R/in" LG_REGION_DB="$R/regions.txt" LG_RELOAD_CMD="touch $R/reloaded" \
	/usr/libexec/linegate/regiondb-refresh >>"$R/log" 2>&1; }
refresh; check "refresh builds the database and reloads" bash -c "[ -f '$R/reloaded' ] && linegate-regiondb --db '$R/regions.txt' --lookup 203.0.113.9 | grep -q ' CN$'"
rm -f "$R/reloaded"
refresh; check "refresh with the same input: unchanged, no reload" test ! -e "$R/reloaded"
printf 'ripencc|DE|ipv4|198.51.100.0|256|20100101|allocated\n' >"$R/in/delegated-ripencc-extended-latest"
refresh; check "refresh after a new RIR file: replaced and reloaded" bash -c "[ -f '$R/reloaded' ] && linegate-regiondb --db '$R/regions.txt' --lookup 198.51.100.1 | grep -q ' DE$'"
printf 'ripencc|DE|ipv4|198.51.100.0|0|20100101|allocated\n' >"$R/in/delegated-ripencc-extended-latest"
rm -f "$R/reloaded"; cp "$R/regions.txt" "$R/before"
refresh; rc=$?
check "refresh with a malformed RIR file fails, the old database stays" bash -c "[ $rc != 0 ] && [ ! -e '$R/reloaded' ] && cmp -s '$R/before' '$R/regions.txt'"

check "central-store writes a record once" bash -c '
	printf "gw1 a seq=7 ts=t1 x\ngw1 a seq=7 ts=t1 x\ngw1 a seq=8 ts=t1 y\n" |
		/usr/libexec/linegate/central-store "'"$T"'/central" >/dev/null &&
	[ "$(cat "'"$T"'/central/gw1.log")" = "$(printf "a seq=7 ts=t1 x\na seq=8 ts=t1 y")" ]'

# Remove, then purge: audit evidence the daemon wrote stays, the rest goes.
mkdir -p /var/lib/linegate/audit && echo evidence >/var/lib/linegate/audit/journal-test
dpkg -r linegate >"$T/dpkg-r.log" 2>&1
check "dpkg -r" test $? = 0
check "after remove the conffiles are still there" test -f /etc/rsyslog.d/60-linegate.conf
dpkg --purge linegate >"$T/dpkg-purge.log" 2>&1
check "dpkg --purge" test $? = 0
check "purge keeps the audit journal (six-month evidence)" test -f /var/lib/linegate/audit/journal-test
rm -rf /var/lib/linegate
check "purge keeps the system groups (Debian policy)" bash -c "getent group linegate >/dev/null && getent group linegate-audit >/dev/null"
# What the install and purge left in the overlays, whiteouts aside.
left=$(cd "$OV/u" && find . ! -type c -path '*linegate*' | sort)
[ -n "$left" ] && echo "left after purge:" && echo "$left"
check "nothing named linegate left after purge" test -z "$left"
check "package state after purge: not installed" bash -c "! dpkg-query -W -f='\${db:Status-Abbrev}' linegate 2>/dev/null | grep -q '^[ir]i'"
[ "$FAILS" = 0 ] || tail -20 "$T"/dpkg-*.log
echo "package_install: $PASS passed, $FAILS failed"
[ "$FAILS" = 0 ]
