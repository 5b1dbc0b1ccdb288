/* `linegatectl report`: the signed assessor report (HTML, or the compliance
 * JSON with --format json), and `report verify FILE [SIG]`. Made from the
 * config like the static compliance report; when a daemon answers, its live
 * state per peer is added. Exit codes: 0 written / signature good, 1 bad
 * signature (or the report could not be signed as asked), 2 usage or I/O. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <jansson.h>
#include "linegate/audit.h"
#include "linegate/report.h"
#include "ctl.h"

struct report_opts {
	enum report_lang lang;
	bool json, sign, no_sign;
	const char *out, *sig, *key;
};

static int usage(void)
{
	fputs("usage: linegatectl report [--lang zh|en|both] [--format html|json] [-o FILE] [--sig SIG] [--no-sign]\n"
	      "       linegatectl report verify FILE [SIG] [--key PUBKEY]\n", stderr);
	return 2;
}

/* The daemon's JSON answer to command, or NULL (not running, refused). */
static json_t *ask(const char *socket_path, const char *command)
{
	struct control_request rq = { .json = true };
	char *body = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&body, &len);
	FILE *devnull = fopen("/dev/null", "w");
	snprintf(rq.command, sizeof(rq.command), "%s", command);
	int code = f && devnull ? ctl_request(socket_path, &rq, f, devnull, 10) : -ENOMEM;
	if (devnull)
		fclose(devnull);
	if (f)
		fclose(f);
	json_t *doc = (code == CONTROL_OK || code == CONTROL_OK_VIOLATIONS) && body ? json_loads(body, 0, NULL) : NULL;
	free(body);
	return doc;
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key)) ?: "";
}

/* "IKE <state> <encr> since <established>; CHILD in/out <encr>, ..." per
 * peer from the daemon's `sas` answer. */
static void add_sas(struct report_model *m, const char *socket_path)
{
	json_t *doc = ask(socket_path, "sas"), *sa, *c;
	size_t i, k;
	json_array_foreach(json_object_get(doc, "ike_sas"), i, sa) {
		struct report_entry *e = report_model_find(m, str(sa, "peer"));
		if (!e || strlen(e->sas) + 1 >= sizeof(e->sas))
			continue;
		size_t at = strlen(e->sas);
		snprintf(e->sas + at, sizeof(e->sas) - at, "%sIKE %s %s since %s", at ? "; " : "",
			 str(sa, "state"), str(sa, "encr"), str(sa, "established"));
		json_array_foreach(json_object_get(sa, "children"), k, c) {
			at = strlen(e->sas);   /* snprintf cut at the end: never past it */
			snprintf(e->sas + at, sizeof(e->sas) - at, ", CHILD %s/%s %s",
				 str(c, "spi_in"), str(c, "spi_out"), str(c, "encr"));
		}
	}
	json_decref(doc);
}

/* Live state per peer from the daemon's compliance and sas answers, when
 * one runs; true when it answered. */
static bool add_live(struct report_model *m, const char *socket_path)
{
	json_t *doc = ask(socket_path, "compliance");
	bool answered = doc != NULL;
	const char *lists[] = { "peers", "static_sas" };
	for (size_t l = 0; doc && l < 2; l++) {
		size_t i;
		json_t *p;
		json_array_foreach(json_object_get(doc, lists[l]), i, p) {
			struct report_entry *e = report_model_find(m, json_string_value(json_object_get(p, "name")) ?: "");
			json_t *live = json_object_get(p, "live");
			if (!e || !json_is_object(live))
				continue;
			e->have_live = m->live = true;
			e->uplink_up = json_is_true(json_object_get(live, "uplink_up"));
			e->tunnel_up = json_is_true(json_object_get(live, "tunnel_up"));
			snprintf(e->egress, sizeof(e->egress), "%s", str(live, "egress"));
		}
	}
	json_decref(doc);
	if (answered)
		add_sas(m, socket_path);
	return answered;
}

static int make_document(const struct config *cfg, const struct report_opts *ro, const char *socket_path,
			 char **buf, size_t *len, bool *live)
{
	static struct lg_report_meta meta;
	struct regiondb *db = NULL;
	char err[512] = "";
	if (cfg->compliance.region_db[0] && regiondb_load(cfg->compliance.region_db, &db, err, sizeof(err))) {
		fprintf(stderr, "linegatectl: region-db: %s\n", err);
		return 2;
	}
	audit_report_facts(cfg, true, &meta);
	meta.db_prefixes = regiondb_size(db);
	FILE *f = open_memstream(buf, len);
	struct report_model m;
	int rc = f ? report_model_build(cfg, db, &meta, &m) : -ENOMEM;
	if (rc == 0 && ro->json) {
		policy_report_doc(cfg, db, NULL, NULL, &meta, true, f);
		report_model_free(&m);
	} else if (rc == 0) {
		*live = add_live(&m, socket_path);
		rc = report_html_write(f, &m, ro->lang);
		report_model_free(&m);
	}
	if (f && fclose(f))
		rc = -EIO;
	regiondb_free(db);
	if (rc)
		fprintf(stderr, "linegatectl: report: %s\n", strerror(-rc));
	return rc ? 2 : 0;
}

static int write_file(const char *path, const char *buf, size_t len)
{
	FILE *f = fopen(path, "w");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "linegatectl: %s: %s\n", path, strerror(errno));
		return 2;
	}
	return 0;
}

static int sign(const struct config *cfg, const struct report_opts *ro, const char *buf, size_t len)
{
	char path[CONF_PATH_MAX + 8];
	if (ro->sig)
		snprintf(path, sizeof(path), "%s", ro->sig);
	else
		snprintf(path, sizeof(path), "%s.sig", ro->out);
	FILE *f = fopen(path, "w");
	int rc = f ? audit_report_sign(cfg->audit.journal_dir, buf, len, f) : -errno;
	if (f && fclose(f) && !rc)
		rc = -EIO;
	if (rc) {
		if (f)
			remove(path);
		fprintf(stderr, "linegatectl: report NOT signed: audit key in %s: %s%s\n", cfg->audit.journal_dir,
			strerror(-rc), rc == -EACCES ? " (only root may sign with the audit key)" : "");
		return 1;
	}
	fprintf(stderr, "linegatectl: signature written to %s\n", path);
	return 0;
}

static int parse(int argc, char **argv, struct report_opts *ro)
{
	static const struct option lo[] = {
		{ "lang", required_argument, NULL, 'l' }, { "format", required_argument, NULL, 'f' },
		{ "sig", required_argument, NULL, 's' }, { "no-sign", no_argument, NULL, 'n' },
		{ "key", required_argument, NULL, 'k' }, { NULL, 0, NULL, 0 },
	};
	int c;
	*ro = (struct report_opts){ .lang = REPORT_BOTH };
	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:", lo, NULL)) != -1) {
		if (c == 'l' && !strcmp(optarg, "zh"))
			ro->lang = REPORT_ZH;
		else if (c == 'l' && !strcmp(optarg, "en"))
			ro->lang = REPORT_EN;
		else if (c == 'l' && !strcmp(optarg, "both"))
			ro->lang = REPORT_BOTH;
		else if (c == 'f' && (!strcmp(optarg, "json") || !strcmp(optarg, "html")))
			ro->json = !strcmp(optarg, "json");
		else if (c == 'o')
			ro->out = optarg;
		else if (c == 's')
			ro->sig = optarg;
		else if (c == 'n')
			ro->no_sign = true;
		else if (c == 'k')
			ro->key = optarg;
		else
			return -1;
	}
	return optind;
}

int ctl_report(const struct config *cfg, bool json, int argc, char **argv)
{
	struct report_opts ro;
	char *buf = NULL;
	size_t len = 0;
	if (argc > 0 && !strcmp(argv[0], "verify"))
		return ctl_report_verify(cfg, argc, argv);
	char *av[64];
	if (argc + 2 > 64)
		return usage();
	av[0] = "report";   /* getopt wants a program name */
	memcpy(av + 1, argv, (size_t)argc * sizeof(*av));
	av[argc + 1] = NULL;
	int first = parse(argc + 1, av, &ro);
	if (first < 0 || first != argc + 1 || ro.key)
		return usage();
	ro.json |= json;
	bool live = false;
	int rc = make_document(cfg, &ro, cfg->control.socket_path, &buf, &len, &live);
	if (rc == 0 && ro.out)
		rc = write_file(ro.out, buf, len);
	else if (rc == 0)
		rc = fwrite(buf, 1, len, stdout) == len ? 0 : 2;
	if (rc == 0 && !ro.no_sign && (ro.out || ro.sig))
		rc = sign(cfg, &ro, buf, len);
	free(buf);
	return rc;
}

int ctl_report_html(const struct config *cfg, const char *socket_path, char **buf, size_t *len, bool *live)
{
	struct report_opts ro = { .lang = REPORT_BOTH };
	*live = false;
	return make_document(cfg, &ro, socket_path, buf, len, live);
}
