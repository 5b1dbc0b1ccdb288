/* Proposals in strongSwan notation, mapped to IKEv2 transform IDs (RFC 7296
 * §3.3.2): IKE needs encryption, PRF and key exchange, e.g.
 * chacha20poly1305-prfsha256-x25519 (RFC 7634, RFC 8031) or
 * aes256gcm16-prfsha384-ecp384 (RFC 5903, 3526 groups); ESP needs an AEAD
 * and may add a key exchange for PFS on rekey, e.g. aes256gcm16-x25519. */
#include <stdio.h>
#include <string.h>
#include "linegate/ikev2.h"
#include "parser.h"

struct algo {
	const char *name;
	int type;          /* IKEV2_TRANSFORM_* */
	uint16_t id;
	uint16_t keybits;
};

static const struct algo algos[] = {
	{ "chacha20poly1305", IKEV2_TRANSFORM_ENCR, IKEV2_ENCR_CHACHA20_POLY1305, 0 },
	{ "aes256gcm16", IKEV2_TRANSFORM_ENCR, IKEV2_ENCR_AES_GCM_16, 256 },
	{ "aes256gcm", IKEV2_TRANSFORM_ENCR, IKEV2_ENCR_AES_GCM_16, 256 },
	{ "prfsha256", IKEV2_TRANSFORM_PRF, IKEV2_PRF_HMAC_SHA2_256, 0 },
	{ "prfsha512", IKEV2_TRANSFORM_PRF, IKEV2_PRF_HMAC_SHA2_512, 0 },
	{ "x25519", IKEV2_TRANSFORM_DH, IKEV2_DH_CURVE25519, 0 },
	{ "curve25519", IKEV2_TRANSFORM_DH, IKEV2_DH_CURVE25519, 0 },
	{ "ecp256", IKEV2_TRANSFORM_DH, IKEV2_DH_ECP256, 0 },
	{ "ecp384", IKEV2_TRANSFORM_DH, IKEV2_DH_ECP384, 0 },
	{ "modp2048", IKEV2_TRANSFORM_DH, IKEV2_DH_MODP2048, 0 },
	{ "modp3072", IKEV2_TRANSFORM_DH, IKEV2_DH_MODP3072, 0 },
	/* ESP only; strongSwan writes it in proposals copied from swanctl.conf. */
	{ "noesn", IKEV2_TRANSFORM_ESN, IKEV2_ESN_NO, 0 },
};

static const struct algo *find_algo(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(algos) / sizeof(algos[0]); i++)
		if (strlen(algos[i].name) == n && !strncmp(algos[i].name, s, n))
			return &algos[i];
	return NULL;
}

/* Pure: fills *out or writes why into err. */
static int parse_proposal(const char *s, bool ike, struct conf_proposal *out, char *err, size_t n)
{
	bool seen[IKEV2_TRANSFORM_ESN + 1] = { false };
	memset(out, 0, sizeof(*out));
	while (*s) {
		const char *dash = strchr(s, '-');
		size_t len = dash ? (size_t)(dash - s) : strlen(s);
		const struct algo *a = find_algo(s, len);
		if (!ike && len == 3 && !strncmp(s, "esn", 3)) {
			snprintf(err, n, "extended sequence numbers are not supported: expected noesn "
				 "or nothing");
			return -1;
		}
		if (!a) {
			snprintf(err, n, "unknown algorithm '%.*s': expected %s", (int)(len > 32 ? 32 : len),
				 s, ike ? "chacha20poly1305 or aes256gcm16, prfsha256 or prfsha512, "
					       "x25519, ecp256, ecp384, modp2048 or modp3072"
					: "chacha20poly1305 or aes256gcm16, optionally a group "
					  "(x25519, ecp256, ...)");
			return -1;
		}
		if (seen[a->type]) {
			snprintf(err, n, "'%s' repeats a transform type: expected one of each", a->name);
			return -1;
		}
		if (!ike && a->type == IKEV2_TRANSFORM_PRF) {
			snprintf(err, n, "ESP proposals take no PRF: expected e.g. aes256gcm16-x25519");
			return -1;
		}
		if (ike && a->type == IKEV2_TRANSFORM_ESN) {
			snprintf(err, n, "'noesn' applies to ESP only");
			return -1;
		}
		seen[a->type] = true;
		if (a->type == IKEV2_TRANSFORM_ENCR) {
			out->encr = a->id;
			out->encr_keybits = a->keybits;
		} else if (a->type == IKEV2_TRANSFORM_PRF) {
			out->prf = a->id;
		} else if (a->type == IKEV2_TRANSFORM_DH) {
			out->dh = a->id;
		}
		s += len;
		if (*s == '-' && !*++s) {
			snprintf(err, n, "trailing '-': expected an algorithm");
			return -1;
		}
	}
	if (!seen[IKEV2_TRANSFORM_ENCR] || (ike && (!seen[IKEV2_TRANSFORM_PRF] || !seen[IKEV2_TRANSFORM_DH]))) {
		snprintf(err, n, ike ? "incomplete IKE proposal: expected encryption-prf-x25519, "
				       "e.g. chacha20poly1305-prfsha256-x25519"
				     : "incomplete ESP proposal: expected an AEAD, e.g. chacha20poly1305");
		return -1;
	}
	return 0;
}

int conf_val_proposal(struct parser *p, const struct value *v, bool ike, struct conf_proposal *out)
{
	char why[160];
	if (parse_proposal(v->text, ike, out, why, sizeof(why))) {
		conf_error(p, v->line, v->col, "invalid %s proposal '%.48s': %s", ike ? "IKE" : "ESP",
			   v->text, why);
		return -1;
	}
	return 0;
}

static const char *algo_name(int type, uint16_t id)
{
	for (size_t i = 0; i < sizeof(algos) / sizeof(algos[0]); i++)
		if (algos[i].type == type && algos[i].id == id)
			return algos[i].name;
	return "?";
}

const char *conf_proposal_format(const struct conf_proposal *prop, char *out, size_t n)
{
	int w = snprintf(out, n, "%s", algo_name(IKEV2_TRANSFORM_ENCR, prop->encr));
	if (prop->prf && w >= 0 && (size_t)w < n)
		w += snprintf(out + w, n - (size_t)w, "-%s", algo_name(IKEV2_TRANSFORM_PRF, prop->prf));
	if (prop->dh && w >= 0 && (size_t)w < n)
		snprintf(out + w, n - (size_t)w, "-%s", algo_name(IKEV2_TRANSFORM_DH, prop->dh));
	return out;
}
