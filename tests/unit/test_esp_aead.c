/* The AEAD wrappers against published vectors: RFC 8439 §2.8.2, the ESP and
 * IKEv2 examples of RFC 7634 Appendix A/B, and the AES-256-GCM test case 16
 * of the GCM specification (McGrew/Viega), through esp_aead_seal/open with
 * the key || salt / IV split ESP uses. */
#include "test_esp_util.h"
#include "check_main.h"

struct aead_vector {
	const char *name;
	enum esp_cipher cipher;
	const char *key_salt, *iv, *aad, *plain, *cipher_icv;
};

static const struct aead_vector vectors[] = {
	{ "rfc8439-2.8.2", ESP_CIPHER_CHACHA20_POLY1305,
	  "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f" "07000000",
	  "4041424344454647", "50515253c0c1c2c3c4c5c6c7",
	  "4c616469657320616e642047656e746c656d656e206f662074686520636c6173"
	  "73206f66202739393a204966204920636f756c64206f6666657220796f75206f"
	  "6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73"
	  "637265656e20776f756c642062652069742e",
	  "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
	  "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
	  "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
	  "3ff4def08e4b7a9de576d26586cec64b6116"
	  "1ae10b594f09e26a7e902ecbd0600691" },
	{ "rfc7634-A-esp", ESP_CIPHER_CHACHA20_POLY1305,
	  "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f" "a0a1a2a3",
	  "1011121314151617", "0102030400000005",
	  "45000054a6f200004001e778c6336405c000020508005b7a3a080000553bec10"
	  "0007362708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223"
	  "2425262728292a2b2c2d2e2f303132333435363701020204",
	  "24039428b97f417e3c13753a4f05087b67c352e6a7fab1b982d466ef407ae5c6"
	  "14ee8099d52844eb61aa95dfab4c02f72aa71e7c4c4f64c9befe2facc638e8f3"
	  "cbec163fac469b502773f6fb94e664da9165b82829f641e076aaa8266b7fb0f7"
	  "b11b369907e1ad43" },
	{ "rfc7634-B-ikev2", ESP_CIPHER_CHACHA20_POLY1305,
	  "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f" "a0a1a2a3",
	  "1011121314151617",
	  "c0c1c2c3c4c5c6c7d0d1d2d3d4d5d6d72e202500000000090000004529000029",
	  "0000000c000040010000000a00",
	  "610394701f8d017f7c129248896b71bfe25236efd7cdc67066906315b2" },
	{ "gcm-tc16-aes256", ESP_CIPHER_AES256_GCM16,
	  "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308" "cafebabe",
	  "facedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2",
	  "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
	  "76fc6ece0f4e1768cddf8853bb2d551b" },
};

struct parsed {
	uint8_t key_salt[36], iv[8], aad[64], plain[512], expect[512];
	size_t aad_len, len, expect_len;
};

static void parse(const struct aead_vector *v, struct parsed *p)
{
	ck_assert_uint_eq(unhex(v->key_salt, p->key_salt, 36), 36);
	ck_assert_uint_eq(unhex(v->iv, p->iv, 8), 8);
	p->aad_len = unhex(v->aad, p->aad, sizeof(p->aad));
	p->len = unhex(v->plain, p->plain, sizeof(p->plain));
	p->expect_len = unhex(v->cipher_icv, p->expect, sizeof(p->expect));
	ck_assert_uint_eq(p->expect_len, p->len + ESP_ICV_LEN);
}

START_TEST(seal_matches_vector)
{
	const struct aead_vector *v = &vectors[_i];
	struct esp_aead *a = sodium_malloc(sizeof(*a));
	struct parsed p;
	uint8_t buf[512 + 16];

	if (!esp_cipher_available(v->cipher)) {
		fprintf(stderr, "%s: cipher not available on this CPU, skipped\n", v->name);
		sodium_free(a);
		return;
	}
	parse(v, &p);
	ck_assert_int_eq(esp_aead_init(a, v->cipher, p.key_salt, p.key_salt + 32), 0);
	memcpy(buf, p.plain, p.len);
	esp_aead_seal(a, p.iv, p.aad, p.aad_len, buf, p.len, buf + p.len);
	ck_assert_msg(!memcmp(buf, p.expect, p.expect_len), "%s: ciphertext", v->name);
	/* and back, in place */
	ck_assert(esp_aead_open(a, p.iv, p.aad, p.aad_len, buf, p.len, buf + p.len));
	ck_assert_msg(!memcmp(buf, p.plain, p.len), "%s: plaintext", v->name);
	sodium_free(a);
}
END_TEST

START_TEST(open_rejects_any_flipped_bit)
{
	const struct aead_vector *v = &vectors[_i];
	struct esp_aead *a = sodium_malloc(sizeof(*a));
	struct parsed p;
	uint8_t buf[512 + 16], aad[64];

	if (!esp_cipher_available(v->cipher)) {
		sodium_free(a);
		return;
	}
	parse(v, &p);
	ck_assert_int_eq(esp_aead_init(a, v->cipher, p.key_salt, p.key_salt + 32), 0);
	/* one flipped bit anywhere in ciphertext, ICV, AAD or IV: rejected */
	for (size_t bit = 0; bit < 8 * (p.expect_len + p.aad_len + 8); bit += 7) {
		uint8_t iv[8];
		memcpy(buf, p.expect, p.expect_len);
		memcpy(aad, p.aad, p.aad_len);
		memcpy(iv, p.iv, 8);
		size_t byte = bit / 8;
		if (byte < p.expect_len)
			buf[byte] ^= (uint8_t)(1u << (bit % 8));
		else if (byte < p.expect_len + p.aad_len)
			aad[byte - p.expect_len] ^= (uint8_t)(1u << (bit % 8));
		else
			iv[byte - p.expect_len - p.aad_len] ^= (uint8_t)(1u << (bit % 8));
		ck_assert_msg(!esp_aead_open(a, iv, aad, p.aad_len, buf, p.len, buf + p.len),
			      "%s: bit %zu accepted", v->name, bit);
	}
	sodium_free(a);
}
END_TEST

START_TEST(cipher_availability)
{
	ck_assert(esp_cipher_available(ESP_CIPHER_CHACHA20_POLY1305));
	ck_assert_int_ge(sodium_init(), 0);
	ck_assert_int_eq(esp_cipher_available(ESP_CIPHER_AES256_GCM16),
			 crypto_aead_aes256gcm_is_available() == 1);
	ck_assert(!esp_cipher_available((enum esp_cipher)3));
	ck_assert_str_eq(esp_verdict_name(ESP_DROP_REPLAY), "replay");
	ck_assert_str_eq(esp_verdict_name(ESP_VERDICT_COUNT), "unknown");
	for (int v = 0; v < ESP_VERDICT_COUNT; v++)
		ck_assert_ptr_nonnull(esp_verdict_name((enum esp_verdict)v));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("esp_aead");
	TCase *tc = tcase_create("vectors");
	int n = (int)(sizeof(vectors) / sizeof(vectors[0]));

	if (sodium_init() < 0)
		return EXIT_FAILURE;

	tcase_add_loop_test(tc, seal_matches_vector, 0, n);
	tcase_add_loop_test(tc, open_rejects_any_flipped_bit, 0, n);
	tcase_add_test(tc, cipher_availability);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}
