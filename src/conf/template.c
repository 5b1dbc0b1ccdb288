/* Template peers: a hub's branches on changing addresses. A peer written
 * with `endpoint %any` and a remote-id pattern becomes one instance per key
 * file in its key-dir, each file named by the branch's identity, so each
 * branch has its own secret and its own name in SAs, audit and `peers`.
 * A branch block (block_branch.c) binds an instance to its own subnets.
 * Bounded: at most CONF_TEMPLATE_MAX_FILES entries of a directory are read. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "parser.h"

enum { CONF_TEMPLATE_MAX_FILES = 100000 };

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The directory's entry names (dot files skipped), sorted so instances
 * keep their order from one load to the next. NULL with *n = 0 if none. */
static char **list_dir(const char *dir, size_t *n, int *err)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t cap = 0;
	struct dirent *e;

	*n = 0;
	*err = 0;
	if (!d) {
		*err = -errno;
		return NULL;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (*n == CONF_TEMPLATE_MAX_FILES) {
			*err = -EFBIG;
			break;
		}
		if (lg_grow((void **)&names, &cap, *n + 1, sizeof(*names)) ||
		    !(names[*n] = strdup(e->d_name))) {
			*err = -ENOMEM;
			break;
		}
		(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(names, *n, sizeof(*names), by_name);
	return names;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* A branch block's subnets replace the template's pool: the instance is
 * narrowed to them (ike), and errors about them cite the branch block. */
static void bind_subnets(struct conf_peer *inst, struct peer_extra *x, const struct branch_def *b)
{
	memcpy(inst->remote_ts, b->remote_ts, sizeof(inst->remote_ts));
	inst->n_remote_ts = b->n_remote_ts;
	for (size_t i = 0; i < CONF_MAX_TS; i++) {
		x->remote_ts[i] = b->remote_ts_at[i];
		inst->remote_ts_at[i] = (struct conf_at){ b->remote_ts_at[i].line,
							  b->remote_ts_at[i].col };
	}
}

/* One instance: the template with the identity, name and key file of
 * `file`. An error names the template's key-dir. */
static void add_instance(struct parser *p, size_t t, const char *file, struct conf_errors *errs)
{
	struct config *cfg = p->cfg;
	const struct conf_peer *tmpl = &cfg->peers[t];
	struct conf_pos at = { tmpl->key_dir_at.line, tmpl->key_dir_at.col };
	struct conf_identity id = { .type = CONF_ID_FQDN };
	char name[CONF_NAME_MAX], path[CONF_PATH_MAX];
	size_t len = strlen(file);

	if (len > CONF_ID_MAX) {
		conf_errors_add(errs, at.line, at.col, "key-dir file '%.64s...' of template '%s': "
				"longer than an identity (%d bytes)", file, tmpl->name, CONF_ID_MAX);
		return;
	}
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)file[i]) && !strchr("-_.", file[i])) {
			conf_errors_add(errs, at.line, at.col, "key-dir file '%.96s' of template '%s' is "
					"not a host name: expected files named by branch identity",
					file, tmpl->name);
			return;
		}
	id.len = (uint8_t)len;
	memcpy(id.data, file, len);
	if (!config_identity_matches(&tmpl->remote_id, &id)) {
		conf_errors_add(errs, at.line, at.col, "key-dir file '%.96s' of template '%s' does not "
				"match its remote-id %.*s: expected files named by branch identity",
				file, tmpl->name, (int)tmpl->remote_id.len, tmpl->remote_id.data);
		return;
	}
	int w = snprintf(name, sizeof(name), "%s/%s", tmpl->name, file);
	int wp = snprintf(path, sizeof(path), "%s/%s", tmpl->key_dir, file);
	if (w < 0 || (size_t)w >= sizeof(name) || wp < 0 || (size_t)wp >= sizeof(path)) {
		conf_errors_add(errs, at.line, at.col, "identity '%.96s' of template '%s': the instance "
				"name %s/IDENTITY or its key path is too long (at most %d bytes)",
				file, tmpl->name, tmpl->name, CONF_NAME_MAX - 1);
		return;
	}
	for (size_t i = strlen(tmpl->name) + 1; name[i]; i++)
		name[i] = (char)tolower((unsigned char)name[i]);
	if (config_find_peer(cfg, name)) {
		conf_errors_add(errs, at.line, at.col, "key-dir of template '%s' holds '%.96s' twice "
				"(identities ignore case)", tmpl->name, file);
		return;
	}
	const struct branch_def *b = conf_find_branch(p, name);
	if (!b && p->peer_x[t].has_branches) {
		conf_errors_add(errs, at.line, at.col, "key-dir file '%.96s' of template '%s' has no "
				"branch block: the template binds each identity to its subnets "
				"(branch \"%.96s\" { template %s; remote-subnets ... })",
				file, tmpl->name, file, tmpl->name);
		return;
	}
	struct conf_peer *inst = config_add_peer(cfg);
	if (!inst || lg_grow((void **)&p->peer_x, &p->cap_peer_x, cfg->n_peers, sizeof(*p->peer_x))) {
		if (inst)
			cfg->n_peers--;
		conf_errors_add(errs, at.line, at.col, "out of memory for template '%s'", tmpl->name);
		return;
	}
	tmpl = &cfg->peers[t];   /* the array may have moved */
	*inst = *tmpl;
	inst->is_template = false;
	memcpy(inst->name, name, sizeof(name));
	memcpy(inst->template_name, tmpl->name, sizeof(inst->template_name));
	inst->remote_id = id;
	char *key = inst->auth == CONF_AUTH_PSK ? inst->psk_file : inst->peer_public_key_file;
	memcpy(key, path, (size_t)wp + 1);
	struct peer_extra *x = &p->peer_x[cfg->n_peers - 1];
	*x = p->peer_x[t];
	x->key_file[inst->auth == CONF_AUTH_PSK ? 0 : 2] = at;
	if (b)
		bind_subnets(inst, x, b);
	config_index_peer(cfg, inst);
}

static void expand_one(struct parser *p, size_t t, unsigned flags, struct conf_errors *errs)
{
	const struct conf_peer *tmpl = &p->cfg->peers[t];
	struct conf_pos at = { tmpl->key_dir_at.line, tmpl->key_dir_at.col };
	size_t n;
	int err;
	char **names = list_dir(tmpl->key_dir, &n, &err);

	if (err == -ENOENT && (flags & CONF_LOAD_MISSING_KEYS_OK))
		return;
	if (err == -EFBIG)
		conf_errors_add(errs, at.line, at.col, "key-dir '%.96s' holds more than %d files",
				tmpl->key_dir, CONF_TEMPLATE_MAX_FILES);
	else if (err)
		conf_errors_add(errs, at.line, at.col, "key-dir '%.96s': %s", tmpl->key_dir,
				strerror(-err));
	for (size_t i = 0; !err && i < n; i++)
		add_instance(p, t, names[i], errs);
	free_names(names, n);
}

void conf_expand_templates(struct parser *p, unsigned flags, struct conf_errors *errs)
{
	size_t n = p->cfg->n_peers;   /* instances are appended: not templates */

	for (size_t t = 0; t < n; t++)
		if (p->cfg->peers[t].is_template)
			expand_one(p, t, flags, errs);
}
