/* Loading linegate.conf from disk: the only I/O of conf/. Reads the file
 * (bounded), hashes it (the hash goes into audit records of reloads), parses,
 * resolves relative paths, and checks key files the way iked and sshd do: a
 * secret readable by another user is no longer a secret. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "linegate/file.h"
#include "include.h"

/* An error about a whole file: the one loaded (line 0), or an included
 * one, cited at its include statement and named. */
__attribute__((format(printf, 5, 6)))
static void file_error(struct conf_errors *errs, const char *path, int line, int col,
		       const char *fmt, ...)
{
	char msg[CONF_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		conf_errors_add(errs, line, col, "include '%.96s': %s", path, msg);
	else
		conf_errors_add(errs, 0, 0, "%s", msg);
}

int conf_read_file(const char *path, int line, int col, char **buf, size_t *n,
		   struct stat *st_out, crypto_generichash_state *h, struct conf_errors *errs)
{
	struct stat st = { .st_mode = 0 };   /* stays 0 if the file could not be opened */
	int rc = lg_read_file_bounded(path, CONF_FILE_MAX, 0, buf, n, &st);

	if (rc && !st.st_mode) {
		file_error(errs, path, line, col, "cannot open: %s", strerror(-rc));
		return rc;
	}
	if (rc == -EINVAL) {
		file_error(errs, path, line, col, "not a regular file (%s): expected a plain file",
				S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISDIR(st.st_mode) ? "a directory" :
				S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" :
				S_ISSOCK(st.st_mode) ? "a socket" : "special");
		return rc;
	}
	/* Whoever can write the config can name their own keys and peers. */
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		file_error(errs, path, line, col, "writable by group or others (mode %04o): expected "
				"at most 0644", (unsigned)(st.st_mode & 07777));
		rc = -EPERM;
	} else if (rc == -EFBIG) {
		file_error(errs, path, line, col, "file too large: expected at most %d bytes",
				CONF_FILE_MAX);
	} else if (rc) {
		file_error(errs, path, line, col, "cannot read: %s", strerror(-rc));
	}
	if (rc) {
		if (*buf)
			sodium_memzero(*buf, *n);   /* what was read may hold static-SA keys */
		free(*buf);
		*buf = NULL;
		return rc;
	}
	if (h)
		crypto_generichash_update(h, (const uint8_t *)*buf, *n);
	*st_out = st;
	return 0;
}

/* Makes a relative path absolute against the config file's directory, so
 * the daemon may chdir("/") and a config may travel with its keys. */
static void resolve(char *path, const char *base_dir, struct conf_errors *errs)
{
	char out[CONF_PATH_MAX];
	if (!path[0] || path[0] == '/')
		return;
	int w = snprintf(out, sizeof(out), "%s/%s", base_dir, path);
	if (w < 0 || (size_t)w >= sizeof(out)) {
		conf_errors_add(errs, 0, 0, "path '%.64s' too long once made absolute", path);
		return;
	}
	memcpy(path, out, (size_t)w + 1);
}

static void resolve_paths(struct config *cfg, const char *cfg_path, struct conf_errors *errs)
{
	char dir[CONF_PATH_MAX] = ".";
	const char *slash = strrchr(cfg_path, '/');

	if (slash && slash != cfg_path && (size_t)(slash - cfg_path) < sizeof(dir))
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - cfg_path), cfg_path);
	else if (slash == cfg_path)
		snprintf(dir, sizeof(dir), "/");
	if (dir[0] != '/') {
		char cwd[PATH_MAX], joined[CONF_PATH_MAX];
		if (!getcwd(cwd, sizeof(cwd)))
			return;
		int w = strcmp(dir, ".") ? snprintf(joined, sizeof(joined), "%s/%s", cwd, dir)
					 : snprintf(joined, sizeof(joined), "%s", cwd);
		if (w < 0 || (size_t)w >= sizeof(joined))
			return;
		memcpy(dir, joined, (size_t)w + 1);
	}
	for (size_t i = 0; i < cfg->n_peers; i++) {
		resolve(cfg->peers[i].psk_file, dir, errs);
		resolve(cfg->peers[i].private_key_file, dir, errs);
		resolve(cfg->peers[i].peer_public_key_file, dir, errs);
		resolve(cfg->peers[i].key_dir, dir, errs);
		resolve(cfg->peers[i].certificate_file, dir, errs);
		resolve(cfg->peers[i].ca_dir, dir, errs);
		resolve(cfg->peers[i].crl_dir, dir, errs);
	}
	resolve(cfg->compliance.region_db, dir, errs);
	resolve(cfg->audit.journal_dir, dir, errs);
	resolve(cfg->control.socket_path, dir, errs);
	if (strlen(cfg->control.socket_path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		conf_errors_add(errs, 0, 0, "control socket path '%.64s...' too long once made "
				"absolute: expected at most %zu bytes", cfg->control.socket_path,
				sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
}

static void check_key_file(struct conf_errors *errs, const char *key, const char *path,
			   struct conf_pos pos, bool secret, unsigned flags)
{
	struct stat st;
	if (!path[0])
		return;
	/* stat: never blocks (a FIFO), needs no read permission (a check as
	 * another user), and is one system call where open, fstat and close
	 * were three: a hub checks one key file per branch. The key is read
	 * (and its file judged again) when the daemon loads it. */
	if (stat(path, &st)) {
		int e = errno;
		if (e != ENOENT || !(flags & CONF_LOAD_MISSING_KEYS_OK))
			conf_errors_add(errs, pos.line, pos.col, "%s '%.96s': %s", key, path,
					strerror(e));
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		conf_errors_add(errs, pos.line, pos.col, "%s '%.96s' is not a regular file (%s)", key,
				path, S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISDIR(st.st_mode) ? "a directory" :
				"a device, socket or other special file");
		return;
	}
	/* another owner can rewrite or chmod it whatever its mode says */
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		conf_errors_add(errs, pos.line, pos.col,
				"%s '%.96s' is owned by uid %u: expected root or the daemon's user", key,
				path, (unsigned)st.st_uid);
		return;
	}
	mode_t bad = secret ? (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH) : (S_IWGRP | S_IWOTH);
	if (st.st_mode & bad)
		conf_errors_add(errs, pos.line, pos.col,
				"%s '%.96s' is %s by group or others (mode %04o): expected %s", key,
				path, secret ? "readable or writable" : "writable",
				(unsigned)(st.st_mode & 07777),
				secret ? "mode 0600 or 0400" : "at most 0644");
}

static void check_key_files(const struct parser *p, unsigned flags, struct conf_errors *errs)
{
	const struct config *cfg = p->cfg;
	for (size_t i = 0; i < cfg->n_peers; i++) {
		const struct conf_peer *peer = &cfg->peers[i];
		const struct peer_extra *x = &p->peer_x[i];
		if (peer->auth == CONF_AUTH_PSK)
			check_key_file(errs, "psk-file", peer->psk_file, x->key_file[0], true, flags);
		if (peer->auth == CONF_AUTH_PSK)
			continue;
		check_key_file(errs, "private-key", peer->private_key_file, x->key_file[1], true,
			       flags);
		if (peer->auth == CONF_AUTH_ED25519)
			check_key_file(errs, "peer-public-key", peer->peer_public_key_file,
				       x->key_file[2], false, flags);
		else
			check_key_file(errs, "certificate", peer->certificate_file, x->key_file[3],
				       false, flags);
	}
}

/* Static-SA keys written in the config make it a key file, held to the
 * rule of check_key_file: an owner who is not root or us could read or
 * swap them, and so could a group or others who can read the file. The
 * error stands at each key value (file:line:col), judged by the file it is
 * written in (linegate.conf or an included one) as read. */
static void check_inline_keys(const struct parser *p, const struct conf_files *files,
			      struct conf_errors *errs)
{
	static const char *const names[2] = { "key-in", "key-out" };
	for (size_t i = 0; i < p->cfg->n_static_sas; i++) {
		for (size_t k = 0; k < 2; k++) {
			struct conf_pos pos = p->sa_x[i].key[k];
			if (!pos.line)
				continue;
			const struct stat *st = &files->st[CONF_FILE_OF(pos.line)];
			bool foreign = st->st_uid != 0 && st->st_uid != geteuid();
			if (!foreign && !(st->st_mode & (S_IRGRP | S_IROTH)))
				continue;
			if (foreign)
				conf_errors_add(errs, pos.line, pos.col,
						"%s of static-sa '%s' in a file owned by uid %u: expected "
						"root or the daemon's user", names[k],
						p->cfg->static_sas[i].name, (unsigned)st->st_uid);
			else
				conf_errors_add(errs, pos.line, pos.col,
						"%s of static-sa '%s' in a file readable by group or "
						"others (mode %04o): expected mode 0600 or 0400", names[k],
						p->cfg->static_sas[i].name,
						(unsigned)(st->st_mode & 07777));
		}
	}
}

int conf_load_file_flags(const char *path, unsigned flags, struct config *out,
			 struct conf_errors *errs)
{
	char *buf = NULL;
	size_t n = 0;
	int rc;

	memset(errs, 0, sizeof(*errs));
	snprintf(errs->file, sizeof(errs->file), "%s", path);
	conf_init_defaults(out);
	struct parser *p = calloc(1, sizeof(*p));
	struct conf_files *files = calloc(1, sizeof(*files));
	if (!p || !files) {
		parser_free(p);
		free(files);
		return -ENOMEM;
	}
	if (sodium_init() < 0 || crypto_generichash_init(&files->hash, NULL, 0, 32)) {
		rc = -EIO;
		goto out;
	}
	rc = conf_read_file(path, 0, 0, &buf, &n, &files->st[0], &files->hash, errs);
	if (rc)
		goto out;
	files->depth = 1;   /* chain[0] = 0: the file named */
	p->include = conf_include;
	p->include_ctx = files;
	rc = conf_parse_with(p, path, buf, n, out, errs);
	if (rc == 0) {
		crypto_generichash_final(&files->hash, out->hash, sizeof(out->hash));
		snprintf(out->path, sizeof(out->path), "%s", path);
		out->n_included = errs->n_included;
		memcpy(out->included, errs->included, sizeof(out->included));
		resolve_paths(out, path, errs);
		conf_expand_templates(p, flags, errs);
		check_key_files(p, flags, errs);
		check_inline_keys(p, files, errs);
		conf_errors_sort(errs);
		if (errs->n || errs->dropped)
			rc = -EINVAL;
	}
out:
	if (buf)
		sodium_memzero(buf, n); /* lab-only static SAs carry keys */
	free(buf);
	parser_free(p);
	sodium_memzero(files, sizeof(*files));
	free(files);
	if (rc)   /* a refused file's keys go no further */
		conf_wipe_keys(out);
	return rc;
}

int conf_load_file(const char *path, struct config *out, struct conf_errors *errs)
{
	return conf_load_file_flags(path, 0, out, errs);
}

void conf_errors_print(const struct conf_errors *errs, FILE *to)
{
	for (size_t i = 0; i < errs->n; i++) {
		const struct conf_error *e = &errs->e[i];
		if (e->line > 0)
			fprintf(to, "%s:%d:%d: %s\n", conf_error_file(errs, e), e->line, e->column,
				e->msg);
		else
			fprintf(to, "%s: %s\n", errs->file, e->msg);
	}
	if (errs->dropped)
		fprintf(to, "%s: %zu more errors not shown\n", errs->file, errs->dropped);
}
