/* The IKEv2 wire layer (RFC 7296 §3): message header, the generic payload
 * chain, typed payload decoders and the builder for every payload we send.
 * Untrusted bytes are read only through cursor.h, in two steps: the chain is
 * validated for lengths first (ike_payloads_split), then each payload body is
 * interpreted by its own decoder. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "linegate/ikev2.h"
#include "linegate/types.h"

struct ike_sk_key;

enum {
	IKE_MSG_MAX = 8192,         /* what we build; IKE_AUTH with Ed25519 is < 600 */
	IKE_MAX_PAYLOADS = 32,
	IKE_MAX_PROPOSALS = 32,          /* strongSwan's "default" sends long lists */
	IKE_MAX_TRANSFORMS = 64,
	IKE_MAX_TS = 16,
	IKE_MAX_DELETE_SPIS = 32,
	IKE_COOKIE_MAX = 64,        /* §2.6: 1..64 bytes */
	/* RFC 7383: Encrypted Fragment payload header (generic header,
	 * Fragment Number, Total Fragments), all of it in the AAD (§2.5) */
	IKE_SKF_HEADER_LEN = IKEV2_GENERIC_PAYLOAD_HEADER_LEN + 4,
	IKE_FRAG_MAX = 64,          /* fragments of one message, sent or received */
	IKE_REASM_MAX = 32768,      /* reassembled plaintext of one message */
};

struct ike_header {
	uint8_t spi_i[8], spi_r[8];
	uint8_t next_payload;
	uint8_t version;
	uint8_t exchange;
	uint8_t flags;
	uint32_t msg_id;
	uint32_t length;
};

static inline bool ike_hdr_is_response(const struct ike_header *h)
{
	return h->flags & IKEV2_FLAG_RESPONSE;
}
static inline bool ike_hdr_from_initiator(const struct ike_header *h)
{
	return h->flags & IKEV2_FLAG_INITIATOR;
}

/* One payload of a chain; body points into the message. */
struct ike_payload {
	uint8_t type;
	bool critical;
	const uint8_t *body;
	size_t len;
};

struct ike_payload_list {
	struct ike_payload p[IKE_MAX_PAYLOADS];
	size_t n;
	uint8_t sk_next;            /* SK: type of the first inner payload */
	uint8_t unsupported;        /* first critical payload we do not implement */
};

/* Header: version 2.x, length equal to the datagram, at least the header.
 * 0 or -EINVAL (-EPROTONOSUPPORT for another major version). */
int ike_header_parse(const uint8_t *msg, size_t len, struct ike_header *h);
/* Step one: splits a chain (first payload type `first`) into bodies, checking
 * only lengths. An SK payload must be the last one. 0 or -EINVAL; a critical
 * payload we do not implement gives -EOPNOTSUPP with the whole chain split
 * and its type in out->unsupported (answer UNSUPPORTED_CRITICAL_PAYLOAD). */
int ike_payloads_split(uint8_t first, const uint8_t *data, size_t len,
		       struct ike_payload_list *out);
const struct ike_payload *ike_payload_find(const struct ike_payload_list *l, uint8_t type);
size_t ike_payload_count(const struct ike_payload_list *l, uint8_t type);
const char *ike_payload_name(uint8_t type);
const char *ike_exchange_name(uint8_t exchange);
const char *ike_notify_name(uint16_t type);

/* --- typed payloads ----------------------------------------------------- */

struct ike_transform {
	uint8_t type;
	uint16_t id;
	uint16_t keybits;           /* KEY_LENGTH attribute, 0 when absent */
};

struct ike_proposal {
	uint8_t num;
	uint8_t protocol;
	uint8_t spi_len;
	uint8_t spi[8];
	size_t n_transforms;
	struct ike_transform t[IKE_MAX_TRANSFORMS];
};

struct ike_sa_payload {
	size_t n;
	struct ike_proposal p[IKE_MAX_PROPOSALS];
};

struct ike_ke {
	uint16_t group;
	const uint8_t *data;
	size_t len;
};

struct ike_id {
	uint8_t type;
	const uint8_t *data;
	size_t len;
	const uint8_t *body;        /* the whole body: input of prf(SK_p, IDx') */
	size_t body_len;
};

struct ike_auth {
	uint8_t method;
	const uint8_t *data;
	size_t len;
};

struct ike_notify {
	uint8_t protocol;
	uint8_t spi_len;
	uint16_t type;
	const uint8_t *spi;
	const uint8_t *data;
	size_t data_len;
};

struct ike_delete {
	uint8_t protocol;
	uint8_t spi_len;
	size_t n_spis;
	uint32_t esp_spis[IKE_MAX_DELETE_SPIS]; /* ESP SPIs as host integers */
};

struct ike_ts {
	uint8_t type;
	uint8_t ip_proto;
	uint16_t start_port, end_port;
	struct lg_range range;
};

struct ike_ts_payload {
	size_t n;
	struct ike_ts ts[IKE_MAX_TS];
};

/* Step two: decoders, 0 or -EINVAL. */
int ike_decode_sa(const struct ike_payload *p, struct ike_sa_payload *out);
int ike_decode_ke(const struct ike_payload *p, struct ike_ke *out);
int ike_decode_nonce(const struct ike_payload *p, const uint8_t **nonce, size_t *len);
int ike_decode_id(const struct ike_payload *p, struct ike_id *out);
int ike_decode_auth(const struct ike_payload *p, struct ike_auth *out);
int ike_decode_notify(const struct ike_payload *p, struct ike_notify *out);
int ike_decode_delete(const struct ike_payload *p, struct ike_delete *out);
int ike_decode_ts(const struct ike_payload *p, struct ike_ts_payload *out);

/* Which payloads an exchange may carry, where, and how often (RFC 7296
 * §1.2-§1.4, §3): 0, or -EINVAL naming the offending type in *bad. inner:
 * the chain inside SK; else the plain chain of the message. Types we do not
 * know (and that are not critical) are skipped, as §2.5 asks. */
int ike_payloads_check(uint8_t exchange, bool inner, const struct ike_payload_list *l,
		       uint8_t *bad);

/* Every known payload of the chain decodes (0), or -EINVAL. */
int ike_payloads_validate(const struct ike_payload_list *l);
/* Finds the first notify of a type; true when present (out may be NULL). */
bool ike_find_notify(const struct ike_payload_list *l, uint16_t type, struct ike_notify *out);
/* First notify with an error type (< 16384), 0 when none. */
uint16_t ike_first_error_notify(const struct ike_payload_list *l);

/* --- builder ------------------------------------------------------------ */

struct ike_builder {
	uint8_t buf[IKE_MSG_MAX];
	size_t len;
	size_t np_off;              /* byte to patch with the next payload's type */
	size_t open;                /* offset of the payload being written */
	size_t sk_off;              /* offset of the SK payload, 0 = none */
	bool error;                 /* overflow */
};

void ike_build_start(struct ike_builder *b, const uint8_t spi_i[8], const uint8_t spi_r[8],
		     uint8_t exchange, uint8_t flags, uint32_t msg_id);
/* Opens a payload of `type` (the previous one gets it as next payload). */
void ike_build_begin(struct ike_builder *b, uint8_t type);
void ike_build_end(struct ike_builder *b);
void ike_build_u8(struct ike_builder *b, uint8_t v);
void ike_build_u16(struct ike_builder *b, uint16_t v);
void ike_build_u32(struct ike_builder *b, uint32_t v);
void ike_build_bytes(struct ike_builder *b, const void *p, size_t n);
/* Starts the SK payload: every payload after it is encrypted by
 * ike_build_finish_sk. */
void ike_build_sk_begin(struct ike_builder *b);
/* Plain message: sets the total length. 0 or -EMSGSIZE. */
int ike_build_finish(struct ike_builder *b);
/* Encrypted message: lengths, then AEAD over the inner payloads. */
int ike_build_finish_sk(struct ike_builder *b, const struct ike_sk_key *k);
/* IV, padding, pad length and ICV around plain_len bytes under k; with
 * plain_len 0 it is the most any plaintext's can be. */
size_t ike_sk_msg_overhead(const struct ike_sk_key *k, size_t plain_len);
/* Seals an SK or SKF payload in place: msg holds the IKE header, the
 * payload's generic header at pl_off, the rest of the AAD up to aad_len,
 * IKEV2_AEAD_IV_LEN bytes of room for the IV and then plain_len bytes of
 * plaintext (moved up for a longer IV). Patches the payload and message
 * lengths (the AAD / ICV covers them), encrypts; *out_len is the datagram.
 * 0 or -EMSGSIZE (cap) or the cipher's error. */
int ike_sk_seal_payload(const struct ike_sk_key *k, uint8_t *msg, size_t pl_off, size_t aad_len,
			size_t plain_len, size_t cap, size_t *out_len);
/* The datagram size ike_build_finish_sk would produce under k. */
size_t ike_build_sealed_len(const struct ike_builder *b, const struct ike_sk_key *k);

/* Whole payloads */
struct conf_proposal;
/* One proposal per configured entry; protocol IKE or ESP; spi of spi_len. */
void ike_build_sa(struct ike_builder *b, const struct conf_proposal *props, size_t n,
		  uint8_t protocol, const uint8_t *spi, size_t spi_len, bool with_dh);
/* The single chosen proposal (responses): number kept from the request. */
void ike_build_sa_one(struct ike_builder *b, uint8_t num, const struct conf_proposal *prop,
		      uint8_t protocol, const uint8_t *spi, size_t spi_len, bool with_dh);
void ike_build_ke(struct ike_builder *b, uint16_t group, const uint8_t *data, size_t len);
void ike_build_nonce(struct ike_builder *b, const uint8_t *nonce, size_t len);
void ike_build_id(struct ike_builder *b, uint8_t payload, uint8_t id_type,
		  const uint8_t *data, size_t len);
void ike_build_auth(struct ike_builder *b, uint8_t method, const uint8_t *data, size_t len);
void ike_build_notify(struct ike_builder *b, uint8_t protocol, const uint8_t *spi, size_t spi_len,
		      uint16_t type, const uint8_t *data, size_t len);
void ike_build_delete_esp(struct ike_builder *b, const uint32_t *spis, size_t n);
void ike_build_delete_ike(struct ike_builder *b);
void ike_build_ts(struct ike_builder *b, uint8_t payload, const struct lg_prefix *p, size_t n);
