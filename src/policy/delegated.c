/* Converter from the Regional Internet Registries' "delegated" statistics
 * files (RIR statistics exchange format: registry|cc|type|start|value|date|
 * status[|opaque-id[|extensions]]) into the region database text format.
 * An IPv4 record counts addresses, and the count need not be a power of two
 * (e.g. 1.0.8.0 + 6144 = 1.0.8.0/21 + 1.0.16.0/20), so the range is split
 * into the minimal list of prefixes; an IPv6 record's value is a prefix length. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/cursor.h"
#include "policy_internal.h"

enum {
	DLG_LINE_MAX = 1024,
	DLG_FIELDS_MAX = 8,
};

struct dlg_record {
	char *f[DLG_FIELDS_MAX];
	size_t n;
};

static void split_fields(char *line, struct dlg_record *r)
{
	r->n = 0;
	char *p = line;
	for (;;) {
		if (r->n == DLG_FIELDS_MAX)
			return;   /* extensions beyond the known fields are ignored */
		r->f[r->n++] = p;
		char *bar = strchr(p, '|');
		if (!bar)
			return;
		*bar = '\0';
		p = bar + 1;
	}
}

static bool all_digits(const char *s, bool dots_ok)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s) && !(dots_ok && *s == '.'))
			return false;
	return true;
}

static void emit(FILE *out, const struct lg_prefix *p, const char *cc, struct regiondb_convert_stats *st)
{
	char buf[LG_ADDRSTRLEN];
	fprintf(out, "%s %c%c\n", lg_prefix_format(p, buf, sizeof(buf)),
		toupper((unsigned char)cc[0]), toupper((unsigned char)cc[1]));
	st->prefixes++;
}

static const char *convert_ipv4(const struct dlg_record *r, FILE *out, struct regiondb_convert_stats *st)
{
	struct lg_range range = { .family = AF_INET };
	struct lg_prefix parts[64];
	int family;
	uint8_t a[16];

	if (lg_addr_parse(r->f[3], &family, a) || family != AF_INET)
		return "ipv4 record with an invalid start address";
	if (!all_digits(r->f[4], false) || strlen(r->f[4]) > 10)
		return "ipv4 record with an invalid address count";
	unsigned long long count = strtoull(r->f[4], NULL, 10);
	unsigned long long first = (unsigned long long)a[0] << 24 | (unsigned long long)a[1] << 16 |
				   (unsigned long long)a[2] << 8 | a[3];
	if (count == 0 || first + count - 1 > 0xffffffffULL)
		return "ipv4 record whose count is zero or runs past 255.255.255.255";
	unsigned long long last = first + count - 1;
	memcpy(range.start, a, 4);
	for (int i = 0; i < 4; i++)
		range.end[i] = (uint8_t)(last >> (24 - 8 * i));
	size_t n = lg_range_to_prefixes(&range, parts, 64);
	for (size_t i = 0; i < n && i < 64; i++)
		emit(out, &parts[i], r->f[1], st);
	return NULL;
}

static const char *convert_ipv6(const struct dlg_record *r, FILE *out, struct regiondb_convert_stats *st)
{
	char text[LG_ADDRSTRLEN + 8];
	struct lg_prefix p;

	if (!all_digits(r->f[4], false) || strlen(r->f[4]) > 3 || atoi(r->f[4]) > 128)
		return "ipv6 record with an invalid prefix length";
	if (strlen(r->f[3]) > LG_ADDRSTRLEN || !strchr(r->f[3], ':'))
		return "ipv6 record with an invalid start address";
	snprintf(text, sizeof(text), "%s/%s", r->f[3], r->f[4]);
	if (lg_prefix_parse(text, &p) || p.family != AF_INET6)
		return "ipv6 record with an invalid start address or host bits set";
	emit(out, &p, r->f[1], st);
	return NULL;
}

/* NULL = converted or skipped; otherwise the error text. */
static const char *convert_line(char *line, FILE *out, struct regiondb_convert_stats *st)
{
	struct dlg_record r;
	size_t l = strlen(line);
	while (l && (line[l - 1] == '\r' || line[l - 1] == ' ' || line[l - 1] == '\t'))
		line[--l] = '\0';
	if (!l || line[0] == '#') {
		st->skipped++;
		return NULL;
	}
	split_fields(line, &r);
	/* Version line "2|apnic|20231201|..." (first field a version number) and
	 * summary lines "apnic|*|ipv4|*|47123|summary". */
	if (all_digits(r.f[0], true) || (r.n >= 6 && !strcmp(r.f[5], "summary"))) {
		st->skipped++;
		return NULL;
	}
	if (r.n < 7)
		return "expected registry|cc|type|start|value|date|status";
	bool v4 = !strcmp(r.f[2], "ipv4"), v6 = !strcmp(r.f[2], "ipv6");
	bool delegated = !strcmp(r.f[6], "allocated") || !strcmp(r.f[6], "assigned");
	bool has_cc = strlen(r.f[1]) == 2 && isalpha((unsigned char)r.f[1][0]) &&
		      isalpha((unsigned char)r.f[1][1]) && strcasecmp(r.f[1], "ZZ");
	/* asn records, and available/reserved space (no country), are not regions. */
	if ((!v4 && !v6) || !delegated || !has_cc) {
		if (delegated && (v4 || v6) && !has_cc && strcasecmp(r.f[1], "ZZ") && r.f[1][0])
			return "country code must be two letters";
		st->skipped++;
		return NULL;
	}
	const char *msg = v4 ? convert_ipv4(&r, out, st) : convert_ipv6(&r, out, st);
	if (!msg)
		st->records++;
	return msg;
}

int regiondb_convert_delegated(const char *name, const char *buf, size_t len, FILE *out,
			       struct regiondb_convert_stats *stats, char *err, size_t errlen)
{
	struct regiondb_convert_stats st = { 0 };
	struct cursor c;
	const char *line;
	size_t llen;
	unsigned lineno = 0;

	if (errlen)
		err[0] = '\0';
	cursor_init(&c, buf, len);
	while (policy_next_line(&c, &line, &llen)) {
		char copy[DLG_LINE_MAX + 1];
		lineno++;
		if (llen > DLG_LINE_MAX || memchr(line, '\0', llen)) {
			snprintf(err, errlen, "%s:%u: %s", name, lineno,
				 llen > DLG_LINE_MAX ? "line too long" : "NUL byte in line");
			return -EINVAL;
		}
		memcpy(copy, line, llen);
		copy[llen] = '\0';
		const char *msg = convert_line(copy, out, &st);
		if (msg) {
			snprintf(err, errlen, "%s:%u: %s", name, lineno, msg);
			return -EINVAL;
		}
	}
	if (stats)
		*stats = st;
	return 0;
}
