/* report: the HTML escaper (table), the document of a two-peer config (one
 * cross-border over a circuit, one refused): no URL anywhere, config text
 * escaped, one SVG node per peer; a report signature: good, one changed
 * byte bad, another key refused. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include "linegate/audit.h"
#include "linegate/report.h"
#include "policy_fixture.h"
#include "check_main.h"

static char *escaped(const char *in)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	report_html_escape(f, in);
	fclose(f);
	return out;
}

static const struct {
	const char *in, *out;
} esc_cases[] = {
	{ "plain", "plain" },
	{ "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;" },
	{ "a&b \"q\" 'x'", "a&amp;b &quot;q&quot; &#39;x&#39;" },
	{ "中国电信", "中国电信" },
	{ "bad\xff" "byte", "bad\xef\xbf\xbd" "byte" },
	{ "ctl\x01\x7f", "ctl\xef\xbf\xbd\xef\xbf\xbd" },
	{ "tab\tnl\n", "tab\tnl\n" },
	{ "\xe4\xb8", "\xef\xbf\xbd\xef\xbf\xbd" },   /* truncated sequence */
};

START_TEST(escape_table)
{
	char *r = escaped(esc_cases[_i].in);
	ck_assert_str_eq(r, esc_cases[_i].out);
	free(r);
}
END_TEST

static char *document(struct config *cfg, struct lg_report_meta *meta, enum report_lang lang)
{
	struct report_model m;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	ck_assert_int_eq(report_model_build(cfg, NULL, meta, &m), 0);
	ck_assert_int_eq(report_html_write(f, &m, lang), 0);
	report_model_free(&m);
	fclose(f);
	return out;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

START_TEST(document_self_contained)
{
	static struct config cfg;
	struct lg_report_meta meta;
	memset(&meta, 0, sizeof(meta));
	fixture_config(&cfg);
	snprintf(cfg.audit.security_officer, sizeof(cfg.audit.security_officer), "张伟 <b>&");
	fixture_peer(&cfg, "frankfurt-hq", "198.51.100.20", "DE", UP_CTC, NULL, NULL, NULL);
	fixture_peer(&cfg, "munich-direct", "198.51.100.21", "DE", UP_INTERNET, NULL, "10.101.0.0/16",
		     "mu-gw.corp.example");
	char *r = document(&cfg, &meta, REPORT_BOTH);
	ck_assert_msg(strstr(r, "张伟 &lt;b&gt;&amp;"), "officer escaped");
	ck_assert_msg(!strstr(r, "<b>&"), "raw config text in the document");
	ck_assert_int_eq(count(r, "http:") + count(r, "https:") + count(r, "src=") + count(r, "url(") +
			 count(r, "@import") + count(r, "<script") + count(r, "<link"), 0);
	ck_assert_int_eq(count(r, "<title>frankfurt&#45;hq</title>"), 1);
	ck_assert_int_eq(count(r, "<title>munich&#45;direct</title>"), 1);
	ck_assert_int_eq(count(r, "class=\"node\""), 2 + 1 + UP_COUNT);   /* peers, site, uplinks */
	ck_assert_msg(strstr(r, "cross_border_no_licensed_uplink"), "the refusal is shown");
	ck_assert_msg(strstr(r, "CTC-IPLC-SH-0042"), "the circuit is shown");
	ck_assert_msg(strstr(r, "@media print"), "print rules");
	free(r);
	r = document(&cfg, &meta, REPORT_EN);
	ck_assert_msg(!strstr(r, "对端"), "English only");
	free(r);
}
END_TEST

START_TEST(signature_good_tampered_other_key)
{
	char dir[] = "/tmp/lg-report-sig-XXXXXX", path[64];
	unsigned char pk[32], sk[64], other[32], signer[32];
	static const char doc[] = "<!DOCTYPE html><p>报告</p>\n";
	ck_assert_int_ge(sodium_init(), 0);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	crypto_sign_keypair(pk, sk);
	snprintf(path, sizeof(path), "%s/audit.key", dir);
	FILE *k = fopen(path, "w");
	fwrite(sk, 1, sizeof(sk), k);
	fclose(k);
	char *sig = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&sig, &len);
	ck_assert_int_eq(audit_report_sign(dir, doc, sizeof(doc) - 1, f), 0);
	fclose(f);
	ck_assert_int_eq(audit_report_verify(doc, sizeof(doc) - 1, sig, pk, signer), 0);
	ck_assert_mem_eq(signer, pk, 32);
	char changed[sizeof(doc)];
	memcpy(changed, doc, sizeof(doc));
	for (size_t i = 0; i < sizeof(doc) - 1; i++) {   /* every byte matters */
		changed[i] ^= 0x01;
		ck_assert_int_eq(audit_report_verify(changed, sizeof(doc) - 1, sig, pk, signer), -EBADMSG);
		changed[i] ^= 0x01;
	}
	crypto_sign_keypair(other, sk);
	ck_assert_int_eq(audit_report_verify(doc, sizeof(doc) - 1, sig, other, signer), -EKEYREJECTED);
	ck_assert_int_eq(audit_report_verify(doc, sizeof(doc) - 1, "not a signature\n", pk, signer), -EINVAL);
	ck_assert_msg(strstr(sig, "key-id: "), "%s", sig);
	free(sig);
	unlink(path);
	rmdir(dir);
	/* no key: nothing is signed */
	ck_assert_int_eq(audit_report_sign("/nonexistent-lg", doc, 1, stdout), -ENOENT);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("report_html");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, escape_table, 0, sizeof(esc_cases) / sizeof(esc_cases[0]));
	tcase_add_test(tc, document_self_contained);
	tcase_add_test(tc, signature_good_tampered_other_key);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}
