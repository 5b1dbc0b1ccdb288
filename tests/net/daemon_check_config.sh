#!/usr/bin/env bash
# linegated --check-config: the shipped example passes, as it is (absent key
# files and region database are warnings) and with them provided in a temp
# tree; syntax errors, group-readable key files and a cross-border peer on an unlicensed uplink
# fail with file:line:col messages; a missing key file stops the daemon at start.
set -u
[ -x "$LINEGATED" ] || { echo "FAIL: no linegated at $LINEGATED"; exit 1; }
T=$(mktemp -d /tmp/lg-chk.XXXXXX)
trap 'rm -rf "$T"' EXIT
FAILS=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }
refuses() { # refuses "what" pattern config
	local out rc
	out=$("$LINEGATED" --check-config "$3" 2>&1); rc=$?
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
if ls "$LG_SOURCE_DIR"/conf/regions*.txt >/dev/null 2>&1; then
	cp "$(ls "$LG_SOURCE_DIR"/conf/regions*.txt | head -1)" "$T/regions.txt"
else
	printf '198.51.100.0/24 DE\n203.0.113.0/24 CN\n' > "$T/regions.txt"
fi
out=$("$LINEGATED" --check-config "$T/example.conf" 2>&1); rc=$?
echo "$out" | head -20
check "conf/linegate.conf.example passes --check-config" test "$rc" = 0
check "the OK line names the site" grep -q "OK (site shanghai-branch" <<<"$out"

# A syntax error: exact position.
sed 's/^    mtu 1400$/    mtu fourteen-hundred/' "$T/example.conf" > "$T/bad-syntax.conf"
line=$(grep -n 'mtu fourteen' "$T/bad-syntax.conf" | cut -d: -f1)
refuses "syntax error" "bad-syntax.conf:$line:[0-9]+: " "$T/bad-syntax.conf"

# The example as shipped, on a machine without its key files and region
# database (a config is often checked before it is deployed): it passes,
# and each absent file is a warning naming its line.
out=$("$LINEGATED" --check-config "$LG_SOURCE_DIR/conf/linegate.conf.example" 2>&1); rc=$?
check "the shipped example passes --check-config as it is (exit $rc)" test "$rc" = 0
check "an absent key file is a warning with its line" \
	grep -qE 'linegate.conf.example:[0-9]+: warning: .*/etc/linegate/keys/beijing.psk is not on this machine' <<<"$out"
check "an absent region database is a warning" grep -q 'warning: region-db /etc/linegate/regions.txt' <<<"$out"

# A missing key file: a warning for --check-config, an error at start (never
# at first use). The start runs in a network namespace of its own, empty.
sed "s#$T/keys/beijing.psk#$T/keys/nope.psk#" "$T/example.conf" > "$T/missing-key.conf"
out=$("$LINEGATED" --check-config "$T/missing-key.conf" 2>&1); rc=$?
check "missing key file: --check-config warns (exit $rc)" \
	bash -c "[ $rc = 0 ] && grep -q 'warning: .*nope.psk' <<<\"\$1\"" _ "$out"
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
out=$("$LINEGATED" --check-config "$T/xborder.conf" 2>&1)
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
out=$("$LINEGATED" --check-config "$T/many.conf" 2>&1)
shown=$(grep -c ": compliance " <<<"$out")
more=$(sed -n 's/^\([0-9]*\) more problems not shown$/\1/p' <<<"$out"); more=${more:-0}
total=$(sed -n 's/.*configuration refused (\([0-9]*\) problems)$/\1/p' <<<"$out")
check "181 violations counted (shown $shown + not shown $more = total ${total:-?})" \
	bash -c "[ '${total:-0}' = 181 ] && [ $((shown + more)) = 181 ]"
check "the report's total agrees" grep -q "^181 static violations" <<<"$out"

refuses "no such file" "nonexistent.conf" "$T/nonexistent.conf"
echo "daemon_check_config: $FAILS failed"
[ "$FAILS" = 0 ]
