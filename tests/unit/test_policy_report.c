/* policy: the compliance report (human and JSON) of `linegatectl compliance`
 * and `linegated --check-config`. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "policy_fixture.h"
#include "check_main.h"

static char *report(const struct config *cfg, const struct regiondb *db,
		    const struct policy_peer_live *live, bool json)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	policy_report(cfg, db, live, json, f);
	fclose(f);
	return out;
}

static void demo_config(struct config *cfg)
{
	fixture_config(cfg);
	fixture_peer(cfg, "beijing", "203.0.113.7", "CN", UP_INTERNET, NULL, "10.2.0.0/16", "bj-gw.corp.example");
	fixture_peer(cfg, "frankfurt-hq", "198.51.100.20", "DE", UP_CTC, NULL, NULL, NULL);
	fixture_peer(cfg, "munich-direct", "198.51.100.21", "DE", UP_INTERNET, NULL, "10.101.0.0/16",
		     "mu-gw.corp.example");
	fixture_peer(cfg, "hk \"office\"", "192.0.2.10", "CN", UP_INTERNET, NULL, "10.3.0.0/16",
		     "hk-gw.corp.example");
}

/* Counts the occurrences of needle. */
static int count(const char *hay, const char *needle)
{
	int n = 0;
	size_t len = strlen(needle);
	for (size_t i = 0; hay[i]; i++)
		n += strncmp(hay + i, needle, len) == 0;
	return n;
}

START_TEST(human_static)
{
	static struct config cfg;
	struct regiondb *db = fixture_db();
	demo_config(&cfg);
	char *r = report(&cfg, db, NULL, false);
	ck_assert_msg(strstr(r, "site \"shanghai-branch\", region CN"), "%s", r);
	ck_assert_int_eq(count(r, "cross-border DE/DE/DE"), 2);
	ck_assert_int_eq(count(r, "cross-border CN/HK/HK"), 1);
	ck_assert_int_eq(count(r, "domestic     CN/CN/CN"), 1);
	ck_assert_int_eq(count(r, "violation cross_border_no_licensed_uplink"), 2);
	ck_assert_msg(strstr(r, "ctc-circuit(eth1) china-telecom CTC-IPLC-SH-0042"), "%s", r);
	ck_assert_msg(strstr(r, "why: declared CN, database HK for prefix 192.0.2.0/24: stricter wins"), "%s", r);
	/* The refusal itself says that the database overrode the declaration. */
	ck_assert_msg(strstr(r, "is cross-border (site CN, peer HK; declared CN, database HK for prefix "
			     "192.0.2.0/24, stricter wins) but uplink \"internet\""), "%s", r);
	ck_assert_msg(strstr(r, "2 static violations"), "%s", r);
	free(r);
	regiondb_free(db);
}
END_TEST

START_TEST(json_static_and_live)
{
	static struct config cfg;
	struct regiondb *db = fixture_db();
	struct policy_peer_live live[4] = {
		{ .uplink_up = true, .tunnel_up = true, .egress_ifname = "eth0" },
		{ .uplink_up = false, .tunnel_up = false, .egress_ifname = "eth0" },
		{ .uplink_up = true, .tunnel_up = false, .egress_ifname = "eth0" },
		{ .uplink_up = true, .tunnel_up = false, .egress_ifname = "eth0" },
	};
	demo_config(&cfg);
	char *r = report(&cfg, db, NULL, true);
	ck_assert_msg(strstr(r, "\"site\":\"shanghai-branch\""), "%s", r);
	ck_assert_msg(strstr(r, "\"static_violations\":2"), "%s", r);
	ck_assert_msg(strstr(r, "\"name\":\"hk \\\"office\\\"\""), "JSON escaping: %s", r);
	ck_assert_int_eq(count(r, "\"class\":\"cross-border\""), 3);
	ck_assert_int_eq(count(r, "\"live\":null"), 4);
	ck_assert_int_eq(count(r, "\"mismatch\":true"), 1);
	ck_assert_int_eq(count(r, "{"), count(r, "}"));
	ck_assert_int_eq(count(r, "["), count(r, "]"));
	free(r);
	/* Live: frankfurt's circuit is down -> uplink_down joins the violations. */
	r = report(&cfg, db, live, true);
	ck_assert_msg(strstr(r, "\"reason\":\"uplink_down\""), "%s", r);
	ck_assert_msg(strstr(r, "\"live\":{\"uplink_up\":false,\"tunnel_up\":false,\"egress\":\"eth0\"}"), "%s", r);
	ck_assert_int_eq(count(r, "\"compliant\":true"), 1);   /* beijing only */
	free(r);
	r = report(&cfg, db, live, false);
	ck_assert_msg(strstr(r, "link DOWN, tunnel down"), "%s", r);
	ck_assert_msg(strstr(r, "violation uplink_down"), "%s", r);
	free(r);
	regiondb_free(db);
}
END_TEST

/* The organisation's own public space is shown with its registration. */
START_TEST(public_space_reported)
{
	static struct config cfg;
	fixture_config(&cfg);
	fixture_prefix(&cfg.site.public_space[cfg.site.n_public_space++], "203.0.113.0/24");
	snprintf(cfg.site.public_registration, sizeof(cfg.site.public_registration), "APNIC ORG-CORP1-AP");
	fixture_prefix(&cfg.site.internal[cfg.site.n_internal++], "203.0.113.0/24");
	char *r = report(&cfg, NULL, NULL, false);
	ck_assert_msg(strstr(r, "public space declared as the organisation's own: 203.0.113.0/24 "
			     "(registration: APNIC ORG-CORP1-AP)\n"), "%s", r);
	ck_assert_msg(strstr(r, "0 static violations"), "%s", r);
	free(r);
	r = report(&cfg, NULL, NULL, true);
	ck_assert_msg(strstr(r, "\"public_space\":{\"prefixes\":[\"203.0.113.0/24\"],\"registration\":"
			     "\"APNIC ORG-CORP1-AP\",\"valid\":true}"), "%s", r);
	free(r);
	cfg.site.public_registration[0] = '\0';   /* unregistered: refused, void */
	r = report(&cfg, NULL, NULL, false);
	ck_assert_msg(strstr(r, "(registration: NONE) [refused: counts for nothing]"), "%s", r);
	ck_assert_msg(strstr(r, "site violation public_space_unregistered"), "%s", r);
	ck_assert_msg(strstr(r, "site violation internal_space_public"), "%s", r);
	free(r);
}
END_TEST

START_TEST(site_violations_reported)
{
	static struct config cfg;
	fixture_config(&cfg);
	fixture_prefix(&cfg.site.internal[cfg.site.n_internal++], "::/0");
	char *r = report(&cfg, NULL, NULL, false);
	ck_assert_msg(strstr(r, "site violation selector_default_route"), "%s", r);
	ck_assert_msg(strstr(r, "region database: 0 prefixes"), "%s", r);
	ck_assert_msg(strstr(r, "MLPS level 0, security officer none, on journal failure keep-tunnels "
			     "(set by default)"), "%s", r);
	/* CN site, no region-db configured: the report warns */
	ck_assert_msg(strstr(r, "warning: no region database configured"), "%s", r);
	free(r);
	r = report(&cfg, NULL, NULL, true);
	ck_assert_msg(strstr(r, "\"violations\":[{\"reason\":\"selector_default_route\""), "%s", r);
	ck_assert_msg(strstr(r, "\"peers\":[]"), "%s", r);
	ck_assert_msg(strstr(r, "\"warnings\":[\"no region database configured"), "%s", r);
	free(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("policy_report");
	TCase *t = tcase_create("report");
	tcase_add_test(t, human_static);
	tcase_add_test(t, json_static_and_live);
	tcase_add_test(t, site_violations_reported);
	tcase_add_test(t, public_space_reported);
	suite_add_tcase(s, t);
	return lg_check_run(s);
}
