# shellcheck shell=bash
# Sourced first by every interop script: the libraries, the run's set-up in
# one call, and what every case does with strongSwan in site B.
#   . "${LG_SOURCE_DIR:?}/tests/interop/lib/begin.sh"
#   lgi_begin TAG [COMMAND...]   # exit 77 without strongSwan, linegated or a COMMAND
#   ... cases ...
#   lgi_end NAME                 # the verdict: status 0 when no check failed
. "${LG_SOURCE_DIR:?}/tests/lib/netns.sh"
. "$LG_SOURCE_DIR/tests/interop/lib/strongswan.sh"
. "$LG_SOURCE_DIR/tests/interop/lib/linegate.sh"

lgi_begin() {
	local tag=$1 cmd
	shift
	ss_require
	lgi_require
	for cmd in "$@"; do
		command -v "$cmd" >/dev/null || { echo "SKIP: $cmd missing" >&2; exit 77; }
	done
	lgi_setup "$tag"
}

lgi_end() {
	lg_log "$1: $LGI_FAILS check(s) failed"
	[ "$LGI_FAILS" = 0 ]
}

# strongSwan's end of the standard topology, as ss_start options.
lgi_ss_sites() {
	echo "local_addr=$LGI_UB remote_addr=$LGI_UA local_ts=$LGI_LAN_B remote_ts=$LGI_LAN_A" \
		"local_id=$LGI_ID_B remote_id=$LGI_ID_A"
}

# lgi_ss_auth CASE / lgi_lg_auth CASE: each end's auth options, Ed25519 keys
# (made by lgi_setup) when CASE names ed25519, else the PSK.
lgi_ss_auth() {
	if [[ $1 == *ed25519* ]]; then
		echo "auth=pubkey local_key=$WORK/keys/ss.key.pem local_pub=$WORK/keys/ss.pub.pem" \
			"remote_pub=$WORK/keys/lg.pub.pem"
	else
		echo "auth=psk psk=$LGI_PSK"
	fi
}
lgi_lg_auth() {
	if [[ $1 == *ed25519* ]]; then
		echo "auth=ed25519 key=$WORK/keys/lg.key.pem peer_pub=$WORK/keys/ss.pub.pem"
	else
		echo "auth=psk"
	fi
}

# lgi_negotiated CASE DIR: strongSwan's SAs carry CASE's algorithms, ESP in UDP.
lgi_negotiated() {
	local cs=$1 d=$2 sas
	sas=$(ss_list_sas "$d/ss")
	grep -q "$(lgi_case_ike_seen "$cs")" <<<"$sas" &&
		grep -q "INSTALLED, TUNNEL-in-UDP, ESP:$(lgi_case_esp_seen "$cs")" <<<"$sas" &&
		grep -q "$LGI_UA\[4500\]" <<<"$sas"
}

# lgi_auth_logged CASE DIR: charon authenticated linegate the way CASE says.
lgi_auth_logged() {
	local cs=$1 d=$2 how="pre-shared key"
	[[ $cs == *ed25519* ]] && how="ED25519"
	grep -q "authentication of '$LGI_ID_A' with $how successful" "$d/ss/charon.log"
}

# lgi_stop_case DIR: both daemons of the case in DIR/lg and DIR/ss.
lgi_stop_case() { lgi_stop "$1/lg"; ss_stop "$1/ss"; }

# lgi_rekeys_both NAME DIR [COUNT]: CHILD and IKE rekeys started by
# strongSwan, then by linegate (linegatectl rekey), each awaited, under
# COUNT (default 1200) pings each way at 100 pkt/s, with zero loss.
lgi_rekeys_both() {
	local name=$1 d=$2 old
	lgi_flood_start "$name-rekeys" "${3:-1200}" 0.01
	sleep 1
	old=$(ss_child_spis "$d/ss")
	ss_rekey_child "$d/ss" || lgi_fail "$name: swanctl --rekey --child"
	lgi_check "$name: strongSwan-started CHILD rekey done" \
		lg_wait 10 eval 'n=$(ss_child_spis "$d/ss"); [ -n "$n" ] && [ "$n" != "$old" ]'
	old=$(ss_ike_spis "$d/ss")
	ss_rekey_ike "$d/ss" || lgi_fail "$name: swanctl --rekey --ike"
	lgi_check "$name: strongSwan-started IKE rekey done" \
		lg_wait 10 eval 'n=$(ss_ike_spis "$d/ss"); [ -n "$n" ] && [ "$n" != "$old" ]'
	old=$(ss_child_spis "$d/ss")
	lgi_ctl "$d/lg" rekey gwb --child >/dev/null || lgi_fail "$name: linegatectl rekey --child"
	lgi_check "$name: linegate-started CHILD rekey done" \
		lg_wait 10 eval 'n=$(ss_child_spis "$d/ss"); [ -n "$n" ] && [ "$n" != "$old" ]'
	old=$(ss_ike_spis "$d/ss")
	lgi_ctl "$d/lg" rekey gwb --ike >/dev/null || lgi_fail "$name: linegatectl rekey --ike"
	lgi_check "$name: linegate-started IKE rekey done" \
		lg_wait 10 eval 'n=$(ss_ike_spis "$d/ss"); [ -n "$n" ] && [ "$n" != "$old" ]'
	lgi_check "$name: four rekeys, zero loss at 100 pkt/s both ways" lgi_flood_check "$name-rekeys"
}
