#!/bin/bash
# linegate (site A) as IKE responder to strongSwan 5.9 (site B) initiating:
# for ChaCha20-Poly1305 and AES-256-GCM, with PSK and with Ed25519, the tunnel
# comes up with the expected algorithms and LAN hosts ping both ways. Then,
# on one tunnel with short linegate lifetimes (1 minute, the configuration's
# minimum), linegate itself starts the CHILD SA rekey and the IKE SA rekey
# while pings run both ways at 50/s: zero loss, and strongSwan logs the
# requests as received. Finally strongSwan is killed (no DELETE) and
# linegate's liveness check (dpd 2s) must remove the SAs. Last, refusals:
# wrong PSK, no common IKE or ESP proposal, and a KE of the wrong group
# answered with INVALID_KE_PAYLOAD and the retry; and an IKE_SA_INIT sent
# straight to port 4500.
# Bounded: about three minutes; every wait has a timeout. Needs root.
set -u
. "${LG_SOURCE_DIR:?}/tests/interop/lib/begin.sh"
lgi_begin r
CASES=${LGI_CASES:-"chacha-psk aesgcm-psk chacha-ed25519 aesgcm-ed25519
	aes128-sha256-ecp256-psk aes256-sha256-modp2048-psk aes256gcm16-prfsha384-ecp384-psk
	aes256-sha384-ecp384-psk aes128-sha512-modp3072-psk"}
DPD_GIVEUP=${LGI_DPD_GIVEUP:-90}   # seconds linegate may take to declare strongSwan dead

# start_case CASE DIR [linegate conf options]: linegated waiting, then
# strongSwan initiating (ss_start fails if no CHILD SA is installed in 20 s).
start_case() {
	local cs=$1 d=$2
	shift 2
	mkdir -p "$d"
	lgi_capture "$d"
	# shellcheck disable=SC2046
	lgi_conf "$d/lg" mode=responder $(lgi_lg_auth "$cs") ike="$(lgi_case_ike "$cs")" \
		esp="$(lgi_case_esp "$cs")" "$@"
	lgi_start "$d/lg"
	# shellcheck disable=SC2046
	ss_start "$d/ss" gwb role=initiator $(lgi_ss_sites) \
		$(lgi_ss_auth "$cs") ike="$(lgi_case_ike "$cs")" esp="$(lgi_case_esp "$cs")" max_time=240
}

# got_request DIR N(REKEY_SA)|ike: strongSwan parsed a CREATE_CHILD_SA request
# from linegate that rekeys a CHILD SA (REKEY_SA notify) or the IKE SA (KE, no TS).
got_request() {
	local reqs
	reqs=$(grep "parsed CREATE_CHILD_SA request" "$1/ss/charon.log")
	if [ "$2" = ike ]; then
		grep -v TSi <<<"$reqs" | grep -q KE
	else
		grep -qF "$2" <<<"$reqs"
	fi
}

first=${CASES%% *}
for cs in $CASES; do
	d=$WORK/$cs
	lg_log "=== case $cs: strongSwan initiates, linegate responds"
	extra=()
	# the first case also runs the rekey and DPD checks: short lifetimes
	[ "$cs" = "$first" ] && extra=(child_life="${LGI_CHILD_LIFE:-1m}" ike_life="${LGI_IKE_LIFE:-1m}" dpd=2s)
	if ! start_case "$cs" "$d" "${extra[@]}"; then
		lgi_fail "$cs: strongSwan could not bring the tunnel up"
		tail -15 "$d/lg/linegated.log" >&2
		lgi_stop_case "$d"; continue
	fi
	lgi_pass "$cs: CHILD SA installed at strongSwan"
	lgi_check "$cs: linegate authenticated by strongSwan" lgi_auth_logged "$cs" "$d"
	lgi_check "$cs: IKE $(lgi_case_ike_seen "$cs"), ESP $(lgi_case_esp_seen "$cs") in UDP/4500" \
		lgi_negotiated "$cs" "$d" || ss_list_sas "$d/ss" >&2
	lgi_check "$cs: pings both ways through the tunnel" lgi_ping_both 3 || ss_explain "$d/ss" >&2
	if lgi_case_profile "$cs"; then
		# linegate (the responder) rekeys the CHILD and the IKE SA on command
		old_ike=$(ss_ike_spis "$d/ss")
		lgi_flood_start "$cs-rk" 300 0.01
		sleep 1
		lgi_ctl "$d/lg" rekey gwb --child >/dev/null || lgi_fail "$cs: linegatectl rekey --child"
		sleep 1
		lgi_ctl "$d/lg" rekey gwb --ike >/dev/null || lgi_fail "$cs: linegatectl rekey --ike"
		lgi_check "$cs: linegate-started CHILD and IKE rekeys, zero loss at 100 pkt/s" \
			lgi_flood_check "$cs-rk"
		lgi_check "$cs: strongSwan received linegate's IKE SA rekey" got_request "$d" ike
		new_ike=$(ss_ike_spis "$d/ss")
		lgi_check "$cs: IKE SPIs replaced ($old_ike -> $new_ike)" \
			test -n "$new_ike" -a "$old_ike" != "$new_ike"
		lgi_check "$cs: rekeyed IKE SA still in $(lgi_case_ike_seen "$cs")" \
			eval "ss_list_sas '$d/ss' | grep -q '$(lgi_case_ike_seen "$cs")'"
	fi
	if [ "$cs" != "$first" ]; then
		lgi_stop_case "$d"
		continue
	fi

	# --- rekeys started by linegate: both fall 51-57 s after setup (85-95 %
	# of 1 minute); 75 s of traffic at 50/s each way spans them.
	old_child=$(ss_child_spis "$d/ss"); old_ike=$(ss_ike_spis "$d/ss")
	lgi_flood_start "$cs-rekey" 3750 0.02
	lgi_check "$cs: linegate-started rekeys, zero loss at 50 pkt/s both ways for 75 s" \
		lgi_flood_check "$cs-rekey"
	new_child=$(ss_child_spis "$d/ss"); new_ike=$(ss_ike_spis "$d/ss")
	lgi_check "$cs: strongSwan received linegate's CHILD SA rekey" \
		got_request "$d" 'N(REKEY_SA)'
	lgi_check "$cs: strongSwan received linegate's IKE SA rekey" got_request "$d" ike
	lgi_check "$cs: CHILD SPIs replaced ($old_child -> $new_child)" \
		test -n "$new_child" -a "$old_child" != "$new_child" || ss_explain "$d/ss" >&2
	lgi_check "$cs: IKE SPIs replaced by linegate's IKE rekey ($old_ike -> $new_ike)" \
		test -n "$new_ike" -a "$old_ike" != "$new_ike" || ss_explain "$d/ss" >&2
	lgi_check "$cs: tunnel still carries traffic after both rekeys" lgi_ping_both 2

	# --- strongSwan dies without a DELETE: linegate's DPD removes the SAs
	spi=$(ss_child_spis "$d/ss" | head -1); spi=${spi%%/*}
	lgi_check "$cs: linegatectl lists the CHILD SA $spi" lgi_has_spi "$d/lg" "$spi"
	ss_kill "$d/ss"
	t0=$SECONDS
	if lgi_check "$cs: strongSwan killed, linegate's DPD removed the SAs (limit ${DPD_GIVEUP}s)" \
		lg_wait "$DPD_GIVEUP" eval "lgi_lacks_spi '$d/lg' '$spi' && lgi_no_sas '$d/lg'"; then
		lg_log "  DPD gave up after $((SECONDS - t0)) s"
	else
		lgi_ctl "$d/lg" sas >&2
	fi
	lgi_stop_case "$d"
done

# --- refusals and the INVALID_KE_PAYLOAD retry (strongSwan initiating)
# neg_case NAME WANT_UP LOG_REGEX strongSwan-options...: WANT_UP yes|no.
neg_case() {
	local name=$1 want_up=$2 re=$3 d=$WORK/$1 up=no
	shift 3
	mkdir -p "$d"
	lgi_conf "$d/lg" mode=responder auth=psk
	lgi_start "$d/lg"
	# shellcheck disable=SC2046
	ss_start "$d/ss" gwb role=initiator $(lgi_ss_sites) \
		auth=psk psk="$LGI_PSK" esp=chacha20poly1305 max_time=60 "$@" 2>/dev/null && up=yes
	if [ "$want_up" = yes ]; then
		lgi_check "$name: tunnel up" test "$up" = yes &&
			lgi_check "$name: pings both ways" lgi_ping_both 2
	else
		lgi_check "$name: refused, no CHILD SA at strongSwan" test "$up" = no
		if [ "$name" = neg-esp-proposal ]; then
			# RFC 7296 §1.2: the IKE SA may stand without its first CHILD SA
			lgi_check "$name: no CHILD SA at linegate" lgi_no_child "$d/lg"
		else
			lgi_check "$name: no established IKE SA at linegate" lgi_no_sas "$d/lg"
		fi
	fi
	lgi_check "$name: charon.log: $re" grep -qE "$re" "$d/ss/charon.log" || ss_explain "$d/ss" >&2
	lgi_stop_case "$d"
}
lg_log "=== refusals: strongSwan initiates with a wrong PSK / an unknown proposal / ECP-256 first"
neg_case neg-psk no 'received AUTHENTICATION_FAILED notify error' psk=not-the-right-psk
neg_case neg-ike-proposal no 'received NO_PROPOSAL_CHOSEN notify error' \
	ike=aes128gcm16-prfsha256-x25519
neg_case neg-esp-proposal no 'NO_PROPOSAL_CHOSEN' esp=aes128gcm16
# §1.2/§2.7: strongSwan guesses ECP-256, linegate answers INVALID_KE_PAYLOAD
# naming group 31, strongSwan retries with Curve25519.
neg_case invalid-ke yes 'peer didn.t accept DH group ECP_256, it requested CURVE_25519' \
	ike=chacha20poly1305-prfsha256-ecp256-x25519

# --- strongSwan starts directly on UDP 4500 (non-ESP marker from the first
# message on): linegate must answer there
d=$WORK/start-4500
lg_log "=== strongSwan initiates directly on port 4500"
mkdir -p "$d"
lgi_conf "$d/lg" mode=responder auth=psk
lgi_start "$d/lg"
up=no
# shellcheck disable=SC2046
ss_start "$d/ss" gwb role=initiator $(lgi_ss_sites) \
	auth=psk psk="$LGI_PSK" port=4500 max_time=60 && up=yes
lgi_check "start-4500: tunnel up" test "$up" = yes
lgi_check "start-4500: IKE_SA_INIT went 4500 -> 4500" eval \
	"awk '/sending packet:/ {print; exit}' '$d/ss/charon.log' | grep -q '\[4500\] to $LGI_UA\[4500\]'"
lgi_check "start-4500: pings both ways" lgi_ping_both 2
lgi_stop_case "$d"

lgi_end linegate_responder
