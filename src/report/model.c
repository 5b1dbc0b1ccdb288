/* The report's model: every peer and static SA with its region, the rule
 * that decided, uplink and circuit paperwork, selectors, identities and the
 * policy's violations, built from the config snapshot and policy verdicts. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/report.h"

static void prefixes(const struct lg_prefix *p, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n && o + 1 < cap; i++) {
		char buf[LG_ADDRSTRLEN];
		int w = snprintf(out + o, cap - o, "%s%s", i ? ", " : "", lg_prefix_format(&p[i], buf, sizeof(buf)));
		o += w > 0 ? (size_t)w : 0;
	}
}

static void fill_entry(const struct config *cfg, const struct conf_peer *p, bool is_static,
		       const struct regiondb *db, struct report_entry *e)
{
	e->is_static = is_static;
	lg_sockaddr_format(&p->endpoint, e->endpoint, sizeof(e->endpoint));
	policy_peer_region(cfg, p, db, &e->region);
	policy_region_why(cfg, &e->region, e->why, sizeof(e->why));
	if (p->uplink >= 0 && (size_t)p->uplink < cfg->n_uplinks) {
		e->uplink = &cfg->uplinks[p->uplink];
		e->carrier_on_list = policy_carrier_licensed(cfg, e->uplink->carrier);
	}
	policy_identity_format(&p->local_id, e->local_id, sizeof(e->local_id));
	policy_identity_format(&p->remote_id, e->remote_id, sizeof(e->remote_id));
	prefixes(p->local_ts, p->n_local_ts, e->local_ts, sizeof(e->local_ts));
	prefixes(p->remote_ts, p->n_remote_ts, e->remote_ts, sizeof(e->remote_ts));
}

/* Every static violation, handed to its subject (policy_check_config's
 * peer_index: -1 the site, then peers, then static SAs). */
static int add_findings(const struct config *cfg, const struct regiondb *db, struct report_model *m)
{
	size_t max = 4 * (m->n_entries + 4) * REPORT_MAX_FINDINGS;
	struct policy_verdict *v = calloc(max, sizeof(*v));
	int *who = calloc(max, sizeof(*who));
	if (!v || !who) {
		free(v);
		free(who);
		return -ENOMEM;
	}
	size_t n = policy_check_config(cfg, db, v, max, who);
	for (size_t i = 0; i < n && i < max; i++) {
		if (who[i] < 0) {
			if (m->n_site < REPORT_MAX_FINDINGS)
				m->site[m->n_site++] = v[i];
			continue;
		}
		if ((size_t)who[i] >= m->n_entries)
			continue;
		struct report_entry *e = &m->entries[who[i]];
		if (e->n_findings < REPORT_MAX_FINDINGS)
			e->findings[e->n_findings++] = v[i];
	}
	free(v);
	free(who);
	return 0;
}

int report_model_build(const struct config *cfg, const struct regiondb *db,
		       const struct lg_report_meta *meta, struct report_model *out)
{
	memset(out, 0, sizeof(*out));
	out->cfg = cfg;
	out->meta = meta;
	size_t np = cfg->n_peers, ns = cfg->n_static_sas;
	out->entries = calloc(np + ns + 1, sizeof(*out->entries));
	if (!out->entries)
		return -ENOMEM;
	out->n_entries = np + ns;
	for (size_t i = 0; i < np; i++) {
		out->entries[i].name = cfg->peers[i].name;
		fill_entry(cfg, &cfg->peers[i], false, db, &out->entries[i]);
	}
	for (size_t i = 0; i < ns; i++) {
		struct conf_peer view;
		policy_static_sa_view(&cfg->static_sas[i], &view);
		out->entries[np + i].name = cfg->static_sas[i].name;
		fill_entry(cfg, &view, true, db, &out->entries[np + i]);
	}
	int rc = add_findings(cfg, db, out);
	if (rc)
		report_model_free(out);
	return rc;
}

void report_model_free(struct report_model *m)
{
	free(m->entries);
	m->entries = NULL;
	m->n_entries = 0;
}

struct report_entry *report_model_find(struct report_model *m, const char *name)
{
	for (size_t i = 0; i < m->n_entries; i++)
		if (!strcmp(m->entries[i].name, name))
			return &m->entries[i];
	return NULL;
}

const char *report_entry_rule(const struct report_entry *e)
{
	if (e->n_findings)
		return policy_reason_name(e->findings[0].reason);
	return e->region.cross_border ? "cross_border_licensed_circuit" : "domestic";
}

size_t report_model_violations(const struct report_model *m)
{
	size_t n = m->n_site;
	for (size_t i = 0; i < m->n_entries; i++)
		n += m->entries[i].n_findings;
	return n;
}
