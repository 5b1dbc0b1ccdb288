/* policy: the compliance guardrails, as numbered tables of facts and the
 * verdict each must get. Site: Shanghai (CN), internal space 10/8,
 * 172.16/12, fd00:1234::/32, identity domain corp.example; uplinks and the
 * region database are in policy_fixture.h. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "policy_fixture.h"
#include "check_main.h"

/* ---- static peer checks: region, uplink licensing, selectors, remote-id ---- */

static const struct config_case {
	const char *endpoint, *region;
	int uplink;
	const char *local, *remote, *remote_id;   /* NULL = defaults */
	enum policy_reason expect;
	int cross_border;                          /* -1 = do not check */
} config_cases[] = {
	/* 0: domestic peer over the Internet uplink */
	{ "203.0.113.7", "CN", UP_INTERNET, NULL, NULL, NULL, POLICY_OK, 0 },
	/* 1-6: cross-border DE peer, every kind of uplink */
	{ "198.51.100.20", "DE", UP_INTERNET, NULL, NULL, NULL, POLICY_CROSS_BORDER_NO_LICENSED_UPLINK, 1 },
	{ "198.51.100.20", "DE", UP_CTC, NULL, NULL, NULL, POLICY_OK, 1 },
	{ "198.51.100.20", "DE", UP_ACME, NULL, NULL, NULL, POLICY_CARRIER_NOT_LICENSED, 1 },
	{ "198.51.100.20", "DE", UP_CU_NOCIRCUIT, NULL, NULL, NULL, POLICY_CIRCUIT_ID_MISSING, 1 },
	{ "198.51.100.20", "DE", UP_CM_UNTAGGED, NULL, NULL, NULL, POLICY_CROSS_BORDER_NO_LICENSED_UPLINK, 1 },
	{ "198.51.100.20", "DE", 7, NULL, NULL, NULL, POLICY_CROSS_BORDER_NO_LICENSED_UPLINK, 1 },
	/* 7-10: Hong Kong, Macau, Taiwan are cross-border from mainland China */
	{ "192.0.2.10", "HK", UP_INTERNET, NULL, NULL, NULL, POLICY_CROSS_BORDER_NO_LICENSED_UPLINK, 1 },
	{ "192.0.2.70", "MO", UP_INTERNET, NULL, NULL, NULL, POLICY_CROSS_BORDER_NO_LICENSED_UPLINK, 1 },
	{ "192.0.2.130", "TW", UP_INTERNET, NULL, NULL, NULL, POLICY_CROSS_BORDER_NO_LICENSED_UPLINK, 1 },
	{ "192.0.2.10", "HK", UP_CTC, NULL, NULL, NULL, POLICY_OK, 1 },
	/* 11-17: declared vs database, the stricter answer wins */
	{ "192.0.2.10", "CN", UP_INTERNET, NULL, NULL, NULL, POLICY_CROSS_BORDER_NO_LICENSED_UPLINK, 1 },
	{ "192.0.2.70", "CN", UP_INTERNET, NULL, NULL, NULL, POLICY_CROSS_BORDER_NO_LICENSED_UPLINK, 1 },
	{ "192.0.2.130", "CN", UP_INTERNET, NULL, NULL, NULL, POLICY_CROSS_BORDER_NO_LICENSED_UPLINK, 1 },
	{ "198.51.100.20", "CN", UP_INTERNET, NULL, NULL, NULL, POLICY_CROSS_BORDER_NO_LICENSED_UPLINK, 1 },
	{ "203.0.113.7", "DE", UP_INTERNET, NULL, NULL, NULL, POLICY_CROSS_BORDER_NO_LICENSED_UPLINK, 1 },
	{ "203.0.113.7", "DE", UP_CTC, NULL, NULL, NULL, POLICY_OK, 1 },
	{ "198.51.100.200", "CN", UP_INTERNET, NULL, NULL, NULL, POLICY_CROSS_BORDER_NO_LICENSED_UPLINK, 1 },
	/* 18-24: private / shared address space keeps the declared region */
	{ "10.200.0.1", "CN", UP_INTERNET, NULL, NULL, NULL, POLICY_OK, 0 },
	{ "10.200.0.1", "DE", UP_INTERNET, NULL, NULL, NULL, POLICY_CROSS_BORDER_NO_LICENSED_UPLINK, 1 },
	{ "100.64.1.1", "CN", UP_INTERNET, NULL, NULL, NULL, POLICY_OK, 0 },
	{ "100.127.255.255", "CN", UP_INTERNET, NULL, NULL, NULL, POLICY_OK, 0 },
	{ "100.128.0.1", "CN", UP_INTERNET, NULL, NULL, NULL, POLICY_OK, 0 },   /* not in the db */
	{ "172.31.255.1", "HK", UP_CTC, NULL, NULL, NULL, POLICY_OK, 1 },
	{ "192.168.7.1", "CN", UP_INTERNET, NULL, NULL, NULL, POLICY_OK, 0 },
	/* 25-31: IPv6 endpoints */
	{ "2001:db8:c::1", "CN", UP_INTERNET, NULL, NULL, NULL, POLICY_OK, 0 },
	{ "2001:db8:d::1", "CN", UP_INTERNET, NULL, NULL, NULL, POLICY_CROSS_BORDER_NO_LICENSED_UPLINK, 1 },
	{ "2001:db8:1::1", "CN", UP_INTERNET, NULL, NULL, NULL, POLICY_CROSS_BORDER_NO_LICENSED_UPLINK, 1 },
	{ "fd00::1", "CN", UP_INTERNET, NULL, NULL, NULL, POLICY_OK, 0 },
	{ "fd00::1", "JP", UP_INTERNET, NULL, NULL, NULL, POLICY_CROSS_BORDER_NO_LICENSED_UPLINK, 1 },
	{ "::ffff:192.0.2.10", "CN", UP_INTERNET, NULL, NULL, NULL, POLICY_CROSS_BORDER_NO_LICENSED_UPLINK, 1 },
	{ "::ffff:10.1.1.1", "CN", UP_INTERNET, NULL, NULL, NULL, POLICY_OK, 0 },
	/* 32-36: declared region must be ISO 3166-1 alpha-2 */
	{ "203.0.113.7", "XX", UP_INTERNET, NULL, NULL, NULL, POLICY_REGION_UNKNOWN, 1 },
	{ "203.0.113.7", "cn", UP_INTERNET, NULL, NULL, NULL, POLICY_OK, 0 },
	{ "203.0.113.7", "", UP_INTERNET, NULL, NULL, NULL, POLICY_REGION_UNKNOWN, 1 },
	{ "203.0.113.7", "EU", UP_CTC, NULL, NULL, NULL, POLICY_REGION_UNKNOWN, 1 },
	{ "203.0.113.7", "C1", UP_INTERNET, NULL, NULL, NULL, POLICY_REGION_UNKNOWN, 1 },
	/* 37-52: selectors at and just outside the internal space */
	{ "203.0.113.7", "CN", UP_INTERNET, NULL, "0.0.0.0/0", NULL, POLICY_SELECTOR_DEFAULT_ROUTE, -1 },
	{ "203.0.113.7", "CN", UP_INTERNET, NULL, "::/0", NULL, POLICY_SELECTOR_DEFAULT_ROUTE, -1 },
	{ "203.0.113.7", "CN", UP_INTERNET, "0.0.0.0/0", NULL, NULL, POLICY_SELECTOR_DEFAULT_ROUTE, -1 },
	{ "203.0.113.7", "CN", UP_INTERNET, NULL, "10.0.0.0/8", NULL, POLICY_OK, -1 },
	{ "203.0.113.7", "CN", UP_INTERNET, NULL, "10.0.0.0/7", NULL, POLICY_SELECTOR_OUTSIDE_INTERNAL, -1 },
	{ "203.0.113.7", "CN", UP_INTERNET, NULL, "11.0.0.0/8", NULL, POLICY_SELECTOR_OUTSIDE_INTERNAL, -1 },
	{ "203.0.113.7", "CN", UP_INTERNET, NULL, "10.255.255.255/32", NULL, POLICY_OK, -1 },
	{ "203.0.113.7", "CN", UP_INTERNET, NULL, "172.16.0.0/12", NULL, POLICY_OK, -1 },
	{ "203.0.113.7", "CN", UP_INTERNET, NULL, "172.0.0.0/11", NULL, POLICY_SELECTOR_OUTSIDE_INTERNAL, -1 },
	{ "203.0.113.7", "CN", UP_INTERNET, NULL, "172.32.0.0/16", NULL, POLICY_SELECTOR_OUTSIDE_INTERNAL, -1 },
	{ "203.0.113.7", "CN", UP_INTERNET, NULL, "fd00:1234::/32", NULL, POLICY_OK, -1 },
	{ "203.0.113.7", "CN", UP_INTERNET, NULL, "fd00:1234::/31", NULL, POLICY_SELECTOR_OUTSIDE_INTERNAL, -1 },
	{ "203.0.113.7", "CN", UP_INTERNET, NULL, "fd00:1235::/48", NULL, POLICY_SELECTOR_OUTSIDE_INTERNAL, -1 },
	{ "203.0.113.7", "CN", UP_INTERNET, NULL, "192.168.1.0/24", NULL, POLICY_SELECTOR_OUTSIDE_INTERNAL, -1 },
	{ "203.0.113.7", "CN", UP_INTERNET, NULL, "0.0.0.0/1", NULL, POLICY_SELECTOR_OUTSIDE_INTERNAL, -1 },
	{ "203.0.113.7", "CN", UP_INTERNET, "10.1.0.0/16, 8.8.8.8/32", NULL, NULL,
	  POLICY_SELECTOR_OUTSIDE_INTERNAL, -1 },
	/* 53-62: the configured remote-id must be of the organisation */
	{ "203.0.113.7", "CN", UP_INTERNET, NULL, NULL, "hq-gw.evilcorp.example", POLICY_IDENTITY_FOREIGN, 0 },
	{ "203.0.113.7", "CN", UP_INTERNET, NULL, NULL, "evilcorp.example", POLICY_IDENTITY_FOREIGN, 0 },
	{ "203.0.113.7", "CN", UP_INTERNET, NULL, NULL, "corp.example.attacker.example", POLICY_IDENTITY_FOREIGN, 0 },
	{ "203.0.113.7", "CN", UP_INTERNET, NULL, NULL, "keyid:0102", POLICY_IDENTITY_FOREIGN, 0 },
	{ "203.0.113.7", "CN", UP_INTERNET, NULL, NULL, "203.0.113.7", POLICY_IDENTITY_FOREIGN, 0 },
	{ "203.0.113.7", "CN", UP_INTERNET, NULL, NULL, "HQ-GW.CORP.EXAMPLE", POLICY_OK, 0 },
	{ "203.0.113.7", "CN", UP_INTERNET, NULL, NULL, "hq-gw.corp.example.", POLICY_OK, 0 },
	{ "203.0.113.7", "CN", UP_INTERNET, NULL, NULL, "", POLICY_IDENTITY_MISMATCH, 0 },
	{ "203.0.113.7", "CN", UP_INTERNET, NULL, NULL, "198.51.100.99", POLICY_OK, 0 },   /* allow-listed */
	{ "203.0.113.7", "CN", UP_INTERNET, NULL, NULL, "keyid:A1B2C3", POLICY_OK, 0 },
};

START_TEST(config_table)
{
	const struct config_case *c = &config_cases[_i];
	static struct config cfg;
	struct regiondb *db = fixture_db();
	struct policy_region r;

	fixture_config(&cfg);
	struct conf_peer *p = fixture_peer(&cfg, "peer-x", c->endpoint, c->region, c->uplink, c->local,
					   c->remote, c->remote_id);
	struct policy_verdict v = policy_check_peer_config(&cfg, p, db);
	ck_assert_msg(v.reason == c->expect, "case %d (%s %s): got %s, want %s: %s", _i, c->endpoint,
		      c->region, policy_reason_name(v.reason), policy_reason_name(c->expect), v.message);
	ck_assert_msg(strstr(v.message, c->expect == POLICY_OK ? "allowed" : "peer-x"),
		      "case %d: message names the peer: %s", _i, v.message);
	policy_peer_region(&cfg, p, db, &r);
	if (c->cross_border >= 0)
		ck_assert_msg(r.cross_border == (c->cross_border == 1), "case %d cross_border", _i);
	regiondb_free(db);
}
END_TEST

/* ---- region details: effective, mismatch flag, private endpoint ---- */

static const struct region_case {
	const char *endpoint, *declared;
	const char *database, *effective;
	bool mismatch, private_ep;
} region_cases[] = {
	{ "203.0.113.7", "CN", "CN", "CN", false, false },
	{ "192.0.2.10", "CN", "HK", "HK", true, false },
	{ "192.0.2.70", "HK", "MO", "HK", true, false },    /* both cross-border: declared kept */
	{ "192.0.2.130", "TW", "TW", "TW", false, false },
	{ "198.51.100.200", "DE", "US", "DE", true, false },
	{ "203.0.113.7", "DE", "CN", "DE", true, false },
	{ "10.1.1.1", "DE", "", "DE", false, true },
	{ "100.64.0.1", "CN", "", "CN", false, true },
	{ "100.63.255.255", "CN", "", "CN", false, false },   /* just below RFC 6598 */
	{ "fe80::1", "CN", "", "CN", false, true },
	{ "fc00::1", "CN", "", "CN", false, true },
	{ "fe00::1", "CN", "", "CN", false, false },          /* just outside fc00::/7 */
	{ "2001:db8:c:1::1", "cn", "CN", "CN", false, false },
	{ "2001:db8:e::1", "CN", "JP", "JP", true, false },
};

START_TEST(region_table)
{
	const struct region_case *c = &region_cases[_i];
	static struct config cfg;
	struct regiondb *db = fixture_db();
	struct policy_region r;

	fixture_config(&cfg);
	struct conf_peer *p = fixture_peer(&cfg, "p", c->endpoint, c->declared, UP_CTC, NULL, NULL, NULL);
	policy_peer_region(&cfg, p, db, &r);
	ck_assert_msg(!strcmp(r.database, c->database), "case %d db %s", _i, r.database);
	ck_assert_msg(!strcmp(r.effective, c->effective), "case %d eff %s", _i, r.effective);
	ck_assert_msg(r.mismatch == c->mismatch, "case %d mismatch", _i);
	ck_assert_msg(r.private_endpoint == c->private_ep, "case %d private", _i);
	/* Without a database the declaration is all there is. */
	policy_peer_region(&cfg, p, NULL, &r);
	ck_assert(!r.mismatch && !r.database[0]);
	regiondb_free(db);
}
END_TEST

START_TEST(cross_border_pairs)
{
	ck_assert(!policy_is_cross_border("CN", "CN"));
	ck_assert(!policy_is_cross_border("CN", "cn"));
	ck_assert(policy_is_cross_border("CN", "HK"));
	ck_assert(policy_is_cross_border("CN", "MO"));
	ck_assert(policy_is_cross_border("CN", "TW"));
	ck_assert(policy_is_cross_border("HK", "CN"));
	ck_assert(policy_is_cross_border("CN", "DE"));
	ck_assert(!policy_is_cross_border("DE", "DE"));
	ck_assert(policy_is_cross_border("CN", ""));      /* unknown fails closed */
	ck_assert(policy_is_cross_border("CN", "ZZ"));
	ck_assert(policy_is_cross_border("XX", "XX"));
	ck_assert(policy_region_valid("HK") && policy_region_valid("mo") && policy_region_valid("TW"));
	ck_assert(!policy_region_valid("UK") && !policy_region_valid("CNN") && !policy_region_valid("C"));
}
END_TEST

/* ---- run time: link state, route egress, IKE ingress ---- */

static const struct runtime_case {
	const char *endpoint, *region;
	int uplink;
	bool up;
	const char *egress, *ingress;
	enum policy_reason expect;
} runtime_cases[] = {
	{ "198.51.100.20", "DE", UP_CTC, true, "eth1", "", POLICY_OK },
	{ "198.51.100.20", "DE", UP_CTC, true, "eth1", "eth1", POLICY_OK },
	{ "198.51.100.20", "DE", UP_CTC, false, "eth1", "", POLICY_UPLINK_DOWN },
	{ "198.51.100.20", "DE", UP_CTC, false, "eth0", "", POLICY_UPLINK_DOWN },
	{ "198.51.100.20", "DE", UP_CTC, true, "eth0", "", POLICY_EGRESS_MISMATCH },
	{ "198.51.100.20", "DE", UP_CTC, true, "", "", POLICY_EGRESS_MISMATCH },
	{ "198.51.100.20", "DE", UP_CTC, true, "eth10", "", POLICY_EGRESS_MISMATCH },
	{ "198.51.100.20", "DE", UP_CTC, true, "eth1", "eth0", POLICY_INGRESS_MISMATCH },
	{ "192.0.2.10", "CN", UP_CTC, true, "eth0", "", POLICY_EGRESS_MISMATCH },  /* db says HK */
	{ "2001:db8:d::7", "DE", UP_CTC, true, "eth1", "eth2", POLICY_INGRESS_MISMATCH },
	{ "203.0.113.7", "CN", UP_INTERNET, false, "eth1", "eth3", POLICY_OK },   /* domestic */
	{ "198.51.100.20", "DE", UP_INTERNET, true, "eth0", "eth0", POLICY_CROSS_BORDER_NO_LICENSED_UPLINK },
};

START_TEST(runtime_table)
{
	const struct runtime_case *c = &runtime_cases[_i];
	static struct config cfg;
	struct regiondb *db = fixture_db();
	struct policy_link_facts f = { .uplink_up = c->up };

	fixture_config(&cfg);
	struct conf_peer *p = fixture_peer(&cfg, "frankfurt-hq", c->endpoint, c->region, c->uplink, NULL,
					   NULL, NULL);
	snprintf(f.egress_ifname, sizeof(f.egress_ifname), "%s", c->egress);
	snprintf(f.ingress_ifname, sizeof(f.ingress_ifname), "%s", c->ingress);
	struct policy_verdict v = policy_check_peer_runtime(&cfg, p, db, &f);
	ck_assert_msg(v.reason == c->expect, "case %d: got %s: %s", _i, policy_reason_name(v.reason), v.message);
	if (c->expect == POLICY_UPLINK_DOWN || c->expect == POLICY_EGRESS_MISMATCH ||
	    c->expect == POLICY_INGRESS_MISMATCH) {
		/* The sentence names the peer, the uplink, its carrier and circuit. */
		ck_assert_msg(strstr(v.message, "frankfurt-hq") && strstr(v.message, "ctc-circuit") &&
			      strstr(v.message, "china-telecom") && strstr(v.message, "CTC-IPLC-SH-0042"),
			      "case %d: %s", _i, v.message);
	}
	regiondb_free(db);
}
END_TEST

/* Egress judged on interface AND source: with a source configured on the
 * circuit uplink, the route's preferred source must be it (unknown fails
 * closed); without one, the interface decides alone. */
static const struct source_case {
	const char *uplink_source, *egress, *route_source;
	enum policy_reason expect;
} source_cases[] = {
	{ "203.0.113.129", "eth1", "203.0.113.129", POLICY_OK },
	{ "203.0.113.129", "eth1", "203.0.113.130", POLICY_EGRESS_MISMATCH },
	{ "203.0.113.129", "eth1", "", POLICY_EGRESS_MISMATCH },
	{ "203.0.113.129", "eth0", "203.0.113.129", POLICY_EGRESS_MISMATCH },
	{ "203.0.113.129", "eth1", "2001:db8::129", POLICY_EGRESS_MISMATCH },
	{ "", "eth1", "203.0.113.130", POLICY_OK },
	{ "", "eth1", "", POLICY_OK },
};

START_TEST(runtime_source)
{
	const struct source_case *c = &source_cases[_i];
	static struct config cfg;
	struct regiondb *db = fixture_db();
	struct policy_link_facts f = { .uplink_up = true };

	fixture_config(&cfg);
	struct conf_peer *p = fixture_peer(&cfg, "frankfurt-hq", "198.51.100.20", "DE", UP_CTC, NULL,
					   NULL, NULL);
	memset(&cfg.uplinks[UP_CTC].source, 0, sizeof(cfg.uplinks[UP_CTC].source));
	if (c->uplink_source[0])
		ck_assert_int_eq(lg_sockaddr_parse(c->uplink_source, 0, &cfg.uplinks[UP_CTC].source), 0);
	if (c->route_source[0])
		ck_assert_int_eq(lg_sockaddr_parse(c->route_source, 0, &f.egress_source), 0);
	snprintf(f.egress_ifname, sizeof(f.egress_ifname), "%s", c->egress);
	struct policy_verdict v = policy_check_peer_runtime(&cfg, p, db, &f);
	ck_assert_msg(v.reason == c->expect, "case %d: got %s: %s", _i, policy_reason_name(v.reason), v.message);
	if (c->expect == POLICY_EGRESS_MISMATCH && !strcmp(c->egress, "eth1"))
		ck_assert_msg(strstr(v.message, "not from source 203.0.113.129"), "case %d: %s", _i, v.message);
	regiondb_free(db);
}
END_TEST

/* A licensed circuit must be distinct from every untagged uplink: same
 * interface or same source address is circuit_shared_interface, cited at
 * the circuit's interface (or source) value; untagged uplinks sharing among
 * themselves, or two circuits, are not this rule's business. */
static const struct shared_case {
	const char *ifname, *source, *inet_source;
	bool licensed;
	size_t expect;
} shared_cases[] = {
	{ "eth0", "", "", true, 1 },                            /* the Internet's interface */
	{ "eth9", "203.0.113.1", "203.0.113.1", true, 1 },      /* its source address */
	{ "eth0", "203.0.113.1", "203.0.113.1", true, 1 },      /* both: one violation */
	{ "eth9", "203.0.113.2", "203.0.113.1", true, 0 },
	{ "eth9", "", "", true, 0 },
	{ "eth0", "", "", false, 0 },                           /* two untagged uplinks */
	{ "eth1", "", "", true, 0 },                            /* another circuit's interface */
};

START_TEST(circuit_shared_table)
{
	const struct shared_case *c = &shared_cases[_i];
	static struct config cfg;
	struct policy_verdict out[16];
	size_t n, shared = 0;

	fixture_config(&cfg);
	fixture_uplink(&cfg, "ctc-2", c->ifname, "china-telecom", "CTC-IPLC-SH-0099", c->licensed);
	struct conf_uplink *u = &cfg.uplinks[cfg.n_uplinks - 1];
	u->interface_at = (struct conf_at){ 41, 15 };
	u->source_at = (struct conf_at){ 42, 12 };
	if (c->source[0])
		ck_assert_int_eq(lg_sockaddr_parse(c->source, 0, &u->source), 0);
	if (c->inet_source[0])
		ck_assert_int_eq(lg_sockaddr_parse(c->inet_source, 0, &cfg.uplinks[UP_INTERNET].source), 0);
	n = policy_check_config(&cfg, NULL, out, 16, NULL);
	for (size_t i = 0; i < n && i < 16; i++) {
		if (out[i].reason != POLICY_CIRCUIT_SHARED)
			continue;
		shared++;
		ck_assert_msg(strstr(out[i].message, "\"ctc-2\"") && strstr(out[i].message, "\"internet\""),
			      "case %d: %s", _i, out[i].message);
		ck_assert_int_eq(out[i].at.line, strcmp(c->ifname, "eth0") ? 42 : 41);
	}
	ck_assert_msg(shared == c->expect, "case %d: %zu circuit_shared_interface", _i, shared);
}
END_TEST

/* ---- identities presented in IKE_AUTH ---- */

static const struct identity_case {
	const char *remote_id;   /* configured for the peer */
	const char *presented;
	enum policy_reason expect;
} identity_cases[] = {
	{ "hq-gw.corp.example", "hq-gw.corp.example", POLICY_OK },
	{ "hq-gw.corp.example", "HQ-GW.Corp.Example", POLICY_OK },
	{ "hq-gw.corp.example", "hq-gw.corp.example.", POLICY_OK },
	{ "hq-gw.corp.example", "bj-gw.corp.example", POLICY_IDENTITY_MISMATCH },
	{ "hq-gw.corp.example", "a.hq-gw.corp.example", POLICY_IDENTITY_MISMATCH },
	{ "hq-gw.corp.example", "hq-gw.evilcorp.example", POLICY_IDENTITY_FOREIGN },
	{ "hq-gw.corp.example", "evilcorp.example", POLICY_IDENTITY_FOREIGN },
	{ "hq-gw.corp.example", "hq-gw.corp.example.attacker.example", POLICY_IDENTITY_FOREIGN },
	{ "hq-gw.corp.example", "hq-gw..corp.example", POLICY_IDENTITY_FOREIGN },
	{ "hq-gw.corp.example", ".corp.example", POLICY_IDENTITY_FOREIGN },
	{ "hq-gw.corp.example", "", POLICY_IDENTITY_FOREIGN },
	{ "hq-gw.corp.example", "keyid:0102", POLICY_IDENTITY_FOREIGN },
	{ "hq-gw.corp.example", "198.51.100.20", POLICY_IDENTITY_FOREIGN },
	{ "hq-gw.corp.example", "2001:db8:d::7", POLICY_IDENTITY_FOREIGN },
	{ "hq-gw.corp.example", "hq-gw.corp-partner.example", POLICY_IDENTITY_MISMATCH },
	{ "hq-gw.corp-partner.example", "hq-gw.corp-partner.example", POLICY_OK },
	{ "hq-gw.corp-partner.example", "x.corp-partner.example", POLICY_IDENTITY_FOREIGN },
	{ "keyid:a1b2c3", "keyid:a1b2c3", POLICY_OK },
	{ "keyid:a1b2c3", "keyid:a1b2c4", POLICY_IDENTITY_FOREIGN },
	{ "198.51.100.99", "198.51.100.99", POLICY_OK },
	{ "198.51.100.99", "hq-gw.corp.example", POLICY_IDENTITY_MISMATCH },
	{ "corp.example", "CORP.EXAMPLE", POLICY_OK },
};

START_TEST(identity_table)
{
	const struct identity_case *c = &identity_cases[_i];
	static struct config cfg;
	struct conf_identity id;

	fixture_config(&cfg);
	struct conf_peer *p = fixture_peer(&cfg, "hq", "198.51.100.20", "DE", UP_CTC, NULL, NULL, c->remote_id);
	fixture_identity(&id, c->presented);
	struct policy_verdict v = policy_check_identity(&cfg, p, &id);
	ck_assert_msg(v.reason == c->expect, "case %d (%s): got %s: %s", _i, c->presented,
		      policy_reason_name(v.reason), v.message);
}
END_TEST

START_TEST(identity_binary_fqdn)
{
	/* An FQDN from the wire with a NUL or control byte is never ours, and
	 * the message escapes it. */
	static struct config cfg;
	struct conf_identity id = { .type = CONF_ID_FQDN, .len = 20 };
	fixture_config(&cfg);
	struct conf_peer *p = fixture_peer(&cfg, "hq", "198.51.100.20", "DE", UP_CTC, NULL, NULL, NULL);
	memcpy(id.data, "hq-gw\0x.corp.example", 20);
	struct policy_verdict v = policy_check_identity(&cfg, p, &id);
	ck_assert_int_eq(v.reason, POLICY_IDENTITY_FOREIGN);
	ck_assert_msg(strstr(v.message, "hq-gw\\x00x.corp.example"), "%s", v.message);
	v = policy_check_identity(&cfg, NULL, &id);
	ck_assert_int_eq(v.reason, POLICY_UNKNOWN_PEER);
	/* No identity domain configured: only the allow-list counts. */
	cfg.site.identity_domain[0] = '\0';
	fixture_identity(&id, "hq-gw.corp.example");
	ck_assert_int_eq(policy_check_identity(&cfg, p, &id).reason, POLICY_IDENTITY_FOREIGN);
}
END_TEST

/* ---- narrowing of proposed traffic selectors ---- */

static const struct narrow_case {
	const char *configured;
	const char *start, *end;      /* one proposed range */
	enum policy_reason expect;
	const char *result;           /* "a, b" */
} narrow_cases[] = {
	{ "10.100.0.0/16", "0.0.0.0", "255.255.255.255", POLICY_OK, "10.100.0.0/16" },
	{ "10.100.0.0/16", "10.100.5.0", "10.100.5.255", POLICY_OK, "10.100.5.0/24" },
	{ "10.100.0.0/16", "10.100.0.1", "10.100.0.6", POLICY_OK,
	  "10.100.0.1/32, 10.100.0.2/31, 10.100.0.4/31, 10.100.0.6/32" },
	{ "10.100.0.0/16", "10.99.255.255", "10.100.0.0", POLICY_OK, "10.100.0.0/32" },
	{ "10.100.0.0/16", "10.101.0.0", "10.101.255.255", POLICY_TS_UNACCEPTABLE, "" },
	{ "10.100.0.0/16, 10.101.0.0/16", "10.100.255.0", "10.101.0.255", POLICY_OK,
	  "10.100.255.0/24, 10.101.0.0/24" },
	{ "10.100.0.0/16", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", POLICY_TS_UNACCEPTABLE, "" },
	{ "fd00:1234:1::/48", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", POLICY_OK, "fd00:1234:1::/48" },
	{ "0.0.0.0/0", "0.0.0.0", "255.255.255.255", POLICY_TS_UNACCEPTABLE, "" },   /* never a default */
	{ "11.0.0.0/8", "0.0.0.0", "255.255.255.255", POLICY_TS_UNACCEPTABLE, "" },  /* not internal */
};

static void range_of(struct lg_range *r, const char *start, const char *end)
{
	int f1, f2;
	memset(r, 0, sizeof(*r));
	ck_assert(!lg_addr_parse(start, &f1, r->start) && !lg_addr_parse(end, &f2, r->end) && f1 == f2);
	r->family = (uint8_t)f1;
}

START_TEST(narrow_table)
{
	const struct narrow_case *c = &narrow_cases[_i];
	static struct config cfg;
	struct lg_prefix conf[8], out[16];
	struct lg_range prop[2];
	char got[512] = "", buf[LG_ADDRSTRLEN];
	size_t n_out = 99;

	fixture_config(&cfg);
	size_t n_conf = fixture_prefixes(conf, 8, c->configured);
	range_of(&prop[0], c->start, c->end);
	prop[1] = prop[0];   /* a duplicate proposal must not duplicate the result */
	struct policy_verdict v = policy_narrow_selectors(&cfg, conf, n_conf, prop, 2, out, 16, &n_out);
	ck_assert_msg(v.reason == c->expect, "case %d: %s", _i, v.message);
	for (size_t i = 0; i < n_out; i++) {
		if (i)
			strcat(got, ", ");
		strcat(got, lg_prefix_format(&out[i], buf, sizeof(buf)));
	}
	ck_assert_msg(!strcmp(got, c->result), "case %d: got %s", _i, got);
}
END_TEST

START_TEST(narrow_truncates_to_max)
{
	static struct config cfg;
	struct lg_prefix conf, out[2];
	struct lg_range prop;
	size_t n;
	fixture_config(&cfg);
	fixture_prefix(&conf, "10.100.0.0/16");
	range_of(&prop, "10.100.0.1", "10.100.0.6");   /* needs 4 */
	struct policy_verdict v = policy_narrow_selectors(&cfg, &conf, 1, &prop, 1, out, 2, &n);
	ck_assert_int_eq(v.reason, POLICY_OK);
	ck_assert_uint_eq(n, 2);
}
END_TEST

/* ---- whole config, endpoint lookup, site-wide violations ---- */

START_TEST(check_config_collects_all)
{
	static struct config cfg;
	struct regiondb *db = fixture_db();
	struct policy_verdict v[16];
	int idx[16];

	fixture_config(&cfg);
	fixture_peer(&cfg, "beijing", "203.0.113.7", "CN", UP_INTERNET, NULL, NULL, "bj-gw.corp.example");
	fixture_peer(&cfg, "frankfurt-hq", "198.51.100.20", "DE", UP_INTERNET, NULL, "0.0.0.0/0, 8.8.8.0/24",
		     NULL);
	fixture_peer(&cfg, "hk-office", "192.0.2.10", "HK", UP_CTC, NULL, NULL, "hk-gw.corp.example");
	size_t n = policy_check_config(&cfg, db, v, 16, idx);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(v[0].reason, POLICY_CROSS_BORDER_NO_LICENSED_UPLINK);
	ck_assert_int_eq(v[1].reason, POLICY_SELECTOR_DEFAULT_ROUTE);
	ck_assert_int_eq(v[2].reason, POLICY_SELECTOR_OUTSIDE_INTERNAL);
	ck_assert(idx[0] == 1 && idx[1] == 1 && idx[2] == 1);
	ck_assert_msg(strstr(v[0].message, "frankfurt-hq") && strstr(v[0].message, "internet") &&
		      strstr(v[0].message, "CN") && strstr(v[0].message, "DE"), "%s", v[0].message);
	ck_assert_msg(strstr(v[1].message, "0.0.0.0/0"), "%s", v[1].message);
	ck_assert_msg(strstr(v[2].message, "8.8.8.0/24"), "%s", v[2].message);
	/* max bounds what is written, not what is counted */
	ck_assert_uint_eq(policy_check_config(&cfg, db, v, 1, idx), 3);
	ck_assert(policy_allowed(&(struct policy_verdict){ .reason = POLICY_OK }));
	/* Site: a default route in the internal space, an invalid region. */
	fixture_prefix(&cfg.site.internal[cfg.site.n_internal++], "0.0.0.0/0");
	snprintf(cfg.site.region, sizeof(cfg.site.region), "XX");
	n = policy_check_config(&cfg, db, v, 16, idx);
	ck_assert_int_eq(v[0].reason, POLICY_REGION_UNKNOWN);
	ck_assert_int_eq(v[1].reason, POLICY_SELECTOR_DEFAULT_ROUTE);
	ck_assert(idx[0] == -1 && idx[1] == -1);
	ck_assert_uint_ge(n, 5);   /* XX site: beijing (internet) is now cross-border too */
	ck_assert_int_eq(policy_check_peer_config(&cfg, NULL, db).reason, POLICY_UNKNOWN_PEER);
	regiondb_free(db);
}
END_TEST

START_TEST(peer_by_endpoint)
{
	static struct config cfg;
	union lg_sockaddr a;
	fixture_config(&cfg);
	fixture_peer(&cfg, "beijing", "203.0.113.7", "CN", UP_INTERNET, NULL, NULL, NULL);
	fixture_peer(&cfg, "hq6", "[2001:db8:d::7]:500", "DE", UP_CTC, NULL, NULL, NULL);
	ck_assert(!lg_sockaddr_parse("203.0.113.7:4500", 500, &a));   /* NAT-T port float */
	ck_assert_str_eq(policy_peer_by_endpoint(&cfg, &a)->name, "beijing");
	ck_assert(!lg_sockaddr_parse("[2001:db8:d::7]:4500", 500, &a));
	ck_assert_str_eq(policy_peer_by_endpoint(&cfg, &a)->name, "hq6");
	ck_assert(!lg_sockaddr_parse("203.0.113.8", 500, &a));
	ck_assert_ptr_null(policy_peer_by_endpoint(&cfg, &a));
	memset(&a, 0, sizeof(a));
	ck_assert_ptr_null(policy_peer_by_endpoint(&cfg, &a));
}
END_TEST

START_TEST(reason_names_stable)
{
	ck_assert_str_eq(policy_reason_name(POLICY_OK), "ok");
	ck_assert_str_eq(policy_reason_name(POLICY_CROSS_BORDER_NO_LICENSED_UPLINK),
			 "cross_border_no_licensed_uplink");
	ck_assert_str_eq(policy_reason_name(POLICY_REGION_UNKNOWN), "region_unknown");
	ck_assert_str_eq(policy_reason_name(POLICY_REASON_COUNT), "unknown");
	for (int i = 0; i < POLICY_REASON_COUNT; i++)
		for (int j = i + 1; j < POLICY_REASON_COUNT; j++)
			ck_assert_str_ne(policy_reason_name(i), policy_reason_name(j));
}
END_TEST

/* Every reason code is the expected verdict of at least one table case
 * (each case asserts it really gets that verdict). */
START_TEST(every_reason_covered)
{
	bool seen[POLICY_REASON_COUNT] = { false };
	for (size_t i = 0; i < sizeof(config_cases) / sizeof(config_cases[0]); i++)
		seen[config_cases[i].expect] = true;
	for (size_t i = 0; i < sizeof(runtime_cases) / sizeof(runtime_cases[0]); i++)
		seen[runtime_cases[i].expect] = true;
	for (size_t i = 0; i < sizeof(identity_cases) / sizeof(identity_cases[0]); i++)
		seen[identity_cases[i].expect] = true;
	for (size_t i = 0; i < sizeof(narrow_cases) / sizeof(narrow_cases[0]); i++)
		seen[narrow_cases[i].expect] = true;
	seen[POLICY_UNKNOWN_PEER] = true;   /* identity_binary_fqdn, check_config_collects_all */
	/* internal and public space: test_policy_space.c (space_table) */
	seen[POLICY_INTERNAL_SPACE_PUBLIC] = true;
	seen[POLICY_PUBLIC_SPACE_UNREGISTERED] = true;
	seen[POLICY_PUBLIC_SPACE_TOO_LARGE] = true;
	seen[POLICY_ICP_NO_RECORDAL] = true;   /* test_policy_icp.c (icp_table) */
	for (size_t i = 0; i < sizeof(shared_cases) / sizeof(shared_cases[0]); i++)
		if (shared_cases[i].expect)
			seen[POLICY_CIRCUIT_SHARED] = true;
	for (int r = 0; r < POLICY_REASON_COUNT; r++)
		ck_assert_msg(seen[r], "no table case expects %s", policy_reason_name(r));
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *t = tcase_create("decisions");
	tcase_add_loop_test(t, config_table, 0, N(config_cases));
	tcase_add_loop_test(t, region_table, 0, N(region_cases));
	tcase_add_test(t, cross_border_pairs);
	tcase_add_loop_test(t, runtime_table, 0, N(runtime_cases));
	tcase_add_loop_test(t, runtime_source, 0, N(source_cases));
	tcase_add_loop_test(t, circuit_shared_table, 0, N(shared_cases));
	tcase_add_loop_test(t, identity_table, 0, N(identity_cases));
	tcase_add_test(t, identity_binary_fqdn);
	tcase_add_loop_test(t, narrow_table, 0, N(narrow_cases));
	tcase_add_test(t, narrow_truncates_to_max);
	tcase_add_test(t, check_config_collects_all);
	tcase_add_test(t, peer_by_endpoint);
	tcase_add_test(t, reason_names_stable);
	tcase_add_test(t, every_reason_covered);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return lg_check_run(policy_suite());
}
