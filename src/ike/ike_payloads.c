/* Typed decoders for the payload bodies split by ike_msg.c (RFC 7296 §3.3-
 * §3.13). Every field is read through the bounded cursor and every count is
 * checked against what the body really holds. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include "linegate/cursor.h"
#include "ike_wire.h"

/* §3.3.5: attributes; only KEY_LENGTH (TV) is defined for our transforms */
static int decode_attributes(struct cursor *c, struct ike_transform *t)
{
	while (cursor_remaining(c) > 0) {
		uint16_t type = cursor_get_u16(c);
		uint16_t val = cursor_get_u16(c);

		if (!cursor_ok(c))
			return -EINVAL;
		if (!(type & IKEV2_ATTR_FORMAT_TV)) {
			/* TLV: val is a length; skip the value */
			if (!cursor_skip(c, val))
				return -EINVAL;
			continue;
		}
		if ((type & 0x7fff) == IKEV2_ATTR_KEY_LENGTH)
			t->keybits = val;
	}
	return 0;
}

static int decode_transform(struct cursor *c, bool last_expected, struct ike_transform *t)
{
	uint8_t last = cursor_get_u8(c);
	cursor_get_u8(c);
	uint16_t len = cursor_get_u16(c);
	struct cursor attrs;

	t->type = cursor_get_u8(c);
	cursor_get_u8(c);
	t->id = cursor_get_u16(c);
	t->keybits = 0;
	if (!cursor_ok(c) || len < 8 || (last == 0) != last_expected || (last != 0 && last != 3))
		return -EINVAL;
	if (!cursor_get_sub(c, len - 8, &attrs))
		return -EINVAL;
	return decode_attributes(&attrs, t);
}

static int decode_proposal(struct cursor *c, bool *more, struct ike_proposal *p)
{
	uint8_t last = cursor_get_u8(c);
	cursor_get_u8(c);
	uint16_t len = cursor_get_u16(c);
	struct cursor body;

	if (!cursor_ok(c) || len < 8 || (last != 0 && last != 2))
		return -EINVAL;
	*more = last == 2;
	if (!cursor_get_sub(c, len - 4, &body))
		return -EINVAL;
	p->num = cursor_get_u8(&body);
	p->protocol = cursor_get_u8(&body);
	p->spi_len = cursor_get_u8(&body);
	uint8_t n = cursor_get_u8(&body);
	if (!cursor_ok(&body) || p->spi_len > sizeof(p->spi) || n == 0 || n > IKE_MAX_TRANSFORMS)
		return -EINVAL;
	if (!cursor_get_bytes(&body, p->spi, p->spi_len))
		return -EINVAL;
	p->n_transforms = n;
	for (uint8_t i = 0; i < n; i++)
		if (decode_transform(&body, i + 1 == n, &p->t[i]) < 0)
			return -EINVAL;
	return cursor_remaining(&body) == 0 ? 0 : -EINVAL;
}

int ike_decode_sa(const struct ike_payload *pl, struct ike_sa_payload *out)
{
	struct cursor c;
	bool more = true;

	memset(out, 0, sizeof(*out));
	cursor_init(&c, pl->body, pl->len);
	while (more) {
		if (out->n == IKE_MAX_PROPOSALS)
			return -EINVAL;
		if (decode_proposal(&c, &more, &out->p[out->n]) < 0)
			return -EINVAL;
		/* §3.3.1: numbers start at 1 and grow by one (or repeat) */
		out->n++;
	}
	return cursor_remaining(&c) == 0 && out->n > 0 ? 0 : -EINVAL;
}

int ike_decode_ke(const struct ike_payload *p, struct ike_ke *out)
{
	struct cursor c;

	cursor_init(&c, p->body, p->len);
	out->group = cursor_get_u16(&c);
	cursor_get_u16(&c);
	out->data = cursor_get_tail(&c, &out->len);
	return cursor_ok(&c) && out->len > 0 ? 0 : -EINVAL;
}

int ike_decode_nonce(const struct ike_payload *p, const uint8_t **nonce, size_t *len)
{
	/* §2.10: 16..256 bytes */
	if (p->len < IKEV2_NONCE_MIN || p->len > IKEV2_NONCE_MAX)
		return -EINVAL;
	*nonce = p->body;
	*len = p->len;
	return 0;
}

int ike_decode_id(const struct ike_payload *p, struct ike_id *out)
{
	struct cursor c;

	cursor_init(&c, p->body, p->len);
	out->type = cursor_get_u8(&c);
	cursor_skip(&c, 3);
	out->data = cursor_get_tail(&c, &out->len);
	out->body = p->body;
	out->body_len = p->len;
	if (!cursor_ok(&c) || out->len == 0)
		return -EINVAL;
	if (out->type == IKEV2_ID_IPV4_ADDR && out->len != 4)
		return -EINVAL;
	if (out->type == IKEV2_ID_IPV6_ADDR && out->len != 16)
		return -EINVAL;
	return 0;
}

int ike_decode_auth(const struct ike_payload *p, struct ike_auth *out)
{
	struct cursor c;

	cursor_init(&c, p->body, p->len);
	out->method = cursor_get_u8(&c);
	cursor_skip(&c, 3);
	out->data = cursor_get_tail(&c, &out->len);
	return cursor_ok(&c) && out->len > 0 ? 0 : -EINVAL;
}

int ike_decode_notify(const struct ike_payload *p, struct ike_notify *out)
{
	struct cursor c;

	cursor_init(&c, p->body, p->len);
	out->protocol = cursor_get_u8(&c);
	out->spi_len = cursor_get_u8(&c);
	out->type = cursor_get_u16(&c);
	out->spi = cursor_get_ref(&c, out->spi_len);
	out->data = cursor_get_tail(&c, &out->data_len);
	return cursor_ok(&c) ? 0 : -EINVAL;
}

int ike_decode_delete(const struct ike_payload *p, struct ike_delete *out)
{
	struct cursor c;

	memset(out, 0, sizeof(*out));
	cursor_init(&c, p->body, p->len);
	out->protocol = cursor_get_u8(&c);
	out->spi_len = cursor_get_u8(&c);
	uint16_t n = cursor_get_u16(&c);
	if (!cursor_ok(&c))
		return -EINVAL;
	if (out->protocol == IKEV2_PROTO_IKE)   /* §3.11: IKE: SPI size 0, no SPIs */
		return out->spi_len == 0 && n == 0 && cursor_remaining(&c) == 0 ? 0 : -EINVAL;
	if (out->spi_len != ESP_SPI_LEN || n > IKE_MAX_DELETE_SPIS ||
	    cursor_remaining(&c) != (size_t)n * ESP_SPI_LEN)
		return -EINVAL;
	for (uint16_t i = 0; i < n; i++)
		out->esp_spis[i] = cursor_get_u32(&c);
	out->n_spis = n;
	return cursor_ok(&c) ? 0 : -EINVAL;
}

static int decode_one_ts(struct cursor *c, struct ike_ts *ts)
{
	ts->type = cursor_get_u8(c);
	ts->ip_proto = cursor_get_u8(c);
	uint16_t len = cursor_get_u16(c);
	ts->start_port = cursor_get_u16(c);
	ts->end_port = cursor_get_u16(c);
	if (!cursor_ok(c))
		return -EINVAL;
	size_t alen = ts->type == IKEV2_TS_IPV4_ADDR_RANGE ? 4 :
		      ts->type == IKEV2_TS_IPV6_ADDR_RANGE ? 16 : 0;
	if (alen == 0 || len != 8 + 2 * alen)
		return -EINVAL;
	memset(&ts->range, 0, sizeof(ts->range));
	ts->range.family = alen == 4 ? AF_INET : AF_INET6;
	cursor_get_bytes(c, ts->range.start, alen);
	cursor_get_bytes(c, ts->range.end, alen);
	if (!cursor_ok(c) || memcmp(ts->range.start, ts->range.end, alen) > 0)
		return -EINVAL;
	return 0;
}

int ike_decode_ts(const struct ike_payload *p, struct ike_ts_payload *out)
{
	struct cursor c;

	memset(out, 0, sizeof(*out));
	cursor_init(&c, p->body, p->len);
	uint8_t n = cursor_get_u8(&c);
	cursor_skip(&c, 3);
	if (!cursor_ok(&c) || n == 0 || n > IKE_MAX_TS)
		return -EINVAL;
	for (uint8_t i = 0; i < n; i++)
		if (decode_one_ts(&c, &out->ts[i]) < 0)
			return -EINVAL;
	out->n = n;
	return cursor_remaining(&c) == 0 ? 0 : -EINVAL;
}

bool ike_find_notify(const struct ike_payload_list *l, uint16_t type, struct ike_notify *out)
{
	struct ike_notify n;

	for (size_t i = 0; i < l->n; i++) {
		if (l->p[i].type != IKEV2_PAYLOAD_NOTIFY || ike_decode_notify(&l->p[i], &n) < 0)
			continue;
		if (n.type == type) {
			if (out)
				*out = n;
			return true;
		}
	}
	return false;
}

uint16_t ike_first_error_notify(const struct ike_payload_list *l)
{
	struct ike_notify n;

	for (size_t i = 0; i < l->n; i++)
		if (l->p[i].type == IKEV2_PAYLOAD_NOTIFY && ike_decode_notify(&l->p[i], &n) == 0 &&
		    n.type < 16384)
			return n.type;
	return 0;
}

/* Step two for a whole chain: every payload we interpret must decode. A
 * message with one malformed body is refused as a whole (INVALID_SYNTAX
 * territory, §2.21) instead of being half processed. */
int ike_payloads_validate(const struct ike_payload_list *l)
{
	static struct ike_sa_payload sa;   /* large: control thread only */
	static struct ike_ts_payload ts;
	struct ike_delete d;
	struct ike_id id;
	struct ike_notify n;
	struct ike_ke ke;
	struct ike_auth a;
	const uint8_t *nonce;
	size_t nl;
	int r = 0;

	for (size_t i = 0; i < l->n && r == 0; i++) {
		const struct ike_payload *p = &l->p[i];
		switch (p->type) {
		case IKEV2_PAYLOAD_SA: r = ike_decode_sa(p, &sa); break;
		case IKEV2_PAYLOAD_KE: r = ike_decode_ke(p, &ke); break;
		case IKEV2_PAYLOAD_NONCE: r = ike_decode_nonce(p, &nonce, &nl); break;
		case IKEV2_PAYLOAD_IDi:
		case IKEV2_PAYLOAD_IDr: r = ike_decode_id(p, &id); break;
		case IKEV2_PAYLOAD_AUTH: r = ike_decode_auth(p, &a); break;
		case IKEV2_PAYLOAD_NOTIFY: r = ike_decode_notify(p, &n); break;
		case IKEV2_PAYLOAD_DELETE: r = ike_decode_delete(p, &d); break;
		case IKEV2_PAYLOAD_TSi:
		case IKEV2_PAYLOAD_TSr: r = ike_decode_ts(p, &ts); break;
		default: break;
		}
	}
	return r;
}
