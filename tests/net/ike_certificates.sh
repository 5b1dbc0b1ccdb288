#!/usr/bin/env bash
# Two linegated authenticating with X.509 certificates (auth certificate) in
# namespaces over a 1280-byte-MTU underlay, from a PKI made at test time
# (tests/lib/x509_pki.sh: root -> intermediate -> end): site a RSA, site b
# ECDSA P-384. --check-config says when our certificate expires and refuses
# an expired one at its file:line:col; the tunnel comes up, LAN-to-LAN ping
# goes through; linegatectl sas and peers (text and JSON) show the peer's
# certificate subject and expiry; the IKE_AUTH carrying the certificates
# was sent as SKF fragments (RFC 7383, captured on the underlay). Then both
# sites again with distinguished names for identities (ID_DER_ASN1_DN,
# written strongSwan-style while the CA encoded UTF8Strings): a DN that is
# not our certificate's subject, or malformed, is refused at file:line:col;
# the tunnel comes up and each side shows the other's DN.
# With LG_ASAN_LINEGATED set, both daemons run the sanitizer build.
set -u
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
lg_ns_init lgn-crt-
for ns in lana gwa lanb gwb; do lg_ns_add "$ns"; done
lg_link lana eth0 10.1.1.10/24 gwa lan0 10.1.1.1/24
lg_link lanb eth0 10.2.1.10/24 gwb lan0 10.2.1.1/24
lg_link gwa up0 10.253.0.1/24 gwb up0 10.253.0.2/24
lg_ns gwa ip link set up0 mtu 1280
lg_ns gwb ip link set up0 mtu 1280
lg_ns lana ip route add default via 10.1.1.1
lg_ns lanb ip route add default via 10.2.1.1

BIN=${LG_ASAN_LINEGATED:-$LINEGATED}
CTL=${LG_ASAN_LINEGATECTL:-$LINEGATECTL}
T=$(mktemp -d /tmp/lg-crt.XXXXXX)
chmod 700 "$T"
TD=
trap '[ -z "$TD" ] || kill "$TD" 2>/dev/null; lg_ns_cleanup; [ -n "${LG_KEEP:-}" ] || rm -rf "$T"' EXIT
FAILS=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }
sh "$LG_SOURCE_DIR/tests/lib/x509_pki.sh" "$T/pki" >/dev/null || lg_die "x509_pki.sh"
P=$T/pki

site() { # site DIR NAME LOCAL REMOTE TUNADDR PEER PEERADDR CERT LOCALID REMOTEID MODE
	mkdir -p "$1"
	cat > "$1/linegate.conf" <<CONF
site "$2" {
    region CN
    identity-domain "ib.test"
    identity-organisation "ib"
    internal-space 10.0.0.0/8
}
uplink "u0" {
    interface up0
}
tunnel {
    device lgcrt0
    address $5
}
peer "$6" {
    endpoint $7
    region CN
    uplink u0
    local-id ${9}
    remote-id ${10}
    auth certificate
    certificate "$P/$8.crt"
    private-key "$P/$8.key"
    ca-dir "$P/ca"
    crl-dir "$P/crl"
    local-subnets $3
    remote-subnets $4
    dpd 5s
    mode ${11}
}
audit {
    journal-dir "audit"
}
control {
    socket "control.sock"
    workers 1
}
CONF
}
site "$T/a" sha 10.1.0.0/16 10.2.0.0/16 10.1.0.1/24 bj 10.253.0.2 rsa gw-rsa.ib.test gw-p384.ib.test initiator
site "$T/b" bj 10.2.0.0/16 10.1.0.0/16 10.2.0.1/24 sha 10.253.0.1 p384 gw-p384.ib.test gw-rsa.ib.test responder

out=$(lg_ns gwa "$BIN" --check-config -c "$T/a/linegate.conf" 2>&1); rc=$?
check "--check-config passes our RSA chain (rc $rc)" test "$rc" = 0
check "--check-config says when the certificate expires" grep -qE 'CN=gw-rsa.ib.test valid until [0-9-]+ .*\((36[45]|36[0-9]) days\)' <<<"$out"
[ "$FAILS" = 0 ] || echo "$out"
sed "s#$P/rsa\\.#$P/expired.#" "$T/a/linegate.conf" > "$T/expired.conf"
out=$(lg_ns gwa "$BIN" --check-config -c "$T/expired.conf" 2>&1); rc=$?
check "--check-config refuses an expired certificate (rc $rc)" test "$rc" -ne 0
check "... at its file:line:col, saying so" grep -qE "expired.conf:21:17: .*cert_expired" <<<"$out"
[ "$FAILS" = 0 ] || echo "$out"
# the other ways our own credentials can be wrong: each once, at its value
refused_once() { # CONF PATTERN: refused with exactly one problem, PATTERN's
	out=$(lg_ns gwa "$BIN" --check-config -c "$1" 2>&1)
	[ $? -ne 0 ] && grep -qE "$2" <<<"$out" && grep -q "configuration refused (1 problem)" <<<"$out"
}
key_line=$(grep -n 'private-key' "$T/a/linegate.conf" | cut -d: -f1)
sed "s#$P/rsa\.key#$P/p384.key#" "$T/a/linegate.conf" > "$T/otherkey.conf"
check "a private-key that is not the certificate's is refused once, at the key" \
	refused_once "$T/otherkey.conf" "otherkey.conf:$key_line:[0-9]+: .*private-key .*p384.key is not the key of the certificate"
sed "s#$P/rsa\.#$P/rogue.#" "$T/a/linegate.conf" > "$T/rogue.conf"
check "a certificate from a CA outside ca-dir is refused at its value" \
	refused_once "$T/rogue.conf" "rogue.conf:21:17: .*cert_untrusted"
sed "s#local-id gw-rsa.ib.test#local-id gw-other.ib.test#" "$T/a/linegate.conf" > "$T/otherid.conf"
check "a local-id the certificate does not name is refused at the certificate" \
	refused_once "$T/otherid.conf" "otherid.conf:21:17: .*local-id is not one of its subjectAltNames"
head -c 2000 /dev/urandom > "$T/garbage.key"; chmod 600 "$T/garbage.key"
sed "s#$P/rsa\.key#$T/garbage.key#" "$T/a/linegate.conf" > "$T/badkey.conf"
check "a private-key that is no key is refused once, at the key" \
	refused_once "$T/badkey.conf" "badkey.conf:$key_line:[0-9]+: .*garbage.key: not an unencrypted PEM private key"
crl_line=$(grep -n 'crl-dir' "$T/a/linegate.conf" | cut -d: -f1)
sed "s#$P/crl#$T/nocrl#" "$T/a/linegate.conf" > "$T/nocrl.conf"
check "a crl-dir that is not there is refused at the crl-dir, not the ca-dir" \
	refused_once "$T/nocrl.conf" "nocrl.conf:$crl_line:[0-9]+: .*nocrl: No such file or directory"
[ "$FAILS" = 0 ] || echo "$out"

# the IKE datagrams on b's underlay (IKE on 4500 after NAT detection)
lg_ns gwb tcpdump -U -n -i up0 -w "$T/ike.pcap" udp port 500 or udp port 4500 2>"$T/tcpdump.log" &
TD=$!
lg_wait 10 test -s "$T/ike.pcap" || echo "# tcpdump did not start: $(cat "$T/tcpdump.log")"

export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ip netns exec "$(lg_ns_name gwb)" "$BIN" -f -c "$T/b/linegate.conf" 2>"$T/b.log" &
PB=$!; LG_PIDS+=("$PB")
ip netns exec "$(lg_ns_name gwa)" "$BIN" -f -c "$T/a/linegate.conf" 2>"$T/a.log" &
PA=$!; LG_PIDS+=("$PA")
ctl() { "$CTL" -c "$T/$1/linegate.conf" "${@:2}"; }
peer_up() { ctl "$1" --json peers | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)[0]["state"]=="up" else 1)'; }

check "the IKE SA comes up with certificates (initiator side)" lg_wait 30 peer_up a
check "the responder sees it up too" lg_wait 5 peer_up b
check "ping LAN a -> LAN b through the tunnel" lg_ping lana 10.2.1.10 -c 3 -i 0.2 -W 2
check "sas (text) on a: the peer's certificate subject and expiry" bash -c "'$CTL' -c '$T/a/linegate.conf' sas | grep -qE 'peer certificate .*CN=gw-p384.ib.test, expires 20[0-9][0-9]-'"
check "sas --json on b: peer_certificate of site a, auth certificate" bash -c "'$CTL' -c '$T/b/linegate.conf' --json sas | python3 -c '
import json,sys,time; s=json.load(sys.stdin)[\"ike_sas\"][0]
assert s[\"auth\"]==\"certificate\", s
c=s[\"peer_certificate\"]; assert \"CN=gw-rsa.ib.test\" in c[\"subject\"] and c[\"not_after\"][:2]==\"20\", s'"
check "peers (text) on b: the certificate line" bash -c "'$CTL' -c '$T/b/linegate.conf' peers | grep -qE '^  certificate .*CN=gw-rsa.ib.test, expires '"
check "peers --json on a: peer_certificate" bash -c "'$CTL' -c '$T/a/linegate.conf' --json peers | python3 -c '
import json,sys; p=json.load(sys.stdin)[0]; assert \"CN=gw-p384.ib.test\" in p[\"peer_certificate\"][\"subject\"], p'"
check "audit: auth_success with method certificate" lg_wait 5 bash -c "grep -rhs '\"event\":\"auth_success\"' '$T/b/audit' | grep -q '\"method\":\"certificate\"'"

kill "$TD"; wait "$TD" 2>/dev/null; TD=
# IKE messages on the wire whose first payload is SKF (53), the largest UDP payload
read -r n_skf biggest _ < <(python3 "$LG_SOURCE_DIR/tests/lib/ike_pcap.py" "$T/ike.pcap")
check "the certificate IKE_AUTH went as SKF fragments ($n_skf seen)" test "${n_skf:-0}" -ge 4
check "no IKE datagram over the 1280-byte path (largest UDP ${biggest:-?})" test "${biggest:-9999}" -le 1260

kill -TERM "$PA"; wait "$PA"; rc=$?
check "SIGTERM on site a: exit 0 (got $rc)" test "$rc" = 0
check "b: the DELETE took the SA down" lg_wait 5 bash -c "! '$CTL' -c '$T/b/linegate.conf' --json peers | grep -q '\"state\":\"up\"'"
kill -TERM "$PB"; wait "$PB"; rc=$?
check "SIGTERM on site b: exit 0 (got $rc)" test "$rc" = 0

# ---- distinguished names for identities, both sides ----
site "$T/a" sha 10.1.0.0/16 10.2.0.0/16 10.1.0.1/24 bj 10.253.0.2 rsa \
	'"dn:CN=gw-rsa.ib.test, O=ib"' '"CN=gw-p384.ib.test, O=ib"' initiator
site "$T/b" bj 10.2.0.0/16 10.1.0.0/16 10.2.0.1/24 sha 10.253.0.1 p384 \
	'"CN=gw-p384.ib.test, O=ib"' '"dn:CN=gw-rsa.ib.test, O=ib"' responder
rm -rf "$T/a/audit" "$T/b/audit"
out=$(lg_ns gwa "$BIN" --check-config -c "$T/a/linegate.conf" 2>&1); rc=$?
check "DN ids: --check-config passes (rc $rc)" test "$rc" = 0
[ "$rc" = 0 ] || echo "$out"
sed 's#"dn:CN=gw-rsa.ib.test, O=ib"#"CN=gw-other.ib.test, O=ib"#' "$T/a/linegate.conf" > "$T/notsubject.conf"
check "DN ids: a local-id that is not the certificate's subject is refused once, at the certificate" \
	refused_once "$T/notsubject.conf" "notsubject.conf:21:17: .*local-id is not its subject"
[ "$FAILS" = 0 ] || echo "$out"
sed 's#"CN=gw-p384.ib.test, O=ib"#"CN=gw-p384.ib.test, O=ib, Bogus=1"#' "$T/a/linegate.conf" > "$T/baddn.conf"
out=$(lg_ns gwa "$BIN" --check-config -c "$T/baddn.conf" 2>&1); rc=$?
check "DN ids: a malformed DN is refused at file:line:col (rc $rc)" grep -qE "baddn.conf:19:42: invalid distinguished name .*unknown attribute type" <<<"$out"
[ "$FAILS" = 0 ] || echo "$out"

ip netns exec "$(lg_ns_name gwb)" "$BIN" -f -c "$T/b/linegate.conf" 2>"$T/b2.log" &
PB=$!; LG_PIDS+=("$PB")
ip netns exec "$(lg_ns_name gwa)" "$BIN" -f -c "$T/a/linegate.conf" 2>"$T/a2.log" &
PA=$!; LG_PIDS+=("$PA")
check "DN ids: the IKE SA comes up" lg_wait 30 peer_up a
check "DN ids: the responder sees it up too" lg_wait 5 peer_up b
check "DN ids: ping LAN a -> LAN b through the tunnel" lg_ping lana 10.2.1.10 -c 3 -i 0.2 -W 2
check "DN ids: sas on a shows b's DN" bash -c "'$CTL' -c '$T/a/linegate.conf' --json sas | python3 -c '
import json,sys; s=json.load(sys.stdin)[\"ike_sas\"][0]; assert s[\"remote_id\"]==\"CN=gw-p384.ib.test, O=ib\", s'"
check "DN ids: sas on b shows a's DN" bash -c "'$CTL' -c '$T/b/linegate.conf' --json sas | python3 -c '
import json,sys; s=json.load(sys.stdin)[\"ike_sas\"][0]; assert s[\"remote_id\"]==\"CN=gw-rsa.ib.test, O=ib\", s'"
check "DN ids: audit auth_success on b" lg_wait 5 bash -c "grep -rhs '\"event\":\"auth_success\"' '$T/b/audit' | grep -q 'CN=gw-rsa.ib.test'"
kill -TERM "$PA"; wait "$PA"; rc=$?
check "DN ids: SIGTERM on site a: exit 0 (got $rc)" test "$rc" = 0
kill -TERM "$PB"; wait "$PB"; rc=$?
check "DN ids: SIGTERM on site b: exit 0 (got $rc)" test "$rc" = 0
check "no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' '$T/a.log' '$T/b.log' '$T/a2.log' '$T/b2.log'"
if [ "$FAILS" -gt 0 ]; then tail -n 30 "$T/a.log" "$T/b.log" "$T/a2.log" "$T/b2.log"; fi
echo "ike_certificates: $FAILS failed"
[ "$FAILS" = 0 ]
