/* Proposals in strongSwan notation, mapped to IKEv2 transform IDs (RFC 7296
 * §3.3.2), so a proposal copied from swanctl.conf works as it is. IKE needs
 * encryption, a PRF and a key exchange group: an AEAD names its PRF
 * (aes256gcm16-prfsha384-ecp384, chacha20poly1305-prfsha256-x25519); AES-CBC
 * names its integrity algorithm and, as in strongSwan, the PRF follows from
 * it unless written (aes256-sha256-modp2048 = AES-CBC-256, HMAC-SHA2-256-128,
 * PRF HMAC-SHA2-256, MODP-2048). ESP needs encryption (+ integrity for
 * AES-CBC) and may add a group for PFS on rekey: aes256gcm16-x25519,
 * aes128-sha256-ecp256. */
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

/* The first name of an ID (and key size) is the one conf_proposal_format prints. */
static const struct algo algos[] = {
	{ "chacha20poly1305", IKEV2_TRANSFORM_ENCR, IKEV2_ENCR_CHACHA20_POLY1305, 0 },
	{ "aes256gcm16", IKEV2_TRANSFORM_ENCR, IKEV2_ENCR_AES_GCM_16, 256 },
	{ "aes256gcm", IKEV2_TRANSFORM_ENCR, IKEV2_ENCR_AES_GCM_16, 256 },
	{ "aes128", IKEV2_TRANSFORM_ENCR, IKEV2_ENCR_AES_CBC, 128 },
	{ "aes256", IKEV2_TRANSFORM_ENCR, IKEV2_ENCR_AES_CBC, 256 },
	{ "sha256", IKEV2_TRANSFORM_INTEG, IKEV2_INTEG_HMAC_SHA2_256_128, 0 },
	{ "sha2_256", IKEV2_TRANSFORM_INTEG, IKEV2_INTEG_HMAC_SHA2_256_128, 0 },
	{ "sha384", IKEV2_TRANSFORM_INTEG, IKEV2_INTEG_HMAC_SHA2_384_192, 0 },
	{ "sha2_384", IKEV2_TRANSFORM_INTEG, IKEV2_INTEG_HMAC_SHA2_384_192, 0 },
	{ "sha512", IKEV2_TRANSFORM_INTEG, IKEV2_INTEG_HMAC_SHA2_512_256, 0 },
	{ "sha2_512", IKEV2_TRANSFORM_INTEG, IKEV2_INTEG_HMAC_SHA2_512_256, 0 },
	{ "prfsha256", IKEV2_TRANSFORM_PRF, IKEV2_PRF_HMAC_SHA2_256, 0 },
	{ "prfsha384", IKEV2_TRANSFORM_PRF, IKEV2_PRF_HMAC_SHA2_384, 0 },
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

static const char HINT_IKE[] =
	"expected e.g. aes256-sha256-modp2048 or aes256gcm16-prfsha384-ecp384: aes128, aes256, "
	"aes256gcm16, chacha20poly1305; sha256, sha384, sha512; prfsha256, prfsha384, prfsha512; "
	"x25519, ecp256, ecp384, modp2048, modp3072";
static const char HINT_ESP[] =
	"expected e.g. aes256gcm16, aes256-sha256 or chacha20poly1305-x25519: aes128, aes256, "
	"aes256gcm16, chacha20poly1305; sha256, sha384, sha512; for PFS x25519, ecp256, ecp384, "
	"modp2048, modp3072";

static const struct algo *find_algo(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(algos) / sizeof(algos[0]); i++)
		if (strlen(algos[i].name) == n && !strncmp(algos[i].name, s, n))
			return &algos[i];
	return NULL;
}

/* strongSwan: without a prf, IKE takes the PRF of the integrity algorithm. */
static uint16_t prf_of_integ(uint16_t integ)
{
	switch (integ) {
	case IKEV2_INTEG_HMAC_SHA2_256_128: return IKEV2_PRF_HMAC_SHA2_256;
	case IKEV2_INTEG_HMAC_SHA2_384_192: return IKEV2_PRF_HMAC_SHA2_384;
	default: return IKEV2_PRF_HMAC_SHA2_512;
	}
}

static void take(const struct algo *a, struct conf_proposal *out)
{
	switch (a->type) {
	case IKEV2_TRANSFORM_ENCR:
		out->encr = a->id;
		out->encr_keybits = a->keybits;
		break;
	case IKEV2_TRANSFORM_INTEG: out->integ = a->id; break;
	case IKEV2_TRANSFORM_PRF: out->prf = a->id; break;
	case IKEV2_TRANSFORM_DH: out->dh = a->id; break;
	default: break;
	}
}

/* One algorithm name: known, allowed here, not a repeated type. */
static int one_algo(const char *s, size_t len, bool ike, bool seen[], const struct algo **out,
		    char *err, size_t n)
{
	const struct algo *a = find_algo(s, len);

	if (!ike && len == 3 && !strncmp(s, "esn", 3))
		return snprintf(err, n, "extended sequence numbers are not supported: expected "
				"noesn or nothing"), -1;
	if (!a)
		return snprintf(err, n, "unknown algorithm '%.*s': %s", (int)(len > 32 ? 32 : len), s,
				ike ? HINT_IKE : HINT_ESP), -1;
	if (seen[a->type])
		return snprintf(err, n, "'%s' repeats a transform type: expected one of each",
				a->name), -1;
	if (!ike && a->type == IKEV2_TRANSFORM_PRF)
		return snprintf(err, n, "ESP proposals take no PRF: expected e.g. aes256gcm16-x25519 "
				"or aes256-sha256"), -1;
	if (ike && a->type == IKEV2_TRANSFORM_ESN)
		return snprintf(err, n, "'noesn' applies to ESP only"), -1;
	seen[a->type] = true;
	*out = a;
	return 0;
}

/* The combination: AEAD without integrity, AES-CBC with it, IKE complete. */
static int check_whole(bool ike, const bool seen[], struct conf_proposal *out, char *err, size_t n)
{
	bool aead = out->encr != IKEV2_ENCR_AES_CBC;

	if (!seen[IKEV2_TRANSFORM_ENCR])
		return snprintf(err, n, "no encryption algorithm: %s", ike ? HINT_IKE : HINT_ESP), -1;
	if (aead && seen[IKEV2_TRANSFORM_INTEG])
		return snprintf(err, n, "an AEAD (aes256gcm16, chacha20poly1305) takes no integrity "
				"algorithm: name the PRF instead, e.g. aes256gcm16-prfsha384-ecp384"), -1;
	if (!aead && !seen[IKEV2_TRANSFORM_INTEG])
		return snprintf(err, n, "AES-CBC needs an integrity algorithm: expected e.g. "
				"%s", ike ? "aes256-sha256-modp2048" : "aes256-sha256"), -1;
	if (ike && !seen[IKEV2_TRANSFORM_PRF] && !aead)
		out->prf = prf_of_integ(out->integ);
	else if (ike && !seen[IKEV2_TRANSFORM_PRF])
		return snprintf(err, n, "incomplete IKE proposal: an AEAD needs its PRF, e.g. "
				"aes256gcm16-prfsha384-ecp384"), -1;
	if (ike && !seen[IKEV2_TRANSFORM_DH])
		return snprintf(err, n, "incomplete IKE proposal: no key exchange group, e.g. "
				"aes256-sha256-modp2048 or chacha20poly1305-prfsha256-x25519"), -1;
	return 0;
}

/* Pure: fills *out or writes why into err. */
static int parse_proposal(const char *s, bool ike, struct conf_proposal *out, char *err, size_t n)
{
	bool seen[IKEV2_TRANSFORM_ESN + 1] = { false };
	memset(out, 0, sizeof(*out));
	while (*s) {
		const char *dash = strchr(s, '-');
		size_t len = dash ? (size_t)(dash - s) : strlen(s);
		const struct algo *a;
		if (one_algo(s, len, ike, seen, &a, err, n))
			return -1;
		take(a, out);
		s += len;
		if (*s == '-' && !*++s) {
			snprintf(err, n, "trailing '-': expected an algorithm");
			return -1;
		}
	}
	return check_whole(ike, seen, out, err, n);
}

int conf_val_proposal(struct parser *p, const struct value *v, bool ike, struct conf_proposal *out)
{
	char why[400];
	if (parse_proposal(v->text, ike, out, why, sizeof(why))) {
		conf_error(p, v->line, v->col, "invalid %s proposal '%.48s': %s", ike ? "IKE" : "ESP",
			   v->text, why);
		return -1;
	}
	return 0;
}

static const char *algo_name(int type, uint16_t id, uint16_t keybits)
{
	for (size_t i = 0; i < sizeof(algos) / sizeof(algos[0]); i++)
		if (algos[i].type == type && algos[i].id == id && algos[i].keybits == keybits)
			return algos[i].name;
	return "?";
}

const char *conf_proposal_format(const struct conf_proposal *prop, char *out, size_t n)
{
	const struct { int type; uint16_t id; } rest[] = {
		{ IKEV2_TRANSFORM_INTEG, prop->integ },
		{ IKEV2_TRANSFORM_PRF, prop->prf },
		{ IKEV2_TRANSFORM_DH, prop->dh },
	};
	int w = snprintf(out, n, "%s", algo_name(IKEV2_TRANSFORM_ENCR, prop->encr,
						 prop->encr_keybits));
	for (size_t i = 0; i < 3; i++)
		if (rest[i].id && w >= 0 && (size_t)w < n)
			w += snprintf(out + w, n - (size_t)w, "-%s",
				      algo_name(rest[i].type, rest[i].id, 0));
	return out;
}
