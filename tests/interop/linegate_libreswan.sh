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
# Certificates from tests/lib/x509_pki.sh in pluto's NSS database, both
# roles: RSA 2048 both sides (authby=rsasig), ECDSA (linegate P-384, pluto
# P-256, authby=ecdsa): pluto logs linegate's certificate and signature
# verified, linegate audits auth_success (method certificate) and shows
# pluto's certificate subject in `linegatectl sas`; a certificate from a CA
# linegate does not trust is refused (cert_untrusted, cert_refused).
# Rekeys and DELETE (ike-rekey-delete): linegate, responder, refuses the
# CHILD SA of IKE_AUTH (NO_PROPOSAL_CHOSEN) and keeps the IKE SA, and so
# does pluto; with no CHILD SA the kernel's missing ESP never matters, and
# pluto rekeys the IKE SA, linegate rekeys it, pluto deletes it
# (--deletestate, then --terminate after it revives the connection); each
# seen in linegatectl sas (new SPIs, SA gone) and the audit trail.
# Not possible here: traffic and CHILD SA rekeys. Libreswan 4.10 treats the
# failed CHILD install as fatal to the IKE SA and deletes it within ~0.2 s
# "NOT sending notification".
# LGI_CASES="name ..." runs only those cases. Bounded: every wait has a
# timeout; about two minutes.
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

lgi_begin l certutil pk12util openssl
trap 'rc=$?; lg_ns_cleanup; rm -rf "$PKG"; if [ $rc = 0 ] && [ "${LGI_KEEP:-0}" != 1 ]; then rm -rf "$WORK"; else echo "logs kept in $WORK" >&2; fi; exit $rc' EXIT
# The test PKI (root -> intermediate -> end) with the interop identities:
# linegate RSA 2048 or ECDSA P-384, pluto RSA 2048 or ECDSA P-256, and
# pluto's name from a CA linegate does not trust.
PKI=$WORK/pki
sh "$LG_SOURCE_DIR/tests/lib/x509_pki.sh" "$PKI" lga-rsa:rsa2048:"$LGI_ID_A" lga-p384:p384:"$LGI_ID_A" \
	lgb-rsa:rsa2048:"$LGI_ID_B" lgb-p256:p256:"$LGI_ID_B" lgb-rogue:p256:"$LGI_ID_B":rogue \
	>"$WORK/pki.log" 2>&1 || { cat "$WORK/pki.log" >&2; lg_die "x509_pki.sh"; }
# LGI_CASES="name ..." runs only those cases.
want() { [ -z "${LGI_CASES:-}" ] || [[ " $LGI_CASES " == *" $1 "* ]]; }

# pl_start DIR KEY=VALUE...: pluto in gwb; keys ike esp (Libreswan syntax),
# auto (add|start), auth (secret, or rsasig|ecdsa: certificates, with cert
# naming pluto's end entity of the test PKI, see pl_nss_import).
pl_start() {
	local d=$1; shift
	declare -A c=([ike]="aes256-sha2_256;modp2048" [esp]="aes256-sha2_256" [auto]=add [auth]=secret [cert]="")
	local kv auth="authby=secret"
	for kv in "$@"; do c[${kv%%=*}]=${kv#*=}; done
	mkdir -p "$d/run" "$d/nss" "$d/ipsec.d"
	certutil -N -d "sql:$d/nss" --empty-password || lg_die "certutil -N"
	if [ "${c[auth]}" != secret ]; then
		pl_nss_import "$d" "${c[cert]}"
		auth="authby=${c[auth]}
	leftcert=${c[cert]}
	leftsendcert=always"
	fi
	cat > "$d/ipsec.conf" <<EOF
config setup
	logfile=$d/pluto.log
	logappend=no
	plutodebug=none

conn lg
	ikev2=insist
	$auth
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
# pl_nss_import DIR NAME: the PKI's root (trusted for peers: CT) and
# intermediate, and NAME's certificate and key (PKCS#12, nickname NAME) in
# pluto's NSS database.
pl_nss_import() {
	local d=$1 n=$2 db=sql:$1/nss
	certutil -A -d "$db" -n "lgi root" -t "CT,," -i "$PKI/ca/root.crt" &&
		certutil -A -d "$db" -n "lgi intermediate" -t ",," -i "$PKI/ca/inter.crt" &&
		openssl pkcs12 -export -in "$PKI/$n.crt" -inkey "$PKI/$n.key" -name "$n" -passout pass: \
			-keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1 -out "$d/$n.p12" &&
		pk12util -i "$d/$n.p12" -d "$db" -W '' >/dev/null ||
		lg_die "importing $n into pluto's NSS database"
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
	want "$name" || return 0
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

# --- certificates (auth certificate; pluto authby=rsasig|ecdsa, leftcert)
# pluto verified linegate's certificate (issued by the test intermediate,
# SAN dNSName = linegate's ID) and its RFC 7427 AUTH signature SIG.
pl_cert_established() {
	pl_has "$1" "#[0-9]+: (initiator|responder) established IKE SA; authenticated peer '$2' digital signature using peer certificate '@$LGI_ID_A' issued by CA 'CN=ib test intermediate, O=ib'"
}
# linegate's audit trail has a record matching the extended regex.
lg_audit() { grep -qE -- "$2" "$1"/audit/audit-*.jsonl; }
lg_auth_cert_ok() {
	lg_audit "$1" '"subject":"'"$LGI_ID_B"'","event":"auth_success","object":"gwb","outcome":"success","details":\{"remote":"[0-9.:]+","method":"certificate"\}'
}
lg_shows_cert() { lgi_ctl "$1" sas 2>/dev/null | grep -q "peer certificate O=ib,CN=$LGI_ID_B, expires 20"; }
# The IKE SA's SPIs at linegate (spi_i/spi_r), when exactly one is established.
lg_spis() {
	local out
	out=$(lgi_ctl "$1" sas 2>/dev/null | sed -n 's/^gwb: established .* spi \([0-9a-f]*\/[0-9a-f]*\) .*/\1/p')
	[ -n "$out" ] && [ "$(wc -l <<<"$out")" = 1 ] && echo "$out"
}
# One established IKE SA at linegate whose SPIs are not $2.
lg_spis_changed() { local now; now=$(lg_spis "$1") && [ "$now" != "$2" ]; }
pl_newest_ike() { pl_whack "$1" --status 2>/dev/null | sed -n 's/.*"lg":   newest IKE SA: #\([0-9]*\);.*/\1/p'; }
pl_ike_alive() { pl_whack "$1" --status 2>/dev/null | grep -qE "#$2: \"lg\":[0-9]+ STATE_V2_ESTABLISHED_IKE_SA"; }

# run_cert_case NAME WHO AUTH LGCERT PLCERT SIG: certificates, WHO initiates;
# pluto's authby, linegate's and pluto's end entities, the signature pluto
# logs for linegate's AUTH.
run_cert_case() {
	local name=$1 who=$2 auth=$3 lgc=$4 plc=$5 sig=$6 d=$WORK/$1 mode=initiator
	want "$name" || return 0
	mkdir -p "$d"
	lgi_capture "$d"
	lg_log "=== case $name: $who initiates (certificates: linegate $lgc, pluto $plc)"
	[ "$who" = pluto ] && mode=responder
	lgi_conf "$d/lg" mode=$mode auth=certificate cert="$PKI/$lgc.crt" key="$PKI/$lgc.key" \
		ca_dir="$PKI/ca" ike=aes256-sha256-modp2048 esp=aes256-sha256
	if [ "$who" = pluto ]; then
		lgi_start "$d/lg"
		pl_start "$d/pl" auth="$auth" cert="$plc"
		pl_whack "$d/pl" --name lg --initiate --asynchronous >/dev/null
	else
		pl_start "$d/pl" auth="$auth" cert="$plc"
		lgi_start "$d/lg"
	fi
	lgi_check "$name: pluto verified linegate's certificate chain and its AUTH ($sig)" \
		lg_wait 20 pl_cert_established "$d/pl" "$sig" || {
		tail -20 "$d/pl/pluto.log" >&2; tail -15 "$d/lg/linegated.log" >&2; stop_case "$d"; return; }
	lgi_check "$name: linegate verified pluto's certificate chain and its AUTH (audit auth_success, method certificate)" \
		lg_wait 10 lg_auth_cert_ok "$d/lg"
	if [ "$who" = pluto ]; then
		lgi_check "$name: linegatectl sas shows pluto's certificate subject O=ib,CN=$LGI_ID_B and expiry" \
			lg_wait 10 lg_shows_cert "$d/lg"
	else
		lgi_check "$name: linegate found no CHILD SA in pluto's IKE_AUTH response and backs off" \
			lg_wait 10 lg_event "$d/lg" 'event=ike_retry peer=gwb reason=no_child_sa'
	fi
	lgi_check "$name: the CHILD SA failed only in pluto's kernel (no ESP here)" \
		lg_wait 10 pl_child_fails_in_kernel_only "$d/pl"
	stop_case "$d"
}

run_cert_case cert-rsa-pluto-init pluto rsasig lga-rsa lgb-rsa '2048-bit PKCS#1 1.5 RSA with SHA2_256'
run_cert_case cert-rsa-lg-init linegate rsasig lga-rsa lgb-rsa '2048-bit PKCS#1 1.5 RSA with SHA2_256'
run_cert_case cert-ecdsa-pluto-init pluto ecdsa lga-p384 lgb-p256 'P-384 ECDSA with SHA2_384'
run_cert_case cert-ecdsa-lg-init linegate ecdsa lga-p384 lgb-p256 'P-384 ECDSA with SHA2_384'

# --- the control: pluto's certificate from a CA linegate does not trust
want cert-untrusted-ca && {
	d=$WORK/cert-untrusted-ca
	lg_log "=== control: pluto initiates with a certificate from an untrusted CA"
	mkdir -p "$d"
	lgi_conf "$d/lg" mode=responder auth=certificate cert="$PKI/lga-p384.crt" key="$PKI/lga-p384.key" \
		ca_dir="$PKI/ca" ike=aes256-sha256-modp2048 esp=aes256-sha256
	lgi_start "$d/lg"
	pl_start "$d/pl" auth=ecdsa cert=lgb-rogue
	pl_whack "$d/pl" --name lg --initiate --asynchronous >/dev/null
	lgi_check "cert-untrusted-ca: pluto got linegate's refusal" \
		lg_wait 20 pl_has "$d/pl" 'AUTHENTICATION_FAILED'
	lgi_check "cert-untrusted-ca: linegate refused the chain as cert_untrusted (log and audit auth_failure)" \
		lg_wait 10 eval 'lg_event "$d/lg" "event=cert_auth_failed peer=gwb .*reason=cert_untrusted" &&
			lg_audit "$d/lg" "\"event\":\"auth_failure\".*\"cert_untrusted\""'
	lgi_check "cert-untrusted-ca: linegatectl status counts it (cert_refused)" \
		eval 'lgi_ctl "$d/lg" status | grep -qE "cert_refused[ =:]+[1-9]"'
	lgi_check "cert-untrusted-ca: no IKE SA at pluto" eval '! pl_has "$d/pl" "established IKE SA"'
	lgi_check "cert-untrusted-ca: no IKE SA at linegate" lgi_no_sas "$d/lg"
	stop_case "$d"
}

# --- rekeys and DELETE from pluto. linegate, responder, refuses the CHILD
# SA of IKE_AUTH (pluto proposes only an ESP suite linegate does not
# accept: NO_PROPOSAL_CHOSEN) and keeps the IKE SA (RFC 7296 §1.2, §2.21.2);
# pluto keeps its IKE-only SA too, so nothing goes near the kernel's missing
# ESP and the IKE SA lives: pluto rekeys it, linegate rekeys it, pluto
# deletes it. Certificates (RSA) on both sides.
want ike-rekey-delete && {
	d=$WORK/ike-rekey-delete
	lg_log "=== case ike-rekey-delete: IKE SA without CHILD SA, rekeyed by both, deleted by pluto"
	mkdir -p "$d"
	lgi_capture "$d"
	lgi_conf "$d/lg" mode=responder auth=certificate cert="$PKI/lga-rsa.crt" key="$PKI/lga-rsa.key" \
		ca_dir="$PKI/ca" ike=aes256-sha256-modp2048 esp=aes256-sha256
	lgi_start "$d/lg"
	pl_start "$d/pl" auth=rsasig cert=lgb-rsa esp=aes128-sha2_512
	pl_whack "$d/pl" --name lg --initiate --asynchronous >/dev/null
	ok=1
	lgi_check "ike-rekey-delete: pluto established the IKE SA, linegate refused its CHILD SA (NO_PROPOSAL_CHOSEN)" \
		lg_wait 20 eval 'pl_cert_established "$d/pl" "2048-bit PKCS#1 1.5 RSA with SHA2_256" &&
			pl_has "$d/pl" "IKE_AUTH response rejected Child SA with NO_PROPOSAL_CHOSEN"' || ok=0
	spi0=$(lg_wait 10 lg_spis "$d/lg" && lg_spis "$d/lg")
	lgi_check "ike-rekey-delete: linegate lists the IKE SA established ($spi0), pluto's certificate shown, no CHILD SA" \
		eval '[ -n "$spi0" ] && lg_shows_cert "$d/lg" && lgi_no_child "$d/lg" &&
			lg_audit "$d/lg" "\"event\":\"ike_exchange_failed\".*\"reason\":\"NO_PROPOSAL_CHOSEN\""' || ok=0
	n=$(pl_newest_ike "$d/pl")
	lgi_check "ike-rekey-delete: pluto's IKE SA #$n is established, IKE only" \
		eval '[ -n "$n" ] && pl_ike_alive "$d/pl" "$n" && ! pl_has "$d/pl" "deleting state"' || ok=0
	if [ "$ok" = 1 ]; then
		pl_whack "$d/pl" --name lg --rekey-ike >/dev/null
		lgi_check "ike-rekey-delete: pluto rekeyed its IKE SA #$n" \
			lg_wait 15 pl_has "$d/pl" "#[0-9]+: initiator rekeyed IKE SA #$n "
		lgi_check "ike-rekey-delete: linegate has the new IKE SA (SPIs other than $spi0), the old one gone" \
			lg_wait 15 lg_spis_changed "$d/lg" "$spi0"
		spi1=$(lg_spis "$d/lg")
		lgi_check "ike-rekey-delete: linegate audited the rekey started by the peer ($spi0 -> $spi1)" \
			lg_wait 10 lg_audit "$d/lg" "\"event\":\"ike_sa_rekeyed\".*\"old_spi\":\"${spi0#*/}\",\"new_spi\":\"${spi1#*/}\".*\"started_by\":\"peer\""
		lgi_check "ike-rekey-delete: the new IKE SA still shows pluto's certificate" lg_shows_cert "$d/lg"
		n=$(pl_newest_ike "$d/pl")
		lgi_ctl "$d/lg" rekey gwb --ike >/dev/null
		lgi_check "ike-rekey-delete: linegate rekeyed the IKE SA (SPIs other than $spi1), pluto answered as responder" \
			lg_wait 15 eval 'lg_spis_changed "$d/lg" "$spi1" && pl_has "$d/pl" "#[0-9]+: responder rekeyed IKE SA #$n "'
		spi2=$(lg_spis "$d/lg")
		lgi_check "ike-rekey-delete: linegate audited the rekey it started ($spi1 -> $spi2)" \
			lg_wait 10 lg_audit "$d/lg" "\"event\":\"ike_sa_rekeyed\".*\"started_by\":\"us\""
		n=$(pl_newest_ike "$d/pl")
		lgi_check "ike-rekey-delete: pluto's IKE SA #$n is the one linegate started" \
			eval '[ -n "$n" ] && pl_ike_alive "$d/pl" "$n"'
		pl_whack "$d/pl" --deletestate "$n" >/dev/null
		lgi_check "ike-rekey-delete: pluto deleted IKE SA #$n with a DELETE (whack --deletestate)" \
			lg_wait 10 pl_has "$d/pl" "#$n: deleting state \\(STATE_V2_IKE_SA_DELETE\\)"
		lgi_check "ike-rekey-delete: linegate received the DELETE, removed that IKE SA and audited it (ike_sa_down, deleted_by_peer)" \
			lg_wait 10 eval 'lg_event "$d/lg" "event=ike_sa_removed peer=gwb spi_i=${spi2%/*} spi_r=${spi2#*/} state=established reason=deleted_by_peer" &&
				lgi_lacks_spi "$d/lg" "${spi2#*/}" &&
				lg_audit "$d/lg" "\"event\":\"ike_sa_down\".*\"spi_r\":\"${spi2#*/}\".*\"reason\":\"deleted_by_peer\""'
		# pluto revives a connection it was told to initiate; --terminate
		# (ipsec down) deletes the new IKE SA for good
		lgi_check "ike-rekey-delete: pluto revived the connection, linegate lists the new IKE SA" \
			lg_wait 15 lg_spis_changed "$d/lg" "$spi2"
		spi3=$(lg_spis "$d/lg")
		pl_whack "$d/pl" --name lg --terminate >/dev/null
		lgi_check "ike-rekey-delete: after pluto's --terminate (ipsec down) linegate has no IKE SA, audited (deleted_by_peer)" \
			lg_wait 10 eval 'lgi_no_sas "$d/lg" &&
				lg_audit "$d/lg" "\"event\":\"ike_sa_down\".*\"spi_r\":\"${spi3#*/}\".*\"reason\":\"deleted_by_peer\""'
	else
		tail -20 "$d/pl/pluto.log" >&2; tail -15 "$d/lg/linegated.log" >&2
	fi
	stop_case "$d"
}

# --- the control: pluto with another PSK is refused
want wrong-psk && {
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
}

lgi_end linegate_libreswan
