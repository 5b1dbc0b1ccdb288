/* Compliance guardrails as pure decisions: every function takes the config
 * snapshot and facts handed in (addresses, regions, uplink state, identities)
 * and returns a verdict with a stable reason code and a sentence for the
 * admin. No I/O here (the region database is loaded by regiondb_load()). */
#pragma once
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "linegate/config.h"
#include "linegate/types.h"

enum policy_reason {
	POLICY_OK = 0,
	POLICY_CROSS_BORDER_NO_LICENSED_UPLINK, /* cross-border peer on an untagged uplink */
	POLICY_CARRIER_NOT_LICENSED,      /* uplink tagged licensed, carrier not on the list */
	POLICY_CIRCUIT_ID_MISSING,        /* licensed uplink without a circuit id */
	POLICY_UPLINK_DOWN,               /* cross-border peer's circuit is down: fail closed */
	POLICY_EGRESS_MISMATCH,           /* route to the peer leaves by another interface */
	POLICY_INGRESS_MISMATCH,          /* IKE from a cross-border peer on another interface */
	POLICY_SELECTOR_DEFAULT_ROUTE,    /* 0.0.0.0/0 or ::/0: Internet breakout */
	POLICY_SELECTOR_OUTSIDE_INTERNAL, /* subnet not inside the internal address space */
	POLICY_TS_UNACCEPTABLE,           /* proposed selectors share nothing with ours */
	POLICY_IDENTITY_FOREIGN,          /* peer identity not of the organisation */
	POLICY_IDENTITY_MISMATCH,         /* not the identity configured for that peer */
	POLICY_UNKNOWN_PEER,              /* no configured peer for that endpoint/identity */
	POLICY_REGION_UNKNOWN,            /* region code not ISO 3166-1 alpha-2 */
	POLICY_INTERNAL_SPACE_PUBLIC,     /* internal-space reaches undeclared public space */
	POLICY_PUBLIC_SPACE_UNREGISTERED, /* public-space without a registration reference */
	POLICY_PUBLIC_SPACE_TOO_LARGE,    /* public-space beyond the bound (/16 IPv4, /32 IPv6) */
	POLICY_CIRCUIT_SHARED,            /* licensed circuit shares interface or source with an untagged uplink */
	POLICY_ICP_NO_RECORDAL,           /* web port open to an uplink without the site's ICP recordal */
	POLICY_REASON_COUNT
};

struct policy_verdict {
	enum policy_reason reason;        /* POLICY_OK = allowed */
	char message[384];                /* one sentence for the admin, no secrets */
	struct conf_at at;                /* the offending value in the config, line 0 = none */
};

static inline bool policy_allowed(const struct policy_verdict *v) { return v->reason == POLICY_OK; }
const char *policy_reason_name(enum policy_reason r);  /* "cross_border_no_licensed_uplink" */

/* Region database: prefixes to ISO 3166-1 alpha-2, longest-prefix match. */
struct regiondb;
/* Text format (docs/regiondb.md): "prefix CC" per line, '#' comments.
 * Errors: "file:line: message" into err. */
int regiondb_load(const char *path, struct regiondb **out, char *err, size_t errlen);
int regiondb_parse(const char *name, const char *buf, size_t len, struct regiondb **out,
		   char *err, size_t errlen);
void regiondb_free(struct regiondb *db);
/* cc gets "" when nothing matches. */
bool regiondb_lookup(const struct regiondb *db, int family, const uint8_t *addr, char cc[3]);
/* The same, and the database's prefix that matched (for messages). */
bool regiondb_lookup_prefix(const struct regiondb *db, int family, const uint8_t *addr, char cc[3],
			    struct lg_prefix *matched);
size_t regiondb_size(const struct regiondb *db);

/* Where a peer is: the stricter of declared and database region. */
struct policy_region {
	char declared[3];
	char database[3];      /* "" unknown or private address */
	char effective[3];
	bool cross_border;
	bool mismatch;         /* database disagrees with the declaration: audit it */
	bool private_endpoint; /* RFC 1918 / RFC 6598 / ULA...: declared region kept */
	struct lg_prefix db_prefix; /* the database entry behind `database` (len 0 family 0: none) */
};
bool policy_is_cross_border(const char *site_region, const char *peer_region);
/* One sentence on how the region was decided ("declared DE, database DE"). */
void policy_region_why(const struct config *cfg, const struct policy_region *r, char *out, size_t n);
/* The carrier is on compliance.licensed-carriers. */
bool policy_carrier_licensed(const struct config *cfg, const char *carrier);
void policy_peer_region(const struct config *cfg, const struct conf_peer *peer,
			const struct regiondb *db, struct policy_region *out);

/* Static checks (config load, --check-config, reload): uplink licensing for
 * cross-border peers, selectors inside the internal space, identities. */
struct policy_verdict policy_check_peer_config(const struct config *cfg, const struct conf_peer *peer,
					       const struct regiondb *db);
/* All violations of the whole config (site, peers, static SAs); returns how
 * many (verdicts up to max). peer_index[i] is the subject of out[i]: -1 the
 * site, 0..n_peers-1 a peer, n_peers + k static SA k. */
size_t policy_check_config(const struct config *cfg, const struct regiondb *db,
			   struct policy_verdict *out, size_t max, int *peer_index);

/* Facts gathered at run time before a tunnel may come up / keep running. */
struct policy_link_facts {
	bool uplink_up;
	char egress_ifname[IF_NAMESIZE];   /* route lookup result, "" unknown */
	char ingress_ifname[IF_NAMESIZE];  /* where the IKE packet arrived, "" = n/a */
	/* the route's preferred source (RTA_PREFSRC), AF_UNSPEC unknown: with a
	 * configured uplink source it must be that address, so a next hop of
	 * another network on the same device does not pass for the circuit */
	union lg_sockaddr egress_source;
};
struct policy_verdict policy_check_peer_runtime(const struct config *cfg, const struct conf_peer *peer,
						const struct regiondb *db,
						const struct policy_link_facts *facts);
/* Presented identity must equal the peer's remote-id and belong to the
 * organisation (identity domain or allow-list). */
struct policy_verdict policy_check_identity(const struct config *cfg, const struct conf_peer *peer,
					    const struct conf_identity *presented);
/* Narrows proposed ranges to the configured prefixes (intersection); out gets
 * prefixes. POLICY_TS_UNACCEPTABLE when nothing is left. */
struct policy_verdict policy_narrow_selectors(const struct config *cfg,
					      const struct lg_prefix *configured, size_t n_configured,
					      const struct lg_range *proposed, size_t n_proposed,
					      struct lg_prefix *out, size_t max_out, size_t *n_out);
/* Finds the configured peer a datagram from `remote` belongs to (endpoint
 * address), or NULL. */
const struct conf_peer *policy_peer_by_endpoint(const struct config *cfg, const union lg_sockaddr *remote);

/* Static SAs (lab-only) judged by the peer functions above through a peer
 * view of the SA: same region, uplink, selector and identity rules. */
void policy_static_sa_view(const struct conf_static_sa *s, struct conf_peer *out);
struct policy_verdict policy_check_static_sa_runtime(const struct config *cfg,
						     const struct conf_static_sa *s,
						     const struct regiondb *db,
						     const struct policy_link_facts *facts);

/* Human and JSON reports for `linegatectl compliance` and --check-config. */
struct policy_peer_live {
	bool uplink_up;
	bool tunnel_up;
	char egress_ifname[IF_NAMESIZE];
};
/* Writes the report for every peer and static SA; live may be NULL (static
 * report), else [n_peers + n_static_sas], static SAs after the peers.
 * Returns the violations that stand (site, peers, static SAs; with live
 * facts the run-time ones too): `compliance` exits 1 when it is not 0. */
size_t policy_report(const struct config *cfg, const struct regiondb *db,
		     const struct policy_peer_live *live, bool json, FILE *to);

/* --- ICP ports (icp.c, docs/compliance.md "ICP ports") ---
 * A web server the Internet reaches on 80, 8080 or 443 needs an ICP
 * recordal (备案, MIIT). The facts are the site's listening TCP sockets
 * (sock_diag) and the addresses its uplinks have now. */
enum { POLICY_MAX_LISTENERS = 64, POLICY_MAX_UPLINK_ADDRS = 32 };
struct policy_listener {
	uint8_t family;                /* AF_INET or AF_INET6 */
	uint8_t addr[16];              /* bound address; all zero = wildcard */
	uint16_t port;
	char bound_if[IF_NAMESIZE];    /* SO_BINDTODEVICE, "" = every interface */
	uint32_t inode, uid;
	int pid;                       /* owning process, 0 = unknown */
	char process[16];              /* its comm, "" = unknown */
};
struct policy_uplink_addr {
	char ifname[IF_NAMESIZE];
	uint8_t family;
	uint8_t addr[16];
};
enum policy_icp { POLICY_ICP_NOT_EXPOSED, POLICY_ICP_RECORDED, POLICY_ICP_UNRECORDED };
struct policy_icp_judgement {
	enum policy_icp state;
	const char *recordal;          /* RECORDED: the site's number for the port */
	char via[160];                 /* uplinks that reach it: "internet(eth0), ..." */
	struct policy_verdict verdict; /* POLICY_ICP_NO_RECORDAL with its sentence, else ok */
};
bool policy_icp_port(uint16_t port);
void policy_judge_listener(const struct config *cfg, const struct policy_listener *l,
			   const struct policy_uplink_addr *addrs, size_t n_addrs,
			   struct policy_icp_judgement *out);
/* The live ICP facts for policy_report_live (NULL: not scanned). */
struct policy_icp_facts {
	const struct policy_listener *listeners;
	size_t n_listeners;
	const struct policy_uplink_addr *addrs;
	size_t n_addrs;
	int scan_error;                /* 0, or -errno: the scan failed (shown, counted) */
};
/* policy_report with them: reachable web listeners are listed, and each
 * unrecorded one is a violation that stands (counted in the return). */
size_t policy_report_live(const struct config *cfg, const struct regiondb *db,
			  const struct policy_peer_live *live, const struct policy_icp_facts *icp,
			  bool json, FILE *to);
/* The same, headed by what the document states about itself (meta may be
 * NULL): generated time with zone, host, version, config and region
 * database BLAKE2b, clock state, the key that signs it. */
struct lg_report_meta;
size_t policy_report_doc(const struct config *cfg, const struct regiondb *db,
			 const struct policy_peer_live *live, const struct policy_icp_facts *icp,
			 const struct lg_report_meta *meta, bool json, FILE *to);
/* "0123456789abcdef": how a report signature names its key (8 bytes of it). */
void policy_key_id(const uint8_t pk[32], char out[17]);

/* --- What internal space may hold (space.c, docs/compliance.md) --- */

/* Public space an organisation may declare its own, in total: 2^16 IPv4
 * addresses (a /16) and 2^96 IPv6 addresses (a /32); IPv6 that embeds IPv4
 * counts against the IPv4 bound. */
enum { POLICY_PUBLIC_V4_MAX_BITS = 16, POLICY_PUBLIC_V6_MAX_BITS = 96 };
/* RFC 1918, RFC 6598 shared space and ULA fc00::/7: internal without a
 * declaration (for IPv6 that embeds IPv4, the IPv4 must be too). */
bool policy_space_nonpublic(const struct lg_prefix *p);
/* The site's public-space declaration is usable: registration reference
 * given, within the bounds, no default route. Otherwise it counts for
 * nothing (and policy_check_config reports why). */
bool policy_public_space_valid(const struct config *cfg);
/* p may be internal: private/shared/ULA or inside the valid declared public
 * space, and so is every IPv4 it embeds. *gap (may be NULL) gets a piece
 * of p that is not. */
bool policy_space_allowed(const struct config *cfg, const struct lg_prefix *p, struct lg_prefix *gap);
/* p lies inside the union of the site's internal-space entries that are
 * themselves allowed (an entry reaching public space counts for nothing). */
bool policy_prefix_internal(const struct config *cfg, const struct lg_prefix *p);

/* Receives each violation of a check. */
typedef void (*policy_violation_fn)(void *ctx, const struct policy_verdict *v);
/* Selectors of a peer or a static SA (what = "peer" or "static-sa", name
 * its name): a default route is selector_default_route, anything not inside
 * the internal space selector_outside_internal; at[] (may be NULL) are the
 * values' positions, `fallback` the block's. Returns how many. */
size_t policy_selector_violations(const struct config *cfg, const char *what, const char *name,
				  const char *side, const struct lg_prefix *ts, const struct conf_at *at,
				  size_t n, struct conf_at fallback, policy_violation_fn fn, void *ctx);

/* --- IPv4 embedded in IPv6 (embedded.c) --- */
enum { POLICY_MAX_EMBEDDED = 8 };
/* The IPv4 prefixes a v6 prefix embeds: IPv4-mapped, IPv4-compatible, NAT64
 * 64:ff9b::/96 and 64:ff9b:1::/48 (both layouts), 6to4, Teredo server and
 * client (inverted). 0.0.0.0/0 when p covers a whole embedding range. */
size_t policy_embedded_v4(const struct lg_prefix *p, struct lg_prefix *out, size_t max);
size_t policy_addr_embedded_v4(const uint8_t v6[16], uint8_t out[][4], size_t max);
/* The IPv6 forms an IPv4 address is looked up under in a region database
 * (mapped, compatible, NAT64 well-known, 6to4). */
size_t policy_v4_forms(const uint8_t v4[4], uint8_t out[][16], size_t max);
/* The one region lookup: the address, every IPv4 it embeds and every IPv6
 * form of those; private ones skipped; the stricter answer (cross-border
 * from site_region) wins. False when nothing matched (cc ""); *private_ when
 * every address judged is private (may be NULL). */
bool policy_addr_region(const char *site_region, const struct regiondb *db, int family,
			const uint8_t *addr, char cc[3], struct lg_prefix *matched, bool *private_);

/* --- Additions (policy module) --- */

/* True for ISO 3166-1 alpha-2 officially assigned codes (upper or lower case). */
bool policy_region_valid(const char *cc);
/* Endpoints whose region a public database cannot know: RFC 1918, RFC 6598
 * shared space (carrier MPLS), loopback, link-local, ULA fc00::/7. The
 * declared region is kept for them (docs/compliance.md). */
bool policy_endpoint_is_private(int family, const uint8_t *addr);
/* Belongs to the organisation: FQDN inside site.identity_domain (label
 * boundary, case-insensitive) or any identity on the allow-list. */
bool policy_identity_in_org(const struct config *cfg, const struct conf_identity *id);
/* Printable, bounded form of an identity for messages: the FQDN (non-printable
 * bytes escaped), the address, or "keyid:<hex>". */
const char *policy_identity_format(const struct conf_identity *id, char *out, size_t n);

/* Converts RIR "delegated" statistics (registry|cc|type|start|value|date|status)
 * into the region database text format on `out`. IPv4 counts that are not a
 * power of two become several prefixes; IPv6 value is the prefix length.
 * Only allocated/assigned records with a two-letter country are kept.
 * Returns 0 or -EINVAL with "name:line: message" in err. */
struct regiondb_convert_stats {
	size_t records;     /* ipv4/ipv6 records converted */
	size_t prefixes;    /* lines written */
	size_t skipped;     /* header, summary, asn, available/reserved records */
};
int regiondb_convert_delegated(const char *name, const char *buf, size_t len, FILE *out,
			       struct regiondb_convert_stats *stats, char *err, size_t errlen);
