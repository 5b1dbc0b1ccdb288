/* RFC 4754 ECDSA AUTH methods 9, 10, 11 (P-256/SHA-256, P-384/SHA-384,
 * P-521/SHA-512), accepted from a peer: signatures made here by OpenSSL
 * (DER, turned into r | s of the curve's size) verify through
 * ike_x509_verify_auth and the wire entry point; the wrong curve for the
 * method, a changed octet or signature byte, a short or long r | s, and
 * method 14's framing under method 9 are refused. What we send stays RFC
 * 7427 (method 14), checked last. */
#include <check.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "linegate/ike_x509.h"
#include "linegate/ikev2.h"
#include "check_main.h"

static const uint8_t octets[] = "the RFC 7296 section 2.15 octets of one side";

struct curve {
	const char *name;   /* EVP_EC_gen */
	uint8_t method;
	const EVP_MD *(*md)(void);
	size_t half;
};
static const struct curve curves[] = {
	/* 0 */ { "P-256", IKEV2_AUTH_ECDSA_P256_SHA256, EVP_sha256, 32 },
	/* 1 */ { "P-384", IKEV2_AUTH_ECDSA_P384_SHA384, EVP_sha384, 48 },
	/* 2 */ { "P-521", IKEV2_AUTH_ECDSA_P521_SHA512, EVP_sha512, 66 },
};

/* A self-signed certificate of a fresh key on the curve. */
static X509 *cert_on(const char *curve, EVP_PKEY **key)
{
	X509 *x = X509_new();
	X509_NAME *n;

	*key = EVP_EC_gen(curve);
	ck_assert_ptr_nonnull(*key);
	ck_assert_ptr_nonnull(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)curve, -1, -1, 0);
	X509_set_issuer_name(x, n);
	X509_set_pubkey(x, *key);
	ck_assert_int_gt(X509_sign(x, *key, EVP_sha256()), 0);
	return x;
}

/* RFC 4754 AUTH data: OpenSSL's DER signature as r | s. */
static size_t sign_rs(EVP_PKEY *key, const struct curve *c, uint8_t *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char der[256];
	const unsigned char *p = der;
	size_t dlen = sizeof(der);

	ck_assert_int_eq(EVP_DigestSignInit(ctx, NULL, c->md(), NULL, key), 1);
	ck_assert_int_eq(EVP_DigestSign(ctx, der, &dlen, octets, sizeof(octets)), 1);
	EVP_MD_CTX_free(ctx);
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)dlen);
	ck_assert_ptr_nonnull(sig);
	ck_assert_int_eq(BN_bn2binpad(ECDSA_SIG_get0_r(sig), out, (int)c->half), (int)c->half);
	ck_assert_int_eq(BN_bn2binpad(ECDSA_SIG_get0_s(sig), out + c->half, (int)c->half),
			 (int)c->half);
	ECDSA_SIG_free(sig);
	return 2 * c->half;
}

/* Each curve with its method, through both entry points. */
START_TEST(each_method_verifies)
{
	const struct curve *c = &curves[_i];
	EVP_PKEY *key;
	X509 *x = cert_on(c->name, &key);
	uint8_t sig[2 * 66 + 1], body[4 + 2 * 66], der[1024];
	size_t len = sign_rs(key, c, sig);

	ck_assert(ike_x509_auth_method_known(c->method));
	ck_assert(ike_x509_verify_auth(x, c->method, octets, sizeof(octets), sig, len));
	/* the AUTH payload body from the wire: method, 3 reserved bytes, r | s */
	body[0] = c->method;
	body[1] = body[2] = body[3] = 0;
	memcpy(body + 4, sig, len);
	unsigned char *p = der;
	int dl = i2d_X509(x, &p);
	ck_assert(ike_x509_verify_auth_der(der, (size_t)dl, octets, sizeof(octets), body, 4 + len));
	/* another octet, another signature byte: refused */
	uint8_t other[sizeof(octets)];
	memcpy(other, octets, sizeof(octets));
	other[7] ^= 1;
	ck_assert(!ike_x509_verify_auth(x, c->method, other, sizeof(other), sig, len));
	for (size_t i = 0; i < len; i += 13) {
		sig[i] ^= 0x80;
		ck_assert_msg(!ike_x509_verify_auth(x, c->method, octets, sizeof(octets), sig, len),
			      "%s: byte %zu", c->name, i);
		sig[i] ^= 0x80;
	}
	/* r | s of another length (the curve fixes it) */
	ck_assert(!ike_x509_verify_auth(x, c->method, octets, sizeof(octets), sig, len - 1));
	sig[len] = 0;
	ck_assert(!ike_x509_verify_auth(x, c->method, octets, sizeof(octets), sig, len + 1));
	/* the other two methods name other curves */
	for (size_t j = 0; j < sizeof(curves) / sizeof(curves[0]); j++)
		if (curves[j].method != c->method)
			ck_assert(!ike_x509_verify_auth(x, curves[j].method, octets, sizeof(octets), sig,
							len));
	X509_free(x);
	EVP_PKEY_free(key);
}
END_TEST

/* Method 9 needs an EC key: an Ed25519 certificate, or all-zero r | s, no. */
START_TEST(wrong_key_or_zero)
{
	EVP_PKEY *key, *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	X509 *x = cert_on("P-256", &key);
	uint8_t zero[64] = { 0 };

	ck_assert(!ike_x509_verify_auth(x, IKEV2_AUTH_ECDSA_P256_SHA256, octets, sizeof(octets), zero,
					sizeof(zero)));
	X509_set_pubkey(x, ed);
	ck_assert(!ike_x509_verify_auth(x, IKEV2_AUTH_ECDSA_P256_SHA256, octets, sizeof(octets), zero,
					sizeof(zero)));
	ck_assert(!ike_x509_auth_method_known(IKEV2_AUTH_RSA_SIG));
	ck_assert(!ike_x509_auth_method_known(12));
	X509_free(x);
	EVP_PKEY_free(key);
	EVP_PKEY_free(ed);
}
END_TEST

/* We keep sending RFC 7427: our P-256 signature is method 14's framing
 * (length byte, ecdsa-with-SHA256, DER), and it is not an r | s. */
START_TEST(we_send_rfc7427)
{
	EVP_PKEY *key;
	X509 *x = cert_on("P-256", &key);
	uint8_t out[IKE_X509_AUTH_MAX];
	size_t len;

	ck_assert_int_eq(ike_x509_sign_auth(key, octets, sizeof(octets), out, sizeof(out), &len), 0);
	ck_assert_uint_eq(out[0], 12);   /* the AlgorithmIdentifier's length */
	ck_assert(ike_x509_verify_auth(x, IKEV2_AUTH_DIGITAL_SIGNATURE, octets, sizeof(octets), out,
				       len));
	ck_assert(!ike_x509_verify_auth(x, IKEV2_AUTH_ECDSA_P256_SHA256, octets, sizeof(octets), out,
					len));
	X509_free(x);
	EVP_PKEY_free(key);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ike_crypto_rfc4754");
	TCase *tc = tcase_create("ecdsa");
	tcase_add_loop_test(tc, each_method_verifies, 0, 3);
	tcase_add_test(tc, wrong_key_or_zero);
	tcase_add_test(tc, we_send_rfc7427);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}
