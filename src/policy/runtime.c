/* Run-time guardrails: facts the daemon gathers (link state, route lookup,
 * the interface an IKE packet arrived on, proposed selectors) checked before
 * a tunnel comes up and while it runs. A cross-border peer fails closed: no
 * circuit, no route through it, or IKE through another interface = no tunnel,
 * never a fallback over the Internet uplink. */
#include <stdio.h>
#include <string.h>
#include "policy_internal.h"

static void link_desc(const struct conf_uplink *u, char *out, size_t n)
{
	const char *carrier = u->carrier[0] ? u->carrier : "untagged";
	const char *circuit = u->circuit_id[0] ? u->circuit_id : "-";
	snprintf(out, n, "uplink \"%.*s\" (%.16s, %.*s circuit %.*s)", lg_utf8_clip(u->name, 48), u->name,
		 u->ifname, lg_utf8_clip(carrier, 48), carrier, lg_utf8_clip(circuit, 48), circuit);
}

static bool same_addr(const union lg_sockaddr *a, const union lg_sockaddr *b)
{
	int f = a->sa.sa_family;
	return f == b->sa.sa_family && (f == AF_INET || f == AF_INET6) &&
	       !memcmp(lg_sockaddr_addr(a), lg_sockaddr_addr(b), lg_family_addr_len(f));
}

/* A template's branches have no address of their own to route by: the
 * uplink the template names is where they must arrive, domestic or not
 * (an Internet uplink's template is not answered on the licensed circuit). */
static bool dynamic_ingress_wrong(const struct config *cfg, const struct conf_peer *peer,
				  const struct policy_link_facts *facts, struct policy_verdict *v)
{
	char link[200], ep[LG_ADDRSTRLEN] = "?";

	if ((!peer->is_template && !peer->template_name[0]) || !facts->ingress_ifname[0] ||
	    peer->uplink < 0 || (size_t)peer->uplink >= cfg->n_uplinks)
		return false;
	const struct conf_uplink *u = &cfg->uplinks[peer->uplink];
	if (!strncmp(facts->ingress_ifname, u->ifname, IF_NAMESIZE))
		return false;
	if (peer->endpoint.sa.sa_family != AF_UNSPEC)
		lg_addr_format(peer->endpoint.sa.sa_family, lg_sockaddr_addr(&peer->endpoint), ep,
			       sizeof(ep));
	link_desc(u, link, sizeof(link));
	verdict_set(v, POLICY_INGRESS_MISMATCH, "IKE for template peer \"%s\" from %s arrived on %.*s, "
		    "not on %s", peer->name, ep, IF_NAMESIZE, facts->ingress_ifname, link);
	return true;
}

struct policy_verdict policy_check_peer_runtime(const struct config *cfg, const struct conf_peer *peer,
						const struct regiondb *db,
						const struct policy_link_facts *facts)
{
	struct policy_verdict v = policy_check_peer_config(cfg, peer, db);
	struct policy_region r;
	char ep[LG_ADDRSTRLEN], link[200];

	if (!policy_allowed(&v))
		return v;
	policy_peer_region(cfg, peer, db, &r);
	if (dynamic_ingress_wrong(cfg, peer, facts, &v))
		return v;
	if (!r.cross_border)
		return v;   /* domestic: routing is the operator's business */
	/* check_peer_config passed, so the uplink exists and is licensed. */
	const struct conf_uplink *u = policy_peer_uplink(cfg, peer);
	lg_addr_format(peer->endpoint.sa.sa_family, lg_sockaddr_addr(&peer->endpoint), ep, sizeof(ep));
	link_desc(u, link, sizeof(link));
	if (!facts->uplink_up) {
		verdict_set(&v, POLICY_UPLINK_DOWN,
			    "%s of cross-border peer \"%s\" (%s) is down: tunnel kept down, no fallback to another uplink",
			    link, peer->name, r.effective);
	} else if (strncmp(facts->egress_ifname, u->ifname, IF_NAMESIZE) != 0) {
		verdict_set(&v, POLICY_EGRESS_MISMATCH,
			    "route to cross-border peer \"%s\" (%s) leaves by %s, not by %s",
			    peer->name, ep, facts->egress_ifname[0] ? facts->egress_ifname : "no interface (no route)",
			    link);
	} else if (u->source.sa.sa_family != AF_UNSPEC && !same_addr(&u->source, &facts->egress_source)) {
		char src[LG_ADDRSTRLEN] = "no source address", want[LG_ADDRSTRLEN];
		if (facts->egress_source.sa.sa_family != AF_UNSPEC)
			lg_addr_format(facts->egress_source.sa.sa_family,
				       lg_sockaddr_addr(&facts->egress_source), src, sizeof(src));
		lg_addr_format(u->source.sa.sa_family, lg_sockaddr_addr(&u->source), want, sizeof(want));
		verdict_set(&v, POLICY_EGRESS_MISMATCH,
			    "route to cross-border peer \"%s\" (%s) leaves by %.16s from %s, not from source %s of %s",
			    peer->name, ep, facts->egress_ifname, src, want, link);
	} else if (facts->ingress_ifname[0] && strncmp(facts->ingress_ifname, u->ifname, IF_NAMESIZE) != 0) {
		verdict_set(&v, POLICY_INGRESS_MISMATCH,
			    "IKE from cross-border peer \"%s\" (%s) arrived on %.*s, not on %s",
			    peer->name, ep, IF_NAMESIZE, facts->ingress_ifname, link);
	}
	return v;
}

/* Appends p unless an emitted prefix already covers it. */
static void add_unique(const struct config *cfg, const struct lg_prefix *p, struct lg_prefix *out,
		       size_t max_out, size_t *n_out)
{
	if (!policy_prefix_internal(cfg, p))
		return;   /* defence in depth: configured subnets were checked already */
	for (size_t i = 0; i < *n_out; i++)
		if (lg_prefix_within(p, &out[i]))
			return;
	if (*n_out < max_out)
		out[(*n_out)++] = *p;
}

struct policy_verdict policy_narrow_selectors(const struct config *cfg,
					      const struct lg_prefix *configured, size_t n_configured,
					      const struct lg_range *proposed, size_t n_proposed,
					      struct lg_prefix *out, size_t max_out, size_t *n_out)
{
	struct policy_verdict v;
	*n_out = 0;
	for (size_t i = 0; i < n_proposed; i++) {
		for (size_t j = 0; j < n_configured; j++) {
			struct lg_range cr, x;
			struct lg_prefix parts[256];
			if (configured[j].len == 0)
				continue;   /* never narrow to a default route */
			lg_prefix_to_range(&configured[j], &cr);
			if (!lg_range_intersect(&proposed[i], &cr, &x))
				continue;
			size_t n = lg_range_to_prefixes(&x, parts, 256);
			for (size_t k = 0; k < n && k < 256; k++)
				add_unique(cfg, &parts[k], out, max_out, n_out);
		}
	}
	if (*n_out == 0) {
		char a[LG_ADDRSTRLEN] = "-", b[LG_ADDRSTRLEN] = "-";
		if (n_proposed) {
			lg_addr_format(proposed[0].family, proposed[0].start, a, sizeof(a));
			lg_addr_format(proposed[0].family, proposed[0].end, b, sizeof(b));
		}
		verdict_set(&v, POLICY_TS_UNACCEPTABLE,
			    "none of the %zu proposed traffic selectors (first %s-%s) overlaps the %zu configured "
			    "subnets inside the internal address space", n_proposed, a, b, n_configured);
		return v;
	}
	verdict_ok(&v);
	snprintf(v.message, sizeof(v.message), "narrowed to %zu prefixes", *n_out);
	return v;
}

const struct conf_peer *policy_peer_by_endpoint(const struct config *cfg, const union lg_sockaddr *remote)
{
	int family = remote->sa.sa_family;
	if (family != AF_INET && family != AF_INET6)
		return NULL;
	/* Address only: NAT traversal moves the port from 500 to 4500 (RFC 7296 §2.23). */
	for (size_t i = 0; i < cfg->n_peers; i++) {
		const union lg_sockaddr *ep = &cfg->peers[i].endpoint;
		if (ep->sa.sa_family == family &&
		    !memcmp(lg_sockaddr_addr(ep), lg_sockaddr_addr(remote), lg_family_addr_len(family)))
			return &cfg->peers[i];
	}
	return NULL;
}
