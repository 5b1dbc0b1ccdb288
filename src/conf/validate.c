/* Checks that need the whole file: required blocks, references to uplinks
 * (which may be defined after the peer), remote subnets claimed by two peers
 * (the route to a subnet must name exactly one tunnel), the lab-only switch,
 * a template's branches (block_branch.c).
 * Compliance guardrails (cross-border, internal space) are policy/'s job. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/hash.h"
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

/* Marks the entries that overlap some other (both of each pair): sorted by
 * address then length, a CIDR prefix overlaps another only by nesting, so
 * an entry overlaps iff a prefix still open on the stack contains it. */
static int cmp_prefix_ref(const void *a, const void *b)
{
	const struct lg_prefix *x = (*(const struct remote_entry *const *)a)->prefix;
	const struct lg_prefix *y = (*(const struct remote_entry *const *)b)->prefix;
	int c = (int)x->family - (int)y->family;

	if (!c)
		c = memcmp(x->addr, y->addr, sizeof(x->addr));
	return c ? c : (int)x->len - (int)y->len;
}

static void mark_nested(struct remote_entry *e, size_t n, bool *mark)
{
	struct remote_entry **by = calloc(n ? n : 1, sizeof(*by));
	struct remote_entry **stack = calloc(n ? n : 1, sizeof(*stack));
	size_t top = 0;

	if (!by || !stack) {   /* out of memory: check every pair below */
		for (size_t i = 0; i < n; i++)
			mark[i] = true;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		by[i] = &e[i];
	qsort(by, n, sizeof(*by), cmp_prefix_ref);
	for (size_t i = 0; i < n; i++) {
		while (top && !lg_prefix_within(by[i]->prefix, stack[top - 1]->prefix))
			top--;
		if (top)
			mark[by[i] - e] = mark[stack[top - 1] - e] = true;
		stack[top++] = by[i];
	}
out:
	free(by);
	free(stack);
}

/* Overlapping remote subnets make the outbound route ambiguous: a packet
 * could leave through either tunnel, possibly the wrong uplink. Each
 * offending entry cites the first one (in file order) it overlaps; only
 * entries that overlap at all are compared pairwise, so a hub's thousands
 * of disjoint subnets cost a sort. */
void conf_report_overlaps(struct parser *p, struct remote_entry *e, size_t n)
{
	bool *mark = calloc(n ? n : 1, sizeof(*mark));
	char a[LG_ADDRSTRLEN], b[LG_ADDRSTRLEN], w[128];

	if (!mark) {
		conf_error(p, p->eof_pos.line, p->eof_pos.col, "out of memory checking remote subnets");
		return;
	}
	mark_nested(e, n, mark);
	for (size_t i = 1; i < n; i++) {
		for (size_t j = 0; mark[i] && j < i; j++) {
			if (!mark[j] || !lg_prefix_overlap(e[i].prefix, e[j].prefix))
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
	free(mark);
}

static void check_overlaps(struct parser *p)
{
	size_t max = 0;
	for (size_t i = 0; i < p->cfg->n_peers; i++)
		max += p->cfg->peers[i].n_remote_ts;
	for (size_t i = 0; i < p->cfg->n_static_sas; i++)
		max += p->cfg->static_sas[i].n_remote_ts;
	struct remote_entry *e = calloc(max ? max : 1, sizeof(*e));

	if (!e) {
		conf_error(p, p->eof_pos.line, p->eof_pos.col, "out of memory checking remote subnets");
		return;
	}
	conf_report_overlaps(p, e, collect_remote(p, e));
	free(e);
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

static uint64_t endpoint_hash(const union lg_sockaddr *a)
{
	uint8_t f = (uint8_t)a->sa.sa_family;
	return lg_hash_bytes2(&f, 1, lg_sockaddr_addr(a), lg_family_addr_len(a->sa.sa_family));
}

static bool same_address(const union lg_sockaddr *a, const union lg_sockaddr *b)
{
	return a->sa.sa_family == b->sa.sa_family &&
	       !memcmp(lg_sockaddr_addr(a), lg_sockaddr_addr(b), lg_family_addr_len(a->sa.sa_family));
}

/* The first peer before peer i (in file order) written with i's address. */
static const struct conf_peer *earlier_on_address(struct parser *p, const struct lg_hash *h, size_t i)
{
	const struct conf_peer *first = NULL, *q;
	const union lg_sockaddr *ei = &p->cfg->peers[i].endpoint;
	size_t pos = 0;

	while ((q = lg_hash_next(h, endpoint_hash(ei), &pos)))
		if (same_address(&q->endpoint, ei) && (!first || q < first))
			first = q;
	return first;
}

/* A responder finds the peer of an incoming IKE_SA_INIT by source address
 * (policy_peer_by_endpoint): two peers on one address would be ambiguous. */
static void check_endpoints(struct parser *p)
{
	struct config *cfg = p->cfg;
	struct lg_hash h;
	char a[LG_ADDRSTRLEN], w[128];

	if (lg_hash_init(&h, cfg->n_peers)) {
		conf_error(p, p->eof_pos.line, p->eof_pos.col, "out of memory checking endpoints");
		return;
	}
	for (size_t i = 0; i < cfg->n_peers; i++) {
		const union lg_sockaddr *ei = &cfg->peers[i].endpoint;
		if (!p->peer_x[i].endpoint.line)
			continue;
		const struct conf_peer *j = earlier_on_address(p, &h, i);
		if (j)
			conf_error(p, p->peer_x[i].endpoint.line, p->peer_x[i].endpoint.col,
				   "endpoint %s is also the endpoint of peer '%s' (%s): expected "
				   "one peer per address",
				   lg_addr_format(ei->sa.sa_family, lg_sockaddr_addr(ei), a, sizeof(a)),
				   j->name, conf_where(p, j->line, w, sizeof(w)));
		if (lg_hash_add(&h, endpoint_hash(ei), &cfg->peers[i])) {
			conf_error(p, p->eof_pos.line, p->eof_pos.col, "out of memory checking endpoints");
			break;
		}
	}
	lg_hash_free(&h);
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
	conf_check_branches(p);
}
