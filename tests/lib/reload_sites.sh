# Configuration blocks of the reload tests (daemon_reload,
# daemon_reload_include): a site's head (site, uplink u0 on up0, tunnel
# lgrld0, audit, control) and one PSK peer on u0; what they ask of the
# daemons (uses CTL and T: each site in $T/SITE). Source after netns.sh.
head_blocks() { # DIR NAME TUNADDR
	cat <<CONF
site "$2" {
    region CN
    identity-domain "corp.example"
    internal-space 10.0.0.0/8
}
uplink "u0" {
    interface up0
}
tunnel {
    device lgrld0
    address $3
}
audit {
    journal-dir "audit"
}
control {
    socket "control.sock"
    workers 1
}
CONF
}
peer_block() { # NAME ENDPOINT LOCAL REMOTE LOCALID REMOTEID MODE DPD
	cat <<CONF
peer "$1" {
    endpoint $2
    region CN
    uplink u0
    local-id $5
    remote-id $6
    auth psk
    psk-file "peer.psk"
    local-subnets $3
    remote-subnets $4
    dpd $8
    mode $7
}
CONF
}
ctl() { "$CTL" -s "$T/$1/control.sock" "${@:2}"; }
# "IKE-SPIi/IKE-SPIr CHILD-SPI-in ..." of the IKE SA with peer $2 on site $1
sas_of() {
	ctl "$1" --json sas | python3 -c '
import json, sys
for s in json.load(sys.stdin)["ike_sas"]:
    if s["peer"] == sys.argv[1] and s.get("state") in (None, "established"):
        print(s["spi_i"] + "/" + s["spi_r"], *sorted(str(c["spi_in"]) for c in s["children"]))' "$2"
}
up() { [ -n "$(sas_of "$1" "$2")" ] && [ "$(sas_of "$1" "$2" | wc -w)" -ge 2 ]; }
journal_count() { # SITE EVENT [GREP]
	cat "$T/$1"/audit/audit-*.jsonl 2>/dev/null | grep "\"event\":\"$2\"" | grep -c -- "${3:-}"
}
# for lg_wait, which re-runs a command (a "$(...)" argument is read once)
journal_has() { [ "$(journal_count "$1" "$2" "$3")" -ge "$4" ]; } # SITE EVENT GREP MIN
