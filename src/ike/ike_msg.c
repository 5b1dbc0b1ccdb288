/* IKEv2 message header and generic payload chain (RFC 7296 §3.1, §3.2):
 * length validation only. Interpretation of bodies is in ike_payloads.c. */
#include <errno.h>
#include <string.h>
#include "linegate/cursor.h"
#include "ike_wire.h"

int ike_header_parse(const uint8_t *msg, size_t len, struct ike_header *h)
{
	struct cursor c;

	cursor_init(&c, msg, len);
	cursor_get_bytes(&c, h->spi_i, 8);
	cursor_get_bytes(&c, h->spi_r, 8);
	h->next_payload = cursor_get_u8(&c);
	h->version = cursor_get_u8(&c);
	h->exchange = cursor_get_u8(&c);
	h->flags = cursor_get_u8(&c);
	h->msg_id = cursor_get_u32(&c);
	h->length = cursor_get_u32(&c);
	if (!cursor_ok(&c))
		return -EINVAL;
	/* §3.1: a major version above ours is answered (or dropped), never parsed */
	if ((h->version >> 4) != (IKEV2_VERSION >> 4))
		return -EPROTONOSUPPORT;
	/* the declared length must match the datagram exactly (§3.1) */
	if (h->length != len || len < IKEV2_HEADER_LEN || len > IKEV2_MAX_MESSAGE)
		return -EINVAL;
	return 0;
}

/* Payload types we implement. A payload of any other type with the critical
 * bit set makes us reject the message (§2.5) -- also the types RFC 7296
 * defines but we do not implement (CERT, CERTREQ, CP, EAP): a peer that
 * marks one critical needs it understood. */
static bool implemented_payload(uint8_t type)
{
	return (type >= IKEV2_PAYLOAD_SA && type <= IKEV2_PAYLOAD_SK &&
		type != IKEV2_PAYLOAD_CERT && type != IKEV2_PAYLOAD_CERTREQ) ||
	       type == IKEV2_PAYLOAD_SKF;
}

int ike_payloads_split(uint8_t first, const uint8_t *data, size_t len,
		       struct ike_payload_list *out)
{
	struct cursor c;
	uint8_t type = first;

	memset(out, 0, sizeof(*out));
	cursor_init(&c, data, len);
	while (type != IKEV2_PAYLOAD_NONE) {
		uint8_t next = cursor_get_u8(&c);
		uint8_t flags = cursor_get_u8(&c);
		uint16_t plen = cursor_get_u16(&c);

		if (!cursor_ok(&c) || plen < IKEV2_GENERIC_PAYLOAD_HEADER_LEN)
			return -EINVAL;
		const uint8_t *body = cursor_get_ref(&c, plen - IKEV2_GENERIC_PAYLOAD_HEADER_LEN);
		if (!body || out->n == IKE_MAX_PAYLOADS)
			return -EINVAL;
		if (!implemented_payload(type) && (flags & 0x80) && !out->unsupported)
			out->unsupported = type;
		out->p[out->n++] = (struct ike_payload){
			.type = type, .critical = flags & 0x80, .body = body,
			.len = plen - IKEV2_GENERIC_PAYLOAD_HEADER_LEN,
		};
		if (type == IKEV2_PAYLOAD_SK || type == IKEV2_PAYLOAD_SKF) {
			/* §3.14, RFC 7383 §2.5: SK (SKF) is the last payload;
			 * its next payload names the first inner one */
			out->sk_next = next;
			break;
		}
		type = next;
	}
	/* trailing bytes after the last payload are a length lie */
	if (cursor_remaining(&c) != 0)
		return -EINVAL;
	return out->unsupported ? -EOPNOTSUPP : 0;
}

const struct ike_payload *ike_payload_find(const struct ike_payload_list *l, uint8_t type)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->p[i].type == type)
			return &l->p[i];
	return NULL;
}

size_t ike_payload_count(const struct ike_payload_list *l, uint8_t type)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += l->p[i].type == type;
	return n;
}

const char *ike_payload_name(uint8_t type)
{
	static const char *const names[] = {
		[IKEV2_PAYLOAD_SA] = "SA", [IKEV2_PAYLOAD_KE] = "KE", [IKEV2_PAYLOAD_IDi] = "IDi",
		[IKEV2_PAYLOAD_IDr] = "IDr", [IKEV2_PAYLOAD_CERT] = "CERT",
		[IKEV2_PAYLOAD_CERTREQ] = "CERTREQ", [IKEV2_PAYLOAD_AUTH] = "AUTH",
		[IKEV2_PAYLOAD_NONCE] = "Nonce", [IKEV2_PAYLOAD_NOTIFY] = "N",
		[IKEV2_PAYLOAD_DELETE] = "D", [IKEV2_PAYLOAD_VENDOR] = "V",
		[IKEV2_PAYLOAD_TSi] = "TSi", [IKEV2_PAYLOAD_TSr] = "TSr", [IKEV2_PAYLOAD_SK] = "SK",
		[IKEV2_PAYLOAD_CP] = "CP", [IKEV2_PAYLOAD_EAP] = "EAP", [IKEV2_PAYLOAD_SKF] = "SKF",
	};
	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	return "unknown";
}

const char *ike_exchange_name(uint8_t exchange)
{
	switch (exchange) {
	case IKEV2_EXCHANGE_IKE_SA_INIT: return "IKE_SA_INIT";
	case IKEV2_EXCHANGE_IKE_AUTH: return "IKE_AUTH";
	case IKEV2_EXCHANGE_CREATE_CHILD_SA: return "CREATE_CHILD_SA";
	case IKEV2_EXCHANGE_INFORMATIONAL: return "INFORMATIONAL";
	default: return "unknown";
	}
}

const char *ike_notify_name(uint16_t type)
{
	switch (type) {
	case IKEV2_NOTIFY_UNSUPPORTED_CRITICAL_PAYLOAD: return "UNSUPPORTED_CRITICAL_PAYLOAD";
	case IKEV2_NOTIFY_INVALID_IKE_SPI: return "INVALID_IKE_SPI";
	case IKEV2_NOTIFY_INVALID_MAJOR_VERSION: return "INVALID_MAJOR_VERSION";
	case IKEV2_NOTIFY_INVALID_SYNTAX: return "INVALID_SYNTAX";
	case IKEV2_NOTIFY_INVALID_MESSAGE_ID: return "INVALID_MESSAGE_ID";
	case IKEV2_NOTIFY_INVALID_SPI: return "INVALID_SPI";
	case IKEV2_NOTIFY_NO_PROPOSAL_CHOSEN: return "NO_PROPOSAL_CHOSEN";
	case IKEV2_NOTIFY_INVALID_KE_PAYLOAD: return "INVALID_KE_PAYLOAD";
	case IKEV2_NOTIFY_AUTHENTICATION_FAILED: return "AUTHENTICATION_FAILED";
	case IKEV2_NOTIFY_SINGLE_PAIR_REQUIRED: return "SINGLE_PAIR_REQUIRED";
	case IKEV2_NOTIFY_NO_ADDITIONAL_SAS: return "NO_ADDITIONAL_SAS";
	case IKEV2_NOTIFY_INTERNAL_ADDRESS_FAILURE: return "INTERNAL_ADDRESS_FAILURE";
	case IKEV2_NOTIFY_FAILED_CP_REQUIRED: return "FAILED_CP_REQUIRED";
	case IKEV2_NOTIFY_TS_UNACCEPTABLE: return "TS_UNACCEPTABLE";
	case IKEV2_NOTIFY_INVALID_SELECTORS: return "INVALID_SELECTORS";
	case IKEV2_NOTIFY_TEMPORARY_FAILURE: return "TEMPORARY_FAILURE";
	case IKEV2_NOTIFY_CHILD_SA_NOT_FOUND: return "CHILD_SA_NOT_FOUND";
	case IKEV2_NOTIFY_INITIAL_CONTACT: return "INITIAL_CONTACT";
	case IKEV2_NOTIFY_NAT_DETECTION_SOURCE_IP: return "NAT_DETECTION_SOURCE_IP";
	case IKEV2_NOTIFY_NAT_DETECTION_DESTINATION_IP: return "NAT_DETECTION_DESTINATION_IP";
	case IKEV2_NOTIFY_COOKIE: return "COOKIE";
	case IKEV2_NOTIFY_REKEY_SA: return "REKEY_SA";
	case IKEV2_NOTIFY_SIGNATURE_HASH_ALGORITHMS: return "SIGNATURE_HASH_ALGORITHMS";
	case IKEV2_NOTIFY_IKEV2_FRAGMENTATION_SUPPORTED: return "IKEV2_FRAGMENTATION_SUPPORTED";
	default: return type < 16384 ? "error" : "status";
	}
}
