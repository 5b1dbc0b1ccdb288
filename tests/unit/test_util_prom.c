/* util/prom: the Prometheus text format writer. Label values escaped as the
 * 0.0.4 format says (backslash, double quote, line feed; nothing else),
 * UTF-8 kept and invalid bytes replaced (a numbered table); families and
 * samples byte for byte. */
#include <stdlib.h>
#include <string.h>
#include "linegate/prom.h"
#include "check_main.h"

static const struct {
	const char *in, *out;   /* out: between the quotes */
} values[] = {
	/* 0 */ { "hq", "hq" },
	/* 1 */ { "a\\b", "a\\\\b" },
	/* 2 */ { "say \"hi\"", "say \\\"hi\\\"" },
	/* 3 */ { "two\nlines", "two\\nlines" },
	/* 4 */ { "tab\tcr\r", "tab\tcr\r" },                                          /* not escaped */
	/* 5 */ { "\xe4\xb8\x8a\xe6\xb5\xb7-hq", "\xe4\xb8\x8a\xe6\xb5\xb7-hq" },          /* 上海-hq kept */
	/* 6 */ { "a\xff" "b", "a\xef\xbf\xbd" "b" },                                   /* invalid byte */
	/* 7 */ { "\xe4\xb8", "\xef\xbf\xbd\xef\xbf\xbd" },                             /* cut sequence */
	/* 8 */ { "", "" },
	/* 9 */ { "\\\"\n", "\\\\\\\"\\n" },
	/* 10 */ { "{x=\"y\"}", "{x=\\\"y\\\"}" },
};

START_TEST(label_value_table)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	lg_prom_label_value(f, values[_i].in);
	fclose(f);
	ck_assert_msg(strcmp(buf, values[_i].out) == 0, "case %d: got [%s]", _i, buf);
	free(buf);
}
END_TEST

START_TEST(family_and_samples)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const struct lg_prom_label l[2] = { { "peer", "b\"1" }, { "reason", "x\ny" } };

	lg_prom_family(f, "linegate_peer_receive_bytes_total", "counter",
		       "Bytes in, C:\\path \"quoted\"\nsecond line");
	lg_prom_u64(f, "linegate_peer_receive_bytes_total", l, 1, 18446744073709551615ULL);
	lg_prom_u64(f, "linegate_peer_receive_bytes_total", l, 2, 0);
	lg_prom_u64(f, "linegate_up", NULL, 0, 1);
	lg_prom_seconds(f, "linegate_start_time_seconds", NULL, 0, 1764769567089ULL);
	lg_prom_seconds(f, "linegate_start_time_seconds", NULL, 0, 5);
	fclose(f);
	ck_assert_str_eq(buf,
		"# HELP linegate_peer_receive_bytes_total Bytes in, C:\\\\path \"quoted\"\\nsecond line\n"
		"# TYPE linegate_peer_receive_bytes_total counter\n"
		"linegate_peer_receive_bytes_total{peer=\"b\\\"1\"} 18446744073709551615\n"
		"linegate_peer_receive_bytes_total{peer=\"b\\\"1\",reason=\"x\\ny\"} 0\n"
		"linegate_up 1\n"
		"linegate_start_time_seconds 1764769567.089\n"
		"linegate_start_time_seconds 0.005\n");
	free(buf);
}
END_TEST

START_TEST(null_value_is_empty)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const struct lg_prom_label l[1] = { { "carrier", NULL } };
	lg_prom_u64(f, "linegate_uplink_up", l, 1, 0);
	fclose(f);
	ck_assert_str_eq(buf, "linegate_uplink_up{carrier=\"\"} 0\n");
	free(buf);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util_prom");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, label_value_table, 0, sizeof(values) / sizeof(values[0]));
	tcase_add_test(tc, family_and_samples);
	tcase_add_test(tc, null_value_is_empty);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}
