# Sourced by network tests: namespaces with a per-test prefix, veth links,
# cleanup on exit, and fail-closed guards for anything that sends packets.
#   . "$LG_SOURCE_DIR/tests/lib/netns.sh"
#   lg_ns_init t1-          # prefix; every namespace is named ${prefix}NAME
#   lg_ns_add gwa; lg_link gwa ua 10.99.0.1/24 gwb ub 10.99.0.2/24
#   lg_ns gwa ping -c1 10.99.0.2      # run inside a namespace
#   lg_ping gwa 10.99.0.2             # guarded ping
# Everything created is removed by lg_ns_cleanup (installed as an EXIT trap).
set -u

LG_NS_PREFIX=""
LG_NS_LIST=()
LG_PIDS=()

lg_die() { echo "FAIL: $*" >&2; exit 1; }
lg_log() { echo "[$(date +%T)] $*" >&2; }

lg_ns_init() {
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root" >&2; exit 77; }
	[ -c /dev/net/tun ] || lg_die "/dev/net/tun missing"
	# LG_NS_TAG lets two checkouts run the same test at once without
	# removing each other's namespaces as "stale".
	LG_NS_PREFIX="${LG_NS_TAG:-}$1"
	# Stale namespaces of an aborted earlier run with the same prefix
	for ns in $(ip netns list | awk '{print $1}' | grep "^${LG_NS_PREFIX}" || true); do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
	trap lg_ns_cleanup EXIT
	trap 'exit 130' INT TERM
}

lg_ns_cleanup() {
	local rc=$?
	for pid in "${LG_PIDS[@]:-}"; do
		[ -n "$pid" ] && kill "$pid" 2>/dev/null
	done
	sleep 0.3
	for pid in "${LG_PIDS[@]:-}"; do
		[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	done
	for ns in "${LG_NS_LIST[@]:-}"; do
		[ -n "$ns" ] || continue
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
	return $rc
}

lg_ns_name() { echo "${LG_NS_PREFIX}$1"; }

lg_ns_add() {
	local ns; ns=$(lg_ns_name "$1")
	ip netns add "$ns" || lg_die "cannot create netns $ns"
	LG_NS_LIST+=("$ns")
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 net.ipv6.conf.all.forwarding=1 \
		net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 >/dev/null
}

# lg_link NS_A IF_A ADDR_A[,ADDR6] NS_B IF_B ADDR_B[,ADDR6]   (addresses may be "-")
lg_link() {
	local a b; a=$(lg_ns_name "$1"); b=$(lg_ns_name "$4")
	ip link add "tmp$$a" netns "$a" type veth peer name "tmp$$b" netns "$b" ||
		lg_die "veth $1/$2 - $4/$5"
	ip -n "$a" link set "tmp$$a" name "$2"
	ip -n "$b" link set "tmp$$b" name "$5"
	local addr
	for addr in ${3//,/ }; do [ "$addr" = - ] || ip -n "$a" addr add "$addr" dev "$2" nodad 2>/dev/null || ip -n "$a" addr add "$addr" dev "$2"; done
	for addr in ${6//,/ }; do [ "$addr" = - ] || ip -n "$b" addr add "$addr" dev "$5" nodad 2>/dev/null || ip -n "$b" addr add "$addr" dev "$5"; done
	ip -n "$a" link set "$2" up
	ip -n "$b" link set "$5" up
}

lg_ns() { local ns; ns=$(lg_ns_name "$1"); shift; ip netns exec "$ns" "$@"; }

# Starts a command in a namespace in the background; records its pid.
lg_ns_bg() {
	local ns; ns=$(lg_ns_name "$1"); shift
	ip netns exec "$ns" "$@" &
	LG_PIDS+=("$!")
	echo "$!"
}

# Fail closed: the destination must be reachable inside this test's own
# namespace over a link of that namespace (not the host's, not lo only).
lg_assert_test_target() {
	local ns dst dev; ns=$(lg_ns_name "$1"); dst=$2
	case " ${LG_NS_LIST[*]:-} " in *" $ns "*) ;; *) lg_die "refusing: $ns is not a namespace of this test";; esac
	dev=$(ip -n "$ns" route get "$dst" 2>/dev/null | sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -1)
	[ -n "$dev" ] || lg_die "refusing: no route to $dst inside $ns"
	ip -n "$ns" link show "$dev" >/dev/null 2>&1 || lg_die "refusing: $dev not in $ns"
}

lg_ping() {
	local nsname=$1 dst=$2; shift 2
	lg_assert_test_target "$nsname" "$dst"
	lg_ns "$nsname" ping -q -n "$@" "$dst"
}

# Bounds of waits are multiplied by LG_WAIT_SCALE (default 3): a wait ends
# at the event, so only a failing run pays for the margin, and a busy
# machine (load 10 on 2 cores) does not turn a slow event into a failure.
LG_WAIT_SCALE=${LG_WAIT_SCALE:-3}
lg_bound() { echo $(( $1 * LG_WAIT_SCALE )); }

# Waits until a command succeeds (timeout in seconds, scaled).
lg_wait() {
	local t=$1; shift
	local end=$((SECONDS + $(lg_bound "$t")))
	while ! "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.2
	done
}

# Tests refuse to run in the host namespace (they only touch their own).
lg_assert_not_host() {
	[ "$(readlink /proc/self/ns/net)" != "$(readlink /proc/1/ns/net)" ] || lg_die "refusing to send packets from the host namespace"
}
