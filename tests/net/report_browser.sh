#!/usr/bin/env bash
# The assessor report in a real browser (issue 14): headless Chromium, run in
# a network namespace that has nothing but lo, renders the report of (a) the
# two-site demo's Shanghai gateway and (b) a five-peer site (one peer
# cross-border over a licensed circuit, one refused) to PNG and PDF, kept in
# the build dir (report-artefacts/). Checked: one SVG node per peer, both
# renderings exist and are not trivial, no URL in src/href/url() of the HTML
# (and the browser could not have fetched one), the signature verifies, and
# one changed byte makes `report verify` fail.
set -u
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
command -v chromium >/dev/null || { echo "SKIP: chromium not installed (tools/bootstrap.sh)" >&2; exit 77; }
python3 -c 'import cryptography' 2>/dev/null || { echo "SKIP: python3-cryptography missing" >&2; exit 77; }
lg_ns_init rpt-
lg_ns_add browser            # lo only: whatever the page asked for could not be fetched
T=$(mktemp -d /tmp/lg-report.XXXXXX)
OUT="$LG_BUILD_DIR/report-artefacts"
mkdir -p "$OUT"
trap 'lg_ns_cleanup; rm -rf "$T"' EXIT
FAILS=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }

# An audit key as the daemon creates it (libsodium layout: seed || public key).
python3 - "$T/audit" <<'PY'
import os, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization as s
d = sys.argv[1]; os.makedirs(d, mode=0o700)
k = Ed25519PrivateKey.generate()
seed = k.private_bytes(s.Encoding.Raw, s.PrivateFormat.Raw, s.NoEncryption())
pk = k.public_key().public_bytes(s.Encoding.Raw, s.PublicFormat.Raw)
fd = os.open(d + "/audit.key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600); os.write(fd, seed + pk); os.close(fd)
open(d + "/audit.pub", "w").write("ed25519 " + pk.hex() + "\n")
PY
cp "$LG_SOURCE_DIR/conf/regions.sample.txt" "$T/regions.txt"
printf '0x%s\n' "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$T/p.psk"
chmod 600 "$T/p.psk"

head_conf() { # SITE
	cat <<CONF
site "$1" {
    region CN
    identity-domain "corp.example"
    internal-space 10.0.0.0/8
}
compliance { region-db "regions.txt" }
uplink "internet" { interface eth0 }
uplink "ctc-circuit" {
    interface eth1
    carrier china-telecom
    circuit-id "中国电信-IPLC-SH-0042"
    licensed yes
    contract-number "沪电信(2026)专线字第0042号"
    carrier-licence "A1.A2-20090001"
}
audit { journal-dir "audit"; security-officer "张伟 <Zhang Wei>"; mlps-level 3 }
control { socket "control.sock" }
CONF
}
peer() { # NAME ENDPOINT REGION UPLINK REMOTE-NET
	cat <<CONF
peer "$1" {
    endpoint $2
    region $3
    uplink $4
    local-id sh-gw.corp.example
    remote-id $1.corp.example
    auth psk
    psk-file "p.psk"
    local-subnets 10.1.0.0/16
    remote-subnets $5
}
CONF
}
# (a) the two-site demo (tools/demo.sh): Shanghai's gateway, Beijing its peer
{ head_conf shanghai; peer beijing 203.0.113.2 CN internet 10.2.0.0/16; } >"$T/demo.conf"
# (b) five peers: three domestic, frankfurt-hq over the licensed circuit,
# munich-direct cross-border over the Internet uplink (refused)
{
	head_conf shanghai-branch
	peer beijing 203.0.113.7 CN internet 10.2.0.0/16
	peer guangzhou 203.0.113.8 CN internet 10.3.0.0/16
	peer chengdu 203.0.113.9 CN internet 10.4.0.0/16
	peer frankfurt-hq 198.51.100.20 DE ctc-circuit 10.100.0.0/16
	peer munich-direct 198.51.100.21 DE internet 10.101.0.0/16
} >"$T/five.conf"

render() { # NAME: report, signature, PNG and PDF of $T/NAME.conf
	local n=$1 html="$OUT/$1.html"
	"$LINEGATECTL" -c "$T/$n.conf" report -o "$html" || return 1
	lg_ns browser timeout "$(lg_bound 120)" chromium --headless --no-sandbox --disable-gpu \
		--user-data-dir="$T/chrome-$n" --no-first-run --window-size=1280,2000 \
		--screenshot="$OUT/$n.png" "file://$html" >"$T/$n-png.log" 2>&1
	lg_ns browser timeout "$(lg_bound 120)" chromium --headless --no-sandbox --disable-gpu \
		--user-data-dir="$T/chrome-$n" --no-first-run --no-pdf-header-footer \
		--print-to-pdf="$OUT/$n.pdf" "file://$html" >"$T/$n-pdf.log" 2>&1
	return 0
}

# The SVG's peer nodes (Graphviz: <g class="node"><title>name</title>) equal the config's peers.
nodes_are_peers() { # HTML CONF
	python3 - "$1" "$2" <<'PY'
import html.parser, re, sys
class P(html.parser.HTMLParser):
    def __init__(s):
        super().__init__(); s.node = False; s.intitle = False; s.titles = []
    def handle_starttag(s, tag, a):
        if tag == "g": s.node = dict(a).get("class") == "node"
        if tag == "title" and s.node: s.intitle = True; s.titles.append("")
    def handle_endtag(s, tag):
        if tag == "title": s.intitle = False; s.node = False
    def handle_data(s, d):
        if s.intitle: s.titles[-1] += d
p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read())
peers = [t for t in p.titles if ":" not in t]
conf = re.findall(r'^peer "([^"]+)"', open(sys.argv[2]).read(), re.M)
print("nodes:", sorted(peers), "config:", sorted(conf))
sys.exit(0 if sorted(peers) == sorted(conf) and len(set(peers)) == len(peers) else 1)
PY
}
no_urls() { ! grep -Eiq '(src|href)[[:space:]]*=|url[[:space:]]*\(|https?:|@import|<link|<script' "$1"; }
big() { [ -s "$1" ] && [ "$(stat -c %s "$1")" -gt "$2" ]; }
is_pdf() { [ "$(head -c 5 "$1")" = "%PDF-" ]; }
png_size() { python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); w,h=struct.unpack(">II",d[16:24]); sys.exit(0 if d[:8]==b"\x89PNG\r\n\x1a\n" and w>=1000 and h>=1000 else 1)' "$1"; }

for n in demo five; do
	check "$n: report written and signed" render "$n"
	check "$n: one SVG node per peer" nodes_are_peers "$OUT/$n.html" "$T/$n.conf"
	check "$n: no URL in the HTML" no_urls "$OUT/$n.html"
	check "$n: PNG rendered (> 20 kB, 1280x2000)" eval 'big "$OUT/$n.png" 20000 && png_size "$OUT/$n.png"'
	check "$n: PDF printed (> 10 kB)" eval 'big "$OUT/$n.pdf" 10000 && is_pdf "$OUT/$n.pdf"'
	check "$n: signature verifies" "$LINEGATECTL" -c "$T/$n.conf" report verify "$OUT/$n.html"
done
check "five: the refusal and the circuit's paperwork are in it" \
	eval 'grep -q cross_border_no_licensed_uplink "$OUT/five.html" && grep -q "A1.A2-20090001" "$OUT/five.html"'
check "five: config text escaped" grep -q '张伟 &lt;Zhang Wei&gt;' "$OUT/five.html"

# One changed byte: verify fails (exit 1), with another file the same.
cp "$OUT/five.html" "$T/tampered.html"
cp "$OUT/five.html.sig" "$T/tampered.html.sig"
python3 - "$T/tampered.html" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read()); i = b.index(b"frankfurt-hq"); b[i] ^= 0x20
open(sys.argv[1], "wb").write(bytes(b))
PY
"$LINEGATECTL" -c "$T/five.conf" report verify "$T/tampered.html" >"$T/verify.out"
rc=$?
check "tampered: report verify exits 1" test "$rc" = 1
check "tampered: says BAD" grep -q "^BAD signature" "$T/verify.out"
"$LINEGATECTL" report verify "$OUT/five.html" --key "$T/audit/audit.pub" >/dev/null
check "verify with --key and no config" test $? = 0
echo "artefacts: $OUT"
[ "$FAILS" = 0 ] || lg_die "$FAILS checks failed"
echo "PASS"
