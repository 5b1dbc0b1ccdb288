#!/bin/bash
# linegate (site A) as IKE initiator against strongSwan 5.9 (site B) as
# responder: for ChaCha20-Poly1305 and AES-256-GCM, with PSK and with Ed25519
# (RFC 8420 + RFC 7427), with PRF HMAC-SHA2-512, and with PFS on a CHILD
# rekey, the tunnel comes up with the expected algorithms over
# UDP 4500 and LAN hosts ping each other both ways. Then, on one tunnel:
# strongSwan (the IKE responder) rekeys the CHILD SA and the IKE SA while
# pings run both ways at 100/s, with zero loss; finally strongSwan deletes
# the IKE SA and linegate must drop the SAs it had. Last, a wrong PSK is
# refused and leaves nothing installed.
# Bounded: about one minute; every wait has a timeout. Needs root.
set -u
. "${LG_SOURCE_DIR:?}/tests/interop/lib/begin.sh"
lgi_begin i
CASES=${LGI_CASES:-"chacha-psk aesgcm-psk chacha-ed25519 aesgcm-ed25519 chacha-psk-prf512 aesgcm-psk-pfs
	aes128-sha256-ecp256-psk aes256-sha256-modp2048-psk aes256gcm16-prfsha384-ecp384-psk
	aes256-sha384-ecp384-psk aes128-sha512-modp3072-psk"}

# start_case CASE DIR: strongSwan responder, then linegated initiating.
start_case() {
	local cs=$1 d=$2
	mkdir -p "$d"
	lgi_capture "$d"
	# shellcheck disable=SC2046
	ss_start "$d/ss" gwb role=responder $(lgi_ss_sites) \
		$(lgi_ss_auth "$cs") ike="$(lgi_case_ike "$cs")" esp="$(lgi_case_esp "$cs")" max_time=240 || return 1
	# shellcheck disable=SC2046
	lgi_conf "$d/lg" mode=initiator $(lgi_lg_auth "$cs") ike="$(lgi_case_ike "$cs")" esp="$(lgi_case_esp "$cs")"
	lgi_start "$d/lg"
}

# A CHILD rekey with PFS (RFC 7296 §2.17: KEYMAT from a fresh g^ir) started by
# strongSwan under traffic.
pfs_rekey() {
	local cs=$1 d=$2 old new
	old=$(ss_child_spis "$d/ss")
	lgi_flood_start "$cs-pfs" 300 0.01
	sleep 1
	ss_rekey_child "$d/ss" || lgi_fail "$cs: swanctl --rekey --child"
	lgi_check "$cs: CHILD rekey with PFS, zero loss at 100 pkt/s both ways" lgi_flood_check "$cs-pfs"
	lgi_check "$cs: linegate answered the rekey with a KE payload" \
		grep -qE "parsed CREATE_CHILD_SA response [0-9]+ \[ .*KE" "$d/ss/charon.log"
	new=$(ss_child_spis "$d/ss")
	lgi_check "$cs: CHILD SPIs replaced ($old -> $new)" test -n "$new" -a "$old" != "$new"
}

# A profile's CHILD and IKE rekeys, started by strongSwan, under pings: the
# new IKE SA's keys come from a fresh exchange in the profile's group.
profile_rekeys() {
	local cs=$1 d=$2 old new
	old=$(ss_ike_spis "$d/ss")
	lgi_flood_start "$cs-rk" 300 0.01
	sleep 1
	ss_rekey_child "$d/ss" || lgi_fail "$cs: swanctl --rekey --child"
	ss_rekey_ike "$d/ss" || lgi_fail "$cs: swanctl --rekey --ike"
	lgi_check "$cs: strongSwan-started CHILD and IKE rekeys, zero loss at 100 pkt/s" \
		lgi_flood_check "$cs-rk"
	new=$(ss_ike_spis "$d/ss")
	lgi_check "$cs: IKE SPIs replaced ($old -> $new)" test -n "$new" -a "$old" != "$new"
	lgi_check "$cs: rekeyed IKE SA still in $(lgi_case_ike_seen "$cs")" \
		eval "ss_list_sas '$d/ss' | grep -q '$(lgi_case_ike_seen "$cs")'"
	lgi_check "$cs: pings after the rekeys" lgi_ping_both 2
}

for cs in $CASES; do
	d=$WORK/$cs
	lg_log "=== case $cs: linegate initiates"
	if ! start_case "$cs" "$d"; then
		lgi_fail "$cs: start"; lgi_stop_case "$d"; continue
	fi
	if ! lgi_check "$cs: CHILD SA installed at strongSwan within 20 s" ss_wait_up "$d/ss" 20; then
		ss_explain "$d/ss" >&2
		tail -15 "$d/lg/linegated.log" >&2
		lgi_stop_case "$d"; continue
	fi
	lgi_check "$cs: linegate authenticated by strongSwan" lgi_auth_logged "$cs" "$d"
	lgi_check "$cs: IKE $(lgi_case_ike_seen "$cs"), ESP $(lgi_case_esp_seen "$cs") in UDP/4500" \
		lgi_negotiated "$cs" "$d" || ss_list_sas "$d/ss" >&2
	lgi_check "$cs: pings both ways through the tunnel" lgi_ping_both 3 || ss_explain "$d/ss" >&2
	if [[ $cs == *pfs ]]; then
		pfs_rekey "$cs" "$d"
	fi
	if lgi_case_profile "$cs"; then
		profile_rekeys "$cs" "$d"
	fi
	if [ "$cs" != "${CASES%% *}" ]; then
		lgi_stop_case "$d"
		continue
	fi

	# --- rekeys started by strongSwan (the IKE responder) under traffic
	old=$(ss_child_spis "$d/ss")
	lgi_flood_start "$cs-child" 500 0.01
	sleep 2
	ss_rekey_child "$d/ss" || lgi_fail "$cs: swanctl --rekey --child"
	lgi_check "$cs: strongSwan-started CHILD rekey, zero loss at 100 pkt/s both ways" \
		lgi_flood_check "$cs-child"
	new=$(ss_child_spis "$d/ss")
	lgi_check "$cs: CHILD SPIs replaced ($old -> $new)" test -n "$new" -a "$old" != "$new" -a \
		"$(wc -l <<<"$new")" = 1 || ss_explain "$d/ss" >&2

	old=$(ss_ike_spis "$d/ss")
	lgi_flood_start "$cs-ike" 500 0.01
	sleep 2
	ss_rekey_ike "$d/ss" || lgi_fail "$cs: swanctl --rekey --ike"
	lgi_check "$cs: strongSwan-started IKE rekey, zero loss at 100 pkt/s both ways" \
		lgi_flood_check "$cs-ike"
	new=$(ss_ike_spis "$d/ss")
	lgi_check "$cs: IKE SPIs replaced ($old -> $new)" test -n "$new" -a "$old" != "$new" ||
		ss_explain "$d/ss" >&2
	lgi_check "$cs: tunnel still carries traffic after both rekeys" lgi_ping_both 2

	# --- strongSwan's DELETE of the IKE SA is honoured
	spi=$(ss_child_spis "$d/ss" | head -1); spi=${spi%%/*}
	lgi_check "$cs: linegatectl lists the CHILD SA $spi" lgi_has_spi "$d/lg" "$spi"
	ss_terminate "$d/ss" || lgi_fail "$cs: swanctl --terminate"
	lgi_check "$cs: strongSwan's DELETE honoured (CHILD SA $spi gone from linegate in 5 s)" \
		lg_wait 5 lgi_lacks_spi "$d/lg" "$spi" || lgi_ctl "$d/lg" sas >&2
	grep -q "IKE_SA .* successfully deleted\|deleting IKE_SA" "$d/ss/charon.log" ||
		lgi_fail "$cs: charon did not log the deletion"
	lgi_stop_case "$d"
done

# --- a wrong PSK: strongSwan refuses linegate's AUTH, nothing is installed
d=$WORK/neg-psk
lg_log "=== refusal: linegate initiates with a wrong PSK"
mkdir -p "$d"
# shellcheck disable=SC2046
ss_start "$d/ss" gwb role=responder $(lgi_ss_sites) \
	auth=psk psk="$LGI_PSK" max_time=60
lgi_conf "$d/lg" mode=initiator auth=psk psk=not-the-right-psk
lgi_start "$d/lg"
lgi_check "neg-psk: strongSwan refused linegate's AUTH (AUTHENTICATION_FAILED sent)" \
	lg_wait 10 grep -qE "MAC mismatched|generating IKE_AUTH response 1 \[ N\(AUTH_FAILED\) \]" \
	"$d/ss/charon.log" ||
	ss_explain "$d/ss" >&2
lgi_check "neg-psk: no CHILD SA at strongSwan" ss_is_down "$d/ss"
lgi_check "neg-psk: no established IKE SA at linegate" lgi_no_sas "$d/lg"
lgi_stop_case "$d"

lgi_end linegate_initiator
