#!/usr/bin/env bash
# bench-peer.sh - one site of a peer row that tools/bench-peers/peers.sh has no
# row for, run through its `custom` row (tools/bench.sh does that): inside
# the site's namespace, in the row's log directory, with peers.sh's PA_SITE,
# PA_UL_LOCAL, PA_UL_REMOTE, PA_LANNET_LOCAL, PA_LANNET_REMOTE, PA_ROWDIR.
# It stays in the foreground; peers.sh kills its process group at the end.
#
#   bench-peer.sh strongswan-aescbc   charon + kernel-libipsec (ESP in UDP on
#                                     TUN ipsec0), ESP aes256-sha256, as
#                                     peers.sh's strongswan-* rows
#   bench-peer.sh openvpn-aescbc      OpenVPN P2P TLS, --data-ciphers
#                                     AES-256-CBC --auth SHA256, as its
#                                     openvpn-* rows (device pa-ovpn)
set -euo pipefail
: "${PA_SITE:?run through peers.sh custom}" "${PA_ROWDIR:?}"
other=b; [ "$PA_SITE" = a ] || other=a

# wait_file SECS FILE
wait_file() {
	local end=$((SECONDS + $1))
	until [ -e "$2" ]; do
		[ "$SECONDS" -lt "$end" ] || { echo "timed out waiting for $2" >&2; exit 1; }
		sleep 0.2
	done
}

strongswan() {
	local d=$PA_ROWDIR/swan-$PA_SITE pid end
	mkdir -p "$d"
	cat >"$d/strongswan.conf" <<EOF
charon {
    load_modular = no
    # kernel-libipsec before kernel-netlink: the first kernel-ipsec backend registered wins
    load = random nonce openssl pem pkcs1 x509 pubkey curve25519 aes sha1 sha2 hmac kdf kernel-libipsec kernel-netlink socket-default vici
    plugins {
        vici { socket = unix://$d/charon.vici }
    }
    filelog { stderr { default = 1 } }
}
EOF
	cat >"$d/swanctl.conf" <<EOF
connections {
    pa {
        local_addrs = $PA_UL_LOCAL
        remote_addrs = $PA_UL_REMOTE
        encap = yes
        mobike = no
        proposals = aes256-sha256-modp2048
        local { auth = psk
                id = pa-$PA_SITE }
        remote { auth = psk
                 id = pa-$other }
        children {
            net {
                local_ts = $PA_LANNET_LOCAL
                remote_ts = $PA_LANNET_REMOTE
                esp_proposals = aes256-sha256
            }
        }
    }
}
secrets {
    ike-pa { id-a = pa-a
             id-b = pa-b
             secret = 0sbWVhc3VyZS10aGUtYW5jaG9ycy1ub3QtdGhlLWtleQ== }
}
EOF
	# charon's pid file is hard-wired to /var/run/charon.pid: a private /run
	STRONGSWAN_CONF=$d/strongswan.conf unshare -m sh -c \
		'mount -t tmpfs pa-run /run && exec /usr/lib/ipsec/charon' &
	pid=$!
	wait_file 10 "$d/charon.vici"
	SWANCTL_DIR=$d swanctl --load-all --noprompt --file "$d/swanctl.conf" --uri "unix://$d/charon.vici"
	touch "$d/loaded"
	if [ "$PA_SITE" = a ]; then
		wait_file 20 "$PA_ROWDIR/swan-b/loaded"
		end=$((SECONDS + 30))
		until timeout 25 swanctl --initiate --child net --timeout 20 --uri "unix://$d/charon.vici"; do
			[ "$SECONDS" -lt "$end" ] || exit 1
			sleep 1
		done
	fi
	wait "$pid"
}

openvpn_cbc() {
	local role fp
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj "/CN=pa-$PA_SITE" -keyout "ovpn-$PA_SITE.key" -out "ovpn-$PA_SITE.crt.tmp" 2>/dev/null
	mv "ovpn-$PA_SITE.crt.tmp" "ovpn-$PA_SITE.crt"
	wait_file 20 "ovpn-$other.crt"
	fp=$(openssl x509 -in "ovpn-$other.crt" -noout -fingerprint -sha256 | cut -d= -f2)
	if [ "$PA_SITE" = a ]; then role="--tls-server --dh none"; else role="--tls-client"; fi
	# shellcheck disable=SC2086
	exec openvpn --dev pa-ovpn --dev-type tun --proto udp \
		--local "$PA_UL_LOCAL" --lport 1194 --remote "$PA_UL_REMOTE" 1194 $role \
		--cert "ovpn-$PA_SITE.crt" --key "ovpn-$PA_SITE.key" --peer-fingerprint "$fp" \
		--data-ciphers AES-256-CBC --auth SHA256 --disable-dco --allow-compression no \
		--sndbuf 4194304 --rcvbuf 4194304 --txqueuelen 1000 --fast-io \
		--mute-replay-warnings --verb 3
}

case ${1:-} in
strongswan-aescbc) strongswan ;;
openvpn-aescbc) openvpn_cbc ;;
*) echo "usage: $0 strongswan-aescbc|openvpn-aescbc" >&2; exit 2 ;;
esac
