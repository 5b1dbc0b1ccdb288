/* The site, compliance, uplink and tunnel blocks: who we are, which circuits
 * we may use, and the tunnel device. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parser.h"

/* ---- site "name" { ... } ---- */

static void *site_open(struct parser *p, const struct value *name)
{
	if (conf_val_name(p, name, p->cfg->site.name, sizeof(p->cfg->site.name)))
		return NULL;
	p->cfg->site.at = (struct conf_at){ name->line, name->col };
	return &p->cfg->site;
}

static int site_region(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	((struct conf_site *)obj)->region_at = (struct conf_at){ v->line, v->col };
	return conf_val_region(p, v, ((struct conf_site *)obj)->region);
}

static int site_domain(struct parser *p, void *obj, const struct value *v, size_t n)
{
	struct conf_site *s = obj;
	struct conf_identity id;
	(void)n;
	if (conf_val_identity(p, v, &id))
		return -1;
	if (id.type != CONF_ID_FQDN || v->text[0] == '@') {
		conf_error(p, v->line, v->col, "invalid identity-domain '%.64s': expected a DNS domain "
			   "(e.g. corp.example)", v->text);
		return -1;
	}
	return conf_val_text(p, v, s->identity_domain, sizeof(s->identity_domain));
}

/* The O= every peer DN identity must carry (ID_DER_ASN1_DN): the
 * organisation rule for names that have no domain. */
static int site_org(struct parser *p, void *obj, const struct value *v, size_t n)
{
	struct conf_site *s = obj;
	uint8_t der[CONF_ID_MAX];
	char dn[CONF_TOKEN_MAX + 8];
	size_t len, off;
	const char *why;
	(void)n;
	snprintf(dn, sizeof(dn), "O=%s", v->text);
	if (!v->text[0] || strpbrk(v->text, ",+=\\/") ||
	    conf_dn_parse(dn, der, sizeof(der), &len, &off, &why)) {
		conf_error(p, v->line, v->col, "invalid identity-organisation '%.64s': expected the "
			   "organisation name of the peers' certificates (O=), e.g. \"Corp Ltd\"", v->text);
		return -1;
	}
	return conf_val_text(p, v, s->identity_org, sizeof(s->identity_org));
}

static int site_internal(struct parser *p, void *obj, const struct value *v, size_t n)
{
	struct conf_site *s = obj;
	struct conf_pos pos[CONF_MAX_PREFIXES];
	int rc = conf_val_prefixes(p, v, n, s->internal, &s->n_internal, pos);
	for (size_t i = 0; i < s->n_internal && i < CONF_MAX_PREFIXES; i++)
		s->internal_at[i] = (struct conf_at){ pos[i].line, pos[i].col };
	return rc;
}

static int site_public(struct parser *p, void *obj, const struct value *v, size_t n)
{
	struct conf_site *s = obj;
	struct conf_pos pos[CONF_MAX_PUBLIC];
	int rc = conf_val_prefixes(p, v, n, s->public_space, &s->n_public_space, pos);
	for (size_t i = 0; i < s->n_public_space && i < CONF_MAX_PUBLIC; i++)
		s->public_space_at[i] = (struct conf_at){ pos[i].line, pos[i].col };
	return rc;
}

static int site_registration(struct parser *p, void *obj, const struct value *v, size_t n)
{
	struct conf_site *s = obj;
	(void)n;
	s->public_registration_at = (struct conf_at){ v->line, v->col };
	return conf_val_text(p, v, s->public_registration, sizeof(s->public_registration));
}

static int site_allow(struct parser *p, void *obj, const struct value *v, size_t n)
{
	struct conf_site *s = obj;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (conf_val_identity(p, &v[i], &s->allowed_ids[s->n_allowed_ids]))
			rc = -1;
		else
			s->n_allowed_ids++;
	}
	return rc;
}

/* An ICP recordal number as MIIT issues it: "京ICP备12345678号-1" for a
 * recordal (备案), "京ICP证000000号" for a commercial licence (证). */
static bool icp_number_like(const char *s)
{
	const char *m = strstr(s, "ICP\xe5\xa4\x87");   /* ICP备 */
	if (!m)
		m = strstr(s, "ICP\xe8\xaf\x81");       /* ICP证 */
	return m && isdigit((unsigned char)m[6]);
}

static int icp_port(struct parser *p, const struct value *v, const struct conf_site *s, uint16_t *out)
{
	uint64_t x = 0;
	bool num = v->text[0] && strspn(v->text, "0123456789") == strlen(v->text) && strlen(v->text) < 6;
	if (num)
		x = strtoull(v->text, NULL, 10);
	if (!num || (x != 80 && x != 8080 && x != 443)) {
		conf_error(p, v->line, v->col, "invalid ICP port '%.64s': expected 80, 8080 or 443 "
			   "(the web ports an ICP recordal covers)", v->text);
		return -1;
	}
	for (size_t i = 0; i < s->n_icp; i++) {
		if (s->icp[i].port == x) {
			conf_error(p, v->line, v->col, "duplicate ICP port %u (first at %d:%d)",
				   (unsigned)x, s->icp[i].at.line, s->icp[i].at.col);
			return -1;
		}
	}
	*out = (uint16_t)x;
	return 0;
}

/* icp-recordal PORT, "NUMBER"[, PORT, "NUMBER" ...]: pairs, one per port. */
static int site_icp(struct parser *p, void *obj, const struct value *v, size_t n)
{
	struct conf_site *s = obj;
	int rc = 0;
	for (size_t i = 0; i < n; i += 2) {
		struct conf_icp e = { .at = { v[i].line, v[i].col } };
		if (icp_port(p, &v[i], s, &e.port)) {
			rc = -1;
			continue;
		}
		if (i + 1 == n) {
			conf_error(p, v[i].line, v[i].col, "ICP port %u has no recordal number: expected "
				   "port, \"number\" pairs (icp-recordal 443, \"京ICP备12345678号-1\")",
				   e.port);
			return -1;
		}
		if (conf_val_text(p, &v[i + 1], e.recordal, sizeof(e.recordal))) {
			rc = -1;
			continue;
		}
		if (!icp_number_like(e.recordal)) {
			conf_error(p, v[i + 1].line, v[i + 1].col, "invalid ICP recordal '%.64s': expected "
				   "a number such as \"京ICP备12345678号-1\" or \"京ICP证000000号\"",
				   e.recordal);
			rc = -1;
			continue;
		}
		if (s->n_icp < CONF_MAX_ICP)
			s->icp[s->n_icp++] = e;
	}
	return rc;
}

static const struct key_def site_keys[] = {
	{ "region", 1, 1, true, site_region },
	{ "identity-domain", 1, 1, false, site_domain },
	{ "identity-organisation", 1, 1, false, site_org },
	{ "internal-space", 1, CONF_MAX_PREFIXES, true, site_internal },
	{ "allow-identity", 1, CONF_MAX_IDENTITIES, false, site_allow },
	{ "public-space", 1, CONF_MAX_PUBLIC, false, site_public },
	{ "public-space-registration", 1, 1, false, site_registration },
	{ "icp-recordal", 2, 2 * CONF_MAX_ICP, false, site_icp },
	{ NULL, 0, 0, false, NULL },
};

const struct block_def conf_block_site = { "site", true, false, site_keys, site_open, NULL, false };

/* ---- compliance { ... } ---- */

static void *compliance_open(struct parser *p, const struct value *name)
{
	(void)name;
	return &p->cfg->compliance;
}

static int compliance_carriers(struct parser *p, void *obj, const struct value *v, size_t n)
{
	struct conf_compliance *c = obj;
	int rc = 0;
	c->n_carriers = 0;
	for (size_t i = 0; i < n; i++) {
		if (conf_val_name(p, &v[i], c->carriers[c->n_carriers], CONF_NAME_MAX))
			rc = -1;
		else
			c->n_carriers++;
	}
	return rc;
}

static int compliance_regiondb(struct parser *p, void *obj, const struct value *v, size_t n)
{
	struct conf_compliance *c = obj;
	(void)n;
	return conf_val_path(p, v, c->region_db, sizeof(c->region_db));
}

static const struct key_def compliance_keys[] = {
	{ "licensed-carriers", 1, CONF_MAX_CARRIERS, false, compliance_carriers },
	{ "region-db", 1, 1, false, compliance_regiondb },
	{ NULL, 0, 0, false, NULL },
};

const struct block_def conf_block_compliance = { "compliance", false, false, compliance_keys,
						 compliance_open, NULL, false };

/* ---- uplink "name" { ... } ---- */

static void *uplink_open(struct parser *p, const struct value *name)
{
	struct config *cfg = p->cfg;
	char n[CONF_NAME_MAX];
	if (conf_val_name(p, name, n, sizeof(n)))
		return NULL;
	int prev = config_find_uplink(cfg, n);
	if (prev >= 0) {
		char w[128];
		conf_error(p, name->line, name->col, "duplicate uplink '%s' (first defined at %s)",
			   n, conf_where(p, cfg->uplinks[prev].line, w, sizeof(w)));
		return NULL;
	}
	if (cfg->n_uplinks == CONF_MAX_UPLINKS) {
		conf_error(p, name->line, name->col, "too many uplinks: expected at most %d",
			   CONF_MAX_UPLINKS);
		return NULL;
	}
	struct conf_uplink *u = &cfg->uplinks[cfg->n_uplinks++];
	memcpy(u->name, n, sizeof(n));
	u->line = p->blk_pos.line;
	u->at = (struct conf_at){ name->line, name->col };
	return u;
}

static int uplink_interface(struct parser *p, void *obj, const struct value *v, size_t n)
{
	struct conf_uplink *u = obj;
	(void)n;
	u->interface_at = (struct conf_at){ v->line, v->col };
	return conf_val_ifname(p, v, u->ifname);
}

static int uplink_carrier(struct parser *p, void *obj, const struct value *v, size_t n)
{
	struct conf_uplink *u = obj;
	(void)n;
	u->carrier_at = (struct conf_at){ v->line, v->col };
	return conf_val_text(p, v, u->carrier, sizeof(u->carrier));
}

static int uplink_circuit(struct parser *p, void *obj, const struct value *v, size_t n)
{
	struct conf_uplink *u = obj;
	(void)n;
	u->circuit_at = (struct conf_at){ v->line, v->col };
	return conf_val_text(p, v, u->circuit_id, sizeof(u->circuit_id));
}

/* The circuit's paperwork, for the assessor report: the lease contract and
 * the carrier's MIIT operating licence (e.g. "A1.A2-20090001"). Stated, not
 * checked against any registry. */
static int uplink_contract(struct parser *p, void *obj, const struct value *v, size_t n)
{
	struct conf_uplink *u = obj;
	(void)n;
	u->contract_at = (struct conf_at){ v->line, v->col };
	return conf_val_text(p, v, u->contract, sizeof(u->contract));
}

static int uplink_carrier_licence(struct parser *p, void *obj, const struct value *v, size_t n)
{
	struct conf_uplink *u = obj;
	(void)n;
	u->carrier_licence_at = (struct conf_at){ v->line, v->col };
	return conf_val_text(p, v, u->carrier_licence, sizeof(u->carrier_licence));
}

/* Paperwork on an uplink that is not a licensed circuit would put a
 * contract number beside the Internet uplink in the report. */
static void uplink_close(struct parser *p, void *obj)
{
	const struct conf_uplink *u = obj;
	if (u->licensed)
		return;
	if (u->contract[0])
		conf_error(p, u->contract_at.line, u->contract_at.col,
			   "contract-number is for a licensed circuit: uplink \"%s\" is not `licensed yes`", u->name);
	if (u->carrier_licence[0])
		conf_error(p, u->carrier_licence_at.line, u->carrier_licence_at.col,
			   "carrier-licence is for a licensed circuit: uplink \"%s\" is not `licensed yes`", u->name);
}

static int uplink_licensed(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	((struct conf_uplink *)obj)->licensed_at = (struct conf_at){ v->line, v->col };
	return conf_val_bool(p, v, &((struct conf_uplink *)obj)->licensed);
}

static int uplink_source(struct parser *p, void *obj, const struct value *v, size_t n)
{
	struct conf_uplink *u = obj;
	(void)n;
	u->source_at = (struct conf_at){ v->line, v->col };
	return conf_val_address(p, v, &u->source);
}

static const struct key_def uplink_keys[] = {
	{ "interface", 1, 1, true, uplink_interface },
	{ "carrier", 1, 1, false, uplink_carrier },
	{ "circuit-id", 1, 1, false, uplink_circuit },
	{ "licensed", 1, 1, false, uplink_licensed },
	{ "contract-number", 1, 1, false, uplink_contract },
	{ "carrier-licence", 1, 1, false, uplink_carrier_licence },
	{ "source", 1, 1, false, uplink_source },
	{ NULL, 0, 0, false, NULL },
};

const struct block_def conf_block_uplink = { "uplink", true, true, uplink_keys, uplink_open, uplink_close,
					     false };

/* ---- tunnel { ... } ---- */

static void *tunnel_open(struct parser *p, const struct value *name)
{
	(void)name;
	return &p->cfg->tunnel;
}

static int tunnel_device(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	return conf_val_ifname(p, v, ((struct conf_tunnel *)obj)->ifname);
}

static int tunnel_address(struct parser *p, void *obj, const struct value *v, size_t n)
{
	struct conf_tunnel *t = obj;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (conf_val_ifaddr(p, &v[i], &t->addrs[t->n_addrs]))
			rc = -1;
		else
			t->n_addrs++;
	}
	return rc;
}

static int tunnel_mtu(struct parser *p, void *obj, const struct value *v, size_t n)
{
	uint64_t x;
	(void)n;
	if (conf_val_uint(p, v, 576, 9000, &x))
		return -1;
	((struct conf_tunnel *)obj)->mtu = (uint16_t)x;
	return 0;
}

/* How many ESP packets one UDP GSO send carries to one peer: the kernel
 * takes up to 64, but a peer that reads one datagram at a time (strongSwan's
 * libipsec) gets them queued at once and drops what its buffer cannot hold. */
static int tunnel_gso_segments(struct parser *p, void *obj, const struct value *v, size_t n)
{
	uint64_t x;
	(void)n;
	if (conf_val_uint(p, v, 1, 64, &x))
		return -1;
	((struct conf_tunnel *)obj)->gso_segments = (uint16_t)x;
	return 0;
}

/* The rate in Mbit/s at which one worker's sends toward one peer are
 * spaced (0: not paced): a GSO burst waits until the previous ones can have
 * drained at that rate (src/net/pace.c). */
static int tunnel_pace_rate(struct parser *p, void *obj, const struct value *v, size_t n)
{
	uint64_t x;
	(void)n;
	if (conf_val_uint(p, v, 0, 100000, &x))
		return -1;
	if (x && x < 10) {
		conf_error(p, v->line, v->col, "pace-rate %llu too low: expected 0 (off) or 10 to 100000 Mbit/s",
			   (unsigned long long)x);
		return -1;
	}
	((struct conf_tunnel *)obj)->pace_mbit = (uint32_t)x;
	return 0;
}

/* RFC 8200 §5: an IPv6 link needs an MTU of at least 1280. */
static void tunnel_close(struct parser *p, void *obj)
{
	struct conf_tunnel *t = obj;
	struct conf_pos mtu = parser_key_pos(p, "mtu");
	if (!mtu.line || t->mtu >= 1280)
		return;
	for (size_t i = 0; i < t->n_addrs; i++) {
		if (t->addrs[i].family == AF_INET6) {
			conf_error(p, mtu.line, mtu.col,
				   "mtu %u too small for an IPv6 address: expected at least 1280",
				   t->mtu);
			return;
		}
	}
}

static const struct key_def tunnel_keys[] = {
	{ "device", 1, 1, false, tunnel_device },
	{ "address", 1, CONF_MAX_TUN_ADDRS, false, tunnel_address },
	{ "mtu", 1, 1, false, tunnel_mtu },
	{ "gso-segments", 1, 1, false, tunnel_gso_segments },
	{ "pace-rate", 1, 1, false, tunnel_pace_rate },
	{ NULL, 0, 0, false, NULL },
};

const struct block_def conf_block_tunnel = { "tunnel", false, false, tunnel_keys, tunnel_open,
					     tunnel_close, false };
