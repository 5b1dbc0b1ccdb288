/* Test fixture for the policy suites: a config snapshot built by hand (so the
 * policy tests do not depend on the config parser) and a small region
 * database over the documentation prefixes. */
#pragma once
#include <check.h>
#include <string.h>
#include "linegate/conf.h"
#include "linegate/log.h"
#include "linegate/policy.h"

enum {
	UP_INTERNET = 0,   /* eth0, untagged */
	UP_CTC,            /* eth1, china-telecom, circuit CTC-IPLC-SH-0042, licensed */
	UP_ACME,           /* eth2, acme-net (not on the list), circuit, licensed */
	UP_CU_NOCIRCUIT,   /* eth3, china-unicom, licensed, no circuit id */
	UP_CM_UNTAGGED,    /* eth4, china-mobile with circuit, NOT tagged licensed */
	UP_COUNT
};

static const char fixture_regions[] =
	"# test database (documentation prefixes)\n"
	"203.0.113.0/24 CN\n"
	"198.51.100.0/24 DE\n"
	"198.51.100.128/25 US   # nested: longest prefix wins\n"
	"192.0.2.0/24 HK\n"
	"192.0.2.64/26 MO\n"
	"192.0.2.128/26 TW\n"
	"2001:db8::/32 JP\n"
	"2001:db8:c::/48 CN\n"
	"2001:db8:d::/48 DE\n";

static inline void fixture_prefix(struct lg_prefix *p, const char *s)
{
	ck_assert_msg(lg_prefix_parse(s, p) == 0, "bad prefix in test: %s", s);
}

/* "a, b, c" -> prefixes */
static inline size_t fixture_prefixes(struct lg_prefix *out, size_t max, const char *list)
{
	char buf[512], *save = NULL;
	size_t n = 0;
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *t = strtok_r(buf, ", ", &save); t && n < max; t = strtok_r(NULL, ", ", &save))
		fixture_prefix(&out[n++], t);
	return n;
}

/* "fqdn", "keyid:hex", an address; "" = none. */
static inline void fixture_identity(struct conf_identity *id, const char *s)
{
	int family;
	uint8_t a[16];
	memset(id, 0, sizeof(*id));
	if (!s[0])
		return;
	if (!strncmp(s, "keyid:", 6)) {
		long n = lg_unhex_any(s + 6, id->data, sizeof(id->data));
		ck_assert(n > 0);
		id->type = CONF_ID_KEY_ID;
		id->len = (uint8_t)n;
	} else if (!lg_addr_parse(s, &family, a)) {
		id->type = family == AF_INET ? CONF_ID_IPV4_ADDR : CONF_ID_IPV6_ADDR;
		id->len = family == AF_INET ? 4 : 16;
		memcpy(id->data, a, id->len);
	} else {
		id->type = CONF_ID_FQDN;
		id->len = (uint8_t)strlen(s);
		memcpy(id->data, s, id->len);
	}
}

static inline void fixture_uplink(struct config *cfg, const char *name, const char *ifname,
				  const char *carrier, const char *circuit, bool licensed)
{
	struct conf_uplink *u = &cfg->uplinks[cfg->n_uplinks++];
	snprintf(u->name, sizeof(u->name), "%s", name);
	snprintf(u->ifname, sizeof(u->ifname), "%s", ifname);
	snprintf(u->carrier, sizeof(u->carrier), "%s", carrier);
	snprintf(u->circuit_id, sizeof(u->circuit_id), "%s", circuit);
	u->licensed = licensed;
}

/* Adds a peer; NULL subnets / remote id take the defaults. */
static inline struct conf_peer *fixture_peer(struct config *cfg, const char *name, const char *endpoint,
					     const char *region, int uplink, const char *local,
					     const char *remote, const char *remote_id)
{
	struct conf_peer *p = config_add_peer(cfg);
	ck_assert_ptr_nonnull(p);
	snprintf(p->name, sizeof(p->name), "%s", name);
	ck_assert_msg(lg_sockaddr_parse(endpoint, 500, &p->endpoint) == 0, "endpoint %s", endpoint);
	snprintf(p->region, sizeof(p->region), "%s", region);
	p->uplink = uplink;
	fixture_identity(&p->local_id, "sh-gw.corp.example");
	fixture_identity(&p->remote_id, remote_id ? remote_id : "hq-gw.corp.example");
	p->n_local_ts = fixture_prefixes(p->local_ts, CONF_MAX_TS, local ? local : "10.1.0.0/16");
	p->n_remote_ts = fixture_prefixes(p->remote_ts, CONF_MAX_TS, remote ? remote : "10.100.0.0/16");
	return p;
}

static inline void fixture_config(struct config *cfg)
{
	conf_release(cfg);   /* the previous case's peers */
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->site.name, sizeof(cfg->site.name), "shanghai-branch");
	snprintf(cfg->site.region, sizeof(cfg->site.region), "CN");
	snprintf(cfg->site.identity_domain, sizeof(cfg->site.identity_domain), "corp.example");
	cfg->site.n_internal = fixture_prefixes(cfg->site.internal, CONF_MAX_PREFIXES,
						"10.0.0.0/8, 172.16.0.0/12, fd00:1234::/32");
	fixture_identity(&cfg->site.allowed_ids[cfg->site.n_allowed_ids++], "hq-gw.corp-partner.example");
	fixture_identity(&cfg->site.allowed_ids[cfg->site.n_allowed_ids++], "keyid:a1b2c3");
	fixture_identity(&cfg->site.allowed_ids[cfg->site.n_allowed_ids++], "198.51.100.99");
	const char *carriers[] = { "china-telecom", "china-unicom", "china-mobile" };
	for (size_t i = 0; i < 3; i++)
		snprintf(cfg->compliance.carriers[cfg->compliance.n_carriers++], CONF_NAME_MAX, "%s", carriers[i]);
	fixture_uplink(cfg, "internet", "eth0", "", "", false);
	fixture_uplink(cfg, "ctc-circuit", "eth1", "china-telecom", "CTC-IPLC-SH-0042", true);
	fixture_uplink(cfg, "acme", "eth2", "acme-net", "ACME-7", true);
	fixture_uplink(cfg, "cu-nocircuit", "eth3", "china-unicom", "", true);
	fixture_uplink(cfg, "cm-untagged", "eth4", "china-mobile", "CM-9", false);
}

static inline struct regiondb *fixture_db(void)
{
	struct regiondb *db = NULL;
	char err[256];
	ck_assert_msg(regiondb_parse("fixture", fixture_regions, strlen(fixture_regions), &db, err,
				     sizeof(err)) == 0, "%s", err);
	return db;
}
