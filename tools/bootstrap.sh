#!/usr/bin/env bash
# Installs every Debian 12 package that linegate's build, tests and demo
# need. Idempotent: asks apt only for what is missing, and says nothing when
# everything is already there.
set -euo pipefail

PACKAGES=(
	# build
	build-essential cmake pkg-config libsodium-dev libevent-dev libnl-3-dev
	libnl-route-3-dev libnl-idiag-3-dev check libsubunit-dev nettle-dev libjansson-dev libsystemd-dev
	# the assessor report's topology (libgvc/libcgraph, src/report/graph.c)
	libgraphviz-dev
	# OpenSSL 3 libcrypto: key exchange groups, X.509 (docs/crypto.md)
	libssl-dev
	# the audit export and the configuration store (tar)
	libarchive-dev
	# fuzzing and sanitizers
	clang libclang-rt-14-dev llvm
	# network tests and demo
	iproute2 iputils-ping iperf3 tcpdump ethtool procps python3 nftables
	# promtool (check metrics) for net_ctl_metrics
	prometheus
	# audit integration (syslog, central RELP collection) and the unit file check
	rsyslog rsyslog-relp logrotate systemd openssl
	# the Debian package (tools/package.sh) and its install test
	debhelper dpkg-dev fakeroot lintian adduser man-db bash-completion
	# the report's browser test (tests/net/report_browser.sh): headless Chromium,
	# a CJK font so Chinese renders, Ed25519 keys for a test journal
	chromium fonts-wqy-zenhei python3-cryptography
	# interop against strongSwan
	strongswan-charon strongswan-swanctl strongswan-pki libcharon-extra-plugins
	libstrongswan-standard-plugins libstrongswan-extra-plugins
	# tools/bench.sh's OpenVPN peer rows (AES-256-GCM, AES-256-CBC + SHA256)
	openvpn
	# Libreswan's pluto (tests/interop/linegate_libreswan.sh runs it from the
	# .deb it fetches: the package conflicts with strongSwan's) needs these
	libldns3 libnss3-tools
)

missing=()
for p in "${PACKAGES[@]}"; do
	case "$p" in \#*) continue ;; esac
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[ "${status:0:2}" = "ii" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "bootstrap: missing packages: ${missing[*]}" >&2
	echo "bootstrap: run as root (sudo $0) to install them" >&2
	exit 1
fi
echo "bootstrap: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# apt-get update only when something is missing (and the lists may be stale).
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The strongSwan packages start a charon on install; the interop tests run
# their own, one per namespace.
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
	systemctl disable --now strongswan-starter strongswan >/dev/null 2>&1 || true
fi
echo "bootstrap: done"
