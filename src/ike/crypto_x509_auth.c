/* RFC 7427 Digital Signature AUTH (method 14) with X.509 keys through
 * OpenSSL 3 EVP: the AUTH data is one length byte, the DER
 * AlgorithmIdentifier of the signature, then the signature. A received
 * AlgorithmIdentifier is compared byte for byte against the known blobs of
 * RFC 7427 appendix A (RSASSA-PSS with and without the NULL parameters of
 * its hash, which RFC 4055 lets a signer choose): nothing is parsed by
 * hand, and an unknown one is refused. Classic method 1 (RSA with SHA-1)
 * and DSS are refused: SHA-1 is not acceptable for a new deployment.
 * RFC 4754's ECDSA methods 9-11 are accepted from a peer (some vendors
 * still send them) but never sent: what we send stays RFC 7427. */
#include <errno.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "linegate/ike_x509.h"
#include "linegate/ikev2.h"
#include "crypto_internal.h"

/* RFC 7427 appendix A (generated, checked with openssl asn1parse) */
static const uint8_t A_RSA_SHA256[] = {
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00
};
static const uint8_t A_RSA_SHA384[] = {
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c, 0x05, 0x00
};
static const uint8_t A_RSA_SHA512[] = {
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d, 0x05, 0x00
};
static const uint8_t A_PSS_SHA256[] = {
	0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30,
	0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
	0x02, 0x01, 0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
	0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
	0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x20
};
static const uint8_t A_PSS_SHA384[] = {
	0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30,
	0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
	0x02, 0x02, 0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
	0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
	0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x30
};
static const uint8_t A_PSS_SHA512[] = {
	0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30,
	0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
	0x02, 0x03, 0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
	0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
	0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x40
};
static const uint8_t A_PSS_SHA256_NONULL[] = {
	0x30, 0x3d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30,
	0x30, 0xa0, 0x0d, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
	0x02, 0x01, 0xa1, 0x1a, 0x30, 0x18, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
	0x01, 0x01, 0x08, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
	0x02, 0x01, 0xa2, 0x03, 0x02, 0x01, 0x20
};
static const uint8_t A_PSS_SHA384_NONULL[] = {
	0x30, 0x3d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30,
	0x30, 0xa0, 0x0d, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
	0x02, 0x02, 0xa1, 0x1a, 0x30, 0x18, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
	0x01, 0x01, 0x08, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
	0x02, 0x02, 0xa2, 0x03, 0x02, 0x01, 0x30
};
static const uint8_t A_PSS_SHA512_NONULL[] = {
	0x30, 0x3d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30,
	0x30, 0xa0, 0x0d, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
	0x02, 0x03, 0xa1, 0x1a, 0x30, 0x18, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
	0x01, 0x01, 0x08, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
	0x02, 0x03, 0xa2, 0x03, 0x02, 0x01, 0x40
};
static const uint8_t A_ECDSA_SHA256[] = {
	0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02
};
static const uint8_t A_ECDSA_SHA384[] = {
	0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03
};
static const uint8_t A_ECDSA_SHA512[] = {
	0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04
};
static const uint8_t A_ED25519[] = {
	0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70
};

enum scheme { S_PKCS1, S_PSS, S_ECDSA, S_ED25519 };

static const struct algid {
	const uint8_t *der;
	size_t len;
	enum scheme scheme;
	int bits;          /* SHA-2 size; 0 for Ed25519 (no prehash) */
} algids[] = {
#define A(n, s, b) { A_##n, sizeof(A_##n), s, b }
	A(RSA_SHA256, S_PKCS1, 256), A(RSA_SHA384, S_PKCS1, 384), A(RSA_SHA512, S_PKCS1, 512),
	A(PSS_SHA256, S_PSS, 256), A(PSS_SHA384, S_PSS, 384), A(PSS_SHA512, S_PSS, 512),
	A(PSS_SHA256_NONULL, S_PSS, 256), A(PSS_SHA384_NONULL, S_PSS, 384),
	A(PSS_SHA512_NONULL, S_PSS, 512),
	A(ECDSA_SHA256, S_ECDSA, 256), A(ECDSA_SHA384, S_ECDSA, 384), A(ECDSA_SHA512, S_ECDSA, 512),
	A(ED25519, S_ED25519, 0),
#undef A
};

static const EVP_MD *md_of(int bits)
{
	return bits == 256 ? EVP_sha256() : bits == 384 ? EVP_sha384()
	     : bits == 512 ? EVP_sha512() : NULL;
}

/* Whether a key of this type may make signatures of this scheme. */
static bool key_fits(const EVP_PKEY *k, enum scheme s)
{
	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_RSA: return s == S_PKCS1 || s == S_PSS;
	case EVP_PKEY_RSA_PSS: return s == S_PSS;
	case EVP_PKEY_EC: return s == S_ECDSA;
	case EVP_PKEY_ED25519: return s == S_ED25519;
	default: return false;
	}
}

/* The scheme we sign with: PKCS#1 v1.5 SHA-256 for RSA (what every vendor
 * verifies), PSS SHA-256 for an RSA-PSS key, ECDSA with the hash of the
 * curve's size, pure Ed25519. All are in the hashes we announce. */
static const struct algid *ours(const EVP_PKEY *k)
{
	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_RSA: return &algids[0];
	case EVP_PKEY_RSA_PSS: return &algids[3];
	case EVP_PKEY_EC: return &algids[EVP_PKEY_get_bits(k) > 256 ? 10 : 9];
	case EVP_PKEY_ED25519: return &algids[12];
	default: return NULL;
	}
}

static int setup(EVP_MD_CTX *ctx, EVP_PKEY *k, const struct algid *a, bool sign)
{
	EVP_PKEY_CTX *pctx = NULL;
	const EVP_MD *md = md_of(a->bits);
	int ok = sign ? EVP_DigestSignInit(ctx, &pctx, md, NULL, k)
		      : EVP_DigestVerifyInit(ctx, &pctx, md, NULL, k);

	if (ok != 1)
		return -EINVAL;
	/* RFC 7427 A.4: MGF1 with the same hash, salt as long as the hash */
	if (a->scheme == S_PSS &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	     EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) != 1 ||
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, a->bits / 8) != 1))
		return -EINVAL;
	if (a->scheme == S_PKCS1 && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)
		return -EINVAL;
	return 0;
}

int ike_x509_sign_auth(struct evp_pkey_st *key, const uint8_t *octets, size_t octets_len,
		       uint8_t *out, size_t cap, size_t *out_len)
{
	const struct algid *a = key ? ours(key) : NULL;
	EVP_MD_CTX *ctx;
	size_t siglen;
	int r = -EINVAL;

	if (!a || !octets || !out || cap < 1 + a->len)
		return -EINVAL;
	if (ike_crypto_init())
		return -EIO;
	out[0] = (uint8_t)a->len;
	memcpy(out + 1, a->der, a->len);
	siglen = cap - 1 - a->len;
	ctx = EVP_MD_CTX_new();
	if (ctx && setup(ctx, key, a, true) == 0 &&
	    EVP_DigestSign(ctx, out + 1 + a->len, &siglen, octets, octets_len) == 1) {
		*out_len = 1 + a->len + siglen;
		r = 0;
	}
	EVP_MD_CTX_free(ctx);
	return r;
}

/* RFC 4754 §3, §8: the method names the curve and the hash; the signature
 * is r | s, each as long as the curve's order, big-endian, no ASN.1. */
static const struct rfc4754 {
	uint8_t method;
	const char *group;   /* OpenSSL's name of the curve */
	int bits;            /* SHA-2 */
	size_t half;         /* bytes of r and of s */
} rfc4754[] = {
	{ IKEV2_AUTH_ECDSA_P256_SHA256, "prime256v1", 256, 32 },
	{ IKEV2_AUTH_ECDSA_P384_SHA384, "secp384r1", 384, 48 },
	{ IKEV2_AUTH_ECDSA_P521_SHA512, "secp521r1", 512, 66 },
};

static bool curve_is(EVP_PKEY *k, const char *group)
{
	char name[32];
	return EVP_PKEY_get_base_id(k) == EVP_PKEY_EC &&
	       EVP_PKEY_get_utf8_string_param(k, "group", name, sizeof(name), NULL) == 1 &&
	       strcmp(name, group) == 0;
}

/* r | s becomes the DER ECDSA-Sig-Value OpenSSL verifies (its encoder,
 * not ours); the key must be on the method's curve. */
static bool verify_rfc4754(EVP_PKEY *k, const struct rfc4754 *m, const uint8_t *octets,
			   size_t octets_len, const uint8_t *sig, size_t len)
{
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *s = NULL;
	EVP_MD_CTX *ctx = NULL;
	unsigned char der[2 * 66 + 16], *p = der;
	int dlen = 0;
	bool ok = false;

	if (len != 2 * m->half || !curve_is(k, m->group))
		return false;
	r = BN_bin2bn(sig, (int)m->half, NULL);
	s = BN_bin2bn(sig + m->half, (int)m->half, NULL);
	if (!r || !s || !(es = ECDSA_SIG_new()) || ECDSA_SIG_set0(es, r, s) != 1)
		goto out;
	r = s = NULL;   /* owned by es */
	if (i2d_ECDSA_SIG(es, NULL) > (int)sizeof(der) || (dlen = i2d_ECDSA_SIG(es, &p)) <= 0)
		goto out;
	ctx = EVP_MD_CTX_new();
	ok = ctx && EVP_DigestVerifyInit(ctx, NULL, md_of(m->bits), NULL, k) == 1 &&
	     EVP_DigestVerify(ctx, der, (size_t)dlen, octets, octets_len) == 1;
out:
	EVP_MD_CTX_free(ctx);
	ECDSA_SIG_free(es);
	BN_free(r);
	BN_free(s);
	return ok;
}

bool ike_x509_verify_auth(struct x509_st *cert, uint8_t method, const uint8_t *octets,
			  size_t octets_len, const uint8_t *data, size_t len)
{
	EVP_PKEY *k = cert ? X509_get0_pubkey(cert) : NULL;
	const struct algid *a = NULL;
	EVP_MD_CTX *ctx;
	bool ok = false;

	if (!k || !octets || !data || len < 1 || len > IKE_X509_AUTH_MAX)
		return false;
	for (size_t i = 0; i < sizeof(rfc4754) / sizeof(rfc4754[0]); i++)
		if (method == rfc4754[i].method)
			return ike_crypto_init() == 0 &&
			       verify_rfc4754(k, &rfc4754[i], octets, octets_len, data, len);
	if (method != IKEV2_AUTH_DIGITAL_SIGNATURE)
		return false;
	for (size_t i = 0; i < sizeof(algids) / sizeof(algids[0]); i++)
		if (data[0] == algids[i].len && len > 1 + algids[i].len &&
		    memcmp(data + 1, algids[i].der, algids[i].len) == 0)
			a = &algids[i];
	if (!a || !key_fits(k, a->scheme) || ike_crypto_init())
		return false;
	ctx = EVP_MD_CTX_new();
	if (ctx && setup(ctx, k, a, false) == 0)
		ok = EVP_DigestVerify(ctx, data + 1 + a->len, len - 1 - a->len, octets,
				      octets_len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

bool ike_x509_auth_method_known(uint8_t method)
{
	for (size_t i = 0; i < sizeof(rfc4754) / sizeof(rfc4754[0]); i++)
		if (method == rfc4754[i].method)
			return true;
	return method == IKEV2_AUTH_DIGITAL_SIGNATURE;
}

bool ike_x509_verify_auth_der(const uint8_t *cert_der, size_t cert_len, const uint8_t *octets,
			      size_t octets_len, const uint8_t *auth_body, size_t auth_len)
{
	X509 *x;
	bool ok;

	/* AUTH payload body: method, 3 reserved bytes, data (RFC 7296 §3.8) */
	if (!auth_body || auth_len < 5)
		return false;
	x = ike_x509_from_der(cert_der, cert_len);
	ok = x && ike_x509_verify_auth(x, auth_body[0], octets, octets_len, auth_body + 4,
				       auth_len - 4);
	X509_free(x);
	return ok;
}
