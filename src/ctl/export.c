/* `linegatectl audit export`: the audit module packs the journal; the
 * compliance report it cannot make itself is made here and handed over as
 * compliance.json: the running daemon's (read-only group), else the static
 * one from the configuration, else a note why there is none. */
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

void ctl_export_compliance(const struct config *cfg, const char *socket, int timeout_s)
{
	struct control_request rq = { .json = true };
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return;
	snprintf(rq.command, sizeof(rq.command), "compliance");
	int code = ctl_request(socket, &rq, m, stderr, timeout_s);
	bool ok = code == CONTROL_OK || code == CONTROL_OK_VIOLATIONS;
	if (!ok && cfg) {
		rewind(m);
		ok = static_report(cfg, m) == 0;
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
