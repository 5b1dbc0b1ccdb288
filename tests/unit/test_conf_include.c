/* conf: `include` in linegate.conf. Real files in a fresh temporary
 * directory: matches read in sorted order, errors named by the included
 * file's line:col, loops, depth, a missing literal file, an empty pattern,
 * the checks of the main file on included ones, and a hash over all files
 * (so reload notices a changed included file). */
#include <check.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "linegate/conf.h"
#include "check_main.h"

static struct config cfg;
static struct conf_errors errs;
static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/lg-conf-inc.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char sub[96];
	snprintf(sub, sizeof(sub), "%s/peers.d", dir);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *path_of(const char *name)
{
	static char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static void write_file(const char *name, const char *text)
{
	FILE *f = fopen(path_of(name), "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(chmod(path_of(name), 0644), 0);
}

/* A peer block of 4 lines; n picks its endpoint and subnets. */
static void write_peer(const char *file, const char *name, int n, const char *extra)
{
	char text[512];
	snprintf(text, sizeof(text),
		 "peer \"%s\" {\n"
		 "  endpoint 192.0.2.%d; region CN; uplink inet; auth psk; psk-file k%d\n"
		 "  local-id a.corp.example; remote-id %s.corp.example%s\n"
		 "  local-subnets 10.1.0.0/16; remote-subnets 10.%d.0.0/16\n"
		 "}\n", name, n, n, name, extra, 10 + n);
	write_file(file, text);
}

#define MAIN_HEAD "site \"s\" { region CN; internal-space 10.0.0.0/8 }\n" \
		  "uplink \"inet\" { interface eth0 }\n"

static int load(void)
{
	return conf_load_file_flags(path_of("linegate.conf"), CONF_LOAD_MISSING_KEYS_OK, &cfg,
				    &errs);
}

static void assert_error(size_t i, const char *file, int line, int col, const char *msg)
{
	ck_assert_uint_gt(errs.n, i);
	ck_assert_str_eq(conf_error_file(&errs, &errs.e[i]), path_of(file));
	ck_assert_int_eq(errs.e[i].line, line);
	ck_assert_int_eq(errs.e[i].column, col);
	ck_assert_str_eq(errs.e[i].msg, msg);
}

/* BLAKE2b of the main file's bytes, then per included file its path, NUL,
 * length (8 bytes big-endian) and bytes: what docs/audit-events.md says. */
static void expected_hash(const char *const *files, size_t n, uint8_t out[32])
{
	crypto_generichash_state st;
	ck_assert_int_eq(crypto_generichash_init(&st, NULL, 0, 32), 0);
	for (size_t i = 0; i < n; i++) {
		char buf[4096];
		FILE *f = fopen(path_of(files[i]), "r");
		ck_assert_ptr_nonnull(f);
		size_t len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		if (i) {
			uint8_t be[8] = { 0 };
			for (size_t b = 0; b < 8; b++)
				be[b] = (uint8_t)((uint64_t)len >> (56 - 8 * b));
			crypto_generichash_update(&st, (const uint8_t *)path_of(files[i]),
						  strlen(path_of(files[i])) + 1);
			crypto_generichash_update(&st, be, sizeof(be));
		}
		crypto_generichash_update(&st, (const uint8_t *)buf, len);
	}
	crypto_generichash_final(&st, out, 32);
}

START_TEST(sorted_and_hashed)
{
	static const char *const files[] = { "linegate.conf", "peers.d/a.conf", "peers.d/b.conf" };
	uint8_t want[32], before[32];

	ck_assert_int_ge(sodium_init(), 0);
	write_file("linegate.conf", MAIN_HEAD "include \"peers.d/*.conf\"\ninclude \"none.d/*.conf\"\n");
	write_peer("peers.d/b.conf", "b", 2, "");   /* written first, read second */
	write_peer("peers.d/a.conf", "a", 1, "");
	write_file("peers.d/notes.txt", "not a config\n");
	ck_assert_int_eq(load(), 0);
	ck_assert_uint_eq(cfg.n_peers, 2);
	ck_assert_str_eq(cfg.peers[0].name, "a");
	ck_assert_str_eq(cfg.peers[1].name, "b");
	ck_assert_uint_eq(cfg.n_included, 2);
	ck_assert_str_eq(cfg.included[0], path_of("peers.d/a.conf"));
	/* key paths resolve against linegate.conf's directory */
	ck_assert_str_eq(cfg.peers[1].psk_file, path_of("k2"));
	char where[512];
	ck_assert_str_eq(config_at_format(&cfg, cfg.peers[1].endpoint_at, where, sizeof(where)),
			 strcat(strcpy((char[300]){ 0 }, path_of("peers.d/b.conf")), ":2:12"));
	expected_hash(files, 3, want);
	ck_assert_mem_eq(cfg.hash, want, 32);
	/* a changed included file changes the hash: reload sees it */
	memcpy(before, cfg.hash, 32);
	write_peer("peers.d/b.conf", "b", 2, "; dpd 20s");
	ck_assert_int_eq(load(), 0);
	ck_assert_mem_ne(cfg.hash, before, 32);
	expected_hash(files, 3, want);
	ck_assert_mem_eq(cfg.hash, want, 32);
}
END_TEST

START_TEST(error_names_included_file)
{
	char out[2048] = "";
	write_file("linegate.conf", MAIN_HEAD "include \"peers.d/*.conf\"\nbogus 1\n");
	write_peer("peers.d/a.conf", "a", 1, "");
	write_peer("peers.d/b.conf", "b", 2, "; dpd 1y");
	ck_assert_int_eq(load(), -EINVAL);
	ck_assert_uint_eq(errs.n, 2);
	/* in include order: the main file's, then b.conf's */
	assert_error(0, "linegate.conf", 4, 1, "unknown key 'bogus' at top level");
	assert_error(1, "peers.d/b.conf", 3, 58, "invalid duration '1y': expected a number "
		     "with unit s, m, h or d (e.g. 30s, 4h, 180d)");
	FILE *f = fmemopen(out, sizeof(out), "w");
	conf_errors_print(&errs, f);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(out, "peers.d/b.conf:3:58: invalid duration"));
	/* a duplicate across files cites the other file */
	write_peer("peers.d/b.conf", "a", 2, "");
	ck_assert_int_eq(load(), -EINVAL);
	char msg[1024];
	snprintf(msg, sizeof(msg), "duplicate peer 'a' (first defined at %s:1)",
		 path_of("peers.d/a.conf"));
	assert_error(1, "peers.d/b.conf", 1, 6, msg);
}
END_TEST

START_TEST(loop_refused)
{
	char msg[1024];
	write_file("linegate.conf", MAIN_HEAD "include \"peers.d/a.conf\"\n");
	write_file("peers.d/a.conf", "\ninclude \"../linegate.conf\"\n");
	ck_assert_int_eq(load(), -EINVAL);
	snprintf(msg, sizeof(msg), "include '%s/../linegate.conf': includes itself (an include "
		 "loop): expected each file once in a chain", path_of("peers.d"));
	ck_assert_uint_eq(errs.n, 1);
	assert_error(0, "peers.d/a.conf", 2, 9, msg);
	/* a file including itself */
	write_file("peers.d/a.conf", "include \"a.conf\"\n");
	ck_assert_int_eq(load(), -EINVAL);
	snprintf(msg, sizeof(msg), "include '%s': includes itself (an include loop): expected "
		 "each file once in a chain", path_of("peers.d/a.conf"));
	assert_error(0, "peers.d/a.conf", 1, 9, msg);
}
END_TEST

START_TEST(depth_bounded)
{
	char name[64], text[128], msg[1024];
	write_file("linegate.conf", MAIN_HEAD "include \"peers.d/d1.conf\"\n");
	for (int i = 1; i <= CONF_MAX_INCLUDE_DEPTH + 1; i++) {
		snprintf(name, sizeof(name), "peers.d/d%d.conf", i);
		snprintf(text, sizeof(text), "include \"d%d.conf\"\n", i + 1);
		write_file(name, text);
	}
	ck_assert_int_eq(load(), -EINVAL);
	snprintf(name, sizeof(name), "peers.d/d%d.conf", CONF_MAX_INCLUDE_DEPTH);
	snprintf(msg, sizeof(msg), "include '%s/d%d.conf': includes nested too deep: expected "
		 "at most %d levels", path_of("peers.d"), CONF_MAX_INCLUDE_DEPTH + 1,
		 CONF_MAX_INCLUDE_DEPTH);
	assert_error(0, name, 1, 9, msg);
	ck_assert_uint_eq(errs.n_included, CONF_MAX_INCLUDE_DEPTH);
}
END_TEST

START_TEST(missing_literal_and_checks)
{
	char msg[1024];
	write_file("linegate.conf", MAIN_HEAD "include \"peers.d/gone.conf\"\n");
	ck_assert_int_eq(load(), -EINVAL);
	snprintf(msg, sizeof(msg), "include '%s': cannot open: No such file or directory",
		 path_of("peers.d/gone.conf"));
	assert_error(0, "linegate.conf", 3, 9, msg);
	/* an included file gets the main file's checks: group-writable refused */
	write_file("linegate.conf", MAIN_HEAD "include \"peers.d/*.conf\"\n");
	write_peer("peers.d/a.conf", "a", 1, "");
	ck_assert_int_eq(chmod(path_of("peers.d/a.conf"), 0664), 0);
	ck_assert_int_eq(load(), -EINVAL);
	snprintf(msg, sizeof(msg), "include '%s': writable by group or others (mode 0664): "
		 "expected at most 0644", path_of("peers.d/a.conf"));
	assert_error(0, "linegate.conf", 3, 9, msg);
	/* a directory matched by the pattern is not a config */
	ck_assert_int_eq(unlink(path_of("peers.d/a.conf")), 0);
	ck_assert_int_eq(mkdir(path_of("peers.d/x.conf"), 0755), 0);
	ck_assert_int_eq(load(), -EINVAL);
	snprintf(msg, sizeof(msg), "include '%s': not a regular file (a directory): expected a "
		 "plain file", path_of("peers.d/x.conf"));
	assert_error(0, "linegate.conf", 3, 9, msg);
}
END_TEST

/* No file I/O when parsing a buffer (and so in the fuzz target). */
START_TEST(buffer_refuses_include)
{
	const char text[] = MAIN_HEAD "include \"/etc/passwd\"\n";
	ck_assert_int_eq(conf_parse_buffer("t.conf", text, strlen(text), &cfg, &errs), -EINVAL);
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_int_eq(errs.e[0].line, 3);
	ck_assert_int_eq(errs.e[0].column, 9);
	ck_assert_str_eq(errs.e[0].msg, "include is only available in a configuration file");
}
END_TEST

static Suite *include_suite(void)
{
	Suite *s = suite_create("conf_include");
	TCase *tc = tcase_create("files");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, sorted_and_hashed);
	tcase_add_test(tc, error_names_included_file);
	tcase_add_test(tc, loop_refused);
	tcase_add_test(tc, depth_bounded);
	tcase_add_test(tc, missing_literal_and_checks);
	tcase_add_test(tc, buffer_refuses_include);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	umask(022);
	return lg_check_run(include_suite());
}
