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

START_TEST(test_prf_unsupported)
{
	uint8_t out[64];

	ck_assert_uint_eq(ike_prf_len(IKEV2_PRF_HMAC_SHA2_384), 0);
	ck_assert_uint_eq(ike_prf_len(0), 0);
	ck_assert_int_eq(ike_prf(IKEV2_PRF_HMAC_SHA2_384, out, 8, out, 8, out), -ENOTSUP);
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

int main(void)
{
	Suite *s = suite_create("ike_crypto_prf");
	TCase *tc = tcase_create("prf");
	SRunner *sr;
	int failed;

	if (sodium_init() < 0)
		return 1;
	tcase_add_loop_test(tc, test_rfc4231, 0, sizeof(rfc4231) / sizeof(rfc4231[0]));
	tcase_add_test(tc, test_prf_unsupported);
	tcase_add_loop_test(tc, test_prf_plus_structure, 0, 2);
	tcase_add_test(tc, test_prf_plus_limit);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
