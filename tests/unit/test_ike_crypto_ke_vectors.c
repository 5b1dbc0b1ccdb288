/* The public values strongSwan 5.9.8 sent in four captured sessions (KE of
 * IKE_SA_INIT and of the IKE SA rekey, groups 14, 15, 19, 20; tests/vectors/
 * ike_<set>.txt from tools/ike_cbc_vectors.py) pass linegate's group checks
 * (ike_dh_shared with a fresh private value of ours), and the values a
 * check exists for are refused before any arithmetic with our secret:
 *   ECP   a point off the curve (y changed by one bit), a coordinate >= p,
 *         the all-zero encoding (infinity has no affine form) — while the
 *         negated point (x, p - y), also on the curve, is accepted;
 *   MODP  y = 0, 1, p - 1, p, 2^n - 1 (> p), and p - y of a captured y
 *         (not in the prime-order subgroup: -1 is not a square mod these p);
 *   all   a value one byte short or long. */
#include <check.h>
#include <errno.h>
#include <string.h>
#include <sodium.h>

#include "linegate/ike_crypto.h"
#include "linegate/ikev2.h"
#include "test_ike_crypto_vec.h"
#include "check_main.h"

static const char *const sets[] = {
	"ike_aes256-sha256-modp2048-psk.txt", "ike_aes128-sha256-ecp256-psk.txt",
	"ike_aes256-sha384-ecp384-psk.txt", "ike_aes128-sha512-modp3072-psk.txt",
};
enum { NSETS = sizeof(sets) / sizeof(sets[0]) };

/* Field primes of P-256 and P-384 (FIPS 186-4 D.1.2.3, D.1.2.4). */
static const char P256[] = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
static const char P384[] = "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe"
			   "ffffffff0000000000000000ffffffff";

static struct vec_file vf, groups;

/* out = a - b, big-endian, n bytes each; a >= b. */
static void be_sub(uint8_t *out, const uint8_t *a, const uint8_t *b, size_t n)
{
	unsigned borrow = 0;

	for (size_t i = n; i-- > 0;) {
		unsigned d = (unsigned)a[i] - b[i] - borrow;
		out[i] = (uint8_t)d;
		borrow = (d >> 8) & 1;
	}
	ck_assert_uint_eq(borrow, 0);
}

static void be_small(uint8_t *out, size_t n, uint8_t v)
{
	memset(out, 0, n);
	out[n - 1] = v;
}

/* ike_dh_shared's verdict on a peer value, with a fresh private value. */
static int verdict(int group, const uint8_t *pub, size_t len)
{
	struct ike_dh *dh = sodium_malloc(sizeof(*dh));
	uint8_t ours[IKE_DH_PUB_MAX], shared[IKE_DH_SHARED_MAX];
	size_t slen = 99;
	int rc;

	ck_assert_ptr_nonnull(dh);
	memset(dh, 0, sizeof(*dh));
	ck_assert_int_eq(ike_dh_keypair(group, dh, ours, sizeof(ours)), 0);
	rc = ike_dh_shared(dh, pub, len, shared, sizeof(shared), &slen);
	ck_assert_uint_eq(slen, rc ? 0 : ike_dh_shared_len(group));
	ike_dh_clear(dh);
	sodium_free(dh);
	return rc;
}

static void refused(int group, const uint8_t *pub, size_t len, const char *what)
{
	ck_assert_msg(verdict(group, pub, len) == -EINVAL, "group %d: %s accepted", group, what);
}

static void ecp_bad(int group, const uint8_t *ke, size_t len)
{
	const char *phex = group == IKEV2_DH_ECP256 ? P256 : P384;
	size_t f = len / 2, plen;
	uint8_t v[IKE_DH_PUB_MAX], p[48];

	ck_assert_int_eq(sodium_hex2bin(p, sizeof(p), phex, strlen(phex), NULL, &plen, NULL), 0);
	ck_assert_uint_eq(plen, f);
	memcpy(v, ke, len);
	v[len - 1] ^= 1;
	refused(group, v, len, "a point off the curve");
	memcpy(v, p, f);
	memcpy(v + f, ke + f, f);
	refused(group, v, len, "x = p");
	memcpy(v, ke, f);
	memcpy(v + f, p, f);
	refused(group, v, len, "y = p");
	memset(v, 0, len);
	refused(group, v, len, "the all-zero point");
	/* -P = (x, p - y) is on the curve: accepted (the check is not a
	 * comparison with the captured bytes). */
	memcpy(v, ke, f);
	be_sub(v + f, p, ke + f, f);
	ck_assert_int_eq(verdict(group, v, len), 0);
}

static void modp_bad(int group, const uint8_t *ke, size_t len)
{
	const struct vec_entry *p = VEC(&groups, "g%d.p", group);
	uint8_t v[IKE_DH_PUB_MAX], one[IKE_DH_PUB_MAX];

	ck_assert_uint_eq(p->len, len);
	be_small(v, len, 0);
	refused(group, v, len, "y = 0");
	be_small(one, len, 1);
	refused(group, one, len, "y = 1");
	be_sub(v, p->val, one, len);
	refused(group, v, len, "y = p - 1");
	refused(group, p->val, len, "y = p");
	memset(v, 0xff, len);
	refused(group, v, len, "y > p");
	be_sub(v, p->val, ke, len);
	refused(group, v, len, "p - y (outside the subgroup)");
}

START_TEST(test_captured_ke)
{
	unsigned n, checked = 0;
	int group;

	vec_load(&vf, sets[_i]);
	vec_load(&groups, "dh_groups.txt");
	group = (int)VEC_U8(&vf, "dh");
	ck_assert(ike_dh_supported(group));
	for (n = 0; vec_find(&vf, "ike%u.ke_i", n); n++) {
		for (int side = 0; side < 2; side++) {
			const struct vec_entry *ke = VEC(&vf, "ike%u.ke_%c", n, side ? 'r' : 'i');
			uint8_t v[IKE_DH_PUB_MAX + 1] = { 0 };

			ck_assert_uint_eq(ke->len, ike_dh_pub_len(group));
			ck_assert_uint_eq(VEC(&vf, "ike%u.gir", n)->len, ike_dh_shared_len(group));
			ck_assert_msg(verdict(group, ke->val, ke->len) == 0,
				      "IKE SA %u: strongSwan's KE %c refused", n, side ? 'r' : 'i');
			refused(group, ke->val, ke->len - 1, "a value one byte short");
			memcpy(v, ke->val, ke->len);
			refused(group, v, ke->len + 1, "a value one byte long");
			if (group == IKEV2_DH_ECP256 || group == IKEV2_DH_ECP384)
				ecp_bad(group, ke->val, ke->len);
			else
				modp_bad(group, ke->val, ke->len);
			checked++;
		}
	}
	/* IKE_SA_INIT and the IKE SA rekey, both sides. */
	ck_assert_uint_eq(checked, 4);
	vec_free(&groups);
	vec_free(&vf);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ike_crypto_ke_vectors");
	TCase *tc = tcase_create("capture");

	tcase_add_loop_test(tc, test_captured_ke, 0, NSETS);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	return lg_check_run(suite());
}
