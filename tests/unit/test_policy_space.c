/* policy: what internal space may hold (issue 9 class 3) and IPv4 hidden in
 * IPv6 (class 4), as numbered tables. Site as in policy_fixture.h unless a
 * case gives its own internal space and public-space declaration. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "policy_fixture.h"
#include "check_main.h"

#define REG "APNIC ORG-CORP1-AP inetnum 203.0.113.0/24"

/* ---- internal-space and public-space: the first site violation ---- */

static const struct space_case {
	const char *internal, *public_space, *registration;
	enum policy_reason expect;
	const char *gap;    /* the public piece the message must name, or NULL */
} space_cases[] = {
	/* 0-3: private, shared and ULA space need no declaration */
	{ "10.0.0.0/8, 172.16.0.0/12, fd00:1234::/32", NULL, NULL, POLICY_OK, NULL },
	{ "100.64.0.0/10, 192.168.0.0/16", NULL, NULL, POLICY_OK, NULL },
	{ "fc00::/7", NULL, NULL, POLICY_OK, NULL },
	{ "10.0.0.0/9, 10.128.0.0/9", NULL, NULL, POLICY_OK, NULL },
	/* 4-12: the Internet in pieces, big public blocks, overlapping pieces */
	{ "0.0.0.0/1, 128.0.0.0/1", NULL, NULL, POLICY_INTERNAL_SPACE_PUBLIC, "0.0.0.0/5" },
	{ "0.0.0.0/2, 64.0.0.0/2, 128.0.0.0/2, 192.0.0.0/2", NULL, NULL, POLICY_INTERNAL_SPACE_PUBLIC, NULL },
	{ "8.0.0.0/7", NULL, NULL, POLICY_INTERNAL_SPACE_PUBLIC, "8.0.0.0/7" },
	{ "10.0.0.0/7", NULL, NULL, POLICY_INTERNAL_SPACE_PUBLIC, "11.0.0.0/8" },
	{ "100.0.0.0/8", NULL, NULL, POLICY_INTERNAL_SPACE_PUBLIC, "100.0.0.0/10" },
	{ "10.0.0.0/8, 0.0.0.0/1", NULL, NULL, POLICY_INTERNAL_SPACE_PUBLIC, NULL },
	{ "::/1, 8000::/1", NULL, NULL, POLICY_INTERNAL_SPACE_PUBLIC, NULL },
	{ "fc00::/6", NULL, NULL, POLICY_INTERNAL_SPACE_PUBLIC, "fe00::/7" },
	{ "2000::/3", NULL, NULL, POLICY_INTERNAL_SPACE_PUBLIC, NULL },
	/* 13-21: public space only when declared, registered and bounded */
	{ "203.0.113.0/24", NULL, NULL, POLICY_INTERNAL_SPACE_PUBLIC, "203.0.113.0/24" },
	{ "203.0.113.0/24", "203.0.113.0/24", REG, POLICY_OK, NULL },
	{ "203.0.113.0/24", "203.0.113.0/24", NULL, POLICY_PUBLIC_SPACE_UNREGISTERED, NULL },
	{ "203.0.112.0/23", "203.0.113.0/24", REG, POLICY_INTERNAL_SPACE_PUBLIC, "203.0.112.0/24" },
	{ "203.0.0.0/16", "203.0.0.0/16", REG, POLICY_OK, NULL },
	{ "203.0.0.0/16", "203.0.0.0/15", REG, POLICY_PUBLIC_SPACE_TOO_LARGE, NULL },
	{ "203.0.0.0/16", "203.0.0.0/16, 198.51.100.0/24", REG, POLICY_PUBLIC_SPACE_TOO_LARGE, NULL },
	{ "10.0.0.0/8", "0.0.0.0/0", REG, POLICY_PUBLIC_SPACE_TOO_LARGE, NULL },
	{ "2001:db8::/32", "2001:db8::/32", REG, POLICY_OK, NULL },
	/* 22-24: the declaration is void when refused: its space is not internal */
	{ "2001:db8::/32", "2001:db8::/31", REG, POLICY_PUBLIC_SPACE_TOO_LARGE, NULL },
	{ "10.0.0.0/8", "::ffff:0:0/96", REG, POLICY_PUBLIC_SPACE_TOO_LARGE, NULL },
	{ "10.0.0.0/8", "2002::/16", REG, POLICY_PUBLIC_SPACE_TOO_LARGE, NULL },
	/* 25-34: IPv6 that embeds IPv4 is judged by the IPv4 */
	{ "::ffff:0:0/96", NULL, NULL, POLICY_INTERNAL_SPACE_PUBLIC, "0.0.0.0/5" },
	{ "::ffff:10.0.0.0/104", NULL, NULL, POLICY_OK, NULL },
	{ "::ffff:11.0.0.0/104", NULL, NULL, POLICY_INTERNAL_SPACE_PUBLIC, "11.0.0.0/8" },
	{ "2002::/16", NULL, NULL, POLICY_INTERNAL_SPACE_PUBLIC, "0.0.0.0/5" },
	{ "2002:a00::/24", NULL, NULL, POLICY_OK, NULL },
	{ "64:ff9b::/96", NULL, NULL, POLICY_INTERNAL_SPACE_PUBLIC, "0.0.0.0/5" },
	{ "64:ff9b:1::/48", NULL, NULL, POLICY_INTERNAL_SPACE_PUBLIC, "0.0.0.0/5" },
	{ "2001::/32", NULL, NULL, POLICY_INTERNAL_SPACE_PUBLIC, "0.0.0.0/5" },
	{ "::/96", NULL, NULL, POLICY_INTERNAL_SPACE_PUBLIC, "0.0.0.0/5" },
	{ "::ffff:203.0.113.0/120", "203.0.113.0/24", REG, POLICY_OK, NULL },
	/* 35: the default route keeps its own code */
	{ "0.0.0.0/0", NULL, NULL, POLICY_SELECTOR_DEFAULT_ROUTE, NULL },
};

static void site_space(struct config *cfg, const char *internal, const char *pub, const char *reg)
{
	fixture_config(cfg);
	memset(cfg->site.internal, 0, sizeof(cfg->site.internal));
	cfg->site.n_internal = fixture_prefixes(cfg->site.internal, CONF_MAX_PREFIXES, internal);
	if (pub)
		cfg->site.n_public_space = fixture_prefixes(cfg->site.public_space, CONF_MAX_PUBLIC, pub);
	if (reg)
		snprintf(cfg->site.public_registration, sizeof(cfg->site.public_registration), "%s", reg);
}

START_TEST(space_table)
{
	const struct space_case *c = &space_cases[_i];
	static struct config cfg;
	struct policy_verdict v[8];

	site_space(&cfg, c->internal, c->public_space, c->registration);
	size_t n = policy_check_config(&cfg, NULL, v, 8, NULL);
	enum policy_reason got = n ? v[0].reason : POLICY_OK;
	ck_assert_msg(got == c->expect, "case %d (%s | %s): got %s, want %s: %s", _i, c->internal,
		      c->public_space ? c->public_space : "-", policy_reason_name(got),
		      policy_reason_name(c->expect), n ? v[0].message : "");
	if (c->gap) {
		char want[64];
		snprintf(want, sizeof(want), "(%s", c->gap);
		ck_assert_msg(strstr(v[0].message, want), "case %d: message names %s: %s", _i, want,
			      v[0].message);
	}
}
END_TEST

/* ---- selectors against the internal space (peers; static SAs call the same) ---- */

static const struct selector_case {
	const char *internal, *public_space, *selectors;
	enum policy_reason expect;
} selector_cases[] = {
	/* 0-2: inside the union of allowed entries */
	{ "10.0.0.0/9, 10.128.0.0/9", NULL, "10.0.0.0/8", POLICY_OK },
	{ "10.0.0.0/8", NULL, "10.1.0.0/16, 10.2.0.0/16", POLICY_OK },
	{ "10.0.0.0/8, 203.0.113.0/24", "203.0.113.0/24", "203.0.113.128/25", POLICY_OK },
	/* 3-5: an internal-space entry reaching public space counts for nothing */
	{ "10.0.0.0/8, 0.0.0.0/1", NULL, "1.0.0.0/8", POLICY_SELECTOR_OUTSIDE_INTERNAL },
	{ "0.0.0.0/1, 128.0.0.0/1", NULL, "0.0.0.0/1, 128.0.0.0/1", POLICY_SELECTOR_OUTSIDE_INTERNAL },
	{ "10.0.0.0/8, 203.0.113.0/24", NULL, "203.0.113.0/24", POLICY_SELECTOR_OUTSIDE_INTERNAL },
	/* 6-8: embedded IPv4 */
	{ "10.0.0.0/8, ::ffff:0:0/96", NULL, "::ffff:8.8.8.0/120", POLICY_SELECTOR_OUTSIDE_INTERNAL },
	{ "10.0.0.0/8, ::ffff:10.0.0.0/104", NULL, "::ffff:10.1.0.0/112", POLICY_OK },
	{ "10.0.0.0/8", NULL, "2002::/16", POLICY_SELECTOR_OUTSIDE_INTERNAL },
	/* 9-10: halves, default route */
	{ "10.0.0.0/8", NULL, "0.0.0.0/1, 128.0.0.0/1", POLICY_SELECTOR_OUTSIDE_INTERNAL },
	{ "10.0.0.0/8", NULL, "::/0", POLICY_SELECTOR_DEFAULT_ROUTE },
};

struct collected {
	struct policy_verdict v[8];
	size_t n;
};

static void collect(void *ctx, const struct policy_verdict *v)
{
	struct collected *c = ctx;
	if (c->n < 8)
		c->v[c->n] = *v;
	c->n++;
}

START_TEST(selector_table)
{
	const struct selector_case *c = &selector_cases[_i];
	static struct config cfg;
	struct lg_prefix ts[CONF_MAX_TS];
	struct conf_at at[CONF_MAX_TS] = { { 7, 3 }, { 7, 20 } };
	struct collected got = { .n = 0 };

	site_space(&cfg, c->internal, c->public_space, c->public_space ? REG : NULL);
	size_t n = fixture_prefixes(ts, CONF_MAX_TS, c->selectors);
	size_t bad = policy_selector_violations(&cfg, "static-sa", "lab", "remote", ts, at, n,
						(struct conf_at){ 5, 1 }, collect, &got);
	enum policy_reason r = got.n ? got.v[0].reason : POLICY_OK;
	ck_assert_msg(r == c->expect && bad == got.n, "case %d (%s): got %s, want %s", _i, c->selectors,
		      policy_reason_name(r), policy_reason_name(c->expect));
	if (got.n) {
		ck_assert_msg(strstr(got.v[0].message, "static-sa \"lab\" remote subnet"), "%s", got.v[0].message);
		ck_assert_int_eq(got.v[0].at.line, 7);   /* the value's position */
	}
}
END_TEST

/* ---- IPv4 embedded in IPv6 endpoints and database entries ---- */

static const char embedded_regions[] =
	"203.0.113.0/24 CN\n"
	"198.51.100.0/24 DE\n"
	"2002::/16 CN\n"                     /* a database claiming all of 6to4 is domestic */
	"2002:808:800::/40 US\n"             /* 8.8.8.0/24, written as 6to4 */
	"::ffff:9.9.9.0/120 FR\n"            /* 9.9.9.0/24, written IPv4-mapped */
	"64:ff9b::/96 CN\n";

static const struct embedded_case {
	const char *endpoint, *declared;
	bool cross_border;
	const char *database;   /* "" = none (private or unknown) */
	bool private_endpoint;
} embedded_cases[] = {
	/* 0-1: plain addresses for reference */
	{ "198.51.100.20", "CN", true, "DE", false },
	{ "203.0.113.7", "CN", false, "CN", false },
	/* 2-9: every embedding of 198.51.100.20 (DE) */
	{ "::ffff:198.51.100.20", "CN", true, "DE", false },
	{ "::198.51.100.20", "CN", true, "DE", false },
	{ "64:ff9b::198.51.100.20", "CN", true, "DE", false },    /* the db says CN for 64:ff9b::/96 */
	{ "64:ff9b:1:c633:64:1400::", "CN", true, "DE", false },   /* RFC 6052 /48 layout */
	{ "64:ff9b:1::198.51.100.20", "CN", true, "DE", false },  /* /96 layout */
	{ "2002:c633:6414::1", "CN", true, "DE", false },          /* 6to4; db: 2002::/16 CN */
	{ "2001:0:c633:6414::1", "CN", true, "DE", false },        /* Teredo server */
	{ "2001:0:a00:1::39cc:9beb", "CN", true, "DE", false },    /* Teredo client, inverted */
	/* 10-12: embedded domestic or private addresses */
	{ "2002:cb00:7107::1", "CN", false, "CN", false },
	{ "64:ff9b::10.1.1.1", "CN", false, "", true },
	{ "2002:a01:101::1", "CN", false, "", true },
	/* 13-16: database entries written in embedded form apply to the IPv4 */
	{ "8.8.8.8", "CN", true, "US", false },
	{ "9.9.9.9", "CN", true, "FR", false },
	{ "::ffff:8.8.8.8", "CN", true, "US", false },
	{ "2001:0:808:808::1", "CN", true, "US", false },
	/* 17: Teredo with both halves private is private */
	{ "2001:0:a00:1::f5fe:fefe", "CN", false, "", true },     /* client ~ = 10.1.1.1 */
};

START_TEST(embedded_table)
{
	const struct embedded_case *c = &embedded_cases[_i];
	static struct config cfg;
	struct regiondb *db = NULL;
	struct policy_region r;
	char err[128];

	ck_assert(regiondb_parse("emb", embedded_regions, strlen(embedded_regions), &db, err,
				 sizeof(err)) == 0);
	fixture_config(&cfg);
	struct conf_peer *p = fixture_peer(&cfg, "peer-x", c->endpoint, c->declared, UP_INTERNET, NULL,
					   NULL, NULL);
	policy_peer_region(&cfg, p, db, &r);
	ck_assert_msg(r.cross_border == c->cross_border && !strcmp(r.database, c->database) &&
		      r.private_endpoint == c->private_endpoint,
		      "case %d (%s): cross_border %d database '%s' private %d", _i, c->endpoint,
		      r.cross_border, r.database, r.private_endpoint);
	struct policy_verdict v = policy_check_peer_config(&cfg, p, db);
	ck_assert_int_eq(v.reason, c->cross_border ? POLICY_CROSS_BORDER_NO_LICENSED_UPLINK : POLICY_OK);
	regiondb_free(db);
}
END_TEST

/* The embedded-IPv4 helper itself, on prefixes. */
START_TEST(embedded_prefixes)
{
	static const struct { const char *p6, *v4[3]; } t[] = {
		{ "::ffff:198.51.100.0/120", { "198.51.100.0/24" } },
		{ "2002:c633:6400::/40", { "198.51.100.0/24" } },
		{ "2001:0:c633:6400::/56", { "198.51.100.0/24", "0.0.0.0/0" } },
		{ "64:ff9b:1:c633::/64", { "198.51.0.0/16", "0.0.0.0/0" } },
		{ "::/0", { "0.0.0.0/0" } },
		{ "fd00::/8", { NULL } },
		{ "2001:db8::/32", { NULL } },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct lg_prefix p, out[POLICY_MAX_EMBEDDED];
		char buf[LG_ADDRSTRLEN];
		fixture_prefix(&p, t[i].p6);
		size_t n = policy_embedded_v4(&p, out, POLICY_MAX_EMBEDDED);
		size_t want = 0;
		while (want < 3 && t[i].v4[want])
			want++;
		ck_assert_msg(n == want, "%s: %zu embedded, want %zu", t[i].p6, n, want);
		for (size_t k = 0; k < n; k++)
			ck_assert_str_eq(lg_prefix_format(&out[k], buf, sizeof(buf)), t[i].v4[k]);
	}
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *policy_space_suite(void)
{
	Suite *s = suite_create("policy_space");
	TCase *t = tcase_create("tables");
	tcase_add_loop_test(t, space_table, 0, N(space_cases));
	tcase_add_loop_test(t, selector_table, 0, N(selector_cases));
	tcase_add_loop_test(t, embedded_table, 0, N(embedded_cases));
	tcase_add_test(t, embedded_prefixes);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return lg_check_run(policy_space_suite());
}
