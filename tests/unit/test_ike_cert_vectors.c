/* Certificate authentication as strongSwan 5.9.8 does it, from five captured
 * sessions (tests/vectors/<set>/: RSA-3072 with PKCS#1 v1.5 and with
 * RSASSA-PSS AUTH (rsa_pss = yes), ECDSA P-256, ECDSA P-384 and
 * Ed25519 certificates, each signed by a CA of the same key type in
 * <set>/pki/; flattened into ike_<set>.txt by tools/ike_cbc_vectors.py).
 * Both IKE_AUTH messages are decrypted with linegate's SK code and split
 * with its payload parser; the CERT payload's certificate chains to the
 * set's CA with linegate's X.509 library (and not to another set's CA, not
 * before or after its validity, not with one bit of its signature
 * changed), the IDi / IDr strongSwan sent names it, the other
 * gateway's ID does not, and strongSwan's AUTH signature verifies with
 * linegate's RFC 7427 code. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "linegate/ike_crypto.h"
#include "linegate/ike_x509.h"
#include "linegate/ikev2.h"
#include "ike_wire.h"
#include "test_ike_crypto_vec.h"
#include "check_main.h"

static const char *const sets[] = {
	"aes256-sha256-modp2048-rsa", "aes128-sha256-ecp256-ecdsa256",
	"aes256-sha384-ecp384-ecdsa384", "aes128-sha256-ecp256-ed25519cert",
	"aes256-sha256-modp2048-rsapss",
};
enum { NSETS = sizeof(sets) / sizeof(sets[0]) };

static struct vec_file vf;
static int vf_set;   /* index in sets[] of the loaded file */

static struct ike_x509_store *store_of(int set)
{
	const char *dir = getenv("LG_VECTORS");
	struct ike_x509_store *s = NULL;
	char path[512], err[256];

	snprintf(path, sizeof(path), "%s/%s/pki/ca", dir ? dir : "../vectors", sets[set]);
	ck_assert_msg(ike_x509_store_load(path, NULL, &s, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(ike_x509_store_counts(s, NULL, NULL), 1);
	return s;
}

/* One side's IKE_AUTH (sk0: the initiator's request, sk1: the response),
 * decrypted in place into msg; the payloads of its SK payload in *pl. */
static void open_auth(unsigned n, uint8_t **msg, struct ike_payload_list *pl)
{
	const struct vec_entry *w = VEC(&vf, "sk%u.wire", n);
	struct ike_sk_key k = {
		.encr = (int)VEC_U8(&vf, "encr"),
		.keybits = 8 * VEC_U8(&vf, "encr_keybytes"),
		.integ = (int)VEC_U8(&vf, "integ"),
		.ekey = VEC(&vf, "ike0.%s", n ? "sk_er" : "sk_ei")->val,
		.akey = VEC(&vf, "ike0.%s", n ? "sk_ar" : "sk_ai")->val,
	};
	size_t aad = IKEV2_HEADER_LEN + IKEV2_GENERIC_PAYLOAD_HEADER_LEN, plain_len;
	struct ike_header h;
	const uint8_t *plain;

	*msg = malloc(w->len);
	memcpy(*msg, w->val, w->len);
	ck_assert_int_eq(ike_header_parse(*msg, w->len, &h), 0);
	ck_assert_uint_eq(h.exchange, IKEV2_EXCHANGE_IKE_AUTH);
	ck_assert_uint_eq(VEC_U8(&vf, "sk%u.dir", n), n);
	ck_assert_int_eq(ike_sk_open(&k, *msg, aad, w->len, &plain, &plain_len), 0);
	ck_assert_int_eq(ike_payloads_split(w->val[IKEV2_HEADER_LEN], plain, plain_len, pl), 0);
}

/* strongSwan's RFC 7427 signature (AUTH method 14) verifies with
 * linegate's code over the octets of RFC 7296 §2.15 and the certificate
 * it sent; one changed octet, one changed signature byte, the other
 * side's octets or an unknown AlgorithmIdentifier do not. */
static void check_signature(unsigned side, const struct ike_payload *cert,
			    const struct ike_payload *auth)
{
	const uint8_t *der = cert->body + 1;
	size_t der_len = cert->len - 1, oct_len, other_len;
	uint8_t *oct, *other, *body;

	vec_auth_octets(&vf, side == 0, &oct, &oct_len);
	vec_auth_octets(&vf, side != 0, &other, &other_len);
	ck_assert_msg(ike_x509_verify_auth_der(der, der_len, oct, oct_len, auth->body, auth->len),
		      "%s: strongSwan's AUTH does not verify", sets[vf_set]);
	ck_assert(!ike_x509_verify_auth_der(der, der_len, other, other_len, auth->body,
					    auth->len));
	oct[oct_len - 1] ^= 0x01;
	ck_assert(!ike_x509_verify_auth_der(der, der_len, oct, oct_len, auth->body, auth->len));
	oct[oct_len - 1] ^= 0x01;
	body = malloc(auth->len);
	memcpy(body, auth->body, auth->len);
	body[auth->len - 1] ^= 0x01;            /* the signature's last byte */
	ck_assert(!ike_x509_verify_auth_der(der, der_len, oct, oct_len, body, auth->len));
	body[auth->len - 1] ^= 0x01;
	body[4 + 1 + 2] ^= 0x01;                /* inside the AlgorithmIdentifier */
	ck_assert(!ike_x509_verify_auth_der(der, der_len, oct, oct_len, body, auth->len));
	free(body);
	free(other);
	free(oct);
}

START_TEST(test_capture_certs)
{
	struct ike_x509_store *store, *other;
	char file[128];

	snprintf(file, sizeof(file), "ike_%s.txt", sets[_i]);
	vec_load(&vf, file);
	vf_set = _i;
	store = store_of(_i);
	other = store_of((_i + 1) % NSETS);
	for (unsigned side = 0; side < 2; side++) {
		const char *s = side ? "auth_r" : "auth_i";
		const struct vec_entry *want = VEC(&vf, "%s.cert0", s);
		struct ike_payload_list pl;
		struct ike_id id, peer_id;
		struct ike_auth auth;
		struct ike_x509_info info;
		const struct ike_payload *cert;
		uint8_t *msg, *peer_msg, *der;
		struct x509_st *x;
		time_t t;

		open_auth(side, &msg, &pl);
		/* Exactly one CERT, X.509 signature encoding (RFC 7296 §3.6). */
		ck_assert_uint_eq(ike_payload_count(&pl, IKEV2_PAYLOAD_CERT), 1);
		cert = ike_payload_find(&pl, IKEV2_PAYLOAD_CERT);
		ck_assert_uint_eq(cert->len, want->len);
		ck_assert_bytes(cert->body, want->val, want->len, "CERT payload");
		ck_assert_uint_eq(cert->body[0], 4);
		x = ike_x509_from_der(cert->body + 1, cert->len - 1);
		ck_assert_ptr_nonnull(x);
		ck_assert_int_eq(ike_decode_id(ike_payload_find(&pl, side ? IKEV2_PAYLOAD_IDr :
								IKEV2_PAYLOAD_IDi), &id), 0);
		ck_assert_bytes(id.body, VEC(&vf, "%s.id", s)->val, id.body_len, "ID");
		ck_assert_int_eq(ike_decode_auth(ike_payload_find(&pl, IKEV2_PAYLOAD_AUTH), &auth), 0);
		ck_assert_uint_eq(auth.method, IKEV2_AUTH_DIGITAL_SIGNATURE);
		ck_assert_bytes(auth.data, VEC(&vf, "%s.data", s)->val, auth.len, "AUTH");
		check_signature(side, cert, ike_payload_find(&pl, IKEV2_PAYLOAD_AUTH));

		/* The chain, inside the validity and outside it. */
		ike_x509_describe(x, &info);
		ck_assert_msg(strstr(info.subject, side ? "CN=gw-b.ib.test" : "CN=gw-a.ib.test"), "%s",
			      info.subject);
		t = info.not_before + 86400;
		ck_assert_str_eq(ike_x509_verdict_name(ike_x509_verify(store, x, NULL, 0, t, &info)),
				 ike_x509_verdict_name(IKE_X509_OK));
		ck_assert_int_eq(ike_x509_verify(store, x, NULL, 0, info.not_after + 1, NULL),
				 IKE_X509_EXPIRED);
		ck_assert_int_eq(ike_x509_verify(store, x, NULL, 0, info.not_before - 1, NULL),
				 IKE_X509_NOT_YET_VALID);
		ck_assert_int_eq(ike_x509_verify(other, x, NULL, 0, t, NULL), IKE_X509_UNTRUSTED);

		/* The IKE identity strongSwan sent is the certificate's; the
		 * other gateway's is not. */
		ck_assert(ike_x509_id_matches(x, id.type, id.data, id.len));
		open_auth(!side, &peer_msg, &pl);
		ck_assert_int_eq(ike_decode_id(ike_payload_find(&pl, side ? IKEV2_PAYLOAD_IDi :
								IKEV2_PAYLOAD_IDr), &peer_id), 0);
		ck_assert(!ike_x509_id_matches(x, peer_id.type, peer_id.data, peer_id.len));
		ike_x509_free(x);

		/* One bit of the CA's signature (the DER's last byte) changed. */
		der = malloc(want->len - 1);
		memcpy(der, want->val + 1, want->len - 1);
		der[want->len - 2] ^= 0x01;
		x = ike_x509_from_der(der, want->len - 1);
		ck_assert_ptr_nonnull(x);
		ck_assert_str_eq(ike_x509_verdict_name(ike_x509_verify(store, x, NULL, 0, t, NULL)),
				 ike_x509_verdict_name(IKE_X509_BAD_SIGNATURE));
		ike_x509_free(x);
		free(der);
		free(peer_msg);
		free(msg);
	}
	ike_x509_store_free(other);
	ike_x509_store_free(store);
	vec_free(&vf);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ike_cert_vectors");
	TCase *tc = tcase_create("capture");

	tcase_add_loop_test(tc, test_capture_certs, 0, NSETS);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	return lg_check_run(suite());
}
