/* The SK payload with AES-CBC + HMAC-SHA2 (RFC 7296 §3.14, RFC 3602,
 * RFC 4868): a message sealed by ike_sk_seal opens again for each key size
 * and integrity algorithm; any flipped bit, in the header,
 * the IV, the ciphertext or the ICV, is refused as -EBADMSG before anything
 * is decrypted; bad lengths are -EINVAL; an AEAD key with an integrity
 * transform is refused. */
#include <errno.h>
#include "linegate/ike_crypto.h"
#include "linegate/ikev2.h"
#include "test_ike_crypto_vec.h"
#include "check_main.h"

enum { AAD = 32 };   /* IKE header (28) + SK generic header (4) */

static const struct { unsigned bits; int integ; } suites[] = {
	{ 128, IKEV2_INTEG_HMAC_SHA2_256_128 },
	{ 256, IKEV2_INTEG_HMAC_SHA2_256_128 },
	{ 256, IKEV2_INTEG_HMAC_SHA2_384_192 },
	{ 256, IKEV2_INTEG_HMAC_SHA2_512_256 },
};

static struct ike_sk_key key_of(int i, uint8_t *ek, uint8_t *ak)
{
	for (int j = 0; j < 32; j++)
		ek[j] = (uint8_t)(0x10 + j);
	for (int j = 0; j < 64; j++)
		ak[j] = (uint8_t)(0x80 + j);
	return (struct ike_sk_key){ IKEV2_ENCR_AES_CBC, suites[i].bits, suites[i].integ, ek, ak };
}

/* Builds header | IV room | plain and seals it; returns the total length. */
static size_t seal(const struct ike_sk_key *k, uint8_t *msg, size_t cap, size_t plain_len)
{
	size_t total = AAD + plain_len + ike_sk_cbc_overhead(k->integ, plain_len), out = 0;
	memset(msg, 0, cap);
	for (size_t j = 0; j < AAD; j++)
		msg[j] = (uint8_t)j;
	for (size_t j = 0; j < plain_len; j++)
		msg[AAD + IKEV2_CBC_IV_LEN + j] = (uint8_t)(j * 7);
	ck_assert_int_eq(ike_sk_seal(k, msg, AAD, plain_len, cap, &out), 0);
	ck_assert_uint_eq(out, total);
	ck_assert_uint_eq((total - AAD - IKEV2_CBC_IV_LEN - ike_integ_icv_len(k->integ)) % 16, 0);
	return total;
}

START_TEST(round_trip)
{
	uint8_t ek[32], ak[64], msg[512];
	struct ike_sk_key k = key_of(_i, ek, ak);
	static const size_t lens[] = { 0, 1, 15, 16, 17, 100, 300 };
	for (size_t t = 0; t < sizeof(lens) / sizeof(lens[0]); t++) {
		size_t total = seal(&k, msg, sizeof(msg), lens[t]), plain_len = 99;
		const uint8_t *plain = NULL;
		ck_assert_int_eq(ike_sk_open(&k, msg, AAD, total, &plain, &plain_len), 0);
		ck_assert_uint_eq(plain_len, lens[t]);
		ck_assert_ptr_eq(plain, msg + AAD + IKEV2_CBC_IV_LEN);
		for (size_t j = 0; j < lens[t]; j++)
			ck_assert_uint_eq(plain[j], (uint8_t)(j * 7));
	}
}
END_TEST

/* Every single-bit flip is caught by the ICV, and the ciphertext is left
 * as it was (nothing decrypted before the check). */
START_TEST(any_flip_refused_before_decrypt)
{
	uint8_t ek[32], ak[64], msg[256], copy[256];
	struct ike_sk_key k = key_of(_i, ek, ak);
	size_t total = seal(&k, msg, sizeof(msg), 40), plain_len;
	const uint8_t *plain;
	for (size_t byte = 0; byte < total; byte++) {
		memcpy(copy, msg, total);
		copy[byte] ^= (uint8_t)(1u << (byte % 8));
		uint8_t before[256];
		memcpy(before, copy, total);
		ck_assert_int_eq(ike_sk_open(&k, copy, AAD, total, &plain, &plain_len), -EBADMSG);
		ck_assert_mem_eq(copy, before, total);
	}
	/* the other direction's integrity key does not verify either */
	ak[0] ^= 1;
	memcpy(copy, msg, total);
	ck_assert_int_eq(ike_sk_open(&k, copy, AAD, total, &plain, &plain_len), -EBADMSG);
}
END_TEST

START_TEST(lengths_and_suites)
{
	uint8_t ek[32], ak[64], msg[256];
	struct ike_sk_key k = key_of(1, ek, ak);
	size_t total = seal(&k, msg, sizeof(msg), 20), plain_len, out;
	const uint8_t *plain;
	/* truncated: no longer whole blocks, or shorter than IV + block + ICV */
	ck_assert_int_eq(ike_sk_open(&k, msg, AAD, total - 1, &plain, &plain_len), -EINVAL);
	ck_assert_int_eq(ike_sk_open(&k, msg, AAD, AAD + 16 + 16 + 15, &plain, &plain_len), -EINVAL);
	ck_assert_int_eq(ike_sk_open(&k, msg, total + 1, total, &plain, &plain_len), -EINVAL);
	/* capacity */
	ck_assert_int_eq(ike_sk_seal(&k, msg, AAD, 20, total - 1, &out), -EMSGSIZE);
	/* wrong combinations */
	struct ike_sk_key bad = k;
	bad.keybits = 192;
	ck_assert_int_eq(ike_sk_seal(&bad, msg, AAD, 20, sizeof(msg), &out), -EINVAL);
	bad = k;
	bad.integ = 2;   /* HMAC-SHA1-96: not offered */
	ck_assert_int_eq(ike_sk_seal(&bad, msg, AAD, 20, sizeof(msg), &out), -EINVAL);
	bad = (struct ike_sk_key){ IKEV2_ENCR_CHACHA20_POLY1305, 256, IKEV2_INTEG_HMAC_SHA2_256_128,
				   ek, ak };
	ck_assert_int_eq(ike_sk_seal(&bad, msg, AAD, 20, sizeof(msg), &out), -EINVAL);
	/* sizes (RFC 4868 §2.1, §2.6) */
	ck_assert_uint_eq(ike_integ_key_len(IKEV2_INTEG_HMAC_SHA2_384_192), 48);
	ck_assert_uint_eq(ike_integ_icv_len(IKEV2_INTEG_HMAC_SHA2_384_192), 24);
	ck_assert_uint_eq(ike_integ_icv_len(IKEV2_INTEG_HMAC_SHA2_512_256), 32);
	ck_assert_uint_eq(ike_encr_key_len(IKEV2_ENCR_AES_CBC, 128), 16);
	ck_assert_uint_eq(ike_encr_key_len(IKEV2_ENCR_AES_CBC, 192), 0);
	ck_assert(ike_encr_supported(IKEV2_ENCR_AES_CBC, 256));
	ck_assert_uint_eq(ike_sk_iv_len(IKEV2_ENCR_AES_CBC), 16);
}
END_TEST

/* SK_ai / SK_ar come between SK_d and SK_ei (RFC 7296 §2.14): the prf+
 * stream is cut in that order. */
START_TEST(key_order)
{
	uint8_t seed[32] = { 1 }, ni[32] = { 2 }, nr[32] = { 3 }, spi[8] = { 4 };
	uint8_t stream[32 + 2 * 48 + 2 * 32 + 2 * 32 + 32];
	uint8_t s[2 * 32 + 16];
	struct ike_keys *k = ike_keys_new();
	ck_assert_ptr_nonnull(k);
	memcpy(s, ni, 32), memcpy(s + 32, nr, 32), memcpy(s + 64, spi, 8), memcpy(s + 72, spi, 8);
	ck_assert_int_eq(ike_derive_keys(IKEV2_PRF_HMAC_SHA2_256, IKEV2_ENCR_AES_CBC, 256,
					 IKEV2_INTEG_HMAC_SHA2_384_192, seed, ni, 32, nr, 32, spi,
					 spi, k), 0);
	ck_assert_int_eq(ike_prf_plus(IKEV2_PRF_HMAC_SHA2_256, seed, 32, s, sizeof(s), stream,
				      sizeof(stream)), 0);
	ck_assert_uint_eq(k->integ_len, 48);
	ck_assert_uint_eq(k->enc_len, 32);
	ck_assert_mem_eq(k->sk_d, stream, 32);
	ck_assert_mem_eq(k->sk_ai, stream + 32, 48);
	ck_assert_mem_eq(k->sk_ar, stream + 80, 48);
	ck_assert_mem_eq(k->sk_ei, stream + 128, 32);
	ck_assert_mem_eq(k->sk_er, stream + 160, 32);
	ck_assert_mem_eq(k->sk_pi, stream + 192, 32);
	ck_assert_mem_eq(k->sk_pr, stream + 224, 32);
	/* AES-CBC without integrity, an AEAD with it: refused */
	ck_assert_int_eq(ike_derive_keys(IKEV2_PRF_HMAC_SHA2_256, IKEV2_ENCR_AES_CBC, 256, 0, seed,
					 ni, 32, nr, 32, spi, spi, k), -ENOTSUP);
	ck_assert_int_eq(ike_derive_keys(IKEV2_PRF_HMAC_SHA2_256, IKEV2_ENCR_CHACHA20_POLY1305, 0,
					 IKEV2_INTEG_HMAC_SHA2_256_128, seed, ni, 32, nr, 32, spi,
					 spi, k), -ENOTSUP);
	ike_keys_free(k);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ike_crypto_cbc");
	TCase *t = tcase_create("cbc");
	tcase_add_loop_test(t, round_trip, 0, 4);
	tcase_add_loop_test(t, any_flip_refused_before_decrypt, 0, 4);
	tcase_add_test(t, lengths_and_suites);
	tcase_add_test(t, key_order);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return lg_check_run(suite());
}
