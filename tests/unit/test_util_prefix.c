/* util: prefixes, ranges, socket addresses, the bounded cursor. */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/cursor.h"
#include "linegate/log.h"
#include "linegate/types.h"
#include "check_main.h"

static const struct {
	const char *in;
	int ok;
	const char *out;
} prefix_cases[] = {
	{ "10.0.0.0/8", 1, "10.0.0.0/8" },
	{ "10.1.2.3", 1, "10.1.2.3/32" },
	{ "0.0.0.0/0", 1, "0.0.0.0/0" },
	{ "10.0.0.1/8", 0, NULL },          /* host bits set */
	{ "10.0.0.0/33", 0, NULL },
	{ "10.0.0.0/", 0, NULL },
	{ "10.0.0.0/-1", 0, NULL },
	{ "10.0.0/8", 0, NULL },
	{ "fd00:1234::/32", 1, "fd00:1234::/32" },
	{ "fd00:1234::1/32", 0, NULL },
	{ "::/0", 1, "::/0" },
	{ "2001:db8::/129", 0, NULL },
	{ "", 0, NULL },
	{ "/8", 0, NULL },
};

START_TEST(prefix_parse_table)
{
	struct lg_prefix p;
	char buf[LG_ADDRSTRLEN];
	int rc = lg_prefix_parse(prefix_cases[_i].in, &p);
	ck_assert_msg((rc == 0) == prefix_cases[_i].ok, "case %d (%s)", _i, prefix_cases[_i].in);
	if (rc == 0)
		ck_assert_str_eq(lg_prefix_format(&p, buf, sizeof(buf)), prefix_cases[_i].out);
}
END_TEST

START_TEST(prefix_relations)
{
	struct lg_prefix a, b, c;
	lg_prefix_parse("10.0.0.0/8", &a);
	lg_prefix_parse("10.1.0.0/16", &b);
	lg_prefix_parse("11.0.0.0/8", &c);
	ck_assert(lg_prefix_within(&b, &a));
	ck_assert(!lg_prefix_within(&a, &b));
	ck_assert(lg_prefix_overlap(&a, &b));
	ck_assert(!lg_prefix_overlap(&a, &c));
	uint8_t addr[4] = { 10, 1, 255, 3 };
	ck_assert(lg_prefix_contains_addr(&b, AF_INET, addr));
	addr[1] = 2;
	ck_assert(!lg_prefix_contains_addr(&b, AF_INET, addr));
}
END_TEST

START_TEST(range_to_prefixes)
{
	/* 10.0.0.1 - 10.0.0.6 = .1/32 .2/31 .4/31 .6/32 */
	struct lg_range r = { .family = AF_INET, .start = { 10, 0, 0, 1 }, .end = { 10, 0, 0, 6 } };
	struct lg_prefix out[8];
	char buf[LG_ADDRSTRLEN];
	ck_assert_uint_eq(lg_range_to_prefixes(&r, out, 8), 4);
	ck_assert_str_eq(lg_prefix_format(&out[0], buf, sizeof(buf)), "10.0.0.1/32");
	ck_assert_str_eq(lg_prefix_format(&out[1], buf, sizeof(buf)), "10.0.0.2/31");
	ck_assert_str_eq(lg_prefix_format(&out[2], buf, sizeof(buf)), "10.0.0.4/31");
	ck_assert_str_eq(lg_prefix_format(&out[3], buf, sizeof(buf)), "10.0.0.6/32");
	/* whole space is one prefix, and the walk stops at the top */
	struct lg_range all = { .family = AF_INET, .end = { 255, 255, 255, 255 } };
	ck_assert_uint_eq(lg_range_to_prefixes(&all, out, 8), 1);
	ck_assert_uint_eq(out[0].len, 0);
	/* intersection */
	struct lg_prefix p;
	struct lg_range pr, x;
	lg_prefix_parse("10.0.0.4/30", &p);
	lg_prefix_to_range(&p, &pr);
	ck_assert(lg_range_intersect(&r, &pr, &x));
	ck_assert_uint_eq(lg_range_to_prefixes(&x, out, 8), 2); /* .4/31 .6/32 */
	lg_prefix_parse("10.0.1.0/24", &p);
	lg_prefix_to_range(&p, &pr);
	ck_assert(!lg_range_intersect(&r, &pr, &x));
}
END_TEST

START_TEST(sockaddr_parse)
{
	union lg_sockaddr a;
	char buf[LG_ADDRSTRLEN];
	ck_assert_int_eq(lg_sockaddr_parse("192.0.2.1", 500, &a), 0);
	ck_assert_str_eq(lg_sockaddr_format(&a, buf, sizeof(buf)), "192.0.2.1:500");
	ck_assert_int_eq(lg_sockaddr_parse("192.0.2.1:4500", 500, &a), 0);
	ck_assert_uint_eq(lg_sockaddr_port(&a), 4500);
	ck_assert_int_eq(lg_sockaddr_parse("[2001:db8::1]:4500", 500, &a), 0);
	ck_assert_str_eq(lg_sockaddr_format(&a, buf, sizeof(buf)), "[2001:db8::1]:4500");
	ck_assert_int_eq(lg_sockaddr_parse("2001:db8::1", 500, &a), 0);
	ck_assert_uint_eq(lg_sockaddr_port(&a), 500);
	ck_assert_int_ne(lg_sockaddr_parse("192.0.2.1:0", 500, &a), 0);
	ck_assert_int_ne(lg_sockaddr_parse("192.0.2.1:70000", 500, &a), 0);
	ck_assert_int_ne(lg_sockaddr_parse("[2001:db8::1", 500, &a), 0);
	ck_assert_int_ne(lg_sockaddr_parse("host.example", 500, &a), 0);
}
END_TEST

START_TEST(cursor_bounds)
{
	const uint8_t data[] = { 1, 2, 3, 4, 5, 6, 7 };
	struct cursor c, sub;
	cursor_init(&c, data, sizeof(data));
	ck_assert_uint_eq(cursor_get_u16(&c), 0x0102);
	ck_assert_uint_eq(cursor_get_u32(&c), 0x03040506);
	ck_assert(cursor_ok(&c));
	ck_assert_uint_eq(cursor_get_u16(&c), 0); /* only one byte left */
	ck_assert(!cursor_ok(&c));
	ck_assert_uint_eq(cursor_remaining(&c), 0);
	ck_assert_ptr_null(cursor_get_ref(&c, 1));

	cursor_init(&c, data, sizeof(data));
	ck_assert(cursor_get_sub(&c, 3, &sub));
	ck_assert_uint_eq(cursor_remaining(&sub), 3);
	ck_assert(!cursor_skip(&sub, 4));
	ck_assert(!cursor_get_sub(&c, 5, &sub));
	ck_assert(!cursor_ok(&sub));
}
END_TEST

START_TEST(hex_roundtrip)
{
	uint8_t b[4];
	char s[9];
	ck_assert_int_eq(lg_unhex("0xdeadBEEF", b, 4), 0);
	ck_assert_str_eq(lg_hex(b, 4, s), "deadbeef");
	ck_assert_int_ne(lg_unhex("deadbee", b, 4), 0);
	ck_assert_int_ne(lg_unhex("deadbeeg", b, 4), 0);
	ck_assert_int_eq(lg_unhex_any("00ff", b, 4), 2);
	ck_assert_int_lt(lg_unhex_any("00ff00ff00", b, 4), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, prefix_parse_table, 0, sizeof(prefix_cases) / sizeof(prefix_cases[0]));
	tcase_add_test(tc, prefix_relations);
	tcase_add_test(tc, range_to_prefixes);
	tcase_add_test(tc, sockaddr_parse);
	tcase_add_test(tc, cursor_bounds);
	tcase_add_test(tc, hex_roundtrip);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}
