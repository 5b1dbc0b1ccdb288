/* A minimal JSON writer for control-socket answers: strings escaped per
 * RFC 8259 §7 so no config name or peer identity can break the document. */
#include <inttypes.h>
#include "daemon.h"

void json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

void json_key(FILE *out, bool *first, const char *key)
{
	if (!*first)
		fputc(',', out);
	*first = false;
	json_str(out, key);
	fputc(':', out);
}

void json_kv_str(FILE *out, bool *first, const char *key, const char *val)
{
	json_key(out, first, key);
	json_str(out, val);
}

void json_kv_u64(FILE *out, bool *first, const char *key, uint64_t v)
{
	json_key(out, first, key);
	fprintf(out, "%" PRIu64, v);
}

void json_kv_bool(FILE *out, bool *first, const char *key, bool v)
{
	json_key(out, first, key);
	fputs(v ? "true" : "false", out);
}
