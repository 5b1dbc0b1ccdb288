/* The configuration store: every configuration the daemon loads is kept
 * beside the journal as configs/<blake2b hex>.tar holding its files exactly
 * as conf_load_file hashed them (linegate.conf first, then each included
 * file under the path that was hashed), so the hash in a config_loaded
 * record can be resolved, and re-checked, years later with no daemon.
 * A tar (pax, via libarchive) because an assessor's own tools open it. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>
#include "linegate/conf.h"
#include "linegate/file.h"
#include "linegate/log.h"
#include "audit_internal.h"

/* The config hash (conf/include.c): the first file's bytes, then per
 * included file its path, a NUL, its length (8 bytes big endian), its bytes. */
static void hash_member(crypto_generichash_state *h, bool first, const char *path,
			const void *buf, size_t n)
{
	uint8_t len[8];
	if (!first) {
		for (size_t i = 0; i < 8; i++)
			len[i] = (uint8_t)((uint64_t)n >> (56 - 8 * i));
		crypto_generichash_update(h, (const uint8_t *)path, strlen(path) + 1);
		crypto_generichash_update(h, len, sizeof(len));
	}
	crypto_generichash_update(h, buf, n);
}

/* The configuration in force is kept by pruning even once the record that
 * named it has gone with retention (a daemon up longer than the period). */
static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;
static char current[AUDIT_HEX_HASH + 1];

void audit_config_current(char out[AUDIT_HEX_HASH + 1])
{
	pthread_mutex_lock(&current_lock);
	memcpy(out, current, sizeof(current));
	pthread_mutex_unlock(&current_lock);
}

static void set_current(const char *hex)
{
	pthread_mutex_lock(&current_lock);
	snprintf(current, sizeof(current), "%s", hex);
	pthread_mutex_unlock(&current_lock);
}

struct cfile {
	const char *path;
	char *buf;
	size_t n;
	mode_t mode;
};

static void free_files(struct cfile *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (f[i].buf)
			sodium_memzero(f[i].buf, f[i].n);   /* lab static-SA keys may be there */
		free(f[i].buf);
	}
}

static int write_tar(int fd, const struct cfile *f, size_t n)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	int rc = 0;
	if (!a || !e || archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_open_fd(a, fd) != ARCHIVE_OK)
		rc = -EIO;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		/* fixed owner, mode and time: the same configuration, the same bytes */
		archive_entry_clear(e);
		archive_entry_set_pathname(e, f[i].path);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0640);
		archive_entry_set_size(e, (la_int64_t)f[i].n);
		if (archive_write_header(a, e) != ARCHIVE_OK ||
		    (f[i].n && archive_write_data(a, f[i].buf, f[i].n) != (la_ssize_t)f[i].n))
			rc = -EIO;
	}
	if (a && archive_write_close(a) != ARCHIVE_OK && rc == 0)
		rc = -EIO;
	archive_entry_free(e);
	archive_write_free(a);
	return rc;
}

/* The store's directory: created like the journal's and with its group. */
static int store_dir(const char *journal_dir, int *dfd)
{
	char path[CONF_PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/%s", journal_dir, AUDIT_CONFIG_DIR);
	if (mkdir(path, 0750) && errno != EEXIST)
		return -errno;
	*dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (*dfd < 0)
		return -errno;
	audit_fix_mode(*dfd, true);
	return 0;
}

static int store_files(const char *journal_dir, const struct cfile *f, size_t n, const char *hex,
		       bool withheld)
{
	char name[AUDIT_HEX_HASH + 8], tmp[AUDIT_HEX_HASH + 16];
	struct stat sb;
	int dfd = -1, rc = store_dir(journal_dir, &dfd);
	if (rc)
		return rc;
	snprintf(name, sizeof(name), "%s.tar", hex);
	snprintf(tmp, sizeof(tmp), ".%s.tmp", hex);
	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb.st_mode)) {
		/* content-addressed: already stored is stored; the new mtime
		 * keeps a prune that is scanning now from taking it */
		utimensat(dfd, name, NULL, AT_SYMLINK_NOFOLLOW);
		close(dfd);
		return 0;
	}
	int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		rc = -errno;
		close(dfd);
		return rc;
	}
	/* never wider than the admin made the files: one not readable by
	 * group or others (the only place inline static-SA keys may be) keeps
	 * the copy the daemon's alone */
	rc = write_tar(fd, f, n);
	if (rc == 0 && !withheld)
		audit_fix_mode(fd, false);
	if (rc == 0 && fsync(fd))
		rc = -errno;
	close(fd);
	if (rc == 0 && renameat(dfd, tmp, dfd, name))
		rc = -errno;
	if (rc)
		unlinkat(dfd, tmp, 0);
	else
		fsync(dfd);
	close(dfd);
	return rc;
}

int audit_config_store(const struct config *cfg, const char *main_path, char *out, size_t cap)
{
	struct cfile f[CONF_MAX_FILES];
	size_t n = 1 + cfg->n_included;
	uint8_t hash[AUDIT_HASH_LEN];
	char hex[AUDIT_HEX_HASH + 1];
	crypto_generichash_state h;
	bool withheld = false;
	int rc = 0;

	memset(f, 0, sizeof(f));
	if (n > CONF_MAX_FILES || sodium_init() < 0)
		return -EINVAL;
	crypto_generichash_init(&h, NULL, 0, AUDIT_HASH_LEN);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		f[i].path = i ? cfg->included[i - 1] : main_path;
		struct stat st = { .st_mode = 0 };
		rc = lg_read_file_bounded(f[i].path, CONF_FILE_MAX, 0, &f[i].buf, &f[i].n, &st);
		f[i].mode = st.st_mode;
		if (rc == 0)
			hash_member(&h, i == 0, f[i].path, f[i].buf, f[i].n);
		withheld |= !(f[i].mode & (S_IRGRP | S_IROTH));
	}
	crypto_generichash_final(&h, hash, sizeof(hash));
	/* re-read after the load: an edit in between is not what was loaded */
	if (rc == 0 && sodium_memcmp(hash, cfg->hash, sizeof(hash)))
		rc = -ESTALE;
	lg_hex(cfg->hash, sizeof(cfg->hash), hex);
	if (rc == 0)
		set_current(hex);   /* before the file: a prune never sees it unprotected */
	if (rc == 0)
		rc = store_files(cfg->audit.journal_dir, f, n, hex, withheld);
	free_files(f, n);
	if (rc == 0)
		snprintf(out, cap, "%s/%s.tar%s", AUDIT_CONFIG_DIR, hex, withheld ? " (mode 0600)" : "");
	else
		snprintf(out, cap, "failed: %s", rc == -ESTALE ? "a file changed since it was loaded" :
			 strerror(-rc));
	return rc;
}

/* A stored configuration's hash, recomputed from its members in order.
 * The bytes come from an archive: bounded like the loader. */
int audit_config_tar_hash(int fd, uint8_t out[AUDIT_HASH_LEN], size_t *files)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	crypto_generichash_state h;
	char *buf = malloc(CONF_FILE_MAX);
	int rc = 0, r;
	*files = 0;
	if (!a || !buf || sodium_init() < 0) {
		archive_read_free(a);
		free(buf);
		return -ENOMEM;
	}
	crypto_generichash_init(&h, NULL, 0, AUDIT_HASH_LEN);
	archive_read_support_format_tar(a);
	if (archive_read_open_fd(a, fd, 16384) != ARCHIVE_OK)
		rc = -EINVAL;
	while (rc == 0 && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		la_int64_t size = archive_entry_size(e);
		if (archive_entry_filetype(e) != AE_IFREG || size < 0 || size > CONF_FILE_MAX ||
		    *files == CONF_MAX_FILES) {
			rc = -EINVAL;
			break;
		}
		if (archive_read_data(a, buf, (size_t)size) != (la_ssize_t)size) {
			rc = -EINVAL;
			break;
		}
		hash_member(&h, *files == 0, archive_entry_pathname(e), buf, (size_t)size);
		++*files;
	}
	if (rc == 0 && (r != ARCHIVE_EOF || *files == 0))
		rc = -EINVAL;
	if (rc == 0)
		crypto_generichash_final(&h, out, AUDIT_HASH_LEN);
	sodium_memzero(buf, CONF_FILE_MAX);
	free(buf);
	archive_read_free(a);
	return rc;
}
