/* The packet engine: TUN device and uplink UDP sockets, fast-path worker
 * threads moving packets TUN <-> ESP-in-UDP through the ESP SA table, and the
 * hand-off of IKE datagrams to the control thread.
 *
 * Each uplink gets two UDP sockets, port 500 and the NAT-T port (4500), bound
 * to its interface (SO_BINDTODEVICE) and, if configured, its source address,
 * so a peer's packets can only leave through its uplink (fail closed). On
 * 4500 a leading zero SPI (the non-ESP marker, RFC 3948) means IKE. */
#pragma once
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "linegate/types.h"

struct event_base;
struct esp_table;

enum { DATAPATH_MAX_UPLINKS = 8, DATAPATH_MAX_ADDRS = 4 };

struct datapath_uplink {
	char ifname[IF_NAMESIZE];    /* "" = not bound to a device (tests) */
	union lg_sockaddr source;    /* AF_UNSPEC = any address */
};

struct datapath_config {
	char tun_name[IF_NAMESIZE];
	struct lg_prefix tun_addrs[DATAPATH_MAX_ADDRS];
	size_t n_tun_addrs;
	uint16_t mtu;
	int workers;                 /* 0 = one per online CPU */
	uint16_t ike_port;           /* 500 */
	uint16_t natt_port;          /* 4500 */
	struct datapath_uplink uplinks[DATAPATH_MAX_UPLINKS];
	size_t n_uplinks;
	/* Added fields (zero = default): */
	bool no_offload;             /* no TUN TSO / UDP GSO+GRO (benchmarks, debugging) */
	bool shared_sockets;         /* one NAT-T socket per uplink for all workers
	                              * instead of one SO_REUSEPORT socket per worker */
	uint16_t gso_segments;       /* most packets per UDP GSO send (0 or > 64: 64) */
	uint32_t pace_mbit;          /* per worker and peer, Mbit/s (0: not paced) */
	uint32_t ike_queue;          /* IKE datagrams on 4500 each worker may hold for
	                              * the control thread (rounded up to a power of
	                              * two, 32 to 256; 0: 32) */
};

/* One IKE message as received; data excludes the non-ESP marker. */
struct ike_datagram {
	int uplink;
	union lg_sockaddr local;     /* our address and port it arrived on */
	union lg_sockaddr remote;
	bool natt;                   /* arrived on the NAT-T port (with marker) */
	char ifname[IF_NAMESIZE];    /* ingress interface (IP_PKTINFO) */
	const uint8_t *data;
	size_t len;
};

typedef void (*datapath_ike_fn)(void *ctx, const struct ike_datagram *d);
/* uplink index, link up (carrier and admin up) or down */
typedef void (*datapath_link_fn)(void *ctx, int uplink, bool up);
/* the kernel's IPv4 or IPv6 routes changed (after a burst settles) */
typedef void (*datapath_route_fn)(void *ctx);

struct datapath;

/* Creates the TUN device and sockets; IKE datagrams and uplink link changes
 * are delivered on the libevent loop `base` (control thread). */
struct datapath *datapath_new(const struct datapath_config *cfg, struct esp_table *t,
			      struct event_base *base, datapath_ike_fn on_ike,
			      datapath_link_fn on_link, void *ctx);
int datapath_start(struct datapath *dp);         /* starts the workers */
/* Route changes are reported to fn (same ctx and loop as on_link). */
void datapath_set_route_fn(struct datapath *dp, datapath_route_fn fn);
/* Stops the workers, removes routes, addresses and the TUN device. */
void datapath_free(struct datapath *dp);

/* Sends an IKE message from the uplink's socket: natt adds the non-ESP marker
 * and uses the NAT-T port. Control thread. */
int datapath_send_ike(struct datapath *dp, int uplink, const union lg_sockaddr *remote,
		      bool natt, const uint8_t *msg, size_t len);
/* A NAT-T keepalive (the single byte 0xff) from the uplink's NAT-T socket. */
int datapath_send_keepalive(struct datapath *dp, int uplink, const union lg_sockaddr *remote);
/* Routes of remote subnets through the TUN device (idempotent add, del). */
int datapath_route_add(struct datapath *dp, const struct lg_prefix *dst);
int datapath_route_del(struct datapath *dp, const struct lg_prefix *dst);
/* Fail closed: the routes of every configured peer's remote subnets stay on
 * the TUN device whatever the SA state, each with an unreachable guard route
 * that outlives the daemon (a stop, a crash). Replaces the whole held set
 * (start, reload): prefixes left out lose route and guard, stale guards of
 * an earlier run are swept. 0 or the first -errno (the rest still tried). */
int datapath_routes_hold(struct datapath *dp, const struct lg_prefix *set, size_t n);
/* Is the uplink's link up right now (libnl link cache)? */
bool datapath_uplink_up(struct datapath *dp, int uplink);
/* Which interface the kernel would use to reach dst (libnl route lookup,
 * RTM_GETROUTE); fills ifname and, if src is not NULL, the route's preferred
 * source (AF_UNSPEC when it has none); 0 or -errno. Needs no datapath state:
 * dp may be NULL (before datapath_new, in tests). */
/* Forwarding of family (AF_INET, AF_INET6: all interfaces) in this network
 * namespace: 1 on, 0 off, -errno when it cannot be read. */
int datapath_forwarding(int family);
int datapath_route_egress(struct datapath *dp, const union lg_sockaddr *dst,
			  char ifname[IF_NAMESIZE], union lg_sockaddr *src);

/* Packets: tun_rx counts reads (a TSO super-packet is one), udp_tx ESP
 * datagrams sent, udp_rx datagrams received (GRO runs counted per datagram),
 * tun_tx writes (a merged run is one). rx_dropped: every drop in either
 * direction, the engine's (datapath_get_drops) plus every ESP verdict but OK. */
struct datapath_stats {
	uint64_t tun_rx, tun_tx, udp_rx, udp_tx, ike_rx;
	uint64_t rx_dropped, tx_errors;
	uint64_t paced;              /* sends that waited for their peer (pace-rate) */
};
void datapath_get_stats(struct datapath *dp, struct datapath_stats *out);

/* Drops of the packet engine itself, by reason (ESP verdicts are counted by
 * esp_table_drops()). Names in datapath_drop_name() are stable. */
enum datapath_drop {
	DATAPATH_DROP_IKE_QUEUE_FULL = 0, /* control thread behind: IKE on 4500 dropped */
	DATAPATH_DROP_IKE_TOO_BIG,        /* IKE datagram larger than a queue slot */
	DATAPATH_DROP_TRUNCATED,          /* datagram larger than the receive buffer */
	DATAPATH_DROP_TUN_WRITE,          /* write to the TUN device failed */
	DATAPATH_DROP_UDP_SEND,           /* sendmmsg refused the packet */
	DATAPATH_DROP_NO_SOCKET,          /* SA routed to an uplink/family without socket */
	DATAPATH_DROP_BAD_VNET,           /* TUN packet with an offload we cannot handle */
	DATAPATH_DROP_RUNT,               /* 1..3 bytes on 4500 and not a keepalive */
	DATAPATH_DROP_COUNT
};
const char *datapath_drop_name(enum datapath_drop d);
void datapath_get_drops(struct datapath *dp, uint64_t out[DATAPATH_DROP_COUNT]);

/* listeners.c: the facts of the ICP-port check (policy_judge_listener).
 * TCP sockets listening on a port want_port accepts, IPv4 and IPv6, one per
 * socket (sock_diag through libnl-idiag); 0, or -errno when a dump failed
 * (what the other family gave is kept). Needs no datapath state. */
struct policy_listener;
struct policy_uplink_addr;
int net_scan_listeners(bool (*want_port)(uint16_t port), struct policy_listener *out, size_t max,
		       size_t *n_out);
/* The addresses the named interfaces have now; how many written. */
size_t net_uplink_addrs(const char (*ifnames)[IF_NAMESIZE], size_t n_ifnames,
			struct policy_uplink_addr *out, size_t max);
/* The process holding socket inode (pid and comm), found in /proc/<pid>/fd;
 * false when none is visible (another pid namespace, no permission). */
bool net_socket_owner(uint32_t inode, int *pid, char comm[16]);
