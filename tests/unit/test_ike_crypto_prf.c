/* HMAC-SHA2 PRFs (RFC 4868) against RFC 4231 §4.2-4.8 (every test case, both
 * hashes; case 5 is compared truncated to 128 bits as the RFC does), and the
 * structure and limits of prf+ (RFC 7296 §2.13). */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "linegate/ike_crypto.h"
#include "linegate/ikev2.h"
#include "test_ike_crypto_vec.h"
#include "check_main.h"

static const struct {
	const char *key, *data, *sha256, *sha512;
} rfc4231[] = {
	/* 1 */ { "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
		  "4869205468657265",
		  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
		  "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
		  "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
	/* 2 */ { "4a656665",
		  "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
		  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
		  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
		  "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" },
	/* 3 */ { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
		  "dddddddddddddddddddddddddddddddddddd",
		  "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
		  "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
		  "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb" },
	/* 4 */ { "0102030405060708090a0b0c0d0e0f10111213141516171819",
		  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
		  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
		  "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
		  "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
		  "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd" },
	/* 5 */ { "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c",
		  "546573742057697468205472756e636174696f6e",
		  "a3b6167473100ee06e0c796c2955552b",
		  "415fad6271580a531d4179bc891d87a6" },
	/* 6 */ { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaa",
		  "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a"
		  "65204b6579202d2048617368204b6579204669727374",
		  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
		  "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
		  "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" },
	/* 7 */ { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaa",
		  "5468697320697320612074657374207573696e672061206c6172676572207468"
		  "616e20626c6f636b2d73697a65206b657920616e642061206c61726765722074"
		  "68616e20626c6f636b2d73697a6520646174612e20546865206b6579206e6565"
		  "647320746f20626520686173686564206265666f7265206265696e6720757365"
		  "642062792074686520484d414320616c676f726974686d2e",
		  "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
		  "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
		  "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58" },
};

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t len = 0;

	ck_assert_int_eq(sodium_hex2bin(out, cap, hex, strlen(hex), NULL, &len, NULL), 0);
	return len;
}

START_TEST(test_rfc4231)
{
	uint8_t key[256], data[256], want[64], got[64];
	size_t klen = unhex(rfc4231[_i].key, key, sizeof(key));
	size_t dlen = unhex(rfc4231[_i].data, data, sizeof(data));
	size_t wlen;

	ck_assert_uint_eq(ike_prf_len(IKEV2_PRF_HMAC_SHA2_256), 32);
	ck_assert_uint_eq(ike_prf_len(IKEV2_PRF_HMAC_SHA2_512), 64);
	wlen = unhex(rfc4231[_i].sha256, want, sizeof(want));
	ck_assert_int_eq(ike_prf(IKEV2_PRF_HMAC_SHA2_256, key, klen, data, dlen, got), 0);
	ck_assert_bytes(got, want, wlen, "HMAC-SHA-256");
	wlen = unhex(rfc4231[_i].sha512, want, sizeof(want));
	ck_assert_int_eq(ike_prf(IKEV2_PRF_HMAC_SHA2_512, key, klen, data, dlen, got), 0);
	ck_assert_bytes(got, want, wlen, "HMAC-SHA-512");
}
END_TEST

/* PRF_HMAC_SHA2_384 (nettle): RFC 4231 §4.2, §4.3 and §4.7 (a 131-byte key). */
START_TEST(test_prf_sha384)
{
	static const struct { const char *key, *data, *mac; } v[] = {
		{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
		  "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
		  "faea9ea9076ede7f4af152e8b2fa9cb6" },
		{ "4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
		  "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
		  "8e2240ca5e69e2c78b3239ecfab21649" },
		{ NULL, "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a"
			"65204b6579202d2048617368204b6579204669727374",
		  "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
		  "0c2ef6ab4030fe8296248df163f44952" },
	};
	uint8_t key[131], data[128], want[48], got[48];

	ck_assert_uint_eq(ike_prf_len(IKEV2_PRF_HMAC_SHA2_384), 48);
	for (size_t i = 0; i < 3; i++) {
		size_t klen = sizeof(key);
		memset(key, 0xaa, sizeof(key));
		if (v[i].key)
			klen = unhex(v[i].key, key, sizeof(key));
		size_t dlen = unhex(v[i].data, data, sizeof(data));
		unhex(v[i].mac, want, sizeof(want));
		ck_assert_int_eq(ike_prf(IKEV2_PRF_HMAC_SHA2_384, key, klen, data, dlen, got), 0);
		ck_assert_mem_eq(got, want, 48);
	}
	/* prf+ with it: T1 = prf(K, S | 01) */
	uint8_t t[96], s1[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 1 };
	ck_assert_int_eq(ike_prf_plus(IKEV2_PRF_HMAC_SHA2_384, key, 20, s1, 8, t, sizeof(t)), 0);
	ck_assert_int_eq(ike_prf(IKEV2_PRF_HMAC_SHA2_384, key, 20, s1, 9, got), 0);
	ck_assert_mem_eq(t, got, 48);
}
END_TEST

START_TEST(test_prf_unsupported)
{
	uint8_t out[64];

	ck_assert_uint_eq(ike_prf_len(8), 0);
	ck_assert_uint_eq(ike_prf_len(0), 0);
	ck_assert_int_eq(ike_prf(8, out, 8, out, 8, out), -ENOTSUP);
	ck_assert_int_eq(ike_prf_plus(99, out, 8, out, 8, out, 8), -ENOTSUP);
	ck_assert_int_eq(ike_prf(IKEV2_PRF_HMAC_SHA2_256, out, 8, NULL, 8, out), -EINVAL);
}
END_TEST

/* prf+ = T1 | T2 | ..., T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n),
 * recomputed here with the plain PRF over explicit concatenations. */
START_TEST(test_prf_plus_structure)
{
	static const int prfs[2] = { IKEV2_PRF_HMAC_SHA2_256, IKEV2_PRF_HMAC_SHA2_512 };
	int prf = prfs[_i];
	size_t plen = ike_prf_len(prf), outlen = 5 * plen + 7;
	uint8_t key[40], seed[77], buf[64 + 77 + 1], t[64], out[5 * 64 + 7], shorter[100];

	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 7);
	for (size_t i = 0; i < sizeof(seed); i++)
		seed[i] = (uint8_t)(0xa0 ^ i);
	ck_assert_int_eq(ike_prf_plus(prf, key, sizeof(key), seed, sizeof(seed), out, outlen), 0);
	for (unsigned n = 1; (n - 1) * plen < outlen; n++) {
		size_t off = 0, take;

		if (n > 1) {
			memcpy(buf, t, plen);
			off = plen;
		}
		memcpy(buf + off, seed, sizeof(seed));
		buf[off + sizeof(seed)] = (uint8_t)n;
		ck_assert_int_eq(ike_prf(prf, key, sizeof(key), buf, off + sizeof(seed) + 1, t), 0);
		take = outlen - (n - 1) * plen < plen ? outlen - (n - 1) * plen : plen;
		ck_assert_bytes(out + (n - 1) * plen, t, take, "prf+ block");
	}
	/* A shorter output is a prefix of a longer one. */
	ck_assert_int_eq(ike_prf_plus(prf, key, sizeof(key), seed, sizeof(seed), shorter, 100), 0);
	ck_assert_bytes(shorter, out, 100, "prf+ prefix");
}
END_TEST

START_TEST(test_prf_plus_limit)
{
	/* §2.13: the one-byte counter allows at most 255 blocks. */
	uint8_t key[32] = { 1 }, seed[8] = { 2 };
	size_t max = 255 * 32;
	uint8_t *out = malloc(max + 1);

	ck_assert_int_eq(ike_prf_plus(IKEV2_PRF_HMAC_SHA2_256, key, 32, seed, 8, out, max), 0);
	ck_assert_int_eq(ike_prf_plus(IKEV2_PRF_HMAC_SHA2_256, key, 32, seed, 8, out, max + 1),
			 -EINVAL);
	ck_assert_int_eq(ike_prf_plus(IKEV2_PRF_HMAC_SHA2_256, key, 32, seed, 8, out, 0), 0);
	free(out);
}
END_TEST

/* HMAC-SHA2-512 through the whole derivation (the captures only use PRF 5):
 * expected values from Python's hmac/hashlib with Ni = 10..2f, Nr = 80..9f,
 * g^ir = c0..df, SPIs 01..08 / 11..18; CHILD with PFS g^ir = 55.., Ni = 33..,
 * Nr = 44.. ; the rekey SKEYSEED over the same. */
static const struct {
	const char *name, *hex;
} sha512_kdf[] = {
	/* 0 */ { "skeyseed", "74933f3b587857e6f2c3f0b2da5f9d94be06ad0c24784e44d1c1fe1786dcfed9"
			   "02473a7ef2e79178dca113717238cd3ba8ecacf41c3d5d3fc8bbfafea5d6d394" },
	/* 1 */ { "sk_d", "f07b09b6345aa0904789830bbcb78f4996b8416c30efb34dfc8d9283518b8a28"
		       "834477ba8269bdbfdd0d651819c934a7b0a5e9ee043d80392683bfb8a20c5926" },
	/* 2 */ { "sk_ei", "ec06963a4d3c884a0b2402902b357b38ec0e7cae48628df4c3f0d7462b04b73ab6b93b22" },
	/* 3 */ { "sk_er", "d4a506b80dbd4f313cb0964c9648309905a42d07c592d190a8cdfba4839d1bc9ab0b317a" },
	/* 4 */ { "sk_pi", "cd5ff062690eed6b61960b52dca9d67aa98928df9ddf76cd058aaa0b5c2d31f6"
			"06894729ac7ec416a91da2344814caba9a3ccb4ae3f932c638ff3ce758701040" },
	/* 5 */ { "sk_pr", "5d4321166387a6b1a5360f8c7821a8ee1b898c533708660081357ac8238200aa"
			"b4bd075a02c53e464f67a14401cb3ed5229ad04428c67b02d5b2b6243bf0e2ea" },
	/* 6 */ { "encr_i", "b666d72d976c03d32b0e7ca9099c6ae21fd571063e6b7553948ac941b9656012522f1488" },
	/* 7 */ { "encr_r", "c83423016a22d36ba2d6c3a3c6b51001ca9a94b21ec2d4cb2199a3f69f8962415c53f1e6" },
	/* 8 */ { "rekey", "1574e4da4156f0fadc945fab9e1c94c07ea00ef8e4bddc3b90bd8f1c0bc493a3"
			"a78f17072f33e7c48b9c2cd3510e116876230caa0c6d5ff1faac823e297fa8ce" },
};

static void want_hex(int i, const uint8_t *got, size_t len)
{
	uint8_t want[64];

	ck_assert_uint_eq(unhex(sha512_kdf[i].hex, want, sizeof(want)), len);
	ck_assert_bytes(got, want, len, sha512_kdf[i].name);
}

START_TEST(test_kdf_sha512)
{
	enum { P = IKEV2_PRF_HMAC_SHA2_512 };
	uint8_t ni[32], nr[32], gir[32], ni2[32], nr2[32], g2[32], seed[64], ei[36], er[36];
	static const uint8_t spi_i[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t spi_r[8] = { 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18 };
	struct ike_keys *k = ike_keys_new();

	for (int i = 0; i < 32; i++) {
		ni[i] = (uint8_t)(0x10 + i);
		nr[i] = (uint8_t)(0x80 + i);
		gir[i] = (uint8_t)(0xc0 + i);
	}
	memset(ni2, 0x33, 32);
	memset(nr2, 0x44, 32);
	memset(g2, 0x55, 32);
	ck_assert_int_eq(ike_skeyseed(P, ni, 32, nr, 32, gir, 32, seed), 0);
	want_hex(0, seed, 64);
	ck_assert_int_eq(ike_derive_keys(P, IKEV2_ENCR_AES_GCM_16, 256, 0, seed, ni, 32, nr, 32, spi_i,
					 spi_r, k), 0);
	ck_assert_uint_eq(k->prf_len, 64);
	ck_assert_uint_eq(k->enc_len, 36);
	want_hex(1, k->sk_d, 64);
	want_hex(2, k->sk_ei, 36);
	want_hex(3, k->sk_er, 36);
	want_hex(4, k->sk_pi, 64);
	want_hex(5, k->sk_pr, 64);
	ck_assert_int_eq(ike_child_keymat(P, k->sk_d, 64, g2, 32, ni2, 32, nr2, 32, 36, ei, er), 0);
	want_hex(6, ei, 36);
	want_hex(7, er, 36);
	ck_assert_int_eq(ike_skeyseed_rekey(P, k->sk_d, 64, g2, 32, ni2, 32, nr2, 32, seed), 0);
	want_hex(8, seed, 64);
	ike_keys_free(k);
}
END_TEST

/* Lengths and algorithms the derivations must refuse rather than guess. */
START_TEST(test_kdf_refusals)
{
	uint8_t big[IKEV2_NONCE_MAX + 1] = { 0 }, seed[64], ei[IKE_CHILD_KEYMAX], er[IKE_CHILD_KEYMAX];
	uint8_t huge[IKE_DH_SHARED_MAX + 1] = { 0 };
	static const uint8_t spi[8];
	struct ike_keys *k = ike_keys_new();

	ck_assert_int_eq(ike_skeyseed(IKEV2_PRF_HMAC_SHA2_256, big, sizeof(big), big, 32, big, 32, seed),
			 -EINVAL);
	ck_assert_int_eq(ike_skeyseed(IKEV2_PRF_HMAC_SHA2_256, big, 32, big, 32, big, 0, seed), -EINVAL);
	ck_assert_int_eq(ike_skeyseed(8, big, 32, big, 32, big, 32, seed),
			 -ENOTSUP);
	ck_assert_int_eq(ike_derive_keys(IKEV2_PRF_HMAC_SHA2_256, IKEV2_ENCR_AES_GCM_16, 128, 0, seed, big,
					 32, big, 32, spi, spi, k), -ENOTSUP);
	ck_assert_int_eq(ike_derive_keys(8, IKEV2_ENCR_CHACHA20_POLY1305, 0, 0,
					 seed, big, 32, big, 32, spi, spi, k), -ENOTSUP);
	ck_assert_int_eq(ike_derive_keys(IKEV2_PRF_HMAC_SHA2_256, IKEV2_ENCR_CHACHA20_POLY1305, 0, 0,
					 seed, big, sizeof(big), big, 32, spi, spi, k), -EINVAL);
	ck_assert_int_eq(ike_child_keymat(IKEV2_PRF_HMAC_SHA2_256, seed, 32, NULL, 0, big, 32, big, 32,
					  IKE_CHILD_KEYMAX + 1, ei, er), -EINVAL);
	ck_assert_int_eq(ike_child_keymat(IKEV2_PRF_HMAC_SHA2_256, seed, 32, NULL, 0, big, 32, big, 32,
					  0, ei, er), -EINVAL);
	ck_assert_int_eq(ike_child_keymat(IKEV2_PRF_HMAC_SHA2_256, seed, 32, huge, sizeof(huge), big,
					  32, big, 32, 36, ei, er), -EINVAL);
	ck_assert_int_eq(ike_skeyseed_rekey(IKEV2_PRF_HMAC_SHA2_256, NULL, 0, big, 32, big, 32, big, 32,
					    seed), -EINVAL);
	/* No PFS: g^ir NULL is the §2.17 KEYMAT without it. */
	ck_assert_int_eq(ike_child_keymat(IKEV2_PRF_HMAC_SHA2_256, seed, 32, NULL, 32, big, 32, big, 32,
					  36, ei, er), 0);
	ike_keys_free(k);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ike_crypto_prf");
	TCase *tc = tcase_create("prf");
	if (sodium_init() < 0)
		return 1;
	tcase_add_loop_test(tc, test_rfc4231, 0, sizeof(rfc4231) / sizeof(rfc4231[0]));
	tcase_add_test(tc, test_prf_sha384);
	tcase_add_test(tc, test_prf_unsupported);
	tcase_add_loop_test(tc, test_prf_plus_structure, 0, 2);
	tcase_add_test(tc, test_prf_plus_limit);
	tcase_add_test(tc, test_kdf_sha512);
	tcase_add_test(tc, test_kdf_refusals);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}
