/* `linegatectl audit export`: one tar an assessor takes away and checks on
 * their own machine (audit_archive.c): the whole journal files of the range
 * (verify needs their chains), the public key, the signed head (when the
 * range runs to now), the configurations the range's config_loaded and
 * config_reloaded records name, the verify transcript, the compliance
 * report, and a MANIFEST with the BLAKE2b of every member. The manifest is
 * signed with the audit key (MANIFEST.sig) when the exporter can read it
 * (root); an auditor's export is unsigned, and needs no signature to be
 * trusted: every record is hash-chained under the journal's own signed
 * checkpoints and head, and each configuration hashes to its record. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>
#include <sodium.h>
#include "linegate/file.h"
#include "linegate/log.h"
#include "audit_internal.h"

enum { EXTRA_MAX = 4, MEMBERS_MAX = 1024, MEMBER_MAX_BYTES = 256 << 20 };

struct member {
	char name[96];
	char *buf;
	size_t len;
};

static struct member extra[EXTRA_MAX];
static size_t n_extra;

int audit_export_add_member(const char *name, const void *data, size_t len)
{
	if (n_extra == EXTRA_MAX || strchr(name, '/') || strlen(name) >= sizeof(extra[0].name))
		return -EINVAL;
	struct member *m = &extra[n_extra];
	m->buf = malloc(len ? len : 1);
	if (!m->buf)
		return -ENOMEM;
	memcpy(m->buf, data, len);
	m->len = len;
	snprintf(m->name, sizeof(m->name), "%s", name);
	n_extra++;
	return 0;
}

static char notes[EXTRA_MAX][512];
static size_t n_notes;

int audit_export_add_note(const char *key, const char *text)
{
	if (n_notes == EXTRA_MAX || strpbrk(key, " \n") || strchr(text, '\n') ||
	    strlen(key) + strlen(text) + 2 > sizeof(notes[0]))
		return -EINVAL;
	char *n = notes[n_notes++];
	size_t kl = strlen(key);
	memcpy(n, key, kl);
	n[kl] = ' ';
	memcpy(n + kl + 1, text, strlen(text) + 1);   /* fits: checked above */
	return 0;
}

struct export {
	struct member m[MEMBERS_MAX];
	size_t n;
	char *manifest;                /* open_memstream */
	size_t manifest_len;
	FILE *mf;
};

static struct member *add(struct export *x, const char *name)
{
	if (x->n == MEMBERS_MAX)
		return NULL;
	struct member *m = &x->m[x->n++];
	snprintf(m->name, sizeof(m->name), "%.95s", name);
	return m;
}

/* A file of dir as a member; one the exporter may not read is withheld,
 * and the manifest says so (the daemon keeps a copy of a config that held
 * secrets 0600). Journal files: only whole records (the live file may be
 * mid-write). */
static int add_path(struct export *x, const char *path, const char *name, bool lines)
{
	struct member *m = add(x, name);
	if (!m)
		return -E2BIG;
	int rc = lg_read_file_bounded(path, MEMBER_MAX_BYTES, LG_READ_NOFOLLOW, &m->buf, &m->len, NULL);
	if (rc) {
		x->n--;
		fprintf(x->mf, "withheld %s %s\n", name, strerror(-rc));
		return rc == -EACCES || rc == -ENOENT ? 0 : rc;
	}
	while (lines && m->len && m->buf[m->len - 1] != '\n')
		m->len--;
	return 0;
}

static int add_file(struct export *x, const char *dir, const char *rel, const char *name,
		    bool lines)
{
	char path[CONF_PATH_MAX + 128];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return add_path(x, path, name, lines);
}

static void manifest_members(struct export *x)
{
	uint8_t h[AUDIT_HASH_LEN];
	char hex[AUDIT_HEX_HASH + 1];
	for (size_t i = 0; i < x->n; i++) {
		crypto_generichash(h, sizeof(h), (const uint8_t *)x->m[i].buf, x->m[i].len, NULL, 0);
		fprintf(x->mf, "member %s %zu %s\n", lg_hex(h, sizeof(h), hex), x->m[i].len,
			x->m[i].name);
	}
}

/* The audit key is root's alone (0600): an auditor's export is unsigned. */
static bool sign_manifest(const char *dir, const char *manifest, size_t len, char out[160])
{
	char path[CONF_PATH_MAX + 16];
	uint8_t sig[crypto_sign_BYTES];
	char hex[2 * crypto_sign_BYTES + 1];
	snprintf(path, sizeof(path), "%s/%s", dir, AUDIT_KEY_FILE);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return false;
	uint8_t *sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
	bool ok = sk && read(fd, sk, crypto_sign_SECRETKEYBYTES) == crypto_sign_SECRETKEYBYTES;
	close(fd);
	if (ok) {
		crypto_sign_state st;
		crypto_sign_init(&st);
		crypto_sign_update(&st, (const uint8_t *)AUDIT_EXPORT_SIG_DOMAIN,
				   sizeof(AUDIT_EXPORT_SIG_DOMAIN) - 1);
		crypto_sign_update(&st, (const uint8_t *)manifest, len);
		ok = crypto_sign_final_create(&st, sig, NULL, sk) == 0;
	}
	sodium_free(sk);
	if (ok)
		snprintf(out, 160, "ed25519 %s\n", lg_hex(sig, sizeof(sig), hex));
	return ok;
}

static int write_member(struct archive *a, struct archive_entry *e, const char *name,
			const void *buf, size_t len, time_t when)
{
	archive_entry_clear(e);
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_mtime(e, when, 0);
	archive_entry_set_size(e, (la_int64_t)len);
	if (archive_write_header(a, e) != ARCHIVE_OK ||
	    (len && archive_write_data(a, buf, len) != (la_ssize_t)len))
		return -EIO;
	return 0;
}

/* MANIFEST first, MANIFEST.sig, then the members in manifest order; written
 * beside OUT and renamed: a half-written archive never has OUT's name. */
static int write_tar(const struct export *x, const char *out, const char *sig)
{
	char tmp[CONF_PATH_MAX + 16];
	snprintf(tmp, sizeof(tmp), "%s.part", out);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0)
		return -errno;
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	time_t now = (time_t)(lg_wall_ms() / 1000);
	int rc = a && e && archive_write_set_format_pax_restricted(a) == ARCHIVE_OK &&
		 archive_write_open_fd(a, fd) == ARCHIVE_OK ? 0 : -EIO;
	if (rc == 0)
		rc = write_member(a, e, "MANIFEST", x->manifest, x->manifest_len, now);
	if (rc == 0 && sig[0])
		rc = write_member(a, e, "MANIFEST.sig", sig, strlen(sig), now);
	for (size_t i = 0; rc == 0 && i < x->n; i++)
		rc = write_member(a, e, x->m[i].name, x->m[i].buf, x->m[i].len, now);
	if (a && archive_write_close(a) != ARCHIVE_OK && rc == 0)
		rc = -EIO;
	archive_entry_free(e);
	archive_write_free(a);
	if (rc == 0 && fsync(fd))
		rc = -errno;
	close(fd);
	if (rc == 0 && rename(tmp, out))
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}

static void range_text(int64_t ms, const char *none, char *out, size_t cap)
{
	if (ms == INT64_MIN || ms == INT64_MAX)
		snprintf(out, cap, "%s", none);
	else
		lg_time_format((uint64_t)ms, out, cap);
}

/* The journal files of the range, the key, the head, the configs. */
static int add_journal(struct export *x, const struct audit_export_args *a, int64_t lo, int64_t hi)
{
	char (*names)[AUDIT_NAME_MAX] = NULL;
	char name[128];
	size_t n = 0;
	int64_t day;
	int rc = add_file(x, a->dir, AUDIT_PUB_FILE, AUDIT_PUB_FILE, false);
	/* the head before the files: the daemon writes it after what it names */
	if (rc == 0 && a->until_ms == INT64_MAX)
		rc = add_file(x, a->dir, AUDIT_HEAD_FILE, AUDIT_HEAD_FILE, false);
	if (rc == 0)
		rc = audit_list_files(a->dir, &names, &n);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (!audit_file_name_day(names[i], &day) || day < lo || day > hi)
			continue;
		snprintf(name, sizeof(name), "journal/%s", names[i]);
		rc = add_file(x, a->dir, names[i], name, true);
	}
	free(names);
	struct audit_config_refs refs;
	if (rc == 0)
		rc = audit_config_refs_scan(a->dir, lo, hi, &refs);
	for (size_t i = 0; rc == 0 && i < refs.n; i++) {
		snprintf(name, sizeof(name), "%s/%s.tar", AUDIT_CONFIG_DIR, refs.hex[i]);
		rc = add_file(x, a->dir, name, name, false);
	}
	if (rc == 0)
		audit_config_refs_free(&refs);
	return rc;
}

static int add_extras(struct export *x, const struct audit_export_args *a, int verify_code)
{
	struct member *m = add(x, "verify.txt");
	if (!m)
		return -E2BIG;
	/* the transcript of `audit verify` over the same range, as it ran here */
	FILE *t = open_memstream(&m->buf, &m->len);
	if (!t)
		return -ENOMEM;
	audit_verify_report(t, a->dir, NULL, NULL, a->since_ms, a->until_ms);
	fclose(t);
	(void)verify_code;
	for (size_t i = 0; i < n_extra; i++) {
		if (!(m = add(x, extra[i].name)))
			return -E2BIG;
		m->buf = extra[i].buf;   /* moved */
		m->len = extra[i].len;
		extra[i].buf = NULL;
	}
	n_extra = 0;
	if (a->report) {
		char sig[CONF_PATH_MAX + 8];
		snprintf(sig, sizeof(sig), "%s.sig", a->report);
		if (access(a->report, R_OK)) {
			fprintf(stderr, "audit: export: %s: %s\n", a->report, strerror(errno));
			return -errno;
		}
		int rc = add_path(x, a->report, "report.html", false);
		if (rc == 0 && access(sig, F_OK) == 0)
			rc = add_path(x, sig, "report.html.sig", false);
		return rc;
	}
	return 0;
}

int audit_export_write(const struct audit_export_args *a)
{
	struct export *x = calloc(1, sizeof(*x));
	char since[48], until[48], host[256] = "", now[48], sig[160] = "";
	int64_t lo = a->since_ms == INT64_MIN ? INT64_MIN : audit_day_of_ms(a->since_ms);
	int64_t hi = a->until_ms == INT64_MAX ? INT64_MAX : audit_day_of_ms(a->until_ms);
	int rc = -ENOMEM;
	if (!x || sodium_init() < 0 || !(x->mf = open_memstream(&x->manifest, &x->manifest_len)))
		goto out;
	gethostname(host, sizeof(host) - 1);
	range_text(a->since_ms, "start of the journal", since, sizeof(since));
	range_text(a->until_ms, "now (anchored by audit.head)", until, sizeof(until));
	lg_time_format(lg_wall_ms(), now, sizeof(now));
	fprintf(x->mf, "%s\ncreated %s\nhost %s\njournal %s\nsince %s\nuntil %s\n",
		AUDIT_EXPORT_MAGIC, now, host, a->dir, since, until);
	for (size_t i = 0; i < n_notes; i++)
		fprintf(x->mf, "%s\n", notes[i]);
	n_notes = 0;
	rc = add_journal(x, a, lo, hi);
	if (rc == 0)
		rc = add_extras(x, a, 0);
	if (rc)
		goto out;
	manifest_members(x);
	fclose(x->mf);
	x->mf = NULL;
	bool signed_ = sign_manifest(a->dir, x->manifest, x->manifest_len, sig);
	rc = write_tar(x, a->out, sig);
	if (rc == 0)
		printf("exported %zu members to %s (manifest %s)\n", x->n, a->out,
		       signed_ ? "signed with the audit key" :
		       "unsigned: the audit key is root's; the journal's signed checkpoints and head "
		       "still prove every record");
out:
	if (x && x->mf)
		fclose(x->mf);
	if (rc)
		fprintf(stderr, "audit: export: %s\n", strerror(-rc));
	for (size_t i = 0; x && i < x->n; i++)
		free(x->m[i].buf);
	if (x)
		free(x->manifest);
	free(x);
	return rc ? 2 : 0;
}
