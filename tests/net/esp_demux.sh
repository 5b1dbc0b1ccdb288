#!/usr/bin/env bash
# What arrives on the uplink sockets and the uplink's link state, against the
# real daemon ($LINEGATED, one lab-only static SA): RFC 3948 demultiplexing on
# 4500 (0xff keepalive ignored, 4 zero bytes = IKE handed to the control
# thread, a runt dropped, unknown SPI dropped as bad_spi), port 500 = IKE
# only; the sockets are bound to the uplink (a datagram to the same address
# via another interface is not received); link down/up of the uplink is
# seen through netlink and reported by linegatectl.
set -u
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
lg_ns_init lgn-dmx-
[ -x "${LINEGATED:-}" ] || lg_die "no linegated at ${LINEGATED:-}"
[ -x "${LINEGATECTL:-}" ] || lg_die "no linegatectl at ${LINEGATECTL:-}"

T=$(mktemp -d /tmp/lgn-dmx.XXXXXX)
chmod 700 "$T"
trap 'lg_ns_cleanup; rm -rf "$T"' EXIT
FAILS=0
check() { if "${@:2}" > /dev/null 2>&1; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }

lg_ns_add gw
lg_ns_add pr
lg_ns_add other
lg_link gw ul0 10.70.0.1/24 pr p0 10.70.0.2/24
# a second link into gw that is not the uplink
lg_link gw x0 10.71.0.1/24 other o0 10.71.0.2/24
lg_ns other ip route add 10.70.0.0/24 via 10.71.0.1

cat > "$T/linegate.conf" <<CONF
site "dmx" {
    region CN
    identity-domain "lab.example"
    internal-space 10.0.0.0/8
}
uplink "u0" {
    interface ul0
}
tunnel {
    device lgdmx0
    address 10.72.0.1/32
    mtu 1400
}
audit {
    journal-dir "$T/audit"
    retention 180d
}
control {
    socket "$T/control.sock"
    workers 2
}
lab-only yes
static-sa "lab" {
    peer 10.70.0.2:4500
    region CN
    remote-id "gw.lab.example"
    uplink u0
    cipher chacha20poly1305
    spi-in 0x00003001
    spi-out 0x00003002
    key-in 0x$(head -c 36 /dev/urandom | od -An -tx1 | tr -d ' \n')
    key-out 0x$(head -c 36 /dev/urandom | od -An -tx1 | tr -d ' \n')
    local-subnets 10.72.1.0/24
    remote-subnets 10.72.2.0/24
}
CONF
chmod 600 "$T/linegate.conf"
ip netns exec "$(lg_ns_name gw)" "$LINEGATED" -f -c "$T/linegate.conf" > "$T/daemon.log" 2>&1 &
PID=$!
LG_PIDS+=("$PID")
lg_wait 20 test -S "$T/control.sock" || { cat "$T/daemon.log"; lg_die "linegated did not start"; }

status() { # python expression on the status JSON d
	lg_ns gw "$LINEGATECTL" -s "$T/control.sock" --json status |
		python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}
send() { # NS DST PORT HEX: one UDP datagram from NS
	lg_ns "$1" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(bytes.fromhex(sys.argv[3]), (sys.argv[1], int(sys.argv[2])))' "$2" "$3" "$4"
}
wait_eq() { # EXPR VALUE: the status value reaches VALUE within 5 s (scaled)
	local end=$((SECONDS + $(lg_bound 5)))
	while [ "$(status "$1")" != "$2" ]; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.2
	done
}

# an IKE header (RFC 7296 §3.1): SPIs, IKE_SA_INIT, no payloads
IKE_HDR=1122334455667788000000000000000021202208000000000000001c
udp0=$(status 'd["datapath"]["udp_rx"]')
ike0=$(status 'd["datapath"]["ike_rx"]')
# inbound drop counters (rx_dropped also counts outbound no_sa: the kernel's
# own IPv6 router solicitations on the TUN have no SA)
drop0=$(status 'd["drops"]["malformed"] + d["drops"]["bad_spi"]')
spi0=$(status 'd["drops"]["bad_spi"]')

send pr 10.70.0.1 4500 ff
check "keepalive 0xff on 4500 is received and ignored (no drop)" \
	wait_eq 'd["datapath"]["udp_rx"]' $((udp0 + 1))
check "... and not counted as a drop" test "$(status 'd["drops"]["malformed"] + d["drops"]["bad_spi"]')" = "$drop0"
check "... and not logged as a drop" bash -c "! grep -q event=datapath_drop '$T/daemon.log'"
check "... and not handed to IKE" test "$(status 'd["datapath"]["ike_rx"]')" = "$ike0"

send pr 10.70.0.1 4500 "00000000${IKE_HDR}"
check "4 zero bytes on 4500: IKE, handed to the control thread" \
	wait_eq 'd["datapath"]["ike_rx"]' $((ike0 + 1))
send pr 10.70.0.1 500 "${IKE_HDR}"
check "port 500: IKE" wait_eq 'd["datapath"]["ike_rx"]' $((ike0 + 2))

rxd=$(status 'd["datapath"]["rx_dropped"]')
runt0=$(status 'd["datapath_drops"]["runt"]')
send pr 10.70.0.1 4500 0102
check "2-byte runt on 4500 dropped and counted" wait_eq 'd["datapath"]["rx_dropped"] >= '"$((rxd + 1))" True
check "... with its reason logged" lg_wait 5 grep -q "event=datapath_drop reason=runt" "$T/daemon.log"
check "... and counted under its name in linegatectl status" \
	wait_eq 'd["datapath_drops"]["runt"] >= '"$((runt0 + 1))" True
send pr 10.70.0.1 4500 "0000beef0000000100112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
check "unknown SPI dropped as bad_spi" wait_eq 'd["drops"]["bad_spi"]' $((spi0 + 1))

# SO_BINDTODEVICE: the same address reached through x0 is not our uplink
udp1=$(status 'd["datapath"]["udp_rx"]')
ike1=$(status 'd["datapath"]["ike_rx"]')
send other 10.70.0.1 4500 ff
send other 10.70.0.1 500 "${IKE_HDR}"
sleep 1
check "datagrams to 4500 via a non-uplink interface are not received" \
	test "$(status 'd["datapath"]["udp_rx"]')" = "$udp1"
check "datagrams to 500 via a non-uplink interface are not received" \
	test "$(status 'd["datapath"]["ike_rx"]')" = "$ike1"

check "uplink u0 reported up" wait_eq 'd["uplinks"][0]["up"]' True
lg_ns gw ip link set ul0 down
check "uplink down seen through netlink" wait_eq 'd["uplinks"][0]["up"]' False
check "uplink down logged" grep -q "event=uplink_link uplink=0 dev=ul0 state=down" "$T/daemon.log"
lg_ns gw ip link set ul0 up
check "uplink up again" wait_eq 'd["uplinks"][0]["up"]' True
# carrier loss on the far side (peer end of the veth down) is down too
lg_ns pr ip link set p0 down
check "carrier loss (peer end down) is down" wait_eq 'd["uplinks"][0]["up"]' False
lg_ns pr ip link set p0 up
check "carrier back" wait_eq 'd["uplinks"][0]["up"]' True

kill -TERM "$PID"
timeout "$(lg_bound 10)" tail --pid="$PID" -f /dev/null
wait "$PID"
check "exit 0 on SIGTERM" test $? = 0
check "no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' '$T/daemon.log'"
check "TUN device removed" bash -c "! ip -n $(lg_ns_name gw) link show lgdmx0"
if [ "$FAILS" -gt 0 ]; then echo "--- daemon log"; tail -30 "$T/daemon.log"; fi
echo "esp_demux: $FAILS failed"
[ "$FAILS" = 0 ]
