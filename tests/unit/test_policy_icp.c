/* ICP ports (policy/icp.c): which listening sockets the Internet reaches on
 * a web port without the site's recordal, as a numbered table, and the
 * report (human and JSON) that shows them. */
#include <stdio.h>
#include <stdlib.h>
#include "check_main.h"
#include "policy_fixture.h"

/* The fixture's uplinks have these addresses now: internet (eth0)
 * 198.51.100.5 and 2001:db8:1::5, ctc-circuit (eth1) 192.0.2.9. The LAN
 * (eth9, not an uplink) has 10.1.0.1. */
static const struct { const char *ifname, *addr; } addrs_now[] = {
	{ "eth0", "198.51.100.5" }, { "eth0", "2001:db8:1::5" }, { "eth1", "192.0.2.9" },
	{ "eth9", "10.1.0.1" },
};

static const struct icp_case {
	const char *addr;
	uint16_t port;
	const char *bound_if;
	bool recorded_443;      /* the site carries a recordal for 443 */
	enum policy_icp expect;
	const char *via;        /* expected via (substring), NULL = none */
} icp_cases[] = {
	/* 0 */ { "0.0.0.0", 8080, "", false, POLICY_ICP_UNRECORDED, "internet(eth0), ctc-circuit(eth1)" },
	/* 1 */ { "::", 443, "", false, POLICY_ICP_UNRECORDED, "internet(eth0)" },
	/* 2 */ { "10.1.0.1", 8080, "", false, POLICY_ICP_NOT_EXPOSED, NULL },     /* LAN only */
	/* 3 */ { "198.51.100.5", 80, "", false, POLICY_ICP_UNRECORDED, "internet(eth0)" },
	/* 4 */ { "2001:db8:1::5", 443, "", false, POLICY_ICP_UNRECORDED, "internet(eth0)" },
	/* 5 */ { "::ffff:198.51.100.5", 80, "", false, POLICY_ICP_UNRECORDED, "internet(eth0)" },
	/* 6 */ { "192.0.2.9", 443, "", false, POLICY_ICP_UNRECORDED, "ctc-circuit(eth1)" }, /* circuits too */
	/* 7 */ { "0.0.0.0", 22, "", false, POLICY_ICP_NOT_EXPOSED, NULL },        /* not a web port */
	/* 8 */ { "0.0.0.0", 8443, "", false, POLICY_ICP_NOT_EXPOSED, NULL },
	/* 9 */ { "0.0.0.0", 443, "eth9", false, POLICY_ICP_NOT_EXPOSED, NULL },  /* pinned to the LAN */
	/* 10 */ { "0.0.0.0", 443, "eth0", false, POLICY_ICP_UNRECORDED, "internet(eth0)" },
	/* 11 */ { "0.0.0.0", 443, "", true, POLICY_ICP_RECORDED, "internet(eth0)" },
	/* 12 */ { "::", 443, "", true, POLICY_ICP_RECORDED, NULL },
	/* 13 */ { "::", 80, "", true, POLICY_ICP_UNRECORDED, NULL },              /* recordal is per port */
	/* 14 */ { "127.0.0.1", 80, "", false, POLICY_ICP_NOT_EXPOSED, NULL },
	/* 15 */ { "198.51.100.6", 80, "", false, POLICY_ICP_NOT_EXPOSED, NULL },  /* no uplink has it */
	/* 16 */ { "192.0.2.10", 80, "", false, POLICY_ICP_UNRECORDED, "cm-untagged(eth4)" }, /* configured source */
};

static size_t fixture_addrs(struct policy_uplink_addr *out)
{
	size_t n = 0;
	for (size_t i = 0; i < sizeof(addrs_now) / sizeof(addrs_now[0]); i++, n++) {
		int family;
		snprintf(out[n].ifname, sizeof(out[n].ifname), "%s", addrs_now[i].ifname);
		ck_assert(lg_addr_parse(addrs_now[i].addr, &family, out[n].addr) == 0);
		out[n].family = (uint8_t)family;
	}
	return n;
}

static void listener(struct policy_listener *l, const char *addr, uint16_t port, const char *bound)
{
	int family;
	memset(l, 0, sizeof(*l));
	ck_assert(lg_addr_parse(addr, &family, l->addr) == 0);
	l->family = (uint8_t)family;
	l->port = port;
	snprintf(l->bound_if, sizeof(l->bound_if), "%s", bound);
	l->inode = 4242;
}

static void site_recordal(struct config *cfg, uint16_t port)
{
	struct conf_icp *e = &cfg->site.icp[cfg->site.n_icp++];
	e->port = port;
	snprintf(e->recordal, sizeof(e->recordal), "京ICP备12345678号-1");
}

START_TEST(icp_table)
{
	const struct icp_case *c = &icp_cases[_i];
	static struct config cfg;
	struct policy_uplink_addr addrs[8];
	struct policy_listener l;
	struct policy_icp_judgement j;

	fixture_config(&cfg);
	lg_sockaddr_parse("192.0.2.10", 0, &cfg.uplinks[UP_CM_UNTAGGED].source);
	if (c->recorded_443)
		site_recordal(&cfg, 443);
	listener(&l, c->addr, c->port, c->bound_if);
	policy_judge_listener(&cfg, &l, addrs, fixture_addrs(addrs), &j);
	ck_assert_msg(j.state == c->expect, "case %d: state %d, want %d (via %s)", _i, j.state, c->expect, j.via);
	if (c->via)
		ck_assert_msg(strstr(j.via, c->via), "case %d: via %s", _i, j.via);
	ck_assert_int_eq(j.verdict.reason, c->expect == POLICY_ICP_UNRECORDED ? POLICY_ICP_NO_RECORDAL : POLICY_OK);
	if (c->expect == POLICY_ICP_RECORDED)
		ck_assert_str_eq(j.recordal, "京ICP备12345678号-1");
	if (c->expect == POLICY_ICP_UNRECORDED)
		ck_assert_msg(strstr(j.verdict.message, "no ICP recordal for port"), "%s", j.verdict.message);
}
END_TEST

static char *report(const struct config *cfg, const struct policy_icp_facts *icp, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	policy_report_live(cfg, NULL, NULL, icp, json, f);
	fclose(f);
	return buf;
}

/* One flagged, one recorded, one on the LAN (not shown); the recordal
 * number reads as written in JSON (UTF-8, not \u00xx per byte). */
START_TEST(icp_report)
{
	static struct config cfg;
	struct policy_uplink_addr addrs[8];
	struct policy_listener ls[3];
	fixture_config(&cfg);
	site_recordal(&cfg, 443);
	listener(&ls[0], "0.0.0.0", 8080, "");
	listener(&ls[1], "::", 443, "");
	listener(&ls[2], "10.1.0.1", 80, "");
	struct policy_icp_facts icp = { ls, 3, addrs, fixture_addrs(addrs), 0 };

	char *h = report(&cfg, &icp, false);
	ck_assert_msg(strstr(h, "ICP listener tcp 0.0.0.0 port 8080 via internet(eth0)"), "%s", h);
	ck_assert_msg(strstr(h, "violation icp_unrecorded:"), "%s", h);
	ck_assert_msg(strstr(h, "ICP listener tcp :: port 443") && strstr(h, "recorded 京ICP备12345678号-1"), "%s", h);
	ck_assert_msg(!strstr(h, "10.1.0.1"), "%s", h);
	ck_assert_msg(strstr(h, "1 ICP violation (unrecorded web listener)"), "%s", h);
	free(h);
	char *js = report(&cfg, &icp, true);
	ck_assert_msg(strstr(js, "\"recordals\":[{\"port\":443,\"recordal\":\"京ICP备12345678号-1\"}]"), "%s", js);
	ck_assert_msg(strstr(js, "\"address\":\"0.0.0.0\",\"port\":8080"), "%s", js);
	ck_assert_msg(strstr(js, "\"state\":\"unrecorded\""), "%s", js);
	ck_assert_msg(strstr(js, "\"state\":\"recorded\""), "%s", js);
	ck_assert_msg(strstr(js, "\"violations\":1}"), "%s", js);
	free(js);
	/* the static report (no scan) says so */
	js = report(&cfg, NULL, true);
	ck_assert_msg(strstr(js, "\"scanned\":false,\"listeners\":null"), "%s", js);
	free(js);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("policy_icp");
	TCase *t = tcase_create("icp");
	tcase_add_loop_test(t, icp_table, 0, (int)(sizeof(icp_cases) / sizeof(icp_cases[0])));
	tcase_add_test(t, icp_report);
	suite_add_tcase(s, t);
	return lg_check_run(s);
}
