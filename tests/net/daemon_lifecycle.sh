#!/usr/bin/env bash
# linegated start -> status (text, --json) -> reload good / bad (file:line:col
# back to linegatectl, old config keeps running) -> SIGHUP with a bad file ->
# SIGTERM: exit 0, TUN device and socket gone, no sanitizer report.
# Runs with $LINEGATED and again with $LG_ASAN_LINEGATED (+ctl) when set.
set -u
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
lg_ns_init lgn-dlc-
lg_ns_add gw
lg_ns_add pr
lg_link gw up0 10.250.0.1/24 pr p0 10.250.0.2/24

T=$(mktemp -d /tmp/lg-dlc.XXXXXX)
chmod 700 "$T"
trap 'lg_ns_cleanup; [ -n "${LG_KEEP:-}" ] || rm -rf "$T"' EXIT
FAILS=0
check() { # check "what" command...
	if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi
}

printf '0x%s\n' "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$T/p.psk"
chmod 600 "$T/p.psk"

write_config() { # $1: extra remote subnet
	cat > "$T/linegate.conf" <<CONF
# daemon lifecycle test
site "lab" {
    region CN
    identity-domain "lab.example"
    internal-space 10.0.0.0/8
}
uplink "u0" {
    interface up0
}
tunnel {
    device lgdlc0
    address 10.10.0.1/24
    mtu 1400
}
peer "p" {
    endpoint 10.250.0.2
    region CN
    uplink u0
    local-id gw.lab.example
    remote-id p.lab.example
    auth psk
    psk-file "p.psk"
    local-subnets 10.10.0.0/16
    remote-subnets 10.20.0.0/16$1
    mode responder
}
audit {
    journal-dir "audit"
    retention 180d
    flow-interval 5m
}
control {
    socket "run/control.sock"
    socket-mode 0600
    workers 1
}
CONF
}

journal_has() { grep -rqs "\"$1\"" "$T/audit" || grep -rqs "$1" "$T/audit"; }
ctl() { lg_ns gw "$CTL" -s "$T/run/control.sock" "$@"; }
tun_exists() { lg_ns gw ip link show lgdlc0 >/dev/null 2>&1; }
alive() { kill -0 "$PID" 2>/dev/null; }

run_suite() { # $1 linegated $2 linegatectl $3 label
	local BIN=$1 label=$3 out rc hash1 hash2
	CTL=$2
	rm -rf "$T/audit" "$T/run"
	write_config ""
	echo "# $label: $BIN"
	# A stand-in for systemd's notify socket (sd_notify(3) datagrams).
	rm -f "$T/notify.sock" "$T/notify.log"
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as f:
    while True:
        f.write(s.recv(4096).decode().replace("\n", "|") + "\n")
        f.flush()
' "$T/notify.sock" "$T/notify.log" &
	NPID=$!
	LG_PIDS+=("$NPID")
	lg_wait 5 test -S "$T/notify.sock"
	check "$label: --check-config accepts the test config (in the gateway's namespace)" \
		bash -c "ip netns exec '$(lg_ns_name gw)' '$BIN' --check-config '$T/linegate.conf' >/dev/null"
	NOTIFY_SOCKET="$T/notify.sock" WATCHDOG_USEC=400000 \
	ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ip netns exec "$(lg_ns_name gw)" "$BIN" -f -c "$T/linegate.conf" 2> "$T/daemon.log" &
	PID=$!
	LG_PIDS+=("$PID")
	if ! lg_wait 20 test -S "$T/run/control.sock"; then
		echo "FAIL - $label: control socket did not appear"; cat "$T/daemon.log"; FAILS=$((FAILS + 1)); return
	fi
	check "$label: READY=1 sent to the notify socket" lg_wait 30 grep -q '^READY=1$' "$T/notify.log"
	check "$label: STATUS= sent" grep -q '^STATUS=site lab' "$T/notify.log"
	check "$label: watchdog pings at half of WATCHDOG_USEC" \
		lg_wait 10 bash -c "[ \$(grep -c '^WATCHDOG=1$' '$T/notify.log') -ge 2 ]"
	check "$label: socket is mode 0600" test "$(stat -c %a "$T/run/control.sock")" = 600
	check "$label: socket directory is 0700" test "$(stat -c %a "$T/run")" = 700
	check "$label: TUN device lgdlc0 exists" tun_exists
	out=$(ctl status)
	check "$label: status shows the site" grep -q "site      lab" <<<"$out"
	out=$(ctl --json status)
	check "$label: status --json is JSON with site and pid" python3 -c '
import json,sys; d=json.load(sys.stdin); assert d["site"]=="lab" and d["pid"]=='"$PID"', d' <<<"$out"
	hash1=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["config_blake2b"])' <<<"$out")
	check "$label: status --json after the command works too" bash -c "'$CTL' -s '$T/run/control.sock' status --json | python3 -m json.tool >/dev/null"
	check "$label: peers lists p" bash -c "'$CTL' -s '$T/run/control.sock' peers | grep -q '^p '"
	check "$label: peers --json" bash -c "'$CTL' -s '$T/run/control.sock' --json peers | python3 -c 'import json,sys; assert json.load(sys.stdin)[0][\"name\"]==\"p\"'"
	check "$label: sas --json" bash -c "'$CTL' -s '$T/run/control.sock' --json sas | python3 -m json.tool >/dev/null"
	check "$label: version" bash -c "'$CTL' -s '$T/run/control.sock' version | grep -q 'linegated'"
	check "$label: unknown command is rejected" bash -c "! '$CTL' -s '$T/run/control.sock' frobnicate 2>/dev/null"
	check "$label: queries are not admin_action records" bash -c "! grep -rqs '\"admin_action\"' '$T/audit'"

	# good reload: one more remote subnet
	write_config ", 10.21.0.0/16"
	check "$label: reload of a good config succeeds" bash -c "'$CTL' -s '$T/run/control.sock' reload >/dev/null"
	check "$label: journal has config_reloaded" journal_has config_reloaded
	check "$label: the reload is an admin_action with the caller's uid" \
		bash -c "grep -rhs '\"admin_action\"' '$T/audit' | grep -q '\"subject\":\"uid=0\".*\"object\":\"reload\"'"
	check "$label: RELOADING=1 with MONOTONIC_USEC sent" grep -q '^RELOADING=1|MONOTONIC_USEC=[0-9]*$' "$T/notify.log"
	hash2=$(ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["config_blake2b"])')
	check "$label: the config hash changed" test "$hash1" != "$hash2"

	# bad reload: a typo on a known line and column
	sed -i 's/^    mtu 1400$/    mtu 1400x/' "$T/linegate.conf"
	local line; line=$(grep -n 'mtu 1400x' "$T/linegate.conf" | cut -d: -f1)
	out=$(ctl reload 2>&1); rc=$?
	check "$label: reload of a bad config fails (exit $rc)" test "$rc" -ne 0
	check "$label: the refusal names file:line:col" grep -q "linegate.conf:$line:[0-9]*:" <<<"$out"
	check "$label: the refusal says the old config stays" grep -q "stays in force" <<<"$out"
	check "$label: journal has config_refused" journal_has config_refused
	check "$label: daemon still running" alive
	check "$label: still the previous config" test "$(ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["config_blake2b"])')" = "$hash2"
	# SIGHUP with the same bad file: one more refusal logged, still running
	local refused; refused=$(grep -c "event=config_refused" "$T/daemon.log")
	kill -HUP "$PID"
	check "$label: SIGHUP refusal logged" \
		lg_wait 10 bash -c "[ \$(grep -c 'event=config_refused' '$T/daemon.log') -gt $refused ]"
	check "$label: SIGHUP with a bad config: still running" alive
	check "$label: status after refusals" bash -c "'$CTL' -s '$T/run/control.sock' status >/dev/null"
	check "$label: an unprivileged user cannot use the socket" bash -c "! setpriv --reuid=65534 --regid=65534 --clear-groups '$CTL' -s '$T/run/control.sock' status 2>/dev/null"
	write_config ""
	kill -HUP "$PID"
	lg_wait 5 bash -c "[ \$(grep -c 'event=config_reloaded' '$T/daemon.log') -ge 2 ]"
	check "$label: SIGHUP with a good config reloads" test "$(grep -c 'event=config_reloaded' "$T/daemon.log")" -ge 2

	kill -TERM "$PID"
	local waited=0
	while alive && [ $waited -lt 100 ]; do sleep 0.1; waited=$((waited + 1)); done
	wait "$PID"; rc=$?
	check "$label: SIGTERM -> exit 0 (got $rc)" test "$rc" = 0
	check "$label: STOPPING=1 sent" grep -q '^STOPPING=1$' "$T/notify.log"
	kill "$NPID" 2>/dev/null
	check "$label: TUN device removed" bash -c "! ip -n '$(lg_ns_name gw)' link show lgdlc0 >/dev/null 2>&1"
	check "$label: control socket removed" test ! -e "$T/run/control.sock"
	check "$label: journal has daemon_stop" journal_has daemon_stop
	check "$label: no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' '$T/daemon.log'"
	if [ "$FAILS" -gt 0 ]; then echo "--- daemon log ($label)"; tail -50 "$T/daemon.log"; fi
}

[ -x "$LINEGATED" ] || lg_die "no linegated at $LINEGATED"
run_suite "$LINEGATED" "$LINEGATECTL" plain
if [ -n "${LG_ASAN_LINEGATED:-}" ]; then
	run_suite "$LG_ASAN_LINEGATED" "${LG_ASAN_LINEGATECTL:-$LINEGATECTL}" asan
fi
echo "daemon_lifecycle: $FAILS failed"
[ "$FAILS" = 0 ]
