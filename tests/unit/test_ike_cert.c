/* IKE_AUTH with X.509 certificates between two linegate instances over the
 * mock transport (test_ike_mock.h), against a PKI made at test time
 * (tests/lib/x509_pki.sh): RSA PKCS#1 v1.5, RSA-PSS, ECDSA P-256 and P-384
 * and Ed25519 end certificates under an intermediate that travels in a
 * CERT payload; each refusal (unknown CA, expired, revoked by the CRL, the
 * identity not in the certificate, a broken certificate signature, AUTH
 * signed by another key) leaves nothing installed, is counted and has its
 * reason; the RFC 7427 AUTH verify entry point on wire bytes. Identities
 * as distinguished names (ID_DER_ASN1_DN) both ways: written with
 * PrintableStrings, bound to subjects the CA wrote as UTF8Strings. */
#include <time.h>
#include <openssl/x509.h>
#include "test_ike_mock.h"
#include "check_main.h"
#include "x509_pki_fixture.h"

static struct mock_bed bed;
static char last_failure[2048];   /* the last auth_failure record */

static void sink(void *ctx, enum audit_event ev, enum audit_outcome oc, const char *line)
{
	mock_audit_sink(ctx, ev, oc, line);
	if (ev == AUDIT_AUTH_FAILURE)
		snprintf(last_failure, sizeof(last_failure), "%s", line);
}

/* Node idx authenticates with PKI/name.crt as fqdn; the other expects it. */
static void use_cert(int idx, const char *name, const char *fqdn)
{
	struct conf_peer *p = &bed.node[idx].cfg.peers[0], *o = &bed.node[1 - idx].cfg.peers[0];

	p->auth = CONF_AUTH_CERTIFICATE;
	snprintf(p->certificate_file, sizeof(p->certificate_file), "%s/%s.crt", pki, name);
	snprintf(p->private_key_file, sizeof(p->private_key_file), "%s/%s.key", pki, name);
	snprintf(p->ca_dir, sizeof(p->ca_dir), "%s/ca", pki);
	snprintf(p->crl_dir, sizeof(p->crl_dir), "%s/crl", pki);
	p->psk_file[0] = '\0';
	ike_fixture_id(&p->local_id, fqdn);
	ike_fixture_id(&o->remote_id, fqdn);
}

static void pair(const char *a, const char *fa, const char *b, const char *fb)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	audit_set_test_sink(sink, &bed);
	last_failure[0] = '\0';
	use_cert(0, a, fa);
	use_cert(1, b, fb);
}

/* Both ends up; each shows the other's certificate subject and expiry. */
static void establish_and_show(const char *cn_a, const char *cn_b)
{
	struct ike_sa_info info[2];
	time_t now = time(NULL);

	mock_start(&bed);
	mock_establish(&bed);
	ck_assert_int_eq(bed.audit[AUDIT_AUTH_SUCCESS][AUDIT_SUCCESS], 2);
	ck_assert_uint_eq(ike_list_sas(bed.node[0].ike, info, 2), 1);
	ck_assert_str_eq(info[0].auth, "certificate");
	ck_assert_msg(strstr(info[0].peer_cert, cn_b), "%s", info[0].peer_cert);
	ck_assert_int_gt(info[0].peer_cert_not_after, now + 300 * 86400);
	ck_assert_uint_eq(ike_list_sas(bed.node[1].ike, info, 2), 1);
	ck_assert_msg(strstr(info[0].peer_cert, cn_a), "%s", info[0].peer_cert);
	/* the subject survives an IKE rekey */
	ck_assert_int_eq(ike_rekey_ike_start(mock_sa(&bed, 0)), 0);
	mock_run(&bed);
	ck_assert_uint_eq(ike_list_sas(bed.node[1].ike, info, 2), 1);
	ck_assert_int_eq(bed.audit[AUDIT_IKE_SA_REKEYED][AUDIT_SUCCESS], 2);
	ck_assert_msg(strstr(info[0].peer_cert, cn_a), "%s", info[0].peer_cert);
	mock_free(&bed);
}

START_TEST(rsa_pkcs1)
{
	pair("rsa", "gw-rsa.ib.test", "p256", "gw-p256.ib.test");
	establish_and_show("CN=gw-rsa.ib.test", "CN=gw-p256.ib.test");
}
END_TEST

START_TEST(rsa_pss)
{
	pair("pss", "gw-pss.ib.test", "rsa", "gw-rsa.ib.test");
	establish_and_show("CN=gw-pss.ib.test", "CN=gw-rsa.ib.test");
}
END_TEST

START_TEST(ecdsa_p384)
{
	pair("p384", "gw-p384.ib.test", "p256", "gw-p256.ib.test");
	establish_and_show("CN=gw-p384.ib.test", "CN=gw-p256.ib.test");
}
END_TEST

START_TEST(ed25519_cert)
{
	pair("ed25519", "gw-ed.ib.test", "p384", "gw-p384.ib.test");
	establish_and_show("CN=gw-ed.ib.test", "CN=gw-p384.ib.test");
}
END_TEST

/* The SIGNATURE_HASH_ALGORITHMS of the queued IKE_SA_INIT message i lists
 * SHA2-256, -384, -512 and Identity (RFC 7427 §4): without SHA-2 there, a
 * peer such as Libreswan signs with RSA and SHA-1, which we refuse. */
static void assert_sig_hashes(size_t i)
{
	static const uint8_t want[] = { 0, IKEV2_HASH_SHA2_256, 0, IKEV2_HASH_SHA2_384,
					0, IKEV2_HASH_SHA2_512, 0, IKEV2_HASH_IDENTITY };
	struct mock_msg *m = &bed.q[i];
	struct ike_header h;
	struct ike_payload_list l;
	struct ike_notify n;

	ck_assert_int_eq(ike_header_parse(m->data, m->len, &h), 0);
	ck_assert_int_eq(h.exchange, IKEV2_EXCHANGE_IKE_SA_INIT);
	ck_assert_int_eq(ike_payloads_split(h.next_payload, m->data + IKEV2_HEADER_LEN,
					    m->len - IKEV2_HEADER_LEN, &l), 0);
	ck_assert(ike_find_notify(&l, IKEV2_NOTIFY_SIGNATURE_HASH_ALGORITHMS, &n));
	ck_assert_uint_eq(n.data_len, sizeof(want));
	ck_assert_mem_eq(n.data, want, sizeof(want));
}

START_TEST(sig_hashes_announced)
{
	pair("rsa", "gw-rsa.ib.test", "p256", "gw-p256.ib.test");
	mock_start(&bed);
	mock_tick(&bed, 100);
	ck_assert_uint_eq(bed.n, 1);
	assert_sig_hashes(0);                 /* request */
	mock_deliver(&bed);
	ck_assert_uint_eq(bed.n, 1);
	assert_sig_hashes(0);                 /* response */
	mock_free(&bed);
}
END_TEST

/* A's IKE_AUTH reaches B and is refused for why: nothing installed on
 * either side, counted as a certificate drop, summarised in the audit. */
static void refused(const char *why)
{
	const char *names[IKE_DROP_NAMES_MAX];
	uint64_t counts[IKE_DROP_NAMES_MAX];
	size_t n;

	mock_tick(&bed, 100);
	mock_deliver(&bed);
	mock_deliver(&bed);
	ck_assert_int_eq(mock_sa(&bed, 0)->state, IKE_SA_AUTH_SENT);
	mock_deliver(&bed);                   /* IKE_AUTH -> B: refused */
	ck_assert_uint_eq(mock_sa_count(&bed, 1), 0);
	ck_assert_uint_eq(mock_active_children(&bed, 1), 0);
	n = ike_get_drops(bed.node[1].ike, names, counts, IKE_DROP_NAMES_MAX);
	ck_assert_uint_eq(bed.node[1].ike->drops[IKE_DROP_CERT], 1);
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], "cert_refused") == 0)
			ck_assert_uint_eq(counts[i], 1);
	ck_assert_int_ge(bed.audit[AUDIT_AUTH_FAILURE][AUDIT_FAILURE], 1);
	char want[64];
	snprintf(want, sizeof(want), "\"%s\"", why);
	ck_assert_msg(strstr(last_failure, want), "%s not in %s", want, last_failure);
	ck_assert_msg(strstr(last_failure, "\"summary\":\"first\""), "%s", last_failure);
	ck_assert_uint_eq(bed.n, 1);          /* N(AUTHENTICATION_FAILED) */
	mock_deliver(&bed);
	ck_assert_uint_eq(mock_sa_count(&bed, 0), 0);
	ck_assert_uint_eq(bed.node[0].n_child, 0);
	ck_assert_uint_eq(bed.node[1].n_child, 0);
	mock_free(&bed);
}

/* Node idx's identity (and what the other expects) is the DN text. */
static void use_dn(int idx, const char *text)
{
	struct conf_identity *mine = &bed.node[idx].cfg.peers[0].local_id;
	size_t len, off;
	const char *why;

	ck_assert_int_eq(conf_dn_parse(text, mine->data, sizeof(mine->data), &len, &off, &why), 0);
	mine->type = CONF_ID_DER_ASN1_DN;
	mine->len = (uint8_t)len;
	bed.node[1 - idx].cfg.peers[0].remote_id = *mine;
	snprintf(bed.node[1 - idx].cfg.site.identity_org, CONF_TEXT_MAX, "ib");
}

/* The DER of PKI/name.crt's subject. */
static int subject_der(const char *name, uint8_t *out)
{
	char path[600], err[256];
	struct x509_st *x;
	snprintf(path, sizeof(path), "%s/%s.crt", pki, name);
	ck_assert_int_eq(ike_x509_load_cert(path, &x, err, sizeof(err)), 0);
	int n = ike_x509_subject_der(x, out, CONF_ID_MAX);
	ike_x509_free(x);
	return n;
}

/* Both ends with DN ids: each receives the other's subject as the CA
 * encoded it (we send our certificate's bytes for the configured name),
 * and shows it in strongSwan's notation. */
START_TEST(dn_identities)
{
	uint8_t der[CONF_ID_MAX];
	struct conf_identity sent;

	pair("rsa", "gw-rsa.ib.test", "p384", "gw-p384.ib.test");
	use_dn(0, "CN=gw-rsa.ib.test, O=ib");
	use_dn(1, "CN=gw-p384.ib.test,O=ib");
	sent = bed.node[0].cfg.peers[0].local_id;
	int n = subject_der("rsa", der);
	ck_assert_int_gt(n, 0);
	ck_assert(n != sent.len || memcmp(der, sent.data, sent.len));   /* UTF8 vs Printable */
	mock_start(&bed);
	mock_establish(&bed);
	ck_assert_int_eq(bed.audit[AUDIT_AUTH_SUCCESS][AUDIT_SUCCESS], 2);
	const struct ike_sa *b = mock_sa(&bed, 1), *a = mock_sa(&bed, 0);
	ck_assert_int_eq(b->peer_identity.type, CONF_ID_DER_ASN1_DN);
	ck_assert_uint_eq(b->peer_identity.len, (unsigned)n);
	ck_assert_mem_eq(b->peer_identity.data, der, (size_t)n);
	ck_assert_str_eq(b->peer_id, "CN=gw-rsa.ib.test, O=ib");
	ck_assert_str_eq(a->peer_id, "CN=gw-p384.ib.test, O=ib");
	mock_free(&bed);
}
END_TEST

/* A's certificate is another subject than the DN it claims. */
START_TEST(dn_not_the_subject)
{
	pair("p384", "gw-p384.ib.test", "p256", "gw-p256.ib.test");
	use_dn(0, "CN=gw-rsa.ib.test, O=ib");
	mock_start(&bed);
	refused("cert_id_mismatch");
}
END_TEST

START_TEST(unknown_ca)
{
	pair("rogue", "gw-rsa.ib.test", "p256", "gw-p256.ib.test");
	mock_start(&bed);
	refused("cert_untrusted");
}
END_TEST

START_TEST(expired)
{
	pair("expired", "gw-expired.ib.test", "p256", "gw-p256.ib.test");
	mock_start(&bed);
	refused("cert_expired");
}
END_TEST

START_TEST(revoked)
{
	pair("revoked", "gw-revoked.ib.test", "p256", "gw-p256.ib.test");
	mock_start(&bed);
	refused("cert_revoked");
}
END_TEST

/* A claims an identity its certificate does not name (B expects it). */
START_TEST(san_mismatch)
{
	pair("p384", "gw-rsa.ib.test", "p256", "gw-p256.ib.test");
	mock_start(&bed);
	refused("cert_id_mismatch");
}
END_TEST

static struct ike_peer_secret *secret_of(int idx)
{
	return (struct ike_peer_secret *)ike_credentials_find(bed.node[idx].ike->creds, "site-b");
}

/* A sends its certificate with one bit of the CA's signature flipped. */
START_TEST(broken_cert_signature)
{
	uint8_t der[IKE_X509_DER_MAX];

	pair("p256", "gw-p256.ib.test", "p384", "gw-p384.ib.test");
	mock_start(&bed);
	struct ike_peer_secret *s = secret_of(0);
	int n = ike_x509_to_der(s->cert, der, sizeof(der));
	ck_assert_int_gt(n, 0);
	der[n - 1] ^= 1;                      /* the signature is the DER's last field */
	struct x509_st *bad = ike_x509_from_der(der, (size_t)n);
	ck_assert_ptr_nonnull(bad);
	ike_x509_free(s->cert);
	s->cert = bad;
	refused("cert_bad_signature");
}
END_TEST

/* A's certificate is its own, AUTH is signed by another P-256 key. */
START_TEST(forged_auth)
{
	char err[256];
	struct evp_pkey_st *k = NULL;

	pair("p256", "gw-p256.ib.test", "p384", "gw-p384.ib.test");
	mock_start(&bed);
	struct ike_peer_secret *s = secret_of(0);
	char path[600];
	snprintf(path, sizeof(path), "%s/nosan.key", pki);
	ck_assert_int_eq(ike_x509_load_key(path, &k, err, sizeof(err)), 0);
	ike_x509_key_free(s->key);
	s->key = k;
	refused("auth_verify_failed");
}
END_TEST

/* The verify entry point on wire bytes (vector tests use it): a good
 * signature, then each byte class changed. */
START_TEST(verify_auth_der)
{
	X509 *x = NULL;
	struct evp_pkey_st *k = NULL;
	char err[256], path[600];
	uint8_t der[IKE_X509_DER_MAX], body[4 + IKE_X509_AUTH_MAX], oct[100];
	size_t len;
	static const char *const names[] = { "rsa", "pss", "p256", "p384", "ed25519" };

	memset(oct, 0x5a, sizeof(oct));
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s.crt", pki, names[i]);
		ck_assert_int_eq(ike_x509_load_cert(path, &x, err, sizeof(err)), 0);
		snprintf(path, sizeof(path), "%s/%s.key", pki, names[i]);
		ck_assert_int_eq(ike_x509_load_key(path, &k, err, sizeof(err)), 0);
		int n = ike_x509_to_der(x, der, sizeof(der));
		memset(body, 0, 4);
		body[0] = IKEV2_AUTH_DIGITAL_SIGNATURE;
		ck_assert_int_eq(ike_x509_sign_auth(k, oct, sizeof(oct), body + 4, IKE_X509_AUTH_MAX,
						    &len), 0);
		ck_assert(ike_x509_verify_auth_der(der, (size_t)n, oct, sizeof(oct), body, 4 + len));
		oct[0] ^= 1;                  /* other octets */
		ck_assert(!ike_x509_verify_auth_der(der, (size_t)n, oct, sizeof(oct), body, 4 + len));
		oct[0] ^= 1;
		body[4 + len - 1] ^= 1;       /* the signature */
		ck_assert(!ike_x509_verify_auth_der(der, (size_t)n, oct, sizeof(oct), body, 4 + len));
		body[4 + len - 1] ^= 1;
		body[6] ^= 0x80;              /* the AlgorithmIdentifier: unknown */
		ck_assert(!ike_x509_verify_auth_der(der, (size_t)n, oct, sizeof(oct), body, 4 + len));
		body[6] ^= 0x80;
		body[0] = IKEV2_AUTH_RSA_SIG; /* method 1 (SHA-1) is refused */
		ck_assert(!ike_x509_verify_auth_der(der, (size_t)n, oct, sizeof(oct), body, 4 + len));
		ike_x509_free(x);
		ike_x509_key_free(k);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ike_cert");
	TCase *t = tcase_create("cert");

	tcase_add_unchecked_fixture(t, make_pki, remove_pki);
	tcase_add_test(t, rsa_pkcs1);
	tcase_add_test(t, dn_identities);
	tcase_add_test(t, dn_not_the_subject);
	tcase_add_test(t, rsa_pss);
	tcase_add_test(t, ecdsa_p384);
	tcase_add_test(t, ed25519_cert);
	tcase_add_test(t, sig_hashes_announced);
	tcase_add_test(t, unknown_ca);
	tcase_add_test(t, expired);
	tcase_add_test(t, revoked);
	tcase_add_test(t, san_mismatch);
	tcase_add_test(t, broken_cert_signature);
	tcase_add_test(t, forged_auth);
	tcase_add_test(t, verify_auth_der);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return lg_check_run(suite());
}
