/* The report's one HTML escaper (character data and quoted attributes). */
#include "linegate/report.h"
#include "linegate/utf8.h"

void report_html_escape(FILE *to, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	while (*p) {
		size_t n = *p < 0x80 ? 1 : lg_utf8_len(p);
		switch (n == 1 ? *p : 0x100) {
		case '&': fputs("&amp;", to); break;
		case '<': fputs("&lt;", to); break;
		case '>': fputs("&gt;", to); break;
		case '"': fputs("&quot;", to); break;
		case '\'': fputs("&#39;", to); break;
		default:
			if (n == 0 || (n == 1 && *p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7f)
				fputs("\xef\xbf\xbd", to);   /* U+FFFD */
			else
				fwrite(p, 1, n, to);
		}
		p += n ? n : 1;
	}
}
