/* Prometheus text exposition format 0.0.4 (prometheus/docs, "Exposition
 * formats"): escaping done here only, so no family can disagree on it.
 * Label values are UTF-8: a peer name in Chinese stays readable, an invalid
 * byte becomes U+FFFD as in the journal and the JSON writer. */
#include <inttypes.h>
#include "linegate/prom.h"
#include "linegate/utf8.h"

void lg_prom_label_value(FILE *out, const char *value)
{
	const unsigned char *s = (const unsigned char *)(value ? value : "");

	while (*s) {
		size_t n = *s < 0x80 ? 1 : lg_utf8_len(s);   /* it judges multi-byte forms */
		if (*s == '\\' || *s == '"')
			fprintf(out, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", out);
		else if (n)
			fwrite(s, 1, n, out);
		else
			fputs("\xef\xbf\xbd", out);
		s += n ? n : 1;
	}
}

/* HELP text: only backslash and line feed are escaped (a quote is not). */
static void help_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
}

void lg_prom_family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s ", name);
	help_text(out, help);
	fprintf(out, "\n# TYPE %s %s\n", name, type);
}

static void series(FILE *out, const char *name, const struct lg_prom_label *labels, size_t n)
{
	fputs(name, out);
	if (!n)
		return;
	fputc('{', out);
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "%s%s=\"", i ? "," : "", labels[i].name);
		lg_prom_label_value(out, labels[i].value);
		fputc('"', out);
	}
	fputc('}', out);
}

void lg_prom_u64(FILE *out, const char *name, const struct lg_prom_label *labels, size_t n,
		 uint64_t value)
{
	series(out, name, labels, n);
	fprintf(out, " %" PRIu64 "\n", value);
}

void lg_prom_seconds(FILE *out, const char *name, const struct lg_prom_label *labels, size_t n,
		     uint64_t ms)
{
	series(out, name, labels, n);
	fprintf(out, " %" PRIu64 ".%03" PRIu64 "\n", ms / 1000, ms % 1000);
}
