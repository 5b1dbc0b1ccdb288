/* The IKE crypto against eleven real strongSwan 5.9.8 sessions (tests/vectors/:
 * chacha20poly1305-{psk,ed25519} and aes256gcm16-psk flattened into
 * ike_{chacha,aesgcm}_*.txt; the AES-CBC + HMAC-SHA2 sets, one per group and
 * HMAC, and four with certificates, into ike_<set>.txt by
 * tools/ike_cbc_vectors.py): every key
 * re-derived, every SK payload authenticated and decrypted, both AUTH
 * payloads recomputed and the NAT detection hash strongSwan computed
 * honestly reproduced. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sodium.h>

#include "linegate/ike_crypto.h"
#include "linegate/ikev2.h"
#include "test_ike_crypto_vec.h"
#include "check_main.h"

static const struct {
	const char *file;   /* flattened vectors */
	const char *dir;    /* the capture set (for the PEM files) */
	bool psk;
	unsigned ike_sas, child_sas, sk_msgs;
} sets[] = {
	/* 0 */ { "ike_chacha_ed25519.txt", "chacha20poly1305-ed25519", false, 2, 3, 18 },
	/* 1 */ { "ike_chacha_psk.txt", "chacha20poly1305-psk", true, 2, 3, 18 },
	/* 2 */ { "ike_aesgcm_psk.txt", "aes256gcm16-psk", true, 2, 3, 18 },
	/* AES-CBC + HMAC-SHA2: modp2048, ecp256, ecp384 with PRF-SHA384, modp3072 */
	/* 3 */ { "ike_aes256-sha256-modp2048-psk.txt", "aes256-sha256-modp2048-psk", true, 2, 3, 18 },
	/* 4 */ { "ike_aes128-sha256-ecp256-psk.txt", "aes128-sha256-ecp256-psk", true, 2, 3, 18 },
	/* 5 */ { "ike_aes256-sha384-ecp384-psk.txt", "aes256-sha384-ecp384-psk", true, 2, 3, 18 },
	/* 6 */ { "ike_aes128-sha512-modp3072-psk.txt", "aes128-sha512-modp3072-psk", true, 2, 3, 18 },
	/* certificates (test_ike_cert_vectors.c checks CERT and ID) */
	/* 7 */ { "ike_aes256-sha256-modp2048-rsa.txt", "aes256-sha256-modp2048-rsa", false, 2, 3, 18 },
	/* 8 */ { "ike_aes128-sha256-ecp256-ecdsa256.txt", "aes128-sha256-ecp256-ecdsa256", false, 2, 3, 18 },
	/* 9 */ { "ike_aes256-sha384-ecp384-ecdsa384.txt", "aes256-sha384-ecp384-ecdsa384", false, 2, 3, 18 },
	/* 10 */ { "ike_aes128-sha256-ecp256-ed25519cert.txt", "aes128-sha256-ecp256-ed25519cert", false, 2, 3, 18 },
	/* 11 */ { "ike_aes256-sha256-modp2048-rsapss.txt", "aes256-sha256-modp2048-rsapss", false, 2, 3, 18 },
};
enum { NSETS = sizeof(sets) / sizeof(sets[0]), ED_SET = 0, FIRST_PSK = 1, END_PSK = 7 };

static struct vec_file vf;

static void load(int set)
{
	vec_load(&vf, sets[set].file);
}

/* The AEAD sets have no integ line: 0, no SK_a*. */
static int integ_of(void)
{
	return vec_find(&vf, "integ") ? (int)VEC_U8(&vf, "integ") : 0;
}

static void ck_key(const uint8_t *got, size_t len, const char *name, unsigned sa)
{
	const struct vec_entry *want = VEC(&vf, "ike%u.%s", sa, name);

	ck_assert_msg(want->len == len, "%s: %zu bytes, strongSwan logged %zu", name, len, want->len);
	ck_assert_bytes(got, want->val, len, name);
}

START_TEST(test_ike_sa_keys)
{
	int prf, encr, integ;
	unsigned n, keybits;

	load(_i);
	prf = VEC_U8(&vf, "prf");
	encr = VEC_U8(&vf, "encr");
	integ = integ_of();
	keybits = 8 * VEC_U8(&vf, "encr_keybytes");
	ck_assert(ike_encr_supported(encr, keybits));
	for (n = 0; vec_find(&vf, "ike%u.skeyseed", n); n++) {
		const struct vec_entry *ni = VEC(&vf, "ike%u.ni", n), *nr = VEC(&vf, "ike%u.nr", n);
		const struct vec_entry *gir = VEC(&vf, "ike%u.gir", n);
		unsigned old = VEC_U8(&vf, "ike%u.rekey_of", n);
		uint8_t seed[IKE_PRF_MAX];
		struct ike_keys *k = ike_keys_new();

		ck_assert_ptr_nonnull(k);
		if (old == 0xff) {
			ck_assert_int_eq(ike_skeyseed(prf, ni->val, ni->len, nr->val, nr->len, gir->val,
						      gir->len, seed), 0);
		} else {
			const struct vec_entry *sk_d = VEC(&vf, "ike%u.sk_d", old);

			ck_assert_int_eq(ike_skeyseed_rekey(prf, sk_d->val, sk_d->len, gir->val,
							    gir->len, ni->val, ni->len, nr->val,
							    nr->len, seed), 0);
		}
		ck_assert_bytes(seed, VEC(&vf, "ike%u.skeyseed", n)->val, ike_prf_len(prf), "SKEYSEED");
		ck_assert_int_eq(ike_derive_keys(prf, encr, keybits, integ, seed, ni->val, ni->len,
						 nr->val, nr->len, VEC(&vf, "ike%u.spi_i", n)->val,
						 VEC(&vf, "ike%u.spi_r", n)->val, k), 0);
		ck_assert_uint_eq(k->prf_len, ike_prf_len(prf));
		ck_assert_uint_eq(k->enc_len, ike_encr_key_len(encr, keybits));
		ck_assert_uint_eq(k->integ_len, ike_integ_key_len(integ));
		ck_key(k->sk_d, k->prf_len, "sk_d", n);
		ck_key(k->sk_ei, k->enc_len, "sk_ei", n);
		ck_key(k->sk_er, k->enc_len, "sk_er", n);
		ck_key(k->sk_pi, k->prf_len, "sk_pi", n);
		ck_key(k->sk_pr, k->prf_len, "sk_pr", n);
		if (integ) {
			ck_key(k->sk_ai, k->integ_len, "sk_ai", n);
			ck_key(k->sk_ar, k->integ_len, "sk_ar", n);
		}
		ike_keys_free(k);
	}
	ck_assert_uint_eq(n, sets[_i].ike_sas);
	vec_free(&vf);
}
END_TEST

START_TEST(test_child_keymat)
{
	int prf, encr, integ;
	unsigned n;
	size_t len;

	load(_i);
	prf = VEC_U8(&vf, "prf");
	encr = VEC_U8(&vf, "encr");
	integ = integ_of();
	/* The ESP proposal of every set is the IKE one without PRF and group. */
	len = ike_encr_key_len(encr, 8 * VEC_U8(&vf, "encr_keybytes")) + ike_integ_key_len(integ);
	for (n = 0; vec_find(&vf, "child%u.ni", n); n++) {
		const struct vec_entry *sk_d = VEC(&vf, "ike%u.sk_d", VEC_U8(&vf, "child%u.ike", n));
		const struct vec_entry *ni = VEC(&vf, "child%u.ni", n), *nr = VEC(&vf, "child%u.nr", n);
		const struct vec_entry *gir = vec_find(&vf, "child%u.gir", n);
		uint8_t ei[IKE_CHILD_KEYMAX], er[IKE_CHILD_KEYMAX];

		ck_assert_uint_eq(VEC(&vf, "child%u.encr_i", n)->len, len);
		ck_assert_int_eq(ike_child_keymat(prf, sk_d->val, sk_d->len, gir ? gir->val : NULL,
						  gir ? gir->len : 0, ni->val, ni->len, nr->val,
						  nr->len, len, ei, er), 0);
		ck_assert_bytes(ei, VEC(&vf, "child%u.encr_i", n)->val, len, "CHILD encr_i");
		ck_assert_bytes(er, VEC(&vf, "child%u.encr_r", n)->val, len, "CHILD encr_r");
	}
	ck_assert_uint_eq(n, sets[_i].child_sas);
	vec_free(&vf);
}
END_TEST

/* The SK key of one direction (dir 1 = the responder's SK_er / SK_ar). */
static struct ike_sk_key sk_key(unsigned ike, bool responder)
{
	struct ike_sk_key k = {
		.encr = (int)VEC_U8(&vf, "encr"),
		.keybits = 8 * VEC_U8(&vf, "encr_keybytes"),
		.integ = integ_of(),
		.ekey = VEC(&vf, "ike%u.%s", ike, responder ? "sk_er" : "sk_ei")->val,
	};
	if (k.integ)
		k.akey = VEC(&vf, "ike%u.%s", ike, responder ? "sk_ar" : "sk_ai")->val;
	return k;
}

/* Every IKE message with an SK payload, authenticated and decrypted in place
 * with the keys of the direction it travelled. */
START_TEST(test_sk_decrypt_capture)
{
	unsigned n;

	load(_i);
	for (n = 0; vec_find(&vf, "sk%u.wire", n); n++) {
		const struct vec_entry *w = VEC(&vf, "sk%u.wire", n), *aad = VEC(&vf, "sk%u.aad", n);
		const struct vec_entry *want = VEC(&vf, "sk%u.plain", n);
		unsigned ike = VEC_U8(&vf, "sk%u.ike", n);
		bool resp = VEC_U8(&vf, "sk%u.dir", n);
		struct ike_sk_key key = sk_key(ike, resp);
		const uint8_t *plain = NULL;
		size_t plain_len = 0, aad_len = IKEV2_HEADER_LEN + IKEV2_GENERIC_PAYLOAD_HEADER_LEN;
		uint8_t *msg = malloc(w->len);

		/* The SK payload is the only one in these messages, so the AAD
		 * is the IKE header plus the SK generic header. */
		ck_assert_uint_eq(aad->len, aad_len);
		ck_assert_bytes(w->val, aad->val, aad_len, "AAD");
		memcpy(msg, w->val, w->len);
		ck_assert_msg(ike_sk_open(&key, msg, aad_len, w->len, &plain, &plain_len) == 0,
			      "SK message %u (frame %u) not decrypted", n, VEC_U8(&vf, "sk%u.frame", n));
		/* The recorded plaintext still ends in padding | pad length. */
		ck_assert_uint_ge(want->len, 1);
		ck_assert_uint_eq(plain_len + 1 + want->val[want->len - 1], want->len);
		ck_assert_ptr_eq(plain, msg + aad_len + ike_sk_iv_len(key.encr));
		if (plain_len)
			ck_assert_bytes(plain, want->val, plain_len, "plaintext");
		/* The same message under the other direction's keys is refused. */
		memcpy(msg, w->val, w->len);
		key = sk_key(ike, !resp);
		ck_assert_int_eq(ike_sk_open(&key, msg, aad_len, w->len, &plain, &plain_len),
				 -EBADMSG);
		/* So is one changed bit anywhere: header, IV, ciphertext, ICV. */
		for (size_t at = 0; at < w->len; at += w->len / 5 + 1) {
			key = sk_key(ike, resp);
			memcpy(msg, w->val, w->len);
			msg[at] ^= 0x10;
			ck_assert_msg(ike_sk_open(&key, msg, aad_len, w->len, &plain, &plain_len) ==
					      -EBADMSG, "SK message %u: byte %zu changed, accepted", n, at);
		}
		free(msg);
	}
	ck_assert_uint_eq(n, sets[_i].sk_msgs);
	vec_free(&vf);
}
END_TEST

START_TEST(test_psk_auth)
{
	const struct vec_entry *psk;
	int prf;

	ck_assert(sets[_i].psk);
	load(_i);
	size_t alen = ike_prf_len(VEC_U8(&vf, "prf"));
	prf = VEC_U8(&vf, "prf");
	psk = VEC(&vf, "psk");
	for (int side = 0; side < 2; side++) {
		const struct vec_entry *want = VEC(&vf, side ? "auth_r.data" : "auth_i.data");
		uint8_t *oct, auth[IKE_PRF_MAX], bad[IKE_PRF_MAX + 1];
		size_t oct_len;

		ck_assert_uint_eq(VEC_U8(&vf, side ? "auth_r.method" : "auth_i.method"),
				  IKEV2_AUTH_SHARED_KEY_MIC);
		vec_auth_octets(&vf, side == 0, &oct, &oct_len);
		ck_assert_int_eq(ike_auth_psk(prf, psk->val, psk->len, oct, oct_len, auth), 0);
		ck_assert_uint_eq(want->len, alen);
		ck_assert_bytes(auth, want->val, alen, "PSK AUTH");
		ck_assert(ike_auth_psk_verify(prf, psk->val, psk->len, oct, oct_len, want->val,
					      want->len));
		/* Wrong PSK, one flipped bit, a truncated or padded AUTH: refused. */
		ck_assert(!ike_auth_psk_verify(prf, psk->val, psk->len - 1, oct, oct_len, want->val,
					       want->len));
		for (size_t bit = 0; bit < 8 * alen; bit += 37) {
			memcpy(bad, want->val, alen);
			bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			ck_assert(!ike_auth_psk_verify(prf, psk->val, psk->len, oct, oct_len, bad,
						       alen));
		}
		ck_assert(!ike_auth_psk_verify(prf, psk->val, psk->len, oct, oct_len, want->val,
					       alen - 1));
		ck_assert(!ike_auth_psk_verify(prf, psk->val, psk->len, oct, oct_len, want->val, 0));
		memcpy(bad, want->val, alen);
		ck_assert(!ike_auth_psk_verify(prf, psk->val, psk->len, oct, oct_len, bad, alen + 1));
		/* The octets bind the ID: another ID gives another AUTH. */
		oct[oct_len - 1] ^= 1;
		ck_assert(!ike_auth_psk_verify(prf, psk->val, psk->len, oct, oct_len, want->val,
					       want->len));
		free(oct);
	}
	vec_free(&vf);
}
END_TEST

static void key_path(char *out, size_t n, const char *file)
{
	const char *dir = getenv("LG_VECTORS");

	snprintf(out, n, "%s/%s/ed25519/%s", dir ? dir : "../vectors", sets[ED_SET].dir, file);
}

START_TEST(test_ed25519_auth)
{
	static const char *const keyf[2] = { "gwa.key.pem", "gwb.key.pem" };
	static const char *const pubf[2] = { "gwa.pub.pem", "gwb.pub.pem" };

	ck_assert(!sets[ED_SET].psk);
	load(ED_SET);
	for (int side = 0; side < 2; side++) {
		const struct vec_entry *want = VEC(&vf, side ? "auth_r.data" : "auth_i.data");
		const struct vec_entry *seed = VEC(&vf, side ? "ed.seed_r" : "ed.seed_i");
		const struct vec_entry *rawpub = VEC(&vf, side ? "ed.pub_r" : "ed.pub_i");
		uint8_t *sk = sodium_malloc(64), pk[32], auth[IKE_ED25519_AUTH_LEN], *oct;
		char path[600], err[256];
		size_t oct_len;

		ck_assert_uint_eq(VEC_U8(&vf, side ? "auth_r.method" : "auth_i.method"),
				  IKEV2_AUTH_DIGITAL_SIGNATURE);
		key_path(path, sizeof(path), keyf[side]);
		ck_assert_msg(ike_load_ed25519_private(path, sk, err, sizeof(err)) == 0, "%s", err);
		key_path(path, sizeof(path), pubf[side]);
		ck_assert_msg(ike_load_ed25519_public(path, pk, err, sizeof(err)) == 0, "%s", err);
		/* The PEM files hold the keys the capture's vectors.json names. */
		ck_assert_bytes(sk, seed->val, 32, "Ed25519 seed");
		ck_assert_bytes(sk + 32, rawpub->val, 32, "Ed25519 public half of sk");
		ck_assert_bytes(pk, rawpub->val, 32, "Ed25519 public key");

		vec_auth_octets(&vf, side == 0, &oct, &oct_len);
		ck_assert_uint_eq(want->len, IKE_ED25519_AUTH_LEN);
		ck_assert(ike_auth_ed25519_verify(pk, oct, oct_len, want->val, want->len));
		/* Ed25519 is deterministic: our signature is strongSwan's, bit for bit. */
		ck_assert_int_eq(ike_auth_ed25519_sign(sk, oct, oct_len, auth), 0);
		ck_assert_bytes(auth, want->val, IKE_ED25519_AUTH_LEN, "Ed25519 AUTH");
		/* Tampered octets, signature, prefix, or the other side's key. */
		auth[IKE_ED25519_AUTH_LEN - 1] ^= 0x80;
		ck_assert(!ike_auth_ed25519_verify(pk, oct, oct_len, auth, sizeof(auth)));
		memcpy(auth, want->val, sizeof(auth));
		auth[3] ^= 1;
		ck_assert(!ike_auth_ed25519_verify(pk, oct, oct_len, auth, sizeof(auth)));
		ck_assert(!ike_auth_ed25519_verify(pk, oct, oct_len, want->val, want->len - 1));
		ck_assert(!ike_auth_ed25519_verify(pk, oct, oct_len, want->val + 8, 64));
		ck_assert(!ike_auth_ed25519_verify(VEC(&vf, side ? "ed.pub_i" : "ed.pub_r")->val, oct,
						   oct_len, want->val, want->len));
		oct[oct_len / 2] ^= 4;
		ck_assert(!ike_auth_ed25519_verify(pk, oct, oct_len, want->val, want->len));
		free(oct);
		sodium_free(sk);
	}
	vec_free(&vf);
}
END_TEST

static void sockaddr_of(const struct vec_entry *e, union lg_sockaddr *sa)
{
	ck_assert_uint_eq(e->len, 6);
	memset(sa, 0, sizeof(*sa));
	sa->in4.sin_family = AF_INET;
	memcpy(&sa->in4.sin_addr, e->val, 4);
	memcpy(&sa->in4.sin_port, e->val + 4, 2);
}

/* §2.23. NAT_DETECTION_DESTINATION_IP is honest; strongSwan with
 * kernel-libipsec fakes NAT_DETECTION_SOURCE_IP (interop quirk 1) so that the
 * peer believes in a NAT and floats to 4500: our hash must differ from it. */
START_TEST(test_natd_capture)
{
	static const uint8_t zero_spi[8];
	static const char *const msgs[2] = { "init_req", "init_resp" };

	load(_i);
	for (int m = 0; m < 2; m++) {
		const struct vec_entry *w = VEC(&vf, "%s", msgs[m]);
		union lg_sockaddr src, dst;
		uint8_t h[IKE_NATD_LEN];
		/* The request's responder SPI is still zero on the wire. */
		const uint8_t *spi_r = m ? w->val + 8 : zero_spi;

		ck_assert_uint_ge(w->len, 16);
		sockaddr_of(VEC(&vf, "%s.dst", msgs[m]), &dst);
		sockaddr_of(VEC(&vf, "%s.src", msgs[m]), &src);
		ck_assert_int_eq(ike_natd_hash(w->val, spi_r, &dst, h), 0);
		ck_assert_bytes(h, VEC(&vf, "%s.natd_dst", msgs[m])->val, IKE_NATD_LEN,
				"NAT_DETECTION_DESTINATION_IP");
		ck_assert_int_eq(ike_natd_hash(w->val, spi_r, &src, h), 0);
		ck_assert(memcmp(h, VEC(&vf, "%s.natd_src", msgs[m])->val, IKE_NATD_LEN) != 0);
		/* Port and address are both hashed. */
		lg_sockaddr_set_port(&dst, 4500);
		ck_assert_int_eq(ike_natd_hash(w->val, spi_r, &dst, h), 0);
		ck_assert(memcmp(h, VEC(&vf, "%s.natd_dst", msgs[m])->val, IKE_NATD_LEN) != 0);
	}
	vec_free(&vf);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ike_crypto_vectors");
	TCase *tc = tcase_create("capture");

	tcase_add_loop_test(tc, test_ike_sa_keys, 0, NSETS);
	tcase_add_loop_test(tc, test_child_keymat, 0, NSETS);
	tcase_add_loop_test(tc, test_sk_decrypt_capture, 0, NSETS);
	tcase_add_loop_test(tc, test_psk_auth, FIRST_PSK, END_PSK);
	tcase_add_test(tc, test_ed25519_auth);
	tcase_add_loop_test(tc, test_natd_capture, 0, NSETS);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	return lg_check_run(suite());
}
