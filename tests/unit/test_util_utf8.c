/* util/utf8: clipping never cuts a character, display width counts CJK as
 * two columns, padding aligns by columns (the compliance table);
 * lg_utf8_drop_partial keeps every whole sequence and drops what a
 * byte-count cut ("%.64s" mid-message) leaves of a character. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/utf8.h"
#include "check_main.h"

static const struct {
	const char *s;
	size_t max;
	int clip;
} clip_cases[] = {
	{ "abc", 2, 2 },
	{ "中国电信", 4, 3 },             /* 3-byte characters: never half of one */
	{ "中国电信", 5, 3 },
	{ "中国电信", 6, 6 },
	{ "中国电信", 100, 12 },
	{ "a\xff" "b", 2, 2 },            /* an invalid byte is one unit */
	{ "\xf0\x9f\x98\x80x", 3, 0 },    /* a 4-byte emoji does not fit in 3 */
	{ "", 10, 0 },
};

START_TEST(clip_table)
{
	ck_assert_int_eq(lg_utf8_clip(clip_cases[_i].s, clip_cases[_i].max), clip_cases[_i].clip);
}
END_TEST

static const struct {
	const char *s;
	size_t width;
} width_cases[] = {
	{ "CTC-IPLC-SH-0042", 16 },
	{ "中国电信", 8 },
	{ "张伟 (Zhang Wei)", 16 },
	{ "ＡＢ", 4 },                    /* fullwidth forms */
	{ "e\xcc\x81", 1 },              /* e + combining acute */
	{ "한국", 4 },
	{ "a\xff", 2 },
	{ "", 0 },
};

START_TEST(width_table)
{
	ck_assert_uint_eq(lg_utf8_width(width_cases[_i].s), width_cases[_i].width);
}
END_TEST

START_TEST(trim_tail)
{
	char s[16];
	strcpy(s, "ab\xe4\xb8");          /* "中" cut after two of its three bytes */
	lg_utf8_trim(s);
	ck_assert_str_eq(s, "ab");
	strcpy(s, "ab\xe4\xb8\xad");
	lg_utf8_trim(s);
	ck_assert_str_eq(s, "ab中");
	strcpy(s, "x\xf0");
	lg_utf8_trim(s);
	ck_assert_str_eq(s, "x");
	strcpy(s, "plain");
	lg_utf8_trim(s);
	ck_assert_str_eq(s, "plain");
}
END_TEST

START_TEST(pad_aligns_columns)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	lg_utf8_pad(f, "中国电信", 10);
	fputs("|\n", f);
	lg_utf8_pad(f, "CTC", 10);
	fputs("|\n", f);
	fclose(f);
	ck_assert_str_eq(buf, "中国电信  |\nCTC       |\n");
	free(buf);
}
END_TEST

static const struct {
	const char *in, *out;
} drop[] = {
	/* 0 */ { "", "" },
	/* 1 */ { "plain ascii", "plain ascii" },
	/* 2 */ { "\xe4\xb8\x80\xe4\xb8\x81", "\xe4\xb8\x80\xe4\xb8\x81" },     /* whole: kept */
	/* 3 */ { "'\xe4\xb8\x80\xe4'", "'\xe4\xb8\x80'" },                     /* 1 of 3 bytes */
	/* 4 */ { "'\xe4\xb8\x80\xe4\xb8'", "'\xe4\xb8\x80'" },                 /* 2 of 3 */
	/* 5 */ { "\xf0\x9f\x98", "" },                                         /* 3 of 4 at the end */
	/* 6 */ { "a\xc3", "a" },                                               /* 1 of 2 at the end */
	/* 7 */ { "\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9" },                   /* "été" */
	/* 8 */ { "x\x80y", "xy" },                                             /* stray continuation */
};

START_TEST(drop_partial)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", drop[_i].in);
	lg_utf8_drop_partial(buf);
	ck_assert_str_eq(buf, drop[_i].out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util_utf8");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, clip_table, 0, sizeof(clip_cases) / sizeof(clip_cases[0]));
	tcase_add_loop_test(tc, width_table, 0, sizeof(width_cases) / sizeof(width_cases[0]));
	tcase_add_test(tc, trim_tail);
	tcase_add_test(tc, pad_aligns_columns);
	tcase_add_loop_test(tc, drop_partial, 0, sizeof(drop) / sizeof(drop[0]));
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}
