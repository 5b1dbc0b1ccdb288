/* The journal's canonical serializer (audit_format.c, whose bytes are
 * hashed) and the control plane's JSON writer (util/json.c, jansson) must
 * agree on what a string decodes to: a value read back from the journal by a
 * JSON parser is the value `--json` answers show. Each case formats a record
 * canonically, parses the line with jansson and compares the decoded value
 * with the writer's; the canonical bytes of one record are pinned. */
#include <stdlib.h>
#include "linegate/json.h"
#include "test_audit.h"
#include "check_main.h"

static const char *const values[] = {
	/* 0 */ "plain",
	/* 1 */ "quote\"back\\slash",
	/* 2 */ "\x01\x02\x08\x09\x0a\x0b\x0c\x0d\x1b\x1f",   /* every kind of control byte */
	/* 3 */ "del\x7f",
	/* 4 */ "\xe4\xb8\xad\xe5\x9b\xbd\xe7\x94\xb5\xe4\xbf\xa1-\xe6\xb2\xaa-0001",   /* 中国电信-沪-0001 */
	/* 5 */ "\xf0\x9f\x94\x92 4-byte",
	/* 6 */ "a\xff" "b",                                    /* invalid byte */
	/* 7 */ "\xc0\xaf",                                     /* overlong */
	/* 8 */ "\xed\xa0\x80",                                 /* surrogate */
	/* 9 */ "cut\xe4\xb8",                                  /* cut sequence at the end */
	/* 10 */ "\xf4\x90\x80\x80",                            /* above U+10FFFF */
	/* 11 */ "",
};

/* The value under details.value of the canonical line for v. */
static json_t *canonical_value(const char *v, char *line, size_t len)
{
	struct audit_kv kv = { "value", v };
	struct audit_rec_in rec = { .seq = 7, .wall_ms = 0, .host = "h", .subject = "s", .object = "o",
				    .ev = AUDIT_ADMIN_ACTION, .kv = &kv, .n_kv = 1 };
	uint8_t h[AUDIT_HASH_LEN];
	json_error_t err;

	ck_assert_int_gt(audit_format_json(&rec, line, len, h), 0);
	json_t *doc = json_loads(line, 0, &err);
	ck_assert_msg(doc != NULL, "jansson refuses the journal line %s: %s", line, err.text);
	json_t *val = json_incref(json_object_get(json_object_get(doc, "details"), "value"));
	json_decref(doc);
	ck_assert_ptr_nonnull(val);
	return val;
}

START_TEST(decode_agrees)
{
	char line[1024];
	json_t *canon = canonical_value(values[_i], line, sizeof(line));
	json_t *ours = lg_json_string(values[_i]);
	ck_assert_msg(json_equal(canon, ours), "case %d: journal decodes to \"%s\", control writer to \"%s\"",
		      _i, json_string_value(canon), json_string_value(ours));
	json_decref(canon);
	json_decref(ours);
}
END_TEST

/* The canonical bytes do not depend on the library: pinned for a record
 * with UTF-8, a control byte and an invalid byte (from host on). */
START_TEST(canonical_bytes_pinned)
{
	char line[1024];
	json_decref(canonical_value("\xe4\xb8\xad\x01\"\xff", line, sizeof(line)));
	char *hash = strstr(line, ",\"hash\":");
	ck_assert_ptr_nonnull(hash);
	*hash = '\0';
	const char *from = strstr(line, ",\"host\":");   /* the time's notation is the zone's */
	ck_assert_ptr_nonnull(from);
	ck_assert_str_eq(from, ",\"host\":\"h\",\"subject\":\"s\","
			       "\"event\":\"admin_action\",\"object\":\"o\",\"outcome\":\"success\","
			       "\"details\":{\"value\":\"\xe4\xb8\xad\\u0001\\\"\\ufffd\"},\"prev\":"
			       "\"0000000000000000000000000000000000000000000000000000000000000000\"");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("audit_json");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, decode_agrees, 0, sizeof(values) / sizeof(values[0]));
	tcase_add_test(tc, canonical_bytes_pinned);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}
