/* The compliance report of `linegatectl compliance` and `linegated
 * --check-config`: per peer, domestic or cross-border and why, the uplink
 * with carrier and circuit, live state when known, and every violation.
 * Human table by default, one JSON object with --json. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "policy_internal.h"

enum { REPORT_MAX_VIOLATIONS = 40 };   /* above the most one peer can have */

struct peer_findings {
	struct policy_verdict v[REPORT_MAX_VIOLATIONS];
	size_t n;
};

static void add_finding(void *ctx, const struct policy_verdict *v)
{
	struct peer_findings *f = ctx;
	if (f->n < REPORT_MAX_VIOLATIONS)
		f->v[f->n++] = *v;
}

/* is_static: p is the peer view of a static SA (policy_static_sa_view). */
static void gather(const struct config *cfg, const struct conf_peer *p, bool is_static,
		   const struct regiondb *db, const struct policy_peer_live *live, struct peer_findings *f)
{
	f->n = 0;
	if (is_static)
		policy_static_sa_violations(cfg, p, db, add_finding, f);
	else
		policy_peer_violations(cfg, p, db, add_finding, f);
	if (live && f->n == 0) {
		struct policy_link_facts facts = { .uplink_up = live->uplink_up };
		memcpy(facts.egress_ifname, live->egress_ifname, IF_NAMESIZE);
		facts.egress_ifname[IF_NAMESIZE - 1] = '\0';
		struct policy_verdict v = policy_check_peer_runtime(cfg, p, db, &facts);
		if (is_static)
			policy_verdict_as_static_sa(&v);
		if (!policy_allowed(&v))
			add_finding(f, &v);
	}
}

static void json_str(FILE *to, const char *s)
{
	fputc('"', to);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(to, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(to, "\\u%04x", c);
		else
			fputc(c, to);
	}
	fputc('"', to);
}

static void json_kv(FILE *to, const char *k, const char *v, bool comma)
{
	json_str(to, k);
	fputc(':', to);
	json_str(to, v);
	if (comma)
		fputc(',', to);
}

static void json_violations(FILE *to, const struct policy_verdict *v, size_t n)
{
	fputs("\"violations\":[", to);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",{" : "{", to);
		json_kv(to, "reason", policy_reason_name(v[i].reason), true);
		json_kv(to, "message", v[i].message, false);
		fputc('}', to);
	}
	fputc(']', to);
}

static void json_peer(FILE *to, const struct config *cfg, const struct conf_peer *p, bool is_static,
		      const struct regiondb *db, const struct policy_peer_live *live)
{
	struct policy_region r;
	struct peer_findings f;
	char why[256], ep[LG_ADDRSTRLEN];
	const struct conf_uplink *u = policy_peer_uplink(cfg, p);

	policy_peer_region(cfg, p, db, &r);
	policy_region_why(cfg, &r, why, sizeof(why));
	gather(cfg, p, is_static, db, live, &f);
	fputc('{', to);
	json_kv(to, "name", p->name, true);
	if (is_static)
		json_kv(to, "kind", "static-sa", true);
	json_kv(to, "endpoint", lg_sockaddr_format(&p->endpoint, ep, sizeof(ep)), true);
	json_kv(to, "class", r.cross_border ? "cross-border" : "domestic", true);
	json_kv(to, "why", why, true);
	fputs("\"region\":{", to);
	json_kv(to, "declared", r.declared, true);
	json_kv(to, "database", r.database, true);
	json_kv(to, "effective", r.effective, true);
	fprintf(to, "\"mismatch\":%s,\"private_endpoint\":%s},", r.mismatch ? "true" : "false",
		r.private_endpoint ? "true" : "false");
	fputs("\"uplink\":{", to);
	json_kv(to, "name", u ? u->name : "", true);
	json_kv(to, "interface", u ? u->ifname : "", true);
	json_kv(to, "carrier", u ? u->carrier : "", true);
	json_kv(to, "circuit_id", u ? u->circuit_id : "", true);
	fprintf(to, "\"licensed\":%s,\"carrier_on_list\":%s},", u && u->licensed ? "true" : "false",
		u && policy_carrier_licensed(cfg, u->carrier) ? "true" : "false");
	if (live) {
		fprintf(to, "\"live\":{\"uplink_up\":%s,\"tunnel_up\":%s,", live->uplink_up ? "true" : "false",
			live->tunnel_up ? "true" : "false");
		char eg[IF_NAMESIZE];
		snprintf(eg, sizeof(eg), "%.*s", IF_NAMESIZE - 1, live->egress_ifname);
		json_kv(to, "egress", eg, false);
		fputs("},", to);
	} else {
		fputs("\"live\":null,", to);
	}
	fprintf(to, "\"compliant\":%s,", f.n ? "false" : "true");
	json_violations(to, f.v, f.n);
	fputc('}', to);
}

/* Public space declared as the organisation's own, with the registry's
 * reference an assessor can check it against. */
static void json_public_space(FILE *to, const struct config *cfg)
{
	fputs("\"public_space\":{\"prefixes\":[", to);
	for (size_t i = 0; i < cfg->site.n_public_space && i < CONF_MAX_PUBLIC; i++) {
		char buf[LG_ADDRSTRLEN];
		if (i)
			fputc(',', to);
		json_str(to, lg_prefix_format(&cfg->site.public_space[i], buf, sizeof(buf)));
	}
	fputs("],", to);
	json_kv(to, "registration", cfg->site.public_registration, false);
	fprintf(to, ",\"valid\":%s},", policy_public_space_valid(cfg) ? "true" : "false");
}

static void human_public_space(FILE *to, const struct config *cfg)
{
	if (!cfg->site.n_public_space)
		return;
	fputs("public space declared as the organisation's own:", to);
	for (size_t i = 0; i < cfg->site.n_public_space && i < CONF_MAX_PUBLIC; i++) {
		char buf[LG_ADDRSTRLEN];
		fprintf(to, " %s", lg_prefix_format(&cfg->site.public_space[i], buf, sizeof(buf)));
	}
	fprintf(to, " (registration: %s)%s\n",
		cfg->site.public_registration[0] ? cfg->site.public_registration : "NONE",
		policy_public_space_valid(cfg) ? "" : " [refused: counts for nothing]");
}

/* A CN site without a region database judges declared regions only: the
 * "stricter region wins" rule is off (docs/compliance.md). */
static const char *region_db_missing(const struct config *cfg)
{
	if (cfg->compliance.region_db[0] || strcasecmp(cfg->site.region, "CN"))
		return NULL;
	return "no region database configured (compliance { region-db ... }): peers are judged by "
	       "their declared region only, \"stricter region wins\" is off";
}

static void report_json(const struct config *cfg, const struct regiondb *db,
			const struct policy_peer_live *live, FILE *to)
{
	struct peer_findings site;
	site.n = 0;
	policy_site_violations(cfg, add_finding, &site);
	size_t total = policy_check_config(cfg, db, NULL, 0, NULL);
	fputc('{', to);
	json_kv(to, "site", cfg->site.name, true);
	json_kv(to, "region", cfg->site.region, true);
	fprintf(to, "\"region_db_prefixes\":%zu,\"static_violations\":%zu,", regiondb_size(db), total);
	json_public_space(to, cfg);
	fprintf(to, "\"mlps\":{\"level\":%d,", cfg->audit.mlps_level);
	json_kv(to, "security_officer", cfg->audit.security_officer, true);
	json_kv(to, "on_journal_failure", cfg->audit.on_failure == CONF_JOURNAL_FAIL_STOP_TUNNELS ?
		"stop-tunnels" : "keep-tunnels", true);
	json_kv(to, "set_by", cfg->audit.on_failure_set_by ? cfg->audit.on_failure_set_by : "default", false);
	fputs("},", to);
	fputs("\"warnings\":[", to);
	if (region_db_missing(cfg))
		json_str(to, region_db_missing(cfg));
	fputs("],", to);
	json_violations(to, site.v, site.n);
	fputs(",\"peers\":[", to);
	for (size_t i = 0; i < cfg->n_peers && i < CONF_MAX_PEERS; i++) {
		if (i)
			fputc(',', to);
		json_peer(to, cfg, &cfg->peers[i], false, db, live ? &live[i] : NULL);
	}
	fputs("],\"static_sas\":[", to);
	for (size_t i = 0; i < cfg->n_static_sas && i < CONF_MAX_STATIC_SAS; i++) {
		struct conf_peer view;
		policy_static_sa_view(&cfg->static_sas[i], &view);
		if (i)
			fputc(',', to);
		json_peer(to, cfg, &view, true, db, live ? &live[cfg->n_peers + i] : NULL);
	}
	fputs("]}\n", to);
}

static void human_peer(FILE *to, const struct config *cfg, const struct conf_peer *p, bool is_static,
		       const struct regiondb *db, const struct policy_peer_live *live)
{
	struct policy_region r;
	struct peer_findings f;
	char why[256], ep[LG_ADDRSTRLEN], regions[16], up[160], state[64];
	const struct conf_uplink *u = policy_peer_uplink(cfg, p);

	policy_peer_region(cfg, p, db, &r);
	policy_region_why(cfg, &r, why, sizeof(why));
	gather(cfg, p, is_static, db, live, &f);
	snprintf(regions, sizeof(regions), "%s/%s/%s", r.declared[0] ? r.declared : "-",
		 r.private_endpoint ? "priv" : (r.database[0] ? r.database : "-"), r.effective[0] ? r.effective : "-");
	if (u)
		snprintf(up, sizeof(up), "%.40s(%.16s) %.40s %.40s%s", u->name, u->ifname,
			 u->carrier[0] ? u->carrier : "-", u->circuit_id[0] ? u->circuit_id : "-",
			 u->licensed ? "" : " [not licensed]");
	else
		snprintf(up, sizeof(up), "(none)");
	if (live)
		snprintf(state, sizeof(state), "link %s, tunnel %s", live->uplink_up ? "up" : "DOWN",
			 live->tunnel_up ? "up" : "down");
	else
		snprintf(state, sizeof(state), "-");
	fprintf(to, "%-16s %-22s %-12s %-10s %-44s %-22s %s\n", p->name,
		lg_sockaddr_format(&p->endpoint, ep, sizeof(ep)), r.cross_border ? "cross-border" : "domestic",
		regions, up, state, f.n ? "VIOLATION" : "ok");
	fprintf(to, "  why: %s\n", why);
	for (size_t i = 0; i < f.n; i++)
		fprintf(to, "  violation %s: %s\n", policy_reason_name(f.v[i].reason), f.v[i].message);
}

void policy_report(const struct config *cfg, const struct regiondb *db,
		   const struct policy_peer_live *live, bool json, FILE *to)
{
	if (json) {
		report_json(cfg, db, live, to);
		return;
	}
	struct peer_findings site;
	site.n = 0;
	policy_site_violations(cfg, add_finding, &site);
	fprintf(to, "compliance report: site \"%s\", region %s, %zu licensed carriers, region database: %zu prefixes\n",
		cfg->site.name, cfg->site.region, cfg->compliance.n_carriers, regiondb_size(db));
	fprintf(to, "MLPS level %d, security officer %s, on journal failure %s (set by %s)\n",
		cfg->audit.mlps_level, cfg->audit.security_officer[0] ? cfg->audit.security_officer : "none",
		cfg->audit.on_failure == CONF_JOURNAL_FAIL_STOP_TUNNELS ? "stop-tunnels" : "keep-tunnels",
		cfg->audit.on_failure_set_by ? cfg->audit.on_failure_set_by : "default");
	human_public_space(to, cfg);
	if (region_db_missing(cfg))
		fprintf(to, "warning: %s\n", region_db_missing(cfg));
	for (size_t i = 0; i < site.n; i++)
		fprintf(to, "site violation %s: %s\n", policy_reason_name(site.v[i].reason), site.v[i].message);
	fprintf(to, "%-16s %-22s %-12s %-10s %-44s %-22s %s\n", "PEER", "ENDPOINT", "CLASS",
		"D/DB/EFF", "UPLINK(IF) CARRIER CIRCUIT", "LIVE", "VERDICT");
	for (size_t i = 0; i < cfg->n_peers && i < CONF_MAX_PEERS; i++)
		human_peer(to, cfg, &cfg->peers[i], false, db, live ? &live[i] : NULL);
	if (cfg->n_static_sas)
		fprintf(to, "%-16s %-22s %-12s %-10s %-44s %-22s %s\n", "STATIC-SA (LAB)", "ENDPOINT",
			"CLASS", "D/DB/EFF", "UPLINK(IF) CARRIER CIRCUIT", "LIVE", "VERDICT");
	for (size_t i = 0; i < cfg->n_static_sas && i < CONF_MAX_STATIC_SAS; i++) {
		struct conf_peer view;
		policy_static_sa_view(&cfg->static_sas[i], &view);
		human_peer(to, cfg, &view, true, db, live ? &live[cfg->n_peers + i] : NULL);
	}
	size_t total = policy_check_config(cfg, db, NULL, 0, NULL);
	fprintf(to, "%zu static violation%s\n", total, total == 1 ? "" : "s");
}
