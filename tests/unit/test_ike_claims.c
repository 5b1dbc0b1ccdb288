/* ike: the claims on remote selectors (ike_ts_claims.c) against a naive
 * reference (every claim compared with lg_prefix_overlap), through random
 * add/del/query sequences dense enough that prefixes nest, collide and are
 * found both by lookup and by walk; and a numbered table of cases. */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "ike_internal.h"
#include "check_main.h"

static struct lg_prefix pfx(const char *s)
{
	struct lg_prefix p;
	ck_assert_int_eq(lg_prefix_parse(s, &p), 0);
	return p;
}

static const struct {
	const char *have[4];     /* "owner prefix" claimed, in order */
	const char *owner, *ask;
	bool conflict;
} cases[] = {
	/* 0 */ { { "a 10.65.1.0/24" }, "b", "10.65.1.0/24", true },     /* same subnet */
	/* 1 */ { { "a 10.65.1.0/24" }, "a", "10.65.1.0/24", false },    /* its own (rekey) */
	/* 2 */ { { "a 10.65.1.0/24" }, "b", "10.65.1.128/25", true },   /* inside: longest match */
	/* 3 */ { { "a 10.65.1.0/24" }, "b", "10.65.0.0/16", true },     /* around it */
	/* 4 */ { { "a 10.65.1.0/24" }, "b", "10.65.2.0/24", false },    /* beside it */
	/* 5 */ { { "a 10.65.1.0/24" }, "b", "0.0.0.0/0", true },
	/* 6 */ { { "a 10.65.1.7/32" }, "b", "10.0.0.0/8", true },       /* 2^24 away: walked */
	/* 7 */ { { "a 10.65.1.0/24", "b 10.65.2.0/24" }, "b", "10.65.0.0/22", true },
	/* 8 */ { { "a 2001:db8:1::/48" }, "b", "2001:db8::/32", true },
	/* 9 */ { { "a 2001:db8:1::/48" }, "b", "10.0.0.0/8", false },   /* other family */
	/* 10 */ { { "a 2001:db8:1::/48" }, "b", "2001:db8:1:5::/64", true },
	/* 11 */ { { "a 10.0.0.0/8", "a 10.65.1.0/24" }, "b", "10.99.0.0/16", true },
};

START_TEST(claims_table)
{
	struct ts_claims t;
	char owner[8];
	char text[64];

	ck_assert_int_eq(ts_claims_init(&t, 0), 0);
	for (size_t i = 0; i < 4 && cases[_i].have[i]; i++) {
		ck_assert_int_eq(sscanf(cases[_i].have[i], "%7s %63s", owner, text), 2);
		struct lg_prefix p = pfx(text);
		ck_assert_int_eq(ts_claims_add(&t, owner, &p), 0);
	}
	struct lg_prefix q = pfx(cases[_i].ask);
	ck_assert_msg((ts_claims_conflict(&t, cases[_i].owner, &q) != NULL) == cases[_i].conflict,
		      "case %d", _i);
	ts_claims_free(&t);
}
END_TEST

enum { REF_MAX = 2048, STEPS = 6000 };

struct ref {
	struct lg_prefix p;
	char owner[2];
	unsigned refs;
};

static struct ref ref[REF_MAX];
static size_t n_ref;

static struct ref *ref_find(const struct lg_prefix *p, const char *owner)
{
	for (size_t i = 0; i < n_ref; i++)
		if (lg_prefix_equal(&ref[i].p, p) && !strcmp(ref[i].owner, owner))
			return &ref[i];
	return NULL;
}

static bool ref_conflict(const struct lg_prefix *p, const char *owner)
{
	for (size_t i = 0; i < n_ref; i++)
		if (ref[i].refs && strcmp(ref[i].owner, owner) && lg_prefix_overlap(&ref[i].p, p))
			return true;
	return false;
}

/* A prefix in a small space so that they nest and collide: 10.64.0.0/12
 * (lengths 12 to 32) or 2001:db8::/44 (44 to 128). */
static struct lg_prefix random_prefix(void)
{
	struct lg_prefix p;
	char s[64];

	if (random() % 4) {
		static const int lens[] = { 12, 14, 16, 20, 22, 23, 24, 25, 28, 32 };
		uint32_t a = (10u << 24) | (64u << 16) | (uint32_t)(random() % 8) << 17 |
			     (uint32_t)(random() % 4) << 8 | (uint32_t)(random() % 4);
		int len = lens[random() % 10];
		a &= len ? ~0u << (32 - len) : 0;
		struct in_addr in = { htonl(a) };
		snprintf(s, sizeof(s), "%s/%d", inet_ntoa(in), len);
	} else {
		static const int lens[] = { 44, 48, 56, 64, 120, 128 };
		int len = lens[random() % 6];
		snprintf(s, sizeof(s), "2001:db8:%x:%x::%x/128", (int)(random() % 4) << 4,
			 (int)(random() % 2), (int)(random() % 2));
		p = pfx(s);
		p.len = (uint8_t)len;
		for (int b = len; b < 128; b++)   /* host bits zero */
			p.addr[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
		return p;
	}
	return pfx(s);
}

START_TEST(claims_against_reference)
{
	struct ts_claims t;
	size_t clear = 0;

	srandom(1000 + (unsigned)_i);
	n_ref = 0;
	ck_assert_int_eq(ts_claims_init(&t, 0), 0);
	for (int step = 0; step < STEPS; step++) {
		struct lg_prefix p = random_prefix();
		char owner[2] = { (char)('a' + random() % 3), 0 };
		struct ref *r = ref_find(&p, owner);
		int op = (int)(random() % 4);

		if (op == 0 && n_ref < REF_MAX) {   /* claim */
			ck_assert_int_eq(ts_claims_add(&t, owner, &p), 0);
			if (!r) {
				r = &ref[n_ref++];
				r->p = p;
				memcpy(r->owner, owner, 2);
				r->refs = 0;
			}
			r->refs++;
		} else if (op == 1 && r && r->refs) {   /* release */
			ts_claims_del(&t, owner, &p);
			r->refs--;
		} else {   /* ask */
			const struct ts_claim *c = ts_claims_conflict(&t, owner, &p);
			ck_assert_msg((c != NULL) == ref_conflict(&p, owner), "step %d", step);
			if (c) {
				ck_assert(lg_prefix_overlap(&c->p, &p));
				ck_assert_str_ne(c->owner, owner);
			}
			clear += c == NULL;
		}
	}
	size_t live = 0;
	for (size_t i = 0; i < n_ref; i++)
		live += ref[i].refs != 0;
	ck_assert_uint_eq(t.n, live);
	ck_assert_uint_gt(clear, 0);
	ts_claims_free(&t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ike_claims");
	TCase *tc = tcase_create("claims");
	tcase_add_loop_test(tc, claims_table, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_loop_test(tc, claims_against_reference, 0, 4);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}
