# shellcheck shell=bash
# Sourced by the interop tests: one strongSwan charon (5.9.x, Debian) per
# network namespace as the independent IKEv2 peer of linegated.
#   . "$LG_SOURCE_DIR/tests/lib/netns.sh"
#   . "$LG_SOURCE_DIR/tests/interop/lib/strongswan.sh"
#   ss_require                                  # exit 77 (skip) without strongSwan
#   ss_start /tmp/x/ss gwb role=responder local_addr=10.211.0.2 remote_addr=10.211.0.1 \
#            local_ts=10.212.2.0/24 remote_ts=10.212.1.0/24 local_id=gw-b.lgi.test \
#            remote_id=gw-a.lgi.test auth=psk psk=secret ike=... esp=...
#   ss_wait_up DIR 20; ss_rekey_child DIR; ss_terminate DIR; ss_stop DIR
#
# Why it looks like this (all observed with 5.9.8 on Debian 12):
# - The kernel has no ESP here, so ESP is done in user space by kernel-libipsec,
#   which must be loaded before kernel-netlink (the first kernel-ipsec backend
#   wins; kernel-netlink is still needed for routes). libipsec forces UDP
#   encapsulation: charon fakes NAT_DETECTION_SOURCE_IP, so the peer must
#   float to 4500 and use ESP-in-UDP.
# - charon's pid file is hard-wired to /run/charon.pid: each instance runs in
#   the private mount namespace `ip netns exec` gives it, with DIR/run bind
#   mounted over /run. Config via STRONGSWAN_CONF, vici socket per instance.
# - Ed25519 is signed only with RFC 7427 (AUTH method 14) and only when the
#   peer announced SIGNATURE_HASH_ALGORITHMS with Identity.
# - Log level 4 on ike/chd logs every key and the PSK: test use only.
# Everything of an instance lives in its DIR; no state outside it, nothing
# outside the repository is used. PIDs started here are the only ones killed.

SS_CHARON=${SS_CHARON:-/usr/lib/ipsec/charon}
# openssl last: only for what the others lack (ECP groups, used to provoke
# INVALID_KE_PAYLOAD)
SS_PLUGINS="random nonce aes aesni gcm chapoly curve25519 sha1 sha2 hmac kdf pem pkcs1 pkcs8 pubkey x509 kernel-libipsec kernel-netlink socket-default vici openssl"

ss_require() {
	local p
	for p in "$SS_CHARON" /usr/sbin/swanctl /usr/bin/pki; do
		[ -x "$p" ] || { echo "SKIP: $p missing (tools/bootstrap.sh installs strongSwan)" >&2; exit 77; }
	done
	[ -f /usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so ] ||
		{ echo "SKIP: strongSwan kernel-libipsec plugin missing" >&2; exit 77; }
}

# swanctl against the instance in DIR (no namespace needed: unix socket).
ss_swanctl() {
	local dir=$1; shift
	STRONGSWAN_CONF="$dir/strongswan.conf" SWANCTL_DIR="$dir/swanctl" \
		timeout 30 swanctl "$@" --uri "unix://$dir/charon.vici"
}

# ss_gen_ed25519 DIR NAME -> DIR/NAME.key.pem (PKCS#8) and DIR/NAME.pub.pem (SPKI),
# exactly as an administrator would make them with strongSwan's pki.
ss_gen_ed25519() {
	local dir=$1 name=$2
	mkdir -p "$dir"
	# an explicit plugin list keeps pki from probing for a TPM
	printf 'pki {\n\tload = random pem pkcs1 pkcs8 pubkey curve25519 sha2\n}\n' > "$dir/pki.conf"
	( umask 077; STRONGSWAN_CONF="$dir/pki.conf" pki --gen --type ed25519 --outform pem \
		> "$dir/$name.key.pem" ) || lg_die "pki --gen failed"
	STRONGSWAN_CONF="$dir/pki.conf" pki --pub --in "$dir/$name.key.pem" --type priv \
		--outform pem > "$dir/$name.pub.pem" || lg_die "pki --pub failed"
}

ss_charon_pid() {
	local p
	p=$(cat "$1/run/charon.pid" 2>/dev/null || true)
	p=${p//[^0-9]/}
	# only a charon started for this DIR (its environment names our config)
	if [ -n "$p" ] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = charon ] &&
		tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null | grep -qxF "STRONGSWAN_CONF=$1/strongswan.conf"; then
		echo "$p"
	fi
}

# Writes DIR/strongswan.conf and DIR/swanctl/swanctl.conf from key=value options.
_ss_write_conf() {
	local dir=$1
	cat > "$dir/strongswan.conf" <<EOF
charon {
	load_modular = no
	load = $SS_PLUGINS
	port = 500
	port_nat_t = 4500
	retransmit_tries = ${o[retransmit_tries]}
	retransmit_timeout = 1.0
	retransmit_base = 1.4
	fragment_size = ${o[fragment_size]}
	rsa_pss = ${o[rsa_pss]}
	install_virtual_ip = no
	plugins {
		vici { socket = unix://$dir/charon.vici }
		socket-default { use_ipv6 = no }
		kernel-libipsec { allow_peer_ts = no }
	}
	filelog {
		main {
			path = $dir/charon.log
			append = no
			flush_line = yes
			time_format = %H:%M:%S
			ike_name = yes
			default = 1
			ike = ${o[loglevel]}
			chd = ${o[loglevel]}
			cfg = 2
			knl = 1
			net = 2
			enc = 1
		}
	}
	syslog { daemon { default = -1 } auth { default = -1 } }
}
swanctl {
	socket = unix://$dir/charon.vici
	load = random nonce pem pkcs1 pkcs8 x509 pubkey curve25519 sha1 sha2 openssl
}
EOF
	local la ra secrets=""
	mkdir -p "$dir/swanctl"/{private,pubkey,x509,x509ca}
	if [ "${o[auth]}" = psk ]; then
		la="auth = psk"; ra="auth = psk"
		secrets="ike-1 { id-a = ${o[local_id]}
		id-b = ${o[remote_id]}
		secret = \"${o[psk]}\" }"
	elif [ "${o[auth]}" = cert ]; then
		# what an administrator puts in swanctl/: our certificate and key,
		# the CAs (anchors and intermediates) in x509ca
		local f
		cp "${o[local_key]}" "$dir/swanctl/private/local.key.pem"
		chmod 600 "$dir/swanctl/private/local.key.pem"
		cp "${o[local_cert]}" "$dir/swanctl/x509/local.crt.pem"
		for f in ${o[cacerts]//,/ }; do cp "$f" "$dir/swanctl/x509ca/"; done
		la="auth = pubkey
			certs = local.crt.pem"
		ra="auth = pubkey"
	else
		cp "${o[local_key]}" "$dir/swanctl/private/local.key.pem"
		chmod 600 "$dir/swanctl/private/local.key.pem"
		cp "${o[local_pub]}" "$dir/swanctl/pubkey/local.pub.pem"
		cp "${o[remote_pub]}" "$dir/swanctl/pubkey/remote.pub.pem"
		la="auth = pubkey
			pubkeys = local.pub.pem"
		ra="auth = pubkey
			pubkeys = remote.pub.pem"
	fi
	# port=4500: IKE_SA_INIT straight to 4500 (RFC 7296 §2.23); charon adds
	# the non-ESP marker only when neither port is 500, so both are set
	local ports=""
	[ "${o[port]}" != 500 ] && ports="remote_port = ${o[port]}
		local_port = ${o[port]}"
	local child_life=0s
	[ "${o[child_rekey]}" != 0 ] && child_life=$(( o[child_rekey] * 11 / 10 + 1 ))s
	cat > "$dir/swanctl/swanctl.conf" <<EOF
connections {
	${o[conn]} {
		version = 2
		local_addrs = ${o[local_addr]}
		remote_addrs = ${o[remote_addr]}
		proposals = ${o[ike]}
		$ports
		encap = yes
		mobike = no
		fragmentation = ${o[fragmentation]}
		dpd_delay = ${o[dpd]}s
		rekey_time = ${o[ike_rekey]}s
		reauth_time = 0s
		over_time = 10s
		rand_time = 0s
		local {
			$la
			id = ${o[local_id]}
		}
		remote {
			$ra
			id = ${o[remote_id]}
		}
		children {
			${o[conn]}-net {
				mode = tunnel
				local_ts = ${o[local_ts]}
				remote_ts = ${o[remote_ts]}
				esp_proposals = ${o[esp]}
				rekey_time = ${o[child_rekey]}s
				life_time = $child_life
				rand_time = 0s
				start_action = none
				dpd_action = clear
				close_action = none
			}
		}
	}
}
secrets {
	$secrets
}
EOF
	echo "${o[conn]}" > "$dir/conn.name"
}

# ss_start DIR NS key=value...   NS is the short namespace name (netns.sh).
# Keys: role (initiator|responder), local_addr remote_addr local_ts remote_ts
# local_id remote_id, auth (psk|pubkey|cert), psk, local_key local_pub remote_pub
# (PEM files), local_cert cacerts (auth=cert: our certificate, a comma list of
# CA certificates for x509ca; the peer's chain must reach one), ike esp (strongSwan proposals), ike_rekey child_rekey dpd
# (seconds, 0 = off), port (initiator: 500 or 4500), loglevel, max_time
# (charon is killed after it), conn, fragment_size (charon.fragment_size:
# largest IP datagram of an IKE fragment, default 1280 as charon's own) and
# fragmentation (yes|accept|force|no, default yes as swanctl's), rsa_pss
# (charon.rsa_pss: sign with RSASSA-PSS under an RSA key, default no).
# An initiator brings the tunnel up and fails when no CHILD_SA is installed.
ss_start() {
	local dir=$1 ns; ns=$(lg_ns_name "$2"); shift 2
	declare -A o=([role]=responder [auth]=psk [ike]=chacha20poly1305-prfsha256-x25519
		[esp]=chacha20poly1305 [ike_rekey]=0 [child_rekey]=0 [dpd]=0 [loglevel]=4
		[max_time]=300 [conn]=lgi [retransmit_tries]=3 [port]=500 [psk]="" [local_id]="" [remote_id]=""
		[fragment_size]=1280 [fragmentation]=yes [rsa_pss]=no)
	local kv
	for kv in "$@"; do
		[[ $kv == *=* ]] || lg_die "ss_start: '$kv' is not key=value"
		o[${kv%%=*}]=${kv#*=}
	done
	for kv in local_addr remote_addr local_ts remote_ts; do
		[ -n "${o[$kv]:-}" ] || lg_die "ss_start: $kv= is required"
	done
	[ -n "${o[local_id]}" ] || o[local_id]=${o[local_addr]}
	[ -n "${o[remote_id]}" ] || o[remote_id]=${o[remote_addr]}
	case "$dir" in /*) ;; *) lg_die "ss_start: DIR must be absolute";; esac
	[ ${#dir} -lt 80 ] || lg_die "ss_start: DIR too long for a unix socket path"
	rm -rf "$dir/run" "$dir/swanctl" "$dir/charon.vici" "$dir/charon.log"
	mkdir -p "$dir/run"
	_ss_write_conf "$dir"
	# own mount namespace (from ip netns exec) + private /run, bounded in time
	# shellcheck disable=SC2016
	ip netns exec "$ns" /bin/sh -c \
		'mount --bind "$1" /run && exec env STRONGSWAN_CONF="$2" timeout -k 3 "$3" "$4"' \
		sh "$dir/run" "$dir/strongswan.conf" "${o[max_time]}" "$SS_CHARON" \
		</dev/null >"$dir/charon.stdout" 2>&1 &
	LG_PIDS+=("$!")
	echo "$!" > "$dir/wrapper.pid"
	local i
	for i in $(seq 1 100); do
		[ -S "$dir/charon.vici" ] && ss_swanctl "$dir" --stats >/dev/null 2>&1 && break
		kill -0 "$(cat "$dir/wrapper.pid")" 2>/dev/null || break
		sleep 0.1
	done
	ss_swanctl "$dir" --stats >/dev/null 2>&1 || {
		cat "$dir/charon.stdout" >&2; tail -20 "$dir/charon.log" >&2 2>/dev/null
		lg_die "charon did not start in $ns"
	}
	ss_swanctl "$dir" --load-all --noprompt >"$dir/load.log" 2>&1 ||
		{ cat "$dir/load.log" >&2; lg_die "swanctl --load-all failed"; }
	lg_log "strongSwan ${o[role]} up in $ns (charon $(ss_charon_pid "$dir"), ${o[ike]} / ${o[esp]}, ${o[auth]})"
	if [ "${o[role]}" = initiator ]; then
		ss_initiate "$dir" 20 || return 1
	fi
	return 0
}

ss_conn() { cat "$1/conn.name"; }

# ss_initiate DIR TIMEOUT: CHILD_SA (with its IKE SA) from strongSwan's side.
ss_initiate() {
	local dir=$1 t=${2:-20}
	if ! ss_swanctl "$dir" --initiate --child "$(ss_conn "$dir")-net" --timeout "$t" \
		>"$dir/initiate.log" 2>&1; then
		lg_log "strongSwan initiate failed; charon.log says:"
		ss_explain "$dir" >&2
		return 1
	fi
	ss_wait_up "$dir" 5
}

# True while a CHILD_SA of this instance is INSTALLED.
ss_is_up() { ss_swanctl "$1" --list-sas 2>/dev/null | grep -q INSTALLED; }
ss_is_down() { ss_swanctl "$1" --list-sas >/dev/null 2>&1 && ! ss_is_up "$1"; }
ss_wait_up() { lg_wait "${2:-20}" ss_is_up "$1"; }
# True while no IKE SA exists at all.
ss_no_sas() { ! ss_swanctl "$1" --list-sas 2>/dev/null | grep -q 'ESTABLISHED\|CONNECTING\|REKEY\|DELETING'; }
ss_wait_down() { lg_wait "${2:-20}" ss_no_sas "$1"; }

ss_list_sas() { ss_swanctl "$1" --list-sas; }
# The installed CHILD SAs' SPIs, one "in/out" per line.
ss_child_spis() {
	ss_swanctl "$1" --list-sas 2>/dev/null | awk '/INSTALLED/ {f=1}
		f && /^ +in +[0-9a-f]+,/ {i=$2; sub(",", "", i)}
		f && /^ +out +[0-9a-f]+,/ {o=$2; sub(",", "", o); print i "/" o; f=0}'
}
# The IKE SA SPIs "spi_i_spi_r" of the ESTABLISHED IKE SA(s).
ss_ike_spis() {
	ss_swanctl "$1" --list-sas 2>/dev/null | sed -n 's/.*ESTABLISHED, IKEv2, \([0-9a-f]*_i[*]\?\) \([0-9a-f]*_r[*]\?\).*/\1 \2/p'
}

ss_rekey_child() { ss_swanctl "$1" --rekey --child "$(ss_conn "$1")-net" >/dev/null; }
ss_rekey_ike() { ss_swanctl "$1" --rekey --ike "$(ss_conn "$1")" >/dev/null; }
# Sends the INFORMATIONAL DELETE of the IKE SA (and so of its CHILD SAs).
ss_terminate() { ss_swanctl "$1" --terminate --ike "$(ss_conn "$1")" --timeout 10 >/dev/null; }

# Abrupt death (no DELETE): what a crashed or unplugged peer looks like.
ss_kill() {
	local p; p=$(ss_charon_pid "$1")
	[ -n "$p" ] && kill -KILL "$p" 2>/dev/null
	local i; for i in $(seq 1 30); do kill -0 "$(cat "$1/wrapper.pid")" 2>/dev/null || break; sleep 0.1; done
	return 0
}

ss_stop() {
	local dir=$1 p i
	p=$(ss_charon_pid "$dir")
	if [ -n "$p" ]; then
		kill -TERM "$p" 2>/dev/null
		for i in $(seq 1 40); do [ -d "/proc/$p" ] || break; sleep 0.1; done
		[ -d "/proc/$p" ] && kill -KILL "$p" 2>/dev/null
	fi
	p=$(cat "$dir/wrapper.pid" 2>/dev/null || true)
	if [ -n "$p" ]; then
		for i in $(seq 1 20); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$p" 2>/dev/null && kill -TERM "$p" 2>/dev/null
	fi
	rm -f "$dir/wrapper.pid"
	return 0
}

# The charon log lines that usually explain a failure (errors, notifies
# received/sent, proposal and authentication outcomes).
ss_explain() {
	grep -E 'failed|error|invalid|not supported|no proposal|NO_PROPOSAL|AUTHENTICATION_FAILED|TS_UNACCEPTABLE|INVALID_|received .*N\(|parsed .*N\(|retransmit|giving up|deleting|unable|no matching|verification|selected proposal|peer supports|authentication of' \
		"$1/charon.log" 2>/dev/null | grep -v -E 'SKEYSEED|Sk_|secret|octets|=> [0-9]+ bytes' | tail -"${2:-25}"
}
