/* The guardrails of the law table (docs/compliance.md): a cross-border peer
 * only over a licensed carrier circuit, and fail closed when that circuit or
 * its route is gone; internal-only use (selectors inside the internal address
 * space, no default route); peer identities of the organisation. Pure
 * functions of the config snapshot and the facts handed in. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "policy_internal.h"

const struct conf_uplink *policy_peer_uplink(const struct config *cfg, const struct conf_peer *peer)
{
	if (peer->uplink < 0 || (size_t)peer->uplink >= cfg->n_uplinks)
		return NULL;
	return &cfg->uplinks[peer->uplink];
}

bool policy_carrier_licensed(const struct config *cfg, const char *carrier)
{
	if (!carrier[0])
		return false;
	for (size_t i = 0; i < cfg->compliance.n_carriers && i < CONF_MAX_CARRIERS; i++)
		if (!strcasecmp(cfg->compliance.carriers[i], carrier))
			return true;
	return false;
}

static bool text_blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t')
			return false;
	return true;
}

/* A cross-border peer's uplink must be a licensed carrier circuit: tagged,
 * carrier on the list, circuit id named (it is what the carrier contract and
 * the regulator refer to). */
static struct conf_at first_at(struct conf_at a, struct conf_at b)
{
	return a.line > 0 ? a : b;
}

/* When the database, not the declaration, made the peer cross-border the
 * refusal says so: "declared CN, database DE for prefix P, stricter wins". */
static const char *region_clause(const struct policy_region *r, char *out, size_t n)
{
	char pfx[LG_ADDRSTRLEN];
	if (r->mismatch && r->database[0] && !strcmp(r->effective, r->database))
		snprintf(out, n, "; declared %s, database %s for prefix %s, stricter wins", r->declared,
			 r->database, lg_prefix_format(&r->db_prefix, pfx, sizeof(pfx)));
	else
		out[0] = '\0';
	return out;
}

static bool check_uplink(const struct config *cfg, const struct conf_peer *peer,
			 const struct policy_region *r, struct policy_verdict *v)
{
	const struct conf_uplink *u = policy_peer_uplink(cfg, peer);
	char why[128];
	if (!r->cross_border)
		return true;
	region_clause(r, why, sizeof(why));
	if (!u || !u->licensed) {
		verdict_set(v, POLICY_CROSS_BORDER_NO_LICENSED_UPLINK,
			    "peer \"%s\" is cross-border (site %s, peer %s%s) but uplink \"%s\"%s%s%s is not a "
			    "licensed carrier circuit: a self-built cross-border VPN is prohibited",
			    peer->name, cfg->site.region, r->effective, why, u ? u->name : "(none)",
			    u ? " (" : "", u ? u->ifname : "", u ? ")" : "");
		v->at = first_at(peer->uplink_at, first_at(peer->region_at, peer->at));
		return false;
	}
	if (!policy_carrier_licensed(cfg, u->carrier)) {
		verdict_set(v, POLICY_CARRIER_NOT_LICENSED,
			    "peer \"%s\" is cross-border (site %s, peer %s%s) but carrier \"%s\" of uplink \"%s\" "
			    "is not on the licensed-carrier list",
			    peer->name, cfg->site.region, r->effective, why, u->carrier, u->name);
		v->at = first_at(u->carrier_at, first_at(u->licensed_at, u->at));
		return false;
	}
	if (text_blank(u->circuit_id)) {
		verdict_set(v, POLICY_CIRCUIT_ID_MISSING,
			    "peer \"%s\" is cross-border (site %s, peer %s%s) but licensed uplink \"%s\" "
			    "(carrier %s) names no circuit id",
			    peer->name, cfg->site.region, r->effective, why, u->name, u->carrier);
		v->at = first_at(u->circuit_at, first_at(u->licensed_at, u->at));
		return false;
	}
	return true;
}

static size_t check_selectors(const struct config *cfg, const struct conf_peer *peer, const char *side,
			      const struct lg_prefix *ts, const struct conf_at *at, size_t n,
			      policy_violation_fn fn, void *ctx)
{
	return policy_selector_violations(cfg, "peer", peer->name, side, ts, at, n, peer->at, fn, ctx);
}

static size_t check_region(const struct conf_peer *peer, policy_violation_fn fn, void *ctx)
{
	struct policy_verdict v;
	if (policy_region_valid(peer->region))
		return 0;
	verdict_set(&v, POLICY_REGION_UNKNOWN,
		    "peer \"%s\" declares region \"%.8s\", which is not an ISO 3166-1 alpha-2 code",
		    peer->name, peer->region);
	v.at = first_at(peer->region_at, peer->at);
	fn(ctx, &v);
	return 1;
}

/* A template's "*.domain" belongs when its domain does: every identity it
 * matches is one label below it. */
static bool remote_id_in_org(const struct config *cfg, const struct conf_peer *peer)
{
	struct conf_identity d = peer->remote_id;

	if (peer->is_template && d.type == CONF_ID_FQDN && d.len > 2 && !memcmp(d.data, "*.", 2)) {
		d.len = (uint8_t)(d.len - 2);
		memmove(d.data, d.data + 2, d.len);
	}
	return policy_identity_in_org(cfg, &d);
}

static size_t check_remote_id(const struct config *cfg, const struct conf_peer *peer,
			      policy_violation_fn fn, void *ctx)
{
	struct policy_verdict v;
	char id[128];
	if (peer->remote_id.type == CONF_ID_NONE) {
		verdict_set(&v, POLICY_IDENTITY_MISMATCH,
			    "peer \"%s\" has no remote-id: any identity would be accepted", peer->name);
	} else if (!remote_id_in_org(cfg, peer)) {
		verdict_set(&v, POLICY_IDENTITY_FOREIGN,
			    "peer \"%s\" remote-id \"%s\" is not of the organisation (not in identity domain "
			    "\"%s\" nor on the allow-list)", peer->name,
			    policy_identity_format(&peer->remote_id, id, sizeof(id)), cfg->site.identity_domain);
	} else {
		return 0;
	}
	v.at = first_at(peer->remote_id_at, peer->at);
	fn(ctx, &v);
	return 1;
}

size_t policy_peer_violations(const struct config *cfg, const struct conf_peer *peer,
			      const struct regiondb *db, policy_violation_fn fn, void *ctx)
{
	struct policy_region r;
	struct policy_verdict v;
	size_t n = check_region(peer, fn, ctx);

	policy_peer_region(cfg, peer, db, &r);
	if (!check_uplink(cfg, peer, &r, &v)) {
		fn(ctx, &v);
		n++;
	}
	n += check_selectors(cfg, peer, "local", peer->local_ts, peer->local_ts_at, peer->n_local_ts, fn, ctx);
	n += check_selectors(cfg, peer, "remote", peer->remote_ts, peer->remote_ts_at, peer->n_remote_ts,
			     fn, ctx);
	n += check_remote_id(cfg, peer, fn, ctx);
	return n;
}

size_t policy_site_violations(const struct config *cfg, policy_violation_fn fn, void *ctx)
{
	struct policy_verdict v;
	size_t n = 0;
	if (!policy_region_valid(cfg->site.region)) {
		verdict_set(&v, POLICY_REGION_UNKNOWN,
			    "site \"%s\" declares region \"%.8s\", which is not an ISO 3166-1 alpha-2 code: "
			    "every peer counts as cross-border", cfg->site.name, cfg->site.region);
		v.at = first_at(cfg->site.region_at, cfg->site.at);
		fn(ctx, &v);
		n++;
	}
	for (size_t i = 0; i < cfg->site.n_internal && i < CONF_MAX_PREFIXES; i++) {
		char buf[LG_ADDRSTRLEN];
		if (cfg->site.internal[i].len)
			continue;
		verdict_set(&v, POLICY_SELECTOR_DEFAULT_ROUTE,
			    "site \"%s\" internal-space %s would declare the whole Internet internal",
			    cfg->site.name, lg_prefix_format(&cfg->site.internal[i], buf, sizeof(buf)));
		v.at = first_at(cfg->site.internal_at[i], cfg->site.at);
		fn(ctx, &v);
		n++;
	}
	n += policy_circuit_violations(cfg, fn, ctx);
	return n + policy_space_violations(cfg, fn, ctx);
}

struct first_ctx {
	struct policy_verdict v;
	bool set;
};

static void keep_first(void *ctx, const struct policy_verdict *v)
{
	struct first_ctx *f = ctx;
	if (!f->set)
		f->v = *v;
	f->set = true;
}

struct policy_verdict policy_check_peer_config(const struct config *cfg, const struct conf_peer *peer,
					       const struct regiondb *db)
{
	struct first_ctx f = { .set = false };
	if (!peer) {
		verdict_set(&f.v, POLICY_UNKNOWN_PEER, "no such peer in the configuration");
		return f.v;
	}
	policy_site_violations(cfg, keep_first, &f);
	policy_peer_violations(cfg, peer, db, keep_first, &f);
	if (!f.set)
		verdict_ok(&f.v);
	return f.v;
}

struct collect_ctx {
	struct policy_verdict *out;
	int *peer_index;
	size_t max, n;
	int current;
};

static void collect(void *ctx, const struct policy_verdict *v)
{
	struct collect_ctx *c = ctx;
	if (c->n < c->max) {
		c->out[c->n] = *v;
		if (c->peer_index)
			c->peer_index[c->n] = c->current;
	}
	c->n++;
}

size_t policy_check_config(const struct config *cfg, const struct regiondb *db,
			   struct policy_verdict *out, size_t max, int *peer_index)
{
	struct collect_ctx c = { .out = out, .peer_index = peer_index, .max = max, .current = -1 };
	policy_site_violations(cfg, collect, &c);
	for (size_t i = 0; i < cfg->n_peers; i++) {
		c.current = (int)i;
		policy_peer_violations(cfg, &cfg->peers[i], db, collect, &c);
	}
	for (size_t i = 0; i < cfg->n_static_sas; i++) {
		struct conf_peer view;
		policy_static_sa_view(&cfg->static_sas[i], &view);
		c.current = (int)(cfg->n_peers + i);
		policy_static_sa_violations(cfg, &view, db, collect, &c);
	}
	return c.n;
}
