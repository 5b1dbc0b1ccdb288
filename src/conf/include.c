/* `include FILE-OR-PATTERN`: a file or a glob(3) pattern, relative to the
 * directory of the file that includes it. A literal path must exist; a
 * pattern may match nothing (an empty peers.d is a normal hub). Matches
 * are read in sorted order, each held to the checks of linegate.conf
 * (conf_read_file), at most CONF_MAX_INCLUDE_DEPTH deep and CONF_MAX_FILES
 * in all; a file that includes itself, directly or not, is refused. */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "include.h"

static const char *file_name(const struct parser *p, int idx)
{
	return idx ? p->errs->included[idx - 1] : p->errs->file;
}

/* The pattern joined to the directory of the including file. */
static int join(struct parser *p, const struct value *v, char *out, size_t n)
{
	const char *inc = file_name(p, p->cur_file);
	const char *slash = strrchr(inc, '/');
	int w;
	if (v->text[0] == '/' || !slash)
		w = snprintf(out, n, "%s", v->text);
	else
		w = snprintf(out, n, "%.*s/%s", (int)(slash - inc), inc, v->text);
	if (w < 0 || (size_t)w >= n) {
		conf_error(p, v->line, v->col, "include '%.64s': path too long: expected at most "
			   "%d bytes", v->text, CONF_PATH_MAX - 1);
		return -1;
	}
	return 0;
}

static bool on_chain(const struct conf_files *f, const struct stat *st)
{
	for (size_t i = 0; i < f->depth; i++) {
		const struct stat *c = &f->st[f->chain[i]];
		if (c->st_dev == st->st_dev && c->st_ino == st->st_ino)
			return true;
	}
	return false;
}

static void hash_file(struct conf_files *f, const char *name, const char *buf, size_t n)
{
	uint8_t len[8];
	for (size_t i = 0; i < 8; i++)
		len[i] = (uint8_t)((uint64_t)n >> (56 - 8 * i));
	crypto_generichash_update(&f->hash, (const uint8_t *)name, strlen(name) + 1);
	crypto_generichash_update(&f->hash, len, sizeof(len));
	crypto_generichash_update(&f->hash, (const uint8_t *)buf, n);
}

static void include_one(struct parser *p, const struct value *v, const char *path)
{
	struct conf_files *f = p->include_ctx;
	struct conf_errors *errs = p->errs;
	struct stat st;
	char *buf = NULL;
	size_t n = 0;

	if (errs->n_included == CONF_MAX_INCLUDED) {
		conf_error(p, v->line, v->col, "include '%.96s': too many files: expected at most "
			   "%d included in all", path, CONF_MAX_INCLUDED);
		return;
	}
	if (f->depth > CONF_MAX_INCLUDE_DEPTH) {
		conf_error(p, v->line, v->col, "include '%.96s': includes nested too deep: "
			   "expected at most %d levels", path, CONF_MAX_INCLUDE_DEPTH);
		return;
	}
	if (conf_read_file(path, v->line, v->col, &buf, &n, &st, NULL, errs))
		return;
	if (on_chain(f, &st)) {
		conf_error(p, v->line, v->col, "include '%.96s': includes itself (an include "
			   "loop): expected each file once in a chain", path);
		goto out;
	}
	int idx = (int)++errs->n_included;
	snprintf(errs->included[idx - 1], CONF_PATH_MAX, "%s", path);
	f->st[idx] = st;
	hash_file(f, path, buf, n);
	f->chain[f->depth++] = idx;
	conf_parse_file(p, idx, buf, n);
	f->depth--;
out:
	sodium_memzero(buf, n);   /* static-SA keys may be written there */
	free(buf);
}

/* A directory of the pattern that does not exist is no match; one that
 * cannot be read is an error, not a silently shorter list of peers. */
static int glob_error(const char *path, int err)
{
	(void)path;
	return err != ENOENT && err != ENOTDIR;
}

void conf_include(struct parser *p, const struct value *v)
{
	char path[CONF_PATH_MAX];
	glob_t g;

	if (!v->text[0]) {
		conf_error(p, v->line, v->col, "include needs a file or pattern: expected "
			   "include \"peers.d/*.conf\"");
		return;
	}
	if (join(p, v, path, sizeof(path)))
		return;
	if (!strpbrk(v->text, "*?[")) {
		include_one(p, v, path);
		return;
	}
	int rc = glob(path, 0, glob_error, &g);   /* sorted: include order is stable */
	if (rc == GLOB_NOMATCH)
		return;
	if (rc) {
		conf_error(p, v->line, v->col, "include '%.96s': %s", v->text,
			   rc == GLOB_NOSPACE ? "out of memory" : "cannot read a directory");
		return;
	}
	for (size_t i = 0; i < g.gl_pathc; i++) {
		if (strlen(g.gl_pathv[i]) >= CONF_PATH_MAX)
			conf_error(p, v->line, v->col, "include '%.64s...': path too long: expected "
				   "at most %d bytes", g.gl_pathv[i], CONF_PATH_MAX - 1);
		else
			include_one(p, v, g.gl_pathv[i]);
	}
	globfree(&g);
}
