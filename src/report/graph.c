/* The topology picture: this site, its uplinks (licensed circuits with
 * carrier and circuit id), every peer with its region; cross-border edges
 * dashed, each edge coloured and labelled by its verdict. Laid out by
 * Graphviz (libgvc/libcgraph, Debian libgraphviz-dev): a maintained layout
 * engine rather than hand-placed coordinates, and its SVG renderer is in
 * the core plugin, so no font or image is fetched. Peer nodes are named by
 * the peer's name (the browser test counts <title>s); site and uplink nodes
 * carry a ':' that no peer name can contain. */
#include <stdlib.h>
#include <string.h>
#include <graphviz/gvc.h>
#include "linegate/report.h"
#include "report_internal.h"

enum { LABEL_MAX = 1024 };

/* Graphviz reads backslash sequences in labels: double user backslashes. */
static void label_set(void *obj, const char *attr, const char *text)
{
	char out[LABEL_MAX];
	size_t o = 0;
	for (const char *p = text; *p && o + 3 < sizeof(out); p++) {
		if (*p == '\\')
			out[o++] = '\\';
		out[o++] = *p;
	}
	out[o] = '\0';
	agsafeset(obj, (char *)attr, out, "");
}

static Agnode_t *node(Agraph_t *g, const char *name, const char *shape, const char *fill)
{
	Agnode_t *n = agnode(g, (char *)name, 1);
	agsafeset(n, "shape", (char *)shape, "");
	agsafeset(n, "style", "filled,rounded", "");
	agsafeset(n, "fillcolor", (char *)fill, "");
	agsafeset(n, "fontname", "sans-serif", "");
	return n;
}

static void uplink_nodes(Agraph_t *g, Agnode_t *site, const struct config *cfg, Agnode_t **up)
{
	char name[CONF_NAME_MAX + 8], label[LABEL_MAX];
	for (size_t i = 0; i < cfg->n_uplinks && i < CONF_MAX_UPLINKS; i++) {
		const struct conf_uplink *u = &cfg->uplinks[i];
		snprintf(name, sizeof(name), "uplink:%s", u->name);
		if (u->licensed)
			snprintf(label, sizeof(label), "%s (%s)\n%s\n%s", u->name, u->ifname,
				 u->carrier[0] ? u->carrier : "?", u->circuit_id[0] ? u->circuit_id : "?");
		else
			snprintf(label, sizeof(label), "%s (%s)", u->name, u->ifname);
		up[i] = node(g, name, u->licensed ? "box3d" : "box", u->licensed ? "#d6eaf8" : "#f2f3f4");
		label_set(up[i], "label", label);
		Agedge_t *e = agedge(g, site, up[i], NULL, 1);
		agsafeset(e, "arrowhead", "none", "");
	}
}

static void peer_edge(Agraph_t *g, Agnode_t *from, Agnode_t *to, const struct report_entry *e,
		      enum report_lang lang)
{
	char label[LABEL_MAX];
	bool ok = e->n_findings == 0;
	Agedge_t *ed = agedge(g, from, to, NULL, 1);
	report_verdict_text(e, lang, label, sizeof(label));
	label_set(ed, "label", label);
	agsafeset(ed, "color", ok ? "#1e8449" : "#c0392b", "");
	agsafeset(ed, "fontcolor", ok ? "#1e8449" : "#c0392b", "");
	agsafeset(ed, "fontname", "sans-serif", "");
	agsafeset(ed, "penwidth", e->region.cross_border ? "2.5" : "1.5", "");
	agsafeset(ed, "style", e->region.cross_border ? "dashed" : "solid", "");
	agsafeset(ed, "class", e->region.cross_border ? "cross-border" : "domestic", "");
}

static Agraph_t *build(const struct report_model *m, enum report_lang lang)
{
	const struct config *cfg = m->cfg;
	char name[CONF_NAME_MAX + 8], label[LABEL_MAX];
	Agnode_t *up[CONF_MAX_UPLINKS] = { 0 };
	Agraph_t *g = agopen("topology", Agdirected, NULL);
	agsafeset(g, "rankdir", "LR", "");
	agsafeset(g, "nodesep", "0.3", "");
	agsafeset(g, "fontname", "sans-serif", "");
	snprintf(name, sizeof(name), "site:%s", cfg->site.name);
	snprintf(label, sizeof(label), "%s\n%s %s", cfg->site.name, lang == REPORT_EN ? "region" : "地区",
		 cfg->site.region);
	Agnode_t *site = node(g, name, "box", "#fdebd0");
	label_set(site, "label", label);
	agsafeset(site, "penwidth", "2", "");
	uplink_nodes(g, site, cfg, up);
	for (size_t i = 0; i < m->n_entries; i++) {
		const struct report_entry *e = &m->entries[i];
		snprintf(label, sizeof(label), "%s%s\n%s %s%s", e->name, e->is_static ? " (static SA)" : "",
			 lang == REPORT_EN ? "region" : "地区", e->region.effective[0] ? e->region.effective : "?",
			 e->region.cross_border ? (lang == REPORT_EN ? " cross-border" : " 跨境") : "");
		Agnode_t *n = node(g, e->name, "box", e->region.cross_border ? "#fadbd8" : "#d5f5e3");
		label_set(n, "label", label);
		Agnode_t *from = site;
		for (size_t k = 0; e->uplink && k < cfg->n_uplinks && k < CONF_MAX_UPLINKS; k++)
			if (&cfg->uplinks[k] == e->uplink)
				from = up[k];
		peer_edge(g, from, n, e, lang);
	}
	return g;
}

/* Inline SVG in HTML needs no xmlns, and without them the document holds
 * no URL at all (namespace names are never fetched, but a reviewer or a
 * scanner need not know that). */
static void drop_namespaces(char *svg)
{
	char *end = strchr(svg, '>');
	for (char *a; end && (a = strstr(svg, " xmlns")) && a < end; end = strchr(svg, '>')) {
		char *q = strchr(a, '"');
		q = q ? strchr(q + 1, '"') : NULL;
		if (!q || q > end)
			break;
		memmove(a, q + 1, strlen(q + 1) + 1);
	}
}

/* One Graphviz context per process, never freed: Debian 12's pango plugin
 * keeps a pointer to the last font name, which gvFreeContext frees, and the
 * next context's text layout reads it (ASan: heap-use-after-free in
 * textspan_size on the second report of a process). */
static GVC_t *context(void)
{
	static GVC_t *gvc;
	if (!gvc)
		gvc = gvContext();
	return gvc;
}

#if defined(__SANITIZE_ADDRESS__)
/* The pango plugin's fontconfig caches live until exit by design; LSan
 * would call them leaks in every ASan binary that draws a report. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n";
}
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}
#endif

char *report_graph_svg(const struct report_model *m, enum report_lang lang)
{
	GVC_t *gvc = context();
	char *data = NULL, *out = NULL;
	unsigned int len = 0;
	if (!gvc)
		return NULL;
	Agraph_t *g = build(m, lang);
	if (g && gvLayout(gvc, g, "dot") == 0) {
		if (gvRenderData(gvc, g, "svg", &data, &len) == 0 && data) {
			const char *svg = strstr(data, "<svg");   /* drop prolog and DOCTYPE (a URL) */
			out = svg ? strdup(svg) : NULL;
			if (out)
				drop_namespaces(out);
		}
		gvFreeRenderData(data);
		gvFreeLayout(gvc, g);
	}
	if (g)
		agclose(g);
	return out;
}
