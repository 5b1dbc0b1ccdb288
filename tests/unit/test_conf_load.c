/* conf: loading from disk. Key file checks (existence, type, group/other
 * permissions, owner; static-SA keys written in the config), the config file's own limits, the BLAKE2b hash, relative
 * paths. Files live in a fresh temporary directory per test. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
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
	snprintf(dir, sizeof(dir), "/tmp/lg-conf-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
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

static const char *path_of(const char *name)
{
	static char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

#define HEAD "site \"s\" { region CN; internal-space 10.0.0.0/8 }\n" \
	     "uplink \"inet\" { interface eth0 }\n" \
	     "peer \"p\" {\n" \
	     "  endpoint 192.0.2.1; region CN; uplink inet\n" \
	     "  local-id a.corp.example; remote-id b.corp.example\n" \
	     "  local-subnets 10.1.0.0/16; remote-subnets 10.2.0.0/16\n"

/* A PSK peer whose psk-file (column 12 of line 7) is `key`. */
static void write_psk_config(const char *key)
{
	char text[1024];
	snprintf(text, sizeof(text), HEAD "  psk-file %s; auth psk\n}\n", key);
	write_file("linegate.conf", text, 0644);
}

/* An ed25519 peer: private-key at 7:16, peer-public-key at 8:19. */
static void write_ed_config(void)
{
	char text[1024];
	snprintf(text, sizeof(text), HEAD "  private-key %s/priv.pem\n  peer-public-key %s/pub.pem\n"
		 "  auth ed25519\n}\n", dir, dir);
	write_file("linegate.conf", text, 0644);
}

static int load(void)
{
	return conf_load_file(path_of("linegate.conf"), &cfg, &errs);
}

static void assert_one_error(int line, int col, const char *msg)
{
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_int_eq(errs.e[0].line, line);
	ck_assert_int_eq(errs.e[0].column, col);
	ck_assert_str_eq(errs.e[0].msg, msg);
}

/* ---- PSK file modes: a table ---- */

static const struct {
	mode_t mode;
	bool ok;
} psk_modes[] = {
	{ 0600, true }, { 0400, true }, { 0700, true }, { 0644, false }, { 0640, false },
	{ 0604, false }, { 0620, false }, { 0602, false }, { 0660, false }, { 0666, false },
};

START_TEST(psk_file_modes)
{
	char key[128], msg[CONF_MSG_MAX];
	mode_t mode = psk_modes[_i].mode;
	snprintf(key, sizeof(key), "%s/p.psk", dir);
	write_file("p.psk", "0123456789abcdef0123456789abcdef\n", mode);
	write_psk_config(key);
	int rc = load();
	if (psk_modes[_i].ok) {
		ck_assert_msg(rc == 0, "mode %04o refused", mode);
		ck_assert_str_eq(cfg.peers[0].psk_file, key);
		return;
	}
	ck_assert_int_eq(rc, -EINVAL);
	snprintf(msg, sizeof(msg), "psk-file '%s' is readable or writable by group or others "
		 "(mode %04o): expected mode 0600 or 0400", key, mode);
	assert_one_error(7, 12, msg);
}
END_TEST

/* Another owner can chmod or rewrite a key whatever its mode says. */
START_TEST(key_file_other_owner)
{
	char key[128], msg[CONF_MSG_MAX];
	if (geteuid() != 0)
		return;   /* only root can hand a file to another user */
	snprintf(key, sizeof(key), "%s/p.psk", dir);
	write_file("p.psk", "0123456789abcdef0123456789abcdef\n", 0600);
	ck_assert_int_eq(chown(key, 65534, 65534), 0);
	write_psk_config(key);
	ck_assert_int_eq(load(), -EINVAL);
	snprintf(msg, sizeof(msg), "psk-file '%s' is owned by uid 65534: expected root or the "
		 "daemon's user", key);
	assert_one_error(7, 12, msg);
}
END_TEST

START_TEST(ed25519_files)
{
	char msg[CONF_MSG_MAX];
	write_ed_config();
	write_file("priv.pem", "private\n", 0600);
	write_file("pub.pem", "public\n", 0644);   /* a public key may be world-readable */
	ck_assert_int_eq(load(), 0);

	write_file("pub.pem", "public\n", 0664);   /* but nobody else may swap it */
	ck_assert_int_eq(load(), -EINVAL);
	snprintf(msg, sizeof(msg), "peer-public-key '%s/pub.pem' is writable by group or others "
		 "(mode 0664): expected at most 0644", dir);
	assert_one_error(8, 19, msg);

	write_file("pub.pem", "public\n", 0644);
	write_file("priv.pem", "private\n", 0604);
	ck_assert_int_eq(load(), -EINVAL);
	snprintf(msg, sizeof(msg), "private-key '%s/priv.pem' is readable or writable by group or "
		 "others (mode 0604): expected mode 0600 or 0400", dir);
	assert_one_error(7, 15, msg);
}
END_TEST

START_TEST(missing_key_file)
{
	char key[128], msg[CONF_MSG_MAX];
	snprintf(key, sizeof(key), "%s/absent.psk", dir);
	write_psk_config(key);
	ck_assert_int_eq(load(), -EINVAL);
	snprintf(msg, sizeof(msg), "psk-file '%s': No such file or directory", key);
	assert_one_error(7, 12, msg);
	/* Checking a config away from its gateway: absence tolerated, modes not. */
	ck_assert_int_eq(conf_load_file_flags(path_of("linegate.conf"), CONF_LOAD_MISSING_KEYS_OK,
					      &cfg, &errs), 0);
	write_file("absent.psk", "x\n", 0644);
	ck_assert_int_eq(conf_load_file_flags(path_of("linegate.conf"), CONF_LOAD_MISSING_KEYS_OK,
					      &cfg, &errs), -EINVAL);
}
END_TEST

START_TEST(key_file_is_directory)
{
	char msg[CONF_MSG_MAX];
	write_psk_config(dir);
	ck_assert_int_eq(load(), -EINVAL);
	snprintf(msg, sizeof(msg), "psk-file '%s' is not a regular file (a directory)", dir);
	assert_one_error(7, 12, msg);
}
END_TEST

/* A FIFO named as config or key file must not hang the load (nobody writes
 * to it here: a blocking open would wait forever; ctest's timeout fails it). */
START_TEST(fifo_inputs)
{
	char key[128], msg[CONF_MSG_MAX];
	snprintf(key, sizeof(key), "%s/fifo.psk", dir);
	ck_assert_int_eq(mkfifo(key, 0600), 0);
	write_psk_config(key);
	ck_assert_int_eq(load(), -EINVAL);
	snprintf(msg, sizeof(msg), "psk-file '%s' is not a regular file (a FIFO)", key);
	assert_one_error(7, 12, msg);

	ck_assert_int_eq(unlink(path_of("linegate.conf")), 0);
	ck_assert_int_eq(mkfifo(path_of("linegate.conf"), 0600), 0);
	ck_assert_int_eq(load(), -EINVAL);
	assert_one_error(0, 0, "not a regular file (a FIFO): expected a plain file");
	ck_assert_int_eq(unlink(path_of("linegate.conf")), 0);
	ck_assert_int_eq(unlink(key), 0);
}
END_TEST

/* Relative paths follow the config file, so the daemon can chdir("/"). */
START_TEST(relative_paths)
{
	char want[256];
	ck_assert_int_eq(mkdir(path_of("keys"), 0700), 0);
	write_file("keys/p.psk", "secret\n", 0600);
	write_psk_config("keys/p.psk");
	ck_assert_int_eq(load(), 0);
	snprintf(want, sizeof(want), "%s/keys/p.psk", dir);
	ck_assert_str_eq(cfg.peers[0].psk_file, want);
	ck_assert_str_eq(cfg.audit.journal_dir, "/var/lib/linegate/audit");
	/* A bare file name: relative to the working directory, made absolute. */
	ck_assert_int_eq(chdir(dir), 0);
	ck_assert_int_eq(conf_load_file("linegate.conf", &cfg, &errs), 0);
	ck_assert_str_eq(cfg.peers[0].psk_file, want);
	ck_assert_str_eq(cfg.path, "linegate.conf");
}
END_TEST

START_TEST(hash_and_path)
{
	char key[128], text[1024];
	uint8_t want[32];
	snprintf(key, sizeof(key), "%s/p.psk", dir);
	write_file("p.psk", "secret\n", 0600);
	write_psk_config(key);
	snprintf(text, sizeof(text), HEAD "  psk-file %s; auth psk\n}\n", key);
	ck_assert_int_eq(sodium_init() >= 0, 1);
	crypto_generichash(want, sizeof(want), (const uint8_t *)text, strlen(text), NULL, 0);
	ck_assert_int_eq(load(), 0);
	ck_assert_mem_eq(cfg.hash, want, 32);
	ck_assert_str_eq(cfg.path, path_of("linegate.conf"));
	/* One changed byte, another hash. */
	write_file("linegate.conf", text, 0644);
	text[strlen(text) - 3] = ' ';
	write_file("linegate.conf", text, 0644);
	ck_assert_int_eq(load(), 0);
	ck_assert(memcmp(cfg.hash, want, 32) != 0);
}
END_TEST

START_TEST(config_file_checks)
{
	char *out = NULL;
	size_t n = 0;

	ck_assert_int_eq(load(), -ENOENT);
	assert_one_error(0, 0, "cannot open: No such file or directory");

	write_file("linegate.conf", "site \"s\" { region CN; internal-space 10.0.0.0/8 }\n", 0664);
	ck_assert_int_eq(load(), -EPERM);
	assert_one_error(0, 0, "writable by group or others (mode 0664): expected at most 0644");
	FILE *f = open_memstream(&out, &n);
	conf_errors_print(&errs, f);
	fclose(f);
	char want[512];
	snprintf(want, sizeof(want), "%s: writable by group or others (mode 0664): expected at "
		 "most 0644\n", path_of("linegate.conf"));
	ck_assert_str_eq(out, want);
	free(out);

	ck_assert_int_eq(conf_load_file(dir, &cfg, &errs), -EINVAL);
	assert_one_error(0, 0, "not a regular file (a directory): expected a plain file");
}
END_TEST

START_TEST(config_file_too_large)
{
	size_t n = CONF_FILE_MAX + 1;
	char *big = malloc(n + 1);
	memset(big, '\n', n);
	big[n] = '\0';
	write_file("linegate.conf", big, 0600);
	free(big);
	ck_assert_int_eq(load(), -EFBIG);
	assert_one_error(0, 0, "file too large: expected at most 8388608 bytes");
	/* Exactly the limit is fine as far as size goes (no site block, though). */
	ck_assert_int_eq(truncate(path_of("linegate.conf"), CONF_FILE_MAX), 0);
	ck_assert_int_eq(load(), -EINVAL);
	assert_one_error(CONF_FILE_MAX + 1, 1, "missing site block: expected site \"name\" "
			 "{ region ...; internal-space ... }");
}
END_TEST

/* ---- static-SA keys written in the config itself ---- */

#define KEY_IN "0x" "a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0" "c1c2c3c4"
#define KEY_OUT "0x" "d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0" "f1f2f3f4"
/* key-in's value at 7:10, key-out's at 8:11 */
static const char static_sa_conf[] =
	"site \"s\" { region CN; internal-space 10.0.0.0/8 }\n"
	"uplink \"inet\" { interface eth0 }\n"
	"lab-only yes\n"
	"static-sa \"lab\" {\n"
	"  peer 10.201.0.2; region CN; remote-id lab.corp.example; uplink inet; cipher chacha20poly1305\n"
	"  spi-in 0x1001; spi-out 0x2001\n"
	"  key-in " KEY_IN "\n"
	"  key-out " KEY_OUT "\n"
	"  local-subnets 10.1.0.0/16; remote-subnets 10.2.0.0/16\n"
	"}\n";

static bool all_zero(const uint8_t *b, size_t n)
{
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= b[i];
	return acc == 0;
}

static void assert_keys_wiped(const struct config *c)
{
	ck_assert(all_zero(c->static_sas[0].key_in, sizeof(c->static_sas[0].key_in)));
	ck_assert(all_zero(c->static_sas[0].key_out, sizeof(c->static_sas[0].key_out)));
}

static const struct {
	mode_t mode;
	bool ok;
} static_sa_modes[] = {
	{ 0600, true }, { 0400, true }, { 0640, false }, { 0604, false }, { 0644, false },
	{ 0444, false },
};

/* The config is then a key file: the same rule, cited at each key value;
 * a refused load leaves no key in the struct. */
START_TEST(static_sa_key_modes)
{
	char msg[CONF_MSG_MAX];
	mode_t mode = static_sa_modes[_i].mode;
	write_file("linegate.conf", static_sa_conf, mode);
	int rc = load();
	if (static_sa_modes[_i].ok) {
		ck_assert_msg(rc == 0, "mode %04o refused", mode);
		ck_assert_uint_eq(cfg.static_sas[0].key_in[0], 0xa1);
		ck_assert_uint_eq(cfg.static_sas[0].key_out[35], 0xf4);
		conf_wipe_keys(&cfg);   /* what the daemon does once it holds them */
		assert_keys_wiped(&cfg);
		return;
	}
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_uint_eq(errs.n, 2);
	snprintf(msg, sizeof(msg), "key-in of static-sa 'lab' in a file readable by group or "
		 "others (mode %04o): expected mode 0600 or 0400", mode);
	ck_assert_int_eq(errs.e[0].line, 7);
	ck_assert_int_eq(errs.e[0].column, 10);
	ck_assert_str_eq(errs.e[0].msg, msg);
	ck_assert_int_eq(errs.e[1].line, 8);
	ck_assert_int_eq(errs.e[1].column, 11);
	ck_assert(strstr(errs.e[1].msg, "key-out of static-sa 'lab'") == errs.e[1].msg);
	assert_keys_wiped(&cfg);
}
END_TEST

START_TEST(static_sa_key_other_owner)
{
	if (geteuid() != 0)
		return;   /* only root can hand a file to another user */
	write_file("linegate.conf", static_sa_conf, 0600);
	ck_assert_int_eq(chown(path_of("linegate.conf"), 65534, 65534), 0);
	ck_assert_int_eq(load(), -EINVAL);
	ck_assert_uint_eq(errs.n, 2);
	ck_assert_int_eq(errs.e[0].line, 7);
	ck_assert_int_eq(errs.e[0].column, 10);
	ck_assert_str_eq(errs.e[0].msg, "key-in of static-sa 'lab' in a file owned by uid 65534: "
			 "expected root or the daemon's user");
	assert_keys_wiped(&cfg);
}
END_TEST

/* Any refusal wipes, not only the permission one: here an unknown key. */
START_TEST(static_sa_refused_wiped)
{
	char text[2048];
	snprintf(text, sizeof(text), "%sbogus-key 1\n", static_sa_conf);
	write_file("linegate.conf", text, 0600);
	ck_assert_int_eq(load(), -EINVAL);
	assert_keys_wiped(&cfg);
	ck_assert_int_eq(conf_parse_buffer("x.conf", text, strlen(text), &cfg, &errs), -EINVAL);
	assert_keys_wiped(&cfg);
	/* conf_free wipes a heap config before freeing it (ASan checks the free) */
	struct config *heap = malloc(sizeof(*heap));
	ck_assert_ptr_nonnull(heap);
	ck_assert_int_eq(conf_parse_buffer("x.conf", static_sa_conf, strlen(static_sa_conf), heap,
					   &errs), 0);
	ck_assert_uint_eq(heap->static_sas[0].key_in[0], 0xa1);
	conf_free(heap);
	conf_free(NULL);
}
END_TEST

/* Key files are only checked once the config itself is valid. */
START_TEST(syntax_errors_first)
{
	write_file("linegate.conf", HEAD "  psk-file /nonexistent; auth psk; dpd 1y\n}\n", 0644);
	ck_assert_int_eq(load(), -EINVAL);
	assert_one_error(7, 40, "invalid duration '1y': expected a number with unit s, m, h or d "
			 "(e.g. 30s, 4h, 180d)");
}
END_TEST

static Suite *load_suite(void)
{
	Suite *s = suite_create("conf_load");
	TCase *tc = tcase_create("files");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, key_file_other_owner);
	tcase_add_loop_test(tc, psk_file_modes, 0, sizeof(psk_modes) / sizeof(psk_modes[0]));
	tcase_add_test(tc, ed25519_files);
	tcase_add_test(tc, missing_key_file);
	tcase_add_test(tc, key_file_is_directory);
	tcase_add_test(tc, fifo_inputs);
	tcase_add_test(tc, relative_paths);
	tcase_add_test(tc, hash_and_path);
	tcase_add_test(tc, config_file_checks);
	tcase_add_test(tc, config_file_too_large);
	tcase_add_test(tc, syntax_errors_first);
	tcase_add_loop_test(tc, static_sa_key_modes, 0,
			    sizeof(static_sa_modes) / sizeof(static_sa_modes[0]));
	tcase_add_test(tc, static_sa_key_other_owner);
	tcase_add_test(tc, static_sa_refused_wiped);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	umask(022);
	return lg_check_run(load_suite());
}
