/* Checks that need the whole file: required blocks, references to uplinks
 * (which may be defined after the peer), remote subnets claimed by two peers
 * (the route to a subnet must name exactly one tunnel), the lab-only switch.
 * Compliance guardrails (cross-border, internal space) are policy/'s job. */
#include <stdio.h>
#include <string.h>
#include "parser.h"

static void resolve_uplink(struct parser *p, const struct uplink_ref *ref, int *out)
{
	if (!ref->name[0])
		return; /* missing key, reported with the block */
	*out = config_find_uplink(p->cfg, ref->name);
	if (*out < 0)
		conf_error(p, ref->pos.line, ref->pos.col,
			   "undefined uplink '%s': expected the name of an uplink block", ref->name);
}

struct remote_entry {
	const char *kind;       /* "peer" or "static-sa" */
	const char *owner;
	int owner_line;
	const struct lg_prefix *prefix;
	struct conf_pos pos;
};

static size_t collect_remote(struct parser *p, struct remote_entry *out)
{
	const struct config *cfg = p->cfg;
	size_t n = 0;
	for (size_t i = 0; i < cfg->n_peers; i++)
		for (size_t j = 0; j < cfg->peers[i].n_remote_ts; j++)
			out[n++] = (struct remote_entry){ "peer", cfg->peers[i].name, cfg->peers[i].line,
							  &cfg->peers[i].remote_ts[j],
							  p->peer_x[i].remote_ts[j] };
	for (size_t i = 0; i < cfg->n_static_sas; i++) {
		const struct conf_static_sa *sa = &cfg->static_sas[i];
		for (size_t j = 0; j < sa->n_remote_ts; j++)
			out[n++] = (struct remote_entry){ "static-sa", sa->name, sa->line,
							  &sa->remote_ts[j], p->sa_x[i].remote_ts[j] };
	}
	return n;
}

/* Overlapping remote subnets make the outbound route ambiguous: a packet
 * could leave through either tunnel, possibly the wrong uplink. */
static void check_overlaps(struct parser *p)
{
	struct remote_entry e[CONF_MAX_PEERS * CONF_MAX_TS +
					      CONF_MAX_STATIC_SAS * CONF_MAX_TS];
	size_t n = collect_remote(p, e);
	char a[LG_ADDRSTRLEN], b[LG_ADDRSTRLEN], w[128];

	for (size_t i = 1; i < n; i++) {
		for (size_t j = 0; j < i; j++) {
			if (!lg_prefix_overlap(e[i].prefix, e[j].prefix))
				continue;
			lg_prefix_format(e[i].prefix, a, sizeof(a));
			lg_prefix_format(e[j].prefix, b, sizeof(b));
			if (e[i].owner == e[j].owner)
				conf_error(p, e[i].pos.line, e[i].pos.col,
					   "remote subnet %s overlaps %s of the same %s", a, b,
					   e[i].kind);
			else
				conf_error(p, e[i].pos.line, e[i].pos.col,
					   "remote subnet %s overlaps %s of %s '%s' (%s)", a, b,
					   e[j].kind, e[j].owner,
					   conf_where(p, e[j].owner_line, w, sizeof(w)));
			break;
		}
	}
}

static void check_static_sas(struct parser *p)
{
	const struct config *cfg = p->cfg;
	char w[128];
	for (size_t i = 0; i < cfg->n_static_sas; i++) {
		const struct conf_static_sa *sa = &cfg->static_sas[i];
		const struct sa_extra *x = &p->sa_x[i];
		resolve_uplink(p, &x->uplink, &p->cfg->static_sas[i].uplink);
		if (!cfg->lab_only)
			conf_error(p, x->block.line, x->block.col,
				   "static-sa '%s' needs 'lab-only yes' at top level: hand-keyed SAs "
				   "are for lab tests only", sa->name);
		for (size_t j = 0; j < i && x->spi_in.line; j++) {
			if (cfg->static_sas[j].spi_in == sa->spi_in) {
				conf_error(p, x->spi_in.line, x->spi_in.col,
					   "spi-in 0x%08x already used by static-sa '%s' (%s)",
					   sa->spi_in, cfg->static_sas[j].name,
					   conf_where(p, cfg->static_sas[j].line, w, sizeof(w)));
				break;
			}
		}
	}
}

/* A responder finds the peer of an incoming IKE_SA_INIT by source address
 * (policy_peer_by_endpoint): two peers on one address would be ambiguous. */
static void check_endpoints(struct parser *p)
{
	const struct config *cfg = p->cfg;
	char a[LG_ADDRSTRLEN], w[128];
	for (size_t i = 1; i < cfg->n_peers; i++) {
		const union lg_sockaddr *ei = &cfg->peers[i].endpoint;
		if (!p->peer_x[i].endpoint.line)
			continue;
		for (size_t j = 0; j < i; j++) {
			const union lg_sockaddr *ej = &cfg->peers[j].endpoint;
			if (!p->peer_x[j].endpoint.line || ei->sa.sa_family != ej->sa.sa_family ||
			    memcmp(lg_sockaddr_addr(ei), lg_sockaddr_addr(ej),
				   lg_family_addr_len(ei->sa.sa_family)))
				continue;
			conf_error(p, p->peer_x[i].endpoint.line, p->peer_x[i].endpoint.col,
				   "endpoint %s is also the endpoint of peer '%s' (%s): expected "
				   "one peer per address",
				   lg_addr_format(ei->sa.sa_family, lg_sockaddr_addr(ei), a, sizeof(a)),
				   cfg->peers[j].name, conf_where(p, cfg->peers[j].line, w, sizeof(w)));
			break;
		}
	}
}

void conf_validate(struct parser *p)
{
	if (!p->block_seen[0].line) /* top_blocks[0] is site */
		conf_error(p, p->eof_pos.line, p->eof_pos.col,
			   "missing site block: expected site \"name\" { region ...; internal-space ... }");
	for (size_t i = 0; i < p->cfg->n_peers; i++)
		resolve_uplink(p, &p->peer_x[i].uplink, &p->cfg->peers[i].uplink);
	check_endpoints(p);
	check_static_sas(p);
	check_overlaps(p);
}
