/* conf: template peers. Identity patterns against a table and against a
 * deliberately naive reference (labels split and compared one by one) on
 * random identities; loading a template makes one instance per key file,
 * with file:line:col errors for what does not belong in key-dir. */
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
	suite_add_tcase(s, l);
	return s;
}

int main(void)
{
	umask(022);
	return lg_check_run(template_suite());
}
