#!/usr/bin/env bash
# Two sites joined by hand-keyed (lab-only static) SAs, each a LAN host
# behind a linegated gateway, the gateways on an underlay veth:
#   ha --- gwa ==(underlay, ESP in UDP 4500)== gwb --- hb
# Checks, for an IPv4 and an IPv6 underlay and for both ciphers:
# ping and TCP (IPv4 and IPv6 inner) from host to host; a bulk TCP transfer
# arrives byte for byte (exercises the TSO split and GRO merge); tcpdump on
# the underlay sees only ESP-in-UDP with our SPIs and no plaintext; a packet
# with a spoofed inner source is dropped and counted, outbound at gwa and,
# for a source gwa accepts but gwb does not, inbound at gwb (selectors of
# the SA that authenticated it); routes and TUN device gone after SIGTERM.
set -u
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
lg_ns_init lgn-esp-
[ -x "${LINEGATED:-}" ] || lg_die "no linegated at ${LINEGATED:-}"
[ -x "${LINEGATECTL:-}" ] || lg_die "no linegatectl at ${LINEGATECTL:-}"

T=$(mktemp -d /tmp/lgn-esp.XXXXXX)
chmod 700 "$T"
trap 'lg_ns_cleanup; rm -rf "$T"' EXIT
FAILS=0
check() { if "${@:2}" > /dev/null 2>&1; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }
key() { head -c 36 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

setup_net() {
	lg_ns_add ha; lg_ns_add gwa; lg_ns_add gwb; lg_ns_add hb
	lg_link ha eth0 10.61.1.2/24,fd61:1::2/64,10.61.3.2/24,10.99.9.9/32 \
		gwa lan0 10.61.1.1/24,fd61:1::1/64
	lg_link hb eth0 10.61.2.2/24,fd61:2::2/64 gwb lan0 10.61.2.1/24,fd61:2::1/64
	lg_link gwa ul0 10.60.0.1/24,fd60::1/64 gwb ul0 10.60.0.2/24,fd60::2/64
	lg_ns ha ip route add default via 10.61.1.1
	lg_ns ha ip -6 route add default via fd61:1::1
	lg_ns hb ip route add default via 10.61.2.1
	lg_ns hb ip -6 route add default via fd61:2::1
	# return route for the second LAN of site A (the inbound-selector case)
	lg_ns gwa ip route add 10.61.3.0/24 via 10.61.1.2
}

# write_conf SITE PEER CIPHER SPI_IN SPI_OUT KEY_IN KEY_OUT LOCAL TUNADDR REMOTE
write_conf() {
	local d=$T/$1
	mkdir -p "$d"
	chmod 700 "$d"
	cat > "$d/linegate.conf" <<CONF
site "esp-$1" {
    region CN
    identity-domain "lab.example"
    internal-space 10.0.0.0/8, fd00::/8
}
uplink "u0" {
    interface ul0
}
tunnel {
    device lgesp0
    address $9
    mtu 1400
}
audit {
    journal-dir "$d/audit"
    retention 180d
}
control {
    socket "$d/control.sock"
    socket-mode 0600
}
lab-only yes
static-sa "lab" {
    peer $2
    region CN
    remote-id "gw.lab.example"
    uplink u0
    cipher $3
    spi-in $4
    spi-out $5
    key-in 0x$6
    key-out 0x$7
    local-subnets $8
    remote-subnets ${10}
}
CONF
	chmod 600 "$d/linegate.conf"
}

start() { # SITE
	ip netns exec "$(lg_ns_name "gw$1")" "$LINEGATED" -f -c "$T/$1/linegate.conf" \
		> "$T/$1/daemon.log" 2>&1 &
	LG_PIDS+=("$!")
	eval "PID_$1=$!"
	lg_wait 20 test -S "$T/$1/control.sock" || { echo "--- $1 log"; cat "$T/$1/daemon.log"; lg_die "gw$1 did not start"; }
	lg_wait 10 bash -c "ip -n '$(lg_ns_name "gw$1")' route show dev lgesp0 | grep -q ." || true
}

stop() { # SITE -> exit status
	local pid; pid=$(eval echo "\$PID_$1")
	kill -TERM "$pid" 2>/dev/null
	timeout "$(lg_bound 10)" tail --pid="$pid" -f /dev/null
	wait "$pid"
}

dp_counters() { # SITE -> "udp_rx=N tun_tx=M" (M < N: runs were merged)
	lg_ns "gw$1" "$LINEGATECTL" -s "$T/$1/control.sock" --json status |
		python3 -c 'import json,sys; d=json.load(sys.stdin)["datapath"]; print("udp_rx=%d tun_tx=%d" % (d["udp_rx"], d["tun_tx"]))'
}

drops() { # SITE REASON -> counter from linegatectl --json status
	lg_ns "gw$1" "$LINEGATECTL" -s "$T/$1/control.sock" --json status |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["drops"].get(sys.argv[1], 0))' "$2"
}

# listening NS t|u PORT: a server in NS is bound (wait for it, not a fixed time)
listening() { ip netns exec "$(lg_ns_name "$1")" ss -ln"$2" | grep -q ":$3 "; }

# bulk TCP through the tunnel, verified by SHA-256 at the receiver
tcp_bulk() { # DST_ADDR BYTES
	local port=5301
	lg_ns hb timeout 30 python3 - "$port" > "$T/bulk.out" 2>&1 <<'PY' &
import hashlib, socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", int(sys.argv[1]))); s.listen(1)
c, _ = s.accept(); h = hashlib.sha256(); n = 0
while True:
    b = c.recv(1 << 16)
    if not b: break
    h.update(b); n += len(b)
print(n, h.hexdigest())
PY
	local srv=$!
	lg_wait 10 listening hb t 5301
	local want
	want=$(lg_ns ha timeout 30 python3 - "$1" "$port" "$2" <<'PY'
import hashlib, os, socket, sys
data = os.urandom(int(sys.argv[3]))
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=20)
c.sendall(data); c.close()
print(len(data), hashlib.sha256(data).hexdigest())
PY
)
	wait "$srv"
	[ -n "$want" ] && [ "$want" = "$(cat "$T/bulk.out")" ]
}

# a burst of small UDP datagrams (merged into USO runs at gwb, split again
# when gwb forwards them to hb): most arrive, every one intact. The receiver
# waits for the first datagram as long as the whole bound (the sender's
# interpreter may take seconds to start on a busy machine), then ends after
# 3 s (scaled) without one.
udp_burst() { # DST_ADDR COUNT
	lg_ns hb timeout "$(lg_bound 20)" python3 - "$2" "$(lg_bound 3)" > "$T/udp.out" 2>&1 <<'PY' &
import hashlib, socket, sys
n, idle = int(sys.argv[1]), float(sys.argv[2])
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
s.bind(("::", 5303))
got, bad = set(), 0
try:
    while len(got) < n:
        b, _ = s.recvfrom(2048)
        s.settimeout(idle)
        i = int.from_bytes(b[:4], "big")
        if len(b) != 64 or b[4:] != (hashlib.sha256(b[:4]).digest() * 2)[:60]:
            bad += 1
        else:
            got.add(i)
except socket.timeout:
    pass
print(len(got), bad)
PY
	local srv=$!
	lg_wait 10 listening hb u 5303
	lg_ns ha timeout "$(lg_bound 20)" python3 - "$1" "$2" <<'PY'
import hashlib, socket, sys
dst, n = sys.argv[1], int(sys.argv[2])
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
for i in range(n):
    h = i.to_bytes(4, "big")
    s.sendto(h + (hashlib.sha256(h).digest() * 2)[:60], (dst, 5303))
PY
	wait "$srv"
	local got bad
	read -r got bad < "$T/udp.out"
	echo "udp burst to $1: $got of $2 intact, $bad corrupted; gwb $(dp_counters b)" >&2
	[ "$bad" = 0 ] && [ "$got" -ge $(($2 * 9 / 10)) ]
}

iperf_tcp() { # DST_ADDR -> true if a 2 s iperf3 run moved data
	lg_ns hb timeout 20 iperf3 -s -1 -p 5302 >/dev/null 2>&1 &
	local srv=$!
	lg_wait 10 listening hb t 5302
	lg_ns ha timeout 20 iperf3 -c "$1" -p 5302 -t 2 --json > "$T/iperf.json" 2>/dev/null
	wait "$srv"
	python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["end"]; assert e["sum_received"]["bytes"] > 1e6' "$T/iperf.json"
}

underlay_is_esp() { # "OUTER_A.4500 > OUTER_B.4500: UDP-encap: ESP(spi=SPI_OUT_OF_A": seen; no LAN plaintext
	local cap=$T/ul.txt
	lg_ns gwb timeout 8 tcpdump -l -n -i ul0 -c 20 'udp port 4500 or icmp or icmp6 or tcp' > "$cap" 2>"$cap.err" &
	local td=$!
	lg_wait 10 grep -q "listening on" "$cap.err"
	lg_ping ha 10.61.2.2 -c 5 -i 0.1 -W 1 >/dev/null
	wait "$td"
	grep -qF "$1" "$cap" &&
		! grep -qE '10\.61\.[12]\.2|fd61:' "$cap"
}

no_key_copies() { # SITE KEY_IN_HEX KEY_OUT_HEX
	local pid name out; pid=$(eval echo "\$PID_$1"); name=$(printf 'esp-%s' "$1" | od -An -tx1 | tr -d ' \n')
	out=$(python3 "$LG_SOURCE_DIR/tests/net/mem_scan.py" "$pid" "$name" "$2" "$3" \
		"$(printf '0x%s' "$2" | od -An -tx1 | tr -d ' \n')" "$(printf '0x%s' "$3" | od -An -tx1 | tr -d ' \n')")
	echo "# scan of gw$1 (needle count): $(echo "$out" | awk '{printf "%s ", $2}')" >&2
	echo "$out" | awk 'NR == 1 && $2 == 0 { exit 1 } NR > 1 && $2 != 0 { exit 1 }'
}

refused_at() { # SITE TEXT: --check-config fails and prints TEXT
	local out
	out=$(lg_ns "gw$1" "$LINEGATED" --check-config "$T/$1/linegate.conf" 2>&1) && return 1
	grep -qF "$2" <<< "$out"
}

run_case() { # LABEL OUTER(4|6) CIPHER
	local label=$1 cipher=$3 pa pb oa ob ka kb
	ka=$(key); kb=$(key)
	if [ "$2" = 6 ]; then oa=fd60::1 ob=fd60::2 pa="[fd60::1]:4500" pb="[fd60::2]:4500"
	else oa=10.60.0.1 ob=10.60.0.2 pa=10.60.0.1:4500 pb=10.60.0.2:4500; fi
	# gwa accepts 10.61.3.0/24 as a local source; gwb does not expect it
	write_conf a "$pb" "$cipher" 0x00001001 0x00002001 "$kb" "$ka" \
		"10.61.1.0/24, 10.61.3.0/24, fd61:1::/64" "10.61.0.1/32" "10.61.2.0/24, fd61:2::/64"
	write_conf b "$pa" "$cipher" 0x00002001 0x00001001 "$ka" "$kb" \
		"10.61.2.0/24, fd61:2::/64" "10.61.0.2/32" "10.61.1.0/24, fd61:1::/64"
	start a
	start b
	echo "# $label"
	check "$label: ping IPv4 through the tunnel" lg_ping ha 10.61.2.2 -c 3 -i 0.2 -W 2
	check "$label: ping IPv6 through the tunnel" lg_ping ha fd61:2::2 -c 3 -i 0.2 -W 2
	check "$label: route to the remote LAN is the TUN device" \
		bash -c "ip -n $(lg_ns_name gwa) route get 10.61.2.2 | grep -q 'dev lgesp0'"
	check "$label: TCP IPv4 (iperf3 2 s)" iperf_tcp 10.61.2.2
	check "$label: TCP IPv6 (iperf3 2 s)" iperf_tcp fd61:2::2
	check "$label: 8 MB over TCP IPv4 arrive intact (sha256)" tcp_bulk 10.61.2.2 8000000
	check "$label: 8 MB over TCP IPv6 arrive intact (sha256)" tcp_bulk fd61:2::2 8000000
	local c0; c0=$(dp_counters b)
	check "$label: 400 UDP datagrams IPv4 in a burst: >= 90 % arrive, all intact" udp_burst 10.61.2.2 400
	check "$label: 400 UDP datagrams IPv6 in a burst: >= 90 % arrive, all intact" udp_burst fd61:2::2 400
	echo "# $label: gwb before the UDP bursts $c0, after $(dp_counters b)"
	check "$label: underlay carries ESP-in-UDP (spi 0x00002001), no plaintext" \
		underlay_is_esp "$oa.4500 > $ob.4500: UDP-encap: ESP(spi=0x00002001,"

	# outbound: a source outside gwa's local selectors never leaves gwa
	local before after
	before=$(drops a selector)
	check "$label: spoofed source 10.99.9.9 gets no answer" \
		bash -c "! ip netns exec $(lg_ns_name ha) ping -c 3 -i 0.2 -W 1 -I 10.99.9.9 10.61.2.2 >/dev/null 2>&1"
	after=$(drops a selector)
	check "$label: gwa counted outbound selector drops ($before -> $after)" test "$after" -ge $((before + 3))
	# inbound: gwa encrypts 10.61.3.2 (its selectors allow it), gwb must
	# drop it after decryption: not in the selectors of the authenticating SA
	before=$(drops b selector)
	check "$label: source outside gwb's remote selectors gets no answer" \
		bash -c "! ip netns exec $(lg_ns_name ha) ping -c 3 -i 0.2 -W 1 -I 10.61.3.2 10.61.2.2 >/dev/null 2>&1"
	after=$(drops b selector)
	check "$label: gwb counted inbound selector drops ($before -> $after)" test "$after" -ge $((before + 3))
	check "$label: gwb logged the selector drop" grep -q "event=esp_drop dir=in reason=selector" "$T/b/daemon.log"
	check "$label: good traffic still flows after the drops" lg_ping ha 10.61.2.2 -c 2 -i 0.2 -W 2

	# The keys as written (hex) or parsed (key || salt) are nowhere in gwa's
	# readable memory once its SA is installed, nor after a reload (the
	# control: the site's name, which the config keeps, is found)
	check "$label: gwa holds no copy of its static-SA keys" no_key_copies a "$kb" "$ka"
	check "$label: reload of an unchanged file keeps the SA" \
		lg_ns gwa "$LINEGATECTL" -s "$T/a/control.sock" reload
	check "$label: traffic still flows after the reload (SA not reinstalled)" \
		lg_ping ha 10.61.2.2 -c 2 -i 0.2 -W 2
	check "$label: gwa holds no copy of its static-SA keys after the reload" no_key_copies a "$kb" "$ka"
	chmod 644 "$T/a/linegate.conf"
	check "$label: a 0644 config with static-SA keys is refused at key-in's file:line:col" \
		refused_at a "$T/a/linegate.conf:31:12: key-in of static-sa 'lab' in a file readable by group or others (mode 0644)"
	chmod 600 "$T/a/linegate.conf"

	local rc
	stop a; rc=$?
	check "$label: gwa exits 0 on SIGTERM (got $rc)" test "$rc" = 0
	stop b; rc=$?
	check "$label: gwb exits 0 on SIGTERM (got $rc)" test "$rc" = 0
	check "$label: no sanitizer report" \
		bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' '$T/a/daemon.log' '$T/b/daemon.log'"
	check "$label: gwa TUN device removed" bash -c "! ip -n $(lg_ns_name gwa) link show lgesp0 >/dev/null 2>&1"
	check "$label: gwa route to the remote LAN removed" \
		bash -c "! ip -n $(lg_ns_name gwa) route show | grep -q '10.61.2.0/24'"
	if [ "$FAILS" -gt 0 ]; then
		echo "--- gwa log"; tail -20 "$T/a/daemon.log"; echo "--- gwb log"; tail -20 "$T/b/daemon.log"
	fi
}

setup_net
run_case "outer-v4 chacha" 4 chacha20poly1305
run_case "outer-v6 aesgcm" 6 aes256gcm16
echo "esp_static: $FAILS failed"
[ "$FAILS" = 0 ]
