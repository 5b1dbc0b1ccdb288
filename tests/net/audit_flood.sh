#!/usr/bin/env bash
# Floods of unauthenticated IKE against the real daemon make a bounded number
# of audit records (issue 10, items 4/5): forged IKE_SA_INIT from the peer's
# address on the wrong uplink (ingress_mismatch), IKE_SA_INIT with a proposal
# nobody accepts (NO_PROPOSAL_CHOSEN), IKE from an unconfigured address in a
# cross-border region (HK by the region database) and junk on port 500.
# The peer is cross-border (DE) on a licensed circuit, so IKE from it must
# arrive on that circuit. Every kind is in the journal as a first record and per-interval summaries
# whose counts add up to what the daemon received; the journal verifies.
set -u
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
lg_ns_init lgn-afl-
lg_ns_add gw
lg_ns_add pr
lg_link gw up0 10.250.0.1/24 pr p0 10.250.0.2/24
lg_link gw up1 10.251.0.1/24 pr p1 10.251.0.2/24
lg_ns pr ip addr add 10.250.0.66/24 dev p0

T=$(mktemp -d /tmp/lg-afl.XXXXXX)
chmod 700 "$T"
trap 'lg_ns_cleanup; [ -n "${LG_KEEP:-}" ] || rm -rf "$T"' EXIT
N=${LG_FLOOD_N:-3000}
FAILS=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }

printf '0x%s\n' "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$T/p.psk"
chmod 600 "$T/p.psk"
printf '10.250.0.64/26 HK\n10.250.0.0/26 DE\n10.251.0.0/24 CN\n' > "$T/regions.txt"
cat > "$T/linegate.conf" <<CONF
site "lab" {
    region CN
    identity-domain "lab.example"
    internal-space 10.0.0.0/8
}
uplink "u0" {
    interface up0
    carrier china-telecom
    circuit-id "CTC-IPLC-SH-0042"
    licensed yes
}
uplink "u1" {
    interface up1
}
tunnel {
    device lgafl0
    address 10.10.0.1/24
}
peer "p" {
    endpoint 10.250.0.2
    region DE
    uplink u0
    local-id gw.lab.example
    remote-id p.lab.example
    auth psk
    psk-file "p.psk"
    local-subnets 10.10.0.0/16
    remote-subnets 10.20.0.0/16
    mode responder
}
compliance {
    region-db "$T/regions.txt"
}
audit {
    journal-dir "audit"
    retention 180d
    checkpoint-interval 5s
}
control {
    socket "run/control.sock"
    workers 1
}
CONF

ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 \
	ip netns exec "$(lg_ns_name gw)" "$LINEGATED" -f -c "$T/linegate.conf" 2> "$T/daemon.log" &
PID=$!
LG_PIDS+=("$PID")
lg_wait 30 test -S "$T/run/control.sock" || { cat "$T/daemon.log"; lg_die "daemon did not start"; }
ctl() { lg_ns gw "$LINEGATECTL" -s "$T/run/control.sock" "$@"; }

# The flood: well-formed IKE_SA_INIT (SA with 3DES only, KE curve25519, Nonce)
# or junk, from a given source, paced so the kernel does not drop them.
flood() { # kind src dst count
	lg_assert_test_target pr "$3"
	lg_ns pr python3 - "$@" <<'PY'
import os, socket, struct, sys, time
kind, src, dst, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def payload(nxt, body):
    return struct.pack("!BBH", nxt, 0, 4 + len(body)) + body
def transform(last, ttype, tid):
    return struct.pack("!BBHBBH", 0 if last else 3, 0, 8, ttype, 0, tid)
def sa_init():
    t = transform(0, 1, 3) + transform(0, 2, 5) + transform(0, 3, 12) + transform(1, 4, 31)
    prop = struct.pack("!BBHBBBB", 0, 0, 8 + len(t), 1, 1, 0, 4) + t
    body = payload(34, prop) + payload(40, struct.pack("!HH", 31, 0) + os.urandom(32)) + \
        payload(0, os.urandom(32))
    hdr = os.urandom(8) + bytes(8) + struct.pack("!BBBBII", 33, 0x20, 34, 0x08, 0, 28 + len(body))
    return hdr + body
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((src, 500))
for i in range(n):
    # junk: an IKE header whose length is not the datagram's
    junk = os.urandom(16) + struct.pack("!BBBBII", 33, 0x20, 34, 0x08, 0, 9999) + bytes(12)
    s.sendto(sa_init() if kind != "junk" else junk, (dst, 500))
    if i % 50 == 49:
        time.sleep(0.01)
PY
}

lg_wait 10 ctl status
BEFORE=$(ctl --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["audit"]["last_seq"])')
START=$SECONDS
flood init 10.250.0.2 10.251.0.1 "$N"     # the peer's address, on the wrong uplink
flood init 10.250.0.2 10.250.0.1 "$N"     # the right uplink, a proposal nobody accepts
flood init 10.250.0.66 10.250.0.1 "$N"    # an unconfigured address, HK: cross-border
flood junk 10.250.0.66 10.250.0.1 "$N"    # not IKE at all
ELAPSED=$((SECONDS - START))
# let the interval end and its summaries be written (checkpoint-interval 5s)
sleep 6
have_summaries() {
	python3 - "$T/audit" <<'PY'
import glob, json, sys
recs = [json.loads(l) for f in sorted(glob.glob(sys.argv[1] + '/audit-*.jsonl')) for l in open(f)]
sys.exit(0 if [r for r in recs if r['details'].get('summary') == 'interval'] else 1)
PY
}
lg_wait 30 have_summaries
kill -TERM "$PID"
wait "$PID"
check "daemon exits 0 after the floods" test $? = 0

python3 - "$T/audit" "$BEFORE" "$N" "$ELAPSED" > "$T/counts" <<'PY'
import glob, json, sys
recs = [json.loads(l) for f in sorted(glob.glob(sys.argv[1] + '/audit-*.jsonl')) for l in open(f)]
before, n, elapsed = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
new = [r for r in recs if r['seq'] > before]
unauth = [r for r in new if r['subject'] == 'unauthenticated']
def total(reason):
    return sum(int(r['details']['count']) for r in unauth
               if r['details']['reason'] == reason and r['details']['summary'] == 'interval')
def kinds(reason):
    return [r for r in unauth if r['details']['reason'] == reason]
print("records", len(new))
print("unauth_records", len(unauth))
for reason in ("ingress_mismatch", "ike_sa_init_NO_PROPOSAL_CHOSEN", "ike_unknown_peer", "ike_malformed"):
    print(reason, len(kinds(reason)), total(reason),
          ",".join(sorted({r['event'] for r in kinds(reason)})),
          ",".join(sorted({r['details'].get('region', '-') for r in kinds(reason)})),
          ",".join(sorted({r['details']['uplink'] + '@' + r['details']['source'] for r in kinds(reason)})))
PY
cat "$T/counts"
field() { awk -v k="$1" '$1 == k {print $'"$2"'}' "$T/counts"; }
# bound: per kind the first record and one summary per 5 s interval of flood
BOUND=$(( (ELAPSED / 5 + 3) ))
for k in ingress_mismatch ike_sa_init_NO_PROPOSAL_CHOSEN ike_unknown_peer ike_malformed; do
	check "$k: in the journal" test "$(field $k 2)" -ge 2
	check "$k: $(field $k 2) records for $N packets (bound $BOUND)" test "$(field $k 2)" -le "$BOUND"
	check "$k: the summaries count at least half of the $N packets ($(field $k 3))" \
		test "$(field $k 3)" -ge $((N / 2))
	check "$k: never more than were sent" test "$(field $k 3)" -le "$N"
done
check "ingress_mismatch: compliance_refused on uplink u1 from 10.250.0.0/24" \
	test "$(field ingress_mismatch 4)/$(field ingress_mismatch 6)" = "compliance_refused/u1@10.250.0.0/24"
check "NO_PROPOSAL_CHOSEN: ike_exchange_failed on u0" \
	test "$(field ike_sa_init_NO_PROPOSAL_CHOSEN 4)/$(field ike_sa_init_NO_PROPOSAL_CHOSEN 6)" = "ike_exchange_failed/u0@10.250.0.0/24"
check "unconfigured address: packets_dropped with the source region HK" \
	test "$(field ike_unknown_peer 4)/$(field ike_unknown_peer 5)" = "packets_dropped/HK"
check "all floods together stay under 60 records ($(field records 2))" test "$(field records 2)" -lt 60
check "the journal verifies" "$LINEGATECTL" audit verify --dir "$T/audit"
grep -q "ERROR: AddressSanitizer\|runtime error" "$T/daemon.log" && { echo "FAIL - sanitizer report"; FAILS=$((FAILS + 1)); }
echo "audit_flood: $FAILS failures"
[ "$FAILS" = 0 ]
