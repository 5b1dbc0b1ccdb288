/* The SK payload AEADs (RFC 5282, RFC 7634), X25519 (RFC 8031/7748) and the
 * Ed25519 AUTH format (RFC 8420): known answers from an independent
 * implementation, round trips, and every tampered byte and short length
 * refused. The capture-based checks are in test_ike_crypto_vectors.c. */
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

enum { AAD = IKEV2_HEADER_LEN + IKEV2_GENERIC_PAYLOAD_HEADER_LEN };

static const int ciphers[2] = { IKEV2_ENCR_CHACHA20_POLY1305, IKEV2_ENCR_AES_GCM_16 };

/* Messages sealed by Python's `cryptography` (OpenSSL): header with SPIs
 * 0011..eeff, IKE_AUTH, SK header, IV 0001..07, key 40..5f, salt cafebabe. */
static const struct {
	int encr;
	const char *key, *msg, *inner;
} kat[] = {
	/* 0 */ { IKEV2_ENCR_AES_GCM_16,
		  "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5fcafebabe",
		  "00112233445566778899aabbccddeeff2e202308000000010000004d23000031"
		  "0001020304050607c7d2dd5e6ecd60913c132f3fd20238867a9c38dba85c982c"
		  "448125be8bef9dc63cf2cfb77f",
		  "2900000c010000000a0000012f00000800004000" },
	/* 1 */ { IKEV2_ENCR_CHACHA20_POLY1305,
		  "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5fcafebabe",
		  "00112233445566778899aabbccddeeff2e202308000000010000004d23000031"
		  "0001020304050607c42c788b405d314c0517fb4fc0bb28c0e649b173de4c7e80"
		  "7dc214dbbb537a28b09f68e2cf",
		  "2900000c010000000a0000012f00000800004000" },
};

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t len = 0;

	ck_assert_int_eq(sodium_hex2bin(out, cap, hex, strlen(hex), NULL, &len, NULL), 0);
	return len;
}

static void fill_key(uint8_t key[IKE_AEAD_KEYMAX], uint8_t seed)
{
	for (int i = 0; i < IKE_AEAD_KEYMAX; i++)
		key[i] = (uint8_t)(seed + 3 * i);
}

/* An IKE header and SK header with final lengths for plain_len inner bytes. */
static size_t build(uint8_t *msg, size_t plain_len)
{
	size_t total = AAD + ike_sk_overhead() + plain_len;
	uint32_t len32 = htonl((uint32_t)total);
	uint16_t len16 = htons((uint16_t)(total - IKEV2_HEADER_LEN));

	memset(msg, 0, AAD);
	for (int i = 0; i < 16; i++)
		msg[i] = (uint8_t)(0x11 * i);
	msg[16] = IKEV2_PAYLOAD_SK;
	msg[17] = IKEV2_VERSION;
	msg[18] = IKEV2_EXCHANGE_INFORMATIONAL;
	msg[19] = IKEV2_FLAG_INITIATOR;
	memcpy(msg + 24, &len32, 4);
	msg[28] = IKEV2_PAYLOAD_DELETE;
	memcpy(msg + 30, &len16, 2);
	for (size_t i = 0; i < plain_len; i++)
		msg[AAD + IKEV2_AEAD_IV_LEN + i] = (uint8_t)(i * 13 + 1);
	return total;
}

START_TEST(test_kat)
{
	uint8_t key[64], msg[256], inner[64];
	size_t klen = unhex(kat[_i].key, key, sizeof(key));
	size_t mlen = unhex(kat[_i].msg, msg, sizeof(msg));
	size_t ilen = unhex(kat[_i].inner, inner, sizeof(inner));
	const uint8_t *plain;
	size_t plain_len;

	ck_assert_uint_eq(klen, ike_aead_keymat_len(kat[_i].encr, 256));
	ck_assert(ike_encr_supported(kat[_i].encr, 256));
	ck_assert_int_eq(ike_sk_decrypt(kat[_i].encr, key, msg, AAD, mlen, &plain, &plain_len), 0);
	ck_assert_uint_eq(plain_len, ilen);
	ck_assert_bytes(plain, inner, ilen, "KAT plaintext");
	/* The other AEAD with the same key must not accept it. */
	mlen = unhex(kat[_i].msg, msg, sizeof(msg));
	ck_assert_int_eq(ike_sk_decrypt(kat[1 - _i].encr, key, msg, AAD, mlen, &plain, &plain_len),
			 -EBADMSG);
}
END_TEST

START_TEST(test_round_trip)
{
	static const size_t lens[] = { 0, 1, 2, 3, 15, 16, 17, 63, 64, 65, 200, 1000, 4000 };
	int encr = ciphers[_i];
	uint8_t key[IKE_AEAD_KEYMAX], *msg = malloc(AAD + 4100), *want = malloc(4100);
	uint8_t iv0[IKEV2_AEAD_IV_LEN];

	fill_key(key, (uint8_t)_i);
	for (size_t t = 0; t < sizeof(lens) / sizeof(lens[0]); t++) {
		size_t total = build(msg, lens[t]), out_len = 0, plain_len = 1;
		const uint8_t *plain = NULL;

		memcpy(want, msg + AAD + IKEV2_AEAD_IV_LEN, lens[t]);
		ck_assert_int_eq(ike_sk_encrypt(encr, key, msg, AAD, lens[t], total, &out_len), 0);
		ck_assert_uint_eq(out_len, total);
		if (lens[t] >= 16)
			ck_assert(memcmp(msg + AAD + IKEV2_AEAD_IV_LEN, want, 16) != 0);
		ck_assert_int_eq(ike_sk_decrypt(encr, key, msg, AAD, total, &plain, &plain_len), 0);
		ck_assert_uint_eq(plain_len, lens[t]);
		ck_assert_ptr_eq(plain, msg + AAD + IKEV2_AEAD_IV_LEN);
		if (lens[t])
			ck_assert_bytes(plain, want, lens[t], "round trip");
		ck_assert_uint_eq(plain[lens[t]], 0); /* pad length */
	}
	/* A fresh IV per message. */
	build(msg, 10);
	ck_assert_int_eq(ike_sk_encrypt(encr, key, msg, AAD, 10, AAD + 35, &(size_t){ 0 }), 0);
	memcpy(iv0, msg + AAD, sizeof(iv0));
	build(msg, 10);
	ck_assert_int_eq(ike_sk_encrypt(encr, key, msg, AAD, 10, AAD + 35, &(size_t){ 0 }), 0);
	ck_assert(memcmp(iv0, msg + AAD, sizeof(iv0)) != 0);
	free(msg);
	free(want);
}
END_TEST

/* Flipping any single byte — header, SK header, IV, ciphertext, ICV — fails
 * authentication. */
START_TEST(test_tamper_every_byte)
{
	int encr = ciphers[_i];
	uint8_t key[IKE_AEAD_KEYMAX], good[AAD + 64], msg[AAD + 64];
	size_t total = build(good, 30), out_len, plain_len;
	const uint8_t *plain;

	fill_key(key, 9);
	ck_assert_int_eq(ike_sk_encrypt(encr, key, good, AAD, 30, sizeof(good), &out_len), 0);
	for (size_t i = 0; i < total; i++) {
		memcpy(msg, good, total);
		msg[i] ^= 0x01;
		ck_assert_msg(ike_sk_decrypt(encr, key, msg, AAD, total, &plain, &plain_len) ==
				      -EBADMSG, "byte %zu flipped but accepted", i);
	}
	/* A wrong key or a wrong salt. */
	for (size_t i = 0; i < IKE_AEAD_KEYMAX; i += 7) {
		memcpy(msg, good, total);
		key[i] ^= 0x80;
		ck_assert_int_eq(ike_sk_decrypt(encr, key, msg, AAD, total, &plain, &plain_len),
				 -EBADMSG);
		key[i] ^= 0x80;
	}
	memcpy(msg, good, total);
	ck_assert_int_eq(ike_sk_decrypt(encr, key, msg, AAD, total, &plain, &plain_len), 0);
}
END_TEST

/* Every length short of IV + pad length + ICV is malformed; every truncation
 * above that fails the ICV; and encryption refuses a too small buffer. */
START_TEST(test_short_lengths)
{
	int encr = ciphers[_i];
	uint8_t key[IKE_AEAD_KEYMAX], good[AAD + 64], msg[AAD + 64];
	size_t total = build(good, 20), out_len = 0, plain_len;
	const uint8_t *plain;

	fill_key(key, 42);
	for (size_t cap = 0; cap < total; cap++) {
		build(msg, 20);
		ck_assert_int_eq(ike_sk_encrypt(encr, key, msg, AAD, 20, cap, &out_len), -EMSGSIZE);
	}
	ck_assert_int_eq(ike_sk_encrypt(encr, key, good, AAD, 20, total, &out_len), 0);
	for (size_t len = 0; len < total; len++) {
		memcpy(msg, good, total);
		int want = len < AAD + ike_sk_overhead() ? -EINVAL : -EBADMSG;

		ck_assert_msg(ike_sk_decrypt(encr, key, msg, AAD, len, &plain, &plain_len) == want,
			      "length %zu", len);
	}
	/* aad_len beyond the message, or shorter than a generic header. */
	memcpy(msg, good, total);
	ck_assert_int_eq(ike_sk_decrypt(encr, key, msg, total + 1, total, &plain, &plain_len),
			 -EINVAL);
	ck_assert_int_eq(ike_sk_decrypt(encr, key, msg, 3, total, &plain, &plain_len), -EINVAL);
	ck_assert_int_eq(ike_sk_decrypt(99, key, msg, AAD, total, &plain, &plain_len), -ENOTSUP);
	ck_assert_int_eq(ike_sk_encrypt(99, key, msg, AAD, 20, sizeof(msg), &out_len), -ENOTSUP);
}
END_TEST

/* An authenticated message whose pad length byte is impossible (RFC 7296
 * §3.14) is refused; real padding is stripped. Sealed with libsodium here
 * because ike_sk_encrypt never pads. */
START_TEST(test_pad_length)
{
	static const struct {
		uint8_t pad;
		int rc;
		size_t plain_len;
	} cases[] = {
		/* 0 */ { 0, 0, 9 },
		/* 1 */ { 3, 0, 6 },
		/* 2 */ { 9, 0, 0 },       /* everything is padding */
		/* 3 */ { 10, -EINVAL, 0 }, /* pad + 1 > ciphertext */
		/* 4 */ { 255, -EINVAL, 0 },
	};
	uint8_t key[IKE_AEAD_KEYMAX], msg[AAD + 64], nonce[12];
	size_t ct_len = 10, total = AAD + IKEV2_AEAD_IV_LEN + ct_len + IKEV2_AEAD_ICV_LEN;
	const uint8_t *plain;
	size_t plain_len;

	fill_key(key, 1);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		uint8_t *body = msg + AAD + IKEV2_AEAD_IV_LEN;

		build(msg, 0);
		memset(msg + AAD, 0x5a, IKEV2_AEAD_IV_LEN);
		memset(body, 0x77, ct_len);
		body[ct_len - 1] = cases[c].pad;
		memcpy(nonce, key + 32, 4);
		memcpy(nonce + 4, msg + AAD, 8);
		crypto_aead_chacha20poly1305_ietf_encrypt_detached(body, body + ct_len, NULL, body,
								   ct_len, msg, AAD, NULL, nonce,
								   key);
		ck_assert_int_eq(ike_sk_decrypt(IKEV2_ENCR_CHACHA20_POLY1305, key, msg, AAD, total,
						&plain, &plain_len), cases[c].rc);
		if (cases[c].rc == 0)
			ck_assert_uint_eq(plain_len, cases[c].plain_len);
	}
}
END_TEST

START_TEST(test_encr_lengths)
{
	ck_assert_uint_eq(ike_sk_overhead(), 25);
	ck_assert_uint_eq(ike_aead_keymat_len(IKEV2_ENCR_CHACHA20_POLY1305, 0), 36);
	ck_assert_uint_eq(ike_aead_keymat_len(IKEV2_ENCR_CHACHA20_POLY1305, 256), 36);
	ck_assert_uint_eq(ike_aead_keymat_len(IKEV2_ENCR_CHACHA20_POLY1305, 128), 0);
	ck_assert_uint_eq(ike_aead_keymat_len(IKEV2_ENCR_AES_GCM_16, 256), 36);
	ck_assert_uint_eq(ike_aead_keymat_len(IKEV2_ENCR_AES_GCM_16, 128), 0);
	ck_assert_uint_eq(ike_aead_keymat_len(IKEV2_ENCR_AES_GCM_16, 0), 0);
	ck_assert_uint_eq(ike_aead_keymat_len(12, 256), 0);
	ck_assert(ike_encr_supported(IKEV2_ENCR_CHACHA20_POLY1305, 0));
	ck_assert(!ike_encr_supported(IKEV2_ENCR_AES_GCM_16, 128));
	ck_assert_int_eq(ike_encr_supported(IKEV2_ENCR_AES_GCM_16, 256),
			 crypto_aead_aes256gcm_is_available() == 1);
}
END_TEST

/* RFC 7748 §6.1, and small-order public values giving an all-zero secret. */
START_TEST(test_x25519)
{
	uint8_t a_priv[32], a_pub[32], b_priv[32], b_pub[32], want[32], s1[32], s2[32], pub[32];
	static const char *const low_order[] = {
		/* 0 */ "0000000000000000000000000000000000000000000000000000000000000000",
		/* 1 */ "0100000000000000000000000000000000000000000000000000000000000000",
		/* 2 */ "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
		/* 3 */ "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
		/* 4 */ "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	};

	unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", a_priv, 32);
	unhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", a_pub, 32);
	unhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb", b_priv, 32);
	unhex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", b_pub, 32);
	unhex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", want, 32);
	ck_assert_int_eq(ike_x25519_shared(s1, a_priv, b_pub), 0);
	ck_assert_bytes(s1, want, 32, "X25519 Alice");
	ck_assert_int_eq(ike_x25519_shared(s2, b_priv, a_pub), 0);
	ck_assert_bytes(s2, want, 32, "X25519 Bob");
	for (size_t i = 0; i < sizeof(low_order) / sizeof(low_order[0]); i++) {
		unhex(low_order[i], pub, 32);
		memset(s1, 0xee, 32);
		ck_assert_msg(ike_x25519_shared(s1, a_priv, pub) == -EINVAL, "low order %zu", i);
		ck_assert(sodium_is_zero(s1, 32));
	}
	/* Fresh key pairs agree. */
	ck_assert_int_eq(ike_x25519_keypair(a_pub, a_priv), 0);
	ck_assert_int_eq(ike_x25519_keypair(b_pub, b_priv), 0);
	ck_assert(memcmp(a_pub, b_pub, 32) != 0);
	ck_assert_int_eq(ike_x25519_shared(s1, a_priv, b_pub), 0);
	ck_assert_int_eq(ike_x25519_shared(s2, b_priv, a_pub), 0);
	ck_assert_bytes(s1, s2, 32, "X25519 agreement");
}
END_TEST

/* RFC 8032 §7.1 test 1 (empty message) through the RFC 7427 wrapper. */
START_TEST(test_ed25519_rfc8032)
{
	uint8_t seed[32], pk[32], sk[64], want[64], auth[IKE_ED25519_AUTH_LEN];
	static const uint8_t empty[1];

	unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", seed, 32);
	unhex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
	      "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b", want, 64);
	crypto_sign_seed_keypair(pk, sk, seed);
	ck_assert_int_eq(ike_auth_ed25519_sign(sk, empty, 0, auth), 0);
	ck_assert_bytes(auth, IKE_ED25519_ALGID, 8, "AlgorithmIdentifier");
	ck_assert_bytes(auth + 8, want, 64, "RFC 8032 signature");
	ck_assert(ike_auth_ed25519_verify(pk, empty, 0, auth, sizeof(auth)));
	ck_assert(!ike_auth_ed25519_verify(pk, empty, 1, auth, sizeof(auth)));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ike_crypto_sk");
	TCase *tc = tcase_create("sk");
	if (sodium_init() < 0)
		return 1;
	tcase_add_loop_test(tc, test_kat, 0, sizeof(kat) / sizeof(kat[0]));
	tcase_add_loop_test(tc, test_round_trip, 0, 2);
	tcase_add_loop_test(tc, test_tamper_every_byte, 0, 2);
	tcase_add_loop_test(tc, test_short_lengths, 0, 2);
	tcase_add_test(tc, test_pad_length);
	tcase_add_test(tc, test_encr_lengths);
	tcase_add_test(tc, test_x25519);
	tcase_add_test(tc, test_ed25519_rfc8032);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}
