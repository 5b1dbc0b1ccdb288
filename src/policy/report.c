/* The compliance report of `linegatectl compliance` and `linegated
 * --check-config`: per peer, domestic or cross-border and why, the uplink
 * with carrier and circuit, live state when known, and every violation.
 * Human table by default, one JSON object with --json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "linegate/json.h"
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

static void json_violations(json_t *obj, const struct policy_verdict *v, size_t n)
{
	json_t *arr = lg_json_set_array(obj, "violations");
	for (size_t i = 0; i < n; i++) {
		json_t *o = lg_json_append_object(arr);
		lg_json_set_str(o, "reason", policy_reason_name(v[i].reason));
		lg_json_set_str(o, "message", v[i].message);
	}
}

static void json_region(json_t *obj, const struct policy_region *r)
{
	json_t *o = lg_json_set_object(obj, "region");
	lg_json_set_str(o, "declared", r->declared);
	lg_json_set_str(o, "database", r->database);
	lg_json_set_str(o, "effective", r->effective);
	lg_json_set_bool(o, "mismatch", r->mismatch);
	lg_json_set_bool(o, "private_endpoint", r->private_endpoint);
}

static void json_uplink(json_t *obj, const struct config *cfg, const struct conf_uplink *u)
{
	json_t *o = lg_json_set_object(obj, "uplink");
	lg_json_set_str(o, "name", u ? u->name : "");
	lg_json_set_str(o, "interface", u ? u->ifname : "");
	lg_json_set_str(o, "carrier", u ? u->carrier : "");
	lg_json_set_str(o, "circuit_id", u ? u->circuit_id : "");
	lg_json_set_bool(o, "licensed", u && u->licensed);
	lg_json_set_str(o, "contract_number", u ? u->contract : "");
	lg_json_set_str(o, "carrier_licence", u ? u->carrier_licence : "");
	lg_json_set_bool(o, "carrier_on_list", u && policy_carrier_licensed(cfg, u->carrier));
}

static void json_live(json_t *obj, const struct policy_peer_live *live)
{
	if (!live) {
		lg_json_set(obj, "live", json_null());
		return;
	}
	char eg[IF_NAMESIZE];
	json_t *o = lg_json_set_object(obj, "live");
	lg_json_set_bool(o, "uplink_up", live->uplink_up);
	lg_json_set_bool(o, "tunnel_up", live->tunnel_up);
	snprintf(eg, sizeof(eg), "%.*s", IF_NAMESIZE - 1, live->egress_ifname);
	lg_json_set_str(o, "egress", eg);
}

/* One peer (or static SA) appended to arr; returns its violation count. */
static size_t json_peer(json_t *arr, const struct config *cfg, const struct conf_peer *p,
			bool is_static, const struct regiondb *db, const struct policy_peer_live *live)
{
	struct policy_region r;
	struct peer_findings f;
	char why[256], ep[LG_ADDRSTRLEN];
	json_t *o = lg_json_append_object(arr);

	policy_peer_region(cfg, p, db, &r);
	policy_region_why(cfg, &r, why, sizeof(why));
	gather(cfg, p, is_static, db, live, &f);
	lg_json_set_str(o, "name", p->name);
	if (is_static)
		lg_json_set_str(o, "kind", "static-sa");
	lg_json_set_str(o, "endpoint", lg_sockaddr_format(&p->endpoint, ep, sizeof(ep)));
	lg_json_set_str(o, "class", r.cross_border ? "cross-border" : "domestic");
	lg_json_set_str(o, "why", why);
	json_region(o, &r);
	json_uplink(o, cfg, policy_peer_uplink(cfg, p));
	json_live(o, live);
	lg_json_set_bool(o, "compliant", f.n == 0);
	json_violations(o, f.v, f.n);
	return f.n;
}

/* Public space declared as the organisation's own, with the registry's
 * reference an assessor can check it against. */
static void json_public_space(json_t *doc, const struct config *cfg)
{
	json_t *o = lg_json_set_object(doc, "public_space");
	json_t *arr = lg_json_set_array(o, "prefixes");
	for (size_t i = 0; i < cfg->site.n_public_space && i < CONF_MAX_PUBLIC; i++) {
		char buf[LG_ADDRSTRLEN];
		lg_json_append_str(arr, lg_prefix_format(&cfg->site.public_space[i], buf, sizeof(buf)));
	}
	lg_json_set_str(o, "registration", cfg->site.public_registration);
	lg_json_set_bool(o, "valid", policy_public_space_valid(cfg));
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

static void json_mlps(json_t *doc, const struct config *cfg)
{
	json_t *o = lg_json_set_object(doc, "mlps");
	lg_json_set_int(o, "level", cfg->audit.mlps_level);
	lg_json_set_str(o, "security_officer", cfg->audit.security_officer);
	lg_json_set_str(o, "on_journal_failure", cfg->audit.on_failure == CONF_JOURNAL_FAIL_STOP_TUNNELS ?
			"stop-tunnels" : "keep-tunnels");
	lg_json_set_str(o, "set_by", cfg->audit.on_failure_set_by ? cfg->audit.on_failure_set_by : "default");
}

/* ICP ports: each reachable web listener, judged; returns the violations. */
static size_t json_icp(json_t *doc, const struct config *cfg, const struct policy_icp_facts *icp)
{
	json_t *o = lg_json_set_object(doc, "icp");
	json_t *recs = lg_json_set_array(o, "recordals");
	size_t bad = 0;

	for (size_t i = 0; i < cfg->site.n_icp && i < CONF_MAX_ICP; i++) {
		json_t *r = lg_json_append_object(recs);
		lg_json_set_u64(r, "port", cfg->site.icp[i].port);
		lg_json_set_str(r, "recordal", cfg->site.icp[i].recordal);
	}
	lg_json_set_bool(o, "scanned", icp && !icp->scan_error);
	if (!icp) {
		lg_json_set(o, "listeners", json_null());
		lg_json_set_u64(o, "violations", 0);
		return 0;
	}
	json_t *arr = lg_json_set_array(o, "listeners");
	for (size_t i = 0; i < icp->n_listeners; i++) {
		const struct policy_listener *l = &icp->listeners[i];
		struct policy_icp_judgement j;
		char a[LG_ADDRSTRLEN];
		policy_judge_listener(cfg, l, icp->addrs, icp->n_addrs, &j);
		if (j.state == POLICY_ICP_NOT_EXPOSED)
			continue;
		bad += j.state == POLICY_ICP_UNRECORDED;
		json_t *e = lg_json_append_object(arr);
		lg_json_set_str(e, "address", lg_addr_format(l->family, l->addr, a, sizeof(a)));
		lg_json_set_u64(e, "port", l->port);
		lg_json_set_u64(e, "inode", l->inode);
		lg_json_set_u64(e, "uid", l->uid);
		lg_json_set_int(e, "pid", l->pid);
		lg_json_set_str(e, "process", l->process);
		lg_json_set_str(e, "bound_interface", l->bound_if);
		lg_json_set_str(e, "via", j.via);
		lg_json_set_str(e, "state", j.state == POLICY_ICP_RECORDED ? "recorded" : "unrecorded");
		lg_json_set_str(e, "recordal", j.recordal ? j.recordal : "");
		lg_json_set_bool(e, "compliant", j.state == POLICY_ICP_RECORDED);
		json_violations(e, &j.verdict, j.state == POLICY_ICP_UNRECORDED);
	}
	lg_json_set_u64(o, "violations", bad);
	return bad;
}

static size_t human_icp(FILE *to, const struct config *cfg, const struct policy_icp_facts *icp)
{
	size_t bad = 0;

	for (size_t i = 0; i < cfg->site.n_icp && i < CONF_MAX_ICP; i++)
		fprintf(to, "ICP recordal for port %u: %s\n", cfg->site.icp[i].port, cfg->site.icp[i].recordal);
	if (!icp)
		return 0;
	if (icp->scan_error)
		fprintf(to, "warning: listening sockets could not be scanned (error %d): ICP ports not judged\n",
			-icp->scan_error);
	for (size_t i = 0; i < icp->n_listeners; i++) {
		const struct policy_listener *l = &icp->listeners[i];
		struct policy_icp_judgement j;
		char a[LG_ADDRSTRLEN], who[48] = "";
		policy_judge_listener(cfg, l, icp->addrs, icp->n_addrs, &j);
		if (j.state == POLICY_ICP_NOT_EXPOSED)
			continue;
		if (l->pid)
			snprintf(who, sizeof(who), " pid %d (%.15s)", l->pid, l->process);
		lg_addr_format(l->family, l->addr, a, sizeof(a));
		fprintf(to, "ICP listener tcp %s port %u via %s, inode %u uid %u%s: %s%s\n", a, l->port, j.via,
			l->inode, l->uid, who, j.state == POLICY_ICP_RECORDED ? "recorded " : "VIOLATION",
			j.recordal ? j.recordal : "");
		if (j.state == POLICY_ICP_UNRECORDED) {
			fprintf(to, "  violation %s: %s\n", policy_reason_name(j.verdict.reason), j.verdict.message);
			bad++;
		}
	}
	return bad;
}

static size_t report_json(const struct config *cfg, const struct regiondb *db,
			  const struct policy_peer_live *live, const struct policy_icp_facts *icp,
			  const struct lg_report_meta *meta, FILE *to)
{
	struct peer_findings site;
	site.n = 0;
	policy_site_violations(cfg, add_finding, &site);
	size_t total = policy_check_config(cfg, db, NULL, 0, NULL), standing = site.n;
	json_t *doc = json_object();
	if (meta)
		policy_meta_json(doc, meta);
	lg_json_set_str(doc, "site", cfg->site.name);
	lg_json_set_str(doc, "region", cfg->site.region);
	lg_json_set_u64(doc, "region_db_prefixes", regiondb_size(db));
	lg_json_set_u64(doc, "static_violations", total);
	json_public_space(doc, cfg);
	json_mlps(doc, cfg);
	json_t *warnings = lg_json_set_array(doc, "warnings");
	if (region_db_missing(cfg))
		lg_json_append_str(warnings, region_db_missing(cfg));
	standing += json_icp(doc, cfg, icp);
	json_violations(doc, site.v, site.n);
	json_t *peers = lg_json_set_array(doc, "peers");
	for (size_t i = 0; i < cfg->n_peers; i++)
		standing += json_peer(peers, cfg, &cfg->peers[i], false, db, live ? &live[i] : NULL);
	json_t *statics = lg_json_set_array(doc, "static_sas");
	for (size_t i = 0; i < cfg->n_static_sas; i++) {
		struct conf_peer view;
		policy_static_sa_view(&cfg->static_sas[i], &view);
		standing += json_peer(statics, cfg, &view, true, db, live ? &live[cfg->n_peers + i] : NULL);
	}
	lg_json_print(to, doc);
	return standing;
}

/* One row of the terminal table; cells are aligned by display width
 * (a Chinese circuit id is two columns per character), never clipped. */
enum { COL_NAME, COL_ENDPOINT, COL_CLASS, COL_REGIONS, COL_UPLINK, COL_LIVE, COL_VERDICT, N_COLS };
struct table_row {
	char cell[N_COLS][2 * CONF_TEXT_MAX + CONF_NAME_MAX + 48];
};
static const char *const table_head[N_COLS] = {
	"PEER", "ENDPOINT", "CLASS", "D/DB/EFF", "UPLINK(IF) CARRIER CIRCUIT", "LIVE", "VERDICT",
};

static void peer_row(const struct config *cfg, const struct conf_peer *p, const struct policy_region *r,
		     const struct policy_peer_live *live, size_t n_violations, struct table_row *row)
{
	const struct conf_uplink *u = policy_peer_uplink(cfg, p);
	size_t cap = sizeof(row->cell[0]);

	snprintf(row->cell[COL_NAME], cap, "%s", p->name);
	if (p->endpoint.sa.sa_family == AF_UNSPEC)   /* a template and its instances */
		snprintf(row->cell[COL_ENDPOINT], cap, "%%any (judged at connect)");
	else
		lg_sockaddr_format(&p->endpoint, row->cell[COL_ENDPOINT], LG_ADDRSTRLEN);
	snprintf(row->cell[COL_CLASS], cap, "%s", r->cross_border ? "cross-border" : "domestic");
	snprintf(row->cell[COL_REGIONS], cap, "%s/%s/%s", r->declared[0] ? r->declared : "-",
		 r->private_endpoint ? "priv" : (r->database[0] ? r->database : "-"),
		 r->effective[0] ? r->effective : "-");
	if (u)
		snprintf(row->cell[COL_UPLINK], cap, "%s(%.16s) %s %s%s", u->name, u->ifname,
			 u->carrier[0] ? u->carrier : "-", u->circuit_id[0] ? u->circuit_id : "-",
			 u->licensed ? "" : " [not licensed]");
	else
		snprintf(row->cell[COL_UPLINK], cap, "(none)");
	if (live)
		snprintf(row->cell[COL_LIVE], cap, "link %s, tunnel %s", live->uplink_up ? "up" : "DOWN",
			 live->tunnel_up ? "up" : "down");
	else
		snprintf(row->cell[COL_LIVE], cap, "-");
	snprintf(row->cell[COL_VERDICT], cap, "%s", n_violations ? "VIOLATION" : "ok");
}

static void print_cells(FILE *to, const char *const *cells, const size_t *width)
{
	for (int c = 0; c < N_COLS - 1; c++) {
		lg_utf8_pad(to, cells[c], width[c]);
		fputc(' ', to);
	}
	fprintf(to, "%s\n", cells[N_COLS - 1]);
}

/* The peers or the static SAs: widths from every row first, then the rows
 * with their "why" and violation lines. Returns the violations. */
static size_t human_peers(FILE *to, const struct config *cfg, bool is_static, const struct regiondb *db,
			  const struct policy_peer_live *live)
{
	size_t n = is_static ? cfg->n_static_sas : cfg->n_peers, width[N_COLS], bad = 0;
	const char *head[N_COLS];
	struct table_row *row = malloc(sizeof(*row));
	if (!row)
		return 0;
	memcpy(head, table_head, sizeof(head));
	if (is_static)
		head[COL_NAME] = "STATIC-SA (LAB)";
	for (int c = 0; c < N_COLS; c++)
		width[c] = lg_utf8_width(head[c]);
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1 && (n || !is_static))
			print_cells(to, head, width);
		for (size_t i = 0; i < n; i++) {
			struct conf_peer view;
			const struct conf_peer *p = &cfg->peers[i];
			const struct policy_peer_live *l = live ? &live[is_static ? cfg->n_peers + i : i] : NULL;
			struct policy_region r;
			struct peer_findings f;
			char why[256];
			if (is_static) {
				policy_static_sa_view(&cfg->static_sas[i], &view);
				p = &view;
			}
			policy_peer_region(cfg, p, db, &r);
			gather(cfg, p, is_static, db, l, &f);
			peer_row(cfg, p, &r, l, f.n, row);
			const char *cells[N_COLS];
			for (int c = 0; c < N_COLS; c++) {
				cells[c] = row->cell[c];
				size_t w = lg_utf8_width(cells[c]);
				width[c] = pass == 0 && w > width[c] ? w : width[c];
			}
			if (pass == 0)
				continue;
			print_cells(to, cells, width);
			policy_region_why(cfg, &r, why, sizeof(why));
			fprintf(to, "  why: %s\n", why);
			for (size_t k = 0; k < f.n; k++)
				fprintf(to, "  violation %s: %s\n", policy_reason_name(f.v[k].reason), f.v[k].message);
			bad += f.n;
		}
	}
	free(row);
	return bad;
}

size_t policy_report(const struct config *cfg, const struct regiondb *db,
		     const struct policy_peer_live *live, bool json, FILE *to)
{
	return policy_report_live(cfg, db, live, NULL, json, to);
}

size_t policy_report_live(const struct config *cfg, const struct regiondb *db,
			  const struct policy_peer_live *live, const struct policy_icp_facts *icp,
			  bool json, FILE *to)
{
	return policy_report_doc(cfg, db, live, icp, NULL, json, to);
}

size_t policy_report_doc(const struct config *cfg, const struct regiondb *db,
			 const struct policy_peer_live *live, const struct policy_icp_facts *icp,
			 const struct lg_report_meta *meta, bool json, FILE *to)
{
	if (json)
		return report_json(cfg, db, live, icp, meta, to);
	if (meta)
		policy_meta_text(to, meta);
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
	size_t icp_bad = human_icp(to, cfg, icp);
	size_t standing = site.n + icp_bad;
	standing += human_peers(to, cfg, false, db, live);
	standing += human_peers(to, cfg, true, db, live);
	size_t total = policy_check_config(cfg, db, NULL, 0, NULL);
	fprintf(to, "%zu static violation%s\n", total, total == 1 ? "" : "s");
	if (icp)
		fprintf(to, "%zu ICP violation%s (unrecorded web listener%s)\n", icp_bad, icp_bad == 1 ? "" : "s",
			icp_bad == 1 ? "" : "s");
	return standing;
}
