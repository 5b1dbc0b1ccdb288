/* Fuzzes the report's HTML escaper: whatever the bytes (a config value, a
 * wire identity), the output holds no markup character, every '&' starts
 * one of the entities the escaper writes, and it is valid UTF-8. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/report.h"
#include "linegate/utf8.h"

static void check(const char *out, size_t len)
{
	static const char *const entities[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&#39;" };
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)out[i];
		if (c == '<' || c == '>' || c == '"' || c == '\'' || c == 0)
			abort();
		if (c == '&') {
			size_t k = 0;
			while (k < 5 && strncmp(out + i, entities[k], strlen(entities[k])))
				k++;
			if (k == 5)
				abort();
		}
		size_t n = c < 0x80 ? 1 : lg_utf8_len((const unsigned char *)out + i);
		if (!n || (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
			abort();
		i += n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1), *out = NULL;
	size_t len = 0;
	if (!in)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';   /* the escaper takes C strings: it stops at the first NUL */
	FILE *f = open_memstream(&out, &len);
	if (f) {
		report_html_escape(f, in);
		fclose(f);
		check(out, len);
	}
	free(out);
	free(in);
	return 0;
}
