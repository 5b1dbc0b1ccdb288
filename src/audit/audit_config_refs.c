/* The configurations a stretch of the journal names: the blake2b of every
 * config_loaded and config_reloaded record, which `audit export` packs and
 * `audit verify --archive` resolves against the stored copies. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit_internal.h"

enum { REFS_MAX = 4096 };

struct scan {
	struct audit_config_refs *out;
	struct audit_record rec;
	int err;
};

bool audit_config_refs_has(const struct audit_config_refs *r, const char *hex)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->hex[i], hex))
			return true;
	return false;
}

static bool on_line(void *ctx, const char *line, size_t len, uint64_t offset)
{
	struct scan *s = ctx;
	(void)offset;
	if (audit_record_parse(line, len, &s->rec) != 0 ||
	    (strcmp(s->rec.event, "config_loaded") && strcmp(s->rec.event, "config_reloaded")))
		return true;
	const char *h = audit_record_detail(&s->rec, "blake2b");
	if (!h || strlen(h) != AUDIT_HEX_HASH || strspn(h, "0123456789abcdef") != AUDIT_HEX_HASH ||
	    audit_config_refs_has(s->out, h))
		return true;
	if (s->out->n == REFS_MAX) {
		s->err = -E2BIG;
		return false;
	}
	void *p = realloc(s->out->hex, (s->out->n + 1) * sizeof(*s->out->hex));
	if (!p) {
		s->err = -ENOMEM;
		return false;
	}
	s->out->hex = p;
	snprintf(s->out->hex[s->out->n++], AUDIT_HEX_HASH + 1, "%s", h);
	return true;
}

int audit_config_refs_scan(const char *dir, int64_t lo_day, int64_t hi_day,
			   struct audit_config_refs *out)
{
	struct scan *s = calloc(1, sizeof(*s));
	memset(out, 0, sizeof(*out));
	if (!s)
		return -ENOMEM;
	s->out = out;
	int rc = audit_read_range(dir, lo_day, hi_day, on_line, s);
	if (rc == 0)
		rc = s->err;
	free(s);
	return rc;
}

void audit_config_refs_free(struct audit_config_refs *r)
{
	free(r->hex);
	memset(r, 0, sizeof(*r));
}
