/* `linegatectl audit verify --archive FILE`: checks an export (audit_export.c)
 * on any machine, with no daemon and no root. The archive is untrusted
 * input: only the member names an export writes are accepted (no path of
 * its own choosing, no link, no device), each bounded, unpacked into a
 * fresh private directory that is removed afterwards. Then, in order: the
 * manifest lists every member with its BLAKE2b (and the manifest signature,
 * if any, verifies with the key), the journal's chain, checkpoints and
 * head verify as `audit verify` would, every configuration the records
 * name is in the archive and hashes to the value on record, and the
 * report's detached signature (if any) verifies with the same key. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
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

enum { ARCHIVE_MAX_MEMBERS = 1100, ARCHIVE_MAX_BYTES = 256 << 20, ARCHIVE_MAX_TOTAL = 1 << 30 };
/* A MANIFEST lists at most ARCHIVE_MAX_MEMBERS lines of a few hundred bytes */
enum { MANIFEST_MAX_BYTES = ARCHIVE_MAX_BYTES / 64 };

struct check {
	char dir[64];                  /* the private unpacking directory */
	char (*names)[128];
	size_t n;
	unsigned faults;
	bool head, signed_;
};

static void __attribute__((format(printf, 3, 4))) fail(struct check *c, const char *what,
							const char *fmt, ...)
{
	va_list ap;
	printf("FAIL %s: ", what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	c->faults++;
}

static bool all_hex(const char *s, size_t n)
{
	return strlen(s) == n && strspn(s, "0123456789abcdef") == n;
}

/* The names an export writes; nothing else is unpacked. */
static bool name_allowed(const char *name)
{
	static const char *const fixed[] = { "MANIFEST", "MANIFEST.sig", AUDIT_PUB_FILE,
					     AUDIT_HEAD_FILE, "verify.txt", "compliance.json",
					     "compliance.txt", "report.html", "report.html.sig" };
	int64_t day;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (!strcmp(name, fixed[i]))
			return true;
	if (!strncmp(name, "journal/", 8))
		return audit_file_name_day(name + 8, &day) && !strchr(name + 8, '/');
	if (!strncmp(name, AUDIT_CONFIG_DIR "/", sizeof(AUDIT_CONFIG_DIR))) {
		const char *h = name + sizeof(AUDIT_CONFIG_DIR);
		char hex[AUDIT_HEX_HASH + 1];
		return strlen(h) == AUDIT_HEX_HASH + 4 && !strcmp(h + AUDIT_HEX_HASH, ".tar") &&
		       (snprintf(hex, sizeof(hex), "%.64s", h), all_hex(hex, AUDIT_HEX_HASH));
	}
	return false;
}

static int unpack_one(struct check *c, struct archive *a, const char *name, la_int64_t size)
{
	char path[192];
	char buf[16384];
	snprintf(path, sizeof(path), "%s/%s", c->dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;   /* EEXIST: a name twice */
	int rc = 0;
	la_ssize_t r;
	la_int64_t got = 0;
	while ((r = archive_read_data(a, buf, sizeof(buf))) > 0 && rc == 0) {
		got += r;
		if (write(fd, buf, (size_t)r) != r)
			rc = -EIO;
	}
	if (r < 0 || got != size)
		rc = -EINVAL;
	close(fd);
	return rc;
}

static int unpack(struct check *c, const char *archive)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int64_t total = 0;
	int rc = 0, r;
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, archive, 16384) != ARCHIVE_OK) {
		fprintf(stderr, "audit: %s: %s\n", archive, archive_error_string(a));
		archive_read_free(a);
		return -EINVAL;
	}
	while (rc == 0 && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		la_int64_t size = archive_entry_size(e);
		if (!name || !name_allowed(name) || archive_entry_filetype(e) != AE_IFREG ||
		    size < 0 || size > ARCHIVE_MAX_BYTES || (total += size) > ARCHIVE_MAX_TOTAL ||
		    c->n == ARCHIVE_MAX_MEMBERS) {
			fail(c, "archive", "member '%.100s' is not one an export writes (or too large)",
			     name ? name : "?");
			rc = -EINVAL;
			break;
		}
		rc = unpack_one(c, a, name, size);
		if (rc) {
			fail(c, "archive", "member '%.100s' is truncated or repeated", name);
			break;
		}
		snprintf(c->names[c->n++], sizeof(c->names[0]), "%s", name);
	}
	if (rc == 0 && r != ARCHIVE_EOF) {
		fail(c, "archive", "not a complete tar: %s", archive_error_string(a));
		rc = -EINVAL;
	}
	archive_read_free(a);
	return rc;
}

static int hash_file(const char *path, uint8_t out[AUDIT_HASH_LEN], uint64_t *size)
{
	crypto_generichash_state h;
	uint8_t buf[16384];
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	crypto_generichash_init(&h, NULL, 0, AUDIT_HASH_LEN);
	*size = 0;
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		crypto_generichash_update(&h, buf, (size_t)r);
		*size += (uint64_t)r;
	}
	close(fd);
	crypto_generichash_final(&h, out, AUDIT_HASH_LEN);
	return r < 0 ? -EIO : 0;
}

static bool listed(const struct check *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->names[i], name))
			return true;
	return false;
}

/* Every member but the manifest and its signature is in the manifest with
 * its hash and size; each one listed is there. */
static unsigned check_manifest(struct check *c, const char *manifest, size_t len)
{
	char path[192], line[256], hex[AUDIT_HEX_HASH + 1], name[128];
	uint8_t want[AUDIT_HASH_LEN], got[AUDIT_HASH_LEN];
	unsigned long long size;
	uint64_t have;
	size_t members = 0, at = 0;
	unsigned before = c->faults;
	if (len < sizeof(AUDIT_EXPORT_MAGIC) || memcmp(manifest, AUDIT_EXPORT_MAGIC "\n",
						      sizeof(AUDIT_EXPORT_MAGIC))) {
		fail(c, "manifest", "%s", "not a linegate audit export manifest");
		return 1;
	}
	while (at < len) {
		const char *nl = memchr(manifest + at, '\n', len - at);
		size_t l = nl ? (size_t)(nl - manifest - at) : len - at;
		snprintf(line, sizeof(line), "%.*s", (int)(l < sizeof(line) - 1 ? l : sizeof(line) - 1),
			 manifest + at);
		at += l + 1;
		if (strncmp(line, "member ", 7))
			continue;
		if (sscanf(line, "member %64s %llu %127s", hex, &size, name) != 3 ||
		    !all_hex(hex, AUDIT_HEX_HASH) || !name_allowed(name)) {
			fail(c, "manifest", "malformed line '%.120s'", line);
			continue;
		}
		members++;
		lg_unhex_any(hex, want, sizeof(want));
		snprintf(path, sizeof(path), "%s/%s", c->dir, name);
		if (!listed(c, name) || hash_file(path, got, &have))
			fail(c, "manifest", "member %s is listed but not in the archive", name);
		else if (have != size || sodium_memcmp(want, got, sizeof(got)))
			fail(c, "manifest", "member %s differs from its BLAKE2b in the manifest", name);
	}
	for (size_t i = 0; i < c->n; i++) {
		char probe[140];
		snprintf(probe, sizeof(probe), " %s\n", c->names[i]);
		if (strcmp(c->names[i], "MANIFEST") && strcmp(c->names[i], "MANIFEST.sig") &&
		    !memmem(manifest, len, probe, strlen(probe)))
			fail(c, "manifest", "member %s is not in the manifest", c->names[i]);
	}
	if (c->faults == before)
		printf("PASS manifest: %zu members, each matches its BLAKE2b-256\n", members);
	return c->faults - before;
}

static void check_signature(struct check *c, const char *manifest, size_t len, const uint8_t pk[32])
{
	char path[192], text[200], hex[2 * crypto_sign_BYTES + 1];
	uint8_t sig[crypto_sign_BYTES];
	snprintf(path, sizeof(path), "%s/MANIFEST.sig", c->dir);
	FILE *f = fopen(path, "r");
	if (!f) {
		printf("NOTE manifest unsigned (exported without the audit key, e.g. by an auditor): "
		       "the records are proven by the journal's own signed checkpoints and head below\n");
		return;
	}
	bool ok = fgets(text, sizeof(text), f) && sscanf(text, "ed25519 %128s", hex) == 1 &&
		  all_hex(hex, 2 * crypto_sign_BYTES) &&
		  lg_unhex_any(hex, sig, sizeof(sig)) == crypto_sign_BYTES;
	fclose(f);
	crypto_sign_state st;
	crypto_sign_init(&st);
	crypto_sign_update(&st, (const uint8_t *)AUDIT_EXPORT_SIG_DOMAIN,
			   sizeof(AUDIT_EXPORT_SIG_DOMAIN) - 1);
	crypto_sign_update(&st, (const uint8_t *)manifest, len);
	if (ok && crypto_sign_final_verify(&st, sig, pk) == 0) {
		c->signed_ = true;
		printf("PASS manifest signature: Ed25519 by the audit key\n");
	} else {
		fail(c, "manifest signature", "%s", "does not verify with the audit key");
	}
}

/* Each configuration the records name is stored and hashes to its name. */
static void check_configs(struct check *c, const char *manifest, size_t len)
{
	char jdir[96], path[192];
	struct audit_config_refs refs;
	snprintf(jdir, sizeof(jdir), "%s/journal", c->dir);
	if (audit_config_refs_scan(jdir, INT64_MIN, INT64_MAX, &refs)) {
		fail(c, "configurations", "%s", "cannot read the journal's config records");
		return;
	}
	unsigned before = c->faults;
	size_t resolved = 0, withheld = 0;
	for (size_t i = 0; i < refs.n; i++) {
		uint8_t want[AUDIT_HASH_LEN], got[AUDIT_HASH_LEN];
		size_t files = 0;
		snprintf(path, sizeof(path), "%s/%s/%s.tar", c->dir, AUDIT_CONFIG_DIR, refs.hex[i]);
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		char probe[128];
		snprintf(probe, sizeof(probe), "withheld %s/%s.tar ", AUDIT_CONFIG_DIR, refs.hex[i]);
		if (fd < 0 && memmem(manifest, len, probe, strlen(probe))) {
			printf("NOTE configuration %.64s withheld by the exporter (readable by the "
			       "daemon only: it held secrets, or the exporter is not in the group)\n",
			       refs.hex[i]);
			withheld++;
			continue;
		}
		if (fd < 0) {
			fail(c, "configurations", "%.64s is named by a record but not in the archive",
			     refs.hex[i]);
			continue;
		}
		int rc = audit_config_tar_hash(fd, got, &files);
		close(fd);
		lg_unhex_any(refs.hex[i], want, sizeof(want));
		if (rc || sodium_memcmp(want, got, sizeof(got)))
			fail(c, "configurations", "%.64s.tar does not hash to the value on record",
			     refs.hex[i]);
		else
			resolved++;
	}
	if (c->faults == before)
		printf("PASS configurations: %zu of %zu named by config_loaded/config_reloaded records "
		       "are in the archive and their files hash to the BLAKE2b on record%s\n",
		       resolved, refs.n, withheld ? " (the rest withheld)" : "");
	audit_config_refs_free(&refs);
}

/* The compliance report, when the export holds one: its detached signature
 * must verify with the same audit key as the journal; the manifest's
 * "report" line says where it came from (live daemon or configuration). */
static void check_report(struct check *c, const char *manifest, size_t len, const uint8_t pk[32])
{
	char path[192], *html = NULL, *sig = NULL;
	size_t hlen = 0, slen = 0;
	uint8_t signer[32];
	const char *src = memmem(manifest, len, "\nreport ", 8);
	const char *end = src ? memchr(src + 1, '\n', len - (size_t)(src + 1 - manifest)) : NULL;
	if (src && end)
		printf("report: %.*s\n", (int)(end - src - 8 < 400 ? end - src - 8 : 400), src + 8);
	if (!listed(c, "report.html")) {
		printf("NOTE no compliance report (report.html) in the archive\n");
		return;
	}
	if (!listed(c, "report.html.sig")) {
		printf("NOTE report.html is unsigned (exported without the audit key): its content "
		       "is vouched for by the manifest only\n");
		return;
	}
	snprintf(path, sizeof(path), "%s/report.html", c->dir);
	int rc = lg_read_file_bounded(path, ARCHIVE_MAX_BYTES, LG_READ_NOFOLLOW, &html, &hlen, NULL);
	snprintf(path, sizeof(path), "%s/report.html.sig", c->dir);
	if (rc == 0)
		rc = lg_read_file_bounded(path, 4096, LG_READ_NOFOLLOW, &sig, &slen, NULL);
	if (rc == 0)
		rc = audit_report_verify(html, hlen, sig, pk, signer);
	if (rc == 0)
		printf("PASS report signature: report.html signed (Ed25519) by the audit key\n");
	else
		fail(c, "report signature", "%s", rc == -EKEYREJECTED ? "report.html is signed by "
		     "another key than the journal's" : rc == -EBADMSG ? "report.html or its "
		     "signature was changed after signing" : "report.html.sig is not a report signature");
	free(html);
	free(sig);
}

static void cleanup(struct check *c)
{
	char path[192];
	for (size_t i = c->n; i-- > 0;) {
		snprintf(path, sizeof(path), "%s/%s", c->dir, c->names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/journal", c->dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/%s", c->dir, AUDIT_CONFIG_DIR);
	rmdir(path);
	rmdir(c->dir);
}

static void run_checks(struct check *c, const char *pubkey)
{
	char path[192], head[192], jdir[96];
	uint8_t pk[32];
	size_t len = 0;
	snprintf(path, sizeof(path), "%s/MANIFEST", c->dir);
	char *manifest;
	int rc = lg_read_file_bounded(path, MANIFEST_MAX_BYTES, LG_READ_NOFOLLOW, &manifest, &len, NULL);
	if (rc) {
		/* a longer one is refused, not cut: its tail would go unchecked */
		if (rc == -ENOENT)
			fail(c, "manifest", "%s", "no MANIFEST in the archive");
		else if (rc == -EFBIG)
			fail(c, "manifest", "MANIFEST larger than %d bytes", MANIFEST_MAX_BYTES);
		else
			fail(c, "manifest", "cannot read the MANIFEST: %s", strerror(-rc));
		return;
	}
	check_manifest(c, manifest, len);
	snprintf(path, sizeof(path), "%s/%s", c->dir, AUDIT_PUB_FILE);
	if (!pubkey)
		pubkey = path;
	if (audit_pubkey_read(pubkey, pk)) {
		fail(c, "key", "cannot read the public key %s", pubkey);
		free(manifest);
		return;
	}
	char fp[AUDIT_HEX_HASH + 1];
	printf("key: %s (compare with the gateway's published audit key)\n", lg_hex(pk, 32, fp));
	check_signature(c, manifest, len, pk);
	/* a range that starts after the journal's first record starts at an
	 * anchor: what came before is not in the archive to chain to */
	bool from_start = memmem(manifest, len, "\nsince start of the journal\n", 28) != NULL;
	/* the journal: as `audit verify`, the end anchored by the signed head
	 * when the export ran to its time of making */
	snprintf(head, sizeof(head), "%s/%s", c->dir, AUDIT_HEAD_FILE);
	snprintf(jdir, sizeof(jdir), "%s/journal", c->dir);
	c->head = access(head, F_OK) == 0;
	printf("journal (the transcript of audit verify on the copy):\n");
	fflush(stdout);
	if (!from_start)
		printf("NOTE the range starts after the journal's beginning: its first record is "
		       "taken as the anchor\n");
	int code = audit_verify_report(stdout, jdir, pubkey, c->head ? head : NULL,
				       from_start ? INT64_MIN : 0, c->head ? INT64_MAX : INT64_MAX - 1);
	if (code)
		fail(c, "journal", "%s", code == 1 ? "the chain, a checkpoint or the head does not verify"
			: "could not be read");
	else
		printf("PASS journal: every record chained, checkpoints signed by the key%s\n",
		       c->head ? ", the trail reaches its signed head" :
		       " (range ends before now: no head; records after the last checkpoint are unsigned)");
	check_configs(c, manifest, len);
	check_report(c, manifest, len, pk);
	free(manifest);
}

int audit_archive_verify(const char *archive, const char *pubkey)
{
	struct check c = { 0 };
	const char *tmp = getenv("TMPDIR");
	char sub[96];
	if (sodium_init() < 0)
		return 2;
	snprintf(c.dir, sizeof(c.dir), "%.40s/lg-export.XXXXXX", tmp && tmp[0] == '/' ? tmp : "/tmp");
	c.names = calloc(ARCHIVE_MAX_MEMBERS, sizeof(*c.names));
	if (!c.names || !mkdtemp(c.dir)) {
		fprintf(stderr, "audit: cannot make a private directory: %s\n", strerror(errno));
		free(c.names);
		return 2;
	}
	snprintf(sub, sizeof(sub), "%s/journal", c.dir);
	mkdir(sub, 0700);
	snprintf(sub, sizeof(sub), "%s/%s", c.dir, AUDIT_CONFIG_DIR);
	mkdir(sub, 0700);
	printf("archive %s\n", archive);
	if (unpack(&c, archive) == 0)
		run_checks(&c, pubkey);
	cleanup(&c);
	free(c.names);
	if (c.faults) {
		printf("result: FAULT (%u): this archive is not proven intact\n", c.faults);
		return 1;
	}
	printf("result: OK. What this proves: the journal files are the records the gateway "
	       "wrote, unaltered and in order, signed by the key shown%s; the configurations "
	       "named are the ones it loaded. It does not prove the gateway's clock was right "
	       "(see clock records) or that the key belongs to this gateway (compare the key).\n",
	       c.head ? ", up to the signed head" : "");
	return 0;
}
