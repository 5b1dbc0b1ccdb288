/* Internals of the packet engine shared by the files of src/net: the
 * datapath object, the per-worker state and buffers, and the helpers each
 * file exports to the others. Nothing here is part of the module contract
 * (include/linegate/datapath.h is). */
#pragma once
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include "linegate/datapath.h"
#include "linegate/esp.h"
#include "linegate/hash.h"
#include "linegate/log.h"
#include "pace.h"

struct event;
struct nl_sock;
struct nl_cache;
struct nl_cache_mngr;

enum {
	DP_BATCH = 64,               /* packets per recvmmsg/sendmmsg/TUN read loop */
	DP_TX_SLOTS = DP_BATCH + 128, /* a TSO super-packet adds up to 122 segments (MSS 536) */
	DP_VNET_HDR_LEN = 10,        /* struct virtio_net_hdr (no mergeable buffers) */
	DP_TUN_OFF = ESP_HEADROOM - DP_VNET_HDR_LEN, /* vnet header lands here */
	DP_GSO_MAX_SEGS = 64,        /* UDP_MAX_SEGMENTS in the kernel */
	DP_GSO_MAX_BYTES = 65000,    /* a UDP GSO send must stay below 64 KiB */
	DP_IKE_SLOTS = 32,           /* per worker: IKE datagrams waiting for the loop (least) */
	DP_IKE_SLOTS_MAX = 256,      /* ... at most (580 KiB a worker, all touched as the ring turns) */
	DP_IKE_INLINE = 2048,        /* held in the slot; a larger one is allocated */
	DP_IKE_MAX = 8192,           /* larger IKE messages on 4500 are dropped */
	DP_FAM_V4 = 0,
	DP_FAM_V6 = 1,
};

static inline int dp_fam_index(int family) { return family == AF_INET6 ? DP_FAM_V6 : DP_FAM_V4; }

/* Per thread; every drop of the engine itself by reason (the ESP verdicts
 * are counted by esp/). */
struct dp_counters {
	_Atomic uint64_t tun_rx, tun_tx, udp_rx, udp_tx, ike_rx, keepalives;
	_Atomic uint64_t tx_errors;
	_Atomic uint64_t paced;      /* sends held back for their peer to drain */
	_Atomic uint64_t drops[DATAPATH_DROP_COUNT];
	uint64_t log_next_ms, log_suppressed;   /* owner thread only */
};

/* Relaxed increments: each counter has a single writer (its worker). */
#define DP_COUNT(c, field, n) atomic_fetch_add_explicit(&(c)->field, (n), memory_order_relaxed)

/* One IKE datagram parked for the control thread (single producer: the
 * worker; single consumer: the libevent loop). */
struct dp_ike_slot {
	struct ike_datagram meta;    /* meta.data points into buf or big when delivered */
	uint8_t *big;                /* a message over DP_IKE_INLINE (freed by the consumer) */
	uint8_t buf[DP_IKE_INLINE];
};

struct dp_ike_ring {
	_Atomic uint32_t head;       /* written by the consumer */
	_Atomic uint32_t tail;       /* written by the producer */
	uint32_t size;               /* slots, a power of two */
	struct dp_ike_slot *slots;
};

/* Buffers of one direction: every slot is ESP_BUF_SIZE bytes (esp.h). */
struct dp_tx_state {
	uint8_t *slot[DP_TX_SLOTS];
	uint8_t *super;              /* a TSO super-packet read from the TUN */
	size_t len[DP_TX_SLOTS];     /* ESP length after encryption */
	struct esp_route route[DP_TX_SLOTS];
	bool ok[DP_TX_SLOTS];
	struct mmsghdr msg[DP_TX_SLOTS];
	struct iovec iov[DP_TX_SLOTS];
	union lg_sockaddr dst[DP_TX_SLOTS];
	uint8_t cmsg[DP_TX_SLOTS][CMSG_SPACE(sizeof(uint16_t))];
	struct dp_pace pace;         /* when each peer has drained our sends */
};

struct dp_rx_state {
	uint8_t *slot[DP_BATCH];
	struct mmsghdr msg[DP_BATCH];
	struct iovec iov[DP_BATCH];
	union lg_sockaddr from[DP_BATCH];
	uint8_t cmsg[DP_BATCH][256];
	uint8_t *coalesce;           /* TCP super-packet being built for the TUN */
};

struct dp_worker {
	struct datapath *dp;
	int idx;
	pthread_t thread;
	bool started;
	int tun_fd;
	int epfd;
	int natt_fd[DATAPATH_MAX_UPLINKS][2];  /* own SO_REUSEPORT sockets, or -1 */
	struct esp_worker *esp;
	struct dp_ike_ring ring;
	struct dp_counters c;
	struct dp_tx_state *tx;
	struct dp_rx_state *rx;
};

/* A route through the TUN device: wanted by an SA (used), by the config
 * (held: a configured peer's remote subnet, kept whatever the SA state), or
 * both; it leaves the kernel when neither wants it. */
struct dp_route_entry {
	struct lg_prefix dst;
	bool used, held;
};

enum {
	DP_MAX_WORKERS = 64,
	/* Guards (routes.c): "unreachable" routes of held prefixes, tagged with
	 * our own routing protocol number (free in the IANA-less rt_protos
	 * space, shown by `ip route` as "proto 76") and a metric above any real
	 * route, so the TUN route wins while it exists and the guard holds the
	 * prefix when the device is gone (daemon stopped or crashed). */
	DP_RTPROT_LINEGATE = 76,
	DP_GUARD_METRIC = 0x7fffff00,
};

struct datapath {
	struct datapath_config cfg;
	struct esp_table *esp;
	struct event_base *base;
	datapath_ike_fn on_ike;
	datapath_link_fn on_link;
	void *ctx;

	int tun_ifindex;
	char tun_name[IF_NAMESIZE];
	bool vnet;                   /* IFF_VNET_HDR accepted */
	bool tso;                    /* TUNSETOFFLOAD TSO accepted: read super-packets */
	bool uso;                    /* ... and USO: UDP runs may be written merged */
	_Atomic bool udp_gso;        /* UDP_SEGMENT works (cleared if a send refuses it) */
	bool udp_gro;                /* UDP_GRO accepted on the receive sockets */

	int n_workers;
	struct dp_worker *workers;
	int ike_fd[DATAPATH_MAX_UPLINKS][2];  /* port 500, read on the control thread */
	int stop_fd;                 /* eventfd: workers leave their loop */
	int wake_fd;                 /* eventfd: IKE datagrams queued for the loop */
	struct event *ev_wake;
	struct event *ev_ike[DATAPATH_MAX_UPLINKS][2];
	_Atomic bool running;

	struct nl_sock *nl;          /* requests (link, address, route) */
	/* RTM_GETROUTE lookups (netlink.c, under its lock): kept open, as a
	 * hub asks once per setup; dropped after any error, opened again */
	struct nl_sock *nl_lookup;
	struct nl_cache_mngr *mngr;  /* link monitoring */
	struct nl_cache *links;
	struct event *ev_nl;
	bool uplink_up[DATAPATH_MAX_UPLINKS];
	struct nl_sock *rt_sk;       /* route notifications (routemon.c) */
	struct event *ev_rt, *ev_rt_settle;
	bool route_changed;
	datapath_route_fn on_route;
	int uplink_ifindex[DATAPATH_MAX_UPLINKS];

	struct lg_hash routes;       /* prefix -> struct dp_route_entry (routes.c) */
	struct dp_counters ctl;      /* counters of the control thread */
};

/* routes.c: our routes leave the kernel, the table is freed (guards stay). */
void dp_routes_free(struct datapath *dp);

/* tun.c */
int dp_tun_open(struct datapath *dp, int queues, int *fds);

/* netlink.c */
int dp_nl_open(struct datapath *dp);
void dp_nl_close(struct datapath *dp);
int dp_nl_configure_tun(struct datapath *dp);
int dp_nl_route(struct datapath *dp, const struct lg_prefix *dst, bool add);
int dp_nl_guard(struct datapath *dp, const struct lg_prefix *dst, bool add);
/* Removes our guards whose prefix keep() refuses; returns how many. */
size_t dp_nl_guard_sweep(struct datapath *dp,
			 bool (*keep)(struct datapath *dp, const struct lg_prefix *p));

/* linkmon.c */
int dp_linkmon_start(struct datapath *dp);
void dp_linkmon_stop(struct datapath *dp);

/* routemon.c */
int dp_routemon_start(struct datapath *dp);
void dp_routemon_stop(struct datapath *dp);

/* ifname.c: if_indextoname, cached per thread until the link monitor
 * sees a change (dp_ifname_invalidate) or for a second; false (name "")
 * when there is no such interface. */
bool dp_ifname(unsigned ifindex, char name[IF_NAMESIZE]);
void dp_ifname_invalidate(void);

/* udp.c */
int dp_udp_open(struct datapath *dp, int uplink, int family, uint16_t port, bool reuseport);
int dp_udp_send(int fd, const union lg_sockaddr *dst, const struct iovec *iov, int iovcnt);
/* Reads the destination address and interface of a received datagram. */
void dp_udp_pktinfo(struct msghdr *m, uint16_t port, union lg_sockaddr *local,
		    char ifname[IF_NAMESIZE]);
/* UDP_GRO segment size of a received datagram, 0 when not coalesced. */
int dp_udp_gro_size(struct msghdr *m);
void dp_sockaddr_unmap(union lg_sockaddr *a);

/* ikeq.c */
int dp_ikeq_init(struct datapath *dp);
uint32_t dp_ikeq_slots(uint32_t want);
void dp_ikeq_fini(struct datapath *dp);
/* Worker side: parks one datagram (marker already stripped); false = full. */
bool dp_ikeq_push(struct dp_worker *w, int uplink, const union lg_sockaddr *from,
		  struct msghdr *m, uint16_t port, const uint8_t *data, size_t len);
void dp_ikeq_kick(struct dp_worker *w);

/* offload.c: virtio_net_hdr handling, TCP segmentation and coalescing */
struct dp_vnet_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
} __attribute__((packed));

/* Completes a partial checksum (VIRTIO_NET_HDR_F_NEEDS_CSUM); 0 or -EINVAL. */
int dp_csum_complete(uint8_t *pkt, size_t len, const struct dp_vnet_hdr *h);
/* Splits a TSO super-packet into MSS segments at out[i] + ESP_HEADROOM;
 * returns the number of segments (<= max) or -EINVAL. */
int dp_tso_split(const uint8_t *pkt, size_t len, const struct dp_vnet_hdr *h,
		 uint8_t **out, size_t *out_len, int max);
/* TCP receive coalescing toward the TUN (the reverse of dp_tso_split). */
struct dp_gro {
	uint8_t *buf;                /* DP_TUN_OFF-aligned super-packet buffer */
	bool uso;                    /* UDP runs allowed (TUN_F_USO4/6 accepted) */
	uint8_t proto;               /* of the run: 6 TCP, 17 UDP */
	size_t len;                  /* bytes of IP packet in buf + ESP_HEADROOM */
	int segs;
	uint16_t seg_payload;        /* payload of the first segment = gso_size */
	uint16_t iphl, tcphl;        /* tcphl = 8 for UDP */
	bool v6;
	uint32_t next_seq;
};
/* Tries to append pkt to g; false = flush g first (or pkt cannot coalesce). */
bool dp_gro_append(struct dp_gro *g, const uint8_t *pkt, size_t len);
bool dp_gro_start(struct dp_gro *g, const uint8_t *pkt, size_t len);
/* Fills the vnet header before buf + ESP_HEADROOM; returns bytes to write
 * from buf + DP_TUN_OFF. */
size_t dp_gro_finish(struct dp_gro *g);
uint16_t dp_csum_fold(uint32_t sum);
uint32_t dp_csum_add(uint32_t sum, const uint8_t *p, size_t len);

/* worker_tx.c / worker_rx.c / worker.c */
void dp_worker_tun_ready(struct dp_worker *w);
void dp_worker_udp_ready(struct dp_worker *w, int uplink, int fam);
int dp_workers_start(struct datapath *dp);
void dp_workers_stop(struct datapath *dp);
int dp_workers_alloc(struct datapath *dp, const int *tun_fds);
void dp_workers_free(struct datapath *dp);
void dp_drop(struct dp_counters *c, enum datapath_drop why);
