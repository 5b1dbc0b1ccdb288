/* The assessor report of `linegatectl report`: one self-contained HTML file
 * (inline CSS, an SVG topology drawn by Graphviz, no URL of any kind) in
 * Simplified Chinese and/or English. The model is built from the config and
 * the policy verdicts (never from the terminal table), the graph and the
 * HTML are written from the model. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "linegate/policy.h"
#include "linegate/report_meta.h"

enum report_lang { REPORT_ZH = 1, REPORT_EN = 2, REPORT_BOTH = 3 };
enum { REPORT_MAX_FINDINGS = 16, REPORT_TEXT = 512 };

struct report_entry {
	const char *name;
	bool is_static;                 /* a lab static SA, not an IKE peer */
	char endpoint[LG_ADDRSTRLEN];
	struct policy_region region;
	char why[256];
	const struct conf_uplink *uplink;   /* NULL: none */
	bool carrier_on_list;
	char local_id[160], remote_id[160];
	char local_ts[REPORT_TEXT], remote_ts[REPORT_TEXT];
	bool have_live, uplink_up, tunnel_up;
	char egress[16];                /* live: the interface the endpoint's route leaves by */
	char sas[REPORT_TEXT];          /* live: its IKE and CHILD SAs, "" none */
	size_t n_findings;
	struct policy_verdict findings[REPORT_MAX_FINDINGS];
};

struct report_model {
	const struct config *cfg;
	const struct lg_report_meta *meta;
	struct report_entry *entries;   /* peers, then static SAs */
	size_t n_entries;
	size_t n_site;
	struct policy_verdict site[REPORT_MAX_FINDINGS];
	bool live;                      /* a daemon answered: live state is filled */
};

/* 0 or -ENOMEM. cfg, db and meta must outlive the model. */
int report_model_build(const struct config *cfg, const struct regiondb *db,
		       const struct lg_report_meta *meta, struct report_model *out);
void report_model_free(struct report_model *m);
/* The entry of that name, or NULL (live facts from the daemon are set by name). */
struct report_entry *report_model_find(struct report_model *m, const char *name);
/* "domestic", "cross_border_licensed_circuit" or the first violation's reason. */
const char *report_entry_rule(const struct report_entry *e);
size_t report_model_violations(const struct report_model *m);

/* The topology as an <svg> element (no XML prolog, no DOCTYPE): malloc'd,
 * NUL-terminated; NULL when Graphviz failed (the HTML then says so). */
char *report_graph_svg(const struct report_model *m, enum report_lang lang);

/* The whole document. 0 or -EIO. */
int report_html_write(FILE *to, const struct report_model *m, enum report_lang lang);

/* Text as HTML character data or attribute value: & < > " ' as entities,
 * invalid UTF-8 and control characters (but tab and newline) as U+FFFD, so
 * nothing from a config or a wire identity can open a tag or an attribute. */
void report_html_escape(FILE *to, const char *s);
