/* Builders for every payload we send (RFC 7296 §3). Writes never overflow:
 * the builder records an error and ike_build_finish* refuses the message. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include "linegate/config.h"
#include "linegate/ike_crypto.h"
#include "ike_wire.h"

static void put(struct ike_builder *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (b->error || n > sizeof(b->buf) - b->len) {
		b->error = true;
		return;
	}
	memcpy(b->buf + b->len, p, n);
	b->len += n;
}

static void patch_u16(struct ike_builder *b, size_t off, uint16_t v)
{
	b->buf[off] = v >> 8;
	b->buf[off + 1] = v & 0xff;
}

static void patch_u32(struct ike_builder *b, size_t off, uint32_t v)
{
	patch_u16(b, off, v >> 16);
	patch_u16(b, off + 2, v & 0xffff);
}

void ike_build_u8(struct ike_builder *b, uint8_t v) { put(b, &v, 1); }
void ike_build_u16(struct ike_builder *b, uint16_t v)
{
	uint8_t x[2] = { v >> 8, v & 0xff };
	put(b, x, 2);
}
void ike_build_u32(struct ike_builder *b, uint32_t v)
{
	ike_build_u16(b, v >> 16);
	ike_build_u16(b, v & 0xffff);
}
void ike_build_bytes(struct ike_builder *b, const void *p, size_t n) { put(b, p, n); }

void ike_build_start(struct ike_builder *b, const uint8_t spi_i[8], const uint8_t spi_r[8],
		     uint8_t exchange, uint8_t flags, uint32_t msg_id)
{
	b->len = 0;
	b->error = false;
	b->open = 0;
	b->sk_off = 0;
	put(b, spi_i, 8);
	put(b, spi_r, 8);
	b->np_off = b->len;
	ike_build_u8(b, IKEV2_PAYLOAD_NONE);
	ike_build_u8(b, IKEV2_VERSION);
	ike_build_u8(b, exchange);
	ike_build_u8(b, flags);
	ike_build_u32(b, msg_id);
	ike_build_u32(b, 0);         /* length, patched at finish */
}

void ike_build_begin(struct ike_builder *b, uint8_t type)
{
	if (b->error || b->len + 4 > sizeof(b->buf)) {
		b->error = true;
		return;
	}
	b->buf[b->np_off] = type;
	b->open = b->len;
	b->np_off = b->len;
	ike_build_u8(b, IKEV2_PAYLOAD_NONE);
	ike_build_u8(b, 0);
	ike_build_u16(b, 0);
}

void ike_build_end(struct ike_builder *b)
{
	if (!b->error)
		patch_u16(b, b->open + 2, (uint16_t)(b->len - b->open));
}

void ike_build_sk_begin(struct ike_builder *b)
{
	ike_build_begin(b, IKEV2_PAYLOAD_SK);
	b->sk_off = b->open;
	uint8_t iv[IKEV2_AEAD_IV_LEN] = { 0 };   /* filled by ike_sk_encrypt */
	put(b, iv, sizeof(iv));
}

int ike_build_finish(struct ike_builder *b)
{
	if (b->error)
		return -EMSGSIZE;
	patch_u32(b, 24, (uint32_t)b->len);
	return 0;
}

size_t ike_sk_msg_overhead(const struct ike_sk_key *k, size_t plain_len)
{
	if (k->encr == IKEV2_ENCR_AES_CBC)
		return ike_sk_cbc_overhead(k->integ, plain_len);
	return ike_sk_overhead();
}

int ike_sk_seal_payload(const struct ike_sk_key *k, uint8_t *msg, size_t pl_off, size_t aad_len,
			size_t plain_len, size_t cap, size_t *out_len)
{
	size_t total = aad_len + plain_len + ike_sk_msg_overhead(k, plain_len);
	size_t iv_len = ike_sk_iv_len(k->encr);

	if (total > cap || total > IKEV2_MAX_MESSAGE || aad_len < pl_off + 4)
		return -EMSGSIZE;
	/* the room left is an AEAD's 8-byte IV; CBC's is 16 */
	if (iv_len > IKEV2_AEAD_IV_LEN)
		memmove(msg + aad_len + iv_len, msg + aad_len + IKEV2_AEAD_IV_LEN, plain_len);
	/* the AAD / ICV input covers the final lengths (RFC 5282 §5.1,
	 * RFC 7296 §3.14, RFC 7383 §2.5) */
	msg[pl_off + 2] = (uint8_t)((total - pl_off) >> 8);
	msg[pl_off + 3] = (uint8_t)(total - pl_off);
	for (int i = 0; i < 4; i++)
		msg[24 + i] = (uint8_t)(total >> (24 - 8 * i));
	int r = ike_sk_seal(k, msg, aad_len, plain_len, cap, out_len);
	if (r < 0)
		return r;
	return *out_len == total ? 0 : -EMSGSIZE;
}

size_t ike_build_sealed_len(const struct ike_builder *b, const struct ike_sk_key *k)
{
	size_t plain_len = b->len - b->sk_off - IKEV2_GENERIC_PAYLOAD_HEADER_LEN - IKEV2_AEAD_IV_LEN;

	return b->len - IKEV2_AEAD_IV_LEN + ike_sk_msg_overhead(k, plain_len);
}

int ike_build_finish_sk(struct ike_builder *b, const struct ike_sk_key *k)
{
	size_t aad_len = b->sk_off + IKEV2_GENERIC_PAYLOAD_HEADER_LEN;
	size_t out_len;

	if (b->error || !b->sk_off)
		return -EMSGSIZE;
	int r = ike_sk_seal_payload(k, b->buf, b->sk_off, aad_len,
				    b->len - aad_len - IKEV2_AEAD_IV_LEN, sizeof(b->buf), &out_len);
	if (r < 0)
		return r;
	b->len = out_len;
	return 0;
}

static void build_transform(struct ike_builder *b, bool last, uint8_t type, uint16_t id,
			    uint16_t keybits)
{
	ike_build_u8(b, last ? 0 : 3);
	ike_build_u8(b, 0);
	ike_build_u16(b, keybits ? 12 : 8);
	ike_build_u8(b, type);
	ike_build_u8(b, 0);
	ike_build_u16(b, id);
	if (keybits) {
		ike_build_u16(b, IKEV2_ATTR_FORMAT_TV | IKEV2_ATTR_KEY_LENGTH);
		ike_build_u16(b, keybits);
	}
}

static void build_proposal(struct ike_builder *b, bool last, uint8_t num,
			   const struct conf_proposal *p, uint8_t protocol,
			   const uint8_t *spi, size_t spi_len, bool with_dh)
{
	size_t start = b->len;
	bool ike = protocol == IKEV2_PROTO_IKE;
	bool dh = ike || (with_dh && p->dh != IKEV2_DH_NONE);
	uint8_t n = 1 + (p->integ ? 1 : 0) + (ike ? 1 : 0) + (dh ? 1 : 0) + (ike ? 0 : 1);

	ike_build_u8(b, last ? 0 : 2);
	ike_build_u8(b, 0);
	ike_build_u16(b, 0);
	ike_build_u8(b, num);
	ike_build_u8(b, protocol);
	ike_build_u8(b, (uint8_t)spi_len);
	ike_build_u8(b, n);
	put(b, spi, spi_len);
	/* RFC 7296 §3.3.2 transform order is free; keep strongSwan's */
	build_transform(b, --n == 0, IKEV2_TRANSFORM_ENCR, p->encr, p->encr_keybits);
	if (p->integ)
		build_transform(b, --n == 0, IKEV2_TRANSFORM_INTEG, p->integ, 0);
	if (ike)
		build_transform(b, --n == 0, IKEV2_TRANSFORM_PRF, p->prf, 0);
	if (dh)
		build_transform(b, --n == 0, IKEV2_TRANSFORM_DH, p->dh, 0);
	if (!ike)
		build_transform(b, --n == 0, IKEV2_TRANSFORM_ESN, IKEV2_ESN_NO, 0);
	if (!b->error)
		patch_u16(b, start + 2, (uint16_t)(b->len - start));
}

void ike_build_sa(struct ike_builder *b, const struct conf_proposal *props, size_t n,
		  uint8_t protocol, const uint8_t *spi, size_t spi_len, bool with_dh)
{
	ike_build_begin(b, IKEV2_PAYLOAD_SA);
	for (size_t i = 0; i < n; i++)
		build_proposal(b, i + 1 == n, (uint8_t)(i + 1), &props[i], protocol, spi, spi_len,
			       with_dh);
	ike_build_end(b);
}

void ike_build_sa_one(struct ike_builder *b, uint8_t num, const struct conf_proposal *prop,
		      uint8_t protocol, const uint8_t *spi, size_t spi_len, bool with_dh)
{
	ike_build_begin(b, IKEV2_PAYLOAD_SA);
	build_proposal(b, true, num, prop, protocol, spi, spi_len, with_dh);
	ike_build_end(b);
}

void ike_build_ke(struct ike_builder *b, uint16_t group, const uint8_t *data, size_t len)
{
	ike_build_begin(b, IKEV2_PAYLOAD_KE);
	ike_build_u16(b, group);
	ike_build_u16(b, 0);
	put(b, data, len);
	ike_build_end(b);
}

void ike_build_nonce(struct ike_builder *b, const uint8_t *nonce, size_t len)
{
	ike_build_begin(b, IKEV2_PAYLOAD_NONCE);
	put(b, nonce, len);
	ike_build_end(b);
}

void ike_build_id(struct ike_builder *b, uint8_t payload, uint8_t id_type,
		  const uint8_t *data, size_t len)
{
	ike_build_begin(b, payload);
	ike_build_u32(b, (uint32_t)id_type << 24);
	put(b, data, len);
	ike_build_end(b);
}

void ike_build_auth(struct ike_builder *b, uint8_t method, const uint8_t *data, size_t len)
{
	ike_build_begin(b, IKEV2_PAYLOAD_AUTH);
	ike_build_u32(b, (uint32_t)method << 24);
	put(b, data, len);
	ike_build_end(b);
}

void ike_build_notify(struct ike_builder *b, uint8_t protocol, const uint8_t *spi, size_t spi_len,
		      uint16_t type, const uint8_t *data, size_t len)
{
	ike_build_begin(b, IKEV2_PAYLOAD_NOTIFY);
	ike_build_u8(b, protocol);
	ike_build_u8(b, (uint8_t)spi_len);
	ike_build_u16(b, type);
	put(b, spi, spi_len);
	put(b, data, len);
	ike_build_end(b);
}

void ike_build_delete_esp(struct ike_builder *b, const uint32_t *spis, size_t n)
{
	ike_build_begin(b, IKEV2_PAYLOAD_DELETE);
	ike_build_u8(b, IKEV2_PROTO_ESP);
	ike_build_u8(b, ESP_SPI_LEN);
	ike_build_u16(b, (uint16_t)n);
	for (size_t i = 0; i < n; i++)
		ike_build_u32(b, spis[i]);
	ike_build_end(b);
}

void ike_build_delete_ike(struct ike_builder *b)
{
	ike_build_begin(b, IKEV2_PAYLOAD_DELETE);
	ike_build_u8(b, IKEV2_PROTO_IKE);
	ike_build_u8(b, 0);
	ike_build_u16(b, 0);
	ike_build_end(b);
}

void ike_build_ts(struct ike_builder *b, uint8_t payload, const struct lg_prefix *p, size_t n)
{
	ike_build_begin(b, payload);
	ike_build_u8(b, (uint8_t)n);
	ike_build_u8(b, 0);
	ike_build_u16(b, 0);
	for (size_t i = 0; i < n; i++) {
		struct lg_range r;
		size_t alen = lg_family_addr_len(p[i].family);

		lg_prefix_to_range(&p[i], &r);
		ike_build_u8(b, p[i].family == AF_INET6 ? IKEV2_TS_IPV6_ADDR_RANGE :
							  IKEV2_TS_IPV4_ADDR_RANGE);
		ike_build_u8(b, 0);                  /* any IP protocol */
		ike_build_u16(b, (uint16_t)(8 + 2 * alen));
		ike_build_u16(b, 0);
		ike_build_u16(b, 65535);
		put(b, r.start, alen);
		put(b, r.end, alen);
	}
	ike_build_end(b);
}
