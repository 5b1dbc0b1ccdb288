#!/bin/sh
# x509_pki.sh DIR: a test PKI made at test time with openssl(1), nothing
# stored in the tree. DIR/ca holds the trust anchor (root, RSA 3072) and the
# intermediate (ECDSA P-256) as PEM; DIR/crl the CRLs of both (the
# intermediate's lists revoked.crt); DIR/<name>.crt/.key the end entities,
# all issued by the intermediate unless said otherwise:
#   rsa       RSA 2048, SAN DNS:gw-rsa.ib.test, IP:10.211.0.2, email:gw@ib.test
#   pss       RSA-PSS 2048 key (signs RSASSA-PSS only), SAN DNS:gw-pss.ib.test
#   p256      ECDSA P-256, SAN DNS:gw-p256.ib.test
#   p384      ECDSA P-384, SAN DNS:gw-p384.ib.test
#   ed25519   Ed25519, SAN DNS:gw-ed.ib.test
#   revoked   ECDSA P-256, SAN DNS:gw-revoked.ib.test, on the CRL
#   expired   ECDSA P-256, SAN DNS:gw-expired.ib.test, valid 2020-2021
#   nosan     ECDSA P-256, no SAN, subject CN=gw-nosan.ib.test,O=ib
#   rogue     ECDSA P-256, SAN DNS:gw-rsa.ib.test, from a CA nobody trusts
# x509_pki.sh DIR NAME:TYPE:DNS[:ISSUER]... adds end entities (TYPE rsa2048,
# rsa4096, p256, p384, ed25519; subject CN and SAN dNSName DNS) issued by
# ISSUER: intermediate (the default), intermediate2 (an RSA 4096 CA under the
# intermediate, made on first use: DIR/ca/inter2.crt, its CRL in DIR/crl, so
# root -> intermediate -> intermediate2 -> end) or rogue (the untrusted CA).
# Keys are PKCS#8 PEM, mode 0600.
set -eu
D=$1
shift
mkdir -p "$D/ca" "$D/crl" "$D/work/new"
cd "$D/work"
umask 077
: > index.txt
echo 1000 > serial
echo 1000 > crlnumber
cat > ca.cnf <<'EOF'
[ ca ]
default_ca = ca_sect
[ ca_sect ]
dir = .
database = ./index.txt
new_certs_dir = ./new
serial = ./serial
crlnumber = ./crlnumber
default_md = sha256
default_crl_days = 30
policy = any
copy_extensions = copy
unique_subject = no
[ any ]
commonName = supplied
organizationName = optional
[ v3_ca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_ee ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
ca() { openssl ca -batch -config ca.cnf -notext "$@" 2>/dev/null; }
key() {
	case $2 in
	pss) openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null ;;
	rsa*) openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${2#rsa}" -out "$1" 2>/dev/null ;;
	p256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" ;;
	p384) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$1" ;;
	ed25519) openssl genpkey -algorithm ED25519 -out "$1" ;;
	esac
}

# root (self-signed) and intermediate
key root.key rsa3072
openssl req -new -x509 -key root.key -subj "/O=ib/CN=ib test root" -days 3650 \
	-addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" \
	-out "$D/ca/root.crt"
key inter.key p256
openssl req -new -key inter.key -subj "/O=ib/CN=ib test intermediate" -out inter.csr
ca -cert "$D/ca/root.crt" -keyfile root.key -extensions v3_ca -days 1825 -in inter.csr \
	-out "$D/ca/inter.crt"

# end(NAME TYPE SUBJECT SAN [ca options...])
end() {
	n=$1 t=$2 subj=$3 san=$4; shift 4
	key "$D/$n.key" "$t"
	if [ -n "$san" ]; then
		openssl req -new -key "$D/$n.key" -subj "$subj" -addext "subjectAltName=$san" -out "$n.csr"
	else
		openssl req -new -key "$D/$n.key" -subj "$subj" -out "$n.csr"
	fi
	ca -extensions v3_ee -in "$n.csr" -out "$D/$n.crt" "$@"
}
I="-cert $D/ca/inter.crt -keyfile inter.key"
# shellcheck disable=SC2086
end rsa rsa2048 "/O=ib/CN=gw-rsa.ib.test" "DNS:gw-rsa.ib.test,IP:10.211.0.2,email:gw@ib.test" $I -days 365
# shellcheck disable=SC2086
end pss pss "/O=ib/CN=gw-pss.ib.test" "DNS:gw-pss.ib.test" $I -days 365
# shellcheck disable=SC2086
end p256 p256 "/O=ib/CN=gw-p256.ib.test" "DNS:gw-p256.ib.test" $I -days 365
# shellcheck disable=SC2086
end p384 p384 "/O=ib/CN=gw-p384.ib.test" "DNS:gw-p384.ib.test" $I -days 365
# shellcheck disable=SC2086
end ed25519 ed25519 "/O=ib/CN=gw-ed.ib.test" "DNS:gw-ed.ib.test" $I -days 365
# shellcheck disable=SC2086
end revoked p256 "/O=ib/CN=gw-revoked.ib.test" "DNS:gw-revoked.ib.test" $I -days 365
# shellcheck disable=SC2086
end expired p256 "/O=ib/CN=gw-expired.ib.test" "DNS:gw-expired.ib.test" $I \
	-startdate 20200101000000Z -enddate 20210101000000Z
# shellcheck disable=SC2086
end nosan p256 "/O=ib/CN=gw-nosan.ib.test" "" $I -days 365
# shellcheck disable=SC2086
ca $I -revoke "$D/revoked.crt"
# shellcheck disable=SC2086
ca $I -gencrl -out "$D/crl/inter.crl"
# the root's CRL (empty): CRL checking covers every CA of a chain
openssl ca -batch -config ca.cnf -gencrl -cert "$D/ca/root.crt" -keyfile root.key \
	-out "$D/crl/root.crl" 2>/dev/null
# a CA nobody trusts issues a certificate with the RSA gateway's name
key rogue-ca.key p256
openssl req -new -x509 -key rogue-ca.key -subj "/O=ib/CN=ib test root" -days 3650 \
	-addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" \
	-out rogue-ca.crt
end rogue p256 "/O=ib/CN=gw-rsa.ib.test" "DNS:gw-rsa.ib.test" -cert rogue-ca.crt \
	-keyfile rogue-ca.key -days 365

# the caller's end entities
for spec in "$@"; do
	n=${spec%%:*} rest=${spec#*:}
	t=${rest%%:*} rest=${rest#*:}
	dns=${rest%%:*} iss=intermediate
	[ "$rest" = "$dns" ] || iss=${rest#*:}
	case $iss in
	intermediate) opts=$I ;;
	intermediate2)
		if [ ! -f "$D/ca/inter2.crt" ]; then
			key inter2.key rsa4096
			openssl req -new -key inter2.key -subj "/O=ib/CN=ib test intermediate 2" -out inter2.csr
			# shellcheck disable=SC2086
			ca $I -extensions v3_ca -days 1825 -in inter2.csr -out "$D/ca/inter2.crt"
			ca -cert "$D/ca/inter2.crt" -keyfile inter2.key -gencrl -out "$D/crl/inter2.crl"
		fi
		opts="-cert $D/ca/inter2.crt -keyfile inter2.key" ;;
	rogue) opts="-cert rogue-ca.crt -keyfile rogue-ca.key" ;;
	*) echo "x509_pki.sh: unknown issuer '$iss' in '$spec'" >&2; exit 2 ;;
	esac
	# shellcheck disable=SC2086
	end "$n" "$t" "/O=ib/CN=$dns" "DNS:$dns" $opts -days 365
done
chmod 644 "$D"/*.crt "$D"/ca/*.crt "$D"/crl/*.crl
