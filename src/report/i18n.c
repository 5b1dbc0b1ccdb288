/* The report's two languages: Simplified Chinese for the assessor and the
 * regulator, English for the engineers; both side by side when asked. */
#include <string.h>
#include "report_internal.h"

void report_t(FILE *to, enum report_lang lang, const char *zh, const char *en)
{
	if (lang & REPORT_ZH)
		report_html_escape(to, zh);
	if (lang == REPORT_BOTH)
		fputs(" <span class=\"en\">", to);
	if (lang & REPORT_EN)
		report_html_escape(to, en);
	if (lang == REPORT_BOTH)
		fputs("</span>", to);
}

void report_verdict_text(const struct report_entry *e, enum report_lang lang, char *out, size_t n)
{
	const char *zh, *en;
	if (e->n_findings) {
		zh = "拒绝";
		en = "REFUSED";
	} else if (e->region.cross_border) {
		zh = "合规：持牌运营商专线";
		en = "lawful: licensed circuit";
	} else {
		zh = "合规：境内";
		en = "lawful: domestic";
	}
	const char *rule = e->n_findings ? policy_reason_name(e->findings[0].reason) : "";
	snprintf(out, n, "%s%s%s%s%s", lang & REPORT_ZH ? zh : "", lang == REPORT_BOTH ? " / " : "",
		 lang & REPORT_EN ? en : "", rule[0] ? "\n" : "", rule);
}
