# tools/lib/hub-config.sh - sourced: the head-office hub's configuration
# that tools/hub-config-bench.sh loads and tools/ike-bench.sh drives, in
# one place (and its strongSwan twin for ike-bench's reference rows).
#
# Branch i (0 <= i < N):
#   identity   b<i>.branches.corp.example, PSK keys/b<i>.psk ("0x" and i in
#              64 hex digits, mode 0600)
#   endpoint   HUB_BRANCH_BASE + i            (100.64.1.0, 100.64.1.1, ...)
#   subnet     the i-th /24 from HUB_SUBNET_BASE (10.2.0.0/24, 10.2.1.0/24, ...)
# tests/bench/ike_swarm takes the same two bases (-b, -t) and the key dir.
HUB_BRANCH_BASE=100.64.1.0
HUB_SUBNET_BASE=10.2.0.0
HUB_ID=hub.corp.example

# hub_config_write N DIR: DIR/hub.conf (linegated, responder for every
# branch; journal and control socket under DIR) and DIR/keys/.
hub_config_write() {
	local n=$1 dir=$2
	mkdir -p "$dir/keys"
	awk -v n="$n" -v dir="$dir" -v id="$HUB_ID" -v eb="$HUB_BRANCH_BASE" -v sb="$HUB_SUBNET_BASE" '
	function ip2n(a,  p) { split(a, p, "."); return ((p[1] * 256 + p[2]) * 256 + p[3]) * 256 + p[4] }
	function n2ip(x) { return sprintf("%d.%d.%d.%d", int(x / 16777216) % 256, int(x / 65536) % 256,
					  int(x / 256) % 256, x % 256) }
	BEGIN {
		printf "site \"hub\" {\n  region CN\n  identity-domain \"corp.example\"\n" \
		       "  internal-space 10.0.0.0/8\n}\n" \
		       "uplink \"internet\" {\n  interface eth0\n}\n" \
		       "tunnel {\n  address 10.1.0.1/24\n}\n" \
		       "audit {\n  journal-dir \"%s/audit\"\n  retention 180d\n}\n" \
		       "control {\n  socket \"%s/control.sock\"\n}\n" \
		       "defaults {\n  region CN\n  uplink internet\n  local-id %s\n" \
		       "  auth psk\n  local-subnets 10.1.0.0/16\n  mode responder\n" \
		       "  ike-proposals chacha20poly1305-prfsha256-x25519\n" \
		       "  esp-proposals chacha20poly1305\n}\n", dir, dir, id
		e = ip2n(eb); s = ip2n(sb)
		for (i = 0; i < n; i++)
			printf "peer \"b%d\" {\n  endpoint %s\n  remote-id b%d.branches.corp.example\n" \
			       "  psk-file \"keys/b%d.psk\"\n  remote-subnets %s/24\n}\n",
			       i, n2ip(e + i), i, i, n2ip(s + 256 * i)
	}' > "$dir/hub.conf"
	chmod 600 "$dir/hub.conf"
	(cd "$dir/keys" && for ((i = 0; i < n; i++)); do printf '0x%064x\n' "$i" > "b$i.psk"; done &&
		chmod 600 ./*.psk)
}

# hub_swanctl_write N DIR: the same hub as a strongSwan responder
# (DIR/swanctl.conf: one connection for every branch, narrowed to the
# branch's /24, and one PSK per branch identity, the same keys).
hub_swanctl_write() {
	local n=$1 dir=$2
	mkdir -p "$dir"
	{
		cat <<CONF
connections {
  hub {
    version = 2
    proposals = chacha20poly1305-prfsha256-x25519
    encap = no
    mobike = no
    unique = never
    local { auth = psk
            id = $HUB_ID }
    remote { auth = psk
             id = *.branches.corp.example }
    children {
      net {
        local_ts = 10.1.0.0/16
        remote_ts = 10.0.0.0/8
        esp_proposals = chacha20poly1305
      }
    }
  }
}
secrets {
CONF
		awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++)
			printf "  ike-b%d { id = b%d.branches.corp.example\n    secret = 0x%064x }\n", i, i, i }'
		echo "}"
	} > "$dir/swanctl.conf"
	chmod 600 "$dir/swanctl.conf"
}
