/* Key exchange groups 14, 15, 19, 20, 31: known answers from
 * tests/vectors/dh_groups.txt (RFC 5903's ECP examples and MODP pairs
 * computed by a second implementation, each with a g^ir that starts with a
 * zero byte), fresh key pairs agreeing, and the public value checks: points
 * off the curve, infinity, 0, 1, p-1, p and wrong lengths are refused and
 * leave no output behind. */
#include <errno.h>
#include "linegate/ike_crypto.h"
#include "linegate/ikev2.h"
#include "test_ike_crypto_vec.h"
#include "check_main.h"

static const int groups[] = { IKEV2_DH_ECP256, IKEV2_DH_ECP384, IKEV2_DH_MODP2048,
			      IKEV2_DH_MODP3072, IKEV2_DH_CURVE25519 };
static const size_t pub_len[] = { 64, 96, 256, 384, 32 };
static const size_t shared_len[] = { 32, 48, 256, 384, 32 };

/* Both directions of the vector: i with g^r, r with g^i. */
START_TEST(known_answers)
{
	struct vec_file vf;
	vec_load(&vf, "dh_groups.txt");
	for (int k = 0; k < 4; k++) {
		int g = groups[k];
		const char *priv[2] = { "i", "r" }, *peer[2] = { "gr", "gi" };
		for (int side = 0; side < 2; side++) {
			const struct vec_entry *x = VEC(&vf, "g%d.%s", g, priv[side]);
			const struct vec_entry *y = VEC(&vf, "g%d.%s", g, peer[side]);
			const struct vec_entry *gir = VEC(&vf, "g%d.gir", g);
			struct ike_dh dh = { 0 };
			uint8_t out[IKE_DH_SHARED_MAX];
			size_t n = 0;
			ck_assert_int_eq(ike_dh_set_private(g, &dh, x->val, x->len), 0);
			ck_assert_int_eq(ike_dh_shared(&dh, y->val, y->len, out, sizeof(out), &n), 0);
			ck_assert_uint_eq(n, gir->len);
			ck_assert_uint_eq(n, shared_len[k]);
			ck_assert_mem_eq(out, gir->val, n);
			ike_dh_clear(&dh);
			ck_assert_ptr_null(dh.pkey);
		}
	}
	/* the MODP pairs were picked for a leading zero byte: padding kept */
	ck_assert_uint_eq(VEC(&vf, "g14.gir")->val[0], 0);
	ck_assert_uint_eq(VEC(&vf, "g15.gir")->val[0], 0);
	vec_free(&vf);
}
END_TEST

START_TEST(fresh_pairs_agree)
{
	int k = _i;
	int g = groups[k];
	struct ike_dh a = { 0 }, b = { 0 };
	uint8_t pa[IKE_DH_PUB_MAX], pb[IKE_DH_PUB_MAX], sa[IKE_DH_SHARED_MAX], sb[IKE_DH_SHARED_MAX];
	size_t na, nb;

	ck_assert(ike_dh_supported(g));
	ck_assert_uint_eq(ike_dh_pub_len(g), pub_len[k]);
	ck_assert_uint_eq(ike_dh_shared_len(g), shared_len[k]);
	ck_assert_int_eq(ike_dh_keypair(g, &a, pa, sizeof(pa)), 0);
	ck_assert_int_eq(ike_dh_keypair(g, &b, pb, sizeof(pb)), 0);
	ck_assert_int_eq(ike_dh_shared(&a, pb, pub_len[k], sa, sizeof(sa), &na), 0);
	ck_assert_int_eq(ike_dh_shared(&b, pa, pub_len[k], sb, sizeof(sb), &nb), 0);
	ck_assert_uint_eq(na, shared_len[k]);
	ck_assert_uint_eq(nb, na);
	ck_assert_mem_eq(sa, sb, na);
	ck_assert_mem_ne(pa, pb, pub_len[k]);
	/* a second key pair replaces the first (no leak under ASan) */
	ck_assert_int_eq(ike_dh_keypair(g, &a, pa, sizeof(pa)), 0);
	ck_assert_int_eq(ike_dh_keypair(g, &a, pa, pub_len[k] - 1), -EMSGSIZE);
	ike_dh_clear(&a);
	ike_dh_clear(&b);
	ike_dh_clear(&b);
}
END_TEST

static void expect_refused(const struct ike_dh *dh, const uint8_t *pub, size_t len)
{
	uint8_t out[IKE_DH_SHARED_MAX];
	size_t n = 99;
	memset(out, 0xa5, sizeof(out));
	ck_assert_int_eq(ike_dh_shared(dh, pub, len, out, sizeof(out), &n), -EINVAL);
	ck_assert_uint_eq(n, 0);
	ck_assert(sodium_is_zero(out, ike_dh_shared_len(dh->group)) ||
		  len != ike_dh_pub_len(dh->group));
}

START_TEST(ecp_public_checks)
{
	for (int k = 0; k < 2; k++) {
		int g = groups[k];
		size_t L = pub_len[k];
		struct ike_dh dh = { 0 };
		uint8_t ours[IKE_DH_PUB_MAX], bad[IKE_DH_PUB_MAX + 1] = { 0 };
		ck_assert_int_eq(ike_dh_keypair(g, &dh, ours, sizeof(ours)), 0);
		expect_refused(&dh, bad, L);              /* (0,0): infinity is not encodable */
		memcpy(bad, ours, L);
		bad[L - 1] ^= 1;                          /* y changed: off the curve */
		expect_refused(&dh, bad, L);
		memset(bad, 0xff, L);                     /* x, y >= p */
		expect_refused(&dh, bad, L);
		expect_refused(&dh, ours, L - 1);         /* lengths */
		expect_refused(&dh, ours, L + 1);
		bad[0] = 0x04;                            /* an 04-prefixed point (RFC 5903 §7: none) */
		memcpy(bad + 1, ours, L);
		expect_refused(&dh, bad, L + 1);
		ike_dh_clear(&dh);
	}
}
END_TEST

START_TEST(modp_public_checks)
{
	struct vec_file vf;
	vec_load(&vf, "dh_groups.txt");
	for (int k = 2; k < 4; k++) {
		int g = groups[k];
		size_t L = pub_len[k];
		struct ike_dh dh = { 0 };
		uint8_t ours[IKE_DH_PUB_MAX], y[IKE_DH_PUB_MAX] = { 0 };
		ck_assert_int_eq(ike_dh_keypair(g, &dh, ours, sizeof(ours)), 0);
		expect_refused(&dh, y, L);                /* 0 */
		y[L - 1] = 1;
		expect_refused(&dh, y, L);                /* 1 */
		memcpy(y, VEC(&vf, "g%d.pm1", g)->val, L);
		expect_refused(&dh, y, L);                /* p-1: order 2 */
		memcpy(y, VEC(&vf, "g%d.p", g)->val, L);
		expect_refused(&dh, y, L);                /* p */
		memset(y, 0xff, L);
		expect_refused(&dh, y, L);                /* > p */
		expect_refused(&dh, ours, L - 1);
		ike_dh_clear(&dh);
	}
	vec_free(&vf);
}
END_TEST

START_TEST(x25519_and_unsupported)
{
	struct ike_dh dh = { 0 };
	uint8_t pub[IKE_DH_PUB_MAX], zero[32] = { 0 };
	ck_assert_int_eq(ike_dh_keypair(IKEV2_DH_CURVE25519, &dh, pub, sizeof(pub)), 0);
	ck_assert_ptr_null(dh.pkey);
	expect_refused(&dh, zero, 32);               /* small order: all-zero secret */
	ike_dh_clear(&dh);
	ck_assert(!ike_dh_supported(30));
	ck_assert(!ike_dh_supported(2));             /* MODP-1024: not offered */
	ck_assert_uint_eq(ike_dh_pub_len(30), 0);
	ck_assert_int_eq(ike_dh_keypair(30, &dh, pub, sizeof(pub)), -ENOTSUP);
	ck_assert_int_eq(ike_dh_set_private(IKEV2_DH_ECP256, &dh, zero, 0), -EINVAL);
	ck_assert_str_eq(ike_dh_name(IKEV2_DH_MODP2048), "modp2048");
	ck_assert_str_eq(ike_dh_name(IKEV2_DH_ECP384), "ecp384");
	ck_assert_str_eq(ike_dh_name(IKEV2_DH_NONE), "none");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ike_crypto_dh");
	TCase *t = tcase_create("dh");
	tcase_add_test(t, known_answers);
	tcase_add_loop_test(t, fresh_pairs_agree, 0, 5);
	tcase_add_test(t, ecp_public_checks);
	tcase_add_test(t, modp_public_checks);
	tcase_add_test(t, x25519_and_unsupported);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return lg_check_run(suite());
}
