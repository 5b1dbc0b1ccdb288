/* ESP fast path: the SA table (control plane installs, workers look up) and
 * per-packet encapsulation/decapsulation (RFC 4303 tunnel mode, RFC 3948
 * UDP encapsulation is done by the caller's socket on port 4500).
 *
 * Threads: esp_table_install/remove/stats run on the control thread only.
 * esp_encrypt/esp_decrypt run on any number of worker threads at once,
 * each with its own struct esp_worker; lookups take no lock (read-mostly
 * snapshot published with an atomic pointer, freed after every worker has
 * passed esp_worker_quiescent()). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "linegate/types.h"
#include "linegate/ikev2.h"

enum {
	ESP_MAX_TS = 8,
	ESP_OWNER_MAX = 64,   /* = CONF_NAME_MAX */
	ESP_HEADROOM = ESP_HEADER_LEN + ESP_IV_LEN,   /* 16: inner packet offset */
	ESP_BUF_SIZE = 65536 + 64,                    /* a packet buffer */
	ESP_REPLAY_WINDOW = 4096,                     /* bits, RFC 6479 bitmap */
};

enum esp_cipher {
	ESP_CIPHER_CHACHA20_POLY1305 = IKEV2_ENCR_CHACHA20_POLY1305,
	ESP_CIPHER_AES256_GCM16 = IKEV2_ENCR_AES_GCM_16,
	/* RFC 3602 + RFC 4868, encrypt-then-MAC: cipher_keybits and integ say which */
	ESP_CIPHER_AES_CBC = IKEV2_ENCR_AES_CBC,
};

/* Why a packet was dropped; names in esp_verdict_name() are stable. */
enum esp_verdict {
	ESP_OK = 0,
	ESP_DROP_MALFORMED,        /* too short, bad length, bad IP header */
	ESP_DROP_NO_SA,            /* outbound: no CHILD SA for the destination */
	ESP_DROP_BAD_SPI,          /* inbound: unknown SPI */
	ESP_DROP_REPLAY,
	ESP_DROP_AUTH,             /* ICV check failed */
	ESP_DROP_PADDING,          /* padding not 1,2,3,... or pad length too big */
	ESP_DROP_SELECTOR,         /* inner addresses outside the SA's selectors */
	ESP_DROP_SEQ_EXHAUSTED,    /* hard sequence-number limit reached */
	ESP_DROP_LIFETIME,         /* hard byte/packet limit reached */
	ESP_DROP_NEXT_HEADER,      /* not IPv4/IPv6 inside */
	ESP_DROP_DUMMY,            /* authenticated dummy packet, next header 59
				    * (RFC 4303 §2.6): dropped without a log line */
	ESP_VERDICT_COUNT
};
const char *esp_verdict_name(enum esp_verdict v);

/* A CHILD SA = an inbound and an outbound SA with its selectors. */
struct esp_child_params {
	uint32_t child_id;               /* control-plane handle, unique, != 0 */
	enum esp_cipher cipher;
	uint16_t cipher_keybits;         /* AES-CBC: 128 or 256 (the AEADs: 256 or 0) */
	uint16_t integ;                  /* AES-CBC: IKEV2_INTEG_HMAC_SHA2_*; AEAD: 0 */
	uint32_t spi_in, spi_out;        /* network-order value as on the wire, host int */
	/* AEAD: 32-byte key + salt; AES-CBC: the key in the first 16 or 32
	 * bytes and the HMAC key (32, 48 or 64 bytes) in integ_in / integ_out */
	uint8_t key_in[32], salt_in[4];  /* decrypts what the peer sends */
	uint8_t key_out[32], salt_out[4];
	uint8_t integ_in[64], integ_out[64];
	bool esn;                        /* 64-bit extended sequence numbers */
	struct lg_prefix local_ts[ESP_MAX_TS];
	size_t n_local_ts;
	struct lg_prefix remote_ts[ESP_MAX_TS];
	size_t n_remote_ts;
	union lg_sockaddr peer;          /* outer destination (port 4500) */
	int uplink;                      /* which uplink's socket sends it */
	uint64_t hard_bytes, hard_packets;  /* 0 = unlimited */
	/* the peer (or static SA) that negotiated it: flow records name it,
	 * never a lookup of the outer address, which NAT-T may move */
	char owner[ESP_OWNER_MAX];
};

struct esp_child_stats {
	uint64_t packets_in, bytes_in, packets_out, bytes_out;
	uint64_t first_activity_ms, last_in_ms, last_out_ms;  /* wall clock, 0 = never */
	uint64_t seq_out;                /* last sequence number sent */
	uint64_t replay_drops, auth_drops, selector_drops;
	bool rekey_wanted;               /* seq / soft limits near: ask for a rekey */
	uint64_t dummy_in;               /* authenticated dummy packets (next header 59) */
};

/* Limits (RFC 4303 §3.3.3: the counter never cycles). Soft limits set
 * rekey_wanted; the hard ones drop with SEQ_EXHAUSTED / LIFETIME. Soft byte
 * and packet limits are 7/8 of the configured hard ones. */
#define ESP_SEQ_HARD_32 UINT64_C(0xffffffff)
#define ESP_SEQ_SOFT_32 UINT64_C(0xf0000000)
#define ESP_SEQ_HARD_64 UINT64_C(0xffffffffffffff00)
#define ESP_SEQ_SOFT_64 UINT64_C(0xf000000000000000)

struct esp_table;
struct esp_worker;

struct esp_table *esp_table_new(void);
/* Wipes every key. Every esp_worker of the table must be freed before. */
void esp_table_free(struct esp_table *t);
/* Make before break: installing a child whose selectors equal an existing
 * one makes it the outbound choice at once; the old one keeps decrypting
 * until esp_table_remove(old). Keys are copied into sodium memory. */
int esp_table_install(struct esp_table *t, const struct esp_child_params *p);
/* The responder's half of make before break (RFC 7296 §2.8): the child
 * decrypts at once but is not chosen for outbound until
 * esp_table_activate_outbound(), so nothing leaves on an SA the peer may
 * not have installed yet. Activation makes it the newest outbound choice. */
int esp_table_install_inbound(struct esp_table *t, const struct esp_child_params *p);
int esp_table_activate_outbound(struct esp_table *t, uint32_t child_id);
int esp_table_remove(struct esp_table *t, uint32_t child_id);
/* NAT rebinding (RFC 7296 §2.23): IKE followed the peer to a new outer
 * address/port; the child's packets go there from now on. Workers read
 * the peer through an atomic pointer, so never a torn address. */
int esp_table_update_peer(struct esp_table *t, uint32_t child_id,
			  const union lg_sockaddr *peer);
int esp_table_stats(struct esp_table *t, uint32_t child_id, struct esp_child_stats *out);
/* Everything one owner (peer or static SA, esp_child_params.owner) has
 * carried since start: its removed SAs (rekeys, restarts) and its live ones,
 * so the counters never go backwards when an SA is replaced. first_activity
 * is the earliest, last_in/last_out the latest; seq_out is not summed. */
struct esp_owner_totals {
	struct esp_child_stats s;
	uint64_t sas_retired;
	size_t sas_live;
};
void esp_table_owner_totals(struct esp_table *t, const char *owner, struct esp_owner_totals *out);
/* Sum of every worker's drop counters by verdict. */
void esp_table_drops(struct esp_table *t, uint64_t out[ESP_VERDICT_COUNT]);
/* Calls fn for every installed child (control thread). The params carry no
 * keys (zeroed); fn must not call back into the table (its lock is held). */
void esp_table_foreach(struct esp_table *t,
		       void (*fn)(void *ctx, const struct esp_child_params *p,
				  const struct esp_child_stats *s), void *ctx);

struct esp_worker *esp_worker_new(struct esp_table *t);
void esp_worker_free(struct esp_worker *w);
/* The worker holds no table pointer between calls from here on. Call it
 * after every batch and before blocking: a retired snapshot or removed SA
 * is freed only once every worker has passed this point. */
void esp_worker_quiescent(struct esp_worker *w);

struct esp_route {
	int uplink;
	union lg_sockaddr peer;
};

/* buf holds ESP_BUF_SIZE bytes; the inner IP packet is at buf + ESP_HEADROOM,
 * inner_len long. On ESP_OK the ESP packet (SPI .. ICV) is at buf[0..*esp_len)
 * and *route says where it goes. No allocation, no syscall. */
enum esp_verdict esp_encrypt(struct esp_worker *w, uint8_t *buf, size_t inner_len,
			     size_t *esp_len, struct esp_route *route);
/* buf[0..esp_len) is an ESP packet (UDP payload, no marker). On ESP_OK the
 * inner packet is at buf + ESP_HEADROOM, *inner_len long, and it has passed
 * replay, ICV and selector checks; from is the authenticated outer source. */
enum esp_verdict esp_decrypt(struct esp_worker *w, uint8_t *buf, size_t esp_len,
			     size_t *inner_len, const union lg_sockaddr *from);

/* Fail closed (DESIGN: no packet for a configured peer's remote subnets
 * leaves unencrypted): the daemon declares every configured peer's remote
 * subnets as holds; a packet to a hold without an SA is dropped (no_sa) and
 * also counted under the hold's tag (the peer's index), so an operator sees
 * which peer's traffic is being held back. Replaces the whole set; the
 * counters restart at zero. As many holds as peers' subnets; a tag is below
 * ESP_HOLD_TAG_LIMIT (a sanity bound on the counters allocated, 16M peers). */
enum { ESP_HOLD_TAG_LIMIT = 1 << 24 };
struct esp_hold {
	struct lg_prefix dst;
	uint32_t tag;
};
int esp_table_set_holds(struct esp_table *t, const struct esp_hold *h, size_t n);
/* Packets held (dropped for want of an SA) under tag since the last set
 * (0 for a tag no hold carries). Control thread. */
uint64_t esp_table_hold_drops(struct esp_table *t, uint32_t tag);

/* Which ciphers this CPU runs: AES-GCM needs AES-NI (libsodium's check);
 * AES-CBC (nettle) runs everywhere. */
bool esp_cipher_available(enum esp_cipher c);
