/* The IKEv2 control plane: every IKE SA of the daemon. Single-threaded (the
 * libevent control thread); time is passed in, so tests drive it with a
 * mock clock and a mock transport. Negotiated CHILD SAs are handed to
 * child_ops (the ESP SA table in the daemon, a recorder in tests). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "linegate/config.h"
#include "linegate/datapath.h"
#include "linegate/esp.h"

struct regiondb;

struct ike_transport {
	void *ctx;
	/* Send msg to remote from the peer's uplink; natt = port 4500 with the
	 * non-ESP marker. 0 or -errno. */
	int (*send)(void *ctx, int uplink, const union lg_sockaddr *remote, bool natt,
		    const uint8_t *msg, size_t len);
	/* Optional (may be NULL): a NAT-T keepalive, the single byte 0xff on the
	 * NAT-T port (RFC 3948 §2.3), sent while we are behind a NAT. */
	int (*send_keepalive)(void *ctx, int uplink, const union lg_sockaddr *remote);
};

struct ike_child_ops {
	void *ctx;
	int (*install)(void *ctx, const struct esp_child_params *p);
	int (*remove)(void *ctx, uint32_t child_id);
	int (*stats)(void *ctx, uint32_t child_id, struct esp_child_stats *out);
	/* routes for the remote selectors (may be NULL in tests) */
	int (*route_add)(void *ctx, const struct lg_prefix *p);
	int (*route_del)(void *ctx, const struct lg_prefix *p);
	/* Optional pair (both or neither; NULL = install is used): as the
	 * responder of a CHILD SA rekey, the new SA is installed for inbound
	 * only, and made the outbound choice once the peer deleted the old one
	 * (or after a short grace), so no packet goes out on an SA the peer
	 * has not installed yet (RFC 7296 §2.8, make before break). */
	int (*install_inbound)(void *ctx, const struct esp_child_params *p);
	int (*activate_outbound)(void *ctx, uint32_t child_id);
	/* Optional: the IKE SA followed the peer to a new address/port (an
	 * authenticated message from there, RFC 7296 §2.23, NAT rebinding);
	 * called for every installed CHILD SA with ESP's new destination. */
	int (*update_peer)(void *ctx, uint32_t child_id, const union lg_sockaddr *peer);
};

/* Run-time facts the policy needs (may be NULL in tests: all up). */
struct ike_link_ops {
	void *ctx;
	bool (*uplink_up)(void *ctx, int uplink);
	/* interface and preferred source of the route to dst */
	int (*route_egress)(void *ctx, const union lg_sockaddr *dst, char ifname[IF_NAMESIZE],
			    union lg_sockaddr *src);
};

/* Secrets of every peer, loaded from the key files into sodium memory. */
struct ike_credentials;
int ike_credentials_load(const struct config *cfg, struct ike_credentials **out,
			 char *err, size_t errlen);
void ike_credentials_free(struct ike_credentials *c);

struct ike;
struct ike *ike_new(const struct config *cfg, const struct regiondb *db,
		    struct ike_credentials *creds, const struct ike_transport *tx,
		    const struct ike_child_ops *child, const struct ike_link_ops *link);
/* Sends DELETE for every IKE SA (best effort), removes every CHILD SA. */
void ike_shutdown(struct ike *ike, uint64_t now_ms);
void ike_free(struct ike *ike);

/* A received datagram (from datapath's on_ike callback or a test). */
void ike_input(struct ike *ike, const struct ike_datagram *d, uint64_t now_ms);
/* Timers: retransmissions, initiation of initiator peers, rekeying, DPD,
 * lifetimes, half-open expiry. Call at least every 100 ms. */
void ike_tick(struct ike *ike, uint64_t now_ms);
/* Swaps in a reloaded config: SAs of removed or changed peers are deleted,
 * new initiator peers started. Takes ownership of creds. */
int ike_reconfigure(struct ike *ike, const struct config *cfg, const struct regiondb *db,
		    struct ike_credentials *creds, uint64_t now_ms);
/* Uplink state changed: the affected cross-border peers' SAs are torn down at
 * once on down (fail closed) and re-initiated on up. */
void ike_uplink_changed(struct ike *ike, int uplink, bool up, uint64_t now_ms);
/* The kernel's routes changed: egress re-judged for every SA and peer. */
void ike_routes_changed(struct ike *ike, uint64_t now_ms);
/* Admin: bring a peer up / down now. */
int ike_initiate(struct ike *ike, const char *peer_name, uint64_t now_ms);
int ike_terminate(struct ike *ike, const char *peer_name, uint64_t now_ms);
/* Admin: rekey the peer's IKE SA (ike) or every installed CHILD SA now
 * (started by the next tick, make before break as on expiry). Returns how
 * many were scheduled, or -ENOENT when the peer has no established SA. */
int ike_rekey(struct ike *ike, const char *peer_name, bool ike_sa, uint64_t now_ms);

/* Countdowns (*_in_ms) are relative to the IKE clock of the last tick;
 * IKE_INFO_NEVER when there is none (lifetime 0, not established). */
#define IKE_INFO_NEVER INT64_MIN
struct ike_sa_info {
	char peer[CONF_NAME_MAX];
	char state[24];               /* ike_sa_state_name() */
	bool initiator;
	uint8_t spi_i[8], spi_r[8];
	char remote[LG_ADDRSTRLEN];
	char local_id[CONF_ID_MAX + 1], remote_id[CONF_ID_MAX + 1];   /* printable */
	char encr[32], prf[32], dh[16], auth[16];
	char peer_cert[256];          /* auth certificate: the peer's subject, "" otherwise */
	int64_t peer_cert_not_after;  /* its expiry, seconds since the epoch */
	uint64_t established_ms;      /* wall clock, 0 if not */
	int64_t rekey_in_ms, expire_in_ms;
	uint64_t dpd_answer_ms;       /* wall clock of the last answer to our DPD, 0 = none */
	size_t n_children;
	struct {
		uint32_t child_id, spi_in, spi_out;
		char state[16];           /* child_sa_state_name() */
		char encr[32];
		char local_ts[128], remote_ts[128];
		uint64_t installed_ms;    /* wall clock */
		int64_t rekey_in_ms, expire_in_ms;
		struct esp_child_stats stats;
	} children[4];
};
/* Every IKE SA, newest first, filled one at a time into a view that lives
 * for the call of fn only. */
typedef void (*ike_sa_info_fn)(void *ctx, const struct ike_sa_info *info);
void ike_foreach_sa(struct ike *ike, ike_sa_info_fn fn, void *ctx);
/* The first max of them into out (tests, small lists); returns how many. */
size_t ike_list_sas(struct ike *ike, struct ike_sa_info *out, size_t max);
/* The same for one peer's IKE SAs (up to IKE_MAX_IKE_SAS_PER_PEER and a
 * half-open one or two). */
enum { IKE_MAX_PEER_SAS = 6 };   /* IKE_MAX_IKE_SAS_PER_PEER + half-open ones */
size_t ike_list_peer_sas(struct ike *ike, const char *peer_name, struct ike_sa_info *out,
			 size_t max);
/* The IKE module's named drop counters (every refused datagram: malformed,
 * forged, over a half-open limit, ...): up to max names and counts; returns
 * how many counters there are. */
enum { IKE_DROP_NAMES_MAX = 16 };
size_t ike_get_drops(const struct ike *ike, const char **names, uint64_t *counts, size_t max);

/* IKE SAs of the peer in any state (down --wait: all gone?). */
size_t ike_peer_sa_count(const struct ike *ike, const char *peer_name);

/* Is there an established CHILD SA with this peer? */
bool ike_peer_up(struct ike *ike, const char *peer_name);

/* The retry schedule of a peer (ike_retry.c), for `peers`: the next
 * initiation attempt (monotonic ms as lg_now_ms, 0 = none scheduled), the
 * current back-off, consecutive failed attempts and the last failure (kept
 * after a success: it says what happened last). 0 or -ENOENT. */
/* Monotonic counts of a peer since start, kept across reloads (metrics). */
struct ike_peer_counts {
	uint64_t ike_setups;          /* IKE SAs established by IKE_AUTH */
	uint64_t ike_failures;        /* attempts or SAs that failed (the retry schedule's) */
	uint64_t ike_rekeys;          /* IKE SAs replaced by CREATE_CHILD_SA */
	uint64_t child_rekeys;        /* CHILD SAs replaced by a rekey */
};
struct ike_peer_retry {
	uint64_t next_attempt_ms;
	uint32_t backoff_ms;
	uint32_t failures;
	bool admin_down;
	char last_failure[32];        /* reason code, "" if none yet */
	uint64_t last_failure_ms;     /* monotonic */
	uint64_t last_failure_wall_ms;
	struct ike_peer_counts counts;
};
int ike_peer_retry(struct ike *ike, const char *peer_name, struct ike_peer_retry *out);
