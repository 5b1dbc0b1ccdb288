/* policy: the compliance report (human and JSON) of `linegatectl compliance`
 * and `linegated --check-config`. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "linegate/report_meta.h"
#include "linegate/utf8.h"
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

/* Display column at which needle starts in line (CJK counts two). */
static size_t column_of(const char *line, const char *needle)
{
	const char *at = strstr(line, needle);
	ck_assert_msg(at != NULL, "%s not in %s", needle, line);
	char *prefix = strndup(line, (size_t)(at - line));
	size_t w = lg_utf8_width(prefix);
	free(prefix);
	return w;
}

/* A circuit id in Chinese: the table stays aligned by display width and
 * no text anywhere is cut in the middle of a character (issue 14). */
START_TEST(chinese_text_aligned_and_whole)
{
	static struct config cfg;
	static const char circuit[] = "中国电信国际专线上海至法兰克福第四十二号电路";
	struct regiondb *db = fixture_db();
	demo_config(&cfg);
	snprintf(cfg.uplinks[UP_CTC].circuit_id, sizeof(cfg.uplinks[UP_CTC].circuit_id), "x%s", circuit);
	char *r = report(&cfg, db, NULL, false);
	ck_assert_msg(strstr(r, circuit), "%s", r);
	char *save = NULL, *copy = strdup(r);
	size_t verdict_col = 0, rows = 0;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "PEER ", 5))
			verdict_col = column_of(line, "VERDICT");
		else if (verdict_col && line[0] != ' ' && strchr(line, '/')) {
			const char *v = strstr(line, " VIOLATION") ? " VIOLATION" : " ok";
			ck_assert_uint_eq(column_of(line, v) + 1, verdict_col);
			rows++;
		}
	}
	ck_assert_uint_eq(rows, 4);
	free(copy);
	free(r);
	/* a licensed circuit on the Internet uplink's interface: its message
	 * quotes the circuit clipped to 48 bytes, at a character boundary */
	snprintf(cfg.uplinks[UP_CTC].ifname, sizeof(cfg.uplinks[UP_CTC].ifname), "eth0");
	r = report(&cfg, db, NULL, true);
	ck_assert_msg(!strstr(r, "\xef\xbf\xbd"), "U+FFFD (a cut character) in %s", r);
	ck_assert_msg(strstr(r, circuit), "%s", r);
	json_error_t err;
	json_t *doc = json_loads(r, 0, &err);
	ck_assert_msg(doc != NULL, "%s: %s", err.text, r);
	json_decref(doc);
	free(r);
	regiondb_free(db);
}
END_TEST

/* The JSON document says when, where and from what it was made. */
START_TEST(json_document_block)
{
	static struct config cfg;
	struct lg_report_meta meta;
	char *out = NULL;
	size_t len = 0;
	demo_config(&cfg);
	memset(&meta, 0, sizeof(meta));
	meta.generated_ms = 1764900000123ull;
	snprintf(meta.host, sizeof(meta.host), "sh-gw1");
	snprintf(meta.version, sizeof(meta.version), "9.8.7");
	memset(meta.config_hash, 0xab, 32);
	meta.have_db = true;
	snprintf(meta.db_path, sizeof(meta.db_path), "/etc/linegate/regions.txt");
	memset(meta.db_hash, 0xcd, 32);
	meta.db_mtime_ms = 1764800000000ll;
	meta.have_clock = true;
	lg_clock_sync_decode(0, 0x2001, 1500, 10, 250, &meta.clock);
	meta.have_key = true;
	memset(meta.public_key, 0x11, 32);
	FILE *f = open_memstream(&out, &len);
	policy_report_doc(&cfg, NULL, NULL, NULL, &meta, true, f);
	fclose(f);
	json_error_t err;
	json_t *doc = json_loads(out, 0, &err), *d = json_object_get(doc, "document");
	ck_assert_msg(d != NULL, "%s", out);
	const char *gen = json_string_value(json_object_get(d, "generated"));
	ck_assert_msg(gen && strlen(gen) == 29 && (gen[23] == '+' || gen[23] == '-') && gen[26] == ':',
		      "time with zone offset: %s", gen);
	ck_assert_str_eq(json_string_value(json_object_get(d, "host")), "sh-gw1");
	ck_assert_str_eq(json_string_value(json_object_get(d, "version")), "9.8.7");
	ck_assert_msg(strstr(out, "\"blake2b\":\"abababab"), "%s", out);
	json_t *rdb = json_object_get(d, "region_db");
	ck_assert_msg(strncmp(json_string_value(json_object_get(rdb, "blake2b")), "cdcd", 4) == 0, "%s", out);
	ck_assert_ptr_nonnull(json_string_value(json_object_get(rdb, "date")));
	ck_assert(json_is_true(json_object_get(json_object_get(d, "clock"), "ntp_synchronised")));
	json_t *sig = json_object_get(d, "signature");
	ck_assert_str_eq(json_string_value(json_object_get(sig, "key_id")), "1111111111111111");
	ck_assert_str_eq(json_string_value(json_object_get(sig, "algorithm")), "ed25519");
	json_decref(doc);
	free(out);
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
	tcase_add_test(t, chinese_text_aligned_and_whole);
	tcase_add_test(t, json_document_block);
	suite_add_tcase(s, t);
	return lg_check_run(s);
}
