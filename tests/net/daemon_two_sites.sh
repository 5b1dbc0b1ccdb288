#!/usr/bin/env bash
# Two linegated over IKEv2 (PSK) in namespaces, as a user would run them:
# the tunnel comes up, LAN-to-LAN ping goes through, linegatectl shows the SA
# (text and JSON), flows count the packets, the audit trail has the SA and the
# flow records; SIGTERM on one side sends DELETE: the other side's SA goes
# away at once, the stopped side's TUN device and routes are gone.
# With LG_ASAN_LINEGATED set, both daemons run the sanitizer build.
set -u
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
. "$LG_SOURCE_DIR/tests/lib/site_conf.sh"
lg_ns_init lgn-d2s-
for ns in lana gwa lanb gwb; do lg_ns_add "$ns"; done
lg_link lana eth0 10.1.1.10/24 gwa lan0 10.1.1.1/24
lg_link lanb eth0 10.2.1.10/24 gwb lan0 10.2.1.1/24
lg_link gwa up0 10.253.0.1/24 gwb up0 10.253.0.2/24
lg_ns lana ip route add default via 10.1.1.1
lg_ns lanb ip route add default via 10.2.1.1

BIN=${LG_ASAN_LINEGATED:-$LINEGATED}
CTL=${LG_ASAN_LINEGATECTL:-$LINEGATECTL}
T=$(mktemp -d /tmp/lg-d2s.XXXXXX)
chmod 700 "$T"
trap 'lg_ns_cleanup; [ -n "${LG_KEEP:-}" ] || rm -rf "$T"' EXIT
FAILS=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }
psk=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')

site() { # site DIR NAME LOCAL REMOTE TUNADDR PEER PEERADDR LOCALID REMOTEID MODE
	lg_site_conf "$1/linegate.conf" site="$2" local="$3" remote="$4" addr="$5" peer="$6" \
		endpoint="$7" local_id="$8" remote_id="$9" mode="${10}" dev=lgd2s0 psk="$psk" \
		peer_extra='dpd 5s' audit_extra='flow-interval 2s'
}
site "$T/a" sha 10.1.0.0/16 10.2.0.0/16 10.1.0.1/24 bj 10.253.0.2 sh-gw.corp.example bj-gw.corp.example initiator
site "$T/b" bj 10.2.0.0/16 10.1.0.0/16 10.2.0.1/24 sha 10.253.0.1 bj-gw.corp.example sh-gw.corp.example responder

export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ip netns exec "$(lg_ns_name gwb)" "$BIN" -f -c "$T/b/linegate.conf" 2>"$T/b.log" &
PB=$!; LG_PIDS+=("$PB")
ip netns exec "$(lg_ns_name gwa)" "$BIN" -f -c "$T/a/linegate.conf" 2>"$T/a.log" &
PA=$!; LG_PIDS+=("$PA")
ctl() { "$CTL" -c "$T/$1/linegate.conf" "${@:2}"; }
peer_up() { ctl "$1" --json peers | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)[0]["state"]=="up" else 1)'; }

check "the IKE SA comes up (initiator side)" lg_wait 20 peer_up a
check "the responder sees it up too" lg_wait 5 peer_up b
check "ping LAN a -> LAN b through the tunnel" lg_ping lana 10.2.1.10 -c 3 -i 0.2 -W 2
check "sas (text) names the peer and its CHILD SA" bash -c "'$CTL' -c '$T/a/linegate.conf' sas | grep -q '10.1.0.0/16 === 10.2.0.0/16'"
check "sas --json: one established IKE SA with a child" bash -c "'$CTL' -c '$T/a/linegate.conf' --json sas | python3 -c '
import json,sys; d=json.load(sys.stdin); s=d[\"ike_sas\"][0]
assert s[\"peer\"]==\"bj\" and len(s[\"children\"])>=1, d'"
check "flows --json count the ping" bash -c "'$CTL' -c '$T/a/linegate.conf' --json flows | python3 -c '
import json,sys; f=json.load(sys.stdin); assert f[0][\"packets_out\"]>=3 and f[0][\"packets_in\"]>=3, f'"
check "compliance --json is JSON" bash -c "'$CTL' -c '$T/a/linegate.conf' --json compliance | python3 -m json.tool >/dev/null"
journal() { grep -rhs "\"event\":\"$2\"" "$T/$1/audit"; }
check "audit: child_sa_up recorded" lg_wait 5 bash -c "grep -rqs '\"event\":\"child_sa_up\"' '$T/a/audit'"
check "audit: a flow record for the peer" lg_wait 6 bash -c "grep -rhs '\"event\":\"flow_record\"' '$T/a/audit' | grep -q '\"object\":\"bj\"'"

kill -TERM "$PA"
wait "$PA"; rc=$?
check "SIGTERM on site a: exit 0 (got $rc)" test "$rc" = 0
check "site a: TUN device removed" bash -c "! ip -n '$(lg_ns_name gwa)' link show lgd2s0 >/dev/null 2>&1"
check "site a: route to 10.2.0.0/16 through the TUN device removed" bash -c "! ip -n '$(lg_ns_name gwa)' route show 10.2.0.0/16 | grep -q 'dev lgd2s0'"
# fail closed after the daemon too (docs/compliance.md): the guard stays
check "site a: unreachable guard for 10.2.0.0/16 left in place" bash -c "ip -n '$(lg_ns_name gwa)' route show 10.2.0.0/16 proto 76 | grep -q '^unreachable'"
check "site b: the DELETE took the SA down at once (no DPD wait)" lg_wait 3 bash -c "! '$CTL' -c '$T/b/linegate.conf' --json peers | grep -q '\"state\":\"up\"'"
kill -TERM "$PB"
wait "$PB"; rc=$?
check "SIGTERM on site b: exit 0 (got $rc)" test "$rc" = 0
check "no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' '$T/a.log' '$T/b.log'"
if [ "$FAILS" -gt 0 ]; then tail -n 20 "$T/a.log" "$T/b.log"; fi
echo "daemon_two_sites: $FAILS failed"
[ "$FAILS" = 0 ]
