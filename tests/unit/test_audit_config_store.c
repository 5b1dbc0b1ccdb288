/* audit: the configuration store and the journal's modes. Real files in a
 * fresh temporary directory: a configuration with two included files is
 * stored once by its hash, the stored tar hashes back to the config hash
 * (and not when a byte of it changes), a file edited after the load is not
 * stored, a file readable by its owner only keeps the copy 0600, and the
 * journal's group and modes (02750 / 0640) are set whatever the umask.
 * Retention prunes the store: a configuration whose last record went with
 * an expired journal file goes, one still named, the one in force and one
 * stored while the scan ran stay. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "linegate/conf.h"
#include "linegate/log.h"
#include "audit_internal.h"
#include "check_main.h"

static struct config cfg;
static struct conf_errors errs;
static char dir[64];

static const char *path_of(const char *name)
{
	static char path[4][256];
	static int k;
	k = (k + 1) % 4;
	snprintf(path[k], sizeof(path[k]), "%s/%s", dir, name);
	return path[k];
}

static void write_file(const char *name, const char *text, mode_t mode)
{
	FILE *f = fopen(path_of(name), "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(chmod(path_of(name), mode), 0);
}

static void write_peer(const char *file, const char *name, int n)
{
	char text[512];
	snprintf(text, sizeof(text),
		 "peer \"%s\" {\n"
		 "  endpoint 192.0.2.%d; region CN; uplink inet; auth psk; psk-file k%d\n"
		 "  local-id a.corp.example; remote-id %s.corp.example\n"
		 "  local-subnets 10.1.0.0/16; remote-subnets 10.%d.0.0/16\n"
		 "}\n", name, n, n, name, 10 + n);
	write_file(file, text, 0644);
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/lg-cfgstore.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(mkdir(path_of("peers.d"), 0755), 0);
	ck_assert_int_eq(mkdir(path_of("journal"), 0700), 0);
	write_file("linegate.conf", "site \"s\" { region CN; internal-space 10.0.0.0/8 }\n"
		   "uplink \"inet\" { interface eth0 }\ninclude \"peers.d/*.conf\"\n", 0644);
	write_peer("peers.d/a.conf", "a", 2);
	write_peer("peers.d/b.conf", "b", 3);
	memset(&cfg, 0, sizeof(cfg));
	ck_assert_int_eq(conf_load_file_flags(path_of("linegate.conf"), CONF_LOAD_MISSING_KEYS_OK,
					      &cfg, &errs), 0);
	ck_assert_uint_eq(cfg.n_included, 2);
	snprintf(cfg.audit.journal_dir, sizeof(cfg.audit.journal_dir), "%s", path_of("journal"));
}

static void teardown(void)
{
	char cmd[128];
	audit_perms_set_group(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *stored_path(void)
{
	char hex[65], name[96];
	lg_hex(cfg.hash, sizeof(cfg.hash), hex);
	snprintf(name, sizeof(name), "journal/configs/%s.tar", hex);
	return path_of(name);
}

static int tar_hash(const char *path, uint8_t out[32], size_t *files)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	int rc = audit_config_tar_hash(fd, out, files);
	close(fd);
	return rc;
}

START_TEST(stored_by_hash_and_resolves)
{
	char out[256], want[128], hex[65];
	uint8_t h[32];
	size_t files;
	struct stat sb;
	ck_assert_int_eq(audit_config_store(&cfg, path_of("linegate.conf"), out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "configs/%s.tar", lg_hex(cfg.hash, 32, hex));
	ck_assert_str_eq(out, want);
	ck_assert_int_eq(stat(stored_path(), &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0640);
	ck_assert_int_eq(tar_hash(stored_path(), h, &files), 0);
	ck_assert_uint_eq(files, 3);   /* linegate.conf and both included files */
	ck_assert_mem_eq(h, cfg.hash, 32);
	/* again (a reload of the same files): the same name, still one copy */
	ck_assert_int_eq(audit_config_store(&cfg, path_of("linegate.conf"), out, sizeof(out)), 0);
	ck_assert_str_eq(out, want);
}
END_TEST

START_TEST(altered_copy_does_not_resolve)
{
	char out[256];
	uint8_t h[32];
	size_t files;
	ck_assert_int_eq(audit_config_store(&cfg, path_of("linegate.conf"), out, sizeof(out)), 0);
	/* one byte of an included file's text, inside the tar */
	FILE *f = fopen(stored_path(), "r+b");
	ck_assert_ptr_nonnull(f);
	char buf[16384];
	size_t n = fread(buf, 1, sizeof(buf), f);
	char *at = memmem(buf, n, "b.corp.example", 14);
	ck_assert_ptr_nonnull(at);
	fseek(f, at - buf, SEEK_SET);
	fputc('c', f);
	fclose(f);
	ck_assert_int_eq(tar_hash(stored_path(), h, &files), 0);
	ck_assert_mem_ne(h, cfg.hash, 32);
	/* not a tar at all */
	write_file("junk.tar", "not an archive\n", 0644);
	ck_assert_int_eq(tar_hash(path_of("junk.tar"), h, &files), -EINVAL);
}
END_TEST

START_TEST(edited_after_load_not_stored)
{
	char out[256];
	write_peer("peers.d/b.conf", "b", 4);
	ck_assert_int_eq(audit_config_store(&cfg, path_of("linegate.conf"), out, sizeof(out)), -ESTALE);
	ck_assert_str_eq(out, "failed: a file changed since it was loaded");
	ck_assert_int_eq(access(stored_path(), F_OK), -1);
}
END_TEST

START_TEST(owner_only_file_keeps_copy_private)
{
	char out[256];
	struct stat sb;
	ck_assert_int_eq(chmod(path_of("peers.d/a.conf"), 0600), 0);
	ck_assert_int_eq(audit_config_store(&cfg, path_of("linegate.conf"), out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, " (mode 0600)"));
	ck_assert_int_eq(stat(stored_path(), &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0600);
}
END_TEST

START_TEST(journal_group_and_modes)
{
	struct stat sb;
	char out[256];
	ck_assert_int_eq(audit_perms_set_group("no-such-group-lg"), -ENOENT);
	ck_assert_int_eq(audit_perms_set_group("54321"), 0);
	mode_t old = umask(0077);   /* as under the unit's UMask= */
	ck_assert_int_eq(audit_config_store(&cfg, path_of("linegate.conf"), out, sizeof(out)), 0);
	umask(old);
	ck_assert_int_eq(stat(path_of("journal/configs"), &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 02750);
	ck_assert_uint_eq(sb.st_gid, 54321);
	ck_assert_int_eq(stat(stored_path(), &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0640);
	ck_assert_uint_eq(sb.st_gid, 54321);   /* from the setgid directory */
	/* what an earlier version left: a file 0600 of another group */
	write_file("journal/audit-2026-01-01.jsonl", "", 0600);
	int dfd = open(path_of("journal"), O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(dfd, 0);
	audit_fix_tree(dfd, path_of("journal"));
	close(dfd);
	ck_assert_int_eq(stat(path_of("journal/audit-2026-01-01.jsonl"), &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0640);
	ck_assert_uint_eq(sb.st_gid, 54321);
	ck_assert_int_eq(stat(path_of("journal"), &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 02750);
}
END_TEST

static uint64_t fake_now;
static uint64_t fake_clock(void)
{
	return fake_now;
}

static void config_record(enum audit_event ev, char c)
{
	char hex[65];
	memset(hex, c, 64);
	hex[64] = '\0';
	audit_emit(ev, AUDIT_SUCCESS, "linegated", "linegate.conf", "blake2b", hex, NULL);
}

/* configs/<c x 64>.tar, written an hour ago (0: the current one) */
static const char *store_entry(char c, bool create)
{
	static char name[8][128], full[8][256];
	static int k;
	char hex[65];
	k = (k + 1) % 8;
	if (c)
		memset(hex, c, 64), hex[64] = '\0';
	else
		lg_hex(cfg.hash, sizeof(cfg.hash), hex);
	snprintf(name[k], sizeof(name[k]), "journal/configs/%s.tar", hex);
	if (create)
		write_file(name[k], "x", 0640);
	struct timespec old[2] = { { time(NULL) - 3600, 0 }, { time(NULL) - 3600, 0 } };
	if (!c || create)
		ck_assert_int_eq(utimensat(AT_FDCWD, path_of(name[k]), old, 0), 0);
	snprintf(full[k], sizeof(full[k]), "%s", path_of(name[k]));
	return full[k];
}

START_TEST(retention_prunes_store)
{
	struct conf_audit ac;
	char out[256];
	int64_t t0;
	memset(&ac, 0, sizeof(ac));
	snprintf(ac.journal_dir, sizeof(ac.journal_dir), "%s", path_of("journal"));
	ac.retention_days = 180;
	ac.checkpoint_interval_s = 60;
	ac.flow_interval_s = 300;
	ck_assert_int_eq(audit_time_parse("2026-01-10T12:00:00Z", &t0), 0);
	audit_set_clock(fake_clock);
	fake_now = (uint64_t)t0;
	ck_assert_int_eq(audit_open(&ac, "gw"), 0);
	config_record(AUDIT_CONFIG_LOADED, 'a');     /* only in the file that expires */
	config_record(AUDIT_CONFIG_LOADED, 'b');
	fake_now += 100 * 86400000ULL;
	audit_tick(fake_now);
	config_record(AUDIT_CONFIG_RELOADED, 'b');   /* named again in a kept file */
	config_record(AUDIT_CONFIG_RELOADED, 'c');
	ck_assert_int_eq(audit_config_store(&cfg, path_of("linegate.conf"), out, sizeof(out)), 0);
	const char *a = store_entry('a', true), *b = store_entry('b', true);
	const char *c = store_entry('c', true), *d = store_entry('d', true);
	const char *cur = store_entry(0, false);   /* in force, never on record here */
	ck_assert_int_eq(access(a, F_OK), 0);
	/* retention before the first file expires: nothing is pruned */
	fake_now = (uint64_t)t0 + 150 * 86400000ULL;
	audit_tick(fake_now);
	ck_assert_int_eq(access(a, F_OK), 0);
	ck_assert_int_eq(access(d, F_OK), 0);
	/* 182 days on, the first day's file goes and with it a's last record */
	fake_now = (uint64_t)t0 + 182 * 86400000ULL;
	audit_tick(fake_now);
	ck_assert_int_ne(access(path_of("journal/audit-2026-01-10.jsonl"), F_OK), 0);
	ck_assert_msg(access(a, F_OK) != 0, "a config named only by deleted records stays");
	ck_assert_msg(access(d, F_OK) != 0, "a config named by no record stays");
	ck_assert_int_eq(access(b, F_OK), 0);
	ck_assert_int_eq(access(c, F_OK), 0);
	ck_assert_int_eq(access(cur, F_OK), 0);
	/* a tar stored during a scan (mtime now) is not taken */
	const char *e = store_entry('e', false);
	write_file("journal/configs/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee.tar", "x", 0640);
	ck_assert_int_eq(audit_config_prune(path_of("journal")), 0);
	ck_assert_int_eq(access(e, F_OK), 0);
	audit_close();
	audit_set_clock(NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("audit_config_store");
	TCase *tc = tcase_create("store");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, stored_by_hash_and_resolves);
	tcase_add_test(tc, altered_copy_does_not_resolve);
	tcase_add_test(tc, edited_after_load_not_stored);
	tcase_add_test(tc, owner_only_file_keeps_copy_private);
	tcase_add_test(tc, journal_group_and_modes);
	tcase_add_test(tc, retention_prunes_store);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}
