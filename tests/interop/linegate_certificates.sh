#!/bin/bash
# X.509 certificate authentication (auth certificate) against strongSwan 5.9,
# vendor-style profiles from a PKI made at test time (tests/lib/x509_pki.sh:
# RSA 3072 root -> ECDSA P-256 intermediate -> end entities), strongSwan's
# side in swanctl/x509, x509ca and private as an administrator sets it up:
#   rsa2048     RSA 2048 certificates, aes256-sha256-modp2048, ESP aes256-sha256
#               (Palo Alto, Huawei, H3C, strongSwan's everyday defaults)
#   rsapss      RSASSA-PSS both ways: linegate's certificate holds an RSA-PSS
#               key (it can only sign PSS), strongSwan signs PSS under its RSA
#               2048 key (charon.rsa_pss = yes); aes256-sha256-modp2048
#   p384        ECDSA P-384 certificates, aes256gcm16-prfsha384-ecp384, ESP
#               aes256gcm16 (Suite-B-like)
#   ed25519     Ed25519 certificates, chacha20poly1305-prfsha256-x25519, ESP
#               chacha20poly1305 (linegate's default)
#   rsa4096     RSA 4096 end entities under a second, RSA 4096 intermediate
#               (root -> intermediate -> intermediate 2 -> end: about 4 KB of
#               CERT and AUTH in IKE_AUTH), aes256-sha256-modp2048, over an
#               underlay with a 1280-byte MTU at both gateways that drops every
#               IP fragment (nftables), so IKE_AUTH crosses only in RFC 7383
#               fragments: SKF payloads counted in a capture from both sides,
#               no IP fragment on the wire or dropped.
# Each in both roles (linegate initiates; strongSwan initiates): the tunnel
# comes up with the profile's algorithms, charon verified linegate's
# certificate chain and signature, linegatectl shows strongSwan's certificate,
# LAN hosts ping each other, and CHILD and IKE rekeys started by each side run
# under 100 pkt/s both ways with zero loss. Refusals (strongSwan initiates):
# a certificate from a CA linegate does not trust, and a trusted one whose
# subjectAltName is not strongSwan's identity; each counted as cert_refused
# and recorded as auth_failure with its reason, nothing installed.
# Select profiles with LGI_CASES="rsa2048 p384". Bounded: about three
# minutes; every wait has a timeout. Needs root, nft, openssl and tcpdump.
set -u
. "${LG_SOURCE_DIR:?}/tests/interop/lib/begin.sh"
lgi_begin c nft openssl tcpdump python3
CASES=${LGI_CASES:-"rsa2048 rsapss p384 ed25519 rsa4096"}
PKI=$WORK/pki
lg_log "making the test PKI (RSA 4096 keys take a few seconds)"
sh "$LG_SOURCE_DIR/tests/lib/x509_pki.sh" "$PKI" \
	"lg-rsa2048:rsa2048:$LGI_ID_A" "ss-rsa2048:rsa2048:$LGI_ID_B" \
	"lg-rsapss:pss:$LGI_ID_A" "ss-rsapss:rsa2048:$LGI_ID_B" \
	"lg-p384:p384:$LGI_ID_A" "ss-p384:p384:$LGI_ID_B" \
	"lg-ed25519:ed25519:$LGI_ID_A" "ss-ed25519:ed25519:$LGI_ID_B" \
	"lg-rsa4096:rsa4096:$LGI_ID_A:intermediate2" "ss-rsa4096:rsa4096:$LGI_ID_B:intermediate2" \
	"ss-rogue:p384:$LGI_ID_B:rogue" "ss-wrongsan:p384:gw-c.lgi.test" >"$WORK/pki.log" 2>&1 ||
	{ cat "$WORK/pki.log" >&2; lg_die "x509_pki.sh failed"; }
CACERTS="$PKI/ca/root.crt,$PKI/ca/inter.crt,$PKI/ca/inter2.crt"

# profile_ike/esp PROFILE: the proposals both sides configure.
profile_ike() {
	case $1 in
	rsa2048|rsapss|rsa4096) echo aes256-sha256-modp2048;;
	p384) echo aes256gcm16-prfsha384-ecp384;;
	ed25519) echo chacha20poly1305-prfsha256-x25519;;
	esac
}
profile_esp() {
	case $1 in
	rsa2048|rsapss|rsa4096) echo aes256-sha256;;
	p384) echo aes256gcm16;;
	ed25519) echo chacha20poly1305;;
	esac
}
# How charon logs its verification of linegate's AUTH (RFC 7427 scheme).
profile_scheme() {
	case $1 in
	rsapss) echo 'RSA_EMSA_PSS_SHA2_(256|384|512)_SALT_[0-9]+';;
	rsa*) echo 'RSA_EMSA_PKCS1_SHA2_(256|384|512)';;
	p384) echo 'ECDSA_WITH_SHA384_DER';;
	ed25519) echo 'ED25519';;
	esac
}

ss_opts() { # ss_opts CERT: strongSwan's end with certificate CERT
	echo "$(lgi_ss_sites) auth=cert local_cert=$PKI/$1.crt local_key=$PKI/$1.key" \
		"cacerts=$CACERTS max_time=240"
	[ "$1" = ss-rsapss ] && echo rsa_pss=yes
	return 0
}
lg_opts() {
	echo "auth=certificate cert=$PKI/lg-$1.crt key=$PKI/lg-$1.key ca_dir=$PKI/ca"
}

# The peer's certificate as linegate shows it, and how it authenticated.
lg_shows_cert() {
	lgi_ctl "$1" --json sas | python3 -c '
import json, sys
s = json.load(sys.stdin)["ike_sas"][0]
assert s["auth"] == "certificate", s
assert "CN=gw-b.lgi.test" in s["peer_certificate"]["subject"], s'
}
cert_refused() {
	lgi_ctl "$1" --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["ike_drops"].get("cert_refused", 0))'
}

# Capture of the underlay at gwb for the fragment count (ike_pcap.py).
capture_start() {
	ip netns exec "$(lg_ns_name gwb)" timeout 300 tcpdump -i ub -s 128 -U -n -w "$1/underlay.pcap" \
		>/dev/null 2>"$1/tcpdump.log" &
	CAP_PID=$!
	LG_PIDS+=("$CAP_PID")
	lg_wait 10 grep -q "listening on" "$1/tcpdump.log" || lg_log "tcpdump did not start"
}
fragment_checks() {
	local name=$1 d=$2 from skf big frags
	kill -INT "$CAP_PID" 2>/dev/null; wait "$CAP_PID" 2>/dev/null
	for from in "linegate:$LGI_UA" "strongSwan:$LGI_UB"; do
		read -r skf big frags < <(python3 "$LG_SOURCE_DIR/tests/lib/ike_pcap.py" "$d/underlay.pcap" "${from#*:}")
		lgi_check "$name: ${from%%:*} sent SKF fragments ($skf), IKE datagrams at most ${big} bytes" \
			test "${skf:-0}" -ge 3 -a "${big:-9999}" -le 1280
		lgi_check "$name: no IP fragment from ${from%%:*} on the wire ($frags)" test "${frags:-1}" = 0
	done
	lgi_check "$name: no IP fragment dropped at either gateway" \
		test "$(lgi_ip_frags_dropped gwa)" = 0 -a "$(lgi_ip_frags_dropped gwb)" = 0
	lgi_check "$name: charon reassembled linegate's certificates from fragments" \
		grep -q "reassembled fragmented IKE message" "$d/ss/charon.log"
	lgi_check "$name: charon split its IKE_AUTH into fragments" \
		grep -q "splitting IKE message" "$d/ss/charon.log"
	lgi_check "$name: charon built the chain through both intermediates" \
		grep -q "reached self-signed root ca with a path length of 2" "$d/ss/charon.log"
}

# run_case PROFILE WHO: WHO initiates (linegate|strongswan).
run_case() {
	local p=$1 who=$2 name=$1-$2 d=$WORK/$1-$2 ike esp
	ike=$(profile_ike "$p") esp=$(profile_esp "$p")
	mkdir -p "$d"
	lgi_capture "$d"
	[ "$p" = rsa4096 ] && capture_start "$d"
	lg_log "=== case $name: $who initiates, $p certificates, $ike / $esp"
	if [ "$who" = linegate ]; then
		# shellcheck disable=SC2046
		ss_start "$d/ss" gwb role=responder $(ss_opts "ss-$p") ike="$ike" esp="$esp" ||
			{ lgi_fail "$name: start"; lgi_stop_case "$d"; return; }
		# shellcheck disable=SC2046
		lgi_conf "$d/lg" mode=initiator $(lg_opts "$p") ike="$ike" esp="$esp"
		lgi_start "$d/lg"
		lgi_check "$name: CHILD SA installed at strongSwan within 20 s" ss_wait_up "$d/ss" 20 || {
			ss_explain "$d/ss" >&2; tail -15 "$d/lg/linegated.log" >&2; lgi_stop_case "$d"; return; }
	else
		# shellcheck disable=SC2046
		lgi_conf "$d/lg" mode=responder $(lg_opts "$p") ike="$ike" esp="$esp"
		lgi_start "$d/lg"
		# shellcheck disable=SC2046
		lgi_check "$name: strongSwan brought the tunnel up" \
			ss_start "$d/ss" gwb role=initiator $(ss_opts "ss-$p") ike="$ike" esp="$esp" || {
			tail -15 "$d/lg/linegated.log" >&2; lgi_stop_case "$d"; return; }
	fi
	lgi_check "$name: charon verified linegate's $(profile_scheme "$p") signature" \
		grep -qE "authentication of '$LGI_ID_A' with $(profile_scheme "$p") successful" "$d/ss/charon.log"
	[ "$p" = rsapss ] && lgi_check "$name: charon signed with RSASSA-PSS and linegate verified it" \
		grep -qE "authentication of '$LGI_ID_B' \(myself\) with RSA_EMSA_PSS" "$d/ss/charon.log"
	lgi_check "$name: charon trusted linegate's chain" \
		grep -q "reached self-signed root ca" "$d/ss/charon.log"
	lgi_check "$name: IKE $(lgi_case_ike_seen "$ike-cert"), ESP $(lgi_case_esp_seen "$ike-cert") in UDP/4500" \
		lgi_negotiated "$ike-cert" "$d" || ss_list_sas "$d/ss" >&2
	lgi_check "$name: linegatectl shows strongSwan's certificate" lg_shows_cert "$d/lg"
	lgi_check "$name: pings both ways through the tunnel" lgi_ping_both 2 || ss_explain "$d/ss" >&2
	lgi_rekeys_both "$name" "$d" 500
	lgi_check "$name: tunnel carries traffic after the rekeys" lgi_ping_both 2
	[ "$p" = rsa4096 ] && fragment_checks "$name" "$d"
	lgi_stop_case "$d"
}

# refuse NAME CERT REASON: strongSwan initiates with CERT; linegate refuses it
# for REASON, counts it and records it; nothing is installed.
refuse() {
	local name=$1 d=$WORK/$1 ike esp
	ike=$(profile_ike p384) esp=$(profile_esp p384)
	mkdir -p "$d"
	lg_log "=== refusal $name: strongSwan presents $2, linegate must refuse it ($3)"
	# shellcheck disable=SC2046
	lgi_conf "$d/lg" mode=responder $(lg_opts p384) ike="$ike" esp="$esp"
	lgi_start "$d/lg"
	lgi_check "$name: cert_refused 0 before" test "$(cert_refused "$d/lg")" = 0
	# shellcheck disable=SC2046
	ss_start "$d/ss" gwb role=initiator $(ss_opts "$2") ike="$ike" esp="$esp" max_time=60 >/dev/null 2>&1 &&
		lgi_fail "$name: strongSwan brought a tunnel up"
	lgi_check "$name: linegate answered AUTHENTICATION_FAILED" \
		lg_wait 10 grep -q "received AUTHENTICATION_FAILED notify error" "$d/ss/charon.log"
	lgi_check "$name: cert_refused counted" lg_wait 5 eval '[ "$(cert_refused "$d/lg")" -ge 1 ]'
	lgi_check "$name: audit auth_failure with reason $3" lg_wait 10 eval \
		"grep -hs '\"event\":\"auth_failure\"' '$d/lg/audit/'*.jsonl | grep -q '\"reason\":\"$3\"'" ||
		grep -hs auth_failure "$d/lg/audit/"*.jsonl >&2
	lgi_check "$name: no CHILD SA at strongSwan" ss_is_down "$d/ss"
	lgi_check "$name: no IKE SA established at linegate" lgi_no_sas "$d/lg"
	lgi_stop_case "$d"
}

narrowed=0
for p in $CASES; do
	if [ "$p" = rsa4096 ] && [ $narrowed = 0 ]; then
		lgi_narrow_underlay 1280
		narrowed=1
	fi
	run_case "$p" linegate
	run_case "$p" strongswan
done
refuse neg-untrusted-ca ss-rogue cert_untrusted
refuse neg-wrong-san ss-wrongsan cert_id_mismatch

lgi_end linegate_certificates
