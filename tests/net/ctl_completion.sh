#!/usr/bin/env bash
# bash completion for linegatectl (conf/linegatectl.bash-completion, shipped
# by the package): subcommands, `audit` verbs, and for `up`/`down`/`rekey` the peer
# names of a real running linegated (two peers), asked through the -s socket
# given on the line; nothing when no daemon answers.
set -u
. "$LG_SOURCE_DIR/tests/lib/netns.sh"
lg_ns_init lgn-cmp-
lg_ns_add gw
lg_ns_add pr
lg_link gw up0 10.249.0.1/24 pr p0 10.249.0.2/24
T=$(mktemp -d /tmp/lg-cmp.XXXXXX)
trap 'lg_ns_cleanup; rm -rf "$T"' EXIT
FAILS=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; FAILS=$((FAILS + 1)); fi; }

printf '0x%s\n' "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$T/p.psk"
chmod 600 "$T/p.psk"
peer() {
	cat <<CONF
peer "$1" {
    endpoint $2
    region CN
    uplink u0
    local-id gw.lab.example
    remote-id $1.lab.example
    auth psk
    psk-file "p.psk"
    local-subnets 10.10.0.0/16
    remote-subnets $3
    mode responder
}
CONF
}
{
	cat <<CONF
site "lab" {
    region CN
    identity-domain "lab.example"
    internal-space 10.0.0.0/8
}
uplink "u0" {
    interface up0
}
tunnel {
    device lgcmp0
    address 10.10.0.1/24
}
audit {
    journal-dir "audit"
    retention 180d
}
control {
    socket "control.sock"
    workers 1
}
CONF
	peer beijing 10.249.0.2 10.20.0.0/16
	peer bj-backup 10.249.0.3 10.21.0.0/16
} >"$T/linegate.conf"
chmod 600 "$T/linegate.conf"
lg_ns_bg gw "$LINEGATED" -f -c "$T/linegate.conf" 2>"$T/daemon.log"
lg_wait 60 test -S "$T/control.sock" || { cat "$T/daemon.log"; lg_die "no control socket"; }
mkdir "$T/bin" && ln -s "$LINEGATECTL" "$T/bin/linegatectl"

# complete WORD...: what the completion offers for the last word
complete_words() {
	PATH="$T/bin:$PATH" bash -c '. "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _linegatectl
		echo "${COMPREPLY[*]}"' "$LG_SOURCE_DIR/conf/linegatectl.bash-completion" linegatectl "$@"
}
check "subcommands for 're'" test "$(complete_words re)" = "report reload rekey"
check "report: verify or options" test "$(complete_words report v)" = "verify"
check "report --lang" test "$(complete_words report --lang '')" = "zh en both"
check "every subcommand for ''" test "$(complete_words '')" = "status peers sas flows compliance report show-config reload up down rekey metrics monitor version audit"
check "subcommands for 'm'" test "$(complete_words m)" = "metrics monitor"
check "metrics: --textfile, then a file" bash -c "[ '$(complete_words metrics --t)' = --textfile ] &&
	[ '$(complete_words metrics --textfile "$LG_SOURCE_DIR/conf/linegatectl.bash-compl")' = '$LG_SOURCE_DIR/conf/linegatectl.bash-completion' ]"
check "audit verbs" test "$(complete_words audit '')" = "verify show export"
check "options of audit show" bash -c "[[ '$(complete_words audit show --e)' == '--event' ]]"
check "down: the daemon's peers" test "$(complete_words -s "$T/control.sock" down '')" = "beijing bj-backup"
check "up b: both peers" test "$(complete_words -s "$T/control.sock" up b)" = "beijing bj-backup"
check "up be: beijing" test "$(complete_words --socket "$T/control.sock" up be)" = "beijing"
check "down with a peer already given: --wait" test "$(complete_words -s "$T/control.sock" down beijing '')" = "--wait"
check "down PEER --wait SECONDS: nothing more" test -z "$(complete_words -s "$T/control.sock" down beijing --wait '')"
check "rekey: the daemon's peers" test "$(complete_words -s "$T/control.sock" rekey bj)" = "bj-backup"
check "rekey PEER: --child or --ike" test "$(complete_words -s "$T/control.sock" rekey beijing --)" = "--child --ike"
check "no daemon on the socket: no peers" test -z "$(complete_words -s "$T/nothing.sock" down '')"
echo "ctl_completion: $FAILS failed"
[ "$FAILS" = 0 ]
