/* `linegatectl audit verify|show`: the assessor's view of the journal. A
 * table of subcommands; human output by default, --json for machines.
 * Exit codes: 0 clean, 1 a fault (tampering) was found, 2 usage or I/O. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "linegate/json.h"
#include "linegate/log.h"
#include "audit_internal.h"

enum { MAX_LISTED = 100 };

enum mode { VERIFY, SHOW, EXPORT };

struct opts {
	const char *dir, *pubkey, *event, *peer, *head, *archive, *report;
	int64_t since_ms, until_ms;
	bool have_since, json;
	FILE *out;                     /* stdout, or an export's transcript */
};

static int usage(const char *msg)
{
	if (msg)
		fprintf(stderr, "audit: %s\n", msg);
	fprintf(stderr,
		"usage: linegatectl audit verify [--dir D] [--since T] [--until T] [--pubkey F] [--head F] [--json]\n"
		"       linegatectl audit verify --archive FILE.tar [--pubkey F]   (or: audit verify FILE.tar)\n"
		"       linegatectl audit export [--dir D] [--since T] [--until T] [--report F] OUT.tar\n"
		"       linegatectl audit show [--dir D] [--since T] [--until T] [--event E] [--peer P] [--json]\n"
		"T: RFC 3339 time (2026-11-28T10:00:00+08:00) or a UTC date (2026-11-28)\n");
	return 2;
}

static int parse_opts(int argc, char **argv, struct opts *o, enum mode mode)
{
	bool show = mode == SHOW;
	memset(o, 0, sizeof(*o));
	o->out = stdout;
	o->dir = AUDIT_DEFAULT_DIR;
	o->since_ms = INT64_MIN;
	o->until_ms = INT64_MAX;
	for (int i = 2; i < argc; i++) {
		char name[32];
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		const char *eq = strchr(a, '=');
		if (!strcmp(a, "--json")) {
			o->json = true;
			continue;
		}
		if (!show && a[0] != '-' && !o->archive) {
			o->archive = a;   /* audit verify FILE.tar, audit export OUT.tar */
			continue;
		}
		if (eq && strncmp(a, "--", 2) == 0 && (size_t)(eq - a) < sizeof(name)) {
			/* --dir=D, as linegatectl may pass it */
			memcpy(name, a, (size_t)(eq - a));
			name[eq - a] = '\0';
			a = name;
			val = eq + 1;
		} else if (!val) {
			return usage("option needs a value");
		} else {
			i++;
		}
		if (!strcmp(a, "--dir")) {
			o->dir = val;
		} else if (!strcmp(a, "--since") || !strcmp(a, "--until")) {
			int64_t ms;
			if (audit_time_parse(val, &ms))
				return usage("bad time");
			if (a[2] == 's') {
				o->since_ms = ms;
				o->have_since = true;
			} else {
				/* a bare date as --until means the whole day */
				o->until_ms = strlen(val) == 10 ? ms + 86400000 - 1 : ms;
			}
		} else if (mode == VERIFY && !strcmp(a, "--pubkey")) {
			o->pubkey = val;
		} else if (mode == VERIFY && !strcmp(a, "--head")) {
			o->head = val;
		} else if (mode == EXPORT && !strcmp(a, "--report")) {
			o->report = val;
		} else if (mode == VERIFY && !strcmp(a, "--archive")) {
			o->archive = val;
		} else if (show && !strcmp(a, "--event")) {
			o->event = val;
		} else if (show && !strcmp(a, "--peer")) {
			o->peer = val;
		} else {
			return usage("unknown option");
		}
	}
	return 0;
}

struct vctx {
	struct opts *o;
	struct audit_finding list[MAX_LISTED];
	size_t n;
	struct audit_finding notes[MAX_LISTED];   /* kind unused */
	size_t n_notes;
};

static void on_finding(void *ctx, const struct audit_finding *f)
{
	struct vctx *c = ctx;
	if (c->n < MAX_LISTED)
		c->list[c->n++] = *f;
	if (!c->o->json)
		fprintf(c->o->out, "FAULT %s %s:%llu: %s\n", audit_fault_kind_name(f->kind), f->file,
		       (unsigned long long)f->line, f->msg);
}

static void on_note(void *ctx, const char *file, uint64_t line, const char *msg)
{
	struct vctx *c = ctx;
	if (c->n_notes < MAX_LISTED) {
		struct audit_finding *n = &c->notes[c->n_notes++];
		snprintf(n->file, sizeof(n->file), "%s", file);
		n->line = line;
		snprintf(n->msg, sizeof(n->msg), "%s", msg);
	}
	if (!c->o->json)
		fprintf(c->o->out, "note %s:%llu: %s\n", file, (unsigned long long)line, msg);
}

static void finding_json(json_t *o, const struct audit_finding *f)
{
	lg_json_set_str(o, "kind", audit_fault_kind_name(f->kind));
	lg_json_set_str(o, "file", f->file);
	lg_json_set_u64(o, "line", f->line);
	lg_json_set_u64(o, "seq", f->seq);
	lg_json_set_str(o, "message", f->msg);
}

static void verify_json(const struct opts *o, const struct vctx *c, const struct audit_verifier *v,
			const char *keysrc)
{
	json_t *doc = json_object();
	lg_json_set_str(doc, "dir", o->dir);
	lg_json_set_str(doc, "key", keysrc);
	lg_json_set_u64(doc, "files", v->files);
	lg_json_set_u64(doc, "records", v->records);
	lg_json_set_u64(doc, "checkpoints", v->checkpoints);
	lg_json_set_u64(doc, "gaps", v->gaps);
	lg_json_set_u64(doc, "faults", v->faults);
	lg_json_set_bool(doc, "ok", !v->faults);
	lg_json_set_u64(doc, "unsigned", v->unsigned_records);
	if (v->check_end && v->head_err == 0)
		lg_json_set_u64(doc, "head_seq", v->signed_head.seq);
	if (v->faults)
		finding_json(lg_json_set_object(doc, "first"), &v->first);
	json_t *arr = lg_json_set_array(doc, "findings");
	for (size_t i = 0; i < c->n; i++)
		finding_json(lg_json_append_object(arr), &c->list[i]);
	arr = lg_json_set_array(doc, "notes");
	for (size_t i = 0; i < c->n_notes; i++) {
		json_t *n = lg_json_append_object(arr);
		lg_json_set_str(n, "file", c->notes[i].file);
		lg_json_set_u64(n, "line", c->notes[i].line);
		lg_json_set_str(n, "message", c->notes[i].msg);
	}
	lg_json_print(o->out, doc);
}

static void verify_summary(const struct opts *o, const struct vctx *c, const struct audit_verifier *v,
			   const char *keysrc)
{
	if (!o->json) {
		fprintf(o->out, "journal %s: %llu files, %llu records, %llu checkpoints, %llu recorded gaps; key: %s\n",
		       o->dir, (unsigned long long)v->files, (unsigned long long)v->records,
		       (unsigned long long)v->checkpoints, (unsigned long long)v->gaps, keysrc);
		if (v->check_end && v->head_err == 0)
			fprintf(o->out, "signed head: seq %llu\n", (unsigned long long)v->signed_head.seq);
		if (v->unsigned_records)
			fprintf(o->out, "unsigned: %llu records after the last signed checkpoint\n",
			       (unsigned long long)v->unsigned_records);
		if (v->faults)
			fprintf(o->out, "result: FAULT (%llu) first: %s at %s:%llu: %s\n",
			       (unsigned long long)v->faults, audit_fault_kind_name(v->first.kind),
			       v->first.file, (unsigned long long)v->first.line, v->first.msg);
		else if (v->unsigned_records)
			fprintf(o->out, "result: OK, %llu UNSIGNED records at the end\n",
			       (unsigned long long)v->unsigned_records);
		else
			fprintf(o->out, "result: OK\n");
		return;
	}
	verify_json(o, c, v, keysrc);
}

static int day_range(const struct opts *o, int64_t *lo, int64_t *hi, bool hi_slack)
{
	*lo = o->since_ms == INT64_MIN ? INT64_MIN : audit_day_of_ms(o->since_ms);
	*hi = o->until_ms == INT64_MAX ? INT64_MAX : audit_day_of_ms(o->until_ms);
	/* a record is in the file of the UTC day of its time (or, after the
	 * clock went back, a later one: show reads one more day for those) */
	if (*hi != INT64_MAX && hi_slack)
		(*hi)++;
	return 0;
}

static int run_verify(struct opts *o)
{
	int64_t lo, hi;
	const char *keysrc = "pinned in the journal (no external key)";
	struct audit_verifier *v = malloc(sizeof(*v));
	struct vctx *c = calloc(1, sizeof(*c));
	if (!v || !c) {
		free(v);
		free(c);
		return 2;
	}
	audit_verify_init(v);
	c->o = o;
	v->on_finding = on_finding;
	v->on_note = on_note;
	v->ctx = c;
	v->anchored_start = o->have_since;
	v->head_file = o->head;
	int rc = 0;
	char pubpath[CONF_PATH_MAX + 16];
	snprintf(pubpath, sizeof(pubpath), "%s/%s", o->dir, AUDIT_PUB_FILE);
	if (o->pubkey) {
		rc = audit_pubkey_read(o->pubkey, v->trusted);
		keysrc = o->pubkey;
	} else if (access(pubpath, R_OK) == 0) {
		rc = audit_pubkey_read(pubpath, v->trusted);
		keysrc = "audit.pub in the journal directory (pass --pubkey for an external copy)";
	}
	v->have_trusted = (o->pubkey || access(pubpath, R_OK) == 0) && rc == 0;
	if (rc) {
		fprintf(stderr, "audit: cannot read public key: %s\n", strerror(-rc));
		free(v);
		free(c);
		return 2;
	}
	day_range(o, &lo, &hi, false);
	rc = audit_verify_dir(v, o->dir, lo, hi);
	if (rc) {
		fprintf(stderr, "audit: %s: %s\n", o->dir, strerror(-rc));
		free(v);
		free(c);
		return 2;
	}
	audit_verify_finish(v);
	if (v->files == 0 && !o->json)
		fprintf(o->out, "no journal files in %s\n", o->dir);
	verify_summary(o, c, v, keysrc);
	int code = v->faults ? 1 : 0;
	free(v);
	free(c);
	return code;
}

int audit_verify_report(FILE *out, const char *dir, const char *pubkey, const char *head,
			int64_t since_ms, int64_t until_ms)
{
	struct opts o = { .dir = dir, .pubkey = pubkey, .head = head, .since_ms = since_ms,
			  .until_ms = until_ms, .have_since = since_ms != INT64_MIN, .out = out };
	return run_verify(&o);
}

static int cmd_verify(int argc, char **argv)
{
	struct opts o;
	if (parse_opts(argc, argv, &o, VERIFY))
		return 2;
	if (o.archive)
		return audit_archive_verify(o.archive, o.pubkey);
	return run_verify(&o);
}

struct sctx {
	struct opts *o;
	struct audit_record rec;
	uint64_t shown;
};

static bool matches(const struct opts *o, const struct audit_record *r)
{
	if (r->ts_ms < o->since_ms || r->ts_ms > o->until_ms)
		return false;
	if (o->event && strcmp(o->event, r->event))
		return false;
	if (o->peer) {
		const char *p = audit_record_detail(r, "peer");
		if (strcmp(o->peer, r->subject) && strcmp(o->peer, r->object) && (!p || strcmp(o->peer, p)))
			return false;
	}
	return true;
}

static void show_human(const struct audit_record *r, bool hash_ok)
{
	char esc[AUDIT_VALUE_MAX * 4];
	printf("%s #%llu%s %s %s", r->ts, (unsigned long long)r->seq, hash_ok ? "" : " [ALTERED]",
	       r->event, r->outcome);
	audit_escape_kv(r->subject, esc, sizeof(esc));
	printf(" subject=%s", esc);
	audit_escape_kv(r->object, esc, sizeof(esc));
	printf(" object=%s", esc);
	for (size_t i = 0; i < r->n_details; i++) {
		if (!strcmp(r->dkey[i], "sig"))
			continue;   /* 128 hex digits nobody reads */
		audit_escape_kv(r->dval[i], esc, sizeof(esc));
		printf(" %s=%s", r->dkey[i], esc);
	}
	printf("\n");
}

static bool show_line(void *ctx, const char *line, size_t len, uint64_t offset)
{
	struct sctx *c = ctx;
	(void)offset;
	int rc = audit_record_parse(line, len, &c->rec);
	if (rc == -EINVAL || !matches(c->o, &c->rec))
		return true;
	c->shown++;
	if (c->o->json)
		printf("%.*s\n", (int)len, line);
	else
		show_human(&c->rec, rc == 0);
	return true;
}

static int cmd_show(int argc, char **argv)
{
	struct opts o;
	int64_t lo, hi;
	if (parse_opts(argc, argv, &o, SHOW))
		return 2;
	enum audit_event ev;
	if (o.event && !audit_event_parse(o.event, &ev))
		return usage("unknown event name (see docs/audit-events.md)");
	struct sctx *c = calloc(1, sizeof(*c));
	if (!c)
		return 2;
	c->o = &o;
	day_range(&o, &lo, &hi, true);
	int rc = audit_read_range(o.dir, lo, hi, show_line, c);
	free(c);
	if (rc) {
		fprintf(stderr, "audit: %s: %s\n", o.dir, strerror(-rc));
		return 2;
	}
	return 0;
}

static int cmd_export(int argc, char **argv)
{
	struct opts o;
	if (parse_opts(argc, argv, &o, EXPORT))
		return 2;
	if (!o.archive)
		return usage("export needs the archive to write (OUT.tar)");
	struct audit_export_args a = { .dir = o.dir, .out = o.archive, .report = o.report,
				       .since_ms = o.since_ms, .until_ms = o.until_ms };
	return audit_export_write(&a);
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "verify", cmd_verify },
	{ "show", cmd_show },
	{ "export", cmd_export },
};

int audit_cli_main(int argc, char **argv)
{
	if (argc < 2)
		return usage(NULL);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc, argv);
	return usage("unknown audit command");
}
