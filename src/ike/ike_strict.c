/* Payload placement rules (RFC 7296 §1.2-§1.4, §3): which payloads each
 * exchange carries in the clear and inside SK, and which appear at most
 * once. IDi, AUTH or TS in the clear would be unauthenticated claims; a
 * second SA, KE or Nonce would make two readers of one message disagree on
 * which one counts. Pure table lookups, no state. */
#include <errno.h>
#include "ike_wire.h"

#define P(t) (1u << ((t) - IKEV2_PAYLOAD_SA))

struct payload_rule {
	uint32_t allowed;   /* P(type) for every type the place may carry */
	uint32_t once;      /* ... and those at most once */
};

/* Plain chain of IKE_SA_INIT (§1.2: CERTREQ may ride in the response). */
static const struct payload_rule sa_init = {
	P(IKEV2_PAYLOAD_SA) | P(IKEV2_PAYLOAD_KE) | P(IKEV2_PAYLOAD_NONCE) |
		P(IKEV2_PAYLOAD_NOTIFY) | P(IKEV2_PAYLOAD_VENDOR) | P(IKEV2_PAYLOAD_CERTREQ),
	P(IKEV2_PAYLOAD_SA) | P(IKEV2_PAYLOAD_KE) | P(IKEV2_PAYLOAD_NONCE),
};

/* Plain chain of every other exchange: the SK payload, or one Encrypted
 * Fragment (RFC 7383 §2.5), and nothing else (both must come last). */
static const struct payload_rule encrypted_outer = {
	P(IKEV2_PAYLOAD_SK) | P(IKEV2_PAYLOAD_SKF), P(IKEV2_PAYLOAD_SK) | P(IKEV2_PAYLOAD_SKF),
};

static const struct payload_rule ike_auth = {
	P(IKEV2_PAYLOAD_IDi) | P(IKEV2_PAYLOAD_IDr) | P(IKEV2_PAYLOAD_CERT) |
		P(IKEV2_PAYLOAD_CERTREQ) | P(IKEV2_PAYLOAD_AUTH) | P(IKEV2_PAYLOAD_SA) |
		P(IKEV2_PAYLOAD_TSi) | P(IKEV2_PAYLOAD_TSr) | P(IKEV2_PAYLOAD_NOTIFY) |
		P(IKEV2_PAYLOAD_CP) | P(IKEV2_PAYLOAD_VENDOR) | P(IKEV2_PAYLOAD_EAP),
	P(IKEV2_PAYLOAD_IDi) | P(IKEV2_PAYLOAD_IDr) | P(IKEV2_PAYLOAD_AUTH) | P(IKEV2_PAYLOAD_SA) |
		P(IKEV2_PAYLOAD_TSi) | P(IKEV2_PAYLOAD_TSr) | P(IKEV2_PAYLOAD_CP) |
		P(IKEV2_PAYLOAD_EAP),
};

static const struct payload_rule create_child = {
	P(IKEV2_PAYLOAD_SA) | P(IKEV2_PAYLOAD_NONCE) | P(IKEV2_PAYLOAD_KE) | P(IKEV2_PAYLOAD_TSi) |
		P(IKEV2_PAYLOAD_TSr) | P(IKEV2_PAYLOAD_NOTIFY) | P(IKEV2_PAYLOAD_VENDOR),
	P(IKEV2_PAYLOAD_SA) | P(IKEV2_PAYLOAD_NONCE) | P(IKEV2_PAYLOAD_KE) | P(IKEV2_PAYLOAD_TSi) |
		P(IKEV2_PAYLOAD_TSr),
};

static const struct payload_rule informational = {
	P(IKEV2_PAYLOAD_NOTIFY) | P(IKEV2_PAYLOAD_DELETE) | P(IKEV2_PAYLOAD_CP) |
		P(IKEV2_PAYLOAD_VENDOR),
	P(IKEV2_PAYLOAD_CP),
};

static const struct payload_rule *rule_for(uint8_t exchange, bool inner)
{
	if (exchange == IKEV2_EXCHANGE_IKE_SA_INIT)
		return inner ? NULL : &sa_init;
	if (!inner)
		return &encrypted_outer;
	switch (exchange) {
	case IKEV2_EXCHANGE_IKE_AUTH: return &ike_auth;
	case IKEV2_EXCHANGE_CREATE_CHILD_SA: return &create_child;
	case IKEV2_EXCHANGE_INFORMATIONAL: return &informational;
	default: return NULL;
	}
}

/* RFC 7296 types (SA .. EAP) and SKF are known; anything else is skipped. */
static bool known(uint8_t type)
{
	return (type >= IKEV2_PAYLOAD_SA && type <= IKEV2_PAYLOAD_EAP) ||
	       type == IKEV2_PAYLOAD_SKF;
}

int ike_payloads_check(uint8_t exchange, bool inner, const struct ike_payload_list *l,
		       uint8_t *bad)
{
	const struct payload_rule *r = rule_for(exchange, inner);
	uint32_t seen = 0;

	for (size_t i = 0; i < l->n; i++) {
		uint8_t t = l->p[i].type;
		if (!known(t))
			continue;
		uint32_t bit = P(t);
		if (!r || !(r->allowed & bit) || (r->once & bit & seen)) {
			*bad = t;
			return -EINVAL;
		}
		seen |= bit;
	}
	return 0;
}
