# Sourced by the attack tests: one linegated (responder, PSK peer "p" at
# 10.254.7.1) in namespace gw, and the namespace atk that holds the peer's
# address (and, for spoofing, a /24 of others) and sends at it.
#   . "$LG_SOURCE_DIR/tests/lib/responder.sh"
#   responder_setup PREFIX TUNDEV       # namespaces, config in $T, daemon started
#   responder_stop                      # SIGTERM; sets DAEMON_RC
# Provides check, ctl, $T, $PID, $BIN, $CTL, $FAILS, GW=10.254.7.2, ATK=10.254.7.1.
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
. "$LG_SOURCE_DIR/tests/lib/site_conf.sh"

BIN=${LG_ASAN_LINEGATED:-$LINEGATED}
CTL=${LG_ASAN_LINEGATECTL:-$LINEGATECTL}
GW=10.254.7.2
ATK=10.254.7.1
FAILS=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }
ctl() { lg_ns gw "$CTL" -s "$T/run/control.sock" "$@"; }
daemon_alive() { kill -0 "$PID" 2>/dev/null && ctl status >/dev/null; }
no_sanitizer_report() { ! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$T/daemon.log"; }

responder_setup() { # PREFIX TUNDEV
	lg_ns_init "$1"
	lg_ns_add gw
	lg_ns_add atk
	lg_link gw up0 "$GW/24" atk p0 "$ATK/24"
	T=$(mktemp -d "/tmp/${1%-}.XXXXXX")
	chmod 700 "$T"
	trap 'lg_ns_cleanup; [ -n "${LG_KEEP:-}" ] || rm -rf "$T"' EXIT
	printf '0x%s\n' "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$T/p.psk"
	chmod 600 "$T/p.psk"
	lg_site_conf "$T/linegate.conf" site=gw domain=lab.example dev="$2" addr=10.10.0.1/24 \
		peer=p endpoint="$ATK" local_id=gw.lab.example remote_id=p.lab.example psk_file=p.psk \
		local=10.10.0.0/16 remote=10.20.0.0/16 mode=responder socket=run/control.sock \
		audit_extra='retention 180d; checkpoint-interval 5s'
	ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ip netns exec "$(lg_ns_name gw)" "$BIN" -f -c "$T/linegate.conf" 2> "$T/daemon.log" &
	PID=$!
	LG_PIDS+=("$PID")
	lg_wait 60 ctl status || { cat "$T/daemon.log"; lg_die "daemon did not start"; }
}

responder_stop() {
	kill -TERM "$PID"
	wait "$PID"
	DAEMON_RC=$?
}

# The daemon's IKE drop counters as "name=count ..." (JSON status).
ike_drops() {
	ctl --json status | python3 -c 'import json,sys; d=json.load(sys.stdin)["ike_drops"]; print(" ".join("%s=%d" % kv for kv in d.items() if kv[1]))'
}
