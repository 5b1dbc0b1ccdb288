/* policy: the region database (parse, longest-prefix match, errors with line
 * numbers), the converter from RIR delegated statistics, and the shipped
 * sample database. */
#include <check.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "policy_fixture.h"
#include "check_main.h"

static const struct lookup_case {
	const char *addr, *cc;
} lookup_cases[] = {
	{ "203.0.113.0", "CN" },
	{ "203.0.113.255", "CN" },
	{ "203.0.114.0", "" },
	{ "198.51.100.127", "DE" },
	{ "198.51.100.128", "US" },     /* nested /25 wins over the /24 */
	{ "198.51.100.255", "US" },
	{ "192.0.2.63", "HK" },
	{ "192.0.2.64", "MO" },
	{ "192.0.2.127", "MO" },
	{ "192.0.2.128", "TW" },
	{ "192.0.2.191", "TW" },
	{ "192.0.2.192", "HK" },
	{ "2001:db8::1", "JP" },
	{ "2001:db8:c::", "CN" },
	{ "2001:db8:c:ffff:ffff:ffff:ffff:ffff", "CN" },
	{ "2001:db8:d:1::1", "DE" },
	{ "2001:db8:e::1", "JP" },
	{ "2001:db9::1", "" },
	{ "10.0.0.1", "" },
	{ "::", "" },
};

START_TEST(lookup_table)
{
	struct regiondb *db = fixture_db();
	uint8_t a[16];
	int family;
	char cc[3] = "??";
	ck_assert(!lg_addr_parse(lookup_cases[_i].addr, &family, a));
	bool found = regiondb_lookup(db, family, a, cc);
	ck_assert_msg(!strcmp(cc, lookup_cases[_i].cc), "case %d %s: got '%s'", _i, lookup_cases[_i].addr, cc);
	ck_assert(found == (lookup_cases[_i].cc[0] != '\0'));
	ck_assert_uint_eq(regiondb_size(db), 9);
	regiondb_free(db);
}
END_TEST

static const struct error_case {
	const char *text, *error;   /* error = expected "name:line: ..." prefix + words */
} error_cases[] = {
	{ "10.0.0.0/8 CN\n\n10.0.0.0/33 CN\n", "t:3: invalid prefix" },
	{ "10.0.0.1/8 CN\n", "t:1: invalid prefix" },
	{ "# c\n10.0.0.0/8\n", "t:2: expected \"prefix CC\"" },
	{ "10.0.0.0/8 CHN\n", "t:1: country code must be two letters" },
	{ "10.0.0.0/8 C1\n", "t:1: country code must be two letters" },
	{ "10.0.0.0/8 CN DE\n", "t:1: unexpected text" },
	{ "10.0.0.0/8 CN\n10.0.0.0/8 DE\n", "t:2: 10.0.0.0/8 is mapped to DE here but to CN at line 1" },
	{ "2001:db8::/32 JP\n\n2001:db8::/32 CN\n", "t:3: 2001:db8::/32 is mapped to CN here but to JP at line 1" },
	{ "10.0.0.0/8 CN\nx\0y CN\n", "t:2: NUL byte" },
	{ "hello world\n", "t:1: invalid prefix" },
};

START_TEST(error_table)
{
	const struct error_case *c = &error_cases[_i];
	struct regiondb *db = (struct regiondb *)1;
	char err[256];
	size_t len = strlen(c->text);
	if (strstr(c->error, "NUL"))
		len = 21;   /* the text holds a NUL on purpose */
	ck_assert_int_lt(regiondb_parse("t", c->text, len, &db, err, sizeof(err)), 0);
	ck_assert_ptr_null(db);
	ck_assert_msg(!strncmp(err, c->error, strlen(c->error)), "case %d: got \"%s\"", _i, err);
}
END_TEST

START_TEST(parse_edges)
{
	struct regiondb *db;
	char err[256], cc[3];
	uint8_t a[16] = { 10, 1, 2, 3 };
	/* empty file, comments only, CRLF, no final newline, lower case, duplicates that agree */
	ck_assert_int_eq(regiondb_parse("t", "", 0, &db, err, sizeof(err)), 0);
	ck_assert_uint_eq(regiondb_size(db), 0);
	ck_assert(!regiondb_lookup(db, AF_INET, a, cc) && cc[0] == '\0');
	regiondb_free(db);
	const char *text = "# x\r\n\t10.0.0.0/8\tcn # comment\r\n10.0.0.0/8 CN\n0.0.0.0/0 ZZ";
	ck_assert_int_eq(regiondb_parse("t", text, strlen(text), &db, err, sizeof(err)), 0);
	ck_assert_uint_eq(regiondb_size(db), 2);
	ck_assert(regiondb_lookup(db, AF_INET, a, cc));
	ck_assert_str_eq(cc, "CN");
	a[0] = 11;
	ck_assert(regiondb_lookup(db, AF_INET, a, cc));   /* a default entry matches the rest */
	ck_assert_str_eq(cc, "ZZ");
	ck_assert(!regiondb_lookup(db, AF_INET6, a, cc)); /* no IPv6 entries */
	ck_assert(!regiondb_lookup(db, AF_UNIX, a, cc));
	regiondb_free(db);
	ck_assert(!regiondb_lookup(NULL, AF_INET, a, cc));
	regiondb_free(NULL);
	/* a line too long */
	char *big = malloc(400);
	memset(big, ' ', 399);
	big[399] = '\n';
	ck_assert_int_lt(regiondb_parse("t", big, 400, &db, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "t:1: line too long");
	free(big);
	ck_assert_int_lt(regiondb_load("/nonexistent/regions.txt", &db, err, sizeof(err)), 0);
	ck_assert_ptr_null(db);
	ck_assert_int_lt(regiondb_load("/", &db, err, sizeof(err)), 0);
	/* A FIFO nobody writes to: refused at once, not waited on. */
	char fifo[] = "/tmp/lg-regiondb-fifo-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(fifo));
	char path[64];
	snprintf(path, sizeof(path), "%s/db", fifo);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(regiondb_load(path, &db, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_null(db);
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
	unlink(path);
	rmdir(fifo);
}
END_TEST

/* Longest-prefix match against a deliberately naive reference on random
 * nested prefixes (as WireGuard's allowedips self-test does). */
START_TEST(lpm_random_vs_naive)
{
	enum { N = 600, Q = 4000 };
	static struct lg_prefix pfx[N];
	static char ccs[N][3];
	char *text = malloc(N * 64), buf[LG_ADDRSTRLEN];
	size_t off = 0, n = 0;
	unsigned seed = 12345;
	for (size_t i = 0; i < N; i++) {
		struct lg_prefix p = { .family = (i % 3) ? AF_INET : AF_INET6 };
		unsigned bytes = p.family == AF_INET ? 4 : 16;
		p.len = (uint8_t)(rand_r(&seed) % (bytes * 8 + 1));
		/* few distinct top bits so prefixes nest a lot */
		for (unsigned b = 0; b < bytes; b++)
			p.addr[b] = (uint8_t)(b < 1 ? (rand_r(&seed) & 0x3) : rand_r(&seed));
		for (unsigned b = 0; b < bytes; b++) {
			unsigned bit0 = b * 8;
			if (bit0 >= p.len)
				p.addr[b] = 0;
			else if (p.len - bit0 < 8)
				p.addr[b] &= (uint8_t)(0xff << (8 - (p.len - bit0)));
		}
		bool dup = false;
		for (size_t j = 0; j < n; j++)
			dup |= lg_prefix_equal(&pfx[j], &p);
		if (dup)
			continue;
		pfx[n] = p;
		snprintf(ccs[n], 3, "%c%c", 'A' + (int)(n % 26), 'A' + (int)(n / 26 % 26));
		off += (size_t)snprintf(text + off, N * 64 - off, "%s %s\n", lg_prefix_format(&p, buf, sizeof(buf)),
					ccs[n]);
		n++;
	}
	struct regiondb *db;
	char err[256];
	ck_assert_msg(regiondb_parse("rand", text, off, &db, err, sizeof(err)) == 0, "%s", err);
	for (int q = 0; q < Q; q++) {
		int family = q % 2 ? AF_INET : AF_INET6;
		uint8_t a[16];
		for (int b = 0; b < 16; b++)
			a[b] = (uint8_t)(b < 1 ? (rand_r(&seed) & 0x3) : rand_r(&seed));
		if (q % 5 == 0 && n)   /* often land exactly inside a stored prefix */
			memcpy(a, pfx[(size_t)rand_r(&seed) % n].addr, 16);
		int best = -1;
		for (size_t j = 0; j < n; j++)
			if (lg_prefix_contains_addr(&pfx[j], family, a) && (best < 0 || pfx[j].len > pfx[best].len))
				best = (int)j;
		char cc[3];
		regiondb_lookup(db, family, a, cc);
		ck_assert_str_eq(cc, best < 0 ? "" : ccs[best]);
	}
	regiondb_free(db);
	free(text);
}
END_TEST

/* ---- converter from RIR delegated statistics ---- */

static const char delegated_sample[] =
	"# comment line\n"
	"2.3|apnic|20231201|9|19830613|20231130|+1000\n"
	"apnic|*|asn|*|1|summary\n"
	"apnic|*|ipv4|*|5|summary\n"
	"apnic|*|ipv6|*|2|summary\n"
	"apnic|CN|asn|4134|1|20020520|allocated\n"
	"apnic|CN|ipv4|1.0.1.0|256|20110414|allocated\n"
	"apnic|CN|ipv4|1.0.8.0|6144|20110412|allocated\n"          /* /21 + /20 */
	"apnic|HK|ipv4|1.1.1.0|768|20110412|assigned|A91A1F5D\n"  /* /23 + /24 */
	"apnic|TW|ipv4|1.34.0.1|6|20110412|allocated\n"            /* unaligned */
	"apnic||ipv4|1.2.3.0|256||available\n"
	"apnic|ZZ|ipv4|1.2.4.0|256||reserved\n"
	"apnic|JP|ipv6|2001:200::|35|19990813|allocated\n"
	"ripencc|DE|ipv6|2a00:1028::|29|20100107|allocated|e4b4f|extension\r\n"
	"apnic|mo|ipv4|60.246.0.0|65536|20051108|allocated";

static const char delegated_expect[] =
	"1.0.1.0/24 CN\n"
	"1.0.8.0/21 CN\n"
	"1.0.16.0/20 CN\n"
	"1.1.1.0/24 HK\n"
	"1.1.2.0/23 HK\n"
	"1.34.0.1/32 TW\n"
	"1.34.0.2/31 TW\n"
	"1.34.0.4/31 TW\n"
	"1.34.0.6/32 TW\n"
	"2001:200::/35 JP\n"
	"2a00:1028::/29 DE\n"
	"60.246.0.0/16 MO\n";

START_TEST(convert_sample)
{
	char *out = NULL, err[256], cc[3];
	size_t outlen = 0;
	struct regiondb_convert_stats st;
	FILE *f = open_memstream(&out, &outlen);
	int rc = regiondb_convert_delegated("d", delegated_sample, strlen(delegated_sample), f, &st, err,
					    sizeof(err));
	fclose(f);
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_str_eq(out, delegated_expect);
	ck_assert_uint_eq(st.records, 7);
	ck_assert_uint_eq(st.prefixes, 12);
	ck_assert_uint_eq(st.skipped, 8);
	/* The output is a database, and answers like the input says. */
	struct regiondb *db;
	ck_assert_msg(regiondb_parse("out", out, outlen, &db, err, sizeof(err)) == 0, "%s", err);
	uint8_t a[16];
	int family;
	static const char *const probes[][2] = {
		{ "1.0.8.0", "CN" }, { "1.0.31.255", "CN" }, { "1.0.32.0", "" }, { "1.1.3.255", "HK" },
		{ "1.1.4.0", "" }, { "1.34.0.0", "" }, { "1.34.0.6", "TW" }, { "1.34.0.7", "" },
		{ "2001:200:1fff::1", "JP" }, { "2001:200:2000::", "" }, { "2a00:102f:ffff::1", "DE" }, { "2a00:1030::1", "" },
		{ "1.2.3.4", "" }, { "60.246.255.255", "MO" },
	};
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		ck_assert(!lg_addr_parse(probes[i][0], &family, a));
		regiondb_lookup(db, family, a, cc);
		ck_assert_msg(!strcmp(cc, probes[i][1]), "%s: got '%s'", probes[i][0], cc);
	}
	regiondb_free(db);
	free(out);
}
END_TEST

static const struct error_case convert_errors[] = {
	{ "2|x|1|1|1|1|0\napnic|CN|ipv4|1.0.1.0|0|20110414|allocated\n", "t:2: ipv4 record whose count" },
	{ "apnic|CN|ipv4|255.255.255.0|257|20110414|allocated\n", "t:1: ipv4 record whose count" },
	{ "apnic|CN|ipv4|1.0.1.0|-5|20110414|allocated\n", "t:1: ipv4 record with an invalid address count" },
	{ "apnic|CN|ipv4|1.0.1|256|20110414|allocated\n", "t:1: ipv4 record with an invalid start" },
	{ "apnic|CN|ipv4|::1|256|20110414|allocated\n", "t:1: ipv4 record with an invalid start" },
	{ "apnic|CN|ipv6|2001:200::|129|19990813|allocated\n", "t:1: ipv6 record with an invalid prefix" },
	{ "apnic|CN|ipv6|2001:200::1|35|19990813|allocated\n", "t:1: ipv6 record with an invalid start" },
	{ "apnic|CN|ipv6|1.2.3.4|24|19990813|allocated\n", "t:1: ipv6 record with an invalid start" },
	{ "apnic|CHN|ipv4|1.0.1.0|256|20110414|allocated\n", "t:1: country code must be two letters" },
	{ "\n\napnic|CN|ipv4|1.0.1.0\n", "t:3: expected registry|cc|type" },
};

START_TEST(convert_error_table)
{
	char *out = NULL, err[256];
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	int rc = regiondb_convert_delegated("t", convert_errors[_i].text, strlen(convert_errors[_i].text), f,
					    NULL, err, sizeof(err));
	fclose(f);
	free(out);
	ck_assert_int_lt(rc, 0);
	ck_assert_msg(!strncmp(err, convert_errors[_i].error, strlen(convert_errors[_i].error)),
		      "case %d: got \"%s\"", _i, err);
}
END_TEST

START_TEST(convert_whole_ipv4_space)
{
	/* 0.0.0.0 + 2^32 is one /0; a count that would wrap is refused above. */
	const char *t = "x|US|ipv4|0.0.0.0|4294967296|0|allocated\n";
	char *out = NULL, err[256];
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	ck_assert_int_eq(regiondb_convert_delegated("t", t, strlen(t), f, NULL, err, sizeof(err)), 0);
	fclose(f);
	ck_assert_str_eq(out, "0.0.0.0/0 US\n");
	free(out);
}
END_TEST

/* The shipped sample database parses and carries the regions the demo and
 * the tests rely on. */
START_TEST(sample_database)
{
	const char *src = getenv("LG_SOURCE_DIR");
	char path[512], err[256], cc[3];
	struct regiondb *db;
	uint8_t a[16];
	int family;
	snprintf(path, sizeof(path), "%s/conf/regions.sample.txt", src ? src : "..");
	ck_assert_msg(regiondb_load(path, &db, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_ge(regiondb_size(db), 20);
	static const char *const probes[][2] = {
		{ "203.0.113.7", "CN" }, { "198.51.100.20", "DE" }, { "192.0.2.10", "HK" },
		{ "2001:db8:d::7", "DE" }, { "1.0.1.1", "CN" }, { "10.0.0.1", "" },
	};
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		ck_assert(!lg_addr_parse(probes[i][0], &family, a));
		regiondb_lookup(db, family, a, cc);
		ck_assert_msg(!strcmp(cc, probes[i][1]), "%s: got '%s'", probes[i][0], cc);
	}
	regiondb_free(db);
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

int main(void)
{
	Suite *s = suite_create("policy_regiondb");
	TCase *t = tcase_create("regiondb");
	tcase_add_loop_test(t, lookup_table, 0, N(lookup_cases));
	tcase_add_loop_test(t, error_table, 0, N(error_cases));
	tcase_add_test(t, parse_edges);
	tcase_add_test(t, lpm_random_vs_naive);
	tcase_add_test(t, convert_sample);
	tcase_add_loop_test(t, convert_error_table, 0, N(convert_errors));
	tcase_add_test(t, convert_whole_ipv4_space);
	tcase_add_test(t, sample_database);
	suite_add_tcase(s, t);
	return lg_check_run(s);
}
