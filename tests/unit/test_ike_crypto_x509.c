/* X.509 through libcrypto (src/ike/crypto_x509.c) against a PKI made at test
 * time by tests/lib/x509_pki.sh: one verdict per certificate (RSA, ECDSA
 * P-256/P-384, Ed25519 good; revoked, expired, not yet valid, rogue CA, a
 * CA without a CRL, a CRL past its next update), the intermediate from the
 * directory or from the peer, identity binding to each SAN type and the
 * subject DN, exact DER decoding, and the private key's file rules. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/x509.h>

#include "linegate/ike_x509.h"
#include "linegate/ikev2.h"
#include "check_main.h"
#include "x509_pki_fixture.h"

static struct ike_x509_store *store;   /* anchors, intermediate, both CRLs */
static char err[512];

/* PKI/name + ext (two results live at once) */
static const char *path(const char *name, const char *ext)
{
	static char p[2][512];
	static int i;

	i ^= 1;
	snprintf(p[i], sizeof(p[i]), "%s/%s%s", pki, name, ext);
	return p[i];
}

static X509 *cert(const char *name)
{
	X509 *x = NULL;

	ck_assert_msg(ike_x509_load_cert(path(name, ".crt"), &x, err, sizeof(err)) == 0, "%s", err);
	return x;
}

static void setup(void)
{
	int r = ike_x509_store_load(path("ca", ""), path("crl", ""), &store, err, sizeof(err));
	ck_assert_msg(r == 0, "%s", err);
}

static void teardown(void)
{
	ike_x509_store_free(store);
	store = NULL;
}

static enum ike_x509_verdict verdict_at(const struct ike_x509_store *s, const char *name,
					time_t when)
{
	X509 *x = cert(name);
	enum ike_x509_verdict v = ike_x509_verify(s, x, NULL, 0, when, NULL);

	ike_x509_free(x);
	return v;
}

START_TEST(store_counts)
{
	size_t inter, crls;
	ck_assert_uint_eq(ike_x509_store_counts(store, &inter, &crls), 1);
	ck_assert_uint_eq(inter, 1);
	ck_assert_uint_eq(crls, 2);
}
END_TEST

/* Each key type: the chain verifies, the subject and validity are read,
 * its own DNS name binds, its key loads (0600) and is its certificate's. */
static const struct { const char *name, *dns; } good[] = {
	{ "rsa", "gw-rsa.ib.test" }, { "p256", "gw-p256.ib.test" },
	{ "p384", "gw-p384.ib.test" }, { "ed25519", "gw-ed.ib.test" },
};

START_TEST(good_certificates)
{
	struct ike_x509_info info;
	X509 *x = cert(good[_i].name), *other = cert(good[(_i + 1) % 4].name);
	EVP_PKEY *key = NULL;

	ck_assert_int_eq(ike_x509_verify(store, x, NULL, 0, time(NULL), &info), IKE_X509_OK);
	ck_assert_ptr_nonnull(strstr(info.subject, good[_i].dns));
	ck_assert_int_gt(info.not_after, time(NULL) + 300 * 86400);
	ck_assert_int_le(info.not_before, time(NULL));
	ck_assert(ike_x509_id_matches(x, IKEV2_ID_FQDN, (const uint8_t *)good[_i].dns,
				      strlen(good[_i].dns)));
	ck_assert(!ike_x509_id_matches(other, IKEV2_ID_FQDN, (const uint8_t *)good[_i].dns,
				       strlen(good[_i].dns)));
	ck_assert_msg(ike_x509_load_key(path(good[_i].name, ".key"), &key, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert(ike_x509_key_matches(x, key));
	ck_assert(!ike_x509_key_matches(other, key));
	ike_x509_key_free(key);
	ike_x509_free(other);
	ike_x509_free(x);
}
END_TEST

START_TEST(refused_verdicts)
{
	time_t now = time(NULL);

	ck_assert_int_eq(verdict_at(store, "revoked", now), IKE_X509_REVOKED);
	ck_assert_int_eq(verdict_at(store, "expired", now), IKE_X509_EXPIRED);
	ck_assert_int_eq(verdict_at(store, "rogue", now), IKE_X509_UNTRUSTED);
	/* before the CRLs were issued (the PKI is minutes old): revocation
	 * is checked before validity times, and fails closed */
	ck_assert_int_eq(verdict_at(store, "p256", now - 86400), IKE_X509_CRL_EXPIRED);
	/* the CRLs say next update in 30 days: after it, fail closed */
	ck_assert_int_eq(verdict_at(store, "p256", now + 40 * 86400), IKE_X509_CRL_EXPIRED);
	ck_assert_str_eq(ike_x509_verdict_name(IKE_X509_REVOKED), "cert_revoked");
	ck_assert_str_eq(ike_x509_verdict_name(IKE_X509_VERDICT_COUNT), "cert_invalid");
}
END_TEST

/* No CRL directory: no revocation check. One CA without a CRL: every chain
 * through it fails closed. */
START_TEST(crl_directory)
{
	struct ike_x509_store *s;
	char cmd[1200];

	ck_assert_int_eq(ike_x509_store_load(path("ca", ""), NULL, &s, err, sizeof(err)), 0);
	ck_assert_int_eq(verdict_at(s, "revoked", time(NULL)), IKE_X509_OK);
	/* before the certificates were issued */
	ck_assert_int_eq(verdict_at(s, "p256", time(NULL) - 86400), IKE_X509_NOT_YET_VALID);
	ike_x509_store_free(s);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/crl1 && cp %s/crl/inter.crl %s/crl1/", pki, pki, pki);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(ike_x509_store_load(path("ca", ""), path("crl1", ""), &s, err,
					     sizeof(err)), 0);
	ck_assert_int_eq(verdict_at(s, "p256", time(NULL)), IKE_X509_NO_CRL);
	ike_x509_store_free(s);
}
END_TEST

/* The intermediate sent by the peer (CERT payloads) rather than found in
 * the directory: trusted only with it. */
START_TEST(intermediate_from_peer)
{
	struct ike_x509_store *s;
	char cmd[1200];
	X509 *x = cert("p384"), *inter;

	snprintf(cmd, sizeof(cmd), "mkdir -p %s/rootonly && cp %s/ca/root.crt %s/rootonly/", pki, pki,
		 pki);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(ike_x509_load_cert(path("ca/inter.crt", ""), &inter, err, sizeof(err)), 0);
	ck_assert_int_eq(ike_x509_store_load(path("rootonly", ""), NULL, &s, err, sizeof(err)), 0);
	ck_assert_int_eq(ike_x509_verify(s, x, NULL, 0, time(NULL), NULL), IKE_X509_UNTRUSTED);
	ck_assert_int_eq(ike_x509_verify(s, x, &inter, 1, time(NULL), NULL), IKE_X509_OK);
	ike_x509_store_free(s);
	ike_x509_free(inter);
	ike_x509_free(x);
}
END_TEST

START_TEST(identity_binding)
{
	X509 *rsa = cert("rsa"), *nosan = cert("nosan");
	const uint8_t ip4[4] = { 10, 211, 0, 2 }, ip4_other[4] = { 10, 211, 0, 3 };
	uint8_t dn[512], *p = dn;
	int dn_len;

	ck_assert(ike_x509_id_matches(rsa, IKEV2_ID_IPV4_ADDR, ip4, 4));
	ck_assert(!ike_x509_id_matches(rsa, IKEV2_ID_IPV4_ADDR, ip4_other, 4));
	ck_assert(ike_x509_id_matches(rsa, IKEV2_ID_RFC822_ADDR, (const uint8_t *)"gw@ib.test", 10));
	ck_assert(!ike_x509_id_matches(rsa, IKEV2_ID_RFC822_ADDR, (const uint8_t *)"gx@ib.test", 10));
	/* a longer or shorter name is another name; no wildcard, no KEY_ID */
	ck_assert(!ike_x509_id_matches(rsa, IKEV2_ID_FQDN, (const uint8_t *)"gw-rsa.ib.tes", 13));
	ck_assert(!ike_x509_id_matches(rsa, IKEV2_ID_FQDN, (const uint8_t *)"*.ib.test", 9));
	ck_assert(!ike_x509_id_matches(rsa, IKEV2_ID_KEY_ID, (const uint8_t *)"gw-rsa", 6));
	/* without a SAN the CN is not a DNS name (RFC 6125), the DN still binds */
	ck_assert(!ike_x509_id_matches(nosan, IKEV2_ID_FQDN, (const uint8_t *)"gw-nosan.ib.test", 16));
	dn_len = i2d_X509_NAME(X509_get_subject_name(nosan), &p);
	ck_assert_int_gt(dn_len, 0);
	ck_assert(ike_x509_id_matches(nosan, IKEV2_ID_DER_ASN1_DN, dn, (size_t)dn_len));
	ck_assert(!ike_x509_id_matches(rsa, IKEV2_ID_DER_ASN1_DN, dn, (size_t)dn_len));
	ck_assert(!ike_x509_id_matches(nosan, IKEV2_ID_DER_ASN1_DN, dn, (size_t)dn_len - 1));
	ike_x509_free(nosan);
	ike_x509_free(rsa);
}
END_TEST

START_TEST(der_exact)
{
	static uint8_t der[IKE_X509_DER_MAX + 2];
	X509 *x = cert("p256"), *y;
	int n = ike_x509_to_der(x, der, sizeof(der));

	ck_assert_int_gt(n, 0);
	y = ike_x509_from_der(der, (size_t)n);
	ck_assert_ptr_nonnull(y);
	ike_x509_free(y);
	ck_assert_ptr_null(ike_x509_from_der(der, (size_t)n - 1));      /* truncated */
	ck_assert_ptr_null(ike_x509_from_der(der, (size_t)n + 1));      /* trailing byte */
	ck_assert_ptr_null(ike_x509_from_der(der, IKE_X509_DER_MAX + 1)); /* over the bound */
	ck_assert_int_eq(ike_x509_to_der(x, der, 16), -EMSGSIZE);
	ike_x509_free(x);
}
END_TEST

START_TEST(key_file_rules)
{
	EVP_PKEY *k = NULL;
	char cmd[1200];

	snprintf(cmd, sizeof(cmd), "cp %s/p256.key %s/ww.key && chmod 0666 %s/ww.key", pki, pki, pki);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(ike_x509_load_key(path("ww.key", ""), &k, err, sizeof(err)), -EPERM);
	ck_assert_ptr_nonnull(strstr(err, "writable"));
	ck_assert_int_lt(ike_x509_load_key(path("p256.crt", ""), &k, err, sizeof(err)), 0);
	ck_assert_ptr_null(k);
	ck_assert_int_lt(ike_x509_load_key(path("missing.key", ""), &k, err, sizeof(err)), 0);
	ck_assert_int_lt(ike_x509_load_cert(path("p256.key", ""), (X509 **)&k, err, sizeof(err)), 0);
	ck_assert_int_lt(ike_x509_store_load(path("missing", ""), NULL, (struct ike_x509_store **)&k,
					     err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "missing"));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ike_crypto_x509");
	TCase *t = tcase_create("rfc5280");

	tcase_add_unchecked_fixture(t, make_pki, remove_pki);
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 120);
	tcase_add_test(t, store_counts);
	tcase_add_loop_test(t, good_certificates, 0, 4);
	tcase_add_test(t, refused_verdicts);
	tcase_add_test(t, crl_directory);
	tcase_add_test(t, intermediate_from_peer);
	tcase_add_test(t, identity_binding);
	tcase_add_test(t, der_exact);
	tcase_add_test(t, key_file_rules);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return lg_check_run(suite());
}
