/* The configuration snapshot: what conf/ produces from linegate.conf and every
 * other module reads. Immutable once loaded; a reload builds a new one and the
 * daemon swaps pointers. Peers and static SAs are as many as the file
 * declares (heap arrays, released by conf_free/conf_release); the rest are
 * small fixed-size arrays. Secrets are not here: only the paths of key files (see ike_crypto.h
 * for loading them into sodium memory). */
#pragma once
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include "linegate/hash.h"
#include "linegate/types.h"

enum {
	CONF_NAME_MAX = 64,        /* names of site, uplinks, peers (incl. NUL) */
	CONF_TEXT_MAX = 128,       /* free text: carrier, circuit id, officer */
	CONF_PATH_MAX = 256,
	CONF_MAX_PREFIXES = 32,    /* internal address space entries */
	CONF_MAX_PUBLIC = 8,       /* public space declared as the organisation's own */
	CONF_MAX_UPLINKS = 8,
	CONF_MAX_TS = 8,           /* local or remote subnets per peer */
	CONF_SA_KEY_MAX = 96,      /* static SA: AES-256 key + HMAC-SHA2-512 key */
	CONF_MAX_PROPOSALS = 8,
	CONF_MAX_CARRIERS = 8,
	CONF_MAX_IDENTITIES = 32,  /* site-wide identity allow-list */
	CONF_MAX_TUN_ADDRS = 4,
	CONF_MAX_ICP = 3,          /* ICP recordals: one per web port (80, 8080, 443) */
	CONF_ID_MAX = 255,
	CONF_REGION_LEN = 3,       /* ISO 3166-1 alpha-2 + NUL */
	CONF_MAX_INCLUDED = 63,    /* files included by linegate.conf, all levels */
	CONF_MAX_TEMPLATES = 16,   /* template peers (endpoint %any): one per uplink and kind */
};

/* Where a value was written in linegate.conf, so that a compliance verdict
 * can cite it (line 0: not written, e.g. a default). A line (here and in
 * the `line` of peers, uplinks and static SAs) also says which file it
 * stands in, linegate.conf or one it includes: config_at_format() writes
 * file:line:col, config_line() the line alone. */
struct conf_at {
	int line;
	int col;
};

/* Values are the IKEv2 ID types (RFC 7296 §3.5). */
enum conf_id_type {
	CONF_ID_NONE = 0,
	CONF_ID_IPV4_ADDR = 1,
	CONF_ID_FQDN = 2,
	CONF_ID_IPV6_ADDR = 5,
	CONF_ID_DER_ASN1_DN = 9,
	CONF_ID_KEY_ID = 11,
};

struct conf_identity {
	enum conf_id_type type;
	uint8_t len;                  /* bytes of data used */
	uint8_t data[CONF_ID_MAX];    /* FQDN text (no NUL), 4/16 address bytes, key id bytes, DN DER */
};

enum conf_auth_method { CONF_AUTH_PSK = 1, CONF_AUTH_ED25519 = 2, CONF_AUTH_CERTIFICATE = 3 };
enum conf_role { CONF_ROLE_BOTH = 0, CONF_ROLE_INITIATOR = 1, CONF_ROLE_RESPONDER = 2 };
/* dpd-action / close-action: after a failed liveness check or the peer's
 * DELETE, start again by the retry schedule or stay down until `up` (or the
 * peer initiates). Either way the remote subnets stay held (fail closed). */
enum conf_action { CONF_ACTION_RESTART = 0, CONF_ACTION_CLEAR = 1 };

/* One proposal = one transform of each type, by IKEv2 transform ID (ikev2.h).
 * IKE: encr (+ integ for AES-CBC) + prf + dh. ESP: encr (+ integ) (+ dh for
 * PFS, 0 = none); prf = 0. */
struct conf_proposal {
	uint16_t encr;         /* IKEV2_ENCR_* */
	uint16_t encr_keybits; /* 256 for AES-GCM, 0 for ChaCha20-Poly1305 */
	uint16_t prf;          /* IKEV2_PRF_* */
	uint16_t dh;           /* IKEV2_DH_* */
	uint16_t integ;        /* IKEV2_INTEG_*: with AES-CBC only, 0 with an AEAD */
};

struct conf_uplink {
	char name[CONF_NAME_MAX];
	char ifname[IF_NAMESIZE];
	char carrier[CONF_TEXT_MAX];      /* "" when untagged */
	char circuit_id[CONF_TEXT_MAX];   /* "" when none */
	bool licensed;                    /* tagged as a licensed carrier circuit */
	char contract[CONF_TEXT_MAX];     /* contract-number: the lease, "" when not stated */
	char carrier_licence[CONF_TEXT_MAX]; /* carrier-licence: its MIIT licence, "" when not stated */
	union lg_sockaddr source;         /* AF_UNSPEC: any address on ifname */
	int line;                         /* where it was defined, for messages */
	struct conf_at at;                /* the block's name */
	struct conf_at carrier_at, circuit_at, licensed_at;
	struct conf_at interface_at, source_at, contract_at, carrier_licence_at;
};

struct conf_peer {
	char name[CONF_NAME_MAX];
	union lg_sockaddr endpoint;       /* port defaults to 500 */
	char region[CONF_REGION_LEN];     /* declared, upper case */
	int uplink;                       /* index into config.uplinks */
	struct conf_identity local_id;
	struct conf_identity remote_id;
	enum conf_auth_method auth;
	char psk_file[CONF_PATH_MAX];         /* auth psk */
	char private_key_file[CONF_PATH_MAX]; /* auth ed25519 / certificate: PEM */
	char peer_public_key_file[CONF_PATH_MAX];
	/* auth certificate (X.509): our certificate (PEM or DER), the
	 * directory of trust anchors and intermediates, of CRLs (optional:
	 * with it every CA of a chain needs a current CRL) */
	char certificate_file[CONF_PATH_MAX];
	char ca_dir[CONF_PATH_MAX];
	char crl_dir[CONF_PATH_MAX];
	struct lg_prefix local_ts[CONF_MAX_TS];
	size_t n_local_ts;
	struct lg_prefix remote_ts[CONF_MAX_TS];
	size_t n_remote_ts;
	struct conf_proposal ike_proposals[CONF_MAX_PROPOSALS];
	size_t n_ike_proposals;
	struct conf_proposal esp_proposals[CONF_MAX_PROPOSALS];
	size_t n_esp_proposals;
	uint32_t ike_lifetime_s;      /* rekey after this (jittered), default 4h */
	uint32_t child_lifetime_s;    /* default 1h */
	uint64_t child_lifetime_bytes;   /* 0 = unlimited */
	uint64_t child_lifetime_packets; /* 0 = unlimited */
	uint32_t dpd_s;               /* liveness check interval, 0 = off; default 30s */
	enum conf_action dpd_action;  /* default restart */
	enum conf_action close_action;
	uint32_t retry_min_s;         /* first wait after a failed attempt, default 1s */
	uint32_t retry_max_s;         /* the doubling stops here, default 30s */
	uint16_t natt_port;           /* default 4500 */
	/* IKE fragmentation (RFC 7383): offered in IKE_SA_INIT unless off; an
	 * encrypted message whose IP datagram would exceed fragment_size is
	 * sent as SKF fragments when both sides offered it. */
	bool fragmentation;           /* default yes */
	uint16_t fragment_size;       /* IP datagram bytes, default 1280 */
	enum conf_role role;
	/* A template (`endpoint %any`): a responder-only peer for branches
	 * whose address changes, matching remote-id `*.domain`; the config
	 * holds one instance per identity file in key_dir (conf/template.c). */
	bool is_template;
	char key_dir[CONF_PATH_MAX];
	/* An instance: the template it was made from ("" = an ordinary peer);
	 * its name is "TEMPLATE/IDENTITY", its key file key_dir/IDENTITY. */
	char template_name[CONF_NAME_MAX];
	int line;
	/* Positions of the values compliance verdicts cite. */
	struct conf_at at;                /* the block's name */
	struct conf_at endpoint_at, region_at, uplink_at, remote_id_at, key_dir_at;
	struct conf_at certificate_at, private_key_at, ca_dir_at, crl_dir_at;
	struct conf_at local_ts_at[CONF_MAX_TS], remote_ts_at[CONF_MAX_TS];
};

struct conf_tunnel {
	char ifname[IF_NAMESIZE];     /* default "lg0" */
	struct lg_prefix addrs[CONF_MAX_TUN_ADDRS]; /* host bits kept: 10.1.0.1/24 */
	size_t n_addrs;
	uint16_t mtu;                 /* default 1400 */
	uint16_t gso_segments;        /* per UDP GSO send to one peer, default 16 */
	uint32_t pace_mbit;           /* sends toward one peer paced at, 0 = not */
};

struct conf_site {
	char name[CONF_NAME_MAX];
	char region[CONF_REGION_LEN];
	char identity_domain[CONF_TEXT_MAX];  /* peer FQDN ids must be in it */
	char identity_org[CONF_TEXT_MAX];     /* the O= of peer DN ids, "" = allow-list only */
	struct lg_prefix internal[CONF_MAX_PREFIXES];
	size_t n_internal;
	struct conf_identity allowed_ids[CONF_MAX_IDENTITIES]; /* explicit allow-list */
	size_t n_allowed_ids;
	/* Public space the organisation holds (its registration reference is
	 * shown in the compliance report); bounded, see docs/compliance.md. */
	struct lg_prefix public_space[CONF_MAX_PUBLIC];
	size_t n_public_space;
	char public_registration[CONF_TEXT_MAX];
	struct conf_at at;                    /* the block's name */
	struct conf_at region_at;
	struct conf_at internal_at[CONF_MAX_PREFIXES];
	struct conf_at public_space_at[CONF_MAX_PUBLIC];
	struct conf_at public_registration_at;
	/* ICP recordal (备案) numbers of the web services on this site, per
	 * port: a listener the Internet reaches on that port is recorded, not a
	 * violation (docs/compliance.md, "ICP ports"). */
	struct conf_icp {
		uint16_t port;                 /* 80, 8080 or 443 */
		char recordal[CONF_TEXT_MAX];  /* "京ICP备12345678号-1" */
		struct conf_at at;             /* the port value */
	} icp[CONF_MAX_ICP];
	size_t n_icp;
};

enum conf_journal_failure { CONF_JOURNAL_FAIL_KEEP_TUNNELS = 0, CONF_JOURNAL_FAIL_STOP_TUNNELS = 1 };

struct conf_audit {
	char journal_dir[CONF_PATH_MAX];   /* default /var/lib/linegate/audit */
	char journal_group[CONF_NAME_MAX]; /* readers of the journal, default "linegate-audit" */
	uint32_t retention_days;           /* >= 180, default 180 */
	int syslog_facility;               /* LOG_LOCAL4 etc., default LOG_DAEMON */
	int log_level;                     /* operational lines up to it, default LOG_INFO */
	int mlps_level;                    /* 2, 3 or 4 (default 3) */
	char security_officer[CONF_TEXT_MAX];
	uint32_t flow_interval_s;          /* default 300, 0 = off */
	uint32_t checkpoint_interval_s;    /* signed checkpoint period, default 60 */
	enum conf_journal_failure on_failure;
	/* Who chose on_failure: "configuration" (on-journal-failure written),
	 * "mlps-level" (an explicit mlps-level 3 or 4 defaults to
	 * stop-tunnels: the audit process must not be silently interrupted),
	 * or "default" (keep-tunnels). Recorded in config_loaded. */
	const char *on_failure_set_by;
	bool mlps_level_written;
};

struct conf_compliance {
	char region_db[CONF_PATH_MAX];     /* "" = none: declared regions only */
	char carriers[CONF_MAX_CARRIERS][CONF_NAME_MAX]; /* licensed carriers */
	size_t n_carriers;                 /* default: china-telecom, china-unicom, china-mobile */
};

struct conf_control {
	char socket_path[CONF_PATH_MAX];   /* default /run/linegate/control.sock */
	unsigned socket_mode;              /* default 0600 */
	int workers;                       /* fast-path threads, 0 = one per core */
	/* Who may do what, checked for every command whatever socket_mode:
	 * root or admin_group change things; read_only_group runs queries. */
	char admin_group[CONF_NAME_MAX];     /* "" = root only */
	char read_only_group[CONF_NAME_MAX]; /* default "linegate", "" = none */
};

/* Lab only: a hand-keyed CHILD SA, so the datapath can be tested apart from IKE.
 * Accepted only with the top-level "lab-only yes" switch. */
struct conf_static_sa {
	char name[CONF_NAME_MAX];
	union lg_sockaddr peer;            /* outer destination, port default 4500 */
	char region[CONF_REGION_LEN];      /* declared, judged like a peer's */
	struct conf_identity remote_id;    /* who the other end is: of the organisation */
	int uplink;
	uint16_t encr;                     /* IKEV2_ENCR_CHACHA20_POLY1305 / _AES_GCM_16 / _AES_CBC */
	uint16_t encr_keybits, integ;      /* AES-CBC: 128/256 and IKEV2_INTEG_HMAC_SHA2_* */
	uint32_t spi_in, spi_out;
	/* AEAD: 32-byte key || 4-byte salt; AES-CBC: AES key || HMAC key */
	uint8_t key_in[CONF_SA_KEY_MAX], key_out[CONF_SA_KEY_MAX];
	struct lg_prefix local_ts[CONF_MAX_TS];
	size_t n_local_ts;
	struct lg_prefix remote_ts[CONF_MAX_TS];
	size_t n_remote_ts;
	int line;
	struct conf_at at, peer_at, region_at, remote_id_at, uplink_at;
	struct conf_at local_ts_at[CONF_MAX_TS], remote_ts_at[CONF_MAX_TS];
};

struct config {
	char path[CONF_PATH_MAX];
	/* BLAKE2b-256 of the file bytes, then of each included file's path,
	 * NUL, length (8 bytes big-endian) and bytes, in include order */
	uint8_t hash[32];
	char included[CONF_MAX_INCLUDED][CONF_PATH_MAX];   /* in include order */
	size_t n_included;
	struct conf_site site;
	struct conf_uplink uplinks[CONF_MAX_UPLINKS];
	size_t n_uplinks;
	struct conf_tunnel tunnel;
	struct conf_peer *peers;           /* n_peers, heap; grown by config_add_peer */
	size_t n_peers, cap_peers;
	struct lg_hash peer_names;         /* name -> peer index + 1, see config_index_peer */
	size_t templates[CONF_MAX_TEMPLATES];  /* indexes in peers of the template peers */
	size_t n_templates;
	struct conf_audit audit;
	struct conf_compliance compliance;
	struct conf_control control;
	bool lab_only;
	struct conf_static_sa *static_sas; /* n_static_sas, heap */
	size_t n_static_sas, cap_static_sas;
};

/* A new zeroed peer / static SA at the end of cfg's array (amortised
 * doubling: earlier pointers into the array are invalidated); NULL when out
 * of memory. The sizes come from the configuration, there is no cap. */
struct conf_peer *config_add_peer(struct config *cfg);
/* Indexes a peer (once its name is set) for config_find_peer; a config
 * whose every peer is indexed is searched by hash, any other linearly.
 * 0 or -ENOMEM. */
int config_index_peer(struct config *cfg, const struct conf_peer *peer);
struct conf_static_sa *config_add_static_sa(struct config *cfg);
/* Lookups by name; NULL / -1 when absent. */
const struct conf_peer *config_find_peer(const struct config *cfg, const char *name);
/* Does identity id match a template's remote-id? "*.domain" matches an FQDN
 * of exactly one more label (non-empty, no dot) before domain, as TLS
 * wildcards do (RFC 6125 §6.4.3); the domain compares case-insensitively
 * (DNS). Any other pattern matches only the same identity (FQDN: case
 * aside). A pure function (no I/O). */
bool config_identity_matches(const struct conf_identity *pattern, const struct conf_identity *id);
/* The instance of template tmpl for an FQDN identity (hashed, by its name
 * "TEMPLATE/IDENTITY"); NULL when the identity has no key file there. */
const struct conf_peer *config_find_instance(const struct config *cfg, const struct conf_peer *tmpl,
					     const struct conf_identity *id);
int config_find_uplink(const struct config *cfg, const char *name);
/* "FILE:LINE:COL" of a value (FILE: the config or the included file). */
const char *config_at_format(const struct config *cfg, struct conf_at at, char *out, size_t n);
/* The line number of a conf_at line or a block's `line`, without its file. */
int config_line(int line);
