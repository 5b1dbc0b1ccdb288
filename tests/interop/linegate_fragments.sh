#!/bin/bash
# IKE fragmentation (RFC 7383) against strongSwan 5.9 over an underlay that
# cannot carry an IKE_AUTH in one datagram: both ends of the underlay have an
# MTU of LGI_FRAG_SIZE (default 400) and both gateways drop every IP fragment
# (nftables, before reassembly), so an exchange completes only when both
# sides fragment in IKE. Eight subnets a side make IKE_AUTH and the CHILD
# rekeys (TSi, TSr) about 480 bytes while IKE_SA_INIT, which RFC 7383 never
# fragments, stays near 240. linegate's fragment-size and charon's fragment_size
# are that size. In both roles (linegate initiates with a PSK, strongSwan with
# Ed25519, and strongSwan with a PSK under aes256-sha384-ecp384, whose
# fragments each carry a CBC IV, padding and a 24-byte HMAC ICV): the tunnel
# comes up, charon logs linegate's fragments reassembled
# and its own messages split, LAN hosts ping each other, CHILD and IKE rekeys
# started by each side run under 100 pkt/s with zero loss, and linegate
# counts no refused or forged fragment. The control: linegate with
# `fragmentation no` cannot complete IKE_AUTH over the same path.
# Bounded: about a minute; every wait has a timeout. Needs root and nft.
set -u
. "${LG_SOURCE_DIR:?}/tests/interop/lib/begin.sh"
lgi_begin f nft
SIZE=${LGI_FRAG_SIZE:-400}
TS_A=$LGI_LAN_A TS_B=$LGI_LAN_B
for i in 1 2 3 4 5 6 7; do
	TS_A+=",10.212.10$i.0/24" TS_B+=",10.212.20$i.0/24"
	# charon routes a subnet only with a local address in it
	lg_ns gwa ip addr add "10.212.10$i.1/24" dev la
	lg_ns gwb ip addr add "10.212.20$i.1/24" dev lb
done
LG_LOCAL="local_ts=${TS_A//,/, }" LG_REMOTE="remote_ts=${TS_B//,/, }"

ss_common() {
	echo "local_addr=$LGI_UB remote_addr=$LGI_UA local_ts=$TS_B remote_ts=$TS_A" \
		"local_id=$LGI_ID_B remote_id=$LGI_ID_A fragment_size=$SIZE max_time=240"
}

# No fragment refused or forged at linegate; it did receive fragments.
lg_clean_drops() {
	local drops
	drops=$(lgi_ctl "$1" --json status | python3 -c 'import json,sys; d=json.load(sys.stdin)["ike_drops"]; print(" ".join("%s=%d" % kv for kv in d.items() if kv[1]))') || return 1
	lg_log "  linegate ike drops: ${drops:-none}"
	[[ " $drops" != *" fragment_refused="* && " $drops" != *" decrypt_failed="* ]]
}

# rekeys NAME DIR: the four rekeys under traffic (lgi_rekeys_both), whose
# CREATE_CHILD_SA messages crossed the path in IKE fragments.
rekeys() {
	lgi_rekeys_both "$1" "$2"
	lgi_check "$1: CHILD rekeys crossed the path in IKE fragments" \
		grep -qE "parsed CREATE_CHILD_SA (request|response) [0-9]+ \[ EF\(" "$2/ss/charon.log"
}

# run_case NAME WHO AUTH [IKE]: WHO initiates (linegate|strongswan), AUTH
# psk|ed25519, IKE the proposal both sides configure (default the AEAD one).
run_case() {
	local name=$1 who=$2 auth=$3 ike=${4:-chacha20poly1305-prfsha256-x25519} d=$WORK/$1 ss_auth lg_auth
	mkdir -p "$d"
	lgi_capture "$d"
	ss_auth="$(lgi_ss_auth "$auth") ike=$ike" lg_auth="$(lgi_lg_auth "$auth") ike=$ike"
	lg_log "=== case $name: $who initiates ($auth, $ike) over a $SIZE-byte path without IP fragments"
	if [ "$who" = linegate ]; then
		# shellcheck disable=SC2046,SC2086
		ss_start "$d/ss" gwb role=responder $(ss_common) $ss_auth || { lgi_fail "$name: start"; lgi_stop_case "$d"; return; }
		# shellcheck disable=SC2086
		lgi_conf "$d/lg" mode=initiator $lg_auth fragment_size="$SIZE" "$LG_LOCAL" "$LG_REMOTE"
		lgi_start "$d/lg"
		lgi_check "$name: CHILD SA installed at strongSwan within 20 s" ss_wait_up "$d/ss" 20 || {
			ss_explain "$d/ss" >&2; tail -15 "$d/lg/linegated.log" >&2; lgi_stop_case "$d"; return; }
	else
		# shellcheck disable=SC2086
		lgi_conf "$d/lg" mode=responder $lg_auth fragment_size="$SIZE" "$LG_LOCAL" "$LG_REMOTE"
		lgi_start "$d/lg"
		# shellcheck disable=SC2046,SC2086
		lgi_check "$name: strongSwan brought the tunnel up" \
			ss_start "$d/ss" gwb role=initiator $(ss_common) $ss_auth || {
			ss_explain "$d/ss" >&2; tail -15 "$d/lg/linegated.log" >&2; lgi_stop_case "$d"; return; }
	fi
	if [ -n "${4:-}" ]; then
		local seen
		seen=$(lgi_case_ike_seen "$ike-psk")
		lgi_check "$name: strongSwan's IKE SA is $seen" \
			eval 'ss_list_sas "$d/ss" | grep -qF "$seen"'
	fi
	lgi_check "$name: charon reassembled linegate's IKE fragments" \
		grep -q "reassembled fragmented IKE message" "$d/ss/charon.log"
	lgi_check "$name: charon split its own messages into IKE fragments" \
		grep -q "splitting IKE message" "$d/ss/charon.log"
	lgi_check "$name: pings both ways through the tunnel" lgi_ping_both 3 || ss_explain "$d/ss" >&2
	rekeys "$name" "$d"
	lgi_check "$name: tunnel carries traffic after the rekeys" lgi_ping_both 2
	lgi_check "$name: linegate refused no fragment and found none forged" lg_clean_drops "$d/lg"
	lgi_stop_case "$d"
}

lgi_narrow_underlay "$SIZE"
run_case lg-init-psk linegate psk
run_case ss-init-ed25519 strongswan ed25519
run_case ss-init-psk-cbc strongswan psk aes256-sha384-ecp384

# --- the control: without IKE fragmentation the path cannot carry IKE_AUTH
d=$WORK/no-frag
lg_log "=== control: linegate with fragmentation no"
mkdir -p "$d"
before=$(lgi_ip_frags_dropped gwb)
# shellcheck disable=SC2046
ss_start "$d/ss" gwb role=responder $(ss_common) auth=psk psk="$LGI_PSK" || lgi_fail "no-frag: start"
lgi_conf "$d/lg" mode=initiator auth=psk fragmentation=no fragment_size="$SIZE" \
	"$LG_LOCAL" "$LG_REMOTE"
lgi_start "$d/lg"
lgi_check "no-frag: charon answered IKE_SA_INIT without fragmentation" \
	lg_wait 10 grep -q "generating IKE_SA_INIT response 0" "$d/ss/charon.log"
lgi_check "no-frag: IP fragments of linegate's IKE_AUTH dropped on the path" \
	lg_wait 10 eval '[ "$(lgi_ip_frags_dropped gwb)" -gt "$before" ]'
lgi_check "no-frag: no CHILD SA at strongSwan" ss_is_down "$d/ss"
lgi_check "no-frag: no established IKE SA at linegate" lgi_no_sas "$d/lg"
lgi_stop_case "$d"

lgi_end linegate_fragments
