/* policy: hand-keyed (lab-only) static SAs pass the same guardrails as IKE
 * peers (issue 9, class 1): a table of static SAs and the verdict each must
 * get from policy_check_config (the function --check-config, start and
 * reload use), the report listing them, and the run-time egress check. Site
 * and uplinks as in policy_fixture.h (Shanghai, CN). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "policy_fixture.h"
#include "check_main.h"

static struct conf_static_sa *fixture_static_sa(struct config *cfg, const char *name, const char *peer,
						const char *region, int uplink, const char *local,
						const char *remote, const char *remote_id)
{
	struct conf_static_sa *s = config_add_static_sa(cfg);
	ck_assert_ptr_nonnull(s);
	snprintf(s->name, sizeof(s->name), "%s", name);
	ck_assert_msg(lg_sockaddr_parse(peer, 4500, &s->peer) == 0, "peer %s", peer);
	snprintf(s->region, sizeof(s->region), "%s", region);
	s->uplink = uplink;
	fixture_identity(&s->remote_id, remote_id);
	s->n_local_ts = fixture_prefixes(s->local_ts, CONF_MAX_TS, local);
	s->n_remote_ts = fixture_prefixes(s->remote_ts, CONF_MAX_TS, remote);
	s->line = 42;
	cfg->lab_only = true;
	return s;
}

static const struct sa_case {
	const char *peer, *region;
	int uplink;
	const char *local, *remote, *remote_id;
	enum policy_reason expect;
} sa_cases[] = {
	/* 0-1: domestic, over the Internet uplink: fine */
	{ "203.0.113.7", "CN", UP_INTERNET, "10.1.0.0/16", "10.2.0.0/16", "lab.corp.example", POLICY_OK },
	{ "10.60.0.2", "CN", UP_INTERNET, "10.1.0.0/16", "fd00:1234:2::/48", "lab.corp.example", POLICY_OK },
	/* 2-5: foreign endpoint over the Internet uplink: refused, declared or by the database */
	{ "198.51.100.20", "DE", UP_INTERNET, "10.1.0.0/16", "10.2.0.0/16", "lab.corp.example",
	  POLICY_CROSS_BORDER_NO_LICENSED_UPLINK },
	{ "198.51.100.20", "CN", UP_INTERNET, "10.1.0.0/16", "10.2.0.0/16", "lab.corp.example",
	  POLICY_CROSS_BORDER_NO_LICENSED_UPLINK },   /* database: DE, the stricter wins */
	{ "192.0.2.10", "CN", UP_INTERNET, "10.1.0.0/16", "10.2.0.0/16", "lab.corp.example",
	  POLICY_CROSS_BORDER_NO_LICENSED_UPLINK },   /* database: HK */
	{ "10.60.0.2", "US", UP_CM_UNTAGGED, "10.1.0.0/16", "10.2.0.0/16", "lab.corp.example",
	  POLICY_CROSS_BORDER_NO_LICENSED_UPLINK },   /* private address, declared US */
	/* 6-8: foreign over a licensed circuit: accepted; over an unlisted carrier or no circuit id: not */
	{ "198.51.100.20", "DE", UP_CTC, "10.1.0.0/16", "10.2.0.0/16", "lab.corp.example", POLICY_OK },
	{ "198.51.100.20", "DE", UP_ACME, "10.1.0.0/16", "10.2.0.0/16", "lab.corp.example",
	  POLICY_CARRIER_NOT_LICENSED },
	{ "198.51.100.20", "DE", UP_CU_NOCIRCUIT, "10.1.0.0/16", "10.2.0.0/16", "lab.corp.example",
	  POLICY_CIRCUIT_ID_MISSING },
	/* 9-13: default routes and public selectors */
	{ "203.0.113.7", "CN", UP_INTERNET, "10.1.0.0/16", "0.0.0.0/0", "lab.corp.example",
	  POLICY_SELECTOR_DEFAULT_ROUTE },
	{ "203.0.113.7", "CN", UP_INTERNET, "10.1.0.0/16", "::/0", "lab.corp.example",
	  POLICY_SELECTOR_DEFAULT_ROUTE },
	{ "203.0.113.7", "CN", UP_INTERNET, "0.0.0.0/0", "10.2.0.0/16", "lab.corp.example",
	  POLICY_SELECTOR_DEFAULT_ROUTE },
	{ "203.0.113.7", "CN", UP_INTERNET, "10.1.0.0/16", "8.8.8.0/24", "lab.corp.example",
	  POLICY_SELECTOR_OUTSIDE_INTERNAL },
	{ "203.0.113.7", "CN", UP_INTERNET, "10.1.0.0/16", "10.2.0.0/16, 2001:db8::/32", "lab.corp.example",
	  POLICY_SELECTOR_OUTSIDE_INTERNAL },
	/* 14-16: region and identity */
	{ "203.0.113.7", "XX", UP_INTERNET, "10.1.0.0/16", "10.2.0.0/16", "lab.corp.example",
	  POLICY_REGION_UNKNOWN },
	{ "203.0.113.7", "CN", UP_INTERNET, "10.1.0.0/16", "10.2.0.0/16", "lab.evilcorp.example",
	  POLICY_IDENTITY_FOREIGN },
	{ "203.0.113.7", "CN", UP_INTERNET, "10.1.0.0/16", "10.2.0.0/16", "", POLICY_IDENTITY_MISMATCH },
	/* 17: the example: foreign, untagged uplink, default route */
	{ "198.51.100.20", "DE", UP_INTERNET, "10.1.0.0/16", "0.0.0.0/0", "lab.corp.example",
	  POLICY_CROSS_BORDER_NO_LICENSED_UPLINK },
};

START_TEST(static_sa_table)
{
	const struct sa_case *c = &sa_cases[_i];
	static struct config cfg;
	struct regiondb *db = fixture_db();
	struct policy_verdict v[16];
	int idx[16];

	fixture_config(&cfg);
	fixture_peer(&cfg, "beijing", "203.0.113.8", "CN", UP_INTERNET, NULL, NULL, NULL);   /* compliant */
	fixture_static_sa(&cfg, "lab-x", c->peer, c->region, c->uplink, c->local, c->remote, c->remote_id);
	size_t n = policy_check_config(&cfg, db, v, 16, idx);
	if (c->expect == POLICY_OK) {
		ck_assert_msg(n == 0, "case %d: %zu violations, first %s: %s", _i, n,
			      policy_reason_name(v[0].reason), v[0].message);
	} else {
		ck_assert_msg(n >= 1 && v[0].reason == c->expect, "case %d: got %zu, first %s, want %s: %s",
			      _i, n, n ? policy_reason_name(v[0].reason) : "-", policy_reason_name(c->expect),
			      n ? v[0].message : "");
		ck_assert_int_eq(idx[0], 1);   /* after the one peer: static SA 0 */
		ck_assert_msg(strstr(v[0].message, "static-sa \"lab-x\"") && !strstr(v[0].message, "peer \"lab-x\""),
			      "case %d: message names the static SA: %s", _i, v[0].message);
	}
	regiondb_free(db);
}
END_TEST

/* The report lists static SAs with their verdicts, text and JSON. */
START_TEST(static_sa_in_report)
{
	static struct config cfg;
	struct regiondb *db = fixture_db();
	char *buf = NULL;
	size_t len = 0;

	fixture_config(&cfg);
	fixture_static_sa(&cfg, "abroad", "198.51.100.20", "DE", UP_INTERNET, "10.1.0.0/16", "0.0.0.0/0",
			  "lab.corp.example");
	fixture_static_sa(&cfg, "home", "203.0.113.7", "CN", UP_INTERNET, "10.1.0.0/16", "10.2.0.0/16",
			  "lab.corp.example");
	FILE *f = open_memstream(&buf, &len);
	policy_report(&cfg, db, NULL, false, f);
	fclose(f);
	ck_assert_msg(strstr(buf, "STATIC-SA") && strstr(buf, "abroad") && strstr(buf, "home"), "%s", buf);
	ck_assert_msg(strstr(buf, "violation cross_border_no_licensed_uplink: static-sa \"abroad\""), "%s", buf);
	ck_assert_msg(strstr(buf, "violation selector_default_route: static-sa \"abroad\""), "%s", buf);
	ck_assert_msg(strstr(buf, "3 static violations") || strstr(buf, "2 static violations"), "%s", buf);
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	policy_report(&cfg, db, NULL, true, f);
	fclose(f);
	ck_assert_msg(strstr(buf, "\"static_sas\":[{\"name\":\"abroad\",\"kind\":\"static-sa\""), "%s", buf);
	ck_assert_msg(strstr(buf, "\"name\":\"home\",\"kind\":\"static-sa\""), "%s", buf);
	ck_assert_msg(strstr(buf, "\"compliant\":false"), "%s", buf);
	free(buf);
	regiondb_free(db);
}
END_TEST

/* Run time: a cross-border static SA on its circuit is judged like a peer. */
static const struct rt_case {
	bool up;
	const char *egress;
	enum policy_reason expect;
} rt_cases[] = {
	{ true, "eth1", POLICY_OK },
	{ false, "eth1", POLICY_UPLINK_DOWN },
	{ true, "eth0", POLICY_EGRESS_MISMATCH },
	{ true, "", POLICY_EGRESS_MISMATCH },
};

START_TEST(static_sa_runtime)
{
	const struct rt_case *c = &rt_cases[_i];
	static struct config cfg;
	struct regiondb *db = fixture_db();
	struct policy_link_facts facts = { .uplink_up = c->up };

	fixture_config(&cfg);
	struct conf_static_sa *s = fixture_static_sa(&cfg, "lab-de", "198.51.100.20", "DE", UP_CTC,
						     "10.1.0.0/16", "10.2.0.0/16", "lab.corp.example");
	snprintf(facts.egress_ifname, sizeof(facts.egress_ifname), "%s", c->egress);
	struct policy_verdict v = policy_check_static_sa_runtime(&cfg, s, db, &facts);
	ck_assert_msg(v.reason == c->expect, "case %d: %s: %s", _i, policy_reason_name(v.reason), v.message);
	if (c->expect != POLICY_OK)
		ck_assert_msg(strstr(v.message, "static-sa \"lab-de\""), "%s", v.message);
	/* the same SA over the Internet uplink never gets to the run-time facts */
	s->uplink = UP_INTERNET;
	v = policy_check_static_sa_runtime(&cfg, s, db, &facts);
	ck_assert_int_eq(v.reason, POLICY_CROSS_BORDER_NO_LICENSED_UPLINK);
	regiondb_free(db);
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

int main(void)
{
	Suite *s = suite_create("policy_static_sa");
	TCase *t = tcase_create("static_sa");
	tcase_add_loop_test(t, static_sa_table, 0, N(sa_cases));
	tcase_add_test(t, static_sa_in_report);
	tcase_add_loop_test(t, static_sa_runtime, 0, N(rt_cases));
	suite_add_tcase(s, t);
	return lg_check_run(s);
}
