#!/usr/bin/env bash
# linegated --check-config checks exactly what a start checks on this
# machine: the example passes with its files in a temp tree, in a network
# namespace that has its interfaces; an absent region database, key file,
# interface or source address fails it (file:line:col), as it fails a start.
# --check-config --offline (before deployment) passes the shipped example as
# it is and lists what it could not check. Syntax errors, group-readable key
# files, FIFOs and a cross-border peer on an unlicensed uplink fail with
# file:line:col messages; the report is printed on refusal too.
set -u
[ -x "$LINEGATED" ] || { echo "FAIL: no linegated at $LINEGATED"; exit 1; }
T=$(mktemp -d /tmp/lg-chk.XXXXXX)
trap 'rm -rf "$T"' EXIT
FAILS=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }
# Runs its arguments in a new, empty network namespace with eth0 and eth1
# (veth, the example's interfaces); LG_CHK_ADDR is added to eth1, LG_CHK_DEL removed.
inns() {
	unshare -n bash -c 'ip link add eth0 type veth peer name eth0p &&
		ip link add eth1 type veth peer name eth1p &&
		{ [ -z "${LG_CHK_ADDR:-}" ] || ip addr add "$LG_CHK_ADDR" dev eth1; } &&
		{ [ -z "${LG_CHK_DEL:-}" ] || ip link del "$LG_CHK_DEL"; } && exec "$@"' _ "$@"
}
refuses() { # refuses "what" pattern config
	local out rc
	out=$(inns timeout 20 "$LINEGATED" --check-config "$3" 2>&1); rc=$?
	check "$1: exit non-zero" test "$rc" -ne 0
	check "$1: says '$2'" grep -qE -- "$2" <<<"$out"
	[ "$FAILS" = 0 ] || echo "$out"
}

# The example, with every /etc/linegate path moved into the temp tree.
mkdir -p "$T/keys"
sed "s#/etc/linegate/#$T/#g" "$LG_SOURCE_DIR/conf/linegate.conf.example" > "$T/example.conf"
printf '0x%s\n' "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$T/keys/beijing.psk"
cp "$LG_VECTORS/chacha20poly1305-ed25519/ed25519/gwa.key.pem" "$T/keys/local.key.pem"
cp "$LG_VECTORS/chacha20poly1305-ed25519/ed25519/gwb.pub.pem" "$T/keys/frankfurt-hq.pub.pem"
chmod 600 "$T"/keys/*
mkdir -m 700 "$T/branches"   # the template's key-dir: one key file per branch identity
printf '0x%s\n' "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$T/branches/shop17.branches.corp.example"
chmod 600 "$T/branches/shop17.branches.corp.example"
if ls "$LG_SOURCE_DIR"/conf/regions*.txt >/dev/null 2>&1; then
	cp "$(ls "$LG_SOURCE_DIR"/conf/regions*.txt | head -1)" "$T/regions.txt"
else
	printf '198.51.100.0/24 DE\n203.0.113.0/24 CN\n' > "$T/regions.txt"
fi
out=$(inns "$LINEGATED" --check-config "$T/example.conf" 2>&1); rc=$?
echo "$out" | head -20
check "conf/linegate.conf.example passes --check-config where eth0 and eth1 exist" test "$rc" = 0
check "the OK line names the site" grep -q "OK (site shanghai-branch" <<<"$out"
check "the template and its instance are listed" \
	grep -q "instance branches/shop17.branches.corp.example: identity shop17.branches.corp.example" <<<"$out"
check "a CN site with a region database: no warning about it" \
	bash -c '! grep -q "no region database configured" <<<"$1"' _ "$out"

# What a start needs of this machine: the interfaces, the source address.
ifline=$(grep -n 'interface eth1' "$T/example.conf" | cut -d: -f1)
out=$(LG_CHK_DEL=eth1 inns "$LINEGATED" --check-config "$T/example.conf" 2>&1); rc=$?
check "no eth1 on this machine: --check-config fails (exit $rc)" test "$rc" -ne 0
check "... naming the interface value's line:col" \
	grep -q "example.conf:$ifline:15: uplink \"ctc-circuit\": no interface eth1 on this machine" <<<"$out"
sed 's/^    interface eth1$/    interface eht1/' "$T/example.conf" > "$T/misspelt.conf"
refuses "a misspelt interface" "misspelt.conf:$ifline:15: uplink \"ctc-circuit\": no interface eht1" "$T/misspelt.conf"
out=$(timeout 20 unshare -n "$LINEGATED" -f -c "$T/misspelt.conf" 2>&1); rc=$?
check "a misspelt interface: linegated refuses to start as well (exit $rc)" \
	bash -c "[ $rc != 0 ] && grep -q 'no interface eht1' <<<\"\$1\"" _ "$out"
sed 's/^    # source 192.0.2.10 .*$/    source 192.0.2.10/' "$T/example.conf" > "$T/source.conf"
refuses "a source address not assigned here" "source.conf:[0-9]+:12: uplink \"ctc-circuit\": source address 192.0.2.10 is not assigned" "$T/source.conf"
out=$(LG_CHK_ADDR=192.0.2.10/24 inns "$LINEGATED" --check-config "$T/source.conf" 2>&1); rc=$?
check "the source address assigned: passes (exit $rc)" test "$rc" = 0

# Region database configured but absent: the daemon refuses, so does the check.
sed "s#$T/regions.txt#$T/no-regions.txt#" "$T/example.conf" > "$T/no-db.conf"
refuses "configured region database absent" "no-db.conf: region-db: .*no-regions.txt: cannot open" "$T/no-db.conf"
# No region database configured on a CN site: a warning in the report.
sed '/region-db/d' "$T/example.conf" > "$T/no-db-configured.conf"
out=$(inns "$LINEGATED" --check-config "$T/no-db-configured.conf" 2>&1); rc=$?
check "CN site without region database: passes with a warning in the report (exit $rc)" \
	bash -c "[ $rc = 0 ] && grep -q '^warning: no region database configured .*stricter region wins\" is off' <<<\"\$1\"" _ "$out"

# FIFOs (nobody writes to them) as config, key file and region database:
# refused at once, never waited on.
mkfifo "$T/fifo.conf" "$T/keys/fifo.psk" "$T/fifo-regions.txt"
out=$(timeout $((10 * ${LG_WAIT_SCALE:-3})) "$LINEGATED" --check-config "$T/fifo.conf" 2>&1); rc=$?   # as lg_bound 10
check "a FIFO as config: refused, not hung (exit $rc)" \
	bash -c "[ $rc = 1 ] && grep -q 'fifo.conf: not a regular file (a FIFO)' <<<\"\$1\"" _ "$out"
sed "s#$T/keys/beijing.psk#$T/keys/fifo.psk#" "$T/example.conf" > "$T/fifo-key.conf"
refuses "a FIFO as key file" "fifo-key.conf:[0-9]+:[0-9]+: psk-file .*fifo.psk' is not a regular file \(a FIFO\)" "$T/fifo-key.conf"
sed "s#$T/regions.txt#$T/fifo-regions.txt#" "$T/example.conf" > "$T/fifo-db.conf"
refuses "a FIFO as region database" "fifo-db.conf: region-db: .*fifo-regions.txt: not a regular file" "$T/fifo-db.conf"

# A syntax error: exact position.
sed 's/^    mtu 1400$/    mtu fourteen-hundred/' "$T/example.conf" > "$T/bad-syntax.conf"
line=$(grep -n 'mtu fourteen' "$T/bad-syntax.conf" | cut -d: -f1)
refuses "syntax error" "bad-syntax.conf:$line:[0-9]+: " "$T/bad-syntax.conf"

# The example as shipped, on a machine without its key files and region
# database: the check of this machine fails (a start would); --offline
# (before deployment) passes and lists each thing it could not check.
out=$(inns "$LINEGATED" --check-config "$LG_SOURCE_DIR/conf/linegate.conf.example" 2>&1); rc=$?
check "the shipped example fails --check-config here: its files are absent (exit $rc)" test "$rc" -ne 0
out=$("$LINEGATED" --check-config --offline "$LG_SOURCE_DIR/conf/linegate.conf.example" 2>&1); rc=$?
check "the shipped example passes --check-config --offline (exit $rc)" test "$rc" = 0
check "--offline: an absent key file is listed as not checked, with its line" \
	grep -qE 'linegate.conf.example:[0-9]+:[0-9]+: not checked \(--offline\): .*/etc/linegate/keys/beijing.psk is not on this machine' <<<"$out"
check "--offline: the absent region database is listed as not checked" \
	grep -q 'not checked (--offline): region-db /etc/linegate/regions.txt' <<<"$out"
check "--offline: interfaces are listed as not checked" \
	grep -qE 'linegate.conf.example:[0-9]+:15: not checked \(--offline\): interface eth1 of uplink "ctc-circuit"' <<<"$out"
check "--offline: says it checked without this machine" grep -q -- "--offline: checked without this machine" <<<"$out"
out=$("$LINEGATED" --offline 2>&1); rc=$?
check "--offline alone is a usage error (exit $rc)" test "$rc" = 2

# A missing key file: an error for --check-config and at start (never at
# first use), not checked with --offline. The start runs in a network
# namespace of its own, empty.
sed "s#$T/keys/beijing.psk#$T/keys/nope.psk#" "$T/example.conf" > "$T/missing-key.conf"
refuses "missing key file" "missing-key.conf:[0-9]+:[0-9]+: psk-file .*nope.psk': No such file" "$T/missing-key.conf"
out=$("$LINEGATED" --check-config --offline "$T/missing-key.conf" 2>&1); rc=$?
check "missing key file: --check-config --offline lists it as not checked (exit $rc)" \
	bash -c "[ $rc = 0 ] && grep -q 'not checked (--offline): .*nope.psk' <<<\"\$1\"" _ "$out"
out=$(timeout 20 unshare -n "$LINEGATED" -c "$T/missing-key.conf" 2>&1); rc=$?
check "missing key file: linegated refuses to start (exit $rc)" test "$rc" -ne 0
check "missing key file: the refusal names file:line:col" \
	grep -qE "missing-key.conf:[0-9]+:[0-9]+: .*nope.psk" <<<"$out"

# Secrets readable by others are refused.
cp "$T/keys/beijing.psk" "$T/keys/open.psk"; chmod 644 "$T/keys/open.psk"
sed "s#$T/keys/beijing.psk#$T/keys/open.psk#" "$T/example.conf" > "$T/open-key.conf"
refuses "group/other-readable key" "open-key.conf:[0-9]+:[0-9]+: .*open.psk" "$T/open-key.conf"

# Cross-border peer over the ordinary Internet uplink: the compliance refusal.
sed '/^peer "frankfurt-hq"/,/^}/ s/uplink ctc-circuit .*/uplink internet/' "$T/example.conf" > "$T/xborder.conf"
refuses "cross-border peer on the Internet uplink" "cross_border_no_licensed_uplink" "$T/xborder.conf"
# The refusal points at the offending value (the uplink of frankfurt-hq),
# the report is printed with it, and no position reads file:0.
line=$(grep -n 'uplink internet' "$T/xborder.conf" | sed -n 2p | cut -d: -f1)
col=$(( $(sed -n "${line}p" "$T/xborder.conf" | awk '{ print index($0, "internet") }') ))
out=$(inns "$LINEGATED" --check-config "$T/xborder.conf" 2>&1)
check "compliance error at the uplink value ($line:$col)" \
	grep -qE "xborder.conf:$line:$col: compliance cross_border_no_licensed_uplink" <<<"$out"
check "the report is printed on refusal" grep -q "^frankfurt-hq .*VIOLATION" <<<"$out"
check "the refusal counts its one problem" grep -q "configuration refused (1 problem)" <<<"$out"
check "no file:0: position" bash -c '! grep -qE "\.conf:0(:|$)" <<<"$1"' _ "$out"

# The database overrides the declared region: the refusal says so.
sed '/^peer "beijing"/,/^}/ s/endpoint 203.0.113.7/endpoint 198.51.100.30/' "$T/example.conf" > "$T/db-override.conf"
refuses "database overrides the declaration" \
	"compliance cross_border_no_licensed_uplink: peer \"beijing\" is cross-border \(site CN, peer DE; declared CN, database DE for prefix 198\.51\.100\.0/24, stricter wins\)" \
	"$T/db-override.conf"

# Many violations: every one is counted, the total is right even when the
# text cannot show them all. 60 cross-border peers on the Internet uplink,
# each also with a foreign remote-id and a subnet outside the internal
# space: 180 violations.
cp "$T/xborder.conf" "$T/many.conf"
for i in $(seq 1 60); do
	cat >> "$T/many.conf" <<-EOF
	peer "x$i" {
	    endpoint 198.51.100.$((100 + i)); region DE; uplink internet
	    local-id sh-gw.corp.example; remote-id gw$i.evil.example
	    auth psk; psk-file "$T/keys/beijing.psk"
	    local-subnets 10.1.0.0/16; remote-subnets 192.0.2.$((i * 4))/30
	}
	EOF
done
out=$(inns "$LINEGATED" --check-config "$T/many.conf" 2>&1)
shown=$(grep -c ": compliance " <<<"$out")
more=$(sed -n 's/^\([0-9]*\) more problems not shown$/\1/p' <<<"$out"); more=${more:-0}
total=$(sed -n 's/.*configuration refused (\([0-9]*\) problems)$/\1/p' <<<"$out")
check "181 violations counted (shown $shown + not shown $more = total ${total:-?})" \
	bash -c "[ '${total:-0}' = 181 ] && [ $((shown + more)) = 181 ]"
check "the report's total agrees" grep -q "^181 static violations" <<<"$out"

refuses "no such file" "nonexistent.conf" "$T/nonexistent.conf"
echo "daemon_check_config: $FAILS failed"
[ "$FAILS" = 0 ]
