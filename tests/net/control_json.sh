#!/usr/bin/env bash
# One JSON writer for the control plane (util/json.c), and show-config
# (secrets redacted): a licensed circuit
# whose id is Chinese ("中国电信-沪-0001") comes back byte-exact from
# `status --json`, `peers --json` and `compliance --json` (python3's json
# parser), and `audit show --json` gives a journal record longer than 1 KiB
# whole (the old escaper cut at 1 KiB). One linegated in a namespace; no peer
# answers, nothing leaves the namespace.
set -u
. "${LG_SOURCE_DIR:?}/tests/lib/netns.sh"
[ -x "${LINEGATED:-}" ] || { echo "SKIP: linegated not built" >&2; exit 77; }
[ -x "${LINEGATECTL:-}" ] || { echo "SKIP: linegatectl not built" >&2; exit 77; }
BIN=${LG_ASAN_LINEGATED:-$LINEGATED}
CTL=${LG_ASAN_LINEGATECTL:-$LINEGATECTL}

lg_ns_init lgn-cj-
lg_ns_add gw
lg_ns_add far
lg_link gw inet0 203.0.113.1/28 far f0 203.0.113.14/28
lg_link gw circ0 203.0.113.129/28 far c0 198.51.100.129/28
TOP=$(mktemp -d /tmp/lgn-cj.XXXXXX)
chmod 700 "$TOP"
# the files live under a long UTF-8 directory name (see the 1 KiB record)
T="$TOP/配置目录-$(python3 -c 'print("长" * 40)')"
mkdir -m 700 "$T"
trap 'rc=$?; lg_ns_cleanup; if [ $rc = 0 ] && [ -z "${LG_KEEP:-}" ]; then rm -rf "$TOP"; else echo "logs kept in $T" >&2; fi; exit $rc' EXIT
FAILS=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }

CIRCUIT="中国电信-沪-0001"
( umask 077; printf 'cj-psk-4a1f9e0c\n' > "$T/hk.psk" )
mkdir -p "$T/audit"
cat > "$T/linegate.conf" <<CONF
site "shanghai" {
    region CN
    identity-domain "corp.example"
    internal-space 10.0.0.0/8
}
compliance {
    licensed-carriers china-telecom
}
uplink "internet" {
    interface inet0
}
uplink "ctc" {
    interface circ0
    carrier china-telecom
    circuit-id "$CIRCUIT"
    licensed yes
}
tunnel {
    device lgcj0
    address 10.1.0.254/32
}
peer "hk" {
    endpoint 198.51.100.129
    region HK
    uplink ctc
    local-id sh-gw.corp.example
    remote-id hk-gw.corp.example
    auth psk
    psk-file "$T/hk.psk"
    local-subnets 10.1.0.0/16
    remote-subnets 10.100.0.0/16
    mode responder
}
audit {
    journal-dir "$T/audit"
}
control {
    socket "$TOP/control.sock"
    workers 1
}
CONF

export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
lg_ns gw timeout -k 3 600 "$BIN" -f -c "$T/linegate.conf" </dev/null >"$T/linegated.log" 2>&1 &
LG_PIDS+=("$!")
lg_wait 20 test -S "$TOP/control.sock" || { tail -20 "$T/linegated.log"; lg_die "linegated did not start"; }
ctl() { timeout 20 "$CTL" -c "$T/linegate.conf" "$@"; }

# py EXPR: true when EXPR holds over d, the JSON on stdin (python3's parser)
py() { python3 -c "import json,sys; d=json.load(sys.stdin); want=sys.argv[1]; sys.exit(0 if ($1) else 1)" "$CIRCUIT"; }
status_circuit() { ctl --json status | py '[u for u in d["uplinks"] if u["name"]=="ctc"][0]["circuit_id"]==want'; }
peers_circuit() { ctl --json peers | py 'd[0]["circuit_id"]==want'; }
compliance_circuit() { ctl --json compliance | py 'd["peers"][0]["uplink"]["circuit_id"]==want'; }
compliance_raw_utf8() { ctl --json compliance | grep -qF "\"circuit_id\":\"$CIRCUIT\""; }
check "status --json: the circuit id round-trips" status_circuit
check "peers --json: the peer's circuit id round-trips" peers_circuit
check "compliance --json: the circuit id round-trips (was mojibake)" compliance_circuit
check "compliance --json: UTF-8 written as UTF-8, not escapes of its bytes" compliance_raw_utf8

# show-config: the snapshot in force, the PSK file by path, never its bytes
ctl show-config > "$T/show.txt" 2>&1; rc_text=$?
ctl --json show-config > "$T/show.json" 2>&1; rc_json=$?
check "show-config (text and --json) answers" test "$rc_text$rc_json" = 00
check "show-config: the circuit id, UTF-8, in conf syntax" grep -qF "circuit-id \"$CIRCUIT\"" "$T/show.txt"
check "show-config: defaults filled in (dpd 30s, retry-max)" grep -q "dpd 30s" "$T/show.txt"
check "show-config: the PSK file by path" grep -qF "psk-file \"$T/hk.psk\"" "$T/show.txt"
psk_shown() { grep -qF "$(head -1 "$T/hk.psk")" "$T/show.txt" "$T/show.json" ||
	grep -qF "$(head -1 "$T/hk.psk" | od -An -tx1 | tr -d ' \n')" "$T/show.txt" "$T/show.json"; }
psk_hidden() { ! psk_shown; }
check "show-config: the PSK, as text or hex, in neither output" psk_hidden
show_json_ok() { python3 -c "
import json,sys; d=json.load(open(sys.argv[1])); u=[b for b in d['blocks'] if b['block']=='uplink' and b['name']=='ctc'][0]
assert u['settings']['circuit-id']==sys.argv[2], u" "$T/show.json" "$CIRCUIT"; }
check "show-config --json: the same blocks, the circuit id round-trips" show_json_ok

# A record over 1 KiB: a refused reload's config_refused carries the file
# (a long UTF-8 path) and every error with that path in it.
cp "$T/linegate.conf" "$T/good.conf"
for i in 1 2 3 4 5 6; do echo "bogus-key-$i yes"; done >> "$T/linegate.conf"
check "a broken file's reload is refused" bash -c "! timeout 20 '$CTL' -c '$T/linegate.conf' reload >/dev/null 2>&1"
long_record() { grep -rhs '"event":"config_refused"' "$T/audit" | LC_ALL=C awk 'length($0) > 1024' | tail -1; }
check "the journal holds a config_refused record over 1 KiB" lg_wait 10 bash -c "T='$T'; $(declare -f long_record); long_record | grep -q ."
rec=$(long_record)
cp "$T/good.conf" "$T/linegate.conf"   # linegatectl finds the journal through it
seq=$(sed -n 's/^{"seq":\([0-9]*\),.*/\1/p' <<<"$rec")
shown=$(ctl audit show --json --event config_refused | grep -F "{\"seq\":$seq,")
check "audit show --json gives it whole ($(printf %s "$rec" | wc -c) bytes)" test -n "$rec" -a "$shown" = "$rec"
parses() { python3 -c 'import json,sys; json.loads(sys.stdin.read())' <<<"$shown"; }
check "and it parses" parses

check "no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' '$T/linegated.log'"
[ "$FAILS" -gt 0 ] && tail -n 20 "$T/linegated.log"
echo "control_json: $FAILS failed"
[ "$FAILS" = 0 ]
