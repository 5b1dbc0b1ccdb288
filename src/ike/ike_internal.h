/* The IKE module's internal model: struct ike (all SAs of the daemon), the
 * IKE SA and CHILD SA with their explicit state machines, the outstanding
 * request of each IKE SA (window of one, RFC 7296 §2.3) and the helpers the
 * exchange files share. */
#pragma once
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "linegate/config.h"
#include "linegate/hash.h"
#include "linegate/ike.h"
#include "linegate/ike_crypto.h"
#include "linegate/policy.h"
#include "linegate/timer_heap.h"
#include "ike_wire.h"
#include "linegate/ike_x509.h"

enum {
	/* resent after 1, 2, 4, 8 s more, given up 16 s after the last; each
	 * wait drawn within ±10 % so that the branches of a restarted hub do
	 * not retransmit in step: the give-up falls within 27.9-34.1 s of the
	 * first send (31 s unjittered) */
	IKE_RETRANSMIT_BASE_MS = 1000,
	IKE_RETRANSMIT_TRIES = 4,
	IKE_RETRANSMIT_JITTER_PCT = 10,
	IKE_HALF_OPEN_TIMEOUT_MS = 30000,
	IKE_COOKIE_THRESHOLD = 16,       /* half-open SAs before cookies are required */
	IKE_HALF_OPEN_MAX = 1024,        /* even with valid cookies: memory bound */
	IKE_COOKIE_PER_SOURCE = 2,       /* half-open SAs of one address before cookies */
	IKE_HALF_OPEN_PER_ADDR = 8,      /* with valid cookies, per source address */
	IKE_HALF_OPEN_PER_PREFIX = 32,   /* ... per /24 (IPv4) or /64 (IPv6) */
	IKE_HALF_OPEN_RESERVED = 2,      /* a configured peer's address: past every other limit */
	IKE_INITIATE_BACKOFF_MS = 5000,  /* an exchange of ours in flight: look again */
	IKE_KEEPALIVE_MS = 20000,
	IKE_DELETE_GRACE_MS = 5000,      /* rekeyed SA awaiting the peer's DELETE */
	IKE_MAX_CHILDREN = 8,
	/* a rekey needs room for the successor until the peer deletes the old
	 * SA; a peer that rekeys and never deletes stops here (rekey chains) */
	IKE_MAX_CHILDREN_REKEYING = 2 * IKE_MAX_CHILDREN,
	IKE_MAX_IKE_SAS_PER_PEER = 4,    /* established + rekeyed awaiting DELETE */
	IKE_CHILDLESS_GRACE_MS = 5000,   /* our IKE SA without any CHILD SA */
	IKE_OUTBOUND_GRACE_MS = 2000,    /* rekey responder: new SA outbound at the latest */
	/* a message's fragments arrive within this, or the partial message is
	 * dropped (RFC 7383 §2.6 leaves it to us; the sender retransmits after
	 * 1, 2, 4 s: a complete set arrives well within it) */
	IKE_REASM_TIMEOUT_MS = 10000,
	/* ike_tick looks at an SA when one of its deadlines is due, and at
	 * least this often anyway: ESP's soft limits (rekey_wanted) are polled,
	 * not signalled; each second with byte or packet lifetimes configured */
	IKE_TIMER_MAX_SLEEP_MS = 10000,
	IKE_ESP_POLL_MS = 1000,
	/* header + a notify with one octet of data (UNSUPPORTED_CRITICAL_PAYLOAD) */
	IKE_STATELESS_MIN = IKEV2_HEADER_LEN + IKEV2_GENERIC_PAYLOAD_HEADER_LEN + 4 + 1,
};

enum ike_sa_state {
	IKE_SA_NEW,
	IKE_SA_INIT_SENT,      /* initiator: waiting for the IKE_SA_INIT response */
	IKE_SA_AUTH_SENT,      /* initiator: waiting for the IKE_AUTH response */
	IKE_SA_HALF_OPEN,      /* responder: IKE_SA_INIT answered, IKE_AUTH awaited */
	IKE_SA_ESTABLISHED,
	IKE_SA_REKEYING,       /* our IKE rekey request is outstanding */
	IKE_SA_REKEYED,        /* replaced by a new IKE SA, DELETE pending */
	IKE_SA_DELETING,       /* our DELETE is outstanding */
	IKE_SA_DEAD,
	IKE_SA_STATE_COUNT
};

enum child_sa_state {
	CHILD_SA_NEW,          /* keys known, not in the datapath yet */
	CHILD_SA_INSTALLED,
	CHILD_SA_REKEYING,     /* our rekey request is outstanding */
	CHILD_SA_REKEYED,      /* superseded (make before break), DELETE pending */
	CHILD_SA_DELETING,     /* our DELETE is outstanding */
	CHILD_SA_DEAD,
	CHILD_SA_STATE_COUNT
};

/* What our outstanding request is doing, so its response finds its context. */
enum ike_task {
	IKE_TASK_NONE,
	IKE_TASK_SA_INIT,
	IKE_TASK_AUTH,
	IKE_TASK_CHILD_REKEY,
	IKE_TASK_IKE_REKEY,
	IKE_TASK_DPD,
	IKE_TASK_DELETE_CHILD,
	IKE_TASK_DELETE_IKE,
};

/* Named drop counters (every rejected datagram is counted). */
enum ike_drop {
	IKE_DROP_MALFORMED,
	IKE_DROP_VERSION,
	IKE_DROP_NO_SA,
	IKE_DROP_MSG_ID,
	IKE_DROP_DECRYPT,
	IKE_DROP_UNKNOWN_PEER,
	IKE_DROP_POLICY,
	IKE_DROP_COOKIE,
	IKE_DROP_STATE,
	IKE_DROP_CRITICAL,          /* critical payload we do not implement (§2.5) */
	IKE_DROP_PLACEMENT,         /* payload in the wrong exchange/place or twice */
	IKE_DROP_HALF_OPEN_SOURCE,  /* half-open SAs of one address or prefix */
	IKE_DROP_HALF_OPEN_LIMIT,   /* half-open SAs of the daemon */
	IKE_DROP_AMPLIFY,           /* a stateless answer would outgrow the request */
	IKE_DROP_FRAGMENT,          /* SKF not negotiated, misnumbered, over a bound */
	IKE_DROP_CERT,              /* IKE_AUTH refused for its certificates (ike_cert.c) */
	IKE_DROP_COUNT
};
_Static_assert((int)IKE_DROP_COUNT <= (int)IKE_DROP_NAMES_MAX, "ike.h: IKE_DROP_NAMES_MAX");
const char *ike_drop_name(enum ike_drop d);

struct child_sa {
	struct child_sa *next;
	struct ike *ike;                 /* ike->esp_spis holds it */
	enum child_sa_state state;
	uint32_t child_id;
	uint32_t spi_in, spi_out;
	uint16_t encr, keybits, dh, integ;  /* integ: AES-CBC's HMAC, 0 with an AEAD */
	struct lg_prefix local_ts[ESP_MAX_TS], remote_ts[ESP_MAX_TS];
	size_t n_local_ts, n_remote_ts;
	bool in_datapath;
	bool out_pending;                /* inbound only: activate_outbound later */
	uint64_t activate_ms;
	uint32_t successor;              /* REKEYED: the child that replaces it */
	uint64_t installed_ms, rekey_ms, expire_ms, delete_ms;
	uint64_t last_packets_in;
	/* §2.8.1 collision: the peer rekeyed this SA while we were rekeying it;
	 * the lower nonce of its exchange (malloc, only during a collision) */
	uint32_t peer_rekey_child;
	uint8_t *peer_rekey_min_nonce;
	size_t peer_rekey_min_len;
};

/* Secrets of an exchange in progress (sodium memory). */
struct ike_exch_secret {
	struct ike_dh dh;                /* our private value (OpenSSL key freed on wipe) */
	uint8_t keymat_i[IKE_CHILD_KEYMAX], keymat_r[IKE_CHILD_KEYMAX];
	uint8_t skeyseed[IKE_PRF_MAX];
	uint8_t gir[IKE_DH_SHARED_MAX];
	size_t gir_len;
};
/* Frees the DH key and zeroes everything (the struct stays allocated). */
void ike_exch_secret_wipe(struct ike_exch_secret *s);
/* A zeroed one in the secret pool (util/secpool.c), NULL without memory;
 * free wipes it (after ike_exch_secret_wipe has let go of the DH key). */
struct ike_exch_secret *ike_exch_secret_new(void);
void ike_exch_secret_free(struct ike_exch_secret *s);
/* Exchange secrets allocated (all SAs of the process): between exchanges
 * an SA holds none. */
size_t ike_exch_secret_in_use(void);

/* Our outstanding request (window of one). */
struct ike_request {
	enum ike_task task;
	bool active;
	uint32_t msg_id;
	uint8_t *msg;
	size_t len;
	int tries;
	uint64_t next_ms;
	/* task context */
	uint32_t child_id;               /* rekeyed / deleted child */
	struct child_sa *new_child;      /* being negotiated, not installed */
	struct ike_sa *new_ike;          /* IKE rekey: the SA being created */
	uint8_t nonce[IKEV2_NONCE_LEN];
};

struct ike;

struct ike_sa {
	struct ike_sa *next, *prev;      /* ike->sas, newest first */
	struct ike *ike;
	uint64_t seq;                    /* creation order: newer is higher */
	uint64_t init_hash;              /* in ike->by_init (responder, spi_i + address) */
	uint64_t half_open_hash;         /* in ike->half_open_idx while HALF_OPEN */
	bool init_indexed;
	enum ike_sa_state state;
	const struct conf_peer *peer;
	char peer_name[CONF_NAME_MAX];
	char peer_id[CONF_ID_MAX + 1];   /* printable identity for audit */
	bool initiator;                  /* original initiator (I flag) */
	uint8_t spi_i[8], spi_r[8];
	union lg_sockaddr remote, local;
	int uplink;
	bool natt;                       /* floated to the NAT-T port */
	bool nat_local;                  /* we are behind a NAT: keepalives */
	bool peer_sig_identity;          /* RFC 7427 Identity hash offered */
	bool frag;                       /* RFC 7383: both offered fragmentation */
	struct ike_peer_cert *peer_cert; /* auth certificate: the peer's, once authenticated */
	struct ike_reasm *reasm[2];      /* fragments of a request [0], a response [1] */
	struct conf_proposal prop;       /* negotiated IKE proposal */
	struct ike_keys *keys;
	/* A hub holds thousands of established SAs, so what only an exchange
	 * needs lives outside the struct, sized to what was negotiated, and
	 * goes when the exchange is over (ike_sa_sec, ike_sa_exchange_done). */
	struct ike_exch_secret *sec;     /* during an exchange only (ike_sa_sec) */
	uint16_t dh_group;
	uint8_t *dh_pub;                 /* malloc, ike_dh_pub_len(dh_group) bytes, until AUTH */
	uint8_t *ni, *nr;                /* malloc, exactly ni_len / nr_len (ike_sa_set_nonce) */
	size_t ni_len, nr_len;
	uint8_t *init_i, *init_r;        /* the IKE_SA_INIT messages, until AUTH */
	size_t init_i_len, init_r_len;
	uint8_t cookie[IKE_COOKIE_MAX];
	size_t cookie_len;
	/* message IDs (§2.3): each side numbers its own requests */
	uint32_t msg_id_out;             /* next request we send */
	uint32_t msg_id_in;              /* next request we expect */
	uint8_t *last_resp;              /* cached response to msg_id_in - 1 */
	size_t last_resp_len;
	bool have_last_resp;
	struct ike_request req;
	/* queued wishes, started when the window is free */
	bool want_dpd, want_ike_rekey, want_delete;
	bool reinitiate;                 /* after our DELETE: start over (back-off) */
	uint64_t childless_since;
	struct child_sa *children;
	struct conf_identity peer_identity;
	uint64_t created_ms, established_ms, established_wall_ms;
	uint64_t last_in_ms, last_out_ms, rekey_ms, expire_ms, delete_ms, keepalive_ms;
	uint64_t dpd_answer_wall_ms;     /* the peer answered our liveness check */
	/* IKE rekey collision (§2.8.2): malloc, only during a collision */
	struct ike_sa *peer_rekey_sa;
	uint8_t *peer_rekey_min_nonce;
	size_t peer_rekey_min_len;
	struct ike_sa *replaced_by;      /* REKEYED: the new SA */
	bool gone;                       /* freed during ike_tick: in ike->graveyard */
	struct lg_timer timer;           /* in ike->timers: when ike_tick looks at it next */
};

struct ike_peer_state {
	uint64_t next_initiate_ms;       /* 0 = not scheduled */
	uint32_t backoff_ms;             /* 0 after a success */
	uint32_t failures;               /* consecutive failed attempts */
	bool admin_down;
	char last_failure[32];
	uint64_t last_failure_ms, last_failure_wall_ms;
	struct ike_peer_counts counts;
};
/* The peer's counts, or NULL when it is no longer configured. */
struct ike_peer_counts *ike_peer_counts_of(struct ike *ike, const struct conf_peer *peer);

/* --- remote selectors of installed CHILD SAs, by owner (ike_ts_claims.c) --- */
struct ts_claim {
	struct lg_prefix p;
	uint32_t refs;                   /* the owner's installed CHILD SAs routing p */
	char owner[CONF_NAME_MAX];       /* peer name (TEMPLATE/IDENTITY for a branch) */
};
struct ts_claims {
	struct lg_hash by_prefix;        /* exact prefix -> claim */
	size_t n;
	uint32_t at_len[2][129];         /* claims per family (IPv4, IPv6) and length */
};
int ts_claims_init(struct ts_claims *t, size_t expect);
void ts_claims_free(struct ts_claims *t);
/* 0 or -ENOMEM; a claim counts its owner's SAs, so add and del pair up. */
int ts_claims_add(struct ts_claims *t, const char *owner, const struct lg_prefix *p);
void ts_claims_del(struct ts_claims *t, const char *owner, const struct lg_prefix *p);
/* A claim of another owner that overlaps p (contains it, equals it or lies
 * inside it), or NULL. */
const struct ts_claim *ts_claims_conflict(const struct ts_claims *t, const char *owner,
					  const struct lg_prefix *p);

struct ike {
	const struct config *cfg;
	const struct regiondb *db;
	struct ike_credentials *creds;
	struct ike_transport tx;
	struct ike_child_ops child;
	struct ike_link_ops link;
	bool have_link;
	struct ike_sa *sas;
	size_t n_sas;
	uint64_t next_seq;
	/* Indexes of sas (ike_sa_table.c), so a message costs the same with
	 * 20,000 SAs as with two: by our SPI, by peer name, by the initiator's
	 * SPI + address (responder SAs), half-open ones by source prefix
	 * (ike_half_open.c), CHILD SAs by inbound ESP SPI (ike_child.c). */
	struct lg_hash by_spi, by_peer, by_init, half_open_idx, esp_spis;
	/* remote selectors of installed CHILD SAs: no peer's SA may overlap
	 * another peer's (a hub's branches under one template) */
	struct ts_claims claims;
	/* configured peers by endpoint address (an IKE_SA_INIT's source),
	 * rebuilt with each configuration */
	struct lg_hash by_endpoint;
	uint32_t next_child_id;
	uint8_t cookie_secret[32];
	size_t half_open;
	struct ike_peer_state *peers;    /* one per cfg->peers[i] */
	uint64_t drops[IKE_DROP_COUNT];
	uint64_t now_ms;
	/* the datagram ike_input is handling (NULL outside it): whose source
	 * and uplink an unauthenticated refusal is summarised under */
	const struct ike_datagram *rx;
	bool rx_summarised;              /* its refusal is already counted */
	const char *refused;             /* reason code of the last -EPERM of
					  * ike_sa_init_initiator_start */
	/* Every SA by its next deadline (ike_timers.c): a tick looks only at
	 * the SAs that are due, not at all of them. */
	struct lg_timer_heap timers;
	/* No initiator peer is due before this (a lower bound, 0 = look):
	 * a hub's thousands of responder peers are not walked every tick. */
	uint64_t initiate_min_ms;
	/* While ike_tick runs an SA's timers, SAs it frees wait here (marked
	 * gone) instead of being freed, so the tick can tell. */
	bool in_tick;
	struct ike_sa *graveyard;
};

/* --- credentials (ike_credentials.c) --- */
struct ike_peer_secret {
	uint8_t *psk;                    /* sodium memory */
	size_t psk_len;
	uint8_t *sk;                     /* Ed25519 secret key, 64 bytes, sodium */
	uint8_t pk[32];                  /* peer's public key */
	bool has_psk, has_sk, has_pk;
	/* auth certificate: ca-dir/crl-dir, our certificate, the intermediates
	 * we send with it, our key (OpenSSL wipes it when freed) */
	struct ike_x509_store *store;
	struct x509_st *cert, *chain[IKE_X509_CHAIN_MAX];
	size_t n_chain;
	struct evp_pkey_st *key;
};
const struct ike_peer_secret *ike_credentials_find(const struct ike_credentials *c,
						   const char *peer_name);

/* --- certificates, RFC 7296 §3.6/3.7 (ike_cert.c) --- */
struct ike_peer_cert {
	char subject[IKE_X509_SUBJECT_MAX];
	time_t not_after;
};
/* CERT payloads: our certificate, then the intermediates that chain it. */
void ike_cert_build(struct ike_builder *b, const struct ike_peer_secret *s);
/* CERTREQ: the key ids of our trust anchors (nothing without any). */
void ike_cert_build_certreq(struct ike_builder *b, const struct ike_peer_secret *s);
/* The peer's CERT payloads against our store, its identity against the end
 * certificate, AUTH against its key. NULL when all hold, else the reason
 * (an audit detail value, docs/audit-events.md); *out gets the subject and
 * expiry of the end certificate when there is one. */
const char *ike_cert_verify(struct ike_sa *sa, const struct ike_peer_secret *s,
			    const struct ike_payload_list *pl, const struct ike_id *id,
			    const uint8_t *oct, size_t olen, const struct ike_auth *auth,
			    struct ike_peer_cert *out);

/* --- IKE fragmentation, RFC 7383 (ike_frag.c, ike_reasm.c) --- */
/* The largest IKE message (UDP payload less the non-ESP marker) this SA
 * sends unfragmented: fragment-size less the IP and UDP headers (§2.5.1). */
size_t ike_frag_limit(const struct ike_sa *sa);
/* Seals the built message: one SK datagram, or, when it would exceed
 * ike_frag_limit and fragmentation was negotiated, SKF fragments back to
 * back. *out (malloc) holds whole datagrams: ike_send_all sends them. */
int ike_frag_seal(struct ike_sa *sa, struct ike_builder *b, uint8_t **out, size_t *out_len);
/* Sends every datagram of a buffer ike_frag_seal filled (a retransmission
 * resends all fragments, §2.6.1). 0 or the first send error. */
int ike_send_all(struct ike_sa *sa, const uint8_t *msgs, size_t len);
/* An SKF datagram of sa (window and state already checked): its integrity
 * is checked, then it is kept. 1 with the whole plaintext (*plain, malloc)
 * and the type of its first payload once all fragments are there; 0 when
 * kept or ignored (a duplicate); -errno when dropped (counted). again: a
 * retransmitted request we answered: fragment 1 gets our response again. */
int ike_frag_input(struct ike_sa *sa, const struct ike_datagram *d, const struct ike_header *h,
		   const struct ike_payload_list *pl, bool again, uint8_t **plain,
		   size_t *plain_len, uint8_t *first);

enum ike_reasm_result {
	IKE_REASM_KEPT,
	IKE_REASM_DUPLICATE,      /* this fragment number is already kept */
	IKE_REASM_COMPLETE,       /* all Total Fragments kept: take the message */
	IKE_REASM_STALE,          /* fewer Total Fragments than the kept ones (§2.6) */
	IKE_REASM_TOO_LARGE,      /* the message would exceed IKE_REASM_MAX */
	IKE_REASM_NOMEM,
};
/* Keeps one authenticated fragment (1 <= num <= total <= IKE_FRAG_MAX, the
 * caller checked) in *slot. Another message ID, a larger Total Fragments
 * (the sender re-fragmented, §2.6) or a partial message older than
 * IKE_REASM_TIMEOUT_MS starts over. np: Next Payload of fragment 1. */
enum ike_reasm_result ike_reasm_add(struct ike_reasm **slot, uint32_t msg_id, uint16_t num,
				    uint16_t total, uint8_t np, const uint8_t *data, size_t len,
				    uint64_t now_ms);
/* The complete message's plaintext (malloc) and its first payload type;
 * the slot is freed. 0 or -ENOMEM. */
int ike_reasm_take(struct ike_reasm **slot, uint8_t **out, size_t *len, uint8_t *first);
void ike_reasm_free(struct ike_reasm **slot);
/* Frees the partial messages of sa older than IKE_REASM_TIMEOUT_MS. */
void ike_reasm_expire(struct ike_sa *sa, uint64_t now_ms);
/* When ike_reasm_expire would free a partial message, UINT64_MAX if none. */
uint64_t ike_reasm_deadline(const struct ike_sa *sa);

/* --- state machines (ike_state.c) --- */
const char *ike_sa_state_name(enum ike_sa_state s);
const char *child_sa_state_name(enum child_sa_state s);
/* The one setter: refuses (returns false, logs) an illegal move. */
bool ike_sa_set_state(struct ike_sa *sa, enum ike_sa_state to);
bool child_sa_set_state(struct ike_sa *sa, struct child_sa *c, enum child_sa_state to);

/* --- SA table (ike_sa_table.c) --- */
struct ike_sa *ike_sa_new(struct ike *ike, const struct conf_peer *peer, bool initiator);
void ike_sa_destroy(struct ike_sa *sa, const char *reason);  /* children removed, audited */
/* (Re)builds ike->by_endpoint from ike->cfg; 0 or -ENOMEM (then the
 * lookup below searches the configuration linearly). */
int ike_index_endpoints(struct ike *ike);
/* The configured peer whose endpoint has remote's address (any port: NAT-T
 * moves it), as policy_peer_by_endpoint answers, or NULL. */
const struct conf_peer *ike_peer_by_endpoint(const struct ike *ike, const union lg_sockaddr *remote);
void ike_sa_unlink_free(struct ike_sa *sa);                 /* no audit; children must be gone */
/* The SA's exchange secrets, allocated again when an exchange needs them
 * after ike_sa_sec_drop; NULL without memory. */
struct ike_exch_secret *ike_sa_sec(struct ike_sa *sa);
/* Wipes the exchange secrets and returns them to the pool. */
void ike_sa_sec_drop(struct ike_sa *sa);
/* IKE_AUTH is over: the IKE_SA_INIT messages, our DH public value and the
 * exchange secrets go (rekeys bring their own); the nonces stay
 * (settle_duplicate compares them). */
void ike_sa_exchange_done(struct ike_sa *sa);
/* *slot = a malloc'd copy of src (random bytes when src is NULL) of len
 * bytes, the old one freed; 0 or -ENOMEM (then *slot is NULL, *slot_len 0). */
int ike_sa_set_bytes(uint8_t **slot, size_t *slot_len, const uint8_t *src, size_t len);
struct ike_sa *ike_sa_by_spi(struct ike *ike, const uint8_t our_spi[8], bool we_initiator);
struct ike_sa *ike_sa_half_open_lookup(struct ike *ike, const uint8_t spi_i[8],
				       const union lg_sockaddr *remote);
struct ike_sa *ike_sa_by_peer(struct ike *ike, const char *peer_name);
/* The peer's IKE SAs in any state, one per call (*pos = 0 first); the SAs
 * must not be created or freed during the walk. */
struct ike_sa *ike_sa_peer_next(const struct ike *ike, const char *peer_name, size_t *pos);
/* Indexes a responder SA by spi_i and sa->remote (again after a move). */
void ike_sa_index_remote(struct ike_sa *sa);
/* A template's half-open SA becomes its instance's (IKE_AUTH named the
 * identity): peer, name and the by-peer index. 0 or -ENOMEM (unindexed:
 * the caller fails the SA). */
int ike_sa_set_peer(struct ike_sa *sa, const struct conf_peer *peer);
/* The template an IKE_SA_INIT from no configured address is for: the one
 * of the uplink it arrived on, else the first (which the ingress check
 * then refuses); NULL when the config has none. */
const struct conf_peer *ike_template_for(const struct ike *ike, const struct ike_datagram *d);
/* The template judged at the datagram's source address and ingress: region
 * database, uplink, licensing; a refusal is summarised (unauthenticated). */
bool ike_template_allowed(struct ike *ike, const struct conf_peer *tmpl, const struct ike_datagram *d);
/* ike_half_open.c: the state setter's hook into and out of HALF_OPEN. */
void ike_half_open_track(struct ike_sa *sa, bool entering);
/* Authenticated IKE SAs with the peer (any state until dead). */
size_t ike_sa_count_peer(const struct ike *ike, const char *peer_name);
void ike_random_spi(struct ike *ike, uint8_t spi[8]);
uint32_t ike_random_esp_spi(struct ike *ike);
const uint8_t *ike_sa_our_spi(const struct ike_sa *sa);

/* --- half-open admission (ike_half_open.c) --- */
/* Must this IKE_SA_INIT carry a valid cookie (§2.6)? */
bool ike_half_open_cookie_needed(const struct ike *ike, const union lg_sockaddr *from);
/* Room for one more half-open SA from `from` (configured: a peer's own
 * endpoint address)? 0, or -EAGAIN with the refusal counted. */
int ike_half_open_admit(struct ike *ike, const union lg_sockaddr *from, bool configured);

/* --- children (ike_child.c) --- */
struct child_sa *child_sa_new(struct ike_sa *sa);
void child_sa_attach(struct ike_sa *sa, struct child_sa *c);
struct child_sa *child_sa_by_spi_in(struct ike_sa *sa, uint32_t spi_in);
struct child_sa *child_sa_by_spi_out(struct ike_sa *sa, uint32_t spi_out);
struct child_sa *child_sa_by_id(struct ike_sa *sa, uint32_t id);
/* Derives KEYMAT (§2.17) and installs in the datapath + routes; audits.
 * we_initiated: we sent the request of the exchange that created it. */
int child_sa_install(struct ike_sa *sa, struct child_sa *c, bool we_initiated,
		     bool defer_outbound,
		     const uint8_t *gir, size_t gir_len,
		     const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		     const char *event_reason);
/* Responder of a rekey: the new child's outbound waits (see ike.h). */
void child_sa_activate_outbound(struct ike_sa *sa, struct child_sa *c);
/* The IKE SA's endpoint moved: every installed child's ESP follows. */
void child_sa_update_peers(struct ike_sa *sa);
/* Removes from the datapath (routes only when no other child needs them),
 * unlinks and frees; audits child_sa_down with reason. */
void child_sa_remove(struct ike_sa *sa, struct child_sa *c, const char *reason);
void child_sa_free_unlinked(struct child_sa *c);
void child_sa_set_lifetimes(struct ike_sa *sa, struct child_sa *c, uint64_t now);
size_t child_sa_count(const struct ike_sa *sa);
const char *ike_encr_name(uint16_t encr, uint16_t keybits);
const char *ike_prf_name(uint16_t prf);
const char *ike_integ_name(uint16_t integ);

/* --- proposals and selectors (ike_proposal.c) --- */
/* First configured proposal (in config order) that one of `offer` contains.
 * protocol IKE or ESP; need_dh: ESP with PFS (CREATE_CHILD_SA). On success
 * *chosen and *num (the peer's proposal number) and spi are filled. */
bool ike_proposal_match(const struct conf_proposal *conf, size_t n_conf,
			const struct ike_sa_payload *offer, uint8_t protocol, bool ignore_dh,
			struct conf_proposal *chosen, const struct ike_proposal **which);
/* Response check: the single proposal must be one we offered. */
bool ike_proposal_accept_reply(const struct conf_proposal *conf, size_t n_conf,
			       const struct ike_sa_payload *reply, uint8_t protocol, bool ignore_dh,
			       struct conf_proposal *chosen, const struct ike_proposal **which);
int ike_ts_to_ranges(const struct ike_ts_payload *ts, struct lg_range *out, size_t max);
/* Narrow TSi/TSr (as received) to the peer's configured subnets. local/remote
 * are from our point of view. 0, or the notify to send (TS_UNACCEPTABLE).
 * identity: the peer's authenticated identity, the subject of a refusal. */
int ike_narrow_ts(struct ike *ike, const struct conf_peer *peer, const char *identity,
		  bool we_initiator, const struct ike_payload_list *pl, struct child_sa *c);

/* --- messages and exchanges (ike_io.c) --- */
void ike_count_drop(struct ike *ike, enum ike_drop d, const char *detail);
/* The datagram being handled is refused before any authentication: it goes
 * into the audit summary (per reason, uplink, source prefix), never one
 * record per packet. region: of the source, when it was looked up. */
void ike_audit_unauth(struct ike *ike, int audit_event, const char *reason, const char *region);
/* An unprotected answer outside any SA (§1.5, §2.5, §2.6): SPIs, exchange and
 * message ID of the request, one notify. Never larger than the request
 * (no amplification by reflection); never to a response. */
void ike_send_stateless(struct ike *ike, const struct ike_datagram *d, const struct ike_header *h,
			uint16_t type, const uint8_t *data, size_t len);
int ike_send_raw(struct ike_sa *sa, const uint8_t *msg, size_t len);
/* Starts an encrypted request (header, SK open). */
void ike_req_start(struct ike_sa *sa, struct ike_builder *b, uint8_t exchange);
/* Encrypts, sends and arms retransmission of our request. */
int ike_req_send(struct ike_sa *sa, struct ike_builder *b, enum ike_task task);
void ike_resp_start(struct ike_sa *sa, struct ike_builder *b, uint8_t exchange, uint32_t msg_id);
/* Encrypts, caches (duplicate requests) and sends our response. */
int ike_resp_send(struct ike_sa *sa, struct ike_builder *b);
/* Unencrypted (IKE_SA_INIT) variants. */
int ike_req_send_plain(struct ike_sa *sa, struct ike_builder *b, enum ike_task task);
int ike_resp_send_plain(struct ike_sa *sa, struct ike_builder *b);
void ike_req_clear(struct ike_sa *sa);
/* The SK keys of each direction (pointers into sa->keys). */
struct ike_sk_key ike_sk_key_out(const struct ike_sa *sa);
struct ike_sk_key ike_sk_key_in(const struct ike_sa *sa);
void ike_sa_fail(struct ike_sa *sa, const char *reason);  /* audit + destroy + reschedule */
void ike_schedule_initiate(struct ike *ike, const struct conf_peer *peer, uint64_t delay_ms);
/* Something about sa changed outside its timers (a message, an admin
 * command, a new request): ike_tick looks at it at its next tick. */
void ike_sa_touch(struct ike_sa *sa);
/* An initiator peer's next_initiate_ms was set to at (ike_timers.c). */
void ike_initiate_note(struct ike *ike, uint64_t at);
/* --- retry schedule (ike_retry.c) --- */
/* The next back-off: retry-min first, then doubled, at most retry-max. */
uint32_t ike_retry_backoff(uint32_t prev_ms, uint32_t min_s, uint32_t max_s);
/* ms scaled into [0.8 ms, 1.2 ms) by a uniform 32-bit random number. */
uint32_t ike_retry_jitter(uint32_t ms, uint32_t rnd);
/* Our request's next retransmission (or give-up) after `tries` resends:
 * IKE_RETRANSMIT_BASE_MS << tries, jittered ±IKE_RETRANSMIT_JITTER_PCT. */
void ike_req_schedule(struct ike_request *r, uint64_t now);
/* An attempt failed or the SA died: note why and, when retry is set (and the
 * peer initiates), schedule the next attempt. */
void ike_retry_failed(struct ike *ike, const struct conf_peer *peer, const char *reason,
		      bool retry);
void ike_retry_reset(struct ike *ike, const struct conf_peer *peer);
int ike_peer_index(const struct ike *ike, const struct conf_peer *peer);
void ike_identity_format(const struct conf_identity *id, char *out, size_t n);
bool ike_runtime_allowed(struct ike *ike, const struct conf_peer *peer, const char *ingress);
enum policy_reason ike_runtime_check(struct ike *ike, const struct conf_peer *peer, const char *ingress);
bool ike_runtime_would_allow(struct ike *ike, const struct conf_peer *peer);
/* The peer's checks applied to `to` instead of its configured endpoint (the
 * address an SA uses or would move to); a refusal is audited with the SA's
 * current and the new address. */
enum policy_reason ike_endpoint_check(struct ike *ike, const struct ike_sa *sa, const union lg_sockaddr *to,
				      const char *ingress);
void ike_jitter_lifetimes(struct ike_sa *sa, uint64_t now);

/* --- exchanges --- */
int ike_sa_init_initiator_start(struct ike *ike, const struct conf_peer *peer, uint64_t now);
void ike_sa_init_initiator_response(struct ike_sa *sa, const struct ike_header *h,
				    const uint8_t *msg, size_t len, const struct ike_payload_list *pl);
void ike_sa_init_responder(struct ike *ike, const struct ike_datagram *d, const struct ike_header *h,
			   const struct ike_payload_list *pl);
int ike_sa_init_compute_keys(struct ike_sa *sa, const uint8_t *peer_pub, size_t peer_len);
void ike_nat_detect(struct ike_sa *sa, const struct ike_payload_list *pl, const union lg_sockaddr *local);
void ike_build_natd(struct ike_builder *b, struct ike_sa *sa);

int ike_auth_initiator_start(struct ike_sa *sa);
void ike_auth_initiator_response(struct ike_sa *sa, const struct ike_payload_list *pl);
void ike_auth_responder(struct ike_sa *sa, uint32_t msg_id, const struct ike_payload_list *pl);
bool ike_auth_verify_peer(struct ike_sa *sa, const struct ike_payload_list *pl,
			  const struct ike_id *id, const struct ike_auth *auth);

int ike_child_rekey_start(struct ike_sa *sa, struct child_sa *old);
/* Nonce order of §2.8.1 and the lower of two nonces (collision rules). */
int ike_nonce_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl);
void ike_nonce_min(const uint8_t *a, size_t al, const uint8_t *b, size_t bl, uint8_t *out,
		   size_t *outl);
int ike_rekey_ike_start(struct ike_sa *sa);
void ike_create_child_responder(struct ike_sa *sa, uint32_t msg_id, const struct ike_payload_list *pl);
void ike_create_child_initiator_response(struct ike_sa *sa, const struct ike_payload_list *pl);

int ike_info_dpd_start(struct ike_sa *sa);
int ike_info_delete_child_start(struct ike_sa *sa, struct child_sa *c);
int ike_info_delete_ike_start(struct ike_sa *sa);
void ike_info_responder(struct ike_sa *sa, uint32_t msg_id, const struct ike_payload_list *pl);
void ike_info_initiator_response(struct ike_sa *sa, const struct ike_payload_list *pl);

/* Encrypted-message dispatch after decryption (ike_input.c). */
void ike_sa_adopt_children(struct ike_sa *to, struct ike_sa *from);
