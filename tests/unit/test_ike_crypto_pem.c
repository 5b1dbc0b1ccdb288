/* Key files: the Ed25519 PEM forms strongSwan's `pki` writes (accepted
 * exactly, anything else refused) and PSK files (plain, 0x-hex, never empty). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sodium.h>

#include "linegate/ike_crypto.h"
#include "test_ike_crypto_vec.h"
#include "check_main.h"

/* gwa.key.pem / gwa.pub.pem of the chacha20poly1305-ed25519 capture. */
#define PRIV_B64 "MC4CAQAwBQYDK2VwBCIEIFL7Pogoh9HzRc26ckOn5+Wh91Dcw1wpzBqGsuYsMAJG"
#define PUB_B64 "MCowBQYDK2VwAyEAeTODrhfJyOeWg+hk1EubBA3Ng/b/BfpojMkqbhJrSfk="
#define PRIV_PEM "-----BEGIN PRIVATE KEY-----\n" PRIV_B64 "\n-----END PRIVATE KEY-----\n"
#define PUB_PEM "-----BEGIN PUBLIC KEY-----\n" PUB_B64 "\n-----END PUBLIC KEY-----\n"
static const char seed_hex[] = "52fb3e882887d1f345cdba7243a7e7e5a1f750dcc35c29cc1a86b2e62c300246";
static const char pub_hex[] = "793383ae17c9c8e79683e864d44b9b040dcd83f6ff05fa688cc92a6e126b49f9";

static const struct {
	const char *pem;
	bool ok;
} priv_cases[] = {
	/* 0 */ { PRIV_PEM, true },
	/* 1 */ { "\r\n  " PRIV_PEM "\n\n", true },
	/* 2 */ { "-----BEGIN PRIVATE KEY-----\r\n" PRIV_B64 "\r\n-----END PRIVATE KEY-----\r\n", true },
	/* 3 */ { "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIFL7Pogoh9HzRc26ckOn\n"
		  "5+Wh91Dcw1wpzBqGsuYsMAJG\n-----END PRIVATE KEY-----\n", true },
	/* 4 */ { "", false },
	/* 5 */ { PUB_PEM, false },
	/* 6 */ { "-----BEGIN RSA PRIVATE KEY-----\n" PRIV_B64 "\n-----END RSA PRIVATE KEY-----\n", false },
	/* 7 */ { "junk\n" PRIV_PEM, false },
	/* 8 */ { PRIV_PEM "junk", false },
	/* 9 */ { "-----BEGIN PRIVATE KEY-----\n" PRIV_B64 "\n", false },               /* no END */
	/* 10 */ { "-----BEGIN PRIVATE KEY-----\n" PRIV_B64 "AAAA\n-----END PRIVATE KEY-----\n", false },
	/* 11 */ { "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIFL7Pogoh9HzRc26ckOn5+Wh91Dcw1wpzBqGsuYsMAJ\n"
		   "-----END PRIVATE KEY-----\n", false },                                /* truncated */
	/* 12 */ { "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VuBCIEIFL7Pogoh9HzRc26ckOn5+Wh91Dcw1wpzBqGsuYsMAJG\n"
		   "-----END PRIVATE KEY-----\n", false },                                /* X25519 OID */
	/* 13 */ { "-----BEGIN PRIVATE KEY-----\nMC4CAQEwBQYDK2VwBCIEIFL7Pogoh9HzRc26ckOn5+Wh91Dcw1wpzBqGsuYsMAJG\n"
		   "-----END PRIVATE KEY-----\n", false },                                /* version 1 */
	/* 14 */ { "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIFL7Pogoh9HzRc26ckOn5+Wh91Dcw1wpzBqGsuYsMAJG!\n"
		   "-----END PRIVATE KEY-----\n", false },                                /* bad char */
};

static const struct {
	const char *pem;
	bool ok;
} pub_cases[] = {
	/* 0 */ { PUB_PEM, true },
	/* 1 */ { "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAeTODrhfJyOeWg+hk1Eub\nBA3Ng/b/BfpojMkqbhJrSfk=\n"
		  "-----END PUBLIC KEY-----", true },
	/* 2 */ { PRIV_PEM, false },
	/* 3 */ { "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VuAyEAeTODrhfJyOeWg+hk1EubBA3Ng/b/BfpojMkqbhJrSfk=\n"
		  "-----END PUBLIC KEY-----\n", false },                                   /* X25519 OID */
	/* 4 */ { "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEBeTODrhfJyOeWg+hk1EubBA3Ng/b/BfpojMkqbhJrSfk=\n"
		  "-----END PUBLIC KEY-----\n", false },                                   /* unused bits */
	/* 5 */ { "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAeTODrhfJyOeWg+hk1EubBA3Ng/b/BfpojMkqbhJrSf==\n"
		  "-----END PUBLIC KEY-----\n", false },
	/* 6 */ { "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n", false },
	/* 7 */ { "-----BEGIN CERTIFICATE-----\n" PUB_B64 "\n-----END CERTIFICATE-----\n", false },
};

START_TEST(test_private_pem)
{
	uint8_t *sk = sodium_malloc(64), seed[32], pk[32];
	int rc = ike_parse_ed25519_private_pem(priv_cases[_i].pem, strlen(priv_cases[_i].pem), sk);

	ck_assert_msg((rc == 0) == priv_cases[_i].ok, "case %d: rc %d", _i, rc);
	if (priv_cases[_i].ok) {
		sodium_hex2bin(seed, 32, seed_hex, 64, NULL, NULL, NULL);
		sodium_hex2bin(pk, 32, pub_hex, 64, NULL, NULL, NULL);
		ck_assert_bytes(sk, seed, 32, "seed");
		ck_assert_bytes(sk + 32, pk, 32, "public half");
	} else {
		ck_assert_int_eq(rc, -EINVAL);
		ck_assert(sodium_is_zero(sk, 64));
	}
	sodium_free(sk);
}
END_TEST

START_TEST(test_public_pem)
{
	uint8_t pk[32], want[32];
	int rc = ike_parse_ed25519_public_pem(pub_cases[_i].pem, strlen(pub_cases[_i].pem), pk);

	ck_assert_msg((rc == 0) == pub_cases[_i].ok, "case %d: rc %d", _i, rc);
	if (pub_cases[_i].ok) {
		sodium_hex2bin(want, 32, pub_hex, 64, NULL, NULL, NULL);
		ck_assert_bytes(pk, want, 32, "public key");
	}
}
END_TEST

/* Writes data to a fresh temporary file; returns its path (static). */
static const char *tmpfile_with(const void *data, size_t len)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/lg-ikec-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

START_TEST(test_load_pem_files)
{
	uint8_t *sk = sodium_malloc(64), pk[32];
	char err[256] = "";
	const char *p;

	p = tmpfile_with(PRIV_PEM, strlen(PRIV_PEM));
	ck_assert_int_eq(ike_load_ed25519_private(p, sk, err, sizeof(err)), 0);
	ck_assert_int_eq(ike_load_ed25519_public(p, pk, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, p));
	unlink(p);
	p = tmpfile_with(PUB_PEM, strlen(PUB_PEM));
	ck_assert_int_eq(ike_load_ed25519_public(p, pk, err, sizeof(err)), 0);
	ck_assert_bytes(pk, sk + 32, 32, "public key file matches the private one");
	unlink(p);
	ck_assert_int_eq(ike_load_ed25519_private("/nonexistent/lg.pem", sk, err, sizeof(err)),
			 -ENOENT);
	ck_assert_int_eq(ike_load_ed25519_public("/tmp", pk, err, sizeof(err)), -EINVAL);
	sodium_free(sk);
}
END_TEST

/* Owner and writability are judged on the descriptor that is read. */
START_TEST(test_load_refuses_exposed_keys)
{
	uint8_t *sk = sodium_malloc(64), pk[32], psk[IKE_PSK_MAX];
	char err[256] = "";
	size_t len;
	const char *p = tmpfile_with(PRIV_PEM, strlen(PRIV_PEM));

	ck_assert_int_eq(chmod(p, 0620), 0);
	ck_assert_int_eq(ike_load_ed25519_private(p, sk, err, sizeof(err)), -EPERM);
	ck_assert_ptr_nonnull(strstr(err, "mode 0620"));
	ck_assert_int_eq(chmod(p, 0400), 0);
	ck_assert_int_eq(ike_load_ed25519_private(p, sk, err, sizeof(err)), 0);
	unlink(p);
	p = tmpfile_with("0x00112233445566778899aabbccddeeff\n", 35);
	ck_assert_int_eq(chmod(p, 0602), 0);
	ck_assert_int_eq(ike_load_psk(p, psk, IKE_PSK_MAX, &len, err, sizeof(err)), -EPERM);
	ck_assert_int_eq(chmod(p, 0600), 0);
	if (geteuid() == 0) {   /* another owner: only root can hand the file over */
		ck_assert_int_eq(chown(p, 65534, 65534), 0);
		ck_assert_int_eq(ike_load_psk(p, psk, IKE_PSK_MAX, &len, err, sizeof(err)), -EPERM);
		ck_assert_ptr_nonnull(strstr(err, "owned by uid 65534"));
		ck_assert_int_eq(chown(p, 0, 0), 0);
	}
	ck_assert_int_eq(ike_load_psk(p, psk, IKE_PSK_MAX, &len, err, sizeof(err)), 0);
	unlink(p);
	p = tmpfile_with(PUB_PEM, strlen(PUB_PEM));
	ck_assert_int_eq(chmod(p, 0664), 0);
	ck_assert_int_eq(ike_load_ed25519_public(p, pk, err, sizeof(err)), -EPERM);
	ck_assert_int_eq(chmod(p, 0644), 0);
	ck_assert_int_eq(ike_load_ed25519_public(p, pk, err, sizeof(err)), 0);
	unlink(p);
	sodium_free(sk);
}
END_TEST

static const struct {
	const char *content;
	size_t len;            /* 0: strlen */
	int rc;
	const char *want;      /* expected PSK bytes */
	size_t want_len;
} psk_cases[] = {
	/* 0 */ { "ib-interop-psk-2f9c61d0", 0, 0, "ib-interop-psk-2f9c61d0", 23 },
	/* 1 */ { "ib-interop-psk-2f9c61d0\n", 0, 0, "ib-interop-psk-2f9c61d0", 23 },
	/* 2 */ { "secret\r\n", 0, 0, "secret", 6 },
	/* 3 */ { "0x00ff10", 0, 0, "\x00\xff\x10", 3 },
	/* 4 */ { "0XABCDEF\n", 0, 0, "\xab\xcd\xef", 3 },
	/* 5 */ { "with space inside", 0, 0, "with space inside", 17 },
	/* 6 */ { "", 0, -EINVAL, NULL, 0 },
	/* 7 */ { "\n", 0, -EINVAL, NULL, 0 },
	/* 8 */ { "\r\n\n", 0, -EINVAL, NULL, 0 },
	/* 9 */ { "0x", 0, 0, "0x", 2 },            /* not hex: a 2-byte secret */
	/* 10 */ { "0xabc", 0, -EINVAL, NULL, 0 },   /* odd number of digits */
	/* 11 */ { "0xzz", 0, -EINVAL, NULL, 0 },
	/* 12 */ { "0x00 11", 0, -EINVAL, NULL, 0 },
	/* 13 */ { "a\0b", 3, 0, "a\0b", 3 },        /* binary bytes are kept */
};

START_TEST(test_load_psk)
{
	uint8_t *psk = sodium_malloc(IKE_PSK_MAX);
	size_t len = 0, clen = psk_cases[_i].len ? psk_cases[_i].len : strlen(psk_cases[_i].content);
	char err[256] = "";
	const char *p = tmpfile_with(psk_cases[_i].content, clen);
	int rc = ike_load_psk(p, psk, IKE_PSK_MAX, &len, err, sizeof(err));

	unlink(p);
	ck_assert_msg(rc == psk_cases[_i].rc, "case %d: rc %d (%s)", _i, rc, err);
	if (rc == 0) {
		ck_assert_uint_eq(len, psk_cases[_i].want_len);
		ck_assert_bytes(psk, (const uint8_t *)psk_cases[_i].want, len, "PSK");
	} else {
		ck_assert(err[0] != '\0');
		ck_assert(sodium_is_zero(psk, IKE_PSK_MAX));
	}
	sodium_free(psk);
}
END_TEST

START_TEST(test_load_psk_limits)
{
	uint8_t *psk = sodium_malloc(IKE_PSK_MAX);
	char big[2 * IKE_PSK_MAX + 8], err[256];
	size_t len = 0;
	const char *p;

	memset(big, 'k', sizeof(big));
	p = tmpfile_with(big, IKE_PSK_MAX);
	ck_assert_int_eq(ike_load_psk(p, psk, IKE_PSK_MAX, &len, err, sizeof(err)), 0);
	ck_assert_uint_eq(len, IKE_PSK_MAX);
	unlink(p);
	p = tmpfile_with(big, IKE_PSK_MAX + 1);
	ck_assert_int_eq(ike_load_psk(p, psk, IKE_PSK_MAX, &len, err, sizeof(err)), -EINVAL);
	unlink(p);
	/* A smaller caller buffer is respected. */
	p = tmpfile_with(big, 20);
	ck_assert_int_eq(ike_load_psk(p, psk, 16, &len, err, sizeof(err)), -EINVAL);
	unlink(p);
	memcpy(big, "0x", 2);
	memset(big + 2, 'a', 2 * IKE_PSK_MAX + 2);
	p = tmpfile_with(big, 2 * IKE_PSK_MAX + 4); /* 257 bytes in hex */
	ck_assert_int_eq(ike_load_psk(p, psk, IKE_PSK_MAX, &len, err, sizeof(err)), -EINVAL);
	unlink(p);
	ck_assert_int_eq(ike_load_psk("/nonexistent/psk", psk, IKE_PSK_MAX, &len, err, sizeof(err)),
			 -ENOENT);
	sodium_free(psk);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ike_crypto_pem");
	TCase *tc = tcase_create("keys");
	if (sodium_init() < 0)
		return 1;
	tcase_add_loop_test(tc, test_private_pem, 0, sizeof(priv_cases) / sizeof(priv_cases[0]));
	tcase_add_loop_test(tc, test_public_pem, 0, sizeof(pub_cases) / sizeof(pub_cases[0]));
	tcase_add_test(tc, test_load_pem_files);
	tcase_add_test(tc, test_load_refuses_exposed_keys);
	tcase_add_loop_test(tc, test_load_psk, 0, sizeof(psk_cases) / sizeof(psk_cases[0]));
	tcase_add_test(tc, test_load_psk_limits);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}
