/* IKE fragmentation (RFC 7383) on the wire: our encrypted messages split
 * into Encrypted Fragment (SKF) payloads when they would not fit the path,
 * and the peer's fragments checked (numbering, then integrity) before
 * ike_reasm.c keeps them. Only negotiated SAs fragment (FRAGMENTATION_
 * SUPPORTED from both in IKE_SA_INIT, §2.3); IKE_SA_INIT itself never. */
#include <stdlib.h>
#include <string.h>
#include "linegate/cursor.h"
#include "ike_internal.h"

enum { IPV4_HEADER = 20, IPV6_HEADER = 40, UDP_HEADER = 8 };

size_t ike_frag_limit(const struct ike_sa *sa)
{
	size_t ip = sa->remote.sa.sa_family == AF_INET6 ? IPV6_HEADER : IPV4_HEADER;
	size_t over = ip + UDP_HEADER + (sa->natt ? IKEV2_NON_ESP_MARKER_LEN : 0);
	size_t size = sa->peer->fragment_size;

	return size > over ? size - over : 0;
}

static void put_u16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* §2.5: each fragment is a message of its own (same header and message ID,
 * Next Payload SKF) whose SKF carries Fragment Number and Total Fragments;
 * the first names the message's first payload, the others 0. */
static int fragment(const struct ike_sa *sa, const struct ike_sk_key *k,
		    const struct ike_builder *b, uint8_t **out, size_t *out_len)
{
	size_t sk_plain = b->sk_off + IKEV2_GENERIC_PAYLOAD_HEADER_LEN + IKEV2_AEAD_IV_LEN;
	const uint8_t *plain = b->buf + sk_plain;
	size_t plain_len = b->len - sk_plain, limit = ike_frag_limit(sa);
	size_t aad = IKEV2_HEADER_LEN + IKE_SKF_HEADER_LEN;
	/* the most IV, padding and ICV can take: every fragment fits the limit */
	size_t fixed = aad + ike_sk_msg_overhead(k, 0);
	size_t room, n, off = 0, pos = 0;
	uint8_t *buf;

	if (limit <= fixed)
		return -EMSGSIZE;
	room = limit - fixed;
	n = plain_len ? (plain_len + room - 1) / room : 1;
	if (n > IKE_FRAG_MAX)
		return -EMSGSIZE;
	buf = malloc(n * limit);
	if (!buf)
		return -ENOMEM;
	for (size_t i = 1; i <= n; i++) {
		uint8_t *f = buf + off;
		size_t chunk = plain_len - pos < room ? plain_len - pos : room, flen;

		memcpy(f, b->buf, IKEV2_HEADER_LEN);
		f[16] = IKEV2_PAYLOAD_SKF;
		f[IKEV2_HEADER_LEN] = i == 1 ? b->buf[b->sk_off] : IKEV2_PAYLOAD_NONE;
		f[IKEV2_HEADER_LEN + 1] = 0;
		put_u16(f + IKEV2_HEADER_LEN + 4, i);
		put_u16(f + IKEV2_HEADER_LEN + 6, n);
		memcpy(f + aad + IKEV2_AEAD_IV_LEN, plain + pos, chunk);
		int r = ike_sk_seal_payload(k, f, IKEV2_HEADER_LEN, aad, chunk, n * limit - off, &flen);
		if (r < 0) {
			free(buf);
			return r;
		}
		off += flen;
		pos += chunk;
	}
	*out = buf;
	*out_len = off;
	return 0;
}

int ike_frag_seal(struct ike_sa *sa, struct ike_builder *b, uint8_t **out, size_t *out_len)
{
	struct ike_sk_key k = ike_sk_key_out(sa);

	if (b->error || !b->sk_off)
		return -EMSGSIZE;
	if (sa->frag && ike_build_sealed_len(b, &k) > ike_frag_limit(sa))
		return fragment(sa, &k, b, out, out_len);
	int r = ike_build_finish_sk(b, &k);
	if (r < 0)
		return r;
	*out = malloc(b->len);
	if (!*out)
		return -ENOMEM;
	memcpy(*out, b->buf, b->len);
	*out_len = b->len;
	return 0;
}

int ike_send_all(struct ike_sa *sa, const uint8_t *msgs, size_t len)
{
	struct cursor c;
	int first = 0;

	cursor_init(&c, msgs, len);
	while (cursor_remaining(&c) >= IKEV2_HEADER_LEN) {
		struct cursor h = c;
		cursor_skip(&h, 24);
		uint32_t l = cursor_get_u32(&h);
		const uint8_t *m = cursor_get_ref(&c, l);
		if (!m || l < IKEV2_HEADER_LEN)
			break;
		int r = ike_send_raw(sa, m, l);
		if (r < 0 && !first)
			first = r;
	}
	return first;
}

/* Fragment Number and Total Fragments (§2.5): numbered from 1, at most
 * IKE_FRAG_MAX; fragment 1 names the first payload. Checked before the
 * integrity check, so a misnumbered datagram costs no decryption. */
static int numbering(const struct ike_payload *skf, uint8_t np, uint16_t *num, uint16_t *total)
{
	struct cursor c;

	cursor_init(&c, skf->body, skf->len);
	*num = cursor_get_u16(&c);
	*total = cursor_get_u16(&c);
	if (!cursor_ok(&c) || *num == 0 || *total == 0 || *num > *total || *total > IKE_FRAG_MAX)
		return -EINVAL;
	if (*num == 1 && np == IKEV2_PAYLOAD_NONE)
		return -EINVAL;
	return 0;
}

static int keep(struct ike_sa *sa, const struct ike_header *h, uint16_t num, uint16_t total,
		uint8_t np, const uint8_t *data, size_t len, uint8_t **plain, size_t *plain_len,
		uint8_t *first)
{
	struct ike_reasm **slot = &sa->reasm[ike_hdr_is_response(h) ? 1 : 0];

	switch (ike_reasm_add(slot, h->msg_id, num, total, np, data, len, sa->ike->now_ms)) {
	case IKE_REASM_KEPT:
	case IKE_REASM_DUPLICATE:
		return 0;
	case IKE_REASM_COMPLETE:
		return ike_reasm_take(slot, plain, plain_len, first) < 0 ? -ENOMEM : 1;
	case IKE_REASM_STALE:
		ike_count_drop(sa->ike, IKE_DROP_FRAGMENT, "total_decreased");
		return -EINVAL;
	case IKE_REASM_TOO_LARGE:
		ike_count_drop(sa->ike, IKE_DROP_FRAGMENT, "too_large");
		return -EMSGSIZE;
	default:
		return -ENOMEM;
	}
}

int ike_frag_input(struct ike_sa *sa, const struct ike_datagram *d, const struct ike_header *h,
		   const struct ike_payload_list *pl, bool again, uint8_t **plain,
		   size_t *plain_len, uint8_t *first)
{
	const struct ike_payload *skf = &pl->p[pl->n - 1];
	const uint8_t *frag;
	size_t frag_len;
	uint16_t num, total;
	uint8_t *buf;
	int r;

	if (!sa->frag) {
		ike_count_drop(sa->ike, IKE_DROP_FRAGMENT, "not_negotiated");
		return -EPROTO;
	}
	if (numbering(skf, pl->sk_next, &num, &total) < 0) {
		ike_count_drop(sa->ike, IKE_DROP_FRAGMENT, "numbering");
		return -EINVAL;
	}
	buf = malloc(d->len);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, d->data, d->len);
	/* AAD: the header through Total Fragments (§2.5) */
	size_t aad_len = (size_t)(skf->body - d->data) + 4;
	struct ike_sk_key key_in = ike_sk_key_in(sa);
	if (ike_sk_open(&key_in, buf, aad_len, d->len, &frag, &frag_len) < 0) {
		ike_count_drop(sa->ike, IKE_DROP_DECRYPT, sa->peer_name);
		r = -EBADMSG;
	} else if (again) {
		/* §2.6.1: only fragment 1 of a request we answered brings our
		 * (cached, maybe fragmented) response again */
		if (num == 1)
			ike_send_all(sa, sa->last_resp, sa->last_resp_len);
		r = 0;
	} else {
		r = keep(sa, h, num, total, pl->sk_next, frag, frag_len, plain, plain_len, first);
	}
	free(buf);
	return r;
}
