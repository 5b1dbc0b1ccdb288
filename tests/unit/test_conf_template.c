/* conf: template peers. Identity patterns against a table and against a
 * deliberately naive reference (labels split and compared one by one) on
 * random identities; loading a template makes one instance per key file,
 * with file:line:col errors for what does not belong in key-dir; branch
 * blocks bind an identity to its subnets (errors at the value, overlaps
 * against a naive pairwise reference). */
#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "linegate/conf.h"
#include "check_main.h"

static struct conf_identity fqdn(const char *s)
{
	struct conf_identity id = { .type = CONF_ID_FQDN, .len = (uint8_t)strlen(s) };
	memcpy(id.data, s, id.len);
	return id;
}

/* ---- matching: a numbered table ---- */

static const struct {
	const char *pattern, *id;
	bool match;
} vectors[] = {
	/* 0 */ { "*.branches.corp.example", "shop1.branches.corp.example", true },
	/* 1 */ { "*.branches.corp.example", "SHOP1.Branches.CORP.example", true },
	/* 2 */ { "*.branches.corp.example", "branches.corp.example", false },
	/* 3 */ { "*.branches.corp.example", ".branches.corp.example", false },
	/* 4 */ { "*.branches.corp.example", "a.b.branches.corp.example", false },
	/* 5 */ { "*.branches.corp.example", "shop1.branches.corp.example.evil", false },
	/* 6 */ { "*.branches.corp.example", "shop1xbranches.corp.example", false },
	/* 7 */ { "*.branches.corp.example", "shop1.evilbranches.corp.example", false },
	/* 8 */ { "*.branches.corp.example", "*.branches.corp.example", false },
	/* 9 */ { "hq.corp.example", "hq.corp.example", true },
	/* 10 */ { "hq.corp.example", "HQ.corp.example", true },
	/* 11 */ { "hq.corp.example", "x.hq.corp.example", false },
	/* 12 */ { "*.x", "a.x", true },
	/* 13 */ { "*.x", "x", false },
};

START_TEST(match_table)
{
	struct conf_identity p = fqdn(vectors[_i].pattern), id = fqdn(vectors[_i].id);
	ck_assert_msg(config_identity_matches(&p, &id) == vectors[_i].match, "vector %d: %s ~ %s",
		      _i, vectors[_i].pattern, vectors[_i].id);
}
END_TEST

START_TEST(match_types)
{
	struct conf_identity p = fqdn("*.corp.example"), a = { .type = CONF_ID_IPV4_ADDR, .len = 4 };
	struct conf_identity b = a;
	ck_assert(!config_identity_matches(&p, &a));
	ck_assert(config_identity_matches(&a, &b));
	b.data[3] = 1;
	ck_assert(!config_identity_matches(&a, &b));
}
END_TEST

/* The reference: split both at dots; a "*" label of the pattern stands for
 * exactly one non-empty label of the identity; the rest compare without
 * case. Slow and obvious. */
static bool naive_match(const char *pattern, const char *id)
{
	char pb[300], ib[300], *pl[64], *il[64], *save;
	size_t np = 0, ni = 0;

	if (strstr(id, "..") || id[0] == '.' || strchr(id, '*') || (*id && id[strlen(id) - 1] == '.'))
		return false;
	snprintf(pb, sizeof(pb), "%s", pattern);
	snprintf(ib, sizeof(ib), "%s", id);
	for (char *t = strtok_r(pb, ".", &save); t && np < 64; t = strtok_r(NULL, ".", &save))
		pl[np++] = t;
	for (char *t = strtok_r(ib, ".", &save); t && ni < 64; t = strtok_r(NULL, ".", &save))
		il[ni++] = t;
	if (np != ni)
		return false;
	for (size_t i = 0; i < np; i++)
		if (strcmp(pl[i], "*") != 0 && strcasecmp(pl[i], il[i]) != 0)
			return false;
	return true;
}

static void random_name(char *out, size_t cap)
{
	static const char alpha[] = "abAB.-1";
	size_t n = 1 + randombytes_uniform((uint32_t)(cap < 16 ? cap - 1 : 15));
	for (size_t i = 0; i < n; i++)
		out[i] = alpha[randombytes_uniform(sizeof(alpha) - 1)];
	out[n] = '\0';
}

START_TEST(match_random_against_naive)
{
	static const char *const patterns[] = { "*.a.b", "*.ab", "*.a", "a.b", "*.b.a.b" };
	char id[64], label[16];

	ck_assert_int_ge(sodium_init(), 0);
	for (int k = 0; k < 20000; k++) {
		const char *pat = patterns[randombytes_uniform(5)];
		if (randombytes_uniform(2)) {   /* often near a match */
			random_name(label, sizeof(label));
			snprintf(id, sizeof(id), "%s%s", label, pat + (pat[0] == '*' ? 1 : 0));
		} else {
			random_name(id, sizeof(id));
		}
		struct conf_identity p = fqdn(pat), i = fqdn(id);
		ck_assert_msg(config_identity_matches(&p, &i) == naive_match(pat, id), "%s ~ %s", pat,
			      id);
	}
}
END_TEST

/* ---- loading ---- */

static struct config cfg;
static struct conf_errors errs;
static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/lg-tpl-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char keys[128];
	snprintf(keys, sizeof(keys), "%s/branches", dir);
	ck_assert_int_eq(mkdir(keys, 0700), 0);
}

static void teardown(void)
{
	char cmd[128];
	conf_release(&cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void write_file(const char *name, const char *text, mode_t mode)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(chmod(path, mode), 0);
}

/* key-dir's value stands at line 7, column 11. */
#define TEMPLATE(extra) \
	"site \"s\" { region CN; internal-space 10.0.0.0/8; identity-domain corp.example }\n" \
	"uplink \"inet\" { interface eth0 }\n" \
	"peer \"br\" {\n" \
	"  endpoint %any; region CN; uplink inet\n" \
	"  local-id hub.corp.example; remote-id *.branches.corp.example\n" \
	"  local-subnets 10.0.0.0/8; remote-subnets 10.64.0.0/10\n" \
	"  key-dir branches; auth psk\n" extra "}\n"

static int load(const char *text)
{
	char path[128];
	write_file("linegate.conf", text, 0644);
	snprintf(path, sizeof(path), "%s/linegate.conf", dir);
	return conf_load_file(path, &cfg, &errs);
}

static void assert_error(int line, int col, const char *needle)
{
	ck_assert_uint_ge(errs.n, 1);
	ck_assert_int_eq(errs.e[0].line, line);
	ck_assert_int_eq(errs.e[0].column, col);
	ck_assert_msg(strstr(errs.e[0].msg, needle), "'%s' lacks '%s'", errs.e[0].msg, needle);
}

START_TEST(instances_per_key_file)
{
	char want[256];
	write_file("branches/shop2.branches.corp.example", "0123456789abcdef0123456789abcdef\n", 0600);
	write_file("branches/Shop1.branches.corp.example", "0123456789abcdef0123456789abcdef\n", 0600);
	write_file("branches/.hidden", "x", 0600);
	ck_assert_int_eq(load(TEMPLATE("")), 0);
	ck_assert_uint_eq(cfg.n_peers, 3);
	ck_assert_uint_eq(cfg.n_templates, 1);
	const struct conf_peer *t = &cfg.peers[cfg.templates[0]];
	ck_assert(t->is_template);
	ck_assert_int_eq(t->role, CONF_ROLE_RESPONDER);
	ck_assert_str_eq(cfg.peers[1].name, "br/shop1.branches.corp.example");   /* sorted */
	ck_assert_str_eq(cfg.peers[2].name, "br/shop2.branches.corp.example");
	ck_assert_str_eq(cfg.peers[2].template_name, "br");
	snprintf(want, sizeof(want), "%s/branches/shop2.branches.corp.example", dir);
	ck_assert_str_eq(cfg.peers[2].psk_file, want);
	struct conf_identity id = fqdn("SHOP2.branches.corp.example");
	ck_assert_ptr_eq(config_find_instance(&cfg, t, &id), &cfg.peers[2]);
	id = fqdn("shop3.branches.corp.example");
	ck_assert_ptr_null(config_find_instance(&cfg, t, &id));
}
END_TEST

START_TEST(key_file_mode_checked)
{
	write_file("branches/shop1.branches.corp.example", "0123456789abcdef0123456789abcdef\n", 0644);
	ck_assert_int_eq(load(TEMPLATE("")), -EINVAL);
	assert_error(7, 11, "readable or writable by group or others");
}
END_TEST

START_TEST(foreign_file_refused)
{
	write_file("branches/shop1.evil.example", "0123456789abcdef0123456789abcdef\n", 0600);
	ck_assert_int_eq(load(TEMPLATE("")), -EINVAL);
	assert_error(7, 11, "does not match its remote-id *.branches.corp.example");
}
END_TEST

START_TEST(missing_dir_refused)
{
	ck_assert_int_eq(rmdir(strcat(strcpy((char[128]){ 0 }, dir), "/branches")), 0);
	ck_assert_int_eq(load(TEMPLATE("")), -EINVAL);
	assert_error(7, 11, "No such file or directory");
}
END_TEST

START_TEST(template_cannot_initiate)
{
	ck_assert_int_eq(load(TEMPLATE("  mode initiator\n")), -EINVAL);
	assert_error(8, 8, "expected mode responder");
}
END_TEST

START_TEST(pattern_needs_template)
{
	ck_assert_int_eq(load("site \"s\" { region CN; internal-space 10.0.0.0/8 }\n"
			      "uplink \"inet\" { interface eth0 }\n"
			      "peer \"p\" {\n"
			      "  endpoint 192.0.2.1; region CN; uplink inet\n"
			      "  local-id a.corp.example; remote-id *.corp.example\n"
			      "  local-subnets 10.1.0.0/16; remote-subnets 10.2.0.0/16\n"
			      "  psk-file k; auth psk; key-dir d\n}\n"), -EINVAL);
	assert_error(5, 38, "a remote-id pattern applies to a template peer only");
	ck_assert_int_eq(errs.e[1].line, 7);
	ck_assert_int_eq(errs.e[1].column, 25);
	ck_assert(strstr(errs.e[1].msg, "'key-dir' applies to a template peer only"));
}
END_TEST


/* ---- branch blocks: each identity bound to its own subnets ---- */

#define KEY "0123456789abcdef0123456789abcdef\n"
#define BRANCH(id, subnets) "branch \"" id "\" { template br; remote-subnets " subnets " }\n"

START_TEST(branch_binds_subnets)
{
	write_file("branches/shop1.branches.corp.example", KEY, 0600);
	write_file("branches/shop2.branches.corp.example", KEY, 0600);
	ck_assert_int_eq(load(TEMPLATE("") BRANCH("SHOP1.branches.corp.example", "10.65.1.0/24")
			      BRANCH("shop2.branches.corp.example", "10.65.2.0/24, 10.66.2.0/24")
			      BRANCH("shop9.branches.corp.example", "10.65.9.0/24")), 0);
	ck_assert_uint_eq(cfg.n_peers, 3);   /* shop9 has no key file: no instance */
	const struct conf_peer *a = &cfg.peers[1], *b = &cfg.peers[2];
	char s[LG_ADDRSTRLEN];
	ck_assert_str_eq(a->name, "br/shop1.branches.corp.example");
	ck_assert_uint_eq(a->n_remote_ts, 1);
	ck_assert_str_eq(lg_prefix_format(&a->remote_ts[0], s, sizeof(s)), "10.65.1.0/24");
	ck_assert_int_eq(config_line(a->remote_ts_at[0].line), 9);
	ck_assert_uint_eq(b->n_remote_ts, 2);
	ck_assert_str_eq(lg_prefix_format(&b->remote_ts[1], s, sizeof(s)), "10.66.2.0/24");
	ck_assert_uint_eq(cfg.peers[0].n_remote_ts, 1);   /* the template keeps its pool */
}
END_TEST

static const struct {
	const char *branches;
	int line, col;
	const char *error;
} branch_errors[] = {
	/* 0 */ { BRANCH("shop1.branches.corp.example", "10.65.1.0/24, 10.1.0.0/16"), 9, 82,
		  "remote subnet 10.1.0.0/16 of branch 'shop1.branches.corp.example' is outside "
		  "the remote-subnets of template 'br'" },
	/* 1 */ { BRANCH("shop1.branches.corp.example", "10.65.1.0/24")
		  BRANCH("shop2.branches.corp.example", "10.65.1.128/25"), 10, 68,
		  "remote subnet 10.65.1.128/25 overlaps 10.65.1.0/24 of branch "
		  "'br/shop1.branches.corp.example' (line 9)" },
	/* 2 */ { "branch \"shop1.branches.corp.example\" { template nope; remote-subnets 10.65.1.0/24 }\n",
		  9, 49, "undefined template 'nope'" },
	/* 3 */ { BRANCH("shop1.evil.example", "10.65.1.0/24"), 9, 8,
		  "branch 'shop1.evil.example' does not match the remote-id *.branches.corp.example" },
	/* 4 */ { BRANCH("shop1.branches.corp.example", "10.65.1.0/24")
		  BRANCH("Shop1.branches.corp.example", "10.65.2.0/24"), 10, 8,
		  "is also written at line 9" },
	/* 5 */ { "branch \"10.1.2.3\" { template br; remote-subnets 10.65.1.0/24 }\n", 9, 8,
		  "expected a host name identity" },
	/* 6 */ { "branch \"shop1.branches.corp.example\" { template br }\n", 9, 1,
		  "remote-subnets" },
	/* 7 */ { "branch \"shop1.branches.corp.example\" { template inet; remote-subnets 10.65.1.0/24 }\n",
		  9, 49, "undefined template 'inet'" },
	/* 8: keys missing, as the fuzzer wrote it: no check of the half-made branch */
	/* 8 */ { "branch \"shop1.branches.corp.example\" { }\n", 9, 1,
		  "missing required keys template, remote-subnets" },
	/* 9 */ { "branch \"shop1.branches.corp.example\" { remote-subnets 10.65.1.0/24 }\n", 9, 1,
		  "missing required key template" },
};

START_TEST(branch_errors_at_value)
{
	char text[2048];
	snprintf(text, sizeof(text), "%s%s", TEMPLATE(""), branch_errors[_i].branches);
	ck_assert_int_eq(load(text), -EINVAL);
	ck_assert_msg(errs.n >= 1, "case %d: no error", _i);
	ck_assert_msg(errs.e[0].line == branch_errors[_i].line && errs.e[0].column == branch_errors[_i].col &&
		      strstr(errs.e[0].msg, branch_errors[_i].error),
		      "case %d: %d:%d: %s", _i, errs.e[0].line, errs.e[0].column, errs.e[0].msg);
	for (size_t i = 0; i < errs.n; i++)   /* every error stands somewhere in the file */
		ck_assert_msg(errs.e[i].line >= 1 && errs.e[i].column >= 1, "case %d: error %zu at "
			      "%d:%d: %s", _i, i, errs.e[i].line, errs.e[i].column, errs.e[i].msg);
}
END_TEST

START_TEST(key_file_needs_branch)
{
	write_file("branches/shop1.branches.corp.example", KEY, 0600);
	write_file("branches/shop3.branches.corp.example", KEY, 0600);
	ck_assert_int_eq(load(TEMPLATE("") BRANCH("shop1.branches.corp.example", "10.65.1.0/24")),
			 -EINVAL);
	assert_error(7, 11, "key-dir file 'shop3.branches.corp.example' of template 'br' has no "
		     "branch block");
}
END_TEST

/* Random branch subnets (nesting often): an error stands at exactly the
 * subnets that overlap one written before them, as a naive pairwise
 * comparison of every subnet with every earlier one says. */
START_TEST(branch_overlaps_against_naive)
{
	enum { BRANCHES = 10, PER = 2 };
	struct lg_prefix pf[BRANCHES * PER];
	int line[BRANCHES * PER], col[BRANCHES * PER];
	char text[8192], row[256], ps[BRANCHES * PER][40];
	size_t n = 0;

	srandom(77 + (unsigned)_i);
	snprintf(text, sizeof(text), "%s", TEMPLATE(""));
	for (int b = 0; b < BRANCHES; b++) {
		int k = 1 + (int)(random() % PER);
		int len = snprintf(row, sizeof(row), "branch \"s%d.branches.corp.example\" { template br; "
				   "remote-subnets ", b);
		for (int j = 0; j < k; j++, n++) {
			static const int lens[] = { 16, 20, 24, 25, 26 };
			int l = lens[random() % 5];
			uint32_t a = 10u << 24 | (64u + (uint32_t)(random() % 2)) << 16 |
				     (uint32_t)(random() % 2) << 12 | (uint32_t)(random() % 4) << 6;
			a &= ~0u << (32 - l);
			snprintf(ps[n], sizeof(ps[n]), "%u.%u.%u.%u/%d", a >> 24, a >> 16 & 255,
				 a >> 8 & 255, a & 255, l);
			ck_assert_int_eq(lg_prefix_parse(ps[n], &pf[n]), 0);
			line[n] = 9 + b;
			col[n] = len + 1;
			len += snprintf(row + len, sizeof(row) - (size_t)len, "%s%s", ps[n],
					j + 1 < k ? ", " : " }\n");
		}
		strncat(text, row, sizeof(text) - strlen(text) - 1);
	}
	int rc = load(text);
	size_t want = 0;
	for (size_t i = 0; i < n; i++) {
		bool overlaps = false;
		for (size_t j = 0; j < i; j++)
			overlaps = overlaps || lg_prefix_overlap(&pf[i], &pf[j]);
		bool reported = false;
		for (size_t e = 0; e < errs.n; e++)
			reported = reported || (errs.e[e].line == line[i] && errs.e[e].column == col[i]);
		ck_assert_msg(reported == overlaps, "%s at %d:%d: reported %d, overlaps %d", ps[i],
			      line[i], col[i], reported, overlaps);
		want += overlaps;
	}
	ck_assert_uint_eq(errs.n, want);
	ck_assert_int_eq(rc, want ? -EINVAL : 0);
}
END_TEST

static Suite *template_suite(void)
{
	Suite *s = suite_create("conf_template");
	TCase *m = tcase_create("match");
	tcase_add_loop_test(m, match_table, 0, sizeof(vectors) / sizeof(vectors[0]));
	tcase_add_test(m, match_types);
	tcase_add_test(m, match_random_against_naive);
	suite_add_tcase(s, m);
	TCase *l = tcase_create("load");
	tcase_add_checked_fixture(l, setup, teardown);
	tcase_add_test(l, instances_per_key_file);
	tcase_add_test(l, key_file_mode_checked);
	tcase_add_test(l, foreign_file_refused);
	tcase_add_test(l, missing_dir_refused);
	tcase_add_test(l, template_cannot_initiate);
	tcase_add_test(l, pattern_needs_template);
	tcase_add_test(l, branch_binds_subnets);
	tcase_add_loop_test(l, branch_errors_at_value, 0, sizeof(branch_errors) / sizeof(branch_errors[0]));
	tcase_add_test(l, key_file_needs_branch);
	tcase_add_loop_test(l, branch_overlaps_against_naive, 0, 20);
	suite_add_tcase(s, l);
	return s;
}

int main(void)
{
	umask(022);
	return lg_check_run(template_suite());
}
