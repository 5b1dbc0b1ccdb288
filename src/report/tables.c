/* The report's tables: the journal's verified state in the header, and one
 * table per peer or static SA with everything an assessor asks about it. */
#include <inttypes.h>
#include <stddef.h>
#include "linegate/log.h"
#include "report_internal.h"

void report_journal_row(FILE *to, const struct report_model *m, enum report_lang lang)
{
	const struct lg_report_journal *j = &m->meta->journal;
	char buf[512], a[LG_TIME_MAX], b[LG_TIME_MAX];

	if (!j->read) {
		snprintf(buf, sizeof(buf), "not read / 未读取%s%s", j->error[0] ? ": " : "", j->error);
	} else if (!j->files) {
		snprintf(buf, sizeof(buf), "no journal files / 无审计日志文件 (retention %u days)", j->retention_days);
	} else {
		lg_time_format((uint64_t)j->first_ms, a, sizeof(a));
		lg_time_format((uint64_t)j->last_ms, b, sizeof(b));
		snprintf(buf, sizeof(buf),
			 "%s; seq %" PRIu64 "..%" PRIu64 " (%" PRIu64 " records, %" PRIu64 " files, %" PRIu64
			 " signed checkpoints); first %s, last %s; signed head %s%" PRIu64 "; %" PRIu64
			 " unsigned at the end; retention %u days",
			 j->ok ? "verified OK / 校验通过" : "FAULTS FOUND / 发现异常", j->first_seq, j->last_seq,
			 j->records, j->files, j->checkpoints, a, b, j->have_head ? "seq " : "missing ",
			 j->have_head ? j->head_seq : 0, j->unsigned_records, j->retention_days);
	}
	fputs("<tr><th>", to);
	report_t(to, lang, "审计日志", "audit journal");
	fprintf(to, "</th><td class=\"%s\">", j->read && j->ok ? "ok" : "bad");
	report_html_escape(to, buf);
	fputs("</td></tr>\n", to);
}

static void cell(FILE *to, const char *s)
{
	fputs("<td>", to);
	report_html_escape(to, s && s[0] ? s : "-");
	fputs("</td>", to);
}

static void field(FILE *to, enum report_lang lang, const char *zh, const char *en, const char *val)
{
	fputs("<tr><th>", to);
	report_t(to, lang, zh, en);
	fputs("</th>", to);
	cell(to, val);
	fputs("</tr>\n", to);
}

static void live_text(const struct report_model *m, const struct report_entry *e, char *out, size_t n)
{
	if (!m->live || !e->have_live)
		snprintf(out, n, "no daemon: from the configuration / 守护进程未运行：仅依据配置");
	else
		snprintf(out, n, "uplink %s, tunnel %s%s%s%s; SAs: %s", e->uplink_up ? "up" : "DOWN",
			 e->tunnel_up ? "up" : "down", e->egress[0] ? " (egress " : "", e->egress,
			 e->egress[0] ? ")" : "", e->sas[0] ? e->sas : "none / 无");
}

static void entry_table(FILE *to, const struct report_model *m, const struct report_entry *e,
			enum report_lang lang)
{
	const struct conf_uplink *u = e->uplink;
	char buf[REPORT_TEXT];

	fputs("<table>\n<tr><th style=\"width:28%\">", to);
	report_t(to, lang, e->is_static ? "静态 SA（实验）" : "对端", e->is_static ? "static SA (lab)" : "peer");
	fputs("</th><th>", to);
	report_html_escape(to, e->name);
	fputs("</th></tr>\n", to);
	field(to, lang, "对端地址", "endpoint", e->endpoint);
	snprintf(buf, sizeof(buf), "%s / %s / %s", e->region.declared[0] ? e->region.declared : "-",
		 e->region.private_endpoint ? "private" : (e->region.database[0] ? e->region.database : "-"),
		 e->region.effective[0] ? e->region.effective : "-");
	field(to, lang, "地区（声明/数据库/生效）", "region (declared / database / effective)", buf);
	field(to, lang, "类别", "class", e->region.cross_border ? "cross-border / 跨境" : "domestic / 境内");
	snprintf(buf, sizeof(buf), "%s: %s", report_entry_rule(e), e->why);
	field(to, lang, "判定规则", "deciding rule", buf);
	if (u)
		snprintf(buf, sizeof(buf), "%s (%s)%s", u->name, u->ifname,
			 u->licensed ? " licensed circuit / 持牌专线" : "");
	field(to, lang, "上行链路", "uplink", u ? buf : "-");
	if (u && u->carrier[0])
		snprintf(buf, sizeof(buf), "%s (%s)", u->carrier, e->carrier_on_list ?
			 "on the licensed list / 在持牌名单内" : "NOT on the licensed list / 不在持牌名单内");
	field(to, lang, "运营商", "carrier", u && u->carrier[0] ? buf : "-");
	field(to, lang, "电路编号", "circuit id", u ? u->circuit_id : "");
	field(to, lang, "合同编号", "contract number", u ? u->contract : "");
	field(to, lang, "运营商许可证", "carrier licence", u ? u->carrier_licence : "");
	field(to, lang, "本端选择子", "local selectors", e->local_ts);
	field(to, lang, "对端选择子", "remote selectors", e->remote_ts);
	field(to, lang, "本端身份", "local identity", e->local_id);
	field(to, lang, "对端身份", "remote identity", e->remote_id);
	char live[REPORT_TEXT + 128];
	live_text(m, e, live, sizeof(live));
	field(to, lang, "运行状态", "live state", live);
	fputs("<tr><th>", to);
	report_t(to, lang, "结论", "verdict");
	fprintf(to, "</th><td class=\"%s\">", e->n_findings ? "bad" : "ok");
	report_verdict_text(e, lang, buf, sizeof(buf));
	report_html_escape(to, buf);
	for (size_t i = 0; i < e->n_findings; i++) {
		fputs("<br>", to);
		report_html_escape(to, e->findings[i].message);
	}
	fputs("</td></tr>\n</table>\n", to);
}

void report_peer_tables(FILE *to, const struct report_model *m, enum report_lang lang)
{
	fputs("<h2>", to);
	report_t(to, lang, "对端与静态 SA", "Peers and static SAs");
	fputs("</h2>\n", to);
	if (!m->n_entries) {
		fputs("<p>", to);
		report_t(to, lang, "未配置对端。", "No peers are configured.");
		fputs("</p>\n", to);
	}
	for (size_t i = 0; i < m->n_entries; i++)
		entry_table(to, m, &m->entries[i], lang);
}
