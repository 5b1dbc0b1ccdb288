/* The report as one self-contained HTML document: inline CSS with A4 print
 * rules, the topology SVG inline, every text from the config escaped
 * (report_html_escape), no URL of any kind: no font, script, style sheet or
 * image is fetched, so the file reads the same offline, years later. */
#include <errno.h>
#include <stdlib.h>
#include "linegate/log.h"
#include "report_internal.h"

static const char css[] =
	"body{font-family:\"Noto Sans CJK SC\",\"WenQuanYi Zen Hei\",\"Microsoft YaHei\",sans-serif;"
	"font-size:11pt;color:#1b2631;margin:2em;max-width:80em}"
	"h1{font-size:18pt;margin:0 0 .3em}h2{font-size:13pt;border-bottom:1px solid #aab7b8;margin-top:1.5em}"
	".en{color:#5d6d7e}table{border-collapse:collapse;width:100%;margin:.5em 0}"
	"th,td{border:1px solid #aab7b8;padding:.25em .4em;text-align:left;vertical-align:top;font-size:9.5pt}"
	"th{background:#eaeded}td.ok{color:#1e8449;font-weight:bold}td.bad{color:#c0392b;font-weight:bold}"
	".mono{font-family:monospace;word-break:break-all}.figure svg{max-width:100%;height:auto}"
	".legend span{display:inline-block;margin-right:2em}"
	"@page{size:A4;margin:14mm}"
	"@media print{body{margin:0;font-size:9pt;max-width:none}th,td{font-size:7.5pt}"
	"tr,.figure{break-inside:avoid}h2{break-after:avoid}}";

static void row(FILE *to, enum report_lang lang, const char *zh, const char *en, const char *val, bool mono)
{
	fputs("<tr><th>", to);
	report_t(to, lang, zh, en);
	fprintf(to, "</th><td%s>", mono ? " class=\"mono\"" : "");
	report_html_escape(to, val);
	fputs("</td></tr>\n", to);
}

static void header(FILE *to, const struct report_model *m, enum report_lang lang)
{
	const struct config *cfg = m->cfg;
	const struct lg_report_meta *mt = m->meta;
	char buf[512], t[LG_TIME_MAX], hex[65];

	fputs("<h1>", to);
	report_t(to, lang, "跨境与专线合规报告", "Compliance report: cross-border links and circuits");
	fputs("</h1>\n<table>\n", to);
	snprintf(buf, sizeof(buf), "%s (%s)", cfg->site.name, cfg->site.region);
	row(to, lang, "站点（地区）", "site (region)", buf, false);
	snprintf(buf, sizeof(buf), "%d", cfg->audit.mlps_level);
	row(to, lang, "等级保护级别", "MLPS level", buf, false);
	row(to, lang, "安全负责人", "security officer", cfg->audit.security_officer[0] ? cfg->audit.security_officer : "-", false);
	snprintf(buf, sizeof(buf), "linegate %s", mt->version);
	row(to, lang, "软件版本", "software version", buf, false);
	row(to, lang, "主机", "host", mt->host, false);
	lg_time_format(mt->generated_ms, t, sizeof(t));
	row(to, lang, "生成时间", "generated", t, false);
	if (mt->have_clock)
		snprintf(buf, sizeof(buf), "%s (adjtimex: %s, max error %lld us)",
			 mt->clock.synchronised ? "NTP synchronised / 已同步" : "NOT synchronised / 未同步",
			 lg_clock_sync_state_name(mt->clock.state), (long long)mt->clock.maxerror_us);
	else
		snprintf(buf, sizeof(buf), "unknown / 未知");
	row(to, lang, "时钟同步", "clock (NTP)", buf, false);
	snprintf(buf, sizeof(buf), "%s  BLAKE2b %s", mt->config_path, lg_hex(mt->config_hash, 32, hex));
	row(to, lang, "配置文件", "configuration", buf, true);
	if (mt->have_db) {
		lg_time_format((uint64_t)mt->db_mtime_ms, t, sizeof(t));
		snprintf(buf, sizeof(buf), "%s  BLAKE2b %s  (%s, %llu prefixes)", mt->db_path,
			 lg_hex(mt->db_hash, 32, hex), t, (unsigned long long)mt->db_prefixes);
	} else {
		snprintf(buf, sizeof(buf), "%s", mt->db_path[0] ? "unreadable / 无法读取" : "none / 未配置");
	}
	row(to, lang, "地区数据库", "region database", buf, true);
	report_journal_row(to, m, lang);
	fputs("</table>\n", to);
}

static void figure(FILE *to, const struct report_model *m, enum report_lang lang)
{
	fputs("<h2>", to);
	report_t(to, lang, "网络拓扑", "Topology");
	fputs("</h2>\n<div class=\"figure\">\n", to);
	char *svg = report_graph_svg(m, lang);
	if (svg)
		fputs(svg, to);   /* Graphviz escapes its text; our labels went in as data */
	else
		report_t(to, lang, "（拓扑图生成失败）", "(the topology could not be drawn)");
	free(svg);
	fputs("</div>\n<p class=\"legend\"><span><svg width=\"40\" height=\"8\"><line x1=\"0\" y1=\"4\" "
	      "x2=\"40\" y2=\"4\" stroke=\"#1e8449\" stroke-width=\"2\"/></svg> ", to);
	report_t(to, lang, "境内", "domestic");
	fputs("</span><span><svg width=\"40\" height=\"8\"><line x1=\"0\" y1=\"4\" x2=\"40\" y2=\"4\" "
	      "stroke=\"#1e8449\" stroke-width=\"2.5\" stroke-dasharray=\"5,2\"/></svg> ", to);
	report_t(to, lang, "跨境（虚线）", "cross-border (dashed)");
	fputs("</span><span><svg width=\"40\" height=\"8\"><line x1=\"0\" y1=\"4\" x2=\"40\" y2=\"4\" "
	      "stroke=\"#c0392b\" stroke-width=\"2\"/></svg> ", to);
	report_t(to, lang, "红色：拒绝", "red: refused");
	fputs("</span><span>", to);
	report_t(to, lang, "立体框：持牌专线", "3-D box: licensed circuit");
	fputs("</span></p>\n", to);
}

static void violations(FILE *to, const struct report_model *m, enum report_lang lang)
{
	if (!m->n_site)
		return;
	fputs("<h2>", to);
	report_t(to, lang, "站点级违规", "Site violations");
	fputs("</h2>\n<ul>\n", to);
	for (size_t i = 0; i < m->n_site; i++) {
		fprintf(to, "<li><span class=\"mono\">%s</span>: ", policy_reason_name(m->site[i].reason));
		report_html_escape(to, m->site[i].message);
		fputs("</li>\n", to);
	}
	fputs("</ul>\n", to);
}

static void footer(FILE *to, const struct report_model *m, enum report_lang lang)
{
	char id[17];
	fputs("<h2>", to);
	report_t(to, lang, "签名", "Signature");
	fputs("</h2>\n<p>", to);
	if (m->meta->have_key) {
		policy_key_id(m->meta->public_key, id);
		report_t(to, lang, "本文件附有独立的 Ed25519 签名（.sig 文件），由本网关审计日志的密钥签署，密钥标识 ",
			 "This file comes with a detached Ed25519 signature (.sig file) by this gateway's "
			 "audit journal key, key id ");
		fprintf(to, "<span class=\"mono\">%s</span>. ", id);
	}
	report_t(to, lang, "用 linegatectl report verify 文件 核验。签名证明这些字节出自持有该网关审计密钥者；"
		 "不证明配置合法、时钟准确或密钥未被盗用。",
		 "Check it with `linegatectl report verify FILE`. A valid signature proves these bytes came "
		 "from the holder of this gateway's audit key; it does not prove that the configuration was "
		 "lawful, that the clock was right, or that the key was not stolen.");
	fputs("</p>\n", to);
}

int report_html_write(FILE *to, const struct report_model *m, enum report_lang lang)
{
	fprintf(to, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<title>", lang == REPORT_EN ? "en" : "zh-Hans");
	/* <title> holds text only: no <span> for the second language */
	fputs(lang == REPORT_EN ? "Compliance report" : lang == REPORT_ZH ? "合规报告" : "合规报告 / Compliance report", to);
	fputs(" - ", to);
	report_html_escape(to, m->cfg->site.name);
	fprintf(to, "</title>\n<style>%s</style>\n</head>\n<body>\n", css);
	header(to, m, lang);
	figure(to, m, lang);
	report_peer_tables(to, m, lang);
	violations(to, m, lang);
	footer(to, m, lang);
	fputs("</body>\n</html>\n", to);
	return ferror(to) ? -EIO : 0;
}
