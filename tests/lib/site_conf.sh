# shellcheck shell=bash
# Sourced by net tests: one writer of a linegate site config (site, uplink
# u0, tunnel, at most one PSK peer on u0, audit, control), so the many tests
# that each need "a site with one peer" differ only in what they test.
#   . "$LG_SOURCE_DIR/tests/lib/site_conf.sh"
#   lg_site_conf "$T/a/linegate.conf" site=sha dev=lgx0 addr=10.1.0.1/24 \
#       peer=bj endpoint=10.253.0.2 local_id=sh-gw.corp.example remote_id=bj-gw.corp.example \
#       local=10.1.0.0/16 remote=10.2.0.0/16 mode=initiator psk="$psk" peer_extra='dpd 2s'
# Keys (default): site, domain (corp.example), internal (10.0.0.0/8),
# uplink_if (up0), uplink_extra, dev, addr, tunnel_extra, peer (none: no peer
# block), endpoint, peer_region (CN), local_id, remote_id, psk_file
# (peer.psk), local, remote, peer_extra, mode, journal (audit), audit_extra,
# socket (control.sock), control_extra; head (blocks right after site) and
# blocks (after the peer), written as given. In the *_extra keys ";"
# separates lines. psk=HEX also writes psk_file (0x-prefixed, mode 0600)
# next to the config. The directory is created.

# Each ";"-separated item of $1 as an indented line of a block.
_lg_conf_lines() {
	local IFS=';' item
	for item in $1; do
		item=${item#"${item%%[![:space:]]*}"}
		[ -n "$item" ] && printf '    %s\n' "$item"
	done
	return 0
}

lg_site_conf() {
	local file=$1 kv
	shift
	declare -A o=([domain]=corp.example [internal]=10.0.0.0/8 [uplink_if]=up0 [peer_region]=CN
		[psk_file]=peer.psk [journal]=audit [socket]=control.sock [peer]="" [psk]=""
		[uplink_extra]="" [tunnel_extra]="" [peer_extra]="" [audit_extra]="" [control_extra]=""
		[head]="" [blocks]="")
	for kv in "$@"; do
		[[ $kv == *=* ]] || lg_die "lg_site_conf: '$kv' is not key=value"
		o[${kv%%=*}]=${kv#*=}
	done
	for kv in site dev addr; do
		[ -n "${o[$kv]:-}" ] || lg_die "lg_site_conf: $kv= is required"
	done
	if [ -n "${o[peer]}" ]; then
		for kv in endpoint local_id remote_id local remote mode; do
			[ -n "${o[$kv]:-}" ] || lg_die "lg_site_conf: peer needs $kv="
		done
	fi
	mkdir -p "$(dirname "$file")"
	if [ -n "${o[psk]}" ]; then
		(umask 077 && printf '0x%s\n' "${o[psk]}" > "$(dirname "$file")/${o[psk_file]}")
	fi
	{
		printf 'site "%s" {\n    region CN\n    identity-domain "%s"\n    internal-space %s\n}\n' \
			"${o[site]}" "${o[domain]}" "${o[internal]}"
		[ -n "${o[head]}" ] && printf '%s\n' "${o[head]}"
		printf 'uplink "u0" {\n    interface %s\n' "${o[uplink_if]}"
		_lg_conf_lines "${o[uplink_extra]}"
		printf '}\ntunnel {\n    device %s\n    address %s\n' "${o[dev]}" "${o[addr]}"
		_lg_conf_lines "${o[tunnel_extra]}"
		printf '}\n'
		if [ -n "${o[peer]}" ]; then
			printf 'peer "%s" {\n    endpoint %s\n    region %s\n    uplink u0\n' \
				"${o[peer]}" "${o[endpoint]}" "${o[peer_region]}"
			printf '    local-id %s\n    remote-id %s\n    auth psk\n    psk-file "%s"\n' \
				"${o[local_id]}" "${o[remote_id]}" "${o[psk_file]}"
			printf '    local-subnets %s\n    remote-subnets %s\n' "${o[local]}" "${o[remote]}"
			_lg_conf_lines "${o[peer_extra]}"
			printf '    mode %s\n}\n' "${o[mode]}"
		fi
		[ -n "${o[blocks]}" ] && printf '%s\n' "${o[blocks]}"
		printf 'audit {\n    journal-dir "%s"\n' "${o[journal]}"
		_lg_conf_lines "${o[audit_extra]}"
		printf '}\ncontrol {\n    socket "%s"\n' "${o[socket]}"
		_lg_conf_lines "${o[control_extra]}"
		printf '    workers 1\n}\n'
	} > "$file"
}
