#!/bin/bash
# Libreswan 4.10 (Debian 12's pluto) as a second, independent IKEv2 peer.
# Debian's libreswan package conflicts with strongSwan's, so the .deb is
# fetched with `apt-get download` (or taken from LGI_LIBRESWAN_DEB) and
# unpacked into the run's work directory; pluto runs from there in gwb with
# its own run directory, NSS database, secrets and ipsec.conf, and a private
# bind mount of the unpacked /usr/libexec (pluto executes
# /usr/libexec/ipsec/addconn by that path). Exits 77 when the package cannot
# be fetched or its libraries are missing.
#
# What it checks, PSK, with aes256-sha256-modp2048 and aes128-sha256-ecp256
# (strongSwan notation; aes256-sha2_256;modp2048 in Libreswan's), both roles:
#   - pluto logs the IKE SA established with linegate's AUTH verified
#     ("authenticated peer using authby=secret and ID_FQDN '@gw-a.lgi.test'")
#     and the proposal's algorithms (cipher, integ, prf, group);
#   - the CHILD SA was negotiated (pluto chose or was given the ESP
#     proposal's AES-CBC + HMAC-SHA2-256-128) and failed only where this
#     kernel fails it: "netlink response for Add SA esp...: Protocol not
#     supported" (the kernel has no ESP; any other failure fails the test);
#   - linegate: as responder it lists the IKE SA established (pluto revives
#     the connection every few seconds, and each new IKE SA replaces the
#     previous one at linegate); as initiator it receives pluto's IKE_AUTH
#     response without a CHILD SA, DELETEs that IKE SA (pluto answers the
#     INFORMATIONAL) and retries with its back-off (reason=no_child_sa);
#   - the control: pluto with a wrong PSK never gets an IKE SA.
# What it cannot check on this kernel: traffic, and rekeys or a DELETE
# started by pluto. Libreswan 4.10 treats the failed CHILD install as fatal
# to the IKE SA and deletes it within ~0.2 s "NOT sending notification", so
# no IKE SA of pluto's lives long enough to be rekeyed or deleted by it.
# Bounded: every wait has a timeout; about a minute and a half.
set -u
. "${LG_SOURCE_DIR:?}/tests/interop/lib/begin.sh"
# checked before the download (lgi_begin checks them again)
ss_require
lgi_require
command -v certutil >/dev/null || { echo "SKIP: certutil missing (apt-get install libnss3-tools)" >&2; exit 77; }

# --- the package, unpacked into a temporary directory
PKG=$(mktemp -d /tmp/lgi-libreswan-pkg.XXXXXX)
deb=${LGI_LIBRESWAN_DEB:-}
if [ -z "$deb" ]; then
	( cd "$PKG" && timeout 120 apt-get download libreswan >/dev/null 2>&1 ) || true
	deb=$(ls "$PKG"/libreswan_*.deb 2>/dev/null | head -1)
fi
[ -f "$deb" ] || { rm -rf "$PKG"; echo "SKIP: cannot fetch the libreswan .deb (apt-get download libreswan)" >&2; exit 77; }
dpkg-deb -x "$deb" "$PKG/root" || { rm -rf "$PKG"; lg_die "dpkg-deb -x $deb"; }
LS=$PKG/root
PLUTO=$LS/usr/libexec/ipsec/pluto WHACK=$LS/usr/libexec/ipsec/whack ADDCONN=$LS/usr/libexec/ipsec/addconn
missing=$(ldd "$PLUTO" 2>/dev/null | sed -n 's/^\s*\(\S*\) => not found/\1/p' | tr '\n' ' ')
if [ -n "$missing" ]; then
	rm -rf "$PKG"; echo "SKIP: pluto needs $missing(apt-get install libldns3 ...)" >&2; exit 77
fi
VERSION=$(dpkg-deb -f "$deb" Version)

lgi_begin l certutil
trap 'rc=$?; lg_ns_cleanup; rm -rf "$PKG"; if [ $rc = 0 ] && [ "${LGI_KEEP:-0}" != 1 ]; then rm -rf "$WORK"; else echo "logs kept in $WORK" >&2; fi; exit $rc' EXIT

# pl_start DIR KEY=VALUE...: pluto in gwb; keys ike esp (Libreswan syntax),
# auto (add|start).
pl_start() {
	local d=$1; shift
	declare -A c=([ike]="aes256-sha2_256;modp2048" [esp]="aes256-sha2_256" [auto]=add)
	local kv
	for kv in "$@"; do c[${kv%%=*}]=${kv#*=}; done
	mkdir -p "$d/run" "$d/nss" "$d/ipsec.d"
	certutil -N -d "sql:$d/nss" --empty-password || lg_die "certutil -N"
	cat > "$d/ipsec.conf" <<EOF
config setup
	logfile=$d/pluto.log
	logappend=no
	plutodebug=none

conn lg
	ikev2=insist
	authby=secret
	left=$LGI_UB
	leftid=@$LGI_ID_B
	leftsubnet=$LGI_LAN_B
	right=$LGI_UA
	rightid=@$LGI_ID_A
	rightsubnet=$LGI_LAN_A
	ike=${c[ike]}
	esp=${c[esp]}
	encapsulation=yes
	fragmentation=yes
	ikelifetime=1h
	salifetime=30m
	rekey=yes
	auto=${c[auto]}
EOF
	( umask 077; printf '@%s @%s : PSK "%s"\n' "$LGI_ID_B" "$LGI_ID_A" "$LGI_PSK" > "$d/ipsec.secrets" )
	ip netns exec "$(lg_ns_name gwb)" timeout -k 3 300 sh -c \
		'mount --bind "$1/usr/libexec" /usr/libexec && shift && exec "$@"' sh "$LS" \
		"$PLUTO" --config "$d/ipsec.conf" --nofork --rundir "$d/run" --dumpdir "$d/run" \
		--nssdir "$d/nss" --secretsfile "$d/ipsec.secrets" --ipsecdir "$d/ipsec.d" \
		--logfile "$d/pluto.log" --no-dnssec </dev/null >"$d/pluto.stdout" 2>&1 &
	echo $! > "$d/pluto.pid"
	LG_PIDS+=("$!")
	lg_wait 10 test -S "$d/run/pluto.ctl" || { tail -20 "$d/pluto.stdout" >&2; lg_die "pluto did not start"; }
	pl_whack "$d" --listen >/dev/null
	lg_ns gwb "$ADDCONN" --config "$d/ipsec.conf" --ctlsocket "$d/run/pluto.ctl" lg \
		>"$d/addconn.log" 2>&1 || { cat "$d/addconn.log" >&2; lg_die "addconn"; }
	lg_log "pluto $VERSION up in gwb"
}
pl_whack() { local d=$1; shift; lg_ns gwb timeout "$(lg_bound 10)" "$WHACK" --ctlsocket "$d/run/pluto.ctl" "$@"; }
pl_stop() {
	local p; p=$(cat "$1/pluto.pid" 2>/dev/null) || return 0
	pl_whack "$1" --shutdown >/dev/null 2>&1
	lg_wait 5 eval '! kill -0 '"$p"' 2>/dev/null' || kill -KILL "$p" 2>/dev/null
	rm -f "$1/pluto.pid"
}
# pluto verified linegate's AUTH and established the IKE SA.
pl_established() { grep -qE '#[0-9]+: (initiator|responder) established IKE SA; authenticated peer using authby=secret and ID_FQDN .@'"$LGI_ID_A" "$1/pluto.log"; }
pl_has() { grep -qE -- "$2" "$1/pluto.log"; }
# Every CHILD install failure is the kernel's missing ESP, and there was one.
pl_child_fails_in_kernel_only() {
	pl_has "$1" 'netlink response for Add SA esp\.[0-9a-f]+@[0-9.]+: Protocol not supported' &&
		! grep -E 'netlink response for Add SA' "$1/pluto.log" | grep -vq 'Protocol not supported'
}
lg_established() { lgi_ctl "$1" sas 2>/dev/null | grep -qi 'established'; }
lg_event() { grep -qE -- "$2" "$1/linegated.log"; }

stop_case() { lgi_stop "$1/lg"; pl_stop "$1/pl"; }

# run_case NAME WHO IKE_SS IKE_LS ALGS ESP_SEEN: WHO initiates (pluto|linegate);
# the IKE proposal in strongSwan notation (linegate) and Libreswan's; what
# pluto logs for the IKE SA's algorithms and for the ESP proposal.
run_case() {
	local name=$1 who=$2 ike=$3 ike_ls=$4 algs=$5 esp_seen=$6 d=$WORK/$1 esp
	esp=$(cut -d- -f1-2 <<<"$ike")
	mkdir -p "$d"
	lgi_capture "$d"
	lg_log "=== case $name: $who initiates (PSK, $ike)"
	if [ "$who" = pluto ]; then
		lgi_conf "$d/lg" mode=responder auth=psk ike="$ike" esp="$esp"
		lgi_start "$d/lg"
		pl_start "$d/pl" ike="$ike_ls" esp="${ike_ls%%;*}"
		pl_whack "$d/pl" --name lg --initiate --asynchronous >/dev/null
	else
		pl_start "$d/pl" ike="$ike_ls" esp="${ike_ls%%;*}"
		lgi_conf "$d/lg" mode=initiator auth=psk ike="$ike" esp="$esp"
		lgi_start "$d/lg"
	fi
	lgi_check "$name: pluto established the IKE SA, linegate's AUTH verified" \
		lg_wait 20 pl_established "$d/pl" || {
		tail -20 "$d/pl/pluto.log" >&2; tail -15 "$d/lg/linegated.log" >&2; stop_case "$d"; return; }
	lgi_check "$name: pluto's IKE SA is $algs" pl_has "$d/pl" "\\{$algs\\}"
	if [ "$who" = pluto ]; then
		lgi_check "$name: linegate lists the IKE SA established" lg_wait 10 lg_established "$d/lg"
	else
		lgi_check "$name: pluto chose linegate's ESP proposal $esp_seen" \
			pl_has "$d/pl" "proposal 1:ESP=$esp_seen-DISABLED SPI=[0-9a-f]+ chosen"
		lgi_check "$name: linegate found no CHILD SA in pluto's IKE_AUTH response, pluto answered its DELETE, it backs off" \
			lg_wait 10 lg_event "$d/lg" 'event=ike_retry peer=gwb reason=no_child_sa'
	fi
	lgi_check "$name: the CHILD SA failed only in pluto's kernel (no ESP here)" \
		lg_wait 10 pl_child_fails_in_kernel_only "$d/pl"
	stop_case "$d"
}

run_case pluto-init-modp2048 pluto aes256-sha256-modp2048 "aes256-sha2_256;modp2048" \
	"cipher=AES_CBC_256 integ=HMAC_SHA2_256_128 prf=HMAC_SHA2_256 group=MODP2048" AES_CBC_256-HMAC_SHA2_256_128
run_case lg-init-modp2048 linegate aes256-sha256-modp2048 "aes256-sha2_256;modp2048" \
	"cipher=AES_CBC_256 integ=HMAC_SHA2_256_128 prf=HMAC_SHA2_256 group=MODP2048" AES_CBC_256-HMAC_SHA2_256_128
run_case pluto-init-ecp256 pluto aes128-sha256-ecp256 "aes128-sha2_256;dh19" \
	"cipher=AES_CBC_128 integ=HMAC_SHA2_256_128 prf=HMAC_SHA2_256 group=DH19" AES_CBC_128-HMAC_SHA2_256_128
run_case lg-init-ecp256 linegate aes128-sha256-ecp256 "aes128-sha2_256;dh19" \
	"cipher=AES_CBC_128 integ=HMAC_SHA2_256_128 prf=HMAC_SHA2_256 group=DH19" AES_CBC_128-HMAC_SHA2_256_128

# --- the control: pluto with another PSK is refused
d=$WORK/wrong-psk
lg_log "=== control: pluto initiates with a wrong PSK"
mkdir -p "$d"
lgi_conf "$d/lg" mode=responder auth=psk ike=aes256-sha256-modp2048 esp=aes256-sha256
lgi_start "$d/lg"
LGI_PSK_SAVED=$LGI_PSK LGI_PSK="not-$LGI_PSK"
pl_start "$d/pl"
LGI_PSK=$LGI_PSK_SAVED
pl_whack "$d/pl" --name lg --initiate --asynchronous >/dev/null
lgi_check "wrong-psk: pluto got linegate's refusal" \
	lg_wait 20 pl_has "$d/pl" 'AUTHENTICATION_FAILED'
lgi_check "wrong-psk: no IKE SA at pluto" eval '! pl_established "$d/pl"'
lgi_check "wrong-psk: no IKE SA at linegate" lgi_no_sas "$d/lg"
stop_case "$d"

lgi_end linegate_libreswan
