/* util/json: the control plane's JSON writer. Every string comes out valid
 * JSON and valid UTF-8 whatever the bytes in (a numbered table), UTF-8 is
 * kept unescaped, and the document is one compact line. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/json.h"
#include "check_main.h"

/* Prints doc into buf (NUL-terminated) through lg_json_print. */
static void print_to(char *buf, size_t cap, json_t *doc)
{
	FILE *f = fmemopen(buf, cap, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(lg_json_print(f, doc), 0);
	fclose(f);
}

static const struct {
	const char *in, *out;   /* out: the JSON text of the string */
} strings[] = {
	/* 0 */ { "plain", "\"plain\"" },
	/* 1 */ { "a\"b\\c", "\"a\\\"b\\\\c\"" },
	/* 2 */ { "nl\ncr\rtab\t", "\"nl\\ncr\\rtab\\t\"" },
	/* 3 */ { "\x01\x1f", "\"\\u0001\\u001F\"" },
	/* 4 */ { "\xe4\xb8\xad\xe5\x9b\xbd\xe7\x94\xb5\xe4\xbf\xa1-\xe6\xb2\xaa-0001",   /* 中国电信-沪-0001 */
		  "\"\xe4\xb8\xad\xe5\x9b\xbd\xe7\x94\xb5\xe4\xbf\xa1-\xe6\xb2\xaa-0001\"" },
	/* 5 */ { "\xf0\x9f\x94\x92", "\"\xf0\x9f\x94\x92\"" },                       /* 4-byte form kept */
	/* 6 */ { "a\xff" "b", "\"a\xef\xbf\xbd" "b\"" },                             /* invalid byte */
	/* 7 */ { "\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\"" },                       /* overlong '/' */
	/* 8 */ { "\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },       /* surrogate */
	/* 9 */ { "\xe4\xb8", "\"\xef\xbf\xbd\xef\xbf\xbd\"" },                       /* cut sequence */
	/* 10 */ { "", "\"\"" },
	/* 11 */ { "</script>/", "\"</script>/\"" },                                  /* '/' not escaped */
};

START_TEST(string_table)
{
	char buf[256], want[256];
	json_t *a = json_array();
	lg_json_append_str(a, strings[_i].in);
	print_to(buf, sizeof(buf), a);
	snprintf(want, sizeof(want), "[%s]\n", strings[_i].out);
	ck_assert_str_eq(buf, want);

	json_error_t err;   /* and it parses back (jansson refuses invalid UTF-8) */
	json_t *back = json_loads(buf, 0, &err);
	ck_assert_msg(back != NULL, "case %d: %s", _i, err.text);
	json_decref(back);
}
END_TEST

START_TEST(object_helpers)
{
	char buf[512];
	json_t *o = json_object();
	lg_json_set_str(o, "name", NULL);
	lg_json_set_u64(o, "n", 18446744073709551615ULL);   /* clamped, not wrapped negative */
	lg_json_set_int(o, "neg", -3);
	lg_json_set_bool(o, "up", false);
	lg_json_set_str(o, "bad\xff" "key", "v");
	json_t *arr = lg_json_set_array(o, "list");
	lg_json_set_str(lg_json_append_object(arr), "k", "v");
	lg_json_set_object(o, "empty");
	print_to(buf, sizeof(buf), o);
	ck_assert_str_eq(buf, "{\"name\":\"\",\"n\":9223372036854775807,\"neg\":-3,\"up\":false,"
			      "\"bad\xef\xbf\xbdkey\":\"v\",\"list\":[{\"k\":\"v\"}],\"empty\":{}}\n");
}
END_TEST

START_TEST(null_document)
{
	char buf[8];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	ck_assert_int_eq(lg_json_print(f, NULL), -ENOMEM);   /* a failed build is reported */
	fclose(f);
}
END_TEST

/* A string far above the old escapers' 1 KiB buffers comes out whole. */
START_TEST(long_string_whole)
{
	enum { LEN = 5000 };
	char *in = malloc(LEN + 1), *buf = malloc(LEN + 16);
	memset(in, 'x', LEN);
	in[LEN] = '\0';
	json_t *a = json_array();
	lg_json_append_str(a, in);
	print_to(buf, LEN + 16, a);
	ck_assert_uint_eq(strlen(buf), LEN + 5);   /* ["..."]\n */
	free(in);
	free(buf);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util_json");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, string_table, 0, sizeof(strings) / sizeof(strings[0]));
	tcase_add_test(tc, object_helpers);
	tcase_add_test(tc, null_document);
	tcase_add_test(tc, long_string_whole);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}
