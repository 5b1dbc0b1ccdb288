/* Key exchange groups (RFC 7296 §3.4): Curve25519 (31, RFC 8031) through
 * libsodium; ECP-256/384 (19, 20, RFC 5903) and MODP-2048/3072 (14, 15,
 * RFC 3526) through OpenSSL 3 (docs/crypto.md says why). Each group's wire
 * form and the check a peer's value must pass before it is used:
 *   X25519  32 bytes; an all-zero shared secret (small order) is refused
 *   ECP     x | y, each the field size, no 04 prefix (RFC 5903 §7); the point
 *           must be on the curve and not infinity; g^ir is x alone (§9)
 *   MODP    y padded to the modulus; 1 < y < p-1 and y^q = 1 (OpenSSL's
 *           full public check); g^ir padded to the modulus (RFC 7296 §2.14) */
#include <errno.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <sodium.h>

#include "linegate/ike_crypto.h"
#include "linegate/ikev2.h"
#include "crypto_internal.h"

struct group {
	uint16_t id;
	const char *type;      /* OpenSSL key type; NULL = libsodium X25519 */
	const char *name;      /* OpenSSL group name */
	uint16_t pub_len, shared_len;
};

static const struct group groups[] = {
	{ IKEV2_DH_CURVE25519, NULL, NULL, 32, 32 },
	{ IKEV2_DH_ECP256, "EC", "P-256", 64, 32 },
	{ IKEV2_DH_ECP384, "EC", "P-384", 96, 48 },
	{ IKEV2_DH_MODP2048, "DH", "modp_2048", 256, 256 },
	{ IKEV2_DH_MODP3072, "DH", "modp_3072", 384, 384 },
};

static const struct group *find(int id)
{
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (groups[i].id == id)
			return &groups[i];
	return NULL;
}

bool ike_dh_supported(int group)
{
	return find(group) != NULL;
}

size_t ike_dh_pub_len(int group)
{
	const struct group *g = find(group);
	return g ? g->pub_len : 0;
}

size_t ike_dh_shared_len(int group)
{
	const struct group *g = find(group);
	return g ? g->shared_len : 0;
}

const char *ike_dh_name(int group)
{
	switch (group) {
	case IKEV2_DH_CURVE25519: return "x25519";
	case IKEV2_DH_ECP256: return "ecp256";
	case IKEV2_DH_ECP384: return "ecp384";
	case IKEV2_DH_MODP2048: return "modp2048";
	case IKEV2_DH_MODP3072: return "modp3072";
	case IKEV2_DH_NONE: return "none";
	default: return "?";
	}
}

void ike_dh_clear(struct ike_dh *dh)
{
	if (!dh)
		return;
	EVP_PKEY_free(dh->pkey); /* clears the private scalar / exponent */
	sodium_memzero(dh, sizeof(*dh));
}

/* Our public value in wire form: EC drops the 04 of the uncompressed point,
 * DH pads y to the modulus. */
static int export_pub(const struct group *g, EVP_PKEY *pk, uint8_t *pub)
{
	uint8_t pt[1 + IKE_DH_PUB_MAX];
	BIGNUM *y = NULL;
	size_t len = 0;
	int rc = -EIO;

	if (!strcmp(g->type, "EC")) {
		if (EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt),
						    &len) == 1 &&
		    len == 1u + g->pub_len && pt[0] == 0x04) {
			memcpy(pub, pt + 1, g->pub_len);
			rc = 0;
		}
		return rc;
	}
	if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_PUB_KEY, &y) == 1 &&
	    BN_bn2binpad(y, pub, g->pub_len) == g->pub_len)
		rc = 0;
	BN_free(y);
	return rc;
}

/* One EVP_PKEY from a group name and, optionally, a public or private value. */
static EVP_PKEY *from_data(const struct group *g, int selection, const char *param,
			   const uint8_t *val, size_t len)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	uint8_t pt[1 + IKE_DH_PUB_MAX];
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;
	BIGNUM *bn = NULL;
	int ok = bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
							 g->name, 0);

	if (ok && !strcmp(g->type, "EC") && !strcmp(param, OSSL_PKEY_PARAM_PUB_KEY)) {
		pt[0] = 0x04; /* RFC 5903 §7: the wire form is the point without it */
		memcpy(pt + 1, val, len);
		ok = OSSL_PARAM_BLD_push_octet_string(bld, param, pt, len + 1);
	} else if (ok) {
		ok = (bn = BN_secure_new()) && BN_bin2bn(val, (int)len, bn) &&
		     OSSL_PARAM_BLD_push_BN(bld, param, bn);
	}
	if (ok)
		ok = (params = OSSL_PARAM_BLD_to_param(bld)) &&
		     (ctx = EVP_PKEY_CTX_new_from_name(NULL, g->type, NULL)) &&
		     EVP_PKEY_fromdata_init(ctx) == 1 &&
		     EVP_PKEY_fromdata(ctx, &pk, selection, params) == 1;
	if (!ok) {
		EVP_PKEY_free(pk);
		pk = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params); /* BN param copies are cleared with the block */
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(bn);
	sodium_memzero(pt, sizeof(pt));
	return pk;
}

static int keygen(const struct group *g, struct ike_dh *dh, uint8_t *pub)
{
	OSSL_PARAM params[2] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)g->name, 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, g->type, NULL);
	EVP_PKEY *pk = NULL;
	int rc = -EIO;

	if (ctx && EVP_PKEY_keygen_init(ctx) == 1 && EVP_PKEY_CTX_set_params(ctx, params) == 1 &&
	    EVP_PKEY_generate(ctx, &pk) == 1 && export_pub(g, pk, pub) == 0) {
		dh->pkey = pk;
		pk = NULL;
		rc = 0;
	}
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

int ike_dh_keypair(int group, struct ike_dh *dh, uint8_t *pub, size_t cap)
{
	const struct group *g = find(group);
	int rc;

	if (!dh || !pub)
		return -EINVAL;
	if (!g)
		return -ENOTSUP;
	if (cap < g->pub_len)
		return -EMSGSIZE;
	ike_dh_clear(dh);
	dh->group = g->id;
	if (!g->type)
		rc = ike_x25519_keypair(pub, dh->x25519);
	else
		rc = keygen(g, dh, pub);
	if (rc)
		ike_dh_clear(dh);
	return rc;
}

/* ECDH or DH with a peer value that passed the group's public check. */
static int derive(const struct group *g, EVP_PKEY *ours, const uint8_t *peer_pub, uint8_t *out)
{
	EVP_PKEY *peer = from_data(g, EVP_PKEY_PUBLIC_KEY, OSSL_PKEY_PARAM_PUB_KEY, peer_pub,
				   g->pub_len);
	EVP_PKEY_CTX *check = peer ? EVP_PKEY_CTX_new_from_pkey(NULL, peer, NULL) : NULL;
	EVP_PKEY_CTX *ctx = NULL;
	size_t len = g->shared_len;
	int rc = -EINVAL;

	/* Not on the curve / infinity / y outside (1, p-1) or not in the
	 * subgroup: refused before any arithmetic with our secret. */
	if (!check || EVP_PKEY_public_check(check) != 1)
		goto out;
	rc = -EIO;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, ours, NULL);
	if (!ctx || EVP_PKEY_derive_init(ctx) != 1)
		goto out;
	/* RFC 7296 §2.14: g^ir has the modulus' length; OpenSSL strips leading
	 * zeros unless told (1 time in 256 the SKEYSEED would differ). */
	if (!strcmp(g->type, "DH") && EVP_PKEY_CTX_set_dh_pad(ctx, 1) != 1)
		goto out;
	if (EVP_PKEY_derive_set_peer_ex(ctx, peer, 1) != 1) {
		rc = -EINVAL;
		goto out;
	}
	if (EVP_PKEY_derive(ctx, out, &len) == 1 && len == g->shared_len)
		rc = 0;
out:
	if (rc)
		sodium_memzero(out, g->shared_len);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_CTX_free(check);
	EVP_PKEY_free(peer);
	return rc;
}

int ike_dh_shared(const struct ike_dh *dh, const uint8_t *peer_pub, size_t peer_len,
		  uint8_t *out, size_t cap, size_t *out_len)
{
	const struct group *g = dh ? find(dh->group) : NULL;
	int rc;

	if (!dh || !peer_pub || !out || !out_len)
		return -EINVAL;
	*out_len = 0;
	if (!g)
		return -ENOTSUP;
	if (peer_len != g->pub_len || cap < g->shared_len)
		return -EINVAL;
	if (!g->type)
		rc = ike_x25519_shared(out, dh->x25519, peer_pub);
	else if (!dh->pkey)
		rc = -EINVAL;
	else
		rc = derive(g, dh->pkey, peer_pub, out);
	*out_len = rc ? 0 : g->shared_len;
	return rc;
}

int ike_dh_set_private(int group, struct ike_dh *dh, const uint8_t *priv, size_t len)
{
	const struct group *g = find(group);

	if (!dh || !priv || !len)
		return -EINVAL;
	if (!g)
		return -ENOTSUP;
	ike_dh_clear(dh);
	dh->group = g->id;
	if (!g->type) {
		if (len != IKE_X25519_LEN)
			return -EINVAL;
		memcpy(dh->x25519, priv, len);
		return 0;
	}
	dh->pkey = from_data(g, EVP_PKEY_KEYPAIR, OSSL_PKEY_PARAM_PRIV_KEY, priv, len);
	return dh->pkey ? 0 : -EINVAL;
}

/* ------------------------------------------------------------------ */

int ike_x25519_keypair(uint8_t pub[IKE_X25519_LEN], uint8_t priv[IKE_X25519_LEN])
{
	if (!pub || !priv)
		return -EINVAL;
	if (ike_crypto_init())
		return -EIO;
	randombytes_buf(priv, IKE_X25519_LEN);
	if (crypto_scalarmult_base(pub, priv)) {
		sodium_memzero(priv, IKE_X25519_LEN);
		return -EIO;
	}
	return 0;
}

int ike_x25519_shared(uint8_t out[IKE_X25519_LEN], const uint8_t priv[IKE_X25519_LEN],
		      const uint8_t peer_pub[IKE_X25519_LEN])
{
	if (!out || !priv || !peer_pub)
		return -EINVAL;
	if (ike_crypto_init())
		return -EIO;
	/* libsodium returns -1 on an all-zero result; check again anyway so the
	 * refusal does not depend on the library version. */
	if (crypto_scalarmult(out, priv, peer_pub) || sodium_is_zero(out, IKE_X25519_LEN)) {
		sodium_memzero(out, IKE_X25519_LEN);
		return -EINVAL;
	}
	return 0;
}
