/* `linegatectl audit export`: the audit module packs the journal; the
 * compliance reports it cannot make itself are made here and handed over:
 * compliance.json (the running daemon's, read-only group, else the static
 * one from the configuration, else a note why there is none), and the
 * assessor report as it stands at export time, report.html, with its
 * detached signature by the exported journal's key when this user may read
 * it (root), and a MANIFEST line saying where it came from. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/audit.h"
#include "linegate/policy.h"
#include "ctl.h"

static int static_report(const struct config *cfg, FILE *out)
{
	struct regiondb *db = NULL;
	char err[512] = "";
	if (cfg->compliance.region_db[0] &&
	    regiondb_load(cfg->compliance.region_db, &db, err, sizeof(err)) != 0)
		return -EINVAL;
	policy_report(cfg, db, NULL, true, out);
	if (db)
		regiondb_free(db);
	return 0;
}

static void export_json(const struct ctl_export *x)
{
	struct control_request rq = { .json = true };
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return;
	snprintf(rq.command, sizeof(rq.command), "compliance");
	int code = ctl_request(x->socket, &rq, m, stderr, x->timeout_s);
	bool ok = code == CONTROL_OK || code == CONTROL_OK_VIOLATIONS;
	if (!ok && x->cfg) {
		rewind(m);
		ok = static_report(x->cfg, m) == 0;
	}
	fclose(m);
	if (ok)
		audit_export_add_member("compliance.json", buf, len);
	else {
		static const char why[] = "no compliance report: the daemon did not answer (not "
					  "running, or this user is not in its read-only group) and "
					  "the configuration could not be read\n";
		audit_export_add_member("compliance.txt", why, sizeof(why) - 1);
	}
	free(buf);
}

static void export_html(const struct ctl_export *x)
{
	char *html = NULL, *sig = NULL, note[480];
	size_t len = 0, slen = 0;
	bool live = false;
	if (!x->cfg) {
		audit_export_add_note("report", "none: the configuration could not be read");
		return;
	}
	if (ctl_report_html(x->cfg, x->socket, &html, &len, &live) ||
	    audit_export_add_member("report.html", html, len)) {
		audit_export_add_note("report", "none: the report could not be made");
		free(html);
		return;
	}
	FILE *f = open_memstream(&sig, &slen);
	int rc = f ? audit_report_sign(x->journal_dir, html, len, f) : -ENOMEM;
	if (f && fclose(f) && rc == 0)
		rc = -EIO;
	if (rc == 0)
		rc = audit_export_add_member("report.html.sig", sig, slen);
	snprintf(note, sizeof(note), "made at export time from %s%.200s%s; %s",
		 live ? "the running daemon (live state) and the configuration " :
		 "the configuration ", x->config_path,
		 live ? "" : " alone (no daemon answered: no live state)",
		 rc == 0 ? "signed with the audit key (report.html.sig)" :
		 "unsigned (the audit key is root's)");
	audit_export_add_note("report", note);
	free(sig);
	free(html);
}

void ctl_export_compliance(const struct ctl_export *x)
{
	export_json(x);
	if (x->html)
		export_html(x);
}
