/* Internals of the ESP module shared by its files and its tests: the AEAD
 * wrappers, the replay window, the SA record, the read-only lookup snapshot
 * and the QSBR bookkeeping that lets workers read it without a lock. */
#pragma once
#include <pthread.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <stdatomic.h>
#include <sodium.h>
#include <nettle/aes.h>
#include <nettle/hmac.h>
#include "linegate/esp.h"
#include "linegate/hash.h"

/* ---- AEAD (aead.c): RFC 7634 / RFC 4106 with an 8-byte explicit IV ---- */

struct esp_aead {
	union {
		crypto_aead_aes256gcm_state gcm;   /* expanded key + H, 16-aligned */
		uint8_t chacha[crypto_aead_chacha20poly1305_ietf_KEYBYTES];
	} k;
	uint8_t salt[IKEV2_AEAD_SALT_LEN];
	enum esp_cipher cipher;
};

/* 0, -ENOTSUP (cipher not on this CPU) or -EINVAL. */
int esp_aead_init(struct esp_aead *a, enum esp_cipher c, const uint8_t key[32],
		  const uint8_t salt[4]);
/* Encrypts buf[0..len) in place and writes the 16-byte ICV to icv. */
void esp_aead_seal(const struct esp_aead *a, const uint8_t iv[ESP_IV_LEN],
		   const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len,
		   uint8_t icv[ESP_ICV_LEN]);
/* Verifies the ICV and decrypts in place; false = forged (buf undefined). */
bool esp_aead_open(const struct esp_aead *a, const uint8_t iv[ESP_IV_LEN],
		   const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len,
		   const uint8_t icv[ESP_ICV_LEN]);

/* ---- AES-CBC + HMAC-SHA2 (cbc.c): RFC 3602, RFC 4868, encrypt-then-MAC ---- */

enum {
	ESP_CBC_BLOCK = 16,
	ESP_CBC_IV_LEN = IKEV2_CBC_IV_LEN,
	ESP_CBC_HEADROOM = ESP_HEADER_LEN + ESP_CBC_IV_LEN,   /* 24: ciphertext offset */
	ESP_CBC_ICV_MAX = 32,                                 /* HMAC-SHA2-512-256 */
	/* the inner packet moves by this much between the two layouts */
	ESP_CBC_SHIFT = ESP_CBC_HEADROOM - ESP_HEADROOM,
};

union esp_cbc_mac {
	struct hmac_sha256_ctx s256;
	struct hmac_sha512_ctx s512;      /* also SHA-384's */
};

/* One direction of a CBC SA: read only once initialised. */
struct esp_cbc {
	union {
		struct aes128_ctx a128;
		struct aes256_ctx a256;
	} aes;                            /* encrypt schedule outbound, decrypt inbound */
	struct aes256_ctx ivk;            /* outbound: IV = AES(ivk, seq) */
	union esp_cbc_mac mac;            /* keyed inner and outer states */
	uint16_t keybits, integ;
	uint8_t icv_len;                  /* 16, 24 or 32 */
	bool outbound;
};

/* AES key length (16, 32) and *integ_len (32, 48, 64); 0 if unsupported. */
size_t esp_cbc_key_len(unsigned keybits, int integ, size_t *integ_len);
/* 0 or -EINVAL. */
int esp_cbc_init(struct esp_cbc *c, unsigned keybits, int integ, const uint8_t *key,
		 const uint8_t *integ_key, bool outbound);
/* pkt: SPI, seq, room for the IV, then ct_len bytes of padded plaintext
 * (a multiple of the block) and room for the ICV behind them. Writes the
 * IV, encrypts in place and appends the ICV. */
void esp_cbc_seal(const struct esp_cbc *c, uint8_t *pkt, uint64_t seq, bool esn, size_t ct_len);
/* Verifies the ICV behind pkt[0..24 + ct_len) (constant time) and only then
 * decrypts in place; false = forged, nothing decrypted. */
bool esp_cbc_open(const struct esp_cbc *c, uint8_t *pkt, uint64_t seq, bool esn, size_t ct_len);

/* ---- anti-replay (replay.c): RFC 4303 §3.4.3, RFC 6479 bitmap ---- */

enum {
	REPLAY_BLOCK_BITS = 64,
	REPLAY_BLOCKS = ESP_REPLAY_WINDOW / REPLAY_BLOCK_BITS,   /* power of two */
	/* RFC 6479 §3: one block is kept spare so a window slide clears whole
	 * blocks; the packets accepted are the last REPLAY_SIZE numbers. */
	REPLAY_SIZE = ESP_REPLAY_WINDOW - REPLAY_BLOCK_BITS,
};

struct replay_window {
	uint64_t top;                         /* highest authenticated seq, 0 = none */
	uint64_t bitmap[REPLAY_BLOCKS];
};

/* The full sequence number a packet carrying seq_lo stands for (RFC 4303
 * Appendix A2.2 with ESN, seq_lo itself without); 0 = none possible. */
uint64_t replay_infer(const struct replay_window *r, uint32_t seq_lo, bool esn);
/* Not yet seen and not left of the window. */
bool replay_check(const struct replay_window *r, uint64_t seq);
/* Marks seq seen after the ICV verified; false if it was seen meanwhile. */
bool replay_update(struct replay_window *r, uint64_t seq);

/* ---- selectors (selector.c) ---- */

struct ts_match {
	uint64_t net[2], mask[2];
	uint8_t family, len;
};

void ts_match_from_prefix(struct ts_match *m, const struct lg_prefix *p);
/* The prefix back (host bits zero, as compiled). */
void ts_match_to_prefix(const struct ts_match *m, struct lg_prefix *p);
static inline bool ts_match_addr(const struct ts_match *m, const uint64_t a[2])
{
	return ((a[0] & m->mask[0]) == m->net[0]) & ((a[1] & m->mask[1]) == m->net[1]);
}
/* addr (4 or 16 bytes) as two words, IPv4 zero-padded. */
static inline void ts_load_addr(uint64_t out[2], int family, const uint8_t *addr)
{
	if (family == AF_INET6) {
		memcpy(out, addr, 16);
	} else {
		uint8_t b[8] = { 0 };   /* memory order, like the masks */
		memcpy(b, addr, 4);
		memcpy(out, b, 8);
		out[1] = 0;
	}
}

/* ---- inner IP header (inner.c) ---- */

struct inner_ip {
	int family;
	size_t len;                 /* from the header's length field */
	uint64_t src[2], dst[2];
};

/* Validates the header of an IPv4/IPv6 packet in buf[0..avail): version,
 * header length, and total length <= avail. 0 or -EINVAL. */
int inner_ip_parse(const uint8_t *buf, size_t avail, struct inner_ip *out);

/* ---- the SA record ---- */

/* What an SA keeps of its esp_child_params: no keys (they live expanded
 * in sodium memory only), no selectors (the compiled ones give them back),
 * no peer (peer_out holds it); esp_table_foreach rebuilds the rest. */
struct esp_sa_params {
	uint32_t child_id, spi_in, spi_out;
	enum esp_cipher cipher;
	uint16_t cipher_keybits, integ;
	bool esn;
	int uplink;
	uint64_t hard_bytes, hard_packets;
	char owner[ESP_OWNER_MAX];
};

struct esp_sa {
	struct esp_sa_params p;
	uint64_t order;                   /* install order: newest wins */
	size_t idx;                       /* in t->sas (control side) */
	bool inbound_only;                /* not in the outbound LPM (yet) */
	/* outer destination for workers; replaced whole on a NAT rebinding,
	 * the old copy retired like a snapshot */
	_Atomic(union lg_sockaddr *) peer_out;
	struct esp_aead *aead;            /* [0] inbound, [1] outbound, sodium memory */
	struct esp_cbc *cbc;              /* the same for AES-CBC (then aead is NULL) */
	uint8_t icv_len;                  /* 16, or the HMAC's 16/24/32 */
	uint64_t seq_hard, seq_soft;
	uint64_t soft_bytes, soft_packets;
	uint64_t iv_mask;                 /* IV = seq ^ mask (strongSwan, Linux seqiv) */
	/* into ts[]: as many as were negotiated, not ESP_MAX_TS of each */
	const struct ts_match *local, *remote;
	uint8_t n_local, n_remote;

	/* outbound, written by every worker */
	_Alignas(64) _Atomic uint64_t seq_out;
	_Atomic uint64_t packets_out, bytes_out, last_out_ms;

	/* inbound */
	_Alignas(64) pthread_spinlock_t replay_lock;
	struct replay_window replay;
	/* one line for them all: _Alignas on a list aligns each declarator */
	_Alignas(64) _Atomic uint64_t packets_in;
	_Atomic uint64_t bytes_in, last_in_ms, dummy_in;
	_Atomic uint64_t replay_drops, auth_drops, selector_drops;
	_Atomic uint64_t first_activity_ms;
	_Atomic bool rekey_wanted;
	/* counters already in its owner's totals (totals.c), from removal on */
	struct esp_child_stats counted;

	struct ts_match ts[];             /* local selectors, then remote ones */
};

/* The allocation of an SA with n selectors (64-byte aligned). */
static inline size_t sa_size(size_t n)
{
	return (offsetof(struct esp_sa, ts) + n * sizeof(struct ts_match) + 63) & ~(size_t)63;
}

void sa_fill_stats(struct esp_sa *sa, struct esp_child_stats *o);
bool sa_local_has(const struct esp_sa *sa, int family, const uint64_t a[2]);
bool sa_remote_has(const struct esp_sa *sa, int family, const uint64_t a[2]);
/* Counts activity: wall-clock first/last, once per millisecond at most. */
void sa_touch(struct esp_sa *sa, _Atomic uint64_t *last, uint64_t now_ms);
uint64_t esp_coarse_wall_ms(void);

/* ---- the lookup snapshot (snapshot.c): immutable once published ---- */

enum { SNAP_SHARDS = 256 };

struct snap_entry {
	uint64_t h;
	struct ts_match m;                /* lpm: the remote selector */
	struct esp_sa *sa;
};

/* Immutable once built: entries and a keyed hash over them. */
struct snap_shard {
	struct lg_hash idx;               /* h -> &e[i] */
	size_t n;
	struct snap_entry e[];
};
#define SNAP_SHARD_NOMEM ((struct snap_shard *)1)

/* The control side's record of what a shard holds (table.c): an SA, and
 * for the LPM which of its remote selectors, with the entry the shard
 * copies (hash and selector worked out once, at snap_member_of): a
 * rebuild then never visits the other SAs of the shard, which at 20,000
 * SAs made the cost of an install grow with their number. */
struct snap_member {
	struct snap_entry e;
	uint32_t j;
};

/* Configured remote subnets (hold.c): where a packet without an SA is
 * counted. Built whole when the holds change, shared by every snapshot
 * until then. */
struct hold_entry {
	struct ts_match m;
	_Atomic uint64_t *drops;          /* the table's counter of its tag */
};
struct hold_set {
	uint32_t lens[2][129];            /* holds per (family, prefix length) */
	struct lg_hash idx;
	size_t n;
	struct hold_entry e[];
};

struct esp_snapshot {
	struct snap_shard *spi[SNAP_SHARDS];   /* by inbound SPI */
	struct snap_shard *lpm[SNAP_SHARDS];   /* by remote selector key */
	uint32_t lens[2][129];            /* selectors per (family, prefix length) */
	const struct hold_set *holds;     /* the table's; NULL = none */
};

uint64_t snap_spi_hash(uint32_t spi);
uint64_t snap_key_hash(uint8_t family, uint8_t len, const uint64_t net[2]);
size_t snap_spi_shard(uint32_t spi);
size_t snap_key_shard(const struct ts_match *m);
void snap_mask(const uint64_t a[2], unsigned len, uint64_t out[2]);
struct snap_member snap_member_of(struct esp_sa *sa, uint32_t j, bool lpm);
/* NULL for n == 0, SNAP_SHARD_NOMEM when out of memory. */
struct snap_shard *snap_shard_build(const struct snap_member *m, size_t n, bool lpm);
void snap_shard_free(struct snap_shard *s);
/* Every shard of sas at once (tests); NULL when out of memory. */
struct esp_snapshot *snapshot_build(struct esp_sa *const *sas, size_t n);
void snapshot_free(struct esp_snapshot *s);       /* the top level only */
void snapshot_free_all(struct esp_snapshot *s);   /* with its shards */
void hold_set_free(struct hold_set *h);
/* Counts a packet without an SA against the longest hold covering dst. */
void snapshot_count_hold(const struct esp_snapshot *s, int family, const uint64_t dst[2]);
struct esp_sa *snapshot_find_spi(const struct esp_snapshot *s, uint32_t spi);
/* Outbound choice for (src, dst); NULL with *selector_sa set when the
 * destination matched but the source is outside the local selectors. */
struct esp_sa *snapshot_route(const struct esp_snapshot *s, int family,
			      const uint64_t src[2], const uint64_t dst[2],
			      struct esp_sa **selector_sa);

/* ---- table and workers (table.c, worker.c) ---- */

#define ESP_EPOCH_OFFLINE UINT64_MAX

struct retired {
	uint64_t epoch;                   /* free once every worker has seen it */
	struct esp_snapshot *snap;        /* the top level only */
	struct snap_shard **shards;       /* the shards the next one replaced */
	size_t n_shards;
	struct hold_set *holds;
	struct esp_sa *sa;
	union lg_sockaddr *peer;
	void *mem;                        /* e.g. replaced hold counters */
	struct retired *next;
};

struct esp_worker {
	struct esp_table *t;
	_Atomic uint64_t seen;            /* epoch when it went online, or OFFLINE */
	bool online;
	_Atomic uint64_t drops[ESP_VERDICT_COUNT];
	uint64_t log_next_ms;             /* per-worker log rate limit */
	uint64_t log_suppressed;
	struct esp_worker *next;
};

struct esp_table {
	_Atomic(struct esp_snapshot *) snap;
	_Atomic uint64_t epoch;
	pthread_mutex_t lock;             /* all below; never taken per packet */
	struct esp_worker *workers;
	struct retired *retired;
	struct esp_sa **sas;
	size_t n_sas, cap_sas;
	/* control-side indexes and the members of each snapshot shard; a
	 * shard marked dirty is rebuilt at the next publish */
	struct lg_hash by_child;          /* child_id -> sa */
	struct lg_hash by_spi;            /* spi_in -> sa */
	struct snap_set {
		struct snap_member *m;
		size_t n, cap;
		bool dirty;
	} spi_set[SNAP_SHARDS], lpm_set[SNAP_SHARDS];
	uint32_t lens[2][129];
	struct hold_set *hold_set;        /* built from holds (hold.c) */
	uint64_t next_order;
	uint64_t gone_drops[ESP_VERDICT_COUNT];   /* of freed workers */
	struct esp_hold *holds;           /* configured remote subnets (hold.c) */
	size_t n_holds;
	_Atomic uint64_t *hold_drops;     /* per tag; retired with the snapshot */
	size_t n_hold_tags;
	struct owner_total *owners;       /* removed SAs' counters (totals.c) */
	size_t n_owners, cap_owners;
};

/* totals.c: an owner's (peer's) counters outlive its SAs (rekeys). A removed
 * SA is counted at once and its last in-flight packets when it is freed. */
struct owner_total {
	char owner[ESP_OWNER_MAX];
	struct esp_child_stats sum;
	uint64_t retired;
};
void totals_retire_locked(struct esp_table *t, struct esp_sa *sa);
void totals_unretire_locked(struct esp_table *t, struct esp_sa *sa);
void totals_reclaim_locked(struct esp_table *t, struct esp_sa *sa);

/* Publishes a snapshot with the dirty shards rebuilt and t->hold_set;
 * retires the old top level, the replaced shards and `gone` (may be NULL),
 * plus `mem` and `holds` (freed once no worker can see them). Called with
 * t->lock held; on -ENOMEM nothing is published and the shards stay dirty. */
int table_publish_locked(struct esp_table *t, struct esp_sa *gone);
int table_publish_retire_locked(struct esp_table *t, struct esp_sa *gone, void *mem,
				struct hold_set *holds);
/* Frees what no worker can still see. Called with t->lock held. */
void table_reclaim_locked(struct esp_table *t);
void sa_free(struct esp_sa *sa);

/* Worker side: marks the worker online and returns the current snapshot. */
static inline const struct esp_snapshot *worker_enter(struct esp_worker *w)
{
	if (!w->online) {
		atomic_store(&w->seen, atomic_load(&w->t->epoch));
		w->online = true;
	}
	/* seq_cst store of seen, then seq_cst load of snap (a plain load on
	 * x86): with the control thread's seq_cst publish, epoch increment and
	 * scan, either it sees us online or we see its new snapshot. */
	return atomic_load(&w->t->snap);
}

static inline enum esp_verdict worker_drop(struct esp_worker *w, enum esp_verdict v)
{
	/* Only this worker writes its counters: load + store, no RMW. */
	uint64_t n = atomic_load_explicit(&w->drops[v], memory_order_relaxed);
	atomic_store_explicit(&w->drops[v], n + 1, memory_order_relaxed);
	return v;
}

/* Rate-limited log line for a drop (at most one per second per worker). */
void worker_log_drop(struct esp_worker *w, enum esp_verdict v, const char *dir,
		     uint32_t spi, const union lg_sockaddr *from);

/* ---- test hooks (control thread, before traffic) ---- */
int esp_table_test_set_iv_mask(struct esp_table *t, uint32_t child_id, uint64_t mask);
int esp_table_test_set_seq_out(struct esp_table *t, uint32_t child_id, uint64_t seq);
int esp_table_test_set_replay_top(struct esp_table *t, uint32_t child_id, uint64_t top);
